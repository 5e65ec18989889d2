//! The scenario loader: bytes -> `Scenario` or one positioned error.
//!
//! Input: the scenario file, then any number of sibling files, each after a
//! NUL byte as `NAME\nTEXT` (NUL never occurs in TOML, so the split is
//! free); `extends` finds siblings by name, in memory. An accepted scenario
//! must build a world and round-trip through scenario.resolved.toml.
#![no_main]

#[path = "common.rs"]
mod common;

use dsrsim::model::World;
use dsrsim::scenario;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

fuzz_target!(|data: &[u8]| {
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
                let inputs: Vec<(&Path, &str)> =
                    files.iter().map(|(p, t)| (p.as_path(), t.as_str())).collect();
                common::assert_positioned(&d.into(), &inputs, true);
            }
            common::assert_round_trip(&sc);
        }
        Err(e) => {
            let inputs: Vec<(&Path, &str)> =
                files.iter().map(|(p, t)| (p.as_path(), t.as_str())).collect();
            common::assert_positioned(&e, &inputs, true);
        }
    }
});
