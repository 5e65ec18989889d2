//! The progress bar on stderr, kept away from the code that measures.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar showing runs, runs/s and ETA; hidden when not wanted or when stderr
/// is not a terminal (indicatif checks that itself).
pub fn bar(total: u64, enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {bar:40} {human_pos}/{human_len} runs  {per_sec:0}  ETA {eta}",
        )
        .expect("a valid template"),
    );
    bar
}
