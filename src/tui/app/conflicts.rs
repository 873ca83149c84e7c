//! The conflicts of a shared book: fields two people changed to different values, each without
//! seeing the other's change. The count is loaded when another writer (a sync) is noticed and
//! whenever the list is opened, not on every refresh (an index of the changes that can conflict
//! finds them in about 3 ms on a book of a million leads; the rows of a conflict are then read
//! lead by lead). Keeping another value is an ops operation.

use super::{App, Confirm, Overlay, err_text};
use crate::domain::conflicts::{Change, shown_value};
use crate::ops::{self, Op};
use crate::store::Store;
use crate::store::sync::LeadConflict;
use crate::tui::keymap::Command;

/// The conflicts on screen, and which other value is chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConflictList {
    pub conflicts: Vec<LeadConflict>,
    /// The chosen other value, counted over every conflict's others in order.
    pub selected: usize,
}

impl ConflictList {
    /// Every other value with its conflict, in the order shown.
    pub fn others(&self) -> impl Iterator<Item = (&LeadConflict, &Change)> {
        self.conflicts
            .iter()
            .flat_map(|c| c.conflict.others.iter().map(move |o| (c, o)))
    }

    /// The chosen other value with its conflict.
    pub fn chosen(&self) -> Option<(&LeadConflict, &Change)> {
        self.others().nth(self.selected)
    }

    fn step(&mut self, delta: isize) {
        let n = self.others().count();
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(n.saturating_sub(1));
    }
}

impl App {
    /// The conflicts list, when open.
    pub fn conflict_list(&self) -> Option<&ConflictList> {
        match &self.overlay {
            Some(Overlay::Conflicts(l)) => Some(l),
            _ => None,
        }
    }

    /// Find the book's conflicts afresh and count them; the list itself, or `None` (the error
    /// on the status line).
    fn load_conflicts(&mut self, store: &Store) -> Option<Vec<LeadConflict>> {
        match store.conflicts() {
            Ok(found) => {
                self.conflicts = found.len();
                Some(found)
            }
            Err(e) => {
                self.fail(err_text(&e));
                None
            }
        }
    }

    /// Count the book's conflicts again (another writer may have brought some, or settled
    /// them). Says whether the count changed.
    pub fn count_conflicts(&mut self, store: &Store) -> bool {
        let before = self.conflicts;
        self.load_conflicts(store);
        self.conflicts != before
    }

    /// Open the list, loaded afresh, with the `selected`th other value chosen (or the last).
    pub(super) fn open_conflicts(&mut self, store: &Store, selected: usize) {
        if let Some(conflicts) = self.load_conflicts(store) {
            let mut list = ConflictList {
                conflicts,
                selected,
            };
            list.step(0);
            self.open(Overlay::Conflicts(Box::new(list)));
        }
    }

    /// A command of the conflicts list (it is open, taken out of `self.overlay`).
    pub(super) fn conflicts_command(&mut self, mut list: Box<ConflictList>, c: Command) {
        match c {
            Command::ConflictDown => list.step(1),
            Command::ConflictUp => list.step(-1),
            Command::CloseConflicts => return,
            Command::KeepValue => {
                let Some((lead, other)) = list.chosen() else {
                    self.open(Overlay::Conflicts(list));
                    return;
                };
                let q = Confirm::Keep {
                    change: other.uid.clone(),
                    value: shown_value(&other.field, other.value.as_deref()),
                    field: lead.conflict.field.clone(),
                    name: lead.name.clone(),
                    list,
                };
                self.open(Overlay::Confirm(q));
                return;
            }
            _ => {}
        }
        self.open(Overlay::Conflicts(list));
    }

    /// Yes to keeping another value: the operation, then the list again, reloaded.
    pub(super) fn keep_other(
        &mut self,
        store: &mut Store,
        change: String,
        selected: usize,
        words: &str,
    ) {
        let n = self.now;
        match ops::lead(store, Op::Keep { change }, &n) {
            Ok(row) => {
                self.refresh_or_report(store, Some(&row.lead.uid));
                self.open_conflicts(store, selected);
                self.say(format!("{words} · {}", row.lead.name));
            }
            Err(e) => {
                self.open_conflicts(store, selected);
                self.fail(err_text(&e));
            }
        }
    }
}
