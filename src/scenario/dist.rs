//! Uncertain numbers: a plain number or one of six distributions, sampled
//! once per run. Parsing checks the distribution is possible (sd ≥ 0,
//! lo ≤ hi, …) and builds its sampler once; checking the scenario attaches
//! the `Domain` of the quantity it describes (`Dist::within`), after which a
//! `Dist` is a `rand::distr::Distribution<f64>` whose draws lie in it.

use rand::Rng;
use rand::distr::Distribution;
use rand_distr::{Beta, LogNormal, Normal, Triangular};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// A plain number: no draw, never clamped.
    Const(f64),
    Random(Random),
}

/// A distribution as the file writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Law {
    Uniform(f64, f64),
    Normal(f64, f64),
    LogNormal(f64, f64),
    Beta(f64, f64),
    Triangular(f64, f64, f64),
    Discrete(Vec<f64>, Vec<f64>),
}

/// A checked law with its sampler built once, and the domain its draws are
/// clamped to (only unbounded laws ever need the clamp).
#[derive(Debug, Clone)]
pub struct Random {
    law: Law,
    domain: Domain,
    sampler: Sampler,
}

/// Two distributions are equal when they say the same thing; the sampler
/// follows from the law.
impl PartialEq for Random {
    fn eq(&self, other: &Random) -> bool {
        self.law == other.law && self.domain == other.domain
    }
}

#[derive(Debug, Clone)]
enum Sampler {
    Uniform(f64, f64),
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Beta(Beta<f64>),
    Triangular(Triangular<f64>),
    /// A triangular of zero width: its one value, without a draw.
    Point(f64),
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
        total: f64,
    },
}

/// The range a quantity may take. Bounded distributions must lie inside it;
/// normal and lognormal draws are clamped to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    pub lo: f64,
    pub hi: f64,
    /// `lo` itself is excluded (durations in years must be > 0).
    pub open_lo: bool,
}

/// No quantity in the model is larger than this in magnitude: it keeps every
/// product in the vendor-choice logit and the hazards finite, so no input can
/// turn into NaN downstream.
pub const LIMIT: f64 = 1e9;

impl Domain {
    pub const ANY: Domain = Domain::new(-LIMIT, LIMIT);
    pub const UNIT: Domain = Domain::new(0.0, 1.0);
    pub const NON_NEGATIVE: Domain = Domain::new(0.0, LIMIT);
    pub const POSITIVE: Domain = Domain {
        lo: 0.0,
        hi: LIMIT,
        open_lo: true,
    };
    pub const PRICE: Domain = Domain::new(-0.99, LIMIT);
    /// Chinese leverage: positive pulls operators to high-risk vendors, a
    /// negative value is a debt experience that made a country wary.
    pub const LEVERAGE: Domain = Domain::new(-1.0, 1.0);

