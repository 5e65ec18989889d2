//! The resolved plan: the command line and the files it names, settled once
//! (as ripgrep settles its low-level flags into `HiArgs`) into what every
//! command reads. Defaults of flags, their checks and the scenario as it
//! will run are decided here and nowhere else, so a new command or a new
//! override (`--set`) reads and changes one thing.

use crate::cli::{Cli, Command, SetArgs, SimArgs};
use crate::engine::RunOptions;
use crate::engine::shard::{Shard, ShardSet};
use crate::error::{Error, Result};
use crate::scenario::{Base, Scenario, Setting};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Kept runs are held in memory until the end (about 1 kB each).
pub const MAX_KEPT_RUNS: u64 = 100_000;

/// What the command is to do with the plan.
#[derive(Debug)]
pub enum Task {
    /// A grid over one or two key paths (the scenario is `scenarios[0]`).
    Sweep(SweepTask),
    /// Which inputs drive an outcome (the scenario is `scenarios[0]`).
    Sensitivity(SensitivityTask),
    /// History matching against a targets file (the scenario is `scenarios[0]`).
    Calibrate(CalibrateTask),
    Run,
    Compare,
    /// Merge these shards (already read and checked to belong together).
    Merge(ShardSet),
    /// Merge these shards of one calibration wave (read and checked).
    CalibrateMerge(super::calibrate_shard::WaveShards),
    /// Merge these shards of one sweep (read and checked).
    SweepMerge(super::sweep_shard::SweepShards),
    /// Merge these shards of one sensitivity analysis (read and checked).
    SensitivityMerge(super::sensitivity_shard::SensitivityShards),
    Check,
    Explain,
    /// Serve the workshop page of `files[0]`.
    Workshop(WorkshopTask),
    /// PRIM over every run's inputs for a condition (`--when`).
    Discover {
        when: String,
        alpha: f64,
    },
    /// Tell one run.
    Story {
        run: u64,
    },
}

/// Where and how the workshop page is served.
#[derive(Debug)]
pub struct WorkshopTask {
    pub port: Option<u16>,
    pub listen: Option<std::net::IpAddr>,
    pub runs: Option<u64>,
    pub open: bool,
    /// `--set`: the page starts from the file with these laid over it.
    pub set: Vec<Setting>,
}

/// What a sweep varies and records, beyond the plan's runs (replications
/// per point), seed and threads.
#[derive(Debug)]
pub struct SweepTask {
    pub vary: Vec<String>,
    pub outcomes: Vec<String>,
    /// Run more points than `sweep::MAX_POINTS`.
    pub yes: bool,
    pub precision: Option<f64>,
    /// Run only this shard of every point's replications (`merge` joins them).
    pub shard: Option<Shard>,
    /// `--set`, applied under every point's own values.
    pub settings: Vec<Setting>,
}

/// What a calibration reads and how far it goes, beyond the plan's runs
/// (replications per draw), seed and threads.
#[derive(Debug)]
pub struct CalibrateTask {
    pub targets: PathBuf,
    pub params: Vec<String>,
    pub draws: usize,
    pub waves: usize,
    pub cutoff: f64,
    pub yes: bool,
    pub settings: Vec<Setting>,
    /// Run only this wave's shard (`--wave K --shard i/n`).
    pub shard: Option<(usize, Shard)>,
}

/// What a sensitivity analysis explores, beyond the plan's runs
/// (replications per point), seed and threads.
#[derive(Debug)]
pub struct SensitivityTask {
    pub method: super::sensitivity::Method,
    pub outcome: Option<String>,
    pub inputs: Vec<String>,
    pub samples: Option<u64>,
    pub yes: bool,
    /// Run only this shard of the design's groups (`merge` joins them).
    pub shard: Option<Shard>,
    /// `--set`, applied under every point's own values.
    pub settings: Vec<Setting>,
}

