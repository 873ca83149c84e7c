//! The app's state and `update`: every change of state goes through [`App::update`], driven by
//! an [`Action`]; it is the only place that writes to the book, and it never touches the
//! terminal (what needs the terminal comes back as an [`Effect`]).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::path::PathBuf;

use super::form::{Form, Outcome};
use super::keymap::{Command, Key, Keymap, Mode};
use super::layout;
use super::theme::Theme;
use crate::domain::lifecycle::{self, Contact};
use crate::domain::priority::{self, Breakdown};
use crate::domain::text::clean_field;
use crate::domain::{Activity, ActivityKind, Now, Plan, Stage, Status};
use crate::io::import::ImportReport;
use crate::report;
use crate::store::{
    By, Counts, Filter, LeadRow, Period, Placed, RipeBucket, Store, StoreError, View,
};

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

/// The periods the Reports tab offers, cycled with `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    AllTime,
    Last12Months,
    ThisQuarter,
    Last30Days,
}

impl ReportPeriod {
    pub fn label(self) -> &'static str {
        match self {
            ReportPeriod::AllTime => "all time",
            ReportPeriod::Last12Months => "last 12 months",
            ReportPeriod::ThisQuarter => "this quarter",
            ReportPeriod::Last30Days => "last 30 days",
        }
    }

    pub fn next(self) -> ReportPeriod {
        match self {
            ReportPeriod::AllTime => ReportPeriod::Last12Months,
            ReportPeriod::Last12Months => ReportPeriod::ThisQuarter,
            ReportPeriod::ThisQuarter => ReportPeriod::Last30Days,
            ReportPeriod::Last30Days => ReportPeriod::AllTime,
        }
    }

    /// The period as the store takes it, on local dates. It ends just after `now`, as the
    /// CLI's default `--until` does, so what happened this very second counts.
    pub fn period(self, now: &Now) -> Period {
        use chrono::{Datelike, Days, Months, NaiveDate};
        let today = now.today();
        let since = match self {
            ReportPeriod::AllTime => chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            ReportPeriod::Last12Months => {
                now.start_of(today.checked_sub_months(Months::new(12)).unwrap_or(today))
            }
            ReportPeriod::ThisQuarter => {
                let first = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1);
                now.start_of(first.unwrap_or(today))
            }
            ReportPeriod::Last30Days => {
                now.start_of(today.checked_sub_days(Days::new(30)).unwrap_or(today))
            }
        };
        Period {
            since,
            until: now.utc + chrono::Duration::seconds(1),
        }
    }
}

/// What a report's rows are grouped by (`b` cycles it; funnel and speed use it).
pub fn by_label(by: By) -> &'static str {
    match by {
        By::Source => "source",
        By::Owner => "owner",
        By::Month => "month",
    }
}

fn next_by(by: By) -> By {
    match by {
        By::Source => By::Owner,
        By::Owner => By::Month,
        By::Month => By::Source,
    }
}

/// Whether a report groups its rows by the `b` selector ([`report::Report::grouped`]).
pub fn report_uses_grouping(name: &str) -> bool {
    report::Report::named(name).is_ok_and(|r| r.grouped())
}

/// Whether a report covers the `p` period (the others describe the book as it is now; see
/// [`report::Report::period_basis`]).
pub fn report_uses_period(name: &str) -> bool {
    report::Report::named(name).is_ok_and(|r| r.period_basis().is_some())
}

/// The Reports tab: which report, over which period, grouped how, and its rows as last
/// fetched (by `update` only; the view never reads the book).
#[derive(Debug, Clone, PartialEq)]
pub struct Reports {
    /// Index into `report::NAMES`.
    pub selected: usize,
    pub period: ReportPeriod,
    pub by: By,
    /// The rows, typed: what the charts read.
    pub typed: Option<report::Rows>,
    /// The same as flat objects, as the tables show them (made once, when fetched).
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Why the rows could not be computed, shown in place of the table.
    pub error: Option<String>,
}

impl Default for Reports {
    fn default() -> Self {
        Reports {
            selected: 0,
            period: ReportPeriod::AllTime,
            by: By::Source,
            typed: None,
            rows: Vec::new(),
            error: None,
        }
    }
}

impl Reports {
    /// The selected report.
    pub fn report(&self) -> report::Report {
        report::Report::ALL
            .get(self.selected)
            .copied()
            .unwrap_or(report::Report::Funnel)
    }

