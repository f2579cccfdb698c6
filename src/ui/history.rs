//! A bounded time series for the training charts.
//!
//! When full, the interior points are merged in adjacent pairs (weighted means),
//! halving the resolution of old data instead of growing: memory stays flat however
//! long the class trains. The first and the newest point are always kept exactly.

/// Default capacity: plenty for a chart a few hundred pixels wide.
pub const HISTORY_CAPACITY: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Sample {
    x: f64,
    y: f64,
    /// How many raw samples this point stands for.
    weight: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct History {
    samples: Vec<Sample>,
    capacity: usize,
}

impl Default for History {
    fn default() -> Self {
        History::new(HISTORY_CAPACITY)
    }
}

impl History {
    /// A history holding at most `capacity` points (at least 4).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(4);
        History {
            samples: Vec::with_capacity(capacity),
            capacity,
        }
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends a point; non-finite values are dropped (they would break the chart).
    pub fn push(&mut self, x: f64, y: f64) {
        if !x.is_finite() || !y.is_finite() {
            return;
        }
        if self.samples.len() >= self.capacity {
            self.compact();
        }
        self.samples.push(Sample { x, y, weight: 1.0 });
    }

    pub fn clear(&mut self) {
        self.samples.clear();
    }

    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.samples.iter().map(|s| (s.x, s.y))
    }

    pub fn first(&self) -> Option<(f64, f64)> {
        self.samples.first().map(|s| (s.x, s.y))
    }

    pub fn last(&self) -> Option<(f64, f64)> {
        self.samples.last().map(|s| (s.x, s.y))
    }

    /// (min, max) of x and of y over all points.
    pub fn bounds(&self) -> Option<((f64, f64), (f64, f64))> {
        let first = self.samples.first()?;
        Some(self.samples.iter().fold(
            ((first.x, first.x), (first.y, first.y)),
            |((x0, x1), (y0, y1)), s| ((x0.min(s.x), x1.max(s.x)), (y0.min(s.y), y1.max(s.y))),
        ))
    }

    /// Merges interior points pairwise; keeps the first and last untouched.
    fn compact(&mut self) {
        let n = self.samples.len();
        if n < 4 {
            return;
        }
        let first = self.samples[0];
        let last = self.samples[n - 1];
        let interior = &self.samples[1..n - 1];
        let mut merged = Vec::with_capacity(self.capacity);
        merged.push(first);
        for pair in interior.chunks(2) {
            let w: f64 = pair.iter().map(|s| s.weight).sum();
            merged.push(Sample {
                x: pair.iter().map(|s| s.x * s.weight).sum::<f64>() / w,
                y: pair.iter().map(|s| s.y * s.weight).sum::<f64>() / w,
                weight: w,
            });
        }
        merged.push(last);
        self.samples = merged;
    }
}
