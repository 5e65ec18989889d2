//! The file as written: every key optional and located, so that `extends`
//! can merge key by key and every later check can still point at the line
//! the offending value came from — in whichever file that was.

use super::arg_value::OverrideValue;
use super::check::Checked;
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
    /// Workshop levers: a child that lists any replaces its parent's.
    #[serde(default)]
    pub lever: Vec<RawLever>,
    /// What `extends` did to shocks restated by id, for `check` and the warnings.
    #[serde(skip)]
    pub merged_shocks: Vec<ShockMerge>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    pub what: At<String>,
    pub label: Opt<String>,
}

/// A workshop lever (`[[lever]]`), checked in `lever.rs`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLever {
    pub key: At<String>,
    pub label: Opt<String>,
    pub range: Opt<Vec<End>>,
    pub step: Opt<f64>,
}

/// One end of a range: a number, or a month as "YYYY-MM".
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum End {
    Number(f64),
    Text(String),
}

/// A child's shock laid over its parent's of the same id.
#[derive(Debug, Clone)]
pub struct ShockMerge {
    /// The child's `id`.
    pub at: Loc,
    /// The parent's `id`.
    pub parent: Loc,
    pub id: String,
    pub how: MergeHow,
}

#[derive(Debug, Clone)]
pub enum MergeHow {
    /// Key by key: the keys the child wrote, and those it took from the parent.
    Keys {
        restated: Vec<&'static str>,
        inherited: Vec<&'static str>,
    },
    /// Another kind: the parent's shock replaced whole.
    Replaced { from: String, to: String },
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
    pub series: Opt<RawSeries>,
    pub replace_shocks: Opt<bool>,
}

/// `series = "countries"`, `"alignment, country"` or a list of such words.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawSeries {
    Words(String),
    List(Vec<String>),
}

impl RawSeries {
    /// Each word, commas splitting a string as the list's entries do.
    pub fn words(&self) -> Vec<String> {
        let list = match self {
            RawSeries::Words(w) => std::slice::from_ref(w),
            RawSeries::List(l) => l.as_slice(),
        };
        list.iter()
            .flat_map(|w| w.split(','))
            .map(|w| w.trim().to_string())
            .collect()
    }
}

/// An entry merged by id (`[[polity]]`, `[[operator]]`): the struct, its
/// key names as data (for key paths and their did-you-mean), key-by-key
/// inheritance, and setting one key from a command-line override, all from
/// one list of fields.
macro_rules! raw_entry {
    ($(#[$doc:meta])* $name:ident { $( $field:ident: $ty:ty, )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub id: At<String>,
            $( pub $field: Opt<$ty>, )*
        }

        impl $name {
            /// Every key but `id`, in the order the file format lists them.
            pub const KEYS: &'static [&'static str] = &[ $( stringify!($field) ),* ];

            /// Key-by-key override: every key the child leaves out is the parent's.
            pub fn inherit(&mut self, p: &$name) {
                $( if self.$field.is_none() { self.$field = p.$field.clone(); } )*
            }

            /// Set `key` to the value an override gives; false for no such key.
            pub(super) fn set(&mut self, key: &str, v: &OverrideValue) -> Checked<bool> {
                match key {
                    $( stringify!($field) => self.$field = Some(v.decode()?), )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

raw_entry! {
    RawPolity {
        name: String,
        parent: String,
        weight: f64,
        orientation: Dist,
        target: Dist,
        nato: bool,
        eu_stage: i64,
        eu_pace: Dist,
        restriction: bool,
        china_leverage: Dist,
        pressure: f64,
        election_hazard: Dist,
        swing: Dist,
    }
}

raw_entry! {
    RawOperator {
        name: String,
        polity: String,
        owner: String,
        owner_alignment: Dist,
        market_share: f64,
        refresh_years: Dist,
        rollout_years: Dist,
        hr_legacy: Dist,
        hr_5g: Dist,
        g5_weight: Dist,
        vendor_legacy: String,
        vendor_5g: String,
    }
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

impl RawHeader {
    /// `extends` and `replace_shocks` describe one file's relation to its parent: not inherited.
    pub fn inherit(&mut self, p: &RawHeader) {
        inherit!(self, p; name, description, question, start, end, step_months, runs, seed, series);
    }

    /// The keys a `scenario.KEY` override may set: the run's time and size.
    /// (Words and `extends` describe the file, not a run of it.)
    pub const SETTABLE: &'static [&'static str] =
        &["start", "end", "step_months", "runs", "seed", "series"];

    pub(super) fn set(&mut self, key: &str, v: &OverrideValue) -> Checked<bool> {
        match key {
            "start" => self.start = Some(v.decode()?),
            "end" => self.end = Some(v.decode()?),
            "step_months" => self.step_months = Some(v.decode()?),
            "runs" => self.runs = Some(v.decode()?),
            "seed" => self.seed = Some(v.decode()?),
            "series" => self.series = Some(v.decode()?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl RawClasses {
    pub fn inherit(&mut self, p: &RawClasses) {
        inherit!(self, p; metric, keen_below, cautious_from);
    }
}
