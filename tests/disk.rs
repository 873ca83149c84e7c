//! A failing disk: a write that cannot land says so in one clear line and leaves what was
//! already saved intact.

mod common;

use common::Book;
use std::process::Command;

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let book = Book::new();
    book.ok(&["add", "Saved Before"]);
    book.ok(&["add", "Also Saved"]);
    let size = std::fs::metadata(&book.db).unwrap().len();
    // A file size limit just above the book: SQLite's next growth fails with EFBIG, as on a full
    // disk. SIGXFSZ is ignored so the process sees the error instead of being killed.
    let blocks = size / 512 + 8;
    let script = format!(
        "trap '' XFSZ; ulimit -f {blocks}; exec '{}' demo --leads 3000 --force",
        env!("CARGO_BIN_EXE_ripen")
    );
    let mut c = Command::new("bash");
    c.args(["-c", &script]);
    let mut cmd = assert_cmd::Command::from_std(c);
    book.env(&mut cmd);
    let out = cmd.output().unwrap();
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
