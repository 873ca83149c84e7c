//! The apply path of a sync, `Store::take_in`: another laptop's file taken into a small real
//! book, its changesets random bytes, or real ones (a second book's changes: a bulk load, edits,
//! timeline entries, costs, a purge) mutated, spliced or several at once. Whatever comes in,
//! nothing panics, and the book is sound after it: `integrity_check` and `foreign_key_check`
//! pass, a file applied is recorded as applied, and a file refused (an error) or held back left
//! the book as it was, row for row. Each run starts from a fresh copy of one book made once (or
//! from the last run's, which left it so).
#![no_main]

use chrono::Duration;
use libfuzzer_sys::fuzz_target;
use ripen::domain::lifecycle::{Contact, Recycle};
use ripen::domain::{ActivityKind, Now, Plan, Status};
use ripen::ops::{self, LeadEdit, Op};
use ripen::store::sync::Taken;
use ripen::store::{NewLead, Store};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

struct Env {
    _dir: tempfile::TempDir,
    /// The book each run starts from, as bytes of its file.
    template: Vec<u8>,
    /// The second book's real changesets, in its outbox's order.
    valid: Vec<Vec<u8>>,
    run: PathBuf,
    /// The book of the last run, when that run left it as the template made it, and its
    /// digest.
    store: Option<(Store, String)>,
}

fn now() -> Now {
    Now::utc(chrono::DateTime::from_timestamp(1_795_338_000, 0).unwrap_or_default())
}

fn must<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("setting up, {what}: {e:?}"))
}

fn op(store: &mut Store, op: Op, now: &Now) {
    let name = op.name();
    must(ops::run(store, op, now), name);
}

fn log(uid: &str, k: usize) -> Op {
    Op::Log {
        uid: uid.to_string(),
        contact: Contact {
            kind: [ActivityKind::Call, ActivityKind::Email, ActivityKind::Note][k % 3],
            outcome: (k % 3 != 2).then(|| "reached".into()),
            note: Some(format!("talked {k}")),
            at: None,
            next: None,
        },
    }
}

fn uids(store: &Store) -> Vec<String> {
    must(store.every_lead(), "every lead")
        .into_iter()
        .map(|l| l.uid)
        .collect()
}

fn copy(from: &Path, to: &Path) {
    must(std::fs::copy(from, to), "copying a book");
}

/// A first book; a copy of it that goes on (the other laptop: its outbox gives the valid
/// changesets); and another copy that goes on otherwise (the book taking them in).
fn env() -> &'static Mutex<Env> {
    static ENV: OnceLock<Mutex<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = must(tempfile::tempdir(), "temp dir");
        let now = now();
        let later = Now::utc(now.utc + Duration::hours(2));
        let base = dir.path().join("base.db");
        {
            let mut s = must(Store::open(&base, Plan::default()), "open");
            must(ripen::demo::fill(&mut s, 12, 7, &now), "demo");
            let first = uids(&s);
            op(&mut s, log(&first[0], 0), &now);
            op(
                &mut s,
                Op::SetSourceCost {
                    source: "Web".into(),
                    cents: 50_000,
                    add: false,
                },
                &now,
            );
        }
        let theirs = dir.path().join("theirs.db");
        copy(&base, &theirs);
        let valid = {
            let mut s = must(Store::open(&theirs, Plan::default()), "open");
            let known = uids(&s);
            op(
                &mut s,
                Op::Add(NewLead {
                    name: "Ana Ruiz".into(),
                    email: Some("ana@example.com".into()),
                    source: Some("Referral".into()),
                    tags: vec!["hot".into()],
                    value_cents: Some(120_000),
                    ..NewLead::default()
                }),
                &later,
            );
            let ana = uids(&s)
                .into_iter()
                .find(|u| !known.contains(u))
                .unwrap_or_else(|| known[0].clone());
            op(&mut s, log(&ana, 1), &later);
            op(&mut s, log(&known[1], 2), &later);
            let edit = LeadEdit {
                phone: Some(Some("+1 555 0101".into())),
                ..LeadEdit::default()
            };
            op(
                &mut s,
                Op::Edit {
                    uid: known[2].clone(),
                    edit,
                },
                &later,
            );
            op(
                &mut s,
                Op::Close {
                    uid: known[3].clone(),
                    status: Status::Lost,
                    reason: "timing".into(),
                    note: Some("next year".into()),
                    recycle: Recycle::ByReason,
                },
                &later,
            );
            op(
                &mut s,
                Op::SetSourceCost {
                    source: "Web".into(),
                    cents: 10_000,
                    add: true,
                },
                &later,
            );
            op(
                &mut s,
                Op::RenameSource {
                    from: "Web".into(),
                    to: "Web site".into(),
                },
                &later,
            );
            op(
                &mut s,
                Op::Delete {
                    uid: known[4].clone(),
                },
                &later,
            );
            op(&mut s, Op::EmptyTrash, &later);
            must(ripen::demo::fill(&mut s, 4, 11, &later), "demo");
            let mut valid = Vec::new();
            must(
                s.outbox_changesets(0, &mut |_, cs| {
                    valid.push(cs.to_vec());
                    Ok(())
                }),
                "the outbox",
            );
            valid
        };
        let ours = dir.path().join("ours.db");
        copy(&base, &ours);
        {
            let mut s = must(Store::open(&ours, Plan::default()), "open");
            let known = uids(&s);
            let edit = LeadEdit {
                phone: Some(Some("+1 555 0199".into())),
                ..LeadEdit::default()
            };
            op(
                &mut s,
                Op::Edit {
                    uid: known[2].clone(),
                    edit,
                },
                &later,
            );
            op(&mut s, log(&known[1], 3), &later);
        }
        let template = must(std::fs::read(&ours), "reading the book");
        let run = dir.path().join("run.db");
        Mutex::new(Env {
            _dir: dir,
            template,
            valid,
            run,
            store: None,
        })
    })
}

