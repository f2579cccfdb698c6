//! The Convscope page as the tests see it: the release build served under its sub-path, opened
//! in headless Chromium, and touched only through the stable `data-testid` contract hooks.

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{Client, Locator};
use serde_json::{json, Value as Json};

use super::browser::{browser_log, ChromeDriver, LogEntry};
use super::server::StaticServer;

/// Where the release build is (`$CONVSCOPE_DIST`, default `dist/`) and its sub-path
/// (`$CONVSCOPE_PUBLIC_URL`, default `/convscope/`): `trunk build --release --public-url /convscope/`.
fn dist_dir() -> PathBuf {
    std::env::var_os("CONVSCOPE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"))
}

fn public_url() -> String {
    std::env::var("CONVSCOPE_PUBLIC_URL").unwrap_or_else(|_| "/convscope/".to_string())
}

/// Polls `probe` every 50 ms until it returns `Ok`, or panics after `timeout` with `what` and
/// the last state the probe described in its `Err`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(last) => {
                if start.elapsed() > timeout {
                    panic!("timed out after {timeout:?} waiting for {what}; last seen: {last}");
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `prediction` hook.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// `data-digit`: None when empty (nothing drawn).
    pub digit: Option<u8>,
    /// `data-confidence`, when present and numeric.
    pub confidence: Option<f64>,
}

pub struct Page {
    pub client: Client,
    pub server: StaticServer,
    /// Every browser log line read so far (see `log`).
    seen_log: Vec<LogEntry>,
    _driver: ChromeDriver,
}

impl Page {
    /// Serves the release build, opens it in a fresh headless Chromium and waits until
    /// `document.body.dataset.ready == "true"`.
    pub async fn open() -> Page {
        Page::open_with("").await
    }

    /// Like [`Page::open`], with `query` (e.g. `"?live=off"`) appended to the site's URL.
    pub async fn open_with(query: &str) -> Page {
        let dist = dist_dir();
        assert!(
            dist.join("index.html").is_file(),
            "no release build at {}: run `trunk build --release --public-url {}` \
             (scripts/test.sh does) or set CONVSCOPE_DIST",
            dist.display(),
            public_url()
        );
        let server = StaticServer::start(&dist, &public_url()).expect("start the static server");
        let driver = ChromeDriver::start();
        let client = driver.new_session().await;
        let mut page = Page {
            client,
            server,
            seen_log: Vec::new(),
            _driver: driver,
        };
        let url = format!("{}{query}", page.server.url());
        page.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
        let start = Instant::now();
        let deadline = Duration::from_secs(60);
        loop {
            let ready = page
                .js(
                    "return document.body ? document.body.dataset.ready || null : null",
                    vec![],
                )
                .await;
            if ready.as_str() == Some("true") {
                break;
            }
            if start.elapsed() > deadline {
                let log = page.log().await;
                panic!(
                    "the page at {url} did not set document.body.dataset.ready = \"true\" within \
                     {deadline:?} (last value {ready}).\nRequests: {:#?}\nBrowser log: {log:#?}",
                    page.server.requests()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("page ready in {:.1} s", start.elapsed().as_secs_f64());
        page
    }

    pub async fn js(&self, script: &str, args: Vec<Json>) -> Json {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\nscript: {script}"))
    }

    pub async fn js_async(&self, script: &str, args: Vec<Json>) -> Json {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\nscript: {script}"))
    }

    /// Resolves after two animation frames, so that rendering caused by input has happened.
    pub async fn settle(&self) {
        self.js_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));",
            vec![],
        )
        .await;
    }

