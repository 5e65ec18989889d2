//! The files of a sensitivity analysis: `sensitivity.csv` (tidy: one row
//! per input × statistic), the method's chart and an `index.html` that opens
//! with three plain sentences: what the outcome depends on most, what next,
//! and what hardly matters.

use super::charts::{
    self, Chart, MorrisPlane, MorrisPoint, SobolBar, SobolBars, Tornado, TornadoBar, thousands,
};
use super::html::escape;
use super::outcomes::{is_percent, value_text};
use super::output::{File, chart_files};
use super::tables::{field, num};
use crate::engine::sensitivity::{MorrisIndex, SobolIndex};
use crate::error::Result;
use crate::model::World;
use crate::model::outcome::Outcome;
use std::fmt::Write;

/// An input as the report names it.
#[derive(Debug, Clone)]
pub struct InputView {
    pub key: String,
    pub label: String,
    /// What it ranges over ("{ beta = [6.0, 3.0] }: 5th–95th percentile 0.41 – 0.89").
    pub range: String,
    /// The tornado's low end, middle and high end, as text.
    pub low: String,
    pub middle: String,
    pub high: String,
}

#[derive(Debug, Clone, Copy)]
pub struct TornadoRow {
    /// Mean outcome with the input at its low end, and at its high end.
    pub low: f64,
    pub high: f64,
    /// Standard error of the paired difference high − low.
    pub swing_se: f64,
}

#[derive(Debug, Clone)]
pub enum Findings {
    Tornado {
        base: f64,
        base_se: f64,
        rows: Vec<TornadoRow>,
    },
    Morris {
        r: usize,
        levels: usize,
        indices: Vec<MorrisIndex>,
    },
    Sobol {
        n: usize,
        indices: Vec<SobolIndex>,
        /// Why the intervals cannot rank the inputs, if they cannot.
        problem: Option<String>,
    },
}

impl Findings {
    pub fn method(&self) -> &'static str {
        match self {
            Findings::Tornado { .. } => "tornado",
            Findings::Morris { .. } => "morris",
            Findings::Sobol { .. } => "sobol",
        }
    }

    /// Each input's importance in the method's own measure: the tornado's
    /// swing |high − low|, Morris's μ*, Sobol's total index.
    pub fn importance(&self) -> Vec<f64> {
        match self {
            Findings::Tornado { rows, .. } => rows.iter().map(|r| (r.high - r.low).abs()).collect(),
            Findings::Morris { indices, .. } => indices.iter().map(|m| m.mu_star).collect(),
            Findings::Sobol { indices, .. } => indices.iter().map(|s| s.st).collect(),
        }
    }

    /// Inputs from most to least important (ties in input order).
    pub fn order(&self) -> Vec<usize> {
        let imp = self.importance();
        let mut order: Vec<usize> = (0..imp.len()).collect();
        order.sort_by(|&a, &b| imp[b].total_cmp(&imp[a]).then(a.cmp(&b)));
        order
    }

    /// Does input i hardly matter? Tornado and Morris: under 5% of the
    /// largest input's measure; Sobol: the total index's 95% interval
    /// stays below 0.05.
    pub fn negligible(&self, i: usize) -> bool {
        let imp = self.importance();
        let top = imp.iter().copied().fold(0.0f64, f64::max);
        match self {
            Findings::Sobol { indices, .. } => indices[i].st_hi < HARDLY,
            _ => imp[i] <= top * HARDLY,
        }
    }
}

/// "Hardly matters": 5% (of the largest effect, or of the variance).
const HARDLY: f64 = 0.05;

pub struct SensitivityView<'a> {
    /// The scenario as written (with `--set`), for names and words.
    pub world: &'a World,
    pub outcome: &'a Outcome,
    pub inputs: &'a [InputView],
    pub findings: &'a Findings,
    pub notes: &'a [String],
    pub reps: u64,
    pub seed: u64,
    /// Design points × replications.
    pub runs: u64,
    /// The inputs were named with `--input`.
    pub explicit: bool,
}

