//! `incident`: a security incident blamed on high-risk vendors; its effect
//! on vendor choice fades with `incident_half_life`.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Incident {
    /// None: every polity.
    pub polities: Option<Vec<usize>>,
    pub severity: Dist,
}

const SEVERITY: Domain = Domain::NON_NEGATIVE;

impl Kind for Incident {
    const NAME: &'static str = "incident";
    const KEYS: &'static [Key] = &[Key::Polities, Key::Severity];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(Incident {
            polities: match &cx.raw.polities {
                None => None,
                Some(list) => Some(
                    cx.each(list)
                        .map(|id| cx.c.polity(cx.polities, &id, cx.name))
                        .collect::<Checked<Vec<_>>>()?,
                ),
            },
            severity: cx.need_dist(&cx.raw.severity, "severity", SEVERITY)?,
        })
    }

    fn reach(&self) -> Reach<'_> {
        match &self.polities {
            Some(list) => Reach::Polities(list),
            None => Reach::Everywhere,
        }
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Dist(&self.severity)
    }

    fn what(&self, _: &Scenario) -> String {
        format!("security incident of severity {}", describe(&self.severity))
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        if let Some(list) = &self.polities {
            m.serialize_entry("polities", &super::ids(|p| &sc.polities[p].id, list))?;
        }
        m.serialize_entry("severity", &DistText(&self.severity))
    }
}
