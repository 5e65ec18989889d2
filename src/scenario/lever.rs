//! Levers (`[[lever]]`): the values a workshop room may move, each a key
//! path with a label and a range (EXPLORE.md §5).
//!
//! ```toml
//! [[lever]]
//! key = "shock.srb-government-change.probability"
//! label = "Chance of a pro-EU government in 2027"
//! range = [0.0, 1.0]
//! step = 0.05
//! ```
//!
//! A range of two dates (`["2025-06", "2027-12"]`) moves in months (`step`
//! months, 1 when not given): a shock's `date`. No range and no step: a
//! switch, for a key that is true or false. The shape is checked here; that
//! the key names a value of this scenario and that both ends are values it
//! may take is checked by resolving the scenario at each end
//! ([`check_ends`]), so a lever gets exactly the checks a file or `--set`
//! would.

use super::check::{Checked, Checker};
use super::keypath::Setting;
use super::located::At;
use super::raw::{End, RawFile};
use super::time::Month;
use super::{Scenario, Timing};
use crate::error::{Diagnostic, Result};

/// The origin named in the errors of a lever's value (`lever:1:9: ...`).
pub const ORIGIN: &str = "lever";

/// A checked lever.
#[derive(Debug, Clone)]
pub struct Lever {
    /// The canonical key path (`parameters.eu_conditionality` even when
    /// written bare).
    pub key: String,
    /// What the room reads beside it (the key when none is given).
    pub label: String,
    pub kind: LeverKind,
    /// Declared in the file (`[[lever]]`), or offered because it declares none.
    pub declared: bool,
    /// Where its key and its range (its key, for a switch) were written,
    /// for the errors of its ends (None: a default).
    pub site: Option<Box<[Diagnostic; 2]>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LeverKind {
    /// A number from `lo` to `hi` in steps of `step`.
    Number { lo: f64, hi: f64, step: f64 },
    /// A month from `lo` to `hi` in steps of `step` months.
    Months { lo: Month, hi: Month, step: i32 },
    /// true or false.
    Switch,
}

impl LeverKind {
    /// The range as the file writes it (`[0, 1] step 0.05`), for `explain`.
    pub fn text(&self) -> String {
        match self {
            LeverKind::Number { lo, hi, step } => format!("{lo} to {hi} in steps of {step}"),
            LeverKind::Months { lo, hi, step } => {
                let unit = if *step == 1 { "month" } else { "months" };
                format!("{lo} to {hi} in steps of {step} {unit}")
            }
            LeverKind::Switch => "on or off".into(),
        }
    }

    /// The two ends as value texts (off and on for a switch).
    pub fn ends(&self) -> [String; 2] {
        match self {
            LeverKind::Number { lo, hi, step } => {
                [number_text(*lo, *step), number_text(*hi, *step)]
            }
            LeverKind::Months { lo, hi, .. } => [format!("\"{lo}\""), format!("\"{hi}\"")],
            LeverKind::Switch => ["false".into(), "true".into()],
        }
    }
}

/// The decimals a step is written with (0.05: 2), so that values on its
/// grid print as the room reads them (0.35, not 0.35000000000000003).
fn decimals(step: f64) -> usize {
    let s = format!("{step}");
    s.split_once('.').map_or(0, |(_, d)| d.len()).min(12)
}

/// `x` on the grid of `step`, as TOML text.
fn number_text(x: f64, step: f64) -> String {
    let scale = 10f64.powi(decimals(step) as i32);
    let v = (x * scale).round() / scale;
    // `{}` of an f64 is its shortest exact form; a whole number prints
    // without a point, which TOML reads as an integer: every numeric key
    // (a count, a number or a distribution) takes it.
    if v == 0.0 { "0".into() } else { format!("{v}") }
}

impl Lever {
    /// A value from a request (a number, a "YYYY-MM", true/false), checked
    /// against the lever's range, as the TOML text a file would write: the
    /// one text the page, the `Setting` and a saved scenario share.
    pub fn value_text(&self, given: &str) -> std::result::Result<String, String> {
        let given = given.trim().trim_matches('"');
        match &self.kind {
            LeverKind::Number { lo, hi, step } => {
                let x: f64 = given
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite())
                    .ok_or_else(|| format!("`{given}` is not a number"))?;
                let tolerance = step * 1e-6;
                if x < lo - tolerance || x > hi + tolerance {
                    return Err(format!("{x} is outside the lever's range ({lo} to {hi})"));
                }
                let k = ((x - lo) / step).round();
                Ok(number_text((lo + k * step).clamp(*lo, *hi), *step))
            }
            LeverKind::Months { lo, hi, step } => {
                let m = Month::parse(given)?;
                if m < *lo || m > *hi {
                    return Err(format!("{m} is outside the lever's range ({lo} to {hi})"));
                }
                let k = ((m.0 - lo.0) as f64 / f64::from(*step)).round() as i32;
                let snapped = Month((lo.0 + k * step).min(hi.0));
                Ok(format!("\"{snapped}\""))
            }
            LeverKind::Switch => match given {
                "true" | "on" | "1" => Ok("true".into()),
                "false" | "off" | "0" => Ok("false".into()),
                _ => Err(format!("`{given}` is not true or false")),
            },
        }
    }

