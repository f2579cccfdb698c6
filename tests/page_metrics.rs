//! Page measurements: the user-facing performance figures of the release build, measured in
//! headless Chromium through WebDriver, exactly as the end-to-end tests drive the page.
//!
//! These are benchmark figures, not tests: nothing here asserts on speed (a run fails only when
//! the page cannot be driven at all). It is marked ignored (with its reason) so that `cargo test` and
//! `scripts/test.sh` never run it; `scripts/measure-page.sh` does:
//!
//! ```sh
//! trunk build --release --public-url /convscope/
//! cargo test --locked --test page_metrics -- --ignored --nocapture --test-threads=1
//! ```
//!
//! It prints a table and writes every raw value to `target/page-metrics.json`. What each figure
//! means and how it is measured: docs/page-metrics.md.
//!
//! Environment (besides the e2e harness's `CONVSCOPE_DIST`, `CONVSCOPE_PUBLIC_URL`,
//! `CHROMEDRIVER`, `CHROMIUM`, `CONVSCOPE_E2E_WINDOW`):
//! - `CONVSCOPE_METRICS`: which figures, comma-separated, from `load` (load size and time to
//!   ready), `interaction` (long tasks and pointer latency while training and drawing),
//!   `throughput` (live view on vs off), `accuracy` (time to 98%); default all.
//! - `CONVSCOPE_METRICS_LOADS`: fresh page loads for time to ready (default 5).
//! - `CONVSCOPE_METRICS_DRAW_SECS`: length of the training-and-drawing session (default 30).
//! - `CONVSCOPE_METRICS_WINDOW`: the window for that session and the throughput windows:
//!   `page` (1280 px wide and tall enough to show the whole page; default) or `WIDTH,HEIGHT`.
//! - `CONVSCOPE_METRICS_TRAIN_SECS`: length of each throughput window (default 15).
//! - `CONVSCOPE_METRICS_ROUNDS`: live on / live off pairs of throughput windows (default 2).
//! - `CONVSCOPE_METRICS_ACCURACY_SECS`: cap for time to 98% (default 180).
//! - `CONVSCOPE_METRICS_HYPER`: hyper-parameters for time to 98%, typed into the page's
//!   controls: `default`, or `OPTIMIZER,LEARNING_RATE,BATCH` such as `adam,0.002,32`
//!   (default: see [`DEFAULT_ACCURACY_HYPER`]).
//! - `CONVSCOPE_METRICS_LR_DROP`: `SECONDS,LEARNING_RATE`: type that learning rate in after that
//!   long, as a student lowering it by hand would (default: none).
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
#[path = "e2e/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "e2e/page.rs"]
mod page;
#[allow(dead_code)]
#[path = "e2e/server.rs"]
mod server;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use page::{wait_for, Page};
use serde_json::{json, Value as Json};

/// The hyper-parameters time-to-98% uses unless `CONVSCOPE_METRICS_HYPER` says otherwise
/// (`default` keeps the page's own: Adam, learning rate 0.001, batch 32). SGD with momentum at
/// 0.05, batch 64, got highest within 180 s of the settings tried (docs/page-metrics.md).
const DEFAULT_ACCURACY_HYPER: &str = "sgd,0.05,64";

/// A hand-held mouse reports about 60 times a second: one pointer move per 16 ms.
const POINTER_PACE: Duration = Duration::from_millis(16);

