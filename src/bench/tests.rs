//! Native tests of the pure parts of bench mode, and of the measurement driver run with the
//! real engine and a real clock on a small synthetic data set.

use super::config::{
    bench_requested, query_pairs, query_value, BenchConfig, Mode, Net, Phase, MAX_BATCH,
};
use super::driver::{measure_accuracy, run_phases, Engine, Host};
use super::engine::{expected_shapes, DataHeader, NnEngine, SliceData, HEADER_LEN, PIXELS};
use super::result::{BenchResult, Env, PhaseResult, Phases, Subject, SCHEMA};
use super::stats::{js_round, median, quantile, r4, spread};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

// ------------------------------------------------------------------ config

#[test]
fn defaults_match_bench_core() {
    let c = BenchConfig::from_query("").unwrap();
    assert_eq!(c, BenchConfig::default());
    assert_eq!(c.net, Net::RefA);
    assert_eq!(c.mode, Mode::Main);
    assert_eq!(c.phases, ["train_b1", "train_b64", "infer", "accuracy"]);
    assert_eq!(
        (
            c.reps,
            c.rep_ms,
            c.warmup_ms,
            c.warmup_steps,
            c.infer_rep_ms
        ),
        (5, 600.0, 500.0, 3, 250.0)
    );
    assert_eq!((c.lr, c.momentum, c.seed), (0.01, 0.9, 1));
    assert_eq!((c.train_n, c.test_n, c.acc_batch), (8000, 2000, 64));
    assert_eq!(c.data, "/data/mnist-10k.bin");
}

#[test]
fn harness_query_is_understood() {
    // what harness/bench.mjs makes of '/app/index.html?bench' + its params (URLSearchParams.set)
    let q = "?bench=&net=ref-B&mode=worker&phases=train_b1%2Ctrain_b64&reps=3&rep_ms=250\
             &data=%2Fdata%2Fmnist-10k.bin&warmup_ms=200&infer_rep_ms=100";
    assert!(bench_requested(q));
    let c = BenchConfig::from_query(q).unwrap();
    assert_eq!(c.net, Net::RefB);
    assert_eq!(c.mode, Mode::Worker);
    assert_eq!(c.phases, ["train_b1", "train_b64"]);
    assert_eq!(
        (c.reps, c.rep_ms, c.warmup_ms, c.infer_rep_ms),
        (3, 250.0, 200.0, 100.0)
    );
    assert_eq!(c.data, "/data/mnist-10k.bin");
    // untouched keys keep their defaults
    assert_eq!((c.warmup_steps, c.seed, c.acc_batch), (3, 1, 64));
}

#[test]
fn every_optional_parameter_overrides() {
    let c = BenchConfig::from_query(
        "warmup_ms=0&warmup_steps=0&infer_rep_ms=50&lr=0.1&momentum=0&seed=42&train_n=100&test_n=20&acc_batch=10\
         &data=https://x.test/d.bin&lib=ignored&adapter=ignored",
    )
    .unwrap();
    assert_eq!(
        (c.warmup_ms, c.warmup_steps, c.infer_rep_ms),
        (0.0, 0, 50.0)
    );
    assert_eq!((c.lr, c.momentum, c.seed), (0.1, 0.0, 42));
    assert_eq!((c.train_n, c.test_n, c.acc_batch), (100, 20, 10));
    assert_eq!(c.data, "https://x.test/d.bin");
}

