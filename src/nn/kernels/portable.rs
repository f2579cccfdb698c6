//! Portable kernels: register blocks of 4 rows × 16 columns of C held in fixed-size arrays
//! that the compiler vectorises (SSE natively). On x86-64 a copy compiled for AVX2+FMA is
//! picked at run time when the CPU has it. The caller ([`super`]) has checked the bounds.

/// Rows of C per register block.
const MR: usize = 4;
/// Columns of C per register block in [`gemm_nn`].
const NR: usize = 16;
/// Lanes per accumulator in [`gemm_nt`]'s dot products.
const LANES: usize = 8;

/// Fused or plain multiply-add: the AVX2 copy of a kernel uses FMA instructions, the
/// portable copy must not (without hardware FMA, `mul_add` is a slow library call).
#[inline(always)]
fn madd<const FMA: bool>(acc: f32, a: f32, b: f32) -> f32 {
    if FMA {
        a.mul_add(b, acc)
    } else {
        acc + a * b
    }
}

/// `C ← A·B` (or `C += A·B` if `accumulate`), `C: [m, n]` row-major, `B: [k, n]` row-major,
/// and `A: [m, k]` with element (i, p) at `a[i·rs_a + p·cs_a]` (so `Aᵀ` of a row-major
/// matrix is `rs_a = 1, cs_a = m`). A is only read one scalar at a time, its layout is free.
#[allow(clippy::too_many_arguments)]
pub(super) fn gemm_nn(
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
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports the features the function is compiled for.
            unsafe { gemm_nn_avx2(m, n, k, a, rs_a, cs_a, b, c, accumulate) };
            return;
        }
    }
    gemm_nn_impl::<false>(m, n, k, a, rs_a, cs_a, b, c, accumulate);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_nn_avx2(
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
    gemm_nn_impl::<true>(m, n, k, a, rs_a, cs_a, b, c, accumulate);
}

/// `acc += x · b`, lane by lane (fixed length, so it compiles to vector multiply-adds).
#[inline(always)]
fn axpy<const FMA: bool, const L: usize>(acc: &mut [f32; L], x: f32, b: &[f32; L]) {
    for l in 0..L {
        acc[l] = madd::<FMA>(acc[l], x, b[l]);
    }
}

/// `acc += a ⊙ b`, lane by lane.
#[inline(always)]
fn fma_lanes<const FMA: bool, const L: usize>(acc: &mut [f32; L], a: &[f32; L], b: &[f32; L]) {
    for l in 0..L {
        acc[l] = madd::<FMA>(acc[l], a[l], b[l]);
    }
}

#[inline(always)]
fn lanes<const L: usize>(s: &[f32]) -> &[f32; L] {
    s.try_into().expect("slice of L values")
}

// The loops below walk the operands with iterators (no index arithmetic in the inner
// loops) and keep each accumulator in a named local, so it stays in registers.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gemm_nn_impl<const FMA: bool>(
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
    let b = &b[..k * n];
    // Column panels outermost: one panel of B (k × 16) stays in L1 while every row block
    // of C passes over it.
    let mut j = 0;
    while j + NR <= n {
        let mut i = 0;
        while i + MR <= m {
            let (mut c0, mut c1, mut c2, mut c3) =
                ([0.0f32; NR], [0.0f32; NR], [0.0f32; NR], [0.0f32; NR]);
            let col = |r: usize| a[(i + r) * rs_a..].iter().step_by(cs_a);
            for ((((brow, x0), x1), x2), x3) in b
                .chunks_exact(n)
                .zip(col(0))
                .zip(col(1))
                .zip(col(2))
                .zip(col(3))
            {
                let bp = lanes::<NR>(&brow[j..j + NR]);
                axpy::<FMA, NR>(&mut c0, *x0, bp);
                axpy::<FMA, NR>(&mut c1, *x1, bp);
                axpy::<FMA, NR>(&mut c2, *x2, bp);
                axpy::<FMA, NR>(&mut c3, *x3, bp);
            }
            for (r, acc) in [c0, c1, c2, c3].iter().enumerate() {
                store(
                    &mut c[(i + r) * n + j..(i + r) * n + j + NR],
                    acc,
                    accumulate,
                );
            }
            i += MR;
        }
        while i < m {
            let mut c0 = [0.0f32; NR];
            for (brow, x0) in b.chunks_exact(n).zip(a[i * rs_a..].iter().step_by(cs_a)) {
                axpy::<FMA, NR>(&mut c0, *x0, lanes::<NR>(&brow[j..j + NR]));
            }
            store(&mut c[i * n + j..i * n + j + NR], &c0, accumulate);
            i += 1;
        }
        j += NR;
    }
    if j < n {
        // Leftover columns (fewer than 16): one row at a time.
        let w = n - j;
        for i in 0..m {
            let mut acc = [0.0f32; NR];
            for (brow, x) in b.chunks_exact(n).zip(a[i * rs_a..].iter().step_by(cs_a)) {
                for (s, bv) in acc[..w].iter_mut().zip(&brow[j..]) {
                    *s = madd::<FMA>(*s, *x, *bv);
                }
            }
            store(&mut c[i * n + j..i * n + n], &acc[..w], accumulate);
        }
    }
}

