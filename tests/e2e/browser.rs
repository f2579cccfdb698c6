//! Headless Chromium through its own ChromeDriver, started on a free port and shut down (with
//! `GET /shutdown`, which also ends its browsers and their temp dirs) when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value as Json};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// A unique scratch directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "convscope-e2e-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct ChromeDriver {
    child: Child,
    port: u16,
    pub dir: TempDir,
}

impl ChromeDriver {
    /// Starts `$CHROMEDRIVER` (default /usr/bin/chromedriver) and waits until it is ready.
    pub fn start() -> ChromeDriver {
        let bin = env_or("CHROMEDRIVER", "/usr/bin/chromedriver");
        let dir = TempDir::new("chromedriver");
        let port = free_port();
        let log = std::fs::File::create(dir.0.join("chromedriver.log")).expect("chromedriver log");
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin}: {e} (scripts/setup.sh installs chromium-driver)")
            });
        let mut driver = ChromeDriver { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(body) = http_get(port, "/status") {
                if body.contains("\"ready\":true") || body.contains("\"ready\": true") {
                    return driver;
                }
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "{bin} exited with {status} before it was ready; its log:\n{}",
                    driver.log()
                );
            }
            if Instant::now() > deadline {
                panic!("{bin} not ready after 20 s; its log:\n{}", driver.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("chromedriver.log")).unwrap_or_default()
    }

    /// A new headless Chromium session with a fresh profile, browser logging on.
    pub async fn new_session(&self) -> Client {
        let profile = self.dir.0.join("profile");
        let chromium = env_or("CHROMIUM", "/usr/bin/chromium");
        let window = env_or("CONVSCOPE_E2E_WINDOW", "1024,768");
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-frame-rate-limit",
            "--disable-gpu-vsync",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        args.push(format!("--window-size={window}"));
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(trace_args());
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
            },
            "goog:loggingPrefs": { "browser": "ALL" }
        });
        let Json::Object(caps) = caps else {
            unreachable!()
        };
        let caps: Capabilities = caps;
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot open a Chromium session through chromedriver: {e}\nchromedriver log:\n{}",
                    self.log()
                )
            })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // /shutdown ends chromedriver and the browsers it started, removing their temp dirs.
        let _ = http_get(self.port, "/shutdown");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opt-in profiling: with `CONVSCOPE_E2E_TRACE=FILE`, every browser this harness starts records
/// a Chromium trace (the DevTools timeline categories, top-level tasks, V8's GC) from its start
/// for `CONVSCOPE_E2E_TRACE_SECS` seconds (default 60), or until it is closed, and writes it to
/// FILE (Perfetto's protobuf format; each new browser overwrites it, so trace one session at a
/// time, e.g. `CONVSCOPE_E2E_TRACE=/tmp/t.pb ./scripts/measure-page.sh interaction`). Open FILE
/// in Perfetto's UI, or summarise the long tasks with `scripts/trace-long-tasks.py FILE`.
fn trace_args() -> Vec<String> {
    let Some(file) = std::env::var_os("CONVSCOPE_E2E_TRACE").filter(|f| !f.is_empty()) else {
        return Vec::new();
    };
    let secs = env_or("CONVSCOPE_E2E_TRACE_SECS", "60");
    vec![
        "--trace-startup=devtools.timeline,toplevel,v8.execute,blink,cc,\
         disabled-by-default-devtools.timeline,disabled-by-default-v8.gc"
            .to_string(),
        format!("--trace-startup-file={}", PathBuf::from(file).display()),
        format!("--trace-startup-duration={secs}"),
        "--trace-startup-record-mode=record-as-much-as-possible".to_string(),
    ]
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("find a free port")
}

/// A bare HTTP/1.1 GET on loopback (ChromeDriver refuses HTTP/1.0 and may keep the connection
/// open): returns the body once Content-Length bytes of it have arrived.
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk)?;
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())
                        .flatten()
                })
                .unwrap_or(0);
            if n == 0 || buf.len() >= head_end + 4 + length {
                return Ok(text[head_end + 4..].to_string());
            }
        } else if n == 0 {
            return Ok(text.to_string());
        }
    }
}

/// ChromeDriver's (non-W3C, still supported) log endpoint: `POST /session/{id}/se/log`.
#[derive(Debug)]
pub struct GetBrowserLog;

impl WebDriverCompatibleCommand for GetBrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

/// One browser console / network log line.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// Log entries since the last call (ChromeDriver hands each entry out once).
pub async fn browser_log(client: &Client) -> Vec<LogEntry> {
    let value = match client.issue_cmd(GetBrowserLog).await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("note: could not read the browser log: {e}");
            return Vec::new();
        }
    };
    value
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| LogEntry {
                    level: e["level"].as_str().unwrap_or("").to_string(),
                    message: e["message"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}
