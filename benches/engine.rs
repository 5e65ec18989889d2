//! Where the time goes: whole-engine throughput on the baseline at 1 and 2
//! threads, one model path, the aggregation of one run, and the charts.
//! `cargo bench` measures; `cargo test --benches` runs each once (CI).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dsrsim::engine::rng::Streams;
use dsrsim::engine::tally::Tally;
use dsrsim::engine::{self, RunOptions};
use dsrsim::model::{RunState, World};
use dsrsim::report::{RunInfo, charts};
use std::hint::black_box;
use std::path::Path;

fn baseline() -> World {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    World::new(dsrsim::scenario::load(&path).expect("the baseline loads"))
}

fn options(runs: u64, threads: usize) -> RunOptions {
    RunOptions {
        runs,
        seed: 1,
        threads: Some(threads),
        progress: false,
        keep_runs: 0,
        run_range: None,
        cancel: None,
    }
}

fn throughput(c: &mut Criterion) {
    let world = baseline();
    let runs = 4000;
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements(runs));
    for threads in [1, 2] {
        g.bench_function(format!("baseline_runs/threads={threads}"), |b| {
            b.iter(|| engine::simulate(&world, &options(runs, threads)).unwrap())
        });
    }
    g.finish();
}

/// The experiment core against a full run on the same runs: a one-key
/// sweep of 11 points × 200 replications of the baseline, one outcome,
/// against 2,200 runs that tally every series at every point.
fn experiment_core(c: &mut Criterion) {
    use dsrsim::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
    use dsrsim::scenario::{Base, Setting};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let base = Base::read(&path).expect("the baseline loads");
    let design: Vec<DesignPoint> = (0..=10)
        .map(|i| {
            let value = format!("{}", f64::from(i) / 10.0);
            let set = Setting::new("eu_conditionality", &value, "bench").unwrap();
            let world = World::new(base.resolve(&[set]).unwrap());
            let spec =
                dsrsim::scenario::outcome::OutcomeSpec::parse("class SRB cautious at horizon")
                    .unwrap();
            let outcomes = vec![world.outcome(&spec, None).unwrap()];
            DesignPoint { world, outcomes }
        })
        .collect();
    let reps = 200;
    let world = baseline();
    let mut g = c.benchmark_group("experiment");
    g.sample_size(10);
    g.throughput(Throughput::Elements(11 * reps));
    g.bench_function("sweep_11_points_x_200_reps_one_outcome/threads=1", |b| {
        b.iter(|| {
            run_design(
                &design,
                &ExperimentOptions {
                    reps,
                    seed: 1,
                    threads: 1,
                    progress: false,
                    rep_range: None,
                },
            )
            .unwrap()
        })
    });
    g.bench_function("same_2200_runs_full_tally/threads=1", |b| {
        b.iter(|| engine::simulate(&world, &options(11 * reps, 1)).unwrap())
    });
    g.finish();
}

fn one_path(c: &mut Criterion) {
    let world = baseline();
    let mut streams = Streams::new(1, world.process_names(), world.quantity_names()).unwrap();
    let mut state = RunState::new(&world);
    let mut run = 0u64;
    let mut g = c.benchmark_group("model");
    g.throughput(Throughput::Elements(world.points() as u64 - 1));
    g.bench_function("one_path_44_steps_no_aggregation", |b| {
        b.iter(|| {
            run += 1;
            streams.start_run(run);
            world.run(&mut streams, &mut state, &mut |_, v| {
                black_box(v);
            });
        })
    });
    g.finish();
}

