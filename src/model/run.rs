//! Monte Carlo paths: sample each run's world, then step it, sub-step by
//! sub-step as DESIGN.md's resolved details order them.
//!
//! Every per-step process draws a fixed number of values each step whatever
//! happens (a bound operator still draws its procurement uniforms), so two
//! scenarios that differ in one shock keep every other draw paired.
//!
//! The state holds `L` runs side by side (`RunState<L>`: every field is
//! per lane), so that the arithmetic of a step — orientations, the law
//! hazard's `exp`, the purchase logits and the installed base — runs on all
//! lanes at once. Each lane reads its own run's streams and does, value for
//! value, the operations a lone run does, in the same order: a run's bytes
//! do not depend on the lanes it shared (tested against `L = 1`). What
//! happens in some lanes only (an election, a law, an EU step, a shock) is
//! done lane by lane.

use super::diary::{Diary, Event};
use super::math::{exp, logistic, logistic_in_place, logistic_plain};
use super::metrics::{Metric, NETWORK_METRICS};
use super::{RandomSource, Scope, World, hazard_probability};

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

/// A value per lane.
type F<const L: usize> = [f64; L];
/// A flag per lane.
type B<const L: usize> = [bool; L];

/// `Some(x)` as x, `None` as NaN: a documented decision per lane in a form
/// the lanes can select on. A documented share is a number in [0, 1]
/// (validated), so NaN is free to mean "none".
#[inline(always)]
fn or_nan(d: Option<f64>) -> f64 {
    d.unwrap_or(f64::NAN)
}

/// A polity's state in every lane.
#[derive(Clone, Copy)]
struct PolityLanes<const L: usize> {
    w: F<L>,
    w_target: F<L>,
    w_eff: F<L>,
    w_report: F<L>,
    leverage: F<L>,
    incident: F<L>,
    pressure: F<L>,
    /// Per-step probability of a background government change (constant in a run).
    p_election: F<L>,
    eu_pace: F<L>,
    restricted: B<L>,
    /// Its country is a NATO member.
    nato: B<L>,
    /// For a country: the market share of its operators bound by a
    /// restriction, and whether every one of them is. Counted, not read
    /// off the share: normalised shares need not add to exactly 1
    /// (Montenegro's add to 0.9999999999999999). Both refreshed with
    /// `OperatorLanes::bound`.
    country_bound: F<L>,
    all_bound: B<L>,
    /// A restriction in force at it or an ancestor (refreshed with `bound`).
    in_force: B<L>,
    eu_stage: [u8; L],
    /// The step in which its country entered its current EU stage (0 for
    /// the stage it starts in).
    stage_since: [usize; L],
    u_restriction: F<L>,
    u_eu: F<L>,
}

/// An operator's state in every lane.
#[derive(Clone, Copy)]
struct OperatorLanes<const L: usize> {
    /// Price advantage in force for its purchases (moves with `price`
    /// shocks, everywhere or within their scope).
    price: F<L>,
    owner_alignment: F<L>,
    /// Documented vendor decisions (legacy, 5G): the high-risk fraction of
    /// its purchases, NaN where none is documented (the purchase is drawn).
    vendor: [F<L>; 2],
    h_legacy: F<L>,
    h_5g: F<L>,
    g5: F<L>,
    /// Share of the network refreshed per step, min(Δt/T, 1), and the 5G ramp
    /// per step, Δt/R: constant in a run, so divided once.
    refresh_per_step: F<L>,
    ramp_per_step: F<L>,
    premium: F<L>,
    launched: B<L>,
    launch_pending: B<L>,
    /// Bound by a restriction at its polity or above (refreshed whenever
    /// a restriction flag changes).
    bound: B<L>,
    /// How many of its phase-out lines are on (most have none, and then
    /// its phase-out needs no look at its lines).
    lines_on: [u32; L],
}

/// A phase-out line: one per (operator, ancestor), at `line_offset[o] + j`.
#[derive(Clone, Copy)]
struct LineLanes<const L: usize> {
    line_on: B<L>,
    line_h_legacy: F<L>,
    line_h_5g: F<L>,
    line_step: [usize; L],
    line_years: F<L>,
}

/// A shock's draws and whether it fired, in every lane.
#[derive(Clone, Copy)]
struct ShockLanes<const L: usize> {
    shock_step: [Option<usize>; L],
    shock_value: F<L>,
    fired: B<L>,
}

/// The mutable state of `L` runs (one run by default); allocated once per
/// worker and reused. Each polity, operator, line and shock keeps its
/// lanes together, so a step finds an entity's state behind one index.
pub struct RunState<const L: usize = 1> {
    param: [F<L>; PARAM_COUNT],
    pol: Vec<PolityLanes<L>>,
    op: Vec<OperatorLanes<L>>,
    line_offset: Vec<usize>,
    line: Vec<LineLanes<L>>,
    shock: Vec<ShockLanes<L>>,
    incident_decay: F<L>,
    /// Once an incident has happened; until then decay is skipped.
    any_incident: B<L>,
    /// Per lane, per-run counts, in [`World::event_names`] order.
    events: [Vec<u64>; L],
    /// Per lane, the run's events in order, when asked for (`keep_diary`).
    diary: [Option<Diary>; L],
    /// Scratch: the purchase logits, then probabilities, of every operator
    /// and lane, legacy in `[0, half)` at `o·L + l` and 5G in
    /// `[half, 2·half)`, where `half` is `operators·L` rounded up to 4 so
    /// the batch has no odd tail.
    logits: Vec<f64>,
    half: usize,
    /// Per-operator metrics of the current point, one row per operator-level
    /// metric of the catalogue (`Metric::network_row`).
    op_metric: [Vec<F<L>>; NETWORK_METRICS],
    /// Per lane, the values of every computed series at the current point;
    /// the first `recorded` are the recorded ones.
    values: [Vec<f64>; L],
    recorded: usize,
}

impl RunState<1> {
    /// The state of one run at a time.
    pub fn new(world: &World) -> RunState<1> {
        RunState::lanes(world)
    }

    /// The values of every recorded series at the current point, in
    /// [`World::series`] order.
    pub fn values(&self) -> &[f64] {
        self.values_of(0)
    }

    /// The sampled inputs of the run, in [`World::input_names`] order.
    pub fn inputs(&self) -> impl Iterator<Item = f64> + '_ {
        self.inputs_of(0)
    }

    /// What happened in the run just finished: each shock (0 or 1), then per
    /// polity the count of each of [`EVENT_KINDS`].
    pub fn events(&self) -> &[u64] {
        self.events_of(0)
    }

    /// Per shock, the step it fired in (None: it did not fire).
    pub fn fired_steps(&self) -> impl Iterator<Item = Option<usize>> + '_ {
        self.fired_steps_of(0)
    }

    /// The events of the run just finished, if a diary is kept.
    pub fn diary(&self) -> Option<&Diary> {
        self.diary[0].as_ref()
    }
}

