//! The worker's training session, run in the browser exactly as the reactor runs it:
//! control messages, units of work, coalesced snapshots, chunked test evaluation.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use convscope::data::mnist::{Mnist, TEST};
use convscope::nn::model::Model;
use convscope::nn::optim::Hyper;
use convscope::nn::spec::ModelSpec;
use convscope::protocol::{Init, LiveView, Recipe, Snapshot, ToWorker, LR_HALVE_AFTER_EXAMPLES};
use convscope::worker::fetch::fetch_bytes;
use convscope::worker::session::{recipe_of, Session, SNAPSHOT_INTERVAL_MS};
use convscope::worker::timing::{now_ms, yield_now};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// 10 000 synthetic digits: class k is a bright vertical bar at column 2 + 2k, so a
/// few steps are enough to learn something and evaluation has a right answer.
fn synthetic_mnist() -> Rc<Mnist> {
    let n = TEST.end;
    let mut pixels = vec![0u8; n * 784];
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let label = (i * 7 % 10) as u8;
        let col = 2 + 2 * label as usize;
        for row in 4..24 {
            pixels[i * 784 + row * 28 + col] = 255;
            pixels[i * 784 + row * 28 + col + 1] = 200;
        }
        labels.push(label);
    }
    Rc::new(Mnist::from_parts(pixels, labels).expect("valid synthetic set"))
}

/// A clock that advances 1 ms per reading, so units have a deterministic size.
fn fake_clock() -> impl Fn() -> f64 {
    let t = Cell::new(0.0);
    move || {
        t.set(t.get() + 1.0);
        t.get()
    }
}

fn session(page_seed: u64) -> (Session, Vec<Vec<f32>>) {
    let spec = ModelSpec::ref_a();
    let page = Model::new(&spec, page_seed).unwrap().param_vectors();
    let init = Init {
        data_url: "unused".into(),
        spec,
        seed: 42,
        hyper: Hyper {
            batch_size: 16,
            ..Hyper::default()
        },
        recipe: Recipe::default(),
        params: page.clone(),
    };
    (
        Session::new(init, synthetic_mnist()).expect("session"),
        page,
    )
}

/// Runs units until the session has nothing left to do (or a limit), returning the
/// last snapshot it produced.
fn run_idle(s: &mut Session, clock: &dyn Fn() -> f64) -> Option<Snapshot> {
    let mut last = None;
    for _ in 0..10_000 {
        if !s.has_work() {
            break;
        }
        s.unit(clock);
        if let Some(snap) = s.take_snapshot(clock()) {
            last = Some(snap);
        }
    }
    last
}

#[wasm_bindgen_test]
fn step_trains_one_batch_and_changes_the_weights() {
    let (mut s, page) = session(1);
    let clock = fake_clock();
    // Start-up: the page's weights are evaluated on the test split before any training.
    let first = run_idle(&mut s, &clock).expect("a snapshot after start-up");
    assert_eq!(first.params, page, "start-up shows the page's weights");
    let acc = first
        .test_accuracy
        .expect("the starting weights are evaluated");
    assert!((0.0..=1.0).contains(&acc.value));
    assert_eq!(acc.at_examples, 0);
    assert_eq!(first.examples_seen, 0);
    assert!(!first.running);

    let before = s.trainer().model().param_vectors();
    s.handle(ToWorker::Step, clock());
    let snap = s
        .take_snapshot(clock())
        .expect("a snapshot right after a step");
    assert_eq!(snap.examples_seen, 16);
    assert_eq!(snap.metrics.batches, 1);
    assert_eq!(snap.metrics.examples, 16);
    assert!(snap.metrics.mean_loss().unwrap().is_finite());
    assert_eq!(snap.params.len(), before.len());
    assert_ne!(snap.params, before, "one step changes the weights");
    assert!(!snap.running);
    assert_eq!(snap.examples_per_sec, None, "no throughput while paused");

    // A smaller batch applies from the next step on.
    s.handle(
        ToWorker::SetHyper(Hyper {
            batch_size: 4,
            ..Hyper::default()
        }),
        clock(),
    );
    s.handle(ToWorker::Step, clock());
    assert_eq!(s.take_snapshot(clock()).unwrap().examples_seen, 20);
}

