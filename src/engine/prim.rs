//! PRIM, the patient rule induction method (Friedman & Fisher 1999, as in
//! the EMA Workbench's `prim.py`): find a box of inputs, one interval per
//! input, where a condition is much more likely than overall.
//!
//! Peeling starts from the box holding every case and, step by step, cuts a
//! thin slice (a share `alpha` of the cases in the box) off the low or high
//! end of one input, whichever cut raises the box's density most per case
//! removed (EMA's "lenient 1" objective: patient, so a cut that throws away
//! a block of tied values must earn it). Ties in an input go as a block, so
//! a 0/1 input (did a shock fire) or a date with "never" is cut by whole
//! values. It stops when no cut raises the density or the box would hold
//! fewer than `mass_min` of all cases. Every box met on the way is kept:
//! the coverage–density trajectory.
//!
//! Pure arithmetic on columns of numbers: the same data give the same boxes.

/// How to peel.
#[derive(Debug, Clone, Copy)]
pub struct PrimOptions {
    /// The share of the box's cases one cut removes (at least one case).
    pub alpha: f64,
    /// The smallest box, as a share of all cases.
    pub mass_min: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions {
            alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

/// One box: per input the smallest and largest value it keeps (inclusive),
/// and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    pub limits: Vec<(f64, f64)>,
    /// Cases in the box, and those among them that meet the condition.
    pub cases: usize,
    pub hits: usize,
    /// hits / hits of all cases.
    pub coverage: f64,
    /// hits / cases.
    pub density: f64,
    /// cases / all cases.
    pub mass: f64,
}

impl PrimBox {
    /// The inputs this box restricts, compared with the full ranges.
    pub fn restricted(&self, full: &PrimBox) -> Vec<usize> {
        (0..self.limits.len())
            .filter(|&d| self.limits[d].0 > full.limits[d].0 || self.limits[d].1 < full.limits[d].1)
            .collect()
    }
}

/// Every box met while peeling, the full box first.
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub boxes: Vec<PrimBox>,
    pub cases: usize,
    pub hits: usize,
}

/// The box of `columns` (one per input, equal lengths) that `limits` cut out.
fn members(columns: &[Vec<f64>], limits: &[(f64, f64)], cases: usize) -> Vec<usize> {
    (0..cases)
        .filter(|&i| {
            columns
                .iter()
                .zip(limits)
                .all(|(c, &(lo, hi))| c[i] >= lo && c[i] <= hi)
        })
        .collect()
}

fn describe(columns: &[Vec<f64>], y: &[bool], inside: &[usize], total_hits: usize) -> PrimBox {
    let limits = columns
        .iter()
        .map(|c| {
            inside
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    (lo.min(c[i]), hi.max(c[i]))
                })
        })
        .collect();
    measure(limits, y, inside, total_hits)
}

