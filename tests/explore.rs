//! `discover` and `story` (issue 11 items 2 and 3): a story is exactly run N
//! of `simulate`, its events agree with the run's own counts, every run's
//! record is the run `simulate` made, and both commands give the same bytes
//! at any thread count and refuse bad input without writing anything.

mod common;

use common::{load, options, read, shipped, simulate_in, workspace};
use dsrsim::engine::records::{RecordOptions, life, records};
use dsrsim::engine::{self, RunOptions};
use dsrsim::model::diary::Event;
use dsrsim::model::{EVENT_KINDS, World};
use std::fs;

const RUNS: u64 = 40;

fn kept(world: &World, threads: usize) -> engine::Summary {
    engine::simulate(
        world,
        &RunOptions {
            keep_runs: RUNS,
            ..options(RUNS, 2025, Some(threads))
        },
    )
    .expect("the engine runs")
}

#[test]
fn a_story_is_run_n_of_simulate_and_tells_every_counted_event() {
    for file in ["serbia-5g.toml", "baseline.toml"] {
        let world = World::new(load(&shipped(file)));
        let n_series = world.series().len();
        let last = world.points() - 1;
        let shocks = world.scenario.shocks.len();
        for threads in [1, 2] {
            let summary = kept(&world, threads);
            for n in [0, 3, 17, RUNS - 1] {
                let k = &summary.kept[n as usize];
                assert_eq!(k.run, n);
                let l = life(&world, 2025, n).unwrap();
                assert_eq!(l.inputs, k.inputs, "{file}: inputs of run {n}");
                assert_eq!(
                    &l.path[last * n_series..],
                    &k.horizon[..],
                    "{file}: horizon of run {n}"
                );
                // The diary tells each counted event once, and nothing else.
                let mut told = vec![0u64; l.events.len()];
                for e in &l.entries {
                    match e.event {
                        Event::Shock(i) => {
                            told[i] += 1;
                            assert_eq!(l.fired_at[i], Some(e.step), "{file}: shock {i} step");
                        }
                        Event::Counted { polity, kind } => {
                            told[shocks + EVENT_KINDS.len() * polity + kind] += 1
                        }
                        Event::Launch { .. } => {}
                    }
                }
                assert_eq!(told, l.events, "{file}: run {n}'s diary against its counts");
                // Dates only move forward.
                assert!(l.entries.windows(2).all(|w| w[0].step <= w[1].step));
                // Fired (an input) and a firing step agree.
                for (i, at) in l.fired_at.iter().enumerate() {
                    let fired = l.inputs[l.inputs.len() - shocks + i];
                    assert_eq!(fired == 1.0, at.is_some(), "{file}: shock {i} of run {n}");
                }
            }
        }
    }
}

#[test]
fn every_record_is_the_run_simulate_made_in_run_order_at_any_thread_count() {
    let world = World::new(load(&shipped("serbia-5g.toml")));
    let summary = kept(&world, 2);
    let outcomes = world.headline_outcomes();
    let at = |threads| {
        records(
            &world,
            &outcomes,
            &[0],
            &RecordOptions {
                runs: RUNS,
                seed: 2025,
                threads,
                progress: false,
            },
        )
        .unwrap()
    };
    let (one, two) = (at(1), at(2));
    assert_eq!(one, two);
    for (r, k) in one.iter().zip(&summary.kept) {
        assert_eq!(r.inputs, k.inputs, "run {}", k.run);
    }
}

