//! Random action sequences at random terminal sizes keep the book's invariants: every lead is in
//! exactly one lifecycle status, timelines only grow, and the counts in the tabs equal the
//! store's — after every single action.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use ripen::domain::{Now, Plan};
use ripen::store::Store;
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;
use ripen::tui::view;

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

const COMMANDS: [Command; 34] = [
    Command::Inbox,
    Command::Queue,
    Command::Pipeline,
    Command::Recycled,
    Command::Reports,
    Command::NextView,
    Command::PrevView,
    Command::Down,
    Command::Up,
    Command::Top,
    Command::Bottom,
    Command::PageDown,
    Command::PageUp,
    Command::Left,
    Command::Right,
    Command::Detail,
    Command::Back,
    Command::Add,
    Command::Edit,
    Command::Log,
    Command::Snooze,
    Command::Qualify,
    Command::StageForward,
    Command::StageBack,
    Command::Lose,
    Command::Win,
    Command::Reactivate,
    Command::Delete,
    Command::Filter,
    Command::Week,
    Command::Months,
    Command::Period,
    Command::GroupBy,
    Command::Help,
];

fn action() -> impl Strategy<Value = Action> {
    let key = |c: KeyCode| Action::Key(KeyEvent::new(c, KeyModifiers::NONE));
    prop_oneof![
        4 => (0..COMMANDS.len()).prop_map(|i| Action::Command(COMMANDS[i])),
        3 => Just(key(KeyCode::Enter)),
        1 => Just(key(KeyCode::Esc)),
        1 => Just(key(KeyCode::Tab)),
        1 => Just(key(KeyCode::Right)),
        1 => Just(key(KeyCode::Char('y'))),
        1 => "[a-z0-9 ]{1,3}".prop_map(Action::Paste),
        1 => (1u16..=160, 1u16..=50).prop_map(|(w, h)| Action::Resize(w, h)),
        1 => Just(Action::Tick),
    ]
}

struct Book {
    _dir: tempfile::TempDir,
    conn: rusqlite::Connection,
}

impl Book {
    fn statuses_sum_to_total(&self) -> bool {
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
            .unwrap();
        let by_status: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM leads WHERE status IN \
                 ('new','working','open','won','lost','disqualified')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        total == by_status
    }

    fn timelines(&self) -> Vec<(String, i64)> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT lead_uid, count(*) FROM activities GROUP BY lead_uid ORDER BY lead_uid",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn random_actions_keep_the_invariants(
        w in 1u16..=160,
        h in 1u16..=50,
        actions in proptest::collection::vec(action(), 1..50),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.db");
        let mut store = Store::open(&path, Plan::default()).unwrap();
        ripen::demo::fill(&mut store, 40, 11, &now()).unwrap();
        let book = Book { conn: rusqlite::Connection::open(&path).unwrap(), _dir: dir };
        let mut app = App::new(&store, Keymap::default(), Theme::mono(), now(), Rect::new(0, 0, w, h));
        app.dir = book._dir.path().to_path_buf();
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut before = book.timelines();
        for a in actions {
            if let Action::Resize(w, h) = a {
                term.backend_mut().resize(w, h);
            }
            app.update(a, &mut store, &now());
            term.draw(|f| view::draw(f, &app)).unwrap();

            prop_assert!(book.statuses_sum_to_total());
            let after = book.timelines();
            // Timelines only grow: no lead loses an entry, no lead's timeline disappears.
            let mut it = after.iter().peekable();
            for (uid, n) in &before {
                while it.peek().is_some_and(|(u, _)| u < uid) {
                    it.next();
                }
                let grown = it.peek().is_some_and(|(u, m)| u == uid && m >= n);
                prop_assert!(grown, "the timeline of {} shrank", uid);
            }
            before = after;
            prop_assert_eq!(&app.counts, &store.counts(&now()).unwrap(), "tab counts drifted");
        }
    }
}
