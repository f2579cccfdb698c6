//! Which input pixels feed one output cell: for the page's "click a cell" view. Pure, computed
//! from the [`ModelSpec`] alone.
//!
//! Geometry along one axis: output position `o` of a window layer (conv, dwconv, pool) reads
//! input positions `o·s − p + j·d` for `j = 0..k` (pooling: `p = 0`, `d = 1`); positions
//! outside `[0, in)` are zero padding. ReLU reads the same cell; a dense unit reads every
//! input; a residual block's output cell reads the same cell of the block's input (the skip)
//! plus whatever the block's layers read.
//!
//! Rectangles are bounding boxes of the exact sets of positions (a dilated kernel reads only
//! some of the positions inside its box; [`ReceptiveField::taps`] lists exactly which).

use crate::nn::spec::{flatten, FlatLayer, LayerSpec, ModelSpec, Shape};
use std::ops::Range;

/// One output cell: channel `c`, row `y`, column `x` of the output of top-level layer `layer`,
/// or, with `inner: Some(j)`, of layer `j` inside the residual block at `layer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub layer: usize,
    pub inner: Option<usize>,
    pub c: usize,
    pub y: usize,
    pub x: usize,
}

/// Rows `y0..y1` × columns `x0..x1` (half-open); coordinates may be negative or beyond the
/// input when a rectangle is not clipped. Empty when `y0 >= y1` or `x0 >= x1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRect {
    pub y0: isize,
    pub x0: isize,
    pub y1: isize,
    pub x1: isize,
}

impl CellRect {
    pub const EMPTY: CellRect = CellRect {
        y0: 0,
        x0: 0,
        y1: 0,
        x1: 0,
    };

    pub fn is_empty(&self) -> bool {
        self.y0 >= self.y1 || self.x0 >= self.x1
    }

    pub fn height(&self) -> usize {
        (self.y1 - self.y0).max(0) as usize
    }

    pub fn width(&self) -> usize {
        (self.x1 - self.x0).max(0) as usize
    }
}

/// One position a window reads, in the coordinates of the layer's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowTap {
    pub y: isize,
    pub x: isize,
    /// Outside the input: the tap reads the zero padding.
    pub padding: bool,
}

/// What feeds one output cell; see [`ModelSpec::receptive_field`].
#[derive(Clone, Debug, PartialEq)]
pub struct ReceptiveField {
    /// The layer's name ("conv2").
    pub name: String,
    /// Shape of the layer's input: the previous layer's output, or the 1×28×28 image.
    pub input: Shape,
    /// Input channels the cell reads: all of them for conv and dense, only `c` otherwise.
    pub channels: Range<usize>,
    /// The input cells (of those channels) that feed the cell, clipped to the input.
    pub previous: CellRect,
    /// Every position of the window, kernel row by kernel row, in the input's coordinates,
    /// each marked when it falls into zero padding: `k·k` taps for conv, dwconv and pooling;
    /// the cell itself for ReLU and a residual block's skip; empty for dense (it reads all).
    pub taps: Vec<WindowTap>,
    /// Image pixels that can influence the cell, through every earlier layer; positions that
    /// only ever meet padding are left out (empty if the cell sees nothing but padding).
    pub image: CellRect,
    /// The textbook receptive field: the same, never clipped (it may reach beyond the image).
    pub image_unclipped: CellRect,
}

/// The textbook receptive field (never clipped): an interval `[lo, hi]` (inclusive) per axis,
/// rows then columns.
type Span2 = [(isize, isize); 2];

/// Geometry of a window layer along one axis: (kernel, stride, pad, dilation).
fn window(spec: &LayerSpec) -> Option<(usize, usize, usize, usize)> {
    match *spec {
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
        } => Some((kernel, stride, pad, dilation)),
        LayerSpec::MaxPool { window, stride } | LayerSpec::AvgPool { window, stride } => {
            Some((window, stride, 0, 1))
        }
        _ => None,
    }
}

