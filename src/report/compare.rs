//! The files of a paired comparison: differences first (CSV, table, charts),
//! then each scenario's own summary.

use super::RunInfo;
use super::charts::{self, ChartSpec, Layer, Legend, Marker, Panel, SmallMultiples, Spec, colour};
use super::html::escape;
use crate::engine::{Differences, Summary};
use crate::model::{Metric, World};
use std::fmt::Write;

/// The file stem a scenario is known by in a comparison.
pub fn stem(world: &World) -> String {
    world
        .scenario
        .files
        .first()
        .and_then(|f| f.path.file_stem())
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

pub(super) fn letter(k: usize) -> char {
    (b'A' + (k as u8).min(25)) as char
}

fn num(x: f64) -> String {
    format!("{x:.6}")
}

pub fn differences_csv(worlds: &[&World], diffs: &[Differences], summaries: &[Summary]) -> String {
    let a = worlds[0];
    let mut out = String::from(
        "a,b,metric,entity,step,date,median_a,median_b,median_difference,p05_difference,p95_difference,p_b_greater,p_b_less\n",
    );
    for d in diffs {
        let b = worlds[d.b];
        for (j, &(sa, sb)) in d.pairs.iter().enumerate() {
            let spec = &a.series()[sa];
            for point in 0..d.aggregate.points {
                let (ma, mb) = (
                    summaries[0].aggregate.stats(sa, point).p50,
                    summaries[d.b].aggregate.stats(sb, point).p50,
                );
                let st = d.aggregate.stats(j, point);
                let (above, below) = d.aggregate.share_signs(j, point);
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    stem(a),
                    stem(b),
                    spec.metric.name(),
                    spec.entity,
                    point,
                    a.scenario.grid.point_date(point),
                    num(ma),
                    num(mb),
                    num(st.p50),
                    num(st.p05),
                    num(st.p95),
                    num(above),
                    num(below)
                );
            }
        }
    }
    out
}

/// Horizon table of B − A for the countries and the metrics a room asks about.
pub(super) fn differences_html(
    worlds: &[&World],
    diffs: &[Differences],
    summaries: &[Summary],
) -> String {
    let a = worlds[0];
    let last = a.points() - 1;
    let metrics = [
        Metric::TrustedProcurement,
        Metric::TrustedShare,
        Metric::Hr5g,
        Metric::Restriction,
        Metric::CostPremium,
    ];
    let mut h = String::new();
    for d in diffs {
        let b = worlds[d.b];
        let _ = write!(
            h,
            "<h3>{} − {} at {}</h3><p class=small>Run i of both scenarios uses the same random numbers, so each run's difference shows only what the scenarios change. Median of B − A over runs; P(B &gt; A) is the share of runs in which B ends higher.</p>",
            escape(&b.scenario.name),
            escape(&a.scenario.name),
            a.scenario.grid.point_date(last)
        );
        h.push_str("<table><tr><th>country</th><th>metric</th><th>median A</th><th>median B</th><th>median B − A</th><th>P(B &gt; A)</th><th>P(B &lt; A)</th></tr>");
        // Countries where no run differs in any of these metrics are named
        // once below the table, so the rows that matter come first.
        let untouched = |c: usize| {
            let id = &a.scenario.polities[c].id;
            metrics
                .iter()
                .filter_map(|&m| pair_of(a, d, m, id))
                .all(|j| d.aggregate.share_signs(j, last) == (0.0, 0.0))
        };
        let unchanged: Vec<&str> = a
            .countries()
            .iter()
            .filter(|&&c| untouched(c))
            .map(|&c| a.scenario.polities[c].name.as_str())
            .collect();
        for &c in a.countries().iter().filter(|&&c| !untouched(c)) {
            let id = &a.scenario.polities[c].id;
            for m in metrics {
                let Some(j) = pair_of(a, d, m, id) else {
                    continue;
                };
                let (sa, sb) = d.pairs[j];
                let fmt = |x: f64| {
                    if !m.spec().percent {
                        format!("{x:.3}")
                    } else {
                        format!("{:.0}%", x * 100.0)
                    }
                };
                let st = d.aggregate.stats(j, last);
                let (above, below) = d.aggregate.share_signs(j, last);
                let class = if st.p50 > 0.0 {
                    "up"
                } else if st.p50 < 0.0 {
                    "down"
                } else {
                    ""
                };
                let signed = if !m.spec().percent {
                    format!("{:+.3}", st.p50)
                } else {
                    format!("{:+.0} pts", st.p50 * 100.0)
                };
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=\"num {class}\">{}</td><td class=num>{:.0}%</td><td class=num>{:.0}%</td></tr>",
                    escape(&a.scenario.polities[c].name),
                    m.name(),
                    fmt(summaries[0].aggregate.stats(sa, last).p50),
                    fmt(summaries[d.b].aggregate.stats(sb, last).p50),
                    signed,
                    above * 100.0,
                    below * 100.0
                );
            }
        }
        h.push_str("</table>");
        if !unchanged.is_empty() {
            let _ = write!(
                h,
                "<p>No run differs in these metrics for: {}.</p>",
                escape(&unchanged.join(", "))
            );
        }
    }
    h
}

