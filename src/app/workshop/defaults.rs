//! The levers a page offers when the scenario declares none (EXPLORE.md §5):
//! the uncertain values that move the scenario's headline outcome most in a
//! quick tornado (the sensitivity command's own, `app::sensitivity`), each
//! over its 5th–95th percentile, then each shock's chance and, for a shock
//! whose month is drawn, its date (`scenario::lever::levers`).
//!
//! The tornado runs at startup, so it is kept small: few replications on
//! common random numbers rank the inputs well enough to choose four (a
//! ranking, not an estimate anyone reads a number from).

use crate::app::sensitivity::{Method, SensitivityPlan, run_sensitivity};
use crate::app::uncertain::{Input, Range};
use crate::engine::experiment::{DesignPoint, ExperimentOptions, run_design};
use crate::error::Result;
use crate::model::World;
use crate::report::sensitivity::Findings;
use crate::scenario::lever::{self, Lever, LeverKind};
use crate::scenario::{Base, Scenario, Setting};
use std::path::Path;
use std::time::Instant;

/// Ranked inputs that become levers: a room reads four sliders and the
/// shocks' own, not thirty.
pub const RANKED: usize = 4;

/// Replications per tornado point. Baseline has 34 uncertain inputs, so 69
/// points: at 40 replications the ranking takes about 0.7 s of CPU
/// (docs/EXPLORING.md). Common random numbers make the small count enough:
/// on baseline the same four inputs lead at 30, 40, 60 and 1000.
pub const TORNADO_REPS: u64 = 40;

/// Runs of the one point that picks the outcome of a file without
/// `[[outcome]]`: enough to tell a chance of 0.41 from one of 0.22
/// (standard error 0.025), where the tornado's 40 could not.
pub const CHOICE_RUNS: u64 = 400;

/// How the default levers were found, for the startup line and `explain`.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The outcome the tornado ranked by.
    pub outcome: String,
    pub reps: u64,
    /// Tornado points (each input's two ends and the middle).
    pub points: usize,
    pub seconds: f64,
    /// The swing of each ranked lever's outcome from its low end to its high.
    pub swings: Vec<(String, f64)>,
}

/// The page's levers: the file's, or the defaults with how they were found.
pub struct Levers {
    pub levers: Vec<Lever>,
    pub ranking: Option<Ranking>,
}

/// The levers of `sc` (read from `path` with the overrides it records).
pub fn levers(path: &Path, sc: &Scenario, threads: usize) -> Result<Levers> {
    if !sc.levers.is_empty() {
        return Ok(Levers {
            levers: sc.levers.clone(),
            ranking: None,
        });
    }
    let started = Instant::now();
    // The tornado rereads the file; the overrides it was started with go
    // under every point, as `--set` does under a sensitivity analysis.
    let set = sc
        .overrides
        .iter()
        .map(|o| Setting::new(&o.key, &o.value, &o.origin))
        .collect::<Result<Vec<_>>>()?;
    let world = World::new(sc.clone());
    let outcome = most_open_chance(&world, threads)?;
    let (inputs, _) = crate::app::uncertain::defaults(sc)?;
    let ranked_any = inputs
        .iter()
        .any(|i| matches!(i.range, Range::Quantiles { .. }));
    let mut out = Vec::new();
    let mut ranking = None;
    if ranked_any && !world.headline_outcomes().is_empty() {
        let run = run_sensitivity(&SensitivityPlan {
            file: path,
            set: &set,
            method: Method::Tornado,
            outcome: outcome.as_deref(),
            inputs: &[],
            samples: None,
            reps: TORNADO_REPS,
            seed: None,
            threads,
            progress: false,
            yes: true,
            shard: None,
        })?;
        let Findings::Tornado { rows, .. } = &run.findings else {
            unreachable!("a tornado's findings are a tornado's")
        };
        let base = Base::read(path)?;
        let mut swings: Vec<(&Input, f64)> = run
            .inputs
            .iter()
            .zip(rows)
            .filter(|(i, _)| matches!(i.range, Range::Quantiles { .. }))
            .map(|(i, r)| (i, r.high - r.low))
            .filter(|(_, s)| *s != 0.0 && s.is_finite())
            .collect();
        // Largest first; a tie keeps the file's order (the sort is stable).
        swings.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let mut kept = Vec::new();
        for (input, swing) in swings {
            if out.len() == RANKED {
                break;
            }
            if let Some(l) = ranked_lever(input, &base, &set) {
                kept.push((l.label.clone(), swing));
                out.push(l);
            }
        }
        ranking = Some(Ranking {
            outcome: run.outcome.label.clone(),
            reps: TORNADO_REPS,
            points: 2 * run.inputs.len() + 1,
            seconds: 0.0,
            swings: kept,
        });
    }
    out.extend(lever::levers(sc));
    if let Some(r) = ranking.as_mut() {
        r.seconds = started.elapsed().as_secs_f64();
    }
    Ok(Levers {
        levers: out,
        ranking,
    })
}

