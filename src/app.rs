//! What each command does, from parsed flags to files and exit codes.

/// `println!`, `print!` and `eprintln!` that ignore a closed pipe: the std
/// macros panic when a write fails, so `simulate explain F | head -1` (or a
/// run whose stderr reader went away) ended in exit 101 and a backtrace.
/// What a command prints is a courtesy to the reader; a reader that left
/// must not change what the command does or how it exits.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        let _ = write!(o, $($t)*);
        let _ = o.flush();
    }};
}
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

pub mod calibrate;
pub mod calibrate_shard;
pub mod discover;
pub mod guard;
pub mod plan;
pub mod sensitivity;
pub mod sensitivity_shard;
pub mod shard_set;
pub mod story;
pub mod sweep;
pub mod sweep_shard;
pub mod uncertain;
pub mod workshop;

use crate::cli::Cli;
use crate::engine::shard::{ShardFile, ShardSet};
use crate::engine::{self, Summary};
use crate::error::Result;
use crate::model::World;
use crate::report::{self, File, RunInfo};
use clap::{CommandFactory, Parser};
use plan::{Plan, Task};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Is `word` one of the CLI's subcommands (or `help`)? Read from the clap
/// definitions, so a new command can never be taken for a scenario file.
fn is_subcommand(word: &str) -> bool {
    word == "help"
        || Cli::command()
            .get_subcommands()
            .any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
}

/// Parse the process arguments, run, and return the exit code.
pub fn main() -> i32 {
    // Ctrl-C stops the runs at the next chunk; outputs are written only
    // after all runs, atomically, so nothing half-written is left.
    let _ = ctrlc::set_handler(|| engine::STOP.store(true, std::sync::atomic::Ordering::Relaxed));
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `simulate FILE` is short for `simulate run FILE`.
    if let Some(first) = args.get(1).and_then(|a| a.to_str())
        && !first.starts_with('-')
        && !is_subcommand(first)
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
            errln!("{e}");
            e.exit_code()
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let plan = Plan::from_cli(cli)?;
    match &plan.task {
        Task::Run => run(&plan),
        Task::Compare => compare(&plan),
        Task::Merge(shards) => merge(&plan, shards),
        Task::CalibrateMerge(shards) => calibrate_shard::merge_command(&plan, shards),
        Task::SweepMerge(shards) => sweep_shard::merge_command(&plan, shards),
        Task::SensitivityMerge(shards) => sensitivity_shard::merge_command(&plan, shards),
        Task::Sweep(task) => sweep_command(&plan, task),
        Task::Discover { when, alpha } => discover_command(&plan, when, *alpha),
        Task::Story { run } => story_command(&plan, *run),
        Task::Sensitivity(task) => sensitivity_command(&plan, task),
        Task::Calibrate(task) => calibrate_command(&plan, task),
        Task::Check => check(&plan),
        Task::Explain => {
            out!("{}", report::explain(&plan.scenarios[0]));
            // A file without [[lever]]: the levers its workshop page would offer.
            if plan.scenarios[0].levers.is_empty() {
                let found =
                    workshop::defaults::levers(&plan.files[0], &plan.scenarios[0], plan.threads)?;
                out!("{}", workshop::defaults::explain(&found));
            }
            Ok(())
        }
        Task::Workshop(task) => workshop::serve(
            &plan.files[0],
            &workshop::Options {
                port: task.port,
                listen: task.listen,
                runs: task.runs,
                open: task.open,
                threads: plan.threads,
                set: task.set.clone(),
            },
        ),
    }
}

/// The inputs a run's files state (no thread count: nothing written may depend on it).
fn info(plan: &Plan) -> RunInfo {
    RunInfo {
        runs: plan.runs,
        seed: plan.seed,
        precision: None,
    }
}

