//! The CNN engine: architecture specs, layers, the model and its optimizers, on `ndarray`.

pub mod kernels;
pub mod layers;
pub mod model;
pub mod optim;
pub mod spec;

pub use model::{Model, ModelFileError};
pub use optim::{Hyper, OptimizerKind};
pub use spec::{LayerInfo, LayerSpec, ModelSpec, Shape, SpecError};
