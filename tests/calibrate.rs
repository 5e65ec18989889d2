//! `simulate calibrate` against a world with a known answer: targets made
//! from a world whose parameters are fixed at known values, calibrated
//! from wide priors, must give a posterior that holds the truth and is
//! narrower than the prior. Then determinism and bad input.

mod common;

use common::{read, repo, simulate, tree};
use dsrsim::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
use dsrsim::model::World;
use dsrsim::scenario::outcome::OutcomeSpec;
use dsrsim::scenario::{Base, Setting};
use std::path::{Path, PathBuf};

const WORLD: &str = "tests/data/calibrate-world.toml";
const TRUTH: [(&str, f64); 2] = [
    ("polity.A.orientation", 0.3),
    ("polity.B.orientation", 0.75),
];
const PARAMS: &str = "polity.A.orientation,polity.B.orientation";

/// The truth's simulated means of `outcomes`, from `reps` runs.
fn truth_means(outcomes: &[&str], reps: u64) -> Vec<f64> {
    let base = Base::read(&repo(WORLD)).unwrap();
    let settings: Vec<Setting> = TRUTH
        .iter()
        .map(|(k, v)| Setting::new(k, &v.to_string(), "test").unwrap())
        .collect();
    let world = World::new(base.resolve(&settings).unwrap());
    let outs = outcomes
        .iter()
        .map(|o| {
            world
                .outcome(&OutcomeSpec::parse(o).unwrap(), None)
                .unwrap()
        })
        .collect();
    let result = run_design(
        &[DesignPoint {
            world,
            outcomes: outs,
        }],
        &ExperimentOptions {
            reps,
            // Not the calibration's seed: the targets are an independent
            // observation of the truth.
            seed: 999,
            threads: 2,
            progress: false,
            rep_range: None,
        },
    )
    .unwrap();
    (0..outcomes.len())
        .map(|k| result.points[0].stats(k).mean)
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Targets from the truth: each outcome's mean, with the sd of a mean of
/// 300 observed worlds (at least 0.01).
fn synthetic_targets(dir: &Path) -> PathBuf {
    let outcomes = [
        "restriction A at 2026-12",
        "restriction A at 2029-12",
        "restriction B at 2026-12",
        "restriction B at 2029-12",
    ];
    let means = truth_means(&outcomes, 4000);
    let mut text = String::new();
    for (o, p) in outcomes.iter().zip(&means) {
        let sd = (p * (1.0 - p) / 300.0).sqrt().max(0.01);
        text.push_str(&format!(
            "[[target]]\nwhat = \"{o}\"\nobserved = {p}\nsd = {sd}\nsource = \"the synthetic truth\"\n\n"
        ));
    }
    write(dir, "targets.toml", &text)
}

fn calibrate(targets: &Path, out: &Path, threads: &str) -> assert_cmd::assert::Assert {
    simulate()
        .args(["calibrate", WORLD, "--targets"])
        .arg(targets)
        .args([
            "--params", PARAMS, "--draws", "60", "--reps", "120", "--waves", "2", "-q",
        ])
        .args(["--threads", threads, "--out"])
        .arg(out)
        .current_dir(repo(""))
        .assert()
}

/// posterior.csv as (parameter, [prior p05, p50, p95, posterior p05, p50, p95, narrowing]).
fn posterior(out: &Path) -> Vec<(String, Vec<f64>)> {
    read(&out.join("posterior.csv"))
        .lines()
        .skip(1)
        .map(|l| {
            // The prior column is quoted and holds commas.
            let (key, rest) = l.split_once(',').unwrap();
            let rest = rest.rsplit_once("\",").unwrap().1;
            let nums = rest.split(',').map(|x| x.parse().unwrap()).collect();
            (key.to_string(), nums)
        })
        .collect()
}

#[test]
fn calibrate_recovers_the_parameters_of_a_synthetic_world() {
    let dir = tempfile::TempDir::new().unwrap();
    let targets = synthetic_targets(dir.path());
    let out = dir.path().join("out");
    calibrate(&targets, &out, "2").success();
    let post = posterior(&out);
    assert_eq!(post.len(), 2, "{post:?}");
    for ((key, truth), (name, q)) in TRUTH.iter().zip(&post) {
        assert_eq!(key, name);
        let (prior_width, lo, hi) = (q[2] - q[0], q[3], q[5]);
        assert!(
            lo <= *truth && *truth <= hi,
            "{key}: the truth {truth} is outside the posterior's 90% range {lo}..{hi}"
        );
        assert!(
            hi - lo < 0.6 * prior_width,
            "{key}: the posterior ({lo}..{hi}) is not much narrower than the prior ({prior_width})"
        );
    }
    // The fragment is a scenario: it loads and runs.
    simulate()
        .args(["check"])
        .arg(out.join("posterior.toml"))
        .assert()
        .success();
    let csv = read(&out.join("calibration.csv"));
    assert_eq!(csv.lines().count(), 1 + 2 * 60, "one row per draw");
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("draw,wave,polity.A.orientation,")
    );
    let page = read(&out.join("index.html"));
    assert!(page.contains("restriction A at 2029-12") && page.contains("hit"));
    for chart in ["posterior-1", "posterior-2", "pairs"] {
        assert!(
            out.join("charts").join(format!("{chart}.png")).is_file(),
            "{chart}"
        );
    }
}