    pub const fn new(lo: f64, hi: f64) -> Domain {
        Domain {
            lo,
            hi,
            open_lo: false,
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        (if self.open_lo {
            x > self.lo
        } else {
            x >= self.lo
        }) && x <= self.hi
    }

    /// Clamp into the domain; an open lower bound clamps to a small positive number.
    pub fn clamp(&self, x: f64) -> f64 {
        let lo = if self.open_lo {
            self.lo + 1e-6
        } else {
            self.lo
        };
        x.clamp(lo, self.hi)
    }

    pub fn describe(&self) -> String {
        let lo = fmt_num(self.lo);
        match (self.hi >= LIMIT, self.open_lo) {
            (true, _) if self.lo <= -LIMIT => "a number between -1e9 and 1e9".into(),
            (true, true) => format!("greater than {lo} (and at most 1e9)"),
            (true, false) => format!("at least {lo} (and at most 1e9)"),
            (false, _) => format!("between {lo} and {}", fmt_num(self.hi)),
        }
    }
}

impl Random {
    /// Check the law is possible and build its sampler. The domain is
    /// `Domain::ANY` until the scenario's checks narrow it (`Dist::within`).
    pub fn new(law: Law) -> Result<Random, String> {
        let sampler = match &law {
            Law::Uniform(lo, hi) => {
                if lo > hi {
                    return Err(format!(
                        "uniform needs lo ≤ hi, found lo = {lo} > hi = {hi}"
                    ));
                }
                Sampler::Uniform(*lo, *hi)
            }
            Law::Normal(m, sd) => {
                if *sd < 0.0 {
                    return Err(format!("normal needs sd ≥ 0, found sd = {sd}"));
                }
                Sampler::Normal(Normal::new(*m, *sd).map_err(|e| format!("normal: {e}"))?)
            }
            Law::LogNormal(mu, s) => {
                if *s < 0.0 {
                    return Err(format!("lognormal needs sigma ≥ 0, found sigma = {s}"));
                }
                Sampler::LogNormal(LogNormal::new(*mu, *s).map_err(|e| format!("lognormal: {e}"))?)
            }
            Law::Beta(a, b) => {
                if *a <= 0.0 || *b <= 0.0 {
                    return Err(format!("beta needs a > 0 and b > 0, found [{a}, {b}]"));
                }
                Sampler::Beta(Beta::new(*a, *b).map_err(|e| format!("beta: {e}"))?)
            }
            Law::Triangular(lo, mode, hi) => {
                if !(lo <= mode && mode <= hi) {
                    return Err(format!(
                        "triangular needs lo ≤ mode ≤ hi, found [{lo}, {mode}, {hi}]"
                    ));
                }
                if lo < hi {
                    Sampler::Triangular(
                        Triangular::new(*lo, *hi, *mode).map_err(|e| format!("triangular: {e}"))?,
                    )
                } else {
                    Sampler::Point(*lo)
                }
            }
            Law::Discrete(values, weights) => {
                if values.is_empty() {
                    return Err("discrete needs at least one value".into());
                }
                if weights.len() != values.len() {
                    return Err(format!(
                        "discrete has {} values but {} weights: give one weight per value",
                        values.len(),
                        weights.len()
                    ));
                }
                let total: f64 = weights.iter().sum();
                if weights.iter().any(|w| *w < 0.0) || total <= 0.0 {
                    return Err("discrete weights must be ≥ 0 with a positive sum".into());
                }
                Sampler::Discrete {
                    values: values.clone(),
                    weights: weights.clone(),
                    total,
                }
            }
        };
        Ok(Random {
            law,
            domain: Domain::ANY,
            sampler,
        })
    }

    pub fn law(&self) -> &Law {
        &self.law
    }

    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// One draw before clamping.
    fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Sampler::Uniform(lo, hi) => lo + (hi - lo) * unit(rng),
            Sampler::Normal(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Beta(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Point(x) => *x,
            Sampler::Discrete {
                values,
                weights,
                total,
            } => {
                let mut u = unit(rng) * total;
                let mut pick = values[values.len() - 1];
                for (v, w) in values.iter().zip(weights) {
                    if u < *w {
                        pick = *v;
                        break;
                    }
                    u -= w;
                }
                pick
            }
        }
    }
}

impl Distribution<f64> for Random {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.domain.clamp(self.draw(rng))
    }
}

/// One draw: the number itself, or a draw of the distribution clamped to
/// the domain the scenario's checks attached.
impl Distribution<f64> for Dist {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Const(x) => *x,
            Dist::Random(r) => r.sample(rng),
        }
    }
}

impl Dist {
    /// A distribution, checked and built (see [`Random::new`]).
    pub fn random(law: Law) -> Result<Dist, String> {
        Random::new(law).map(Dist::Random)
    }

