//! Shocks: scheduled events that change the world once, at a month.
//!
//! Each kind of shock is one file: its checked form, the keys it takes and
//! their checks, its plain words for `explain` and the timeline, and its
//! fields in the resolved file, all as one [`Kind`] impl. `shock_kinds!`
//! below is the registry: the validator, the did-you-mean for an unknown
//! kind, `explain` and the resolved file read it. The model matches
//! [`Effect`] exhaustively, so a kind registered here and forgotten there
//! does not compile.

mod check;
mod raw;

pub(super) use check::check_shocks;
pub use price::{PriceMove, PriceScope};
pub use raw::{COMMON_KEYS, Key, RawShock};
pub use vendor_decision::{GENERATIONS, VENDORS, vendor_word};

use super::Scenario;
use super::check::Checked;
use super::dist::{Dist, fmt_num};
use super::params::ParamId;
use super::time::Month;
use check::ShockCx;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Shock {
    pub id: Option<String>,
    pub label: Option<String>,
    pub timing: Timing,
    pub probability: f64,
    /// Index of the shock that must have fired first.
    pub requires: Option<usize>,
    pub effect: Effect,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timing {
    Date(Month),
    /// Both ends inclusive; the month is drawn uniformly per run.
    Window(Month, Month),
}

impl Timing {
    /// "2026-06" or "2026-01..2028-12".
    pub fn text(&self) -> String {
        match self {
            Timing::Date(m) => m.to_string(),
            Timing::Window(a, b) => format!("{a}..{b}"),
        }
    }

    /// The earliest month the shock can fire.
    pub fn first(&self) -> Month {
        match self {
            Timing::Date(m) | Timing::Window(m, _) => *m,
        }
    }
}

/// Where a shock acts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reach<'a> {
    /// A polity and everything below it.
    Polity(usize),
    /// Each of these polities (an empty list reaches nothing).
    Polities(&'a [usize]),
    Operator(usize),
    /// Every polity.
    Everywhere,
}

/// The number a shock draws once per run (from its own stream, whether or
/// not it fires); its distribution carries the domain it was checked against.
#[derive(Debug, Clone, Copy)]
pub enum Drawn<'a> {
    Nothing,
    Dist(&'a Dist),
    /// The shock's own distribution, or else the run's value of a parameter.
    OrParameter(Option<&'a Dist>, ParamId),
}

/// What a kind of shock must say about itself.
pub(in crate::scenario) trait Kind: Sized {
    /// The `kind = "..."` the file uses.
    const NAME: &'static str;
    /// The keys it takes beyond [`COMMON_KEYS`], in the order the hint lists them.
    const KEYS: &'static [Key];
    /// The checked form, from the raw shock in `cx`; every error points at a key.
    fn check(cx: &ShockCx) -> Checked<Self>;
    fn reach(&self) -> Reach<'_>;
    fn drawn(&self) -> Drawn<'_>;
    /// What happens, in words for the timeline ("EU accession moves +1 stage(s)").
    fn what(&self, sc: &Scenario) -> String;
    /// Its keys in the resolved file, after the common ones; ids for indices.
    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error>;
}

/// One registered kind, as the validator sees it.
pub struct KindSpec {
    pub name: &'static str,
    pub keys: &'static [Key],
    check: for<'a, 'b> fn(&ShockCx<'a, 'b>) -> Checked<Effect>,
}

macro_rules! shock_kinds {
    ($( $variant:ident($module:ident::$ty:ident), )*) => {
        $( mod $module; pub use $module::$ty; )*

        /// What a shock does: one variant per kind.
        #[derive(Debug, Clone)]
        pub enum Effect { $( $variant($ty) ),* }

        /// Every kind, in the order `explain` and the docs list them.
        pub const KINDS: &[KindSpec] = &[
            $( KindSpec {
                name: <$ty as Kind>::NAME,
                keys: <$ty as Kind>::KEYS,
                check: |cx| <$ty as Kind>::check(cx).map(Effect::$variant),
            } ),*
        ];

        pub const SHOCK_KINDS: &[&str] = &[ $( <$ty as Kind>::NAME ),* ];

        impl Effect {
            pub fn kind(&self) -> &'static str {
                match self { $( Effect::$variant(_) => <$ty as Kind>::NAME ),* }
            }

            pub fn reach(&self) -> Reach<'_> {
                match self { $( Effect::$variant(k) => k.reach() ),* }
            }

            pub fn drawn(&self) -> Drawn<'_> {
                match self { $( Effect::$variant(k) => k.drawn() ),* }
            }

            pub fn what(&self, sc: &Scenario) -> String {
                match self { $( Effect::$variant(k) => k.what(sc) ),* }
            }

            pub fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
                match self { $( Effect::$variant(k) => k.fields(sc, m) ),* }
            }
        }
    };
}

shock_kinds! {
    GovernmentChange(government_change::GovernmentChange),
    Auction(auction::Auction),
    EuStep(eu_step::EuStep),
    Restriction(restriction::Restriction),
    Repeal(repeal::Repeal),
    OwnershipChange(ownership_change::OwnershipChange),
    Incident(incident::Incident),
    Price(price::PriceChange),
    Pressure(pressure::Pressure),
    Leverage(leverage::Leverage),
    NatoAccession(nato_accession::NatoAccession),
    VendorDecision(vendor_decision::VendorDecision),
}

impl KindSpec {
    pub fn by_name(name: &str) -> Option<&'static KindSpec> {
        KINDS.iter().find(|k| k.name == name)
    }
}

impl Reach<'_> {
    /// Where, in words: "Serbia (SRB)", an operator's name, "every country".
    pub fn words(&self, sc: &Scenario) -> String {
        let name = |p: &usize| format!("{} ({})", sc.polities[*p].name, sc.polities[*p].id);
        match self {
            Reach::Polity(p) => name(p),
            Reach::Operator(o) => sc.operators[*o].name.clone(),
            Reach::Polities(list) => list.iter().map(name).collect::<Vec<_>>().join(", "),
            Reach::Everywhere => "every country".into(),
        }
    }
}

/// A share as a percentage with at most one decimal: "35%", "12.5%".
pub fn percent(x: f64) -> String {
    format!("{}%", fmt_num((x * 1000.0).round() / 10.0))
}

/// The ids of `indices` among `ids`, for the resolved file.
fn ids<'a>(all: impl Fn(usize) -> &'a str, indices: &[usize]) -> Vec<&'a str> {
    indices.iter().map(|&i| all(i)).collect()
}
