//! Bad input, checked where it is caught: each case loads a small scenario
//! from text and asserts the whole diagnostic (message, line, column,
//! hint) that the user would see.

use super::load_str;
use crate::error::{Diagnostic, Error};
use std::path::Path;

/// One country with one operator; lines 1-7.
const WORLD: &str =
    "[[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 0.5\n";

fn rejected(text: &str) -> Diagnostic {
    match load_str(Path::new("t.toml"), text) {
        Err(Error::BadInput(d)) => *d,
        Err(e) => panic!("not a bad-input error: {e}"),
        Ok(_) => panic!("accepted:\n{text}"),
    }
}

/// Message, line, column and hint of the error `text` gets.
fn error(text: &str) -> (String, usize, usize, Option<String>) {
    let d = rejected(text);
    let p = d
        .position
        .unwrap_or_else(|| panic!("no position for: {}", d.message));
    (d.message, p.line, p.column, d.hint)
}

/// The world plus one shock (its lines start at 9).
fn shock(lines: &str) -> String {
    format!("{WORLD}\n[[shock]]\n{lines}")
}

fn expect(text: &str, message: &str, line: usize, column: usize, hint: Option<&str>) {
    assert_eq!(
        error(text),
        (message.to_string(), line, column, hint.map(str::to_string)),
        "for:\n{text}"
    );
}

#[test]
fn header_values_are_checked_at_their_key() {
    expect(
        &format!("[scenario]\nstart = \"2030-01\"\nend = \"2025-01\"\n{WORLD}"),
        "`end` (2025-01) is before `start` (2030-01)",
        3,
        7,
        Some("the simulation runs from `start` to `end`, both \"YYYY-MM\""),
    );
    expect(
        &format!("[scenario]\nstep_months = 2\n{WORLD}"),
        "`step_months` = 2 is not allowed",
        2,
        15,
        Some("use 1, 3, 6 or 12"),
    );
    expect(
        &format!("[scenario]\nruns = 0\n{WORLD}"),
        "`runs` = 0 must be at least 1",
        2,
        8,
        None,
    );
    expect(
        &format!("[scenario]\nstart = \"2000-01\"\nend = \"2200-12\"\nstep_months = 1\n{WORLD}"),
        "2000-01..2200-12 in steps of 1 months is 2413 points, more than 1201",
        3,
        7,
        Some("shorten the horizon or use longer steps (`step_months` = 3, 6 or 12)"),
    );
    expect(
        &format!("[scenario]\nstart = \"2030-13\"\n{WORLD}"),
        "`2030-13`: month 13 is not between 01 and 12",
        2,
        9,
        None,
    );
}

#[test]
fn parameters_are_named_and_kept_in_their_domain() {
    expect(
        &format!("[parameters]\nlaw_hazrd = 0.1\n{WORLD}"),
        "unknown parameter `law_hazrd`",
        2,
        1,
        Some("did you mean `law_hazard`?"),
    );
    expect(
        &format!("[parameters]\nzzzzzzzz = 0.1\n{WORLD}"),
        "unknown parameter `zzzzzzzz`",
        2,
        1,
        Some("the parameters are listed in docs/FORMAT.md"),
    );
    expect(
        &format!("[parameters]\nlaw_hazard = -0.1\n{WORLD}"),
        "`law_hazard`: -0.1 is out of range: expected at least 0 (and at most 1e9)",
        2,
        14,
        None,
    );
    expect(
        &format!("[parameters]\neu_conditionality = {{ uniform = [0.5, 1.5] }}\n{WORLD}"),
        "`eu_conditionality`: this distribution reaches [0.5, 1.5], outside the allowed range (between 0 and 1)",
        2,
        21,
        None,
    );
}

#[test]
fn an_empty_world_names_the_file() {
    let d = rejected("[scenario]\nname = \"empty\"\n");
    assert_eq!(
        d.message,
        "the scenario has no polities: the world is empty"
    );
    assert_eq!(d.file.as_deref(), Some(Path::new("t.toml")));
    assert!(d.position.is_none());
    assert_eq!(
        d.hint.as_deref(),
        Some("add [[polity]] entries, or `extends = \"baseline.toml\"` under [scenario]")
    );
}

