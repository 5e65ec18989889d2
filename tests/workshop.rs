//! The workshop's routes, called as the plain function they are (no
//! socket): the page and its script are served whole and offline, every
//! bad request is a message, reruns are deterministic and paired, a newer
//! request cancels an older one, and a saved scenario reruns with
//! `simulate` to the page's numbers.

mod common;

use common::{simulate_in, workspace};
use dsrsim::app::workshop::handler::{MAX_BODY, Response, Workshop};
use serde_json::{Value, json};
use std::path::Path;

fn workshop(dir: &Path, runs: u64) -> Workshop {
    Workshop::new(&dir.join("scenarios/serbia-5g.toml"), Some(runs), 2).expect("serbia-5g loads")
}

fn post(w: &Workshop, path: &str, body: &Value) -> Response {
    w.handle("POST", path, "", body.to_string().as_bytes())
}

fn json_of(r: &Response) -> Value {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&r.body)))
}

fn error_of(r: &Response) -> String {
    json_of(r)["error"]
        .as_str()
        .expect("an error message")
        .to_string()
}

/// The mean of the headline outcome `what` in an answer.
fn mean(answer: &Value, what: &str, field: &str) -> f64 {
    answer["headline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["what"] == what)
        .unwrap_or_else(|| panic!("no headline {what}"))[field]
        .as_f64()
        .unwrap()
}

#[test]
fn the_page_is_served_whole_and_nothing_else_is() {
    let dir = workspace();
    let w = workshop(dir.path(), 100);
    let page = w.handle("GET", "/", "", b"");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("<script>") && html.contains("function draw("));
    assert!(!html.contains("{{"), "a placeholder left in the page");
    for outside in ["src=\"http", "href=\"http", "@import", "url(http", "//cdn"] {
        assert!(
            !html.contains(outside),
            "the page fetches from outside: {outside}"
        );
    }
    let setup = json_of(&w.handle("GET", "/api/setup", "", b""));
    let keys: Vec<&str> = setup["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "shock.srb-government-change.probability",
            "shock.srb-auction.date",
            "parameters.eu_conditionality",
            "polity.SRB.restriction"
        ]
    );
    // Where the file puts each lever.
    assert_eq!(setup["levers"][0]["value"], json!(0.35));
    assert_eq!(setup["levers"][1]["value"], Value::Null);
    assert!(
        setup["levers"][1]["file"]
            .as_str()
            .unwrap()
            .contains("2025-03 to 2025-12")
    );
    assert_eq!(setup["levers"][3]["value"], json!(false));
    for (method, path, status) in [
        ("GET", "/etc/passwd", 404),
        ("GET", "/../Cargo.toml", 404),
        ("GET", "/scenarios/serbia-5g.toml", 404),
        ("DELETE", "/", 405),
        ("GET", "/api/run", 405),
    ] {
        assert_eq!(
            w.handle(method, path, "", b"").status,
            status,
            "{method} {path}"
        );
    }
}

#[test]
fn bad_requests_are_messages_never_crashes() {
    let dir = workspace();
    let w = workshop(dir.path(), 100);
    let big = vec![b' '; MAX_BODY + 1];
    assert_eq!(w.handle("POST", "/api/run", "", &big).status, 413);
    for body in [
        &b"{"[..],
        b"[1,2]",
        b"\xff\xfe",
        b"{\"values\": {\"x\": 1}}",
        b"{\"nope\": 1}",
    ] {
        let r = w.handle("POST", "/api/run", "", body);
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(!error_of(&r).is_empty());
    }
    let cases = [
        (
            json!({"values": {"shock.srb-government-change.probability": "1.5"}}),
            "outside the lever's range",
        ),
        (
            json!({"values": {"shock.srb-government-change.probability": "lots"}}),
            "not a number",
        ),
        (
            json!({"values": {"shock.srb-auction.date": "2025-13"}}),
            "2025-13",
        ),
        (
            json!({"values": {"polity.SRB.restriction": "maybe"}}),
            "not true or false",
        ),
        (
            json!({"values": {"polity.SRB.orientation": "0.5"}}),
            "no lever `polity.SRB.orientation`",
        ),
        (
            json!({"values": {}, "metric": "no_such"}),
            "no chart of `no_such`",
        ),
        (
            json!({"pin": {"eu_conditionality": "9"}}),
            "the pinned state",
        ),
    ];
    for (body, says) in cases {
        let r = post(&w, "/api/run", &body);
        assert_eq!(r.status, 400, "{body}");
        assert!(error_of(&r).contains(says), "{body}: {}", error_of(&r));
        let r = post(&w, "/api/save", &json!({"values": body["values"]}));
        if body["values"].as_object().is_some_and(|v| !v.is_empty()) {
            assert_eq!(r.status, 400, "save {body}");
        }
    }
}

#[test]
fn reruns_are_deterministic_and_move_the_way_the_model_says() {
    let dir = workspace();
    let w = workshop(dir.path(), 400);
    let at = |p: &str| {
        let r = post(
            &w,
            "/api/run",
            &json!({"values": {"shock.srb-government-change.probability": p}, "tier": "quick"}),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r
    };
    let (low, again, high) = (at("0"), at("0"), at("1"));
    assert_eq!(
        low.body, again.body,
        "the same request gives the same bytes"
    );
    let (low, high) = (json_of(&low), json_of(&high));
    assert_eq!(low["runs"], 400);
    let cautious = "class SRB cautious at 2035-12";
    // A pro-EU government for certain makes Serbia buy trusted more often.
    assert!(
        mean(&high, cautious, "mean") > mean(&low, cautious, "mean"),
        "{} vs {}",
        mean(&high, cautious, "mean"),
        mean(&low, cautious, "mean")
    );
    let names: Vec<&str> = low["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fan-hr_5g", "classes"]);
    assert!(
        low["charts"][0]["svg"]
            .as_str()
            .unwrap()
            .starts_with("<svg")
    );
    // The timeline says what the lever changed.
    let changed: Vec<&str> = high["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["changed"] == true)
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].contains("srb-government-change"));
}

