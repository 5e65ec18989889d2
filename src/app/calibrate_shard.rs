//! A calibration past one machine. A calibration is a chain of waves, each
//! drawn inside the box the wave before kept, so it is sharded wave by
//! wave, as `run` is sharded by run index:
//!
//! - `calibrate FILE --targets T --wave K --shard i/n` runs draws
//!   `floor(D·i/n) .. floor(D·(i+1)/n)` of wave K and writes their scored
//!   rows to `wave-K-shard-i-of-n.json` in `--out`. Wave K's draws are fixed
//!   by the seed and the box wave K−1 kept, which wave 2 onwards reads from
//!   `wave-K.json` in the same folder.
//! - `merge DIR/wave-K-shard-*.json` folds the wave's rows into the state
//!   exactly as the one-machine loop does, and writes `wave-(K+1).json` next
//!   to the shards; after the last wave (or a wave that kept nothing, which
//!   ends a calibration) it writes the files one machine's `calibrate`
//!   would have written, byte for byte.
//!
//! Why the bytes match: a draw's row depends only on the seed, the draw's
//! point and the setup (each draw runs its replications on its own), never
//! on which machine ran it; rows travel as JSON whose numbers read back to
//! the same bits (serde_json's `float_roundtrip`); and the fold is the
//! one-machine loop's own code (`Waves::fold`).
//!
//! Every file records the calibration's setup (scenario files and their
//! hashes, targets and its hash, `--set`, `--params`, draws, reps, waves,
//! cutoff, seed): shards, wave files and files on disk of another setup are
//! refused before anything is written.

use super::calibrate::{CalibratePlan, Prepared, Waves, conclude, guard, pool, prepare};
use super::calibrate::{run_wave, wave_points};
use super::plan::Plan;
use crate::engine::shard::Shard;
use crate::error::{Diagnostic, Error, Result};
use crate::report::{self, calibrate::DrawRow};
use crate::scenario::{Setting, fnv1a64};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const SHARD_FORMAT: &str = "dsrsim-calibrate-shard/1";
pub const WAVE_FORMAT: &str = "dsrsim-calibrate-wave/1";

/// Everything the result depends on besides the draws' own numbers. Two
/// files belong to one calibration when their setups are equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The scenario file as the command line named it (merge reads it
    /// again from there: run it from the same folder).
    file: String,
    /// The outputs' name (`calibrate-<file stem>`), for merge's default folder.
    stem: String,
    /// Every source file of the scenario (with `extends`) and its hash.
    files: Vec<(String, String)>,
    targets: String,
    targets_hash: String,
    /// `--set` as (flag, argument as written).
    set: Vec<(String, String)>,
    params: Vec<String>,
    draws: usize,
    reps: u64,
    waves: usize,
    cutoff: f64,
    seed: u64,
}

impl Setup {
    fn new(p: &CalibratePlan, prep: &Prepared, stem: &str) -> Setup {
        Setup {
            file: p.file.display().to_string(),
            stem: stem.to_string(),
            files: source_files(prep),
            targets: p.targets.display().to_string(),
            targets_hash: text_hash(&prep.targets.text),
            set: p
                .set
                .iter()
                .map(|s| (s.origin().to_string(), s.arg().to_string()))
                .collect(),
            params: p.params.to_vec(),
            draws: p.draws,
            reps: p.reps,
            waves: p.waves,
            cutoff: p.cutoff,
            seed: prep.seed,
        }
    }

    /// What differs from `other`, in the words of the command line.
    fn differences(&self, other: &Setup) -> String {
        let mut out = Vec::new();
        if self.file != other.file || self.files != other.files {
            out.push("scenario files");
        }
        if self.targets != other.targets || self.targets_hash != other.targets_hash {
            out.push("targets files");
        }
        let checks = [
            (self.set != other.set, "--set values"),
            (self.params != other.params, "--params"),
            (self.draws != other.draws, "--draws"),
            (self.reps != other.reps, "--reps"),
            (self.waves != other.waves, "--waves"),
            (self.cutoff.to_bits() != other.cutoff.to_bits(), "--cutoff"),
            (self.seed != other.seed, "seeds"),
            (self.stem != other.stem, "output names"),
        ];
        out.extend(checks.iter().filter(|(d, _)| *d).map(|(_, w)| *w));
        out.join(", ")
    }

