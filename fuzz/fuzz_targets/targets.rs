//! A targets file (`calibrate --targets`): bytes -> targets or one
//! positioned error, then checked against the backcast scenario and its
//! outcomes resolved by the model, as calibrate does.
#![no_main]

#[path = "common.rs"]
mod common;

use dsrsim::model::World;
use dsrsim::scenario::targets::Targets;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn world() -> &'static World {
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

fuzz_target!(|data: &[u8]| {
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
    let world = world();
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
});
