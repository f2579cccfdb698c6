//! Data: MNIST (`mnist`, from the nn part) and drawings (`preprocess`).

pub mod preprocess;
