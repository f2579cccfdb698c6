//! The engine's fast paths against plain definitions accumulated in f64, shared by the native
//! suite (`tests/fast_paths.rs`: portable / AVX2 kernels) and the browser suite
//! (`tests/web_fast_paths.rs`: the wasm SIMD128 kernels), so both builds are held to the same
//! exact values and therefore to each other.
//!
//! Error measure: |fast − exact| / Σ|terms|, the rounding error relative to the size of the
//! products summed (a plain relative error is meaningless when the terms cancel to ~0).
//! [`TOLERANCE`] is 1e-5.
#![allow(dead_code)] // each suite uses a subset

use convscope::nn::kernels::{gemm_nn, gemm_nt, reference};
use convscope::nn::layers::{Conv2d, Conv2dConfig, DenseConfig, DepthwiseConfig, DepthwiseConv2d};
use convscope::nn::spec::Shape;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const TOLERANCE: f64 = 1e-5;

fn random(n: usize, r: &mut ChaCha8Rng) -> Vec<f32> {
    (0..n).map(|_| r.random_range(-1.0f32..1.0)).collect()
}

/// Asserts `got` within [`TOLERANCE`] of `exact`, where `scale[i]` = Σ|terms| of element i.
fn assert_close(what: &str, got: &[f32], exact: &[f64], scale: &[f64]) {
    assert_eq!(got.len(), exact.len(), "{what}: length");
    for (i, ((g, e), s)) in got.iter().zip(exact).zip(scale).enumerate() {
        let err = (*g as f64 - e).abs() / s.max(1e-30);
        assert!(
            err <= TOLERANCE || (*g as f64 - e).abs() < 1e-30,
            "{what}: element {i} is {g}, exactly {e} (relative error {err:.2e})"
        );
    }
}

/// Both GEMM kernels against the definition on `cases` random shapes: rows, columns and depth
/// not multiples of 4 (nor 8), depth 0, A stored transposed, accumulate on and off.
pub fn gemm_kernels(seed: u64, cases: usize) {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    for case in 0..cases {
        let m = r.random_range(1..=17);
        let n = r.random_range(1..=45);
        let k = if case % 10 == 0 {
            0
        } else {
            r.random_range(1..=70)
        };
        let a = random(m * k, &mut r);
        let b = random(k * n, &mut r);
        let c0 = random(m * n, &mut r);
        let accumulate = r.random_bool(0.5);
        let transposed = r.random_bool(0.5);
        let (rs, cs) = if transposed { (1, m) } else { (k, 1) };
        let what = format!("{m}×{n}×{k} transposed {transposed} accumulate {accumulate}");

        let (mut exact, mut scale) = (vec![0.0f64; m * n], vec![0.0f64; m * n]);
        for i in 0..m {
            for j in 0..n {
                let base = if accumulate {
                    c0[i * n + j] as f64
                } else {
                    0.0
                };
                let terms = (0..k).map(|p| a[i * rs + p * cs] as f64 * b[p * n + j] as f64);
                exact[i * n + j] = base + terms.clone().sum::<f64>();
                scale[i * n + j] = base.abs() + terms.map(f64::abs).sum::<f64>();
            }
        }
        let mut c = c0.clone();
        gemm_nn(m, n, k, &a, rs, cs, &b, &mut c, accumulate);
        assert_close(&format!("gemm_nn {what}"), &c, &exact, &scale);
        let mut c_ref = c0.clone();
        reference::gemm_nn(m, n, k, &a, rs, cs, &b, &mut c_ref, accumulate);
        assert_close(&format!("reference gemm_nn {what}"), &c_ref, &exact, &scale);

        // gemm_nt reads B as [n, k]: the same values, another layout.
        let bt: Vec<f32> = (0..n * k).map(|q| b[(q % k) * n + q / k]).collect();
        let a_rows: Vec<f32> = (0..m * k).map(|q| a[(q / k) * rs + (q % k) * cs]).collect();
        let mut d = c0.clone();
        gemm_nt(m, n, k, &a_rows, &bt, &mut d, accumulate);
        assert_close(&format!("gemm_nt {what}"), &d, &exact, &scale);
        let mut d_ref = c0.clone();
        reference::gemm_nt(m, n, k, &a_rows, &bt, &mut d_ref, accumulate);
        assert_close(&format!("reference gemm_nt {what}"), &d_ref, &exact, &scale);
    }
}