    /// Smallest and largest value a draw can take (before clamping).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Const(x) => (*x, *x),
            Dist::Random(r) => match &r.law {
                Law::Uniform(lo, hi) | Law::Triangular(lo, _, hi) => (*lo, *hi),
                Law::Normal(m, sd) if *sd == 0.0 => (*m, *m),
                Law::Normal(..) => (-LIMIT, LIMIT),
                Law::LogNormal(..) => (0.0, LIMIT),
                Law::Beta(..) => (0.0, 1.0),
                Law::Discrete(v, _) => v
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                        (lo.min(*x), hi.max(*x))
                    }),
            },
        }
    }

    /// Whether draws are clamped rather than checked against a domain.
    pub fn is_unbounded(&self) -> bool {
        match self {
            Dist::Random(r) => {
                matches!(r.law, Law::Normal(_, sd) if sd > 0.0)
                    || matches!(r.law, Law::LogNormal(..))
            }
            Dist::Const(_) => false,
        }
    }

    /// Does this distribution fit the domain? Unbounded ones always do (clamped).
    pub fn check_domain(&self, domain: Domain) -> Result<(), String> {
        if self.is_unbounded() {
            return Ok(());
        }
        let (lo, hi) = self.support();
        if domain.contains(lo) && domain.contains(hi) {
            return Ok(());
        }
        if lo == hi {
            Err(format!(
                "{} is out of range: expected {}",
                fmt_num(lo),
                domain.describe()
            ))
        } else {
            Err(format!(
                "this distribution reaches [{}, {}], outside the allowed range ({})",
                fmt_num(lo),
                fmt_num(hi),
                domain.describe()
            ))
        }
    }

    /// This number as the quantity of `domain` it describes: checked to fit
    /// it, and from now on drawn into it. The one place a domain is attached.
    pub fn within(&self, domain: Domain) -> Result<Dist, String> {
        self.check_domain(domain)?;
        Ok(match self {
            Dist::Const(x) => Dist::Const(*x),
            Dist::Random(r) => Dist::Random(Random {
                domain,
                ..r.clone()
            }),
        })
    }

    /// The mean, for plain-words explanations.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Const(x) => *x,
            Dist::Random(r) => match &r.law {
                Law::Uniform(a, b) => (a + b) / 2.0,
                Law::Normal(m, _) => *m,
                Law::LogNormal(mu, s) => (mu + s * s / 2.0).exp(),
                Law::Beta(a, b) => a / (a + b),
                Law::Triangular(a, c, b) => (a + b + c) / 3.0,
                Law::Discrete(v, w) => {
                    let total: f64 = w.iter().sum();
                    v.iter().zip(w).map(|(x, p)| x * p).sum::<f64>() / total
                }
            },
        }
    }

    /// One draw clamped to `domain` instead of the attached one.
    fn sample_in<R: Rng + ?Sized>(&self, rng: &mut R, domain: Domain) -> f64 {
        match self {
            Dist::Const(x) => *x,
            Dist::Random(r) => domain.clamp(r.draw(rng)),
        }
    }
}

/// A uniform draw in [0, 1) with 53 bits.
#[inline]
pub fn unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // Below 2^53, so exact as an i64: x86-64 converts a signed integer in
    // one instruction and an unsigned one in several (same value).
    ((rng.next_u64() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

pub fn fmt_num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Exact TOML form: numbers print with Rust's shortest round-trip digits,
/// so a resolved file reruns to the same bits.
impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dist::Const(x) => write!(f, "{}", exact(*x)),
            Dist::Random(r) => write!(f, "{}", r.law),
        }
    }
}

impl fmt::Display for Law {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[f64]| v.iter().map(|x| exact(*x)).collect::<Vec<_>>().join(", ");
        match self {
            Law::Uniform(a, b) => write!(f, "{{ uniform = [{}] }}", list(&[*a, *b])),
            Law::Normal(a, b) => write!(f, "{{ normal = [{}] }}", list(&[*a, *b])),
            Law::LogNormal(a, b) => write!(f, "{{ lognormal = [{}] }}", list(&[*a, *b])),
            Law::Beta(a, b) => write!(f, "{{ beta = [{}] }}", list(&[*a, *b])),
            Law::Triangular(a, m, b) => write!(f, "{{ triangular = [{}] }}", list(&[*a, *m, *b])),
            Law::Discrete(v, w) => {
                write!(f, "{{ discrete = [{}], weights = [{}] }}", list(v), list(w))
            }
        }
    }
}