    /// The selected report's name.
    pub fn name(&self) -> &'static str {
        self.report().name()
    }
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
    fn step(&mut self, delta: isize) {
        let last = self.total.saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Refetch the window of `page` rows around the cursor; keep the cursor on `keep` if it is
    /// still in the window, else on the same position (its neighbour).
    fn load(
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
    fn load_from(
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

impl ColumnSource {
    /// The column's leads as a view.
    pub fn view(&self) -> View {
        match self {
            ColumnSource::Stage(s) => View::Stage(*s),
            ColumnSource::Ripe(b) => b.view(),
        }
    }

    /// Whether a lead placed so falls in the column.
    pub fn holds(&self, p: &Placed) -> bool {
        match self {
            ColumnSource::Stage(s) => p.stage == Some(*s),
            ColumnSource::Ripe(b) => b.holds(p.ripe_on),
        }
    }
}

/// A stage as a board column's title: "Green".
fn stage_title(stage: Stage) -> String {
    let mut title = stage.as_str().to_string();
    if let Some(first) = title.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    title
}

/// How far a keystroke walks a view for a filter's matches, in thousands of SQLite steps (a few
/// milliseconds on a big book): a word common in the book but rare in the view stops there, shows
/// what it found, and finishes when the user pauses.
pub const KEYSTROKE_WALK: u32 = 15;

/// How far a filtered list is first counted ("200+ matching"); scrolling to its end counts
/// further. Counting every match of a common word on a big book would cost a walk over the view
/// on every keystroke.
pub const FILTER_COUNT_CAP: usize = 200;

/// Where a pipeline column's leads come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnSource {
    Stage(Stage),
    Ripe(RipeBucket),
}

/// One column of the pipeline board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardColumn {
    pub title: String,
    /// Under a word filter, how many matches the walk has found so far (see `counted`).
    pub count: i64,
    /// Whether `count` and the values are the column's whole (false while a word filter's
    /// matches are counted only as far as the screen, or up to the cap).
    pub counted: bool,
    pub value_cents: i64,
    pub weighted_cents: i64,
    pub source: ColumnSource,
    pub window: ListWindow,
}

/// The pipeline board: stage columns, or ripe-month columns when `months` is on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    pub months: bool,
    pub columns: Vec<BoardColumn>,
    pub col: usize,
}

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

/// A yes/no question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Delete {
        uid: String,
        name: String,
    },
    /// Reactivating clears the loss (its reason, date and rest): asked first, as a stray `r`
    /// could not be undone but by losing the lead again.
    Reactivate {
        uid: String,
        name: String,
        was: String,
    },
    Quit,
}

/// An import's dry run on screen, waiting for Enter (import for real) or Esc (nothing written).
#[derive(Debug, Clone)]
pub struct ImportPreview {
    /// The file, resolved to an absolute path.
    pub path: PathBuf,
    /// The path as shown: relative to the current folder when inside it.
    pub shown: String,
    /// What the dry run found; none when the file was refused.
    pub report: Option<ImportReport>,
    /// Why the file cannot be imported: its bad rows, `file:line: what`.
    pub errors: Vec<String>,
    /// Lines scrolled past.
    pub scroll: usize,
}

/// A message for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub text: String,
    pub error: bool,
}

/// What the loop must do outside `update`, with the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Suspend the screen and write a note on this lead in `$EDITOR`.
    EditNote { uid: String, name: String },
}

/// Everything that can happen to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command from the keymap.
    Command(Command),
    /// A key for a form, the filter or a question (text entry, not commands).
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    Click {
        column: u16,
        row: u16,
    },
    Scroll(isize),
    /// Time passed: refresh what falls due.
    Tick,
    /// Another process wrote the book: fetch the views again.
    BookChanged,
    /// The editor closed with this text for a note.
    NoteWritten {
        uid: String,
        text: String,
    },
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

/// The whole state of the terminal app.
#[derive(Debug, Clone)]
pub struct App {
    pub tab: Tab,
    pub inbox: ListWindow,
    pub queue: ListWindow,
    pub recycled: ListWindow,
    pub board: Board,
    pub reports: Reports,
    /// Follow-ups show the coming week, not just today.
    pub week: bool,
    /// What the Recycled tab lists.
    pub closed: Closed,
    /// The filter text of each tab.
    pub filters: [String; 5],
    /// How far the filtered list is counted: [`FILTER_COUNT_CAP`], raised fourfold each time
    /// the cursor reaches the last row counted.
    pub filter_cap: usize,
    /// The filter line is taking keys.
    pub filtering: bool,
    /// The filtered list is counted only as far as the screen needs: the rest is counted when
    /// the user pauses ([`App::count_further`]), so that no keystroke waits for it.
    pub counting: bool,
    pub counts: Counts,
    pub book_empty: bool,
    pub detail: Option<Detail>,
    /// Detail asked for with Enter (fills the body when narrow).
    pub detail_open: bool,
    /// Timeline entries scrolled past in the full-screen detail (PgDn: older ones).
    pub timeline_skip: usize,
    pub form: Option<Form>,
    pub import: Option<ImportPreview>,
    /// The folder the import and export forms take relative paths from (the current one).
    pub dir: PathBuf,
    pub confirm: Option<Confirm>,
    pub help: bool,
    pub status: Option<StatusLine>,
    pub size: Rect,
    pub now: Now,
    pub plan: Plan,
    pub keymap: Keymap,
    pub theme: Theme,
    pub quit: bool,
}

