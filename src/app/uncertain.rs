//! The uncertain inputs of a scenario (EXPLORE.md §3) and the values a
//! sensitivity design gives them: every key whose value is a distribution,
//! every shock with a probability below 1 (does it fire) and every shock with
//! a window (when it fires), or the ranges `--input KEY=LO:HI` names instead.
//!
//! They are found on the one serialisation of a checked scenario (the
//! resolved file), so every key the file format can hold a distribution in is
//! seen, under the key path `--set` takes. Each input maps a coordinate
//! u in [0, 1] of a design to a value, differently per method (see
//! [`Input::tornado`], [`Input::morris`], [`Input::sobol`]).

use crate::error::{Diagnostic, Error, Result};
use crate::scenario::dist::{Dist, exact, fmt_num};
use crate::scenario::params::ParamId;
use crate::scenario::time::Month;
use crate::scenario::{Base, Scenario, Setting};
use rand::SeedableRng;
use rand::distr::Distribution;
use std::path::Path;

/// Draws behind a distribution's tabulated quantile function.
const DRAWS: usize = 100_001;
/// Its table: the quantiles at q = 0, 1/4000, …, 1.
const TABLE: usize = 4001;

#[derive(Debug, Clone)]
pub enum Range {
    /// A distribution of the file: its quantile function, tabulated from
    /// `DRAWS` fixed-seed draws (clamped to the key's domain as in a run).
    Quantiles { law: String, table: Vec<f64> },
    /// `--input KEY=LO:HI`: uniform over [lo, hi].
    Between(f64, f64),
    /// Months, uniform over first..=last (a shock's window, or `--input`).
    Months(i32, i32),
    /// Whether a shock with this probability fires.
    Fires(f64),
}

#[derive(Debug, Clone)]
pub struct Input {
    /// The key path a design sets (`shock.ID.probability` for "fires").
    pub key: String,
    /// Plain words: "Serbia: orientation", "whether a pro-EU government takes office".
    pub label: String,
    pub range: Range,
    /// Given by `--input` (its ends are the tornado's ends) rather than found.
    pub explicit: bool,
}

impl Range {
    fn quantile(table: &[f64], q: f64) -> f64 {
        table[(q.clamp(0.0, 1.0) * (TABLE - 1) as f64).round() as usize]
    }

    fn month_at(first: i32, last: i32, q: f64) -> f64 {
        let n = last - first + 1;
        f64::from(first + ((q * f64::from(n)).floor() as i32).clamp(0, n - 1))
    }
}

impl Input {
    /// The tornado's low end, middle and high end: a distribution's 5th,
    /// 50th and 95th percentiles (a window's months likewise); an explicit
    /// range's ends and midpoint; a shock's firing never (probability 0),
    /// as the file has it, and always (probability 1).
    pub fn tornado(&self) -> [f64; 3] {
        match &self.range {
            Range::Quantiles { table, .. } => [0.05, 0.5, 0.95].map(|q| Range::quantile(table, q)),
            Range::Between(lo, hi) => [*lo, (lo + hi) / 2.0, *hi],
            Range::Months(a, b) if self.explicit => {
                [f64::from(*a), f64::from((a + b) / 2), f64::from(*b)]
            }
            Range::Months(a, b) => [0.05, 0.5, 0.95].map(|q| Range::month_at(*a, *b, q)),
            Range::Fires(p) => [0.0, *p, 1.0],
        }
    }

    /// Morris's grid coordinate u in [0, 1] as a value: a distribution over
    /// its 5th–95th percentiles (the tornado's range; the tails would make
    /// one step of the grid jump across them), an explicit range or a window
    /// end to end, and a shock's firing as a switch (never below u = 0.5,
    /// always from it).
    pub fn morris(&self, u: f64) -> f64 {
        match &self.range {
            Range::Quantiles { table, .. } => Range::quantile(table, 0.05 + 0.9 * u),
            Range::Between(lo, hi) => lo + (hi - lo) * u,
            Range::Months(a, b) => f64::from(*a) + (u * f64::from(b - a)).round(),
            Range::Fires(_) => f64::from(u8::from(u >= 0.5)),
        }
    }

