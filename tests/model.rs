//! Model v1 against analytic answers: each test builds a small world where
//! the answer is known in closed form, runs the engine and compares.
//! Statistical tolerances are 4 standard errors of a proportion from the
//! number of runs: a correct model fails one such check about once in 16 000.

mod common;

use common::{load_str, run, series};
use dsrsim::engine::Summary;
use dsrsim::model::{Metric, World};
use std::path::Path;

fn world(toml: &str) -> World {
    World::new(load_str(Path::new("test.toml"), toml))
}

fn mean(w: &World, s: &Summary, metric: Metric, entity: &str, point: usize) -> f64 {
    s.aggregate.stats(series(w, metric, entity), point).mean
}

/// 4 standard errors of a proportion p estimated from n runs.
fn tolerance(p: f64, n: u64) -> f64 {
    4.0 * (p * (1.0 - p) / n as f64).sqrt()
}

/// A `[parameters]` table with every coupling off, so each test turns on
/// only what it checks: `overrides` are `name = value` lines.
fn quiet(overrides: &str) -> String {
    let mut lines: Vec<String> = QUIET.lines().map(str::to_string).collect();
    for o in overrides.lines().filter(|l| !l.trim().is_empty()) {
        let key = o.split('=').next().unwrap().trim();
        match lines
            .iter()
            .position(|l| l.split('=').next().unwrap().trim() == key)
        {
            Some(i) => lines[i] = o.to_string(),
            None => lines.push(o.to_string()),
        }
    }
    lines.join("\n")
}

const QUIET: &str = r#"
[parameters]
price_advantage = 0.25
b0 = 0.0
b_price = 0.0
b_orient = 0.0
b_owner = 0.0
b_leverage = 0.0
b_incident = 0.0
b_incumbent = 0.0
kappa = 0.0
sigma = 0.0
law_hazard = 0.0
g_w = 0.0
g_nato = 0.0
g_eu = 0.0
g_pressure = 0.0
repeal_hazard = 0.0
eu_hazard = 0.0
eu_gamma = 0.0
"#;

#[test]
fn constant_restriction_hazard_matches_the_exponential_law() {
    // P(in force by T) = 1 - exp(-lambda T) with lambda = 0.2/yr, T = 5 years.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2029-12\"\nstep_months = 3\n{}\n\n[[polity]]\nid = \"A\"\n",
        quiet("law_hazard = 0.2")
    ));
    let runs = 20_000;
    let s = run(&w, runs, 11, Some(2));
    let last = w.points() - 1;
    let want = 1.0 - (-0.2f64 * 5.0).exp();
    let got = mean(&w, &s, Metric::Restriction, "A", last);
    assert!(
        (got - want).abs() < tolerance(want, runs),
        "P(law by 5y) = {got}, analytic {want}"
    );
    // Half-way too: after 10 steps of 3 months.
    let want = 1.0 - (-0.2f64 * 2.5).exp();
    let got = mean(&w, &s, Metric::Restriction, "A", 10);
    assert!(
        (got - want).abs() < tolerance(want, runs),
        "P(law by 2.5y) = {got}, analytic {want}"
    );
}

#[test]
fn eu_steps_follow_a_poisson_process_with_orientation_dependence() {
    // lambda = eu_hazard * w^gamma = 0.5 * 0.6^2 = 0.18/yr over 4 years:
    // expected steps = 0.72 (stage starts at 0, cannot pass 5: P(>5) is tiny).
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2028-12\"\nstep_months = 1\n{}\n\n[[polity]]\nid = \"A\"\norientation = 0.6\n",
        quiet(
            "eu_hazard = 0.5
eu_gamma = 2.0"
        )
    ));
    let runs = 20_000;
    let s = run(&w, runs, 3, Some(2));
    let last = w.points() - 1;
    let lambda_t = 0.5 * 0.36 * 4.0;
    let got = mean(&w, &s, Metric::EuStage, "A", last);
    // The variance of a Poisson count is its mean.
    let tol = 4.0 * (lambda_t / runs as f64).sqrt();
    assert!(
        (got - lambda_t).abs() < tol,
        "mean EU steps {got}, analytic {lambda_t}"
    );
}

