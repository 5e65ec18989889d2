//! The worker-side accumulator for the hot loop. It records exactly what an
//! `Aggregate` records — same slots, same fixed-point sums, same extremes —
//! in a layout that stays in cache: point-major, one byte per histogram slot
//! (a wrap to zero carries into a rarely touched u32), and i64 partial sums
//! folded into i128 before they could overflow. `into_aggregate` hands the
//! exact totals over, so results are the same bits as adding to an
//! `Aggregate` directly.

use super::aggregate::{Aggregate, BinIndex, Bins, SMALL_LIMIT, fixed, fixed_small};
use crate::model::math::MAGIC;

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

    /// The same slot as `BinIndex::index`, without branches, plus the
    /// offset of the series' block (checked against it in the tests).
    #[inline(always)]
    fn slot(&self, i: usize, v: f64, block: i64) -> i64 {
        let x = ((v - self.lo[i]) * self.scale[i])
            .max(0.0)
            .min(self.top_bin[i]);
        let bin = i64::from(x as i32);
        let zero = self.zero[i];
        let mut slot = 1 + bin + (zero & i64::from(bin >= self.half[i]));
        slot = if v >= self.high_edge[i] {
            self.last[i]
        } else {
            slot
        };
        slot = if (zero != 0) & (v.abs() <= self.tolerance[i]) {
            1 + self.half[i]
        } else {
            slot
        };
        slot = if v > self.low_edge[i] { slot } else { 0 };
        block + self.offset[i] + slot
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
    /// Empty until a byte first wraps (256 values in one slot): a tally of
    /// fewer runs than that (the workshop's quick answers, a shard of a
    /// few runs) never allocates, touches or reads four bytes a slot.
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
    /// The slots of the runs of the current batch, one row of `series`
    /// per point in the order added, waiting to be counted (see `count_batch`).
    pending: Vec<u32>,
    /// Runs per batch (0: count each point at once).
    batch_runs: usize,
    runs_in_batch: usize,
}

