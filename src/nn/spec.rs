//! The architecture of a network: the one truth every other part reads.
//!
//! A [`ModelSpec`] is written and read in the compact `arch=` form used in URLs, e.g.
//! `conv8k5s1p2,relu,max2s2,conv16k5s1p2,relu,max3s3,dense10`: layers separated by commas.
//!
//! | token | meaning |
//! |---|---|
//! | `conv{filters}k{kernel}s{stride}p{pad}d{dilation}` | convolution; `s`, `p` and `d` may be left out (stride 1, pad 0, dilation 1); `psame` pads by d(k−1)/2 so a stride-1 output keeps the input size (needs d(k−1) even); `d` is written only when it is not 1 |
//! | `dwconv{kernel}s{stride}p{pad}d{dilation}` | depthwise convolution: one `k×k` filter (and bias) per input channel, as many output channels as input channels; `s`, `p`, `d` and `psame` as for `conv` (`dwconvk3…` is read too) |
//! | `max{window}s{stride}` / `avg{window}s{stride}` | max / average pooling; `s` may be left out (stride = window) |
//! | `relu` | rectified linear unit |
//! | `dense{units}` | fully connected; flattens whatever comes in |
//! | `res(layer,layer,…)` | residual block: output = input + block(input), a skip connection around the layers inside; the block must give back its input's shape; blocks do not nest |
//!
//! Example with the new layers: `conv8k3s1p1,relu,res(conv8k3s1p1,relu,conv8k3s1p1),relu,
//! dwconv3s2p1,conv16k1s1p0,relu,dense10`.
//!
//! Sizes follow out = ⌊(in + 2·pad − d·(k−1) − 1)/stride⌋ + 1 (pooling: pad 0, d 1); a window
//! that does not fit evenly drops the remainder ([`SizeArithmetic`] has the numbers). The input
//! is one grey 1×28×28 image and the last layer must be `dense10`. [`ModelSpec::parse`] never
//! panics: architectures arrive from URLs.
//!
//! Layer names count each kind separately, in the order the layers appear (inside blocks too):
//! `conv8k3,relu,res(conv8k3s1p1,relu,conv8k3s1p1),dense10` is conv1, relu1, res1 (conv2,
//! relu2, conv3), dense1. Max and avg pools share "pool".

use serde::{Deserialize, Serialize};
use std::fmt;

/// Field-by-field edits of one layer, for the architecture editor's controls.
#[path = "spec_edit.rs"]
pub mod edit;

/// Input of every network: one grey 28×28 image.
pub const INPUT: Shape = Shape { c: 1, h: 28, w: 28 };
/// Number of classes (digits); the last layer must be `dense10`.
pub const CLASSES: usize = 10;

/// Upper bounds that keep a URL from asking the browser for an absurd network.
/// `MAX_LAYERS` counts the layers inside residual blocks too (a block itself counts as one).
pub const MAX_LAYERS: usize = 32;
pub const MAX_FILTERS: usize = 64;
pub const MAX_KERNEL: usize = 9;
pub const MAX_CONV_STRIDE: usize = 4;
pub const MAX_DILATION: usize = 3;
pub const MAX_POOL_WINDOW: usize = 9;
pub const MAX_POOL_STRIDE: usize = 9;
pub const MAX_UNITS: usize = 1024;
/// Largest padding: "same" for the largest dilated kernel, 3·(9 − 1)/2.
pub const MAX_PAD: usize = 12;
pub const MAX_PARAMS: usize = 2_000_000;
/// Multiply-adds of one forward pass; beyond this, training in a browser worker crawls.
pub const MAX_MACS: usize = 100_000_000;
/// Longest `arch=` string parse looks at (anything longer is rejected before tokenising).
pub const MAX_ARCH_LEN: usize = 1024;

