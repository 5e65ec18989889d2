//! From a summary to chart specifications: which charts a run (or a
//! comparison) shows, with their titles, panels, bands and markers.

use super::{
    Band, ClassBars, Draw, Hatch, Layer, Legend, Marker, Panel, Share, SmallMultiples, TradeOff,
    TradeOffPoint, bands_of, colour,
};
use crate::engine::aggregate::Aggregate;
use crate::model::metrics::YRange;
use crate::model::{Level, Metric, World};
use crate::report::RunInfo;
use crate::scenario::Timing;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Every chart kind, so specs can be listed and rendered in parallel.
pub enum ChartSpec {
    Multiples(SmallMultiples),
    Classes(ClassBars),
    TradeOff(TradeOff),
}

impl Draw for ChartSpec {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            ChartSpec::Multiples(c) => c.draw(root),
            ChartSpec::Classes(c) => c.draw(root),
            ChartSpec::TradeOff(c) => c.draw(root),
        }
    }
}

/// (file stem, title, spec)
pub type Spec = (String, String, ChartSpec);

pub fn band(world: &World, agg: &Aggregate, s: usize) -> Band {
    let mut b = Band::default();
    for j in 0..agg.points {
        let st = agg.stats(s, j);
        b.x.push(world.scenario.grid.point_date(j).as_year_fraction());
        b.p05.push(st.p05);
        b.p25.push(st.p25);
        b.p50.push(st.p50);
        b.p75.push(st.p75);
        b.p95.push(st.p95);
        b.mean.push(st.mean);
    }
    b
}

pub fn stamp(world: &World, info: &RunInfo) -> String {
    format!(
        "{} · seed {} · {} runs · dsrsim {}",
        world.scenario.name,
        info.seed,
        thousands(info.runs),
        env!("CARGO_PKG_VERSION")
    )
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn x_range(world: &World) -> (f64, f64) {
    let g = &world.scenario.grid;
    (
        g.start.as_year_fraction(),
        g.point_date(g.steps()).as_year_fraction(),
    )
}

/// The years a chart covers: a grid ending on the first month of a year
/// ends with the year before, as the questions put it ("by 2035").
pub fn period(world: &World) -> String {
    let g = &world.scenario.grid;
    let end = g.point_date(g.steps());
    let last = if end.month() == 1 {
        end.year() - 1
    } else {
        end.year()
    };
    if last > g.start.year() {
        format!("{}–{last}", g.start.year())
    } else {
        g.start.year().to_string()
    }
}

/// The horizon in words: "end of 2035" for a grid ending in January 2036.
pub fn horizon_words(world: &World) -> String {
    let g = &world.scenario.grid;
    let m = g.point_date(g.steps());
    if m.month() == 1 {
        format!("end of {}", m.year() - 1)
    } else {
        m.to_string()
    }
}

/// The y-axis wording of a metric's charts: its chance for a 0/1 metric.
pub fn y_desc(metric: Metric) -> String {
    metric
        .spec()
        .binary
        .unwrap_or(metric.spec().y_desc)
        .to_string()
}

/// The shocks that touch a country, as time-axis markers.
pub fn markers(world: &World, country: usize) -> Vec<Marker> {
    let sc = &world.scenario;
    (0..sc.shocks.len())
        .filter(|&i| world.shock_countries(i).contains(&country))
        .map(|i| {
            let (from, to) = match sc.shocks[i].timing {
                Timing::Date(m) => (m.as_year_fraction(), m.as_year_fraction()),
                Timing::Window(a, b) => (a.as_year_fraction(), b.plus(1).as_year_fraction()),
            };
            Marker {
                from,
                to,
                label: shock_words(world, i),
            }
        })
        .collect()
}

/// A shock in a chart's words: its label, else what its kind does, and
/// its chance when it may not happen ("Pro-EU government, 35% chance").
pub fn shock_words(world: &World, i: usize) -> String {
    let sc = &world.scenario;
    let shock = &sc.shocks[i];
    let words = shock
        .label
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| shock.effect.what(sc));
    // Each is the start of a line in the chart's key.
    let mut chars = words.chars();
    let words: String = chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect());
    if shock.probability < 1.0 {
        format!("{words}, {} chance", percent_words(shock.probability))
    } else {
        words
    }
}

fn percent_words(p: f64) -> String {
    let x = (p * 1000.0).round() / 10.0;
    if x.fract() == 0.0 {
        format!("{x:.0}%")
    } else {
        format!("{x:.1}%")
    }
}

/// The y-axis words of the 5G launch strip.
pub const STRIP_5G: &str = "5G launched";

