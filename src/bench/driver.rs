//! The measurement method of `bench-core.js`, generic over the engine and the host (clock,
//! yielding to the event loop, progress log), so the same code runs on the page, in the
//! worker and natively in tests.
//!
//! Per phase: a fresh model; training = warm-up (≥ `warmup_steps` steps and ≥ `warmup_ms`,
//! at most ~20 s), calibration (steps per repetition so one lasts ~`rep_ms`), then `reps`
//! timed repetitions, each after a yield; inference = warm-up (≥ 20 calls and ≥ `warmup_ms`),
//! calibration (≥ 5 calls and ≥ 100 ms), `reps` repetitions of ~`infer_rep_ms`, every call
//! timed; accuracy = one epoch over samples `[0, train_n)` in batches of `acc_batch` (a
//! model seeded `seed + 1000`), then accuracy on the following `test_n` samples.

use super::config::{BenchConfig, Net, Phase};
use super::result::{AccuracyResult, InferResult, PhaseResult, Phases, TrainResult};
use super::stats::{js_round, mean, median, quantile, r4, spread};
use std::future::Future;

/// What the runner needs from its surroundings.
pub trait Host {
    /// Milliseconds from an arbitrary origin (`performance.now()` on the web).
    fn now_ms(&self) -> f64;
    /// Lets the event loop run (a `MessageChannel` round trip on the web).
    fn yield_now(&self) -> impl Future<Output = ()>;
    /// One line of progress (`window.__BENCH_PROGRESS__` on the page).
    fn progress(&self, msg: &str);
}

/// The implementation under test, holding the data set.
pub trait Engine {
    type Model;
    /// Samples in the data set (training split first).
    fn samples(&self) -> usize;
    /// A freshly initialised model for `net`, prepared for batches of `batch`.
    fn build(&mut self, net: Net, seed: u64, batch: usize) -> Result<Self::Model, String>;
    /// One SGD step on samples `[start, start + batch)`; the mean loss over the batch.
    fn train_step(
        &mut self,
        m: &mut Self::Model,
        start: usize,
        batch: usize,
    ) -> Result<f32, String>;
    /// Class scores of sample `index`; returns how many scores came back.
    fn predict_one(&mut self, m: &mut Self::Model, index: usize) -> Result<usize, String>;
    /// Correct predictions on samples `[start, start + n)`, evaluated in batches of `batch`.
    fn evaluate(
        &mut self,
        m: &mut Self::Model,
        start: usize,
        n: usize,
        batch: usize,
    ) -> Result<usize, String>;
}

/// Warm-ups give up after this long (a pathologically slow step).
const WARMUP_CAP_MS: f64 = 20_000.0;
/// Upper bound of steps or calls per repetition (a clock that stands still cannot loop forever).
const MAX_PER_REP: f64 = 10_000_000.0;

fn per_rep(target_ms: f64, ms_per: f64, min: f64) -> usize {
    let n = if ms_per > 0.0 {
        js_round(target_ms / ms_per)
    } else {
        MAX_PER_REP
    };
    n.clamp(min, MAX_PER_REP) as usize
}

/// Runs `cfg.phases` in order; a phase that fails is recorded and the next one still runs.
pub async fn run_phases<E: Engine, H: Host>(cfg: &BenchConfig, engine: &mut E, host: &H) -> Phases {
    let mut phases = Phases::default();
    for name in &cfg.phases {
        host.yield_now().await;
        let r = match Phase::parse(name) {
            Phase::Train(Ok(batch)) => measure_train(cfg, engine, host, batch).await,
            Phase::Train(Err(e)) => Err(e),
            Phase::Infer => measure_infer(cfg, engine, host).await,
            Phase::Accuracy => measure_accuracy(cfg, engine, host).map(PhaseResult::Accuracy),
            Phase::Unknown => Ok(PhaseResult::skipped("unknown phase")),
        };
        let r = r.unwrap_or_else(|e| {
            host.progress(&format!("{name} FAILED: {e}"));
            PhaseResult::failed(e)
        });
        phases.insert(name, r);
    }
    phases
}

