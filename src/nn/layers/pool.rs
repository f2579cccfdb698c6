//! Max and average pooling over square windows, no padding. Windows that do not fit evenly
//! drop the remainder (out = ⌊(in − w)/s⌋ + 1), like the convolution formula with pad 0.

use crate::nn::spec::Shape;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

/// Hyper-parameters of a pooling layer (the spec's `max{w}s{s}` / `avg{w}s{s}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2dConfig {
    pub kind: PoolKind,
    pub window: usize,
    pub stride: usize,
}

impl Pool2dConfig {
    pub fn init(&self, input: Shape) -> Pool2d {
        Pool2d {
            config: *self,
            input,
            output: Shape {
                c: input.c,
                h: (input.h - self.window) / self.stride + 1,
                w: (input.w - self.window) / self.stride + 1,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pool2d {
    pub config: Pool2dConfig,
    /// `[c, h, w]` of one input.
    pub input: Shape,
    /// `[c, oh, ow]` of one output.
    pub output: Shape,
}

/// The common 2×2, stride 2 max pool of one plane (`x: [h, w]` → `y, argmax: [oh, ow]`), two
/// input rows at a time: the generic loop's per-window slicing costs more than the four
/// comparisons.
fn max_2x2(x: &[f32], w: usize, oh: usize, ow: usize, y: &mut [f32], argmax: &mut [u32]) {
    let rows = y.chunks_exact_mut(ow).zip(argmax.chunks_exact_mut(ow));
    for (oy, (yr, ar)) in rows.take(oh).enumerate() {
        let top = 2 * oy * w;
        let (r0, r1) = (&x[top..top + 2 * ow], &x[top + w..top + w + 2 * ow]);
        let cells = r0.chunks_exact(2).zip(r1.chunks_exact(2));
        for (ox, ((a, b), (yv, av))) in cells.zip(yr.iter_mut().zip(ar.iter_mut())).enumerate() {
            // In window order, keeping the first maximum (`>`), as the generic loop does.
            let at = top + 2 * ox;
            let (mut best, mut i) = (a[0], at);
            for (v, j) in [(a[1], at + 1), (b[0], at + w), (b[1], at + w + 1)] {
                let wins = v > best;
                best = if wins { v } else { best };
                i = if wins { j } else { i };
            }
            *yv = best;
            *av = i as u32;
        }
    }
}

impl Pool2d {
    /// Batched forward over `n` images: `x: [n, c, h, w]` → `y: [n, c, oh, ow]`. For max
    /// pooling `argmax: [n, c, oh, ow]` records where each maximum came from (index into the
    /// input plane) so the backward pass can route the gradient; avg pooling leaves it alone.
    pub fn forward(&self, n: usize, x: &[f32], y: &mut [f32], argmax: &mut [u32]) {
        let Shape { h, w, .. } = self.input;
        let (oh, ow) = (self.output.h, self.output.w);
        let (k, s) = (self.config.window, self.config.stride);
        let planes = n * self.input.c;
        let inv = 1.0 / (k * k) as f32;
        let xs = x[..planes * h * w].chunks_exact(h * w);
        let ys = y[..planes * oh * ow].chunks_exact_mut(oh * ow);
        match self.config.kind {
            PoolKind::Max => {
                let am = argmax[..planes * oh * ow].chunks_exact_mut(oh * ow);
                for ((xp, yp), ap) in xs.zip(ys).zip(am) {
                    if k == 2 && s == 2 {
                        max_2x2(xp, w, oh, ow, yp, ap);
                        continue;
                    }
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let base = oy * s * w + ox * s;
                            let (mut best, mut at) = (xp[base], base);
                            for ky in 0..k {
                                let row = base + ky * w;
                                for (j, &v) in xp[row..row + k].iter().enumerate() {
                                    // `>` keeps the first maximum, like the usual libraries.
                                    // Written as selects, not a branch: which value wins is
                                    // data-dependent and would mispredict half the time.
                                    let wins = v > best;
                                    best = if wins { v } else { best };
                                    at = if wins { row + j } else { at };
                                }
                            }
                            yp[oy * ow + ox] = best;
                            ap[oy * ow + ox] = at as u32;
                        }
                    }
                }
            }
            PoolKind::Avg => {
                for (xp, yp) in xs.zip(ys) {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let base = oy * s * w + ox * s;
                            let mut acc = 0.0f32;
                            for ky in 0..k {
                                let row = base + ky * w;
                                acc += xp[row..row + k].iter().sum::<f32>();
                            }
                            yp[oy * ow + ox] = acc * inv;
                        }
                    }
                }
            }
        }
    }

    /// Batched backward: `dy: [n, c, oh, ow]` → `dx: [n, c, h, w]` (overwritten). Overlapping
    /// windows (stride < window) add up.
    pub fn backward(&self, n: usize, argmax: &[u32], dy: &[f32], dx: &mut [f32]) {
        let Shape { h, w, .. } = self.input;
        let (oh, ow) = (self.output.h, self.output.w);
        let (k, s) = (self.config.window, self.config.stride);
        let planes = n * self.input.c;
        dx[..planes * h * w].fill(0.0);
        let dxs = dx[..planes * h * w].chunks_exact_mut(h * w);
        let dys = dy[..planes * oh * ow].chunks_exact(oh * ow);
        match self.config.kind {
            PoolKind::Max => {
                let am = argmax[..planes * oh * ow].chunks_exact(oh * ow);
                for ((dxp, dyp), ap) in dxs.zip(dys).zip(am) {
                    for (g, a) in dyp.iter().zip(ap) {
                        dxp[*a as usize] += *g;
                    }
                }
            }
            PoolKind::Avg => {
                let inv = 1.0 / (k * k) as f32;
                for (dxp, dyp) in dxs.zip(dys) {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let g = dyp[oy * ow + ox] * inv;
                            let base = oy * s * w + ox * s;
                            for ky in 0..k {
                                let row = base + ky * w;
                                for d in &mut dxp[row..row + k] {
                                    *d += g;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
