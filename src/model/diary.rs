//! What happened in one run, in order: an optional record that `story`
//! switches on for the one run it tells. Off (`None`) in every other run,
//! where it costs a branch at the few places events are counted.

/// One thing that happened, as the model counts it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// The scenario's shock `i` fired (was applied).
    Shock(usize),
    /// One of [`super::EVENT_KINDS`] (by index) at a polity, as
    /// `RunState::events` counts it.
    Counted { polity: usize, kind: usize },
    /// An operator launched 5G with one main-vendor decision: the high-risk
    /// share of that purchase (0 or 1 when drawn, a documented share, 0
    /// when a restriction binds it).
    Launch { operator: usize, high_risk: f64 },
}

/// An event and the step in which it happened (0-based: step k ends at
/// grid point k + 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub step: usize,
    pub event: Event,
}

/// The events of the run, in the order the model met them.
#[derive(Debug, Clone, Default)]
pub struct Diary {
    /// The step under way, set as each step starts.
    pub(super) step: usize,
    entries: Vec<Entry>,
}

impl Diary {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub(super) fn push(&mut self, event: Event) {
        self.entries.push(Entry {
            step: self.step,
            event,
        });
    }

    pub(super) fn clear(&mut self) {
        self.step = 0;
        self.entries.clear();
    }
}
