//! Loading the lists: counts, the current tab's window (walked as far as the screen needs under a
//! filter, the rest on a pause), moving the cursor, and the detail of the lead under it.

use crate::domain::Activity;
use crate::domain::lead::Whose;
use crate::domain::priority::{self, Breakdown};
use crate::store::{Filter, LeadRow, Store, StoreError, View};

use super::{App, Tab, err_text, layout};

/// How far a keystroke walks a view for a filter's matches, in thousands of SQLite steps (a few
/// milliseconds on a big book): a word common in the book but rare in the view stops there, shows
/// what it found, and finishes when the user pauses.
pub const KEYSTROKE_WALK: u32 = 15;

/// How far a filtered list is first counted ("200+ matching"); scrolling to its end counts
/// further. Counting every match of a common word on a big book would cost a walk over the view
/// on every keystroke.
pub const FILTER_COUNT_CAP: usize = 200;

/// The selected lead in full, for the detail pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub row: LeadRow,
    pub timeline: Vec<Activity>,
    pub breakdown: Breakdown,
    /// What an import kept beside the lead ([`crate::domain::Lead::extra_fields`]), read once
    /// here rather than on every frame.
    pub extra: Vec<(String, String)>,
}

/// How much of a lead's timeline the detail holds, newest first.
pub const TIMELINE_ENTRIES: usize = 200;

impl App {
    pub(super) fn page(&self) -> usize {
        // A screenful as the list shows it, also while a full-screen detail hides it: the
        // windows loaded meanwhile (`m` on the board, a save) are what Esc shows.
        let main = self.list_areas().main;
        if self.tab == Tab::Pipeline {
            layout::card_rows(main).max(1)
        } else {
            layout::list_rows(main).max(1)
        }
    }

    /// Reload counts, the current tab's window and the detail; keep the cursor on `keep`.
    pub fn refresh(&mut self, store: &Store, keep: Option<&str>) -> Result<(), StoreError> {
        self.recount(store)?;
        self.refresh_view(store, keep)
    }

    /// Whose leads the lists show, resolved afresh (a sync may have brought another owner),
    /// and what the tabs count: after a write, a change by another, time passing, a tab, `o`.
    /// Counting one owner's leads on a big book costs a pass over their index entries, so what
    /// only changes the view (a filter's keystroke, a resize) keeps the counts it has.
    fn recount(&mut self, store: &Store) -> Result<(), StoreError> {
        let mine = store.owners_of(&Whose::Mine)?;
        self.team = mine.is_some();
        self.owners = match &self.whose {
            Whose::Mine => mine,
            whose => store.owners_of(whose)?,
        };
        self.counts = store.counts_of(&self.now, self.owners.as_ref())?;
        self.book_empty = store.list(&View::All, &Filter::default(), 0, 1)?.is_empty();
        Ok(())
    }

