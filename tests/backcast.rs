//! The calibration against history and base rates (tests the shipped
//! world, not the code): the 2010 backcast must end where the report says
//! the countries stood in January 2025, and the baseline's yearly rates of
//! government change, EU steps and restriction adoption must stay inside
//! the ranges FACTS.md gives. Tolerances are in the test text; each check
//! uses 4000 runs, so a median or a probability moves by about 0.01 between
//! seeds, far less than the margins asked for.

mod common;

use common::{load, load_str, series, shipped};
use dsrsim::engine::Summary;
use dsrsim::model::{Metric, World};

/// A shipped scenario, run from seed 2010 on all cores.
fn run(file: &str, runs: u64) -> (World, Summary) {
    let world = World::new(load(&shipped(file)));
    let summary = common::run(&world, runs, 2010, None);
    (world, summary)
}

fn point_of(world: &World, date: &str) -> usize {
    (0..world.points())
        .find(|&j| world.scenario.grid.point_date(j).to_string() == date)
        .unwrap_or_else(|| panic!("no point at {date}"))
}

fn median(w: &World, s: &Summary, metric: Metric, entity: &str, date: &str) -> f64 {
    s.aggregate
        .stats(series(w, metric, entity), point_of(w, date))
        .p50
}

fn class_probability(w: &World, s: &Summary, country: &str, class: usize) -> f64 {
    let k = w
        .class_series()
        .iter()
        .position(|(c, _)| c == country)
        .unwrap();
    s.aggregate.classes[k][class] as f64 / s.aggregate.runs as f64
}

#[test]
fn the_backcast_ends_where_the_report_says_the_region_stood_in_2025() {
    let (w, s) = run("backcast-2010.toml", RUNS);
    let at = "2025-01";
    // Issue 12, "Done when": every country in the report's group with
    // probability >= 0.6, Bosnia and Herzegovina ("complex") keen with
    // probability >= 0.5 and cautious <= 0.1, each up to the noise of the
    // runs (slack: three standard errors of the bound). Classes are read
    // from alignment (docs/MODEL.md).
    let (keen, between, cautious) = (0, 1, 2);
    let group = |c: &str, class: usize, name: &str, at_least: f64| {
        let p = class_probability(&w, &s, c, class);
        assert!(
            p >= at_least - slack(at_least, RUNS),
            "{c} should be {name} with probability >= {at_least} at {at}, got {p:.3}"
        );
    };
    for c in ["ALB", "XKX", "MKD"] {
        group(c, cautious, "cautious", 0.6);
    }
    group("SRB", keen, "keen", 0.6);
    group("MNE", between, "between", 0.6);
    group("BIH", keen, "keen", 0.5);
    let bih_cautious = class_probability(&w, &s, "BIH", cautious);
    assert!(
        bih_cautious <= 0.1 + slack(0.1, RUNS),
        "BIH cautious {bih_cautious:.3}"
    );
    let share = |c: &str| median(&w, &s, Metric::TrustedShare, c, at);
    let serbia = share("SRB");
    for c in ["ALB", "BIH", "XKX", "MNE", "MKD"] {
        assert!(
            serbia < share(c),
            "Serbia ({serbia:.3}) should be below {c} ({:.3})",
            share(c)
        );
    }
    // Montenegro between Serbia and the cautious three.
    let mne = share("MNE");
    let cautious_min = ["ALB", "XKX", "MKD"]
        .iter()
        .map(|c| share(c))
        .fold(f64::INFINITY, f64::min);
    assert!(
        serbia < mne && mne < cautious_min,
        "MNE {mne:.3} between SRB {serbia:.3} and {cautious_min:.3}"
    );
    // Bosnia and Herzegovina: Republika Srpska's operators lean high-risk,
    // the Federation's lean trusted.
    assert!(share("RS") < 0.5, "RS {:.3}", share("RS"));
    assert!(share("FBIH") > 0.5, "FBIH {:.3}", share("FBIH"));
    // North Macedonia's trusted share rises after the 2017 change.
    let before = median(&w, &s, Metric::TrustedShare, "MKD", "2017-01");
    let after = share("MKD");
    assert!(
        after > before + 0.2,
        "MKD {before:.3} in 2017 -> {after:.3} in 2025"
    );
}

