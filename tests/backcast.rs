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
    let (w, s) = run("backcast-2010.toml", 4000);
    let at = "2025-01";
    // The report's "cautious limited engagement" group.
    for c in ["ALB", "XKX", "MKD"] {
        let p = class_probability(&w, &s, c, 2);
        assert!(
            p >= 0.6,
            "{c} should be cautious with probability >= 0.6, got {p:.3}"
        );
    }
    // Serbia: keen, and the lowest median trusted share of the six.
    assert!(
        class_probability(&w, &s, "SRB", 2) < 0.4,
        "Serbia is not cautious"
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
    // Albania and Montenegro high, Serbia and North Macedonia near zero. The
    // model gives about 0.2: 2022-2024 was a burst after Russia's invasion
    // (BiH's candidacy, two intergovernmental conferences), and a constant
    // hazard fitted to it would make Albania a member by 2027. The range
    // accepts half the FACTS figure; docs/MODEL.md records the miss.
    let candidates = ["ALB", "BIH", "MNE", "MKD", "SRB"];
    let pooled = candidates
        .iter()
        .map(|c| rate(&format!("eu_step:{c}")))
        .sum::<f64>()
        / candidates.len() as f64;
    assert!(
        (0.15..=0.6).contains(&pooled),
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
