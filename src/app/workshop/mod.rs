//! `simulate workshop FILE`: a local page whose levers rerun the scenario
//! live on the same random numbers (EXPLORE.md §5). The routes are one
//! plain function ([`handler::Workshop::handle`]); this file binds the
//! socket and carries requests to it.
//!
//! The server is tiny_http: synchronous, no async runtime, a handful of
//! small dependencies, maintained; a page of four routes on 127.0.0.1 needs
//! nothing more (axum would bring tokio, hyper and tower).

pub mod defaults;
pub mod handler;

use crate::engine::STOP;
use crate::error::{Error, Result};
use handler::{MAX_BODY, Workshop};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Requests served at once: a new lever change must get through while an
/// older run is still going, to cancel it.
const WORKERS: usize = 4;

pub struct Options {
    pub port: Option<u16>,
    pub listen: Option<IpAddr>,
    pub runs: Option<u64>,
    pub open: bool,
    pub threads: usize,
    /// `--set KEY=VALUE`: laid over the file before the page starts.
    pub set: Vec<crate::scenario::Setting>,
}

pub fn serve(path: &Path, o: &Options) -> Result<()> {
    let workshop = Arc::new(Workshop::with_settings(path, &o.set, o.runs, o.threads)?);
    let ip = o.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        errln!(
            "warning: --listen {ip}: the workshop page is reachable from other machines on that network; it has no password"
        );
    }
    let addr = SocketAddr::new(ip, o.port.unwrap_or(0));
    let server = tiny_http::Server::http(addr)
        .map_err(|e| Error::Other(format!("cannot listen on {addr}: {e}")))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Other("the server has no IP address".into()))?;
    let shown = if ip.is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port())
    } else {
        bound
    };
    let url = format!("http://{shown}/");
    let (quick, full) = workshop.runs();
    outln!("{url}");
    errln!(
        "{}: {} levers; first answers from {quick} runs, then {full}. Ctrl-C stops the server.",
        workshop.scenario().name,
        workshop.levers().len()
    );
    if let Some(r) = workshop.ranking() {
        errln!(
            "No [[lever]] in the file: the page offers {} from a tornado on `{}` ({} points × {} runs, {:.1} s) and the shocks' own.",
            lever_count(r.swings.len()),
            r.outcome,
            r.points,
            r.reps,
            r.seconds
        );
    }
    if o.open {
        open_browser(&url);
    }
    let server = Arc::new(server);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, workshop) = (Arc::clone(&server), Arc::clone(&workshop));
            std::thread::spawn(move || {
                while !STOP.load(Ordering::Relaxed) {
                    match server.recv_timeout(Duration::from_millis(200)) {
                        Ok(Some(request)) => respond(&workshop, request),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    workshop.cancel_all();
    errln!("workshop stopped");
    Ok(())
}

/// Read one request (the body bounded), answer it through the handler.
fn respond(workshop: &Workshop, mut request: tiny_http::Request) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let method = request.method().as_str().to_string();
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    let response = match read {
        Ok(_) => workshop.handle(&method, path, query, &body),
        Err(_) => return,
    };
    let mut headers = vec![
        header("Content-Type", response.content_type),
        header("Cache-Control", "no-store"),
        // The page's own script and style only; nothing from elsewhere.
        header(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:",
        ),
    ];
    if let Some(name) = &response.attachment {
        headers.push(header(
            "Content-Disposition",
            &format!("attachment; filename=\"{name}\""),
        ));
    }
    let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    for h in headers.into_iter().flatten() {
        out.add_header(h);
    }
    // A page closed mid-answer is not an error of the server.
    let _ = request.respond(out);
}

fn lever_count(n: usize) -> String {
    match n {
        0 => "no inputs".into(),
        1 => "the input that moves it most".into(),
        n => format!("the {n} inputs that move it most"),
    }
}

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// Open the page in the desktop's browser, where there is a desktop.
fn open_browser(url: &str) {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    if !display && !cfg!(target_os = "macos") {
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
