//! Outcome strings (`--outcome`, `[[outcome]] what`) and `--when`
//! conditions, read against serbia-5g: an error points at a word of the
//! string; an accepted outcome reads a point on the scenario's grid.
#![no_main]

#[path = "common.rs"]
mod common;

use dsrsim::app::discover::parse_when;
use dsrsim::model::World;
use dsrsim::scenario::outcome::OutcomeSpec;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| World::new(common::serbia()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(arg) = std::str::from_utf8(data) else {
        return;
    };
    let world = world();
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
});
