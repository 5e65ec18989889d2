//! Past one machine: shards run as separate processes and merged give the
//! same bytes as one run, whatever order they are merged in; incomplete or
//! doubled shard sets are refused.

mod common;

use common::{merge, simulate_in as simulate, workspace};
use std::fs;

const FILES: [&str; 6] = [
    "summary.csv",
    "summary.json",
    "scenario.resolved.toml",
    "runs.csv",
    "index.html",
    "charts/fan-trusted_share.png",
];

/// The run both sides of the comparison make (plus `--out` and `--shard`).
const RUN: [&str; 6] = [
    "scenarios/serbia-5g.toml",
    "--runs",
    "1001",
    "--keep-runs",
    "30",
    "-q",
];

#[test]
fn four_shard_processes_merge_to_the_bytes_of_one_run() {
    let ws = workspace();
    let dir = ws.path();
    // Four separate processes, as a job array would run them.
    let children: Vec<_> = (0..4)
        .map(|i| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("simulate"))
                .current_dir(dir)
                .args(RUN)
                .args(["--out", "shards", "--shard", &format!("{i}/4")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    simulate(dir)
        .args(RUN)
        .args(["--out", "single"])
        .assert()
        .success();
    let shard = |i: usize| format!("shards/shard-{i}-of-4.json");
    merge(dir, [shard(0), shard(1), shard(2), shard(3)], "merged");
    merge(dir, [shard(3), shard(1), shard(0), shard(2)], "shuffled");
    for f in FILES {
        let single = fs::read(dir.join("single").join(f)).unwrap();
        assert_eq!(
            single,
            fs::read(dir.join("merged").join(f)).unwrap(),
            "{f}: merged differs from one run"
        );
        assert_eq!(
            single,
            fs::read(dir.join("shuffled").join(f)).unwrap(),
            "{f}: merge order matters"
        );
    }
}

#[test]
fn incomplete_or_doubled_shard_sets_are_refused() {
    let ws = workspace();
    let dir = ws.path();
    for i in 0..3 {
        simulate(dir)
            .args([
                "scenarios/baseline.toml",
                "--runs",
                "90",
                "-q",
                "--out",
                "s",
                "--shard",
                &format!("{i}/3"),
            ])
            .assert()
            .success();
    }
    let missing = simulate(dir)
        .args(["merge", "s/shard-0-of-3.json", "s/shard-2-of-3.json"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&missing.get_output().stderr).contains("shards missing: 1/3"));
    let doubled = simulate(dir)
        .args([
            "merge",
            "s/shard-0-of-3.json",
            "s/shard-1-of-3.json",
            "s/shard-2-of-3.json",
            "s/shard-1-of-3.json",
        ])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&doubled.get_output().stderr).contains("given twice"));
    fs::write(dir.join("junk.json"), "{\"not\": \"a shard\"}").unwrap();
    simulate(dir).args(["merge", "junk.json"]).assert().code(2);
    simulate(dir)
        .args(["scenarios/baseline.toml", "--shard", "3/3"])
        .assert()
        .code(2);
    assert!(!dir.join("output").exists(), "refused merges write nothing");
}

