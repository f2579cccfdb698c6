// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Preprocessing against real data: the 500 pen-drawn digits must come out looking like MNIST.
//!
//! Needs `../shared/drawn-digits/pendigits-train-writers.json` (or `$CONVSCOPE_DRAWN_DIGITS`)
//! and `www/data/mnist-10k.bin` (the 10,000 MNIST digits, made by `tools/make-mnist.mjs`).
//! Run with `--nocapture` to see the comparison table.

use std::time::Instant;

use convscope::data::mnist::Mnist;
use convscope::data::preprocess::{preprocess, sanitize, to_mnist, PAD_SIZE};

#[path = "common/drawn_digits.rs"]
mod drawn_digits;
#[path = "common/image_stats.rs"]
mod image_stats;

use drawn_digits::load_drawn_digits;
use image_stats::{ascii, image_stats, mean_stats, ImageStats};

#[test]
fn drawn_digits_load_as_described() {
    let digits = load_drawn_digits().expect("drawn digits");
    assert_eq!(digits.len(), 500);
    for d in 0..10u8 {
        assert_eq!(
            digits.iter().filter(|g| g.label == d).count(),
            50,
            "digit {d}"
        );
    }
    let mut writers: Vec<u32> = digits.iter().map(|g| g.writer).collect();
    writers.sort_unstable();
    writers.dedup();
    assert_eq!(writers.len(), 30);
    let multi = digits.iter().filter(|g| g.strokes.len() > 1).count();
    assert!((80..=200).contains(&multi), "{multi} multi-stroke drawings");
    for g in &digits {
        assert!(
            !g.strokes.is_empty() && g.strokes.iter().all(|s| !s.is_empty()),
            "{}",
            g.id
        );
        for &(x, y) in g.strokes.iter().flatten() {
            assert!(
                (0.0..=PAD_SIZE).contains(&x) && (0.0..=PAD_SIZE).contains(&y),
                "{}",
                g.id
            );
        }
        // Nothing to clean: real pad input passes through sanitize unchanged, apart from
        // repeated points (the tablet sometimes reports a position twice).
        let mut dedup = g.strokes.clone();
        dedup.iter_mut().for_each(|s| s.dedup());
        assert_eq!(sanitize(&g.strokes), dedup, "{}", g.id);
    }
    let first = &digits[0];
    assert_eq!(
        (first.id.as_str(), first.label, first.writer),
        ("pendigits-train-05823", 5, 15)
    );
    assert_eq!(first.strokes.len(), 2);
    assert_eq!(first.strokes[0][0], (81.3, 81.3));
}

fn row(name: &str, s: &ImageStats) -> String {
    format!(
        "{name:<10} {:>7.1} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.3}",
        s.ink, s.width, s.height, s.thickness, s.com_x, s.com_y, s.saturated
    )
}

