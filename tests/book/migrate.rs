//! A book the previous release made (schema 4, `tests/fixtures/book-v4.db`, written by
//! `tests/fixtures/make_book_v4.sh` with the binary of 745e236) opens in this binary, upgrades
//! with a copy kept beside it, and shows every view, report, `--json` output and export exactly
//! as that release showed it (`tests/fixtures/book-v4/out/`, one file per command of
//! `book-v4/manifest.txt`), but for the outputs a later release extended on purpose
//! ([`EXTENDED`]), which must still say all they said.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::fixture;

/// The schema of the release that made the fixture.
const FIXTURE_SCHEMA: i64 = 4;

/// `PRAGMA user_version`: a big-endian integer at this offset of a SQLite file's header.
const USER_VERSION_AT: usize = 60;

/// The header fields SQLite's online backup writes anew in the copy it makes (the file change
/// counter, the schema cookie, the version-valid-for number and the SQLite version that wrote
/// it): the copy beside an upgraded book equals the book byte for byte everywhere else.
const REWRITTEN_BY_A_BACKUP: [std::ops::Range<usize>; 3] = [24..28, 40..44, 92..100];

/// One line of the manifest.
enum Line {
    /// `env K V`: a variable for the commands below it.
    Env(String, String),
    /// `run NAME ARGS…`: `ripen ARGS…`, whose output the release kept as `out/NAME`.
    Run(String, Vec<String>),
}

fn manifest() -> Vec<Line> {
    let text = std::fs::read_to_string(fixture("book-v4/manifest.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace().map(str::to_string);
            let kind = words.next().unwrap();
            let name = words.next().unwrap_or_else(|| panic!("manifest: {l}"));
            let rest: Vec<String> = words.collect();
            match kind.as_str() {
                "env" => Line::Env(name, rest.join(" ")),
                "run" => Line::Run(name, rest),
                _ => panic!("manifest: unknown line: {l}"),
            }
        })
        .collect()
}

fn user_version(file: &[u8]) -> i64 {
    let bytes: [u8; 4] = file[USER_VERSION_AT..USER_VERSION_AT + 4]
        .try_into()
        .unwrap();
    i64::from(u32::from_be_bytes(bytes))
}

/// Where `a` and `b` first differ, as a line number and the two lines, for a message.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return "the same lines (line endings differ)".into(),
            (x, y) => {
                return format!(
                    "line {n}:\n      then: {}\n      now:  {}",
                    x.unwrap_or("(end)"),
                    y.unwrap_or("(end)")
                );
            }
        }
    }
    unreachable!()
}

