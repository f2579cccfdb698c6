// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The `arch=` form: round trips, shapes, validation errors that name the layer, and parse
//! never panicking on junk.

use convscope::nn::spec::{training_flops_per_example, LayerSpec, ModelSpec, Shape, SpecError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn reference_networks_display_and_round_trip() {
    let a = ModelSpec::ref_a();
    assert_eq!(
        a.to_string(),
        "conv8k5s1p2,relu,max2s2,conv16k5s1p2,relu,max3s3,dense10"
    );
    assert_eq!(ModelSpec::parse(&a.to_string()).unwrap(), a);
    let b = ModelSpec::ref_b();
    assert_eq!(
        b.to_string(),
        "conv8k5s1p0,relu,max2s2,conv16k5s1p0,relu,max2s2,dense10"
    );
    assert_eq!(ModelSpec::parse(&b.to_string()).unwrap(), b);
}

#[test]
fn reference_networks_analyze_like_the_benchmark_table() {
    // benchmark README: ref-A 28x28x8 -> 14x14x8 -> 14x14x16 -> 4x4x16 -> 10, 5,994 params,
    // 786,560 MACs; ref-B 24x24x8 -> 12x12x8 -> 8x8x16 -> 4x4x16 -> 10, 5,994, 322,560.
    let a = ModelSpec::ref_a().analyze().unwrap();
    let outs: Vec<String> = a.iter().map(|i| i.output.to_string()).collect();
    assert_eq!(
        outs,
        [
            "8×28×28",
            "8×28×28",
            "8×14×14",
            "16×14×14",
            "16×14×14",
            "16×4×4",
            "10"
        ]
    );
    let names: Vec<&str> = a.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "dense1"]
    );
    assert_eq!(a[0].detail, "5×5, stride 1, pad 2");
    assert_eq!(a[2].detail, "max 2×2, stride 2");
    assert_eq!(a.iter().map(|i| i.params).sum::<usize>(), 5994);
    assert_eq!(a.iter().map(|i| i.macs).sum::<usize>(), 786_560);
    assert_eq!(a[6].input, Shape { c: 16, h: 4, w: 4 });

    let b = ModelSpec::ref_b().analyze().unwrap();
    let outs: Vec<String> = b.iter().map(|i| i.output.to_string()).collect();
    assert_eq!(
        outs,
        [
            "8×24×24",
            "8×24×24",
            "8×12×12",
            "16×8×8",
            "16×8×8",
            "16×4×4",
            "10"
        ]
    );
    assert_eq!(b.iter().map(|i| i.params).sum::<usize>(), 5994);
    assert_eq!(b.iter().map(|i| i.macs).sum::<usize>(), 322_560);
    // The training FLOPs ../shared/bench/README.md lists for these nets (3 × forward).
    assert_eq!(training_flops_per_example(&a), 4_719_360);
    assert_eq!(training_flops_per_example(&b), 1_935_360);
}

#[test]
fn lenient_forms() {
    // Stride/pad may be left out, `same` padding, pool stride defaults to the window,
    // whitespace and upper case are tolerated; display writes the full form.
    let s = ModelSpec::parse(" Conv8K5pSame , RELU, max2, avg3s1 ,conv4k3,dense10 ").unwrap();
    assert_eq!(
        s.layers,
        [
            LayerSpec::Conv {
                filters: 8,
                kernel: 5,
                stride: 1,
                pad: 2,
                dilation: 1
            },
            LayerSpec::Relu,
            LayerSpec::MaxPool {
                window: 2,
                stride: 2
            },
            LayerSpec::AvgPool {
                window: 3,
                stride: 1
            },
            LayerSpec::Conv {
                filters: 4,
                kernel: 3,
                stride: 1,
                pad: 0,
                dilation: 1
            },
            LayerSpec::Dense { units: 10 },
        ]
    );
    assert_eq!(
        s.to_string(),
        "conv8k5s1p2,relu,max2s2,avg3s1,conv4k3s1p0,dense10"
    );
    let infos = s.analyze().unwrap();
    assert_eq!(infos[0].output, Shape { c: 8, h: 28, w: 28 }); // same
    assert_eq!(infos[3].output, Shape { c: 8, h: 12, w: 12 }); // avg 3 stride 1 on 14
    assert_eq!(infos[3].name, "pool2"); // max and avg share the count
                                        // Logistic regression and a hidden dense layer are fine too.
    assert!(ModelSpec::parse("dense10").is_ok());
    assert_eq!(
        ModelSpec::parse("dense64,relu,dense10")
            .unwrap()
            .param_count(),
        784 * 64 + 64 + 650
    );
}

