//! Fuzz target `outcome`: see `doors::outcome` for what it checks.
#![no_main]

#[path = "doors.rs"]
mod doors;

libfuzzer_sys::fuzz_target!(|data: &[u8]| doors::outcome(data));
