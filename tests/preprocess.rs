// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Preprocessing on hand-made inputs whose results can be computed by hand.

use std::time::{Duration, Instant};

use convscope::data::preprocess::{
    bitmap_to_mnist, centre_of_mass, ink_box, network_pen_width, preprocess, preprocess_bitmap,
    rasterize, sanitize, stroke_bounds, to_mnist, InkBox, Stroke, MIN_PEN_WIDTH, MNIST_PIXELS,
    PAD_PIXELS, PEN_FRACTION, PEN_WIDTH,
};

#[path = "common/image_stats.rs"]
mod image_stats;

const EPS: f32 = 1e-4;

fn close(a: f32, b: f32, eps: f32) -> bool {
    (a - b).abs() <= eps
}

/// A `w`×`h` bitmap with `v` on the rectangle `[x0, x1) × [y0, y1)`.
fn rect_bitmap(w: usize, h: usize, x0: usize, y0: usize, x1: usize, y1: usize) -> Vec<f32> {
    let mut px = vec![0.0; w * h];
    for y in y0..y1 {
        for x in x0..x1 {
            px[y * w + x] = 1.0;
        }
    }
    px
}

/// Centre of mass of a 28×28 image in pixel-index coordinates (MNIST's "(14, 14)").
fn com_index(img: &[f32]) -> (f32, f32) {
    let (x, y) = centre_of_mass(img, 28, 28).expect("ink");
    (x - 0.5, y - 0.5)
}

fn sum(img: &[f32]) -> f32 {
    img.iter().sum()
}

fn row_sums(img: &[f32]) -> Vec<f32> {
    img.chunks(28).map(|r| r.iter().sum()).collect()
}

fn col_sums(img: &[f32]) -> Vec<f32> {
    (0..28)
        .map(|x| (0..28).map(|y| img[y * 28 + x]).sum())
        .collect()
}

/// Extent of a profile: its total over its largest entry (for a bar with half-covered
/// ends, the exact length).
fn extent(profile: &[f32]) -> f32 {
    let max = profile.iter().cloned().fold(0.0, f32::max);
    profile.iter().sum::<f32>() / max
}

// ---- rasterisation -------------------------------------------------------------------------

#[test]
fn rasterize_horizontal_line_has_exact_coverage_ramp() {
    // Pen 4 px wide along y = 10.5: row centres at distance 0, 1 are inside (1.0), at 2 the
    // edge (r = 2) cuts the pixel in half (0.5), at 3 nothing.
    let img = rasterize(&[vec![(20.0, 10.5), (200.0, 10.5)]], PAD_PIXELS, 4.0);
    let at = |x: usize, y: usize| img[y * PAD_PIXELS + x];
    for (row, want) in [
        (7, 0.0),
        (8, 0.5),
        (9, 1.0),
        (10, 1.0),
        (11, 1.0),
        (12, 0.5),
        (13, 0.0),
    ] {
        assert!(
            close(at(100, row), want, EPS),
            "row {row}: {} != {want}",
            at(100, row)
        );
    }
    // Round caps: beyond the end point, coverage falls off with the distance to it.
    assert!(close(at(201, 10), 1.0, EPS)); // centre 201.5, 1.5 px from the end
    assert!(close(at(202, 10), 0.0, EPS)); // 2.5 px from the end
    assert!(close(at(203, 10), 0.0, EPS));
    // Exact ink: a 180×4 rectangle plus a disc of radius 2 (two half caps), ≈ 720 + 12.6.
    let total: f32 = img.iter().sum();
    assert!(
        (total - (720.0 + std::f32::consts::PI * 4.0)).abs() < 1.5,
        "total {total}"
    );
}

