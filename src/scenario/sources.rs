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
use crate::error::Diagnostic;
use std::path::PathBuf;
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
