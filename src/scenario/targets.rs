//! A targets file: what history says a scenario must reproduce, for
//! `simulate calibrate` (EXPLORE.md §4). Each target is an outcome (§2) or a
//! rate of change of a metric over a set of entities, an observed value and
//! its observation uncertainty, and where the number comes from:
//!
//! ```toml
//! discrepancy = 0.02                     # model discrepancy sd, every target
//!
//! [[target]]
//! what = "restriction MKD at 2021-12"
//! observed = 1
//! sd = 0.1
//! source = "FACTS: law of April 2021"
//!
//! [[target]]
//! rate = "eu_stage"                      # mean change per entity and year
//! of = ["ALB", "MNE", "MKD", "SRB"]
//! from = "2021-12"
//! to = "2024-12"
//! between = [0.3, 0.5]                   # read as observed 0.4, sd 0.05
//! source = "FACTS: EU formal steps per candidate-year, 2022-2024"
//! ```
//!
//! Reading checks the file alone (keys, numbers, the words of each outcome);
//! [`Targets::check`] checks it against a scenario (entities, dates). Which
//! metrics exist is the model's, checked when the caller resolves the terms;
//! every term keeps the span of the words it came from for that error.

use super::Scenario;
use super::outcome::{OutcomeError, OutcomeSpec};
use super::time::Month;
use crate::error::{Diagnostic, Error, Result};
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    discrepancy: Option<Spanned<f64>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    what: Option<Spanned<String>>,
    rate: Option<Spanned<String>>,
    of: Option<Spanned<Vec<Spanned<String>>>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    observed: Option<Spanned<f64>>,
    sd: Option<Spanned<f64>>,
    between: Option<Spanned<Vec<f64>>>,
    discrepancy: Option<Spanned<f64>>,
    source: Option<Spanned<String>>,
    label: Option<String>,
}

/// One outcome a target reads, its weight in the target's value, and where
/// its words are in the file (for the model's errors: an unknown metric).
#[derive(Debug, Clone)]
pub struct Term {
    pub spec: OutcomeSpec,
    pub weight: f64,
    /// Where the outcome's words start in the file, when the user wrote
    /// them (the spec's spans are relative to it); None for the terms of a
    /// rate, made from its keys.
    pub offset: Option<usize>,
    /// The key the term came from (`what`, or the entity in `of`).
    pub site: Range<usize>,
    /// Where its metric was named (`what`, or `rate`).
    pub metric_site: Range<usize>,
}

/// A checked target: its value is Σ weight · mean(outcome) over its terms.
#[derive(Debug, Clone)]
pub struct Target {
    /// What the user wrote: the outcome, or `rate of eu_stage in ALB, MNE 2021-12..2024-12`.
    pub text: String,
    pub label: Option<String>,
    pub terms: Vec<Term>,
    pub observed: f64,
    /// Observation uncertainty (sd).
    pub sd: f64,
    /// Model discrepancy (sd): the target's own, else the file's, else 0.
    pub discrepancy: f64,
    pub source: String,
    /// The `[[target]]` table, for errors about the target as a whole.
    pub span: Range<usize>,
    /// The words the terms were made of (for rate targets: `of`, `from`, `to`).
    pub(crate) entity_spans: Vec<Range<usize>>,
    pub(crate) from_span: Range<usize>,
    pub(crate) to_span: Range<usize>,
}

/// A read targets file.
#[derive(Debug, Clone)]
pub struct Targets {
    pub path: PathBuf,
    pub text: String,
    pub targets: Vec<Target>,
}

const FORMS: &str = "a target is `what = \"OUTCOME\"` (e.g. \"restriction MKD at 2021-12\") or `rate = \"METRIC\"` with `of = [ids]`, `from` and `to`; then `observed` and `sd`, or `between = [lo, hi]`; and `source`";