#[test]
fn query_decoding_follows_urlsearchparams() {
    assert_eq!(
        query_pairs("?a=1&b=x+y&c=%2Fp%20q&d&=e&&f=%zz&g=%4"),
        [
            ("a", "1"),
            ("b", "x y"),
            ("c", "/p q"),
            ("d", ""),
            ("", "e"),
            ("f", "%zz"),
            ("g", "%4")
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    assert_eq!(
        query_pairs("x=%C3%A9"),
        [("x".to_string(), "é".to_string())]
    );
    // the last occurrence wins, as in bench-core's loop
    assert_eq!(BenchConfig::from_query("reps=2&reps=7").unwrap().reps, 7);
    assert_eq!(query_value("net=a&net=b", "net").as_deref(), Some("b"));
    assert_eq!(query_value("net=a", "mode"), None);
    // phases: commas, blanks, empties
    assert_eq!(
        BenchConfig::from_query("phases=+infer+,,accuracy,")
            .unwrap()
            .phases,
        ["infer", "accuracy"]
    );
    assert!(BenchConfig::from_query("phases=")
        .unwrap()
        .phases
        .is_empty());
}

#[test]
fn bench_mode_needs_the_bench_key() {
    assert!(bench_requested("?bench"));
    assert!(bench_requested("?net=ref-A&bench=1"));
    assert!(!bench_requested(""));
    assert!(!bench_requested("?benchmark=1&net=ref-A"));
}

#[test]
fn junk_values_are_errors_not_panics() {
    for q in [
        "net=ref-C",
        "net=",
        "mode=gpu",
        "reps=abc",
        "reps=",
        "reps=0",
        "reps=2.5",
        "reps=-1",
        "reps=1e9",
        "rep_ms=NaN",
        "rep_ms=Infinity",
        "rep_ms=0",
        "warmup_ms=-5",
        "warmup_steps=1.5",
        "infer_rep_ms=x",
        "lr=-0.1",
        "lr=inf",
        "momentum=1",
        "momentum=-0.1",
        "seed=-1",
        "seed=0.5",
        "seed=99999999999999999999",
        "train_n=0",
        "test_n=0",
        "acc_batch=0",
        "acc_batch=5000",
        "data=",
        "reps=%FF%FE",
    ] {
        let e = BenchConfig::from_query(q).expect_err(q);
        let key = q.split('=').next().unwrap();
        assert!(e.contains(key), "{q}: error {e:?} should name {key}");
    }
}

#[test]
fn phase_names() {
    assert_eq!(Phase::parse("train_b1"), Phase::Train(Ok(1)));
    assert_eq!(Phase::parse("train_b64"), Phase::Train(Ok(64)));
    assert_eq!(
        Phase::parse(&format!("train_b{MAX_BATCH}")),
        Phase::Train(Ok(MAX_BATCH))
    );
    for bad in ["train_b0", "train_b1025", "train_b99999999999999999999999"] {
        assert!(matches!(Phase::parse(bad), Phase::Train(Err(_))), "{bad}");
    }
    assert_eq!(Phase::parse("infer"), Phase::Infer);
    assert_eq!(Phase::parse("accuracy"), Phase::Accuracy);
    for unknown in [
        "",
        "train_b",
        "train_b-1",
        "train_bx",
        "train_b 1",
        "Infer",
        "train",
    ] {
        assert_eq!(Phase::parse(unknown), Phase::Unknown, "{unknown:?}");
    }
}

// ------------------------------------------------------------------ statistics

#[test]
fn median_and_quantiles_by_hand() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    assert_eq!(median(&[7.0]), 7.0);
    assert!(median(&[]).is_nan());
    let a = [10.0, 20.0, 30.0, 40.0, 50.0];
    // (n-1)q = 0.4 -> 10 + 0.4*10; 3.6 -> 40 + 0.6*10
    assert!((quantile(&a, 0.1) - 14.0).abs() < 1e-12);
    assert!((quantile(&a, 0.9) - 46.0).abs() < 1e-12);
    assert_eq!(quantile(&a, 0.5), 30.0);
    assert_eq!(quantile(&a, 0.0), 10.0);
    assert_eq!(quantile(&a, 1.0), 50.0);
    assert_eq!(quantile(&[5.0], 0.9), 5.0);
    // unsorted input, as the JS copies and sorts
    assert!((quantile(&[50.0, 10.0, 40.0, 20.0, 30.0], 0.1) - 14.0).abs() < 1e-12);
}

#[test]
fn spread_by_hand() {
    // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, median 4.5, sample sd sqrt(32/7)
    let s = spread(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
    assert_eq!((s.min, s.max), (2.0, 9.0));
    assert!((s.rel_spread - 7.0 / 4.5).abs() < 1e-12);
    assert!((s.cv - (32.0f64 / 7.0).sqrt() / 5.0).abs() < 1e-12);
    // one value: sd divides by max(1, n-1) = 1 -> 0
    let one = spread(&[3.0]);
    assert_eq!((one.rel_spread, one.cv), (0.0, 0.0));
}

#[test]
fn rounding_is_javascripts() {
    assert_eq!(js_round(2.5), 3.0);
    assert_eq!(js_round(-2.5), -2.0);
    assert_eq!(js_round(-2.6), -3.0);
    assert_eq!(js_round(0.49), 0.0);
    assert_eq!(r4(1.23456), 1.2346);
    assert_eq!(r4(131.04999), 131.05);
    assert_eq!(r4(2.0), 2.0);
    assert!(r4(f64::NAN).is_nan());
    assert_eq!(r4(f64::INFINITY), f64::INFINITY);
}

// ------------------------------------------------------------------ data

/// `n` synthetic, easily separable digits in the `MNB1` layout: class k lights a 6×6 block
/// at one of ten places, plus a little deterministic noise.
fn synthetic_file(n: usize) -> Vec<u8> {
    let mut f = Vec::with_capacity(HEADER_LEN + n * (PIXELS + 1));
    f.extend_from_slice(b"MNB1");
    f.extend_from_slice(&(n as u32).to_le_bytes());
    f.extend_from_slice(&28u16.to_le_bytes());
    f.extend_from_slice(&28u16.to_le_bytes());
    f.extend_from_slice(&7u32.to_le_bytes());
    let mut state = 12345u32;
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let k = (i * 7 + i / 10) % 10;
        labels.push(k as u8);
        let (r0, c0) = (2 + (k / 5) * 12, 1 + (k % 5) * 5);
        for r in 0..28 {
            for c in 0..28 {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 27) as u8; // 0..31
                let ink = (r0..r0 + 6).contains(&r) && (c0..c0 + 6).contains(&c);
                f.push(if ink { 255 - noise } else { noise });
            }
        }
    }
    f.extend_from_slice(&labels);
    f
}

