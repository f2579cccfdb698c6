//! The result object of the harness's subject contract, schema `cnn-bench-result/1`. The
//! field names are the contract's (and `bench-core.js`'s, which adds a few optional ones);
//! the page turns a [`BenchResult`] into a plain JS object with serde-wasm-bindgen.

use super::config::BenchConfig;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Serialize as DeriveSerialize;

pub const SCHEMA: &str = "cnn-bench-result/1";

#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct TrainResult {
    pub status: &'static str,
    pub batch: usize,
    pub samples_per_s: f64,
    pub reps_samples_per_s: Vec<f64>,
    pub rel_spread: f64,
    pub cv: f64,
    pub steps_per_rep: usize,
    pub samples_per_rep: usize,
    pub warmup_steps: usize,
    pub warmup_ms: f64,
    pub first_step_ms: f64,
    pub last_loss: f64,
}

#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct InferResult {
    pub status: &'static str,
    pub ms_median: f64,
    pub ms_p10: f64,
    pub ms_p90: f64,
    pub rep_mean_ms: Vec<f64>,
    pub rel_spread: f64,
    pub cv: f64,
    pub calls_per_rep: usize,
    pub calls_total: usize,
    pub warmup_calls: usize,
}

#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct AccuracyResult {
    pub status: &'static str,
    pub accuracy: f64,
    pub correct: usize,
    pub train_samples: usize,
    pub test_samples: usize,
    pub batch: usize,
    pub epochs: usize,
    pub steps: usize,
    pub epoch_ms: f64,
    pub epoch_samples_per_s: f64,
    pub eval_ms: f64,
    pub loss_first10: f64,
    pub loss_last10: f64,
}

/// What one phase produced.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
#[serde(untagged)]
pub enum PhaseResult {
    Train(TrainResult),
    Infer(InferResult),
    Accuracy(AccuracyResult),
    Failed {
        status: &'static str,
        error: String,
    },
    Skipped {
        status: &'static str,
        reason: String,
    },
}

impl PhaseResult {
    pub fn failed(error: impl Into<String>) -> Self {
        PhaseResult::Failed {
            status: "failed",
            error: error.into(),
        }
    }

    pub fn skipped(reason: impl Into<String>) -> Self {
        PhaseResult::Skipped {
            status: "skipped",
            reason: reason.into(),
        }
    }

    pub fn status(&self) -> &'static str {
        match self {
            PhaseResult::Train(r) => r.status,
            PhaseResult::Infer(r) => r.status,
            PhaseResult::Accuracy(r) => r.status,
            PhaseResult::Failed { status, .. } | PhaseResult::Skipped { status, .. } => status,
        }
    }
}

/// Phase results keyed by phase name, in the order they ran (serialised as an object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Phases(pub Vec<(String, PhaseResult)>);

impl Phases {
    /// Sets `name` like a JS object property: a repeated name keeps its first position.
    pub fn insert(&mut self, name: &str, r: PhaseResult) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = r,
            None => self.0.push((name.to_string(), r)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&PhaseResult> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl Serialize for Phases {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Free-form description of the implementation (`subject.detail`).
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct Detail {
    pub engine: &'static str,
    pub threads: u32,
    pub simd128: bool,
    pub float: &'static str,
    pub init: &'static str,
    pub train_input: &'static str,
    pub infer_path: &'static str,
    /// Peak and conv throughput measured in the same run (absent if it failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<super::calibrate::Calibration>,
}

#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct Subject {
    pub library: &'static str,
    pub version: &'static str,
    pub backend: &'static str,
    pub detail: Detail,
}

impl Subject {
    /// This build of convscope.
    pub fn this_build() -> Subject {
        let simd = cfg!(target_feature = "simd128");
        Subject {
            library: "convscope",
            version: env!("CARGO_PKG_VERSION"),
            backend: if !cfg!(target_arch = "wasm32") {
                "native"
            } else if simd {
                "wasm-simd128"
            } else {
                "wasm"
            },
            detail: Detail {
                engine: "convscope::nn (Rust, ndarray, im2col + GEMM, f32x4 kernels on wasm)",
                threads: 1,
                simd128: simd,
                float: "f32",
                init: "He normal (seeded), biases 0",
                train_input: "batch bytes copied per step from a JS Uint8Array, converted to f32 in wasm",
                infer_path: "Float32Array(784) copied in per call, 10 softmax scores returned as a new Float32Array",
                calibration: None,
            },
        }
    }
}

/// Where the page ran.
#[derive(Clone, Debug, Default, PartialEq, DeriveSerialize)]
pub struct Env {
    pub user_agent: String,
    pub hardware_concurrency: f64,
    pub cross_origin_isolated: bool,
    pub shared_array_buffer: bool,
    pub in_worker: bool,
}

#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct Timings {
    pub data_load: f64,
    pub init: f64,
    pub total: f64,
}

/// `window.__BENCH_RESULT__`.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct BenchResult {
    pub schema: &'static str,
    /// `ok` or `failed`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub subject: Subject,
    pub net: String,
    /// Where the timed code actually ran: `main` or `worker`.
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<BenchConfig>,
    pub env: Env,
    pub phases: Phases,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings_ms: Option<Timings>,
}

impl BenchResult {
    /// A page-level failure (bad query, data not loadable, worker died...). `net` is echoed
    /// as given.
    pub fn failure(net: &str, mode: &str, env: Env, error: impl Into<String>) -> Self {
        BenchResult {
            schema: SCHEMA,
            status: "failed",
            error: Some(error.into()),
            subject: Subject::this_build(),
            net: net.to_string(),
            mode: mode.to_string(),
            config: None,
            env,
            phases: Phases::default(),
            timings_ms: None,
        }
    }
}
