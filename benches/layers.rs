//! Native micro-benchmarks: the batched forward and backward pass of every layer kind at the
//! shapes of the benchmark net ref-A (`conv8k5s1p2,relu,max2s2,conv16k5s1p2,relu,max3s3,
//! dense10`), at batch 1 and batch 64, plus a whole training step. Throughput is reported
//! in elements (images) per second; divide the conv/dense figures by their multiply-adds
//! (`ModelSpec::analyze`) for FLOP/s.
//!
//! `cargo bench --bench layers` (add `-- conv` to filter). The browser figures come from
//! the bench mode, run through ../shared/bench (see README "Performance").
#![cfg(not(target_arch = "wasm32"))]

use convscope::nn::layers::{
    relu, Conv2d, Conv2dConfig, Dense, DenseConfig, Pool2d, Pool2dConfig, PoolKind,
};
use convscope::nn::model::Model;
use convscope::nn::optim::{Optimizer, OptimizerKind};
use convscope::nn::spec::{ModelSpec, Shape};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const BATCHES: [usize; 2] = [1, 64];

fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| r.random_range(-1.0f32..1.0)).collect()
}

fn conv(input: Shape, filters: usize) -> Conv2d {
    let mut c = Conv2dConfig {
        filters,
        kernel: 5,
        stride: 1,
        pad: 2,
        dilation: 1,
    }
    .init(input);
    c.params = random(c.params.len(), 1);
    c
}

fn bench_conv(c: &mut Criterion) {
    let layers = [
        (
            "conv1 1×28×28→8×28×28",
            conv(Shape { c: 1, h: 28, w: 28 }, 8),
        ),
        (
            "conv2 8×14×14→16×14×14",
            conv(Shape { c: 8, h: 14, w: 14 }, 16),
        ),
    ];
    let mut g = c.benchmark_group("conv");
    for (name, layer) in &layers {
        for n in BATCHES {
            let x = random(n * layer.input.len(), 2);
            let dy = random(n * layer.output.len(), 3);
            let mut y = vec![0.0; n * layer.output.len()];
            let mut cols = vec![0.0; n * layer.cols_len()];
            let mut dx = vec![0.0; x.len()];
            let mut grad = vec![0.0; layer.params.len()];
            let mut dcols = vec![0.0; layer.cols_len()];
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("{name} forward"), n),
                &n,
                |b, &n| b.iter(|| layer.forward(n, black_box(&x), &mut y, &mut cols)),
            );
            layer.forward(n, &x, &mut y, &mut cols);
            g.bench_with_input(
                BenchmarkId::new(format!("{name} backward"), n),
                &n,
                |b, &n| {
                    b.iter(|| {
                        layer.backward(
                            n,
                            &cols,
                            black_box(&dy),
                            Some(&mut dx),
                            &mut grad,
                            &mut dcols,
                        )
                    })
                },
            );
        }
    }
    g.finish();
}

fn bench_pool(c: &mut Criterion) {
    let pools: [(&str, Pool2d); 3] = [
        (
            "max2s2 8×28×28",
            pool(PoolKind::Max, 2, 2, Shape { c: 8, h: 28, w: 28 }),
        ),
        (
            "max3s3 16×14×14",
            pool(
                PoolKind::Max,
                3,
                3,
                Shape {
                    c: 16,
                    h: 14,
                    w: 14,
                },
            ),
        ),
        (
            "avg2s2 8×28×28",
            pool(PoolKind::Avg, 2, 2, Shape { c: 8, h: 28, w: 28 }),
        ),
    ];
    let mut g = c.benchmark_group("pool");
    for (name, p) in &pools {
        for n in BATCHES {
            let x = random(n * p.input.len(), 4);
            let dy = random(n * p.output.len(), 5);
            let mut y = vec![0.0; n * p.output.len()];
            let mut argmax = vec![0u32; n * p.output.len()];
            let mut dx = vec![0.0; x.len()];
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("{name} forward"), n),
                &n,
                |b, &n| b.iter(|| p.forward(n, black_box(&x), &mut y, &mut argmax)),
            );
            p.forward(n, &x, &mut y, &mut argmax);
            g.bench_with_input(
                BenchmarkId::new(format!("{name} backward"), n),
                &n,
                |b, &n| b.iter(|| p.backward(n, &argmax, black_box(&dy), &mut dx)),
            );
        }
    }
    g.finish();
}

fn pool(kind: PoolKind, window: usize, stride: usize, input: Shape) -> Pool2d {
    Pool2dConfig {
        kind,
        window,
        stride,
    }
    .init(input)
}

fn bench_relu_dense(c: &mut Criterion) {
    let mut g = c.benchmark_group("relu+dense");
    let d: Dense = {
        let mut d = DenseConfig { units: 10 }.init(256);
        d.params = random(d.params.len(), 6);
        d
    };
    for n in BATCHES {
        g.throughput(Throughput::Elements(n as u64));
        let len = n * 8 * 28 * 28;
        let x = random(len, 7);
        let dy = random(len, 8);
        let (mut y, mut dx) = (vec![0.0; len], vec![0.0; len]);
        g.bench_with_input(BenchmarkId::new("relu 8×28×28 forward", n), &n, |b, _| {
            b.iter(|| relu::forward(black_box(&x), &mut y))
        });
        relu::forward(&x, &mut y);
        g.bench_with_input(
            BenchmarkId::new("relu 8×28×28 backward", n),
            &n,
            |b, _| b.iter(|| relu::backward(&y, black_box(&dy), &mut dx)),
        );
        let xd = random(n * 256, 9);
        let dyd = random(n * 10, 10);
        let mut yd = vec![0.0; n * 10];
        let mut dxd = vec![0.0; n * 256];
        let mut grad = vec![0.0; d.params.len()];
        g.bench_with_input(
            BenchmarkId::new("dense 256→10 forward", n),
            &n,
            |b, &n| b.iter(|| d.forward(n, black_box(&xd), &mut yd)),
        );
        g.bench_with_input(
            BenchmarkId::new("dense 256→10 backward", n),
            &n,
            |b, &n| b.iter(|| d.backward(n, &xd, black_box(&dyd), Some(&mut dxd), &mut grad)),
        );
    }
    g.finish();
}

/// A whole ref-A training step (forward, loss, backward, SGD-momentum update) and one
/// single-image inference, the two numbers the browser bench compares.
fn bench_model(c: &mut Criterion) {
    let mut g = c.benchmark_group("ref-A");
    let mut model = Model::new(&ModelSpec::ref_a(), 1).expect("ref-A is valid");
    let mut opt = Optimizer::new(OptimizerKind::Sgd { momentum: 0.9 });
    for n in BATCHES {
        let mut ws = model.workspace(n);
        ws.input_mut().copy_from_slice(
            &random(n * 784, 11)
                .iter()
                .map(|v| v.abs())
                .collect::<Vec<_>>(),
        );
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("train step", n), &n, |b, _| {
            b.iter(|| {
                model.forward_train(&mut ws);
                let loss = model.loss(&mut ws, &labels);
                model.backward(&mut ws);
                model.apply_gradients(&mut opt, 0.01, &ws);
                loss
            })
        });
    }
    let mut ws = model.workspace(1);
    let x: Vec<f32> = random(784, 12).iter().map(|v| v.abs()).collect();
    ws.input_mut().copy_from_slice(&x);
    g.throughput(Throughput::Elements(1));
    g.bench_function("inference", |b| {
        b.iter(|| {
            model.forward_train(&mut ws);
            black_box(ws.logits()[0])
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_conv,
    bench_pool,
    bench_relu_dense,
    bench_model
);
criterion_main!(benches);