#[test]
fn baseline_base_rates_stay_inside_the_facts_ranges() {
    // Three years without scheduled shocks, like the 2022-2024 window FACTS
    // measures EU steps on.
    let path = shipped("baseline.toml");
    let text = format!(
        "[scenario]\nextends = \"{}\"\nend = \"2027-12\"\nruns = 4000\n",
        path.display()
    );
    let world = World::new(load_str(&path.with_file_name("base-rates.toml"), &text));
    let s = common::run(&world, 4000, 7, None);
    let years = 3.0;
    let rate = |name: &str| {
        let i = world
            .event_names()
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}"));
        s.aggregate.events[i] as f64 / s.aggregate.runs as f64 / years
    };
    // FACTS, Base rates, elections per decade (changes of government are
    // rarer than elections): Serbia no change since 2012; Montenegro ~3,
    // North Macedonia ~3 (alternations 2017, 2024); Albania ~2.5 with Rama
    // since 2013; Kosovo ~6-7.
    let within = |name: &str, lo: f64, hi: f64| {
        let r = rate(name);
        assert!(
            (lo..=hi).contains(&r),
            "{name}: {r:.3} per year, FACTS range {lo}-{hi}"
        );
    };
    within("government_change:SRB", 0.0, 0.1);
    within("government_change:MNE", 0.15, 0.4);
    within("government_change:MKD", 0.15, 0.35);
    within("government_change:ALB", 0.0, 0.25);
    within("government_change:XKX", 0.25, 0.7);
    // FACTS: ~0.4 EU formal steps per candidate-year 2022-2024 (tag P),
    // Albania and Montenegro high, Serbia and North Macedonia near zero.
    // Model v2 (issue 17) counts only moves between its five stages: FACTS'
    // steps include chapters closed and benchmarks met inside a stage, and
    // Montenegro spends 2025-2028 in stage 4's minimum time. The comparable
    // history is the region's stage moves 2010-2024 (the eu_step shocks of
    // backcast-2010.toml): 11 in 75 candidate-years, 0.15, with the 2022-2024
    // burst after Russia's invasion at 0.33. The range is 0.05-0.3 (v1 asked
    // 0.15-0.6 of the faster v1 process); docs/MODEL.md records the change.
    let candidates = ["ALB", "BIH", "MNE", "MKD", "SRB"];
    let pooled = candidates
        .iter()
        .map(|c| rate(&format!("eu_step:{c}")))
        .sum::<f64>()
        / candidates.len() as f64;
    assert!(
        (0.05..=0.3).contains(&pooled),
        "pooled EU steps per candidate-year {pooled:.3}"
    );
    assert!(rate("eu_step:ALB") > rate("eu_step:SRB") && rate("eu_step:ALB") > rate("eu_step:MKD"));
    assert!(
        rate("eu_step:SRB") < 0.15 && rate("eu_step:MKD") < 0.15,
        "Serbia and North Macedonia near zero"
    );
    // FACTS, "Time from US MoU to law": about 3 laws in 10 MoU-years (0.1 to
    // 0.8 per year allowed); Serbia's pledge produced no law.
    let mou = (rate("restriction_adopted:ALB") + rate("restriction_adopted:XKX")) / 2.0;
    assert!(
        (0.1..=0.8).contains(&mou),
        "restriction adoption under an MoU {mou:.3} per year"
    );
    assert!(
        rate("restriction_adopted:SRB") < 0.05,
        "Serbia {:.3}",
        rate("restriction_adopted:SRB")
    );
}

/// The mean of `metric` for `entity` at `date`.
fn mean_at(w: &World, s: &Summary, metric: Metric, entity: &str, date: &str) -> f64 {
    s.aggregate
        .stats(series(w, metric, entity), point_of(w, date))
        .mean
}

/// Three standard errors of a proportion `bound` estimated from `runs`: an
/// estimate is held to a bound only up to the noise of the runs.
fn slack(bound: f64, runs: u64) -> f64 {
    3.0 * (bound * (1.0 - bound) / runs as f64).sqrt()
}

const RUNS: u64 = 4000;

