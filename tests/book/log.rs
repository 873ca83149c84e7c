//! The change log: every operation, in any sequence, leaves lead rows that the log alone
//! builds again; and the same changes taken in by two books in any order (duplicates, equal
//! wall-clock seconds, several laptops) build the same leads.

use crate::common::shared_rows;
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use ripen::domain::lifecycle::{Contact, Qualification, Recycle};
use ripen::domain::{ActivityKind, Class, Now, Plan, Stage, Status};
use ripen::io::import::ImportRequest;
use ripen::ops::{self, LeadEdit, Op};
use ripen::store::{NewLead, Store};

/// One step of a random session: what to do, on which lead (an index into the leads made so
/// far), and how far the clock moves first (0: the same second as the step before).
#[derive(Debug, Clone)]
enum Step {
    Add(u8),
    Edit(usize, u8, u8),
    Log(usize, u8),
    Qualify(usize, u8),
    Stage(usize, u8),
    Nudge(usize, bool),
    Snooze(usize, u8),
    Close(usize, bool, u8),
    Win(usize, u8),
    Reactivate(usize),
    Merge(usize, usize),
    Delete(usize),
    Undelete(usize),
    EmptyTrash,
    SourceCost(u8),
    RenameSource(u8, u8),
    Import(u8),
}

fn step() -> impl Strategy<Value = Step> {
    let i = 0usize..12;
    prop_oneof![
        3 => any::<u8>().prop_map(Step::Add),
        3 => (i.clone(), any::<u8>(), any::<u8>()).prop_map(|(a, b, c)| Step::Edit(a, b, c)),
        3 => (i.clone(), any::<u8>()).prop_map(|(a, b)| Step::Log(a, b)),
        2 => (i.clone(), any::<u8>()).prop_map(|(a, b)| Step::Qualify(a, b)),
        1 => (i.clone(), any::<u8>()).prop_map(|(a, b)| Step::Stage(a, b)),
        1 => (i.clone(), any::<bool>()).prop_map(|(a, b)| Step::Nudge(a, b)),
        1 => (i.clone(), any::<u8>()).prop_map(|(a, b)| Step::Snooze(a, b)),
        2 => (i.clone(), any::<bool>(), any::<u8>()).prop_map(|(a, b, c)| Step::Close(a, b, c)),
        1 => (i.clone(), any::<u8>()).prop_map(|(a, b)| Step::Win(a, b)),
        2 => i.clone().prop_map(Step::Reactivate),
        1 => (i.clone(), i.clone()).prop_map(|(a, b)| Step::Merge(a, b)),
        1 => i.clone().prop_map(Step::Delete),
        1 => i.clone().prop_map(Step::Undelete),
        1 => Just(Step::EmptyTrash),
        1 => any::<u8>().prop_map(Step::SourceCost),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Step::RenameSource(a, b)),
        1 => any::<u8>().prop_map(Step::Import),
    ]
}

