//! One Monte Carlo path: sample the run's world, then step it, sub-step by
//! sub-step as DESIGN.md's resolved details order them.
//!
//! Every per-step process draws a fixed number of values each step whatever
//! happens (a bound operator still draws its procurement uniforms), so two
//! scenarios that differ in one shock keep every other draw paired.

use super::diary::{Diary, Event};
use super::math::{exp, logistic_in_place};
use super::metrics::{Metric, NETWORK_METRICS};
use super::{RandomSource, World, hazard_probability};

use crate::scenario::dist::{Dist, unit};
use crate::scenario::params::{PARAM_COUNT, ParamId as P};
use crate::scenario::shocks::{
    Auction, Drawn, EuStep, GovernmentChange, Incident, Leverage, NatoAccession, OwnershipChange,
    Pressure, Repeal, Restriction, VendorDecision,
};
use crate::scenario::{Effect, PriceChange, PriceMove, PriceScope, Timing};
use rand::distr::Distribution;
use rand_distr::StandardNormal;

/// Does an event with hazard `rate` happen in a step of `dt` years, given
/// the step's uniform `u`? Same answer as `u < 1 − exp(−rate·dt)`, but since
/// 1 − exp(−x) ≤ x, a `u` above rate·dt (most steps) needs no `exp`.
#[inline]
fn happens(u: f64, rate: f64, dt: f64) -> bool {
    let x = rate * dt;
    if u >= x * (1.0 + 1e-12) {
        return false;
    }
    u < hazard_probability(rate, dt)
}

/// The mutable state of one run; allocated once per worker and reused.
pub struct RunState {
    param: [f64; PARAM_COUNT],
    /// Price advantage in force for each operator's purchases (moves with
    /// `price` shocks, everywhere or within their scope).
    price: Vec<f64>,
    // Polities.
    w: Vec<f64>,
    w_target: Vec<f64>,
    w_eff: Vec<f64>,
    w_report: Vec<f64>,
    leverage: Vec<f64>,
    incident: Vec<f64>,
    pressure: Vec<f64>,
    election_hazard: Vec<f64>,
    /// Per-step probability of a background government change (constant in a run).
    p_election: Vec<f64>,
    eu_pace: Vec<f64>,
    restricted: Vec<bool>,
    /// Per polity: its country is a NATO member.
    nato: Vec<bool>,
    /// Whether each operator is bound by a restriction at its polity or above,
    /// and per country (by polity index) the market share bound; both
    /// refreshed whenever a restriction flag changes.
    bound: Vec<bool>,
    country_bound: Vec<f64>,
    /// Per country (by polity index): every one of its operators is bound.
    /// Counted, not read off `country_bound`: normalised shares need not add
    /// to exactly 1 (Montenegro's add to 0.9999999999999999).
    all_bound: Vec<bool>,
    /// Per polity: a restriction in force at it or an ancestor (refreshed with `bound`).
    in_force: Vec<bool>,
    incident_decay: f64,
    /// Once an incident has happened; until then decay is skipped.
    any_incident: bool,
    eu_stage: Vec<u8>,
    /// Per polity: the step in which its country entered its current EU
    /// stage (0 for the stage it starts in).
    stage_since: Vec<usize>,
    u_restriction: Vec<f64>,
    u_eu: Vec<f64>,
    // Operators.
    owner_alignment: Vec<f64>,
    /// Documented vendor decisions per operator (legacy, 5G): the high-risk
    /// fraction of its purchases, None drawn.
    vendor: Vec<[Option<f64>; 2]>,
    h_legacy: Vec<f64>,
    h_5g: Vec<f64>,
    g5: Vec<f64>,
    /// Share of the network refreshed per step, min(Δt/T, 1), and the 5G ramp
    /// per step, Δt/R: constant in a run, so divided once.
    refresh_per_step: Vec<f64>,
    ramp_per_step: Vec<f64>,
    premium: Vec<f64>,
    launched: Vec<bool>,
    launch_pending: Vec<bool>,
    // Phase-out lines, one slot per (operator, ancestor): `line_offset[o] + j`.
    line_offset: Vec<usize>,
    line_on: Vec<bool>,
    /// Per operator: how many of its lines are on (most have none, and then
    /// its phase-out needs no look at its lines).
    lines_on: Vec<u32>,
    line_h_legacy: Vec<f64>,
    line_h_5g: Vec<f64>,
    line_step: Vec<usize>,
    line_years: Vec<f64>,
    // Shocks.
    shock_step: Vec<Option<usize>>,
    shock_value: Vec<f64>,
    fired: Vec<bool>,
    /// Per-run counts, in [`World::event_names`] order.
    events: Vec<u64>,
    /// The run's events in order, when asked for (`keep_diary`).
    diary: Option<Diary>,
    /// Scratch: the purchase logits, then probabilities, of every operator,
    /// legacy in `[0, lanes)` and 5G in `[lanes, 2·lanes)`, where `lanes`
    /// is the operator count rounded up to 4 so the batch has no odd tail.
    logits: Vec<f64>,
    lanes: usize,
    /// Per-operator metrics of the current point, one row per operator-level
    /// metric of the catalogue (`Metric::network_row`).
    op_metric: [Vec<f64>; NETWORK_METRICS],
    /// The values of every computed series at the current point; the
    /// first `recorded` are the recorded ones.
    values: Vec<f64>,
    recorded: usize,
}