#[test]
fn preprocessed_drawings_have_mnist_statistics() {
    let digits = load_drawn_digits().expect("drawn digits");
    let data = Mnist::load_default().expect("MNIST digits");
    assert_eq!(data.len(), 10_000);
    let mnist: Vec<(u8, Vec<f32>)> = (0..data.len())
        .map(|i| (data.label(i), data.image(i)))
        .collect();

    let t = Instant::now();
    let drawn: Vec<(u8, [f32; 784])> = digits
        .iter()
        .map(|g| (g.label, to_mnist(&g.strokes).expect("a drawing has ink")))
        .collect();
    let per_drawing = t.elapsed() / digits.len() as u32;

    println!(
        "{:<10} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "", "ink", "width", "height", "thick", "com x", "com y", "sat"
    );
    let mut by_digit = Vec::new();
    for d in 0..10u8 {
        let m: Vec<ImageStats> = mnist
            .iter()
            .filter(|x| x.0 == d)
            .map(|x| image_stats(&x.1))
            .collect();
        let o: Vec<ImageStats> = drawn
            .iter()
            .filter(|x| x.0 == d)
            .map(|x| image_stats(&x.1))
            .collect();
        let (m, o) = (mean_stats(&m), mean_stats(&o));
        println!(
            "{}\n{}",
            row(&format!("{d} MNIST"), &m),
            row(&format!("{d} drawn"), &o)
        );
        by_digit.push((d, m, o));
    }
    let m = mean_stats(&mnist.iter().map(|x| image_stats(&x.1)).collect::<Vec<_>>());
    let o = mean_stats(&drawn.iter().map(|x| image_stats(&x.1)).collect::<Vec<_>>());
    println!("{}\n{}", row("all MNIST", &m), row("all drawn", &o));
    println!("preprocessing one drawing: {per_drawing:?}");
    for (label, img) in drawn.iter().take(3) {
        println!("drawn {label}:\n{}\n", ascii(img));
    }

    // Centred like MNIST: (14, 14) on average, to a hundredth of a pixel for every drawing.
    assert!(
        (m.com_x - 14.0).abs() < 0.05 && (m.com_y - 14.0).abs() < 0.05,
        "{m:?}"
    );
    for (label, img) in &drawn {
        let s = image_stats(img);
        assert!(
            (s.com_x - 14.0).abs() < 0.01 && (s.com_y - 14.0).abs() < 0.01,
            "{label}: {s:?}"
        );
        assert!(s.height <= 21.0 && s.width <= 21.0, "{label}: {s:?}");
    }
    // The same amount of ink, box and stroke thickness as MNIST, overall ...
    let rel = |a: f64, b: f64| (a - b).abs() / b;
    assert!(
        rel(o.ink, m.ink) < 0.10,
        "ink {:.1} vs MNIST {:.1}",
        o.ink,
        m.ink
    );
    assert!(
        (o.height - m.height).abs() < 1.0,
        "height {:.2} vs {:.2}",
        o.height,
        m.height
    );
    assert!(
        (o.width - m.width).abs() < 1.5,
        "width {:.2} vs {:.2}",
        o.width,
        m.width
    );
    assert!(
        (o.thickness - m.thickness).abs() < 0.25,
        "thickness {:.2} vs {:.2}",
        o.thickness,
        m.thickness
    );
    assert!(
        (o.saturated - m.saturated).abs() < 0.1,
        "saturated {:.3} vs {:.3}",
        o.saturated,
        m.saturated
    );
    // ... and digit by digit, looser (people draw 1s and 7s differently from MNIST's writers).
    for (d, m, o) in &by_digit {
        assert!(
            rel(o.ink, m.ink) < 0.35,
            "{d}: ink {:.1} vs {:.1}",
            o.ink,
            m.ink
        );
        assert!(
            (o.thickness - m.thickness).abs() < 0.5,
            "{d}: thick {:.2} vs {:.2}",
            o.thickness,
            m.thickness
        );
    }
}

#[test]
fn drawings_map_their_ink_box_onto_the_20px_box() {
    for g in load_drawn_digits().expect("drawn digits") {
        let p = preprocess(&g.strokes).expect("ink");
        let longest = p.ink.width().max(p.ink.height()) as f32;
        assert!((longest * p.scale - 20.0).abs() < 1e-3, "{}", g.id);
        assert!(p.image.iter().all(|v| (0.0..=1.0).contains(v)), "{}", g.id);
    }
}

#[test]
fn moving_a_drawing_on_the_pad_does_not_change_the_input() {
    // Crop and centre of mass make the input independent of where the digit is drawn: a
    // whole-pixel shift of the strokes gives the same 28×28 image (up to float rounding).
    for g in load_drawn_digits().expect("drawn digits").iter().step_by(7) {
        let b = convscope::data::preprocess::stroke_bounds(&g.strokes, 0.0).unwrap();
        // As far as the pad allows, up to 40 px left/up or right/down, keeping the pen inside.
        let room = |lo: f32, hi: f32| {
            let (back, fwd) = ((lo - 13.0).max(0.0), (PAD_SIZE - 13.0 - hi).max(0.0));
            if fwd >= back {
                fwd.min(40.0).floor()
            } else {
                -back.min(40.0).floor()
            }
        };
        let (dx, dy) = (room(b.x0, b.x1), room(b.y0, b.y1));
        let moved: Vec<_> = g
            .strokes
            .iter()
            .map(|s| s.iter().map(|&(x, y)| (x + dx, y + dy)).collect())
            .collect();
        let (a, m) = (to_mnist(&g.strokes).unwrap(), to_mnist(&moved).unwrap());
        let diff = a
            .iter()
            .zip(&m)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f32::max);
        assert!(
            diff < 1e-3,
            "{} moved by ({dx}, {dy}): max difference {diff}",
            g.id
        );
    }
}
