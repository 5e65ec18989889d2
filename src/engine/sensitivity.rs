//! Sensitivity designs and their estimators, in the unit cube: which points
//! to run (Morris trajectories, a Saltelli matrix from an Owen-scrambled
//! Sobol sequence) and what the outcomes at those points say (Morris μ*, σ;
//! Sobol first-order and total indices with bootstrap intervals). Pure
//! arithmetic on numbers: a caller maps each coordinate in [0, 1] to an
//! input's value, runs the points and hands back one number per point, so
//! the same code serves a scenario and a test function with a known answer.
//! Every random choice comes from a generator seeded by the caller, so a
//! design and its intervals depend on the seed only.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A generator for design choices and bootstrap draws, apart from the runs'
/// own streams (which are named by the world; these are not).
fn generator(seed: u64, purpose: u64) -> ChaCha8Rng {
    let mut g = ChaCha8Rng::seed_from_u64(seed);
    g.set_stream(purpose);
    g
}

fn below(g: &mut ChaCha8Rng, n: usize) -> usize {
    // Rejection-free is fine here: n is tiny next to 2^64.
    (g.next_u64() % n as u64) as usize
}

/// Morris's one-at-a-time design: `r` trajectories of `k + 1` points on a
/// grid of `levels` values in [0, 1]; along a trajectory each input moves
/// once, by ±Δ with Δ = levels / (2 (levels − 1)).
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    pub k: usize,
    pub r: usize,
    pub levels: usize,
    pub delta: f64,
    /// `r · (k + 1)` points of `k` coordinates, trajectory by trajectory.
    pub points: Vec<Vec<f64>>,
    /// Per trajectory and step s (1..=k): the input that moved into point s,
    /// and whether it went up.
    pub moves: Vec<Vec<(usize, bool)>>,
}

pub fn morris_design(k: usize, r: usize, levels: usize, seed: u64) -> MorrisDesign {
    let levels = levels.max(2);
    let delta = levels as f64 / (2.0 * (levels as f64 - 1.0));
    // Start values from which +Δ stays inside [0, 1]: the lower half of the grid.
    let starts = (levels / 2).max(1);
    let mut g = generator(seed, 0x4d6f_7272_6973);
    let mut points = Vec::with_capacity(r * (k + 1));
    let mut moves = Vec::with_capacity(r);
    for _ in 0..r {
        let mut x: Vec<f64> = (0..k)
            .map(|_| below(&mut g, starts) as f64 / (levels as f64 - 1.0))
            .collect();
        let up: Vec<bool> = (0..k).map(|_| g.next_u64() & 1 == 1).collect();
        // Going down starts Δ higher.
        for i in 0..k {
            if !up[i] {
                x[i] += delta;
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, below(&mut g, i + 1));
        }
        points.push(x.clone());
        let mut steps = Vec::with_capacity(k);
        for &i in &order {
            x[i] += if up[i] { delta } else { -delta };
            // Grid values stay exact multiples of 1/(levels − 1).
            x[i] = (x[i] * (levels as f64 - 1.0)).round() / (levels as f64 - 1.0);
            points.push(x.clone());
            steps.push((i, up[i]));
        }
        moves.push(steps);
    }
    MorrisDesign {
        k,
        r,
        levels,
        delta,
        points,
        moves,
    }
}

/// An input's elementary effects summarised: mean, mean of absolute values
/// (μ*, the ranking measure) and standard deviation (σ: non-linearity or
/// interactions). Effects are per unit of the input's [0, 1] range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
}

/// μ, μ* and σ of each input from the outcome at every point of `d`.
pub fn morris_indices(d: &MorrisDesign, y: &[f64]) -> Vec<MorrisIndex> {
    assert_eq!(y.len(), d.points.len(), "one outcome per design point");
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(d.r); d.k];
    for (t, steps) in d.moves.iter().enumerate() {
        let base = t * (d.k + 1);
        for (s, &(i, up)) in steps.iter().enumerate() {
            let change = y[base + s + 1] - y[base + s];
            effects[i].push(if up { change } else { -change } / d.delta);
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|v| v.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisIndex { mu, mu_star, sigma }
        })
        .collect()
}

/// Sobol points per design: 2^16 is the most the sequence gives.
pub const MAX_SOBOL_SAMPLES: usize = 1 << 16;

/// The dimensions of one Owen-scrambled sequence; more take a second seed.
const SOBOL_DIMENSIONS: usize = 256;

