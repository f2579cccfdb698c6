//! wasm SIMD128 kernels: explicit f32x4 vectors.
//!
//! Blocks of C are held in eight f32x4 accumulators: enough independent adds in flight to
//! hide their latency, few enough that V8 keeps them, the loaded operands and the splats in
//! x86's 16 vector registers without spilling. wasm SIMD has no fused multiply-add (only the
//! relaxed-SIMD proposal does, and it gained nothing here), so a multiply-add is a mul and an
//! add.
//!
//! The caller ([`super`]) has checked every operand's length; the raw pointers below never
//! leave those bounds.

use core::arch::wasm32::*;

#[inline(always)]
unsafe fn load(p: *const f32) -> v128 {
    v128_load(p.cast())
}

/// Stores a result vector, adding it to what is there if `accumulate`.
#[inline(always)]
unsafe fn put(p: *mut f32, v: v128, accumulate: bool) {
    let v = if accumulate { f32x4_add(load(p), v) } else { v };
    v128_store(p.cast(), v);
}

#[inline(always)]
fn madd(acc: v128, a: v128, b: v128) -> v128 {
    f32x4_add(acc, f32x4_mul(a, b))
}

#[inline(always)]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

/// See [`super::gemm_nn`]. Column panels of 8 outermost, so one panel of B (k × 8) stays in
/// L1 while every block of 4 rows passes over it.
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
    let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    // SAFETY: the caller checked (m−1)·rs_a + (k−1)·cs_a < a.len(), k·n ≤ b.len() and
    // m·n ≤ c.len(); every block below reads rows < m, columns < n and depths < k.
    unsafe {
        let mut j = 0;
        while j + 8 <= n {
            let mut i = 0;
            while i + 4 <= m {
                nn_4x8(
                    k,
                    a.add(i * rs_a),
                    rs_a,
                    cs_a,
                    b.add(j),
                    n,
                    c.add(i * n + j),
                    n,
                    accumulate,
                );
                i += 4;
            }
            while i < m {
                nn_1x8(
                    k,
                    a.add(i * rs_a),
                    cs_a,
                    b.add(j),
                    n,
                    c.add(i * n + j),
                    accumulate,
                );
                i += 1;
            }
            j += 8;
        }
        if j + 4 <= n {
            for i in 0..m {
                nn_1x4(
                    k,
                    a.add(i * rs_a),
                    cs_a,
                    b.add(j),
                    n,
                    c.add(i * n + j),
                    accumulate,
                );
            }
            j += 4;
        }
        // Fewer than 4 columns left: scalar dot products.
        for i in 0..m {
            for jj in j..n {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += *a.add(i * rs_a + p * cs_a) * *b.add(p * n + jj);
                }
                let d = c.add(i * n + jj);
                *d = if accumulate { *d + s } else { s };
            }
        }
    }
}

/// A 4 × 8 block of C: per depth step, two vectors of B, four splats of A, eight multiply-adds.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn nn_4x8(
    k: usize,
    a: *const f32,
    rs_a: usize,
    cs_a: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    let z = f32x4_splat(0.0);
    let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
    let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
    for p in 0..k {
        let bp = b.add(p * ldb);
        let (b0, b1) = (load(bp), load(bp.add(4)));
        let ap = a.add(p * cs_a);
        let x = f32x4_splat(*ap);
        c00 = madd(c00, x, b0);
        c01 = madd(c01, x, b1);
        let x = f32x4_splat(*ap.add(rs_a));
        c10 = madd(c10, x, b0);
        c11 = madd(c11, x, b1);
        let x = f32x4_splat(*ap.add(2 * rs_a));
        c20 = madd(c20, x, b0);
        c21 = madd(c21, x, b1);
        let x = f32x4_splat(*ap.add(3 * rs_a));
        c30 = madd(c30, x, b0);
        c31 = madd(c31, x, b1);
    }
    for (r, (v0, v1)) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31)]
        .into_iter()
        .enumerate()
    {
        let row = c.add(r * ldc);
        put(row, v0, accumulate);
        put(row.add(4), v1, accumulate);
    }
}

/// One row × 8 columns, the depth split over two accumulator pairs so the adds overlap.
#[inline(always)]
unsafe fn nn_1x8(
    k: usize,
    a: *const f32,
    cs_a: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    accumulate: bool,
) {
    let z = f32x4_splat(0.0);
    let (mut s0, mut s1, mut t0, mut t1) = (z, z, z, z);
    let mut p = 0;
    while p + 2 <= k {
        let (bp, bq) = (b.add(p * ldb), b.add((p + 1) * ldb));
        let x = f32x4_splat(*a.add(p * cs_a));
        let y = f32x4_splat(*a.add((p + 1) * cs_a));
        s0 = madd(s0, x, load(bp));
        s1 = madd(s1, x, load(bp.add(4)));
        t0 = madd(t0, y, load(bq));
        t1 = madd(t1, y, load(bq.add(4)));
        p += 2;
    }
    if p < k {
        let bp = b.add(p * ldb);
        let x = f32x4_splat(*a.add(p * cs_a));
        s0 = madd(s0, x, load(bp));
        s1 = madd(s1, x, load(bp.add(4)));
    }
    put(c, f32x4_add(s0, t0), accumulate);
    put(c.add(4), f32x4_add(s1, t1), accumulate);
}