/// Targets from the issue ("Train faster…"): informational, never asserted.
const TARGET_LOAD_KB: f64 = 400.0;
const TARGET_READY_S: f64 = 1.5;
const TARGET_LATENCY_P95_MS: f64 = 16.0;
const TARGET_LIVE_RATIO: f64 = 0.8;
const TARGET_ACCURACY: f64 = 0.98;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test: run by scripts/measure-page.sh"]
async fn page_metrics() {
    let wanted = std::env::var("CONVSCOPE_METRICS")
        .unwrap_or_else(|_| "load,interaction,throughput,accuracy".into());
    let wanted: Vec<String> = wanted.split(',').map(|s| s.trim().to_string()).collect();
    for w in &wanted {
        assert!(
            ["load", "interaction", "throughput", "accuracy"].contains(&w.as_str()),
            "CONVSCOPE_METRICS: unknown figure {w:?} (load, interaction, throughput, accuracy)"
        );
    }
    let want = |name: &str| wanted.iter().any(|w| w == name);

    let mut report = Report::default();
    let mut json = serde_json::Map::new();
    json.insert("date_unix_s".into(), json!(unix_now()));
    json.insert("cpus".into(), json!(cpus()));
    json.insert("load_average".into(), json!(load_average()));

    if want("load") {
        let (size, ready) = load_figures(&mut report).await;
        json.insert("load_size".into(), size);
        json.insert("time_to_ready".into(), ready);
    }
    if want("interaction") {
        json.insert("interaction".into(), interaction(&mut report).await);
    }
    if want("throughput") {
        json.insert("throughput".into(), throughput(&mut report).await);
    }
    if want("accuracy") {
        json.insert("time_to_98".into(), time_to_accuracy(&mut report).await);
    }
    json.insert("load_average_after".into(), json!(load_average()));

    report.print();
    let path = target_dir().join("page-metrics.json");
    let text = serde_json::to_string_pretty(&Json::Object(json)).expect("serialise the figures");
    std::fs::write(&path, text + "\n")
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    eprintln!("\nwrote {}", path.display());
}

// ---------------------------------------------------------------------------------------------
// 1 + 2: load size and time to ready

/// Opens the page `CONVSCOPE_METRICS_LOADS` times, each in a new browser with a new profile:
/// the time to ready of each, and the gzip size of the wasm files the first load requested.
async fn load_figures(report: &mut Report) -> (Json, Json) {
    let loads = env_number("CONVSCOPE_METRICS_LOADS").unwrap_or(5).max(1);
    let mut ready_ms = Vec::new();
    let mut size = Json::Null;
    for i in 0..loads {
        let page = Page::open().await;
        let v = page
            .js(
                "const n = performance.getEntriesByType('navigation')[0];
                 return [document.body.dataset.readyMs || null,
                         n ? n.responseEnd : null, n ? n.domContentLoadedEventEnd : null];",
                vec![],
            )
            .await;
        let ms: f64 = v[0]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("the page set data-ready but no data-ready-ms: {v}"));
        eprintln!(
            "load {}: ready at {ms:.0} ms after navigation start (HTML received at {:.0} ms, \
             DOMContentLoaded at {:.0} ms)",
            i + 1,
            v[1].as_f64().unwrap_or(f64::NAN),
            v[2].as_f64().unwrap_or(f64::NAN)
        );
        ready_ms.push(ms);
        if i == 0 {
            // Let the worker come up too, so its wasm has been requested.
            wait_worker_ready(&page).await;
            size = load_size(&page, report);
        }
        page.finish().await;
    }
    let median = median(&ready_ms);
    report.row(
        "time to ready (localhost)",
        format!(
            "median {:.2} s of {loads} fresh loads [{}]",
            median / 1000.0,
            ready_ms
                .iter()
                .map(|m| format!("{:.2}", m / 1000.0))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        format!("≤ {TARGET_READY_S} s"),
        Some(median / 1000.0 <= TARGET_READY_S),
    );
    let ready = json!({
        "what": "ms from navigation start to data-ready=true (data-ready-ms), fresh browser each",
        "values_ms": ready_ms,
        "median_ms": median,
    });
    (size, ready)
}

/// The gzip -9 size of every `.wasm` file the page requested, from `dist/`.
fn load_size(page: &Page, report: &mut Report) -> Json {
    let dist = std::env::var_os("CONVSCOPE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"));
    let prefix = std::env::var("CONVSCOPE_PUBLIC_URL").unwrap_or_else(|_| "/convscope/".into());
    let mut requested: Vec<String> = page
        .server
        .requests()
        .into_iter()
        .filter(|r| r.status == 200 && r.path.ends_with(".wasm"))
        .filter_map(|r| r.path.strip_prefix(&prefix).map(str::to_string))
        .collect();
    requested.sort();
    requested.dedup();
    assert!(
        !requested.is_empty(),
        "the page requested no .wasm file: {:#?}",
        page.server.requests()
    );
    let mut files = Vec::new();
    let mut total_gz = 0u64;
    let mut total_raw = 0u64;
    for name in &requested {
        let path = dist.join(name);
        let raw = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .len();
        let gz = gzip_size(&path);
        total_gz += gz;
        total_raw += raw;
        eprintln!("  {name}: {raw} bytes, {gz} bytes gzip -9");
        files.push(json!({"file": name, "bytes": raw, "gzip9_bytes": gz}));
    }
    // For the record: wasm in dist/ the normal page does not load (bench mode's worker).
    let mut not_loaded = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dist) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with(".wasm") && !requested.contains(&name) {
                not_loaded.push(name);
            }
        }
    }
    not_loaded.sort();
    let kb = total_gz as f64 / 1000.0;
    report.row(
        "load size: wasm the page loads, gzip -9",
        format!(
            "{kb:.1} kB ({}; raw {:.1} kB)",
            requested
                .iter()
                .zip(&files)
                .map(|(n, f)| format!(
                    "{} {:.1}",
                    short_name(n),
                    f["gzip9_bytes"].as_u64().unwrap_or(0) as f64 / 1000.0
                ))
                .collect::<Vec<_>>()
                .join(" + "),
            total_raw as f64 / 1000.0
        ),
        format!("≤ {TARGET_LOAD_KB} kB"),
        Some(kb <= TARGET_LOAD_KB),
    );
    json!({
        "what": "gzip -9 bytes of the .wasm files the page requested (data and model not counted)",
        "files": files,
        "total_bytes": total_raw,
        "total_gzip9_bytes": total_gz,
        "not_loaded_by_the_page": not_loaded,
    })
}

