//! What every sharded command's `merge` checks of its files before it reads
//! their numbers, whatever they carry: the file's format, one setup (and
//! the scenario files unchanged since), and that the shards split one whole
//! once (one shard count, each shard's range the one its index gives, no
//! shard twice, none missing).

use crate::engine::shard::Shard;
use crate::error::{Diagnostic, Error, Result};
use crate::model::World;
use crate::scenario::Setting;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `format` a file declares, if it is JSON with one.
pub fn format_of(path: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Peek {
        format: String,
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Peek>(&t).ok())
        .map(|p| p.format)
}

/// A format in words, for "`x.json` is not …: it is …".
fn kind(format: &str) -> String {
    let known = [
        ("dsrsim-shard/", "a shard of `simulate run`"),
        ("dsrsim-calibrate-shard/", "a calibration wave's shard"),
        (
            "dsrsim-calibrate-wave/",
            "the start of a calibration wave, which merge finds next to the shards itself",
        ),
        ("dsrsim-sweep-shard/", "a shard of `simulate sweep`"),
        (
            "dsrsim-sensitivity-shard/",
            "a shard of `simulate sensitivity`",
        ),
    ];
    known
        .iter()
        .find(|(prefix, _)| format.starts_with(prefix))
        .map_or_else(|| format!("of format `{format}`"), |(_, k)| k.to_string())
}

/// `text` (of `path`) as a `T` of `format`. `what` names such a file ("a
/// sweep's shard"), `how` says how they are made and merged.
pub fn parse<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    format: &str,
    what: &str,
    how: &str,
) -> Result<T> {
    #[derive(Deserialize)]
    struct Peek {
        format: String,
    }
    let not_ours = |e: String| -> Error {
        Diagnostic::new(format!("`{}` is not {what}: {e}", path.display()))
            .in_file(path)
            .hint(how)
            .into()
    };
    let peek: Peek = serde_json::from_str(text).map_err(|e| not_ours(e.to_string()))?;
    if peek.format != format {
        return Err(not_ours(format!(
            "it is {}; merge one command's shards at a time",
            kind(&peek.format)
        )));
    }
    serde_json::from_str(text).map_err(|e| not_ours(format!("damaged: {e}")))
}

/// One file's claim: shard `index` of `count`, items `range` of `total`.
pub struct Claim<'a> {
    pub path: &'a Path,
    pub index: u64,
    pub count: u64,
    pub range: (u64, u64),
    pub total: u64,
}

/// The claims split `0..total` once. `items` names what is split
/// ("replications"); `hint` is how to merge these files right.
pub fn check_cover(claims: &[Claim], items: &str, hint: &str) -> Result<()> {
    let Some(first) = claims.first() else {
        return Err(Error::usage("merge needs at least one shard file"));
    };
    let n = first.count;
    // A map, not a vector of n: n comes from a file.
    let mut seen = BTreeMap::<u64, &Path>::new();
    for c in claims {
        let refuse = |message: String| -> Error {
            Diagnostic::new(message).in_file(c.path).hint(hint).into()
        };
        if c.count != n {
            return Err(refuse(format!(
                "`{}` is one of {n} shards and `{}` one of {}",
                first.path.display(),
                c.path.display(),
                c.count
            )));
        }
        let expected = Shard::new(c.index, n).map(|s| s.range(c.total));
        if c.total != first.total || expected != Some(c.range.0..c.range.1) {
            return Err(refuse(format!(
                "`{}` claims an impossible shard {}/{n} of {} {items}",
                c.path.display(),
                c.index,
                c.total
            )));
        }
        if let Some(other) = seen.insert(c.index, c.path) {
            return Err(refuse(format!(
                "shard {}/{n} is given twice: `{}` and `{}`",
                c.index,
                other.display(),
                c.path.display()
            )));
        }
    }
    let missing = n - seen.len() as u64;
    if missing > 0 {
        let absent: Vec<String> = (0..n)
            .filter(|i| !seen.contains_key(i))
            .take(5)
            .map(|i| i.to_string())
            .collect();
        return Err(Diagnostic::new(format!(
            "{missing} of {n} shards are missing (shard {}{})",
            absent.join(", "),
            if missing > 5 { ", …" } else { "" }
        ))
        .hint("run the missing shards with the same command line and --shard i/n, then merge them all")
        .into());
    }
    Ok(())
}

