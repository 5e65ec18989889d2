//! Each door's check, one function per fuzz target: bytes in, a panic if
//! the door misbehaves. Shared by the fuzz targets (fuzz/fuzz_targets/*.rs)
//! and by tests/fuzz_regressions.rs, which replays every stored input.
#![allow(dead_code)]

#[path = "common.rs"]
mod common;
use dsrsim::app::discover::parse_when;
use dsrsim::app::sensitivity::{self, Method, SensitivityPlan};
use dsrsim::app::sensitivity_shard::{SensitivityShard, SensitivityShards};
use dsrsim::app::sweep::{self, Prepared, SweepPlan};
use dsrsim::app::sweep_shard::{SweepShard, SweepShards};
use dsrsim::app::workshop::handler::Workshop;
use dsrsim::engine::aggregate::AggregateParts;
use dsrsim::engine::shard::{ShardFile, ShardSet};
use dsrsim::engine::{empty_aggregate, empty_outcomes};
use dsrsim::model::World;
use dsrsim::scenario;
use dsrsim::scenario::outcome::OutcomeSpec;
use dsrsim::scenario::targets::Targets;
use dsrsim::scenario::{Base, Setting};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
/// The scenario loader: bytes -> `Scenario` or one positioned error.
///
/// Input: the scenario file, then any number of sibling files, each after a
/// NUL byte as `NAME\nTEXT` (NUL never occurs in TOML, so the split is
/// free); `extends` finds siblings by name, in memory. An accepted scenario
/// must build a world and round-trip through scenario.resolved.toml.
pub fn scenario(data: &[u8]) {
    let mut pieces = data.split(|&b| b == 0);
    let Some(Ok(main)) = pieces.next().map(std::str::from_utf8) else {
        return;
    };
    let main_path = PathBuf::from("s/main.toml");
    let mut files = vec![(main_path.clone(), main.to_string())];
    for piece in pieces.take(6) {
        let Ok(piece) = std::str::from_utf8(piece) else {
            continue;
        };
        let (name, text) = piece.split_once('\n').unwrap_or((piece, ""));
        files.push((Path::new("s").join(name.trim()), text.to_string()));
    }
    match scenario::load_in_memory(&main_path, &files) {
        Ok(sc) => {
            let world = World::new(sc.clone());
            if let Err(d) = world.check_outcomes() {
                let inputs: Vec<(&Path, &str)> = files
                    .iter()
                    .map(|(p, t)| (p.as_path(), t.as_str()))
                    .collect();
                common::assert_positioned(&d.into(), &inputs, true);
            }
            common::assert_round_trip(&sc);
        }
        Err(e) => {
            let inputs: Vec<(&Path, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_path(), t.as_str()))
                .collect();
            common::assert_positioned(&e, &inputs, true);
        }
    }
}

const ORIGINS: [&str; 3] = ["--set", "--set-b", "--vary"];

fn setting_base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        Base::read_in_memory(
            Path::new("scenarios/serbia-5g.toml"),
            &common::serbia_files(),
        )
        .expect("the shipped scenario reads")
    })
}
/// Key paths and their values (`--set KEY=VALUE`, `--set-b`, `--vary`):
/// up to three arguments, NUL-separated, laid over serbia-5g in memory.
/// A bad one is an error pointing into its argument (or the files); an
/// accepted one gives a scenario that round-trips through its resolved file.
pub fn setting(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let args: Vec<&str> = text.split('\0').take(ORIGINS.len()).collect();
    let files = common::serbia_files();
    let mut inputs: Vec<(&Path, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .collect();
    for (arg, origin) in args.iter().zip(ORIGINS) {
        inputs.push((Path::new(origin), arg));
    }
    let mut settings = Vec::new();
    for (arg, origin) in args.iter().zip(ORIGINS) {
        match Setting::parse(arg, origin) {
            Ok(s) => {
                assert_eq!(s.arg(), *arg);
                // The canonical key names the same value: parsing it again agrees.
                let again = Setting::new(s.key(), s.value(), origin)
                    .unwrap_or_else(|e| panic!("canonical `{}` does not parse: {e}", s.key()));
                assert_eq!(again.key(), s.key());
                settings.push(s);
            }
            Err(e) => {
                common::assert_positioned(&e, &inputs, true);
                return;
            }
        }
    }
    match setting_base().resolve(&settings) {
        Ok(sc) => {
            assert_eq!(sc.overrides.len(), settings.len());
            let _ = World::new(sc.clone());
            common::assert_round_trip(&sc);
        }
        Err(e) => common::assert_positioned(&e, &inputs, true),
    }
}

fn outcome_world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| World::new(common::serbia()))
}
/// Outcome strings (`--outcome`, `[[outcome]] what`) and `--when`
/// conditions, read against serbia-5g: an error points at a word of the
/// string; an accepted outcome reads a point on the scenario's grid.
pub fn outcome(data: &[u8]) {
    let Ok(arg) = std::str::from_utf8(data) else {
        return;
    };
    let world = outcome_world();
    let origin = Path::new("--outcome");
    let inputs = [(origin, arg), (Path::new("--when"), arg)];
    match OutcomeSpec::parse(arg) {
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= arg.len());
            common::assert_positioned(&e.at(origin, arg, 0).into(), &inputs, true);
        }
        Ok(spec) => {
            // The normalised text reads back to the same outcome.
            let again = OutcomeSpec::parse(&spec.text).expect("normalised text parses");
            assert_eq!(
                (&again.measure, &again.entity, again.when),
                (&spec.measure, &spec.entity, spec.when)
            );
            match spec.check(&world.scenario) {
                Err(e) => common::assert_positioned(&e.at(origin, arg, 0).into(), &inputs, true),
                Ok(()) => match world.outcome(&spec, None) {
                    Err(e) => {
                        common::assert_positioned(&e.at(origin, arg, 0).into(), &inputs, true)
                    }
                    Ok(o) => assert!(o.probe.point < world.points()),
                },
            }
        }
    }
    if let Err(e) = parse_when(arg, world) {
        common::assert_positioned(&e, &inputs, false);
    }
}

