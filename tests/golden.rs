//! The bytes a seed gives, pinned. Engine work (runs side by side, stepping
//! only the countries asked for, cheaper draws) must not change what a
//! seed produces; the other tests compare the new code with itself (four
//! lanes against one, a scope against the whole world), so a change made
//! alike in every lane would pass them. These hashes were taken with the
//! binary of `d9b3d67`, before that work, and match it.
//!
//! When one fails: if the model or its random numbers changed on purpose,
//! that changes what every seed produces — bump the version, say so in
//! CHANGELOG.md, re-derive the run-derived figures of docs/MODEL.md, and
//! put the new hashes here. Otherwise it is a bug. (The parameter samplers
//! use the platform's libm, docs/SCALING.md: a platform whose libm rounds
//! differently gives other bytes.)

mod common;

use common::{repo, simulate};

/// FNV-1a over the named output files, in order.
fn hash(dir: &std::path::Path, files: &[&str]) -> u64 {
    let mut bytes = Vec::new();
    for f in files {
        bytes.extend(std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")));
    }
    dsrsim::scenario::fnv1a64(&bytes)
}

/// (command line, the files it writes that are hashed, their hash at `d9b3d67`)
const CASES: &[(&[&str], &[&str], u64)] = &[
    (
        &[
            "scenarios/serbia-5g.toml",
            "--runs",
            "300",
            "--keep-runs",
            "300",
            "--seed",
            "5",
        ],
        &["summary.csv", "runs.csv"],
        0x4fce_8bba_23da_0f9c,
    ),
    (
        &[
            "tests/data/cross-country-shocks.toml",
            "--runs",
            "300",
            "--keep-runs",
            "60",
            "--seed",
            "9",
        ],
        &["summary.csv", "runs.csv"],
        0x0b58_cf14_326d_3275,
    ),
    (
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--vary",
            "eu_conditionality=0:1:0.5",
            "--reps",
            "301",
            "--outcome",
            "class SRB cautious at horizon",
            "--outcome",
            "alignment BIH at horizon",
            "--seed",
            "3",
        ],
        &["sweep.csv"],
        0xb51e_430f_9fa5_b677,
    ),
    (
        &[
            "sweep",
            "tests/data/cross-country-shocks.toml",
            "--vary",
            "b_incident=0:4:2",
            "--reps",
            "203",
            "--outcome",
            "class MNE cautious at horizon",
            "--seed",
            "4",
        ],
        &["sweep.csv"],
        0xe6e7_1abc_9d67_db81,
    ),
];

#[test]
fn a_seed_gives_the_bytes_it_gave_before_the_engine_work() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, (args, files, want)) in CASES.iter().enumerate() {
        let out = tmp.path().join(format!("case-{i}"));
        simulate()
            .current_dir(repo(""))
            .args(*args)
            .arg("-q")
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let got = hash(&out, files);
        assert_eq!(
            got,
            *want,
            "`simulate {}` gave other bytes ({got:#x}); see this file's opening comment",
            args.join(" ")
        );
    }
}