/// Runs whose counter bumps are gathered before they are counted. A run's
/// bumps are scattered over the whole histogram (2 MB for the baseline,
/// beyond a 512 KB L2); counted point by point over a batch, each point's
/// block (~44 KB) stays in L1 while the batch's bumps land in it. 16 runs
/// of the baseline hold 420 KB of slots.
const BATCH_RUNS: usize = 16;

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
    /// A tally for series binned as `bins`, over `points` points: laid out
    /// like `Aggregate::new(bins, points, ..)`, which `into_aggregate` fills.
    pub fn new(bins: &[Bins], points: usize) -> Tally {
        let index: Vec<BinIndex> = bins.iter().map(BinIndex::new).collect();
        let mut series_offset = Vec::with_capacity(index.len());
        let mut stride = 0;
        for b in bins {
            series_offset.push(stride);
            stride += b.slots();
        }
        let cells = points * index.len();
        Tally {
            points,
            series: index.len(),
            columns: Columns::new(&index, &series_offset),
            avx2: avx2(),
            series_offset,
            stride,
            bytes: vec![0; stride * points],
            wraps: Vec::new(),
            partial: vec![0; cells],
            sums: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            runs_since_flush: 0,
            // Each run adds one value per point to a partial: keep
            // runs × points × 2^50 below 2^62.
            flush_runs: (FLUSH_POINT_VALUES * 45 / points as u64).max(1),
            slots: vec![0; bins.len()],
            pending: Vec::new(),
            // Slots are kept as u32: fine for any histogram below 4 GiB.
            batch_runs: if stride * points < u32::MAX as usize {
                BATCH_RUNS
            } else {
                0
            },
            runs_in_batch: 0,
        }
    }

    /// The same tally counting each point's bumps at once, as before
    /// batches: for the benchmark that weighs the two (`aggregation/`).
    #[doc(hidden)]
    pub fn without_batches(mut self) -> Tally {
        self.batch_runs = 0;
        self
    }

    /// Record the values of every series at one point of one run: each
    /// series' slot, fixed-point sum and extremes in one pass, then the
    /// scattered counter bumps. On x86-64 with AVX2 (checked at run time) the
    /// pass is written with explicit 4-lane intrinsics; elsewhere, and for
    /// the last few series, it is plain code. Every operation is exact (IEEE
    /// arithmetic without fused multiply-add, integer adds, comparisons), so
    /// both give the same bits — tested.
    #[inline]
    pub fn add_point(&mut self, point: usize, values: &[f64]) {
        let values = &values[..self.series];
        let block = (point * self.stride) as i64;
        let cells = point * self.series..(point + 1) * self.series;
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is true only where the CPU reported AVX2; the
            // kernel reads and writes only the first `done` lanes it returns.
            done = unsafe {
                simd::fused(
                    &self.columns,
                    values,
                    block,
                    &mut self.slots,
                    &mut self.partial[cells.clone()],
                    &mut self.min[cells.clone()],
                    &mut self.max[cells.clone()],
                    &mut self.sums[cells.clone()],
                )
            };
        }
        for (i, &v) in values.iter().enumerate().skip(done) {
            let cell = cells.start + i;
            self.slots[i] = self.columns.slot(i, v, block);
            if v.abs() < SMALL_LIMIT {
                self.partial[cell] = self.partial[cell].wrapping_add(fixed_small(v));
            } else {
                // Rare (and NaN, whose fixed value is 0): exact, straight to the sum.
                self.sums[cell] = self.sums[cell].wrapping_add(fixed(v));
            }
            self.min[cell] = if v < self.min[cell] {
                v
            } else {
                self.min[cell]
            };
            self.max[cell] = if v > self.max[cell] {
                v
            } else {
                self.max[cell]
            };
        }
        if self.batch_runs == 0 {
            for &slot in &self.slots {
                bump(&mut self.bytes, &mut self.wraps, slot as usize);
            }
        } else {
            self.pending.extend(self.slots.iter().map(|&s| s as u32));
        }
    }

    /// Count the bumps of the batch's runs. Every slot carries its point's
    /// block, so the order of counting is free: point by point when the batch
    /// is whole runs, in the order added otherwise.
    fn count_batch(&mut self) {
        let row = self.series;
        let rows = self.pending.len() / row.max(1);
        let runs = self.runs_in_batch;
        if runs > 0 && rows == runs * self.points {
            for point in 0..self.points {
                for r in 0..runs {
                    let start = (r * self.points + point) * row;
                    for &slot in &self.pending[start..start + row] {
                        bump(&mut self.bytes, &mut self.wraps, slot as usize);
                    }
                }
            }
        } else {
            for &slot in &self.pending {
                bump(&mut self.bytes, &mut self.wraps, slot as usize);
            }
        }
        self.pending.clear();
        self.runs_in_batch = 0;
    }

    /// Call once per finished run: folds the partial sums before they could overflow.
    #[inline]
    pub fn end_run(&mut self) {
        self.runs_in_batch += 1;
        if self.runs_in_batch >= self.batch_runs {
            self.count_batch();
        }
        self.runs_since_flush += 1;
        if self.runs_since_flush >= self.flush_runs {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (sum, partial) in self.sums.iter_mut().zip(&mut self.partial) {
            *sum = sum.wrapping_add(i128::from(*partial));
            *partial = 0;
        }
        self.runs_since_flush = 0;
    }

    /// Add everything tallied into `agg` (laid out for the same world).
    pub fn into_aggregate(mut self, agg: &mut Aggregate) {
        self.count_batch();
        self.flush();
        for point in 0..self.points {
            for s in 0..self.series {
                let start = point * self.stride + self.series_offset[s];
                let slots = if s + 1 < self.series {
                    self.series_offset[s + 1] - self.series_offset[s]
                } else {
                    self.stride - self.series_offset[s]
                };
                let cell = point * self.series + s;
                agg.absorb(
                    point,
                    s,
                    &self.bytes[start..start + slots],
                    self.wraps.get(start..start + slots),
                    self.sums[cell],
                    self.min[cell],
                    self.max[cell],
                );
            }
        }
    }
}