    /// A Sobol coordinate u in (0, 1) as a draw of the input: through a
    /// distribution's whole quantile function (so inputs carry the file's
    /// weights), uniform over an explicit range or a window, and a shock
    /// fires (probability 1) with its own probability p, i.e. when u ≥ 1 − p.
    pub fn sobol(&self, u: f64) -> f64 {
        match &self.range {
            Range::Quantiles { table, .. } => Range::quantile(table, u),
            Range::Between(lo, hi) => lo + (hi - lo) * u,
            Range::Months(a, b) => Range::month_at(*a, *b, u),
            Range::Fires(p) => f64::from(u8::from(u >= 1.0 - p)),
        }
    }

    pub fn is_months(&self) -> bool {
        matches!(self.range, Range::Months(..))
    }

    /// A value as people read it: "0.41", "2025-08", "never"/"always".
    pub fn text(&self, v: f64) -> String {
        match self.range {
            Range::Months(..) => Month(v.round() as i32).to_string(),
            Range::Fires(_) if v == 0.0 => "never".into(),
            Range::Fires(_) if v == 1.0 => "always".into(),
            Range::Fires(p) if v == p => format!("chance {}", fmt_num(p)),
            _ => fmt_num((v * 1e3).round() / 1e3),
        }
    }

    /// What the input ranges over, for the page and the CSV.
    pub fn describe(&self) -> String {
        let [lo, _, hi] = self.tornado();
        match &self.range {
            Range::Quantiles { law, .. } => format!(
                "{law}: 5th–95th percentile {} – {}",
                self.text(lo),
                self.text(hi)
            ),
            Range::Between(..) => format!("{} – {} (given)", self.text(lo), self.text(hi)),
            Range::Months(a, b) if self.explicit => {
                format!("{} – {} (given)", Month(*a), Month(*b))
            }
            Range::Months(a, b) => format!("window {} – {}", Month(*a), Month(*b)),
            Range::Fires(p) => format!("fires with probability {}", fmt_num(*p)),
        }
    }

    /// The override that gives the input value `v`.
    pub fn setting(&self, v: f64) -> Result<Setting> {
        let value = match self.range {
            Range::Months(..) => format!("\"{}\"", Month(v.round() as i32)),
            _ => exact(v),
        };
        Setting::new(&self.key, &value, "--input")
    }
}

/// Every uncertain input of `sc`, in the order of the resolved file, and
/// notes on what could not be an input (a shock without an id).
pub fn defaults(sc: &Scenario) -> Result<(Vec<Input>, Vec<String>)> {
    let file = crate::scenario::ser::ResolvedFile {
        sc,
        runs: sc.runs,
        seed: sc.seed,
    };
    let tree = serde_json::to_value(&file)
        .map_err(|e| Error::Other(format!("cannot list the scenario's inputs: {e}")))?;
    let mut inputs = Vec::new();
    let mut notes = Vec::new();
    let is_dist = |v: &serde_json::Value| v.as_str().is_some_and(|s| s.starts_with('{'));
    if let Some(params) = tree.get("parameters").and_then(|p| p.as_object()) {
        for (name, v) in params {
            if !is_dist(v) {
                continue;
            }
            let id = ParamId::by_name(name)
                .ok_or_else(|| Error::Other(format!("`{name}` is not a parameter")))?;
            // The catalogue's words ("lock-in to the installed vendor"),
            // not the file's name ("b incumbent"): the page is read aloud.
            inputs.push(distribution(
                format!("parameters.{name}"),
                id.spec().meaning.to_string(),
                sc.parameter(id),
            ));
        }
    }
    for (table, entries) in [
        (
            "polity",
            &sc.polities.iter().map(|p| &p.name).collect::<Vec<_>>(),
        ),
        ("operator", &sc.operators.iter().map(|o| &o.name).collect()),
    ] {
        let Some(list) = tree.get(table).and_then(|t| t.as_array()) else {
            continue;
        };
        for (i, entry) in list.iter().enumerate() {
            let Some(map) = entry.as_object() else {
                continue;
            };
            let id = map.get("id").and_then(|v| v.as_str()).unwrap_or_default();
            for (key, v) in map {
                if !is_dist(v) {
                    continue;
                }
                let dist = entry_dist(sc, table, i, key).ok_or_else(|| {
                    Error::Other(format!("{table}.{id}.{key}: a distribution the sensitivity analysis cannot sample (add it to app/uncertain.rs)"))
                })?;
                let label = if table == "polity" {
                    format!("{}'s {}", entries[i], gloss(key))
                } else {
                    format!("{}: {}", entries[i], gloss(key))
                };
                inputs.push(distribution(format!("{table}.{id}.{key}"), label, dist));
            }
        }
    }
    if let Some(list) = tree.get("shock").and_then(|t| t.as_array()) {
        for (i, entry) in list.iter().enumerate() {
            let shock = &sc.shocks[i];
            let Some(id) = &shock.id else {
                let random = shock.probability < 1.0
                    || matches!(shock.timing, crate::scenario::Timing::Window(..));
                if random {
                    notes.push(format!(
                        "shock {} has no id, so no key path names it: it stays as the file has it",
                        sc.shock_key(i)
                    ));
                }
                continue;
            };
            let what = shock.label.clone().unwrap_or_else(|| id.clone());
            if shock.probability < 1.0 {
                inputs.push(Input {
                    key: format!("shock.{id}.probability"),
                    label: format!("whether {what}"),
                    range: Range::Fires(shock.probability),
                    explicit: false,
                });
            }
            if let crate::scenario::Timing::Window(a, b) = shock.timing {
                inputs.push(Input {
                    key: format!("shock.{id}.date"),
                    label: format!("when {what}"),
                    range: Range::Months(a.0, b.0),
                    explicit: false,
                });
            }
            let Some(map) = entry.as_object() else {
                continue;
            };
            for (key, v) in map {
                if !is_dist(v) {
                    continue;
                }
                let dist = match shock.effect.drawn() {
                    crate::scenario::shocks::Drawn::Dist(d)
                    | crate::scenario::shocks::Drawn::OrParameter(Some(d), _) => d,
                    _ => {
                        return Err(Error::Other(format!(
                            "shock.{id}.{key}: a distribution the shock does not draw"
                        )));
                    }
                };
                inputs.push(distribution(
                    format!("shock.{id}.{key}"),
                    format!("{} if {what}", gloss(key)),
                    dist,
                ));
            }
        }
    }
    Ok((inputs, notes))
}

