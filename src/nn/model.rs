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
//! and returns an error, never panics, on anything else. A depthwise convolution's weights are
//! `[channels, k, k]`; a residual block's parameters are those of its layers, in order.
//!
//! # Indexing
//!
//! The public API counts **top-level spec layers**: [`Model::infos`], [`Model::forward_taps`],
//! [`Model::param_vectors`], [`Model::conv_weights`] and the gradients in [`Workspace::grads`]
//! have one entry per entry of `spec.layers`. A residual block is one entry: its tap is the
//! block's output (input + block(input)), its parameter vector the concatenation of its
//! layers' (weights then biases, layer by layer). Its layers are reached through
//! [`LayerInfo::inner`], [`Model::forward_taps_nested`] and [`Model::inner_conv_weights`].
//!
//! The engine itself runs a flat list ([`Model::layers`], [`Model::forward_layer`],
//! [`Model::params_mut`]): a block's layers, then an add node for the block (see
//! [`crate::nn::spec::FlatLayer`]). Without residual blocks both numberings are the same.

use crate::nn::layers::{
    init, loss, relu, Conv2d, Conv2dConfig, Dense, DenseConfig, DepthwiseConfig, DepthwiseConv2d,
    Pool2d, Pool2dConfig, PoolKind,
};
use crate::nn::optim::Optimizer;
use crate::nn::spec::{
    flatten, FlatLayer, LayerInfo, LayerSpec, ModelSpec, Shape, SpecError, CLASSES, INPUT,
};
use ndarray::{Array3, ArrayView4};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::ops::Range;

/// One layer with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    Conv(Conv2d),
    DwConv(DepthwiseConv2d),
    Relu {
        shape: Shape,
    },
    Pool(Pool2d),
    Dense(Dense),
    /// The end of a residual block: adds the block's input (the output of engine layer
    /// `start − 1`, or the image when `start` is 0) to the output of the layer before this one.
    ResidualAdd {
        start: usize,
        shape: Shape,
    },
}

impl Layer {
    fn params(&self) -> &[f32] {
        match self {
            Layer::Conv(c) => &c.params,
            Layer::DwConv(c) => &c.params,
            Layer::Dense(d) => &d.params,
            _ => &[],
        }
    }

    fn params_mut(&mut self) -> &mut [f32] {
        match self {
            Layer::Conv(c) => &mut c.params,
            Layer::DwConv(c) => &mut c.params,
            Layer::Dense(d) => &mut d.params,
            _ => &mut [],
        }
    }

    /// Weights as `[filters, in_channels, k, k]` (depthwise: `[channels, 1, k, k]`).
    fn conv_weights(&self) -> Option<ArrayView4<'_, f32>> {
        match self {
            Layer::Conv(c) => Some(c.weight4()),
            Layer::DwConv(c) => {
                let k = c.config.kernel;
                ArrayView4::from_shape((c.input.c, 1, k, k), &c.params[..c.n_weights()]).ok()
            }
            _ => None,
        }
    }

    /// Builds one (non-residual) layer; `start` is its engine index, for add nodes.
    fn build<R: rand::Rng>(l: &LayerSpec, info: &LayerInfo, start: usize, rng: &mut R) -> Layer {
        match *l {
            LayerSpec::Conv {
                filters,
                kernel,
                stride,
                pad,
                dilation,
            } => {
                let mut c = Conv2dConfig {
                    filters,
                    kernel,
                    stride,
                    pad,
                    dilation,
                }
                .init(info.input);
                let (nw, fan_in) = (c.n_weights(), c.col_rows());
                init::he_normal(&mut c.params[..nw], fan_in, rng);
                Layer::Conv(c)
            }
            LayerSpec::DwConv {
                kernel,
                stride,
                pad,
                dilation,
            } => {
                let mut c = DepthwiseConfig {
                    kernel,
                    stride,
                    pad,
                    dilation,
                }
                .init(info.input);
                let nw = c.n_weights();
                init::he_normal(&mut c.params[..nw], kernel * kernel, rng);
                Layer::DwConv(c)
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
                init::he_normal(&mut d.params[..nw], fan_in, rng);
                Layer::Dense(d)
            }
            LayerSpec::Residual { .. } => Layer::ResidualAdd {
                start,
                shape: info.input,
            },
        }
    }
}

