//! How often a series' histogram slot changes from one point to the next in
//! the baseline — the figure that rules out difference arrays over points
//! for the tally (docs/PERFORMANCE.md). Run:
//! `cargo run --release --example slot_changes [RUNS]`.

use dsrsim::engine::aggregate::BinIndex;
use dsrsim::engine::rng::Streams;
use dsrsim::model::{RunState, World};
use std::path::Path;

fn main() {
    let runs: u64 = std::env::args()
        .nth(1)
        .map_or(2000, |s| s.parse().expect("RUNS is a whole number"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let world = World::new(dsrsim::scenario::load(&path).expect("the baseline loads"));
    let template = dsrsim::engine::empty_aggregate(&world);
    let index: Vec<BinIndex> = template.bins.iter().map(BinIndex::new).collect();
    let mut streams = Streams::new(1, world.process_names(), world.quantity_names())
        .expect("no stream collisions");
    let mut state = RunState::new(&world);
    let series = world.series().len();
    let mut changed = vec![0u64; series];
    let mut previous = vec![0usize; series];
    for run in 0..runs {
        streams.start_run(run);
        world.run(&mut streams, &mut state, &mut |point, values| {
            for (s, &v) in values.iter().enumerate() {
                let slot = index[s].index(v);
                if point > 0 && slot != previous[s] {
                    changed[s] += 1;
                }
                previous[s] = slot;
            }
        });
    }
    let transitions = runs * (world.points() as u64 - 1);
    let mut by_metric: Vec<(&str, u64, u64)> = Vec::new();
    for (spec, &n) in world.series().iter().zip(&changed) {
        let name = spec.metric.name();
        match by_metric.iter_mut().find(|m| m.0 == name) {
            Some(m) => {
                m.1 += n;
                m.2 += transitions;
            }
            None => by_metric.push((name, n, transitions)),
        }
    }
    println!("share of (series, point) slots that differ from the previous point, {runs} runs:");
    for (name, n, total) in &by_metric {
        println!("  {name:20} {:.3}", *n as f64 / *total as f64);
    }
    let all: u64 = changed.iter().sum();
    println!(
        "  {:20} {:.3}",
        "all series",
        all as f64 / (transitions * series as u64) as f64
    );
}
