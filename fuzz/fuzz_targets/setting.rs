//! Fuzz target `setting`: see `doors::setting` for what it checks.
#![no_main]

#[path = "doors.rs"]
mod doors;

libfuzzer_sys::fuzz_target!(|data: &[u8]| doors::setting(data));
