//! The files of a sweep: `sweep.csv` (tidy: one row per point × outcome),
//! a chart per outcome (a line with bands for one varied key, a heat map for
//! two) and an `index.html` that leads with them.

use super::charts::{self, Chart, SweepHeat, SweepLine, SweepPoint, thousands};
use super::html::escape;
use super::outcomes::{is_percent, range_text, se_text, value_text};
use super::output::{File, chart_files};
use super::tables::{field, num};
use crate::engine::experiment::ExperimentResult;
use crate::error::Result;
use crate::model::World;
use crate::model::outcome::Outcome;
use std::fmt::Write;

/// One varied key and its values, in grid order.
#[derive(Debug, Clone)]
pub struct SweepAxis {
    pub key: String,
    pub values: Vec<f64>,
    /// The values are months (counted from year 0), written YYYY-MM.
    pub months: bool,
}

impl SweepAxis {
    pub fn text(&self, i: usize) -> String {
        let v = self.values[i];
        if self.months {
            let m = v.round() as i64;
            format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
        } else {
            format!("{v}")
        }
    }
}

/// What a sweep ran and found. Point p is, for one axis, value p; for two,
/// `(p % n0, p / n0)`: the first key varies fastest.
pub struct SweepView<'a> {
    /// The scenario as written (no key varied), for names and words.
    pub world: &'a World,
    pub axes: &'a [SweepAxis],
    pub outcomes: &'a [Outcome],
    pub result: &'a ExperimentResult,
    pub reps: u64,
    pub seed: u64,
    pub precision: Option<crate::engine::PrecisionReport>,
}

