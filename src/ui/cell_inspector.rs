//! "Inside one cell": click a feature-map or pooling cell and see the arithmetic that made it,
//! with the numbers of the shown digit filled in: the kernel, the input window (padding shows
//! as zeros), every multiply-add, the bias and the sum, next to the engine's own value. The
//! window can slide over the input at the layer's stride, by hand or animated.

use std::rc::Rc;

use gloo::timers::callback::Interval;
use web_sys::{HtmlCanvasElement, HtmlSelectElement};
use yew::prelude::*;

use super::colour::{fmt_value, ColourScale};
use super::heat_canvas::HeatCanvas;
use super::state::{SharedModel, ShownInput};
use crate::nn::explain::{CellExplanation, CellMath, Term};
use crate::nn::model::Model;
use crate::nn::receptive::Cell;
use crate::nn::spec::LayerSpec;

/// Animation speeds a teacher can pick: label and milliseconds per window position.
pub const SPEEDS: [(&str, u32); 3] = [("slow", 900), ("medium", 450), ("fast", 150)];
/// Displayed size of one input cell in the window views, in CSS px.
const CELL_PX: usize = 8;

#[derive(Properties, PartialEq)]
pub struct CellInspectorProps {
    pub model: Option<SharedModel>,
    /// Changes whenever the weights change.
    pub version: u64,
    pub shown: Option<ShownInput>,
    pub cell: Option<Cell>,
    /// A new cell (the slide controls), or None to close.
    pub onselect: Callback<Option<Cell>>,
}

/// Layers whose cells are a window of inputs (what [`Model::explain_cell`] explains).
///
/// [`Model::explain_cell`]: crate::nn::model::Model::explain_cell
fn has_window(l: &LayerSpec) -> bool {
    matches!(
        l,
        LayerSpec::Conv { .. }
            | LayerSpec::DwConv { .. }
            | LayerSpec::MaxPool { .. }
            | LayerSpec::AvgPool { .. }
    )
}

/// The cell under a click on one of the panels' heat maps (`data-layer`, `data-channel`),
/// if the click was on one.
pub fn cell_from_click(model: &Model, e: &MouseEvent) -> Option<Cell> {
    let canvas: HtmlCanvasElement = e.target_dyn_into()?;
    let name = canvas.get_attribute("data-layer")?;
    let c: usize = canvas.get_attribute("data-channel")?.parse().ok()?;
    // Top-level layers, or the layers inside residual blocks (names are unique across both).
    let (layer, inner) = model.infos().iter().enumerate().find_map(|(i, info)| {
        if info.name == name {
            Some((i, None))
        } else {
            info.inner
                .iter()
                .position(|x| x.name == name)
                .map(|j| (i, Some(j)))
        }
    })?;
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    let (cw, ch) = (canvas.client_width() as f64, canvas.client_height() as f64);
    if cw <= 0.0 || ch <= 0.0 || w < 1.0 || h < 1.0 {
        return None;
    }
    let y = (e.offset_y() as f64 / ch * h).floor().clamp(0.0, h - 1.0) as usize;
    let x = (e.offset_x() as f64 / cw * w).floor().clamp(0.0, w - 1.0) as usize;
    Some(Cell {
        layer,
        inner,
        c,
        y,
        x,
    })
}

/// The output grid of the selected layer: (height, width).
fn out_grid(model: &SharedModel, cell: &Cell) -> Option<(usize, usize)> {
    let m = model.0.borrow();
    let info = m.infos().get(cell.layer)?;
    let info = match cell.inner {
        Some(j) => info.inner.get(j)?,
        None => info,
    };
    Some((info.output.h, info.output.w))
}

/// The cell `delta` positions further along the output grid, row by row, wrapping around.
pub fn step_cell(cell: Cell, grid: (usize, usize), delta: isize) -> Cell {
    let (h, w) = grid;
    let n = (h * w).max(1) as isize;
    let i = (cell.y * w + cell.x) as isize;
    let j = (i + delta).rem_euclid(n) as usize;
    Cell {
        y: j / w.max(1),
        x: j % w.max(1),
        ..cell
    }
}

