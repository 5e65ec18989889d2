//! `simulate story FILE --run N`: the life of run N, exactly as run N of
//! `simulate FILE` lived it (same seed, same streams), told in sentences
//! and drawn over the bands of all the scenario's runs.

use crate::engine::{self, RunOptions, records};
use crate::error::{Error, Result};
use crate::model::World;
use crate::report::File;
use crate::report::story::{StoryView, render_story};

pub struct Story {
    pub files: Vec<File>,
    pub markdown: String,
}

/// Check the run index, tell the run, and run the scenario for its bands.
pub fn tell(world: &World, run: u64, opts: &RunOptions) -> Result<Story> {
    if run >= opts.runs {
        return Err(Error::usage(format!(
            "--run {run} is out of range: `{}` makes runs 0 to {} ({} runs; --runs sets how many)",
            world.scenario.name,
            opts.runs - 1,
            crate::report::charts::thousands(opts.runs)
        )));
    }
    let life = records::life(world, opts.seed, run)?;
    let summary = engine::simulate(
        world,
        &RunOptions {
            keep_runs: 0,
            run_range: None,
            ..opts.clone()
        },
    )?;
    let outcomes = world.headline_outcomes();
    let view = StoryView {
        world,
        life: &life,
        summary: &summary,
        runs: opts.runs,
        seed: opts.seed,
        outcomes: &outcomes,
    };
    Ok(Story {
        files: render_story(&view)?,
        markdown: view.markdown(),
    })
}
