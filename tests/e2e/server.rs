//! A tiny static file server for the release build: serves `dist/` under a sub-path such as
//! `/convscope/`, exactly like a GitHub Pages project site, and answers 404 everywhere else.
//! Every request is logged with its status so tests can check that nothing failed to load.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request the server answered.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    /// The request target without query or fragment, as sent (still percent-encoded).
    pub path: String,
    pub status: u16,
}

pub struct StaticServer {
    addr: SocketAddr,
    prefix: String,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` under `prefix` (which starts and ends with '/') on a free loopback port.
    pub fn start(root: &Path, prefix: &str) -> std::io::Result<StaticServer> {
        assert!(
            prefix.starts_with('/') && prefix.ends_with('/'),
            "prefix must start and end with '/': {prefix:?}"
        );
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let thread = {
            let (log, stop, prefix) = (log.clone(), stop.clone(), prefix.to_string());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (root, prefix, log) = (root.clone(), prefix.clone(), log.clone());
                    std::thread::spawn(move || {
                        let _ = serve_connection(conn, &root, &prefix, &log);
                    });
                }
            })
        };
        Ok(StaticServer {
            addr,
            prefix: prefix.to_string(),
            log,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The site's URL: `http://127.0.0.1:PORT/convscope/`.
    pub fn url(&self) -> String {
        format!("{}{}", self.origin(), self.prefix)
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_connection(
    conn: TcpStream,
    root: &Path,
    prefix: &str,
    log: &Mutex<Vec<LoggedRequest>>,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut conn = conn;
    // Keep-alive: answer requests on this connection until the client closes it.
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut content_length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        if content_length > 0 {
            std::io::copy(
                &mut (&mut reader).take(content_length as u64),
                &mut std::io::sink(),
            )?;
        }

        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let path = target.split(['?', '#']).next().unwrap_or("").to_string();

        let response = respond(&method, &path, root, prefix);
        log.lock().unwrap().push(LoggedRequest {
            method: method.clone(),
            path,
            status: response.status,
        });

        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
            response.status,
            reason(response.status),
            response.body.len()
        );
        if let Some(ct) = response.content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        if let Some(loc) = &response.location {
            head.push_str(&format!("Location: {loc}\r\n"));
        }
        head.push_str("\r\n");
        conn.write_all(head.as_bytes())?;
        if method != "HEAD" {
            conn.write_all(&response.body)?;
        }
        conn.flush()?;
        if method != "GET" && method != "HEAD" {
            let _ = conn.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

struct Response {
    status: u16,
    content_type: Option<&'static str>,
    location: Option<String>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, text: &str) -> Response {
        Response {
            status,
            content_type: Some("text/plain; charset=utf-8"),
            location: None,
            body: text.as_bytes().to_vec(),
        }
    }
}

fn respond(method: &str, path: &str, root: &Path, prefix: &str) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::text(405, "method not allowed\n");
    }
    // "/convscope" without the slash: redirect, as static hosts do.
    if path == prefix.trim_end_matches('/') {
        return Response {
            location: Some(prefix.to_string()),
            ..Response::text(301, "moved\n")
        };
    }
    let Some(rest) = path.strip_prefix(prefix) else {
        return Response::text(404, "not found (outside the site's sub-path)\n");
    };
    let Some(rel) = percent_decode(rest) else {
        return Response::text(400, "bad request\n");
    };
    let rel = Path::new(&rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Response::text(404, "not found\n");
    }
    let mut file: PathBuf = root.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => Response {
            status: 200,
            content_type: Some(mime_type(&file)),
            location: None,
            body,
        },
        Err(_) => Response::text(404, "not found\n"),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Content types as a static host sends them; `application/wasm` matters for
/// `WebAssembly.instantiateStreaming`.
pub fn mime_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("ico") => "image/x-icon",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    }
}
