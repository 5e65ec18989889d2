//! What the model reports: one series per (metric, entity), in a fixed order
//! (per metric: each country, then its sub-polities, then its operators),
//! each with the range its values can take so the engine can bin them.

use crate::scenario::Scenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    TrustedShare,
    TrustedProcurement,
    Hr5g,
    CostPremium,
    Orientation,
    EuStage,
    Restriction,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::TrustedShare,
        Metric::TrustedProcurement,
        Metric::Hr5g,
        Metric::CostPremium,
        Metric::Orientation,
        Metric::EuStage,
        Metric::Restriction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::TrustedShare => "trusted_share",
            Metric::TrustedProcurement => "trusted_procurement",
            Metric::Hr5g => "hr_5g",
            Metric::CostPremium => "cost_premium",
            Metric::Orientation => "orientation",
            Metric::EuStage => "eu_stage",
            Metric::Restriction => "restriction",
        }
    }

    /// Human title with unit, for charts and pages.
    pub fn title(self) -> &'static str {
        match self {
            Metric::TrustedShare => "Trusted-vendor share of the installed RAN (0-1)",
            Metric::TrustedProcurement => {
                "Probability a new purchase goes to a trusted vendor (0-1)"
            }
            Metric::Hr5g => "High-risk share of the 5G RAN (0-1)",
            Metric::CostPremium => "Cumulative extra capex (networks at high-risk prices)",
            Metric::Orientation => "Government orientation (0 Beijing - 1 EU/US)",
            Metric::EuStage => "EU accession stage (0-5)",
            Metric::Restriction => "High-risk-vendor restriction in force (share of market)",
        }
    }

    /// Title for a chart whose axis carries the unit.
    pub fn chart_title(self) -> &'static str {
        match self {
            Metric::TrustedShare => "Trusted-vendor share of the installed radio network",
            Metric::TrustedProcurement => {
                "Chance that a purchase made now goes to a trusted vendor"
            }
            Metric::Hr5g => "High-risk share of the 5G radio network",
            Metric::CostPremium => "Extra capex paid for trusted vendors (cumulative)",
            Metric::Orientation => "Government orientation, from Beijing (0) to the EU/US (1)",
            Metric::EuStage => "EU accession stage",
            Metric::Restriction => "Market share bound by a high-risk-vendor law",
        }
    }

    /// Range of the histogram bins. Cost premium is open-ended: values
    /// outside fall in the edge bins, and the exact min and max are kept.
    pub fn range(self) -> (f64, f64, usize, bool) {
        match self {
            Metric::EuStage => (-0.5, 5.5, 6, true),
            Metric::CostPremium => (-1.0, 3.0, 400, false),
            _ => (0.0, 1.0, 200, false),
        }
    }
}

/// One reported series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    pub metric: Metric,
    /// A country, sub-polity or operator id.
    pub entity: String,
    /// "country", "polity" or "operator".
    pub level: &'static str,
    /// The country the entity belongs to.
    pub country: String,
}

/// How a series' value is computed from the state.
#[derive(Debug, Clone)]
pub(super) enum Recipe {
    /// A network metric of one operator.
    Operator(Metric, usize),
    /// Weighted mean of a network metric over `groups[range]`.
    Group(Metric, std::ops::Range<usize>),
    Orientation(usize),
    EuStage(usize),
    /// 0/1: a restriction in force at the polity or an ancestor.
    RestrictionPolity(usize),
    /// Market share of the country's operators bound; own flag without operators.
    RestrictionCountry(usize),
}

