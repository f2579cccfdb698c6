//! Bad training inputs are rejected with a message and never reach the worker.
#![cfg(target_arch = "wasm32")]

use convscope::nn::optim::OptimizerKind;
use convscope::train::MAX_BATCH;
use convscope::ui::hyper_input::{parse_batch_size, parse_learning_rate, OptimizerChoice};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn learning_rate_accepts_sane_values_only() {
    assert_eq!(parse_learning_rate("0.001"), Ok(0.001));
    assert_eq!(parse_learning_rate(" 1e-2 "), Ok(0.01));
    for bad in ["", "  ", "abc", "-0.1", "0", "NaN", "inf", "1e9", "2"] {
        let err = parse_learning_rate(bad).expect_err(bad);
        assert!(!err.is_empty());
    }
}

#[wasm_bindgen_test]
fn batch_size_accepts_whole_numbers_in_range() {
    assert_eq!(parse_batch_size("32"), Ok(32));
    assert_eq!(parse_batch_size("1"), Ok(1));
    // The page accepts exactly what the trainer trains with, nothing it would clamp.
    assert_eq!(parse_batch_size(&MAX_BATCH.to_string()), Ok(MAX_BATCH));
    assert!(parse_batch_size(&(MAX_BATCH + 1).to_string()).is_err());
    for bad in [
        "",
        "0",
        "-4",
        "3.5",
        "1e3",
        "99999999999999999999",
        "100000",
    ] {
        assert!(parse_batch_size(bad).is_err(), "{bad} should be rejected");
    }
}

#[wasm_bindgen_test]
fn optimizer_choices_round_trip() {
    for c in [OptimizerChoice::Sgd, OptimizerChoice::Adam] {
        assert_eq!(OptimizerChoice::parse(c.id()), Some(c));
        assert_eq!(OptimizerChoice::of(&c.kind()), c);
    }
    assert!(
        matches!(OptimizerChoice::Sgd.kind(), OptimizerKind::Sgd { momentum } if momentum > 0.0)
    );
    assert_eq!(OptimizerChoice::parse("rmsprop"), None);
}
