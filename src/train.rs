//! A training session as a state machine, driven step by step by the worker (or natively by
//! tests and `train-default`).
//!
//! Deterministic: the same spec, seed, hyper-parameters (and augmentation) reproduce a run
//! bit for bit. Batches walk through a seeded shuffle of the training split, reshuffled every
//! epoch; a batch may span two epochs. Buffers are reused, so a step allocates nothing once
//! the batch size is stable.

use crate::data::mnist::{Augment, Mnist, PIXELS, TRAIN};
use crate::data::pixel_shuffle::PixelShuffle;
use crate::nn::model::{Model, Workspace};
use crate::nn::optim::{Hyper, Optimizer};
use crate::nn::spec::{ModelSpec, SpecError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::rc::Rc;

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepStats {
    /// Images in the batch.
    pub batch: usize,
    /// Mean cross-entropy over the batch (before the update).
    pub loss: f32,
    /// Images of the batch the model classified correctly (before the update).
    pub correct: usize,
}

/// Largest batch a step accepts; larger requests are clamped. Training buffers grow with the
/// batch (ref-A: ~400 KB per image for activations, their gradients and im2col columns), so
/// this keeps a browser tab near 100 MB at most.
pub const MAX_BATCH: usize = 256;
/// Images per forward pass in [`Trainer::evaluate`].
const EVAL_BATCH: usize = 250;
/// RNG streams: the model's init uses the seed itself; shuffling and augmentation get
/// streams of their own, so turning augmentation on does not change the batch order.
const SHUFFLE_STREAM: u64 = 1;
const AUGMENT_STREAM: u64 = 2;

pub struct Trainer {
    spec: ModelSpec,
    seed: u64,
    hyper: Hyper,
    data: Rc<Mnist>,
    model: Model,
    opt: Optimizer,
    ws: Workspace,
    /// A permutation of the training indices; `pos` is the next one to use.
    order: Vec<u32>,
    pos: usize,
    rng: ChaCha8Rng,
    augment: Option<Augment>,
    augment_rng: ChaCha8Rng,
    labels: Vec<u8>,
    examples_seen: u64,
    schedule: LrSchedule,
    /// The pixel-shuffle experiment: every training (and evaluation) image is permuted.
    pixel_shuffle: Option<PixelShuffle>,
    /// One image, for shuffling in place without allocating.
    scratch: Vec<f32>,
}

/// How the learning rate changes as training goes on. The hyper-parameters' rate is the
/// starting rate; a schedule only scales it down, counted in examples seen since the last
/// reset, so it is as reproducible as the rest of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum LrSchedule {
    /// The rate as set.
    #[default]
    Constant,
    /// `rate / (1 + examples / halve_after)`: half the rate after `halve_after` examples, a
    /// third after twice as many. Open-ended, so a run may go on as long as the class watches.
    Decay { halve_after: u64 },
}

impl LrSchedule {
    /// The rate to use after `examples` training examples, starting from `rate`.
    pub fn rate(self, rate: f32, examples: u64) -> f32 {
        match self {
            LrSchedule::Constant => rate,
            LrSchedule::Decay { halve_after } if halve_after > 0 => {
                rate / (1.0 + examples as f32 / halve_after as f32)
            }
            LrSchedule::Decay { .. } => rate,
        }
    }
}

/// Clamps what the UI may send: batch 1..=MAX_BATCH, a finite non-negative learning rate.
fn sanitize(mut h: Hyper) -> Hyper {
    h.batch_size = h.batch_size.clamp(1, MAX_BATCH);
    if !h.learning_rate.is_finite() || h.learning_rate < 0.0 {
        h.learning_rate = 0.0;
    }
    h
}

impl Trainer {
    pub fn new(
        spec: &ModelSpec,
        seed: u64,
        hyper: Hyper,
        data: Rc<Mnist>,
    ) -> Result<Trainer, SpecError> {
        let model = Model::new(spec, seed)?;
        let hyper = sanitize(hyper);
        let mut t = Trainer {
            spec: spec.clone(),
            seed,
            hyper,
            data,
            ws: model.workspace(hyper.batch_size),
            model,
            opt: Optimizer::new(hyper.optimizer),
            order: Vec::new(),
            pos: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            augment: None,
            augment_rng: ChaCha8Rng::seed_from_u64(seed),
            labels: Vec::with_capacity(hyper.batch_size),
            examples_seen: 0,
            schedule: LrSchedule::Constant,
            pixel_shuffle: None,
            scratch: vec![0.0; PIXELS],
        };
        t.reset();
        Ok(t)
    }

    /// Reinitialises the model, the optimizer and the data order from the seed.
    pub fn reset(&mut self) {
        self.model =
            Model::new(&self.spec, self.seed).expect("spec was valid when the trainer was built");
        self.opt = Optimizer::new(self.hyper.optimizer);
        self.rng = ChaCha8Rng::seed_from_u64(self.seed);
        self.rng.set_stream(SHUFFLE_STREAM);
        self.augment_rng = ChaCha8Rng::seed_from_u64(self.seed);
        self.augment_rng.set_stream(AUGMENT_STREAM);
        let end = TRAIN.end.min(self.data.len());
        self.order = (TRAIN.start..end).map(|i| i as u32).collect();
        self.shuffle();
        self.examples_seen = 0;
    }

    /// Continues from outside weights (the shipped model the page shows), with a fresh
    /// optimizer state: momentum built for other weights would point the wrong way.
    pub fn set_param_vectors(&mut self, params: &[Vec<f32>]) -> Result<(), String> {
        self.model.set_param_vectors(params)?;
        self.opt = Optimizer::new(self.hyper.optimizer);
        Ok(())
    }