/// The engine's promise for every shipped scenario, not only one: the same
/// bytes on one thread, on two, from four shards merged, and from its
/// `scenario.resolved.toml` run again.
#[test]
fn every_shipped_scenario_is_the_same_bytes_on_one_or_two_threads_in_four_shards_and_rerun_resolved()
 {
    let ws = workspace();
    let dir = ws.path();
    let mut files: Vec<_> = fs::read_dir(common::repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 14, "the shipped scenarios: {files:?}");
    for file in &files {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        let run = |extra: &[&str], out: &str| {
            simulate(dir)
                .arg(file)
                .args(["--runs", "301", "--keep-runs", "7", "-q", "--out"])
                .arg(format!("{stem}/{out}"))
                .args(extra)
                .assert()
                .success();
        };
        run(&["--threads", "1"], "one");
        run(&["--threads", "2"], "two");
        for i in 0..4 {
            run(&["--threads", "2", "--shard", &format!("{i}/4")], "shards");
        }
        merge(
            dir,
            (0..4).map(|i| format!("{stem}/shards/shard-{i}-of-4.json")),
            &format!("{stem}/merged"),
        );
        // And the resolved file, rerun, gives the same numbers.
        let resolved = dir.join(format!("{stem}.resolved.toml"));
        fs::copy(dir.join(stem).join("one/scenario.resolved.toml"), &resolved).unwrap();
        simulate(dir)
            .arg(&resolved)
            .args(["--runs", "301", "--keep-runs", "7", "-q", "--out"])
            .arg(format!("{stem}/rerun"))
            .assert()
            .success();
        for f in [
            "summary.csv",
            "summary.json",
            "runs.csv",
            "scenario.resolved.toml",
        ] {
            let one = fs::read(dir.join(stem).join("one").join(f)).unwrap();
            for other in ["two", "merged", "rerun"] {
                let theirs = fs::read(dir.join(stem).join(other).join(f)).unwrap();
                // A rerun names another file: in summary.json (and its
                // hashes), and in the resolved file's first line.
                let same = match (other, f) {
                    ("rerun", "summary.json") => true,
                    ("rerun", "scenario.resolved.toml") => {
                        let body = |b: &[u8]| {
                            String::from_utf8_lossy(b)
                                .lines()
                                .skip(1)
                                .collect::<Vec<_>>()
                                .join("\n")
                        };
                        body(&one) == body(&theirs)
                    }
                    _ => one == theirs,
                };
                assert!(same, "{stem}: {f} of {other} differs from one thread's");
            }
        }
    }
}

/// An input the model never reads (the 5G vendor share of an operator
/// without 5G, inherited from the file it extends) is neither drawn nor
/// reported: the resolved file, which leaves it out, reruns to the same
/// bytes even when a later input of that operator is drawn, and a merge
/// (which reads the scenario back from the resolved file) says what one
/// machine says.
#[test]
fn an_ignored_inherited_input_changes_neither_the_draws_nor_the_report() {
    let ws = workspace();
    let dir = ws.path();
    fs::write(
        dir.join("scenarios/no-5g.toml"),
        r#"[scenario]
name = "Montenegro's m:tel without 5G"
extends = "baseline.toml"

[[operator]]
id = "MNE-MTEL"
g5_weight = 0.0
refresh_years = { uniform = [6.0, 10.0] }
"#,
    )
    .unwrap();
    let run = |file: &str, out: &str, extra: &[&str]| {
        simulate(dir)
            .args([
                file,
                "--runs",
                "400",
                "--keep-runs",
                "10",
                "-q",
                "--out",
                out,
            ])
            .args(extra)
            .assert()
            .success();
    };
    run("scenarios/no-5g.toml", "one", &[]);
    fs::copy(
        dir.join("one/scenario.resolved.toml"),
        dir.join("scenarios/rerun.toml"),
    )
    .unwrap();
    run("scenarios/rerun.toml", "rerun", &[]);
    for i in 0..2 {
        run(
            "scenarios/no-5g.toml",
            "shards",
            &["--shard", &format!("{i}/2")],
        );
    }
    merge(
        dir,
        ["shards/shard-0-of-2.json", "shards/shard-1-of-2.json"],
        "merged",
    );
    for f in ["summary.csv", "runs.csv"] {
        assert!(
            fs::read(dir.join("one").join(f)).unwrap()
                == fs::read(dir.join("rerun").join(f)).unwrap(),
            "{f}: the resolved file reruns to other numbers"
        );
    }
    for f in ["summary.csv", "summary.json", "runs.csv"] {
        assert!(
            fs::read(dir.join("one").join(f)).unwrap()
                == fs::read(dir.join("merged").join(f)).unwrap(),
            "{f}: the merge differs from one machine"
        );
    }
}
