//! Optimizers: SGD with momentum and Adam, applied to the flat per-layer parameter vectors.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum OptimizerKind {
    /// `v ← μ·v + g; p ← p − lr·v` (PyTorch / tfjs form; the same as ConvNetJS's at a
    /// constant learning rate).
    Sgd { momentum: f32 },
    /// Adam with bias correction: `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
    /// p ← p − lr·m̂/(√v̂ + ε)`, `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
    Adam { beta1: f32, beta2: f32, eps: f32 },
}

/// Training hyper-parameters the page lets a student change.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hyper {
    pub learning_rate: f32,
    pub batch_size: usize,
    pub optimizer: OptimizerKind,
}

impl Default for Hyper {
    /// Adam, learning rate 0.001 (β 0.9/0.999, ε 1e-8), batch 32.
    fn default() -> Self {
        Hyper {
            learning_rate: 0.001,
            batch_size: 32,
            optimizer: OptimizerKind::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
            },
        }
    }
}

/// Optimizer state: one buffer (SGD velocity, Adam first moment) or two (Adam second moment)
/// per parameter vector, `[len of that layer's parameters]` each.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    kind: OptimizerKind,
    /// SGD velocity or Adam first moment, per layer.
    m: Vec<Vec<f32>>,
    /// Adam second moment, per layer (empty for SGD).
    v: Vec<Vec<f32>>,
    /// Steps taken (Adam's bias correction needs it).
    t: u64,
}

impl Optimizer {
    pub fn new(kind: OptimizerKind) -> Self {
        Optimizer {
            kind,
            m: Vec::new(),
            v: Vec::new(),
            t: 0,
        }
    }

    pub fn kind(&self) -> OptimizerKind {
        self.kind
    }

    /// Forgets all state (velocities, moments, step count).
    pub fn reset(&mut self) {
        self.m.clear();
        self.v.clear();
        self.t = 0;
    }

    /// Switches the rule. Changing only the coefficients keeps the state (so a student can
    /// tweak momentum mid-run); switching between SGD and Adam starts the new rule fresh.
    pub fn set_kind(&mut self, kind: OptimizerKind) {
        if std::mem::discriminant(&kind) != std::mem::discriminant(&self.kind) {
            self.reset();
        }
        self.kind = kind;
    }

    /// One update of `params` (one slice per layer) with `grads` (same lengths).
    pub fn step(&mut self, lr: f32, params: &mut [&mut [f32]], grads: &[Vec<f32>]) {
        self.begin_step(params.iter().map(|p| p.len()));
        for (layer, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            self.update_layer(layer, lr, p, g);
        }
    }

    /// Starts one update of parameter vectors with lengths `lens` (one per layer): sizes the
    /// state for them (from zero if they changed) and advances the step count. Then call
    /// [`Optimizer::update_layer`] for every layer. Allocates only when the lengths change.
    pub fn begin_step(&mut self, lens: impl Iterator<Item = usize> + Clone) {
        let fits = self.m.len() == lens.clone().count()
            && self.m.iter().zip(lens.clone()).all(|(m, l)| m.len() == l);
        if !fits {
            self.m = lens.clone().map(|l| vec![0.0; l]).collect();
            self.v = Vec::new();
            self.t = 0;
        }
        if matches!(self.kind, OptimizerKind::Adam { .. }) && self.v.len() != self.m.len() {
            self.v = self.m.iter().map(|m| vec![0.0; m.len()]).collect();
        }
        self.t += 1;
    }

    /// Updates layer `layer`'s parameters `p` with its gradient `g`, after
    /// [`Optimizer::begin_step`].
    pub fn update_layer(&mut self, layer: usize, lr: f32, p: &mut [f32], g: &[f32]) {
        let m = &mut self.m[layer];
        match self.kind {
            OptimizerKind::Sgd { momentum } => {
                for ((p, g), m) in p.iter_mut().zip(g).zip(m.iter_mut()) {
                    *m = momentum * *m + *g;
                    *p -= lr * *m;
                }
            }
            OptimizerKind::Adam { beta1, beta2, eps } => {
                let t = self.t.min(i32::MAX as u64) as i32;
                let c1 = 1.0 - beta1.powi(t);
                let c2 = 1.0 - beta2.powi(t);
                let v = &mut self.v[layer];
                for (((p, g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                    *m = beta1 * *m + (1.0 - beta1) * *g;
                    *v = beta2 * *v + (1.0 - beta2) * *g * *g;
                    let mh = *m / c1;
                    let vh = *v / c2;
                    *p -= lr * mh / (vh.sqrt() + eps);
                }
            }
        }
    }
}
