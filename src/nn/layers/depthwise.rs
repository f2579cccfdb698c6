//! Depthwise 2-D convolution: one `k×k` filter per input channel (channel multiplier 1), with
//! a bias per channel; the output has as many channels as the input. Stride, zero padding and
//! dilation work as in [`crate::nn::layers::conv`].
//!
//! A depthwise convolution followed by a 1×1 convolution is the "depthwise-separable" block
//! of MobileNet: it filters space and mixes channels in two cheap steps instead of one
//! expensive one.
//!
//! There is no im2col here: each output plane is a sum of `k·k` shifted, scaled copies of one
//! input plane, which the loops below add row by row (contiguous for stride 1).
//! [`DepthwiseConv2d::forward_reference`] is the plain definition it is tested against.

use crate::nn::layers::conv::{output_len, valid_range};
use crate::nn::spec::Shape;
use ndarray::ArrayView3;

/// Hyper-parameters of a depthwise convolution (the spec's `dwconv{kernel}s{stride}p{pad}d{dilation}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthwiseConfig {
    pub kernel: usize,
    pub stride: usize,
    pub pad: usize,
    pub dilation: usize,
}

impl DepthwiseConfig {
    /// Output shape: the input's channels, out = ⌊(in + 2p − d(k−1) − 1)/s⌋ + 1 per axis.
    pub fn output(&self, input: Shape) -> Shape {
        let (k, s, p, d) = (self.kernel, self.stride, self.pad, self.dilation);
        Shape {
            c: input.c,
            h: output_len(input.h, k, s, p, d),
            w: output_len(input.w, k, s, p, d),
        }
    }