/// Unclipped: outputs `lo..=hi` of a window layer read inputs `lo·s − p ..= hi·s − p + d(k−1)`.
fn span_step(f: &FlatLayer, [rows, cols]: Span2) -> Span2 {
    let input = f.info.input;
    match (&f.spec, window(&f.spec)) {
        (LayerSpec::Dense { .. }, _) => [(0, input.h as isize - 1), (0, input.w as isize - 1)],
        (_, Some((k, s, p, d))) => {
            let (k, s, p, d) = (k as isize, s as isize, p as isize, d as isize);
            let back = |(lo, hi): (isize, isize)| (lo * s - p, hi * s - p + d * (k - 1));
            [back(rows), back(cols)]
        }
        _ => [rows, cols],
    }
}

fn span_back(flat: &[FlatLayer], hi: usize, lo: usize, mut span: Span2) -> Span2 {
    let mut i = hi;
    while i > lo {
        i -= 1;
        match &flat[i].spec {
            LayerSpec::Residual { layers } if flat[i].inner.is_none() => {
                let start = i - layers.len();
                let [br, bc] = span_back(flat, i, start, span);
                let [r, c] = span;
                span = [
                    (r.0.min(br.0), r.1.max(br.1)),
                    (c.0.min(bc.0), c.1.max(bc.1)),
                ];
                i = start;
            }
            _ => span = span_step(&flat[i], span),
        }
    }
    span
}

/// The exact positions, as a union of "parts": each part is every (row, column) with the row
/// in `rows` and the column in `cols`. A layer maps rows and columns separately, so one part
/// stays one part; a residual block joins the skip's parts and the block's.
#[derive(Clone, Debug, PartialEq)]
struct Part {
    rows: Vec<bool>,
    cols: Vec<bool>,
}

/// Beyond this many distinct parts (networks with many residual blocks whose paths reach
/// different places), they are merged into one, which may enlarge the bounding box.
const MAX_PARTS: usize = 64;

/// The input positions (one axis, length `n`) that outputs `set` of a window layer read.
fn axis_set(set: &[bool], (k, s, p, d): (usize, usize, usize, usize), n: usize) -> Vec<bool> {
    let mut out = vec![false; n];
    for (o, _) in set.iter().enumerate().filter(|(_, on)| **on) {
        for j in 0..k {
            if let Some(i) = (o * s + j * d).checked_sub(p).filter(|i| *i < n) {
                out[i] = true;
            }
        }
    }
    out
}

fn part_step(f: &FlatLayer, part: &Part) -> Option<Part> {
    let input = f.info.input;
    let next = match (&f.spec, window(&f.spec)) {
        (LayerSpec::Dense { .. }, _) => Part {
            rows: vec![true; input.h],
            cols: vec![true; input.w],
        },
        (_, Some(g)) => Part {
            rows: axis_set(&part.rows, g, input.h),
            cols: axis_set(&part.cols, g, input.w),
        },
        _ => part.clone(),
    };
    // A part with no row (or no column) left has no position: it only met padding.
    (next.rows.contains(&true) && next.cols.contains(&true)).then_some(next)
}

fn subset(a: &[bool], b: &[bool]) -> bool {
    a.iter().zip(b).all(|(x, y)| !*x || *y)
}

/// Adds `more` to `parts`, dropping parts that another contains (a contained part stays
/// contained through every later layer, so it never changes the result).
fn join(parts: &mut Vec<Part>, more: Vec<Part>) {
    for p in more {
        if parts
            .iter()
            .any(|q| subset(&p.rows, &q.rows) && subset(&p.cols, &q.cols))
        {
            continue;
        }
        parts.retain(|q| !(subset(&q.rows, &p.rows) && subset(&q.cols, &p.cols)));
        parts.push(p);
    }
    if parts.len() > MAX_PARTS {
        let mut merged = parts[0].clone();
        for q in &parts[1..] {
            for (a, b) in merged.rows.iter_mut().zip(&q.rows) {
                *a |= *b;
            }
            for (a, b) in merged.cols.iter_mut().zip(&q.cols) {
                *a |= *b;
            }
        }
        *parts = vec![merged];
    }
}

fn parts_back(flat: &[FlatLayer], hi: usize, lo: usize, mut parts: Vec<Part>) -> Vec<Part> {
    let mut i = hi;
    while i > lo {
        i -= 1;
        match &flat[i].spec {
            LayerSpec::Residual { layers } if flat[i].inner.is_none() => {
                let start = i - layers.len();
                let through = parts_back(flat, i, start, parts.clone());
                join(&mut parts, through);
                i = start;
            }
            _ => {
                parts = parts
                    .iter()
                    .filter_map(|p| part_step(&flat[i], p))
                    .collect()
            }
        }
    }
    parts
}

