//! `simulate sensitivity FILE [--method tornado|morris|sobol]`: which
//! uncertain inputs (`app::uncertain`) drive one outcome. The design's points
//! come from `engine::sensitivity` in the unit cube; each point is the
//! scenario with every input set (`Base::resolve` with `--set` under the
//! point's values), run on the experiment core with R replications on common
//! random numbers; the estimators read each point's mean outcome.
//!
//! Points are run in small groups (a tornado input's two ends, a Morris
//! trajectory, a Saltelli row), each its own design with one thread, and the
//! groups shared among the workers: replication r reads run r's streams in
//! every group, so nothing depends on the grouping or the thread count, and
//! only the worlds of the groups in hand are held in memory.

use super::uncertain::{self, Input};
use crate::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
use crate::engine::sensitivity::{
    MAX_SOBOL_SAMPLES, morris_design, morris_indices, ranking_problem, saltelli_design,
    sobol_indices,
};
use crate::error::{Error, Result};
use crate::model::World;
use crate::model::outcome::Outcome;
use crate::report::sensitivity::{
    Findings, InputView, SensitivityView, TornadoRow, render_sensitivity,
};
use crate::scenario::{Base, Setting};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Tornado,
    Morris,
    Sobol,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Tornado => "tornado",
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }

    /// Replications per point unless `--reps` says: a tornado has few
    /// points; Morris and Sobol many, whose own spread dwarfs the
    /// replications' (and common random numbers cancel most of theirs).
    pub fn default_reps(self) -> u64 {
        match self {
            Method::Tornado => 1000,
            Method::Morris => 200,
            Method::Sobol => 100,
        }
    }
}

/// Morris's grid.
pub const MORRIS_LEVELS: usize = 4;
pub const MORRIS_TRAJECTORIES: usize = 20;
/// As many as Sobol's base samples: beyond, the design alone (k+1 points
/// of k inputs a trajectory) would not fit in memory for a large k.
pub const MAX_MORRIS_TRAJECTORIES: usize = MAX_SOBOL_SAMPLES;
pub const SOBOL_SAMPLES: usize = 256;

pub struct SensitivityPlan<'a> {
    pub file: &'a Path,
    pub set: &'a [Setting],
    pub method: Method,
    pub outcome: Option<&'a str>,
    pub inputs: &'a [String],
    /// Morris trajectories or Sobol base samples.
    pub samples: Option<u64>,
    pub reps: u64,
    pub seed: Option<u64>,
    pub threads: usize,
    pub progress: bool,
    pub yes: bool,
    /// Run only this shard of the groups (`sensitivity_shard`).
    pub shard: Option<crate::engine::shard::Shard>,
}

pub struct SensitivityRun {
    pub world: World,
    pub outcome: Outcome,
    pub inputs: Vec<Input>,
    pub findings: Findings,
    pub notes: Vec<String>,
    pub reps: u64,
    pub seed: u64,
    pub method: Method,
    /// Design points × replications.
    pub runs: u64,
}

/// The outcome a sensitivity analysis explains: `--outcome`, else the
/// scenario's first headline outcome that is a chance, else its first.
fn pick_outcome(world: &World, text: Option<&str>) -> Result<Outcome> {
    if let Some(t) = text {
        return super::sweep::parse_outcome(t, world);
    }
    let heads = world.headline_outcomes();
    heads
        .iter()
        .find(|o| o.binary)
        .or(heads.first())
        .cloned()
        .ok_or_else(|| Error::usage("the scenario has no outcome to explain: give --outcome"))
}

/// An analysis checked and laid out, not yet run: what a shard and a merge
/// rebuild from the command line and the files alike.
pub struct Prepared {
    base: Base,
    pub world: World,
    outcome: Outcome,
    inputs: Vec<Input>,
    notes: Vec<String>,
    samples: usize,
    /// Groups of points, each a list of every input's value.
    pub groups: Vec<Vec<Vec<f64>>>,
    pub seed: u64,
    /// Design points × replications.
    runs: u64,
}

/// Check everything (samples, outcome, inputs, the day-long guard), then run.
pub fn run_sensitivity(p: &SensitivityPlan) -> Result<SensitivityRun> {
    let prep = prepare(p)?;
    let results = prep.run(p, 0..prep.groups.len())?;
    prep.finish(p, results)
}