fn err(s: &str) -> SpecError {
    match ModelSpec::parse(s) {
        Err(e) => e,
        Ok(spec) => panic!("{s:?} parsed as {spec}"),
    }
}

#[test]
fn errors_name_the_layer() {
    // 28 → conv k9 s4: 5 → max2: 2 → conv2 with a 5×5 kernel does not fit.
    let e = err("conv4k9s4,max2,conv4k5,dense10");
    assert_eq!(
        e.to_string(),
        "conv2: a 5×5 kernel does not fit the 2×2 input (no padding): use padding ≥ 2 or a smaller kernel"
    );
    assert_eq!(e.layer, Some(2));
    assert_eq!(
        err("conv4k9s4,max2,conv4k5p1,dense10").to_string(),
        "conv2: a 5×5 kernel does not fit the 2×2 input padded by 1 (4×4): use padding ≥ 2 or a smaller kernel"
    );
    assert_eq!(
        err("relu,dense5").to_string(),
        "dense1: the last layer must be dense10 (one score per digit), found dense5"
    );
    assert_eq!(err("conv8k5,relu").name, "relu1");
    assert_eq!(
        err("conv0k3,dense10").to_string(),
        "conv1: filters must be at least 1"
    );
    assert_eq!(
        err("conv8k0,dense10").to_string(),
        "conv1: kernel must be at least 1"
    );
    assert_eq!(
        err("conv8k3s0,dense10").to_string(),
        "conv1: stride must be at least 1"
    );
    assert_eq!(
        err("conv8k3,max2s0,dense10").to_string(),
        "pool1: stride must be at least 1"
    );
    assert_eq!(
        err("conv8k3,max0,dense10").to_string(),
        "pool1: window must be at least 1"
    );
    assert_eq!(
        err("dense0,dense10").to_string(),
        "dense1: units must be at least 1"
    );
    assert_eq!(
        err("conv65k3,dense10").to_string(),
        "conv1: filters 65 is too large (at most 64)"
    );
    assert_eq!(
        err("conv8k11,dense10").to_string(),
        "conv1: kernel 11 is too large (at most 9)"
    );
    assert_eq!(
        err("conv8k3s5,dense10").to_string(),
        "conv1: stride 5 is too large (at most 4)"
    );
    assert_eq!(
        err("conv8k3p3,dense10").to_string(),
        "conv1: pad 3 must be smaller than the kernel 3×3: use pad 0 to 2 (more only adds outputs that see nothing but zeros)"
    );
    assert_eq!(
        err("dense2000,dense10").to_string(),
        "dense1: units 2000 is too large (at most 1024)"
    );
    assert!(err("dense1024,dense1024,dense1024,dense10")
        .to_string()
        .starts_with("dense3: the network has"));
    assert!(err("conv64k9psame,conv64k9psame,conv64k9psame,dense10")
        .message
        .contains("multiply-adds"));
    assert_eq!(
        err("conv8k4psame,dense10").to_string(),
        "layer 1 (\"conv8k4psame\"): pad \"same\" needs an odd kernel, got 4×4: use kernel 3 or 5, or a number for the padding"
    );
    assert_eq!(err("conv8k5,rleu,dense10").layer, Some(1));
    assert!(err("conv8k5,rleu,dense10")
        .to_string()
        .starts_with("layer 2 (\"rleu\"): cannot read"));
    assert_eq!(err("conv8k5,,dense10").name, "layer 2");
    assert_eq!(err("").name, "arch");
    assert_eq!(
        err("max30,dense10").to_string(),
        "pool1: window 30 is too large (at most 9)"
    );
    assert_eq!(
        err("conv8k9s4,max6,dense10").to_string(),
        "pool1: window 6×6 is larger than the input 5×5: use a window of at most 5"
    );
}

