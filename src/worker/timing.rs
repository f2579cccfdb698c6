//! Clock and cooperative yielding for the worker's units of work.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Milliseconds from `performance.now()` (falls back to `Date.now()`); works on the
/// page and in workers.
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    Reflect::get(&global, &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Lets queued events (the page's control messages) run, then resumes.
///
/// A MessageChannel round trip is a real macrotask without setTimeout's 4 ms clamp
/// for nested timers, which would otherwise eat a quarter of each unit.
pub async fn yield_now() {
    match web_sys::MessageChannel::new() {
        Ok(channel) => {
            let promise = Promise::new(&mut |resolve: Function, _reject| {
                channel.port1().set_onmessage(Some(&resolve));
                let _ = channel.port2().post_message(&JsValue::NULL);
            });
            let _ = JsFuture::from(promise).await;
            channel.port1().set_onmessage(None);
            // `channel` lives until here, so the ports cannot be collected early.
        }
        Err(_) => {
            let promise = Promise::new(&mut |resolve: Function, _reject| {
                let global = js_sys::global();
                if let Ok(set_timeout) = Reflect::get(&global, &JsValue::from_str("setTimeout")) {
                    if let Some(f) = set_timeout.dyn_ref::<Function>() {
                        let _ = f.call2(&global, &resolve, &JsValue::from_f64(0.0));
                        return;
                    }
                }
                let _ = resolve.call0(&JsValue::NULL);
            });
            let _ = JsFuture::from(promise).await;
        }
    }
}