/// One top-level layer's output for one image and, for a residual block, the outputs of its
/// layers (in order, before the skip connection is added; empty for other layers).
#[derive(Clone, Debug, PartialEq)]
pub struct Tap {
    pub output: Array3<f32>,
    pub inner: Vec<Array3<f32>>,
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
    /// One per top-level spec layer.
    infos: Vec<LayerInfo>,
    /// The engine's flat order (see the module docs).
    layers: Vec<Layer>,
    /// Output shape of each engine layer.
    outputs: Vec<Shape>,
    /// Each engine layer's top-level layer and the offset of its parameters in that layer's
    /// parameter vector.
    place: Vec<(usize, usize)>,
    /// The engine layers of each top-level layer; the last one gives its output.
    ranges: Vec<Range<usize>>,
    /// For an engine layer that starts a residual block: the block's add node.
    block_end: Vec<Option<usize>>,
}

/// Buffers of one batched forward/backward pass, reused from step to step so that training
/// allocates nothing once the batch size is stable. All tensors are flat, row-major.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    n: usize,
    /// The batch `[n, 1, 28, 28]`.
    input: Vec<f32>,
    /// Output of engine layer i `[n, c, h, w]` (dense: `[n, units]`).
    outs: Vec<Vec<f32>>,
    /// Gradient of the loss w.r.t. the output of layer i, same shape as `outs[i]`.
    douts: Vec<Vec<f32>>,
    /// Conv: im2col columns `[n, c·k·k, oh·ow]`; other layers: empty.
    cols: Vec<Vec<f32>>,
    /// Max pool: arg-max indices `[n, c, oh, ow]`; other layers: empty.
    argmax: Vec<Vec<u32>>,
    /// Scratch for one image's column gradient (largest conv's `[c·k·k, oh·ow]`).
    dcols: Vec<f32>,
    /// Parameter gradients of the last backward pass, same layout as `Model::param_vectors`
    /// (one vector per top-level layer).
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

    /// Output of engine layer `i` `[n, c, h, w]` of the last forward pass.
    pub fn output(&self, i: usize) -> &[f32] {
        &self.outs[i]
    }
}

/// `Vec` resize that never shrinks capacity, so alternating batch sizes do not reallocate.
fn fit<T: Clone + Default>(v: &mut Vec<T>, len: usize) {
    v.resize(len, T::default());
}

impl Model {
    /// Builds the network with seeded He-normal weights and zero biases (weights drawn layer
    /// by layer in the engine's order).
    pub fn new(spec: &ModelSpec, seed: u64) -> Result<Model, SpecError> {
        let infos = spec.analyze()?;
        let flat = flatten(&spec.layers, &infos);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut layers = Vec::with_capacity(flat.len());
        let mut place = Vec::with_capacity(flat.len());
        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(infos.len());
        let mut block_end = vec![None; flat.len()];
        for (i, f) in flat.iter().enumerate() {
            let offset = match ranges.get(f.top) {
                Some(r) => layers[r.clone()]
                    .iter()
                    .map(|l: &Layer| l.params().len())
                    .sum::<usize>(),
                None => 0,
            };
            let start = ranges.get(f.top).map_or(i, |r| r.start);
            let layer = Layer::build(&f.spec, &f.info, start, &mut rng);
            if let Layer::ResidualAdd { start, .. } = layer {
                block_end[start] = Some(i);
            }
            layers.push(layer);
            place.push((f.top, offset));
            match ranges.get_mut(f.top) {
                Some(r) => r.end = i + 1,
                None => ranges.push(i..i + 1),
            }
        }
        Ok(Model {
            spec: spec.clone(),
            outputs: flat.iter().map(|f| f.info.output).collect(),
            infos,
            layers,
            place,
            ranges,
            block_end,
        })
    }

    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// One per top-level spec layer; a residual block's layers are in its `inner`.
    pub fn infos(&self) -> &[LayerInfo] {
        &self.infos
    }