#[test]
fn discover_finds_a_box_names_a_run_and_gives_the_same_bytes_on_any_thread_count() {
    let ws = workspace();
    let when = "class SRB cautious at 2035-12";
    // The sentence opens with the file's own words for the outcome.
    let label = load(&shipped("serbia-5g.toml"))
        .outcomes
        .iter()
        .find(|h| h.spec.text == when)
        .and_then(|h| h.label.clone())
        .expect("serbia-5g names this outcome");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = ws.path().join(format!("d{threads}"));
        let run = simulate_in(ws.path())
            .args(["discover", "scenarios/serbia-5g.toml", "--when", when])
            .args(["--runs", "1500", "--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        let stdout = String::from_utf8(run.get_output().stdout.clone()).unwrap();
        assert!(
            stdout.contains(&format!("{label} in "))
                && stdout.contains("% of runs where ")
                && stdout.contains("of all runs; they hold "),
            "{stdout}"
        );
        assert!(
            stdout.contains("simulate story scenarios/serbia-5g.toml --run "),
            "{stdout}"
        );
        let csv = read(&out.join("discover.csv"));
        assert!(csv.starts_with("box,kind,runs,hits,mass,coverage,density,"));
        assert!(csv.contains(",chosen,") && csv.contains("\ntold,told,"));
        assert!(out.join("charts/discover-tradeoff.png").is_file());
        outputs.push((csv, read(&out.join("index.html")), stdout));
    }
    assert!(outputs[0] == outputs[1], "thread counts changed the files");
    // The run it names is one where it happens: its story says so.
    let stdout = &outputs[0].2;
    let n = stdout
        .split("--run ")
        .nth(1)
        .and_then(|s| s.split('`').next())
        .unwrap();
    let run = simulate_in(ws.path())
        .args(["story", "scenarios/serbia-5g.toml", "--run", n])
        .args(["--runs", "1500", "-q", "--out"])
        .arg(ws.path().join("s"))
        .assert()
        .success();
    let story = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    assert!(story.contains(&format!("{label}: yes.")), "{story}");
}

#[test]
fn story_writes_the_row_runs_csv_writes_at_any_thread_count() {
    let ws = workspace();
    simulate_in(ws.path())
        .args([
            "scenarios/serbia-5g.toml",
            "--runs",
            "30",
            "--keep-runs",
            "30",
        ])
        .args(["-q", "--out", "r"])
        .assert()
        .success();
    let runs = read(&ws.path().join("r/runs.csv"));
    for (n, threads) in [("0", "1"), ("7", "2"), ("29", "1")] {
        let out = ws.path().join(format!("s{n}"));
        let run = simulate_in(ws.path())
            .args([
                "story",
                "scenarios/serbia-5g.toml",
                "--run",
                n,
                "--runs",
                "30",
            ])
            .args(["--threads", threads, "-q", "--out"])
            .arg(&out)
            .assert()
            .success();
        let row: Vec<&str> = runs
            .lines()
            .filter(|l| l.starts_with(&format!("{n},")))
            .collect();
        let mine = read(&out.join("run.csv"));
        assert_eq!(mine.lines().skip(1).collect::<Vec<_>>(), row, "run {n}");
        let story = String::from_utf8(run.get_output().stdout.clone()).unwrap();
        assert!(story.starts_with(&format!("# Run {n} of “Serbia 5G auction”")));
        assert!(story.contains("## What happened") && story.contains("5G spectrum auction"));
        assert_eq!(story, read(&out.join("story.md")));
        assert!(fs::read_dir(out.join("charts")).unwrap().count() == 2);
    }
}

/// Exit code 2, the words expected on stderr, and no output folder.
fn refused(args: &[&str], expect: &[&str]) {
    let ws = workspace();
    let out = simulate_in(ws.path())
        .args(args)
        .args(["--out", "o"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for e in expect {
        assert!(stderr.contains(e), "expected `{e}` in:\n{stderr}");
    }
    assert!(!ws.path().join("o").exists(), "something was written");
}

#[test]
fn bad_conditions_and_runs_are_refused_with_nothing_written() {
    let d = [
        "discover",
        "scenarios/serbia-5g.toml",
        "--runs",
        "300",
        "--when",
    ];
    let with = |when: &'static str| -> Vec<&str> { d.iter().copied().chain([when]).collect() };
    // Pointing into the argument, like --set errors.
    refused(
        &with("trusted_procurment SRB at 2030-12 >= 0.5"),
        &[
            "`trusted_procurment` is not a metric",
            "--when:1:1",
            "trusted_procurement",
        ],
    );
    refused(
        &with("trusted_procurement SRB at 2030-12 >= lots"),
        &["`lots` is not a number", "--when:1:39"],
    );
    refused(
        &with("trusted_procurement SRB at 2030-12"),
        &["is a number, not an event", ">= X"],
    );
    refused(
        &with("trusted_procurement SRB at 2030-12 > 0.5"),
        &["`>` is not a comparison", "--when:1:36", "`>=`"],
    );
    refused(
        &with("eu_stage SRB at 2035-12 >= 6"),
        &["in 0 of 300 runs (0.0%)"],
    );
    refused(
        &with("eu_stage SRB at 2035-12 >= 0"),
        &["in 300 of 300 runs (100.0%)", "nothing to tell apart"],
    );
    refused(
        &[
            "story",
            "scenarios/serbia-5g.toml",
            "--runs",
            "50",
            "--run",
            "50",
        ],
        &["--run 50 is out of range", "runs 0 to 49"],
    );
}