#[test]
fn polities_and_operators_are_checked_where_written() {
    expect(
        &format!("{WORLD}\n[[operator]]\nid = \"A\"\npolity = \"A\"\nmarket_share = 0.1\n"),
        "duplicate id `A` in [[operator]]",
        10,
        6,
        Some("[[polity]] `A` is already defined at t.toml:2; ids must be unique within a file"),
    );
    expect(
        "[[polity]]\nid = \"SRB\"\n\n[[polity]]\nid = \"X\"\nparent = \"SBR\"\n",
        "unknown parent polity `SBR`",
        6,
        10,
        Some("did you mean `SRB`?"),
    );
    expect(
        "[[polity]]\nid = \"A\"\nparent = \"B\"\n\n[[polity]]\nid = \"B\"\nparent = \"A\"\n",
        "polity `A` is its own ancestor",
        3,
        10,
        None,
    );
    expect(
        "[[polity]]\nid = \"A\"\neu_stage = 6\n",
        "`eu_stage` = 6 is out of range",
        3,
        12,
        Some(
            "0 potential candidate, 1 candidate, 2 negotiating, 3 clusters open, 4 closing chapters, 5 member",
        ),
    );
    expect(
        "[[polity]]\nid = \"A\"\n\n[[polity]]\nid = \"B\"\nparent = \"A\"\nweight = 0.7\n\n[[polity]]\nid = \"C\"\nparent = \"A\"\nweight = 0.5\n",
        "the weights of `A`'s children sum to 1.2000, more than 1",
        7,
        10,
        Some("`weight` is a child's population share within its parent"),
    );
    expect(
        "[[polity]]\nid = \"A\"\npressure = nan\n",
        "`pressure` must be a finite number, found NaN",
        3,
        12,
        None,
    );
    expect(
        "[[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"X\"\nmarket_share = 0.5\n",
        "operator `X` has no `polity`",
        5,
        6,
        Some("every operator is licensed in a polity: add `polity = \"SRB\"` (for example)"),
    );
    expect(
        "[[polity]]\nid = \"SRB\"\n\n[[operator]]\nid = \"X\"\npolity = \"SBR\"\nmarket_share = 0.5\n",
        "unknown polity `SBR` in operator `X`",
        6,
        10,
        Some("did you mean `SRB`?"),
    );
    expect(
        "[[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"X\"\npolity = \"A\"\n",
        "operator `X` has no `market_share`",
        5,
        6,
        Some("the operator's share of its country's mobile market, 0 to 1"),
    );
    expect(
        &format!("{WORLD}\n[[operator]]\nid = \"A-2\"\npolity = \"A\"\nmarket_share = 0.6\n"),
        "market shares in `A` sum to 1.1000, more than 1",
        12,
        16,
        Some(
            "`market_share` is a share of the whole country, operators of its sub-polities included",
        ),
    );
    expect(
        &format!("{WORLD}\n[[polity]]\nid = \"A\"\n"),
        "duplicate id `A` in [[polity]]",
        10,
        6,
        Some("[[polity]] `A` is already defined at t.toml:2; ids must be unique within a file"),
    );
}

/// Files on disk for `extends`; the first is loaded.
fn rejected_files(files: &[(&str, &str)]) -> (String, String, usize, usize, Option<String>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("written");
    }
    let (first, text) = files[0];
    let d = match load_str(&dir.path().join(first), text) {
        Err(Error::BadInput(d)) => *d,
        other => panic!("not a bad-input error: {:?}", other.err()),
    };
    let p = d.position.expect("positioned");
    let file = d.file.expect("a file");
    let name = file
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned();
    let message = d.message.replace(&format!("{}/", dir.path().display()), "");
    (message, name, p.line, p.column, d.hint)
}

