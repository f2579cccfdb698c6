//! The architecture editor's analysis of the text in its field (pure, but part of the web app).
#![cfg(target_arch = "wasm32")]

use convscope::ui::arch_editor::{analyse_arch, edit_layers, split_layers, LayerEdit};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn splits_at_top_level_commas_only() {
    assert_eq!(
        split_layers(" conv8k3 , res(conv8k3s1p1,relu),dense10"),
        vec!["conv8k3", "res(conv8k3s1p1,relu)", "dense10"]
    );
    assert!(split_layers("").is_empty());
    assert_eq!(split_layers("a,,b"), vec!["a", "", "b"]);
    // Unbalanced parentheses do not panic.
    assert_eq!(split_layers("res(a,b"), vec!["res(a,b"]);
    assert_eq!(split_layers(")a,b"), vec![")a", "b"]);
}

#[wasm_bindgen_test]
fn a_valid_spec_has_every_layer_with_shape_and_parameters() {
    let a = analyse_arch("conv4k3s2p1,relu,max2s2,dense10");
    assert!(a.error.is_none() && a.spec.is_some());
    let rows: Vec<_> = a
        .rows
        .iter()
        .map(|r| {
            let i = r.info.as_ref().expect("analysed");
            (
                r.token.as_str(),
                i.output.to_string(),
                i.params,
                r.error.is_none(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("conv4k3s2p1", "4×14×14".to_string(), 40, true),
            ("relu", "4×14×14".to_string(), 0, true),
            ("max2s2", "4×7×7".to_string(), 0, true),
            ("dense10", "10".to_string(), 1970, true),
        ]
    );
}

#[wasm_bindgen_test]
fn the_failing_layer_has_the_error_and_earlier_layers_keep_their_shapes() {
    let a = analyse_arch("conv4k3s2p1,relu,max16s2,dense10");
    assert!(a.spec.is_none());
    assert_eq!(a.error.as_ref().and_then(|e| e.layer), Some(2));
    assert_eq!(a.rows.len(), 4);
    assert_eq!(
        a.rows[0]
            .info
            .as_ref()
            .map(|i| i.output.to_string())
            .as_deref(),
        Some("4×14×14")
    );
    assert!(a.rows[1].info.is_some() && a.rows[1].error.is_none());
    assert!(a.rows[2].info.is_none());
    assert!(a.rows[2].error.as_deref().unwrap_or("").contains("pool1"));
    assert!(a.rows[3].info.is_none() && a.rows[3].error.is_none());

    // A token that does not parse, the first layer, and whole-string errors.
    let a = analyse_arch("conv4k3,rleu,dense10");
    assert!(a.rows[1].error.is_some());
    assert!(a.rows[0].info.is_some());
    let a = analyse_arch("conv4k30,dense10");
    assert!(a.rows[0].error.as_deref().unwrap_or("").contains("conv1"));
    let a = analyse_arch("");
    assert!(a.error.is_some() && a.rows.is_empty());
    let a = analyse_arch("relu,relu");
    assert!(a.error.is_some());
}

#[wasm_bindgen_test]
fn hostile_text_never_panics() {
    for text in [
        ",,,",
        "res(",
        "res()",
        "res(res(conv1k1),dense10)",
        "conv64k9s1p12d3,conv64k9s1p12d3,conv64k9s1p12d3,dense10",
        "dense4294967295",
        "conv99999999999999999999k3,dense10",
        "((((",
        "))))",
        "é,ü,dense10",
        &"relu,".repeat(400),
    ] {
        let a = analyse_arch(text);
        assert!(a.error.is_some() || a.spec.is_some(), "{text}");
    }
}

#[wasm_bindgen_test]
fn layer_edits_remove_and_move_top_level_layers() {
    let text = "conv8k3, res(conv8k3s1p1,relu),max2s2,dense10";
    assert_eq!(
        edit_layers(text, 1, LayerEdit::Remove),
        "conv8k3,max2s2,dense10"
    );
    assert_eq!(
        edit_layers(text, 1, LayerEdit::Up),
        "res(conv8k3s1p1,relu),conv8k3,max2s2,dense10"
    );
    assert_eq!(
        edit_layers(text, 2, LayerEdit::Down),
        "conv8k3,res(conv8k3s1p1,relu),dense10,max2s2"
    );
    // Edits that do not apply leave the text alone.
    assert_eq!(edit_layers(text, 0, LayerEdit::Up), text);
    assert_eq!(edit_layers(text, 3, LayerEdit::Down), text);
    assert_eq!(edit_layers(text, 9, LayerEdit::Remove), text);
    assert_eq!(edit_layers("", 0, LayerEdit::Remove), "");
}
