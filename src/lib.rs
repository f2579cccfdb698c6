//! Convscope: a small CNN you can watch learn.
//!
//! The core (`nn`, `data`, `train`) is pure Rust and is tested natively. The
//! web app (`ui`) and the training worker (`worker`) exist only on wasm32.

pub mod bench;
pub mod data;
pub mod nn;
pub mod protocol;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