impl<const L: usize> RunState<L> {
    /// The state of `L` runs side by side.
    pub fn lanes(world: &World) -> RunState<L> {
        let n = world.scenario.polities.len();
        let m = world.scenario.operators.len();
        let s = world.scenario.shocks.len();
        let mut line_offset = Vec::with_capacity(m);
        let mut lines = 0;
        for anc in &world.op_ancestors {
            line_offset.push(lines);
            lines += anc.len();
        }
        let half = (m * L).div_ceil(4) * 4;
        let (zero, no) = ([0.0; L], [false; L]);
        RunState {
            param: [[0.0; L]; PARAM_COUNT],
            pol: vec![
                PolityLanes {
                    w: zero,
                    w_target: zero,
                    w_eff: zero,
                    w_report: zero,
                    leverage: zero,
                    incident: zero,
                    pressure: zero,
                    p_election: zero,
                    eu_pace: [1.0; L],
                    restricted: no,
                    nato: no,
                    country_bound: zero,
                    all_bound: no,
                    in_force: no,
                    eu_stage: [0; L],
                    stage_since: [0; L],
                    u_restriction: zero,
                    u_eu: zero,
                };
                n
            ],
            op: vec![
                OperatorLanes {
                    price: zero,
                    owner_alignment: zero,
                    vendor: [[f64::NAN; L]; 2],
                    h_legacy: zero,
                    h_5g: zero,
                    g5: zero,
                    refresh_per_step: zero,
                    ramp_per_step: zero,
                    premium: zero,
                    launched: no,
                    launch_pending: no,
                    bound: no,
                    lines_on: [0; L],
                };
                m
            ],
            line_offset,
            line: vec![
                LineLanes {
                    line_on: no,
                    line_h_legacy: zero,
                    line_h_5g: zero,
                    line_step: [0; L],
                    line_years: zero,
                };
                lines
            ],
            shock: vec![
                ShockLanes {
                    shock_step: [None; L],
                    shock_value: zero,
                    fired: no,
                };
                s
            ],
            incident_decay: [1.0; L],
            any_incident: no,
            events: std::array::from_fn(|_| vec![0; s + EVENT_KINDS.len() * n]),
            diary: std::array::from_fn(|_| None),
            logits: vec![0.0; 2 * half],
            half,
            op_metric: std::array::from_fn(|_| vec![[0.0; L]; m]),
            values: std::array::from_fn(|_| vec![0.0; world.computed]),
            recorded: world.series().len(),
        }
    }

    /// Lane `l`'s values of every recorded series at the current point, in
    /// [`World::series`] order.
    pub fn values_of(&self, l: usize) -> &[f64] {
        &self.values[l][..self.recorded]
    }

