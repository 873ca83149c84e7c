//! The mouse: a click hit-tested against the frame last drawn, so that it lands on what the
//! user saw there.

use crate::report;
use crate::store::Store;
use crate::tui::layout::Target;

use super::{App, Tab};

impl App {
    /// A click, hit-tested against the frame last drawn ([`App::drawn`]): what the user
    /// clicked is what was drawn there, whatever the width of each tab's label.
    pub(super) fn click(&mut self, column: u16, row: u16, store: &Store) {
        if self.takes_text() || self.drawn.size != self.size {
            return;
        }
        let Some(target) = self.drawn.hit(column, row) else {
            return;
        };
        match target {
            Target::Overlay => return,
            Target::Tab(i) => {
                if let Some(&tab) = Tab::ALL.get(i) {
                    self.switch(tab, store);
                }
                return;
            }
            Target::Report(i) => {
                if self.tab == Tab::Reports && i < report::NAMES.len() && i != self.reports.selected
                {
                    self.reports.selected = i;
                    self.load_report(store);
                }
                return;
            }
            Target::Column(col) | Target::Card { column: col, .. } => {
                if self.tab != Tab::Pipeline || col >= self.board.columns.len() {
                    return;
                }
                self.board.col = col;
                if let Target::Card { index, .. } = target
                    && let Some(w) = self.window_mut(Tab::Pipeline)
                    && index < w.total
                {
                    w.selected = index;
                }
            }
            Target::Row(index) => match self.window_mut(self.tab) {
                Some(w) if index < w.total => w.selected = index,
                _ => return,
            },
        }
        // Follow the clicked lead by uid: the window may be ranked differently from the view.
        let keep = self.selected().map(|r| r.lead.uid.clone());
        self.refresh_or_report(store, keep.as_deref());
    }
}
