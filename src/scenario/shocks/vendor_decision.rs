//! `vendor_decision`: a documented vendor decision from this date: a share
//! of the operator's purchases of a generation (its 5G launch included) goes
//! to a named vendor group, the rest to the other, instead of being drawn.

use super::{Drawn, Key, Kind, Reach, ShockCx, percent};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::Domain;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct VendorDecision {
    pub operator: usize,
    /// The generations it fixes: (legacy, 5G).
    pub generations: [bool; 2],
    /// `Some(true)` high-risk, `Some(false)` trusted, None: drawn again.
    pub vendor: Option<bool>,
    /// The share of the purchases that goes to `vendor` (the rest to the
    /// other group): an operator may split by region or layer.
    pub share: f64,
}

/// The file's words for a vendor decision: the generation names and the
/// vendor groups (None = no decision, the purchase is drawn). The operator
/// keys `vendor_legacy` / `vendor_5g` take the same vendor words.
pub const GENERATIONS: &[(&str, [bool; 2])] = &[
    ("legacy", [true, false]),
    ("5g", [false, true]),
    ("both", [true, true]),
];
pub const VENDORS: &[(&str, Option<bool>)] = &[
    ("trusted", Some(false)),
    ("high_risk", Some(true)),
    ("open", None),
];

pub fn vendor_word(v: Option<bool>) -> &'static str {
    VENDORS
        .iter()
        .find(|(_, x)| *x == v)
        .map_or("open", |(w, _)| w)
}

impl Kind for VendorDecision {
    const NAME: &'static str = "vendor_decision";
    const KEYS: &'static [Key] = &[Key::Operator, Key::Generation, Key::Vendor, Key::Share];

    fn check(cx: &ShockCx) -> Checked<Self> {
        let id = cx.raw.operator.as_ref().ok_or_else(|| {
            cx.c.err(cx.anchor, format!("{} needs `operator`", cx.name))
        })?;
        let vendor = cx.raw.vendor.as_ref().ok_or_else(|| {
            cx.c.err(cx.anchor, format!("{} needs `vendor`", cx.name))
        })?;
        Ok(VendorDecision {
            operator: cx.c.operator(cx.operators, id, cx.name)?,
            generations: match &cx.raw.generation {
                None => [true, true],
                Some(g) => cx.c.word(g, "generation", GENERATIONS)?,
            },
            vendor: cx.c.word(vendor, "vendor", VENDORS)?,
            share: match &cx.raw.share {
                Some(x) => cx.c.number(x, "share", Domain::UNIT)?,
                None => 1.0,
            },
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Operator(self.operator)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Nothing
    }

    fn what(&self, _: &Scenario) -> String {
        let which = match self.generations {
            [true, true] => "all its purchases",
            [true, false] => "its 2G-4G purchases",
            _ => "its 5G purchases",
        };
        let part = if self.share < 1.0 {
            format!("{} of ", percent(self.share))
        } else {
            String::new()
        };
        match self.vendor {
            Some(true) => format!("documented decision: {part}{which} go to high-risk vendors"),
            Some(false) => format!("documented decision: {part}{which} go to trusted vendors"),
            None => format!("{which} are open to tender again"),
        }
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        let generation = GENERATIONS
            .iter()
            .find(|(_, g)| *g == self.generations)
            .map_or("both", |(w, _)| w);
        m.serialize_entry("operator", &sc.operators[self.operator].id)?;
        m.serialize_entry("generation", generation)?;
        m.serialize_entry("vendor", vendor_word(self.vendor))?;
        m.serialize_entry("share", &self.share)
    }
}