    /// The attribute `name` of the element `[data-testid=testid]`; panics when no such element.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        let v = self
            .js(
                "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
                 if (!e) return {missing: true};
                 return {value: e.getAttribute(arguments[1])};",
                vec![json!(testid), json!(name)],
            )
            .await;
        assert!(
            v.get("missing").is_none(),
            "the page has no element with data-testid=\"{testid}\""
        );
        v["value"].as_str().map(str::to_string)
    }

    pub async fn text(&self, testid: &str) -> String {
        let v = self
            .js(
                "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
                 return e ? e.textContent : null;",
                vec![json!(testid)],
            )
            .await;
        v.as_str()
            .unwrap_or_else(|| panic!("the page has no element with data-testid=\"{testid}\""))
            .to_string()
    }

    /// A real (WebDriver) click on the element `[data-testid=testid]`.
    pub async fn click(&self, testid: &str) {
        let css = format!("[data-testid=\"{testid}\"]");
        let el = self
            .client
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| {
                panic!("the page has no element with data-testid=\"{testid}\": {e}")
            });
        el.click()
            .await
            .unwrap_or_else(|e| panic!("cannot click data-testid=\"{testid}\": {e}"));
    }

    /// `examples-seen`: the number in its text (digits only, so "1,024" reads as 1024).
    pub async fn examples_seen(&self) -> u64 {
        let text = self.text("examples-seen").await;
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits.parse().unwrap_or_else(|_| {
            panic!("examples-seen text {text:?} holds no number of training examples")
        })
    }

    /// Waits until examples-seen exceeds `before` (the worker reported training); returns it.
    pub async fn wait_examples_above(&self, before: u64, what: &str, timeout: Duration) -> u64 {
        wait_for(what, timeout, || async {
            let s = self.examples_seen().await;
            if s > before {
                Ok(s)
            } else {
                Err(format!("examples-seen {s} (was {before})"))
            }
        })
        .await
    }

    pub async fn prediction(&self) -> Prediction {
        let v = self
            .js(
                "const e = document.querySelector('[data-testid=\"prediction\"]');
                 if (!e) return null;
                 return [e.getAttribute('data-digit'), e.getAttribute('data-confidence')];",
                vec![],
            )
            .await;
        parse_prediction(&v)
    }

    /// The prediction once the page has finished reacting to input: read after two animation
    /// frames, again and again until two reads agree (one round trip).
    pub async fn settled_prediction(&self) -> Prediction {
        let v = self
            .js_async(
                "const done = arguments[arguments.length - 1];
                 const read = () => {
                   const e = document.querySelector('[data-testid=\"prediction\"]');
                   return e ? [e.getAttribute('data-digit'), e.getAttribute('data-confidence')]
                            : null;
                 };
                 const frames = (n, f) => requestAnimationFrame(() => n > 1 ? frames(n - 1, f)
                                                                         : setTimeout(f, 0));
                 let last = JSON.stringify(read()), tries = 0;
                 const again = () => frames(2, () => {
                   const now = JSON.stringify(read());
                   if (now === last || ++tries > 50) done(read()); else { last = now; again(); }
                 });
                 again();",
                vec![],
            )
            .await;
        parse_prediction(&v)
    }

    /// Clicks Clear (with a pointer action chain, which is quicker than an element click) and
    /// waits until the prediction is empty.
    pub async fn clear(&self) {
        self.press("clear").await;
        wait_for(
            "an empty prediction after Clear",
            Duration::from_secs(5),
            || async {
                self.settle().await;
                let p = self.prediction().await;
                match p.digit {
                    None => Ok(()),
                    Some(d) => Err(format!("data-digit=\"{d}\"")),
                }
            },
        )
        .await;
    }

    /// Presses and releases the mouse button over the centre of `[data-testid=testid]`.
    pub async fn press(&self, testid: &str) {
        let css = format!("[data-testid=\"{testid}\"]");
        let el = self
            .client
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| {
                panic!("the page has no element with data-testid=\"{testid}\": {e}")
            });
        self.js(
            "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
            vec![serde_json::to_value(&el).expect("element reference")],
        )
        .await;
        let mouse = MouseActions::new("mouse".to_string())
            .then(PointerAction::MoveToElement {
                element: el,
                duration: Some(Duration::ZERO),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("pressing data-testid=\"{testid}\" failed: {e}"));
    }

    /// Replays strokes (pad CSS px, origin top-left) on `draw-pad` with one WebDriver mouse
    /// action chain: per stroke, move to its first point, press, move through the rest, release.
    /// Strokes add to whatever the pad holds.
    pub async fn draw(&self, strokes: &[Vec<(f64, f64)>]) {
        self.draw_actions(false, strokes, None).await;
    }

    /// Presses Clear, then draws, all in one action chain (the quickest way to replay many
    /// digits: one WebDriver round trip per digit).
    pub async fn clear_and_draw(&self, strokes: &[Vec<(f64, f64)>]) {
        self.draw_actions(true, strokes, None).await;
    }

    /// Like [`Page::clear_and_draw`] (or [`Page::draw`] without `clear_first`), pausing `pace`
    /// after every pointer move, as a hand-held pointer reporting at a fixed rate would.
    /// (Used by tests/page_metrics.rs, not by tests/e2e.rs.)
    #[allow(dead_code)]
    pub async fn draw_paced(&self, clear_first: bool, strokes: &[Vec<(f64, f64)>], pace: Duration) {
        self.draw_actions(clear_first, strokes, Some(pace)).await;
    }

    async fn draw_actions(
        &self,
        clear_first: bool,
        strokes: &[Vec<(f64, f64)>],
        pace: Option<Duration>,
    ) {
        // Scroll the pad into view and find its box (and Clear's centre) in viewport
        // coordinates. The pad maps its bounding box onto 280×280 pad px, as a pointer sees it.
        let r = self
            .js(
                "const c = document.querySelector('[data-testid=\"draw-pad\"]');
                 const b = document.querySelector('[data-testid=\"clear\"]');
                 if (!c) return 'draw-pad';
                 if (!b) return 'clear';
                 let r = c.getBoundingClientRect();
                 if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
                   c.scrollIntoView({block: 'center', inline: 'center'});
                   r = c.getBoundingClientRect();
                 }
                 const q = b.getBoundingClientRect();
                 return [r.left, r.top, r.width, r.height, q.left + q.width / 2,
                         q.top + q.height / 2, innerWidth, innerHeight];",
                vec![],
            )
            .await;
        let r = r.as_array().unwrap_or_else(|| {
            panic!(
                "the page has no element with data-testid=\"{}\"",
                r.as_str().unwrap_or("?")
            )
        });
        let n = |i: usize| r[i].as_f64().expect("a number");
        let (left, top, width, height) = (n(0), n(1), n(2), n(3));
        let (clear_x, clear_y, view_w, view_h) = (n(4), n(5), n(6), n(7));
        assert!(
            (width - 280.0).abs() < 1.0 && (height - 280.0).abs() < 1.0,
            "draw-pad should be 280×280 CSS px, is {width}×{height}"
        );
        let mut mouse = MouseActions::new("mouse".to_string());
        let to = |x: f64, y: f64| PointerAction::MoveTo {
            duration: Some(Duration::ZERO),
            x: x.round(),
            y: y.round(),
        };
        let down = PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        };
        let up = PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        };
        if clear_first {
            assert!(
                (0.0..view_w).contains(&clear_x) && (0.0..view_h).contains(&clear_y),
                "Clear is out of view ({clear_x}, {clear_y}) while the pad is in view"
            );
            mouse = mouse
                .then(to(clear_x, clear_y))
                .then(down.clone())
                .then(up.clone());
        }
        // Stay a pixel inside the box: a pointer on the border belongs to the page outside.
        let at = |(x, y): (f64, f64)| {
            to(
                (left + x * width / 280.0).clamp(left + 1.0, left + width - 1.0),
                (top + y * height / 280.0).clamp(top + 1.0, top + height - 1.0),
            )
        };
        for stroke in strokes {
            mouse = mouse.then(at(stroke[0])).then(down.clone());
            for &p in &stroke[1..] {
                mouse = mouse.then(at(p));
                if let Some(duration) = pace {
                    mouse = mouse.then(PointerAction::Pause { duration });
                }
            }
            mouse = mouse.then(up.clone());
        }
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("pointer actions on draw-pad failed: {e}"));
    }

    /// A fingerprint of the pixels of every canvas inside `[data-testid=container]`, with how
    /// many canvases there are: equal fingerprints mean identical pictures.
    pub async fn canvases_fingerprint(&self, container: &str) -> (usize, String) {
        let v = self
            .js(
                "const box = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
                 if (!box) return null;
                 const canvases = [...box.querySelectorAll('canvas')];
                 let h = 0x811c9dc5 >>> 0, h2 = 0;
                 for (const c of canvases) {
                   if (c.width === 0 || c.height === 0) continue;
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   for (let i = 0; i < d.length; i++) {
                     h = Math.imul(h ^ d[i], 16777619) >>> 0;
                     h2 = (h2 + d[i] * (i % 65521 + 1)) % 4294967291;
                   }
                 }
                 return [canvases.length, h.toString(16) + ':' + h2.toString(16)];",
                vec![json!(container)],
            )
            .await;
        let arr = v
            .as_array()
            .unwrap_or_else(|| panic!("the page has no element with data-testid=\"{container}\""));
        (
            arr[0].as_u64().unwrap_or(0) as usize,
            arr[1].as_str().unwrap_or("").to_string(),
        )
    }

    /// Saves a PNG of the window as `<cargo target tmp dir>/e2e-<name>.png` and prints its path,
    /// so a person can look at what the test saw.
    pub async fn screenshot(&self, name: &str) {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{name}.png"));
        match self.client.screenshot().await {
            Ok(png) => match std::fs::write(&path, png) {
                Ok(()) => eprintln!("screenshot: {}", path.display()),
                Err(e) => eprintln!("note: cannot write {}: {e}", path.display()),
            },
            Err(e) => eprintln!("note: no screenshot: {e}"),
        }
    }

    /// Browser log lines (console and network) that arrived since the page opened.
    pub async fn log(&mut self) -> Vec<LogEntry> {
        let new = browser_log(&self.client).await;
        self.seen_log.extend(new);
        self.seen_log.clone()
    }

    /// Errors in the browser log (SEVERE: failed loads, console.error, wasm panics), except a
    /// root favicon that a sub-path site does not own.
    pub async fn errors(&mut self) -> Vec<LogEntry> {
        self.log()
            .await
            .into_iter()
            .filter(|e| e.level == "SEVERE" && !e.message.contains("/favicon.ico"))
            .collect()
    }

    /// Ends the test: fails on browser errors, then closes the browser session.
    pub async fn finish(mut self) {
        let errors = self.errors().await;
        assert!(
            errors.is_empty(),
            "the browser logged errors during the test:\n{}",
            errors
                .iter()
                .map(|e| format!("  {}: {}", e.level, e.message))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let _ = self.client.clone().close().await;
    }
}

fn parse_prediction(v: &Json) -> Prediction {
    let arr = v
        .as_array()
        .unwrap_or_else(|| panic!("the page has no element with data-testid=\"prediction\""));
    let digit = arr[0].as_str().unwrap_or("").trim().to_string();
    let digit = if digit.is_empty() {
        None
    } else {
        Some(
            digit
                .parse::<u8>()
                .ok()
                .filter(|d| *d < 10)
                .unwrap_or_else(|| panic!("prediction data-digit={digit:?} is not 0-9")),
        )
    };
    let confidence = arr[1].as_str().and_then(|c| c.trim().parse::<f64>().ok());
    Prediction { digit, confidence }
}
