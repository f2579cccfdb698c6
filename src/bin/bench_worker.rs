//! The bench mode's dedicated Web Worker (Trunk: `data-type="worker"`, no Yew). The page
//! spawns it for `?bench&mode=worker`; see `convscope::bench`.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    convscope::bench::worker_main();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "bench_worker runs only in a browser (wasm32) as a Web Worker; build it with `trunk build`"
    );
}
