//! `price`: high-risk vendors' price advantage is set (`advantage`) or
//! moved (`delta`), everywhere.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub enum PriceChange {
    Advantage(Dist),
    Delta(Dist),
}

impl Kind for PriceChange {
    const NAME: &'static str = "price";
    const KEYS: &'static [Key] = &[Key::Advantage, Key::Delta];

    fn check(cx: &ShockCx) -> Checked<Self> {
        match (&cx.raw.advantage, &cx.raw.delta) {
            (Some(a), None) => Ok(PriceChange::Advantage(cx.c.dist(
                a,
                "advantage",
                Domain::PRICE,
            )?)),
            (None, Some(d)) => Ok(PriceChange::Delta(cx.c.dist(d, "delta", Domain::ANY)?)),
            _ => Err(cx
                .c
                .err(
                    cx.anchor,
                    format!(
                        "{} (`price`) needs exactly one of `advantage` and `delta`",
                        cx.name
                    ),
                )
                .hint("`advantage = 0.3` sets the price advantage, `delta = 0.1` adds to it")),
        }
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Everywhere
    }

    fn drawn(&self) -> Drawn<'_> {
        match self {
            PriceChange::Advantage(d) => Drawn::Dist(d),
            PriceChange::Delta(d) => Drawn::Dist(d),
        }
    }

    fn what(&self, _: &Scenario) -> String {
        match self {
            PriceChange::Advantage(d) => {
                format!("high-risk vendors' price advantage becomes {}", describe(d))
            }
            PriceChange::Delta(d) => {
                format!("high-risk vendors' price advantage changes by {}", describe(d))
            }
        }
    }

    fn fields<M: SerializeMap>(&self, _: &Scenario, m: &mut M) -> Result<(), M::Error> {
        match self {
            PriceChange::Advantage(d) => m.serialize_entry("advantage", &DistText(d)),
            PriceChange::Delta(d) => m.serialize_entry("delta", &DistText(d)),
        }
    }
}
