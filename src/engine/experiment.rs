//! The experiment core (EXPLORE.md §3): a design of points (each a world,
//! i.e. the scenario with some key paths overridden) × R replications,
//! recording only the outcomes asked for.
//!
//! Replication r of every point reads run r's random streams, so two points
//! differ only by what the design changed (common random numbers), and each
//! point's outcomes are also tallied as paired differences against the first
//! point. Workers take replications in chunks; every tally is exact integer
//! arithmetic, so the result depends on (seed, design, R) only — never on the
//! thread count or on how replications are split into shards. Memory is the
//! tallies (points × outcomes × bins), whatever R is.

use super::outcomes::{OutcomeTally, ProbeReader, outcome_bins};
use super::rng::{Streams, TapedStreams};
use super::{CHUNK, STOP};
use crate::error::{Error, Result};
use crate::model::outcome::Outcome;
use crate::model::{RunState, Scope, World};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// One point of a design: the world to run and its outcomes (the same
/// outcomes, in the same order, at every point).
pub struct DesignPoint {
    pub world: World,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone)]
pub struct ExperimentOptions {
    pub reps: u64,
    pub seed: u64,
    pub threads: usize,
    pub progress: bool,
    /// The replications to do (a shard does a part of 0..reps).
    pub rep_range: Option<Range<u64>>,
}

/// Per point: its outcomes, and their paired differences against point 0
/// (all zero at point 0 itself).
#[derive(Debug, Clone)]
pub struct ExperimentResult {
    pub points: Vec<OutcomeTally>,
    pub differences: Vec<OutcomeTally>,
}

impl ExperimentResult {
    pub(crate) fn empty(design: &[DesignPoint]) -> ExperimentResult {
        let tallies = |difference: bool| -> Vec<OutcomeTally> {
            design
                .iter()
                .map(|p| {
                    OutcomeTally::new(
                        p.outcomes
                            .iter()
                            .map(|o| outcome_bins(o, difference))
                            .collect(),
                    )
                })
                .collect()
        };
        ExperimentResult {
            points: tallies(false),
            differences: tallies(true),
        }
    }

    /// Fold the result of other replications of the same design into this one.
    pub fn merge(&mut self, other: &ExperimentResult) -> Result<()> {
        if self.points.len() != other.points.len() {
            return Err(Error::Other(
                "the results come from different designs".into(),
            ));
        }
        for (a, b) in self
            .points
            .iter_mut()
            .zip(&other.points)
            .chain(self.differences.iter_mut().zip(&other.differences))
        {
            a.merge(b).map_err(Error::Other)?;
        }
        Ok(())
    }
}

/// Replications run side by side in the model (`RunState<LANES>`).
const LANES: usize = 4;

/// What every worker reads.
struct Work<'a> {
    design: &'a [DesignPoint],
    /// Per point, which of the signatures' streams it reads.
    stream_of: &'a [usize],
    points_read: &'a [Vec<bool>],
    /// Per point, what its outcomes need stepped: their countries.
    scopes: &'a [Scope],
}

/// One worker's means to run `L` replications of every point at once.
struct Lanes<const L: usize> {
    /// Per stream signature, lane `l`'s taped streams: points that share
    /// streams read run r's words from one tape, generated once a
    /// replication, not once a point.
    streams: Vec<[TapedStreams; L]>,
    state: RunState<L>,
    /// Per point, lane `l`'s outcome reader.
    readers: Vec<[ProbeReader; L]>,
    /// Lane `l`'s outcomes at point 0, for the paired differences.
    first: [Vec<f64>; L],
    differences: Vec<f64>,
}

impl<const L: usize> Lanes<L> {
    fn new(
        work: &Work,
        signatures: &[(&[String], &[String])],
        readers: &[ProbeReader],
        seed: u64,
    ) -> Lanes<L> {
        let outcomes = work.design[0].outcomes.len();
        Lanes {
            streams: signatures
                .iter()
                .map(|(p, q)| {
                    std::array::from_fn(|_| TapedStreams::new(seed, p, q).expect("checked above"))
                })
                .collect(),
            state: RunState::lanes(&work.design[0].world),
            readers: readers
                .iter()
                .map(|r| std::array::from_fn(|_| r.clone()))
                .collect(),
            first: std::array::from_fn(|_| vec![0.0; outcomes]),
            differences: vec![0.0; outcomes],
        }
    }

