//! What the integration tests share: the binary, a temporary workspace with
//! the shipped scenarios, and loading and running scenarios in-process.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use assert_cmd::Command;
use dsrsim::engine::{self, RunOptions, Summary};
use dsrsim::model::{Metric, World};
use dsrsim::scenario::{self, Scenario};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The `simulate` binary, run in the current folder.
pub fn simulate() -> Command {
    Command::cargo_bin("simulate").expect("the binary is built")
}

/// The `simulate` binary, run in `dir` (where relative paths then point).
pub fn simulate_in(dir: &Path) -> Command {
    let mut c = simulate();
    c.current_dir(dir);
    c
}

/// A path inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A shipped scenario file.
pub fn shipped(file: &str) -> PathBuf {
    repo("scenarios").join(file)
}

/// A temporary folder holding `scenarios/baseline.toml` and
/// `scenarios/serbia-5g.toml`, copies of the shipped ones.
pub fn workspace() -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("scenarios")).unwrap();
    for f in ["baseline.toml", "serbia-5g.toml"] {
        fs::copy(shipped(f), dir.path().join("scenarios").join(f)).unwrap();
    }
    dir
}

/// A text file's contents; the path is named if it cannot be read.
pub fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A scenario file that must load.
pub fn load(path: &Path) -> Scenario {
    scenario::load(path).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()))
}

/// A scenario written in the test, as if read from `path`, that must load.
pub fn load_str(path: &Path, toml: &str) -> Scenario {
    scenario::load_str(path, toml).unwrap_or_else(|e| panic!("{} is invalid:\n{e}", path.display()))
}

/// A whole simulation in-process: `runs` runs from `seed` (threads: None
/// for all cores), no progress bar, no kept runs.
pub fn options(runs: u64, seed: u64, threads: Option<usize>) -> RunOptions {
    RunOptions {
        runs,
        seed,
        threads,
        progress: false,
        keep_runs: 0,
        run_range: None,
        cancel: None,
    }
}

/// Run `world` with `options(runs, seed, threads)`.
pub fn run(world: &World, runs: u64, seed: u64, threads: Option<usize>) -> Summary {
    engine::simulate(world, &options(runs, seed, threads)).expect("the engine runs")
}

/// The series of `metric` for `entity`.
pub fn series(w: &World, metric: Metric, entity: &str) -> usize {
    w.series()
        .iter()
        .position(|s| s.metric == metric && s.entity == entity)
        .unwrap_or_else(|| panic!("no series {} for {entity}", metric.name()))
}

/// `simulate merge SHARDS --out OUT -q`, run in `dir`; it must succeed.
pub fn merge<S: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    shards: impl IntoIterator<Item = S>,
    out: &str,
) {
    simulate_in(dir)
        .arg("merge")
        .args(shards)
        .args(["--out", out, "-q"])
        .assert()
        .success();
}

/// A scenario saved from the workshop page: write `text` to
/// `scenarios/NAME` in `dir`, run it into `out`, and return its summary.json.
pub fn run_saved(dir: &Path, name: &str, text: &str, out: &Path) -> serde_json::Value {
    fs::write(dir.join("scenarios").join(name), text).unwrap();
    simulate_in(dir)
        .arg(format!("scenarios/{name}"))
        .args(["--quiet", "--out"])
        .arg(out)
        .assert()
        .success();
    serde_json::from_str(&read(&out.join("summary.json"))).unwrap()
}

/// Every file under `dir`, by its path inside it, with its bytes.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// `merge` of these shard files (in `dir`) fails with exit code 2, says
/// `needle`, and writes nothing.
pub fn merge_refused(dir: &Path, files: &[&str], needle: &str) {
    let out = simulate_in(dir)
        .arg("merge")
        .args(files)
        .args(["--out", "refused"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains(needle), "expected `{needle}` in:\n{stderr}");
    assert!(!dir.join("refused").exists(), "a refused merge wrote files");
}
