//! `leverage`: Chinese leverage (debt, investment) over the polity is set to a new level.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Leverage {
    pub polity: usize,
    pub level: Dist,
}

const LEVEL: Domain = Domain::LEVERAGE;

impl Kind for Leverage {
    const NAME: &'static str = "leverage";
    const KEYS: &'static [Key] = &[Key::Polity, Key::Level];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(Leverage {
            polity: cx.need_polity()?,
            level: cx.need_dist(&cx.raw.level, "level", LEVEL)?,
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Polity(self.polity)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Dist(&self.level)
    }

    fn what(&self, _: &Scenario) -> String {
        format!("Chinese leverage set to {}", describe(&self.level))
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)?;
        m.serialize_entry("level", &DistText(&self.level))
    }
}
