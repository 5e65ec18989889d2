//! What the model reports: one series per (metric, entity), in a fixed order
//! (per metric of the catalogue: each country, then its sub-polities, then
//! its operators), the lookup from (metric, entity) to a series, and the plan
//! the recording loop follows.

use super::metrics::{Level, METRICS, Metric, NETWORK_METRICS};
use crate::scenario::Scenario;
use crate::scenario::outcome::Measure;
use std::collections::HashMap;
use std::ops::Range;

/// One reported series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    pub metric: Metric,
    /// A country, sub-polity or operator id.
    pub entity: String,
    pub level: Level,
    /// The country the entity belongs to.
    pub country: String,
}

/// The reported series in output order, and where each (metric, entity) is.
#[derive(Debug, Clone, Default)]
pub struct SeriesTable {
    specs: Vec<SeriesSpec>,
    /// Polity and operator ids are unique across both, so an entity id and a
    /// metric name one series.
    index: HashMap<String, [Option<usize>; METRICS.len()]>,
}

impl SeriesTable {
    fn new(specs: Vec<SeriesSpec>) -> SeriesTable {
        let mut index: HashMap<String, [Option<usize>; METRICS.len()]> = HashMap::new();
        for (s, spec) in specs.iter().enumerate() {
            index
                .entry(spec.entity.clone())
                .or_insert([None; METRICS.len()])[spec.metric as usize] = Some(s);
        }
        SeriesTable { specs, index }
    }

    pub fn specs(&self) -> &[SeriesSpec] {
        &self.specs
    }

    /// The series of `metric` for a country, polity or operator id, if it
    /// is reported (operator-level metrics skip polities without operators).
    pub fn index(&self, metric: Metric, entity: &str) -> Option<usize> {
        self.index.get(entity)?[metric as usize]
    }
}

/// How a series' value is computed from the state.
#[derive(Debug, Clone)]
pub(super) enum Recipe {
    /// An operator-level metric of one operator.
    Operator(Metric, usize),
    /// Weighted mean of an operator-level metric over `groups[range]`.
    Group(Metric, Range<usize>),
    /// A polity-level or country-level metric of a country.
    Country(Metric, usize),
    /// A polity-level metric of a sub-polity.
    Polity(Metric, usize),
}

/// Which series a run records (`series` in a scenario, `--series`): a
/// series is kept when its metric is among the metrics the words name (or
/// none is named) and its level among the levels they name (or none is).
/// "countries" is the country and polity levels: every series but the
/// operators' own.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    metrics: Vec<Metric>,
    levels: Vec<Level>,
}

impl Selection {
    /// The words of a `series` choice; an error names the first word that
    /// is neither a metric nor a level.
    pub fn parse(words: &[String]) -> Result<Selection, (String, String)> {
        let mut sel = Selection::default();
        for w in words {
            match w.as_str() {
                "countries" => sel.levels.extend([Level::Country, Level::Polity]),
                "country" => sel.levels.push(Level::Country),
                "polity" => sel.levels.push(Level::Polity),
                "operator" => sel.levels.push(Level::Operator),
                "all" if words.len() == 1 => {}
                word => match Metric::by_name(word) {
                    Some(m) => sel.metrics.push(m),
                    None => {
                        let names = METRICS.iter().map(|m| m.name).chain([
                            "all",
                            "countries",
                            "country",
                            "polity",
                            "operator",
                        ]);
                        let hint = crate::error::did_you_mean(word, names.clone())
                            .unwrap_or_else(|| {
                                format!(
                                    "`series` is \"all\", \"countries\", or metrics and levels                                      (country, polity, operator): {}",
                                    METRICS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
                                )
                            });
                        return Err((
                            format!("`{word}` in `series` is neither a metric nor a level"),
                            hint,
                        ));
                    }
                },
            }
        }
        Ok(sel)
    }

