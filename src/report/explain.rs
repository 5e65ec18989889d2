//! The scenario in plain words, for a workshop handout, and its timeline.

use crate::scenario::dist::{Dist, describe, describe_share, fmt_num};
use crate::scenario::params::PARAMS;
use crate::scenario::shocks::percent as pct;
use crate::scenario::{Effect, Scenario};
use std::fmt::Write;

const STAGES: [&str; 6] = [
    "potential candidate",
    "candidate",
    "negotiating",
    "clusters open",
    "closing chapters",
    "EU member",
];

/// Where a shock acts, in words.
pub fn shock_target(sc: &Scenario, e: &Effect) -> String {
    e.reach().words(sc)
}

/// One shock on the timeline, in words.
pub struct TimelineRow {
    pub when: String,
    pub what: String,
    pub place: String,
    /// "" when certain; "35% chance", "only after `x`"…
    pub chance: String,
    pub label: String,
    pub key: String,
}

/// The shocks in time order, in words.
pub fn timeline_rows(sc: &Scenario) -> Vec<TimelineRow> {
    let mut order: Vec<usize> = (0..sc.shocks.len()).collect();
    order.sort_by_key(|&i| sc.shocks[i].timing.first());
    order
        .into_iter()
        .map(|i| {
            let s = &sc.shocks[i];
            let what = s.effect.what(sc);
            let mut chance = Vec::new();
            if s.probability < 1.0 {
                chance.push(format!("{} chance", pct(s.probability)));
            }
            if let Some(q) = s.requires {
                chance.push(format!("only after `{}`", sc.shock_key(q)));
            }
            TimelineRow {
                when: s.timing.text(),
                what,
                place: shock_target(sc, &s.effect),
                chance: chance.join(", "),
                label: s.label.clone().unwrap_or_default(),
                key: sc.shock_key(i),
            }
        })
        .collect()
}

/// One line per shock: when, what, where, how likely.
pub fn timeline(sc: &Scenario) -> Vec<String> {
    timeline_rows(sc)
        .into_iter()
        .map(|r| {
            let chance = if r.chance.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.chance)
            };
            let label = if r.label.is_empty() {
                String::new()
            } else {
                format!(" — {}", r.label)
            };
            format!(
                "{:<17} {} in {}{}{}  [{}]",
                r.when, r.what, r.place, chance, label, r.key
            )
        })
        .collect()
}

fn orientation_words(d: &Dist) -> String {
    let m = d.mean();
    let lean = if m < 0.35 {
        "leans to Beijing"
    } else if m < 0.65 {
        "balances between Beijing and the West"
    } else {
        "leans to the EU/US"
    };
    format!("{lean}: orientation {}", describe(d))
}

