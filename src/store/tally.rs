//! Cached counts: how many leads each tab holds, kept current by triggers, so that the tab
//! counts cost a few look-ups instead of a walk over a million index entries.
//!
//! `tallies` is local and derived (like an index): rebuilt from the leads whenever its
//! definition changes, never shared. A count that depends on the time ("due before tomorrow",
//! "new and received before the 48-hour breach") is kept at two grains: per day (`KIND/d`,
//! keyed by the day's first second, UTC) and per second (`KIND/s`). Leads before a moment `t` are
//! then the whole days before `t`'s day plus the seconds of that one day before `t`: exact, and
//! a sum over at most a few thousand rows whatever the size of the book.

use rusqlite::{Connection, params};

use super::schema::STAGE_RANK;
use super::{Result, Store};
use crate::domain::Stage;

/// The pipeline's stage rank of row `r`, as `leads_pipeline` orders it; -1 without a stage.
fn stage_key(r: &str) -> String {
    format!(
        "coalesce({}, -1)",
        STAGE_RANK.replace("stage", &format!("{r}.stage"))
    )
}

/// One cached count: which leads it counts (`{r}` stands for the row: `NEW`, `OLD` or a table
/// alias) and, for counts split by time, the moment each lead is counted at.
struct Tally {
    kind: &'static str,
    pred: &'static str,
    at: Option<&'static str>,
    /// For counts by a key (the pipeline's stages): the key's expression for a row. Without a
    /// time, each key is a row of the tally; with one, each key is a tally of its own, named
    /// `{kind}{key}`.
    key: Option<fn(&str) -> String>,
    cents: &'static str,
    /// The partial index whose predicate is `pred` (or implies it), for rebuilds.
    index: &'static str,
    /// Whether it is also kept per owner (`{kind}@{owner}`, split as the whole is: what a
    /// team's "mine" counts read, [`Store::counts_of`], a few look-ups per owner), and if so
    /// the index by owner it is filled through: each owner's leads in one stretch, by the
    /// moment the tally counts them at.
    by_owner: Option<&'static str>,
}

/// The ripe tallies' kinds, one per stage in the pipeline's order (`Stage::ALL`, the stage's
/// rank as `leads_pipeline` orders it).
pub(super) const RIPE_KINDS: [&str; 5] = ["ripe0", "ripe1", "ripe2", "ripe3", "ripe4"];

const TALLIES: &[Tally] = &[
    // Active leads by follow-up: the queue and its overdue part.
    Tally {
        kind: "due",
        pred: "{r}.status IN ('new','working','open') AND {r}.deleted_at IS NULL \
               AND {r}.next_follow_up IS NOT NULL",
        at: Some("next_follow_up"),
        cents: "0",
        key: None,
        index: "leads_due",
        by_owner: Some("leads_due_by_owner"),
    },
    // New leads by receipt: those past the first-contact breach.
    Tally {
        kind: "new",
        // (The first term restates `leads_inbox`'s predicate, so a rebuild can read through it.)
        pred: "{r}.status IN ('new','working') AND {r}.deleted_at IS NULL AND {r}.status = 'new'",
        at: Some("received_at"),
        cents: "0",
        key: None,
        index: "leads_inbox",
        by_owner: Some("leads_by_owner"),
    },
    // The inbox.
    Tally {
        kind: "inbox",
        pred: "{r}.status IN ('new','working') AND {r}.deleted_at IS NULL",
        at: None,
        cents: "0",
        key: None,
        index: "leads_inbox",
        by_owner: Some("leads_by_owner"),
    },
    // The same by receipt, for the discipline report.
    Tally {
        kind: "inboxr",
        pred: "{r}.status IN ('new','working') AND {r}.deleted_at IS NULL",
        at: Some("received_at"),
        cents: "0",
        key: None,
        index: "leads_inbox",
        by_owner: None,
    },
    // The pipeline, with its value.
    Tally {
        kind: "open",
        pred: "{r}.status = 'open' AND {r}.deleted_at IS NULL",
        at: None,
        cents: "coalesce({r}.value_cents, 0)",
        key: None,
        index: "leads_pipeline",
        by_owner: Some("leads_by_owner"),
    },
    // The pipeline by stage (keyed by the stage's rank), with its value.
    Tally {
        kind: "stage",
        pred: "{r}.status = 'open' AND {r}.deleted_at IS NULL",
        at: None,
        cents: "coalesce({r}.value_cents, 0)",
        key: Some(stage_key),
        index: "leads_pipeline",
        by_owner: None,
    },
    Tally {
        kind: "openr",
        pred: "{r}.status = 'open' AND {r}.deleted_at IS NULL",
        at: Some("received_at"),
        cents: "0",
        key: None,
        index: "leads_pipeline",
        by_owner: None,
    },
    // The pipeline by ripe date and by stage (`ripe0` … `ripe4`: the board's months weigh each
    // stage's value by its probability), with the value.
    Tally {
        kind: "ripe",
        pred: "{r}.status = 'open' AND {r}.deleted_at IS NULL AND {r}.ripe_on IS NOT NULL",
        at: Some("ripe_on"),
        cents: "coalesce({r}.value_cents, 0)",
        key: Some(stage_key),
        index: "leads_forecast",
        by_owner: None,
    },
    // Every win and every loss (recycled or not): the Recycled tab's other lists.
    Tally {
        kind: "won",
        pred: "{r}.status = 'won' AND {r}.deleted_at IS NULL",
        at: None,
        cents: "0",
        key: None,
        index: "leads_won",
        by_owner: None,
    },
    Tally {
        kind: "lost",
        pred: "{r}.status IN ('lost','disqualified') AND {r}.deleted_at IS NULL",
        at: None,
        cents: "0",
        key: None,
        index: "leads_lost",
        by_owner: None,
    },
    // Recycled leads, and by their next touch.
    Tally {
        kind: "rec",
        pred: "{r}.status IN ('lost','disqualified') AND {r}.recycle_on IS NOT NULL \
               AND {r}.deleted_at IS NULL",
        at: None,
        cents: "0",
        key: None,
        index: "leads_recycled",
        by_owner: Some("leads_due_by_owner"),
    },
    Tally {
        kind: "rec",
        pred: "{r}.status IN ('lost','disqualified') AND {r}.recycle_on IS NOT NULL \
               AND {r}.deleted_at IS NULL AND {r}.next_follow_up IS NOT NULL",
        at: Some("next_follow_up"),
        cents: "0",
        key: None,
        index: "leads_recycled",
        by_owner: Some("leads_due_by_owner"),
    },
];

