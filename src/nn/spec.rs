//! The architecture of a network: the one truth every other part reads.
//!
//! A [`ModelSpec`] is written and read in the compact `arch=` form used in URLs, e.g.
//! `conv8k5s1p2,relu,max2s2,conv16k5s1p2,relu,max3s3,dense10`:
//!
//! | token | meaning |
//! |---|---|
//! | `conv{filters}k{kernel}s{stride}p{pad}` | convolution; `s` and `p` may be left out (stride 1, pad 0); `psame` pads an odd kernel by (k−1)/2 so a stride-1 output keeps the input size |
//! | `max{window}s{stride}` / `avg{window}s{stride}` | max / average pooling; `s` may be left out (stride = window) |
//! | `relu` | rectified linear unit |
//! | `dense{units}` | fully connected; flattens whatever comes in |
//!
//! Sizes follow out = ⌊(in + 2·pad − k)/stride⌋ + 1; a window that does not fit evenly drops the
//! remainder. The input is one grey 1×28×28 image and the last layer must be `dense10`.
//! [`ModelSpec::parse`] never panics: architectures arrive from URLs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Input of every network: one grey 28×28 image.
pub const INPUT: Shape = Shape { c: 1, h: 28, w: 28 };
/// Number of classes (digits); the last layer must be `dense10`.
pub const CLASSES: usize = 10;

/// Upper bounds that keep a URL from asking the browser for an absurd network.
pub const MAX_LAYERS: usize = 32;
pub const MAX_FILTERS: usize = 64;
pub const MAX_KERNEL: usize = 9;
pub const MAX_CONV_STRIDE: usize = 4;
pub const MAX_POOL_WINDOW: usize = 9;
pub const MAX_POOL_STRIDE: usize = 9;
pub const MAX_UNITS: usize = 1024;
pub const MAX_PAD: usize = 8;
pub const MAX_PARAMS: usize = 2_000_000;
/// Multiply-adds of one forward pass; beyond this, training in a browser worker crawls.
pub const MAX_MACS: usize = 100_000_000;
/// Longest `arch=` string parse looks at (anything longer is rejected before tokenising).
pub const MAX_ARCH_LEN: usize = 1024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LayerSpec {
    Conv {
        filters: usize,
        kernel: usize,
        stride: usize,
        pad: usize,
    },
    Relu,
    MaxPool {
        window: usize,
        stride: usize,
    },
    AvgPool {
        window: usize,
        stride: usize,
    },
    /// Fully connected; flattens whatever comes in.
    Dense {
        units: usize,
    },
}

/// A network: the input is 1×28×28, the last layer must be `Dense { units: 10 }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub layers: Vec<LayerSpec>,
}

/// A per-image tensor shape `[c, h, w]`; a dense output has `c = units`, `h = w = 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl Shape {
    pub fn len(&self) -> usize {
        self.c * self.h * self.w
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.h == 1 && self.w == 1 {
            write!(f, "{}", self.c)
        } else {
            write!(f, "{}×{}×{}", self.c, self.h, self.w)
        }
    }
}

/// What the page shows about one layer; computed by [`ModelSpec::analyze`].
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    /// "conv1", "relu1", "pool1" (max and avg pools share the count), "dense1".
    pub name: String,
    /// e.g. "5×5, stride 1, pad 2", "max 2×2, stride 2".
    pub detail: String,
    pub input: Shape,
    pub output: Shape,
    /// Weights + biases.
    pub params: usize,
    /// Multiply-adds of one forward pass.
    pub macs: usize,
}

/// A rejected architecture; `name` is the layer ("conv2") or "arch" for the whole string.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct SpecError {
    /// Index of the offending layer in the spec, if one is to blame.
    pub layer: Option<usize>,
    pub name: String,
    pub message: String,
}

impl SpecError {
    fn arch(message: impl Into<String>) -> Self {
        SpecError {
            layer: None,
            name: "arch".into(),
            message: message.into(),
        }
    }

