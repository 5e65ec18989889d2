//! What every sharded command's `merge` checks of its files before it reads
//! their numbers, whatever they carry: the file's format, and that the
//! shards split one whole once (one shard count, each shard's range the one
//! its index gives, no shard twice, none missing).

use crate::engine::shard::Shard;
use crate::error::{Diagnostic, Error, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::Path;

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
