//! The file as written: every key optional and located, so that `extends`
//! can merge key by key and every later check can still point at the line
//! the offending value came from — in whichever file that was.

use super::dist::Dist;
pub use super::located::{At, FileId, Loc, with_current_file};
pub use super::shocks::RawShock;
use serde::Deserialize;
use std::collections::BTreeMap;

type Opt<T> = Option<At<T>>;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scenario: Option<RawHeader>,
    pub parameters: Option<BTreeMap<At<String>, At<Dist>>>,
    #[serde(default)]
    pub polity: Vec<RawPolity>,
    #[serde(default)]
    pub operator: Vec<RawOperator>,
    #[serde(default)]
    pub shock: Vec<RawShock>,
    pub classes: Option<RawClasses>,
    /// Headline outcomes: a child that lists any replaces its parent's.
    #[serde(default)]
    pub outcome: Vec<RawOutcome>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    pub what: At<String>,
    pub label: Opt<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: Opt<String>,
    pub description: Opt<String>,
    pub question: Opt<String>,
    pub extends: Opt<String>,
    pub start: Opt<String>,
    pub end: Opt<String>,
    pub step_months: Opt<i64>,
    pub runs: Opt<i64>,
    pub seed: Opt<u64>,
    pub replace_shocks: Opt<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolity {
    pub id: At<String>,
    pub name: Opt<String>,
    pub parent: Opt<String>,
    pub weight: Opt<f64>,
    pub orientation: Opt<Dist>,
    pub target: Opt<Dist>,
    pub nato: Opt<bool>,
    pub eu_stage: Opt<i64>,
    pub eu_pace: Opt<Dist>,
    pub restriction: Opt<bool>,
    pub china_leverage: Opt<Dist>,
    pub pressure: Opt<f64>,
    pub election_hazard: Opt<Dist>,
    pub swing: Opt<Dist>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOperator {
    pub id: At<String>,
    pub name: Opt<String>,
    pub polity: Opt<String>,
    pub owner: Opt<String>,
    pub owner_alignment: Opt<Dist>,
    pub market_share: Opt<f64>,
    pub refresh_years: Opt<Dist>,
    pub rollout_years: Opt<Dist>,
    pub hr_legacy: Opt<Dist>,
    pub hr_5g: Opt<Dist>,
    pub g5_weight: Opt<Dist>,
    pub vendor_legacy: Opt<String>,
    pub vendor_5g: Opt<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClasses {
    pub metric: Opt<String>,
    pub keen_below: Opt<f64>,
    pub cautious_from: Opt<f64>,
}

/// Key-by-key override: every `None` in `child` takes the parent's value.
macro_rules! inherit {
    ($child:expr, $parent:expr; $($field:ident),* $(,)?) => {
        $( if $child.$field.is_none() { $child.$field = $parent.$field.clone(); } )*
    };
}

impl RawPolity {
    pub fn inherit(&mut self, p: &RawPolity) {
        inherit!(self, p; name, parent, weight, orientation, target, nato, eu_stage, eu_pace,
                 restriction, china_leverage, pressure, election_hazard, swing);
    }
}

impl RawOperator {
    pub fn inherit(&mut self, p: &RawOperator) {
        inherit!(self, p; name, polity, owner, owner_alignment, market_share, refresh_years,
                 rollout_years, hr_legacy, hr_5g, g5_weight, vendor_legacy, vendor_5g);
    }
}

impl RawHeader {
    /// `extends` and `replace_shocks` describe one file's relation to its parent: not inherited.
    pub fn inherit(&mut self, p: &RawHeader) {
        inherit!(self, p; name, description, question, start, end, step_months, runs, seed);
    }
}

impl RawClasses {
    pub fn inherit(&mut self, p: &RawClasses) {
        inherit!(self, p; metric, keen_below, cautious_from);
    }
}