/// `app-1234abcd_bg.wasm` → `app`.
fn short_name(file: &str) -> &str {
    let stem = file.split(['-', '.']).next().unwrap_or(file);
    stem.strip_suffix("_bg").unwrap_or(stem)
}

fn gzip_size(path: &Path) -> u64 {
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run gzip: {e}"));
    assert!(out.status.success(), "gzip -9 -c {} failed", path.display());
    out.stdout.len() as u64
}

// ---------------------------------------------------------------------------------------------
// 3 + 4: long tasks and pointer latency while training and drawing

/// Records every main-thread long task (buffered: from the start of the page), every pointer
/// move on the pad with the time its drawing was painted with prediction and panels, and
/// every change of `examples-seen`.
const INSTRUMENT_JS: &str = r#"
const M = window.__metrics = {longtasks: [], seen: [], pending: [], sent: [], perMove: [],
                              newest: [], renders: 0, queued: [], stages: []};
new PerformanceObserver(list => {
  for (const e of list.getEntries()) M.longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});

const seen = document.querySelector('[data-testid="examples-seen"]');
const recordSeen = () => {
  const v = parseInt(seen.textContent.replace(/\D/g, ''), 10);
  const last = M.seen[M.seen.length - 1];
  if (Number.isFinite(v) && (!last || last[1] !== v)) M.seen.push([performance.now(), v]);
};
recordSeen();
new MutationObserver(recordSeen).observe(seen, {childList: true, characterData: true, subtree: true});

// A pointer move while the button is down extends the drawing. Its time is the event's
// timeStamp (when the input happened), one per raw event if Chromium coalesced several.
const pad = document.querySelector('[data-testid="draw-pad"]');
pad.addEventListener('pointermove', e => {
  if (!(e.buttons & 1)) return;
  M.queued.push(performance.now() - e.timeStamp);
  const raw = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
  if (raw.length) for (const c of raw) M.pending.push(c.timeStamp);
  else M.pending.push(e.timeStamp);
}, {capture: true});

// data-drawing-sent-ms: the pad handed the drawing so far to the app; the moves dispatched
// until now are in it. data-drawing-shown-ms: prediction and panels are rendered for the
// newest drawing.
//
// Painted: the start of the first animation frame after the one that painted the update,
// when that one has been styled, laid out, painted and committed on the main thread. The pad
// sends a drawing from an animation frame callback (pointer moves) or at once on pointerup:
// from a callback the update is painted by that same frame, so the next frame marks it; from
// pointerup, it is painted by the next frame, so the one after marks it. (A task posted after
// the frame would mark it too, but Chromium starves posted tasks while input keeps arriving,
// by hundreds of ms: that would be the measurement's delay, not the page's.)
let inPointerUp = false;
pad.addEventListener('pointerup', () => { inPointerUp = true; }, {capture: true});
window.addEventListener('pointerup', () => { inPointerUp = false; });
const afterFrames = (n, f) => requestAnimationFrame(() => n > 1 ? afterFrames(n - 1, f) : f());
new MutationObserver(records => {
  for (const r of records) {
    if (r.attributeName === 'data-drawing-sent-ms') {
      if (M.pending.length) {
        M.sent.push(M.pending.splice(0));
        M.sentAt = parseFloat(document.body.dataset.drawingSentMs);
      }
    } else if (r.attributeName === 'data-drawing-shown-ms') {
      const moves = M.sent.splice(0).flat();
      if (!moves.length) continue;
      M.renders++;
      const newest = Math.max(...moves), sent = M.sentAt;
      const shown = parseFloat(document.body.dataset.drawingShownMs);
      afterFrames(inPointerUp ? 2 : 1, () => {
        const painted = performance.now();
        for (const t of moves) M.perMove.push(painted - t);
        M.newest.push(painted - newest);
        // newest move → sent to the app → rendered → painted
        M.stages.push([sent - newest, shown - sent, painted - shown]);
      });
    }
  }
}).observe(document.body, {attributes: true,
                           attributeFilter: ['data-drawing-sent-ms', 'data-drawing-shown-ms']});
