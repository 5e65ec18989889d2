//! The files a command writes, one type per output (in the manner of
//! hyperfine's `Exporter`): each renders its bytes from a view of the
//! results, a registry lists the outputs in writing order, and `run` and
//! `compare` walk their registry. A new output is one type and one line in
//! a registry; nothing else lists file names.

use super::charts::{self, Chart};
use super::{RunInfo, compare, html, json, resolved_toml, tables};
use crate::engine::{Differences, Summary};
use crate::error::{Error, Result};
use crate::model::World;
use std::cell::OnceCell;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file to write: its path inside the output folder, and its bytes.
pub type File = (String, Vec<u8>);

/// One output of a command: a file, or a family of files (the charts).
pub trait Output<V> {
    /// Its files; none when it has nothing to say for these results
    /// (`runs.csv` when no run was kept).
    fn render(&self, view: &V) -> Result<Vec<File>>;
}

/// An output of `run` (and of `merge`, which writes what a run would).
pub type RunOutput = dyn for<'a> Output<RunView<'a>> + Sync;
/// An output of `compare`.
pub type CompareOutput = dyn for<'a> Output<CompareView<'a>> + Sync;

/// What `run` writes, in writing order.
pub static RUN_OUTPUTS: &[&RunOutput] = &[
    &SummaryCsv,
    &SummaryJson,
    &ResolvedToml,
    &RunsCsv,
    &RunCharts,
    &RunPage,
];

/// What `compare` writes, in writing order.
pub static COMPARE_OUTPUTS: &[&CompareOutput] =
    &[&DifferencesCsv, &EachScenario, &CompareCharts, &ComparePage];

/// What `compare` writes for each scenario, in a folder named by its stem.
pub static EACH_SCENARIO_OUTPUTS: &[&RunOutput] = &[&SummaryCsv, &ResolvedToml];

/// Every file of these outputs, in order.
pub fn render_with<V>(outputs: &[&(dyn Output<V> + Sync)], view: &V) -> Result<Vec<File>> {
    let mut files = Vec::new();
    for output in outputs {
        files.extend(output.render(view)?);
    }
    Ok(files)
}

/// What the outputs of one run render from. The charts are drawn once, when
/// an output first asks for them (the chart files and the page both do).
pub struct RunView<'a> {
    pub world: &'a World,
    pub summary: &'a Summary,
    pub info: &'a RunInfo,
    charts: OnceCell<Vec<Chart>>,
}

impl<'a> RunView<'a> {
    pub fn new(world: &'a World, summary: &'a Summary, info: &'a RunInfo) -> RunView<'a> {
        RunView {
            world,
            summary,
            info,
            charts: OnceCell::new(),
        }
    }

    pub fn charts(&self) -> Result<&[Chart]> {
        if self.charts.get().is_none() {
            let specs = charts::run_charts(self.world, &self.summary.aggregate, self.info);
            let _ = self.charts.set(charts::render_all(&specs)?);
        }
        Ok(self.charts.get().expect("drawn above"))
    }
}

/// What the outputs of a comparison render from: the scenarios (the first
/// is the reference A), their summaries, and the paired differences of each
/// later one against A.
pub struct CompareView<'a> {
    pub worlds: &'a [&'a World],
    pub summaries: &'a [Summary],
    pub diffs: &'a [Differences],
    pub info: &'a RunInfo,
    charts: OnceCell<Vec<Chart>>,
}

impl<'a> CompareView<'a> {
    pub fn new(
        worlds: &'a [&'a World],
        summaries: &'a [Summary],
        diffs: &'a [Differences],
        info: &'a RunInfo,
    ) -> CompareView<'a> {
        CompareView {
            worlds,
            summaries,
            diffs,
            info,
            charts: OnceCell::new(),
        }
    }

    pub fn charts(&self) -> Result<&[Chart]> {
        if self.charts.get().is_none() {
            let specs =
                super::compare::compare_charts(self.worlds, self.summaries, self.diffs, self.info);
            let _ = self.charts.set(charts::render_all(&specs)?);
        }
        Ok(self.charts.get().expect("drawn above"))
    }
}

/// One named file.
fn file(name: &str, text: String) -> Result<Vec<File>> {
    Ok(vec![(name.to_string(), text.into_bytes())])
}

/// `summary.csv`: every series' statistics at every point, tidy.
pub struct SummaryCsv;

