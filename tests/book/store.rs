//! The store against a real SQLite file in a temp dir: opening, migrations, the views' query
//! plans, and that the queue's index order is the domain's score order.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ripen::domain::lifecycle::{self, Contact, Qualification};
use ripen::domain::priority;
use ripen::domain::{ActivityKind, Class, Now, Plan, Stage};
use ripen::store::{Filter, NewLead, Store, StoreError, View};

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("book.db"), Plan::default()).unwrap()
}

fn add(store: &mut Store, name: &str, received: DateTime<Utc>) -> String {
    store
        .add_lead(
            NewLead {
                name: name.into(),
                received_at: Some(received),
                ..NewLead::default()
            },
            &now(),
        )
        .unwrap()
        .1
}

#[test]
fn a_newer_book_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE x(a); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, Plan::default()).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }));
    assert!(err.to_string().contains("newer ripen"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("future.db-wal").exists());
}

#[test]
fn opening_twice_is_idempotent_and_keeps_the_replica_id() {
    let dir = tempfile::tempdir().unwrap();
    let id = open(&dir).replica_id().unwrap();
    let store = open(&dir);
    assert_eq!(store.replica_id().unwrap(), id);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn every_view_query_uses_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 200, 1, &now()).unwrap();
    let until = now().start_of_tomorrow();
    let cases = [
        (View::Inbox, "leads_inbox"),
        (View::Queue { until }, "leads_queue"),
        (View::Pipeline, "leads_pipeline"),
        (View::Stage(Stage::Ripe), "leads_pipeline"),
        (View::Recycled, "leads_recycled"),
        (View::RecycledDue { until }, "leads_recycled"),
        (View::Won, "leads_won"),
        (View::Lost, "leads_lost"),
        (View::All, "leads_received"),
        (View::Undated, "leads_forecast"),
    ];
    // The ripening board's months, each shape of them.
    let months = ripen::store::RipeBucket::months(&now())
        .into_iter()
        .map(|b| (b.view(), "leads_forecast"));
    for (view, index) in cases.into_iter().chain(months) {
        let plan = store.explain_view(&view, &Filter::default()).unwrap();
        assert!(plan.contains(index), "{view:?} should use {index}:\n{plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "{view:?} should not sort:\n{plan}"
        );
    }
}

#[test]
fn every_report_query_reads_an_index_without_sorting_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 300, 2, &now()).unwrap();
    let plans = store.report_plans(&now()).unwrap();
    assert!(plans.len() >= 15, "every report's statements: {plans:#?}");
    for (sql, plan) in &plans {
        // Every pass over leads or contacts goes through a covering index.
        for line in plan.lines() {
            let reads = line.contains("SCAN") || line.contains("SEARCH");
            if reads && !line.contains("source_costs") {
                assert!(
                    line.contains("COVERING INDEX"),
                    "{sql}\nreads rows beside its index:\n{plan}"
                );
            }
        }
        // Only the losses (closed lost leads) and the wins by cohort sort, and those are the
        // closed leads of one outcome, not the book.
        if plan.contains("TEMP B-TREE") {
            assert!(
                plan.contains("leads_lost") || plan.contains("leads_won"),
                "{sql}\nsorts the book:\n{plan}"
            );
        }
    }
}

#[test]
fn the_queue_is_in_score_order_and_matches_its_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 400, 3, &now()).unwrap();
    // Some open deals without a class, as imports bring them: they rank as class B.
    let open = store
        .list(&View::Pipeline, &Filter::default(), 0, 6)
        .unwrap();
    for r in &open {
        store
            .apply(&r.lead.uid, &now(), |l, _| {
                let mut lead = l.clone();
                lead.class = None;
                Ok(ripen::domain::lifecycle::Change {
                    lead,
                    entries: Vec::new(),
                })
            })
            .unwrap();
    }
    let plan = Plan::default();
    for shift in [0, 2, 30] {
        let at = Now::utc(now().utc + Duration::days(shift));
        let view = View::Queue {
            until: at.start_of_tomorrow(),
        };
        let rows = store
            .list(&view, &Filter::default(), 0, usize::MAX)
            .unwrap();
        assert!(!rows.is_empty());
        assert_eq!(
            rows.len() as i64,
            store.count(&view, &Filter::default()).unwrap()
        );
        let scores: Vec<f64> = rows
            .iter()
            .map(|r| priority::score(&r.lead, &at, &plan).total)
            .collect();
        for w in scores.windows(2) {
            assert!(
                w[0] >= w[1] - 1e-9,
                "not in score order at +{shift}d: {w:?}"
            );
        }
        // And nothing due is missing: every active lead due before tomorrow is listed, and
        // every recycled lead due for its touch.
        let all = store
            .list(&View::All, &Filter::default(), 0, usize::MAX)
            .unwrap();
        let due = all
            .iter()
            .filter(|r| r.lead.status.is_active() || priority::recycled_touch(&r.lead))
            .filter(|r| {
                r.lead
                    .next_follow_up
                    .is_some_and(|d| d < at.start_of_tomorrow())
            })
            .count();
        assert_eq!(due, rows.len());
        assert!(
            rows.iter().any(|r| priority::recycled_touch(&r.lead)),
            "the demo book has recycled leads due at +{shift}d"
        );
    }
}

