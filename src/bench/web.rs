//! The browser side of bench mode (wasm32 only): the page entry (`run_page`), the dedicated
//! worker entry (`worker_main`), data loading into JS memory, the clock and the result
//! object. The measurement itself is [`super::driver`].

use super::config::{query_value, BenchConfig, Mode};
use super::driver::{run_phases, Host};
use super::engine::{DataHeader, DataSource, NnEngine, HEADER_LEN, PIXELS};
use super::result::{BenchResult, Env, Subject, Timings, SCHEMA};
use super::stats::r4;
use js_sys::{Array, Float32Array, Function, Object, Promise, Reflect, Uint8Array};
use serde::Serialize;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, Performance,
    Response, Url, Window, Worker, WorkerGlobalScope,
};

/// File names Trunk gives the `bench_worker` bin built with `data-type="worker"` (workers are
/// never hashed; wasm-bindgen `--target no-modules`).
const WORKER_JS: &str = "bench_worker.js";
const WORKER_WASM: &str = "bench_worker_bg.wasm";
/// How long the page waits for the worker's wasm to start.
const WORKER_START_TIMEOUT_MS: i32 = 60_000;

// ------------------------------------------------------------------ small JS helpers

fn js_err(e: JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    let msg = Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string());
    msg.unwrap_or_else(|| format!("{e:?}"))
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

fn set(obj: &JsValue, key: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), v);
}

fn message(kind: &str) -> Object {
    let o = Object::new();
    set(&o, "type", &JsValue::from_str(kind));
    o
}

fn in_worker() -> bool {
    js_sys::global().dyn_into::<WorkerGlobalScope>().is_ok()
}

fn performance() -> Result<Performance, String> {
    let p = get(&js_sys::global(), "performance");
    if p.is_undefined() || p.is_null() {
        return Err("performance.now() is not available".into());
    }
    Ok(p.unchecked_into())
}

/// `bench-core.js`'s `envInfo()`.
fn env_info() -> Env {
    let g = js_sys::global();
    let nav = get(&g, "navigator");
    Env {
        user_agent: get_string(&nav, "userAgent").unwrap_or_default(),
        hardware_concurrency: get(&nav, "hardwareConcurrency").as_f64().unwrap_or(0.0),
        cross_origin_isolated: get(&g, "crossOriginIsolated").as_bool().unwrap_or(false),
        shared_array_buffer: !get(&g, "SharedArrayBuffer").is_undefined(),
        in_worker: in_worker(),
    }
}

/// A plain JS object (JSON-compatible: maps as objects, integers as numbers).
fn to_js<T: Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(|e| {
            let o = message("failed");
            set(&o, "schema", &JsValue::from_str(SCHEMA));
            set(&o, "status", &JsValue::from_str("failed"));
            set(
                &o,
                "error",
                &JsValue::from_str(&format!("serialising the result: {e}")),
            );
            set(&o, "phases", &Object::new());
            o.into()
        })
}

/// One `MessageChannel` round trip: lets the event loop (and the harness's polling) run.
fn tick() -> Promise {
    Promise::new(
        &mut |resolve: Function, _reject: Function| match MessageChannel::new() {
            Ok(ch) => {
                let done = Closure::once_into_js(move || {
                    let _ = resolve.call0(&JsValue::NULL);
                });
                ch.port1().set_onmessage(Some(done.unchecked_ref()));
                let _ = ch.port2().post_message(&JsValue::from(0));
            }
            Err(_) => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        },
    )
}

// ------------------------------------------------------------------ host and data

struct WebHost {
    perf: Performance,
    sink: Rc<dyn Fn(&str)>,
}

impl Host for WebHost {
    fn now_ms(&self) -> f64 {
        self.perf.now()
    }

    fn yield_now(&self) -> impl Future<Output = ()> {
        let p = tick();
        async move {
            let _ = JsFuture::from(p).await;
        }
    }

    fn progress(&self, msg: &str) {
        (self.sink)(msg)
    }
}

/// The data file as fetched: views into one JS `ArrayBuffer`, never copied into wasm
/// memory as a whole. `x` holds the inference images `[x_start, n)` as floats (JS memory,
/// like `bench-core.js`'s `data.x`).
struct JsData {
    n: usize,
    pixels: Uint8Array,
    labels: Uint8Array,
    x: Float32Array,
    x_start: usize,
}

impl DataSource for JsData {
    fn len(&self) -> usize {
        self.n
    }

    fn read_pixels(&self, start: usize, out: &mut [u8]) {
        let a = start * PIXELS;
        self.pixels
            .subarray(a as u32, (a + out.len()) as u32)
            .copy_to(out);
    }