/// Every string the fuzzer makes either fails cleanly or parses to a spec that round-trips.
fn check_no_panic(s: &str) -> bool {
    match std::panic::catch_unwind(|| ModelSpec::parse(s)) {
        Ok(Ok(spec)) => {
            assert_eq!(
                ModelSpec::parse(&spec.to_string()).as_ref(),
                Ok(&spec),
                "{s:?}"
            );
            assert!(spec.analyze().is_ok());
            true
        }
        Ok(Err(e)) => {
            assert!(!e.message.is_empty() && !e.name.is_empty());
            false
        }
        Err(_) => panic!("parse panicked on {s:?}"),
    }
}

#[test]
fn parse_never_panics_on_junk() {
    let fixed = [
        "",
        ",",
        ",,,",
        " ",
        "conv",
        "convk",
        "conv8",
        "conv8k",
        "conv8k5s",
        "conv8k5p",
        "conv8k5psam",
        "conv8k5s1p2s1",
        "conv99999999999999999999k5,dense10",
        "dense18446744073709551616",
        "dense10,",
        ",dense10",
        "dense10 dense10",
        "max",
        "maxs2",
        "max2s",
        "avg2s2s2",
        "conv8k5×",
        "ｃｏｎｖ8k5",
        "dense１０",
        "relu,relu,relu",
        "dense10\0",
        "dense-10",
        "dense+10",
        "dense1e1",
        "conv8k5s1p2,relu,max2s2,conv16k5s1p2,relu,max3s3,dense10,",
        "conv4294967296k3,dense10",
        "conv8k3p9,dense10",
        "conv1k1s4,conv1k1s4,conv1k1s4,dense10",
        "max9s9,max9s9,dense10",
        "avg9,dense10",
    ];
    for s in fixed {
        check_no_panic(s);
    }
    let long = "relu,".repeat(1000) + "dense10";
    check_no_panic(&long);
    check_no_panic(&"9".repeat(5000));

    let mut r = ChaCha8Rng::seed_from_u64(1);
    let pieces = [
        "conv", "k", "s", "p", "same", "max", "avg", "relu", "dense", ",", "0", "1", "2", "3", "5",
        "8", "9", "10", "16", "64", "65", "1024", "99999", " ", "x", "×", "-", "d", "dwconv",
        "res(", "(", ")", "res",
    ];
    let mut ok = 0;
    for _ in 0..20_000 {
        let n = r.random_range(0..20);
        let s: String = (0..n)
            .map(|_| pieces[r.random_range(0..pieces.len())])
            .collect();
        ok += check_no_panic(&s) as usize;
    }
    // Structured junk: plausible layers with random (often invalid) numbers.
    for _ in 0..20_000 {
        let n = r.random_range(1..6);
        let mut layers: Vec<String> = (0..n)
            .map(|_| match r.random_range(0..8) {
                0 => format!(
                    "conv{}k{}s{}p{}",
                    r.random_range(0..70),
                    r.random_range(0..12),
                    r.random_range(0..6),
                    r.random_range(0..6)
                ),
                5 => format!(
                    "dwconv{}s{}p{}d{}",
                    r.random_range(0..12),
                    r.random_range(0..6),
                    r.random_range(0..14),
                    r.random_range(0..5)
                ),
                6 => format!(
                    "conv{}k{}s{}p{}d{}",
                    r.random_range(0..10),
                    r.random_range(0..12),
                    r.random_range(0..6),
                    r.random_range(0..14),
                    r.random_range(0..5)
                ),
                7 => format!(
                    "res(conv{}k3s1p1,relu,dwconv{}psame{})",
                    r.random_range(0..10),
                    r.random_range(0..6),
                    ["", "d2", "d3", ",relu", ",max2"][r.random_range(0..5)]
                ),
                1 => "relu".into(),
                2 => format!("max{}s{}", r.random_range(0..12), r.random_range(0..5)),
                3 => format!("avg{}s{}", r.random_range(0..12), r.random_range(0..5)),
                _ => format!("dense{}", r.random_range(0..40)),
            })
            .collect();
        layers.push("dense10".into());
        ok += check_no_panic(&layers.join(",")) as usize;
    }
    // Random bytes (lossily decoded).
    for _ in 0..5_000 {
        let bytes: Vec<u8> = (0..r.random_range(0..40)).map(|_| r.random()).collect();
        check_no_panic(&String::from_utf8_lossy(&bytes));
    }
    assert!(
        ok > 1000,
        "the fuzzer should also produce valid specs ({ok})"
    );
}