impl RunState {
    pub fn new(world: &World) -> RunState {
        let n = world.scenario.polities.len();
        let m = world.scenario.operators.len();
        let s = world.scenario.shocks.len();
        let mut line_offset = Vec::with_capacity(m);
        let mut lines = 0;
        for anc in &world.op_ancestors {
            line_offset.push(lines);
            lines += anc.len();
        }
        RunState {
            param: [0.0; PARAM_COUNT],
            price: vec![0.0; m],
            w: vec![0.0; n],
            w_target: vec![0.0; n],
            w_eff: vec![0.0; n],
            w_report: vec![0.0; n],
            leverage: vec![0.0; n],
            incident: vec![0.0; n],
            pressure: vec![0.0; n],
            election_hazard: vec![0.0; n],
            p_election: vec![0.0; n],
            eu_pace: vec![1.0; n],
            restricted: vec![false; n],
            nato: vec![false; n],
            bound: vec![false; m],
            country_bound: vec![0.0; n],
            all_bound: vec![false; n],
            in_force: vec![false; n],
            incident_decay: 1.0,
            any_incident: false,
            eu_stage: vec![0; n],
            stage_since: vec![0; n],
            u_restriction: vec![0.0; n],
            u_eu: vec![0.0; n],
            owner_alignment: vec![0.0; m],
            vendor: vec![[None; 2]; m],
            h_legacy: vec![0.0; m],
            h_5g: vec![0.0; m],
            g5: vec![0.0; m],
            refresh_per_step: vec![0.0; m],
            ramp_per_step: vec![0.0; m],
            premium: vec![0.0; m],
            launched: vec![false; m],
            launch_pending: vec![false; m],
            line_offset,
            line_on: vec![false; lines],
            lines_on: vec![0; m],
            line_h_legacy: vec![0.0; lines],
            line_h_5g: vec![0.0; lines],
            line_step: vec![0; lines],
            line_years: vec![0.0; lines],
            shock_step: vec![None; s],
            shock_value: vec![0.0; s],
            fired: vec![false; s],
            events: vec![0; s + EVENT_KINDS.len() * n],
            diary: None,
            logits: vec![0.0; 2 * m.div_ceil(4) * 4],
            lanes: m.div_ceil(4) * 4,
            op_metric: std::array::from_fn(|_| vec![0.0; m]),
            values: vec![0.0; world.computed],
            recorded: world.series().len(),
        }
    }

    /// The values of every recorded series at the current point, in
    /// [`World::series`] order.
    pub fn values(&self) -> &[f64] {
        &self.values[..self.recorded]
    }

    /// The sampled inputs of the run, in [`World::input_names`] order.
    pub fn inputs(&self) -> impl Iterator<Item = f64> + '_ {
        self.param
            .iter()
            .copied()
            .chain(self.fired.iter().map(|&f| f64::from(u8::from(f))))
    }

    /// What happened in the run just finished: each shock (0 or 1), then per
    /// polity the count of each of [`EVENT_KINDS`].
    pub fn events(&self) -> &[u64] {
        &self.events
    }

    /// Per shock, the step it fired in (None: it did not fire).
    pub fn fired_steps(&self) -> impl Iterator<Item = Option<usize>> + '_ {
        self.shock_step
            .iter()
            .zip(&self.fired)
            .map(|(&s, &f)| if f { s } else { None })
    }

    /// Record every event of the following runs in a diary.
    pub fn keep_diary(&mut self) {
        self.diary = Some(Diary::default());
    }

    /// The events of the run just finished, if a diary is kept.
    pub fn diary(&self) -> Option<&Diary> {
        self.diary.as_ref()
    }

    #[inline]
    fn note(&mut self, event: Event) {
        if let Some(d) = &mut self.diary {
            d.push(event);
        }
    }
}

/// Where a polity stands in the report's sense (docs/MODEL.md,
/// "Alignment"): its government's stance — a law in force counts fully, else
/// the effective orientation (for BiH the consensus minimum, what the state
/// can act on) — weighted two to one over what its operators buy now. A
/// polity without operators is its stance.
pub fn alignment(law: f64, w_eff: f64, procurement: Option<f64>) -> f64 {
    let stance = law + (1.0 - law) * w_eff;
    match procurement {
        Some(buy) => (2.0 * stance + buy) / 3.0,
        None => stance,
    }
}

/// What the model counts per polity and run, for base rates.
pub const EVENT_KINDS: [&str; 4] = [
    "government_change",
    "eu_step",
    "restriction_adopted",
    "restriction_repealed",
];

impl World {
    /// Run one path, calling `sink(point, values)` for the initial state and
    /// the end of every step.
    pub fn run<S: RandomSource>(
        &self,
        src: &mut S,
        st: &mut RunState,
        sink: &mut impl FnMut(usize, &[f64]),
    ) {
        self.run_recording(src, st, |_| true, sink);
    }