/// What a high-risk share of 5G needs beside it: where no 5G exists that
/// share is 0, which is not "Huawei-free 5G". For each (world, aggregate,
/// colour), the share of the country's market with 5G launched (the mean
/// over runs; for one operator, the share of runs) as a strip below the
/// panel; and hatching where the median run of every scenario has no 5G.
pub fn launch_context(
    scenarios: &[(&World, &Aggregate, RGBColor)],
    country: &str,
) -> (Vec<Share>, Option<Hatch>) {
    let mut shares = Vec::new();
    let mut none: Option<Vec<bool>> = None;
    let mut xs = Vec::new();
    for &(world, agg, colour) in scenarios {
        let Some(s) = world.series_index(Metric::Launched5g, country) else {
            continue;
        };
        let b = band(world, agg, s);
        let label = if scenarios.len() == 1 {
            "share of the market with 5G (mean of runs)".to_string()
        } else {
            format!("{}: 5G launched", world.scenario.name)
        };
        let below: Vec<bool> = b.mean.iter().map(|&m| m < 0.5).collect();
        none = Some(match none {
            None => below,
            Some(prev) => prev.iter().zip(&below).map(|(p, q)| *p && *q).collect(),
        });
        shares.push(Share {
            label,
            colour,
            points: b.x.iter().copied().zip(b.mean.iter().copied()).collect(),
        });
        xs = b.x;
    }
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for (j, &no) in none.unwrap_or_default().iter().enumerate() {
        if !no {
            continue;
        }
        let (from, to) = (xs[j], *xs.get(j + 1).unwrap_or(&xs[j]));
        match spans.last_mut() {
            Some(last) if (last.1 - from).abs() < 1e-9 => last.1 = to,
            _ => spans.push((from, to)),
        }
    }
    let hatch = (!spans.is_empty()).then(|| Hatch {
        spans,
        label: "no 5G yet in most runs".into(),
    });
    (shares, hatch)
}

/// The y range of a metric's panels, by the catalogue's rule: fixed, or
/// from the bands for an open-ended metric (the cost premium).
pub fn y_range(metric: Metric, panels: &[Panel]) -> (f64, f64) {
    match metric.spec().y_range {
        YRange::Fixed(lo, hi) => (lo, hi),
        YRange::FromBands => {
            let bands: Vec<&Band> = bands_of(panels).collect();
            let lo = bands
                .iter()
                .flat_map(|b| b.p05.iter())
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::min);
            let hi = bands
                .iter()
                .flat_map(|b| b.p95.iter())
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            (lo * 1.05, (hi * 1.05).max(lo + 0.05))
        }
    }
}

/// Each country with its series of `metric`.
fn country_series(world: &World, metric: Metric) -> Vec<(usize, usize)> {
    world
        .countries()
        .iter()
        .filter_map(|&c| {
            world
                .series_index(metric, &world.scenario.polities[c].id)
                .map(|s| (c, s))
        })
        .collect()
}

/// Every chart of one run.
pub fn run_charts(world: &World, agg: &Aggregate, info: &RunInfo) -> Vec<Spec> {
    run_charts_named(world, agg, info, &|_| true)
}