#[test]
fn rasterize_single_point_is_a_dot_and_overlaps_take_the_max() {
    let r = 8.0f32;
    let dot = rasterize(&[vec![(100.0, 100.0)]], PAD_PIXELS, 2.0 * r);
    let area: f32 = dot.iter().sum();
    assert!(
        (area - std::f32::consts::PI * r * r).abs() < 1.0,
        "dot area {area}"
    );
    assert!(close(dot[99 * PAD_PIXELS + 99], 1.0, EPS));
    assert!(close(dot[99 * PAD_PIXELS + 120], 0.0, EPS));
    // The same stroke twice, and a stroke doubled back on itself, are not darker.
    let line = vec![(50.0, 60.0), (150.0, 90.0)];
    let once = rasterize(std::slice::from_ref(&line), PAD_PIXELS, PEN_WIDTH);
    let twice = rasterize(&[line.clone(), line], PAD_PIXELS, PEN_WIDTH);
    let back = rasterize(
        &[vec![(50.0, 60.0), (150.0, 90.0), (50.0, 60.0)]],
        PAD_PIXELS,
        PEN_WIDTH,
    );
    assert_eq!(once, twice);
    assert!(once.iter().zip(&back).all(|(a, b)| close(*a, *b, 1e-5)));
    assert!(once.iter().all(|&v| (0.0..=1.0).contains(&v)));
}

#[test]
fn rasterize_diagonal_matches_distance_to_segment() {
    // Every pixel's value is the coverage for its distance to the segment (checks the
    // row-span shortcut never skips a pixel that should be inked).
    let (a, b) = ((30.3f32, 250.7f32), (240.1f32, 20.2f32));
    let w = 13.0f32;
    let img = rasterize(&[vec![a, b]], PAD_PIXELS, w);
    let r = w / 2.0;
    for y in 0..PAD_PIXELS {
        for x in 0..PAD_PIXELS {
            let p = (x as f32 + 0.5, y as f32 + 0.5);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            let d = ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt();
            let want = ((d + 0.5).min(r) - (d - 0.5).max(-r)).clamp(0.0, 1.0);
            let got = img[y * PAD_PIXELS + x];
            assert!(close(got, want, 1e-3), "({x},{y}): {got} != {want}");
        }
    }
}

#[test]
fn rasterize_scales_pad_coordinates_to_the_raster() {
    // A 28-px raster of the pad: one raster px = 10 pad px, so a pen of 20 pad px is 2 px,
    // and a line at pad y = 140 (raster 14.0) fills rows 13 and 14 exactly.
    let img = rasterize(&[vec![(5.0, 140.0), (275.0, 140.0)]], 28, 20.0);
    let at = |x: usize, y: usize| img[y * 28 + x];
    assert!(close(at(14, 13), 1.0, EPS) && close(at(14, 14), 1.0, EPS));
    assert!(close(at(14, 12), 0.0, EPS) && close(at(14, 15), 0.0, EPS));
    // At pad y = 145 (raster 14.5) the pen's edges cut rows 13 and 15 in half.
    let img = rasterize(&[vec![(5.0, 145.0), (275.0, 145.0)]], 28, 20.0);
    let at = |x: usize, y: usize| img[y * 28 + x];
    assert!(close(at(14, 13), 0.5, EPS) && close(at(14, 14), 1.0, EPS));
    assert!(close(at(14, 15), 0.5, EPS) && close(at(14, 16), 0.0, EPS));
    assert!(rasterize(&[vec![(1.0, 1.0)]], 0, 20.0).is_empty());
}

// ---- area averaging, aspect ratio, centring ---------------------------------------------------

#[test]
fn block_40x40_becomes_a_20x20_block_centred_on_pixel_14() {
    // A 40×40 block in a 100×100 bitmap, off-centre. Scale 0.5 → a 20×20 block whose centre
    // of mass is the centre of pixel (14, 14), i.e. it spans [4.5, 24.5): rows/columns 5..=23
    // are full, 4 and 24 half-covered, the corners a quarter.
    let px = rect_bitmap(100, 100, 10, 30, 50, 70);
    let p = preprocess_bitmap(&px, 100, 100).expect("ink");
    assert_eq!(
        p.ink,
        InkBox {
            x0: 10,
            y0: 30,
            x1: 49,
            y1: 69
        }
    );
    assert!(close(p.scale, 0.5, 1e-6));
    for y in 0..28 {
        for x in 0..28 {
            let edge = |i: usize| match i {
                5..=23 => 1.0,
                4 | 24 => 0.5,
                _ => 0.0,
            };
            let want = edge(x) * edge(y);
            let got = p.image[y * 28 + x];
            assert!(close(got, want, EPS), "({x},{y}): {got} != {want}");
        }
    }
    assert!(close(sum(&p.image), 400.0, 1e-2));
}

