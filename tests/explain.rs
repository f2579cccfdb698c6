// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! `Model::explain_cell`: the multiply-adds, pooling windows and ReLUs the page shows for a
//! clicked cell, against hand-computed values and against the engine's own forward pass.

use convscope::data::mnist::{Mnist, TEST};
use convscope::nn::explain::CellMath;
use convscope::nn::model::Model;
use convscope::nn::receptive::Cell;
use convscope::nn::spec::ModelSpec;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
fn a_corner_cell_by_hand() {
    // One 3×3 filter, padding 1: the top-left output reads a window whose first row and
    // column are padding (zeros), so only 4 of the 9 products count.
    let spec = ModelSpec::parse("conv1k3s1p1,dense10").unwrap();
    let mut model = Model::new(&spec, 1).unwrap();
    let mut params = model.param_vectors();
    params[0] = (1..=9).map(|w| w as f32).chain([0.5]).collect(); // weights 1..9, bias 0.5
    model.set_param_vectors(&params).unwrap();
    let mut image = vec![0.0f32; 784];
    image[0] = 1.0; // (0, 0)
    image[1] = 2.0; // (0, 1)
    image[28] = 3.0; // (1, 0)
    image[29] = 4.0; // (1, 1)
    let e = model.explain_cell(&image, cell(0, 0, 0, 0)).unwrap();
    assert_eq!(e.kernel, 3);
    assert_eq!(e.terms.len(), 9);
    assert_eq!(e.multiply_adds(), 9);
    assert_eq!(e.terms.iter().filter(|t| t.tap.padding).count(), 5);
    assert!(e
        .terms
        .iter()
        .filter(|t| t.tap.padding)
        .all(|t| t.input == 0.0));
    // Weights 5, 6, 8, 9 meet pixels 1, 2, 3, 4: 5 + 12 + 24 + 36 + 0.5.
    assert_eq!(
        e.math,
        CellMath::Conv {
            bias: 0.5,
            sum: 77.5
        }
    );
    assert_eq!(e.engine, 77.5);
    assert_eq!(e.terms[4].weight, Some(5.0));
    assert_eq!(e.terms[4].input, 1.0);
}

#[test]
fn pooling_and_relu_by_hand() {
    let spec = ModelSpec::parse("max2s2,avg2s2,relu,dense10").unwrap();
    let model = Model::new(&spec, 1).unwrap();
    let mut image = vec![0.0f32; 784];
    image[28 * 2 + 3] = 0.75; // row 2, column 3
    image[28 * 3 + 2] = 0.25;
    // max2s2 cell (1, 1) reads rows 2–3, columns 2–3: the winner is (2, 3), the 2nd term.
    let e = model.explain_cell(&image, cell(0, 0, 1, 1)).unwrap();
    assert_eq!(
        e.math,
        CellMath::Max {
            winner: 1,
            max: 0.75
        }
    );
    assert_eq!((e.terms[1].tap.y, e.terms[1].tap.x), (2, 3));
    assert_eq!(e.engine, 0.75);
    assert_eq!(e.multiply_adds(), 0);
    // avg2s2 cell (0, 0) reads max-pool cells (0..2, 0..2): 0, 0, 0, 0.75 (the 0.25 lost the
    // max), so the mean is 0.1875.
    let e = model.explain_cell(&image, cell(1, 0, 0, 0)).unwrap();
    assert_eq!(e.math, CellMath::Avg { mean: 0.1875 });
    assert_eq!(e.engine, 0.1875);
    let e = model.explain_cell(&image, cell(2, 0, 0, 0)).unwrap();
    assert_eq!(
        e.math,
        CellMath::Relu {
            input: 0.1875,
            output: 0.1875
        }
    );
}

#[test]
fn every_kind_of_cell_equals_the_engine_on_real_digits() {
    let data = Mnist::load_default().unwrap_or_else(|e| panic!("{e}"));
    let specs = [
        ModelSpec::ref_a(),
        ModelSpec::lenet5_like(),
        ModelSpec::mobilenet_like(),
        ModelSpec::tiny_resnet(),
        ModelSpec::parse("conv6k3s2p2d2,relu,avg3s2,conv4k3s1psame,max2s1,dwconv2s1p1,dense10")
            .unwrap(),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut image = vec![0.0f32; 784];
    let mut checked = 0;
    for (n, spec) in specs.iter().enumerate() {
        let model = Model::new(spec, 10 + n as u64).unwrap();
        let infos = model.infos().to_vec();
        for _ in 0..40 {
            data.image_into(TEST.start + rng.random_range(0..TEST.len()), &mut image);
            for (layer, l) in spec.layers.iter().enumerate() {
                let inner: Vec<Option<usize>> = match l {
                    convscope::nn::spec::LayerSpec::Residual { layers } => {
                        (0..layers.len()).map(Some).collect()
                    }
                    _ => vec![None],
                };
                for inner in inner {
                    let out = match inner {
                        None => infos[layer].output,
                        Some(j) => infos[layer].inner[j].output,
                    };
                    if out.h == 1
                        && out.w == 1
                        && matches!(l, convscope::nn::spec::LayerSpec::Dense { .. })
                    {
                        continue;
                    }
                    let c = Cell {
                        layer,
                        inner,
                        c: rng.random_range(0..out.c),
                        y: rng.random_range(0..out.h),
                        x: rng.random_range(0..out.w),
                    };
                    let e = model
                        .explain_cell(&image, c)
                        .unwrap_or_else(|err| panic!("{spec} {c:?}: {err}"));
                    let magnitude: f32 = e.terms.iter().map(|t| t.product().abs()).sum::<f32>()
                        + match e.math {
                            CellMath::Conv { bias, .. } => bias.abs(),
                            _ => 0.0,
                        };
                    let tolerance = 1e-5 * magnitude.max(1.0);
                    assert!(
                        (e.math.value() - e.engine).abs() <= tolerance,
                        "{spec} {c:?}: shown {} vs engine {}",
                        e.math.value(),
                        e.engine
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn cells_without_a_window_are_refused_with_a_reason() {
    let model = Model::new(&ModelSpec::ref_a(), 1).unwrap();
    let image = vec![0.0; 784];
    let dense = model.explain_cell(&image, cell(6, 0, 0, 0)).unwrap_err();
    assert!(dense.contains("dense"), "{dense}");
    let outside = model.explain_cell(&image, cell(0, 8, 0, 0)).unwrap_err();
    assert!(outside.contains("outside"), "{outside}");
    let resnet = Model::new(&ModelSpec::tiny_resnet(), 1).unwrap();
    let block = resnet
        .spec()
        .layers
        .iter()
        .position(|l| matches!(l, convscope::nn::spec::LayerSpec::Residual { .. }))
        .unwrap();
    let err = resnet
        .explain_cell(&image, cell(block, 0, 0, 0))
        .unwrap_err();
    assert!(err.contains("inside the block"), "{err}");
}
