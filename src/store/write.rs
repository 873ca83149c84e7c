//! Writing leads and their timelines. Every change to a lead's fields goes through
//! [`write_lead`] (or [`NewLeads`], its bulk form), so that recording changes for sync later
//! happens in one place; which columns are written is `row.rs`'s business.

use std::borrow::Cow;

use rusqlite::{Statement, Transaction, TransactionBehavior, ffi, params};

use super::changes::{RECORD_COLUMNS, RECORD_PARAMS, record_values};
use super::row::{
    INSERT_COLUMNS, LEAD_PARAMS, Val, lead_values, lead_values_at, tags_json, update_lead,
};
use super::session::Session;
pub(super) use super::uids::{Uids, entry_uid};
use super::{Result, Store, schema};
use crate::domain::changes;
use crate::domain::event::Event;
use crate::domain::lifecycle::{Change, Entry};
use crate::domain::{Lead, Now};

/// `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows of `width` parameters each,
/// numbered from 1 row after row. More than one row is an `INSERT OR ROLLBACK`: a statement
/// that may fail half-way through its rows needs a statement journal to undo its first rows,
/// unless a failure rolls back the whole transaction, as it would anyway in a bulk load.
fn insert_sql(table: &str, columns: &str, width: usize, rows: usize) -> String {
    let verb = if rows > 1 {
        "INSERT OR ROLLBACK"
    } else {
        "INSERT"
    };
    let mut sql = format!("{verb} INTO {table} ({columns}) VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("?{}", r * width + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// Bind `values` to a statement's parameters 1, 2, ….
fn bind_all(stmt: &mut Statement, values: &[Val]) -> rusqlite::Result<()> {
    for (i, v) in values.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, v)?;
    }
    Ok(())
}

/// An INSERT prepared for a bulk load, whose text values SQLite reads where they lie
/// (`SQLITE_STATIC`) instead of first copying each into memory of its own, as rusqlite's
/// binding does: at a million leads, allocating, copying and freeing a dozen strings a row was
/// a sixth of the writing thread's work. The only unsafe code of the book, and kept to this.
struct BulkInsert<'c> {
    stmt: std::ptr::NonNull<ffi::sqlite3_stmt>,
    db: *mut ffi::sqlite3,
    _conn: std::marker::PhantomData<&'c rusqlite::Connection>,
}

/// The connection's last error, as rusqlite reports errors.
///
/// # Safety
/// `db` must be an open connection, used by this thread only.
unsafe fn sqlite_error(db: *mut ffi::sqlite3, rc: std::ffi::c_int) -> rusqlite::Error {
    // SAFETY: as the caller promises; the message is copied before anything else runs.
    let message = unsafe { std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
        .to_string_lossy()
        .into_owned();
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(message))
}

impl<'c> BulkInsert<'c> {
    fn prepare(conn: &'c rusqlite::Connection, sql: &str) -> rusqlite::Result<BulkInsert<'c>> {
        // SAFETY: the handle is the connection's own, used on this thread while `conn` stays
        // borrowed; the statement is finalized (in `drop`) before that borrow ends.
        let db = unsafe { conn.handle() };
        let mut stmt = std::ptr::null_mut();
        let len =
            std::ffi::c_int::try_from(sql.len()).map_err(|_| rusqlite::Error::InvalidQuery)?;
        // SAFETY: `sql` is valid for `len` bytes; `stmt` receives the statement.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                db,
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            // SAFETY: `db` is open and ours.
            return Err(unsafe { sqlite_error(db, rc) });
        }
        let stmt = std::ptr::NonNull::new(stmt).ok_or(rusqlite::Error::InvalidQuery)?;
        Ok(BulkInsert {
            stmt,
            db,
            _conn: std::marker::PhantomData,
        })
    }

