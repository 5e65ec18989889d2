//! The Monte Carlo driver: runs the model many times in parallel, each run
//! on its own random streams, and folds every run into an exact mergeable
//! aggregate. It knows runs, streams and series, nothing of vendors.

pub mod aggregate;
pub mod rng;

use crate::error::{Error, Result};
use crate::model::{RunState, World};
use aggregate::{Aggregate, Bins};
use rng::Streams;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many runs a worker takes at a time: large enough that the shared
/// counter and the progress bar cost nothing, small enough to balance.
const CHUNK: u64 = 256;

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
}

/// One kept run: its index, sampled inputs and every series at the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRun {
    pub run: u64,
    pub inputs: Vec<f64>,
    pub horizon: Vec<f64>,
}

/// What the engine hands to the report: the aggregate and kept runs.
#[derive(Debug, Clone)]
pub struct Summary {
    pub seed: u64,
    pub aggregate: Aggregate,
    pub kept: Vec<KeptRun>,
}

fn bins_of(world: &World) -> Vec<Bins> {
    world
        .series()
        .iter()
        .map(|s| {
            let (lo, hi, count, discrete) = s.metric.range();
            Bins {
                lo,
                hi,
                count,
                discrete,
            }
        })
        .collect()
}

/// An empty aggregate laid out for this world.
pub fn empty_aggregate(world: &World) -> Aggregate {
    Aggregate::new(
        bins_of(world),
        world.points(),
        world.scenario.shocks.len(),
        world.class_series().len(),
    )
}

/// Run the world `opts.runs` times (or the shard's range) and aggregate.
pub fn simulate(world: &World, opts: &RunOptions) -> Result<Summary> {
    let range = opts.run_range.clone().unwrap_or(0..opts.runs);
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} threads: {e}")))?;
    // Fail early (and once) if two stream names collide.
    Streams::new(opts.seed, world.process_names(), world.quantity_names()).map_err(Error::Other)?;

    let total = range.end - range.start;
    let progress = crate::progress::bar(total, opts.progress);
    let next = AtomicU64::new(range.start);
    let results: Mutex<Vec<(Aggregate, Vec<KeptRun>)>> = Mutex::new(Vec::new());
    let class_series = world.class_series();
    let (keen_below, cautious_from) = world.class_thresholds();

    pool.scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                let mut streams =
                    Streams::new(opts.seed, world.process_names(), world.quantity_names())
                        .expect("checked above");
                let mut state = RunState::new(world);
                let mut agg = empty_aggregate(world);
                let mut kept = Vec::new();
                loop {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= range.end {
                        break;
                    }
                    let end = (start + CHUNK).min(range.end);
                    for run in start..end {
                        streams.start_run(run);
                        world.run(&mut streams, &mut state, &mut |point, values| {
                            agg.add_point(point, values)
                        });
                        agg.runs += 1;
                        for (i, fired) in state.fired().iter().enumerate() {
                            agg.events[i] += u64::from(*fired);
                        }
                        for (k, (_, s)) in class_series.iter().enumerate() {
                            let v = state.values[*s];
                            let class = if v < keen_below {
                                0
                            } else if v >= cautious_from {
                                2
                            } else {
                                1
                            };
                            agg.classes[k][class] += 1;
                        }
                        if run < opts.keep_runs {
                            kept.push(KeptRun {
                                run,
                                inputs: state.inputs().collect(),
                                horizon: state.values.clone(),
                            });
                        }
                    }
                    progress.inc(end - start);
                }
                results.lock().expect("no worker panics").push((agg, kept));
            });
        }
    });
    progress.finish_and_clear();

    let mut aggregate = empty_aggregate(world);
    let mut kept = Vec::new();
    for (agg, k) in results.into_inner().expect("no worker panics") {
        aggregate.merge(&agg).map_err(Error::Other)?;
        kept.extend(k);
    }
    kept.sort_by_key(|k| k.run);
    Ok(Summary {
        seed: opts.seed,
        aggregate,
        kept,
    })
}
