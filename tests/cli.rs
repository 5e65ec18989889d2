//! `simulate` driven as a user drives it: real binary, temporary folders,
//! assertions on files, stdout, stderr and exit codes.

mod common;

use common::{read, repo, simulate, workspace};
use std::fs;
use std::path::PathBuf;

#[test]
fn the_readme_command_writes_every_output_for_every_country_and_operator() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args(["scenarios/serbia-5g.toml", "--runs", "400", "--quiet"])
        .assert()
        .success();
    let out = ws.path().join("output/serbia-5g");
    for f in ["summary.csv", "summary.json", "scenario.resolved.toml"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = read(&out.join("summary.csv"));
    assert!(csv.starts_with("metric,entity,step,date,mean,p05,p25,p50,p75,p95\n"));
    let entities = [
        "ALB",
        "BIH",
        "XKX",
        "MNE",
        "MKD",
        "SRB",
        "RS",
        "FBIH",
        "SRB-TS",
        "SRB-YETTEL",
        "SRB-A1",
        "BIH-BHT",
        "BIH-MTEL",
        "BIH-HTE",
        "MNE-MTEL",
        "MNE-CT",
        "MNE-ONE",
        "MKD-A1",
        "MKD-MT",
        "ALB-VODAFONE",
        "ALB-ONE",
        "XKX-VALA",
        "XKX-IPKO",
    ];
    for e in entities {
        for metric in [
            "trusted_share",
            "hr_5g",
            "cost_premium",
            "trusted_procurement",
        ] {
            let row = format!("{metric},{e},44,2036-01,");
            assert!(csv.contains(&row), "no row {row}");
        }
    }
    for c in ["ALB", "BIH", "XKX", "MNE", "MKD", "SRB"] {
        for metric in ["orientation", "eu_stage", "restriction"] {
            assert!(
                csv.contains(&format!("{metric},{c},0,2025-01,")),
                "{metric} {c}"
            );
        }
    }
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    assert_eq!(json["runs"], 400);
    assert_eq!(json["seed"], 2025);
    let probs = &json["classes"]["probabilities"]["SRB"];
    let total: f64 = ["keen", "between", "cautious"]
        .iter()
        .map(|k| probs[k].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert_eq!(json["shock_firing_rates"][0]["shock"], "srb-auction");
    assert_eq!(json["shock_firing_rates"][0]["firing_rate"], 1.0);
}

#[test]
fn thread_counts_give_byte_identical_files_and_seeds_differ() {
    let ws = workspace();
    let run = |threads: &str, seed: &str, out: &str| {
        simulate()
            .current_dir(ws.path())
            .args([
                "run",
                "scenarios/serbia-5g.toml",
                "--runs",
                "700",
                "--quiet",
                "--threads",
                threads,
            ])
            .args(["--seed", seed, "--out", out])
            .assert()
            .success();
        let dir = ws.path().join(out);
        (
            read(&dir.join("summary.csv")),
            read(&dir.join("summary.json")),
        )
    };
    let one = run("1", "4", "t1");
    assert_eq!(one, run("2", "4", "t2"), "1 vs 2 threads");
    assert_eq!(one, run("4", "4", "t4"), "1 vs 4 threads");
    assert_ne!(one.0, run("2", "5", "s5").0, "another seed, other results");
}

#[test]
fn the_resolved_scenario_reruns_to_the_same_bytes() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args([
            "scenarios/serbia-5g.toml",
            "--runs",
            "300",
            "--seed",
            "77",
            "-q",
            "--out",
            "a",
        ])
        .assert()
        .success();
    fs::copy(
        ws.path().join("a/scenario.resolved.toml"),
        ws.path().join("again.toml"),
    )
    .unwrap();
    simulate()
        .current_dir(ws.path())
        .args(["again.toml", "-q", "--out", "b"])
        .assert()
        .success();
    assert_eq!(
        read(&ws.path().join("a/summary.csv")),
        read(&ws.path().join("b/summary.csv"))
    );
    assert_eq!(
        read(&ws.path().join("a/scenario.resolved.toml"))
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        read(&ws.path().join("b/scenario.resolved.toml"))
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        "resolving a resolved file changes nothing but the provenance line"
    );
}

