//! From the merged file to a checked `Scenario`: every range, every id, every
//! rule of DESIGN.md's "resolved details", each failure pointing at its key.

use super::check::{Checked, Checker};
use super::dist::{Dist, Domain, Law};
use super::located::At;
use super::params::{PARAMS, ParamId};
use super::raw::{MergeHow, RawFile};
use super::shocks::VENDORS;
use super::sources::Sources;
use super::time::{Month, TimeGrid};
use super::*;
use crate::error::{Diagnostic, Result, did_you_mean};
use std::path::Path;

/// Reported points at most (100 years of monthly steps): memory for the
/// aggregate grows with points, and no policy question needs more.
const MAX_POINTS: usize = 1201;

pub(super) fn validate(
    path: &Path,
    raw: RawFile,
    sources: &Sources,
    files: Vec<SourceFile>,
) -> Result<Scenario> {
    let mut c = Checker::new(sources);
    let header = raw.scenario.clone().unwrap_or_default();
    let name = header.name.as_ref().map_or_else(
        || {
            path.file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
        },
        |n| n.value.clone(),
    );
    let start = match &header.start {
        Some(s) => c.month(s)?,
        None => Month::parse("2025-01").expect("valid"),
    };
    let end = match &header.end {
        Some(s) => c.month(s)?,
        None => Month::parse("2035-12").expect("valid"),
    };
    if end < start {
        let loc = header
            .end
            .as_ref()
            .or(header.start.as_ref())
            .expect("one was given");
        return Err(c
            .err(
                &loc.loc,
                format!("`end` ({end}) is before `start` ({start})"),
            )
            .hint("the simulation runs from `start` to `end`, both \"YYYY-MM\"")
            .into());
    }
    let step_months = match &header.step_months {
        Some(s) if [1, 3, 6, 12].contains(&s.value) => s.value as i32,
        Some(s) => {
            return Err(c
                .err(
                    &s.loc,
                    format!("`step_months` = {} is not allowed", s.value),
                )
                .hint("use 1, 3, 6 or 12")
                .into());
        }
        None => 3,
    };
    let runs = match &header.runs {
        Some(r) if r.value >= 1 => r.value as u64,
        Some(r) => {
            return Err(c
                .err(&r.loc, format!("`runs` = {} must be at least 1", r.value))
                .into());
        }
        None => 10_000,
    };
    let grid = TimeGrid {
        start,
        end,
        step_months,
    };
    if grid.points() > MAX_POINTS {
        let loc = header
            .end
            .as_ref()
            .or(header.start.as_ref())
            .expect("a long horizon was written");
        return Err(c
            .err(
                &loc.loc,
                format!(
                    "{}..{} in steps of {step_months} months is {} points, more than {MAX_POINTS}",
                    start,
                    end,
                    grid.points()
                ),
            )
            .hint("shorten the horizon or use longer steps (`step_months` = 3, 6 or 12)")
            .into());
    }

    // Every section that does not depend on a failed one is checked, and
    // all their errors reported at once: operators need the polities,
    // shocks and outcomes need both.
    let mut errors = Vec::new();
    let parameters = keep(check_parameters(&c, &raw), &mut errors);
    let polities = keep(check_polities(&mut c, &raw), &mut errors);
    let classes = keep(check_classes(&c, &raw), &mut errors);
    let levers = keep(super::lever::check_levers(&c, &raw), &mut errors);
    let operators = match &polities {
        Some(p) => keep(check_operators(&mut c, &raw, p), &mut errors),
        None => None,
    };
    let (shocks, outcomes) = match (&polities, &operators) {
        (Some(p), Some(o)) => (
            keep(
                shocks::check_shocks(&mut c, &raw.shock, p, o, &grid),
                &mut errors,
            ),
            keep(check_outcomes(&c, &raw, p, o, &grid), &mut errors),
        ),
        _ => (None, None),
    };
    if let Some(all) = Diagnostic::all(errors) {
        return Err(all.into());
    }
    let expect = "no error was reported";
    let (parameters, polities, classes, operators, shocks, outcomes) = (
        parameters.expect(expect),
        polities.expect(expect),
        classes.expect(expect),
        operators.expect(expect),
        shocks.expect(expect),
        outcomes.expect(expect),
    );
    let levers = levers.expect(expect);
    let notes = merge_notes(&mut c, &raw);
    let (description_from, question_from) = inherited_words(&mut c, &raw);
    let series = series_choice(&c, &header);

    Ok(Scenario {
        name,
        description: header.description.map(|d| d.value).unwrap_or_default(),
        question: header.question.map(|q| q.value),
        description_from,
        question_from,
        files,
        grid,
        runs,
        seed: header.seed.map_or(0, |s| s.value),
        parameters,
        polities,
        operators,
        shocks,
        classes,
        outcomes,
        levers,
        warnings: c.warnings,
        notes,
        overrides: Vec::new(),
        series,
    })
}

