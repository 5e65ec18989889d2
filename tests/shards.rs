//! Past one machine: shards run as separate processes and merged give the
//! same bytes as one run, whatever order they are merged in; incomplete or
//! doubled shard sets are refused.

mod common;

use common::{simulate_in as simulate, workspace};
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
    simulate(dir)
        .args([
            "merge",
            &shard(0),
            &shard(1),
            &shard(2),
            &shard(3),
            "--out",
            "merged",
            "-q",
        ])
        .assert()
        .success();
    simulate(dir)
        .args([
            "merge",
            &shard(3),
            &shard(1),
            &shard(0),
            &shard(2),
            "--out",
            "shuffled",
            "-q",
        ])
        .assert()
        .success();
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
