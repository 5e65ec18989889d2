//! Every input the fuzzers ever stopped on (fuzz/regressions/DOOR/) and the
//! minimised corpus (fuzz/corpus/DOOR/), replayed through the very checks
//! the fuzz targets make (fuzz/fuzz_targets/doors.rs), on stable Rust and
//! without libFuzzer: a fixed crash stays fixed.

#[path = "../fuzz/fuzz_targets/doors.rs"]
mod doors;

use std::path::Path;

/// Replay every file of fuzz/regressions/DOOR and fuzz/corpus/DOOR.
fn replay(door: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["regressions", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(door)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its door's checks", f.display());
            n += 1;
        }
    }
    n
}

#[test]
fn scenario_files() {
    assert!(replay("scenario", doors::scenario) > 0);
}

#[test]
fn set_arguments() {
    assert!(replay("setting", doors::setting) > 0);
}

#[test]
fn outcomes_and_conditions() {
    assert!(replay("outcome", doors::outcome) > 0);
}

#[test]
fn targets_files() {
    assert!(replay("targets", doors::targets) > 0);
}

#[test]
fn shard_files() {
    assert!(replay("shard", doors::shard) > 0);
}

#[test]
fn sweep_shard_files() {
    assert!(replay("sweep_shard", doors::sweep_shard) > 0);
}

#[test]
fn sensitivity_shard_files() {
    assert!(replay("sensitivity_shard", doors::sensitivity_shard) > 0);
}

#[test]
fn workshop_requests() {
    assert!(replay("workshop", doors::workshop) > 0);
}

/// The fuzzer's workshop serves a compact fixture (fuzz/workshop/); its
/// inputs are replayed against the shipped serbia-5g.toml too.
#[test]
fn workshop_requests_on_the_shipped_scenario() {
    assert!(replay("workshop", doors::workshop_shipped) > 0);
}

/// The `--set` inputs through the real command line too: `simulate check`
/// with them ends with a clear error (exit 2) or accepts them, never a panic.
#[test]
fn set_regressions_through_the_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fuzz/regressions/setting");
    for f in std::fs::read_dir(&dir).unwrap() {
        let f = f.unwrap().path();
        let data = std::fs::read(&f).unwrap();
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_simulate"));
        cmd.current_dir(root)
            .args(["check", "scenarios/serbia-5g.toml"]);
        for arg in text.split('\0').take(3).filter(|a| !a.is_empty()) {
            cmd.arg("--set").arg(arg);
        }
        let out = cmd.output().unwrap();
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(2),
            "{}: exit {code:?}\n{}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
