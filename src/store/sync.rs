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
    /// [`session::read`]), in one transaction; a file already taken in is left alone. A file
    /// whose tables do not fit this book's is refused whole ([`StoreError::Unfit`]).
    pub fn take_in(&mut self, name: &str, changesets: &[Vec<u8>], now: &Now) -> Result<Taken> {
        self.take_in_covering(name, changesets, &[], now)
    }

    /// [`Store::take_in`], noting too, in the same transaction, the files `covers` as taken
    /// in: the last part of a snapshot holds what they held.
    pub fn take_in_covering(
        &mut self,
        name: &str,
        changesets: &[Vec<u8>],
        covers: &[String],
        now: &Now,
    ) -> Result<Taken> {
        let mut clock = std::time::Instant::now();
        // Before anything is written: SQLite would skip a table that does not fit, silently.
        for cs in changesets {
            for shape in session::shapes(cs)? {
                self.fits(&shape)?;
            }
        }
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
        for c in covers {
            tx.prepare_cached("INSERT OR IGNORE INTO sync_files (name, written) VALUES (?1, 0)")?
                .execute([c])?;
        }
        tx.commit()?;
        super::phase("sync: commit", &mut clock);
        Ok(Taken::Applied { changes })
    }

    /// Whether a changeset's table fits this book's: no more columns than the book's table
    /// (fewer is an older ripen's file: the columns added since take their defaults), and the
    /// same key columns. SQLite's apply skips a table that does not, saying nothing.
    fn fits(&self, shape: &session::Shape) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let key: Vec<bool> = stmt
            .query_map([&shape.table], |r| Ok(r.get::<_, i64>(0)? > 0))?
            .collect::<rusqlite::Result<_>>()?;
        let unfit = |why: String| Err(StoreError::Unfit(why));
        if key.is_empty() {
            return unfit(format!("this book has no table {}", shape.table));
        }
        if shape.key.len() > key.len() {
            return unfit(format!(
                "its table {} has {} columns, this book's has {} (a newer ripen's, or a damaged one)",
                shape.table,
                shape.key.len(),
                key.len()
            ));
        }
        let same_key = key
            .iter()
            .enumerate()
            .all(|(i, k)| shape.key.get(i).copied().unwrap_or(false) == *k);
        if !same_key {
            return unfit(format!(
                "its table {} is keyed by other columns than this book's",
                shape.table
            ));
        }
        Ok(())
    }

    /// Note the sync files `names` as taken in (`written`: this book wrote them), in one
    /// transaction: a snapshot written, or one whose every file this book already holds.
    pub fn note_sync_files(&mut self, names: &[String], written: bool) -> Result<()> {
        let tx = self.write_tx()?;
        for n in names {
            tx.prepare_cached("INSERT OR IGNORE INTO sync_files (name, written) VALUES (?1, ?2)")?
                .execute(rusqlite::params![n, written])?;
        }
        tx.commit()
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
    use super::super::session::{self, Session};
    use super::super::{NewLead, Store, StoreError};
    use super::Taken;
    use crate::domain::{Now, Plan};
    use chrono::{TimeZone, Utc};
    use rusqlite::types::Value;

    /// A book with one lead (its log's changeset, as sent) and a fresh book to take things in.
    fn two_books(dir: &std::path::Path) -> (Vec<u8>, String, Store, Now) {
        let now = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let mut one = Store::open(&dir.join("one.db"), Plan::default()).unwrap();
        let lead = NewLead {
            name: "Ana Ruiz".into(),
            ..NewLead::default()
        };
        let (_, uid) = one.add_lead(lead, &now).unwrap();
        let mut log = Vec::new();
        one.outbox_changesets(0, &mut |_, cs| {
            log.push(cs.to_vec());
            Ok(())
        })
        .unwrap();
        let two = Store::open(&dir.join("two.db"), Plan::default()).unwrap();
        (log.concat(), uid, two, now)
    }

    /// A timeline entry as a book of `columns` would send it (an older schema's `activities`
    /// had fewer columns; `extra` adds one no schema has).
    fn entry(columns: &str, values: &str) -> Vec<u8> {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(&format!("CREATE TABLE activities ({columns})"))
            .unwrap();
        let s = Session::new(&c, &["activities"]).unwrap();
        c.execute_batch(&format!("INSERT INTO activities VALUES ({values})"))
            .unwrap();
        s.changeset().unwrap()
    }

    const SCHEMA_1: &str = "uid TEXT PRIMARY KEY NOT NULL, lead_uid TEXT NOT NULL, \
                            at INTEGER NOT NULL, kind TEXT NOT NULL, outcome TEXT, note TEXT, \
                            created_at INTEGER NOT NULL";

    /// A file of an older ripen, whose `activities` had fewer columns, applies: the columns
    /// added since take their defaults.
    #[test]
    fn an_older_files_fewer_columns_apply_with_the_new_ones_defaulted() {
        let dir = tempfile::tempdir().unwrap();
        let (log, uid, mut two, now) = two_books(dir.path());
        let old = entry(
            SCHEMA_1,
            &format!("'a1', '{uid}', 1700000000, 'call', 'reached', 'keen', 1700000000"),
        );
        assert_eq!(session::shapes(&old).unwrap()[0].key.len(), 7);
        let taken = two.take_in("r/old.ripen", &[log, old], &now).unwrap();
        assert!(matches!(taken, Taken::Applied { .. }), "{taken:?}");
        let row: Vec<Value> = two
            .conn
            .query_row(
                "SELECT note, event, author FROM activities WHERE uid = 'a1'",
                [],
                |r| Ok(vec![r.get(0)?, r.get(1)?, r.get(2)?]),
            )
            .unwrap();
        assert_eq!(
            row,
            vec![Value::Text("keen".into()), Value::Null, Value::Null]
        );
    }

    /// A file whose `activities` has a column this book's has not is refused whole, naming
    /// the table: nothing of it lands, not even its other changesets (SQLite alone would skip
    /// the table and apply the rest).
    #[test]
    fn a_file_with_more_columns_or_another_key_is_refused_whole_naming_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let (log, uid, mut two, now) = two_books(dir.path());
        let count = |s: &Store, t: &str| -> i64 {
            s.conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        };
        let before = (count(&two, "lead_changes"), count(&two, "activities"));
        let wider = entry(
            &format!("{SCHEMA_1}, event TEXT, author TEXT, mood TEXT"),
            &format!("'a1', '{uid}', 1, 'call', NULL, NULL, 1, NULL, NULL, 'sunny'"),
        );
        let err = two
            .take_in("r/wide.ripen", &[log.clone(), wider], &now)
            .unwrap_err();
        assert!(matches!(err, StoreError::Unfit(_)), "{err:?}");
        let why = err.to_string();
        assert!(
            why.contains("activities") && why.contains("10 columns"),
            "{why}"
        );
        assert_eq!(
            (count(&two, "lead_changes"), count(&two, "activities")),
            before
        );
        assert!(two.sync_files().unwrap().is_empty());
        // Keyed by another column: refused too.
        let rekeyed = entry(
            "uid TEXT NOT NULL, lead_uid TEXT PRIMARY KEY NOT NULL, at INTEGER NOT NULL, \
             kind TEXT NOT NULL, outcome TEXT, note TEXT, created_at INTEGER NOT NULL",
            &format!("'a1', '{uid}', 1, 'call', NULL, NULL, 1"),
        );
        let err = two
            .take_in("r/rekeyed.ripen", &[log.clone(), rekeyed], &now)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("activities is keyed by other columns"),
            "{err}"
        );
        assert_eq!(
            (count(&two, "lead_changes"), count(&two, "activities")),
            before
        );
        // The log alone is taken.
        two.take_in("r/log.ripen", &[log], &now).unwrap();
        assert!(count(&two, "lead_changes") > before.0);
    }

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
