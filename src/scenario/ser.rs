//! The checked scenario as serde data, once: the resolved file
//! ([`ResolvedFile`]) and summary.json's inputs ([`Inputs`]) are two forms of
//! one serialisation, each entry's keys listed once below (and each shock
//! kind's in its own file). The report renders them: TOML text, JSON, the
//! page's inputs table. Distributions serialise as their TOML text ([`super::dist_text`]).

use super::dist::Dist;
pub use super::dist_text::{DIST_TOKEN, DistText};
use super::params::PARAMS;
use super::shocks::vendor_word;
use super::{Reach, Scenario, Timing};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Which rendering of the one serialisation: the resolved file (only the
/// keys in force, as `simulate` reads them back) or summary.json's
/// `inputs` (every key of every entry, `null` where unset, and each shock
/// as when, where and how likely).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    File,
    Inputs,
}

/// The resolved scenario as it is written to scenario.resolved.toml:
/// `[scenario]`, `[parameters]`, `[classes]`, then `[[polity]]`,
/// `[[operator]]` and `[[shock]]`; every default explicit, ids for indices.
pub struct ResolvedFile<'a> {
    pub sc: &'a Scenario,
    /// The run's, which flags may have changed from the file's.
    pub runs: u64,
    pub seed: u64,
}

/// The resolved inputs of summary.json: parameters, polities, operators, shocks.
pub struct Inputs<'a>(pub &'a Scenario);

impl Serialize for ResolvedFile<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sc = self.sc;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("scenario", &Header(self))?;
        m.serialize_entry("parameters", &Parameters(sc))?;
        m.serialize_entry("classes", &Classes(sc))?;
        m.serialize_entry("polity", &Polities(sc, Form::File))?;
        m.serialize_entry("operator", &Operators(sc, Form::File))?;
        m.serialize_entry("shock", &Shocks(sc, Form::File))?;
        if !sc.outcomes.is_empty() {
            m.serialize_entry("outcome", &Outcomes(sc))?;
        }
        if !sc.levers.is_empty() {
            m.serialize_entry("lever", &Levers(sc))?;
        }
        m.end()
    }
}

impl Serialize for Inputs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sc = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("parameters", &Parameters(sc))?;
        m.serialize_entry("polities", &Polities(sc, Form::Inputs))?;
        m.serialize_entry("operators", &Operators(sc, Form::Inputs))?;
        m.serialize_entry("shocks", &Shocks(sc, Form::Inputs))?;
        m.end()
    }
}

struct Header<'a, 'b>(&'b ResolvedFile<'a>);

impl Serialize for Header<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sc = self.0.sc;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &sc.name)?;
        m.serialize_entry("description", &sc.description)?;
        if let Some(q) = &sc.question {
            m.serialize_entry("question", q)?;
        }
        m.serialize_entry("start", &sc.grid.start.to_string())?;
        m.serialize_entry("end", &sc.grid.end.to_string())?;
        m.serialize_entry("step_months", &sc.grid.step_months)?;
        m.serialize_entry("runs", &self.0.runs)?;
        m.serialize_entry("seed", &self.0.seed)?;
        // Only when not everything: files resolved before `series` existed
        // keep their bytes.
        if !sc.series.words.is_empty() {
            m.serialize_entry("series", &sc.series.words)?;
        }
        m.end()
    }
}

/// Every parameter of the catalogue, in its order, defaults included.
struct Parameters<'a>(&'a Scenario);

impl Serialize for Parameters<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(PARAMS.len()))?;
        for (p, d) in PARAMS.iter().zip(&self.0.parameters) {
            m.serialize_entry(p.name, &DistText(d))?;
        }
        m.end()
    }
}

struct Classes<'a>(&'a Scenario);

impl Serialize for Classes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = &self.0.classes;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("metric", c.metric.name())?;
        m.serialize_entry("keen_below", &c.keen_below)?;
        m.serialize_entry("cautious_from", &c.cautious_from)?;
        m.end()
    }
}

struct Polities<'a>(&'a Scenario, Form);

impl Serialize for Polities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Polities(sc, form) = *self;
        s.collect_seq((0..sc.polities.len()).map(|p| PolityEntry(sc, p, form)))
    }
}

struct Operators<'a>(&'a Scenario, Form);

impl Serialize for Operators<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Operators(sc, form) = *self;
        s.collect_seq((0..sc.operators.len()).map(|o| OperatorEntry(sc, o, form)))
    }
}

struct Shocks<'a>(&'a Scenario, Form);

impl Serialize for Shocks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Shocks(sc, form) = *self;
        s.collect_seq((0..sc.shocks.len()).map(|i| ShockEntry(sc, i, form)))
    }
}

struct PolityEntry<'a>(&'a Scenario, usize, Form);

