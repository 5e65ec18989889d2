//! The model's coefficients as the file names them: one catalogue of name,
//! domain, default and meaning, used by the parser, the model and the docs.

use super::dist::Domain;

macro_rules! params {
    ($( $variant:ident = $name:literal, $domain:expr, $default:expr, $unit:literal, $meaning:literal; )*) => {
        /// A model coefficient, in the order the catalogue lists them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ParamId { $( $variant ),* }

        pub const PARAMS: &[ParamSpec] = &[
            $( ParamSpec { id: ParamId::$variant, name: $name, domain: $domain, default: $default, unit: $unit, meaning: $meaning } ),*
        ];
    };
}

pub struct ParamSpec {
    pub id: ParamId,
    pub name: &'static str,
    pub domain: Domain,
    pub default: f64,
    pub unit: &'static str,
    pub meaning: &'static str,
}

params! {
    PriceAdvantage = "price_advantage", Domain::PRICE, 0.25, "fraction", "how much cheaper high-risk vendors are (0.2 = 20% cheaper)";
    B0 = "b0", Domain::ANY, 0.0, "logit", "vendor-choice intercept";
    BPrice = "b_price", Domain::ANY, 4.0, "logit per unit price", "weight of the price advantage";
    BOrient = "b_orient", Domain::ANY, 4.0, "logit", "weight of the government's orientation";
    BOwner = "b_owner", Domain::ANY, 6.0, "logit", "weight of the owner's vendor stance";
    BLeverage = "b_leverage", Domain::ANY, 1.0, "logit", "weight of Chinese leverage (debt, investment)";
    BIncident = "b_incident", Domain::ANY, 2.0, "logit", "weight of a security incident";
    BIncumbent = "b_incumbent", Domain::ANY, 2.0, "logit", "lock-in to the installed vendor";
    Kappa = "kappa", Domain::NON_NEGATIVE, 0.5, "per year", "speed at which orientation follows the government's target";
    Sigma = "sigma", Domain::NON_NEGATIVE, 0.05, "per sqrt(year)", "orientation noise";
    LawHazard = "law_hazard", Domain::NON_NEGATIVE, 0.008, "per year", "base rate of adopting a high-risk-vendor restriction";
    GW = "g_w", Domain::ANY, 6.0, "log-hazard", "effect of orientation on adopting a restriction";
    GNato = "g_nato", Domain::ANY, 0.5, "log-hazard", "effect of NATO membership on adopting a restriction";
    GEu = "g_eu", Domain::ANY, 1.0, "log-hazard", "effect of the EU stage (stage/5) on adopting a restriction";
    GPressure = "g_pressure", Domain::ANY, 1.0, "log-hazard per level", "effect of diplomatic pressure on adopting a restriction";
    LawUnpushed = "law_unpushed", Domain::NON_NEGATIVE, 1.0, "push units", "the push a government gives itself: law hazard factor without pressure, EU conditionality or incident";
    LawPush = "law_push", Domain::NON_NEGATIVE, 0.0, "per push unit", "weight of an outside push (pressure + EU conditionality at stages 3-4 + incident intensity) in the law hazard factor";
    RepealHazard = "repeal_hazard", Domain::NON_NEGATIVE, 0.1, "per year", "repeal rate of a restriction, times (1 - orientation)";
    PhaseOutYears = "phase_out_years", Domain::NON_NEGATIVE, 5.0, "years", "time to remove high-risk equipment after a restriction (0 = at once)";
    EuHazard = "eu_hazard", Domain::NON_NEGATIVE, 1.0, "per year", "rate of EU accession steps at orientation 1";
    EuRateCandidate = "eu_rate_candidate", Domain::NON_NEGATIVE, 1.0, "multiplier", "eu_hazard multiplier for stage 0 -> 1 (candidate status)";
    EuRateNegotiations = "eu_rate_negotiations", Domain::NON_NEGATIVE, 1.0, "multiplier", "eu_hazard multiplier for stage 1 -> 2 (negotiations open)";
    EuRateClusters = "eu_rate_clusters", Domain::NON_NEGATIVE, 1.0, "multiplier", "eu_hazard multiplier for stage 2 -> 3 (clusters open)";
    EuRateClosing = "eu_rate_closing", Domain::NON_NEGATIVE, 1.0, "multiplier", "eu_hazard multiplier for stage 3 -> 4 (closing chapters)";
    EuRateAccession = "eu_rate_accession", Domain::NON_NEGATIVE, 1.0, "multiplier", "eu_hazard multiplier for stage 4 -> 5 (membership), once the minimum time has passed";
    EuMinAccessionYears = "eu_min_accession_years", Domain::NON_NEGATIVE, 0.0, "years", "minimum time from entering stage 4 to membership (closing every chapter, then ratification)";
    EuGamma = "eu_gamma", Domain::NON_NEGATIVE, 2.0, "exponent", "how steeply EU steps depend on orientation";
    EuConditionality = "eu_conditionality", Domain::UNIT, 0.0, "fraction", "cut of the EU step rate at stages 3-4 while not every operator is bound by a restriction";
    IncidentHalfLife = "incident_half_life", Domain::POSITIVE, 1.0, "years", "half-life of a security incident's effect";
    RefreshYears = "refresh_years", Domain::POSITIVE, 8.0, "years", "equipment life (default for operators)";
    RolloutYears = "rollout_years", Domain::POSITIVE, 5.0, "years", "time for 5G to carry all traffic after launch (default for operators)";
}

impl ParamId {
    pub fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn by_name(name: &str) -> Option<ParamId> {
        PARAMS.iter().find(|p| p.name == name).map(|p| p.id)
    }
}

pub const PARAM_COUNT: usize = PARAMS.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_indexed_by_id_and_defaults_lie_in_domain() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert_eq!(p.id as usize, i);
            assert!(p.domain.contains(p.default), "{}", p.name);
            assert_eq!(ParamId::by_name(p.name), Some(p.id));
        }
        assert_eq!(PARAM_COUNT, 31);
    }
}