/// The flags the design-running commands share (see `Plan::designing`).
struct DesignFlags {
    file: PathBuf,
    set: SetArgs,
    seed: Option<u64>,
    threads: Option<u16>,
    out: Option<PathBuf>,
    quiet: bool,
}

#[derive(Debug)]
pub struct Plan {
    pub task: Task,
    /// The files named on the command line (scenarios, or shards for merge).
    pub files: Vec<PathBuf>,
    /// The scenarios as they will run: each file loaded, `extends`
    /// resolved, the flags applied (`runs`, `seed`). For merge, the scenario
    /// the shards ran. For check, each file as written.
    pub scenarios: Vec<Scenario>,
    /// Runs and seed of every simulated scenario (compare runs all of them
    /// on the first one's, so that run i is paired).
    pub runs: u64,
    pub seed: u64,
    /// Worker threads; nothing written depends on it.
    pub threads: usize,
    /// The folder the files go into.
    pub out: PathBuf,
    /// The name the outputs are known by: the scenario's file stem,
    /// `compare-<a>-vs-<b>`, or the stem the shards recorded.
    pub stem: String,
    /// Run only this shard and write a shard file.
    pub shard: Option<Shard>,
    /// Keep the inputs and horizon values of runs 0..keep_runs (at most `runs`).
    pub keep_runs: u64,
    /// Run until every headline outcome's standard error is at most this.
    pub precision: Option<f64>,
    /// No summary line.
    pub quiet: bool,
    /// Show the progress bar: not quiet, and stderr is a terminal.
    pub progress: bool,
    /// The country (its id) of a presenter view (`--focus`).
    pub focus: Option<String>,
}