#[test]
fn a_restriction_forces_trusted_procurement_and_phase_out_reaches_zero_on_time() {
    // One operator, fully high-risk; a restriction in 2025-01 with a 2-year
    // phase-out. By 2027-01 (8 quarterly steps) nothing high-risk is left.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2027-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 1.0\nhr_legacy = 1.0\n\n\
         [[shock]]\nkind = \"restriction\"\npolity = \"A\"\ndate = \"2025-01\"\nphase_out_years = 2.0\n",
        quiet(
            "b0 = 5.0
refresh_years = 100.0"
        )
    ));
    let s = run(&w, 50, 1, Some(1));
    let ts = series(&w, Metric::TrustedShare, "A-OP");
    let tp = series(&w, Metric::TrustedProcurement, "A-OP");
    // Before the shock (point 0) the operator buys high-risk with p = logistic(5).
    assert!(s.aggregate.stats(tp, 0).p50 < 0.01);
    for point in 1..w.points() {
        assert_eq!(
            s.aggregate.stats(tp, point).min,
            1.0,
            "bound: every purchase trusted"
        );
    }
    // Point j is the end of step j-1; after step k the line is 1 - (k+1)*0.25/2.
    for point in 1..=8 {
        let want_high_risk = 1.0 - point as f64 * 0.25 / 2.0;
        let got = s.aggregate.stats(ts, point).p50;
        assert!(
            (got - (1.0 - want_high_risk)).abs() < 1e-9,
            "point {point}: trusted {got}"
        );
    }
    assert_eq!(s.aggregate.stats(ts, 8).min, 1.0);
}

#[test]
fn cost_premium_of_an_immediate_rip_and_replace_is_exact() {
    // h = 1, g = 0, c = 0.25, refresh 8 years (r = 1/32 per quarter); an
    // immediate ban in the first step rips out 1 - r at (1 + c) and buys the
    // refresh tranche r from trusted vendors at c extra.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2025-06\"\n{}\n\n\
         [[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 1.0\nhr_legacy = 1.0\n\n\
         [[shock]]\nkind = \"restriction\"\npolity = \"A\"\ndate = \"2025-02\"\nphase_out_years = 0\n",
        quiet("refresh_years = 8.0")
    ));
    let s = run(&w, 10, 1, Some(1));
    let cp = series(&w, Metric::CostPremium, "A-OP");
    let r = 0.25 / 8.0;
    let want = 0.25 * r + 1.25 * (1.0 - r);
    let got = s.aggregate.stats(cp, 1).p50;
    assert!((got - want).abs() < 1e-9, "premium {got}, want {want}");
    // The next step buys another trusted tranche: + c * r.
    let got2 = s.aggregate.stats(cp, 2).p50;
    assert!((got2 - (want + 0.25 * r)).abs() < 1e-9, "premium {got2}");
}

#[test]
fn the_consensus_rule_makes_a_parent_as_reluctant_as_its_least_willing_part() {
    // Parent P with children at 0.9 and 0.1; the restriction hazard uses
    // w_eff: for P it is min = 0.1, so law_hazard * exp(g_w * (0.1 - 0.5)).
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2029-12\"\n{}\n\n\
         [[polity]]\nid = \"P\"\n\n[[polity]]\nid = \"C1\"\nparent = \"P\"\nweight = 0.5\norientation = 0.9\n\n\
         [[polity]]\nid = \"C2\"\nparent = \"P\"\nweight = 0.5\norientation = 0.1\n",
        quiet(
            "law_hazard = 0.3
g_w = 2.0"
        )
    ));
    let runs = 20_000;
    let s = run(&w, runs, 5, Some(2));
    let last = w.points() - 1;
    // Reported orientation of the parent is the weighted mean.
    assert!((mean(&w, &s, Metric::Orientation, "P", last) - 0.5).abs() < 1e-9);
    // The parent's own flag: restriction metric of a country with no
    // operators is its own flag.
    let lambda = 0.3 * (2.0f64 * (0.1 - 0.5)).exp();
    let want = 1.0 - (-lambda * 5.0).exp();
    let got = mean(&w, &s, Metric::Restriction, "P", last);
    assert!(
        (got - want).abs() < tolerance(want, runs),
        "parent adopts with P = {got}, want {want} (min rule)"
    );
}