/// The lead columns the tallies read (the owner: for the owned ones): an update touching none
/// of them leaves them alone.
const WATCHED: [&str; 9] = [
    "owner",
    "status",
    "stage",
    "deleted_at",
    "next_follow_up",
    "received_at",
    "value_cents",
    "recycle_on",
    "ripe_on",
];

/// The first second of `x`'s UTC day, as SQL (floor, also before 1970).
fn day_sql(x: &str) -> String {
    format!("({x} - ((({x}) % 86400) + 86400) % 86400)")
}

/// The first second of `t`'s UTC day, exactly as [`day_sql`] computes it.
fn day_of(t: i64) -> i64 {
    t - t.rem_euclid(86_400)
}

/// A time-split tally's name for row `r`, as SQL: its kind, and its key if it has one.
fn kind_sql(t: &Tally, r: &str) -> String {
    match t.key {
        Some(key) => format!("'{}' || {}", t.kind, key(r)),
        None => format!("'{}'", t.kind),
    }
}

/// An owned tally's name for row `r`'s owner, as SQL: `{kind}@{owner}` whole, and
/// `{kind}/d@{owner}` and `{kind}/s@{owner}` split by day and by second (the grain before the
/// owner, so that no owner's name can be taken for a grain).
fn owned_sql(t: &Tally, r: &str, grain: &str) -> String {
    format!("'{}{grain}@' || {r}.owner", t.kind)
}

/// An owned tally's name for one owner and grain ("", "/d" or "/s"), as [`owned_sql`] makes it.
pub(super) fn owned_kind(kind: &str, grain: &str, owner: &str) -> String {
    format!("{kind}{grain}@{owner}")
}

/// The names of a time-split tally's rows: `{kind}/d` and `{kind}/s`, per key if it has one.
fn split_kinds(t: &Tally) -> Vec<String> {
    let kinds: Vec<String> = match t.key {
        Some(_) => (0..Stage::ALL.len())
            .map(|k| format!("{}{k}", t.kind))
            .collect(),
        None => vec![t.kind.to_string()],
    };
    kinds
        .iter()
        .flat_map(|k| [format!("'{k}/d'"), format!("'{k}/s'")])
        .collect()
}