    /// The setting that puts the lever at `value_text` (from [`Lever::value_text`]).
    pub fn setting(&self, value_text: &str) -> Result<Setting> {
        Setting::new(&self.key, value_text, ORIGIN)
    }
}

/// The levers a room is offered: the file's, or, when it declares none,
/// each shock's probability (a shock with an id, so that a key path names
/// it) and, for a shock whose month is drawn from a window, its date over
/// the whole run.
pub fn levers(sc: &Scenario) -> Vec<Lever> {
    if !sc.levers.is_empty() {
        return sc.levers.clone();
    }
    let mut out = Vec::new();
    for s in &sc.shocks {
        let Some(id) = &s.id else { continue };
        let name = s.label.clone().unwrap_or_else(|| id.clone());
        out.push(Lever {
            key: format!("shock.{id}.probability"),
            label: format!("Chance: {name}"),
            kind: LeverKind::Number {
                lo: 0.0,
                hi: 1.0,
                step: 0.05,
            },
            declared: false,
            site: None,
        });
        if let Timing::Window(..) = s.timing {
            out.push(Lever {
                key: format!("shock.{id}.date"),
                label: format!("When: {name}"),
                kind: LeverKind::Months {
                    lo: sc.grid.start,
                    hi: sc.grid.end,
                    step: 1,
                },
                declared: false,
                site: None,
            });
        }
    }
    out
}

/// The shape of every `[[lever]]`: its key a key path, its range two
/// numbers or two months in order, its step positive; two levers never
/// share a key.
pub(super) fn check_levers(c: &Checker, raw: &RawFile) -> Checked<Vec<Lever>> {
    let mut out: Vec<Lever> = Vec::new();
    for l in &raw.lever {
        let key = check_key(c, &l.key)?;
        if out.iter().any(|o| o.key == key) {
            return Err(c
                .err(&l.key.loc, format!("a second lever on `{key}`"))
                .hint("one lever per key path"));
        }
        let kind = match &l.range {
            None => {
                if let Some(step) = &l.step {
                    return Err(c
                        .err(&step.loc, "`step` without `range`")
                        .hint("a lever without `range` is a switch (true/false); give `range = [LO, HI]` for a number or a date"));
                }
                LeverKind::Switch
            }
            Some(range) => check_range(c, range, l.step.as_ref(), &key)?,
        };
        let site_loc = l.range.as_ref().map_or(&l.key.loc, |r| &r.loc);
        out.push(Lever {
            label: l
                .label
                .as_ref()
                .map_or_else(|| key.clone(), |x| x.value.clone()),
            key,
            kind,
            declared: true,
            site: Some(Box::new([
                c.err(&l.key.loc, String::new()),
                c.err(site_loc, String::new()),
            ])),
        });
    }
    Ok(out)
}

/// The key as a key path; an error points into the string in the file.
fn check_key(c: &Checker, key: &At<String>) -> Checked<String> {
    // A placeholder value: only the key is read here.
    let arg = format!("{}=0", key.value);
    match Setting::parse(&arg, ORIGIN) {
        Ok(s) => Ok(s.key().to_string()),
        Err(crate::error::Error::BadInput(d)) => {
            let (path, text) = &c.sources.files[key.loc.file];
            let span = key.loc.span.clone();
            let plain = text.get(span.clone()) == Some(&format!("\"{}\"", key.value));
            let d = *d;
            let mut out = Diagnostic::new(format!("lever key: {}", d.message)).maybe_hint(d.hint);
            out = match (plain, d.position) {
                // The error's column in `KEY=0` is its place in the string.
                (true, Some(p)) => {
                    let start = span.start
                        + 1
                        + key
                            .value
                            .char_indices()
                            .nth(p.column - 1)
                            .map_or(key.value.len(), |(i, _)| i);
                    let end = (start + p.width).min(span.end - 1).max(start);
                    out.at(path, text, start..end)
                }
                _ => out.at(path, text, span),
            };
            Err(out)
        }
        Err(other) => Err(c.err(&key.loc, format!("lever key: {other}"))),
    }
}