/// One row × 4 columns (the 4..7 leftover columns of a panel).
#[inline(always)]
unsafe fn nn_1x4(
    k: usize,
    a: *const f32,
    cs_a: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    accumulate: bool,
) {
    let z = f32x4_splat(0.0);
    let (mut s, mut t) = (z, z);
    let mut p = 0;
    while p + 2 <= k {
        s = madd(s, f32x4_splat(*a.add(p * cs_a)), load(b.add(p * ldb)));
        t = madd(
            t,
            f32x4_splat(*a.add((p + 1) * cs_a)),
            load(b.add((p + 1) * ldb)),
        );
        p += 2;
    }
    if p < k {
        s = madd(s, f32x4_splat(*a.add(p * cs_a)), load(b.add(p * ldb)));
    }
    put(c, f32x4_add(s, t), accumulate);
}

/// See [`super::gemm_nt`]. Blocks of 4 rows of A against 2 rows of B: eight dot products
/// at once, six loads per eight multiply-adds.
pub(super) fn gemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    let k4 = k - k % 4;
    // SAFETY: the caller checked m·k ≤ a.len(), n·k ≤ b.len(), m·n ≤ c.len(); rows < m of A,
    // rows < n of B and depths < k are all that is read.
    unsafe {
        let set = |d: *mut f32, s: f32| *d = if accumulate { *d + s } else { s };
        // Scalar tail of one dot product (depths k4..k).
        let tail = |x: *const f32, y: *const f32| {
            let mut s = 0.0f32;
            for p in k4..k {
                s += *x.add(p) * *y.add(p);
            }
            s
        };
        let mut i = 0;
        while i + 4 <= m {
            let ar = [
                a.add(i * k),
                a.add((i + 1) * k),
                a.add((i + 2) * k),
                a.add((i + 3) * k),
            ];
            let mut j = 0;
            while j + 2 <= n {
                let (b0, b1) = (b.add(j * k), b.add((j + 1) * k));
                let z = f32x4_splat(0.0);
                let (mut s00, mut s01, mut s10, mut s11) = (z, z, z, z);
                let (mut s20, mut s21, mut s30, mut s31) = (z, z, z, z);
                let mut p = 0;
                while p < k4 {
                    let (y0, y1) = (load(b0.add(p)), load(b1.add(p)));
                    let x = load(ar[0].add(p));
                    s00 = madd(s00, x, y0);
                    s01 = madd(s01, x, y1);
                    let x = load(ar[1].add(p));
                    s10 = madd(s10, x, y0);
                    s11 = madd(s11, x, y1);
                    let x = load(ar[2].add(p));
                    s20 = madd(s20, x, y0);
                    s21 = madd(s21, x, y1);
                    let x = load(ar[3].add(p));
                    s30 = madd(s30, x, y0);
                    s31 = madd(s31, x, y1);
                    p += 4;
                }
                let sums = [(s00, s01), (s10, s11), (s20, s21), (s30, s31)];
                for (r, (v0, v1)) in sums.into_iter().enumerate() {
                    let row = c.add((i + r) * n + j);
                    set(row, hsum(v0) + tail(ar[r], b0));
                    set(row.add(1), hsum(v1) + tail(ar[r], b1));
                }
                j += 2;
            }
            if j < n {
                let b0 = b.add(j * k);
                let z = f32x4_splat(0.0);
                let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
                let mut p = 0;
                while p < k4 {
                    let y = load(b0.add(p));
                    s0 = madd(s0, load(ar[0].add(p)), y);
                    s1 = madd(s1, load(ar[1].add(p)), y);
                    s2 = madd(s2, load(ar[2].add(p)), y);
                    s3 = madd(s3, load(ar[3].add(p)), y);
                    p += 4;
                }
                for (r, v) in [s0, s1, s2, s3].into_iter().enumerate() {
                    set(c.add((i + r) * n + j), hsum(v) + tail(ar[r], b0));
                }
            }
            i += 4;
        }
        while i < m {
            let x = a.add(i * k);
            for j in 0..n {
                let y = b.add(j * k);
                let z = f32x4_splat(0.0);
                let (mut s, mut t) = (z, z);
                let mut p = 0;
                while p + 8 <= k4 {
                    s = madd(s, load(x.add(p)), load(y.add(p)));
                    t = madd(t, load(x.add(p + 4)), load(y.add(p + 4)));
                    p += 8;
                }
                if p < k4 {
                    s = madd(s, load(x.add(p)), load(y.add(p)));
                }
                set(c.add(i * n + j), hsum(f32x4_add(s, t)) + tail(x, y));
            }
            i += 1;
        }
    }
}
