//! The lead rows built from the change log: rebuilt whole (`ripen doctor --rebuild`), checked
//! against it (`ripen doctor`), and moved by changes that come from another book.

use std::collections::BTreeSet;

use rusqlite::params;

use super::changes::{apply_purge, clock_reached, fold, record_from_row, records_of};
use super::derived::{drop_for_bulk, rebuild_after_bulk, wanted_indexes};
use super::row::load_lead;
use super::tuning::phase;
use super::write::{Projected, project};
use super::{Result, Store};
use crate::domain::Now;
use crate::domain::changes::Record;

/// What [`Store::rebuild_from_log`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// Leads built.
    pub leads: usize,
    /// Change records read.
    pub changes: usize,
}

impl Store {
    /// Every change record of the book, in the order they were made here.
    pub fn change_records(&self) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare(
            "SELECT uid, lead_uid, field, value, clock, replica FROM lead_changes \
             ORDER BY clock, replica, uid",
        )?;
        let rows = stmt.query_map([], record_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many change records the book holds.
    pub fn change_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM lead_changes", [], |r| r.get(0))?)
    }

    /// The leads whose row is not what their change log builds (none, in a sound book).
    pub fn log_differences(&self) -> Result<Vec<String>> {
        let uids: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT lead_uid FROM lead_changes ORDER BY lead_uid")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let tx = self.conn.unchecked_transaction()?;
        let mut out = Vec::new();
        for uid in uids {
            let built = fold(&uid, &mut records_of(&tx, &uid)?)?;
            let row = load_lead(&tx, &uid).ok();
            if built.map(|f| f.lead) != row {
                out.push(uid);
            }
        }
        Ok(out)
    }

    /// Rebuild every lead's row from the change log alone, in one transaction: the rows, their
    /// indexes and every derived table. `progress` hears how many change records of how many
    /// have been read.
    pub fn rebuild_from_log(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<Rebuilt> {
        let zone = self.month_zone;
        let wanted = wanted_indexes(&self.queue);
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.cache_kib(super::BULK_CACHE_KIB)?;
        let queue = self.queue.clone();
        let mut clock = std::time::Instant::now();
        let tx = self.write_tx()?;
        let total = tx.query_row("SELECT count(*) FROM lead_changes", [], |r| {
            r.get::<_, i64>(0)
        })? as u64;
        drop_for_bulk(&tx, true)?;
        // The rows' indexes are built once at the end, from sorted rows, not row by row.
        let on_leads: Vec<String> = tx
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' \
                 AND sql IS NOT NULL",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for name in &on_leads {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        // Every timeline's lead is back by the commit.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        tx.execute("DELETE FROM leads", [])?;
        let mut read = 0u64;
        let mut leads = 0usize;
        {
            let mut out = Projected::new(&tx)?;
            let mut stmt = tx.prepare(
                "SELECT uid, lead_uid, field, value, clock, replica FROM lead_changes \
                 INDEXED BY lead_changes_by_lead ORDER BY lead_uid",
            )?;
            let mut rows = stmt.query([])?;
            let mut group: Vec<Record> = Vec::new();
            let mut flush = |group: &mut Vec<Record>, out: &mut Projected| -> Result<()> {
                if let Some(first) = group.first() {
                    let uid = first.lead_uid.clone();
                    if let Some(f) = fold(&uid, group)? {
                        out.push(f)?;
                        leads += 1;
                    }
                }
                group.clear();
                Ok(())
            };
            while let Some(r) = rows.next()? {
                let rec = record_from_row(r)?;
                if group.first().is_some_and(|g| g.lead_uid != rec.lead_uid) {
                    flush(&mut group, &mut out)?;
                }
                group.push(rec);
                read += 1;
                if read.is_multiple_of(65_536) {
                    progress(read, total);
                }
            }
            flush(&mut group, &mut out)?;
            out.finish()?;
        }
        phase("rebuild: read, fold and write the leads", &mut clock);
        for (name, ddl) in &wanted {
            if on_leads.iter().any(|n| n == name) || ddl.contains(" ON leads") {
                tx.execute_batch(&format!("DROP INDEX IF EXISTS {name}; {ddl};"))?;
            }
        }
        phase("rebuild: the leads' indexes", &mut clock);
        rebuild_after_bulk(&tx, zone)?;
        phase("rebuild: counts and word index", &mut clock);
        Store::ready_for_open(&queue, zone, &tx)?;
        tx.commit()?;
        phase("rebuild: commit", &mut clock);
        self.conn.pragma_update(None, "cache_size", cache)?;
        progress(total, total);
        Ok(Rebuilt {
            leads,
            changes: read as usize,
        })
    }

    /// Take in change records made elsewhere (another laptop's), in one transaction: those
    /// the book already holds are skipped; each lead they touch is built again from its whole
    /// log. Returns how many records were new.
    pub fn apply_changes(&mut self, records: &[Record], now: &Now) -> Result<usize> {
        let tx = self.write_tx()?;
        let mut touched = BTreeSet::new();
        let mut new = 0;
        let mut highest = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO lead_changes (uid, lead_uid, field, value, clock, replica) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for r in records {
                let n = insert.execute(params![
                    r.uid, r.lead_uid, r.field, r.value, r.clock, r.replica
                ])?;
                if n > 0 {
                    new += 1;
                    touched.insert(r.lead_uid.as_str());
                    highest = highest.max(r.clock);
                }
            }
        }
        // The clock moves past every change seen.
        clock_reached(&tx, highest)?;
        for uid in touched {
            let Some(folded) = fold(uid, &mut records_of(&tx, uid)?)? else {
                continue;
            };
            project(&tx, &folded)?;
            if folded.purged_clock.is_some() {
                apply_purge(&tx, uid, now.utc.timestamp())?;
            }
        }
        tx.commit()?;
        Ok(new)
    }
}

impl Store {
    /// Every lead row of the book, the trash's and tombstones too, by uid.
    pub fn every_lead(&self) -> Result<Vec<crate::domain::Lead>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM leads l ORDER BY l.uid",
            super::row::LEAD_COLUMNS
        ))?;
        let rows = stmt.query_map([], |r| super::row::lead_from_row(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