/// Check everything (samples, outcome, inputs, the day-long guard) and lay
/// out the design's groups.
pub fn prepare(p: &SensitivityPlan) -> Result<Prepared> {
    let samples = match (p.method, p.samples) {
        (Method::Tornado, Some(_)) => {
            return Err(Error::usage(
                "a tornado runs each input at its two ends: --samples is for --method morris (trajectories) or sobol (base samples)",
            ));
        }
        (_, Some(0)) => {
            return Err(Error::usage(
                "--samples must be at least 1 (Morris: trajectories, default 20; Sobol: base samples, default 256)",
            ));
        }
        (Method::Sobol, Some(n)) if n > MAX_SOBOL_SAMPLES as u64 => {
            return Err(Error::usage(format!(
                "--samples {n}: a Sobol design takes at most {MAX_SOBOL_SAMPLES} base samples"
            )));
        }
        (Method::Morris, Some(n)) if n > MAX_MORRIS_TRAJECTORIES as u64 => {
            return Err(Error::usage(format!(
                "--samples {n}: a Morris design takes at most {MAX_MORRIS_TRAJECTORIES} trajectories"
            )));
        }
        (Method::Morris, Some(n)) => n as usize,
        (Method::Sobol, Some(n)) => n as usize,
        (Method::Morris, None) => MORRIS_TRAJECTORIES,
        (Method::Sobol, None) => SOBOL_SAMPLES,
        (Method::Tornado, None) => 0,
    };
    let base = Base::read(p.file)?;
    let plain = base.resolve(p.set)?;
    let world = World::new(plain);
    world.check_outcomes()?;
    let outcome = pick_outcome(&world, p.outcome)?;
    let (inputs, notes) = if p.inputs.is_empty() {
        uncertain::defaults(&world.scenario)?
    } else {
        let mut list: Vec<Input> = Vec::new();
        for arg in p.inputs {
            let input = uncertain::parse_input(arg, &base, p.set)?;
            if list.iter().any(|i| i.key == input.key) {
                return Err(Error::usage(format!(
                    "--input {}: `{}` is given twice",
                    arg, input.key
                )));
            }
            list.push(input);
        }
        (list, Vec::new())
    };
    if inputs.is_empty() {
        return Err(Error::usage(format!(
            "`{}` has no uncertain inputs (no distributions, no shock below probability 1, no windows): name some with --input KEY=LO:HI",
            world.scenario.name
        )));
    }
    let k = inputs.len();
    // Counted before the design is built: a refused design costs nothing.
    let points: usize = match p.method {
        Method::Tornado => 2 * k + 1,
        Method::Morris => samples.saturating_mul(k + 1),
        Method::Sobol => samples.saturating_mul(k + 2),
    };
    let runs = (points as u64).saturating_mul(p.reps);
    // A shard runs its part of the groups (as many as there are points in
    // each, but for a tornado's middle), so about its part of the runs.
    let groups_total = match p.method {
        Method::Tornado => k + 1,
        Method::Morris | Method::Sobol => samples,
    } as u64;
    let runs_here = p.shard.map_or(runs, |s| {
        let r = s.range(groups_total);
        runs / groups_total.max(1) * (r.end - r.start)
    });
    let cores = p
        .threads
        .min(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let seconds =
        super::guard::estimate_seconds(std::slice::from_ref(&world.scenario), runs_here, cores);
    if seconds > super::guard::LONGEST_UNASKED_SECONDS && !p.yes {
        return Err(Error::usage(format!(
            "{points} points × {} runs would take about {} on {cores} core{}; use fewer --samples or --reps, or add --yes to start it anyway",
            p.reps,
            super::guard::duration(seconds),
            if cores == 1 { "" } else { "s" }
        )));
    }
    // Groups of points, each a list of every input's value.
    let groups: Vec<Vec<Vec<f64>>> = match p.method {
        Method::Tornado => {
            let ends: Vec<[f64; 3]> = inputs.iter().map(Input::tornado).collect();
            let middle: Vec<f64> = ends.iter().map(|e| e[1]).collect();
            let mut g = vec![vec![middle.clone()]];
            for (i, e) in ends.iter().enumerate() {
                let mut lo = middle.clone();
                let mut hi = middle.clone();
                lo[i] = e[0];
                hi[i] = e[2];
                g.push(vec![lo, hi]);
            }
            g
        }
        Method::Morris => {
            let d = morris_design(k, samples, MORRIS_LEVELS, seed_of(p, &world));
            d.points
                .chunks(k + 1)
                .map(|t| {
                    t.iter()
                        .map(|u| u.iter().zip(&inputs).map(|(u, i)| i.morris(*u)).collect())
                        .collect()
                })
                .collect()
        }
        Method::Sobol => saltelli_design(k, samples, seed_of(p, &world))
            .chunks(k + 2)
            .map(|row| {
                row.iter()
                    .map(|u| u.iter().zip(&inputs).map(|(u, i)| i.sobol(*u)).collect())
                    .collect()
            })
            .collect(),
    };
    let seed = seed_of(p, &world);
    Ok(Prepared {
        base,
        world,
        outcome,
        inputs,
        notes,
        samples,
        groups,
        seed,
        runs,
    })
}

impl Prepared {
    /// Run the groups `range` (all of them, or a shard's).
    pub fn run(
        &self,
        p: &SensitivityPlan,
        range: std::ops::Range<usize>,
    ) -> Result<Vec<GroupResult>> {
        run_groups(
            &self.base,
            p,
            &self.inputs,
            &self.outcome,
            &self.groups[range],
            self.seed,
        )
    }

    /// The findings of every group's result, in the design's order.
    pub fn finish(self, p: &SensitivityPlan, results: Vec<GroupResult>) -> Result<SensitivityRun> {
        let Prepared {
            world,
            outcome,
            inputs,
            notes,
            samples,
            seed,
            runs,
            ..
        } = self;
        let k = inputs.len();
        let means: Vec<f64> = results.iter().flat_map(|g| g.means.clone()).collect();
        let names: Vec<String> = inputs.iter().map(|i| i.label.clone()).collect();
        let findings = match p.method {
            Method::Tornado => Findings::Tornado {
                base: results[0].means[0],
                base_se: results[0].ses[0],
                rows: results[1..]
                    .iter()
                    .map(|g| TornadoRow {
                        low: g.means[0],
                        high: g.means[1],
                        swing_se: g.paired_se,
                    })
                    .collect(),
            },
            Method::Morris => {
                let d = morris_design(k, samples, MORRIS_LEVELS, seed);
                Findings::Morris {
                    r: samples,
                    levels: MORRIS_LEVELS,
                    indices: morris_indices(&d, &means),
                }
            }
            Method::Sobol => {
                let indices = sobol_indices(k, samples, &means, seed);
                let problem = ranking_problem(&indices, &names);
                Findings::Sobol {
                    n: samples,
                    indices,
                    problem,
                }
            }
        };
        Ok(SensitivityRun {
            world,
            outcome,
            inputs,
            findings,
            notes,
            reps: p.reps,
            seed,
            method: p.method,
            runs,
        })
    }
}

fn seed_of(p: &SensitivityPlan, world: &World) -> u64 {
    p.seed.unwrap_or(world.scenario.seed)
}

/// A group's answer: each point's mean and standard error, and the
/// standard error of the paired difference of its last point from its first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupResult {
    pub means: Vec<f64>,
    pub ses: Vec<f64>,
    pub paired_se: f64,
}