#[test]
fn area_average_conserves_ink_and_keeps_a_one_pixel_line() {
    // 200×200: a bar 20 wide and 200 tall in the middle, and a 1-px line across at row 100.
    // Scale 0.1: the bar becomes 2×20 px, the line 20 px long and 0.1 px thin, i.e. a row of
    // pixels at 0.1, not nothing (point sampling would keep it at 1.0 or drop it).
    let mut px = rect_bitmap(200, 200, 90, 0, 110, 200);
    for x in (0..90).chain(110..200) {
        px[100 * 200 + x] = 1.0;
    }
    let p = preprocess_bitmap(&px, 200, 200).expect("ink");
    assert!(close(p.scale, 0.1, 1e-6));
    let img = p.image;
    // Ink is conserved: total × scale².
    let src_ink = 200.0 * 20.0 + 180.0;
    assert!(close(sum(&img), src_ink * 0.01, 1e-3), "sum {}", sum(&img));
    // Source row 100 → a 0.1-px slice of one output row.
    let (_, oy) = p.to_output((0.0, 100.5));
    let row = oy.floor() as usize;
    let out_x = |x: f32| p.to_output((x, 0.0)).0;
    let line_cols = (out_x(0.0).ceil() as usize..out_x(90.0).floor() as usize)
        .chain(out_x(110.0).ceil() as usize..out_x(200.0).floor() as usize);
    let mut n = 0;
    for x in line_cols {
        let v = img[row * 28 + x];
        assert!(close(v, 0.1, 1e-3), "line pixel ({x},{row}) = {v}");
        // Rows above and below hold nothing of it.
        assert!(close(img[(row - 1) * 28 + x], 0.0, EPS));
        assert!(close(img[(row + 1) * 28 + x], 0.0, EPS));
        n += 1;
    }
    assert!(n >= 16, "{n} line pixels");
}

#[test]
fn tall_thin_shape_keeps_its_aspect_ratio() {
    // A 10×100 bar → 2×20: the profiles measure exactly 20 tall and 2 wide.
    let px = rect_bitmap(60, 120, 25, 10, 35, 110);
    let img = bitmap_to_mnist(&px, 60, 120).expect("ink");
    assert!(
        close(extent(&row_sums(&img)), 20.0, 1e-3),
        "{}",
        extent(&row_sums(&img))
    );
    assert!(
        close(extent(&col_sums(&img)), 2.0, 1e-3),
        "{}",
        extent(&col_sums(&img))
    );
    // A pen-drawn 1: a vertical stroke 200 px long. The drawn ink box (with the pen's round
    // caps) is W×(200 + W) pad px for a pen of W (even) pad px, so it becomes 20 tall and
    // 20·W/(200 + W) wide (2.1 for W = 24).
    let one = preprocess(&[vec![(140.0, 40.0), (140.0, 240.0)]]).expect("ink");
    let pen = PEN_WIDTH as usize;
    assert_eq!(one.ink.height(), 200 + pen);
    assert_eq!(one.ink.width(), pen);
    assert!(close(one.ink.height() as f32 * one.scale, 20.0, 1e-4));
    let width = one.ink.width() as f32 * one.scale;
    assert!(close(width, 20.0 * PEN_WIDTH / (200.0 + PEN_WIDTH), 1e-4));
    assert!(close(extent(&col_sums(&one.image)), width, 0.05));
    let s = image_stats::image_stats(&one.image);
    assert!(
        s.width <= 4.0 && s.height >= 20.0 && s.height <= 21.0,
        "{s:?}"
    );
}

