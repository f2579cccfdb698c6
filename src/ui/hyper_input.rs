//! Checks the training-control text fields before anything reaches the worker.

use crate::nn::optim::{Hyper, OptimizerKind};

/// Largest learning rate accepted: beyond this every optimizer here diverges.
pub const MAX_LEARNING_RATE: f32 = 1.0;
/// Largest mini-batch accepted: the trainer's own limit, so the page never shows a batch size
/// that is not the one used.
pub use crate::train::MAX_BATCH;
/// Momentum used when SGD is chosen.
pub const SGD_MOMENTUM: f32 = 0.9;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerChoice {
    Sgd,
    Adam,
}

impl OptimizerChoice {
    pub fn of(kind: &OptimizerKind) -> Self {
        match kind {
            OptimizerKind::Sgd { .. } => OptimizerChoice::Sgd,
            OptimizerKind::Adam { .. } => OptimizerChoice::Adam,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sgd" => Some(OptimizerChoice::Sgd),
            "adam" => Some(OptimizerChoice::Adam),
            _ => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            OptimizerChoice::Sgd => "sgd",
            OptimizerChoice::Adam => "adam",
        }
    }

    /// The optimizer with its usual constants (Adam's from `Hyper::default()`).
    pub fn kind(self) -> OptimizerKind {
        match self {
            OptimizerChoice::Sgd => OptimizerKind::Sgd {
                momentum: SGD_MOMENTUM,
            },
            OptimizerChoice::Adam => match Hyper::default().optimizer {
                adam @ OptimizerKind::Adam { .. } => adam,
                OptimizerKind::Sgd { .. } => OptimizerKind::Adam {
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 1e-8,
                },
            },
        }
    }
}

pub fn parse_learning_rate(text: &str) -> Result<f32, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Enter a learning rate, e.g. 0.001.".into());
    }
    let v: f32 = t.parse().map_err(|_| format!("“{t}” is not a number."))?;
    if !v.is_finite() {
        return Err("The learning rate must be a finite number.".into());
    }
    if v <= 0.0 {
        return Err("The learning rate must be greater than 0.".into());
    }
    if v > MAX_LEARNING_RATE {
        return Err(format!(
            "At most {MAX_LEARNING_RATE}: larger rates make training diverge."
        ));
    }
    Ok(v)
}

pub fn parse_batch_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Enter a batch size, e.g. 32.".into());
    }
    let v: usize = t
        .parse()
        .map_err(|_| format!("“{t}” is not a whole number ≥ 1."))?;
    if v == 0 || v > MAX_BATCH {
        return Err(format!("The batch size must be between 1 and {MAX_BATCH}."));
    }
    Ok(v)
}
