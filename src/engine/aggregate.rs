//! Streaming, exact, mergeable aggregation. Per (series, point): a fixed-bin
//! integer histogram over the series' known range, a fixed-point integer sum
//! and the exact min and max. Integers add, and min/max compare, to the same
//! bits in any order — so any thread count and any shard split give the same
//! summary — and memory does not grow with the number of runs.

use crate::model::math::MAGIC;
use serde::{Deserialize, Serialize};

/// Fixed-point scale of the sums: 2^32 (values are resolved to 2.3e-10).
pub(crate) const FIXED_SCALE: f64 = 4_294_967_296.0;

/// A value in fixed point (2^-32), rounded half to even. Integers add in
/// any order to the same bits; floats would not. Sums add with wrapping, in
/// debug builds as in release: wrapping addition is associative too, and an
/// infinite value (saturated here to i128::MAX) must not abort a debug run.
#[inline]
pub fn fixed(v: f64) -> i128 {
    (v * FIXED_SCALE).round_ties_even() as i128
}

/// `fixed(v)` as i64 for |v| < 2^18 (so |v·2^32| < 2^50), by the MAGIC
/// rounding trick: the same integer as `fixed`, and a loop of it vectorises.
#[inline(always)]
pub fn fixed_small(v: f64) -> i64 {
    ((v * FIXED_SCALE + MAGIC).to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64)
}

/// Largest |v| `fixed_small` takes.
pub const SMALL_LIMIT: f64 = 262_144.0;

/// `Bins` prepared for the hot loop: the scale hoisted out of the division.
/// The only place a value is mapped to its slot.
#[derive(Debug, Clone, Copy)]
pub struct BinIndex {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) scale: f64,
    pub(crate) tolerance: f64,
    pub(crate) count: usize,
    pub(crate) zero: bool,
    pub(crate) last: usize,
}

impl BinIndex {
    pub fn new(b: &Bins) -> BinIndex {
        BinIndex {
            lo: b.lo,
            hi: b.hi,
            scale: b.count as f64 / (b.hi - b.lo),
            // A weighted mean of ones can miss 1 by an ulp or two: within a
            // billionth of the range counts as the edge (or as zero).
            tolerance: (b.hi - b.lo) * 1e-9,
            count: b.count,
            zero: b.zero,
            last: b.slots() - 1,
        }
    }

    /// Branch-free (selects, not jumps): values sit at the edges or at 0 as
    /// often as inside, so branches would mispredict on every other series.
    #[inline]
    pub fn index(&self, v: f64) -> usize {
        // f64::max maps NaN to 0.0; the NaN itself goes to slot 0 below.
        let x = ((v - self.lo) * self.scale)
            .max(0.0)
            .min((self.count - 1) as f64);
        let bin = x as usize;
        let half = self.count / 2;
        let mut slot = 1 + bin + usize::from(self.zero & (bin >= half));
        slot = if v >= self.hi - self.tolerance {
            self.last
        } else {
            slot
        };
        slot = if self.zero & (v.abs() <= self.tolerance) {
            1 + half
        } else {
            slot
        };
        if v > self.lo + self.tolerance {
            slot
        } else {
            0
        }
    }
}

/// The binning of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    pub lo: f64,
    pub hi: f64,
    pub count: usize,
    /// Integer-valued (bins centred on integers): quantiles are bin centres.
    pub discrete: bool,
    /// A slot for exact zeros between the negative and positive bins (paired
    /// differences: most are exactly 0, and ties must not read as "B > A").
    /// Needs a range symmetric around 0 with an even bin count.
    pub zero: bool,
}

impl Bins {
    /// Slots per point: one for values at or below `lo` (exact point masses
    /// such as "no restriction" = 0 are common), `count` bins inside, one for
    /// values at or above `hi`.
    pub fn slots(&self) -> usize {
        self.count + 2 + usize::from(self.zero)
    }

    fn zero_slot(&self) -> usize {
        1 + self.count / 2
    }

    fn index(&self, v: f64) -> usize {
        BinIndex::new(self).index(v)
    }

