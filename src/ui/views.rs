//! What the kernel / feature-map / pooling panels draw, derived from the model's
//! spec and `LayerInfo` (never from fixed layer numbers).

use std::rc::Rc;

use ndarray::Array3;

use super::colour::ColourScale;
use crate::nn::model::{Model, Tap};
use crate::nn::spec::{LayerInfo, LayerSpec, Shape};

/// Displayed size of one map, in CSS px (maps are zoomed by whole pixels to about this).
const MAP_CSS_PX: usize = 84;
const KERNEL_CSS_PX: usize = 40;

/// "8 × 28×28": channels × height×width.
pub fn shape_label(s: &Shape) -> String {
    if s.h == 1 && s.w == 1 {
        format!("{}", s.c)
    } else {
        format!("{} × {}×{}", s.c, s.h, s.w)
    }
}

pub fn zoom_for(h: usize, w: usize, target_css_px: usize) -> usize {
    (target_css_px / h.max(w).max(1)).max(1)
}

/// One group of same-sized planes (a layer's channels) sharing one colour scale.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneGroup {
    /// `data-layer` of each canvas: the LayerInfo name.
    pub layer: String,
    pub title: String,
    pub detail: String,
    pub h: usize,
    pub w: usize,
    pub zoom: usize,
    pub planes: Vec<Rc<Vec<f32>>>,
    pub scale: ColourScale,
}

/// Every conv layer's weights: `filters × inputs` planes of `k × k`, filter-major.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelGroup {
    pub layer: String,
    pub title: String,
    pub detail: String,
    pub filters: usize,
    pub inputs: usize,
    pub k: usize,
    pub zoom: usize,
    pub planes: Vec<Rc<Vec<f32>>>,
    pub scale: ColourScale,
}

pub fn kernel_groups(model: &Model) -> Vec<KernelGroup> {
    let infos = model.infos();
    let mut out = Vec::new();
    for (index, info) in infos.iter().enumerate() {
        // A residual block's own convolutions, then the layer itself.
        for (j, inner) in info.inner.iter().enumerate() {
            if let Some(w) = model.inner_conv_weights(index, j) {
                out.push(kernel_group(inner, w));
            }
        }
        if let Some(w) = model.conv_weights(index) {
            out.push(kernel_group(info, w));
        }
    }
    out
}

fn kernel_group(info: &LayerInfo, w: ndarray::ArrayView4<'_, f32>) -> KernelGroup {
    let (filters, inputs, kh, kw) = w.dim();
    let mut planes = Vec::with_capacity(filters * inputs);
    for f in 0..filters {
        for c in 0..inputs {
            planes.push(Rc::new(
                w.slice(ndarray::s![f, c, .., ..]).iter().copied().collect(),
            ));
        }
    }
    KernelGroup {
        layer: info.name.clone(),
        title: if inputs == info.input.c {
            format!(
                "{} · {} filters × {} input channel{}",
                info.name,
                info.output.c,
                info.input.c,
                if info.input.c == 1 { "" } else { "s" }
            )
        } else {
            // Depthwise: each filter sees only its own channel.
            format!("{} · {} filters, one per input channel", info.name, filters)
        },
        detail: format!(
            "{} · {} parameters",
            info.detail,
            super::format::thousands(info.params as u64)
        ),
        filters,
        inputs,
        k: kh.max(kw),
        zoom: zoom_for(kh, kw, KERNEL_CSS_PX),
        scale: ColourScale::diverging_for(w.iter()),
        planes,
    }
}

/// Output of each conv and depthwise conv layer, inside residual blocks too — after its ReLU
/// when one follows directly, which is what the next layer sees (the title says which).
/// `taps` are `Model::forward_taps_nested`'s.
pub fn feature_map_groups(
    spec: &[LayerSpec],
    infos: &[LayerInfo],
    taps: &[Tap],
) -> Vec<PlaneGroup> {
    let mut out = Vec::new();
    for (i, layer) in spec.iter().enumerate() {
        let (Some(info), Some(tap)) = (infos.get(i), taps.get(i)) else {
            continue;
        };
        if let LayerSpec::Residual { layers } = layer {
            let outputs: Vec<&Array3<f32>> = tap.inner.iter().collect();
            conv_groups(layers, &info.inner, &outputs, &mut out);
        } else {
            let outputs: Vec<&Array3<f32>> = taps.iter().map(|t| &t.output).collect();
            conv_group_at(spec, infos, &outputs, i, &mut out);
        }
    }
    out
}

/// Feature-map groups of every conv layer of one sequence (a residual block's layers).
fn conv_groups(
    spec: &[LayerSpec],
    infos: &[LayerInfo],
    outputs: &[&Array3<f32>],
    out: &mut Vec<PlaneGroup>,
) {
    for i in 0..spec.len() {
        conv_group_at(spec, infos, outputs, i, out);
    }
}

/// The feature-map group of layer `i` of a sequence, if it is a convolution.
fn conv_group_at(
    spec: &[LayerSpec],
    infos: &[LayerInfo],
    outputs: &[&Array3<f32>],
    i: usize,
    out: &mut Vec<PlaneGroup>,
) {
    if !matches!(spec[i], LayerSpec::Conv { .. } | LayerSpec::DwConv { .. }) {
        return;
    }
    let Some(info) = infos.get(i) else { return };
    let relu_next = matches!(spec.get(i + 1), Some(LayerSpec::Relu));
    let tap = if relu_next { i + 1 } else { i };
    let (Some(values), Some(tap_info)) = (outputs.get(tap), infos.get(tap)) else {
        return;
    };
    let shown = if relu_next {
        format!("{} after {}", info.name, tap_info.name)
    } else {
        format!("{} (before any ReLU)", info.name)
    };
    out.push(group(
        &info.name,
        format!("{} · {}", info.name, shape_label(&tap_info.output)),
        format!("{shown} · {}", info.detail),
        values,
    ));
}

/// Every pooling layer's output.
pub fn pooling_groups(
    spec: &[LayerSpec],
    infos: &[LayerInfo],
    taps: &[Array3<f32>],
) -> Vec<PlaneGroup> {
    let mut out = Vec::new();
    for (i, layer) in spec.iter().enumerate() {
        if !matches!(layer, LayerSpec::MaxPool { .. } | LayerSpec::AvgPool { .. }) {
            continue;
        }
        let (Some(info), Some(values)) = (infos.get(i), taps.get(i)) else {
            continue;
        };
        out.push(group(
            &info.name,
            format!("{} · {}", info.name, shape_label(&info.output)),
            format!("{} · from {}", info.detail, shape_label(&info.input)),
            values,
        ));
    }
    out
}

/// Signed values (a conv output before ReLU) get the diverging scale, others the
/// sequential one.
fn group(layer: &str, title: String, detail: String, values: &Array3<f32>) -> PlaneGroup {
    let signed = values.iter().any(|v| *v < 0.0);
    let (c, h, w) = values.dim();
    let planes = (0..c)
        .map(|ch| {
            Rc::new(
                values
                    .slice(ndarray::s![ch, .., ..])
                    .iter()
                    .copied()
                    .collect(),
            )
        })
        .collect();
    let scale = if signed {
        ColourScale::diverging_for(values.iter())
    } else {
        ColourScale::sequential_for(values.iter())
    };
    PlaneGroup {
        layer: layer.to_string(),
        title,
        detail,
        h,
        w,
        zoom: zoom_for(h, w, MAP_CSS_PX),
        planes,
        scale,
    }
}
