// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The shipped model: it decodes into the default architecture and reaches the accuracy the
//! page and README state.

use convscope::data::mnist::{Mnist, TEST};
use convscope::nn::model::Model;
use convscope::nn::{default_spec, DEFAULT_ARCH, DEFAULT_MODEL_PATH, DEFAULT_MODEL_TEST_ACCURACY};
use convscope::train::evaluate;

// The stated figure is the goal, not a placeholder.
const _: () = assert!(DEFAULT_MODEL_TEST_ACCURACY >= 0.98);

#[test]
fn shipped_model_decodes_and_reaches_its_stated_accuracy() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_PATH);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.spec(), &default_spec());
    assert_eq!(model.spec().to_string(), DEFAULT_ARCH);
    assert_eq!(model.to_bytes(), bytes, "the file is in canonical form");
    let data = Mnist::load_default().unwrap_or_else(|e| panic!("{e}"));
    let acc = evaluate(&model, &data, TEST);
    println!(
        "{}: test split accuracy {:.2}% (stated {:.2}%)",
        path.display(),
        100.0 * acc,
        100.0 * DEFAULT_MODEL_TEST_ACCURACY
    );
    // One image of slack for summation-order differences between CPUs.
    assert!(
        acc >= DEFAULT_MODEL_TEST_ACCURACY - 0.0005,
        "measured {acc}, stated {DEFAULT_MODEL_TEST_ACCURACY}"
    );
    // predict() is a probability distribution.
    let p = model.predict(&data.image(TEST.start));
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}