/// The rows one lead (`r` = `NEW` or `OLD`) adds to the tallies, times `sign`, as a SELECT.
fn rows_of(r: &str, sign: i64) -> String {
    let mut parts = Vec::new();
    for t in TALLIES {
        let pred = t.pred.replace("{r}", r);
        let cents = t.cents.replace("{r}", r);
        match t.at {
            None => parts.push(format!(
                "SELECT '{k}', {key}, {sign}, {sign} * {cents} WHERE {pred}",
                k = t.kind,
                key = t.key.map_or("0".into(), |k| k(r))
            )),
            Some(col) => {
                let at = format!("{r}.{col}");
                let k = kind_sql(t, r);
                parts.push(format!(
                    "SELECT {k} || '/d', {day}, {sign}, {sign} * {cents} WHERE {pred}",
                    day = day_sql(&at)
                ));
                parts.push(format!(
                    "SELECT {k} || '/s', {at}, {sign}, {sign} * {cents} WHERE {pred}"
                ));
            }
        }
        if t.by_owner.is_some() {
            match t.at {
                None => parts.push(format!(
                    "SELECT {k}, 0, {sign}, {sign} * {cents} WHERE {pred}",
                    k = owned_sql(t, r, "")
                )),
                Some(col) => {
                    let at = format!("{r}.{col}");
                    parts.push(format!(
                        "SELECT {k}, {day}, {sign}, {sign} * {cents} WHERE {pred}",
                        k = owned_sql(t, r, "/d"),
                        day = day_sql(&at)
                    ));
                    parts.push(format!(
                        "SELECT {k}, {at}, {sign}, {sign} * {cents} WHERE {pred}",
                        k = owned_sql(t, r, "/s")
                    ));
                }
            }
        }
    }
    format!(
        "INSERT INTO tallies (kind, at, n, cents) SELECT * FROM ({}) WHERE 1 \
         ON CONFLICT (kind, at) DO UPDATE SET n = n + excluded.n, cents = cents + excluded.cents;",
        parts.join(" UNION ALL ")
    )
}

/// The table, by name, as `sqlite_master` holds it.
pub(super) fn objects() -> Vec<(&'static str, String)> {
    vec![(
        "tallies",
        "CREATE TABLE tallies (\n    kind  TEXT NOT NULL,\n    at    INTEGER NOT NULL,\n    \
         n     INTEGER NOT NULL,\n    cents INTEGER NOT NULL,\n    PRIMARY KEY (kind, at)\n) \
         WITHOUT ROWID"
            .to_string(),
    )]
}

/// The triggers that keep the table current, by name (each writing connection's own).
pub(super) fn triggers() -> Vec<(&'static str, String)> {
    let changed = super::any_changed(&WATCHED);
    let old_keys = ["next_follow_up", "received_at", "ripe_on"]
        .iter()
        .flat_map(|c| {
            let at = format!("OLD.{c}");
            [day_sql(&at), at]
        })
        .collect::<Vec<_>>()
        .join(", ");
    // The kinds split by time, named one by one so the clean-up below seeks the primary key.
    let mut split: Vec<String> = TALLIES
        .iter()
        .filter(|t| t.at.is_some())
        .flat_map(split_kinds)
        .collect();
    split.dedup();
    let split = split.join(",");
    // The old owner's rows that the update emptied, split or whole (at 0): an owner whose
    // leads all moved on leaves no rows behind.
    let owned: Vec<String> = TALLIES
        .iter()
        .filter(|t| t.by_owner.is_some())
        .flat_map(|t| match t.at {
            None => vec![owned_sql(t, "OLD", "")],
            Some(_) => vec![owned_sql(t, "OLD", "/d"), owned_sql(t, "OLD", "/s")],
        })
        .collect();
    let owned = owned.join(", ");
    vec![
        (
            "tallies_insert",
            format!(
                "CREATE TRIGGER tallies_insert AFTER INSERT ON leads BEGIN {} END",
                rows_of("NEW", 1)
            ),
        ),
        (
            "tallies_update",
            format!(
                "CREATE TRIGGER tallies_update AFTER UPDATE OF {cols} ON leads WHEN {changed} \
                 BEGIN {old} {new} DELETE FROM tallies WHERE n = 0 AND cents = 0 \
                 AND kind IN ({split}) AND at IN ({old_keys}); \
                 DELETE FROM tallies WHERE n = 0 AND cents = 0 \
                 AND kind IN ({owned}) AND at IN ({old_keys}, 0); END",
                cols = WATCHED.join(", "),
                split = split,
                owned = owned,
                old = rows_of("OLD", -1),
                new = rows_of("NEW", 1),
            ),
        ),
        (
            "tallies_delete",
            format!(
                "CREATE TRIGGER tallies_delete AFTER DELETE ON leads BEGIN {} END",
                rows_of("OLD", -1)
            ),
        ),
    ]
}