    /// `this` says what `self` is ("this command line", "`a.json`").
    fn check_same(&self, other: &Setup, this: &str, that: &Path) -> Result<()> {
        if self == other {
            return Ok(());
        }
        Err(Diagnostic::new(format!(
            "{this} and `{}` belong to different calibrations: their {} differ",
            that.display(),
            self.differences(other)
        ))
        .in_file(that)
        .hint(SAME_SETUP)
        .into())
    }
}

const SAME_SETUP: &str = "every wave's shards and merges belong to one calibration: the same scenario and targets files, --set, --params, --draws, --reps, --waves, --cutoff and seed; start from an empty shard folder";

fn text_hash(text: &str) -> String {
    format!("{:016x}", fnv1a64(text.as_bytes()))
}

fn source_files(prep: &Prepared) -> Vec<(String, String)> {
    prep.world
        .scenario
        .files
        .iter()
        .map(|f| (f.path.display().to_string(), f.hash.clone()))
        .collect()
}

/// One shard's part of one wave. The field names and order are the file
/// format (`SHARD_FORMAT`).
#[derive(Debug, Serialize, Deserialize)]
pub struct CalibrationShard {
    format: String,
    dsrsim_version: String,
    setup: Setup,
    wave: usize,
    /// 0-based shard index and number of shards.
    shard: (u64, u64),
    /// The wave's draws it ran (0-based within the wave).
    draw_range: (u64, u64),
    /// The box the wave drew from, in prior quantiles.
    box_lo: Vec<f64>,
    box_hi: Vec<f64>,
    /// The calibration had ended before this wave: nothing was run.
    finished: bool,
    rows: Vec<DrawRow>,
}

/// The state a wave starts from (`wave-K.json`, K ≥ 2).
#[derive(Debug, Serialize, Deserialize)]
struct WaveFile {
    format: String,
    dsrsim_version: String,
    setup: Setup,
    wave: usize,
    state: Waves,
}

pub fn shard_file_name(wave: usize, shard: Shard) -> String {
    format!(
        "wave-{wave}-shard-{}-of-{}.json",
        shard.index(),
        shard.count()
    )
}

pub fn wave_file_name(wave: usize) -> String {
    format!("wave-{wave}.json")
}

/// Read a JSON file of `format`; `what` names it in errors.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, format: &str, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read {what} `{}`", path.display()), e))?;
    super::shard_set::parse(path, &text, format, what, HOW_SHARDS)
}

const HOW_SHARDS: &str = "a calibration's shards are written by `simulate calibrate FILE --targets T --wave K --shard i/n`, and merged one wave at a time: `simulate merge DIR/wave-K-shard-*.json`";

/// Read `wave-K.json` from `dir` and check it belongs to `setup`.
fn read_wave_file(dir: &Path, wave: usize, setup: &Setup, asker: &str) -> Result<Waves> {
    let path = dir.join(wave_file_name(wave));
    if !path.is_file() {
        return Err(Diagnostic::new(format!(
            "wave {wave} starts from `{}`, which is missing",
            path.display()
        ))
        .hint(format!(
            "it is written by merging wave {}'s shards: `simulate merge {}`; keep it next to the shards",
            wave - 1,
            dir.join(format!("wave-{}-shard-*.json", wave - 1)).display()
        ))
        .into());
    }
    let wf: WaveFile = read_json(&path, WAVE_FORMAT, "the start of a calibration wave")?;
    setup.check_same(&wf.setup, asker, &path)?;
    if wf.wave != wave {
        return Err(Diagnostic::new(format!(
            "`{}` says it starts wave {}, not wave {wave}",
            path.display(),
            wf.wave
        ))
        .in_file(&path)
        .into());
    }
    Ok(wf.state)
}

