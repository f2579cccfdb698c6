// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Every preset architecture trains on the real MNIST asset: a few hundred Adam steps take
//! each one clearly above chance (10%) on held-out test digits.

use convscope::data::mnist::{Mnist, TEST};
use convscope::nn::optim::Hyper;
use convscope::nn::spec::ModelSpec;
use convscope::train::Trainer;
use std::rc::Rc;
use std::time::Instant;

const STEPS: usize = 300;
const AT_LEAST: f32 = 0.85;

fn trains(name: &str, spec: ModelSpec) {
    let data = Rc::new(Mnist::load_default().unwrap_or_else(|e| panic!("{e}")));
    let hyper = Hyper {
        learning_rate: 0.002,
        batch_size: 32,
        ..Hyper::default()
    };
    let t0 = Instant::now();
    let mut t = Trainer::new(&spec, 1, hyper, data).unwrap();
    let before = t.evaluate(TEST.start..TEST.start + 500);
    let mut losses = Vec::new();
    for _ in 0..STEPS {
        let s = t.step();
        assert!(s.loss.is_finite(), "{name}: loss {}", s.loss);
        losses.push(s.loss);
    }
    let after = t.evaluate(TEST.start..TEST.start + 500);
    let first: f32 = losses[..20].iter().sum::<f32>() / 20.0;
    let last: f32 = losses[STEPS - 20..].iter().sum::<f32>() / 20.0;
    println!(
        "{name}: {} parameters, test accuracy {before:.3} → {after:.3}, loss {first:.3} → {last:.3}, {:.1} s",
        spec.param_count(),
        t0.elapsed().as_secs_f64()
    );
    assert!(after >= AT_LEAST, "{name}: {after} after {STEPS} steps");
    assert!(last < first * 0.5, "{name}: loss {first} → {last}");
}

#[test]
fn lenet5_like_trains() {
    trains("LeNet-5-like", ModelSpec::lenet5_like());
}

#[test]
fn mlp_trains() {
    trains("MLP", ModelSpec::mlp());
}

#[test]
fn tiny_resnet_trains() {
    trains("tiny ResNet", ModelSpec::tiny_resnet());
}

#[test]
fn mobilenet_like_trains() {
    trains("MobileNet-like", ModelSpec::mobilenet_like());
}

#[test]
fn ref_a_and_ref_b_train() {
    trains("ref-A", ModelSpec::ref_a());
    trains("ref-B", ModelSpec::ref_b());
}