/// One random convolution and the definitions of its forward and backward passes.
struct ConvCase {
    conv: Conv2d,
    n: usize,
    x: Vec<f32>,
    dy: Vec<f32>,
}

impl ConvCase {
    /// A random case; `dilated` draws dilation 1–3 and padding up to the dilated span − 1
    /// (otherwise dilation 1, and the same random sequence as before dilation existed).
    fn draw(r: &mut ChaCha8Rng, dilated: bool) -> Option<ConvCase> {
        let input = Shape {
            c: r.random_range(1..=4),
            h: r.random_range(1..=14),
            w: r.random_range(1..=14),
        };
        let kernel = r.random_range(1..=7);
        let dilation = if dilated { r.random_range(1..=3) } else { 1 };
        let span = dilation * (kernel - 1) + 1;
        let pad = r.random_range(0..span);
        if span > input.h + 2 * pad || span > input.w + 2 * pad {
            return None;
        }
        let config = Conv2dConfig {
            filters: r.random_range(1..=9),
            kernel,
            stride: r.random_range(1..=4),
            pad,
            dilation,
        };
        let mut conv = config.init(input);
        conv.params = random(conv.params.len(), r);
        let n = r.random_range(1..=9);
        let x = random(n * input.len(), r);
        let dy = random(n * conv.output.len(), r);
        Some(ConvCase { conv, n, x, dy })
    }

    fn describe(&self) -> String {
        let (c, i) = (self.conv.config, self.conv.input);
        format!(
            "batch {} of {}×{}×{}, {} filters k{} s{} p{} d{}",
            self.n, i.c, i.h, i.w, c.filters, c.kernel, c.stride, c.pad, c.dilation
        )
    }

