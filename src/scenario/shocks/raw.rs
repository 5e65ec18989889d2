//! A `[[shock]]` table as written: one flat struct, so that `extends` can
//! replace shocks by id and an unknown key gets serde's list of every key.
//! The keys beyond the common ones are listed once, here, as [`Key`]s; each
//! kind names the ones it takes.

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
        }

        impl RawShock {
            /// The kind-specific keys written, in declaration order.
            pub fn present_keys(&self) -> Vec<(Key, Loc)> {
                let mut out = Vec::new();
                $( if let Some(v) = &self.$key { out.push((Key::$variant, v.loc.clone())); } )*
                out
            }
        }
    };
}

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
