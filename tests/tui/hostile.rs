//! Terminal safety: the leads of `hostile.csv` (escape sequences, C1 controls, bidi overrides,
//! zero-width characters, formulas) reach neither the app's screen nor the CLI's human output
//! raw, while `--json` keeps the stored text exact; a hostile name added by hand is drawn inert
//! and shown clean in the edit form.

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;

use ripen::domain::{Now, Plan};
use ripen::io::import::{ImportRequest, import_file};
use ripen::store::Store;
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;
use ripen::tui::view;

use crate::fixture;

fn hostile() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/hostile.csv")
}

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

/// A character that must never reach a terminal raw.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn hostile_book() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut store = Store::open(&db, Plan::default()).unwrap();
    // The rejected rows go beside a copy, not beside the fixture in the repository.
    let copy = dir.path().join("hostile.csv");
    std::fs::copy(hostile(), &copy).unwrap();
    let req = ImportRequest {
        path: copy,
        skip_bad: true,
        ..ImportRequest::default()
    };
    let report = import_file(&mut store, &req, &now()).unwrap();
    assert_eq!((report.new, report.rejected), (5, 1));
    (dir, db)
}

#[test]
fn no_view_of_the_app_shows_a_dangerous_character() {
    let (_dir, db) = hostile_book();
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
    let (dir, db) = hostile_book();
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

/// What a terminal must never receive raw from ripen's output: ESC, BEL and the other C0
/// controls but the line ends a pseudo-terminal makes, C1 controls and bidi controls.
fn terminal_hazard(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

const EVIL: &str = "\u{1b}]0;pwned\u{7}\u{1b}]52;c;cm0gLXJmIH4K\u{7}\u{9b}31m\u{202E}\u{85}";

/// `ripen ARGS` on a pseudo-terminal (util-linux's `script`), as a user at a prompt runs it;
/// returns everything the terminal received.
fn on_a_terminal(db: &std::path::Path, args: &[&str]) -> String {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_ripen").to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let out = std::process::Command::new("script")
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env("RIPEN_DB", db)
        .env("RIPEN_NOW", "2026-11-22T09:00:00Z")
        .env("TZ", "UTC")
        .env("RIPEN_CONFIG", db.with_file_name("none.toml"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux's script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn clean_on_a_terminal(db: &std::path::Path, args: &[&str]) {
    let seen = on_a_terminal(db, args);
    assert!(!seen.trim().is_empty(), "ripen {args:?} printed nothing");
    if let Some(c) = seen.chars().find(|c| terminal_hazard(*c)) {
        panic!("ripen {args:?} sent {c:?} to the terminal:\n{seen:?}");
    }
}

#[test]
fn hostile_text_through_every_way_in_reaches_no_terminal_through_any_way_out() {
    use std::process::Command as Cmd;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let ripen = |args: &[&str]| {
        let out = Cmd::new(env!("CARGO_BIN_EXE_ripen"))
            .args(args)
            .env("RIPEN_DB", &db)
            .env("RIPEN_NOW", "2026-11-22T09:00:00Z")
            .env("TZ", "UTC")
            .env("RIPEN_CONFIG", dir.path().join("none.toml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ripen {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // Every way in: add, edit, a logged contact's outcome and note, an import's cells and
    // headers, a vCard's properties.
    let evil = |s: &str| format!("{s}{EVIL}");
    ripen(&[
        "add",
        &evil("Mal"),
        "--company",
        &evil("Acme"),
        "--email",
        "mal@x.example",
        "--tag",
        &evil("t"),
        "--note",
        &evil("notes"),
        "--source",
        &evil("Web"),
    ]);
    ripen(&["edit", "1", "--title", &evil("CEO"), "--city", &evil("Ulm")]);
    ripen(&[
        "log",
        "1",
        "call",
        "--outcome",
        &evil("reached"),
        "--note",
        &evil("said"),
    ]);
    let csv = dir.path().join("h.csv");
    std::fs::write(
        &csv,
        format!(
            "name,email,\"{}\"\n\"{}\",x@x.example,\"{}\"\n",
            evil("Notes2"),
            evil("Imp"),
            evil("cell")
        ),
    )
    .unwrap();
    ripen(&["import", csv.to_str().unwrap()]);
    let card = dir.path().join("h.vcf");
    std::fs::write(
        &card,
        format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{}\r\nEMAIL:card@x.example\r\nORG:{};{}\r\n\
             NOTE:{}\r\nCATEGORIES:{}\r\nX-EVIL:{}\r\nEND:VCARD\r\n",
            evil("Card"),
            evil("Org"),
            evil("Unit"),
            evil("note"),
            evil("tag"),
            evil("x")
        ),
    )
    .unwrap();
    ripen(&["import", card.to_str().unwrap()]);
    // Nothing raw was stored, whichever way it came.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut texts: Vec<String> = Vec::new();
    for sql in [
        "SELECT name || coalesce(company,'') || coalesce(title,'') || coalesce(city,'') || \
         coalesce(source,'') || tags || coalesce(notes,'') || coalesce(extra,'') FROM leads",
        "SELECT coalesce(outcome,'') || coalesce(note,'') FROM activities",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        texts.extend(
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    for t in &texts {
        assert!(!t.chars().any(dangerous), "stored raw: {t:?}");
    }
    // A book an older ripen wrote may hold raw text still: put some back in, past the guard.
    conn.create_scalar_function(
        "write_through_ripen",
        0,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        |_| Ok(true),
    )
    .unwrap();
    conn.execute(
        "UPDATE leads SET name = ?1, notes = ?1, extra = json_object(?1, ?1) WHERE rowid = 1",
        [evil("Old")],
    )
    .unwrap();
    conn.execute(
        "UPDATE activities SET outcome = ?1, note = ?1",
        [evil("Old")],
    )
    .unwrap();
    drop(conn);
    // Every way out, on a terminal.
    let out_dir = dir.path().join(evil("out"));
    std::fs::create_dir(&out_dir).unwrap();
    let backup = out_dir.join("copy.db");
    let exported = out_dir.join("all.csv");
    let mut ways: Vec<Vec<String>> = Vec::new();
    for view in ["inbox", "queue", "pipeline", "recycled", "all"] {
        ways.push(vec!["list".into(), view.into()]);
        ways.push(vec!["list".into(), view.into(), "--json".into()]);
    }
    for format in ["csv", "json", "vcard", "ics"] {
        ways.push(vec![
            "export".into(),
            "all".into(),
            "--format".into(),
            format.into(),
        ]);
    }
    for report in ripen::report::NAMES {
        ways.push(vec!["report".into(), report.into()]);
        ways.push(vec!["report".into(), report.into(), "--json".into()]);
    }
    for args in [
        "show 1",
        "show 1 --json",
        "status",
        "source list",
        "source list --json",
        "trash",
    ] {
        ways.push(args.split(' ').map(String::from).collect());
    }
    ways.push(vec!["backup".into(), backup.display().to_string()]);
    ways.push(vec![
        "export".into(),
        "all".into(),
        "--format".into(),
        "csv".into(),
        "-o".into(),
        exported.display().to_string(),
    ]);
    ways.push(vec!["show".into(), evil("nobody")]);
    for args in &ways {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        clean_on_a_terminal(&db, &args);
    }
}

#[test]
fn hostile_names_render_inert() {
    let mut fx = fixture(120, 40, false);
    fx.add(ripen::store::NewLead {
        name: "Evil \x1b]0;pwned\x07\x1b[2J".into(),
        ..Default::default()
    });
    fx.cmd(Command::Inbox);
    let screen = fx.render();
    assert!(!screen.contains('\x1b') && !screen.contains('\x07'));
    assert!(screen.contains("Evil ␛]0;pwned␇␛[2J"), "{screen}");
}

#[test]
fn editing_a_hostile_lead_shows_it_clean_and_keeps_untouched_fields() {
    let mut fx = fixture(100, 30, false);
    let evil = "Evil \x1b]0;pwned\x07";
    fx.add(ripen::store::NewLead {
        name: evil.into(),
        ..Default::default()
    });
    fx.cmd(Command::Inbox);
    let uid = fx.selected_uid();
    fx.cmd(Command::Edit);
    assert_eq!(fx.app.form().unwrap().value("name"), "Evil ␛]0;pwned␇");
    assert!(!fx.render().contains('\x1b'));
    fx.key(KeyCode::Tab);
    fx.typed("Acme");
    fx.key(KeyCode::Enter);
    let lead = fx.store.lead(&uid).unwrap().lead;
    // Stored neutralised on its way in, and left as stored by an edit of another field.
    assert_eq!(lead.name, "Evil ␛]0;pwned␇");
    assert_eq!(lead.company.as_deref(), Some("Acme"));
}
