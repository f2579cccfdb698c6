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
        "8", "9", "10", "16", "64", "65", "1024", "99999", " ", "x", "×", "-",
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
            .map(|_| match r.random_range(0..5) {
                0 => format!(
                    "conv{}k{}s{}p{}",
                    r.random_range(0..70),
                    r.random_range(0..12),
                    r.random_range(0..6),
                    r.random_range(0..6)
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
