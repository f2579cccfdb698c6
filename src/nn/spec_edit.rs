//! Editing one layer of a [`ModelSpec`] field by field, the way the architecture editor's
//! controls do: the ranges each field may take (the caps of [`crate::nn::spec`]), setting one
//! field from what was typed (clamped into range, with a short note saying so, never a panic),
//! and a sensible default layer of each kind to insert.
//!
//! Pure and tested natively (`tests/spec_edit.rs`); the editor (`src/ui/arch_editor.rs`) works
//! on the text of the `arch=` field and calls these for one token at a time.
//!
//! [`ModelSpec`]: super::ModelSpec

use super::{
    LayerSpec, MAX_CONV_STRIDE, MAX_DILATION, MAX_FILTERS, MAX_KERNEL, MAX_PAD, MAX_POOL_STRIDE,
    MAX_POOL_WINDOW, MAX_UNITS,
};

/// The kinds of layer the editor can insert (residual blocks are typed in the text field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayerKind {
    Conv,
    MaxPool,
    AvgPool,
    Relu,
    Dense,
    DwConv,
}

impl LayerKind {
    /// Every kind, in the order the editor lists them.
    pub const ALL: [LayerKind; 6] = [
        LayerKind::Conv,
        LayerKind::MaxPool,
        LayerKind::AvgPool,
        LayerKind::Relu,
        LayerKind::Dense,
        LayerKind::DwConv,
    ];

    /// Short stable name (a `<select>` value): "conv", "max", "avg", "relu", "dense", "dwconv".
    pub fn key(self) -> &'static str {
        match self {
            LayerKind::Conv => "conv",
            LayerKind::MaxPool => "max",
            LayerKind::AvgPool => "avg",
            LayerKind::Relu => "relu",
            LayerKind::Dense => "dense",
            LayerKind::DwConv => "dwconv",
        }
    }

    /// What a student reads.
    pub fn label(self) -> &'static str {
        match self {
            LayerKind::Conv => "convolution",
            LayerKind::MaxPool => "max pooling",
            LayerKind::AvgPool => "average pooling",
            LayerKind::Relu => "ReLU",
            LayerKind::Dense => "dense (fully connected)",
            LayerKind::DwConv => "depthwise convolution",
        }
    }

    /// The kind whose [`LayerKind::key`] is `key`.
    pub fn from_key(key: &str) -> Option<LayerKind> {
        LayerKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The layer inserted for this kind: `conv8k3s1p1`, `max2s2`, `avg2s2`, `relu`, `dense32`,
    /// `dwconv3s1p1` (3×3 kernels with "same" padding keep the size, so inserting one rarely
    /// breaks the layers after it).
    pub fn default_layer(self) -> LayerSpec {
        match self {
            LayerKind::Conv => LayerSpec::Conv {
                filters: 8,
                kernel: 3,
                stride: 1,
                pad: 1,
                dilation: 1,
            },
            LayerKind::MaxPool => LayerSpec::MaxPool {
                window: 2,
                stride: 2,
            },
            LayerKind::AvgPool => LayerSpec::AvgPool {
                window: 2,
                stride: 2,
            },
            LayerKind::Relu => LayerSpec::Relu,
            LayerKind::Dense => LayerSpec::Dense { units: 32 },
            LayerKind::DwConv => LayerSpec::DwConv {
                kernel: 3,
                stride: 1,
                pad: 1,
                dilation: 1,
            },
        }
    }

    /// The kind of `layer`; None for a residual block.
    pub fn of(layer: &LayerSpec) -> Option<LayerKind> {
        Some(match layer {
            LayerSpec::Conv { .. } => LayerKind::Conv,
            LayerSpec::DwConv { .. } => LayerKind::DwConv,
            LayerSpec::Relu => LayerKind::Relu,
            LayerSpec::MaxPool { .. } => LayerKind::MaxPool,
            LayerSpec::AvgPool { .. } => LayerKind::AvgPool,
            LayerSpec::Dense { .. } => LayerKind::Dense,
            LayerSpec::Residual { .. } => return None,
        })
    }
}

/// One editable number of a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Filters,
    Kernel,
    Stride,
    Pad,
    Dilation,
    /// Pooling window.
    Window,
    Units,
}

