//! Key paths and overrides: each error with the column it points at in the
//! argument, and each value reaching the checked scenario through the
//! file's own checks.

use super::{Base, Setting, load_str};
use crate::error::{Diagnostic, Error};
use std::path::Path;

/// A small world with one shock of each shape an override meets.
const WORLD: &str = r#"
[[polity]]
id = "SRB"
orientation = 0.4

[[operator]]
id = "SRB-TS"
polity = "SRB"
market_share = 0.5
vendor_5g = "open"

[[shock]]
id = "srb-government-change"
kind = "government_change"
polity = "SRB"
date = "2027-12"
probability = 0.5
target = { beta = [6, 3] }
jump = 0.5

[[shock]]
id = "srb-auction"
kind = "auction"
polity = "SRB"
window = ["2025-03", "2025-12"]
"#;

fn base() -> Base {
    Base::read_str(Path::new("t.toml"), WORLD).expect("the test world loads")
}

fn diagnostic(e: Error) -> Diagnostic {
    match e {
        Error::BadInput(d) => *d,
        other => panic!("not a bad-input error: {other}"),
    }
}

/// Message, column and hint of the error `arg` gets, parsing or resolving;
/// always in file `--set`, line 1, quoting the argument.
fn error(arg: &str) -> (String, usize, Option<String>) {
    let d = match Setting::parse(arg, "--set") {
        Err(e) => diagnostic(e),
        Ok(s) => diagnostic(
            base()
                .resolve(&[s])
                .expect_err(&format!("`{arg}` was accepted")),
        ),
    };
    let p = d.position.expect("an override's error has a position");
    assert_eq!(d.file.as_deref(), Some(Path::new("--set")), "{arg}");
    assert_eq!((p.line, p.source_line.as_str()), (1, arg));
    (d.message, p.column, d.hint)
}

fn expect(arg: &str, message: &str, column: usize, hint: Option<&str>) {
    assert_eq!(
        error(arg),
        (message.to_string(), column, hint.map(str::to_string)),
        "for {arg}"
    );
}

fn set(args: &[&str]) -> super::Scenario {
    let settings: Vec<Setting> = args
        .iter()
        .map(|a| Setting::parse(a, "--set").unwrap())
        .collect();
    base().resolve(&settings).unwrap()
}

#[test]
fn keys_are_canonical_whichever_way_they_are_written() {
    let s = Setting::parse("eu_conditionality=1", "--set").unwrap();
    assert_eq!((s.key(), s.value()), ("parameters.eu_conditionality", "1"));
    let s = Setting::parse(" parameters.b0 = -2 ", "--set").unwrap();
    assert_eq!((s.key(), s.value()), ("parameters.b0", "-2"));
    let s = Setting::new("shock.srb-auction.date", "\"2026-06\"", "--vary").unwrap();
    assert_eq!(s.key(), "shock.srb-auction.date");
    assert_eq!(s.origin(), "--vary");
}

#[test]
fn every_kind_of_value_reaches_the_scenario() {
    use super::dist::Dist;
    use super::params::ParamId;
    let sc = set(&[
        "eu_conditionality=0.5",
        "parameters.price_advantage={ uniform = [0.1, 0.3] }",
        "polity.SRB.orientation={ beta = [6, 3] }",
        "polity.SRB.nato=true",
        "operator.SRB-TS.vendor_5g=high_risk",
        "scenario.end=2030-12",
        "scenario.seed=9",
        "shock.srb-auction.date=2026-06",
    ]);
    assert_eq!(sc.parameter(ParamId::EuConditionality), &Dist::Const(0.5));
    assert_eq!(
        sc.parameter(ParamId::PriceAdvantage).to_string(),
        "{ uniform = [0.1, 0.3] }"
    );
    assert_eq!(
        sc.polities[0].orientation.to_string(),
        "{ beta = [6.0, 3.0] }"
    );
    assert!(sc.polities[0].nato);
    assert_eq!(sc.operators[0].vendor[1], Some(true));
    assert_eq!((sc.grid.end.to_string(), sc.seed), ("2030-12".into(), 9));
    // A date replaces the file's window rather than clashing with it.
    assert_eq!(sc.shocks[1].timing.text(), "2026-06");
    // Quoted dates are dates too.
    let sc = set(&["shock.srb-auction.date=\"2026-07\""]);
    assert_eq!(sc.shocks[1].timing.text(), "2026-07");
    assert_eq!(sc.overrides.len(), 1);
    assert_eq!(sc.overrides[0].key, "shock.srb-auction.date");
    assert_eq!(sc.overrides[0].value, "\"2026-07\"");
}

#[test]
fn a_shock_override_changes_one_key_and_keeps_the_others() {
    let sc = set(&["shock.srb-government-change.probability=0.8"]);
    let s = &sc.shocks[0];
    assert_eq!(s.probability, 0.8);
    let super::Effect::GovernmentChange(g) = &s.effect else {
        panic!("still a government change")
    };
    assert_eq!(g.jump, 0.5);
    assert_eq!(
        g.target.as_ref().unwrap().to_string(),
        "{ beta = [6.0, 3.0] }"
    );
}

