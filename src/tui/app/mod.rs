//! The app's state and `update`: every change of state goes through [`App::update`], driven by
//! an [`Action`]; it is the only place that writes to the book, and it never touches the
//! terminal (what needs the terminal comes back as an [`Effect`]).
//!
//! Where things are: `tabs` (the tabs, each list tab's window and filter), `lists` (loading
//! them, the cursor, the detail), `board` (the Pipeline), `reports` (the Reports tab),
//! `commands` (what each command does), `mouse` (clicks), `overlay` (the one popup or line mode
//! open: help, question, form, import preview, filter, conflicts), `lead_forms` (the forms on a
//! lead, built and saved), `transfer` (import and export), `conflicts` (a shared book's
//! conflicts, counted and settled), `handover` (whose leads the lists show, handing leads over).

mod board;
mod commands;
mod conflicts;
mod handover;
mod lead_forms;
mod lists;
mod mouse;
mod overlay;
mod reports;
mod tabs;
pub mod transfer;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use std::collections::HashSet;
use std::path::PathBuf;

pub use board::{Board, BoardColumn, ColumnSource, first_visible_column};
pub use conflicts::ConflictList;
pub use lists::{Detail, FILTER_COUNT_CAP, KEYSTROKE_WALK, TIMELINE_ENTRIES};
pub use overlay::{Confirm, ImportPreview, Overlay};
pub use reports::{ReportPeriod, Reports, by_label, report_uses_grouping, report_uses_period};
pub use tabs::{Closed, ListTab, ListWindow, Tab, TabFilter};

use super::keymap::{Command, Key, Keymap, Mode};
use super::layout::{self, Drawn};
use super::theme::Theme;
use crate::domain::lead::Whose;
use crate::domain::lifecycle::Contact;
use crate::domain::text::clean_field;
use crate::domain::{ActivityKind, Now, Plan};
use crate::ops::{self, Op};
use crate::store::{Counts, Filter, LeadRow, OwnerSet, Store, StoreError, View};

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

