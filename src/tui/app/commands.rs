//! What each command of the keymap does to the app.

use crate::domain::Status;
use crate::domain::lifecycle;
use crate::ops::{self, Op};
use crate::store::{LeadRow, Store, StoreError};
use crate::tui::keymap::Command;

use super::reports::next_by;
use super::{
    App, Confirm, Effect, Overlay, Tab, by_label, err_text, report_uses_grouping,
    report_uses_period,
};

/// A lead's state in a few words, after a change.
pub(super) fn describe(row: &LeadRow) -> String {
    let l = &row.lead;
    match (l.status, l.stage) {
        (Status::Open, Some(s)) => format!("stage {s}"),
        (s, _) => s.as_str().to_string(),
    }
}

impl App {
    pub(super) fn command(&mut self, c: Command, store: &mut Store) -> Option<Effect> {
        self.status = None;
        let page = self.page() as isize;
        match c {
            Command::Inbox => self.switch(Tab::Inbox, store),
            Command::Queue => self.switch(Tab::Queue, store),
            Command::Pipeline => self.switch(Tab::Pipeline, store),
            Command::Recycled => self.switch(Tab::Recycled, store),
            Command::Reports => self.switch(Tab::Reports, store),
            Command::NextView => {
                let n = Tab::ALL.len();
                self.switch(Tab::ALL[(self.tab.index() + 1) % n], store)
            }
            Command::PrevView => {
                let n = Tab::ALL.len();
                self.switch(Tab::ALL[(self.tab.index() + n - 1) % n], store)
            }
            // On Reports the cursor keys walk the report picker instead of a list.
            Command::Down
            | Command::Up
            | Command::PageDown
            | Command::PageUp
            | Command::Top
            | Command::Bottom
                if self.tab == Tab::Reports =>
            {
                let delta = match c {
                    Command::Down | Command::PageDown => 1,
                    Command::Up | Command::PageUp => -1,
                    Command::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                self.pick_report(delta, store);
            }
            Command::Period => {
                if self.tab == Tab::Reports {
                    self.reports.period = self.reports.period.next();
                    self.load_report(store);
                    if !report_uses_period(self.reports.name()) {
                        self.say(format!(
                            "period {}: {} shows the book as it is now",
                            self.reports.period.label(),
                            self.reports.name()
                        ));
                    }
                } else {
                    self.fail(format!("{}: only in Reports", self.label(c)));
                }
            }
            Command::GroupBy => {
                if self.tab == Tab::Reports {
                    self.reports.by = next_by(self.reports.by);
                    if report_uses_grouping(self.reports.name()) {
                        self.load_report(store);
                    } else {
                        self.say(format!(
                            "by {}: grouping applies to funnel and speed",
                            by_label(self.reports.by)
                        ));
                    }
                } else {
                    self.fail(format!("{}: only in Reports", self.label(c)));
                }
            }
            // Reports list no leads: say so rather than "no lead selected".
            Command::Detail
            | Command::Add
            | Command::Edit
            | Command::Log
            | Command::Snooze
            | Command::Qualify
            | Command::Lose
            | Command::Win
            | Command::StageForward
            | Command::StageBack
            | Command::Reactivate
            | Command::Delete
            | Command::Merge
            | Command::CopyEmail
            | Command::Note
            | Command::Filter
            | Command::Export
                if self.tab == Tab::Reports =>
            {
                self.fail(format!(
                    "{}: no leads in Reports ({})",
                    self.label(c),
                    self.for_the_lists()
                ));
            }
            // The full-screen detail pages through the lead's timeline.
            Command::PageDown | Command::PageUp if self.detail_full() => {
                let len = self.detail.as_ref().map_or(0, |d| d.timeline.len());
                let step = (self.size.height as usize / 4).max(1);
                // Down to the oldest entry at the top: every entry can be reached, however
                // many lines the lead's facts and each note take.
                self.timeline_skip = if c == Command::PageDown {
                    (self.timeline_skip + step).min(len.saturating_sub(1))
                } else {
                    self.timeline_skip.saturating_sub(step)
                };
            }
            Command::Down => self.move_cursor(1, store),
            Command::Up => self.move_cursor(-1, store),
            Command::PageDown => self.move_cursor(page, store),
            Command::PageUp => self.move_cursor(-page, store),
            Command::Top => self.move_cursor(isize::MIN / 2, store),
            Command::Bottom => self.move_cursor(isize::MAX / 2, store),
            Command::Left | Command::Right => {
                if self.tab == Tab::Pipeline && !self.board.columns.is_empty() {
                    let n = self.board.columns.len();
                    self.board.col = if c == Command::Right {
                        (self.board.col + 1).min(n - 1)
                    } else {
                        self.board.col.saturating_sub(1)
                    };
                    // Every column's window is loaded already: only the detail follows.
                    if let Err(e) = self.load_detail(store) {
                        self.fail(err_text(&e));
                    }
                }
            }
            // Where the detail already sits beside the list, Enter leaves things as they are
            // (toggling a mode that shows nothing would surprise on the next tab).
            Command::Detail => {
                if self.list_areas().detail.is_none() {
                    self.detail_open = !self.detail_open;
                }
            }
            Command::Back => {
                if self.detail_open {
                    self.detail_open = false;
                    self.timeline_skip = 0;
                } else if !self.filter_text().is_empty() {
                    // The lead the filter found stays under the cursor.
                    let keep = self.selected().map(|r| r.lead.uid.clone());
                    if let Some(f) = self.tab_filter_mut() {
                        f.text.clear();
                    }
                    self.view_or_report(store, keep.as_deref());
                    if let Err(e) = self.load_detail(store) {
                        self.fail(err_text(&e));
                    }
                }
            }
            Command::Add => self.open(Overlay::Form(self.add_form())),
            Command::Edit
            | Command::Log
            | Command::Snooze
            | Command::Qualify
            | Command::Lose
            | Command::Win => {
                let Some(row) = self.selected().cloned() else {
                    self.fail("no lead selected");
                    return None;
                };
                match self.lead_form(c, &row) {
                    Ok(f) => self.open(Overlay::Form(f)),
                    Err(msg) => self.fail(msg),
                }
            }
            Command::Merge => {
                let Some(row) = self.selected().cloned() else {
                    self.fail("no lead selected");
                    return None;
                };
                // Prefilled with the lead it looks like a duplicate of, if there is one.
                match store.duplicate_of(&row.lead) {
                    Ok(found) => self.open(Overlay::Form(self.merge_form(&row, found))),
                    Err(e) => self.fail(err_text(&e)),
                }
            }
            Command::StageForward | Command::StageBack => {
                let forward = c == Command::StageForward;
                let n = self.now;
                self.on_selected(store, None, |store, uid| {
                    let uid = uid.to_string();
                    ops::lead(store, Op::StepStage { uid, forward }, &n)
                });
            }
            Command::Reactivate => match self.selected() {
                Some(r) => match lifecycle::reactivate(&r.lead, &self.now) {
                    // Asked first; what cannot be reactivated says so at once.
                    Ok(_) => {
                        let l = &r.lead;
                        let was = match &l.reason {
                            Some(reason) => format!("{}: {reason}", l.status),
                            None => l.status.to_string(),
                        };
                        self.open(Overlay::Confirm(Confirm::Reactivate {
                            uid: l.uid.clone(),
                            name: l.name.clone(),
                            was,
                        }));
                    }
                    Err(e) => self.fail(e.to_string()),
                },
                None => self.fail("no lead selected"),
            },
            Command::Delete => match self.selected() {
                Some(r) => self.open(Overlay::Confirm(Confirm::Delete {
                    uid: r.lead.uid.clone(),
                    name: r.lead.name.clone(),
                })),
                None => self.fail("no lead selected"),
            },
            Command::CopyEmail => {
                let email = self.selected().map(|r| r.lead.email.clone());
                match email {
                    None => self.fail("no lead selected"),
                    Some(None) => self.fail("this lead has no e-mail address"),
                    Some(Some(e)) => {
                        self.say(format!("copied {e}"));
                        return Some(Effect::Copy(e));
                    }
                }
            }
            Command::Note => match self.selected() {
                Some(r) => {
                    return Some(Effect::EditNote {
                        uid: r.lead.uid.clone(),
                        name: r.lead.name.clone(),
                    });
                }
                None => self.fail("no lead selected"),
            },
            Command::Filter => self.open(Overlay::Filter),
            Command::Week => {
                if self.tab == Tab::Queue {
                    self.week = !self.week;
                    self.queue.window.selected = 0;
                    self.refresh_or_report(store, None);
                } else {
                    self.fail(format!("{}: only in Follow-ups", self.label(c)));
                }
            }
            Command::Closed => {
                if self.tab == Tab::Recycled {
                    self.closed = self.closed.next();
                    self.recycled.window.selected = 0;
                    self.refresh_or_report(store, None);
                } else {
                    self.fail(format!("{}: only in Recycled", self.label(c)));
                }
            }
            Command::Months => {
                if self.tab == Tab::Pipeline {
                    self.board.months = !self.board.months;
                    self.board.col = 0;
                    self.refresh_or_report(store, None);
                } else {
                    self.fail(format!("{}: only in the Pipeline", self.label(c)));
                }
            }
            Command::Import => self.open(Overlay::Form(self.import_form())),
            Command::Export => match self.export_form(store) {
                Ok(f) => self.open(Overlay::Form(f)),
                Err(msg) => self.fail(msg),
            },
            Command::Demo => {
                let n = self.now;
                match crate::demo::fill(store, 60, 7, &n) {
                    Ok(k) => {
                        self.say(format!("added {k} demo leads"));
                        self.refresh_or_report(store, None);
                    }
                    Err(e) => self.fail(format!("{e:#}")),
                }
            }
            Command::Help => self.open(Overlay::Help),
            Command::Conflicts => self.open_conflicts(store, 0),
            Command::Whose => self.cycle_whose(store),
            Command::Assign => match self.assign_form(store) {
                Ok(f) => self.open(Overlay::Form(f)),
                Err(msg) => self.fail(msg),
            },
            Command::Quit => self.quit = true,
            Command::Save
            | Command::NextField
            | Command::PrevField
            | Command::Cancel
            | Command::Yes
            | Command::No
            | Command::KeepFilter
            | Command::ClearFilter
            | Command::FilterDown
            | Command::FilterUp
            | Command::ImportNow
            | Command::ClosePreview
            | Command::ScrollDown
            | Command::ScrollUp
            | Command::ScrollPageDown
            | Command::ScrollPageUp
            | Command::ConflictDown
            | Command::ConflictUp
            | Command::KeepValue
            | Command::CloseConflicts => self.overlay_command(c, store),
        }
        None
    }

    /// Run a store change on the selected lead and report it.
    pub(super) fn on_selected(
        &mut self,
        store: &mut Store,
        verb: Option<&str>,
        f: impl FnOnce(&mut Store, &str) -> Result<LeadRow, StoreError>,
    ) {
        let Some(uid) = self.selected().map(|r| r.lead.uid.clone()) else {
            self.fail("no lead selected");
            return;
        };
        match f(store, &uid) {
            Ok(row) => {
                let words = verb.map(str::to_string).unwrap_or_else(|| describe(&row));
                self.say(format!("{words} · {}", row.lead.name));
                self.refresh_or_report(store, Some(&uid));
            }
            Err(e) => self.fail(err_text(&e)),
        }
    }
}
