//! Reading files and resolving `extends`: parent first, then the child's
//! keys over it, entries merged by id. Cycles and missing files are bad input.
//! The merged file is kept ([`Base`]) so that it can be checked many times
//! with different command-line overrides on top, without reading a file again.

use super::keypath::Setting;
use super::raw::{self, At, FileId, Loc, MergeHow, RawFile, ShockMerge};
use super::sources::{Sources, toml_error};
use super::{Scenario, SourceFile, lever, validate};
use crate::error::{Diagnostic, Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Load and check the scenario at `path` (and the files it extends).
pub fn load(path: &Path) -> Result<Scenario> {
    Base::read(path)?.resolve(&[])
}

/// Load a scenario from text, as if read from `path` (for tests and tools).
pub fn load_str(path: &Path, text: &str) -> Result<Scenario> {
    Base::read_str(path, text)?.resolve(&[])
}

/// Where the loader gets a file's text. The disk for the CLI; a set of
/// texts for the fuzzer, so that `extends` is exercised without a file.
trait Files {
    /// The name two spellings of one file share (cycles are found by it).
    fn canonical(&self, path: &Path) -> PathBuf;
    fn read(&self, path: &Path) -> std::io::Result<String>;
}

struct Disk;

impl Files for Disk {
    fn canonical(&self, path: &Path) -> PathBuf {
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
    }
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Texts by path, found by the path with `.` and `..` folded away (as
/// `canonicalize` would on disk, without symlinks).
struct Memory<'a>(&'a [(PathBuf, String)]);

/// `a/./b/../c` as `a/c`, without touching the file system (so without
/// following links): a relative path keeps the `..` it cannot fold
/// (`../x`), an absolute one drops it (`/../x` is `/x`).
pub fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let folds = out
                    .components()
                    .next_back()
                    .is_some_and(|last| matches!(last, Component::Normal(_)));
                if folds {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl Files for Memory<'_> {
    fn canonical(&self, path: &Path) -> PathBuf {
        lexical(path)
    }
    fn read(&self, path: &Path) -> std::io::Result<String> {
        let want = lexical(path);
        self.0
            .iter()
            .find(|(p, _)| lexical(p) == want)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

/// Load the scenario at `path` from `files` (path, text) alone: no file is
/// read, `extends` is looked up among them (for the fuzzer and tests).
pub fn load_in_memory(path: &Path, files: &[(PathBuf, String)]) -> Result<Scenario> {
    Base::read_in_memory(path, files)?.resolve(&[])
}

/// A scenario file and the files it extends, read and merged once but not
/// yet checked: [`Base::resolve`] lays overrides over it and runs the checks.
#[derive(Debug, Clone)]
pub struct Base {
    path: PathBuf,
    merged: RawFile,
    sources: Sources,
    files: Vec<SourceFile>,
}

impl Base {
    /// Read `path` and every file it extends, and merge them.
    pub fn read(path: &Path) -> Result<Base> {
        let mut sources = Sources::default();
        let merged = read_layer(path, &mut sources, &mut Vec::new(), None, &Disk)?;
        Ok(Base::new(path, merged, sources))
    }

    /// As [`Base::read`], every file's text taken from `files` (see [`load_in_memory`]).
    pub fn read_in_memory(path: &Path, files: &[(PathBuf, String)]) -> Result<Base> {
        let mut sources = Sources::default();
        let merged = read_layer(path, &mut sources, &mut Vec::new(), None, &Memory(files))?;
        Ok(Base::new(path, merged, sources))
    }

    /// As [`Base::read`], with the first file's text given.
    pub fn read_str(path: &Path, text: &str) -> Result<Base> {
        let mut sources = Sources {
            files: vec![(path.to_path_buf(), Arc::from(text))],
        };
        let raw = parse(0, &sources)?;
        let merged = resolve_extends(
            path,
            raw,
            &mut sources,
            &mut vec![(Disk.canonical(path), path.to_path_buf())],
            &Disk,
        )?;
        Ok(Base::new(path, merged, sources))
    }

    fn new(path: &Path, merged: RawFile, sources: Sources) -> Base {
        let files = sources
            .files
            .iter()
            .map(|(p, text)| SourceFile {
                path: p.clone(),
                hash: format!("{:016x}", fnv1a64(text.as_bytes())),
            })
            .collect();
        Base {
            path: path.to_path_buf(),
            merged,
            sources,
            files,
        }
    }

    /// The checked scenario with `settings` applied in order, after
    /// `extends`, as the last layer; every value then gets the file's own
    /// checks, and an error in an override points into its argument. No
    /// file is read.
    pub fn resolve(&self, settings: &[Setting]) -> Result<Scenario> {
        let mut raw = self.merged.clone();
        let mut sources = self.sources.clone();
        for s in settings {
            let file = sources.add_argument(s.origin(), s.arg());
            s.apply(&mut raw, file)?;
        }
        let mut sc = validate::validate(&self.path, raw, &sources, self.files.clone())?;
        if settings.is_empty() {
            // The ends of the levers depend on the files alone: checked
            // whenever they are read as written, not again for every point
            // of a sweep that resolves the same files under its overrides.
            lever::check_ends(&sc.levers, |s| {
                let mut raw = self.merged.clone();
                let mut sources = self.sources.clone();
                let file = sources.add_argument(s.origin(), s.arg());
                s.apply(&mut raw, file)?;
                validate::validate(&self.path, raw, &sources, self.files.clone())
            })?;
        }
        sc.overrides = settings.iter().map(Setting::to_override).collect();
        Ok(sc)
    }
}

pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn read_layer(
    path: &Path,
    sources: &mut Sources,
    stack: &mut Vec<(PathBuf, PathBuf)>,
    extended_at: Option<&Loc>,
    files: &dyn Files,
) -> Result<RawFile> {
    let canonical = files.canonical(path);
    if let Some(pos) = stack.iter().position(|(c, _)| *c == canonical) {
        let chain: Vec<String> = stack[pos..]
            .iter()
            .map(|(_, shown)| shown.display().to_string())
            .chain(std::iter::once(path.display().to_string()))
            .collect();
        let loc = extended_at.expect("a cycle needs an `extends`");
        return Err(sources
            .error(
                loc,
                format!("`extends` makes a cycle: {}", chain.join(" -> ")),
            )
            .hint("a scenario may extend a baseline, never itself or its own children")
            .into());
    }
    let text = match files.read(path) {
        Ok(t) => t,
        Err(e) => {
            let d = match extended_at {
                Some(loc) => sources
                    .error(
                        loc,
                        format!("cannot read `{}`, named by `extends`: {e}", path.display()),
                    )
                    .hint("`extends` is a path relative to the file that names it"),
                None => Diagnostic::new(format!("cannot read scenario `{}`: {e}", path.display()))
                    .in_file(path)
                    .hint("the shipped scenarios are in `scenarios/` (see scenarios/README.md), e.g. `simulate scenarios/serbia-5g.toml`"),
            };
            return Err(d.into());
        }
    };
    sources.files.push((path.to_path_buf(), Arc::from(text)));
    let raw = parse(sources.files.len() - 1, sources)?;
    stack.push((canonical, path.to_path_buf()));
    let merged = resolve_extends(path, raw, sources, stack, files)?;
    stack.pop();
    Ok(merged)
}

fn resolve_extends(
    path: &Path,
    mut raw: RawFile,
    sources: &mut Sources,
    stack: &mut Vec<(PathBuf, PathBuf)>,
    files: &dyn Files,
) -> Result<RawFile> {
    let Some(extends) = raw.scenario.as_ref().and_then(|h| h.extends.clone()) else {
        return Ok(raw);
    };
    let parent_path = path.parent().unwrap_or(Path::new(".")).join(&extends.value);
    let parent = read_layer(&parent_path, sources, stack, Some(&extends.loc), files)?;
    merge(&mut raw, parent);
    Ok(raw)
}

/// The child's keys over the parent's; entries by id, key by key (a shock
/// of another kind replaced whole), in the parent's place; new entries
/// appended; the parent's shocks all dropped with `replace_shocks`.
fn merge(child: &mut RawFile, parent: RawFile) {
    let replace_shocks = child
        .scenario
        .as_ref()
        .and_then(|h| h.replace_shocks.as_ref())
        .is_some_and(|r| r.value);
    match (&mut child.scenario, parent.scenario) {
        (Some(c), Some(p)) => c.inherit(&p),
        (c @ None, Some(mut p)) => {
            p.extends = None;
            p.replace_shocks = None;
            *c = Some(p);
        }
        _ => {}
    }
    if let Some(pp) = parent.parameters {
        let cp = child.parameters.get_or_insert_with(Default::default);
        for (k, v) in pp {
            cp.entry(k).or_insert(v);
        }
    }
    match (&mut child.classes, parent.classes) {
        (Some(c), Some(p)) => c.inherit(&p),
        (c @ None, p) => *c = p,
        _ => {}
    }
    child.polity = merge_by_id(
        std::mem::take(&mut child.polity),
        parent.polity,
        |p| &p.id.value,
        |c, p| c.inherit(p),
    );
    child.operator = merge_by_id(
        std::mem::take(&mut child.operator),
        parent.operator,
        |o| &o.id.value,
        |c, p| c.inherit(p),
    );
    if child.outcome.is_empty() {
        child.outcome = parent.outcome;
    }
    if child.lever.is_empty() {
        child.lever = parent.lever;
    }
    if !replace_shocks {
        child.merged_shocks.extend(parent.merged_shocks);
        let mut shocks = parent.shock;
        for mut s in std::mem::take(&mut child.shock) {
            let slot = s.id.as_ref().and_then(|id| {
                shocks
                    .iter()
                    .position(|p| p.id.as_ref().is_some_and(|pid| pid.value == id.value))
            });
            let Some(i) = slot else {
                shocks.push(s);
                continue;
            };
            let p = &shocks[i];
            let (id, parent_id) = (
                s.id.clone().expect("matched by id"),
                p.id.clone().expect("matched by id"),
            );
            let how = match (&s.kind, &p.kind) {
                // Another kind takes other keys: the parent's shock goes whole.
                (Some(k), Some(pk)) if k.value != pk.value => MergeHow::Replaced {
                    from: pk.value.clone(),
                    to: k.value.clone(),
                },
                _ => {
                    let restated = s.written();
                    let inherited = s.inherit(p);
                    MergeHow::Keys {
                        restated,
                        inherited,
                    }
                }
            };
            child.merged_shocks.push(ShockMerge {
                at: id.loc,
                parent: parent_id.loc,
                id: id.value,
                how,
            });
            shocks[i] = s;
        }
        child.shock = shocks;
    }
}

/// Parent entries first, in their order, each overridden key by key by the
/// child's entry of the same id; new child entries after them.
fn merge_by_id<T>(
    child: Vec<T>,
    mut parent: Vec<T>,
    id: impl Fn(&T) -> &String,
    inherit: impl Fn(&mut T, &T),
) -> Vec<T> {
    for mut c in child {
        match parent.iter().position(|p| id(p) == id(&c)) {
            Some(i) => {
                inherit(&mut c, &parent[i]);
                parent[i] = c;
            }
            None => parent.push(c),
        }
    }
    parent
}

fn parse(file: FileId, sources: &Sources) -> Result<RawFile> {
    let (path, text) = &sources.files[file];
    let raw: RawFile = raw::with_current_file(file, || toml::from_str(text))
        .map_err(|e| Error::from(toml_error(path, text, &e)))?;
    check_duplicate_ids(&raw, sources)?;
    Ok(raw)
}

/// Two entries with one id in one file are a mistake, not a merge.
fn check_duplicate_ids(raw: &RawFile, sources: &Sources) -> Result<()> {
    let mut seen: Vec<(&str, &At<String>)> = Vec::new();
    let ids = raw
        .polity
        .iter()
        .map(|p| ("polity", &p.id))
        .chain(raw.operator.iter().map(|o| ("operator", &o.id)))
        .chain(
            raw.shock
                .iter()
                .filter_map(|s| s.id.as_ref().map(|id| ("shock", id))),
        );
    for (table, id) in ids {
        if let Some((first_table, first)) = seen.iter().find(|(t, s)| {
            s.value == id.value && (*t == table || (*t != "shock" && table != "shock"))
        }) {
            let (path, text) = &sources.files[first.loc.file];
            let first_line = crate::error::Position::of_span(text, first.loc.span.clone()).line;
            return Err(sources
                .error(&id.loc, format!("duplicate id `{}` in [[{table}]]", id.value))
                .hint(format!(
                    "[[{first_table}]] `{}` is already defined at {}:{first_line}; ids must be unique within a file",
                    id.value,
                    path.display()
                ))
                .into());
        }
        seen.push((table, id));
    }
    Ok(())
}

#[cfg(test)]
mod lexical_tests {
    use super::lexical;
    use std::path::Path;

    #[test]
    fn folds_what_it_can_and_keeps_the_climbs_a_relative_path_needs() {
        for (path, folded) in [
            ("a/./b/../c", "a/c"),
            ("s/../s/base.toml", "s/base.toml"),
            ("../x", "../x"),
            ("../../x", "../../x"),
            ("a/../../x", "../x"),
            ("./a/..", ""),
            ("/../x", "/x"),
            ("/a/b/../../../c", "/c"),
        ] {
            assert_eq!(lexical(Path::new(path)), Path::new(folded), "{path}");
        }
    }
}