impl Serialize for PolityEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let PolityEntry(sc, p, form) = *self;
        let pol = &sc.polities[p];
        let every = form == Form::Inputs;
        let parent = pol.parent.map(|q| &sc.polities[q].id);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &pol.id)?;
        m.serialize_entry("name", &pol.name)?;
        if every || parent.is_some() {
            m.serialize_entry("parent", &parent)?;
            m.serialize_entry("weight", &pol.weight)?;
        }
        // NATO and the EU belong to the country: a child's are ignored.
        if every || parent.is_none() {
            m.serialize_entry("nato", &pol.nato)?;
            m.serialize_entry("eu_stage", &pol.eu_stage)?;
            m.serialize_entry("eu_pace", &DistText(&pol.eu_pace))?;
        }
        // A parent's orientation is the minimum of its children's: its own is ignored.
        if every || !sc.has_children(p) {
            m.serialize_entry("orientation", &DistText(&pol.orientation))?;
            if every || pol.target.is_some() {
                m.serialize_entry("target", &pol.target.as_ref().map(DistText))?;
            }
        }
        m.serialize_entry("restriction", &pol.restriction)?;
        m.serialize_entry("china_leverage", &DistText(&pol.china_leverage))?;
        m.serialize_entry("pressure", &pol.pressure)?;
        m.serialize_entry("election_hazard", &DistText(&pol.election_hazard))?;
        m.serialize_entry("swing", &DistText(&pol.swing))?;
        m.end()
    }
}

struct OperatorEntry<'a>(&'a Scenario, usize, Form);

impl Serialize for OperatorEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let OperatorEntry(sc, o, form) = *self;
        let op = &sc.operators[o];
        let every = form == Form::Inputs;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &op.id)?;
        m.serialize_entry("name", &op.name)?;
        m.serialize_entry("polity", &sc.polities[op.polity].id)?;
        m.serialize_entry("owner", &op.owner)?;
        m.serialize_entry("owner_alignment", &DistText(&op.owner_alignment))?;
        m.serialize_entry("market_share", &op.market_share)?;
        // Unset: the parameter's default.
        for (key, d) in [
            ("refresh_years", &op.refresh_years),
            ("rollout_years", &op.rollout_years),
        ] {
            if every || d.is_some() {
                m.serialize_entry(key, &d.as_ref().map(DistText))?;
            }
        }
        m.serialize_entry("hr_legacy", &DistText(&op.hr_legacy))?;
        // Before 5G launches its vendor share is ignored.
        if every || !matches!(op.g5_weight, Dist::Const(g) if g == 0.0) {
            m.serialize_entry("hr_5g", &DistText(&op.hr_5g))?;
        }
        m.serialize_entry("g5_weight", &DistText(&op.g5_weight))?;
        // Only a documented decision is written; summary.json's inputs have
        // never listed these keys.
        if !every {
            for (key, v) in ["vendor_legacy", "vendor_5g"].into_iter().zip(op.vendor) {
                if v.is_some() {
                    m.serialize_entry(key, vendor_word(v))?;
                }
            }
        }
        m.end()
    }
}

struct ShockEntry<'a>(&'a Scenario, usize, Form);

impl Serialize for ShockEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ShockEntry(sc, i, form) = *self;
        let shock = &sc.shocks[i];
        let requires = shock.requires.map(|q| sc.shock_key(q));
        let mut m = s.serialize_map(None)?;
        match form {
            Form::File => {
                // Unnamed shocks get their position as id, which keeps their random stream.
                m.serialize_entry("id", &sc.shock_key(i))?;
                m.serialize_entry("kind", shock.effect.kind())?;
                if let Some(l) = &shock.label {
                    m.serialize_entry("label", l)?;
                }
                match shock.timing {
                    Timing::Date(d) => m.serialize_entry("date", &d.to_string())?,
                    Timing::Window(a, b) => {
                        m.serialize_entry("window", &[a.to_string(), b.to_string()])?
                    }
                }
                m.serialize_entry("probability", &shock.probability)?;
                if let Some(q) = &requires {
                    m.serialize_entry("requires", q)?;
                }
                shock.effect.fields(sc, &mut m)?;
            }
            Form::Inputs => {
                m.serialize_entry("shock", &sc.shock_key(i))?;
                m.serialize_entry("kind", shock.effect.kind())?;
                m.serialize_entry("when", &shock.timing.text())?;
                m.serialize_entry("probability", &shock.probability)?;
                m.serialize_entry("requires", &requires)?;
                let target = match shock.effect.reach() {
                    Reach::Operator(o) => sc.operators[o].id.clone(),
                    r => r.words(sc),
                };
                m.serialize_entry("target", &target)?;
            }
        }
        m.end()
    }
}

/// `[[outcome]]`: the headline outcomes as written (words normalised).
struct Outcomes<'a>(&'a Scenario);

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.outcomes.iter().map(OutcomeEntry))
    }
}

struct OutcomeEntry<'a>(&'a super::outcome::HeadlineOutcome);

impl Serialize for OutcomeEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("what", &self.0.spec.text)?;
        if let Some(label) = &self.0.label {
            m.serialize_entry("label", label)?;
        }
        m.end()
    }
}

/// `[[lever]]`: the workshop levers the file declares, keys canonical.
struct Levers<'a>(&'a Scenario);

impl Serialize for Levers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.levers.iter().map(LeverEntry))
    }
}

struct LeverEntry<'a>(&'a super::lever::Lever);

impl Serialize for LeverEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use super::lever::LeverKind;
        let l = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("key", &l.key)?;
        m.serialize_entry("label", &l.label)?;
        match &l.kind {
            LeverKind::Number { lo, hi, step } => {
                m.serialize_entry("range", &[lo, hi])?;
                m.serialize_entry("step", step)?;
            }
            LeverKind::Months { lo, hi, step } => {
                m.serialize_entry("range", &[lo.to_string(), hi.to_string()])?;
                m.serialize_entry("step", step)?;
            }
            LeverKind::Switch => {}
        }
        m.end()
    }
}
