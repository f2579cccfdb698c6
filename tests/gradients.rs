// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Finite-difference gradient checks for every layer, the loss and a whole model: analytic
//! gradients (w.r.t. inputs and parameters) must match central differences of a scalar
//! function of the layer's output.
//!
//! Each check uses the scalar `L = Σ r ⊙ y` with a fixed random `r`, so `dL/dy = r`; it is
//! accumulated in f64. Conv and dense are linear in both inputs and weights, so central
//! differences are exact up to f32 rounding; for ReLU and max pooling the inputs are spread
//! out so that no perturbation crosses a kink.

use convscope::nn::layers::{
    loss, relu, Conv2d, Conv2dConfig, DenseConfig, DepthwiseConfig, DepthwiseConv2d, Pool2dConfig,
    PoolKind,
};
use convscope::nn::model::Model;
use convscope::nn::spec::{ModelSpec, Shape};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const EPS: f32 = 1e-2;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn random(n: usize, r: &mut ChaCha8Rng) -> Vec<f32> {
    (0..n).map(|_| r.random_range(-1.0f32..1.0)).collect()
}

/// Distinct values at least 0.05 apart (shuffled), so max pooling never switches winner and
/// ReLU never crosses zero under a ±EPS perturbation.
fn spread(n: usize, r: &mut ChaCha8Rng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..n)
        .map(|i| (i as f32 - n as f32 / 2.0) * 0.05 + 0.025)
        .collect();
    for i in (1..n).rev() {
        let j = r.random_range(0..=i);
        v.swap(i, j);
    }
    v
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
}

/// Compares `analytic[i]` with the central difference of `f` around `x[i]`, for every i.
fn check(what: &str, x: &mut [f32], analytic: &[f32], mut f: impl FnMut(&[f32]) -> f64) {
    assert_eq!(x.len(), analytic.len(), "{what}: gradient length");
    let mut worst = 0.0f64;
    for i in 0..x.len() {
        let orig = x[i];
        x[i] = orig + EPS;
        let up = f(x);
        x[i] = orig - EPS;
        let down = f(x);
        x[i] = orig;
        let numeric = (up - down) / (2.0 * EPS as f64);
        let err = (numeric - analytic[i] as f64).abs();
        let tol = 5e-4 + 1e-3 * numeric.abs();
        assert!(
            err <= tol,
            "{what}[{i}]: analytic {} vs numeric {numeric} (error {err})",
            analytic[i]
        );
        worst = worst.max(err);
    }
    println!("{what}: {} values, worst error {worst:.2e}", x.len());
}

fn check_conv(input: Shape, filters: usize, kernel: usize, stride: usize, pad: usize, n: usize) {
    check_dilated_conv(input, filters, kernel, stride, pad, 1, n)
}

fn check_dilated_conv(
    input: Shape,
    filters: usize,
    kernel: usize,
    stride: usize,
    pad: usize,
    dilation: usize,
    n: usize,
) {
    let what = format!("conv {input} f{filters} k{kernel} s{stride} p{pad} d{dilation} n{n}");
    let mut r =
        rng(7 + kernel as u64 * 13 + stride as u64 * 5 + pad as u64 + dilation as u64 * 101);
    let mut layer = Conv2dConfig {
        filters,
        kernel,
        stride,
        pad,
        dilation,
    }
    .init(input);
    layer.params = random(layer.params.len(), &mut r);
    let out = layer.output;
    let mut x = random(n * input.len(), &mut r);
    let rr = random(n * out.len(), &mut r);
    let fwd = |l: &Conv2d, x: &[f32]| {
        let mut y = vec![0.0; n * out.len()];
        let mut cols = vec![0.0; n * l.cols_len()];
        l.forward(n, x, &mut y, &mut cols);
        dot(&y, &rr)
    };
    let mut y = vec![0.0; n * out.len()];
    let mut cols = vec![0.0; n * layer.cols_len()];
    layer.forward(n, &x, &mut y, &mut cols);
    let mut dx = vec![0.0; x.len()];
    let mut grad = vec![0.0; layer.params.len()];
    let mut dcols = vec![0.0; layer.cols_len()];
    layer.backward(n, &cols, &rr, Some(&mut dx), &mut grad, &mut dcols);

    check(&format!("{what} dx"), &mut x, &dx, |x| fwd(&layer, x));
    let mut p = layer.params.clone();
    let mut l2 = layer.clone();
    check(&format!("{what} dparams"), &mut p, &grad, |p| {
        l2.params.copy_from_slice(p);
        fwd(&l2, &x)
    });
}