fn measure(limits: Vec<(f64, f64)>, y: &[bool], inside: &[usize], total_hits: usize) -> PrimBox {
    let hits = inside.iter().filter(|&&i| y[i]).count();
    let cases = inside.len();
    PrimBox {
        limits,
        cases,
        hits,
        coverage: ratio(hits, total_hits),
        density: ratio(hits, cases),
        mass: ratio(cases, y.len()),
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Peel: the coverage–density trajectory of `columns` (inputs, one value
/// per case each) for the condition `y`.
pub fn peel(columns: &[Vec<f64>], y: &[bool], opts: PrimOptions) -> Trajectory {
    let n = y.len();
    let total_hits = y.iter().filter(|&&b| b).count();
    let mut inside: Vec<usize> = (0..n).collect();
    let mut boxes = vec![describe(columns, y, &inside, total_hits)];
    let mut scratch = Vec::with_capacity(n);
    loop {
        let current = boxes.last().expect("the full box");
        let (m, mean) = (inside.len(), current.density);
        if m == 0 || current.hits == m {
            break;
        }
        let cut = ((opts.alpha * m as f64).ceil() as usize).clamp(1, m);
        // (objective, column, keep values >= lo and <= hi)
        let mut best: Option<(f64, usize, f64, f64)> = None;
        for (d, c) in columns.iter().enumerate() {
            scratch.clear();
            scratch.extend(inside.iter().map(|&i| c[i]));
            let (lo, hi) = current.limits[d];
            if lo == hi {
                continue;
            }
            let low = *scratch.select_nth_unstable_by(cut - 1, f64::total_cmp).1;
            let high = *scratch.select_nth_unstable_by(m - cut, f64::total_cmp).1;
            // Cut the low end (every case <= low) or the high end (>= high),
            // unless the cut would take every case.
            let candidates = [
                (low < hi).then_some((next_above(&scratch, low), hi)),
                (high > lo).then_some((lo, next_below(&scratch, high))),
            ];
            for (keep_lo, keep_hi) in candidates.into_iter().flatten() {
                let (mut cases, mut hits) = (0usize, 0usize);
                for &i in &inside {
                    if c[i] >= keep_lo && c[i] <= keep_hi {
                        cases += 1;
                        hits += usize::from(y[i]);
                    }
                }
                let density = ratio(hits, cases);
                let removed = (m - cases) as f64 / n as f64;
                let objective = (density - mean) / removed;
                if cases < m
                    && density > mean
                    && (cases as f64) >= opts.mass_min * n as f64
                    && best.is_none_or(|b| objective > b.0)
                {
                    best = Some((objective, d, keep_lo, keep_hi));
                }
            }
        }
        let Some((_, d, keep_lo, keep_hi)) = best else {
            break;
        };
        inside.retain(|&i| columns[d][i] >= keep_lo && columns[d][i] <= keep_hi);
        let mut limits = boxes.last().expect("the full box").limits.clone();
        limits[d] = inside
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                (lo.min(columns[d][i]), hi.max(columns[d][i]))
            });
        boxes.push(measure(limits, y, &inside, total_hits));
    }
    Trajectory {
        boxes,
        cases: n,
        hits: total_hits,
    }
}

/// The smallest value above `v` (there is one: the caller checked).
fn next_above(values: &[f64], v: f64) -> f64 {
    values
        .iter()
        .copied()
        .filter(|&x| x > v)
        .fold(f64::INFINITY, f64::min)
}

fn next_below(values: &[f64], v: f64) -> f64 {
    values
        .iter()
        .copied()
        .filter(|&x| x < v)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The rule that picks the box to tell: the densest box on the trajectory
/// that still holds at least `min_coverage` of the cases that meet the
/// condition (the full box if none does).
pub fn choose(t: &Trajectory, min_coverage: f64) -> usize {
    // Density rises at every peel, so the densest qualifying box is the last.
    t.boxes
        .iter()
        .rposition(|b| b.coverage >= min_coverage)
        .unwrap_or(0)
}

/// A box with as few restrictions as tell its story, judged on cases the
/// peel did not see (`columns`, `y`: a second, independent sample): each
/// restriction of `b` (against `full`, the peel's full box) is lifted, the
/// least useful first, while one is needless there — lifting it lowers the
/// density by less than three standard errors of that drop (it may be
/// chance), or by less than `share` of what the box gains over all cases
/// (it adds little). Peeling picks each cut as the best of dozens, so on
/// its own cases every cut looks useful; fresh cases say which are. The box
/// returned is measured on the fresh cases; a lifted limit is unbounded.
pub fn simplify(
    columns: &[Vec<f64>],
    y: &[bool],
    full: &PrimBox,
    b: &PrimBox,
    share: f64,
) -> PrimBox {
    let hits = y.iter().filter(|&&v| v).count();
    let base = ratio(hits, y.len());
    let inside = members(columns, &b.limits, y.len());
    let mut current = measure(b.limits.clone(), y, &inside, hits);
    loop {
        let mut best: Option<PrimBox> = None;
        for d in current.restricted(full) {
            let mut limits = current.limits.clone();
            limits[d] = (f64::NEG_INFINITY, f64::INFINITY);
            let inside = members(columns, &limits, y.len());
            let candidate = measure(limits, y, &inside, hits);
            if needless(&current, &candidate, base, share)
                && best.as_ref().is_none_or(|b| candidate.density > b.density)
            {
                best = Some(candidate);
            }
        }
        match best {
            Some(b) => current = b,
            None => return current,
        }
    }
}

/// Does widening box `b` to `wider` (which holds it) lose little density?
/// The drop is (added / wider) · (density in b − density of the added
/// cases); its standard error, with the pooled density p, is
/// (added / wider) · √(p(1 − p)(1/cases + 1/added)).
fn needless(b: &PrimBox, wider: &PrimBox, base: f64, share: f64) -> bool {
    let drop = b.density - wider.density;
    let added = wider.cases.saturating_sub(b.cases);
    if added == 0 {
        return true;
    }
    let p = wider.density;
    let (n, a) = (b.cases as f64, added as f64);
    let se = a / wider.cases as f64 * (p * (1.0 - p) * (1.0 / n + 1.0 / a)).sqrt();
    drop < 3.0 * se || drop < share * (b.density - base)
}

/// Pasting: widen each restricted limit of `b` again by up to `alpha` of
/// its cases at a time, out to the next values, while that raises the
/// density (Friedman & Fisher's second phase; it undoes peels that a later
/// peel made needless).
pub fn paste(columns: &[Vec<f64>], y: &[bool], t: &Trajectory, b: &PrimBox, alpha: f64) -> PrimBox {
    let full = &t.boxes[0];
    let mut current = b.clone();
    loop {
        let mut best: Option<PrimBox> = None;
        let grow = ((alpha * current.cases as f64).ceil() as usize).max(1);
        for d in current.restricted(full) {
            let (lo, hi) = current.limits[d];
            let c = &columns[d];
            // The cases just outside this limit that meet every other limit.
            let others = |i: usize| {
                columns
                    .iter()
                    .zip(&current.limits)
                    .enumerate()
                    .all(|(e, (col, &(l, h)))| e == d || (col[i] >= l && col[i] <= h))
            };
            let mut below: Vec<f64> = (0..y.len())
                .filter(|&i| c[i] < lo && others(i))
                .map(|i| c[i])
                .collect();
            let mut above: Vec<f64> = (0..y.len())
                .filter(|&i| c[i] > hi && others(i))
                .map(|i| c[i])
                .collect();
            below.sort_unstable_by(|a, b| b.total_cmp(a));
            above.sort_unstable_by(f64::total_cmp);
            let mut options = Vec::new();
            if let Some(&v) = below.get(grow.min(below.len()).saturating_sub(1)) {
                options.push((v, hi));
            }
            if let Some(&v) = above.get(grow.min(above.len()).saturating_sub(1)) {
                options.push((lo, v));
            }
            for (l, h) in options {
                let mut limits = current.limits.clone();
                limits[d] = (l, h);
                let inside = members(columns, &limits, y.len());
                let candidate = measure(limits, y, &inside, t.hits);
                if candidate.density > current.density
                    && best.as_ref().is_none_or(|b| candidate.density > b.density)
                {
                    best = Some(candidate);
                }
            }
        }
        match best {
            Some(b) => current = b,
            None => return current,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Three uniform inputs and a fired/not input; the condition holds with
    /// probability 0.9 in the planted box x0 < 0.3, x1 > 0.6, and 0.05
    /// elsewhere. x2 and the coin do not matter.
    fn planted(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let x: [f64; 4] = [
                rng.random(),
                rng.random(),
                rng.random(),
                f64::from(u8::from(rng.random_bool(0.4))),
            ];
            let inside = x[0] < 0.3 && x[1] > 0.6;
            y.push(rng.random_bool(if inside { 0.9 } else { 0.05 }));
            for (c, v) in cols.iter_mut().zip(x) {
                c.push(v);
            }
        }
        (cols, y)
    }

    #[test]
    fn peeling_finds_the_planted_box_and_its_density() {
        let (cols, y) = planted(20_000, 11);
        let (fresh, fresh_y) = planted(20_000, 12);
        let t = peel(&cols, &y, PrimOptions::default());
        // Density rises at every step and mass never goes below the floor.
        for w in t.boxes.windows(2) {
            assert!(w[1].density > w[0].density && w[1].cases < w[0].cases);
        }
        assert!(t.boxes.iter().all(|b| b.mass >= 0.05));
        let chosen = &t.boxes[choose(&t, 0.5)];
        let pasted = paste(&cols, &y, &t, chosen, 0.05);
        let b = simplify(&fresh, &fresh_y, &t.boxes[0], &pasted, 0.1);
        assert_eq!(b.restricted(&t.boxes[0]), vec![0, 1], "{b:?}");
        assert_eq!(b.limits[2], (f64::NEG_INFINITY, f64::INFINITY));
        let (x0, x1) = (b.limits[0], b.limits[1]);
        assert!(x0.0 < 0.05 && (x0.1 - 0.3).abs() < 0.05, "x0 {x0:?}");
        assert!((x1.0 - 0.6).abs() < 0.05 && x1.1 > 0.95, "x1 {x1:?}");
        assert!(
            (b.density - 0.9).abs() < 0.04,
            "density {} {b:?}",
            b.density
        );
        // Every limit within 0.05 of the planted one.
        // The planted box holds 0.9·0.12 of 0.9·0.12 + 0.05·0.88 of all hits
        // (0.71); a box a little inside it holds a little less.
        assert!(
            b.coverage > 0.6 && b.coverage < 0.75,
            "coverage {} {b:?}",
            b.coverage
        );
    }

    #[test]
    fn pasting_never_lowers_the_density_and_ties_go_as_a_block() {
        let (cols, y) = planted(5_000, 11);
        let t = peel(&cols, &y, PrimOptions::default());
        let b = &t.boxes[choose(&t, 0.5)];
        let pasted = paste(&cols, &y, &t, b, 0.05);
        assert!(pasted.density >= b.density);
        // The coin keeps both values or one: no box cuts inside a value.
        for b in &t.boxes {
            assert!(matches!(b.limits[3], (0.0, 1.0) | (0.0, 0.0) | (1.0, 1.0)));
        }
    }

    #[test]
    fn a_condition_met_everywhere_or_nowhere_gives_the_full_box() {
        let (cols, _) = planted(500, 11);
        for v in [true, false] {
            let y = vec![v; 500];
            let t = peel(&cols, &y, PrimOptions::default());
            assert_eq!(t.boxes.len(), 1);
        }
    }
}
