//! Outcomes: one number per run, named in one short string (EXPLORE.md §2).
//!
//! ```text
//! METRIC ENTITY at DATE        trusted_procurement SRB at 2030-01
//! class ENTITY CLASS at DATE   class SRB cautious at horizon
//! ```
//!
//! This layer reads the words and checks what the scenario knows (the
//! entity, the date, the class); which metrics exist and which entities
//! report them is the model's catalogue, checked when the world resolves the
//! outcome (`model::outcome`). Every error carries the byte span of the word
//! at fault inside the string, so a caller can point into a file or into a
//! command-line argument alike.

use super::Scenario;
use super::time::{Month, TimeGrid};
use crate::error::{Diagnostic, did_you_mean};
use std::ops::Range;

/// The three groups of the report, in the order of `Classes`' thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Keen,
    Between,
    Cautious,
}

pub const CLASS_NAMES: [&str; 3] = ["keen", "between", "cautious"];

impl Class {
    pub fn name(self) -> &'static str {
        CLASS_NAMES[self as usize]
    }

    fn parse(word: &str) -> Option<Class> {
        match word {
            "keen" => Some(Class::Keen),
            "between" => Some(Class::Between),
            "cautious" => Some(Class::Cautious),
            _ => None,
        }
    }
}

/// What is measured at the date.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// A metric's value, by its catalogue name (checked by the model).
    Metric(String),
    /// 1 when the entity is in this class, else 0 (its mean is a probability).
    Class(Class),
}

/// When: the first point, the last, or the state at the end of a month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    Start,
    Horizon,
    /// The end of this month (the last grid point at or before it).
    EndOf(Month),
}

/// A parsed outcome, with the spans of its words for later errors.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeSpec {
    /// The string as written, whitespace normalised.
    pub text: String,
    pub measure: Measure,
    pub entity: String,
    pub when: When,
    /// Where the metric (or `class`) word is in the string as written.
    pub measure_span: Range<usize>,
    pub entity_span: Range<usize>,
    pub date_span: Range<usize>,
}

/// An outcome the scenario lists as a headline (`[[outcome]]`).
#[derive(Debug, Clone)]
pub struct HeadlineOutcome {
    pub spec: OutcomeSpec,
    pub label: Option<String>,
    /// Where `what` was written, for the model's checks (unknown metric).
    pub site: Diagnostic,
}

/// A failed parse: the message, the span of the word at fault, a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeError {
    pub message: String,
    pub span: Range<usize>,
    pub hint: Option<String>,
}

