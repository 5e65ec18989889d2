//! Fuzz target `shard`: see `doors::shard` for what it checks.
#![no_main]

#[path = "doors.rs"]
mod doors;

libfuzzer_sys::fuzz_target!(|data: &[u8]| doors::shard(data));
