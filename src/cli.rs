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
        /// Every shard file of one run, sweep, sensitivity analysis or
        /// calibration wave (`--shard i/n` wrote them), in any order
        #[arg(value_name = "SHARD", required = true)]
        shards: Vec<PathBuf>,
        /// Folder the files go into [default: output/<scenario stem>/, or
        /// output/sweep-…, sensitivity-…, calibrate-… for those]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// No summary line
        #[arg(long, short)]
        quiet: bool,
    },
    /// Vary one or two values over a grid, the same random numbers at every
    /// point, and record the outcomes: sweep.csv, charts and an index.html page
    Sweep(SweepArgs),
    /// In which runs does it happen? Find the inputs (parameters, starting
    /// points, when shocks fired) under which a condition holds far more
    /// often (PRIM): sentences, discover.csv, a trade-off chart and an index.html page
    Discover(DiscoverArgs),
    /// The life of one run, exactly as run N of `simulate FILE` lived it:
    /// its inputs and every event in date order, and its path over the bands
    Story(StoryArgs),
    /// Which uncertain inputs drive an outcome: a tornado, Morris screening or
    /// Sobol indices, on the same random numbers at every point:
    /// sensitivity.csv, a chart and an index.html page
    Sensitivity(SensitivityArgs),
    /// History matching: which values of the file's uncertain parameters
    /// (its distributions) agree with the targets; posterior charts,
    /// calibration.csv, posterior.toml and an index.html page
    Calibrate(CalibrateArgs),
    /// Check scenario files and print their resolved shock timelines
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        set: SetArgs,
    },
    /// Describe a scenario in plain words (world, assumptions, shocks)
    Explain {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        set: SetArgs,
    },
    /// Serve a local page whose levers rerun the scenario live, on the same
    /// random numbers: first a quick answer, then the full runs
    Workshop(WorkshopArgs),
}

#[derive(Debug, Args)]
pub struct WorkshopArgs {
    /// The scenario file (TOML); its [[lever]]s are the page's levers
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Port to serve on [default: a free one]
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to serve on [default: 127.0.0.1]; another one makes the
    /// page reachable from the network
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::IpAddr>,
    /// Runs of the full answer (overrides the file); accepts 2000, 2_000 or 2e3
    #[arg(long, value_parser = parse_count)]
    pub runs: Option<u64>,
    /// Do not open a browser
    #[arg(long)]
    pub no_open: bool,
    /// The page starts from the file with these values (and "Save as
    /// scenario" writes them)
    #[command(flatten)]
    pub set: SetArgs,
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
    /// Run in chunks until the Monte Carlo standard error of every headline
    /// outcome is at most EPS (e.g. 0.005 = half a percentage point); --runs is then the cap
    #[arg(long, value_name = "EPS", value_parser = parse_precision)]
    pub precision: Option<f64>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenarios; the first is the reference A (its runs and seed are the defaults)
    #[arg(value_name = "SCENARIO", num_args = 2.., required = true)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Change one value of every scenario but the first (repeatable), after
    /// `--set`: `compare A.toml A.toml --set-b KEY=VALUE` compares a file
    /// against itself with one change
    #[arg(long = "set-b", value_name = "KEY=VALUE")]
    pub set_b: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// A key path and the values it takes, LO to HI in steps of STEP (once or
    /// twice): --vary eu_conditionality=0:1:0.1; dates step in months:
    /// --vary shock.srb-auction.date=2025-06:2027-06:6
    #[arg(long, value_name = "KEY=LO:HI:STEP", required = true)]
    pub vary: Vec<String>,
    /// An outcome to record (repeatable), e.g. "class SRB cautious at horizon"
    /// or "trusted_share MNE at 2030-12" [default: the scenario's headline outcomes]
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Vec<String>,
    /// Replications (runs) per point; accepts 2000, 2_000 or 2e3
    #[arg(long, value_parser = parse_count, default_value = "1000")]
    pub reps: u64,
    /// Run a grid of more than 10,000 points
    #[arg(long)]
    pub yes: bool,
    /// Add runs until every outcome's standard error at every point is at
    /// most EPS; --reps is then the cap
    #[arg(long, value_name = "EPS", value_parser = parse_precision)]
    pub precision: Option<f64>,
    /// Run only shard i of n (0-based) of every point's replications and
    /// write a shard file for `merge`
    #[arg(long, value_name = "i/n", value_parser = parse_shard, conflicts_with = "precision")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub set: SetArgs,
    /// Random seed (overrides the file)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Folder the files go into [default: output/sweep-<file stem>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar, no summary line
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The scenario file (TOML); its distributions are the priors
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The targets file (TOML): [[target]] what = "OUTCOME", observed, sd, source
    #[arg(long, value_name = "TARGETS.toml")]
    pub targets: PathBuf,
    /// Calibrate only these keys (comma-separated key paths whose values are
    /// distributions) [default: every distribution of the file]
    #[arg(long, value_name = "KEY,...", value_delimiter = ',')]
    pub params: Vec<String>,
    /// Draws per wave (a Latin hypercube over the priors' quantiles)
    #[arg(long, value_parser = parse_count, default_value = "200")]
    pub draws: u64,
    /// Runs per draw, the same random numbers for every draw
    #[arg(long, value_parser = parse_count, default_value = "200")]
    pub reps: u64,
    /// Waves: each later one draws from the box of the kept draws before it
    #[arg(long, value_parser = parse_count, default_value = "3")]
    pub waves: u64,
    /// Keep a draw when every target's implausibility is at most this
    #[arg(long, default_value = "3")]
    pub cutoff: f64,
    #[command(flatten)]
    pub set: SetArgs,
    /// Random seed (overrides the file)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Folder the files go into [default: output/calibrate-<file stem>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar, no summary line
    #[arg(long, short)]
    pub quiet: bool,
    /// Start even if it is estimated to take more than a day
    #[arg(long)]
    pub yes: bool,
    /// Run one wave only, with --shard (1-based); wave 2 onwards starts
    /// from --out's wave-K.json, which merging the wave before's shards
    /// writes next to them
    #[arg(long, value_name = "K", value_parser = parse_count, requires = "shard")]
    pub wave: Option<u64>,
    /// Run only shard i of n (0-based) of the wave's draws and write a
    /// shard file for `merge`
    #[arg(long, value_name = "i/n", value_parser = parse_shard, requires = "wave")]
    pub shard: Option<Shard>,
}

