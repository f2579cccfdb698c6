//! Fully connected layer; flattens its `[c, h, w]` input to `c·h·w` values.

use crate::nn::kernels::{gemm_nn, gemm_nt};

/// Hyper-parameters of a dense layer (the spec's `dense{units}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DenseConfig {
    pub units: usize,
}

impl DenseConfig {
    pub fn init(&self, inputs: usize) -> Dense {
        Dense {
            inputs,
            units: self.units,
            params: vec![0.0; inputs * self.units + self.units],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// Flattened input length `c·h·w`.
    pub inputs: usize,
    pub units: usize,
    /// Weights then biases, flat: weight `[units, inputs]` (row-major), bias `[units]`.
    pub params: Vec<f32>,
}

impl Dense {
    pub fn n_weights(&self) -> usize {
        self.units * self.inputs
    }

    pub fn bias(&self) -> &[f32] {
        &self.params[self.n_weights()..]
    }

    /// `x: [n, inputs]` → `y: [n, units]`, `y = x · Wᵀ + b`.
    pub fn forward(&self, n: usize, x: &[f32], y: &mut [f32]) {
        let (i, u) = (self.inputs, self.units);
        let y = &mut y[..n * u];
        for row in y.chunks_exact_mut(u) {
            row.copy_from_slice(self.bias());
        }
        // y += X · Wᵀ
        gemm_nt(n, u, i, x, &self.params[..u * i], y, true);
    }

    /// `dy: [n, units]`; writes `grad` (layout of `params`) and, if asked, `dx: [n, inputs]`.
    pub fn backward(
        &self,
        n: usize,
        x: &[f32],
        dy: &[f32],
        dx: Option<&mut [f32]>,
        grad: &mut [f32],
    ) {
        let (i, u) = (self.inputs, self.units);
        let (gw, gb) = grad.split_at_mut(self.n_weights());
        // dW = dYᵀ · X (dYᵀ read in place), db = Σₙ dY
        gemm_nn(u, i, n, dy, 1, u, x, gw, false);
        gb.fill(0.0);
        for row in dy[..n * u].chunks_exact(u) {
            for (b, g) in gb.iter_mut().zip(row) {
                *b += *g;
            }
        }
        if let Some(dx) = dx {
            // dX = dY · W
            gemm_nn(n, i, u, dy, u, 1, &self.params[..u * i], dx, false);
        }
    }
}
