//! The page's state as a reducer: every change is an [`Action`].

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::history::History;
use crate::data::mnist::{Mnist, TEST};
use crate::data::pixel_shuffle::PixelShuffle;
use crate::data::preprocess::{to_mnist, Stroke};
use crate::nn::model::Model;
use crate::nn::optim::Hyper;
use crate::nn::spec::LayerInfo;
use crate::protocol::{FromWorker, Recipe, Snapshot};

/// Something that is fetched at start-up.
#[derive(Clone)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// The page's own copy of the network: the shipped weights at first, then the
/// newest weights from the worker. Shared and mutated in place; `version` tells
/// everything derived from it when to recompute.
#[derive(Clone)]
pub struct SharedModel(pub Rc<RefCell<Model>>);

impl PartialEq for SharedModel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for SharedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedModel")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WorkerStatus {
    /// Spawned; fetching the training data.
    Starting,
    Ready,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Training {
    pub worker: WorkerStatus,
    /// The latest non-fatal problem reported by the worker.
    pub notice: Option<String>,
    pub running: bool,
    pub run: u32,
    pub examples_seen: u64,
    pub examples_per_sec: Option<f32>,
    pub test_accuracy: Option<f32>,
    pub hyper: Hyper,
    /// Training aids and the pixel-shuffle experiment (sent to the worker as they change).
    pub recipe: Recipe,
    /// The learning rate the worker uses now (lower than the set one with a decay).
    pub learning_rate_now: Option<f32>,
    /// What `Reset` and a new architecture initialise from (`seed=` in the address).
    pub seed: u64,
    /// The weights are still the shipped, pre-trained ones (or were trained on from them);
    /// false after a Reset or a new architecture, which start from the seed.
    pub pretrained: bool,
    /// Snapshots of this run belong to a network the page has replaced: ignore them.
    pub stale_run: Option<u32>,
    pub loss: Rc<History>,
    pub train_accuracy: Rc<History>,
    pub test_accuracy_history: Rc<History>,
    last_test_at: Option<u64>,
    /// What the page last asked the worker for (Train: true; Pause, Step, Reset, a new
    /// network: false or true), until a snapshot confirms it: snapshots sent before the worker
    /// read the request must not flip the Train/Pause button back for a moment.
    expect_running: Option<bool>,
    /// Snapshots that contradicted `expect_running` so far.
    contradicted: u8,
}

/// Snapshots contradicting the page's last Train/Pause request that are taken to be stale.
const STALE_SNAPSHOTS: u8 = 3;

impl Default for Training {
    fn default() -> Self {
        Training {
            worker: WorkerStatus::Starting,
            notice: None,
            running: false,
            run: 0,
            examples_seen: 0,
            examples_per_sec: None,
            test_accuracy: None,
            hyper: Hyper::default(),
            recipe: Recipe::default(),
            learning_rate_now: None,
            seed: super::url_state::DEFAULT_SEED,
            pretrained: true,
            stale_run: None,
            loss: Rc::default(),
            train_accuracy: Rc::default(),
            test_accuracy_history: Rc::default(),
            last_test_at: None,
            expect_running: None,
            contradicted: 0,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub model: Loadable<SharedModel>,
    pub infos: Rc<Vec<LayerInfo>>,
    /// Bumped whenever the model's weights change.
    pub weights_version: u64,
    pub strokes: Rc<Vec<Stroke>>,
    /// The drawing preprocessed to 28×28; `None` while the pad is empty.
    pub drawing: Option<Rc<Vec<f32>>>,
    pub test_set: Loadable<Rc<Mnist>>,
    /// Which test image the panels show while the pad is empty.
    pub test_index: usize,
    pub training: Training,
    /// Why the page's `arch=` was not used (shown until another architecture is applied).
    pub arch_notice: Option<String>,
    /// The address's `arch=` that could not run (the editor starts with it).
    pub arch_rejected: Option<String>,
    /// What was changed or ignored in the address's other settings, and why (one line each;
    /// shown with `arch_notice` at the top until dismissed).
    pub url_notices: Vec<String>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            model: Loadable::Loading,
            infos: Rc::default(),
            weights_version: 0,
            strokes: Rc::default(),
            drawing: None,
            test_set: Loadable::Loading,
            test_index: TEST.start,
            training: Training::default(),
            arch_notice: None,
            arch_rejected: None,
            url_notices: Vec::new(),
        }
    }
}