/// `simulate calibrate … --wave K --shard i/n`: run the shard's draws of
/// wave K and write them for `merge`.
pub fn shard_command(plan: &Plan, p: &CalibratePlan, wave: usize, shard: Shard) -> Result<()> {
    let started = std::time::Instant::now();
    let prep = prepare(p)?;
    if wave > p.waves {
        return Err(Error::usage(format!(
            "--wave {wave}: the calibration has {} wave{} (--waves)",
            p.waves,
            if p.waves == 1 { "" } else { "s" }
        )));
    }
    let setup = Setup::new(p, &prep, &plan.stem);
    let path = plan.out.join(shard_file_name(wave, shard));
    let state = if wave == 1 {
        Waves::start(prep.priors.len())
    } else {
        read_wave_file(&plan.out, wave, &setup, "this command line")?
    };
    let (range, rows) = if state.finished {
        (0..0, Vec::new())
    } else {
        let range = shard.range(p.draws as u64);
        let (a, b) = (range.start as usize, range.end as usize);
        let runs = ((b - a) as u64).saturating_mul(p.reps);
        let what = format!("wave {wave}'s shard ({} draws × {} runs)", b - a, p.reps);
        guard(p, &prep.world, runs, &what)?;
        let us = wave_points(prep.seed, wave, p.draws, &state.lo, &state.hi);
        let pool = pool(p.threads)?;
        let rows = run_wave(&pool, &prep, p, &us[a..b], (wave - 1) * p.draws + a, wave)?;
        (range, rows)
    };
    let file = CalibrationShard {
        format: SHARD_FORMAT.into(),
        dsrsim_version: env!("CARGO_PKG_VERSION").into(),
        setup,
        wave,
        shard: (shard.index(), shard.count()),
        draw_range: (range.start, range.end),
        box_lo: state.lo,
        box_hi: state.hi,
        finished: state.finished,
        rows,
    };
    let json = serde_json::to_string(&file).expect("calibration shards serialise");
    report::write_atomic(&path, json.as_bytes())?;
    for w in &prep.warnings {
        errln!("warning: {w}");
    }
    if !plan.quiet {
        let done = if state.finished {
            "the calibration ended before this wave: nothing to run".to_string()
        } else {
            format!("draws {}..{}", range.start, range.end)
        };
        errln!(
            "{}: wave {wave}, shard {}/{} ({done}) in {:.2} s -> {}\n  merge all {} shards of the wave with `simulate merge {}`",
            prep.world.scenario.name,
            shard.index(),
            shard.count(),
            started.elapsed().as_secs_f64(),
            path.display(),
            shard.count(),
            plan.out
                .join(format!("wave-{wave}-shard-*-of-{}.json", shard.count()))
                .display()
        );
    }
    Ok(())
}

/// The shards of one wave: read, checked to belong to one calibration and
/// one start of the wave, and to cover the wave's draws once.
#[derive(Debug)]
pub struct WaveShards {
    shards: Vec<(PathBuf, CalibrationShard)>,
}