    /// Run the statement once with `values` bound to its parameters 1, 2, …, all of them.
    fn execute(&mut self, values: &[Val]) -> rusqlite::Result<()> {
        let stmt = self.stmt.as_ptr();
        // SAFETY: `stmt` is our prepared statement on our connection. Text is bound
        // SQLITE_STATIC: SQLite reads it only while stepping, below, and the bindings are
        // cleared before returning, while `values` still borrows the text.
        unsafe {
            let count = ffi::sqlite3_bind_parameter_count(stmt);
            let mut rc = if usize::try_from(count) == Ok(values.len()) {
                ffi::SQLITE_OK
            } else {
                ffi::SQLITE_RANGE
            };
            for (i, v) in values.iter().enumerate() {
                if rc != ffi::SQLITE_OK {
                    break;
                }
                let i = i as std::ffi::c_int + 1;
                rc = match *v {
                    Val::Null => ffi::sqlite3_bind_null(stmt, i),
                    Val::Int(n) => ffi::sqlite3_bind_int64(stmt, i, n),
                    Val::Text(s) => ffi::sqlite3_bind_text64(
                        stmt,
                        i,
                        if s.is_empty() { "" } else { s }.as_ptr().cast(),
                        s.len() as ffi::sqlite3_uint64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as std::ffi::c_uchar,
                    ),
                };
            }
            let result = if rc != ffi::SQLITE_OK {
                Err(sqlite_error(self.db, rc))
            } else {
                match ffi::sqlite3_step(stmt) {
                    ffi::SQLITE_DONE => Ok(()),
                    rc => Err(sqlite_error(self.db, rc)),
                }
            };
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
            result
        }
    }
}

impl Drop for BulkInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: ours, and never used again.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

/// Insert or update a lead. The single place a lead's fields are written (with [`NewLeads`],
/// its bulk form for new leads).
pub(super) fn write_lead(
    tx: &Transaction,
    before: Option<&Lead>,
    after: &Lead,
    now: &Now,
) -> Result<()> {
    write_lead_in(tx, before, after, now, None)
}

/// [`write_lead`] for the lead a merge keeps, `gone` merged into it: the times recycled that
/// the merge brings are recorded under a uid made from the merge and their number, so that the
/// same merge made on two laptops counts them once where the books meet.
pub(super) fn write_merged_lead(
    tx: &Transaction,
    before: &Lead,
    after: &Lead,
    gone: &str,
    now: &Now,
) -> Result<()> {
    write_lead_in(tx, Some(before), after, now, Some(gone))
}

fn write_lead_in(
    tx: &Transaction,
    before: Option<&Lead>,
    after: &Lead,
    now: &Now,
    merged: Option<&str>,
) -> Result<()> {
    if before == Some(after) {
        return Ok(());
    }
    after.check_lengths_since(before)?;
    // Text is neutralised on its way in, whoever typed it (an import's cells already are).
    let cleaned = after.neutralised();
    let after = cleaned.as_ref().unwrap_or(after);
    // Tags in the order the change log builds them.
    let tags = changes::tags_in_order(before, &after.tags);
    let ordered;
    let after = if tags == after.tags {
        after
    } else {
        ordered = Lead {
            tags,
            ..after.clone()
        };
        &ordered
    };
    let recorded = match (before, merged) {
        (Some(b), Some(_)) => changes::diff_merged(b, after),
        _ => changes::diff(before, after),
    };
    if recorded.is_empty() {
        return Ok(());
    }
    super::changes::record_in(tx, &after.uid, &recorded, now, merged)?;
    let t = now.utc.timestamp();
    if before.is_none() {
        let mut stmt = tx.prepare_cached(&insert_sql("leads", INSERT_COLUMNS, LEAD_PARAMS, 1))?;
        let tags = tags_json(after);
        let mut values = Vec::with_capacity(LEAD_PARAMS);
        lead_values(&mut values, after, &tags, t);
        bind_all(&mut stmt, &values)?;
        stmt.raw_execute()?;
        tx.prepare_cached("INSERT INTO lead_numbers (lead_uid) VALUES (?1)")?
            .execute([&after.uid])?;
    } else {
        update_lead(tx, after, t)?;
    }
    Ok(())
}