    fn read_labels(&self, start: usize, out: &mut [u8]) {
        self.labels
            .subarray(start as u32, (start + out.len()) as u32)
            .copy_to(out);
    }

    fn read_image(&self, index: usize, out: &mut [f32]) {
        if index >= self.x_start {
            let a = (index - self.x_start) * PIXELS;
            self.x.subarray(a as u32, (a + PIXELS) as u32).copy_to(out);
        } else {
            let mut px = [0u8; PIXELS];
            self.read_pixels(index, &mut px);
            for (o, p) in out.iter_mut().zip(px) {
                *o = p as f32 / 255.0;
            }
        }
    }

    fn hand_back(&self, scores: &[f32]) -> usize {
        Float32Array::from(scores).length() as usize
    }
}

async fn fetch_bytes(url: &str) -> Result<Uint8Array, String> {
    let g = js_sys::global();
    let promise = match g.dyn_ref::<WorkerGlobalScope>() {
        Some(w) => w.fetch_with_str(url),
        None => g.unchecked_ref::<Window>().fetch_with_str(url),
    };
    let resp: Response = JsFuture::from(promise)
        .await
        .map_err(|e| format!("fetch {url}: {}", js_err(e)))?
        .dyn_into()
        .map_err(|_| format!("fetch {url}: not a Response"))?;
    if !resp.ok() {
        return Err(format!("fetch {url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(js_err)?)
        .await
        .map_err(|e| format!("reading {url}: {}", js_err(e)))?;
    Ok(Uint8Array::new(&buf))
}

async fn load_data(cfg: &BenchConfig) -> Result<JsData, String> {
    let bytes = fetch_bytes(&cfg.data).await?;
    let total = bytes.length() as usize;
    let mut head = [0u8; HEADER_LEN];
    if total >= HEADER_LEN {
        bytes.subarray(0, HEADER_LEN as u32).copy_to(&mut head);
    }
    let h = DataHeader::parse(&head, total)?;
    let (n, end) = (h.n, HEADER_LEN + h.n * PIXELS);
    let pixels = bytes.subarray(HEADER_LEN as u32, end as u32);
    let labels = bytes.subarray(end as u32, (end + n) as u32);
    // the inference inputs, as floats in JS memory (same start as the infer phase's)
    let x_start = cfg.train_n.min(n - 1);
    let x = Float32Array::new_with_length(((n - x_start) * PIXELS) as u32);
    let (mut px, mut fx) = ([0u8; PIXELS], [0f32; PIXELS]);
    for i in x_start..n {
        pixels
            .subarray((i * PIXELS) as u32, ((i + 1) * PIXELS) as u32)
            .copy_to(&mut px);
        for (f, p) in fx.iter_mut().zip(px) {
            *f = p as f32 / 255.0;
        }
        let a = (i - x_start) * PIXELS;
        x.subarray(a as u32, (a + PIXELS) as u32).copy_from(&fx);
    }
    Ok(JsData {
        n,
        pixels,
        labels,
        x,
        x_start,
    })
}

/// Milliseconds for each of the two calibration measurements.
const CALIBRATION_MS: f64 = 600.0;

/// Loads the data and runs every phase here (page main thread or worker), then calibrates.
async fn run_all(cfg: &BenchConfig, sink: Rc<dyn Fn(&str)>) -> BenchResult {
    let mode = if in_worker() { "worker" } else { "main" };
    let perf = match performance() {
        Ok(p) => p,
        Err(e) => return BenchResult::failure(cfg.net.name(), mode, env_info(), e),
    };
    let t0 = perf.now();
    let data = match load_data(cfg).await {
        Ok(d) => d,
        Err(e) => {
            sink(&format!("FAILED: {e}"));
            return BenchResult::failure(cfg.net.name(), mode, env_info(), e);
        }
    };
    let data_ms = perf.now() - t0;
    let ti = perf.now();
    let mut engine = NnEngine::new(data, cfg.lr, cfg.momentum);
    let init_ms = perf.now() - ti;
    let subject = Subject::this_build();
    sink(&format!(
        "init {} {} backend={} ({} samples, {:.0} ms to load)",
        subject.library,
        subject.version,
        subject.backend,
        engine.data().len(),
        data_ms
    ));
    let host = WebHost { perf, sink };
    let phases = run_phases(cfg, &mut engine, &host).await;
    let mut subject = subject;
    host.yield_now().await;
    match super::calibrate::calibrate(&host, cfg.net, CALIBRATION_MS) {
        Ok(c) => {
            host.progress(&format!(
                "calibration: f32x4 peak {:.2} GFLOP/s, conv forward {:.2} GFLOP/s ({:.0}% of peak)",
                c.peak_f32x4_gflops,
                c.conv_forward_gflops,
                100.0 * c.conv_fraction_of_peak
            ));
            subject.detail.calibration = Some(c);
        }
        Err(e) => host.progress(&format!("calibration FAILED: {e}")),
    }
    BenchResult {
        schema: SCHEMA,
        status: "ok",
        error: None,
        subject,
        net: cfg.net.name().to_string(),
        mode: mode.to_string(),
        config: Some(cfg.clone()),
        env: env_info(),
        phases,
        timings_ms: Some(Timings {
            data_load: r4(data_ms),
            init: r4(init_ms),
            total: r4(host.perf.now() - t0),
        }),
    }
}

// ------------------------------------------------------------------ the page

/// Whether the page was opened in bench mode (`?bench` in the query).
pub fn requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| super::config::bench_requested(&q))
}

/// One progress line on the page: `window.__BENCH_PROGRESS__`, the console and a `<pre>`.
fn page_progress(msg: &str) {
    let Some(w) = web_sys::window() else { return };
    set(&w, "__BENCH_PROGRESS__", &JsValue::from_str(msg));
    web_sys::console::log_1(&JsValue::from_str(&format!("[bench] {msg}")));
    if let Some(doc) = w.document() {
        let pre = doc.get_element_by_id("bench-log").or_else(|| {
            let pre = doc.create_element("pre").ok()?;
            pre.set_id("bench-log");
            doc.body()?.append_with_node_1(&pre).ok()?;
            Some(pre)
        });
        if let Some(pre) = pre {
            let _ = pre.append_with_str_1(&format!("{msg}\n"));
        }
    }
}

/// Runs the benchmark the query asks for and sets `window.__BENCH_RESULT__` when done.
/// Never mounts the UI; never panics on a bad query (the result says `failed`).
pub fn run_page() {
    spawn_local(async {
        let result = page_main().await;
        if let Some(w) = web_sys::window() {
            let ok = get_string(&result, "status").as_deref() == Some("ok");
            page_progress(if ok { "done" } else { "done (failed)" });
            set(&w, "__BENCH_RESULT__", &result);
        }
    });
}

fn base_uri() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .or_else(|| web_sys::window().and_then(|w| w.location().href().ok()))
        .unwrap_or_default()
}

