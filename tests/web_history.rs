//! Chart history: bounded memory, first and last points kept, averages preserved.
#![cfg(target_arch = "wasm32")]

use convscope::ui::history::History;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn stays_bounded_however_long_training_runs() {
    let mut h = History::new(64);
    for i in 0..100_000 {
        h.push(i as f64, (i % 7) as f64);
        assert!(h.len() <= 64);
    }
    assert!(
        h.len() >= 32,
        "decimation halves, it does not empty: {}",
        h.len()
    );
    assert_eq!(h.capacity(), 64);
}

#[wasm_bindgen_test]
fn keeps_the_first_and_the_newest_point_exactly() {
    let mut h = History::new(16);
    for i in 0..1000 {
        h.push(10.0 + i as f64, 1000.0 - i as f64);
    }
    assert_eq!(h.first(), Some((10.0, 1000.0)));
    assert_eq!(h.last(), Some((1009.0, 1.0)));
    let xs: Vec<f64> = h.points().map(|p| p.0).collect();
    assert!(
        xs.windows(2).all(|w| w[0] < w[1]),
        "x stays increasing: {xs:?}"
    );
}

#[wasm_bindgen_test]
fn merged_points_are_weighted_means() {
    // A constant series stays constant; a linear one stays on its line.
    let mut flat = History::new(8);
    let mut line = History::new(8);
    for i in 0..500 {
        flat.push(i as f64, 0.25);
        line.push(i as f64, 2.0 * i as f64 + 1.0);
    }
    assert!(flat.points().all(|(_, y)| y == 0.25));
    for (x, y) in line.points() {
        assert!(
            (y - (2.0 * x + 1.0)).abs() < 1e-9,
            "({x}, {y}) is off the line"
        );
    }
}

#[wasm_bindgen_test]
fn drops_non_finite_values_and_clears() {
    let mut h = History::new(8);
    h.push(0.0, f64::NAN);
    h.push(f64::INFINITY, 1.0);
    assert!(h.is_empty());
    h.push(1.0, 2.0);
    assert_eq!(h.bounds(), Some(((1.0, 1.0), (2.0, 2.0))));
    h.clear();
    assert!(h.is_empty());
}
