//! A network built from a [`ModelSpec`]: inference for the page, batched training passes for
//! the trainer, parameter snapshots, and the model file.
//!
//! # Model file (`www/model/default.cnn`)
//!
//! All integers little-endian:
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 4 | magic `"CSM1"` |
//! | 4 | 4 | u32 `L`: length of the architecture string in bytes (at most 1024) |
//! | 8 | L | the architecture in the `arch=` form, UTF-8 (e.g. `conv8k5s1p2,relu,…,dense10`) |
//! | 8 + L | 4 | u32 `P`: number of parameters (must match the architecture) |
//! | 12 + L | 4·P | f32 parameters in [`Model::param_vectors`] order: layer by layer, weights then biases |
//!
//! Weights are row-major: conv `[filters, in_channels, k, k]`, dense `[units, inputs]` where
//! the inputs are the flattened `[c, h, w]` of the layer before. Nothing may follow the
//! parameters. [`Model::from_bytes`] checks every field (and that all parameters are finite)
//! and returns an error, never panics, on anything else.

use crate::nn::layers::{
    init, loss, relu, Conv2d, Conv2dConfig, Dense, DenseConfig, Pool2d, Pool2dConfig, PoolKind,
};
use crate::nn::optim::Optimizer;
use crate::nn::spec::{LayerInfo, LayerSpec, ModelSpec, Shape, SpecError, CLASSES, INPUT};
use ndarray::{Array3, ArrayView4};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// One layer with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    Conv(Conv2d),
    Relu { shape: Shape },
    Pool(Pool2d),
    Dense(Dense),
}

impl Layer {
    fn params(&self) -> &[f32] {
        match self {
            Layer::Conv(c) => &c.params,
            Layer::Dense(d) => &d.params,
            _ => &[],
        }
    }

    fn params_mut(&mut self) -> &mut [f32] {
        match self {
            Layer::Conv(c) => &mut c.params,
            Layer::Dense(d) => &mut d.params,
            _ => &mut [],
        }
    }
}

/// Why a model file was rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelFileError {
    #[error("not a Convscope model file (expected magic \"CSM1\")")]
    BadMagic,
    #[error("model file is truncated: {0}")]
    Truncated(&'static str),
    #[error("architecture string of {0} bytes is too long")]
    ArchTooLong(usize),
    #[error("architecture string is not UTF-8")]
    ArchNotUtf8,
    #[error("architecture in the model file is invalid: {0}")]
    Arch(#[from] SpecError),
    #[error("model file has {found} parameters, its architecture needs {expected}")]
    ParamCount { expected: usize, found: usize },
    #[error("model file has {0} unexpected bytes after the parameters")]
    TrailingBytes(usize),
    #[error("parameter {0} is not a finite number")]
    NotFinite(usize),
}

const MAGIC: &[u8; 4] = b"CSM1";

/// A convolutional network. Cloning copies the parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    spec: ModelSpec,
    infos: Vec<LayerInfo>,
    layers: Vec<Layer>,
}

/// Buffers of one batched forward/backward pass, reused from step to step so that training
/// allocates nothing once the batch size is stable. All tensors are flat, row-major.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    n: usize,
    /// The batch `[n, 1, 28, 28]`.
    input: Vec<f32>,
    /// Output of layer i `[n, c, h, w]` (dense: `[n, units]`).
    outs: Vec<Vec<f32>>,
    /// Gradient of the loss w.r.t. the output of layer i, same shape as `outs[i]`.
    douts: Vec<Vec<f32>>,
    /// Conv: im2col columns `[n, c·k·k, oh·ow]`; other layers: empty.
    cols: Vec<Vec<f32>>,
    /// Max pool: arg-max indices `[n, c, oh, ow]`; other layers: empty.
    argmax: Vec<Vec<u32>>,
    /// Scratch for one image's column gradient (largest conv's `[c·k·k, oh·ow]`).
    dcols: Vec<f32>,
    /// Parameter gradients of the last backward pass, same layout as `Model::param_vectors`.
    pub grads: Vec<Vec<f32>>,
}

impl Workspace {
    /// Batch size the buffers are currently sized for.
    pub fn batch(&self) -> usize {
        self.n
    }

    /// The input batch `[n, 1, 28, 28]` to fill before [`Model::forward_train`].
    pub fn input_mut(&mut self) -> &mut [f32] {
        &mut self.input
    }

