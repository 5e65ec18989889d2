//! Bad input never panics: mutate a valid scenario's values into hostile
//! ones (NaN, infinities, huge and negative numbers, wrong types, extreme
//! distributions) and check that loading either fails cleanly with a
//! positioned error or gives a scenario the engine runs without panicking
//! and without producing non-finite statistics.

mod common;

use common::options;
use dsrsim::engine::{self, RunOptions};
use dsrsim::model::World;
use dsrsim::report;
use dsrsim::scenario;
use proptest::prelude::*;
use std::path::Path;

const HOSTILE: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "0",
    "-1",
    "1",
    "0.5",
    "99999999999999999999",
    "18446744073709551615",
    "\"text\"",
    "true",
    "[]",
    "{}",
    "{ beta = [0.0001, 1e9] }",
    "{ normal = [0.5, 1e300] }",
    "{ lognormal = [700, 50] }",
    "{ uniform = [0, 0] }",
    "{ triangular = [0, 0, 0] }",
    "{ discrete = [1e308, -1e308], weights = [1e308, 1e308] }",
    "{ discrete = [0.5], weights = [0] }",
    "\"1999-01\"",
    "\"2999-12\"",
    "[\"2030-01\", \"2020-01\"]",
];

fn resolved_serbia() -> String {
    let sc = scenario::load(Path::new("scenarios/serbia-5g.toml")).expect("shipped scenario loads");
    report::resolved_toml(&sc, 20, 1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn hostile_values_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..HOSTILE.len()), 1..4)) {
        let base = resolved_serbia();
        let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
        let assignable: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains(" = ")).collect();
        for (at, value) in edits {
            let i = assignable[at.index(assignable.len())];
            let key = lines[i].split(" = ").next().unwrap().to_string();
            lines[i] = format!("{key} = {}", HOSTILE[value]);
        }
        let text = lines.join("\n");
        match scenario::load_str(Path::new("mutated.toml"), &text) {
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(shown.starts_with("error: "), "{shown}");
                prop_assert_eq!(e.exit_code(), 2);
            }
            Ok(sc) => {
                let world = World::new(sc);
                let summary = engine::simulate(&world, &RunOptions { keep_runs: 2, ..options(20, 3, Some(1)) })
                    .expect("a valid scenario runs");
                for s in 0..world.series().len() {
                    let st = summary.aggregate.stats(s, world.points() - 1);
                    prop_assert!(st.mean.is_finite() && st.p50.is_finite(), "series {s}: {st:?}\n{text}");
                }
            }
        }
    }
}

#[test]
fn extreme_but_valid_values_keep_every_statistic_finite() {
    let base = resolved_serbia();
    for (key, value) in [
        ("price_advantage", "{ lognormal = [700, 50] }"),
        ("b_price", "{ normal = [0, 1e300] }"),
        ("b0", "-1e9"),
        ("g_w", "1e9"),
        ("law_hazard", "1e9"),
        ("incident_half_life", "{ lognormal = [-700, 1] }"),
        ("refresh_years", "{ normal = [0, 100] }"),
        ("kappa", "1e9"),
    ] {
        let text: String = base
            .lines()
            .map(|l| {
                if l.starts_with(&format!("{key} = ")) {
                    format!("{key} = {value}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let sc = scenario::load_str(Path::new("extreme.toml"), &text)
            .unwrap_or_else(|e| panic!("{key} = {value} should be accepted (clamped):\n{e}"));
        let world = World::new(sc);
        let summary = common::run(&world, 50, 1, Some(1));
        for s in 0..world.series().len() {
            for point in [0, world.points() - 1] {
                let st = summary.aggregate.stats(s, point);
                assert!(
                    st.mean.is_finite() && st.p05.is_finite() && st.p95.is_finite(),
                    "{key} = {value}: {st:?}"
                );
            }
        }
    }
}