    fn at(layer: usize, name: &str, message: impl Into<String>) -> Self {
        SpecError {
            layer: Some(layer),
            name: name.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LayerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LayerSpec::Conv {
                filters,
                kernel,
                stride,
                pad,
            } => write!(f, "conv{filters}k{kernel}s{stride}p{pad}"),
            LayerSpec::Relu => write!(f, "relu"),
            LayerSpec::MaxPool { window, stride } => write!(f, "max{window}s{stride}"),
            LayerSpec::AvgPool { window, stride } => write!(f, "avg{window}s{stride}"),
            LayerSpec::Dense { units } => write!(f, "dense{units}"),
        }
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.layers.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{l}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ModelSpec {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        ModelSpec::parse(s)
    }
}

/// Names layers the way the page does: one counter per kind, max and avg pools share "pool".
pub(crate) fn layer_names(layers: &[LayerSpec]) -> Vec<String> {
    let (mut conv, mut relu, mut pool, mut dense) = (0, 0, 0, 0);
    layers
        .iter()
        .map(|l| {
            let (kind, n) = match l {
                LayerSpec::Conv { .. } => ("conv", &mut conv),
                LayerSpec::Relu => ("relu", &mut relu),
                LayerSpec::MaxPool { .. } | LayerSpec::AvgPool { .. } => ("pool", &mut pool),
                LayerSpec::Dense { .. } => ("dense", &mut dense),
            };
            *n += 1;
            format!("{kind}{n}")
        })
        .collect()
}

/// Reads a decimal number at the start of `s`; returns it and the rest.
fn number(s: &str) -> Option<(usize, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    // More than 9 digits can only be an absurd size; refusing here keeps parse overflow-free.
    if end > 9 {
        return Some((usize::MAX, &s[end..]));
    }
    s[..end].parse().ok().map(|n| (n, &s[end..]))
}

const GRAMMAR: &str =
    "expected conv{filters}k{kernel}s{stride}p{pad}, max{w}s{s}, avg{w}s{s}, relu or dense{units}";

/// Parses one token (already trimmed and lower-cased). Sizes are checked later by `analyze`.
fn parse_layer(tok: &str) -> Result<LayerSpec, String> {
    let bad = || format!("cannot read \"{tok}\": {GRAMMAR}");
    if tok == "relu" {
        return Ok(LayerSpec::Relu);
    }
    if let Some(rest) = tok.strip_prefix("conv") {
        let (filters, rest) = number(rest).ok_or_else(bad)?;
        let rest = rest.strip_prefix('k').ok_or_else(bad)?;
        let (kernel, mut rest) = number(rest).ok_or_else(bad)?;
        let mut stride = 1;
        if let Some(r) = rest.strip_prefix('s') {
            (stride, rest) = number(r).ok_or_else(bad)?;
        }
        let mut pad = 0;
        if let Some(r) = rest.strip_prefix('p') {
            if r == "same" {
                if kernel % 2 == 0 {
                    return Err(format!(
                        "pad \"same\" needs an odd kernel, got {kernel}×{kernel}"
                    ));
                }
                pad = kernel / 2;
                rest = "";
            } else {
                (pad, rest) = number(r).ok_or_else(bad)?;
            }
        }
        if !rest.is_empty() {
            return Err(bad());
        }
        return Ok(LayerSpec::Conv {
            filters,
            kernel,
            stride,
            pad,
        });
    }
    for (prefix, max) in [("max", true), ("avg", false)] {
        if let Some(rest) = tok.strip_prefix(prefix) {
            let (window, rest) = number(rest).ok_or_else(bad)?;
            let stride = match rest.strip_prefix('s') {
                Some(r) => {
                    let (s, r) = number(r).ok_or_else(bad)?;
                    if !r.is_empty() {
                        return Err(bad());
                    }
                    s
                }
                None if rest.is_empty() => window,
                None => return Err(bad()),
            };
            return Ok(if max {
                LayerSpec::MaxPool { window, stride }
            } else {
                LayerSpec::AvgPool { window, stride }
            });
        }
    }
    if let Some(rest) = tok.strip_prefix("dense") {
        let (units, rest) = number(rest).ok_or_else(bad)?;
        if rest.is_empty() {
            return Ok(LayerSpec::Dense { units });
        }
    }
    Err(bad())
}

impl ModelSpec {
    /// The ConvNetJS MNIST demo network (benchmark "ref-A"), 5,994 parameters.
    pub fn ref_a() -> Self {
        ModelSpec {
            layers: vec![
                LayerSpec::Conv {
                    filters: 8,
                    kernel: 5,
                    stride: 1,
                    pad: 2,
                },
                LayerSpec::Relu,
                LayerSpec::MaxPool {
                    window: 2,
                    stride: 2,
                },
                LayerSpec::Conv {
                    filters: 16,
                    kernel: 5,
                    stride: 1,
                    pad: 2,
                },
                LayerSpec::Relu,
                LayerSpec::MaxPool {
                    window: 3,
                    stride: 3,
                },
                LayerSpec::Dense { units: 10 },
            ],
        }
    }

