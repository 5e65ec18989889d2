//! The experiment core and `sweep` against answers known in closed form,
//! common random numbers, and independence from threads and shards.
//! Statistical tolerances are 4 standard errors from the replications.

use dsrsim::app::sweep::{SweepPlan, run_sweep};
use dsrsim::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
use dsrsim::model::World;
use dsrsim::scenario::{Base, Setting};
use std::path::{Path, PathBuf};

/// Every coupling off, then a constant restriction hazard that depends on
/// orientation only: rate = 0.2 · exp(g_w (w − 0.5)) with g_w = 1.
const HAZARD_WORLD: &str = r#"
[scenario]
start = "2025-01"
end = "2029-12"
step_months = 3
runs = 1000
seed = 7

[parameters]
price_advantage = 0.25
b0 = 0.0
b_price = 0.0
b_orient = 0.0
b_owner = 0.0
b_leverage = 0.0
b_incident = 0.0
b_incumbent = 0.0
kappa = 0.0
sigma = 0.0
law_hazard = 0.2
g_w = 1.0
g_nato = 0.0
g_eu = 0.0
g_pressure = 0.0
repeal_hazard = 0.0
eu_hazard = 0.0
eu_gamma = 0.0

[[polity]]
id = "A"
orientation = 0.5

[[outcome]]
what = "restriction A at horizon"
"#;

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn sweep(path: &Path, vary: &[&str], reps: u64, threads: usize) -> dsrsim::app::sweep::SweepRun {
    let vary: Vec<String> = vary.iter().map(|s| s.to_string()).collect();
    run_sweep(&SweepPlan {
        file: path,
        set: &[],
        vary: &vary,
        outcomes: &[],
        reps,
        seed: None,
        threads,
        progress: false,
        yes: false,
        precision: None,
        shard: None,
    })
    .expect("the sweep runs")
}

fn tolerance(p: f64, n: u64) -> f64 {
    4.0 * (p * (1.0 - p) / n as f64).sqrt()
}

#[test]
fn a_sweep_over_orientation_matches_the_exponential_law_at_every_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "hazard.toml", HAZARD_WORLD);
    let reps = 4000;
    let run = sweep(&path, &["polity.A.orientation=0:1:0.25"], reps, 2);
    assert_eq!(run.axes[0].values, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    for (p, &w) in run.axes[0].values.iter().enumerate() {
        let rate = 0.2 * (w - 0.5f64).exp();
        let want = 1.0 - (-rate * 5.0).exp();
        let got = run.result.points[p].stats(0);
        assert!(
            (got.mean - want).abs() < tolerance(want, reps),
            "orientation {w}: P(law by 5y) = {}, analytic {want}",
            got.mean
        );
        // The reported standard error is that of a proportion.
        let se = (got.mean * (1.0 - got.mean) / reps as f64).sqrt();
        assert!(
            (got.se - se).abs() < 1e-3 * se.max(1e-9) + 1e-9,
            "{} vs {se}",
            got.se
        );
    }
}

#[test]
fn identical_points_differ_by_exactly_nothing_and_more_willing_points_never_lose_a_law() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "hazard.toml", HAZARD_WORLD);
    // Two identical points (a step of 0 is refused, so vary a key to the same value twice
    // by building the design directly).
    let base = Base::read(&path).unwrap();
    let point = |w: &str| {
        let s = Setting::new("polity.A.orientation", w, "test").unwrap();
        let world = World::new(base.resolve(&[s]).unwrap());
        let outcomes = world.headline_outcomes();
        DesignPoint { world, outcomes }
    };
    let design = vec![point("0.3"), point("0.3"), point("0.9")];
    let opts = ExperimentOptions {
        reps: 3000,
        seed: 11,
        threads: 2,
        progress: false,
        rep_range: None,
    };
    let r = run_design(&design, &opts).unwrap();
    let same = r.differences[1].stats(0);
    assert_eq!((same.mean, same.above, same.below), (0.0, 0.0, 0.0));
    assert_eq!(r.points[0].stats(0), r.points[1].stats(0));
    // A higher orientation raises the hazard in every run: with common random
    // numbers no run that passed a law at 0.3 goes without one at 0.9.
    let up = r.differences[2].stats(0);
    assert_eq!(up.below, 0.0, "a run lost its law when the hazard rose");
    assert!(up.above > 0.05, "{}", up.above);
}

#[test]
fn runs_a_shock_cannot_touch_are_unchanged_when_its_probability_moves() {
    let dir = tempfile::tempdir().unwrap();
    let text = HAZARD_WORLD.replace("law_hazard = 0.2", "law_hazard = 0.0")
        + "\n[[shock]]\nid = \"law\"\nkind = \"restriction\"\npolity = \"A\"\ndate = \"2026-01\"\nprobability = 0.2\n";
    let path = file(&dir, "shock.toml", &text);
    let reps = 4000;
    let run = sweep(&path, &["shock.law.probability=0.2:0.8:0.6"], reps, 2);
    let first = run.result.points[0].stats(0);
    let d = run.result.differences[1].stats(0);
    // Runs whose draw fires the shock at 0.2 fire it at 0.8 too; none loses it.
    assert_eq!(d.below, 0.0);
    assert!((d.above - 0.6).abs() < tolerance(0.6, reps), "{}", d.above);
    assert!(
        (first.mean - 0.2).abs() < tolerance(0.2, reps),
        "{}",
        first.mean
    );
}

