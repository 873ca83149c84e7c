//! The reports' aggregates, computed by SQL over the whole book (never by loading every lead).
//! What each number means is defined once, in `crate::report::METRICS`.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store};
use crate::domain::Now;

/// The period a report covers, on the date it names (received or closed), `[since, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Period {
    fn bounds(&self) -> (i64, i64) {
        (self.since.timestamp(), self.until.timestamp())
    }
}

/// How a report groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Source,
    Owner,
    Month,
}

impl By {
    fn sql(self) -> &'static str {
        match self {
            By::Source => "coalesce(l.source, '(none)')",
            By::Owner => "l.owner",
            By::Month => "strftime('%Y-%m', l.received_at, 'unixepoch')",
        }
    }
}

/// received → contacted → qualified → won, for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelRow {
    pub group: String,
    pub received: i64,
    pub contacted: i64,
    pub qualified: i64,
    pub won: i64,
}

/// Speed to lead for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedRow {
    pub group: String,
    pub leads: i64,
    pub contacted: i64,
    pub within_48h: i64,
    pub never_contacted: i64,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

/// Per owner: the contract of `ripen report owners --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerRow {
    pub owner: String,
    pub leads: i64,
    pub won: i64,
    pub lost: i64,
    pub win_rate: Option<f64>,
    pub avg_days_to_close: Option<f64>,
    pub revenue: f64,
}

/// Lost and disqualified leads by reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossRow {
    pub status: String,
    pub reason: String,
    pub count: i64,
    pub value: f64,
}

/// Recycled leads against fresh ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecycleOutcome {
    pub recycled_reactivated: i64,
    pub recycled_won: i64,
    pub recycled_closed: i64,
    pub fresh_won: i64,
    pub fresh_closed: i64,
}

/// Open pipeline by expected month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRow {
    /// `YYYY-MM`, `overdue` (ripe_on passed) or `not set`.
    pub month: String,
    pub leads: i64,
    pub value: f64,
    pub weighted: f64,
    pub expected_wins: f64,
}

/// Follow-up discipline of the open pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discipline {
    pub open: i64,
    pub touched_30d: i64,
    pub stale: i64,
    pub active_stale: i64,
}

/// Per source, with what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRow {
    pub source: String,
    pub leads: i64,
    pub qualified: i64,
    pub won: i64,
    pub revenue: f64,
    pub cost: Option<f64>,
}

/// One monthly cohort of received leads: the cumulative count won after 1..=12 months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    pub cohort: String,
    pub received: i64,
    pub won_by_month: Vec<i64>,
}

const CONTACT_KINDS: &str = "('call','email','meeting','message')";