impl Output<RunView<'_>> for SummaryCsv {
    fn render(&self, v: &RunView) -> Result<Vec<File>> {
        file(
            "summary.csv",
            tables::summary_csv(v.world, &v.summary.aggregate),
        )
    }
}

/// `summary.json`: inputs, class probabilities and shock rates.
pub struct SummaryJson;

impl Output<RunView<'_>> for SummaryJson {
    fn render(&self, v: &RunView) -> Result<Vec<File>> {
        file(
            "summary.json",
            json::summary_json(v.world, v.summary, v.info),
        )
    }
}

/// `scenario.resolved.toml`: the scenario as it ran, to rerun exactly.
pub struct ResolvedToml;

impl Output<RunView<'_>> for ResolvedToml {
    fn render(&self, v: &RunView) -> Result<Vec<File>> {
        file(
            "scenario.resolved.toml",
            resolved_toml(&v.world.scenario, v.info.runs, v.info.seed),
        )
    }
}

/// `runs.csv`: the kept runs' inputs and horizon values (`--keep-runs`).
pub struct RunsCsv;

impl Output<RunView<'_>> for RunsCsv {
    fn render(&self, v: &RunView) -> Result<Vec<File>> {
        if v.summary.kept.is_empty() {
            return Ok(Vec::new());
        }
        file("runs.csv", tables::runs_csv(v.world, v.summary))
    }
}

/// `charts/<name>.png` and `charts/<name>.svg` for each chart of the run.
pub struct RunCharts;

impl Output<RunView<'_>> for RunCharts {
    fn render(&self, v: &RunView) -> Result<Vec<File>> {
        Ok(chart_files(v.charts()?))
    }
}

/// `index.html`: one self-contained page with every chart inline.
pub struct RunPage;

impl Output<RunView<'_>> for RunPage {
    fn render(&self, v: &RunView) -> Result<Vec<File>> {
        let (world, agg) = (v.world, &v.summary.aggregate);
        let page = html::page(&html::Page {
            title: world.scenario.name.clone(),
            scenarios: vec![&world.scenario],
            seed: v.info.seed,
            runs: agg.runs,
            lead: vec![html::Section {
                title: match &world.scenario.question {
                    Some(_) => "The answer".into(),
                    None => "Headline outcomes".into(),
                },
                html: super::outcomes::headline_html(world, v.summary, v.info),
            }],
            results: vec![html::Section {
                title: format!(
                    "Where countries end up, {}",
                    super::charts::horizon_words(world)
                ),
                html: tables::classes_html(world, agg),
            }],
            charts: v.charts()?,
        });
        file("index.html", page)
    }
}

/// `differences.csv`: B − A per run, summarised, for every paired series.
pub struct DifferencesCsv;

impl Output<CompareView<'_>> for DifferencesCsv {
    fn render(&self, v: &CompareView) -> Result<Vec<File>> {
        Ok(vec![(
            "differences.csv".into(),
            compare::differences_csv(v.worlds, v.diffs, v.summaries).into_bytes(),
        )])
    }
}

/// `<stem>/…`: each scenario's own files, as a run of it alone would write them.
pub struct EachScenario;

impl Output<CompareView<'_>> for EachScenario {
    fn render(&self, v: &CompareView) -> Result<Vec<File>> {
        let mut files = Vec::new();
        for (k, (w, s)) in v.worlds.iter().zip(v.summaries).enumerate() {
            let dir = compare::stem(v.worlds, k);
            let run = RunView::new(w, s, v.info);
            for (name, bytes) in render_with(EACH_SCENARIO_OUTPUTS, &run)? {
                files.push((format!("{dir}/{name}"), bytes));
            }
        }
        Ok(files)
    }
}

/// The overlays, the paired differences and the classes side by side.
pub struct CompareCharts;

impl Output<CompareView<'_>> for CompareCharts {
    fn render(&self, v: &CompareView) -> Result<Vec<File>> {
        Ok(chart_files(v.charts()?))
    }
}

/// `index.html`, leading with what changes.
pub struct ComparePage;