impl Plan {
    pub fn from_cli(cli: Cli) -> Result<Plan> {
        match cli.command {
            Command::Run(args) => {
                let stem = file_stem(&args.scenario);
                let mut plan =
                    Plan::simulating(Task::Run, vec![args.scenario], stem, &args.sim, &[])?;
                if args.keep_runs > MAX_KEPT_RUNS {
                    return Err(Error::usage(format!(
                        "--keep-runs {} is more than {MAX_KEPT_RUNS}: kept runs are held in memory; use several seeds or shards for more",
                        args.keep_runs
                    )));
                }
                plan.keep_runs = args.keep_runs.min(plan.runs);
                plan.shard = args.shard;
                if args.precision.is_some() && args.shard.is_some() {
                    return Err(Error::usage(
                        "--precision and --shard cannot go together: the stopping point needs every run in index order; run shards with a fixed --runs",
                    ));
                }
                plan.precision = args.precision;
                super::guard::settle(&mut plan, &args.sim)?;
                Ok(plan)
            }
            Command::Compare(args) => {
                let stems: Vec<String> = args.scenarios.iter().map(|p| file_stem(p)).collect();
                let stem = format!("compare-{}", stems.join("-vs-"));
                let set_b = settings(&args.set_b, "--set-b")?;
                let mut plan =
                    Plan::simulating(Task::Compare, args.scenarios, stem, &args.sim, &set_b)?;
                super::guard::settle(&mut plan, &args.sim)?;
                Ok(plan)
            }
            Command::Merge { shards, out, quiet } => {
                let format = shards.first().and_then(|f| super::shard_set::format_of(f));
                let format = format.as_deref().unwrap_or_default();
                // A design's shards (calibrate, sensitivity, sweep) carry
                // their own setup; the merge reads the rest again.
                let design = |stem: &str, task: Task| Plan {
                    out: out.clone().unwrap_or_else(|| default_out(stem)),
                    stem: stem.to_string(),
                    quiet,
                    files: shards.clone(),
                    task,
                    ..Plan::idle()
                };
                if format.starts_with("dsrsim-calibrate-") {
                    let set = super::calibrate_shard::WaveShards::read(&shards)?;
                    let stem = set.stem().to_string();
                    return Ok(design(&stem, Task::CalibrateMerge(set)));
                }
                if format.starts_with("dsrsim-sensitivity-") {
                    let set = super::sensitivity_shard::SensitivityShards::read(&shards)?;
                    let stem = set.stem().to_string();
                    return Ok(design(&stem, Task::SensitivityMerge(set)));
                }
                if format.starts_with("dsrsim-sweep-") {
                    let set = super::sweep_shard::SweepShards::read(&shards)?;
                    let stem = set.stem().to_string();
                    return Ok(design(&stem, Task::SweepMerge(set)));
                }
                let set = ShardSet::read(&shards)?;
                let scenario = set.scenario()?;
                let stem = set.stem().to_string();
                Ok(Plan {
                    runs: set.runs(),
                    seed: set.seed(),
                    keep_runs: set.keep_runs(),
                    out: out.unwrap_or_else(|| default_out(&stem)),
                    stem,
                    quiet,
                    scenarios: vec![scenario],
                    files: shards,
                    task: Task::Merge(set),
                    ..Plan::idle()
                })
            }
            Command::Sweep(args) => {
                if args.reps == 0 {
                    return Err(Error::usage("--reps must be at least 1"));
                }
                let flags = DesignFlags {
                    file: args.scenario,
                    set: args.set,
                    seed: args.seed,
                    threads: args.threads,
                    out: args.out,
                    quiet: args.quiet,
                };
                // Replications are what workers share out, as runs are for `run`.
                Plan::designing("sweep", flags, args.reps, args.reps, |settings| {
                    Task::Sweep(SweepTask {
                        vary: args.vary,
                        outcomes: args.outcome,
                        yes: args.yes,
                        precision: args.precision,
                        shard: args.shard,
                        settings,
                    })
                })
            }
            Command::Calibrate(args) => {
                let shard = match (args.wave, args.shard) {
                    (Some(0), _) => return Err(Error::usage("--wave counts from 1")),
                    (Some(k), Some(s)) => Some((usize::try_from(k).unwrap_or(usize::MAX), s)),
                    _ => None,
                };
                let flags = DesignFlags {
                    file: args.scenario,
                    set: args.set,
                    seed: args.seed,
                    threads: args.threads,
                    out: args.out,
                    quiet: args.quiet,
                };
                // Draws are what workers share out.
                Plan::designing("calibrate", flags, args.reps, u64::MAX, |settings| {
                    Task::Calibrate(CalibrateTask {
                        targets: args.targets,
                        params: args.params,
                        draws: usize::try_from(args.draws).unwrap_or(usize::MAX),
                        waves: usize::try_from(args.waves).unwrap_or(usize::MAX),
                        cutoff: args.cutoff,
                        yes: args.yes,
                        settings,
                        shard,
                    })
                })
            }
            Command::Sensitivity(args) => {
                use super::sensitivity::Method;
                let method = match args.method {
                    crate::cli::SensitivityMethod::Tornado => Method::Tornado,
                    crate::cli::SensitivityMethod::Morris => Method::Morris,
                    crate::cli::SensitivityMethod::Sobol => Method::Sobol,
                };
                let reps = args.reps.unwrap_or(method.default_reps());
                if reps == 0 {
                    return Err(Error::usage("--reps must be at least 1"));
                }
                let flags = DesignFlags {
                    file: args.scenario,
                    set: args.set,
                    seed: args.seed,
                    threads: args.threads,
                    out: args.out,
                    quiet: args.quiet,
                };
                // Groups of points are what workers share out here; the
                // cap on runs still applies to the whole design.
                let work = reps.saturating_mul(1000);
                Plan::designing("sensitivity", flags, reps, work, |settings| {
                    Task::Sensitivity(SensitivityTask {
                        method,
                        outcome: args.outcome,
                        inputs: args.input,
                        samples: args.samples,
                        yes: args.yes,
                        shard: args.shard,
                        settings,
                    })
                })
            }
            Command::Discover(args) => {
                let stem = format!("discover-{}", file_stem(&args.scenario));
                let task = Task::Discover {
                    when: args.when,
                    alpha: args.alpha,
                };
                Plan::one_scenario(task, args.scenario, stem, args.run)
            }
            Command::Story(args) => {
                let stem = format!("story-{}-{}", file_stem(&args.scenario), args.run_index);
                let task = Task::Story {
                    run: args.run_index,
                };
                Plan::one_scenario(task, args.scenario, stem, args.run)
            }
            Command::Check { files, set } => Plan::reading(Task::Check, files, &set),
            Command::Explain { file, set } => Plan::reading(Task::Explain, vec![file], &set),
            Command::Workshop(args) => {
                if args.runs == Some(0) {
                    return Err(Error::usage("--runs must be at least 1"));
                }
                let task = Task::Workshop(WorkshopTask {
                    port: args.port,
                    listen: args.listen,
                    runs: args.runs,
                    open: !args.no_open,
                    set: settings(&args.set.set, "--set")?,
                });
                Plan::reading(task, vec![args.scenario], &args.set)
            }
        }
    }