    fn shuffle(&mut self) {
        // Fisher–Yates
        for i in (1..self.order.len()).rev() {
            let j = self.rng.random_range(0..=i);
            self.order.swap(i, j);
        }
        self.pos = 0;
    }

    /// One mini-batch from the training split: forward, loss, backward, update.
    pub fn step(&mut self) -> StepStats {
        let n = self.hyper.batch_size;
        if self.order.is_empty() {
            return StepStats {
                batch: 0,
                loss: 0.0,
                correct: 0,
            };
        }
        if self.ws.batch() != n {
            self.model.prepare(&mut self.ws, n);
        }
        self.labels.clear();
        for slot in 0..n {
            if self.pos == self.order.len() {
                self.shuffle();
            }
            let idx = self.order[self.pos] as usize;
            self.pos += 1;
            let dst = &mut self.ws.input_mut()[slot * PIXELS..(slot + 1) * PIXELS];
            match &self.augment {
                Some(a) => a.apply(
                    self.data.pixels(idx),
                    self.data.label(idx),
                    dst,
                    &mut self.augment_rng,
                ),
                None => self.data.image_into(idx, dst),
            }
            if let Some(p) = &self.pixel_shuffle {
                p.apply_in_place(dst, &mut self.scratch);
            }
            self.labels.push(self.data.label(idx));
        }
        self.model.forward_train(&mut self.ws);
        let (loss, correct) = self.model.loss(&mut self.ws, &self.labels);
        self.model.backward(&mut self.ws);
        let lr = self
            .schedule
            .rate(self.hyper.learning_rate, self.examples_seen);
        self.model.apply_gradients(&mut self.opt, lr, &self.ws);
        self.examples_seen += n as u64;
        StepStats {
            batch: n,
            loss,
            correct,
        }
    }

    /// Changes the hyper-parameters from the next step on. The optimizer keeps its state
    /// unless the rule changes between SGD and Adam.
    pub fn set_hyper(&mut self, hyper: Hyper) {
        let hyper = sanitize(hyper);
        self.opt.set_kind(hyper.optimizer);
        self.hyper = hyper;
    }

    /// Turns training-time augmentation on (random small affine distortions and stroke-width
    /// changes of every training image) or off. Off by default. Takes effect from the next
    /// step; [`Trainer::reset`] keeps the setting.
    pub fn set_augment(&mut self, augment: Option<Augment>) {
        self.augment = augment;
    }

    /// Builder form of [`Trainer::set_augment`].
    pub fn with_augment(mut self, augment: Augment) -> Self {
        self.augment = Some(augment);
        self
    }

    /// Turns the pixel-shuffle experiment on (every image permuted, for training and for
    /// [`Trainer::evaluate`]) or off. Takes effect from the next step.
    pub fn set_pixel_shuffle(&mut self, shuffle: Option<PixelShuffle>) {
        self.pixel_shuffle = shuffle;
    }

    pub fn pixel_shuffle(&self) -> Option<&PixelShuffle> {
        self.pixel_shuffle.as_ref()
    }

    /// Sets how the learning rate falls as training goes on; [`Trainer::reset`] keeps it.
    pub fn set_schedule(&mut self, schedule: LrSchedule) {
        self.schedule = schedule;
    }

    pub fn schedule(&self) -> LrSchedule {
        self.schedule
    }

    /// The learning rate the next step uses.
    pub fn current_learning_rate(&self) -> f32 {
        self.schedule
            .rate(self.hyper.learning_rate, self.examples_seen)
    }

    pub fn augment(&self) -> Option<Augment> {
        self.augment
    }

    pub fn hyper(&self) -> Hyper {
        self.hyper
    }

    /// Accuracy in [0, 1] on the samples `range` (clipped to the data; 0 if empty).
    /// With the pixel shuffle on, of shuffled images.
    pub fn evaluate(&self, range: Range<usize>) -> f32 {
        evaluate_shuffled(&self.model, &self.data, range, self.pixel_shuffle.as_ref())
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn examples_seen(&self) -> u64 {
        self.examples_seen
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// Accuracy of `model` in [0, 1] on the samples `range` of `data` (clipped; 0 if empty).
pub fn evaluate(model: &Model, data: &Mnist, range: Range<usize>) -> f32 {
    evaluate_shuffled(model, data, range, None)
}

/// [`evaluate`], with every image permuted by `shuffle` first when there is one.
pub fn evaluate_shuffled(
    model: &Model,
    data: &Mnist,
    range: Range<usize>,
    shuffle: Option<&PixelShuffle>,
) -> f32 {
    let end = range.end.min(data.len());
    let start = range.start.min(end);
    if start == end {
        return 0.0;
    }
    let mut ws = model.workspace(EVAL_BATCH.min(end - start));
    let mut scratch = vec![0.0f32; PIXELS];
    let mut correct = 0usize;
    let mut i = start;
    while i < end {
        let n = EVAL_BATCH.min(end - i);
        if ws.batch() != n {
            model.prepare(&mut ws, n);
        }
        for k in 0..n {
            let dst = &mut ws.input_mut()[k * PIXELS..(k + 1) * PIXELS];
            data.image_into(i + k, dst);
            if let Some(p) = shuffle {
                p.apply_in_place(dst, &mut scratch);
            }
        }
        model.forward_train(&mut ws);
        for (k, logits) in ws.logits().chunks_exact(10).enumerate() {
            if crate::nn::layers::loss::argmax(logits) == data.label(i + k) as usize {
                correct += 1;
            }
        }
        i += n;
    }
    correct as f32 / (end - start) as f32
}