impl Targets {
    pub fn read(path: &Path) -> Result<Targets> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("cannot read targets file {}", path.display()), e))?;
        Targets::read_str(path, &text)
    }

    /// Read targets from `text`, as if from `path`; every problem of the
    /// file at once.
    pub fn read_str(path: &Path, text: &str) -> Result<Targets> {
        let raw: RawTargets = toml::from_str(text)
            .map_err(|e| Error::from(super::sources::toml_error(path, text, &e)))?;
        let at =
            |span: Range<usize>, message: String| Diagnostic::new(message).at(path, text, span);
        let mut problems = Vec::new();
        let file_discrepancy = match &raw.discrepancy {
            Some(d) if !(d.get_ref().is_finite() && *d.get_ref() >= 0.0) => {
                problems.push(
                    at(d.span(), format!("discrepancy {} must be ≥ 0", d.get_ref()))
                        .hint("the model discrepancy is an sd: how far the model may be from the world even at the right parameters"),
                );
                0.0
            }
            Some(d) => *d.get_ref(),
            None => 0.0,
        };
        if raw.target.is_empty() {
            problems.push(
                Diagnostic::new("the targets file has no [[target]]")
                    .at(path, text, 0..0)
                    .hint(FORMS),
            );
        }
        let mut targets = Vec::new();
        for t in &raw.target {
            match target(t, file_discrepancy, &at) {
                Ok(t) => targets.push(t),
                Err(mut p) => problems.append(&mut p),
            }
        }
        if let Some(d) = Diagnostic::all(problems) {
            return Err(d.into());
        }
        Ok(Targets {
            path: path.to_path_buf(),
            text: text.to_string(),
            targets,
        })
    }

    /// A diagnostic at `span` of the file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message).at(&self.path, &self.text, span)
    }

    /// An outcome error of term `term`, pointing into the file.
    pub fn term_error(&self, term: &Term, e: &OutcomeError) -> Diagnostic {
        match term.offset {
            Some(offset) => e.at(&self.path, &self.text, offset),
            None => {
                let site = if e.span == term.spec.measure_span {
                    term.metric_site.clone()
                } else {
                    term.site.clone()
                };
                self.error(site, e.message.clone())
                    .maybe_hint(e.hint.clone())
            }
        }
    }

    /// Check every target's entities and dates against the scenario; every
    /// problem at once.
    pub fn check(&self, sc: &Scenario) -> Result<()> {
        let mut problems = Vec::new();
        let grid = &sc.grid;
        let outside = |span: &Range<usize>, m: Month| {
            self.error(
                span.clone(),
                format!(
                    "{m} is outside the scenario's time ({}..{})",
                    grid.start, grid.end
                ),
            )
            .hint("use months between the scenario's `start` and `end`")
        };
        for t in &self.targets {
            if t.is_rate() {
                // The dates once, at `from` and `to`; then each entity once.
                let (from, to) = t.months();
                let mut dates_ok = true;
                for (m, span) in [(from, &t.from_span), (to, &t.to_span)] {
                    if m < grid.start || m > grid.end {
                        problems.push(outside(span, m));
                        dates_ok = false;
                    }
                }
                if dates_ok {
                    for term in t.terms.iter().step_by(2) {
                        if let Err(e) = term.spec.check(sc) {
                            problems.push(self.term_error(term, &e));
                        }
                    }
                }
            } else {
                for term in &t.terms {
                    if let Err(e) = term.spec.check(sc) {
                        problems.push(self.term_error(term, &e));
                    }
                }
            }
        }
        match Diagnostic::all(problems) {
            Some(d) => Err(d.into()),
            None => Ok(()),
        }
    }
}

/// The content of a string value: its span without the quotes.
fn inner(s: &Spanned<String>) -> usize {
    s.span().start + 1
}

