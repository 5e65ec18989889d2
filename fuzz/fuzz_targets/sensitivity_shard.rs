//! Fuzz target `sensitivity_shard`: see `doors::sensitivity_shard` for what it checks.
#![no_main]

#[path = "doors.rs"]
mod doors;

libfuzzer_sys::fuzz_target!(|data: &[u8]| doors::sensitivity_shard(data));
