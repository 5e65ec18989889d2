//! Past one machine: shard `i` of `n` runs a contiguous part of the run
//! indices and leaves a shard file; merging the files of every shard gives
//! the summary one machine would have computed, bit for bit.
//!
//! A shard file carries its scenario (resolved TOML, file names and hashes)
//! so that merge needs nothing but the shard files, and its aggregate in
//! exact form, so that the merge is exact. The TOML is handed in by the
//! caller: the engine stores it and reloads it through `scenario`, and knows
//! nothing of how it was written.

use super::aggregate::{Aggregate, AggregateParts};
use super::outcomes::{OutcomeParts, OutcomeTally};
use super::{KeptRun, RunOptions, Summary};
use crate::error::{Diagnostic, Error, Result};
use crate::model::World;
use crate::scenario::{self, Override, Scenario, SourceFile};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "dsrsim-shard/2";

/// Shard `index` of `count`, 0-based; `index < count` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// None unless `index < count`.
    pub fn new(index: u64, count: u64) -> Option<Shard> {
        (index < count).then_some(Shard { index, count })
    }

    pub fn index(self) -> u64 {
        self.index
    }

    pub fn count(self) -> u64 {
        self.count
    }

    /// Its run indices: contiguous, and the shards of one run cover `0..runs` once.
    pub fn range(self, runs: u64) -> Range<u64> {
        // u128: runs × count may not fit in u64.
        let edge = |k: u64| ((u128::from(runs) * u128::from(k)) / u128::from(self.count)) as u64;
        edge(self.index)..edge(self.index + 1)
    }

    /// `shard-i-of-n.json`
    pub fn file_name(self) -> String {
        format!("shard-{}-of-{}.json", self.index, self.count)
    }
}

/// What one shard leaves for merge. The field names and order are the file
/// format (`FORMAT`): change them only with a new format string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile {
    format: String,
    dsrsim_version: String,
    /// 0-based shard index and number of shards.
    shard: (u64, u64),
    run_range: (u64, u64),
    runs: u64,
    seed: u64,
    keep_runs: u64,
    /// The file stem of the scenario, for merge's default output folder.
    stem: String,
    scenario_toml: String,
    files: Vec<(String, String)>,
    warnings: Vec<String>,
    /// The files an inherited description and question came from (pages
    /// say "as in …"); absent when the scenario wrote its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    question_from: Option<String>,
    /// The command line's overrides (flag, key, value), for summary.json.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    overrides: Vec<(String, String, String)>,
    aggregate: AggregateParts,
    /// The headline outcomes' tally (format 2).
    outcomes: OutcomeParts,
    kept: Vec<(u64, Vec<f64>, Vec<f64>)>,
}

impl ShardFile {
    /// The file of `shard`, which ran `scenario` with `opts` into `summary`.
    /// `scenario_toml` is the scenario as it ran, in a form `scenario::load_str`
    /// reads back to the same scenario.
    pub fn new(
        shard: Shard,
        opts: &RunOptions,
        stem: &str,
        scenario: &Scenario,
        scenario_toml: String,
        summary: &Summary,
    ) -> ShardFile {
        let range = shard.range(opts.runs);
        ShardFile {
            format: FORMAT.into(),
            dsrsim_version: env!("CARGO_PKG_VERSION").into(),
            shard: (shard.index, shard.count),
            run_range: (range.start, range.end),
            runs: opts.runs,
            seed: opts.seed,
            keep_runs: opts.keep_runs,
            stem: stem.into(),
            scenario_toml,
            files: scenario
                .files
                .iter()
                .map(|f| (f.path.display().to_string(), f.hash.clone()))
                .collect(),
            warnings: scenario.warnings.clone(),
            description_from: scenario.description_from.clone(),
            question_from: scenario.question_from.clone(),
            overrides: scenario
                .overrides
                .iter()
                .map(|o| (o.origin.clone(), o.key.clone(), o.value.clone()))
                .collect(),
            aggregate: summary.aggregate.to_parts(),
            outcomes: summary.outcomes.to_parts(),
            kept: summary
                .kept
                .iter()
                .map(|k| (k.run, k.inputs.clone(), k.horizon.clone()))
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("shard files serialise")
    }

    pub fn read(path: &Path) -> Result<ShardFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("cannot read shard `{}`", path.display()), e))?;
        ShardFile::parse(path, &text)
    }

    /// A shard file's text, as if read from `path` (the fuzzer's door).
    pub fn parse(path: &Path, text: &str) -> Result<ShardFile> {
        let sf: ShardFile = serde_json::from_str(text).map_err(|e| {
            Error::from(
                Diagnostic::new(format!(
                    "`{}` is not a dsrsim shard file: {e}",
                    path.display()
                ))
                .in_file(path)
                .hint("shard files are written by `simulate run FILE --shard i/n`"),
            )
        })?;
        if sf.format != FORMAT {
            return Err(Diagnostic::new(format!(
                "`{}` has format `{}`, expected `{FORMAT}`",
                path.display(),
                sf.format
            ))
            .in_file(path)
            .into());
        }
        Ok(sf)
    }
}

