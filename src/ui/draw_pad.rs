//! The drawing pad: pointer events (mouse, touch, pen) become strokes in pad px.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

use super::strokes::StrokeRecorder;
use crate::data::preprocess::{Point, Stroke, PAD_SIZE, PEN_WIDTH};

/// Live updates while drawing are sent at most this often (ms).
pub const LIVE_UPDATE_MS: f64 = 50.0;

#[derive(Properties, PartialEq)]
pub struct DrawPadProps {
    /// The full drawing: throttled while the pen moves, immediately on pen-up/clear.
    pub onchange: Callback<Rc<Vec<Stroke>>>,
}

/// State that must not trigger re-renders (it changes on every pointer move).
#[derive(Default)]
struct PadState {
    recorder: StrokeRecorder,
    frame: Option<AnimationFrame>,
    last_emit_ms: f64,
    pending: bool,
}

#[function_component]
pub fn DrawPad(props: &DrawPadProps) -> Html {
    let canvas_ref = use_node_ref();
    let state = use_mut_ref(PadState::default);

    // Size the backing store for the screen's pixel density once mounted.
    {
        let canvas_ref = canvas_ref.clone();
        let state = state.clone();
        use_effect_with((), move |_| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                setup(&canvas);
                redraw(&canvas, state.borrow().recorder.strokes());
            }
        });
    }

    let onpointerdown = {
        let (canvas_ref, state, onchange) =
            (canvas_ref.clone(), state.clone(), props.onchange.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() else {
                return;
            };
            if e.button() > 0 {
                return; // only the primary button / pen tip / finger draws
            }
            e.prevent_default();
            let p = pad_point(&canvas, &e);
            if state.borrow_mut().recorder.down(e.pointer_id(), p) {
                let _ = canvas.set_pointer_capture(e.pointer_id());
                draw_dot(&canvas, p);
                schedule(&state, &onchange);
            }
        })
    };
    let onpointermove = {
        let (canvas_ref, state, onchange) =
            (canvas_ref.clone(), state.clone(), props.onchange.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() else {
                return;
            };
            let p = pad_point(&canvas, &e);
            let segment = state.borrow_mut().recorder.moved(e.pointer_id(), p);
            if let Some((a, b)) = segment {
                e.prevent_default();
                draw_segment(&canvas, a, b);
                schedule(&state, &onchange);
            } else if e.buttons() & 1 == 1 && !state.borrow().recorder.is_drawing() {
                // A stroke that began outside the pad: it starts where the pen came in, and
                // the pad captures the pointer as if it had been pressed here.
                e.prevent_default();
                if state.borrow_mut().recorder.down(e.pointer_id(), p) {
                    let _ = canvas.set_pointer_capture(e.pointer_id());
                    draw_dot(&canvas, p);
                    schedule(&state, &onchange);
                }
            }
        })
    };
    let onpointerup = {
        let (canvas_ref, state, onchange) =
            (canvas_ref.clone(), state.clone(), props.onchange.clone());
        Callback::from(move |e: PointerEvent| {
            let ended = state.borrow_mut().recorder.up(e.pointer_id());
            if ended {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    let _ = canvas.release_pointer_capture(e.pointer_id());
                }
                emit_now(&state, &onchange);
            }
        })
    };
    let onclear = {
        let (canvas_ref, state, onchange) =
            (canvas_ref.clone(), state.clone(), props.onchange.clone());
        Callback::from(move |_: MouseEvent| {
            state.borrow_mut().recorder.clear();
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                redraw(&canvas, &[]);
            }
            emit_now(&state, &onchange);
        })
    };

    // Inline so that touch drawing never scrolls the page, even before the CSS loads.
    let size = format!("width: {PAD_SIZE}px; height: {PAD_SIZE}px; touch-action: none");
    html! {
        <div class="draw-pad">
            <canvas ref={canvas_ref} data-testid="draw-pad" class="pad" style={size}
                role="img" aria-label="Drawing pad: draw one digit with the mouse, a finger or a pen"
                onpointerdown={onpointerdown}
                onpointermove={onpointermove}
                onpointerup={onpointerup.clone()}
                onpointercancel={onpointerup} />
            <button type="button" data-testid="clear" onclick={onclear}>{ "Clear" }</button>
        </div>
    }
}

