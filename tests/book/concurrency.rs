//! The terminal app's update path in a thread and four CLI processes logging 1,000 contacts
//! between them at once: no "database is locked" reaches the user, no contact is lost.

use chrono::{TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use ripen::domain::{Now, Plan};
use ripen::store::{Filter, Store, View};
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;

const NOW: &str = "2026-11-22T09:00:00Z";

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

fn calls(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT count(*) FROM activities WHERE kind = 'call'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn the_app_and_four_cli_writers_log_1000_contacts_without_a_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let mut store = Store::open(&db, Plan::default()).unwrap();
    ripen::demo::fill(&mut store, 60, 7, &now()).unwrap();
    let ids: Vec<i64> = store
        .list(&View::All, &Filter::default(), 0, 40)
        .unwrap()
        .iter()
        .map(|r| r.number)
        .collect();
    drop(store);
    let before = calls(&db);

    // The app: 200 calls logged with `l` and Enter on the inbox's selected lead.
    let app_db = db.clone();
    let app = std::thread::spawn(move || {
        let mut store = Store::open(&app_db, Plan::default()).unwrap();
        let mut app = App::new(
            &store,
            Keymap::default(),
            Theme::mono(),
            now(),
            Rect::new(0, 0, 120, 40),
        );
        app.update(Action::Command(Command::Inbox), &mut store, &now());
        let mut problems = Vec::new();
        for _ in 0..200 {
            app.update(Action::Command(Command::Log), &mut store, &now());
            app.update(
                Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
                &mut store,
                &now(),
            );
            if let Some(s) = &app.status
                && (s.text.contains("locked") || s.text.contains("busy"))
            {
                problems.push(s.text.clone());
            }
        }
        problems
    });

    // Four CLI processes, 200 calls each, spread over the book.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let db = db.clone();
            let home = dir.path().to_path_buf();
            let ids = ids.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..200 {
                    let id = ids[(w * 7 + i) % ids.len()].to_string();
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ripen"))
                        .args(["log", &id, "call", "--outcome", "reached"])
                        .env("RIPEN_DB", &db)
                        .env("RIPEN_NOW", NOW)
                        .env("TZ", "UTC")
                        .env("RIPEN_CONFIG", home.join("none.toml"))
                        .output()
                        .unwrap();
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                failures
            })
        })
        .collect();
    for w in writers {
        let failures = w.join().unwrap();
        assert!(failures.is_empty(), "CLI writes failed: {failures:?}");
    }
    let problems = app.join().unwrap();
    assert!(problems.is_empty(), "the app said: {problems:?}");
    assert_eq!(calls(&db) - before, 1000, "every contact landed");
}

/// A write that finds the book held by another process for longer than the app waits fails
/// as "busy", which the app words as such (not SQLite's "database is locked"), and writes
/// nothing.
#[test]
fn a_write_behind_a_long_lock_fails_as_busy_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let mut store = Store::open(&db, Plan::default()).unwrap();
    store
        .busy_timeout(std::time::Duration::from_millis(50))
        .unwrap();
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let new = ripen::store::NewLead {
        name: "Held Up".into(),
        ..Default::default()
    };
    let err = store.add_lead(new, &now()).unwrap_err();
    assert!(err.is_busy(), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(store.count(&View::All, &Filter::default()).unwrap(), 0);
}
