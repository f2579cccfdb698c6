//! The statistics of `bench-core.js`, ported value for value: `median`, `quantile` (linear
//! interpolation between order statistics), `spread` (min, max, (max−min)/median and the
//! coefficient of variation with the n−1 standard deviation) and `r4` (`Math.round(x·1e4)/1e4`).

/// Median of `a` (the mean of the two middle values for an even count); NaN if empty.
pub fn median(a: &[f64]) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    let s = sorted(a);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

/// Quantile `q` in [0, 1] with linear interpolation (`(n−1)·q` is the fractional rank);
/// NaN if empty.
pub fn quantile(a: &[f64], q: f64) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    let s = sorted(a);
    let pos = (s.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

fn sorted(a: &[f64]) -> Vec<f64> {
    let mut s = a.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

/// Spread of repeated measurements.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub min: f64,
    pub max: f64,
    /// (max − min) / median.
    pub rel_spread: f64,
    /// Sample standard deviation (n − 1, at least 1) / mean.
    pub cv: f64,
}

pub fn spread(a: &[f64]) -> Spread {
    let med = median(a);
    let min = a.iter().copied().fold(f64::INFINITY, f64::min);
    let max = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let n = a.len() as f64;
    let mean = a.iter().sum::<f64>() / n;
    let var = a.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    Spread {
        min,
        max,
        rel_spread: (max - min) / med,
        cv: var.sqrt() / mean,
    }
}

/// JavaScript's `Math.round` (halves round towards +∞).
pub fn js_round(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let f = x.floor();
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

/// `Math.round(x * 1e4) / 1e4`.
pub fn r4(x: f64) -> f64 {
    js_round(x * 1e4) / 1e4
}

/// Mean; NaN if empty.
pub fn mean(a: &[f64]) -> f64 {
    a.iter().sum::<f64>() / a.len() as f64
}
