//! The Monte Carlo driver: runs the model many times in parallel, each run
//! on its own random streams, and folds every run into an exact mergeable
//! aggregate, which shards of the runs on other machines merge into exactly
//! (`shard`). It knows runs, streams and series, nothing of vendors.

pub mod aggregate;
pub mod experiment;
pub mod outcomes;
pub mod prim;
pub mod records;
pub mod rng;
pub mod sensitivity;
pub mod shard;
pub mod tally;

use crate::error::{Error, Result};
use crate::model::metrics::Range as MetricRange;
use crate::model::{RunState, World};
use aggregate::{Aggregate, Bins};
use outcomes::OutcomeTally;
use rng::Streams;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tally::Tally;

/// How many runs a worker takes at a time: large enough that the shared
/// counter and the progress bar cost nothing, small enough to balance.
pub const CHUNK: u64 = 256;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub runs: u64,
    pub seed: u64,
    /// None: all cores.
    pub threads: Option<usize>,
    pub progress: bool,
    /// Keep the inputs and horizon values of runs 0..keep_runs.
    pub keep_runs: u64,
    /// The run indices to do (a shard does a part of 0..runs).
    pub run_range: Option<Range<u64>>,
    /// Raised by the caller to stop this simulation alone, as `STOP` stops
    /// every one (the workshop's older answer gives way to a newer request).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl RunOptions {
    /// Whether this simulation is to stop: Ctrl-C, or its own `cancel`.
    fn stopped(&self) -> bool {
        STOP.load(Ordering::Relaxed)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// Set (by a Ctrl-C handler) to stop every running simulation at the end of
/// its current chunk; the simulation then returns `Error::Interrupted`.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// One kept run: its index, sampled inputs and every series at the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRun {
    pub run: u64,
    pub inputs: Vec<f64>,
    pub horizon: Vec<f64>,
}

/// What the engine hands to the report: the aggregate, the headline
/// outcomes (`World::headline_outcomes`, in order) and kept runs.
#[derive(Debug, Clone)]
pub struct Summary {
    pub seed: u64,
    pub aggregate: Aggregate,
    pub outcomes: OutcomeTally,
    pub kept: Vec<KeptRun>,
}

impl Summary {
    /// Fold the summary of other runs of the same world into this one.
    pub fn merge(&mut self, other: Summary) -> Result<()> {
        self.aggregate
            .merge(&other.aggregate)
            .map_err(Error::Other)?;
        self.outcomes.merge(&other.outcomes).map_err(Error::Other)?;
        self.kept.extend(other.kept);
        self.kept.sort_by_key(|k| k.run);
        Ok(())
    }
}

/// An empty tally of the world's headline outcomes.
pub fn empty_outcomes(world: &World) -> OutcomeTally {
    outcome_tally(&world.headline_outcomes())
}

/// An empty tally of these outcomes' values.
fn outcome_tally(outcomes: &[crate::model::outcome::Outcome]) -> OutcomeTally {
    OutcomeTally::new(
        outcomes
            .iter()
            .map(|o| outcomes::outcome_bins(o, false))
            .collect(),
    )
}

fn bins_of(world: &World) -> Vec<Bins> {
    world
        .series()
        .iter()
        .map(|s| series_bins(s.metric.spec().range, false))
        .collect()
}

/// Bins of a series, or of a paired difference of two such series: twice the
/// width, symmetric around 0, with an exact-zero slot (discrete metrics keep
/// integer-centred bins, where 0 is a bin centre).
pub(crate) fn series_bins(range: MetricRange, difference: bool) -> Bins {
    let MetricRange {
        lo,
        hi,
        count,
        discrete,
    } = range;
    if !difference {
        return Bins {
            lo,
            hi,
            count,
            discrete,
            zero: false,
        };
    }
    let width = hi - lo;
    if discrete {
        let half = width - 0.5;
        Bins {
            lo: -half,
            hi: half,
            count: (2.0 * half).round() as usize,
            discrete,
            zero: false,
        }
    } else {
        Bins {
            lo: -width,
            hi: width,
            count: 2 * count,
            discrete,
            zero: true,
        }
    }
}

/// An empty aggregate laid out for this world.
pub fn empty_aggregate(world: &World) -> Aggregate {
    Aggregate::new(
        bins_of(world),
        world.points(),
        world.event_names().len(),
        world.class_series().len(),
    )
}

