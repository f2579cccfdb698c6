//! The arithmetic behind one output cell, with the numbers filled in: for the page's "click a
//! cell" view. A convolution cell is a sum of weight × input products plus a bias; a pooling
//! cell is the largest (max) or the mean (avg) of its window; a ReLU cell is max(0, input).
//!
//! Everything is read from one forward pass of the model on the shown image, so the result
//! can be checked against the engine's own value for that cell ([`CellExplanation::engine`]).

use ndarray::Array3;

use super::model::{Layer, Model};
use super::receptive::{Cell, ReceptiveField, WindowTap};
use super::spec::LayerSpec;

/// One input the cell reads: channel `channel` at the window position `tap` (in the layer
/// input's coordinates), its value (0 for padding) and, for convolutions, the kernel weight
/// it is multiplied by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    pub channel: usize,
    /// Kernel row and column of this position within the window.
    pub ky: usize,
    pub kx: usize,
    pub tap: WindowTap,
    pub input: f32,
    pub weight: Option<f32>,
}

impl Term {
    /// weight × input for convolutions; the input itself otherwise.
    pub fn product(&self) -> f32 {
        self.weight.map_or(self.input, |w| w * self.input)
    }
}

/// How the cell's value follows from its terms.
#[derive(Clone, Debug, PartialEq)]
pub enum CellMath {
    /// `Σ weight·input + bias` over every input channel and kernel position.
    Conv { bias: f32, sum: f32 },
    /// The largest input of the window; `winner` indexes the first term holding it.
    Max { winner: usize, max: f32 },
    /// The mean of the window's inputs.
    Avg { mean: f32 },
    /// `max(0, input)`.
    Relu { input: f32, output: f32 },
}