/// The whole state of the terminal app.
#[derive(Debug, Clone)]
pub struct App {
    pub tab: Tab,
    pub inbox: ListTab,
    pub queue: ListTab,
    pub recycled: ListTab,
    pub board: Board,
    pub reports: Reports,
    /// Follow-ups show the coming week, not just today.
    pub week: bool,
    /// What the Recycled tab lists.
    pub closed: Closed,
    pub counts: Counts,
    /// How many conflicts the shared book has, as last counted (see `conflicts`).
    pub conflicts: usize,
    /// Whose leads the lists show (`o` cycles): mine and the unassigned ones at first.
    pub whose: Whose,
    /// The owners' spellings `whose` covers, as last resolved (None: every lead).
    pub owners: Option<OwnerSet>,
    /// Whether the book has owners besides me and the unassigned (a team's book): only then
    /// do the title and the lists say whose leads they show.
    pub team: bool,
    /// Who I am (see `store::author_of`).
    pub me: String,
    /// Who I said I am (the config's `user` or `RIPEN_USER`), for the title: "Sam Rep's book".
    pub named: Option<String>,
    /// The leads on screen that were handed to me and that I have not touched since.
    pub fresh: HashSet<String>,
    pub book_empty: bool,
    pub detail: Option<Detail>,
    /// Detail asked for with Enter (fills the body when narrow).
    pub detail_open: bool,
    /// Timeline entries scrolled past in the full-screen detail (PgDn: older ones).
    pub timeline_skip: usize,
    /// The one popup or line mode open over the tabs, if any.
    pub overlay: Option<Overlay>,
    /// The folder the import and export forms take relative paths from (the current one).
    pub dir: PathBuf,
    pub status: Option<StatusLine>,
    pub size: Rect,
    /// Where the last frame drew what a click can hit (the loop keeps it after each draw).
    pub drawn: Drawn,
    pub now: Now,
    pub plan: Plan,
    pub keymap: Keymap,
    pub theme: Theme,
    pub quit: bool,
}

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
            inbox: ListTab::default(),
            queue: ListTab::default(),
            recycled: ListTab::default(),
            board: Board::default(),
            reports: Reports::default(),
            week: false,
            closed: Closed::default(),
            counts: Counts::default(),
            conflicts: 0,
            whose: Whose::Mine,
            owners: None,
            team: false,
            me: store.me().to_string(),
            named: crate::store::named_user(store.plan()),
            fresh: HashSet::new(),
            book_empty: false,
            detail: None,
            detail_open: false,
            timeline_skip: 0,
            overlay: None,
            // Only a missing or unreadable current folder fails: "." then still means it.
            dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            status: None,
            size,
            drawn: Drawn::default(),
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

    /// The user's key for a command, as hints and messages write it ("l").
    pub fn label(&self, c: Command) -> String {
        self.keymap.key_label(c)
    }

    /// Which keys open the lists: "1–4 for the lists".
    pub fn for_the_lists(&self) -> String {
        format!(
            "{}–{} for the lists",
            self.label(Command::Inbox),
            self.label(Command::Recycled)
        )
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

    /// The current tab's filter (none on Reports, which lists no leads).
    pub fn tab_filter(&self) -> Option<&TabFilter> {
        match self.tab {
            Tab::Inbox => Some(&self.inbox.filter),
            Tab::Queue => Some(&self.queue.filter),
            Tab::Recycled => Some(&self.recycled.filter),
            Tab::Pipeline => Some(&self.board.filter),
            Tab::Reports => None,
        }
    }

    pub(super) fn tab_filter_mut(&mut self) -> Option<&mut TabFilter> {
        match self.tab {
            Tab::Inbox => Some(&mut self.inbox.filter),
            Tab::Queue => Some(&mut self.queue.filter),
            Tab::Recycled => Some(&mut self.recycled.filter),
            Tab::Pipeline => Some(&mut self.board.filter),
            Tab::Reports => None,
        }
    }

    /// The current tab's filter text ("" for none).
    pub fn filter_text(&self) -> &str {
        self.tab_filter().map_or("", |f| f.text.as_str())
    }

    /// Whether the current tab's filtered list is counted only so far (see [`TabFilter`]).
    pub fn counting(&self) -> bool {
        self.tab_filter().is_some_and(|f| f.counting)
    }

    /// How far the current tab's filtered list is counted.
    pub fn filter_cap(&self) -> usize {
        self.tab_filter().map_or(FILTER_COUNT_CAP, |f| f.cap)
    }

    pub(super) fn set_counting(&mut self, on: bool) {
        if let Some(f) = self.tab_filter_mut() {
            f.counting = on;
        }
    }

    pub(super) fn filter(&self) -> Filter {
        let t = self.filter_text().trim();
        Filter {
            text: (!t.is_empty()).then(|| t.to_string()),
            owners: self.owners.clone(),
            ..Filter::default()
        }
    }

    /// Whose leads the lists show, in words for the title: "mine", "everyone's", "Kim's".
    pub fn whose_words(&self) -> String {
        match &self.whose {
            Whose::Mine => "mine".into(),
            Whose::Everyone => "everyone's".into(),
            Whose::Owner(name) => format!("{name}'s"),
            Whose::Unassigned => "unassigned".into(),
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

    /// The screen as the tab shows its list: what `areas` is with the detail closed.
    fn list_areas(&self) -> layout::Areas {
        if self.tab.has_leads() {
            layout::areas(self.size, self.tab == Tab::Pipeline, false)
        } else {
            layout::areas_without_detail(self.size)
        }
    }

    /// The areas of the screen as drawn now.
    pub fn areas(&self) -> layout::Areas {
        if self.tab.has_leads() {
            layout::areas(self.size, self.tab == Tab::Pipeline, self.detail_open)
        } else {
            layout::areas_without_detail(self.size)
        }
    }

    pub(super) fn window_mut(&mut self, tab: Tab) -> Option<&mut ListWindow> {
        match tab {
            Tab::Inbox => Some(&mut self.inbox.window),
            Tab::Queue => Some(&mut self.queue.window),
            Tab::Recycled => Some(&mut self.recycled.window),
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
            Tab::Inbox => Some(&self.inbox.window),
            Tab::Queue => Some(&self.queue.window),
            Tab::Recycled => Some(&self.recycled.window),
            Tab::Pipeline => self.board.columns.get(self.board.col).map(|c| &c.window),
            Tab::Reports => None,
        }
    }

    /// The lead under the cursor.
    pub fn selected(&self) -> Option<&LeadRow> {
        self.window().and_then(ListWindow::selected_row)
    }

    pub(super) fn refresh_or_report(&mut self, store: &Store, keep: Option<&str>) {
        if let Err(e) = self.refresh(store, keep) {
            self.fail(err_text(&e));
        }
    }

    /// [`App::refresh_view`], an error said on the status line.
    pub(super) fn view_or_report(&mut self, store: &Store, keep: Option<&str>) {
        if let Err(e) = self.refresh_view(store, keep) {
            self.fail(err_text(&e));
        }
    }

    /// Apply one action. Returns what the loop must do with the terminal, if anything.
    pub fn update(&mut self, action: Action, store: &mut Store, now: &Now) -> Option<Effect> {
        self.now = *now;
        match action {
            Action::Command(c) => return self.command(c, store),
            Action::Key(k) => return self.overlay_key(k, store),
            Action::Paste(text) => self.overlay_paste(&text, store),
            Action::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                let keep = self.selected().map(|r| r.lead.uid.clone());
                self.view_or_report(store, keep.as_deref());
            }
            Action::Click { column, row } => self.click(column, row, store),
            Action::Scroll(delta) => {
                if self.preview().is_some() {
                    self.preview_scroll(delta);
                } else if !self.takes_text() {
                    self.move_cursor(delta, store);
                }
            }
            Action::Tick => {
                let keep = self.selected().map(|r| r.lead.uid.clone());
                self.refresh_or_report(store, keep.as_deref());
            }
            Action::BookChanged => {
                let keep = self.selected().map(|r| r.lead.uid.clone());
                self.refresh_or_report(store, keep.as_deref());
                // A sync may have brought conflicts, or settled them; an open list follows.
                match self.overlay.take() {
                    Some(Overlay::Conflicts(list)) => self.open_conflicts(store, list.selected),
                    other => {
                        self.overlay = other;
                        self.count_conflicts(store);
                    }
                }
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
                        let log = Op::Log {
                            uid: uid.clone(),
                            contact,
                        };
                        match ops::lead(store, log, &n) {
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

    fn switch(&mut self, tab: Tab, store: &Store) {
        self.tab = tab;
        if self.filtering() {
            self.overlay = None;
        }
        // A tab opens on its list (or board): a detail opened full-screen was the old tab's.
        self.detail_open = false;
        self.refresh_or_report(store, None);
        if tab == Tab::Reports {
            self.load_report(store);
        }
    }

    /// The key event the keymap sees for a command, for tests and the loop.
    pub fn command_for(&self, key: &KeyEvent) -> Option<Command> {
        self.keymap.command(self.mode(), Key::from_event(key))
    }
}