fn markers_for(worlds: &[&World], country_id: &str) -> Vec<Marker> {
    let mut out: Vec<Marker> = Vec::new();
    for w in worlds {
        if let Some(c) = w.scenario.polity_index(country_id) {
            for m in charts::markers(w, c) {
                if !out.iter().any(|o| o.label == m.label && o.from == m.from) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// The place in `d.pairs` (and in its aggregate) of the series of `metric`
/// and `entity` in the first scenario.
fn pair_of(a: &World, d: &Differences, metric: Metric, entity: &str) -> Option<usize> {
    let sa = a.series_index(metric, entity)?;
    d.pairs.iter().position(|&(x, _)| x == sa)
}

pub fn compare_charts(
    worlds: &[&World],
    summaries: &[Summary],
    diffs: &[Differences],
    info: &RunInfo,
) -> Vec<Spec> {
    let a = worlds[0];
    let names: Vec<String> = worlds
        .iter()
        .enumerate()
        .map(|(k, w)| format!("{}: {}", letter(k), w.scenario.name))
        .collect();
    let stamp = format!(
        "{} · seed {} · {} paired runs · dsrsim {}",
        names.join(" vs "),
        info.seed,
        charts::thousands(info.runs),
        env!("CARGO_PKG_VERSION")
    );
    let period = format!(
        "{}–{}",
        a.scenario.grid.start.year(),
        a.scenario.grid.point_date(a.points() - 1).year()
    );
    let mut specs = Vec::new();
    for metric in Metric::fans() {
        let panels: Vec<Panel> = a
            .countries()
            .iter()
            .map(|&c| {
                let id = &a.scenario.polities[c].id;
                let layers = worlds
                    .iter()
                    .zip(summaries)
                    .enumerate()
                    .filter_map(|(k, (w, s))| {
                        w.series_index(metric, id).map(|sid| Layer {
                            label: names[k].clone(),
                            colour: colour(k),
                            band: charts::band(w, &s.aggregate, sid),
                            outer: false,
                        })
                    })
                    .collect();
                Panel {
                    title: a.scenario.polities[c].name.clone(),
                    layers,
                    markers: markers_for(worlds, id),
                    secondary: None,
                }
            })
            .collect();
        let title = format!("{}, {period}", metric.chart_title());
        specs.push((
            format!("overlay-{}", metric.name()),
            title.clone(),
            ChartSpec::Multiples(SmallMultiples {
                title,
                subtitle: "each scenario's median (line) and middle 50% of runs (band)".into(),
                stamp: stamp.clone(),
                y_desc: metric.spec().y_desc.into(),
                x_range: charts::x_range(a),
                y_range: charts::y_range(metric, &panels),
                panels,
                legend: Legend::FirstPanel,
                zero_line: false,
                percent: metric.spec().percent,
            }),
        ));
        for d in diffs {
            let b = worlds[d.b];
            let panels: Vec<Panel> = a
                .countries()
                .iter()
                .filter_map(|&c| {
                    let id = &a.scenario.polities[c].id;
                    let j = pair_of(a, d, metric, id)?;
                    let band = charts::band(a, &d.aggregate, j);
                    let p_above: Vec<(f64, f64)> = (0..d.aggregate.points)
                        .map(|p| (band.x[p], d.aggregate.share_signs(j, p).0))
                        .collect();
                    Some(Panel {
                        title: a.scenario.polities[c].name.clone(),
                        layers: vec![Layer {
                            label: format!("{} − {} (per run)", letter(d.b), letter(0)),
                            colour: colour(d.b),
                            band,
                            outer: true,
                        }],
                        markers: markers_for(worlds, id),
                        secondary: Some((format!("P({} > {})", letter(d.b), letter(0)), p_above)),
                    })
                })
                .collect();
            let (lo, hi) = charts::bands_of(&panels)
                .flat_map(|b| b.p05.iter().chain(&b.p95))
                .filter(|v| v.is_finite())
                .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            let span = (hi - lo).max(0.02);
            let suffix = if diffs.len() > 1 {
                format!("-{}", stem(b))
            } else {
                String::new()
            };
            let title = format!("What {} changes: {}", letter(d.b), metric.chart_title());
            specs.push((
                format!("diff-{}{suffix}", metric.name()),
                title.clone(),
                ChartSpec::Multiples(SmallMultiples {
                    title,
                    subtitle: format!(
                        "{} − {}, paired run by run: median (line), middle 50% and 90% (bands); dashed black: P({} > {})",
                        names[d.b],
                        names[0],
                        letter(d.b),
                        letter(0)
                    ),
                    stamp: stamp.clone(),
                    y_desc: format!("difference in {}", metric.spec().y_desc),
                    x_range: charts::x_range(a),
                    y_range: (lo - 0.08 * span, hi + 0.08 * span),
                    panels,
                    legend: Legend::FirstPanel,
                    zero_line: true,
                    percent: metric.spec().percent,
                }),
            ));
        }
    }
    // Classes side by side: one bar per (country, scenario).
    let mut rows = Vec::new();
    for &c in a.countries() {
        let id = &a.scenario.polities[c].id;
        for (k, (w, s)) in worlds.iter().zip(summaries).enumerate() {
            if let Some(i) = w.class_series().iter().position(|(cid, _)| cid == id) {
                let runs = s.aggregate.runs.max(1) as f64;
                rows.push((
                    format!("{} ({})", a.scenario.polities[c].name, letter(k)),
                    s.aggregate.classes[i].map(|n| n as f64 / runs),
                ));
            }
        }
    }
    let horizon = a.scenario.grid.point_date(a.points() - 1);
    let title = format!("Which group does each country end up in? ({horizon})");
    specs.push((
        "classes".into(),
        title.clone(),
        ChartSpec::Classes(charts::ClassBars {
            title,
            subtitle: names.join("   ·   "),
            stamp,
            rows,
        }),
    ));
    specs
}