impl CellMath {
    /// The value the arithmetic gives.
    pub fn value(&self) -> f32 {
        match *self {
            CellMath::Conv { sum, .. } => sum,
            CellMath::Max { max, .. } => max,
            CellMath::Avg { mean } => mean,
            CellMath::Relu { output, .. } => output,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CellExplanation {
    pub field: ReceptiveField,
    /// Kernel size (1 for ReLU), so the terms of one channel form a `k × k` grid.
    pub kernel: usize,
    /// Channel by channel, each in kernel-row order (`k·k` per channel).
    pub terms: Vec<Term>,
    pub math: CellMath,
    /// The cell's value in the engine's own forward pass.
    pub engine: f32,
    /// The layer's input as the engine saw it, `[channels, height, width]`: what the window
    /// slides over.
    pub input: Array3<f32>,
}

impl CellExplanation {
    /// Multiply-adds the cell costs (convolutions; 0 otherwise).
    pub fn multiply_adds(&self) -> usize {
        match self.math {
            CellMath::Conv { .. } => self.terms.len(),
            _ => 0,
        }
    }
}

impl Model {
    /// The arithmetic of output cell `cell` for the image `x` (784 values in [0, 1]). Errors
    /// (as text) for a cell outside the network, and for dense layers and residual-block
    /// outputs, whose cells are not a small window of inputs.
    pub fn explain_cell(&self, x: &[f32], cell: Cell) -> Result<CellExplanation, String> {
        let field = self.spec().receptive_field(cell)?;
        let range = self
            .engine_range(cell.layer)
            .ok_or_else(|| format!("there is no layer {}", cell.layer))?;
        let top = &self.spec().layers[cell.layer];
        let (spec, engine_index) = match (top, cell.inner) {
            (LayerSpec::Residual { layers }, Some(j)) => {
                (layers.get(j).ok_or("no such inner layer")?, range.start + j)
            }
            (LayerSpec::Residual { .. }, None) => {
                return Err(format!(
                    "{}: a residual block's output is its input plus the block's last layer; \
                     pick a cell inside the block",
                    field.name
                ))
            }
            (spec, _) => (spec, range.start),
        };
        let taps = self.forward_taps_nested(x);
        let image;
        let input: &Array3<f32> = match cell.inner {
            Some(j) if j > 0 => &taps[cell.layer].inner[j - 1],
            _ if cell.layer == 0 => {
                let mut img = Array3::zeros((1, 28, 28));
                for (d, s) in img.iter_mut().zip(x) {
                    *d = *s;
                }
                image = img;
                &image
            }
            _ => &taps[cell.layer - 1].output,
        };
        let output = match cell.inner {
            Some(j) => &taps[cell.layer].inner[j],
            None => &taps[cell.layer].output,
        };
        let engine = output[[cell.c, cell.y, cell.x]];
        let read = |channel: usize, t: &WindowTap| -> f32 {
            if t.padding {
                0.0
            } else {
                input[[channel, t.y as usize, t.x as usize]]
            }
        };
        let kernel = match spec {
            LayerSpec::Conv { kernel, .. } | LayerSpec::DwConv { kernel, .. } => *kernel,
            LayerSpec::MaxPool { window, .. } | LayerSpec::AvgPool { window, .. } => *window,
            LayerSpec::Relu => 1,
            LayerSpec::Dense { .. } | LayerSpec::Residual { .. } => {
                return Err(format!(
                    "{}: a dense unit reads every input, not a window; pick a convolution, \
                     pooling or ReLU cell",
                    field.name
                ))
            }
        };
        let mut terms = Vec::with_capacity(field.channels.len() * field.taps.len());
        for channel in field.channels.clone() {
            for (i, tap) in field.taps.iter().enumerate() {
                terms.push(Term {
                    channel,
                    ky: i / kernel,
                    kx: i % kernel,
                    tap: *tap,
                    input: read(channel, tap),
                    weight: None,
                });
            }
        }
        let math = match spec {
            LayerSpec::Conv { .. } | LayerSpec::DwConv { .. } => {
                let (weights, bias) = conv_params(&self.layers()[engine_index], cell.c)
                    .ok_or("the layer holds no convolution weights")?;
                let per_channel = kernel * kernel;
                let first = field.channels.start;
                for t in terms.iter_mut() {
                    t.weight = weights
                        .get((t.channel - first) * per_channel + t.ky * kernel + t.kx)
                        .copied();
                }
                // In f64, so the shown sum is the exact sum of the shown products.
                let sum = terms.iter().map(|t| t.product() as f64).sum::<f64>() + bias as f64;
                CellMath::Conv {
                    bias,
                    sum: sum as f32,
                }
            }
            LayerSpec::MaxPool { .. } => {
                let mut winner = 0;
                for (i, t) in terms.iter().enumerate() {
                    if t.input > terms[winner].input {
                        winner = i;
                    }
                }
                CellMath::Max {
                    winner,
                    max: terms.get(winner).map_or(0.0, |t| t.input),
                }
            }
            LayerSpec::AvgPool { .. } => {
                let sum: f64 = terms.iter().map(|t| t.input as f64).sum();
                CellMath::Avg {
                    mean: (sum / terms.len().max(1) as f64) as f32,
                }
            }
            _ => {
                let input = terms.first().map_or(0.0, |t| t.input);
                CellMath::Relu {
                    input,
                    output: input.max(0.0),
                }
            }
        };
        Ok(CellExplanation {
            kernel,
            field,
            terms,
            math,
            engine,
            input: input.clone(),
        })
    }
}

/// Filter `f`'s weights (`[in_channels, k, k]` flat; one channel for depthwise) and bias.
fn conv_params(layer: &Layer, f: usize) -> Option<(&[f32], f32)> {
    match layer {
        Layer::Conv(c) => {
            let per_filter = c.n_weights() / c.config.filters;
            let w = c.params.get(f * per_filter..(f + 1) * per_filter)?;
            Some((w, *c.params.get(c.n_weights() + f)?))
        }
        Layer::DwConv(c) => {
            let k = c.config.kernel * c.config.kernel;
            let w = c.params.get(f * k..(f + 1) * k)?;
            Some((w, *c.params.get(c.n_weights() + f)?))
        }
        _ => None,
    }
}
