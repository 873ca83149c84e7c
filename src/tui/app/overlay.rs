//! The one popup or line mode over the tabs, at most one at a time: the help, a question, a
//! form, the import's preview, the filter line, or a shared book's conflicts. Keys, paste and the
//! mouse wheel go to it from here; the views draw and foot it from the same enum.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::conflicts::ConflictList;
use super::{App, Effect, FILTER_COUNT_CAP, Tab, err_text};
use crate::io::import::ImportReport;
use crate::ops::{self, Op};
use crate::store::Store;
use crate::tui::form::{Form, Outcome};
use crate::tui::keymap::{Command, Key, Mode};

/// What is open over the tabs.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The keys of the current mode; any key closes it.
    Help,
    Confirm(Confirm),
    Form(Form),
    /// Boxed: an import's report is far bigger than the other overlays.
    Import(Box<ImportPreview>),
    /// The filter line is taking keys.
    Filter,
    /// The conflicts of a shared book, one other value chosen.
    Conflicts(Box<ConflictList>),
}

/// A yes/no question.
#[derive(Debug, Clone)]
pub enum Confirm {
    Delete {
        uid: String,
        name: String,
    },
    /// Reactivating clears the loss (its reason, date and rest): asked first, as a stray key
    /// could not be undone but by losing the lead again.
    Reactivate {
        uid: String,
        name: String,
        was: String,
    },
    /// Ctrl-C on a form with typed input: the form comes back on "no".
    Quit {
        form: Box<Form>,
    },
    /// Hand every lead the filter shows to `owner` (as the book spells them).
    Assign {
        uids: Vec<String>,
        owner: String,
    },
    /// Keep another value of a conflict (change `change`); the list comes back either way.
    Keep {
        change: String,
        /// The value as shown, cleaned.
        value: String,
        field: String,
        name: String,
        list: Box<ConflictList>,
    },
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

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
}

impl App {
    /// Whether keys go to the overlay (text entry, a question, the help) rather than the
    /// tabs' keymap.
    pub fn takes_text(&self) -> bool {
        self.overlay.is_some()
    }

    pub fn form(&self) -> Option<&Form> {
        match &self.overlay {
            Some(Overlay::Form(f)) => Some(f),
            _ => None,
        }
    }