/// Edits of 4 bytes each: what (flip a bit, set a byte, insert one, remove one, cut the rest),
/// where (2 bytes, little-endian, wrapped to the length), and a value.
fn mutate(cs: &mut Vec<u8>, edits: &[u8]) {
    for e in edits.chunks_exact(4) {
        let at = usize::from(u16::from_le_bytes([e[1], e[2]]));
        let v = e[3];
        let len = cs.len();
        match e[0] % 8 {
            0 | 1 if len > 0 => cs[at % len] ^= 1 << (v % 8),
            2 | 3 if len > 0 => cs[at % len] = v,
            4 | 5 => cs.insert(at % (len + 1), v),
            6 if len > 0 => {
                cs.remove(at % len);
            }
            7 => cs.truncate(at % (len + 1)),
            _ => {}
        }
    }
}

/// The changesets an input stands for: its first byte says how it is read.
fn changesets(data: &[u8], valid: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let pick = |b: u8| valid[usize::from(b) % valid.len()].clone();
    match data {
        [] => Vec::new(),
        // The bytes themselves, as one changeset.
        [m, rest @ ..] if m % 4 == 0 => vec![rest.to_vec()],
        // One real changeset, mutated.
        [m, p, edits @ ..] if m % 4 == 1 => {
            let mut cs = pick(*p);
            mutate(&mut cs, edits);
            vec![cs]
        }
        // Two spliced: the start of one, the end of another, then mutated.
        [m, a, b, c0, c1, d0, d1, edits @ ..] if m % 4 == 2 => {
            let (a, b) = (pick(*a), pick(*b));
            let cut_a = usize::from(u16::from_le_bytes([*c0, *c1])) % (a.len() + 1);
            let cut_b = usize::from(u16::from_le_bytes([*d0, *d1])) % (b.len() + 1);
            let mut cs = a[..cut_a].to_vec();
            cs.extend_from_slice(&b[cut_b..]);
            mutate(&mut cs, edits);
            vec![cs]
        }
        // Several real ones, in the order given (the last mutated), as a file holds them.
        [m, n, rest @ ..] if m % 4 == 3 => {
            let n = usize::from(n % 6) + 1;
            let (picks, edits) = rest.split_at(n.min(rest.len()));
            let mut out: Vec<Vec<u8>> = picks.iter().map(|p| pick(*p)).collect();
            if let Some(last) = out.last_mut() {
                mutate(last, edits);
            }
            out
        }
        _ => Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut env = env().lock().unwrap_or_else(|e| e.into_inner());
    let incoming = changesets(data, &env.valid);
    // A run that refused or held its file left the book as it was: the next one reuses it.
    let (mut store, before) = match env.store.take() {
        Some(kept) => kept,
        None => {
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", env.run.display()));
            }
            std::fs::write(&env.run, &env.template).expect("writing the book");
            let store = Store::open(&env.run, Plan::default()).expect("open");
            let digest = store.content_digest().expect("digest");
            (store, digest)
        }
    };
    let name = "0f3c/000000000001-fuzz.ripen";
    let unchanged = match store.take_in(name, &incoming, &now()) {
        Ok(Taken::Applied { .. }) => {
            let files = store.sync_files().expect("sync files");
            assert!(files.contains(name), "applied, but not recorded as applied");
            false
        }
        Ok(Taken::Held) | Err(_) => {
            let after = store.content_digest().expect("digest");
            assert_eq!(
                after, before,
                "a file held back or refused changed the book"
            );
            true
        }
    };
    assert!(
        store.integrity_ok().expect("integrity_check"),
        "integrity_check"
    );
    assert!(
        store.foreign_keys_ok().expect("foreign_key_check"),
        "a row names one that is not there"
    );
    if unchanged {
        env.store = Some((store, before));
    }
});