#[wasm_bindgen_test]
fn train_runs_in_units_and_snapshots_are_rate_limited_and_coalesced() {
    let (mut s, _) = session(2);
    let clock = fake_clock();
    run_idle(&mut s, &clock);

    s.handle(ToWorker::Train, clock());
    assert!(s.is_running() && s.has_work());
    s.unit(&clock);
    // The idle snapshots above were just sent, so the first one waits an interval.
    assert!(s.take_snapshot(clock()).is_none());
    let first = s
        .take_snapshot(clock() + SNAPSHOT_INTERVAL_MS)
        .expect("first snapshot while running");
    assert!(first.running);
    assert!(first.metrics.batches >= 1);
    assert_eq!(first.examples_seen, 16 * first.metrics.batches as u64);
    // Within the interval nothing is sent; the metrics pile up for the next one.
    s.unit(&clock);
    assert!(s.take_snapshot(clock()).is_none());
    s.unit(&clock);
    let t = clock() + 3.0 * SNAPSHOT_INTERVAL_MS;
    let second = s.take_snapshot(t).expect("due after the interval");
    assert_eq!(
        second.examples_seen,
        first.examples_seen + second.metrics.examples as u64,
        "coalesced metrics cover everything since the previous snapshot"
    );
    assert!(second.metrics.batches >= 2);
    assert!(second.examples_per_sec.unwrap() > 0.0);

    s.handle(ToWorker::Pause, clock());
    let paused = s
        .take_snapshot(clock())
        .expect("pausing is reported at once");
    assert!(!paused.running);
    let seen = paused.examples_seen;
    // Paused: units only evaluate, they never train.
    run_idle(&mut s, &clock);
    assert_eq!(s.trainer().examples_seen(), seen);
}

#[wasm_bindgen_test]
fn live_view_off_only_slows_the_snapshots() {
    let (mut s, _) = session(2);
    let clock = fake_clock();
    run_idle(&mut s, &clock);
    s.handle(ToWorker::SetLive(LiveView::Off), clock());
    s.handle(ToWorker::Train, clock());
    s.unit(&clock);
    // The normal interval is not enough any more …
    assert!(s.take_snapshot(clock() + SNAPSHOT_INTERVAL_MS).is_none());
    // … the live-off interval is, and training went on meanwhile.
    let t = clock() + LiveView::Off.snapshot_interval_ms();
    let snap = s
        .take_snapshot(t)
        .expect("a snapshot after the live-off interval");
    assert!(snap.running && snap.metrics.batches >= 1);
    // Pausing is still reported at once.
    s.handle(ToWorker::Pause, clock());
    assert!(!s.take_snapshot(clock()).expect("pause reported").running);
    // And live on again restores the normal rate.
    s.handle(ToWorker::SetLive(LiveView::On), clock());
    s.handle(ToWorker::Train, clock());
    s.unit(&clock);
    assert!(s.take_snapshot(clock() + SNAPSHOT_INTERVAL_MS).is_some());
}

#[wasm_bindgen_test]
fn reset_starts_a_new_run_from_the_seed_and_re_evaluates() {
    let (mut s, _) = session(3);
    let clock = fake_clock();
    run_idle(&mut s, &clock);
    for _ in 0..3 {
        s.handle(ToWorker::Step, clock());
    }
    run_idle(&mut s, &clock);

    s.handle(ToWorker::Reset, clock());
    let snap = s.take_snapshot(clock()).expect("reset is reported");
    assert_eq!(snap.run, 1);
    assert_eq!(snap.examples_seen, 0);
    assert_eq!(
        snap.test_accuracy, None,
        "the old run's accuracy is dropped"
    );
    let fresh = Model::new(&ModelSpec::ref_a(), 42).unwrap().param_vectors();
    assert_eq!(snap.params, fresh, "reset reinitialises from the seed");

    let after = run_idle(&mut s, &clock).expect("evaluation result");
    let acc = after
        .test_accuracy
        .expect("the fresh weights are evaluated");
    assert_eq!(acc.at_examples, 0);
}