pub fn explain(sc: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}\n{}", sc.name, "=".repeat(sc.name.chars().count()));
    if !sc.description.is_empty() {
        let _ = writeln!(o, "{}", sc.description);
    }
    if let Some(q) = &sc.question {
        let _ = writeln!(o, "\nThe question: {q}");
    }
    if sc.outcomes.is_empty() {
        let _ = writeln!(
            o,
            "Headline outcomes: none named ([[outcome]]); each country's chance of ending cautious and its class metric at the horizon."
        );
    } else {
        let _ = writeln!(o, "Headline outcomes (what the answer is read from):");
        for h in &sc.outcomes {
            match &h.label {
                Some(label) => {
                    let _ = writeln!(o, "- {label}   [{}]", h.spec.text);
                }
                None => {
                    let _ = writeln!(o, "- {}", h.spec.text);
                }
            }
        }
    }
    if !sc.levers.is_empty() {
        // Only declared levers: a file without any explains as before.
        let _ = writeln!(o, "Workshop levers (`simulate workshop`):");
        for l in &sc.levers {
            let _ = writeln!(o, "- {}   [{}: {}]", l.label, l.key, l.kind.text());
        }
    }
    let _ = writeln!(
        o,
        "\nTime: {} to {} in steps of {} months ({} steps); {} runs with seed {}.",
        sc.grid.start,
        sc.grid.end,
        sc.grid.step_months,
        sc.grid.steps(),
        sc.runs,
        sc.seed
    );
    let _ = writeln!(
        o,
        "Orientation runs from 0 (aligned with Beijing) to 1 (aligned with the EU/US)."
    );
    if !sc.overrides.is_empty() {
        let _ = writeln!(o, "\nChanged from the command line");
        let _ = writeln!(o, "-----------------------------");
        for ov in &sc.overrides {
            let _ = writeln!(o, "- {} = {}   ({})", ov.key, ov.value, ov.origin);
        }
        let _ = writeln!(
            o,
            "Everything below includes these changes; the files say otherwise."
        );
    }

    let _ = writeln!(o, "\nThe world");
    let _ = writeln!(o, "---------");
    for (p, pol) in sc.polities.iter().enumerate() {
        let indent = if pol.parent.is_some() { "    " } else { "" };
        let has_children = sc.has_children(p);
        let mut facts = Vec::new();
        if has_children {
            facts.push(
                "decides by consensus: its effective orientation is the lowest of its parts"
                    .to_string(),
            );
        } else {
            facts.push(orientation_words(&pol.orientation));
        }
        if pol.parent.is_none() {
            facts.push(format!(
                "{}, EU stage {} ({})",
                if pol.nato {
                    "NATO member"
                } else {
                    "not in NATO"
                },
                pol.eu_stage,
                STAGES[usize::from(pol.eu_stage)]
            ));
            if pol.eu_pace != Dist::Const(1.0) {
                facts.push(format!(
                    "EU steps at {} times the usual pace (a blocker outside the model)",
                    describe(&pol.eu_pace)
                ));
            }
        } else {
            facts.push(format!("{} of the population", pct(pol.weight)));
        }
        facts.push(if pol.restriction {
            "a restriction on high-risk vendors is in force".into()
        } else {
            "no restriction on high-risk vendors".into()
        });
        if pol.china_leverage.mean() != 0.0 {
            facts.push(format!(
                "Chinese leverage {}",
                describe(&pol.china_leverage)
            ));
        }
        if pol.pressure > 0.0 {
            facts.push(format!("diplomatic pressure {}", fmt_num(pol.pressure)));
        }
        if !has_children && pol.election_hazard.mean() > 0.0 {
            facts.push(format!(
                "government changes {} per year",
                describe(&pol.election_hazard)
            ));
        }
        let _ = writeln!(
            o,
            "{indent}- {} ({}): {}.",
            pol.name,
            pol.id,
            facts.join("; ")
        );
        for op in sc.operators.iter().filter(|op| op.polity == p) {
            let g = &op.g5_weight;
            let fiveg = if matches!(g, Dist::Const(x) if *x == 0.0) {
                "no 5G yet".to_string()
            } else {
                format!(
                    "5G carries {} of traffic and is {} high-risk",
                    describe_share(g),
                    describe_share(&op.hr_5g)
                )
            };
            let _ = writeln!(
                o,
                "{indent}    * {} ({}), {} of the market, owned by {} (owner's stance {}): {} of the 2G-4G radio network from high-risk vendors; {}.",
                op.name,
                op.id,
                pct(op.market_share),
                if op.owner.is_empty() { "?" } else { &op.owner },
                describe(&op.owner_alignment),
                describe_share(&op.hr_legacy),
                fiveg
            );
        }
    }

    let _ = writeln!(o, "\nAssumptions");
    let _ = writeln!(o, "-----------");
    for (p, d) in PARAMS.iter().zip(&sc.parameters) {
        let _ = writeln!(
            o,
            "- {}: {} ({} = {}, {})",
            p.meaning,
            describe(d),
            p.name,
            d,
            p.unit
        );
    }

    let _ = writeln!(o, "\nShocks");
    let _ = writeln!(o, "------");
    let lines = timeline(sc);
    if lines.is_empty() {
        let _ = writeln!(o, "(none: the world follows its own dynamics)");
    }
    for l in lines {
        let _ = writeln!(o, "{l}");
    }
    let _ = writeln!(
        o,
        "\nAt the horizon each country is `keen` if its {} is below {:.2}, `cautious` from {:.2}, `between` otherwise.",
        sc.classes.metric.name(),
        sc.classes.keen_below,
        sc.classes.cautious_from
    );
    o
}