    /// Run one path, recording (and calling `sink`) only at the points `j`
    /// where `at[j]`: an outcome read at the horizon needs one point of the
    /// path's 45, and recording is about a third of a path's cost. The path
    /// itself is the same: nothing the steps read is written by `record`.
    pub fn run_at<S: RandomSource>(
        &self,
        src: &mut S,
        st: &mut RunState,
        at: &[bool],
        sink: &mut impl FnMut(usize, &[f64]),
    ) {
        debug_assert_eq!(at.len(), self.points());
        self.run_recording(src, st, |j| at[j], sink);
    }

    #[inline(always)]
    fn run_recording<S: RandomSource>(
        &self,
        src: &mut S,
        st: &mut RunState,
        wanted: impl Fn(usize) -> bool,
        sink: &mut impl FnMut(usize, &[f64]),
    ) {
        self.init(src, st);
        if wanted(0) {
            self.record(st);
            sink(0, st.values());
        }
        for k in 0..self.steps {
            self.step(k, src, st);
            if wanted(k + 1) {
                self.record(st);
                sink(k + 1, st.values());
            }
        }
    }

    fn init<S: RandomSource>(&self, src: &mut S, st: &mut RunState) {
        let sc = &self.scenario;
        // A plain number needs no region of its own.
        for (j, d) in sc.parameters.iter().enumerate() {
            st.param[j] = match d {
                Dist::Const(x) => *x,
                Dist::Random(r) => r.sample(src.quantity(self.param_quantity[j])),
            };
        }
        let price = st.param[P::PriceAdvantage as usize];
        st.price.fill(price);
        // 0.5^(Δt/half-life), with the model's own exp.
        st.incident_decay =
            exp(-std::f64::consts::LN_2 * (self.dt / st.param[P::IncidentHalfLife as usize]));
        st.any_incident = false;
        for (p, pol) in sc.polities.iter().enumerate() {
            let r = src.quantity(self.polity_streams[p].init);
            st.w[p] = pol.orientation.sample(r);
            st.w_target[p] = match &pol.target {
                Some(t) => t.sample(r),
                None => st.w[p],
            };
            st.leverage[p] = pol.china_leverage.sample(r);
            st.election_hazard[p] = pol.election_hazard.sample(r);
            st.p_election[p] = hazard_probability(st.election_hazard[p], self.dt);
            st.eu_pace[p] = pol.eu_pace.sample(r);
            st.pressure[p] = pol.pressure;
            st.incident[p] = 0.0;
            st.restricted[p] = pol.restriction;
            st.eu_stage[p] = sc.polities[self.root[p]].eu_stage;
            st.stage_since[p] = 0;
            st.nato[p] = sc.polities[self.root[p]].nato;
            st.w_eff[p] = st.w[p];
            st.w_report[p] = st.w[p];
        }
        self.aggregate_parents(st);
        let refresh_default = st.param[P::RefreshYears as usize];
        let rollout_default = st.param[P::RolloutYears as usize];
        for (o, op) in sc.operators.iter().enumerate() {
            let r = src.quantity(self.operator_streams[o].init);
            st.owner_alignment[o] = op.owner_alignment.sample(r);
            st.vendor[o] = op.vendor.map(|d| d.map(|x| f64::from(u8::from(x))));
            st.h_legacy[o] = op.hr_legacy.sample(r);
            let h5 = op.hr_5g.sample(r);
            st.g5[o] = op.g5_weight.sample(r);
            let refresh_years = op
                .refresh_years
                .as_ref()
                .map_or(refresh_default, |d| d.sample(r));
            let rollout_years = op
                .rollout_years
                .as_ref()
                .map_or(rollout_default, |d| d.sample(r));
            st.refresh_per_step[o] = (self.dt / refresh_years).min(1.0);
            st.ramp_per_step[o] = self.dt / rollout_years;
            st.launched[o] = st.g5[o] > 0.0;
            st.h_5g[o] = if st.launched[o] { h5 } else { 0.0 };
            st.premium[o] = 0.0;
            st.launch_pending[o] = false;
        }
        st.line_on.fill(false);
        st.lines_on.fill(0);
        st.events.fill(0);
        if let Some(d) = &mut st.diary {
            d.clear();
        }
        self.refresh_bound(st);
        for (i, shock) in sc.shocks.iter().enumerate() {
            let r = src.quantity(self.shock_quantity[i]);
            let fires = unit(r) < shock.probability;
            let month = match shock.timing {
                Timing::Date(m) => m,
                Timing::Window(a, b) => {
                    let span = f64::from(b.0 - a.0 + 1);
                    a.plus(((unit(r) * span) as i32).min(b.0 - a.0))
                }
            };
            // The kind says what it draws; every shock draws from its own stream.
            st.shock_value[i] = match shock.effect.drawn() {
                Drawn::Nothing => 0.0,
                Drawn::Dist(d) => d.sample(r),
                Drawn::OrParameter(d, param) => d.map_or(st.param[param as usize], |d| d.sample(r)),
            };
            st.shock_step[i] = if fires { sc.grid.step_of(month) } else { None };
            st.fired[i] = false;
        }
    }

