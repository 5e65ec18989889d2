//! `sweep --shard i/n` and `merge`: shards run as separate processes merge
//! to the bytes one machine's sweep writes, in any order; a set that is
//! incomplete, doubled, mixed, damaged or run on other files is refused
//! with exit code 2 and nothing written.

mod common;

use common::{merge_refused, simulate_in, tree, workspace};
use std::fs;
use std::path::Path;

const SWEEP: &[&str] = &[
    "sweep",
    "scenarios/serbia-5g.toml",
    "--vary",
    "eu_conditionality=0:1:0.25",
    "--vary",
    "shock.srb-auction.date=2025-06:2027-06:12",
    "--reps",
    "240",
    "--quiet",
];

fn shard(dir: &Path, i: u64, n: u64, threads: &str, extra: &[&str]) {
    simulate_in(dir)
        .args(SWEEP)
        .args(extra)
        .args(["--threads", threads, "--out", "shards"])
        .args(["--shard", &format!("{i}/{n}")])
        .assert()
        .success();
}

#[test]
fn three_shards_merge_to_the_bytes_of_one_sweep_in_any_order() {
    let ws = workspace();
    let dir = ws.path();
    simulate_in(dir)
        .args(SWEEP)
        .args(["--out", "one"])
        .assert()
        .success();
    for i in 0..3 {
        // Thread counts differ between shards: nothing may depend on them.
        shard(dir, i, 3, if i == 1 { "1" } else { "2" }, &[]);
    }
    let files = |order: [u64; 3]| -> Vec<String> {
        order
            .iter()
            .map(|i| format!("shards/sweep-shard-{i}-of-3.json"))
            .collect()
    };
    for (out, order) in [("merged", [0, 1, 2]), ("shuffled", [2, 0, 1])] {
        simulate_in(dir)
            .arg("merge")
            .args(files(order))
            .args(["--out", out, "-q"])
            .assert()
            .success();
        let one = tree(&dir.join("one"));
        assert!(one.keys().any(|p| p.ends_with("sweep.csv")));
        assert_eq!(one, tree(&dir.join(out)), "{out} differs from one sweep");
    }
}

#[test]
fn incomplete_doubled_mixed_damaged_or_stale_shard_sets_are_refused() {
    let ws = workspace();
    let dir = ws.path();
    for i in 0..2 {
        shard(dir, i, 2, "2", &[]);
    }
    let (s0, s1) = (
        "shards/sweep-shard-0-of-2.json",
        "shards/sweep-shard-1-of-2.json",
    );
    merge_refused(dir, &[s0], "1 of 2 shards are missing (shard 1)");
    merge_refused(dir, &[s0, s0], "shard 0/2 is given twice");

    // Another sweep's shard (another outcome recorded).
    simulate_in(dir)
        .args(SWEEP)
        .args([
            "--outcome",
            "trusted_share SRB at horizon",
            "--out",
            "other",
        ])
        .args(["--shard", "1/2"])
        .assert()
        .success();
    merge_refused(
        dir,
        &[s0, "other/sweep-shard-1-of-2.json"],
        "belong to different sweeps: their --outcome differ",
    );

    // A run's shard among a sweep's.
    simulate_in(dir)
        .args(["scenarios/serbia-5g.toml", "--runs", "20", "--shard", "0/2"])
        .args(["--out", "runs", "-q"])
        .assert()
        .success();
    merge_refused(
        dir,
        &[s0, "runs/shard-0-of-2.json"],
        "it is a shard of `simulate run`",
    );

    // A count changed by hand: the tallies no longer add up.
    let text = fs::read_to_string(dir.join(s1)).unwrap();
    let damaged = text.replacen("\"runs\":120", "\"runs\":121", 1);
    assert_ne!(text, damaged, "the shard file records its runs as expected");
    fs::create_dir(dir.join("damaged")).unwrap();
    fs::write(dir.join("damaged/sweep-shard-1-of-2.json"), damaged).unwrap();
    merge_refused(
        dir,
        &[s0, "damaged/sweep-shard-1-of-2.json"],
        "a tally counts 121 runs of its 120 replications",
    );

    // Numbers of the setup that would size the design: refused before it
    // is built (a grid of 10^12 points), or before a merge of nothing.
    for (from, to, needle) in [
        (
            "\"eu_conditionality=0:1:0.25\"",
            "\"eu_conditionality=0:1:0.000001\"",
            "its --vary makes 3000003 points, it holds 15",
        ),
        ("\"reps\":240", "\"reps\":0", "a sweep of 0 replications"),
    ] {
        let one = fs::read_to_string(dir.join("shards/sweep-shard-0-of-2.json")).unwrap();
        let edited = one.replacen(from, to, 1);
        assert_ne!(one, edited, "`{from}` is in the shard file");
        fs::create_dir_all(dir.join("edited")).unwrap();
        fs::write(
            dir.join("edited/sweep-shard-0-of-1.json"),
            edited
                .replace("\"shard\":[0,2]", "\"shard\":[0,1]")
                .replace("\"rep_range\":[0,120]", "\"rep_range\":[0,240]"),
        )
        .unwrap();
        merge_refused(dir, &["edited/sweep-shard-0-of-1.json"], needle);
    }

    // The scenario edited after the shards ran.
    let path = dir.join("scenarios/serbia-5g.toml");
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("eu_conditionality = 0.5", "eu_conditionality = 0.4");
    fs::write(&path, edited).unwrap();
    merge_refused(
        dir,
        &[s0, s1],
        "the scenario files changed since the shards ran",
    );
}

#[test]
fn a_sweep_to_a_precision_does_not_shard() {
    let ws = workspace();
    simulate_in(ws.path())
        .args(SWEEP)
        .args(["--precision", "0.01", "--shard", "0/2"])
        .assert()
        .code(2);
}
