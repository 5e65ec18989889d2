//! The scenario compiled for fast runs: hierarchy as index lists, the names
//! of every random process and sampled quantity, the reported series.

use super::metrics::Metric;
use super::series::{self, RecordPlan, SeriesSpec, SeriesTable};
use crate::scenario::{Reach, Scenario};

/// Indices of the random processes and quantities one polity uses.
#[derive(Debug, Clone)]
pub(super) struct PolityStreams {
    /// Per-step draws: election, orientation noise, restriction, EU.
    pub step: usize,
    /// Targets drawn on a government change.
    pub swing: usize,
    /// Once-per-run world numbers.
    pub init: usize,
}

#[derive(Debug, Clone)]
pub(super) struct OperatorStreams {
    /// Per-step draws: legacy procurement, 5G procurement (or launch).
    pub step: usize,
    pub init: usize,
}

/// The scenario, checked and compiled; shared read-only by every run.
pub struct World {
    pub scenario: Scenario,
    pub(super) dt: f64,
    pub(super) steps: usize,
    pub(super) parent: Vec<Option<usize>>,
    pub(super) root: Vec<usize>,
    pub(super) children: Vec<Vec<usize>>,
    /// Polities with children, deepest first, so a parent follows its children.
    pub(super) parents_bottom_up: Vec<usize>,
    pub(super) countries: Vec<usize>,
    /// For each operator its polity and that polity's ancestors, nearest first.
    pub(super) op_ancestors: Vec<Vec<usize>>,
    /// Operators licensed in each polity's subtree.
    pub(super) subtree_ops: Vec<Vec<usize>>,
    pub(super) polity_streams: Vec<PolityStreams>,
    pub(super) operator_streams: Vec<OperatorStreams>,
    pub(super) param_quantity: Vec<usize>,
    pub(super) shock_quantity: Vec<usize>,
    process_names: Vec<String>,
    quantity_names: Vec<String>,
    /// The series a run records, in output order.
    pub(super) series: SeriesTable,
    /// How many series a run computes: the recorded ones first, then those
    /// the recorded ones are made of.
    pub(super) computed: usize,
    pub(super) record_plan: RecordPlan,
    /// (op, weight) lists that recipes index into.
    pub(super) groups: Vec<(usize, f64)>,
    /// For each country (by polity index) its range in `groups`.
    pub(super) country_group: Vec<std::ops::Range<usize>>,
    /// Each polity and everything below it.
    pub(super) subtree_polities: Vec<Vec<usize>>,
    /// Per polity: its `trusted_procurement` series (None without
    /// operators), which its alignment reads.
    pub(super) procurement_series: Vec<Option<usize>>,
    /// Every polity and operator: the scope of `run`.
    everything: Scope,
}

/// The part of the world a run steps: every polity and operator for
/// `run`; for the experiment core, the countries its outcomes read.
/// Nothing passes from one country to another in a step — each polity and
/// operator draws from its own named streams, shocks fire from theirs and
/// act on their targets only — so a country's values are the same, to the
/// bit, whatever else is stepped. (What is not stepped is still recorded,
/// and wrongly: a caller reads only the series of its scope.)
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// In index order, as are the other lists.
    pub(super) polities: Vec<usize>,
    pub(super) countries: Vec<usize>,
    pub(super) parents_bottom_up: Vec<usize>,
    pub(super) operators: Vec<usize>,
}

impl Scope {
    /// The countries stepped (by polity index).
    pub fn countries(&self) -> &[usize] {
        &self.countries
    }
}