fn run_groups(
    base: &Base,
    p: &SensitivityPlan,
    inputs: &[Input],
    outcome: &Outcome,
    groups: &[Vec<Vec<f64>>],
    seed: u64,
) -> Result<Vec<GroupResult>> {
    let workers = p.threads.clamp(1, groups.len().max(1));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<GroupResult>>> =
        Mutex::new((0..groups.len()).map(|_| None).collect());
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let progress = crate::progress::bar(
        groups.iter().map(|g| g.len() as u64).sum::<u64>() * p.reps,
        p.progress,
    );
    let one = |values: &[Vec<f64>]| -> Result<GroupResult> {
        let mut design = Vec::with_capacity(values.len());
        for point in values {
            let mut settings = p.set.to_vec();
            for (input, v) in inputs.iter().zip(point) {
                settings.push(input.setting(*v)?);
            }
            let w = World::new(base.resolve(&settings)?);
            let o = w
                .outcome(&outcome.spec, Some(&outcome.label))
                .map_err(|e| {
                    Error::usage(format!("outcome `{}`: {}", outcome.text(), e.message))
                })?;
            design.push(DesignPoint {
                world: w,
                outcomes: vec![o],
            });
        }
        let r = run_design(
            &design,
            &ExperimentOptions {
                reps: p.reps,
                seed,
                threads: 1,
                progress: false,
                rep_range: None,
            },
        )?;
        let last = r.differences.len() - 1;
        Ok(GroupResult {
            means: r.points.iter().map(|t| t.stats(0).mean).collect(),
            ses: r.points.iter().map(|t| t.standard_error(0)).collect(),
            paired_se: r.differences[last].standard_error(0),
        })
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    if failure.lock().expect("no worker panics").is_some()
                        || crate::engine::STOP.load(Ordering::Relaxed)
                    {
                        break;
                    }
                    let g = next.fetch_add(1, Ordering::Relaxed);
                    if g >= groups.len() {
                        break;
                    }
                    match one(&groups[g]) {
                        Ok(r) => done.lock().expect("no worker panics")[g] = Some(r),
                        Err(e) => {
                            failure.lock().expect("no worker panics").get_or_insert(e);
                            break;
                        }
                    }
                    progress.inc(groups[g].len() as u64 * p.reps);
                }
            });
        }
    });
    progress.finish_and_clear();
    if let Some(e) = failure.into_inner().expect("no worker panics") {
        return Err(e);
    }
    if crate::engine::STOP.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    done.into_inner()
        .expect("no worker panics")
        .into_iter()
        .map(|r| r.ok_or(Error::Interrupted))
        .collect()
}

/// The files of a finished analysis.
pub fn files(run: &SensitivityRun) -> Result<Vec<crate::report::File>> {
    let inputs: Vec<InputView> = run
        .inputs
        .iter()
        .map(|i| {
            let [lo, mid, hi] = i.tornado();
            InputView {
                key: i.key.clone(),
                label: i.label.clone(),
                range: i.describe(),
                low: i.text(lo),
                middle: i.text(mid),
                high: i.text(hi),
            }
        })
        .collect();
    render_sensitivity(&SensitivityView {
        world: &run.world,
        outcome: &run.outcome,
        inputs: &inputs,
        findings: &run.findings,
        notes: &run.notes,
        reps: run.reps,
        seed: run.seed,
        runs: run.runs,
        explicit: run.inputs.iter().any(|i| i.explicit),
    })
}
