//! The scenario file format: read a TOML file and the files it `extends`,
//! merge them, check everything, and hand out one immutable `Scenario`.
//! Nothing downstream ever sees a file, a span or an unchecked value.

mod arg_value;
mod check;
pub mod dist;
pub mod dist_text;
mod keypath;
pub mod lever;
mod load;
mod located;
pub mod outcome;
pub mod params;
pub mod raw;
pub mod ser;
pub mod shocks;
mod sources;
pub mod targets;
pub mod time;
mod validate;

use dist::Dist;
use std::path::PathBuf;
use time::TimeGrid;

pub use keypath::{Override, Setting};
pub use load::{Base, fnv1a64, lexical, load, load_in_memory, load_str};
pub use shocks::{Effect, PriceChange, PriceMove, PriceScope, Reach, SHOCK_KINDS, Shock, Timing};

/// A checked scenario: the world, its parameters and its shocks.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// The workshop question the scenario answers, in one sentence.
    pub question: Option<String>,
    /// The file an inherited `description` or `question` was written in
    /// (None: the scenario's own file, or none written).
    pub description_from: Option<String>,
    pub question_from: Option<String>,
    /// Every file read, the scenario's own first, with a hash of its bytes.
    pub files: Vec<SourceFile>,
    pub grid: TimeGrid,
    pub runs: u64,
    pub seed: u64,
    /// One entry per `params::ParamId`, defaults filled in.
    pub parameters: Vec<Dist>,
    pub polities: Vec<Polity>,
    pub operators: Vec<Operator>,
    pub shocks: Vec<Shock>,
    pub classes: Classes,
    /// The headline outcomes the file lists (`[[outcome]]`); empty: the
    /// defaults (`model::outcome::headlines`).
    pub outcomes: Vec<outcome::HeadlineOutcome>,
    /// The workshop levers the file declares (`[[lever]]`); empty: the
    /// defaults (`lever::levers`).
    pub levers: Vec<lever::Lever>,
    /// Things the user should know that are not errors (ignored keys, dates
    /// that can never fire).
    pub warnings: Vec<String>,
    /// What `check` says beyond the timeline: which keys a restated shock
    /// took from the file it extends.
    pub notes: Vec<String>,
    /// The command-line overrides laid over the files, in the order applied.
    pub overrides: Vec<Override>,
    /// Which series a run records (`series` in `[scenario]`, `--series`).
    pub series: SeriesChoice,
}

/// Which series a run records: all (no words), or those whose metric and
/// level the words name (docs/FORMAT.md, `series`). The words are the
/// model's to read, since metric names are its own.
#[derive(Debug, Clone, Default)]
pub struct SeriesChoice {
    /// As written, one entry per word: "countries", metric names, levels.
    pub words: Vec<String>,
    /// Where they were written, for the model's check.
    pub site: Option<crate::error::Diagnostic>,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub hash: String,
}

#[derive(Debug, Clone)]
pub struct Polity {
    pub id: String,
    pub name: String,
    pub parent: Option<usize>,
    /// Share within the parent (population), resolved: children without a
    /// weight split what the others leave.
    pub weight: f64,
    pub orientation: Dist,
    /// None: the target starts at the orientation.
    pub target: Option<Dist>,
    pub nato: bool,
    pub eu_stage: u8,
    /// Multiplier of the EU step rate for blockers outside the model
    /// (non-recognition, a member's veto); 1 = none.
    pub eu_pace: Dist,
    pub restriction: bool,
    pub china_leverage: Dist,
    pub pressure: f64,
    pub election_hazard: Dist,
    pub swing: Dist,
}

#[derive(Debug, Clone)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub polity: usize,
    pub owner: String,
    pub owner_alignment: Dist,
    pub market_share: f64,
    /// None: the `[parameters]` default.
    pub refresh_years: Option<Dist>,
    pub rollout_years: Option<Dist>,
    pub hr_legacy: Dist,
    pub hr_5g: Dist,
    pub g5_weight: Dist,
    /// A documented vendor decision for each generation (legacy, 5G):
    /// `Some(true)` high-risk, `Some(false)` trusted, None drawn.
    pub vendor: [Option<bool>; 2],
}

/// Which metric sorts countries into the report's three groups, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    pub metric: ClassMetric,
    pub keen_below: f64,
    pub cautious_from: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClassMetric {
    TrustedProcurement,
    TrustedShare,
    /// The report's reading (docs/MODEL.md, "Alignment"): the government's
    /// stance and the operators' purchases together.
    Alignment,
}

impl ClassMetric {
    pub fn name(self) -> &'static str {
        match self {
            ClassMetric::TrustedProcurement => "trusted_procurement",
            ClassMetric::TrustedShare => "trusted_share",
            ClassMetric::Alignment => "alignment",
        }
    }
}

impl Default for Classes {
    fn default() -> Self {
        Classes {
            metric: ClassMetric::Alignment,
            keen_below: 0.4,
            cautious_from: 0.6,
        }
    }
}

impl Scenario {
    pub fn parameter(&self, id: params::ParamId) -> &Dist {
        &self.parameters[id as usize]
    }

    pub fn polity_index(&self, id: &str) -> Option<usize> {
        self.polities.iter().position(|p| p.id == id)
    }

    /// The root (country) of a polity.
    pub fn root_of(&self, p: usize) -> usize {
        root_of(&self.polities, p)
    }

    /// Is `p` equal to `ancestor` or below it?
    pub fn is_within(&self, p: usize, ancestor: usize) -> bool {
        is_within(&self.polities, p, ancestor)
    }

    pub fn has_children(&self, p: usize) -> bool {
        self.polities.iter().any(|c| c.parent == Some(p))
    }

    /// A label for shock `i` that is stable across runs: its id or its position.
    pub fn shock_key(&self, i: usize) -> String {
        self.shocks[i]
            .id
            .clone()
            .unwrap_or_else(|| format!("#{}", i + 1))
    }
}

#[cfg(test)]
mod tests;

/// The root (country) of polity `p`; on the list itself, so that the
/// checks can ask before a `Scenario` exists.
pub fn root_of(polities: &[Polity], mut p: usize) -> usize {
    while let Some(parent) = polities[p].parent {
        p = parent;
    }
    p
}

/// Is polity `p` equal to `ancestor` or below it?
pub fn is_within(polities: &[Polity], mut p: usize, ancestor: usize) -> bool {
    loop {
        if p == ancestor {
            return true;
        }
        match polities[p].parent {
            Some(parent) => p = parent,
            None => return false,
        }
    }
}

#[cfg(test)]
mod keypath_tests;