#[test]
fn later_overrides_win_and_are_all_recorded_in_order() {
    let sc = set(&["polity.SRB.orientation=0.2", "polity.SRB.orientation=0.7"]);
    assert_eq!(sc.polities[0].orientation.to_string(), "0.7");
    let keys: Vec<(&str, &str)> = sc
        .overrides
        .iter()
        .map(|o| (o.key.as_str(), o.value.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("polity.SRB.orientation", "0.2"),
            ("polity.SRB.orientation", "0.7")
        ]
    );
}

#[test]
fn resolving_twice_gives_the_same_scenario_and_leaves_the_base_alone() {
    let b = base();
    let s = Setting::parse("shock.srb-government-change.probability=0.8", "--set").unwrap();
    let one = b.resolve(std::slice::from_ref(&s)).unwrap();
    let plain = b.resolve(&[]).unwrap();
    assert_eq!(plain.shocks[0].probability, 0.5);
    assert!(plain.overrides.is_empty());
    assert_eq!(
        b.resolve(&[s]).unwrap().shocks[0].probability,
        one.shocks[0].probability
    );
    let text = load_str(Path::new("t.toml"), WORLD).unwrap();
    assert_eq!(text.files.len(), plain.files.len());
    assert_eq!(text.files[0].hash, plain.files[0].hash);
}

#[test]
fn malformed_arguments_are_refused_where_they_go_wrong() {
    expect(
        "eu_conditionality",
        "missing `=` in `eu_conditionality`",
        18,
        Some("write KEY=VALUE, e.g. --set shock.srb-government-change.probability=0.8"),
    );
    expect(
        "=1",
        "missing key before `=`",
        1,
        Some(
            "a key path is parameters.NAME (or NAME), polity.ID.KEY, operator.ID.KEY, shock.ID.KEY or scenario.KEY",
        ),
    );
    let (m, col, _) = error("eu_conditionality= ");
    assert_eq!((m.as_str(), col), ("missing value after `=`", 18));
}

#[test]
fn unknown_names_get_a_did_you_mean_at_their_segment() {
    expect(
        "shock.srb-goverment-change.probability=0.8",
        "unknown shock `srb-goverment-change`",
        7,
        Some("did you mean `shock.srb-government-change`?"),
    );
    expect(
        "shocks.srb-auction.date=2026-06",
        "unknown table `shocks`",
        1,
        Some("did you mean `shock`?"),
    );
    expect(
        "polity.SBR.orientation=0.3",
        "unknown polity `SBR`",
        8,
        Some("did you mean `polity.SRB`?"),
    );
    expect(
        "operator.SRB-TS.owner_alignmnt=0.3",
        "unknown operator key `owner_alignmnt`",
        17,
        Some("did you mean `owner_alignment`?"),
    );
    expect(
        "eu_conditonality=1",
        "unknown parameter `eu_conditonality`",
        1,
        Some("did you mean `eu_conditionality`?"),
    );
    expect(
        "parameters.law_hazrd=1",
        "unknown parameter `law_hazrd`",
        12,
        Some("did you mean `law_hazard`?"),
    );
    expect(
        "scenario.strat=2026-01",
        "`scenario.strat` cannot be set",
        10,
        Some("did you mean `start`?"),
    );
    expect(
        "shock.srb-government-change.probabilty=0.5",
        "unknown key `probabilty` for shock `srb-government-change` (a `government_change` shock)",
        29,
        Some("did you mean `probability`?"),
    );
    let (m, col, hint) = error("shock.srb-auction.jump=0.5");
    assert_eq!(
        (m.as_str(), col),
        (
            "`jump` does not apply to shock `srb-auction` (a `auction` shock)",
            19
        )
    );
    assert!(hint.unwrap().contains("`operators`"));
    expect(
        "polity.SRB.id=X",
        "an override cannot change a polity's id",
        12,
        None,
    );
}

#[test]
fn values_get_the_files_own_checks_pointing_at_the_value() {
    expect(
        "shock.srb-government-change.probability=1.5",
        "`probability` = 1.5 is out of range: expected between 0 and 1",
        41,
        None,
    );
    expect(
        "polity.SRB.orientation={ uniform = [0.5, 1.5] }",
        "`orientation`: this distribution reaches [0.5, 1.5], outside the allowed range (between 0 and 1)",
        24,
        None,
    );
    expect(
        "scenario.start=2026-13",
        "`2026-13`: month 13 is not between 01 and 12",
        16,
        None,
    );
    let (m, col, _) = error("polity.SRB.nato=yes");
    assert_eq!(
        (m.as_str(), col),
        ("invalid type: string \"yes\", expected true or false", 17)
    );
    let (m, col, _) = error("eu_conditionality=abc");
    assert!(
        m.starts_with("invalid type: string \"abc\", expected a number"),
        "{m}"
    );
    assert_eq!(col, 19);
    let (m, col, _) = error("polity.SRB.orientation={ beta = [6, 3 }");
    assert!(m.contains("expected `,`"), "{m}");
    assert_eq!(col, 39);
    let (m, col, hint) = error("operator.SRB-TS.vendor_5g=huawe");
    assert_eq!((m.as_str(), col), ("`huawe` is not a `vendor_5g`", 27));
    assert_eq!(
        hint.as_deref(),
        Some("one of: \"trusted\", \"high_risk\", \"open\"")
    );
}
