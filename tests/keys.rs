//! Key paths on the command line (`--set`, `--set-b`) and shocks merged key
//! by key under `extends`, driven through the real binary.

mod common;

use common::{merge, read, simulate, workspace};
use std::fs;
use std::path::Path;

const SERBIA: &str = "scenarios/serbia-5g.toml";
const CHANGE: &str = "shock.srb-government-change.probability=0.8";

/// The mean of one row of summary.csv.
fn mean(csv: &str, metric: &str, entity: &str, date: &str) -> f64 {
    let prefix = format!("{metric},{entity},");
    csv.lines()
        .find(|l| l.starts_with(&prefix) && l.split(',').nth(3) == Some(date))
        .unwrap_or_else(|| panic!("no row {metric} {entity} {date}"))
        .split(',')
        .nth(4)
        .unwrap()
        .parse()
        .unwrap()
}

/// `args` must be refused: exit 2, every `expect` in stderr, nothing written.
fn refused(args: &[&str], expect: &[&str]) {
    let ws = workspace();
    let out = simulate()
        .current_dir(ws.path())
        .args(args)
        .args(["--out", "out"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for e in expect {
        assert!(stderr.contains(e), "stderr lacks {e:?}:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !ws.path().join("out").exists(),
        "bad input must write nothing:\n{stderr}"
    );
}

#[test]
fn a_bad_key_path_is_bad_input_pointing_into_the_argument() {
    refused(
        &[
            "run",
            SERBIA,
            "--set",
            "shock.srb-goverment-change.probability=0.8",
        ],
        &[
            "error: unknown shock `srb-goverment-change`",
            "--> --set:1:7",
            "1 | shock.srb-goverment-change.probability=0.8",
            "hint: did you mean `shock.srb-government-change`?",
        ],
    );
    refused(
        &["run", SERBIA, "--set", "eu_conditionality"],
        &["missing `=`", "--set:1:18"],
    );
    refused(
        &[
            "compare",
            SERBIA,
            SERBIA,
            "--set-b",
            "polity.SBR.orientation=0.2",
        ],
        &[
            "unknown polity `SBR`",
            "--> --set-b:1:8",
            "did you mean `polity.SRB`?",
        ],
    );
}

#[test]
fn a_bad_value_is_refused_by_the_files_own_check_at_the_value() {
    refused(
        &[
            "run",
            SERBIA,
            "--set",
            "shock.srb-government-change.probability=1.5",
        ],
        &[
            "`probability` = 1.5 is out of range: expected between 0 and 1",
            "--> --set:1:41",
        ],
    );
    refused(
        &["compare", SERBIA, SERBIA, "--set", "polity.SRB.nato=maybe"],
        &["expected true or false", "--> --set:1:17"],
    );
}

#[test]
fn a_run_with_overrides_reruns_from_its_resolved_file_to_the_same_bytes() {
    let ws = workspace();
    let run = |args: &[&str], out: &str| {
        simulate()
            .current_dir(ws.path())
            .args(args)
            .args(["--runs", "300", "--seed", "77", "-q", "--out", out])
            .assert()
            .success();
        ws.path().join(out)
    };
    let a = run(
        &[
            "run",
            SERBIA,
            "--set",
            CHANGE,
            "--set",
            "polity.SRB.orientation={ beta = [3, 5] }",
        ],
        "a",
    );
    let resolved = read(&a.join("scenario.resolved.toml"));
    assert!(
        resolved.contains(&format!(
            "# With the command line's overrides (their values are below): --set {CHANGE} --set polity.SRB.orientation={{ beta = [3, 5] }}\n"
        )),
        "{resolved}"
    );
    fs::copy(
        a.join("scenario.resolved.toml"),
        ws.path().join("again.toml"),
    )
    .unwrap();
    let b = run(&["run", "again.toml"], "b");
    assert_eq!(read(&a.join("summary.csv")), read(&b.join("summary.csv")));
    // The resolved files differ in provenance and the overrides' comment only.
    let body = |p: &Path| {
        read(p)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        body(&a.join("scenario.resolved.toml")),
        body(&b.join("scenario.resolved.toml"))
    );
    let json: serde_json::Value = serde_json::from_str(&read(&a.join("summary.json"))).unwrap();
    assert_eq!(
        json["overrides"][0]["key"],
        "shock.srb-government-change.probability"
    );
    assert_eq!(json["overrides"][0]["value"], "0.8");
    assert_eq!(json["overrides"][0]["flag"], "--set");
    assert_eq!(json["overrides"][1]["key"], "polity.SRB.orientation");
    let again: serde_json::Value = serde_json::from_str(&read(&b.join("summary.json"))).unwrap();
    assert!(
        again.get("overrides").is_none(),
        "the resolved file is a plain file"
    );
}

#[test]
fn a_likelier_government_change_keeps_its_target_and_jump_and_raises_serbias_trusted_share() {
    let ws = workspace();
    let run = |extra: &[&str], out: &str| {
        simulate()
            .current_dir(ws.path())
            .args(["run", SERBIA, "--runs", "800", "-q", "--out", out])
            .args(extra)
            .assert()
            .success();
        read(&ws.path().join(out).join("summary.csv"))
    };
    let file = run(&[], "file");
    let likelier = run(&["--set", CHANGE], "likelier");
    let (before, after) = (
        mean(&file, "trusted_share", "SRB", "2036-01"),
        mean(&likelier, "trusted_share", "SRB", "2036-01"),
    );
    assert!(
        after > before + 0.01,
        "a pro-EU government more likely must raise Serbia's trusted share: {before} -> {after}"
    );
}

#[test]
fn compare_a_file_against_itself_with_one_change() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args(["compare", SERBIA, SERBIA, "--set-b", CHANGE])
        .args(["--runs", "400", "-q", "--out", "c"])
        .assert()
        .success();
    let c = ws.path().join("c");
    // Each scenario keeps its own folder.
    let a = read(&c.join("serbia-5g/summary.csv"));
    let b = read(&c.join("serbia-5g-b/summary.csv"));
    assert_ne!(a, b);
    let diffs = read(&c.join("differences.csv"));
    let row = diffs
        .lines()
        .find(|l| l.starts_with("serbia-5g,serbia-5g-b,trusted_share,SRB,44,"))
        .expect("Serbia's horizon row");
    let p_b_greater: f64 = row.split(',').nth(11).unwrap().parse().unwrap();
    assert!(p_b_greater > 0.1, "{row}");
    let page = read(&c.join("index.html"));
    assert!(
        page.contains("Serbia 5G auction (shock.srb-government-change.probability = 0.8)"),
        "B's name says what changed"
    );
    let resolved_b = read(&c.join("serbia-5g-b/scenario.resolved.toml"));
    assert!(resolved_b.contains("probability = 0.8"), "{resolved_b}");
    let resolved_a = read(&c.join("serbia-5g/scenario.resolved.toml"));
    assert!(resolved_a.contains("probability = 0.35"), "{resolved_a}");
}

#[test]
fn explain_and_check_take_overrides() {
    let ws = workspace();
    let out = simulate()
        .current_dir(ws.path())
        .args([
            "explain",
            SERBIA,
            "--set",
            CHANGE,
            "--set",
            "eu_conditionality=1",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Changed from the command line"), "{text}");
    assert!(text.contains("- shock.srb-government-change.probability = 0.8   (--set)"));
    assert!(text.contains("- parameters.eu_conditionality = 1   (--set)"));
    assert!(
        text.contains("(80% chance)"),
        "the timeline shows the new chance"
    );
    let out = simulate()
        .current_dir(ws.path())
        .args(["check", SERBIA, "--set", CHANGE])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("(80% chance)"));
    let out = simulate()
        .current_dir(ws.path())
        .args(["explain", SERBIA])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Changed from the command line"));
}

#[test]
fn a_restated_shock_keeps_the_keys_it_does_not_restate() {
    let ws = workspace();
    fs::write(
        ws.path().join("likelier.toml"),
        "[scenario]\nextends = \"scenarios/serbia-5g.toml\"\n\n[[shock]]\nid = \"srb-government-change\"\nprobability = 0.8\n",
    )
    .unwrap();
    let out = simulate()
        .current_dir(ws.path())
        .args(["check", "likelier.toml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("note: likelier.toml:5: shock `srb-government-change` restates `probability` and inherits `kind`, `label`, `date`, `polity`, `target`, `jump` from scenarios/serbia-5g.toml:28"),
        "{text}"
    );
    assert!(text.contains("closing 50% of the gap at once"), "{text}");
    // The file and the override say the same thing and give the same bytes.
    let run = |args: &[&str], out: &str| {
        simulate()
            .current_dir(ws.path())
            .args(args)
            .args(["--runs", "300", "-q", "--out", out])
            .assert()
            .success();
        read(&ws.path().join(out).join("summary.csv"))
    };
    assert_eq!(
        run(&["run", "likelier.toml"], "f"),
        run(&["run", SERBIA, "--set", CHANGE], "s")
    );
}

#[test]
fn a_shock_of_another_kind_replaces_the_parents_whole_with_a_warning() {
    let ws = workspace();
    fs::write(
        ws.path().join("law.toml"),
        "[scenario]\nextends = \"scenarios/serbia-5g.toml\"\n\n[[shock]]\nid = \"srb-government-change\"\nkind = \"restriction\"\n",
    )
    .unwrap();
    let out = simulate()
        .current_dir(ws.path())
        .args(["check", "law.toml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    // Nothing inherited: not even the date.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("has neither `date` nor `window`"),
        "{stderr}"
    );
    fs::write(
        ws.path().join("law.toml"),
        "[scenario]\nextends = \"scenarios/serbia-5g.toml\"\n\n[[shock]]\nid = \"srb-government-change\"\nkind = \"restriction\"\npolity = \"SRB\"\ndate = \"2028-01\"\n",
    )
    .unwrap();
    let out = simulate()
        .current_dir(ws.path())
        .args(["check", "law.toml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: law.toml:5:6: shock `srb-government-change` is a `restriction` here and a `government_change` in scenarios/serbia-5g.toml:28: it replaces that shock whole, inheriting none of its keys"),
        "{stderr}"
    );
}

#[test]
fn shards_of_an_overridden_run_merge_to_the_bytes_of_one_run() {
    let ws = workspace();
    let run = |extra: &[&str]| {
        simulate()
            .current_dir(ws.path())
            .args(["run", SERBIA, "--runs", "200", "-q", "--set", CHANGE])
            .args(extra)
            .assert()
            .success();
    };
    run(&["--out", "single"]);
    run(&["--out", "shards", "--shard", "0/2"]);
    run(&["--out", "shards", "--shard", "1/2"]);
    merge(
        ws.path(),
        ["shards/shard-0-of-2.json", "shards/shard-1-of-2.json"],
        "merged",
    );
    for f in ["summary.csv", "summary.json", "scenario.resolved.toml"] {
        assert_eq!(
            read(&ws.path().join("single").join(f)),
            read(&ws.path().join("merged").join(f)),
            "{f}"
        );
    }
}
