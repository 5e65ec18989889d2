//! `simulate discover FILE --when "OUTCOME >= X"`: in which runs does it
//! happen? Every run's inputs (its sampled parameters, the state it starts
//! from, when each shock fired) beside whether the condition held, and PRIM
//! (`engine::prim`) to find a box of inputs where it holds far more often.

use crate::engine::prim::{self, PrimOptions};
use crate::engine::records::{RecordOptions, RunRecord, records};
use crate::error::{Diagnostic, Error, Result};
use crate::model::outcome::Outcome;
use crate::model::{Metric, World};
use crate::report::discover::{Comparison, Condition, DiscoverView, Input, InputKind};
use crate::scenario::dist::Dist;
use crate::scenario::outcome::OutcomeSpec;
use crate::scenario::params::PARAMS;
use std::path::Path;

/// Runs held in memory at most (each keeps its inputs: about 0.5 kB).
pub const MAX_RUNS: u64 = 1_000_000;
/// The told box holds at least this share of the runs where it happens.
pub const MIN_COVERAGE: f64 = 0.5;
/// A limit stays in the told box only if lifting it would cost at least
/// this share of what the box gains over all runs (and more than chance).
pub const MIN_SHARE: f64 = 0.1;

/// `OUTCOME >= X`, `OUTCOME <= X`, or a 0/1 outcome alone (it happens).
pub fn parse_when(arg: &str, world: &World) -> Result<Condition> {
    let origin = Path::new("--when");
    let found = [">=", "<="]
        .iter()
        .filter_map(|op| arg.find(op).map(|at| (at, *op)))
        .min();
    if found.is_none()
        && let Some(at) = arg.find(['>', '<', '='])
    {
        let len = arg[at..].len() - arg[at..].trim_start_matches(['>', '<', '=']).len();
        return Err(Diagnostic::new(format!(
            "`{}` is not a comparison discover knows",
            &arg[at..at + len]
        ))
        .at(origin, arg, at..at + len)
        .hint("write `>=` (at least) or `<=` (at most), e.g. --when \"trusted_procurement SRB at 2030-12 >= 0.8\"")
        .into());
    }
    let outcome_text = found.map_or(arg, |(at, _)| &arg[..at]);
    let spec = OutcomeSpec::parse(outcome_text).map_err(|e| Error::from(e.at(origin, arg, 0)))?;
    spec.check(&world.scenario)
        .map_err(|e| Error::from(e.at(origin, arg, 0)))?;
    let outcome = world
        .outcome(&spec, None)
        .map_err(|e| Error::from(e.at(origin, arg, 0)))?;
    let Some((at, op)) = found else {
        if outcome.binary {
            return Ok(condition(world, outcome, Comparison::AtLeast, 1.0));
        }
        return Err(Diagnostic::new(format!(
            "`{}` is a number, not an event: say which values count",
            spec.text
        ))
        .at(origin, arg, arg.trim_end().len()..arg.trim_end().len())
        .hint(format!(
            "add `>= X` or `<= X`, e.g. --when \"{} >= 0.5\"",
            spec.text
        ))
        .into());
    };
    let rest = &arg[at + 2..];
    let lead = rest.len() - rest.trim_start().len();
    let number = rest.trim();
    let span = at + 2 + lead..at + 2 + lead + number.len();
    let value = match number.parse::<f64>() {
        Ok(x) if x.is_finite() => x,
        _ => {
            let span = if number.is_empty() {
                arg.len()..arg.len()
            } else {
                span
            };
            return Err(Diagnostic::new(if number.is_empty() {
                format!("`{op}` needs a number")
            } else {
                format!("`{number}` is not a number")
            })
            .at(origin, arg, span)
            .hint(format!(
                "write --when \"OUTCOME {op} X\" with X a number, e.g. --when \"trusted_procurement SRB at 2030-12 >= 0.8\""
            ))
            .into());
        }
    };
    let comparison = if op == ">=" {
        Comparison::AtLeast
    } else {
        Comparison::AtMost
    };
    Ok(condition(world, outcome, comparison, value))
}

