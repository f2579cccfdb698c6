//! Calibration run after the phases, in the same thread (page or worker) and the same run:
//! how fast this browser can multiply-add f32x4 vectors at all (the peak), and how close the
//! engine's convolution forward pass comes to it. Reported in `subject.detail.calibration`.

use super::config::Net;
use super::driver::Host;
use super::engine::net_spec;
use crate::nn::model::{Layer, Model};
use serde::Serialize;

/// Independent accumulators of the peak kernel. Each step is a multiply then an add on the
/// same chain (~8 cycles of latency); 12 chains ask for 3 vector operations per cycle, more
/// than x86 issues, so the kernel is bound by throughput, not latency, and 12 + 2 vectors
/// still fit the 16 registers.
const PEAK_ACCUMULATORS: usize = 12;
/// Multiply-adds per accumulator per call of the peak kernel.
const PEAK_ITERATIONS: usize = 4096;
/// Batch of the conv measurement (the harness's `train_b64`).
const CONV_BATCH: usize = 64;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    /// f32x4 multiply + add on registers only, GFLOP/s (2 FLOPs per lane and step).
    pub peak_f32x4_gflops: f64,
    /// The net's conv layers, forward (im2col + GEMM + bias) at batch 64, GFLOP/s counted
    /// as 2 × multiply-adds, the harness's convention.
    pub conv_forward_gflops: f64,
    /// `conv_forward_gflops / peak_f32x4_gflops`.
    pub conv_fraction_of_peak: f64,
    pub kernel: &'static str,
    pub ms: f64,
}

/// One call: `PEAK_ACCUMULATORS × PEAK_ITERATIONS` vector multiply-adds of 4 lanes.
/// Returns a value derived from every accumulator so nothing can be optimised away.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn peak_kernel(seed: f32) -> f32 {
    use core::arch::wasm32::*;
    let x = f32x4_splat(seed);
    let m = f32x4_splat(0.999_999);
    let mut acc = [x; PEAK_ACCUMULATORS];
    for _ in 0..PEAK_ITERATIONS {
        for a in &mut acc {
            *a = f32x4_add(f32x4_mul(*a, m), x);
        }
    }
    let s = acc.iter().fold(f32x4_splat(0.0), |s, a| f32x4_add(s, *a));
    f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<3>(s)
}

/// The same arithmetic on plain arrays (native builds and tests).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn peak_kernel(seed: f32) -> f32 {
    let mut acc = [[seed; 4]; PEAK_ACCUMULATORS];
    for _ in 0..PEAK_ITERATIONS {
        for a in &mut acc {
            for l in a.iter_mut() {
                *l = *l * 0.999_999 + seed;
            }
        }
    }
    acc.iter().map(|a| a[0] + a[3]).sum()
}

/// FLOPs of one [`peak_kernel`] call.
pub const PEAK_FLOPS_PER_CALL: f64 = (PEAK_ACCUMULATORS * PEAK_ITERATIONS * 4 * 2) as f64;

/// Runs each measurement for about `ms_each` milliseconds (best of several short bursts, so
/// a moment of noise from elsewhere does not count).
pub fn calibrate<H: Host>(host: &H, net: Net, ms_each: f64) -> Result<Calibration, String> {
    let t0 = host.now_ms();
    let peak = best_rate(host, ms_each, || {
        std::hint::black_box(peak_kernel(std::hint::black_box(1.0)));
        PEAK_FLOPS_PER_CALL
    });

    let model = Model::new(&net_spec(net), 1).map_err(|e| e.to_string())?;
    let mut ws = model.workspace(CONV_BATCH);
    // Any input will do: a convolution's cost does not depend on the values.
    for (i, x) in ws.input_mut().iter_mut().enumerate() {
        *x = (i % 7) as f32 / 7.0;
    }
    model.forward_train(&mut ws);
    let convs: Vec<usize> = model
        .layers()
        .iter()
        .enumerate()
        .filter(|(_, l)| matches!(l, Layer::Conv(_)))
        .map(|(i, _)| i)
        .collect();
    let macs: usize = convs.iter().map(|&i| model.infos()[i].macs).sum();
    let conv = best_rate(host, ms_each, || {
        for &i in &convs {
            model.forward_layer(i, &mut ws);
        }
        (2 * macs * CONV_BATCH) as f64
    });
    Ok(Calibration {
        peak_f32x4_gflops: round3(peak),
        conv_forward_gflops: round3(conv),
        conv_fraction_of_peak: round3(conv / peak),
        kernel: crate::nn::kernels::backend(),
        ms: round3(host.now_ms() - t0),
    })
}

/// GFLOP/s of `work` (which returns the FLOPs it did): the best of bursts of ~`ms / 5`.
fn best_rate<H: Host>(host: &H, ms: f64, mut work: impl FnMut() -> f64) -> f64 {
    work(); // warm-up: compile, caches
    let (burst, end) = (ms / 5.0, host.now_ms() + ms);
    let mut best = 0.0f64;
    while host.now_ms() < end {
        let (t, mut flops) = (host.now_ms(), 0.0);
        while host.now_ms() - t < burst {
            flops += work();
        }
        let dt = host.now_ms() - t;
        best = best.max(flops / dt / 1e6);
    }
    best
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
