//! A `price` shock with a scope: "Huawei 50% cheaper in Montenegro only"
//! moves Montenegro's networks and leaves every other country's runs as
//! they were, run by run.

mod common;

use common::{load_str, options, repo};
use dsrsim::engine;
use dsrsim::model::{Metric, World};
use dsrsim::scenario;

fn variant(scope: &str) -> String {
    format!(
        "[scenario]\nname = \"cheap Huawei, scoped\"\nextends = \"baseline.toml\"\n\n\
         [[shock]]\nid = \"cheap-huawei\"\nkind = \"price\"\n{scope}date = \"2026-01\"\nadvantage = 0.5\n"
    )
}

#[test]
fn a_price_shock_scoped_to_montenegro_moves_montenegro_and_nothing_else() {
    let dir = repo("scenarios");
    let base = World::new(common::load(&dir.join("baseline.toml")));
    let path = dir.join("mne-price.toml");
    let mne = World::new(load_str(&path, &variant("polity = \"MNE\"\n")));
    let worlds = [&base, &mne];
    let (_, diffs) = engine::simulate_paired(&worlds, &options(400, 11, Some(2))).unwrap();
    let d = &diffs[0];
    let last = d.aggregate.points - 1;
    let pair = |metric: Metric, entity: &str| {
        let sa = base.series_index(metric, entity).unwrap();
        d.pairs.iter().position(|&(a, _)| a == sa).unwrap()
    };
    // Montenegro buys more from high-risk vendors: its trusted share falls
    // in many runs and rises in none.
    let j = pair(Metric::TrustedShare, "MNE");
    let (above, below) = d.aggregate.share_signs(j, last);
    assert!(below > 0.3, "Montenegro's trusted share falls in {below}");
    assert_eq!(above, 0.0);
    assert!(d.aggregate.stats(j, last).mean < -0.01);
    // Every other country: no run differs in any metric, at any point.
    for country in ["SRB", "ALB", "BIH", "MKD", "XKX"] {
        for m in Metric::all() {
            let Some(sa) = base.series_index(m, country) else {
                continue;
            };
            let j = d.pairs.iter().position(|&(a, _)| a == sa).unwrap();
            for point in 0..d.aggregate.points {
                assert_eq!(
                    d.aggregate.share_signs(j, point),
                    (0.0, 0.0),
                    "{} {country} differs at point {point}",
                    m.name()
                );
            }
        }
    }

    // One operator alone: Montenegro's other operators keep their runs.
    let one = World::new(load_str(&path, &variant("operator = \"MNE-CT\"\n")));
    let worlds = [&base, &one];
    let (_, diffs) = engine::simulate_paired(&worlds, &options(400, 11, Some(2))).unwrap();
    let d = &diffs[0];
    let j = |entity: &str| {
        let sa = base.series_index(Metric::TrustedShare, entity).unwrap();
        d.pairs.iter().position(|&(a, _)| a == sa).unwrap()
    };
    assert!(d.aggregate.share_signs(j("MNE-CT"), last).1 > 0.3);
    assert_eq!(d.aggregate.share_signs(j("SRB"), last), (0.0, 0.0));
}

#[test]
fn a_scoped_price_shock_is_explained_resolved_and_checked() {
    let path = repo("scenarios").join("mne-price.toml");
    let sc = load_str(&path, &variant("polity = \"MNE\"\n"));
    let words = dsrsim::report::timeline(&sc).join("\n");
    assert!(
        words.contains("price advantage for operators in Montenegro becomes 0.5"),
        "{words}"
    );
    let resolved = dsrsim::report::resolved_toml(&sc, 10, 1);
    let shock = resolved.split("id = \"cheap-huawei\"").nth(1).unwrap();
    assert!(shock.contains("polity = \"MNE\""), "{shock}");
    // The resolved file loads back to the same scope.
    let again = scenario::load_str(&path, &resolved).unwrap();
    // (The header names the files read; the rest is the scenario.)
    let body = |t: &str| -> String {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&dsrsim::report::resolved_toml(&again, 10, 1)),
        body(&resolved)
    );

    for (scope, needle) in [
        ("polity = \"MNN\"\n", "did you mean `MNE`"),
        (
            "polity = \"MNE\"\noperator = \"MNE-CT\"\n",
            "takes `polity` or `operator`, not both",
        ),
        ("operator = \"MNE-XX\"\n", "operator"),
    ] {
        let err = scenario::load_str(&path, &variant(scope))
            .err()
            .unwrap_or_else(|| panic!("{scope} should fail"));
        let text = err.to_string();
        assert!(text.contains(needle), "{scope}: {text}");
        assert!(text.contains("mne-price.toml:"), "a position: {text}");
    }
}