#[test]
fn calibration_bytes_do_not_depend_on_the_thread_count() {
    let dir = tempfile::TempDir::new().unwrap();
    let targets = write(
        dir.path(),
        "t.toml",
        "[[target]]\nwhat = \"restriction A at 2028-12\"\nobserved = 0.5\nsd = 0.05\nsource = \"test\"\n\n[[target]]\nrate = \"restriction\"\nof = [\"A\", \"B\"]\nfrom = \"2025-12\"\nto = \"2028-12\"\nbetween = [0.1, 0.3]\nsource = \"test\"\n",
    );
    let run = |threads: &str| {
        let out = dir.path().join(format!("out-{threads}"));
        simulate()
            .args(["calibrate", WORLD, "--targets"])
            .arg(&targets)
            .args([
                "--params", PARAMS, "--draws", "16", "--reps", "40", "--waves", "2", "-q",
            ])
            .args(["--threads", threads, "--out"])
            .arg(&out)
            .current_dir(repo(""))
            .assert()
            .success();
        out
    };
    let (one, two) = (run("1"), run("2"));
    for f in [
        "calibration.csv",
        "posterior.csv",
        "targets.csv",
        "index.html",
    ] {
        assert_eq!(read(&one.join(f)), read(&two.join(f)), "{f}");
    }
}