    /// A parent's effective orientation is the minimum of its children's
    /// (consensus); its reported orientation their weighted mean.
    fn aggregate_parents(&self, st: &mut RunState) {
        for &p in &self.parents_bottom_up {
            let kids = &self.children[p];
            st.w_eff[p] = kids
                .iter()
                .map(|&c| st.w_eff[c])
                .fold(f64::INFINITY, f64::min);
            let total: f64 = kids.iter().map(|&c| self.scenario.polities[c].weight).sum();
            st.w_report[p] = if total > 0.0 {
                kids.iter()
                    .map(|&c| self.scenario.polities[c].weight * st.w_report[c])
                    .sum::<f64>()
                    / total
            } else {
                kids.iter().map(|&c| st.w_report[c]).sum::<f64>() / kids.len() as f64
            };
        }
    }

    fn step<S: RandomSource>(&self, k: usize, src: &mut S, st: &mut RunState) {
        let sc = &self.scenario;
        let dt = self.dt;
        let param = st.param;
        let par = |id: P| param[id as usize];
        let (kappa, sigma) = (par(P::Kappa), par(P::Sigma));

        if let Some(d) = &mut st.diary {
            d.step = k;
        }
        // 1. Scheduled shocks, in file order.
        for i in 0..sc.shocks.len() {
            if st.shock_step[i] == Some(k) && sc.shocks[i].requires.is_none_or(|q| st.fired[q]) {
                st.fired[i] = true;
                st.events[i] = 1;
                st.note(Event::Shock(i));
                self.apply_shock(i, k, src, st);
            }
        }

        // 2-3. Elections and orientation, leaves only; every polity draws alike.
        for p in 0..sc.polities.len() {
            let r = src.process(self.polity_streams[p].step);
            let u_election = unit(r);
            let noise: f64 = StandardNormal.sample(r);
            st.u_restriction[p] = unit(r);
            st.u_eu[p] = unit(r);
            if !self.children[p].is_empty() {
                continue;
            }
            if u_election < st.p_election[p] {
                self.count(st, p, 0);
                st.w_target[p] = sc.polities[p]
                    .swing
                    .sample(src.process(self.polity_streams[p].swing));
            }
            let w = st.w[p] + kappa * (st.w_target[p] - st.w[p]) * dt + sigma * dt.sqrt() * noise;
            st.w[p] = w.clamp(0.0, 1.0);
            st.w_eff[p] = st.w[p];
            st.w_report[p] = st.w[p];
        }
        self.aggregate_parents(st);

        // 4. Restriction adoption or repeal, decided on the state at its start.
        for p in 0..sc.polities.len() {
            let u = st.u_restriction[p];
            if st.restricted[p] {
                let rate = par(P::RepealHazard) * (1.0 - st.w_eff[p]);
                if happens(u, rate, dt) {
                    self.repeal(p, st);
                }
            } else if self.parent[p].is_none() {
                // Telecoms regulation is national (in BiH a state-level
                // competence under the consensus rule, the report's
                // constitutional setup): an entity's own flag moves only by
                // a shock.
                let root = p;
                let nato = f64::from(u8::from(st.nato[p]));
                // A law needs a push from outside (a US MoU, EU conditionality
                // that blocks accession, an incident) acting on a willing
                // government; orientation alone gives only `law_unpushed`.
                let stage = st.eu_stage[root];
                let conditional = (3..=4).contains(&stage) && !st.all_bound[root];
                let push = st.pressure[p]
                    + if conditional {
                        par(P::EuConditionality)
                    } else {
                        0.0
                    }
                    + st.incident[p];
                let rate = par(P::LawHazard)
                    * exp(par(P::GW) * (st.w_eff[p] - 0.5)
                        + par(P::GNato) * nato
                        + par(P::GEu) * f64::from(stage) / 5.0
                        + par(P::GPressure) * st.pressure[p])
                    * (par(P::LawUnpushed) + par(P::LawPush) * push);
                if happens(u, rate, dt) {
                    self.adopt(p, k, par(P::PhaseOutYears), st);
                }
            }
        }

        // 5. EU accession steps, per country.
        for &c in &self.countries {
            let stage = st.eu_stage[c];
            if stage >= 5 {
                continue;
            }
            let gamma = par(P::EuGamma);
            // Integer exponents (the usual 1 or 2) need no `powf`.
            let w_gamma = if gamma == gamma.trunc() && gamma.abs() < 16.0 {
                st.w_eff[c].powi(gamma as i32)
            } else {
                st.w_eff[c].powf(gamma)
            };
            // Each stage has its own pace; membership also needs every
            // chapter closed and the accession treaty ratified, which take a
            // minimum time however willing the country.
            let stage_rate = par(match stage {
                0 => P::EuRateCandidate,
                1 => P::EuRateNegotiations,
                2 => P::EuRateClusters,
                3 => P::EuRateClosing,
                _ => P::EuRateAccession,
            });
            let waited = (k - st.stage_since[c]) as f64 * dt;
            if stage == 4 && waited < par(P::EuMinAccessionYears) - 1e-9 {
                continue;
            }
            let mut rate = par(P::EuHazard) * stage_rate * w_gamma * st.eu_pace[c];
            if (3..=4).contains(&stage) && !st.all_bound[c] {
                rate *= 1.0 - par(P::EuConditionality);
            }
            if happens(st.u_eu[c], rate, dt) {
                self.count(st, c, 1);
                self.set_stage(c, stage + 1, k, st);
            }
        }

        // 6. Procurement, 5G launches, phase-out, cost. Each operator's
        // purchase probabilities depend on its own state only, so they are
        // computed for all operators first, in one vectorised pass.
        for o in 0..sc.operators.len() {
            let base = self.logit_base(o, st);
            let h_5g = if st.launched[o] {
                st.h_5g[o]
            } else {
                // A launch's one main-vendor decision follows the 4G vendor.
                st.h_legacy[o]
            };
            st.logits[o] = Self::logit(base, st.h_legacy[o], st);
            st.logits[st.lanes + o] = Self::logit(base, h_5g, st);
        }
        logistic_in_place(&mut st.logits);
        for o in 0..sc.operators.len() {
            let r = src.process(self.operator_streams[o].step);
            let (u_legacy, u_5g) = (unit(r), unit(r));
            let refresh = st.refresh_per_step[o];
            let g_old = st.g5[o];
            let launched_before = st.launched[o];
            let h_legacy_before = st.h_legacy[o];

            // A bound operator's probabilities are 0.
            let bound = st.bound[o];
            // A documented decision replaces the draw (the uniform is still
            // drawn, so every other draw stays paired).
            // The high-risk fraction of a purchase: 0 or 1 when drawn, the
            // decided share (0 trusted, 1 high-risk, or a split by region or
            // layer) where a decision is documented.
            let [decided_legacy, decided_5g] = st.vendor[o];
            let bought = |decided: Option<f64>, u: f64, p: f64| {
                if bound {
                    0.0
                } else {
                    decided.unwrap_or(f64::from(u8::from(u < p)))
                }
            };
            let bought_high_risk = bought(decided_legacy, u_legacy, st.logits[o]);
            let h_legacy_refreshed = (1.0 - refresh) * h_legacy_before + refresh * bought_high_risk;

            let mut bought_5g_high_risk = 0.0;
            let mut h_5g_refreshed = st.h_5g[o];
            if launched_before {
                bought_5g_high_risk = bought(decided_5g, u_5g, st.logits[st.lanes + o]);
                h_5g_refreshed = (1.0 - refresh) * st.h_5g[o] + refresh * bought_5g_high_risk;
            } else if st.launch_pending[o] {
                // One main-vendor decision; 5G usually follows the 4G vendor.
                h_5g_refreshed = bought(decided_5g, u_5g, st.logits[st.lanes + o]);
                st.launched[o] = true;
                st.launch_pending[o] = false;
                st.note(Event::Launch {
                    operator: o,
                    high_risk: h_5g_refreshed,
                });
            }

            let (line_legacy, line_5g) = if st.lines_on[o] == 0 {
                (f64::INFINITY, f64::INFINITY)
            } else {
                self.phase_out_lines(o, k, st)
            };
            let h_legacy_new = h_legacy_refreshed.min(line_legacy);
            let h_5g_new = h_5g_refreshed.min(line_5g);
            let g_new = if st.launched[o] {
                (g_old + st.ramp_per_step[o]).min(1.0)
            } else {
                g_old
            };
            let ripped = (1.0 - g_old) * (h_legacy_refreshed - h_legacy_new)
                + g_old * (h_5g_refreshed - h_5g_new);
            let trusted_units = refresh * (1.0 - g_old) * (1.0 - bought_high_risk)
                + if launched_before {
                    refresh * g_old * (1.0 - bought_5g_high_risk)
                } else {
                    0.0
                }
                + (g_new - g_old) * (1.0 - h_5g_new);
            st.premium[o] += st.price[o] * trusted_units + (1.0 + st.price[o]) * ripped;
            st.h_legacy[o] = h_legacy_new;
            st.h_5g[o] = h_5g_new;
            st.g5[o] = g_new;
        }

        // 7. Incidents fade.
        if st.any_incident {
            for i in &mut st.incident {
                *i *= st.incident_decay;
            }
        }
    }

