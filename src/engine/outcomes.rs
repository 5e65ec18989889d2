//! Outcomes counted exactly: one value per run and outcome, folded into a
//! one-point aggregate (histogram, fixed-point sum, extremes) plus a
//! fixed-point sum of squares for the Monte Carlo standard error. Integers
//! add to the same bits in any order, so threads and shards never change a
//! mean, a quantile or a standard error.

use super::aggregate::{Aggregate, AggregateParts, Bins, FIXED_SCALE, fixed};
use crate::model::outcome::{Outcome, Probe};
use serde::{Deserialize, Serialize};

/// The bins of an outcome's values (or, with `difference`, of paired
/// differences of them): a 0/1 outcome needs only its two edges.
pub fn outcome_bins(o: &Outcome, difference: bool) -> Bins {
    let range = if o.binary {
        crate::model::metrics::Range {
            lo: 0.0,
            hi: 1.0,
            count: 2,
            discrete: false,
        }
    } else {
        o.metric.spec().range
    };
    super::series_bins(range, difference)
}

/// Reads a run's outcomes as its points go by: which outcomes read each
/// grid point, and their values so far. The one place a run's row of
/// series becomes outcome values, for `run` and the experiment core alike.
#[derive(Debug, Clone)]
pub struct ProbeReader {
    at: Vec<Vec<(usize, Probe)>>,
    pub values: Vec<f64>,
}

impl ProbeReader {
    pub fn new(outcomes: &[Outcome], points: usize) -> ProbeReader {
        let mut at = vec![Vec::new(); points];
        for (k, o) in outcomes.iter().enumerate() {
            at[o.probe.point].push((k, o.probe));
        }
        ProbeReader {
            at,
            values: vec![0.0; outcomes.len()],
        }
    }

    /// Per grid point: does an outcome read it? (The points a run must record.)
    pub fn points_read(&self) -> Vec<bool> {
        self.at.iter().map(|probes| !probes.is_empty()).collect()
    }

    /// The sink's step: read the outcomes that grid point `point` holds.
    #[inline]
    pub fn read(&mut self, point: usize, row: &[f64]) {
        for &(k, probe) in &self.at[point] {
            self.values[k] = probe.read(row[probe.series]);
        }
    }
}

/// Mean, Monte Carlo standard error and quantiles of one outcome over runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeStats {
    pub runs: u64,
    pub mean: f64,
    /// Standard error of the mean: the sample standard deviation over √runs.
    pub se: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    /// Shares of runs above and below 0 (for paired differences).
    pub above: f64,
    pub below: f64,
}

#[derive(Debug, Clone)]
pub struct OutcomeTally {
    agg: Aggregate,
    /// Σ fixed(v)², per outcome (scale 2^64).
    sumsq: Vec<i128>,
}

impl OutcomeTally {
    pub fn new(bins: Vec<Bins>) -> OutcomeTally {
        let n = bins.len();
        OutcomeTally {
            agg: Aggregate::new(bins, 1, 0, 0),
            sumsq: vec![0; n],
        }
    }

    pub fn outcomes(&self) -> usize {
        self.sumsq.len()
    }

    pub fn runs(&self) -> u64 {
        self.agg.runs
    }

    /// One run's value of every outcome.
    #[inline]
    pub fn add(&mut self, values: &[f64]) {
        self.agg.add_point(0, values);
        self.agg.runs += 1;
        for (s, &v) in self.sumsq.iter_mut().zip(values) {
            let f = fixed(v);
            *s = s.wrapping_add(f.wrapping_mul(f));
        }
    }

    pub fn merge(&mut self, other: &OutcomeTally) -> Result<(), String> {
        self.agg.merge(&other.agg)?;
        for (a, b) in self.sumsq.iter_mut().zip(&other.sumsq) {
            *a = a.wrapping_add(*b);
        }
        Ok(())
    }

    pub fn stats(&self, k: usize) -> OutcomeStats {
        let s = self.agg.stats(k, 0);
        let n = self.agg.runs;
        let (above, below) = self.agg.share_signs(k, 0);
        OutcomeStats {
            runs: n,
            mean: s.mean,
            se: self.standard_error(k),
            p05: s.p05,
            p25: s.p25,
            p50: s.p50,
            p75: s.p75,
            p95: s.p95,
            above,
            below,
        }
    }

    /// √(s²/n) with s² the unbiased sample variance; 0 for one run, NaN for none.
    pub fn standard_error(&self, k: usize) -> f64 {
        let n = self.agg.runs;
        if n == 0 {
            return f64::NAN;
        }
        if n == 1 {
            return 0.0;
        }
        let nf = n as f64;
        let sum = self.agg.sum(k, 0) as f64 / FIXED_SCALE;
        let sumsq = self.sumsq[k] as f64 / (FIXED_SCALE * FIXED_SCALE);
        let var = ((sumsq - sum * sum / nf) / (nf - 1.0)).max(0.0);
        (var / nf).sqrt()
    }

    pub fn to_parts(&self) -> OutcomeParts {
        OutcomeParts {
            aggregate: self.agg.to_parts(),
            sumsq: self.sumsq.iter().map(i128::to_string).collect(),
        }
    }

    pub fn from_parts(p: OutcomeParts) -> Result<OutcomeTally, String> {
        let agg = Aggregate::from_parts(p.aggregate)?;
        if p.sumsq.len() != agg.bins.len() || agg.points != 1 {
            return Err("the outcome tally's arrays do not match its layout".into());
        }
        let sumsq = p
            .sumsq
            .iter()
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("`{s}` is not an integer sum"))
            })
            .collect::<Result<_, _>>()?;
        Ok(OutcomeTally { agg, sumsq })
    }
}

/// An outcome tally as written in a shard file (sums as decimal strings).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutcomeParts {
    pub aggregate: AggregateParts,
    pub sumsq: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(values: &[f64]) -> OutcomeTally {
        let bins = super::super::series_bins(
            crate::model::metrics::Range {
                lo: 0.0,
                hi: 1.0,
                count: 2,
                discrete: false,
            },
            false,
        );
        let mut t = OutcomeTally::new(vec![bins]);
        for &v in values {
            t.add(&[v]);
        }
        t
    }

    #[test]
    fn mean_and_standard_error_of_a_coin_are_exact() {
        // 3 ones in 8: mean 3/8, s² = (3 − 9/8)/7 = 15/56, SE = √(15/56/8).
        let t = tally(&[1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
        let s = t.stats(0);
        assert_eq!(s.mean, 0.375);
        assert!(
            (s.se - (15.0f64 / 56.0 / 8.0).sqrt()).abs() < 1e-15,
            "{}",
            s.se
        );
        assert_eq!((s.p05, s.p95), (0.0, 1.0));
    }

    #[test]
    fn merging_in_any_split_gives_the_same_tally() {
        let values: Vec<f64> = (0..100).map(|i| f64::from(i % 3 == 0)).collect();
        let whole = tally(&values);
        let mut parts = tally(&values[..37]);
        parts.merge(&tally(&values[37..])).unwrap();
        assert_eq!(whole.stats(0), parts.stats(0));
        let round = OutcomeTally::from_parts(parts.to_parts()).unwrap();
        assert_eq!(round.stats(0), whole.stats(0));
    }
}
