//! Asset URLs resolved against `document.baseURI`, so the app also works when it is
//! deployed under a sub-path (`trunk build --public-url /convscope/`).

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
