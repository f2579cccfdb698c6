// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Dilated and depthwise convolutions and residual blocks (issue 4): hand-computed examples,
//! the sizes `analyze` shows against the engine's actual outputs over many random networks,
//! taps, parameter vectors and the model file with the new layers.

use convscope::nn::layers::{Conv2dConfig, DepthwiseConfig};
use convscope::nn::model::{Layer, Model};
use convscope::nn::spec::{LayerInfo, LayerSpec, ModelSpec, Shape};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 4×4 input 1..16, one 2×2 kernel [[1, 2], [3, 4]] with dilation 2.
fn dilated(stride: usize, pad: usize) -> (Shape, Vec<f32>) {
    let mut c = Conv2dConfig {
        filters: 1,
        kernel: 2,
        stride,
        pad,
        dilation: 2,
    }
    .init(Shape { c: 1, h: 4, w: 4 });
    c.params = vec![1.0, 2.0, 3.0, 4.0, 0.0];
    let x: Vec<f32> = (1..=16).map(|v| v as f32).collect();
    let mut y = vec![f32::NAN; c.output.len()];
    let mut cols = vec![f32::NAN; c.cols_len()];
    c.forward(1, &x, &mut y, &mut cols);
    assert_eq!(y, c.forward_reference(&x));
    (c.output, y)
}

#[test]
fn dilated_kernel_hand_computed() {
    // Dilation 2 spreads the taps one pixel apart: y[0,0] = 1·x[0,0] + 2·x[0,2] + 3·x[2,0]
    // + 4·x[2,2] = 1 + 6 + 27 + 44 = 78; out = ⌊(4 − 2·1 − 1)/1⌋ + 1 = 2.
    let (s, y) = dilated(1, 0);
    assert_eq!((s.h, s.w), (2, 2));
    assert_eq!(y, [78.0, 88.0, 118.0, 128.0]);
    // Pad 1, stride 2: ⌊(4 + 2 − 2 − 1)/2⌋ + 1 = 2; the taps of y[0,0] are rows/columns
    // −1 and 1, so only 4·x[1,1] = 24 is not padding.
    let (s, y) = dilated(2, 1);
    assert_eq!((s.h, s.w), (2, 2));
    assert_eq!(y, [24.0, 50.0, 68.0, 128.0]);
}

#[test]
fn depthwise_hand_computed() {
    // Two channels, each with its own 2×2 filter and bias; nothing mixes between channels.
    let mut d = DepthwiseConfig {
        kernel: 2,
        stride: 1,
        pad: 0,
        dilation: 1,
    }
    .init(Shape { c: 2, h: 3, w: 3 });
    assert_eq!(d.output, Shape { c: 2, h: 2, w: 2 });
    // channel 0: [[1, 0], [0, −1]] (a diagonal difference), bias 0.5; channel 1: all ones
    // (a 2×2 sum), bias −1.
    d.params = vec![1.0, 0.0, 0.0, -1.0, 1.0, 1.0, 1.0, 1.0, 0.5, -1.0];
    let x: Vec<f32> = (1..=18).map(|v| v as f32).collect(); // ch0 = 1..9, ch1 = 10..18
    let mut y = vec![f32::NAN; 8];
    d.forward(1, &x, &mut y);
    assert_eq!(y, [-3.5, -3.5, -3.5, -3.5, 47.0, 51.0, 59.0, 63.0]);
    assert_eq!(y, d.forward_reference(&x));
    assert_eq!(d.weight3().shape(), &[2, 2, 2]);
    // Backward with dy = 1 everywhere: db = 4 per channel, dW[c] = sums of the windows' pixels.
    let mut grad = vec![f32::NAN; d.params.len()];
    let mut dx = vec![f32::NAN; x.len()];
    d.backward(1, &x, &[1.0; 8], Some(&mut dx), &mut grad);
    assert_eq!(&grad[8..], [4.0, 4.0]);
    assert_eq!(&grad[..4], [12.0, 16.0, 24.0, 28.0]); // e.g. x[0,0]+x[0,1]+x[1,0]+x[1,1]
    #[rustfmt::skip]
    assert_eq!(dx, [
        1.0, 1.0, 0.0,   1.0, 0.0, -1.0,   0.0, -1.0, -1.0,
        1.0, 2.0, 1.0,   2.0, 4.0,  2.0,   1.0,  2.0,  1.0,
    ]);
}

