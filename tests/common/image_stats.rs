//! Statistics of 28×28 images, to compare preprocessed drawings with MNIST.
#![allow(dead_code)]

/// Measurements of one 28×28 image (values in [0, 1]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ImageStats {
    /// Total ink (sum of values).
    pub ink: f64,
    /// Bounding box of pixels above 0.1, in pixels.
    pub width: f64,
    pub height: f64,
    /// Stroke thickness in pixels: twice the area over the perimeter of the ink at 0.5
    /// (a stroke of width t and length L has area tL and perimeter ≈ 2L).
    pub thickness: f64,
    /// Centre of mass, pixel-index coordinates (MNIST: (14, 14)).
    pub com_x: f64,
    pub com_y: f64,
    /// Fraction of the inked pixels (> 0.1) that are saturated (> 0.9).
    pub saturated: f64,
}

pub fn image_stats(img: &[f32]) -> ImageStats {
    assert_eq!(img.len(), 784);
    let at = |x: i32, y: i32| -> f32 {
        if (0..28).contains(&x) && (0..28).contains(&y) {
            img[(y * 28 + x) as usize]
        } else {
            0.0
        }
    };
    let mut s = ImageStats::default();
    let (mut x0, mut y0, mut x1, mut y1) = (28, 28, -1, -1);
    let (mut area, mut perim, mut inked, mut sat) = (0usize, 0usize, 0usize, 0usize);
    for y in 0..28 {
        for x in 0..28 {
            let v = at(x, y);
            s.ink += v as f64;
            s.com_x += v as f64 * x as f64;
            s.com_y += v as f64 * y as f64;
            if v > 0.1 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
                inked += 1;
                if v > 0.9 {
                    sat += 1;
                }
            }
            if v >= 0.5 {
                area += 1;
                for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                    if at(x + dx, y + dy) < 0.5 {
                        perim += 1;
                    }
                }
            }
        }
    }
    if s.ink > 0.0 {
        s.com_x /= s.ink;
        s.com_y /= s.ink;
    }
    if x1 >= 0 {
        s.width = (x1 - x0 + 1) as f64;
        s.height = (y1 - y0 + 1) as f64;
    }
    if perim > 0 {
        s.thickness = 2.0 * area as f64 / perim as f64;
    }
    if inked > 0 {
        s.saturated = sat as f64 / inked as f64;
    }
    s
}

/// Field-wise mean.
pub fn mean_stats(all: &[ImageStats]) -> ImageStats {
    let n = all.len().max(1) as f64;
    let mut m = ImageStats::default();
    for s in all {
        m.ink += s.ink / n;
        m.width += s.width / n;
        m.height += s.height / n;
        m.thickness += s.thickness / n;
        m.com_x += s.com_x / n;
        m.com_y += s.com_y / n;
        m.saturated += s.saturated / n;
    }
    m
}

/// A 28×28 image as text, for failure messages and `--nocapture` runs.
pub fn ascii(img: &[f32]) -> String {
    img.chunks(28)
        .map(|row| {
            row.iter()
                .map(|&v| match v {
                    v if v > 0.75 => '#',
                    v if v > 0.5 => '+',
                    v if v > 0.25 => '-',
                    v if v > 0.0 => '.',
                    _ => ' ',
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
