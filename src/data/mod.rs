//! Data: MNIST (`mnist`) and drawings (`preprocess`).

pub mod mnist;
pub mod preprocess;