#[test]
fn new_layers_display_and_round_trip() {
    let cases = [
        // Dilation is written only when it is not 1, so older strings stay as they were.
        ("conv8k5s1p2", "conv8k5s1p2"),
        ("conv8k3s1p2d2", "conv8k3s1p2d2"),
        ("conv8k3d1", "conv8k3s1p0"),
        ("conv8k3psamed2", "conv8k3s1p2d2"),
        ("conv8k3s2psamed3", "conv8k3s2p3d3"),
        ("conv8k4psamed2", "conv8k4s1p3d2"),
        ("conv8k9psamed3", "conv8k9s1p12d3"),
        ("dwconv3s1p1", "dwconv3s1p1"),
        ("dwconv3", "dwconv3s1p0"),
        ("dwconvk5s2p2d2", "dwconv5s2p2d2"),
        ("DWCONV3PSAME", "dwconv3s1p1"),
        (
            "res(conv1k3s1p1,relu,conv1k3s1p1)",
            "res(conv1k3s1p1,relu,conv1k3s1p1)",
        ),
        (" res ( conv1k3psame , relu ) ", "res(conv1k3s1p1,relu)"),
    ];
    for (input, shown) in cases {
        let arch = format!("{input},dense10");
        let spec = ModelSpec::parse(&arch).unwrap_or_else(|e| panic!("{arch}: {e}"));
        assert_eq!(spec.to_string(), format!("{shown},dense10"), "{arch}");
        assert_eq!(ModelSpec::parse(&spec.to_string()).unwrap(), spec);
    }
    let s = ModelSpec::parse(
        "conv8k3s1p1,relu,res(conv8k3s1p1,relu,conv8k3s1p1),dwconv3s2p2d2,dense10",
    )
    .unwrap();
    assert_eq!(
        s.layers[2],
        LayerSpec::Residual {
            layers: vec![
                LayerSpec::Conv {
                    filters: 8,
                    kernel: 3,
                    stride: 1,
                    pad: 1,
                    dilation: 1
                },
                LayerSpec::Relu,
                LayerSpec::Conv {
                    filters: 8,
                    kernel: 3,
                    stride: 1,
                    pad: 1,
                    dilation: 1
                },
            ]
        }
    );
    assert_eq!(
        s.layers[3],
        LayerSpec::DwConv {
            kernel: 3,
            stride: 2,
            pad: 2,
            dilation: 2
        }
    );
    // Names count each kind, inside blocks too; the block's info lists its layers.
    let infos = s.analyze().unwrap();
    let names: Vec<&str> = infos.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["conv1", "relu1", "res1", "dwconv1", "dense1"]);
    let inner: Vec<&str> = infos[2].inner.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(inner, ["conv2", "relu2", "conv3"]);
    assert_eq!(infos[2].params, 2 * (8 * 72 + 8));
    assert_eq!(infos[2].output, Shape { c: 8, h: 28, w: 28 });
    assert_eq!(infos[2].detail, "input + 3 layers (skip connection)");
    // dwconv: 28 + 4 − 2·2 − 1 = 27, ⌊27/2⌋ + 1 = 14; 8 filters of 3×3 plus 8 biases.
    assert_eq!(infos[3].output, Shape { c: 8, h: 14, w: 14 });
    assert_eq!(infos[3].params, 8 * 9 + 8);
    assert_eq!(infos[3].macs, 8 * 9 * 14 * 14);
    assert_eq!(
        infos[3].detail,
        "depthwise 3×3, stride 2, pad 2, dilation 2"
    );
    // Serde: a conv without "dilation" (as older messages carry it) reads as dilation 1.
    let old: LayerSpec =
        serde_json::from_str(r#"{"Conv":{"filters":8,"kernel":5,"stride":1,"pad":2}}"#).unwrap();
    assert_eq!(old, ModelSpec::ref_a().layers[0]);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), s);
}