/// Paired differences of scenario `b` against the first scenario: run i of
/// both uses the same random numbers, so B − A per run isolates what the
/// scenarios change.
#[derive(Debug, Clone)]
pub struct Differences {
    pub b: usize,
    /// (series in A, series in B) with the same metric and entity.
    pub pairs: Vec<(usize, usize)>,
    pub aggregate: Aggregate,
}

/// Run the world `opts.runs` times (or the shard's range) and aggregate.
pub fn simulate(world: &World, opts: &RunOptions) -> Result<Summary> {
    let (mut summaries, _) = simulate_paired(&[world], opts)?;
    Ok(summaries.remove(0))
}

/// Series of `b` matched to series of `a` by metric and entity.
pub fn matched_series(a: &World, b: &World) -> Vec<(usize, usize)> {
    a.series()
        .iter()
        .enumerate()
        .filter_map(|(sa, x)| b.series_index(x.metric, &x.entity).map(|sb| (sa, sb)))
        .collect()
}

/// What a worker counts per run besides the series.
struct Counts {
    runs: u64,
    events: Vec<u64>,
    classes: Vec<[u64; 3]>,
}

impl Counts {
    /// Add these counts and the worker's tally to `agg` (laid out for the same world).
    fn into_aggregate(self, tally: Tally, agg: &mut Aggregate) {
        tally.into_aggregate(agg);
        agg.runs += self.runs;
        for (total, n) in agg.events.iter_mut().zip(self.events) {
            *total += n;
        }
        for (total, n) in agg.classes.iter_mut().zip(self.classes) {
            for (t, n) in total.iter_mut().zip(n) {
                *t += n;
            }
        }
    }
}

/// Everything one worker owns for one world.
struct Lane<'w> {
    world: &'w World,
    streams: Streams,
    state: RunState,
    tally: Tally,
    /// Runs, events and classes of this worker's runs (the series are in `tally`).
    counts: Counts,
    kept: Vec<KeptRun>,
    class_series: Vec<(String, usize)>,
    thresholds: (f64, f64),
    /// The headline outcomes, read as the run goes, and their tally.
    reader: outcomes::ProbeReader,
    outcomes: OutcomeTally,
}

