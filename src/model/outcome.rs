//! Outcomes resolved against the world: which series, at which point, read
//! as a value or as "in this class" (1 or 0). The words are the scenario's
//! (`scenario::outcome`); which metrics exist and which entities report them
//! is this layer's catalogue, so the last check of an outcome happens here.

use super::World;
use super::metrics::{METRICS, Metric};
use crate::error::did_you_mean;
use crate::scenario::outcome::{Class, Measure, OutcomeError, OutcomeSpec, When};

/// How a run's value of a series becomes the outcome's number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    pub series: usize,
    pub point: usize,
    /// Some([lo, hi)): the outcome is 1 when the value is in the band, else 0.
    pub band: Option<(f64, f64)>,
}

impl Probe {
    #[inline]
    pub fn read(&self, v: f64) -> f64 {
        match self.band {
            Some((lo, hi)) => f64::from(u8::from(v >= lo && v < hi)),
            None => v,
        }
    }
}

/// An outcome ready to record: its words, a label for pages and its probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub spec: OutcomeSpec,
    pub label: String,
    pub probe: Probe,
    /// The metric read (for a class, the metric that sorts the classes).
    pub metric: Metric,
    /// Its values are 0 or 1: its mean is a probability.
    pub binary: bool,
}

impl Outcome {
    /// The words of the outcome (`class SRB cautious at horizon`).
    pub fn text(&self) -> &str {
        &self.spec.text
    }
}

impl World {
    /// Resolve an outcome's words, already checked against the scenario
    /// (entity, date), against the metric catalogue and the series.
    pub fn outcome(
        &self,
        spec: &OutcomeSpec,
        label: Option<&str>,
    ) -> Result<Outcome, OutcomeError> {
        let sc = &self.scenario;
        let (metric, band) = match &spec.measure {
            Measure::Metric(name) => {
                let metric = Metric::by_name(name).ok_or_else(|| {
                    let hint =
                        did_you_mean(name, METRICS.iter().map(|m| m.name)).unwrap_or_else(|| {
                            let names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
                            format!(
                                "the metrics are {}; or write `class ENTITY CLASS at DATE`",
                                names.join(", ")
                            )
                        });
                    OutcomeError {
                        message: format!("`{name}` is not a metric"),
                        span: spec.measure_span.clone(),
                        hint: Some(hint),
                    }
                })?;
                (metric, None)
            }
            Measure::Class(class) => {
                let (keen_below, cautious_from) = self.class_thresholds();
                let band = match class {
                    Class::Keen => (f64::NEG_INFINITY, keen_below),
                    Class::Between => (keen_below, cautious_from),
                    Class::Cautious => (cautious_from, f64::INFINITY),
                };
                (Metric::from(sc.classes.metric), Some(band))
            }
        };
        let series = self
            .series_index(metric, &spec.entity)
            .ok_or_else(|| OutcomeError {
                message: format!("`{}` is not reported for `{}`", metric.name(), spec.entity),
                span: spec.entity_span.clone(),
                hint: Some(format!(
                    "{} is reported for {}",
                    metric.name(),
                    match metric.spec().level {
                        super::Level::Operator => "operators, and polities that have operators",
                        _ => "countries and polities",
                    }
                )),
            })?;
        let probe = Probe {
            series,
            point: spec.point(&sc.grid),
            band,
        };
        let binary = band.is_some() || metric.spec().binary.is_some();
        let label = label.map_or_else(|| self.outcome_words(spec, metric), str::to_string);
        Ok(Outcome {
            spec: spec.clone(),
            label,
            probe,
            metric,
            binary,
        })
    }

    /// "Serbia: chance of cautious by end of 2035", "Serbia: trusted share of procurement at end of 2030".
    fn outcome_words(&self, spec: &OutcomeSpec, metric: Metric) -> String {
        let sc = &self.scenario;
        let who = sc
            .polities
            .iter()
            .map(|p| (&p.id, &p.name))
            .chain(sc.operators.iter().map(|o| (&o.id, &o.name)))
            .find(|(id, _)| **id == spec.entity)
            .map_or(spec.entity.as_str(), |(_, name)| name.as_str());
        let point = spec.point(&sc.grid);
        let when = match spec.when {
            When::Start => format!("at the start ({})", sc.grid.start),
            // A point dated M is the state at the end of the month before.
            _ => {
                let m = sc.grid.point_date(point).plus(-1);
                if m.month() == 12 {
                    format!("by the end of {}", m.year())
                } else {
                    format!("at the end of {m}")
                }
            }
        };
        let what = metric.spec().binary.unwrap_or(metric.spec().y_desc);
        match &spec.measure {
            Measure::Class(Class::Keen) => format!(
                "{who}: chance of being keen (class by {}) {when}",
                metric.name()
            ),
            Measure::Class(Class::Between) => format!(
                "{who}: chance of being in between (class by {}) {when}",
                metric.name()
            ),
            Measure::Class(Class::Cautious) => format!(
                "{who}: chance of being cautious (class by {}) {when}",
                metric.name()
            ),
            Measure::Metric(_) => format!("{who}: {what} {when}"),
        }
    }

    /// The headline outcomes: the file's `[[outcome]]`s, or else each
    /// country's chance of being cautious and its class metric at the horizon.
    pub fn headline_outcomes(&self) -> Vec<Outcome> {
        let sc = &self.scenario;
        if !sc.outcomes.is_empty() {
            return sc
                .outcomes
                .iter()
                .filter_map(|h| self.outcome(&h.spec, h.label.as_deref()).ok())
                .collect();
        }
        let metric = Metric::from(sc.classes.metric).name();
        self.countries()
            .iter()
            .flat_map(|&c| {
                let id = &sc.polities[c].id;
                [
                    format!("class {id} cautious at horizon"),
                    format!("{metric} {id} at horizon"),
                ]
            })
            .filter_map(|text| {
                let spec = OutcomeSpec::parse(&text).ok()?;
                self.outcome(&spec, None).ok()
            })
            .collect()
    }

    /// The file's outcomes that the model cannot resolve (an unknown metric,
    /// a metric the entity does not report), as positioned errors.
    pub fn check_outcomes(&self) -> Result<(), crate::error::Diagnostic> {
        for h in &self.scenario.outcomes {
            if let Err(e) = self.outcome(&h.spec, h.label.as_deref()) {
                let mut d = h.site.clone();
                d.message = e.message;
                d.hint = e.hint;
                return Err(d);
            }
        }
        Ok(())
    }
}