#[test]
fn size_arithmetic_and_dense_equivalent() {
    let a = ModelSpec::ref_a().analyze().unwrap();
    let conv1 = a[0].size.unwrap();
    assert_eq!(
        (
            conv1.input,
            conv1.pad,
            conv1.dilation,
            conv1.kernel,
            conv1.stride,
            conv1.output
        ),
        (28, 2, 1, 5, 1, 28)
    );
    assert_eq!(
        conv1.to_string(),
        "⌊(28 + 2·2 − 1·(5 − 1) − 1) / 1⌋ + 1 = 28"
    );
    assert_eq!((conv1.remainder, conv1.dropped, conv1.span), (0, 0, 5));
    // conv1 of ref-A: 208 parameters; as a dense layer 28×28×1 → 28×28×8 it would need
    // 784·6272 + 6272.
    assert_eq!(a[0].params, 208);
    assert_eq!(a[0].dense_params, Some(4_923_520));
    assert_eq!(
        a[3].dense_params,
        Some(8 * 14 * 14 * 16 * 14 * 14 + 16 * 14 * 14)
    );
    assert_eq!(a[1].size, None);
    assert_eq!(a[1].dense_params, None);
    // Beyond 32 bits (wasm32's usize): 64×32×32 → 64×34×34 as a dense layer.
    let big = ModelSpec::parse("conv64k3s1p2,conv64k3s1p2,conv64k3s1p2,dense10")
        .unwrap()
        .analyze()
        .unwrap();
    assert_eq!(big[2].dense_params, Some(4_848_689_408));
    assert!(err("conv64k9psame,conv64k9psame,dense10")
        .to_string()
        .starts_with("conv2: this layer alone needs 260112384 multiply-adds"));
    // pool2 of ref-A: 3×3 windows, stride 3 on 14: ⌊11/3⌋ + 1 = 4, and 2 rows dropped.
    let pool2 = a[5].size.unwrap();
    assert_eq!((pool2.output, pool2.remainder, pool2.dropped), (4, 2, 2));
    assert_eq!(
        pool2.to_string(),
        "⌊(14 + 2·0 − 1·(3 − 1) − 1) / 3⌋ + 1 = 4"
    );
    // A remainder inside the padding drops no input: 28 + 2 − 3 = 27, stride 2 → 1 left
    // over, which is the last padding column.
    let s = ModelSpec::parse("conv4k3s2p1,conv4k3s2p0d2,max1s3,dense10").unwrap();
    let infos = s.analyze().unwrap();
    let c1 = infos[0].size.unwrap();
    assert_eq!((c1.output, c1.remainder, c1.dropped), (14, 1, 0));
    // 14 − 5 = 9, stride 2: one row of the input is never read.
    let c2 = infos[1].size.unwrap();
    assert_eq!((c2.span, c2.output, c2.remainder, c2.dropped), (5, 5, 1, 1));
    assert_eq!(c2.to_string(), "⌊(14 + 2·0 − 2·(3 − 1) − 1) / 2⌋ + 1 = 5");
    // A 1×1 window with stride 3 leaves gaps of 2 between windows.
    let p = infos[2].size.unwrap();
    assert_eq!((p.output, p.gap, p.remainder, p.dropped), (2, 2, 1, 1));
}

