//! Never a half-written output folder: `simulate run` killed with SIGKILL
//! at any moment (while it runs, while it draws, while it writes) leaves
//! its `--out` folder absent, or complete and byte-identical to an
//! uninterrupted run; two runs writing into one `--out` at once leave one
//! complete result, never a mix of the two.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const RUNS: &str = "200";

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/serbia-5g.toml")
}

fn start(out: &Path, seed: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_simulate"))
        .arg("run")
        .arg(scenario())
        .args([
            "--runs",
            RUNS,
            "--seed",
            &seed.to_string(),
            "--quiet",
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("simulate starts")
}

/// Every file under `dir`, by its path inside it.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                files.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    files
}

/// A complete uninterrupted run with `seed`, and how long it took.
fn reference(tmp: &Path, seed: u64) -> (BTreeMap<PathBuf, Vec<u8>>, Duration) {
    let out = tmp.join(format!("reference-{seed}"));
    let t = Instant::now();
    let status = start(&out, seed).wait().unwrap();
    assert!(status.success());
    (contents(&out), t.elapsed())
}

/// Which reference the folder equals, or why it is neither absent nor whole.
fn judge(out: &Path, refs: &[&BTreeMap<PathBuf, Vec<u8>>]) -> Result<Option<usize>, String> {
    if !out.exists() {
        return Ok(None);
    }
    let got = contents(out);
    for (k, r) in refs.iter().enumerate() {
        if got == **r {
            return Ok(Some(k));
        }
    }
    let r = refs[0];
    let missing: Vec<_> = r.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !r.contains_key(*k)).collect();
    let differ: Vec<_> = got
        .iter()
        .filter(|(k, v)| r.get(*k).is_some_and(|rv| rv != *v))
        .map(|(k, _)| k)
        .collect();
    Err(format!(
        "{} holds {} files; missing {missing:?}, extra {extra:?}, differing {differ:?}",
        out.display(),
        got.len()
    ))
}

/// A small deterministic spread of kill moments (no clock-seeded randomness:
/// a failure must be reproducible by its moment).
fn moments(total: Duration, n: u32) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let jitter = (x >> 33) as f64 / (1u64 << 31) as f64;
            // Evenly over the run and a little past it, jittered within a slot.
            total.mul_f64(1.15 * (f64::from(i) + jitter) / f64::from(n))
        })
        .collect()
}

#[test]
fn a_killed_run_leaves_no_half_written_folder() {
    let tmp = TempDir::new().unwrap();
    let (whole, took) = reference(tmp.path(), 1);
    assert!(whole.len() > 10, "a run writes its files");
    let mut outcomes = (0, 0);
    let mut failures = Vec::new();
    for (i, at) in moments(took, 24).into_iter().enumerate() {
        let out = tmp.path().join(format!("killed-{i}"));
        let mut child = start(&out, 1);
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        match judge(&out, &[&whole]) {
            Ok(None) => outcomes.0 += 1,
            Ok(Some(_)) => outcomes.1 += 1,
            Err(e) => failures.push(format!("killed at {at:?}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "half-written folders:\n{}",
        failures.join("\n")
    );
    eprintln!(
        "{} kills: {} left no folder, {} a complete one",
        outcomes.0 + outcomes.1,
        outcomes.0,
        outcomes.1
    );
}

#[test]
fn a_killed_rerun_leaves_the_old_result_or_the_new_one() {
    // Over an existing folder of another seed: the old whole, or the new whole.
    let tmp = TempDir::new().unwrap();
    let (old, _) = reference(tmp.path(), 2);
    let (new, took) = reference(tmp.path(), 3);
    let mut failures = Vec::new();
    for (i, at) in moments(took, 10).into_iter().enumerate() {
        let out = tmp.path().join(format!("rerun-{i}"));
        assert!(start(&out, 2).wait().unwrap().success());
        let mut child = start(&out, 3);
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        if let Err(e) = judge(&out, &[&old, &new]) {
            failures.push(format!("killed at {at:?}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "mixed folders:\n{}",
        failures.join("\n")
    );
}

#[test]
fn two_runs_into_one_folder_leave_one_whole_result() {
    let tmp = TempDir::new().unwrap();
    let (a, _) = reference(tmp.path(), 4);
    let (b, _) = reference(tmp.path(), 5);
    assert_ne!(a, b, "two seeds give two results to tell apart");
    for i in 0..4 {
        let out = tmp.path().join(format!("shared-{i}"));
        let mut first = start(&out, 4);
        let mut second = start(&out, 5);
        assert!(first.wait().unwrap().success());
        assert!(second.wait().unwrap().success());
        match judge(&out, &[&a, &b]) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("both runs finished, yet {} is absent", out.display()),
            Err(e) => panic!("a mix of two runs: {e}"),
        }
    }
    // Nothing but the folder itself is left behind (no staging folders).
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
