//! What each command does, from parsed flags to files and exit codes.

use crate::cli::{Cli, Command, CompareArgs, RunArgs, SimArgs};
use crate::engine::{self, RunOptions};
use crate::error::{Error, Result};
use crate::model::World;
use crate::report::{self, RunInfo};
use crate::scenario::{self, Scenario};
use clap::Parser;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Kept runs are held in memory until the end (about 1 kB each).
const MAX_KEPT_RUNS: u64 = 100_000;

const SUBCOMMANDS: &[&str] = &["run", "compare", "merge", "check", "explain", "help"];

/// Parse the process arguments, run, and return the exit code.
pub fn main() -> i32 {
    // Ctrl-C stops the runs at the next chunk; outputs are written only
    // after all runs, atomically, so nothing half-written is left.
    let _ = ctrlc::set_handler(|| engine::STOP.store(true, std::sync::atomic::Ordering::Relaxed));
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `simulate FILE` is short for `simulate run FILE`.
    if let Some(first) = args.get(1).and_then(|a| a.to_str())
        && !first.starts_with('-')
        && !SUBCOMMANDS.contains(&first)
    {
        args.insert(1, "run".into());
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare(&args),
        Command::Merge { shards, out, quiet } => merge(&shards, out, quiet),
        Command::Check { files } => check(&files),
        Command::Explain { file } => {
            let sc = load(&file)?;
            print!("{}", report::explain(&sc));
            Ok(())
        }
    }
}

fn load(path: &Path) -> Result<Scenario> {
    let sc = scenario::load(path)?;
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    Ok(sc)
}

/// `output/<file stem>/` unless `--out` says otherwise.
pub fn default_out_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    Path::new("output").join(stem)
}

fn run(args: &RunArgs) -> Result<()> {
    let mut sc = load(&args.scenario)?;
    if let Some(runs) = args.sim.runs {
        if runs == 0 {
            return Err(Error::usage("--runs must be at least 1"));
        }
        sc.runs = runs;
    }
    if let Some(seed) = args.sim.seed {
        sc.seed = seed;
    }
    if args.keep_runs > MAX_KEPT_RUNS {
        return Err(Error::usage(format!(
            "--keep-runs {} is more than {MAX_KEPT_RUNS}: kept runs are held in memory; use several seeds or shards for more",
            args.keep_runs
        )));
    }
    let threads = threads_of(&args.sim);
    let out_dir = args
        .sim
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.scenario));
    let (runs, seed) = (sc.runs, sc.seed);
    let stem = args
        .scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    let world = World::new(sc);
    let run_range = args
        .shard
        .map(|(i, n)| report::shard::shard_range(runs, i, n));
    let started = Instant::now();
    let summary = engine::simulate(
        &world,
        &RunOptions {
            runs,
            seed,
            threads: Some(threads),
            progress: !args.sim.quiet && std::io::stderr().is_terminal(),
            keep_runs: args.keep_runs.min(runs),
            run_range: run_range.clone(),
        },
    )?;
    let elapsed = started.elapsed();
    if let (Some((i, n)), Some(range)) = (args.shard, run_range) {
        let sc = &world.scenario;
        let file = report::shard::ShardFile {
            format: report::shard::FORMAT.into(),
            dsrsim_version: env!("CARGO_PKG_VERSION").into(),
            shard: (i, n),
            run_range: (range.start, range.end),
            runs,
            seed,
            keep_runs: args.keep_runs.min(runs),
            stem: stem.clone(),
            scenario_toml: report::resolved_toml(sc, runs, seed),
            files: sc
                .files
                .iter()
                .map(|f| (f.path.display().to_string(), f.hash.clone()))
                .collect(),
            warnings: sc.warnings.clone(),
            aggregate: summary.aggregate.to_parts(),
            kept: summary
                .kept
                .iter()
                .map(|k| (k.run, k.inputs.clone(), k.horizon.clone()))
                .collect(),
        };
        let path = out_dir.join(format!("shard-{i}-of-{n}.json"));
        report::write_atomic(&path, report::shard::shard_json(&file).as_bytes())?;
        if !args.sim.quiet {
            eprintln!(
                "{}: shard {i}/{n} (runs {}..{}) in {:.2} s -> {}\n  merge all {n} shards with `simulate merge {}/shard-*-of-{n}.json`",
                world.scenario.name,
                range.start,
                range.end,
                elapsed.as_secs_f64(),
                path.display(),
                out_dir.display()
            );
        }
        return Ok(());
    }
    let files = report::render_run(&world, &summary, &RunInfo { runs, seed })?;
    let rendered = started.elapsed() - elapsed;
    report::write_all(&out_dir, &files)?;
    if !args.sim.quiet {
        eprintln!(
            "{}: {runs} runs in {:.2} s ({threads} threads, seed {seed}), report in {:.2} s\n  -> {}",
            world.scenario.name,
            elapsed.as_secs_f64(),
            rendered.as_secs_f64(),
            describe_outputs(&out_dir, &files)
        );
    }
    Ok(())
}

