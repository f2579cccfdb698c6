//! Dense linear-algebra kernels the layers are built on.
//!
//! Every matrix product of the engine goes through [`gemm`], so a faster kernel (e.g. wasm
//! SIMD) can be swapped in here without touching the layers.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// `c ← alpha · a · b + beta · c`, shapes `a: [m, k]`, `b: [k, n]`, `c: [m, n]`; any strides
/// (pass `x.t()` for a transposed operand).
#[inline]
pub fn gemm(
    alpha: f32,
    a: &ArrayView2<'_, f32>,
    b: &ArrayView2<'_, f32>,
    beta: f32,
    c: &mut ArrayViewMut2<'_, f32>,
) {
    general_mat_mul(alpha, a, b, beta, c);
}

/// A row-major `[rows, cols]` view of a slice (the layers keep their tensors as flat buffers).
#[inline]
pub fn mat(s: &[f32], rows: usize, cols: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((rows, cols), &s[..rows * cols]).expect("slice holds rows*cols values")
}

/// Mutable counterpart of [`mat`].
#[inline]
pub fn mat_mut(s: &mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'_, f32> {
    ArrayViewMut2::from_shape((rows, cols), &mut s[..rows * cols])
        .expect("slice holds rows*cols values")
}
