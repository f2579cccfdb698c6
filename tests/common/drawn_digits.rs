//! Loader for the real pen-drawn digits (`shared/drawn-digits/pendigits-train-writers.json`:
//! 500 digits, 50 of each 0–9, by 30 writers, as strokes on the 280×280 pad).
//!
//! Shared by the native preprocessing tests and the end-to-end tests, which replay the same
//! strokes as pointer moves. Include it with
//! `#[path = "common/drawn_digits.rs"] mod drawn_digits;` from a file in `tests/`.
//!
//! The file is found at `$CONVSCOPE_DRAWN_DIGITS` if set, else at
//! `../shared/drawn-digits/pendigits-train-writers.json` relative to the repository root.
#![allow(dead_code)]

use std::path::PathBuf;

use convscope::data::preprocess::Stroke;
use serde::Deserialize;

/// One drawing: strokes in pad CSS px (origin top-left, y down), in drawing order.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnDigit {
    pub id: String,
    pub label: u8,
    pub writer: u32,
    pub strokes: Vec<Stroke>,
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    label: u8,
    writer: u32,
    strokes: Vec<Vec<[f32; 2]>>,
}

/// Where the drawings are read from.
pub fn drawn_digits_path() -> PathBuf {
    match std::env::var_os("CONVSCOPE_DRAWN_DIGITS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/drawn-digits/pendigits-train-writers.json"),
    }
}

/// Parses the JSON list of drawings.
pub fn parse_drawn_digits(json: &str) -> Result<Vec<DrawnDigit>, String> {
    let raw: Vec<Raw> = serde_json::from_str(json).map_err(|e| format!("drawn digits: {e}"))?;
    raw.into_iter()
        .map(|r| {
            if r.label > 9 {
                return Err(format!("{}: label {} is not a digit", r.id, r.label));
            }
            Ok(DrawnDigit {
                id: r.id,
                label: r.label,
                writer: r.writer,
                strokes: r
                    .strokes
                    .into_iter()
                    .map(|s| s.into_iter().map(|[x, y]| (x, y)).collect())
                    .collect(),
            })
        })
        .collect()
}

/// Loads the drawings from [`drawn_digits_path`].
pub fn load_drawn_digits() -> Result<Vec<DrawnDigit>, String> {
    let path = drawn_digits_path();
    let json = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {} ({e}); set CONVSCOPE_DRAWN_DIGITS to the pendigits JSON",
            path.display()
        )
    })?;
    parse_drawn_digits(&json)
}