    /// Logits `[n, 10]` of the last forward pass.
    pub fn logits(&self) -> &[f32] {
        self.outs.last().map(Vec::as_slice).unwrap_or(&[])
    }

    /// Output of layer `i` `[n, c, h, w]` of the last forward pass.
    pub fn output(&self, i: usize) -> &[f32] {
        &self.outs[i]
    }
}

/// `Vec` resize that never shrinks capacity, so alternating batch sizes do not reallocate.
fn fit<T: Clone + Default>(v: &mut Vec<T>, len: usize) {
    v.resize(len, T::default());
}

impl Model {
    /// Builds the network with seeded He-normal weights and zero biases.
    pub fn new(spec: &ModelSpec, seed: u64) -> Result<Model, SpecError> {
        let infos = spec.analyze()?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut layers = Vec::with_capacity(infos.len());
        for (l, info) in spec.layers.iter().zip(&infos) {
            let layer = match *l {
                LayerSpec::Conv {
                    filters,
                    kernel,
                    stride,
                    pad,
                } => {
                    let mut c = Conv2dConfig {
                        filters,
                        kernel,
                        stride,
                        pad,
                    }
                    .init(info.input);
                    let (nw, fan_in) = (c.n_weights(), c.col_rows());
                    init::he_normal(&mut c.params[..nw], fan_in, &mut rng);
                    Layer::Conv(c)
                }
                LayerSpec::Relu => Layer::Relu { shape: info.input },
                LayerSpec::MaxPool { window, stride } | LayerSpec::AvgPool { window, stride } => {
                    let kind = if matches!(l, LayerSpec::MaxPool { .. }) {
                        PoolKind::Max
                    } else {
                        PoolKind::Avg
                    };
                    Layer::Pool(
                        Pool2dConfig {
                            kind,
                            window,
                            stride,
                        }
                        .init(info.input),
                    )
                }
                LayerSpec::Dense { units } => {
                    let mut d = DenseConfig { units }.init(info.input.len());
                    let (nw, fan_in) = (d.n_weights(), d.inputs);
                    init::he_normal(&mut d.params[..nw], fan_in, &mut rng);
                    Layer::Dense(d)
                }
            };
            layers.push(layer);
        }
        Ok(Model {
            spec: spec.clone(),
            infos,
            layers,
        })
    }

    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    pub fn infos(&self) -> &[LayerInfo] {
        &self.infos
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Total number of learnable parameters.
    pub fn param_count(&self) -> usize {
        self.layers.iter().map(|l| l.params().len()).sum()
    }

    /// Buffers for batched passes of `n` images (resized on demand by the passes).
    pub fn workspace(&self, n: usize) -> Workspace {
        let mut ws = Workspace::default();
        self.prepare(&mut ws, n);
        ws
    }

    /// Sizes `ws` for a batch of `n`.
    pub fn prepare(&self, ws: &mut Workspace, n: usize) {
        let l = self.layers.len();
        ws.outs.resize_with(l, Vec::new);
        ws.douts.resize_with(l, Vec::new);
        ws.cols.resize_with(l, Vec::new);
        ws.argmax.resize_with(l, Vec::new);
        ws.grads.resize_with(l, Vec::new);
        fit(&mut ws.input, n * INPUT.len());
        let mut dcols = 0;
        for (i, (layer, info)) in self.layers.iter().zip(&self.infos).enumerate() {
            fit(&mut ws.outs[i], n * info.output.len());
            fit(&mut ws.douts[i], n * info.output.len());
            fit(&mut ws.grads[i], layer.params().len());
            match layer {
                Layer::Conv(c) => {
                    fit(&mut ws.cols[i], n * c.cols_len());
                    dcols = dcols.max(c.cols_len());
                }
                Layer::Pool(p) if p.config.kind == PoolKind::Max => {
                    fit(&mut ws.argmax[i], n * p.output.len());
                }
                _ => {}
            }
        }
        fit(&mut ws.dcols, dcols);
        ws.n = n;
    }

    /// Batched forward of the `n` images in `ws.input_mut()`; every layer's output stays in
    /// `ws` for [`Model::backward`].
    pub fn forward_train(&self, ws: &mut Workspace) {
        for i in 0..self.layers.len() {
            self.forward_layer(i, ws);
        }
    }

    /// Forward of layer `i` alone, from the output of layer `i − 1` already in `ws` (the
    /// input batch for layer 0). For benchmarks of one layer inside a real network.
    pub fn forward_layer(&self, i: usize, ws: &mut Workspace) {
        let n = ws.n;
        let (prev, rest) = ws.outs.split_at_mut(i);
        let x: &[f32] = if i == 0 { &ws.input } else { &prev[i - 1] };
        let y = &mut rest[0];
        match &self.layers[i] {
            Layer::Conv(c) => c.forward(n, x, y, &mut ws.cols[i]),
            Layer::Relu { .. } => relu::forward(x, y),
            Layer::Pool(p) => p.forward(n, x, y, &mut ws.argmax[i]),
            Layer::Dense(d) => d.forward(n, x, y),
        }
    }

    /// Softmax cross-entropy of the last forward pass against `labels` (`n` of them); seeds
    /// the backward pass. Returns (mean loss, number correct).
    pub fn loss(&self, ws: &mut Workspace, labels: &[u8]) -> (f32, usize) {
        let last = self.layers.len() - 1;
        let n = labels.len().min(ws.n);
        loss::softmax_cross_entropy(&ws.outs[last], &labels[..n], CLASSES, &mut ws.douts[last])
    }

    /// Back-propagates `ws.douts[last]` (set by [`Model::loss`]) through the network and
    /// leaves the parameter gradients in `ws.grads`.
    pub fn backward(&self, ws: &mut Workspace) {
        let n = ws.n;
        for i in (0..self.layers.len()).rev() {
            let (douts_lo, douts_hi) = ws.douts.split_at_mut(i);
            let dy: &[f32] = &douts_hi[0];
            // The first layer's input gradient is never needed.
            let dx: Option<&mut [f32]> = if i == 0 {
                None
            } else {
                Some(&mut douts_lo[i - 1])
            };
            let x: &[f32] = if i == 0 { &ws.input } else { &ws.outs[i - 1] };
            match &self.layers[i] {
                Layer::Conv(c) => {
                    c.backward(n, &ws.cols[i], dy, dx, &mut ws.grads[i], &mut ws.dcols)
                }
                Layer::Relu { .. } => {
                    if let Some(dx) = dx {
                        relu::backward(&ws.outs[i], dy, dx);
                    }
                }
                Layer::Pool(p) => {
                    if let Some(dx) = dx {
                        p.backward(n, &ws.argmax[i], dy, dx);
                    }
                }
                Layer::Dense(d) => d.backward(n, x, dy, dx, &mut ws.grads[i]),
            }
        }
    }

    /// Runs `n = images.len() / 784` images through the network; returns the logits `[n, 10]`.
    pub fn forward_batch(&self, images: &[f32], ws: &mut Workspace) -> Vec<f32> {
        let n = images.len() / INPUT.len();
        self.prepare(ws, n);
        ws.input.copy_from_slice(&images[..n * INPUT.len()]);
        self.forward_train(ws);
        ws.logits().to_vec()
    }

    /// Output of every layer for one image (784 values in [0, 1]; missing values count as 0,
    /// extra ones are ignored), in spec order; the last is the logits (10×1×1).
    pub fn forward_taps(&self, x: &[f32]) -> Vec<Array3<f32>> {
        let mut ws = self.workspace(1);
        let m = x.len().min(INPUT.len());
        ws.input[..m].copy_from_slice(&x[..m]);
        self.forward_train(&mut ws);
        self.infos
            .iter()
            .zip(ws.outs)
            .map(|(info, out)| {
                let Shape { c, h, w } = info.output;
                Array3::from_shape_vec((c, h, w), out).expect("output matches its shape")
            })
            .collect()
    }

    /// Softmax probabilities for one image (784 values, as in [`Model::forward_taps`]).
    pub fn predict(&self, x: &[f32]) -> [f32; 10] {
        let taps = self.forward_taps(x);
        let mut p = [0.0f32; 10];
        if let Some(logits) = taps.last().and_then(|a| a.as_slice()) {
            loss::softmax(logits, &mut p);
        }
        p
    }

    /// Conv weights of layer `index` (spec index) as `[filters, in_channels, k, k]`; None if
    /// that layer is not a convolution.
    pub fn conv_weights(&self, index: usize) -> Option<ArrayView4<'_, f32>> {
        match self.layers.get(index)? {
            Layer::Conv(c) => Some(c.weight4()),
            _ => None,
        }
    }