    /// The TensorFlow.js MNIST tutorial network (benchmark "ref-B"), 5,994 parameters.
    pub fn ref_b() -> Self {
        ModelSpec {
            layers: vec![
                LayerSpec::Conv {
                    filters: 8,
                    kernel: 5,
                    stride: 1,
                    pad: 0,
                },
                LayerSpec::Relu,
                LayerSpec::MaxPool {
                    window: 2,
                    stride: 2,
                },
                LayerSpec::Conv {
                    filters: 16,
                    kernel: 5,
                    stride: 1,
                    pad: 0,
                },
                LayerSpec::Relu,
                LayerSpec::MaxPool {
                    window: 2,
                    stride: 2,
                },
                LayerSpec::Dense { units: 10 },
            ],
        }
    }

    /// Reads the `arch=` form (see the module docs) and validates it with [`ModelSpec::analyze`].
    /// Whitespace around tokens and upper case are tolerated. Never panics.
    pub fn parse(s: &str) -> Result<Self, SpecError> {
        if s.len() > MAX_ARCH_LEN {
            return Err(SpecError::arch(format!(
                "{} characters is too long (at most {MAX_ARCH_LEN})",
                s.len()
            )));
        }
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(SpecError::arch(format!("no layers; {GRAMMAR}")));
        }
        let tokens: Vec<&str> = s.split(',').map(str::trim).collect();
        if tokens.len() > MAX_LAYERS {
            return Err(SpecError::arch(format!(
                "{} layers is too many (at most {MAX_LAYERS})",
                tokens.len()
            )));
        }
        let mut layers = Vec::with_capacity(tokens.len());
        for (i, tok) in tokens.iter().enumerate() {
            match parse_layer(tok) {
                Ok(l) => layers.push(l),
                Err(message) => {
                    let name = if tok.is_empty() {
                        format!("layer {}", i + 1)
                    } else {
                        format!("layer {} (\"{tok}\")", i + 1)
                    };
                    let message = if tok.is_empty() {
                        format!("empty layer; {GRAMMAR}")
                    } else {
                        message
                    };
                    return Err(SpecError::at(i, &name, message));
                }
            }
        }
        let spec = ModelSpec { layers };
        spec.analyze()?;
        Ok(spec)
    }

