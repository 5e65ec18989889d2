//! `simulate sweep FILE --vary KEY=LO:HI:STEP [--vary KEY2=...]`: a grid
//! design over one or two key paths, run on the experiment core with common
//! random numbers, written as `sweep.csv`, charts and a page.

use crate::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
use crate::error::{Diagnostic, Error, Result};
use crate::model::World;
use crate::model::outcome::Outcome;
use crate::report::sweep::{SweepAxis, SweepView, render_sweep};
use crate::scenario::outcome::OutcomeSpec;
use crate::scenario::time::Month;
use crate::scenario::{Base, Scenario, Setting};
use std::path::Path;

/// Grid points at most without `--yes`.
pub const MAX_POINTS: usize = 10_000;

/// A `--vary` argument read: the axis and the key's origin text.
pub fn parse_vary(arg: &str) -> Result<SweepAxis> {
    let bad = |span: std::ops::Range<usize>, message: String, hint: &str| -> Error {
        Diagnostic::new(message)
            .at(Path::new("--vary"), arg, span)
            .hint(hint)
            .into()
    };
    let Some(eq) = arg.find('=') else {
        return Err(bad(
            0..arg.len(),
            format!("`{arg}` has no `=`"),
            "write --vary KEY=LO:HI:STEP, e.g. --vary eu_conditionality=0:1:0.1 or --vary shock.srb-auction.date=2025-06:2027-06:6",
        ));
    };
    let key = arg[..eq].trim();
    let range = &arg[eq + 1..];
    let parts: Vec<(usize, &str)> = {
        let mut at = eq + 1;
        range
            .split(':')
            .map(|p| {
                let here = at;
                at += p.len() + 1;
                (here, p)
            })
            .collect()
    };
    if parts.len() != 3 {
        return Err(bad(
            eq + 1..arg.len(),
            format!("`{range}` is not a range LO:HI:STEP"),
            "three parts: the first value, the last value and the step, e.g. 0:1:0.1 (dates: 2025-06:2027-06:6, a step in months)",
        ));
    }
    let span = |i: usize| parts[i].0..parts[i].0 + parts[i].1.len();
    let months = Month::parse(parts[0].1.trim()).is_ok();
    let value = |i: usize| -> Result<f64> {
        let text = parts[i].1.trim();
        if months && i < 2 {
            return Month::parse(text).map(|m| f64::from(m.0)).map_err(|e| {
                bad(
                    span(i),
                    format!("`{text}` is not a month: {e}"),
                    "both ends of a range of dates are YYYY-MM, and the step is in months",
                )
            });
        }
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(bad(
                span(i),
                format!("`{text}` is not a number"),
                "write --vary KEY=LO:HI:STEP with numbers, e.g. 0:1:0.1",
            )),
        }
    };
    let (lo, hi, step) = (value(0)?, value(1)?, value(2)?);
    if lo > hi {
        return Err(bad(
            parts[0].0..parts[1].0 + parts[1].1.len(),
            format!(
                "the range starts above its end ({} > {})",
                parts[0].1, parts[1].1
            ),
            "write LO:HI:STEP with LO ≤ HI",
        ));
    }
    if step <= 0.0 || (months && step.fract() != 0.0) {
        return Err(bad(
            span(2),
            format!(
                "the step `{}` must be above 0{}",
                parts[2].1,
                if months {
                    " and a whole number of months"
                } else {
                    ""
                }
            ),
            "e.g. 0:1:0.1 gives 11 values",
        ));
    }
    let count = ((hi - lo) / step + 1e-9).floor() + 1.0;
    if count > 1e7 {
        return Err(bad(
            span(2),
            format!("{lo}..{hi} in steps of {step} is {count} values"),
            "use a larger step",
        ));
    }
    // Values as the decimal a person would write: 0.30000000000000004 is 0.3.
    let values = (0..count as usize)
        .map(|i| {
            let x = lo + i as f64 * step;
            format!("{:.12}", x).parse::<f64>().unwrap_or(x)
        })
        .collect();
    Ok(SweepAxis {
        key: key.to_string(),
        values,
        months,
    })
}