#[inline(always)]
fn store(dst: &mut [f32], acc: &[f32], accumulate: bool) {
    if accumulate {
        for (d, v) in dst.iter_mut().zip(acc) {
            *d += *v;
        }
    } else {
        dst.copy_from_slice(acc);
    }
}

/// `C ← A·Bᵀ` (or `C += A·Bᵀ` if `accumulate`): `A: [m, k]`, `B: [n, k]`, `C: [m, n]`, all
/// row-major. Every element of C is a dot product of two contiguous rows.
#[allow(clippy::too_many_arguments)]
pub(super) fn gemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports the features the function is compiled for.
            unsafe { gemm_nt_avx2(m, n, k, a, b, c, accumulate) };
            return;
        }
    }
    gemm_nt_impl::<false>(m, n, k, a, b, c, accumulate);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gemm_nt_avx2(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    gemm_nt_impl::<true>(m, n, k, a, b, c, accumulate);
}

#[inline(always)]
fn gemm_nt_impl<const FMA: bool>(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let hsum = |v: &[f32; LANES]| v.iter().sum::<f32>();
    // The last k % LANES products of a dot product, added one by one.
    let tail = |x: &[f32], y: &[f32]| {
        let (x, y) = (
            x.chunks_exact(LANES).remainder(),
            y.chunks_exact(LANES).remainder(),
        );
        x.iter()
            .zip(y)
            .fold(0.0f32, |s, (p, q)| madd::<FMA>(s, *p, *q))
    };
    let put = |d: &mut f32, s: f32| *d = if accumulate { *d + s } else { s };
    let mut i = 0;
    // Blocks of 4 rows of A against one row of B: 5 loads per 4 vector multiply-adds.
    while i + MR <= m {
        let row = |r: usize| &a[(i + r) * k..(i + r + 1) * k];
        let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
        for (jn, brow) in b[..n * k].chunks_exact(k).enumerate() {
            let (mut s0, mut s1, mut s2, mut s3) = (
                [0.0f32; LANES],
                [0.0f32; LANES],
                [0.0f32; LANES],
                [0.0f32; LANES],
            );
            for ((((bv, v0), v1), v2), v3) in brow
                .chunks_exact(LANES)
                .zip(r0.chunks_exact(LANES))
                .zip(r1.chunks_exact(LANES))
                .zip(r2.chunks_exact(LANES))
                .zip(r3.chunks_exact(LANES))
            {
                let bv = lanes::<LANES>(bv);
                fma_lanes::<FMA, LANES>(&mut s0, lanes(v0), bv);
                fma_lanes::<FMA, LANES>(&mut s1, lanes(v1), bv);
                fma_lanes::<FMA, LANES>(&mut s2, lanes(v2), bv);
                fma_lanes::<FMA, LANES>(&mut s3, lanes(v3), bv);
            }
            put(&mut c[i * n + jn], hsum(&s0) + tail(r0, brow));
            put(&mut c[(i + 1) * n + jn], hsum(&s1) + tail(r1, brow));
            put(&mut c[(i + 2) * n + jn], hsum(&s2) + tail(r2, brow));
            put(&mut c[(i + 3) * n + jn], hsum(&s3) + tail(r3, brow));
        }
        i += MR;
    }
    while i < m {
        let r0 = &a[i * k..(i + 1) * k];
        for (jn, brow) in b[..n * k].chunks_exact(k).enumerate() {
            let mut s0 = [0.0f32; LANES];
            for (bv, v0) in brow.chunks_exact(LANES).zip(r0.chunks_exact(LANES)) {
                fma_lanes::<FMA, LANES>(&mut s0, lanes(v0), lanes(bv));
            }
            put(&mut c[i * n + jn], hsum(&s0) + tail(r0, brow));
        }
        i += 1;
    }
}
