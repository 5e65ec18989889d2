//! `simulate calibrate FILE --targets TARGETS.toml`: history matching
//! (EXPLORE.md §4) on the experiment core.
//!
//! The parameters are the file's keys whose values are distributions (or
//! those `--params` names); their distributions are the priors. Wave 1 is a
//! Latin hypercube over the priors' quantiles; each draw is a design point
//! with the drawn values fixed by key-path settings, run for R replications
//! on common random numbers. A target's implausibility at a draw is
//! |simulated mean − observed| / √(sd² + discrepancy² + Monte Carlo
//! variance of the mean); a draw is kept when its largest implausibility is
//! at most the cutoff. Each later wave is a Latin hypercube over the
//! bounding box, in prior-quantile space, of the draws the wave before kept
//! (widened by a tenth of its width on each side, within the prior): the
//! draws stay prior-weighted inside the box, and the box shrinks as the
//! kept region does. The posterior is the kept draws of the last wave.
//!
//! Everything depends only on (seed, file, targets, draws, reps, waves,
//! cutoff): each draw is run on its own, whatever the thread count.

use crate::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
use crate::error::{Diagnostic, Error, Result};
use crate::model::World;
use crate::model::outcome::Outcome;
use crate::report::calibrate::{CalibrationView, DrawRow, ParamInfo, WaveInfo};
use crate::scenario::dist::{Dist, Law};
use crate::scenario::params::PARAMS;
use crate::scenario::targets::Targets;
use crate::scenario::{Base, Scenario, Setting, fnv1a64};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Draws of each prior kept to read its quantiles from.
const PRIOR_SAMPLE: usize = 4096;

pub struct CalibratePlan<'a> {
    pub file: &'a Path,
    pub set: &'a [Setting],
    pub targets: &'a Path,
    /// Calibrate only these keys (empty: every distribution of the file).
    pub params: &'a [String],
    /// Draws per wave.
    pub draws: usize,
    pub reps: u64,
    pub waves: usize,
    pub cutoff: f64,
    pub seed: Option<u64>,
    pub threads: usize,
    pub progress: bool,
    pub yes: bool,
}

/// A calibrated parameter: its key, its prior, and a sorted sample of the
/// prior (clamped to the key's domain) to read quantiles from.
pub struct Prior {
    pub key: String,
    pub dist: Dist,
    pub sample: Vec<f64>,
}

impl Prior {
    /// The prior's u-quantile (0 ≤ u ≤ 1), from its sample.
    pub fn quantile(&self, u: f64) -> f64 {
        let n = self.sample.len();
        let i = ((u * n as f64).floor() as usize).min(n - 1);
        self.sample[i]
    }

    fn is_discrete(&self) -> bool {
        matches!(&self.dist, Dist::Random(r) if matches!(r.law(), Law::Discrete(..)))
    }
}

/// What a calibration ran and found.
pub struct Calibration {
    pub world: World,
    pub targets: Targets,
    pub priors: Vec<Prior>,
    pub draws: Vec<DrawRow>,
    pub waves: Vec<WaveInfo>,
    /// The wave whose kept draws are the posterior.
    pub posterior_wave: usize,
    pub cutoff: f64,
    pub reps: u64,
    pub seed: u64,
    pub file: PathBuf,
    pub set: Vec<Setting>,
    pub warnings: Vec<String>,
}

