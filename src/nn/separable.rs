//! What a depthwise-separable block saves: a depthwise k×k convolution followed (after any
//! ReLUs) by a 1×1 convolution does the job of one standard k×k convolution between the same
//! channels, with far fewer parameters. For the page's MobileNet-like preset.

use super::spec::{LayerInfo, LayerSpec, ModelSpec};

/// One depthwise-separable pair and the standard convolution it stands in for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeparableSaving {
    /// Top-level indices of the depthwise and the 1×1 convolution.
    pub depthwise: usize,
    pub pointwise: usize,
    /// Their names ("dwconv1", "conv3").
    pub names: (String, String),
    /// Kernel size of the depthwise convolution, its input channels and the 1×1's filters.
    pub kernel: usize,
    pub in_channels: usize,
    pub out_channels: usize,
    /// Weights and biases of the pair.
    pub params: usize,
    /// Weights and biases of one standard `kernel×kernel` convolution from `in_channels` to
    /// `out_channels`: `out·in·k² + out`.
    pub standard: usize,
}

impl ModelSpec {
    /// Every depthwise convolution followed (after any ReLUs) by a 1×1 convolution, at the top
    /// level; empty when `infos` does not belong to this spec.
    pub fn separable_savings(&self, infos: &[LayerInfo]) -> Vec<SeparableSaving> {
        let mut out = Vec::new();
        if infos.len() != self.layers.len() {
            return out;
        }
        for (i, layer) in self.layers.iter().enumerate() {
            let LayerSpec::DwConv { kernel, .. } = *layer else {
                continue;
            };
            let Some(j) =
                (i + 1..self.layers.len()).find(|&j| !matches!(self.layers[j], LayerSpec::Relu))
            else {
                continue;
            };
            let LayerSpec::Conv {
                filters, kernel: 1, ..
            } = self.layers[j]
            else {
                continue;
            };
            let c = infos[i].input.c;
            out.push(SeparableSaving {
                depthwise: i,
                pointwise: j,
                names: (infos[i].name.clone(), infos[j].name.clone()),
                kernel,
                in_channels: c,
                out_channels: filters,
                params: infos[i].params + infos[j].params,
                standard: filters * c * kernel * kernel + filters,
            });
        }
        out
    }
}
