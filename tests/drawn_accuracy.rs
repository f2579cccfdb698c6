// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The shipped model classifies real pen-drawn digits after preprocessing.
//!
//! The 500 drawings of `shared/drawn-digits` (30 writers, 50 of each digit) go through
//! `to_mnist` and `www/model/default.cnn` (or `$CONVSCOPE_MODEL`); at least 85% must be right.
//! Run with `--nocapture` for the confusion matrix and the misses.

use convscope::data::preprocess::to_mnist;
use convscope::nn::model::Model;

#[path = "common/drawn_digits.rs"]
mod drawn_digits;

const MIN_ACCURACY: f64 = 0.85;

fn model_path() -> std::path::PathBuf {
    match std::env::var_os("CONVSCOPE_MODEL") {
        Some(p) => p.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/model/default.cnn"),
    }
}

fn argmax(p: &[f32; 10]) -> usize {
    (0..10).fold(0, |best, k| if p[k] > p[best] { k } else { best })
}

fn load_model() -> Model {
    let path = model_path();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model = Model::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!(
        "model {} ({} bytes), arch={}",
        path.display(),
        bytes.len(),
        model.spec()
    );
    model
}

#[test]
fn shipped_model_reads_drawn_digits() {
    let model = load_model();
    let digits = drawn_digits::load_drawn_digits().expect("drawn digits");
    assert_eq!(digits.len(), 500);
    check_accuracy(&model, &digits, "drawn digits");
}

#[test]
fn shipped_model_reads_small_drawn_digits() {
    // The same drawings shrunk to 40% about the pad's centre (about 70 pad px tall): a student
    // drawing small must not get fat strokes the network has never seen.
    let model = load_model();
    let mut digits = drawn_digits::load_drawn_digits().expect("drawn digits");
    for g in &mut digits {
        for p in g.strokes.iter_mut().flatten() {
            *p = (140.0 + (p.0 - 140.0) * 0.4, 140.0 + (p.1 - 140.0) * 0.4);
        }
    }
    check_accuracy(&model, &digits, "drawn digits at 40% size");
}

fn check_accuracy(model: &Model, digits: &[drawn_digits::DrawnDigit], what: &str) {
    let t = std::time::Instant::now();
    let mut confusion = [[0usize; 10]; 10];
    let mut by_writer = std::collections::BTreeMap::<u32, (usize, usize)>::new();
    let mut misses = Vec::new();
    for g in digits {
        let img = to_mnist(&g.strokes).expect("a drawing has ink");
        let p = model.predict(&img);
        let k = argmax(&p);
        confusion[g.label as usize][k] += 1;
        let w = by_writer.entry(g.writer).or_default();
        w.1 += 1;
        if k == g.label as usize {
            w.0 += 1;
        } else {
            misses.push(format!(
                "{} (writer {}): {} read as {k} ({:.2})",
                g.id, g.writer, g.label, p[k]
            ));
        }
    }
    let elapsed = t.elapsed();

    let correct: usize = (0..10).map(|d| confusion[d][d]).sum();
    let accuracy = correct as f64 / digits.len() as f64;
    println!(
        "{what}: {correct}/{} = {:.1}% in {elapsed:?}",
        digits.len(),
        accuracy * 100.0
    );
    println!("confusion (rows: drawn digit, columns: prediction)");
    println!(
        "      {}   acc",
        (0..10).map(|k| format!("{k:>4}")).collect::<String>()
    );
    for (d, row) in confusion.iter().enumerate() {
        let n: usize = row.iter().sum();
        println!(
            "  {d}:  {}  {:>4.0}%",
            row.iter().map(|c| format!("{c:>4}")).collect::<String>(),
            100.0 * row[d] as f64 / n as f64
        );
    }
    let writers: Vec<String> = by_writer
        .iter()
        .map(|(w, (c, n))| format!("{w}:{c}/{n}"))
        .collect();
    println!("per writer: {}", writers.join(" "));
    println!("misses:\n  {}", misses.join("\n  "));

    assert!(
        accuracy >= MIN_ACCURACY,
        "{what}: only {correct}/{} classified correctly ({:.1}% < {:.0}%)",
        digits.len(),
        accuracy * 100.0,
        MIN_ACCURACY * 100.0
    );
}
