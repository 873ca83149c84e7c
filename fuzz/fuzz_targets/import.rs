//! The import path: any bytes in, leads or a clear error out, never a panic and never a
//! partial write (each run is a dry run, rolled back, on one book kept across runs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ripen::domain::{Now, Plan};
use ripen::io::import::{ImportRequest, import_file};
use ripen::store::Store;
use std::sync::{Mutex, OnceLock};

struct Env {
    _dir: tempfile::TempDir,
    store: Store,
    file: std::path::PathBuf,
}

fn env() -> &'static Mutex<Env> {
    static ENV: OnceLock<Mutex<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("fuzz.db"), Plan::default()).expect("open");
        let file = dir.path().join("input.csv");
        Mutex::new(Env {
            _dir: dir,
            store,
            file,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let mut env = env().lock().unwrap_or_else(|e| e.into_inner());
    let file = env.file.clone();
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let now = Now::utc(chrono::DateTime::from_timestamp(1_795_338_000, 0).unwrap_or_default());
    let req = ImportRequest {
        path: file,
        dry_run: true,
        skip_bad: data.first().is_some_and(|b| b % 2 == 0),
        ..ImportRequest::default()
    };
    let _ = import_file(&mut env.store, &req, &now);
});
