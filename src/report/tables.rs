//! Tidy CSV tables: one row per (metric, entity, point), and per kept run.

use crate::engine::Summary;
use crate::engine::aggregate::Aggregate;
use crate::model::World;
use std::fmt::Write;

/// Six decimals: finer than any histogram bin, and stable text.
pub(super) fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        let s = format!("{x:.6}");
        if s == "-0.000000" {
            "0.000000".into()
        } else {
            s
        }
    }
}

/// Quote a CSV field if it needs it.
pub(super) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn summary_csv(world: &World, agg: &Aggregate) -> String {
    let mut out = String::from("metric,entity,step,date,mean,p05,p25,p50,p75,p95\n");
    let grid = &world.scenario.grid;
    for (s, spec) in world.series().iter().enumerate() {
        for point in 0..agg.points {
            let st = agg.stats(s, point);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{}",
                spec.metric.name(),
                field(&spec.entity),
                point,
                grid.point_date(point),
                num(st.mean),
                num(st.p05),
                num(st.p25),
                num(st.p50),
                num(st.p75),
                num(st.p95)
            );
        }
    }
    out
}

/// Long format: run, kind (input or horizon), name, entity, value.
pub fn runs_csv(world: &World, summary: &Summary) -> String {
    let mut out = String::from("run,kind,name,entity,value\n");
    let inputs = world.input_names();
    for k in &summary.kept {
        for (name, v) in inputs.iter().zip(&k.inputs) {
            let _ = writeln!(out, "{},input,{},,{}", k.run, field(name), num(*v));
        }
        for (spec, v) in world.series().iter().zip(&k.horizon) {
            let _ = writeln!(
                out,
                "{},horizon,{},{},{}",
                k.run,
                spec.metric.name(),
                field(&spec.entity),
                num(*v)
            );
        }
    }
    out
}

/// The class probabilities and horizon medians per country, as an HTML table.
pub fn classes_html(world: &World, agg: &Aggregate) -> String {
    use crate::model::Metric;
    use crate::report::html::escape;
    let sc = &world.scenario;
    let last = agg.points - 1;
    let runs = agg.runs.max(1) as f64;
    let median = |metric: Metric, entity: &str| {
        world
            .series_index(metric, entity)
            .map_or(String::from("–"), |s| {
                let p50 = agg.stats(s, last).p50;
                if metric.spec().percent {
                    format!("{:.0}%", p50 * 100.0)
                } else {
                    format!("{p50:.2}")
                }
            })
    };
    // The high-risk share of 5G is 0 where no 5G exists; this column says
    // where that is, so a 0 there is not read as trusted 5G.
    let launched = |entity: &str| {
        world
            .series_index(Metric::Launched5g, entity)
            .map_or(String::from("no operators"), |s| {
                let share = agg.stats(s, last).mean;
                // What would print as "0%" is said in words.
                if share < 0.005 {
                    "no 5G yet".into()
                } else {
                    format!("{:.0}%", share * 100.0)
                }
            })
    };
    let mut t = format!(
        "<table><tr><th>country</th><th>keen</th><th>between</th><th>cautious</th><th>median: {}</th><th>median: {}</th><th>{}</th></tr>",
        escape(Metric::from(sc.classes.metric).chart_title()),
        escape(Metric::TrustedShare.chart_title()),
        escape(Metric::Launched5g.chart_title())
    );
    for ((country, _), counts) in world.class_series().iter().zip(&agg.classes) {
        let name = sc
            .polity_index(country)
            .map_or(country.clone(), |p| sc.polities[p].name.clone());
        let _ = write!(
            t,
            "<tr><td>{}</td><td class=num>{:.0}%</td><td class=num>{:.0}%</td><td class=num>{:.0}%</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
            escape(&name),
            counts[0] as f64 / runs * 100.0,
            counts[1] as f64 / runs * 100.0,
            counts[2] as f64 / runs * 100.0,
            median(sc.classes.metric.into(), country),
            median(Metric::TrustedShare, country),
            launched(country),
        );
    }
    t.push_str("</table>");
    t
}