/// The queue, recycled touches and all, is one walk of one partial index in rank order: no
/// second index, no sort, whatever the window.
#[test]
fn the_queue_with_its_recycled_touches_is_one_walk_of_leads_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 400, 3, &now()).unwrap();
    let until = now().start_of_tomorrow();
    let plan = store
        .explain_view(&View::Queue { until }, &Filter::default())
        .unwrap();
    // (The tag filter's correlated look-up into a lead's tags runs only when a tag is asked.)
    let reads: Vec<&str> = plan
        .lines()
        .filter(|l| l.contains("SCAN l") || l.contains("SEARCH l"))
        .collect();
    assert_eq!(reads.len(), 1, "one walk of the leads:\n{plan}");
    assert!(
        reads[0].contains("USING INDEX leads_queue"),
        "through leads_queue:\n{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "no sort:\n{plan}");
    let rows = store
        .list(&View::Queue { until }, &Filter::default(), 0, usize::MAX)
        .unwrap();
    assert!(rows.iter().any(|r| priority::recycled_touch(&r.lead)));
}

/// A book made before the queue held recycled leads has the old `leads_queue`: the next open
/// builds it anew, and its recycled leads due appear.
#[test]
fn a_book_with_the_old_queue_index_gets_the_new_one_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    {
        let mut store = Store::open(&path, Plan::default()).unwrap();
        ripen::demo::fill(&mut store, 200, 5, &now()).unwrap();
    }
    let ddl = |c: &rusqlite::Connection| -> String {
        c.query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'leads_queue'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let holds_recycled = |c: &rusqlite::Connection| {
        let ddl = ddl(c);
        ddl.split_once(" WHERE ").unwrap().1.contains("recycle_on")
    };
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        let ddl = ddl(&c);
        let (head, _) = ddl.split_once(" WHERE ").unwrap();
        c.execute_batch(&format!(
            "DROP INDEX leads_queue; {head} WHERE status IN ('new','working','open') \
             AND deleted_at IS NULL;"
        ))
        .unwrap();
        assert!(!holds_recycled(&c));
    }
    let store = Store::open(&path, Plan::default()).unwrap();
    let until = now().start_of_tomorrow();
    let rows = store
        .list(&View::Queue { until }, &Filter::default(), 0, usize::MAX)
        .unwrap();
    assert!(rows.iter().any(|r| priority::recycled_touch(&r.lead)));
    let c = rusqlite::Connection::open(&path).unwrap();
    assert!(holds_recycled(&c), "{}", ddl(&c));
}

#[test]
fn windows_page_through_a_view_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    for i in 0..25 {
        add(
            &mut store,
            &format!("Lead {i}"),
            now().utc - Duration::hours(i),
        );
    }
    let rows = store
        .list(&View::Inbox, &Filter::default(), 0, 100)
        .unwrap();
    // Oldest first, the reverse of the order they were added in.
    assert!(
        rows.windows(2)
            .all(|w| w[0].lead.received_at < w[1].lead.received_at)
    );
    let all: Vec<String> = rows.into_iter().map(|r| r.lead.uid).collect();
    let mut paged = Vec::new();
    for page in 0..3 {
        paged.extend(
            store
                .list(&View::Inbox, &Filter::default(), page * 10, 10)
                .unwrap()
                .into_iter()
                .map(|r| r.lead.uid),
        );
    }
    assert_eq!(all, paged);
    assert_eq!(store.count(&View::Inbox, &Filter::default()).unwrap(), 25);
}

/// Qualify `n` new leads with no ripe date: open, undated.
fn add_undated(store: &mut Store, n: usize) {
    for i in 0..n {
        let uid = add(
            store,
            &format!("Undated {i}"),
            now().utc - Duration::hours(i as i64),
        );
        let q = Qualification {
            class: Class::B,
            value_cents: Some(1_000 * i as i64),
            stage: Some(Stage::Warming),
            ripe_on: None,
        };
        store
            .apply(&uid, &now(), |l, p| {
                lifecycle::qualify(l, q.clone(), &now(), p)
            })
            .unwrap();
    }
}

#[test]
fn the_last_ripening_group_pages_through_its_undated_leads_then_the_later_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 1500, 1, &now()).unwrap();
    add_undated(&mut store, 13);
    let none = Filter::default();
    let last = ripen::store::RipeBucket::months(&now()).pop().unwrap();
    let view = last.view();
    let whole = store.list(&view, &none, 0, usize::MAX).unwrap();
    let undated = store.count(&View::Undated, &none).unwrap() as usize;
    assert_eq!(undated, 13);
    assert!(whole.len() > undated + 20, "{} leads", whole.len());
    assert!(whole[..undated].iter().all(|r| r.lead.ripe_on.is_none()));
    assert!(whole[undated..].iter().all(|r| r.lead.ripe_on.is_some()));
    // In the order one walk of the group's index reads it.
    let numbers: Vec<i64> = whole.iter().map(|r| r.number).collect();
    assert_eq!(
        store.match_numbers(&view, &none, usize::MAX).unwrap(),
        numbers
    );
    // Windows that end inside the undated part, on its end, and past it.
    for size in [1, 5, 13, 14, 40] {
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = store.list(&view, &none, offset, size).unwrap();
            assert!(page.len() <= size);
            if page.is_empty() {
                break;
            }
            offset += page.len();
            paged.extend(page.into_iter().map(|r| r.number));
        }
        assert_eq!(paged, numbers, "windows of {size}");
    }
    // Filtered too.
    let filter = Filter {
        text: Some("undated".into()),
        ..Filter::default()
    };
    let found = store.list(&view, &filter, 5, 100).unwrap();
    assert_eq!(found.len(), 8);
    assert!(found.iter().all(|r| r.lead.name.starts_with("Undated")));
}

