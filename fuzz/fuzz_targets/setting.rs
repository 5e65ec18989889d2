//! Key paths and their values (`--set KEY=VALUE`, `--set-b`, `--vary`):
//! up to three arguments, NUL-separated, laid over serbia-5g in memory.
//! A bad one is an error pointing into its argument (or the files); an
//! accepted one gives a scenario that round-trips through its resolved file.
#![no_main]

#[path = "common.rs"]
mod common;

use dsrsim::model::World;
use dsrsim::scenario::{Base, Setting};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

const ORIGINS: [&str; 3] = ["--set", "--set-b", "--vary"];

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        Base::read_in_memory(Path::new("scenarios/serbia-5g.toml"), &common::serbia_files())
            .expect("the shipped scenario reads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let args: Vec<&str> = text.split('\0').take(ORIGINS.len()).collect();
    let files = common::serbia_files();
    let mut inputs: Vec<(&Path, &str)> =
        files.iter().map(|(p, t)| (p.as_path(), t.as_str())).collect();
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
    match base().resolve(&settings) {
        Ok(sc) => {
            assert_eq!(sc.overrides.len(), settings.len());
            let _ = World::new(sc.clone());
            common::assert_round_trip(&sc);
        }
        Err(e) => common::assert_positioned(&e, &inputs, true),
    }
});
