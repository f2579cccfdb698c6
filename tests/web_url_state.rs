//! Issue 4, "for the classroom": the page's state in its address. Every parameter is read,
//! written back and read again the same; hostile values are clamped or rejected with a notice
//! that says what and why, never a panic, a hang or a NaN.
#![cfg(target_arch = "wasm32")]

use convscope::nn::model::Model;
use convscope::nn::optim::{Hyper, OptimizerKind};
use convscope::nn::receptive::Cell;
use convscope::nn::spec::ModelSpec;
use convscope::train::MAX_BATCH;
use convscope::ui::hyper_input::MAX_LEARNING_RATE;
use convscope::ui::url_state::{
    check_cell, encode_query, parse_cell, quote, read_query, write_query, CellInAddress,
    HiddenPanels, Panel, RecipeFlags, UrlRead, UrlSettings, DEFAULT_SEED,
};
use convscope::ui::urls::query_pairs;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn pairs(q: &str) -> Vec<(String, String)> {
    query_pairs(q)
}

fn read(q: &str) -> UrlRead {
    read_query(&pairs(q))
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

/// One notice, mentioning every one of `words`.
fn one_notice(r: &UrlRead, words: &[&str]) -> String {
    assert_eq!(r.notices.len(), 1, "{:?}", r.notices);
    let n = r.notices[0].clone();
    for w in words {
        assert!(n.contains(w), "{n:?} should mention {w:?}");
    }
    n
}

#[wasm_bindgen_test]
fn no_parameters_is_the_default_page() {
    for q in [
        "",
        "?",
        "?live=off",
        "?arch=dense10&bench",
        "?unknown=1&=&&x",
    ] {
        let r = read(q);
        assert_eq!(r.settings, UrlSettings::default(), "{q}");
        assert!(r.notices.is_empty(), "{q}: {:?}", r.notices);
    }
    let d = UrlSettings::default();
    assert_eq!(d.hyper, Hyper::default());
    assert_eq!(d.seed, DEFAULT_SEED);
    assert_eq!(d.recipe, RecipeFlags::default());
    assert!(d.recipe.augment && !d.recipe.decay && !d.recipe.shuffle);
    assert!(d.hidden.is_empty());
    assert_eq!(d.cell, None);
}

#[wasm_bindgen_test]
fn every_parameter_is_read() {
    let r = read(
        "?lr=0.01&batch=64&opt=sgd&seed=7&augment=off&decay=on&shuffle=on\
         &hide=kernels,pooling&cell=3.3.3.9&arch=dense10",
    );
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    let s = r.settings;
    assert_eq!(s.hyper.learning_rate, 0.01);
    assert_eq!(s.hyper.batch_size, 64);
    assert!(matches!(s.hyper.optimizer, OptimizerKind::Sgd { momentum } if momentum > 0.0));
    assert_eq!(s.seed, 7);
    assert_eq!(
        s.recipe,
        RecipeFlags {
            augment: false,
            decay: true,
            shuffle: true
        }
    );
    for p in Panel::ALL {
        let hidden = matches!(p, Panel::Kernels | Panel::Pooling);
        assert_eq!(s.hidden.is_hidden(p), hidden, "{p:?}");
    }
    assert_eq!(s.cell, Some(cell(3, 3, 3, 9)));

    // Case and spacing do not matter; Adam is Hyper::default()'s.
    let r = read("?opt=%20ADAM%20&augment=ON&decay=true&shuffle=0&lr=1e-3&hide=Maps,+CHARTS");
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    assert_eq!(r.settings.hyper, Hyper::default());
    assert!(r.settings.recipe.augment && r.settings.recipe.decay && !r.settings.recipe.shuffle);
    assert!(r.settings.hidden.is_hidden(Panel::Maps) && r.settings.hidden.is_hidden(Panel::Charts));
    // hide= adds up over repeats; every panel can be hidden by its name.
    let all = Panel::ALL.map(Panel::id).join("&hide=");
    let r = read(&format!("?hide={all}"));
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    assert!(Panel::ALL.iter().all(|p| r.settings.hidden.is_hidden(*p)));
    for p in Panel::ALL {
        assert_eq!(Panel::parse(p.id()), Some(p));
    }
}

#[wasm_bindgen_test]
fn hostile_learning_rates() {
    let default = Hyper::default().learning_rate;
    for bad in [
        "NaN", "nan", "inf", "-inf", "-1", "0", "-0", "abc", "", "1e-60", "0x10",
    ] {
        let r = read(&format!("?lr={bad}"));
        assert_eq!(r.settings.hyper.learning_rate, default, "lr={bad}");
        one_notice(&r, &["lr=", "default learning rate"]);
    }
    for (big, want) in [
        ("1e9", "1e9"),
        ("2", "2"),
        ("3.4e38", "3.4e38"),
        ("1e300", "1e300"),
    ] {
        let r = read(&format!("?lr={big}"));
        assert_eq!(
            r.settings.hyper.learning_rate, MAX_LEARNING_RATE,
            "lr={big}"
        );
        one_notice(&r, &[&format!("lr={want}"), "using 1"]);
    }
    assert_eq!(read("?lr=1").settings.hyper.learning_rate, 1.0);
    assert!(read("?lr=1").notices.is_empty());
}

#[wasm_bindgen_test]
fn hostile_batch_sizes() {
    for bad in ["-3", "3.5", "1e3", "abc", "", "+4", "0x20", "٣"] {
        let r = read_query(&[("batch".to_string(), bad.to_string())]);
        assert_eq!(r.settings.hyper.batch_size, 32, "batch={bad}");
        one_notice(&r, &["batch=", "default batch size, 32"]);
    }
    for big in ["99999", "257", "99999999999999999999999999"] {
        let r = read(&format!("?batch={big}"));
        assert_eq!(r.settings.hyper.batch_size, MAX_BATCH, "batch={big}");
        one_notice(&r, &["batch=", &format!("using {MAX_BATCH}")]);
    }
    let r = read("?batch=0");
    assert_eq!(r.settings.hyper.batch_size, 1);
    one_notice(&r, &["batch=0", "using 1"]);
    let r = read(&format!("?batch={MAX_BATCH}"));
    assert_eq!(r.settings.hyper.batch_size, MAX_BATCH);
    assert!(r.notices.is_empty());
}

#[wasm_bindgen_test]
fn hostile_seeds_optimizers_and_switches() {
    for bad in ["abc", "-1", "1.5", "", "99999999999999999999999", "0x2a"] {
        let r = read(&format!("?seed={bad}"));
        assert_eq!(r.settings.seed, DEFAULT_SEED, "seed={bad}");
        one_notice(&r, &["seed=", "default seed, 42"]);
    }
    assert_eq!(read("?seed=0").settings.seed, 0);
    assert_eq!(read(&format!("?seed={}", u64::MAX)).settings.seed, u64::MAX);
    let r = read("?opt=rmsprop");
    assert_eq!(r.settings.hyper.optimizer, Hyper::default().optimizer);
    one_notice(&r, &["opt=rmsprop", "opt=sgd or opt=adam"]);
    for key in ["augment", "decay", "shuffle"] {
        let r = read(&format!("?{key}=maybe"));
        assert_eq!(r.settings.recipe, RecipeFlags::default());
        one_notice(&r, &[&format!("{key}=maybe"), "on or off"]);
    }
}

#[wasm_bindgen_test]
fn unknown_panels_are_named_and_the_known_ones_hidden() {
    let r = read("?hide=kernels,foo,,bar");
    assert!(r.settings.hidden.is_hidden(Panel::Kernels));
    assert_eq!(
        r.settings.hidden,
        HiddenPanels::default().with(Panel::Kernels, true)
    );
    one_notice(
        &r,
        &["foo", "bar", "kernels, maps, pooling, cell, charts, editor"],
    );
    // Thousands of unknown names: listed a few, counted, quickly.
    let many = (0..5000)
        .map(|i| format!("p{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let r = read(&format!("?hide={}", &many[..90]));
    assert_eq!(r.notices.len(), 1);
    let r = read(&format!("?hide={many}"));
    one_notice(&r, &["hide=", "too long"]);
    let r = read(&format!("?hide={}", many.replace(',', "&hide=")));
    let n = one_notice(&r, &["p0", "and 4996 more"]);
    assert!(n.len() < 300, "{n}");
}

#[wasm_bindgen_test]
fn cells_are_parsed_then_checked_against_the_network() {
    for bad in [
        "abc",
        "1.2.3",
        "1.2.3.4.5.6",
        "1..2.3",
        "-1.0.0.0",
        "1.2.3.x",
        "",
        "1,2,3,4",
    ] {
        assert!(parse_cell(bad).is_err(), "{bad}");
        let r = read(&format!("?cell={bad}"));
        assert_eq!(r.settings.cell, None);
        one_notice(&r, &["cell=", "no cell is selected"]);
    }
    let r = read("?cell=99999999999999999999999.0.0.0");
    assert_eq!(r.settings.cell, None);
    one_notice(&r, &["cell=", "too large"]);

    // ref-A: conv1 8×28×28, relu1, pool1 8×14×14, conv2 16×14×14, relu2, pool2 16×4×4, dense1.
    let model = Model::new(&ModelSpec::ref_a(), 1).unwrap();
    let infos = model.infos();
    assert_eq!(check_cell(cell(3, 3, 3, 9), infos), Ok(cell(3, 3, 3, 9)));
    assert_eq!(
        check_cell(cell(0, 7, 27, 27), infos),
        Ok(cell(0, 7, 27, 27))
    );
    // A dense unit is not a window of inputs: nothing to look inside.
    let e = check_cell(cell(6, 9, 0, 0), infos).expect_err("dense1 has no cell view");
    assert!(
        e.contains("dense1") && e.contains("not a convolution"),
        "{e}"
    );
    for (bad, words) in [
        (
            cell(7, 0, 0, 0),
            &["cell=7.0.0.0", "no layer 7", "0 to 6"][..],
        ),
        (cell(usize::MAX, 0, 0, 0), &["no layer"][..]),
        (cell(3, 16, 0, 0), &["conv2 has 16 channels", "0 to 15"][..]),
        (cell(3, 0, 14, 0), &["row 14", "conv2", "rows 0 to 13"][..]),
        (
            cell(5, 0, 0, 4),
            &["column 4", "pool2", "columns 0 to 3"][..],
        ),
        (cell(6, 0, 1, 0), &["dense1"][..]),
    ] {
        let e = check_cell(bad, infos).expect_err("out of range");
        for w in words {
            assert!(e.contains(w), "{e:?} should mention {w:?}");
        }
    }
    assert!(check_cell(cell(0, 0, 0, 0), &[]).is_err());

    // Inside a residual block: LAYER.INNER.CHANNEL.ROW.COLUMN, both ways.
    let resnet = Model::new(&ModelSpec::tiny_resnet(), 1).unwrap();
    let block = resnet
        .spec()
        .layers
        .iter()
        .position(|l| matches!(l, convscope::nn::spec::LayerSpec::Residual { .. }))
        .unwrap();
    let inner = convscope::nn::receptive::Cell {
        inner: Some(2),
        ..cell(block, 1, 2, 3)
    };
    let text = convscope::ui::url_state::cell_to_query(&inner).unwrap();
    assert_eq!(text, format!("{block}.2.1.2.3"));
    assert_eq!(parse_cell(&text), Ok(inner));
    assert_eq!(check_cell(inner, resnet.infos()), Ok(inner));
    let missing = convscope::nn::receptive::Cell {
        inner: Some(9),
        ..inner
    };
    let e = check_cell(missing, resnet.infos()).expect_err("no such inner layer");
    assert!(e.contains("no layer 9 inside"), "{e}");
}

#[wasm_bindgen_test]
fn repeated_keys_use_the_first_and_say_so() {
    let r = read("?lr=0.1&lr=0.5&lr=0.1");
    assert_eq!(r.settings.hyper.learning_rate, 0.1);
    one_notice(
        &r,
        &[
            "2 different lr= values",
            "using the first, lr=0.1",
            "ignoring lr=0.5",
        ],
    );
    // The same value twice is no conflict.
    let r = read("?seed=7&seed=7");
    assert_eq!(r.settings.seed, 7);
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    // A bad first value: rejected, and the repeat is still named.
    let r = read("?batch=abc&batch=64");
    assert_eq!(r.settings.hyper.batch_size, 32);
    assert_eq!(r.notices.len(), 2, "{:?}", r.notices);
    // Ten thousand different values: named a few, counted, quickly.
    let q: String = (0..10_000).map(|i| format!("&seed={i}")).collect();
    let r = read(&q);
    assert_eq!(r.settings.seed, 0);
    let n = one_notice(&r, &["10000 different seed= values", "and 9995 more"]);
    assert!(n.len() < 300, "{n}");
}

#[wasm_bindgen_test]
fn huge_values_are_rejected_and_quoted_short() {
    let huge = "9".repeat(1_000_000);
    for key in ["lr", "batch", "seed", "cell", "opt", "augment"] {
        let r = read(&format!("?{key}={huge}"));
        assert_eq!(r.notices.len(), 1, "{key}");
        assert!(r.notices[0].len() < 300, "{key}: {}", r.notices[0].len());
        assert!(
            r.notices[0].contains("1000000 characters"),
            "{}",
            r.notices[0]
        );
    }
    let r = read(&format!("?lr={huge}&batch={huge}&seed={huge}"));
    assert_eq!(r.settings.hyper, Hyper::default());
    assert_eq!(r.settings.seed, DEFAULT_SEED);
    assert_eq!(quote("short"), "short");
    assert!(quote(&"é".repeat(100)).starts_with(&"é".repeat(24)));
}

#[wasm_bindgen_test]
fn the_address_is_written_back_as_it_runs() {
    let s = UrlSettings {
        hyper: Hyper {
            learning_rate: 0.05,
            batch_size: 100,
            optimizer: convscope::ui::hyper_input::OptimizerChoice::Sgd.kind(),
        },
        seed: 7,
        recipe: RecipeFlags {
            augment: false,
            decay: true,
            shuffle: true,
        },
        hidden: HiddenPanels::default()
            .with(Panel::Pooling, true)
            .with(Panel::Kernels, true),
        cell: Some(cell(3, 3, 3, 9)),
    };
    let before = pairs("?arch=dense10&seed=1&live=off&seed=2&lr=abc");
    let out = write_query(&before, &s, true, CellInAddress::Set(s.cell));
    let q = encode_query(&out);
    assert_eq!(
        q,
        "arch=dense10&seed=7&live=off&lr=0.05&batch=100&opt=sgd&augment=off&decay=on\
         &shuffle=on&hide=kernels,pooling&cell=3.3.3.9"
    );
    // Read back: the same settings, no notice.
    let r = read(&format!("?{q}"));
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    assert_eq!(r.settings, s);

    // Defaults are left out; other keys stay where they were.
    let out = write_query(
        &pairs("?live=off&lr=0.5&arch=x&hide=maps&cell=1.2.3.4"),
        &UrlSettings::default(),
        true,
        CellInAddress::Set(None),
    );
    assert_eq!(encode_query(&out), "live=off&arch=x");
    // Before the network is known, cell= is left as it is; without the recipe, so are its keys.
    let out = write_query(
        &pairs("?cell=9.9.9.9&augment=maybe"),
        &UrlSettings::default(),
        false,
        CellInAddress::Keep,
    );
    assert_eq!(encode_query(&out), "cell=9.9.9.9&augment=maybe");
    // What a hostile address runs is what it then says.
    let r = read("?lr=NaN&batch=99999&seed=abc&hide=kernels,foo&opt=x");
    let out = write_query(&[], &r.settings, true, CellInAddress::Set(None));
    assert_eq!(
        encode_query(&out),
        format!("batch={MAX_BATCH}&hide=kernels")
    );
}

#[wasm_bindgen_test]
fn encoding_round_trips_through_url_search_params() {
    let tricky = vec![
        (
            "arch".to_string(),
            "conv8k3,res(conv8k3s1p1,relu),dense10".to_string(),
        ),
        ("a b".to_string(), "x&y=z%20+é✓\u{0}".to_string()),
        (String::new(), String::new()),
    ];
    let q = encode_query(&tricky);
    assert!(
        q.starts_with("arch=conv8k3,res(conv8k3s1p1,relu),dense10&"),
        "{q}"
    );
    assert_eq!(query_pairs(&q), tricky);
    assert_eq!(query_pairs(&format!("?{q}")), tricky);
}