#[test]
fn a_board_splits_a_few_matches_read_once_as_each_column_reads_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 3000, 1, &now()).unwrap();
    add_undated(&mut store, 7);
    let months = ripen::store::RipeBucket::months(&now());
    let all_months = View::Ripe {
        from: None,
        to: None,
        unset: true,
    };
    let mut split_some = 0;
    for query in ["a", "acme", "sofia", "mül", "undated", "sofia hooli", "zzz"] {
        let filter = Filter {
            text: Some(query.into()),
            ..Filter::default()
        };
        // Each board: the view it splits, and its columns as (view, whether a lead falls in it).
        type Holds<'a> = Box<dyn Fn(&ripen::store::Placed) -> bool + 'a>;
        let stages: Vec<(View, Holds)> = Stage::ALL
            .into_iter()
            .map(|s| {
                let holds: Holds = Box::new(move |p| p.stage == Some(s));
                (View::Stage(s), holds)
            })
            .collect();
        let by_month: Vec<(View, Holds)> = months
            .iter()
            .map(|b| {
                let holds: Holds = Box::new(|p| b.holds(p.ripe_on));
                (b.view(), holds)
            })
            .collect();
        for (whole, columns) in [(View::Pipeline, stages), (all_months, by_month)] {
            let Some(placed) = store.few_matches_split(&whole, &filter).unwrap() else {
                // Too many to read at once (a one-letter word): each column walks its own.
                assert_eq!(query, "a");
                continue;
            };
            split_some += 1;
            if !query.contains(' ') {
                assert_eq!(
                    placed.is_empty(),
                    query == "zzz",
                    "{whole:?} under {query:?}"
                );
            }
            let mut placed_somewhere = 0;
            for (view, holds) in &columns {
                let mine: Vec<&ripen::store::Placed> = placed.iter().filter(|p| holds(p)).collect();
                placed_somewhere += mine.len();
                let numbers: Vec<i64> = mine.iter().map(|p| p.number).collect();
                let own = store.match_numbers(view, &filter, usize::MAX).unwrap();
                assert_eq!(numbers, own, "{view:?} under {query:?}");
                let (value, weighted, wins) = store.value_numbered(&own).unwrap();
                let (v, w, e) = store.value_placed(mine.iter().copied());
                assert_eq!((v, w), (value, weighted), "{view:?} under {query:?}");
                assert!((e - wins).abs() < 1e-9, "{view:?} under {query:?}");
            }
            // Every match falls in exactly one column.
            assert_eq!(placed_somewhere, placed.len(), "{whole:?} under {query:?}");
        }
    }
    assert!(split_some >= 10, "most words here match few leads");
}