#[test]
fn conv_gradients() {
    let s = |c, h, w| Shape { c, h, w };
    check_conv(s(1, 5, 5), 2, 3, 1, 0, 2);
    check_conv(s(2, 6, 5), 3, 3, 1, 1, 2); // non-square, padding keeps the size
    check_conv(s(3, 7, 7), 2, 3, 2, 1, 1); // stride 2 with padding
    check_conv(s(2, 8, 8), 2, 2, 2, 0, 2); // even kernel
    check_conv(s(1, 9, 7), 2, 5, 3, 2, 1); // stride 3 leaves a remainder
    check_conv(s(2, 4, 4), 2, 4, 1, 3, 1); // pad bigger than half the kernel
    check_conv(s(1, 6, 6), 1, 1, 2, 0, 2); // 1×1 kernel, stride 2
    check_conv(s(1, 2, 3), 2, 5, 1, 2, 1); // kernel taps that never meet the input
}

#[test]
fn dilated_conv_gradients() {
    let s = |c, h, w| Shape { c, h, w };
    check_dilated_conv(s(1, 9, 9), 2, 3, 2, 2, 2, 2); // stride 2, pad 2, dilation 2
    check_dilated_conv(s(2, 8, 7), 2, 2, 1, 1, 3, 1); // even kernel, dilation 3
    check_dilated_conv(s(1, 7, 7), 1, 3, 3, 3, 2, 2); // stride 3 leaves a remainder
    check_dilated_conv(s(2, 5, 6), 3, 3, 1, 2, 2, 1); // "same" for dilation 2
    check_dilated_conv(s(1, 3, 3), 2, 3, 2, 4, 3, 1); // taps that never meet the input
}

fn check_depthwise(
    input: Shape,
    kernel: usize,
    stride: usize,
    pad: usize,
    dilation: usize,
    n: usize,
) {
    let what = format!("dwconv {input} k{kernel} s{stride} p{pad} d{dilation} n{n}");
    let mut r = rng(17 + kernel as u64 * 3 + stride as u64 * 7 + pad as u64 + dilation as u64 * 11);
    let mut layer = DepthwiseConfig {
        kernel,
        stride,
        pad,
        dilation,
    }
    .init(input);
    layer.params = random(layer.params.len(), &mut r);
    let out = layer.output;
    let mut x = random(n * input.len(), &mut r);
    let rr = random(n * out.len(), &mut r);
    let fwd = |l: &DepthwiseConv2d, x: &[f32]| {
        let mut y = vec![0.0; n * out.len()];
        l.forward(n, x, &mut y);
        dot(&y, &rr)
    };
    let mut dx = vec![0.0; x.len()];
    let mut grad = vec![0.0; layer.params.len()];
    layer.backward(n, &x, &rr, Some(&mut dx), &mut grad);
    check(&format!("{what} dx"), &mut x, &dx, |x| fwd(&layer, x));
    let mut p = layer.params.clone();
    let mut l2 = layer.clone();
    check(&format!("{what} dparams"), &mut p, &grad, |p| {
        l2.params.copy_from_slice(p);
        fwd(&l2, &x)
    });
}

#[test]
fn depthwise_gradients() {
    let s = |c, h, w| Shape { c, h, w };
    check_depthwise(s(2, 5, 5), 3, 1, 1, 1, 2);
    check_depthwise(s(3, 7, 6), 3, 2, 1, 1, 1); // stride 2, non-square
    check_depthwise(s(2, 9, 9), 3, 2, 2, 2, 2); // dilated, strided, padded
    check_depthwise(s(1, 6, 6), 2, 3, 0, 1, 1); // even kernel, remainder dropped
    check_depthwise(s(2, 4, 4), 1, 1, 0, 1, 3); // 1×1: a per-channel scale
}