    /// Calls `f(image, f, c, oy, ox, ky, kx, input index)` for every weight tap that reads
    /// the input (not the zero padding).
    fn for_each_tap(
        &self,
        mut f: impl FnMut(usize, usize, usize, usize, usize, usize, usize, usize),
    ) {
        let Shape { c, h, w } = self.conv.input;
        let Conv2dConfig {
            filters,
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
        } = self.conv.config;
        let (oh, ow) = (self.conv.output.h, self.conv.output.w);
        for i in 0..self.n {
            for fi in 0..filters {
                for ci in 0..c {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            for ky in 0..k {
                                for kx in 0..k {
                                    let iy = (oy * s + ky * d) as isize - p as isize;
                                    let ix = (ox * s + kx * d) as isize - p as isize;
                                    if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                        continue;
                                    }
                                    let at = ((i * c + ci) * h + iy as usize) * w + ix as usize;
                                    f(i, fi, ci, oy, ox, ky, kx, at);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn check(&self) {
        let conv = &self.conv;
        let (n, what) = (self.n, self.describe());
        let Conv2dConfig {
            filters, kernel: k, ..
        } = conv.config;
        let c = conv.input.c;
        let (oh, ow) = (conv.output.h, conv.output.w);
        let out_at =
            |i: usize, fi: usize, oy: usize, ox: usize| ((i * filters + fi) * oh + oy) * ow + ox;
        let w_at = |fi: usize, ci: usize, ky: usize, kx: usize| ((fi * c + ci) * k + ky) * k + kx;
        let (wts, bias) = conv.params.split_at(conv.n_weights());

        // Forward: y = b + Σ w·x.
        let ylen = n * conv.output.len();
        let mut y_exact: Vec<f64> = (0..ylen)
            .map(|q| bias[(q / (oh * ow)) % filters] as f64)
            .collect();
        let mut y_scale: Vec<f64> = y_exact.iter().map(|v| v.abs()).collect();
        // Backward: dW = Σ dy·x, db = Σ dy, dx = Σ dy·w.
        let mut gw_exact = vec![0.0f64; wts.len()];
        let mut gw_scale = vec![0.0f64; wts.len()];
        let mut dx_exact = vec![0.0f64; self.x.len()];
        let mut dx_scale = vec![0.0f64; self.x.len()];
        self.for_each_tap(|i, fi, ci, oy, ox, ky, kx, at| {
            let (o, wi) = (out_at(i, fi, oy, ox), w_at(fi, ci, ky, kx));
            let yx = wts[wi] as f64 * self.x[at] as f64;
            y_exact[o] += yx;
            y_scale[o] += yx.abs();
            let gw = self.dy[o] as f64 * self.x[at] as f64;
            gw_exact[wi] += gw;
            gw_scale[wi] += gw.abs();
            let dx = self.dy[o] as f64 * wts[wi] as f64;
            dx_exact[at] += dx;
            dx_scale[at] += dx.abs();
        });
        let mut gb_exact = vec![0.0f64; filters];
        let mut gb_scale = vec![0.0f64; filters];
        for (q, g) in self.dy.iter().enumerate() {
            gb_exact[(q / (oh * ow)) % filters] += *g as f64;
            gb_scale[(q / (oh * ow)) % filters] += g.abs() as f64;
        }

        let mut y = vec![f32::NAN; ylen];
        let mut cols = vec![f32::NAN; n * conv.cols_len()];
        conv.forward(n, &self.x, &mut y, &mut cols);
        assert_close(&format!("conv forward, {what}"), &y, &y_exact, &y_scale);
        // The seven-loop reference the layer carries, image by image.
        for i in 0..n {
            let il = conv.input.len();
            let ol = conv.output.len();
            let r = conv.forward_reference(&self.x[i * il..(i + 1) * il]);
            let range = i * ol..(i + 1) * ol;
            assert_close(
                &format!("conv forward_reference, {what}"),
                &r,
                &y_exact[range.clone()],
                &y_scale[range],
            );
        }

        let mut grad = vec![f32::NAN; conv.params.len()];
        let mut dx = vec![f32::NAN; self.x.len()];
        let mut dcols = vec![f32::NAN; conv.cols_len()];
        conv.backward(n, &cols, &self.dy, Some(&mut dx), &mut grad, &mut dcols);
        let (gw, gb) = grad.split_at(conv.n_weights());
        assert_close(
            &format!("conv weight gradient, {what}"),
            gw,
            &gw_exact,
            &gw_scale,
        );
        assert_close(
            &format!("conv bias gradient, {what}"),
            gb,
            &gb_exact,
            &gb_scale,
        );
        assert_close(
            &format!("conv input gradient, {what}"),
            &dx,
            &dx_exact,
            &dx_scale,
        );
    }
}

/// The batched convolution (im2col + GEMM, forward and backward) against its definition on
/// `cases` random configurations: kernel 1–7, stride 1–4, padding 0..k−1, 1–9 filters,
/// batches of 1–9, inputs down to 1×1. Returns how many configurations were valid.
pub fn conv_layers(seed: u64, cases: usize) -> usize {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut checked = 0;
    for _ in 0..cases {
        if let Some(case) = ConvCase::draw(&mut r, false) {
            case.check();
            checked += 1;
        }
    }
    checked
}

/// The same checks with dilation 1–3 and padding up to the dilated span − 1 (so some kernel
/// taps never meet the input, and some outputs see only padding). Returns how many
/// configurations were valid.
pub fn dilated_conv_layers(seed: u64, cases: usize) -> usize {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut checked = 0;
    for _ in 0..cases {
        if let Some(case) = ConvCase::draw(&mut r, true) {
            case.check();
            checked += 1;
        }
    }
    checked
}

/// The depthwise convolution (forward, weight, bias and input gradients) against its
/// definition in f64: 1–5 channels, kernel 1–5, stride 1–4, dilation 1–3, padding up to the
/// dilated span − 1, batches of 1–6. Returns how many configurations were valid.
pub fn depthwise_layers(seed: u64, cases: usize) -> usize {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut checked = 0;
    for _ in 0..cases {
        let input = Shape {
            c: r.random_range(1..=5),
            h: r.random_range(1..=13),
            w: r.random_range(1..=13),
        };
        let kernel = r.random_range(1..=5);
        let dilation = r.random_range(1..=3);
        let span = dilation * (kernel - 1) + 1;
        let pad = r.random_range(0..span);
        let stride = r.random_range(1..=4);
        if span > input.h + 2 * pad || span > input.w + 2 * pad {
            continue;
        }
        let mut dw = DepthwiseConfig {
            kernel,
            stride,
            pad,
            dilation,
        }
        .init(input);
        dw.params = random(dw.params.len(), &mut r);
        let n = r.random_range(1..=6);
        let x = random(n * input.len(), &mut r);
        let dy = random(n * dw.output.len(), &mut r);
        check_depthwise(&dw, n, &x, &dy);
        checked += 1;
    }
    checked
}

fn check_depthwise(dw: &DepthwiseConv2d, n: usize, x: &[f32], dy: &[f32]) {
    let Shape { c, h, w } = dw.input;
    let DepthwiseConfig {
        kernel: k,
        stride: s,
        pad: p,
        dilation: d,
    } = dw.config;
    let (oh, ow) = (dw.output.h, dw.output.w);
    let what = format!("depthwise batch {n} of {c}×{h}×{w}, k{k} s{s} p{p} d{d}");
    let (wts, bias) = dw.params.split_at(dw.n_weights());
    let ylen = n * dw.output.len();
    let mut y_exact: Vec<f64> = (0..ylen)
        .map(|q| bias[(q / (oh * ow)) % c] as f64)
        .collect();
    let mut y_scale: Vec<f64> = y_exact.iter().map(|v| v.abs()).collect();
    let mut gw_exact = vec![0.0f64; wts.len()];
    let mut gw_scale = vec![0.0f64; wts.len()];
    let mut gb_exact = vec![0.0f64; c];
    let mut gb_scale = vec![0.0f64; c];
    let mut dx_exact = vec![0.0f64; x.len()];
    let mut dx_scale = vec![0.0f64; x.len()];
    for i in 0..n {
        for ci in 0..c {
            for oy in 0..oh {
                for ox in 0..ow {
                    let o = ((i * c + ci) * oh + oy) * ow + ox;
                    gb_exact[ci] += dy[o] as f64;
                    gb_scale[ci] += dy[o].abs() as f64;
                    for ky in 0..k {
                        for kx in 0..k {
                            let iy = (oy * s + ky * d) as isize - p as isize;
                            let ix = (ox * s + kx * d) as isize - p as isize;
                            if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                continue;
                            }
                            let at = ((i * c + ci) * h + iy as usize) * w + ix as usize;
                            let wi = (ci * k + ky) * k + kx;
                            let yx = wts[wi] as f64 * x[at] as f64;
                            y_exact[o] += yx;
                            y_scale[o] += yx.abs();
                            let gw = dy[o] as f64 * x[at] as f64;
                            gw_exact[wi] += gw;
                            gw_scale[wi] += gw.abs();
                            let dx = dy[o] as f64 * wts[wi] as f64;
                            dx_exact[at] += dx;
                            dx_scale[at] += dx.abs();
                        }
                    }
                }
            }
        }
    }
    let mut y = vec![f32::NAN; ylen];
    dw.forward(n, x, &mut y);
    assert_close(&format!("forward, {what}"), &y, &y_exact, &y_scale);
    for i in 0..n {
        let (il, ol) = (dw.input.len(), dw.output.len());
        let r = dw.forward_reference(&x[i * il..(i + 1) * il]);
        let range = i * ol..(i + 1) * ol;
        assert_close(
            &format!("forward_reference, {what}"),
            &r,
            &y_exact[range.clone()],
            &y_scale[range],
        );
    }
    let mut grad = vec![f32::NAN; dw.params.len()];
    let mut dx = vec![f32::NAN; x.len()];
    dw.backward(n, x, dy, Some(&mut dx), &mut grad);
    let (gw, gb) = grad.split_at(dw.n_weights());
    assert_close(
        &format!("weight gradient, {what}"),
        gw,
        &gw_exact,
        &gw_scale,
    );
    assert_close(&format!("bias gradient, {what}"), gb, &gb_exact, &gb_scale);
    assert_close(
        &format!("input gradient, {what}"),
        &dx,
        &dx_exact,
        &dx_scale,
    );
    // Without dx the parameter gradients are the same.
    let mut grad2 = vec![f32::NAN; dw.params.len()];
    dw.backward(n, x, dy, None, &mut grad2);
    assert_eq!(grad, grad2, "{what}: gradients without dx");
}

/// The batched dense layer against its definition: batches of 1–9, 1–13 units, 1–70 inputs.
pub fn dense_layers(seed: u64, cases: usize) {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..cases {
        let (n, units, inputs) = (
            r.random_range(1..=9),
            r.random_range(1..=13),
            r.random_range(1..=70),
        );
        let what = format!("batch {n}, {inputs} → {units}");
        let mut d = DenseConfig { units }.init(inputs);
        d.params = random(d.params.len(), &mut r);
        let x = random(n * inputs, &mut r);
        let dy = random(n * units, &mut r);
        let (wts, bias) = d.params.split_at(d.n_weights());
        let mut y_exact = vec![0.0f64; n * units];
        let mut y_scale = vec![0.0f64; n * units];
        let mut gw_exact = vec![0.0f64; wts.len()];
        let mut gw_scale = vec![0.0f64; wts.len()];
        let mut dx_exact = vec![0.0f64; x.len()];
        let mut dx_scale = vec![0.0f64; x.len()];
        for i in 0..n {
            for u in 0..units {
                let o = i * units + u;
                y_exact[o] = bias[u] as f64;
                y_scale[o] = bias[u].abs() as f64;
                for p in 0..inputs {
                    let (xv, wv, g) = (
                        x[i * inputs + p] as f64,
                        wts[u * inputs + p] as f64,
                        dy[o] as f64,
                    );
                    y_exact[o] += wv * xv;
                    y_scale[o] += (wv * xv).abs();
                    gw_exact[u * inputs + p] += g * xv;
                    gw_scale[u * inputs + p] += (g * xv).abs();
                    dx_exact[i * inputs + p] += g * wv;
                    dx_scale[i * inputs + p] += (g * wv).abs();
                }
            }
        }
        let mut y = vec![f32::NAN; n * units];
        d.forward(n, &x, &mut y);
        assert_close(&format!("dense forward, {what}"), &y, &y_exact, &y_scale);
        let mut grad = vec![f32::NAN; d.params.len()];
        let mut dx = vec![f32::NAN; x.len()];
        d.backward(n, &x, &dy, Some(&mut dx), &mut grad);
        assert_close(
            &format!("dense weight gradient, {what}"),
            &grad[..wts.len()],
            &gw_exact,
            &gw_scale,
        );
        assert_close(
            &format!("dense input gradient, {what}"),
            &dx,
            &dx_exact,
            &dx_scale,
        );
        for u in 0..units {
            let exact: f64 = (0..n).map(|i| dy[i * units + u] as f64).sum();
            let scale: f64 = (0..n).map(|i| dy[i * units + u].abs() as f64).sum();
            assert_close(
                &format!("dense bias gradient, {what}"),
                &grad[wts.len() + u..wts.len() + u + 1],
                &[exact],
                &[scale],
            );
        }
    }
}

/// Max and average pooling (including the 2×2 stride-2 fast path) against their definitions:
/// window 1–4, stride 1–4, inputs down to the window's size, batches of 1–9; values drawn
/// from a few levels so that ties occur (the first maximum in window order wins).
pub fn pool_layers(seed: u64, cases: usize) -> usize {
    use convscope::nn::layers::{Pool2dConfig, PoolKind};
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut checked = 0;
    for case in 0..cases {
        let window = if case % 3 == 0 {
            2
        } else {
            r.random_range(1..=4)
        };
        let stride = if case % 3 == 0 {
            2
        } else {
            r.random_range(1..=4)
        };
        let (c, h, w) = (
            r.random_range(1..=3),
            r.random_range(1..=13),
            r.random_range(1..=13),
        );
        if window > h || window > w {
            continue;
        }
        let kind = if r.random_bool(0.7) {
            PoolKind::Max
        } else {
            PoolKind::Avg
        };
        let p = Pool2dConfig {
            kind,
            window,
            stride,
        }
        .init(Shape { c, h, w });
        let n = r.random_range(1..=9);
        let what = format!("{kind:?} {window}×{window} s{stride}, batch {n} of {c}×{h}×{w}");
        let x: Vec<f32> = (0..n * c * h * w)
            .map(|_| r.random_range(0..5) as f32 * 0.25 - 0.5)
            .collect();
        let dy = random(n * p.output.len(), &mut r);
        let (oh, ow) = (p.output.h, p.output.w);
        let mut y_exact = vec![0.0f64; n * p.output.len()];
        let mut am_exact = vec![0u32; n * p.output.len()];
        let mut dx_exact = vec![0.0f64; x.len()];
        for plane in 0..n * c {
            for oy in 0..oh {
                for ox in 0..ow {
                    let o = (plane * oh + oy) * ow + ox;
                    let (mut best, mut at, mut sum) = (f32::NEG_INFINITY, 0, 0.0f64);
                    for ky in 0..window {
                        for kx in 0..window {
                            let i = (oy * stride + ky) * w + ox * stride + kx;
                            let v = x[plane * h * w + i];
                            sum += v as f64;
                            if v > best {
                                (best, at) = (v, i);
                            }
                        }
                    }
                    let cells = (window * window) as f64;
                    match kind {
                        PoolKind::Max => {
                            y_exact[o] = best as f64;
                            am_exact[o] = at as u32;
                            dx_exact[plane * h * w + at] += dy[o] as f64;
                        }
                        PoolKind::Avg => {
                            y_exact[o] = sum / cells;
                            for ky in 0..window {
                                for kx in 0..window {
                                    let i = (oy * stride + ky) * w + ox * stride + kx;
                                    dx_exact[plane * h * w + i] += dy[o] as f64 / cells;
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut y = vec![f32::NAN; y_exact.len()];
        let mut am = vec![u32::MAX; y_exact.len()];
        p.forward(n, &x, &mut y, &mut am);
        let ones = vec![1.0f64; y.len()];
        assert_close(&format!("pool forward, {what}"), &y, &y_exact, &ones);
        if kind == PoolKind::Max {
            assert_eq!(am, am_exact, "pool arg-max, {what}");
        }
        let mut dx = vec![f32::NAN; x.len()];
        p.backward(n, &am, &dy, &mut dx);
        let ones = vec![1.0f64; dx.len()];
        assert_close(&format!("pool backward, {what}"), &dx, &dx_exact, &ones);
        checked += 1;
    }
    checked
}
