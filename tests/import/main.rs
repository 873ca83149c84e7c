//! `ripen import` on small files shaped like real exports (`tests/fixtures/exports/` and
//! `tests/fixtures/crm-sample/`, with made-up people): each must come in as a user would expect.
//! One module per stage of the import, through the binary; `library` through `io::import` as
//! the app calls it.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod currencies;
mod deals;
mod history;
mod ids;
mod library;
mod mapping;
mod reading;
mod rejected;
mod vcard;
mod vendors;

const NOW: &str = "2026-11-22T09:00:00Z";

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

struct Book {
    dir: tempfile::TempDir,
}

impl Book {
    fn new() -> Book {
        Book {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ripen").unwrap();
        c.env("RIPEN_DB", self.dir.path().join("book.db"))
            .env("RIPEN_NOW", NOW)
            .env("TZ", "UTC")
            .env("RIPEN_CONFIG", self.dir.path().join("none.toml"))
            .env_remove("RIPEN_PROFILE");
        c
    }

    /// Run and return stdout, asserting success.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "ripen {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Run expecting failure; return stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(!out.status.success(), "ripen {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    fn import_json(&self, args: &[&str]) -> Value {
        let mut a = vec!["import"];
        a.extend_from_slice(args);
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    fn list(&self, view: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.ok(&["list", view, "--json"])).unwrap();
        v.as_array().unwrap().clone()
    }

    fn copy_in(&self, rel: &str) -> PathBuf {
        let src = data(rel);
        let dst = self.dir.path().join(src.file_name().unwrap());
        std::fs::copy(&src, &dst).unwrap();
        dst
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn find<'a>(leads: &'a [Value], field: &str, value: &str) -> &'a Value {
    leads
        .iter()
        .find(|l| l[field].as_str() == Some(value))
        .unwrap_or_else(|| panic!("no lead with {field} = {value}"))
}