#[test]
fn an_auction_launches_5g_and_the_ramp_starts_in_the_launch_step() {
    // b0 = -50: never high-risk; launch in 2025-04 (step 1 of quarterly
    // steps); rollout 2 years: g = 0.125 at the end of step 1, 1.0 after 8 steps.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2027-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 1.0\nhr_legacy = 0.4\n\n\
         [[shock]]\nkind = \"auction\"\npolity = \"A\"\ndate = \"2025-05\"\n",
        quiet(
            "b0 = -50.0
rollout_years = 2.0"
        )
    ));
    let s = run(&w, 20, 1, Some(1));
    let ts = series(&w, Metric::TrustedShare, "A-OP");
    let h5 = series(&w, Metric::Hr5g, "A-OP");
    // Refresh at r = 1/32 per quarter moves legacy down with trusted buys.
    let legacy_after = |steps: i32| 0.4 * (1.0 - 1.0 / 32.0f64).powi(steps);
    let g_after_launch = 0.125;
    let want = (1.0 - g_after_launch) * (1.0 - legacy_after(2)) + g_after_launch;
    let got = s.aggregate.stats(ts, 2).p50;
    assert!(
        (got - want).abs() < 1e-9,
        "trusted share after launch {got}, want {want}"
    );
    assert_eq!(s.aggregate.stats(h5, 2).max, 0.0);
    let full = s.aggregate.stats(ts, 9).p50;
    assert!(
        (full - 1.0).abs() < 1e-12,
        "fully on trusted 5G after the ramp: {full}"
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let w = world(
        &std::fs::read_to_string("scenarios/serbia-5g.toml")
            .unwrap()
            .replace(
                "extends = \"baseline.toml\"",
                "extends = \"scenarios/baseline.toml\"",
            ),
    );
    let one = run(&w, 3000, 9, Some(1));
    let two = run(&w, 3000, 9, Some(2));
    let four = run(&w, 3000, 9, Some(4));
    assert_eq!(one.aggregate, two.aggregate);
    assert_eq!(one.aggregate, four.aggregate);
    let other_seed = run(&w, 3000, 10, Some(2));
    assert_ne!(one.aggregate, other_seed.aggregate, "the seed must matter");
}

#[test]
fn the_format_doc_names_every_parameter_and_shock_kind() {
    let doc = std::fs::read_to_string("docs/FORMAT.md").unwrap();
    for p in dsrsim::scenario::params::PARAMS {
        assert!(
            doc.contains(&format!("| `{}` |", p.name)),
            "docs/FORMAT.md lacks parameter {}",
            p.name
        );
    }
    for k in dsrsim::scenario::SHOCK_KINDS {
        assert!(
            doc.contains(&format!("| `{k}` |")),
            "docs/FORMAT.md lacks shock kind {k}"
        );
    }
}