#[test]
fn a_filter_finds_letters_typed_plain_after_edits_and_bulk_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let uid = add(&mut store, "Søren Ødegård", now().utc);
    add(&mut store, "Soraya Stone", now().utc);
    let names = |store: &Store, q: &str| -> Vec<String> {
        let f = Filter {
            text: Some(q.into()),
            ..Filter::default()
        };
        let rows = store.list(&View::All, &f, 0, 10).unwrap();
        assert_eq!(store.count(&View::All, &f).unwrap(), rows.len() as i64);
        let mut names: Vec<String> = rows.into_iter().map(|r| r.lead.name).collect();
        names.sort();
        names
    };
    assert_eq!(names(&store, "soren"), ["Søren Ødegård"]);
    // Typed with the letter or without it, alike.
    assert_eq!(names(&store, "sor"), ["Soraya Stone", "Søren Ødegård"]);
    assert_eq!(names(&store, "SØR"), ["Soraya Stone", "Søren Ødegård"]);
    assert_eq!(names(&store, "odegard"), ["Søren Ødegård"]);
    // An umlaut also as German spells it without one.
    add(&mut store, "Jana Müller", now().utc);
    assert_eq!(names(&store, "muel"), ["Jana Müller"]);
    assert_eq!(names(&store, "jana mueller"), ["Jana Müller"]);
    assert_eq!(names(&store, "mul"), ["Jana Müller"]);
    // An edit takes the old words out of the index and puts the new ones in.
    store
        .apply(&uid, &now(), |l, _| {
            let mut after = l.clone();
            after.name = "Łukasz Straße".into();
            lifecycle::edited(l, after, &now())
        })
        .unwrap();
    assert!(names(&store, "soren").is_empty());
    assert_eq!(names(&store, "lukasz strasse"), ["Łukasz Straße"]);
    // A bulk load fills the index the same way.
    let lead = ripen::domain::Lead::received(
        ripen::store::Incoming::new_uid(),
        "Bjørn Æsir".into(),
        "me".into(),
        now().utc,
    );
    let rows = [Ok(ripen::store::Incoming::new(
        lifecycle::receive(lead, &Plan::default(), &now()),
        2,
    ))];
    let opts = ripen::store::ImportOptions {
        rebuild_indexes: true,
        ..Default::default()
    };
    store.import(rows, &opts, &now()).unwrap();
    assert_eq!(names(&store, "bjorn aesir"), ["Bjørn Æsir"]);
    assert_eq!(names(&store, "lukasz"), ["Łukasz Straße"]);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn merging_copies_the_timeline_and_trashes_the_duplicate_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let new = |name: &str, email: &str| NewLead {
        name: name.into(),
        email: Some(email.into()),
        company: Some("Acme".into()),
        received_at: Some(now().utc - Duration::days(3)),
        ..NewLead::default()
    };
    let (_, kept) = store
        .add_lead(new("Jane Doe", "jane@acme.example"), &now())
        .unwrap();
    let (_, gone) = store
        .add_lead(new("Jane Doe", "JANE@acme.example"), &now())
        .unwrap();
    let n = now();
    let call = Contact {
        kind: ActivityKind::Call,
        outcome: Some("reached".into()),
        note: Some("on the duplicate".into()),
        at: None,
        next: None,
    };
    store
        .apply(&gone, &n, |l, p| lifecycle::log_contact(l, call, &n, p))
        .unwrap();
    let kept_number = store.lead(&kept).unwrap().number;
    let gone_row = store.lead(&gone).unwrap();
    // Each is the other's duplicate, by e-mail.
    assert_eq!(
        store.duplicate_of(&gone_row.lead).unwrap(),
        Some((kept_number, "Jane Doe (Acme)".to_string(), "same e-mail"))
    );
    let inbox = store.counts(&n).unwrap().inbox;
    let row = store.merge(&gone, &kept, &n).unwrap();
    // The duplicate had been called: the lead that stays is working, with that call.
    assert_eq!(row.lead.status, ripen::domain::Status::Working);
    assert!(row.touches.last_contact_at.is_some());
    let timeline = store.timeline(&kept, 20).unwrap();
    assert!(
        timeline
            .iter()
            .any(|a| a.note.as_deref() == Some("on the duplicate"))
    );
    assert!(
        timeline[0]
            .note
            .as_deref()
            .unwrap()
            .starts_with("merged in Jane Doe (Acme)")
    );
    let trashed = store.lead(&gone).unwrap();
    assert!(trashed.lead.deleted_at.is_some());
    // The duplicate's own timeline stays whole (timelines only grow), with where it went on top.
    let left = store.timeline(&gone, 20).unwrap();
    assert!(
        left[0]
            .note
            .as_deref()
            .unwrap()
            .starts_with("merged into Jane Doe (Acme)")
    );
    assert!(
        left.iter()
            .any(|a| a.note.as_deref() == Some("on the duplicate"))
    );
    // The copy keeps the order of entries logged at the same moment.
    let copied: Vec<_> = timeline[1..]
        .iter()
        .map(|a| (a.at, a.kind, a.note.clone()))
        .collect();
    let own: Vec<_> = left[1..]
        .iter()
        .map(|a| (a.at, a.kind, a.note.clone()))
        .collect();
    assert!(copied.starts_with(&own), "{copied:?}\n{own:?}");
    assert_eq!(store.counts(&n).unwrap().inbox, inbox - 1);
    assert_eq!(store.duplicate_of(&row.lead).unwrap(), None);
    // Not twice, not into itself, not from the trash.
    assert!(store.merge(&gone, &kept, &n).is_err());
    assert!(store.merge(&kept, &kept, &n).is_err());
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn the_forecast_report_and_the_ripening_board_agree_on_overdue_and_this_month() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 1500, 1, &now()).unwrap();
    let board = store.ripening_buckets(&now(), &Filter::default()).unwrap();
    let forecast = store.report_forecast(&now()).unwrap();
    let leads = |month: &str| {
        forecast
            .iter()
            .find(|r| r.month == month)
            .map_or(0, |r| r.leads)
    };
    assert_eq!(board[0].label, "overdue");
    assert!(board[0].count > 0 && board[1].count > 0, "{board:?}");
    assert_eq!(leads("overdue"), board[0].count);
    // This month: from today to its end (Nov 2026, as the board labels it).
    assert_eq!(board[1].label, "Nov 2026");
    assert_eq!(leads("2026-11"), board[1].count);
}

