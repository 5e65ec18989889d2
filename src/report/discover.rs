//! A discovery's files: the box in sentences a workshop can read aloud,
//! `discover.csv` (every box of the trajectory and its limits), the
//! trade-off chart and `index.html`.

use super::File;
use super::charts::{Chart, DiscoverTradeOff, render, thousands};
use super::html::{STYLE, base64, escape};
use crate::engine::prim::{PrimBox, Trajectory};
use crate::model::World;
use crate::model::outcome::Outcome;
use crate::scenario::params::PARAMS;
use std::fmt::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Comparison {
    AtLeast,
    AtMost,
}

/// What counts as "it happens": an outcome at or above (below) a value.
#[derive(Debug, Clone)]
pub struct Condition {
    pub outcome: Outcome,
    /// The outcome's words (the file's label when it names one).
    pub label: String,
    pub comparison: Comparison,
    pub value: f64,
}

impl Condition {
    pub fn holds(&self, v: f64) -> bool {
        match self.comparison {
            Comparison::AtLeast => v >= self.value,
            Comparison::AtMost => v <= self.value,
        }
    }

    /// "Serbia buys mostly trusted by the end of 2035", "Serbia: … is at least 0.8".
    pub fn words(&self) -> String {
        let o = &self.outcome;
        match self.comparison {
            Comparison::AtLeast if o.binary && self.value > 0.0 && self.value <= 1.0 => {
                self.label.clone()
            }
            Comparison::AtMost if o.binary && (0.0..1.0).contains(&self.value) => {
                format!("not so: {}", self.label)
            }
            Comparison::AtLeast => format!("{} is at least {}", self.label, num(self.value)),
            Comparison::AtMost => format!("{} is at most {}", self.label, num(self.value)),
        }
    }

    /// The condition as it was asked (`class SRB cautious at 2035-12 >= 1`).
    pub fn text(&self) -> String {
        let op = match self.comparison {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
        };
        format!("{} {op} {}", self.outcome.text(), num(self.value))
    }
}

/// What an input column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InputKind {
    /// A parameter (its index in the catalogue) drawn from a distribution.
    Parameter(usize),
    /// A country's (by polity index) orientation at the start.
    StartOrientation(usize),
    /// The step a shock fired in (infinity: never).
    Shock(usize),
}

#[derive(Debug, Clone)]
pub struct Input {
    /// Its name in discover.csv.
    pub key: String,
    pub kind: InputKind,
}

pub struct DiscoverView<'a> {
    pub world: &'a World,
    pub condition: &'a Condition,
    pub inputs: &'a [Input],
    pub trajectory: &'a Trajectory,
    /// The box the rule chose on the trajectory.
    pub chosen: usize,
    /// The chosen box, pasted and with the limits that add little lifted,
    /// measured on the check runs (runs N..2N, which the peel did not see).
    pub told: &'a PrimBox,
    /// Runs where it happens, and runs, among the check runs.
    pub check: (usize, usize),
    /// The first run in the told box where it happens.
    pub example_run: Option<u64>,
    pub runs: u64,
    pub seed: u64,
    pub alpha: f64,
    pub min_coverage: f64,
    pub min_share: f64,
    pub file: &'a Path,
}

fn num(x: f64) -> String {
    crate::scenario::dist::fmt_num(x)
}