const ACTIVITY_COLUMNS: &str = "uid, lead_uid, at, kind, outcome, note, created_at, event, author";
const ACTIVITY_PARAMS: usize = 9;

/// Append entries to a lead's timeline.
pub(super) fn write_entries(
    tx: &Transaction,
    lead_uid: &str,
    entries: &[Entry],
    now: &Now,
) -> Result<()> {
    write_with_uids(tx, lead_uid, entries, None, now)
}

/// When and by whom an entry was written (a copy keeps its original's).
pub(super) type Written = (i64, Option<String>);

/// Append copies of entries to a lead's timeline, under the uids given (one per entry).
pub(super) fn write_copies(
    tx: &Transaction,
    lead_uid: &str,
    entries: &[Entry],
    uids: &[String],
    created: &[Written],
    now: &Now,
) -> Result<()> {
    write_with_uids(tx, lead_uid, entries, Some((uids, created)), now)
}

fn write_with_uids(
    tx: &Transaction,
    lead_uid: &str,
    entries: &[Entry],
    given: Option<(&[String], &[Written])>,
    now: &Now,
) -> Result<()> {
    let author = super::changes::author(tx)?;
    let mut stmt = tx.prepare_cached(&insert_sql(
        "activities",
        ACTIVITY_COLUMNS,
        ACTIVITY_PARAMS,
        1,
    ))?;
    for (i, e) in entries.iter().enumerate() {
        e.check_lengths()?;
        let cleaned = e.neutralised();
        let e = cleaned.as_ref().unwrap_or(e);
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let (uid, created, by) = match given.and_then(|(u, c)| u.get(i).zip(c.get(i))) {
            Some((u, (c, a))) => (u.as_str(), *c, a.as_deref()),
            None => (
                &*entry_uid().hyphenated().encode_lower(&mut buf),
                now.utc.timestamp(),
                author.as_deref(),
            ),
        };
        let event = event_code(e);
        let mut values = Vec::with_capacity(ACTIVITY_PARAMS);
        entry_values(&mut values, uid, lead_uid, e, &event, created, by);
        bind_all(&mut stmt, &values)?;
        stmt.raw_execute()?;
    }
    Ok(())
}

/// An activity's [`ACTIVITY_COLUMNS`] values, appended to `out`; `event` is its event's code
/// ([`event_code`]).
fn entry_values<'a>(
    out: &mut Vec<Val<'a>>,
    uid: &'a str,
    lead_uid: &'a str,
    e: &'a Entry,
    event: &'a Option<Cow<'static, str>>,
    t: i64,
    author: Option<&'a str>,
) {
    out.extend([
        Val::Text(uid),
        Val::Text(lead_uid),
        Val::Int(e.at.timestamp()),
        Val::Text(e.kind.as_str()),
        e.outcome.as_deref().map_or(Val::Null, Val::Text),
        e.note.as_deref().map_or(Val::Null, Val::Text),
        Val::Int(t),
        event.as_deref().map_or(Val::Null, Val::Text),
        author.map_or(Val::Null, Val::Text),
    ]);
}

/// The code an entry's event is stored as (most borrow a constant: no allocation in a bulk load).
fn event_code(e: &Entry) -> Option<Cow<'static, str>> {
    e.event.as_ref().map(Event::code)
}

/// New leads per INSERT in [`NewLeads`], and activities and numbers per INSERT.
const LEAD_BATCH: usize = 64;
const ACTIVITY_BATCH: usize = 128;
const NUMBER_BATCH: usize = 64;

