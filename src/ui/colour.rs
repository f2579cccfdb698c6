//! Every colour scale of the app, in one place, with the stops the legends show.
//!
//! - Weights are signed: a diverging blue–white–red scale (ColorBrewer RdBu, which
//!   stays distinguishable with common colour-vision deficiencies) centred at 0.
//! - Activations are non-negative after ReLU/pooling: viridis, a perceptually
//!   uniform sequential scale that is also colour-blind safe and prints in grey.
//! - The 28×28 input is shown as ink on paper.

/// ColorBrewer RdBu (11 classes), from most negative (blue) to most positive (red).
const RDBU: [[u8; 3]; 11] = [
    [5, 48, 97],
    [33, 102, 172],
    [67, 147, 195],
    [146, 197, 222],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [244, 165, 130],
    [214, 96, 77],
    [178, 24, 43],
    [103, 0, 31],
];

/// Viridis, sampled at 10 evenly spaced points from 0 to 1.
const VIRIDIS: [[u8; 3]; 10] = [
    [68, 1, 84],
    [72, 40, 120],
    [62, 73, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [181, 222, 43],
    [253, 231, 37],
];

/// The colour drawn for NaN/∞ so that a broken value is visible, not hidden.
pub const INVALID: [u8; 3] = [128, 128, 128];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColourScale {
    /// −max → blue, 0 → white, +max → red.
    Diverging { max: f32 },
    /// min → dark purple, max → yellow.
    Sequential { min: f32, max: f32 },
    /// 0 → white paper, 1 → black ink.
    Ink,
}

impl ColourScale {
    /// A diverging scale symmetric around 0 that fits every finite value.
    pub fn diverging_for<'a>(values: impl IntoIterator<Item = &'a f32>) -> Self {
        let max = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0f32, |m, v| m.max(v.abs()));
        ColourScale::Diverging { max: nonzero(max) }
    }

    /// A sequential scale from 0 (or the minimum, if negative) to the maximum.
    pub fn sequential_for<'a>(values: impl IntoIterator<Item = &'a f32>) -> Self {
        let (min, max) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((0.0f32, 0.0f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        ColourScale::Sequential {
            min,
            max: min + nonzero(max - min),
        }
    }

    /// The value range the scale spans (what the legend prints).
    pub fn range(&self) -> (f32, f32) {
        match *self {
            ColourScale::Diverging { max } => (-max, max),
            ColourScale::Sequential { min, max } => (min, max),
            ColourScale::Ink => (0.0, 1.0),
        }
    }

    /// The colour of `v`; values outside the range take the end colour.
    pub fn rgb(&self, v: f32) -> [u8; 3] {
        if !v.is_finite() {
            return INVALID;
        }
        let (lo, hi) = self.range();
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        match self {
            ColourScale::Diverging { .. } => lerp_table(&RDBU, t),
            ColourScale::Sequential { .. } => lerp_table(&VIRIDIS, t),
            ColourScale::Ink => {
                let g = (255.0 * (1.0 - t)).round() as u8;
                [g, g, g]
            }
        }
    }

    /// A CSS `linear-gradient` across the scale, for the legend bar.
    pub fn css_gradient(&self) -> String {
        let (lo, hi) = self.range();
        let stops: Vec<String> = (0..=10)
            .map(|i| {
                let t = i as f32 / 10.0;
                let [r, g, b] = self.rgb(lo + t * (hi - lo));
                format!("rgb({r},{g},{b}) {}%", i * 10)
            })
            .collect();
        format!("linear-gradient(to right, {})", stops.join(", "))
    }

    /// RGBA bytes for a row-major plane, ready for `ImageData`.
    pub fn rgba(&self, values: &[f32]) -> Vec<u8> {
        let mut out = Vec::with_capacity(values.len() * 4);
        for &v in values {
            let [r, g, b] = self.rgb(v);
            out.extend_from_slice(&[r, g, b, 255]);
        }
        out
    }
}

/// An all-zero layer still needs a non-empty range to divide by.
fn nonzero(x: f32) -> f32 {
    if x > 1e-12 {
        x
    } else {
        1e-6
    }
}

fn lerp_table<const N: usize>(table: &[[u8; 3]; N], t: f32) -> [u8; 3] {
    let pos = t * (N - 1) as f32;
    let i = (pos.floor() as usize).min(N - 2);
    let f = pos - i as f32;
    let (a, b) = (table[i], table[i + 1]);
    let mix = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * f).round() as u8;
    [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2])]
}

/// Short number formatting for legends and labels ("0.042", "-1.3", "120").
pub fn fmt_value(v: f32) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a >= 0.001 {
        format!("{v:.3}")
    } else {
        format!("{v:.1e}")
    }
}
