//! Runs one by one rather than folded: the record of every run (its sampled
//! inputs, when each shock fired, a few values) for methods that look at
//! runs side by side (`discover`), and the whole life of one run with its
//! diary (`story`). Run i reads run i's streams, as in `simulate`, so a
//! record is exactly the run `simulate` made; records come back in run
//! order whatever the thread count.

use super::outcomes::ProbeReader;
use super::rng::Streams;
use super::{CHUNK, STOP};
use crate::error::{Error, Result};
use crate::model::diary::Entry;
use crate::model::outcome::Outcome;
use crate::model::{RunState, World};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// One run as `discover` reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// In [`World::input_names`] order: every parameter, then fired (0/1).
    pub inputs: Vec<f64>,
    /// Per shock, the step it fired in (None: it did not fire).
    pub fired_at: Vec<Option<usize>>,
    /// The asked-for series at the first point (the state each run starts from).
    pub start: Vec<f64>,
    /// The outcomes' values.
    pub outcomes: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub runs: u64,
    pub seed: u64,
    pub threads: usize,
    pub progress: bool,
}

/// The record of runs 0..runs, in run order.
pub fn records(
    world: &World,
    outcomes: &[Outcome],
    start_series: &[usize],
    opts: &RecordOptions,
) -> Result<Vec<RunRecord>> {
    Streams::new(opts.seed, world.process_names(), world.quantity_names()).map_err(Error::Other)?;
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} threads: {e}")))?;
    // The runs step only the countries the outcomes and starting values read.
    let within = world.scope_of(
        outcomes
            .iter()
            .map(|o| o.probe.series)
            .chain(start_series.iter().copied()),
    );
    let progress = crate::progress::bar(opts.runs, opts.progress);
    let next = AtomicU64::new(0);
    let results: Mutex<Vec<(u64, RunRecord)>> = Mutex::new(Vec::new());
    pool.scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                let mut streams =
                    Streams::new(opts.seed, world.process_names(), world.quantity_names())
                        .expect("checked above");
                let mut state = RunState::new(world);
                let mut reader = ProbeReader::new(outcomes, world.points());
                // The outcomes' points, and the start for the inputs' starting values.
                let mut points_read = reader.points_read();
                points_read[0] = true;
                let mut start = vec![0.0; start_series.len()];
                let mut mine = Vec::new();
                loop {
                    if STOP.load(Ordering::Relaxed) {
                        break;
                    }
                    let first = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if first >= opts.runs {
                        break;
                    }
                    let end = (first + CHUNK).min(opts.runs);
                    for run in first..end {
                        streams.start_run(run);
                        world.run_lanes_at(
                            std::array::from_mut(&mut streams),
                            &mut state,
                            &points_read,
                            &within,
                            &mut |_, point, row| {
                                reader.read(point, row);
                                if point == 0 {
                                    for (v, &s) in start.iter_mut().zip(start_series) {
                                        *v = row[s];
                                    }
                                }
                            },
                        );
                        mine.push((
                            run,
                            RunRecord {
                                inputs: state.inputs().collect(),
                                fired_at: state.fired_steps().collect(),
                                start: start.clone(),
                                outcomes: reader.values.clone(),
                            },
                        ));
                    }
                    progress.inc(end - first);
                }
                results.lock().expect("no worker panics").extend(mine);
            });
        }
    });
    progress.finish_and_clear();
    if STOP.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    let mut all = results.into_inner().expect("no worker panics");
    all.sort_unstable_by_key(|(run, _)| *run);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

/// The whole life of one run.
#[derive(Debug, Clone)]
pub struct Life {
    pub run: u64,
    /// In [`World::input_names`] order.
    pub inputs: Vec<f64>,
    pub fired_at: Vec<Option<usize>>,
    /// Every series at every point: point j's row is
    /// `path[j * series .. (j + 1) * series]`.
    pub path: Vec<f64>,
    /// What happened, in order.
    pub entries: Vec<Entry>,
    /// The run's counts, in [`World::event_names`] order.
    pub events: Vec<u64>,
}

impl Life {
    /// The value of series `s` at point `j`.
    pub fn at(&self, world: &World, j: usize, s: usize) -> f64 {
        self.path[j * world.series().len() + s]
    }
}

/// Run `run` of `simulate` with seed `seed`, alone, keeping everything.
pub fn life(world: &World, seed: u64, run: u64) -> Result<Life> {
    let mut streams =
        Streams::new(seed, world.process_names(), world.quantity_names()).map_err(Error::Other)?;
    let mut state = RunState::new(world);
    state.keep_diary();
    let mut path = Vec::with_capacity(world.points() * world.series().len());
    streams.start_run(run);
    world.run(&mut streams, &mut state, &mut |_, row| {
        path.extend_from_slice(row)
    });
    Ok(Life {
        run,
        inputs: state.inputs().collect(),
        fired_at: state.fired_steps().collect(),
        path,
        entries: state
            .diary()
            .map(|d| d.entries().to_vec())
            .unwrap_or_default(),
        events: state.events().to_vec(),
    })
}
