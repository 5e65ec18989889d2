//! The checks every shock shares (kind, keys, timing, probability,
//! `requires`) and [`ShockCx`], what a kind's own check reads.

use super::{COMMON_KEYS, Effect, KindSpec, RawShock, SHOCK_KINDS, Shock, Timing};
use crate::error::did_you_mean;
use crate::scenario::check::{Checked, Checker};
use crate::scenario::dist::{Dist, Domain};
use crate::scenario::located::{At, Loc};
use crate::scenario::time::TimeGrid;
use crate::scenario::{Operator, Polity};

/// One raw shock being checked, with what its kind's check may need.
pub(in crate::scenario) struct ShockCx<'a, 'b> {
    pub c: &'b Checker<'a>,
    pub raw: &'b RawShock,
    /// "shock `id`" or "shock #3", for messages.
    pub name: &'b str,
    pub kind: &'static str,
    /// Where errors about a missing key point: the `kind`, else the `id`.
    pub anchor: &'b Loc,
    pub polities: &'b [Polity],
    pub operators: &'b [Operator],
}

impl ShockCx<'_, '_> {
    pub fn missing(&self, key: &str) -> crate::error::Diagnostic {
        self.c.err(
            self.anchor,
            format!("{} (`{}`) needs `{key}`", self.name, self.kind),
        )
    }

    pub fn need_polity(&self) -> Checked<usize> {
        let id = self
            .raw
            .polity
            .as_ref()
            .ok_or_else(|| self.missing("polity"))?;
        self.c.polity(self.polities, id, self.name)
    }

    pub fn need_dist(&self, v: &Option<At<Dist>>, key: &str, domain: Domain) -> Checked<Dist> {
        let v = v.as_ref().ok_or_else(|| self.missing(key))?;
        self.c.dist(v, key, domain)
    }

    pub fn opt_dist(
        &self,
        v: &Option<At<Dist>>,
        key: &str,
        domain: Domain,
    ) -> Checked<Option<Dist>> {
        v.as_ref().map(|v| self.c.dist(v, key, domain)).transpose()
    }

    /// Each id of a list, located at the list.
    pub fn each<'l>(&self, list: &'l At<Vec<String>>) -> impl Iterator<Item = At<String>> + 'l {
        list.value.iter().map(|id| At {
            value: id.clone(),
            loc: list.loc.clone(),
        })
    }

    pub fn root_of(&self, p: usize) -> usize {
        crate::scenario::root_of(self.polities, p)
    }

    pub fn is_within(&self, p: usize, ancestor: usize) -> bool {
        crate::scenario::is_within(self.polities, p, ancestor)
    }
}

pub(in crate::scenario) fn check_shocks(
    c: &mut Checker,
    raw: &[RawShock],
    polities: &[Polity],
    operators: &[Operator],
    grid: &TimeGrid,
) -> Checked<Vec<Shock>> {
    // Shocks are independent of each other until `requires`: every bad one
    // is reported in one pass, as a compiler reports every bad line.
    let mut out = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (n, s) in raw.iter().enumerate() {
        match check_one(c, n, s, polities, operators, grid) {
            Ok(shock) => out.push(shock),
            Err(d) => errors.push(d),
        }
    }
    if let Some(first) = crate::error::Diagnostic::all(errors) {
        return Err(first);
    }
    for (n, s) in raw.iter().enumerate() {
        if let Some(req) = &s.requires {
            let target = raw
                .iter()
                .position(|t| t.id.as_ref().is_some_and(|i| i.value == req.value));
            match target {
                Some(t) if t == n => return Err(c.err(&req.loc, "a shock cannot require itself")),
                Some(t) => out[n].requires = Some(t),
                None => {
                    let ids = raw
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

/// One shock, checked on its own (its `requires` is settled after all).
fn check_one(
    c: &mut Checker,
    n: usize,
    s: &RawShock,
    polities: &[Polity],
    operators: &[Operator],
    grid: &TimeGrid,
) -> Checked<Shock> {
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
    let Some(spec) = KindSpec::by_name(&kind.value) else {
        return Err(c
            .err(&kind.loc, format!("unknown shock kind `{}`", kind.value))
            .maybe_hint(
                did_you_mean(&kind.value, SHOCK_KINDS.iter().copied())
                    .or_else(|| Some(format!("one of: {}", SHOCK_KINDS.join(", ")))),
            ));
    };
    for (key, loc) in s.present_keys() {
        if !spec.keys.contains(&key) {
            return Err(c
                .err(
                    &loc,
                    format!("`{}` does not apply to a `{}` shock", key.name(), spec.name),
                )
                .hint(format!(
                    "a `{}` shock takes {}",
                    spec.name,
                    spec.keys
                        .iter()
                        .map(|k| k.name())
                        .chain(COMMON_KEYS.iter().copied())
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
    let cx = ShockCx {
        c,
        raw: s,
        name: &name,
        kind: spec.name,
        anchor: &anchor,
        polities,
        operators,
    };
    let effect: Effect = (spec.check)(&cx)?;
    Ok(Shock {
        id: s.id.as_ref().map(|i| i.value.clone()),
        label: s.label.as_ref().map(|l| l.value.clone()),
        timing,
        probability,
        requires: None,
        effect,
    })
}