fn compare(args: &CompareArgs) -> Result<()> {
    let mut scenarios = Vec::new();
    for path in &args.scenarios {
        scenarios.push(load(path)?);
    }
    let runs = args.sim.runs.unwrap_or(scenarios[0].runs);
    if runs == 0 {
        return Err(Error::usage("--runs must be at least 1"));
    }
    let seed = args.sim.seed.unwrap_or(scenarios[0].seed);
    let threads = threads_of(&args.sim);
    let worlds: Vec<World> = scenarios
        .into_iter()
        .map(|mut sc| {
            sc.runs = runs;
            sc.seed = seed;
            World::new(sc)
        })
        .collect();
    let refs: Vec<&World> = worlds.iter().collect();
    let out_dir = args.sim.out.clone().unwrap_or_else(|| {
        let stems: Vec<String> = refs.iter().map(|w| report::compare::stem(w)).collect();
        Path::new("output").join(format!("compare-{}", stems.join("-vs-")))
    });
    let started = Instant::now();
    let (summaries, differences) = engine::simulate_paired(
        &refs,
        &RunOptions {
            runs,
            seed,
            threads: Some(threads),
            progress: !args.sim.quiet && std::io::stderr().is_terminal(),
            keep_runs: 0,
            run_range: None,
        },
    )?;
    let elapsed = started.elapsed();
    let info = RunInfo { runs, seed };
    let files = report::compare::render_compare(&refs, &summaries, &differences, &info)?;
    report::write_all(&out_dir, &files)?;
    if !args.sim.quiet {
        eprintln!(
            "compared {} scenarios on {runs} paired runs in {:.2} s ({threads} threads, seed {seed})\n  -> {}",
            refs.len(),
            elapsed.as_secs_f64(),
            describe_outputs(&out_dir, &files)
        );
    }
    Ok(())
}

fn merge(shards: &[PathBuf], out: Option<PathBuf>, quiet: bool) -> Result<()> {
    let merged = report::shard::merge(shards)?;
    let out_dir = out.unwrap_or_else(|| Path::new("output").join(&merged.stem));
    let (runs, seed) = (merged.runs, merged.seed);
    let world = World::new(merged.scenario);
    let summary = engine::Summary {
        seed,
        aggregate: merged.aggregate,
        kept: merged.kept,
    };
    let files = report::render_run(&world, &summary, &RunInfo { runs, seed })?;
    report::write_all(&out_dir, &files)?;
    if !quiet {
        eprintln!(
            "{}: merged {} shards, {runs} runs (seed {seed})\n  -> {}",
            world.scenario.name,
            shards.len(),
            describe_outputs(&out_dir, &files)
        );
    }
    Ok(())
}

fn threads_of(sim: &SimArgs) -> usize {
    sim.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    )
}

/// "output/x/index.html (open in a browser), summary.csv, …, 18 charts"
fn describe_outputs(dir: &Path, files: &[(String, Vec<u8>)]) -> String {
    let charts = files
        .iter()
        .filter(|(n, _)| n.starts_with("charts/") && n.ends_with(".png"))
        .count();
    let others: Vec<&str> = files
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !n.starts_with("charts/") && *n != "index.html" && !n.contains('/'))
        .collect();
    format!(
        "{} (open in a browser); also {}, and {charts} charts (PNG and SVG) in charts/",
        dir.join("index.html").display(),
        others.join(", ")
    )
}

fn check(files: &[PathBuf]) -> Result<()> {
    for f in files {
        let sc = load(f)?;
        println!(
            "ok: {} — \"{}\": {} polities, {} operators, {} shocks, {}..{} every {} months, {} runs, seed {}",
            f.display(),
            sc.name,
            sc.polities.len(),
            sc.operators.len(),
            sc.shocks.len(),
            sc.grid.start,
            sc.grid.end,
            sc.grid.step_months,
            sc.runs,
            sc.seed
        );
        for line in report::timeline(&sc) {
            println!("    {line}");
        }
    }
    Ok(())
}
