//! The model's own `exp`, in plain IEEE arithmetic. Two reasons: the
//! platform's libm may round differently from one machine (or glibc
//! version) to the next, which would break "same seed, same bytes" for
//! shards run on different nodes; and a function without tables or
//! branches vectorises, so the vendor-choice logits of all operators are
//! computed four at a time.

/// 1.5·2^52: adding it rounds a float of magnitude below 2^51 to an integer
/// (ties to even) held in the low mantissa bits — a float-to-int without the
/// instruction, which AVX2 lacks for 64-bit lanes. Also used by the tally.
pub(crate) const MAGIC: f64 = 6_755_399_441_055_744.0;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that n·LN2_HI is exact for |n| < 2^11 (fdlibm's split).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// Inputs are clamped here: e^-708 is still a normal number and e^709 finite.
const LOWEST: f64 = -708.0;
const HIGHEST: f64 = 709.0;

/// e^x to within one unit in the last place of libm's (tested), the
/// same bits on every platform. NaN stays NaN; beyond ±708 the result is
/// that of the clamp (about 3e-308 below, 8e307 above).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let c = x.clamp(LOWEST, HIGHEST);
    // n = round(c / ln 2), as a float and as an integer, without a
    // float-to-int instruction (AVX2 has none for 64-bit lanes).
    let t = c * LOG2_E + MAGIC;
    let n = t - MAGIC;
    let n_bits = (t.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    // |r| <= ln2/2: the Taylor series to r^13 leaves an error below 2^-60.
    // Estrin's scheme (pairs, then powers r^2, r^4, r^8) keeps the chain of
    // dependent operations short, so a batch overlaps well.
    let r = (c - n * LN2_HI) - n * LN2_LO;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q1 = 1.0 / 2.0 + r * (1.0 / 6.0);
    let q2 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let q3 = 1.0 / 720.0 + r * (1.0 / 5_040.0);
    let q4 = 1.0 / 40_320.0 + r * (1.0 / 362_880.0);
    let q5 = 1.0 / 3_628_800.0 + r * (1.0 / 39_916_800.0);
    let q6 = 1.0 / 479_001_600.0 + r * (1.0 / 6_227_020_800.0);
    let s0 = r + q1 * r2;
    let s1 = q2 + q3 * r2;
    let s2 = q4 + q5 * r2;
    let t0 = s0 + s1 * r4;
    let t1 = s2 + q6 * r4;
    // e^r − 1 first, then the 1: the small terms keep their bits.
    let p = 1.0 + (t0 + t1 * r8);
    let scale = f64::from_bits(((n_bits + 1023) as u64) << 52);
    let e = p * scale;
    if x.is_nan() { x } else { e }
}

/// logistic(x) = 1 / (1 + e^-x)
#[inline(always)]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + exp(-x))
}

/// `logistic` applied to every element, four at a time where the CPU has
/// AVX2 (picked at run time). Same bits either way: the same operations,
/// no fused multiply-add.
pub fn logistic_in_place(xs: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU reported AVX2.
        unsafe { logistic_avx2(xs) };
        return;
    }
    logistic_plain(xs);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn logistic_avx2(xs: &mut [f64]) {
    logistic_plain(xs);
}

/// `logistic` over a slice, compiled for the caller's target features
/// (inside an AVX2 function, four at a time).
#[inline(always)]
pub(crate) fn logistic_plain(xs: &mut [f64]) {
    for x in xs {
        *x = logistic(*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm_over_its_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut worst = 0;
        for i in 0..1_000_000 {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            // Half the draws where the model lives (|x| < 20), half everywhere.
            let x = if i % 2 == 0 {
                u * 40.0 - 20.0
            } else {
                u * (HIGHEST - LOWEST) + LOWEST
            };
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1e-300,
            -1e-300,
            LOWEST,
            HIGHEST,
            0.5f64.ln(),
        ] {
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 1, "worst error {worst} ulps");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::NEG_INFINITY), exp(LOWEST));
        assert!(exp(f64::INFINITY).is_finite() && exp(f64::INFINITY) > 1e307);
    }

    #[test]
    fn logistic_in_place_gives_the_same_bits_on_every_path() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        // 250 four-lane blocks and a tail of 3; extremes and NaN.
        let xs: Vec<f64> = (0..1003)
            .map(|i| match i % 50 {
                0 => f64::NAN,
                1 => 800.0,
                2 => -800.0,
                3 => 0.0,
                _ => ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64) * 60.0 - 30.0,
            })
            .collect();
        let scalar: Vec<f64> = xs.iter().map(|&x| logistic(x)).collect();
        let mut batch = xs.clone();
        logistic_in_place(&mut batch);
        for ((a, b), x) in scalar.iter().zip(&batch).zip(&xs) {
            assert_eq!(a.to_bits(), b.to_bits(), "logistic({x})");
        }
        assert_eq!(logistic(0.0), 0.5);
        assert!(logistic(-800.0) >= 0.0 && logistic(-800.0) < 1e-300);
        assert_eq!(logistic(800.0), 1.0);
    }
}