const NAMES: [&str; 6] = [
    "Ana Ruiz", "Bo Chen", "Cy Dahl", "Di Ek", "Ed Fox", "Flo Gray",
];
const SOURCES: [&str; 4] = ["Web", "web", "Referral", "Fair"];
const TAGS: [&str; 4] = ["vip", "eu", "q3", "hot"];

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// The operation a step asks for, given the leads the book has so far.
fn op_of(step: &Step, leads: &[String], now: DateTime<Utc>, dir: &std::path::Path) -> Option<Op> {
    let lead = |i: &usize| leads.get(i % leads.len().max(1)).cloned();
    Some(match step {
        Step::Add(k) => Op::Add(NewLead {
            name: NAMES[*k as usize % NAMES.len()].into(),
            company: (k % 3 == 0).then(|| "Acme".into()),
            email: (k % 2 == 0).then(|| format!("p{}@example.com", k % 5)),
            source: Some(SOURCES[*k as usize % SOURCES.len()].into()),
            tags: vec![
                TAGS[*k as usize % 4].into(),
                TAGS[(*k as usize / 4) % 4].into(),
            ],
            value_cents: (k % 4 == 1).then_some(i64::from(*k) * 1000),
            currency: (k % 8 == 5).then(|| "USD".into()),
            ..NewLead::default()
        }),
        Step::Edit(i, what, v) => {
            let mut edit = LeadEdit::default();
            match what % 8 {
                0 => edit.phone = Some(Some(format!("+1 555 {v}"))),
                1 => edit.email = Some((v % 3 != 0).then(|| format!("e{v}@example.com"))),
                2 => edit.add_tags = vec![TAGS[*v as usize % 4].into()],
                3 => edit.remove_tags = vec![TAGS[*v as usize % 4].into()],
                4 => edit.tags = Some(vec![TAGS[*v as usize % 4].into(), "new".into()]),
                5 => edit.owner = Some(if v % 2 == 0 { "kim" } else { "lee" }.into()),
                6 => {
                    edit.value_cents = Some(i64::from(*v) * 100);
                    edit.currency = Some((v % 2 == 0).then(|| "EUR".into()));
                }
                _ => edit.notes = Some(Some(format!("note {v}"))),
            }
            Op::Edit {
                uid: lead(i)?,
                edit,
            }
        }
        Step::Log(i, k) => Op::Log {
            uid: lead(i)?,
            contact: Contact {
                kind: [ActivityKind::Call, ActivityKind::Email, ActivityKind::Note]
                    [*k as usize % 3],
                outcome: (k % 3 == 0).then(|| "reached".into()),
                note: Some(format!("talked {k}")),
                at: (k % 5 == 0).then(|| now - Duration::days(3)),
                next: (k % 7 == 0).then(|| now + Duration::days(9)),
            },
        },
        Step::Qualify(i, k) => Op::Qualify {
            uid: lead(i)?,
            q: Qualification {
                class: [Class::A, Class::B, Class::C][*k as usize % 3],
                value_cents: (k % 2 == 0).then_some(i64::from(*k) * 500),
                stage: (k % 3 == 0).then_some(Stage::Warming),
                ripe_on: (k % 4 == 0).then(|| now + Duration::days(40)),
            },
            currency: None,
        },
        Step::Stage(i, k) => Op::Stage {
            uid: lead(i)?,
            stage: [
                Stage::Green,
                Stage::Ripe,
                Stage::Proposal,
                Stage::Negotiation,
            ][*k as usize % 4],
        },
        Step::Nudge(i, f) => Op::StepStage {
            uid: lead(i)?,
            forward: *f,
        },
        Step::Snooze(i, d) => Op::Snooze {
            uid: lead(i)?,
            until: now + Duration::days(i64::from(d % 30) + 1),
        },
        Step::Close(i, lost, k) => Op::Close {
            uid: lead(i)?,
            status: if *lost {
                Status::Lost
            } else {
                Status::Disqualified
            },
            reason: ["no budget", "timing", "competitor", "no fit"][*k as usize % 4].into(),
            note: (k % 2 == 0).then(|| "said no".into()),
            recycle: match k % 3 {
                0 => Recycle::ByReason,
                1 => Recycle::On(now - Duration::days(1)),
                _ => Recycle::Never,
            },
        },
        Step::Win(i, k) => Op::Win {
            uid: lead(i)?,
            value_cents: (k % 2 == 0).then_some(i64::from(*k) * 700),
            currency: None,
        },
        Step::Reactivate(i) => Op::Reactivate { uid: lead(i)? },
        Step::Merge(a, b) => Op::Merge {
            gone: lead(a)?,
            kept: lead(b)?,
        },
        Step::Delete(i) => Op::Delete { uid: lead(i)? },
        Step::Undelete(i) => Op::Undelete { uid: lead(i)? },
        Step::EmptyTrash => Op::EmptyTrash,
        Step::SourceCost(k) => Op::SetSourceCost {
            source: SOURCES[*k as usize % 4].into(),
            cents: i64::from(*k) * 100,
            add: k % 2 == 0,
        },
        Step::RenameSource(a, b) => Op::RenameSource {
            from: SOURCES[*a as usize % 4].into(),
            to: ["Web site", "Referral", "Trade fair"][*b as usize % 3].into(),
        },
        Step::Import(k) => {
            let path = dir.join(format!("in{k}.csv"));
            let mut csv = String::from("name,email,company,status,tags\n");
            for r in 0..(k % 4 + 1) {
                let n = (*k as usize + r as usize) % NAMES.len();
                csv.push_str(&format!(
                    "{},p{}@example.com,Acme,{},{}\n",
                    NAMES[n],
                    n % 5,
                    ["new", "working", "lost", "won"][(k % 4) as usize],
                    TAGS[n % 4]
                ));
            }
            std::fs::write(&path, csv).ok()?;
            Op::Import(ImportRequest {
                path,
                ..ImportRequest::default()
            })
        }
    })
}

