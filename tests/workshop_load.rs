//! The workshop server under load on loopback: a few thousand requests,
//! valid, malformed, oversized and concurrent. It must keep answering, its
//! memory (VmRSS) must stay flat once warm, and it must serve nothing but
//! its own routes: no path reaches a file on disk.

#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> (Server, String) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_simulate"))
        .current_dir(repo)
        .args([
            "workshop",
            "scenarios/serbia-5g.toml",
            "--no-open",
            "--runs",
            "20",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simulate starts");
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let url = String::from_utf8(line).unwrap();
    let host = url
        .trim()
        .strip_prefix("http://")
        .and_then(|h| h.strip_suffix('/'))
        .unwrap_or_else(|| panic!("printed {url:?}"))
        .to_string();
    (Server(child), host)
}

/// Send raw bytes; (status, body) of the answer, or None when the server
/// closed the connection without one (allowed for garbage, never for a
/// well-formed request).
fn raw(host: &str, request: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(host).expect("the server accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    // The server may answer (413) and close before reading all of a large
    // body: a failed write is not a failed server.
    let _ = s.write_all(request);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = match answer.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => answer[i + 4..].to_vec(),
        None => Vec::new(),
    };
    Some((status, body))
}

fn request(method: &str, target: &str, host: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc")
}

/// Paths that try to leave the page's routes for files on disk.
const ESCAPES: &[&str] = &[
    "/../Cargo.toml",
    "/..%2fCargo.toml",
    "/%2e%2e/Cargo.toml",
    "/%2e%2e%2fCargo.toml",
    "/./Cargo.toml",
    "/Cargo.toml",
    "/src/main.rs",
    "/scenarios/serbia-5g.toml",
    "/../../../../etc/passwd",
    "/..\\..\\Cargo.toml",
    "//etc/passwd",
    "/etc/passwd",
    "http://127.0.0.1/../Cargo.toml",
    "/index.html/../../Cargo.toml",
    "/api/../../Cargo.toml",
    "/%00/Cargo.toml",
    "/api/setup/../../Cargo.toml",
];

/// What one client thread sends, in turn (index `i` picks the kind).
fn one(host: &str, i: usize) -> Result<(), String> {
    let big = vec![b'x'; 200 * 1024];
    let (what, req, must_answer): (&str, Vec<u8>, bool) = match i % 12 {
        0 => ("GET /", request("GET", "/", host, b""), true),
        1 => ("setup", request("GET", "/api/setup?x=1&y", host, b""), true),
        2 => (
            "bad json",
            request("POST", "/api/run", host, b"{\"values\": {"),
            true,
        ),
        3 => (
            "not utf-8",
            request("POST", "/api/run", host, &[0xff, 0xfe, 0x80]),
            true,
        ),
        4 => ("oversized", request("POST", "/api/run", host, &big), false),
        5 => (
            "unknown lever",
            request("POST", "/api/save", host, br#"{"values":{"no.such":"1"}}"#),
            true,
        ),
        6 => ("method", request("DELETE", "/api/run", host, b""), true),
        7 => ("garbage", b"\x00\x01GARBAGE\r\n\r\n".to_vec(), false),
        8 => {
            let mut r = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
            r.extend_from_slice(&vec![b'a'; 64 * 1024]);
            r.extend_from_slice(b"\r\n\r\n");
            ("huge header", r, false)
        }
        9 => (
            "half a request",
            b"POST /api/run HTTP/1.1\r\nContent-Length: 50\r\n\r\n{".to_vec(),
            false,
        ),
        10 => {
            let path = ESCAPES[(i / 12) % ESCAPES.len()];
            ("escape", request("GET", path, host, b""), false)
        }
        _ => (
            "save",
            request("POST", "/api/save", host, br#"{"values":{}}"#),
            true,
        ),
    };
    let answer = raw(host, &req);
    let Some((status, body)) = answer else {
        return if must_answer {
            Err(format!("{what}: no answer"))
        } else {
            Ok(())
        };
    };
    let text = String::from_utf8_lossy(&body);
    // Nothing from disk: not the manifest, not a source file, not /etc/passwd
    // (the scenario's own text only ever comes back as a saved file).
    for leak in ["[package]", "fn main", "root:x:0:0"] {
        if text.contains(leak) {
            return Err(format!("{what}: the answer holds `{leak}`"));
        }
    }
    match what {
        "GET /" | "setup" | "save" if status != 200 => Err(format!("{what}: status {status}")),
        "bad json" | "not utf-8" | "unknown lever" if status != 400 => {
            Err(format!("{what}: status {status}, not 400"))
        }
        "oversized" if status != 413 && status != 400 => Err(format!("{what}: status {status}")),
        "escape" if status == 200 => Err(format!("escape: 200 for {i}: {text}")),
        _ if status >= 500 => Err(format!("{what}: status {status}: {text}")),
        _ => Ok(()),
    }
}

#[test]
fn the_workshop_keeps_answering_with_flat_memory_and_no_escapes() {
    let started = Instant::now();
    let (server, host) = start();
    let pid = server.0.id();

    // Every escape, once, alone: 404 (or the HTTP layer's 400), never a file.
    for path in ESCAPES {
        if let Some((status, body)) = raw(&host, &request("GET", path, &host, b"")) {
            let text = String::from_utf8_lossy(&body);
            assert!(
                status == 404 || status == 400,
                "{path}: status {status}: {text}"
            );
            assert!(!text.contains("[package]") && !text.contains("root:x:0:0"));
        }
    }

    // A few valid runs, also concurrent (each newer one may cancel an older: 409).
    let valid = br#"{"values":{},"tier":"quick"}"#;
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let host = host.clone();
            std::thread::spawn(move || raw(&host, &request("POST", "/api/run", &host, valid)))
        })
        .collect();
    for r in runs {
        let (status, body) = r.join().unwrap().expect("a run request is answered");
        assert!(
            status == 200 || status == 409,
            "run: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }

    // Warm up, then the load in two halves: memory after the second half
    // must be about what it was after the first (no growth per request).
    let send = |count: usize, threads: usize| {
        let errors = Arc::new(std::sync::Mutex::new(Vec::new()));
        let next = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (host, errors, next) = (host.clone(), errors.clone(), next.clone());
                std::thread::spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break;
                        }
                        if let Err(e) = one(&host, i) {
                            errors.lock().unwrap().push(e);
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let errors = errors.lock().unwrap().clone();
        assert!(
            errors.is_empty(),
            "{} failures: {:?}",
            errors.len(),
            &errors[..errors.len().min(10)]
        );
    };
    send(300, 8);
    let warm = rss_kb(pid);
    send(1500, 8);
    let middle = rss_kb(pid);
    send(1500, 8);
    let end = rss_kb(pid);
    eprintln!("VmRSS: warm {warm} kB, after 1500 more {middle} kB, after 3000 more {end} kB");
    assert!(
        end <= middle + (middle / 10).max(8 * 1024),
        "memory grows with requests: {warm} -> {middle} -> {end} kB"
    );
    assert!(
        end <= warm * 2 + 16 * 1024,
        "memory doubled under load: {warm} -> {end} kB"
    );

    // Still answering, with the page's data.
    let (status, body) = raw(&host, &request("GET", "/api/setup", &host, b"")).expect("answers");
    assert_eq!(status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "the load test took {:?}",
        started.elapsed()
    );
    drop(server);
}