return true;
"#;

async fn interaction(report: &mut Report) -> Json {
    let secs = env_number("CONVSCOPE_METRICS_DRAW_SECS").unwrap_or(30) as f64;
    let page = Page::open().await;
    wait_worker_ready(&page).await;
    let shown = size_window(&page).await;
    page.js(INSTRUMENT_JS, vec![]).await;
    start_training(&page).await;

    let t0 = now_ms(&page).await;
    let start = Instant::now();
    let shapes = digit_shapes();
    let mut digits = 0usize;
    while start.elapsed().as_secs_f64() < secs {
        // Clear, then one digit stroke by stroke, one pointer move per POINTER_PACE.
        page.draw_paced(true, &shapes[digits % shapes.len()], POINTER_PACE)
            .await;
        digits += 1;
    }
    let t1 = now_ms(&page).await;
    page.settle().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let m = page.js("return window.__metrics;", vec![]).await;
    page.screenshot("page-metrics-drawing").await;
    page.click("train-toggle").await;
    page.finish().await;

    let window_s = (t1 - t0) / 1000.0;
    let long: Vec<(f64, f64)> = pairs(&m["longtasks"])
        .into_iter()
        .filter(|&(t, _)| t >= t0 && t < t1)
        .collect();
    let durations: Vec<f64> = long.iter().map(|&(_, d)| d).collect();
    let over50 = durations.iter().filter(|&&d| d > 50.0).count();
    let max = durations.iter().cloned().fold(0.0, f64::max);
    let blocking: f64 = durations
        .iter()
        .map(|d| d - 50.0)
        .fold(0.0, |a, b| a + b.max(0.0));
    let rate = rate_between(&pairs(&m["seen"]), t0, t1);
    let per_move = numbers(&m["perMove"]);
    let newest = numbers(&m["newest"]);
    let renders = m["renders"].as_u64().unwrap_or(0);
    let queued = numbers(&m["queued"]);
    let stages: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            m["stages"]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s[i].as_f64()).collect())
                .unwrap_or_default()
        })
        .collect();
    let p50_95 = |v: &[f64]| format!("{:.1}/{:.1}", percentile(v, 0.5), percentile(v, 0.95));

    report.row(
        &format!("long tasks > 50 ms ({window_s:.0} s training + drawing)"),
        format!(
            "{over50} (max {max:.0} ms, {:.1} per s, blocking {:.0} ms in total)",
            over50 as f64 / window_s,
            blocking
        ),
        "none".into(),
        Some(over50 == 0),
    );
    report.row(
        "  training examples/s meanwhile",
        rate.map(|r| format!("{r:.0}"))
            .unwrap_or_else(|| "no progress".into()),
        "-".into(),
        None,
    );
    let p95 = percentile(&per_move, 0.95);
    report.row(
        "pointer move → painted prediction + panels",
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, max {:.0} ms ({} moves)",
            percentile(&per_move, 0.5),
            p95,
            per_move.iter().cloned().fold(0.0, f64::max),
            per_move.len()
        ),
        format!("p95 ≤ {TARGET_LATENCY_P95_MS} ms"),
        (!per_move.is_empty()).then_some(p95 <= TARGET_LATENCY_P95_MS),
    );
    report.row(
        "  newest move of each render → painted",
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, max {:.0} ms ({renders} renders)",
            percentile(&newest, 0.5),
            percentile(&newest, 0.95),
            newest.iter().cloned().fold(0.0, f64::max),
        ),
        "-".into(),
        None,
    );
    report.row(
        "  where the time goes, p50/p95 ms",
        format!(
            "event queued {}; newest move → drawing sent {}; sent → rendered {}; rendered \
             → painted {}",
            p50_95(&queued),
            p50_95(&stages[0]),
            p50_95(&stages[1]),
            p50_95(&stages[2]),
        ),
        "-".into(),
        None,
    );
    json!({
        "window": shown,
        "what": "one session: Train pressed, then drawing (Clear + a digit, one pointer move \
                 every 16 ms) for the window",
        "window_s": window_s,
        "digits_drawn": digits,
        "long_tasks": {
            "durations_ms": durations,
            "over_50ms": over50,
            "max_ms": max,
            "blocking_ms": blocking,
        },
        "examples_per_s": rate,
        "latency": {
            "per_move_ms": summary(&per_move),
            "newest_move_ms": summary(&newest),
            "renders": renders,
            "event_queued_ms": summary(&queued),
            "newest_move_to_sent_ms": summary(&stages[0]),
            "sent_to_rendered_ms": summary(&stages[1]),
            "rendered_to_painted_ms": summary(&stages[2]),
        },
    })
}