/// How much of a lead's timeline the detail holds, newest first.
pub const TIMELINE_ENTRIES: usize = 200;

fn err_text(e: &StoreError) -> String {
    if e.is_busy() {
        return "the book is busy with another ripen (an import?): nothing was written, try again"
            .into();
    }
    e.to_string()
}

impl App {
    /// A fresh app on a book, loaded.
    pub fn new(store: &Store, keymap: Keymap, theme: Theme, now: Now, size: Rect) -> App {
        let mut app = App {
            tab: Tab::Queue,
            inbox: ListWindow::default(),
            queue: ListWindow::default(),
            recycled: ListWindow::default(),
            board: Board::default(),
            reports: Reports::default(),
            week: false,
            closed: Closed::default(),
            filters: Default::default(),
            filter_cap: FILTER_COUNT_CAP,
            filtering: false,
            counting: false,
            counts: Counts::default(),
            book_empty: false,
            detail: None,
            detail_open: false,
            timeline_skip: 0,
            form: None,
            import: None,
            // Only a missing or unreadable current folder fails: "." then still means it.
            dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            confirm: None,
            help: false,
            status: None,
            size,
            now,
            plan: store.plan().clone(),
            keymap,
            theme,
            quit: false,
        };
        app.refresh_or_report(store, None);
        app
    }

    /// Which keymap mode is in force (for the loop and the help overlay).
    pub fn mode(&self) -> Mode {
        if self.book_empty {
            Mode::Welcome
        } else {
            Mode::List
        }
    }

    /// Whether keys go to text entry (a form, the filter, a question, the help) rather than
    /// the keymap.
    pub fn takes_text(&self) -> bool {
        self.form.is_some()
            || self.import.is_some()
            || self.filtering
            || self.confirm.is_some()
            || self.help
    }

