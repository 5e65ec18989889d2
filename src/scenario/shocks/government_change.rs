//! `government_change`: a new government with its own target orientation,
//! optionally closing part of the gap at once.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct GovernmentChange {
    pub polity: usize,
    /// None: each leaf below the polity draws a target from its own `swing`.
    pub target: Option<Dist>,
    /// Share of the gap to the target closed at once.
    pub jump: f64,
}

const TARGET: Domain = Domain::UNIT;

impl Kind for GovernmentChange {
    const NAME: &'static str = "government_change";
    const KEYS: &'static [Key] = &[Key::Polity, Key::Target, Key::Jump];

    fn check(cx: &ShockCx) -> Checked<Self> {
        Ok(GovernmentChange {
            polity: cx.need_polity()?,
            target: cx.opt_dist(&cx.raw.target, "target", TARGET)?,
            jump: match &cx.raw.jump {
                Some(j) => cx.c.number(j, "jump", Domain::UNIT)?,
                None => 0.0,
            },
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Polity(self.polity)
    }

    fn drawn(&self) -> Drawn<'_> {
        match &self.target {
            Some(t) => Drawn::Dist(t),
            None => Drawn::Nothing,
        }
    }

    fn what(&self, _: &Scenario) -> String {
        let to = self
            .target
            .as_ref()
            .map_or("a new government's own target".to_string(), |t| {
                format!("a new target orientation {}", describe(t))
            });
        let jump = if self.jump > 0.0 {
            format!(", closing {} of the gap at once", super::percent(self.jump))
        } else {
            String::new()
        };
        format!("government change: {to}{jump}")
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)?;
        if let Some(t) = &self.target {
            m.serialize_entry("target", &DistText(t))?;
        }
        m.serialize_entry("jump", &self.jump)
    }
}
