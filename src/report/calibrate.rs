//! The files of a calibration: `calibration.csv` (one row per draw: wave,
//! values, each target's simulated value and implausibility, kept),
//! `posterior.csv` and `targets.csv` (the tables of the page),
//! `posterior.toml` (a scenario that `extends` the calibrated one with the
//! posterior's ranges), the charts and `index.html`.

use super::charts::{self, Chart, thousands};
use super::html::escape;
use super::output::{File, chart_files};
use super::tables::{field, num};
use crate::error::Result;
use crate::model::World;
use crate::scenario::targets::Targets;
use std::fmt::Write;

/// A calibrated parameter as the report sees it.
pub struct ParamInfo<'a> {
    /// Its key path (`parameters.b0`, `polity.SRB.orientation`).
    pub key: String,
    /// The prior as the file writes it.
    pub prior: String,
    /// A sorted sample of the prior.
    pub prior_sample: &'a [f64],
    pub discrete: bool,
}

/// One draw: where it is, what it simulated, how implausible, kept or not.
/// A sharded calibration carries it between machines as JSON, whose
/// numbers read back to the same bits (serde_json's `float_roundtrip`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DrawRow {
    pub draw: usize,
    pub wave: usize,
    /// Its prior quantiles (0-1), per parameter.
    pub u: Vec<f64>,
    pub values: Vec<f64>,
    /// Per target: simulated value, its Monte Carlo error, implausibility.
    pub sims: Vec<f64>,
    pub ses: Vec<f64>,
    pub implausibility: Vec<f64>,
    pub max: f64,
    pub kept: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WaveInfo {
    pub wave: usize,
    pub draws: usize,
    pub kept: usize,
    /// The box it drew from, in prior quantiles, per parameter.
    pub box_lo: Vec<f64>,
    pub box_hi: Vec<f64>,
}

pub struct CalibrationView<'a> {
    /// The scenario as written (with `--set`).
    pub world: &'a World,
    pub targets: &'a Targets,
    pub params: &'a [ParamInfo<'a>],
    pub draws: &'a [DrawRow],
    pub waves: &'a [WaveInfo],
    pub posterior_wave: usize,
    pub cutoff: f64,
    pub reps: u64,
    pub seed: u64,
    /// The calibrated file as the posterior fragment's `extends` names it.
    pub extends: &'a str,
    /// `--set` values that are not calibrated, kept in the fragment.
    pub settings: &'a [(String, String)],
    pub warnings: &'a [String],
}