/// Saltelli's design for `k` inputs and `n` base samples: for each sample j,
/// the rows A_j, B_j, then AB^(i)_j for i = 1..k (A_j with column i taken
/// from B_j), so `n · (k + 2)` points. A and B are the two halves of a
/// 2k-dimensional Owen-scrambled Sobol sequence seeded by `seed`.
pub fn saltelli_design(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(n <= MAX_SOBOL_SAMPLES, "at most 2^16 Sobol points");
    let seed32 = (seed ^ (seed >> 32)) as u32;
    let coordinate = |j: usize, dim: usize| -> f64 {
        // Past 256 dimensions, another seed gives an independent sequence.
        let (d, s) = (dim % SOBOL_DIMENSIONS, dim / SOBOL_DIMENSIONS);
        let u = f64::from(sobol_burley::sample(
            j as u32,
            d as u32,
            seed32.wrapping_add(s as u32 * 0x9e37_79b9),
        ));
        // Inside (0, 1): an inverse CDF at 0 or 1 may be infinite.
        u.clamp(1e-7, 1.0 - 1e-7)
    };
    let mut out = Vec::with_capacity(n * (k + 2));
    for j in 0..n {
        let a: Vec<f64> = (0..k).map(|i| coordinate(j, i)).collect();
        let b: Vec<f64> = (0..k).map(|i| coordinate(j, k + i)).collect();
        out.push(a.clone());
        out.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            out.push(ab);
        }
    }
    out
}

/// First-order (S1) and total (ST) index of one input, each with a
/// bootstrap 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    pub s1: f64,
    pub s1_lo: f64,
    pub s1_hi: f64,
    pub st: f64,
    pub st_lo: f64,
    pub st_hi: f64,
}

/// Bootstrap resamples behind each interval.
pub const BOOTSTRAP: usize = 1000;

/// S1 (Saltelli et al. 2010) and ST (Jansen 1999) for the outcomes `y` at the
/// points of `saltelli_design(k, n, _)`, in its order. Intervals: percentile
/// bootstrap over the n base samples (`BOOTSTRAP` resamples, seeded).
pub fn sobol_indices(k: usize, n: usize, y: &[f64], seed: u64) -> Vec<SobolIndex> {
    assert_eq!(y.len(), n * (k + 2), "one outcome per design point");
    let row = |j: usize| &y[j * (k + 2)..(j + 1) * (k + 2)];
    // For a list of base samples: (S1, ST) of every input.
    let estimate = |samples: &mut dyn Iterator<Item = usize>| -> Vec<(f64, f64)> {
        let mut count = 0.0;
        let (mut sum, mut sumsq) = (0.0, 0.0);
        let mut first = vec![0.0; k];
        let mut total = vec![0.0; k];
        for j in samples {
            let r = row(j);
            let (a, b) = (r[0], r[1]);
            count += 1.0;
            sum += a + b;
            sumsq += a * a + b * b;
            for i in 0..k {
                let ab = r[2 + i];
                first[i] += b * (ab - a);
                total[i] += (a - ab) * (a - ab);
            }
        }
        let m = sum / (2.0 * count);
        let var = sumsq / (2.0 * count) - m * m;
        (0..k)
            .map(|i| {
                if var <= 1e-300 {
                    (0.0, 0.0)
                } else {
                    (first[i] / count / var, total[i] / (2.0 * count) / var)
                }
            })
            .collect()
    };
    let point = estimate(&mut (0..n));
    let mut g = generator(seed, 0x0053_6f62_6f6c);
    let mut draws: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut picks = vec![0usize; n];
    for _ in 0..BOOTSTRAP {
        for p in picks.iter_mut() {
            *p = below(&mut g, n);
        }
        for (i, e) in estimate(&mut picks.iter().copied()).into_iter().enumerate() {
            draws[i].push(e);
        }
    }
    let interval = |mut v: Vec<f64>| -> (f64, f64) {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        (at(0.025), at(0.975))
    };
    (0..k)
        .map(|i| {
            let (s1_lo, s1_hi) = interval(draws[i].iter().map(|d| d.0).collect());
            let (st_lo, st_hi) = interval(draws[i].iter().map(|d| d.1).collect());
            SobolIndex {
                s1: point[i].0,
                s1_lo,
                s1_hi,
                st: point[i].1,
                st_lo,
                st_hi,
            }
        })
        .collect()
}