impl Output<CompareView<'_>> for ComparePage {
    fn render(&self, v: &CompareView) -> Result<Vec<File>> {
        let (worlds, summaries) = (v.worlds, v.summaries);
        let title = worlds
            .iter()
            .map(|w| w.scenario.name.as_str())
            .collect::<Vec<_>>()
            .join(" vs ");
        let mut results = Vec::new();
        for (k, (w, s)) in worlds.iter().zip(summaries).enumerate() {
            results.push(html::Section {
                title: format!(
                    "Where countries end up — {}: {}",
                    compare::letter(k),
                    w.scenario.name
                ),
                html: tables::classes_html(w, &s.aggregate),
            });
        }
        let page = html::page(&html::Page {
            title,
            scenarios: worlds.iter().map(|w| &w.scenario).collect(),
            seed: v.info.seed,
            runs: v.info.runs,
            lead: vec![html::Section {
                title: "What changes".into(),
                html: compare::differences_html(worlds, v.diffs, summaries),
            }],
            results,
            charts: v.charts()?,
        });
        Ok(vec![("index.html".into(), page.into_bytes())])
    }
}

/// `charts/<name>.png` and `charts/<name>.svg` for each chart.
pub fn chart_files(charts: &[Chart]) -> Vec<File> {
    charts
        .iter()
        .flat_map(|c| {
            [
                (format!("charts/{}.png", c.name), c.png.clone()),
                (format!("charts/{}.svg", c.name), c.svg.clone().into_bytes()),
            ]
        })
        .collect()
}

/// Write a command's files as one folder that appears whole or not at all:
/// every file goes into a staging folder beside `dir` (same file system),
/// which is then renamed to `dir`. A folder already there is first renamed
/// aside and removed after, so a kill at any moment leaves `dir` absent, or
/// the old result, or the new one, never a mix; of two commands writing
/// into one `dir` at once, the last rename wins whole.
///
/// A `dir` holding anything this output would not write (`--out .`, a
/// folder of the user's) is never moved aside or removed: there the files
/// are written one by one, each atomically, as before.
pub fn write_folder(dir: &Path, files: &[File]) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    if !replaceable(dir, files) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create `{}`", dir.display()), e))?;
        for (name, bytes) in files {
            super::write_atomic(&dir.join(name), bytes)?;
        }
        return Ok(paths);
    }
    let (parent, name) = split(dir);
    std::fs::create_dir_all(&parent)
        .map_err(|e| Error::io(format!("cannot create `{}`", parent.display()), e))?;
    remove_stale(&parent, &name);
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.tmp-{pid}"));
    let fail = |what: &str, e: std::io::Error| {
        let _ = std::fs::remove_dir_all(&staging);
        Error::io(format!("cannot {what} `{}`", dir.display()), e)
    };
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| fail("stage", e))?;
    for (file, bytes) in files {
        let path = staging.join(file);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| fail("stage", e))?;
        }
        let mut f = std::fs::File::create(&path).map_err(|e| fail("stage", e))?;
        f.write_all(bytes).map_err(|e| fail("stage", e))?;
        f.sync_all().map_err(|e| fail("stage", e))?;
    }
    // Another writer may put its folder in place between our two renames:
    // then move that aside too and try again, a few times.
    for attempt in 0.. {
        match std::fs::rename(&staging, dir) {
            Ok(()) => break,
            Err(e) if attempt < 20 && dir.exists() => {
                let aside = parent.join(format!(".{name}.old-{pid}-{attempt}"));
                match std::fs::rename(dir, &aside) {
                    Ok(()) => {
                        let _ = std::fs::remove_dir_all(&aside);
                    }
                    Err(_) if !dir.exists() => {}
                    Err(_) => return Err(fail("replace", e)),
                }
            }
            Err(e) => return Err(fail("write", e)),
        }
    }
    Ok(paths)
}

/// May `dir` be replaced whole? Yes when it is absent or empty, or holds
/// nothing at its top level that this output does not write (a rerun).
fn replaceable(dir: &Path, files: &[File]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return !dir.exists();
    };
    if dir.file_name().is_none() || dir.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
        return false;
    }
    let ours: std::collections::BTreeSet<&str> = files
        .iter()
        .map(|(name, _)| name.split('/').next().unwrap_or(name))
        .collect();
    entries
        .into_iter()
        .all(|e| e.is_ok_and(|e| ours.contains(e.file_name().to_string_lossy().as_ref())))
}

/// The folder `dir` is in, and its name.
fn split(dir: &Path) -> (PathBuf, String) {
    let name = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    (parent, name)
}

/// Staging and set-aside folders of `name` whose writer is gone (killed):
/// removed, so that kills leave no litter. Only on systems with /proc; a
/// folder of a live process is left alone.
fn remove_stale(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = prefixes
            .iter()
            .find_map(|p| file_name.strip_prefix(p.as_str()))
        else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or_default();
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
