//! The tabs and what each list tab owns: its window onto the list and its filter.

use crate::store::{Filter, LeadRow, Store, StoreError, View};

use super::FILTER_COUNT_CAP;

/// The five views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Inbox,
    Queue,
    Pipeline,
    Recycled,
    Reports,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Inbox,
        Tab::Queue,
        Tab::Pipeline,
        Tab::Recycled,
        Tab::Reports,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Inbox => "Inbox",
            Tab::Queue => "Follow-ups",
            Tab::Pipeline => "Pipeline",
            Tab::Recycled => "Recycled",
            Tab::Reports => "Reports",
        }
    }

    /// Whether the tab lists leads (and so has a cursor, a filter and a detail pane).
    pub fn has_leads(self) -> bool {
        self != Tab::Reports
    }
}

/// A tab's filter: the words typed, and how far the list they narrow has been counted.
#[derive(Debug, Clone, PartialEq)]
pub struct TabFilter {
    pub text: String,
    /// How far the filtered list is counted: [`FILTER_COUNT_CAP`], raised fourfold each time
    /// the cursor reaches the last row counted.
    pub cap: usize,
    /// The filtered list is counted only as far as the screen needs: the rest is counted when
    /// the user pauses ([`App::count_further`]), so that no keystroke waits for it.
    pub counting: bool,
}

impl Default for TabFilter {
    fn default() -> Self {
        TabFilter {
            text: String::new(),
            cap: FILTER_COUNT_CAP,
            counting: false,
        }
    }
}

/// A list tab's own state (Inbox, Follow-ups, Recycled): its window and its filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTab {
    pub window: ListWindow,
    pub filter: TabFilter,
}

/// A window onto one list: the rows on screen, the list's length, and the cursor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListWindow {
    pub rows: Vec<LeadRow>,
    pub total: usize,
    /// Index of `rows[0]` in the whole list.
    pub offset: usize,
    /// Index of the selected lead in the whole list.
    pub selected: usize,
    /// Under a text filter, the short numbers of the list's leads (as far as it is counted):
    /// the walk that counted them also says which leads fill each window.
    pub numbers: Option<Vec<i64>>,
}

impl ListWindow {
    pub fn selected_row(&self) -> Option<&LeadRow> {
        self.selected
            .checked_sub(self.offset)
            .and_then(|i| self.rows.get(i))
    }

    /// Move the cursor by `delta` (clamped), keeping it inside the list.
    pub(super) fn step(&mut self, delta: isize) {
        let last = self.total.saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Refetch the window of `page` rows around the cursor; keep the cursor on `keep` if it is
    /// still in the window, else on the same position (its neighbour).
    pub(super) fn load(
        &mut self,
        page: usize,
        keep: Option<&str>,
        fetch: impl Fn(usize, usize) -> Result<Vec<LeadRow>, StoreError>,
        total: usize,
    ) -> Result<(), StoreError> {
        self.total = total;
        if total == 0 {
            *self = ListWindow::default();
            return Ok(());
        }
        let page = page.max(1);
        self.selected = self.selected.min(total - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        self.offset = self.offset.min(total.saturating_sub(page));
        self.rows = fetch(self.offset, page)?;
        if let Some(uid) = keep
            && let Some(i) = self.rows.iter().position(|r| r.lead.uid == uid)
        {
            self.selected = self.offset + i;
        }
        Ok(())
    }
}

impl ListWindow {
    /// [`ListWindow::load`] from a view, or from the numbers a filter's walk found.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn load_from(
        &mut self,
        page: usize,
        keep: Option<&str>,
        store: &Store,
        view: &View,
        filter: &Filter,
        numbers: Option<Vec<i64>>,
        total: usize,
    ) -> Result<(), StoreError> {
        match &numbers {
            Some(n) => self.load(
                page,
                keep,
                |o, l| store.rows_numbered(&n[o.min(n.len())..o.saturating_add(l).min(n.len())]),
                total,
            )?,
            None => self.load(page, keep, |o, l| store.list(view, filter, o, l), total)?,
        }
        self.numbers = numbers;
        Ok(())
    }
}

/// What the Recycled tab lists: the losses resting and coming back (what the tab is for), every
/// loss and disqualification (also those never recycled), or the wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Closed {
    #[default]
    Recycling,
    Lost,
    Won,
}

impl Closed {
    /// The list `v` shows next.
    pub fn next(self) -> Closed {
        match self {
            Closed::Recycling => Closed::Lost,
            Closed::Lost => Closed::Won,
            Closed::Won => Closed::Recycling,
        }
    }

    pub fn view(self) -> View {
        match self {
            Closed::Recycling => View::Recycled,
            Closed::Lost => View::Lost,
            Closed::Won => View::Won,
        }
    }

    /// The list's name as the CLI calls its view (`ripen export won`), for file names.
    pub fn name(self) -> &'static str {
        match self {
            Closed::Recycling => "recycled",
            Closed::Lost => "lost",
            Closed::Won => "won",
        }
    }

    /// What the footer offers for the list after this one.
    pub fn offer(self) -> &'static str {
        match self.next() {
            Closed::Recycling => "recycling",
            Closed::Lost => "every loss",
            Closed::Won => "won",
        }
    }
}
