//! The import rules of docs/ARCHITECTURE.md, checked on the source: a layer
//! imports only the layers before it (scenario → model → engine → report →
//! app), and `scenario/` has no import cycle between its own files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer and the crate modules it must never name.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "scenario",
        &["model", "engine", "report", "app", "cli", "progress"],
    ),
    ("model", &["engine", "report", "app", "cli", "progress"]),
    ("engine", &["report", "app", "cli"]),
    ("report", &["app", "cli"]),
    // Leaves everyone may import: they import nothing of the layers.
    (
        "error.rs",
        &[
            "scenario", "model", "engine", "report", "app", "cli", "progress",
        ],
    ),
    (
        "progress.rs",
        &["scenario", "model", "engine", "report", "app", "cli"],
    ),
    // Clap definitions only: the one engine type it parses (`--shard`).
    (
        "cli.rs",
        &["scenario", "model", "report", "app", "progress"],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without line comments, so that a comment naming a module is
/// not taken for an import.
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_layer_imports_a_later_one() {
    let mut violations = Vec::new();
    for (layer, forbidden) in FORBIDDEN {
        let mut files = Vec::new();
        let path = Path::new("src").join(layer);
        if path.is_file() {
            files.push(path);
        } else {
            rust_files(&path, &mut files);
        }
        assert!(!files.is_empty(), "no sources under src/{layer}");
        for file in files {
            let code = code_of(&file);
            for module in *forbidden {
                if code.contains(&format!("crate::{module}")) {
                    violations.push(format!("{} names crate::{module}", file.display()));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "upward imports:\n{}",
        violations.join("\n")
    );
}

/// `super::NAME` and `crate::scenario::NAME` uses between the top-level
/// files of `src/scenario/`, as a graph; it must have no cycle.
#[test]
fn scenario_files_import_each_other_without_cycles() {
    let dir = Path::new("src/scenario");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if stem != "mod" && stem != "tests" {
            names.insert(stem);
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let file = dir.join(format!("{name}.rs"));
        let path = if file.exists() {
            file
        } else {
            dir.join(name).join("mod.rs")
        };
        let code = code_of(&path);
        let used = names
            .iter()
            .filter(|other| *other != name)
            .filter(|other| {
                code.contains(&format!("super::{other}::"))
                    || code.contains(&format!("super::{other}}}"))
                    || code.contains(&format!("super::{other};"))
                    || code.contains(&format!("crate::scenario::{other}::"))
                    || code.contains(&format!("super::{{{other}"))
            })
            .cloned()
            .collect();
        edges.insert(name.clone(), used);
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let start = path.iter().position(|p| p == n).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if let Some(cycle) = visit(n, &edges, &mut state, &mut Vec::new()) {
            panic!("import cycle in src/scenario: {}", cycle.join(" -> "));
        }
    }
    // The graph is not empty: the check would see a cycle if there were one.
    assert!(edges.values().any(|e| !e.is_empty()));
}