/// `ripen ARGS` with `vars` and nothing else of this process's settings that ripen reads;
/// its standard output, asserting success.
fn ripen<S: AsRef<str>>(vars: &[(String, String)], args: &[S]) -> Vec<u8> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_ripen"))
        .env_remove("NO_COLOR")
        .env_remove("RIPEN_NOW")
        .env_remove("TZ")
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ripen {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_book_of_the_previous_release_upgrades_with_a_copy_and_shows_everything_as_it_did() {
    let original = std::fs::read(fixture("book-v4.db")).unwrap();
    assert_eq!(
        user_version(&original),
        FIXTURE_SCHEMA,
        "the fixture is a schema 4 book"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("ripen.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    std::fs::write(&db, &original).unwrap();

    // Every command on the same copy, in the manifest's order, as the release was run.
    let text = |p: PathBuf| p.display().to_string();
    let mut vars: Vec<(String, String)> = vec![
        ("RIPEN_DB".into(), text(db.clone())),
        ("RIPEN_CONFIG".into(), text(fixture("book-v4/config.toml"))),
        ("HOME".into(), text(dir.path().to_path_buf())),
        ("XDG_CONFIG_HOME".into(), text(dir.path().join("config"))),
        ("XDG_DATA_HOME".into(), text(dir.path().join("xdg-data"))),
    ];
    let now_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("book-v4-now");
    let _ = std::fs::remove_dir_all(&now_dir);
    let mut ran = 0;
    let mut differ = Vec::new();
    for line in manifest() {
        let (name, args) = match line {
            Line::Env(k, v) => {
                vars.push((k, v));
                continue;
            }
            Line::Run(name, args) => (name, args),
        };
        let now = ripen(&vars, &args);
        ran += 1;
        if ran == 1 {
            check_upgraded(&db, &original);
        }
        let then = std::fs::read(fixture(&format!("book-v4/out/{name}"))).unwrap();
        if now != then && !extended_keeping_all_it_said(&name, &then, &now) {
            std::fs::create_dir_all(&now_dir).unwrap();
            std::fs::write(now_dir.join(&name), &now).unwrap();
            differ.push(format!(
                "  ripen {}  (out/{name}) differs at {}",
                args.join(" "),
                first_difference(
                    &String::from_utf8_lossy(&then),
                    &String::from_utf8_lossy(&now)
                )
            ));
        }
    }
    assert!(ran > 100, "the manifest runs every view and report");
    assert!(
        differ.is_empty(),
        "{} of {ran} outputs differ from the previous release's; compare with\n  \
         diff -r {} {}\n{}",
        differ.len(),
        fixture("book-v4/out").display(),
        now_dir.display(),
        differ.join("\n")
    );

    // The upgraded book takes a write, and shows it beside what it held (the merged-into lead).
    let show = || -> serde_json::Value {
        serde_json::from_slice(&ripen(&vars, &["show", "21", "--json"])).unwrap()
    };
    let before = show();
    let note = "After the upgrade.";
    ripen(
        &vars,
        &["log", "21", "call", "--outcome", "reached", "--note", note],
    );
    let after = show();
    let timeline = after["timeline"].as_array().unwrap();
    let was = before["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), was.len() + 1);
    assert_eq!(timeline[0]["note"], note);
    assert_eq!(timeline[0]["at"], "2026-11-23T09:00:00Z");
    assert_eq!(
        &timeline[1..],
        &was[..],
        "the older entries stay as they were"
    );
    assert_eq!(after["lead"]["last_contact_at"], "2026-11-23T09:00:00Z");
    assert_eq!(after["lead"]["uid"], before["lead"]["uid"]);
}

/// The outputs a later release extended on purpose: the owners report gained columns (#20: each
/// owner's share called within 48 hours, overdue follow-ups now, the oldest one's days, and
/// whether the row is the unassigned leads'), and its table names the unassigned row so.
const EXTENDED: [&str; 7] = [
    "report.txt",
    "report.json",
    "report-owners.txt",
    "report-owners.json",
    "report-owners.csv",
    "report-autumn.json",
    "report-since-october.txt",
];

/// Whether `now` is one of the [`EXTENDED`] outputs and still says all `then` said: in JSON,
/// every value of `then` at its place (new keys beside them); in CSV, each line's columns
/// first, as they were; in text, every table as it was but the owners report's.
fn extended_keeping_all_it_said(name: &str, then: &[u8], now: &[u8]) -> bool {
    if !EXTENDED.contains(&name) {
        return false;
    }
    fn within(then: &serde_json::Value, now: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (then, now) {
            (Value::Object(a), Value::Object(b)) => a
                .iter()
                .all(|(k, v)| b.get(k).is_some_and(|w| within(v, w))),
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(v, w)| within(v, w))
            }
            (a, b) => a == b,
        }
    }
    let (then, now) = (String::from_utf8_lossy(then), String::from_utf8_lossy(now));
    if name.ends_with(".json") {
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        return within(&parse(&then), &parse(&now));
    }
    if name.ends_with(".csv") {
        return then.lines().count() == now.lines().count()
            && then
                .lines()
                .zip(now.lines())
                .all(|(a, b)| b.strip_prefix(a).is_some_and(|rest| rest.starts_with(',')));
    }
    // Text: the tables, a blank line apart; only the owners report's may differ.
    let tables = |s: &str| -> Vec<String> {
        s.split("\n\n")
            .filter(|t| !t.starts_with("owners"))
            .map(str::to_string)
            .collect()
    };
    tables(&then) == tables(&now)
}

/// After the first command: the book is at this binary's schema, and when that is newer than
/// the fixture's, the copy made before upgrading sits beside it, equal to the fixture.
fn check_upgraded(db: &Path, original: &[u8]) {
    let latest = ripen::store::schema::LATEST;
    let now = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let version: i64 = now
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    drop(now);
    assert_eq!(version, latest, "the book is upgraded to schema {latest}");
    let backup = PathBuf::from(format!("{}.v{FIXTURE_SCHEMA}.bak", db.display()));
    if latest == FIXTURE_SCHEMA {
        assert_eq!(
            version, FIXTURE_SCHEMA,
            "a book of this schema stays as it is"
        );
        assert!(!backup.exists(), "no upgrade, no copy");
        return;
    }
    assert!(latest > FIXTURE_SCHEMA);
    let copy = std::fs::read(&backup)
        .unwrap_or_else(|e| panic!("{}: the copy before upgrading: {e}", backup.display()));
    assert_eq!(
        user_version(&copy),
        FIXTURE_SCHEMA,
        "the copy is the old book"
    );
    assert_eq!(
        copy.len(),
        original.len(),
        "the copy is as long as the book"
    );
    let mut kept = vec![true; original.len()];
    for range in REWRITTEN_BY_A_BACKUP {
        kept[range].fill(false);
    }
    let first_other = (0..original.len()).find(|&i| kept[i] && copy[i] != original[i]);
    assert_eq!(
        first_other, None,
        "the copy equals the book it was made from, but at this byte"
    );
}