#[test]
fn off_centre_blob_is_centred_by_its_centre_of_mass() {
    // A lopsided shape in a corner of the pad: a heavy dot with a thin tail. Its bounding box
    // centre and its centre of mass differ; the centre of mass must land on (14, 14).
    // The heavy end: a zigzag filling the square 20..80 (with the pen, 10..90).
    let mut fill: Stroke = Vec::new();
    for i in 0..=6 {
        let y = 20.0 + 10.0 * i as f32;
        if i % 2 == 0 {
            fill.extend([(20.0, y), (80.0, y)]);
        } else {
            fill.extend([(80.0, y), (20.0, y)]);
        }
    }
    let strokes: Vec<Stroke> = vec![fill, vec![(80.0, 80.0), (200.0, 120.0)]];
    let p = preprocess(&strokes).expect("ink");
    let (cx, cy) = com_index(&p.image);
    assert!(
        (cx - 14.0).abs() < 0.5 && (cy - 14.0).abs() < 0.5,
        "({cx}, {cy})"
    );
    // In fact to a hundredth of a pixel (the box filter's shift is corrected).
    assert!(
        (cx - 14.0).abs() < 0.01 && (cy - 14.0).abs() < 0.01,
        "({cx}, {cy})"
    );
    // And the bounding box is not centred: the heavy end is near the middle.
    let bb = ink_box(&p.image, 28, 28).unwrap();
    assert!((bb.x0 + bb.x1) as f32 / 2.0 > 15.0, "{bb:?}");
    // The bitmap route gives the same image.
    let bmp = rasterize(&strokes, PAD_PIXELS, network_pen_width(&strokes));
    assert_eq!(bitmap_to_mnist(&bmp, PAD_PIXELS, PAD_PIXELS), Some(p.image));
}

#[test]
fn geometry_maps_between_pad_and_input() {
    let strokes = vec![vec![(60.0, 50.0), (120.0, 200.0), (180.0, 60.0)]];
    let p = preprocess(&strokes).unwrap();
    let com_out = p.to_output(p.centre_of_mass);
    // Within the (bounded, sub-pixel) correction of the box filter.
    assert!((com_out.0 - 14.5).abs() < 0.5 && (com_out.1 - 14.5).abs() < 0.5);
    let back = p.to_source(p.to_output((77.0, 99.0)));
    assert!(close(back.0, 77.0, 1e-3) && close(back.1, 99.0, 1e-3));
    let field = p.field_in_source();
    assert!(field.x0 < p.ink.x0 as f32 && field.x1 > (p.ink.x1 + 1) as f32);
    // 150 pad px tall: a little smaller than typical, so a slightly thinner pen.
    let pen = network_pen_width(&strokes);
    assert!(close(pen, 150.0 * PEN_FRACTION, 1e-3), "{pen}");
    let b = stroke_bounds(&strokes, pen).unwrap();
    let r = pen / 2.0;
    assert!(close(b.x0, 60.0 - r, EPS) && close(b.y0, 50.0 - r, EPS));
    assert!(close(b.x1, 180.0 + r, EPS) && close(b.y1, 200.0 + r, EPS));
    // The raster's ink box is the stroke bounds up to the anti-aliasing fringe.
    assert!((p.ink.x0 as f32 - b.x0).abs() <= 1.0 && ((p.ink.x1 + 1) as f32 - b.x1).abs() <= 1.0);
}