#[test]
fn residual_block_hand_computed() {
    // res(conv1k1): output = x + (w·x + b) with w = 2, b = 0.5.
    let spec = ModelSpec::parse("res(conv1k1),dense10").unwrap();
    let mut m = Model::new(&spec, 1).unwrap();
    let mut p = m.param_vectors();
    assert_eq!(p.iter().map(Vec::len).collect::<Vec<_>>(), [2, 7850]);
    p[0] = vec![2.0, 0.5];
    m.set_param_vectors(&p).unwrap();
    let x: Vec<f32> = (0..784).map(|i| (i % 13) as f32 / 13.0).collect();
    let taps = m.forward_taps(&x);
    assert_eq!(taps.len(), 2);
    let nested = m.forward_taps_nested(&x);
    assert_eq!(nested[0].inner.len(), 1);
    assert!(nested[1].inner.is_empty());
    for (i, v) in x.iter().enumerate() {
        let (y, xx) = (i / 28, i % 28);
        assert_eq!(nested[0].inner[0][[0, y, xx]], 2.0 * v + 0.5);
        assert_eq!(taps[0][[0, y, xx]], v + (2.0 * v + 0.5));
    }
    assert_eq!(nested[0].output, taps[0]);
    assert_eq!(nested[1].output, taps[1]);
    // The block's conv is reached through the block.
    assert!(m.conv_weights(0).is_none());
    assert_eq!(m.inner_conv_weights(0, 0).unwrap().shape(), &[1, 1, 1, 1]);
    assert!(m.inner_conv_weights(0, 1).is_none());
    assert!(m.inner_conv_weights(1, 0).is_none());
    // Engine order: the conv, then the add node, then the dense layer.
    assert!(matches!(m.layers()[0], Layer::Conv(_)));
    assert!(matches!(m.layers()[1], Layer::ResidualAdd { start: 0, .. }));
    assert!(matches!(m.layers()[2], Layer::Dense(_)));
    assert_eq!(m.engine_range(0), Some(0..2));
    assert_eq!(m.engine_range(1), Some(2..3));
    let flat = m.flat_layers();
    assert_eq!(
        flat.iter().map(|f| (f.top, f.inner)).collect::<Vec<_>>(),
        [(0, Some(0)), (0, None), (1, None)]
    );
}

#[test]
fn depthwise_weights_show_as_one_input_channel_each() {
    let spec = ModelSpec::parse("conv3k3s1p1,dwconv5s1p2,dense10").unwrap();
    let m = Model::new(&spec, 3).unwrap();
    assert_eq!(m.conv_weights(1).unwrap().shape(), &[3, 1, 5, 5]);
    // He init with fan-in k·k: standard deviation √(2/25) ≈ 0.28.
    let w = m.conv_weights(1).unwrap();
    let var = w.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / w.len() as f64;
    assert!((0.02..0.2).contains(&var), "variance {var}");
    assert!(m.param_vectors()[1][75..].iter().all(|b| *b == 0.0));
}

/// A random network, built layer by layer so that most come out valid: dilated convolutions,
/// depthwise ones, pools, ReLU, residual blocks (some with a mismatching shape), dense.
fn random_arch(r: &mut ChaCha8Rng) -> String {
    let window = |r: &mut ChaCha8Rng| {
        let k = r.random_range(1..=5);
        let d = r.random_range(1..=3);
        let pad = if r.random_bool(0.3) {
            "psame".to_string()
        } else {
            format!("p{}", r.random_range(0..(d * (k - 1) + 1)))
        };
        format!("{k}s{}{pad}d{d}", r.random_range(1..=3))
    };
    let mut layers = Vec::new();
    for _ in 0..r.random_range(1..=5) {
        let l = match r.random_range(0..7) {
            0 | 1 => format!("conv{}k{}", r.random_range(1..=6), window(r)),
            2 => format!("dwconv{}", window(r)),
            3 => "relu".into(),
            4 => format!(
                "{}{}s{}",
                ["max", "avg"][r.random_range(0..2)],
                r.random_range(1..=3),
                r.random_range(1..=3)
            ),
            5 => {
                let c = r.random_range(1..=6);
                let inner = [
                    format!("conv{c}k3s1p1,relu,conv{c}k3s1p1"),
                    "dwconv3s1psamed2,relu".into(),
                    format!("conv{c}k1,relu,dwconv5psame"),
                    "relu".into(),
                    "max3s1".into(),
                ];
                format!("res({})", inner[r.random_range(0..inner.len())])
            }
            _ => format!("dense{}", r.random_range(1..=20)),
        };
        layers.push(l);
    }
    layers.push("dense10".into());
    layers.join(",")
}