#[test]
fn conditionality_lifts_once_every_operator_is_bound_whatever_the_shares_add_to() {
    // Montenegro's three shares (FACTS) normalise to a sum of
    // 0.9999999999999999, not 1: "every operator is bound" must be decided by
    // counting operators. With conditionality 1 the EU hazard is 0 unless all
    // are bound; here a restriction binds all of them from the start, so the
    // last step comes at rate 1/yr: P(member within 2 years) = 1 - exp(-2).
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2026-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\norientation = 1.0\neu_stage = 4\nrestriction = true\n\n\
         [[operator]]\nid = \"A-1\"\npolity = \"A\"\nmarket_share = 0.349\n\n\
         [[operator]]\nid = \"A-2\"\npolity = \"A\"\nmarket_share = 0.336\n\n\
         [[operator]]\nid = \"A-3\"\npolity = \"A\"\nmarket_share = 0.316\n",
        quiet(
            "eu_hazard = 1.0
eu_conditionality = 1.0"
        )
    ));
    let runs = 20_000;
    let s = run(&w, runs, 17, Some(2));
    let last = w.points() - 1;
    let want = 1.0 - (-2.0f64).exp();
    let got = mean(&w, &s, Metric::EuStage, "A", last) - 4.0;
    assert!(
        (got - want).abs() < tolerance(want, runs),
        "P(member within 2 years) = {got}, analytic {want}"
    );
}

#[test]
fn membership_waits_the_minimum_time_and_each_stage_has_its_own_rate() {
    // A starts in stage 4 with a 2-year minimum: no run can be a member
    // before step 8 (visible from point 9); after it the step comes at rate
    // 1/yr, so P(member at point j) = 1 - exp(-(j - 8)/4). B starts at stage
    // 0 where only the candidate-status rate (0.5/yr) is open: P(stage 1 by
    // 5 years) = 1 - exp(-2.5), and no run gets past stage 1.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2029-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\norientation = 1.0\neu_stage = 4\n\n\
         [[polity]]\nid = \"B\"\norientation = 1.0\neu_stage = 0\n",
        quiet(
            "eu_hazard = 1.0
eu_rate_candidate = 0.5
eu_rate_negotiations = 0.0
eu_min_accession_years = 2.0"
        )
    ));
    let runs = 20_000;
    let s = run(&w, runs, 19, Some(2));
    let stage = series(&w, Metric::EuStage, "A");
    for point in 0..=8 {
        assert_eq!(s.aggregate.stats(stage, point).max, 4.0, "point {point}");
    }
    for point in [9, 12, 20] {
        let want = 1.0 - (-((point - 8) as f64) / 4.0).exp();
        let got = mean(&w, &s, Metric::EuStage, "A", point) - 4.0;
        assert!(
            (got - want).abs() < tolerance(want, runs),
            "point {point}: P(member) = {got}, analytic {want}"
        );
    }
    let last = w.points() - 1;
    let want = 1.0 - (-2.5f64).exp();
    let got = mean(&w, &s, Metric::EuStage, "B", last);
    assert!(
        (got - want).abs() < tolerance(want, runs),
        "P(candidate) = {got}, analytic {want}"
    );
    assert_eq!(
        s.aggregate
            .stats(series(&w, Metric::EuStage, "B"), last)
            .max,
        1.0
    );

    // An instant rate makes every run a member in exactly the first step allowed.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2027-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\norientation = 1.0\neu_stage = 4\n",
        quiet(
            "eu_hazard = 1e6
eu_min_accession_years = 2.0"
        )
    ));
    let s = run(&w, 200, 1, Some(1));
    let stage = series(&w, Metric::EuStage, "A");
    assert_eq!(s.aggregate.stats(stage, 8).max, 4.0);
    assert_eq!(s.aggregate.stats(stage, 9).min, 5.0);
}

#[test]
fn a_law_needs_a_push_the_hazard_is_linear_in_it() {
    // lambda = law_hazard * (law_unpushed + law_push * push): with 0.2, 0.1
    // and 1, a polity under pressure 1.5 adopts at 0.32/yr, one without at
    // 0.02/yr; a severity-1 incident that does not fade adds a unit of push
    // (0.22/yr). P(in force by 5 years) = 1 - exp(-5 lambda).
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2029-12\"\n{}\n\n\
         [[polity]]\nid = \"P\"\npressure = 1.5\n\n[[polity]]\nid = \"Q\"\n\n[[polity]]\nid = \"R\"\n\n\
         [[shock]]\nkind = \"incident\"\npolities = [\"R\"]\nseverity = 1.0\ndate = \"2025-01\"\n",
        quiet(
            "law_hazard = 0.2
law_unpushed = 0.1
law_push = 1.0
incident_half_life = 1e9"
        )
    ));
    let runs = 20_000;
    let s = run(&w, runs, 23, Some(2));
    let last = w.points() - 1;
    for (polity, lambda) in [("P", 0.32), ("Q", 0.02), ("R", 0.22)] {
        let want = 1.0 - (-lambda * 5.0f64).exp();
        let got = mean(&w, &s, Metric::Restriction, polity, last);
        assert!(
            (got - want).abs() < tolerance(want, runs),
            "{polity}: P(law by 5y) = {got}, analytic {want}"
        );
    }
}

