//! `price`: high-risk vendors' price advantage is set (`advantage`) or
//! moved (`delta`), everywhere, or only for the operators of one polity
//! (`polity`, sub-polities included) or one operator (`operator`): "Huawei
//! 50% cheaper in Montenegro only".

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct PriceChange {
    pub how: PriceMove,
    pub scope: PriceScope,
}

#[derive(Debug, Clone)]
pub enum PriceMove {
    Advantage(Dist),
    Delta(Dist),
}

/// Whose purchases the new price applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceScope {
    Everywhere,
    /// The operators of this polity and of the polities within it.
    Polity(usize),
    Operator(usize),
}

impl Kind for PriceChange {
    const NAME: &'static str = "price";
    const KEYS: &'static [Key] = &[Key::Advantage, Key::Delta, Key::Polity, Key::Operator];

    fn check(cx: &ShockCx) -> Checked<Self> {
        let how = match (&cx.raw.advantage, &cx.raw.delta) {
            (Some(a), None) => PriceMove::Advantage(cx.c.dist(a, "advantage", Domain::PRICE)?),
            (None, Some(d)) => PriceMove::Delta(cx.c.dist(d, "delta", Domain::ANY)?),
            _ => {
                return Err(cx
                    .c
                    .err(
                        cx.anchor,
                        format!(
                            "{} (`price`) needs exactly one of `advantage` and `delta`",
                            cx.name
                        ),
                    )
                    .hint("`advantage = 0.3` sets the price advantage, `delta = 0.1` adds to it"));
            }
        };
        let scope = match (&cx.raw.polity, &cx.raw.operator) {
            (None, None) => PriceScope::Everywhere,
            (Some(p), None) => PriceScope::Polity(cx.c.polity(cx.polities, p, cx.name)?),
            (None, Some(o)) => PriceScope::Operator(cx.c.operator(cx.operators, o, cx.name)?),
            (Some(_), Some(o)) => {
                return Err(cx
                    .c
                    .err(
                        &o.loc,
                        format!(
                            "{} (`price`) takes `polity` or `operator`, not both",
                            cx.name
                        ),
                    )
                    .hint("`polity` reaches every operator of the polity; `operator` one of them"));
            }
        };
        Ok(PriceChange { how, scope })
    }

    fn reach(&self) -> Reach<'_> {
        match self.scope {
            PriceScope::Everywhere => Reach::Everywhere,
            PriceScope::Polity(p) => Reach::Polity(p),
            PriceScope::Operator(o) => Reach::Operator(o),
        }
    }

    fn drawn(&self) -> Drawn<'_> {
        match &self.how {
            PriceMove::Advantage(d) => Drawn::Dist(d),
            PriceMove::Delta(d) => Drawn::Dist(d),
        }
    }

    fn what(&self, sc: &Scenario) -> String {
        let whose = match self.scope {
            PriceScope::Everywhere => String::new(),
            PriceScope::Polity(p) => format!(" for operators in {}", sc.polities[p].name),
            PriceScope::Operator(o) => format!(" for {}", sc.operators[o].name),
        };
        match &self.how {
            PriceMove::Advantage(d) => {
                format!(
                    "high-risk vendors' price advantage{whose} becomes {}",
                    describe(d)
                )
            }
            PriceMove::Delta(d) => {
                format!(
                    "high-risk vendors' price advantage{whose} changes by {}",
                    describe(d)
                )
            }
        }
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        // An unscoped shock writes what it always wrote, so resolved files
        // of scenarios without a scope keep their bytes.
        match self.scope {
            PriceScope::Everywhere => {}
            PriceScope::Polity(p) => m.serialize_entry("polity", &sc.polities[p].id)?,
            PriceScope::Operator(o) => m.serialize_entry("operator", &sc.operators[o].id)?,
        }
        match &self.how {
            PriceMove::Advantage(d) => m.serialize_entry("advantage", &DistText(d)),
            PriceMove::Delta(d) => m.serialize_entry("delta", &DistText(d)),
        }
    }
}
