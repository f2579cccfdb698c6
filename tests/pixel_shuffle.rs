// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The pixel-shuffle experiment: one fixed permutation of the pixels, and what it does to an
//! MLP (nothing) and to a CNN (it loses its edge), trained on the real MNIST digits.

use convscope::data::mnist::{Mnist, PIXELS, TEST};
use convscope::data::pixel_shuffle::PixelShuffle;
use convscope::nn::optim::Hyper;
use convscope::nn::spec::ModelSpec;
use convscope::train::{evaluate_shuffled, Trainer};
use std::rc::Rc;

#[test]
fn one_fixed_permutation() {
    let p = PixelShuffle::fixed();
    assert_eq!(p, PixelShuffle::fixed(), "the same permutation every time");
    let mut seen = vec![false; PIXELS];
    for i in 0..PIXELS {
        assert!(!seen[p.source(i)], "pixel {} used twice", p.source(i));
        seen[p.source(i)] = true;
    }
    let moved = (0..PIXELS).filter(|&i| p.source(i) != i).count();
    assert!(moved > PIXELS * 9 / 10, "only {moved} pixels move");

    let image: Vec<f32> = (0..PIXELS).map(|i| i as f32).collect();
    let out = p.shuffled(&image);
    for (i, v) in out.iter().enumerate() {
        assert_eq!(*v, p.source(i) as f32);
    }
    let mut in_place = image.clone();
    p.apply_in_place(&mut in_place, &mut vec![0.0; PIXELS]);
    assert_eq!(in_place, out);
}

fn accuracy_after(data: &Rc<Mnist>, spec: &ModelSpec, shuffle: bool, steps: usize) -> f32 {
    let hyper = Hyper::default(); // Adam 0.001, batch 32
    let mut t = Trainer::new(spec, 1, hyper, data.clone()).unwrap();
    t.set_pixel_shuffle(shuffle.then(PixelShuffle::fixed));
    for _ in 0..steps {
        t.step();
    }
    let acc = t.evaluate(TEST);
    // The trainer evaluates the images it was trained on: shuffled ones when shuffling.
    let p = PixelShuffle::fixed();
    assert_eq!(
        acc,
        evaluate_shuffled(t.model(), data, TEST, shuffle.then_some(&p))
    );
    acc
}

#[test]
fn shuffling_hurts_the_cnn_and_not_the_mlp() {
    let data = Rc::new(Mnist::load_default().unwrap_or_else(|e| panic!("{e}")));
    let steps = 750; // 24,000 examples
    let cnn = ModelSpec::ref_a();
    let mlp = ModelSpec::parse("dense100,relu,dense10").unwrap();
    let (cnn_plain, cnn_shuffled) = (
        accuracy_after(&data, &cnn, false, steps),
        accuracy_after(&data, &cnn, true, steps),
    );
    let (mlp_plain, mlp_shuffled) = (
        accuracy_after(&data, &mlp, false, steps),
        accuracy_after(&data, &mlp, true, steps),
    );
    println!(
        "after {steps} steps: CNN {cnn_plain:.4} → {cnn_shuffled:.4} shuffled; \
         MLP {mlp_plain:.4} → {mlp_shuffled:.4} shuffled"
    );
    assert!(cnn_plain > 0.95, "the CNN learns plain digits: {cnn_plain}");
    assert!(
        cnn_plain - cnn_shuffled > 0.03,
        "shuffling costs the CNN: {cnn_plain} → {cnn_shuffled}"
    );
    assert!(mlp_plain > 0.90, "the MLP learns plain digits: {mlp_plain}");
    assert!(
        (mlp_plain - mlp_shuffled).abs() < 0.015,
        "the MLP does not care: {mlp_plain} → {mlp_shuffled}"
    );
}