    /// What the simulation engine is to do.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            runs: self.runs,
            seed: self.seed,
            threads: Some(self.threads),
            progress: self.progress,
            keep_runs: self.keep_runs,
            run_range: self.shard.map(|s| s.range(self.runs)),
            cancel: None,
        }
    }

    /// Load the files and settle the flags every simulating command takes
    /// (a new one, such as `sweep`, flattens `SimArgs` and starts here).
    /// `set_b` applies to every scenario but the first, after `--set`.
    fn simulating(
        task: Task,
        files: Vec<PathBuf>,
        stem: String,
        sim: &SimArgs,
        set_b: &[Setting],
    ) -> Result<Plan> {
        let mut set = settings(&sim.set.set, "--set")?;
        if let Some(which) = &sim.series {
            // The same key a file or `--set scenario.series=` sets.
            set.push(Setting::parse(
                &format!("scenario.series={which}"),
                "--series",
            )?);
        }
        let mut with_b = set.clone();
        with_b.extend_from_slice(set_b);
        let mut scenarios = files
            .iter()
            .enumerate()
            .map(|(k, f)| load(f, if k == 0 { &set } else { &with_b }))
            .collect::<Result<Vec<_>>>()?;
        if !set_b.is_empty() {
            // B may come from A's own file: its name says what differs.
            for sc in &mut scenarios[1..] {
                sc.name = format!("{} ({})", sc.name, changes(set_b));
            }
        }
        let runs = sim.runs.unwrap_or(scenarios[0].runs);
        if runs == 0 {
            return Err(Error::usage("--runs must be at least 1"));
        }
        let seed = sim.seed.unwrap_or(scenarios[0].seed);
        let focus = sim
            .focus
            .as_deref()
            .map(|f| focus(f, &scenarios))
            .transpose()?;
        for sc in &mut scenarios {
            sc.runs = runs;
            sc.seed = seed;
        }
        Ok(Plan {
            task,
            runs,
            seed,
            threads: sim.threads.map_or_else(all_cores, usize::from),
            out: sim.out.clone().unwrap_or_else(|| default_out(&stem)),
            stem,
            quiet: sim.quiet,
            progress: !sim.quiet && std::io::stderr().is_terminal(),
            scenarios,
            files,
            focus,
            ..Plan::idle()
        })
    }

    /// `discover` and `story`: one scenario, the flags of a run without
    /// those that only `run` writes (shards, kept runs, presenter pages).
    fn one_scenario(
        task: Task,
        file: PathBuf,
        stem: String,
        a: crate::cli::OneScenarioArgs,
    ) -> Result<Plan> {
        let sim = SimArgs {
            set: a.set,
            runs: a.runs,
            seed: a.seed,
            threads: a.threads,
            out: a.out,
            quiet: a.quiet,
            yes: false,
            focus: None,
            series: None,
        };
        Plan::simulating(task, vec![file], stem, &sim, &[])
    }

    /// A command that runs a design on the experiment core (`sweep`,
    /// `sensitivity`, `calibrate`): one scenario with `--set` laid over it,
    /// `reps` runs per point, and threads capped by `work`, the units
    /// workers share out. The task gets the parsed settings, which every
    /// point applies under its own.
    fn designing(
        prefix: &str,
        flags: DesignFlags,
        reps: u64,
        work: u64,
        task: impl FnOnce(Vec<Setting>) -> Task,
    ) -> Result<Plan> {
        let stem = format!("{prefix}-{}", file_stem(&flags.file));
        let set = settings(&flags.set.set, "--set")?;
        let scenario = load(&flags.file, &set)?;
        let (threads, note) =
            super::guard::workers(flags.threads.map(usize::from), work, all_cores());
        if let Some(note) = note {
            errln!("note: {note}");
        }
        Ok(Plan {
            runs: reps,
            seed: flags.seed.unwrap_or(scenario.seed),
            threads,
            out: flags.out.unwrap_or_else(|| default_out(&stem)),
            stem,
            quiet: flags.quiet,
            progress: !flags.quiet && std::io::stderr().is_terminal(),
            scenarios: vec![scenario],
            files: vec![flags.file],
            task: task(set),
            ..Plan::idle()
        })
    }

    /// Check and explain simulate nothing: the scenarios as written, with
    /// any `--set` laid over them.
    fn reading(task: Task, files: Vec<PathBuf>, set: &SetArgs) -> Result<Plan> {
        let set = settings(&set.set, "--set")?;
        let scenarios = files
            .iter()
            .map(|f| load(f, &set))
            .collect::<Result<Vec<_>>>()?;
        let stem = file_stem(&files[0]);
        Ok(Plan {
            task,
            runs: scenarios[0].runs,
            seed: scenarios[0].seed,
            out: default_out(&stem),
            stem,
            scenarios,
            files,
            ..Plan::idle()
        })
    }

    /// The fields no command has set yet.
    fn idle() -> Plan {
        Plan {
            task: Task::Check,
            files: Vec::new(),
            scenarios: Vec::new(),
            runs: 0,
            seed: 0,
            threads: all_cores(),
            out: PathBuf::new(),
            stem: String::new(),
            shard: None,
            keep_runs: 0,
            precision: None,
            quiet: false,
            progress: false,
            focus: None,
        }
    }
}