#[test]
fn small_drawings_get_a_proportionally_thinner_pen() {
    let seven = |k: f32| -> Vec<Stroke> {
        let p = |x: f32, y: f32| (140.0 + (x - 140.0) * k, 140.0 + (y - 140.0) * k);
        vec![
            vec![p(70.0, 50.0), p(200.0, 50.0), p(120.0, 230.0)],
            vec![p(100.0, 140.0), p(180.0, 140.0)],
        ]
    };
    // 180 pad px tall: the pad's own pen. Half and a quarter of that: half and a quarter of
    // a pen of PEN_FRACTION (24/160) of the side, but never below MIN_PEN_WIDTH.
    assert_eq!(network_pen_width(&seven(1.0)), PEN_WIDTH);
    assert!(close(
        network_pen_width(&seven(0.5)),
        90.0 * PEN_FRACTION,
        1e-3
    ));
    assert!(close(
        network_pen_width(&seven(0.25)),
        45.0 * PEN_FRACTION,
        1e-3
    ));
    assert_eq!(network_pen_width(&seven(0.05)), MIN_PEN_WIDTH);
    assert_eq!(network_pen_width(&[vec![(9.0, 9.0)]]), MIN_PEN_WIDTH);
    assert_eq!(network_pen_width(&[]), MIN_PEN_WIDTH);
    // So a small 7 gives the network (nearly) the same image as a big one, not a fat one.
    let big = to_mnist(&seven(160.0 / 180.0)).unwrap();
    for k in [0.5f32, 0.3] {
        let small = to_mnist(&seven(k)).unwrap();
        let diff: f32 = big
            .iter()
            .zip(&small)
            .map(|(a, b)| (a - b).abs())
            .sum::<f32>()
            / sum(&big);
        assert!(diff < 0.1, "size {k}: relative difference {diff}");
        // Not exact: the ink box is cropped to whole pad pixels, which matters more for a
        // drawing 60 px across (±1 px is ±1.6% per side) than for one of 180.
        let ratio = sum(&small) / sum(&big);
        assert!(
            (ratio - 1.0).abs() < 0.08,
            "size {k}: ink {ratio} of the big one's"
        );
    }
}

// ---- no ink, degenerate and hostile input ---------------------------------------------------

#[test]
fn no_ink_gives_none() {
    assert_eq!(to_mnist(&[]), None);
    assert_eq!(to_mnist(&[vec![], vec![]]), None);
    assert_eq!(
        to_mnist(&[vec![(f32::NAN, 3.0), (f32::INFINITY, f32::NEG_INFINITY)]]),
        None
    );
    assert_eq!(bitmap_to_mnist(&[0.0; 784], 28, 28), None);
    assert_eq!(
        bitmap_to_mnist(&[0.001; 784], 28, 28),
        None,
        "dust is not ink"
    );
    assert_eq!(bitmap_to_mnist(&[f32::NAN; 784], 28, 28), None);
    assert_eq!(bitmap_to_mnist(&[], 0, 0), None);
    assert_eq!(bitmap_to_mnist(&[1.0; 10], 3, 3), None, "wrong length");
    assert_eq!(
        bitmap_to_mnist(&[1.0; 10], usize::MAX, 2),
        None,
        "overflowing size"
    );
    assert_eq!(stroke_bounds(&[vec![(f32::NAN, 1.0)]], PEN_WIDTH), None);
    assert_eq!(ink_box(&[0.0; 9], 3, 3), None);
}

fn assert_valid(img: &[f32; MNIST_PIXELS]) {
    assert!(img.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)));
    assert!(sum(img) > 0.0);
}

#[test]
fn single_dot_becomes_a_centred_disc() {
    let img = to_mnist(&[vec![(200.0, 30.0)]]).expect("a dot is ink");
    assert_valid(&img);
    let (cx, cy) = com_index(&img);
    assert!(
        close(cx, 14.0, 0.01) && close(cy, 14.0, 0.01),
        "({cx}, {cy})"
    );
    assert!(img[14 * 28 + 14] > 0.99);
    // A disc the size of the 20-px box: symmetric.
    for (a, b) in [((4, 14), (24, 14)), ((14, 5), (14, 23))] {
        assert!(close(img[a.1 * 28 + a.0], img[b.1 * 28 + b.0], 0.02));
    }
}