/// Sizes the window for the drawing session (`CONVSCOPE_METRICS_WINDOW`): by default
/// (`page`) 1280 px wide and tall enough that every panel is on screen, so the feature maps
/// and everything else that changes is really painted (Chromium need not paint what is below
/// the fold); or `WIDTH,HEIGHT`, e.g. `1920,1080` for a common desktop screen. Returns the
/// viewport's CSS size.
async fn size_window(page: &Page) -> (u64, u64) {
    let wanted = std::env::var("CONVSCOPE_METRICS_WINDOW").unwrap_or_else(|_| "page".into());
    let (width, height) = if wanted.trim() == "page" {
        const WIDTH: u32 = 1280;
        let _ = page.client.set_window_size(WIDTH, 1000).await;
        page.settle().await;
        let height = page
            .js("return document.documentElement.scrollHeight;", vec![])
            .await
            .as_u64()
            .unwrap_or(768);
        // Window chrome is small in headless mode; a little extra covers it.
        (WIDTH, (height + 100).clamp(768, 6000) as u32)
    } else {
        let parse = |v: Option<&str>| -> u32 {
            v.and_then(|v| v.trim().parse().ok()).unwrap_or_else(|| {
                panic!("CONVSCOPE_METRICS_WINDOW={wanted:?}: expected `page` or WIDTH,HEIGHT")
            })
        };
        let mut parts = wanted.split(',');
        (parse(parts.next()), parse(parts.next()))
    };
    let _ = page.client.set_window_size(width, height).await;
    page.settle().await;
    let v = page
        .js(
            "return [innerWidth, innerHeight, document.documentElement.scrollHeight];",
            vec![],
        )
        .await;
    let n = |i: usize| v[i].as_u64().unwrap_or(0);
    eprintln!(
        "viewport {}×{} CSS px, the page is {} px tall",
        n(0),
        n(1),
        n(2)
    );
    (n(0), n(1))
}

/// Digit-like strokes on the 280×280 pad, resampled to ~3 px per pointer move.
fn digit_shapes() -> Vec<Vec<Vec<(f64, f64)>>> {
    let ellipse = |cx: f64, cy: f64, rx: f64, ry: f64, from: f64, to: f64| {
        (0..=48)
            .map(|i| {
                let a = from + (to - from) * i as f64 / 48.0;
                (cx + rx * a.cos(), cy + ry * a.sin())
            })
            .collect::<Vec<_>>()
    };
    let tau = std::f64::consts::TAU;
    let shapes = vec![
        // 0
        vec![ellipse(140.0, 140.0, 55.0, 85.0, -tau / 4.0, tau * 0.75)],
        // 1
        vec![vec![(115.0, 80.0), (145.0, 50.0), (145.0, 230.0)]],
        // 7
        vec![vec![(80.0, 60.0), (200.0, 60.0), (120.0, 230.0)]],
        // 4
        vec![
            vec![(160.0, 50.0), (80.0, 170.0), (210.0, 170.0)],
            vec![(170.0, 110.0), (170.0, 235.0)],
        ],
        // 3
        vec![{
            let mut s = ellipse(135.0, 95.0, 50.0, 45.0, -tau / 2.0, tau / 4.0);
            s.extend(ellipse(135.0, 185.0, 55.0, 45.0, -tau / 4.0, tau / 2.0));
            s
        }],
        // 8
        vec![{
            let mut s = ellipse(140.0, 95.0, 45.0, 45.0, tau / 4.0, tau * 1.25);
            s.extend(ellipse(140.0, 185.0, 55.0, 45.0, -tau / 4.0, tau * 0.75));
            s
        }],
    ];
    shapes
        .into_iter()
        .map(|strokes| strokes.into_iter().map(|s| resample(&s, 3.0)).collect())
        .collect()
}