#[function_component]
pub fn CellInspector(props: &CellInspectorProps) -> Html {
    let playing = use_state(|| false);
    let speed = use_state(|| SPEEDS[1].1);
    let explanation = use_memo(
        (
            props.shown.clone(),
            props.version,
            props.cell,
            props.model.clone(),
        ),
        |(shown, _, cell, model)| -> Option<Result<CellExplanation, String>> {
            let (Some(shown), Some(cell), Some(model)) = (shown, cell, model) else {
                return None;
            };
            let m = model.0.borrow();
            Some(m.explain_cell(shown.image(), *cell))
        },
    );
    let relu_next = props.cell.zip(props.model.as_ref()).is_some_and(|(c, m)| {
        c.inner.is_none()
            && matches!(
                m.0.borrow().spec().layers.get(c.layer + 1),
                Some(LayerSpec::Relu)
            )
    });
    let grid = props
        .cell
        .zip(props.model.as_ref())
        .and_then(|(c, m)| out_grid(m, &c));

    // Slide the window while playing: one output position per tick.
    {
        let (cell, onselect, playing_now) = (props.cell, props.onselect.clone(), *playing);
        use_effect_with(
            (cell, grid, playing_now, *speed),
            move |(cell, grid, on, ms)| {
                let interval = match (cell, grid, on) {
                    (Some(cell), Some(grid), true) => {
                        let (cell, grid) = (*cell, *grid);
                        Some(Interval::new(*ms, move || {
                            onselect.emit(Some(step_cell(cell, grid, 1)))
                        }))
                    }
                    _ => None,
                };
                move || drop(interval)
            },
        );
    }

    let Some(cell) = props.cell else {
        // Buttons as well as clicks, so the view works from the keyboard too.
        let starts: Vec<(usize, String)> = props
            .model
            .as_ref()
            .map(|m| {
                let m = m.0.borrow();
                m.spec()
                    .layers
                    .iter()
                    .zip(m.infos())
                    .enumerate()
                    .filter(|(_, (l, _))| has_window(l))
                    .map(|(i, (_, info))| (i, info.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        return html! {
            <section class="card panel" data-testid="cell-inspector" aria-labelledby="cell-heading">
                <h2 id="cell-heading">{ "Inside one cell" }</h2>
                <p class="hint" data-testid="cell-none">{ "Click any cell of a feature map or a pooling map above to see the \
                    arithmetic that made it: the kernel, the input window and every multiply-add. Or start at \
                    the top-left cell of a layer:" }</p>
                <div class="cell-starts">
                    { for starts.into_iter().map(|(layer, name)| {
                        let onselect = props.onselect.clone();
                        let onclick = Callback::from(move |_: MouseEvent| onselect.emit(Some(Cell { layer, inner: None, c: 0, y: 0, x: 0 })));
                        html! { <button {onclick} data-testid={format!("cell-start-{name}")}>{ name }</button> }
                    }) }
                </div>
            </section>
        };
    };
    let step = |delta: isize| {
        let (onselect, playing) = (props.onselect.clone(), playing.clone());
        Callback::from(move |_: MouseEvent| {
            playing.set(false);
            if let Some(grid) = grid {
                onselect.emit(Some(step_cell(cell, grid, delta)));
            }
        })
    };
    let ontoggle = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };
    let onspeed = {
        let speed = speed.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(ms) = s.value().parse::<u32>() {
                    speed.set(ms);
                }
            }
        })
    };
    let onclose = {
        let (onselect, playing) = (props.onselect.clone(), playing.clone());
        Callback::from(move |_: MouseEvent| {
            playing.set(false);
            onselect.emit(None)
        })
    };
    let body = match explanation.as_ref() {
        None => html! { <p class="hint">{ "Waiting for the model and an input…" }</p> },
        Some(Err(e)) => html! { <p class="note" data-testid="cell-error">{ e.clone() }</p> },
        Some(Ok(e)) => html! {
            <>
                { image_view(e, props.shown.as_ref().map(|s| s.image().as_slice()).unwrap_or(&[])) }
                { explanation_view(e, relu_next) }
            </>
        },
    };
    let name = match explanation.as_ref() {
        Some(Ok(e)) => e.field.name.clone(),
        _ => format!("layer {}", cell.layer),
    };
    html! {
        <section class="card panel" data-testid="cell-inspector" aria-labelledby="cell-heading">
            <h2 id="cell-heading">{ "Inside one cell" }</h2>
            <div class="panel-bar">
                <p class="cell-title" data-testid="cell-title" data-layer={name.clone()}
                    data-channel={cell.c.to_string()} data-y={cell.y.to_string()} data-x={cell.x.to_string()}>
                    { format!("{name} · channel {} · row {}, column {} (counting from 0)", cell.c, cell.y, cell.x) }
                </p>
                <div class="cell-controls" role="group" aria-label="Slide the window">
                    <button onclick={step(-1)} data-testid="cell-back" title="Previous position">{ "◀ Back" }</button>
                    <button onclick={ontoggle} data-testid="cell-play" aria-pressed={(*playing).to_string()}>
                        { if *playing { "❚❚ Stop" } else { "▶ Slide" } }
                    </button>
                    <button onclick={step(1)} data-testid="cell-next" title="Next position">{ "Next ▶" }</button>
                    <label>{ "Speed " }
                        <select data-testid="cell-speed" onchange={onspeed}>
                            { for SPEEDS.iter().map(|(label, ms)| html! {
                                <option value={ms.to_string()} selected={*ms == *speed}>{ *label }</option>
                            }) }
                        </select>
                    </label>
                    <button onclick={onclose} data-testid="cell-close">{ "Close" }</button>
                </div>
            </div>
            { body }
        </section>
    }
}