    /// The interior bin a slot holds, or None for the edge and zero slots.
    fn bin_of_slot(&self, slot: usize) -> Option<usize> {
        if slot == 0 || slot == self.slots() - 1 || (self.zero && slot == self.zero_slot()) {
            None
        } else if self.zero && slot > self.zero_slot() {
            Some(slot - 2)
        } else {
            Some(slot - 1)
        }
    }

    fn width(&self) -> f64 {
        (self.hi - self.lo) / self.count as f64
    }
}

/// Aggregates of many runs for every (series, point).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub points: usize,
    pub bins: Vec<Bins>,
    offsets: Vec<usize>,
    counts: Vec<u64>,
    sums: Vec<i128>,
    min: Vec<f64>,
    max: Vec<f64>,
    pub runs: u64,
    /// How often each event (shock) fired.
    pub events: Vec<u64>,
    /// Per class series, how many runs ended in each of the three classes.
    pub classes: Vec<[u64; 3]>,
}

/// An `Aggregate` in a form for files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateParts {
    pub points: usize,
    pub bins: Vec<Bins>,
    /// (slot index, count) for every non-empty slot.
    pub counts: Vec<(u64, u64)>,
    pub sums: Vec<String>,
    pub min: Vec<Option<f64>>,
    pub max: Vec<Option<f64>>,
    pub runs: u64,
    pub events: Vec<u64>,
    pub classes: Vec<[u64; 3]>,
}