/// Why the indices cannot rank the inputs, if they cannot: the ST intervals
/// of two neighbours among the three most important overlap, or one of those
/// three intervals is wider than `MAX_WIDTH` (it says next to nothing). A
/// wide interval further down does not unsettle the ranking. `names` label
/// the inputs.
pub fn ranking_problem(indices: &[SobolIndex], names: &[String]) -> Option<String> {
    const MAX_WIDTH: f64 = 0.5;
    let mut order: Vec<usize> = (0..indices.len()).collect();
    order.sort_by(|&a, &b| indices[b].st.total_cmp(&indices[a].st).then(a.cmp(&b)));
    let widest = order.iter().take(3).copied().max_by(|&a, &b| {
        let w = |i: usize| indices[i].st_hi - indices[i].st_lo;
        w(a).total_cmp(&w(b)).then(b.cmp(&a))
    })?;
    let width = indices[widest].st_hi - indices[widest].st_lo;
    if width > MAX_WIDTH {
        return Some(format!(
            "the total index of “{}” has a 95% interval {:.2} wide (more than {MAX_WIDTH})",
            names[widest], width
        ));
    }
    for pair in order.windows(2).take(2) {
        let (a, b) = (&indices[pair[0]], &indices[pair[1]]);
        if a.st_lo <= b.st_hi && a.st > 0.0 {
            return Some(format!(
                "the 95% intervals of the total indices of “{}” and “{}” overlap, so which matters more is not settled",
                names[pair[0]], names[pair[1]]
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn morris_trajectories_move_each_input_once_by_delta_within_the_cube() {
        let d = morris_design(5, 7, 4, 3);
        assert_eq!(d.points.len(), 7 * 6);
        assert!((d.delta - 2.0 / 3.0).abs() < 1e-12);
        for (t, steps) in d.moves.iter().enumerate() {
            let mut moved: Vec<usize> = steps.iter().map(|s| s.0).collect();
            moved.sort();
            assert_eq!(moved, vec![0, 1, 2, 3, 4]);
            for (s, &(i, up)) in steps.iter().enumerate() {
                let (a, b) = (&d.points[t * 6 + s], &d.points[t * 6 + s + 1]);
                for j in 0..5 {
                    let change = b[j] - a[j];
                    if j == i {
                        let want = if up { d.delta } else { -d.delta };
                        assert!((change - want).abs() < 1e-12);
                    } else {
                        assert_eq!(change, 0.0);
                    }
                    assert!((0.0..=1.0).contains(&b[j]), "{b:?}");
                }
            }
        }
        // The design is the seed's: same seed, same points; another, others.
        assert_eq!(morris_design(5, 7, 4, 3).points, d.points);
        assert_ne!(morris_design(5, 7, 4, 4).points, d.points);
    }

    #[test]
    fn morris_ranks_a_linear_function_by_its_coefficients() {
        let c = [0.5, 4.0, -2.0, 0.0, 1.0];
        let d = morris_design(c.len(), 20, 4, 11);
        let y: Vec<f64> = d
            .points
            .iter()
            .map(|x| x.iter().zip(&c).map(|(x, c)| x * c).sum())
            .collect();
        let m = morris_indices(&d, &y);
        for (i, idx) in m.iter().enumerate() {
            // Linear: every elementary effect is the coefficient exactly.
            assert!((idx.mu_star - c[i].abs()).abs() < 1e-9, "{i}: {idx:?}");
            assert!((idx.mu - c[i]).abs() < 1e-9);
            assert!(idx.sigma < 1e-9);
        }
        let mut order: Vec<usize> = (0..c.len()).collect();
        order.sort_by(|&a, &b| m[b].mu_star.total_cmp(&m[a].mu_star));
        assert_eq!(order, vec![1, 2, 4, 0, 3]);
    }

    /// Ishigami, a = 7, b = 0.1, on [−π, π]^3: the analytic indices.
    pub(crate) const ISHIGAMI_S1: [f64; 3] = [0.3139, 0.4424, 0.0];
    pub(crate) const ISHIGAMI_ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn sobol_recovers_the_ishigami_indices_within_its_intervals() {
        let (k, n) = (3, 4096);
        let points = saltelli_design(k, n, 2025);
        let y: Vec<f64> = points.iter().map(|u| ishigami(u)).collect();
        let s = sobol_indices(k, n, &y, 2025);
        for i in 0..k {
            let x = &s[i];
            assert!(
                x.s1_lo <= ISHIGAMI_S1[i] && ISHIGAMI_S1[i] <= x.s1_hi,
                "S1[{i}] = {x:?}"
            );
            assert!(
                x.st_lo <= ISHIGAMI_ST[i] && ISHIGAMI_ST[i] <= x.st_hi,
                "ST[{i}] = {x:?}"
            );
            // And the intervals are narrow enough to mean something.
            assert!(x.st_hi - x.st_lo < 0.1 && x.s1_hi - x.s1_lo < 0.15, "{x:?}");
        }
        let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
        assert_eq!(ranking_problem(&s, &names), None);
    }

    #[test]
    fn an_input_the_function_ignores_gets_zero_indices_exactly() {
        let (k, n) = (3, 128);
        let points = saltelli_design(k, n, 1);
        let y: Vec<f64> = points.iter().map(|u| u[0] + 2.0 * u[1] * u[1]).collect();
        let s = sobol_indices(k, n, &y, 1);
        assert_eq!((s[2].s1, s[2].st, s[2].st_hi), (0.0, 0.0, 0.0));
        assert!(s[1].st > s[0].st && s[0].st > 0.1);
    }

    #[test]
    fn few_samples_are_flagged_as_too_wide_to_rank() {
        let (k, n) = (3, 8);
        let points = saltelli_design(k, n, 5);
        let y: Vec<f64> = points.iter().map(|u| ishigami(u)).collect();
        let s = sobol_indices(k, n, &y, 5);
        let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
        assert!(ranking_problem(&s, &names).is_some(), "{s:?}");
    }

    #[test]
    fn saltelli_rows_share_columns_as_the_estimators_assume() {
        let p = saltelli_design(4, 16, 9);
        assert_eq!(p.len(), 16 * 6);
        for j in 0..16 {
            let (a, b) = (&p[j * 6], &p[j * 6 + 1]);
            for i in 0..4 {
                let ab = &p[j * 6 + 2 + i];
                for c in 0..4 {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
                }
            }
            assert!(a.iter().chain(b).all(|u| *u > 0.0 && *u < 1.0));
        }
        assert_eq!(saltelli_design(4, 16, 9), p);
    }
}