#[test]
fn filters_narrow_by_text_owner_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    store
        .add_lead(
            NewLead {
                name: "Jane Doe".into(),
                company: Some("Acme 100% GmbH".into()),
                owner: Some("Sam".into()),
                tags: vec!["vip".into()],
                ..NewLead::default()
            },
            &now(),
        )
        .unwrap();
    add(&mut store, "Bob Stone", now().utc);
    let count = |f: Filter| store.count(&View::All, &f).unwrap();
    assert_eq!(
        count(Filter {
            text: Some("jane acme".into()),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(
        count(Filter {
            text: Some("100%".into()),
            ..Filter::default()
        }),
        1
    );
    // Words start words: "ane" is inside "Jane", not at a start.
    assert_eq!(
        count(Filter {
            text: Some("ane".into()),
            ..Filter::default()
        }),
        0
    );
    // Text with no word in it narrows nothing.
    assert_eq!(
        count(Filter {
            text: Some("_".into()),
            ..Filter::default()
        }),
        2
    );
    // Accents and case are ignored, and the e-mail splits into words.
    store
        .add_lead(
            NewLead {
                name: "Jana Müller".into(),
                email: Some("jana@acme.com".into()),
                ..NewLead::default()
            },
            &now(),
        )
        .unwrap();
    let count = |f: Filter| store.count(&View::All, &f).unwrap();
    assert_eq!(
        count(Filter {
            text: Some("MUL acme.co".into()),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(
        count(Filter {
            owners: Some(ripen::store::OwnerSet(vec!["Sam".into()])),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(
        count(Filter {
            tag: Some("vip".into()),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(count(Filter::default()), 3);
}

/// Whether every word of `query` starts a word of `text`, folding case and the accents the
/// demo's names carry: the filter's rule, worked out the slow way.
fn words_start(text: &str, query: &str) -> bool {
    let fold = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .map(|c| match c {
                'é' | 'è' => 'e',
                'ü' => 'u',
                'á' => 'a',
                'í' => 'i',
                'ó' => 'o',
                'ö' => 'o',
                'ä' => 'a',
                _ => c,
            })
            .collect()
    };
    let words = |s: &str| -> Vec<String> {
        fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    };
    let have = words(text);
    words(query)
        .iter()
        .all(|q| have.iter().any(|w| w.starts_with(q.as_str())))
}

#[test]
fn a_text_filter_finds_the_same_leads_whether_its_matches_are_few_or_many() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    // Enough leads that a one-letter word matches thousands (read in the view's order) and a
    // rarer pair only a few (read from the index and sorted).
    ripen::demo::fill(&mut store, 6000, 4, &now()).unwrap();
    let until = now().start_of_tomorrow();
    let none = Filter::default();
    let mut stopped = false;
    for view in [
        View::All,
        View::Queue { until },
        View::Inbox,
        View::Pipeline,
        View::Won,
        View::Lost,
        View::Recycled,
    ] {
        let all = store.list(&view, &none, 0, usize::MAX).unwrap();
        // A window's rows come in the order of the query's own ORDER BY (see `select_rows`).
        let numbers: Vec<i64> = all.iter().map(|r| r.number).collect();
        assert_eq!(
            store.match_numbers(&view, &none, usize::MAX).unwrap(),
            numbers,
            "{view:?}"
        );
        // "example" is in every e-mail: thousands of matches, read in the view's order.
        for query in [
            "j",
            "mül",
            "sofia acme",
            "kowalski hooli",
            "example",
            "ex",
            "exam",
            "sofi",
        ] {
            let text = Filter {
                text: Some(query.into()),
                ..Filter::default()
            };
            let expected: Vec<&str> = all
                .iter()
                .filter(|r| {
                    let l = &r.lead;
                    let hay = format!(
                        "{} {} {} {} {}",
                        l.name,
                        l.company.as_deref().unwrap_or(""),
                        l.email.as_deref().unwrap_or(""),
                        l.tags.join(" "),
                        l.reason.as_deref().unwrap_or("")
                    );
                    words_start(&hay, query)
                })
                .map(|r| r.lead.uid.as_str())
                .collect();
            let got = store.list(&view, &text, 0, usize::MAX).unwrap();
            let got: Vec<&str> = got.iter().map(|r| r.lead.uid.as_str()).collect();
            assert_eq!(got.len(), expected.len(), "{view:?} filtered by {query:?}");
            if let Some(i) = (0..got.len()).find(|&i| got[i] != expected[i]) {
                panic!("{view:?} filtered by {query:?}: row {i} differs");
            }
            assert_eq!(store.count(&view, &text).unwrap(), expected.len() as i64);

            // The TUI's one walk: the same leads by number, whole or stopped early.
            let rows = store.list(&view, &text, 0, usize::MAX).unwrap();
            let numbers: Vec<i64> = rows.iter().map(|r| r.number).collect();
            assert_eq!(
                store.match_numbers(&view, &text, usize::MAX).unwrap(),
                numbers
            );
            assert_eq!(store.rows_numbered(&numbers).unwrap(), rows);
            // Asked for one more than there are, uncapped: all of them, known to be all.
            let want = numbers.len() + 1;
            let (whole, done) = store
                .match_numbers_until(&view, &text, want, usize::MAX, || false)
                .unwrap();
            assert!(done);
            assert_eq!(whole, numbers, "{view:?} filtered by {query:?}");
            let (part, done) = store
                .match_numbers_until(&view, &text, want, usize::MAX, || true)
                .unwrap();
            assert!(numbers.starts_with(&part), "{view:?} filtered by {query:?}");
            if done {
                assert_eq!(part, numbers);
            }
            stopped |= !done;
        }
    }
    assert!(stopped, "a walk over thousands of matches stops when told");
}

#[test]
fn apply_writes_the_change_and_its_timeline_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let uid = add(&mut store, "Jane Doe", now().utc - Duration::hours(30));
    let n = now();
    let row = store
        .apply(&uid, &n, |l, p| {
            lifecycle::log_contact(
                l,
                Contact {
                    kind: ActivityKind::Call,
                    outcome: Some("reached".into()),
                    note: Some("wants a demo".into()),
                    at: None,
                    next: None,
                },
                &n,
                p,
            )
        })
        .unwrap();
    assert_eq!(row.touches.last_contact_at, Some(n.utc));
    let row = store
        .apply(&uid, &n, |l, p| {
            lifecycle::qualify(
                l,
                Qualification {
                    class: Class::A,
                    value_cents: Some(2_400_000),
                    stage: Some(Stage::Ripe),
                    ripe_on: None,
                },
                &n,
                p,
            )
        })
        .unwrap();
    assert_eq!(row.lead.stage, Some(Stage::Ripe));
    let timeline = store.timeline(&uid, 100).unwrap();
    let kinds: Vec<_> = timeline.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["system", "system", "call", "system"]);
    // A refused transition writes nothing.
    let err = store.apply(&uid, &n, |l, _| lifecycle::reactivate(l, &n));
    assert!(err.is_err());
    assert_eq!(store.timeline(&uid, 100).unwrap().len(), 4);
}

#[test]
fn pipeline_columns_sum_and_weigh_by_stage() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let n = now();
    for (stage, value) in [
        (Stage::Ripe, 1_000_000),
        (Stage::Ripe, 3_000_000),
        (Stage::Green, 500_000),
    ] {
        let uid = add(&mut store, "x", n.utc);
        store
            .apply(&uid, &n, |l, p| {
                lifecycle::qualify(
                    l,
                    Qualification {
                        class: Class::B,
                        value_cents: Some(value),
                        stage: Some(stage),
                        ripe_on: None,
                    },
                    &n,
                    p,
                )
            })
            .unwrap();
    }
    let cols = store.pipeline_columns(&Filter::default()).unwrap();
    let ripe = cols.iter().find(|c| c.stage == Stage::Ripe).unwrap();
    assert_eq!((ripe.count, ripe.value_cents), (2, 4_000_000));
    assert_eq!(ripe.weighted_cents, 1_600_000, "40% of €40k");
    let green = cols.iter().find(|c| c.stage == Stage::Green).unwrap();
    assert_eq!(green.weighted_cents, 50_000);
    let counts = store.counts(&n).unwrap();
    assert_eq!(counts.pipeline, 3);
    assert_eq!(counts.pipeline_value_cents, 4_500_000);
}

#[test]
fn changed_priority_coefficients_rebuild_the_queue_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    {
        let mut store = Store::open(&path, Plan::default()).unwrap();
        add(&mut store, "Old", now().utc - Duration::days(3));
    }
    let mut plan = Plan::default();
    plan.priority.first_contact = 99;
    let store = Store::open(&path, plan).unwrap();
    let until = now().start_of_tomorrow();
    let explain = store
        .explain_view(&View::Queue { until }, &Filter::default())
        .unwrap();
    assert!(explain.contains("leads_queue"), "{explain}");
    assert_eq!(
        store
            .list(&View::Queue { until }, &Filter::default(), 0, 10)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_first_version_book_migrates_with_every_row_kept_and_a_backup_beside_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy("tests/fixtures/book-v1.db", &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = Store::open(&path, Plan::default()).unwrap();
    let all = store.list(&View::All, &Filter::default(), 0, 100).unwrap();
    let mut names: Vec<&str> = all.iter().map(|r| r.lead.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Ana Ruiz", "Bob Stone", "Jane Doe"]);
    let jane = all.iter().find(|r| r.lead.name == "Jane Doe").unwrap();
    assert_eq!(jane.number, 1);
    assert_eq!(jane.lead.value_cents, Some(2_400_000));
    assert!(jane.touches.last_contact_at.is_some());
    assert_eq!(store.timeline(&jane.lead.uid, 10).unwrap().len(), 2);
    // The change log starts with an id of the book's own: copies of a book made by an
    // earlier release all carried the one it was given.
    let replica = store.replica_id().unwrap();
    assert_ne!(replica, "0191d2c0-0000-7000-8000-000000000001");
    assert_eq!(replica.len(), 32);
    let backup = dir.path().join("old.db.v1.bak");
    assert!(backup.exists(), "a copy beside it before migrating");
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let old = rusqlite::Connection::open(&backup).unwrap();
    let v: i64 = old
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn the_book_its_wal_and_shm_and_its_folder_are_private_while_open() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("new").join("data");
    let path = folder.join("book.db");
    let mut store = Store::open(&path, Plan::default()).unwrap();
    add(&mut store, "Jane", now().utc);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(folder.parent().unwrap()), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        assert!(p.exists(), "{suffix} exists while the book is open");
        assert_eq!(mode(&p), 0o600, "book{suffix}");
    }
    // A copy's folder is the caller's to make (`ripen backup` makes its default one 0700).
    let copy = dir.path().join("copy.db");
    store.backup_to(&copy).unwrap();
    assert_eq!(mode(&copy), 0o600);
}

#[test]
fn the_ripening_groups_follow_a_ripe_date_edited_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let n = now();
    let uid = add(&mut store, "Jane Doe", n.utc - Duration::hours(3));
    let soon = n.utc + Duration::days(40);
    store
        .apply(&uid, &n, |l, p| {
            lifecycle::qualify(
                l,
                Qualification {
                    class: Class::A,
                    value_cents: Some(1_000_000),
                    stage: Some(Stage::Ripe),
                    ripe_on: Some(soon),
                },
                &n,
                p,
            )
        })
        .unwrap();
    let group_of = |store: &Store| -> Vec<(i64, i64)> {
        store
            .ripening_buckets(&n, &Filter::default())
            .unwrap()
            .iter()
            .map(|b| (b.count, b.value_cents))
            .collect()
    };
    let before = group_of(&store);
    assert_eq!(before.iter().map(|g| g.0).sum::<i64>(), 1);
    // 22 Nov + 40 days: 1 Jan, the group after overdue, November and December.
    assert_eq!(before[3], (1, 1_000_000), "{before:?}");
    // Only the ripe date changes: the lead moves to "later/unset".
    let later = n.utc + Duration::days(200);
    store
        .apply(&uid, &n, |l, _| {
            let mut after = l.clone();
            after.ripe_on = Some(later);
            lifecycle::edited(l, after, &n)
        })
        .unwrap();
    let after = group_of(&store);
    assert_eq!(after[3], (0, 0));
    assert_eq!(after[5], (1, 1_000_000), "{after:?}");
    // And the same from the month views themselves.
    for (b, g) in ripen::store::RipeBucket::months(&n).iter().zip(&after) {
        assert_eq!(store.count(&b.view(), &Filter::default()).unwrap(), g.0);
    }
}

fn trigger_names(c: &rusqlite::Connection) -> Vec<String> {
    c.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_file_keeps_only_guards_and_refuses_a_write_from_outside_ripen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    {
        let mut store = Store::open(&path, Plan::default()).unwrap();
        add(&mut store, "Jane", now().utc);
    }
    let c = rusqlite::Connection::open(&path).unwrap();
    // The triggers that keep the counts are each ripen connection's own; the file has guards.
    let names = trigger_names(&c);
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with("_guard")), "{names:?}");
    for sql in [
        "UPDATE leads SET status = 'open'",
        "DELETE FROM leads",
        "INSERT INTO activities (uid, lead_uid, at, kind, created_at) \
         SELECT 'x', uid, 0, 'call', 0 FROM leads",
    ] {
        let err = c.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("write_through_ripen"), "{sql}: {err}");
    }
    drop(c);
    // Through ripen, writes keep the cached counts.
    let mut store = Store::open(&path, Plan::default()).unwrap();
    assert_eq!(store.count(&View::Inbox, &Filter::default()).unwrap(), 1);
    add(&mut store, "Bob", now().utc);
    assert_eq!(store.count(&View::Inbox, &Filter::default()).unwrap(), 2);
    assert_eq!(
        store
            .list(&View::Inbox, &Filter::default(), 0, 10)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn an_index_or_count_table_dropped_outside_ripen_is_rebuilt_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    {
        let mut store = Store::open(&path, Plan::default()).unwrap();
        add(&mut store, "Jane", now().utc);
        add(&mut store, "Bob", now().utc - Duration::days(4));
    }
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("DROP INDEX leads_due; DROP TABLE tallies;")
            .unwrap();
    }
    // The file's schema changed since ripen last checked it, so this open checks it again.
    let store = Store::open(&path, Plan::default()).unwrap();
    assert_eq!(store.count(&View::Inbox, &Filter::default()).unwrap(), 2);
    let c = rusqlite::Connection::open(&path).unwrap();
    let found: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('leads_due', 'tallies')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 2);
}

/// The same person typed again without the accents looks like the one in the book (a trial
/// added "Soren Muller" at Stark Oy beside Søren Müller and was told nothing); a different
/// name at the same company does not.
#[test]
fn a_duplicate_is_found_whatever_the_accents() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let person = |name: &str, company: &str| NewLead {
        name: name.into(),
        company: Some(company.into()),
        ..NewLead::default()
    };
    let (first, _) = store
        .add_lead(person("Søren Müller", "Stark Oy"), &now())
        .unwrap();
    let (_, again) = store
        .add_lead(person("Soren  MULLER", "stark oy"), &now())
        .unwrap();
    let again = store.lead(&again).unwrap().lead;
    assert_eq!(
        store.duplicate_of(&again).unwrap(),
        Some((
            first,
            "Søren Müller (Stark Oy)".into(),
            "same name and company"
        ))
    );
    // Spelled without the umlaut in the book, with it when typed again, and the other way.
    let (mueller, _) = store
        .add_lead(person("Jana Mueller", "Acme"), &now())
        .unwrap();
    let (_, again) = store
        .add_lead(person("Jana Müller", "ACME"), &now())
        .unwrap();
    let again = store.lead(&again).unwrap().lead;
    assert_eq!(
        store.duplicate_of(&again).unwrap().map(|d| d.0),
        Some(mueller)
    );
    let (_, other) = store
        .add_lead(person("Soren Muller-Lang", "Stark Oy"), &now())
        .unwrap();
    let other = store.lead(&other).unwrap().lead;
    assert_eq!(store.duplicate_of(&other).unwrap(), None);
}

/// Retyping a lead's source with its case mended keeps what was typed (the book's spelling
/// would otherwise put the old one back); a new source is spelled as the book spells it.
#[test]
fn a_source_edit_mends_its_case_or_joins_the_books_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let lead = |name: &str, source: &str| NewLead {
        name: name.into(),
        source: Some(source.into()),
        ..NewLead::default()
    };
    let (_, a) = store.add_lead(lead("Ann", "webinar oct"), &now()).unwrap();
    let (_, b) = store.add_lead(lead("Bob", "Trade show"), &now()).unwrap();
    let set = |store: &mut Store, uid: &str, source: &str| {
        store
            .apply(uid, &now(), |l, _| {
                let mut after = l.clone();
                after.source = Some(source.into());
                lifecycle::edited(l, after, &now())
            })
            .unwrap()
            .lead
            .source
            .unwrap()
    };
    assert_eq!(set(&mut store, &a, "Webinar Oct"), "Webinar Oct");
    assert_eq!(set(&mut store, &b, "webinar  OCT"), "Webinar Oct");
}