pub async fn measure_train<E: Engine, H: Host>(
    cfg: &BenchConfig,
    engine: &mut E,
    host: &H,
    batch: usize,
) -> Result<PhaseResult, String> {
    let train_n = cfg.train_n.min(engine.samples());
    if batch > train_n {
        return Err(format!(
            "batch {batch} is larger than the training split ({train_n} samples)"
        ));
    }
    let mut model = engine.build(cfg.net, cfg.seed, batch)?;
    let mut cursor = 0usize;
    let mut last_loss = f32::NAN;
    let mut step = |engine: &mut E, model: &mut E::Model| -> Result<(), String> {
        if cursor + batch > train_n {
            cursor = 0;
        }
        last_loss = engine.train_step(model, cursor, batch)?;
        cursor += batch;
        Ok(())
    };

    // warm-up
    let tw = host.now_ms();
    let (mut wsteps, mut first_step_ms) = (0usize, 0.0);
    while wsteps < cfg.warmup_steps || host.now_ms() - tw < cfg.warmup_ms {
        let t = host.now_ms();
        step(engine, &mut model)?;
        if wsteps == 0 {
            first_step_ms = host.now_ms() - t;
        }
        wsteps += 1;
        if host.now_ms() - tw > WARMUP_CAP_MS {
            break;
        }
    }
    let warmup_ms = host.now_ms() - tw;

    // calibration: steps per repetition so that one lasts ~rep_ms
    let tc = host.now_ms();
    let mut csteps = 0usize;
    while csteps < 1 || host.now_ms() - tc < (cfg.rep_ms / 3.0).min(250.0) {
        step(engine, &mut model)?;
        csteps += 1;
    }
    let ms_per_step = (host.now_ms() - tc) / csteps as f64;
    let steps_per_rep = per_rep(cfg.rep_ms, ms_per_step, 1.0);
    host.progress(&format!(
        "train b={batch}: warm-up {wsteps} steps {warmup_ms:.0} ms (first {first_step_ms:.1} ms), \
         {ms_per_step:.2} ms/step -> {steps_per_rep} steps/rep"
    ));

    let mut reps = Vec::with_capacity(cfg.reps);
    for _ in 0..cfg.reps {
        host.yield_now().await;
        let t0 = host.now_ms();
        for _ in 0..steps_per_rep {
            step(engine, &mut model)?;
        }
        let dt = host.now_ms() - t0;
        reps.push((steps_per_rep * batch) as f64 / dt * 1000.0);
    }
    if !last_loss.is_finite() {
        return Err(format!("training loss is not finite: {last_loss}"));
    }
    let sp = spread(&reps);
    Ok(PhaseResult::Train(TrainResult {
        status: "ok",
        batch,
        samples_per_s: r4(median(&reps)),
        reps_samples_per_s: reps.iter().copied().map(r4).collect(),
        rel_spread: r4(sp.rel_spread),
        cv: r4(sp.cv),
        steps_per_rep,
        samples_per_rep: steps_per_rep * batch,
        warmup_steps: wsteps,
        warmup_ms: r4(warmup_ms),
        first_step_ms: r4(first_step_ms),
        last_loss: r4(last_loss as f64),
    }))
}