    fn apply_shock<S: RandomSource>(&self, i: usize, k: usize, src: &mut S, st: &mut RunState) {
        let sc = &self.scenario;
        let value = st.shock_value[i];
        match &sc.shocks[i].effect {
            Effect::GovernmentChange(GovernmentChange {
                polity,
                target,
                jump,
            }) => {
                for &l in &self.subtree_polities[*polity] {
                    if !self.children[l].is_empty() {
                        continue;
                    }
                    self.count(st, l, 0);
                    st.w_target[l] = match target {
                        Some(_) => value,
                        None => sc.polities[l]
                            .swing
                            .sample(src.process(self.polity_streams[l].swing)),
                    };
                    st.w[l] += jump * (st.w_target[l] - st.w[l]);
                }
            }
            Effect::Auction(Auction { operators, .. }) => {
                for &o in operators {
                    if !st.launched[o] {
                        st.launch_pending[o] = true;
                    }
                }
            }
            Effect::EuStep(EuStep { polity, stages }) => {
                let root = self.root[*polity];
                let stage = (i32::from(st.eu_stage[root]) + stages).clamp(0, 5) as u8;
                if stage != st.eu_stage[root] {
                    self.count(st, root, 1);
                }
                self.set_stage(root, stage, k, st);
            }
            Effect::Restriction(Restriction { polity, .. }) => {
                if !st.restricted[*polity] {
                    self.adopt(*polity, k, value, st);
                }
            }
            Effect::Repeal(Repeal { polity }) => {
                if st.restricted[*polity] {
                    self.repeal(*polity, st);
                }
            }
            Effect::OwnershipChange(OwnershipChange { operator, .. }) => {
                st.owner_alignment[*operator] = value
            }
            Effect::Incident(Incident { polities, .. }) => {
                let mut hit = |p: usize| {
                    for &q in &self.subtree_polities[p] {
                        st.incident[q] = st.incident[q].max(value);
                    }
                };
                match polities {
                    Some(list) => list.iter().for_each(|&p| hit(p)),
                    None => (0..sc.polities.len()).for_each(&mut hit),
                }
                st.any_incident = true;
            }
            Effect::Price(PriceChange { how, scope }) => {
                for (o, op) in sc.operators.iter().enumerate() {
                    let reached = match *scope {
                        PriceScope::Everywhere => true,
                        PriceScope::Polity(p) => sc.is_within(op.polity, p),
                        PriceScope::Operator(only) => o == only,
                    };
                    if reached {
                        st.price[o] = match how {
                            PriceMove::Advantage(_) => value,
                            PriceMove::Delta(_) => (st.price[o] + value).max(-0.99),
                        };
                    }
                }
            }
            Effect::Pressure(Pressure { polity, .. }) => {
                for &q in &self.subtree_polities[*polity] {
                    st.pressure[q] = value;
                }
            }
            Effect::Leverage(Leverage { polity, .. }) => {
                for &q in &self.subtree_polities[*polity] {
                    st.leverage[q] = value;
                }
            }
            Effect::VendorDecision(VendorDecision {
                operator,
                generations,
                vendor,
                share,
            }) => {
                let high_risk = vendor.map(|x| if x { *share } else { 1.0 - share });
                for (slot, on) in st.vendor[*operator].iter_mut().zip(generations) {
                    if *on {
                        *slot = high_risk;
                    }
                }
            }
            Effect::NatoAccession(NatoAccession { polity }) => {
                for &q in &self.subtree_polities[self.root[*polity]] {
                    st.nato[q] = true;
                }
            }
        }
    }

