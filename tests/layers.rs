// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Hand-computed convolution and pooling examples (the fast paths against their definitions on
//! random configurations are in `fast_paths.rs`).

use convscope::nn::layers::{Conv2d, Conv2dConfig, Pool2dConfig, PoolKind};
use convscope::nn::spec::Shape;

/// 3×3 input 1..9, one 2×2 kernel [[1, 2], [3, 4]], bias `b`.
fn conv_3x3(stride: usize, pad: usize, b: f32) -> (Shape, Vec<f32>) {
    let mut c = Conv2dConfig {
        filters: 1,
        kernel: 2,
        stride,
        pad,
        dilation: 1,
    }
    .init(Shape { c: 1, h: 3, w: 3 });
    c.params = vec![1.0, 2.0, 3.0, 4.0, b];
    let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    (c.output, run_conv(&c, &x, 1))
}

fn run_conv(c: &Conv2d, x: &[f32], n: usize) -> Vec<f32> {
    let mut y = vec![f32::NAN; n * c.output.len()];
    let mut cols = vec![f32::NAN; n * c.cols_len()];
    c.forward(n, x, &mut y, &mut cols);
    y
}

#[test]
fn conv_hand_computed() {
    // No padding, stride 1: y[0,0] = 1·1 + 2·2 + 3·4 + 4·5 = 37, and so on.
    let (s, y) = conv_3x3(1, 0, 0.0);
    assert_eq!((s.h, s.w), (2, 2));
    assert_eq!(y, [37.0, 47.0, 67.0, 77.0]);
    // The bias is added everywhere.
    assert_eq!(conv_3x3(1, 0, 0.5).1, [37.5, 47.5, 67.5, 77.5]);
    // Stride 2: ⌊(3 − 2)/2⌋ + 1 = 1 output; the last row and column are never read.
    let (s, y) = conv_3x3(2, 0, 0.0);
    assert_eq!((s.h, s.w), (1, 1));
    assert_eq!(y, [37.0]);
    // Pad 1: 4×4 output; border outputs see zeros (y[0,0] = 4·x[0,0] = 4).
    let (s, y) = conv_3x3(1, 1, 0.0);
    assert_eq!((s.h, s.w), (4, 4));
    #[rustfmt::skip]
    assert_eq!(y, [
         4.0, 11.0, 18.0,  9.0,
        18.0, 37.0, 47.0, 21.0,
        36.0, 67.0, 77.0, 33.0,
        14.0, 23.0, 26.0,  9.0,
    ]);
    // Pad 1, stride 2: every other output of the above.
    let (s, y) = conv_3x3(2, 1, 0.0);
    assert_eq!((s.h, s.w), (2, 2));
    assert_eq!(y, [4.0, 18.0, 36.0, 77.0]);
}

#[test]
fn conv_hand_computed_channels() {
    // Two input channels, two 1×1 filters: y_f = w_f0·x0 + w_f1·x1 + b_f.
    let mut c = Conv2dConfig {
        filters: 2,
        kernel: 1,
        stride: 1,
        pad: 0,
        dilation: 1,
    }
    .init(Shape { c: 2, h: 1, w: 2 });
    c.params = vec![1.0, 10.0, -1.0, 0.5, 100.0, 0.0];
    let x = [1.0, 2.0, 3.0, 4.0]; // x0 = [1, 2], x1 = [3, 4]
    assert_eq!(run_conv(&c, &x, 1), [131.0, 142.0, 0.5, 0.0]);
    assert_eq!(c.weight4().shape(), &[2, 2, 1, 1]);
}

fn pool(kind: PoolKind, h: usize, window: usize, stride: usize) -> (Shape, Vec<f32>, Vec<u32>) {
    let p = Pool2dConfig {
        kind,
        window,
        stride,
    }
    .init(Shape { c: 1, h, w: h });
    let x: Vec<f32> = (1..=h * h).map(|v| v as f32).collect();
    let mut y = vec![f32::NAN; p.output.len()];
    let mut am = vec![0u32; p.output.len()];
    p.forward(1, &x, &mut y, &mut am);
    (p.output, y, am)
}

#[test]
fn pool_hand_computed() {
    // 4×4 input 1..16.
    let (s, y, am) = pool(PoolKind::Max, 4, 2, 2);
    assert_eq!((s.h, s.w), (2, 2));
    assert_eq!(y, [6.0, 8.0, 14.0, 16.0]);
    assert_eq!(am, [5, 7, 13, 15]);
    assert_eq!(pool(PoolKind::Avg, 4, 2, 2).1, [3.5, 5.5, 11.5, 13.5]);
    // 5×5 input 1..25, window 2 stride 2: the fifth row and column are dropped.
    let (s, y, _) = pool(PoolKind::Max, 5, 2, 2);
    assert_eq!((s.h, s.w), (2, 2));
    assert_eq!(y, [7.0, 9.0, 17.0, 19.0]);
    // 5×5, overlapping 3×3 windows with stride 2.
    assert_eq!(pool(PoolKind::Max, 5, 3, 2).1, [13.0, 15.0, 23.0, 25.0]);
    assert_eq!(pool(PoolKind::Avg, 5, 3, 2).1, [7.0, 9.0, 17.0, 19.0]);
    // 14×14 with 3×3 stride 3 (ref-A's second pool): 4×4, the last 2 rows/columns dropped.
    let (s, y, _) = pool(PoolKind::Max, 14, 3, 3);
    assert_eq!((s.h, s.w), (4, 4));
    assert_eq!(y[15], (11 * 14 + 12) as f32); // window rows/cols 9..11 → max at (11, 11)
}

#[test]
fn pool_backward_routes_to_the_maximum() {
    let p = Pool2dConfig {
        kind: PoolKind::Max,
        window: 3,
        stride: 2,
    }
    .init(Shape { c: 1, h: 5, w: 5 });
    let x: Vec<f32> = (1..=25).map(|v| v as f32).collect();
    let (mut y, mut am) = (vec![0.0; 4], vec![0u32; 4]);
    p.forward(1, &x, &mut y, &mut am);
    let mut dx = vec![f32::NAN; 25];
    p.backward(1, &am, &[1.0, 2.0, 3.0, 4.0], &mut dx);
    let mut expected = vec![0.0; 25];
    expected[12] = 1.0; // 13
    expected[14] = 2.0; // 15
    expected[22] = 3.0; // 23
    expected[24] = 4.0; // 25
    assert_eq!(dx, expected);
}
