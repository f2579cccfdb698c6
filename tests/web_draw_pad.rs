//! The drawing pad turns real (synthetic) pointer events into strokes.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use convscope::data::preprocess::{Stroke, PAD_SIZE};
use convscope::ui::draw_pad::{DrawPad, DrawPadProps};
use convscope::ui::strokes::StrokeRecorder;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, PointerEvent, PointerEventInit};
use yew::platform::time::sleep;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn pointer(target: &Element, kind: &str, id: i32, x: f64, y: f64) {
    let init = PointerEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_pointer_id(id);
    init.set_is_primary(true);
    init.set_pointer_type("pen");
    init.set_button(if kind == "pointermove" { -1 } else { 0 });
    init.set_client_x(x.round() as i32);
    init.set_client_y(y.round() as i32);
    let event = PointerEvent::new_with_event_init_dict(kind, &init).expect("PointerEvent");
    target.dispatch_event(&event).expect("dispatch");
}

async fn settle() {
    // Past one animation frame and the live-update throttle.
    sleep(Duration::from_millis(120)).await;
}

#[wasm_bindgen_test]
async fn pointer_events_become_strokes_and_clear_empties_them() {
    let document = gloo::utils::document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let updates: Rc<RefCell<Vec<Rc<Vec<Stroke>>>>> = Rc::default();
    let onchange = {
        let updates = updates.clone();
        Callback::from(move |s: Rc<Vec<Stroke>>| updates.borrow_mut().push(s))
    };
    let handle =
        yew::Renderer::<DrawPad>::with_root_and_props(host.clone(), DrawPadProps { onchange })
            .render();
    settle().await;

    let pad = host
        .query_selector("[data-testid=draw-pad]")
        .unwrap()
        .expect("pad canvas");
    let rect = pad.get_bounding_client_rect();
    assert!(
        (rect.width() - PAD_SIZE as f64).abs() < 1.0,
        "pad is 280 CSS px wide"
    );
    let style = pad.get_attribute("style").unwrap_or_default();
    assert!(style.contains("touch-action: none"), "{style}");
    let at = |x: f64, y: f64| (rect.left() + x, rect.top() + y);

    // First stroke: a horizontal line.
    let (x, y) = at(40.0, 100.0);
    pointer(&pad, "pointerdown", 7, x, y);
    for i in 1..=10 {
        let (x, y) = at(40.0 + 20.0 * i as f64, 100.0);
        pointer(&pad, "pointermove", 7, x, y);
    }
    let (x, y) = at(240.0, 100.0);
    pointer(&pad, "pointerup", 7, x, y);
    settle().await;
    let last = updates
        .borrow()
        .last()
        .cloned()
        .expect("an update after pen-up");
    assert_eq!(last.len(), 1, "one stroke");
    let stroke = &last[0];
    assert!(stroke.len() >= 10, "points along the line: {stroke:?}");
    assert!(
        (stroke[0].0 - 40.0).abs() <= 1.0 && (stroke[0].1 - 100.0).abs() <= 1.0,
        "{:?}",
        stroke[0]
    );
    let end = stroke[stroke.len() - 1];
    assert!(
        (end.0 - 240.0).abs() <= 1.0 && (end.1 - 100.0).abs() <= 1.0,
        "{end:?}"
    );

    // Second stroke: kept alongside the first (never cleared between strokes).
    let (x, y) = at(140.0, 30.0);
    pointer(&pad, "pointerdown", 8, x, y);
    let (x, y) = at(140.0, 250.0);
    pointer(&pad, "pointermove", 8, x, y);
    // A second pointer while the first draws is ignored, not joined in.
    let (x, y) = at(10.0, 10.0);
    pointer(&pad, "pointermove", 9, x, y);
    pointer(&pad, "pointerup", 8, x, y);
    settle().await;
    let last = updates.borrow().last().cloned().unwrap();
    assert_eq!(last.len(), 2, "two strokes");
    assert!(
        last[1].iter().all(|p| (p.0 - 140.0).abs() <= 1.0),
        "{:?}",
        last[1]
    );

    // Clear empties the drawing.
    let clear: HtmlElement = host
        .query_selector("[data-testid=clear]")
        .unwrap()
        .expect("clear button")
        .dyn_into()
        .unwrap();
    clear.click();
    settle().await;
    assert!(updates.borrow().last().unwrap().is_empty());

    handle.destroy();
    host.remove();
}