    /// Lane `l`'s sampled inputs, in [`World::input_names`] order.
    pub fn inputs_of(&self, l: usize) -> impl Iterator<Item = f64> + '_ {
        self.param.iter().map(move |p| p[l]).chain(
            self.shock
                .iter()
                .map(move |x| f64::from(u8::from(x.fired[l]))),
        )
    }

    /// What happened in lane `l`'s run: each shock (0 or 1), then per
    /// polity the count of each of [`EVENT_KINDS`].
    pub fn events_of(&self, l: usize) -> &[u64] {
        &self.events[l]
    }

    /// Per shock, the step it fired in lane `l` (None: it did not fire).
    pub fn fired_steps_of(&self, l: usize) -> impl Iterator<Item = Option<usize>> + '_ {
        self.shock
            .iter()
            .map(move |x| if x.fired[l] { x.shock_step[l] } else { None })
    }

    /// Record every event of the following runs in a diary.
    pub fn keep_diary(&mut self) {
        self.diary = std::array::from_fn(|_| Some(Diary::default()));
    }

    #[inline]
    fn note(&mut self, l: usize, event: Event) {
        if let Some(d) = &mut self.diary[l] {
            d.push(event);
        }
    }

    /// Parameter `id` in every lane.
    #[inline(always)]
    fn par(&self, id: P) -> F<L> {
        self.param[id as usize]
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
        let scope = self.everything();
        self.run_recording(
            std::array::from_mut(src),
            st,
            scope,
            |_| true,
            &mut |_, j, v| sink(j, v),
        );
    }

    /// Run `L` paths side by side, lane `l` reading `srcs[l]`, stepping
    /// only what `scope` holds, recording only at the points `j` where
    /// `at[j]` and calling `sink(l, j, values)` for each lane there: an
    /// outcome read at the horizon needs one point of the path's 45, and
    /// recording is about a third of a path's cost. Lane `l`'s values of
    /// the series in `scope` are those `run` gives for `srcs[l]` alone, to
    /// the bit (nothing the steps read is written by `record`); the other
    /// series' values are wrong, and must not be read.
    pub fn run_lanes_at<S: RandomSource, const L: usize>(
        &self,
        srcs: &mut [S; L],
        st: &mut RunState<L>,
        at: &[bool],
        scope: &Scope,
        sink: &mut impl FnMut(usize, usize, &[f64]),
    ) {
        debug_assert_eq!(at.len(), self.points());
        #[cfg(target_arch = "x86_64")]
        if L > 1 && std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU reported AVX2.
            unsafe { self.run_lanes_avx2(srcs, st, at, scope, sink) };
            return;
        }
        self.run_recording(srcs, st, scope, |j| at[j], sink);
    }

    /// `run_lanes_at` compiled for AVX2, so that four lanes are one
    /// register (the crate is built for any x86-64). No fused
    /// multiply-add: the same operations, so the same bits, as without.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_lanes_avx2<S: RandomSource, const L: usize>(
        &self,
        srcs: &mut [S; L],
        st: &mut RunState<L>,
        at: &[bool],
        scope: &Scope,
        sink: &mut impl FnMut(usize, usize, &[f64]),
    ) {
        self.run_recording(srcs, st, scope, |j| at[j], sink);
    }

    #[inline(always)]
    fn run_recording<S: RandomSource, const L: usize>(
        &self,
        srcs: &mut [S; L],
        st: &mut RunState<L>,
        scope: &Scope,
        wanted: impl Fn(usize) -> bool,
        sink: &mut impl FnMut(usize, usize, &[f64]),
    ) {
        for (l, src) in srcs.iter_mut().enumerate() {
            self.init(l, src, st);
        }
        self.refresh_all(st, scope);
        let mut emit = |j: usize, st: &mut RunState<L>| {
            self.record(st);
            for l in 0..L {
                sink(l, j, st.values_of(l));
            }
        };
        if wanted(0) {
            emit(0, st);
        }
        for k in 0..self.steps {
            self.step(k, srcs, st, scope);
            if wanted(k + 1) {
                emit(k + 1, st);
            }
        }
    }

    /// Sample lane `l`'s world from its streams.
    fn init<S: RandomSource, const L: usize>(&self, l: usize, src: &mut S, st: &mut RunState<L>) {
        let sc = &self.scenario;
        // A plain number needs no region of its own.
        for (j, d) in sc.parameters.iter().enumerate() {
            st.param[j][l] = match d {
                Dist::Const(x) => *x,
                Dist::Random(r) => r.sample(src.quantity(self.param_quantity[j])),
            };
        }
        let par = |id: P| st.param[id as usize][l];
        let price = par(P::PriceAdvantage);
        let refresh_default = par(P::RefreshYears);
        let rollout_default = par(P::RolloutYears);
        let half_life = par(P::IncidentHalfLife);
        // 0.5^(Δt/half-life), with the model's own exp.
        st.incident_decay[l] = exp(-std::f64::consts::LN_2 * (self.dt / half_life));
        for op in &mut st.op {
            op.price[l] = price;
        }
        st.any_incident[l] = false;
        for (p, pol) in sc.polities.iter().enumerate() {
            let r = src.quantity(self.polity_streams[p].init);
            let w = pol.orientation.sample(r);
            st.pol[p].w[l] = w;
            st.pol[p].w_target[l] = match &pol.target {
                Some(t) => t.sample(r),
                None => w,
            };
            st.pol[p].leverage[l] = pol.china_leverage.sample(r);
            let election_hazard = pol.election_hazard.sample(r);
            st.pol[p].p_election[l] = hazard_probability(election_hazard, self.dt);
            st.pol[p].eu_pace[l] = pol.eu_pace.sample(r);
            st.pol[p].pressure[l] = pol.pressure;
            st.pol[p].incident[l] = 0.0;
            st.pol[p].restricted[l] = pol.restriction;
            st.pol[p].eu_stage[l] = sc.polities[self.root[p]].eu_stage;
            st.pol[p].stage_since[l] = 0;
            st.pol[p].nato[l] = sc.polities[self.root[p]].nato;
            st.pol[p].w_eff[l] = w;
            st.pol[p].w_report[l] = w;
        }
        for (o, op) in sc.operators.iter().enumerate() {
            let r = src.quantity(self.operator_streams[o].init);
            st.op[o].owner_alignment[l] = op.owner_alignment.sample(r);
            for (slot, d) in st.op[o].vendor.iter_mut().zip(op.vendor) {
                slot[l] = or_nan(d.map(|x| f64::from(u8::from(x))));
            }
            st.op[o].h_legacy[l] = op.hr_legacy.sample(r);
            let h5 = op.hr_5g.sample(r);
            let g5 = op.g5_weight.sample(r);
            st.op[o].g5[l] = g5;
            let refresh_years = op
                .refresh_years
                .as_ref()
                .map_or(refresh_default, |d| d.sample(r));
            let rollout_years = op
                .rollout_years
                .as_ref()
                .map_or(rollout_default, |d| d.sample(r));
            st.op[o].refresh_per_step[l] = (self.dt / refresh_years).min(1.0);
            st.op[o].ramp_per_step[l] = self.dt / rollout_years;
            let launched = g5 > 0.0;
            st.op[o].launched[l] = launched;
            st.op[o].h_5g[l] = if launched { h5 } else { 0.0 };
            st.op[o].premium[l] = 0.0;
            st.op[o].launch_pending[l] = false;
            st.op[o].lines_on[l] = 0;
        }
        for line in &mut st.line {
            line.line_on[l] = false;
        }
        st.events[l].fill(0);
        if let Some(d) = &mut st.diary[l] {
            d.clear();
        }
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
            st.shock[i].shock_value[l] = match shock.effect.drawn() {
                Drawn::Nothing => 0.0,
                Drawn::Dist(d) => d.sample(r),
                Drawn::OrParameter(d, param) => {
                    d.map_or(st.param[param as usize][l], |d| d.sample(r))
                }
            };
            st.shock[i].shock_step[l] = if fires { sc.grid.step_of(month) } else { None };
            st.shock[i].fired[l] = false;
        }
    }

    /// What `init` leaves to every lane at once: the parents' orientations
    /// and the restrictions' reach.
    fn refresh_all<const L: usize>(&self, st: &mut RunState<L>, scope: &Scope) {
        self.aggregate_parents(st, scope);
        for l in 0..L {
            self.refresh_bound(l, st);
        }
    }

    /// A parent's effective orientation is the minimum of its children's
    /// (consensus); its reported orientation their weighted mean.
    #[inline(always)]
    fn aggregate_parents<const L: usize>(&self, st: &mut RunState<L>, scope: &Scope) {
        for &p in &scope.parents_bottom_up {
            let kids = &self.children[p];
            let mut lowest = [f64::INFINITY; L];
            for &c in kids {
                for (a, x) in lowest.iter_mut().zip(st.pol[c].w_eff) {
                    *a = f64::min(*a, x);
                }
            }
            st.pol[p].w_eff = lowest;
            let weight = |c: usize| self.scenario.polities[c].weight;
            let total: f64 = kids.iter().map(|&c| weight(c)).sum();
            // The same additions, in the same order, as `Iterator::sum`
            // (which starts at -0.0).
            let mut acc = [-0.0f64; L];
            if total > 0.0 {
                for &c in kids {
                    for (a, x) in acc.iter_mut().zip(st.pol[c].w_report) {
                        *a += weight(c) * x;
                    }
                }
                st.pol[p].w_report = acc.map(|a| a / total);
            } else {
                for &c in kids {
                    for (a, x) in acc.iter_mut().zip(st.pol[c].w_report) {
                        *a += x;
                    }
                }
                st.pol[p].w_report = acc.map(|a| a / kids.len() as f64);
            }
        }
    }

    #[inline(always)]
    fn step<S: RandomSource, const L: usize>(
        &self,
        k: usize,
        srcs: &mut [S; L],
        st: &mut RunState<L>,
        scope: &Scope,
    ) {
        let sc = &self.scenario;
        let dt = self.dt;
        let (kappa, sigma) = (st.par(P::Kappa), st.par(P::Sigma));

        for d in st.diary.iter_mut().flatten() {
            d.step = k;
        }
        // 1. Scheduled shocks, in file order.
        for i in 0..sc.shocks.len() {
            for (l, src) in srcs.iter_mut().enumerate() {
                if st.shock[i].shock_step[l] == Some(k)
                    && sc.shocks[i].requires.is_none_or(|q| st.shock[q].fired[l])
                {
                    st.shock[i].fired[l] = true;
                    st.events[l][i] = 1;
                    st.note(l, Event::Shock(i));
                    self.apply_shock(i, k, l, src, st);
                }
            }
        }

        // 2-3. Elections and orientation, leaves only; every polity draws alike.
        for &p in &scope.polities {
            let mut u_election = [0.0; L];
            let mut noise = [0.0; L];
            for (l, src) in srcs.iter_mut().enumerate() {
                let r = src.process(self.polity_streams[p].step);
                u_election[l] = unit(r);
                noise[l] = StandardNormal.sample(r);
                st.pol[p].u_restriction[l] = unit(r);
                st.pol[p].u_eu[l] = unit(r);
            }
            if !self.children[p].is_empty() {
                continue;
            }
            for (l, src) in srcs.iter_mut().enumerate() {
                if u_election[l] < st.pol[p].p_election[l] {
                    self.count(st, l, p, 0);
                    st.pol[p].w_target[l] = sc.polities[p]
                        .swing
                        .sample(src.process(self.polity_streams[p].swing));
                }
            }
            let (w, target) = (st.pol[p].w, st.pol[p].w_target);
            let mut moved = [0.0; L];
            for l in 0..L {
                let x = w[l] + kappa[l] * (target[l] - w[l]) * dt + sigma[l] * dt.sqrt() * noise[l];
                moved[l] = x.clamp(0.0, 1.0);
            }
            st.pol[p].w = moved;
            st.pol[p].w_eff = moved;
            st.pol[p].w_report = moved;
        }
        self.aggregate_parents(st, scope);

        // 4. Restriction adoption or repeal, decided on the state at its start.
        let (repeal_hazard, law_hazard) = (st.par(P::RepealHazard), st.par(P::LawHazard));
        let (g_w, g_nato, g_eu, g_pressure) = (
            st.par(P::GW),
            st.par(P::GNato),
            st.par(P::GEu),
            st.par(P::GPressure),
        );
        let (unpushed, law_push, conditionality) = (
            st.par(P::LawUnpushed),
            st.par(P::LawPush),
            st.par(P::EuConditionality),
        );
        let phase_out_years = st.par(P::PhaseOutYears);
        for &p in &scope.polities {
            // Telecoms regulation is national (in BiH a state-level
            // competence under the consensus rule, the report's
            // constitutional setup): an entity's own flag moves only by
            // a shock.
            let country = self.parent[p].is_none();
            let mut law_rate = [0.0; L];
            if country {
                // A law needs a push from outside (a US MoU, EU conditionality
                // that blocks accession, an incident) acting on a willing
                // government; orientation alone gives only `law_unpushed`.
                // Worked out in every lane, used in those without a law.
                for (l, rate) in law_rate.iter_mut().enumerate() {
                    let nato = f64::from(u8::from(st.pol[p].nato[l]));
                    let stage = st.pol[p].eu_stage[l];
                    let conditional = (3..=4).contains(&stage) && !st.pol[p].all_bound[l];
                    let pressure = st.pol[p].pressure[l];
                    let push = pressure
                        + if conditional { conditionality[l] } else { 0.0 }
                        + st.pol[p].incident[l];
                    *rate = law_hazard[l]
                        * exp(g_w[l] * (st.pol[p].w_eff[l] - 0.5)
                            + g_nato[l] * nato
                            + g_eu[l] * f64::from(stage) / 5.0
                            + g_pressure[l] * pressure)
                        * (unpushed[l] + law_push[l] * push);
                }
            }
            for l in 0..L {
                let u = st.pol[p].u_restriction[l];
                if st.pol[p].restricted[l] {
                    let rate = repeal_hazard[l] * (1.0 - st.pol[p].w_eff[l]);
                    if happens(u, rate, dt) {
                        self.repeal(p, l, st);
                    }
                } else if country && happens(u, law_rate[l], dt) {
                    self.adopt(p, l, k, phase_out_years[l], st);
                }
            }
        }

        // 5. EU accession steps, per country.
        for &c in &scope.countries {
            self.eu_step(c, k, st);
        }

        // 6. Procurement, 5G launches, phase-out, cost. Each operator's
        // purchase probabilities depend on its own state only, so they are
        // computed for all operators and lanes first, in one vectorised pass.
        let incumbent = st.par(P::BIncumbent);
        let half = st.half;
        for &o in &scope.operators {
            let base = self.logit_base(o, st);
            for l in 0..L {
                // A launch's one main-vendor decision follows the 4G vendor.
                let h_5g = if st.op[o].launched[l] {
                    st.op[o].h_5g[l]
                } else {
                    st.op[o].h_legacy[l]
                };
                st.logits[o * L + l] = logit(base[l], incumbent[l], st.op[o].h_legacy[l]);
                st.logits[half + o * L + l] = logit(base[l], incumbent[l], h_5g);
            }
        }
        if L >= 4 {
            // An operator's lanes fill a register: leave out the operators
            // whose purchases need no probability in any lane (bound, a
            // documented vendor, 5G neither launched nor due). Their
            // entries stay logits, which nothing reads.
            for &o in &scope.operators {
                let op = &st.op[o];
                let drawn = |l: usize, g: usize| !op.bound[l] && op.vendor[g][l].is_nan();
                if (0..L).any(|l| drawn(l, 0)) {
                    logistic_plain(&mut st.logits[o * L..(o + 1) * L]);
                }
                if (0..L).any(|l| drawn(l, 1) && (op.launched[l] || op.launch_pending[l])) {
                    logistic_plain(&mut st.logits[half + o * L..half + (o + 1) * L]);
                }
            }
        } else {
            logistic_in_place(&mut st.logits);
        }
        for &o in &scope.operators {
            let mut u_legacy = [0.0; L];
            let mut u_5g = [0.0; L];
            for (l, src) in srcs.iter_mut().enumerate() {
                let r = src.process(self.operator_streams[o].step);
                (u_legacy[l], u_5g[l]) = (unit(r), unit(r));
            }
            self.procure(o, k, &u_legacy, &u_5g, st);
        }

        // 7. Incidents fade.
        for l in 0..L {
            if st.any_incident[l] {
                let decay = st.incident_decay[l];
                for pol in &mut st.pol {
                    pol.incident[l] *= decay;
                }
            }
        }
    }

    /// Country `c`'s EU accession step in every lane whose hazard fires.
    #[inline(always)]
    fn eu_step<const L: usize>(&self, c: usize, k: usize, st: &mut RunState<L>) {
        let (gamma, hazard, conditionality, min_years) = (
            st.par(P::EuGamma),
            st.par(P::EuHazard),
            st.par(P::EuConditionality),
            st.par(P::EuMinAccessionYears),
        );
        // Each stage has its own pace; membership also needs every
        // chapter closed and the accession treaty ratified, which take a
        // minimum time however willing the country.
        let stage_rates = [
            st.par(P::EuRateCandidate),
            st.par(P::EuRateNegotiations),
            st.par(P::EuRateClusters),
            st.par(P::EuRateClosing),
            st.par(P::EuRateAccession),
        ];
        let pol = &st.pol[c];
        let mut open = [false; L];
        let mut rate = [0.0; L];
        for l in 0..L {
            let stage = pol.eu_stage[l];
            let waited = (k - pol.stage_since[l]) as f64 * self.dt;
            open[l] = stage < 5 && !(stage == 4 && waited < min_years[l] - 1e-9);
            let w_eff = pol.w_eff[l];
            let g = gamma[l];
            // Integer exponents (the usual 1 or 2) need no `powf`; 1 and 2
            // are the products `powi` computes, without its call.
            let w_gamma = if g == 1.0 {
                w_eff
            } else if g == 2.0 {
                w_eff * w_eff
            } else {
                other_power(w_eff, g)
            };
            let mut r =
                hazard[l] * stage_rates[usize::from(stage.min(4))][l] * w_gamma * pol.eu_pace[l];
            if (3..=4).contains(&stage) && !pol.all_bound[l] {
                r *= 1.0 - conditionality[l];
            }
            rate[l] = r;
        }
        for l in 0..L {
            if open[l] && happens(st.pol[c].u_eu[l], rate[l], self.dt) {
                let stage = st.pol[c].eu_stage[l];
                self.count(st, l, c, 1);
                self.set_stage(c, stage + 1, k, l, st);
            }
        }
    }

    /// Operator `o`'s purchases in step `k`, in every lane, given the
    /// purchase probabilities in `st.logits` and the step's uniforms.
    #[inline(always)]
    fn procure<const L: usize>(
        &self,
        o: usize,
        k: usize,
        u_legacy: &F<L>,
        u_5g: &F<L>,
        st: &mut RunState<L>,
    ) {
        let half = st.half;
        let refresh = st.op[o].refresh_per_step;
        let g_old = st.op[o].g5;
        let launched_before = st.op[o].launched;
        let h_legacy_before = st.op[o].h_legacy;
        let h_5g_before = st.op[o].h_5g;
        // A bound operator's probabilities are 0.
        let bound = st.op[o].bound;
        // A documented decision replaces the draw (the uniform is still
        // drawn, so every other draw stays paired). The high-risk fraction
        // of a purchase: 0 or 1 when drawn, the decided share (0 trusted,
        // 1 high-risk, or a split by region or layer) where a decision is
        // documented.
        let [decided_legacy, decided_5g] = st.op[o].vendor;
        let bought = |l: usize, decided: f64, u: f64, p: f64| {
            if bound[l] {
                0.0
            } else if decided.is_nan() {
                f64::from(u8::from(u < p))
            } else {
                decided
            }
        };
        let mut bought_legacy = [0.0; L];
        let mut bought_5g = [0.0; L];
        let mut h_legacy_refreshed = [0.0; L];
        let mut h_5g_refreshed = [0.0; L];
        for l in 0..L {
            bought_legacy[l] = bought(l, decided_legacy[l], u_legacy[l], st.logits[o * L + l]);
            h_legacy_refreshed[l] =
                (1.0 - refresh[l]) * h_legacy_before[l] + refresh[l] * bought_legacy[l];
            // Before the launch nothing is bought for 5G (the value is unused).
            bought_5g[l] = bought(l, decided_5g[l], u_5g[l], st.logits[half + o * L + l]);
            h_5g_refreshed[l] = if launched_before[l] {
                (1.0 - refresh[l]) * h_5g_before[l] + refresh[l] * bought_5g[l]
            } else {
                h_5g_before[l]
            };
        }
        for l in 0..L {
            if !launched_before[l] && st.op[o].launch_pending[l] {
                // One main-vendor decision; 5G usually follows the 4G vendor.
                h_5g_refreshed[l] = bought_5g[l];
                bought_5g[l] = 0.0;
                st.op[o].launched[l] = true;
                st.op[o].launch_pending[l] = false;
                st.note(
                    l,
                    Event::Launch {
                        operator: o,
                        high_risk: h_5g_refreshed[l],
                    },
                );
            }
        }
        let mut line_legacy = [f64::INFINITY; L];
        let mut line_5g = [f64::INFINITY; L];
        for l in 0..L {
            if st.op[o].lines_on[l] != 0 {
                (line_legacy[l], line_5g[l]) = self.phase_out_lines(o, k, l, st);
            }
        }
        let launched = st.op[o].launched;
        let (ramp, price) = (st.op[o].ramp_per_step, st.op[o].price);
        let premium = &mut st.op[o].premium;
        let mut h_legacy_new = [0.0; L];
        let mut h_5g_new = [0.0; L];
        let mut g_new = [0.0; L];
        for l in 0..L {
            h_legacy_new[l] = h_legacy_refreshed[l].min(line_legacy[l]);
            h_5g_new[l] = h_5g_refreshed[l].min(line_5g[l]);
            g_new[l] = if launched[l] {
                (g_old[l] + ramp[l]).min(1.0)
            } else {
                g_old[l]
            };
            let ripped = (1.0 - g_old[l]) * (h_legacy_refreshed[l] - h_legacy_new[l])
                + g_old[l] * (h_5g_refreshed[l] - h_5g_new[l]);
            let trusted_units = refresh[l] * (1.0 - g_old[l]) * (1.0 - bought_legacy[l])
                + if launched_before[l] {
                    refresh[l] * g_old[l] * (1.0 - bought_5g[l])
                } else {
                    0.0
                }
                + (g_new[l] - g_old[l]) * (1.0 - h_5g_new[l]);
            premium[l] += price[l] * trusted_units + (1.0 + price[l]) * ripped;
        }
        st.op[o].h_legacy = h_legacy_new;
        st.op[o].h_5g = h_5g_new;
        st.op[o].g5 = g_new;
    }

    fn apply_shock<S: RandomSource, const L: usize>(
        &self,
        i: usize,
        k: usize,
        l: usize,
        src: &mut S,
        st: &mut RunState<L>,
    ) {
        let sc = &self.scenario;
        let value = st.shock[i].shock_value[l];
        match &sc.shocks[i].effect {
            Effect::GovernmentChange(GovernmentChange {
                polity,
                target,
                jump,
            }) => {
                for &q in &self.subtree_polities[*polity] {
                    if !self.children[q].is_empty() {
                        continue;
                    }
                    self.count(st, l, q, 0);
                    st.pol[q].w_target[l] = match target {
                        Some(_) => value,
                        None => sc.polities[q]
                            .swing
                            .sample(src.process(self.polity_streams[q].swing)),
                    };
                    st.pol[q].w[l] += jump * (st.pol[q].w_target[l] - st.pol[q].w[l]);
                }
            }
            Effect::Auction(Auction { operators, .. }) => {
                for &o in operators {
                    if !st.op[o].launched[l] {
                        st.op[o].launch_pending[l] = true;
                    }
                }
            }
            Effect::EuStep(EuStep { polity, stages }) => {
                let root = self.root[*polity];
                let now = st.pol[root].eu_stage[l];
                let stage = (i32::from(now) + stages).clamp(0, 5) as u8;
                if stage != now {
                    self.count(st, l, root, 1);
                }
                self.set_stage(root, stage, k, l, st);
            }
            Effect::Restriction(Restriction { polity, .. }) => {
                if !st.pol[*polity].restricted[l] {
                    self.adopt(*polity, l, k, value, st);
                }
            }
            Effect::Repeal(Repeal { polity }) => {
                if st.pol[*polity].restricted[l] {
                    self.repeal(*polity, l, st);
                }
            }
            Effect::OwnershipChange(OwnershipChange { operator, .. }) => {
                st.op[*operator].owner_alignment[l] = value
            }
            Effect::Incident(Incident { polities, .. }) => {
                let mut hit = |p: usize| {
                    for &q in &self.subtree_polities[p] {
                        st.pol[q].incident[l] = st.pol[q].incident[l].max(value);
                    }
                };
                match polities {
                    Some(list) => list.iter().for_each(|&p| hit(p)),
                    None => (0..sc.polities.len()).for_each(&mut hit),
                }
                st.any_incident[l] = true;
            }
            Effect::Price(PriceChange { how, scope }) => {
                for (o, op) in sc.operators.iter().enumerate() {
                    let reached = match *scope {
                        PriceScope::Everywhere => true,
                        PriceScope::Polity(p) => sc.is_within(op.polity, p),
                        PriceScope::Operator(only) => o == only,
                    };
                    if reached {
                        let price = &mut st.op[o].price[l];
                        *price = match how {
                            PriceMove::Advantage(_) => value,
                            PriceMove::Delta(_) => (*price + value).max(-0.99),
                        };
                    }
                }
            }
            Effect::Pressure(Pressure { polity, .. }) => {
                for &q in &self.subtree_polities[*polity] {
                    st.pol[q].pressure[l] = value;
                }
            }
            Effect::Leverage(Leverage { polity, .. }) => {
                for &q in &self.subtree_polities[*polity] {
                    st.pol[q].leverage[l] = value;
                }
            }
            Effect::VendorDecision(VendorDecision {
                operator,
                generations,
                vendor,
                share,
            }) => {
                let high_risk = vendor.map(|x| if x { *share } else { 1.0 - share });
                for (slot, on) in st.op[*operator].vendor.iter_mut().zip(generations) {
                    if *on {
                        slot[l] = or_nan(high_risk);
                    }
                }
            }
            Effect::NatoAccession(NatoAccession { polity }) => {
                for &q in &self.subtree_polities[self.root[*polity]] {
                    st.pol[q].nato[l] = true;
                }
            }
        }
    }

    /// The EU stage belongs to the country; children read it.
    /// A change of stage in step `k` starts the clock of the new stage.
    fn set_stage<const L: usize>(
        &self,
        root: usize,
        stage: u8,
        k: usize,
        l: usize,
        st: &mut RunState<L>,
    ) {
        let changed = stage != st.pol[root].eu_stage[l];
        for &q in &self.subtree_polities[root] {
            st.pol[q].eu_stage[l] = stage;
            if changed {
                st.pol[q].stage_since[l] = k;
            }
        }
    }

    /// Which operators a restriction binds, and each country's bound market
    /// share, in lane `l`; called whenever a restriction flag changes (rare).
    fn refresh_bound<const L: usize>(&self, l: usize, st: &mut RunState<L>) {
        for (o, ancestors) in self.op_ancestors.iter().enumerate() {
            st.op[o].bound[l] = ancestors.iter().any(|&q| st.pol[q].restricted[l]);
        }
        for &c in &self.countries {
            st.pol[c].country_bound[l] = self.country_restriction(c, l, st);
            let group = &self.groups[self.country_group[c].clone()];
            st.pol[c].all_bound[l] = if group.is_empty() {
                st.pol[c].restricted[l]
            } else {
                group.iter().filter(|(o, _)| st.op[*o].bound[l]).count() == group.len()
            };
        }
        for p in 0..st.pol.len() {
            let mut q = Some(p);
            let mut on = false;
            while let Some(x) = q {
                on |= st.pol[x].restricted[l];
                q = self.parent[x];
            }
            st.pol[p].in_force[l] = on;
        }
    }

    fn count<const L: usize>(&self, st: &mut RunState<L>, l: usize, p: usize, kind: usize) {
        st.events[l][self.scenario.shocks.len() + EVENT_KINDS.len() * p + kind] += 1;
        st.note(l, Event::Counted { polity: p, kind });
    }

    fn adopt<const L: usize>(
        &self,
        p: usize,
        l: usize,
        k: usize,
        phase_out_years: f64,
        st: &mut RunState<L>,
    ) {
        self.count(st, l, p, 2);
        st.pol[p].restricted[l] = true;
        self.refresh_bound(l, st);
        for &o in &self.subtree_ops[p] {
            let slot = self.line_slot(o, p, st);
            if !st.line[slot].line_on[l] {
                st.op[o].lines_on[l] += 1;
            }
            st.line[slot].line_on[l] = true;
            st.line[slot].line_h_legacy[l] = st.op[o].h_legacy[l];
            st.line[slot].line_h_5g[l] = st.op[o].h_5g[l];
            st.line[slot].line_step[l] = k;
            st.line[slot].line_years[l] = phase_out_years;
        }
    }

    fn repeal<const L: usize>(&self, p: usize, l: usize, st: &mut RunState<L>) {
        self.count(st, l, p, 3);
        st.pol[p].restricted[l] = false;
        self.refresh_bound(l, st);
        for &o in &self.subtree_ops[p] {
            let slot = self.line_slot(o, p, st);
            if st.line[slot].line_on[l] {
                st.op[o].lines_on[l] -= 1;
            }
            st.line[slot].line_on[l] = false;
        }
    }

    /// Where operator `o` keeps the phase-out line of a restriction at `p`,
    /// one of its ancestors.
    fn line_slot<const L: usize>(&self, o: usize, p: usize, st: &RunState<L>) -> usize {
        let j = self.op_ancestors[o]
            .iter()
            .position(|&q| q == p)
            .expect("p is an ancestor");
        st.line_offset[o] + j
    }

    /// The lowest phase-out line over the operator's restrictions in lane
    /// `l`, for legacy and 5G (infinity where none binds). An adoption in
    /// step k0 counts from the start of k0, so at step k (k - k0 + 1)·Δt
    /// years have elapsed.
    fn phase_out_lines<const L: usize>(
        &self,
        o: usize,
        k: usize,
        l: usize,
        st: &RunState<L>,
    ) -> (f64, f64) {
        let mut lines = (f64::INFINITY, f64::INFINITY);
        for j in 0..self.op_ancestors[o].len() {
            let slot = st.line_offset[o] + j;
            if !st.line[slot].line_on[l] {
                continue;
            }
            let years = st.line[slot].line_years[l];
            let left = if years <= 0.0 {
                0.0
            } else {
                let elapsed = (k - st.line[slot].line_step[l] + 1) as f64 * self.dt;
                (1.0 - elapsed / years).max(0.0)
            };
            lines.0 = lines.0.min(st.line[slot].line_h_legacy[l] * left);
            lines.1 = lines.1.min(st.line[slot].line_h_5g[l] * left);
        }
        lines
    }

    /// The vendor-choice logit of operator `o` without its incumbency term,
    /// in every lane: the same for every purchase the operator makes in a
    /// step, so computed once. (A bound operator buys trusted whatever its
    /// logit; callers check.)
    #[inline(always)]
    fn logit_base<const L: usize>(&self, o: usize, st: &RunState<L>) -> F<L> {
        let p = self.scenario.operators[o].polity;
        let (b0, b_price, b_orient) = (st.par(P::B0), st.par(P::BPrice), st.par(P::BOrient));
        let (b_owner, b_leverage, b_incident) = (
            st.par(P::BOwner),
            st.par(P::BLeverage),
            st.par(P::BIncident),
        );
        let (price, owner) = (st.op[o].price, st.op[o].owner_alignment);
        let (w_eff, leverage, incident) = (st.pol[p].w_eff, st.pol[p].leverage, st.pol[p].incident);
        std::array::from_fn(|l| {
            b0[l] + b_price[l] * price[l]
                - b_orient[l] * (w_eff[l] - 0.5)
                - b_owner[l] * (owner[l] - 0.5)
                + b_leverage[l] * leverage[l]
                - b_incident[l] * incident[l]
        })
    }

    /// Market share of the country's operators bound by a restriction in
    /// lane `l`; with no operators, whether the country itself has one.
    fn country_restriction<const L: usize>(&self, c: usize, l: usize, st: &RunState<L>) -> f64 {
        let group = &self.groups[self.country_group[c].clone()];
        if group.is_empty() {
            return f64::from(u8::from(st.pol[c].restricted[l]));
        }
        group
            .iter()
            .filter(|(o, _)| st.op[*o].bound[l])
            .map(|(_, w)| w)
            .sum()
    }

    /// The values of every series at the current point, in every lane: the
    /// operator-level metrics per operator first, then the plan's copies,
    /// weighted means and polity values. A new metric's model code goes here.
    #[inline(always)]
    fn record<const L: usize>(&self, st: &mut RunState<L>) {
        const TRUSTED_SHARE: usize = Metric::TrustedShare.network_row();
        const TRUSTED_PROCUREMENT: usize = Metric::TrustedProcurement.network_row();
        const HR_5G: usize = Metric::Hr5g.network_row();
        const COST_PREMIUM: usize = Metric::CostPremium.network_row();
        const LAUNCHED_5G: usize = Metric::Launched5g.network_row();
        let operators = self.scenario.operators.len();
        let incumbent = st.par(P::BIncumbent);
        for o in 0..operators {
            let base = self.logit_base(o, st);
            for l in 0..L {
                let g = st.op[o].g5[l];
                let (hl, h5) = (st.op[o].h_legacy[l], st.op[o].h_5g[l]);
                let launched = st.op[o].launched[l];
                st.op_metric[TRUSTED_SHARE][o][l] = (1.0 - g) * (1.0 - hl) + g * (1.0 - h5);
                st.logits[o * L + l] = logit(base[l], incumbent[l], (1.0 - g) * hl + g * h5);
                st.op_metric[HR_5G][o][l] = if launched { h5 } else { 0.0 };
                st.op_metric[COST_PREMIUM][o][l] = st.op[o].premium[l];
                st.op_metric[LAUNCHED_5G][o][l] = f64::from(u8::from(launched));
            }
        }
        let half = st.half;
        logistic_in_place(&mut st.logits[..half]);
        for o in 0..operators {
            let decided = st.op[o].vendor;
            let mut base = None;
            for l in 0..L {
                let p = if st.op[o].bound[l] {
                    0.0
                } else if decided[0][l].is_nan() && decided[1][l].is_nan() {
                    st.logits[o * L + l]
                } else {
                    // With a decision for one generation, the flow is each
                    // generation's own probability weighted by its traffic.
                    let base = *base.get_or_insert_with(|| self.logit_base(o, st));
                    let pick = |d: f64, h: f64| {
                        if d.is_nan() {
                            logistic(logit(base[l], incumbent[l], h))
                        } else {
                            d
                        }
                    };
                    let g = st.op[o].g5[l];
                    (1.0 - g) * pick(decided[0][l], st.op[o].h_legacy[l])
                        + g * pick(decided[1][l], st.op[o].h_5g[l])
                };
                st.op_metric[TRUSTED_PROCUREMENT][o][l] = 1.0 - p;
            }
        }
        let plan = &self.record_plan;
        for &(s, m, o) in &plan.copies {
            for l in 0..L {
                st.values[l][s] = st.op_metric[m][o][l];
            }
        }
        for (range, series) in &plan.groups {
            // The same additions, in the same order, as `Iterator::sum` (which starts at -0.0).
            let mut acc = [[-0.0f64; L]; NETWORK_METRICS];
            for &(o, w) in &self.groups[range.clone()] {
                for (a, metric) in acc.iter_mut().zip(&st.op_metric) {
                    for (a, x) in a.iter_mut().zip(metric[o]) {
                        *a += w * x;
                    }
                }
            }
            for (&s, a) in series.iter().zip(acc) {
                for (values, x) in st.values.iter_mut().zip(a) {
                    values[s] = x;
                }
            }
        }
        for l in 0..L {
            self.record_polities(l, st);
        }
    }

    /// Lane `l`'s polity-level values, after its operators' and groups'.
    fn record_polities<const L: usize>(&self, l: usize, st: &mut RunState<L>) {
        let values = &mut st.values[l];
        for r in &self.record_plan.polity {
            let all = || r.countries.iter().chain(&r.polities);
            match r.metric {
                Metric::Orientation => all().for_each(|&(s, p)| values[s] = st.pol[p].w_report[l]),
                Metric::EuStage => {
                    all().for_each(|&(s, p)| values[s] = f64::from(st.pol[p].eu_stage[l]))
                }
                Metric::Restriction => {
                    // A country: the market share bound (its own flag
                    // without operators); a sub-polity: in force at it or above.
                    for &(s, c) in &r.countries {
                        values[s] = st.pol[c].country_bound[l];
                    }
                    for &(s, p) in &r.polities {
                        values[s] = f64::from(u8::from(st.pol[p].in_force[l]));
                    }
                }
                Metric::Alignment => {
                    // Runs after the groups above, so a polity's
                    // trusted_procurement is already in `values`.
                    for &(s, p) in r.countries.iter() {
                        let law = st.pol[p].country_bound[l];
                        values[s] = alignment(
                            law,
                            st.pol[p].w_eff[l],
                            self.procurement_series[p].map(|t| values[t]),
                        );
                    }
                    for &(s, p) in r.polities.iter() {
                        let law = f64::from(u8::from(st.pol[p].in_force[l]));
                        values[s] = alignment(
                            law,
                            st.pol[p].w_eff[l],
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

/// `x^g` for an exponent other than 1 and 2: integer exponents need no
/// `powf`. Kept out of line, so that the compiler does not compute it
/// unasked where it turns the exponent's branches into selects.
#[cold]
#[inline(never)]
fn other_power(x: f64, g: f64) -> f64 {
    if g == g.trunc() && g.abs() < 16.0 {
        x.powi(g as i32)
    } else {
        x.powf(g)
    }
}

/// The vendor-choice logit of a purchase by an operator with logit base
/// `base` whose installed base of this generation is `h` high-risk; its
/// logistic is the probability the purchase goes to a high-risk vendor.
#[inline(always)]
fn logit(base: f64, incumbent: f64, h: f64) -> f64 {
    base + incumbent * (h - 0.5)
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

    /// A generator per process and per quantity, as the engine gives: a
    /// run that skips one name's draws leaves every other name's alone.
    struct PerName {
        processes: Vec<ChaCha8Rng>,
        quantities: Vec<ChaCha8Rng>,
        seeds: Vec<u64>,
    }

    impl PerName {
        fn new(world: &World, seed: u64) -> PerName {
            let make = |n: usize, base: u64| {
                (0..n as u64)
                    .map(|i| ChaCha8Rng::seed_from_u64(seed << 20 | base | i))
                    .collect()
            };
            PerName {
                processes: make(world.process_names().len(), 0),
                quantities: make(world.quantity_names().len(), 1 << 19),
                seeds: (0..world.quantity_names().len() as u64)
                    .map(|i| seed << 20 | 1 << 19 | i)
                    .collect(),
            }
        }
    }

    impl RandomSource for PerName {
        type R = ChaCha8Rng;
        fn process(&mut self, i: usize) -> &mut ChaCha8Rng {
            &mut self.processes[i]
        }
        fn quantity(&mut self, i: usize) -> &mut ChaCha8Rng {
            // Each call starts the quantity's region afresh.
            self.quantities[i] = ChaCha8Rng::seed_from_u64(self.seeds[i]);
            &mut self.quantities[i]
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
        let mut src = [OneStream(ChaCha8Rng::seed_from_u64(5))];
        world.init(0, &mut src[0], &mut st);
        world.refresh_all(&mut st, world.everything());
        for k in 0..3 {
            world.step(k, &mut src, &mut st, world.everything());
        }
        for row in &mut st.op_metric {
            row.fill([f64::NAN]);
        }
        st.values[0].fill(f64::NAN);
        world.record(&mut st);
        let network =
            crate::model::Metric::all().filter(|m| m.spec().level == crate::model::Level::Operator);
        for (metric, values) in network.zip(&st.op_metric) {
            assert!(
                values.iter().all(|x| !x[0].is_nan()),
                "`{}` is in the catalogue but `record` does not compute it per operator",
                metric.name()
            );
        }
        for (spec, x) in world.series().iter().zip(&st.values[0]) {
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

    /// The shipped scenarios' files, and a fixture with the shocks that
    /// reach every country at once (none of the shipped ones has an
    /// incident everywhere).
    fn shipped() -> Vec<std::path::PathBuf> {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("scenarios/ is there")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        assert!(files.len() >= 10, "the shipped scenarios");
        files.push(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/cross-country-shocks.toml"),
        );
        files
    }

    /// Everything a run leaves: its rows, inputs, events, shock steps and diary.
    type Trace = (
        Vec<Vec<u64>>,
        Vec<u64>,
        Vec<u64>,
        Vec<Option<usize>>,
        Vec<String>,
    );

    fn trace_of<const L: usize>(st: &RunState<L>, l: usize, rows: Vec<Vec<u64>>) -> Trace {
        (
            rows,
            st.inputs_of(l).map(f64::to_bits).collect(),
            st.events_of(l).to_vec(),
            st.fired_steps_of(l).collect(),
            st.diary[l]
                .as_ref()
                .map(|d| d.entries().iter().map(|e| format!("{e:?}")).collect())
                .unwrap_or_default(),
        )
    }

    /// Four runs side by side give, to the bit, what each gives alone: on
    /// every shipped scenario, with lanes whose shocks, elections, laws and
    /// EU steps fire at different steps.
    #[test]
    fn lanes_give_each_run_what_it_gives_alone() {
        for path in shipped() {
            let world = World::new(crate::scenario::load(&path).expect("a shipped scenario loads"));
            let at = vec![true; world.points()];
            let mut one = RunState::new(&world);
            one.keep_diary();
            let mut four = RunState::<4>::lanes(&world);
            four.keep_diary();
            let mut diverged = false;
            for batch in 0..6u64 {
                let seeds: [u64; 4] = std::array::from_fn(|l| batch * 4 + l as u64);
                let mut srcs = seeds.map(|s| OneStream(ChaCha8Rng::seed_from_u64(s)));
                let mut rows: [Vec<Vec<u64>>; 4] = Default::default();
                world.run_lanes_at(
                    &mut srcs,
                    &mut four,
                    &at,
                    world.everything(),
                    &mut |l, _, row| rows[l].push(row.iter().map(|x| x.to_bits()).collect()),
                );
                let mut traces = Vec::new();
                for (l, (seed, rows)) in seeds.into_iter().zip(rows).enumerate() {
                    let got = trace_of(&four, l, rows);
                    let mut alone = Vec::new();
                    let mut src = OneStream(ChaCha8Rng::seed_from_u64(seed));
                    world.run(&mut src, &mut one, &mut |_, row| {
                        alone.push(row.iter().map(|x| x.to_bits()).collect())
                    });
                    let want = trace_of(&one, 0, alone);
                    assert!(got == want, "{}: seed {seed} in lane {l}", path.display());
                    traces.push(got);
                }
                diverged |= traces
                    .windows(2)
                    .any(|w| w[0].2 != w[1].2 || w[0].4 != w[1].4);
            }
            assert!(
                diverged,
                "{}: the lanes' runs never differed in what happened, so the test showed nothing",
                path.display()
            );
        }
    }

    /// A country's series are the same, to the bit, when only its country
    /// is stepped: on every shipped scenario, for every country, one run
    /// at a time and four side by side.
    #[test]
    fn stepping_one_country_leaves_its_series_as_they_were() {
        for path in shipped() {
            let world = World::new(crate::scenario::load(&path).expect("a shipped scenario loads"));
            let at = vec![true; world.points()];
            let mut one = RunState::new(&world);
            let mut four = RunState::<4>::lanes(&world);
            for &c in world.countries() {
                let id = &world.scenario.polities[c].id;
                let mine: Vec<usize> = (0..world.series().len())
                    .filter(|&s| &world.series()[s].country == id)
                    .collect();
                let scope = world.scope_of(mine.iter().copied());
                assert!(
                    scope.polities.iter().all(|&p| world.root[p] == c)
                        && scope.operators.len()
                            < world.scenario.operators.len().max(1)
                                + usize::from(world.countries().len() == 1),
                    "{}: {id}'s scope holds its country only",
                    path.display()
                );
                let pick = |row: &[f64]| mine.iter().map(|&s| row[s].to_bits()).collect::<Vec<_>>();
                let seeds: [u64; 4] = [1, 2, 3, 4];
                let mut full: [Vec<Vec<u64>>; 4] = Default::default();
                let mut srcs = seeds.map(|s| PerName::new(&world, s));
                world.run_lanes_at(
                    &mut srcs,
                    &mut four,
                    &at,
                    world.everything(),
                    &mut |l, _, row| full[l].push(pick(row)),
                );
                let mut part: [Vec<Vec<u64>>; 4] = Default::default();
                let mut srcs = seeds.map(|s| PerName::new(&world, s));
                world.run_lanes_at(&mut srcs, &mut four, &at, &scope, &mut |l, _, row| {
                    part[l].push(pick(row))
                });
                for (l, (a, b)) in full.iter().zip(&part).enumerate() {
                    let first = a.iter().zip(b).enumerate().find_map(|(j, (x, y))| {
                        let k = x.iter().zip(y).position(|(x, y)| x != y)?;
                        let spec = &world.series()[mine[k]];
                        Some(format!(
                            "{} of {} at point {j}",
                            spec.metric.name(),
                            spec.entity
                        ))
                    });
                    assert!(
                        first.is_none(),
                        "{}: {id}, lane {l}: {}",
                        path.display(),
                        first.unwrap_or_default()
                    );
                }
                let mut alone = Vec::new();
                let mut src = [PerName::new(&world, seeds[0])];
                world.run_lanes_at(&mut src, &mut one, &at, &scope, &mut |_, _, row| {
                    alone.push(pick(row))
                });
                assert!(alone == full[0], "{}: {id}, one run", path.display());
            }
        }
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
            let one = std::array::from_mut(&mut src);
            world.run_lanes_at(one, &mut st, &at, world.everything(), &mut |_, j, row| {
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