#[test]
fn horizontal_line_becomes_a_thin_bar() {
    let img = to_mnist(&[vec![(40.0, 120.0), (240.0, 120.0)]]).expect("ink");
    assert_valid(&img);
    let s = image_stats::image_stats(&img);
    assert!(s.width >= 20.0 && s.width <= 21.0, "{s:?}");
    assert!(s.height <= 3.0, "{s:?}");
    assert!(close(s.com_x as f32, 14.0, 0.01) && close(s.com_y as f32, 14.0, 0.01));
}

#[test]
fn non_finite_points_are_dropped_and_off_pad_points_clamped() {
    let clean = vec![vec![(50.0, 50.0), (150.0, 200.0)]];
    let dirty = vec![
        vec![
            (f32::NAN, 1.0),
            (50.0, 50.0),
            (f32::INFINITY, 9.0),
            (150.0, 200.0),
            (1.0, f32::NAN),
        ],
        vec![(f32::NEG_INFINITY, f32::NAN)],
    ];
    assert_eq!(sanitize(&dirty), clean);
    assert_eq!(to_mnist(&dirty), to_mnist(&clean));
    // Far off the pad: clamped onto its edge, drawn there, no panic.
    let far = vec![vec![(-1e30, 140.0), (1e30, 140.0)], vec![(3e38, -3e38)]];
    assert_eq!(sanitize(&far)[0], vec![(0.0, 140.0), (280.0, 140.0)]);
    assert_eq!(sanitize(&far)[1], vec![(280.0, 0.0)]);
    assert_valid(&to_mnist(&far).expect("clamped ink"));
    // Odd pens draw nothing rather than fail.
    for w in [f32::NAN, -3.0, 0.0, f32::NEG_INFINITY] {
        assert!(rasterize(&far, 64, w).iter().all(|&v| v == 0.0));
    }
    let huge = rasterize(&far, 64, f32::INFINITY);
    assert!(huge.iter().all(|&v| v == 0.0), "a non-finite pen is no pen");
    // A pen wider than the pad is clamped to the pad's width: a disc of radius 16 on 32 px.
    let whole = rasterize(&[vec![(140.0, 140.0)]], 32, 1e9);
    assert!(whole[16 * 32 + 1..17 * 32 - 1]
        .iter()
        .all(|&v| close(v, 1.0, EPS)));
    assert!(close(whole[0], 0.0, EPS));
}

#[test]
fn ten_thousand_points_are_fast() {
    // A scribble of 10,000 points: a slow spiral (dense points) ...
    let spiral: Stroke = (0..10_000)
        .map(|i| {
            let t = i as f32 * 0.01;
            (
                140.0 + (20.0 + t * 1.0) * t.cos(),
                140.0 + (20.0 + t * 1.0) * t.sin(),
            )
        })
        .collect();
    // ... and 10,000 points jumping across the whole pad (long segments), the worst case.
    let mut seed = 12345u32;
    let mut rnd = || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) as f32 / (1u32 << 24) as f32 * 300.0 - 10.0
    };
    let jumps: Stroke = (0..10_000).map(|_| (rnd(), rnd())).collect();
    // ... and one point repeated 10,000 times.
    let still: Stroke = vec![(100.0, 100.0); 10_000];
    for (name, s) in [("spiral", spiral), ("jumps", jumps), ("still", still)] {
        let t = Instant::now();
        let img = to_mnist(&[s]).expect("ink");
        let dt = t.elapsed();
        assert_valid(&img);
        assert!(dt < Duration::from_secs(2), "{name}: {dt:?}");
        eprintln!("{name}: {dt:?}");
    }
}

#[test]
fn typical_drawing_takes_well_under_a_frame() {
    let strokes = vec![
        vec![(90.0, 60.0), (190.0, 60.0), (120.0, 230.0)],
        vec![(110.0, 140.0), (170.0, 140.0)],
    ];
    let t = Instant::now();
    for _ in 0..20 {
        assert!(to_mnist(&strokes).is_some());
    }
    let per = t.elapsed() / 20;
    eprintln!("to_mnist on a 7: {per:?}");
    assert!(per < Duration::from_millis(50), "{per:?}");
}