#[test]
fn extends_is_checked_across_files() {
    let child = "[scenario]\nextends = \"parent.toml\"\n\n[[operator]]\nid = \"A\"\npolity = \"A\"\nmarket_share = 0.1\n";
    assert_eq!(
        rejected_files(&[("child.toml", child), ("parent.toml", WORLD)]),
        (
            "id `A` is used by both a polity and an operator".to_string(),
            "child.toml".to_string(),
            5,
            6,
            Some("ids are unique across polities and operators".to_string())
        )
    );
    let (message, file, line, column, hint) = rejected_files(&[
        ("a.toml", "[scenario]\nextends = \"b.toml\"\n"),
        ("b.toml", "[scenario]\nextends = \"a.toml\"\n"),
    ]);
    assert_eq!(
        message,
        "`extends` makes a cycle: a.toml -> b.toml -> a.toml"
    );
    assert_eq!((file.as_str(), line, column), ("b.toml", 2, 11));
    assert_eq!(
        hint.as_deref(),
        Some("a scenario may extend a baseline, never itself or its own children")
    );
    let (message, file, line, column, hint) =
        rejected_files(&[("a.toml", "[scenario]\nextends = \"nowhere.toml\"\n")]);
    assert!(
        message.starts_with("cannot read `nowhere.toml`, named by `extends`: "),
        "{message}"
    );
    assert_eq!((file.as_str(), line, column), ("a.toml", 2, 11));
    assert_eq!(
        hint.as_deref(),
        Some("`extends` is a path relative to the file that names it")
    );
}

#[test]
fn classes_are_checked() {
    expect(
        &format!("{WORLD}\n[classes]\nmetric = \"orientation\"\n"),
        "`orientation` cannot sort countries into classes",
        10,
        10,
        Some("use \"alignment\" (the default), \"trusted_procurement\" or \"trusted_share\""),
    );
    expect(
        &format!("{WORLD}\n[classes]\nkeen_below = 0.8\ncautious_from = 0.2\n"),
        "`keen_below` must not exceed `cautious_from`",
        10,
        14,
        None,
    );
}

#[test]
fn unknown_keys_get_a_suggestion_from_the_raw_form() {
    expect(
        &shock("kind = \"restriction\"\npolity = \"A\"\ndate = \"2026-01\"\nprobabilty = 0.3\n"),
        "unknown key `probabilty`",
        13,
        1,
        Some("did you mean `probability`?"),
    );
    expect(
        "[scenario]\nsed = 3\n",
        "unknown key `sed`",
        2,
        1,
        Some("did you mean `seed`?"),
    );
}

#[test]
fn a_shock_needs_a_known_kind_and_only_its_own_keys() {
    expect(
        &shock("id = \"x\"\npolity = \"A\"\ndate = \"2026-01\"\n"),
        "shock `x` has no `kind`",
        10,
        6,
        Some(&format!("one of: {}", super::SHOCK_KINDS.join(", "))),
    );
    expect(
        &shock("kind = \"auktion\"\npolity = \"A\"\ndate = \"2026-01\"\n"),
        "unknown shock kind `auktion`",
        10,
        8,
        Some("did you mean `auction`?"),
    );
    expect(
        &shock("kind = \"zzzzzzzz\"\npolity = \"A\"\ndate = \"2026-01\"\n"),
        "unknown shock kind `zzzzzzzz`",
        10,
        8,
        Some(&format!("one of: {}", super::SHOCK_KINDS.join(", "))),
    );
    expect(
        &shock("kind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nseverity = 1\n"),
        "`severity` does not apply to a `repeal` shock",
        13,
        12,
        Some(
            "a `repeal` shock takes `polity`, `id`, `kind`, `label`, `date`, `window`, `probability`, `requires`",
        ),
    );
}

#[test]
fn a_shock_has_one_date_or_one_window() {
    expect(
        &shock("kind = \"repeal\"\npolity = \"A\"\n"),
        "shock #1 has neither `date` nor `window`",
        10,
        8,
        Some("add `date = \"2026-06\"` or `window = [\"2026-01\", \"2028-12\"]`"),
    );
    expect(
        &shock(
            "kind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nwindow = [\"2026-01\", \"2027-01\"]\n",
        ),
        "shock #1 has both `date` and `window`",
        12,
        8,
        Some("give exactly one"),
    );
    expect(
        &shock("kind = \"repeal\"\npolity = \"A\"\nwindow = [\"2026-01\"]\n"),
        "`window` takes two months: [\"YYYY-MM\", \"YYYY-MM\"]",
        12,
        10,
        None,
    );
    expect(
        &shock("kind = \"repeal\"\npolity = \"A\"\nwindow = [\"2027-01\", \"2026-01\"]\n"),
        "`window` ends (2026-01) before it starts (2027-01)",
        12,
        10,
        None,
    );
    expect(
        &shock("kind = \"repeal\"\npolity = \"A\"\ndate = \"2026\"\n"),
        "`2026` is not a month: expected \"YYYY-MM\", e.g. \"2025-06\"",
        12,
        8,
        None,
    );
    expect(
        &shock("kind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nprobability = 1.5\n"),
        "`probability` = 1.5 is out of range: expected between 0 and 1",
        13,
        15,
        None,
    );
}