    pub fn init(&self, input: Shape) -> DepthwiseConv2d {
        DepthwiseConv2d {
            config: *self,
            input,
            output: self.output(input),
            params: vec![0.0; input.c * self.kernel * self.kernel + input.c],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DepthwiseConv2d {
    pub config: DepthwiseConfig,
    /// Shape of one input image `[c, h, w]`.
    pub input: Shape,
    /// Shape of one output `[c, oh, ow]`.
    pub output: Shape,
    /// Weights then biases, flat: weight `[c, k, k]` (row-major), bias `[c]`.
    pub params: Vec<f32>,
}

/// The valid output window of one kernel tap and where it starts reading.
struct TapRange {
    oy: (usize, usize),
    ox: (usize, usize),
}

impl DepthwiseConv2d {
    pub fn n_weights(&self) -> usize {
        self.input.c * self.config.kernel * self.config.kernel
    }

    /// Weight `[c, k, k]`.
    pub fn weight3(&self) -> ArrayView3<'_, f32> {
        let k = self.config.kernel;
        ArrayView3::from_shape((self.input.c, k, k), &self.params[..self.n_weights()])
            .expect("weight length matches its shape")
    }

    /// Bias `[c]`.
    pub fn bias(&self) -> &[f32] {
        &self.params[self.n_weights()..]
    }

    fn tap(&self, ky: usize, kx: usize) -> TapRange {
        let DepthwiseConfig {
            stride: s,
            pad: p,
            dilation: d,
            ..
        } = self.config;
        TapRange {
            oy: valid_range(ky * d, s, p, self.input.h, self.output.h),
            ox: valid_range(kx * d, s, p, self.input.w, self.output.w),
        }
    }

    /// Batched forward: `x: [n, c, h, w]` → `y: [n, c, oh, ow]`.
    pub fn forward(&self, n: usize, x: &[f32], y: &mut [f32]) {
        let Shape { c, h, w } = self.input;
        let (oh, ow) = (self.output.h, self.output.w);
        let DepthwiseConfig {
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
        } = self.config;
        let (wts, bias) = self.params.split_at(self.n_weights());
        let planes = x[..n * c * h * w]
            .chunks_exact(h * w)
            .zip(y[..n * c * oh * ow].chunks_exact_mut(oh * ow));
        for (q, (xp, yp)) in planes.enumerate() {
            let ch = q % c;
            yp.fill(bias[ch]);
            let wc = &wts[ch * k * k..(ch + 1) * k * k];
            for ky in 0..k {
                for kx in 0..k {
                    let TapRange {
                        oy: (oy0, oy1),
                        ox: (ox0, ox1),
                    } = self.tap(ky, kx);
                    if ox1 <= ox0 {
                        continue;
                    }
                    let wv = wc[ky * k + kx];
                    for oy in oy0..oy1 {
                        let iy = oy * s + ky * d - p;
                        let ix0 = ox0 * s + kx * d - p;
                        let yr = &mut yp[oy * ow + ox0..oy * ow + ox1];
                        let xr = &xp[iy * w + ix0..(iy + 1) * w];
                        if s == 1 {
                            for (o, v) in yr.iter_mut().zip(xr) {
                                *o += wv * *v;
                            }
                        } else {
                            for (o, v) in yr.iter_mut().zip(xr.iter().step_by(s)) {
                                *o += wv * *v;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Batched backward. `x` is the forward input `[n, c, h, w]`, `dy: [n, c, oh, ow]`;
    /// writes the parameter gradient `grad` (layout of `params`) and, if asked, `dx` (same
    /// shape as `x`, overwritten).
    pub fn backward(
        &self,
        n: usize,
        x: &[f32],
        dy: &[f32],
        mut dx: Option<&mut [f32]>,
        grad: &mut [f32],
    ) {
        let Shape { c, h, w } = self.input;
        let (oh, ow) = (self.output.h, self.output.w);
        let DepthwiseConfig {
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
        } = self.config;
        let nw = self.n_weights();
        let wts = &self.params[..nw];
        let (gw, gb) = grad[..nw + c].split_at_mut(nw);
        gw.fill(0.0);
        gb.fill(0.0);
        if let Some(dx) = dx.as_deref_mut() {
            dx[..n * c * h * w].fill(0.0);
        }
        for q in 0..n * c {
            let ch = q % c;
            let xp = &x[q * h * w..(q + 1) * h * w];
            let dyp = &dy[q * oh * ow..(q + 1) * oh * ow];
            gb[ch] += dyp.iter().sum::<f32>();
            for ky in 0..k {
                for kx in 0..k {
                    let TapRange {
                        oy: (oy0, oy1),
                        ox: (ox0, ox1),
                    } = self.tap(ky, kx);
                    if ox1 <= ox0 {
                        continue;
                    }
                    let wi = ch * k * k + ky * k + kx;
                    let wv = wts[wi];
                    let mut acc = 0.0f32;
                    for oy in oy0..oy1 {
                        let iy = oy * s + ky * d - p;
                        let ix0 = ox0 * s + kx * d - p;
                        let gr = &dyp[oy * ow + ox0..oy * ow + ox1];
                        let xr = &xp[iy * w + ix0..(iy + 1) * w];
                        if s == 1 {
                            for (g, v) in gr.iter().zip(xr) {
                                acc += *g * *v;
                            }
                        } else {
                            for (g, v) in gr.iter().zip(xr.iter().step_by(s)) {
                                acc += *g * *v;
                            }
                        }
                        if let Some(dx) = dx.as_deref_mut() {
                            let dr = &mut dx[q * h * w + iy * w + ix0..q * h * w + (iy + 1) * w];
                            if s == 1 {
                                for (o, g) in dr.iter_mut().zip(gr) {
                                    *o += wv * *g;
                                }
                            } else {
                                for (o, g) in dr.iter_mut().step_by(s).zip(gr) {
                                    *o += wv * *g;
                                }
                            }
                        }
                    }
                    gw[wi] += acc;
                }
            }
        }
    }

    /// The definition, one image at a time: `y[c, oy, ox] = b[c] + Σ w[c, ky, kx] ·
    /// x[c, oy·s + ky·d − p, ox·s + kx·d − p]` (zero outside the image), in f64. Slow; for tests.
    pub fn forward_reference(&self, x: &[f32]) -> Vec<f32> {
        let Shape { c, h, w } = self.input;
        let DepthwiseConfig {
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
        } = self.config;
        let (oh, ow) = (self.output.h, self.output.w);
        let wt = self.weight3();
        let mut y = vec![0.0f32; c * oh * ow];
        for ci in 0..c {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut acc = self.bias()[ci] as f64;
                    for ky in 0..k {
                        for kx in 0..k {
                            let iy = (oy * s + ky * d) as isize - p as isize;
                            let ix = (ox * s + kx * d) as isize - p as isize;
                            if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                acc += wt[[ci, ky, kx]] as f64
                                    * x[ci * h * w + iy as usize * w + ix as usize] as f64;
                            }
                        }
                    }
                    y[(ci * oh + oy) * ow + ox] = acc as f32;
                }
            }
        }
        y
    }
}
