//! Lead sources: how the book spells each one, what each cost, and renaming one book-wide.
//! A source is one source however it is typed ([`crate::domain::lead::source_key`]); the
//! reports group by the spelling, so the book keeps one spelling per source.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::row::load_lead;
use super::write::{write_entries, write_lead};
use super::{Result, Store};
use crate::domain::lead::{source_key, spelled_as};
use crate::domain::{DomainError, Now, lifecycle};

/// One source of `ripen source list`: its spelling, its live leads, its latest cost (major
/// units, as the sources report gives it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceListRow {
    pub source: String,
    pub leads: i64,
    pub cost: Option<f64>,
}

/// What `ripen source set` did.
#[derive(Debug, Clone, PartialEq)]
pub struct SetCost {
    /// The source as the book spells it.
    pub source: String,
    /// Whether any live lead names it yet.
    pub used: bool,
    /// Its cost before, if it had one.
    pub before: Option<i64>,
    /// Its cost now.
    pub cost: i64,
}

/// What a rename did: the spellings it replaced, how many leads it respelled, and the cost the
/// source now has when it joined the costs of more than one spelling.
#[derive(Debug, Clone, PartialEq)]
pub struct Renamed {
    pub to: String,
    pub from: Vec<String>,
    pub leads: usize,
    pub joined_cost: Option<i64>,
}

/// Every source the book's live leads name, once each, in `leads_by_source` order: one seek per
/// source, whatever the size of the book.
pub(super) fn book_sources(conn: &Connection) -> Result<Vec<String>> {
    distinct(
        conn,
        "SELECT source FROM leads INDEXED BY leads_by_source WHERE deleted_at IS NULL \
         AND source > ?1 ORDER BY source LIMIT 1",
    )
}

/// The distinct values `next` (the first value above `?1`, by an index) steps through.
pub(super) fn distinct(conn: &Connection, next: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(next)?;
    let mut out: Vec<String> = Vec::new();
    let mut after = String::new();
    while let Some(s) = stmt
        .query_row([&after], |r| r.get::<_, String>(0))
        .optional()?
    {
        after.clone_from(&s);
        out.push(s);
    }
    Ok(out)
}

/// A source as the book already spells it ([`crate::domain::lead::spelled_as`]): a lead added
/// as from "webinar oct" joins the leads from "Webinar Oct", in the reports and in the cost per
/// source. The leads' spellings first (the first in index order, should the book hold
/// several), then those costs were set for.
pub(super) fn book_spelling(conn: &Connection, source: &str) -> Result<String> {
    if source_in_use(conn, source)? {
        return Ok(source.to_string());
    }
    let known = known_sources(conn)?;
    Ok(spelled_as(source, known.iter().map(String::as_str)))
}

/// The sources the book knows, as it spells them: the leads' (see [`book_sources`]), then those
/// a cost was set for (a cost may be set before the first lead from the source arrives).
pub(super) fn known_sources(conn: &Connection) -> Result<Vec<String>> {
    let mut out = book_sources(conn)?;
    for s in distinct(
        conn,
        "SELECT source FROM source_costs INDEXED BY source_costs_by_source \
         WHERE source > ?1 ORDER BY source LIMIT 1",
    )? {
        // A spelling renamed away is no longer one the book knows.
        if latest_cost(conn, &s)?.is_some() {
            out.push(s);
        }
    }
    Ok(out)
}

/// Whether any live lead names this source, exactly.
pub(super) fn source_in_use(conn: &Connection, source: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM leads INDEXED BY leads_by_source \
             WHERE deleted_at IS NULL AND source = ?1)",
        )?
        .query_row([source], |r| r.get(0))?)
}

impl Store {
    /// Record what a source cost (the latest entry per source counts): `cost_cents` as its
    /// whole cost, or added to the cost it had (`add`: this month's spend on top). Returns the
    /// source as the book spells it, whether any lead names it yet, the cost it had before,
    /// and the cost it has now.
    pub fn set_source_cost(
        &mut self,
        source: &str,
        cost_cents: i64,
        add: bool,
        now: &Now,
    ) -> Result<SetCost> {
        let tx = self.write_tx()?;
        // As the leads spell it: a cost set for "webinar oct" is the cost of "Webinar Oct".
        let source = book_spelling(&tx, source.trim())?;
        let before = latest_cost(&tx, &source)?;
        let cost = if add {
            before.unwrap_or(0).saturating_add(cost_cents)
        } else {
            cost_cents
        };
        insert_cost(&tx, &source, cost, now)?;
        let used = source_in_use(&tx, &source)?;
        tx.commit()?;
        Ok(SetCost {
            source,
            used,
            before,
            cost,
        })
    }

    /// The latest cost of a source, if any.
    pub fn source_cost(&self, source: &str) -> Result<Option<i64>> {
        latest_cost(&self.conn, source.trim())
    }

