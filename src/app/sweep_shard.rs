//! A sweep past one machine, sharded by replication as `run` is by run:
//!
//! - `sweep FILE --vary … --reps R --shard i/n` runs replications
//!   `floor(R·i/n) .. floor(R·(i+1)/n)` of every point and writes their
//!   outcome tallies to `sweep-shard-i-of-n.json` in `--out`.
//! - `merge DIR/sweep-shard-*.json` adds the shards' tallies and writes the
//!   files one machine's `sweep` would have written, byte for byte.
//!
//! Why the bytes match: replication r of every point reads run r's random
//! streams wherever it runs, and the tallies are integers that add to the
//! same bits in any order (`ExperimentResult::merge`), as a run's do.
//!
//! Every file records the sweep's setup (scenario files and their hashes,
//! `--set`, `--vary`, `--outcome`, reps, seed): shards of another setup,
//! and scenario files changed since the shards ran, are refused before
//! anything is written. `--precision` decides its replications from the
//! results so far, so it does not shard.

use super::plan::Plan;
use super::shard_set::{self, Claim, Sources, check_cover, same_setup};
use super::sweep::{self, Prepared, SweepPlan};
use crate::engine::experiment::{DesignPoint, ExperimentResult, run_design};
use crate::engine::outcomes::{OutcomeParts, OutcomeTally};
use crate::engine::shard::{Shard, counts_add_up};
use crate::error::{Diagnostic, Error, Result};
use crate::report;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const SHARD_FORMAT: &str = "dsrsim-sweep-shard/1";

/// Everything the result depends on besides the replications run. Two
/// shards belong to one sweep when their setups are equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Setup {
    #[serde(flatten)]
    sources: Sources,
    vary: Vec<String>,
    outcomes: Vec<String>,
    reps: u64,
}

impl Setup {
    fn new(p: &SweepPlan, prep: &Prepared, stem: &str) -> Setup {
        Setup {
            sources: Sources::new(p.file, stem, &prep.world, p.set, prep.seed),
            vary: p.vary.to_vec(),
            outcomes: p.outcomes.to_vec(),
            reps: p.reps,
        }
    }
}

impl shard_set::Setup for Setup {
    fn differences(&self, other: &Setup) -> String {
        let mut out = self.sources.differences(&other.sources);
        let checks = [
            (self.vary != other.vary, "--vary"),
            (self.outcomes != other.outcomes, "--outcome"),
            (self.reps != other.reps, "--reps"),
        ];
        out.extend(checks.iter().filter(|(d, _)| *d).map(|(_, w)| *w));
        out.join(", ")
    }
}

/// One shard's replications of every point. The field names and order are
/// the file format (`SHARD_FORMAT`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepShard {
    format: String,
    dsrsim_version: String,
    setup: Setup,
    /// 0-based shard index and number of shards.
    shard: (u64, u64),
    /// The replications it ran.
    rep_range: (u64, u64),
    /// Per point: its outcomes, and their paired differences against point 0.
    points: Vec<OutcomeParts>,
    differences: Vec<OutcomeParts>,
}

const HOW_SHARDS: &str = "a sweep's shards are written by `simulate sweep FILE --vary … --shard i/n` and merged with `simulate merge DIR/sweep-shard-*-of-N.json`";

/// `simulate sweep … --shard i/n`: run the shard's replications of every
/// point and write them for `merge`.
pub fn shard_command(plan: &Plan, p: &SweepPlan, shard: Shard) -> Result<()> {
    let started = std::time::Instant::now();
    if p.precision.is_some() {
        return Err(Error::usage(
            "--precision decides its runs from the results so far, so it cannot be sharded: give --reps alone with --shard",
        ));
    }
    let prep = sweep::prepare(p)?;
    let range = shard.range(p.reps);
    let result = run_design(&prep.design, &prep.options(p, Some(range.clone())))?;
    let parts = |t: &[OutcomeTally]| t.iter().map(OutcomeTally::to_parts).collect();
    let file = SweepShard {
        format: SHARD_FORMAT.into(),
        dsrsim_version: env!("CARGO_PKG_VERSION").into(),
        setup: Setup::new(p, &prep, &plan.stem),
        shard: (shard.index(), shard.count()),
        rep_range: (range.start, range.end),
        points: parts(&result.points),
        differences: parts(&result.differences),
    };
    shard_set::Written {
        out: &plan.out,
        prefix: "sweep",
        shard,
        quiet: plan.quiet,
        scenario: &prep.world.scenario.name,
        what: format!(
            "{} points × runs {}..{}",
            prep.design.len(),
            range.start,
            range.end
        ),
        started,
    }
    .write(&file)?;
    Ok(())
}

/// The shards of one sweep: read, checked to belong to one setup and to
/// cover its replications once, with counts that add up.
#[derive(Debug)]
pub struct SweepShards {
    shards: Vec<(PathBuf, SweepShard)>,
}

impl SweepShards {
    pub fn read(paths: &[PathBuf]) -> Result<SweepShards> {
        SweepShards::from_files(shard_set::read_all(paths, SweepShard::parse)?)
    }

