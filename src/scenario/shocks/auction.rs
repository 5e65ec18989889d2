//! `auction`: 5G spectrum is awarded; the operators launch 5G and pick its
//! main vendor in one decision.

use super::{Drawn, Key, Kind, Reach, ShockCx};
use crate::scenario::Scenario;
use crate::scenario::check::Checked;
use serde::ser::SerializeMap;

#[derive(Debug, Clone)]
pub struct Auction {
    pub polity: usize,
    /// Without `operators`: every operator licensed in the polity or below.
    pub operators: Vec<usize>,
}

impl Kind for Auction {
    const NAME: &'static str = "auction";
    const KEYS: &'static [Key] = &[Key::Polity, Key::Operators];

    fn check(cx: &ShockCx) -> Checked<Self> {
        let polity = cx.need_polity()?;
        let operators = match &cx.raw.operators {
            None => (0..cx.operators.len())
                .filter(|&o| cx.is_within(cx.operators[o].polity, polity))
                .collect(),
            Some(list) => {
                let mut v = Vec::new();
                for id in cx.each(list) {
                    let o = cx.c.operator(cx.operators, &id, cx.name)?;
                    if cx.root_of(cx.operators[o].polity) != cx.root_of(polity) {
                        return Err(cx
                            .c
                            .err(
                                &list.loc,
                                format!(
                                    "operator `{}` is not in `{}`'s country",
                                    id.value, cx.polities[polity].id
                                ),
                            )
                            .hint("an auction launches 5G for operators of its own country"));
                    }
                    v.push(o);
                }
                v
            }
        };
        Ok(Auction { polity, operators })
    }

    fn reach(&self) -> Reach<'_> {
        Reach::Polity(self.polity)
    }

    fn drawn(&self) -> Drawn<'_> {
        Drawn::Nothing
    }

    fn what(&self, sc: &Scenario) -> String {
        format!(
            "5G auction: {} launch 5G and pick a main vendor",
            self.operators
                .iter()
                .map(|o| sc.operators[*o].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn fields<M: SerializeMap>(&self, sc: &Scenario, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("polity", &sc.polities[self.polity].id)?;
        m.serialize_entry(
            "operators",
            &super::ids(|o| &sc.operators[o].id, &self.operators),
        )
    }
}