fn check_range(
    c: &Checker,
    range: &At<Vec<End>>,
    step: Option<&At<f64>>,
    key: &str,
) -> Checked<LeverKind> {
    let shape =
        "`range` is two numbers (`[0.0, 1.0]`) or two months (`[\"2025-06\", \"2027-12\"]`)";
    let [a, b] = range.value.as_slice() else {
        return Err(c
            .err(
                &range.loc,
                format!("`range` has {} values", range.value.len()),
            )
            .hint(shape));
    };
    let kind = match (a, b) {
        (End::Number(lo), End::Number(hi)) => {
            if key.ends_with(".date") {
                return Err(c
                    .err(&range.loc, "a `date` lever moves in months")
                    .hint("write `range = [\"2025-06\", \"2027-12\"]` and `step` in months"));
            }
            if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
                return Err(c
                    .err(
                        &range.loc,
                        format!("`range` = [{lo}, {hi}] is not from low to high"),
                    )
                    .hint(shape));
            }
            let step = match step {
                Some(s) if s.value.is_finite() && s.value > 0.0 && s.value <= hi - lo => s.value,
                Some(s) => {
                    return Err(c
                        .err(
                            &s.loc,
                            format!("`step` = {} does not fit the range", s.value),
                        )
                        .hint(format!("a step above 0 and at most {}", hi - lo)));
                }
                None => (hi - lo) / 20.0,
            };
            LeverKind::Number {
                lo: *lo,
                hi: *hi,
                step,
            }
        }
        (End::Text(lo), End::Text(hi)) => {
            let month = |t: &str| {
                Month::parse(t)
                    .map_err(|e| c.err(&range.loc, format!("in `range`: {e}")).hint(shape))
            };
            let (lo, hi) = (month(lo)?, month(hi)?);
            if lo >= hi {
                return Err(c
                    .err(
                        &range.loc,
                        format!("`range` = [{lo}, {hi}] is not from early to late"),
                    )
                    .hint(shape));
            }
            let step = match step {
                Some(s)
                    if s.value.fract() == 0.0
                        && s.value >= 1.0
                        && s.value <= f64::from(hi.0 - lo.0) =>
                {
                    s.value as i32
                }
                Some(s) => {
                    return Err(c
                        .err(
                            &s.loc,
                            format!(
                                "`step` = {} is not a whole number of months within the range",
                                s.value
                            ),
                        )
                        .hint("a date lever moves in whole months: `step = 1`, `3`, `6`"));
                }
                None => 1,
            };
            LeverKind::Months { lo, hi, step }
        }
        _ => {
            return Err(c
                .err(&range.loc, "`range` mixes a number and a month")
                .hint(shape));
        }
    };
    Ok(kind)
}

