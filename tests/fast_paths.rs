// Native only: tests/web_fast_paths.rs runs the same checks on the wasm SIMD128 build.
#![cfg(not(target_arch = "wasm32"))]
//! The native fast paths (portable / AVX2 GEMM kernels, im2col convolution, batched dense)
//! against their definitions in f64: random shapes, strides, paddings and batch sizes,
//! including sizes that are not multiples of 4.

#[path = "common/fast_paths.rs"]
mod fast_paths;

#[test]
fn gemm_kernels_match_the_definition() {
    fast_paths::gemm_kernels(8, 400);
}

#[test]
fn batched_convolution_matches_the_definition() {
    let checked = fast_paths::conv_layers(42, 400);
    assert!(checked > 200, "only {checked} valid configurations drawn");
}

#[test]
fn batched_dense_matches_the_definition() {
    fast_paths::dense_layers(7, 200);
}

#[test]
fn pooling_matches_the_definition() {
    let checked = fast_paths::pool_layers(5, 300);
    assert!(checked > 150, "only {checked} valid configurations drawn");
}

#[test]
fn dilated_convolution_matches_the_definition() {
    let checked = fast_paths::dilated_conv_layers(43, 400);
    assert!(checked > 200, "only {checked} valid configurations drawn");
}

#[test]
fn depthwise_convolution_matches_the_definition() {
    let checked = fast_paths::depthwise_layers(44, 300);
    assert!(checked > 150, "only {checked} valid configurations drawn");
}
