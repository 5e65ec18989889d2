//! The texts of every file read for one scenario, so that any later error
//! can quote its line. Both the loader (which fills it) and the checks
//! (which point into it) read this; neither needs the other.
//!
//! A command-line override (`--set KEY=VALUE`) is a source layer of its
//! own: its "file" is named by the flag (`--set`) and its text is the
//! argument itself, one line. Its value is decoded from a document laid out
//! so that every byte of the value sits at the same offset as in the
//! argument ([`super::keypath`]), so any span into it — from the decoder or
//! from the file's own checks — is a span into the argument, and an error
//! reads `--set:1:COLUMN` with the argument as its source line.

use super::located::{FileId, Loc};
use crate::error::{Diagnostic, did_you_mean};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Texts are shared, so that resolving a read scenario many times with
/// different overrides copies no file.
#[derive(Debug, Clone, Default)]
pub(super) struct Sources {
    pub files: Vec<(PathBuf, Arc<str>)>,
}

impl Sources {
    pub fn error(&self, loc: &Loc, message: impl Into<String>) -> Diagnostic {
        let (path, text) = &self.files[loc.file];
        Diagnostic::new(message).at(path, text, loc.span.clone())
    }

    /// A command-line argument as a source layer: named by its flag.
    pub fn add_argument(&mut self, origin: &str, arg: &str) -> FileId {
        self.files.push((PathBuf::from(origin), Arc::from(arg)));
        self.files.len() - 1
    }
}

/// Turn toml's message into ours: the key, what was expected, a suggestion.
pub(super) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Diagnostic {
    let raw_message = e.message().trim();
    let mut message = raw_message.to_string();
    let mut hint = None;
    if let Some(rest) = raw_message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        message = format!("unknown key `{key}`");
        hint = did_you_mean(key, expected.iter().copied()).or_else(|| {
            (!expected.is_empty()).then(|| format!("allowed keys here: {}", expected.join(", ")))
        });
    } else if let Some(rest) = raw_message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        message = format!("missing required key `{key}` in this table");
    } else {
        for (from, to) in [
            ("expected f64", "expected a number"),
            ("expected i64", "expected a whole number"),
            ("expected u64", "expected a whole number ≥ 0"),
            ("expected a boolean", "expected true or false"),
            ("expected a sequence", "expected an array [ ... ]"),
        ] {
            message = message.replace(from, to);
        }
        let written = e
            .span()
            .and_then(|s| text.get(s))
            .unwrap_or_default()
            .trim();
        if raw_message.starts_with("invalid type: map, expected a sequence") {
            // `[shock]` where the file lists shocks: `[[shock]]`.
            let table = written.trim_matches(|c| c == '[' || c == ']').trim();
            if ["shock", "polity", "operator", "outcome", "lever"].contains(&table) {
                message = format!("`[{table}]` is one table, but a file lists {table}s");
                hint = Some(format!(
                    "write `[[{table}]]` (two brackets) for each {table}"
                ));
            }
        } else if raw_message.starts_with("invalid type: map, expected") && written.starts_with('{')
        {
            hint = Some(
                "this key takes a plain number, not a distribution: write e.g. `0.5` (docs/FORMAT.md says which keys take distributions)".into(),
            );
        }
    }
    let d = match e.span() {
        Some(span) => Diagnostic::new(message).at(path, text, span),
        None => Diagnostic::new(message).in_file(path),
    };
    d.maybe_hint(hint)
}
