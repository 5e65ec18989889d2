//! The workshop page (`simulate workshop`): the page itself, compiled into
//! the binary, and the pieces of an answer it redraws — the headline
//! outcomes, the project's own charts as SVG (the same drawings `run` and
//! `compare` write, so the page and the files look alike), the shock
//! timeline and, with a pinned state, compare's paired differences.
//! Pure: no sockets, no runs; `app::workshop` serves and simulates.

use super::charts::{self, ChartSpec, Draw, Spec};
use super::html::escape;
use super::{RunInfo, compare, explain, outcomes};
use crate::engine::{Differences, Summary};
use crate::error::{Error, Result};
use crate::model::{Metric, World};
use crate::scenario::Scenario;
use crate::scenario::lever::{Lever, LeverKind};
use plotters::prelude::*;
use serde_json::{Value, json};

const PAGE: &str = include_str!("workshop/page.html");
const STYLE: &str = include_str!("workshop/page.css");
const SCRIPT: &str = include_str!("workshop/page.js");

/// The page: one HTML document with its style and script inline; nothing
/// is fetched from anywhere but the server's own `/api/` routes.
pub fn page(sc: &Scenario) -> String {
    PAGE.replace("{{TITLE}}", &escape(&sc.name))
        .replace("/*{{STYLE}}*/", STYLE)
        .replace("/*{{SCRIPT}}*/", SCRIPT)
}

/// What the page needs before its first answer: the question, the levers
/// with where the file puts them, the metrics the fan chart may show, and
/// the two run counts.
pub fn setup(sc: &Scenario, levers: &[Lever], quick: u64, full: u64, metric: Metric) -> Value {
    let file = file_values(sc);
    json!({
        "name": sc.name,
        "question": sc.question.clone().unwrap_or_else(|| sc.description.clone()),
        "levers": levers.iter().map(|l| lever_json(l, &file)).collect::<Vec<_>>(),
        "metrics": Metric::fans().iter().map(|m| json!({"name": m.name(), "title": m.chart_title()})).collect::<Vec<_>>(),
        "metric": metric.name(),
        "quick_runs": quick,
        "full_runs": full,
        "seed": sc.seed,
    })
}

fn lever_json(l: &Lever, file: &toml::Table) -> Value {
    let (kind, lo, hi, step) = match &l.kind {
        LeverKind::Number { lo, hi, step } => ("number", json!(lo), json!(hi), json!(step)),
        LeverKind::Months { lo, hi, step } => (
            "month",
            json!(lo.to_string()),
            json!(hi.to_string()),
            json!(step),
        ),
        LeverKind::Switch => ("switch", Value::Null, Value::Null, Value::Null),
    };
    let (value, text) = file_value(file, &l.key);
    json!({
        "key": l.key,
        "label": l.label,
        "kind": kind,
        "lo": lo,
        "hi": hi,
        "step": step,
        // Where the file puts it: a plain value the control starts at, or
        // None (a distribution, a window, unset) with words for it.
        "value": value,
        "file": text,
    })
}

/// The scenario as its resolved file, read back as a table: the one
/// serialisation that names every value by the keys a lever uses.
fn file_values(sc: &Scenario) -> toml::Table {
    toml::from_str(&super::resolved_toml(sc, sc.runs, sc.seed)).unwrap_or_default()
}

/// The value at a key path in the resolved file: (plain value, words).
fn file_value(file: &toml::Table, key: &str) -> (Value, String) {
    let parts: Vec<&str> = key.split('.').collect();
    let entry = match parts.as_slice() {
        ["parameters", name] => file.get("parameters").and_then(|p| p.get(*name)).cloned(),
        ["scenario", name] => file.get("scenario").and_then(|p| p.get(*name)).cloned(),
        [table, id @ .., name] if !id.is_empty() => {
            let id = id.join(".");
            let entry = file.get(*table).and_then(|t| t.as_array()).and_then(|a| {
                a.iter()
                    .find(|e| e.get("id").and_then(|i| i.as_str()) == Some(&id))
            });
            match (
                entry.and_then(|e| e.get(*name)),
                entry.and_then(|e| e.get("window")),
            ) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(toml::Value::Array(w))) if *name == "date" && w.len() == 2 => {
                    let m = |v: &toml::Value| v.as_str().unwrap_or("").to_string();
                    return (
                        Value::Null,
                        format!("a month drawn from {} to {}", m(&w[0]), m(&w[1])),
                    );
                }
                _ => None,
            }
        }
        _ => None,
    };
    match entry {
        Some(toml::Value::Float(x)) => (json!(x), format!("{x}")),
        Some(toml::Value::Integer(x)) => (json!(x), format!("{x}")),
        Some(toml::Value::Boolean(b)) => (json!(b), format!("{b}")),
        Some(toml::Value::String(s)) => (json!(s), s),
        Some(toml::Value::Table(law)) => (Value::Null, drawn_words(&law)),
        Some(other) => (Value::Null, format!("drawn: {other}")),
        None => (Value::Null, "not set".into()),
    }
}