/// A stroke that starts outside the pad (button already down) draws from where it comes in.
#[wasm_bindgen_test]
async fn a_stroke_that_starts_outside_the_pad_draws_from_its_edge() {
    let document = gloo::utils::document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let updates: Rc<RefCell<Vec<Rc<Vec<Stroke>>>>> = Rc::default();
    let onchange = {
        let updates = updates.clone();
        Callback::from(move |s: Rc<Vec<Stroke>>| updates.borrow_mut().push(s))
    };
    let handle =
        yew::Renderer::<DrawPad>::with_root_and_props(host.clone(), DrawPadProps { onchange })
            .render();
    settle().await;
    let pad = host
        .query_selector("[data-testid=draw-pad]")
        .unwrap()
        .expect("pad canvas");
    let rect = pad.get_bounding_client_rect();
    let moved = |id: i32, x: f64, y: f64, buttons: u16| {
        let init = PointerEventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        init.set_pointer_id(id);
        init.set_is_primary(true);
        init.set_pointer_type("mouse");
        init.set_button(-1);
        init.set_buttons(buttons);
        init.set_client_x((rect.left() + x).round() as i32);
        init.set_client_y((rect.top() + y).round() as i32);
        let event = PointerEvent::new_with_event_init_dict("pointermove", &init).unwrap();
        pad.dispatch_event(&event).unwrap();
    };
    // Hovering with no button pressed draws nothing.
    moved(1, 50.0, 50.0, 0);
    moved(1, 80.0, 50.0, 0);
    settle().await;
    assert!(
        updates.borrow().last().is_none_or(|s| s.is_empty()),
        "hovering drew {:?}",
        updates.borrow().last()
    );
    // The button went down outside; the pointer enters at the left edge and moves right.
    for i in 0..=10 {
        moved(1, 20.0 * i as f64, 140.0, 1);
    }
    pointer(
        &pad,
        "pointerup",
        1,
        rect.left() + 200.0,
        rect.top() + 140.0,
    );
    settle().await;
    let last = updates.borrow().last().cloned().expect("an update");
    assert_eq!(last.len(), 1, "one stroke: {last:?}");
    let stroke = &last[0];
    assert!(stroke.len() >= 10, "{stroke:?}");
    assert!(
        stroke[0].0 <= 1.0 && (stroke[0].1 - 140.0).abs() <= 1.0,
        "the stroke starts where the pen came in: {:?}",
        stroke[0]
    );
    let end = stroke[stroke.len() - 1];
    assert!((end.0 - 200.0).abs() <= 1.0, "{end:?}");
    handle.destroy();
    host.remove();
}

#[wasm_bindgen_test]
fn recorder_clamps_skips_jitter_and_tracks_one_pointer() {
    let mut r = StrokeRecorder::default();
    assert!(r.is_empty());
    assert!(r.down(1, (-5.0, 300.0)));
    assert_eq!(r.strokes()[0][0], (0.0, PAD_SIZE), "clamped onto the pad");
    assert!(!r.down(2, (10.0, 10.0)), "second pointer ignored");
    assert_eq!(
        r.moved(1, (0.1, PAD_SIZE)),
        None,
        "sub-pixel jitter adds nothing"
    );
    assert_eq!(
        r.moved(1, (20.0, 200.0)),
        Some(((0.0, PAD_SIZE), (20.0, 200.0)))
    );
    assert_eq!(r.moved(2, (30.0, 30.0)), None);
    assert!(!r.up(2));
    assert!(r.up(1));
    assert!(!r.is_drawing());
    assert!(r.down(2, (5.0, 5.0)), "a new stroke after pen-up");
    assert_eq!(r.strokes().len(), 2);
    r.clear();
    assert!(r.is_empty() && !r.is_drawing());
}
