//! The layers of the engine. A layer knows its shapes and parameters and nothing of any UI.
//! All tensors are flat row-major `f32` slices; each function documents its shapes.

pub mod conv;
pub mod dense;
pub mod depthwise;
pub mod init;
pub mod loss;
pub mod pool;
pub mod relu;

pub use conv::{Conv2d, Conv2dConfig};
pub use dense::{Dense, DenseConfig};
pub use depthwise::{DepthwiseConfig, DepthwiseConv2d};
pub use pool::{Pool2d, Pool2dConfig, PoolKind};