/// Sends the drawing soon: on the next animation frame at least LIVE_UPDATE_MS after
/// the previous update, so fast pointer moves do not flood the classifier.
fn schedule(state: &Rc<RefCell<PadState>>, onchange: &Callback<Rc<Vec<Stroke>>>) {
    let mut s = state.borrow_mut();
    s.pending = true;
    if s.frame.is_some() {
        return;
    }
    let (state2, onchange) = (state.clone(), onchange.clone());
    s.frame = Some(request_animation_frame(move |now| {
        let due = {
            let mut s = state2.borrow_mut();
            // This handle owns the closure running right now: drop it afterwards.
            let fired = s.frame.take();
            yew::platform::spawn_local(async move { drop(fired) });
            s.pending && now - s.last_emit_ms >= LIVE_UPDATE_MS
        };
        if due {
            emit_now(&state2, &onchange);
        } else if state2.borrow().pending {
            schedule(&state2, &onchange);
        }
    }));
}

fn emit_now(state: &Rc<RefCell<PadState>>, onchange: &Callback<Rc<Vec<Stroke>>>) {
    let strokes = {
        let mut s = state.borrow_mut();
        s.pending = false;
        s.frame = None;
        s.last_emit_ms = gloo::utils::window()
            .performance()
            .map(|p| p.now())
            .unwrap_or(0.0);
        s.recorder.strokes().to_vec()
    };
    super::marks::mark_now("drawingSentMs");
    onchange.emit(Rc::new(strokes));
}

/// The event position in pad px, whatever size CSS gives the canvas.
fn pad_point(canvas: &HtmlCanvasElement, e: &PointerEvent) -> Point {
    let rect = canvas.get_bounding_client_rect();
    // MouseEvent::client_x() is an integer in web-sys; the DOM has sub-pixel values.
    let get = |name: &str, fallback: i32| {
        js_sys::Reflect::get(e, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(fallback as f64)
    };
    let (cx, cy) = (get("clientX", e.client_x()), get("clientY", e.client_y()));
    let sx = if rect.width() > 0.0 {
        PAD_SIZE as f64 / rect.width()
    } else {
        1.0
    };
    let sy = if rect.height() > 0.0 {
        PAD_SIZE as f64 / rect.height()
    } else {
        1.0
    };
    (
        ((cx - rect.left()) * sx) as f32,
        ((cy - rect.top()) * sy) as f32,
    )
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// A backing store of PAD_SIZE × devicePixelRatio keeps strokes crisp on HiDPI.
fn setup(canvas: &HtmlCanvasElement) {
    let dpr = gloo::utils::window().device_pixel_ratio().max(1.0);
    let px = (PAD_SIZE as f64 * dpr).round() as u32;
    canvas.set_width(px);
    canvas.set_height(px);
    if let Some(ctx) = context(canvas) {
        let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    }
}

fn pen(ctx: &CanvasRenderingContext2d) {
    ctx.set_line_width(PEN_WIDTH as f64);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    ctx.set_stroke_style_str("#111");
    ctx.set_fill_style_str("#111");
}

fn redraw(canvas: &HtmlCanvasElement, strokes: &[Stroke]) {
    let Some(ctx) = context(canvas) else { return };
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, PAD_SIZE as f64, PAD_SIZE as f64);
    pen(&ctx);
    for stroke in strokes {
        match stroke.as_slice() {
            [] => {}
            [p] => draw_dot(canvas, *p),
            [first, rest @ ..] => {
                ctx.begin_path();
                ctx.move_to(first.0 as f64, first.1 as f64);
                for p in rest {
                    ctx.line_to(p.0 as f64, p.1 as f64);
                }
                ctx.stroke();
            }
        }
    }
}

fn draw_segment(canvas: &HtmlCanvasElement, a: Point, b: Point) {
    let Some(ctx) = context(canvas) else { return };
    pen(&ctx);
    ctx.begin_path();
    ctx.move_to(a.0 as f64, a.1 as f64);
    ctx.line_to(b.0 as f64, b.1 as f64);
    ctx.stroke();
}

/// A tap without movement still leaves a round mark, as the rasteriser does.
fn draw_dot(canvas: &HtmlCanvasElement, p: Point) {
    let Some(ctx) = context(canvas) else { return };
    pen(&ctx);
    ctx.begin_path();
    let _ = ctx.arc(
        p.0 as f64,
        p.1 as f64,
        PEN_WIDTH as f64 / 2.0,
        0.0,
        std::f64::consts::TAU,
    );
    ctx.fill();
}