/// A distribution as the room reads it: "drawn from 0.3 to 0.8" (uniform),
/// "drawn from beta(8, 2)", not the file's `{ uniform = [0.3, 0.8] }`.
fn drawn_words(law: &toml::Table) -> String {
    let mut laws = law.iter();
    let (Some((name, toml::Value::Array(args))), None) = (laws.next(), laws.next()) else {
        return format!("drawn: {law}");
    };
    let args: Vec<String> = args.iter().map(ToString::to_string).collect();
    match (name.as_str(), args.as_slice()) {
        ("uniform", [lo, hi]) => format!("drawn from {lo} to {hi}"),
        _ => format!("drawn from {name}({})", args.join(", ")),
    }
}

/// One answer: the current state A (and, pinned, B on the same runs with
/// the paired differences), drawn for the page.
pub struct Answer<'a> {
    pub a: &'a World,
    pub summary_a: &'a Summary,
    /// The file as written, for what the levers changed in the timeline.
    pub file: &'a Scenario,
    pub pinned: Option<Pinned<'a>>,
    pub info: RunInfo,
    /// The full count or fewer.
    pub full: bool,
    pub metric: Metric,
}

pub struct Pinned<'a> {
    pub b: &'a World,
    pub summary_b: &'a Summary,
    pub diffs: &'a [Differences],
}

impl Answer<'_> {
    pub fn to_json(&self) -> Result<Value> {
        let a = self.a;
        let headline = a.headline_outcomes();
        let mut numbers = Vec::new();
        for (k, o) in headline.iter().enumerate() {
            let s = self.summary_a.outcomes.stats(k);
            let mut n = json!({
                "what": o.text(),
                "label": o.label,
                "probability": o.binary,
                "mean": s.mean,
                "text": outcomes::value_text(o, s.mean),
                "standard_error": s.se,
            });
            if let Some(p) = &self.pinned {
                let sb = p.summary_b.outcomes.stats(k);
                n["b_mean"] = json!(sb.mean);
                n["b_text"] = json!(outcomes::value_text(o, sb.mean));
            }
            numbers.push(n);
        }
        let wanted = |name: &str| {
            name == "classes"
                || name == format!("fan-{}", self.metric.name())
                || name == format!("overlay-{}", self.metric.name())
                || name == format!("diff-{}", self.metric.name())
        };
        let specs: Vec<Spec> = match &self.pinned {
            None => charts::run_charts_named(a, &self.summary_a.aggregate, &self.info, &wanted),
            Some(p) => compare::compare_charts_named(
                &[a, p.b],
                &[self.summary_a, p.summary_b],
                p.diffs,
                &self.info,
                &wanted,
            ),
        };
        let drawn = {
            use rayon::prelude::*;
            specs
                .par_iter()
                .map(|(name, title, spec)| {
                    Ok(json!({"name": name, "title": title, "svg": svg(name, spec)?}))
                })
                .collect::<Result<Vec<Value>>>()?
        };
        let differences = self
            .pinned
            .as_ref()
            .map(|p| compare::differences_html(&[a, p.b], p.diffs, &[self.summary_a, p.summary_b]));
        Ok(json!({
            "runs": self.info.runs,
            "full": self.full,
            "seed": self.info.seed,
            "headline": numbers,
            "headline_html": outcomes::headline_html(a, self.summary_a, &self.info),
            "charts": drawn,
            "timeline": timeline(self.file, &a.scenario),
            "differences_html": differences,
        }))
    }
}

/// The timeline of the current state, each line marked when the levers
/// changed it from the file's.
fn timeline(file: &Scenario, now: &Scenario) -> Vec<Value> {
    let before = explain::timeline(file);
    explain::timeline(now)
        .into_iter()
        .map(|line| {
            let changed = !before.contains(&line);
            json!({"text": line.trim(), "changed": changed})
        })
        .collect()
}

/// A chart as SVG only (the page needs no PNG): the drawing `run` writes.
fn svg(name: &str, spec: &ChartSpec) -> Result<String> {
    charts::init_fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, charts::SIZE).into_drawing_area();
        spec.draw(&root)
            .and_then(|_| root.present().map_err(charts::err))
            .map_err(|e| Error::Other(format!("cannot draw chart {name} as SVG: {e}")))?;
    }
    Ok(out)
}
