//! The texts of every file read for one scenario, so that any later error
//! can quote its line. Both the loader (which fills it) and the checks
//! (which point into it) read this; neither needs the other.

use super::located::Loc;
use crate::error::Diagnostic;
use std::path::PathBuf;

pub(super) struct Sources {
    pub files: Vec<(PathBuf, String)>,
}

impl Sources {
    pub fn error(&self, loc: &Loc, message: impl Into<String>) -> Diagnostic {
        let (path, text) = &self.files[loc.file];
        Diagnostic::new(message).at(path, text, loc.span.clone())
    }
}
