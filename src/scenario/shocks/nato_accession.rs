//! `nato_accession`: the polity's country joins NATO from then on.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct NatoAccession {
    /// Any polity of the country; the membership is the country's (the model
    /// acts on its root).
    pub polity: usize,
}

impl Kind for NatoAccession {
    const NAME: &'static str = "nato_accession";
    const KEYS: &'static [Key] = &[Key::Polity];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(NatoAccession {
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
        "the country joins NATO".into()
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)
    }
}