/// `series`: "all" (or nothing) records everything; other words are the
/// model's to check (`World::check_series`), at the place they were written.
fn series_choice(c: &Checker, header: &super::raw::RawHeader) -> super::SeriesChoice {
    let Some(series) = &header.series else {
        return super::SeriesChoice::default();
    };
    let words = series.value.words();
    if words.len() == 1 && words[0] == "all" {
        return super::SeriesChoice::default();
    }
    super::SeriesChoice {
        words,
        site: Some(c.err(&series.loc, "")),
    }
}

/// What `extends` did to each restated shock: a note of the keys it
/// inherited, a warning when another kind replaced the parent's whole.
fn merge_notes(c: &mut Checker, raw: &RawFile) -> Vec<String> {
    let mut notes = Vec::new();
    let quote = |keys: &[&str]| {
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for m in &raw.merged_shocks {
        let (parent_path, parent_text) = &c.sources.files[m.parent.file];
        let parent_line = crate::error::Position::of_span(parent_text, m.parent.span.clone()).line;
        let parent = format!("{}:{parent_line}", parent_path.display());
        match &m.how {
            MergeHow::Keys {
                restated,
                inherited,
            } => {
                if inherited.is_empty() {
                    continue;
                }
                let (path, text) = &c.sources.files[m.at.file];
                let line = crate::error::Position::of_span(text, m.at.span.clone()).line;
                notes.push(format!(
                    "{}:{line}: shock `{}` restates {} and inherits {} from {parent}",
                    path.display(),
                    m.id,
                    if restated.is_empty() {
                        "nothing".to_string()
                    } else {
                        quote(restated)
                    },
                    quote(inherited),
                ));
            }
            MergeHow::Replaced { from, to } => c.warn(
                &m.at,
                format!(
                    "shock `{}` is a `{to}` here and a `{from}` in {parent}: it replaces that shock whole, inheriting none of its keys",
                    m.id
                ),
            ),
        }
    }
    notes
}

fn check_parameters(c: &Checker, raw: &RawFile) -> Checked<Vec<Dist>> {
    let mut out: Vec<Dist> = PARAMS.iter().map(|p| Dist::Const(p.default)).collect();
    for (name, value) in raw.parameters.iter().flatten() {
        let Some(id) = ParamId::by_name(&name.value) else {
            return Err(c
                .err(&name.loc, format!("unknown parameter `{}`", name.value))
                .maybe_hint(
                    did_you_mean(&name.value, PARAMS.iter().map(|p| p.name)).or_else(|| {
                        Some("the parameters are listed in docs/FORMAT.md".to_string())
                    }),
                ));
        };
        out[id as usize] = c.dist(value, &name.value, id.spec().domain)?;
    }
    Ok(out)
}

fn check_polities(c: &mut Checker, raw: &RawFile) -> Checked<Vec<Polity>> {
    if raw.polity.is_empty() {
        let (path, _) = &c.sources.files[0];
        return Err(
            Diagnostic::new("the scenario has no polities: the world is empty")
                .in_file(path)
                .hint("add [[polity]] entries, or `extends = \"baseline.toml\"` under [scenario]"),
        );
    }
    for o in &raw.operator {
        if raw.polity.iter().any(|p| p.id.value == o.id.value) {
            return Err(c
                .err(
                    &o.id.loc,
                    format!(
                        "id `{}` is used by both a polity and an operator",
                        o.id.value
                    ),
                )
                .hint("ids are unique across polities and operators"));
        }
    }
    let ids: Vec<&str> = raw.polity.iter().map(|p| p.id.value.as_str()).collect();
    // Parents first, so that children can inherit resolved values.
    let mut parent_of = Vec::with_capacity(ids.len());
    for p in &raw.polity {
        parent_of.push(match &p.parent {
            None => None,
            Some(pid) => Some(ids.iter().position(|i| *i == pid.value).ok_or_else(|| {
                c.err(&pid.loc, format!("unknown parent polity `{}`", pid.value))
                    .maybe_hint(did_you_mean(&pid.value, ids.iter().copied()))
            })?),
        });
    }
    for (i, p) in raw.polity.iter().enumerate() {
        let mut seen = vec![i];
        let mut cur = parent_of[i];
        while let Some(q) = cur {
            if seen.contains(&q) {
                let loc = &p.parent.as_ref().expect("has a parent").loc;
                return Err(c.err(loc, format!("polity `{}` is its own ancestor", p.id.value)));
            }
            seen.push(q);
            cur = parent_of[q];
        }
    }
    let mut out: Vec<Polity> = Vec::with_capacity(ids.len());
    for (i, p) in raw.polity.iter().enumerate() {
        let is_parent = parent_of.contains(&Some(i));
        let is_child = parent_of[i].is_some();
        if is_parent {
            for (key, v) in [("orientation", &p.orientation), ("target", &p.target)] {
                if let Some(v) = v {
                    c.warn(&v.loc, format!("`{key}` on `{}` is ignored: a polity with children takes the minimum of theirs", p.id.value));
                }
            }
        }
        if is_child {
            if let Some(v) = &p.nato {
                c.warn(
                    &v.loc,
                    format!(
                        "`nato` on `{}` is ignored: it belongs to the country",
                        p.id.value
                    ),
                );
            }
            if let Some(v) = &p.eu_stage {
                c.warn(
                    &v.loc,
                    format!(
                        "`eu_stage` on `{}` is ignored: it belongs to the country",
                        p.id.value
                    ),
                );
            }
            if let Some(v) = &p.eu_pace {
                c.warn(
                    &v.loc,
                    format!(
                        "`eu_pace` on `{}` is ignored: it belongs to the country",
                        p.id.value
                    ),
                );
            }
        }
        let orientation = c.opt_dist(&p.orientation, "orientation", Domain::UNIT, 0.5)?;
        let target = p
            .target
            .as_ref()
            .map(|t| c.dist(t, "target", Domain::UNIT))
            .transpose()?;
        let eu_stage = match &p.eu_stage {
            Some(s) if (0..=5).contains(&s.value) => s.value as u8,
            Some(s) => {
                return Err(c
                    .err(&s.loc, format!("`eu_stage` = {} is out of range", s.value))
                    .hint("0 potential candidate, 1 candidate, 2 negotiating, 3 clusters open, 4 closing chapters, 5 member"));
            }
            None => 0,
        };
        let pressure = match &p.pressure {
            Some(v) => c.number(v, "pressure", Domain::NON_NEGATIVE)?,
            None => parent_of[i].map_or(0.0, |q| {
                // Parents come before children in most files, but not always.
                raw.polity[q].pressure.as_ref().map_or(0.0, |v| v.value)
            }),
        };
        out.push(Polity {
            id: p.id.value.clone(),
            name: p
                .name
                .as_ref()
                .map_or_else(|| p.id.value.clone(), |n| n.value.clone()),
            parent: parent_of[i],
            weight: match &p.weight {
                Some(w) => c.number(w, "weight", Domain::UNIT)?,
                None => f64::NAN, // resolved below
            },
            orientation,
            target,
            nato: p.nato.as_ref().is_some_and(|v| v.value),
            eu_stage,
            eu_pace: c.opt_dist(&p.eu_pace, "eu_pace", Domain::NON_NEGATIVE, 1.0)?,
            restriction: p.restriction.as_ref().is_some_and(|v| v.value),
            china_leverage: c.opt_dist(
                &p.china_leverage,
                "china_leverage",
                Domain::LEVERAGE,
                0.0,
            )?,
            pressure,
            election_hazard: c.opt_dist(
                &p.election_hazard,
                "election_hazard",
                Domain::NON_NEGATIVE,
                0.0,
            )?,
            swing: match &p.swing {
                Some(s) => c.dist(s, "swing", Domain::UNIT)?,
                None => Dist::random(Law::Uniform(0.0, 1.0))
                    .and_then(|d| d.within(Domain::UNIT))
                    .expect("the uniform on [0, 1] is a unit quantity"),
            },
        });
    }
    // Pressure on a grandparent reaches grandchildren too.
    for i in 0..out.len() {
        if raw.polity[i].pressure.is_none() {
            let mut cur = out[i].parent;
            while let Some(q) = cur {
                if let Some(v) = &raw.polity[q].pressure {
                    out[i].pressure = v.value;
                    break;
                }
                cur = out[q].parent;
            }
        }
    }
    // Children without a weight share what their siblings leave.
    for parent in 0..out.len() {
        let children: Vec<usize> = (0..out.len())
            .filter(|&k| out[k].parent == Some(parent))
            .collect();
        if children.is_empty() {
            continue;
        }
        let given: f64 = children
            .iter()
            .filter(|&&k| !out[k].weight.is_nan())
            .map(|&k| out[k].weight)
            .sum();
        if given > 1.0 + 1e-9 {
            let loc = &raw.polity[children[0]]
                .weight
                .as_ref()
                .map_or(&raw.polity[parent].id.loc, |w| &w.loc);
            return Err(c
                .err(
                    loc,
                    format!(
                        "the weights of `{}`'s children sum to {given:.4}, more than 1",
                        out[parent].id
                    ),
                )
                .hint("`weight` is a child's population share within its parent"));
        }
        let missing: Vec<usize> = children
            .iter()
            .copied()
            .filter(|&k| out[k].weight.is_nan())
            .collect();
        let each = if missing.is_empty() {
            0.0
        } else {
            (1.0 - given).max(0.0) / missing.len() as f64
        };
        for k in missing {
            out[k].weight = each;
        }
    }
    for p in &mut out {
        if p.weight.is_nan() {
            p.weight = 1.0;
        }
    }
    Ok(out)
}

/// How far shares may sum past 1 before it is an error (rounding of published figures).
const SHARE_ROUNDING_SLACK: f64 = 0.005;

/// An operator's documented vendor decision for one generation.
fn decided(c: &Checker, at: &Option<At<String>>, key: &str) -> Checked<Option<bool>> {
    match at {
        None => Ok(None),
        Some(at) => c.word(at, key, VENDORS),
    }
}

fn check_operators(c: &mut Checker, raw: &RawFile, polities: &[Polity]) -> Checked<Vec<Operator>> {
    let mut out = Vec::with_capacity(raw.operator.len());
    let mut country_share = vec![0.0; polities.len()];
    for o in &raw.operator {
        let polity_id = o.polity.as_ref().ok_or_else(|| {
            c.err(
                &o.id.loc,
                format!("operator `{}` has no `polity`", o.id.value),
            )
            .hint("every operator is licensed in a polity: add `polity = \"SRB\"` (for example)")
        })?;
        let polity = c.polity(polities, polity_id, &format!("operator `{}`", o.id.value))?;
        let share_at = o.market_share.as_ref().ok_or_else(|| {
            c.err(
                &o.id.loc,
                format!("operator `{}` has no `market_share`", o.id.value),
            )
            .hint("the operator's share of its country's mobile market, 0 to 1")
        })?;
        let market_share = c.number(share_at, "market_share", Domain::UNIT)?;
        let root = root_of(polities, polity);
        country_share[root] += market_share;
        // Published shares are rounded: 34.9 + 33.6 + 31.6 = 100.1 is not a mistake.
        if country_share[root] > 1.0 + SHARE_ROUNDING_SLACK {
            return Err(c
                .err(
                    &share_at.loc,
                    format!(
                        "market shares in `{}` sum to {:.4}, more than 1",
                        polities[root].id, country_share[root]
                    ),
                )
                .hint("`market_share` is a share of the whole country, operators of its sub-polities included"));
        }
        let g5_weight = c.opt_dist(&o.g5_weight, "g5_weight", Domain::UNIT, 0.0)?;
        // Only where one file says both: a backcast that restates 2010's
        // g5_weight = 0 over a baseline's hr_5g needs no warning.
        let same_file = o
            .g5_weight
            .as_ref()
            .is_none_or(|g| o.hr_5g.as_ref().is_some_and(|h| h.loc.file == g.loc.file));
        if let (Some(h5), Dist::Const(g)) = (&o.hr_5g, &g5_weight)
            && *g == 0.0
            && same_file
        {
            c.warn(
                &h5.loc,
                format!(
                    "`hr_5g` of `{}` is ignored: it has not launched 5G (g5_weight = 0)",
                    o.id.value
                ),
            );
        }
        out.push(Operator {
            id: o.id.value.clone(),
            name: o
                .name
                .as_ref()
                .map_or_else(|| o.id.value.clone(), |n| n.value.clone()),
            polity,
            owner: o
                .owner
                .as_ref()
                .map_or_else(String::new, |n| n.value.clone()),
            owner_alignment: c.opt_dist(
                &o.owner_alignment,
                "owner_alignment",
                Domain::UNIT,
                0.5,
            )?,
            market_share,
            refresh_years: o
                .refresh_years
                .as_ref()
                .map(|v| c.dist(v, "refresh_years", Domain::POSITIVE))
                .transpose()?,
            rollout_years: o
                .rollout_years
                .as_ref()
                .map(|v| c.dist(v, "rollout_years", Domain::POSITIVE))
                .transpose()?,
            hr_legacy: c.opt_dist(&o.hr_legacy, "hr_legacy", Domain::UNIT, 0.0)?,
            // Without 5G at the start (g5_weight = 0) the 5G share is never
            // read (a launch draws its vendor afresh): it is 0, drawn from
            // nothing, so that the resolved file (which leaves it out), a
            // merge that reads the scenario back from it, and summary.json
            // all say the same, and a rerun of the resolved file draws
            // every later input from where this run drew it.
            hr_5g: c
                .opt_dist(&o.hr_5g, "hr_5g", Domain::UNIT, 0.0)
                .map(|h| match g5_weight {
                    Dist::Const(0.0) => Dist::Const(0.0),
                    _ => h,
                })?,
            g5_weight,
            vendor: [
                decided(c, &o.vendor_legacy, "vendor_legacy")?,
                decided(c, &o.vendor_5g, "vendor_5g")?,
            ],
        });
    }
    Ok(out)
}

fn check_classes(c: &Checker, raw: &RawFile) -> Checked<Classes> {
    let mut out = Classes::default();
    let Some(cl) = &raw.classes else {
        return Ok(out);
    };
    if let Some(m) = &cl.metric {
        out.metric = match m.value.as_str() {
            "trusted_procurement" => ClassMetric::TrustedProcurement,
            "trusted_share" => ClassMetric::TrustedShare,
            "alignment" => ClassMetric::Alignment,
            other => {
                return Err(c
                    .err(
                        &m.loc,
                        format!("`{other}` cannot sort countries into classes"),
                    )
                    .hint("use \"alignment\" (the default), \"trusted_procurement\" or \"trusted_share\""));
            }
        };
    }
    if let Some(v) = &cl.keen_below {
        out.keen_below = c.number(v, "keen_below", Domain::UNIT)?;
    }
    if let Some(v) = &cl.cautious_from {
        out.cautious_from = c.number(v, "cautious_from", Domain::UNIT)?;
    }
    if out.keen_below > out.cautious_from {
        let loc = cl
            .keen_below
            .as_ref()
            .or(cl.cautious_from.as_ref())
            .expect("one was set");
        return Err(c.err(&loc.loc, "`keen_below` must not exceed `cautious_from`"));
    }
    Ok(out)
}

/// Each `[[outcome]]`: its words read and its entity and date checked here;
/// its metric is the model's to check, at `site`.
fn check_outcomes(
    c: &Checker,
    raw: &RawFile,
    polities: &[Polity],
    operators: &[Operator],
    grid: &TimeGrid,
) -> Checked<Vec<outcome::HeadlineOutcome>> {
    let mut out = Vec::new();
    for o in &raw.outcome {
        let (path, text) = &c.sources.files[o.what.loc.file];
        let span = o.what.loc.span.clone();
        // Point inside the string when it is written plainly ("..."),
        // else at the whole value.
        let offset = if text.get(span.clone()) == Some(&format!("\"{}\"", o.what.value)) {
            span.start + 1
        } else {
            span.start
        };
        let inside = |e: &outcome::OutcomeError| {
            if offset == span.start {
                c.err(&o.what.loc, e.message.clone())
                    .maybe_hint(e.hint.clone())
            } else {
                e.at(path, text, offset)
            }
        };
        let spec = outcome::OutcomeSpec::parse(&o.what.value).map_err(|e| inside(&e))?;
        spec.check_parts(
            polities
                .iter()
                .map(|p| p.id.as_str())
                .chain(operators.iter().map(|o| o.id.as_str())),
            grid,
        )
        .map_err(|e| inside(&e))?;
        let site = inside(&outcome::OutcomeError {
            message: String::new(),
            span: spec.measure_span.clone(),
            hint: None,
        });
        out.push(outcome::HeadlineOutcome {
            spec,
            label: o.label.as_ref().map(|l| l.value.clone()),
            site,
        });
    }
    Ok(out)
}

/// Where an inherited `description` and `question` came from (a parent
/// file: the scenario's own is file 0), and a warning when a file that
/// changes shocks keeps its parent's question: the room would read the
/// parent's question above the child's answer.
fn inherited_words(c: &mut Checker, raw: &RawFile) -> (Option<String>, Option<String>) {
    let from = |at: &Option<At<String>>| {
        at.as_ref()
            .filter(|a| a.loc.file != 0)
            .map(|a| c.sources.files[a.loc.file].0.display().to_string())
    };
    let header = raw.scenario.clone().unwrap_or_default();
    let (description_from, question_from) = (from(&header.description), from(&header.question));
    let own = |loc: Option<&super::located::Loc>| loc.is_some_and(|l| l.file == 0);
    let changes_shocks = header
        .replace_shocks
        .as_ref()
        .is_some_and(|r| r.loc.file == 0)
        || raw.merged_shocks.iter().any(|m| m.at.file == 0)
        || raw
            .shock
            .iter()
            .any(|s| own(s.id.as_ref().map(|i| &i.loc)) || own(s.kind.as_ref().map(|k| &k.loc)));
    if let (Some(parent), Some(extends)) = (&question_from, &header.extends)
        && changes_shocks
    {
        c.warn(
            &extends.loc,
            format!(
                "this file changes shocks but keeps the question of `{parent}`; say what it asks with `question = \"...\"` under [scenario]"
            ),
        );
    }
    (description_from, question_from)
}

/// The value of a check, or None with its error kept for the one report.
fn keep<T>(checked: Checked<T>, errors: &mut Vec<Diagnostic>) -> Option<T> {
    checked.map_err(|d| errors.push(d)).ok()
}
