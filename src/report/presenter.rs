//! The presenter view (`--focus SRB`): one page for a room, about one
//! country. One large panel per metric (the run's fan chart, or the
//! comparison's overlay, cut down to the focused country), the question and
//! its answer in one line each, shocks in words. It is written beside the
//! usual outputs, which stay exactly as without `--focus`.

use super::charts::{self, Chart, ChartSpec, Spec};
use super::html::{base64, escape};
use super::{File, RunInfo, compare};
use crate::engine::aggregate::Aggregate;
use crate::engine::{Differences, Summary};
use crate::error::Result;
use crate::model::metrics::YRange;
use crate::model::{Metric, World};
use std::fmt::Write;

/// The file name of the presenter view of `country` (a country's id).
pub fn file_name(country: &str) -> String {
    format!("presenter-{country}.html")
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:0 auto;max-width:1650px;padding:0 16px 24px;color:#1e1e1e;font-size:22px;line-height:1.4}\
nav{position:sticky;top:0;background:#fff;border-bottom:3px solid #0072b2;padding:8px 0;z-index:1;font-size:18px}nav a{margin-right:16px;color:#0072b2;white-space:nowrap}\
h1{font-size:40px;margin:12px 0 6px}.question{font-size:26px;background:#eef6fb;border-left:8px solid #0072b2;padding:10px 16px;margin:8px 0}\
.answer{font-size:26px;background:#fff6e6;border-left:8px solid #e69f00;padding:10px 16px;margin:8px 0}\
figure{margin:16px 0;scroll-margin-top:56px;text-align:center}img{max-width:100%;max-height:calc(100vh - 72px);height:auto;border:1px solid #ddd}\
.small{font-size:16px;color:#555}";

/// The presenter view of one run.
pub fn run_page(world: &World, summary: &Summary, info: &RunInfo, focus: &str) -> Result<File> {
    let charts = render(run_specs(world, &summary.aggregate, info, focus))?;
    let answer = answer_line(world, &summary.aggregate, focus);
    let sc = &world.scenario;
    Ok(page(
        world,
        focus,
        &sc.name,
        &[sc.question.clone().unwrap_or_default()],
        &[answer],
        &charts,
        info,
    ))
}

/// The presenter view of a comparison: each metric's overlay of the
/// scenarios, for the focused country.
pub fn compare_page(
    worlds: &[&World],
    summaries: &[Summary],
    diffs: &[Differences],
    info: &RunInfo,
    focus: &str,
) -> Result<File> {
    let a = worlds[0];
    let charts = render(compare_specs(worlds, summaries, diffs, info, focus))?;
    let title = worlds
        .iter()
        .map(|w| w.scenario.name.as_str())
        .collect::<Vec<_>>()
        .join(" vs ");
    let mut questions: Vec<String> = Vec::new();
    for w in worlds {
        if let Some(q) = &w.scenario.question
            && !questions.contains(q)
        {
            questions.push(q.clone());
        }
    }
    let answers: Vec<String> = worlds
        .iter()
        .zip(summaries)
        .enumerate()
        .map(|(k, (w, s))| {
            format!(
                "{}: {}",
                compare::letter(k),
                answer_line(w, &s.aggregate, focus)
            )
        })
        .collect();
    Ok(page(a, focus, &title, &questions, &answers, &charts, info))
}

/// The presenter view's charts of a run: each metric's fan chart, cut
/// down to the focused country; with each, the metric's short name.
pub fn run_specs(
    world: &World,
    agg: &Aggregate,
    info: &RunInfo,
    focus: &str,
) -> Vec<(Spec, &'static str)> {
    focus_specs(world, charts::run_charts(world, agg, info), focus, "fan-")
}

/// The presenter view's charts of a comparison: each metric's overlay of
/// the scenarios, cut down to the focused country.
pub fn compare_specs(
    worlds: &[&World],
    summaries: &[Summary],
    diffs: &[Differences],
    info: &RunInfo,
    focus: &str,
) -> Vec<(Spec, &'static str)> {
    let specs = compare::compare_charts(worlds, summaries, diffs, info);
    focus_specs(worlds[0], specs, focus, "overlay-")
}

fn render(specs: Vec<(Spec, &'static str)>) -> Result<Vec<(Chart, &'static str)>> {
    let (specs, shorts): (Vec<Spec>, Vec<&str>) = specs.into_iter().unzip();
    Ok(charts::render_all(&specs)?
        .into_iter()
        .zip(shorts)
        .collect())
}

/// Each metric's chart (`<prefix><metric>`) with the focused country's
/// panel alone, on a y range of its own where the metric's range comes
/// from the data.
fn focus_specs(
    world: &World,
    specs: Vec<Spec>,
    focus: &str,
    prefix: &str,
) -> Vec<(Spec, &'static str)> {
    let name = world
        .scenario
        .polity_index(focus)
        .map_or(focus.to_string(), |p| {
            world.scenario.polities[p].name.clone()
        });
    let mut kept = Vec::new();
    for (stem, title, spec) in specs {
        let ChartSpec::Multiples(mut m) = spec else {
            continue;
        };
        m.panels.retain(|p| p.title == name);
        if m.panels.is_empty() {
            continue;
        }
        let Some(metric) = Metric::fans()
            .into_iter()
            .find(|x| stem == format!("{prefix}{}", x.name()))
        else {
            continue;
        };
        if metric.spec().y_range == YRange::FromBands {
            m.y_range = charts::y_range(metric, &m.panels);
        }
        m.title = format!("{name}: {}", m.title);
        let title = format!("{name}: {title}");
        kept.push((
            (
                format!("presenter-{focus}-{stem}"),
                title,
                ChartSpec::Multiples(m),
            ),
            metric.spec().short,
        ));
    }
    kept
}

/// The answer in one line: where the country ends up (its class in how
/// many runs) and its median trusted share of the installed network.
pub fn answer_line(
    world: &World,
    agg: &crate::engine::aggregate::Aggregate,
    focus: &str,
) -> String {
    let sc = &world.scenario;
    let name = sc
        .polity_index(focus)
        .map_or(focus.to_string(), |p| sc.polities[p].name.clone());
    let horizon = charts::horizon_words(world);
    let runs = agg.runs.max(1) as f64;
    let mut parts = Vec::new();
    if let Some(k) = world.class_series().iter().position(|(c, _)| c == focus)
        && let Some(counts) = agg.classes.get(k)
    {
        let spec = Metric::from(sc.classes.metric).spec();
        let short = spec.short.to_lowercase();
        let level = |x: f64| {
            if spec.percent {
                format!("{:.0}%", x * 100.0)
            } else {
                format!("{x:.2}")
            }
        };
        parts.push(format!(
            "cautious ({short} {} or more) in {:.0}% of runs, keen (below {}) in {:.0}%",
            level(sc.classes.cautious_from),
            counts[2] as f64 / runs * 100.0,
            level(sc.classes.keen_below),
            counts[0] as f64 / runs * 100.0,
        ));
    }
    if let Some(s) = world.series_index(Metric::TrustedShare, focus) {
        let st = agg.stats(s, agg.points - 1);
        parts.push(format!(
            "trusted vendors hold {:.0}% of its radio network in the median run (middle half {:.0}–{:.0}%)",
            st.p50 * 100.0,
            st.p25 * 100.0,
            st.p75 * 100.0
        ));
    }
    format!("{name}, {horizon}: {}.", parts.join("; "))
}

fn page(
    world: &World,
    focus: &str,
    title: &str,
    questions: &[String],
    answers: &[String],
    charts: &[(Chart, &str)],
    info: &RunInfo,
) -> File {
    let sc = &world.scenario;
    let name = sc
        .polity_index(focus)
        .map_or(focus.to_string(), |p| sc.polities[p].name.clone());
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — {} — dsrsim</title><style>{STYLE}</style></head><body>",
        escape(&name),
        escape(title)
    );
    h.push_str("<nav><a href=\"#top\"><strong>");
    h.push_str(&escape(&name));
    h.push_str("</strong></a>");
    for (c, short) in charts {
        let _ = write!(h, "<a href=\"#{}\">{}</a>", escape(&c.name), escape(short));
    }
    h.push_str("<a href=\"index.html\">full page</a></nav>\n");
    let _ = writeln!(
        h,
        "<h1 id=\"top\">{} — {}</h1>",
        escape(&name),
        escape(title)
    );
    for q in questions.iter().filter(|q| !q.is_empty()) {
        let _ = writeln!(
            h,
            "<p class=question><strong>The question:</strong> {}</p>",
            escape(q)
        );
    }
    for a in answers {
        let _ = writeln!(
            h,
            "<p class=answer><strong>The answer:</strong> {}</p>",
            escape(a)
        );
    }
    for (c, _) in charts {
        let _ = writeln!(
            h,
            "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"></figure>",
            name = escape(&c.name),
            title = escape(&c.title),
            data = base64(&c.png)
        );
    }
    let _ = writeln!(
        h,
        "<p class=small>dsrsim {} · seed {} · {} runs. The full page, with every country, the tables and the inputs: <a href=\"index.html\">index.html</a>.</p>\n</body></html>",
        env!("CARGO_PKG_VERSION"),
        info.seed,
        charts::thousands(info.runs)
    );
    (file_name(focus), h.into_bytes())
}
