//! The CNN engine: architecture specs, layers, the model and its optimizers.

pub mod explain;
pub mod kernels;
pub mod layers;
pub mod model;
pub mod optim;
pub mod receptive;
pub mod separable;
pub mod spec;

pub use model::{Model, ModelFileError, Tap};
pub use optim::{Hyper, OptimizerKind};
pub use receptive::{Cell, CellRect, ReceptiveField, WindowTap};
pub use spec::{FlatLayer, LayerInfo, LayerSpec, ModelSpec, Shape, SizeArithmetic, SpecError};

/// Architecture of the shipped model `www/model/default.cnn` (benchmark "ref-A").
pub const DEFAULT_ARCH: &str = "conv8k5s1p2,relu,max2s2,conv16k5s1p2,relu,max3s3,dense10";

/// [`DEFAULT_ARCH`] as a spec.
pub fn default_spec() -> ModelSpec {
    ModelSpec::ref_a()
}

/// Where the shipped model lives, relative to the repository root (the site serves `www/`,
/// so the page fetches `model/default.cnn`).
pub const DEFAULT_MODEL_PATH: &str = "www/model/default.cnn";

/// Accuracy of the shipped model on the test split (samples 8000..10000 of
/// `www/data/mnist-10k.bin`), as measured by `train-default` when it wrote the file; the
/// page and README show it, and a test checks the file still reaches it.
pub const DEFAULT_MODEL_TEST_ACCURACY: f32 = 0.982;

/// How the shipped model was made (for the page's "about" text and the README).
pub const DEFAULT_MODEL_TRAINING: &str = "ref-A trained by `cargo run --release --bin train-default` \
    (seed 20240613): 30 epochs over the 8,000 training images, batch 32, SGD with momentum 0.9, \
    learning rate 0.02 → 0.0005 on a cosine schedule, every image randomly distorted (shift ±2.5 px, \
    rotation ±12°, scale 0.85–1.15, proportions ±10 %, slant ±0.15, stroke width; European flags \
    on 35 % of the 1s and crossbars on 35 % of the 7s). Test split: 98.20 % (1,964 of 2,000). \
    Runs single-threaded: 5–12 minutes on the shared 2-core build machine, depending on its load.";