impl World {
    pub fn new(scenario: Scenario) -> World {
        let n = scenario.polities.len();
        let parent: Vec<Option<usize>> = scenario.polities.iter().map(|p| p.parent).collect();
        let root: Vec<usize> = (0..n).map(|p| scenario.root_of(p)).collect();
        let mut children = vec![Vec::new(); n];
        for (p, q) in parent.iter().enumerate() {
            if let Some(q) = q {
                children[*q].push(p);
            }
        }
        let depth = |mut p: usize| {
            let mut d = 0;
            while let Some(q) = parent[p] {
                p = q;
                d += 1;
            }
            d
        };
        let mut parents_bottom_up: Vec<usize> =
            (0..n).filter(|&p| !children[p].is_empty()).collect();
        parents_bottom_up.sort_by_key(|&p| std::cmp::Reverse(depth(p)));
        let countries: Vec<usize> = (0..n).filter(|&p| parent[p].is_none()).collect();
        let op_ancestors: Vec<Vec<usize>> = scenario
            .operators
            .iter()
            .map(|o| {
                let mut chain = vec![o.polity];
                while let Some(q) = parent[*chain.last().expect("non-empty")] {
                    chain.push(q);
                }
                chain
            })
            .collect();
        let subtree_ops: Vec<Vec<usize>> = (0..n)
            .map(|p| {
                (0..scenario.operators.len())
                    .filter(|&o| op_ancestors[o].contains(&p))
                    .collect()
            })
            .collect();

        let mut process_names = Vec::new();
        let mut quantity_names = Vec::new();
        let mut process = |name: String| {
            process_names.push(name);
            process_names.len() - 1
        };
        let polity_streams: Vec<PolityStreams> = scenario
            .polities
            .iter()
            .map(|p| PolityStreams {
                step: process(format!("polity/{}/step", p.id)),
                swing: process(format!("polity/{}/swing", p.id)),
                init: 0,
            })
            .collect();
        let operator_streams: Vec<OperatorStreams> = scenario
            .operators
            .iter()
            .map(|o| OperatorStreams {
                step: process(format!("operator/{}/step", o.id)),
                init: 0,
            })
            .collect();
        let mut quantity = |name: String| {
            quantity_names.push(name);
            quantity_names.len() - 1
        };
        let mut polity_streams = polity_streams;
        for (s, p) in polity_streams.iter_mut().zip(&scenario.polities) {
            s.init = quantity(format!("polity/{}/init", p.id));
        }
        let mut operator_streams = operator_streams;
        for (s, o) in operator_streams.iter_mut().zip(&scenario.operators) {
            s.init = quantity(format!("operator/{}/init", o.id));
        }
        let shock_quantity = (0..scenario.shocks.len())
            .map(|i| quantity(format!("shock/{}", scenario.shock_key(i))))
            .collect();

        let layout = series::layout(&scenario, &children, &subtree_ops, &countries);
        let mut country_group = vec![0..0; n];
        for (&c, g) in countries.iter().zip(&layout.country_groups) {
            country_group[c] = g.clone();
        }
        let subtree_polities: Vec<Vec<usize>> = (0..n)
            .map(|p| (0..n).filter(|&q| scenario.is_within(q, p)).collect())
            .collect();
        let param_quantity = crate::scenario::params::PARAMS
            .iter()
            .map(|p| quantity(format!("parameter/{}", p.name)))
            .collect();
        let dt = scenario.grid.dt_years();
        let steps = scenario.grid.steps();
        let procurement_series = scenario
            .polities
            .iter()
            .map(|p| layout.computed.index(Metric::TrustedProcurement, &p.id))
            .collect();
        let computed = layout.computed.specs().len();
        let record_plan = RecordPlan::new(&layout.recipes, layout.series.specs().len());
        let mut world = World {
            scenario,
            dt,
            steps,
            parent,
            root,
            children,
            parents_bottom_up,
            countries,
            op_ancestors,
            subtree_ops,
            polity_streams,
            operator_streams,
            param_quantity,
            shock_quantity,
            process_names,
            quantity_names,
            series: layout.series,
            record_plan,
            computed,
            groups: layout.groups,
            country_group,
            subtree_polities,
            procurement_series,
            everything: Scope::default(),
        };
        world.everything = world.scope_within(&vec![true; n]);
        world
    }

    /// The polities and operators of the countries `wanted` marks (by
    /// polity index).
    fn scope_within(&self, wanted: &[bool]) -> Scope {
        let keep = |p: usize| wanted[self.root[p]];
        let within = |list: &[usize]| list.iter().copied().filter(|&p| keep(p)).collect();
        Scope {
            polities: (0..self.scenario.polities.len())
                .filter(|&p| keep(p))
                .collect(),
            countries: within(&self.countries),
            parents_bottom_up: within(&self.parents_bottom_up),
            operators: (0..self.scenario.operators.len())
                .filter(|&o| keep(self.scenario.operators[o].polity))
                .collect(),
        }
    }

    /// Every polity and operator.
    pub fn everything(&self) -> &Scope {
        &self.everything
    }

    /// What a run must step for the values of `series` (indices into
    /// [`World::series`]): the countries they belong to.
    pub fn scope_of(&self, series: impl IntoIterator<Item = usize>) -> Scope {
        let mut wanted = vec![false; self.scenario.polities.len()];
        for s in series {
            let country = &self.series.specs()[s].country;
            match self.scenario.polities.iter().position(|p| &p.id == country) {
                Some(c) => wanted[c] = true,
                None => return self.everything.clone(),
            }
        }
        self.scope_within(&wanted)
    }