/// A number as TOML, exactly (always with a decimal point or exponent).
pub fn exact(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E']) || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// Plain-words form for `explain`: the value, or the central value and the
/// range that holds 90% of the draws (found by sampling with a fixed seed,
/// so the text never changes between calls).
pub fn describe(d: &Dist) -> String {
    describe_with(d, &fmt_num)
}

/// As [`describe`], for shares: numbers as percentages.
pub fn describe_share(d: &Dist) -> String {
    describe_with(d, &|x| format!("{}%", fmt_num((x * 1000.0).round() / 10.0)))
}

fn describe_with(d: &Dist, num: &dyn Fn(f64) -> String) -> String {
    let law = match d {
        Dist::Const(x) => return num(*x),
        Dist::Random(r) => &r.law,
    };
    match law {
        Law::Uniform(a, b) => format!("anywhere from {} to {}", num(*a), num(*b)),
        Law::Discrete(v, w) if v.len() <= 4 => {
            let total: f64 = w.iter().sum();
            let parts: Vec<String> = v
                .iter()
                .zip(w)
                .map(|(x, p)| format!("{} ({}%)", num(*x), fmt_num((p / total * 100.0).round())))
                .collect();
            format!("one of {}", parts.join(", "))
        }
        _ => {
            use rand::SeedableRng;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
            // Unclamped (but for the model's limits), whatever the domain.
            let mut draws: Vec<f64> = (0..4000)
                .map(|_| d.sample_in(&mut rng, Domain::ANY))
                .collect();
            // Three order statistics, each found in linear time (the
            // workshop describes its shocks on every answer).
            let mut at = |k: usize| *draws.select_nth_unstable_by(k, f64::total_cmp).1;
            let (p05, p50, p95) = (at(200), at(2000), at(3800));
            let round = |x: f64| (x * 100.0).round() / 100.0;
            format!(
                "about {} (90% between {} and {})",
                num(round(p50)),
                num(round(p05)),
                num(round(p95))
            )
        }
    }
}

const KINDS: &[&str] = &[
    "uniform",
    "normal",
    "lognormal",
    "beta",
    "triangular",
    "discrete",
];
const EXPECTING: &str = "a number or a distribution such as { uniform = [lo, hi] }, { normal = [mean, sd] }, { lognormal = [mu, sigma] }, { beta = [a, b] }, { triangular = [lo, mode, hi] } or { discrete = [v1, v2], weights = [w1, w2] }";

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

struct DistVisitor;

fn finite<E: de::Error>(x: f64) -> Result<f64, E> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(E::custom(format!("{x} is not a finite number")))
    }
}