impl Field {
    /// Suffix of the control's `data-testid` (`layer-N-kernel`) and a stable name.
    pub fn key(self) -> &'static str {
        match self {
            Field::Filters => "filters",
            Field::Kernel => "kernel",
            Field::Stride => "stride",
            Field::Pad => "pad",
            Field::Dilation => "dilation",
            Field::Window => "window",
            Field::Units => "units",
        }
    }

    /// The control's label.
    pub fn label(self) -> &'static str {
        match self {
            Field::Filters => "filters",
            Field::Kernel => "kernel",
            Field::Stride => "stride",
            Field::Pad => "padding",
            Field::Dilation => "dilation",
            Field::Window => "window",
            Field::Units => "units",
        }
    }
}

/// A field of a layer with its value and the range the editor allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldRange {
    pub field: Field,
    pub value: usize,
    pub min: usize,
    pub max: usize,
    /// Padding only: the pad that keeps a stride-1 output the input's size, d·(k − 1)/2, when
    /// d·(k − 1) is even.
    pub same: Option<usize>,
}

/// The largest padding a window of `kernel` taps spaced `dilation` apart may have: one less
/// than its span d·(k − 1) + 1 (more only adds outputs that see nothing but zeros), and at
/// most [`MAX_PAD`]. Sizes out of range are clamped first, so this never overflows.
pub fn max_pad(kernel: usize, dilation: usize) -> usize {
    let (k, d) = (kernel.clamp(1, MAX_KERNEL), dilation.clamp(1, MAX_DILATION));
    (d * (k - 1)).min(MAX_PAD)
}

/// The "same" padding, d·(k − 1)/2, if d·(k − 1) is even.
pub fn same_pad(kernel: usize, dilation: usize) -> Option<usize> {
    let (k, d) = (kernel.clamp(1, MAX_KERNEL), dilation.clamp(1, MAX_DILATION));
    let reach = d * (k - 1);
    (reach % 2 == 0).then_some(reach / 2)
}

/// The editable fields of `layer`, in the order the editor shows them; empty for ReLU and
/// residual blocks.
pub fn fields(layer: &LayerSpec) -> Vec<FieldRange> {
    let f = |field, value, min, max| FieldRange {
        field,
        value,
        min,
        max,
        same: None,
    };
    let window = |kernel, stride, pad, dilation| {
        vec![
            f(Field::Kernel, kernel, 1, MAX_KERNEL),
            f(Field::Stride, stride, 1, MAX_CONV_STRIDE),
            FieldRange {
                same: same_pad(kernel, dilation),
                ..f(Field::Pad, pad, 0, max_pad(kernel, dilation))
            },
            f(Field::Dilation, dilation, 1, MAX_DILATION),
        ]
    };
    match *layer {
        LayerSpec::Conv {
            filters,
            kernel,
            stride,
            pad,
            dilation,
        } => {
            let mut v = vec![f(Field::Filters, filters, 1, MAX_FILTERS)];
            v.extend(window(kernel, stride, pad, dilation));
            v
        }
        LayerSpec::DwConv {
            kernel,
            stride,
            pad,
            dilation,
        } => window(kernel, stride, pad, dilation),
        LayerSpec::MaxPool { window, stride } | LayerSpec::AvgPool { window, stride } => vec![
            f(Field::Window, window, 1, MAX_POOL_WINDOW),
            f(Field::Stride, stride, 1, MAX_POOL_STRIDE),
        ],
        LayerSpec::Dense { units } => vec![f(Field::Units, units, 1, MAX_UNITS)],
        LayerSpec::Relu | LayerSpec::Residual { .. } => Vec::new(),
    }
}

/// The result of setting one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldEdit {
    pub layer: LayerSpec,
    /// What was changed beyond what was asked (a value clamped into range, rounded, or the
    /// padding reduced to fit a smaller kernel), in a few words for the student.
    pub note: Option<String>,
}

/// Why a field could not be set at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The text is no number (an empty field while typing, say): leave the layer alone.
    #[error("\"{0}\" is not a number")]
    NotANumber(String),
    /// That layer has no such field (or is a residual block, edited as text).
    #[error("{layer} has no {field}")]
    NoSuchField { layer: String, field: &'static str },
}

