//! SQLite's session extension behind one small safe module: record what a transaction changes
//! in chosen tables as a changeset, read a changeset back, and apply one with a say on every
//! conflict. The extension is compiled into the bundled SQLite (`SQLITE_ENABLE_SESSION` and
//! `SQLITE_ENABLE_PREUPDATE_HOOK` in `.cargo/config.toml`) and reached through `rusqlite::ffi`,
//! whose prebuilt bindings declare it.
//!
//! Everything unsafe about it is here: a session never outlives its connection (a lifetime), a
//! buffer SQLite allocates is copied out and freed at once, a changeset is read through an
//! iterator that is always finalized, and no panic crosses back into SQLite from a callback.

use rusqlite::Connection;
use rusqlite::ffi;
use rusqlite::types::Value;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What went wrong, as SQLite said it.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Not a changeset, cut short, or damaged.
    #[error("not a changeset, or a damaged one")]
    Corrupt,
    /// Anything else SQLite refused, with its result code.
    #[error("SQLite's session extension failed (code {0}): {1}")]
    Sqlite(c_int, String),
    /// A table name with a NUL in it.
    #[error("a table name cannot hold a NUL")]
    Name,
}

pub type Result<T, E = SessionError> = std::result::Result<T, E>;

fn check(rc: c_int) -> Result<()> {
    match rc {
        ffi::SQLITE_OK => Ok(()),
        rc if rc & 0xff == ffi::SQLITE_CORRUPT => Err(SessionError::Corrupt),
        rc => Err(SessionError::Sqlite(rc, String::new())),
    }
}

/// A recording of the changes made on a connection to the tables it was attached to, from
/// its creation on. Dropping it throws the recording away.
pub struct Session<'c> {
    raw: *mut ffi::sqlite3_session,
    _conn: PhantomData<&'c Connection>,
}

impl<'c> Session<'c> {
    /// Start recording the changes to `tables` of `conn`'s main database.
    pub fn new(conn: &'c Connection, tables: &[&str]) -> Result<Session<'c>> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: the handle is live for 'c, which the session cannot outlive; "main" is a
        // NUL-terminated literal.
        check(unsafe { ffi::sqlite3session_create(conn.handle(), c"main".as_ptr(), &mut raw) })?;
        let session = Session {
            raw,
            _conn: PhantomData,
        };
        for table in tables {
            let name = CString::new(*table).map_err(|_| SessionError::Name)?;
            // SAFETY: `raw` is a live session; SQLite copies the name.
            check(unsafe { ffi::sqlite3session_attach(session.raw, name.as_ptr()) })?;
        }
        Ok(session)
    }

    /// Record (`true`, as it starts) or stop recording for now (`false`).
    pub fn enable(&self, on: bool) {
        // SAFETY: a live session; the call only sets its flag.
        unsafe {
            ffi::sqlite3session_enable(self.raw, on as c_int);
        }
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        // SAFETY: a live session.
        unsafe { ffi::sqlite3session_isempty(self.raw) != 0 }
    }

    /// The changes recorded so far, as a changeset (empty when there are none). For a row
    /// inserted, the changeset holds the row as it stands now; for one updated or deleted, its
    /// old values too.
    pub fn changeset(&self) -> Result<Vec<u8>> {
        self.take(ffi::sqlite3session_changeset)
    }

    /// The changes recorded so far, as a patchset: a changeset without the old values of what
    /// was updated or deleted (only the key says which row). Applying one does the same; it
    /// just cannot tell whether the row still held what it held before, which nothing here
    /// asks. What a purge blanks thus travels without the data it blanked.
    pub fn patchset(&self) -> Result<Vec<u8>> {
        self.take(ffi::sqlite3session_patchset)
    }