pub enum Action {
    /// The page's network at start-up; `pretrained` when it carries the shipped weights.
    ModelLoaded {
        model: Model,
        pretrained: bool,
    },
    /// The user applied a new architecture: this freshly initialised model replaces the
    /// trained one (the worker was told with `ToWorker::SetArchitecture`, then `Train` when
    /// `running`: training carries on with the new network).
    ArchitectureApplied {
        model: Model,
        running: bool,
    },
    /// Something about the `arch=` in the address (or an Apply) the teacher must know;
    /// `rejected`: an architecture that could not run, for the editor.
    ArchNotice {
        notice: String,
        rejected: Option<String>,
    },
    ModelFailed(String),
    TestSetLoaded(Rc<Mnist>),
    TestSetFailed(String),
    Drawing(Rc<Vec<Stroke>>),
    PickTestDigit(usize),
    Worker(FromWorker),
    /// The worker bridge closed unexpectedly.
    WorkerGone,
    /// Optimistic: the toggle flips at once, snapshots confirm.
    SetRunning(bool),
    SetHyper(Hyper),
    SetRecipe(Recipe),
    /// Something in the address was changed or ignored (see `url_notices`).
    UrlNotice(String),
    DismissUrlNotices,
}

impl AppState {
    /// The image the panels show: the drawing, or the chosen test digit.
    pub fn shown_input(&self) -> Option<ShownInput> {
        if let Some(d) = &self.drawing {
            return Some(ShownInput::Drawing(d.clone()));
        }
        match &self.test_set {
            Loadable::Ready(set) if self.test_index < set.len() => Some(ShownInput::TestDigit {
                index: self.test_index,
                label: set.label(self.test_index),
                image: Rc::new(set.image(self.test_index)),
            }),
            _ => None,
        }
    }

    fn apply_snapshot(&mut self, snap: Snapshot) {
        let t = &mut self.training;
        if t.stale_run == Some(snap.run) {
            return;
        }
        t.stale_run = None;
        if snap.run != t.run {
            // A Reset: the old curves belong to other weights.
            t.run = snap.run;
            t.loss = Rc::default();
            t.train_accuracy = Rc::default();
            t.test_accuracy_history = Rc::default();
            t.last_test_at = None;
            t.pretrained = false;
        }
        let x = snap.examples_seen as f64;
        if let Some(loss) = snap.metrics.mean_loss() {
            Rc::make_mut(&mut t.loss).push(x, loss as f64);
        }
        if let Some(acc) = snap.metrics.accuracy() {
            Rc::make_mut(&mut t.train_accuracy).push(x, acc as f64);
        }
        t.test_accuracy = snap.test_accuracy.map(|a| a.value);
        if let Some(acc) = snap.test_accuracy {
            if t.last_test_at != Some(acc.at_examples) {
                t.last_test_at = Some(acc.at_examples);
                Rc::make_mut(&mut t.test_accuracy_history)
                    .push(acc.at_examples as f64, acc.value as f64);
            }
        }
        t.examples_seen = snap.examples_seen;
        t.learning_rate_now = Some(snap.learning_rate);
        t.examples_per_sec = snap.examples_per_sec;
        match t.expect_running {
            // A snapshot from before the worker read the page's last request (a few may be
            // on their way; more than that means the worker did not do it, so believe them).
            Some(expected) if expected != snap.running && t.contradicted < STALE_SNAPSHOTS => {
                t.contradicted += 1;
            }
            _ => {
                t.contradicted = 0;
                t.expect_running = None;
                t.running = snap.running;
            }
        }
        if snap.params.is_empty() {
            return;
        }
        if let Loadable::Ready(model) = &self.model {
            match model.0.borrow_mut().set_param_vectors(&snap.params) {
                Ok(()) => self.weights_version += 1,
                Err(e) => self.training.notice = Some(format!("ignored a training update: {e}")),
            }
        }
    }
}