    pub fn keeps(&self, spec: &SeriesSpec) -> bool {
        (self.metrics.is_empty() || self.metrics.contains(&spec.metric))
            && (self.levels.is_empty() || self.levels.contains(&spec.level))
    }
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
    let sub_groups: Vec<Vec<(usize, Range<usize>)>> = countries
        .iter()
        .map(|&c| {
            descendants(c)
                .into_iter()
                .filter(|&p| !subtree_ops[p].is_empty())
                .map(|p| (p, group_of(&subtree_ops[p])))
                .collect()
        })
        .collect();
    for spec in METRICS {
        let metric = spec.metric;
        for (ci, &c) in countries.iter().enumerate() {
            let country = sc.polities[c].id.clone();
            let mut push = |entity: &str, level: Level, recipe: Recipe| {
                series.push(SeriesSpec {
                    metric,
                    entity: entity.to_string(),
                    level,
                    country: country.clone(),
                });
                recipes.push(recipe);
            };
            match spec.level {
                Level::Operator => {
                    if subtree_ops[c].is_empty() {
                        continue;
                    }
                    push(
                        &country,
                        Level::Country,
                        Recipe::Group(metric, country_groups[ci].clone()),
                    );
                    for (p, g) in &sub_groups[ci] {
                        push(
                            &sc.polities[*p].id,
                            Level::Polity,
                            Recipe::Group(metric, g.clone()),
                        );
                    }
                    for &o in &subtree_ops[c] {
                        push(
                            &sc.operators[o].id,
                            Level::Operator,
                            Recipe::Operator(metric, o),
                        );
                    }
                }
                Level::Polity => {
                    push(&country, Level::Country, Recipe::Country(metric, c));
                    for p in descendants(c) {
                        push(&sc.polities[p].id, Level::Polity, Recipe::Polity(metric, p));
                    }
                }
                Level::Country => push(&country, Level::Country, Recipe::Country(metric, c)),
            }
        }
    }
    // The recorded series first, in output order, then the ones computed
    // only because others are made of them: a run hands on a prefix of its
    // values. The class metric's country series are always recorded, since
    // the class table reads them, and so is every series a headline outcome
    // of the file reads (`[[outcome]]`): a narrower `series` must not make
    // the file's own outcomes unreadable.
    let selection = Selection::parse(&sc.series.words).unwrap_or_default();
    let class_metric = Metric::from(sc.classes.metric);
    let headline: Vec<(Metric, &str)> = sc
        .outcomes
        .iter()
        .filter_map(|o| {
            let metric = match &o.spec.measure {
                Measure::Metric(name) => Metric::by_name(name)?,
                Measure::Class(_) => class_metric,
            };
            Some((metric, o.spec.entity.as_str()))
        })
        .collect();
    let keep: Vec<bool> = series
        .iter()
        .map(|s| {
            selection.keeps(s)
                || (s.metric == class_metric && s.level == Level::Country)
                || headline.contains(&(s.metric, s.entity.as_str()))
        })
        .collect();
    let order: Vec<usize> = (0..series.len())
        .filter(|&i| keep[i])
        .chain((0..series.len()).filter(|&i| !keep[i]))
        .collect();
    let recorded = keep.iter().filter(|&&k| k).count();
    let series: Vec<SeriesSpec> = order.iter().map(|&i| series[i].clone()).collect();
    let recipes: Vec<Recipe> = order.iter().map(|&i| recipes[i].clone()).collect();
    Layout {
        series: SeriesTable::new(series[..recorded].to_vec()),
        computed: SeriesTable::new(series),
        recipes,
        groups,
        country_groups,
    }
}

/// The recipes regrouped for the hot loop: one pass per kind, no dispatch
/// per series, and the operator-level metrics of a group summed together.
/// Derived from the catalogue by [`RecordPlan::new`], never written by hand.
#[derive(Debug, Clone, Default)]
pub(super) struct RecordPlan {
    /// (series, network row, operator): a copy of an operator's metric.
    pub copies: Vec<(usize, usize, usize)>,
    /// A range of `groups` and its series for each operator-level metric,
    /// by network row.
    pub groups: Vec<(Range<usize>, [usize; NETWORK_METRICS])>,
    /// Polity- and country-level metrics, one entry per metric in catalogue order.
    pub polity: Vec<PolityRecord>,
}

/// The series of one polity-level metric: (series, polity) for the
/// countries and for the sub-polities.
#[derive(Debug, Clone)]
pub(super) struct PolityRecord {
    pub metric: Metric,
    pub countries: Vec<(usize, usize)>,
    pub polities: Vec<(usize, usize)>,
}

impl RecordPlan {
    /// The plan for `recipes`, of which the first `recorded` are recorded:
    /// an operator's own series is computed only then (nothing is made of it).
    pub fn new(recipes: &[Recipe], recorded: usize) -> RecordPlan {
        let mut plan = RecordPlan::default();
        for (s, recipe) in recipes.iter().enumerate() {
            match recipe {
                Recipe::Operator(m, o) => {
                    if s < recorded {
                        plan.copies.push((s, m.network_row(), *o));
                    }
                }
                Recipe::Group(m, range) => {
                    let i = match plan.groups.iter().position(|(r, _)| r == range) {
                        Some(i) => i,
                        None => {
                            plan.groups
                                .push((range.clone(), [usize::MAX; NETWORK_METRICS]));
                            plan.groups.len() - 1
                        }
                    };
                    plan.groups[i].1[m.network_row()] = s;
                }
                Recipe::Country(m, p) => plan.polity_record(*m).countries.push((s, *p)),
                Recipe::Polity(m, p) => plan.polity_record(*m).polities.push((s, *p)),
            }
        }
        // Every group reports all operator-level metrics (layout pushes them alike).
        debug_assert!(plan.groups.iter().all(|(_, s)| !s.contains(&usize::MAX)));
        plan
    }

    fn polity_record(&mut self, metric: Metric) -> &mut PolityRecord {
        let i = match self.polity.iter().position(|r| r.metric == metric) {
            Some(i) => i,
            None => {
                self.polity.push(PolityRecord {
                    metric,
                    countries: Vec::new(),
                    polities: Vec::new(),
                });
                self.polity.len() - 1
            }
        };
        &mut self.polity[i]
    }
}

pub(super) struct Layout {
    /// The series a run records (hands to its sink).
    pub series: SeriesTable,
    /// Every series computed: the recorded ones, then the rest.
    pub computed: SeriesTable,
    pub recipes: Vec<Recipe>,
    pub groups: Vec<(usize, f64)>,
    /// Each country's operators (aligned with `countries`).
    pub country_groups: Vec<Range<usize>>,
}
