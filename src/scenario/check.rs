//! The checks every part of a scenario shares: a number or distribution in
//! its domain, a month, an id among the known ones; each failure a
//! diagnostic pointing at the value as written.

use super::dist::{Dist, Domain};
use super::located::{At, Loc};
use super::sources::Sources;
use super::time::Month;
use super::{Operator, Polity};
use crate::error::{Diagnostic, did_you_mean};

pub(super) struct Checker<'a> {
    pub sources: &'a Sources,
    pub warnings: Vec<String>,
}

pub(super) type Checked<T> = std::result::Result<T, Diagnostic>;

impl<'a> Checker<'a> {
    pub fn new(sources: &'a Sources) -> Self {
        Checker {
            sources,
            warnings: Vec::new(),
        }
    }

    pub fn err(&self, loc: &Loc, message: impl Into<String>) -> Diagnostic {
        self.sources.error(loc, message)
    }

    pub fn warn(&mut self, loc: &Loc, message: impl Into<String>) {
        let (path, text) = &self.sources.files[loc.file];
        let pos = crate::error::Position::of_span(text, loc.span.clone());
        self.warnings.push(format!(
            "{}:{}:{}: {}",
            path.display(),
            pos.line,
            pos.column,
            message.into()
        ));
    }

    pub fn number(&self, v: &At<f64>, key: &str, domain: Domain) -> Checked<f64> {
        if !v.value.is_finite() {
            return Err(self.err(
                &v.loc,
                format!("`{key}` must be a finite number, found {}", v.value),
            ));
        }
        if !domain.contains(v.value) {
            return Err(self.err(
                &v.loc,
                format!(
                    "`{key}` = {} is out of range: expected {}",
                    v.value,
                    domain.describe()
                ),
            ));
        }
        Ok(v.value)
    }

    pub fn dist(&self, v: &At<Dist>, key: &str, domain: Domain) -> Checked<Dist> {
        v.value
            .within(domain)
            .map_err(|m| self.err(&v.loc, format!("`{key}`: {m}")))
    }

    pub fn opt_dist(
        &self,
        v: &Option<At<Dist>>,
        key: &str,
        domain: Domain,
        default: f64,
    ) -> Checked<Dist> {
        match v {
            Some(v) => self.dist(v, key, domain),
            None => Ok(Dist::Const(default)),
        }
    }

    /// One of a fixed list of words, or an error naming them.
    pub fn word<T: Copy>(&self, at: &At<String>, key: &str, words: &[(&str, T)]) -> Checked<T> {
        words
            .iter()
            .find(|(w, _)| *w == at.value)
            .map(|(_, x)| *x)
            .ok_or_else(|| {
                let list: Vec<String> = words.iter().map(|(w, _)| format!("\"{w}\"")).collect();
                self.err(&at.loc, format!("`{}` is not a `{key}`", at.value))
                    .hint(format!("one of: {}", list.join(", ")))
            })
    }

    pub fn month(&self, v: &At<String>) -> Checked<Month> {
        Month::parse(&v.value).map_err(|m| self.err(&v.loc, m))
    }

    pub fn polity(&self, polities: &[Polity], id: &At<String>, what: &str) -> Checked<usize> {
        self.lookup("polity", polities.iter().map(|p| p.id.as_str()), id, what)
    }

    pub fn operator(&self, operators: &[Operator], id: &At<String>, what: &str) -> Checked<usize> {
        self.lookup(
            "operator",
            operators.iter().map(|o| o.id.as_str()),
            id,
            what,
        )
    }

    /// The index of `id` among `ids`, or an error naming the closest id
    /// (or all of them when none is close).
    pub fn lookup<'i>(
        &self,
        kind: &str,
        ids: impl Iterator<Item = &'i str> + Clone,
        id: &At<String>,
        what: &str,
    ) -> Checked<usize> {
        ids.clone()
            .position(|known| known == id.value)
            .ok_or_else(|| {
                let hint = did_you_mean(&id.value, ids.clone()).unwrap_or_else(|| {
                    format!("known {kind}s: {}", ids.collect::<Vec<_>>().join(", "))
                });
                self.err(&id.loc, format!("unknown {kind} `{}` in {what}", id.value))
                    .hint(hint)
            })
    }
}
