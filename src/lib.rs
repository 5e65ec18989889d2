//! dsrsim: scenario simulation of telecom vendor alignment under policy shocks.
//!
//! Data flows one way: a scenario file becomes a checked [`scenario::Scenario`];
//! the [`model`] turns it into a world that can run one Monte Carlo path; the
//! [`engine`] runs many paths in parallel and aggregates them into a
//! [`engine::Summary`]; the [`report`] writes files from that summary.

pub mod app;
pub mod cli;
pub mod engine;
pub mod error;
pub mod model;
pub mod progress;
pub mod report;
pub mod scenario;