fn check_size(info: &LayerInfo) {
    let Some(a) = info.size else { return };
    // The formula, with the numbers the page shows.
    assert_eq!(a.input, info.input.h);
    assert_eq!(info.input.h, info.input.w);
    let expect = (a.input + 2 * a.pad - a.dilation * (a.kernel - 1) - 1) / a.stride + 1;
    assert_eq!(a.output, expect, "{}", info.name);
    assert_eq!(a.output, info.output.h, "{}", info.name);
    assert_eq!(a.output, info.output.w, "{}", info.name);
    // "Dropped": input rows no window covers, counted directly.
    let covered_to = (a.output - 1) * a.stride + a.span; // padded positions 0..covered_to
    let dropped = (a.input + a.pad).saturating_sub(covered_to);
    assert_eq!(a.dropped, dropped, "{}: {a:?}", info.name);
    assert_eq!(
        a.remainder,
        (a.input + 2 * a.pad - a.span) % a.stride,
        "{}",
        info.name
    );
    if let Some(dense) = info.dense_params {
        assert_eq!(
            dense,
            (info.input.len() * info.output.len() + info.output.len()) as u64
        );
    }
}

/// The requirement: the sizes the page shows (from `analyze`) are the sizes the
/// engine produces, across many configurations.
#[test]
fn shown_sizes_equal_the_engines() {
    let mut r = ChaCha8Rng::seed_from_u64(4);
    let (mut valid, mut with_res, mut with_dilation, mut with_dw) = (0, 0, 0, 0);
    for _ in 0..3000 {
        let arch = random_arch(&mut r);
        let Ok(spec) = ModelSpec::parse(&arch) else {
            continue;
        };
        valid += 1;
        with_res += arch.contains("res(") as usize;
        with_dw += arch.contains("dwconv") as usize;
        with_dilation += spec
            .flat_layers()
            .unwrap()
            .iter()
            .any(|f| f.info.size.is_some_and(|s| s.dilation > 1)) as usize;
        let infos = spec.analyze().unwrap();
        let model = Model::new(&spec, valid as u64).unwrap();
        let x: Vec<f32> = (0..784).map(|_| r.random_range(0.0f32..1.0)).collect();
        let taps = model.forward_taps_nested(&x);
        assert_eq!(taps.len(), infos.len(), "{arch}");
        let params = model.param_vectors();
        for ((info, tap), p) in infos.iter().zip(&taps).zip(&params) {
            let Shape { c, h, w } = info.output;
            assert_eq!(tap.output.dim(), (c, h, w), "{arch}: {}", info.name);
            assert_eq!(p.len(), info.params, "{arch}: {}", info.name);
            assert!(tap.output.iter().all(|v| v.is_finite()), "{arch}");
            check_size(info);
            assert_eq!(tap.inner.len(), info.inner.len(), "{arch}: {}", info.name);
            for (ii, t) in info.inner.iter().zip(&tap.inner) {
                let Shape { c, h, w } = ii.output;
                assert_eq!(t.dim(), (c, h, w), "{arch}: {}", ii.name);
                check_size(ii);
            }
        }
        // The engine's own layers agree with the flat description.
        for (layer, f) in model.layers().iter().zip(model.flat_layers()) {
            let out = match layer {
                Layer::Conv(c) => c.output,
                Layer::DwConv(c) => c.output,
                Layer::Pool(p) => p.output,
                Layer::Relu { shape } | Layer::ResidualAdd { shape, .. } => *shape,
                Layer::Dense(d) => Shape {
                    c: d.units,
                    h: 1,
                    w: 1,
                },
            };
            assert_eq!(out, f.info.output, "{arch}: {}", f.info.name);
        }
        assert_eq!(model.param_count(), spec.param_count());
        // Batched passes agree with the one-image taps.
        let mut ws = model.workspace(2);
        ws.input_mut()[..784].copy_from_slice(&x);
        ws.input_mut()[784..].copy_from_slice(&x);
        model.forward_train(&mut ws);
        let logits = taps.last().unwrap().output.as_slice().unwrap().to_vec();
        assert_eq!(&ws.logits()[..10], &logits[..], "{arch}");
        assert_eq!(&ws.logits()[10..], &logits[..], "{arch}");
    }
    println!("{valid} valid: {with_res} with res, {with_dw} with dwconv, {with_dilation} dilated");
    assert!(valid > 600 && with_res > 100 && with_dw > 100 && with_dilation > 100);
}

