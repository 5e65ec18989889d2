//! The worker-side accumulator for the hot loop. It records exactly what an
//! `Aggregate` records — same slots, same fixed-point sums, same extremes —
//! in a layout that stays in cache: point-major, one byte per histogram slot
//! (a wrap to zero carries into a rarely touched u32), and i64 partial sums
//! folded into i128 before they could overflow. `into_aggregate` hands the
//! exact totals over, so results are the same bits as adding to an
//! `Aggregate` directly.

use super::aggregate::{Aggregate, BinIndex, SMALL_LIMIT, fixed, fixed_small};

/// Partial sums take |v| < 2^18 (v·2^32 < 2^50); 2^12 runs of 45 points
/// stay below 2^62 (points ≤ 1201 < 2^11 would need a smaller flush, see new()).
const FLUSH_POINT_VALUES: u64 = 1 << 12;

/// `BinIndex` for every series as columns (one vector per field), so the
/// slot pass reads contiguous lanes and vectorises.
struct Columns {
    lo: Vec<f64>,
    scale: Vec<f64>,
    top_bin: Vec<f64>,
    low_edge: Vec<f64>,
    high_edge: Vec<f64>,
    tolerance: Vec<f64>,
    zero: Vec<i64>,
    half: Vec<i64>,
    last: Vec<i64>,
    offset: Vec<i64>,
}

impl Columns {
    fn new(index: &[BinIndex], offsets: &[usize]) -> Columns {
        Columns {
            lo: index.iter().map(|b| b.lo).collect(),
            scale: index.iter().map(|b| b.scale).collect(),
            top_bin: index.iter().map(|b| (b.count - 1) as f64).collect(),
            low_edge: index.iter().map(|b| b.lo + b.tolerance).collect(),
            high_edge: index.iter().map(|b| b.hi - b.tolerance).collect(),
            tolerance: index.iter().map(|b| b.tolerance).collect(),
            zero: index.iter().map(|b| i64::from(b.zero)).collect(),
            half: index.iter().map(|b| (b.count / 2) as i64).collect(),
            last: index.iter().map(|b| b.last as i64).collect(),
            offset: offsets.iter().map(|&o| o as i64).collect(),
        }
    }

    /// The same slots as `BinIndex::index`, written lane by lane without
    /// branches (checked against it in the tests).
    #[inline(always)]
    fn slots(&self, values: &[f64], block: i64, out: &mut [i64]) {
        let n = out.len();
        let (lo, scale, top, low, high, tol) = (
            &self.lo[..n],
            &self.scale[..n],
            &self.top_bin[..n],
            &self.low_edge[..n],
            &self.high_edge[..n],
            &self.tolerance[..n],
        );
        let (zero, half, last, offset, values) = (
            &self.zero[..n],
            &self.half[..n],
            &self.last[..n],
            &self.offset[..n],
            &values[..n],
        );
        for i in 0..n {
            let v = values[i];
            let x = ((v - lo[i]) * scale[i]).max(0.0).min(top[i]);
            let bin = i64::from(x as i32);
            let mut slot = 1 + bin + (zero[i] & i64::from(bin >= half[i]));
            slot = if v >= high[i] { last[i] } else { slot };
            slot = if (zero[i] != 0) & (v.abs() <= tol[i]) {
                1 + half[i]
            } else {
                slot
            };
            slot = if v > low[i] { slot } else { 0 };
            out[i] = block + offset[i] + slot;
        }
    }
}

pub struct Tally {
    points: usize,
    series: usize,
    columns: Columns,
    avx2: bool,
    /// Start of series s's slots within one point's block.
    series_offset: Vec<usize>,
    /// Bytes per point: Σ slots over series.
    stride: usize,
    bytes: Vec<u8>,
    wraps: Vec<u32>,
    /// Point-major [point * series + s].
    partial: Vec<i64>,
    sums: Vec<i128>,
    min: Vec<f64>,
    max: Vec<f64>,
    runs_since_flush: u64,
    flush_runs: u64,
    /// Scratch: the slot of every series at the current point.
    slots: Vec<i64>,
}

fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

impl Tally {
    /// A tally laid out like `template` (an empty aggregate of the same world).
    pub fn new(template: &Aggregate) -> Tally {
        let index: Vec<BinIndex> = template.bins.iter().map(BinIndex::new).collect();
        let mut series_offset = Vec::with_capacity(index.len());
        let mut stride = 0;
        for b in &template.bins {
            series_offset.push(stride);
            stride += b.slots();
        }
        let points = template.points;
        let cells = points * index.len();
        Tally {
            points,
            series: index.len(),
            columns: Columns::new(&index, &series_offset),
            avx2: avx2(),
            series_offset,
            stride,
            bytes: vec![0; stride * points],
            wraps: vec![0; stride * points],
            partial: vec![0; cells],
            sums: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            runs_since_flush: 0,
            // Each run adds one value per point to a partial: keep
            // runs × points × 2^50 below 2^62.
            flush_runs: (FLUSH_POINT_VALUES * 45 / points as u64).max(1),
            slots: vec![0; template.bins.len()],
        }
    }

