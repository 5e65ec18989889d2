//! `ownership_change`: an operator is sold; the new owner brings its own
//! stance on vendors.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use crate::scenario::dist::{Dist, Domain, describe};
use crate::scenario::dist_text::DistText;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct OwnershipChange {
    pub operator: usize,
    pub owner: Option<String>,
    pub owner_alignment: Dist,
}

const ALIGNMENT: Domain = Domain::UNIT;

impl Kind for OwnershipChange {
    const NAME: &'static str = "ownership_change";
    const KEYS: &'static [Key] = &[Key::Operator, Key::Owner, Key::OwnerAlignment];

    fn check(cx: &ShockCx) -> Checked<Self> {
        let id = cx.raw.operator.as_ref().ok_or_else(|| {
            cx.c.err(cx.anchor, format!("{} needs `operator`", cx.name))
        })?;
        Ok(OwnershipChange {
            operator: cx.c.operator(cx.operators, id, cx.name)?,
            owner: cx.raw.owner.as_ref().map(|o| o.value.clone()),
            owner_alignment: cx.need_dist(&cx.raw.owner_alignment, "owner_alignment", ALIGNMENT)?,
        })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Operator(self.operator)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Dist(&self.owner_alignment)
    }

    fn what(&self, _: &Scenario) -> String {
        format!(
            "new owner{}, vendor stance {}",
            self.owner
                .as_ref()
                .map_or(String::new(), |o| format!(" {o}")),
            describe(&self.owner_alignment)
        )
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("operator", &sc.operators[self.operator].id)?;
        if let Some(w) = &self.owner {
            m.serialize_entry("owner", w)?;
        }
        m.serialize_entry("owner_alignment", &DistText(&self.owner_alignment))
    }
}