#[test]
fn a_pinned_state_is_compared_run_by_run() {
    let dir = workspace();
    let w = workshop(dir.path(), 300);
    let r = post(
        &w,
        "/api/run",
        &json!({"values": {"shock.srb-government-change.probability": "0"}, "pin": {"shock.srb-government-change.probability": "1"}, "tier": "full", "metric": "trusted_share"}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let a = json_of(&r);
    assert_eq!(a["full"], true);
    let cautious = "class SRB cautious at 2035-12";
    assert!(mean(&a, cautious, "b_mean") > mean(&a, cautious, "mean"));
    let diff = a["differences_html"]
        .as_str()
        .expect("the paired differences");
    assert!(diff.contains("P(B&gt;A)"), "{diff}");
    let names: Vec<&str> = a["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["overlay-trusted_share", "diff-trusted_share", "classes"]
    );
    // A alone, with the pin, is what it is without: paired runs change nothing of A.
    let alone = json_of(&post(
        &w,
        "/api/run",
        &json!({"values": {"shock.srb-government-change.probability": "0"}, "tier": "full"}),
    ));
    assert_eq!(mean(&alone, cautious, "mean"), mean(&a, cautious, "mean"));
}

#[test]
fn a_newer_request_cancels_an_older_one() {
    let dir = workspace();
    let w = std::sync::Arc::new(workshop(dir.path(), 1_000_000));
    let slow = {
        let w = w.clone();
        std::thread::spawn(move || post(&w, "/api/run", &json!({"tier": "full"})))
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let quick = post(&w, "/api/run", &json!({"tier": "quick"}));
    assert_eq!(quick.status, 200);
    let slow = slow.join().unwrap();
    assert_eq!(slow.status, 409);
    assert_eq!(json_of(&slow)["cancelled"], true);
}

#[test]
fn a_saved_scenario_reruns_to_the_pages_numbers() {
    let dir = workspace();
    let w = workshop(dir.path(), 700);
    let values = json!({
        "shock.srb-government-change.probability": "0.8",
        "shock.srb-auction.date": "2026-06",
        "parameters.eu_conditionality": "0.25",
        "polity.SRB.restriction": "false"
    });
    let page = json_of(&post(
        &w,
        "/api/run",
        &json!({"values": values, "tier": "full"}),
    ));
    assert_eq!(page["full"], true);
    let saved = post(&w, "/api/save", &json!({"values": values}));
    assert_eq!(saved.status, 200);
    assert_eq!(saved.attachment.as_deref(), Some("serbia-5g-workshop.toml"));
    let text = String::from_utf8(saved.body).unwrap();
    assert!(
        text.starts_with("# Saved from the dsrsim workshop page"),
        "{text}"
    );
    assert!(text.contains("extends = \"serbia-5g.toml\""), "{text}");
    let file = dir.path().join("scenarios/serbia-5g-workshop.toml");
    std::fs::write(&file, &text).unwrap();
    let out = dir.path().join("out");
    simulate_in(dir.path())
        .args(["scenarios/serbia-5g-workshop.toml", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let outcomes = summary["headline_outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), page["headline"].as_array().unwrap().len());
    for o in outcomes {
        let what = o["what"].as_str().unwrap();
        assert_eq!(
            o["mean"].as_f64().unwrap(),
            mean(&page, what, "mean"),
            "{what}"
        );
    }
    // Checked as a file: no warnings, the levers' values in force.
    let check = simulate_in(dir.path())
        .args(["check", "scenarios/serbia-5g-workshop.toml"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&check.get_output().stderr).to_string();
    assert!(!stderr.contains("warning"), "{stderr}");
}

mod workshop_support;

/// The server itself: a URL on 127.0.0.1, the page over a real socket,
/// a warning for another address, and Ctrl-C (SIGINT) stops it cleanly.
#[test]
fn the_server_serves_the_page_and_stops_on_ctrl_c() {
    use std::io::Read;
    let dir = workspace();
    let bin = Path::new(env!("CARGO_BIN_EXE_simulate"));
    let (mut server, url) = workshop_support::start_workshop(
        bin,
        dir.path(),
        "scenarios/serbia-5g.toml",
        &["--runs", "200"],
    );
    let (status, body) = workshop_support::http("GET", &url, None).unwrap();
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("<title>Serbia 5G auction · workshop</title>"));
    let (status, _) = workshop_support::http("GET", &format!("{url}Cargo.toml"), None).unwrap();
    assert_eq!(status, 404);
    let (status, body) = workshop_support::http(
        "POST",
        &format!("{url}api/run"),
        Some("{\"tier\": \"full\"}"),
    )
    .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let pid = server.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let exit = server.0.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    server
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("workshop stopped"), "{stderr}");

    let (mut open, _) = workshop_support::start_workshop(
        bin,
        dir.path(),
        "scenarios/serbia-5g.toml",
        &["--listen", "0.0.0.0"],
    );
    let _ = open.0.kill();
    let _ = open.0.wait();
    let mut stderr = String::new();
    open.0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("warning: --listen 0.0.0.0"), "{stderr}");

    let bad = simulate_in(dir.path())
        .args([
            "workshop",
            "scenarios/serbia-5g.toml",
            "--runs",
            "0",
            "--no-open",
        ])
        .assert()
        .code(2);
    assert!(
        String::from_utf8_lossy(&bad.get_output().stderr).contains("--runs must be at least 1")
    );
}
