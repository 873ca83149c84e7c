//! kill -9 at random moments: during a large import (one transaction that also drops and rebuilds
//! indexes) and during a burst of CLI writes. Every time the
//! book passes `PRAGMA integrity_check`, the large write is there whole or not at all, and every
//! write that reported success is there.
//!
//! CI runs a short variant; `RIPEN_CRASH_TRIALS=50 cargo test --release --test book crash::` the
//! long one.

use crate::common;

use common::Book;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
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

/// A marketing list of `n` rows with unique e-mails: every row a new lead.
fn write_list(path: &std::path::Path, n: usize) {
    let mut s = String::from("First Name,Last Name,Company,Email,Lead Source,Create Date\n");
    for i in 0..n {
        s.push_str(&format!(
            "Lead,N{i},Company {},lead{i}@list.example,Cold list,2026-10-{:02} 09:00\n",
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
        write_list(&list, ROWS);
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
