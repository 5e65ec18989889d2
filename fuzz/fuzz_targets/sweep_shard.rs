//! Fuzz target `sweep_shard`: see `doors::sweep_shard` for what it checks.
#![no_main]

#[path = "doors.rs"]
mod doors;

libfuzzer_sys::fuzz_target!(|data: &[u8]| doors::sweep_shard(data));