    /// The EU stage belongs to the country; children read it.
    /// A change of stage in step `k` starts the clock of the new stage.
    fn set_stage(&self, root: usize, stage: u8, k: usize, st: &mut RunState) {
        let changed = stage != st.eu_stage[root];
        for &q in &self.subtree_polities[root] {
            st.eu_stage[q] = stage;
            if changed {
                st.stage_since[q] = k;
            }
        }
    }

    /// Which operators a restriction binds, and each country's bound market
    /// share; called whenever a restriction flag changes (rare).
    fn refresh_bound(&self, st: &mut RunState) {
        for (o, ancestors) in self.op_ancestors.iter().enumerate() {
            st.bound[o] = ancestors.iter().any(|&q| st.restricted[q]);
        }
        for &c in &self.countries {
            st.country_bound[c] = self.country_restriction(c, st);
            let group = &self.groups[self.country_group[c].clone()];
            st.all_bound[c] = if group.is_empty() {
                st.restricted[c]
            } else {
                group.iter().filter(|(o, _)| st.bound[*o]).count() == group.len()
            };
        }
        for p in 0..st.in_force.len() {
            let mut q = Some(p);
            let mut on = false;
            while let Some(x) = q {
                on |= st.restricted[x];
                q = self.parent[x];
            }
            st.in_force[p] = on;
        }
    }

    fn count(&self, st: &mut RunState, p: usize, kind: usize) {
        st.events[self.scenario.shocks.len() + EVENT_KINDS.len() * p + kind] += 1;
        st.note(Event::Counted { polity: p, kind });
    }

    fn adopt(&self, p: usize, k: usize, phase_out_years: f64, st: &mut RunState) {
        self.count(st, p, 2);
        st.restricted[p] = true;
        self.refresh_bound(st);
        for &o in &self.subtree_ops[p] {
            let slot = self.line_slot(o, p, st);
            if !st.line_on[slot] {
                st.lines_on[o] += 1;
            }
            st.line_on[slot] = true;
            st.line_h_legacy[slot] = st.h_legacy[o];
            st.line_h_5g[slot] = st.h_5g[o];
            st.line_step[slot] = k;
            st.line_years[slot] = phase_out_years;
        }
    }

    fn repeal(&self, p: usize, st: &mut RunState) {
        self.count(st, p, 3);
        st.restricted[p] = false;
        self.refresh_bound(st);
        for &o in &self.subtree_ops[p] {
            let slot = self.line_slot(o, p, st);
            if st.line_on[slot] {
                st.lines_on[o] -= 1;
            }
            st.line_on[slot] = false;
        }
    }

    /// Where operator `o` keeps the phase-out line of a restriction at `p`,
    /// one of its ancestors.
    fn line_slot(&self, o: usize, p: usize, st: &RunState) -> usize {
        let j = self.op_ancestors[o]
            .iter()
            .position(|&q| q == p)
            .expect("p is an ancestor");
        st.line_offset[o] + j
    }