    /// The checks of `read` on shards already parsed (`path` names each).
    pub fn from_files(shards: Vec<(PathBuf, SweepShard)>) -> Result<SweepShards> {
        let hint =
            "merge every shard of one sweep once: `simulate merge DIR/sweep-shard-*-of-N.json`";
        let setups: Vec<(&Path, &Setup)> = shards
            .iter()
            .map(|(p, s)| (p.as_path(), &s.setup))
            .collect();
        same_setup(&setups, "sweeps", hint)?;
        if let Some((path, _)) = shards.first().filter(|(_, s)| s.setup.reps == 0) {
            return Err(Diagnostic::new(format!(
                "`{}` is damaged: a sweep of 0 replications",
                path.display()
            ))
            .in_file(path)
            .hint(HOW_SHARDS)
            .into());
        }
        let claims: Vec<Claim> = shards
            .iter()
            .map(|(path, s)| Claim {
                path,
                index: s.shard.0,
                count: s.shard.1,
                range: s.rep_range,
                total: s.setup.reps,
            })
            .collect();
        check_cover(&claims, "replications", hint)?;
        Ok(SweepShards { shards })
    }

    pub fn stem(&self) -> &str {
        &self.shards[0].1.setup.sources.stem
    }

    /// Replications per point, all shards together.
    pub fn reps(&self) -> u64 {
        self.shards[0].1.setup.reps
    }

    /// The shards' tallies added up, after checking that each one's are laid
    /// out as `design`'s and count every replication it claims once.
    pub fn result(&self, design: &[DesignPoint]) -> Result<ExperimentResult> {
        let mut total = ExperimentResult::empty(design);
        // Each shard's tallies are laid out as the design's and count every
        // replication it claims once, before any is added.
        let layout: Vec<OutcomeParts> = total
            .points
            .iter()
            .chain(&total.differences)
            .map(OutcomeTally::to_parts)
            .collect();
        for (path, s) in &self.shards {
            let damaged = |e: String| -> Error {
                Diagnostic::new(format!("`{}` is damaged: {e}", path.display()))
                    .in_file(path)
                    .hint(HOW_SHARDS)
                    .into()
            };
            let runs = s.rep_range.1 - s.rep_range.0;
            let tallies: Vec<&OutcomeParts> = s.points.iter().chain(&s.differences).collect();
            if s.points.len() != design.len() || s.differences.len() != design.len() {
                return Err(damaged(format!(
                    "it holds {} points and {} paired differences; the sweep has {} points",
                    s.points.len(),
                    s.differences.len(),
                    design.len()
                )));
            }
            for (t, want) in tallies.iter().zip(&layout) {
                let a = &t.aggregate;
                if a.bins != want.aggregate.bins || a.points != 1 || t.sumsq.len() != a.bins.len() {
                    return Err(damaged(
                        "its tallies are not laid out as the sweep's".into(),
                    ));
                }
                if a.runs != runs {
                    return Err(damaged(format!(
                        "a tally counts {} runs of its {runs} replications",
                        a.runs
                    )));
                }
                counts_add_up(a, runs).map_err(damaged)?;
            }
            let parts = |parts: &[OutcomeParts]| -> Result<Vec<OutcomeTally>> {
                parts
                    .iter()
                    .map(|t| OutcomeTally::from_parts(t.clone()).map_err(damaged))
                    .collect()
            };
            let part = ExperimentResult {
                points: parts(&s.points)?,
                differences: parts(&s.differences)?,
            };
            total
                .merge(&part)
                .map_err(|e| damaged(format!("its tallies do not fit the sweep ({e})")))?;
        }
        Ok(total)
    }
}

impl SweepShard {
    /// A shard file's text (`path` names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<SweepShard> {
        shard_set::parse(path, text, SHARD_FORMAT, "a sweep's shard", HOW_SHARDS)
    }
}

/// `simulate merge DIR/sweep-shard-*.json`: the files of the whole sweep.
pub fn merge_command(plan: &Plan, set: &SweepShards) -> Result<()> {
    let setup = &set.shards[0].1.setup;
    // The grid's size, from the file's --vary, before the design is built
    // from it: it must be the points the shard holds (bounded by its size).
    let points = setup
        .vary
        .iter()
        .map(|a| sweep::parse_vary(a).map(|axis| axis.values.len()))
        .try_fold(1usize, |n, len| len.map(|l| n.saturating_mul(l)))?;
    let (first, held) = (&set.shards[0].0, set.shards[0].1.points.len());
    if setup.vary.is_empty() || setup.vary.len() > 2 || points != held {
        return Err(Diagnostic::new(format!(
            "`{}` is damaged: its --vary makes {points} points, it holds {held}",
            first.display()
        ))
        .in_file(first)
        .hint(HOW_SHARDS)
        .into());
    }
    let file = setup.sources.file();
    let settings = setup.sources.settings()?;
    let p = SweepPlan {
        file: &file,
        set: &settings,
        vary: &setup.vary,
        outcomes: &setup.outcomes,
        reps: setup.reps,
        seed: Some(setup.sources.seed),
        threads: 1,
        progress: false,
        yes: true,
        precision: None,
        shard: None,
    };
    let prep = sweep::prepare(&p)?;
    // The files are read again: they must be the ones the shards ran.
    let here = Setup::new(&p, &prep, &setup.sources.stem);
    shard_set::unchanged(&here, setup, &set.shards[0].0, "sweep")?;
    let total = set.result(&prep.design)?;
    let run = prep.finish(total, None);
    let files = sweep::files(&run)?;
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        errln!(
            "{}: merged {} sweep shards, {} points × {} runs\n  -> {}",
            run.world.scenario.name,
            set.shards.len(),
            run.result.points.len(),
            setup.reps,
            plan.out.display()
        );
    }
    Ok(())
}
