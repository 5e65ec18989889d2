//! The files of a paired comparison: differences first (CSV, table, charts),
//! then each scenario's own summary.

use super::RunInfo;
use super::charts::{
    self, ChartSpec, Layer, Legend, Marker, Panel, Share, SmallMultiples, Spec, colour,
};
use plotters::style::RGBColor;

use super::html::escape;
use crate::engine::{Differences, Summary};
use crate::model::{Metric, World};
use std::borrow::Borrow;
use std::fmt::Write;

/// The colours of "B ends higher" and "B ends lower" in a difference
/// chart's strip: black and reddish purple, apart from the colours of the
/// first three scenarios and from each other on a projector.
const HIGHER: RGBColor = RGBColor(0, 0, 0);
const LOWER: RGBColor = RGBColor(204, 121, 167);

/// The name scenario `k` is known by in a comparison: its file stem, and
/// its letter after it when an earlier scenario came from the same file
/// (`compare A.toml A.toml --set-b ...`), so that folders and rows stay apart.
pub fn stem(worlds: &[&World], k: usize) -> String {
    let file_stem = |w: &World| {
        w.scenario
            .files
            .first()
            .and_then(|f| f.path.file_stem())
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    };
    let own = file_stem(worlds[k]);
    if worlds[..k].iter().any(|w| file_stem(w) == own) {
        format!("{own}-{}", letter(k).to_ascii_lowercase())
    } else {
        own
    }
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
        let (stem_a, stem_b) = (stem(worlds, 0), stem(worlds, d.b));
        for (j, &(sa, sb)) in d.pairs.iter().enumerate() {
            let spec = &a.series()[sa];
            if !spec.metric.is_outcome() {
                continue;
            }
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
                    stem_a,
                    stem_b,
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

/// One row of the "What changes" table: a country's metric at the horizon.
struct ChangeRow {
    country: usize,
    metric: Metric,
    median_a: f64,
    median_b: f64,
    mean: f64,
    median: f64,
    above: f64,
    below: f64,
}

impl ChangeRow {
    /// How much changed, comparable across metrics: the mean difference as
    /// a share of the metric's whole range, then the share of runs that differ.
    fn size(&self) -> (f64, f64) {
        let r = self.metric.spec().range;
        ((self.mean / (r.hi - r.lo)).abs(), self.above + self.below)
    }
}

/// A metric's title, with its unit where the numbers do not carry one.
fn metric_cell(m: Metric) -> String {
    let spec = m.spec();
    // A stage counts itself ("−0.36 stages"); a share is in points.
    if spec.percent || spec.range.discrete || spec.unit.is_empty() {
        escape(spec.chart_title)
    } else {
        format!(
            "{}<br><span class=small>in {}</span>",
            escape(spec.chart_title),
            escape(spec.unit)
        )
    }
}

/// A level ("42%", "2.0", "0.146") in a metric's own terms.
fn level(m: Metric, x: f64) -> String {
    let spec = m.spec();
    if spec.percent {
        format!("{:.0}%", x * 100.0)
    } else if spec.range.discrete {
        unsigned_zero(format!("{x:.1}"))
    } else {
        unsigned_zero(format!("{x:.3}"))
    }
}

/// A difference with its sign and unit ("+78 pts", "−0.30 stages"). A
/// difference that rounds to zero but is not zero says so ("<0.5 pts").
fn signed(m: Metric, x: f64) -> String {
    let spec = m.spec();
    let (value, decimals, unit) = if spec.percent {
        (x * 100.0, 0, "pts")
    } else if spec.range.discrete {
        (x, 2, spec.amount)
    } else {
        (x, 3, spec.amount)
    };
    let text = format!("{value:+.decimals$}");
    let rounded_away = text
        .trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.');
    let body = if x == 0.0 {
        format!("0 {unit}")
    } else if rounded_away {
        let step = 0.5 * 10f64.powi(-(decimals as i32));
        format!("{}{step} {unit}", if x > 0.0 { "+<" } else { "−<" })
    } else {
        format!("{} {unit}", text.replacen('-', "−", 1))
    };
    body.trim_end().to_string()
}

/// "-0.0" and "-0" read as a change in a table of levels; they are 0.
fn unsigned_zero(s: String) -> String {
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Horizon table of B − A for every country and metric in which some run
/// differs, biggest change first. The mean difference leads: where most
/// runs are unchanged the median difference is 0 however large the change
/// in the runs that do change, and such rows say in how few runs it happens.
pub fn differences_html<S: Borrow<Summary>>(
    worlds: &[&World],
    diffs: &[Differences],
    summaries: &[S],
) -> String {
    let summaries: Vec<&Summary> = summaries.iter().map(Borrow::borrow).collect();
    let a = worlds[0];
    let last = a.points() - 1;
    let mut h = String::new();
    for d in diffs {
        let b = worlds[d.b];
        let _ = write!(
            h,
            "<h3>{} − {}, {}</h3><p class=small>Run i of both scenarios uses the same random numbers, so each run's difference shows only what the scenarios change. A and B: each scenario's median; mean B − A: the average change over all runs; P(B &gt; A) and P(B &lt; A): the share of runs in which B ends higher or lower. Where only a minority of runs change, the median change is 0 however large the change in those runs. Biggest change first.</p>",
            escape(&b.scenario.name),
            escape(&a.scenario.name),
            charts::horizon_words(a)
        );
        let mut rows = Vec::new();
        for &c in a.countries() {
            let id = &a.scenario.polities[c].id;
            for m in Metric::all().filter(|m| m.is_outcome()) {
                let Some(j) = pair_of(a, d, m, id) else {
                    continue;
                };
                let (sa, sb) = d.pairs[j];
                let st = d.aggregate.stats(j, last);
                let (above, below) = d.aggregate.share_signs(j, last);
                rows.push(ChangeRow {
                    country: c,
                    metric: m,
                    median_a: summaries[0].aggregate.stats(sa, last).p50,
                    median_b: summaries[d.b].aggregate.stats(sb, last).p50,
                    mean: st.mean,
                    median: st.p50,
                    above,
                    below,
                });
            }
        }
        let (mut changed, same): (Vec<ChangeRow>, Vec<ChangeRow>) = rows
            .into_iter()
            .partition(|r| r.above > 0.0 || r.below > 0.0);
        changed.sort_by(|x, y| {
            y.size()
                .partial_cmp(&x.size())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        if changed.is_empty() {
            h.push_str("<p><strong>No run differs in any metric of any country.</strong></p>");
            continue;
        }
        // Rows that change in only a few runs go behind a fold, so the
        // table a room reads is the changes that matter.
        let (main, minor): (Vec<&ChangeRow>, Vec<&ChangeRow>) = changed
            .iter()
            .partition(|r| r.above + r.below >= MINOR || main_is_empty_without(&changed, r));
        change_table(&mut h, a, &main);
        if !minor.is_empty() {
            let _ = write!(
                h,
                "<details><summary>{} smaller changes, each in fewer than {:.0}% of runs</summary>",
                minor.len(),
                MINOR * 100.0
            );
            change_table(&mut h, a, &minor);
            h.push_str("</details>");
        }
        let untouched: Vec<&str> = a
            .countries()
            .iter()
            .filter(|&&c| !changed.iter().any(|r| r.country == c))
            .map(|&c| a.scenario.polities[c].name.as_str())
            .collect();
        if !untouched.is_empty() {
            let _ = write!(
                h,
                "<p>No run differs in any metric for: {}.</p>",
                escape(&untouched.join(", "))
            );
        }
        if !same.is_empty() {
            h.push_str("<p class=small>Every other country and metric: no run differs.</p>");
        }
    }
    h
}

/// Changes in fewer runs than this share are listed behind a fold.
const MINOR: f64 = 0.05;

/// Whether every change is minor, in which case the biggest one is shown
/// anyway: a table of nothing would hide what little there is.
fn main_is_empty_without(changed: &[ChangeRow], r: &ChangeRow) -> bool {
    changed.iter().all(|x| x.above + x.below < MINOR) && std::ptr::eq(r, &changed[0])
}

fn change_table(h: &mut String, a: &World, rows: &[&ChangeRow]) {
    h.push_str("<table class=changes><tr><th>country</th><th>metric</th><th>A</th><th>B</th><th>mean B−A</th><th>P(B&gt;A)</th><th>P(B&lt;A)</th><th>median B−A</th><th>note</th></tr>");
    for r in rows {
        let class = if r.mean > 0.0 {
            "up"
        } else if r.mean < 0.0 {
            "down"
        } else {
            ""
        };
        let share = r.above + r.below;
        let note = if share < 0.5 {
            format!("only {} of runs change", percent_of_runs(share))
        } else {
            String::new()
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=\"num {class}\">{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=small>{}</td></tr>",
            escape(&a.scenario.polities[r.country].name),
            metric_cell(r.metric),
            level(r.metric, r.median_a),
            level(r.metric, r.median_b),
            nowrap(&signed(r.metric, r.mean)),
            escape(&percent_of_runs(r.above)),
            escape(&percent_of_runs(r.below)),
            nowrap(&signed(r.metric, r.median)),
            escape(&note)
        );
    }
    h.push_str("</table>");
}

/// A number with its unit, kept on one line.
fn nowrap(s: &str) -> String {
    escape(s).replace(' ', "&nbsp;")
}

/// A share of runs as a percentage that never rounds a few runs to "0%".
fn percent_of_runs(p: f64) -> String {
    if p > 0.0 && p < 0.005 {
        "<1%".into()
    } else if p < 1.0 && p > 0.995 {
        ">99%".into()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// The shocks of `worlds` that touch a country, each once. A difference
/// chart passes only its own pair, so C − A never shows B's shocks.
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

pub fn compare_charts<S: Borrow<Summary>>(
    worlds: &[&World],
    summaries: &[S],
    diffs: &[Differences],
    info: &RunInfo,
) -> Vec<Spec> {
    compare_charts_named(worlds, summaries, diffs, info, &|_| true)
}

/// The charts of `compare_charts` whose names `wanted` accepts, and only
/// those built (the workshop draws three on every answer).
pub fn compare_charts_named<S: Borrow<Summary>>(
    worlds: &[&World],
    summaries: &[S],
    diffs: &[Differences],
    info: &RunInfo,
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<Spec> {
    let summaries: Vec<&Summary> = summaries.iter().map(Borrow::borrow).collect();
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
    let period = charts::period(a);
    let mut specs = Vec::new();
    for metric in Metric::fans() {
        let overlay = format!("overlay-{}", metric.name());
        let panels: Vec<Panel> = a
            .countries()
            .iter()
            .filter(|_| wanted(&overlay))
            .map(|&c| {
                let id = &a.scenario.polities[c].id;
                let layers = worlds
                    .iter()
                    .zip(&summaries)
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
                let (shares, hatch) = if metric == Metric::Hr5g {
                    let each: Vec<_> = worlds
                        .iter()
                        .zip(&summaries)
                        .enumerate()
                        .map(|(k, (w, s))| (*w, &s.aggregate, colour(k)))
                        .collect();
                    charts::launch_context(&each, id)
                } else {
                    (Vec::new(), None)
                };
                Panel {
                    title: a.scenario.polities[c].name.clone(),
                    layers,
                    markers: markers_for(worlds, id),
                    shares,
                    hatch,
                }
            })
            .collect();
        // A country whose series no scenario records (`series`) has no
        // panel, and a metric none records no chart.
        let panels: Vec<Panel> = panels
            .into_iter()
            .filter(|p| !p.layers.is_empty())
            .collect();
        let title = format!("{}, {period}", metric.chart_title());
        if !panels.is_empty() {
            specs.push((
            overlay,
            title.clone(),
            ChartSpec::Multiples(SmallMultiples {
                title,
                subtitle: match metric.spec().binary {
                    Some(chance) => format!("each scenario's {chance}, as a share of runs"),
                    None => "each scenario's median (line) and middle 50% of runs (band); where lines meet, the wider is underneath".into(),
                },
                stamp: stamp.clone(),
                y_desc: charts::y_desc(metric),
                x_range: charts::x_range(a),
                y_range: charts::y_range(metric, &panels),
                panels,
                legend: Legend::FirstPanel,
                zero_line: false,
                percent: metric.spec().percent,
                chance: metric.spec().binary.is_some(),
                strip_desc: charts::STRIP_5G.into(),
            }),
        ));
        }
        for d in diffs {
            let b = worlds[d.b];
            let suffix = if diffs.len() > 1 {
                format!("-{}", stem(worlds, d.b))
            } else {
                String::new()
            };
            let name = format!("diff-{}{suffix}", metric.name());
            if !wanted(&name) {
                continue;
            }
            let panels: Vec<Panel> = a
                .countries()
                .iter()
                .filter_map(|&c| {
                    let id = &a.scenario.polities[c].id;
                    let j = pair_of(a, d, metric, id)?;
                    let band = charts::band(a, &d.aggregate, j);
                    let share = |sign: usize| -> Vec<(f64, f64)> {
                        (0..d.aggregate.points)
                            .map(|p| {
                                let (above, below) = d.aggregate.share_signs(j, p);
                                (band.x[p], if sign == 0 { above } else { below })
                            })
                            .collect()
                    };
                    let shares = vec![
                        Share {
                            label: format!("% of runs with {} > {}", letter(d.b), letter(0)),
                            colour: HIGHER,
                            points: share(0),
                        },
                        Share {
                            label: format!("% of runs with {} < {}", letter(d.b), letter(0)),
                            colour: LOWER,
                            points: share(1),
                        },
                    ];
                    Some(Panel {
                        title: a.scenario.polities[c].name.clone(),
                        layers: vec![Layer {
                            label: match metric.spec().binary {
                                Some(_) => {
                                    format!("{} − {}: change in the chance", letter(d.b), letter(0))
                                }
                                None => format!("{} − {} (per run)", letter(d.b), letter(0)),
                            },
                            colour: colour(d.b),
                            band,
                            outer: true,
                        }],
                        markers: markers_for(&[a, b], id),
                        shares,
                        hatch: None,
                    })
                })
                .collect();
            if panels.is_empty() {
                continue;
            }
            let binary = metric.spec().binary;
            let (lo, hi) = charts::bands_of(&panels)
                .flat_map(|b| match binary {
                    Some(_) => b.mean.iter().chain(&[]),
                    None => b.p05.iter().chain(&b.p95),
                })
                .filter(|v| v.is_finite())
                .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            // A difference axis spans at least a tenth of the metric's range,
            // so "nothing changes" is a flat line at 0 on a readable scale.
            let r = metric.spec().range;
            let least = 0.1 * (r.hi - r.lo);
            let (lo, hi) = if hi - lo < least {
                let mid = 0.5 * (lo + hi);
                (mid - 0.5 * least, mid + 0.5 * least)
            } else {
                (lo, hi)
            };
            let span = hi - lo;
            let title = format!("What {} changes: {}", letter(d.b), metric.chart_title());
            specs.push((
                name,
                title.clone(),
                ChartSpec::Multiples(SmallMultiples {
                    title,
                    subtitle: match binary {
                        Some(chance) => format!(
                            "{} − {}, paired run by run: change in the {chance} (line); below: how many runs move each way",
                            names[d.b],
                            names[0]
                        ),
                        None => format!(
                            "{} − {}, paired run by run: median (line), middle 50% and 90% (bands); below: how many runs move each way",
                            names[d.b],
                            names[0]
                        ),
                    },
                    stamp: stamp.clone(),
                    // The metric is in the title; beside the strip's own
                    // label a long wording would run into it.
                    y_desc: format!("{} − {}", letter(d.b), letter(0)),
                    x_range: charts::x_range(a),
                    y_range: (lo - 0.08 * span, hi + 0.08 * span),
                    panels,
                    legend: Legend::FirstPanel,
                    zero_line: true,
                    percent: metric.spec().percent,
                    chance: metric.spec().binary.is_some(),
                    strip_desc: "% of runs".into(),
                }),
            ));
        }
    }
    // Classes side by side: one bar per (country, scenario).
    if !wanted("classes") {
        return specs;
    }
    let mut rows = Vec::new();
    for &c in a.countries() {
        let id = &a.scenario.polities[c].id;
        for (k, (w, s)) in worlds.iter().zip(&summaries).enumerate() {
            if let Some(i) = w.class_series().iter().position(|(cid, _)| cid == id) {
                let runs = s.aggregate.runs.max(1) as f64;
                rows.push((
                    format!("{} ({})", a.scenario.polities[c].name, letter(k)),
                    s.aggregate.classes[i].map(|n| n as f64 / runs),
                ));
            }
        }
    }
    let horizon = charts::horizon_words(a);
    let title = format!("Which group does each country end up in, {horizon}?");
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
