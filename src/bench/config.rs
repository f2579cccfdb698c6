//! The bench page's query string: the harness's workload parameters (see the subject
//! contract in the harness README), parsed exactly like `bench-core.js`'s `parseConfig`
//! (same keys, same defaults, the last occurrence of a key wins), but strict: a value that
//! is not a sensible number is an error, never a panic or a NaN that silently loops.

use serde::Serialize;
use std::fmt;

/// Largest batch a training phase (`train_b<N>`) or the accuracy phase accepts.
pub const MAX_BATCH: usize = 1024;

/// The two reference networks of the harness (`web/netspec.js`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Net {
    #[serde(rename = "ref-A")]
    RefA,
    #[serde(rename = "ref-B")]
    RefB,
}

impl Net {
    pub const ALL: [Net; 2] = [Net::RefA, Net::RefB];

    pub fn name(self) -> &'static str {
        match self {
            Net::RefA => "ref-A",
            Net::RefB => "ref-B",
        }
    }

    pub fn parse(s: &str) -> Result<Net, String> {
        Net::ALL
            .into_iter()
            .find(|n| n.name() == s)
            .ok_or_else(|| format!("unknown net {s:?} (known: ref-A, ref-B)"))
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the timed code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Main,
    Worker,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Main => "main",
            Mode::Worker => "worker",
        }
    }
}

/// One requested phase, as understood by the runner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `train_b<N>`: training throughput at batch N (N may be out of range: the phase then
    /// fails with `error`, the others still run).
    Train(Result<usize, String>),
    Infer,
    Accuracy,
    /// Any other name: reported as `skipped`, like `bench-core.js` does.
    Unknown,
}

impl Phase {
    pub fn parse(name: &str) -> Phase {
        match name {
            "infer" => Phase::Infer,
            "accuracy" => Phase::Accuracy,
            _ => match name.strip_prefix("train_b") {
                Some(digits)
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Phase::Train(match digits.parse::<usize>() {
                        Ok(b) if (1..=MAX_BATCH).contains(&b) => Ok(b),
                        _ => Err(format!("batch must be 1..={MAX_BATCH}, got {digits}")),
                    })
                }
                _ => Phase::Unknown,
            },
        }
    }
}

/// The workload of one page load.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchConfig {
    pub net: Net,
    pub mode: Mode,
    /// Phase names in the requested order (the result's `phases` keys).
    pub phases: Vec<String>,
    pub reps: usize,
    pub rep_ms: f64,
    pub warmup_ms: f64,
    pub warmup_steps: usize,
    pub infer_rep_ms: f64,
    pub lr: f64,
    pub momentum: f64,
    pub seed: u64,
    pub train_n: usize,
    pub test_n: usize,
    pub acc_batch: usize,
    /// Dataset URL (the page resolves it against its base URL).
    pub data: String,
}

impl Default for BenchConfig {
    /// `bench-core.js` DEFAULTS.
    fn default() -> Self {
        BenchConfig {
            net: Net::RefA,
            mode: Mode::Main,
            phases: ["train_b1", "train_b64", "infer", "accuracy"]
                .map(String::from)
                .to_vec(),
            reps: 5,
            rep_ms: 600.0,
            warmup_ms: 500.0,
            warmup_steps: 3,
            infer_rep_ms: 250.0,
            lr: 0.01,
            momentum: 0.9,
            seed: 1,
            train_n: 8000,
            test_n: 2000,
            acc_batch: 64,
            data: "/data/mnist-10k.bin".to_string(),
        }
    }
}

/// Decodes an `application/x-www-form-urlencoded` query (with or without the leading `?`)
/// into (key, value) pairs in order, the way `URLSearchParams` does: `+` is a space, `%XX`
/// is a byte, malformed escapes stay as they are, bytes are read as UTF-8 (lossily).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    let q = query.strip_prefix('?').unwrap_or(query);
    q.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(part), String::new()),
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The last value of `key` in the query, if present.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    query_pairs(query)
        .into_iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Whether the query asks for bench mode (`?bench`, `?bench=`, `?bench=1`, ...).
pub fn bench_requested(query: &str) -> bool {
    query_pairs(query).iter().any(|(k, _)| k == "bench")
}

fn number(key: &str, v: &str) -> Result<f64, String> {
    let t = v.trim();
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{key}: expected a finite number, got {v:?}"))
}

fn ranged(key: &str, v: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let x = number(key, v)?;
    if x < lo || x > hi {
        return Err(format!("{key}: {x} is outside [{lo}, {hi}]"));
    }
    Ok(x)
}

fn integer(key: &str, v: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let x = ranged(key, v, lo as f64, hi as f64)?;
    if x.fract() != 0.0 {
        return Err(format!("{key}: expected an integer, got {v:?}"));
    }
    Ok(x as u64)
}

impl BenchConfig {
    /// Parses the page's query. Unknown keys (`bench`, `lib`, `adapter`, ...) are ignored.
    pub fn from_query(query: &str) -> Result<BenchConfig, String> {
        let mut c = BenchConfig::default();
        for (k, v) in query_pairs(query) {
            let v = v.as_str();
            match k.as_str() {
                "net" => c.net = Net::parse(v)?,
                "mode" => {
                    c.mode = match v {
                        "main" => Mode::Main,
                        "worker" => Mode::Worker,
                        _ => return Err(format!("mode: expected main or worker, got {v:?}")),
                    }
                }
                "phases" => {
                    c.phases = v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                }
                "reps" => c.reps = integer("reps", v, 1, 1000)? as usize,
                "rep_ms" => c.rep_ms = ranged("rep_ms", v, 1e-3, 600_000.0)?,
                "warmup_ms" => c.warmup_ms = ranged("warmup_ms", v, 0.0, 600_000.0)?,
                "warmup_steps" => {
                    c.warmup_steps = integer("warmup_steps", v, 0, 1_000_000)? as usize
                }
                "infer_rep_ms" => c.infer_rep_ms = ranged("infer_rep_ms", v, 1e-3, 600_000.0)?,
                "lr" => c.lr = ranged("lr", v, 0.0, 100.0)?,
                "momentum" => {
                    c.momentum = ranged("momentum", v, 0.0, 1.0)?;
                    if c.momentum >= 1.0 {
                        return Err(format!("momentum: must be below 1, got {v:?}"));
                    }
                }
                "seed" => c.seed = integer("seed", v, 0, (1u64 << 53) - 1001)?,
                "train_n" => c.train_n = integer("train_n", v, 1, 1 << 32)? as usize,
                "test_n" => c.test_n = integer("test_n", v, 1, 1 << 32)? as usize,
                "acc_batch" => c.acc_batch = integer("acc_batch", v, 1, MAX_BATCH as u64)? as usize,
                "data" => {
                    if v.is_empty() {
                        return Err("data: empty dataset URL".into());
                    }
                    c.data = v.to_string()
                }
                _ => {}
            }
        }
        Ok(c)
    }
}