fn targets_world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let files = vec![
            (
                PathBuf::from("scenarios/backcast-2010.toml"),
                include_str!("../../scenarios/backcast-2010.toml").to_string(),
            ),
            (
                PathBuf::from("scenarios/baseline.toml"),
                common::BASELINE.to_string(),
            ),
        ];
        let sc =
            dsrsim::scenario::load_in_memory(Path::new("scenarios/backcast-2010.toml"), &files)
                .expect("the shipped backcast loads");
        World::new(sc)
    })
}
/// A targets file (`calibrate --targets`): bytes -> targets or one
/// positioned error, then checked against the backcast scenario and its
/// outcomes resolved by the model, as calibrate does.
pub fn targets(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("targets/t.toml");
    let inputs = [(path, text)];
    let targets = match Targets::read_str(path, text) {
        Ok(t) => t,
        Err(e) => return common::assert_positioned(&e, &inputs, true),
    };
    assert!(!targets.targets.is_empty());
    for t in &targets.targets {
        assert!(!t.terms.is_empty(), "a target reads at least one outcome");
        assert!(t.sd.is_finite() && t.discrepancy.is_finite() && t.observed.is_finite());
        // calibrate divides by the sd: an accepted target never has none.
        assert!(t.sd > 0.0, "accepted sd {}", t.sd);
        assert!(t.span.end <= text.len());
    }
    let world = targets_world();
    if let Err(e) = targets.check(&world.scenario) {
        return common::assert_positioned(&e, &inputs, true);
    }
    for t in &targets.targets {
        for term in &t.terms {
            match world.outcome(&term.spec, None) {
                Ok(o) => assert!(o.probe.point < world.points()),
                Err(e) => {
                    common::assert_positioned(&targets.term_error(term, &e).into(), &inputs, true)
                }
            }
        }
    }
}

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
        assert_eq!(
            *sum,
            u128::from(runs),
            "{what}: cell {k} counts {sum} of {runs} runs"
        );
    }
    for (k, c) in p.classes.iter().enumerate() {
        let sum: u128 = c.iter().map(|&x| u128::from(x)).sum();
        assert_eq!(
            sum,
            u128::from(runs),
            "{what}: class series {k} counts {sum} of {runs}"
        );
    }
}
/// Shard files for `merge`: one or more JSON files (NUL-separated, named
/// shard-I.json in order) -> a merged summary or an error naming a file.
/// What merge accepts must add up: every shard's counts to its own runs,
/// the merged counts to the run count, and a layout the scenario's world
/// (which the report then reads) has.
pub fn shard(data: &[u8]) {
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
            let inputs: Vec<(&Path, &str)> = stored
                .iter()
                .map(|(p, t)| (p.as_path(), t.as_str()))
                .collect();
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
        let range = (
            v["run_range"][0].as_u64().unwrap(),
            v["run_range"][1].as_u64().unwrap(),
        );
        let own = range.1 - range.0;
        let what = path.display().to_string();
        let parts: AggregateParts = serde_json::from_value(v["aggregate"].clone()).unwrap();
        assert_eq!(parts.runs, own, "{what}: aggregate runs against its range");
        assert_cells_add_up(&parts, own, &what);
    }
    assert_cells_add_up(&summary.aggregate.to_parts(), runs, "merged");
    assert_cells_add_up(
        &summary.outcomes.to_parts().aggregate,
        runs,
        "merged outcomes",
    );
    assert!(summary.kept.len() as u64 <= set.keep_runs().min(runs));
    assert!(summary.kept.windows(2).all(|w| w[0].run < w[1].run));
    // The report reads the summary through the scenario's world.
    let world = World::new(sc);
    let empty = empty_aggregate(&world);
    let a = &summary.aggregate;
    assert_eq!(
        (&a.bins, a.points, a.events.len(), a.classes.len()),
        (
            &empty.bins,
            empty.points,
            empty.events.len(),
            empty.classes.len()
        ),
        "merged layout is not the scenario's"
    );
    assert_eq!(
        summary.outcomes.to_parts().aggregate.bins,
        empty_outcomes(&world).to_parts().aggregate.bins,
        "merged outcomes are not the scenario's"
    );
}