/// Bounding box of the parts' positions.
fn parts_rect(parts: &[Part]) -> CellRect {
    let range = |sets: &mut dyn Iterator<Item = &Vec<bool>>| {
        let (mut lo, mut hi) = (isize::MAX, isize::MIN);
        for set in sets {
            for (i, _) in set.iter().enumerate().filter(|(_, on)| **on) {
                lo = lo.min(i as isize);
                hi = hi.max(i as isize + 1);
            }
        }
        (lo, hi)
    };
    if parts.is_empty() {
        return CellRect::EMPTY;
    }
    let (y0, y1) = range(&mut parts.iter().map(|p| &p.rows));
    let (x0, x1) = range(&mut parts.iter().map(|p| &p.cols));
    CellRect { y0, x0, y1, x1 }
}

impl ModelSpec {
    /// What feeds output cell `cell`: the window of input cells it reads (and which of its
    /// positions are zero padding), and the rectangle of image pixels behind it. Errors (as
    /// text) for an invalid spec or a cell outside the layer's output.
    pub fn receptive_field(&self, cell: Cell) -> Result<ReceptiveField, String> {
        let infos = self.analyze().map_err(|e| e.to_string())?;
        let flat = flatten(&self.layers, &infos);
        let Some(idx) = flat
            .iter()
            .position(|f| f.top == cell.layer && f.inner == cell.inner)
        else {
            return Err(match cell.inner {
                None => format!(
                    "there is no layer {} (the network has {})",
                    cell.layer,
                    self.layers.len()
                ),
                Some(j) => format!("layer {} has no inner layer {j}", cell.layer),
            });
        };
        let f = &flat[idx];
        let out = f.info.output;
        if cell.c >= out.c || cell.y >= out.h || cell.x >= out.w {
            return Err(format!(
                "{}: cell ({}, {}, {}) is outside its {out} output",
                f.info.name, cell.c, cell.y, cell.x
            ));
        }
        let input = f.info.input;
        let mut here = Part {
            rows: vec![false; out.h],
            cols: vec![false; out.w],
        };
        here.rows[cell.y] = true;
        here.cols[cell.x] = true;
        let here = vec![here];
        let point = [
            (cell.y as isize, cell.y as isize),
            (cell.x as isize, cell.x as isize),
        ];
        let lo = match &f.spec {
            LayerSpec::Residual { layers } if f.inner.is_none() => idx - layers.len(),
            _ => idx,
        };
        let channels = match f.spec {
            LayerSpec::Conv { .. } | LayerSpec::Dense { .. } => 0..input.c,
            _ => cell.c..cell.c + 1,
        };
        let taps = match window(&f.spec) {
            Some((k, s, p, d)) => {
                let (k, s, p, d) = (k as isize, s as isize, p as isize, d as isize);
                let (y0, x0) = (cell.y as isize * s - p, cell.x as isize * s - p);
                let (h, w) = (input.h as isize, input.w as isize);
                (0..k)
                    .flat_map(|ky| {
                        (0..k).map(move |kx| {
                            let (y, x) = (y0 + ky * d, x0 + kx * d);
                            WindowTap {
                                y,
                                x,
                                padding: !(0..h).contains(&y) || !(0..w).contains(&x),
                            }
                        })
                    })
                    .collect()
            }
            None if matches!(f.spec, LayerSpec::Dense { .. }) => Vec::new(),
            None => vec![WindowTap {
                y: cell.y as isize,
                x: cell.x as isize,
                padding: false,
            }],
        };
        Ok(ReceptiveField {
            name: f.info.name.clone(),
            input,
            channels,
            previous: parts_rect(&parts_back(&flat, idx + 1, lo, here.clone())),
            taps,
            image: parts_rect(&parts_back(&flat, idx + 1, 0, here)),
            image_unclipped: {
                let [(y0, y1), (x0, x1)] = span_back(&flat, idx + 1, 0, point);
                CellRect {
                    y0,
                    x0,
                    y1: y1 + 1,
                    x1: x1 + 1,
                }
            },
        })
    }
}