impl SweepView<'_> {
    fn coordinates(&self, p: usize) -> Vec<usize> {
        let n0 = self.axes[0].values.len();
        match self.axes.len() {
            1 => vec![p],
            _ => vec![p % n0, p / n0],
        }
    }

    fn points(&self) -> usize {
        self.result.points.len()
    }

    /// "eu_conditionality = 0.3, polity.SRB.orientation = 0.5".
    fn point_words(&self, p: usize) -> String {
        self.axes
            .iter()
            .zip(self.coordinates(p))
            .map(|(a, i)| format!("{} = {}", a.key, a.text(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Tidy: one row per point × outcome, with the paired change against point 0.
pub fn sweep_csv(v: &SweepView) -> String {
    let mut out = String::from("point,");
    for a in v.axes {
        let _ = write!(out, "{},", field(&a.key));
    }
    out.push_str("outcome,label,runs,mean,se,p05,p25,p50,p75,p95,change_vs_first,change_se,p_above_first,p_below_first\n");
    for p in 0..v.points() {
        for (k, o) in v.outcomes.iter().enumerate() {
            let s = v.result.points[p].stats(k);
            let d = v.result.differences[p].stats(k);
            let _ = write!(out, "{p},");
            for (a, i) in v.axes.iter().zip(v.coordinates(p)) {
                let _ = write!(out, "{},", a.text(i));
            }
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                field(o.text()),
                field(&o.label),
                s.runs,
                num(s.mean),
                num(s.se),
                num(s.p05),
                num(s.p25),
                num(s.p50),
                num(s.p75),
                num(s.p95),
                num(d.mean),
                num(d.se),
                num(d.above),
                num(d.below)
            );
        }
    }
    out
}

fn stamp(v: &SweepView) -> String {
    format!(
        "{} · seed {} · {} runs per point · dsrsim {}",
        v.world.scenario.name,
        v.seed,
        thousands(v.reps),
        env!("CARGO_PKG_VERSION")
    )
}

fn range_words(a: &SweepAxis) -> String {
    format!(
        "{} goes from {} to {} ({} values)",
        a.key,
        a.text(0),
        a.text(a.values.len() - 1),
        a.values.len()
    )
}

pub fn sweep_charts(v: &SweepView) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    for (k, o) in v.outcomes.iter().enumerate() {
        let name = format!("sweep-{}", k + 1);
        let chart = if v.axes.len() == 1 {
            let a = &v.axes[0];
            let points = (0..v.points())
                .map(|p| {
                    let s = v.result.points[p].stats(k);
                    if o.binary {
                        SweepPoint {
                            x: a.values[p],
                            mean: s.mean,
                            wide: (
                                (s.mean - 1.96 * s.se).max(0.0),
                                (s.mean + 1.96 * s.se).min(1.0),
                            ),
                            narrow: None,
                        }
                    } else {
                        SweepPoint {
                            x: a.values[p],
                            mean: s.mean,
                            wide: (s.p05, s.p95),
                            narrow: Some((s.p25, s.p75)),
                        }
                    }
                })
                .collect();
            let legend = if o.binary {
                [
                    "chance (share of runs)".to_string(),
                    "95% interval of the estimate".to_string(),
                    String::new(),
                ]
            } else {
                [
                    "mean over runs".to_string(),
                    "90% of runs".to_string(),
                    "half of runs".to_string(),
                ]
            };
            let line = SweepLine {
                title: o.label.clone(),
                subtitle: format!(
                    "As {}; {} runs per value, the same random numbers at every value",
                    range_words(a),
                    thousands(v.reps)
                ),
                stamp: stamp(v),
                x_desc: a.key.clone(),
                y_desc: if o.binary {
                    "chance".into()
                } else {
                    o.metric.spec().y_desc.into()
                },
                percent: is_percent(o),
                x_months: a.months,
                points,
                legend,
            };
            charts::render(&name, &o.label, &line)?
        } else {
            let (a, b) = (&v.axes[0], &v.axes[1]);
            let heat = SweepHeat {
                title: o.label.clone(),
                subtitle: format!(
                    "{} of runs, as {} and {}; {} runs per cell, the same random numbers in every cell",
                    if o.binary { "Share" } else { "Mean" },
                    range_words(a),
                    range_words(b),
                    thousands(v.reps)
                ),
                stamp: stamp(v),
                x_desc: a.key.clone(),
                y_desc: b.key.clone(),
                x_months: a.months,
                y_months: b.months,
                percent: is_percent(o),
                xs: a.values.clone(),
                ys: b.values.clone(),
                values: (0..v.points())
                    .map(|p| v.result.points[p].stats(k).mean)
                    .collect(),
            };
            charts::render(&name, &o.label, &heat)?
        };
        out.push(chart);
    }
    Ok(out)
}

fn page(v: &SweepView, charts: &[Chart]) -> String {
    let sc = &v.world.scenario;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep: {} — dsrsim</title><style>{}</style></head><body>",
        escape(&sc.name),
        super::html::STYLE
    );
    let _ = writeln!(h, "<h1>Sweep: {}</h1>", escape(&sc.name));
    if let Some(q) = &sc.question {
        let _ = writeln!(
            h,
            "<p class=question><strong>The question:</strong> {}</p>",
            escape(q)
        );
    }
    let axes: Vec<String> = v.axes.iter().map(range_words).collect();
    let _ = writeln!(
        h,
        "<p>Varied: <strong>{}</strong> — {} points × {} runs each. Run <em>r</em> uses the same random numbers at every point (common random numbers), so the change from the first point is the effect of the change, not noise.</p>",
        escape(&axes.join("; ")),
        v.points(),
        thousands(v.reps)
    );
    match v.precision {
        Some(p) if p.reached => {
            let _ = writeln!(
                h,
                "<p class=small>Ran until every outcome's Monte Carlo error at every point was at most {}: reached after {} runs per point.</p>",
                p.eps, p.runs
            );
        }
        Some(p) => {
            let _ = writeln!(
                h,
                "<p class=small><strong>Precision {} not reached</strong>: stopped at the cap of {} runs per point (raise <code>--reps</code>).</p>",
                p.eps, p.runs
            );
        }
        None => {}
    }
    for (k, (o, c)) in v.outcomes.iter().zip(charts).enumerate() {
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<p class=small><code>{}</code></p>",
            escape(&o.label),
            escape(o.text())
        );
        let _ = writeln!(
            h,
            "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"><figcaption>{title} — <a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a></figcaption></figure>",
            name = escape(&c.name),
            title = escape(&c.title),
            data = super::html::base64(&c.png)
        );
        h.push_str("<table class=changes><tr><th>point</th><th>answer</th><th>Monte Carlo error</th><th>90% of runs</th><th>change vs first point</th><th>P(higher than first)</th><th>P(lower)</th></tr>");
        for p in 0..v.points() {
            let s = v.result.points[p].stats(k);
            let d = v.result.differences[p].stats(k);
            let change = if p == 0 {
                "—".to_string()
            } else if is_percent(o) {
                format!("{:+.1} pts ± {:.1}", 100.0 * d.mean, 100.0 * d.se)
            } else {
                format!("{:+.3} ± {:.3}", d.mean, d.se)
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                escape(&v.point_words(p)),
                escape(&value_text(o, s.mean)),
                escape(&se_text(o, s.se)),
                if o.binary {
                    "–".to_string()
                } else {
                    escape(&range_text(o, s.p05, s.p95))
                },
                escape(&change),
                if p == 0 {
                    "—".into()
                } else {
                    format!("{:.1}%", 100.0 * d.above)
                },
                if p == 0 {
                    "—".into()
                } else {
                    format!("{:.1}%", 100.0 * d.below)
                },
            );
        }
        h.push_str("</table>");
    }
    let _ = writeln!(
        h,
        "<p class=small>Seed {}; {} runs per point; scenario <code>{}</code>. The numbers are in <a href=\"sweep.csv\">sweep.csv</a>. Same scenario, keys, seed and runs give the same bytes on any machine and thread count.</p>\n</body></html>",
        v.seed,
        thousands(v.reps),
        escape(
            &sc.files
                .first()
                .map(|f| f.path.display().to_string())
                .unwrap_or_default()
        )
    );
    h
}

/// Every file of a sweep, in writing order.
pub fn render_sweep(v: &SweepView) -> Result<Vec<File>> {
    let charts = sweep_charts(v)?;
    let mut files = vec![
        ("sweep.csv".to_string(), sweep_csv(v).into_bytes()),
        ("index.html".to_string(), page(v, &charts).into_bytes()),
    ];
    files.extend(chart_files(&charts));
    Ok(files)
}
