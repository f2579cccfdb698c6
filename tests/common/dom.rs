//! DOM helpers for the browser component tests (`tests/web_*.rs`): a fresh host element to
//! mount a component in, a pause for Yew to render, and lookup by `data-testid`.

use std::time::Duration;

use web_sys::Element;
use yew::platform::time::sleep;

/// Gives Yew time to render and run effects.
pub async fn settle() {
    sleep(Duration::from_millis(60)).await;
}

/// A new `<div>` appended to the page's body.
pub fn host() -> Element {
    let document = gloo::utils::document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host
}

/// The element `[data-testid=testid]` inside `host`; panics when there is none.
pub fn find(host: &Element, testid: &str) -> Element {
    host.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no data-testid={testid}"))
}