/// How `sensitivity` explores the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SensitivityMethod {
    /// Each input alone at its low and high end, the others at their middle
    Tornado,
    /// Elementary effects on random one-at-a-time trajectories (mu*, sigma)
    Morris,
    /// First-order and total variance shares with bootstrap intervals
    Sobol,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    #[arg(long, value_enum, default_value = "tornado")]
    pub method: SensitivityMethod,
    /// The outcome to explain, e.g. "class SRB cautious at 2035-12" [default:
    /// the scenario's first headline outcome that is a chance, else its first]
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// An input and its range (repeatable), instead of the scenario's
    /// uncertain inputs: --input eu_conditionality=0:1, --input
    /// shock.srb-auction.date=2025-03:2026-06
    #[arg(long = "input", value_name = "KEY=LO:HI")]
    pub input: Vec<String>,
    /// Morris: trajectories [default: 20]; Sobol: base samples [default: 256]
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub samples: Option<u64>,
    /// Replications (runs) per design point [default: tornado 1000, morris 200, sobol 100]
    #[arg(long, value_name = "R", value_parser = parse_count)]
    pub reps: Option<u64>,
    /// Start even if it is estimated to take more than a day
    #[arg(long)]
    pub yes: bool,
    /// Run only shard i of n (0-based) of the design's groups of points and
    /// write a shard file for `merge`
    #[arg(long, value_name = "i/n", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub set: SetArgs,
    /// Random seed (overrides the file)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Folder the files go into [default: output/sensitivity-<file stem>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar, no summary line
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The condition: an outcome, `>=` or `<=`, a number, e.g.
    /// "trusted_procurement SRB at 2030-12 >= 0.8"; a 0/1 outcome alone
    /// ("class SRB cautious at 2035-12") means it happens
    #[arg(long, value_name = "CONDITION")]
    pub when: String,
    /// The share of a box's runs one peel removes
    #[arg(long, default_value = "0.05")]
    pub alpha: f64,
    #[command(flatten)]
    pub run: OneScenarioArgs,
}

#[derive(Debug, Args)]
pub struct StoryArgs {
    /// The scenario file (TOML)
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The run to tell (0-based, as in runs.csv and `discover`)
    #[arg(long = "run", value_name = "N", value_parser = parse_count)]
    pub run_index: u64,
    #[command(flatten)]
    pub run: OneScenarioArgs,
}

/// What `discover` and `story` take besides their own flags.
#[derive(Debug, Args)]
pub struct OneScenarioArgs {
    #[command(flatten)]
    pub set: SetArgs,
    /// Number of runs (overrides the file); accepts 100000, 100_000 or 1e5
    #[arg(long, value_parser = parse_count)]
    pub runs: Option<u64>,
    /// Random seed (overrides the file)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Folder the files go into [default: output/discover-<file stem>/ or output/story-<file stem>-<N>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar, no summary line
    #[arg(long, short)]
    pub quiet: bool,
}

/// Overrides of scenario values, taken by every command that reads a scenario.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// Change one value of the scenario (repeatable), as the file would
    /// write it at that key path: parameters.NAME (or NAME), polity.ID.KEY,
    /// operator.ID.KEY, shock.ID.KEY, scenario.KEY; e.g.
    /// --set shock.srb-government-change.probability=0.8
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// What every simulating command takes.
#[derive(Debug, Args)]
pub struct SimArgs {
    #[command(flatten)]
    pub set: SetArgs,
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
    /// Start even if the run is estimated to take more than a day
    #[arg(long)]
    pub yes: bool,
    /// Which series to record and chart: all (the default), countries
    /// (country and polity series, no operator's own), or metrics and levels,
    /// e.g. alignment,trusted_share,country (overrides the file's `series`)
    #[arg(long, value_name = "WHICH")]
    pub series: Option<String>,
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

/// A standard error to reach: a finite number above 0.
pub fn parse_precision(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!(
            "`{s}` is not a precision: expected a standard error above 0, e.g. 0.005 (half a percentage point on a probability)"
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
