//! The story of one run: its inputs and, in date order, everything that
//! happened, in plain sentences (story.md, printed and on a page), the run's
//! row as `runs.csv` writes it (run.csv), and its path over the scenario's
//! bands.

use super::File;
use super::charts::{
    Band, Chart, Layer, Legend, Marker, Panel, SmallMultiples, band, colour, period, render,
    thousands, x_range, y_desc, y_range,
};
use super::discover::shock_name;
use super::html::{STYLE, base64, escape};
use crate::engine::records::Life;
use crate::engine::{KeptRun, Summary};
use crate::model::diary::Event;
use crate::model::outcome::Outcome;
use crate::model::{EVENT_KINDS, Metric, World};
use crate::scenario::dist::{Dist, describe, fmt_num};
use crate::scenario::params::PARAMS;
use std::fmt::Write;

const STAGES: [&str; 6] = [
    "potential candidate",
    "candidate",
    "negotiating",
    "clusters open",
    "closing chapters",
    "EU member",
];

pub struct StoryView<'a> {
    pub world: &'a World,
    pub life: &'a Life,
    /// Every run of the scenario, for the bands the run is drawn over.
    pub summary: &'a Summary,
    pub runs: u64,
    pub seed: u64,
    pub outcomes: &'a [Outcome],
}

fn num3(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    fmt_num(if r == 0.0 { 0.0 } else { r })
}