#[test]
fn data_header_is_checked() {
    let f = synthetic_file(3);
    let h = DataHeader::parse(&f[..HEADER_LEN], f.len()).unwrap();
    assert_eq!((h.n, h.rows, h.cols), (3, 28, 28));
    assert!(DataHeader::parse(&f[..HEADER_LEN], f.len() - 1)
        .unwrap_err()
        .contains("need"));
    assert!(DataHeader::parse(&f[..8], 8)
        .unwrap_err()
        .contains("too short"));
    let mut bad = f.clone();
    bad[0] = b'X';
    assert!(DataHeader::parse(&bad[..HEADER_LEN], bad.len())
        .unwrap_err()
        .contains("magic"));
    let mut dims = f.clone();
    dims[8] = 27;
    assert!(DataHeader::parse(&dims[..HEADER_LEN], dims.len())
        .unwrap_err()
        .contains("28x28"));
    let empty = synthetic_file(0);
    assert!(DataHeader::parse(&empty[..HEADER_LEN], empty.len()).is_err());
    // A header claiming the most samples a u32 holds, on a small file (a wrapped size on
    // 32-bit would pass the length check).
    let mut huge = f.clone();
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(DataHeader::parse(&huge[..HEADER_LEN], huge.len()).is_err());
    let d = SliceData::from_file(&f).unwrap();
    assert_eq!(super::engine::DataSource::len(&d), 3);
}

// ------------------------------------------------------------------ the driver, for real

/// A real clock; yields are counted (natively there is no event loop to yield to).
struct NativeHost {
    t0: Instant,
    yields: Cell<usize>,
    log: RefCell<Vec<String>>,
}

impl NativeHost {
    fn new() -> Self {
        NativeHost {
            t0: Instant::now(),
            yields: Cell::new(0),
            log: RefCell::new(Vec::new()),
        }
    }
}

impl Host for NativeHost {
    fn now_ms(&self) -> f64 {
        self.t0.elapsed().as_secs_f64() * 1000.0
    }
    fn yield_now(&self) -> impl Future<Output = ()> {
        self.yields.set(self.yields.get() + 1);
        std::future::ready(())
    }
    fn progress(&self, msg: &str) {
        self.log.borrow_mut().push(msg.to_string());
    }
}

/// Counts the engine calls the driver makes.
struct Counting<E> {
    inner: E,
    builds: usize,
    steps: usize,
    samples: usize,
    predictions: usize,
}

