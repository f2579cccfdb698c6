//! One training session inside the worker, as plain state with no JS in it.
//!
//! The reactor loop feeds it control messages and calls [`Session::unit`] between
//! them; each unit does ~15 ms of work so a Pause or Step is never kept waiting.

use std::rc::Rc;

use crate::data::mnist::Augment;
use crate::data::mnist::{Mnist, TEST};
use crate::data::pixel_shuffle::PixelShuffle;
use crate::nn::model::Model;
use crate::nn::spec::ModelSpec;
use crate::protocol::{
    Init, LiveView, Metrics, Recipe, Snapshot, TestAccuracy, ToWorker, LR_HALVE_AFTER_EXAMPLES,
};
use crate::train::{evaluate_shuffled, LrSchedule, Trainer};

/// Time spent training in one unit of work, in ms.
pub const TRAIN_BUDGET_MS: f64 = 12.0;
/// Time spent evaluating in one unit while training runs (more when idle): enough
/// that the 2000 test images take a few seconds, not minutes, on a slow laptop.
pub const EVAL_BUDGET_MS: f64 = 8.0;
/// Minimum time between snapshots while running (≤ ~7 per second), unless the page asks
/// for fewer with [`ToWorker::SetLive`].
pub const SNAPSHOT_INTERVAL_MS: f64 = crate::protocol::LIVE_SNAPSHOT_INTERVAL_MS;
/// Test images per evaluation chunk (one batched forward pass, a few ms).
pub const EVAL_CHUNK: usize = 25;
/// Start a new test evaluation after this many training examples …
pub const EVAL_EVERY_EXAMPLES: u64 = 4000;
/// … or after this long of training, whichever comes first (slow machines).
pub const EVAL_EVERY_MS: f64 = 4000.0;

/// A test-split evaluation in progress, on a frozen copy of the weights so that
/// training can go on between chunks.
struct Evaluation {
    model: Model,
    next: usize,
    correct: usize,
    at_examples: u64,
}

pub struct Session {
    trainer: Trainer,
    data: Rc<Mnist>,
    init: Init,
    running: bool,
    run: u32,
    metrics: Metrics,
    dirty: bool,
    evaluation: Option<Evaluation>,
    eval_due: bool,
    last_eval_examples: u64,
    last_eval_ms: f64,
    test_accuracy: Option<TestAccuracy>,
    /// (time, examples_seen) at the start of the current throughput window.
    rate_window: Option<(f64, u64)>,
    last_snapshot_ms: f64,
    /// Minimum time between snapshots while running.
    snapshot_interval_ms: f64,
    /// Whether the trainer's weights are the ones the page should show. False only
    /// while the trainer could not take the page's weights and has not trained yet.
    weights_current: bool,
}

impl Session {
    /// A session that starts from the weights in `init` (the page's model).
    pub fn new(init: Init, data: Rc<Mnist>) -> Result<Session, String> {
        if data.len() < TEST.end {
            return Err(format!(
                "the data set has {} images, expected at least {}",
                data.len(),
                TEST.end
            ));
        }
        let mut trainer = Trainer::new(&init.spec, init.seed, init.hyper, data.clone())
            .map_err(|e| e.to_string())?;
        let weights_current = load_params(&mut trainer, &init.params);
        apply_recipe(&mut trainer, init.recipe);
        Ok(Session {
            trainer,
            data,
            init,
            running: false,
            run: 0,
            metrics: Metrics::default(),
            dirty: true,
            evaluation: None,
            // The page shows the shipped model's test accuracy before any training.
            eval_due: true,
            last_eval_examples: 0,
            last_eval_ms: f64::NEG_INFINITY,
            test_accuracy: None,
            rate_window: None,
            last_snapshot_ms: f64::NEG_INFINITY,
            snapshot_interval_ms: LiveView::default().snapshot_interval_ms(),
            weights_current,
        })
    }