    /// Replications `rep..rep + L` of every point, tallied into `mine`.
    fn run(&mut self, work: &Work, rep: u64, mine: &mut ExperimentResult) {
        for lanes in &mut self.streams {
            for (l, s) in lanes.iter_mut().enumerate() {
                s.start_run(rep + l as u64);
            }
        }
        for (p, point) in work.design.iter().enumerate() {
            let streams = &mut self.streams[work.stream_of[p]];
            for s in streams.iter_mut() {
                s.rewind();
            }
            let readers = &mut self.readers[p];
            point.world.run_lanes_at(
                streams,
                &mut self.state,
                &work.points_read[p],
                &work.scopes[p],
                &mut |l, j, row| readers[l].read(j, row),
            );
            for (reader, first) in readers.iter().zip(&mut self.first) {
                let values = &reader.values;
                mine.points[p].add(values);
                if p == 0 {
                    first.copy_from_slice(values);
                }
                for ((d, v), f) in self.differences.iter_mut().zip(values).zip(first.iter()) {
                    *d = v - f;
                }
                mine.differences[p].add(&self.differences);
            }
        }
    }
}

/// Run every point of `design` for the replications of `opts`.
pub fn run_design(design: &[DesignPoint], opts: &ExperimentOptions) -> Result<ExperimentResult> {
    let first = design
        .first()
        .ok_or_else(|| Error::Other("an empty design".into()))?;
    let outcomes = first.outcomes.len();
    // One run state serves every point: they must share the world's shape.
    for p in design {
        let (a, b) = (&first.world, &p.world);
        if p.outcomes.len() != outcomes
            || a.series().len() != b.series().len()
            || a.points() != b.points()
            || a.scenario.polities.len() != b.scenario.polities.len()
            || a.scenario.operators.len() != b.scenario.operators.len()
            || a.scenario.shocks.len() != b.scenario.shocks.len()
        {
            return Err(Error::usage(
                "the points of a design must share the scenario's shape (time grid, polities, operators, shocks, outcomes)",
            ));
        }
    }
    // Streams are keyed by name: points whose names agree share them.
    let mut signatures: Vec<(&[String], &[String])> = Vec::new();
    let stream_of: Vec<usize> = design
        .iter()
        .map(|p| {
            let sig = (p.world.process_names(), p.world.quantity_names());
            signatures
                .iter()
                .position(|s| *s == sig)
                .unwrap_or_else(|| {
                    signatures.push(sig);
                    signatures.len() - 1
                })
        })
        .collect();
    for (procs, quants) in &signatures {
        Streams::new(opts.seed, procs, quants).map_err(Error::Other)?;
    }
    let readers: Vec<ProbeReader> = design
        .iter()
        .map(|p| ProbeReader::new(&p.outcomes, p.world.points()))
        .collect();
    let points_read: Vec<Vec<bool>> = readers.iter().map(ProbeReader::points_read).collect();
    let range = opts.rep_range.clone().unwrap_or(0..opts.reps);
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} threads: {e}")))?;
    let progress = crate::progress::bar(
        (range.end - range.start) * design.len() as u64,
        opts.progress,
    );
    let next = AtomicU64::new(range.start);
    let results: Mutex<Vec<ExperimentResult>> = Mutex::new(Vec::new());

    let scopes: Vec<Scope> = design
        .iter()
        .map(|p| p.world.scope_of(p.outcomes.iter().map(|o| o.probe.series)))
        .collect();
    let work = Work {
        design,
        stream_of: &stream_of,
        points_read: &points_read,
        scopes: &scopes,
    };
    pool.scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                let mut mine = ExperimentResult::empty(design);
                let mut four = Lanes::<LANES>::new(&work, &signatures, &readers, opts.seed);
                let mut one = Lanes::<1>::new(&work, &signatures, &readers, opts.seed);
                loop {
                    if STOP.load(Ordering::Relaxed) {
                        break;
                    }
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= range.end {
                        break;
                    }
                    let end = (start + CHUNK).min(range.end);
                    // Four replications side by side; the last few of a
                    // range one by one (a lane is never run for nothing).
                    let mut rep = start;
                    while end - rep >= LANES as u64 {
                        four.run(&work, rep, &mut mine);
                        rep += LANES as u64;
                    }
                    for r in rep..end {
                        one.run(&work, r, &mut mine);
                    }
                    progress.inc((end - start) * design.len() as u64);
                }
                results.lock().expect("no worker panics").push(mine);
            });
        }
    });
    progress.finish_and_clear();
    if STOP.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    let mut total = ExperimentResult::empty(design);
    for r in results.into_inner().expect("no worker panics") {
        total.merge(&r)?;
    }
    Ok(total)
}
