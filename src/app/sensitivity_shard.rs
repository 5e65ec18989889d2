//! A sensitivity analysis past one machine, sharded by group of points (a
//! tornado input's two ends, a Morris trajectory, a Saltelli row), as a
//! calibration is by draw:
//!
//! - `sensitivity FILE [flags] --shard i/n` runs groups
//!   `floor(G·i/n) .. floor(G·(i+1)/n)` of the design's G and writes each
//!   group's answer (every point's mean and standard error, the paired
//!   standard error) to `sensitivity-shard-i-of-n.json` in `--out`.
//! - `merge DIR/sensitivity-shard-*.json` puts the groups back in the
//!   design's order and writes the files one machine's `sensitivity` would
//!   have written, byte for byte.
//!
//! Why the bytes match: a group's answer depends only on the seed, the
//! design (fixed by the seed, the method and the inputs) and the group, each
//! run on its own as one machine runs it; answers travel as JSON whose
//! numbers read back to the same bits (serde_json's `float_roundtrip`); and
//! the estimators are the one-machine code (`Prepared::finish`).

use super::plan::Plan;
use super::sensitivity::{self, GroupResult, Method, Prepared, SensitivityPlan};
use super::shard_set::{self, Claim, Sources, check_cover, same_setup};
use crate::engine::shard::Shard;
use crate::error::{Diagnostic, Error, Result};
use crate::report;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const SHARD_FORMAT: &str = "dsrsim-sensitivity-shard/1";

const HOW_SHARDS: &str = "a sensitivity analysis's shards are written by `simulate sensitivity FILE … --shard i/n` and merged with `simulate merge DIR/sensitivity-shard-*-of-N.json`";

/// Everything the result depends on besides which groups ran. Two shards
/// belong to one analysis when their setups are equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Setup {
    #[serde(flatten)]
    sources: Sources,
    method: String,
    outcome: Option<String>,
    inputs: Vec<String>,
    samples: Option<u64>,
    reps: u64,
}

impl Setup {
    fn new(p: &SensitivityPlan, prep: &Prepared, stem: &str) -> Setup {
        Setup {
            sources: Sources::new(p.file, stem, &prep.world, p.set, prep.seed),
            method: p.method.name().to_string(),
            outcome: p.outcome.map(str::to_string),
            inputs: p.inputs.to_vec(),
            samples: p.samples,
            reps: p.reps,
        }
    }
}

impl shard_set::Setup for Setup {
    fn differences(&self, other: &Setup) -> String {
        let mut out = self.sources.differences(&other.sources);
        let checks = [
            (self.method != other.method, "--method"),
            (self.outcome != other.outcome, "--outcome"),
            (self.inputs != other.inputs, "--input"),
            (self.samples != other.samples, "--samples"),
            (self.reps != other.reps, "--reps"),
        ];
        out.extend(checks.iter().filter(|(d, _)| *d).map(|(_, w)| *w));
        out.join(", ")
    }
}

/// One shard's groups. The field names and order are the file format
/// (`SHARD_FORMAT`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SensitivityShard {
    format: String,
    dsrsim_version: String,
    setup: Setup,
    /// 0-based shard index and number of shards.
    shard: (u64, u64),
    /// The design's groups, and those this shard ran.
    groups: u64,
    group_range: (u64, u64),
    results: Vec<GroupResult>,
}

impl SensitivityShard {
    /// A shard file's text (`path` names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<SensitivityShard> {
        shard_set::parse(
            path,
            text,
            SHARD_FORMAT,
            "a sensitivity analysis's shard",
            HOW_SHARDS,
        )
    }
}

/// `simulate sensitivity … --shard i/n`: run the shard's groups and write
/// their answers for `merge`.
pub fn shard_command(plan: &Plan, p: &SensitivityPlan, shard: Shard) -> Result<()> {
    let started = std::time::Instant::now();
    let prep = sensitivity::prepare(p)?;
    let total = prep.groups.len() as u64;
    let range = shard.range(total);
    let results = prep.run(p, range.start as usize..range.end as usize)?;
    let file = SensitivityShard {
        format: SHARD_FORMAT.into(),
        dsrsim_version: env!("CARGO_PKG_VERSION").into(),
        setup: Setup::new(p, &prep, &plan.stem),
        shard: (shard.index(), shard.count()),
        groups: total,
        group_range: (range.start, range.end),
        results,
    };
    shard_set::Written {
        out: &plan.out,
        prefix: "sensitivity",
        shard,
        quiet: plan.quiet,
        scenario: &prep.world.scenario.name,
        what: format!(
            "{}: groups {}..{} of {total}",
            p.method.name(),
            range.start,
            range.end
        ),
        started,
    }
    .write(&file)?;
    Ok(())
}

/// The shards of one analysis: read, checked to belong to one setup and to
/// cover its groups once.
#[derive(Debug)]
pub struct SensitivityShards {
    shards: Vec<(PathBuf, SensitivityShard)>,
}

impl SensitivityShards {
    pub fn read(paths: &[PathBuf]) -> Result<SensitivityShards> {
        SensitivityShards::from_files(shard_set::read_all(paths, SensitivityShard::parse)?)
    }