/// Reads what was typed: a whole number, a decimal (rounded) or an exponent ("1e9"), anything
/// finite; `same` for padding is handled by [`set_field`].
fn read_number(raw: &str) -> Result<(f64, bool), FieldError> {
    let t = raw.trim();
    let v: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| FieldError::NotANumber(t.chars().take(40).collect()))?;
    let rounded = v.round();
    Ok((rounded, rounded != v))
}

/// Sets `field` of `layer` from `raw` (what the control holds: a number, or `same` for the
/// padding). Out-of-range values are clamped into the field's range and `note` says so;
/// a kernel or dilation change that leaves the padding too large for the new window reduces
/// the padding to the largest allowed (also noted). Never panics.
pub fn set_field(layer: &LayerSpec, field: Field, raw: &str) -> Result<FieldEdit, FieldError> {
    let no_field = || FieldError::NoSuchField {
        layer: layer.to_string(),
        field: field.key(),
    };
    let range = fields(layer)
        .into_iter()
        .find(|r| r.field == field)
        .ok_or_else(no_field)?;
    let mut notes: Vec<String> = Vec::new();
    let value = if field == Field::Pad && raw.trim().eq_ignore_ascii_case("same") {
        match range.same {
            Some(p) => p,
            None => {
                notes.push(format!(
                    "no \"same\" padding for this kernel (dilation·(kernel − 1) is odd): kept pad {}",
                    range.value
                ));
                range.value
            }
        }
    } else {
        let (v, rounded) = read_number(raw)?;
        let (min, max) = (range.min as f64, range.max as f64);
        let clamped = v.clamp(min, max);
        if clamped != v {
            notes.push(format!(
                "{} {} is out of range ({}–{}): set to {}",
                field.label(),
                raw.trim(),
                range.min,
                range.max,
                clamped
            ));
        } else if rounded {
            notes.push(format!(
                "{} must be a whole number: {} set to {}",
                field.label(),
                raw.trim(),
                clamped
            ));
        }
        clamped as usize
    };
    let mut out = layer.clone();
    match (&mut out, field) {
        (LayerSpec::Conv { filters, .. }, Field::Filters) => *filters = value,
        (LayerSpec::Conv { kernel, .. } | LayerSpec::DwConv { kernel, .. }, Field::Kernel) => {
            *kernel = value
        }
        (
            LayerSpec::Conv { stride, .. }
            | LayerSpec::DwConv { stride, .. }
            | LayerSpec::MaxPool { stride, .. }
            | LayerSpec::AvgPool { stride, .. },
            Field::Stride,
        ) => *stride = value,
        (LayerSpec::Conv { pad, .. } | LayerSpec::DwConv { pad, .. }, Field::Pad) => *pad = value,
        (
            LayerSpec::Conv { dilation, .. } | LayerSpec::DwConv { dilation, .. },
            Field::Dilation,
        ) => *dilation = value,
        (LayerSpec::MaxPool { window, .. } | LayerSpec::AvgPool { window, .. }, Field::Window) => {
            *window = value
        }
        (LayerSpec::Dense { units }, Field::Units) => *units = value,
        _ => return Err(no_field()),
    }
    // A smaller window may leave the padding too large for it.
    if let LayerSpec::Conv {
        kernel,
        pad,
        dilation,
        ..
    }
    | LayerSpec::DwConv {
        kernel,
        pad,
        dilation,
        ..
    } = &mut out
    {
        let most = max_pad(*kernel, *dilation);
        if *pad > most && matches!(field, Field::Kernel | Field::Dilation) {
            notes.push(format!(
                "padding {pad} is too much for a {k}×{k} kernel{d}: set to {most}",
                pad = *pad,
                k = *kernel,
                d = if *dilation == 1 {
                    String::new()
                } else {
                    format!(" dilated by {dilation}")
                },
            ));
            *pad = most;
        }
    }
    Ok(FieldEdit {
        layer: out,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_layer_has_its_kind_and_in_range_fields() {
        for kind in LayerKind::ALL {
            let l = kind.default_layer();
            assert_eq!(LayerKind::of(&l), Some(kind));
            assert_eq!(LayerKind::from_key(kind.key()), Some(kind));
            for r in fields(&l) {
                assert!((r.min..=r.max).contains(&r.value), "{l} {r:?}");
            }
        }
        assert_eq!(LayerKind::from_key("res"), None);
    }
}