pub(super) fn layout(
    sc: &Scenario,
    children: &[Vec<usize>],
    subtree_ops: &[Vec<usize>],
    countries: &[usize],
) -> Layout {
    let mut series = Vec::new();
    let mut recipes = Vec::new();
    let mut groups: Vec<(usize, f64)> = Vec::new();
    // Weighted operator groups, by market share (equal weights if all are 0).
    let mut group_of = |ops: &[usize]| {
        let start = groups.len();
        let total: f64 = ops.iter().map(|&o| sc.operators[o].market_share).sum();
        for &o in ops {
            let w = if total > 0.0 {
                sc.operators[o].market_share / total
            } else {
                1.0 / ops.len() as f64
            };
            groups.push((o, w));
        }
        start..groups.len()
    };
    let descendants = |c: usize| {
        let mut out = Vec::new();
        let mut stack = vec![c];
        while let Some(p) = stack.pop() {
            if p != c {
                out.push(p);
            }
            stack.extend(children[p].iter().rev());
        }
        out.sort_unstable();
        out
    };
    let country_groups: Vec<_> = countries
        .iter()
        .map(|&c| group_of(&subtree_ops[c]))
        .collect();
    let sub_groups: Vec<Vec<(usize, std::ops::Range<usize>)>> = countries
        .iter()
        .map(|&c| {
            descendants(c)
                .into_iter()
                .filter(|&p| !subtree_ops[p].is_empty())
                .map(|p| (p, group_of(&subtree_ops[p])))
                .collect()
        })
        .collect();
    for metric in Metric::ALL {
        for (ci, &c) in countries.iter().enumerate() {
            let country = sc.polities[c].id.clone();
            let mut push = |entity: &str, level: &'static str, recipe: Recipe| {
                series.push(SeriesSpec {
                    metric,
                    entity: entity.to_string(),
                    level,
                    country: country.clone(),
                });
                recipes.push(recipe);
            };
            match metric {
                Metric::TrustedShare
                | Metric::TrustedProcurement
                | Metric::Hr5g
                | Metric::CostPremium => {
                    if subtree_ops[c].is_empty() {
                        continue;
                    }
                    push(
                        &country,
                        "country",
                        Recipe::Group(metric, country_groups[ci].clone()),
                    );
                    for (p, g) in &sub_groups[ci] {
                        push(
                            &sc.polities[*p].id,
                            "polity",
                            Recipe::Group(metric, g.clone()),
                        );
                    }
                    for &o in &subtree_ops[c] {
                        push(&sc.operators[o].id, "operator", Recipe::Operator(metric, o));
                    }
                }
                Metric::Orientation | Metric::EuStage | Metric::Restriction => {
                    let recipe = |p: usize| match metric {
                        Metric::Orientation => Recipe::Orientation(p),
                        Metric::EuStage => Recipe::EuStage(p),
                        _ => Recipe::RestrictionPolity(p),
                    };
                    let first = if metric == Metric::Restriction {
                        Recipe::RestrictionCountry(c)
                    } else {
                        recipe(c)
                    };
                    push(&country, "country", first);
                    for p in descendants(c) {
                        push(&sc.polities[p].id, "polity", recipe(p));
                    }
                }
            }
        }
    }
    Layout {
        series,
        recipes,
        groups,
        country_groups,
    }
}

/// The recipes regrouped for the hot loop: one pass per kind, no dispatch
/// per series, and the four network metrics of a group summed together.
#[derive(Debug, Clone, Default)]
pub(super) struct RecordPlan {
    /// (series, metric index, operator): a copy of an operator's metric.
    pub copies: Vec<(usize, usize, usize)>,
    /// A range of `groups` and its series for each network metric.
    pub groups: Vec<(std::ops::Range<usize>, [usize; 4])>,
    /// (series, polity) for each of orientation, EU stage, restriction.
    pub orientation: Vec<(usize, usize)>,
    pub eu_stage: Vec<(usize, usize)>,
    pub restriction_polity: Vec<(usize, usize)>,
    pub restriction_country: Vec<(usize, usize)>,
}

impl RecordPlan {
    pub fn new(recipes: &[Recipe]) -> RecordPlan {
        let mut plan = RecordPlan::default();
        for (s, recipe) in recipes.iter().enumerate() {
            match recipe {
                Recipe::Operator(m, o) => plan.copies.push((s, net_index(*m), *o)),
                Recipe::Group(m, range) => {
                    let i = match plan.groups.iter().position(|(r, _)| r == range) {
                        Some(i) => i,
                        None => {
                            plan.groups.push((range.clone(), [usize::MAX; 4]));
                            plan.groups.len() - 1
                        }
                    };
                    plan.groups[i].1[net_index(*m)] = s;
                }
                Recipe::Orientation(p) => plan.orientation.push((s, *p)),
                Recipe::EuStage(p) => plan.eu_stage.push((s, *p)),
                Recipe::RestrictionPolity(p) => plan.restriction_polity.push((s, *p)),
                Recipe::RestrictionCountry(c) => plan.restriction_country.push((s, *c)),
            }
        }
        // Every group reports all four network metrics (layout pushes them alike).
        debug_assert!(plan.groups.iter().all(|(_, s)| !s.contains(&usize::MAX)));
        plan
    }
}

/// The metrics computed per operator, in the order of `RunState::op_metric`.
pub(super) const NET_METRICS: [Metric; 4] = [
    Metric::TrustedShare,
    Metric::TrustedProcurement,
    Metric::Hr5g,
    Metric::CostPremium,
];

fn net_index(m: Metric) -> usize {
    NET_METRICS
        .iter()
        .position(|x| *x == m)
        .expect("a network metric")
}

pub(super) struct Layout {
    pub series: Vec<SeriesSpec>,
    pub recipes: Vec<Recipe>,
    pub groups: Vec<(usize, f64)>,
    /// Each country's operators (aligned with `countries`).
    pub country_groups: Vec<std::ops::Range<usize>>,
}