/// New leads with their timelines and numbers, written many rows to a statement: each INSERT
/// has fixed costs (a cursor opened on every index, and the constant `IN (…)` lists of the
/// CHECK constraints and partial indexes built afresh as little tables), which a bulk load then
/// pays once per batch instead of once per row. Rows wait here until [`NewLeads::flush`]; a
/// lead's number is known as soon as it is pushed.
pub(super) struct NewLeads<'t> {
    tx: &'t Transaction<'t>,
    t: i64,
    next_number: i64,
    leads: Vec<Change>,
    /// Entries of leads already written: (activity uid, lead uid, entry).
    entries: Vec<(uuid::Uuid, String, Entry)>,
    many_leads: BulkInsert<'t>,
    many_numbers: BulkInsert<'t>,
    many_entries: BulkInsert<'t>,
    many_records: BulkInsert<'t>,
    /// The clock and replica the new leads' first records are stamped with.
    stamps: super::changes::Stamps,
}

impl<'t> NewLeads<'t> {
    pub(super) fn new(tx: &'t Transaction<'t>, now: &Now) -> Result<NewLeads<'t>> {
        // What `INTEGER PRIMARY KEY` would pick, row after row: we hold the write lock.
        let next_number: i64 = tx.query_row(
            "SELECT coalesce(max(number), 0) + 1 FROM lead_numbers",
            [],
            |r| r.get(0),
        )?;
        let many = |table, columns, width, rows| {
            BulkInsert::prepare(tx, &insert_sql(table, columns, width, rows))
        };
        Ok(NewLeads {
            tx,
            t: now.utc.timestamp(),
            next_number,
            leads: Vec::with_capacity(LEAD_BATCH),
            entries: Vec::with_capacity(2 * ACTIVITY_BATCH),
            many_leads: many("leads", INSERT_COLUMNS, LEAD_PARAMS, LEAD_BATCH)?,
            many_numbers: many("lead_numbers", "number, lead_uid", 2, NUMBER_BATCH)?,
            many_entries: many(
                "activities",
                ACTIVITY_COLUMNS,
                ACTIVITY_PARAMS,
                ACTIVITY_BATCH,
            )?,
            many_records: many("lead_changes", RECORD_COLUMNS, RECORD_PARAMS, LEAD_BATCH)?,
            stamps: super::changes::Stamps::begin(tx, now)?,
        })
    }

    /// Queue a new lead and its timeline; returns the lead's number.
    pub(super) fn push(&mut self, mut change: Change) -> Result<i64> {
        let tags = changes::tags_in_order(None, &change.lead.tags);
        if tags != change.lead.tags {
            change.lead.tags = tags;
        }
        let number = self.next_number;
        self.next_number += 1;
        self.leads.push(change);
        if self.leads.len() == LEAD_BATCH {
            self.write_leads()?;
        }
        if self.entries.len() >= ACTIVITY_BATCH {
            self.write_entries(false)?;
        }
        Ok(number)
    }

    /// Queue an entry for a lead already written (or queued before it).
    pub(super) fn push_entry(&mut self, lead_uid: String, entry: Entry) -> Result<()> {
        self.entries.push((entry_uid(), lead_uid, entry));
        if self.entries.len() >= ACTIVITY_BATCH {
            self.write_entries(false)?;
        }
        Ok(())
    }

    /// Write the queued leads if the lead numbered `number` is among them, so that it can be
    /// read.
    pub(super) fn write_up_to(&mut self, number: i64) -> Result<()> {
        if number >= self.next_number - self.leads.len() as i64 {
            self.write_leads()?;
        }
        Ok(())
    }

    /// Write everything queued.
    pub(super) fn flush(&mut self) -> Result<()> {
        self.write_leads()?;
        self.write_entries(true)?;
        self.stamps.finish(self.tx)
    }

    fn write_leads(&mut self) -> Result<()> {
        let first = self.next_number - self.leads.len() as i64;
        let tags: Vec<_> = self.leads.iter().map(|c| tags_json(&c.lead)).collect();
        let mut values = Vec::with_capacity(LEAD_BATCH * LEAD_PARAMS);
        if self.leads.len() == LEAD_BATCH {
            for (c, tags) in self.leads.iter().zip(&tags) {
                lead_values(&mut values, &c.lead, tags, self.t);
            }
            self.many_leads.execute(&values)?;
        } else if !self.leads.is_empty() {
            let mut one =
                self.tx
                    .prepare_cached(&insert_sql("leads", INSERT_COLUMNS, LEAD_PARAMS, 1))?;
            for (c, tags) in self.leads.iter().zip(&tags) {
                values.clear();
                lead_values(&mut values, &c.lead, tags, self.t);
                bind_all(&mut one, &values)?;
                one.raw_execute()?;
            }
        }
        let mut chunks = self.leads.chunks_exact(NUMBER_BATCH);
        for (k, chunk) in chunks.by_ref().enumerate() {
            let base = first + (k * NUMBER_BATCH) as i64;
            values.clear();
            for (i, c) in chunk.iter().enumerate() {
                values.extend([Val::Int(base + i as i64), Val::Text(&c.lead.uid)]);
            }
            self.many_numbers.execute(&values)?;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let base = first + (self.leads.len() - rest.len()) as i64;
            let mut one =
                self.tx
                    .prepare_cached(&insert_sql("lead_numbers", "number, lead_uid", 2, 1))?;
            for (i, c) in rest.iter().enumerate() {
                one.execute(params![base + i as i64, c.lead.uid])?;
            }
        }
        drop(values);
        drop(tags);
        self.write_records()?;
        for c in self.leads.drain(..) {
            let n = c.entries.len();
            let mut uid = Some(c.lead.uid);
            for (k, e) in c.entries.into_iter().enumerate() {
                let lead_uid = if k + 1 == n {
                    uid.take().unwrap_or_default()
                } else {
                    uid.clone().unwrap_or_default()
                };
                self.entries.push((entry_uid(), lead_uid, e));
            }
        }
        Ok(())
    }

    /// The queued leads' first records ([`changes::CREATED`]).
    fn write_records(&mut self) -> Result<()> {
        let records: Vec<(String, changes::FieldChange, i64)> = self
            .leads
            .iter()
            .map(|c| {
                let uid = entry_uid().hyphenated().to_string();
                let change = changes::FieldChange {
                    field: changes::CREATED,
                    value: Some(changes::created(&c.lead)),
                };
                (uid, change, self.stamps.next())
            })
            .collect();
        let replica = self.stamps.replica.as_str();
        let author = self.stamps.author.as_deref();
        let mut values = Vec::with_capacity(LEAD_BATCH * RECORD_PARAMS);
        for ((uid, change, clock), c) in records.iter().zip(&self.leads) {
            record_values(
                &mut values,
                uid,
                &c.lead.uid,
                change,
                *clock,
                replica,
                author,
            );
        }
        if records.len() == LEAD_BATCH {
            self.many_records.execute(&values)?;
        } else {
            let mut one = self.tx.prepare_cached(&insert_sql(
                "lead_changes",
                RECORD_COLUMNS,
                RECORD_PARAMS,
                1,
            ))?;
            for row in values.chunks(RECORD_PARAMS) {
                bind_all(&mut one, row)?;
                one.raw_execute()?;
            }
        }
        Ok(())
    }

    /// Write queued entries: whole batches, and with `all` the rest too.
    fn write_entries(&mut self, all: bool) -> Result<()> {
        let mut bufs = [[0u8; uuid::fmt::Hyphenated::LENGTH]; ACTIVITY_BATCH];
        let mut chunks = self.entries.chunks_exact(ACTIVITY_BATCH);
        for chunk in &mut chunks {
            let events: Vec<_> = chunk.iter().map(|(_, _, e)| event_code(e)).collect();
            let mut values = Vec::with_capacity(ACTIVITY_BATCH * ACTIVITY_PARAMS);
            for (((uid, lead_uid, e), buf), event) in chunk.iter().zip(bufs.iter_mut()).zip(&events)
            {
                let uid = uid.hyphenated().encode_lower(buf);
                entry_values(
                    &mut values,
                    uid,
                    lead_uid,
                    e,
                    event,
                    self.t,
                    self.stamps.author.as_deref(),
                );
            }
            self.many_entries.execute(&values)?;
        }
        let rest = chunks.remainder().len();
        let done = self.entries.len() - rest;
        if all && rest > 0 {
            let mut one = self.tx.prepare_cached(&insert_sql(
                "activities",
                ACTIVITY_COLUMNS,
                ACTIVITY_PARAMS,
                1,
            ))?;
            for (uid, lead_uid, e) in &self.entries[done..] {
                let event = event_code(e);
                let mut values = Vec::with_capacity(ACTIVITY_PARAMS);
                let uid = uid.hyphenated().encode_lower(&mut bufs[0]);
                entry_values(
                    &mut values,
                    uid,
                    lead_uid,
                    e,
                    &event,
                    self.t,
                    self.stamps.author.as_deref(),
                );
                bind_all(&mut one, &values)?;
                one.raw_execute()?;
            }
            self.entries.clear();
        } else {
            self.entries.drain(..done);
        }
        Ok(())
    }
}

