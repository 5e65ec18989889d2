//! Shard files for `merge`: one or more JSON files (NUL-separated, named
//! shard-I.json in order) -> a merged summary or an error naming a file.
//! What merge accepts must add up: every shard's counts to its own runs,
//! the merged counts to the run count, and a layout the scenario's world
//! (which the report then reads) has.
#![no_main]

#[path = "common.rs"]
mod common;

use dsrsim::engine::aggregate::AggregateParts;
use dsrsim::engine::shard::{ShardFile, ShardSet};
use dsrsim::engine::{empty_aggregate, empty_outcomes};
use dsrsim::model::World;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

/// Every (series, point) cell of `p` counts `runs` values.
fn assert_cells_add_up(p: &AggregateParts, runs: u64, what: &str) {
    let mut per_cell = Vec::new();
    let mut offset = 0u64;
    for b in &p.bins {
        let slots = (b.count + 2 + usize::from(b.zero)) as u64;
        for _ in 0..p.points {
            per_cell.push((offset, offset + slots, 0u128));
            offset += slots;
        }
    }
    for &(i, c) in &p.counts {
        let cell = per_cell
            .iter_mut()
            .find(|(lo, hi, _)| (*lo..*hi).contains(&i))
            .unwrap_or_else(|| panic!("{what}: count index {i} outside the layout"));
        cell.2 += u128::from(c);
    }
    for (k, (_, _, sum)) in per_cell.iter().enumerate() {
        assert_eq!(*sum, u128::from(runs), "{what}: cell {k} counts {sum} of {runs} runs");
    }
    for (e, &n) in p.events.iter().enumerate() {
        assert!(n <= runs, "{what}: event {e} fired {n} times in {runs} runs");
    }
    for (k, c) in p.classes.iter().enumerate() {
        let sum: u128 = c.iter().map(|&x| u128::from(x)).sum();
        assert_eq!(sum, u128::from(runs), "{what}: class series {k} counts {sum} of {runs}");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut files = Vec::new();
    for (i, piece) in data.split(|&b| b == 0).take(4).enumerate() {
        let Ok(text) = std::str::from_utf8(piece) else {
            return;
        };
        let path = PathBuf::from(format!("shard-{i}.json"));
        match ShardFile::parse(&path, text) {
            Ok(f) => files.push((path, f)),
            Err(e) => return common::assert_positioned(&e, &[(&path, text)], false),
        }
    }
    let set = match ShardSet::from_files(files.clone()) {
        Ok(s) => s,
        Err(e) => return common::assert_positioned(&e, &[], false),
    };
    let sc = match set.scenario() {
        Ok(sc) => sc,
        Err(e) => {
            let stored: Vec<(PathBuf, String)> = files
                .iter()
                .map(|(_, f)| {
                    let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
                    (
                        PathBuf::from(format!("{}.toml", v["stem"].as_str().unwrap())),
                        v["scenario_toml"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let inputs: Vec<(&Path, &str)> =
                stored.iter().map(|(p, t)| (p.as_path(), t.as_str())).collect();
            return common::assert_positioned(&e, &inputs, true);
        }
    };
    let summary = match set.merge() {
        Ok(s) => s,
        Err(e) => return common::assert_positioned(&e, &[], false),
    };
    let runs = set.runs();
    assert_eq!(summary.aggregate.runs, runs, "merged runs");
    assert_eq!(summary.outcomes.runs(), runs, "merged outcome runs");
    for (path, f) in &files {
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        let range = (v["run_range"][0].as_u64().unwrap(), v["run_range"][1].as_u64().unwrap());
        let own = range.1 - range.0;
        let what = path.display().to_string();
        let parts: AggregateParts = serde_json::from_value(v["aggregate"].clone()).unwrap();
        assert_eq!(parts.runs, own, "{what}: aggregate runs against its range");
        assert_cells_add_up(&parts, own, &what);
    }
    assert_cells_add_up(&summary.aggregate.to_parts(), runs, "merged");
    assert_cells_add_up(&summary.outcomes.to_parts().aggregate, runs, "merged outcomes");
    assert!(summary.kept.len() as u64 <= set.keep_runs().min(runs));
    assert!(summary.kept.windows(2).all(|w| w[0].run < w[1].run));
    // The report reads the summary through the scenario's world.
    let world = World::new(sc);
    let empty = empty_aggregate(&world);
    let a = &summary.aggregate;
    assert_eq!(
        (&a.bins, a.points, a.events.len(), a.classes.len()),
        (&empty.bins, empty.points, empty.events.len(), empty.classes.len()),
        "merged layout is not the scenario's"
    );
    assert_eq!(
        summary.outcomes.to_parts().aggregate.bins,
        empty_outcomes(&world).to_parts().aggregate.bins,
        "merged outcomes are not the scenario's"
    );
});
