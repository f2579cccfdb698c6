//! Entry point of the web app (Trunk builds it with `data-type="main"`).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // `?bench` turns the page into a subject for ../shared/bench instead of the UI.
    if convscope::bench::requested() {
        convscope::bench::run_page();
    } else {
        convscope::ui::start();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the web app runs only in a browser (wasm32); build it with `trunk build`");
}