fn resolve_url(rel: &str, base: &str) -> Result<String, String> {
    Url::new_with_base(rel, base)
        .map(|u| u.href())
        .map_err(|e| format!("bad URL {rel:?} (base {base}): {}", js_err(e)))
}

async fn page_main() -> JsValue {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let raw_net = query_value(&search, "net").unwrap_or_else(|| "ref-A".into());
    let raw_mode = query_value(&search, "mode").unwrap_or_else(|| "main".into());
    let fail = |e: String| {
        page_progress(&format!("FAILED: {e}"));
        to_js(&BenchResult::failure(&raw_net, &raw_mode, env_info(), e))
    };
    let mut cfg = match BenchConfig::from_query(&search) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let base = base_uri();
    cfg.data = match resolve_url(&cfg.data, &base) {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let sink: Rc<dyn Fn(&str)> = Rc::new(page_progress);
    match cfg.mode {
        Mode::Main => to_js(&run_all(&cfg, sink).await),
        Mode::Worker => match run_in_worker(&cfg, &search, &base).await {
            Ok(v) => v,
            Err(e) => fail(e),
        },
    }
}

/// A JS string literal for `s`.
fn js_literal(s: &str) -> String {
    js_sys::JSON::stringify(&JsValue::from_str(s))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "\"\"".into())
}

