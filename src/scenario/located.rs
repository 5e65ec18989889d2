//! A value with the place it was written (file and byte span), so that
//! every check after parsing can still point at its line.

use serde::{Deserialize, Deserializer};
use std::cell::Cell;
use std::ops::Range;

/// Index into the list of files read for one scenario.
pub type FileId = usize;

thread_local! {
    /// The file being deserialised, so that every `At<T>` knows where it came
    /// from without threading the id through serde.
    static CURRENT_FILE: Cell<FileId> = const { Cell::new(0) };
}

pub fn with_current_file<T>(file: FileId, f: impl FnOnce() -> T) -> T {
    CURRENT_FILE.with(|c| c.set(file));
    f()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: FileId,
    pub span: Range<usize>,
}

/// A value with the place it was written.
#[derive(Debug, Clone)]
pub struct At<T> {
    pub value: T,
    pub loc: Loc,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = toml::Spanned::<T>::deserialize(d)?;
        Ok(At {
            loc: Loc {
                file: CURRENT_FILE.with(Cell::get),
                span: spanned.span(),
            },
            value: spanned.into_inner(),
        })
    }
}

impl<T: PartialEq> PartialEq for At<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for At<T> {}
impl<T: Ord> PartialOrd for At<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: Ord> Ord for At<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}