/// Seconds of a clock stamp.
fn clock_secs(clock: i64) -> i64 {
    changes::clock_millis(clock).div_euclid(1000)
}

/// Write a lead's row as its change log builds it (a lead from another laptop, or one its
/// changes from elsewhere moved): inserted with a number if the book has no row for it yet.
pub(super) fn project(tx: &Transaction, folded: &changes::Folded) -> Result<()> {
    let lead = &folded.lead;
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE uid = ?1)")?
        .query_row([&lead.uid], |r| r.get(0))?;
    let updated = clock_secs(folded.updated_clock);
    if exists {
        update_lead(tx, lead, updated)?;
    } else {
        let mut stmt = tx.prepare_cached(&insert_sql("leads", INSERT_COLUMNS, LEAD_PARAMS, 1))?;
        let tags = tags_json(lead);
        let mut values = Vec::with_capacity(LEAD_PARAMS);
        lead_values_at(
            &mut values,
            lead,
            &tags,
            clock_secs(folded.created_clock),
            updated,
        );
        bind_all(&mut stmt, &values)?;
        stmt.raw_execute()?;
        tx.prepare_cached("INSERT OR IGNORE INTO lead_numbers (lead_uid) VALUES (?1)")?
            .execute([&lead.uid])?;
    }
    Ok(())
}

