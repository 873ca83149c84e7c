//! Helpers shared by the integration tests: a temp book, a fixed clock, the real binary.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const NOW: &str = "2026-11-22T09:00:00Z";

/// A file of `tests/fixtures/`: small exports shaped like the real ones, with made-up people.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A temp dir holding a book path (not yet created) and an isolated home.
pub struct Book {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Book {
    pub fn new() -> Book {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("ripen.db");
        Book { dir, db }
    }

    /// `ripen ARGS` on this book with the fixed clock.
    pub fn ripen(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ripen"));
        self.env(&mut c);
        c
    }

    pub fn env(&self, c: &mut Command) {
        for (k, v) in self.vars() {
            c.env(k, v);
        }
        c.env_remove("NO_COLOR");
    }

    /// `ripen` on this book as a plain `std::process::Command`, for a test that chooses its
    /// stdin and stdout (a closed pipe, no terminal).
    pub fn std_ripen(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ripen"));
        c.envs(self.vars()).env_remove("NO_COLOR");
        c
    }

    fn vars(&self) -> [(&'static str, PathBuf); 7] {
        let d = self.dir.path();
        [
            ("RIPEN_DB", self.db.clone()),
            ("RIPEN_NOW", NOW.into()),
            // The zone is set, so that a machine in another zone gets the same results.
            ("TZ", "UTC".into()),
            ("RIPEN_CONFIG", d.join("no-config.toml")),
            ("HOME", d.to_path_buf()),
            ("XDG_CONFIG_HOME", d.join("config")),
            ("XDG_DATA_HOME", d.join("xdg-data")),
        ]
    }

    /// Run and return stdout, asserting success.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.ripen().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "ripen {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Every row of the shared tables, table by table in key order.
pub fn shared_rows(c: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    for table in ripen::store::schema::SHARED_TABLES {
        let mut stmt = c
            .prepare(&format!("SELECT * FROM {table} ORDER BY uid"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}
