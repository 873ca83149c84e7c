//! The ripening view of the pipeline: open leads grouped by the month they are expected to ripen
//! (overdue, this month, next, +2, +3, later or unset), and the next moment anything falls due,
//! so the terminal app can wake exactly then.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rusqlite::{OptionalExtension, named_params};

use super::leads::{LeadRow, lead_row, row_select};
use super::search;
use super::{Filter, Result, Store};
use crate::domain::{Now, Stage};

/// One group of the ripening view: the leads whose `ripe_on` falls in `[from, to)` (an open end
/// when `None`), plus those without a ripe date when `unset`.
#[derive(Debug, Clone, PartialEq)]
pub struct RipeBucket {
    pub label: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub unset: bool,
    pub count: i64,
    pub value_cents: i64,
    pub weighted_cents: i64,
    /// How many of these leads the stage probabilities expect to be won.
    pub expected_wins: f64,
}

const BUCKET_WHERE: &str = "l.status = 'open' AND l.deleted_at IS NULL \
    AND ((l.ripe_on IS NOT NULL AND (:from IS NULL OR l.ripe_on >= :from) \
          AND (:to IS NULL OR l.ripe_on < :to)) OR (:unset = 1 AND l.ripe_on IS NULL)) \
    AND (:text IS NULL OR l.rowid IN (SELECT rowid FROM leads_search WHERE leads_search MATCH :text))";

fn month_start(day: NaiveDate, ahead: u32) -> Option<NaiveDate> {
    day.with_day(1)?.checked_add_months(Months::new(ahead))
}

impl Store {
    /// The six ripening groups with count, total and weighted value, oldest first.
    pub fn ripening_buckets(&self, now: &Now, filter: &Filter) -> Result<Vec<RipeBucket>> {
        let today = now.today();
        let start = |ahead: u32| month_start(today, ahead).map(|d| now.start_of(d));
        let label = |ahead: u32| {
            month_start(today, ahead)
                .map(|d| d.format("%b %Y").to_string())
                .unwrap_or_default()
        };
        let mut buckets = vec![
            (
                "overdue".to_string(),
                None,
                Some(now.start_of_today()),
                false,
            ),
            (label(0), Some(now.start_of_today()), start(1), false),
            (label(1), start(1), start(2), false),
            (label(2), start(2), start(3), false),
            (label(3), start(3), start(4), false),
            ("later/unset".to_string(), start(4), None, true),
        ];
        let p = &self.plan().stage_probability;
        // One pass over the open leads, each put in its group by CASE.
        let sql = "SELECT CASE WHEN l.ripe_on IS NULL THEN 5 WHEN l.ripe_on < :b0 THEN 0 \
               WHEN l.ripe_on < :b1 THEN 1 WHEN l.ripe_on < :b2 THEN 2 \
               WHEN l.ripe_on < :b3 THEN 3 WHEN l.ripe_on < :b4 THEN 4 ELSE 5 END AS g, \
             count(*), coalesce(sum(l.value_cents), 0), \
             coalesce(sum(l.value_cents * (CASE l.stage WHEN 'green' THEN :g \
               WHEN 'warming' THEN :w WHEN 'ripe' THEN :r WHEN 'proposal' THEN :p \
               WHEN 'negotiation' THEN :n ELSE 0 END)), 0), \
             coalesce(sum(CASE l.stage WHEN 'green' THEN :g WHEN 'warming' THEN :w \
               WHEN 'ripe' THEN :r WHEN 'proposal' THEN :p WHEN 'negotiation' THEN :n \
               ELSE 0 END), 0) \
             FROM leads l INDEXED BY leads_forecast WHERE l.status = 'open' \
             AND l.deleted_at IS NULL {TEXT} GROUP BY g";
        let ts = |i: usize| buckets.get(i).and_then(|b| b.2).map(|d| d.timestamp());
        let text = filter.text.as_deref().and_then(search::match_expr);
        // Unfiltered, the groups come from the compact forecast index alone; a text filter
        // needs the leads' names too.
        let sql = sql.replace(
            "{TEXT}",
            if text.is_some() {
                "AND l.rowid IN (SELECT rowid FROM leads_search WHERE leads_search MATCH :text)"
            } else {
                "AND :text IS NULL"
            },
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            named_params! {
                ":b0": ts(0),
                ":b1": ts(1),
                ":b2": ts(2),
                ":b3": ts(3),
                ":b4": ts(4),
                ":text": text,
                ":g": p.of(Stage::Green),
                ":w": p.of(Stage::Warming),
                ":r": p.of(Stage::Ripe),
                ":p": p.of(Stage::Proposal),
                ":n": p.of(Stage::Negotiation),
            },
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, f64>(4)?,
                ))
            },
        )?;
        let mut sums = [(0i64, 0i64, 0f64, 0f64); 6];
        for row in rows {
            let (g, count, value, weighted, wins) = row?;
            if let Some(slot) = usize::try_from(g).ok().and_then(|g| sums.get_mut(g)) {
                *slot = (count, value, weighted, wins);
            }
        }
        Ok(buckets
            .drain(..)
            .zip(sums)
            .map(
                |((label, from, to, unset), (count, value_cents, weighted, wins))| RipeBucket {
                    label,
                    from,
                    to,
                    unset,
                    count,
                    value_cents,
                    weighted_cents: weighted.round() as i64,
                    expected_wins: wins,
                },
            )
            .collect())
    }

    /// A window of one ripening group, soonest ripe first.
    pub fn ripening_list(
        &self,
        bucket: &RipeBucket,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<LeadRow>> {
        let sql = format!(
            "SELECT {} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
             WHERE {BUCKET_WHERE} ORDER BY l.ripe_on, l.next_follow_up \
             LIMIT :limit OFFSET :offset",
            row_select()
        );
        let text = filter.text.as_deref().and_then(search::match_expr);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            named_params! {
                ":from": bucket.from.map(|d| d.timestamp()),
                ":to": bucket.to.map(|d| d.timestamp()),
                ":unset": bucket.unset as i64,
                ":text": text,
                ":limit": i64::try_from(limit).unwrap_or(i64::MAX),
                ":offset": i64::try_from(offset).unwrap_or(i64::MAX),
            },
            lead_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The first follow-up or recycle touch after `at`: when the views next change by
    /// themselves.
    pub fn next_due_after(&self, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let t = at.timestamp();
        let mut next: Option<i64> = None;
        for sql in [
            "SELECT min(next_follow_up) FROM leads WHERE status IN ('new','working','open') \
             AND deleted_at IS NULL AND next_follow_up > ?1",
            "SELECT min(next_follow_up) FROM leads WHERE status IN ('lost','disqualified') \
             AND recycle_on IS NOT NULL AND deleted_at IS NULL AND next_follow_up > ?1",
        ] {
            let found: Option<i64> = self
                .conn
                .prepare_cached(sql)?
                .query_row([t], |r| r.get(0))
                .optional()?
                .flatten();
            next = match (next, found) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(next.and_then(|s| DateTime::from_timestamp(s, 0)))
    }
}
