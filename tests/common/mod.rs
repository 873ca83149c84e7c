//! Helpers shared by the integration tests: a temp book, a fixed clock, the real binary.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const NOW: &str = "2026-11-22T09:00:00Z";

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
        c.env("RIPEN_DB", &self.db)
            .env("RIPEN_NOW", NOW)
            .env("TZ", "UTC")
            .env("RIPEN_CONFIG", self.dir.path().join("no-config.toml"))
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env_remove("NO_COLOR");
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