impl<E: Engine> Engine for Counting<E> {
    type Model = E::Model;
    fn samples(&self) -> usize {
        self.inner.samples()
    }
    fn build(&mut self, net: Net, seed: u64, batch: usize) -> Result<E::Model, String> {
        self.builds += 1;
        self.inner.build(net, seed, batch)
    }
    fn train_step(&mut self, m: &mut E::Model, start: usize, batch: usize) -> Result<f32, String> {
        self.steps += 1;
        self.samples += batch;
        self.inner.train_step(m, start, batch)
    }
    fn predict_one(&mut self, m: &mut E::Model, index: usize) -> Result<usize, String> {
        self.predictions += 1;
        self.inner.predict_one(m, index)
    }
    fn evaluate(
        &mut self,
        m: &mut E::Model,
        start: usize,
        n: usize,
        batch: usize,
    ) -> Result<usize, String> {
        self.inner.evaluate(m, start, n, batch)
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn quick_cfg(query: &str) -> BenchConfig {
    let mut c = BenchConfig::from_query(query).unwrap();
    c.reps = 3;
    c.rep_ms = 40.0;
    c.warmup_ms = 20.0;
    c.infer_rep_ms = 15.0;
    c
}

#[test]
fn engine_builds_both_reference_nets_with_netspec_shapes() {
    let f = synthetic_file(4);
    let mut e = NnEngine::new(SliceData::from_file(&f).unwrap(), 0.01, 0.9);
    for net in Net::ALL {
        let m = e.build(net, 1, 8).unwrap();
        assert_eq!(m.model.param_count(), expected_shapes(net).1);
    }
}

#[test]
fn training_steps_are_deterministic_and_learn() {
    let f = synthetic_file(200);
    let mut e = NnEngine::new(SliceData::from_file(&f).unwrap(), 0.01, 0.9);
    let mut a = e.build(Net::RefB, 3, 16).unwrap();
    let mut b = e.build(Net::RefB, 3, 16).unwrap();
    let la: Vec<f32> = (0..5)
        .map(|s| e.train_step(&mut a, s * 16, 16).unwrap())
        .collect();
    let lb: Vec<f32> = (0..5)
        .map(|s| e.train_step(&mut b, s * 16, 16).unwrap())
        .collect();
    assert_eq!(la, lb, "same seed, same data: same losses");
    let mut c = e.build(Net::RefB, 4, 16).unwrap();
    assert_ne!(
        e.train_step(&mut c, 0, 16).unwrap(),
        la[0],
        "another seed, another init"
    );
    // out-of-range batches are errors, not panics
    assert!(e.train_step(&mut a, 190, 16).is_err());
    assert!(e.predict_one(&mut a, 200).is_err());
    assert_eq!(e.predict_one(&mut a, 199).unwrap(), 10);
}

#[test]
fn train_phase_measures_what_it_ran() {
    let f = synthetic_file(300);
    let cfg = quick_cfg("phases=train_b1,train_b16&train_n=250");
    let mut e = Counting {
        inner: NnEngine::new(SliceData::from_file(&f).unwrap(), cfg.lr, cfg.momentum),
        builds: 0,
        steps: 0,
        samples: 0,
        predictions: 0,
    };
    let host = NativeHost::new();
    let t0 = host.now_ms();
    let phases = block_on(run_phases(&cfg, &mut e, &host));
    let wall_ms = host.now_ms() - t0;
    assert_eq!(
        phases.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["train_b1", "train_b16"]
    );
    assert_eq!(e.builds, 2, "a fresh model per phase");
    // one yield before each phase and before each repetition
    assert_eq!(host.yields.get(), 2 * (1 + cfg.reps));
    let mut min_steps = 0;
    let mut timed_ms = 0.0;
    for (name, batch) in [("train_b1", 1), ("train_b16", 16)] {
        let PhaseResult::Train(t) = phases.get(name).unwrap() else {
            panic!("{name}: {:?}", phases.get(name))
        };
        assert_eq!((t.status, t.batch), ("ok", batch));
        assert_eq!(t.reps_samples_per_s.len(), cfg.reps);
        assert!(t.samples_per_s > 0.0 && t.samples_per_s.is_finite());
        let lo = t
            .reps_samples_per_s
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = t.reps_samples_per_s.iter().copied().fold(0.0, f64::max);
        assert!(
            lo <= t.samples_per_s && t.samples_per_s <= hi,
            "median within the reps"
        );
        assert_eq!(t.samples_per_rep, t.steps_per_rep * batch);
        assert!(t.steps_per_rep >= 1);
        assert!(t.warmup_steps >= cfg.warmup_steps);
        assert!(t.warmup_ms >= cfg.warmup_ms);
        assert!(t.first_step_ms > 0.0);
        assert!(
            t.last_loss.is_finite() && t.last_loss >= 0.0,
            "{name}: loss {}",
            t.last_loss
        );
        assert!(t.rel_spread >= 0.0 && t.cv >= 0.0);
        min_steps += t.warmup_steps + 1 + cfg.reps * t.steps_per_rep;
        // each repetition lasted samples_per_rep / rate; together no longer than the run
        timed_ms += t
            .reps_samples_per_s
            .iter()
            .map(|r| t.samples_per_rep as f64 / r * 1000.0)
            .sum::<f64>();
        // calibration aims at rep_ms per repetition
        let rep_ms = t.samples_per_rep as f64 / t.samples_per_s * 1000.0;
        assert!(
            rep_ms > cfg.rep_ms / 4.0 && rep_ms < cfg.rep_ms * 4.0,
            "{name}: {rep_ms} ms per rep"
        );
    }
    assert!(
        e.steps >= min_steps,
        "{} steps run, at least {min_steps} accounted for",
        e.steps
    );
    assert!(
        timed_ms <= wall_ms * 1.001 + 0.01,
        "timed {timed_ms} ms of {wall_ms} ms"
    );
    let log = host.log.borrow();
    assert!(
        log.iter().any(|l| l.starts_with("train b=16: warm-up")),
        "{log:?}"
    );
}

#[test]
fn infer_phase_times_every_call() {
    let f = synthetic_file(120);
    let cfg = quick_cfg("phases=infer&train_n=100&net=ref-A");
    let mut e = Counting {
        inner: NnEngine::new(SliceData::from_file(&f).unwrap(), cfg.lr, cfg.momentum),
        builds: 0,
        steps: 0,
        samples: 0,
        predictions: 0,
    };
    let host = NativeHost::new();
    let phases = block_on(run_phases(&cfg, &mut e, &host));
    let PhaseResult::Infer(r) = phases.get("infer").unwrap() else {
        panic!("{phases:?}")
    };
    assert_eq!(r.status, "ok");
    assert!(r.calls_per_rep >= 5);
    assert_eq!(r.calls_total, cfg.reps * r.calls_per_rep);
    assert_eq!(r.rep_mean_ms.len(), cfg.reps);
    assert!(r.warmup_calls >= 20);
    assert!(e.predictions >= r.warmup_calls + 5 + r.calls_total);
    assert!(0.0 < r.ms_p10 && r.ms_p10 <= r.ms_median && r.ms_median <= r.ms_p90);
    assert_eq!(e.steps, 0, "inference does not train");
}

#[test]
fn accuracy_phase_trains_one_epoch_and_tests_the_rest() {
    let f = synthetic_file(1200);
    let cfg = quick_cfg("net=ref-B&train_n=1000&test_n=150&acc_batch=20");
    let mut e = NnEngine::new(SliceData::from_file(&f).unwrap(), cfg.lr, cfg.momentum);
    let host = NativeHost::new();
    let a = measure_accuracy(&cfg, &mut e, &host).unwrap();
    assert_eq!(
        (a.steps, a.train_samples, a.test_samples, a.batch, a.epochs),
        (50, 1000, 150, 20, 1)
    );
    assert!(a.accuracy > 0.9, "separable synthetic digits: {a:?}");
    assert_eq!(a.accuracy, r4(a.correct as f64 / 150.0));
    assert!(a.loss_last10 < a.loss_first10, "{a:?}");
    assert!(a.epoch_ms > 0.0 && a.epoch_samples_per_s > 0.0);
    // test_n is clipped to what follows the training split
    let mut c = cfg.clone();
    c.test_n = 5000;
    assert_eq!(
        measure_accuracy(&c, &mut e, &host).unwrap().test_samples,
        200
    );
}

#[test]
fn phase_failures_are_reported_and_the_rest_still_runs() {
    let f = synthetic_file(60);
    let mut cfg = quick_cfg(
        "phases=train_b0,warp,train_b4096,train_b64,accuracy,infer&train_n=50&acc_batch=64",
    );
    cfg.warmup_ms = 5.0;
    let mut e = NnEngine::new(SliceData::from_file(&f).unwrap(), cfg.lr, cfg.momentum);
    let host = NativeHost::new();
    let phases = block_on(run_phases(&cfg, &mut e, &host));
    let st: Vec<(&str, &str)> = phases
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), v.status()))
        .collect();
    assert_eq!(
        st,
        [
            ("train_b0", "failed"),
            ("warp", "skipped"),
            ("train_b4096", "failed"),
            ("train_b64", "failed"), // larger than the 50-sample training split
            ("accuracy", "failed"),  // ditto for acc_batch
            ("infer", "ok"),
        ]
    );
    let PhaseResult::Failed { error, .. } = phases.get("train_b64").unwrap() else {
        unreachable!()
    };
    assert!(error.contains("larger than the training split"), "{error}");
    // no test samples at all
    let mut c = quick_cfg("train_n=60&acc_batch=10");
    c.phases = vec!["accuracy".into()];
    let p = block_on(run_phases(&c, &mut e, &host));
    let PhaseResult::Failed { error, .. } = p.get("accuracy").unwrap() else {
        panic!("{p:?}")
    };
    assert!(error.contains("no test samples"), "{error}");
}