fn check_pool(kind: PoolKind, input: Shape, window: usize, stride: usize, n: usize) {
    let what = format!("{kind:?} pool {input} w{window} s{stride}");
    let mut r = rng(window as u64 * 31 + stride as u64);
    let layer = Pool2dConfig {
        kind,
        window,
        stride,
    }
    .init(input);
    let out = layer.output;
    let mut x = spread(n * input.len(), &mut r);
    let rr = random(n * out.len(), &mut r);
    let fwd = |x: &[f32]| {
        let mut y = vec![0.0; n * out.len()];
        let mut am = vec![0u32; n * out.len()];
        layer.forward(n, x, &mut y, &mut am);
        dot(&y, &rr)
    };
    let mut y = vec![0.0; n * out.len()];
    let mut am = vec![0u32; n * out.len()];
    layer.forward(n, &x, &mut y, &mut am);
    let mut dx = vec![0.0; x.len()];
    layer.backward(n, &am, &rr, &mut dx);
    check(&what, &mut x, &dx, fwd);
}

#[test]
fn pool_gradients() {
    let s = |c, h, w| Shape { c, h, w };
    for kind in [PoolKind::Max, PoolKind::Avg] {
        check_pool(kind, s(2, 4, 4), 2, 2, 2); // even tiling
        check_pool(kind, s(2, 7, 7), 2, 2, 1); // 7 = 3·2 + 1: last row/column dropped
        check_pool(kind, s(1, 8, 8), 3, 3, 2); // 8 = 2·3 + 2: two dropped
        check_pool(kind, s(2, 7, 6), 3, 2, 1); // overlapping windows, non-square
        check_pool(kind, s(1, 9, 9), 2, 3, 1); // gaps between windows
    }
}

#[test]
fn relu_gradient() {
    let mut r = rng(3);
    let mut x = spread(60, &mut r);
    let rr = random(60, &mut r);
    let mut y = vec![0.0; 60];
    relu::forward(&x, &mut y);
    let mut dx = vec![0.0; 60];
    relu::backward(&y, &rr, &mut dx);
    assert!(dx.iter().zip(&x).all(|(d, x)| *x > 0.0 || *d == 0.0));
    check("relu", &mut x, &dx, |x| {
        let mut y = vec![0.0; 60];
        relu::forward(x, &mut y);
        dot(&y, &rr)
    });
}

#[test]
fn dense_gradients() {
    let mut r = rng(5);
    let (n, inputs, units) = (3, 12, 5);
    let mut layer = DenseConfig { units }.init(inputs);
    layer.params = random(layer.params.len(), &mut r);
    let mut x = random(n * inputs, &mut r);
    let rr = random(n * units, &mut r);
    let mut dx = vec![0.0; x.len()];
    let mut grad = vec![0.0; layer.params.len()];
    layer.backward(n, &x, &rr, Some(&mut dx), &mut grad);
    let fwd = |l: &convscope::nn::layers::Dense, x: &[f32]| {
        let mut y = vec![0.0; n * units];
        l.forward(n, x, &mut y);
        dot(&y, &rr)
    };
    check("dense dx", &mut x, &dx, |x| fwd(&layer, x));
    let mut p = layer.params.clone();
    let mut l2 = layer.clone();
    check("dense dparams", &mut p, &grad, |p| {
        l2.params.copy_from_slice(p);
        fwd(&l2, &x)
    });
}

#[test]
fn softmax_cross_entropy_gradient() {
    let mut r = rng(9);
    let n = 4;
    // Large logits too: the loss must stay finite and exact (log-sum-exp).
    let mut z: Vec<f32> = random(n * 10, &mut r).iter().map(|v| v * 4.0).collect();
    z[3] += 80.0;
    let labels = [3u8, 0, 9, 5];
    let mut g = vec![0.0; z.len()];
    let (l, _) = loss::softmax_cross_entropy(&z, &labels, 10, &mut g);
    assert!(l.is_finite());
    // Hand check of the first row's loss: −log softmax[3].
    let m = z[..10].iter().cloned().fold(f32::MIN, f32::max) as f64;
    let lse: f64 = z[..10]
        .iter()
        .map(|v| (*v as f64 - m).exp())
        .sum::<f64>()
        .ln()
        + m;
    let row0 = lse - z[3] as f64;
    let mut total = row0;
    for (i, &lab) in labels.iter().enumerate().skip(1) {
        let row = &z[i * 10..(i + 1) * 10];
        let m = row.iter().cloned().fold(f32::MIN, f32::max) as f64;
        total += row.iter().map(|v| (*v as f64 - m).exp()).sum::<f64>().ln() + m
            - row[lab as usize] as f64;
    }
    assert!(
        (l as f64 - total / n as f64).abs() < 1e-4,
        "loss {l} vs {}",
        total / n as f64
    );
    // Each gradient row sums to zero (softmax − onehot) and is averaged over the batch.
    for row in g.chunks(10) {
        assert!(row.iter().sum::<f32>().abs() < 1e-6);
    }
    check("softmax cross-entropy", &mut z, &g, |z| {
        let mut g = vec![0.0; z.len()];
        loss::softmax_cross_entropy(z, &labels, 10, &mut g).0 as f64
    });
}

