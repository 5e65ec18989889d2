//! Command-line definitions only; `app` turns them into work.

use crate::engine::shard::Shard;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "simulate",
    version,
    about = "Monte Carlo scenarios of telecom vendor alignment under policy shocks",
    long_about = "Monte Carlo scenarios of telecom vendor alignment under policy shocks.\n\n`simulate FILE` is short for `simulate run FILE`.",
    after_help = "Exit codes: 0 ok, 2 bad input, 1 anything else."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: tables (summary.csv, summary.json), charts and an index.html page
    Run(RunArgs),
    /// Run two or more scenarios on the same random numbers and compare them
    /// run by run (each against the first)
    Compare(CompareArgs),
    /// Merge shard files into the files one machine would have written
    Merge {
        #[arg(value_name = "SHARD", required = true)]
        shards: Vec<PathBuf>,
        /// Folder the files go into [default: output/<scenario stem>/]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// No summary line
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files and print their resolved shock timelines
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Describe a scenario in plain words (world, assumptions, shocks)
    Explain {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Also write runs.csv: sampled inputs and horizon values of the first N runs
    #[arg(long, value_name = "N", value_parser = parse_count, default_value = "0")]
    pub keep_runs: u64,
    /// Run only shard i of n (0-based) and write a shard file for `merge`
    #[arg(long, value_name = "i/n", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenarios; the first is the reference A (its runs and seed are the defaults)
    #[arg(value_name = "SCENARIO", num_args = 2.., required = true)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// What every simulating command takes.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Number of runs (overrides the file); accepts 100000, 100_000 or 1e5
    #[arg(long, value_parser = parse_count)]
    pub runs: Option<u64>,
    /// Random seed (overrides the file)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Folder the files go into [default: output/<file stem>/, or output/compare-<a>-vs-<b>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar, no summary line
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write presenter-<ID>.html: one large panel per metric for this country (e.g. SRB)
    #[arg(long, value_name = "ID")]
    pub focus: Option<String>,
}

/// A whole number written as 1000000, 1_000_000 or 1e6.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.replace('_', "");
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 1e15 => Ok(x as u64),
        _ => Err(format!(
            "`{s}` is not a whole number (examples: 100000, 100_000, 1e5)"
        )),
    }
}

/// `i/n` (0 ≤ i < n).
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("`{s}` is not a shard: expected i/n with 0 ≤ i < n, e.g. 0/4 … 3/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    Shard::new(i, n).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_underscores_and_exponents() {
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("1e6"), Ok(1_000_000));
        assert_eq!(parse_count("250"), Ok(250));
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("-3").is_err());
        assert!(parse_count("lots").is_err());
    }

    #[test]
    fn shard_specs_parse() {
        assert_eq!(parse_shard("2/4"), Ok(Shard::new(2, 4).unwrap()));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("1/0").is_err());
        assert!(parse_shard("x").is_err());
    }
}