/// The floor: only the random numbers a baseline run consumes, drawn in
/// the same pattern (re-aim every stream, sample the run's quantities, then
/// per step 4 draws per polity and 2 per operator), with nothing computed.
fn rng_floor(c: &mut Criterion) {
    use rand::Rng;
    let world = baseline();
    let mut streams = Streams::new(1, world.process_names(), world.quantity_names()).unwrap();
    let polities = world.scenario.polities.len();
    let operators = world.scenario.operators.len();
    let steps = world.points() - 1;
    let mut run = 0u64;
    let mut g = c.benchmark_group("floor");
    g.bench_function("random_numbers_of_one_baseline_run", |b| {
        b.iter(|| {
            use dsrsim::model::RandomSource;
            run += 1;
            streams.start_run(run);
            let mut acc = 0u64;
            // One region per polity and operator for the once-per-run values.
            for q in 0..polities + operators {
                acc ^= streams.quantity(q).next_u64();
            }
            for _ in 0..steps {
                for p in 0..polities {
                    let r = streams.process(2 * p);
                    acc ^= r.next_u64() ^ r.next_u64() ^ r.next_u64() ^ r.next_u64();
                }
                for o in 0..operators {
                    let r = streams.process(2 * polities + o);
                    acc ^= r.next_u64() ^ r.next_u64();
                }
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn aggregation(c: &mut Criterion) {
    let world = baseline();
    let template = engine::empty_aggregate(&world);
    let mut tally = Tally::new(&template.bins, template.points);
    // Values of 64 real paths, replayed in turn: the cost is the recording,
    // not the model, and the bumps land where different runs put them (one
    // path replayed would keep every counter it touches in cache).
    let mut streams = Streams::new(1, world.process_names(), world.quantity_names()).unwrap();
    let mut state = RunState::new(&world);
    let paths: Vec<Vec<Vec<f64>>> = (0..64)
        .map(|run| {
            let mut path: Vec<Vec<f64>> = Vec::new();
            streams.start_run(run);
            world.run(&mut streams, &mut state, &mut |_, v| path.push(v.to_vec()));
            path
        })
        .collect();
    let mut g = c.benchmark_group("aggregation");
    g.throughput(Throughput::Elements(
        (world.series().len() * world.points()) as u64 * 64,
    ));
    let mut unbatched = Tally::new(&template.bins, template.points).without_batches();
    for (name, tally) in [("batched", &mut tally), ("unbatched", &mut unbatched)] {
        g.bench_function(
            format!("record_64_runs_all_series_all_points/{name}"),
            |b| {
                b.iter(|| {
                    for path in &paths {
                        for (point, values) in path.iter().enumerate() {
                            tally.add_point(point, values);
                        }
                        tally.end_run();
                    }
                })
            },
        );
    }
    g.finish();
}

fn rendering(c: &mut Criterion) {
    let world = baseline();
    let summary = engine::simulate(&world, &options(500, 2)).unwrap();
    let info = RunInfo {
        runs: 500,
        seed: 1,
        precision: None,
    };
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("all_charts_of_a_run_png_and_svg", |b| {
        b.iter(|| {
            let specs = charts::run_charts(&world, &summary.aggregate, &info);
            charts::render_all(&specs).unwrap()
        })
    });
    g.finish();
}

/// The workshop's answers to the page, end to end (runs, merge of the
/// chunks, tables, SVG charts, JSON) on serbia-5g at its two tiers, and the
/// fixed cost of an answer (2 runs: what the fuzz target pays per input).
fn workshop(c: &mut Criterion) {
    use dsrsim::app::workshop::handler::Workshop;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/serbia-5g.toml");
    let mut g = c.benchmark_group("workshop");
    g.sample_size(10);
    let body = br#"{"values":{"parameters.eu_conditionality":"0.4"},"pin":{},"tier":"TIER"}"#;
    for (runs, tier) in [(2, "full"), (10_000, "quick"), (10_000, "full")] {
        let w = Workshop::new(&path, Some(runs), 2).unwrap();
        let body = String::from_utf8_lossy(body).replace("TIER", tier);
        g.bench_function(format!("serbia_5g_pinned_answer/runs={runs}/{tier}"), |b| {
            b.iter(|| {
                let r = w.handle("POST", "/api/run", "", body.as_bytes());
                assert_eq!(r.status, 200);
                r
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    workshop,
    throughput,
    experiment_core,
    one_path,
    rng_floor,
    aggregation,
    rendering
);
criterion_main!(benches);