#[wasm_bindgen_test]
fn set_architecture_rebuilds_the_network_from_the_seed_and_starts_a_new_run() {
    let (mut s, _) = session(3);
    let clock = fake_clock();
    run_idle(&mut s, &clock);
    s.handle(ToWorker::Step, clock());
    run_idle(&mut s, &clock);
    s.handle(ToWorker::Train, clock());
    s.unit(&clock);
    assert!(s.is_running());

    let spec = ModelSpec::parse("conv4k3s2p1,relu,max2s2,dense10").unwrap();
    s.handle(ToWorker::SetArchitecture(spec.clone()), clock());
    assert!(!s.is_running(), "a new network starts paused");
    let snap = s
        .take_snapshot(clock())
        .expect("the new network is reported");
    assert_eq!(snap.run, 1);
    assert_eq!(snap.examples_seen, 0);
    assert_eq!(snap.test_accuracy, None);
    let fresh = Model::new(&spec, 42).unwrap().param_vectors();
    assert_eq!(
        snap.params, fresh,
        "the page's Model::new(spec, seed) weights"
    );

    // It trains and evaluates the new network.
    s.handle(ToWorker::Step, clock());
    let after = run_idle(&mut s, &clock).expect("a snapshot");
    assert_eq!(after.examples_seen, 16);
    assert_eq!(after.params.len(), spec.layers.len());
    assert!(after.test_accuracy.is_some());

    // A spec that cannot be built changes nothing and is an error, not a panic.
    let bad = ModelSpec {
        layers: vec![convscope::nn::spec::LayerSpec::Dense { units: 0 }],
    };
    assert!(s.set_architecture(bad).is_err());
    assert_eq!(s.trainer().model().spec(), &spec);
}

#[wasm_bindgen_test]
fn a_bad_data_set_is_an_error_not_a_panic() {
    let small = Rc::new(Mnist::from_parts(vec![0; 784 * 10], vec![1; 10]).unwrap());
    let init = Init {
        data_url: "unused".into(),
        spec: ModelSpec::ref_a(),
        seed: 1,
        hyper: Hyper::default(),
        recipe: Recipe::default(),
        params: vec![],
    };
    let err = Session::new(init, small)
        .err()
        .expect("too small a set is refused");
    assert!(err.contains("10 images"), "{err}");
}

#[wasm_bindgen_test]
async fn yielding_lets_the_event_loop_run_and_resumes() {
    let t0 = now_ms();
    for _ in 0..20 {
        yield_now().await;
    }
    // A MessageChannel hop is far below setTimeout's 4 ms nested clamp.
    assert!(now_ms() - t0 < 60.0, "20 yields took {} ms", now_ms() - t0);
}

#[wasm_bindgen_test]
async fn fetch_failures_are_readable_messages() {
    let err = fetch_bytes("/no-such-asset-convscope.bin")
        .await
        .expect_err("404");
    assert!(err.contains("404"), "{err}");
}

#[wasm_bindgen_test]
fn the_recipe_switches_augmentation_and_learning_rate_decay() {
    let (mut s, _) = session(3);
    let clock = fake_clock();
    run_idle(&mut s, &clock);
    assert_eq!(
        recipe_of(s.trainer()),
        Recipe::default(),
        "Init's recipe is applied"
    );
    let set_rate = s.trainer().hyper().learning_rate;

    let decay = Recipe {
        augment: false,
        lr_decay: true,
        shuffle_pixels: true,
    };
    s.handle(ToWorker::SetRecipe(decay), clock());
    assert_eq!(recipe_of(s.trainer()), decay);
    assert!(s.trainer().augment().is_none());
    assert!(s.trainer().pixel_shuffle().is_some());
    s.handle(ToWorker::Step, clock());
    let snap = s.take_snapshot(clock()).expect("a snapshot after a step");
    let expected = set_rate / (1.0 + 16.0 / LR_HALVE_AFTER_EXAMPLES as f32);
    assert!(
        (snap.learning_rate - expected).abs() < 1e-9,
        "after 16 examples the rate is {} (expected {expected})",
        snap.learning_rate
    );
    assert!(snap.learning_rate < set_rate);

    // A new architecture keeps the recipe; Reset restarts the decay.
    s.set_architecture(ModelSpec::mlp()).expect("a valid spec");
    assert_eq!(recipe_of(s.trainer()), decay);
    s.handle(ToWorker::Reset, clock());
    let snap = run_idle(&mut s, &clock).expect("a snapshot after reset");
    assert_eq!(snap.learning_rate, set_rate);

    s.handle(ToWorker::SetRecipe(Recipe::default()), clock());
    assert_eq!(recipe_of(s.trainer()), Recipe::default());
    assert!(s.trainer().augment().is_some());
}