    fn take(
        &self,
        get: unsafe extern "C" fn(*mut ffi::sqlite3_session, *mut c_int, *mut *mut c_void) -> c_int,
    ) -> Result<Vec<u8>> {
        let mut n: c_int = 0;
        let mut buf: *mut c_void = std::ptr::null_mut();
        // SAFETY: a live session; on success SQLite hands over `n` bytes at `buf`, which are
        // copied and then freed with sqlite3_free, as its documentation asks.
        unsafe {
            check(get(self.raw, &mut n, &mut buf))?;
            let out = if buf.is_null() || n <= 0 {
                Vec::new()
            } else {
                std::slice::from_raw_parts(buf as *const u8, n as usize).to_vec()
            };
            ffi::sqlite3_free(buf);
            Ok(out)
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // SAFETY: created by sqlite3session_create and deleted once, before the connection
        // closes (the lifetime).
        unsafe { ffi::sqlite3session_delete(self.raw) }
    }
}

/// What a change did to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Insert,
    Update,
    Delete,
}

/// One change of a changeset: the row's values before (updates and deletes; `None` where an
/// update left a column alone) and after (inserts and updates; `None` likewise).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub table: String,
    pub op: Op,
    pub old: Vec<Option<Value>>,
    pub new: Vec<Option<Value>>,
}

/// An iterator over a changeset's bytes, always finalized.
struct Iter<'a> {
    raw: *mut ffi::sqlite3_changeset_iter,
    _bytes: PhantomData<&'a [u8]>,
}

impl<'a> Iter<'a> {
    fn new(changeset: &'a [u8]) -> Result<Iter<'a>> {
        let n = c_int::try_from(changeset.len()).map_err(|_| SessionError::Corrupt)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: SQLite reads (never writes) the `n` bytes, which outlive the iterator ('a).
        check(unsafe {
            ffi::sqlite3changeset_start(&mut raw, n, changeset.as_ptr() as *mut c_void)
        })?;
        Ok(Iter {
            raw,
            _bytes: PhantomData,
        })
    }

    /// Step to the next change: `false` at the end.
    fn next(&mut self) -> Result<bool> {
        // SAFETY: a live iterator.
        match unsafe { ffi::sqlite3changeset_next(self.raw) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => check(rc).and(Err(SessionError::Corrupt)),
        }
    }
}

impl Drop for Iter<'_> {
    fn drop(&mut self) {
        // SAFETY: started once, finalized once.
        unsafe {
            ffi::sqlite3changeset_finalize(self.raw);
        }
    }
}

/// The change the iterator `it` is on.
///
/// # Safety
/// `it` must be a live iterator positioned on a change (by `sqlite3changeset_next`, or handed to
/// a conflict callback).
unsafe fn current(it: *mut ffi::sqlite3_changeset_iter) -> Result<Change> {
    let mut table: *const c_char = std::ptr::null();
    let mut ncol: c_int = 0;
    let mut op: c_int = 0;
    let mut indirect: c_int = 0;
    // SAFETY: the caller's promise; SQLite fills the out-parameters.
    unsafe {
        check(ffi::sqlite3changeset_op(
            it,
            &mut table,
            &mut ncol,
            &mut op,
            &mut indirect,
        ))?;
    }
    if table.is_null() || ncol < 0 {
        return Err(SessionError::Corrupt);
    }
    // SAFETY: SQLite's NUL-terminated name, valid while the iterator is on this change.
    let table = unsafe { CStr::from_ptr(table) }
        .to_str()
        .map_err(|_| SessionError::Corrupt)?
        .to_string();
    let op = match op {
        ffi::SQLITE_INSERT => Op::Insert,
        ffi::SQLITE_UPDATE => Op::Update,
        ffi::SQLITE_DELETE => Op::Delete,
        _ => return Err(SessionError::Corrupt),
    };
    type Getter = unsafe extern "C" fn(
        *mut ffi::sqlite3_changeset_iter,
        c_int,
        *mut *mut ffi::sqlite3_value,
    ) -> c_int;
    let values = |get: Getter| -> Result<Vec<Option<Value>>> {
        (0..ncol)
            .map(|i| {
                let mut v = std::ptr::null_mut();
                // SAFETY: `i` < ncol on a live iterator; the value stays valid until the
                // iterator moves, and is copied out before.
                unsafe {
                    check(get(it, i, &mut v))?;
                    value(v)
                }
            })
            .collect()
    };
    let old = if op == Op::Insert {
        Vec::new()
    } else {
        values(ffi::sqlite3changeset_old)?
    };
    let new = if op == Op::Delete {
        Vec::new()
    } else {
        values(ffi::sqlite3changeset_new)?
    };
    Ok(Change {
        table,
        op,
        old,
        new,
    })
}

/// A copy of `v` (`None` for a null pointer: a column an update left alone).
///
/// # Safety
/// `v` is null or a live value.
unsafe fn value(v: *mut ffi::sqlite3_value) -> Result<Option<Value>> {
    if v.is_null() {
        return Ok(None);
    }
    // SAFETY: a live value; text and blob pointers are read for the length SQLite reports,
    // after asking for the pointer (which may convert it).
    unsafe {
        Ok(Some(match ffi::sqlite3_value_type(v) {
            ffi::SQLITE_NULL => Value::Null,
            ffi::SQLITE_INTEGER => Value::Integer(ffi::sqlite3_value_int64(v)),
            ffi::SQLITE_FLOAT => Value::Real(ffi::sqlite3_value_double(v)),
            ffi::SQLITE_TEXT => {
                let p = ffi::sqlite3_value_text(v);
                let n = ffi::sqlite3_value_bytes(v);
                let bytes = if p.is_null() || n <= 0 {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(p, n as usize)
                };
                Value::Text(
                    std::str::from_utf8(bytes)
                        .map_err(|_| SessionError::Corrupt)?
                        .to_string(),
                )
            }
            ffi::SQLITE_BLOB => {
                let p = ffi::sqlite3_value_blob(v);
                let n = ffi::sqlite3_value_bytes(v);
                Value::Blob(if p.is_null() || n <= 0 {
                    Vec::new()
                } else {
                    std::slice::from_raw_parts(p as *const u8, n as usize).to_vec()
                })
            }
            _ => return Err(SessionError::Corrupt),
        }))
    }
}

/// Every change of `changeset`, in order, or [`SessionError::Corrupt`] if any of it is damaged:
/// reading it all first is how a damaged file is refused whole.
pub fn read(changeset: &[u8]) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    if changeset.is_empty() {
        return Ok(out);
    }
    let mut it = Iter::new(changeset)?;
    while it.next()? {
        // SAFETY: positioned by `next`.
        out.push(unsafe { current(it.raw) }?);
    }
    Ok(out)
}

