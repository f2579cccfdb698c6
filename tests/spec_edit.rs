//! Field-by-field layer edits (`nn::spec::edit`): the editor's controls change one number of one
//! layer; values out of range are clamped with a note, never a panic; the shapes that follow are
//! those `ModelSpec::analyze` computes.

use convscope::nn::spec::edit::{
    fields, max_pad, same_pad, set_field, Field, FieldError, LayerKind,
};
use convscope::nn::spec::{
    LayerSpec, ModelSpec, MAX_CONV_STRIDE, MAX_DILATION, MAX_FILTERS, MAX_KERNEL, MAX_PAD,
    MAX_POOL_STRIDE, MAX_POOL_WINDOW, MAX_UNITS,
};

fn tok(s: &str) -> LayerSpec {
    LayerSpec::parse_token(s).expect("a layer token")
}

#[test]
fn parse_token_reads_one_layer_and_rejects_the_rest() {
    assert_eq!(
        tok(" CONV8k5s1p2 "),
        LayerSpec::Conv {
            filters: 8,
            kernel: 5,
            stride: 1,
            pad: 2,
            dilation: 1
        }
    );
    assert_eq!(
        tok("max2"),
        LayerSpec::MaxPool {
            window: 2,
            stride: 2
        }
    );
    assert_eq!(tok("conv4k5psame").to_string(), "conv4k5s1p2");
    // Sizes are not checked here (analyze does that, knowing the input).
    assert_eq!(tok("conv99k3").to_string(), "conv99k3s1p0");
    for bad in [
        "",
        "res(relu)",
        "conv",
        "rleu",
        "dense",
        "é",
        &"9".repeat(5000),
    ] {
        assert!(LayerSpec::parse_token(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn fields_follow_the_issue_ranges() {
    let conv = fields(&tok("conv8k5s1p2"));
    let got: Vec<_> = conv
        .iter()
        .map(|r| (r.field, r.value, r.min, r.max))
        .collect();
    assert_eq!(
        got,
        vec![
            (Field::Filters, 8, 1, MAX_FILTERS),
            (Field::Kernel, 5, 1, MAX_KERNEL),
            (Field::Stride, 1, 1, MAX_CONV_STRIDE),
            (Field::Pad, 2, 0, 4),
            (Field::Dilation, 1, 1, MAX_DILATION),
        ]
    );
    assert_eq!(conv[3].same, Some(2));
    // Dilation widens the window, and so the padding allowed: 0..d(k−1), at most MAX_PAD.
    let pad = |t: &str| {
        fields(&tok(t))
            .into_iter()
            .find(|r| r.field == Field::Pad)
            .map(|r| (r.max, r.same))
    };
    assert_eq!(pad("conv8k3s1p0d2"), Some((4, Some(2))));
    assert_eq!(pad("dwconv4s1p0"), Some((3, None)));
    assert_eq!(pad("conv1k9d3"), Some((MAX_PAD, Some(12))));
    let pool: Vec<_> = fields(&tok("avg3s2"))
        .iter()
        .map(|r| (r.field, r.value, r.max))
        .collect();
    assert_eq!(
        pool,
        vec![
            (Field::Window, 3, MAX_POOL_WINDOW),
            (Field::Stride, 2, MAX_POOL_STRIDE)
        ]
    );
    assert_eq!(fields(&tok("dense10"))[0].max, MAX_UNITS);
    assert!(fields(&LayerSpec::Relu).is_empty());
    // Absurd typed sizes never overflow the range arithmetic.
    assert_eq!(max_pad(usize::MAX, usize::MAX), MAX_PAD);
    assert_eq!(same_pad(0, 0), Some(0));
}

#[test]
fn setting_a_field_changes_only_that_field() {
    let l = tok("conv8k5s1p2");
    let e = set_field(&l, Field::Stride, "2").unwrap();
    assert_eq!(
        (e.layer.to_string(), e.note),
        ("conv8k5s2p2".to_string(), None)
    );
    assert_eq!(
        set_field(&l, Field::Filters, "16")
            .unwrap()
            .layer
            .to_string(),
        "conv16k5s1p2"
    );
    assert_eq!(
        set_field(&l, Field::Dilation, "2")
            .unwrap()
            .layer
            .to_string(),
        "conv8k5s1p2d2"
    );
    assert_eq!(
        set_field(&tok("conv8k3s1p0d2"), Field::Pad, "same")
            .unwrap()
            .layer
            .to_string(),
        "conv8k3s1p2d2"
    );
    assert_eq!(
        set_field(&tok("max2s2"), Field::Window, "3").unwrap().layer,
        LayerSpec::MaxPool {
            window: 3,
            stride: 2
        }
    );
    assert_eq!(
        set_field(&tok("avg2s2"), Field::Stride, "1").unwrap().layer,
        LayerSpec::AvgPool {
            window: 2,
            stride: 1
        }
    );
    assert_eq!(
        set_field(&tok("dense10"), Field::Units, "128")
            .unwrap()
            .layer,
        LayerSpec::Dense { units: 128 }
    );
    assert_eq!(
        set_field(&tok("dwconv3s1p1"), Field::Kernel, "5")
            .unwrap()
            .layer
            .to_string(),
        "dwconv5s1p1"
    );
}

#[test]
fn out_of_range_values_are_clamped_with_a_note() {
    let l = tok("conv8k5s1p2");
    for (field, raw, want) in [
        (Field::Filters, "0", "conv1k5s1p2"),
        (Field::Filters, "65", "conv64k5s1p2"),
        (Field::Filters, "1e12", "conv64k5s1p2"),
        (Field::Kernel, "99999999999999999999", "conv8k9s1p2"),
        (Field::Stride, "-3", "conv8k5s1p2"),
        (Field::Stride, "5", "conv8k5s4p2"),
        (Field::Pad, "7", "conv8k5s1p4"),
        (Field::Dilation, "4", "conv8k5s1p2d3"),
    ] {
        let e = set_field(&l, field, raw).unwrap();
        assert_eq!(e.layer.to_string(), want, "{field:?} = {raw}");
        let note = e
            .note
            .unwrap_or_else(|| panic!("{field:?} = {raw}: no note"));
        assert!(
            note.contains("out of range") && note.contains(field.label()),
            "{note}"
        );
    }
    // Fractions are rounded, and said so.
    let e = set_field(&l, Field::Filters, "2.6").unwrap();
    assert_eq!(e.layer.to_string(), "conv3k5s1p2");
    assert!(e.note.unwrap().contains("whole number"));
    // A smaller kernel takes the padding down with it.
    let e = set_field(&tok("conv8k7s1p6"), Field::Kernel, "3").unwrap();
    assert_eq!(e.layer.to_string(), "conv8k3s1p2");
    assert!(e.note.unwrap().contains("padding 6"));
    let e = set_field(&tok("dwconv3s1p4d2"), Field::Dilation, "1").unwrap();
    assert_eq!(e.layer.to_string(), "dwconv3s1p2");
    // No "same" for an even kernel: the padding stays, with a note.
    let e = set_field(&tok("conv8k4s1p1"), Field::Pad, "same").unwrap();
    assert_eq!(e.layer.to_string(), "conv8k4s1p1");
    assert!(e.note.unwrap().contains("same"));
}

#[test]
fn what_cannot_be_read_leaves_the_layer_alone() {
    let l = tok("conv8k5s1p2");
    for raw in ["", "  ", "abc", "NaN", "inf", "-inf", "1e400"] {
        assert!(
            matches!(
                set_field(&l, Field::Kernel, raw),
                Err(FieldError::NotANumber(_))
            ),
            "{raw:?}"
        );
    }
    assert!(matches!(
        set_field(&l, Field::Units, "3"),
        Err(FieldError::NoSuchField { .. })
    ));
    assert!(set_field(&LayerSpec::Relu, Field::Stride, "1").is_err());
    assert!(set_field(&tok("max2s2"), Field::Pad, "1").is_err());
    let res = ModelSpec::parse("res(relu),dense10").unwrap().layers[0].clone();
    assert!(set_field(&res, Field::Kernel, "3").is_err());
}

/// Every single-field edit of every preset, over each field's whole range and beyond it:
/// never a panic, the edited layer stays in range, and whatever `analyze` says about the
/// result is what the editor will show.
#[test]
fn every_edit_of_every_preset_is_clamped_and_analysable() {
    for (name, spec) in ModelSpec::presets() {
        for (i, layer) in spec.layers.iter().enumerate() {
            for r in fields(layer) {
                for v in [0, 1, 2, 3, r.max, r.max + 1, 1000] {
                    let e = set_field(layer, r.field, &v.to_string()).unwrap();
                    for after in fields(&e.layer) {
                        if after.field == r.field || after.field == Field::Pad {
                            assert!(
                                (after.min..=after.max).contains(&after.value),
                                "{name} layer {i}: {:?} = {v} gave {}",
                                r.field,
                                e.layer
                            );
                        }
                    }
                    let mut edited = spec.clone();
                    edited.layers[i] = e.layer.clone();
                    // Round trip through the text form the editor writes.
                    let text = edited.to_string();
                    match (edited.analyze(), ModelSpec::parse(&text)) {
                        (Ok(_), Ok(parsed)) => assert_eq!(parsed, edited),
                        (Err(a), Err(b)) => assert_eq!(a.layer, b.layer, "{text}"),
                        (a, b) => panic!("{text}: analyze {a:?} vs parse {b:?}"),
                    }
                }
            }
        }
    }
}

#[test]
fn inserted_default_layers_keep_a_network_valid() {
    // Inserting any kind right after conv1 of ref-A (before the final dense10 for dense).
    for kind in LayerKind::ALL {
        let mut spec = ModelSpec::ref_a();
        let at = if kind == LayerKind::Dense {
            spec.layers.len() - 1
        } else {
            1
        };
        spec.layers.insert(at, kind.default_layer());
        let infos = spec
            .analyze()
            .unwrap_or_else(|e| panic!("{kind:?}: {e} ({spec})"));
        assert_eq!(infos.len(), 8);
        // The text form parses back to the same network.
        assert_eq!(ModelSpec::parse(&spec.to_string()).unwrap(), spec);
    }
}