    /// Names of the per-step random processes, one generator each.
    pub fn process_names(&self) -> &[String] {
        &self.process_names
    }

    /// Names of the once-per-run sampled quantities, one region each.
    pub fn quantity_names(&self) -> &[String] {
        &self.quantity_names
    }

    /// Polities without a parent, in file order.
    pub fn countries(&self) -> &[usize] {
        &self.countries
    }

    /// The series reported at every point, in output order.
    pub fn series(&self) -> &[SeriesSpec] {
        self.series.specs()
    }

    /// The series of `metric` for a country, polity or operator id: the one
    /// lookup every reader of the series uses.
    pub fn series_index(&self, metric: Metric, entity: &str) -> Option<usize> {
        self.series.index(metric, entity)
    }

    /// Reported points per run: the initial state plus one per step.
    pub fn points(&self) -> usize {
        self.steps + 1
    }

    /// The per-run inputs recorded with `--keep-runs`: every parameter, then
    /// whether each shock fired.
    pub fn input_names(&self) -> Vec<String> {
        crate::scenario::params::PARAMS
            .iter()
            .map(|p| format!("parameter:{}", p.name))
            .chain(
                (0..self.scenario.shocks.len())
                    .map(|i| format!("fired:{}", self.scenario.shock_key(i))),
            )
            .collect()
    }

    /// What each run counts: every shock (fired or not), then per polity
    /// `<kind>:<polity id>` for each of `EVENT_KINDS`.
    pub fn event_names(&self) -> Vec<String> {
        (0..self.scenario.shocks.len())
            .map(|i| format!("shock:{}", self.scenario.shock_key(i)))
            .chain(self.scenario.polities.iter().flat_map(|p| {
                super::run::EVENT_KINDS
                    .iter()
                    .map(move |k| format!("{k}:{}", p.id))
            }))
            .collect()
    }

    /// The scenario's `series` words, checked: an unknown word is a
    /// positioned error where it was written.
    pub fn check_series(&self) -> Result<(), crate::error::Diagnostic> {
        let choice = &self.scenario.series;
        match (series::Selection::parse(&choice.words), &choice.site) {
            (Err((message, hint)), Some(site)) => {
                let mut d = site.clone();
                d.message = message;
                d.hint = Some(hint);
                Err(d)
            }
            (Err((message, hint)), None) => {
                Err(crate::error::Diagnostic::new(message).maybe_hint(Some(hint)))
            }
            (Ok(_), _) => Ok(()),
        }
    }

    /// For each country, the series that sorts it into a class at the horizon.
    pub fn class_series(&self) -> Vec<(String, usize)> {
        let metric = Metric::from(self.scenario.classes.metric);
        self.countries
            .iter()
            .filter_map(|&c| {
                let id = &self.scenario.polities[c].id;
                self.series_index(metric, id).map(|i| (id.clone(), i))
            })
            .collect()
    }

    /// Thresholds of the three classes: below the first is keen, from the second cautious.
    pub fn class_thresholds(&self) -> (f64, f64) {
        (
            self.scenario.classes.keen_below,
            self.scenario.classes.cautious_from,
        )
    }

    /// Shocks that touch a polity's country (for charts and the timeline).
    pub fn shock_countries(&self, i: usize) -> Vec<usize> {
        let sc = &self.scenario;
        let effect = &sc.shocks[i].effect;
        let mut out: Vec<usize> = match effect.reach() {
            Reach::Polity(p) => vec![self.root[p]],
            Reach::Operator(o) => vec![self.root[sc.operators[o].polity]],
            Reach::Polities(list) => list.iter().map(|p| self.root[*p]).collect(),
            Reach::Everywhere => self.countries.clone(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_index_finds_every_series_and_nothing_else() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/baseline.toml"
        ));
        let world = World::new(crate::scenario::load(path).expect("the baseline loads"));
        for (s, spec) in world.series().iter().enumerate() {
            assert_eq!(world.series_index(spec.metric, &spec.entity), Some(s));
        }
        assert_eq!(world.series_index(Metric::TrustedShare, "nowhere"), None);
        // Class series are the countries' series of the class metric.
        for (id, s) in world.class_series() {
            let spec = &world.series()[s];
            assert_eq!(spec.metric, Metric::from(world.scenario.classes.metric));
            assert_eq!(
                (spec.entity.as_str(), spec.level),
                (id.as_str(), crate::model::Level::Country)
            );
        }
    }
}
