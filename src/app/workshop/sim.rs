//! Reruns for the page: the engine's paired simulation in chunks of run
//! indices, merged exactly (as shards merge), so that a newer request can
//! stop an older one between chunks without touching the engine's global
//! STOP (which belongs to Ctrl-C) and without changing any number: the
//! merged chunks are the bytes one call would give.

use crate::engine::{self, Differences, RunOptions, Summary};
use crate::error::{Error, Result};
use crate::model::World;

/// Runs per chunk: a new request waits at most one chunk (a few tens of
/// milliseconds on two cores) before the older one gives way.
const CHUNK: u64 = 512;

/// Paired runs 0..runs of `worlds`, or None when `cancelled` says a newer
/// request came first.
pub fn simulate(
    worlds: &[&World],
    runs: u64,
    seed: u64,
    threads: usize,
    cancelled: &dyn Fn() -> bool,
) -> Result<Option<(Vec<Summary>, Vec<Differences>)>> {
    let mut total: Option<(Vec<Summary>, Vec<Differences>)> = None;
    let mut start = 0;
    while start < runs {
        if cancelled() {
            return Ok(None);
        }
        let end = (start + CHUNK).min(runs);
        let opts = RunOptions {
            runs,
            seed,
            threads: Some(threads),
            progress: false,
            keep_runs: 0,
            run_range: Some(start..end),
        };
        let (summaries, diffs) = engine::simulate_paired(worlds, &opts)?;
        match &mut total {
            None => total = Some((summaries, diffs)),
            Some((all, all_diffs)) => {
                for (s, part) in all.iter_mut().zip(summaries) {
                    s.merge(part)?;
                }
                for (d, part) in all_diffs.iter_mut().zip(diffs) {
                    d.aggregate.merge(&part.aggregate).map_err(Error::Other)?;
                }
            }
        }
        start = end;
    }
    Ok(total)
}