/// What every sharded design's setup holds besides its own flags: the
/// scenario as the command line named it (merge reads it again from there)
/// with every source file's hash, `--set` as written, the outputs' name and
/// the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sources {
    file: String,
    /// The outputs' name (`sweep-<file stem>`, …), for merge's default folder.
    pub stem: String,
    /// Every source file of the scenario (with `extends`) and its hash.
    files: Vec<(String, String)>,
    /// `--set` as (flag, argument as written).
    set: Vec<(String, String)>,
    pub seed: u64,
}

impl Sources {
    pub fn new(file: &Path, stem: &str, world: &World, set: &[Setting], seed: u64) -> Sources {
        Sources {
            file: file.display().to_string(),
            stem: stem.to_string(),
            files: world
                .scenario
                .files
                .iter()
                .map(|f| (f.path.display().to_string(), f.hash.clone()))
                .collect(),
            set: set
                .iter()
                .map(|s| (s.origin().to_string(), s.arg().to_string()))
                .collect(),
            seed,
        }
    }

    pub fn file(&self) -> PathBuf {
        PathBuf::from(&self.file)
    }

    /// `--set` read again from the file's words.
    pub fn settings(&self) -> Result<Vec<Setting>> {
        self.set
            .iter()
            .map(|(origin, arg)| Setting::parse(arg, origin))
            .collect()
    }

    /// What differs from `other`, in the words of the command line.
    pub fn differences(&self, other: &Sources) -> Vec<&'static str> {
        let checks = [
            (
                self.file != other.file || self.files != other.files,
                "scenario files",
            ),
            (self.set != other.set, "--set values"),
            (self.seed != other.seed, "seeds"),
            (self.stem != other.stem, "output names"),
        ];
        checks.iter().filter(|(d, _)| *d).map(|(_, w)| *w).collect()
    }
}

/// A command's setup, compared across its shards.
pub trait Setup: PartialEq {
    /// What differs from `other`, in the words of the command line.
    fn differences(&self, other: &Self) -> String;
}

/// Every shard's setup is the first's. `kind` names the results in the
/// plural ("sweeps"); `hint` is how to merge right.
pub fn same_setup<S: Setup>(setups: &[(&Path, &S)], kind: &str, hint: &str) -> Result<()> {
    let Some((first_path, first)) = setups.first() else {
        return Ok(());
    };
    for (path, s) in setups {
        if s != first {
            return Err(Diagnostic::new(format!(
                "`{}` and `{}` belong to different {kind}: their {} differ",
                first_path.display(),
                path.display(),
                first.differences(s)
            ))
            .in_file(path)
            .hint(hint)
            .into());
        }
    }
    Ok(())
}

/// The setup of the files merge has just read again (`here`) is the one
/// the shards ran (`ran`, read from `first`).
pub fn unchanged<S: Setup>(here: &S, ran: &S, first: &Path, again: &str) -> Result<()> {
    if here == ran {
        return Ok(());
    }
    Err(Diagnostic::new(format!(
        "the {} changed since the shards ran (`{}`)",
        here.differences(ran),
        first.display()
    ))
    .hint(format!(
        "merge from the folder the shards ran in, with the files they ran; or run the {again} again"
    ))
    .into())
}

/// Every file of `paths`, read and parsed by `parse`.
pub fn read_all<T>(
    paths: &[PathBuf],
    parse: fn(&Path, &str) -> Result<T>,
) -> Result<Vec<(PathBuf, T)>> {
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
            Ok((path.clone(), parse(path, &text)?))
        })
        .collect()
}

/// Write a shard's file `PREFIX-shard-i-of-n.json` into `out` (whole or
/// not at all) and, unless quiet, say what ran and how to merge.
/// `what` says what the shard ran ("groups 0..4 of 12").
pub struct Written<'a> {
    pub out: &'a Path,
    pub prefix: &'a str,
    pub shard: Shard,
    pub quiet: bool,
    pub scenario: &'a str,
    pub what: String,
    pub started: std::time::Instant,
}

impl Written<'_> {
    pub fn write<T: Serialize>(&self, file: &T) -> Result<()> {
        let (i, n) = (self.shard.index(), self.shard.count());
        let path = self
            .out
            .join(format!("{}-shard-{i}-of-{n}.json", self.prefix));
        let json = serde_json::to_string(file).expect("shard files serialise");
        crate::report::write_atomic(&path, json.as_bytes())?;
        if !self.quiet {
            errln!(
                "{}: {} shard {i}/{n} ({}) in {:.2} s -> {}\n  merge all {n} shards with `simulate merge {}`",
                self.scenario,
                self.prefix,
                self.what,
                self.started.elapsed().as_secs_f64(),
                path.display(),
                self.out
                    .join(format!("{}-shard-*-of-{n}.json", self.prefix))
                    .display()
            );
        }
        Ok(())
    }
}