/// New lead rows built from the change log, many to a statement: a rebuild of every lead, or
/// the leads another laptop's changes bring. A rebuild leaves numbers as they are (numbers are
/// this laptop's own) and [`Projected::finish`] numbers the leads that have none; leads taken
/// in are numbered as they are written ([`Projected::numbering`]).
///
/// Many rows to a statement is what keeps a big book's word index fast: FTS5 writes what it
/// has gathered to disk at the start of every statement that writes to it, so one lead to a
/// statement is one tiny segment each, merged again and again.
pub(super) struct Projected<'t> {
    tx: &'t Transaction<'t>,
    rows: Vec<changes::Folded>,
    many: BulkInsert<'t>,
    numbered: bool,
}

impl<'t> Projected<'t> {
    pub(super) fn new(tx: &'t Transaction<'t>) -> Result<Projected<'t>> {
        Ok(Projected {
            tx,
            rows: Vec::with_capacity(LEAD_BATCH),
            many: BulkInsert::prepare(
                tx,
                &insert_sql("leads", INSERT_COLUMNS, LEAD_PARAMS, LEAD_BATCH),
            )?,
            numbered: false,
        })
    }

    /// Leads new to a book that already has its numbers: each written is numbered at once, in
    /// the order they are pushed.
    pub(super) fn numbering(tx: &'t Transaction<'t>) -> Result<Projected<'t>> {
        Ok(Projected {
            numbered: true,
            ..Projected::new(tx)?
        })
    }

    pub(super) fn push(&mut self, folded: changes::Folded) -> Result<()> {
        self.rows.push(folded);
        if self.rows.len() == LEAD_BATCH {
            self.write()?;
        }
        Ok(())
    }

    fn write(&mut self) -> Result<()> {
        let tags: Vec<_> = self.rows.iter().map(|f| tags_json(&f.lead)).collect();
        let mut values = Vec::with_capacity(LEAD_BATCH * LEAD_PARAMS);
        let times =
            |f: &changes::Folded| (clock_secs(f.created_clock), clock_secs(f.updated_clock));
        if self.rows.len() == LEAD_BATCH {
            for (f, tags) in self.rows.iter().zip(&tags) {
                let (c, u) = times(f);
                lead_values_at(&mut values, &f.lead, tags, c, u);
            }
            self.many.execute(&values)?;
        } else {
            let mut one =
                self.tx
                    .prepare_cached(&insert_sql("leads", INSERT_COLUMNS, LEAD_PARAMS, 1))?;
            for (f, tags) in self.rows.iter().zip(&tags) {
                values.clear();
                let (c, u) = times(f);
                lead_values_at(&mut values, &f.lead, tags, c, u);
                bind_all(&mut one, &values)?;
                one.raw_execute()?;
            }
        }
        drop(values);
        let mut purged = self
            .tx
            .prepare_cached("UPDATE leads SET purged_at = ?2 WHERE uid = ?1")?;
        for f in &self.rows {
            if let Some(p) = f.purged_clock {
                purged.execute(params![f.lead.uid, clock_secs(p)])?;
            }
        }
        if self.numbered {
            let mut number = self
                .tx
                .prepare_cached("INSERT OR IGNORE INTO lead_numbers (lead_uid) VALUES (?1)")?;
            for f in &self.rows {
                number.execute([&f.lead.uid])?;
            }
        }
        self.rows.clear();
        Ok(())
    }

    /// Write what is queued, and number the leads that have no number yet (in the order they
    /// were created).
    pub(super) fn finish(mut self) -> Result<()> {
        self.write()?;
        if self.numbered {
            return Ok(());
        }
        self.tx.execute_batch(
            "INSERT INTO lead_numbers (lead_uid) SELECT uid FROM leads \
             WHERE uid NOT IN (SELECT lead_uid FROM lead_numbers) ORDER BY created_at, uid;
             DELETE FROM lead_numbers WHERE lead_uid NOT IN (SELECT uid FROM leads);",
        )?;
        Ok(())
    }
}

