//! A `[[shock]]` table as written: one flat struct, so that `extends` can
//! replace shocks by id and an unknown key gets serde's list of every key.
//! The keys beyond the common ones are listed once, here, as [`Key`]s; each
//! kind names the ones it takes.

use crate::scenario::arg_value::OverrideValue;
use crate::scenario::check::Checked;
use crate::scenario::dist::Dist;
use crate::scenario::located::{At, Loc};
use serde::Deserialize;

type Opt<T> = Option<At<T>>;

macro_rules! raw_shock {
    (
        common { $( $(#[$cdoc:meta])* $common:ident: $cty:ty, )* }
        keys { $( $variant:ident $key:ident: $kty:ty, )* }
    ) => {
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawShock {
            $( $(#[$cdoc])* pub $common: Opt<$cty>, )*
            $( pub $key: Opt<$kty>, )*
        }

        /// A key that belongs to some kinds of shock and not to others.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $( $variant ),* }

        /// The keys every shock takes, whatever its kind.
        pub const COMMON_KEYS: &[&str] = &[ $( stringify!($common) ),* ];

        impl Key {
            pub fn name(self) -> &'static str {
                match self { $( Key::$variant => stringify!($key) ),* }
            }

            pub fn by_name(name: &str) -> Option<Key> {
                match name { $( stringify!($key) => Some(Key::$variant), )* _ => None }
            }
        }

        impl RawShock {
            /// Key-by-key override of a shock restated by id; `id` and
            /// `kind` are the child's (the caller has checked the kinds agree).
            /// Returns the keys taken from the parent.
            pub fn inherit(&mut self, p: &RawShock) -> Vec<&'static str> {
                // A child that gives one of two alternatives (a `date`) does
                // not also get the parent's other one (its `window`).
                let mut p = p.clone();
                for (a, b) in ALTERNATIVES {
                    if self.has(a) {
                        p.clear(b);
                    }
                    if self.has(b) {
                        p.clear(a);
                    }
                }
                let mut taken = Vec::new();
                $( if self.$common.is_none() && p.$common.is_some() {
                    self.$common = p.$common.clone();
                    taken.push(stringify!($common));
                } )*
                $( if self.$key.is_none() && p.$key.is_some() {
                    self.$key = p.$key.clone();
                    taken.push(stringify!($key));
                } )*
                taken
            }

            /// Set `key` to the value an override gives; false for no such key.
            /// Setting one of two alternatives drops the other.
            pub(in crate::scenario) fn set(&mut self, key: &str, v: &OverrideValue) -> Checked<bool> {
                match key {
                    $( stringify!($common) => self.$common = Some(v.decode()?), )*
                    $( stringify!($key) => self.$key = Some(v.decode()?), )*
                    _ => return Ok(false),
                }
                for (a, b) in ALTERNATIVES {
                    if key == *a {
                        self.clear(b);
                    } else if key == *b {
                        self.clear(a);
                    }
                }
                Ok(true)
            }

            /// The keys written, `id` aside, in declaration order.
            pub fn written(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $( if self.$common.is_some() && stringify!($common) != "id" {
                    out.push(stringify!($common));
                } )*
                $( if self.$key.is_some() { out.push(stringify!($key)); } )*
                out
            }

            fn has(&self, key: &str) -> bool {
                match key {
                    $( stringify!($common) => self.$common.is_some(), )*
                    $( stringify!($key) => self.$key.is_some(), )*
                    _ => false,
                }
            }

            fn clear(&mut self, key: &str) {
                match key {
                    $( stringify!($common) => self.$common = None, )*
                    $( stringify!($key) => self.$key = None, )*
                    _ => {}
                }
            }

            /// The kind-specific keys written, in declaration order.
            pub fn present_keys(&self) -> Vec<(Key, Loc)> {
                let mut out = Vec::new();
                $( if let Some(v) = &self.$key { out.push((Key::$variant, v.loc.clone())); } )*
                out
            }
        }
    };
}

/// Keys of which a shock gives one or the other, never both: restating or
/// overriding one replaces the other.
pub const ALTERNATIVES: &[(&str, &str)] = &[("date", "window"), ("advantage", "delta")];

raw_shock! {
    common {
        id: String,
        kind: String,
        /// Free text shown on the timeline.
        label: String,
        date: String,
        window: Vec<String>,
        probability: f64,
        requires: String,
    }
    keys {
        Polity polity: String,
        Polities polities: Vec<String>,
        Operator operator: String,
        Operators operators: Vec<String>,
        Target target: Dist,
        Jump jump: f64,
        Stages stages: i64,
        PhaseOutYears phase_out_years: Dist,
        Owner owner: String,
        OwnerAlignment owner_alignment: Dist,
        Severity severity: Dist,
        Advantage advantage: Dist,
        Delta delta: Dist,
        Level level: Dist,
        Generation generation: String,
        Vendor vendor: String,
        Share share: f64,
    }
}