fn one() -> usize {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LayerSpec {
    Conv {
        filters: usize,
        kernel: usize,
        stride: usize,
        pad: usize,
        /// Spacing of the kernel taps (1 = ordinary convolution).
        #[serde(default = "one")]
        dilation: usize,
    },
    /// Depthwise convolution: one `kernel×kernel` filter and bias per input channel.
    DwConv {
        kernel: usize,
        stride: usize,
        pad: usize,
        dilation: usize,
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
    /// Residual block: output = input + (the layers in order)(input). Blocks do not nest.
    Residual {
        layers: Vec<LayerSpec>,
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

/// How a sliding window (conv, dwconv or pool) turns an input size into an output size along
/// one axis, with the numbers filled in: out = ⌊(in + 2·pad − dilation·(kernel − 1) − 1) /
/// stride⌋ + 1. Inputs, kernels and windows are square, so it holds for rows and columns alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeArithmetic {
    pub input: usize,
    pub pad: usize,
    /// 1 for pooling and ordinary convolutions.
    pub dilation: usize,
    /// Kernel or pooling window size.
    pub kernel: usize,
    pub stride: usize,
    pub output: usize,
    /// Extent of one window in input positions, dilation·(kernel − 1) + 1.
    pub span: usize,
    /// (in + 2·pad − span) mod stride: positions of the padded input after the last window.
    pub remainder: usize,
    /// Input rows (bottom) / columns (right) that no window covers: the remainder minus the
    /// padding it falls into. 0 when the windows fit evenly.
    pub dropped: usize,
    /// Positions skipped between consecutive windows when the stride exceeds the span.
    pub gap: usize,
}

impl SizeArithmetic {
    /// None when the window does not fit the padded input, or for absurd sizes.
    pub fn new(
        input: usize,
        kernel: usize,
        stride: usize,
        pad: usize,
        dilation: usize,
    ) -> Option<Self> {
        if kernel == 0 || stride == 0 || dilation == 0 {
            return None;
        }
        let span = dilation.checked_mul(kernel - 1)?.checked_add(1)?;
        let padded = pad.checked_mul(2)?.checked_add(input)?;
        if span > padded {
            return None;
        }
        let remainder = (padded - span) % stride;
        Some(SizeArithmetic {
            input,
            pad,
            dilation,
            kernel,
            stride,
            output: (padded - span) / stride + 1,
            span,
            remainder,
            dropped: remainder.saturating_sub(pad),
            gap: stride.saturating_sub(span),
        })
    }
}

impl fmt::Display for SizeArithmetic {
    /// e.g. "⌊(28 + 2·2 − 1·(5 − 1) − 1) / 1⌋ + 1 = 28".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "⌊({} + 2·{} − {}·({} − 1) − 1) / {}⌋ + 1 = {}",
            self.input, self.pad, self.dilation, self.kernel, self.stride, self.output
        )
    }
}

/// What the page shows about one layer; computed by [`ModelSpec::analyze`].
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    /// "conv1", "dwconv1", "relu1", "pool1" (max and avg pools share the count), "dense1", "res1".
    pub name: String,
    /// e.g. "5×5, stride 1, pad 2", "max 2×2, stride 2".
    pub detail: String,
    pub input: Shape,
    pub output: Shape,
    /// Weights + biases (a residual block: those of its layers).
    pub params: usize,
    /// Multiply-adds of one forward pass (a residual block: those of its layers).
    pub macs: usize,
    /// Conv, dwconv and pooling: the output-size arithmetic (per axis; rows and columns agree).
    pub size: Option<SizeArithmetic>,
    /// Conv and dwconv: the parameters a dense layer from `input` to `output` would need,
    /// `input.len()·output.len() + output.len()` (what weight sharing saves).
    /// (u64: it can exceed a 32-bit `usize` on wasm32.)
    pub dense_params: Option<u64>,
    /// Residual block: its layers, in order (empty for every other layer).
    pub inner: Vec<LayerInfo>,
}

/// A rejected architecture; `name` is the layer ("conv2") or "arch" for the whole string.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct SpecError {
    /// Index of the offending layer in the spec (of its residual block, if it is inside one).
    pub layer: Option<usize>,
    /// Position of the offending layer inside its residual block.
    pub inner: Option<usize>,
    pub name: String,
    pub message: String,
}

impl SpecError {
    fn arch(message: impl Into<String>) -> Self {
        SpecError {
            layer: None,
            inner: None,
            name: "arch".into(),
            message: message.into(),
        }
    }

    fn at(layer: usize, name: &str, message: impl Into<String>) -> Self {
        SpecError {
            layer: Some(layer),
            inner: None,
            name: name.into(),
            message: message.into(),
        }
    }
}