/// A write transaction that records what it changes in the shared tables (SQLite's session
/// extension) and leaves that record in the outbox as it commits, in the same transaction: a
/// crash can neither lose a change nor send half of one. Every write goes through one; it
/// derefs to the transaction for everything else.
///
/// A bulk load (an import, a demo) only inserts, a million rows at a time: recording them would
/// hold them all in memory and copy them all again at commit. It says so ([`WriteTx::bulk`]),
/// and its outbox entry names the rows it inserted instead (each shared table's new rowids,
/// which one transaction takes one after another): `ripen sync` turns them into changesets,
/// a slice at a time, with the same extension ([`super::outbox`]).
pub(super) struct WriteTx<'c> {
    /// Declared first, so dropped before the transaction ends.
    capture: Session<'c>,
    tx: Transaction<'c>,
    conn: &'c rusqlite::Connection,
    /// In bulk: each shared table's greatest rowid before.
    bulk: Option<Vec<i64>>,
}

impl<'c> std::ops::Deref for WriteTx<'c> {
    type Target = Transaction<'c>;
    fn deref(&self) -> &Transaction<'c> {
        &self.tx
    }
}

/// Each shared table's greatest rowid (0 when empty).
fn last_rowids(tx: &Transaction) -> Result<Vec<i64>> {
    schema::SHARED_TABLES
        .iter()
        .map(|t| {
            Ok(tx.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM {t}"),
                [],
                |r| r.get(0),
            )?)
        })
        .collect()
}