    pub(super) fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.overlay {
            Some(Overlay::Form(f)) => Some(f),
            _ => None,
        }
    }

    /// The import's preview, when open.
    pub fn preview(&self) -> Option<&ImportPreview> {
        match &self.overlay {
            Some(Overlay::Import(p)) => Some(p),
            _ => None,
        }
    }

    pub(super) fn preview_mut(&mut self) -> Option<&mut ImportPreview> {
        match &mut self.overlay {
            Some(Overlay::Import(p)) => Some(p),
            _ => None,
        }
    }

    /// The question asked, when one is.
    pub fn confirm(&self) -> Option<&Confirm> {
        match &self.overlay {
            Some(Overlay::Confirm(q)) => Some(q),
            _ => None,
        }
    }

    /// Whether the filter line is taking keys.
    pub fn filtering(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Filter))
    }

    /// Whether the help is open.
    pub fn help_open(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Help))
    }

    /// Open an overlay in place of any other.
    pub(super) fn open(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
    }

    /// The keymap's mode for the overlay's keys; none for the help (any key closes it) or
    /// with no overlay.
    pub fn overlay_mode(&self) -> Option<Mode> {
        match &self.overlay {
            None | Some(Overlay::Help) => None,
            Some(Overlay::Form(f)) if f.confirm_discard => Some(Mode::Confirm),
            Some(Overlay::Form(_)) => Some(Mode::Form),
            Some(Overlay::Confirm(_)) => Some(Mode::Confirm),
            Some(Overlay::Filter) => Some(Mode::Filter),
            Some(Overlay::Import(_)) => Some(Mode::Preview),
            Some(Overlay::Conflicts(_)) => Some(Mode::Conflicts),
        }
    }

    /// A key for the overlay: a command of its mode through the keymap, else text typed.
    pub(super) fn overlay_key(&mut self, k: KeyEvent, store: &mut Store) -> Option<Effect> {
        if is_ctrl_c(&k) && self.ctrl_c() {
            return None;
        }
        let Some(mode) = self.overlay_mode() else {
            // The help: any key closes it.
            self.overlay = None;
            return None;
        };
        match self.keymap.command(mode, Key::from_event(&k)) {
            Some(c) => self.overlay_command(c, store),
            None => self.overlay_text(k, store),
        }
        None
    }

    /// Ctrl-C over an overlay: quit, asking first over a form with typed input. Says whether
    /// it was taken (a question and the filter line take it as any other key).
    fn ctrl_c(&mut self) -> bool {
        match self.overlay.take() {
            Some(Overlay::Form(form)) if form.dirty() => {
                self.open(Overlay::Confirm(Confirm::Quit {
                    form: Box::new(form),
                }));
            }
            // Nothing is written before the preview's Enter, nor before a kept value's yes: quitting
            // loses nothing.
            Some(Overlay::Form(_) | Overlay::Import(_) | Overlay::Conflicts(_)) => self.quit = true,
            other => {
                self.overlay = other;
                return false;
            }
        }
        true
    }

    /// A command of the overlay's mode (one of another mode does nothing).
    pub(super) fn overlay_command(&mut self, c: Command, store: &mut Store) {
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        match (overlay, c) {
            (Overlay::Form(mut form), c) if form.confirm_discard => {
                form.confirm_discard = false;
                if c != Command::Yes {
                    self.open(Overlay::Form(form));
                }
            }
            (Overlay::Confirm(q), c) => self.answer(q, c == Command::Yes, store),
            (Overlay::Form(form), Command::Save) => {
                self.open(Overlay::Form(form));
                self.submit(store);
            }
            (Overlay::Form(mut form), Command::NextField | Command::PrevField) => {
                if c == Command::NextField {
                    form.next_field();
                } else {
                    form.prev_field();
                }
                self.open(Overlay::Form(form));
            }
            (Overlay::Form(mut form), Command::Cancel) => {
                if form.cancel() == Outcome::Continue {
                    self.open(Overlay::Form(form));
                }
            }
            (Overlay::Filter, Command::KeepFilter) => {}
            (Overlay::Filter, Command::ClearFilter) => {
                if let Some(f) = self.tab_filter_mut() {
                    f.text.clear();
                }
                self.after_filter(store);
            }
            (Overlay::Filter, Command::FilterDown | Command::FilterUp) => {
                self.open(Overlay::Filter);
                self.move_cursor(if c == Command::FilterDown { 1 } else { -1 }, store);
            }
            (Overlay::Import(p), c) => {
                self.open(Overlay::Import(p));
                self.preview_command(c, store);
            }
            (Overlay::Conflicts(list), c) => self.conflicts_command(list, c),
            (other, _) => self.overlay = Some(other),
        }
    }

    /// A key no command of the overlay's mode holds: text for a form or the filter line, "no"
    /// to a question.
    fn overlay_text(&mut self, k: KeyEvent, store: &mut Store) {
        match self.overlay.take() {
            Some(Overlay::Form(mut form)) => {
                if form.confirm_discard {
                    form.confirm_discard = false;
                } else {
                    form.input(k);
                }
                self.open(Overlay::Form(form));
            }
            Some(Overlay::Confirm(q)) => self.answer(q, false, store),
            Some(Overlay::Filter) => {
                self.open(Overlay::Filter);
                let Some(f) = self.tab_filter_mut() else {
                    return;
                };
                match k.code {
                    KeyCode::Backspace => {
                        f.text.pop();
                    }
                    KeyCode::Char(c)
                        if !k
                            .modifiers
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                    {
                        f.text.push(c)
                    }
                    _ => return,
                }
                self.after_filter(store);
            }
            other => self.overlay = other,
        }
    }

    /// The answer to a question: yes does it, anything else does not.
    fn answer(&mut self, q: Confirm, yes: bool, store: &mut Store) {
        if !yes {
            match q {
                Confirm::Quit { form } => self.open(Overlay::Form(*form)),
                Confirm::Keep { list, .. } => self.open(Overlay::Conflicts(list)),
                _ => {}
            }
            self.say("cancelled");
            return;
        }
        let n = self.now;
        match q {
            Confirm::Quit { .. } => self.quit = true,
            Confirm::Assign { uids, owner } => self.hand_over(uids, owner, store),
            Confirm::Keep {
                change,
                value,
                field,
                list,
                ..
            } => self.keep_other(
                store,
                change,
                list.selected,
                &format!("kept {value} for {field}"),
            ),
            Confirm::Delete { uid, .. } => {
                match ops::lead(store, Op::Delete { uid: uid.clone() }, &n) {
                    Ok(row) => {
                        self.say(format!("moved to the trash · {}", row.lead.name));
                        self.refresh_or_report(store, Some(&uid));
                    }
                    Err(e) => self.fail(err_text(&e)),
                }
            }
            Confirm::Reactivate { uid, .. } => {
                match ops::lead(store, Op::Reactivate { uid: uid.clone() }, &n) {
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
    }

    /// Pasted text: into the form's field or the filter line.
    pub(super) fn overlay_paste(&mut self, text: &str, store: &mut Store) {
        match &mut self.overlay {
            Some(Overlay::Form(f)) => f.paste(text),
            Some(Overlay::Filter) => {
                let line: String = text.chars().filter(|c| !c.is_control()).collect();
                if let Some(f) = self.tab_filter_mut() {
                    f.text.push_str(&line);
                    self.after_filter(store);
                }
            }
            _ => {}
        }
    }

    /// After the filter changed: back to the top of the list, counted afresh.
    pub(super) fn after_filter(&mut self, store: &Store) {
        if let Some(f) = self.tab_filter_mut() {
            f.cap = FILTER_COUNT_CAP;
        }
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
        self.view_or_report(store, None);
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
}