#[test]
fn result_serialises_to_the_contract_schema() {
    let f = synthetic_file(80);
    let mut cfg = quick_cfg("phases=train_b4,infer,nope,train_b0&train_n=60");
    cfg.rep_ms = 10.0;
    cfg.warmup_ms = 5.0;
    let mut e = NnEngine::new(SliceData::from_file(&f).unwrap(), cfg.lr, cfg.momentum);
    let phases = block_on(run_phases(&cfg, &mut e, &NativeHost::new()));
    let r = BenchResult {
        schema: SCHEMA,
        status: "ok",
        error: None,
        subject: Subject::this_build(),
        net: cfg.net.name().into(),
        mode: "main".into(),
        config: Some(cfg.clone()),
        env: Env::default(),
        phases,
        timings_ms: None,
    };
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["schema"], "cnn-bench-result/1");
    assert_eq!(v["status"], "ok");
    assert!(v.get("error").is_none());
    assert_eq!(v["subject"]["library"], "convscope");
    assert_eq!(v["subject"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["subject"]["detail"]["threads"], 1);
    assert_eq!(v["net"], "ref-A");
    assert_eq!(v["mode"], "main");
    assert_eq!(v["config"]["net"], "ref-A");
    assert_eq!(v["config"]["mode"], "main");
    assert_eq!(v["env"]["in_worker"], false);
    let ph = v["phases"].as_object().unwrap();
    assert_eq!(ph.keys().collect::<Vec<_>>().len(), 4);
    assert_eq!(ph["train_b4"]["status"], "ok");
    assert_eq!(ph["train_b4"]["batch"], 4);
    assert!(ph["train_b4"]["samples_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(
        ph["train_b4"]["reps_samples_per_s"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(ph["infer"]["ms_median"].as_f64().unwrap() > 0.0);
    assert_eq!(
        ph["nope"],
        serde_json::json!({"status": "skipped", "reason": "unknown phase"})
    );
    assert_eq!(ph["train_b0"]["status"], "failed");
    assert!(ph["train_b0"]["error"].as_str().unwrap().contains("batch"));

    let fail = serde_json::to_value(BenchResult::failure(
        "ref-Q",
        "main",
        Env::default(),
        "unknown net",
    ))
    .unwrap();
    assert_eq!(fail["status"], "failed");
    assert_eq!(fail["error"], "unknown net");
    assert_eq!(fail["net"], "ref-Q");
    assert_eq!(fail["phases"], serde_json::json!({}));
}

#[test]
fn repeated_phase_names_keep_their_first_place() {
    let mut p = Phases::default();
    p.insert("infer", PhaseResult::skipped("a"));
    p.insert("accuracy", PhaseResult::skipped("b"));
    p.insert("infer", PhaseResult::failed("c"));
    assert_eq!(p.0.len(), 2);
    assert_eq!(p.0[0].0, "infer");
    assert_eq!(p.0[0].1.status(), "failed");
}

#[test]
fn calibration_measures_a_peak_above_the_conv_rate() {
    use crate::bench::calibrate::calibrate;
    let host = NativeHost::new();
    let c = calibrate(&host, Net::RefA, 100.0).expect("ref-A calibrates");
    assert!(c.peak_f32x4_gflops > 0.1, "{c:?}");
    assert!(c.conv_forward_gflops > 0.05, "{c:?}");
    // The conv layers move memory besides multiply-adding, so they cannot beat a register-only
    // kernel of the same width; natively they may use 8-lane AVX2+FMA against the 4-lane
    // peak kernel, hence up to about 2×, never 3×.
    assert!(c.conv_fraction_of_peak < 3.0, "{c:?}");
    assert!(
        (c.conv_fraction_of_peak - c.conv_forward_gflops / c.peak_f32x4_gflops).abs() < 0.01,
        "{c:?}"
    );
    assert!(c.ms >= 200.0, "both measurements ran for their time: {c:?}");
}