/// Each lever resolved at both ends of its range (off and on for a
/// switch): the key must name a value of this scenario and both ends must
/// be values it may take. An error points at the lever in its file and
/// says what the scenario said at that end.
pub(super) fn check_ends(
    levers: &[Lever],
    resolve_at: impl Fn(&Setting) -> Result<Scenario>,
) -> Result<()> {
    let mut errors = Vec::new();
    for lever in levers {
        let failed: Vec<(String, Diagnostic)> = lever
            .kind
            .ends()
            .into_iter()
            .filter_map(|end| {
                let e = lever.setting(&end).and_then(|s| resolve_at(&s)).err()?;
                Some((
                    end,
                    match e {
                        crate::error::Error::BadInput(d) => *d,
                        other => Diagnostic::new(other.to_string()),
                    },
                ))
            })
            .collect();
        let Some((end, inner)) = failed.first() else {
            continue;
        };
        // Both ends failing alike is the key's fault (no such value); else
        // the range leaves what the key accepts.
        let the_key = failed.len() == 2 && failed[0].1.message == failed[1].1.message;
        let mut d = lever
            .site
            .as_ref()
            .map_or_else(|| Diagnostic::new(""), |s| s[usize::from(!the_key)].clone());
        d.message = if the_key {
            format!("lever `{}`: {}", lever.key, inner.message.trim_end())
        } else {
            format!(
                "lever `{}` at {end}: {}",
                lever.key,
                inner.message.trim_end()
            )
        };
        d.hint = inner.hint.clone().or_else(|| {
            Some(match lever.kind {
                LeverKind::Switch => "a lever without `range` is a switch (true/false); give `range = [LO, HI]` for a number, or two months for a date".into(),
                _ => "a lever's range must stay within what its key accepts in a file".into(),
            })
        });
        errors.push(d);
    }
    match Diagnostic::all(errors) {
        Some(all) => Err(all.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::scenario::load_str;
    use std::path::Path;

    /// One country with one operator and one shock with an id; lines 1-15.
    const WORLD: &str = "[[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 0.5\n\n[[shock]]\nid = \"gov\"\nkind = \"government_change\"\npolity = \"A\"\nwindow = [\"2026-01\", \"2027-12\"]\nprobability = 0.4\ntarget = 0.8\n";

    fn load(levers: &str) -> std::result::Result<Scenario, Diagnostic> {
        match load_str(Path::new("t.toml"), &format!("{WORLD}\n{levers}")) {
            Ok(sc) => Ok(sc),
            Err(Error::BadInput(d)) => Err(*d),
            Err(e) => panic!("not a bad-input error: {e}"),
        }
    }

    /// Message, line and column of the error the levers get.
    fn error(levers: &str) -> (String, usize, usize) {
        let d = load(levers).expect_err("rejected");
        let p = d.position.expect("positioned");
        (d.message, p.line, p.column)
    }

    #[test]
    fn a_lever_of_each_kind_is_read_with_its_canonical_key() {
        let sc = load(
            "[[lever]]\nkey = \"shock.gov.probability\"\nlabel = \"Chance\"\nrange = [0, 1]\nstep = 0.05\n\n[[lever]]\nkey = \"shock.gov.date\"\nrange = [\"2025-06\", \"2028-12\"]\nstep = 3\n\n[[lever]]\nkey = \"polity.A.restriction\"\n\n[[lever]]\nkey = \"eu_conditionality\"\nrange = [0, 0.5]\n",
        )
        .expect("valid");
        let kinds: Vec<(&str, &LeverKind)> = sc
            .levers
            .iter()
            .map(|l| (l.key.as_str(), &l.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "shock.gov.probability",
                    &LeverKind::Number {
                        lo: 0.0,
                        hi: 1.0,
                        step: 0.05
                    }
                ),
                (
                    "shock.gov.date",
                    &LeverKind::Months {
                        lo: Month::parse("2025-06").unwrap(),
                        hi: Month::parse("2028-12").unwrap(),
                        step: 3
                    }
                ),
                ("polity.A.restriction", &LeverKind::Switch),
                (
                    "parameters.eu_conditionality",
                    &LeverKind::Number {
                        lo: 0.0,
                        hi: 0.5,
                        step: 0.025
                    }
                ),
            ]
        );
        assert_eq!(sc.levers[0].label, "Chance");
        assert_eq!(sc.levers[1].label, "shock.gov.date");
    }

    #[test]
    fn values_snap_to_the_grid_and_print_as_a_file_writes_them() {
        let sc = load("[[lever]]\nkey = \"shock.gov.probability\"\nrange = [0, 1]\nstep = 0.05\n\n[[lever]]\nkey = \"shock.gov.date\"\nrange = [\"2025-06\", \"2028-12\"]\nstep = 3\n\n[[lever]]\nkey = \"polity.A.restriction\"\n").unwrap();
        let [p, d, s] = &sc.levers[..] else { panic!() };
        assert_eq!(p.value_text("0.35").unwrap(), "0.35");
        assert_eq!(p.value_text("0.1 ").unwrap(), "0.1");
        assert_eq!(p.value_text("0.349").unwrap(), "0.35");
        assert_eq!(p.value_text("1").unwrap(), "1");
        assert_eq!(p.value_text("0").unwrap(), "0");
        assert!(p.value_text("1.2").unwrap_err().contains("outside"));
        assert!(p.value_text("NaN").unwrap_err().contains("not a number"));
        assert!(p.value_text("x").unwrap_err().contains("not a number"));
        assert_eq!(d.value_text("2026-01").unwrap(), "\"2025-12\"");
        assert_eq!(d.value_text("\"2028-12\"").unwrap(), "\"2028-12\"");
        assert!(d.value_text("2030-01").unwrap_err().contains("outside"));
        assert!(d.value_text("2026-13").is_err());
        assert_eq!(s.value_text("on").unwrap(), "true");
        assert_eq!(s.value_text("false").unwrap(), "false");
        assert!(s.value_text("maybe").is_err());
    }

    #[test]
    fn a_lever_value_changes_the_scenario_as_set_would() {
        let base = crate::scenario::Base::read_str(
            Path::new("t.toml"),
            &format!(
                "{WORLD}\n[[lever]]\nkey = \"shock.gov.date\"\nrange = [\"2025-06\", \"2028-12\"]\n"
            ),
        )
        .unwrap();
        let sc = base.resolve(&[]).unwrap();
        let lever = &sc.levers[0];
        let v = lever.value_text("2027-02").unwrap();
        let moved = base.resolve(&[lever.setting(&v).unwrap()]).unwrap();
        // The date replaces the window, as `--set shock.gov.date=...` does.
        assert_eq!(
            moved.shocks[0].timing,
            Timing::Date(Month::parse("2027-02").unwrap())
        );
        assert_eq!(moved.shocks[0].probability, 0.4);
    }

    #[test]
    fn bad_levers_are_positioned_errors() {
        assert_eq!(
            error("[[lever]]\nkey = \"polity.A.orientatio\"\nrange = [0, 1]\n"),
            ("lever key: unknown polity key `orientatio`".into(), 18, 17)
        );
        assert_eq!(
            error("[[lever]]\nkey = \"shock.gov.probability\"\nrange = [0, 2]\n"),
            (
                "lever `shock.gov.probability` at 2: `probability` = 2 is out of range: expected between 0 and 1".into(),
                19,
                9
            )
        );
        assert_eq!(
            error("[[lever]]\nkey = \"shock.nope.probability\"\nrange = [0, 1]\n"),
            (
                "lever `shock.nope.probability`: unknown shock `nope`".into(),
                18,
                7
            )
        );
        assert_eq!(
            error("[[lever]]\nkey = \"shock.gov.date\"\nrange = [0, 1]\n"),
            ("a `date` lever moves in months".into(), 19, 9)
        );
        assert_eq!(
            error("[[lever]]\nkey = \"eu_conditionality\"\nrange = [1, 0]\n"),
            ("`range` = [1, 0] is not from low to high".into(), 19, 9)
        );
        assert_eq!(
            error("[[lever]]\nkey = \"eu_conditionality\"\nrange = [0, 1]\nstep = 0\n"),
            ("`step` = 0 does not fit the range".into(), 20, 8)
        );
        assert_eq!(
            error("[[lever]]\nkey = \"eu_conditionality\"\nrange = [0, \"2025-01\"]\n"),
            ("`range` mixes a number and a month".into(), 19, 9)
        );
        assert_eq!(
            error("[[lever]]\nkey = \"eu_conditionality\"\nstep = 0.1\n"),
            ("`step` without `range`".into(), 19, 8)
        );
        assert_eq!(
            error(
                "[[lever]]\nkey = \"eu_conditionality\"\nrange = [0, 1]\n\n[[lever]]\nkey = \"parameters.eu_conditionality\"\nrange = [0, 1]\n"
            ),
            (
                "a second lever on `parameters.eu_conditionality`".into(),
                22,
                7
            )
        );
        assert_eq!(
            error("[[lever]]\nkey = \"eu_conditionality\"\nrange = [0, 1]\nsteps = 1\n").0,
            "unknown key `steps`"
        );
    }

    #[test]
    fn without_levers_each_shock_offers_its_chance_and_a_drawn_month_its_date() {
        let sc = load("").unwrap();
        assert!(sc.levers.is_empty());
        let offered: Vec<String> = levers(&sc).iter().map(|l| l.key.clone()).collect();
        assert_eq!(offered, ["shock.gov.probability", "shock.gov.date"]);
        assert!(levers(&sc).iter().all(|l| !l.declared));
    }
}
