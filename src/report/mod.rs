//! Files from a summary. Each output is a type that renders bytes from the
//! results (`output`, where the registries list them); writing happens in
//! one place, atomically: every file is written to a temporary name beside
//! its target and renamed only when complete, so an interrupted run never
//! leaves a half-written file that looks whole.

pub mod calibrate;
pub mod charts;
pub mod compare;
pub mod discover;
pub mod explain;
pub mod html;
mod json;
pub mod outcomes;
pub mod output;
pub mod presenter;
mod resolved;
pub mod sensitivity;
pub mod story;
pub mod sweep;
mod tables;
pub mod workshop;

use crate::engine::{Differences, Summary};
use crate::error::{Error, Result};
use crate::model::World;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use explain::{explain, timeline};
pub use output::{COMPARE_OUTPUTS, CompareView, File, Output, RUN_OUTPUTS, RunView, chart_files};
pub use resolved::resolved_toml;

/// The run's effective inputs, which flags may have changed from the file.
/// (No thread count: nothing written may depend on it.)
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub runs: u64,
    pub seed: u64,
    /// Set when the runs went on until a precision (`--precision`).
    pub precision: Option<crate::engine::PrecisionReport>,
}

/// Every file of a run, as (path in the output folder, bytes), in writing order.
pub fn render_run(world: &World, summary: &Summary, info: &RunInfo) -> Result<Vec<File>> {
    output::render_with(RUN_OUTPUTS, &RunView::new(world, summary, info))
}

/// Every file of a comparison, in writing order.
pub fn render_compare(
    worlds: &[&World],
    summaries: &[Summary],
    diffs: &[Differences],
    info: &RunInfo,
) -> Result<Vec<File>> {
    output::render_with(
        COMPARE_OUTPUTS,
        &CompareView::new(worlds, summaries, diffs, info),
    )
}

/// Write files into `dir` as one folder, whole or not at all
/// ([`output::write_folder`]).
pub fn write_all(dir: &Path, files: &[File]) -> Result<Vec<PathBuf>> {
    output::write_folder(dir, files)
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