/// Spawns the bench worker, hands it the query, relays its progress and returns its result.
/// The worker is a classic script from a Blob that imports Trunk's `bench_worker.js`
/// (wasm-bindgen no-modules output) and starts its wasm; both resolved against the page's
/// base URL, so the app works under a sub-path.
async fn run_in_worker(cfg: &BenchConfig, search: &str, base: &str) -> Result<JsValue, String> {
    let js = resolve_url(WORKER_JS, base)?;
    let wasm = resolve_url(WORKER_WASM, base)?;
    let (js, wasm) = (js_literal(&js), js_literal(&wasm));
    let script = format!(
        "try {{ importScripts({js}); }} catch (e) {{\n\
         \x20 postMessage({{ type: 'init-error', error: 'importScripts(' + {js} + '): ' + e }}); throw e;\n\
         }}\n\
         wasm_bindgen({{ module_or_path: {wasm} }}).catch(function (e) {{\n\
         \x20 postMessage({{ type: 'init-error', error: 'starting ' + {wasm} + ': ' + ((e && e.stack) || e) }});\n\
         }});\n"
    );
    let opts = BlobPropertyBag::new();
    opts.set_type("text/javascript");
    let blob =
        Blob::new_with_str_sequence_and_options(&Array::of1(&JsValue::from_str(&script)), &opts)
            .map_err(|e| format!("worker blob: {}", js_err(e)))?;
    let url = Url::create_object_url_with_blob(&blob)
        .map_err(|e| format!("worker blob URL: {}", js_err(e)))?;
    let worker =
        Worker::new(&url).map_err(|e| format!("starting the bench worker: {}", js_err(e)))?;
    page_progress("bench worker spawned, waiting for its wasm to start");

    let run = message("run");
    set(&run, "query", &JsValue::from_str(search));
    set(&run, "data", &JsValue::from_str(&cfg.data));

    let mut resolve_slot = None;
    let done = Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
    let resolve = resolve_slot.ok_or("Promise executor did not run")?;
    let started = Rc::new(Cell::new(false));
    let (net, mode) = (cfg.net.name().to_string(), cfg.mode.name());
    let fail_with = {
        let resolve = resolve.clone();
        let worker = worker.clone();
        let settled = Cell::new(false);
        move |e: String| {
            // only the first failure counts (a failed import also raises `error`)
            if settled.replace(true) {
                return;
            }
            page_progress(&format!("FAILED: {e}"));
            worker.terminate();
            let _ = resolve.call1(
                &JsValue::NULL,
                &to_js(&BenchResult::failure(&net, mode, env_info(), e)),
            );
        }
    };
    let fail_with = Rc::new(fail_with);

    let on_message = {
        let (worker, started, fail_with) = (worker.clone(), started.clone(), fail_with.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let d = e.data();
            match get_string(&d, "type").as_deref() {
                Some("ready") => {
                    started.set(true);
                    page_progress("bench worker started");
                    if let Err(e) = worker.post_message(&run) {
                        fail_with(format!("posting the config to the worker: {}", js_err(e)));
                    }
                }
                Some("progress") => page_progress(&format!(
                    "[worker] {}",
                    get_string(&d, "msg").unwrap_or_default()
                )),
                Some("result") => {
                    worker.terminate();
                    let _ = resolve.call1(&JsValue::NULL, &get(&d, "result"));
                }
                Some("init-error") => fail_with(format!(
                    "bench worker failed to start: {}",
                    get_string(&d, "error").unwrap_or_default()
                )),
                _ => {}
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let on_error = {
        let fail_with = fail_with.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let msg = get_string(&e, "message").unwrap_or_else(|| "unknown error".into());
            let at = match (get_string(&e, "filename"), get(&e, "lineno").as_f64()) {
                (Some(f), Some(l)) if !f.is_empty() => format!(" ({f}:{l})"),
                _ => String::new(),
            };
            fail_with(format!("bench worker error: {msg}{at}"));
        })
    };
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();

    let on_timeout = {
        let (started, fail_with) = (started, fail_with);
        Closure::<dyn FnMut()>::new(move || {
            if !started.get() {
                fail_with(format!(
                    "bench worker did not start within {} s",
                    WORKER_START_TIMEOUT_MS / 1000
                ));
            }
        })
    };
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.as_ref().unchecked_ref(),
            WORKER_START_TIMEOUT_MS,
        );
    }
    on_timeout.forget();

    let result = JsFuture::from(done).await.map_err(js_err);
    Url::revoke_object_url(&url).ok();
    result
}

// ------------------------------------------------------------------ the worker

/// Entry of the `bench_worker` bin: waits for `{type:'run', query, data}`, runs the phases
/// inside this dedicated worker (timed here) and posts `{type:'result', result}`.
pub fn worker_main() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        web_sys::console::error_1(&"bench_worker must run in a dedicated worker".into());
        return;
    };
    let on_message = {
        let scope = scope.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let d = e.data();
            if get_string(&d, "type").as_deref() != Some("run") {
                return;
            }
            let query = get_string(&d, "query").unwrap_or_default();
            let data = get_string(&d, "data").unwrap_or_default();
            let scope = scope.clone();
            spawn_local(async move {
                let sink: Rc<dyn Fn(&str)> = {
                    let scope = scope.clone();
                    Rc::new(move |m: &str| {
                        let o = message("progress");
                        set(&o, "msg", &JsValue::from_str(m));
                        let _ = scope.post_message(&o);
                    })
                };
                let result = match BenchConfig::from_query(&query) {
                    Ok(mut cfg) => {
                        if !data.is_empty() {
                            cfg.data = data;
                        }
                        to_js(&run_all(&cfg, sink).await)
                    }
                    Err(e) => {
                        let net = query_value(&query, "net").unwrap_or_default();
                        to_js(&BenchResult::failure(&net, "worker", env_info(), e))
                    }
                };
                let o = message("result");
                set(&o, "result", &result);
                let _ = scope.post_message(&o);
            });
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&message("ready"));
}
