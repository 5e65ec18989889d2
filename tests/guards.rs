//! Guards against runaway flags: `--threads` past what can be used is
//! capped with a note and changes no byte; `--runs` estimated at more than a
//! day is refused before anything runs unless `--yes`, and with it the run
//! starts and holds no more memory than a small one.

mod common;

use common::{read, simulate, workspace};
use std::time::{Duration, Instant};

#[test]
fn threads_past_what_can_be_used_are_capped_with_a_note_and_change_nothing() {
    let ws = workspace();
    let run = |threads: &str, out: &str| {
        let started = Instant::now();
        let done = simulate()
            .current_dir(ws.path())
            .args(["scenarios/serbia-5g.toml", "--runs", "300", "--quiet"])
            .args(["--threads", threads, "--out", out])
            // 10 000 threads used to take minutes and gigabytes.
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
        let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
        let dir = ws.path().join(out);
        (
            read(&dir.join("summary.csv")),
            read(&dir.join("summary.json")),
            stderr,
            started.elapsed(),
        )
    };
    let one = run("1", "t1");
    let many = run("10000", "t10000");
    assert_eq!(one.2, "", "one thread is no news");
    // 300 runs are 2 chunks of 256: only two workers can have work.
    assert_eq!(
        many.2.trim_end(),
        "note: --threads 10000: 2 worker threads used; 300 runs are 2 chunks of 256 runs, and a thread without a chunk has nothing to do"
    );
    assert_eq!(one.0, many.0, "summary.csv");
    assert_eq!(one.1, many.1, "summary.json");
    assert!(
        many.3 < one.3 * 3 + Duration::from_secs(5),
        "10 000 threads asked: {:?}, one thread: {:?}",
        many.3,
        one.3
    );
}

#[test]
fn runs_estimated_past_a_day_are_refused_before_anything_runs() {
    let ws = workspace();
    for args in [
        &["run", "scenarios/baseline.toml", "--runs", "1e12"][..],
        &[
            "run",
            "scenarios/baseline.toml",
            "--runs",
            "1e12",
            "--threads",
            "64",
        ][..],
        &[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/serbia-5g.toml",
            "--runs",
            "1e12",
        ][..],
    ] {
        let started = Instant::now();
        let done = simulate()
            .current_dir(ws.path())
            .args(args)
            .timeout(Duration::from_secs(60))
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
        assert!(
            stderr.starts_with("error: 1000000000000 runs")
                && stderr.contains("would take about")
                && stderr.contains(" core")
                && stderr.contains("add --yes to start it anyway"),
            "{args:?}: {stderr}"
        );
        // Refused at once: not after a pilot or part of the runs.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?}: {:?}",
            started.elapsed()
        );
        assert!(
            !ws.path().join("output").exists(),
            "{args:?}: nothing written"
        );
    }
    // A shard is judged by its own part: 100 of the 10^12 runs.
    simulate()
        .current_dir(ws.path())
        .args(["scenarios/baseline.toml", "--runs", "1e12", "--quiet"])
        .args(["--shard", "0/10000000000", "--out", "shards"])
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    assert!(
        ws.path()
            .join("shards/shard-0-of-10000000000.json")
            .exists()
    );
}

/// Peak resident memory of a running process, from /proc.
#[cfg(target_os = "linux")]
fn peak_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/<pid>/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn with_yes_a_run_of_a_trillion_starts_and_its_memory_stays_flat() {
    let ws = workspace();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("simulate"))
        .current_dir(ws.path())
        .args(["scenarios/baseline.toml", "--runs", "1e12", "--yes", "-q"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        child.try_wait().unwrap().is_none(),
        "--yes starts the run (it must still be running)"
    );
    let peak = peak_kb(child.id());
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    // A run of any size holds the same aggregate (~40 MB at its peak, set by
    // the report phase); nothing may grow with the run count.
    assert!(peak < 150_000, "peak {peak} kB while running 10^12 runs");
    assert!(!ws.path().join("output").exists(), "nothing written");
}