#[test]
fn adding_a_shock_in_one_country_leaves_other_countries_runs_identical() {
    let ws = workspace();
    let with_shock = "[scenario]\nextends = \"scenarios/baseline.toml\"\n\n[[shock]]\nid = \"srb-law\"\nkind = \"restriction\"\npolity = \"SRB\"\ndate = \"2026-01\"\n";
    fs::write(ws.path().join("b.toml"), with_shock).unwrap();
    for (file, out) in [("scenarios/baseline.toml", "a"), ("b.toml", "b")] {
        simulate()
            .current_dir(ws.path())
            .args([
                file,
                "--runs",
                "200",
                "--keep-runs",
                "200",
                "-q",
                "--seed",
                "1",
                "--out",
                out,
            ])
            .assert()
            .success();
    }
    let rows = |out: &str, prefix: &str| -> Vec<String> {
        read(&ws.path().join(out).join("runs.csv"))
            .lines()
            .filter(|l| l.split(',').nth(3).is_some_and(|e| e.starts_with(prefix)))
            .map(str::to_string)
            .collect()
    };
    for other in ["ALB", "XKX", "MKD", "MNE", "BIH-"] {
        let (a, b) = (rows("a", other), rows("b", other));
        assert!(!a.is_empty());
        assert_eq!(
            a, b,
            "{other}'s per-run outcomes must not move when Serbia changes"
        );
    }
    assert_ne!(rows("a", "SRB"), rows("b", "SRB"), "Serbia itself changes");
}

/// Run a broken scenario: exit 2, the message, a position, nothing written.
fn rejects(files: &[(&str, &str)], expect: &[&str]) {
    let ws = workspace();
    for (name, text) in files {
        fs::write(ws.path().join(name), text).unwrap();
    }
    let out = simulate()
        .current_dir(ws.path())
        .args([files[0].0, "--runs", "10", "-q"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for e in expect {
        assert!(stderr.contains(e), "stderr lacks {e:?}:\n{stderr}");
    }
    assert!(
        !ws.path().join("output").exists(),
        "bad input must write nothing:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

const WORLD: &str =
    "[[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 0.5\n";

#[test]
fn toml_syntax_errors_point_at_the_line() {
    rejects(
        &[("x.toml", "[scenario]\nname = \"unterminated\n")],
        &["error:", "x.toml:2:"],
    );
}

#[test]
fn unknown_keys_get_a_suggestion() {
    let text = format!(
        "{WORLD}\n[[shock]]\nkind = \"restriction\"\npolity = \"A\"\ndate = \"2026-01\"\nprobabilty = 0.3\n"
    );
    rejects(
        &[("x.toml", &text)],
        &[
            "unknown key `probabilty`",
            "x.toml:13:1",
            "did you mean `probability`?",
        ],
    );
    rejects(
        &[("y.toml", "[scenario]\nsed = 3\n")],
        &["unknown key `sed`", "did you mean `seed`?"],
    );
    rejects(
        &[("z.toml", &format!("[parameters]\nlaw_hazrd = 0.1\n{WORLD}"))],
        &[
            "unknown parameter `law_hazrd`",
            "z.toml:2:1",
            "did you mean `law_hazard`?",
        ],
    );
}

#[test]
fn wrong_types_and_out_of_range_values_are_named() {
    rejects(
        &[("x.toml", &format!("[scenario]\nruns = \"many\"\n{WORLD}"))],
        &["expected a whole number", "x.toml:2:"],
    );
    let bad_probability = format!(
        "{WORLD}\n[[shock]]\nkind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nprobability = 1.5\n"
    );
    rejects(
        &[("x.toml", &bad_probability)],
        &["`probability` = 1.5 is out of range", "between 0 and 1"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("[parameters]\nlaw_hazard = -0.1\n{WORLD}"),
        )],
        &["`law_hazard`", "-0.1 is out of range", "at least 0"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("{WORLD}\n[[operator]]\nid = \"A-2\"\npolity = \"A\"\nmarket_share = 0.6\n"),
        )],
        &["market shares in `A` sum to 1.1000, more than 1"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("[scenario]\nstart = \"2030-01\"\nend = \"2025-01\"\n{WORLD}"),
        )],
        &["`end` (2025-01) is before `start` (2030-01)"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("[scenario]\nstart = \"2030-13\"\n{WORLD}"),
        )],
        &["month 13"],
    );
    rejects(
        &[("x.toml", &format!("[parameters]\nb0 = nan\n{WORLD}"))],
        &["not a finite number"],
    );
    rejects(
        &[("x.toml", &format!("[parameters]\nb0 = inf\n{WORLD}"))],
        &["not a finite number"],
    );
    rejects(
        &[("x.toml", &format!("[scenario]\nstep_months = 2\n{WORLD}"))],
        &["`step_months` = 2 is not allowed", "1, 3, 6 or 12"],
    );
}

