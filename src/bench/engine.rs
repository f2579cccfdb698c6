//! The convscope engine behind the bench's [`Engine`] trait: `nn::Model` + its batched
//! `Workspace` + SGD with momentum, on data that lives outside the engine (a JS `Uint8Array`
//! on the web, a byte slice natively) and is copied in per step, as the harness's rules ask.

use super::config::Net;
use super::driver::Engine;
use crate::nn::layers::loss::{argmax, softmax};
use crate::nn::model::{Model, Workspace};
use crate::nn::optim::{Optimizer, OptimizerKind};
use crate::nn::spec::ModelSpec;

/// Pixels per image.
pub const PIXELS: usize = 784;
/// Bytes before the pixels in the `MNB1` file.
pub const HEADER_LEN: usize = 16;

/// The `MNB1` header, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataHeader {
    pub n: usize,
    pub rows: usize,
    pub cols: usize,
}

impl DataHeader {
    /// Validates the first bytes of a data file against its total length.
    pub fn parse(head: &[u8], total_len: usize) -> Result<DataHeader, String> {
        if head.len() < HEADER_LEN || total_len < HEADER_LEN {
            return Err(format!("data file too short ({total_len} bytes)"));
        }
        if &head[..4] != b"MNB1" {
            return Err(format!(
                "bad data magic {:?}",
                String::from_utf8_lossy(&head[..4])
            ));
        }
        let n = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let rows = u16::from_le_bytes([head[8], head[9]]) as usize;
        let cols = u16::from_le_bytes([head[10], head[11]]) as usize;
        if rows * cols != PIXELS {
            return Err(format!("images are {rows}x{cols}, expected 28x28"));
        }
        // n comes from the file: on wasm32 an unchecked product could wrap and pass the check.
        let need = n
            .checked_mul(PIXELS + 1)
            .and_then(|b| b.checked_add(HEADER_LEN))
            .ok_or_else(|| format!("the data file claims {n} samples, more than can exist"))?;
        if total_len < need {
            return Err(format!(
                "data file holds {total_len} bytes, {n} samples need {need}"
            ));
        }
        if n == 0 {
            return Err("the data file holds no samples".into());
        }
        Ok(DataHeader { n, rows, cols })
    }
}

/// Where the samples come from. Every call copies out of the source's own memory.
pub trait DataSource {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Pixels of samples `[start, start + out.len() / 784)`.
    fn read_pixels(&self, start: usize, out: &mut [u8]);
    /// Labels of samples `[start, start + out.len())`.
    fn read_labels(&self, start: usize, out: &mut [u8]);
    /// Sample `index` as 784 floats in [0, 1] (the inference input).
    fn read_image(&self, index: usize, out: &mut [f32]);
    /// Hands the class scores back to the caller's side (on the web: a new `Float32Array`);
    /// returns how many arrived.
    fn hand_back(&self, scores: &[f32]) -> usize;
}

/// An in-memory data file (native runs and tests).
pub struct SliceData<'a> {
    pixels: &'a [u8],
    labels: &'a [u8],
}

impl<'a> SliceData<'a> {
    pub fn new(pixels: &'a [u8], labels: &'a [u8]) -> Result<Self, String> {
        if pixels.len() != labels.len() * PIXELS {
            return Err(format!(
                "{} pixel bytes for {} labels",
                pixels.len(),
                labels.len()
            ));
        }
        Ok(SliceData { pixels, labels })
    }

    /// A whole `MNB1` file.
    pub fn from_file(bytes: &'a [u8]) -> Result<Self, String> {
        let h = DataHeader::parse(bytes, bytes.len())?;
        let end = HEADER_LEN + h.n * PIXELS;
        SliceData::new(&bytes[HEADER_LEN..end], &bytes[end..end + h.n])
    }
}

impl DataSource for SliceData<'_> {
    fn len(&self) -> usize {
        self.labels.len()
    }
    fn read_pixels(&self, start: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.pixels[start * PIXELS..start * PIXELS + out.len()]);
    }
    fn read_labels(&self, start: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.labels[start..start + out.len()]);
    }
    fn read_image(&self, index: usize, out: &mut [f32]) {
        for (o, &p) in out
            .iter_mut()
            .zip(&self.pixels[index * PIXELS..(index + 1) * PIXELS])
        {
            *o = p as f32 / 255.0;
        }
    }
    fn hand_back(&self, scores: &[f32]) -> usize {
        std::hint::black_box(scores).len()
    }
}

/// The spec of a reference net (`web/netspec.js`).
pub fn net_spec(net: Net) -> ModelSpec {
    match net {
        Net::RefA => ModelSpec::ref_a(),
        Net::RefB => ModelSpec::ref_b(),
    }
}