#[test]
fn model_v2_backcast_laws_come_only_where_history_has_them() {
    let (w, s) = run("backcast-2010.toml", RUNS);
    let at = "2025-01";
    // Issue 17, "Done when": P(restriction) <= 0.15 at December 2024 where
    // history has no law.
    for polity in ["SRB", "MNE", "XKX", "RS", "FBIH"] {
        let p = mean_at(&w, &s, Metric::Restriction, polity, at);
        assert!(
            p <= 0.15 + slack(0.15, RUNS),
            "{polity}: P(restriction in force at {at}) = {p:.3}, history: none"
        );
    }
    // North Macedonia legislated in April 2021 (FACTS).
    for date in ["2021-07", "2022-01", "2023-01", "2024-01", at] {
        let p = mean_at(&w, &s, Metric::Restriction, "MKD", date);
        assert!(
            p >= 0.9 - slack(0.9, RUNS),
            "MKD: P(restriction at {date}) = {p:.3}"
        );
    }
    // No law anywhere before 2021 in more than 10% of runs: the sum over
    // polities bounds the probability of any (RS and FBIH also count a
    // state-level law).
    let any: f64 = ["ALB", "XKX", "MNE", "MKD", "SRB", "RS", "FBIH"]
        .iter()
        .map(|p| mean_at(&w, &s, Metric::Restriction, p, "2021-01"))
        .sum();
    assert!(
        any <= 0.1 + slack(0.1, RUNS),
        "P(any restriction before 2021) <= {any:.3}"
    );
}

#[test]
fn model_v2_backcast_eu_stages_end_where_they_stood() {
    let (w, s) = run("backcast-2010.toml", RUNS);
    let at = "2025-01";
    for (country, stage) in [
        ("SRB", 3.0),
        ("MNE", 4.0),
        ("ALB", 3.0),
        ("MKD", 2.0),
        ("BIH", 1.0),
        ("XKX", 0.0),
    ] {
        let got = median(&w, &s, Metric::EuStage, country, at);
        assert_eq!(got, stage, "{country}: median EU stage at {at}");
        // P(member) <= 0.05: the 95th percentile stays below stage 5.
        let series = w
            .series()
            .iter()
            .position(|x| x.metric == Metric::EuStage && x.entity == country)
            .unwrap();
        let p95 = s.aggregate.stats(series, point_of(&w, at)).p95;
        assert!(p95 < 5.0, "{country} a member in 5% of runs or more");
    }
    // Issue 12: EU steps per candidate-year 2022-2024 inside the FACTS range
    // ("~0.4 pooled; Albania and Montenegro high, Serbia and North Macedonia
    // near zero"). The model counts moves between its stages (FACTS also
    // counts chapters inside one), so the range asked is 0.25-0.6.
    let candidates = ["ALB", "BIH", "MNE", "MKD", "SRB"];
    let moved = |c: &str| {
        mean_at(&w, &s, Metric::EuStage, c, at) - mean_at(&w, &s, Metric::EuStage, c, "2022-01")
    };
    let pooled = candidates.iter().map(|c| moved(c)).sum::<f64>() / (3.0 * 5.0);
    assert!(
        (0.25..=0.6).contains(&pooled),
        "EU stage moves per candidate-year 2022-2024: {pooled:.3}"
    );
    assert!(moved("SRB") < 0.5 && moved("MKD") < 1.5, "Serbia near zero");
}

/// The mean high-risk share of `operator`'s 5G at its worst point.
fn worst_hr_5g(file: &str, operator: &str) -> f64 {
    let (w, s) = run(file, RUNS);
    let series = w
        .series()
        .iter()
        .position(|x| x.metric == Metric::Hr5g && x.entity == operator)
        .unwrap();
    (0..w.points())
        .map(|j| s.aggregate.stats(series, j).mean)
        .fold(0.0, f64::max)
}

#[test]
fn model_v2_documented_vendor_choices_hold() {
    // FACTS: A1 Group chose Nokia for 5G in Serbia (2020); Telekom Albania
    // (now One) chose Ericsson as sole RAN and core supplier (Feb 2020).
    let a1 = worst_hr_5g("serbia-5g.toml", "SRB-A1");
    assert!(a1 <= 0.1, "A1 Srbija's 5G high-risk share {a1:.3}");
    let one = worst_hr_5g("albania-4ig.toml", "ALB-ONE");
    assert!(one <= 0.1, "One Albania's 5G high-risk share {one:.3}");
}

#[test]
fn model_v2_montenegro_can_join_once_bound_under_the_mandatory_toolbox() {
    let (w, s) = run("eu-mandatory-toolbox.toml", RUNS);
    let horizon = w.scenario.grid.point_date(w.points() - 1).to_string();
    // Montenegro starts at stage 4; with every operator bound the
    // conditionality lifts and some runs complete accession by the horizon.
    let series = w
        .series()
        .iter()
        .position(|x| x.metric == Metric::EuStage && x.entity == "MNE")
        .unwrap();
    let stats = s.aggregate.stats(series, point_of(&w, &horizon));
    assert_eq!(stats.max, 5.0, "no run of Montenegro reaches membership");
}
