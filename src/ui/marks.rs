//! Timing marks for measurement scripts (`scripts/measure-page.sh`, docs/page-metrics.md):
//! `performance.now()` values written to `<body>`'s dataset at moments a script cannot observe
//! from outside. Each is one attribute write, a few per second at most.
//!
//! - `data-ready-ms`: when the page became interactive (set with `data-ready="true"`).
//! - `data-drawing-sent-ms`: when the pad handed a drawing to the app (every pointer move
//!   dispatched before this belongs to that drawing).
//! - `data-drawing-shown-ms`: when the prediction and every panel had been rendered for the
//!   newest drawing (after the canvases were painted, in the same scheduler run).

/// `<body data-{key}="{performance.now()}">`; does nothing without a body or a clock.
pub fn mark_now(key: &str) {
    let window = gloo::utils::window();
    let (Some(body), Some(perf)) = (gloo::utils::document().body(), window.performance()) else {
        return;
    };
    let _ = body.dataset().set(key, &format!("{:.3}", perf.now()));
}
