//! 2-D convolution: any kernel size, stride, zero padding and dilation, many input and output
//! channels.
//!
//! The fast path lowers each image to columns (im2col) so that the whole convolution is one
//! matrix product `[filters, c·k·k] · [c·k·k, oh·ow]`; the backward pass reuses the same columns
//! for the weight gradient and scatters the column gradient back (col2im) for the input
//! gradient. [`Conv2d::forward_reference`] is the plain seven-loop definition the fast path is
//! tested against.

use crate::nn::kernels::{gemm_nn, gemm_nt};
use crate::nn::spec::Shape;
use ndarray::ArrayView4;

/// Hyper-parameters of a convolution (the spec's `conv{filters}k{kernel}s{stride}p{pad}d{dilation}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dConfig {
    pub filters: usize,
    pub kernel: usize,
    pub stride: usize,
    pub pad: usize,
    /// Spacing of the kernel taps: tap `ky` reads row `oy·s + ky·d − p`. 1 = an ordinary,
    /// dense kernel.
    pub dilation: usize,
}

/// Output length along one axis, out = ⌊(in + 2p − d(k−1) − 1)/s⌋ + 1. The caller (the spec)
/// has checked that the dilated kernel fits the padded input.
pub fn output_len(
    input: usize,
    kernel: usize,
    stride: usize,
    pad: usize,
    dilation: usize,
) -> usize {
    (input + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1
}

impl Conv2dConfig {
    /// Output shape for an input shape, out = ⌊(in + 2p − d(k−1) − 1)/s⌋ + 1. The spec has
    /// already checked that the dilated kernel fits the padded input.
    pub fn output(&self, input: Shape) -> Shape {
        let (k, s, p, d) = (self.kernel, self.stride, self.pad, self.dilation);
        Shape {
            c: self.filters,
            h: output_len(input.h, k, s, p, d),
            w: output_len(input.w, k, s, p, d),
        }
    }

    pub fn init(&self, input: Shape) -> Conv2d {
        let output = self.output(input);
        let n_weights = self.filters * input.c * self.kernel * self.kernel;
        Conv2d {
            config: *self,
            input,
            output,
            params: vec![0.0; n_weights + self.filters],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Conv2d {
    pub config: Conv2dConfig,
    /// Shape of one input image `[c, h, w]`.
    pub input: Shape,
    /// Shape of one output `[filters, oh, ow]`.
    pub output: Shape,
    /// Weights then biases, flat: weight `[filters, c, k, k]` (row-major, which is also the
    /// `[filters, c·k·k]` matrix the GEMM uses), bias `[filters]`.
    pub params: Vec<f32>,
}

/// `[start, end)` of the output positions whose input index `o·s + koff − pad` lies in `[0, n)`.
#[inline]
pub(crate) fn valid_range(
    koff: usize,
    stride: usize,
    pad: usize,
    n: usize,
    out: usize,
) -> (usize, usize) {
    let start = if koff >= pad {
        0
    } else {
        (pad - koff).div_ceil(stride)
    };
    // With padding, a kernel offset can lie beyond the last input for every output.
    if koff > n - 1 + pad {
        return (0, 0);
    }
    let end = ((n - 1 + pad - koff) / stride + 1).min(out);
    (start.min(end), end)
}

impl Conv2d {
    /// Rows of the column matrix: `c·k·k`.
    pub fn col_rows(&self) -> usize {
        self.input.c * self.config.kernel * self.config.kernel
    }

    /// Values in one image's column matrix `[c·k·k, oh·ow]`.
    pub fn cols_len(&self) -> usize {
        self.col_rows() * self.output.h * self.output.w
    }

    pub fn n_weights(&self) -> usize {
        self.config.filters * self.col_rows()
    }

    /// Weight `[filters, c, k, k]`.
    pub fn weight4(&self) -> ArrayView4<'_, f32> {
        let k = self.config.kernel;
        ArrayView4::from_shape(
            (self.config.filters, self.input.c, k, k),
            &self.params[..self.n_weights()],
        )
        .expect("weight length matches its shape")
    }

    /// Bias `[filters]`.
    pub fn bias(&self) -> &[f32] {
        &self.params[self.n_weights()..]
    }

    /// Lowers one image `x: [c, h, w]` to `cols: [c·k·k, oh·ow]` (row (c, ky, kx), column
    /// (oy, ox)); positions that fall in the zero padding get 0.
    pub fn im2col(&self, x: &[f32], cols: &mut [f32]) {
        let Shape { c, h, w } = self.input;
        let Conv2dConfig {
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
            ..
        } = self.config;
        let (oh, ow) = (self.output.h, self.output.w);
        let plen = oh * ow;
        let mut rows = cols[..self.cols_len()].chunks_exact_mut(plen);
        for plane in x[..c * h * w].chunks_exact(h * w) {
            for ky in 0..k {
                let (oy0, oy1) = valid_range(ky * d, s, p, h, oh);
                for kx in 0..k {
                    let (ox0, ox1) = valid_range(kx * d, s, p, w, ow);
                    let dst = rows.next().expect("one row per (c, ky, kx)");
                    for (oy, drow) in dst.chunks_exact_mut(ow).enumerate() {
                        if oy < oy0 || oy >= oy1 {
                            drow.fill(0.0);
                            continue;
                        }
                        let iy = oy * s + ky * d - p;
                        let srow = &plane[iy * w..(iy + 1) * w];
                        drow[..ox0].fill(0.0);
                        drow[ox1..].fill(0.0);
                        if ox1 > ox0 {
                            let ix0 = ox0 * s + kx * d - p;
                            if s == 1 {
                                drow[ox0..ox1].copy_from_slice(&srow[ix0..ix0 + (ox1 - ox0)]);
                            } else {
                                for (d, v) in
                                    drow[ox0..ox1].iter_mut().zip(srow[ix0..].iter().step_by(s))
                                {
                                    *d = *v;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the column gradient `dcols: [c·k·k, oh·ow]` back onto `dx: [c, h, w]` (the adjoint of
    /// [`Conv2d::im2col`]); `dx` must be zeroed by the caller.
    pub fn col2im(&self, dcols: &[f32], dx: &mut [f32]) {
        let Shape { c, h, w } = self.input;
        let Conv2dConfig {
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
            ..
        } = self.config;
        let (oh, ow) = (self.output.h, self.output.w);
        let plen = oh * ow;
        let mut rows = dcols[..self.cols_len()].chunks_exact(plen);
        for plane in dx[..c * h * w].chunks_exact_mut(h * w) {
            for ky in 0..k {
                let (oy0, oy1) = valid_range(ky * d, s, p, h, oh);
                for kx in 0..k {
                    let (ox0, ox1) = valid_range(kx * d, s, p, w, ow);
                    let src = rows.next().expect("one row per (c, ky, kx)");
                    if ox1 <= ox0 {
                        continue;
                    }
                    for oy in oy0..oy1 {
                        let iy = oy * s + ky * d - p;
                        let drow = &mut plane[iy * w..(iy + 1) * w];
                        let srow = &src[oy * ow + ox0..oy * ow + ox1];
                        let ix0 = ox0 * s + kx * d - p;
                        if s == 1 {
                            // Contiguous: a plain slice add the compiler vectorises.
                            for (d, v) in drow[ix0..ix0 + srow.len()].iter_mut().zip(srow) {
                                *d += *v;
                            }
                        } else {
                            for (d, v) in drow[ix0..].iter_mut().step_by(s).zip(srow) {
                                *d += *v;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Batched forward. `x: [n, c, h, w]`, `y: [n, filters, oh, ow]`; `cols: [n, c·k·k, oh·ow]`
    /// keeps the lowered inputs for the backward pass.
    pub fn forward(&self, n: usize, x: &[f32], y: &mut [f32], cols: &mut [f32]) {
        let (in_len, out_len, cl) = (self.input.len(), self.output.len(), self.cols_len());
        let (f, rows, plen) = (
            self.config.filters,
            self.col_rows(),
            self.output.h * self.output.w,
        );
        let (wts, bias) = self.params.split_at(self.n_weights());
        for i in 0..n {
            let c = &mut cols[i * cl..(i + 1) * cl];
            self.im2col(&x[i * in_len..(i + 1) * in_len], c);
            let yi = &mut y[i * out_len..(i + 1) * out_len];
            for (row, b) in yi.chunks_exact_mut(plen).zip(bias) {
                row.fill(*b);
            }
            // y += W · cols
            gemm_nn(f, plen, rows, wts, rows, 1, c, yi, true);
        }
    }

    /// Batched backward. `cols` from [`Conv2d::forward`], `dy: [n, filters, oh, ow]`;
    /// writes the parameter gradient `grad` (same layout as `params`) and, if asked,
    /// `dx: [n, c, h, w]`. `dcols: [c·k·k, oh·ow]` is scratch.
    pub fn backward(
        &self,
        n: usize,
        cols: &[f32],
        dy: &[f32],
        dx: Option<&mut [f32]>,
        grad: &mut [f32],
        dcols: &mut [f32],
    ) {
        let (in_len, out_len, cl) = (self.input.len(), self.output.len(), self.cols_len());
        let (f, rows, plen) = (
            self.config.filters,
            self.col_rows(),
            self.output.h * self.output.w,
        );
        let nw = self.n_weights();
        let (gw, gb) = grad.split_at_mut(nw);
        gw.fill(0.0);
        gb.fill(0.0);
        for i in 0..n {
            let dyi = &dy[i * out_len..(i + 1) * out_len];
            // dW += dY · colsᵀ
            gemm_nt(f, rows, plen, dyi, &cols[i * cl..(i + 1) * cl], gw, true);
            for (b, row) in gb.iter_mut().zip(dyi.chunks_exact(plen)) {
                *b += row.iter().sum::<f32>();
            }
        }
        if let Some(dx) = dx {
            let wts = &self.params[..nw];
            dx[..n * in_len].fill(0.0);
            for i in 0..n {
                let dyi = &dy[i * out_len..(i + 1) * out_len];
                // dcols = Wᵀ · dY (Wᵀ read in place: row stride 1, column stride c·k·k),
                // then scatter back onto the image.
                gemm_nn(rows, plen, f, wts, 1, rows, dyi, dcols, false);
                self.col2im(dcols, &mut dx[i * in_len..(i + 1) * in_len]);
            }
        }
    }

    /// The definition, one image at a time: `y[f, oy, ox] = b[f] + Σ w[f, c, ky, kx] ·
    /// x[c, oy·s + ky·d − p, ox·s + kx·d − p]` (zero outside the image). Slow; for tests.
    pub fn forward_reference(&self, x: &[f32]) -> Vec<f32> {
        let Shape { c, h, w } = self.input;
        let Conv2dConfig {
            filters,
            kernel: k,
            stride: s,
            pad: p,
            dilation: d,
        } = self.config;
        let (oh, ow) = (self.output.h, self.output.w);
        let wt = self.weight4();
        let mut y = vec![0.0f32; filters * oh * ow];
        for fi in 0..filters {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut acc = self.bias()[fi] as f64;
                    for ci in 0..c {
                        for ky in 0..k {
                            for kx in 0..k {
                                let iy = (oy * s + ky * d) as isize - p as isize;
                                let ix = (ox * s + kx * d) as isize - p as isize;
                                if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                    acc += wt[[fi, ci, ky, kx]] as f64
                                        * x[ci * h * w + iy as usize * w + ix as usize] as f64;
                                }
                            }
                        }
                    }
                    y[(fi * oh + oy) * ow + ox] = acc as f32;
                }
            }
        }
        y
    }
}