fn run(plan: &Plan) -> Result<()> {
    let world = World::new(plan.scenarios[0].clone());
    let opts = plan.run_options();
    let started = Instant::now();
    let mut info = info(plan);
    let summary = match plan.precision {
        Some(eps) => {
            let (summary, report) = engine::simulate_to_precision(&world, &opts, eps)?;
            info.runs = report.runs;
            info.precision = Some(report);
            summary
        }
        None => engine::simulate(&world, &opts)?,
    };
    let elapsed = started.elapsed();
    if let Some(shard) = plan.shard {
        let sc = &world.scenario;
        let toml = report::resolved_toml(sc, plan.runs, plan.seed);
        let file = ShardFile::new(shard, &opts, &plan.stem, sc, toml, &summary);
        let path = plan.out.join(shard.file_name());
        report::write_atomic(&path, file.to_json().as_bytes())?;
        if !plan.quiet {
            let (range, n) = (shard.range(plan.runs), shard.count());
            errln!(
                "{}: shard {}/{n} (runs {}..{}) in {:.2} s -> {}\n  merge all {n} shards with `simulate merge {}/shard-*-of-{n}.json`",
                sc.name,
                shard.index(),
                range.start,
                range.end,
                elapsed.as_secs_f64(),
                path.display(),
                plan.out.display()
            );
        }
        return Ok(());
    }
    let mut files = report::render_run(&world, &summary, &info)?;
    if let Some(focus) = &plan.focus {
        files.push(report::presenter::run_page(&world, &summary, &info, focus)?);
    }
    let rendered = started.elapsed() - elapsed;
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        if let Some(p) = info.precision {
            errln!(
                "{}",
                if p.reached {
                    format!("precision {} reached after {} runs", p.eps, p.runs)
                } else {
                    format!(
                        "precision {} NOT reached: stopped at the cap of {} runs (raise --runs)",
                        p.eps, p.runs
                    )
                }
            );
        }
        errln!(
            "{}: {} runs in {:.2} s ({} threads, seed {}), report in {:.2} s\n  -> {}",
            world.scenario.name,
            info.runs,
            elapsed.as_secs_f64(),
            plan.threads,
            plan.seed,
            rendered.as_secs_f64(),
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

fn compare(plan: &Plan) -> Result<()> {
    let worlds: Vec<World> = plan.scenarios.iter().cloned().map(World::new).collect();
    let refs: Vec<&World> = worlds.iter().collect();
    let started = Instant::now();
    let (summaries, differences) = engine::simulate_paired(&refs, &plan.run_options())?;
    let elapsed = started.elapsed();
    let mut files = report::render_compare(&refs, &summaries, &differences, &info(plan))?;
    if let Some(focus) = &plan.focus {
        files.push(report::presenter::compare_page(
            &refs,
            &summaries,
            &differences,
            &info(plan),
            focus,
        )?);
    }
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        errln!(
            "compared {} scenarios on {} paired runs in {:.2} s ({} threads, seed {})\n  -> {}",
            refs.len(),
            plan.runs,
            elapsed.as_secs_f64(),
            plan.threads,
            plan.seed,
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

fn sweep_command(plan: &Plan, task: &plan::SweepTask) -> Result<()> {
    let started = Instant::now();
    let p = sweep::SweepPlan {
        file: &plan.files[0],
        set: &task.settings,
        vary: &task.vary,
        outcomes: &task.outcomes,
        reps: plan.runs,
        seed: Some(plan.seed),
        threads: plan.threads,
        progress: plan.progress,
        yes: task.yes,
        precision: task.precision,
        shard: task.shard,
    };
    if let Some(shard) = task.shard {
        return sweep_shard::shard_command(plan, &p, shard);
    }
    let run = sweep::run_sweep(&p)?;
    let elapsed = started.elapsed();
    let files = sweep::files(&run)?;
    let reps = run.result.points[0].runs();
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        let points = run.result.points.len();
        errln!(
            "{}: {points} points × {reps} runs = {} runs in {:.2} s ({} threads, seed {}){}\n  -> {}",
            run.world.scenario.name,
            points as u64 * reps,
            elapsed.as_secs_f64(),
            plan.threads,
            plan.seed,
            match run.precision {
                Some(p) if p.reached => format!("; precision {} reached", p.eps),
                Some(p) => format!(
                    "; precision {} NOT reached at the cap (raise --reps)",
                    p.eps
                ),
                None => String::new(),
            },
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

fn calibrate_command(plan: &Plan, task: &plan::CalibrateTask) -> Result<()> {
    let started = Instant::now();
    let cp = calibrate::CalibratePlan {
        file: &plan.files[0],
        set: &task.settings,
        targets: &task.targets,
        params: &task.params,
        draws: task.draws,
        reps: plan.runs,
        waves: task.waves,
        cutoff: task.cutoff,
        seed: Some(plan.seed),
        threads: plan.threads,
        progress: plan.progress,
        yes: task.yes,
    };
    if let Some((wave, shard)) = task.shard {
        return calibrate_shard::shard_command(plan, &cp, wave, shard);
    }
    let run = calibrate::run_calibration(&cp)?;
    let elapsed = started.elapsed();
    for w in &run.warnings {
        errln!("warning: {w}");
    }
    let files = calibrate::files(&run, &plan.out)?;
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        let waves: Vec<String> = run
            .waves
            .iter()
            .map(|w| format!("wave {}: {} of {} kept", w.wave, w.kept, w.draws))
            .collect();
        errln!(
            "{}: {} parameters, {} targets; {} ({} runs per draw) in {:.2} s ({} threads, seed {})\n  -> {}",
            run.world.scenario.name,
            run.priors.len(),
            run.targets.targets.len(),
            waves.join(", "),
            run.reps,
            elapsed.as_secs_f64(),
            plan.threads,
            run.seed,
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

fn sensitivity_command(plan: &Plan, task: &plan::SensitivityTask) -> Result<()> {
    let started = Instant::now();
    let p = sensitivity::SensitivityPlan {
        file: &plan.files[0],
        set: &task.settings,
        method: task.method,
        outcome: task.outcome.as_deref(),
        inputs: &task.inputs,
        samples: task.samples,
        reps: plan.runs,
        seed: Some(plan.seed),
        threads: plan.threads,
        progress: plan.progress,
        yes: task.yes,
        shard: task.shard,
    };
    if let Some(shard) = task.shard {
        return sensitivity_shard::shard_command(plan, &p, shard);
    }
    let run = sensitivity::run_sensitivity(&p)?;
    let elapsed = started.elapsed();
    let files = sensitivity::files(&run)?;
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        errln!(
            "{}: {} of {} inputs, {} runs in {:.2} s ({} threads, seed {})\n  -> {}",
            run.world.scenario.name,
            run.method.name(),
            run.inputs.len(),
            run.runs,
            elapsed.as_secs_f64(),
            plan.threads,
            plan.seed,
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

fn discover_command(plan: &Plan, when: &str, alpha: f64) -> Result<()> {
    let world = World::new(plan.scenarios[0].clone());
    let started = Instant::now();
    let found = discover::discover(&discover::DiscoverPlan {
        world: &world,
        when,
        runs: plan.runs,
        seed: plan.seed,
        threads: plan.threads,
        progress: plan.progress,
        alpha,
    })?;
    let elapsed = started.elapsed();
    let view = discover::view(&world, &found, plan.runs, plan.seed, alpha, &plan.files[0]);
    let files = report::discover::render_discover(&view)?;
    report::write_all(&plan.out, &files)?;
    // A closed stdout (`| head`) is no reason to fail: the files are written.
    let mut stdout = std::io::stdout().lock();
    for s in view.sentences() {
        let _ = writeln!(stdout, "{s}");
    }
    if !plan.quiet {
        errln!(
            "{}: {} runs peeled and as many to check the box on, in {:.2} s ({} threads, seed {}), {} boxes peeled\n  -> {}",
            world.scenario.name,
            plan.runs,
            elapsed.as_secs_f64(),
            plan.threads,
            plan.seed,
            found.trajectory.boxes.len(),
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

fn story_command(plan: &Plan, run: u64) -> Result<()> {
    let world = World::new(plan.scenarios[0].clone());
    let started = Instant::now();
    let told = story::tell(&world, run, &plan.run_options())?;
    report::write_all(&plan.out, &told.files)?;
    let _ = write!(std::io::stdout().lock(), "{}", told.markdown);
    if !plan.quiet {
        errln!(
            "{}: run {run} told, bands from {} runs in {:.2} s\n  -> {}",
            world.scenario.name,
            plan.runs,
            started.elapsed().as_secs_f64(),
            describe_outputs(&plan.out, &told.files)
        );
    }
    Ok(())
}

fn merge(plan: &Plan, shards: &ShardSet) -> Result<()> {
    let summary: Summary = shards.merge()?;
    let world = World::new(plan.scenarios[0].clone());
    let files = report::render_run(&world, &summary, &info(plan))?;
    report::write_all(&plan.out, &files)?;
    if !plan.quiet {
        errln!(
            "{}: merged {} shards, {} runs (seed {})\n  -> {}",
            world.scenario.name,
            shards.len(),
            plan.runs,
            plan.seed,
            describe_outputs(&plan.out, &files)
        );
    }
    Ok(())
}

/// "output/x/index.html (open in a browser), summary.csv, …, 18 charts"
fn describe_outputs(dir: &Path, files: &[File]) -> String {
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

/// "1 shock", "2 shocks".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn check(plan: &Plan) -> Result<()> {
    for (f, sc) in plan.files.iter().zip(&plan.scenarios) {
        outln!(
            "ok: {} — \"{}\": {}, {}, {}, {}..{} every {} months, {} runs, seed {}",
            f.display(),
            sc.name,
            count(sc.polities.len(), "polity", "polities"),
            count(sc.operators.len(), "operator", "operators"),
            count(sc.shocks.len(), "shock", "shocks"),
            sc.grid.start,
            sc.grid.end,
            sc.grid.step_months,
            sc.runs,
            sc.seed
        );
        for line in report::timeline(sc) {
            outln!("    {line}");
        }
        for note in &sc.notes {
            outln!("    note: {note}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clap_subcommand_is_known_and_a_file_is_not() {
        for name in ["run", "compare", "merge", "check", "explain", "help"] {
            assert!(is_subcommand(name), "{name}");
        }
        for c in Cli::command().get_subcommands() {
            assert!(is_subcommand(c.get_name()));
        }
        assert!(!is_subcommand("scenarios/serbia-5g.toml"));
        assert!(!is_subcommand("serbia-5g"));
    }
}
