//! The outbox: what this laptop changed in the shared tables, write transaction by write
//! transaction, as [`super::write::WriteTx`] left it. Read back as changesets, in order.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::session::Session;
use super::{Result, Store, schema};

/// The rows a bulk load inserted into one shared table: rowids `first..=last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Rows {
    pub table: String,
    pub first: i64,
    pub last: i64,
}

/// Where a table's rows go in what is sent: the log first, the timelines last.
pub(super) fn send_order(table: &str) -> u8 {
    match table {
        "lead_changes" => 0,
        "source_costs" => 1,
        _ => 2,
    }
}

/// How many rows of a bulk load go into one changeset.
pub const SLICE: i64 = 20_000;

impl Store {
    /// Every changeset of the outbox after entry `after`, in order, each with its entry's
    /// number: a bulk load's rows as changesets of at most [`SLICE`] rows, made by a session
    /// recording them as they are copied into an empty scratch table of the same shape (rows a
    /// purge has blanked since go blank).
    pub fn outbox_changesets(
        &self,
        after: i64,
        each: &mut dyn FnMut(i64, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, changeset, rows FROM outbox WHERE seq > ?1 ORDER BY seq")?;
        let mut rows = stmt.query([after])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            if let Some(cs) = r.get::<_, Option<Vec<u8>>>(1)? {
                each(seq, &cs)?;
                continue;
            }
            let ranges: Vec<Rows> = serde_json::from_str(&r.get::<_, String>(2)?)
                .map_err(|e| super::StoreError::Sync(format!("outbox entry {seq}: {e}")))?;
            for range in ranges {
                self.slices(&range, &mut |cs| each(seq, cs))?;
            }
        }
        Ok(())
    }

    /// The whole of the shared tables as this book holds them now (a purged lead already
    /// blank), as changesets of at most [`SLICE`] inserts each, the log first: a snapshot.
    pub fn snapshot_changesets(&self, each: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut tables = schema::SHARED_TABLES;
        tables.sort_by_key(|t| send_order(t));
        for table in tables {
            let last: i64 = self.conn.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?;
            let range = Rows {
                table: table.to_string(),
                first: 1,
                last,
            };
            self.slices(&range, each)?;
        }
        Ok(())
    }

    /// The rows of `range` as changesets of at most [`SLICE`] inserts each.
    fn slices(&self, range: &Rows, each: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let table = schema::SHARED_TABLES
            .iter()
            .find(|t| **t == range.table)
            .ok_or_else(|| {
                super::StoreError::Sync(format!(
                    "the outbox names a table that is not shared: {}",
                    range.table
                ))
            })?;
        let sql: String = self.conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )?;
        let mut first = range.first;
        while first <= range.last {
            let last = (first + SLICE - 1).min(range.last);
            // A fresh scratch book for each slice: the session records only its inserts.
            let scratch = Connection::open_in_memory()?;
            scratch.execute_batch("PRAGMA foreign_keys = OFF")?;
            scratch.execute_batch(&sql)?;
            scratch.execute("ATTACH ?1 AS book", [self.path.to_string_lossy()])?;
            let session = Session::new(&scratch, &[table])?;
            scratch.execute(
                &format!(
                    "INSERT INTO main.{table} SELECT * FROM book.{table} \
                     WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid"
                ),
                [first, last],
            )?;
            let cs = session.changeset()?;
            drop(session);
            if !cs.is_empty() {
                each(&cs)?;
            }
            first = last + 1;
        }
        Ok(())
    }
}
