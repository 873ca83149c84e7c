//! Reading and writing leads and their timelines. Every change to a lead's fields goes through
//! [`write_lead`], so that recording changes for sync later happens in one place.

use chrono::{DateTime, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, Statement, Transaction, TransactionBehavior, ffi, params};

use super::queue::{Filter, View};
use super::sources::book_spelling;
use super::{Result, Store, StoreError};
use crate::domain::lifecycle::{self, Change, Entry};
use crate::domain::priority::Touches;
use crate::domain::{Activity, ActivityKind, DomainError, Lead, Now, Status};

/// A lead as a view shows it: its short number, its facts, and what its timeline says.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    pub number: i64,
    pub lead: Lead,
    pub touches: Touches,
}

/// How [`Store::resolve_with`] reads words.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// Look in the trash before the live leads (to take a lead back out of it).
    pub trash_first: bool,
    /// A lead that is not the one meant (the lead a merge form merges away).
    pub except: Option<&'a str>,
}

/// What a user gives for a new lead; the rest is filled from the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLead {
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub source: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub value_cents: Option<i64>,
    pub received_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub extra: Option<String>,
}

/// Columns of `leads`, in the order [`lead_from_row`] reads them (after `number`).
pub(super) const LEAD_COLUMNS: &str = "l.uid, l.name, l.company, l.title, l.email, l.phone, \
    l.website, l.city, l.country, l.source, l.owner, l.tags, l.notes, l.extra, l.external_id, \
    l.status, l.class, l.stage, l.value_cents, l.received_at, l.next_follow_up, l.ripe_on, \
    l.closed_at, l.reason, l.reason_note, l.recycle_on, l.recycle_count, l.deleted_at, \
    l.currency, l.currency_cents";

/// The select list of a [`LeadRow`]: number, lead columns, then the two timeline facts, both
/// from one row of the cached `touches` (the second seek finds its page in the cache).
pub(super) fn row_select() -> String {
    format!(
        "n.number, {LEAD_COLUMNS}, \
         (SELECT t.last_contact FROM touches t WHERE t.lead_uid = l.uid), \
         (SELECT t.last_activity FROM touches t WHERE t.lead_uid = l.uid)"
    )
}

fn ts(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn parse_col<T: std::str::FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unexpected value {s:?}").into(),
        )
    })
}

pub(super) fn parse_opt<T: std::str::FromStr>(
    row: &Row,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(idx)?;
    match s {
        None => Ok(None),
        Some(_) => parse_col(row, idx).map(Some),
    }
}

/// Read a [`LeadRow`] from a row selected with [`row_select`].
pub(super) fn lead_row(row: &Row) -> rusqlite::Result<LeadRow> {
    let number: i64 = row.get(0)?;
    let lead = lead_from_row(row, 1)?;
    let touches = Touches {
        last_contact_at: ts(row.get(31)?),
        last_activity_at: ts(row.get(32)?),
    };
    Ok(LeadRow {
        number,
        lead,
        touches,
    })
}

pub(super) fn lead_from_row(row: &Row, o: usize) -> rusqlite::Result<Lead> {
    let tags: String = row.get(o + 11)?;
    Ok(Lead {
        uid: row.get(o)?,
        name: row.get(o + 1)?,
        company: row.get(o + 2)?,
        title: row.get(o + 3)?,
        email: row.get(o + 4)?,
        phone: row.get(o + 5)?,
        website: row.get(o + 6)?,
        city: row.get(o + 7)?,
        country: row.get(o + 8)?,
        source: row.get(o + 9)?,
        owner: row.get(o + 10)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        notes: row.get(o + 12)?,
        extra: row.get(o + 13)?,
        external_id: row.get(o + 14)?,
        status: parse_col(row, o + 15)?,
        class: parse_opt(row, o + 16)?,
        stage: parse_opt(row, o + 17)?,
        // In another currency than the book's, the value is in `currency_cents` (schema 4).
        value_cents: row
            .get::<_, Option<i64>>(o + 18)?
            .or(row.get::<_, Option<i64>>(o + 29)?),
        received_at: ts(Some(row.get(o + 19)?)).unwrap_or_default(),
        next_follow_up: ts(row.get(o + 20)?),
        ripe_on: ts(row.get(o + 21)?),
        closed_at: ts(row.get(o + 22)?),
        reason: row.get(o + 23)?,
        reason_note: row.get(o + 24)?,
        recycle_on: ts(row.get(o + 25)?),
        recycle_count: row.get(o + 26)?,
        deleted_at: ts(row.get(o + 27)?),
        currency: row.get(o + 28)?,
    })
}

