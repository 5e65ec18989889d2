//! Key paths and overrides: one name for any value of a scenario
//! (`parameters.NAME`, `polity.ID.KEY`, `operator.ID.KEY`, `shock.ID.KEY`,
//! `scenario.KEY`) and `KEY=VALUE` settings that change it.
//!
//! A setting is parsed once ([`Setting::parse`]) and applied to the merged
//! raw file as its last layer, before the normal checks, so a value gets the
//! very checks it would get in a file. The names come from the catalogues:
//! the parameters (`params!`), the polity and operator keys (`raw_entry!`),
//! the shock keys (`raw_shock!` and each kind's `KEYS`).

use super::arg_value::OverrideValue;
use super::check::Checked;
use super::located::{At, FileId, Loc};
use super::params::{PARAMS, ParamId};
use super::raw::{RawFile, RawHeader, RawOperator, RawPolity, RawShock};
use super::shocks::{COMMON_KEYS, Key, KindSpec};
use crate::error::{Diagnostic, Result, did_you_mean};
use std::ops::Range;
use std::path::Path;

/// The tables a key path may start with.
const TABLES: &[&str] = &["parameters", "polity", "operator", "shock", "scenario"];

const FORMS: &str = "a key path is parameters.NAME (or NAME), polity.ID.KEY, operator.ID.KEY, shock.ID.KEY or scenario.KEY";

/// One `KEY=VALUE`, parsed: which value it names and the text it gives.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The flag it came from (`--set`, `--vary`), named in its errors.
    origin: String,
    /// The argument as written; errors quote it.
    arg: String,
    /// The value's bytes in `arg`, trimmed.
    value: Range<usize>,
    /// Byte index of the `=`.
    eq: usize,
    target: Target,
    canonical: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Target {
    Parameter {
        id: ParamId,
        name: Range<usize>,
    },
    Header(&'static str),
    Entry {
        table: Table,
        id: Range<usize>,
        key: Range<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Table {
    Polity,
    Operator,
    Shock,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Polity => "polity",
            Table::Operator => "operator",
            Table::Shock => "shock",
        }
    }
}

/// One override applied to a scenario: its canonical key and its value as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The flag it came from (`--set`, `--set-b`, `--vary`).
    pub origin: String,
    pub key: String,
    pub value: String,
}

