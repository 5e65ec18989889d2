//! scenario.resolved.toml: the scenario after `extends`, every default made
//! explicit and every number exact, so that rerunning it gives the same bytes.

use crate::scenario::dist::exact;
use crate::scenario::params::PARAMS;
use crate::scenario::{Effect, PriceChange, Scenario, Timing};
use std::fmt::Write;

fn text(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!(
        "[{}]",
        items
            .into_iter()
            .map(|s| text(&s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn resolved_toml(sc: &Scenario, runs: u64, seed: u64) -> String {
    let mut o = String::new();
    let from: Vec<String> = sc
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    let _ = writeln!(
        o,
        "# Resolved by dsrsim {} from {}.",
        env!("CARGO_PKG_VERSION"),
        from.join(" <- ")
    );
    let _ = writeln!(
        o,
        "# Every default is explicit; `simulate` on this file reproduces the run.\n"
    );
    let _ = writeln!(o, "[scenario]");
    let _ = writeln!(o, "name = {}", text(&sc.name));
    let _ = writeln!(o, "description = {}", text(&sc.description));
    if let Some(q) = &sc.question {
        let _ = writeln!(o, "question = {}", text(q));
    }
    let _ = writeln!(o, "start = \"{}\"", sc.grid.start);
    let _ = writeln!(o, "end = \"{}\"", sc.grid.end);
    let _ = writeln!(o, "step_months = {}", sc.grid.step_months);
    let _ = writeln!(o, "runs = {runs}");
    let _ = writeln!(o, "seed = {seed}\n");

    let _ = writeln!(o, "[parameters]");
    for (p, d) in PARAMS.iter().zip(&sc.parameters) {
        let _ = writeln!(o, "{} = {d}", p.name);
    }
    let _ = writeln!(o, "\n[classes]");
    let _ = writeln!(o, "metric = \"{}\"", sc.classes.metric.name());
    let _ = writeln!(o, "keen_below = {}", exact(sc.classes.keen_below));
    let _ = writeln!(o, "cautious_from = {}", exact(sc.classes.cautious_from));

    for p in &sc.polities {
        let _ = writeln!(o, "\n[[polity]]");
        let _ = writeln!(o, "id = {}", text(&p.id));
        let _ = writeln!(o, "name = {}", text(&p.name));
        let is_parent = sc
            .polities
            .iter()
            .any(|c| c.parent.is_some_and(|q| sc.polities[q].id == p.id));
        if let Some(q) = p.parent {
            let _ = writeln!(o, "parent = {}", text(&sc.polities[q].id));
            let _ = writeln!(o, "weight = {}", exact(p.weight));
        } else {
            let _ = writeln!(o, "nato = {}", p.nato);
            let _ = writeln!(o, "eu_stage = {}", p.eu_stage);
            let _ = writeln!(o, "eu_pace = {}", p.eu_pace);
        }
        if !is_parent {
            let _ = writeln!(o, "orientation = {}", p.orientation);
            if let Some(t) = &p.target {
                let _ = writeln!(o, "target = {t}");
            }
        }
        let _ = writeln!(o, "restriction = {}", p.restriction);
        let _ = writeln!(o, "china_leverage = {}", p.china_leverage);
        let _ = writeln!(o, "pressure = {}", exact(p.pressure));
        let _ = writeln!(o, "election_hazard = {}", p.election_hazard);
        let _ = writeln!(o, "swing = {}", p.swing);
    }
    for op in &sc.operators {
        let _ = writeln!(o, "\n[[operator]]");
        let _ = writeln!(o, "id = {}", text(&op.id));
        let _ = writeln!(o, "name = {}", text(&op.name));
        let _ = writeln!(o, "polity = {}", text(&sc.polities[op.polity].id));
        let _ = writeln!(o, "owner = {}", text(&op.owner));
        let _ = writeln!(o, "owner_alignment = {}", op.owner_alignment);
        let _ = writeln!(o, "market_share = {}", exact(op.market_share));
        if let Some(d) = &op.refresh_years {
            let _ = writeln!(o, "refresh_years = {d}");
        }
        if let Some(d) = &op.rollout_years {
            let _ = writeln!(o, "rollout_years = {d}");
        }
        let _ = writeln!(o, "hr_legacy = {}", op.hr_legacy);
        if !matches!(op.g5_weight, crate::scenario::dist::Dist::Const(g) if g == 0.0) {
            let _ = writeln!(o, "hr_5g = {}", op.hr_5g);
        }
        let _ = writeln!(o, "g5_weight = {}", op.g5_weight);
    }
    for (i, s) in sc.shocks.iter().enumerate() {
        let _ = writeln!(o, "\n[[shock]]");
        // Unnamed shocks get their position as id, which keeps their random stream.
        let _ = writeln!(o, "id = {}", text(&sc.shock_key(i)));
        let _ = writeln!(o, "kind = \"{}\"", s.effect.kind());
        if let Some(l) = &s.label {
            let _ = writeln!(o, "label = {}", text(l));
        }
        match s.timing {
            Timing::Date(m) => {
                let _ = writeln!(o, "date = \"{m}\"");
            }
            Timing::Window(a, b) => {
                let _ = writeln!(o, "window = [\"{a}\", \"{b}\"]");
            }
        }
        let _ = writeln!(o, "probability = {}", exact(s.probability));
        if let Some(q) = s.requires {
            let _ = writeln!(o, "requires = {}", text(&sc.shock_key(q)));
        }
        let pid = |p: &usize| text(&sc.polities[*p].id);
        match &s.effect {
            Effect::GovernmentChange {
                polity,
                target,
                jump,
            } => {
                let _ = writeln!(o, "polity = {}", pid(polity));
                if let Some(t) = target {
                    let _ = writeln!(o, "target = {t}");
                }
                let _ = writeln!(o, "jump = {}", exact(*jump));
            }
            Effect::Auction { polity, operators } => {
                let _ = writeln!(o, "polity = {}", pid(polity));
                let _ = writeln!(
                    o,
                    "operators = {}",
                    list(operators.iter().map(|x| sc.operators[*x].id.clone()))
                );
            }
            Effect::EuStep { polity, stages } => {
                let _ = writeln!(o, "polity = {}\nstages = {stages}", pid(polity));
            }
            Effect::Restriction {
                polity,
                phase_out_years,
            } => {
                let _ = writeln!(o, "polity = {}", pid(polity));
                if let Some(d) = phase_out_years {
                    let _ = writeln!(o, "phase_out_years = {d}");
                }
            }
            Effect::Repeal { polity } => {
                let _ = writeln!(o, "polity = {}", pid(polity));
            }
            Effect::OwnershipChange {
                operator,
                owner,
                owner_alignment,
            } => {
                let _ = writeln!(o, "operator = {}", text(&sc.operators[*operator].id));
                if let Some(w) = owner {
                    let _ = writeln!(o, "owner = {}", text(w));
                }
                let _ = writeln!(o, "owner_alignment = {owner_alignment}");
            }
            Effect::Incident { polities, severity } => {
                if let Some(list_) = polities {
                    let _ = writeln!(
                        o,
                        "polities = {}",
                        list(list_.iter().map(|p| sc.polities[*p].id.clone()))
                    );
                }
                let _ = writeln!(o, "severity = {severity}");
            }
            Effect::Price(PriceChange::Advantage(d)) => {
                let _ = writeln!(o, "advantage = {d}");
            }
            Effect::Price(PriceChange::Delta(d)) => {
                let _ = writeln!(o, "delta = {d}");
            }
            Effect::Pressure { polity, level } | Effect::Leverage { polity, level } => {
                let _ = writeln!(o, "polity = {}\nlevel = {level}", pid(polity));
            }
        }
    }
    o
}