/// Fill `tallies` from the leads (it must be empty), each count through its own index.
pub(super) fn fill(conn: &Connection) -> Result<()> {
    let mut clock = std::time::Instant::now();
    for t in TALLIES {
        let pred = t.pred.replace("{r}", "l");
        let cents = t.cents.replace("{r}", "l");
        let idx = t.index;
        let k = t.kind;
        let sql = match t.at {
            None => {
                let key = t.key.map_or("0".into(), |k| k("l"));
                format!(
                    "INSERT INTO tallies (kind, at, n, cents) SELECT '{k}', {key}, count(*), \
                     coalesce(sum({cents}), 0) FROM leads l INDEXED BY {idx} WHERE {pred} \
                     GROUP BY 2"
                )
            }
            Some(col) => format!(
                "INSERT INTO tallies (kind, at, n, cents) SELECT {name} || '/s', l.{col}, \
                 count(*), coalesce(sum({cents}), 0) FROM leads l INDEXED BY {idx} \
                 WHERE {pred} GROUP BY 1, 2; \
                 INSERT INTO tallies (kind, at, n, cents) \
                 SELECT substr(kind, 1, length(kind) - 2) || '/d', {day}, sum(n), sum(cents) \
                 FROM tallies WHERE kind IN ({seconds}) GROUP BY 1, 2",
                name = kind_sql(t, "l"),
                day = day_sql("at"),
                seconds = split_kinds(t)
                    .into_iter()
                    .filter(|k| k.ends_with("/s'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        // Every piece is a constant above: nothing from input is formatted in.
        conn.execute_batch(&sql)?;
        super::phase(&format!("counts: {}", t.kind), &mut clock);
        if let Some(idx) = t.by_owner {
            let sql = match t.at {
                None => format!(
                    "INSERT INTO tallies (kind, at, n, cents) SELECT {k}, 0, count(*), \
                     coalesce(sum({cents}), 0) FROM leads l INDEXED BY {idx} WHERE {pred} \
                     GROUP BY l.owner",
                    k = owned_sql(t, "l", "")
                ),
                // By second in the index's order, then the days from those.
                Some(col) => format!(
                    "INSERT INTO tallies (kind, at, n, cents) SELECT {s}, l.{col}, \
                     count(*), coalesce(sum({cents}), 0) FROM leads l INDEXED BY {idx} \
                     WHERE {pred} GROUP BY l.owner, l.{col}; \
                     INSERT INTO tallies (kind, at, n, cents) \
                     SELECT '{k}/d@' || substr(kind, {from}), {day}, sum(n), sum(cents) \
                     FROM tallies WHERE kind >= '{k}/s@' AND kind < '{k}/sA' GROUP BY 1, 2",
                    s = owned_sql(t, "l", "/s"),
                    k = t.kind,
                    from = t.kind.len() + 4,
                    day = day_sql("at"),
                ),
            };
            conn.execute_batch(&sql)?;
            super::phase(&format!("counts: {} by owner", t.kind), &mut clock);
        }
    }
    Ok(())
}

impl Store {
    /// Leads of tally `kind` counted at a moment before `t`.
    pub(super) fn tally_before(&self, kind: &str, t: i64) -> Result<i64> {
        Ok(self.tally_before_cents(kind, t)?.0)
    }

    /// Leads of tally `kind` counted at a moment before `t`, and their total cents.
    pub(super) fn tally_before_cents(&self, kind: &str, t: i64) -> Result<(i64, i64)> {
        self.tally_split_before(&format!("{kind}/d"), &format!("{kind}/s"), t)
    }

    /// Leads of the split tally whose rows by day are `days` and by second `seconds`, counted
    /// at a moment before `t`, and their total cents: the whole days before `t`'s, then the
    /// seconds of that day before `t`.
    pub(super) fn tally_split_before(
        &self,
        days: &str,
        seconds: &str,
        t: i64,
    ) -> Result<(i64, i64)> {
        let day = day_of(t);
        Ok(self
            .conn
            .prepare_cached(
                "SELECT (SELECT coalesce(sum(n), 0) FROM tallies WHERE kind = ?1 AND at < ?3) \
                      + (SELECT coalesce(sum(n), 0) FROM tallies WHERE kind = ?2 \
                         AND at >= ?3 AND at < ?4), \
                        (SELECT coalesce(sum(cents), 0) FROM tallies WHERE kind = ?1 \
                         AND at < ?3) \
                      + (SELECT coalesce(sum(cents), 0) FROM tallies WHERE kind = ?2 \
                         AND at >= ?3 AND at < ?4)",
            )?
            .query_row(params![days, seconds, day, t], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
    }

    /// A tally by key: each key's count and total cents.
    pub(super) fn tally_by_key(&self, kind: &str) -> Result<Vec<(i64, i64, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT at, n, cents FROM tallies WHERE kind = ?1 ORDER BY at")?;
        let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A whole tally: its count and total cents.
    pub(super) fn tally_total(&self, kind: &str) -> Result<(i64, i64)> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(n), 0), coalesce(sum(cents), 0) FROM tallies \
                 WHERE kind = ?1 AND at = 0",
            )?
            .query_row([kind], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_of_a_moment_floors_before_1970_too() {
        assert_eq!(day_of(86_400 * 3 + 5), 86_400 * 3);
        assert_eq!(day_of(-5), -86_400);
        assert_eq!(day_of(0), 0);
    }
}
