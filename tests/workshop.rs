//! The workshop's routes, called as the plain function they are (no
//! socket): the page and its script are served whole and offline, every
//! bad request is a message, reruns are deterministic and paired, a newer
//! request cancels an older one, and a saved scenario reruns with
//! `simulate` to the page's numbers.

mod common;

use common::{run_saved, simulate_in, workspace};
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
    let summary = run_saved(
        dir.path(),
        "serbia-5g-workshop.toml",
        &text,
        &dir.path().join("out"),
    );
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

/// A world with a known ranking: the only restriction hazard is
/// 0.2 · exp(2 (w − 0.5)) a year in country A, so A's orientation (drawn
/// over all of [0, 1]) decides whether A restricts; the hazard's own base
/// rate barely varies, and B's orientation touches nothing A does.
const ONE_INPUT_DOMINATES: &str = r#"
[scenario]
name = "One input dominates"
question = "Does A restrict by 2032?"
start = "2025-01"
end = "2032-12"
step_months = 3
runs = 300
seed = 5

[parameters]
b0 = 0.0
b_price = 0.0
b_orient = 0.0
b_owner = 0.0
b_leverage = 0.0
b_incident = 0.0
b_incumbent = 0.0
kappa = 0.0
sigma = 0.0
law_hazard = { uniform = [0.19, 0.21] }
g_w = 2.0
g_nato = 0.0
g_eu = 0.0
g_pressure = 0.0
repeal_hazard = 0.0
eu_hazard = 0.0
eu_gamma = 0.0

[[polity]]
id = "A"
orientation = { uniform = [0, 1] }

[[polity]]
id = "B"
orientation = { uniform = [0, 1] }

[[shock]]
id = "b-gov"
kind = "government_change"
polity = "B"
window = ["2026-01", "2027-12"]
probability = 0.5
target = 0.8

[[outcome]]
what = "restriction A at horizon"
label = "A restricts by the end of 2032"
"#;

#[test]
fn without_levers_the_input_that_dominates_comes_first() {
    let dir = workspace();
    let file = dir.path().join("scenarios/dominated.toml");
    std::fs::write(&file, ONE_INPUT_DOMINATES).unwrap();
    let w = Workshop::new(&file, Some(300), 2).expect("the test world loads");
    let keys: Vec<&str> = w.levers().iter().map(|l| l.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "polity.A.orientation",
            "parameters.law_hazard",
            "shock.b-gov.probability",
            "shock.b-gov.date"
        ],
        "A's orientation first, the base rate after it, B's orientation (no effect on A) left out, then the shock's own"
    );
    assert!(w.levers().iter().all(|l| !l.declared));
    let ranking = w.ranking().expect("ranked by a tornado");
    assert_eq!(ranking.outcome, "A restricts by the end of 2032");
    assert!(
        ranking.swings[0].1 > 0.3 && ranking.swings[0].1 > 5.0 * ranking.swings[1].1.abs(),
        "{:?}",
        ranking.swings
    );
    // Over its 5th to 95th percentile, on a round grid.
    match &w.levers()[0].kind {
        dsrsim::scenario::lever::LeverKind::Number { lo, hi, step } => {
            assert!((0.0..=0.05).contains(lo) && (0.95..=1.0).contains(hi) && *step == 0.05);
        }
        other => panic!("{other:?}"),
    }
    // The page offers them, and a move of the first one is a rerun like
    // any lever's: the higher A's orientation, the likelier the law.
    let setup = json_of(&w.handle("GET", "/api/setup", "", b""));
    assert_eq!(setup["levers"][0]["key"], "polity.A.orientation");
    let at = |v: &str| {
        let r = post(
            &w,
            "/api/run",
            &json!({"values": {"polity.A.orientation": v}, "tier": "full"}),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        mean(&json_of(&r), "restriction A at horizon", "mean")
    };
    assert!(at("0.9") > at("0.1") + 0.3);
    // `explain` lists what the page would offer.
    let out = simulate_in(dir.path())
        .args(["explain", "scenarios/dominated.toml"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let listed = text
        .split("the page offers these):\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no default levers in explain:\n{text}"));
    assert!(
        listed.starts_with("- A's orientation   [polity.A.orientation: ")
            && listed
                .lines()
                .next()
                .unwrap()
                .contains("in steps of 0.05; swing +"),
        "{listed}"
    );
    assert!(listed.contains("tornado"), "{listed}");
}

#[test]
fn set_values_start_the_page_and_are_saved_with_the_levers() {
    use dsrsim::scenario::Setting;
    let dir = workspace();
    let path = dir.path().join("scenarios/serbia-5g.toml");
    let set = [
        Setting::parse("shock.srb-government-change.probability=1", "--set").unwrap(),
        Setting::parse("eu_conditionality=0.9", "--set").unwrap(),
        // A bare word, as a shell passes it: saved as the string it spells.
        Setting::parse("shock.srb-auction.date=2026-03", "--set").unwrap(),
    ];
    let plain = Workshop::new(&path, Some(600), 2).unwrap();
    let w = Workshop::with_settings(&path, &set, Some(600), 2).unwrap();
    let full = |w: &Workshop, values: &Value| {
        let r = post(w, "/api/run", &json!({"values": values, "tier": "full"}));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        json_of(&r)
    };
    let headline = |a: &Value| {
        a["headline"].as_array().unwrap()[0]["what"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = headline(&full(&plain, &json!({})));
    // The overrides hold before any lever moves: the page starts there.
    assert_ne!(
        mean(&full(&w, &json!({})), &first, "mean"),
        mean(&full(&plain, &json!({})), &first, "mean"),
        "--set changed nothing in {first}"
    );
    // A lever on a key `--set` gave wins; the other override stays.
    let values = json!({"shock.srb-government-change.probability": "0.3"});
    let page = full(&w, &values);
    let saved = post(&w, "/api/save", &json!({"values": values}));
    assert_eq!(saved.status, 200);
    let text = String::from_utf8(saved.body).unwrap();
    assert!(text.contains("--set"), "{text}");
    assert!(text.contains("eu_conditionality = 0.9"), "{text}");
    assert!(text.contains("date = \"2026-03\""), "{text}");
    assert!(text.contains("probability = 0.3"), "{text}");
    assert!(!text.contains("probability = 1\n"), "{text}");
    let summary = run_saved(dir.path(), "saved.toml", &text, &dir.path().join("out"));
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
    // On the command line a bad override is refused before anything starts.
    let refused = simulate_in(dir.path())
        .args([
            "workshop",
            "scenarios/serbia-5g.toml",
            "--no-open",
            "--set",
            "eu_conditionalty=0.5",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(stderr.contains("eu_conditionality"), "{stderr}");
}
