//! The architecture editor's analysis of the text in its field (pure, but part of the web app).
#![cfg(target_arch = "wasm32")]

use convscope::nn::spec::edit::{Field, LayerKind};
use convscope::nn::spec::ModelSpec;
use convscope::ui::arch_editor::{
    add_position, analyse_arch, edit_field, edit_layers, insert_layer, split_layers, ArchEditor,
    ArchEditorProps, LayerEdit,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::{AttrValue, Callback};

#[path = "common/dom.rs"]
mod dom;
use dom::{find, host, settle};

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

#[wasm_bindgen_test]
fn field_edits_rewrite_one_token_of_the_text() {
    let text = "conv8k5s1p2, relu ,res(conv8k3s1p1,relu),max2s2,dense10";
    let (t, note) = edit_field(text, 0, Field::Stride, "2").unwrap();
    assert_eq!(
        (t.as_str(), note),
        (
            "conv8k5s2p2,relu,res(conv8k3s1p1,relu),max2s2,dense10",
            None
        )
    );
    let (t, note) = edit_field(text, 3, Field::Window, "12").unwrap();
    assert_eq!(t, "conv8k5s1p2,relu,res(conv8k3s1p1,relu),max9s2,dense10");
    assert!(note.unwrap().contains("out of range"));
    // Residual blocks, ReLU, a missing layer and an emptied field: the text stays the caller's.
    assert!(edit_field(text, 2, Field::Kernel, "3").is_err());
    assert!(edit_field(text, 1, Field::Stride, "3").is_err());
    assert!(edit_field(text, 9, Field::Stride, "3").is_err());
    assert!(edit_field(text, 0, Field::Stride, "").is_err());
    assert!(edit_field("rleu,dense10", 0, Field::Stride, "3").is_err());
}

#[wasm_bindgen_test]
fn layers_are_added_before_the_output_layer() {
    let text = "conv8k5s1p2,relu,dense10";
    assert_eq!(add_position(text), 2);
    assert_eq!(
        insert_layer(text, add_position(text), LayerKind::AvgPool),
        "conv8k5s1p2,relu,avg2s2,dense10"
    );
    assert_eq!(
        insert_layer(text, 1, LayerKind::DwConv),
        "conv8k5s1p2,dwconv3s1p1,relu,dense10"
    );
    assert_eq!(add_position("conv8k3,relu"), 2);
    assert_eq!(add_position(""), 0);
    assert_eq!(insert_layer("", 5, LayerKind::Relu), "relu");
}

fn arch_text(host: &Element) -> String {
    find(host, "arch-input")
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value()
}

/// Types `value` into the number field `testid` (an `input` event, as typing does).
async fn type_field(host: &Element, testid: &str, value: &str) {
    let input: HtmlInputElement = find(host, testid).dyn_into().unwrap();
    input.set_value(value);
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    settle().await;
}

/// Picks `value` in the `<select>` `testid` (a `change` event).
async fn choose(host: &Element, testid: &str, value: &str) {
    let select: HtmlSelectElement = find(host, testid).dyn_into().unwrap();
    select.set_value(value);
    assert_eq!(select.value(), value, "{testid} has no option {value}");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    settle().await;
}

/// Every row's `data-out-shape`, `data-params` and `data-error` equal what the engine's
/// `ModelSpec::analyze` says about `text` (the editor's text field must hold it).
fn rows_match_the_engine(host: &Element, text: &str) {
    assert_eq!(arch_text(host), text);
    let spec = ModelSpec::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let infos = spec.analyze().unwrap();
    for (i, info) in infos.iter().enumerate() {
        let row = find(host, &format!("layer-{i}"));
        let got = (
            row.get_attribute("data-out-shape").unwrap_or_default(),
            row.get_attribute("data-params").unwrap_or_default(),
            row.get_attribute("data-error").unwrap_or_default(),
        );
        assert_eq!(
            got,
            (
                info.output.to_string(),
                info.params.to_string(),
                String::new()
            ),
            "layer-{i} of {text}"
        );
    }
    assert!(host
        .query_selector(&format!("[data-testid=\"layer-{}\"]", infos.len()))
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn the_field_controls_edit_the_text_and_the_shapes_follow() {
    let host = host();
    let ref_a = ModelSpec::ref_a();
    let handle = yew::Renderer::<ArchEditor>::with_root_and_props(
        host.clone(),
        ArchEditorProps {
            current: AttrValue::from(ref_a.to_string()),
            ready: true,
            onapply: Callback::noop(),
            training: false,
            rejected: None,
            notice: None,
        },
    )
    .render();
    settle().await;
    rows_match_the_engine(&host, &ref_a.to_string());
    // Every control has a label (keyboard and screen-reader users get its name).
    for id in [
        "layer-0-filters",
        "layer-0-kernel",
        "layer-0-stride",
        "layer-0-pad",
        "layer-0-dilation",
        "layer-2-window",
        "layer-2-stride",
        "layer-6-units",
    ] {
        let control = find(&host, id);
        assert!(
            control.closest("label").unwrap().is_some(),
            "{id} has no label"
        );
        assert!(control.get_attribute("aria-label").is_some(), "{id}");
    }
    let kernel = find(&host, "layer-0-kernel");
    assert_eq!(
        (kernel.get_attribute("min"), kernel.get_attribute("max")),
        (Some("1".into()), Some("9".into()))
    );

    // conv1 stride 2: conv1's output halves and every later shape follows.
    let mut want = ref_a.clone();
    let set = |spec: &mut ModelSpec, i: usize, f: Field, v: &str| {
        spec.layers[i] = convscope::nn::spec::edit::set_field(&spec.layers[i], f, v)
            .unwrap()
            .layer;
    };
    set(&mut want, 0, Field::Stride, "2");
    type_field(&host, "layer-0-stride", "2").await;
    rows_match_the_engine(&host, &want.to_string());
    let before = find(&host, "layer-6").get_attribute("data-params");
    assert_ne!(
        before.as_deref(),
        Some(ref_a.analyze().unwrap()[6].params.to_string().as_str()),
        "dense1's inputs shrank"
    );

    // The padding list: "same" is marked, and choosing 0 shrinks conv1's maps.
    let pad: HtmlSelectElement = find(&host, "layer-0-pad").dyn_into().unwrap();
    assert_eq!(pad.value(), "2");
    assert!(pad.text_content().unwrap().contains("2 (same)"));
    set(&mut want, 0, Field::Pad, "0");
    choose(&host, "layer-0-pad", "0").await;
    rows_match_the_engine(&host, &want.to_string());
    assert_eq!(pad.value(), "0");

    // A typed value out of range is clamped, said so, and the field shows the clamped value.
    set(&mut want, 3, Field::Filters, "64");
    type_field(&host, "layer-3-filters", "500").await;
    rows_match_the_engine(&host, &want.to_string());
    let note = find(&host, "layer-3-note").text_content().unwrap();
    assert!(
        note.contains("out of range") && note.contains("64"),
        "{note}"
    );
    let filters: HtmlInputElement = find(&host, "layer-3-filters").dyn_into().unwrap();
    assert_eq!(filters.value(), "64");
    // An emptied field changes nothing (and the note goes with the next edit).
    type_field(&host, "layer-3-filters", "").await;
    assert_eq!(arch_text(&host), want.to_string());

    // A window that no longer fits: that layer gets the inline error naming it; the layers
    // before it keep their shapes, the ones after it have none.
    type_field(&host, "layer-5-window", "9").await;
    let text = arch_text(&host);
    let err = ModelSpec::parse(&text).expect_err("a 9×9 window on a small input");
    assert_eq!(err.layer, Some(5));
    let row = find(&host, "layer-5");
    let shown = row.get_attribute("data-error").unwrap_or_default();
    assert_eq!(shown, err.to_string());
    assert!(shown.contains("pool2"), "{shown}");
    assert_eq!(row.get_attribute("data-out-shape").as_deref(), Some(""));
    assert_eq!(
        find(&host, "layer-4").get_attribute("data-out-shape"),
        Some(want.analyze().unwrap()[4].output.to_string())
    );
    assert!(find(&host, "arch-apply").has_attribute("disabled"));
    type_field(&host, "layer-5-window", "3").await;
    rows_match_the_engine(&host, &want.to_string());

    // Add: the chosen kind goes in before the output layer; + inserts below a row.
    choose(&host, "add-layer-kind", LayerKind::AvgPool.key()).await;
    find(&host, "add-layer")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    let at = want.layers.len() - 1;
    want.layers.insert(at, LayerKind::AvgPool.default_layer());
    // avg2s2 on conv2's pooled 2×2 output: valid, and the engine agrees on every shape.
    match want.analyze() {
        Ok(_) => rows_match_the_engine(&host, &want.to_string()),
        Err(e) => assert_eq!(
            find(&host, &format!("layer-{}", e.layer.unwrap())).get_attribute("data-error"),
            Some(e.to_string())
        ),
    }
    choose(&host, "add-layer-kind", LayerKind::DwConv.key()).await;
    find(&host, "layer-0-insert")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    want.layers.insert(1, LayerKind::DwConv.default_layer());
    rows_match_the_engine(&host, &want.to_string());
    // The new layer has its own controls at once. Dilation 2 widens its window to 5×5, which
    // with pad 1 shrinks the maps (whether a later layer then breaks, the engine says);
    // padding "same" (2) brings the size back.
    set(&mut want, 1, Field::Dilation, "2");
    type_field(&host, "layer-1-dilation", "2").await;
    assert_eq!(arch_text(&host), want.to_string());
    match want.analyze() {
        Ok(_) => rows_match_the_engine(&host, &want.to_string()),
        Err(e) => {
            let bad = e.layer.expect("a layer");
            assert_eq!(
                find(&host, &format!("layer-{bad}")).get_attribute("data-error"),
                Some(e.to_string())
            );
        }
    }
    let pad: HtmlSelectElement = find(&host, "layer-1-pad").dyn_into().unwrap();
    assert!(pad.text_content().unwrap().contains("2 (same)"));
    set(&mut want, 1, Field::Pad, "same");
    choose(&host, "layer-1-pad", "2").await;
    rows_match_the_engine(&host, &want.to_string());
    assert!(find(&host, "arch-apply")
        .get_attribute("disabled")
        .is_none());

    handle.destroy();
    host.remove();
}
