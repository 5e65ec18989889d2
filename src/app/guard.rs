//! Guards against flags that would waste the machine rather than answer
//! anything: more worker threads than can have work, and runs that would
//! take days. Both are settled on the plan before anything is simulated or
//! written, so a refusal costs nothing. Every simulating command calls
//! `settle` once its plan knows its shard (today `run` and `compare`, in
//! `plan.rs`). docs/RELIABILITY.md says why these limits.

use super::plan::Plan;
use crate::cli::SimArgs;
use crate::engine;
use crate::error::{Diagnostic, Result};
use crate::scenario::Scenario;

/// Workers past this many per core only take memory (each has its own
/// stack and tally, 5.4 MB for the baseline) and time slices from each
/// other; a few per core are allowed because the core count a process sees
/// can be lower than the CPUs it may use (a cgroup quota rounds down).
pub const WORKERS_PER_CORE: usize = 4;

/// One baseline run on one core: docs/PERFORMANCE.md's "throughput,
/// 1 thread" on the machine's present host (AMD EPYC, 2026-12-02: 170 µs
/// with model v2 and every series; the Intel host of 2026-11-28 did model
/// v1 in 51.5 µs). Keep in step with that table when the engine gets
/// faster; an estimate need only be right within a factor of two.
pub const BASELINE_RUN_SECONDS: f64 = 170e-6;

/// The baseline's size in the unit a run's cost grows with: steps ×
/// (polities + operators) — 44 quarterly steps, 8 polities, 15 operators.
pub const BASELINE_SIZE: usize = 44 * (8 + 15);

/// Longer than this needs `--yes`.
pub const LONGEST_UNASKED_SECONDS: f64 = 24.0 * 3600.0;

/// Settle the worker count and refuse a run longer than a day without
/// `--yes`, once the plan knows its scenarios, runs and shard. Prints a
/// one-line note when `--threads` is lowered (even with `--quiet`: it says
/// a flag was not followed, as a scenario warning would).
pub fn settle(plan: &mut Plan, sim: &SimArgs) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = runs_to_do(plan);
    let (workers, note) = workers(sim.threads.map(usize::from), runs, cores);
    let seconds = estimate_seconds(&plan.scenarios, runs, workers.min(cores));
    if seconds > LONGEST_UNASKED_SECONDS && !sim.yes {
        let busy = workers.min(cores);
        return Err(Diagnostic::new(format!(
            "{runs} runs{} would take about {} on {busy} core{} (estimated at {:.1} µs a run per core, docs/PERFORMANCE.md)",
            if plan.scenarios.len() > 1 {
                format!(" of {} scenarios", plan.scenarios.len())
            } else {
                String::new()
            },
            duration(seconds),
            if busy == 1 { "" } else { "s" },
            per_run_seconds(&plan.scenarios) * 1e6,
        ))
        .hint(
            "add --yes to start it anyway, or split it into shards for several machines (--shard i/n, docs/SCALING.md)",
        )
        .into());
    }
    // After the refusal, which makes it moot.
    if let Some(note) = note {
        errln!("note: {note}");
    }
    plan.threads = workers;
    Ok(())
}

/// The runs this process will do: the shard's part, or all of them.
fn runs_to_do(plan: &Plan) -> u64 {
    plan.shard.map_or(plan.runs, |s| {
        s.range(plan.runs).end - s.range(plan.runs).start
    })
}

