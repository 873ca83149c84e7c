//! Taking in another laptop's changes (the changesets of one sync file) and keeping account of
//! what was sent and taken in. The files themselves are `io::sync`'s.
//!
//! A file is applied in one transaction, in two passes: the change log and the source costs
//! first, then every lead they touch built again from its whole log (a purge carried out again
//! wherever it is recorded), then the timelines, whose leads are then known. A timeline entry
//! of a lead this book does not know yet (its file has not come) holds the whole file back:
//! nothing of it lands, and it is tried again when more has come.

use std::collections::BTreeSet;

use rusqlite::OptionalExtension;
use rusqlite::types::Value;

use super::changes::{apply_purge, clock_reached, fold, lineage_of, record, records_of};
use super::session::{self, Clash, Conflict, Op, Resolution};
use super::write::{Projected, project};
use super::{Result, Store, StoreError};
use crate::domain::Now;
use crate::domain::conflicts;

/// The `meta` key of the last outbox entry sent.
pub const SENT: &str = "sync sent";

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Applied: how many changes it held (some perhaps already here).
    Applied { changes: usize },
    /// Held back: it has timeline entries of leads this book does not know yet.
    Held,
}

/// What to do about a conflict when taking in changes. Shared rows are only ever inserted
/// under uids made once, so an insert that meets its key is the same row delivered again; an
/// update is a purge's blanking, which goes through whatever the row held; one that finds no
/// row is carried out again when the row comes (the purge is in the log).
fn resolve(clash: &Clash) -> Resolution {
    if clash.already_so() {
        return Resolution::Omit;
    }
    match (clash.kind, clash.change.op) {
        // The same uid with other values: both books keep the greater, so they agree.
        (Conflict::Conflict, Op::Insert) => {
            let incoming: Vec<Value> = clash.change.new.iter().flatten().cloned().collect();
            match &clash.current {
                Some(have) if greater(&incoming, have) => Resolution::Replace,
                _ => Resolution::Omit,
            }
        }
        (Conflict::Data, Op::Update) => Resolution::Replace,
        (Conflict::NotFound, _) => Resolution::Omit,
        _ => Resolution::Abort,
    }
}

/// A total order on rows, the same on every laptop.
fn greater(a: &[Value], b: &[Value]) -> bool {
    fn key(v: &Value) -> (u8, String) {
        match v {
            Value::Null => (0, String::new()),
            Value::Integer(i) => (1, format!("{:020}", *i as i128 - i64::MIN as i128)),
            Value::Real(f) => (2, format!("{f:e}")),
            Value::Text(t) => (3, t.clone()),
            Value::Blob(b) => (4, b.iter().map(|x| format!("{x:02x}")).collect()),
        }
    }
    a.iter().map(key).cmp(b.iter().map(key)) == std::cmp::Ordering::Greater
}

impl Store {
    /// The last outbox entry sent (0: none).
    pub fn sync_sent(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [SENT], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// The shared folder set with `ripen sync --init` (this laptop's own).
    pub fn sync_dir(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'sync dir'", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Set the shared folder.
    pub fn set_sync_dir(&mut self, dir: &str) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('sync dir', ?1)",
            [dir],
        )?;
        tx.commit()
    }

    /// The sync files this book wrote or applied, by name.
    pub fn sync_files(&self) -> Result<BTreeSet<String>> {
        let mut stmt = self.conn.prepare("SELECT name FROM sync_files")?;
        let names = stmt.query_map([], |r| r.get(0))?;
        Ok(names.collect::<rusqlite::Result<_>>()?)
    }