impl<'w> Lane<'w> {
    fn new(world: &'w World, seed: u64) -> Lane<'w> {
        let headlines = world.headline_outcomes();
        Lane {
            world,
            streams: Streams::new(seed, world.process_names(), world.quantity_names())
                .expect("checked before"),
            state: RunState::new(world),
            tally: Tally::new(&bins_of(world), world.points()),
            counts: Counts {
                runs: 0,
                events: vec![0; world.event_names().len()],
                classes: vec![[0; 3]; world.class_series().len()],
            },
            kept: Vec::new(),
            class_series: world.class_series(),
            thresholds: world.class_thresholds(),
            reader: outcomes::ProbeReader::new(&headlines, world.points()),
            outcomes: outcome_tally(&headlines),
        }
    }

    /// Tally what a finished run leaves besides its series: shocks fired,
    /// the class at the horizon, and the run itself if it is kept.
    fn finish_run(&mut self, run: u64, keep_runs: u64) {
        self.tally.end_run();
        self.outcomes.add(&self.reader.values);
        let counts = &mut self.counts;
        counts.runs += 1;
        for (total, count) in counts.events.iter_mut().zip(self.state.events()) {
            *total += count;
        }
        let (keen_below, cautious_from) = self.thresholds;
        for (k, (_, s)) in self.class_series.iter().enumerate() {
            let v = self.state.values()[*s];
            let class = if v < keen_below {
                0
            } else if v >= cautious_from {
                2
            } else {
                1
            };
            counts.classes[k][class] += 1;
        }
        if run < keep_runs {
            self.kept.push(KeptRun {
                run,
                inputs: self.state.inputs().collect(),
                horizon: self.state.values().to_vec(),
            });
        }
    }
}

/// Run several worlds on the same runs (same seed, same run indices) and
/// aggregate each, plus the paired difference of every later world against
/// the first. With one world this is a plain simulation.
pub fn simulate_paired(
    worlds: &[&World],
    opts: &RunOptions,
) -> Result<(Vec<Summary>, Vec<Differences>)> {
    let first = worlds
        .first()
        .ok_or_else(|| Error::Other("nothing to simulate".into()))?;
    for w in &worlds[1..] {
        if w.scenario.grid != first.scenario.grid {
            return Err(Error::usage(format!(
                "`{}` and `{}` have different time grids ({}..{} every {} months vs {}..{} every {}): paired runs need the same points",
                first.scenario.name,
                w.scenario.name,
                first.scenario.grid.start,
                first.scenario.grid.end,
                first.scenario.grid.step_months,
                w.scenario.grid.start,
                w.scenario.grid.end,
                w.scenario.grid.step_months
            )));
        }
    }
    for w in worlds {
        // Fail early (and once) if two stream names collide.
        Streams::new(opts.seed, w.process_names(), w.quantity_names()).map_err(Error::Other)?;
    }
    let range = opts.run_range.clone().unwrap_or(0..opts.runs);
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pairs: Vec<Vec<(usize, usize)>> = worlds[1..]
        .iter()
        .map(|w| matched_series(first, w))
        .collect();
    let difference_bins = |pairs: &[(usize, usize)]| -> Vec<Bins> {
        pairs
            .iter()
            .map(|&(sa, _)| series_bins(first.series()[sa].metric.spec().range, true))
            .collect()
    };
    let empty_differences =
        |k: usize| Aggregate::new(difference_bins(&pairs[k]), first.points(), 0, 0);

    let total = (range.end - range.start) * worlds.len() as u64;
    let progress = crate::progress::bar(total, opts.progress);
    let next = AtomicU64::new(range.start);
    // Workers hand back their tallies (about half an aggregate's size); the
    // caller folds them in. Integer adds, so the order does not matter.
    type WorkerResult = (
        Vec<(Tally, Counts, Vec<KeptRun>, OutcomeTally)>,
        Vec<(Tally, u64)>,
    );
    let results: Mutex<Vec<WorkerResult>> = Mutex::new(Vec::new());

    let work = || {
        let mut lanes: Vec<Lane> = worlds.iter().map(|w| Lane::new(w, opts.seed)).collect();
        let mut difference_tallies: Vec<(Tally, u64)> = pairs
            .iter()
            .map(|p| (Tally::new(&difference_bins(p), first.points()), 0))
            .collect();
        let series_a = first.series().len();
        let mut path_a = vec![
            0.0;
            if worlds.len() > 1 {
                first.points() * series_a
            } else {
                0
            }
        ];
        let mut diff_values: Vec<Vec<f64>> = pairs.iter().map(|p| vec![0.0; p.len()]).collect();
        loop {
            if opts.stopped() {
                break;
            }
            let start = next.fetch_add(CHUNK, Ordering::Relaxed);
            if start >= range.end {
                break;
            }
            let end = (start + CHUNK).min(range.end);
            for run in start..end {
                for (k, lane) in lanes.iter_mut().enumerate() {
                    lane.streams.start_run(run);
                    let Lane {
                        world,
                        streams,
                        state,
                        tally,
                        reader,
                        ..
                    } = lane;
                    if k == 0 {
                        let keep_path = worlds.len() > 1;
                        world.run(streams, state, &mut |point, values| {
                            tally.add_point(point, values);
                            reader.read(point, values);
                            if keep_path {
                                path_a[point * series_a..(point + 1) * series_a]
                                    .copy_from_slice(values);
                            }
                        });
                    } else {
                        let (pairs, diff, out) = (
                            &pairs[k - 1],
                            &mut difference_tallies[k - 1],
                            &mut diff_values[k - 1],
                        );
                        world.run(streams, state, &mut |point, values| {
                            tally.add_point(point, values);
                            reader.read(point, values);
                            let a = &path_a[point * series_a..(point + 1) * series_a];
                            for (d, &(sa, sb)) in out.iter_mut().zip(pairs) {
                                *d = values[sb] - a[sa];
                            }
                            diff.0.add_point(point, out);
                        });
                        diff.0.end_run();
                        diff.1 += 1;
                    }
                    lane.finish_run(run, opts.keep_runs);
                }
            }
            progress.inc((end - start) * worlds.len() as u64);
        }
        let per_world = lanes
            .into_iter()
            .map(|l| (l.tally, l.counts, l.kept, l.outcomes))
            .collect();
        results
            .lock()
            .expect("no worker panics")
            .push((per_world, difference_tallies));
    };
    if threads == 1 {
        // On the caller's thread: a pool would start (and join) a thread on
        // every call, which short simulations (the workshop's) notice.
        work();
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Other(format!("cannot start {threads} threads: {e}")))?;
        pool.scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|_| work());
            }
        });
    }
    progress.finish_and_clear();
    if opts.stopped() {
        return Err(Error::Interrupted);
    }

    let mut summaries: Vec<Summary> = worlds
        .iter()
        .map(|w| Summary {
            seed: opts.seed,
            aggregate: empty_aggregate(w),
            outcomes: empty_outcomes(w),
            kept: Vec::new(),
        })
        .collect();
    let mut merged_differences: Vec<Aggregate> = (0..pairs.len()).map(empty_differences).collect();
    for (per_world, differences) in results.into_inner().expect("no worker panics") {
        for (summary, (tally, counts, kept, outcomes)) in summaries.iter_mut().zip(per_world) {
            counts.into_aggregate(tally, &mut summary.aggregate);
            summary.outcomes.merge(&outcomes).map_err(Error::Other)?;
            summary.kept.extend(kept);
        }
        for (total, (tally, runs)) in merged_differences.iter_mut().zip(differences) {
            tally.into_aggregate(total);
            total.runs += runs;
        }
    }
    for s in &mut summaries {
        s.kept.sort_by_key(|k| k.run);
    }
    let differences = merged_differences
        .into_iter()
        .zip(pairs)
        .enumerate()
        .map(|(k, (aggregate, pairs))| Differences {
            b: k + 1,
            pairs,
            aggregate,
        })
        .collect();
    Ok((summaries, differences))
}