/// The drawing (or test digit) with the pixels that can influence the cell outlined.
fn image_view(e: &CellExplanation, image: &[f32]) -> Html {
    const SIDE: usize = 28;
    if image.len() < SIDE * SIDE {
        return Html::default();
    }
    let r = e.field.image;
    let text = if r.is_empty() {
        "This cell sees only padding: no pixel of the drawing reaches it.".to_string()
    } else {
        format!(
            "Receptive field on the drawing: rows {}–{}, columns {}–{} ({}×{} pixels)",
            r.y0,
            r.y1 - 1,
            r.x0,
            r.x1 - 1,
            r.height(),
            r.width()
        )
    };
    let px = 4;
    let style = format!(
        "left: {}px; top: {}px; width: {}px; height: {}px",
        r.x0.max(0) as usize * px,
        r.y0.max(0) as usize * px,
        r.width() * px,
        r.height() * px
    );
    html! {
        <figure class="cell-image" data-testid="cell-image" data-rect={format!("{},{},{},{}", r.y0, r.x0, r.y1, r.x1)}>
            <div class="window-view" style={format!("width: {}px; height: {}px", SIDE * px, SIDE * px)}>
                <HeatCanvas values={Rc::new(image[..SIDE * SIDE].to_vec())} width={SIDE} height={SIDE}
                    scale={ColourScale::sequential_for([0.0f32, 1.0].iter())} zoom={px} />
                if !r.is_empty() { <div class="field" {style}></div> }
            </div>
            <figcaption>{ text }</figcaption>
        </figure>
    }
}

fn explanation_view(e: &CellExplanation, relu_next: bool) -> Html {
    let k = e.kernel;
    let channels: Vec<usize> = e.field.channels.clone().collect();
    let per_channel = e.field.taps.len();
    let math = match e.math {
        CellMath::Conv { bias, sum } => {
            let products: f64 = e.terms.iter().map(|t| t.product() as f64).sum();
            let pads = e.terms.iter().filter(|t| t.tap.padding).count();
            html! {
                <div class="cell-math" data-testid="cell-math">
                    <p>{ format!(
                        "{} input channel{} × {k}×{k} kernel = " ,
                        channels.len(), if channels.len() == 1 { "" } else { "s" }) }
                        <strong data-testid="cell-madds" data-value={e.multiply_adds().to_string()}>
                            { format!("{} multiply-adds", e.multiply_adds()) }</strong>
                        { if pads > 0 { format!(" ({pads} of them on padding zeros)") } else { String::new() } }
                    </p>
                    <p class="sum">
                        { format!("Σ weight × input = {}", fmt_value(products as f32)) }
                        { format!(" + bias {} = ", fmt_value(bias)) }
                        <strong data-testid="cell-sum" data-value={sum.to_string()}>{ fmt_value(sum) }</strong>
                        if relu_next {
                            { format!(" → after ReLU max(0, ·) = {}", fmt_value(sum.max(0.0))) }
                        }
                    </p>
                </div>
            }
        }
        CellMath::Max { winner, max } => {
            let t = e.terms.get(winner);
            html! {
                <div class="cell-math" data-testid="cell-math">
                    <p class="sum">{ format!("Max pooling keeps the largest of the {} values: ", e.terms.len()) }
                        <strong data-testid="cell-sum" data-value={max.to_string()}>{ fmt_value(max) }</strong>
                        { t.map(|t| format!(", from row {}, column {} (marked ★)", t.tap.y, t.tap.x)).unwrap_or_default() }
                    </p>
                </div>
            }
        }
        CellMath::Avg { mean } => html! {
            <div class="cell-math" data-testid="cell-math">
                <p class="sum">{ format!("Average pooling takes the mean of the {} values: ", e.terms.len()) }
                    <strong data-testid="cell-sum" data-value={mean.to_string()}>{ fmt_value(mean) }</strong></p>
            </div>
        },
        CellMath::Relu { input, output } => html! {
            <div class="cell-math" data-testid="cell-math">
                <p class="sum">{ format!("ReLU: max(0, {}) = ", fmt_value(input)) }
                    <strong data-testid="cell-sum" data-value={output.to_string()}>{ fmt_value(output) }</strong></p>
            </div>
        },
    };
    let agrees = (e.math.value() - e.engine).abs()
        <= 1e-5
            * e.terms
                .iter()
                .map(|t| t.product().abs())
                .sum::<f32>()
                .max(1.0);
    let winner = match e.math {
        CellMath::Max { winner, .. } => Some(winner),
        _ => None,
    };
    let first = e.field.channels.start;
    html! {
        <>
            { math }
            <p class="cell-engine">{ "The network's own forward pass gave " }
                <strong data-testid="cell-engine" data-value={e.engine.to_string()}>{ fmt_value(e.engine) }</strong>
                { if agrees { " — the same number." } else { " — they differ: please report this." } }
            </p>
            <div class="cell-channels">
                { for channels.iter().map(|&ch| {
                    let terms = &e.terms[(ch - first) * per_channel..(ch - first + 1) * per_channel];
                    channel_view(e, ch, terms, winner.and_then(|w| w.checked_sub((ch - first) * per_channel)))
                }) }
            </div>
        </>
    }
}

