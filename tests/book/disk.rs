//! A failing disk: a write that cannot land says so in one clear line and leaves what was
//! already saved intact.

use crate::common;

use common::Book;
use std::process::Command;

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    book.ok(&["add", "Also Saved"]);
    let size = std::fs::metadata(&book.db).unwrap().len();
    // A file size limit just above the book (the same limit as ever: `ulimit -f` in KiB):
    // SQLite's next growth fails with EFBIG, as on a full disk.
    let out = with_size_limit(&book, size / 512 + 8, "demo --leads 3000 --force");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("could not write to the disk") && err.contains("nothing"),
        "{err}"
    );
    let names: Vec<String> = book
        .json(&["list", "all", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let conn = rusqlite::Connection::open(&book.db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn the_app_keeps_running_and_says_so_when_the_book_cannot_be_written() {
    use chrono::{TimeZone, Utc};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::layout::Rect;
    use ripen::domain::{Now, Plan};
    use ripen::store::{Filter, Store, View};
    use ripen::tui::app::{Action, App};
    use ripen::tui::keymap::{Command, Keymap};
    use ripen::tui::theme::Theme;

    let now = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ro.db"), Plan::default()).unwrap();
    ripen::demo::fill(&mut store, 30, 3, &now).unwrap();
    let before = store
        .count(
            &View::Queue {
                until: now.start_of_tomorrow(),
            },
            &Filter::default(),
        )
        .unwrap();
    store.set_read_only(true).unwrap();
    let mut app = App::new(
        &store,
        Keymap::default(),
        Theme::mono(),
        now,
        Rect::new(0, 0, 120, 40),
    );
    app.update(Action::Command(Command::Log), &mut store, &now);
    app.update(
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        &mut store,
        &now,
    );
    // The form stays open with what went wrong, so nothing typed is lost.
    let said = app
        .form()
        .and_then(|f| f.error.clone())
        .or_else(|| app.status.as_ref().map(|s| s.text.clone()))
        .expect("the app says what went wrong");
    assert!(said.contains("read"), "{said}");
    assert!(!app.quit);
    app.update(
        Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        &mut store,
        &now,
    );
    // It goes on working: moving and switching views still answer.
    app.update(Action::Command(Command::Down), &mut store, &now);
    app.update(Action::Command(Command::Inbox), &mut store, &now);
    store.set_read_only(false).unwrap();
    let after = store
        .count(
            &View::Queue {
                until: now.start_of_tomorrow(),
            },
            &Filter::default(),
        )
        .unwrap();
    assert_eq!(before, after, "nothing was written");
}

/// Root writes through any file mode, so the reader is `nobody`: the test runs as root and
/// drops to it with setpriv (util-linux). Ignored by a plain `cargo test`; `.ci/run` runs it,
/// and it fails where either is missing.
#[test]
#[ignore = "needs root and setpriv"]
fn a_read_only_book_can_be_read_and_refuses_writes_clearly() {
    use std::os::unix::fs::PermissionsExt;
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    let dir = book.db.parent().unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(book.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for f in std::fs::read_dir(dir).unwrap() {
        std::fs::set_permissions(f.unwrap().path(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    let listed = as_nobody(&book, &["list", "all"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Saved Before"));
    let added = as_nobody(&book, &["add", "Refused"]);
    assert_eq!(added.status.code(), Some(1));
    let err = String::from_utf8_lossy(&added.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("read-only") && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// `ripen ARGS` under a file size limit of `kib` KiB (bash counts `ulimit -f` in KiB), as on a
/// disk that fills (EFBIG is what a write past the limit gets; SIGXFSZ is ignored so the
/// process sees the error).
fn with_size_limit(book: &Book, kib: u64, args: &str) -> std::process::Output {
    let script = format!(
        "trap '' XFSZ; ulimit -f {kib}; exec '{}' {args}",
        env!("CARGO_BIN_EXE_ripen")
    );
    let mut c = Command::new("bash");
    c.args(["-c", &script]);
    let mut cmd = assert_cmd::Command::from_std(c);
    book.env(&mut cmd);
    cmd.output().unwrap()
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_import_that_landed_succeeds_even_when_its_rejected_rows_cannot_be_written() {
    let book = Book::new();
    book.ok(&["add", "Already Here"]);
    let files = book.path().join("in");
    std::fs::create_dir(&files).unwrap();
    let csv = files.join("leads.csv");
    // Two good rows, and one rejected for a field longer than any field may be: its raw text
    // (2 MB) is more than the disk has room for once the import has landed.
    let long = "x".repeat(2_000_000);
    std::fs::write(
        &csv,
        format!("name,email\nGood One,one@x.example\nToo Long,{long}\nGood Two,two@x.example\n"),
    )
    .unwrap();
    let out = with_size_limit(
        &book,
        1024,
        &format!("import '{}' --skip-bad", csv.display()),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning") && err.contains("rejected rows could not be written"),
        "{err}"
    );
    // The rejected row is still named, with its line.
    assert!(String::from_utf8_lossy(&out.stdout).contains("leads.csv:3:"));
    assert_eq!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3,
        "the import landed whole"
    );
    // No half-written side file, no temporary left beside the input.
    assert_eq!(names_in(&files), ["leads.csv"]);
}

#[test]
fn a_backup_on_a_full_disk_leaves_nothing_and_can_be_tried_again() {
    let book = Book::new();
    book.ok(&["demo", "--leads", "400"]);
    let dest = book.path().join("copy.db");
    let out = with_size_limit(&book, 64, &format!("backup '{}'", dest.display()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("could not write to the disk"), "{err}");
    assert!(!dest.exists());
    assert!(
        !names_in(book.path()).iter().any(|n| n.contains("copy.db")),
        "{:?}",
        names_in(book.path())
    );
    // With room again, the same path takes the backup.
    let said = book.ok(&["backup", dest.to_str().unwrap()]);
    assert!(said.contains("backed up"), "{said}");
    let copy = rusqlite::Connection::open(&dest).unwrap();
    let leads: i64 = copy
        .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(leads, 400);
}

#[test]
fn an_export_on_a_full_disk_leaves_nothing() {
    let book = Book::new();
    book.ok(&["demo", "--leads", "400"]);
    let dest = book.path().join("all.csv");
    let out = with_size_limit(
        &book,
        16,
        &format!("export all --format csv -o '{}'", dest.display()),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not write to the disk"), "{err}");
    assert!(
        !names_in(book.path()).iter().any(|n| n.contains("all.csv")),
        "{:?}",
        names_in(book.path())
    );
}

#[test]
fn a_backup_or_export_to_a_folder_that_is_not_there_makes_none() {
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    let missing = book.path().join("no-such-folder");
    let (db, csv) = (missing.join("x.db"), missing.join("x.csv"));
    for args in [
        vec!["backup", db.to_str().unwrap()],
        vec![
            "export",
            "all",
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap(),
        ],
    ] {
        let out = book.ripen().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no such folder; nothing was written"), "{err}");
        assert!(!missing.exists());
    }
}

#[test]
fn a_device_is_refused_as_a_book_and_nothing_is_made_beside_it() {
    let book = Book::new();
    for args in [&["status"][..], &["add", "X"][..]] {
        let out = book
            .ripen()
            .env("RIPEN_DB", "/dev/null")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("/dev/null: not a file a book can be kept in"),
            "{err}"
        );
    }
    assert!(!std::path::Path::new("/dev/null-journal").exists());
    assert!(!std::path::Path::new("/dev/null-wal").exists());
}

fn sha256s(db: &std::path::Path) -> Vec<Option<String>> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| {
            let mut p = db.as_os_str().to_owned();
            p.push(s);
            std::fs::read(std::path::PathBuf::from(p)).ok().map(|b| {
                use std::hash::{Hash, Hasher};
                // Length and a content hash: any change to a byte shows.
                let mut h = std::collections::hash_map::DefaultHasher::new();
                b.hash(&mut h);
                format!("{}:{:x}", b.len(), h.finish())
            })
        })
        .collect()
}

#[test]
fn a_book_from_a_newer_ripen_is_left_untouched_log_and_all() {
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    // A newer ripen's book, still open in another process: its log holds writes not yet
    // checkpointed into the file.
    let newer = rusqlite::Connection::open(&book.db).unwrap();
    newer.pragma_update(None, "user_version", 99).unwrap();
    newer
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    newer
        .execute_batch("CREATE TABLE later(x); INSERT INTO later VALUES (1);")
        .unwrap();
    let before = sha256s(&book.db);
    assert!(before[1].is_some(), "the log holds the later writes");
    for args in [&["status"][..], &["list", "all"][..], &["add", "New"][..]] {
        let out = book.ripen().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("newer ripen") && err.contains("untouched"),
            "{err}"
        );
        assert_eq!(sha256s(&book.db), before, "after ripen {args:?}");
    }
    drop(newer);
}

/// Root writes through any file mode: these run ripen as `nobody`.
fn as_nobody(book: &Book, args: &[&str]) -> std::process::Output {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    assert!(
        is_root,
        "this test needs root, to run ripen as another user (with util-linux's setpriv)"
    );
    let mut c = Command::new("setpriv");
    c.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        env!("CARGO_BIN_EXE_ripen"),
    ])
    .args(args);
    let mut cmd = assert_cmd::Command::from_std(c);
    book.env(&mut cmd);
    cmd.output().expect("setpriv (util-linux) runs")
}

#[test]
#[ignore = "needs root and setpriv"]
fn a_book_in_a_read_only_file_or_folder_is_read_and_nothing_is_left_behind() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    let book = Book::new();
    book.ok(&["demo", "--leads", "60"]);
    let id = book.json(&["list", "all", "--json"])[0]["id"].to_string();
    let folder = book.db.parent().unwrap().to_path_buf();
    mode(book.path(), 0o755);
    let out_dir = tempfile::tempdir().unwrap();
    mode(out_dir.path(), 0o777);
    let backup = out_dir.path().join("copy.db");
    let reads: Vec<Vec<String>> = [
        "status",
        "status --json",
        "list inbox",
        "list queue --json",
        "list pipeline",
        "list recycled",
        "list all --json",
        "trash",
        "source list",
        "report funnel",
        "report owners --json",
        "export all --format csv",
        "export all --format json",
    ]
    .iter()
    .map(|s| s.split(' ').map(String::from).collect())
    .chain([
        vec!["show".into(), id.clone()],
        vec!["backup".into(), backup.display().to_string()],
    ])
    .collect();
    for (case, folder_mode, file_mode, says) in [
        ("file", 0o777, 0o444, "the file"),
        ("folder", 0o555, 0o666, "the folder"),
    ] {
        mode(&folder, folder_mode);
        mode(&book.db, file_mode);
        let before = names_in(&folder);
        for args in &reads {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = as_nobody(&book, &args);
            assert!(
                out.status.success(),
                "{case}: ripen {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !out.stdout.is_empty(),
                "{case}: ripen {args:?} printed nothing"
            );
            assert_eq!(names_in(&folder), before, "{case}: after ripen {args:?}");
            let _ = std::fs::remove_file(&backup);
        }
        let out = as_nobody(&book, &["add", "Refused"]);
        assert_eq!(out.status.code(), Some(1), "{case}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("read-only") && err.contains(says) && err.contains("nothing was written"),
            "{case}: {err}"
        );
        assert_eq!(names_in(&folder), before, "{case}: after a refused write");
    }
    // Writable again, the book works as before: nothing was left at a mode that blocks it.
    mode(&folder, 0o700);
    mode(&book.db, 0o600);
    book.ok(&["add", "Writable Again"]);
    assert_eq!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        61
    );
}

/// A small tmpfs mounted for one test, unmounted however the test ends.
struct Mount(std::path::PathBuf);

impl Mount {
    fn new(at: &std::path::Path) -> Mount {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "this test needs root, to mount a tmpfs");
        Mount(at.to_path_buf())
    }

    fn read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount read-only");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[ignore = "needs root (mount)"]
fn a_book_on_a_read_only_mount_is_read_and_says_so_on_a_write() {
    let book = Book::new();
    let mount = Mount::new(book.db.parent().map(|_| book.path()).unwrap());
    book.ok(&["demo", "--leads", "40"]);
    mount.read_only();
    let folder = book.db.parent().unwrap();
    let before = names_in(folder);
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["list", "inbox"],
        &["list", "queue", "--json"],
        &["list", "all"],
        &["show", "1"],
        &["trash"],
        &["source", "list"],
        &["report", "funnel"],
        &["report", "owners", "--json"],
        &["export", "all", "--format", "csv"],
        &["export", "all", "--format", "ics"],
    ] {
        let out = book.ripen().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "ripen {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(names_in(folder), before);
    let out = book.ripen().args(["add", "Refused"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mounted read-only") && err.contains("nothing was written"),
        "{err}"
    );
}

#[test]
fn an_import_on_a_full_disk_says_so_in_words_and_lands_nothing() {
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    let csv = book.path().join("many.csv");
    let mut text = String::from("name,email,notes\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "Person {i},p{i}@x.example,{}\n",
            "note ".repeat(40)
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let size = std::fs::metadata(&book.db).unwrap().len();
    let out = with_size_limit(
        &book,
        size / 1024 + 64,
        &format!("import '{}'", csv.display()),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("could not write to the disk") && !err.contains("Error code"),
        "{err}"
    );
    assert_eq!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_backup_by_default_goes_to_a_private_backups_folder_beside_the_book() {
    use std::os::unix::fs::PermissionsExt;
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    let said = book.ok(&["backup"]);
    let folder = book.db.parent().unwrap().join("backups");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    let copy = folder.join("ripen-20261122T090000Z.db");
    assert!(said.contains(copy.to_str().unwrap()), "{said}");
    assert_eq!(mode(&copy), 0o600);
}

#[test]
#[ignore = "needs root and setpriv"]
fn a_read_only_book_an_older_ripen_indexed_says_it_needs_a_write_to_be_brought_up_to_date() {
    use std::os::unix::fs::PermissionsExt;
    let book = Book::new();
    book.ok(&["demo", "--leads", "30"]);
    // The queue's index as the eighth session built it (no recycled leads in it).
    let conn = rusqlite::Connection::open(&book.db).unwrap();
    conn.execute_batch(
        "DROP INDEX leads_queue; CREATE INDEX leads_queue ON leads(next_follow_up) \
         WHERE status IN ('new','working','open') AND deleted_at IS NULL;",
    )
    .unwrap();
    drop(conn);
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode(book.path(), 0o755);
    mode(book.db.parent().unwrap(), 0o755);
    mode(&book.db, 0o644);
    let out = as_nobody(&book, &["list", "queue"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("needs upgrading but can only be read here") && !err.contains("no query"),
        "{err}"
    );
}
