//! The change log (`lead_changes`, shared) and the lead rows built from it (`leads`, local):
//! stamping changes with the book's clock and replica id, reading a lead's changes back, and
//! folding them into its row (see [`crate::domain::changes`] for what a change is).
//!
//! The clock and the replica id live in `meta`. A book's replica id is its own: a copy of the
//! file (another laptop, a restored backup) is told apart by the file's identity on disk and
//! makes an id of its own before it writes anything, so two books never write under one id.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Result;
use super::row::Val;
use crate::domain::changes::{self, FieldChange, Folded, Record};
use crate::domain::conflicts;
use crate::domain::{DomainError, Now};

/// Columns of `lead_changes`, in the order [`record_values`] gives them.
pub(super) const RECORD_COLUMNS: &str = "uid, lead_uid, field, value, clock, replica, author";
pub(super) const RECORD_PARAMS: usize = 7;

/// `meta` keys.
const CLOCK: &str = "clock";
const REPLICA: &str = "replica_id";
const REPLICA_FILE: &str = "replica_file";
/// Who writes through this book now (see [`super::Store::write_tx`]).
pub(super) const AUTHOR: &str = "author";

/// Who writes through this book now.
pub(super) fn author(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([AUTHOR], |r| r.get(0))
        .optional()?)
}

/// The last clock stamp this book made or saw.
pub(super) fn last_clock(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1")?
        .query_row([CLOCK], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0))
}

/// Record that the book's clock has reached `clock` (a stamp made here or seen in a change
/// from elsewhere).
pub(super) fn clock_reached(conn: &Connection, clock: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE \
         SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
    )?
    .execute(params![CLOCK, clock])?;
    Ok(())
}

/// The book's replica id.
pub(super) fn replica(conn: &Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([REPLICA], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// What tells this file apart from a copy of it: its device and inode where there are such,
/// else its creation time.
pub(super) fn file_identity(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(format!("{}:{}", meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let created = meta.created().ok()?;
        let d = created.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(format!("{}", d.as_nanos()))
    }
}

/// Make sure the book writes under an id of its own: a file that is not the one its id was
/// made in (a copy, a restored backup) makes a new one. `fresh`: make one whatever the file
/// says (the upgrade that starts the change log: copies of a book made by earlier releases
/// shared one id).
pub(super) fn own_replica(conn: &Connection, path: &std::path::Path, fresh: bool) -> Result<()> {
    let here = file_identity(path).unwrap_or_default();
    let recorded: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([REPLICA_FILE], |r| r.get(0))
        .optional()?;
    if !fresh && recorded.as_deref() == Some(here.as_str()) {
        return Ok(());
    }
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2), (?3, ?4)",
        params![
            REPLICA,
            uuid::Uuid::new_v4().simple().to_string(),
            REPLICA_FILE,
            here
        ],
    )?;
    // A copy keeps the outbox and the mark of what was sent as they were when it was made: what
    // the original had not sent yet, the copy sends too (the same rows twice apply once), so
    // that nothing is lost if the original is gone.
    Ok(())
}

/// Reserve `n` clock stamps; returns the first (the others follow it one by one).
fn reserve(tx: &Transaction, n: usize, now: &Now) -> Result<i64> {
    let n = n as i64;
    let first_wall = changes::next_clock(0, now.utc);
    let last: i64 = tx
        .prepare_cached(
            "INSERT INTO meta(key, value) VALUES (?1, ?2 + ?3 - 1) ON CONFLICT(key) DO UPDATE \
             SET value = max(CAST(value AS INTEGER) + ?3, ?2 + ?3 - 1) \
             RETURNING CAST(value AS INTEGER)",
        )?
        .query_row(params![CLOCK, first_wall, n], |r| r.get(0))?;
    Ok(last - n + 1)
}

/// A record's [`RECORD_COLUMNS`] values, appended to `out`.
pub(super) fn record_values<'a>(
    out: &mut Vec<Val<'a>>,
    uid: &'a str,
    lead_uid: &'a str,
    change: &'a FieldChange,
    clock: i64,
    replica: &'a str,
    author: Option<&'a str>,
) {
    out.extend([
        Val::Text(uid),
        Val::Text(lead_uid),
        Val::Text(change.field),
        change.value.as_deref().map_or(Val::Null, Val::Text),
        Val::Int(clock),
        Val::Text(replica),
        author.map_or(Val::Null, Val::Text),
    ]);
}

