// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! `ModelSpec::receptive_field`: hand-computed examples, and the image rectangle against the
//! pixels that actually change a cell when perturbed (on networks without ReLU or max, which
//! are affine in the image, so every pixel in the field has an effect).

use convscope::nn::model::Model;
use convscope::nn::receptive::{Cell, CellRect, WindowTap};
use convscope::nn::spec::ModelSpec;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn rect(y0: isize, y1: isize, x0: isize, x1: isize) -> CellRect {
    CellRect { y0, x0, y1, x1 }
}

fn cell(layer: usize, c: usize, y: usize, x: usize) -> Cell {
    Cell {
        layer,
        inner: None,
        c,
        y,
        x,
    }
}

#[test]
fn ref_a_hand_computed() {
    let a = ModelSpec::ref_a();
    // conv1 (5×5, pad 2) at the top-left corner: rows and columns −2..=2, of which 16 of
    // the 25 taps are padding and the 3×3 at the corner is the image.
    let f = a.receptive_field(cell(0, 3, 0, 0)).unwrap();
    assert_eq!(f.name, "conv1");
    assert_eq!(f.channels, 0..1);
    assert_eq!(f.taps.len(), 25);
    assert_eq!(f.taps.iter().filter(|t| t.padding).count(), 16);
    assert_eq!(
        f.taps[0],
        WindowTap {
            y: -2,
            x: -2,
            padding: true
        }
    );
    assert_eq!(
        f.taps[24],
        WindowTap {
            y: 2,
            x: 2,
            padding: false
        }
    );
    assert_eq!(f.previous, rect(0, 3, 0, 3));
    assert_eq!(f.image, rect(0, 3, 0, 3));
    assert_eq!(f.image_unclipped, rect(-2, 3, -2, 3));

    // pool1 (2×2, stride 2) cell (3, 5): the 2×2 block at rows 6–7, columns 10–11 of
    // relu1's channel 0, and behind it conv1's 5×5 windows: rows 4–9, columns 8–13.
    let f = a.receptive_field(cell(2, 0, 3, 5)).unwrap();
    assert_eq!(f.channels, 0..1);
    assert_eq!(f.previous, rect(6, 8, 10, 12));
    assert_eq!(f.taps.iter().filter(|t| t.padding).count(), 0);
    assert_eq!(f.image, rect(4, 10, 8, 14));
    assert_eq!(f.image_unclipped, f.image);

    // conv2 (5×5, pad 2 on 14×14) at row 0, column 13: reads all 8 channels, rows 0–2 and
    // columns 11–13 (the rest is padding); through pool1 that is rows 0–5, columns 22–27,
    // and through conv1 rows 0–7, columns 20–27 of the image.
    let f = a.receptive_field(cell(3, 5, 0, 13)).unwrap();
    assert_eq!(f.channels, 0..8);
    assert_eq!(f.previous, rect(0, 3, 11, 14));
    assert_eq!(f.taps.iter().filter(|t| !t.padding).count(), 9);
    assert_eq!(f.image, rect(0, 8, 20, 28));
    assert_eq!(f.image_unclipped, rect(-6, 8, 20, 34));

    // dense1 reads everything.
    let f = a.receptive_field(cell(6, 7, 0, 0)).unwrap();
    assert_eq!(f.channels, 0..16);
    assert!(f.taps.is_empty());
    assert_eq!(f.previous, rect(0, 4, 0, 4));
    assert_eq!(f.image, rect(0, 28, 0, 28));
}

#[test]
fn dilated_window_reads_every_other_pixel() {
    let s = ModelSpec::parse("conv2k2s1p0d2,dense10").unwrap();
    let f = s.receptive_field(cell(0, 1, 1, 1)).unwrap();
    let taps: Vec<(isize, isize)> = f.taps.iter().map(|t| (t.y, t.x)).collect();
    assert_eq!(taps, [(1, 1), (1, 3), (3, 1), (3, 3)]);
    assert_eq!(f.previous, rect(1, 4, 1, 4)); // the bounding box
    assert_eq!(f.image.height(), 3);
}

#[test]
fn a_cell_that_sees_only_padding() {
    // 28 → max9s9: 3 → max3s3: 1; then a 3×3 kernel dilated by 3, pad 4: taps at −4, −1, 2
    // for output 0, all outside the 1×1 input.
    let s = ModelSpec::parse("max9s9,max3s3,conv2k3s1p4d3,dense10").unwrap();
    let f = s.receptive_field(cell(2, 0, 0, 0)).unwrap();
    assert!(f.taps.iter().all(|t| t.padding));
    assert!(f.previous.is_empty());
    assert!(f.image.is_empty());
    // Output 1 reads the pixel (tap at 0), from all of the image.
    let f = s.receptive_field(cell(2, 0, 1, 1)).unwrap();
    assert_eq!(f.taps.iter().filter(|t| !t.padding).count(), 1);
    assert_eq!(f.image, rect(0, 27, 0, 27));
    // The engine agrees: the padding-only cell is the bias whatever the image.
    let m = Model::new(&s, 1).unwrap();
    let bias = m.param_vectors()[2][18];
    for x in [[0.0f32; 784], [1.0; 784]] {
        assert_eq!(m.forward_taps(&x)[2][[0, 0, 0]], bias);
    }
}