    /// Every source the book knows (its leads' and those with a cost), with its live leads and
    /// latest cost, in alphabetical order whatever the case, so that near-spellings
    /// ("Referral", "Referrals") sit together.
    pub fn sources(&self) -> Result<Vec<SourceListRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, count(*) FROM leads INDEXED BY leads_by_source \
             WHERE deleted_at IS NULL AND source IS NOT NULL GROUP BY source",
        )?;
        let mut out = stmt
            .query_map([], |r| {
                Ok(SourceListRow {
                    source: r.get(0)?,
                    leads: r.get(1)?,
                    cost: None,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for s in known_sources(&self.conn)? {
            if !out.iter().any(|r| r.source == s) {
                out.push(SourceListRow {
                    source: s,
                    leads: 0,
                    cost: None,
                });
            }
        }
        for r in &mut out {
            r.cost = latest_cost(&self.conn, &r.source)?.map(|c| c as f64 / 100.0);
        }
        out.sort_by(|a, b| {
            (a.source.to_lowercase(), &a.source).cmp(&(b.source.to_lowercase(), &b.source))
        });
        Ok(out)
    }

    /// Spell a source `to` throughout the book, in one transaction: every lead (trash included)
    /// whose source is `from` or `to` however typed takes the spelling `to`, each with a timeline
    /// entry naming its old spelling, and the costs recorded under those spellings move with
    /// them. When more than one spelling had a cost, the source's cost becomes their sum (the
    /// spend on both lists), recorded as a new entry. `from` must be a source the book knows.
    pub fn rename_source(&mut self, from: &str, to: &str, now: &Now) -> Result<Renamed> {
        let (from, to) = (from.trim(), to.trim());
        if to.is_empty() {
            return Err(DomainError::Invalid("a source needs a name".into()).into());
        }
        let tx = self.write_tx()?;
        let (kf, kt) = (source_key(from), source_key(to));
        // The book's spellings, the trash's too (a lead taken back out must not split the
        // source again).
        let mut known = known_sources(&tx)?;
        known.extend(
            tx.prepare_cached(
                "SELECT DISTINCT source FROM leads INDEXED BY leads_deleted \
                 WHERE deleted_at IS NOT NULL AND purged_at IS NULL AND source IS NOT NULL",
            )?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        );
        if !known.iter().any(|s| source_key(s) == kf) {
            return Err(DomainError::Invalid(format!(
                "no lead or cost has the source \"{from}\"; `ripen source list` lists them"
            ))
            .into());
        }
        let mut spellings: Vec<String> = known
            .into_iter()
            .filter(|s| s != to && [&kf, &kt].contains(&&source_key(s)))
            .collect();
        spellings.sort();
        spellings.dedup();
        let mut costs: Vec<i64> = latest_cost(&tx, to)?.into_iter().collect();
        let mut leads = 0;
        for s in &spellings {
            let uids = tx
                // Not a purged lead: a tombstone keeps what it was.
                .prepare_cached("SELECT uid FROM leads WHERE source = ?1 AND purged_at IS NULL")?
                .query_map([s], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for uid in uids {
                let before = load_lead(&tx, &uid)?;
                let change = lifecycle::source_renamed(&before, to, now);
                write_lead(&tx, Some(&before), &change.lead, now)?;
                write_entries(&tx, &uid, &change.entries, now)?;
                leads += 1;
            }
            // The spelling's costs move to `to`: recorded as a new entry (the book's shared
            // rows are never changed), which ends the old spelling's costs.
            if let Some(cost) = latest_cost(&tx, s)? {
                costs.push(cost);
                insert_row(&tx, s, 0, Some(to), now)?;
            }
        }
        let joined_cost = (costs.len() > 1).then(|| costs.iter().sum());
        let had = latest_cost(&tx, to)?;
        match (joined_cost, costs.first()) {
            (Some(total), _) => insert_cost(&tx, to, total, now)?,
            (None, Some(&moved)) if had.is_none() => insert_cost(&tx, to, moved, now)?,
            _ => {}
        }
        tx.commit()?;
        Ok(Renamed {
            to: to.to_string(),
            from: spellings,
            leads,
            joined_cost,
        })
    }
}

fn insert_cost(conn: &Connection, source: &str, cost_cents: i64, now: &Now) -> Result<()> {
    insert_row(conn, source, cost_cents, None, now)
}

/// A row of `source_costs`: a cost, or (`renamed_to`) the end of a spelling's costs, which
/// moved to another.
fn insert_row(
    conn: &Connection,
    source: &str,
    cost_cents: i64,
    renamed_to: Option<&str>,
    now: &Now,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO source_costs (uid, source, cost_cents, set_at, renamed_to) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        super::uids::entry_uid().hyphenated().to_string(),
        source,
        cost_cents,
        now.utc.timestamp(),
        renamed_to
    ])?;
    Ok(())
}

/// The latest cost recorded for this exact spelling (none once it was renamed away).
fn latest_cost(conn: &Connection, source: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT cost_cents, renamed_to FROM source_costs WHERE source = ?1 \
             ORDER BY set_at DESC, uid DESC LIMIT 1",
        )?
        .query_row([source], |r| {
            Ok(r.get::<_, Option<String>>(1)?
                .is_none()
                .then_some(r.get::<_, i64>(0)?))
        })
        .optional()?
        .flatten())
}
