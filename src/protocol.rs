//! Everything that crosses between the page and the training worker.
//!
//! Both sides are the same crate, so the messages are plain serde types; yew-agent
//! encodes them with its default codec (bincode). Keep them free of untagged enums
//! and `deserialize_any` features, which bincode cannot decode.

use serde::{Deserialize, Serialize};

use crate::nn::optim::Hyper;
use crate::nn::spec::ModelSpec;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// First message: what to train and where the data lives.
    Init(Box<Init>),
    /// Train continuously until `Pause`.
    Train,
    Pause,
    /// Train exactly one mini-batch (also pauses continuous training).
    Step,
    /// Reinitialise the weights from the seed and forget all progress.
    Reset,
    SetHyper(Hyper),
    /// How often the worker reports while training (see [`LiveView`]).
    SetLive(LiveView),
    /// Replace the network: a new model of this (valid) architecture, initialised from the
    /// seed (the same weights as the page's `Model::new(spec, seed)`), with all progress
    /// forgotten, as after `Reset`. A spec that fails is answered with `FromWorker::Error` and
    /// changes nothing.
    SetArchitecture(ModelSpec),
    /// How the worker trains beyond the hyper-parameters (see [`Recipe`]). Takes effect from
    /// the next step; the learning-rate decay counts examples since the last reset.
    SetRecipe(Recipe),
}

/// Training aids the page can switch on and off. Both help a freshly reset network reach
/// high test accuracy sooner (measured in docs/page-metrics.md, "time to 98%"); turning them
/// off shows a class what they are worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipe {
    /// Train on randomly shifted, rotated, scaled and thickened copies of the images
    /// (`Augment::light`), so the network cannot memorise the 8,000 training images.
    pub augment: bool,
    /// Lower the learning rate as training goes on: the set rate halves after
    /// [`LR_HALVE_AFTER_EXAMPLES`] examples, is a third after twice as many, and so on.
    pub lr_decay: bool,
    /// The pixel-shuffle experiment: every image (training, test, and the drawing the page
    /// shows the network) goes through one fixed permutation of its pixels
    /// (`PixelShuffle::fixed`).
    pub shuffle_pixels: bool,
}

/// Examples after which a decaying learning rate is half the rate set (see [`Recipe`]).
pub const LR_HALVE_AFTER_EXAMPLES: u64 = 60_000;

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            augment: true,
            lr_decay: false,
            shuffle_pixels: false,
        }
    }
}

/// How live the page's view of training is. `Off` is the page's `?live=off`: the worker
/// trains exactly as usual but reports only every [`LIVE_OFF_SNAPSHOT_INTERVAL_MS`], so the
/// page re-renders its panels rarely. It exists to measure what live visualisation costs
/// training throughput (docs/page-metrics.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveView {
    /// A snapshot at most every [`LIVE_SNAPSHOT_INTERVAL_MS`] while training.
    #[default]
    On,
    Off,
}

/// Minimum time between snapshots while training, with the live view on (≤ ~7 per second).
pub const LIVE_SNAPSHOT_INTERVAL_MS: f64 = 150.0;
/// Minimum time between snapshots while training, with the live view off.
pub const LIVE_OFF_SNAPSHOT_INTERVAL_MS: f64 = 2000.0;

impl LiveView {
    /// Minimum time between snapshots while training, in ms.
    pub fn snapshot_interval_ms(self) -> f64 {
        match self {
            LiveView::On => LIVE_SNAPSHOT_INTERVAL_MS,
            LiveView::Off => LIVE_OFF_SNAPSHOT_INTERVAL_MS,
        }
    }

    /// From a page URL's query string (`?live=off`, with or without the `?`); anything else,
    /// including no `live` parameter, is `On`.
    pub fn from_query(query: &str) -> LiveView {
        let off = query
            .trim_start_matches('?')
            .split('&')
            .any(|pair| pair == "live=off");
        if off {
            LiveView::Off
        } else {
            LiveView::On
        }
    }
}

/// The worker's starting point: the same weights the page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Init {
    /// Absolute URL of the MNIST asset (the worker cannot see the page's `<base>`).
    pub data_url: String,
    pub spec: ModelSpec,
    pub seed: u64,
    pub hyper: Hyper,
    pub recipe: Recipe,
    /// `Model::param_vectors()` of the shipped model, so training continues from it.
    pub params: Vec<Vec<f32>>,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The data set is fetched and parsed; the worker accepts training commands.
    Loaded {
        train: usize,
        test: usize,
    },
    Snapshot(Box<Snapshot>),
    Error(String),
}

/// Training metrics summed over the mini-batches since the previous snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub batches: u32,
    pub examples: u32,
    pub loss_sum: f32,
    pub correct: u32,
}

impl Metrics {
    pub fn add(&mut self, batch: usize, loss: f32, correct: usize) {
        self.batches += 1;
        self.examples += batch as u32;
        self.loss_sum += loss;
        self.correct += correct as u32;
    }

    /// Mean mini-batch loss, if any batch was trained.
    pub fn mean_loss(&self) -> Option<f32> {
        (self.batches > 0).then(|| self.loss_sum / self.batches as f32)
    }

    /// Fraction of training examples classified correctly (before each update).
    pub fn accuracy(&self) -> Option<f32> {
        (self.examples > 0).then(|| self.correct as f32 / self.examples as f32)
    }
}

/// Accuracy on the held-out test split for the weights as they were at `at_examples`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestAccuracy {
    pub value: f32,
    pub at_examples: u64,
}

/// The newest state of training. Snapshots are coalesced: only the latest weights
/// travel, and `metrics` covers everything since the previous snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Increments on every `Reset`, so the page knows to restart its charts.
    pub run: u32,
    /// `Model::param_vectors()` of the newest weights; empty when they did not change.
    pub params: Vec<Vec<f32>>,
    pub metrics: Metrics,
    pub examples_seen: u64,
    /// Training throughput while running; `None` when paused.
    pub examples_per_sec: Option<f32>,
    /// Latest completed evaluation of this run, if any.
    pub test_accuracy: Option<TestAccuracy>,
    pub running: bool,
    /// The learning rate the next step uses (the set rate, lowered by [`Recipe::lr_decay`]).
    pub learning_rate: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_view_from_query() {
        assert_eq!(LiveView::from_query(""), LiveView::On);
        assert_eq!(LiveView::from_query("?live=off"), LiveView::Off);
        assert_eq!(LiveView::from_query("live=off"), LiveView::Off);
        assert_eq!(LiveView::from_query("?bench&live=off"), LiveView::Off);
        assert_eq!(LiveView::from_query("?live=on"), LiveView::On);
        assert_eq!(LiveView::from_query("?alive=off"), LiveView::On);
        assert!(LiveView::Off.snapshot_interval_ms() > 10.0 * LiveView::On.snapshot_interval_ms());
    }
}