/// The override a point makes on one axis.
fn setting(axis: &SweepAxis, i: usize) -> Result<Setting> {
    let value = if axis.months {
        format!("\"{}\"", axis.text(i))
    } else {
        axis.text(i)
    };
    Setting::new(&axis.key, &value, "--vary")
}

/// An outcome given on the command line, checked against the scenario.
pub fn parse_outcome(text: &str, world: &World) -> Result<Outcome> {
    let origin = Path::new("--outcome");
    let spec = OutcomeSpec::parse(text).map_err(|e| Error::from(e.at(origin, text, 0)))?;
    spec.check(&world.scenario)
        .map_err(|e| Error::from(e.at(origin, text, 0)))?;
    world
        .outcome(&spec, None)
        .map_err(|e| Error::from(e.at(origin, text, 0)))
}

pub struct SweepPlan<'a> {
    pub file: &'a Path,
    pub set: &'a [Setting],
    pub vary: &'a [String],
    pub outcomes: &'a [String],
    pub reps: u64,
    pub seed: Option<u64>,
    pub threads: usize,
    pub progress: bool,
    pub yes: bool,
    /// Add replications until every outcome's standard error at every point
    /// is at most this (`reps` is then the cap).
    pub precision: Option<f64>,
    /// Run only this shard of the replications (`sweep_shard`).
    pub shard: Option<crate::engine::shard::Shard>,
}

/// What a sweep ran: the scenario as written (with `--set`), axes,
/// outcomes, result, seed.
pub struct SweepRun {
    pub world: World,
    pub axes: Vec<SweepAxis>,
    pub outcomes: Vec<Outcome>,
    pub result: crate::engine::experiment::ExperimentResult,
    pub seed: u64,
    /// Set when the replications went on until a precision.
    pub precision: Option<crate::engine::PrecisionReport>,
}

/// A sweep checked and laid out, not yet run: what a shard and a merge
/// rebuild from the command line and the files alike.
pub struct Prepared {
    pub world: World,
    pub axes: Vec<SweepAxis>,
    pub outcomes: Vec<Outcome>,
    pub design: Vec<DesignPoint>,
    pub seed: u64,
}

impl Prepared {
    pub fn options(
        &self,
        p: &SweepPlan,
        rep_range: Option<std::ops::Range<u64>>,
    ) -> ExperimentOptions {
        ExperimentOptions {
            reps: p.reps,
            seed: self.seed,
            threads: p.threads,
            progress: p.progress,
            rep_range,
        }
    }

    /// The finished sweep of `result` (replications of this design).
    pub fn finish(
        self,
        result: crate::engine::experiment::ExperimentResult,
        precision: Option<crate::engine::PrecisionReport>,
    ) -> SweepRun {
        SweepRun {
            world: self.world,
            axes: self.axes,
            outcomes: self.outcomes,
            result,
            seed: self.seed,
            precision,
        }
    }
}

/// Check everything (keys, ranges, outcomes, every point's values), then run.
pub fn run_sweep(p: &SweepPlan) -> Result<SweepRun> {
    let prep = prepare(p)?;
    let opts = prep.options(p, None);
    let (result, precision) = match p.precision {
        None => (run_design(&prep.design, &opts)?, None),
        Some(eps) => {
            let (result, report) = to_precision(&prep.design, &opts, eps)?;
            (result, Some(report))
        }
    };
    Ok(prep.finish(result, precision))
}