/// How a run to a precision ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionReport {
    pub eps: f64,
    /// Every headline outcome's standard error is at most `eps`.
    pub reached: bool,
    /// The runs done (the cap is `RunOptions::runs`).
    pub runs: u64,
}

/// Runs done before the first look at the standard errors, and the grain
/// of every later chunk: fewer runs say too little about a rare outcome
/// (none seen in 300 runs has a standard error of 0).
pub const PRECISION_GRAIN: u64 = 1000;

/// Run `world` in chunks of run indices 0.., until the Monte Carlo standard
/// error of every headline outcome is at most `eps` or `opts.runs` are
/// done. Each chunk's size follows from the results so far alone (the runs
/// the standard errors say are needed, at least one grain more and at most
/// four times as many), so the stopping point never depends on threads, and
/// the summary is exactly that of a plain run of as many runs.
pub fn simulate_to_precision(
    world: &World,
    opts: &RunOptions,
    eps: f64,
) -> Result<(Summary, PrecisionReport)> {
    let cap = opts.runs;
    let mut done = 0;
    let mut total: Option<Summary> = None;
    let mut end = cap.min(PRECISION_GRAIN);
    loop {
        let chunk = RunOptions {
            run_range: Some(done..end),
            ..opts.clone()
        };
        let part = simulate(world, &chunk)?;
        match &mut total {
            None => total = Some(part),
            Some(t) => t.merge(part)?,
        }
        done = end;
        let summary = total.as_ref().expect("one chunk was run");
        let worst = (0..summary.outcomes.outcomes())
            .map(|k| summary.outcomes.standard_error(k))
            .fold(0.0f64, f64::max);
        let reached = worst <= eps;
        if reached || done >= cap {
            let report = PrecisionReport {
                eps,
                reached,
                runs: done,
            };
            return Ok((total.expect("one chunk was run"), report));
        }
        end = next_precision_end(done, worst, eps, cap);
    }
}

/// Where the next chunk of a run to a precision ends, from the runs done and
/// the worst standard error so far: the runs that error says are needed
/// (with a tenth to spare), at least a grain more, at most four times as
/// many, on a grain boundary, never past the cap.
pub fn next_precision_end(done: u64, worst: f64, eps: f64, cap: u64) -> u64 {
    let needed = (done as f64 * (worst / eps).powi(2) * 1.1).ceil() as u64;
    let next = needed.clamp(done + PRECISION_GRAIN, done.saturating_mul(4));
    next.div_ceil(PRECISION_GRAIN)
        .saturating_mul(PRECISION_GRAIN)
        .min(cap)
}
