//! `sensitivity --shard i/n` and `merge`: shards of the design's groups,
//! run as separate processes, merge to the bytes one machine writes, for
//! every method and in any order; a set that is incomplete, doubled, mixed
//! or run on other files is refused with exit code 2 and nothing written.

mod common;

use common::{merge_refused, simulate_in, tree, workspace};
use std::fs;
use std::path::Path;

const FILE: &str = "scenarios/serbia-5g.toml";

fn analysis(method: &[&str]) -> Vec<String> {
    let mut a = vec![
        "sensitivity".to_string(),
        FILE.to_string(),
        "--quiet".into(),
    ];
    a.extend(method.iter().map(|s| s.to_string()));
    a
}

fn shard(dir: &Path, method: &[&str], i: u64, n: u64, threads: &str, out: &str) {
    simulate_in(dir)
        .args(analysis(method))
        .args(["--threads", threads, "--out", out])
        .args(["--shard", &format!("{i}/{n}")])
        .assert()
        .success();
}

#[test]
fn shards_of_every_method_merge_to_the_bytes_of_one_machine_in_any_order() {
    let ws = workspace();
    let dir = ws.path();
    let methods: [&[&str]; 3] = [
        &["--method", "tornado", "--reps", "100"],
        &["--method", "morris", "--samples", "5", "--reps", "40"],
        &["--method", "sobol", "--samples", "12", "--reps", "20"],
    ];
    for (m, method) in methods.iter().enumerate() {
        let one = format!("one-{m}");
        simulate_in(dir)
            .args(analysis(method))
            .args(["--out", &one])
            .assert()
            .success();
        let shards = format!("shards-{m}");
        for i in 0..3 {
            shard(dir, method, i, 3, if i == 1 { "1" } else { "2" }, &shards);
        }
        let merged = format!("merged-{m}");
        simulate_in(dir)
            .arg("merge")
            .args([2, 0, 1].map(|i| format!("{shards}/sensitivity-shard-{i}-of-3.json")))
            .args(["--out", &merged, "-q"])
            .assert()
            .success();
        let expected = tree(&dir.join(&one));
        assert!(expected.keys().any(|p| p.ends_with("sensitivity.csv")));
        assert_eq!(
            expected,
            tree(&dir.join(&merged)),
            "{method:?}: merged differs"
        );
    }
}

#[test]
fn incomplete_doubled_mixed_or_stale_shard_sets_are_refused() {
    let ws = workspace();
    let dir = ws.path();
    let sobol: &[&str] = &["--method", "sobol", "--samples", "8", "--reps", "10"];
    for i in 0..2 {
        shard(dir, sobol, i, 2, "2", "shards");
    }
    let (s0, s1) = (
        "shards/sensitivity-shard-0-of-2.json",
        "shards/sensitivity-shard-1-of-2.json",
    );
    merge_refused(dir, &[s1], "1 of 2 shards are missing (shard 0)");
    merge_refused(dir, &[s0, s0], "shard 0/2 is given twice");

    let other: &[&str] = &["--method", "sobol", "--samples", "10", "--reps", "10"];
    shard(dir, other, 1, 2, "2", "other");
    merge_refused(
        dir,
        &[s0, "other/sensitivity-shard-1-of-2.json"],
        "belong to different analyses: their --samples differ",
    );

    simulate_in(dir)
        .args([
            "sweep",
            FILE,
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--reps",
            "10",
        ])
        .args(["--shard", "1/2", "--out", "sweep", "-q"])
        .assert()
        .success();
    merge_refused(
        dir,
        &[s0, "sweep/sweep-shard-1-of-2.json"],
        "it is a shard of `simulate sweep`",
    );

    // --samples sizes the design: a number that does not match the groups
    // the shards split is refused before the design is built from it.
    let text = fs::read_to_string(dir.join(s0)).unwrap();
    let edited = text.replacen("\"samples\":8", "\"samples\":1000000000000000", 1);
    assert_ne!(text, edited);
    fs::create_dir(dir.join("edited")).unwrap();
    fs::write(dir.join("edited/a.json"), &edited).unwrap();
    let other = fs::read_to_string(dir.join(s1)).unwrap().replacen(
        "\"samples\":8",
        "\"samples\":1000000000000000",
        1,
    );
    fs::write(dir.join("edited/b.json"), other).unwrap();
    merge_refused(
        dir,
        &["edited/a.json", "edited/b.json"],
        "its --samples makes 1000000000000000 groups, it splits 8",
    );

    let path = dir.join(FILE);
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("probability = 0.35", "probability = 0.3");
    fs::write(&path, edited).unwrap();
    merge_refused(
        dir,
        &[s0, s1],
        "the scenario files changed since the shards ran",
    );
}
