//! What every target checks of an error, and the shipped files they start from.
#![allow(dead_code)]

use dsrsim::error::{Diagnostic, Error};
use dsrsim::scenario::{self, Scenario, lexical};
use std::path::{Path, PathBuf};

/// The shipped scenario the `--set`, outcome, targets and workshop doors
/// are tried against, with the file it extends, held in memory.
pub const SERBIA: &str = include_str!("../../scenarios/serbia-5g.toml");
pub const BASELINE: &str = include_str!("../../scenarios/baseline.toml");

pub fn serbia_files() -> Vec<(PathBuf, String)> {
    vec![
        (
            PathBuf::from("scenarios/serbia-5g.toml"),
            SERBIA.to_string(),
        ),
        (
            PathBuf::from("scenarios/baseline.toml"),
            BASELINE.to_string(),
        ),
    ]
}

pub fn serbia() -> Scenario {
    scenario::load_in_memory(Path::new("scenarios/serbia-5g.toml"), &serbia_files())
        .expect("the shipped scenario loads")
}

/// A bad-input error must say where it is, and that place must exist: a
/// named input, a line it has, a column inside (or just after) that line.
/// `inputs` are (name, text) of everything the error may point into. With
/// `must_name_input`, it names one of them: with a position, or without one
/// for a problem of a file as a whole (no polities at all; the loader's
/// own tests pin that such an error has no line).
pub fn assert_positioned(e: &Error, inputs: &[(&Path, &str)], must_name_input: bool) {
    let d = match e {
        Error::BadInput(d) => d,
        other => panic!("bad input gave an error of another kind: {other:?}"),
    };
    check_one(d, inputs, must_name_input);
    if let Some(more) = &d.more {
        for m in more.iter() {
            check_one(m, inputs, must_name_input);
        }
    }
    // Rendering must not panic either (the caret line's arithmetic).
    let _ = e.to_string();
}

fn check_one(d: &Diagnostic, inputs: &[(&Path, &str)], must_name_input: bool) {
    let named = d
        .file
        .as_deref()
        // An extended file is named as the child spells it (`s/../s/base.toml`,
        // a path a user can open); the in-memory loader finds it folded.
        .and_then(|f| inputs.iter().find(|(p, _)| lexical(p) == lexical(f)));
    if must_name_input {
        assert!(named.is_some(), "error names no input ({:?}): {d}", d.file);
    }
    let Some(pos) = &d.position else {
        return;
    };
    let Some((_, text)) = named else {
        panic!("error points into {:?}, which is no input: {d}", d.file);
    };
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        pos.line >= 1 && pos.line <= lines.len(),
        "line {} outside the input ({} lines): {d}",
        pos.line,
        lines.len()
    );
    // The column may count a line's closing `\r`, which the quote leaves out.
    let full = lines[pos.line - 1];
    let line = full.trim_end_matches('\r');
    assert!(
        pos.column >= 1 && pos.column <= full.chars().count() + 1,
        "column {} outside line {} ({} chars): {d}",
        pos.column,
        pos.line,
        line.chars().count()
    );
    assert_eq!(pos.source_line, line, "the quoted line is not the input's");
}

/// The resolved file without its comments (they name the files it came from).
pub fn body(resolved: &str) -> String {
    resolved
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An accepted scenario written as `scenario.resolved.toml` must read back
/// to the same resolved scenario.
pub fn assert_round_trip(sc: &Scenario) {
    let first = dsrsim::report::resolved_toml(sc, sc.runs, sc.seed);
    let again = scenario::load_str(Path::new("scenario.resolved.toml"), &first)
        .unwrap_or_else(|e| panic!("the resolved file does not load:\n{e}\n---\n{first}"));
    let second = dsrsim::report::resolved_toml(&again, again.runs, again.seed);
    assert_eq!(
        body(&first),
        body(&second),
        "the resolved file reads back to another scenario"
    );
}