impl Store {
    /// received → contacted → qualified → won, grouped.
    pub fn report_funnel(&self, period: &Period, by: By) -> Result<Vec<FunnelRow>> {
        let (since, until) = period.bounds();
        let sql = format!(
            "SELECT {g}, count(*), count(*) FILTER (WHERE l.status <> 'new'), \
             count(*) FILTER (WHERE l.class IS NOT NULL), count(*) FILTER (WHERE l.status = 'won') \
             FROM leads l INDEXED BY leads_report WHERE l.deleted_at IS NULL AND l.received_at >= ?1 AND l.received_at < ?2 \
             GROUP BY 1 ORDER BY 2 DESC, 1",
            g = by.sql()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![since, until], |r| {
            Ok(FunnelRow {
                group: r.get(0)?,
                received: r.get(1)?,
                contacted: r.get(2)?,
                qualified: r.get(3)?,
                won: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Hours from receipt to first contact, grouped.
    pub fn report_speed(&self, period: &Period, by: By) -> Result<Vec<SpeedRow>> {
        let (since, until) = period.bounds();
        // First contact per lead (one seek in the contacts index), then nearest-rank
        // percentiles per group from one pass of window functions.
        let sql = format!(
            "WITH first AS MATERIALIZED ( \
               SELECT {g} AS grp, \
                 (SELECT min(a.at) FROM activities a INDEXED BY activities_contacts \
                    WHERE a.lead_uid = l.uid AND a.kind IN {CONTACT_KINDS}) - l.received_at AS secs \
               FROM leads l INDEXED BY leads_report WHERE l.deleted_at IS NULL \
                 AND l.received_at >= ?1 AND l.received_at < ?2), \
             ranked AS ( \
               SELECT grp, secs, \
                 row_number() OVER (PARTITION BY grp ORDER BY secs) AS rn, \
                 count(*) OVER (PARTITION BY grp) AS n \
               FROM first WHERE secs IS NOT NULL), \
             pct AS ( \
               SELECT grp, max(CASE WHEN rn = (n + 1) / 2 THEN secs END) AS median, \
                 max(CASE WHEN rn = (n * 9 + 9) / 10 THEN secs END) AS p90 \
               FROM ranked GROUP BY grp) \
             SELECT f.grp, count(*), count(f.secs), \
               count(*) FILTER (WHERE f.secs <= 172800), \
               count(*) FILTER (WHERE f.secs IS NULL), \
               max(p.median), max(p.p90) \
             FROM first f LEFT JOIN pct p ON p.grp = f.grp \
             GROUP BY f.grp ORDER BY 2 DESC, 1",
            g = by.sql()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![since, until], |r| {
            let hours = |v: Option<i64>| v.map(|s| s as f64 / 3600.0);
            Ok(SpeedRow {
                group: r.get(0)?,
                leads: r.get(1)?,
                contacted: r.get(2)?,
                within_48h: r.get(3)?,
                never_contacted: r.get(4)?,
                median_hours: hours(r.get(5)?),
                p90_hours: hours(r.get(6)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Per owner: leads received in the period, won, lost, win rate, days to close, revenue.
    pub fn report_owners(&self, period: &Period) -> Result<Vec<OwnerRow>> {
        let (since, until) = period.bounds();
        let mut stmt = self.conn.prepare_cached(
            "SELECT owner, count(*), count(*) FILTER (WHERE status = 'won'), \
               count(*) FILTER (WHERE status = 'lost'), \
               avg(CASE WHEN status IN ('won','lost') AND closed_at IS NOT NULL \
                   THEN (closed_at - received_at) / 86400.0 END), \
               coalesce(sum(value_cents) FILTER (WHERE status = 'won'), 0) \
             FROM leads INDEXED BY leads_report WHERE deleted_at IS NULL AND received_at >= ?1 AND received_at < ?2 \
             GROUP BY owner ORDER BY owner",
        )?;
        let rows = stmt.query_map(params![since, until], |r| {
            let won: i64 = r.get(2)?;
            let lost: i64 = r.get(3)?;
            let revenue: i64 = r.get(5)?;
            Ok(OwnerRow {
                owner: r.get(0)?,
                leads: r.get(1)?,
                won,
                lost,
                win_rate: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
                avg_days_to_close: r.get(4)?,
                revenue: revenue as f64 / 100.0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lost and disqualified leads closed in the period, by reason.
    pub fn report_losses(&self, period: &Period) -> Result<Vec<LossRow>> {
        let (since, until) = period.bounds();
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, coalesce(reason, '(none)'), count(*), coalesce(sum(value_cents), 0) \
             FROM leads INDEXED BY leads_report WHERE deleted_at IS NULL AND status IN ('lost','disqualified') \
             AND closed_at >= ?1 AND closed_at < ?2 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        )?;
        let rows = stmt.query_map(params![since, until], |r| {
            let v: i64 = r.get(3)?;
            Ok(LossRow {
                status: r.get(0)?,
                reason: r.get(1)?,
                count: r.get(2)?,
                value: v as f64 / 100.0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Do recycled leads convert better than fresh ones? Over leads received in the period.
    pub fn report_recycling(&self, period: &Period) -> Result<RecycleOutcome> {
        let (since, until) = period.bounds();
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FILTER (WHERE recycle_count > 0), \
               count(*) FILTER (WHERE recycle_count > 0 AND status = 'won'), \
               count(*) FILTER (WHERE recycle_count > 0 AND status IN ('won','lost')), \
               count(*) FILTER (WHERE recycle_count = 0 AND status = 'won'), \
               count(*) FILTER (WHERE recycle_count = 0 AND status IN ('won','lost')) \
             FROM leads INDEXED BY leads_report WHERE deleted_at IS NULL AND received_at >= ?1 AND received_at < ?2",
            )?
            .query_row(params![since, until], |r| {
                Ok(RecycleOutcome {
                    recycled_reactivated: r.get(0)?,
                    recycled_won: r.get(1)?,
                    recycled_closed: r.get(2)?,
                    fresh_won: r.get(3)?,
                    fresh_closed: r.get(4)?,
                })
            })?)
    }

    /// Open pipeline by expected month (ripe_on), weighted by stage probability.
    pub fn report_forecast(&self, now: &Now) -> Result<Vec<ForecastRow>> {
        let p = &self.plan.stage_probability;
        let month_start = now.start_of(now.today().with_day(1).unwrap_or(now.today()));
        let mut stmt = self.conn.prepare_cached(
            "SELECT CASE WHEN ripe_on IS NULL THEN 'not set' \
                         WHEN ripe_on < ?1 THEN 'overdue' \
                         ELSE strftime('%Y-%m', ripe_on, 'unixepoch') END AS m, \
               count(*), coalesce(sum(value_cents), 0), \
               sum(coalesce(value_cents, 0) * CASE stage WHEN 'green' THEN ?2 WHEN 'warming' THEN ?3 \
                   WHEN 'ripe' THEN ?4 WHEN 'proposal' THEN ?5 WHEN 'negotiation' THEN ?6 ELSE 0 END), \
               sum(CASE stage WHEN 'green' THEN ?2 WHEN 'warming' THEN ?3 \
                   WHEN 'ripe' THEN ?4 WHEN 'proposal' THEN ?5 WHEN 'negotiation' THEN ?6 ELSE 0 END) \
             FROM leads INDEXED BY leads_forecast WHERE status = 'open' AND deleted_at IS NULL \
             GROUP BY m ORDER BY CASE m WHEN 'overdue' THEN 0 WHEN 'not set' THEN 2 ELSE 1 END, m",
        )?;
        let rows = stmt.query_map(
            params![
                month_start.timestamp(),
                p.green,
                p.warming,
                p.ripe,
                p.proposal,
                p.negotiation
            ],
            |r| {
                let v: i64 = r.get(2)?;
                let w: f64 = r.get(3)?;
                Ok(ForecastRow {
                    month: r.get(0)?,
                    leads: r.get(1)?,
                    value: v as f64 / 100.0,
                    weighted: (w / 100.0).round(),
                    expected_wins: (r.get::<_, f64>(4)? * 10.0).round() / 10.0,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Share of open leads touched in the last 30 days, and stale counts.
    pub fn report_discipline(&self, now: &Now) -> Result<Discipline> {
        let t = now.utc.timestamp();
        let month = t - 30 * 86_400;
        let stale = t - self.plan.stale_days * 86_400;
        Ok(self
            .conn
            .prepare_cached(&format!(
                "WITH last AS ( \
               SELECT l.status, coalesce((SELECT max(a.at) FROM activities a \
                 INDEXED BY activities_contacts WHERE a.lead_uid = l.uid \
                 AND a.kind IN {CONTACT_KINDS}), l.received_at) AS at \
               FROM leads l INDEXED BY leads_report \
               WHERE l.deleted_at IS NULL AND l.status IN ('new','working','open')) \
             SELECT count(*) FILTER (WHERE status = 'open'), \
               count(*) FILTER (WHERE status = 'open' AND at >= ?1), \
               count(*) FILTER (WHERE status = 'open' AND at < ?2), \
               count(*) FILTER (WHERE at < ?2) FROM last"
            ))?
            .query_row(params![month, stale], |r| {
                Ok(Discipline {
                    open: r.get(0)?,
                    touched_30d: r.get(1)?,
                    stale: r.get(2)?,
                    active_stale: r.get(3)?,
                })
            })?)
    }

    /// Per source: leads received in the period, qualified, won, revenue, and its latest cost.
    pub fn report_sources(&self, period: &Period) -> Result<Vec<SourceRow>> {
        let (since, until) = period.bounds();
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(l.source, '(none)') AS s, count(*), \
               count(*) FILTER (WHERE l.class IS NOT NULL), count(*) FILTER (WHERE l.status = 'won'), \
               coalesce(sum(l.value_cents) FILTER (WHERE l.status = 'won'), 0), \
               (SELECT c.cost_cents FROM source_costs c WHERE c.source = l.source \
                  ORDER BY c.set_at DESC, c.uid DESC LIMIT 1) \
             FROM leads l INDEXED BY leads_report WHERE l.deleted_at IS NULL AND l.received_at >= ?1 AND l.received_at < ?2 \
             GROUP BY s ORDER BY 2 DESC, 1",
        )?;
        let rows = stmt.query_map(params![since, until], |r| {
            let rev: i64 = r.get(4)?;
            let cost: Option<i64> = r.get(5)?;
            Ok(SourceRow {
                source: r.get(0)?,
                leads: r.get(1)?,
                qualified: r.get(2)?,
                won: r.get(3)?,
                revenue: rev as f64 / 100.0,
                cost: cost.map(|c| c as f64 / 100.0),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For each monthly cohort received in the period, how many were won within 1..=12 months.
    pub fn report_cohorts(&self, period: &Period) -> Result<Vec<CohortRow>> {
        let (since, until) = period.bounds();
        let mut cols = String::new();
        for k in 1..=12 {
            cols.push_str(&format!(
                ", count(*) FILTER (WHERE status = 'won' AND closed_at < received_at + {} * 2629800)",
                k
            ));
        }
        let sql = format!(
            "SELECT strftime('%Y-%m', received_at, 'unixepoch') AS c, count(*){cols} \
             FROM leads INDEXED BY leads_report WHERE deleted_at IS NULL AND received_at >= ?1 AND received_at < ?2 \
             GROUP BY c ORDER BY c"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![since, until], |r| {
            let mut won = Vec::with_capacity(12);
            for k in 0..12 {
                won.push(r.get(2 + k)?);
            }
            Ok(CohortRow {
                cohort: r.get(0)?,
                received: r.get(1)?,
                won_by_month: won,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Record what a source cost (the latest entry per source counts).
    pub fn set_source_cost(&mut self, source: &str, cost_cents: i64, now: &Now) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO source_costs (uid, source, cost_cents, set_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                uuid::Uuid::now_v7().to_string(),
                source.trim(),
                cost_cents,
                now.utc.timestamp()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The latest cost of a source, if any.
    pub fn source_cost(&self, source: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT cost_cents FROM source_costs WHERE source = ?1 \
                 ORDER BY set_at DESC, uid DESC LIMIT 1",
            )?
            .query_row([source.trim()], |r| r.get(0))
            .optional()?)
    }
}