    /// Reload the current tab's window and the detail, the counts as they are; keep the cursor
    /// on `keep`.
    pub(super) fn refresh_view(
        &mut self,
        store: &Store,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        self.set_counting(false);
        let filter = self.filter();
        let page = self.page();
        match self.tab {
            Tab::Pipeline => self.load_board(store, &filter, page, keep)?,
            // The report is fetched when it is opened or a selector changes, not on every
            // refresh: a report over a big book costs far more than a window of leads.
            Tab::Reports => {}
            tab => {
                if let Some(view) = self.view_of(tab) {
                    // A filter's matches are counted up to a cap: on a big book, counting every
                    // match of a common word would cost a pass over the view per keystroke. And
                    // only as far as the screen needs, plus one to know there are more: the rest
                    // is counted when the user pauses.
                    let numbers = match filter.text {
                        Some(_) => {
                            let at = self.window().map_or(0, |w| w.selected);
                            let cap = self.filter_cap();
                            let need = (at + page + 1).min(cap);
                            // Bounded only with the cursor on the first screen (a filter
                            // keystroke): deeper down, the cursor's lead must be reached.
                            let bounded = at < page;
                            let mut steps = 0;
                            let (found, all) = store.match_numbers_until(
                                &view,
                                &filter,
                                need,
                                cap,
                                move || {
                                    steps += 1;
                                    bounded && steps > KEYSTROKE_WALK
                                },
                            )?;
                            self.set_counting(!all);
                            Some(found)
                        }
                        None => None,
                    };
                    // Narrowed to some owners only, the inbox and today's follow-ups are what the
                    // tabs counted a moment ago (through the indexes by owner): not walked again.
                    let counted = match tab {
                        _ if filter.text.is_some() || filter.owners.is_none() => None,
                        Tab::Inbox => Some(self.counts.inbox),
                        Tab::Queue if !self.week => Some(self.counts.queue),
                        _ => None,
                    };
                    let total = match (&numbers, counted) {
                        (Some(n), _) => n.len(),
                        (None, Some(c)) => usize::try_from(c).unwrap_or(0),
                        (None, None) => usize::try_from(store.count(&view, &filter)?).unwrap_or(0),
                    };
                    if let Some(w) = self.window_mut(tab) {
                        w.load_from(page, keep, store, &view, &filter, numbers, total)?;
                    }
                }
            }
        }
        self.rank_window(false);
        self.load_detail(store)
    }

    /// Count the rest of a filtered list (up to the cap) when [`App::counting`], giving up if
    /// `stop` says a key is waiting. Says whether the screen changed.
    pub fn count_further(
        &mut self,
        store: &Store,
        stop: impl FnMut() -> bool + Send + 'static,
    ) -> bool {
        if !self.counting() {
            return false;
        }
        let (filter, cap, tab) = (self.filter(), self.filter_cap(), self.tab);
        if tab == Tab::Pipeline {
            return self.count_board_further(store, stop);
        }
        let Some(view) = self.view_of(tab) else {
            self.set_counting(false);
            return false;
        };
        match store.match_numbers_until(&view, &filter, cap, cap, stop) {
            Ok((_, false)) => false,
            Ok((found, true)) => {
                self.set_counting(false);
                let page = self.page();
                let keep = self.selected().map(|r| r.lead.uid.clone());
                let total = found.len();
                let loaded = match self.window_mut(tab) {
                    // The same walk, further: the window is refetched only in case the
                    // keystroke's walk stopped before filling it.
                    Some(w) => w.load_from(
                        page,
                        keep.as_deref(),
                        store,
                        &view,
                        &filter,
                        Some(found),
                        total,
                    ),
                    None => Ok(()),
                };
                self.rank_window(false);
                if let Err(e) = loaded.and_then(|()| self.load_detail(store)) {
                    self.fail(err_text(&e));
                }
                true
            }
            Err(e) => {
                self.set_counting(false);
                self.fail(err_text(&e));
                true
            }
        }
    }

    /// With a filter on and every match on screen, put the best fuzzy match first; the cursor
    /// stays on its lead unless `best` asks for the top.
    pub(super) fn rank_window(&mut self, best: bool) {
        let query = self.filter_text().to_string();
        if query.trim().is_empty() {
            return;
        }
        let Some(w) = self.window_mut(self.tab) else {
            return;
        };
        if w.offset != 0 || w.rows.len() < w.total {
            return;
        }
        let keep = w.selected_row().map(|r| r.lead.uid.clone());
        crate::tui::fuzzy::rank(&mut w.rows, &query);
        w.selected = if best {
            0
        } else {
            keep.and_then(|uid| w.rows.iter().position(|r| r.lead.uid == uid))
                .unwrap_or(w.selected)
        };
    }

    /// Whether the detail fills the body (Enter), where PgDn/PgUp scroll its timeline.
    pub fn detail_full(&self) -> bool {
        self.detail_open && self.detail.is_some() && self.areas().main.height == 0
    }