#[test]
fn results_do_not_depend_on_threads_or_on_how_replications_are_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "hazard.toml", HAZARD_WORLD);
    let one = sweep(&path, &["polity.A.orientation=0:1:0.5"], 1500, 1);
    let two = sweep(&path, &["polity.A.orientation=0:1:0.5"], 1500, 2);
    let csv = |r: &dsrsim::app::sweep::SweepRun| {
        dsrsim::app::sweep::files(r)
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == "sweep.csv")
            .unwrap()
            .1
    };
    assert_eq!(csv(&one), csv(&two));

    let base = Base::read(&path).unwrap();
    let design = |w: &str| {
        let s = Setting::new("polity.A.orientation", w, "test").unwrap();
        let world = World::new(base.resolve(&[s]).unwrap());
        let outcomes = world.headline_outcomes();
        DesignPoint { world, outcomes }
    };
    let points = vec![design("0.2"), design("0.7")];
    let opts = |range: Option<std::ops::Range<u64>>, threads| ExperimentOptions {
        reps: 1000,
        seed: 3,
        threads,
        progress: false,
        rep_range: range,
    };
    let whole = run_design(&points, &opts(None, 2)).unwrap();
    let mut parts = run_design(&points, &opts(Some(0..377), 1)).unwrap();
    parts
        .merge(&run_design(&points, &opts(Some(377..1000), 2)).unwrap())
        .unwrap();
    for p in 0..2 {
        assert_eq!(whole.points[p].stats(0), parts.points[p].stats(0));
        assert_eq!(whole.differences[p].stats(0), parts.differences[p].stats(0));
    }
}

#[test]
fn a_run_to_a_precision_stops_when_the_error_is_small_enough_and_is_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "hazard.toml", HAZARD_WORLD);
    let world = World::new(Base::read(&path).unwrap().resolve(&[]).unwrap());
    let opts = |threads| dsrsim::engine::RunOptions {
        runs: 1_000_000,
        seed: 5,
        threads: Some(threads),
        progress: false,
        keep_runs: 0,
        run_range: None,
        cancel: None,
    };
    let eps = 0.006;
    let (summary, report) = dsrsim::engine::simulate_to_precision(&world, &opts(2), eps).unwrap();
    let s = summary.outcomes.stats(0);
    let truth = 1.0 - (-0.2f64 * 5.0).exp();
    assert!(report.reached && s.se <= eps, "{report:?} {s:?}");
    assert_eq!(report.runs, summary.aggregate.runs);
    // p(1-p)/eps² ≈ 6,460 runs are needed: it neither stops early nor runs on.
    assert!((6_000..=20_000).contains(&report.runs), "{}", report.runs);
    assert!((s.mean - truth).abs() < 4.0 * s.se, "{} vs {truth}", s.mean);
    // The stopping point depends on the results only, not on threads.
    let (again, report1) = dsrsim::engine::simulate_to_precision(&world, &opts(1), eps).unwrap();
    assert_eq!(report1, report);
    assert_eq!(again.outcomes.stats(0), s);
}

#[test]
fn a_sweep_to_a_precision_adds_runs_until_every_point_is_precise() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "hazard.toml", HAZARD_WORLD);
    let vary = vec!["polity.A.orientation=0:1:0.5".to_string()];
    let plan = |threads| SweepPlan {
        file: &path,
        set: &[],
        vary: &vary,
        outcomes: &[],
        reps: 100_000,
        seed: None,
        threads,
        progress: false,
        yes: false,
        precision: Some(0.01),
        shard: None,
    };
    let run = run_sweep(&plan(2)).unwrap();
    let report = run.precision.unwrap();
    assert!(report.reached);
    for t in &run.result.points {
        assert_eq!(t.runs(), report.runs);
        assert!(t.standard_error(0) <= 0.01);
    }
    // p(1-p)/eps² is at most 2,500 runs: one or two chunks, never the cap.
    assert!(report.runs <= 4000, "{}", report.runs);
    assert_eq!(run_sweep(&plan(1)).unwrap().precision, Some(report));
}

/// The experiment core steps only the countries its outcomes read, four
/// replications side by side; `run` steps everything, one run at a time.
/// Replication r of a one-point design is run r of `run` (same seed, same
/// streams), so every outcome's tally agrees to the bit — on a scenario
/// whose outcomes read one country and on one with a state and entities.
#[test]
fn the_experiment_core_gives_the_outcomes_run_gives() {
    for name in ["serbia-5g", "bih-5g-auction"] {
        let path = PathBuf::from(format!(
            "{}/scenarios/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        ));
        let world = World::new(dsrsim::scenario::load(&path).unwrap());
        let outcomes = world.headline_outcomes();
        assert!(
            world
                .scope_of(outcomes.iter().map(|o| o.probe.series))
                .countries()
                .len()
                < world.countries().len(),
            "{name}: the outcomes read fewer countries than the world has"
        );
        // 1003 replications: batches of four, then three one by one.
        let run = dsrsim::engine::simulate(
            &world,
            &dsrsim::engine::RunOptions {
                runs: 1003,
                seed: 17,
                threads: Some(2),
                progress: false,
                keep_runs: 0,
                run_range: None,
                cancel: None,
            },
        )
        .unwrap();
        let design = vec![DesignPoint {
            world,
            outcomes: outcomes.clone(),
        }];
        let core = run_design(
            &design,
            &ExperimentOptions {
                reps: 1003,
                seed: 17,
                threads: 2,
                progress: false,
                rep_range: None,
            },
        )
        .unwrap();
        for k in 0..outcomes.len() {
            assert_eq!(
                core.points[0].stats(k),
                run.outcomes.stats(k),
                "{name}: outcome {k}"
            );
        }
    }
}
