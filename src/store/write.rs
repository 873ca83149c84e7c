//! Writing leads and their timelines. Every change to a lead's fields goes through
//! [`write_lead`] (or [`NewLeads`], its bulk form), so that recording changes for sync later
//! happens in one place; which columns are written is `row.rs`'s business.

use std::borrow::Cow;

use rusqlite::{Statement, Transaction, TransactionBehavior, ffi, params};

use super::row::{INSERT_COLUMNS, LEAD_PARAMS, Val, lead_values, tags_json, update_lead};
use super::{Result, Store};
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
    if before == Some(after) {
        return Ok(());
    }
    after.check_lengths_since(before)?;
    // Text is neutralised on its way in, whoever typed it (an import's cells already are).
    let cleaned = after.neutralised();
    let after = cleaned.as_ref().unwrap_or(after);
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

const ACTIVITY_COLUMNS: &str = "uid, lead_uid, at, kind, outcome, note, created_at, event";
const ACTIVITY_PARAMS: usize = 8;

/// Append entries to a lead's timeline.
pub(super) fn write_entries(
    tx: &Transaction,
    lead_uid: &str,
    entries: &[Entry],
    now: &Now,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(&insert_sql(
        "activities",
        ACTIVITY_COLUMNS,
        ACTIVITY_PARAMS,
        1,
    ))?;
    for e in entries {
        e.check_lengths()?;
        let cleaned = e.neutralised();
        let e = cleaned.as_ref().unwrap_or(e);
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let uid = entry_uid();
        let event = event_code(e);
        let mut values = Vec::with_capacity(ACTIVITY_PARAMS);
        entry_values(
            &mut values,
            uid.hyphenated().encode_lower(&mut buf),
            lead_uid,
            e,
            &event,
            now.utc.timestamp(),
        );
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
    ]);
}

/// The code an entry's event is stored as (most borrow a constant: no allocation in a bulk load).
fn event_code(e: &Entry) -> Option<Cow<'static, str>> {
    e.event.as_ref().map(Event::code)
}

/// A uid for a timeline entry, from this thread's one generator: entries written at the same
/// moment (one transaction, or a fixed clock) then list in the order they were written, by
/// every path that writes them. (Two generators, each starting its count at random bits, put
/// same-millisecond uids in an arbitrary order.)
pub(super) fn entry_uid() -> uuid::Uuid {
    thread_local!(static UIDS: std::cell::RefCell<Uids> = std::cell::RefCell::new(Uids::new()));
    UIDS.with(|u| u.borrow_mut().next())
}

/// UUIDv7s for a bulk load without a system call each (`Uuid::now_v7` asks the OS for random
/// bits every time): the clock's milliseconds, then a 42-bit counter that starts at random bits
/// each millisecond (so they sort in creation order, as `now_v7`'s do), then 32 random bits
/// from a generator seeded once from the OS.
pub(super) struct Uids {
    ms: u64,
    counter: u64,
    state: u64,
}

impl Uids {
    pub(super) fn new() -> Uids {
        // `now_v7` draws its last 62 bits from the OS.
        let seed = uuid::Uuid::now_v7().as_u64_pair();
        Uids {
            ms: 0,
            counter: 0,
            state: seed.0 ^ seed.1,
        }
    }

    /// splitmix64.
    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn next(&mut self) -> uuid::Uuid {
        const COUNTER_MAX: u64 = (1 << 42) - 1;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        if now > self.ms {
            self.ms = now;
            // The top bit clear leaves room to count.
            self.counter = self.random() & (COUNTER_MAX >> 1);
        } else if self.counter == COUNTER_MAX {
            self.ms += 1;
            self.counter = self.random() & (COUNTER_MAX >> 1);
        } else {
            self.counter += 1;
        }
        // The counter fills the 12 bits after the version and the 6 after the variant, then
        // three bytes; random bits the last four.
        let c = self.counter;
        let r = (self.random() as u32).to_be_bytes();
        let bytes = [
            (c >> 38) as u8 & 0x0F,
            (c >> 30) as u8,
            (c >> 24) as u8 & 0x3F,
            (c >> 16) as u8,
            (c >> 8) as u8,
            c as u8,
            r[0],
            r[1],
            r[2],
            r[3],
        ];
        uuid::Builder::from_unix_timestamp_millis(self.ms, &bytes).into_uuid()
    }
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
        })
    }

    /// Queue a new lead and its timeline; returns the lead's number.
    pub(super) fn push(&mut self, change: Change) -> Result<i64> {
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
        self.write_entries(true)
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
                entry_values(&mut values, uid, lead_uid, e, event, self.t);
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
                entry_values(&mut values, uid, lead_uid, e, &event, self.t);
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

impl Store {
    /// Begin a write transaction that takes the write lock at once, so that a busy book makes
    /// us wait (up to the busy timeout) instead of failing half-way.
    pub(super) fn write_tx(&mut self) -> Result<Transaction<'_>> {
        self.prepare_writes()?;
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}