    /// Record the values of every series at one point of one run. Four
    /// passes over the series, each simple enough to vectorise: slots, the
    /// scattered counter bumps, fixed-point sums, extremes.
    /// The passes are compiled twice: for AVX2 (chosen at run time where the
    /// CPU has it) and for the baseline. Every operation is exact (IEEE
    /// arithmetic, integer adds, comparisons), so both give the same bits.
    #[inline]
    pub fn add_point(&mut self, point: usize, values: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is true only where the CPU reported AVX2.
            unsafe { self.add_point_avx2(point, values) };
            return;
        }
        self.add_point_passes(point, values);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn add_point_avx2(&mut self, point: usize, values: &[f64]) {
        self.add_point_passes(point, values);
    }

    #[inline(always)]
    fn add_point_passes(&mut self, point: usize, values: &[f64]) {
        let values = &values[..self.series];
        let block = (point * self.stride) as i64;
        self.columns.slots(values, block, &mut self.slots);
        for &slot in &self.slots {
            let slot = slot as usize;
            let byte = &mut self.bytes[slot];
            *byte = byte.wrapping_add(1);
            if *byte == 0 {
                self.wraps[slot] += 1;
            }
        }
        let cells = point * self.series..(point + 1) * self.series;
        let mut largest = 0.0f64;
        for (partial, &v) in self.partial[cells.clone()].iter_mut().zip(values) {
            let small = v.clamp(-SMALL_LIMIT, SMALL_LIMIT);
            *partial = partial.wrapping_add(fixed_small(small));
            let a = v.abs();
            largest = if a > largest { a } else { largest };
        }
        if largest >= SMALL_LIMIT || largest.is_nan() {
            // Rare: replace the clamped contribution by the exact one.
            for ((partial, sum), &v) in self.partial[cells.clone()]
                .iter_mut()
                .zip(&mut self.sums[cells.clone()])
                .zip(values)
            {
                if v.abs() >= SMALL_LIMIT || v.is_nan() {
                    *partial =
                        partial.wrapping_sub(fixed_small(v.clamp(-SMALL_LIMIT, SMALL_LIMIT)));
                    *sum += fixed(v);
                }
            }
        }
        for (m, &v) in self.min[cells.clone()].iter_mut().zip(values) {
            *m = if v < *m { v } else { *m };
        }
        for (m, &v) in self.max[cells].iter_mut().zip(values) {
            *m = if v > *m { v } else { *m };
        }
    }

    /// Call once per finished run: folds the partial sums before they could overflow.
    #[inline]
    pub fn end_run(&mut self) {
        self.runs_since_flush += 1;
        if self.runs_since_flush >= self.flush_runs {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (sum, partial) in self.sums.iter_mut().zip(&mut self.partial) {
            *sum += i128::from(*partial);
            *partial = 0;
        }
        self.runs_since_flush = 0;
    }

    /// Add everything tallied into `agg` (laid out for the same world).
    pub fn into_aggregate(mut self, agg: &mut Aggregate) {
        self.flush();
        for point in 0..self.points {
            for s in 0..self.series {
                let start = point * self.stride + self.series_offset[s];
                let slots = if s + 1 < self.series {
                    self.series_offset[s + 1] - self.series_offset[s]
                } else {
                    self.stride - self.series_offset[s]
                };
                let counts = (start..start + slots)
                    .map(|i| u64::from(self.wraps[i]) * 256 + u64::from(self.bytes[i]));
                let cell = point * self.series + s;
                agg.absorb(
                    point,
                    s,
                    counts,
                    self.sums[cell],
                    self.min[cell],
                    self.max[cell],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::aggregate::Bins;

    #[test]
    fn a_tally_gives_the_same_aggregate_as_direct_adds() {
        let bins = vec![
            Bins {
                lo: 0.0,
                hi: 1.0,
                count: 200,
                discrete: false,
                zero: false,
            },
            Bins {
                lo: -1.0,
                hi: 3.0,
                count: 400,
                discrete: false,
                zero: false,
            },
            Bins {
                lo: -1.0,
                hi: 1.0,
                count: 400,
                discrete: false,
                zero: true,
            },
        ];
        let mut direct = Aggregate::new(bins.clone(), 3, 0, 0);
        let mut tally = Tally::new(&Aggregate::new(bins.clone(), 3, 0, 0));
        // Both code paths: the vectorised one (where the CPU has it) and the plain one.
        let mut plain = Tally::new(&Aggregate::new(bins.clone(), 3, 0, 0));
        plain.avx2 = false;
        // 700 runs: more than 256 identical values per slot, so bytes wrap;
        // a value beyond the fast-sum limit; exact zeros and edges.
        for run in 0..700u32 {
            for point in 0..3 {
                let x = f64::from(run % 7) / 6.0;
                let values = [
                    x,
                    if run == 5 { 1e6 } else { x * 2.0 - 0.5 },
                    if run % 3 == 0 { 0.0 } else { x - 0.4 },
                ];
                direct.add_point(point, &values);
                tally.add_point(point, &values);
                plain.add_point(point, &values);
            }
            tally.end_run();
            plain.end_run();
        }
        let mut via_tally = Aggregate::new(bins.clone(), 3, 0, 0);
        tally.into_aggregate(&mut via_tally);
        assert_eq!(direct, via_tally);
        let mut via_plain = Aggregate::new(bins, 3, 0, 0);
        plain.into_aggregate(&mut via_plain);
        assert_eq!(direct, via_plain);
    }
}