    /// Checks sizes and shapes layer by layer, up front, and describes every layer.
    /// Errors name the layer ("conv2: kernel 5×5 is larger than the padded input 3×3 (pad 0)").
    pub fn analyze(&self) -> Result<Vec<LayerInfo>, SpecError> {
        if self.layers.is_empty() {
            return Err(SpecError::arch(format!("no layers; {GRAMMAR}")));
        }
        if self.layers.len() > MAX_LAYERS {
            return Err(SpecError::arch(format!(
                "{} layers is too many (at most {MAX_LAYERS})",
                self.layers.len()
            )));
        }
        let names = layer_names(&self.layers);
        let mut infos = Vec::with_capacity(self.layers.len());
        let mut shape = INPUT;
        let (mut params, mut macs) = (0usize, 0usize);
        for (i, (layer, name)) in self.layers.iter().zip(&names).enumerate() {
            let err = |m: String| SpecError::at(i, name, m);
            let range = |what: &str, v: usize, max: usize| {
                if v == 0 {
                    Err(err(format!("{what} must be at least 1")))
                } else if v > max {
                    Err(err(format!("{what} {v} is too large (at most {max})")))
                } else {
                    Ok(())
                }
            };
            let info = match *layer {
                LayerSpec::Conv {
                    filters,
                    kernel,
                    stride,
                    pad,
                } => {
                    range("filters", filters, MAX_FILTERS)?;
                    range("kernel", kernel, MAX_KERNEL)?;
                    range("stride", stride, MAX_CONV_STRIDE)?;
                    if pad > MAX_PAD {
                        return Err(err(format!("pad {pad} is too large (at most {MAX_PAD})")));
                    }
                    if pad >= kernel {
                        // Such a pad adds output pixels that see only zeros.
                        return Err(err(format!(
                            "pad {pad} must be smaller than the kernel {kernel}×{kernel}"
                        )));
                    }
                    let (ph, pw) = (shape.h + 2 * pad, shape.w + 2 * pad);
                    if kernel > ph || kernel > pw {
                        return Err(err(format!(
                            "kernel {kernel}×{kernel} is larger than the padded input {ph}×{pw} (pad {pad})"
                        )));
                    }
                    let out = Shape {
                        c: filters,
                        h: (ph - kernel) / stride + 1,
                        w: (pw - kernel) / stride + 1,
                    };
                    let fan_in = shape.c * kernel * kernel;
                    LayerInfo {
                        name: name.clone(),
                        detail: format!("{kernel}×{kernel}, stride {stride}, pad {pad}"),
                        input: shape,
                        output: out,
                        params: filters * fan_in + filters,
                        macs: filters * fan_in * out.h * out.w,
                    }
                }
                LayerSpec::Relu => LayerInfo {
                    name: name.clone(),
                    detail: "max(0, x)".into(),
                    input: shape,
                    output: shape,
                    params: 0,
                    macs: 0,
                },
                LayerSpec::MaxPool { window, stride } | LayerSpec::AvgPool { window, stride } => {
                    let kind = if matches!(layer, LayerSpec::MaxPool { .. }) {
                        "max"
                    } else {
                        "avg"
                    };
                    range("window", window, MAX_POOL_WINDOW)?;
                    range("stride", stride, MAX_POOL_STRIDE)?;
                    if window > shape.h || window > shape.w {
                        return Err(err(format!(
                            "window {window}×{window} is larger than the input {}×{}",
                            shape.h, shape.w
                        )));
                    }
                    let out = Shape {
                        c: shape.c,
                        h: (shape.h - window) / stride + 1,
                        w: (shape.w - window) / stride + 1,
                    };
                    LayerInfo {
                        name: name.clone(),
                        detail: format!("{kind} {window}×{window}, stride {stride}"),
                        input: shape,
                        output: out,
                        params: 0,
                        macs: 0,
                    }
                }
                LayerSpec::Dense { units } => {
                    range("units", units, MAX_UNITS)?;
                    let n_in = shape.len();
                    LayerInfo {
                        name: name.clone(),
                        detail: format!("{n_in} → {units}"),
                        input: shape,
                        output: Shape {
                            c: units,
                            h: 1,
                            w: 1,
                        },
                        params: n_in * units + units,
                        macs: n_in * units,
                    }
                }
            };
            // Shapes are bounded by the caps above, so these sums cannot overflow.
            params += info.params;
            macs += info.macs;
            if params > MAX_PARAMS {
                return Err(err(format!(
                    "the network has {params} parameters up to here; at most {MAX_PARAMS} are allowed"
                )));
            }
            if macs > MAX_MACS {
                return Err(err(format!(
                    "the network needs {macs} multiply-adds per image up to here; at most {MAX_MACS} are allowed"
                )));
            }
            shape = info.output;
            infos.push(info);
        }
        let last = self.layers.len() - 1;
        if self.layers[last] != (LayerSpec::Dense { units: CLASSES }) {
            return Err(SpecError::at(
                last,
                &names[last],
                format!(
                    "the last layer must be dense{CLASSES} (one score per digit), found {}",
                    self.layers[last]
                ),
            ));
        }
        Ok(infos)
    }

    /// Total learnable parameters (0 if the spec is invalid).
    pub fn param_count(&self) -> usize {
        self.analyze()
            .map(|v| v.iter().map(|i| i.params).sum())
            .unwrap_or(0)
    }
}

/// Floating-point operations of training on one example, counted the way `../shared/bench`
/// counts them so the page's GFLOP/s compares with its figures: 2 per multiply-add of the conv
/// and dense layers (bias, ReLU and pooling not counted), and forward + backward = 3 × forward.
pub fn training_flops_per_example(infos: &[LayerInfo]) -> u64 {
    6 * infos.iter().map(|i| i.macs as u64).sum::<u64>()
}