impl<'de> Visitor<'de> for DistVisitor {
    type Value = Dist;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dist, E> {
        Ok(Dist::Const(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dist, E> {
        Ok(Dist::Const(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dist, E> {
        finite(v).map(Dist::Const)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        let mut kind: Option<(String, Vec<f64>)> = None;
        let mut weights: Option<Vec<f64>> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "weights" {
                weights = Some(map.next_value()?);
            } else if KINDS.contains(&key.as_str()) {
                if let Some((first, _)) = &kind {
                    return Err(de::Error::custom(format!(
                        "a distribution has one kind, found both `{first}` and `{key}`"
                    )));
                }
                kind = Some((key, map.next_value()?));
            } else {
                let hint = crate::error::did_you_mean(&key, KINDS.iter().copied())
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                return Err(de::Error::custom(format!(
                    "unknown distribution `{key}`{hint}; expected one of uniform, normal, lognormal, beta, triangular, discrete"
                )));
            }
        }
        let Some((kind, args)) = kind else {
            return Err(de::Error::custom(format!(
                "empty distribution: expected {EXPECTING}"
            )));
        };
        for x in args.iter().chain(weights.iter().flatten()) {
            finite::<A::Error>(*x)?;
        }
        if weights.is_some() && kind != "discrete" {
            return Err(de::Error::custom("`weights` goes only with `discrete`"));
        }
        let need = |n: usize, form: &str| -> Result<(), A::Error> {
            if args.len() == n {
                Ok(())
            } else {
                Err(de::Error::custom(format!(
                    "`{kind}` takes {n} numbers ({form}), found {}",
                    args.len()
                )))
            }
        };
        let law = match kind.as_str() {
            "uniform" => {
                need(2, "[lo, hi]")?;
                Law::Uniform(args[0], args[1])
            }
            "normal" => {
                need(2, "[mean, sd]")?;
                Law::Normal(args[0], args[1])
            }
            "lognormal" => {
                need(2, "[mu, sigma]")?;
                Law::LogNormal(args[0], args[1])
            }
            "beta" => {
                need(2, "[a, b]")?;
                Law::Beta(args[0], args[1])
            }
            "triangular" => {
                need(3, "[lo, mode, hi]")?;
                Law::Triangular(args[0], args[1], args[2])
            }
            _ => {
                let weights = weights.unwrap_or_else(|| vec![1.0; args.len()]);
                Law::Discrete(args, weights)
            }
        };
        Dist::random(law).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[derive(Deserialize)]
    struct T {
        x: Dist,
    }

    fn parse(s: &str) -> Result<Dist, String> {
        toml::from_str::<T>(s)
            .map(|t| t.x)
            .map_err(|e| e.message().to_string())
    }

    fn dist(law: Law) -> Dist {
        Dist::random(law).expect("a possible law")
    }

    #[test]
    fn parses_every_kind() {
        assert_eq!(parse("x = 3").unwrap(), Dist::Const(3.0));
        assert_eq!(
            parse("x = { uniform = [0.1, 0.3] }").unwrap(),
            dist(Law::Uniform(0.1, 0.3))
        );
        assert_eq!(
            parse("x = { beta = [2, 3] }").unwrap(),
            dist(Law::Beta(2.0, 3.0))
        );
        assert_eq!(
            parse("x = { discrete = [1, 2], weights = [1, 3] }").unwrap(),
            dist(Law::Discrete(vec![1.0, 2.0], vec![1.0, 3.0]))
        );
        assert_eq!(
            parse("x = { discrete = [1, 2] }").unwrap(),
            dist(Law::Discrete(vec![1.0, 2.0], vec![1.0, 1.0]))
        );
    }

    #[test]
    fn prints_what_it_parsed() {
        for text in [
            "3.0",
            "{ uniform = [0.1, 0.3] }",
            "{ normal = [0.5, 0.1] }",
            "{ lognormal = [-1.0, 0.5] }",
            "{ beta = [2.0, 3.0] }",
            "{ triangular = [0.0, 0.2, 1.0] }",
            "{ discrete = [1.0, 2.0], weights = [1.0, 3.0] }",
        ] {
            let d = parse(&format!("x = {text}")).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(d.within(Domain::ANY).unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_impossible_distributions() {
        assert!(
            parse("x = { normal = [0, -1] }")
                .unwrap_err()
                .contains("sd ≥ 0")
        );
        assert!(
            parse("x = { uniform = [2, 1] }")
                .unwrap_err()
                .contains("lo ≤ hi")
        );
        assert!(
            parse("x = { beta = [0, 1] }")
                .unwrap_err()
                .contains("a > 0")
        );
        assert!(
            parse("x = { triangular = [0, 2, 1] }")
                .unwrap_err()
                .contains("lo ≤ mode ≤ hi")
        );
        assert!(
            parse("x = { discrete = [1, 2], weights = [1] }")
                .unwrap_err()
                .contains("2 values but 1 weights")
        );
        assert!(
            parse("x = { uniforn = [0, 1] }")
                .unwrap_err()
                .contains("did you mean `uniform`")
        );
        assert!(parse("x = nan").is_err());
        assert!(parse("x = { normal = [inf, 1] }").is_err());
    }

    #[test]
    fn domain_checks_bounded_supports_and_clamps_unbounded_draws() {
        assert!(dist(Law::Uniform(-0.1, 0.5)).within(Domain::UNIT).is_err());
        assert!(dist(Law::Beta(2.0, 2.0)).within(Domain::UNIT).is_ok());
        assert!(Dist::Const(0.0).within(Domain::POSITIVE).is_err());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let d = dist(Law::Normal(0.0, 10.0));
        let unit_d = d.within(Domain::UNIT).unwrap();
        assert!((0..1000).any(|_| !(0.0..=1.0).contains(&d.sample(&mut rng))));
        for _ in 0..1000 {
            let x = unit_d.sample(&mut rng);
            assert!((0.0..=1.0).contains(&x));
        }
        let Dist::Random(r) = &unit_d else {
            panic!("a normal is random")
        };
        assert_eq!(r.domain(), Domain::UNIT);
    }

    /// The built samplers draw what rand_distr's own constructors draw, in
    /// the same number of words: results do not depend on when a sampler is built.
    #[test]
    fn draws_are_those_of_the_rand_distr_constructors() {
        type Reference = Box<dyn Fn(&mut ChaCha8Rng) -> f64>;
        let laws: Vec<(Law, Reference)> = vec![
            (
                Law::Normal(0.4, 0.3),
                Box::new(|r| Normal::new(0.4, 0.3).unwrap().sample(r)),
            ),
            (
                Law::LogNormal(-1.0, 0.5),
                Box::new(|r| LogNormal::new(-1.0, 0.5).unwrap().sample(r)),
            ),
            (
                Law::Beta(2.0, 5.0),
                Box::new(|r| Beta::new(2.0, 5.0).unwrap().sample(r)),
            ),
            (
                Law::Beta(0.5, 0.7),
                Box::new(|r| Beta::new(0.5, 0.7).unwrap().sample(r)),
            ),
            (
                Law::Triangular(0.1, 0.2, 0.9),
                Box::new(|r| Triangular::new(0.1, 0.9, 0.2).unwrap().sample(r)),
            ),
            (Law::Triangular(0.3, 0.3, 0.3), Box::new(|_| 0.3)),
            (
                Law::Uniform(0.2, 0.7),
                Box::new(|r| 0.2 + (0.7 - 0.2) * unit(r)),
            ),
        ];
        for (law, reference) in laws {
            let d = dist(law.clone()).within(Domain::UNIT).unwrap();
            let (mut a, mut b) = (ChaCha8Rng::seed_from_u64(9), ChaCha8Rng::seed_from_u64(9));
            for _ in 0..500 {
                let want = Domain::UNIT.clamp(reference(&mut b));
                assert_eq!(d.sample(&mut a).to_bits(), want.to_bits(), "{law}");
            }
            assert_eq!(a.next_u64(), b.next_u64(), "{law}: same number of draws");
        }
    }

    #[test]
    fn describing_ignores_the_attached_domain() {
        let d = dist(Law::Normal(0.5, 0.4));
        assert_eq!(describe(&d), describe(&d.within(Domain::UNIT).unwrap()));
    }

    #[test]
    fn sample_means_match_analytic_means() {
        // 20 000 draws: the standard error of a mean of a [0,1]-bounded
        // variable is at most 0.5/sqrt(20000) = 0.0035; we allow 4 of them.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for d in [
            dist(Law::Uniform(0.1, 0.3)),
            dist(Law::Beta(2.0, 5.0)),
            dist(Law::Triangular(0.0, 0.2, 1.0)),
            dist(Law::Discrete(vec![0.0, 1.0], vec![1.0, 3.0])),
        ] {
            let n = 20_000;
            let m: f64 = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
            assert!((m - d.mean()).abs() < 0.014, "{d}: {m} vs {}", d.mean());
        }
    }
}