/// The outcome to rank by: a file's own headline outcomes say what it is
/// about (the tornado takes the first chance among them); without any, the
/// headline outcomes are every country's chance of ending cautious, and the
/// first is often settled (Albania: always), which no input moves. Then the
/// country whose chance is nearest even at the file's values: the one the
/// uncertainty is about.
fn most_open_chance(world: &World, threads: usize) -> Result<Option<String>> {
    if !world.scenario.outcomes.is_empty() {
        return Ok(None);
    }
    let chances: Vec<_> = world
        .headline_outcomes()
        .into_iter()
        .filter(|o| o.binary)
        .collect();
    if chances.len() < 2 {
        return Ok(None);
    }
    let r = run_design(
        &[DesignPoint {
            world: World::new(world.scenario.clone()),
            outcomes: chances.clone(),
        }],
        &ExperimentOptions {
            reps: CHOICE_RUNS,
            seed: world.scenario.seed,
            threads,
            progress: false,
            rep_range: None,
        },
    )?;
    let openness = |i: usize| (r.points[0].stats(i).mean - 0.5).abs();
    let nearest = (0..chances.len())
        .min_by(|&a, &b| openness(a).total_cmp(&openness(b)))
        .unwrap_or(0);
    Ok(Some(chances[nearest].text().to_string()))
}

/// A ranked input as a lever over its 5th–95th percentile, on a grid of
/// round steps (about twenty of them) so the room reads 0.45, not
/// 0.4471; None when an end of that grid is not a value the key takes.
fn ranked_lever(input: &Input, base: &Base, set: &[Setting]) -> Option<Lever> {
    let [lo, _, hi] = input.tornado();
    let kind = round_range(lo, hi)?;
    let lever = Lever {
        key: input.key.clone(),
        label: capitalised(&input.label),
        kind,
        declared: false,
        site: None,
    };
    for end in lever.kind.ends() {
        let mut settings = set.to_vec();
        settings.push(lever.setting(&end).ok()?);
        base.resolve(&settings).ok()?;
    }
    Some(lever)
}

/// `lo` to `hi` widened to a grid of round steps (1, 2, 2.5 or 5 times a
/// power of ten) of about a twentieth of the range.
pub fn round_range(lo: f64, hi: f64) -> Option<LeverKind> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return None;
    }
    let raw = (hi - lo) / 20.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power);
    // Decimals enough for the step (2.5e-2 needs three).
    let places = (-(step.log10().floor()) as i32 + 1).clamp(0, 15) as usize;
    let tidy = |x: f64| -> f64 { format!("{x:.places$}").parse().unwrap_or(x) };
    let step = tidy(step);
    let (lo, hi) = (
        tidy((lo / step + 1e-9).floor() * step),
        tidy((hi / step - 1e-9).ceil() * step),
    );
    (hi > lo).then_some(LeverKind::Number { lo, hi, step })
}

/// The default levers for `explain`, when the file declares none: what
/// `simulate workshop` would offer, and by what they were ranked. Nothing
/// timed: the same file explains to the same bytes.
pub fn explain(found: &Levers) -> String {
    let mut o = String::from(
        "\nWorkshop levers (`simulate workshop`; the file declares no [[lever]], so the page offers these):\n",
    );
    for l in &found.levers {
        let swing = found
            .ranking
            .as_ref()
            .and_then(|r| r.swings.iter().find(|(label, _)| *label == l.label))
            .map_or(String::new(), |(_, s)| format!("; swing {s:+.3}"));
        o.push_str(&format!(
            "- {}   [{}: {}{swing}]\n",
            l.label,
            l.key,
            l.kind.text()
        ));
    }
    match &found.ranking {
        Some(r) if !r.swings.is_empty() => o.push_str(&format!(
            "The first {} are the uncertain inputs that move `{}` most, from its 5th to its 95th percentile, in a tornado of {} points × {} runs (`simulate sensitivity` ranks them with more); the rest are the shocks'.\n",
            r.swings.len(),
            r.outcome,
            r.points,
            r.reps
        )),
        Some(r) => o.push_str(&format!(
            "No uncertain input moves `{}` in a tornado of {} points × {} runs, so the page offers the shocks' chances and dates only.\n",
            r.outcome, r.points, r.reps
        )),
        None => {}
    }
    o
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(k: LeverKind) -> (f64, f64, f64) {
        match k {
            LeverKind::Number { lo, hi, step } => (lo, hi, step),
            other => panic!("not a number lever: {other:?}"),
        }
    }

    #[test]
    fn a_range_widens_to_round_steps() {
        assert_eq!(
            number(round_range(0.571, 0.96).unwrap()),
            (0.56, 0.96, 0.02)
        );
        assert_eq!(
            number(round_range(1.451, 6.04).unwrap()),
            (1.25, 6.25, 0.25)
        );
        assert_eq!(
            number(round_range(0.003, 0.015).unwrap()),
            (0.003, 0.015, 0.001)
        );
        assert_eq!(number(round_range(0.0, 1.0).unwrap()), (0.0, 1.0, 0.05));
        assert_eq!(number(round_range(20.0, 60.0).unwrap()), (20.0, 60.0, 2.0));
        assert!(round_range(1.0, 1.0).is_none());
        assert!(round_range(f64::NAN, 1.0).is_none());
    }
}