#[test]
fn each_kind_checks_its_own_keys() {
    expect(
        &shock("id = \"law\"\nkind = \"restriction\"\ndate = \"2026-01\"\n"),
        "shock `law` (`restriction`) needs `polity`",
        11,
        8,
        None,
    );
    expect(
        &shock("kind = \"repeal\"\npolity = \"QQQQ\"\ndate = \"2026-01\"\n"),
        "unknown polity `QQQQ` in shock #1",
        11,
        10,
        // (sic: the hint pluralises the kind with an `s`.)
        Some("known politys: A"),
    );
    expect(
        &shock("kind = \"incident\"\ndate = \"2026-01\"\n"),
        "shock #1 (`incident`) needs `severity`",
        10,
        8,
        None,
    );
    expect(
        &shock("kind = \"leverage\"\npolity = \"A\"\ndate = \"2026-01\"\nlevel = 2\n"),
        "`level`: 2 is out of range: expected between -1 and 1",
        13,
        9,
        None,
    );
    expect(
        &shock("kind = \"ownership_change\"\ndate = \"2026-01\"\nowner_alignment = 0.5\n"),
        "shock #1 needs `operator`",
        10,
        8,
        None,
    );
    expect(
        &shock("kind = \"auction\"\npolity = \"A\"\ndate = \"2026-01\"\noperators = [\"A-0P\"]\n"),
        "unknown operator `A-0P` in shock #1",
        13,
        13,
        Some("did you mean `A-OP`?"),
    );
    expect(
        &format!(
            "{WORLD}\n[[polity]]\nid = \"B\"\n\n[[shock]]\nkind = \"auction\"\npolity = \"B\"\ndate = \"2026-01\"\noperators = [\"A-OP\"]\n"
        ),
        "operator `A-OP` is not in `B`'s country",
        16,
        13,
        Some("an auction launches 5G for operators of its own country"),
    );
    expect(
        &shock("kind = \"price\"\ndate = \"2026-01\"\nadvantage = 0.1\ndelta = 0.1\n"),
        "shock #1 (`price`) needs exactly one of `advantage` and `delta`",
        10,
        8,
        Some("`advantage = 0.3` sets the price advantage, `delta = 0.1` adds to it"),
    );
}

#[test]
fn requires_names_another_shock() {
    expect(
        &shock(
            "id = \"x\"\nkind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nrequires = \"x\"\n",
        ),
        "a shock cannot require itself",
        14,
        12,
        None,
    );
    expect(
        &shock(
            "id = \"x\"\nkind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\nrequires = \"y\"\n",
        ),
        "`requires` names `y`, but no shock has that id",
        14,
        12,
        Some("did you mean `x`?"),
    );
}

#[test]
fn every_registered_kind_is_checked_and_written_back() {
    let text = shock(
        "kind = \"repeal\"\npolity = \"A\"\ndate = \"2026-01\"\n\n[[shock]]\nkind = \"incident\"\nwindow = [\"2026-01\", \"2027-06\"]\nseverity = { uniform = [0.5, 1] }\n",
    );
    let sc = load_str(Path::new("t.toml"), &text).expect("valid");
    let kinds: Vec<&str> = sc.shocks.iter().map(|s| s.effect.kind()).collect();
    assert_eq!(kinds, ["repeal", "incident"]);
    assert_eq!(super::shocks::KINDS.len(), super::SHOCK_KINDS.len());
    for (spec, name) in super::shocks::KINDS.iter().zip(super::SHOCK_KINDS) {
        assert_eq!(spec.name, *name);
        assert_eq!(
            super::shocks::KindSpec::by_name(name).map(|k| k.name),
            Some(*name)
        );
        let mut keys: Vec<&str> = spec.keys.iter().map(|k| k.name()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), spec.keys.len(), "`{name}` lists a key twice");
    }
}
