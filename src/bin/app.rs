//! Entry point of the web app (Trunk builds it with `data-type="main"`).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    convscope::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the web app runs only in a browser (wasm32); build it with `trunk build`");
}
