//! Data: MNIST (`mnist`) and drawings (`preprocess`).

pub mod mnist;
pub mod pixel_shuffle;
pub mod preprocess;