/// The charts of `run_charts` whose names `wanted` accepts, and only those
/// built: the workshop asks for two of a dozen on every answer.
pub fn run_charts_named(
    world: &World,
    agg: &Aggregate,
    info: &RunInfo,
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<Spec> {
    let sc = &world.scenario;
    let stamp = stamp(world, info);
    let mut specs = Vec::new();
    for metric in Metric::fans() {
        let name = format!("fan-{}", metric.name());
        if !wanted(&name) {
            continue;
        }
        let panels: Vec<Panel> = country_series(world, metric)
            .into_iter()
            .map(|(c, s)| {
                let (shares, hatch) = if metric == Metric::Hr5g {
                    launch_context(&[(world, agg, colour(0))], &sc.polities[c].id)
                } else {
                    (Vec::new(), None)
                };
                Panel {
                    title: sc.polities[c].name.clone(),
                    layers: vec![Layer {
                        label: "median".into(),
                        colour: colour(0),
                        band: band(world, agg, s),
                        outer: true,
                    }],
                    markers: markers(world, c),
                    shares,
                    hatch,
                }
            })
            .collect();
        if panels.is_empty() {
            // Not recorded (`series`): no chart, rather than an empty one.
            continue;
        }
        let y_range = y_range(metric, &panels);
        let title = format!("{}, {}", metric.chart_title(), period(world));
        specs.push((
            name,
            title.clone(),
            ChartSpec::Multiples(SmallMultiples {
                title,
                subtitle: match metric.spec().binary {
                    Some(chance) => format!(
                        "{}: {chance}, as a share of runs (by market share where a country has several polities); numbered dashed lines: the shocks listed below",
                        sc.name
                    ),
                    None if metric == Metric::Hr5g => format!(
                        "{}: median (line), middle 50% and 90% of runs (bands); hatched: no 5G yet in most runs, so 0 there is no 5G, not trusted 5G; strip below: share of the market with 5G",
                        sc.name
                    ),
                    None => format!(
                        "{}: median (line), middle 50% and 90% of runs (bands); numbered dashed lines: the shocks listed below",
                        sc.name
                    ),
                },
                stamp: stamp.clone(),
                y_desc: y_desc(metric),
                x_range: x_range(world),
                y_range,
                panels,
                legend: Legend::None,
                zero_line: false,
                percent: metric.spec().percent,
                chance: metric.spec().binary.is_some(),
                strip_desc: STRIP_5G.into(),
            }),
        ));
    }

    // Operators: one panel per country, one line and band per operator.
    let panels: Vec<Panel> = world
        .countries()
        .iter()
        .filter(|_| wanted("operators-trusted_share"))
        .filter_map(|&c| {
            let country = &sc.polities[c].id;
            let layers: Vec<Layer> = world
                .series()
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    s.metric == Metric::TrustedShare
                        && s.level == Level::Operator
                        && &s.country == country
                })
                .enumerate()
                .map(|(k, (s, spec))| Layer {
                    label: operator_name(world, &spec.entity),
                    colour: colour(k),
                    band: band(world, agg, s),
                    outer: false,
                })
                .collect();
            (!layers.is_empty()).then(|| Panel {
                title: sc.polities[c].name.clone(),
                layers,
                markers: markers(world, c),
                shares: Vec::new(),
                hatch: None,
            })
        })
        .collect();
    let title = format!(
        "Trusted-vendor share of each operator's RAN, {}",
        period(world)
    );
    // Operator series not recorded (`series = ["countries"]`): no chart.
    if !panels.is_empty() {
        specs.push((
        "operators-trusted_share".into(),
        title.clone(),
        ChartSpec::Multiples(SmallMultiples {
            title,
            subtitle: format!(
                "{}: median per operator (line) and middle 50% of runs (band); where lines meet, the wider is underneath",
                sc.name
            ),
            stamp: stamp.clone(),
            y_desc: "trusted share of RAN".into(),
            x_range: x_range(world),
            y_range: (0.0, 1.0),
            panels,
            legend: Legend::EveryPanel,
            zero_line: false,
            percent: true,
            chance: false,
            strip_desc: String::new(),
        }),
        ));
    }

    // Class probabilities at the horizon.
    let horizon = horizon_words(world);
    if wanted("classes") {
        let runs = agg.runs.max(1) as f64;
        let rows = world
            .class_series()
            .iter()
            .zip(&agg.classes)
            .map(|((country, _), counts)| {
                let name = sc
                    .polity_index(country)
                    .map_or(country.clone(), |p| sc.polities[p].name.clone());
                (name, counts.map(|k| k as f64 / runs))
            })
            .collect();
        let title = format!("Which group does each country end up in, {horizon}?");
        specs.push((
            "classes".into(),
            title.clone(),
            ChartSpec::Classes(ClassBars {
                title,
                subtitle: format!(
                    "{}: share of {} runs by {} ({}): keen below {:.2}, cautious from {:.2}",
                    sc.name,
                    thousands(agg.runs),
                    Metric::from(sc.classes.metric).spec().short.to_lowercase(),
                    Metric::from(sc.classes.metric).spec().unit,
                    sc.classes.keen_below,
                    sc.classes.cautious_from
                ),
                stamp: stamp.clone(),
                rows,
            }),
        ));
    }

    // The trade-off at the horizon.
    if !wanted("tradeoff") {
        return specs;
    }
    let last = agg.points - 1;
    let share = country_series(world, Metric::TrustedShare);
    let cost = country_series(world, Metric::CostPremium);
    let points: Vec<TradeOffPoint> = share
        .iter()
        .filter_map(|&(c, s)| {
            let (_, k) = cost.iter().find(|(cc, _)| *cc == c)?;
            let (a, b) = (agg.stats(s, last), agg.stats(*k, last));
            Some(TradeOffPoint {
                label: sc.polities[c].name.clone(),
                x: (a.p25, a.p50, a.p75),
                y: (b.p25, b.p50, b.p75),
            })
        })
        .collect();
    if points.is_empty() {
        return specs;
    }
    let title = format!("What trusted networks cost, by the {horizon}");
    specs.push((
        "tradeoff".into(),
        title.clone(),
        ChartSpec::TradeOff(TradeOff {
            title,
            subtitle: format!(
                "{}: dot = median run, bars = middle 50% of runs; right = more trusted equipment, up = more extra capex",
                sc.name
            ),
            stamp,
            x_desc: "trusted-vendor share of the installed RAN".into(),
            y_desc: "extra capex (networks at high-risk prices)".into(),
            points,
        }),
    ));
    specs
}

fn operator_name(world: &World, id: &str) -> String {
    world
        .scenario
        .operators
        .iter()
        .find(|o| o.id == id)
        .map_or(id.to_string(), |o| o.name.clone())
}