/// The shape a changeset gives one of its tables: its name, and for each column it carries
/// whether that column is part of the key (so also how many columns it carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub table: String,
    pub key: Vec<bool>,
}

/// Each table of `changeset` with the shape its changes carry, once for each shape met. What
/// apply does not check aloud: a table given more columns than the book's, or other key
/// columns, has its changes skipped with only a line in SQLite's log.
pub fn shapes(changeset: &[u8]) -> Result<Vec<Shape>> {
    let mut out: Vec<Shape> = Vec::new();
    if changeset.is_empty() {
        return Ok(out);
    }
    let mut it = Iter::new(changeset)?;
    while it.next()? {
        let mut table: *const c_char = std::ptr::null();
        let (mut ncol, mut op, mut indirect): (c_int, c_int, c_int) = (0, 0, 0);
        let mut pk: *mut u8 = std::ptr::null_mut();
        let mut npk: c_int = 0;
        // SAFETY: positioned by `next`; SQLite fills the out-parameters, and the name and the
        // key flags stay valid while the iterator is on this change (copied out before it moves).
        let shape = unsafe {
            check(ffi::sqlite3changeset_op(
                it.raw,
                &mut table,
                &mut ncol,
                &mut op,
                &mut indirect,
            ))?;
            check(ffi::sqlite3changeset_pk(it.raw, &mut pk, &mut npk))?;
            if table.is_null() || pk.is_null() || npk < 0 {
                return Err(SessionError::Corrupt);
            }
            Shape {
                table: CStr::from_ptr(table)
                    .to_str()
                    .map_err(|_| SessionError::Corrupt)?
                    .to_string(),
                key: std::slice::from_raw_parts(pk, npk as usize)
                    .iter()
                    .map(|&b| b != 0)
                    .collect(),
            }
        };
        if !out.contains(&shape) {
            out.push(shape);
        }
    }
    Ok(out)
}

