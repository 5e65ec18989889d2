//! Model v1: the Western Balkans world as state and a step function.
//!
//! The model knows nothing of files, threads or aggregation. It declares the
//! random processes and sampled quantities it needs (by stable name, so the
//! engine can give each its own sub-stream) and the series it reports, then
//! runs one Monte Carlo path, handing the values of every reported point to a
//! sink. See docs/MODEL.md for the equations.

pub mod diary;
pub mod math;
pub mod metrics;
pub mod outcome;
mod run;
mod series;
mod world;

pub use metrics::{Level, Metric};
pub use run::{EVENT_KINDS, RunState};
pub use series::SeriesSpec;
pub use world::{Scope, World};

use rand::Rng;

/// Where the model's randomness comes from. The engine decides which
/// generator stands behind each name; the model only says which it needs.
pub trait RandomSource {
    type R: Rng;
    /// The generator of per-step process `i` (see [`World::process_names`]),
    /// positioned where the run's draws for that process begin.
    fn process(&mut self, i: usize) -> &mut Self::R;
    /// A generator positioned at the start of quantity `i`'s own region
    /// (see [`World::quantity_names`]); each call starts that region afresh.
    fn quantity(&mut self, i: usize) -> &mut Self::R;
}

pub use math::logistic;

/// Probability that an event with constant hazard `rate` (per year) happens
/// within `dt` years.
pub fn hazard_probability(rate: f64, dt: f64) -> f64 {
    1.0 - math::exp(-rate * dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_is_symmetric_and_saturates() {
        assert_eq!(logistic(0.0), 0.5);
        assert!((logistic(2.0) + logistic(-2.0) - 1.0).abs() < 1e-15);
        assert!((logistic(1.0) - 0.731_058_578_630_004_9).abs() < 1e-15);
        assert!(logistic(-800.0) >= 0.0 && logistic(800.0) <= 1.0);
    }

    #[test]
    fn hazard_to_step_probability_compounds_exactly() {
        // Four quarterly steps at rate 0.4/yr give the yearly probability.
        let q = hazard_probability(0.4, 0.25);
        let year = 1.0 - (1.0 - q).powi(4);
        assert!((year - hazard_probability(0.4, 1.0)).abs() < 1e-15);
        assert!((hazard_probability(0.4, 1.0) - (1.0 - (-0.4f64).exp())).abs() < 1e-15);
        assert_eq!(hazard_probability(0.0, 1.0), 0.0);
    }
}
