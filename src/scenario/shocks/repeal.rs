//! `repeal`: the polity's high-risk-vendor restriction is lifted.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Repeal {
    pub polity: usize,
}

impl Kind for Repeal {
    const NAME: &'static str = "repeal";
    const KEYS: &'static [Key] = &[Key::Polity];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(Repeal {
            polity: cx.need_polity()?,
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Polity(self.polity)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Nothing
    }

    fn what(&self, _: &Scenario) -> String {
        "the high-risk-vendor restriction is repealed".into()
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)
    }
}