#[test]
fn nato_accession_raises_the_law_hazard_from_its_date() {
    // Law hazard 0.1/yr, times e once the country joins NATO at the start of
    // 2027 (g_nato = 1): P(no law by 2030) = exp(-0.1*2 - 0.1e*3). A child
    // polity reads its country's membership.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2029-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\n\n[[polity]]\nid = \"A1\"\nparent = \"A\"\n\n\
         [[shock]]\nkind = \"nato_accession\"\npolity = \"A1\"\ndate = \"2027-01\"\n",
        quiet(
            "law_hazard = 0.1
g_nato = 1.0"
        )
    ));
    let runs = 20_000;
    let s = run(&w, runs, 29, Some(2));
    let last = w.points() - 1;
    let want = 1.0 - (-0.2 - 0.3 * std::f64::consts::E).exp();
    // A1's own flag: its restriction metric is 1 when A1 or A adopted;
    // A's own flag is the country's metric (no operators).
    let got = mean(&w, &s, Metric::Restriction, "A", last);
    assert!(
        (got - want).abs() < tolerance(want, runs),
        "P(law by 5y) = {got}, analytic {want}"
    );
    let at_2027 = 1.0 - (-0.2f64).exp();
    let got = mean(&w, &s, Metric::Restriction, "A", 8);
    assert!(
        (got - at_2027).abs() < tolerance(at_2027, runs),
        "before accession P = {got}, analytic {at_2027}"
    );
}

#[test]
fn a_documented_vendor_decision_replaces_the_draw() {
    // b0 = 50: every drawn purchase is high-risk. Operator D's 5G is decided
    // trusted, so its launch and refreshes are trusted while its legacy
    // purchases stay drawn (high-risk); from 2026-01 a vendor_decision makes
    // its legacy purchases trusted too. Refresh 2 years: r = 1/8 per quarter.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2026-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"D\"\npolity = \"A\"\nmarket_share = 1.0\n\
         hr_legacy = 1.0\nvendor_5g = \"trusted\"\n\n\
         [[shock]]\nkind = \"auction\"\npolity = \"A\"\ndate = \"2025-01\"\n\n\
         [[shock]]\nkind = \"vendor_decision\"\noperator = \"D\"\ngeneration = \"legacy\"\nvendor = \"trusted\"\ndate = \"2026-01\"\n",
        quiet(
            "b0 = 50.0
refresh_years = 2.0
rollout_years = 100.0"
        )
    ));
    let s = run(&w, 50, 1, Some(1));
    let h5 = series(&w, Metric::Hr5g, "D");
    let ts = series(&w, Metric::TrustedShare, "D");
    for point in 1..w.points() {
        assert_eq!(
            s.aggregate.stats(h5, point).max,
            0.0,
            "5G trusted at {point}"
        );
    }
    // Legacy stays fully high-risk for the first four steps, then trusted
    // tranches of 1/8 replace it: h_L = (7/8)^(point - 4).
    let g_at = |point: usize| point as f64 * 0.25 / 100.0;
    for point in [4usize, 8] {
        let hl = (7.0f64 / 8.0).powi(point as i32 - 4);
        let want = (1.0 - g_at(point)) * (1.0 - hl) + g_at(point);
        let got = s.aggregate.stats(ts, point).p50;
        assert!(
            (got - want).abs() < 1e-9,
            "point {point}: trusted {got}, want {want}"
        );
    }
}