    pub(super) fn load_detail(&mut self, store: &Store) -> Result<(), StoreError> {
        // Which leads on screen are new to me (a few look-ups each, only for leads that are
        // mine by name: none in a book of one).
        let on_screen: Vec<&LeadRow> = match self.tab {
            Tab::Pipeline => self
                .board
                .columns
                .iter()
                .flat_map(|c| &c.window.rows)
                .collect(),
            _ => self
                .window()
                .map(|w| w.rows.iter().collect())
                .unwrap_or_default(),
        };
        self.fresh = store.new_to_me(
            on_screen
                .iter()
                .map(|r| (r.lead.uid.as_str(), r.lead.owner.as_str())),
        )?;
        let was = self.detail.as_ref().map(|d| d.row.lead.uid.clone());
        if self.selected().map(|r| &r.lead.uid) != was.as_ref() {
            self.timeline_skip = 0;
        }
        self.detail = match self.selected().cloned() {
            None => None,
            Some(row) => {
                // Newest first; entries at the same moment in the order they were written
                // (uids are time-ordered), as `ripen show` lists them.
                let timeline = store.timeline(&row.lead.uid, TIMELINE_ENTRIES)?;
                let breakdown = priority::score(&row.lead, &self.now, &self.plan);
                let extra = row.lead.extra_fields();
                Some(Detail {
                    row,
                    timeline,
                    breakdown,
                    extra,
                })
            }
        };
        Ok(())
    }

    pub(super) fn move_cursor(&mut self, delta: isize, store: &Store) {
        let mut whole = false;
        let cap = self.filter_cap();
        let mut more = false;
        // Heading for the end of a list counted only as far as the screen: the user outran
        // the count, so finish it first, then move.
        let outran = self.counting()
            && delta > 0
            && self
                .window()
                .is_some_and(|w| w.selected.saturating_add_signed(delta) + 1 >= w.total);
        if outran {
            self.count_further(store, || false);
        }
        if let Some(w) = self.window_mut(self.tab) {
            w.step(delta);
            // At the last row of a filtered list counted only up to its cap: count further.
            more = delta > 0 && w.selected + 1 >= w.total && w.total == cap;
            // The whole list is on screen (perhaps ranked): nothing to fetch but the detail.
            whole = w.offset == 0 && w.rows.len() == w.total;
        }
        if more && !self.filter_text().trim().is_empty() {
            if let Some(f) = self.tab_filter_mut() {
                f.cap = cap.saturating_mul(4);
            }
            let keep = self.selected().map(|r| r.lead.uid.clone());
            self.view_or_report(store, keep.as_deref());
            return;
        }
        let done = if whole {
            self.load_detail(store)
        } else {
            self.reload_window(store)
        };
        if let Err(e) = done {
            self.fail(err_text(&e));
        }
    }

    /// After the cursor moved: refetch only the window under it and the detail, not the
    /// counts, so scrolling a big book costs one small query a step.
    pub(super) fn reload_window(&mut self, store: &Store) -> Result<(), StoreError> {
        let filter = self.filter();
        let page = self.page();
        let Some(view) = self.view_of(self.tab) else {
            return Ok(());
        };
        let source = self
            .board
            .columns
            .get(self.board.col)
            .map(|c| c.source.clone());
        let tab = self.tab;
        let Some(w) = self.window_mut(tab) else {
            return Ok(());
        };
        let total = w.total;
        match (tab, source) {
            (Tab::Pipeline, Some(source)) => {
                let v = source.view();
                let numbers = w.numbers.take();
                w.load_from(page, None, store, &v, &filter, numbers, total)?
            }
            (Tab::Pipeline, None) => {}
            _ => {
                let numbers = w.numbers.take();
                w.load_from(page, None, store, &view, &filter, numbers, total)?
            }
        }
        self.load_detail(store)
    }
}
