//! The calibrate recipe of docs/SCALING.md (one job array per wave, each
//! after the merge of the wave before) on a real single-node Slurm: the
//! documented script and submit loop, run unchanged by
//! `ci/slurm-calibrate.sh` on the cluster `ci/slurm-job-array.sh` starts,
//! give merged files byte-identical to one machine's `calibrate`. Needs
//! root and Debian's `slurm-wlm` and `munge`; without them the test says so
//! on stderr and passes, unless DSRSIM_REQUIRE_SLURM=1 (as `.ci/run` sets
//! it), where a missing cluster is a failure. (The helpers are those of
//! tests/slurm.rs; a test file of its own runs after it, not beside it.)

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The jobs' own wait inside the script is shorter; this only catches a
/// script that hangs outside it.
const LIMIT: Duration = Duration::from_secs(240);

/// Outside the test harness's capture, so a skip is seen in `cargo test`'s
/// output even when the test passes.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn is_root() -> bool {
    // /proc/self/status: "Uid:\treal\teffective\tsaved\tfs".
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

fn on_path(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .any(|d| d.join(tool).is_file())
}

/// Why the cluster cannot be started here, if it cannot.
fn missing() -> Option<String> {
    if !is_root() {
        return Some("not root (munged, slurmctld and slurmd are started as root)".into());
    }
    let absent: Vec<&str> = [
        "munged",
        "slurmctld",
        "slurmd",
        "sbatch",
        "squeue",
        "scontrol",
    ]
    .into_iter()
    .filter(|t| !on_path(t))
    .collect();
    (!absent.is_empty()).then(|| {
        format!(
            "{} not installed (apt-get install slurm-wlm munge)",
            absent.join(", ")
        )
    })
}

#[test]
fn the_documented_calibration_arrays_on_a_real_slurm_merge_to_one_machines_bytes() {
    if let Some(why) = missing() {
        assert!(
            std::env::var("DSRSIM_REQUIRE_SLURM").as_deref() != Ok("1"),
            "DSRSIM_REQUIRE_SLURM=1 but the Slurm test cannot run: {why}"
        );
        say(&format!(
            "SKIPPED the Slurm calibrate test: {why}; set DSRSIM_REQUIRE_SLURM=1 to make this a failure"
        ));
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/slurm-job-array.sh");
    let log = tempfile::NamedTempFile::new().unwrap();
    let started = Instant::now();
    let mut child = Command::new("bash")
        .arg(&script)
        .env("SIMULATE", assert_cmd::cargo::cargo_bin("simulate"))
        .env("RECIPE", "ci/slurm-calibrate.sh")
        .stdin(Stdio::null())
        .stdout(log.reopen().unwrap())
        .stderr(log.reopen().unwrap())
        .spawn()
        .expect("bash runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            // SIGTERM, so the script's trap stops the daemons it started.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(log.path()).unwrap_or_default();
    match status {
        Some(s) if s.success() => {
            let last = output.lines().last().unwrap_or_default();
            say(&format!(
                "{last} ({:.0} s in all)",
                started.elapsed().as_secs_f64()
            ));
            assert!(last.starts_with("slurm-test: ok:"), "{output}");
        }
        Some(s) => panic!("{} failed ({s}):\n{output}", script.display()),
        None => panic!("{} took more than {LIMIT:?}:\n{output}", script.display()),
    }
}