/// Record a lead's changes, each stamped with the next clock.
pub(super) fn record(
    tx: &Transaction,
    lead_uid: &str,
    changes: &[FieldChange],
    now: &Now,
) -> Result<()> {
    record_in(tx, lead_uid, changes, now, None)
}

/// [`record`], for a lead that the lead `merged` was merged into (see
/// [`super::write::write_merged_lead`]): a [`changes::RECYCLES`] record's uid is made from the
/// merge and its value. Only a sum may take a uid two laptops can both write: any other field's
/// record under one uid but another clock would leave two books ordering it differently.
pub(super) fn record_in(
    tx: &Transaction,
    lead_uid: &str,
    changes: &[FieldChange],
    now: &Now,
    merged: Option<&str>,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let replica = replica(tx)?;
    let author = author(tx)?;
    let first = reserve(tx, changes.len(), now)?;
    // What each field's change replaces: the changes of that field current here.
    let lineage = lineage_of(tx, lead_uid)?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO lead_changes (uid, lead_uid, field, value, clock, replica, author, seen) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (clock, c) in (first..).zip(changes) {
        let uid = match (merged, c.field, c.value.as_deref()) {
            (Some(gone), changes::RECYCLES, Some(v)) => {
                changes::stable_uid(&[lead_uid, gone, changes::RECYCLES, v])
            }
            _ => super::uids::entry_uid().hyphenated().to_string(),
        };
        let seen = conflicts::seen_for(&lineage, c.field);
        stmt.execute(params![
            uid, lead_uid, c.field, c.value, clock, replica, author, seen
        ])?;
    }
    Ok(())
}