impl WaveShards {
    pub fn read(paths: &[PathBuf]) -> Result<WaveShards> {
        let shards: Vec<(PathBuf, CalibrationShard)> = paths
            .iter()
            .map(|p| {
                read_json(p, SHARD_FORMAT, "a calibration wave's shard").map(|s| (p.clone(), s))
            })
            .collect::<Result<_>>()?;
        let Some((first_path, first)) = shards.first() else {
            return Err(Error::usage("merge needs at least one shard file"));
        };
        let n = first.shard.1;
        // A map, not a vector of n: n comes from a file.
        let mut seen = std::collections::BTreeMap::<u64, &Path>::new();
        for (path, s) in &shards {
            first
                .setup
                .check_same(&s.setup, &format!("`{}`", first_path.display()), path)?;
            let refuse = |message: String| -> Error {
                Diagnostic::new(message)
                    .in_file(path)
                    .hint("merge one wave at a time, every shard of it once: `simulate merge DIR/wave-K-shard-*-of-N.json`")
                    .into()
            };
            if s.wave == 0 || s.wave > s.setup.waves {
                return Err(refuse(format!(
                    "`{}` claims an impossible wave {} of {}",
                    path.display(),
                    s.wave,
                    s.setup.waves
                )));
            }
            if s.wave != first.wave {
                return Err(refuse(format!(
                    "`{}` is a shard of wave {} and `{}` of wave {}",
                    first_path.display(),
                    first.wave,
                    path.display(),
                    s.wave
                )));
            }
            if s.shard.1 != n {
                return Err(refuse(format!(
                    "`{}` is one of {n} shards and `{}` one of {}",
                    first_path.display(),
                    path.display(),
                    s.shard.1
                )));
            }
            if (&s.box_lo, &s.box_hi, s.finished) != (&first.box_lo, &first.box_hi, first.finished)
            {
                return Err(refuse(format!(
                    "`{}` and `{}` ran wave {} from different starts (another wave-{}.json)",
                    first_path.display(),
                    path.display(),
                    s.wave,
                    s.wave
                )));
            }
            let claimed = Shard::new(s.shard.0, n);
            let expected = claimed.map(|c| {
                if s.finished {
                    0..0
                } else {
                    c.range(s.setup.draws as u64)
                }
            });
            let rows_fit = s.rows.len() as u64 == s.draw_range.1.saturating_sub(s.draw_range.0);
            if expected != Some(s.draw_range.0..s.draw_range.1) || !rows_fit {
                return Err(refuse(format!(
                    "`{}` claims an impossible shard {}/{n} of wave {}",
                    path.display(),
                    s.shard.0,
                    s.wave
                )));
            }
            let i = s.shard.0;
            if let Some(other) = seen.get(&i) {
                return Err(refuse(format!(
                    "shard {i}/{n} of wave {} is given twice: `{}` and `{}`",
                    s.wave,
                    other.display(),
                    path.display()
                )));
            }
            seen.insert(i, path);
        }
        let absent = n - seen.len() as u64;
        if absent > 0 {
            let mut missing: Vec<String> = (0..n)
                .filter(|i| !seen.contains_key(i))
                .take(8)
                .map(|i| format!("{i}/{n}"))
                .collect();
            if absent > 8 {
                missing.push(format!("… ({absent} in all)"));
            }
            return Err(Diagnostic::new(format!(
                "shards of wave {} missing: {}",
                first.wave,
                missing.join(", ")
            ))
            .hint("merge needs every shard of the wave, so that every draw counts once")
            .into());
        }
        Ok(WaveShards { shards })
    }

    fn first(&self) -> &CalibrationShard {
        &self.shards[0].1
    }

    /// The outputs' name the shards recorded (`calibrate-<file stem>`).
    pub fn stem(&self) -> &str {
        &self.first().setup.stem
    }

    /// The folder of the first shard, where the wave files live.
    fn dir(&self) -> PathBuf {
        self.shards[0]
            .0
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf)
    }
}

