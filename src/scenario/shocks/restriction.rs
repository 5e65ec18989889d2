//! `restriction`: a law excludes high-risk vendors from new purchases and
//! has installed equipment removed within a phase-out.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::params::ParamId;
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Restriction {
    pub polity: usize,
    /// None: the `phase_out_years` parameter.
    pub phase_out_years: Option<Dist>,
}

const PHASE_OUT: Domain = Domain::NON_NEGATIVE;

impl Kind for Restriction {
    const NAME: &'static str = "restriction";
    const KEYS: &'static [Key] = &[Key::Polity, Key::PhaseOutYears];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(Restriction {
            polity: cx.need_polity()?,
            phase_out_years: cx.opt_dist(&cx.raw.phase_out_years, "phase_out_years", PHASE_OUT)?,
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Polity(self.polity)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::OrParameter(self.phase_out_years.as_ref(), ParamId::PhaseOutYears)
    }

    fn what(&self, _: &Scenario) -> String {
        format!(
            "a law excludes high-risk vendors from new purchases; installed equipment goes within {} years",
            self.phase_out_years
                .as_ref()
                .map_or("the default phase-out".into(), describe)
        )
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)?;
        if let Some(d) = &self.phase_out_years {
            m.serialize_entry("phase_out_years", &DistText(d))?;
        }
        Ok(())
    }
}