/// What the feature-map and pooling panels are showing.
#[derive(Clone, Debug, PartialEq)]
pub enum ShownInput {
    Drawing(Rc<Vec<f32>>),
    TestDigit {
        index: usize,
        label: u8,
        image: Rc<Vec<f32>>,
    },
}

impl ShownInput {
    pub fn image(&self) -> &Rc<Vec<f32>> {
        match self {
            ShownInput::Drawing(i) | ShownInput::TestDigit { image: i, .. } => i,
        }
    }

    /// The same input with its pixels permuted (the pixel-shuffle experiment).
    pub fn shuffled(&self, p: &PixelShuffle) -> ShownInput {
        match self {
            ShownInput::Drawing(i) => ShownInput::Drawing(Rc::new(p.shuffled(i))),
            ShownInput::TestDigit {
                index,
                label,
                image,
            } => ShownInput::TestDigit {
                index: *index,
                label: *label,
                image: Rc::new(p.shuffled(image)),
            },
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::ModelLoaded { model, pretrained } => {
                s.training.pretrained = pretrained;
                s.infos = Rc::new(model.infos().to_vec());
                s.model = Loadable::Ready(SharedModel(Rc::new(RefCell::new(model))));
                s.weights_version += 1;
            }
            Action::ArchitectureApplied { model, running } => {
                s.infos = Rc::new(model.infos().to_vec());
                s.model = Loadable::Ready(SharedModel(Rc::new(RefCell::new(model))));
                s.weights_version += 1;
                s.arch_notice = None;
                s.arch_rejected = None;
                let t = &mut s.training;
                t.stale_run = Some(t.run);
                t.running = running;
                t.expect_running = Some(running);
                t.contradicted = 0;
                t.pretrained = false;
                t.examples_seen = 0;
                t.examples_per_sec = None;
                t.test_accuracy = None;
                t.loss = Rc::default();
                t.train_accuracy = Rc::default();
                t.test_accuracy_history = Rc::default();
                t.last_test_at = None;
            }
            Action::ArchNotice { notice, rejected } => {
                s.arch_notice = Some(notice);
                s.arch_rejected = rejected;
            }
            Action::ModelFailed(e) => {
                s.model = Loadable::Failed(e);
                // The worker starts from the page's weights, so it never gets going.
                s.training.worker = WorkerStatus::Failed("the network did not load".into());
            }
            Action::TestSetLoaded(set) => s.test_set = Loadable::Ready(set),
            Action::TestSetFailed(e) => s.test_set = Loadable::Failed(e),
            Action::Drawing(strokes) => {
                s.drawing = to_mnist(&strokes).map(|img| Rc::new(img.to_vec()));
                s.strokes = strokes;
            }
            Action::PickTestDigit(i) => s.test_index = i.clamp(TEST.start, TEST.end - 1),
            Action::Worker(FromWorker::Loaded { .. }) => s.training.worker = WorkerStatus::Ready,
            Action::Worker(FromWorker::Error(e)) => {
                // The worker may not have done what the page asked: trust its next snapshot.
                s.training.expect_running = None;
                if s.training.worker == WorkerStatus::Starting {
                    s.training.worker = WorkerStatus::Failed(e);
                } else {
                    s.training.notice = Some(e);
                }
            }
            Action::Worker(FromWorker::Snapshot(snap)) => s.apply_snapshot(*snap),
            Action::WorkerGone => {
                s.training.worker = WorkerStatus::Failed("the training worker stopped".into());
                s.training.running = false;
                s.training.expect_running = None;
            }
            Action::SetRunning(r) => {
                s.training.running = r;
                s.training.expect_running = Some(r);
                s.training.contradicted = 0;
            }
            Action::SetHyper(h) => s.training.hyper = h,
            Action::SetRecipe(r) => s.training.recipe = r,
            Action::UrlNotice(n) => s.url_notices.push(n),
            Action::DismissUrlNotices => s.url_notices.clear(),
        }
        Rc::new(s)
    }
}