impl<'c> WriteTx<'c> {
    fn begin(conn: &'c rusqlite::Connection) -> Result<WriteTx<'c>> {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        Ok(WriteTx {
            capture: Session::new(conn, &schema::SHARED_TABLES)?,
            tx,
            conn,
            bulk: None,
        })
    }

    /// From here on this transaction only inserts into the shared tables, many rows: record
    /// which, not what (see the type's note).
    pub(super) fn bulk(&mut self) -> Result<()> {
        self.flush()?;
        self.capture.enable(false);
        self.bulk = Some(last_rowids(&self.tx)?);
        Ok(())
    }

    /// Move what has been recorded so far into the outbox and record afresh.
    fn flush(&mut self) -> Result<()> {
        if self.capture.is_empty() {
            return Ok(());
        }
        // A patchset: what a purge blanks must not travel in the file that blanks it.
        let changeset = self.capture.patchset()?;
        self.tx
            .execute("INSERT INTO outbox (changeset) VALUES (?1)", [&changeset])?;
        self.capture = Session::new(self.conn, &schema::SHARED_TABLES)?;
        Ok(())
    }

    /// Leave what this transaction did in the outbox.
    fn record(&mut self) -> Result<()> {
        self.flush()?;
        if let Some(before) = self.bulk.take() {
            let after = last_rowids(&self.tx)?;
            let mut rows: Vec<super::outbox::Rows> = schema::SHARED_TABLES
                .iter()
                .zip(before.iter().zip(&after))
                .filter(|(_, (b, a))| a > b)
                .map(|(t, (&b, &a))| super::outbox::Rows {
                    table: t.to_string(),
                    first: b + 1,
                    last: a,
                })
                .collect();
            // The log before the timelines: a lead is known before its entries arrive.
            rows.sort_by_key(|r| super::outbox::send_order(&r.table));
            if !rows.is_empty() {
                self.tx.execute(
                    "INSERT INTO outbox (rows) VALUES (?1)",
                    [serde_json::to_string(&rows)
                        .map_err(|e| super::StoreError::Sync(format!("outbox: {e}")))?],
                )?;
            }
        }
        Ok(())
    }

    /// End without writing anything (a dry run).
    pub(super) fn rollback(self) -> Result<()> {
        let WriteTx { capture, tx, .. } = self;
        drop(capture);
        tx.rollback()?;
        Ok(())
    }

    /// This transaction takes in another laptop's changes: they are that laptop's to send, not
    /// this one's, and neither is what follows from them here (a purge carried out again).
    pub(super) fn foreign(&mut self) -> Result<()> {
        self.flush()?;
        self.capture.enable(false);
        Ok(())
    }

    /// Commit, with what it did in the outbox.
    pub(super) fn commit(mut self) -> Result<()> {
        self.record()?;
        let WriteTx { capture, tx, .. } = self;
        drop(capture);
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Begin a write transaction that takes the write lock at once, so that a busy book makes
    /// us wait (up to the busy timeout) instead of failing half-way.
    pub(super) fn write_tx(&mut self) -> Result<WriteTx<'_>> {
        self.prepare_writes()?;
        let tx = WriteTx::begin(&self.conn)?;
        // Who writes: recorded with every change (an UPDATE only when it changed).
        tx.prepare_cached(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) \
             DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value",
        )?
        .execute(params![super::changes::AUTHOR, self.author])?;
        Ok(tx)
    }
}