#[test]
fn leverage_cuts_both_ways() {
    // Vendor logit b_leverage * L alone: L = 0.5 gives p = logistic(0.5),
    // a wary country's L = -0.5 gives logistic(-0.5).
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2025-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\nchina_leverage = 0.5\n\n[[polity]]\nid = \"B\"\nchina_leverage = -0.5\n\n\
         [[operator]]\nid = \"A-OP\"\npolity = \"A\"\nmarket_share = 1.0\n\n\
         [[operator]]\nid = \"B-OP\"\npolity = \"B\"\nmarket_share = 1.0\n",
        quiet("b_leverage = 1.0")
    ));
    let s = run(&w, 10, 1, Some(1));
    for (op, l) in [("A-OP", 0.5f64), ("B-OP", -0.5)] {
        let want = 1.0 - 1.0 / (1.0 + (-l).exp());
        let got = mean(&w, &s, Metric::TrustedProcurement, op, 0);
        assert!((got - want).abs() < 1e-9, "{op}: {got}, want {want}");
    }
}

#[test]
fn only_the_state_legislates_an_entity_follows_its_decision() {
    // BiH: telecoms regulation is a state competence (the report's
    // constitutional setup). With a law hazard of 0.3/yr the state P adopts
    // with P = 1 - exp(-1.5) in 5 years; its entities never adopt on their
    // own, so each is bound exactly when P is.
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2029-12\"\n{}\n\n\
         [[polity]]\nid = \"P\"\n\n[[polity]]\nid = \"C1\"\nparent = \"P\"\nweight = 0.5\n\n\
         [[polity]]\nid = \"C2\"\nparent = \"P\"\nweight = 0.5\n",
        quiet("law_hazard = 0.3")
    ));
    let runs = 20_000;
    let s = run(&w, runs, 31, Some(2));
    let last = w.points() - 1;
    let want = 1.0 - (-1.5f64).exp();
    let state = mean(&w, &s, Metric::Restriction, "P", last);
    assert!(
        (state - want).abs() < tolerance(want, runs),
        "state {state}, want {want}"
    );
    for child in ["C1", "C2"] {
        for point in [1, 10, last] {
            assert_eq!(
                mean(&w, &s, Metric::Restriction, child, point),
                mean(&w, &s, Metric::Restriction, "P", point),
                "{child} at point {point}"
            );
        }
    }
}

#[test]
fn a_split_decision_makes_5g_a_share() {
    // "Huawei outside the capital": 60% of the operator's 5G purchases go to
    // high-risk vendors, its launch included, so h_5 is 0.6 at launch and
    // stays there through refresh (b0 = -50: a drawn purchase is trusted).
    let w = world(&format!(
        "[scenario]\nstart = \"2025-01\"\nend = \"2026-12\"\n{}\n\n\
         [[polity]]\nid = \"A\"\n\n[[operator]]\nid = \"D\"\npolity = \"A\"\nmarket_share = 1.0\n\n\
         [[shock]]\nkind = \"vendor_decision\"\noperator = \"D\"\ngeneration = \"5g\"\nvendor = \"high_risk\"\nshare = 0.6\ndate = \"2025-01\"\n\n\
         [[shock]]\nkind = \"auction\"\npolity = \"A\"\ndate = \"2025-04\"\n",
        quiet(
            "b0 = -50.0
refresh_years = 2.0"
        )
    ));
    let s = run(&w, 20, 1, Some(1));
    let h5 = series(&w, Metric::Hr5g, "D");
    assert_eq!(s.aggregate.stats(h5, 1).max, 0.0, "not launched yet");
    for point in 2..w.points() {
        let st = s.aggregate.stats(h5, point);
        assert!(
            (st.min - 0.6).abs() < 1e-9 && (st.max - 0.6).abs() < 1e-9,
            "point {point}"
        );
    }
}