/// The shard files of one run: read, checked to belong together and to
/// cover every run index once, not yet merged.
#[derive(Debug)]
pub struct ShardSet {
    shards: Vec<(PathBuf, ShardFile)>,
}

impl ShardSet {
    pub fn read(paths: &[PathBuf]) -> Result<ShardSet> {
        let shards: Vec<(PathBuf, ShardFile)> = paths
            .iter()
            .map(|p| ShardFile::read(p).map(|s| (p.clone(), s)))
            .collect::<Result<_>>()?;
        ShardSet::from_files(shards)
    }

    /// Shard files already read, each with the path it is named by.
    pub fn from_files(shards: Vec<(PathBuf, ShardFile)>) -> Result<ShardSet> {
        let Some((first_path, first)) = shards.first() else {
            return Err(Error::usage("merge needs at least one shard file"));
        };
        let n = first.shard.1;
        if n > shards.len() as u64 {
            // Not all can be here: said without a slot per claimed shard
            // (a damaged count may be 2^64 - 1).
            let given: Vec<u64> = shards.iter().map(|(_, s)| s.shard.0).collect();
            let missing: Vec<String> = (0..n)
                .filter(|i| !given.contains(i))
                .take(8)
                .map(|i| format!("{i}/{n}"))
                .collect();
            return Err(Diagnostic::new(format!(
                "shards missing: {}{}",
                missing.join(", "),
                if n - shards.len() as u64 > 8 {
                    ", …"
                } else {
                    ""
                }
            ))
            .hint("merge needs every shard of the run, so that every run index counts once")
            .into());
        }
        let mut seen = vec![None::<&Path>; n as usize];
        for (path, s) in &shards {
            let mismatch = |what: &str| -> Error {
                Diagnostic::new(format!(
                    "`{}` and `{}` come from different runs: their {what} differ",
                    first_path.display(),
                    path.display()
                ))
                .hint("merge the shards of one `simulate run --shard i/n` call, all with the same scenario, seed and runs")
                .into()
            };
            if s.scenario_toml != first.scenario_toml {
                return Err(mismatch("scenarios"));
            }
            if (s.seed, s.runs, s.shard.1, s.keep_runs)
                != (first.seed, first.runs, n, first.keep_runs)
            {
                return Err(mismatch("seeds, run counts or shard counts"));
            }
            let i = s.shard.0 as usize;
            let claimed = Shard::new(s.shard.0, n);
            if claimed.is_none_or(|c| c.range(s.runs) != (s.run_range.0..s.run_range.1)) {
                return Err(Diagnostic::new(format!(
                    "`{}` claims an impossible shard {}/{n}",
                    path.display(),
                    s.shard.0
                ))
                .in_file(path)
                .into());
            }
            if let Some(other) = seen[i] {
                return Err(Diagnostic::new(format!(
                    "shard {i}/{n} is given twice: `{}` and `{}`",
                    other.display(),
                    path.display()
                ))
                .hint("each shard must be merged once, or its runs would count twice")
                .into());
            }
            seen[i] = Some(path);
        }
        let missing: Vec<String> = seen
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_none())
            .map(|(i, _)| format!("{i}/{n}"))
            .collect();
        if !missing.is_empty() {
            return Err(
                Diagnostic::new(format!("shards missing: {}", missing.join(", ")))
                    .hint("merge needs every shard of the run, so that every run index counts once")
                    .into(),
            );
        }
        Ok(ShardSet { shards })
    }

    fn first(&self) -> &ShardFile {
        &self.shards[0].1
    }

    pub fn runs(&self) -> u64 {
        self.first().runs
    }

    pub fn seed(&self) -> u64 {
        self.first().seed
    }

    pub fn keep_runs(&self) -> u64 {
        self.first().keep_runs
    }

    /// The file stem of the scenario the shards ran.
    pub fn stem(&self) -> &str {
        &self.first().stem
    }

    pub fn len(&self) -> usize {
        self.shards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }

    /// The scenario as the shards ran it: its source files, warnings, runs
    /// and seed are those of the original run, not of the stored text.
    pub fn scenario(&self) -> Result<Scenario> {
        let first = self.first();
        let mut scenario = scenario::load_str(
            Path::new(&format!("{}.toml", first.stem)),
            &first.scenario_toml,
        )?;
        scenario.files = first
            .files
            .iter()
            .map(|(p, h)| SourceFile {
                path: PathBuf::from(p),
                hash: h.clone(),
            })
            .collect();
        scenario.warnings = first.warnings.clone();
        scenario.description_from = first.description_from.clone();
        scenario.question_from = first.question_from.clone();
        scenario.overrides = first
            .overrides
            .iter()
            .map(|(origin, key, value)| Override {
                origin: origin.clone(),
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        scenario.runs = first.runs;
        scenario.seed = first.seed;
        Ok(scenario)
    }

    /// The exact merge: what `simulate` over all the runs on one machine
    /// would have returned, whatever order the shards came in.
    pub fn merge(&self) -> Result<Summary> {
        let world = World::new(self.scenario()?);
        let layout = Layout::of(&world);
        let mut aggregate: Option<(Aggregate, OutcomeTally)> = None;
        let mut kept = Vec::new();
        for (path, s) in &self.shards {
            let damaged = |e: String| {
                Error::from(
                    Diagnostic::new(format!("`{}` is damaged: {e}", path.display())).in_file(path),
                )
            };
            layout.check(s).map_err(damaged)?;
            let part = Aggregate::from_parts(s.aggregate.clone()).map_err(damaged)?;
            let outcomes = OutcomeTally::from_parts(s.outcomes.clone()).map_err(damaged)?;
            match &mut aggregate {
                None => aggregate = Some((part, outcomes)),
                Some((total, total_outcomes)) => {
                    total.merge(&part).map_err(damaged)?;
                    total_outcomes.merge(&outcomes).map_err(damaged)?;
                }
            }
            kept.extend(s.kept.iter().map(|(run, inputs, horizon)| KeptRun {
                run: *run,
                inputs: inputs.clone(),
                horizon: horizon.clone(),
            }));
        }
        kept.sort_by_key(|k| k.run);
        let (aggregate, outcomes) = aggregate.expect("a shard set is never empty");
        Ok(Summary {
            seed: self.seed(),
            aggregate,
            outcomes,
            kept,
        })
    }
}

/// What the scenario's world lays out, which every shard must match before
/// its parts are rebuilt (their sizes come from the file) and added up.
struct Layout {
    aggregate: Aggregate,
    outcomes: AggregateParts,
    inputs: usize,
    series: usize,
}

impl Layout {
    fn of(world: &World) -> Layout {
        Layout {
            aggregate: super::empty_aggregate(world),
            outcomes: super::empty_outcomes(world).to_parts().aggregate,
            inputs: world.input_names().len(),
            series: world.series().len(),
        }
    }

    /// A shard's counts add up: each (series, point) counts each of its
    /// runs once (an event may fire many times a run: not bounded), each class series
    /// places each run once; its kept runs are its own. A file that fails
    /// this was changed after it was written.
    fn check(&self, s: &ShardFile) -> std::result::Result<(), String> {
        let a = &s.aggregate;
        let e = &self.aggregate;
        if a.bins != e.bins
            || a.points != e.points
            || a.events.len() != e.events.len()
            || a.classes.len() != e.classes.len()
        {
            return Err("its aggregate is not laid out as its scenario's".into());
        }
        let o = &s.outcomes.aggregate;
        if o.bins != self.outcomes.bins || o.points != 1 || !o.events.is_empty() {
            return Err("its outcome tally is not laid out as its scenario's".into());
        }
        let runs = s.run_range.1.saturating_sub(s.run_range.0);
        for (what, parts) in [("aggregate", a), ("outcome tally", o)] {
            if parts.runs != runs {
                return Err(format!(
                    "its {what} counts {} runs, its range {runs}",
                    parts.runs
                ));
            }
            counts_add_up(parts, runs).map_err(|e| format!("its {what}: {e}"))?;
        }
        if a.classes
            .iter()
            .any(|c| c.iter().map(|&x| u128::from(x)).sum::<u128>() != u128::from(runs))
        {
            return Err(format!("a class series does not place its {runs} runs"));
        }
        let own = s.run_range.0..s.run_range.1.min(s.keep_runs);
        let mut last = None;
        for (run, inputs, horizon) in &s.kept {
            if !own.contains(run) || last.is_some_and(|l| l >= *run) {
                return Err(format!(
                    "kept run {run} is not one of its kept runs, in order"
                ));
            }
            if inputs.len() != self.inputs || horizon.len() != self.series {
                return Err(format!("kept run {run} has values of another scenario"));
            }
            last = Some(*run);
        }
        Ok(())
    }
}

/// Every (series, point) cell of `p`, a layout already checked, counts `runs`.
pub(crate) fn counts_add_up(p: &AggregateParts, runs: u64) -> std::result::Result<(), String> {
    // (first slot, slots per point) of each series.
    let mut starts = Vec::with_capacity(p.bins.len());
    let mut total = 0u64;
    for b in &p.bins {
        let slots = b.slots() as u64;
        starts.push((total, slots));
        total += slots * p.points as u64;
    }
    let mut cells = vec![0u128; p.bins.len() * p.points];
    let mut last = None;
    for &(slot, count) in &p.counts {
        if slot >= total {
            return Err(format!("count index {slot} is outside the layout"));
        }
        // Rebuilding keeps one count per slot: a slot named twice would be
        // counted here and not there. Written in order, each once.
        if last.is_some_and(|l| l >= slot) {
            return Err(format!("count index {slot} is out of order or repeated"));
        }
        last = Some(slot);
        let s = starts.partition_point(|&(start, _)| start <= slot) - 1;
        let (start, slots) = starts[s];
        cells[s * p.points + ((slot - start) / slots) as usize] += u128::from(count);
    }
    match cells.iter().position(|&c| c != u128::from(runs)) {
        Some(k) => Err(format!(
            "cell {k} counts {} values of {runs} runs",
            cells[k]
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_tile_the_runs() {
        for (runs, n) in [(10u64, 3u64), (7, 7), (5, 8), (1_000_000, 4)] {
            let mut next = 0;
            for i in 0..n {
                let r = Shard::new(i, n).unwrap().range(runs);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, runs);
        }
    }

    #[test]
    fn a_shard_index_is_below_the_count() {
        assert!(Shard::new(3, 4).is_some());
        assert!(Shard::new(4, 4).is_none());
        assert!(Shard::new(0, 0).is_none());
        assert_eq!(Shard::new(2, 4).unwrap().file_name(), "shard-2-of-4.json");
    }
}