    /// All learnable parameters, one flat vector per layer in spec order (empty for layers
    /// without), weights then biases. This is what a training snapshot carries.
    pub fn param_vectors(&self) -> Vec<Vec<f32>> {
        self.layers.iter().map(|l| l.params().to_vec()).collect()
    }

    /// Replaces all parameters; `v` must have one vector per layer with the lengths
    /// [`Model::param_vectors`] returns.
    pub fn set_param_vectors(&mut self, v: &[Vec<f32>]) -> Result<(), String> {
        if v.len() != self.layers.len() {
            return Err(format!(
                "expected {} parameter vectors (one per layer), got {}",
                self.layers.len(),
                v.len()
            ));
        }
        for ((layer, src), info) in self.layers.iter().zip(v).zip(&self.infos) {
            if layer.params().len() != src.len() {
                return Err(format!(
                    "{}: expected {} parameters, got {}",
                    info.name,
                    layer.params().len(),
                    src.len()
                ));
            }
        }
        for (layer, src) in self.layers.iter_mut().zip(v) {
            layer.params_mut().copy_from_slice(src);
        }
        Ok(())
    }

    /// Mutable parameters, one slice per layer (empty for layers without), in
    /// [`Model::param_vectors`] layout; what an optimizer updates.
    pub fn params_mut(&mut self) -> Vec<&mut [f32]> {
        self.layers.iter_mut().map(Layer::params_mut).collect()
    }