/// Output shapes `(c, h, w)` of the conv and pool layers and the parameter count, as
/// `netspec.js`'s `analyze` computes them (the adapters check their models against it).
pub fn expected_shapes(net: Net) -> (&'static [(usize, usize, usize)], usize) {
    match net {
        Net::RefA => (&[(8, 28, 28), (8, 14, 14), (16, 14, 14), (16, 4, 4)], 5994),
        Net::RefB => (&[(8, 24, 24), (8, 12, 12), (16, 8, 8), (16, 4, 4)], 5994),
    }
}

/// A model under test with its reusable buffers.
pub struct BenchModel {
    pub model: Model,
    ws: Workspace,
    opt: Optimizer,
    /// One-image workspace for inference.
    ws1: Option<Workspace>,
}

/// The convscope engine over a data source.
pub struct NnEngine<D: DataSource> {
    data: D,
    lr: f32,
    momentum: f32,
    pixels: Vec<u8>,
    labels: Vec<u8>,
    image: Vec<f32>,
}

impl<D: DataSource> NnEngine<D> {
    pub fn new(data: D, lr: f64, momentum: f64) -> Self {
        NnEngine {
            data,
            lr: lr as f32,
            momentum: momentum as f32,
            pixels: Vec::new(),
            labels: Vec::new(),
            image: vec![0.0; PIXELS],
        }
    }

    pub fn data(&self) -> &D {
        &self.data
    }

    /// Copies samples `[start, start + n)` into the workspace input (as f32 in [0, 1]) and
    /// `self.labels`.
    fn stage(&mut self, m: &mut BenchModel, start: usize, n: usize) -> Result<(), String> {
        if n == 0 || start + n > self.data.len() {
            return Err(format!(
                "samples {start}..{} are outside the data set",
                start + n
            ));
        }
        if m.ws.batch() != n {
            m.model.prepare(&mut m.ws, n);
        }
        self.pixels.resize(n * PIXELS, 0);
        self.labels.resize(n, 0);
        self.data.read_pixels(start, &mut self.pixels);
        self.data.read_labels(start, &mut self.labels);
        for (x, &p) in m.ws.input_mut().iter_mut().zip(&self.pixels) {
            *x = p as f32 / 255.0;
        }
        Ok(())
    }
}

impl<D: DataSource> Engine for NnEngine<D> {
    type Model = BenchModel;

    fn samples(&self) -> usize {
        self.data.len()
    }

    fn build(&mut self, net: Net, seed: u64, batch: usize) -> Result<BenchModel, String> {
        let model = Model::new(&net_spec(net), seed).map_err(|e| format!("building {net}: {e}"))?;
        let (shapes, params) = expected_shapes(net);
        let got: Vec<(usize, usize, usize)> = model
            .infos()
            .iter()
            .filter(|i| i.name.starts_with("conv") || i.name.starts_with("pool"))
            .map(|i| (i.output.c, i.output.h, i.output.w))
            .collect();
        if got != shapes || model.param_count() != params {
            return Err(format!(
                "{net}: layer shapes {got:?} / {} params differ from netspec.js {shapes:?} / {params}",
                model.param_count()
            ));
        }
        let ws = model.workspace(batch.max(1));
        Ok(BenchModel {
            model,
            ws,
            opt: Optimizer::new(OptimizerKind::Sgd {
                momentum: self.momentum,
            }),
            ws1: None,
        })
    }

    fn train_step(
        &mut self,
        m: &mut BenchModel,
        start: usize,
        batch: usize,
    ) -> Result<f32, String> {
        self.stage(m, start, batch)?;
        m.model.forward_train(&mut m.ws);
        let (loss, _) = m.model.loss(&mut m.ws, &self.labels);
        m.model.backward(&mut m.ws);
        m.model.apply_gradients(&mut m.opt, self.lr, &m.ws);
        Ok(loss)
    }

    fn predict_one(&mut self, m: &mut BenchModel, index: usize) -> Result<usize, String> {
        if index >= self.data.len() {
            return Err(format!("sample {index} is outside the data set"));
        }
        let ws = m.ws1.get_or_insert_with(|| m.model.workspace(1));
        self.data.read_image(index, &mut self.image);
        ws.input_mut().copy_from_slice(&self.image);
        m.model.forward_train(ws);
        let mut p = [0.0f32; 10];
        softmax(ws.logits(), &mut p);
        Ok(self.data.hand_back(&p))
    }

    fn evaluate(
        &mut self,
        m: &mut BenchModel,
        start: usize,
        n: usize,
        batch: usize,
    ) -> Result<usize, String> {
        let mut correct = 0;
        let mut i = start;
        while i < start + n {
            let b = batch.max(1).min(start + n - i);
            self.stage(m, i, b)?;
            m.model.forward_train(&mut m.ws);
            correct +=
                m.ws.logits()
                    .chunks_exact(10)
                    .zip(&self.labels)
                    .filter(|(z, &l)| argmax(z) == l as usize)
                    .count();
            i += b;
        }
        Ok(correct)
    }
}