    /// The lowest phase-out line over the operator's restrictions, for legacy
    /// and 5G (infinity where none binds). An adoption in step k0 counts from
    /// the start of k0, so at step k (k - k0 + 1)·Δt years have elapsed.
    fn phase_out_lines(&self, o: usize, k: usize, st: &RunState) -> (f64, f64) {
        let mut lines = (f64::INFINITY, f64::INFINITY);
        for j in 0..self.op_ancestors[o].len() {
            let slot = st.line_offset[o] + j;
            if !st.line_on[slot] {
                continue;
            }
            let years = st.line_years[slot];
            let left = if years <= 0.0 {
                0.0
            } else {
                let elapsed = (k - st.line_step[slot] + 1) as f64 * self.dt;
                (1.0 - elapsed / years).max(0.0)
            };
            lines.0 = lines.0.min(st.line_h_legacy[slot] * left);
            lines.1 = lines.1.min(st.line_h_5g[slot] * left);
        }
        lines
    }

    /// The vendor-choice logit of operator `o` without its incumbency term:
    /// the same for every purchase the operator makes in a step, so computed
    /// once. (A bound operator buys trusted whatever its logit; callers check.)
    fn logit_base(&self, o: usize, st: &RunState) -> f64 {
        let par = |id: P| st.param[id as usize];
        let p = self.scenario.operators[o].polity;
        par(P::B0) + par(P::BPrice) * st.price[o]
            - par(P::BOrient) * (st.w_eff[p] - 0.5)
            - par(P::BOwner) * (st.owner_alignment[o] - 0.5)
            + par(P::BLeverage) * st.leverage[p]
            - par(P::BIncident) * st.incident[p]
    }

    /// The vendor-choice logit of a purchase by an operator with logit base
    /// `base` whose installed base of this generation is `h` high-risk; its
    /// logistic is the probability the purchase goes to a high-risk vendor.
    fn logit(base: f64, h: f64, st: &RunState) -> f64 {
        base + st.param[P::BIncumbent as usize] * (h - 0.5)
    }

    /// Market share of the country's operators bound by a restriction; with
    /// no operators, whether the country itself has one.
    fn country_restriction(&self, c: usize, st: &RunState) -> f64 {
        let group = &self.groups[self.country_group[c].clone()];
        if group.is_empty() {
            return f64::from(u8::from(st.restricted[c]));
        }
        group
            .iter()
            .filter(|(o, _)| st.bound[*o])
            .map(|(_, w)| w)
            .sum()
    }