/// A key in a few plain words (the key itself when there is no gloss).
fn gloss(key: &str) -> String {
    match key {
        "target" => "target orientation",
        "swing" => "new government's leaning",
        "china_leverage" => "Chinese leverage",
        "election_hazard" => "election rate",
        "eu_pace" => "EU pace",
        "owner_alignment" => "owner's vendor stance",
        "hr_legacy" => "high-risk share of the legacy network",
        "hr_5g" => "high-risk share of the 5G network",
        "g5_weight" => "weight of 5G",
        "refresh_years" => "equipment life",
        "rollout_years" => "5G rollout time",
        "severity" => "severity",
        k => return k.replace('_', " "),
    }
    .to_string()
}

/// The distribution at a polity's or an operator's key.
fn entry_dist<'a>(sc: &'a Scenario, table: &str, i: usize, key: &str) -> Option<&'a Dist> {
    if table == "polity" {
        let p = &sc.polities[i];
        match key {
            "orientation" => Some(&p.orientation),
            "target" => p.target.as_ref(),
            "eu_pace" => Some(&p.eu_pace),
            "china_leverage" => Some(&p.china_leverage),
            "election_hazard" => Some(&p.election_hazard),
            "swing" => Some(&p.swing),
            _ => None,
        }
    } else {
        let o = &sc.operators[i];
        match key {
            "owner_alignment" => Some(&o.owner_alignment),
            "refresh_years" => o.refresh_years.as_ref(),
            "rollout_years" => o.rollout_years.as_ref(),
            "hr_legacy" => Some(&o.hr_legacy),
            "hr_5g" => Some(&o.hr_5g),
            "g5_weight" => Some(&o.g5_weight),
            _ => None,
        }
    }
}

fn distribution(key: String, label: String, d: &Dist) -> Input {
    // A fixed seed: the same file always gives the same table.
    let mut g = rand_chacha::ChaCha8Rng::seed_from_u64(0x7175_616e_7469_6c65);
    let mut draws: Vec<f64> = (0..DRAWS).map(|_| d.sample(&mut g)).collect();
    draws.sort_by(f64::total_cmp);
    let table = (0..TABLE)
        .map(|i| draws[i * (DRAWS - 1) / (TABLE - 1)])
        .collect();
    Input {
        key,
        label,
        range: Range::Quantiles {
            law: d.to_string(),
            table,
        },
        explicit: false,
    }
}