    /// Record that the outbox was sent up to entry `last`, as the files `names`: what was sent
    /// is in the folder now, and leaves the outbox (but for its last entry).
    pub fn mark_sent(&mut self, last: i64, names: &[String]) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            rusqlite::params![SENT, last.to_string()],
        )?;
        // The last one stays: the next entry's number must come after it (numbers are the
        // table's rowids, which an empty table would hand out again from 1).
        tx.execute("DELETE FROM outbox WHERE seq < ?1", [last])?;
        for n in names {
            tx.execute(
                "INSERT OR IGNORE INTO sync_files (name, written) VALUES (?1, 1)",
                [n],
            )?;
        }
        tx.commit()
    }

    /// Take in the changesets of the sync file `name` (each already read whole: see
    /// [`session::read`]), in one transaction; a file already taken in is left alone.
    pub fn take_in(&mut self, name: &str, changesets: &[Vec<u8>], now: &Now) -> Result<Taken> {
        let mut clock = std::time::Instant::now();
        let mut tx = self.write_tx()?;
        tx.foreign()?;
        let known: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_files WHERE name = ?1)")?
            .query_row([name], |r| r.get(0))?;
        if known {
            return Ok(Taken::Applied { changes: 0 });
        }
        let mut changes = 0;
        let mut touched = BTreeSet::new();
        let mut timelines = BTreeSet::new();
        let mut highest = 0;
        for cs in changesets {
            for c in session::read(cs)? {
                changes += 1;
                let text = |i: usize| match c.new.get(i) {
                    Some(Some(Value::Text(t))) => Some(t.clone()),
                    _ => None,
                };
                match (c.table.as_str(), c.op) {
                    ("lead_changes", Op::Insert) => {
                        if let Some(u) = text(1) {
                            touched.insert(u);
                        }
                        if let Some(Some(Value::Integer(k))) = c.new.get(4) {
                            highest = highest.max(*k);
                        }
                    }
                    ("activities", Op::Insert) => {
                        if let Some(u) = text(1) {
                            timelines.insert(u);
                        }
                    }
                    _ => {}
                }
            }
            session::apply(&tx, cs, &["lead_changes", "source_costs"], &mut resolve)?;
        }
        super::phase("sync: the log", &mut clock);
        // The clock moves past every change seen; each lead touched is built again.
        clock_reached(&tx, highest)?;
        // Leads this book knows are built again one by one; new ones are written many to a
        // statement and numbered in the order they were created.
        let mut purged = Vec::new();
        let mut fresh = Vec::new();
        {
            let mut exists =
                tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE uid = ?1)")?;
            for uid in &touched {
                let Some(folded) = fold(uid, &mut records_of(&tx, uid)?)? else {
                    continue;
                };
                if folded.purged_clock.is_some() {
                    purged.push(uid);
                }
                if exists.query_row([uid], |r| r.get::<_, bool>(0))? {
                    project(&tx, &folded)?;
                } else {
                    fresh.push(folded);
                }
            }
        }
        fresh.sort_by(|a, b| (a.created_clock, &a.lead.uid).cmp(&(b.created_clock, &b.lead.uid)));
        let mut out = Projected::numbering(&tx)?;
        for folded in fresh {
            out.push(folded)?;
        }
        out.finish()?;
        for uid in purged {
            apply_purge(&tx, uid, now.utc.timestamp())?;
        }
        super::phase("sync: leads built again", &mut clock);
        let mut orphans = false;
        for cs in changesets {
            let applied = session::apply(&tx, cs, &["activities"], &mut |clash| {
                if clash.kind == Conflict::ForeignKey {
                    orphans = true;
                    return Resolution::Abort;
                }
                resolve(clash)
            });
            match applied {
                Err(_) if orphans => return Ok(Taken::Held),
                other => other?,
            }
        }
        super::phase("sync: timelines", &mut clock);
        // Entries that came for a purged lead go blank as its others did.
        for uid in &timelines {
            let purged: bool = tx
                .prepare_cached("SELECT purged_at IS NOT NULL FROM leads WHERE uid = ?1")?
                .query_row([uid], |r| r.get(0))
                .optional()?
                .unwrap_or(false);
            if purged {
                apply_purge(&tx, uid, now.utc.timestamp())?;
            }
        }
        tx.execute(
            "INSERT INTO sync_files (name, written) VALUES (?1, 0)",
            [name],
        )?;
        tx.commit()?;
        super::phase("sync: commit", &mut clock);
        Ok(Taken::Applied { changes })
    }
}

/// A conflict on one of a lead's fields (see [`crate::domain::conflicts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadConflict {
    pub lead_uid: String,
    pub number: Option<i64>,
    pub name: String,
    pub conflict: conflicts::Conflict,
}