/// Counted for some owners, the counts walk the views' partial indexes; for every owner in the
/// book they are exactly the cached tallies, and the owners' counts add up to them.
#[test]
fn counts_for_owners_add_up_to_the_books() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 400, 3, &now()).unwrap();
    let owners: Vec<String> = store
        .owner_list(&now())
        .unwrap()
        .into_iter()
        .map(|r| r.owner)
        .collect();
    assert!(owners.len() >= 3, "{owners:?}");
    let book = store.counts(&now()).unwrap();
    let all = ripen::store::OwnerSet(owners.clone());
    assert_eq!(store.counts_of(&now(), Some(&all)).unwrap(), book);
    let mut queue = 0;
    let mut inbox_late = 0;
    let mut pipeline_value = 0;
    for o in &owners {
        let one = ripen::store::OwnerSet(vec![o.clone()]);
        let c = store.counts_of(&now(), Some(&one)).unwrap();
        queue += c.queue;
        inbox_late += c.inbox_late;
        pipeline_value += c.pipeline_value_cents;
    }
    assert_eq!(
        (queue, inbox_late, pipeline_value),
        (book.queue, book.inbox_late, book.pipeline_value_cents)
    );
}

/// Each owner's counts are kept by the tallies' triggers as leads change hands, get worked,
/// close and go to the trash: after such writes every owner's counts are their views' own (and
/// after the counts are built again from the leads), and an owner renamed away leaves no count
/// behind.
#[test]
fn each_owners_counts_follow_hand_overs_and_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 300, 5, &now()).unwrap();
    let uids: Vec<String> = store
        .list(&View::All, &Filter::default(), 0, 60)
        .unwrap()
        .into_iter()
        .map(|r| r.lead.uid)
        .collect();
    store.assign(&uids[..20], "Kim", &now()).unwrap();
    store.assign(&uids[20..40], "Ana Ruiz", &now()).unwrap();
    store.assign(&uids[10..15], "ana ruiz", &now()).unwrap();
    // Names that look like a tally's grain or its separator are names like any other.
    store.assign(&uids[15..18], "Bob/s", &now()).unwrap();
    store.assign(&uids[18..20], "a@b/d", &now()).unwrap();
    store.rename_owner("Kim", "Kim Lee", &now()).unwrap();
    for uid in &uids[40..50] {
        store
            .apply(uid, &now(), |l, _| {
                let mut after = l.clone();
                after.next_follow_up = None;
                lifecycle::edited(l, after, &now())
            })
            .unwrap();
    }
    for uid in &uids[50..55] {
        store
            .apply(uid, &now(), |l, _| lifecycle::trash(l, &now()))
            .unwrap();
    }
    // Closed: won, and lost with a recycle date.
    for (i, uid) in uids[55..60].iter().enumerate() {
        store
            .apply(uid, &now(), |l, _| {
                let mut after = l.clone();
                after.status = if i % 2 == 0 {
                    ripen::domain::Status::Won
                } else {
                    ripen::domain::Status::Lost
                };
                after.recycle_on = (i % 2 == 1).then(|| now().utc + chrono::Duration::days(1));
                lifecycle::edited(l, after, &now())
            })
            .unwrap();
    }
    let owners: Vec<String> = store
        .owner_list(&now())
        .unwrap()
        .into_iter()
        .map(|r| r.owner)
        .collect();
    assert!(owners.contains(&"Kim Lee".to_string()), "{owners:?}");
    assert!(!owners.contains(&"Kim".to_string()), "{owners:?}");
    let kept = owners_agree(&store, &owners);
    let left: i64 = rusqlite::Connection::open(dir.path().join("book.db"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM tallies WHERE kind LIKE '%@Kim'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "the renamed owner's counts stay behind");
    // Built again from the leads (as a new ripen or a bulk load builds them), the same.
    drop(store);
    rusqlite::Connection::open(dir.path().join("book.db"))
        .unwrap()
        .execute("DELETE FROM meta WHERE key = 'built tallies'", [])
        .unwrap();
    let store = open(&dir);
    assert_eq!(owners_agree(&store, &owners), kept);
}