/// The shipped scenario on disk (the workshop reads its file), from the
/// fuzz crate or from the main crate's tests.
/// The workshop's fixture (fuzz/workshop/): serbia-5g's levers, shocks and
/// outcomes by the same ids over a compact world, so an answer costs well
/// under a millisecond, not the full scenario's tens of milliseconds.
const ROOM: &str = include_str!("../workshop/serbia-5g.toml");
const ROOM_BASE: &str = include_str!("../workshop/base.toml");

/// `name` under the fuzz crate (the fuzzer) or the main crate (tests/).
fn found(candidates: [&str; 2]) -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    candidates
        .iter()
        .map(|c| here.join(c))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("none of {candidates:?} under {}", here.display()))
}

/// Two runs an answer keep a valid request cheap.
fn room() -> &'static Workshop {
    static W: OnceLock<Workshop> = OnceLock::new();
    W.get_or_init(|| {
        let file = found(["workshop/serbia-5g.toml", "fuzz/workshop/serbia-5g.toml"]);
        Workshop::new(&file, Some(2), 1).expect("the workshop opens")
    })
}

/// The shipped serbia-5g.toml, for the replay of the stored inputs in tests/.
fn shipped() -> &'static Workshop {
    static W: OnceLock<Workshop> = OnceLock::new();
    W.get_or_init(|| {
        let file = found(["../scenarios/serbia-5g.toml", "scenarios/serbia-5g.toml"]);
        Workshop::new(&file, Some(2), 1).expect("the workshop opens")
    })
}

/// The workshop's request handler, without a socket: METHOD, PATH, QUERY
/// and BODY, NUL-separated, against the compact fixture.
/// Only the page's routes answer 200; a saved scenario loads beside the
/// file it extends; every JSON answer is JSON.
pub fn workshop(data: &[u8]) {
    let files = [
        (PathBuf::from("workshop/serbia-5g.toml"), ROOM.to_string()),
        (PathBuf::from("workshop/base.toml"), ROOM_BASE.to_string()),
    ];
    request(room(), &files, data);
}

/// The same checks against the shipped serbia-5g.toml (as the page serves it).
pub fn workshop_shipped(data: &[u8]) {
    let files = common::serbia_files();
    request(shipped(), &files, data);
}

fn request(w: &Workshop, files: &[(PathBuf, String)], data: &[u8]) {
    let mut pieces = data.splitn(4, |&b| b == 0);
    let method = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let path = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let query = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let body = pieces.next().unwrap_or_default();
    let r = w.handle(&method, &path, &query, body);
    let routes = ["/", "/index.html", "/api/setup", "/api/run", "/api/save"];
    match r.status {
        200 => assert!(routes.contains(&path.as_str()), "200 for `{path}`"),
        400 | 405 | 409 | 413 => {}
        404 => assert!(
            !routes.contains(&path.as_str()),
            "404 for its own route `{path}`"
        ),
        other => panic!(
            "status {other} for {method} {path}: {}",
            String::from_utf8_lossy(&r.body)
        ),
    }
    if r.content_type == "application/json" {
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("a JSON answer is JSON");
        if r.status != 200 {
            assert!(v.get("error").is_some() || v.get("cancelled").is_some());
        }
    }
    if r.status == 200 && path == "/api/save" {
        // The saved file extends serbia-5g.toml by name, beside it.
        let text = String::from_utf8(r.body).expect("a saved scenario is text");
        let mut files = files.to_vec();
        let dir = files[0]
            .0
            .parent()
            .expect("the scenario's folder")
            .to_path_buf();
        let saved = dir.join("serbia-5g-workshop.toml");
        files.push((saved.clone(), text.clone()));
        if let Err(e) = scenario::load_in_memory(&saved, &files) {
            panic!("the saved scenario does not load:\n{e}\n---\n{text}");
        }
    }
}