fn write_dilation(f: &mut fmt::Formatter<'_>, dilation: usize) -> fmt::Result {
    if dilation != 1 {
        write!(f, "d{dilation}")?;
    }
    Ok(())
}

impl fmt::Display for LayerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayerSpec::Conv {
                filters,
                kernel,
                stride,
                pad,
                dilation,
            } => {
                write!(f, "conv{filters}k{kernel}s{stride}p{pad}")?;
                write_dilation(f, *dilation)
            }
            LayerSpec::DwConv {
                kernel,
                stride,
                pad,
                dilation,
            } => {
                write!(f, "dwconv{kernel}s{stride}p{pad}")?;
                write_dilation(f, *dilation)
            }
            LayerSpec::Relu => write!(f, "relu"),
            LayerSpec::MaxPool { window, stride } => write!(f, "max{window}s{stride}"),
            LayerSpec::AvgPool { window, stride } => write!(f, "avg{window}s{stride}"),
            LayerSpec::Dense { units } => write!(f, "dense{units}"),
            LayerSpec::Residual { layers } => {
                f.write_str("res(")?;
                write_list(f, layers)?;
                f.write_str(")")
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, layers: &[LayerSpec]) -> fmt::Result {
    for (i, l) in layers.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{l}")?;
    }
    Ok(())
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, &self.layers)
    }
}

impl std::str::FromStr for ModelSpec {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        ModelSpec::parse(s)
    }
}

/// Hands out layer names the way the page shows them: one counter per kind, max and avg
/// pools share "pool".
#[derive(Default)]
struct Namer {
    conv: usize,
    dwconv: usize,
    relu: usize,
    pool: usize,
    dense: usize,
    res: usize,
}

