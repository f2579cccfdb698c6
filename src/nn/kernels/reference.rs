//! The plain definitions of the two matrix products, accumulated in f64: what the fast kernels
//! are tested against (natively and in the browser). Slow; never used for training.

/// [`super::gemm_nn`] by the definition.
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
    for i in 0..m {
        for j in 0..n {
            let dot: f64 = (0..k)
                .map(|p| a[i * rs_a + p * cs_a] as f64 * b[p * n + j] as f64)
                .sum();
            let base = if accumulate { c[i * n + j] as f64 } else { 0.0 };
            c[i * n + j] = (base + dot) as f32;
        }
    }
}

/// [`super::gemm_nt`] by the definition.
pub fn gemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let dot: f64 = (0..k)
                .map(|p| a[i * k + p] as f64 * b[j * k + p] as f64)
                .sum();
            let base = if accumulate { c[i * n + j] as f64 } else { 0.0 };
            c[i * n + j] = (base + dot) as f32;
        }
    }
}
