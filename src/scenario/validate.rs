//! From the merged file to a checked `Scenario`: every range, every id, every
//! rule of DESIGN.md's "resolved details", each failure pointing at its key.

use super::dist::{Dist, Domain, Law};
use super::load::Sources;
use super::params::{PARAMS, ParamId};
use super::raw::{At, Loc, RawFile, RawShock};
use super::time::{Month, TimeGrid};
use super::*;
use crate::error::{Diagnostic, Result, did_you_mean};
use std::path::Path;

/// Reported points at most (100 years of monthly steps): memory for the
/// aggregate grows with points, and no policy question needs more.
const MAX_POINTS: usize = 1201;

struct Checker<'a> {
    sources: &'a Sources,
    warnings: Vec<String>,
}

type Checked<T> = std::result::Result<T, Diagnostic>;

impl Checker<'_> {
    fn err(&self, loc: &Loc, message: impl Into<String>) -> Diagnostic {
        self.sources.error(loc, message)
    }

    fn warn(&mut self, loc: &Loc, message: impl Into<String>) {
        let (path, text) = &self.sources.files[loc.file];
        let pos = crate::error::Position::of_span(text, loc.span.clone());
        self.warnings.push(format!(
            "{}:{}:{}: {}",
            path.display(),
            pos.line,
            pos.column,
            message.into()
        ));
    }

    fn number(&self, v: &At<f64>, key: &str, domain: Domain) -> Checked<f64> {
        if !v.value.is_finite() {
            return Err(self.err(
                &v.loc,
                format!("`{key}` must be a finite number, found {}", v.value),
            ));
        }
        if !domain.contains(v.value) {
            return Err(self.err(
                &v.loc,
                format!(
                    "`{key}` = {} is out of range: expected {}",
                    v.value,
                    domain.describe()
                ),
            ));
        }
        Ok(v.value)
    }

    fn dist(&self, v: &At<Dist>, key: &str, domain: Domain) -> Checked<Dist> {
        v.value
            .within(domain)
            .map_err(|m| self.err(&v.loc, format!("`{key}`: {m}")))
    }

    fn opt_dist(
        &self,
        v: &Option<At<Dist>>,
        key: &str,
        domain: Domain,
        default: f64,
    ) -> Checked<Dist> {
        match v {
            Some(v) => self.dist(v, key, domain),
            None => Ok(Dist::Const(default)),
        }
    }

    fn month(&self, v: &At<String>) -> Checked<Month> {
        Month::parse(&v.value).map_err(|m| self.err(&v.loc, m))
    }

    fn polity(&self, polities: &[Polity], id: &At<String>, what: &str) -> Checked<usize> {
        self.lookup("polity", polities.iter().map(|p| p.id.as_str()), id, what)
    }

    fn operator(&self, operators: &[Operator], id: &At<String>, what: &str) -> Checked<usize> {
        self.lookup(
            "operator",
            operators.iter().map(|o| o.id.as_str()),
            id,
            what,
        )
    }

    /// The index of `id` among `ids`, or an error naming the closest id
    /// (or all of them when none is close).
    fn lookup<'a>(
        &self,
        kind: &str,
        ids: impl Iterator<Item = &'a str> + Clone,
        id: &At<String>,
        what: &str,
    ) -> Checked<usize> {
        ids.clone()
            .position(|known| known == id.value)
            .ok_or_else(|| {
                let hint = did_you_mean(&id.value, ids.clone()).unwrap_or_else(|| {
                    format!("known {kind}s: {}", ids.collect::<Vec<_>>().join(", "))
                });
                self.err(&id.loc, format!("unknown {kind} `{}` in {what}", id.value))
                    .hint(hint)
            })
    }
}