/// `--input KEY=LO:HI`, checked: the key names a value of the scenario and
/// both ends are values it may take (with `set` under them). Errors point
/// into the argument.
pub fn parse_input(arg: &str, base: &Base, set: &[Setting]) -> Result<Input> {
    let origin = Path::new("--input");
    let bad = |span: std::ops::Range<usize>, message: String, hint: &str| -> Error {
        Diagnostic::new(message)
            .at(origin, arg, span)
            .hint(hint)
            .into()
    };
    let Some(eq) = arg.find('=') else {
        return Err(bad(
            0..arg.len(),
            format!("`{arg}` has no `=`"),
            "write --input KEY=LO:HI, e.g. --input eu_conditionality=0:1 or --input shock.srb-auction.date=2025-03:2026-06",
        ));
    };
    let range = &arg[eq + 1..];
    let Some(colon) = range.find(':') else {
        return Err(bad(
            eq + 1..arg.len(),
            format!("`{range}` is not a range LO:HI"),
            "two values: the low and the high end, e.g. 0.2:0.8 (months: 2025-03:2026-06)",
        ));
    };
    let (lo_span, hi_span) = (eq + 1..eq + 1 + colon, eq + 2 + colon..arg.len());
    let (lo_text, hi_text) = (arg[lo_span.clone()].trim(), arg[hi_span.clone()].trim());
    let months = Month::parse(lo_text).is_ok();
    let value = |text: &str, span: std::ops::Range<usize>| -> Result<f64> {
        if months {
            return Month::parse(text).map(|m| f64::from(m.0)).map_err(|e| {
                bad(
                    span,
                    e,
                    "both ends of a range of months are YYYY-MM, e.g. 2025-03:2026-06",
                )
            });
        }
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(bad(
                span,
                format!("`{text}` is not a number"),
                "write --input KEY=LO:HI with numbers, e.g. 0.2:0.8, or months, e.g. 2025-03:2026-06",
            )),
        }
    };
    let (lo, hi) = (
        value(lo_text, lo_span.clone())?,
        value(hi_text, hi_span.clone())?,
    );
    if lo >= hi {
        return Err(bad(
            lo_span.start..hi_span.end,
            format!("the range must go up: {lo_text} is not below {hi_text}"),
            "write LO:HI with LO < HI",
        ));
    }
    // The key is checked on `KEY=LO`, a prefix of the argument, so its
    // positions are the argument's; the high end is checked as `KEY=HI` and
    // its errors moved onto HI.
    let quote = |t: &str| {
        if months {
            format!("\"{t}\"")
        } else {
            t.to_string()
        }
    };
    let whole = |e: Error, shift: Option<(usize, usize)>| -> Error {
        let Error::BadInput(mut d) = e else { return e };
        if let Some(p) = d.position.as_mut() {
            if let Some((from, to)) = shift
                && p.column >= from
            {
                p.column = p.column - from + to;
            }
            p.source_line = arg.to_string();
        }
        Error::BadInput(d)
    };
    let lo_setting = Setting::parse(&format!("{}{}", &arg[..=eq], quote(lo_text)), "--input")
        .map_err(|e| whole(e, None))?;
    let hi_arg = format!("{}{}", &arg[..=eq], quote(hi_text));
    let hi_setting = Setting::parse(&hi_arg, "--input")
        .map_err(|e| whole(e, Some((eq + 2, hi_span.start + 1))))?;
    for (s, shift) in [
        (lo_setting.clone(), None),
        (hi_setting, Some((eq + 2, hi_span.start + 1))),
    ] {
        let mut settings = set.to_vec();
        settings.push(s);
        base.resolve(&settings).map_err(|e| whole(e, shift))?;
    }
    let key = lo_setting.key().to_string();
    let label = key
        .rsplit('.')
        .next()
        .map_or(key.clone(), |k| k.replace('_', " "));
    let label = if let Some(name) = key.strip_prefix("parameters.") {
        ParamId::by_name(name).map_or(label, |id| id.spec().meaning.to_string())
    } else {
        key.clone()
    };
    Ok(Input {
        key,
        label,
        range: if months {
            Range::Months(lo as i32, hi as i32)
        } else {
            Range::Between(lo, hi)
        },
        explicit: true,
    })
}