/// A change of the outcome: "23 points" for a chance or share, "0.41 stages".
fn change_text(o: &Outcome, d: f64) -> String {
    if is_percent(o) {
        let p = 100.0 * d;
        if p.abs() < 10.0 && p != 0.0 {
            format!("{p:.1} points")
        } else {
            format!("{p:.0} points")
        }
    } else {
        let unit = o.metric.spec().unit;
        format!("{d:.2}{}{unit}", if unit.is_empty() { "" } else { " " })
    }
}

/// The outcome as the subject of a sentence.
fn subject(o: &Outcome) -> String {
    if o.binary && !o.label.to_lowercase().contains("chance") {
        format!("The chance that {}", o.label)
    } else {
        o.label.clone()
    }
}

/// "A", "A and B", "A, B and C".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The three sentences that open the page.
pub fn sentences(v: &SensitivityView) -> [String; 3] {
    let o = v.outcome;
    let f = v.findings;
    let order = f.order();
    let imp = f.importance();
    let name = |i: usize| v.inputs[i].label.clone();
    let k = v.inputs.len();
    let detail = |i: usize| -> String {
        match f {
            Findings::Tornado { rows, .. } if v.inputs[i].low == "never" => format!(
                "{} if it never happens, {} if it always does",
                value_text(o, rows[i].low),
                value_text(o, rows[i].high)
            ),
            Findings::Tornado { rows, .. } => format!(
                "{} at {}, {} at {}",
                value_text(o, rows[i].low),
                v.inputs[i].low,
                value_text(o, rows[i].high),
                v.inputs[i].high
            ),
            Findings::Morris { indices, .. } => format!(
                "moving it across its range moves the outcome by {} on average",
                change_text(o, indices[i].mu_star)
            ),
            Findings::Sobol { indices, .. } => format!(
                "{:.0}% of the outcome's variance with its interactions, {:.0}% alone",
                100.0 * indices[i].st,
                100.0 * indices[i].s1.max(0.0)
            ),
        }
    };
    let top = order[0];
    let first = if imp[top] <= 0.0 {
        format!(
            "{} does not move with any of the {k} inputs varied here.",
            subject(o)
        )
    } else {
        let at = match f {
            Findings::Tornado { base, .. } => format!(
                " ({} with every input at its middle value)",
                value_text(o, *base)
            ),
            _ => String::new(),
        };
        format!(
            "{}{at} depends most on {}: {}.",
            subject(o),
            name(top),
            detail(top)
        )
    };
    let next: Vec<usize> = order[1..]
        .iter()
        .copied()
        .filter(|&i| !f.negligible(i) && imp[i] > 0.0)
        .take(2)
        .collect();
    let second = if next.is_empty() {
        if k == 1 {
            "It is the only input varied.".to_string()
        } else {
            "No other input comes close.".to_string()
        }
    } else {
        let parts: Vec<String> = next
            .iter()
            .map(|&i| format!("{} ({})", name(i), detail(i)))
            .collect();
        format!("Then come {}.", list(&parts))
    };
    let small: Vec<usize> = order.iter().copied().filter(|&i| f.negligible(i)).collect();
    let rule = match f {
        Findings::Sobol { .. } => "its total index stays below 0.05 within its 95% interval",
        Findings::Tornado { .. } => "it moves the outcome by less than 5% of what the first does",
        Findings::Morris { .. } => "its μ* is under 5% of the first's",
    };
    let third = match small.len() {
        0 => format!(
            "None of the {k} inputs can be set aside: each fails the test for hardly mattering ({rule})."
        ),
        1 => format!("{} hardly matters: {rule}.", capital(&name(small[0]))),
        n => {
            let least: Vec<String> = small.iter().rev().take(2).map(|&i| name(i)).collect();
            format!(
                "{} hardly matter, nor do {} of the other {} inputs: for each, {rule}.",
                capital(&list(&least)),
                n - least.len(),
                k - least.len()
            )
        }
    };
    [first, second, third]
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Tidy: one row per input × statistic (a tornado adds its baseline).
pub fn sensitivity_csv(v: &SensitivityView) -> String {
    let mut out = String::from(
        "method,outcome,input,label,low,middle,high,statistic,value,ci_low,ci_high,reps\n",
    );
    let method = v.findings.method();
    let mut row = |input: &InputView, stat: &str, value: f64, ci: Option<(f64, f64)>| {
        let _ = writeln!(
            out,
            "{method},{},{},{},{},{},{},{stat},{},{},{},{}",
            field(v.outcome.text()),
            field(&input.key),
            field(&input.label),
            field(&input.low),
            field(&input.middle),
            field(&input.high),
            num(value),
            ci.map_or(String::new(), |c| num(c.0)),
            ci.map_or(String::new(), |c| num(c.1)),
            v.reps
        );
    };
    match v.findings {
        Findings::Tornado {
            base,
            base_se,
            rows,
        } => {
            let all = InputView {
                key: "(every input at its middle value)".into(),
                label: "baseline".into(),
                range: String::new(),
                low: String::new(),
                middle: String::new(),
                high: String::new(),
            };
            row(
                &all,
                "baseline",
                *base,
                Some((base - 1.96 * base_se, base + 1.96 * base_se)),
            );
            for (input, r) in v.inputs.iter().zip(rows) {
                row(input, "at_low", r.low, None);
                row(input, "at_high", r.high, None);
                let swing = r.high - r.low;
                row(
                    input,
                    "swing",
                    swing,
                    Some((swing - 1.96 * r.swing_se, swing + 1.96 * r.swing_se)),
                );
            }
        }
        Findings::Morris { indices, .. } => {
            for (input, m) in v.inputs.iter().zip(indices) {
                row(input, "mu", m.mu, None);
                row(input, "mu_star", m.mu_star, None);
                row(input, "sigma", m.sigma, None);
            }
        }
        Findings::Sobol { indices, .. } => {
            for (input, s) in v.inputs.iter().zip(indices) {
                row(input, "S1", s.s1, Some((s.s1_lo, s.s1_hi)));
                row(input, "ST", s.st, Some((s.st_lo, s.st_hi)));
            }
        }
    }
    out
}

fn stamp(v: &SensitivityView) -> String {
    format!(
        "{} · seed {} · {} runs per point · dsrsim {}",
        v.world.scenario.name,
        v.seed,
        thousands(v.reps),
        env!("CARGO_PKG_VERSION")
    )
}

pub fn sensitivity_chart(v: &SensitivityView) -> Result<Chart> {
    let o = v.outcome;
    let order = v.findings.order();
    match v.findings {
        Findings::Tornado { base, rows, .. } => {
            let chart = Tornado {
                title: format!("What moves it: {}", o.label),
                subtitle: format!(
                    "Each input alone at its low and high end, the others at their middle values; {} runs per bar end on the same random numbers{}",
                    thousands(v.reps),
                    match rows.iter().filter(|r| r.high == r.low).count() {
                        0 => String::new(),
                        z => format!("; {z} inputs without any effect not drawn"),
                    }
                ),
                stamp: stamp(v),
                x_desc: if o.binary {
                    "chance".into()
                } else {
                    o.metric.spec().y_desc.into()
                },
                percent: is_percent(o),
                base: *base,
                bars: order
                    .iter()
                    .filter(|&&i| rows[i].high != rows[i].low)
                    .map(|&i| TornadoBar {
                        label: v.inputs[i].label.clone(),
                        low: rows[i].low,
                        high: rows[i].high,
                    })
                    .collect(),
                legend: [
                    if v.explicit {
                        "input at its low end".into()
                    } else {
                        "input at its low end (5th percentile; a shock never)".into()
                    },
                    if v.explicit {
                        "at its high end".into()
                    } else {
                        "at its high end (95th; a shock always)".into()
                    },
                    format!("every input at its middle: {}", value_text(o, *base)),
                ],
            };
            charts::render("sensitivity-tornado", &chart.title.clone(), &chart)
        }
        Findings::Morris { r, indices, .. } => {
            let unit = if is_percent(o) {
                " (as a share: 0.1 = 10 points)"
            } else {
                ""
            };
            let chart = MorrisPlane {
                title: format!("Which inputs matter: {}", o.label),
                subtitle: format!(
                    "Morris elementary effects, {r} trajectories × {} runs per point; right = larger effect, up = effect depends on the rest",
                    thousands(v.reps)
                ),
                stamp: stamp(v),
                x_desc: format!(
                    "μ*: mean absolute effect of moving an input across its range{unit}"
                ),
                y_desc: "σ: spread of its effects".into(),
                points: order
                    .iter()
                    .map(|&i| MorrisPoint {
                        label: v.inputs[i].label.clone(),
                        mu_star: indices[i].mu_star,
                        sigma: indices[i].sigma,
                    })
                    .collect(),
            };
            charts::render("sensitivity-morris", &chart.title.clone(), &chart)
        }
        Findings::Sobol { n, indices, .. } => {
            let chart = SobolBars {
                title: format!("Where its uncertainty comes from: {}", o.label),
                subtitle: format!(
                    "Sobol indices, {n} base samples × {} points × {} runs per point; whiskers: 95% bootstrap intervals",
                    v.inputs.len() + 2,
                    thousands(v.reps)
                ),
                stamp: stamp(v),
                bars: order
                    .iter()
                    .map(|&i| {
                        let s = indices[i];
                        SobolBar {
                            label: v.inputs[i].label.clone(),
                            s1: (s.s1, s.s1_lo, s.s1_hi),
                            st: (s.st, s.st_lo, s.st_hi),
                        }
                    })
                    .collect(),
            };
            charts::render("sensitivity-sobol", &chart.title.clone(), &chart)
        }
    }
}

fn method_words(v: &SensitivityView) -> String {
    let k = v.inputs.len();
    match v.findings {
        Findings::Tornado { .. } => format!(
            "A tornado: each of the {k} inputs alone at its low and its high end while the others stay at their middle values, {} runs at each end. Run <em>r</em> uses the same random numbers at every point (common random numbers), so the bars show the inputs' effects, not noise.",
            thousands(v.reps)
        ),
        Findings::Morris { r, levels, .. } => format!(
            "Morris screening: {r} trajectories through a grid of {levels} levels per input, each moving the {k} inputs one at a time; an input's μ* is the mean absolute change of the outcome per move, scaled to its whole range, and σ the spread of those changes (large when its effect depends on the other inputs or bends). {} runs at every point, on common random numbers.",
            thousands(v.reps)
        ),
        Findings::Sobol { n, .. } => format!(
            "Sobol variance decomposition: {n} base samples of the {k} inputs from a scrambled Sobol sequence (Saltelli's design, {} points), {} runs at each point on common random numbers. S1 is the share of the outcome's variance an input explains alone (Saltelli 2010), ST the share it has a part in, with its interactions (Jansen); 95% intervals from 1,000 bootstrap resamples of the base samples.",
            thousands((n * (k + 2)) as u64),
            thousands(v.reps)
        ),
    }
}

fn page(v: &SensitivityView, chart: &Chart) -> String {
    let sc = &v.world.scenario;
    let o = v.outcome;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sensitivity: {} — dsrsim</title><style>{}</style></head><body>",
        escape(&sc.name),
        super::html::STYLE
    );
    let _ = writeln!(h, "<h1>Which assumptions matter: {}</h1>", escape(&sc.name));
    let [a, b, c] = sentences(v);
    let _ = writeln!(
        h,
        "<p class=question><strong>{}</strong> {} {}</p>",
        escape(&a),
        escape(&b),
        escape(&c)
    );
    if let Findings::Sobol {
        problem: Some(p), ..
    } = v.findings
    {
        let _ = writeln!(
            h,
            "<p class=warning><strong>Warning: these intervals are too wide to rank the inputs</strong> — {}. Raise <code>--samples</code> (base samples, now {}) to narrow the intervals, and <code>--reps</code> (now {}) to cut the runs' own noise.</p>",
            escape(p),
            match v.findings {
                Findings::Sobol { n, .. } => *n,
                _ => 0,
            },
            v.reps
        );
    }
    let _ = writeln!(
        h,
        "<p>The outcome: <strong>{}</strong> <span class=small><code>{}</code></span>. {}</p>",
        escape(&o.label),
        escape(o.text()),
        method_words(v)
    );
    let _ = writeln!(
        h,
        "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"><figcaption>{title} — <a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a></figcaption></figure>",
        name = escape(&chart.name),
        title = escape(&chart.title),
        data = super::html::base64(&chart.png)
    );
    h.push_str("<table class=changes><tr><th>input</th><th>key</th><th>range</th>");
    match v.findings {
        Findings::Tornado { .. } => h.push_str(
            "<th>at its low end</th><th>at its high end</th><th>swing (high − low)</th></tr>",
        ),
        Findings::Morris { .. } => h.push_str("<th>μ*</th><th>μ</th><th>σ</th></tr>"),
        Findings::Sobol { .. } => {
            h.push_str("<th>ST (95% interval)</th><th>S1 (95% interval)</th></tr>")
        }
    }
    for i in v.findings.order() {
        let input = &v.inputs[i];
        let _ = write!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td>",
            escape(&input.label),
            escape(&input.key),
            escape(&input.range)
        );
        let _ = match v.findings {
            Findings::Tornado { rows, .. } => {
                let r = rows[i];
                write!(
                    h,
                    "<td class=num>{} ({})</td><td class=num>{} ({})</td><td class=num>{} ± {}</td></tr>",
                    escape(&value_text(o, r.low)),
                    escape(&input.low),
                    escape(&value_text(o, r.high)),
                    escape(&input.high),
                    escape(&change_text(o, r.high - r.low)),
                    escape(&change_text(o, r.swing_se))
                )
            }
            Findings::Morris { indices, .. } => {
                let m = indices[i];
                write!(
                    h,
                    "<td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                    escape(&change_text(o, m.mu_star)),
                    escape(&change_text(o, m.mu)),
                    escape(&change_text(o, m.sigma))
                )
            }
            Findings::Sobol { indices, .. } => {
                let s = indices[i];
                write!(
                    h,
                    "<td class=num>{:.3} ({:.3} – {:.3})</td><td class=num>{:.3} ({:.3} – {:.3})</td></tr>",
                    s.st, s.st_lo, s.st_hi, s.s1, s.s1_lo, s.s1_hi
                )
            }
        };
    }
    h.push_str("</table>");
    if !v.explicit {
        h.push_str("<p class=small>The inputs are the scenario's uncertain ones: every key whose value is a distribution (its 5th–95th percentiles for a tornado and Morris, its whole distribution for Sobol), whether each shock with a probability below 1 fires (a tornado and Morris compare never with always; Sobol draws it with its own probability), and when each shock with a window fires. Name others with <code>--input KEY=LO:HI</code>.</p>");
    }
    for n in v.notes {
        let _ = writeln!(h, "<p class=small>Note: {}</p>", escape(n));
    }
    let _ = writeln!(
        h,
        "<p class=small>Seed {}; {} runs per point, {} runs in all; scenario <code>{}</code>. The numbers are in <a href=\"sensitivity.csv\">sensitivity.csv</a>. Same scenario, inputs, seed and runs give the same bytes on any machine and thread count.</p>\n</body></html>",
        v.seed,
        thousands(v.reps),
        thousands(v.runs),
        escape(
            &sc.files
                .first()
                .map(|f| f.path.display().to_string())
                .unwrap_or_default()
        )
    );
    h
}

/// Every file of a sensitivity analysis, in writing order.
pub fn render_sensitivity(v: &SensitivityView) -> Result<Vec<File>> {
    let chart = sensitivity_chart(v)?;
    let mut files = vec![
        (
            "sensitivity.csv".to_string(),
            sensitivity_csv(v).into_bytes(),
        ),
        ("index.html".to_string(), page(v, &chart).into_bytes()),
    ];
    files.extend(chart_files(std::slice::from_ref(&chart)));
    Ok(files)
}