/// Each owner's counts (and a gone one's: nothing) against their views' own; all of them
/// against the book's. Returns them.
fn owners_agree(store: &Store, owners: &[String]) -> Vec<ripen::store::Counts> {
    let until = now().start_of_tomorrow();
    let mut out = Vec::new();
    for o in owners.iter().chain([&"Kim".to_string()]) {
        let set = ripen::store::OwnerSet(vec![o.clone()]);
        let filter = Filter {
            owners: Some(set.clone()),
            ..Filter::default()
        };
        let c = store.counts_of(&now(), Some(&set)).unwrap();
        assert_eq!(c.inbox, store.count(&View::Inbox, &filter).unwrap(), "{o}");
        assert_eq!(
            c.queue,
            store.count(&View::Queue { until }, &filter).unwrap(),
            "{o}"
        );
        assert_eq!(
            c.pipeline,
            store.count(&View::Pipeline, &filter).unwrap(),
            "{o}"
        );
        assert_eq!(
            c.recycled,
            store.count(&View::Recycled, &filter).unwrap(),
            "{o}"
        );
        out.push(c);
    }
    let all = ripen::store::OwnerSet(owners.to_vec());
    assert_eq!(
        store.counts_of(&now(), Some(&all)).unwrap(),
        store.counts(&now()).unwrap()
    );
    out
}

