//! Terminal safety: the leads of `hostile.csv` (escape sequences, C1 controls, bidi overrides,
//! zero-width characters, formulas) reach neither the app's screen nor the CLI's human output
//! raw, while `--json` keeps the stored text exact.

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use ripen::domain::{Now, Plan};
use ripen::io::import::{ImportRequest, import_file};
use ripen::store::Store;
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;
use ripen::tui::view;

const HOSTILE: &str = "../shared/data/exports/hostile.csv";

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

/// A character that must never reach a terminal raw.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn hostile_book() -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    if !std::path::Path::new(HOSTILE).exists() {
        eprintln!("skipped: {HOSTILE} not found");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut store = Store::open(&db, Plan::default()).unwrap();
    let req = ImportRequest {
        path: HOSTILE.into(),
        skip_bad: true,
        ..ImportRequest::default()
    };
    // The rejected rows go beside a copy, not beside the shared sample.
    let copy = dir.path().join("hostile.csv");
    std::fs::copy(HOSTILE, &copy).unwrap();
    let req = ImportRequest { path: copy, ..req };
    let report = import_file(&mut store, &req, &now()).unwrap();
    assert!(report.new > 0);
    Some((dir, db))
}

#[test]
fn no_view_of_the_app_shows_a_dangerous_character() {
    let Some((_dir, db)) = hostile_book() else {
        return;
    };
    let mut store = Store::open(&db, Plan::default()).unwrap();
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let mut app = App::new(
            &store,
            Keymap::default(),
            Theme::colour(),
            now(),
            Rect::new(0, 0, w, h),
        );
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for tab in [
            Command::Inbox,
            Command::Queue,
            Command::Pipeline,
            Command::Recycled,
        ] {
            app.update(Action::Command(tab), &mut store, &now());
            for step in 0..6 {
                term.draw(|f| view::draw(f, &app)).unwrap();
                for cell in term.backend().buffer().content() {
                    let bad: Vec<char> = cell.symbol().chars().filter(|c| dangerous(*c)).collect();
                    assert!(bad.is_empty(), "{tab:?} step {step} at {w}×{h}: {bad:?}");
                }
                app.update(Action::Command(Command::Down), &mut store, &now());
            }
        }
    }
}

#[test]
fn cli_lines_are_inert_and_json_is_exact() {
    let Some((dir, db)) = hostile_book() else {
        return;
    };
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ripen"))
            .args(args)
            .env("RIPEN_DB", &db)
            .env("RIPEN_NOW", "2026-11-22T09:00:00Z")
            .env("TZ", "UTC")
            .env("RIPEN_CONFIG", dir.path().join("none.toml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let human = run(&["list", "all"]);
    let bad: Vec<char> = human.chars().filter(|c| dangerous(*c)).collect();
    assert!(bad.is_empty(), "list: {bad:?}");
    let json = run(&["list", "all", "--json"]);
    let leads: serde_json::Value = serde_json::from_str(&json).unwrap();
    for lead in leads.as_array().unwrap() {
        let id = lead["id"].to_string();
        let shown = run(&["show", &id]);
        let bad: Vec<char> = shown.chars().filter(|c| dangerous(*c)).collect();
        assert!(bad.is_empty(), "show {id}: {bad:?}");
    }
    // JSON escapes whatever it holds: no raw control byte in the stream.
    assert!(!json.bytes().any(|b| b < 0x20 && b != b'\n'));
}
