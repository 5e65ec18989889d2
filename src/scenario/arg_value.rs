//! The value of a command-line override (`KEY=VALUE`), read by the file's
//! own parser into whatever type its key takes, with spans into the
//! argument (see `sources.rs`).

use super::check::Checked;
use super::located::{At, FileId};
use crate::error::{Diagnostic, Position};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::Path;

/// The value of one override, decoded into whatever type its key takes.
pub(super) struct OverrideValue<'a> {
    pub file: FileId,
    /// The flag, which names the argument's source layer.
    pub origin: &'a str,
    pub arg: &'a str,
    /// Byte index of the `=` in `arg`.
    pub eq: usize,
    /// The value's bytes in `arg`, trimmed.
    pub value: Range<usize>,
}

#[derive(Deserialize)]
struct Doc<T> {
    x: At<T>,
}

impl OverrideValue<'_> {
    /// The value as the file's own parser reads it: a one-line TOML
    /// document `x   =VALUE` in which the value keeps its byte offsets from
    /// the argument, so spans need no mapping. A bare word (`2026-06`,
    /// `SRB`, `pro_eu`) that is not TOML is read as a string.
    pub fn decode<T: DeserializeOwned>(&self) -> Checked<At<T>> {
        let value = &self.arg[self.value.clone()];
        let as_written = format!("x{}{}", " ".repeat(self.eq - 1), &self.arg[self.eq..]);
        let first =
            super::located::with_current_file(self.file, || toml::from_str::<Doc<T>>(&as_written));
        let err = match first {
            Ok(doc) => return Ok(doc.x),
            Err(e) => e,
        };
        let structured = value.starts_with(['"', '\'', '{', '[']);
        if !structured && !value.contains(['"', '\\']) {
            // A bare word: read it as the string it spells, located at the word.
            let quoted = format!("x = \"{value}\"");
            let second =
                super::located::with_current_file(self.file, || toml::from_str::<Doc<T>>(&quoted));
            let at_value = |mut d: Diagnostic| {
                d.position = Some(Box::new(Position::of_span(self.arg, self.value.clone())));
                d
            };
            return match second {
                Ok(mut doc) => {
                    doc.x.loc.span = self.value.clone();
                    Ok(doc.x)
                }
                // A word where something else was expected.
                Err(e) => Err(at_value(super::sources::toml_error(
                    Path::new(self.origin),
                    self.arg,
                    &e,
                ))),
            };
        }
        Err(super::sources::toml_error(
            Path::new(self.origin),
            self.arg,
            &err,
        ))
    }
}
