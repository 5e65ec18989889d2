//! summary.json: what was run (inputs, seed, runs, version, files) and the
//! headline results (class probabilities per country, shock firing rates).

use super::RunInfo;
use crate::engine::Summary;
use crate::model::World;
use crate::scenario::ser::Inputs;
use serde_json::{Value, json};

pub fn summary_json(world: &World, summary: &Summary, info: &RunInfo) -> String {
    let sc = &world.scenario;
    let agg = &summary.aggregate;
    let runs = agg.runs.max(1) as f64;
    let mut classes = serde_json::Map::new();
    for ((country, _), counts) in world.class_series().iter().zip(&agg.classes) {
        classes.insert(
            country.clone(),
            json!({
                "keen": counts[0] as f64 / runs,
                "between": counts[1] as f64 / runs,
                "cautious": counts[2] as f64 / runs,
            }),
        );
    }
    let shocks: Vec<Value> = sc
        .shocks
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "shock": sc.shock_key(i),
                "kind": s.effect.kind(),
                "label": s.label,
                "firing_rate": agg.events[i] as f64 / runs,
            })
        })
        .collect();
    // Yearly rates of what the model counts (base rates, for calibration).
    let years = sc.grid.steps() as f64 * sc.grid.dt_years();
    let mut rates = serde_json::Map::new();
    for (name, count) in world
        .event_names()
        .iter()
        .zip(&agg.events)
        .skip(sc.shocks.len())
    {
        if *count > 0 {
            rates.insert(name.clone(), json!(*count as f64 / runs / years));
        }
    }
    // In a reader's order: what was asked, the answer, then how it was run.
    let mut value = json!({
        "scenario": {
            "name": sc.name,
            "description": sc.description,
            "question": sc.question,
            "files": sc.files.iter().map(|f| json!({"path": f.path.display().to_string(), "fnv1a64": f.hash})).collect::<Vec<_>>(),
        },
        "headline_outcomes": headline_outcomes(world, summary),
        "precision": info.precision.map(|p| json!({
            "target_standard_error": p.eps,
            "reached": p.reached,
            "runs": p.runs,
            "cap": world.scenario.runs,
        })),
        "dsrsim_version": env!("CARGO_PKG_VERSION"),
        "model": "v2",
        "seed": info.seed,
        "runs": agg.runs,
        "time": {
            "start": sc.grid.start.to_string(),
            "end": sc.grid.end.to_string(),
            "step_months": sc.grid.step_months,
            "points": agg.points,
        },
        "inputs": inputs(world),
        "classes": {
            "metric": sc.classes.metric.name(),
            "keen_below": sc.classes.keen_below,
            "cautious_from": sc.classes.cautious_from,
            "at": sc.grid.point_date(agg.points - 1).to_string(),
            "probabilities": classes,
        },
        "shock_firing_rates": shocks,
        "yearly_event_rates": rates,
        "warnings": sc.warnings,
    });
    // Only when there are any: a run of the files as written keeps the
    // bytes it always had.
    if !sc.overrides.is_empty() {
        let overrides: Vec<Value> = sc
            .overrides
            .iter()
            .map(|o| json!({"key": o.key, "value": o.value, "flag": o.origin}))
            .collect();
        value["overrides"] = Value::Array(overrides);
    }
    let mut text = serde_json::to_string_pretty(&value).expect("json values serialise");
    text.push('\n');
    text
}

/// Each headline outcome: its words, label, mean (a probability for a
/// class or a 0/1 metric), Monte Carlo standard error and quantiles.
fn headline_outcomes(world: &World, summary: &Summary) -> Vec<Value> {
    world
        .headline_outcomes()
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let s = summary.outcomes.stats(k);
            json!({
                "what": o.text(),
                "label": o.label,
                "probability": o.binary,
                "mean": s.mean,
                "standard_error": s.se,
                "p05": s.p05,
                "p25": s.p25,
                "p50": s.p50,
                "p75": s.p75,
                "p95": s.p95,
            })
        })
        .collect()
}

/// The resolved inputs in structured form (distributions as their TOML text).
fn inputs(world: &World) -> Value {
    serde_json::to_value(Inputs(&world.scenario)).expect("the inputs serialise to JSON")
}
