//! Matrix-product kernels the layers are built on.
//!
//! Every matrix product of the engine goes through [`gemm_nn`] or [`gemm_nt`]: they check the
//! operands once, then hand them to the fastest kernel the build has:
//! - wasm32 built with `+simd128` (as `.cargo/config.toml` does): [`simd128`], explicit f32x4
//!   blocks with eight independent accumulators;
//! - everywhere else: [`portable`], fixed-size arrays the compiler vectorises (with an
//!   AVX2+FMA copy picked at run time on x86-64).
//!
//! [`reference`] is the plain definition, accumulated in f64, that tests hold both against.
//!
//! Why not `ndarray`'s `dot`: our products have few rows (8–16 filters) and long rows, and
//! its backend (`matrixmultiply`) repacks both operands on every call; profiling showed it
//! spending ~70% of a training step packing. These kernels read the operands in place.

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod portable;
pub mod reference;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

/// Which kernel family [`gemm_nn`] and [`gemm_nt`] use in this build (for the bench report).
pub fn backend() -> &'static str {
    if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
        "wasm-simd128"
    } else if cfg!(target_arch = "wasm32") {
        "wasm-scalar"
    } else {
        "native"
    }
}

/// `C ← A·B` (or `C += A·B` if `accumulate`), `C: [m, n]` row-major, `B: [k, n]` row-major,
/// and `A: [m, k]` with element (i, p) at `a[i·rs_a + p·cs_a]` (so `Aᵀ` of a row-major
/// matrix is `rs_a = 1, cs_a = m`). A is only read one scalar at a time, its layout is free.
///
/// # Panics
/// If an operand is shorter than its shape needs (a bug in the calling layer, not input).
#[allow(clippy::too_many_arguments)]
pub fn gemm_nn(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    rs_a: usize,
    cs_a: usize,
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(b.len() >= k * n && c.len() >= m * n, "B or C too short");
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    // The largest index of A must be in bounds; checking once lets the kernels skip it.
    assert!((m - 1) * rs_a + (k - 1) * cs_a < a.len(), "A too short");
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd128::gemm_nn(m, n, k, a, rs_a, cs_a, b, c, accumulate);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    portable::gemm_nn(m, n, k, a, rs_a, cs_a, b, c, accumulate);
}

/// `C ← A·Bᵀ` (or `C += A·Bᵀ` if `accumulate`): `A: [m, k]`, `B: [n, k]`, `C: [m, n]`, all
/// row-major. Every element of C is a dot product of two contiguous rows.
///
/// # Panics
/// If an operand is shorter than its shape needs (a bug in the calling layer, not input).
pub fn gemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    assert!(
        a.len() >= m * k && b.len() >= n * k && c.len() >= m * n,
        "operand too short"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd128::gemm_nt(m, n, k, a, b, c, accumulate);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    portable::gemm_nt(m, n, k, a, b, c, accumulate);
}