impl StoryView<'_> {
    fn series(&self, metric: Metric, entity: &str) -> Option<usize> {
        self.world.series_index(metric, entity)
    }

    /// The state at the end of step `k` of a series.
    fn after(&self, k: usize, s: usize) -> f64 {
        self.life.at(self.world, k + 1, s)
    }

    /// The date of an event in step `k`: the month the step starts.
    fn date(&self, k: usize) -> String {
        self.world.scenario.grid.point_date(k).to_string()
    }

    /// The sampled inputs, one line each.
    pub fn inputs(&self) -> Vec<String> {
        let sc = &self.world.scenario;
        let mut out = Vec::new();
        for (j, (p, d)) in PARAMS.iter().zip(&sc.parameters).enumerate() {
            if let Dist::Random(_) = d {
                let meaning = p.meaning.split(" (").next().unwrap_or(p.meaning);
                out.push(format!(
                    "{} ({}): {} (the file: {})",
                    capitalise(meaning),
                    p.name,
                    num3(self.life.inputs[j]),
                    describe(d)
                ));
            }
        }
        for &c in self.world.countries() {
            let pol = &sc.polities[c];
            if matches!(pol.orientation, Dist::Random(_))
                && let Some(s) = self.series(Metric::Orientation, &pol.id)
            {
                out.push(format!(
                    "{}'s orientation at the start: {} (the file: {})",
                    pol.name,
                    num3(self.life.at(self.world, 0, s)),
                    describe(&pol.orientation)
                ));
            }
        }
        for (i, shock) in sc.shocks.iter().enumerate() {
            let uncertain = shock.probability < 1.0
                || shock.requires.is_some()
                || matches!(shock.timing, crate::scenario::Timing::Window(..));
            if !uncertain {
                continue;
            }
            let what = match self.life.fired_at[i] {
                Some(k) => format!("happens, in the step from {}", self.date(k)),
                None => "does not happen".into(),
            };
            out.push(format!(
                "“{}” ({}): {what}",
                shock_name(self.world, i),
                shock.timing.text()
            ));
        }
        out
    }

    /// Every event, in date order, as (date, sentence).
    pub fn events(&self) -> Vec<(String, String)> {
        let sc = &self.world.scenario;
        self.life
            .entries
            .iter()
            .map(|e| {
                let k = e.step;
                let text = match e.event {
                    Event::Shock(i) => {
                        let s = &sc.shocks[i];
                        let place = super::explain::shock_target(sc, &s.effect);
                        match s.label.as_deref().filter(|l| !l.trim().is_empty()) {
                            Some(label) => format!("{} — {place}.", capitalise(label)),
                            None => format!("{} in {place}.", capitalise(&s.effect.what(sc))),
                        }
                    }
                    Event::Counted { polity, kind } => self.counted(k, polity, kind),
                    Event::Launch {
                        operator,
                        high_risk,
                    } => {
                        let op = &sc.operators[operator];
                        let place = &sc.polities[sc.root_of(op.polity)].name;
                        let pick = if high_risk >= 1.0 {
                            "picks a high-risk vendor (Huawei/ZTE) for it".to_string()
                        } else if high_risk <= 0.0 {
                            "picks a trusted vendor for it".to_string()
                        } else {
                            format!(
                                "buys {}% of it from high-risk vendors",
                                fmt_num((high_risk * 1000.0).round() / 10.0)
                            )
                        };
                        format!("{} ({place}) launches 5G and {pick}.", op.name)
                    }
                };
                (self.date(k), text)
            })
            .collect()
    }

    fn counted(&self, k: usize, p: usize, kind: usize) -> String {
        let pol = &self.world.scenario.polities[p];
        let name = &pol.name;
        match EVENT_KINDS.get(kind).copied() {
            Some("government_change") => match self.series(Metric::Orientation, &pol.id) {
                Some(s) => format!(
                    "A new government in {name}; its orientation stands at {} at the end of the step.",
                    num3(self.after(k, s))
                ),
                None => format!("A new government in {name}."),
            },
            Some("eu_step") => match self.series(Metric::EuStage, &pol.id) {
                Some(s) => {
                    let (before, now) = (self.life.at(self.world, k, s), self.after(k, s));
                    let stage = (now.round() as usize).min(5);
                    format!(
                        "{name} {} EU stage {stage} ({}).",
                        if now < before {
                            "falls back to"
                        } else {
                            "reaches"
                        },
                        STAGES[stage]
                    )
                }
                None => format!("{name} takes an EU accession step."),
            },
            Some("restriction_adopted") => {
                format!("{name} adopts a restriction on high-risk vendors.")
            }
            Some("restriction_repealed") => {
                format!("{name} repeals its restriction on high-risk vendors.")
            }
            Some(other) => format!("{}: {name}.", other.replace('_', " ")),
            None => format!("event {kind} in {name}."),
        }
    }

    /// Where the run ends: each country's class metric and the headline outcomes.
    pub fn ending(&self) -> Vec<String> {
        let sc = &self.world.scenario;
        let last = self.world.points() - 1;
        let (keen, cautious) = self.world.class_thresholds();
        let metric = Metric::from(sc.classes.metric);
        let mut out: Vec<String> = self
            .world
            .class_series()
            .iter()
            .map(|(id, s)| {
                let v = self.life.at(self.world, last, *s);
                let class = if v < keen {
                    "keen"
                } else if v >= cautious {
                    "cautious"
                } else {
                    "between"
                };
                let name = sc
                    .polity_index(id)
                    .map_or(id.as_str(), |p| sc.polities[p].name.as_str());
                format!("{name}: {class} ({} {}).", metric.name(), num3(v))
            })
            .collect();
        for o in self.outcomes {
            let v = o
                .probe
                .read(self.life.at(self.world, o.probe.point, o.probe.series));
            let value = if o.binary {
                if v >= 1.0 { "yes" } else { "no" }.to_string()
            } else {
                num3(v)
            };
            out.push(format!("{}: {value}.", o.label));
        }
        out
    }

    /// The whole story as Markdown.
    pub fn markdown(&self) -> String {
        let sc = &self.world.scenario;
        let mut m = String::new();
        let _ = writeln!(
            m,
            "# Run {} of “{}”\n\nSeed {}; run {} of the {} runs of `simulate`, told alone on the same random numbers. Events are dated by the step they happen in (steps of {} month{} from {}). Orientation runs from 0 (aligned with Beijing) to 1 (aligned with the EU/US).\n",
            self.life.run,
            sc.name,
            self.seed,
            self.life.run,
            thousands(self.runs),
            sc.grid.step_months,
            if sc.grid.step_months == 1 { "" } else { "s" },
            sc.grid.start
        );
        let _ = writeln!(m, "## What this run drew\n");
        let inputs = self.inputs();
        if inputs.is_empty() {
            let _ = writeln!(
                m,
                "- nothing beyond the per-step chances: every input is fixed in the file"
            );
        }
        for line in inputs {
            let _ = writeln!(m, "- {line}");
        }
        let _ = writeln!(m, "\n## What happened\n");
        let events = self.events();
        if events.is_empty() {
            let _ = writeln!(
                m,
                "- nothing: no election, law, EU step, launch or shock in {}",
                period(self.world)
            );
        }
        for (date, text) in events {
            let _ = writeln!(m, "- {date}  {text}");
        }
        let _ = writeln!(
            m,
            "\n## Where it ends ({})\n",
            super::charts::horizon_words(self.world)
        );
        for line in self.ending() {
            let _ = writeln!(m, "- {line}");
        }
        m
    }

    fn chart(&self) -> crate::error::Result<Chart> {
        let sc = &self.world.scenario;
        let metric = Metric::from(sc.classes.metric);
        let grid = &sc.grid;
        let panels: Vec<Panel> = self
            .world
            .class_series()
            .iter()
            .filter_map(|(id, s)| {
                let c = sc.polity_index(id)?;
                let mut mine = Band::default();
                for j in 0..self.world.points() {
                    let v = self.life.at(self.world, j, *s);
                    mine.x.push(grid.point_date(j).as_year_fraction());
                    for q in [
                        &mut mine.p05,
                        &mut mine.p25,
                        &mut mine.p50,
                        &mut mine.p75,
                        &mut mine.p95,
                        &mut mine.mean,
                    ] {
                        q.push(v);
                    }
                }
                let markers = (0..sc.shocks.len())
                    .filter(|&i| self.world.shock_countries(i).contains(&c))
                    .filter_map(|i| {
                        let at = grid.point_date(self.life.fired_at[i]?).as_year_fraction();
                        Some(Marker {
                            from: at,
                            to: at,
                            label: shock_name(self.world, i),
                        })
                    })
                    .collect();
                Some(Panel {
                    title: sc.polities[c].name.clone(),
                    layers: vec![
                        Layer {
                            label: format!(
                                "all {} runs: median, middle 50% and 90%",
                                thousands(self.runs)
                            ),
                            colour: colour(0),
                            band: band(self.world, &self.summary.aggregate, *s),
                            outer: true,
                        },
                        Layer {
                            label: format!("run {}", self.life.run),
                            colour: colour(1),
                            band: mine,
                            outer: false,
                        },
                    ],
                    markers,
                    shares: Vec::new(),
                    hatch: None,
                })
            })
            .collect();
        let title = format!(
            "Run {}: {}, {}",
            self.life.run,
            metric.chart_title(),
            period(self.world)
        );
        let chart = SmallMultiples {
            subtitle: format!(
                "{}: run {} (line) over all runs (bands); dashed lines: the shocks that fired in this run",
                sc.name, self.life.run
            ),
            stamp: format!(
                "{} · seed {} · run {} of {} · dsrsim {}",
                sc.name,
                self.seed,
                self.life.run,
                thousands(self.runs),
                env!("CARGO_PKG_VERSION")
            ),
            y_desc: y_desc(metric),
            x_range: x_range(self.world),
            y_range: y_range(metric, &panels),
            panels,
            legend: Legend::FirstPanel,
            zero_line: false,
            percent: metric.spec().percent,
            chance: false,
            strip_desc: String::new(),
            title: title.clone(),
        };
        render(&format!("story-{}", metric.name()), &title, &chart)
    }

    fn page(&self, chart: &Chart) -> String {
        let sc = &self.world.scenario;
        let mut h = String::new();
        let _ = writeln!(
            h,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Run {} of {} — dsrsim</title><style>{STYLE}</style></head><body>",
            self.life.run,
            escape(&sc.name)
        );
        let _ = writeln!(
            h,
            "<h1>Run {} of “{}”</h1>\n<p>Seed {}; run {} of the {} runs of <code>simulate</code>, told alone on the same random numbers. Events are dated by the step they happen in (steps of {} months). Orientation runs from 0 (aligned with Beijing) to 1 (aligned with the EU/US).</p>",
            self.life.run,
            escape(&sc.name),
            self.seed,
            self.life.run,
            thousands(self.runs),
            sc.grid.step_months
        );
        let _ = writeln!(
            h,
            "<figure id=\"{name}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\"><figcaption>{title} — <a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a></figcaption></figure>",
            name = escape(&chart.name),
            title = escape(&chart.title),
            data = base64(&chart.png)
        );
        let _ = writeln!(h, "<h2>What this run drew</h2><ul>");
        for line in self.inputs() {
            let _ = writeln!(h, "<li>{}</li>", escape(&line));
        }
        let _ = writeln!(h, "</ul><h2>What happened</h2><table>");
        for (date, text) in self.events() {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&date),
                escape(&text)
            );
        }
        let _ = writeln!(
            h,
            "</table><h2>Where it ends ({})</h2><ul>",
            escape(&super::charts::horizon_words(self.world))
        );
        for line in self.ending() {
            let _ = writeln!(h, "<li>{}</li>", escape(&line));
        }
        let _ = writeln!(
            h,
            "</ul><p class=small>The run's inputs and horizon values, as <code>runs.csv</code> of <code>simulate --keep-runs</code> writes them: <a href=\"run.csv\">run.csv</a>; the story as text: <a href=\"story.md\">story.md</a>.</p>\n</body></html>"
        );
        h
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Every file of a story, in writing order.
pub fn render_story(v: &StoryView) -> crate::error::Result<Vec<File>> {
    let chart = v.chart()?;
    let last = v.world.points() - 1;
    let n = v.world.series().len();
    let kept = Summary {
        kept: vec![KeptRun {
            run: v.life.run,
            inputs: v.life.inputs.clone(),
            horizon: v.life.path[last * n..(last + 1) * n].to_vec(),
        }],
        ..v.summary.clone()
    };
    let mut files = vec![
        ("story.md".to_string(), v.markdown().into_bytes()),
        (
            "run.csv".to_string(),
            super::tables::runs_csv(v.world, &kept).into_bytes(),
        ),
        ("index.html".to_string(), v.page(&chart).into_bytes()),
    ];
    files.extend(super::chart_files(std::slice::from_ref(&chart)));
    Ok(files)
}
