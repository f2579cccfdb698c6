//! The real pen-drawn digits in `../shared/drawn-digits/` (UCI Pen-Based Recognition of
//! Handwritten Digits, CC BY 4.0): strokes on a 280×280 pad, replayed on the page.

use std::path::PathBuf;

use serde_json::Value as Json;

pub struct DrawnDigit {
    pub id: String,
    pub label: u8,
    pub writer: u32,
    /// One polyline per pen-down..pen-up, pad CSS px, origin top-left.
    pub strokes: Vec<Vec<(f64, f64)>>,
}

const FILE: &str = "pendigits-train-writers.json";

/// `$CONVSCOPE_DRAWN_DIGITS` (the JSON file or its folder), else `../shared/drawn-digits/`
/// beside the repository.
pub fn path() -> PathBuf {
    match std::env::var_os("CONVSCOPE_DRAWN_DIGITS") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.is_dir() {
                p.join(FILE)
            } else {
                p
            }
        }
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/drawn-digits")
            .join(FILE),
    }
}

pub fn load() -> Vec<DrawnDigit> {
    let path = path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the drawn digits at {}: {e} (set CONVSCOPE_DRAWN_DIGITS to the file)",
            path.display()
        )
    });
    let json: Json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    let list = json
        .as_array()
        .unwrap_or_else(|| panic!("{} is not a JSON list", path.display()));
    list.iter()
        .map(|d| {
            let id = d["id"].as_str().unwrap_or("?").to_string();
            let label = d["label"]
                .as_u64()
                .filter(|l| *l < 10)
                .unwrap_or_else(|| panic!("{id}: label missing or not 0-9"))
                as u8;
            let writer = d["writer"].as_u64().unwrap_or(0) as u32;
            let strokes = d["strokes"]
                .as_array()
                .unwrap_or_else(|| panic!("{id}: no strokes"))
                .iter()
                .map(|stroke| {
                    stroke
                        .as_array()
                        .unwrap_or_else(|| panic!("{id}: a stroke is not a list"))
                        .iter()
                        .map(|p| {
                            let x = p[0].as_f64();
                            let y = p[1].as_f64();
                            match (x, y) {
                                (Some(x), Some(y)) => (x, y),
                                _ => panic!("{id}: a point is not [x, y]"),
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>();
            assert!(!strokes.is_empty(), "{id}: no points");
            DrawnDigit {
                id,
                label,
                writer,
                strokes,
            }
        })
        .collect()
}