fn target(
    t: &Spanned<RawTarget>,
    file_discrepancy: f64,
    at: &dyn Fn(Range<usize>, String) -> Diagnostic,
) -> std::result::Result<Target, Vec<Diagnostic>> {
    let span = t.span();
    let r = t.get_ref();
    let mut problems = Vec::new();
    let head = span.start..span.start + 10;
    // What it reads.
    let mut terms = Vec::new();
    let mut text = String::new();
    let mut entity_spans = Vec::new();
    let (mut from_span, mut to_span) = (0..0, 0..0);
    match (&r.what, &r.rate) {
        (Some(w), None) => {
            for key in [
                r.of.as_ref().map(Spanned::span),
                r.from.as_ref().map(Spanned::span),
                r.to.as_ref().map(Spanned::span),
            ]
            .into_iter()
            .flatten()
            {
                problems.push(
                    at(key, "`of`, `from` and `to` go with `rate`, not with `what`".into())
                        .hint("an outcome names its entity and date itself: what = \"eu_stage SRB at 2024-12\""),
                );
            }
            match OutcomeSpec::parse(w.get_ref()) {
                Ok(spec) => {
                    text = spec.text.clone();
                    terms.push(Term {
                        spec,
                        weight: 1.0,
                        offset: Some(inner(w)),
                        site: w.span(),
                        metric_site: w.span(),
                    });
                }
                Err(e) => problems.push(
                    at(
                        e.span.start + inner(w)..e.span.end + inner(w),
                        e.message.clone(),
                    )
                    .maybe_hint(e.hint.clone()),
                ),
            }
        }
        (None, Some(metric)) => match rate(r, metric, at) {
            Ok((t, words, spans, from, to)) => {
                terms = t;
                text = words;
                entity_spans = spans;
                from_span = from;
                to_span = to;
            }
            Err(mut p) => problems.append(&mut p),
        },
        (Some(w), Some(_)) => problems
            .push(at(w.span(), "a target has `what` or `rate`, not both".into()).hint(FORMS)),
        (None, None) => {
            problems.push(at(head.clone(), "this target reads nothing".into()).hint(FORMS))
        }
    }
    // What was observed.
    let positive = |v: &Spanned<f64>, name: &str, problems: &mut Vec<Diagnostic>| -> f64 {
        let x = *v.get_ref();
        if !(x.is_finite() && x > 0.0) {
            problems.push(
                at(v.span(), format!("{name} = {x}: it must be above 0"))
                    .hint("an observation is never exact: give its uncertainty as an sd above 0 (e.g. half the width of what the source allows)"),
            );
        }
        x
    };
    let (observed, sd) = match (&r.observed, &r.sd, &r.between) {
        (Some(o), Some(s), None) => {
            if !o.get_ref().is_finite() {
                problems.push(at(o.span(), "observed must be a finite number".into()));
            }
            (*o.get_ref(), positive(s, "sd", &mut problems))
        }
        (None, None, Some(b)) => match b.get_ref().as_slice() {
            [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => {
                ((lo + hi) / 2.0, (hi - lo) / 4.0)
            }
            _ => {
                problems.push(
                    at(b.span(), "`between` needs two numbers, the lower first".into())
                        .hint("between = [0.3, 0.5] reads as observed 0.4 with sd 0.05 (the range as a 95% interval)"),
                );
                (0.0, 1.0)
            }
        },
        (Some(o), None, None) => {
            problems.push(
                at(o.span(), "`observed` needs an `sd`".into())
                    .hint("add sd = the observation's uncertainty, e.g. sd = 0.05"),
            );
            (0.0, 1.0)
        }
        (None, Some(s), None) => {
            problems.push(at(s.span(), "`sd` needs an `observed` value".into()).hint(FORMS));
            (0.0, 1.0)
        }
        (_, _, Some(b)) => {
            problems.push(
                at(
                    b.span(),
                    "`between` replaces `observed` and `sd`: give one or the other".into(),
                )
                .hint("between = [lo, hi] reads as observed (lo + hi)/2, sd (hi − lo)/4"),
            );
            (0.0, 1.0)
        }
        (None, None, None) => {
            problems.push(
                at(head.clone(), "this target has no observation".into())
                    .hint("add observed = X and sd = S, or between = [lo, hi]"),
            );
            (0.0, 1.0)
        }
    };
    let discrepancy = match &r.discrepancy {
        Some(d) if !(d.get_ref().is_finite() && *d.get_ref() >= 0.0) => {
            problems.push(at(
                d.span(),
                format!("discrepancy {} must be ≥ 0", d.get_ref()),
            ));
            0.0
        }
        Some(d) => *d.get_ref(),
        None => file_discrepancy,
    };
    let source = match &r.source {
        Some(s) if !s.get_ref().trim().is_empty() => s.get_ref().trim().to_string(),
        Some(s) => {
            problems.push(
                at(s.span(), "`source` is empty".into()).hint("say where the number comes from"),
            );
            String::new()
        }
        None => {
            problems.push(
                at(head, "this target has no `source`".into())
                    .hint("add source = \"...\": where the observed number comes from, so that a reader can check it"),
            );
            String::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Target {
        text,
        label: r.label.clone(),
        terms,
        observed,
        sd,
        discrepancy,
        source,
        span,
        entity_spans,
        from_span,
        to_span,
    })
}

type Rate = (
    Vec<Term>,
    String,
    Vec<Range<usize>>,
    Range<usize>,
    Range<usize>,
);

/// `rate = METRIC, of = [...], from, to`: the mean change of the metric per
/// entity and year, Σ_e (v(e, to) − v(e, from)) / (entities × years).
fn rate(
    r: &RawTarget,
    metric: &Spanned<String>,
    at: &dyn Fn(Range<usize>, String) -> Diagnostic,
) -> std::result::Result<Rate, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let name = metric.get_ref().trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        problems.push(
            at(metric.span(), format!("`{name}` is not a metric name"))
                .hint("rate = \"eu_stage\": one metric; the entities go in `of`"),
        );
    }
    let month = |m: &Option<Spanned<String>>, key: &str, problems: &mut Vec<Diagnostic>| match m {
        None => {
            problems.push(
                    at(metric.span(), format!("a rate needs `{key}`"))
                        .hint("from = \"2021-12\" and to = \"2024-12\": the change between the ends of those months"),
                );
            None
        }
        Some(s) => match Month::parse(s.get_ref().trim()) {
            Ok(m) => Some((m, s.span())),
            Err(e) => {
                problems.push(
                    at(s.span(), format!("`{}` is not a month: {e}", s.get_ref()))
                        .hint("a month is YYYY-MM"),
                );
                None
            }
        },
    };
    let from = month(&r.from, "from", &mut problems);
    let to = month(&r.to, "to", &mut problems);
    if let (Some((a, _)), Some((b, span))) = (&from, &to)
        && b <= a
    {
        problems.push(at(
            span.clone(),
            format!("`to` ({b}) must come after `from` ({a})"),
        ));
    }
    let of: Vec<&Spanned<String>> = match &r.of {
        Some(list) if !list.get_ref().is_empty() => list.get_ref().iter().collect(),
        Some(list) => {
            problems.push(
                at(list.span(), "`of` is empty".into())
                    .hint("of = [\"ALB\", \"MNE\"]: the entities whose change is averaged"),
            );
            Vec::new()
        }
        None => {
            problems.push(
                at(metric.span(), "a rate needs `of`".into())
                    .hint("of = [\"ALB\", \"MNE\"]: the entities whose change is averaged"),
            );
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let ((from, from_span), (to, to_span)) = (from.expect("checked"), to.expect("checked"));
    let years = f64::from(to.0 - from.0) / 12.0;
    let weight = 1.0 / (of.len() as f64 * years);
    let mut terms = Vec::new();
    for e in &of {
        for (when, sign) in [(to, 1.0), (from, -1.0)] {
            let words = format!("{name} {} at {when}", e.get_ref().trim());
            let spec = OutcomeSpec::parse(&words)
                .map_err(|err| vec![at(e.span(), format!("`{}`: {}", e.get_ref(), err.message))])?;
            terms.push(Term {
                spec,
                weight: sign * weight,
                offset: None,
                site: e.span(),
                metric_site: metric.span(),
            });
        }
    }
    let ids: Vec<&str> = of.iter().map(|e| e.get_ref().trim()).collect();
    let text = format!("{name} per entity-year, {} ({from}..{to})", ids.join(", "));
    Ok((
        terms,
        text,
        of.iter().map(|e| e.span()).collect(),
        from_span,
        to_span,
    ))
}

impl Target {
    /// Made from `rate`, `of`, `from` and `to` (terms: `to`, then `from`, per entity).
    pub fn is_rate(&self) -> bool {
        !self.entity_spans.is_empty()
    }

    /// A rate's `from` and `to`.
    fn months(&self) -> (Month, Month) {
        let month = |t: &Term| match t.spec.when {
            super::outcome::When::EndOf(m) => m,
            _ => unreachable!("a rate's terms are dated"),
        };
        (month(&self.terms[1]), month(&self.terms[0]))
    }
}