/// A quantile of sorted values (nearest rank).
fn quantile(sorted: &[f64], u: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((u * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Short form of a number for tables.
fn short(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// What the posterior says of one parameter.
pub struct ParamSummary {
    pub prior: (f64, f64, f64),
    pub posterior: (f64, f64, f64),
    /// Posterior 90% width over the prior's (1 = not constrained).
    pub narrowing: f64,
}

/// One target at the posterior.
pub struct TargetSummary {
    pub mean: f64,
    pub p05: f64,
    pub p95: f64,
    pub implausibility: f64,
    pub hit: bool,
    /// Share of wave 1's draws (from the prior) that met it.
    pub met_in_prior: f64,
}

impl CalibrationView<'_> {
    pub fn posterior(&self) -> impl Iterator<Item = &DrawRow> {
        self.draws
            .iter()
            .filter(move |d| d.wave == self.posterior_wave && d.kept)
    }

    pub fn param_summary(&self, j: usize) -> ParamSummary {
        let prior = self.params[j].prior_sample;
        let post = sorted(self.posterior().map(|d| d.values[j]).collect());
        let p = (
            quantile(prior, 0.05),
            quantile(prior, 0.5),
            quantile(prior, 0.95),
        );
        let q = (
            quantile(&post, 0.05),
            quantile(&post, 0.5),
            quantile(&post, 0.95),
        );
        let narrowing = if p.2 > p.0 {
            (q.2 - q.0) / (p.2 - p.0)
        } else {
            1.0
        };
        ParamSummary {
            prior: p,
            posterior: q,
            narrowing,
        }
    }

    pub fn target_summary(&self, k: usize) -> TargetSummary {
        let t = &self.targets.targets[k];
        let sims = sorted(self.posterior().map(|d| d.sims[k]).collect());
        let n = sims.len().max(1) as f64;
        let mean = sims.iter().sum::<f64>() / n;
        let se2 = self.posterior().map(|d| d.ses[k] * d.ses[k]).sum::<f64>() / n;
        let implausibility =
            (mean - t.observed).abs() / (t.sd * t.sd + t.discrepancy * t.discrepancy + se2).sqrt();
        let first: Vec<&DrawRow> = self.draws.iter().filter(|d| d.wave == 1).collect();
        let met = first
            .iter()
            .filter(|d| d.implausibility[k] <= self.cutoff)
            .count() as f64
            / first.len().max(1) as f64;
        TargetSummary {
            mean,
            p05: quantile(&sims, 0.05),
            p95: quantile(&sims, 0.95),
            implausibility,
            hit: implausibility <= self.cutoff,
            met_in_prior: met,
        }
    }

    fn kept(&self) -> usize {
        self.posterior().count()
    }

    fn stamp(&self) -> String {
        format!(
            "{} · seed {} · {} runs per draw · dsrsim {}",
            self.world.scenario.name,
            self.seed,
            thousands(self.reps),
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// One row per draw.
pub fn calibration_csv(v: &CalibrationView) -> String {
    let mut out = String::from("draw,wave");
    for p in v.params {
        let _ = write!(out, ",{}", field(&p.key));
    }
    for t in &v.targets.targets {
        let _ = write!(
            out,
            ",{},{}",
            field(&format!("sim: {}", t.text)),
            field(&format!("implausibility: {}", t.text))
        );
    }
    out.push_str(",max_implausibility,kept,posterior\n");
    for d in v.draws {
        let _ = write!(out, "{},{}", d.draw, d.wave);
        for x in &d.values {
            let _ = write!(out, ",{}", num(*x));
        }
        for (s, i) in d.sims.iter().zip(&d.implausibility) {
            let _ = write!(out, ",{},{}", num(*s), num(*i));
        }
        let _ = writeln!(
            out,
            ",{},{},{}",
            num(d.max),
            u8::from(d.kept),
            u8::from(d.kept && d.wave == v.posterior_wave)
        );
    }
    out
}

pub fn posterior_csv(v: &CalibrationView) -> String {
    let mut out = String::from(
        "parameter,prior,prior_p05,prior_p50,prior_p95,posterior_p05,posterior_p50,posterior_p95,narrowing,kept\n",
    );
    for (j, p) in v.params.iter().enumerate() {
        let s = v.param_summary(j);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            field(&p.key),
            field(&p.prior),
            num(s.prior.0),
            num(s.prior.1),
            num(s.prior.2),
            num(s.posterior.0),
            num(s.posterior.1),
            num(s.posterior.2),
            num(s.narrowing),
            v.kept()
        );
    }
    out
}

pub fn targets_csv(v: &CalibrationView) -> String {
    let mut out = String::from(
        "target,observed,sd,discrepancy,simulated,simulated_p05,simulated_p95,implausibility,hit,met_by_prior_draws,source\n",
    );
    for (k, t) in v.targets.targets.iter().enumerate() {
        let s = v.target_summary(k);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            field(&t.text),
            num(t.observed),
            num(t.sd),
            num(t.discrepancy),
            num(s.mean),
            num(s.p05),
            num(s.p95),
            num(s.implausibility),
            if s.hit { "hit" } else { "missed" },
            num(s.met_in_prior),
            field(&t.source)
        );
    }
    out
}

/// The posterior as a scenario: `extends` the calibrated file and sets
/// each calibrated key to its posterior range (the kept draws' 5th-95th
/// percentile as a uniform; a discrete prior keeps the kept draws' shares).
pub fn posterior_toml(v: &CalibrationView) -> String {
    let sc = &v.world.scenario;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "# Posterior of `simulate calibrate` on {} with {}:\n# the {} kept draws of wave {} (cutoff {}, {} runs per draw, seed {}).\n# Each range is the kept draws' 5th-95th percentile, written as a uniform;\n# the draws' joint shape (correlations) is in calibration.csv.\n# Run it (`simulate posterior.toml`) or `extends` it.",
        sc.files
            .first()
            .map(|f| f.path.display().to_string())
            .unwrap_or_default(),
        v.targets.path.display(),
        v.kept(),
        v.posterior_wave,
        v.cutoff,
        v.reps,
        v.seed
    );
    // Every value, by table: (table, id) -> [(key, value, comment)].
    let mut entries: Vec<(String, Option<String>, String, String, String)> = Vec::new();
    for (key, value) in v.settings {
        let (table, id, k) = split_key(key);
        entries.push((table, id, k, value.clone(), "from --set".into()));
    }
    for (j, p) in v.params.iter().enumerate() {
        let s = v.param_summary(j);
        let value = if p.discrete {
            let mut kept: Vec<f64> = v.posterior().map(|d| d.values[j]).collect();
            kept.sort_by(f64::total_cmp);
            let mut values: Vec<f64> = kept.clone();
            values.dedup();
            if values.len() == 1 {
                number(values[0])
            } else {
                let weights: Vec<String> = values
                    .iter()
                    .map(|x| kept.iter().filter(|y| *y == x).count().to_string())
                    .collect();
                format!(
                    "{{ discrete = [{}], weights = [{}] }}",
                    values
                        .iter()
                        .map(|x| number(*x))
                        .collect::<Vec<_>>()
                        .join(", "),
                    weights.join(", ")
                )
            }
        } else if s.posterior.2 > s.posterior.0 {
            format!(
                "{{ uniform = [{}, {}] }}",
                number(s.posterior.0),
                number(s.posterior.2)
            )
        } else {
            number(s.posterior.0)
        };
        let (table, id, k) = split_key(&p.key);
        entries.push((
            table,
            id,
            k,
            value,
            format!(
                "prior {}; posterior median {}, {:.0}% of the prior's 90% width",
                p.prior,
                short(s.posterior.1),
                100.0 * s.narrowing
            ),
        ));
    }
    let _ = writeln!(
        h,
        "\n[scenario]\nextends = {}\nname = {}",
        toml_string(v.extends),
        toml_string(&format!("{} (calibrated)", sc.name))
    );
    for e in entries.iter().filter(|e| e.0 == "scenario") {
        let _ = writeln!(h, "{} = {}  # {}", e.2, e.3, e.4);
    }
    for table in ["parameters", "polity", "operator", "shock"] {
        let mut ids: Vec<Option<String>> = Vec::new();
        for e in entries.iter().filter(|e| e.0 == table) {
            if !ids.contains(&e.1) {
                ids.push(e.1.clone());
            }
        }
        for id in ids {
            match &id {
                None => {
                    let _ = writeln!(h, "\n[{table}]");
                }
                Some(id) => {
                    let _ = writeln!(h, "\n[[{table}]]\nid = {}", toml_string(id));
                }
            }
            for e in entries.iter().filter(|e| e.0 == table && e.1 == id) {
                let _ = writeln!(h, "{} = {}  # {}", e.2, e.3, e.4);
            }
        }
    }
    h
}

/// `parameters.b0` → ("parameters", None, "b0"); `polity.SRB.orientation`
/// → ("polity", Some("SRB"), "orientation"); `scenario.end` → ("scenario", None, "end").
fn split_key(key: &str) -> (String, Option<String>, String) {
    let parts: Vec<&str> = key.splitn(2, '.').collect();
    match parts.as_slice() {
        [t @ ("polity" | "operator" | "shock"), rest] => {
            let (id, k) = rest.rsplit_once('.').unwrap_or((rest, ""));
            (t.to_string(), Some(id.to_string()), k.to_string())
        }
        [t, k] => (t.to_string(), None, k.to_string()),
        _ => ("parameters".into(), None, key.to_string()),
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float TOML reads back exactly.
fn number(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// The most constrained parameters first (smallest narrowing), at most `n`.
fn most_constrained(v: &CalibrationView, n: usize) -> Vec<usize> {
    let mut order: Vec<(usize, f64)> = (0..v.params.len())
        .map(|j| (j, v.param_summary(j).narrowing))
        .collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    order.into_iter().take(n).map(|(j, _)| j).collect()
}

pub fn calibration_charts(v: &CalibrationView) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let kept = v.kept();
    for (j, p) in v.params.iter().enumerate() {
        let s = v.param_summary(j);
        let chart = charts::PriorPosterior {
            title: format!("{}: prior and posterior", p.key),
            subtitle: format!(
                "Prior {}; posterior: {} kept draws of wave {}, 90% in {} – {} ({:.0}% of the prior's 90% width)",
                p.prior,
                kept,
                v.posterior_wave,
                short(s.posterior.0),
                short(s.posterior.2),
                100.0 * s.narrowing
            ),
            stamp: v.stamp(),
            x_desc: p.key.clone(),
            prior: p.prior_sample.to_vec(),
            posterior: v.posterior().map(|d| d.values[j]).collect(),
            discrete: p.discrete,
            interval: (s.posterior.0, s.posterior.2),
            legend: [
                "prior".into(),
                "posterior (kept draws)".into(),
                "posterior 5th and 95th percentiles".into(),
            ],
        };
        out.push(charts::render(
            &format!("posterior-{}", j + 1),
            &format!("{}: prior and posterior", p.key),
            &chart,
        )?);
    }
    if v.params.len() >= 2 {
        let chosen = most_constrained(v, 4);
        let pairs = charts::Pairs {
            title: "The most constrained parameters, in pairs".into(),
            subtitle: format!(
                "Every draw of every wave (grey) and the {kept} kept draws of wave {} (colour): where the targets leave room",
                v.posterior_wave
            ),
            stamp: v.stamp(),
            names: chosen.iter().map(|&j| v.params[j].key.clone()).collect(),
            ranges: chosen
                .iter()
                .map(|&j| {
                    let s = v.params[j].prior_sample;
                    let (mut lo, mut hi) = (quantile(s, 0.005), quantile(s, 0.995));
                    for d in v.draws {
                        lo = lo.min(d.values[j]);
                        hi = hi.max(d.values[j]);
                    }
                    let pad = ((hi - lo) * 0.04).max(1e-6);
                    (lo - pad, hi + pad)
                })
                .collect(),
            points: v
                .draws
                .iter()
                .map(|d| {
                    (
                        chosen.iter().map(|&j| d.values[j]).collect(),
                        d.kept && d.wave == v.posterior_wave,
                    )
                })
                .collect(),
        };
        out.push(charts::render(
            "pairs",
            "The most constrained parameters, in pairs",
            &pairs,
        )?);
    }
    Ok(out)
}

fn page(v: &CalibrationView, charts: &[Chart]) -> String {
    let sc = &v.world.scenario;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Calibration: {} — dsrsim</title><style>{}</style></head><body>",
        escape(&sc.name),
        super::html::STYLE
    );
    let _ = writeln!(h, "<h1>Calibration: {}</h1>", escape(&sc.name));
    let total: usize = v.waves.iter().map(|w| w.draws).sum();
    let _ = writeln!(
        h,
        "<p>History matching against <code>{}</code> ({} targets): {} parameter{} drawn from {} prior{}, {} draws in {} wave{} × {} runs each (the same random numbers for every draw). A draw is kept when every target's implausibility — |simulated − observed| / √(sd² + discrepancy² + Monte Carlo variance) — is at most {}. <strong>{} draws of wave {} are kept</strong>: they are the posterior.</p>",
        escape(&v.targets.path.display().to_string()),
        v.targets.targets.len(),
        v.params.len(),
        if v.params.len() == 1 { "" } else { "s" },
        if v.params.len() == 1 { "its" } else { "their" },
        if v.params.len() == 1 { "" } else { "s" },
        total,
        v.waves.len(),
        if v.waves.len() == 1 { "" } else { "s" },
        thousands(v.reps),
        v.cutoff,
        v.kept(),
        v.posterior_wave
    );
    h.push_str(
        "<table class=changes><tr><th>wave</th><th>draws</th><th>kept</th><th>drawn from</th></tr>",
    );
    for w in v.waves {
        let whole = w.box_lo.iter().all(|x| *x == 0.0) && w.box_hi.iter().all(|x| *x == 1.0);
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td>{}</td></tr>",
            w.wave,
            w.draws,
            w.kept,
            if whole {
                "the priors".to_string()
            } else {
                "the box of the wave before's kept draws (prior quantiles, widened by a tenth)"
                    .to_string()
            }
        );
    }
    h.push_str("</table>");
    for w in v.warnings {
        let _ = writeln!(h, "<p class=small><strong>Note:</strong> {}</p>", escape(w));
    }
    h.push_str("<h2>Targets</h2><table class=changes><tr><th>target</th><th>observed</th><th>simulated at the posterior (90% of kept draws)</th><th>implausibility</th><th></th><th>met by prior draws</th><th>source</th></tr>");
    for (k, t) in v.targets.targets.iter().enumerate() {
        let s = v.target_summary(k);
        let _ = write!(
            h,
            "<tr><td>{}<br><code class=small>{}</code></td><td class=num>{} ± {}</td><td class=num>{} ({} – {})</td><td class=num>{:.2}</td><td>{}</td><td class=num>{:.0}%</td><td class=small>{}</td></tr>",
            escape(t.label.as_deref().unwrap_or(&t.text)),
            escape(&t.text),
            short(t.observed),
            short(t.sd),
            short(s.mean),
            short(s.p05),
            short(s.p95),
            s.implausibility,
            if s.hit {
                "hit"
            } else {
                "<strong>missed</strong>"
            },
            100.0 * s.met_in_prior,
            escape(&t.source)
        );
    }
    h.push_str("</table>");
    h.push_str("<h2>Parameters</h2><table class=changes><tr><th>key</th><th>prior</th><th>prior 90%</th><th>posterior median</th><th>posterior 90%</th><th>width vs prior</th></tr>");
    for (j, p) in v.params.iter().enumerate() {
        let s = v.param_summary(j);
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=num>{} – {}</td><td class=num>{}</td><td class=num>{} – {}</td><td class=num>{:.0}%</td></tr>",
            escape(&p.key),
            escape(&p.prior),
            short(s.prior.0),
            short(s.prior.2),
            short(s.posterior.1),
            short(s.posterior.0),
            short(s.posterior.2),
            100.0 * s.narrowing
        );
    }
    h.push_str("</table><p class=small>The posterior as a scenario: <a href=\"posterior.toml\">posterior.toml</a> (extends the calibrated file; run it or extend it).</p>");
    for c in charts {
        let _ = writeln!(
            h,
            "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"><figcaption>{title} — <a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a></figcaption></figure>",
            name = escape(&c.name),
            title = escape(&c.title),
            data = super::html::base64(&c.png)
        );
    }
    let _ = writeln!(
        h,
        "<p class=small>Seed {}; {} runs per draw. Every draw is in <a href=\"calibration.csv\">calibration.csv</a>; the tables in <a href=\"targets.csv\">targets.csv</a> and <a href=\"posterior.csv\">posterior.csv</a>. Same scenario, targets, seed and flags give the same bytes on any machine and thread count.</p>\n</body></html>",
        v.seed,
        thousands(v.reps)
    );
    h
}

/// Every file of a calibration, in writing order.
pub fn render_calibration(v: &CalibrationView) -> Result<Vec<File>> {
    let charts = calibration_charts(v)?;
    let mut files = vec![
        (
            "calibration.csv".to_string(),
            calibration_csv(v).into_bytes(),
        ),
        ("posterior.csv".to_string(), posterior_csv(v).into_bytes()),
        ("targets.csv".to_string(), targets_csv(v).into_bytes()),
        ("posterior.toml".to_string(), posterior_toml(v).into_bytes()),
        ("index.html".to_string(), page(v, &charts).into_bytes()),
    ];
    files.extend(chart_files(&charts));
    Ok(files)
}
