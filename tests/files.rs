// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The model file and the MNIST data file: round trips, validation, and no panics on garbage.

use convscope::data::mnist::{DataError, Mnist, TEST, TRAIN};
use convscope::nn::model::{Model, ModelFileError};
use convscope::nn::spec::ModelSpec;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn model_file_round_trip() {
    for spec in [
        ModelSpec::ref_a(),
        ModelSpec::ref_b(),
        ModelSpec::parse("avg2,dense10").unwrap(),
    ] {
        let m = Model::new(&spec, 5).unwrap();
        let b = m.to_bytes();
        assert_eq!(&b[..4], b"CSM1");
        let arch = spec.to_string();
        assert_eq!(
            u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize,
            arch.len()
        );
        assert_eq!(&b[8..8 + arch.len()], arch.as_bytes());
        let count = m.param_vectors().iter().map(Vec::len).sum::<usize>();
        assert_eq!(b.len(), 12 + arch.len() + 4 * count);
        let back = Model::from_bytes(&b).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_bytes(), b);
    }
    // ref-A's file is ~24 KB (5,994 f32 parameters).
    assert_eq!(
        Model::new(&ModelSpec::ref_a(), 0).unwrap().to_bytes().len(),
        12 + 56 + 4 * 5994
    );
}

#[test]
fn model_file_rejects_bad_input() {
    let m = Model::new(&ModelSpec::ref_b(), 1).unwrap();
    let good = m.to_bytes();
    let arch_len = ModelSpec::ref_b().to_string().len();
    // Every strict prefix is rejected.
    for n in 0..good.len() {
        assert!(
            Model::from_bytes(&good[..n]).is_err(),
            "prefix of {n} bytes accepted"
        );
    }
    assert_eq!(Model::from_bytes(b"CSM2"), Err(ModelFileError::BadMagic));
    let mut extra = good.clone();
    extra.push(0);
    assert_eq!(
        Model::from_bytes(&extra),
        Err(ModelFileError::TrailingBytes(1))
    );
    let mut huge = good.clone();
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Model::from_bytes(&huge),
        Err(ModelFileError::ArchTooLong(_))
    ));
    let mut count = good.clone();
    count[8 + arch_len..12 + arch_len].copy_from_slice(&5993u32.to_le_bytes());
    assert_eq!(
        Model::from_bytes(&count),
        Err(ModelFileError::ParamCount {
            expected: 5994,
            found: 5993
        })
    );
    let mut nan = good.clone();
    let at = 12 + arch_len + 4 * 17;
    nan[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(Model::from_bytes(&nan), Err(ModelFileError::NotFinite(17)));
    let mut arch = good.clone();
    arch[8] = b'x';
    assert!(matches!(
        Model::from_bytes(&arch),
        Err(ModelFileError::Arch(_))
    ));
    arch[8] = 0xff;
    assert_eq!(Model::from_bytes(&arch), Err(ModelFileError::ArchNotUtf8));

    // Random garbage and random corruptions of a good file never panic.
    let mut r = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..3000 {
        let mut b: Vec<u8> = (0..r.random_range(0..64)).map(|_| r.random()).collect();
        if r.random_bool(0.5) {
            b.splice(0..0, b"CSM1".iter().copied());
        }
        assert!(Model::from_bytes(&b).is_err());
        let mut c = good.clone();
        for _ in 0..r.random_range(1..4) {
            let i = r.random_range(0..c.len().min(80));
            c[i] = r.random();
        }
        let _ = Model::from_bytes(&c);
    }
}

fn mnb1(n: u32, rows: u16, cols: u16, body: usize) -> Vec<u8> {
    let mut b = b"MNB1".to_vec();
    b.extend_from_slice(&n.to_le_bytes());
    b.extend_from_slice(&rows.to_le_bytes());
    b.extend_from_slice(&cols.to_le_bytes());
    b.extend_from_slice(&7u32.to_le_bytes());
    b.resize(16 + body, 0);
    b
}

#[test]
fn mnist_parse_validates() {
    let ok = mnb1(2, 28, 28, 2 * 785);
    let d = Mnist::parse(&ok).unwrap();
    assert_eq!((d.len(), d.seed(), d.label(1)), (2, 7, 0));
    for n in 0..ok.len() {
        assert!(
            Mnist::parse(&ok[..n]).is_err(),
            "prefix of {n} bytes accepted"
        );
    }
    assert_eq!(
        Mnist::parse(b"MNB0xxxxxxxxxxxxxxx"),
        Err(DataError::BadMagic)
    );
    assert_eq!(
        Mnist::parse(&mnb1(2, 28, 27, 2 * 785)),
        Err(DataError::BadSize { rows: 28, cols: 27 })
    );
    assert_eq!(Mnist::parse(&mnb1(0, 28, 28, 0)), Err(DataError::Empty));
    assert!(matches!(
        Mnist::parse(&mnb1(u32::MAX, 28, 28, 10)),
        Err(DataError::BadLength { .. })
    ));
    let mut bad_label = ok.clone();
    *bad_label.last_mut().unwrap() = 10;
    assert_eq!(
        Mnist::parse(&bad_label),
        Err(DataError::BadLabel {
            index: 1,
            label: 10
        })
    );
    let mut r = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..3000 {
        let mut b: Vec<u8> = (0..r.random_range(0..2000)).map(|_| r.random()).collect();
        if r.random_bool(0.5) && b.len() >= 4 {
            b[..4].copy_from_slice(b"MNB1");
        }
        let _ = Mnist::parse(&b);
    }
}

#[test]
fn mnist_missing_file_says_how_to_make_it() {
    let e = Mnist::load("/nonexistent/mnist-10k.bin").unwrap_err();
    assert!(e.to_string().contains("node tools/make-mnist.mjs"), "{e}");
}

/// The generated data file is the benchmark's: same size, seed and per-digit split counts
/// (printed by both make-data.mjs and make-mnist.mjs).
#[test]
fn mnist_file_matches_the_benchmark_split() {
    let d = Mnist::load_default().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.len(), 10_000);
    assert_eq!(d.seed(), 20_240_613);
    let count = |r: std::ops::Range<usize>| {
        let mut c = [0usize; 10];
        for i in r {
            c[d.label(i) as usize] += 1;
        }
        c
    };
    assert_eq!(
        count(TRAIN),
        [800, 912, 802, 835, 756, 690, 801, 871, 743, 790]
    );
    assert_eq!(
        count(TEST),
        [201, 215, 189, 197, 224, 173, 213, 199, 201, 188]
    );
    let img = d.image(0);
    assert_eq!(img.len(), 784);
    assert!(img.iter().all(|v| (0.0..=1.0).contains(v)));
    assert!(d.pixels(0).contains(&255), "ink saturates");
}