impl Setting {
    /// `KEY=VALUE` from the command line; `origin` names the flag in errors.
    pub fn parse(arg: &str, origin: &str) -> Result<Setting> {
        let bad = |span: Range<usize>, message: String| -> crate::error::Error {
            Diagnostic::new(message)
                .at(Path::new(origin), arg, span)
                .into()
        };
        if arg.contains('\n') {
            return Err(bad(
                0..arg.len(),
                format!("`{origin}` takes one line, KEY=VALUE"),
            ));
        }
        let Some(eq) = arg.find('=') else {
            return Err(Diagnostic::new(format!("missing `=` in `{arg}`"))
                .at(Path::new(origin), arg, arg.len()..arg.len())
                .hint(format!(
                    "write KEY=VALUE, e.g. {origin} shock.srb-government-change.probability=0.8"
                ))
                .into());
        };
        let key = trimmed(arg, 0..eq);
        let value = trimmed(arg, eq + 1..arg.len());
        if key.is_empty() {
            return Err(Diagnostic::new("missing key before `=`")
                .at(Path::new(origin), arg, eq..eq + 1)
                .hint(FORMS)
                .into());
        }
        if value.is_empty() {
            return Err(Diagnostic::new("missing value after `=`")
                .at(Path::new(origin), arg, eq..eq + 1)
                .hint("the value is what the file would take: a number, a date, true/false, a word or a distribution such as { beta = [6, 3] }")
                .into());
        }
        let segments = split_segments(arg, key.clone());
        let text = |r: &Range<usize>| &arg[r.clone()];
        let unknown_hint = |word: &str, candidates: Vec<String>| {
            did_you_mean(word, candidates.iter().map(String::as_str))
        };
        let target = if segments.len() == 1 {
            let word = text(&segments[0]);
            match ParamId::by_name(word) {
                Some(id) => Target::Parameter {
                    id,
                    name: segments[0].clone(),
                },
                None if TABLES.contains(&word) => {
                    return Err(Diagnostic::new(format!("`{word}` alone names no value"))
                        .at(Path::new(origin), arg, segments[0].clone())
                        .hint(FORMS)
                        .into());
                }
                None => {
                    let hint =
                        unknown_hint(word, PARAMS.iter().map(|p| p.name.to_string()).collect())
                            .unwrap_or_else(|| FORMS.to_string());
                    return Err(Diagnostic::new(format!("unknown parameter `{word}`"))
                        .at(Path::new(origin), arg, segments[0].clone())
                        .hint(hint)
                        .into());
                }
            }
        } else {
            let table = text(&segments[0]);
            let last = segments.last().expect("two or more").clone();
            match table {
                "parameters" | "scenario" if segments.len() > 2 => {
                    return Err(bad(
                        segments[2].start..key.end,
                        format!("`{table}.KEY` takes one key after `{table}.`"),
                    ));
                }
                "parameters" => {
                    let name = text(&last);
                    let id = ParamId::by_name(name).ok_or_else(|| -> crate::error::Error {
                        Diagnostic::new(format!("unknown parameter `{name}`"))
                            .at(Path::new(origin), arg, last.clone())
                            .hint(
                                unknown_hint(
                                    name,
                                    PARAMS.iter().map(|p| p.name.to_string()).collect(),
                                )
                                .unwrap_or_else(|| {
                                    "the parameters are listed in docs/FORMAT.md".into()
                                }),
                            )
                            .into()
                    })?;
                    Target::Parameter { id, name: last }
                }
                "scenario" => {
                    let name = text(&last);
                    let Some(&k) = RawHeader::SETTABLE.iter().find(|k| **k == name) else {
                        return Err(Diagnostic::new(format!("`scenario.{name}` cannot be set"))
                            .at(Path::new(origin), arg, last.clone())
                            .hint(
                                unknown_hint(
                                    name,
                                    RawHeader::SETTABLE.iter().map(|k| k.to_string()).collect(),
                                )
                                .unwrap_or_else(|| {
                                    format!(
                                        "`scenario.KEY` sets one of: {}",
                                        RawHeader::SETTABLE.join(", ")
                                    )
                                }),
                            )
                            .into());
                    };
                    Target::Header(k)
                }
                "polity" | "operator" | "shock" => {
                    if segments.len() < 3 {
                        return Err(Diagnostic::new(format!(
                            "`{}` needs an id and a key: {table}.ID.KEY",
                            text(&key)
                        ))
                        .at(Path::new(origin), arg, key.clone())
                        .hint(FORMS)
                        .into());
                    }
                    let table = match table {
                        "polity" => Table::Polity,
                        "operator" => Table::Operator,
                        _ => Table::Shock,
                    };
                    let name = text(&last);
                    if name == "id" {
                        return Err(bad(
                            last,
                            format!("an override cannot change a {}'s id", table.name()),
                        ));
                    }
                    let keys = match table {
                        Table::Polity => Some(RawPolity::KEYS),
                        Table::Operator => Some(RawOperator::KEYS),
                        // A shock's keys depend on its kind: checked when applied.
                        Table::Shock => None,
                    };
                    if let Some(keys) = keys
                        && !keys.contains(&name)
                    {
                        return Err(Diagnostic::new(format!(
                            "unknown {} key `{name}`",
                            table.name()
                        ))
                        .at(Path::new(origin), arg, last.clone())
                        .hint(key_hint(name, keys.iter().copied()))
                        .into());
                    }
                    Target::Entry {
                        table,
                        id: segments[1].start..segments[segments.len() - 2].end,
                        key: last,
                    }
                }
                other => {
                    let hint = unknown_hint(other, TABLES.iter().map(|t| t.to_string()).collect())
                        .unwrap_or_else(|| FORMS.to_string());
                    return Err(Diagnostic::new(format!("unknown table `{other}`"))
                        .at(Path::new(origin), arg, segments[0].clone())
                        .hint(hint)
                        .into());
                }
            }
        };
        let canonical = match &target {
            Target::Parameter { id, .. } => format!("parameters.{}", id.name()),
            Target::Header(k) => format!("scenario.{k}"),
            Target::Entry { table, id, key } => {
                format!("{}.{}.{}", table.name(), text(id), text(key))
            }
        };
        Ok(Setting {
            origin: origin.to_string(),
            arg: arg.to_string(),
            value,
            eq,
            target,
            canonical,
        })
    }

    /// A setting made by a program (a sweep point): the key path and the
    /// value's TOML text, as if `KEY=VALUE` had been written.
    pub fn new(key: &str, value_toml: &str, origin: &str) -> Result<Setting> {
        Setting::parse(&format!("{key}={value_toml}"), origin)
    }

    /// The canonical key path (`parameters.eu_conditionality` even when
    /// written bare).
    pub fn key(&self) -> &str {
        &self.canonical
    }

    /// The value as written (trimmed).
    pub fn value(&self) -> &str {
        &self.arg[self.value.clone()]
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The argument as written.
    pub fn arg(&self) -> &str {
        &self.arg
    }

    /// What the scenario records of it.
    pub fn to_override(&self) -> Override {
        Override {
            origin: self.origin.clone(),
            key: self.canonical.clone(),
            value: self.value().to_string(),
        }
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message).at(Path::new(&self.origin), &self.arg, span)
    }