/// A calibration that must fail with exit code 2, write nothing, and say `needles`.
fn fails(targets: &str, extra: &[&str], needles: &[&str]) {
    let dir = tempfile::TempDir::new().unwrap();
    let t = write(dir.path(), "targets.toml", targets);
    let out = dir.path().join("out");
    let assert = simulate()
        .args(["calibrate", WORLD, "--targets"])
        .arg(&t)
        .args([
            "--draws", "8", "--reps", "20", "--waves", "1", "-q", "--out",
        ])
        .arg(&out)
        .args(extra)
        .current_dir(repo(""))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for n in needles {
        assert!(err.contains(n), "`{n}` not in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "nothing is written on bad input");
}

const OK: &str = "observed = 0.5\nsd = 0.1\nsource = \"test\"\n";

#[test]
fn bad_targets_are_positioned_errors() {
    fails(
        &format!("[[target]]\nwhat = \"trusted_sharee A at 2028-12\"\n{OK}"),
        &[],
        &[
            "`trusted_sharee` is not a metric",
            "targets.toml:2:9",
            "trusted_share",
        ],
    );
    fails(
        &format!("[[target]]\nwhat = \"restriction C at 2028-12\"\n{OK}"),
        &[],
        &["`C` is not a polity or operator", "targets.toml:2:21"],
    );
    fails(
        &format!("[[target]]\nwhat = \"restriction A at 2040-12\"\n{OK}"),
        &[],
        &["2040-12 is outside the run", "targets.toml:2:26"],
    );
    fails(
        "[[target]]\nwhat = \"restriction A at 2028-12\"\nobserved = 0.5\nsd = 0\nsource = \"x\"\n",
        &[],
        &["sd = 0: it must be above 0", "targets.toml:4:6"],
    );
    fails(
        "[[target]]\nrate = \"restriction\"\nof = [\"A\", \"Q\"]\nfrom = \"2020-12\"\nto = \"2028-12\"\nbetween = [0.1, 0.3]\nsource = \"x\"\n",
        &[],
        &["2020-12 is outside the scenario's time", "targets.toml:4:8"],
    );
    fails(
        "[[target]]\nwhat = \"restriction A at 2028-12\"\nobserved = 0.5\nsd = 0.1\n\n[[target]]\nwhat = \"restriction B at 2028-12\"\nobserved = 0.5\nsd = -1\nsource = \"x\"\n",
        &[],
        &["has no `source`", "sd = -1", "2 errors in all"],
    );
}

#[test]
fn no_surviving_draw_names_the_target_that_rules_everything_out() {
    fails(
        &format!(
            "[[target]]\nwhat = \"restriction A at 2028-12\"\n{OK}\n[[target]]\nwhat = \"restriction B at 2025-06\"\nobserved = 0.9\nsd = 0.02\nsource = \"impossible: no law so soon\"\n"
        ),
        &["--params", PARAMS],
        &[
            "no draw meets target `restriction B at 2025-06`",
            "implausibility",
            "targets.toml:8:8",
        ],
    );
}

#[test]
fn a_constant_prior_is_a_warning_and_no_prior_at_all_an_error() {
    fails(
        &format!("[[target]]\nwhat = \"restriction A at 2028-12\"\n{OK}"),
        &["--params", "law_hazard"],
        &[
            "`parameters.law_hazard` is the constant 0.2: nothing to calibrate there",
            "nothing to calibrate",
        ],
    );
    let dir = tempfile::TempDir::new().unwrap();
    let t = write(
        dir.path(),
        "t.toml",
        &format!("[[target]]\nwhat = \"restriction A at 2028-12\"\n{OK}"),
    );
    let assert = simulate()
        .args(["calibrate", WORLD, "--targets"])
        .arg(&t)
        .args([
            "--params",
            "law_hazard,polity.A.orientation",
            "--draws",
            "6",
            "--reps",
            "10",
            "--waves",
            "1",
            "-q",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .current_dir(repo(""))
        .assert()
        .success();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        err.contains("warning: `parameters.law_hazard` is the constant"),
        "{err}"
    );
}

// ---- A calibration past one machine: `--wave K --shard i/n`, then `merge`.

const SMALL_TARGETS: &str = "[[target]]\nwhat = \"restriction A at 2028-12\"\nobserved = 0.5\nsd = 0.05\nsource = \"test\"\n\n[[target]]\nrate = \"restriction\"\nof = [\"A\", \"B\"]\nfrom = \"2025-12\"\nto = \"2028-12\"\nbetween = [0.1, 0.3]\nsource = \"test\"\n";

/// The calibrate flags every run of one small calibration shares (12
/// draws of 30 runs unless `extra` gives `--draws` and `--reps`).
fn small(targets: &Path, extra: &[&str]) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = ["calibrate", WORLD, "--targets"]
        .iter()
        .map(Into::into)
        .collect();
    args.push(targets.into());
    let sizes: &[&str] = if extra.contains(&"--draws") {
        &[]
    } else {
        &["--draws", "12", "--reps", "30"]
    };
    for a in ["--params", PARAMS, "-q"].iter().chain(sizes).chain(extra) {
        args.push(a.into());
    }
    args
}

/// Run `waves` waves of the small calibration in `n` shards (each wave's
/// shards in a scrambled order, merged from a scrambled list) into `out`.
fn sharded(targets: &Path, extra: &[&str], waves: usize, n: u64, shards: &Path, out: &Path) {
    let order: Vec<u64> = (0..n).rev().collect();
    for wave in 1..=waves {
        for i in &order {
            simulate()
                .args(small(targets, extra))
                .args(["--wave", &wave.to_string(), "--shard", &format!("{i}/{n}")])
                .arg("--out")
                .arg(shards)
                .current_dir(repo(""))
                .assert()
                .success();
        }
        let mut merge = simulate();
        merge.arg("merge");
        for i in (0..n).map(|i| (i * 2 + 1) % n) {
            merge.arg(shards.join(format!("wave-{wave}-shard-{i}-of-{n}.json")));
        }
        merge
            .args(["-q", "--out"])
            .arg(out)
            .current_dir(repo(""))
            .assert()
            .success();
        if wave < waves {
            assert!(
                shards.join(format!("wave-{}.json", wave + 1)).is_file(),
                "merging wave {wave} writes the next wave's start"
            );
        }
    }
}

#[test]
fn a_sharded_calibration_merges_to_the_bytes_of_one_machine() {
    let dir = tempfile::TempDir::new().unwrap();
    let targets = write(dir.path(), "t.toml", SMALL_TARGETS);
    let one = dir.path().join("one");
    simulate()
        .args(small(&targets, &["--waves", "2", "--threads", "2"]))
        .arg("--out")
        .arg(&one)
        .current_dir(repo(""))
        .assert()
        .success();
    let expected = tree(&one);
    for f in [
        "calibration.csv",
        "targets.csv",
        "posterior.csv",
        "posterior.toml",
        "index.html",
        "charts/pairs.svg",
        "charts/posterior-1.png",
    ] {
        assert!(expected.contains_key(Path::new(f)), "{f}");
    }
    for n in [1, 3] {
        // Side by side with `one`, so that posterior.toml's relative
        // `extends` is the same path.
        let out = dir.path().join(format!("merged-{n}"));
        let shards = dir.path().join(format!("shards-{n}"));
        sharded(
            &targets,
            &["--waves", "2", "--threads", "1"],
            2,
            n,
            &shards,
            &out,
        );
        let got = tree(&out);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{n} shards: the same files"
        );
        for (name, bytes) in &expected {
            assert!(
                got[name] == *bytes,
                "{n} shards: {} differs",
                name.display()
            );
        }
    }
}

#[test]
fn a_sharded_calibration_that_ends_early_keeps_its_later_waves_runnable() {
    // A cutoff so tight that a later wave may keep nothing and end the
    // calibration (with these numbers wave 3 does); the later waves' shards
    // and merges then succeed with nothing to run, and the files are one
    // machine's whether or not it ends early.
    let dir = tempfile::TempDir::new().unwrap();
    let targets = write(dir.path(), "t.toml", SMALL_TARGETS);
    let extra = [
        "--waves", "4", "--cutoff", "1", "--seed", "25", "--draws", "4", "--reps", "8",
    ];
    let one = dir.path().join("one");
    simulate()
        .args(small(&targets, &extra))
        .arg("--out")
        .arg(&one)
        .current_dir(repo(""))
        .assert()
        .success();
    let out = dir.path().join("merged");
    sharded(&targets, &extra, 4, 3, &dir.path().join("shards"), &out);
    assert_eq!(tree(&one), tree(&out));
}

/// `simulate ARGS` in the repository must fail with exit code 2, say every
/// one of `needles`, and not panic.
fn refused(args: Vec<std::ffi::OsString>, needles: &[&str]) {
    let assert = simulate().args(args).current_dir(repo("")).assert().code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    for n in needles {
        assert!(err.contains(n), "`{n}` not in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn merge_args(shards: &[&Path], out: &Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["merge".into()];
    args.extend(shards.iter().map(|p| p.as_os_str().to_owned()));
    args.extend(["-q".into(), "--out".into(), out.as_os_str().to_owned()]);
    args
}

#[test]
fn mismatched_calibration_shards_are_refused_and_nothing_is_written() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let targets = write(d, "t.toml", SMALL_TARGETS);
    let shard = |extra: &[&str], spec: &str, folder: &str| -> PathBuf {
        let mut args = small(&targets, &["--waves", "2"]);
        args.extend(extra.iter().map(Into::into));
        simulate()
            .args(args)
            .args(["--wave", "1", "--shard", spec, "--out"])
            .arg(d.join(folder))
            .current_dir(repo(""))
            .assert()
            .success();
        d.join(folder)
            .join(format!("wave-1-shard-{}.json", spec.replace('/', "-of-")))
    };
    let a0 = shard(&[], "0/2", "a");
    let a1 = shard(&[], "1/2", "a");
    let other_seed = shard(&["--seed", "9"], "1/2", "b");
    let other_count = shard(&[], "1/3", "c");
    let out = d.join("out");
    refused(merge_args(&[&a0], &out), &["shards of wave 1 missing: 1/2"]);
    refused(
        merge_args(&[&a0, &a1, &a0], &out),
        &["shard 0/2 of wave 1 is given twice"],
    );
    refused(
        merge_args(&[&a0, &other_seed], &out),
        &[
            "belong to different calibrations: their seeds differ",
            "b/wave-1-shard-1-of-2.json",
        ],
    );
    refused(
        merge_args(&[&a0, &other_count], &out),
        &["is one of 2 shards", "one of 3"],
    );
    // Wave 2 needs the start that merging wave 1 writes.
    let mut wave2 = small(&targets, &["--waves", "2"]);
    wave2.extend(["--wave", "2", "--shard", "0/2", "--out"].map(Into::into));
    wave2.push(d.join("a").into());
    refused(
        wave2.clone(),
        &[
            "wave 2 starts from",
            "wave-2.json`, which is missing",
            "simulate merge",
        ],
    );
    let mut beyond = small(&targets, &["--waves", "2"]);
    beyond.extend(["--wave", "3", "--shard", "0/2", "--out"].map(Into::into));
    beyond.push(d.join("a").into());
    refused(beyond, &["--wave 3: the calibration has 2 waves"]);
    let mut no_wave = small(&targets, &["--waves", "2", "--shard", "0/2"]);
    no_wave.extend(["--out".into(), d.join("a").into()]);
    refused(no_wave, &["--wave"]);
    assert!(!out.exists(), "a refused merge writes nothing");

    // After wave 1 is merged, wave 2's shards must share its setup.
    simulate()
        .args(merge_args(&[&a1, &a0], &out))
        .current_dir(repo(""))
        .assert()
        .success();
    assert!(d.join("a/wave-2.json").is_file());
    assert!(
        !out.exists(),
        "only the last wave writes the calibration's files"
    );
    let mut other_draws = small(&targets, &["--waves", "2", "--draws", "14", "--reps", "30"]);
    other_draws.extend(["--wave", "2", "--shard", "0/2", "--out"].map(Into::into));
    other_draws.push(d.join("a").into());
    refused(
        other_draws,
        &[
            "this command line and",
            "a/wave-2.json` belong to different calibrations: their --draws differ",
        ],
    );
    // A wave file is not a shard, nor is a run's shard a calibration's.
    refused(
        merge_args(&[&d.join("a/wave-2.json")], &out),
        &["is not a calibration wave's shard: it is the start of a calibration wave"],
    );
    let run_shard = d.join("run");
    simulate()
        .args([
            "run", WORLD, "--runs", "20", "-q", "--shard", "0/1", "--out",
        ])
        .arg(&run_shard)
        .current_dir(repo(""))
        .assert()
        .success();
    refused(
        merge_args(&[&a0, &run_shard.join("shard-0-of-1.json")], &out),
        &["is not a calibration wave's shard: it is a shard of `simulate run`"],
    );
    // A damaged or forged shard is refused, not trusted.
    let json = read(&a1);
    let cut = write(d, "cut.json", &json[..json.len() / 2]);
    refused(
        merge_args(&[&a0, &cut], &out),
        &["cut.json` is not a calibration wave's shard"],
    );
    let forged = write(
        d,
        "forged.json",
        &json.replacen("\"wave\":1,", "\"wave\":0,", 1),
    );
    refused(
        merge_args(&[&a0, &forged], &out),
        &["claims an impossible wave 0 of 2"],
    );
    // The files the merge reads again must be those the shards ran.
    std::fs::write(&targets, format!("{SMALL_TARGETS}\n# edited\n")).unwrap();
    refused(
        merge_args(&[&a0, &a1], &out),
        &["the targets files changed since wave 1's shards ran"],
    );
    assert!(!out.exists(), "a refused merge writes nothing");
}