/// The condition with its words: the file's label for the outcome when it
/// names one.
fn condition(world: &World, outcome: Outcome, comparison: Comparison, value: f64) -> Condition {
    let label = world
        .scenario
        .outcomes
        .iter()
        .find(|h| h.spec.text == outcome.spec.text)
        .and_then(|h| h.label.clone())
        .unwrap_or_else(|| {
            if outcome.binary {
                event_words(&outcome.label)
            } else {
                outcome.label.clone()
            }
        });
    Condition {
        outcome,
        label,
        comparison,
        value,
    }
}

/// A 0/1 outcome's generated label as the event it counts: "Serbia: chance
/// a law is in force by …" is "Serbia: a law is in force by …" once the
/// sentence says in how many runs.
fn event_words(label: &str) -> String {
    for prefix in [": chance of being ", ": chance that ", ": chance "] {
        if let Some(at) = label.find(prefix) {
            return format!("{}: {}", &label[..at], &label[at + prefix.len()..]);
        }
    }
    label.to_string()
}

/// The inputs PRIM looks at, as columns: the parameters the file draws, each
/// country's orientation at the start where it is drawn, and when each shock
/// fired (infinity: never). Columns that never vary say nothing and are left out.
fn columns(world: &World, records: &[RunRecord]) -> (Vec<Input>, Vec<Vec<f64>>) {
    let sc = &world.scenario;
    let mut inputs = Vec::new();
    let mut columns = Vec::new();
    let mut add = |input: Input, values: Vec<f64>| {
        if values.iter().any(|v| v.to_bits() != values[0].to_bits()) {
            inputs.push(input);
            columns.push(values);
        }
    };
    for (j, (p, d)) in PARAMS.iter().zip(&sc.parameters).enumerate() {
        if matches!(d, Dist::Random(_)) {
            add(
                Input {
                    key: format!("parameter:{}", p.name),
                    kind: InputKind::Parameter(j),
                },
                records.iter().map(|r| r.inputs[j]).collect(),
            );
        }
    }
    for (k, &(c, _)) in start_series(world).iter().enumerate() {
        add(
            Input {
                key: format!("start:orientation:{}", sc.polities[c].id),
                kind: InputKind::StartOrientation(c),
            },
            records.iter().map(|r| r.start[k]).collect(),
        );
    }
    for i in 0..sc.shocks.len() {
        add(
            Input {
                key: format!("shock:{}", sc.shock_key(i)),
                kind: InputKind::Shock(i),
            },
            records
                .iter()
                .map(|r| r.fired_at[i].map_or(f64::INFINITY, |s| s as f64))
                .collect(),
        );
    }
    (inputs, columns)
}

/// (country, its orientation series): the state each run starts from.
fn start_series(world: &World) -> Vec<(usize, usize)> {
    world
        .countries()
        .iter()
        .filter_map(|&c| {
            world
                .series_index(Metric::Orientation, &world.scenario.polities[c].id)
                .map(|s| (c, s))
        })
        .collect()
}

pub struct DiscoverPlan<'a> {
    pub world: &'a World,
    pub when: &'a str,
    pub runs: u64,
    pub seed: u64,
    pub threads: usize,
    pub progress: bool,
    pub alpha: f64,
}

/// What a discovery found, ready for the report.
pub struct Discovery {
    pub condition: Condition,
    pub inputs: Vec<Input>,
    pub trajectory: prim::Trajectory,
    pub chosen: usize,
    pub told: prim::PrimBox,
    /// Runs where it happens, and runs, among the check runs.
    pub check: (usize, usize),
    pub example_run: Option<u64>,
}