/// An owner's view reads the view's own index, in order, as the book's does.
#[test]
fn a_view_narrowed_to_owners_keeps_its_index_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    ripen::demo::fill(&mut store, 200, 1, &now()).unwrap();
    let filter = Filter {
        owners: Some(ripen::store::OwnerSet(vec!["Kim".into(), "me".into()])),
        ..Filter::default()
    };
    let until = now().start_of_tomorrow();
    for (view, index) in [
        (View::Inbox, "leads_inbox"),
        (View::Queue { until }, "leads_queue"),
        (View::Pipeline, "leads_pipeline"),
        (View::Recycled, "leads_recycled"),
        (View::All, "leads_received"),
    ] {
        let plan = store.explain_view(&view, &filter).unwrap();
        assert!(plan.contains(index), "{view:?} should use {index}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{view:?} sorts:\n{plan}");
        let rows = store.list(&view, &filter, 0, usize::MAX).unwrap();
        assert!(
            rows.iter()
                .all(|r| ["Kim", "me"].contains(&r.lead.owner.as_str()))
        );
        assert_eq!(rows.len() as i64, store.count(&view, &filter).unwrap());
    }
    // The app takes the inbox's and today's queue's lengths from these counts.
    let c = store.counts_of(&now(), filter.owners.as_ref()).unwrap();
    assert_eq!(c.inbox, store.count(&View::Inbox, &filter).unwrap());
    assert_eq!(
        c.queue,
        store.count(&View::Queue { until }, &filter).unwrap()
    );
}