    /// The weights this session stands for: the trainer's, or the page's until the
    /// trainer has taken over.
    fn current_params(&self) -> Vec<Vec<f32>> {
        if self.weights_current {
            self.trainer.model().param_vectors()
        } else {
            self.init.params.clone()
        }
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Whether [`Session::unit`] has anything to do; otherwise the loop may sleep
    /// until the next message.
    pub fn has_work(&self) -> bool {
        self.running || self.evaluation.is_some() || self.eval_due || self.dirty
    }

    /// Applies a control message. `Init` is handled by the reactor, not here.
    pub fn handle(&mut self, msg: ToWorker, now_ms: f64) {
        match msg {
            ToWorker::Init(_) => {}
            ToWorker::Train => {
                if !self.running {
                    self.running = true;
                    self.rate_window = Some((now_ms, self.trainer.examples_seen()));
                    // Count the evaluation interval in training time, not idle time.
                    self.last_eval_ms = self.last_eval_ms.max(now_ms);
                }
            }
            ToWorker::Pause => self.pause(),
            ToWorker::Step => {
                self.pause();
                self.train_one();
                // Evaluate the stepped weights in idle time.
                self.eval_due = true;
            }
            ToWorker::Reset => {
                self.pause();
                self.trainer.reset();
                self.forget_progress();
            }
            ToWorker::SetHyper(hyper) => self.trainer.set_hyper(hyper),
            ToWorker::SetLive(live) => self.snapshot_interval_ms = live.snapshot_interval_ms(),
            ToWorker::SetRecipe(recipe) => {
                let reshuffled = recipe.shuffle_pixels != recipe_of(&self.trainer).shuffle_pixels;
                apply_recipe(&mut self.trainer, recipe);
                if reshuffled {
                    // The same weights score differently on shuffled digits: measure again.
                    self.evaluation = None;
                    self.eval_due = true;
                }
                // The page shows the rate in use.
                self.dirty = true;
            }
            ToWorker::SetArchitecture(spec) => {
                // The reactor calls `set_architecture` itself to report errors.
                let _ = self.set_architecture(spec);
            }
        }
    }

    /// Replaces the network with a fresh one of `spec`, initialised from the session's seed,
    /// and forgets all progress (as `Reset`). On error nothing changes.
    pub fn set_architecture(&mut self, spec: ModelSpec) -> Result<(), String> {
        let mut trainer = Trainer::new(
            &spec,
            self.init.seed,
            self.trainer.hyper(),
            self.data.clone(),
        )
        .map_err(|e| e.to_string())?;
        trainer.set_augment(self.trainer.augment());
        trainer.set_schedule(self.trainer.schedule());
        trainer.set_pixel_shuffle(self.trainer.pixel_shuffle().cloned());
        self.pause();
        self.trainer = trainer;
        self.init.params = self.trainer.model().param_vectors();
        self.init.spec = spec;
        self.forget_progress();
        Ok(())
    }

    /// After `Reset` or a new architecture: a new run, from the trainer's weights.
    fn forget_progress(&mut self) {
        self.weights_current = true;
        self.run = self.run.wrapping_add(1);
        self.metrics = Metrics::default();
        self.evaluation = None;
        self.test_accuracy = None;
        self.last_eval_examples = 0;
        self.eval_due = true;
        self.dirty = true;
    }

    fn pause(&mut self) {
        if self.running {
            self.running = false;
            self.rate_window = None;
            // The page must learn promptly that training stopped.
            self.dirty = true;
        }
    }

    fn train_one(&mut self) {
        self.weights_current = true;
        let stats = self.trainer.step();
        self.metrics.add(stats.batch, stats.loss, stats.correct);
        self.dirty = true;
    }

    /// One unit of work: some training (if running), then a slice of evaluation.
    /// `now` reads a millisecond clock.
    pub fn unit(&mut self, now: &dyn Fn() -> f64) {
        let start = now();
        if self.running {
            loop {
                self.train_one();
                if now() - start >= TRAIN_BUDGET_MS {
                    break;
                }
            }
            let seen = self.trainer.examples_seen();
            if seen >= self.last_eval_examples + EVAL_EVERY_EXAMPLES
                || (seen > self.last_eval_examples && now() - self.last_eval_ms >= EVAL_EVERY_MS)
            {
                self.eval_due = true;
            }
        }
        if self.evaluation.is_none() && self.eval_due {
            self.start_evaluation(now());
        }
        let budget = if self.running {
            EVAL_BUDGET_MS
        } else {
            TRAIN_BUDGET_MS + EVAL_BUDGET_MS
        };
        self.evaluate_slice(now, now() + budget);
    }

    fn start_evaluation(&mut self, now_ms: f64) {
        self.eval_due = false;
        self.last_eval_ms = now_ms;
        let at_examples = self.trainer.examples_seen();
        self.last_eval_examples = at_examples;
        // A frozen copy: training may change the trainer's weights mid-evaluation.
        let copy = Model::new(&self.init.spec, self.init.seed)
            .map_err(|e| e.to_string())
            .and_then(|mut m| m.set_param_vectors(&self.current_params()).map(|_| m));
        if let Ok(model) = copy {
            self.evaluation = Some(Evaluation {
                model,
                next: TEST.start,
                correct: 0,
                at_examples,
            });
        }
    }

    fn evaluate_slice(&mut self, now: &dyn Fn() -> f64, deadline: f64) {
        let Some(eval) = self.evaluation.as_mut() else {
            return;
        };
        while eval.next < TEST.end {
            let end = (eval.next + EVAL_CHUNK).min(TEST.end);
            let accuracy = evaluate_shuffled(
                &eval.model,
                &self.data,
                eval.next..end,
                self.trainer.pixel_shuffle(),
            );
            eval.correct += (accuracy * (end - eval.next) as f32).round() as usize;
            eval.next = end;
            if now() >= deadline {
                break;
            }
        }
        if eval.next >= TEST.end {
            self.test_accuracy = Some(TestAccuracy {
                value: eval.correct as f32 / TEST.len() as f32,
                at_examples: eval.at_examples,
            });
            self.evaluation = None;
            self.dirty = true;
        }
    }

    /// The coalesced snapshot, when one is due: at most every
    /// [`SNAPSHOT_INTERVAL_MS`] (or the [`LiveView`]'s interval) while running, immediately
    /// otherwise.
    pub fn take_snapshot(&mut self, now_ms: f64) -> Option<Snapshot> {
        if !self.dirty
            || (self.running && now_ms - self.last_snapshot_ms < self.snapshot_interval_ms)
        {
            return None;
        }
        let seen = self.trainer.examples_seen();
        let examples_per_sec = match self.rate_window {
            Some((t0, n0)) if self.running && now_ms > t0 => {
                self.rate_window = Some((now_ms, seen));
                Some(seen.saturating_sub(n0) as f32 * 1000.0 / (now_ms - t0) as f32)
            }
            _ => None,
        };
        self.dirty = false;
        self.last_snapshot_ms = now_ms;
        Some(Snapshot {
            run: self.run,
            params: if self.weights_current {
                self.trainer.model().param_vectors()
            } else {
                Vec::new()
            },
            metrics: std::mem::take(&mut self.metrics),
            examples_seen: seen,
            examples_per_sec,
            test_accuracy: self.test_accuracy,
            running: self.running,
            learning_rate: self.trainer.current_learning_rate(),
        })
    }
}

/// The trainer settings a [`Recipe`] stands for.
pub fn apply_recipe(trainer: &mut Trainer, recipe: Recipe) {
    trainer.set_augment(recipe.augment.then(Augment::light));
    trainer.set_schedule(if recipe.lr_decay {
        LrSchedule::Decay {
            halve_after: LR_HALVE_AFTER_EXAMPLES,
        }
    } else {
        LrSchedule::Constant
    });
    trainer.set_pixel_shuffle(recipe.shuffle_pixels.then(PixelShuffle::fixed));
}

/// The [`Recipe`] a trainer is following.
pub fn recipe_of(trainer: &Trainer) -> Recipe {
    Recipe {
        augment: trainer.augment().is_some(),
        lr_decay: trainer.schedule() != LrSchedule::Constant,
        shuffle_pixels: trainer.pixel_shuffle().is_some(),
    }
}

/// Puts the page's weights into the trainer so Train continues from what is shown.
fn load_params(trainer: &mut Trainer, params: &[Vec<f32>]) -> bool {
    trainer.set_param_vectors(params).is_ok()
}
