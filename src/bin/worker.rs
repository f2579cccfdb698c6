//! Entry point of the training worker (Trunk builds it with `data-type="worker"`).

#[cfg(target_arch = "wasm32")]
fn main() {
    use yew_agent::Registrable;
    console_error_panic_hook::set_once();
    convscope::worker::TrainingReactor::registrar().register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the training worker runs only in a browser (wasm32)");
}