/// Summary statistics of one (series, point).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub mean: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Aggregate {
    pub fn new(bins: Vec<Bins>, points: usize, events: usize, class_series: usize) -> Aggregate {
        let mut offsets = Vec::with_capacity(bins.len());
        let mut total = 0;
        for b in &bins {
            offsets.push(total);
            total += b.slots() * points;
        }
        let cells = bins.len() * points;
        Aggregate {
            points,
            offsets,
            counts: vec![0; total],
            sums: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            bins,
            runs: 0,
            events: vec![0; events],
            classes: vec![[0; 3]; class_series],
        }
    }

    /// Record the values of every series at one point of one run.
    #[inline]
    pub fn add_point(&mut self, point: usize, values: &[f64]) {
        for (s, &v) in values.iter().enumerate() {
            let b = &self.bins[s];
            let bin = self.offsets[s] + point * b.slots() + b.index(v);
            self.counts[bin] += 1;
            let cell = s * self.points + point;
            self.sums[cell] = self.sums[cell].wrapping_add(fixed(v));
            if v < self.min[cell] {
                self.min[cell] = v;
            }
            if v > self.max[cell] {
                self.max[cell] = v;
            }
        }
    }

    /// Fold another aggregate of the same layout into this one.
    pub fn merge(&mut self, other: &Aggregate) -> Result<(), String> {
        if self.bins != other.bins
            || self.points != other.points
            || self.events.len() != other.events.len()
        {
            return Err("the aggregates come from different scenarios".into());
        }
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, b)| *a += b);
        self.sums
            .iter_mut()
            .zip(&other.sums)
            .for_each(|(a, b)| *a = a.wrapping_add(*b));
        self.min
            .iter_mut()
            .zip(&other.min)
            .for_each(|(a, b)| *a = a.min(*b));
        self.max
            .iter_mut()
            .zip(&other.max)
            .for_each(|(a, b)| *a = a.max(*b));
        self.events
            .iter_mut()
            .zip(&other.events)
            .for_each(|(a, b)| *a += b);
        for (a, b) in self.classes.iter_mut().zip(&other.classes) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
        self.runs += other.runs;
        Ok(())
    }

    /// Add a worker's tally of (series, point): its slot counts as a byte
    /// and a wrap count each (count = wraps·256 + byte; no wraps: none
    /// wrapped), its sum and extremes. Plain slices of one length, so the
    /// loops vectorise: a tally of a few runs is mostly zeros, and this pass
    /// over every slot is what a short simulation (the workshop's answers)
    /// pays for whatever its runs.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn absorb(
        &mut self,
        point: usize,
        s: usize,
        bytes: &[u8],
        wraps: Option<&[u32]>,
        sum: i128,
        min: f64,
        max: f64,
    ) {
        let b = &self.bins[s];
        let start = self.offsets[s] + point * b.slots();
        let counts = &mut self.counts[start..start + b.slots()];
        let bytes = &bytes[..counts.len()];
        match wraps {
            Some(wraps) => {
                let wraps = &wraps[..counts.len()];
                for ((c, &byte), &wrap) in counts.iter_mut().zip(bytes).zip(wraps) {
                    *c += u64::from(wrap) * 256 + u64::from(byte);
                }
            }
            None => {
                for (c, &byte) in counts.iter_mut().zip(bytes) {
                    *c += u64::from(byte);
                }
            }
        }
        let cell = s * self.points + point;
        self.sums[cell] = self.sums[cell].wrapping_add(sum);
        self.min[cell] = self.min[cell].min(min);
        self.max[cell] = self.max[cell].max(max);
    }

    /// The aggregate as plain parts for a file: counts sparse (most slots
    /// are empty), sums as decimal strings (JSON numbers lose i128 digits),
    /// extremes as None where nothing was seen.
    pub fn to_parts(&self) -> AggregateParts {
        AggregateParts {
            points: self.points,
            bins: self.bins.clone(),
            counts: self
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| (i as u64, *c))
                .collect(),
            sums: self.sums.iter().map(|s| s.to_string()).collect(),
            min: self
                .min
                .iter()
                .map(|m| m.is_finite().then_some(*m))
                .collect(),
            max: self
                .max
                .iter()
                .map(|m| m.is_finite().then_some(*m))
                .collect(),
            runs: self.runs,
            events: self.events.clone(),
            classes: self.classes.clone(),
        }
    }

    /// Rebuild from parts, checking they fit together.
    pub fn from_parts(p: AggregateParts) -> Result<Aggregate, String> {
        let mut agg = Aggregate::new(p.bins, p.points, p.events.len(), p.classes.len());
        let cells = agg.sums.len();
        if p.sums.len() != cells || p.min.len() != cells || p.max.len() != cells {
            return Err("the aggregate's arrays do not match its layout".into());
        }
        for (i, c) in p.counts {
            let slot = agg
                .counts
                .get_mut(i as usize)
                .ok_or_else(|| format!("count index {i} is outside the layout"))?;
            *slot = c;
        }
        for (dst, s) in agg.sums.iter_mut().zip(&p.sums) {
            *dst = s
                .parse()
                .map_err(|_| format!("`{s}` is not an integer sum"))?;
        }
        for (dst, m) in agg.min.iter_mut().zip(&p.min) {
            *dst = m.unwrap_or(f64::INFINITY);
        }
        for (dst, m) in agg.max.iter_mut().zip(&p.max) {
            *dst = m.unwrap_or(f64::NEG_INFINITY);
        }
        agg.runs = p.runs;
        agg.events = p.events;
        agg.classes = p.classes;
        Ok(agg)
    }

    /// The fixed-point sum (scale 2^32) of series `s` at `point`.
    pub fn sum(&self, s: usize, point: usize) -> i128 {
        self.sums[s * self.points + point]
    }

    pub fn series_count(&self) -> usize {
        self.bins.len()
    }

    fn counts_of(&self, s: usize, point: usize) -> &[u64] {
        let b = &self.bins[s];
        let start = self.offsets[s] + point * b.slots();
        &self.counts[start..start + b.slots()]
    }

    /// Mean and quantiles of series `s` at `point`. A quantile that falls in
    /// an edge slot is that edge; inside, it interpolates linearly within its
    /// bin. All are clamped to the exact min and max, so a constant series
    /// reports its exact value.
    pub fn stats(&self, s: usize, point: usize) -> Stats {
        let cell = s * self.points + point;
        let b = &self.bins[s];
        let counts = self.counts_of(s, point);
        let n: u64 = counts.iter().sum();
        let (min, max) = (self.min[cell], self.max[cell]);
        let q = |p: f64| -> f64 {
            if n == 0 {
                return f64::NAN;
            }
            let rank = p * n as f64;
            let mut below = 0u64;
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 && (below + c) as f64 >= rank {
                    let value = match b.bin_of_slot(i) {
                        None if i == 0 => b.lo,
                        None if i == b.slots() - 1 => b.hi,
                        None => 0.0,
                        Some(bin) if b.discrete => b.lo + (bin as f64 + 0.5) * b.width(),
                        Some(bin) => {
                            let within = ((rank - below as f64) / c as f64).clamp(0.0, 1.0);
                            b.lo + (bin as f64 + within) * b.width()
                        }
                    };
                    return value.clamp(min, max);
                }
                below += c;
            }
            max
        };
        Stats {
            mean: if n == 0 {
                f64::NAN
            } else {
                self.sums[cell] as f64 / FIXED_SCALE / n as f64
            },
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p95: q(0.95),
            min,
            max,
        }
    }

    /// Shares of runs whose value of series `s` at `point` is above and below
    /// zero. Exact for bins with a zero slot (and for bins whose range starts
    /// at 0); elsewhere resolved to the bins.
    pub fn share_signs(&self, s: usize, point: usize) -> (f64, f64) {
        let b = &self.bins[s];
        let counts = self.counts_of(s, point);
        let n = counts.iter().sum::<u64>().max(1) as f64;
        let mut above = 0u64;
        let mut below = 0u64;
        for (slot, &c) in counts.iter().enumerate() {
            let centre = match b.bin_of_slot(slot) {
                None if slot == 0 => b.lo,
                None if slot == b.slots() - 1 => b.hi,
                None => 0.0,
                Some(bin) => b.lo + (bin as f64 + 0.5) * b.width(),
            };
            if centre > 0.0 {
                above += c;
            } else if centre < 0.0 {
                below += c;
            }
        }
        (above as f64 / n, below as f64 / n)
    }

    /// Variance of series `s` at `point` from the histogram (bin centres),
    /// for checks that need a spread rather than quantiles.
    pub fn variance(&self, s: usize, point: usize) -> f64 {
        let b = &self.bins[s];
        let counts = self.counts_of(s, point);
        let n: u64 = counts.iter().sum();
        if n == 0 {
            return f64::NAN;
        }
        let st = self.stats(s, point);
        let value = |slot: usize| match b.bin_of_slot(slot) {
            None if slot == 0 => b.lo.max(st.min),
            None if slot == b.slots() - 1 => b.hi.min(st.max),
            None => 0.0,
            Some(bin) => b.lo + (bin as f64 + 0.5) * b.width(),
        };
        let mean = counts
            .iter()
            .enumerate()
            .map(|(i, &c)| c as f64 * value(i))
            .sum::<f64>()
            / n as f64;
        counts
            .iter()
            .enumerate()
            .map(|(i, &c)| c as f64 * (value(i) - mean).powi(2))
            .sum::<f64>()
            / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_bins() -> Vec<Bins> {
        vec![Bins {
            lo: 0.0,
            hi: 1.0,
            count: 200,
            discrete: false,
            zero: false,
        }]
    }

    #[test]
    fn quantiles_of_a_uniform_grid_are_close_to_exact() {
        let mut a = Aggregate::new(unit_bins(), 1, 0, 0);
        for i in 0..10_000 {
            a.add_point(0, &[(i as f64 + 0.5) / 10_000.0]);
        }
        let s = a.stats(0, 0);
        for (q, want) in [
            (s.p05, 0.05),
            (s.p25, 0.25),
            (s.p50, 0.5),
            (s.p75, 0.75),
            (s.p95, 0.95),
        ] {
            assert!((q - want).abs() < 0.005 / 2.0 + 1e-9, "{q} vs {want}");
        }
        assert!((s.mean - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_vectorisable_fixed_point_matches_the_exact_one() {
        for v in [
            0.0,
            1.0,
            -1.0,
            0.5,
            1e-10,
            -3.7e-10,
            0.123_456_789,
            5.0,
            -0.99,
            262_143.9,
            2.5 / 4_294_967_296.0,
        ] {
            assert_eq!(i128::from(fixed_small(v)), fixed(v), "{v}");
        }
    }

    #[test]
    fn parts_round_trip_through_json_exactly() {
        let mut a = Aggregate::new(unit_bins(), 2, 1, 1);
        for i in 0..500 {
            a.add_point(i % 2, &[(i as f64 * 0.618_033_988_7) % 1.0]);
        }
        a.runs = 250;
        a.events[0] = 7;
        a.classes[0] = [1, 2, 3];
        let json = serde_json::to_string(&a.to_parts()).unwrap();
        let back = Aggregate::from_parts(serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(a, back);
    }

    #[test]
    fn a_constant_series_reports_its_exact_value() {
        let mut a = Aggregate::new(unit_bins(), 1, 0, 0);
        for _ in 0..7 {
            a.add_point(0, &[0.4242]);
        }
        let s = a.stats(0, 0);
        assert_eq!((s.p05, s.p50, s.p95), (0.4242, 0.4242, 0.4242));
    }

    #[test]
    fn merging_in_any_order_gives_identical_bits() {
        let values: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 997.0)
            .collect();
        let mut whole = Aggregate::new(unit_bins(), 1, 0, 0);
        let mut parts: Vec<Aggregate> = (0..3)
            .map(|_| Aggregate::new(unit_bins(), 1, 0, 0))
            .collect();
        for (i, v) in values.iter().enumerate() {
            whole.add_point(0, &[*v]);
            parts[i % 3].add_point(0, &[*v]);
        }
        let mut forward = parts[0].clone();
        forward.merge(&parts[1]).unwrap();
        forward.merge(&parts[2]).unwrap();
        let mut backward = parts[2].clone();
        backward.merge(&parts[1]).unwrap();
        backward.merge(&parts[0]).unwrap();
        assert_eq!(forward, backward);
        assert_eq!(forward.counts, whole.counts);
        assert_eq!(forward.sums, whole.sums);
    }

    #[test]
    fn point_masses_at_the_edges_report_the_edges() {
        let mut a = Aggregate::new(unit_bins(), 1, 0, 0);
        for i in 0..100 {
            // 30 at 0, 60 at 1, 10 inside: median and p95 are exactly 1, p05 exactly 0.
            let v = if i < 30 {
                0.0
            } else if i < 90 {
                1.0
            } else {
                0.5
            };
            a.add_point(0, &[v]);
        }
        let s = a.stats(0, 0);
        assert_eq!((s.p05, s.p25, s.p50, s.p95), (0.0, 0.0, 1.0, 1.0));
        assert!((s.p75 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn exact_zeros_of_a_paired_difference_are_neither_above_nor_below() {
        let bins = vec![Bins {
            lo: -1.0,
            hi: 1.0,
            count: 400,
            discrete: false,
            zero: true,
        }];
        let mut a = Aggregate::new(bins, 1, 0, 0);
        // 60 ties, 30 small gains, 10 small losses: the median is exactly 0.
        for i in 0..100 {
            let v = if i < 60 {
                0.0
            } else if i < 90 {
                0.0004
            } else {
                -0.3
            };
            a.add_point(0, &[v]);
        }
        assert_eq!(a.stats(0, 0).p50, 0.0);
        assert_eq!(a.share_signs(0, 0), (0.3, 0.1));
        assert!(a.stats(0, 0).p95 > 0.0 && a.stats(0, 0).p05 < 0.0);
    }

    #[test]
    fn discrete_series_report_whole_values() {
        let bins = vec![Bins {
            lo: -0.5,
            hi: 5.5,
            count: 6,
            discrete: true,
            zero: false,
        }];
        let mut a = Aggregate::new(bins, 1, 0, 0);
        for v in [1.0, 2.0, 2.0, 3.0, 5.0] {
            a.add_point(0, &[v]);
        }
        assert_eq!(a.stats(0, 0).p50, 2.0);
    }
}