pub async fn measure_infer<E: Engine, H: Host>(
    cfg: &BenchConfig,
    engine: &mut E,
    host: &H,
) -> Result<PhaseResult, String> {
    let n = engine.samples();
    if n == 0 {
        return Err("the data set is empty".into());
    }
    let mut model = engine.build(cfg.net, cfg.seed, 1)?;
    let test_start = cfg.train_n.min(n - 1);
    let test_n = (n - test_start).max(1);
    let mut idx = 0usize;
    let mut one = |engine: &mut E, model: &mut E::Model| {
        let i = test_start + idx % test_n;
        idx += 1;
        engine.predict_one(model, i)
    };

    let tw = host.now_ms();
    let mut w = 0usize;
    while w < 20 || host.now_ms() - tw < cfg.warmup_ms {
        one(engine, &mut model)?;
        w += 1;
        if host.now_ms() - tw > WARMUP_CAP_MS {
            break;
        }
    }
    let tc = host.now_ms();
    let mut c = 0usize;
    while c < 5 || host.now_ms() - tc < 100.0 {
        one(engine, &mut model)?;
        c += 1;
    }
    let per_call = (host.now_ms() - tc) / c as f64;
    let calls_per_rep = per_rep(cfg.infer_rep_ms, per_call, 5.0);

    let mut all = Vec::with_capacity(cfg.reps * calls_per_rep.min(1 << 20));
    let mut rep_means = Vec::with_capacity(cfg.reps);
    let mut scores = 0usize;
    for _ in 0..cfg.reps {
        host.yield_now().await;
        let t0 = host.now_ms();
        for _ in 0..calls_per_rep {
            let t = host.now_ms();
            scores = one(engine, &mut model)?;
            all.push(host.now_ms() - t);
        }
        rep_means.push((host.now_ms() - t0) / calls_per_rep as f64);
    }
    if scores != 10 {
        return Err(format!(
            "inference must return 10 class scores, got {scores}"
        ));
    }
    let sp = spread(&rep_means);
    let med = median(&all);
    host.progress(&format!(
        "infer: {calls_per_rep} calls/rep, median {med:.3} ms"
    ));
    Ok(PhaseResult::Infer(InferResult {
        status: "ok",
        ms_median: r4(med),
        ms_p10: r4(quantile(&all, 0.1)),
        ms_p90: r4(quantile(&all, 0.9)),
        rep_mean_ms: rep_means.iter().copied().map(r4).collect(),
        rel_spread: r4(sp.rel_spread),
        cv: r4(sp.cv),
        calls_per_rep,
        calls_total: all.len(),
        warmup_calls: w,
    }))
}

pub fn measure_accuracy<E: Engine, H: Host>(
    cfg: &BenchConfig,
    engine: &mut E,
    host: &H,
) -> Result<AccuracyResult, String> {
    let batch = cfg.acc_batch;
    let n = engine.samples();
    let train_n = cfg.train_n.min(n);
    let (test_start, test_n) = (train_n, cfg.test_n.min(n - train_n));
    if train_n < batch {
        return Err(format!(
            "the training split ({train_n} samples) is smaller than one batch ({batch})"
        ));
    }
    if test_n == 0 {
        return Err(format!(
            "no test samples after the training split ({n} samples in all)"
        ));
    }
    let mut model = engine.build(cfg.net, cfg.seed + 1000, batch)?;
    let mut losses = Vec::with_capacity(train_n / batch);
    let t0 = host.now_ms();
    let mut s = 0;
    while s + batch <= train_n {
        losses.push(engine.train_step(&mut model, s, batch)? as f64);
        s += batch;
    }
    let train_ms = host.now_ms() - t0;
    let t1 = host.now_ms();
    let correct = engine.evaluate(&mut model, test_start, test_n, batch)?;
    let eval_ms = host.now_ms() - t1;
    let acc = correct as f64 / test_n as f64;
    host.progress(&format!(
        "accuracy: {:.2}% after {} steps ({:.1} s)",
        acc * 100.0,
        losses.len(),
        train_ms / 1000.0
    ));
    let k = losses.len().min(10);
    Ok(AccuracyResult {
        status: "ok",
        accuracy: r4(acc),
        correct,
        train_samples: losses.len() * batch,
        test_samples: test_n,
        batch,
        epochs: 1,
        steps: losses.len(),
        epoch_ms: r4(train_ms),
        epoch_samples_per_s: r4((losses.len() * batch) as f64 / train_ms * 1000.0),
        eval_ms: r4(eval_ms),
        loss_first10: r4(mean(&losses[..k])),
        loss_last10: r4(mean(&losses[losses.len() - k..])),
    })
}