#[test]
fn residual_blocks_join_the_skip_and_the_block() {
    let s = ModelSpec::parse("conv4k3s2p1,relu,res(conv4k3s1p1,relu,conv4k3s1p1),dense10").unwrap();
    // res1 at (0, 0) of 14×14: the skip reads (0, 0), the block two 3×3 convolutions: rows
    // and columns 0–2 once clipped (−2–2 unclipped).
    let f = s.receptive_field(cell(2, 0, 0, 0)).unwrap();
    assert_eq!(f.name, "res1");
    assert_eq!(f.channels, 0..1);
    assert_eq!(f.taps.len(), 1);
    assert_eq!(f.previous, rect(0, 3, 0, 3));
    // conv1 (stride 2, pad 1): rows 0–2 become −1..=5, clipped 0–5.
    assert_eq!(f.image, rect(0, 6, 0, 6));
    assert_eq!(f.image_unclipped, rect(-5, 6, -5, 6));
    // A layer inside the block: conv3 at (13, 13) reads rows/columns 12–13 of relu2.
    let f = s
        .receptive_field(Cell {
            layer: 2,
            inner: Some(2),
            c: 1,
            y: 13,
            x: 13,
        })
        .unwrap();
    assert_eq!(f.name, "conv3");
    assert_eq!(f.channels, 0..4);
    assert_eq!(f.previous, rect(12, 14, 12, 14));
    assert_eq!(f.taps.iter().filter(|t| t.padding).count(), 5);
    assert_eq!(f.image, rect(21, 28, 21, 28));
}

#[test]
fn bad_cells_are_errors() {
    let a = ModelSpec::ref_a();
    assert!(a.receptive_field(cell(7, 0, 0, 0)).is_err());
    assert_eq!(
        a.receptive_field(cell(0, 8, 0, 0)).unwrap_err(),
        "conv1: cell (8, 0, 0) is outside its 8×28×28 output"
    );
    assert!(a.receptive_field(cell(0, 0, 28, 0)).is_err());
    let inner = Cell {
        inner: Some(0),
        ..cell(0, 0, 0, 0)
    };
    assert!(a.receptive_field(inner).is_err());
    let bad = ModelSpec { layers: Vec::new() };
    assert!(bad.receptive_field(cell(0, 0, 0, 0)).is_err());
}

/// Bounding box of the pixels whose change moves the cell.
fn empirical(m: &Model, c: &Cell, base: &[f32]) -> CellRect {
    let value = |x: &[f32]| {
        let taps = m.forward_taps_nested(x);
        let t = &taps[c.layer];
        let a = match c.inner {
            Some(j) => &t.inner[j],
            None => &t.output,
        };
        a[[c.c, c.y, c.x]]
    };
    let v0 = value(base);
    let mut x = base.to_vec();
    let (mut y0, mut x0, mut y1, mut x1) = (isize::MAX, isize::MAX, isize::MIN, isize::MIN);
    for i in 0..784 {
        x[i] += 1.0;
        let moved = (value(&x) - v0).abs() > 1e-4;
        x[i] = base[i];
        if moved {
            let (py, px) = ((i / 28) as isize, (i % 28) as isize);
            (y0, x0, y1, x1) = (y0.min(py), x0.min(px), y1.max(py + 1), x1.max(px + 1));
        }
    }
    if y0 > y1 {
        CellRect::EMPTY
    } else {
        rect(y0, y1, x0, x1)
    }
}

#[test]
fn image_rectangle_matches_the_pixels_that_matter() {
    let mut r = ChaCha8Rng::seed_from_u64(6);
    let specs = [
        "conv2k3s2p1,avg2s2,conv2k3s1p1d2,dense10",
        "conv2k5s3p4,dwconv3s1p2d2,dense10",
        "dwconv3s2p1d3,res(conv1k3s1p1,dwconv3psame),avg3s2,dense10",
        "conv3k2s2p1d3,res(dwconv3s1p2d2),conv2k3s2p2,dense10",
        "avg2s2,conv2k3s3p2d2,res(conv2k1s1p0),dense10",
    ];
    let mut checked = 0;
    for arch in specs {
        let spec = ModelSpec::parse(arch).unwrap();
        let m = Model::new(&spec, 7).unwrap();
        let base: Vec<f32> = (0..784).map(|_| r.random_range(0.0f32..1.0)).collect();
        let flat = spec.flat_layers().unwrap();
        for f in flat
            .iter()
            .filter(|f| f.info.output.h > 1 || f.inner.is_none())
        {
            let out = f.info.output;
            for _ in 0..3 {
                let c = Cell {
                    layer: f.top,
                    inner: f.inner,
                    c: r.random_range(0..out.c),
                    y: r.random_range(0..out.h),
                    x: r.random_range(0..out.w),
                };
                let field = spec.receptive_field(c).unwrap();
                let seen = empirical(&m, &c, &base);
                assert_eq!(field.image, seen, "{arch}: {c:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 30);
}