impl OutcomeError {
    fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        OutcomeError {
            message: message.into(),
            span,
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// As a diagnostic pointing into `text`, read from `origin` (a file or
    /// `--outcome`), where the string starts at byte `offset`.
    pub fn at(&self, origin: &std::path::Path, text: &str, offset: usize) -> Diagnostic {
        Diagnostic::new(self.message.clone())
            .at(
                origin,
                text,
                offset + self.span.start..offset + self.span.end,
            )
            .maybe_hint(self.hint.clone())
    }
}

const SYNTAX: &str = "write `METRIC ENTITY at DATE` (e.g. `trusted_procurement SRB at 2030-12`) or `class ENTITY CLASS at DATE` (e.g. `class SRB cautious at horizon`); DATE is YYYY-MM, `start` or `horizon`";

/// The words of `text` with their byte spans.
fn words(text: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (ch.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((&text[s..i], s..i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

impl OutcomeSpec {
    /// Read the words; checks nothing about the scenario.
    pub fn parse(text: &str) -> Result<OutcomeSpec, OutcomeError> {
        let w = words(text);
        let end = text.len()..text.len();
        if w.is_empty() {
            return Err(OutcomeError::new("the outcome is empty", 0..text.len()).hint(SYNTAX));
        }
        let (measure, measure_span, entity_at) = if w[0].0 == "class" {
            let Some((entity, _)) = w.get(1) else {
                return Err(
                    OutcomeError::new("`class` needs an entity and a class", end).hint(SYNTAX),
                );
            };
            let Some((class, class_span)) = w.get(2) else {
                return Err(OutcomeError::new(
                    format!("`class {entity}` needs a class: keen, between or cautious"),
                    end,
                )
                .hint(SYNTAX));
            };
            let class = Class::parse(class).ok_or_else(|| {
                OutcomeError::new(format!("`{class}` is not a class"), class_span.clone()).hint(
                    did_you_mean(class, CLASS_NAMES)
                        .unwrap_or_else(|| "the classes are keen, between and cautious".into()),
                )
            })?;
            (Measure::Class(class), w[0].1.clone(), 1)
        } else {
            (Measure::Metric(w[0].0.to_string()), w[0].1.clone(), 1)
        };
        let Some((entity, entity_span)) = w.get(entity_at) else {
            return Err(OutcomeError::new(
                format!(
                    "`{}` needs an entity (a country, polity or operator id)",
                    w[0].0
                ),
                end,
            )
            .hint(SYNTAX));
        };
        let at = if matches!(measure, Measure::Class(_)) {
            3
        } else {
            2
        };
        let date_span = w.get(at + 1).map_or(end.clone(), |(_, s)| s.clone());
        let when = match (w.get(at), w.get(at + 1)) {
            (Some(("at", _)), Some((date, span))) => match *date {
                "start" => When::Start,
                "horizon" | "end" => When::Horizon,
                d => When::EndOf(Month::parse(d).map_err(|e| {
                    OutcomeError::new(format!("`{d}` is not a date: {e}"), span.clone())
                        .hint("a date is YYYY-MM (the state at the end of that month), `start` or `horizon`")
                })?),
            },
            (Some(("at", span)), None) => {
                return Err(OutcomeError::new("`at` needs a date", span.end..span.end)
                    .hint("a date is YYYY-MM (the state at the end of that month), `start` or `horizon`"));
            }
            (Some((word, span)), _) => {
                return Err(OutcomeError::new(format!("expected `at DATE`, found `{word}`"), span.clone()).hint(SYNTAX));
            }
            (None, _) => {
                return Err(OutcomeError::new("missing `at DATE`", end).hint(SYNTAX));
            }
        };
        if let Some((word, span)) = w.get(at + 2) {
            return Err(OutcomeError::new(
                format!("unexpected `{word}` after the date"),
                span.start..text.len(),
            )
            .hint(SYNTAX));
        }
        Ok(OutcomeSpec {
            text: w.iter().map(|(s, _)| *s).collect::<Vec<_>>().join(" "),
            measure,
            entity: entity.to_string(),
            when,
            measure_span,
            entity_span: entity_span.clone(),
            date_span,
        })
    }

    /// Check the entity and the date against the scenario.
    pub fn check(&self, sc: &Scenario) -> Result<(), OutcomeError> {
        self.check_parts(
            sc.polities
                .iter()
                .map(|p| p.id.as_str())
                .chain(sc.operators.iter().map(|o| o.id.as_str())),
            &sc.grid,
        )
    }

    pub(super) fn check_parts<'a>(
        &self,
        entities: impl Iterator<Item = &'a str> + Clone,
        grid: &TimeGrid,
    ) -> Result<(), OutcomeError> {
        if !entities.clone().any(|e| e == self.entity) {
            let hint = did_you_mean(&self.entity, entities.clone()).unwrap_or_else(|| {
                let known: Vec<&str> = entities.take(16).collect();
                format!("known ids: {}", known.join(", "))
            });
            return Err(OutcomeError::new(
                format!(
                    "`{}` is not a polity or operator of this scenario",
                    self.entity
                ),
                self.entity_span.clone(),
            )
            .hint(hint));
        }
        if let When::EndOf(m) = self.when
            && (m < grid.start || m > grid.end)
        {
            return Err(OutcomeError::new(
                format!("{m} is outside the run ({}..{})", grid.start, grid.end),
                self.date_span.clone(),
            )
            .hint("use a month between the scenario's `start` and `end`, or `horizon`"));
        }
        Ok(())
    }

    /// The grid point the outcome reads.
    pub fn point(&self, grid: &TimeGrid) -> usize {
        let last = grid.points() - 1;
        match self.when {
            When::Start => 0,
            When::Horizon => last,
            // Point j is the state at the start of its month, i.e. at the
            // end of the month before: the end of m is the start of m + 1.
            When::EndOf(m) => {
                (((m.0 + 1 - grid.start.0) / grid.step_months).max(0) as usize).min(last)
            }
        }
    }
}