pub(super) fn validate(
    path: &Path,
    raw: RawFile,
    sources: &Sources,
    files: Vec<SourceFile>,
) -> Result<Scenario> {
    let mut c = Checker {
        sources,
        warnings: Vec::new(),
    };
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

    let parameters = check_parameters(&c, &raw)?;
    let polities = check_polities(&mut c, &raw)?;
    let operators = check_operators(&mut c, &raw, &polities)?;
    let shocks = check_shocks(&mut c, &raw, &polities, &operators, &grid)?;
    let classes = check_classes(&c, &raw)?;

    Ok(Scenario {
        name,
        description: header.description.map(|d| d.value).unwrap_or_default(),
        question: header.question.map(|q| q.value),
        files,
        grid,
        runs,
        seed: header.seed.map_or(0, |s| s.value),
        parameters,
        polities,
        operators,
        shocks,
        classes,
        warnings: c.warnings,
    })
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
            china_leverage: c.opt_dist(&p.china_leverage, "china_leverage", Domain::UNIT, 0.0)?,
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

fn check_operators(c: &mut Checker, raw: &RawFile, polities: &[Polity]) -> Checked<Vec<Operator>> {
    let root_of = |mut p: usize| {
        while let Some(q) = polities[p].parent {
            p = q;
        }
        p
    };
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
        let root = root_of(polity);
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
            hr_5g: c.opt_dist(&o.hr_5g, "hr_5g", Domain::UNIT, 0.0)?,
            g5_weight,
        });
    }
    Ok(out)
}

/// The keys a shock of each kind may carry, beyond the common ones.
fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "government_change" => &["polity", "target", "jump"],
        "auction" => &["polity", "operators"],
        "eu_step" => &["polity", "stages"],
        "restriction" => &["polity", "phase_out_years"],
        "repeal" => &["polity"],
        "ownership_change" => &["operator", "owner", "owner_alignment"],
        "incident" => &["polities", "severity"],
        "price" => &["advantage", "delta"],
        "pressure" | "leverage" => &["polity", "level"],
        _ => &[],
    }
}

const COMMON_SHOCK_KEYS: &[&str] = &[
    "id",
    "kind",
    "label",
    "date",
    "window",
    "probability",
    "requires",
];

fn present_keys(s: &RawShock) -> Vec<(&'static str, Loc)> {
    let mut out = Vec::new();
    macro_rules! keys {
        ($($f:ident),*) => { $( if let Some(v) = &s.$f { out.push((stringify!($f), v.loc.clone())); } )* };
    }
    keys!(
        polity,
        polities,
        operator,
        operators,
        target,
        jump,
        stages,
        phase_out_years,
        owner,
        owner_alignment,
        severity,
        advantage,
        delta,
        level
    );
    out
}

