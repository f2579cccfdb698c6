// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The trainer: determinism, and that the benchmark's ref-A network actually learns MNIST.

use convscope::data::mnist::{Augment, Mnist, TEST, TRAIN};
use convscope::nn::optim::{Hyper, OptimizerKind};
use convscope::nn::spec::ModelSpec;
use convscope::train::Trainer;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::rc::Rc;
use std::time::Instant;

fn data() -> Rc<Mnist> {
    Rc::new(Mnist::load_default().unwrap_or_else(|e| panic!("{e}")))
}

fn sgd(lr: f32, batch: usize) -> Hyper {
    Hyper {
        learning_rate: lr,
        batch_size: batch,
        optimizer: OptimizerKind::Sgd { momentum: 0.9 },
    }
}

fn run(data: &Rc<Mnist>, seed: u64, hyper: Hyper, augment: bool, steps: usize) -> Vec<Vec<f32>> {
    let mut t = Trainer::new(&ModelSpec::ref_b(), seed, hyper, data.clone()).unwrap();
    if augment {
        t.set_augment(Some(Augment::default()));
    }
    for _ in 0..steps {
        t.step();
    }
    t.model().param_vectors()
}

#[test]
fn same_seed_same_parameters() {
    let d = data();
    for (hyper, augment) in [(sgd(0.01, 24), false), (Hyper::default(), true)] {
        let a = run(&d, 7, hyper, augment, 30);
        let b = run(&d, 7, hyper, augment, 30);
        assert!(a == b, "same seed must give bit-identical parameters");
        let c = run(&d, 8, hyper, augment, 30);
        assert!(a != c, "another seed must give another run");
    }
    // Augmentation changes the run; it does not change the initial model.
    assert!(run(&d, 7, sgd(0.01, 24), false, 5) != run(&d, 7, sgd(0.01, 24), true, 5));
    assert!(run(&d, 7, sgd(0.01, 24), false, 0) == run(&d, 7, sgd(0.01, 24), true, 0));

    // reset() reinitialises model, optimizer and batch order.
    let mut t = Trainer::new(&ModelSpec::ref_b(), 7, sgd(0.01, 24), d.clone()).unwrap();
    let first: Vec<_> = (0..5).map(|_| t.step()).collect();
    assert_eq!(t.examples_seen(), 5 * 24);
    t.reset();
    assert_eq!(t.examples_seen(), 0);
    let again: Vec<_> = (0..5).map(|_| t.step()).collect();
    assert!(first == again);
}

#[test]
fn steps_report_the_batch_and_cross_epochs() {
    let d = data();
    // A batch size that does not divide 8,000: batches wrap into the next epoch's shuffle.
    let mut t = Trainer::new(
        &ModelSpec::parse("avg4,dense10").unwrap(),
        3,
        sgd(0.3, 240),
        d,
    )
    .unwrap();
    let mut correct = Vec::new();
    for _ in 0..40 {
        let s = t.step();
        assert_eq!(s.batch, 240);
        assert!(s.loss.is_finite() && s.correct <= 240);
        correct.push(s.correct);
    }
    assert_eq!(t.examples_seen(), 9600);
    let last: usize = correct[30..].iter().sum();
    println!("correct per batch: {correct:?}");
    assert!(
        last > 2400 * 6 / 10,
        "even logistic regression on 7×7 learns ({last}/2400 in the last 10 batches)"
    );
    // Hyper-parameters from the UI are clamped, not trusted.
    t.set_hyper(Hyper {
        learning_rate: f32::NAN,
        batch_size: 0,
        ..Hyper::default()
    });
    assert_eq!(t.hyper().batch_size, 1);
    assert_eq!(t.hyper().learning_rate, 0.0);
    assert_eq!(t.step().batch, 1);
    t.set_hyper(Hyper {
        batch_size: 1 << 30,
        ..Hyper::default()
    });
    assert_eq!(t.hyper().batch_size, convscope::train::MAX_BATCH);
    // evaluate() clips its range.
    let all = t.evaluate(0..usize::MAX);
    assert!(all > 0.5 && all <= 1.0);
    assert_eq!(t.evaluate(10_000..20_000), 0.0);
}

#[test]
fn augment_identity_and_determinism() {
    let d = data();
    let none = Augment {
        shift: 0.0,
        rotate_deg: 0.0,
        scale: (1.0, 1.0),
        aspect: 0.0,
        shear: 0.0,
        thickness: 0.0,
        european: 0.0,
    };
    let mut out = vec![0.0; 784];
    let mut r = ChaCha8Rng::seed_from_u64(1);
    none.apply(d.pixels(0), d.label(0), &mut out, &mut r);
    assert!(out == d.image(0), "a zero distortion is the identity");

    let a = Augment::default();
    let (mut x, mut y) = (vec![0.0; 784], vec![0.0; 784]);
    a.apply(
        d.pixels(5),
        d.label(5),
        &mut x,
        &mut ChaCha8Rng::seed_from_u64(9),
    );
    a.apply(
        d.pixels(5),
        d.label(5),
        &mut y,
        &mut ChaCha8Rng::seed_from_u64(9),
    );
    assert!(x == y, "same RNG state, same distortion");
    // Distortions are small: values stay in [0, 1] and the amount of ink stays comparable.
    let mut r = ChaCha8Rng::seed_from_u64(2);
    let mut changed = 0;
    for i in 0..200 {
        a.apply(d.pixels(i), d.label(i), &mut x, &mut r);
        assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
        let ink: f32 = x.iter().sum();
        let orig: f32 = d.image(i).iter().sum();
        assert!(
            ink > 0.35 * orig && ink < 2.2 * orig,
            "sample {i}: ink {ink} vs {orig}"
        );
        changed += (x != d.image(i)) as usize;
    }
    assert_eq!(changed, 200);
}