    /// Set the value in the merged raw file; `file` is the source layer
    /// made of this setting's argument ([`super::sources::Sources::add_argument`]).
    pub(super) fn apply(&self, raw: &mut RawFile, file: FileId) -> Checked<()> {
        let v = OverrideValue {
            file,
            origin: &self.origin,
            arg: &self.arg,
            eq: self.eq,
            value: self.value.clone(),
        };
        match &self.target {
            Target::Parameter { id, name } => {
                let name = At {
                    value: id.name().to_string(),
                    loc: Loc {
                        file,
                        span: name.clone(),
                    },
                };
                let value = v.decode()?;
                let params = raw.parameters.get_or_insert_with(Default::default);
                // An equal key stays in place; its value is replaced.
                params.remove(&name);
                params.insert(name, value);
            }
            Target::Header(k) => {
                let set = raw
                    .scenario
                    .get_or_insert_with(Default::default)
                    .set(k, &v)?;
                debug_assert!(set, "SETTABLE keys are settable");
            }
            Target::Entry { table, id, key } => {
                let id_text = &self.arg[id.clone()];
                let key_text = &self.arg[key.clone()];
                let ids: Vec<&str> = match table {
                    Table::Polity => raw.polity.iter().map(|p| p.id.value.as_str()).collect(),
                    Table::Operator => raw.operator.iter().map(|o| o.id.value.as_str()).collect(),
                    Table::Shock => raw
                        .shock
                        .iter()
                        .filter_map(|s| s.id.as_ref().map(|i| i.value.as_str()))
                        .collect(),
                };
                let Some(_) = ids.iter().position(|i| *i == id_text) else {
                    let t = table.name();
                    let paths: Vec<String> = ids.iter().map(|i| format!("{t}.{i}")).collect();
                    let hint =
                        did_you_mean(&format!("{t}.{id_text}"), paths.iter().map(String::as_str))
                            .unwrap_or_else(|| {
                                if ids.is_empty() {
                                    format!("the scenario has no {t} with an id")
                                } else {
                                    format!("known {t} ids: {}", ids.join(", "))
                                }
                            });
                    return Err(self
                        .error(id.clone(), format!("unknown {t} `{id_text}`"))
                        .hint(hint));
                };
                let set = match table {
                    Table::Polity => raw
                        .polity
                        .iter_mut()
                        .find(|p| p.id.value == id_text)
                        .expect("found above")
                        .set(key_text, &v)?,
                    Table::Operator => raw
                        .operator
                        .iter_mut()
                        .find(|o| o.id.value == id_text)
                        .expect("found above")
                        .set(key_text, &v)?,
                    Table::Shock => {
                        let shock = raw
                            .shock
                            .iter_mut()
                            .find(|s| s.id.as_ref().is_some_and(|i| i.value == id_text))
                            .expect("found above");
                        self.check_shock_key(shock, id_text, key.clone())?;
                        shock.set(key_text, &v)?
                    }
                };
                debug_assert!(set, "the key was checked against the table's keys");
            }
        }
        Ok(())
    }

    /// A shock takes the common keys and its kind's own.
    fn check_shock_key(&self, shock: &RawShock, id: &str, key: Range<usize>) -> Checked<()> {
        let name = &self.arg[key.clone()];
        let spec = shock
            .kind
            .as_ref()
            .and_then(|k| KindSpec::by_name(&k.value));
        let kind_keys = spec.map_or(&[][..], |s| s.keys);
        let takes = |k: &str| {
            COMMON_KEYS.contains(&k) || Key::by_name(k).is_some_and(|k| kind_keys.contains(&k))
        };
        if takes(name) {
            return Ok(());
        }
        let allowed = COMMON_KEYS
            .iter()
            .copied()
            .filter(|k| *k != "id")
            .chain(kind_keys.iter().map(|k| k.name()));
        let kind = spec.map_or("?", |s| s.name);
        let message = if Key::by_name(name).is_some() {
            format!("`{name}` does not apply to shock `{id}` (a `{kind}` shock)")
        } else {
            format!("unknown key `{name}` for shock `{id}` (a `{kind}` shock)")
        };
        Err(self.error(key, message).hint(key_hint(name, allowed)))
    }
}

/// "did you mean `x`?", else the list of keys.
fn key_hint<'a>(word: &str, keys: impl Iterator<Item = &'a str> + Clone) -> String {
    did_you_mean(word, keys.clone()).unwrap_or_else(|| {
        format!(
            "keys here: {}",
            keys.map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// `range` of `text` without the spaces at either end.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// The dot-separated segments of `key` in `text`, each trimmed.
fn split_segments(text: &str, key: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = key.start;
    for (i, c) in text[key.clone()].char_indices() {
        if c == '.' {
            out.push(trimmed(text, start..key.start + i));
            start = key.start + i + 1;
        }
    }
    out.push(trimmed(text, start..key.end));
    out
}
