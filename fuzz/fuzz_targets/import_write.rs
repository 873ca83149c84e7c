//! The import's write path: any bytes in, imported for real (not a dry run) into a book kept
//! across runs; the import lands whole or not at all, never panics, and the book stays sound
//! after it: `integrity_check` passes and every view's query and count runs. The book starts
//! afresh every few hundred runs so that it stays small and the runs fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ripen::domain::{Now, Plan};
use ripen::io::import::{ImportRequest, import_file};
use ripen::store::{Filter, Store, View};
use std::sync::{Mutex, OnceLock};

struct Env {
    dir: tempfile::TempDir,
    store: Option<Store>,
    runs: u32,
}

fn env() -> &'static Mutex<Env> {
    static ENV: OnceLock<Mutex<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        Mutex::new(Env {
            dir: tempfile::tempdir().expect("temp dir"),
            store: None,
            runs: 0,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let mut env = env().lock().unwrap_or_else(|e| e.into_inner());
    env.runs += 1;
    let book = env.dir.path().join("fuzz.db");
    if env.runs % 300 == 1 {
        env.store = None;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", book.display()));
        }
    }
    if env.store.is_none() {
        env.store = Some(Store::open(&book, Plan::default()).expect("open"));
    }
    let file = env.dir.path().join("input.csv");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let now = Now::utc(chrono::DateTime::from_timestamp(1_795_338_000, 0).unwrap_or_default());
    let req = ImportRequest {
        path: file,
        skip_bad: data.first().is_some_and(|b| b % 2 == 0),
        rejected_to: Some(env.dir.path().join("rejected.csv")),
        ..ImportRequest::default()
    };
    let Some(store) = env.store.as_mut() else {
        return;
    };
    let before = store.count(&View::All, &Filter::default()).expect("count");
    match import_file(store, &req, &now) {
        Ok(report) => {
            let after = store.count(&View::All, &Filter::default()).expect("count");
            assert_eq!(after, before + report.new as i64, "the import landed whole");
        }
        Err(_) => {
            let after = store.count(&View::All, &Filter::default()).expect("count");
            assert_eq!(after, before, "a refused import wrote nothing");
        }
    }
    assert!(store.integrity_ok().expect("integrity_check"), "the book is sound");
    let until = now.start_of_tomorrow();
    for view in [
        View::Inbox,
        View::Queue { until },
        View::Pipeline,
        View::Recycled,
        View::Won,
        View::Lost,
        View::All,
        View::Trash,
    ] {
        store
            .list(&view, &Filter::default(), 0, 20)
            .expect("a view's window");
        store.count(&view, &Filter::default()).expect("a view's count");
    }
    store.counts(&now).expect("the tab counts");
});