    /// The engine's layers, in its flat order (see the module docs).
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The engine's flat order, described (aligned with [`Model::layers`]).
    pub fn flat_layers(&self) -> Vec<FlatLayer> {
        flatten(&self.spec.layers, &self.infos)
    }

    /// The engine layers that make up top-level layer `index` (the last gives its output).
    pub fn engine_range(&self, index: usize) -> Option<Range<usize>> {
        self.ranges.get(index).cloned()
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
        ws.grads.resize_with(self.infos.len(), Vec::new);
        for (g, info) in ws.grads.iter_mut().zip(&self.infos) {
            fit(g, info.params);
        }
        fit(&mut ws.input, n * INPUT.len());
        let mut dcols = 0;
        for (i, (layer, out)) in self.layers.iter().zip(&self.outputs).enumerate() {
            fit(&mut ws.outs[i], n * out.len());
            fit(&mut ws.douts[i], n * out.len());
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

    /// Forward of engine layer `i` alone, from the output of engine layer `i − 1` already in
    /// `ws` (the input batch for layer 0). For benchmarks of one layer inside a real network.
    pub fn forward_layer(&self, i: usize, ws: &mut Workspace) {
        let n = ws.n;
        let (prev, rest) = ws.outs.split_at_mut(i);
        let x: &[f32] = if i == 0 { &ws.input } else { &prev[i - 1] };
        let y = &mut rest[0];
        match &self.layers[i] {
            Layer::Conv(c) => c.forward(n, x, y, &mut ws.cols[i]),
            Layer::DwConv(c) => c.forward(n, x, y),
            Layer::Relu { .. } => relu::forward(x, y),
            Layer::Pool(p) => p.forward(n, x, y, &mut ws.argmax[i]),
            Layer::Dense(d) => d.forward(n, x, y),
            Layer::ResidualAdd { start, .. } => {
                let skip: &[f32] = if *start == 0 {
                    &ws.input
                } else {
                    &prev[start - 1]
                };
                for ((y, a), b) in y.iter_mut().zip(x).zip(skip) {
                    *y = *a + *b;
                }
            }
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
            let layer = &self.layers[i];
            let (top, offset) = self.place[i];
            let grad = &mut ws.grads[top][offset..offset + layer.params().len()];
            match layer {
                Layer::Conv(c) => c.backward(n, &ws.cols[i], dy, dx, grad, &mut ws.dcols),
                Layer::DwConv(c) => c.backward(n, x, dy, dx, grad),
                Layer::ResidualAdd { .. } => {
                    // The block's last layer gets dy as it is; the skip gets it below, when
                    // the backward pass reaches the block's first layer.
                    if let Some(dx) = dx {
                        dx.copy_from_slice(dy);
                    }
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
                Layer::Dense(d) => d.backward(n, x, dy, dx, grad),
            }
            // The first layer of a residual block: its input also fed the skip connection.
            if let (Some(end), true) = (self.block_end[i], i > 0) {
                let (lo, hi) = ws.douts.split_at_mut(i);
                for (d, g) in lo[i - 1].iter_mut().zip(&hi[end - i]) {
                    *d += *g;
                }
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

    /// One forward pass of one image; every engine layer's output.
    fn forward_one(&self, x: &[f32]) -> Vec<Vec<f32>> {
        let mut ws = self.workspace(1);
        let m = x.len().min(INPUT.len());
        ws.input[..m].copy_from_slice(&x[..m]);
        self.forward_train(&mut ws);
        ws.outs
    }

    fn tap(&self, outs: &mut [Vec<f32>], i: usize) -> Array3<f32> {
        let Shape { c, h, w } = self.outputs[i];
        Array3::from_shape_vec((c, h, w), std::mem::take(&mut outs[i]))
            .expect("output matches its shape")
    }

    /// Output of every top-level layer for one image (784 values in [0, 1]; missing values
    /// count as 0, extra ones are ignored), in spec order; the last is the logits (10×1×1). A
    /// residual block's tap is its output, input + block(input).
    pub fn forward_taps(&self, x: &[f32]) -> Vec<Array3<f32>> {
        let mut outs = self.forward_one(x);
        self.ranges
            .iter()
            .map(|r| self.tap(&mut outs, r.end - 1))
            .collect()
    }

    /// Like [`Model::forward_taps`], with the outputs of the layers inside residual blocks.
    pub fn forward_taps_nested(&self, x: &[f32]) -> Vec<Tap> {
        let mut outs = self.forward_one(x);
        self.ranges
            .iter()
            .map(|r| Tap {
                inner: (r.start..r.end - 1)
                    .map(|i| self.tap(&mut outs, i))
                    .collect(),
                output: self.tap(&mut outs, r.end - 1),
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

    /// Conv weights of top-level layer `index` as `[filters, in_channels, k, k]` (a depthwise
    /// convolution: `[channels, 1, k, k]`, each filter sees one channel); None if that layer
    /// is not a convolution (a residual block: see [`Model::inner_conv_weights`]).
    pub fn conv_weights(&self, index: usize) -> Option<ArrayView4<'_, f32>> {
        let r = self.ranges.get(index)?;
        if r.len() != 1 {
            return None;
        }
        self.layers[r.start].conv_weights()
    }

    /// Conv weights of layer `inner` of the residual block at top-level `index`, as in
    /// [`Model::conv_weights`].
    pub fn inner_conv_weights(&self, index: usize, inner: usize) -> Option<ArrayView4<'_, f32>> {
        let r = self.ranges.get(index)?;
        if inner + 1 >= r.len() {
            return None;
        }
        self.layers[r.start + inner].conv_weights()
    }

    /// All learnable parameters, one flat vector per top-level layer in spec order (empty for
    /// layers without), weights then biases; a residual block's layers one after the other.
    /// This is what a training snapshot carries.
    pub fn param_vectors(&self) -> Vec<Vec<f32>> {
        self.ranges
            .iter()
            .map(|r| {
                self.layers[r.clone()]
                    .iter()
                    .flat_map(|l| l.params().iter().copied())
                    .collect()
            })
            .collect()
    }

    /// Replaces all parameters; `v` must have one vector per layer with the lengths
    /// [`Model::param_vectors`] returns.
    pub fn set_param_vectors(&mut self, v: &[Vec<f32>]) -> Result<(), String> {
        if v.len() != self.infos.len() {
            return Err(format!(
                "expected {} parameter vectors (one per layer), got {}",
                self.infos.len(),
                v.len()
            ));
        }
        for (src, info) in v.iter().zip(&self.infos) {
            if info.params != src.len() {
                return Err(format!(
                    "{}: expected {} parameters, got {}",
                    info.name,
                    info.params,
                    src.len()
                ));
            }
        }
        for (layer, &(top, offset)) in self.layers.iter_mut().zip(&self.place) {
            let p = layer.params_mut();
            let len = p.len();
            p.copy_from_slice(&v[top][offset..offset + len]);
        }
        Ok(())
    }

    /// Mutable parameters, one slice per *engine* layer (empty for layers without); the same
    /// as the [`Model::param_vectors`] layout when there are no residual blocks.
    pub fn params_mut(&mut self) -> Vec<&mut [f32]> {
        self.layers.iter_mut().map(Layer::params_mut).collect()
    }

    /// One optimizer update of every layer with the gradients of the last backward pass
    /// (`ws.grads`). Allocates nothing once the optimizer's state exists (which holds one
    /// buffer per engine layer).
    pub fn apply_gradients(&mut self, opt: &mut Optimizer, lr: f32, ws: &Workspace) {
        opt.begin_step(self.layers.iter().map(|l| l.params().len()));
        for (i, (layer, &(top, offset))) in self.layers.iter_mut().zip(&self.place).enumerate() {
            let p = layer.params_mut();
            let len = p.len();
            opt.update_layer(i, lr, p, &ws.grads[top][offset..offset + len]);
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