/// Why a change could not be applied as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// An update or delete found its row with other values than it expected.
    Data,
    /// An update or delete found no row.
    NotFound,
    /// An insert found a row with its key already there.
    Conflict,
    /// A constraint failed.
    Constraint,
    /// Foreign keys are left broken at the end.
    ForeignKey,
}

/// What to do about a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Leave the book's row as it is and skip the change.
    Omit,
    /// Write the change over the book's row (data and conflict cases only).
    Replace,
    /// Give up: nothing of the changeset is applied.
    Abort,
}

/// A conflict as the handler sees it: the change, and (for data and key conflicts) the row
/// the book holds.
pub struct Clash<'a> {
    pub kind: Conflict,
    pub change: &'a Change,
    pub current: Option<Vec<Value>>,
}

impl Clash<'_> {
    /// Whether the book already holds what the change would make: the same row inserted twice
    /// (a duplicate delivery), an update whose columns already hold its new values (a row a
    /// purge blanked before this copy of the purge came), a delete of a row that is gone.
    pub fn already_so(&self) -> bool {
        match (self.kind, self.change.op, &self.current) {
            (Conflict::Conflict, Op::Insert, Some(row)) => {
                row.len() == self.change.new.len()
                    && row
                        .iter()
                        .zip(&self.change.new)
                        .all(|(have, new)| new.as_ref() == Some(have))
            }
            (Conflict::Data, Op::Update, Some(row)) => row
                .iter()
                .zip(&self.change.new)
                .all(|(have, new)| new.as_ref().is_none_or(|n| n == have)),
            (Conflict::NotFound, Op::Delete, _) => true,
            _ => false,
        }
    }
}

struct Ctx<'a> {
    tables: &'a [&'a str],
    handler: &'a mut dyn FnMut(&Clash) -> Resolution,
    failed: Option<SessionError>,
}

unsafe extern "C" fn filter(ctx: *mut c_void, table: *const c_char) -> c_int {
    // SAFETY: `ctx` is the `Ctx` that `apply` passes, live for the call; the name is SQLite's.
    let ctx = unsafe { &*(ctx as *const Ctx) };
    let name = unsafe { CStr::from_ptr(table) }.to_str().unwrap_or("");
    ctx.tables.contains(&name) as c_int
}

unsafe extern "C" fn on_conflict(
    ctx: *mut c_void,
    kind: c_int,
    it: *mut ffi::sqlite3_changeset_iter,
) -> c_int {
    // SAFETY: `ctx` is the `Ctx` that `apply` passes, live and not otherwise borrowed during
    // the call (the filter, which shares it, is never running at the same time).
    let ctx = unsafe { &mut *(ctx as *mut Ctx) };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Resolution> {
        let kind = match kind {
            ffi::SQLITE_CHANGESET_DATA => Conflict::Data,
            ffi::SQLITE_CHANGESET_NOTFOUND => Conflict::NotFound,
            ffi::SQLITE_CHANGESET_CONFLICT => Conflict::Conflict,
            ffi::SQLITE_CHANGESET_CONSTRAINT => Conflict::Constraint,
            ffi::SQLITE_CHANGESET_FOREIGN_KEY => Conflict::ForeignKey,
            _ => return Ok(Resolution::Abort),
        };
        if kind == Conflict::ForeignKey {
            let change = Change {
                table: String::new(),
                op: Op::Insert,
                old: Vec::new(),
                new: Vec::new(),
            };
            let clash = Clash {
                kind,
                change: &change,
                current: None,
            };
            return Ok((ctx.handler)(&clash));
        }
        // SAFETY: SQLite hands the callback an iterator positioned on the change.
        let change = unsafe { current(it) }?;
        let current = if matches!(kind, Conflict::Data | Conflict::Conflict) {
            let n = change.old.len().max(change.new.len());
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                let mut v = std::ptr::null_mut();
                // SAFETY: the conflicting row's values are readable in these two cases.
                unsafe {
                    check(ffi::sqlite3changeset_conflict(it, i as c_int, &mut v))?;
                    row.push(value(v)?.unwrap_or(Value::Null));
                }
            }
            Some(row)
        } else {
            None
        };
        Ok((ctx.handler)(&Clash {
            kind,
            change: &change,
            current,
        }))
    }));
    let resolution = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            ctx.failed = Some(e);
            Resolution::Abort
        }
        Err(_) => {
            ctx.failed = Some(SessionError::Sqlite(
                ffi::SQLITE_INTERNAL,
                "the conflict handler panicked".into(),
            ));
            Resolution::Abort
        }
    };
    match resolution {
        Resolution::Omit => ffi::SQLITE_CHANGESET_OMIT,
        Resolution::Replace
            if matches!(
                kind,
                ffi::SQLITE_CHANGESET_DATA | ffi::SQLITE_CHANGESET_CONFLICT
            ) =>
        {
            ffi::SQLITE_CHANGESET_REPLACE
        }
        Resolution::Replace => ffi::SQLITE_CHANGESET_OMIT,
        Resolution::Abort => ffi::SQLITE_CHANGESET_ABORT,
    }
}