#[test]
fn new_layer_errors_name_the_layer_and_the_fix() {
    // 28 → conv k9 s4: 5 → max2: 2 → … a dilated kernel that does not fit.
    assert_eq!(
        err("conv4k9s4,max2s1,conv4k5p1d2,dense10").to_string(),
        "conv2: a 5×5 kernel (dilated: 9×9) does not fit the 4×4 input padded by 1 (6×6): use padding ≥ 3 or a smaller kernel"
    );
    assert_eq!(
        err("conv4k3s1p1,res(conv8k3s1p1),dense10").to_string(),
        "res1: the block turns 4×28×28 into 8×28×28; a skip connection needs the same shape — give its last conv (conv2) 4 filters"
    );
    let e = err("conv8k3s2p1,relu,res(conv8k3s1p1,relu,conv16k3s1p1),dense10");
    assert_eq!(
        e.to_string(),
        "res1: the block turns 8×14×14 into 16×14×14; a skip connection needs the same shape — give its last conv (conv3) 8 filters"
    );
    assert_eq!((e.layer, e.inner), (Some(2), None));
    assert!(err("conv8k3,res(conv8k3s1p0),dense10")
        .to_string()
        .ends_with("keep the size inside the block: stride 1, padding \"same\" and no pooling"));
    assert!(err("dense8,res(dense4),dense10")
        .to_string()
        .ends_with("give its last dense layer (dense2) 8 units"));
    let e = err("conv8k3,res(conv8k3s1p1,dwconv3s1p1d0),dense10");
    assert_eq!(e.to_string(), "dwconv1: dilation must be at least 1");
    assert_eq!((e.layer, e.inner), (Some(1), Some(1)));
    assert_eq!(
        err("conv8k3d4,dense10").to_string(),
        "conv1: dilation 4 is too large (at most 3)"
    );
    assert_eq!(
        err("conv8k3p5d2,dense10").to_string(),
        "conv1: pad 5 must be smaller than the dilated kernel (3×3 dilated by 2 spans 5×5): use pad 0 to 4 (more only adds outputs that see nothing but zeros)"
    );
    assert_eq!(
        err("conv8k4psamed3,dense10").to_string(),
        "layer 1 (\"conv8k4psamed3\"): pad \"same\" needs dilation·(kernel − 1) to be even, got 3·3 = 9: use an odd kernel, an even dilation, or a number for the padding"
    );
    assert_eq!(
        err("dwconv0,dense10").to_string(),
        "dwconv1: kernel must be at least 1"
    );
    assert_eq!(
        err("res(),dense10").to_string(),
        "layer 1 (\"res()\"): the residual block is empty: put at least one layer inside res(…)"
    );
    let nested = err("conv1k3,res(relu,res(relu)),dense10");
    assert_eq!(nested.layer, Some(1));
    assert!(nested.message.contains("cannot be nested"), "{nested}");
    assert!(err("res(relu,dense10").to_string().contains("never closed"));
    assert!(err("relu),dense10").to_string().contains("no matching"));
    assert!(err("relu(2),dense10")
        .to_string()
        .contains("only res(…) takes parentheses"));
    let e = err("res(relu,rleu),dense10");
    assert_eq!(e.name, "layer 1, block layer 2 (\"rleu\")");
    assert_eq!((e.layer, e.inner), (Some(0), Some(1)));
    // A programmatically built nested block is rejected by analyze as well.
    let nested = ModelSpec {
        layers: vec![
            LayerSpec::Residual {
                layers: vec![LayerSpec::Residual {
                    layers: vec![LayerSpec::Relu],
                }],
            },
            LayerSpec::Dense { units: 10 },
        ],
    };
    assert!(nested
        .analyze()
        .unwrap_err()
        .message
        .contains("cannot be nested"));
    // Layers inside blocks count towards the limit.
    let many = format!("res({}),dense10", vec!["relu"; 31].join(","));
    assert!(err(&many).message.contains("too many"));
}