/// One histogram counter bump: a byte, whose wrap to zero carries into `wraps`.
#[inline(always)]
fn bump(bytes: &mut [u8], wraps: &mut Vec<u32>, slot: usize) {
    let byte = &mut bytes[slot];
    *byte = byte.wrapping_add(1);
    if *byte == 0 {
        wrap(bytes.len(), wraps, slot);
    }
}

/// A byte's carry, once in 256 bumps at most.
#[cold]
fn wrap(slots: usize, wraps: &mut Vec<u32>, slot: usize) {
    if wraps.is_empty() {
        wraps.resize(slots, 0);
    }
    wraps[slot] += 1;
}

/// The fused pass for AVX2: four series a lane, the same operations as
/// `Columns::slot` and the scalar sum and extremes (no fused multiply-add,
/// min/max with the same operand order, so NaN and signed zeros go the same
/// way).
#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{Columns, MAGIC, SMALL_LIMIT, fixed};
    use std::arch::x86_64::*;

    /// Fills the first returned count of lanes (a multiple of 4).
    ///
    /// # Safety
    /// The CPU must support AVX2; every slice must be at least as long as `values`.
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn fused(
        c: &Columns,
        values: &[f64],
        block: i64,
        slots: &mut [i64],
        partial: &mut [i64],
        min: &mut [f64],
        max: &mut [f64],
        sums: &mut [i128],
    ) -> usize {
        let n = values.len() / 4 * 4;
        assert!(
            c.lo.len() >= n
                && slots.len() >= n
                && partial.len() >= n
                && min.len() >= n
                && max.len() >= n
                && sums.len() >= n
        );
        let sign = _mm256_set1_pd(-0.0);
        let zero_pd = _mm256_setzero_pd();
        let one = _mm256_set1_epi64x(1);
        let limit = _mm256_set1_pd(SMALL_LIMIT);
        let scale = _mm256_set1_pd(super::super::aggregate::FIXED_SCALE);
        let magic = _mm256_set1_pd(MAGIC);
        let magic_bits = _mm256_set1_epi64x(MAGIC.to_bits() as i64);
        let block = _mm256_set1_epi64x(block);
        let mut i = 0;
        while i < n {
            // SAFETY: i + 4 <= n, and every column and slice holds n lanes (asserted).
            unsafe {
                let ld = |col: &[f64]| _mm256_loadu_pd(col.as_ptr().add(i));
                let li = |col: &[i64]| _mm256_loadu_si256(col.as_ptr().add(i).cast());
                let v = ld(values);
                let abs = _mm256_andnot_pd(sign, v);

                // Slot.
                let x = _mm256_mul_pd(_mm256_sub_pd(v, ld(&c.lo)), ld(&c.scale));
                let x = _mm256_min_pd(_mm256_max_pd(x, zero_pd), ld(&c.top_bin));
                let bin = _mm256_cvtepi32_epi64(_mm256_cvttpd_epi32(x));
                let (zero, half) = (li(&c.zero), li(&c.half));
                let below_half = _mm256_cmpgt_epi64(half, bin);
                let mut slot = _mm256_add_epi64(
                    _mm256_add_epi64(one, bin),
                    _mm256_andnot_si256(below_half, zero),
                );
                let high = _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_GE_OQ>(v, ld(&c.high_edge)));
                slot = _mm256_blendv_epi8(slot, li(&c.last), high);
                let zero_mask = _mm256_sub_epi64(_mm256_setzero_si256(), zero);
                let at_zero = _mm256_and_si256(
                    zero_mask,
                    _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_LE_OQ>(abs, ld(&c.tolerance))),
                );
                slot = _mm256_blendv_epi8(slot, _mm256_add_epi64(one, half), at_zero);
                let above_low =
                    _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_GT_OQ>(v, ld(&c.low_edge)));
                slot = _mm256_and_si256(slot, above_low);
                slot = _mm256_add_epi64(_mm256_add_epi64(block, li(&c.offset)), slot);
                _mm256_storeu_si256(slots.as_mut_ptr().add(i).cast(), slot);

                // Fixed-point sum, for |v| < SMALL_LIMIT; the rest exactly.
                let small = _mm256_cmp_pd::<_CMP_LT_OQ>(abs, limit);
                let t = _mm256_add_pd(_mm256_mul_pd(v, scale), magic);
                let f = _mm256_sub_epi64(_mm256_castpd_si256(t), magic_bits);
                let f = _mm256_and_si256(f, _mm256_castpd_si256(small));
                let p = partial.as_mut_ptr().add(i).cast();
                _mm256_storeu_si256(p, _mm256_add_epi64(_mm256_loadu_si256(p), f));
                if _mm256_movemask_pd(small) != 0b1111 {
                    for j in i..i + 4 {
                        if values[j].abs() >= SMALL_LIMIT || values[j].is_nan() {
                            sums[j] = sums[j].wrapping_add(fixed(values[j]));
                        }
                    }
                }

                // Extremes: min_pd(v, m) is `if v < m { v } else { m }`.
                let m = min.as_mut_ptr().add(i);
                _mm256_storeu_pd(m, _mm256_min_pd(v, _mm256_loadu_pd(m)));
                let m = max.as_mut_ptr().add(i);
                _mm256_storeu_pd(m, _mm256_max_pd(v, _mm256_loadu_pd(m)));
            }
            i += 4;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::aggregate::Bins;
    use rand::{Rng, RngExt, SeedableRng};

    #[test]
    fn a_tally_gives_the_same_aggregate_as_direct_adds() {
        let bins = [
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
        // Eleven series: two 4-lane blocks of the vectorised pass and a tail.
        let bins: Vec<Bins> = (0..11).map(|i| bins[i % 3]).collect();
        let new = || Tally::new(&bins, 3);
        let mut direct = Aggregate::new(bins.clone(), 3, 0, 0);
        // Both code paths: the vectorised one (where the CPU has it) and the plain one.
        let mut tally = new();
        let mut plain = new();
        plain.avx2 = false;
        // Counted point by point at once, not in batches of runs.
        let mut unbatched = new();
        unbatched.batch_runs = 0;
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            3.0,
            1e-10,
            -1e-10,
            0.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e6,
            -1e7,
            SMALL_LIMIT,
            -SMALL_LIMIT,
            1.0 - 1e-12,
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        // 700 runs: more than 256 identical values per slot, so bytes wrap;
        // values beyond the fast-sum limit, NaN, exact zeros and edges.
        for run in 0..700u32 {
            for point in 0..3 {
                let x = f64::from(run % 7) / 6.0;
                let values: Vec<f64> = (0..11)
                    .map(|i| match rng.next_u32() % 4 {
                        0 => special[(rng.next_u32() % 16) as usize],
                        1 => rng.random::<f64>() * 6.0 - 2.0,
                        _ => x * f64::from(i % 3) - 0.4,
                    })
                    .collect();
                direct.add_point(point, &values);
                tally.add_point(point, &values);
                plain.add_point(point, &values);
                unbatched.add_point(point, &values);
            }
            tally.end_run();
            plain.end_run();
            unbatched.end_run();
        }
        let mut via_tally = Aggregate::new(bins.clone(), 3, 0, 0);
        tally.into_aggregate(&mut via_tally);
        assert_eq!(direct, via_tally);
        let mut via_plain = Aggregate::new(bins.clone(), 3, 0, 0);
        plain.into_aggregate(&mut via_plain);
        assert_eq!(direct, via_plain);
        let mut via_unbatched = Aggregate::new(bins.clone(), 3, 0, 0);
        unbatched.into_aggregate(&mut via_unbatched);
        assert_eq!(direct, via_unbatched);
    }
}