/// How many workers to start, and a note if that is fewer than `--threads`
/// asked for. Workers take chunks of runs, so past the chunk count they
/// would start, allocate and find nothing to do; past a few per core they
/// only wait for each other. Nothing written depends on the count.
pub fn workers(asked: Option<usize>, runs: u64, cores: usize) -> (usize, Option<String>) {
    let cores = cores.max(1);
    let chunks = runs.div_ceil(engine::CHUNK).max(1);
    let chunks = usize::try_from(chunks).unwrap_or(usize::MAX);
    let per_cores = WORKERS_PER_CORE.saturating_mul(cores);
    let want = asked.unwrap_or(cores).max(1);
    let used = want.min(chunks).min(per_cores);
    // Only a request past the machine is worth a word: fewer workers than
    // asked on a small run is no news (there was not enough work for them).
    let note = match asked {
        Some(n) if n > used && n > cores => Some(if used == chunks && chunks < per_cores {
            format!(
                "--threads {n}: {used} worker thread{} used; {runs} runs are {chunks} chunk{} of {} runs, and a thread without a chunk has nothing to do",
                plural(used),
                plural(chunks),
                engine::CHUNK
            )
        } else {
            format!(
                "--threads {n}: {used} worker threads used ({WORKERS_PER_CORE} per core on {cores} core{}); more would only hold memory and wait",
                plural(cores)
            )
        }),
        _ => None,
    };
    (used, note)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One run of every scenario on one core: the baseline's measured cost,
/// scaled by size (a run's model work and tally grow with steps ×
/// entities). Compare runs each scenario on every run.
pub fn per_run_seconds(scenarios: &[Scenario]) -> f64 {
    scenarios
        .iter()
        .map(|sc| {
            let size = sc.grid.steps() * (sc.polities.len() + sc.operators.len());
            BASELINE_RUN_SECONDS * size as f64 / BASELINE_SIZE as f64
        })
        .sum()
}

/// Wall time of `runs` runs of the scenarios on `cores` busy cores.
pub fn estimate_seconds(scenarios: &[Scenario], runs: u64, cores: usize) -> f64 {
    runs as f64 * per_run_seconds(scenarios) / cores.max(1) as f64
}

/// "30 hours", "12 days", "3.2 years", "816 years".
pub fn duration(seconds: f64) -> String {
    let hours = seconds / 3600.0;
    let days = hours / 24.0;
    if hours < 72.0 {
        format!("{hours:.0} hours")
    } else if days < 730.0 {
        format!("{days:.0} days")
    } else if days < 3652.5 {
        format!("{:.1} years", days / 365.25)
    } else {
        format!("{:.0} years", days / 365.25)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn baseline() -> Scenario {
        crate::scenario::load(Path::new("scenarios/baseline.toml")).expect("the baseline loads")
    }

    #[test]
    fn the_cost_constant_is_the_baselines_size() {
        // If the baseline grows, BASELINE_RUN_SECONDS was measured on
        // another world: re-measure it (docs/PERFORMANCE.md) with the size.
        let b = baseline();
        assert_eq!(
            b.grid.steps() * (b.polities.len() + b.operators.len()),
            BASELINE_SIZE
        );
        // The baseline costs the constant (to rounding: size ÷ size).
        let ratio = per_run_seconds(&[b]) / BASELINE_RUN_SECONDS;
        assert!((ratio - 1.0).abs() < 1e-12, "{ratio}");
    }

    #[test]
    fn a_day_is_about_a_billion_baseline_runs_on_two_cores() {
        let b = [baseline()];
        assert!(estimate_seconds(&b, 900_000_000, 2) < LONGEST_UNASKED_SECONDS);
        assert!(estimate_seconds(&b, 1_200_000_000, 2) > LONGEST_UNASKED_SECONDS);
        // Comparing two scenarios runs both.
        let two = [baseline(), baseline()];
        assert!(estimate_seconds(&two, 600_000_000, 2) > LONGEST_UNASKED_SECONDS);
    }

    #[test]
    fn workers_are_capped_by_chunks_and_cores() {
        // Default: all cores, fewer for a run too small to share.
        assert_eq!(workers(None, 1_000_000, 2), (2, None));
        assert_eq!(workers(None, 100, 8), (1, None));
        // Up to WORKERS_PER_CORE per core as asked, silently.
        assert_eq!(workers(Some(8), 1_000_000, 2), (8, None));
        assert_eq!(workers(Some(2), 100, 2), (1, None));
        // Past the machine: capped, with a note saying why.
        let (n, note) = workers(Some(1000), 100, 2);
        assert_eq!(n, 1);
        assert!(note.unwrap().contains("100 runs are 1 chunk of 256 runs"));
        let (n, note) = workers(Some(10_000), 1_000_000, 2);
        assert_eq!(n, 8);
        assert!(
            note.unwrap()
                .contains("8 worker threads used (4 per core on 2 cores)")
        );
        // No overflow at the extremes.
        assert!(workers(Some(usize::MAX), u64::MAX, usize::MAX).0 >= 1);
    }

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(duration(30.0 * 3600.0), "30 hours");
        assert_eq!(duration(12.0 * 86400.0), "12 days");
        assert_eq!(duration(3.0 * 365.25 * 86400.0), "3.0 years");
        assert_eq!(duration(816.04 * 365.25 * 86400.0), "816 years");
    }
}