/// Points along the polyline `p`, `step` px apart, ends included.
fn resample(p: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    let mut out = vec![p[0]];
    for w in p.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        let n = (len / step).ceil().max(1.0) as usize;
        for i in 1..=n {
            let t = i as f64 / n as f64;
            out.push((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 5: training throughput with the live view on and off

async fn throughput(report: &mut Report) -> Json {
    let secs = env_number("CONVSCOPE_METRICS_TRAIN_SECS").unwrap_or(15) as f64;
    let rounds = env_number("CONVSCOPE_METRICS_ROUNDS").unwrap_or(2).max(1);
    let mut on = Vec::new();
    let mut off = Vec::new();
    // Interleaved, so that a change in the machine's load hits both about equally.
    for round in 0..rounds {
        for (query, rates) in [("", &mut on), ("?live=off", &mut off)] {
            let page = Page::open_with(query).await;
            wait_worker_ready(&page).await;
            // The same window as the drawing session: what is on screen gets painted.
            size_window(&page).await;
            page.js(INSTRUMENT_JS, vec![]).await;
            start_training(&page).await;
            // Warm up (the first units also evaluate the shipped model), then measure.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let t0 = now_ms(&page).await;
            tokio::time::sleep(Duration::from_secs_f64(secs)).await;
            let t1 = now_ms(&page).await;
            // A live-off snapshot lands every 2 s: wait for the one after the window.
            tokio::time::sleep(Duration::from_millis(2100)).await;
            let m = page.js("return window.__metrics;", vec![]).await;
            page.click("train-toggle").await;
            page.finish().await;
            let samples: Vec<(f64, f64)> = pairs(&m["seen"]);
            let rate = rate_between(&samples, t0, t1 + 2100.0);
            let updates = samples.iter().filter(|(t, _)| *t >= t0 && *t <= t1).count();
            eprintln!(
                "round {}: live {}: {} examples/s ({updates} examples-seen updates in {secs} s)",
                round + 1,
                if query.is_empty() { "on" } else { "off" },
                rate.map(|r| format!("{r:.0}"))
                    .unwrap_or_else(|| "?".into())
            );
            rates.push(rate.unwrap_or(0.0));
        }
    }
    let (mean_on, mean_off) = (mean(&on), mean(&off));
    let ratio = if mean_off > 0.0 {
        mean_on / mean_off
    } else {
        f64::NAN
    };
    report.row(
        "training examples/s, live view on / off",
        format!(
            "{mean_on:.0} / {mean_off:.0} = {ratio:.2} (means of {rounds} × {secs:.0} s; on [{}], \
             off [{}])",
            join(&on, 0),
            join(&off, 0)
        ),
        format!("≥ {TARGET_LIVE_RATIO}"),
        Some(ratio >= TARGET_LIVE_RATIO),
    );
    json!({
        "what": "examples/s from examples-seen updates over each window, fresh page each, no \
                 drawing, window as CONVSCOPE_METRICS_WINDOW; live off = ?live=off (a snapshot \
                 every 2 s instead of every 150 ms)",
        "window_s": secs,
        "live_on_examples_per_s": on,
        "live_off_examples_per_s": off,
        "mean_on": mean_on,
        "mean_off": mean_off,
        "ratio": ratio,
    })
}

// ---------------------------------------------------------------------------------------------
// 6: time to 98% test accuracy from a fresh seed

async fn time_to_accuracy(report: &mut Report) -> Json {
    let cap = env_number("CONVSCOPE_METRICS_ACCURACY_SECS").unwrap_or(180) as f64;
    let hyper = std::env::var("CONVSCOPE_METRICS_HYPER")
        .unwrap_or_else(|_| DEFAULT_ACCURACY_HYPER.to_string());
    let page = Page::open().await;
    wait_worker_ready(&page).await;

    page.click("reset").await;
    wait_for(
        "examples-seen to return to 0 after Reset",
        Duration::from_secs(30),
        || async {
            match page.examples_seen().await {
                0 => Ok(()),
                s => Err(format!("{s}")),
            }
        },
    )
    .await;
    let mut settings = set_hyper(&page, &hyper).await;
    // Optionally lower the learning rate later, as a student watching the curve might.
    let drop = std::env::var("CONVSCOPE_METRICS_LR_DROP")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            let (secs, lr) = v.split_once(',').unwrap_or_else(|| {
                panic!("CONVSCOPE_METRICS_LR_DROP={v:?}: expected SECONDS,LEARNING_RATE")
            });
            let secs: f64 = secs
                .trim()
                .parse()
                .expect("CONVSCOPE_METRICS_LR_DROP seconds");
            (secs, lr.trim().to_string())
        });
    if let Some((secs, lr)) = &drop {
        settings.push_str(&format!(", lr {lr} from {secs} s"));
    }
    let mut dropped = false;
    eprintln!("time to 98%: Reset, then training with {settings}");

    page.click("train-toggle").await;
    let start = Instant::now();
    let mut curve: Vec<(f64, f64, u64)> = Vec::new();
    let mut reached = None;
    let mut last_print = 0.0;
    loop {
        let t = start.elapsed().as_secs_f64();
        if let Some((secs, lr)) = &drop {
            if !dropped && t >= *secs {
                type_into(&page, "learning-rate", lr).await;
                eprintln!("  {t:6.1} s: learning rate now {lr}");
                dropped = true;
            }
        }
        let acc = page
            .attr("test-accuracy", "data-value")
            .await
            .and_then(|v| v.trim().parse::<f64>().ok());
        if let Some(a) = acc {
            if curve.last().map(|c| c.1) != Some(a) {
                let seen = page.examples_seen().await;
                curve.push((t, a, seen));
                if t - last_print >= 10.0 || a >= TARGET_ACCURACY {
                    eprintln!("  {t:6.1} s: test accuracy {a:.4} after {seen} examples");
                    last_print = t;
                }
            }
            if a >= TARGET_ACCURACY {
                reached = Some((t, curve.last().map(|c| c.2).unwrap_or(0)));
                break;
            }
        }
        if t >= cap {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    page.click("train-toggle").await;
    page.finish().await;

    let best = curve
        .iter()
        .cloned()
        .fold(None::<(f64, f64, u64)>, |b, c| match b {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        });
    let value = match (reached, best) {
        (Some((t, seen)), _) => format!("{t:.0} s ({seen} examples; {settings})"),
        (None, Some((t, a, _))) => format!(
            "not reached in {cap:.0} s, best {:.1}% at {t:.0} s ({settings})",
            a * 100.0
        ),
        (None, None) => format!("no test accuracy shown in {cap:.0} s ({settings})"),
    };
    report.row(
        "time to 98% test accuracy after Reset",
        value,
        "-".into(),
        None,
    );
    json!({
        "what": "seconds from pressing Train after Reset until test-accuracy data-value >= 0.98 \
                 (polled every 250 ms)",
        "hyper": settings,
        "cap_s": cap,
        "reached_s": reached.map(|r| r.0),
        "reached_at_examples": reached.map(|r| r.1),
        "best": best.map(|b| json!({"s": b.0, "accuracy": b.1, "examples": b.2})),
        "curve": curve.iter().map(|c| json!([c.0, c.1, c.2])).collect::<Vec<_>>(),
    })
}

/// Replaces the text of the input `[data-testid=testid]` with `value` as a person would, and
/// checks that the page accepted it.
async fn type_into(page: &Page, testid: &str, value: &str) {
    let input = page
        .client
        .find(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
        .await
        .unwrap_or_else(|e| panic!("no {testid} input: {e}"));
    // Select all (Control+A, then release the modifier) and type over it, then Tab out of the
    // field, which commits it (one `change` event, never an empty one).
    input
        .send_keys(&format!("\u{E009}a\u{E000}{value}\u{E004}"))
        .await
        .expect("type into the input");
    page.settle().await;
    let error = page.text(&format!("{testid}-error")).await;
    assert!(
        error.trim().is_empty(),
        "the page refused {value:?} for {testid}: {error}"
    );
}

/// Types `OPTIMIZER,LEARNING_RATE,BATCH` into the page's controls (or keeps the page's own
/// with `default`) and returns the settings the page then shows.
async fn set_hyper(page: &Page, hyper: &str) -> String {
    if hyper.trim() != "default" {
        let parts: Vec<&str> = hyper.split(',').map(str::trim).collect();
        assert!(
            parts.len() == 3,
            "CONVSCOPE_METRICS_HYPER={hyper:?}: expected `default` or OPTIMIZER,LR,BATCH"
        );
        let select = page
            .client
            .find(Locator::Css("[data-testid=\"optimizer\"]"))
            .await
            .expect("the optimizer select");
        select
            .select_by_value(parts[0])
            .await
            .unwrap_or_else(|e| panic!("cannot choose optimizer {:?}: {e}", parts[0]));
        type_into(page, "learning-rate", parts[1]).await;
        type_into(page, "batch-size", parts[2]).await;
    }
    let v = page
        .js(
            "const q = id => document.querySelector(`[data-testid=\"${id}\"]`).value;
             return [q('optimizer'), q('learning-rate'), q('batch-size')];",
            vec![],
        )
        .await;
    format!(
        "{} lr {} batch {}",
        v[0].as_str().unwrap_or("?"),
        v[1].as_str().unwrap_or("?"),
        v[2].as_str().unwrap_or("?")
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The worker has loaded the data and evaluated the shown weights: the page shows a test
/// accuracy.
async fn wait_worker_ready(page: &Page) {
    wait_for(
        "the worker to report a test accuracy",
        Duration::from_secs(60),
        || async {
            match page.attr("test-accuracy", "data-value").await {
                Some(v) if !v.trim().is_empty() => Ok(()),
                v => Err(format!("data-value={v:?}")),
            }
        },
    )
    .await;
}

/// Presses Train and waits until examples-seen grows.
async fn start_training(page: &Page) {
    let before = page.examples_seen().await;
    page.click("train-toggle").await;
    page.wait_examples_above(
        before,
        "examples-seen to grow after pressing Train",
        Duration::from_secs(30),
    )
    .await;
}

async fn now_ms(page: &Page) -> f64 {
    page.js("return performance.now();", vec![])
        .await
        .as_f64()
        .expect("performance.now() is a number")
}

/// Examples per second between the first and the last `(time ms, examples seen)` sample in
/// `[from, to]`.
fn rate_between(samples: &[(f64, f64)], from: f64, to: f64) -> Option<f64> {
    let inside: Vec<&(f64, f64)> = samples
        .iter()
        .filter(|(t, _)| *t >= from && *t <= to)
        .collect();
    let (first, last) = (inside.first()?, inside.last()?);
    (last.0 > first.0).then(|| (last.1 - first.1) * 1000.0 / (last.0 - first.0))
}

fn pairs(v: &Json) -> Vec<(f64, f64)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                .collect()
        })
        .unwrap_or_default()
}

fn numbers(v: &Json) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Json::as_f64).collect())
        .unwrap_or_default()
}

/// Nearest-rank percentile (`q` in [0, 1]); NaN when empty.
fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn summary(values: &[f64]) -> Json {
    json!({
        "n": values.len(),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "max": values.iter().cloned().fold(f64::NAN, f64::max),
    })
}

fn join(values: &[f64], decimals: usize) -> String {
    values
        .iter()
        .map(|v| format!("{v:.decimals$}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn env_number(name: &str) -> Option<usize> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
    )
}

/// Cargo's target directory (the parent of `CARGO_TARGET_TMPDIR`).
fn target_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().map(Path::to_path_buf).unwrap_or(tmp)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0)
}

/// The 1-minute load average (Linux), to judge how busy the machine was.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The printed table: figure, value, target, and whether the value meets it.
#[derive(Default)]
struct Report {
    rows: Vec<(String, String, String, Option<bool>)>,
}

impl Report {
    fn row(&mut self, figure: &str, value: String, target: String, meets: Option<bool>) {
        eprintln!("{figure}: {value}");
        self.rows.push((figure.to_string(), value, target, meets));
    }

    fn print(&self) {
        println!("\n| figure | value | target | |\n|---|---|---|---|");
        for (figure, value, target, meets) in &self.rows {
            let verdict = match meets {
                Some(true) => "meets",
                Some(false) => "misses",
                None => "",
            };
            println!("| {figure} | {value} | {target} | {verdict} |");
        }
    }
}