/// `simulate merge DIR/wave-K-shard-*.json`: fold wave K into the state and
/// write what comes next: `wave-(K+1).json` next to the shards, and after
/// the last wave (or one that kept nothing) the calibration's files in `--out`.
pub fn merge_command(plan: &Plan, set: &WaveShards) -> Result<()> {
    let first = set.first();
    let setup = &first.setup;
    let wave = first.wave;
    let (file, targets) = (PathBuf::from(&setup.file), PathBuf::from(&setup.targets));
    let settings = setup
        .set
        .iter()
        .map(|(origin, arg)| Setting::parse(arg, origin))
        .collect::<Result<Vec<_>>>()?;
    let p = CalibratePlan {
        file: &file,
        set: &settings,
        targets: &targets,
        params: &setup.params,
        draws: setup.draws,
        reps: setup.reps,
        waves: setup.waves,
        cutoff: setup.cutoff,
        seed: Some(setup.seed),
        threads: 1,
        progress: false,
        yes: true,
    };
    let prep = prepare(&p)?;
    // The files are read again: they must be the ones the shards ran.
    let here = Setup::new(&p, &prep, &setup.stem);
    if here != *setup {
        return Err(Diagnostic::new(format!(
            "the {} changed since wave {wave}'s shards ran (`{}`)",
            here.differences(setup),
            set.shards[0].0.display()
        ))
        .hint("merge from the folder the shards ran in, with the files they ran; or run the calibration again")
        .into());
    }
    let dir = set.dir();
    let mut state = if wave == 1 {
        Waves::start(prep.priors.len())
    } else {
        read_wave_file(
            &dir,
            wave,
            setup,
            &format!("`{}`", set.shards[0].0.display()),
        )?
    };
    if (&state.lo, &state.hi, state.finished) != (&first.box_lo, &first.box_hi, first.finished) {
        return Err(Diagnostic::new(format!(
            "wave {wave}'s shards did not start from `{}`",
            dir.join(wave_file_name(wave)).display()
        ))
        .hint("a wave's shards must run after its start is written and before it is written again; run the wave's shards again")
        .into());
    }
    if !state.finished {
        let mut rows: Vec<DrawRow> = set
            .shards
            .iter()
            .flat_map(|(_, s)| s.rows.iter().cloned())
            .collect();
        rows.sort_by_key(|r| r.draw);
        let first_draw = (wave - 1) * setup.draws;
        let (dims, targets) = (prep.priors.len(), prep.targets.targets.len());
        let malformed = |(i, r): (usize, &DrawRow)| {
            r.draw != first_draw + i
                || r.wave != wave
                || r.u.len() != dims
                || r.values.len() != dims
                || [r.sims.len(), r.ses.len(), r.implausibility.len()] != [targets; 3]
        };
        if rows.len() != setup.draws || rows.iter().enumerate().any(malformed) {
            return Err(Diagnostic::new(format!(
                "the shards of wave {wave} do not hold its draws {}..{} once each (damaged shard files?)",
                first_draw,
                first_draw + setup.draws
            ))
            .into());
        }
        state.fold(wave, rows, &prep.targets, setup.cutoff, setup.draws)?;
    }
    let next = (wave < setup.waves).then(|| {
        let wf = WaveFile {
            format: WAVE_FORMAT.into(),
            dsrsim_version: env!("CARGO_PKG_VERSION").into(),
            setup: setup.clone(),
            wave: wave + 1,
            state: state.clone(),
        };
        (
            dir.join(wave_file_name(wave + 1)),
            serde_json::to_string(&wf).expect("wave files serialise"),
        )
    });
    let summary = state
        .waves
        .iter()
        .map(|w| format!("wave {}: {} of {} kept", w.wave, w.kept, w.draws))
        .collect::<Vec<_>>()
        .join(", ");
    let name = prep.world.scenario.name.clone();
    let outputs = if state.finished || wave == setup.waves {
        let c = conclude(prep, &p, state);
        let files = super::calibrate::files(&c, &plan.out)?;
        report::write_all(&plan.out, &files)?;
        for w in &c.warnings {
            errln!("warning: {w}");
        }
        Some(files)
    } else {
        None
    };
    if let Some((path, json)) = &next {
        report::write_atomic(path, json.as_bytes())?;
    }
    if !plan.quiet {
        let mut line = format!(
            "{name}: merged {} shards of wave {wave} ({summary})",
            set.shards.len()
        );
        if let Some((path, _)) = &next {
            line.push_str(&format!(
                "\n  wave {} starts from {}: run its shards with `--wave {}`{}",
                wave + 1,
                path.display(),
                wave + 1,
                if outputs.is_some() {
                    " (the calibration has ended: they have nothing to run)"
                } else {
                    ""
                }
            ));
        }
        if let Some(files) = &outputs {
            line.push_str(&format!(
                "\n  the calibration is done -> {}",
                super::describe_outputs(&plan.out, files)
            ));
        }
        errln!("{line}");
    }
    Ok(())
}