#[test]
fn unknown_ids_are_caught_with_the_known_ones_suggested() {
    rejects(
        &[(
            "x.toml",
            "[[polity]]\nid = \"SRB\"\n\n[[operator]]\nid = \"X\"\npolity = \"SBR\"\nmarket_share = 0.5\n",
        )],
        &["unknown polity `SBR`", "did you mean `SRB`?", "x.toml:6:"],
    );
    let requires = format!(
        "{WORLD}\n[[shock]]\nkind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nrequires = \"nope\"\n"
    );
    rejects(
        &[("x.toml", &requires)],
        &["`requires` names `nope`, but no shock has that id"],
    );
    let auction = format!(
        "{WORLD}\n[[shock]]\nkind = \"auction\"\npolity = \"A\"\ndate = \"2026-01\"\noperators = [\"A-0P\"]\n"
    );
    rejects(
        &[("x.toml", &auction)],
        &["unknown operator `A-0P`", "did you mean `A-OP`?"],
    );
    let dup = format!("{WORLD}\n[[polity]]\nid = \"A\"\n");
    rejects(
        &[("x.toml", &dup)],
        &["duplicate id `A`", "already defined at"],
    );
}

#[test]
fn extends_cycles_and_missing_parents_are_bad_input() {
    rejects(
        &[
            ("a.toml", "[scenario]\nextends = \"b.toml\"\n"),
            ("b.toml", "[scenario]\nextends = \"a.toml\"\n"),
        ],
        &[
            "`extends` makes a cycle: a.toml -> b.toml -> a.toml",
            "b.toml:2:11",
        ],
    );
    rejects(
        &[("a.toml", "[scenario]\nextends = \"nowhere.toml\"\n")],
        &["cannot read", "nowhere.toml", "a.toml:2:"],
    );
}

#[test]
fn impossible_distributions_are_rejected_where_written() {
    rejects(
        &[(
            "x.toml",
            &format!("[parameters]\nkappa = {{ normal = [0.5, -1] }}\n{WORLD}"),
        )],
        &["normal needs sd ≥ 0", "x.toml:2:"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("[parameters]\nkappa = {{ uniform = [2, 1] }}\n{WORLD}"),
        )],
        &["uniform needs lo ≤ hi"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("[parameters]\neu_conditionality = {{ uniform = [0.5, 1.5] }}\n{WORLD}"),
        )],
        &["outside the allowed range", "between 0 and 1"],
    );
    rejects(
        &[(
            "x.toml",
            "[[polity]]\nid = \"A\"\norientation = { beta = [0, 2] }\n",
        )],
        &["beta needs a > 0 and b > 0", "x.toml:3:"],
    );
}

#[test]
fn shocks_must_be_complete_and_only_carry_their_own_keys() {
    let no_when = format!("{WORLD}\n[[shock]]\nkind = \"repeal\"\npolity = \"A\"\n");
    rejects(&[("x.toml", &no_when)], &["neither `date` nor `window`"]);
    let foreign_key = format!(
        "{WORLD}\n[[shock]]\nkind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nseverity = 1\n"
    );
    rejects(
        &[("x.toml", &foreign_key)],
        &["`severity` does not apply to a `repeal` shock"],
    );
    let bad_kind =
        format!("{WORLD}\n[[shock]]\nkind = \"auktion\"\npolity = \"A\"\ndate = \"2026-01\"\n");
    rejects(
        &[("x.toml", &bad_kind)],
        &["unknown shock kind `auktion`", "did you mean `auction`?"],
    );
    let price = format!(
        "{WORLD}\n[[shock]]\nkind = \"price\"\ndate = \"2026-01\"\nadvantage = 0.1\ndelta = 0.1\n"
    );
    rejects(
        &[("x.toml", &price)],
        &["exactly one of `advantage` and `delta`"],
    );
    rejects(
        &[("x.toml", "[scenario]\nname = \"empty\"\n")],
        &["no polities"],
    );
}

