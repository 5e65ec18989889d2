//! `series` and `--series`: a run records only the series asked for, and
//! those it records are exactly what a run of everything records.

mod common;

use common::*;
use std::collections::BTreeSet;

/// summary.csv's rows keyed by (metric, entity, step), and its header.
fn rows(csv: &str) -> Vec<(String, String)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let mut f = l.splitn(4, ',');
            let key = format!(
                "{},{},{}",
                f.next().unwrap(),
                f.next().unwrap(),
                f.next().unwrap()
            );
            (key, l.to_string())
        })
        .collect()
}

fn run(dir: &std::path::Path, out: &str, extra: &[&str]) -> String {
    let mut cmd = simulate_in(dir);
    cmd.args([
        "run",
        "scenarios/baseline.toml",
        "--runs",
        "300",
        "-q",
        "--out",
        out,
    ]);
    cmd.args(extra).assert().success();
    read(&dir.join(out).join("summary.csv"))
}

#[test]
fn countries_drops_the_operators_rows_and_keeps_every_other_row_exactly() {
    let ws = workspace();
    let all = rows(&run(ws.path(), "all", &[]));
    let countries = rows(&run(ws.path(), "countries", &["--series", "countries"]));
    let operators: BTreeSet<String> = load(&ws.path().join("scenarios/baseline.toml"))
        .operators
        .iter()
        .map(|o| o.id.clone())
        .collect();
    let expected: Vec<&(String, String)> = all
        .iter()
        .filter(|(key, _)| !operators.contains(key.split(',').nth(1).unwrap()))
        .collect();
    assert!(countries.len() < all.len(), "no row was dropped");
    assert_eq!(
        countries.iter().collect::<Vec<_>>(),
        expected,
        "--series countries must be the full run's rows without the operators', in order and to the byte"
    );
}

/// The PNG charts of an output folder, by name.
fn charts(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".png").map(str::to_string))
        .collect()
}

#[test]
fn a_chart_of_series_not_recorded_is_left_out_not_drawn_empty() {
    let ws = workspace();
    run(ws.path(), "all", &[]);
    run(ws.path(), "countries", &["--series", "countries"]);
    run(ws.path(), "share", &["--series", "trusted_share"]);
    let all = charts(&ws.path().join("all"));
    assert!(all.contains("operators-trusted_share") && all.contains("tradeoff"));
    let mut expected = all.clone();
    expected.remove("operators-trusted_share");
    assert_eq!(charts(&ws.path().join("countries")), expected);
    // trusted_share, and the class metric's country series (always kept).
    let share: BTreeSet<String> = [
        "classes",
        "fan-alignment",
        "fan-trusted_share",
        "operators-trusted_share",
    ]
    .map(String::from)
    .into();
    assert_eq!(charts(&ws.path().join("share")), share);
    let page = read(&ws.path().join("share/index.html"));
    assert!(!page.contains("tradeoff.") && !page.contains("fan-hr_5g."));
}

#[test]
fn the_files_own_outcomes_stay_readable_and_compare_draws_only_what_is_recorded() {
    let ws = workspace();
    // north-macedonia-2017 names `cost_premium MKD at 2024-12` as a headline.
    let (a, b) = (
        shipped("north-macedonia-no-pivot.toml"),
        shipped("north-macedonia-2017.toml"),
    );
    simulate_in(ws.path())
        .args([
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--series",
            "trusted_share",
            "--runs",
            "200",
            "-q",
            "--out",
            "cmp",
        ])
        .assert()
        .success();
    let expected: BTreeSet<String> = [
        "classes",
        "overlay-alignment",
        "overlay-cost_premium",
        "overlay-trusted_share",
        "diff-alignment",
        "diff-cost_premium",
        "diff-trusted_share",
    ]
    .map(String::from)
    .into();
    assert_eq!(charts(&ws.path().join("cmp")), expected);
    let diffs = read(&ws.path().join("cmp/differences.csv"));
    assert!(diffs.lines().any(|l| l.contains(",cost_premium,MKD,")));
    assert!(!diffs.lines().any(|l| l.contains(",cost_premium,SRB,")));
}

#[test]
fn a_list_of_metrics_and_levels_keeps_their_cross_product_and_the_class_series() {
    let ws = workspace();
    let csv = run(
        ws.path(),
        "list",
        &["--series", "trusted_share,eu_stage,polity"],
    );
    let kinds: BTreeSet<String> = rows(&csv)
        .iter()
        .map(|(k, _)| {
            let mut f = k.split(',');
            format!("{},{}", f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    let metrics: BTreeSet<&str> = kinds.iter().map(|k| k.split(',').next().unwrap()).collect();
    // The class table's series (alignment per country) stay whatever is asked.
    assert_eq!(
        metrics,
        BTreeSet::from(["alignment", "eu_stage", "trusted_share"])
    );
    // Polity level only: the sub-polities (BiH's entities), never a
    // country or an operator.
    let sub_polities: Vec<String> = load(&ws.path().join("scenarios/baseline.toml"))
        .polities
        .iter()
        .filter(|p| p.parent.is_some())
        .map(|p| p.id.clone())
        .collect();
    assert!(!sub_polities.is_empty());
    for k in &kinds {
        let (metric, entity) = k.split_once(',').unwrap();
        if metric == "alignment" {
            assert!(
                entity.len() == 3,
                "alignment is kept for countries only, not {entity}"
            );
        } else {
            assert!(
                sub_polities.iter().any(|p| p == entity),
                "{metric} of {entity} is not a polity-level series"
            );
        }
    }
}

#[test]
fn the_choice_is_written_to_the_resolved_file_and_reruns_to_the_same_bytes() {
    let ws = workspace();
    let first = run(ws.path(), "one", &["--series", "countries"]);
    let resolved = read(&ws.path().join("one/scenario.resolved.toml"));
    assert!(resolved.contains("series = [\"countries\"]"), "{resolved}");
    std::fs::write(ws.path().join("scenarios/again.toml"), &resolved).unwrap();
    simulate_in(ws.path())
        .args(["run", "scenarios/again.toml", "-q", "--out", "two"])
        .assert()
        .success();
    assert_eq!(read(&ws.path().join("two/summary.csv")), first);
}

#[test]
fn an_unknown_word_is_a_positioned_error_with_a_suggestion_and_nothing_is_written() {
    let ws = workspace();
    std::fs::write(
        ws.path().join("scenarios/bad.toml"),
        "[scenario]\nextends = \"baseline.toml\"\nseries = [\"alignment\", \"trustd_share\"]\n",
    )
    .unwrap();
    let out = simulate_in(ws.path())
        .args(["run", "scenarios/bad.toml", "--runs", "10", "--out", "bad"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("bad.toml:3:"), "no line: {err}");
    assert!(
        err.contains("did you mean `trusted_share`?"),
        "no hint: {err}"
    );
    assert!(
        !ws.path().join("bad").exists(),
        "an output folder was written"
    );
}
