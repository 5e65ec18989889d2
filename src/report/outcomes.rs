//! Outcomes in words and numbers: how a value of an outcome is written
//! (a chance in percent, a share in percent, an amount with its unit), and
//! the headline table that opens a run's page.

use super::RunInfo;
use super::html::escape;
use crate::engine::Summary;
use crate::engine::outcomes::OutcomeStats;
use crate::model::World;
use crate::model::outcome::Outcome;
use std::fmt::Write;

/// Written as a percentage: chances and shares.
pub fn is_percent(o: &Outcome) -> bool {
    o.binary || o.metric.spec().percent
}

/// "62%", "0.4%", "2.35 stages".
pub fn value_text(o: &Outcome, x: f64) -> String {
    if x.is_nan() {
        return "–".into();
    }
    if is_percent(o) {
        let p = 100.0 * x;
        if p != 0.0 && p.abs() < 10.0 {
            format!("{p:.1}%")
        } else {
            format!("{p:.0}%")
        }
    } else {
        let unit = o.metric.spec().unit;
        format!("{x:.2}{}{unit}", if unit.is_empty() { "" } else { " " })
    }
}

/// "± 0.4 pts", "± 0.012".
pub fn se_text(o: &Outcome, se: f64) -> String {
    if is_percent(o) {
        format!("± {:.2} pts", 100.0 * se)
    } else {
        format!("± {se:.3}")
    }
}

/// A number without its unit: percent for chances and shares, else at
/// most two decimals with trailing zeros cut ("3", "3.46").
pub fn bare(o: &Outcome, x: f64) -> String {
    if is_percent(o) {
        value_text(o, x)
    } else {
        let t = format!("{x:.2}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// "4 – 5 (stage (0-5))", "12% – 95%": a range with its unit once.
pub fn range_text(o: &Outcome, lo: f64, hi: f64) -> String {
    let unit = o.metric.spec().unit;
    let unit = if is_percent(o) || unit.is_empty() {
        String::new()
    } else {
        format!(" ({unit})")
    };
    format!("{} – {}{unit}", bare(o, lo), bare(o, hi))
}

/// The spread of a value outcome, its unit said once:
/// "median 3; half of runs 3–4; 90% of runs 3–5 (stage (0-5))".
fn spread(o: &Outcome, s: &OutcomeStats) -> String {
    if o.binary {
        return String::new();
    }
    let unit = o.metric.spec().unit;
    format!(
        "median {}; half of runs {}–{}; 90% of runs {}–{}{}",
        bare(o, s.p50),
        bare(o, s.p25),
        bare(o, s.p75),
        bare(o, s.p05),
        bare(o, s.p95),
        if is_percent(o) || unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        }
    )
}

/// The table of headline outcomes: label, answer, standard error, spread.
pub fn headline_html(world: &World, summary: &Summary, info: &RunInfo) -> String {
    let outcomes = world.headline_outcomes();
    let mut t = String::from(
        "<table class=headline><tr><th>outcome</th><th>answer</th><th>Monte Carlo error</th><th>across runs</th></tr>",
    );
    for (k, o) in outcomes.iter().enumerate() {
        let s = summary.outcomes.stats(k);
        let answer = if o.binary {
            format!("{} of runs", value_text(o, s.mean))
        } else {
            format!("mean {}", value_text(o, s.mean))
        };
        let _ = write!(
            t,
            "<tr><td>{}<br><span class=small><code>{}</code></span></td><td class=num><strong>{}</strong></td><td class=num>{}</td><td>{}</td></tr>",
            escape(&o.label),
            escape(o.text()),
            escape(&answer),
            escape(&se_text(o, s.se)),
            escape(&spread(o, &s))
        );
    }
    t.push_str("</table>");
    let runs = summary.outcomes.runs();
    let _ = match info.precision {
        Some(p) if p.reached => write!(
            t,
            "<p class=small>Ran until every Monte Carlo error was at most {}: reached after {runs} runs.</p>",
            p.eps
        ),
        Some(p) => write!(
            t,
            "<p class=small><strong>Precision {} not reached</strong>: stopped at the cap of {runs} runs; the errors above are what {runs} runs give (raise <code>--runs</code>).</p>",
            p.eps
        ),
        None => write!(
            t,
            "<p class=small>From {runs} runs. The Monte Carlo error is the standard error of the mean: another seed would move the answer by about that much.</p>"
        ),
    };
    if world.scenario.outcomes.is_empty() {
        t.push_str("<p class=small>The scenario names no headline outcomes (<code>[[outcome]]</code>): shown are each country's chance of ending cautious and its class metric at the horizon.</p>");
    }
    t
}