fn check_shocks(
    c: &mut Checker,
    raw: &RawFile,
    polities: &[Polity],
    operators: &[Operator],
    grid: &TimeGrid,
) -> Checked<Vec<Shock>> {
    let root_of = |mut p: usize| {
        while let Some(q) = polities[p].parent {
            p = q;
        }
        p
    };
    let within = |mut p: usize, anc: usize| loop {
        if p == anc {
            return true;
        }
        match polities[p].parent {
            Some(q) => p = q,
            None => return false,
        }
    };
    let mut out = Vec::with_capacity(raw.shock.len());
    for (n, s) in raw.shock.iter().enumerate() {
        let name = s.id.as_ref().map_or_else(
            || format!("shock #{}", n + 1),
            |i| format!("shock `{}`", i.value),
        );
        let anchor = s
            .kind
            .as_ref()
            .map(|k| k.loc.clone())
            .or_else(|| s.id.as_ref().map(|i| i.loc.clone()));
        let anchor = anchor.unwrap_or(Loc {
            file: 0,
            span: 0..0,
        });
        let kind = s.kind.as_ref().ok_or_else(|| {
            c.err(&anchor, format!("{name} has no `kind`"))
                .hint(format!("one of: {}", SHOCK_KINDS.join(", ")))
        })?;
        if !SHOCK_KINDS.contains(&kind.value.as_str()) {
            return Err(c
                .err(&kind.loc, format!("unknown shock kind `{}`", kind.value))
                .maybe_hint(
                    did_you_mean(&kind.value, SHOCK_KINDS.iter().copied())
                        .or_else(|| Some(format!("one of: {}", SHOCK_KINDS.join(", ")))),
                ));
        }
        let allowed = kind_keys(&kind.value);
        for (key, loc) in present_keys(s) {
            if !allowed.contains(&key) {
                return Err(c
                    .err(
                        &loc,
                        format!("`{key}` does not apply to a `{}` shock", kind.value),
                    )
                    .hint(format!(
                        "a `{}` shock takes {}",
                        kind.value,
                        allowed
                            .iter()
                            .chain(COMMON_SHOCK_KEYS)
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
            }
        }
        let timing = match (&s.date, &s.window) {
            (Some(d), None) => {
                let m = c.month(d)?;
                if grid.step_of(m).is_none() {
                    c.warn(
                        &d.loc,
                        format!(
                            "{name} is dated {m}, outside {}..{}: it never fires",
                            grid.start, grid.end
                        ),
                    );
                }
                Timing::Date(m)
            }
            (None, Some(w)) => {
                if w.value.len() != 2 {
                    return Err(c.err(
                        &w.loc,
                        "`window` takes two months: [\"YYYY-MM\", \"YYYY-MM\"]",
                    ));
                }
                let at = |i: usize| At {
                    value: w.value[i].clone(),
                    loc: w.loc.clone(),
                };
                let (a, b) = (c.month(&at(0))?, c.month(&at(1))?);
                if b < a {
                    return Err(c.err(
                        &w.loc,
                        format!("`window` ends ({b}) before it starts ({a})"),
                    ));
                }
                Timing::Window(a, b)
            }
            (Some(d), Some(_)) => {
                return Err(c
                    .err(&d.loc, format!("{name} has both `date` and `window`"))
                    .hint("give exactly one"));
            }
            (None, None) => {
                return Err(c
                    .err(&anchor, format!("{name} has neither `date` nor `window`"))
                    .hint("add `date = \"2026-06\"` or `window = [\"2026-01\", \"2028-12\"]`"));
            }
        };
        let probability = match &s.probability {
            Some(p) => c.number(p, "probability", Domain::UNIT)?,
            None => 1.0,
        };
        let need_polity = |c: &Checker| -> Checked<usize> {
            let id = s.polity.as_ref().ok_or_else(|| {
                c.err(&anchor, format!("{name} (`{}`) needs `polity`", kind.value))
            })?;
            c.polity(polities, id, &name)
        };
        let need_dist =
            |c: &Checker, v: &Option<At<Dist>>, key: &str, domain: Domain| -> Checked<Dist> {
                let v = v.as_ref().ok_or_else(|| {
                    c.err(&anchor, format!("{name} (`{}`) needs `{key}`", kind.value))
                })?;
                c.dist(v, key, domain)
            };
        let effect = match kind.value.as_str() {
            "government_change" => Effect::GovernmentChange {
                polity: need_polity(c)?,
                target: s
                    .target
                    .as_ref()
                    .map(|t| c.dist(t, "target", Domain::UNIT))
                    .transpose()?,
                jump: match &s.jump {
                    Some(j) => c.number(j, "jump", Domain::UNIT)?,
                    None => 0.0,
                },
            },
            "auction" => {
                let polity = need_polity(c)?;
                let ops =
                    match &s.operators {
                        None => (0..operators.len())
                            .filter(|&o| within(operators[o].polity, polity))
                            .collect(),
                        Some(list) => {
                            let mut v = Vec::new();
                            for id in &list.value {
                                let at = At {
                                    value: id.clone(),
                                    loc: list.loc.clone(),
                                };
                                let o = c.operator(operators, &at, &name)?;
                                if root_of(operators[o].polity) != root_of(polity) {
                                    return Err(c.err(&list.loc, format!(
                                    "operator `{id}` is not in `{}`'s country", polities[polity].id
                                )).hint("an auction launches 5G for operators of its own country"));
                                }
                                v.push(o);
                            }
                            v
                        }
                    };
                Effect::Auction {
                    polity,
                    operators: ops,
                }
            }
            "eu_step" => Effect::EuStep {
                polity: need_polity(c)?,
                stages: s.stages.as_ref().map_or(1, |v| v.value.clamp(-5, 5) as i32),
            },
            "restriction" => Effect::Restriction {
                polity: need_polity(c)?,
                phase_out_years: s
                    .phase_out_years
                    .as_ref()
                    .map(|v| c.dist(v, "phase_out_years", Domain::NON_NEGATIVE))
                    .transpose()?,
            },
            "repeal" => Effect::Repeal {
                polity: need_polity(c)?,
            },
            "ownership_change" => {
                let id = s
                    .operator
                    .as_ref()
                    .ok_or_else(|| c.err(&anchor, format!("{name} needs `operator`")))?;
                Effect::OwnershipChange {
                    operator: c.operator(operators, id, &name)?,
                    owner: s.owner.as_ref().map(|o| o.value.clone()),
                    owner_alignment: need_dist(
                        c,
                        &s.owner_alignment,
                        "owner_alignment",
                        Domain::UNIT,
                    )?,
                }
            }
            "incident" => Effect::Incident {
                polities: match &s.polities {
                    None => None,
                    Some(list) => Some(
                        list.value
                            .iter()
                            .map(|id| {
                                c.polity(
                                    polities,
                                    &At {
                                        value: id.clone(),
                                        loc: list.loc.clone(),
                                    },
                                    &name,
                                )
                            })
                            .collect::<Checked<Vec<_>>>()?,
                    ),
                },
                severity: need_dist(c, &s.severity, "severity", Domain::NON_NEGATIVE)?,
            },
            "price" => {
                match (&s.advantage, &s.delta) {
                    (Some(a), None) => Effect::Price(PriceChange::Advantage(c.dist(
                        a,
                        "advantage",
                        Domain::PRICE,
                    )?)),
                    (None, Some(d)) => {
                        Effect::Price(PriceChange::Delta(c.dist(d, "delta", Domain::ANY)?))
                    }
                    _ => {
                        return Err(c
                        .err(&anchor, format!("{name} (`price`) needs exactly one of `advantage` and `delta`"))
                        .hint("`advantage = 0.3` sets the price advantage, `delta = 0.1` adds to it"));
                    }
                }
            }
            "pressure" => Effect::Pressure {
                polity: need_polity(c)?,
                level: need_dist(c, &s.level, "level", Domain::NON_NEGATIVE)?,
            },
            _ => Effect::Leverage {
                polity: need_polity(c)?,
                level: need_dist(c, &s.level, "level", Domain::UNIT)?,
            },
        };
        out.push(Shock {
            id: s.id.as_ref().map(|i| i.value.clone()),
            label: s.label.as_ref().map(|l| l.value.clone()),
            timing,
            probability,
            requires: None,
            effect,
        });
    }
    for (n, s) in raw.shock.iter().enumerate() {
        if let Some(req) = &s.requires {
            let target = raw
                .shock
                .iter()
                .position(|t| t.id.as_ref().is_some_and(|i| i.value == req.value));
            match target {
                Some(t) if t == n => return Err(c.err(&req.loc, "a shock cannot require itself")),
                Some(t) => out[n].requires = Some(t),
                None => {
                    let ids = raw
                        .shock
                        .iter()
                        .filter_map(|t| t.id.as_ref().map(|i| i.value.as_str()));
                    return Err(c
                        .err(
                            &req.loc,
                            format!("`requires` names `{}`, but no shock has that id", req.value),
                        )
                        .maybe_hint(did_you_mean(&req.value, ids)));
                }
            }
        }
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
            other => {
                return Err(c
                    .err(
                        &m.loc,
                        format!("`{other}` cannot sort countries into classes"),
                    )
                    .hint("use \"trusted_procurement\" or \"trusted_share\""));
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