/// Load a scenario file with the command line's overrides on top; its
/// warnings go to stderr as it loads. Every command's scenarios pass here,
/// so `--set` reaches run, compare, check and explain alike; the flags that
/// only simulating commands take (`--runs`, `--seed`) are applied after.
fn load(path: &Path, settings: &[Setting]) -> Result<Scenario> {
    let sc = Base::read(path)?.resolve(settings)?;
    // The file's outcomes name metrics, which are the model's to check.
    let sc = {
        let world = crate::model::World::new(sc);
        world.check_series()?;
        world.check_outcomes()?;
        world.scenario
    };
    for w in &sc.warnings {
        errln!("warning: {w}");
    }
    Ok(sc)
}

/// Every `KEY=VALUE` of one flag, parsed before any file is read.
fn settings(args: &[String], origin: &str) -> Result<Vec<Setting>> {
    args.iter().map(|a| Setting::parse(a, origin)).collect()
}

/// "shock.x.probability = 0.8, eu_conditionality = 1": what a set of
/// overrides changes, for a name.
fn changes(settings: &[Setting]) -> String {
    settings
        .iter()
        .map(|s| format!("{} = {}", s.key(), s.value()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The id of the country `--focus` names (its id in any case, or its
/// name), which every scenario must have.
fn focus(word: &str, scenarios: &[Scenario]) -> Result<String> {
    let sc = &scenarios[0];
    let countries: Vec<&crate::scenario::Polity> =
        sc.polities.iter().filter(|p| p.parent.is_none()).collect();
    let found = countries.iter().find(|p| {
        p.id.eq_ignore_ascii_case(word.trim()) || p.name.eq_ignore_ascii_case(word.trim())
    });
    let Some(found) = found else {
        let ids: Vec<&str> = countries.iter().map(|p| p.id.as_str()).collect();
        let hint = crate::error::did_you_mean(&word.to_uppercase(), ids.iter().copied())
            .map_or(String::new(), |d| format!(" ({d})"));
        return Err(Error::usage(format!(
            "--focus {word}: no such country in `{}`{hint}; the countries are {}",
            sc.name,
            ids.join(", ")
        )));
    };
    for other in &scenarios[1..] {
        if other.polity_index(&found.id).is_none() {
            return Err(Error::usage(format!(
                "--focus {word}: `{}` has no country {}",
                other.name, found.id
            )));
        }
    }
    Ok(found.id.clone())
}

fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// `output/<stem>/`, where outputs go unless `--out` says otherwise.
fn default_out(stem: &str) -> PathBuf {
    Path::new("output").join(stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn plan(args: &[&str]) -> Result<Plan> {
        let cli = Cli::try_parse_from(std::iter::once("simulate").chain(args.iter().copied()))
            .expect("the flags parse");
        Plan::from_cli(cli)
    }

    fn refused(args: &[&str]) -> String {
        let e = plan(args).expect_err("refused");
        assert_eq!(e.exit_code(), 2, "{e}");
        e.to_string()
    }

    #[test]
    fn a_run_takes_the_file_unless_flags_say_otherwise() {
        let p = plan(&["run", "scenarios/serbia-5g.toml"]).unwrap();
        assert_eq!(
            (p.runs, p.stem.as_str()),
            (p.scenarios[0].runs, "serbia-5g")
        );
        assert_eq!(p.out, Path::new("output/serbia-5g"));
        let p = plan(&[
            "run",
            "scenarios/serbia-5g.toml",
            "--runs",
            "1e3",
            "--seed",
            "9",
            "--keep-runs",
            "5000",
            "--shard",
            "1/4",
            "--out",
            "x",
        ])
        .unwrap();
        assert_eq!((p.runs, p.seed, p.keep_runs), (1000, 9, 1000));
        assert_eq!((p.scenarios[0].runs, p.scenarios[0].seed), (1000, 9));
        assert_eq!(p.out, Path::new("x"));
        assert_eq!(p.run_options().run_range, Some(250..500));
    }

    #[test]
    fn a_comparison_runs_every_scenario_on_the_first_ones_runs_and_seed() {
        let p = plan(&[
            "compare",
            "scenarios/serbia-5g.toml",
            "scenarios/baseline.toml",
        ])
        .unwrap();
        assert_eq!(p.out, Path::new("output/compare-serbia-5g-vs-baseline"));
        let first = (p.scenarios[0].runs, p.scenarios[0].seed);
        assert_eq!((p.runs, p.seed), first);
        assert_eq!((p.scenarios[1].runs, p.scenarios[1].seed), first);
        assert_eq!((p.keep_runs, p.shard), (0, None));
    }

    #[test]
    fn flags_out_of_range_are_bad_input() {
        let e = refused(&["run", "scenarios/baseline.toml", "--runs", "0"]);
        assert!(e.contains("--runs must be at least 1"), "{e}");
        let e = refused(&[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/baseline.toml",
            "--runs",
            "0",
        ]);
        assert!(e.contains("--runs must be at least 1"), "{e}");
        let e = refused(&["run", "scenarios/baseline.toml", "--keep-runs", "100001"]);
        assert!(e.contains("--keep-runs 100001 is more than 100000"), "{e}");
    }
}