/// The sweep the `sweep_shard` door's files are merged into: the compact
/// workshop fixture, eu_conditionality at 0, 0.5 and 1, its headline outcomes.
fn sweep_design() -> &'static Prepared {
    static P: OnceLock<Prepared> = OnceLock::new();
    P.get_or_init(|| {
        let file = found(["workshop/serbia-5g.toml", "fuzz/workshop/serbia-5g.toml"]);
        let vary = ["eu_conditionality=0:1:0.5".to_string()];
        sweep::prepare(&SweepPlan {
            file: &file,
            set: &[],
            vary: &vary,
            outcomes: &[],
            reps: 6,
            seed: None,
            threads: 1,
            progress: false,
            yes: true,
            precision: None,
            shard: None,
        })
        .expect("the fixture's sweep lays out")
    })
}

/// A sweep's shard files (up to three, NUL-separated) into `merge`: a file
/// it refuses is a positioned error; a set it accepts adds up to exactly
/// its replications at every point, outcomes and paired differences alike.
pub fn sweep_shard(data: &[u8]) {
    let mut files = Vec::new();
    for (i, piece) in data.split(|&b| b == 0).take(3).enumerate() {
        let Ok(text) = std::str::from_utf8(piece) else {
            return;
        };
        let path = PathBuf::from(format!("sweep-shard-{i}.json"));
        match SweepShard::parse(&path, text) {
            Ok(f) => files.push((path, f)),
            Err(e) => return common::assert_positioned(&e, &[(&path, text)], false),
        }
    }
    let set = match SweepShards::from_files(files) {
        Ok(s) => s,
        Err(e) => return common::assert_positioned(&e, &[], false),
    };
    let result = match set.result(&sweep_design().design) {
        Ok(r) => r,
        Err(e) => return common::assert_positioned(&e, &[], false),
    };
    for t in result.points.iter().chain(&result.differences) {
        assert_eq!(
            t.runs(),
            set.reps(),
            "a merged tally counts every replication once"
        );
    }
}

/// The analysis the `sensitivity_shard` door's files are merged into: a
/// Sobol design of 4 base samples over the compact fixture's inputs.
fn sensitivity_design() -> &'static sensitivity::Prepared {
    static P: OnceLock<sensitivity::Prepared> = OnceLock::new();
    P.get_or_init(|| {
        let file = found(["workshop/serbia-5g.toml", "fuzz/workshop/serbia-5g.toml"]);
        sensitivity::prepare(&SensitivityPlan {
            file: &file,
            set: &[],
            method: Method::Sobol,
            outcome: None,
            inputs: &[],
            samples: Some(4),
            reps: 4,
            seed: None,
            threads: 1,
            progress: false,
            yes: true,
            shard: None,
        })
        .expect("the fixture's Sobol design lays out")
    })
}

/// A sensitivity analysis's shard files (up to three, NUL-separated) into
/// `merge`: a file it refuses is a positioned error; a set it accepts gives
/// exactly one answer per group of the design, as many means as points.
pub fn sensitivity_shard(data: &[u8]) {
    let mut files = Vec::new();
    for (i, piece) in data.split(|&b| b == 0).take(3).enumerate() {
        let Ok(text) = std::str::from_utf8(piece) else {
            return;
        };
        let path = PathBuf::from(format!("sensitivity-shard-{i}.json"));
        match SensitivityShard::parse(&path, text) {
            Ok(f) => files.push((path, f)),
            Err(e) => return common::assert_positioned(&e, &[(&path, text)], false),
        }
    }
    let set = match SensitivityShards::from_files(files) {
        Ok(s) => s,
        Err(e) => return common::assert_positioned(&e, &[], false),
    };
    let groups = &sensitivity_design().groups;
    let results = match set.results(groups) {
        Ok(r) => r,
        Err(e) => return common::assert_positioned(&e, &[], false),
    };
    assert_eq!(results.len(), groups.len(), "one answer per group");
    for (r, g) in results.iter().zip(groups) {
        assert_eq!(r.means.len(), g.len(), "one mean per point");
    }
}