    /// One optimizer update of every layer with the gradients of the last backward pass
    /// (`ws.grads`). Allocates nothing once the optimizer's state exists.
    pub fn apply_gradients(&mut self, opt: &mut Optimizer, lr: f32, ws: &Workspace) {
        opt.begin_step(self.layers.iter().map(|l| l.params().len()));
        for (i, (layer, g)) in self.layers.iter_mut().zip(&ws.grads).enumerate() {
            opt.update_layer(i, lr, layer.params_mut(), g);
        }
    }

    /// The model file; see the module documentation for the format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let arch = self.spec.to_string();
        let count = self.param_count();
        let mut b = Vec::with_capacity(12 + arch.len() + 4 * count);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&(arch.len() as u32).to_le_bytes());
        b.extend_from_slice(arch.as_bytes());
        b.extend_from_slice(&(count as u32).to_le_bytes());
        for l in &self.layers {
            for p in l.params() {
                b.extend_from_slice(&p.to_le_bytes());
            }
        }
        b
    }

    /// Reads a model file, checking every field; never panics.
    pub fn from_bytes(b: &[u8]) -> Result<Model, ModelFileError> {
        fn u32_at(b: &[u8], at: usize, what: &'static str) -> Result<usize, ModelFileError> {
            b.get(at..at + 4)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
                .ok_or(ModelFileError::Truncated(what))
        }
        if b.len() < 4 || &b[..4] != MAGIC {
            return Err(ModelFileError::BadMagic);
        }
        let len = u32_at(b, 4, "no architecture length")?;
        if len > crate::nn::spec::MAX_ARCH_LEN {
            return Err(ModelFileError::ArchTooLong(len));
        }
        let arch = b
            .get(8..8 + len)
            .ok_or(ModelFileError::Truncated("architecture string cut short"))?;
        let arch = std::str::from_utf8(arch).map_err(|_| ModelFileError::ArchNotUtf8)?;
        let spec = ModelSpec::parse(arch)?;
        let mut model = Model::new(&spec, 0)?;
        let expected = model.param_count();
        let found = u32_at(b, 8 + len, "no parameter count")?;
        if found != expected {
            return Err(ModelFileError::ParamCount { expected, found });
        }
        let start = 12 + len;
        let data = b
            .get(start..start + 4 * expected)
            .ok_or(ModelFileError::Truncated("parameters cut short"))?;
        let extra = b.len() - start - 4 * expected;
        if extra > 0 {
            return Err(ModelFileError::TrailingBytes(extra));
        }
        let mut values = data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .enumerate();
        for layer in &mut model.layers {
            for (p, (i, v)) in layer.params_mut().iter_mut().zip(&mut values) {
                if !v.is_finite() {
                    return Err(ModelFileError::NotFinite(i));
                }
                *p = v;
            }
        }
        Ok(model)
    }
}
