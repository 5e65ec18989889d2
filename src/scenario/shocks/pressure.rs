//! `pressure`: diplomatic pressure (US/EU) on the polity is set to a new level.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Pressure {
    pub polity: usize,
    pub level: Dist,
}

const LEVEL: Domain = Domain::NON_NEGATIVE;

impl Kind for Pressure {
    const NAME: &'static str = "pressure";
    const KEYS: &'static [Key] = &[Key::Polity, Key::Level];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(Pressure {
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
        format!("diplomatic pressure set to {}", describe(&self.level))
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)?;
        m.serialize_entry("level", &DistText(&self.level))
    }
}
