//! Files from a summary. Each format is a pure function from the summary to
//! bytes; writing happens in one place, atomically: every file is written
//! to a temporary name beside its target and renamed only when complete, so
//! an interrupted run never leaves a half-written file that looks whole.

pub mod charts;
pub mod compare;
pub mod explain;
pub mod html;
mod json;
mod resolved;
pub mod shard;
mod tables;

use crate::engine::Summary;
use crate::error::{Error, Result};
use crate::model::World;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use explain::{explain, timeline};
pub use resolved::resolved_toml;

/// The run's effective inputs, which flags may have changed from the file.
/// (No thread count: nothing written may depend on it.)
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub runs: u64,
    pub seed: u64,
}

/// Every output of a run, as (file name, bytes), in writing order.
pub fn render_run(
    world: &World,
    summary: &Summary,
    info: &RunInfo,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = vec![
        (
            "summary.csv".to_string(),
            tables::summary_csv(world, &summary.aggregate).into_bytes(),
        ),
        (
            "summary.json".to_string(),
            json::summary_json(world, summary, info).into_bytes(),
        ),
        (
            "scenario.resolved.toml".to_string(),
            resolved_toml(&world.scenario, info.runs, info.seed).into_bytes(),
        ),
    ];
    if !summary.kept.is_empty() {
        files.push((
            "runs.csv".to_string(),
            tables::runs_csv(world, summary).into_bytes(),
        ));
    }
    let specs = charts::run_charts(world, &summary.aggregate, info);
    let rendered = charts::render_all(&specs)?;
    let page = html::page(&html::Page {
        title: world.scenario.name.clone(),
        scenarios: vec![&world.scenario],
        seed: info.seed,
        runs: summary.aggregate.runs,
        lead: Vec::new(),
        results: vec![html::Section {
            title: format!(
                "Where countries end up ({})",
                world.scenario.grid.point_date(world.points() - 1)
            ),
            html: tables::classes_html(world, &summary.aggregate),
        }],
        charts: &rendered,
    });
    files.extend(chart_files(&rendered));
    files.push(("index.html".to_string(), page.into_bytes()));
    Ok(files)
}

/// `charts/<name>.png` and `charts/<name>.svg` for each chart.
pub fn chart_files(charts: &[charts::Chart]) -> Vec<(String, Vec<u8>)> {
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

/// Write files into `dir` (created if needed), each atomically.
pub fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create `{}`", dir.display()), e))?;
    files
        .iter()
        .map(|(name, bytes)| write_atomic(&dir.join(name), bytes))
        .collect()
}

/// Write to `<path>.tmp-<pid>` in the same folder, then rename over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("cannot create `{}`", parent.display()), e))?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(format!("cannot write `{}`", path.display()), e));
    }
    Ok(path.to_path_buf())
}