/// A lead's changes as [`conflicts`] reads them.
pub(super) fn lineage_of(conn: &Connection, lead_uid: &str) -> Result<Vec<conflicts::Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT uid, field, value, clock, replica, author, seen FROM lead_changes \
         INDEXED BY lead_changes_by_lead WHERE lead_uid = ?1",
    )?;
    let rows = stmt.query_map([lead_uid], |r| {
        Ok(conflicts::Change {
            uid: r.get(0)?,
            field: r.get(1)?,
            value: r.get(2)?,
            clock: r.get(3)?,
            replica: r.get(4)?,
            author: r.get(5)?,
            seen: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Stamps for a bulk load: the clock read once, advanced here, written back at the end.
pub(super) struct Stamps {
    pub(super) replica: String,
    pub(super) author: Option<String>,
    next: i64,
}

impl Stamps {
    pub(super) fn begin(conn: &Connection, now: &Now) -> Result<Stamps> {
        Ok(Stamps {
            replica: replica(conn)?,
            author: author(conn)?,
            next: changes::next_clock(last_clock(conn)?, now.utc),
        })
    }

    pub(super) fn next(&mut self) -> i64 {
        self.next += 1;
        self.next - 1
    }

    /// Record the last stamp given.
    pub(super) fn finish(&self, conn: &Connection) -> Result<()> {
        clock_reached(conn, self.next - 1)
    }
}

/// A lead's change records.
pub(super) fn records_of(conn: &Connection, lead_uid: &str) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(
        "SELECT uid, lead_uid, field, value, clock, replica FROM lead_changes \
         INDEXED BY lead_changes_by_lead WHERE lead_uid = ?1",
    )?;
    let rows = stmt.query_map([lead_uid], record_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(super) fn record_from_row(r: &rusqlite::Row) -> rusqlite::Result<Record> {
    Ok(Record {
        uid: r.get(0)?,
        lead_uid: r.get(1)?,
        field: r.get(2)?,
        value: r.get(3)?,
        clock: r.get(4)?,
        replica: r.get(5)?,
    })
}

/// Fold one lead's records, an unreadable record an error naming it.
pub(super) fn fold(lead_uid: &str, records: &mut [Record]) -> Result<Option<Folded>> {
    changes::fold(lead_uid, records).map_err(|e| DomainError::Invalid(e.to_string()).into())
}

/// Blank the personal data a purged lead's log still holds: its plain fields' values, and
/// the personal parts of its first record and of its states.
pub(super) fn blank_log(tx: &Transaction, lead_uid: &str) -> Result<()> {
    let rows = records_of(tx, lead_uid)?;
    let mut blank = tx.prepare_cached("UPDATE lead_changes SET value = ?2 WHERE uid = ?1")?;
    for r in rows {
        let Some(value) = r.value.as_deref() else {
            continue;
        };
        let blanked = if changes::personal(&r.field) {
            None
        } else {
            match changes::blanked_value(&r.field, value) {
                Some(v) if v != value => Some(v),
                _ => continue,
            }
        };
        blank.execute(params![r.uid, blanked])?;
    }
    Ok(())
}

/// The upgrade that starts the change log: each lead of the book, as it stands, becomes its
/// first record ([`changes::CREATED`], stamped with when it was created), and a purged one's
/// purge a record too. Uids are made from what they record, so that two copies of one book
/// upgraded apart record the same lead the same way.
pub(super) fn record_existing(tx: &Transaction) -> Result<()> {
    use super::row::{LEAD_COLUMNS, lead_from_row};
    let replica = replica(tx)?;
    let mut read = tx.prepare(&format!(
        "SELECT {LEAD_COLUMNS}, l.created_at, l.purged_at FROM leads l"
    ))?;
    let mut insert = tx.prepare(
        "INSERT OR IGNORE INTO lead_changes (uid, lead_uid, field, value, clock, replica) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut rows = read.query([])?;
    let mut last = 0;
    let width = LEAD_COLUMNS.split(',').count();
    while let Some(r) = rows.next()? {
        let lead = lead_from_row(r, 0)?;
        let created_at: i64 = r.get(width)?;
        let purged_at: Option<i64> = r.get(width + 1)?;
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
        let clock = changes::clock_at(at(created_at));
        let value = changes::created(&lead);
        let uid = changes::stable_uid(&[&lead.uid, changes::CREATED, &value]);
        insert.execute(params![
            uid,
            lead.uid,
            changes::CREATED,
            value,
            clock,
            replica
        ])?;
        last = last.max(clock);
        if let Some(p) = purged_at {
            let c = changes::purge(&lead);
            let uid = changes::stable_uid(&[&lead.uid, changes::PURGE]);
            let clock = changes::clock_at(at(p));
            insert.execute(params![uid, lead.uid, c.field, c.value, clock, replica])?;
            last = last.max(clock);
        }
    }
    clock_reached(tx, last)
}

/// Carry out a purge wherever it is recorded (here, or in a change from another laptop): the
/// lead's personal data blanked in its row, its timeline's notes and outcomes, and its log.
/// The one place rows of the shared tables are changed: a purge must leave nothing behind.
pub(super) fn apply_purge(tx: &Transaction, lead_uid: &str, t: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE activities SET note = NULL, outcome = NULL WHERE lead_uid = ?1 \
         AND (note IS NOT NULL OR outcome IS NOT NULL)",
    )?
    .execute([lead_uid])?;
    tx.prepare_cached(
        "UPDATE leads SET name = '(purged)', company = NULL, title = NULL, email = NULL, \
         phone = NULL, website = NULL, city = NULL, country = NULL, notes = NULL, \
         extra = NULL, external_id = NULL, tags = '[]', reason_note = NULL, \
         purged_at = coalesce(purged_at, ?2), updated_at = ?2 WHERE uid = ?1",
    )?
    .execute(params![lead_uid, t])?;
    blank_log(tx, lead_uid)
}