/// Every key of the scenario whose value is a distribution, with it, as
/// key paths in the file's order: parameters, polities, operators. A
/// parent polity's orientation is skipped: the model ignores it.
pub fn distribution_keys(sc: &Scenario) -> Vec<(String, Dist)> {
    let mut out = Vec::new();
    for (spec, d) in PARAMS.iter().zip(&sc.parameters) {
        out.push((format!("parameters.{}", spec.name), d.clone()));
    }
    for (i, p) in sc.polities.iter().enumerate() {
        let parent = sc.has_children(i);
        let keys: [(&str, Option<&Dist>); 6] = [
            ("orientation", (!parent).then_some(&p.orientation)),
            ("target", if parent { None } else { p.target.as_ref() }),
            ("eu_pace", Some(&p.eu_pace)),
            ("china_leverage", Some(&p.china_leverage)),
            ("election_hazard", Some(&p.election_hazard)),
            ("swing", Some(&p.swing)),
        ];
        for (k, d) in keys {
            if let Some(d) = d {
                out.push((format!("polity.{}.{k}", p.id), d.clone()));
            }
        }
    }
    for o in &sc.operators {
        let keys: [(&str, Option<&Dist>); 6] = [
            ("owner_alignment", Some(&o.owner_alignment)),
            ("refresh_years", o.refresh_years.as_ref()),
            ("rollout_years", o.rollout_years.as_ref()),
            ("hr_legacy", Some(&o.hr_legacy)),
            ("hr_5g", Some(&o.hr_5g)),
            ("g5_weight", Some(&o.g5_weight)),
        ];
        for (k, d) in keys {
            if let Some(d) = d {
                out.push((format!("operator.{}.{k}", o.id), d.clone()));
            }
        }
    }
    out
}

fn varies(d: &Dist) -> bool {
    let (lo, hi) = d.support();
    matches!(d, Dist::Random(_)) && lo < hi
}

/// The priors: the file's distributions, or the `--params` keys (a key
/// that is a plain number is a warning, not a prior).
fn priors(sc: &Scenario, params: &[String], seed: u64) -> Result<(Vec<Prior>, Vec<String>)> {
    let all = distribution_keys(sc);
    let mut warnings = Vec::new();
    let chosen: Vec<(String, Dist)> = if params.is_empty() {
        all.into_iter().filter(|(_, d)| varies(d)).collect()
    } else {
        let mut chosen = Vec::new();
        for key in params {
            let setting = Setting::new(key.trim(), "0", "--params")?;
            let canonical = setting.key().to_string();
            let Some((_, d)) = all.iter().find(|(k, _)| *k == canonical) else {
                return Err(Error::usage(format!(
                    "--params {key}: `{canonical}` cannot be calibrated; calibrate takes parameters, and polity and operator keys whose value is a distribution"
                )));
            };
            if chosen.iter().any(|(k, _): &(String, Dist)| *k == canonical) {
                continue;
            }
            if varies(d) {
                chosen.push((canonical, d.clone()));
            } else {
                warnings.push(format!(
                    "`{canonical}` is the constant {d}: nothing to calibrate there (give it a prior, e.g. --set '{canonical}={{ uniform = [LO, HI] }}')"
                ));
            }
        }
        chosen
    };
    if chosen.is_empty() {
        let mut message = String::from("nothing to calibrate: ");
        if params.is_empty() {
            message.push_str("no key of the scenario is a distribution");
        } else {
            message.push_str("none of the --params keys is a distribution: ");
            message.push_str(&warnings.join("; "));
        }
        return Err(Error::from(Diagnostic::new(message).hint(
            "the priors are the keys whose values are distributions: write them in the file, or give them with --set 'b0={ uniform = [-3, 0] }'",
        )));
    }
    let priors = chosen
        .into_iter()
        .map(|(key, dist)| {
            use rand::distr::Distribution;
            let mut rng =
                ChaCha8Rng::seed_from_u64(fnv1a64(format!("{seed}/prior/{key}").as_bytes()));
            let mut sample: Vec<f64> = (0..PRIOR_SAMPLE).map(|_| dist.sample(&mut rng)).collect();
            sample.sort_by(f64::total_cmp);
            Prior { key, dist, sample }
        })
        .collect();
    Ok((priors, warnings))
}

/// A Latin hypercube of `n` points in the box `[lo_j, hi_j]` of the unit
/// cube: each coordinate's n strata used once, in an order of its own.
fn latin_hypercube(n: usize, lo: &[f64], hi: &[f64], rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    let dims = lo.len();
    let mut points = vec![vec![0.0; dims]; n];
    for j in 0..dims {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let k = (crate::scenario::dist::unit(rng) * (i + 1) as f64) as usize;
            order.swap(i, k.min(i));
        }
        for (i, p) in points.iter_mut().enumerate() {
            let t = (order[i] as f64 + crate::scenario::dist::unit(rng)) / n as f64;
            p[j] = lo[j] + (hi[j] - lo[j]) * t;
        }
    }
    points
}

