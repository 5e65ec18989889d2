//! `eu_step`: the country's EU accession moves by whole stages (0 to 5).

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct EuStep {
    pub polity: usize,
    /// Stages to move, -5 to 5 (the model keeps the stage within 0 to 5).
    pub stages: i32,
}

impl Kind for EuStep {
    const NAME: &'static str = "eu_step";
    const KEYS: &'static [Key] = &[Key::Polity, Key::Stages];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(EuStep {
            polity: cx.need_polity()?,
            stages: cx
                .raw
                .stages
                .as_ref()
                .map_or(1, |v| v.value.clamp(-5, 5) as i32),
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Polity(self.polity)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Nothing
    }

    fn what(&self, _: &Scenario) -> String {
        format!("EU accession moves {:+} stage(s)", self.stages)
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)?;
        m.serialize_entry("stages", &self.stages)
    }
}