impl Namer {
    fn name(&mut self, l: &LayerSpec) -> String {
        let (kind, n) = match l {
            LayerSpec::Conv { .. } => ("conv", &mut self.conv),
            LayerSpec::DwConv { .. } => ("dwconv", &mut self.dwconv),
            LayerSpec::Relu => ("relu", &mut self.relu),
            LayerSpec::MaxPool { .. } | LayerSpec::AvgPool { .. } => ("pool", &mut self.pool),
            LayerSpec::Dense { .. } => ("dense", &mut self.dense),
            LayerSpec::Residual { .. } => ("res", &mut self.res),
        };
        *n += 1;
        format!("{kind}{n}")
    }
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

const GRAMMAR: &str = "expected conv{filters}k{kernel}s{stride}p{pad}d{dilation}, \
    dwconv{kernel}s{stride}p{pad}d{dilation}, max{w}s{s}, avg{w}s{s}, relu, dense{units} \
    or res(layer,…)";

/// Reads `k{kernel}` (conv) or `{kernel}` (dwconv, where the `k` is optional), then the
/// optional `s{stride}`, `p{pad}` / `psame` and `d{dilation}`.
fn parse_window(rest: &str, bad: &dyn Fn() -> String) -> Result<[usize; 4], String> {
    let (kernel, mut rest) = number(rest).ok_or_else(bad)?;
    let mut stride = 1;
    if let Some(r) = rest.strip_prefix('s') {
        (stride, rest) = number(r).ok_or_else(bad)?;
    }
    let mut pad = Some(0);
    if let Some(r) = rest.strip_prefix('p') {
        if let Some(r) = r.strip_prefix("same") {
            (pad, rest) = (None, r);
        } else {
            let (p, r) = number(r).ok_or_else(bad)?;
            (pad, rest) = (Some(p), r);
        }
    }
    let mut dilation = 1;
    if let Some(r) = rest.strip_prefix('d') {
        (dilation, rest) = number(r).ok_or_else(bad)?;
    }
    if !rest.is_empty() {
        return Err(bad());
    }
    let pad = match pad {
        Some(p) => p,
        // Out-of-range sizes are reported by `analyze`; "same" needs sane ones to compute.
        None if !(1..=MAX_KERNEL).contains(&kernel) || !(1..=MAX_DILATION).contains(&dilation) => 0,
        None => {
            let reach = dilation * (kernel - 1);
            if reach % 2 != 0 {
                return Err(if dilation == 1 {
                    format!(
                        "pad \"same\" needs an odd kernel, got {kernel}×{kernel}: use kernel {} or {}, or a number for the padding",
                        kernel - 1,
                        kernel + 1
                    )
                } else {
                    format!(
                        "pad \"same\" needs dilation·(kernel − 1) to be even, got {dilation}·{} = {reach}: use an odd kernel, an even dilation, or a number for the padding",
                        kernel - 1
                    )
                });
            }
            reach / 2
        }
    };
    Ok([kernel, stride, pad, dilation])
}

/// Parses one plain token (already trimmed and lower-cased). Sizes are checked later by
/// `analyze`.
fn parse_layer(tok: &str) -> Result<LayerSpec, String> {
    let bad = || format!("cannot read \"{tok}\": {GRAMMAR}");
    if tok == "relu" {
        return Ok(LayerSpec::Relu);
    }
    if let Some(rest) = tok.strip_prefix("dwconv") {
        let rest = rest.strip_prefix('k').unwrap_or(rest);
        let [kernel, stride, pad, dilation] = parse_window(rest, &bad)?;
        return Ok(LayerSpec::DwConv {
            kernel,
            stride,
            pad,
            dilation,
        });
    }
    if let Some(rest) = tok.strip_prefix("conv") {
        let (filters, rest) = number(rest).ok_or_else(bad)?;
        let rest = rest.strip_prefix('k').ok_or_else(bad)?;
        let [kernel, stride, pad, dilation] = parse_window(rest, &bad)?;
        return Ok(LayerSpec::Conv {
            filters,
            kernel,
            stride,
            pad,
            dilation,
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

impl LayerSpec {
    /// Reads one plain layer token of the `arch=` form (`conv8k5s1p2`, `relu`, `max2s2`, …;
    /// not `res(…)`), trimmed and case-insensitive. Sizes are not checked here: that is
    /// [`ModelSpec::analyze`]'s job, which knows the layer's input. Never panics.
    pub fn parse_token(tok: &str) -> Result<LayerSpec, String> {
        if tok.len() > MAX_ARCH_LEN {
            return Err(format!(
                "{} characters is too long (at most {MAX_ARCH_LEN})",
                tok.len()
            ));
        }
        parse_layer(&tok.trim().to_ascii_lowercase())
    }
}

/// Splits at the commas outside parentheses; rejects unbalanced and nested parentheses.
fn split_top(s: &str) -> Result<Vec<&str>, SpecError> {
    let (mut depth, mut start, mut out) = (0usize, 0, Vec::new());
    for (i, ch) in s.char_indices() {
        match ch {
            '(' => {
                depth += 1;
                if depth > 1 {
                    let n = out.len() + 1;
                    return Err(SpecError::at(
                        out.len(),
                        &format!("layer {n}"),
                        "residual blocks cannot be nested: put the inner block's layers directly in the outer res(…)",
                    ));
                }
            }
            ')' => {
                if depth == 0 {
                    return Err(SpecError::arch(format!(
                        "\")\" at character {} has no matching \"(\"",
                        s[..i].chars().count() + 1
                    )));
                }
                depth -= 1;
            }
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(SpecError::arch(format!(
            "layer {}: \"(\" is never closed: end the block with \")\"",
            out.len() + 1
        )));
    }
    out.push(&s[start..]);
    Ok(out)
}

fn token_error(
    i: usize,
    inner: Option<usize>,
    tok: &str,
    itok: &str,
    message: String,
) -> SpecError {
    let mut name = if tok.is_empty() {
        format!("layer {}", i + 1)
    } else {
        format!("layer {} (\"{tok}\")", i + 1)
    };
    if let Some(j) = inner {
        name = format!("layer {}, block layer {} (\"{itok}\")", i + 1, j + 1);
    }
    let message = if itok.is_empty() {
        format!("empty layer; {GRAMMAR}")
    } else {
        message
    };
    SpecError {
        layer: Some(i),
        inner,
        name,
        message,
    }
}

/// The spec-dependent result of checking one (non-residual) layer.
fn analyze_layer(layer: &LayerSpec, shape: Shape, name: &str) -> Result<LayerInfo, String> {
    let range = |what: &str, v: usize, max: usize| {
        if v == 0 {
            Err(format!("{what} must be at least 1"))
        } else if v > max {
            Err(format!("{what} {v} is too large (at most {max})"))
        } else {
            Ok(())
        }
    };
    // Counted in u64 and capped here, so that `usize` (32 bits on wasm32) never overflows.
    let plain = |detail: String, output: Shape, params: u64, macs: u64| {
        if params > MAX_PARAMS as u64 {
            return Err(format!(
                "this layer alone has {params} parameters; at most {MAX_PARAMS} are allowed"
            ));
        }
        if macs > MAX_MACS as u64 {
            return Err(format!(
                "this layer alone needs {macs} multiply-adds per image; at most {MAX_MACS} are allowed"
            ));
        }
        Ok(LayerInfo {
            name: name.to_string(),
            detail,
            input: shape,
            output,
            params: params as usize,
            macs: macs as usize,
            size: None,
            dense_params: None,
            inner: Vec::new(),
        })
    };
    let n = |v: usize| v as u64;
    Ok(match *layer {
        LayerSpec::Conv {
            kernel,
            stride,
            pad,
            dilation,
            ..
        }
        | LayerSpec::DwConv {
            kernel,
            stride,
            pad,
            dilation,
        } => {
            let depthwise = matches!(layer, LayerSpec::DwConv { .. });
            let filters = match *layer {
                LayerSpec::Conv { filters, .. } => {
                    range("filters", filters, MAX_FILTERS)?;
                    filters
                }
                _ => shape.c,
            };
            range("kernel", kernel, MAX_KERNEL)?;
            range("stride", stride, MAX_CONV_STRIDE)?;
            range("dilation", dilation, MAX_DILATION)?;
            if pad > MAX_PAD {
                return Err(format!("pad {pad} is too large (at most {MAX_PAD})"));
            }
            let span = dilation * (kernel - 1) + 1;
            if pad >= span {
                // Such a pad adds output pixels that see only zeros.
                return Err(if dilation == 1 {
                    format!(
                        "pad {pad} must be smaller than the kernel {kernel}×{kernel}: use pad 0 to {} (more only adds outputs that see nothing but zeros)",
                        span - 1
                    )
                } else {
                    format!(
                        "pad {pad} must be smaller than the dilated kernel ({kernel}×{kernel} dilated by {dilation} spans {span}×{span}): use pad 0 to {} (more only adds outputs that see nothing but zeros)",
                        span - 1
                    )
                });
            }
            let (Some(rows), Some(cols)) = (
                SizeArithmetic::new(shape.h, kernel, stride, pad, dilation),
                SizeArithmetic::new(shape.w, kernel, stride, pad, dilation),
            ) else {
                let (ph, pw) = (shape.h + 2 * pad, shape.w + 2 * pad);
                let dilated = if dilation == 1 {
                    String::new()
                } else {
                    format!(" (dilated: {span}×{span})")
                };
                let padded = if pad == 0 {
                    " (no padding)".to_string()
                } else {
                    format!(" padded by {pad} ({ph}×{pw})")
                };
                let need = (span - shape.h.min(shape.w)).div_ceil(2);
                return Err(format!(
                    "a {kernel}×{kernel} kernel{dilated} does not fit the {}×{} input{padded}: use padding ≥ {need} or a smaller kernel",
                    shape.h, shape.w
                ));
            };
            let out = Shape {
                c: filters,
                h: rows.output,
                w: cols.output,
            };
            let fan_in = n(if depthwise { 1 } else { shape.c } * kernel * kernel);
            let dil = if dilation == 1 {
                String::new()
            } else {
                format!(", dilation {dilation}")
            };
            let kind = if depthwise { "depthwise " } else { "" };
            LayerInfo {
                size: Some(rows),
                dense_params: Some(n(shape.len()) * n(out.len()) + n(out.len())),
                ..plain(
                    format!("{kind}{kernel}×{kernel}, stride {stride}, pad {pad}{dil}"),
                    out,
                    n(filters) * fan_in + n(filters),
                    n(filters) * fan_in * n(out.h) * n(out.w),
                )?
            }
        }
        LayerSpec::Relu => plain("max(0, x)".into(), shape, 0, 0)?,
        LayerSpec::MaxPool { window, stride } | LayerSpec::AvgPool { window, stride } => {
            let kind = if matches!(layer, LayerSpec::MaxPool { .. }) {
                "max"
            } else {
                "avg"
            };
            range("window", window, MAX_POOL_WINDOW)?;
            range("stride", stride, MAX_POOL_STRIDE)?;
            let (Some(rows), Some(cols)) = (
                SizeArithmetic::new(shape.h, window, stride, 0, 1),
                SizeArithmetic::new(shape.w, window, stride, 0, 1),
            ) else {
                return Err(format!(
                    "window {window}×{window} is larger than the input {}×{}: use a window of at most {}",
                    shape.h,
                    shape.w,
                    shape.h.min(shape.w)
                ));
            };
            let out = Shape {
                c: shape.c,
                h: rows.output,
                w: cols.output,
            };
            LayerInfo {
                size: Some(rows),
                ..plain(
                    format!("{kind} {window}×{window}, stride {stride}"),
                    out,
                    0,
                    0,
                )?
            }
        }
        LayerSpec::Dense { units } => {
            range("units", units, MAX_UNITS)?;
            let n_in = shape.len();
            plain(
                format!("{n_in} → {units}"),
                Shape {
                    c: units,
                    h: 1,
                    w: 1,
                },
                n(n_in) * n(units) + n(units),
                n(n_in) * n(units),
            )?
        }
        LayerSpec::Residual { .. } => {
            return Err(
                "residual blocks cannot be nested: put the inner block's layers directly in the outer res(…)"
                    .into(),
            )
        }
    })
}

/// What would make a block give back its input's shape.
fn residual_fix(layers: &[LayerSpec], infos: &[LayerInfo], want: Shape) -> String {
    let got = infos.last().map(|i| i.output).unwrap_or(want);
    if got.h != want.h || got.w != want.w {
        return if want.h == 1 && want.w == 1 {
            format!("end the block with dense{}", want.c)
        } else {
            "keep the size inside the block: stride 1, padding \"same\" and no pooling".into()
        };
    }
    // Only the channels differ: the last layer that sets them decides.
    for (l, info) in layers.iter().zip(infos).rev() {
        match l {
            LayerSpec::Conv { .. } => {
                return format!("give its last conv ({}) {} filters", info.name, want.c)
            }
            LayerSpec::Dense { .. } => {
                return format!("give its last dense layer ({}) {} units", info.name, want.c)
            }
            _ => {}
        }
    }
    format!("its output needs {} channels", want.c)
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
                    dilation: 1,
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
                    dilation: 1,
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
                    dilation: 1,
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
                    dilation: 1,
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

    fn preset(arch: &str) -> Self {
        ModelSpec::parse(arch).expect("presets are valid (tests/presets.rs checks each)")
    }

    /// LeNet-5's shape (LeCun et al. 1998) with ReLU and max pooling: two 5×5 convolutions
    /// (6 and 16 filters), then dense 120 → 84 → 10; 61,706 parameters.
    pub fn lenet5_like() -> Self {
        Self::preset(LENET5_LIKE)
    }

    /// No convolution at all: one hidden dense layer of 128 units; 101,770 parameters.
    pub fn mlp() -> Self {
        Self::preset(MLP)
    }

    /// A small residual network: a stem convolution, then two residual blocks of two 3×3
    /// convolutions each (at 14×14 and 7×7), each followed by ReLU and pooling.
    pub fn tiny_resnet() -> Self {
        Self::preset(TINY_RESNET)
    }

    /// MobileNet's depthwise-separable blocks: each a 3×3 depthwise convolution (one filter
    /// per channel) followed by a 1×1 convolution that mixes the channels.
    pub fn mobilenet_like() -> Self {
        Self::preset(MOBILENET_LIKE)
    }

    /// Every preset with a short name, in the order an editor lists them.
    pub fn presets() -> Vec<(&'static str, ModelSpec)> {
        vec![
            ("ref-A", ModelSpec::ref_a()),
            ("ref-B", ModelSpec::ref_b()),
            ("LeNet-5-like", ModelSpec::lenet5_like()),
            ("MLP", ModelSpec::mlp()),
            ("tiny ResNet", ModelSpec::tiny_resnet()),
            ("MobileNet-like", ModelSpec::mobilenet_like()),
        ]
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
        let tokens = split_top(&s)?;
        let count = s.matches(',').count() + 1 + s.matches('(').count();
        if count > MAX_LAYERS {
            return Err(SpecError::arch(format!(
                "{count} layers is too many (at most {MAX_LAYERS}, counting those inside blocks)"
            )));
        }
        let mut layers = Vec::with_capacity(tokens.len());
        for (i, tok) in tokens.iter().enumerate() {
            let tok = tok.trim();
            if let Some(body) = tok.strip_prefix("res") {
                let body = body.trim_start();
                let Some(body) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) else {
                    return Err(token_error(
                        i,
                        None,
                        tok,
                        tok,
                        format!(
                            "cannot read \"{tok}\": a residual block is written res(layer,layer,…)"
                        ),
                    ));
                };
                let mut inner = Vec::new();
                if body.trim().is_empty() {
                    return Err(token_error(
                        i,
                        None,
                        tok,
                        tok,
                        "the residual block is empty: put at least one layer inside res(…)".into(),
                    ));
                }
                for (j, itok) in body.split(',').map(str::trim).enumerate() {
                    match parse_layer(itok) {
                        Ok(l) => inner.push(l),
                        Err(m) => return Err(token_error(i, Some(j), tok, itok, m)),
                    }
                }
                layers.push(LayerSpec::Residual { layers: inner });
                continue;
            }
            if tok.contains(['(', ')']) {
                return Err(token_error(
                    i,
                    None,
                    tok,
                    tok,
                    format!("cannot read \"{tok}\": only res(…) takes parentheses"),
                ));
            }
            match parse_layer(tok) {
                Ok(l) => layers.push(l),
                Err(message) => return Err(token_error(i, None, tok, tok, message)),
            }
        }
        let spec = ModelSpec { layers };
        spec.analyze()?;
        Ok(spec)
    }

    /// Number of layers counting those inside residual blocks (a block counts as one too).
    pub fn layer_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| match l {
                LayerSpec::Residual { layers } => 1 + layers.len(),
                _ => 1,
            })
            .sum()
    }

    /// Checks sizes and shapes layer by layer, up front, and describes every layer: one
    /// [`LayerInfo`] per top-level layer, a residual block's layers in its `inner`.
    /// Errors name the layer and say what would fix it ("conv2: a 5×5 kernel does not fit
    /// the 2×2 input (no padding): use padding ≥ 2 or a smaller kernel").
    pub fn analyze(&self) -> Result<Vec<LayerInfo>, SpecError> {
        if self.layers.is_empty() {
            return Err(SpecError::arch(format!("no layers; {GRAMMAR}")));
        }
        let count = self.layer_count();
        if count > MAX_LAYERS {
            return Err(SpecError::arch(format!(
                "{count} layers is too many (at most {MAX_LAYERS}, counting those inside blocks)"
            )));
        }
        let mut namer = Namer::default();
        let mut infos = Vec::with_capacity(self.layers.len());
        let mut shape = INPUT;
        let (mut params, mut macs) = (0usize, 0usize);
        // Caps on the running totals, checked after every layer (inner ones included).
        let totals = |params: usize, macs: usize| -> Result<(), String> {
            if params > MAX_PARAMS {
                return Err(format!(
                    "the network has {params} parameters up to here; at most {MAX_PARAMS} are allowed"
                ));
            }
            if macs > MAX_MACS {
                return Err(format!(
                    "the network needs {macs} multiply-adds per image up to here; at most {MAX_MACS} are allowed"
                ));
            }
            Ok(())
        };
        for (i, layer) in self.layers.iter().enumerate() {
            let name = namer.name(layer);
            let info = if let LayerSpec::Residual { layers } = layer {
                let err = |m: String| SpecError::at(i, &name, m);
                if layers.is_empty() {
                    return Err(err(
                        "the residual block is empty: put at least one layer inside res(…)".into(),
                    ));
                }
                let mut inner = Vec::with_capacity(layers.len());
                let mut s = shape;
                for (j, l) in layers.iter().enumerate() {
                    let iname = namer.name(l);
                    let ierr = |m: String| SpecError {
                        layer: Some(i),
                        inner: Some(j),
                        name: iname.clone(),
                        message: m,
                    };
                    let info = analyze_layer(l, s, &iname).map_err(ierr)?;
                    params += info.params;
                    macs += info.macs;
                    totals(params, macs).map_err(ierr)?;
                    s = info.output;
                    inner.push(info);
                }
                if s != shape {
                    return Err(err(format!(
                        "the block turns {shape} into {s}; a skip connection needs the same shape — {}",
                        residual_fix(layers, &inner, shape)
                    )));
                }
                LayerInfo {
                    name: name.clone(),
                    detail: format!(
                        "input + {} layer{} (skip connection)",
                        inner.len(),
                        if inner.len() == 1 { "" } else { "s" }
                    ),
                    input: shape,
                    output: shape,
                    params: inner.iter().map(|l| l.params).sum(),
                    macs: inner.iter().map(|l| l.macs).sum(),
                    size: None,
                    dense_params: None,
                    inner,
                }
            } else {
                let info =
                    analyze_layer(layer, shape, &name).map_err(|m| SpecError::at(i, &name, m))?;
                params += info.params;
                macs += info.macs;
                totals(params, macs).map_err(|m| SpecError::at(i, &name, m))?;
                info
            };
            shape = info.output;
            infos.push(info);
        }
        let last = self.layers.len() - 1;
        if self.layers[last] != (LayerSpec::Dense { units: CLASSES }) {
            return Err(SpecError::at(
                last,
                &infos[last].name,
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

    /// The engine's flat order of a valid spec (see [`FlatLayer`]); None if the spec is invalid.
    pub fn flat_layers(&self) -> Option<Vec<FlatLayer>> {
        let infos = self.analyze().ok()?;
        Some(flatten(&self.layers, &infos))
    }
}

/// `ModelSpec::lenet5_like()`.
pub const LENET5_LIKE: &str =
    "conv6k5s1p2,relu,max2s2,conv16k5s1p0,relu,max2s2,dense120,relu,dense84,relu,dense10";
/// `ModelSpec::mlp()`.
pub const MLP: &str = "dense128,relu,dense10";
/// `ModelSpec::tiny_resnet()`.
pub const TINY_RESNET: &str = "conv8k3s1p1,relu,max2s2,res(conv8k3s1p1,relu,conv8k3s1p1),relu,\
    max2s2,res(conv8k3s1p1,relu,conv8k3s1p1),relu,dense10";
/// `ModelSpec::mobilenet_like()`.
pub const MOBILENET_LIKE: &str = "conv8k3s2p1,relu,dwconv3s1p1,relu,conv16k1s1p0,relu,\
    dwconv3s2p1,relu,conv32k1s1p0,relu,dense10";

/// One layer in the engine's order: a residual block's layers come first, then a node that
/// adds the block's input to their output (the block's own entry). Without residual blocks
/// this is exactly the spec's order. [`crate::nn::Model::layers`] and
/// [`crate::nn::Model::forward_layer`] count in this order.
#[derive(Clone, Debug, PartialEq)]
pub struct FlatLayer {
    /// The layer; for the add node of a residual block, the whole `Residual` spec.
    pub spec: LayerSpec,
    pub info: LayerInfo,
    /// Index of the top-level spec layer it belongs to.
    pub top: usize,
    /// Position inside its residual block; None for top-level layers and add nodes.
    pub inner: Option<usize>,
}

pub(crate) fn flatten(layers: &[LayerSpec], infos: &[LayerInfo]) -> Vec<FlatLayer> {
    let mut out = Vec::new();
    for (top, (l, info)) in layers.iter().zip(infos).enumerate() {
        if let LayerSpec::Residual { layers } = l {
            for (j, (il, ii)) in layers.iter().zip(&info.inner).enumerate() {
                out.push(FlatLayer {
                    spec: il.clone(),
                    info: ii.clone(),
                    top,
                    inner: Some(j),
                });
            }
        }
        out.push(FlatLayer {
            spec: l.clone(),
            info: info.clone(),
            top,
            inner: None,
        });
    }
    out
}

/// Floating-point operations of training on one example, counted the way `../shared/bench`
/// counts them so the page's GFLOP/s compares with its figures: 2 per multiply-add of the conv
/// and dense layers (bias, ReLU and pooling not counted), and forward + backward = 3 × forward.
pub fn training_flops_per_example(infos: &[LayerInfo]) -> u64 {
    6 * infos.iter().map(|i| i.macs as u64).sum::<u64>()
}