/// A value as the file would write it (shortest round trip).
fn value_text(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// What a calibration settles before it runs a draw: the scenario, the
/// targets and the outcomes their terms read, the priors. The same for one
/// machine and for every shard and merge of a sharded calibration.
pub(crate) struct Prepared {
    pub(crate) base: Base,
    pub(crate) world: World,
    pub(crate) targets: Targets,
    /// The outcomes every draw records: each target's terms, once each.
    outcomes: Vec<Outcome>,
    /// Per target, its terms as (outcome, weight).
    index: Vec<Vec<(usize, f64)>>,
    pub(crate) priors: Vec<Prior>,
    pub(crate) warnings: Vec<String>,
    pub(crate) seed: u64,
}

/// Check the flags, read the files, and settle the priors.
pub(crate) fn prepare(p: &CalibratePlan) -> Result<Prepared> {
    if !(p.cutoff.is_finite() && p.cutoff > 0.0) {
        return Err(Error::usage(format!(
            "--cutoff {} must be above 0",
            p.cutoff
        )));
    }
    if p.draws < 2 || p.reps < 2 || p.waves == 0 {
        return Err(Error::usage(
            "calibrate needs --draws ≥ 2, --reps ≥ 2 (the Monte Carlo error of a mean needs two runs) and --waves ≥ 1",
        ));
    }
    let base = Base::read(p.file)?;
    let plain = base.resolve(p.set)?;
    let targets = Targets::read(p.targets)?;
    targets.check(&plain)?;
    let world = World::new(plain);
    world.check_outcomes()?;
    let mut texts: Vec<String> = Vec::new();
    let mut index: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut problems = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::new();
    for t in &targets.targets {
        let mut mine = Vec::new();
        for term in &t.terms {
            let k = match texts.iter().position(|s| *s == term.spec.text) {
                Some(k) => k,
                None => match world.outcome(&term.spec, None) {
                    Ok(o) => {
                        texts.push(term.spec.text.clone());
                        outcomes.push(o);
                        texts.len() - 1
                    }
                    Err(e) => {
                        problems.push(targets.term_error(term, &e));
                        break;
                    }
                },
            };
            mine.push((k, term.weight));
        }
        index.push(mine);
    }
    if let Some(d) = Diagnostic::all(problems) {
        return Err(d.into());
    }
    let seed = p.seed.unwrap_or(world.scenario.seed);
    let (priors, warnings) = priors(&world.scenario, p.params, seed)?;
    Ok(Prepared {
        base,
        world,
        targets,
        outcomes,
        index,
        priors,
        warnings,
        seed,
    })
}

/// Refuse `runs` runs estimated at more than a day, unless `--yes`.
pub(crate) fn guard(p: &CalibratePlan, world: &World, runs: u64, what: &str) -> Result<()> {
    let cores = p
        .threads
        .min(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let seconds =
        super::guard::estimate_seconds(std::slice::from_ref(&world.scenario), runs, cores);
    if seconds > super::guard::LONGEST_UNASKED_SECONDS && !p.yes {
        return Err(Error::usage(format!(
            "{what} could take about {} on {cores} core{}; use fewer draws or runs, or add --yes to start it anyway",
            super::guard::duration(seconds),
            if cores == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

pub(crate) fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} threads: {e}")))
}

/// Wave `wave`'s draws, in prior quantiles: a Latin hypercube over the box
/// `[lo, hi]`, fixed by the seed and the wave alone, so that every shard
/// of the wave draws the same points.
pub(crate) fn wave_points(
    seed: u64,
    wave: usize,
    draws: usize,
    lo: &[f64],
    hi: &[f64],
) -> Vec<Vec<f64>> {
    let mut rng =
        ChaCha8Rng::seed_from_u64(fnv1a64(format!("{seed}/calibrate/wave {wave}").as_bytes()));
    latin_hypercube(draws, lo, hi, &mut rng)
}

/// Where a calibration is between waves: the box the next wave draws from,
/// every draw so far, and whether it has ended. This is all a later wave
/// needs, so a sharded calibration writes it down between waves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Waves {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    pub draws: Vec<DrawRow>,
    pub waves: Vec<WaveInfo>,
    /// The wave whose kept draws are the posterior (0: none yet).
    pub posterior_wave: usize,
    /// A later wave kept nothing: the calibration ends there.
    pub finished: bool,
}

impl Waves {
    pub fn start(dims: usize) -> Waves {
        Waves {
            lo: vec![0.0; dims],
            hi: vec![1.0; dims],
            draws: Vec::new(),
            waves: Vec::new(),
            posterior_wave: 0,
            finished: false,
        }
    }

    /// Take in wave `wave`'s scored draws (in draw order) and settle the
    /// next wave's box; no draw kept in wave 1 is the error that names the
    /// targets ruling everything out.
    pub(crate) fn fold(
        &mut self,
        wave: usize,
        rows: Vec<DrawRow>,
        targets: &Targets,
        cutoff: f64,
        draws: usize,
    ) -> Result<()> {
        let kept = rows.iter().filter(|r| r.kept).count();
        self.waves.push(WaveInfo {
            wave,
            draws: rows.len(),
            kept,
            box_lo: self.lo.clone(),
            box_hi: self.hi.clone(),
        });
        if kept == 0 {
            if wave == 1 {
                return Err(ruled_out(targets, &rows, cutoff).into());
            }
            self.draws.extend(rows);
            self.finished = true;
            return Ok(());
        }
        self.posterior_wave = wave;
        // The next wave's box: the kept draws' range in quantile space,
        // widened by a tenth of it (and half a stratum) on each side.
        for j in 0..self.lo.len() {
            let (a, b) = rows
                .iter()
                .filter(|r| r.kept)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
                    (a.min(r.u[j]), b.max(r.u[j]))
                });
            let margin = 0.1 * (b - a) + 0.5 / draws as f64;
            self.lo[j] = (a - margin).max(0.0);
            self.hi[j] = (b + margin).min(1.0);
        }
        self.draws.extend(rows);
        Ok(())
    }
}

/// Check everything, run the waves, and return what they found.
pub fn run_calibration(p: &CalibratePlan) -> Result<Calibration> {
    let prep = prepare(p)?;
    let runs = (p.draws as u64)
        .saturating_mul(p.waves as u64)
        .saturating_mul(p.reps);
    let what = format!("{} waves × {} draws × {} runs", p.waves, p.draws, p.reps);
    guard(p, &prep.world, runs, &what)?;
    let pool = pool(p.threads)?;
    let mut state = Waves::start(prep.priors.len());
    for wave in 1..=p.waves {
        if state.finished {
            break;
        }
        let us = wave_points(prep.seed, wave, p.draws, &state.lo, &state.hi);
        let rows = run_wave(&pool, &prep, p, &us, (wave - 1) * p.draws, wave)?;
        state.fold(wave, rows, &prep.targets, p.cutoff, p.draws)?;
    }
    Ok(conclude(prep, p, state))
}

/// The calibration the waves in `state` found.
pub(crate) fn conclude(prep: Prepared, p: &CalibratePlan, state: Waves) -> Calibration {
    let mut warnings = prep.warnings;
    if let Some(w) = state.waves.last()
        && w.kept == 0
    {
        warnings.push(format!(
            "wave {} kept no draw (Monte Carlo noise at the edge of the kept region); the posterior is wave {}'s",
            w.wave, state.posterior_wave
        ));
    }
    Calibration {
        world: prep.world,
        targets: prep.targets,
        priors: prep.priors,
        draws: state.draws,
        waves: state.waves,
        posterior_wave: state.posterior_wave,
        cutoff: p.cutoff,
        reps: p.reps,
        seed: prep.seed,
        file: p.file.to_path_buf(),
        set: p.set.to_vec(),
        warnings,
    }
}

/// Run one wave's draws (each on its own, R replications, common random
/// numbers) and score them against the targets.
/// `us` are draws `first..` of wave `wave`.
pub(crate) fn run_wave(
    pool: &rayon::ThreadPool,
    prep: &Prepared,
    p: &CalibratePlan,
    us: &[Vec<f64>],
    first: usize,
    wave: usize,
) -> Result<Vec<DrawRow>> {
    let Prepared {
        base,
        priors,
        outcomes,
        index,
        targets,
        seed,
        ..
    } = prep;
    let seed = *seed;
    use rayon::prelude::*;
    let progress = crate::progress::bar(us.len() as u64 * p.reps, p.progress);
    let rows = pool.install(|| {
        us.par_iter()
            .enumerate()
            .map(|(i, u)| -> Result<DrawRow> {
                let values: Vec<f64> = priors
                    .iter()
                    .zip(u)
                    .map(|(pr, &u)| pr.quantile(u))
                    .collect();
                let mut settings = p.set.to_vec();
                for (pr, v) in priors.iter().zip(&values) {
                    settings.push(Setting::new(&pr.key, &value_text(*v), "calibrate")?);
                }
                let w = World::new(base.resolve(&settings)?);
                let outs = outcomes
                    .iter()
                    .map(|o| {
                        w.outcome(&o.spec, None).map_err(|e| {
                            Error::usage(format!("outcome `{}`: {}", o.text(), e.message))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let result = run_design(
                    &[DesignPoint {
                        world: w,
                        outcomes: outs,
                    }],
                    &ExperimentOptions {
                        reps: p.reps,
                        seed,
                        threads: 1,
                        progress: false,
                        rep_range: None,
                    },
                )?;
                progress.inc(p.reps);
                let tally = &result.points[0];
                let (mut sims, mut ses, mut imps) = (Vec::new(), Vec::new(), Vec::new());
                for (t, terms) in targets.targets.iter().zip(index) {
                    let (mut sim, mut se) = (0.0, 0.0);
                    for &(k, w) in terms {
                        sim += w * tally.stats(k).mean;
                        // A bound on the sum's error, whatever the terms'
                        // correlation (a rate's ends are correlated).
                        se += w.abs() * tally.standard_error(k);
                    }
                    let scale = (t.sd * t.sd + t.discrepancy * t.discrepancy + se * se).sqrt();
                    sims.push(sim);
                    ses.push(se);
                    imps.push((sim - t.observed).abs() / scale);
                }
                let max = imps.iter().copied().fold(0.0, f64::max);
                Ok(DrawRow {
                    draw: first + i,
                    wave,
                    u: u.clone(),
                    values,
                    sims,
                    ses,
                    implausibility: imps,
                    max,
                    kept: max <= p.cutoff,
                })
            })
            .collect::<Result<Vec<_>>>()
    });
    progress.finish_and_clear();
    rows
}

/// No draw kept: which targets rule everything out, each with its smallest
/// implausibility, instead of an empty posterior.
fn ruled_out(targets: &Targets, rows: &[DrawRow], cutoff: f64) -> Diagnostic {
    let mut problems = Vec::new();
    for (k, t) in targets.targets.iter().enumerate() {
        let best = rows
            .iter()
            .min_by(|a, b| a.implausibility[k].total_cmp(&b.implausibility[k]))
            .expect("a wave has draws");
        if best.implausibility[k] > cutoff {
            problems.push(
                targets
                    .error(
                        t.terms[0].metric_site.clone(),
                        format!(
                            "no draw meets target `{}`: observed {} (sd {}), the closest draw simulates {} (implausibility {:.2} > cutoff {cutoff})",
                            t.text,
                            t.observed,
                            t.sd,
                            fmt(best.sims[k]),
                            best.implausibility[k]
                        ),
                    )
                    .hint("widen the priors, raise the target's sd or discrepancy if the source allows, or the model cannot reach this fact: say so and leave it out"),
            );
        }
    }
    if problems.is_empty() {
        // Each target is met by some draw, never all by one.
        let best = rows
            .iter()
            .min_by(|a, b| a.max.total_cmp(&b.max))
            .expect("a wave has draws");
        let mut misses: Vec<String> = targets
            .targets
            .iter()
            .enumerate()
            .filter(|(k, _)| best.implausibility[*k] > cutoff)
            .map(|(k, t)| {
                format!(
                    "`{}` (observed {}, simulated {}, implausibility {:.2})",
                    t.text,
                    t.observed,
                    fmt(best.sims[k]),
                    best.implausibility[k]
                )
            })
            .collect();
        misses.truncate(6);
        problems.push(
            Diagnostic::new(format!(
                "no draw meets every target at once (each is met by some draw); the closest draw misses {}",
                misses.join(", ")
            ))
            .in_file(&targets.path)
            .hint("these targets pull the parameters apart: the model may not reproduce them together; try more draws, or a discrepancy for the targets the model is known to miss"),
        );
    }
    Diagnostic::all(problems).expect("one problem at least")
}

fn fmt(x: f64) -> String {
    format!("{x:.3}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// The files of a calibration, the posterior fragment checked to load.
pub fn files(c: &Calibration, out: &Path) -> Result<Vec<crate::report::File>> {
    let extends = relative_extends(out, &c.file);
    let params: Vec<ParamInfo> = c
        .priors
        .iter()
        .map(|p| ParamInfo {
            key: p.key.clone(),
            prior: p.dist.to_string(),
            prior_sample: &p.sample,
            discrete: p.is_discrete(),
        })
        .collect();
    let settings: Vec<(String, String)> = c
        .set
        .iter()
        .filter(|s| !c.priors.iter().any(|p| p.key == s.key()))
        .map(|s| (s.key().to_string(), s.value().to_string()))
        .collect();
    let view = CalibrationView {
        world: &c.world,
        targets: &c.targets,
        params: &params,
        draws: &c.draws,
        waves: &c.waves,
        posterior_wave: c.posterior_wave,
        cutoff: c.cutoff,
        reps: c.reps,
        seed: c.seed,
        extends: &extends,
        settings: &settings,
        warnings: &c.warnings,
    };
    let files = crate::report::calibrate::render_calibration(&view)?;
    // A fragment that does not load is worse than none: check it where it
    // will be written (its `extends` is relative to that folder).
    if let Some((_, bytes)) = files.iter().find(|(n, _)| n == "posterior.toml") {
        std::fs::create_dir_all(out)
            .map_err(|e| Error::io(format!("cannot create {}", out.display()), e))?;
        let text = String::from_utf8_lossy(bytes);
        crate::scenario::load_str(&out.join("posterior.toml"), &text).map_err(|e| {
            Error::Other(format!(
                "the posterior fragment does not load (a bug):\n{e}"
            ))
        })?;
    }
    Ok(files)
}

/// The scenario file as `extends` from a file in `out`: a relative path
/// when both are under the current folder, else absolute.
fn relative_extends(out: &Path, file: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &Path| {
        crate::scenario::lexical(&if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        })
    };
    let (from, to) = (abs(out), abs(file));
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return to.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c);
    }
    rel.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_hypercube_uses_every_stratum_once_per_coordinate() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 50;
        let pts = latin_hypercube(n, &[0.0, 0.2], &[1.0, 0.6], &mut rng);
        for (j, (lo, hi)) in [(0.0, 1.0), (0.2, 0.6)].into_iter().enumerate() {
            let mut strata: Vec<usize> = pts
                .iter()
                .map(|p| (((p[j] - lo) / (hi - lo)) * n as f64).floor() as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "coordinate {j}");
        }
    }

    #[test]
    fn extends_paths_are_relative_when_they_can_be() {
        assert_eq!(
            relative_extends(Path::new("/w/output/cal"), Path::new("/w/scenarios/b.toml")),
            "../../scenarios/b.toml"
        );
        assert_eq!(
            relative_extends(Path::new("/w/out"), Path::new("/w/./x/../b.toml")),
            "../b.toml"
        );
    }
}
