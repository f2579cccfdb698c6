//! `fetch` that works both on the page and inside a worker (both globals have it).

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// GETs `url` and returns the body; any failure becomes a readable message.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &JsValue::from_str("fetch"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("this browser has no fetch()")?;
    let promise: js_sys::Promise = fetch
        .call1(&global, &JsValue::from_str(url))
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    if !response.ok() {
        return Err(format!(
            "{url}: HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn describe(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}