#[test]
fn bad_flags_are_bad_input_too() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args(["scenarios/serbia-5g.toml", "--runs", "lots"])
        .assert()
        .code(2);
    simulate()
        .current_dir(ws.path())
        .args(["scenarios/serbia-5g.toml", "--threads", "0"])
        .assert()
        .code(2);
    simulate()
        .current_dir(ws.path())
        .args(["missing.toml"])
        .assert()
        .code(2);
    assert!(!ws.path().join("output").exists());
}

#[test]
fn runs_accept_exponent_and_underscore_forms() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args([
            "scenarios/serbia-5g.toml",
            "--runs",
            "2e2",
            "-q",
            "--out",
            "e",
        ])
        .assert()
        .success();
    simulate()
        .current_dir(ws.path())
        .args([
            "scenarios/serbia-5g.toml",
            "--runs",
            "2_00",
            "-q",
            "--out",
            "u",
        ])
        .assert()
        .success();
    assert_eq!(
        read(&ws.path().join("e/summary.csv")),
        read(&ws.path().join("u/summary.csv"))
    );
}

#[test]
fn check_prints_the_timeline_and_explain_reads_as_prose() {
    let ws = workspace();
    let out = simulate()
        .current_dir(ws.path())
        .args([
            "check",
            "scenarios/baseline.toml",
            "scenarios/serbia-5g.toml",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok: scenarios/serbia-5g.toml"));
    assert!(stdout.contains("2027-12") && stdout.contains("(35% chance)"));
    let out = simulate()
        .current_dir(ws.path())
        .args(["explain", "scenarios/serbia-5g.toml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Serbia 5G auction",
        "The question:",
        "Telekom Srbija",
        "Republika Srpska",
        "Shocks",
        "5G auction",
    ] {
        assert!(text.contains(needle), "explain lacks {needle}:\n{text}");
    }
    assert!(
        !ws.path().join("output").exists(),
        "check and explain write nothing"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_writes_nothing() {
    let ws = workspace();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("simulate"))
        .current_dir(ws.path())
        .args(["scenarios/baseline.toml", "--runs", "1e7", "-q"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "Ctrl-C exits with 130");
    assert!(
        !ws.path().join("output").exists(),
        "nothing written after Ctrl-C"
    );
}

#[test]
fn every_shipped_scenario_checks_and_explains() {
    let dir = repo("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 13, "the report's cases are shipped");
    let out = simulate()
        .arg("check")
        .args(&files)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches("\nok: ").count() + usize::from(stdout.starts_with("ok: ")),
        files.len()
    );
    let listed = fs::read_to_string(dir.join("README.md")).unwrap();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            listed.contains(&format!("`{name}`")),
            "scenarios/README.md does not list {name}"
        );
        let text = simulate()
            .arg("explain")
            .arg(f)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8_lossy(&text);
        assert!(
            text.contains("The question:"),
            "{name} has no workshop question"
        );
    }
}

/// Run `simulate ARGS` in a fresh workspace, expect exit 2 with every one of
/// `expect` in stderr, and nothing written.
fn refused(args: &[&str], expect: &[&str]) {
    let ws = workspace();
    let out = simulate()
        .current_dir(ws.path())
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for e in expect {
        assert!(stderr.contains(e), "stderr lacks {e:?}:\n{stderr}");
    }
    assert!(
        !ws.path().join("output").exists(),
        "wrote output:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_sweep_writes_a_tidy_table_charts_and_a_page() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args([
            "sweep",
            "scenarios/serbia-5g.toml",
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--outcome",
            "class SRB cautious at horizon",
            "--outcome",
            "trusted_share MNE at 2030-12",
            "--reps",
            "300",
            "-q",
        ])
        .assert()
        .success();
    let out = ws.path().join("output/sweep-serbia-5g");
    let csv = read(&out.join("sweep.csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("point,eu_conditionality,outcome,label,runs,mean,se,p05"));
    // 3 points × 2 outcomes, the first point's change against itself 0.
    assert_eq!(lines.len(), 1 + 3 * 2, "{csv}");
    assert!(
        lines[1].starts_with("0,0,class SRB cautious at horizon,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(",0.000000,0.000000,0.000000,0.000000"),
        "{}",
        lines[1]
    );
    assert!(
        lines[5].starts_with("2,1,class SRB cautious at horizon,"),
        "{}",
        lines[5]
    );
    for f in [
        "index.html",
        "charts/sweep-1.png",
        "charts/sweep-1.svg",
        "charts/sweep-2.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let page = read(&out.join("index.html"));
    assert!(
        page.contains("eu_conditionality goes from 0 to 1 (3 values)"),
        "{page}"
    );
}

#[test]
fn bad_sweeps_are_bad_input_with_the_place_in_the_argument() {
    let s = "scenarios/serbia-5g.toml";
    refused(
        &["sweep", s, "--vary", "eu_conditionalty=0:1:0.1"],
        &["--vary:1:1", "did you mean `eu_conditionality`"],
    );
    refused(
        &["sweep", s, "--vary", "eu_conditionality=1:0:0.1"],
        &["--vary:1:19", "starts above its end"],
    );
    refused(
        &["sweep", s, "--vary", "eu_conditionality=0:1:0"],
        &["--vary:1:23", "must be above 0"],
    );
    refused(
        &["sweep", s, "--vary", "eu_conditionality=0:1:0.0001"],
        &["10001 points", "--yes"],
    );
    refused(
        &["sweep", s, "--vary", "eu_conditionality=0:2:0.5"],
        &["out of range"],
    );
    refused(
        &[
            "sweep",
            s,
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--outcome",
            "trusted SRB at horizon",
        ],
        &["--outcome:1:1", "`trusted` is not a metric"],
    );
    refused(
        &[
            "sweep",
            s,
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--outcome",
            "class SBR cautious at horizon",
        ],
        &["--outcome:1:7", "did you mean `SRB`"],
    );
    refused(
        &[
            "sweep",
            s,
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--outcome",
            "class SRB cautious at 2040-01",
        ],
        &["--outcome:1:23", "outside the run"],
    );
    refused(
        &[
            "sweep",
            s,
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--reps",
            "1e12",
        ],
        &["3 points × 1000000000000 runs would take about", "--yes"],
    );
    refused(&["run", s, "--precision", "0"], &["not a precision"]);
    refused(&["run", s, "--precision=-1"], &["not a precision"]);
    refused(
        &["run", s, "--precision", "0.01", "--shard", "0/2"],
        &["--precision and --shard"],
    );
}

#[test]
fn outcomes_in_files_are_checked_where_written() {
    rejects(
        &[(
            "x.toml",
            &format!("{WORLD}\n[[outcome]]\nwhat = \"trusted_shar A at horizon\"\n"),
        )],
        &["x.toml:10:9", "did you mean `trusted_share`"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("{WORLD}\n[[outcome]]\nwhat = \"class A keenish at horizon\"\n"),
        )],
        &["x.toml:10:17", "not a class"],
    );
    rejects(
        &[(
            "x.toml",
            &format!("{WORLD}\n[[outcome]]\nwhat = \"trusted_share B at horizon\"\n"),
        )],
        &["x.toml:10:23", "not a polity or operator"],
    );
}

#[test]
fn a_run_opens_with_its_headline_outcomes_and_a_precision_run_says_how_it_ended() {
    let ws = workspace();
    simulate()
        .current_dir(ws.path())
        .args([
            "scenarios/serbia-5g.toml",
            "--precision",
            "0.02",
            "--runs",
            "50000",
            "-q",
        ])
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&read(&ws.path().join("output/serbia-5g/summary.json"))).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys[..3], ["scenario", "headline_outcomes", "precision"]);
    let first = &json["headline_outcomes"][0];
    assert_eq!(first["what"], "hr_5g SRB at 2035-12");
    assert!(first["standard_error"].as_f64().unwrap() <= 0.02);
    assert_eq!(json["precision"]["reached"], true);
    let runs = json["precision"]["runs"].as_u64().unwrap();
    assert_eq!(json["runs"].as_u64().unwrap(), runs);
    assert!(runs < 50_000 && runs.is_multiple_of(1000), "{runs}");
    let page = read(&ws.path().join("output/serbia-5g/index.html"));
    let answer = page.find("The answer").expect("the answer section");
    assert!(answer < page.find("Timeline of shocks").unwrap());
    assert!(page.contains("Serbia cautious (limited engagement) by the end of 2035"));
}

#[test]
fn a_single_bracket_table_and_a_distribution_for_a_number_get_a_hint() {
    rejects(
        &[("x.toml", "[shock]\nkind = \"price\"\n")],
        &["x.toml:1:1", "`[shock]` is one table", "write `[[shock]]`"],
    );
    rejects(
        &[(
            "x.toml",
            "[[polity]]\nid = \"A\"\npressure = { beta = [2, 3] }\n",
        )],
        &[
            "x.toml:3:12",
            "expected a number",
            "plain number, not a distribution",
        ],
    );
}

#[test]
fn an_inherited_question_is_marked_and_a_variant_that_keeps_it_is_warned() {
    let ws = workspace();
    let dir = ws.path().join("scenarios");
    fs::write(
        dir.join("variant.toml"),
        "[scenario]\nextends = \"serbia-5g.toml\"\nname = \"variant\"\n\n[[shock]]\nid = \"srb-government-change\"\nprobability = 0.8\n",
    )
    .unwrap();
    let out = simulate()
        .current_dir(ws.path())
        .args([
            "compare",
            "scenarios/serbia-5g.toml",
            "scenarios/variant.toml",
            "--runs",
            "200",
            "-q",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("variant.toml:2:")
            && stderr.contains("keeps the question of `scenarios/serbia-5g.toml`"),
        "{stderr}"
    );
    let page = read(
        &ws.path()
            .join("output/compare-serbia-5g-vs-variant/index.html"),
    );
    assert_eq!(
        page.matches("<strong>The question:</strong>").count(),
        1,
        "one box"
    );
    assert!(
        page.contains("The same question as Serbia 5G auction."),
        "{page}"
    );
    assert!(page.contains("(as in <code>scenarios/serbia-5g.toml</code>)"));
}

#[test]
fn every_independent_error_of_a_file_is_reported_in_one_pass() {
    let text = format!(
        "[parameters]\nkappa = -1\n\n{WORLD}\n[[shock]]\nkind = \"pricee\"\ndate = \"2026-01\"\n\n[[shock]]\nkind = \"restriction\"\npolity = \"A\"\ndate = \"2026-01\"\nprobability = 1.5\n"
    );
    rejects(
        &[("x.toml", &text)],
        &[
            "x.toml:2:9",
            "unknown shock kind `pricee`",
            "did you mean `price`",
            "x.toml:20:15",
            "probability",
            "3 errors in all",
        ],
    );
}

/// A reader that went away (`simulate explain F | head -1`) is no error:
/// the command finishes, exits as it would have, and does not panic.
#[test]
fn a_closed_stdout_or_stderr_is_not_a_panic() {
    let bin = assert_cmd::cargo::cargo_bin("simulate");
    let ws = workspace();
    let baseline = ws.path().join("scenarios/baseline.toml");
    let closed = || {
        // The read end is dropped before the child starts: every write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        writer
    };
    for args in [
        vec!["explain", baseline.to_str().unwrap()],
        vec!["check", baseline.to_str().unwrap()],
    ] {
        let out = std::process::Command::new(&bin)
            .args(&args)
            .stdout(closed())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A run whose stderr (its summary lines) is closed still writes its outputs.
    let dir = ws.path().join("out");
    let status = std::process::Command::new(&bin)
        .args(["run", baseline.to_str().unwrap(), "--runs", "50", "--out"])
        .arg(&dir)
        .stdout(closed())
        .stderr(closed())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(dir.join("summary.csv").is_file() && dir.join("index.html").is_file());
}