/// Apply `changeset` to `conn`, only its changes to `tables` (the rest are skipped), asking
/// `handler` about every conflict. All or nothing: if the handler aborts, or SQLite fails,
/// nothing of it is applied and the error is returned.
pub fn apply(
    conn: &Connection,
    changeset: &[u8],
    tables: &[&str],
    handler: &mut dyn FnMut(&Clash) -> Resolution,
) -> Result<()> {
    if changeset.is_empty() {
        return Ok(());
    }
    let n = c_int::try_from(changeset.len()).map_err(|_| SessionError::Corrupt)?;
    let mut ctx = Ctx {
        tables,
        handler,
        failed: None,
    };
    // SAFETY: the handle is live; SQLite only reads the changeset's bytes; `ctx` outlives the
    // call, and both callbacks take it as the `Ctx` it is. No rebase buffer is asked for.
    let rc = unsafe {
        ffi::sqlite3changeset_apply_v2(
            conn.handle(),
            n,
            changeset.as_ptr() as *mut c_void,
            Some(filter),
            Some(on_conflict),
            &mut ctx as *mut Ctx as *mut c_void,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    };
    if let Some(e) = ctx.failed {
        return Err(e);
    }
    check(rc).map_err(|e| match e {
        SessionError::Sqlite(code, _) => {
            // SAFETY: the handle is live; SQLite's message is NUL-terminated and copied here.
            let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(conn.handle())) };
            SessionError::Sqlite(code, msg.to_string_lossy().into_owned())
        }
        e => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE a (uid TEXT PRIMARY KEY NOT NULL, v TEXT, n INTEGER);
             CREATE TABLE b (uid TEXT PRIMARY KEY NOT NULL, w BLOB);
             CREATE TABLE local (k INTEGER PRIMARY KEY, v TEXT);",
        )
        .unwrap();
        c
    }

    fn rows(c: &Connection, t: &str) -> Vec<String> {
        let mut s = c.prepare(&format!("SELECT * FROM {t} ORDER BY 1")).unwrap();
        let n = s.column_count();
        s.query_map([], |r| {
            (0..n)
                .map(|i| Ok(format!("{:?}", r.get::<_, Value>(i)?)))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(|v| v.join(","))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    fn record(c: &Connection, sql: &str) -> Vec<u8> {
        let s = Session::new(c, &["a", "b"]).unwrap();
        c.execute_batch(sql).unwrap();
        s.changeset().unwrap()
    }

    #[test]
    fn a_session_records_only_its_tables_and_applies_on_another_book() {
        let one = book();
        let cs = record(
            &one,
            "INSERT INTO a VALUES ('u1', 'x', 1); INSERT INTO b VALUES ('u2', x'00ff');
             INSERT INTO local VALUES (1, 'mine');",
        );
        let changes = read(&cs).unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].table, "a");
        assert_eq!(changes[0].op, Op::Insert);
        assert_eq!(
            changes[0].new,
            vec![
                Some(Value::Text("u1".into())),
                Some(Value::Text("x".into())),
                Some(Value::Integer(1))
            ]
        );
        assert_eq!(changes[1].new[1], Some(Value::Blob(vec![0, 0xff])));

        let two = book();
        apply(&two, &cs, &["a", "b"], &mut |_| Resolution::Abort).unwrap();
        assert_eq!(rows(&two, "a"), rows(&one, "a"));
        assert_eq!(rows(&two, "b"), rows(&one, "b"));
        assert!(rows(&two, "local").is_empty());
    }

    #[test]
    fn nothing_done_records_nothing() {
        let one = book();
        let s = Session::new(&one, &["a"]).unwrap();
        one.execute_batch("INSERT INTO b VALUES ('u', NULL)")
            .unwrap();
        assert!(s.is_empty());
        assert!(s.changeset().unwrap().is_empty());
        assert!(read(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_duplicate_insert_asks_the_handler_with_the_row_it_met() {
        let one = book();
        let cs = record(&one, "INSERT INTO a VALUES ('u1', 'x', 1)");
        let two = book();
        two.execute_batch("INSERT INTO a VALUES ('u1', 'y', 2)")
            .unwrap();
        let mut seen = Vec::new();
        apply(&two, &cs, &["a"], &mut |c| {
            seen.push((c.kind, c.current.clone()));
            Resolution::Omit
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![(
                Conflict::Conflict,
                Some(vec![
                    Value::Text("u1".into()),
                    Value::Text("y".into()),
                    Value::Integer(2)
                ])
            )]
        );
        assert_eq!(rows(&two, "a"), vec!["Text(\"u1\"),Text(\"y\"),Integer(2)"]);
        // Replace takes the incoming row.
        apply(&two, &cs, &["a"], &mut |_| Resolution::Replace).unwrap();
        assert_eq!(rows(&two, "a"), rows(&one, "a"));
    }

    /// What a book already holds is told apart from a real clash: the same insert twice, an
    /// update already made, a delete of a row that is gone.
    #[test]
    fn a_change_the_book_already_holds_is_told_apart() {
        let one = book();
        let insert = record(&one, "INSERT INTO a VALUES ('u1', 'x', 1)");
        let update = record(&one, "UPDATE a SET v = NULL WHERE uid = 'u1'");
        let two = book();
        let mut seen = Vec::new();
        let mut ask = |c: &Clash| {
            seen.push((c.kind, c.already_so()));
            Resolution::Omit
        };
        two.execute_batch("INSERT INTO a VALUES ('u1', 'x', 1)")
            .unwrap();
        apply(&two, &insert, &["a"], &mut ask).unwrap();
        two.execute_batch("UPDATE a SET n = 5").unwrap();
        apply(&two, &insert, &["a"], &mut ask).unwrap();
        two.execute_batch("UPDATE a SET v = NULL").unwrap();
        apply(&two, &update, &["a"], &mut ask).unwrap();
        two.execute_batch("UPDATE a SET v = 'other'").unwrap();
        apply(&two, &update, &["a"], &mut ask).unwrap();
        assert_eq!(
            seen,
            vec![
                (Conflict::Conflict, true),
                (Conflict::Conflict, false),
                (Conflict::Data, true),
                (Conflict::Data, false),
            ]
        );
    }

    #[test]
    fn an_abort_applies_nothing_of_the_changeset() {
        let one = book();
        let cs = record(
            &one,
            "INSERT INTO a VALUES ('u0', 'new', 0); INSERT INTO a VALUES ('u1', 'x', 1)",
        );
        let two = book();
        two.execute_batch("INSERT INTO a VALUES ('u1', 'y', 2)")
            .unwrap();
        let before = rows(&two, "a");
        assert!(apply(&two, &cs, &["a"], &mut |_| Resolution::Abort).is_err());
        assert_eq!(rows(&two, "a"), before);
    }

    #[test]
    fn a_panicking_handler_aborts_without_unwinding_into_sqlite() {
        let one = book();
        let cs = record(&one, "INSERT INTO a VALUES ('u1', 'x', 1)");
        let two = book();
        two.execute_batch("INSERT INTO a VALUES ('u1', 'y', 2)")
            .unwrap();
        let r = apply(&two, &cs, &["a"], &mut |_| panic!("no"));
        assert!(r.is_err());
        assert_eq!(rows(&two, "a").len(), 1);
    }

    #[test]
    fn updates_and_deletes_carry_what_they_changed() {
        let one = book();
        one.execute_batch(
            "INSERT INTO a VALUES ('u1', 'x', 1); INSERT INTO a VALUES ('u2', 'z', 3)",
        )
        .unwrap();
        let cs = record(
            &one,
            "UPDATE a SET v = 'blank' WHERE uid = 'u1'; DELETE FROM a WHERE uid = 'u2'",
        );
        let changes = read(&cs).unwrap();
        let update = changes.iter().find(|c| c.op == Op::Update).unwrap();
        assert_eq!(update.old[1], Some(Value::Text("x".into())));
        assert_eq!(update.new[1], Some(Value::Text("blank".into())));
        assert_eq!(update.new[2], None, "a column left alone");
        assert!(changes.iter().any(|c| c.op == Op::Delete));
        // On a book without the rows: not found, asked once for each.
        let two = book();
        let mut kinds = Vec::new();
        apply(&two, &cs, &["a"], &mut |c| {
            kinds.push(c.kind);
            Resolution::Omit
        })
        .unwrap();
        assert_eq!(kinds, vec![Conflict::NotFound, Conflict::NotFound]);
    }

    /// A changeset cut short reads as an error, or (cut between two changes, which its format
    /// cannot tell) as the changes before the cut: never as anything else, never a panic. A
    /// sync file's header carries the length and a checksum for that reason.
    #[test]
    fn a_damaged_changeset_is_refused_and_never_panics() {
        let one = book();
        let cs = record(
            &one,
            "INSERT INTO a VALUES ('u1', 'x', 1); INSERT INTO a VALUES ('u2', 'y', 2)",
        );
        let whole = read(&cs).unwrap();
        let mut refused = 0;
        for cut in 1..cs.len() {
            match read(&cs[..cut]) {
                Err(_) => refused += 1,
                Ok(part) => assert!(
                    part.len() < whole.len() && whole.starts_with(&part),
                    "cut at {cut} read as {part:?}"
                ),
            }
        }
        assert!(
            refused > cs.len() / 2,
            "{refused} of {} cuts refused",
            cs.len()
        );
        assert!(read(b"not a changeset at all").is_err());
        let mut flipped = cs.clone();
        flipped[0] = b'Z';
        assert!(read(&flipped).is_err());
        let two = book();
        assert!(apply(&two, &cs[..cs.len() - 3], &["a"], &mut |_| Resolution::Omit).is_err());
        assert!(rows(&two, "a").is_empty());
    }

    #[test]
    fn a_changeset_says_each_tables_columns_and_key() {
        let one = book();
        let cs = record(
            &one,
            "INSERT INTO a VALUES ('u1', 'x', 1); INSERT INTO b VALUES ('u2', NULL);
             INSERT INTO a VALUES ('u3', 'y', 2)",
        );
        assert_eq!(
            shapes(&cs).unwrap(),
            vec![
                Shape {
                    table: "a".into(),
                    key: vec![true, false, false]
                },
                Shape {
                    table: "b".into(),
                    key: vec![true, false]
                },
            ]
        );
        assert!(shapes(&[]).unwrap().is_empty());
        assert!(shapes(b"not a changeset").is_err());
    }

    #[test]
    fn tables_outside_the_list_are_skipped_on_apply() {
        let one = book();
        let cs = record(
            &one,
            "INSERT INTO a VALUES ('u1', 'x', 1); INSERT INTO b VALUES ('u2', NULL)",
        );
        let two = book();
        apply(&two, &cs, &["b"], &mut |_| Resolution::Abort).unwrap();
        assert!(rows(&two, "a").is_empty());
        assert_eq!(rows(&two, "b").len(), 1);
    }
}