    /// The values of every series at the current point: the operator-level
    /// metrics per operator first, then the plan's copies, weighted means and
    /// polity values. A new metric's model code goes here.
    fn record(&self, st: &mut RunState) {
        const TRUSTED_SHARE: usize = Metric::TrustedShare.network_row();
        const TRUSTED_PROCUREMENT: usize = Metric::TrustedProcurement.network_row();
        const HR_5G: usize = Metric::Hr5g.network_row();
        const COST_PREMIUM: usize = Metric::CostPremium.network_row();
        const LAUNCHED_5G: usize = Metric::Launched5g.network_row();
        let operators = self.scenario.operators.len();
        for o in 0..operators {
            let g = st.g5[o];
            let (hl, h5) = (st.h_legacy[o], st.h_5g[o]);
            st.op_metric[TRUSTED_SHARE][o] = (1.0 - g) * (1.0 - hl) + g * (1.0 - h5);
            let base = self.logit_base(o, st);
            st.logits[o] = Self::logit(base, (1.0 - g) * hl + g * h5, st);
            st.op_metric[HR_5G][o] = if st.launched[o] { h5 } else { 0.0 };
            st.op_metric[COST_PREMIUM][o] = st.premium[o];
            st.op_metric[LAUNCHED_5G][o] = f64::from(u8::from(st.launched[o]));
        }
        logistic_in_place(&mut st.logits[..st.lanes]);
        for o in 0..operators {
            let p = if st.bound[o] {
                0.0
            } else if st.vendor[o] == [None, None] {
                st.logits[o]
            } else {
                // With a decision for one generation, the flow is each
                // generation's own probability weighted by its traffic.
                let base = self.logit_base(o, st);
                let [legacy, g5] = st.vendor[o];
                let pick = |d: Option<f64>, h: f64| {
                    d.unwrap_or_else(|| super::logistic(Self::logit(base, h, st)))
                };
                let g = st.g5[o];
                (1.0 - g) * pick(legacy, st.h_legacy[o]) + g * pick(g5, st.h_5g[o])
            };
            st.op_metric[TRUSTED_PROCUREMENT][o] = 1.0 - p;
        }
        let plan = &self.record_plan;
        let values = &mut st.values;
        for &(s, m, o) in &plan.copies {
            values[s] = st.op_metric[m][o];
        }
        for (range, series) in &plan.groups {
            // The same additions, in the same order, as `Iterator::sum` (which starts at -0.0).
            let mut acc = [-0.0f64; NETWORK_METRICS];
            for &(o, w) in &self.groups[range.clone()] {
                for (a, metric) in acc.iter_mut().zip(&st.op_metric) {
                    *a += w * metric[o];
                }
            }
            for (&s, a) in series.iter().zip(acc) {
                values[s] = a;
            }
        }
        for r in &plan.polity {
            let all = || r.countries.iter().chain(&r.polities);
            match r.metric {
                Metric::Orientation => all().for_each(|&(s, p)| values[s] = st.w_report[p]),
                Metric::EuStage => all().for_each(|&(s, p)| values[s] = f64::from(st.eu_stage[p])),
                Metric::Restriction => {
                    // A country: the market share bound (its own flag
                    // without operators); a sub-polity: in force at it or above.
                    for &(s, c) in &r.countries {
                        values[s] = st.country_bound[c];
                    }
                    for &(s, p) in &r.polities {
                        values[s] = f64::from(u8::from(st.in_force[p]));
                    }
                }
                Metric::Alignment => {
                    // Runs after the groups above, so a polity's
                    // trusted_procurement is already in `values`.
                    for &(s, p) in r.countries.iter() {
                        let law = st.country_bound[p];
                        values[s] = alignment(
                            law,
                            st.w_eff[p],
                            self.procurement_series[p].map(|t| values[t]),
                        );
                    }
                    for &(s, p) in r.polities.iter() {
                        let law = f64::from(u8::from(st.in_force[p]));
                        values[s] = alignment(
                            law,
                            st.w_eff[p],
                            self.procurement_series[p].map(|t| values[t]),
                        );
                    }
                }
                Metric::TrustedShare
                | Metric::TrustedProcurement
                | Metric::Hr5g
                | Metric::CostPremium
                | Metric::Launched5g => {
                    unreachable!("operator-level metrics are recorded per operator above")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// One generator behind every name: enough to drive a path in a test.
    struct OneStream(ChaCha8Rng);

    impl RandomSource for OneStream {
        type R = ChaCha8Rng;
        fn process(&mut self, _: usize) -> &mut ChaCha8Rng {
            &mut self.0
        }
        fn quantity(&mut self, _: usize) -> &mut ChaCha8Rng {
            &mut self.0
        }
    }

    #[test]
    fn record_computes_every_catalogued_metric_of_every_series() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/baseline.toml"
        ));
        let world = World::new(crate::scenario::load(path).expect("the baseline loads"));
        let mut st = RunState::new(&world);
        let mut src = OneStream(ChaCha8Rng::seed_from_u64(5));
        world.init(&mut src, &mut st);
        for k in 0..3 {
            world.step(k, &mut src, &mut st);
        }
        for row in &mut st.op_metric {
            row.fill(f64::NAN);
        }
        st.values.fill(f64::NAN);
        world.record(&mut st);
        let network =
            crate::model::Metric::all().filter(|m| m.spec().level == crate::model::Level::Operator);
        for (metric, values) in network.zip(&st.op_metric) {
            assert!(
                values.iter().all(|x| !x.is_nan()),
                "`{}` is in the catalogue but `record` does not compute it per operator",
                metric.name()
            );
        }
        for (spec, x) in world.series().iter().zip(&st.values) {
            assert!(
                !x.is_nan(),
                "{} of {} is not recorded",
                spec.metric.name(),
                spec.entity
            );
        }
        let specs = world.series();
        assert!(
            crate::model::Metric::all().all(|m| specs.iter().any(|s| s.metric == m)),
            "the baseline reports every metric"
        );
    }

    #[test]
    fn recording_fewer_points_leaves_the_path_as_it_was() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/serbia-5g.toml"
        ));
        let world = World::new(crate::scenario::load(path).expect("serbia-5g loads"));
        let points = world.points();
        let mut at = vec![false; points];
        for j in [3, points / 2, points - 1] {
            at[j] = true;
        }
        let mut st = RunState::new(&world);
        for seed in 0..20 {
            let mut all = Vec::new();
            let mut src = OneStream(ChaCha8Rng::seed_from_u64(seed));
            world.run(&mut src, &mut st, &mut |j, row| {
                if at[j] {
                    all.push((j, row.iter().map(|x| x.to_bits()).collect::<Vec<_>>()));
                }
            });
            let mut some = Vec::new();
            let mut src = OneStream(ChaCha8Rng::seed_from_u64(seed));
            world.run_at(&mut src, &mut st, &at, &mut |j, row| {
                some.push((j, row.iter().map(|x| x.to_bits()).collect::<Vec<_>>()));
            });
            assert_eq!(all, some, "seed {seed}");
        }
    }

    #[test]
    fn skipping_the_exp_never_changes_a_decision() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200_000 {
            let u = unit(&mut rng);
            // Rates over ten orders of magnitude, steps from a month to a year,
            // and uniforms pushed right against the threshold.
            let rate = 10f64.powf(unit(&mut rng) * 10.0 - 6.0);
            let dt = [1.0 / 12.0, 0.25, 0.5, 1.0][(rng.next_u32() % 4) as usize];
            let exact = hazard_probability(rate, dt);
            for v in [
                u,
                exact,
                exact * (1.0 - 1e-15),
                exact * (1.0 + 1e-15),
                rate * dt,
            ] {
                assert_eq!(
                    happens(v, rate, dt),
                    v < exact,
                    "u {v}, rate {rate}, dt {dt}"
                );
            }
        }
    }
}
