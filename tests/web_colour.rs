//! Colour scales: neutral at 0, the ends at ±max, legends covering the range.
#![cfg(target_arch = "wasm32")]

use convscope::ui::colour::{ColourScale, INVALID};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn diverging_maps_zero_to_white_and_extremes_to_the_ends() {
    let weights = [-0.5f32, 0.1, 0.25, -0.2];
    let scale = ColourScale::diverging_for(weights.iter());
    assert_eq!(scale, ColourScale::Diverging { max: 0.5 });
    assert_eq!(scale.range(), (-0.5, 0.5));
    assert_eq!(scale.rgb(0.0), [247, 247, 247], "0 is the neutral colour");
    assert_eq!(scale.rgb(-0.5), [5, 48, 97], "-max is the blue end");
    assert_eq!(scale.rgb(0.5), [103, 0, 31], "+max is the red end");
    // Beyond the range clamps to the ends rather than wrapping.
    assert_eq!(scale.rgb(-9.0), scale.rgb(-0.5));
    assert_eq!(scale.rgb(9.0), scale.rgb(0.5));
    // Symmetric: ±v are equally far from white, one bluish, one reddish.
    let (neg, pos) = (scale.rgb(-0.25), scale.rgb(0.25));
    assert!(neg[2] > neg[0], "negative is blue: {neg:?}");
    assert!(pos[0] > pos[2], "positive is red: {pos:?}");
}

#[wasm_bindgen_test]
fn sequential_spans_zero_to_max_and_is_monotone_in_lightness() {
    let acts = [0.0f32, 3.0, 1.5, 0.2];
    let scale = ColourScale::sequential_for(acts.iter());
    assert_eq!(scale.range(), (0.0, 3.0));
    assert_eq!(scale.rgb(0.0), [68, 1, 84]);
    assert_eq!(scale.rgb(3.0), [253, 231, 37]);
    let luma = |c: [u8; 3]| 0.2126 * c[0] as f32 + 0.7152 * c[1] as f32 + 0.0722 * c[2] as f32;
    let mut previous = -1.0;
    for i in 0..=30 {
        let l = luma(scale.rgb(i as f32 * 0.1));
        assert!(l >= previous, "viridis gets lighter with the value");
        previous = l;
    }
}

#[wasm_bindgen_test]
fn degenerate_and_invalid_values_do_not_break_the_scale() {
    let zeros = [0.0f32; 25];
    let d = ColourScale::diverging_for(zeros.iter());
    let (lo, hi) = d.range();
    assert!(
        lo < 0.0 && hi > 0.0,
        "an all-zero layer still has a usable range"
    );
    assert_eq!(d.rgb(0.0), [247, 247, 247]);
    assert_eq!(d.rgb(f32::NAN), INVALID);
    let with_nan = [f32::NAN, 1.0, f32::INFINITY];
    assert_eq!(
        ColourScale::diverging_for(with_nan.iter()),
        ColourScale::Diverging { max: 1.0 }
    );
    assert_eq!(ColourScale::Ink.rgb(0.0), [255, 255, 255]);
    assert_eq!(ColourScale::Ink.rgb(1.0), [0, 0, 0]);
}

#[wasm_bindgen_test]
fn rgba_and_legend_gradient_cover_the_range() {
    let scale = ColourScale::Diverging { max: 2.0 };
    let rgba = scale.rgba(&[-2.0, 0.0, 2.0]);
    assert_eq!(
        rgba,
        vec![5, 48, 97, 255, 247, 247, 247, 255, 103, 0, 31, 255]
    );
    let css = scale.css_gradient();
    assert!(
        css.starts_with("linear-gradient(to right, rgb(5,48,97) 0%"),
        "{css}"
    );
    assert!(css.contains("rgb(247,247,247) 50%"), "{css}");
    assert!(css.ends_with("rgb(103,0,31) 100%)"), "{css}");
}
