//! kill -9 at random moments: during a large import (one transaction that also drops and rebuilds
//! indexes), during a burst of CLI writes, and during `ripen sync` on either side. Every time the
//! book passes `PRAGMA integrity_check`, the large write is there whole or not at all, and every
//! write that reported success is there; a killed sync applied no file in part, and the next one
//! completes.
//!
//! CI runs a short variant of the first two (the sync's runs its 20 trials);
//! `RIPEN_CRASH_TRIALS=50 cargo test --release --test book crash::` the long one.

use crate::common;

use common::Book;
use ripen::ops;
use ripen::store::Store;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn trials() -> usize {
    std::env::var("RIPEN_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

/// A cheap deterministic spread of kill moments.
fn delay(i: usize, max_ms: u64) -> Duration {
    let x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    Duration::from_millis(20 + x % max_ms)
}

fn spawn(book: &Book, args: &[&str]) -> std::process::Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ripen"));
    c.args(args)
        .env("RIPEN_DB", &book.db)
        .env("RIPEN_NOW", common::NOW)
        .env("TZ", "UTC")
        .env("RIPEN_CONFIG", book.path().join("none.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c.spawn().unwrap()
}

fn kill9(child: &mut std::process::Child) {
    // SIGKILL: no destructor, no rollback, no flush.
    let _ = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn integrity(book: &Book) -> String {
    let c = rusqlite::Connection::open(&book.db).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A marketing list of `n` rows with unique e-mails (`{who}{i}@list.example`): every row a new
/// lead.
fn write_list(path: &std::path::Path, n: usize, who: &str) {
    let mut s = String::from("First Name,Last Name,Company,Email,Lead Source,Create Date\n");
    for i in 0..n {
        s.push_str(&format!(
            "Lead,N{i},Company {},{who}{i}@list.example,Cold list,2026-10-{:02} 09:00\n",
            i % 97,
            1 + i % 28
        ));
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn a_killed_import_lands_whole_or_not_at_all() {
    const ROWS: usize = 6000;
    let mut outcomes = (0, 0);
    for i in 0..trials() {
        let book = Book::new();
        book.ok(&["add", "Before"]);
        let list = book.path().join("list.csv");
        write_list(&list, ROWS, "lead");
        let mut child = spawn(&book, &["import", list.to_str().unwrap()]);
        std::thread::sleep(delay(i, 2500));
        kill9(&mut child);
        assert_eq!(integrity(&book), "ok", "trial {i}");
        let n = book
            .json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len();
        assert!(
            n == 1 || n == ROWS + 1,
            "trial {i}: {n} leads — a partial import"
        );
        // The indexes a bulk import drops and rebuilds inside its transaction are all there.
        let c = rusqlite::Connection::open(&book.db).unwrap();
        let indexes: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'leads_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(indexes >= 12, "trial {i}: only {indexes} lead indexes");
        if n == 1 {
            outcomes.0 += 1
        } else {
            outcomes.1 += 1
        }
    }
    eprintln!("import: {} rolled back, {} landed", outcomes.0, outcomes.1);
}

#[test]
fn every_reported_write_survives_a_kill_during_a_burst() {
    for i in 0..trials() {
        let book = Book::new();
        ripen::store::Store::open(&book.db, ripen::domain::Plan::default()).unwrap();
        let script = format!(
            "for i in $(seq 1 400); do '{}' add \"Lead $i\" || exit 1; done",
            env!("CARGO_BIN_EXE_ripen")
        );
        let mut child = Command::new("bash")
            .args(["-c", &script])
            .env("RIPEN_DB", &book.db)
            .env("RIPEN_NOW", common::NOW)
            .env("TZ", "UTC")
            .env("RIPEN_CONFIG", book.path().join("none.toml"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.trim().parse::<i64>().ok())
                .collect::<Vec<_>>()
        });
        let start = Instant::now();
        std::thread::sleep(delay(i, 2000));
        // Kill the whole group: the loop and whichever `ripen add` is mid-write.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", child.id())])
            .status();
        let killed_after = start.elapsed();
        let _ = child.wait();
        let reported = reader.join().unwrap();
        assert_eq!(integrity(&book), "ok", "trial {i}");
        let list = book.json(&["list", "all", "--json"]);
        let stored: std::collections::HashSet<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        for id in &reported {
            assert!(
                stored.contains(id),
                "trial {i}: lead {id} was reported added but is gone"
            );
        }
        assert!(
            stored.len() <= reported.len() + 1,
            "at most the one in flight is unreported"
        );
        eprintln!(
            "trial {i}: killed after {:?}, {} reported, {} stored",
            killed_after,
            reported.len(),
            stored.len()
        );
    }
}

/// The fixed clock as the in-process store takes it.
fn fixed_now() -> ripen::domain::Now {
    let at = chrono::DateTime::parse_from_rfc3339(common::NOW).unwrap();
    ripen::domain::Now::utc(at.with_timezone(&chrono::Utc))
}

fn open(db: &Path) -> Store {
    Store::open(db, ripen::domain::Plan::default()).unwrap()
}

/// Log a call on every `step`th lead: one write (one outbox entry) each.
fn log_calls(store: &mut Store, step: usize, note: &str) {
    let now = fixed_now();
    let uids: Vec<String> = store
        .every_lead()
        .unwrap()
        .into_iter()
        .map(|l| l.uid)
        .collect();
    for uid in uids.iter().step_by(step) {
        let contact = ripen::domain::lifecycle::Contact {
            kind: ripen::domain::ActivityKind::Call,
            outcome: Some("reached".into()),
            note: Some(note.into()),
            at: None,
            next: None,
        };
        ops::run(
            store,
            ops::Op::Log {
                uid: uid.clone(),
                contact,
            },
            &now,
        )
        .unwrap();
    }
}

/// A laptop's book that imported a list of its own and logged calls on part of it, nothing
/// sent yet.
fn laptop(dir: &Path, who: &str, rows: usize) -> PathBuf {
    let db = dir.join(format!("{who}.db"));
    let list = dir.join(format!("{who}.csv"));
    write_list(&list, rows, who);
    let mut s = open(&db);
    let req = ripen::io::import::ImportRequest {
        path: list,
        ..Default::default()
    };
    ops::run(&mut s, ops::Op::Import(req), &fixed_now()).unwrap();
    log_calls(&mut s, 20, "first call");
    db
}

/// `ripen sync` run to its end in-process: it completes, and nothing is left waiting, still
/// arriving or refused (a leftover temporary file taken for a sync file would be one of these).
fn sync_whole(db: &Path, folder: &Path, trial: &str) {
    let mut s = open(db);
    let report = ripen::io::sync::sync(&mut s, folder, &fixed_now())
        .unwrap_or_else(|e| panic!("{trial}: the sync after the kill failed: {e}"));
    assert!(
        report.held.is_empty() && report.partial.is_empty() && report.refused.is_empty(),
        "{trial}: held {:?}, partial {:?}, refused {:?}",
        report.held,
        report.partial,
        report.refused
    );
}

/// `ripen sync FOLDER` on `db`, as a child process to kill.
fn sync_child(db: &Path, folder: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ripen"))
        .args(["sync", folder.to_str().unwrap()])
        .env("RIPEN_DB", db)
        .env("RIPEN_NOW", common::NOW)
        .env("TZ", "UTC")
        .env("RIPEN_CONFIG", folder.with_file_name("none.toml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The sync files under `folder` (`replica/name`, bytes), and how many other files (a killed
/// writer's temporary ones) lie beside them.
fn sync_files_in(folder: &Path) -> (Vec<(String, Vec<u8>)>, usize) {
    let mut files = Vec::new();
    let mut others = 0;
    for r in std::fs::read_dir(folder).unwrap() {
        let r = r.unwrap();
        if !r.file_type().unwrap().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(r.path()).unwrap() {
            let f = f.unwrap();
            let name = f.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(ripen::io::sync::SUFFIX) {
                others += 1;
                continue;
            }
            let replica = r.file_name().to_string_lossy().into_owned();
            files.push((
                format!("{replica}/{name}"),
                std::fs::read(f.path()).unwrap(),
            ));
        }
    }
    files.sort();
    (files, others)
}

/// Every shared row a sync file inserts, as (table, uid). A file that does not read whole
/// fails the test: files are renamed into place whole.
fn rows_of(name: &str, bytes: &[u8]) -> Vec<(String, String)> {
    let ripen::io::sync::Read::Whole { changesets, .. } = ripen::io::sync::decode(bytes) else {
        panic!("{name} is in the folder but does not read whole");
    };
    let mut rows = Vec::new();
    for cs in changesets {
        for c in ripen::store::session::read(&cs).unwrap() {
            if let Some(Some(rusqlite::types::Value::Text(uid))) = c.new.first() {
                rows.push((c.table.clone(), uid.clone()));
            }
        }
    }
    rows
}

/// The uids of each shared table of a book, and the sync files it recorded as applied.
fn book_rows(db: &Path) -> (HashSet<(String, String)>, HashSet<String>) {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut rows = HashSet::new();
    for table in ripen::store::schema::SHARED_TABLES {
        let mut stmt = c.prepare(&format!("SELECT uid FROM {table}")).unwrap();
        let uids = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        rows.extend(uids.map(|u| (table.to_string(), u.unwrap())));
        // The uid is the key: a row taken in twice could only be a second row under it.
        let (n, distinct): (i64, i64) = c
            .query_row(
                &format!("SELECT count(*), count(DISTINCT uid) FROM {table}"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(n, distinct, "{table}: a row twice");
    }
    let mut stmt = c
        .prepare("SELECT name FROM sync_files WHERE written = 0")
        .unwrap();
    let applied = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (rows, applied)
}

/// Every shared row in key order, and every lead: what two books that took in the same
/// changes hold alike.
fn agreed(db: &Path) -> (Vec<String>, Vec<ripen::domain::Lead>, ripen::store::Counts) {
    let c = rusqlite::Connection::open(db).unwrap();
    let shared = common::shared_rows(&c);
    let s = open(db);
    let unnumbered: i64 = c
        .query_row(
            "SELECT count(*) FROM leads WHERE uid NOT IN (SELECT lead_uid FROM lead_numbers)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unnumbered, 0, "{}: leads without a number", db.display());
    (
        shared,
        s.every_lead().unwrap(),
        s.counts(&fixed_now()).unwrap(),
    )
}

/// kill -9 in the middle of `ripen sync`, 20 times, on either side: the laptop that sends (its
/// book's new work written as files) and the one that receives (the other's files applied,
/// one transaction each, the other having sent two files). Two books made once, each a list of
/// its own imported and calls logged (copied for each trial: each copy a laptop of its own);
/// how long each kind of sync takes is measured once, unkilled, and the kills spread over it
/// (half the sending ones come a moment after its first file appears, while it is written).
/// After each kill: the book passes `integrity_check`; every file in the folder reads whole;
/// the killed book holds every row of each file it recorded as applied and none of the others
/// (no file applied in part), and each row once; if it marked its outbox sent, every row it
/// held is in its files; then the next sync completes on it, another on the other laptop and
/// both again, nothing held, partial or refused (a killed writer's temporary file is never
/// taken for a sync file), and the two books hold the same shared rows, leads and counts.
/// All 20 trials run in CI: about 40 s in a debug build on two cores beside a fuzzer (25 s of
/// CPU; 65-95 s with the cores loaded harder); `RIPEN_CRASH_TRIALS=N` runs more.
#[test]
fn a_sync_killed_on_either_side_applies_no_file_in_part_and_the_next_completes() {
    const ROWS: usize = 1500;
    const TRIALS: usize = 20;
    let made = tempfile::tempdir().unwrap();
    let books = [
        laptop(made.path(), "ana", ROWS),
        laptop(made.path(), "bo", ROWS),
    ];
    // How long a sync takes, sending and receiving: the spread of the kills.
    let mut took = [Duration::ZERO; 2];
    for (receiving, took) in took.iter_mut().enumerate() {
        let (_t, x, _y, folder) = trial_setup(&books, 0, receiving == 1);
        let start = Instant::now();
        let status = sync_child(&x, &folder).wait().unwrap();
        *took = start.elapsed();
        assert!(status.success());
    }
    eprintln!("sync: sending {:?}, receiving {:?}", took[0], took[1]);
    let mut outcomes = std::collections::BTreeMap::new();
    for i in 0..TRIALS.max(trials()) {
        // A, B, A, B sending, then receiving, and so on.
        let receiving = (i / 2) % 2 == 1;
        let kind = if receiving { "receiving" } else { "sending" };
        let trial = format!("trial {i} ({kind}, laptop {})", i % 2);
        let (_t, x, y, folder) = trial_setup(&books, i % 2, receiving);
        let before: HashSet<String> = book_rows(&x).1;
        let replica = open(&x).replica_id().unwrap();
        let mut child = sync_child(&x, &folder);
        if !receiving && (i / 4) % 2 == 1 {
            // Sending is short: every other time the kill waits for its first file to appear
            // (the temporary one, while it is written and synced) and comes 0-4 ms after.
            let mine = folder.join(&replica);
            let start = Instant::now();
            while std::fs::read_dir(&mine).map_or(true, |mut d| d.next().is_none())
                && start.elapsed() < took[0] * 4
            {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(delay(i, 5) - Duration::from_millis(20));
        } else {
            std::thread::sleep(delay(
                i,
                took[usize::from(receiving)].as_millis() as u64 + 50,
            ));
        }
        kill9(&mut child);

        let c = rusqlite::Connection::open(&x).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{trial}");
        drop(c);
        let sent = open(&x).sync_sent().unwrap();
        let (files, temporary) = sync_files_in(&folder);
        let (held, applied) = book_rows(&x);
        // Rows of its own files, and of the others' it recorded as applied.
        let mut mine = HashSet::new();
        let mut theirs = HashSet::new();
        let mut taken = 0;
        for (name, bytes) in &files {
            let rows = rows_of(name, bytes);
            if name.starts_with(&replica) {
                mine.extend(rows);
                continue;
            }
            let here = rows.iter().filter(|r| held.contains(*r)).count();
            if applied.contains(name) {
                assert_eq!(here, rows.len(), "{trial}: {name} applied in part");
                taken += usize::from(!before.contains(name));
                theirs.extend(rows);
            } else {
                assert_eq!(
                    here, 0,
                    "{trial}: {name} not applied, yet {here} of its rows are here"
                );
            }
        }
        // Marked sent: every row of its own is in its files.
        if sent > 0 {
            let unsent: Vec<_> = held
                .iter()
                .filter(|r| !mine.contains(*r) && !theirs.contains(*r))
                .take(3)
                .collect();
            assert!(
                unsent.is_empty(),
                "{trial}: marked sent, not in its files: {unsent:?}"
            );
        }
        let outcome = match (receiving, sent > 0, taken) {
            (false, false, _) if mine.is_empty() && temporary > 0 => {
                "killed writing its first file".to_string()
            }
            (false, false, _) if mine.is_empty() => "killed before writing".to_string(),
            (false, false, _) => "written, not yet marked sent".to_string(),
            (false, true, _) => "sent".to_string(),
            (true, _, n) => format!("{n} of 2 files applied"),
        };
        eprintln!("{trial}: {outcome}, {temporary} temporary file(s) left");
        *outcomes.entry(outcome).or_insert(0) += 1;

        // The next sync completes; then the other laptop's, and both again.
        for db in [&x, &y, &x, &y] {
            sync_whole(db, &folder, &trial);
        }
        let (ax, ay) = (agreed(&x), agreed(&y));
        assert!(ax.0 == ay.0, "{trial}: the shared rows differ");
        assert!(ax.1 == ay.1, "{trial}: the leads differ");
        assert_eq!(ax.2, ay.2, "{trial}: the counts differ");
        assert_eq!(ax.1.len(), 2 * ROWS, "{trial}");
    }
    eprintln!("sync killed: {outcomes:?}");
}

/// A trial's two laptops (fresh copies of the books made once; `side` picks which is killed)
/// and their folder. When `receiving`, the one to be killed has sent all it has and the
/// other has sent its work in two files, and taken in the first's: what is left for the killed
/// sync is applying them.
fn trial_setup(
    books: &[PathBuf; 2],
    side: usize,
    receiving: bool,
) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let folder = t.path().join("shared");
    std::fs::create_dir(&folder).unwrap();
    let x = t.path().join("x.db");
    let y = t.path().join("y.db");
    std::fs::copy(&books[side], &x).unwrap();
    std::fs::copy(&books[1 - side], &y).unwrap();
    // Each copy takes its own id on its first open, before any sync.
    drop((open(&x), open(&y)));
    if receiving {
        sync_whole(&x, &folder, "setting up");
        sync_whole(&y, &folder, "setting up");
        log_calls(&mut open(&y), 30, "second call");
        sync_whole(&y, &folder, "setting up");
    }
    (t, x, y, folder)
}