    /// Set the status line.
    pub fn say(&mut self, text: impl Into<String>) {
        self.status = Some(StatusLine {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn fail(&mut self, text: impl Into<String>) {
        self.status = Some(StatusLine {
            text: text.into(),
            error: true,
        });
    }

    pub(super) fn filter(&self) -> Filter {
        let t = self.filters[self.tab.index()].trim();
        Filter {
            text: (!t.is_empty()).then(|| t.to_string()),
            ..Filter::default()
        }
    }

    /// The list view of a list tab (none for Reports, which lists no leads).
    pub fn view_of(&self, tab: Tab) -> Option<View> {
        Some(match tab {
            Tab::Inbox => View::Inbox,
            Tab::Queue => View::Queue {
                until: if self.week {
                    View::queue_until("week", &self.now)
                        .unwrap_or_else(|| self.now.start_of_tomorrow())
                } else {
                    self.now.start_of_tomorrow()
                },
            },
            Tab::Pipeline => View::Pipeline,
            Tab::Recycled => self.closed.view(),
            Tab::Reports => return None,
        })
    }

    /// The areas of the screen as drawn now.
    /// The screen as the tab shows its list: what `areas` is with the detail closed.
    fn list_areas(&self) -> layout::Areas {
        if self.tab.has_leads() {
            layout::areas(self.size, self.tab == Tab::Pipeline, false)
        } else {
            layout::areas_without_detail(self.size)
        }
    }

    pub fn areas(&self) -> layout::Areas {
        if self.tab.has_leads() {
            layout::areas(self.size, self.tab == Tab::Pipeline, self.detail_open)
        } else {
            layout::areas_without_detail(self.size)
        }
    }

    fn window_mut(&mut self, tab: Tab) -> Option<&mut ListWindow> {
        match tab {
            Tab::Inbox => Some(&mut self.inbox),
            Tab::Queue => Some(&mut self.queue),
            Tab::Recycled => Some(&mut self.recycled),
            Tab::Pipeline => self
                .board
                .columns
                .get_mut(self.board.col)
                .map(|c| &mut c.window),
            Tab::Reports => None,
        }
    }

    /// The window of the current tab (the selected column's on the board).
    pub fn window(&self) -> Option<&ListWindow> {
        match self.tab {
            Tab::Inbox => Some(&self.inbox),
            Tab::Queue => Some(&self.queue),
            Tab::Recycled => Some(&self.recycled),
            Tab::Pipeline => self.board.columns.get(self.board.col).map(|c| &c.window),
            Tab::Reports => None,
        }
    }

    /// The lead under the cursor.
    pub fn selected(&self) -> Option<&LeadRow> {
        self.window().and_then(ListWindow::selected_row)
    }

    fn page(&self) -> usize {
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
        self.counting = false;
        self.counts = store.counts(&self.now)?;
        self.book_empty = store.list(&View::All, &Filter::default(), 0, 1)?.is_empty();
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
                            let need = (at + page + 1).min(self.filter_cap);
                            // Bounded only with the cursor on the first screen (a filter
                            // keystroke): deeper down, the cursor's lead must be reached.
                            let bounded = at < page;
                            let mut steps = 0;
                            let (found, all) = store.match_numbers_until(
                                &view,
                                &filter,
                                need,
                                self.filter_cap,
                                move || {
                                    steps += 1;
                                    bounded && steps > KEYSTROKE_WALK
                                },
                            )?;
                            self.counting = !all;
                            Some(found)
                        }
                        None => None,
                    };
                    let total = match &numbers {
                        Some(n) => n.len(),
                        None => usize::try_from(store.count(&view, &filter)?).unwrap_or(0),
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
        if !self.counting {
            return false;
        }
        let (filter, cap, tab) = (self.filter(), self.filter_cap, self.tab);
        if tab == Tab::Pipeline {
            return self.count_board_further(store, stop);
        }
        let Some(view) = self.view_of(tab) else {
            self.counting = false;
            return false;
        };
        match store.match_numbers_until(&view, &filter, cap, cap, stop) {
            Ok((_, false)) => false,
            Ok((found, true)) => {
                self.counting = false;
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
                self.counting = false;
                self.fail(err_text(&e));
                true
            }
        }
    }

    /// [`App::count_further`] on the board: each column whose walk stopped short, in turn.
    fn count_board_further(
        &mut self,
        store: &Store,
        stop: impl FnMut() -> bool + Send + 'static,
    ) -> bool {
        let (filter, cap, page) = (self.filter(), self.filter_cap, self.page());
        let keep = self.selected().map(|r| r.lead.uid.clone());
        // One stop for every column: shared, so a waiting key stops the lot.
        let stop = std::sync::Arc::new(std::sync::Mutex::new(stop));
        let mut changed = false;
        for i in 0..self.board.columns.len() {
            let col = &self.board.columns[i];
            if col.counted || col.count as usize >= cap {
                continue;
            }
            let view = col.source.view();
            let stop = std::sync::Arc::clone(&stop);
            let walked = store.match_numbers_until(&view, &filter, cap, cap, move || {
                stop.lock().map_or(true, |mut s| s())
            });
            let found = match walked {
                Ok((_, false)) => return changed,
                Ok((found, true)) => found,
                Err(e) => {
                    self.counting = false;
                    self.fail(err_text(&e));
                    return true;
                }
            };
            let (value, weighted, wins) = match store.value_numbered(&found) {
                Ok(v) => v,
                Err(e) => {
                    self.counting = false;
                    self.fail(err_text(&e));
                    return true;
                }
            };
            let col = &mut self.board.columns[i];
            col.counted = found.len() < cap;
            col.count = found.len() as i64;
            col.value_cents = value;
            col.weighted_cents = weighted;
            if let ColumnSource::Ripe(b) = &mut col.source {
                b.expected_wins = wins;
            }
            let total = found.len();
            let loaded = col.window.load_from(
                page,
                keep.as_deref(),
                store,
                &view,
                &filter,
                Some(found),
                total,
            );
            if let Err(e) = loaded {
                self.fail(err_text(&e));
            }
            changed = true;
        }
        self.counting = false;
        if let Err(e) = self.load_detail(store) {
            self.fail(err_text(&e));
        }
        true
    }

    /// With a filter on and every match on screen, put the best fuzzy match first; the cursor
    /// stays on its lead unless `best` asks for the top.
    fn rank_window(&mut self, best: bool) {
        let query = self.filters[self.tab.index()].clone();
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
        super::fuzzy::rank(&mut w.rows, &query);
        w.selected = if best {
            0
        } else {
            keep.and_then(|uid| w.rows.iter().position(|r| r.lead.uid == uid))
                .unwrap_or(w.selected)
        };
    }

    pub(super) fn refresh_or_report(&mut self, store: &Store, keep: Option<&str>) {
        if let Err(e) = self.refresh(store, keep) {
            self.fail(err_text(&e));
        }
    }

    fn load_board(
        &mut self,
        store: &Store,
        filter: &Filter,
        page: usize,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let fresh: Vec<(String, i64, i64, i64, ColumnSource)> = if filter.text.is_some() {
            // Under a word filter each column is walked like a list (see below), so its count
            // and values are filled in there.
            let sources: Vec<(String, ColumnSource)> = if self.board.months {
                RipeBucket::months(&self.now)
                    .into_iter()
                    .map(|b| (b.label.clone(), ColumnSource::Ripe(b)))
                    .collect()
            } else {
                Stage::ALL
                    .into_iter()
                    .map(|stage| (stage_title(stage), ColumnSource::Stage(stage)))
                    .collect()
            };
            sources
                .into_iter()
                .map(|(title, source)| (title, 0, 0, 0, source))
                .collect()
        } else if self.board.months {
            store
                .ripening_buckets(&self.now, filter)?
                .into_iter()
                .map(|b| {
                    (
                        b.label.clone(),
                        b.count,
                        b.value_cents,
                        b.weighted_cents,
                        ColumnSource::Ripe(b),
                    )
                })
                .collect()
        } else {
            store
                .pipeline_columns(filter)?
                .into_iter()
                .map(|c| {
                    (
                        stage_title(c.stage),
                        c.count,
                        c.value_cents,
                        c.weighted_cents,
                        ColumnSource::Stage(c.stage),
                    )
                })
                .collect()
        };
        let same_shape = self.board.columns.len() == fresh.len()
            && self
                .board
                .columns
                .iter()
                .zip(&fresh)
                .all(|(a, b)| a.title == b.0);
        let old: Vec<ListWindow> = if same_shape {
            self.board
                .columns
                .iter()
                .map(|c| c.window.clone())
                .collect()
        } else {
            vec![ListWindow::default(); fresh.len()]
        };
        // A word that matches few leads in the book: its matches are read once for the whole
        // board, in order, and split among the columns.
        let split = match filter.text {
            Some(_) if self.board.months => {
                let all = View::Ripe {
                    from: None,
                    to: None,
                    unset: true,
                };
                store.few_matches_split(&all, filter)?
            }
            Some(_) => store.few_matches_split(&View::Pipeline, filter)?,
            None => None,
        };
        let mut columns = Vec::with_capacity(fresh.len());
        let walk = (KEYSTROKE_WALK / fresh.len().max(1) as u32).max(1);
        for ((title, mut count, mut value_cents, mut weighted_cents, mut source), mut window) in
            fresh.into_iter().zip(old)
        {
            let mut counted = true;
            let mut wins = None;
            match &source {
                _ if filter.text.is_some() => {
                    // As a filtered list: walked as far as the screen needs, at most its
                    // share of a keystroke's walk; the rest is counted on a pause.
                    let view = source.view();
                    let need = (window.selected + page + 1).min(self.filter_cap);
                    let bounded = window.selected < page;
                    let mut steps = 0;
                    let (found, all, sums) = match &split {
                        Some(placed) => {
                            let mine: Vec<&Placed> = placed
                                .iter()
                                .filter(|p| source.holds(p))
                                .take(self.filter_cap)
                                .collect();
                            let sums = store.value_placed(mine.iter().copied());
                            (mine.iter().map(|p| p.number).collect(), true, Some(sums))
                        }
                        None => {
                            let (found, all) = store.match_numbers_until(
                                &view,
                                filter,
                                need,
                                self.filter_cap,
                                move || {
                                    steps += 1;
                                    bounded && steps > walk
                                },
                            )?;
                            (found, all, None)
                        }
                    };
                    counted = all && found.len() < self.filter_cap;
                    self.counting |= !all;
                    count = found.len() as i64;
                    let expected;
                    (value_cents, weighted_cents, expected) = match sums {
                        Some(sums) => sums,
                        None => store.value_numbered(&found)?,
                    };
                    wins = Some(expected);
                    let total = found.len();
                    window.load_from(page, keep, store, &view, filter, Some(found), total)?
                }
                ColumnSource::Stage(s) => {
                    let view = View::Stage(*s);
                    let total = usize::try_from(count).unwrap_or(0);
                    window.load(page, keep, |o, l| store.list(&view, filter, o, l), total)?
                }
                ColumnSource::Ripe(b) => window.load(
                    page,
                    keep,
                    |o, l| store.ripening_list(b, filter, o, l),
                    usize::try_from(count).unwrap_or(0),
                )?,
            }
            if let (ColumnSource::Ripe(b), Some(w)) = (&mut source, wins) {
                b.expected_wins = w;
            }
            columns.push(BoardColumn {
                title,
                count,
                counted,
                value_cents,
                weighted_cents,
                source,
                window,
            });
        }
        // After an action the lead may have moved to another column: follow it there.
        if let Some(uid) = keep
            && let Some(i) = columns
                .iter()
                .position(|c| c.window.rows.iter().any(|r| r.lead.uid == uid))
        {
            self.board.col = i;
        }
        self.board.columns = columns;
        self.board.col = self
            .board
            .col
            .min(self.board.columns.len().saturating_sub(1));
        Ok(())
    }

    /// Whether the detail fills the body (Enter), where PgDn/PgUp scroll its timeline.
    pub fn detail_full(&self) -> bool {
        self.detail_open && self.detail.is_some() && self.areas().main.height == 0
    }

    fn load_detail(&mut self, store: &Store) -> Result<(), StoreError> {
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

    /// Apply one action. Returns what the loop must do with the terminal, if anything.
    pub fn update(&mut self, action: Action, store: &mut Store, now: &Now) -> Option<Effect> {
        self.now = *now;
        match action {
            Action::Command(c) => return self.command(c, store),
            Action::Key(k) => return self.key(k, store),
            Action::Paste(text) => {
                if let Some(f) = &mut self.form {
                    f.paste(&text);
                } else if self.filtering {
                    let line: String = text.chars().filter(|c| !c.is_control()).collect();
                    self.filters[self.tab.index()].push_str(&line);
                    self.after_filter(store);
                }
            }
            Action::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                let keep = self.selected().map(|r| r.lead.uid.clone());
                self.refresh_or_report(store, keep.as_deref());
            }
            Action::Click { column, row } => self.click(column, row, store),
            Action::Scroll(delta) => {
                if self.import.is_some() {
                    self.preview_scroll(delta);
                } else if !self.takes_text() {
                    self.move_cursor(delta, store);
                }
            }
            Action::Tick | Action::BookChanged => {
                let keep = self.selected().map(|r| r.lead.uid.clone());
                self.refresh_or_report(store, keep.as_deref());
            }
            Action::NoteWritten { uid, text } => {
                let note = clean_field(&text, true);
                match note {
                    None => self.say("empty note, nothing saved"),
                    Some(note) => {
                        let contact = Contact {
                            kind: ActivityKind::Note,
                            outcome: None,
                            note: Some(note),
                            at: None,
                            next: None,
                        };
                        let n = self.now;
                        match store
                            .apply(&uid, &n, |l, p| lifecycle::log_contact(l, contact, &n, p))
                        {
                            Ok(row) => {
                                self.say(format!("note saved · {}", row.lead.name));
                                self.refresh_or_report(store, Some(&uid));
                            }
                            Err(e) => self.fail(err_text(&e)),
                        }
                    }
                }
            }
        }
        None
    }

    fn move_cursor(&mut self, delta: isize, store: &Store) {
        let mut whole = false;
        let cap = self.filter_cap;
        let mut more = false;
        // Heading for the end of a list counted only as far as the screen: the user outran
        // the count, so finish it first, then move.
        let outran = self.counting
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
        if more && !self.filters[self.tab.index()].trim().is_empty() {
            self.filter_cap = cap.saturating_mul(4);
            let keep = self.selected().map(|r| r.lead.uid.clone());
            self.refresh_or_report(store, keep.as_deref());
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
    fn reload_window(&mut self, store: &Store) -> Result<(), StoreError> {
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

    fn switch(&mut self, tab: Tab, store: &Store) {
        self.tab = tab;
        self.filtering = false;
        // A tab opens on its list (or board): a detail opened full-screen was the old tab's.
        self.detail_open = false;
        self.refresh_or_report(store, None);
        if tab == Tab::Reports {
            self.load_report(store);
        }
    }

    /// Fetch the selected report's rows for the chosen period and grouping.
    fn load_report(&mut self, store: &Store) {
        let r = &self.reports;
        let period = r.period.period(&self.now);
        match report::compute(store, r.report(), &period, r.by, &self.now) {
            Ok(rows) => {
                self.reports.rows = rows.objects();
                self.reports.typed = Some(rows);
                self.reports.error = None;
            }
            Err(e) => {
                let text = err_text(&e);
                self.reports.rows.clear();
                self.reports.typed = None;
                self.reports.error = Some(text.clone());
                self.fail(text);
            }
        }
    }

    /// Move the report picker by `delta` (clamped) and refetch if it moved.
    fn pick_report(&mut self, delta: isize, store: &Store) {
        let last = report::NAMES.len() - 1;
        let to = self.reports.selected.saturating_add_signed(delta).min(last);
        if to != self.reports.selected {
            self.reports.selected = to;
            self.load_report(store);
        }
    }

    fn command(&mut self, c: Command, store: &mut Store) -> Option<Effect> {
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
                    self.fail("p: only in Reports");
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
                    self.fail("b: only in Reports");
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
                    "{}: no leads in Reports (1–4 for the lists)",
                    self.keymap.key_label(c)
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
                } else if !self.filters[self.tab.index()].is_empty() {
                    // The lead the filter found stays under the cursor.
                    let keep = self.selected().map(|r| r.lead.uid.clone());
                    self.filters[self.tab.index()].clear();
                    self.refresh_or_report(store, keep.as_deref());
                    if let Err(e) = self.load_detail(store) {
                        self.fail(err_text(&e));
                    }
                }
            }
            Command::Add => self.form = Some(self.add_form()),
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
                    Ok(f) => self.form = Some(f),
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
                    Ok(found) => self.form = Some(self.merge_form(&row, found)),
                    Err(e) => self.fail(err_text(&e)),
                }
            }
            Command::StageForward | Command::StageBack => {
                let forward = c == Command::StageForward;
                let n = self.now;
                self.on_selected(store, None, |store, uid| {
                    store.apply(uid, &n, |l, p| lifecycle::step_stage(l, forward, &n, p))
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
                        self.confirm = Some(Confirm::Reactivate {
                            uid: l.uid.clone(),
                            name: l.name.clone(),
                            was,
                        });
                    }
                    Err(e) => self.fail(e.to_string()),
                },
                None => self.fail("no lead selected"),
            },
            Command::Delete => match self.selected() {
                Some(r) => {
                    self.confirm = Some(Confirm::Delete {
                        uid: r.lead.uid.clone(),
                        name: r.lead.name.clone(),
                    })
                }
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
            Command::Filter => self.filtering = true,
            Command::Week => {
                if self.tab == Tab::Queue {
                    self.week = !self.week;
                    self.queue.selected = 0;
                    self.refresh_or_report(store, None);
                } else {
                    self.fail("t: only in Follow-ups");
                }
            }
            Command::Closed => {
                if self.tab == Tab::Recycled {
                    self.closed = self.closed.next();
                    self.recycled.selected = 0;
                    self.refresh_or_report(store, None);
                } else {
                    self.fail("v: only in Recycled");
                }
            }
            Command::Months => {
                if self.tab == Tab::Pipeline {
                    self.board.months = !self.board.months;
                    self.board.col = 0;
                    self.refresh_or_report(store, None);
                } else {
                    self.fail("m: only in the Pipeline");
                }
            }
            Command::Import => self.form = Some(self.import_form()),
            Command::Export => match self.export_form(store) {
                Ok(f) => self.form = Some(f),
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
            Command::Help => self.help = true,
            Command::Quit => self.quit = true,
        }
        None
    }

    /// Run a store change on the selected lead and report it.
    fn on_selected(
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

    fn key(&mut self, k: KeyEvent, store: &mut Store) -> Option<Effect> {
        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
        if self.help {
            self.help = false;
            return None;
        }
        if let Some(q) = self.confirm.take() {
            if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                match q {
                    Confirm::Quit => self.quit = true,
                    Confirm::Delete { uid, .. } => {
                        let n = self.now;
                        match store.apply(&uid, &n, |l, _| lifecycle::trash(l, &n)) {
                            Ok(row) => {
                                self.say(format!("moved to the trash · {}", row.lead.name));
                                self.refresh_or_report(store, Some(&uid));
                            }
                            Err(e) => self.fail(err_text(&e)),
                        }
                    }
                    Confirm::Reactivate { uid, .. } => {
                        let n = self.now;
                        match store.apply(&uid, &n, |l, _| lifecycle::reactivate(l, &n)) {
                            Ok(row) => {
                                self.say(format!(
                                    "reactivated → working, due today · {}",
                                    row.lead.name
                                ));
                                self.refresh_or_report(store, Some(&uid));
                            }
                            Err(e) => self.fail(err_text(&e)),
                        }
                    }
                }
            } else {
                self.say("cancelled");
            }
            return None;
        }
        if self.import.is_some() {
            self.preview_key(k, store);
            return None;
        }
        if let Some(form) = &mut self.form {
            if ctrl_c {
                if form.dirty() {
                    self.confirm = Some(Confirm::Quit);
                } else {
                    self.quit = true;
                }
                return None;
            }
            match form.key(k) {
                Outcome::Continue => {}
                Outcome::Cancel => self.form = None,
                Outcome::Submit => self.submit(store),
            }
            return None;
        }
        if self.filtering {
            let idx = self.tab.index();
            match k.code {
                KeyCode::Esc => {
                    self.filtering = false;
                    self.filters[idx].clear();
                    self.after_filter(store);
                }
                KeyCode::Enter => self.filtering = false,
                KeyCode::Backspace => {
                    self.filters[idx].pop();
                    self.after_filter(store);
                }
                KeyCode::Down => self.move_cursor(1, store),
                KeyCode::Up => self.move_cursor(-1, store),
                KeyCode::Char(c)
                    if !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    self.filters[idx].push(c);
                    self.after_filter(store);
                }
                _ => {}
            }
            return None;
        }
        None
    }

    fn after_filter(&mut self, store: &Store) {
        self.filter_cap = FILTER_COUNT_CAP;
        if let Some(w) = self.window_mut(self.tab) {
            w.selected = 0;
            w.offset = 0;
        }
        if self.tab == Tab::Pipeline {
            for c in &mut self.board.columns {
                c.window.selected = 0;
                c.window.offset = 0;
            }
        }
        self.refresh_or_report(store, None);
        // On the board, the cursor goes to the first column with a match.
        if self.tab == Tab::Pipeline
            && self
                .board
                .columns
                .get(self.board.col)
                .is_some_and(|c| c.window.rows.is_empty())
            && let Some(i) = self
                .board
                .columns
                .iter()
                .position(|c| !c.window.rows.is_empty())
        {
            self.board.col = i;
        }
        self.rank_window(true);
        if let Err(e) = self.load_detail(store) {
            self.fail(err_text(&e));
        }
    }

    fn click(&mut self, column: u16, row: u16, store: &Store) {
        if self.takes_text() {
            return;
        }
        let main = self.areas().main;
        let inside = column >= main.x
            && column < main.x + main.width
            && row >= main.y
            && row < main.y + main.height;
        if !inside {
            // A click on the tab bar switches views.
            if row == 1 {
                let n = Tab::ALL.len();
                let per = (self.size.width / n as u16).max(1);
                let i = usize::from(column / per).min(n - 1);
                self.switch(Tab::ALL[i], store);
            }
            return;
        }
        if self.tab == Tab::Reports {
            // A click on a name in the picker opens that report.
            if let (Some(p), _) = layout::report_split(main)
                && column < p.x + p.width
                && let Some(i) = row.checked_sub(p.y + 1).map(usize::from)
                && i < report::NAMES.len()
                && i != self.reports.selected
            {
                self.reports.selected = i;
                self.load_report(store);
            }
            return;
        }
        if self.tab == Tab::Pipeline {
            let n = self.board.columns.len();
            let visible = layout::board_columns_visible(main, n);
            let first = first_visible_column(self.board.col, visible, n);
            let width = (main.width as usize / visible).max(1);
            let col = first + (column - main.x) as usize / width;
            if col < n {
                self.board.col = col;
            }
            let first_card = main.y + 3;
            if row >= first_card
                && let Some(w) = self.window_mut(Tab::Pipeline)
            {
                let i = w.offset + (row - first_card) as usize;
                if i < w.total {
                    w.selected = i;
                }
            }
        } else {
            let first_row = main.y + 2;
            if row >= first_row
                && let Some(w) = self.window_mut(self.tab)
            {
                let i = w.offset + (row - first_row) as usize;
                if i < w.total {
                    w.selected = i;
                }
            }
        }
        // Follow the clicked lead by uid: the window may be ranked differently from the view.
        let keep = self.selected().map(|r| r.lead.uid.clone());
        self.refresh_or_report(store, keep.as_deref());
    }

    /// The key event the keymap sees for a command, for tests and the loop.
    pub fn command_for(&self, key: &KeyEvent) -> Option<Command> {
        self.keymap.command(self.mode(), Key::from_event(key))
    }
}

/// The first board column shown when `visible` of `n` fit and `col` is selected.
pub fn first_visible_column(col: usize, visible: usize, n: usize) -> usize {
    if n <= visible {
        0
    } else {
        col.saturating_sub(visible - 1).min(n - visible)
    }
}

/// A lead's state in a few words, after a change.
fn describe(row: &LeadRow) -> String {
    let l = &row.lead;
    match (l.status, l.stage) {
        (Status::Open, Some(s)) => format!("stage {s}"),
        (s, _) => s.as_str().to_string(),
    }
}