    /// The checks of `read` on shards already parsed (`path` names each).
    pub fn from_files(shards: Vec<(PathBuf, SensitivityShard)>) -> Result<SensitivityShards> {
        let hint = "merge every shard of one analysis once: `simulate merge DIR/sensitivity-shard-*-of-N.json`";
        let setups: Vec<(&Path, &Setup)> = shards
            .iter()
            .map(|(p, s)| (p.as_path(), &s.setup))
            .collect();
        same_setup(&setups, "analyses", hint)?;
        if let Some((path, _)) = shards.first().filter(|(_, s)| s.setup.reps == 0) {
            return Err(Diagnostic::new(format!(
                "`{}` is damaged: an analysis of 0 replications a point",
                path.display()
            ))
            .in_file(path)
            .hint(HOW_SHARDS)
            .into());
        }
        for (path, s) in &shards {
            let ran = s.group_range.1.saturating_sub(s.group_range.0);
            if s.results.len() as u64 != ran {
                return Err(Diagnostic::new(format!(
                    "`{}` is damaged: it holds {} groups' answers for groups {}..{}",
                    path.display(),
                    s.results.len(),
                    s.group_range.0,
                    s.group_range.1
                ))
                .in_file(path)
                .hint(HOW_SHARDS)
                .into());
            }
        }
        let claims: Vec<Claim> = shards
            .iter()
            .map(|(path, s)| Claim {
                path,
                index: s.shard.0,
                count: s.shard.1,
                range: s.group_range,
                total: s.groups,
            })
            .collect();
        check_cover(&claims, "groups of points", hint)?;
        Ok(SensitivityShards { shards })
    }

    pub fn stem(&self) -> &str {
        &self.shards[0].1.setup.sources.stem
    }

    /// Every group's answer in the design's order, after checking that the
    /// shards' groups are `groups`' (their count, each one's points).
    pub fn results(&self, groups: &[Vec<Vec<f64>>]) -> Result<Vec<GroupResult>> {
        let mut ordered: Vec<&(PathBuf, SensitivityShard)> = self.shards.iter().collect();
        ordered.sort_by_key(|(_, s)| s.group_range.0);
        let mut out = Vec::with_capacity(groups.len());
        for (path, s) in ordered {
            let damaged = |e: String| -> Error {
                Diagnostic::new(format!("`{}` is damaged: {e}", path.display()))
                    .in_file(path)
                    .hint(HOW_SHARDS)
                    .into()
            };
            if s.groups != groups.len() as u64 {
                return Err(damaged(format!(
                    "it splits {} groups; the analysis has {}",
                    s.groups,
                    groups.len()
                )));
            }
            for (k, r) in s.results.iter().enumerate() {
                let g = &groups[s.group_range.0 as usize + k];
                if r.means.len() != g.len() || r.ses.len() != g.len() {
                    return Err(damaged(format!(
                        "group {} has {} points; the answer holds {} means and {} errors",
                        s.group_range.0 as usize + k,
                        g.len(),
                        r.means.len(),
                        r.ses.len()
                    )));
                }
                out.push(r.clone());
            }
        }
        Ok(out)
    }
}

/// `simulate merge DIR/sensitivity-shard-*.json`: the whole analysis's files.
pub fn merge_command(plan: &Plan, set: &SensitivityShards) -> Result<()> {
    let setup = &set.shards[0].1.setup;
    let file = setup.sources.file();
    let settings = setup.sources.settings()?;
    let method = [Method::Tornado, Method::Morris, Method::Sobol]
        .into_iter()
        .find(|m| m.name() == setup.method)
        .ok_or_else(|| {
            Error::from(
                Diagnostic::new(format!(
                    "`{}` names no method `{}`",
                    set.shards[0].0.display(),
                    setup.method
                ))
                .in_file(&set.shards[0].0),
            )
        })?;
    // The design's size, from the file's --samples, before the design is
    // built from it: Morris and Sobol have a group a sample, and the shards
    // hold every group (so their number is bounded by the files' size).
    let (first, groups) = (&set.shards[0].0, set.shards[0].1.groups);
    let implied = match (method, setup.samples) {
        (Method::Tornado, _) => None,
        (_, Some(n)) => Some(n),
        (Method::Morris, None) => Some(sensitivity::MORRIS_TRAJECTORIES as u64),
        (Method::Sobol, None) => Some(sensitivity::SOBOL_SAMPLES as u64),
    };
    if implied.is_some_and(|n| n != groups) {
        return Err(Diagnostic::new(format!(
            "`{}` is damaged: its --samples makes {} groups, it splits {groups}",
            first.display(),
            implied.unwrap_or_default()
        ))
        .in_file(first)
        .hint(HOW_SHARDS)
        .into());
    }
    let p = SensitivityPlan {
        file: &file,
        set: &settings,
        method,
        outcome: setup.outcome.as_deref(),
        inputs: &setup.inputs,
        samples: setup.samples,
        reps: setup.reps,
        seed: Some(setup.sources.seed),
        threads: 1,
        progress: false,
        yes: true,
        shard: None,
    };
    let prep = sensitivity::prepare(&p)?;
    // The files are read again: they must be the ones the shards ran.
    let here = Setup::new(&p, &prep, &setup.sources.stem);
    shard_set::unchanged(&here, setup, &set.shards[0].0, "analysis")?;
    let results = set.results(&prep.groups)?;
    let run = prep.finish(&p, results)?;
    let files = sensitivity::files(&run)?;
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        errln!(
            "{}: merged {} {} shards, {} runs\n  -> {}",
            run.world.scenario.name,
            set.shards.len(),
            run.method.name(),
            run.runs,
            plan.out.display()
        );
    }
    Ok(())
}