impl Store {
    /// Every conflict in the book: leads whose field two people changed, neither having seen
    /// the other's change, to different values. By lead number, then field.
    pub fn conflicts(&self) -> Result<Vec<LeadConflict>> {
        // Two current changes of one field are from two books (a book sees its own): only the
        // fields two books changed are read, through an index of the changes that can conflict
        // (INDEXED BY: a condition other than the index's would fail here, not go slow; a test
        // holds the index's to the domain's rule).
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT c.lead_uid, n.number, l.name FROM ( \
               SELECT lead_uid FROM lead_changes INDEXED BY lead_changes_edits \
               WHERE field NOT IN ('created','tag+','tag-','purge','recycles') \
               GROUP BY field, lead_uid HAVING count(DISTINCT replica) > 1) c \
             LEFT JOIN lead_numbers n ON n.lead_uid = c.lead_uid \
             LEFT JOIN leads l ON l.uid = c.lead_uid \
             WHERE l.purged_at IS NULL ORDER BY n.number, c.lead_uid",
        )?;
        let leads = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (uid, number, name) in leads {
            for c in conflicts::conflicts(&lineage_of(&self.conn, &uid)?) {
                out.push(LeadConflict {
                    lead_uid: uid.clone(),
                    number,
                    name: name.clone(),
                    conflict: c,
                });
            }
        }
        Ok(out)
    }

    /// Settle a conflict by keeping the value of change `change_uid` (a uid or a unique
    /// prefix of one): a new change of its field, with its value, that replaces every current
    /// one. Itself a change, it goes to the other laptops.
    pub fn keep_value(&mut self, change_uid: &str, now: &Now) -> Result<crate::store::LeadRow> {
        let found: Vec<(String, String, String, Option<String>)> = {
            let mut stmt = self.conn.prepare(
                "SELECT uid, lead_uid, field, value FROM lead_changes \
                 WHERE uid >= ?1 AND uid < ?1 || x'ff' LIMIT 2",
            )?;
            stmt.query_map([change_uid.to_ascii_lowercase()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let (_, lead_uid, field, value) = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(StoreError::Sync(format!(
                    "no change {change_uid} in this book (ripen sync --conflicts lists them)"
                )));
            }
            _ => return Err(StoreError::Ambiguous(change_uid.to_string())),
        };
        let Some(field) = conflicts::unit(&field) else {
            return Err(crate::domain::DomainError::Invalid(format!(
                "change {change_uid} is of {field}, which never conflicts"
            ))
            .into());
        };
        let tx = self.write_tx()?;
        record(
            &tx,
            &lead_uid,
            &[crate::domain::changes::FieldChange { field, value }],
            now,
        )?;
        if let Some(folded) = fold(&lead_uid, &mut records_of(&tx, &lead_uid)?)? {
            project(&tx, &folded)?;
        }
        tx.commit()?;
        self.lead(&lead_uid)
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::changes::{
        CREATED, DELETED, PURGE, RECYCLES, STATE, TAG_ADDED, TAG_REMOVED, TEXT_FIELDS, VALUE,
    };
    use crate::domain::conflicts::can_conflict;

    /// The changes the conflicts' index and query leave out (SQL, where a partial index needs
    /// its condition spelled out) are exactly those the domain says never conflict.
    #[test]
    fn the_sql_leaves_out_what_the_domain_says_never_conflicts() {
        let left_out = ["created", "tag+", "tag-", "purge", "recycles"];
        let sql = format!(
            "field NOT IN ({})",
            left_out.map(|f| format!("'{f}'")).join(",")
        );
        let index = super::super::schema::INDEXES
            .iter()
            .find(|(n, _)| *n == "lead_changes_edits")
            .map(|(_, ddl)| *ddl)
            .unwrap_or_default();
        assert!(index.contains(&sql), "{index}");
        let units = TEXT_FIELDS.iter().copied().chain([
            CREATED,
            STATE,
            VALUE,
            DELETED,
            TAG_ADDED,
            TAG_REMOVED,
            PURGE,
            RECYCLES,
        ]);
        for f in units {
            assert_eq!(can_conflict(f), !left_out.contains(&f), "{f}");
        }
    }
}