/// ref-A (the ConvNetJS demo net) trained on the 8,000-sample training split reaches ≥ 97%
/// on the 2,000-sample test split: 6 epochs of SGD with momentum 0.9, batch 32, learning
/// rate 0.02 decayed ×0.75 per epoch, mild augmentation (without it this small training set
/// is overfitted at ~97.2–97.5%, too close to the bar).
#[test]
fn ref_a_learns_mnist() {
    let d = data();
    let start = Instant::now();
    let mut hyper = sgd(0.02, 32);
    let mut t = Trainer::new(&ModelSpec::ref_a(), 1, hyper, d)
        .unwrap()
        .with_augment(Augment {
            shift: 1.5,
            rotate_deg: 8.0,
            scale: (0.9, 1.1),
            aspect: 0.05,
            shear: 0.1,
            thickness: 0.0,
            european: 0.0,
        });
    let before = t.evaluate(TEST);
    let steps = TRAIN.len() / 32;
    let mut acc = 0.0;
    for epoch in 0..6 {
        let mut loss = 0.0;
        for _ in 0..steps {
            loss += t.step().loss;
        }
        acc = t.evaluate(TEST);
        println!(
            "epoch {}: lr {:.4}, mean loss {:.4}, test {:.2}%, {:.1} s",
            epoch + 1,
            hyper.learning_rate,
            loss / steps as f32,
            100.0 * acc,
            start.elapsed().as_secs_f64()
        );
        hyper.learning_rate *= 0.75;
        t.set_hyper(hyper);
    }
    println!(
        "ref-A: test accuracy {:.2}% (untrained {:.2}%) after {} examples in {:.1} s",
        100.0 * acc,
        100.0 * before,
        t.examples_seen(),
        start.elapsed().as_secs_f64()
    );
    assert!(before < 0.3);
    assert!(acc >= 0.97, "test accuracy {acc}");
}

#[test]
fn learning_rate_schedule_decays_by_examples_seen() {
    use convscope::train::LrSchedule;
    assert_eq!(LrSchedule::Constant.rate(0.05, 1_000_000), 0.05);
    let decay = LrSchedule::Decay {
        halve_after: 40_000,
    };
    assert_eq!(decay.rate(0.05, 0), 0.05);
    assert!((decay.rate(0.05, 40_000) - 0.025).abs() < 1e-7);
    assert!((decay.rate(0.06, 80_000) - 0.02).abs() < 1e-7);
    // A zero period cannot divide by zero: the rate stays as set.
    assert_eq!(LrSchedule::Decay { halve_after: 0 }.rate(0.05, 10), 0.05);

    // The trainer uses it: after `halve_after` examples a step moves the weights by half as
    // much as with the constant rate from the same state (plain SGD, no momentum).
    let d = data();
    let plain = Hyper {
        learning_rate: 0.05,
        batch_size: 10,
        optimizer: OptimizerKind::Sgd { momentum: 0.0 },
    };
    let mut t = Trainer::new(&ModelSpec::ref_b(), 3, plain, d.clone()).unwrap();
    t.set_schedule(LrSchedule::Decay { halve_after: 10 });
    assert_eq!(t.current_learning_rate(), 0.05);
    t.step();
    assert!((t.current_learning_rate() - 0.025).abs() < 1e-7);
    let mut constant = Trainer::new(&ModelSpec::ref_b(), 3, plain, d).unwrap();
    constant.step();
    assert!(
        t.model().param_vectors() == constant.model().param_vectors(),
        "the first step uses the full rate"
    );
    let before = t.model().param_vectors();
    t.step();
    constant.step();
    let moved = |a: &[Vec<f32>], b: &[Vec<f32>]| -> f64 {
        a.iter()
            .flatten()
            .zip(b.iter().flatten())
            .map(|(x, y)| (x - y).abs() as f64)
            .sum()
    };
    let decayed = moved(&before, &t.model().param_vectors());
    let full = moved(&before, &constant.model().param_vectors());
    assert!(
        (decayed / full - 0.5).abs() < 1e-3,
        "decayed step {decayed} vs full {full}"
    );
    // reset() keeps the schedule and restarts its count.
    t.reset();
    assert_eq!(t.schedule(), LrSchedule::Decay { halve_after: 10 });
    assert_eq!(t.current_learning_rate(), 0.05);
}