/// Columns an INSERT of a lead names, in the order [`bind_lead`] binds them.
const INSERT_COLUMNS: &str = "uid, name, company, title, email, phone, website, city, country, \
    source, owner, tags, notes, extra, external_id, status, class, stage, value_cents, \
    received_at, next_follow_up, ripe_on, closed_at, reason, reason_note, recycle_on, \
    recycle_count, deleted_at, currency, currency_cents, created_at, updated_at";

/// Parameters [`bind_lead`] binds for one lead.
const LEAD_PARAMS: usize = 32;

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

/// A value to bind, borrowed from where it lies.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(n)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A lead's tags as the book stores them.
fn tags_json(lead: &Lead) -> std::borrow::Cow<'static, str> {
    if lead.tags.is_empty() {
        "[]".into()
    } else {
        serde_json::to_string(&lead.tags)
            .unwrap_or_else(|_| "[]".into())
            .into()
    }
}

/// A lead's [`INSERT_COLUMNS`] values, appended to `out`; `tags` is [`tags_json`]'s, `t` its
/// created/updated time.
fn lead_values<'a>(out: &mut Vec<Val<'a>>, lead: &'a Lead, tags: &'a str, t: i64) {
    let text = |s: &'a Option<String>| s.as_deref().map_or(Val::Null, Val::Text);
    let word = |s: Option<&'static str>| s.map_or(Val::Null, Val::Text);
    let int = |n: Option<i64>| n.map_or(Val::Null, Val::Int);
    let ts = |d: Option<DateTime<Utc>>| int(d.map(|d| d.timestamp()));
    out.extend([
        Val::Text(&lead.uid),
        Val::Text(&lead.name),
        text(&lead.company),
        text(&lead.title),
        text(&lead.email),
        text(&lead.phone),
        text(&lead.website),
        text(&lead.city),
        text(&lead.country),
        text(&lead.source),
        Val::Text(&lead.owner),
        Val::Text(tags),
        text(&lead.notes),
        text(&lead.extra),
        text(&lead.external_id),
        Val::Text(lead.status.as_str()),
        word(lead.class.map(|c| c.as_str())),
        word(lead.stage.map(|s| s.as_str())),
        int(lead.home_cents()),
        Val::Int(lead.received_at.timestamp()),
        ts(lead.next_follow_up),
        ts(lead.ripe_on),
        ts(lead.closed_at),
        text(&lead.reason),
        text(&lead.reason_note),
        ts(lead.recycle_on),
        Val::Int(lead.recycle_count),
        ts(lead.deleted_at),
        text(&lead.currency),
        int(lead.currency_cents()),
        Val::Int(t),
        Val::Int(t),
    ]);
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
        let tags = serde_json::to_string(&after.tags).unwrap_or_else(|_| "[]".into());
        tx.prepare_cached(
            "UPDATE leads SET name = ?2, company = ?3, title = ?4, email = ?5, phone = ?6, \
             website = ?7, city = ?8, country = ?9, source = ?10, owner = ?11, tags = ?12, \
             notes = ?13, extra = ?14, external_id = ?15, status = ?16, class = ?17, stage = ?18, \
             value_cents = ?19, received_at = ?20, next_follow_up = ?21, ripe_on = ?22, \
             closed_at = ?23, reason = ?24, reason_note = ?25, recycle_on = ?26, \
             recycle_count = ?27, deleted_at = ?28, updated_at = ?29, currency = ?30, \
             currency_cents = ?31 WHERE uid = ?1",
        )?
        .execute(params![
            after.uid,
            after.name,
            after.company,
            after.title,
            after.email,
            after.phone,
            after.website,
            after.city,
            after.country,
            after.source,
            after.owner,
            tags,
            after.notes,
            after.extra,
            after.external_id,
            after.status.as_str(),
            after.class.map(|c| c.as_str()),
            after.stage.map(|s| s.as_str()),
            after.home_cents(),
            after.received_at.timestamp(),
            after.next_follow_up.map(|d| d.timestamp()),
            after.ripe_on.map(|d| d.timestamp()),
            after.closed_at.map(|d| d.timestamp()),
            after.reason,
            after.reason_note,
            after.recycle_on.map(|d| d.timestamp()),
            after.recycle_count,
            after.deleted_at.map(|d| d.timestamp()),
            t,
            after.currency,
            after.currency_cents(),
        ])?;
    }
    Ok(())
}