/// The model's backward pass against finite differences of its own mean loss, for every
/// parameter of a small network that uses every kind of layer.
#[test]
fn whole_model_parameter_gradients() {
    check_model(
        "conv3k3s2p1,relu,avg2s2,conv4k3s1psame,relu,max3s2,dense6,relu,dense10",
        11,
    );
}

/// The same with dilated and depthwise convolutions and residual blocks (one right at the
/// input, whose skip carries the image itself, and one between dense layers).
#[test]
fn whole_model_with_new_layers_parameter_gradients() {
    check_model(
        "conv4k3s1p2d2,relu,max2s2,res(dwconv3s1p1,relu,conv4k1s1p0),relu,dwconv3s2p2d2,conv5k1,dense10",
        21,
    );
    check_model(
        "res(conv3k3s1p1,relu,conv1k3s1p2d2),conv3k3s3,relu,res(dwconv3psame),dense10",
        22,
    );
    check_model("avg4,dense8,relu,res(dense8,relu,dense8),relu,dense10", 23);
}

/// A residual block alone: without ReLU everything is linear, so the check is exact. The
/// parameters before the block only get the right gradient if it flows through both the
/// skip connection and the block.
#[test]
fn residual_block_parameter_gradients() {
    check_model(
        "conv2k3s2p1,res(conv2k3s1p1,conv2k3s1psame),avg2s2,dense10",
        31,
    );
    check_model(
        "conv2k3s2p1,res(conv2k3s1p1),res(dwconv3s1p2d2),dense10",
        32,
    );
}

fn check_model(arch: &str, seed: u64) {
    let spec = ModelSpec::parse(arch).unwrap();
    let model = Model::new(&spec, seed).unwrap();
    let mut r = rng(seed + 1);
    let n = 3;
    let images: Vec<f32> = (0..n * 784).map(|_| r.random_range(0.0f32..1.0)).collect();
    let labels = [1u8, 7, 4];
    let mut ws = model.workspace(n);
    ws.input_mut().copy_from_slice(&images);
    model.forward_train(&mut ws);
    model.loss(&mut ws, &labels);
    model.backward(&mut ws);
    let grads = ws.grads.clone();
    assert_eq!(
        grads.len(),
        spec.layers.len(),
        "{arch}: one gradient per spec layer"
    );
    let loss_of = |m: &Model| {
        let mut ws = m.workspace(n);
        ws.input_mut().copy_from_slice(&images);
        m.forward_train(&mut ws);
        m.loss(&mut ws, &labels).0 as f64
    };
    let base = model.param_vectors();
    for (layer, g) in grads.iter().enumerate() {
        assert_eq!(
            g.len(),
            base[layer].len(),
            "{arch}: layer {layer} gradient length"
        );
        if g.is_empty() {
            continue;
        }
        // Spot-check up to 40 parameters per layer (ReLU/max kinks make a few
        // perturbations unreliable, so this uses a smaller step and a looser tolerance).
        let step = (g.len() / 40).max(1);
        let mut bad = 0;
        let mut checked = 0;
        for i in (0..g.len()).step_by(step) {
            let h = 1e-3f32;
            let mut m = model.clone();
            let mut v = base.clone();
            v[layer][i] += h;
            m.set_param_vectors(&v).unwrap();
            let up = loss_of(&m);
            v[layer][i] -= 2.0 * h;
            m.set_param_vectors(&v).unwrap();
            let down = loss_of(&m);
            let numeric = (up - down) / (2.0 * h as f64);
            checked += 1;
            if (numeric - g[i] as f64).abs() > 2e-3 + 5e-2 * numeric.abs() {
                bad += 1;
                println!(
                    "{arch}: layer {layer} param {i}: analytic {} numeric {numeric}",
                    g[i]
                );
            }
        }
        assert!(
            bad * 20 <= checked,
            "{arch}: layer {layer}: {bad} of {checked} parameters disagree"
        );
        println!("{arch}: layer {layer}: {checked} parameters checked, {bad} off (kinks)");
    }
}
