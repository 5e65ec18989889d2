//! The page's routes as one plain function: (method, path, query, body) to
//! a response, with no socket in sight, so that tests (and a fuzzer) call
//! it directly. Every request is checked like a file: a lever value goes
//! through the lever's range and then the scenario's own checks, and a bad
//! one is a message for the page, never a panic.

use super::defaults;
use crate::engine::{self, RunOptions};
use crate::error::{Error, Result};
use crate::model::{Metric, World};
use crate::report::RunInfo;
use crate::report::workshop::{self as page, Answer, Pinned};
use crate::scenario::lever::{self, Lever};
use crate::scenario::{Base, Scenario, Setting};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The largest request body the page sends is a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// Runs of the first answer: on two shared cores the largest shipped
/// scenario answers within half a second (docs/PERFORMANCE.md).
pub const QUICK_RUNS: u64 = 500;

/// What the server sends back.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Sent as an attachment under this name (a saved scenario).
    pub attachment: Option<String>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
            attachment: None,
        }
    }

    fn json(status: u16, v: &Value) -> Response {
        Response::new(status, "application/json", v.to_string())
    }

    fn error(status: u16, message: impl Into<String>) -> Response {
        Response::json(status, &json!({ "error": message.into() }))
    }
}

/// One workshop: the scenario file read once, its levers, the run counts,
/// and the one simulation that may run at a time.
pub struct Workshop {
    base: Base,
    /// The file as written (no lever moved).
    file: Scenario,
    path: PathBuf,
    /// The overrides the page was started with (`--set`), under every rerun.
    set: Vec<Setting>,
    levers: Vec<Lever>,
    /// How the default levers were found (None: the file declares its own).
    ranking: Option<defaults::Ranking>,
    quick: u64,
    full: u64,
    seed: u64,
    threads: usize,
    metric: Metric,
    /// The stop flag of the newest run request: a newer one raises it, and
    /// the engine stops that run at its next chunk of runs.
    newest: Mutex<Option<Arc<AtomicBool>>>,
    busy: Mutex<()>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    #[serde(default)]
    values: BTreeMap<String, String>,
    #[serde(default)]
    pin: Option<BTreeMap<String, String>>,
    #[serde(default)]
    tier: Tier,
    #[serde(default)]
    metric: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Tier {
    #[default]
    Quick,
    Full,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveRequest {
    #[serde(default)]
    values: BTreeMap<String, String>,
}

impl Workshop {
    /// `runs`: the full count (None: the file's). `threads`: the engine's workers.
    pub fn new(path: &Path, runs: Option<u64>, threads: usize) -> Result<Workshop> {
        Workshop::with_settings(path, &[], runs, threads)
    }

    /// The workshop of the file with `set` (`--set KEY=VALUE`) laid over
    /// it: the page starts there, every rerun keeps them under the levers,
    /// and a saved scenario writes them too.
    pub fn with_settings(
        path: &Path,
        set: &[Setting],
        runs: Option<u64>,
        threads: usize,
    ) -> Result<Workshop> {
        let base = Base::read(path)?;
        let file = base.resolve(set)?;
        let full = runs.unwrap_or(file.runs).max(1);
        let world = World::new(file.clone());
        world.check_outcomes()?;
        let metric = default_metric(&world);
        let found = defaults::levers(path, &file, threads.max(1))?;
        Ok(Workshop {
            levers: found.levers,
            ranking: found.ranking,
            set: set.to_vec(),
            seed: file.seed,
            base,
            file,
            path: path.to_path_buf(),
            quick: QUICK_RUNS.min(full),
            full,
            threads: threads.max(1),
            metric,
            newest: Mutex::new(None),
            busy: Mutex::new(()),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.file
    }

    pub fn levers(&self) -> &[Lever] {
        &self.levers
    }

    pub fn ranking(&self) -> Option<&defaults::Ranking> {
        self.ranking.as_ref()
    }

    pub fn runs(&self) -> (u64, u64) {
        (self.quick, self.full)
    }

    /// Every route of the page; anything else is 404.
    pub fn handle(&self, method: &str, path: &str, _query: &str, body: &[u8]) -> Response {
        if body.len() > MAX_BODY {
            return Response::error(413, format!("the request is larger than {MAX_BODY} bytes"));
        }
        match (method, path) {
            ("GET", "/") | ("GET", "/index.html") => {
                Response::new(200, "text/html; charset=utf-8", page::page(&self.file))
            }
            ("GET", "/api/setup") => Response::json(
                200,
                &page::setup(&self.file, &self.levers, self.quick, self.full, self.metric),
            ),
            ("POST", "/api/run") => match parse::<RunRequest>(body) {
                Ok(r) => self.run(&r),
                Err(e) => Response::error(400, e),
            },
            ("POST", "/api/save") => match parse::<SaveRequest>(body) {
                Ok(r) => self.save(&r.values),
                Err(e) => Response::error(400, e),
            },
            (_, "/" | "/index.html" | "/api/setup" | "/api/run" | "/api/save") => {
                Response::error(405, format!("{method} is not allowed on {path}"))
            }
            _ => Response::error(404, format!("no page at {path}")),
        }
    }

    /// The lever values as settings, each checked against its lever.
    fn settings(
        &self,
        values: &BTreeMap<String, String>,
    ) -> std::result::Result<Vec<(String, Setting)>, String> {
        values
            .iter()
            .map(|(key, given)| {
                let lever = self
                    .levers
                    .iter()
                    .find(|l| &l.key == key)
                    .ok_or_else(|| format!("no lever `{key}` on this page"))?;
                let text = lever
                    .value_text(given)
                    .map_err(|e| format!("{}: {e}", lever.label))?;
                let setting = lever.setting(&text).map_err(|e| e.to_string())?;
                Ok((text, setting))
            })
            .collect()
    }

    /// The scenario with these lever values, checked as a file would be.
    fn scenario_at(
        &self,
        values: &BTreeMap<String, String>,
    ) -> std::result::Result<Scenario, String> {
        let mut settings = self.set.clone();
        settings.extend(self.settings(values)?.into_iter().map(|(_, s)| s));
        let mut sc = self.base.resolve(&settings).map_err(|e| e.to_string())?;
        sc.runs = self.full;
        Ok(sc)
    }

    fn run(&self, r: &RunRequest) -> Response {
        let metric = match &r.metric {
            None => self.metric,
            Some(name) => match Metric::by_name(name).filter(|m| Metric::fans().contains(m)) {
                Some(m) => m,
                None => return Response::error(400, format!("no chart of `{name}` on this page")),
            },
        };
        let pinned = r.pin.is_some();
        // Compared, the two are told apart by name in charts and tables.
        let named = |mut sc: Scenario, what: &str| {
            if pinned {
                sc.name = format!("{}, {what}", sc.name);
            }
            World::new(sc)
        };
        let a = match self.scenario_at(&r.values) {
            Ok(w) => named(w, "levers now"),
            Err(e) => return Response::error(400, e),
        };
        let b = match r.pin.as_ref().map(|p| self.scenario_at(p)).transpose() {
            Ok(b) => b.map(|b| named(b, "pinned")),
            Err(e) => return Response::error(400, format!("the pinned state: {e}")),
        };
        let runs = match r.tier {
            Tier::Quick => self.quick,
            Tier::Full => self.full,
        };
        // Newest first: this request outdates every older one, which stops
        // at its engine's next chunk and frees the engine.
        let mine = Arc::new(AtomicBool::new(false));
        let older = lock(&self.newest).replace(Arc::clone(&mine));
        if let Some(older) = older {
            older.store(true, Ordering::SeqCst);
        }
        let _one_at_a_time = lock(&self.busy);
        let mut worlds = vec![&a];
        worlds.extend(b.as_ref());
        let opts = RunOptions {
            runs,
            seed: self.seed,
            threads: Some(self.threads),
            progress: false,
            keep_runs: 0,
            run_range: None,
            cancel: Some(Arc::clone(&mine)),
        };
        // A newer request may have come while this one waited its turn.
        let result = if mine.load(Ordering::SeqCst) {
            Err(Error::Interrupted)
        } else {
            engine::simulate_paired(&worlds, &opts)
        };
        let result = match result {
            Ok(r) => r,
            Err(Error::Interrupted) => return Response::json(409, &json!({ "cancelled": true })),
            Err(e) => return Response::error(500, e.to_string()),
        };
        let (summaries, diffs) = result;
        let answer = Answer {
            a: &a,
            summary_a: &summaries[0],
            file: &self.file,
            pinned: b.as_ref().map(|b| Pinned {
                b,
                summary_b: &summaries[1],
                diffs: &diffs,
            }),
            info: RunInfo {
                runs,
                seed: self.seed,
                precision: None,
            },
            full: runs == self.full,
            metric,
        };
        match answer.to_json() {
            Ok(v) => Response::json(200, &v),
            Err(e) => Response::error(500, e.to_string()),
        }
    }

    /// A scenario file that extends this one and sets the levers' values.
    fn save(&self, values: &BTreeMap<String, String>) -> Response {
        let levers = match self.settings(values) {
            Ok(s) => s,
            Err(e) => return Response::error(400, e),
        };
        // The `--set` values first, each replaced by a lever on its key.
        let mut settings: Vec<(String, Setting)> = self
            .set
            .iter()
            .filter(|s| !levers.iter().any(|(_, l)| l.key() == s.key()))
            .map(|s| (toml_text(s.value()), s.clone()))
            .collect();
        settings.extend(levers);
        // Checked as a file would be before it is offered as one.
        if let Err(e) = self.scenario_at(values) {
            return Response::error(400, e);
        }
        let text = saved_scenario(&self.path, &self.file, self.full, self.seed, &settings);
        let stem = self
            .path
            .file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
        let mut r = Response::new(200, "application/toml; charset=utf-8", text);
        r.attachment = Some(format!("{stem}-workshop.toml"));
        r
    }

    /// Stop the running simulation (at its next chunk) and any waiting one.
    pub fn cancel_all(&self) {
        if let Some(newest) = lock(&self.newest).as_ref() {
            newest.store(true, Ordering::SeqCst);
        }
    }
}

/// A lock that a panicked holder does not poison for the next request.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> std::result::Result<T, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the request is not UTF-8".to_string())?;
    serde_json::from_str(text).map_err(|e| format!("a bad request: {e}"))
}

/// A `--set` value as TOML: as written when it is TOML, else the bare word
/// it spells (`--set polity.SRB.name=Serbia`), quoted, as `--set` reads it.
fn toml_text(value: &str) -> String {
    if toml::from_str::<toml::Table>(&format!("x = {value}")).is_ok() {
        value.to_string()
    } else {
        toml::Value::String(value.to_string()).to_string()
    }
}

/// The metric the scenario is about: its first headline outcome's, if it
/// has a fan chart; else the one that sorts the classes.
fn default_metric(world: &World) -> Metric {
    let fans = Metric::fans();
    world
        .headline_outcomes()
        .first()
        .map(|o| o.metric)
        .filter(|m| fans.contains(m))
        .or_else(|| Some(Metric::from(world.scenario.classes.metric)).filter(|m| fans.contains(m)))
        .unwrap_or(fans[0])
}

/// (table, id) of a `[[polity]]`, `[[operator]]` or `[[shock]]` entry.
type Entry = (String, String);
/// A key and its value as TOML text.
type KeyValue = (String, String);

/// The TOML of a saved workshop state: `extends` the original (by its file
/// name, so keep the two side by side) and sets each lever's value in the
/// table its key path names. Runs and seed are the page's, so `simulate`
/// on it gives the page's full answer.
pub fn saved_scenario(
    path: &Path,
    file: &Scenario,
    runs: u64,
    seed: u64,
    settings: &[(String, Setting)],
) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let name = path
        .file_name()
        .map_or("scenario.toml".into(), |n| n.to_string_lossy().into_owned());
    let mut header: Vec<(String, String)> =
        vec![("name".into(), quote(&format!("{} (workshop)", file.name)))];
    if let Some(q) = &file.question {
        header.push(("question".into(), quote(q)));
    }
    header.push(("extends".into(), quote(&name)));
    let mut parameters = Vec::new();
    // (table, id) -> [(key, value)], in first-seen order.
    let mut entries: Vec<(Entry, Vec<KeyValue>)> = Vec::new();
    for (value, s) in settings {
        let parts: Vec<&str> = s.key().split('.').collect();
        match parts.as_slice() {
            ["parameters", k] => parameters.push((k.to_string(), value.clone())),
            // Runs and seed are the page's (below); another header key
            // replaces the original's (`--set scenario.name=...`).
            ["scenario", "runs" | "seed"] => {}
            ["scenario", k] => match header.iter_mut().find(|(h, _)| h == k) {
                Some(slot) => slot.1 = value.clone(),
                None => header.push((k.to_string(), value.clone())),
            },
            [table, id @ .., k] => {
                let slot = (table.to_string(), id.join("."));
                match entries.iter_mut().find(|(t, _)| *t == slot) {
                    Some((_, keys)) => keys.push((k.to_string(), value.clone())),
                    None => entries.push((slot, vec![(k.to_string(), value.clone())])),
                }
            }
            _ => {}
        }
    }
    header.push(("runs".into(), runs.to_string()));
    header.push(("seed".into(), seed.to_string()));
    let started_with: Vec<String> = settings
        .iter()
        .filter(|(_, s)| s.origin() != lever::ORIGIN)
        .map(|(v, s)| format!("{}={v}", s.key()))
        .collect();
    let set_note = if started_with.is_empty() {
        String::new()
    } else {
        format!(
            "\n# The page was started with --set {}; those values are\n# written here too, under the levers.",
            started_with.join(" --set ")
        )
    };
    let mut o = format!(
        "# Saved from the dsrsim workshop page of {name}: it extends that file and\n# sets the levers the room moved. Keep it beside {name} (`extends` is\n# relative to this file); `simulate` on it reruns what the page showed\n# (the same runs and seed).{set_note}\n\n[scenario]\n"
    );
    for (k, v) in &header {
        o.push_str(&format!("{k} = {v}\n"));
    }
    if !parameters.is_empty() {
        o.push_str("\n[parameters]\n");
        for (k, v) in &parameters {
            o.push_str(&format!("{k} = {v}\n"));
        }
    }
    for ((table, id), keys) in &entries {
        o.push_str(&format!("\n[[{table}]]\nid = {}\n", quote(id)));
        for (k, v) in keys {
            o.push_str(&format!("{k} = {v}\n"));
        }
    }
    o
}