/// Run `steps` on the book, each at its moment; returns the leads it knows of.
fn play(store: &mut Store, steps: &[(Step, u8)], leads: &mut Vec<String>, dir: &std::path::Path) {
    let mut now = base();
    for (s, gap) in steps {
        // 0: the same second as the step before.
        now += Duration::minutes(i64::from(*gap % 4) * 97);
        let Some(op) = op_of(s, leads, now, dir) else {
            continue;
        };
        // Refused steps (not allowed in the lead's state) write nothing; that is checked too.
        if let Ok(ops::Done::Added { uid, .. }) = ops::run(store, op, &Now::utc(now)) {
            leads.push(uid);
        }
        if matches!(s, Step::Import(_)) {
            for l in store.every_lead().unwrap() {
                if !leads.contains(&l.uid) {
                    leads.push(l.uid);
                }
            }
        }
    }
}

/// Every row of the local derived tables (a tally that came back to nothing aside: a rebuild
/// has no row for it).
fn derived_rows(db: &std::path::Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for (table, filter) in [
        ("tallies", "WHERE n <> 0 OR cents <> 0"),
        ("contacts", ""),
        ("touches", ""),
        ("uncontacted", ""),
    ] {
        let mut stmt = c
            .prepare(&format!("SELECT * FROM {table} {filter} ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

/// What one list has that the other has not, each way.
fn differ<T: PartialEq + Clone>(a: &[T], b: &[T]) -> (Vec<T>, Vec<T>) {
    (
        a.iter().filter(|x| !b.contains(x)).cloned().collect(),
        b.iter().filter(|x| !a.contains(x)).cloned().collect(),
    )
}

/// The book's shared tables, and the same tables built again on an empty file from its outbox
/// alone (every write transaction's changeset, in order), which must meet no conflict.
fn shared_and_replayed(db: &std::path::Path) -> (Vec<String>, Vec<String>) {
    use ripen::store::schema::SHARED_TABLES;
    use ripen::store::session;
    let c = rusqlite::Connection::open(db).unwrap();
    let fresh = rusqlite::Connection::open_in_memory().unwrap();
    // What `activities` refers to (a local table, empty here).
    fresh
        .execute_batch("CREATE TABLE leads (uid TEXT PRIMARY KEY NOT NULL)")
        .unwrap();
    for table in SHARED_TABLES {
        let sql: String = c
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        fresh.execute_batch(&sql).unwrap();
    }
    let store = Store::open(db, Plan::default()).unwrap();
    let mut changesets = Vec::new();
    store
        .outbox_changesets(0, &mut |_, cs| {
            changesets.push(cs.to_vec());
            Ok(())
        })
        .unwrap();
    for cs in changesets {
        session::apply(&fresh, &cs, &SHARED_TABLES, &mut |clash| {
            // Timelines refer to leads, which are local (built from the log), not here.
            // A bulk load's rows are read when sent: a row a purge blanked since goes blank,
            // and the purge finds it so.
            if clash.kind == session::Conflict::ForeignKey || clash.already_so() {
                return session::Resolution::Omit;
            }
            panic!(
                "replaying the outbox met {:?} on {:?}",
                clash.kind, clash.change
            )
        })
        .unwrap();
    }
    (shared_rows(&c), shared_rows(&fresh))
}

/// A demo book (a bulk load: its outbox names the rows it inserted) and the same book after
/// a few operations: the outbox makes its shared tables again, in slices.
#[test]
fn a_bulk_load_is_in_the_outbox_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let mut store = Store::open(&db, Plan::default()).unwrap();
    let now = Now::utc(base());
    ripen::demo::fill(&mut store, 300, 5, &now).unwrap();
    let (shared, replayed) = shared_and_replayed(&db);
    assert!(shared.len() > 300, "{} shared rows", shared.len());
    assert_eq!(replayed, shared);
    let mut leads = Vec::new();
    let steps: Vec<(Step, u8)> = (0..12)
        .flat_map(|i| {
            [
                (Step::Log(i, 1), 1),
                (Step::Delete(i), 0),
                (Step::EmptyTrash, 1),
            ]
        })
        .collect();
    leads.extend(
        store
            .every_lead()
            .unwrap()
            .into_iter()
            .map(|l| l.uid)
            .take(12),
    );
    play(&mut store, &steps, &mut leads, dir.path());
    let (shared, replayed) = shared_and_replayed(&db);
    assert_eq!(replayed, shared);
}

/// A first book made by `start`, and a copy of it for each of `apart`, each copy going on
/// alone with its own steps: the first book's path and the laptops (path and store).
fn laptops_from(
    dir: &std::path::Path,
    start: &[(Step, u8)],
    apart: &[Vec<(Step, u8)>],
) -> (std::path::PathBuf, Vec<(std::path::PathBuf, Store)>) {
    let first = dir.join("first.db");
    let mut leads = Vec::new();
    {
        let mut s = Store::open(&first, Plan::default()).unwrap();
        play(&mut s, start, &mut leads, dir);
    }
    let mut laptops = Vec::new();
    for (k, steps) in apart.iter().enumerate() {
        let path = dir.join(format!("laptop{k}.db"));
        std::fs::copy(&first, &path).unwrap();
        let mut s = Store::open(&path, Plan::default()).unwrap();
        let mut mine = leads.clone();
        play(&mut s, steps, &mut mine, dir);
        laptops.push((path, s));
    }
    (first, laptops)
}

/// The conflicts a book lists, by lead uid and field (lead numbers are each book's own).
fn listed(s: &Store) -> Vec<(String, ripen::domain::conflicts::Conflict)> {
    let mut l: Vec<_> = s
        .conflicts()
        .unwrap()
        .into_iter()
        .map(|c| (c.lead_uid, c.conflict))
        .collect();
    l.sort_by(|a, b| (&a.0, &a.1.field).cmp(&(&b.0, &b.1.field)));
    l
}

/// Books that took in the same changes agree: the same shared rows and leads, every lead
/// numbered, and every concurrent change of one field to other values listed once, the same on
/// every book.
fn all_agree(books: &[(&std::path::Path, &Store)]) -> Result<(), TestCaseError> {
    let (want_shared, want_leads) = agreed(books[0].0, books[0].1);
    let want_conflicts = listed(books[0].1);
    let mut seen = std::collections::BTreeSet::new();
    for (lead, c) in &want_conflicts {
        prop_assert!(
            seen.insert((lead.clone(), c.field.clone())),
            "listed twice: {c:?}"
        );
    }
    for (path, s) in books {
        prop_assert_eq!(&listed(s), &want_conflicts, "{}", path.display());
        let (shared, leads) = agreed(path, s);
        let (extra, missing) = differ(&shared, &want_shared);
        prop_assert!(
            extra.is_empty() && missing.is_empty(),
            "{}: has {extra:#?}\nlacks {missing:#?}",
            path.display()
        );
        let (extra, missing) = differ(&leads, &want_leads);
        prop_assert!(
            extra.is_empty() && missing.is_empty(),
            "{}: has {extra:#?}\nlacks {missing:#?}",
            path.display()
        );
        let c = rusqlite::Connection::open(path).unwrap();
        let unnumbered: i64 = c
            .query_row(
                "SELECT count(*) FROM leads WHERE uid NOT IN (SELECT lead_uid FROM lead_numbers)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        prop_assert_eq!(unnumbered, 0, "{}", path.display());
    }
    Ok(())
}

fn steps() -> impl Strategy<Value = Vec<(Step, u8)>> {
    prop::collection::vec((step(), any::<u8>()), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any sequence of operations through the ops layer: the rows the log alone builds equal
    /// the live ones, field for field.
    #[test]
    fn the_log_alone_builds_every_lead_again(steps in steps()) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db"), Plan::default()).unwrap();
        let mut leads = Vec::new();
        play(&mut store, &steps, &mut leads, dir.path());
        let live = store.every_lead().unwrap();
        prop_assert_eq!(store.log_differences().unwrap(), Vec::<String>::new());
        let derived = derived_rows(&dir.path().join("b.db"));
        let rebuilt = store.rebuild_from_log(&mut |_, _| {}).unwrap();
        prop_assert_eq!(rebuilt.leads, live.len());
        prop_assert_eq!(store.every_lead().unwrap(), live);
        // The derived tables, kept by triggers or built by an import, are as a rebuild makes them.
        prop_assert_eq!(derived_rows(&dir.path().join("b.db")), derived);
        // Every write was captured: the outbox alone makes the shared tables again.
        let (shared, replayed) = shared_and_replayed(&dir.path().join("b.db"));
        prop_assert_eq!(replayed, shared);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Three laptops start from one book and each goes on alone, at the same wall-clock
    /// seconds; all their changes, taken in by two fresh books in two different orders (with
    /// duplicates), and by each laptop, build the same leads.
    #[test]
    fn the_same_changes_in_any_order_build_the_same_leads(
        start in steps(),
        apart in prop::collection::vec(steps(), 3),
        seed in any::<u64>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (_, laptops) = laptops_from(dir.path(), &start, &apart);
        let mut laptops: Vec<Store> = laptops.into_iter().map(|(_, s)| s).collect();
        let replicas: std::collections::BTreeSet<String> =
            laptops.iter().map(|s| s.replica_id().unwrap()).collect();
        prop_assert_eq!(replicas.len(), 3, "each copy writes under its own id");
        let mut all = Vec::new();
        for s in &laptops {
            all.extend(s.change_records().unwrap());
        }
        // Two orders: a shuffle with some records twice, and the reverse in two parts.
        let mut one = all.clone();
        let mut x = seed | 1;
        for i in (1..one.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            one.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let again: Vec<_> = one.iter().step_by(3).cloned().collect();
        one.extend(again);
        let mut two = all.clone();
        two.reverse();
        let now = Now::utc(base());
        let mut a = Store::open(&dir.path().join("a.db"), Plan::default()).unwrap();
        a.apply_changes(&one, &now).unwrap();
        let mut b = Store::open(&dir.path().join("b.db"), Plan::default()).unwrap();
        let half = two.len() / 2;
        b.apply_changes(&two[half..], &now).unwrap();
        b.apply_changes(&two[..half], &now).unwrap();
        let built = a.every_lead().unwrap();
        prop_assert_eq!(&b.every_lead().unwrap(), &built);
        for s in &mut laptops {
            s.apply_changes(&all, &now).unwrap();
            prop_assert_eq!(&s.every_lead().unwrap(), &built);
            prop_assert_eq!(s.log_differences().unwrap(), Vec::<String>::new());
        }
    }
}

/// The same merge made on two laptops from one book: where their changes meet, the times
/// recycled that the merge brought count once, not twice.
#[test]
fn the_same_merge_made_on_two_laptops_copies_and_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.db");
    let now = base();
    let (kept, gone) = {
        let mut s = Store::open(&first, Plan::default()).unwrap();
        let mut add = |name: &str| match ops::run(
            &mut s,
            Op::Add(NewLead {
                name: name.into(),
                ..NewLead::default()
            }),
            &Now::utc(now),
        )
        .unwrap()
        {
            ops::Done::Added { uid, .. } => uid,
            other => panic!("{other:?}"),
        };
        let kept = add("Ana Ruiz");
        let gone = add("Ana Ruiz (2)");
        let later = Now::utc(now + Duration::days(1));
        for op in [
            Op::Close {
                uid: gone.clone(),
                status: Status::Disqualified,
                reason: "timing".into(),
                note: None,
                recycle: Recycle::On(now),
            },
            Op::Reactivate { uid: gone.clone() },
        ] {
            ops::run(&mut s, op, &later).unwrap();
        }
        assert_eq!(s.lead(&gone).unwrap().lead.recycle_count, 1);
        (kept, gone)
    };
    let mut laptops = Vec::new();
    for k in 0..2 {
        let path = dir.path().join(format!("laptop{k}.db"));
        std::fs::copy(&first, &path).unwrap();
        let mut s = Store::open(&path, Plan::default()).unwrap();
        let op = Op::Merge {
            gone: gone.clone(),
            kept: kept.clone(),
        };
        // Each laptop merges at its own moment.
        let at = now + Duration::days(2) + Duration::minutes(k);
        ops::run(&mut s, op, &Now::utc(at)).unwrap();
        assert_eq!(s.lead(&kept).unwrap().lead.recycle_count, 1);
        laptops.push(s);
    }
    // The timeline's copies: one row per entry copied, the same row on both laptops.
    let rows = |name: &str| -> std::collections::BTreeMap<String, String> {
        let c = rusqlite::Connection::open(dir.path().join(name)).unwrap();
        let mut stmt = c
            .prepare(
                "SELECT uid, lead_uid || '|' || at || '|' || kind || '|' || \
                 coalesce(outcome, '') || '|' || coalesce(note, '') || '|' || created_at || \
                 '|' || coalesce(event, '') FROM activities",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (base_rows, one, two) = (rows("first.db"), rows("laptop0.db"), rows("laptop1.db"));
    let shared: Vec<_> = one
        .keys()
        .filter(|u| two.contains_key(*u) && !base_rows.contains_key(*u))
        .collect();
    let copied = shared
        .iter()
        .filter(|u| one[**u].starts_with(kept.as_str()))
        .count();
    assert!(
        copied >= 3,
        "the duplicate's entries are copied under the same uids: {one:#?}"
    );
    for u in shared {
        assert_eq!(one[u], two[u], "one uid, two rows: {u}");
    }
    let mut all = Vec::new();
    for s in &laptops {
        all.extend(s.change_records().unwrap());
    }
    for s in &mut laptops {
        s.apply_changes(&all, &Now::utc(now + Duration::days(3)))
            .unwrap();
        assert_eq!(s.lead(&kept).unwrap().lead.recycle_count, 1);
        assert_eq!(s.log_differences().unwrap(), Vec::<String>::new());
    }
    assert_eq!(
        laptops[0].every_lead().unwrap(),
        laptops[1].every_lead().unwrap()
    );
}

/// Every change file of the sync folder, by name under it (not the books' acks).
fn folder_files(folder: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for replica in std::fs::read_dir(folder).unwrap() {
        let replica = replica.unwrap();
        for f in std::fs::read_dir(replica.path()).unwrap() {
            let f = f.unwrap();
            if !f
                .file_name()
                .to_string_lossy()
                .ends_with(ripen::io::sync::SUFFIX)
            {
                continue;
            }
            out.push((
                format!(
                    "{}/{}",
                    replica.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                ),
                std::fs::read(f.path()).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// What a book holds that must agree everywhere: its shared rows, and its leads.
fn agreed(path: &std::path::Path, store: &Store) -> (Vec<String>, Vec<ripen::domain::Lead>) {
    let c = rusqlite::Connection::open(path).unwrap();
    (shared_rows(&c), store.every_lead().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Three laptops start from one book and each goes on alone for 200 operations or more, at
    /// the same wall-clock seconds; then each runs `ripen sync` with one folder, in one of the six orders (each case
    /// its own), twice round, a file delivered twice; and six fresh copies of the first book
    /// take the same files, one file at a time, laptop by laptop in each of the six orders
    /// (shuffled within a laptop's files). All nine hold the same
    /// shared rows and the same leads, every lead numbered, the derived tables as a rebuild
    /// makes them, nothing held back or refused.
    #[test]
    fn three_laptops_synced_through_one_folder_agree(
        start in steps(),
        apart in prop::collection::vec(prop::collection::vec((step(), any::<u8>()), 200..=220), 3),
        order in 0usize..6,
        seed in any::<u64>(),
    ) {
        use ripen::io::sync::{Read, decode, sync};
        use ripen::store::sync::Taken;
        let dir = tempfile::tempdir().unwrap();
        let (first, mut laptops) = laptops_from(dir.path(), &start, &apart);
        let folder = dir.path().join("shared");
        std::fs::create_dir(&folder).unwrap();
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let now = Now::utc(base() + Duration::days(3));
        for round in 0..3 {
            for &k in &orders[order] {
                let report = sync(&mut laptops[k].1, &folder, &now).unwrap();
                prop_assert!(report.refused.is_empty(), "{:?}", report.refused);
                if round == 2 {
                    prop_assert!(report.held.is_empty(), "{:?}", report.held);
                }
            }
            if round == 0 {
                // A file delivered twice (a tool's copy under another name).
                if let Some((name, bytes)) = folder_files(&folder).into_iter().next() {
                    let twice = folder.join(name.replace(".ripen", "-copy.ripen"));
                    std::fs::write(twice, bytes).unwrap();
                }
            }
        }
        // Six fresh copies of the first book take every file, in the six orders.
        let files = folder_files(&folder);
        let mut observers = Vec::new();
        for (i, o) in (0..6).enumerate() {
            let path = dir.path().join(format!("observer{i}.db"));
            std::fs::copy(&first, &path).unwrap();
            let mut s = Store::open(&path, Plan::default()).unwrap();
            let mut pending: Vec<_> = files.clone();
            // Order the files by their laptop as `o` says, shuffled within.
            let rank = |name: &str| {
                let id = name.split('/').next().unwrap_or("");
                laptops
                    .iter()
                    .position(|(_, l)| l.replica_id().unwrap() == id)
                    .map_or(9, |k| orders[o].iter().position(|&x| x == k).unwrap_or(9))
            };
            let mut x = seed | 1;
            pending.sort_by_key(|(n, _)| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (rank(n), x % 7)
            });
            loop {
                let mut progress = false;
                let mut still = Vec::new();
                for (name, bytes) in pending {
                    let Read::Whole { changesets, .. } = decode(&bytes) else {
                        panic!("{name} did not read whole");
                    };
                    match s.take_in(&name, &changesets, &now).unwrap() {
                        Taken::Applied { .. } => progress = true,
                        Taken::Held => still.push((name, bytes)),
                    }
                }
                pending = still;
                if !progress || pending.is_empty() {
                    break;
                }
            }
            prop_assert!(pending.is_empty(), "held: {:?}", pending.iter().map(|p| &p.0).collect::<Vec<_>>());
            observers.push((path, s));
        }
        let books: Vec<_> = laptops.iter().chain(&observers).map(|(p, s)| (p.as_path(), s)).collect();
        all_agree(&books)?;
        for (path, s) in laptops.iter_mut().chain(observers.iter_mut()) {
            let derived = derived_rows(path);
            s.rebuild_from_log(&mut |_, _| {}).unwrap();
            prop_assert_eq!(derived_rows(path), derived, "{}", path.display());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The same through git: a bare repository on disk, a clone for each of three laptops
    /// that each went on alone for 200 operations or more; `ripen sync --git` on each in one
    /// of the six orders, twice round. All three hold the same shared rows, leads and
    /// conflicts, every lead numbered.
    #[test]
    fn three_laptops_synced_through_git_agree(
        start in steps(),
        apart in prop::collection::vec(prop::collection::vec((step(), any::<u8>()), 200..=220), 3),
        order in 0usize..6,
    ) {
        use ripen::io::sync::sync_git;
        let git = |dir: &std::path::Path, args: &[&str]| {
            let out = std::process::Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let dir = tempfile::tempdir().unwrap();
        let (_, laptops) = laptops_from(dir.path(), &start, &apart);
        git(dir.path(), &["init", "--quiet", "--bare", "team.git"]);
        let mut laptops: Vec<_> = laptops
            .into_iter()
            .enumerate()
            .map(|(k, (path, s))| {
                let clone = format!("clone{k}");
                git(dir.path(), &["clone", "--quiet", "team.git", &clone]);
                git(&dir.path().join(&clone), &["config", "user.name", &clone]);
                git(&dir.path().join(&clone), &["config", "user.email", "x@example.com"]);
                (path, s, dir.path().join(clone))
            })
            .collect();
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let now = Now::utc(base() + Duration::days(3));
        for round in 0..3 {
            for &k in &orders[order] {
                let (_, s, clone) = &mut laptops[k];
                let report = sync_git(s, clone, &now).unwrap();
                prop_assert!(report.refused.is_empty(), "{:?}", report.refused);
                if round == 2 {
                    prop_assert!(report.held.is_empty(), "{:?}", report.held);
                }
            }
        }
        let books: Vec<_> = laptops.iter().map(|(p, s, _)| (p.as_path(), s)).collect();
        all_agree(&books)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Compacting never loses a change: three laptops that each went on alone sync through
    /// one folder in one of the six orders, three times round, one of them compacting at each
    /// of its syncs after the first (while the others are behind, then once all have caught
    /// up); a new, empty book then takes the compacted folder alone. All four hold the same
    /// shared rows, leads and conflicts, nothing refused, held or waiting.
    #[test]
    fn a_compacted_folder_builds_the_same_book(
        start in steps(),
        apart in prop::collection::vec(prop::collection::vec((step(), any::<u8>()), 20..=80), 3),
        order in 0usize..6,
        compactor in 0usize..3,
    ) {
        use ripen::io::sync::{sync, sync_with};
        let dir = tempfile::tempdir().unwrap();
        let (_, mut laptops) = laptops_from(dir.path(), &start, &apart);
        let folder = dir.path().join("shared");
        std::fs::create_dir(&folder).unwrap();
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let now = Now::utc(base() + Duration::days(3));
        let (mut written, mut retired) = (0, 0);
        for round in 0..4 {
            for &k in &orders[order] {
                let compact = k == compactor && round > 0;
                let report = sync_with(&mut laptops[k].1, &folder, &now, compact).unwrap();
                prop_assert!(report.refused.is_empty(), "{:?}", report.refused);
                written += report.written.len();
                retired += report.compacted.map_or(0, |c| c.retired.len());
            }
        }
        prop_assert!(written == 0 || retired > 0, "nothing was ever retired");
        let path = dir.path().join("new.db");
        let mut new = Store::open(&path, Plan::default()).unwrap();
        let report = sync(&mut new, &folder, &now).unwrap();
        prop_assert!(
            report.refused.is_empty() && report.held.is_empty() && report.partial.is_empty(),
            "{report:?}"
        );
        let books: Vec<_> = laptops
            .iter()
            .map(|(p, s)| (p.as_path(), s))
            .chain([(path.as_path(), &new)])
            .collect();
        all_agree(&books)?;
    }
}
