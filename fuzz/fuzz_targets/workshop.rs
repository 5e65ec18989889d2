//! The workshop's request handler, without a socket: METHOD, PATH, QUERY
//! and BODY, NUL-separated. Two runs per answer keep a valid request cheap.
//! Only the page's routes answer 200; a saved scenario loads beside the
//! file it extends; every JSON answer is JSON.
#![no_main]

#[path = "common.rs"]
mod common;

use dsrsim::app::workshop::handler::Workshop;
use dsrsim::scenario;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/serbia-5g.toml");

fn workshop() -> &'static Workshop {
    static W: OnceLock<Workshop> = OnceLock::new();
    W.get_or_init(|| Workshop::new(Path::new(FILE), Some(2), 1).expect("the workshop opens"))
}

fuzz_target!(|data: &[u8]| {
    let mut pieces = data.splitn(4, |&b| b == 0);
    let method = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let path = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let query = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let body = pieces.next().unwrap_or_default();
    let r = workshop().handle(&method, &path, &query, body);
    let routes = ["/", "/index.html", "/api/setup", "/api/run", "/api/save"];
    match r.status {
        200 => assert!(routes.contains(&path.as_str()), "200 for `{path}`"),
        400 | 405 | 409 | 413 => {}
        404 => assert!(!routes.contains(&path.as_str()), "404 for its own route `{path}`"),
        other => panic!("status {other} for {method} {path}: {}", String::from_utf8_lossy(&r.body)),
    }
    if r.content_type == "application/json" {
        let v: serde_json::Value =
            serde_json::from_slice(&r.body).expect("a JSON answer is JSON");
        if r.status != 200 {
            assert!(v.get("error").is_some() || v.get("cancelled").is_some());
        }
    }
    if r.status == 200 && path == "/api/save" {
        // The saved file extends serbia-5g.toml by name, beside it.
        let text = String::from_utf8(r.body).expect("a saved scenario is text");
        let mut files = common::serbia_files();
        let saved = PathBuf::from("scenarios/serbia-5g-workshop.toml");
        files.push((saved.clone(), text.clone()));
        if let Err(e) = scenario::load_in_memory(&saved, &files) {
            panic!("the saved scenario does not load:\n{e}\n---\n{text}");
        }
    }
});