/// One input channel: the window on the (padded) input, the kernel and the input patch as
/// number grids, and the products.
fn channel_view(e: &CellExplanation, ch: usize, terms: &[Term], winner: Option<usize>) -> Html {
    let k = e.kernel;
    let (_, h, w) = e.input.dim();
    let plane: Vec<f32> = e
        .input
        .slice(ndarray::s![ch, .., ..])
        .iter()
        .copied()
        .collect();
    // Pad the view as far as the window reaches beyond the input, so padding shows as zeros.
    let reach = |lo: isize, hi: isize, n: usize| {
        ((-lo).max(0) as usize, (hi + 1 - n as isize).max(0) as usize)
    };
    let (y_lo, y_hi) = terms.iter().fold((0isize, 0isize), |(a, b), t| {
        (a.min(t.tap.y), b.max(t.tap.y))
    });
    let (x_lo, x_hi) = terms.iter().fold((0isize, 0isize), |(a, b), t| {
        (a.min(t.tap.x), b.max(t.tap.x))
    });
    let (top, bottom) = reach(y_lo, y_hi, h);
    let (left, right) = reach(x_lo, x_hi, w);
    let (ph, pw) = (h + top + bottom, w + left + right);
    let scale = ColourScale::sequential_for(plane.iter().chain([0.0f32].iter()));
    let boxes = terms.iter().enumerate().map(|(i, t)| {
        let style = format!(
            "left: {}px; top: {}px; width: {CELL_PX}px; height: {CELL_PX}px",
            (t.tap.x + left as isize) as usize * CELL_PX,
            (t.tap.y + top as isize) as usize * CELL_PX
        );
        let class = classes!(
            "tap",
            t.tap.padding.then_some("pad"),
            (winner == Some(i)).then_some("winner")
        );
        html! { <div {class} {style}></div> }
    });
    let frame = format!(
        "left: {}px; top: {}px; width: {}px; height: {}px",
        left * CELL_PX,
        top * CELL_PX,
        w * CELL_PX,
        h * CELL_PX
    );
    let grid = |cells: Vec<Html>| {
        html! { <div class="num-grid" style={format!("grid-template-columns: repeat({k}, auto)")}>{ for cells }</div> }
    };
    let weights = terms.iter().map(|t| {
        html! { <span class="num">{ t.weight.map(fmt_value).unwrap_or_default() }</span> }
    });
    let inputs = terms.iter().enumerate().map(|(i, t)| {
        let class = classes!("num", t.tap.padding.then_some("pad"), (winner == Some(i)).then_some("winner"));
        let title = if t.tap.padding { "padding: zero" } else { "" };
        html! { <span {class} {title}>{ if winner == Some(i) { format!("★{}", fmt_value(t.input)) } else { fmt_value(t.input) } }</span> }
    });
    let products = terms
        .iter()
        .map(|t| html! { <span class="num">{ fmt_value(t.product()) }</span> });
    let is_conv = matches!(e.math, CellMath::Conv { .. });
    html! {
        <figure class="cell-channel" data-testid={format!("cell-channel-{ch}")}>
            <figcaption>{ format!("input channel {ch} ({h}×{w}{})",
                if top + bottom + left + right > 0 { ", grey border: padding zeros" } else { "" }) }</figcaption>
            <div class="window-view" style={format!("width: {}px; height: {}px", pw * CELL_PX, ph * CELL_PX)}>
                // The input itself; the grey around it is the padding.
                <div class="input-frame" style={frame}>
                    <HeatCanvas values={Rc::new(plane)} width={w} height={h} {scale} zoom={CELL_PX}
                        testid={AttrValue::from(format!("cell-window-{ch}"))} />
                </div>
                { for boxes }
            </div>
            <div class="cell-grids">
                if is_conv {
                    <div><span class="grid-label">{ "kernel (weights)" }</span>{ grid(weights.collect()) }</div>
                }
                <div><span class="grid-label">{ "input window" }</span>{ grid(inputs.collect()) }</div>
                if is_conv {
                    <div><span class="grid-label">{ "weight × input" }</span>{ grid(products.collect()) }</div>
                }
            </div>
        </figure>
    }
}
