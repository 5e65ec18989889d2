//! A distribution serialises as its exact TOML text (`0.3`,
//! `{ beta = [2.0, 8.0] }`), wrapped in a newtype named [`DIST_TOKEN`] so
//! that the resolved-file writer can put the text in unquoted, while
//! summary.json and the page show it as a string.

use super::dist::Dist;
use serde::{Serialize, Serializer};

/// The newtype name that marks a distribution's TOML text.
pub const DIST_TOKEN: &str = "$dsrsim::private::Dist";

pub struct DistText<'a>(pub &'a Dist);

impl Serialize for DistText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(DIST_TOKEN, &self.0.to_string())
    }
}