/// Check everything (keys, ranges, outcomes, every point's values) and lay
/// out the design.
pub fn prepare(p: &SweepPlan) -> Result<Prepared> {
    if p.vary.is_empty() || p.vary.len() > 2 {
        return Err(Error::usage(
            "a sweep varies one or two keys: give --vary KEY=LO:HI:STEP once or twice",
        ));
    }
    let axes = p
        .vary
        .iter()
        .map(|a| parse_vary(a))
        .collect::<Result<Vec<_>>>()?;
    if axes.len() == 2 && axes[0].key == axes[1].key {
        return Err(Error::usage(format!(
            "`{}` is varied twice: vary two different keys",
            axes[0].key
        )));
    }
    let points: usize = axes.iter().map(|a| a.values.len()).product();
    if points > MAX_POINTS && !p.yes {
        return Err(Error::usage(format!(
            "the grid has {points} points (more than {MAX_POINTS}); each runs {} times. Use larger steps, or add --yes to run it anyway",
            p.reps
        )));
    }
    let base = Base::read(p.file)?;
    let plain: Scenario = base.resolve(p.set)?;
    // The same day-long guard as `run`: every point runs `reps` times (a
    // shard's part of them).
    let reps = p.shard.map_or(p.reps, |s| {
        let r = s.range(p.reps);
        r.end - r.start
    });
    let runs = (points as u64).saturating_mul(reps);
    let cores = p
        .threads
        .min(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let seconds = super::guard::estimate_seconds(std::slice::from_ref(&plain), runs, cores);
    if seconds > super::guard::LONGEST_UNASKED_SECONDS && !p.yes {
        return Err(Error::usage(format!(
            "{points} points × {reps} runs would take about {} on {cores} core{}; use fewer points or runs, or add --yes to start it anyway",
            super::guard::duration(seconds),
            if cores == 1 { "" } else { "s" }
        )));
    }
    let world = World::new(plain);
    world.check_outcomes()?;
    let outcomes: Vec<Outcome> = if p.outcomes.is_empty() {
        world.headline_outcomes()
    } else {
        p.outcomes
            .iter()
            .map(|o| parse_outcome(o, &world))
            .collect::<Result<_>>()?
    };
    // Every point's scenario, checked before anything runs.
    let mut design = Vec::with_capacity(points);
    for point in 0..points {
        let n0 = axes[0].values.len();
        let coords = if axes.len() == 1 {
            vec![point]
        } else {
            vec![point % n0, point / n0]
        };
        let mut settings = p.set.to_vec();
        for (a, &i) in axes.iter().zip(&coords) {
            settings.push(setting(a, i)?);
        }
        let w = World::new(base.resolve(&settings)?);
        let outs = outcomes
            .iter()
            .map(|o| {
                w.outcome(&o.spec, Some(&o.label))
                    .map_err(|e| Error::usage(format!("outcome `{}`: {}", o.text(), e.message)))
            })
            .collect::<Result<Vec<_>>>()?;
        design.push(DesignPoint {
            world: w,
            outcomes: outs,
        });
    }
    let seed = p.seed.unwrap_or(world.scenario.seed);
    Ok(Prepared {
        world,
        axes,
        outcomes,
        design,
        seed,
    })
}

/// Replications 0.. in chunks until every outcome's standard error at every
/// point is at most `eps`, with the schedule of `engine::simulate_to_precision`
/// (results alone decide it; the result is that of a plain design of as many
/// replications).
fn to_precision(
    design: &[DesignPoint],
    opts: &ExperimentOptions,
    eps: f64,
) -> Result<(
    crate::engine::experiment::ExperimentResult,
    crate::engine::PrecisionReport,
)> {
    use crate::engine::{PRECISION_GRAIN, PrecisionReport};
    let cap = opts.reps;
    let (mut done, mut end) = (0, cap.min(PRECISION_GRAIN));
    let mut total: Option<crate::engine::experiment::ExperimentResult> = None;
    loop {
        let part = run_design(
            design,
            &ExperimentOptions {
                rep_range: Some(done..end),
                ..opts.clone()
            },
        )?;
        match &mut total {
            None => total = Some(part),
            Some(t) => t.merge(&part)?,
        }
        done = end;
        let result = total.as_ref().expect("one chunk was run");
        let worst = result
            .points
            .iter()
            .flat_map(|t| (0..t.outcomes()).map(move |k| t.standard_error(k)))
            .fold(0.0f64, f64::max);
        if worst <= eps || done >= cap {
            let report = PrecisionReport {
                eps,
                reached: worst <= eps,
                runs: done,
            };
            return Ok((total.expect("one chunk was run"), report));
        }
        end = crate::engine::next_precision_end(done, worst, eps, cap);
    }
}

/// The files of a finished sweep.
pub fn files(run: &SweepRun) -> Result<Vec<crate::report::File>> {
    render_sweep(&SweepView {
        world: &run.world,
        axes: &run.axes,
        outcomes: &run.outcomes,
        result: &run.result,
        reps: run.result.points[0].runs(),
        seed: run.seed,
        precision: run.precision,
    })
}
