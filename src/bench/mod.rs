//! Bench mode: the page honours the "subject contract" of the CNN browser benchmark harness
//! (`shared/bench`, README "Subject contract"), so the harness can measure convscope's engine
//! next to ConvNetJS and TensorFlow.js in the same run.
//!
//! `index.html?bench&net=ref-A&mode=main|worker&phases=...` does not mount the UI: the app's
//! `main` calls [`run_page`], which runs the phases on the main thread or in the dedicated
//! `bench_worker` and sets `window.__BENCH_RESULT__` (schema `cnn-bench-result/1`) and
//! `window.__BENCH_PROGRESS__`.
//!
//! * [`config`]: the query parameters (same keys and defaults as `bench-core.js`).
//! * [`stats`]: median, quantile, spread, `r4`, as `bench-core.js` computes them.
//! * [`driver`]: the measurement method, generic over the engine and the clock.
//! * [`engine`]: convscope's `nn` behind the driver's `Engine` trait.
//! * [`result`]: the result object.
//! * [`calibrate`]: the f32x4 peak and the conv forward rate, measured after the phases.
//! * `web` (wasm32): the page, the worker, data loading, `performance.now()`.
//!
//! See `docs/bench.md` for the command and the results.

pub mod calibrate;
pub mod config;
pub mod driver;
pub mod engine;
pub mod result;
pub mod stats;

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use web::{requested, run_page, worker_main};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
