//! The terminal app without a terminal: `update` driven by actions on a real book in a temp dir,
//! every view snapshotted on `TestBackend` (`snapshots/`), and random keys at random sizes never
//! panicking. One module per view or feature; the fixture and the helpers they share are here.

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use tempfile::TempDir;

use ripen::domain::{Now, Plan};
use ripen::store::{Filter, Store, View};
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;
use ripen::tui::view;

mod app;
mod conflicts;
mod detail;
mod export;
mod forms;
mod hostile;
mod import;
mod inbox;
mod invariants;
mod keymap;
mod lists;
mod mouse;
mod overlays;
mod pipeline;
mod previous;
mod property;
mod queue;
mod recycled;
mod reports;
mod team;

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

struct Fx {
    _dir: TempDir,
    store: Store,
    app: App,
}

fn fixture(w: u16, h: u16, demo: bool) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("book.db"), Plan::default()).unwrap();
    if demo {
        ripen::demo::fill(&mut store, 60, 7, &now()).unwrap();
    }
    let mut app = App::new(
        &store,
        Keymap::default(),
        Theme::colour(),
        now(),
        Rect::new(0, 0, w, h),
    );
    // Relative paths in the import and export forms land in the test's own folder.
    app.dir = dir.path().to_path_buf();
    Fx {
        _dir: dir,
        store,
        app,
    }
}

impl Fx {
    fn cmd(&mut self, c: Command) {
        self.app.update(Action::Command(c), &mut self.store, &now());
    }

    fn key(&mut self, code: KeyCode) {
        self.app.update(
            Action::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            &mut self.store,
            &now(),
        );
    }

    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// The form was saved and closed (else: its error).
    fn assert_saved(&self) {
        assert!(
            self.app.form().is_none(),
            "{:?}",
            self.app.form().map(|f| &f.error)
        );
    }

    fn render(&self) -> String {
        let mut t =
            Terminal::new(TestBackend::new(self.app.size.width, self.app.size.height)).unwrap();
        t.draw(|f| view::draw(f, &self.app)).unwrap();
        t.backend().to_string()
    }

    /// Draw a frame as the loop does, keeping where each thing was drawn for the mouse; the
    /// screen's cells.
    fn draw(&mut self) -> ratatui::buffer::Buffer {
        let mut t =
            Terminal::new(TestBackend::new(self.app.size.width, self.app.size.height)).unwrap();
        let mut drawn = None;
        t.draw(|f| drawn = Some(view::frame(f, &self.app))).unwrap();
        self.app.drawn = drawn.unwrap();
        t.backend().buffer().clone()
    }

    fn click(&mut self, column: u16, row: u16) {
        self.app
            .update(Action::Click { column, row }, &mut self.store, &now());
    }

    fn selected_uid(&self) -> String {
        self.app.selected().unwrap().lead.uid.clone()
    }

    /// Add a lead to the book, as another process would, and let the app see it; its uid.
    fn add(&mut self, new: ripen::store::NewLead) -> String {
        let (_, uid) = self.store.add_lead(new, &now()).unwrap();
        self.app.refresh(&self.store, None).unwrap();
        uid
    }
}

/// A file of `tests/fixtures/`: small exports shaped like the real ones, with made-up people.
fn fixture_file(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn all_leads(fx: &Fx) -> usize {
    fx.store
        .list(&View::All, &Filter::default(), 0, usize::MAX)
        .unwrap()
        .len()
}

impl Fx {
    /// `i`, a path, Enter: the dry run's preview.
    fn preview_import(&mut self, path: &str) {
        self.cmd(Command::Import);
        assert!(self.app.form().is_some());
        self.app
            .update(Action::Paste(path.to_string()), &mut self.store, &now());
        self.key(KeyCode::Enter);
    }

    fn status(&self) -> String {
        self.app.status.clone().map(|s| s.text).unwrap_or_default()
    }
}

/// A small file of our own, so the snapshot depends on nothing outside the repository.
const SMALL_CSV: &str = "First Name,Last Name,Company,Email,Lead Status,Create Date,Shoe Size\n\
Ada,Lovelace,Analytical Ltd,ada@analytical.example,NEW,2026-11-02,38\n\
Grace,Hopper,Cobol Inc,grace@cobol.example,IN_PROGRESS,2026-10-15,39\n\
Alan,Turing,Bletchley,alan@bletchley.example,BAD_TIMING,2026-06-01,44\n\
Ada,Lovelace,Analytical Ltd,ADA@analytical.example,OPEN,2026-11-03,38\n";

fn snap(name: &str, setup: impl Fn(&mut Fx)) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut fx = fixture(w, h, name != "welcome");
        setup(&mut fx);
        assert_screen(&format!("{name}_{w}x{h}"), &fx);
    }
}

/// The screen as drawn, against `snapshots/tui__{name}.snap`. Every snapshot is taken here, so
/// its file is named after this crate alone, whichever module's test takes it.
fn assert_screen(name: &str, fx: &Fx) {
    insta::assert_snapshot!(name.to_string(), fx.render());
}

/// A lead, "Tim Line", with `n` notes logged at the same moment: "note number 1" … `n`.
fn lead_with_notes(fx: &mut Fx, n: usize) {
    let uid = fx.add(ripen::store::NewLead {
        name: "Tim Line".into(),
        ..Default::default()
    });
    for i in 1..=n {
        fx.store
            .apply(&uid, &now(), |l, p| {
                ripen::domain::lifecycle::log_contact(
                    l,
                    ripen::domain::lifecycle::Contact {
                        kind: ripen::domain::ActivityKind::Note,
                        outcome: None,
                        note: Some(format!("note number {i}")),
                        at: None,
                        next: None,
                    },
                    &now(),
                    p,
                )
            })
            .unwrap();
    }
}

/// The command that opens each tab, in tab order.
const TAB_COMMANDS: [Command; 5] = [
    Command::Inbox,
    Command::Queue,
    Command::Pipeline,
    Command::Recycled,
    Command::Reports,
];