#[test]
fn model_file_and_param_vectors_with_new_layers() {
    let spec = ModelSpec::parse(
        "conv4k3s1p2d2,relu,res(dwconv3s1p1,relu,conv4k1),max2s2,dwconv3s2psamed2,res(relu),dense10",
    )
    .unwrap();
    let m = Model::new(&spec, 9).unwrap();
    let bytes = m.to_bytes();
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.param_vectors(), m.param_vectors());
    // A block's vector is its layers' parameters one after the other.
    let infos = m.infos();
    assert_eq!(infos[2].params, (4 * 9 + 4) + (4 * 4 + 4));
    assert_eq!(m.param_vectors()[2].len(), infos[2].params);
    assert!(m.param_vectors()[5].is_empty());
    // set_param_vectors routes every value to its layer.
    let mut v = m.param_vectors();
    for (i, p) in v.iter_mut().enumerate() {
        for (j, x) in p.iter_mut().enumerate() {
            *x = (i * 1000 + j) as f32;
        }
    }
    let mut m2 = m.clone();
    m2.set_param_vectors(&v).unwrap();
    assert_eq!(m2.param_vectors(), v);
    assert_eq!(m2.inner_conv_weights(2, 0).unwrap()[[1, 0, 0, 0]], 2009.0);
    assert_eq!(m2.inner_conv_weights(2, 2).unwrap()[[0, 0, 0, 0]], 2040.0);
    let mut short = v.clone();
    short[2].pop();
    assert_eq!(
        m2.set_param_vectors(&short).unwrap_err(),
        "res1: expected 60 parameters, got 59"
    );
    // Training steps change the block's parameters and keep everything finite.
    let mut opt = convscope::nn::optim::Optimizer::new(convscope::nn::OptimizerKind::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    });
    let mut m3 = m.clone();
    let mut ws = m3.workspace(4);
    let mut r = ChaCha8Rng::seed_from_u64(2);
    for x in ws.input_mut() {
        *x = r.random_range(0.0..1.0);
    }
    let labels = [1u8, 2, 3, 4];
    let mut losses = Vec::new();
    for _ in 0..30 {
        m3.forward_train(&mut ws);
        losses.push(m3.loss(&mut ws, &labels).0);
        m3.backward(&mut ws);
        m3.apply_gradients(&mut opt, 0.01, &ws);
    }
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(losses[29] < losses[0] * 0.5, "{losses:?}");
    assert_ne!(m3.param_vectors()[2], m.param_vectors()[2]);
}

#[test]
fn a_block_of_the_same_shape_can_sit_anywhere() {
    // Right at the input (the skip carries the image), after a dense layer, twice in a row.
    for arch in [
        "res(conv2k3s1p1,relu,conv1k3s1p1),dense10",
        "dense16,res(relu,dense16),res(dense16),dense10",
        "conv2k3s2p1,res(relu),res(dwconv3psame),relu,dense10",
    ] {
        let spec = ModelSpec::parse(arch).unwrap();
        let m = Model::new(&spec, 5).unwrap();
        let p = m.predict(&[0.5; 784]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{arch}");
        assert!(spec
            .layers
            .iter()
            .any(|l| matches!(l, LayerSpec::Residual { .. })));
    }
}
