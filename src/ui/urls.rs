//! Asset URLs resolved against `document.baseURI`, so the app also works when it is
//! deployed under a sub-path (`trunk build --public-url /convscope/`).

use wasm_bindgen::JsCast;

/// The shipped model, relative to the page's base.
pub const MODEL_PATH: &str = "model/default.cnn";
/// The MNIST subset (train 0..8000, test 8000..10000).
pub const DATA_PATH: &str = "data/mnist-10k.bin";
/// The worker's JS shim as Trunk emits it for `data-type="worker"`.
pub const WORKER_PATH: &str = "worker.js";

/// `relative` resolved against the document's base URI, as an absolute URL.
pub fn asset_url(relative: &str) -> Result<String, String> {
    let document = gloo::utils::document();
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .ok_or("the page has no base URI")?;
    web_sys::Url::new_with_base(relative, &base)
        .map(|u| u.href())
        .map_err(|_| format!("cannot resolve {relative} against {base}"))
}

/// The page address's query as `(key, value)` pairs, decoded as `URLSearchParams` does, in
/// order (empty if there is none).
pub fn address_pairs() -> Vec<(String, String)> {
    let search = gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default();
    query_pairs(&search)
}

/// `query` (with or without the `?`) as `(key, value)` pairs, decoded by `URLSearchParams`.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(query) else {
        return Vec::new();
    };
    let Ok(Some(entries)) = js_sys::try_iter(&params) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let entry: js_sys::Array = entry.dyn_into().ok()?;
            Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
        })
        .collect()
}

/// Replaces the address's query with `pairs` (encoded by [`encode_query`]), keeping the path
/// and the hash, with `history.replaceState`: no reload, no new history entry. Does nothing
/// when the query would not change.
///
/// [`encode_query`]: super::url_state::encode_query
pub fn set_address_pairs(pairs: &[(String, String)]) {
    let window = gloo::utils::window();
    let location = window.location();
    let query = super::url_state::encode_query(pairs);
    let query = if query.is_empty() {
        query
    } else {
        format!("?{query}")
    };
    if location.search().unwrap_or_default() == query {
        return;
    }
    let url = format!(
        "{}{query}{}",
        location.pathname().unwrap_or_default(),
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