const ACTIVITY_COLUMNS: &str = "uid, lead_uid, at, kind, outcome, note, created_at";
const ACTIVITY_PARAMS: usize = 7;

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
        let mut values = Vec::with_capacity(ACTIVITY_PARAMS);
        entry_values(
            &mut values,
            uid.hyphenated().encode_lower(&mut buf),
            lead_uid,
            e,
            now.utc.timestamp(),
        );
        bind_all(&mut stmt, &values)?;
        stmt.raw_execute()?;
    }
    Ok(())
}

/// An activity's [`ACTIVITY_COLUMNS`] values, appended to `out`.
fn entry_values<'a>(out: &mut Vec<Val<'a>>, uid: &'a str, lead_uid: &'a str, e: &'a Entry, t: i64) {
    out.extend([
        Val::Text(uid),
        Val::Text(lead_uid),
        Val::Int(e.at.timestamp()),
        Val::Text(e.kind.as_str()),
        e.outcome.as_deref().map_or(Val::Null, Val::Text),
        e.note.as_deref().map_or(Val::Null, Val::Text),
        Val::Int(t),
    ]);
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
            let mut values = Vec::with_capacity(ACTIVITY_BATCH * ACTIVITY_PARAMS);
            for ((uid, lead_uid, e), buf) in chunk.iter().zip(bufs.iter_mut()) {
                let uid = uid.hyphenated().encode_lower(buf);
                entry_values(&mut values, uid, lead_uid, e, self.t);
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
                let mut values = Vec::with_capacity(ACTIVITY_PARAMS);
                let uid = uid.hyphenated().encode_lower(&mut bufs[0]);
                entry_values(&mut values, uid, lead_uid, e, self.t);
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

pub(super) fn load_lead(tx: &Transaction, uid: &str) -> Result<Lead> {
    tx.prepare_cached(&format!(
        "SELECT {LEAD_COLUMNS} FROM leads l WHERE l.uid = ?1"
    ))?
    .query_row([uid], |r| lead_from_row(r, 0))
    .optional()?
    .ok_or_else(|| StoreError::NotFound(uid.to_string()))
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

    /// Build the lead a [`NewLead`] describes, not yet saved.
    pub fn draft(&self, new: NewLead, now: &Now) -> Result<Lead> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(DomainError::Invalid("a lead needs a name".into()).into());
        }
        if let Some(problem) = new
            .email
            .as_deref()
            .and_then(crate::domain::lead::email_problem)
        {
            return Err(DomainError::Invalid(problem).into());
        }
        let owner = new
            .owner
            .filter(|o| !o.trim().is_empty())
            .unwrap_or_else(|| self.plan.user.clone());
        let mut lead = Lead::received(
            uuid::Uuid::now_v7().to_string(),
            name.to_string(),
            owner,
            new.received_at.unwrap_or(now.utc),
        );
        lead.company = new.company;
        lead.title = new.title;
        lead.email = new.email;
        lead.phone = new.phone;
        lead.website = new.website;
        lead.city = new.city;
        lead.country = new.country;
        lead.source = new.source;
        lead.tags = new.tags;
        lead.notes = new.notes;
        lead.value_cents = new.value_cents;
        lead.external_id = new.external_id;
        lead.extra = new.extra;
        Ok(lead)
    }

    /// Add a lead as received; returns its number and uid.
    pub fn add_lead(&mut self, new: NewLead, now: &Now) -> Result<(i64, String)> {
        let mut lead = self.draft(new, now)?;
        let plan = self.plan.clone();
        let tx = self.write_tx()?;
        if let Some(s) = &lead.source {
            lead.source = Some(book_spelling(&tx, s)?);
        }
        let change = lifecycle::receive(lead, &plan, now);
        write_lead(&tx, None, &change.lead, now)?;
        write_entries(&tx, &change.lead.uid, &change.entries, now)?;
        let number = number_of(&tx, &change.lead.uid)?;
        tx.commit()?;
        Ok((number, change.lead.uid))
    }

    /// Save new leads with their timelines, all in one transaction: they land whole or not at
    /// all. Takes an iterator so that a million leads need not sit in memory at once.
    pub fn insert_changes<I>(&mut self, changes: I, now: &Now) -> Result<usize>
    where
        I: IntoIterator<Item = Change>,
    {
        // Room for the indexes' pages as rows land all over them; then back to what it was.
        let before: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.cache_kib(super::BULK_CACHE_KIB)?;
        let n = self.insert_changes_in_tx(changes, now);
        self.conn.pragma_update(None, "cache_size", before)?;
        n
    }

    fn insert_changes_in_tx<I>(&mut self, changes: I, now: &Now) -> Result<usize>
    where
        I: IntoIterator<Item = Change>,
    {
        let zone = self.month_zone;
        let tx = self.write_tx()?;
        // The cached counts and contacts are rebuilt once at the end, not row by row.
        super::drop_for_bulk(&tx, true)?;
        let mut n = 0;
        for c in changes {
            write_lead(&tx, None, &c.lead, now)?;
            write_entries(&tx, &c.lead.uid, &c.entries, now)?;
            n += 1;
        }
        super::rebuild_after_bulk(&tx, zone)?;
        tx.commit()?;
        Ok(n)
    }

    /// Find a lead by its number, a unique prefix of its uid, or words that match it alone
    /// ([`Store::resolve_words`]): among the live leads, then the trash.
    pub fn resolve(&self, reference: &str) -> Result<String> {
        self.resolve_with(reference, Lookup::default())
    }

    /// [`Store::resolve`], with words read as `how` says.
    pub fn resolve_with(&self, reference: &str, how: Lookup<'_>) -> Result<String> {
        let words: Vec<&str> = reference.split_whitespace().collect();
        let number = |w: &&str| w.trim_start_matches('#').parse::<i64>().is_ok();
        if words.len() > 1 && words.iter().all(number) {
            return Err(DomainError::Invalid(format!(
                "\"{}\" names {} leads; give one at a time",
                reference.trim(),
                words.len()
            ))
            .into());
        }
        let r = reference.trim().trim_start_matches('#');
        if let Ok(n) = r.parse::<i64>() {
            let uid: Option<String> = self
                .conn
                .prepare_cached("SELECT lead_uid FROM lead_numbers WHERE number = ?1")?
                .query_row([n], |row| row.get(0))
                .optional()?;
            if let Some(uid) = uid {
                return Ok(uid);
            }
        }
        if r.is_empty() {
            return Err(DomainError::Invalid("no lead given".into()).into());
        }
        let hex_ok = r.len() >= 4 && r.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if hex_ok {
            let prefix = r.to_ascii_lowercase();
            let mut stmt = self.conn.prepare_cached(
                "SELECT uid FROM leads WHERE uid >= ?1 AND uid < ?1 || 'g' LIMIT 2",
            )?;
            let found: Vec<String> = stmt
                .query_map([&prefix], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            match found.len() {
                0 => {}
                1 => return Ok(found.into_iter().next().unwrap_or_default()),
                _ => return Err(StoreError::Ambiguous(r.to_string())),
            }
        }
        // Only words with a letter in them name a lead by words. A number (`12`, `12.`, one
        // too long for a number) names a lead by its number only: a typo in a script's number
        // must not fall through to a lead with those digits in its e-mail; and text with no
        // word at all (`?`) would match every lead.
        let words = super::search::words(r);
        if words.iter().all(|w| w.chars().all(|c| c.is_ascii_digit())) {
            return Err(StoreError::NotFound(r.to_string()));
        }
        self.resolve_words(r, how)
    }

    /// The one lead whose name, company, e-mail, tags or loss reason the words start (as the
    /// filter reads them), among the live leads, then in the trash (the other way round with
    /// `how.trash_first`), never `how.except`. More than one is an error that names the first
    /// few, with their numbers.
    fn resolve_words(&self, words: &str, how: Lookup<'_>) -> Result<String> {
        const SHOWN: usize = 5;
        let filter = Filter {
            text: Some(words.to_string()),
            ..Filter::default()
        };
        let views = if how.trash_first {
            [View::Trash, View::All]
        } else {
            [View::All, View::Trash]
        };
        for view in views {
            let mut found = self.list(&view, &filter, 0, SHOWN + 2)?;
            found.retain(|r| Some(r.lead.uid.as_str()) != how.except);
            found.truncate(SHOWN + 1);
            match found.as_slice() {
                [] => continue,
                [one] => return Ok(one.lead.uid.clone()),
                many => {
                    let mut shown: Vec<&LeadRow> = many.iter().take(SHOWN).collect();
                    shown.sort_by_key(|r| r.number);
                    let mut names: Vec<String> = shown
                        .iter()
                        .map(|r| format!("#{} {}", r.number, r.lead.display_name()))
                        .collect();
                    if many.len() > SHOWN {
                        names.push("…".into());
                    }
                    return Err(StoreError::Matches {
                        words: words.to_string(),
                        leads: names.join(", "),
                    });
                }
            }
        }
        Err(StoreError::NotFound(words.to_string()))
    }

    /// One lead with its number and timeline facts.
    pub fn lead(&self, uid: &str) -> Result<LeadRow> {
        let sql = format!(
            "SELECT {} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid WHERE l.uid = ?1",
            row_select()
        );
        self.conn
            .prepare_cached(&sql)?
            .query_row([uid], lead_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(uid.to_string()))
    }

    /// A lead's timeline, newest first.
    pub fn timeline(&self, uid: &str, limit: usize) -> Result<Vec<Activity>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, lead_uid, at, kind, outcome, note FROM activities \
             WHERE lead_uid = ?1 ORDER BY at DESC, uid DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![uid, limit as i64], |r| {
            Ok(Activity {
                uid: r.get(0)?,
                lead_uid: r.get(1)?,
                at: ts(Some(r.get(2)?)).unwrap_or_default(),
                kind: parse_col::<ActivityKind>(r, 3)?,
                outcome: r.get(4)?,
                note: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Apply a domain transition to one lead in one transaction: read it, let `f` decide, write
    /// the changed fields and the new timeline entries. Returns the lead as it now is.
    pub fn apply<F>(&mut self, uid: &str, now: &Now, f: F) -> Result<LeadRow>
    where
        F: FnOnce(&Lead, &crate::domain::Plan) -> Result<Change, DomainError>,
    {
        let plan = self.plan.clone();
        let tx = self.write_tx()?;
        let before = load_lead(&tx, uid)?;
        if purged(&tx, uid)? {
            return Err(DomainError::NotAllowed(format!(
                "#{} was purged from the trash: only its tombstone is left",
                number_of(&tx, uid)?
            ))
            .into());
        }
        let mut change = f(&before, &plan)?;
        lifecycle::check_trash(&before, &change.lead)?;
        // A new source is spelled as the book spells it; the same one retyped (its case
        // mended) is kept as typed.
        let key = |s: &Option<String>| s.as_deref().map(crate::domain::lead::source_key);
        if key(&change.lead.source) != key(&before.source)
            && let Some(s) = &change.lead.source
        {
            change.lead.source = Some(book_spelling(&tx, s)?);
        }
        write_lead(&tx, Some(&before), &change.lead, now)?;
        write_entries(&tx, uid, &change.entries, now)?;
        tx.commit()?;
        self.lead(uid)
    }

    /// Merge the lead `gone` into the lead `kept` in one transaction (see
    /// [`crate::domain::merge::merge_by_hand`]): `kept` takes what `gone` adds and a copy of its
    /// timeline; `gone` goes to the trash with its own timeline whole (timelines only grow, on
    /// every laptop the book is shared with). Returns `kept` as it now is.
    pub fn merge(&mut self, gone: &str, kept: &str, now: &Now) -> Result<LeadRow> {
        let tx = self.write_tx()?;
        let kept_before = load_lead(&tx, kept)?;
        let gone_before = load_lead(&tx, gone)?;
        let (k, g) = crate::domain::merge::merge_by_hand(&kept_before, &gone_before, now)?;
        // The copy first, oldest first (new uids keep the order of entries at the same moment),
        // so that the entries below come after it.
        let copies = {
            let mut stmt = tx.prepare_cached(
                "SELECT at, kind, outcome, note FROM activities WHERE lead_uid = ?1 \
                 ORDER BY at, uid",
            )?;
            let rows = stmt.query_map([gone], |r| {
                Ok(Entry {
                    at: ts(Some(r.get(0)?)).unwrap_or_default(),
                    kind: parse_col::<ActivityKind>(r, 1)?,
                    outcome: r.get(2)?,
                    note: r.get(3)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let took_state = k.lead.status != kept_before.status;
        let copies = crate::domain::merge::copied_timeline(copies, took_state);
        write_entries(&tx, kept, &copies, now)?;
        write_lead(&tx, Some(&kept_before), &k.lead, now)?;
        write_entries(&tx, kept, &k.entries, now)?;
        write_lead(&tx, Some(&gone_before), &g.lead, now)?;
        write_entries(&tx, gone, &g.entries, now)?;
        tx.commit()?;
        self.lead(kept)
    }

    /// Another lead (not in the trash) that `lead` looks like a duplicate of, as an import
    /// would match it: the same e-mail (any case), else the same name and company. Its number,
    /// its [`Lead::display_name`] and why. Both are look-ups, not scans: the e-mail index, the
    /// word index.
    pub fn duplicate_of(&self, lead: &Lead) -> Result<Option<(i64, String, &'static str)>> {
        let found = |r: &Row| -> rusqlite::Result<(i64, String)> {
            Ok((r.get(0)?, lead_from_row(r, 1)?.display_name()))
        };
        if let Some(email) = lead.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let by_email = self
                .conn
                .prepare_cached(&format!(
                    "SELECT n.number, {LEAD_COLUMNS} FROM leads l \
                     JOIN lead_numbers n ON n.lead_uid = l.uid \
                     WHERE lower(l.email) = lower(?1) AND l.email IS NOT NULL \
                     AND l.deleted_at IS NULL AND l.uid <> ?2 ORDER BY l.created_at LIMIT 1"
                ))?
                .query_row([email.trim(), &lead.uid], found)
                .optional()?;
            if let Some((n, name)) = by_email {
                return Ok(Some((n, name, "same e-mail")));
            }
        }
        let Some(company) = lead.company.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Ok(None);
        };
        let Some(expr) = super::search::exact_expr(&format!("{} {company}", lead.name)) else {
            return Ok(None);
        };
        // The same words, as the filter reads them (case and accents aside): "Soren Muller"
        // typed again is Søren Müller. A warning and an offer to merge, never a merge by
        // itself, so the looser match costs nothing if it is wrong.
        let same = super::search::same_words;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT n.number, {LEAD_COLUMNS} FROM leads_search s \
             JOIN leads l ON l.rowid = s.rowid \
             JOIN lead_numbers n ON n.lead_uid = l.uid \
             WHERE leads_search MATCH ?1 AND l.deleted_at IS NULL \
             AND l.uid <> ?2 ORDER BY l.created_at LIMIT 1000"
        ))?;
        let rows = stmt.query_map([&expr, &lead.uid], |r| {
            Ok((r.get::<_, i64>(0)?, lead_from_row(r, 1)?))
        });
        // A word the index cannot look up as one (its tokenizer splits what the filter reads
        // as one word) fails the query: no duplicate found that way, not an error.
        let Ok(rows) = rows else {
            return Ok(None);
        };
        for row in rows {
            let Ok((n, other)) = row else {
                return Ok(None);
            };
            let same_firm = other.company.as_deref().is_some_and(|c| same(c, company));
            if same_firm && same(&other.name, &lead.name) {
                return Ok(Some((n, other.display_name(), "same name and company")));
            }
        }
        Ok(None)
    }

    /// Purge the personal data of every lead in the trash, keeping each row as a tombstone (a
    /// shared book never deletes rows). Returns how many were purged.
    pub fn empty_trash(&mut self, now: &Now) -> Result<usize> {
        let tx = self.write_tx()?;
        let t = now.utc.timestamp();
        tx.execute(
            "UPDATE activities SET note = NULL, outcome = NULL WHERE lead_uid IN \
             (SELECT uid FROM leads WHERE deleted_at IS NOT NULL AND purged_at IS NULL)",
            [],
        )?;
        let n = tx.execute(
            "UPDATE leads SET name = '(purged)', company = NULL, title = NULL, email = NULL, \
             phone = NULL, website = NULL, city = NULL, country = NULL, notes = NULL, \
             extra = NULL, external_id = NULL, tags = '[]', reason_note = NULL, \
             purged_at = ?1, updated_at = ?1 \
             WHERE deleted_at IS NOT NULL AND purged_at IS NULL",
            [t],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Whether a lead with this e-mail (any case) exists; its uid and status if so.
    pub fn find_by_email(&self, email: &str) -> Result<Option<(String, Status)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT uid, status FROM leads WHERE lower(email) = lower(?1) \
                 AND email IS NOT NULL AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
            )?
            .query_row([email.trim()], |r| Ok((r.get(0)?, parse_col(r, 1)?)))
            .optional()?)
    }
}

/// Whether the trash was emptied of this lead: a tombstone, whose data is gone for good.
fn purged(tx: &Transaction, uid: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT purged_at IS NOT NULL FROM leads WHERE uid = ?1")?
        .query_row([uid], |r| r.get(0))?)
}

fn number_of(tx: &Transaction, uid: &str) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT number FROM lead_numbers WHERE lead_uid = ?1")?
        .query_row([uid], |r| r.get(0))?)
}
