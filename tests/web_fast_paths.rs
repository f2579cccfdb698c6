//! The wasm SIMD128 fast paths against their definitions in f64, in the browser: the same
//! checks, seeds and tolerance as the native `tests/fast_paths.rs`, so the two builds agree
//! with each other to within 1e-5 of the magnitude of what they sum.
#![cfg(target_arch = "wasm32")]

#[path = "common/fast_paths.rs"]
mod fast_paths;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn this_build_uses_the_simd128_kernels() {
    assert_eq!(convscope::nn::kernels::backend(), "wasm-simd128");
}

#[wasm_bindgen_test]
fn gemm_kernels_match_the_definition() {
    fast_paths::gemm_kernels(8, 400);
}

#[wasm_bindgen_test]
fn batched_convolution_matches_the_definition() {
    let checked = fast_paths::conv_layers(42, 400);
    assert!(checked > 200, "only {checked} valid configurations drawn");
}

#[wasm_bindgen_test]
fn batched_dense_matches_the_definition() {
    fast_paths::dense_layers(7, 200);
}

#[wasm_bindgen_test]
fn pooling_matches_the_definition() {
    let checked = fast_paths::pool_layers(5, 300);
    assert!(checked > 150, "only {checked} valid configurations drawn");
}

#[wasm_bindgen_test]
fn dilated_convolution_matches_the_definition() {
    let checked = fast_paths::dilated_conv_layers(43, 400);
    assert!(checked > 200, "only {checked} valid configurations drawn");
}

#[wasm_bindgen_test]
fn depthwise_convolution_matches_the_definition() {
    let checked = fast_paths::depthwise_layers(44, 300);
    assert!(checked > 150, "only {checked} valid configurations drawn");
}