/// Check the condition, run every run, and peel.
pub fn discover(p: &DiscoverPlan) -> Result<Discovery> {
    let condition = parse_when(p.when, p.world)?;
    if !(p.alpha > 0.0 && p.alpha < 0.5) {
        return Err(Error::usage(format!(
            "--alpha {} is out of range: the share of a box one peel removes, above 0 and below 0.5 (usually 0.05)",
            p.alpha
        )));
    }
    if p.runs > MAX_RUNS {
        return Err(Error::usage(format!(
            "--runs {} is more than {MAX_RUNS}: discover holds every run's inputs in memory (twice: the runs, and as many to check the box on); 10,000 to 100,000 runs find a box well",
            p.runs
        )));
    }
    let starts: Vec<usize> = start_series(p.world).iter().map(|&(_, s)| s).collect();
    let records = records(
        p.world,
        std::slice::from_ref(&condition.outcome),
        &starts,
        // Runs 0..N are peeled; runs N..2N, which the peel never sees, say
        // which of its limits are more than chance.
        &RecordOptions {
            runs: 2 * p.runs,
            seed: p.seed,
            threads: p.threads,
            progress: p.progress,
        },
    )?;
    let all_y: Vec<bool> = records
        .iter()
        .map(|r| condition.holds(r.outcomes[0]))
        .collect();
    let n = p.runs as usize;
    let (y, check_y) = all_y.split_at(n);
    let hits = y.iter().filter(|&&b| b).count();
    if hits == 0 || hits == y.len() {
        return Err(Error::usage(format!(
            "{} in {} of {} runs ({:.1}%): there is nothing to tell apart. Pick a threshold that some runs meet and others do not{}",
            condition.words(),
            hits,
            y.len(),
            100.0 * hits as f64 / y.len() as f64,
            if y.len() < 1000 {
                ", or raise --runs"
            } else {
                ""
            }
        )));
    }
    let (inputs, all_columns) = columns(p.world, &records);
    let columns: Vec<Vec<f64>> = all_columns.iter().map(|c| c[..n].to_vec()).collect();
    let check: Vec<Vec<f64>> = all_columns.iter().map(|c| c[n..].to_vec()).collect();
    if inputs.is_empty() {
        return Err(Error::usage(format!(
            "`{}` draws nothing that differs between runs (no parameter drawn from a distribution, no shock with a chance or a window): there are no inputs to tell runs apart by",
            p.world.scenario.name
        )));
    }
    let trajectory = prim::peel(
        &columns,
        y,
        PrimOptions {
            alpha: p.alpha,
            ..PrimOptions::default()
        },
    );
    let chosen = prim::choose(&trajectory, MIN_COVERAGE);
    let pasted = prim::paste(&columns, y, &trajectory, &trajectory.boxes[chosen], p.alpha);
    let told = prim::simplify(&check, check_y, &trajectory.boxes[0], &pasted, MIN_SHARE);
    let example_run = (0..y.len())
        .find(|&i| {
            y[i] && columns
                .iter()
                .zip(&told.limits)
                .all(|(c, &(lo, hi))| c[i] >= lo && c[i] <= hi)
        })
        .map(|i| i as u64);
    Ok(Discovery {
        condition,
        inputs,
        trajectory,
        chosen,
        told,
        check: (check_y.iter().filter(|&&v| v).count(), check_y.len()),
        example_run,
    })
}

/// The view the report writes from.
pub fn view<'a>(
    world: &'a World,
    d: &'a Discovery,
    runs: u64,
    seed: u64,
    alpha: f64,
    file: &'a Path,
) -> DiscoverView<'a> {
    DiscoverView {
        world,
        condition: &d.condition,
        inputs: &d.inputs,
        trajectory: &d.trajectory,
        chosen: d.chosen,
        told: &d.told,
        check: d.check,
        example_run: d.example_run,
        runs,
        seed,
        alpha,
        min_coverage: MIN_COVERAGE,
        min_share: MIN_SHARE,
        file,
    }
}