/// `x` to three significant digits, rounded away from the box (`up` for
/// an upper limit), so that "below 0.231" is true of every run in it.
fn limit(x: f64, up: bool) -> String {
    if x == 0.0 || !x.is_finite() {
        return num(x);
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    let r = if up {
        (x * scale).ceil() / scale
    } else {
        (x * scale).floor() / scale
    };
    num(format!("{r:.10}").parse().unwrap_or(r))
}

/// A share as a whole percent ("74%"), with a decimal below 10%.
pub fn pct(x: f64) -> String {
    let p = 100.0 * x;
    if p > 0.0 && p < 9.95 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

impl DiscoverView<'_> {
    fn full(&self) -> &PrimBox {
        &self.trajectory.boxes[0]
    }

    /// The month a step starts in, and the last month it covers.
    fn first_month(&self, step: f64) -> String {
        self.world
            .scenario
            .grid
            .point_date(step as usize)
            .to_string()
    }

    fn last_month(&self, step: f64) -> String {
        self.world
            .scenario
            .grid
            .point_date(step as usize + 1)
            .plus(-1)
            .to_string()
    }

    /// The input's name in a sentence.
    pub fn subject(&self, input: &Input) -> String {
        let sc = &self.world.scenario;
        match input.kind {
            InputKind::Parameter(j) => {
                let p = &PARAMS[j];
                let meaning = p.meaning.split(" (").next().unwrap_or(p.meaning);
                if meaning.starts_with("how ") {
                    format!("{} ({meaning})", p.name)
                } else {
                    format!("the {meaning} ({})", p.name)
                }
            }
            InputKind::StartOrientation(c) => {
                format!("{}'s orientation at the start", sc.polities[c].name)
            }
            InputKind::Shock(i) => format!("“{}”", shock_name(self.world, i)),
        }
    }

    /// One limit of the told box in words, or None where it restricts nothing.
    pub fn restriction(&self, d: usize, b: &PrimBox) -> Option<String> {
        let (lo, hi) = b.limits[d];
        let (flo, fhi) = self.full().limits[d];
        let (cut_lo, cut_hi) = (lo > flo, hi < fhi);
        if !cut_lo && !cut_hi {
            return None;
        }
        let who = self.subject(&self.inputs[d]);
        Some(match self.inputs[d].kind {
            InputKind::Shock(_) => {
                let latest = self.finite_max(d);
                let (early, late) = (lo > flo, hi < latest);
                if lo.is_infinite() {
                    format!("{who} does not happen")
                } else if hi.is_infinite() {
                    format!(
                        "{who} happens no earlier than {}, or not at all",
                        self.first_month(lo)
                    )
                } else if flo == latest {
                    format!("{who} happens")
                } else if early && late {
                    format!(
                        "{who} happens between {} and {}",
                        self.first_month(lo),
                        self.last_month(hi)
                    )
                } else if early {
                    format!("{who} happens, no earlier than {}", self.first_month(lo))
                } else if late {
                    format!("{who} happens by {}", self.last_month(hi))
                } else {
                    format!("{who} happens")
                }
            }
            _ => match (cut_lo, cut_hi) {
                (true, true) => format!(
                    "{who} is between {} and {}",
                    limit(lo, false),
                    limit(hi, true)
                ),
                (true, false) => format!("{who} is above {}", limit(lo, false)),
                _ => format!("{who} is below {}", limit(hi, true)),
            },
        })
    }

    /// The latest date a shock column holds (its values but never).
    fn finite_max(&self, d: usize) -> f64 {
        // The full box's upper limit is never (infinity) when some run did
        // not fire; the latest firing is then what the told box's own
        // finite limits are compared with.
        let (_, fhi) = self.full().limits[d];
        if fhi.is_finite() {
            fhi
        } else {
            self.trajectory
                .boxes
                .iter()
                .map(|b| b.limits[d].1)
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max)
        }
    }

    /// The sentences to read aloud.
    pub fn sentences(&self) -> Vec<String> {
        let b = self.told;
        // The told box's numbers are the check runs', and so is the base.
        let (hits, cases) = self.check;
        let base = hits as f64 / cases as f64;
        let (hits, cases) = (hits as u64, cases as u64);
        let cond = capitalise(&self.condition.words());
        let limits: Vec<String> = (0..self.inputs.len())
            .filter_map(|d| self.restriction(d, b))
            .collect();
        let mut out = Vec::new();
        if limits.is_empty() {
            out.push(format!(
                "{cond} in {} of all runs, and no box of the inputs discover sees makes it reliably more likely: every limit PRIM found is within chance or adds little.",
                pct(base)
            ));
            return out;
        }
        out.push(format!(
            "{cond} in {} of runs where {} ({} of all runs; they hold {} of the runs where it happens).",
            pct(b.density),
            join(&limits),
            pct(b.mass),
            pct(b.coverage)
        ));
        out.push(format!(
            "In all runs it happens in {} ({} of {}).",
            pct(base),
            thousands(hits),
            thousands(cases)
        ));
        if (0..self.inputs.len()).any(|d| {
            matches!(self.inputs[d].kind, InputKind::StartOrientation(_))
                && self.restriction(d, b).is_some()
        }) {
            out.push(
                "(Orientation runs from 0, aligned with Beijing, to 1, aligned with the EU/US.)"
                    .into(),
            );
        }
        if let Some(r) = self.example_run {
            out.push(format!(
                "Run {r} is one of them: tell it with `simulate story {} --run {r}`.",
                self.file.display()
            ));
        }
        out
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// "a, b and c".
fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A shock's label, else what it does and where.
pub fn shock_name(world: &World, i: usize) -> String {
    let sc = &world.scenario;
    let s = &sc.shocks[i];
    s.label
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| {
            format!(
                "{} in {}",
                s.effect.what(sc),
                super::explain::shock_target(sc, &s.effect)
            )
        })
}

fn csv_value(v: &DiscoverView, d: usize, x: f64, upper: bool) -> String {
    match v.inputs[d].kind {
        InputKind::Shock(_) if x.is_infinite() => "never".into(),
        InputKind::Shock(_) if upper => v.last_month(x),
        InputKind::Shock(_) => v.first_month(x),
        _ => format!("{x}"),
    }
}

/// Every box of the trajectory, the chosen one marked, and the box told.
pub fn discover_csv(v: &DiscoverView) -> String {
    let mut s = String::from("box,kind,runs,hits,mass,coverage,density");
    for i in v.inputs {
        let _ = write!(s, ",{0}:lo,{0}:hi", i.key);
    }
    s.push('\n');
    let mut row = |name: String, kind: &str, b: &PrimBox| {
        let _ = write!(
            s,
            "{name},{kind},{},{},{},{},{}",
            b.cases, b.hits, b.mass, b.coverage, b.density
        );
        for (d, &(lo, hi)) in b.limits.iter().enumerate() {
            if lo == f64::NEG_INFINITY {
                // A limit the told box lifted: any value (or never).
                s.push_str(",,");
            } else {
                let _ = write!(
                    s,
                    ",{},{}",
                    csv_value(v, d, lo, false),
                    csv_value(v, d, hi, true)
                );
            }
        }
        s.push('\n');
    };
    for (k, b) in v.trajectory.boxes.iter().enumerate() {
        row(
            k.to_string(),
            if k == v.chosen { "chosen" } else { "peel" },
            b,
        );
    }
    row("told".into(), "told", v.told);
    s
}

fn stamp(v: &DiscoverView) -> String {
    format!(
        "{} · seed {} · {} runs · dsrsim {}",
        v.world.scenario.name,
        v.seed,
        thousands(v.runs),
        env!("CARGO_PKG_VERSION")
    )
}

fn chart(v: &DiscoverView) -> crate::error::Result<Chart> {
    let t = v.trajectory;
    let restricted = v.told.restricted(&t.boxes[0]).len();
    let c = DiscoverTradeOff {
        title: "In which runs does it happen?".into(),
        subtitle: format!("{} — boxes of inputs found by PRIM", v.condition.words()),
        stamp: stamp(v),
        trajectory: t.boxes.iter().map(|b| (b.coverage, b.density)).collect(),
        chosen: v.chosen,
        told: (v.told.coverage, v.told.density),
        told_label: format!(
            "the box told, on fresh runs: {restricted} limit{}, {} of all runs",
            if restricted == 1 { "" } else { "s" },
            pct(v.told.mass)
        ),
        base: t.hits as f64 / t.cases as f64,
    };
    render(
        "discover-tradeoff",
        "Coverage and density of PRIM's boxes",
        &c,
    )
}

fn page(v: &DiscoverView, chart: &Chart) -> String {
    let sc = &v.world.scenario;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Discover: {} — dsrsim</title><style>{STYLE}</style></head><body>",
        escape(&sc.name)
    );
    let _ = writeln!(h, "<h1>In which runs does it happen?</h1>");
    let _ = writeln!(
        h,
        "<p class=question><strong>{}</strong><br><code>{}</code> in <em>{}</em></p>",
        escape(&capitalise(&v.condition.words())),
        escape(&v.condition.text()),
        escape(&sc.name)
    );
    for s in v.sentences() {
        let _ = writeln!(h, "<p style=\"font-size:26px\">{}</p>", escape(&s));
    }
    let _ = writeln!(
        h,
        "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"><figcaption>{title} — <a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a></figcaption></figure>",
        name = escape(&chart.name),
        title = escape(&chart.title),
        data = base64(&chart.png)
    );
    let _ = writeln!(h, "<h2>The box told, limit by limit</h2>");
    h.push_str("<table><tr><th>input</th><th>in the box</th><th>in all runs</th></tr>");
    let full = &v.trajectory.boxes[0];
    for d in v.told.restricted(full) {
        let range = |b: &PrimBox| {
            format!(
                "{} – {}",
                csv_value(v, d, b.limits[d].0, false),
                csv_value(v, d, b.limits[d].1, true)
            )
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&v.subject(&v.inputs[d])),
            escape(&range(v.told)),
            escape(&range(full))
        );
    }
    h.push_str("</table>");
    let _ = writeln!(h, "<h2>The peel, box by box</h2>");
    h.push_str(
        "<table><tr><th>box</th><th>runs</th><th>coverage</th><th>density</th><th>limits</th></tr>",
    );
    for (k, b) in v.trajectory.boxes.iter().enumerate() {
        let limits: Vec<String> = (0..v.inputs.len())
            .filter_map(|d| v.restriction(d, b))
            .collect();
        let _ = write!(
            h,
            "<tr{}><td>{k}{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td>{}</td></tr>",
            if k == v.chosen {
                " style=\"font-weight:bold\""
            } else {
                ""
            },
            if k == v.chosen { " (chosen)" } else { "" },
            thousands(b.cases as u64),
            pct(b.coverage),
            pct(b.density),
            escape(&if limits.is_empty() {
                "all runs".to_string()
            } else {
                join(&limits)
            })
        );
    }
    h.push_str("</table>");
    let _ = writeln!(
        h,
        "<p class=small>How the box was found: PRIM (patient rule induction, Friedman &amp; Fisher) over each run's inputs — the parameters the file draws, each country's orientation at the start, and when each shock fired (or that it did not). Each peel cuts {} of the runs in the box off one end of one input, the cut that raises the density most per run removed, until no cut raises it or the box would hold fewer than 5% of all runs. The peel sees runs 0 to {n} − 1; the box told is checked, and its figures measured, on runs {n} to {twice} − 1, which the peel never saw (peeling picks each cut as the best of dozens, so on its own runs every cut looks useful). The box told is the densest box of the peel that still holds at least {} of the runs where it happens, widened again where that raises its density (pasting), with every limit lifted, least useful first, whose lifting would lower the density by less than three standard errors (it may be chance) or by less than {} of what the box gains over all runs (it adds little). Inputs the model draws but does not record per run (each polity's target and leverage, each operator's starting network) are not among them.</p>",
        pct(v.alpha),
        pct(v.min_coverage),
        pct(v.min_share),
        n = thousands(v.runs),
        twice = thousands(2 * v.runs),
    );
    let _ = writeln!(
        h,
        "<p class=small>Seed {}; {} runs; scenario <code>{}</code>. Every box is in <a href=\"discover.csv\">discover.csv</a> (the told box's row: its figures on the check runs; an empty limit is lifted). Same scenario, condition, seed and runs give the same bytes on any machine and thread count.</p>\n</body></html>",
        v.seed,
        thousands(v.runs),
        escape(&v.file.display().to_string())
    );
    h
}

/// Every file of a discovery, in writing order.
pub fn render_discover(v: &DiscoverView) -> crate::error::Result<Vec<File>> {
    let chart = chart(v)?;
    let mut files = vec![
        ("discover.csv".to_string(), discover_csv(v).into_bytes()),
        ("index.html".to_string(), page(v, &chart).into_bytes()),
    ];
    files.extend(super::chart_files(std::slice::from_ref(&chart)));
    Ok(files)
}
