//! Shard files: what one `run --shard i/n` leaves for `merge`. A shard
//! carries its scenario (resolved TOML, file names and hashes) so that
//! merge needs nothing but the shard files, and its aggregate in exact form,
//! so that merged shards write the same bytes as one machine.

use crate::engine::KeptRun;
use crate::engine::aggregate::{Aggregate, AggregateParts};
use crate::error::{Diagnostic, Error, Result};
use crate::scenario::{Scenario, SourceFile};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "dsrsim-shard/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile {
    pub format: String,
    pub dsrsim_version: String,
    /// 0-based shard index and number of shards.
    pub shard: (u64, u64),
    pub run_range: (u64, u64),
    pub runs: u64,
    pub seed: u64,
    pub keep_runs: u64,
    /// The file stem of the scenario, for merge's default output folder.
    pub stem: String,
    pub scenario_toml: String,
    pub files: Vec<(String, String)>,
    pub warnings: Vec<String>,
    pub aggregate: AggregateParts,
    pub kept: Vec<(u64, Vec<f64>, Vec<f64>)>,
}

/// The run indices of shard `i` of `n`: contiguous, covering 0..runs once.
pub fn shard_range(runs: u64, i: u64, n: u64) -> std::ops::Range<u64> {
    let edge = |k: u64| ((u128::from(runs) * u128::from(k)) / u128::from(n)) as u64;
    edge(i)..edge(i + 1)
}

/// Parse `i/n` (0 ≤ i < n).
pub fn parse_shard(s: &str) -> std::result::Result<(u64, u64), String> {
    let bad = || format!("`{s}` is not a shard: expected i/n with 0 ≤ i < n, e.g. 0/4 … 3/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

pub fn shard_json(sf: &ShardFile) -> String {
    serde_json::to_string(sf).expect("shard files serialise")
}

pub fn read_shard(path: &Path) -> Result<ShardFile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read shard `{}`", path.display()), e))?;
    let sf: ShardFile = serde_json::from_str(&text).map_err(|e| {
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

/// The merged run: the scenario as the shards ran it, the aggregate, kept runs.
pub struct Merged {
    pub scenario: Scenario,
    pub stem: String,
    pub runs: u64,
    pub seed: u64,
    pub aggregate: Aggregate,
    pub kept: Vec<KeptRun>,
}

/// Check the shards belong together and cover every run once, then merge.
pub fn merge(paths: &[PathBuf]) -> Result<Merged> {
    let shards: Vec<(PathBuf, ShardFile)> = paths
        .iter()
        .map(|p| read_shard(p).map(|s| (p.clone(), s)))
        .collect::<Result<_>>()?;
    let (first_path, first) = (shards[0].0.clone(), shards[0].1.clone());
    let n = first.shard.1;
    let mut seen = vec![None::<PathBuf>; n as usize];
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
        if (s.seed, s.runs, s.shard.1, s.keep_runs) != (first.seed, first.runs, n, first.keep_runs)
        {
            return Err(mismatch("seeds, run counts or shard counts"));
        }
        let i = s.shard.0 as usize;
        if i >= seen.len() || shard_range(s.runs, s.shard.0, n) != (s.run_range.0..s.run_range.1) {
            return Err(Diagnostic::new(format!(
                "`{}` claims an impossible shard {}/{n}",
                path.display(),
                s.shard.0
            ))
            .in_file(path)
            .into());
        }
        if let Some(other) = &seen[i] {
            return Err(Diagnostic::new(format!(
                "shard {i}/{n} is given twice: `{}` and `{}`",
                other.display(),
                path.display()
            ))
            .hint("each shard must be merged once, or its runs would count twice")
            .into());
        }
        seen[i] = Some(path.clone());
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

    let mut scenario = crate::scenario::load_str(
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
    scenario.runs = first.runs;
    scenario.seed = first.seed;

    let mut aggregate: Option<Aggregate> = None;
    let mut kept = Vec::new();
    for (path, s) in shards {
        let part = Aggregate::from_parts(s.aggregate).map_err(|e| {
            Error::from(
                Diagnostic::new(format!("`{}` is damaged: {e}", path.display())).in_file(&path),
            )
        })?;
        match &mut aggregate {
            None => aggregate = Some(part),
            Some(total) => total.merge(&part).map_err(Error::Other)?,
        }
        kept.extend(s.kept.into_iter().map(|(run, inputs, horizon)| KeptRun {
            run,
            inputs,
            horizon,
        }));
    }
    kept.sort_by_key(|k| k.run);
    Ok(Merged {
        scenario,
        stem: first.stem.clone(),
        runs: first.runs,
        seed: first.seed,
        aggregate: aggregate.expect("at least one shard"),
        kept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_tile_the_runs() {
        for (runs, n) in [(10u64, 3u64), (7, 7), (5, 8), (1_000_000, 4)] {
            let mut next = 0;
            for i in 0..n {
                let r = shard_range(runs, i, n);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, runs);
        }
    }

    #[test]
    fn shard_specs_parse() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("1/0").is_err());
        assert!(parse_shard("x").is_err());
    }
}
