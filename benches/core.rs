//! In-process benchmarks of the paths a rep feels: the queue's top 50, a window of the inbox,
//! the tab counts, logging a contact, and a report, on a generated book.
//!
//! `RIPEN_BENCH_LEADS` sets the book size (default 100,000); the book is generated once into a
//! temp dir with the deterministic demo generator.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ripen::domain::lifecycle::{self, Contact};
use ripen::domain::{ActivityKind, Now, Plan};
use ripen::store::{By, Filter, Period, Store, View};
use std::hint::black_box;

fn now() -> Now {
    Now::utc(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .unwrap_or_default(),
    )
}

fn book() -> (tempfile::TempDir, Store) {
    let n: usize = std::env::var("RIPEN_BENCH_LEADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut store = Store::open(&dir.path().join("bench.db"), Plan::default())
        .unwrap_or_else(|e| panic!("open: {e}"));
    ripen::demo::fill(&mut store, n, 7, &now()).unwrap_or_else(|e| panic!("demo: {e}"));
    (dir, store)
}

fn benches(c: &mut Criterion) {
    let (_dir, mut store) = book();
    let n = now();
    let none = Filter::default();
    let queue = View::Queue {
        until: n.start_of_tomorrow(),
    };
    c.bench_function("queue top 50", |b| {
        b.iter(|| black_box(store.list(&queue, &none, 0, 50).unwrap_or_default()))
    });
    c.bench_function("inbox window of 40 at offset 1000", |b| {
        b.iter(|| {
            black_box(
                store
                    .list(&View::Inbox, &none, 1000, 40)
                    .unwrap_or_default(),
            )
        })
    });
    c.bench_function("tab counts", |b| {
        b.iter(|| black_box(store.counts(&n).ok()))
    });
    let text = Filter {
        text: Some("jane".into()),
        ..Filter::default()
    };
    c.bench_function("filtered queue top 50 ('jane')", |b| {
        b.iter(|| black_box(store.list(&queue, &text, 0, 50).unwrap_or_default()))
    });
    let top = store.list(&queue, &none, 0, 1).unwrap_or_default();
    if let Some(row) = top.first() {
        let uid = row.lead.uid.clone();
        c.bench_function("log a contact", |b| {
            b.iter(|| {
                let contact = Contact {
                    kind: ActivityKind::Note,
                    outcome: None,
                    note: Some("bench".into()),
                    at: None,
                    next: None,
                };
                black_box(
                    store
                        .apply(&uid, &n, |l, p| lifecycle::log_contact(l, contact, &n, p))
                        .ok(),
                )
            })
        });
    }
    let period = Period {
        since: Utc
            .with_ymd_and_hms(2025, 11, 22, 0, 0, 0)
            .single()
            .unwrap_or_default(),
        until: n.utc,
    };
    let mut g = c.benchmark_group("reports");
    g.sample_size(10);
    g.bench_function("owners", |b| {
        b.iter(|| black_box(store.report_owners(&period, &n).ok()))
    });
    g.bench_function("funnel by source", |b| {
        b.iter(|| black_box(store.report_funnel(&period, By::Source).ok()))
    });
    g.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