#[test]
fn hostile_strings_give_errors_not_panics() {
    let long_parens = "(".repeat(5000);
    let fixed = [
        "conv8k3d0,dense10".to_string(),
        "conv8k0d2psame,dense10".into(),
        "conv8k99999999999psame,dense10".into(),
        "conv8k3psamed99999999999,dense10".into(),
        "conv8k3d99999999999999999999,dense10".into(),
        "dwconv99999999999s99999999999p99999999999d99999999999,dense10".into(),
        "conv99999999999k99999999999s99999999999p99999999999d99999999999,dense10".into(),
        "dwconv3psamed,dense10".into(),
        "dwconv,dense10".into(),
        "dwconvk,dense10".into(),
        "res,dense10".into(),
        "res(,dense10".into(),
        "res(),dense10".into(),
        "res(,),dense10".into(),
        "res((relu)),dense10".into(),
        "res(res(relu)),dense10".into(),
        "))((,dense10".into(),
        "res)relu(,dense10".into(),
        "res(relu)),dense10".into(),
        "res(relu)(relu),dense10".into(),
        "res(dense10)".into(),
        "res(relu,dense10),dense10".into(),
        "res(conv1k1)".into(),
        long_parens.clone(),
        "x".repeat(10_000),
        "res(".repeat(2500),
        format!("res({}),dense10", "relu,".repeat(2000)),
    ];
    for s in &fixed {
        assert!(!check_no_panic(s), "{s:?} should not parse");
    }
    assert!(ModelSpec::parse(&"x".repeat(10_000))
        .unwrap_err()
        .message
        .contains("too long"));
}

#[test]
fn presets_are_valid_and_round_trip() {
    let presets = ModelSpec::presets();
    assert_eq!(presets.len(), 6);
    for (name, spec) in &presets {
        let infos = spec.analyze().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            ModelSpec::parse(&spec.to_string()).as_ref(),
            Ok(spec),
            "{name}"
        );
        assert_eq!(infos.last().unwrap().output.c, 10, "{name}");
        println!("{name}: {} parameters, {spec}", spec.param_count());
    }
    assert_eq!(presets[0].1, ModelSpec::ref_a());
    assert_eq!(ModelSpec::lenet5_like().param_count(), 61_706);
    assert_eq!(ModelSpec::mlp().param_count(), 101_770);
    assert_eq!(ModelSpec::mlp().to_string(), "dense128,relu,dense10");
    let mlp = ModelSpec::mlp().analyze().unwrap();
    assert!(
        mlp.iter().all(|i| i.size.is_none()),
        "no convolution in the MLP"
    );
    assert!(ModelSpec::tiny_resnet()
        .layers
        .iter()
        .any(|l| matches!(l, LayerSpec::Residual { .. })));
    let m = ModelSpec::mobilenet_like();
    let dw = m
        .layers
        .iter()
        .position(|l| matches!(l, LayerSpec::DwConv { .. }))
        .unwrap();
    // A depthwise-separable block: the depthwise convolution, then (after ReLU) a 1×1 one.
    assert!(matches!(
        m.layers[dw + 2],
        LayerSpec::Conv { kernel: 1, .. }
    ));
}
