//! The reports' aggregates, computed by SQL over the whole book (never by loading every lead).
//! What each number means is defined once, in `crate::report::METRICS`.

use chrono::DateTime;
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

use super::foreign::Foreign;
use super::report_rows::{
    By, CohortRow, Discipline, ForecastRow, FunnelRow, LossRow, OwnerRow, Period, RecycleOutcome,
    SourceRow, SpeedRow,
};
use super::{Result, Store, months};
use crate::domain::lead::{is_unassigned, owner_row};
use crate::domain::money::{Apart, Money, weigh_foreign};
use crate::domain::plan::StageProbability;
use crate::domain::{Now, Status};

/// A lead that reached the pipeline: given a class, or open, won or lost (lost is what a
/// qualified lead becomes; an inbox lead is disqualified instead). An imported deal or a lead won
/// straight from the inbox has no class but was qualified all the same.
const QUALIFIED: &str = "(l.class IS NOT NULL OR l.status IN ('open','won','lost'))";

/// Sums kept apart, in whole units.
fn whole(apart: Apart) -> BTreeMap<String, f64> {
    apart
        .into_iter()
        .map(|(c, v)| (c, v as f64 / 100.0))
        .collect()
}

impl Store {
    /// The values in other currencies among the leads `keep` picks, summed by `key`: each
    /// group's sum in the book's currency at the user's rates, and the rest apart.
    fn foreign_by(
        &self,
        keep: impl Fn(&Foreign) -> bool,
        key: impl Fn(&Foreign) -> String,
    ) -> Result<BTreeMap<String, Money>> {
        let mut groups: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
        for f in self.foreign_values(&self.scope_filter().unwrap_or_default())? {
            if keep(&f) {
                groups
                    .entry(key(&f))
                    .or_default()
                    .push((f.currency.clone(), f.cents));
            }
        }
        Ok(groups
            .into_iter()
            .map(|(k, v)| {
                let m = Money::of(&self.plan, 0, v.iter().map(|(c, x)| (c.as_str(), *x)));
                (k, m)
            })
            .collect())
    }
}

/// One group of a report by month: its label and the received range it covers.
struct Month {
    label: String,
    from: i64,
    to: i64,
}

/// The index a report scans for a grouping, and the column its groups follow (in index order,
/// so that GROUP BY needs no sort).
fn by_index(by: By) -> (&'static str, &'static str) {
    match by {
        By::Source => ("leads_by_source", "l.source"),
        By::Owner => ("leads_by_owner", "l.owner"),
        By::Month => ("leads_received", "l.received_at"),
    }
}

impl Store {
    /// Prepare a report statement (cached), noting it when the plans are being collected;
    /// narrowed to the owners in scope, if any (see [`Store::scoped_to`]).
    fn prep(&self, sql: &str) -> Result<rusqlite::CachedStatement<'_>> {
        if self.scope_filter().is_some() {
            return Ok(self.conn.prepare_cached(&super::owners::scoped_sql(sql))?);
        }
        self.prep_book(sql)
    }

    /// [`Store::prep`] for a statement about the whole book, whatever the owners in scope.
    fn prep_book(&self, sql: &str) -> Result<rusqlite::CachedStatement<'_>> {
        if let Some(seen) = self.plans.borrow_mut().as_mut()
            && !seen.iter().any(|s| s == sql)
        {
            seen.push(sql.to_string());
        }
        Ok(self.conn.prepare_cached(sql)?)
    }

    /// Every report statement, run with every grouping, with its query plan: for the test that
    /// checks each reads through an index in order, without a sort over the whole book.
    pub fn report_plans(&self, now: &Now) -> Result<Vec<(String, String)>> {
        let period = Period {
            since: DateTime::from_timestamp(0, 0).unwrap_or_default(),
            until: now.utc,
        };
        *self.plans.borrow_mut() = Some(Vec::new());
        let run = || -> Result<()> {
            for by in [By::Source, By::Owner, By::Month] {
                self.report_funnel(&period, by)?;
                self.report_speed(&period, by)?;
            }
            self.report_owners(&period, now)?;
            self.report_losses(&period)?;
            self.report_recycling(&period)?;
            self.report_forecast(now)?;
            self.report_discipline(now)?;
            self.report_sources(&period)?;
            self.report_cohorts(&period, now)?;
            Ok(())
        };
        let ran = run();
        let seen = self.plans.borrow_mut().take().unwrap_or_default();
        ran?;
        let mut out = Vec::new();
        for sql in seen {
            let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            for i in 1..=stmt.parameter_count() {
                stmt.raw_bind_parameter(i, rusqlite::types::Null)?;
            }
            let mut rows = stmt.raw_query();
            let mut lines = Vec::new();
            while let Some(r) = rows.next()? {
                lines.push(r.get::<_, String>(3)?);
            }
            let plan = lines.join("\n");
            out.push((sql, plan));
        }
        Ok(out)
    }

    /// The non-empty local months of a range (the book's zone), found by seeking from one to the next through
    /// `index` on `col` (`l` is the alias; `cond` narrows it): a handful of look-ups, whatever
    /// the size of the book and however far apart the dates.
    fn months_with(
        &self,
        index: &str,
        col: &str,
        cond: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<Month>> {
        // Names and conditions are constants of this module, never input.
        let sql = format!(
            "SELECT {col} FROM leads l INDEXED BY {index} WHERE {cond} AND {col} >= ?1 \
             AND {col} < ?2 ORDER BY {col} LIMIT 1"
        );
        let mut stmt = self.prep(&sql)?;
        let mut out = Vec::new();
        let zone = self.month_zone;
        let mut at = from;
        while let Some(t) = stmt
            .query_row(params![at, to], |r| r.get::<_, i64>(0))
            .optional()?
        {
            let end = months::next_month(zone, t).min(to);
            out.push(Month {
                label: months::month_label(zone, t),
                from: t.max(from),
                to: end,
            });
            if end <= t {
                break;
            }
            at = end;
        }
        Ok(out)
    }

    /// The months in which leads were received within the period.
    fn received_months(&self, period: &Period) -> Result<Vec<Month>> {
        let (since, until) = period.bounds();
        self.months_with(
            "leads_received",
            "l.received_at",
            "l.deleted_at IS NULL",
            since,
            until,
        )
    }

    /// Run `aggregate` (selecting from `leads l INDEXED BY {index}` with `{where}` narrowing to
    /// the period) once per group: one statement grouped in index order for sources and owners,
    /// one range per month for months. Returns each group's label with its row.
    fn grouped<T>(
        &self,
        period: &Period,
        by: By,
        aggregate: &str,
        row: impl Fn(&rusqlite::Row, usize) -> rusqlite::Result<T>,
    ) -> Result<Vec<(String, T)>> {
        let (since, until) = period.bounds();
        let (index, col) = by_index(by);
        let base = aggregate.replace("{index}", index).replace(
            "{where}",
            "l.deleted_at IS NULL AND l.received_at >= ?1 AND l.received_at < ?2",
        );
        let mut out = Vec::new();
        if by == By::Month {
            let mut stmt = self.prep(&base)?;
            for m in self.received_months(period)? {
                let r = stmt.query_row(params![m.from, m.to], |r| row(r, 0))?;
                out.push((m.label, r));
            }
        } else {
            let sql = format!(
                "{} GROUP BY {col}",
                base.replacen("SELECT ", &format!("SELECT coalesce({col}, '(none)'), "), 1)
            );
            let mut stmt = self.prep(&sql)?;
            let rows = stmt.query_map(params![since, until], |r| Ok((r.get(0)?, row(r, 1)?)))?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// received → contacted → qualified → won, grouped.
    pub fn report_funnel(&self, period: &Period, by: By) -> Result<Vec<FunnelRow>> {
        let rows = self.grouped(
            period,
            by,
            &format!(
                "SELECT count(*), count(*) FILTER (WHERE l.status <> 'new'), \
                 count(*) FILTER (WHERE {QUALIFIED}), count(*) FILTER (WHERE l.status = 'won') \
                 FROM leads l INDEXED BY {{index}} WHERE {{where}}"
            ),
            |r, i| {
                Ok([
                    r.get::<_, i64>(i)?,
                    r.get(i + 1)?,
                    r.get(i + 2)?,
                    r.get(i + 3)?,
                ])
            },
        )?;
        let mut out: Vec<FunnelRow> = rows
            .into_iter()
            .filter(|(_, n)| n[0] > 0)
            .map(|(group, n)| FunnelRow {
                group,
                received: n[0],
                contacted: n[1],
                qualified: n[2],
                won: n[3],
            })
            .collect();
        // Months stay in the order of the calendar; sources and owners go biggest first.
        if by != By::Month {
            out.sort_by(|a, b| b.received.cmp(&a.received).then(a.group.cmp(&b.group)));
        }
        Ok(out)
    }

    /// Hours from receipt to first contact, grouped. The leads come from the report index; the
    /// contacted ones from `contacts` (see `contacts.rs`), whose indexes keep each group's leads
    /// in order of hours, so the median and 90th percentile are each one seek.
    pub fn report_speed(&self, period: &Period, by: By) -> Result<Vec<SpeedRow>> {
        let (since, until) = period.bounds();
        let leads = self.grouped(
            period,
            by,
            "SELECT count(*), count(*) FILTER (WHERE l.status = 'new') \
             FROM leads l INDEXED BY {index} WHERE {where}",
            |r, i| Ok((r.get::<_, i64>(i)?, r.get::<_, i64>(i + 1)?)),
        )?;
        let (index, group, closed_index) = match by {
            By::Source => (
                "contacts_by_source",
                "c.source IS ?3",
                "uncontacted_by_source",
            ),
            By::Owner => ("contacts_by_owner", "c.owner = ?3", "uncontacted_by_owner"),
            By::Month => ("contacts_by_month", "c.month = ?3", "uncontacted_by_month"),
        };
        // The leads qualified, disqualified or won straight from the inbox: never contacted.
        let mut closed = self.prep(&format!(
            "SELECT count(*) FROM uncontacted c INDEXED BY {closed_index} WHERE {group} \
             AND c.received_at >= ?1 AND c.received_at < ?2"
        ))?;
        // The leads first contacted while new (see `contacts.rs`): the ones whose speed the
        // book knows.
        let narrow = format!(
            "FROM contacts c INDEXED BY {index} WHERE {group} AND c.secs IS NOT NULL \
             AND c.received_at >= ?1 AND c.received_at < ?2"
        );
        let mut counts = self.prep(&format!(
            "SELECT count(*), count(*) FILTER (WHERE c.secs <= 172800) {narrow}"
        ))?;
        let mut nth = self.prep(&format!(
            "SELECT c.secs {narrow} ORDER BY c.secs LIMIT 1 OFFSET ?4"
        ))?;
        let mut out = Vec::new();
        for (label, (n, still_new)) in leads.into_iter().filter(|(_, (n, _))| *n > 0) {
            // The group's own value: `(none)` stands for leads without a source.
            let key: Option<&str> = (!(by == By::Source && label == "(none)")).then_some(&label);
            let (timed, within): (i64, i64) =
                counts.query_row(params![since, until, key], |r| Ok((r.get(0)?, r.get(1)?)))?;
            // Nearest rank, 1-based: the median is the ((n + 1) / 2)th, the p90 the
            // ((9n + 9) / 10)th.
            let mut rank = |k: i64| -> Result<Option<f64>> {
                if timed == 0 {
                    return Ok(None);
                }
                let secs: i64 = nth.query_row(params![since, until, key, k - 1], |r| r.get(0))?;
                Ok(Some(secs as f64 / 3600.0))
            };
            let median_hours = rank((timed + 1) / 2)?;
            let p90_hours = rank((timed * 9 + 9) / 10)?;
            let left_uncontacted: i64 =
                closed.query_row(params![since, until, key], |r| r.get(0))?;
            let never = still_new + left_uncontacted;
            // Contacted, at a known time or not: neither still new nor closed uncontacted.
            let contacted = (n - never).max(timed);
            out.push(SpeedRow {
                group: label,
                leads: n,
                contacted,
                within_48h: within,
                never_contacted: never,
                // Left 'new' without a contact logged while new: imported as working or
                // further along (the old CRM knew when), or closed without a call.
                untimed: contacted - timed,
                median_hours,
                p90_hours,
            });
        }
        if by != By::Month {
            out.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.group.cmp(&b.group)));
        }
        Ok(out)
    }

    /// Per owner: leads received in the period, won, lost, win rate, days to close, revenue,
    /// and now: overdue follow-ups and the oldest one's days. One row per owner however spelled
    /// (the first spelling), the unassigned in one row of their own, last.
    pub fn report_owners(&self, period: &Period, now: &Now) -> Result<Vec<OwnerRow>> {
        let rows = self.grouped(
            period,
            By::Owner,
            "SELECT count(*), count(*) FILTER (WHERE l.status = 'won'), \
               count(*) FILTER (WHERE l.status = 'lost'), \
               count(*) FILTER (WHERE l.status IN ('won','lost') AND l.closed_at IS NOT NULL), \
               sum(CASE WHEN l.status IN ('won','lost') AND l.closed_at IS NOT NULL \
                   THEN (l.closed_at - l.received_at) / 86400.0 END), \
               coalesce(sum(l.value_cents) FILTER (WHERE l.status = 'won'), 0) \
             FROM leads l INDEXED BY {index} WHERE {where}",
            |r, i| {
                Ok((
                    r.get::<_, i64>(i)?,
                    r.get::<_, i64>(i + 1)?,
                    r.get::<_, i64>(i + 2)?,
                    r.get::<_, i64>(i + 3)?,
                    r.get::<_, Option<f64>>(i + 4)?,
                    r.get::<_, i64>(i + 5)?,
                ))
            },
        )?;
        let today = now.start_of_today().timestamp();
        let mut stmt = self.prep(
            "SELECT owner, count(*), min(next_follow_up) FROM leads INDEXED BY leads_due_by_owner \
             WHERE status IN ('new','working','open') AND deleted_at IS NULL \
               AND next_follow_up < ?1 GROUP BY owner",
        )?;
        let overdue: BTreeMap<String, (i64, i64)> = stmt
            .query_map([today], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let mut foreign = self.foreign_by(
            |f| f.status == Status::Won && period.holds(f.received_at),
            |f| f.owner.clone(),
        )?;
        // One row per owner, however the book spells them: the key's first spelling.
        let key = owner_row;
        let mut owners: Vec<String> = rows.iter().map(|(o, _)| o.clone()).collect();
        owners.extend(overdue.keys().cloned());
        owners.sort();
        owners.dedup();
        let mut out: Vec<(OwnerRow, i64, f64, i64)> = Vec::new();
        for owner in owners {
            let (leads, won, lost, closed, days, revenue) = rows
                .iter()
                .find(|(o, _)| *o == owner)
                .map_or((0, 0, 0, 0, None, 0), |(_, r)| *r);
            let (late, oldest) = overdue.get(&owner).copied().unwrap_or((0, i64::MAX));
            let m = foreign.remove(&owner).unwrap_or_default();
            let i = match out.iter().position(|(r, ..)| key(&r.owner) == key(&owner)) {
                Some(i) => i,
                None => {
                    out.push((
                        OwnerRow {
                            unassigned: is_unassigned(&owner),
                            owner: owner.clone(),
                            leads: 0,
                            won: 0,
                            lost: 0,
                            win_rate: None,
                            avg_days_to_close: None,
                            revenue: 0.0,
                            other_currencies: BTreeMap::new(),
                            share_48h: None,
                            overdue: 0,
                            oldest_overdue_days: None,
                        },
                        0,
                        0.0,
                        i64::MAX,
                    ));
                    out.len() - 1
                }
            };
            let (row, n_closed, sum_days, first_due) = &mut out[i];
            row.leads += leads;
            row.won += won;
            row.lost += lost;
            row.revenue += (revenue + m.cents) as f64 / 100.0;
            for (c, v) in whole(m.apart) {
                *row.other_currencies.entry(c).or_default() += v;
            }
            row.overdue += late;
            *n_closed += closed;
            *sum_days += days.unwrap_or(0.0);
            *first_due = (*first_due).min(oldest);
        }
        let mut out: Vec<OwnerRow> = out
            .into_iter()
            .filter(|(r, ..)| r.leads > 0 || r.overdue > 0)
            .map(|(mut r, closed, days, first_due)| {
                r.win_rate = (r.won + r.lost > 0).then(|| r.won as f64 / (r.won + r.lost) as f64);
                r.avg_days_to_close = (closed > 0).then(|| days / closed as f64);
                r.oldest_overdue_days =
                    (first_due != i64::MAX).then(|| (now.utc.timestamp() - first_due) / 86_400);
                r
            })
            .collect();
        // In the owners' order, as before; the unassigned last.
        out.sort_by(|a, b| (a.unassigned, &a.owner).cmp(&(b.unassigned, &b.owner)));
        Ok(out)
    }

    /// Lost and disqualified leads closed in the period, by reason.
    pub fn report_losses(&self, period: &Period) -> Result<Vec<LossRow>> {
        let (since, until) = period.bounds();
        let mut stmt = self.prep(
            "SELECT status, coalesce(reason, '(none)'), count(*), coalesce(sum(value_cents), 0) \
             FROM leads INDEXED BY leads_lost WHERE deleted_at IS NULL AND status IN ('lost','disqualified') \
             AND closed_at >= ?1 AND closed_at < ?2 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        )?;
        let mut foreign = self.foreign_by(
            |f| {
                matches!(f.status, Status::Lost | Status::Disqualified)
                    && f.closed_at.is_some_and(|t| period.holds(t))
            },
            |f| {
                let reason = f.reason.as_deref().unwrap_or("(none)");
                format!("{}\u{1f}{reason}", f.status)
            },
        )?;
        let rows = stmt.query_map(params![since, until], |r| {
            let v: i64 = r.get(3)?;
            let (status, reason): (String, String) = (r.get(0)?, r.get(1)?);
            let m = foreign
                .remove(&format!("{status}\u{1f}{reason}"))
                .unwrap_or_default();
            Ok(LossRow {
                status,
                reason,
                count: r.get(2)?,
                value: (v + m.cents) as f64 / 100.0,
                other_currencies: whole(m.apart),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Do recycled leads convert better than fresh ones? Over the leads won or lost in the
    /// period (closed in it, as the losses by reason are), so that "recycled leads won this
    /// quarter" is a question it answers.
    pub fn report_recycling(&self, period: &Period) -> Result<RecycleOutcome> {
        let (since, until) = period.bounds();
        // Recycled and all, among the wins and then among the losses of the period.
        let count = |sql: &str| -> Result<(i64, i64)> {
            Ok(self
                .prep(sql)?
                .query_row(params![since, until], |r| Ok((r.get(0)?, r.get(1)?)))?)
        };
        let (recycled_won, won) = count(
            "SELECT count(*) FILTER (WHERE recycle_count > 0), count(*) \
             FROM leads INDEXED BY leads_won WHERE status = 'won' AND deleted_at IS NULL \
             AND closed_at >= ?1 AND closed_at < ?2",
        )?;
        let (recycled_lost, lost) = count(
            "SELECT count(*) FILTER (WHERE recycle_count > 0), count(*) \
             FROM leads INDEXED BY leads_lost WHERE status IN ('lost','disqualified') \
             AND deleted_at IS NULL AND status = 'lost' AND closed_at >= ?1 AND closed_at < ?2",
        )?;
        Ok(RecycleOutcome {
            recycled_won,
            recycled_closed: recycled_won + recycled_lost,
            fresh_won: won - recycled_won,
            fresh_closed: won - recycled_won + lost - recycled_lost,
        })
    }

    /// Open pipeline by expected month (ripe_on), weighted by stage probability: the overdue
    /// and unset groups and then each month are ranges of the forecast index, so no sort.
    /// Overdue is what the ripening board calls overdue: ripe before today (not before this
    /// month), so that the two agree on one book.
    pub fn report_forecast(&self, now: &Now) -> Result<Vec<ForecastRow>> {
        let p = &self.plan.stage_probability;
        let today = now.start_of_today().timestamp();
        let weight = "CASE l.stage WHEN 'green' THEN ?3 WHEN 'warming' THEN ?4 \
                   WHEN 'ripe' THEN ?5 WHEN 'proposal' THEN ?6 WHEN 'negotiation' THEN ?7 ELSE 0 END";
        let select = format!(
            "SELECT count(*), coalesce(sum(l.value_cents), 0), \
               coalesce(sum(coalesce(l.value_cents, 0) * {weight}), 0), coalesce(sum({weight}), 0) \
             FROM leads l INDEXED BY leads_forecast WHERE l.status = 'open' AND l.deleted_at IS NULL"
        );
        let mut range = self.prep(&format!("{select} AND l.ripe_on >= ?1 AND l.ripe_on < ?2"))?;
        let mut unset = self.prep(&format!(
            "{select} AND l.ripe_on IS NULL AND ?1 IS NULL AND ?2 IS NULL"
        ))?;
        let mut groups = vec![("overdue".to_string(), Some(i64::MIN), Some(today))];
        for m in self.months_with(
            "leads_forecast",
            "l.ripe_on",
            "l.status = 'open' AND l.deleted_at IS NULL",
            today,
            i64::MAX,
        )? {
            groups.push((m.label, Some(m.from), Some(m.to)));
        }
        groups.push(("not set".to_string(), None, None));
        let open_foreign = self.foreign_open(&self.scope_filter().unwrap_or_default())?;
        let mut out = Vec::new();
        for (month, from, to) in groups {
            let stmt = if from.is_some() {
                &mut range
            } else {
                &mut unset
            };
            let inside = |f: &Foreign| match (from, f.ripe_on) {
                (Some(a), Some(t)) => t >= a && to.is_none_or(|b| t < b),
                (None, None) => true,
                _ => false,
            };
            let (mut value, weighted_foreign) = weigh_foreign(
                &self.plan,
                open_foreign.iter().filter(|f| inside(f)).map(|f| {
                    (
                        f.currency.as_str(),
                        f.cents,
                        f.stage.map_or(0.0, |s| p.of(s)),
                    )
                }),
            );
            let row = stmt.query_row(
                params![
                    from,
                    to,
                    p.green,
                    p.warming,
                    p.ripe,
                    p.proposal,
                    p.negotiation
                ],
                |r| {
                    let v: i64 = r.get(1)?;
                    let w: f64 = r.get::<_, f64>(2)? + weighted_foreign;
                    Ok(ForecastRow {
                        month,
                        leads: r.get(0)?,
                        value: (v + value.cents) as f64 / 100.0,
                        weighted: (w / 100.0).round(),
                        expected_wins: StageProbability::wins_shown(r.get(3)?),
                        other_currencies: whole(std::mem::take(&mut value.apart)),
                    })
                },
            )?;
            if row.leads > 0 {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Share of open leads touched in the last 30 days, and stale counts. A lead's last touch is
    /// its last contact, or its receipt if it has none: the active leads are counted by receipt
    /// from their indexes, and the contacted ones (from `contacts`) are then moved from their
    /// receipt to their last contact — three ordered passes, no look-up per lead.
    pub fn report_discipline(&self, now: &Now) -> Result<Discipline> {
        let t = now.utc.timestamp();
        let month = t - 30 * 86_400;
        let stale = t - self.plan.stale_days * 86_400;
        // By receipt, from the cached tallies (see `tally.rs`); for some owners, from their
        // leads.
        let (open, open_recent, open_old, inbox_old) = if self.scope_filter().is_some() {
            let (open, recent, old): (i64, i64, i64) = self
                .prep(
                    "SELECT count(*), count(*) FILTER (WHERE received_at >= ?1), \
                       count(*) FILTER (WHERE received_at < ?2) \
                     FROM leads INDEXED BY leads_pipeline WHERE status = 'open' \
                       AND deleted_at IS NULL",
                )?
                .query_row(params![month, stale], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            let inbox_old: i64 = self
                .prep(
                    "SELECT count(*) FROM leads INDEXED BY leads_inbox \
                     WHERE status IN ('new','working') AND deleted_at IS NULL \
                       AND received_at < ?1",
                )?
                .query_row([stale], |r| r.get(0))?;
            (open, recent, old, inbox_old)
        } else {
            let open = self.tally_total("open")?.0;
            (
                open,
                open - self.tally_before("openr", month)?,
                self.tally_before("openr", stale)?,
                self.tally_before("inboxr", stale)?,
            )
        };
        // The contacted ones: [received in 30 days − touched in 30 days,
        //                      received before the line − touched before the line].
        let shift = |statuses: &str| -> Result<[i64; 2]> {
            let sql = format!(
                "SELECT count(*) FILTER (WHERE received_at >= ?1) \
                       - count(*) FILTER (WHERE last_at >= ?1), \
                   count(*) FILTER (WHERE received_at < ?2) - count(*) FILTER (WHERE last_at < ?2) \
                 FROM contacts INDEXED BY contacts_by_status WHERE status IN {statuses}"
            );
            Ok(self
                .prep(&sql)?
                .query_row(params![month, stale], |r| Ok([r.get(0)?, r.get(1)?]))?)
        };
        let open_shift = shift("('open')")?;
        let inbox_shift = shift("('new','working')")?;
        Ok(Discipline {
            open,
            touched_30d: open_recent - open_shift[0],
            stale: open_old - open_shift[1],
            active_stale: open_old + inbox_old - open_shift[1] - inbox_shift[1],
        })
    }

    /// Per source: leads received in the period, qualified, won, revenue, and its latest cost.
    pub fn report_sources(&self, period: &Period) -> Result<Vec<SourceRow>> {
        let rows = self.grouped(
            period,
            By::Source,
            &format!(
                "SELECT count(*), count(*) FILTER (WHERE {QUALIFIED}), \
               count(*) FILTER (WHERE l.status = 'won'), \
               coalesce(sum(l.value_cents) FILTER (WHERE l.status = 'won'), 0), \
               l.source IS NULL \
             FROM leads l INDEXED BY {{index}} WHERE {{where}}"
            ),
            |r, i| {
                Ok((
                    r.get::<_, i64>(i)?,
                    r.get::<_, i64>(i + 1)?,
                    r.get::<_, i64>(i + 2)?,
                    r.get::<_, i64>(i + 3)?,
                    r.get::<_, bool>(i + 4)?,
                ))
            },
        )?;
        let mut foreign = self.foreign_by(
            |f| f.status == Status::Won && period.holds(f.received_at),
            |f| f.source.clone().unwrap_or_else(|| "(none)".into()),
        )?;
        let mut out = Vec::new();
        for (source, (leads, qualified, won, rev, unnamed)) in rows {
            let m = foreign.remove(&source).unwrap_or_default();
            if leads == 0 {
                continue;
            }
            let cost = if unnamed {
                None
            } else {
                self.source_cost(&source)?
            };
            let share = match cost {
                Some(_) => {
                    // Of all the source's leads, whoever's: an owner's leads carry their share
                    // of what the source cost.
                    let all: i64 = self
                        .prep_book(
                            "SELECT count(*) FROM leads INDEXED BY leads_by_source \
                             WHERE deleted_at IS NULL AND source = ?1",
                        )?
                        .query_row([&source], |r| r.get(0))?;
                    leads as f64 / all.max(leads) as f64
                }
                None => 1.0,
            };
            let cost = cost.map(|c| c as f64 / 100.0);
            out.push(SourceRow {
                source,
                leads,
                qualified,
                won,
                revenue: (rev + m.cents) as f64 / 100.0,
                cost,
                cost_period: cost.map(|c| c * share),
                other_currencies: whole(m.apart),
            });
        }
        out.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.source.cmp(&b.source)));
        Ok(out)
    }

    /// For each monthly cohort received in the period, how many were won within 1..=12 months
    /// (a month being 1/12 of a year, 2,629,800 s). The cohorts' sizes are ranges of the received
    /// index; the wins come from the (much smaller) won index, bucketed by months to the win.
    pub fn report_cohorts(&self, period: &Period, now: &Now) -> Result<Vec<CohortRow>> {
        let (since, until) = period.bounds();
        let mut size = self.prep(
            "SELECT count(*) FROM leads INDEXED BY leads_received \
             WHERE deleted_at IS NULL AND received_at >= ?1 AND received_at < ?2",
        )?;
        let mut out = Vec::new();
        for m in self.received_months(period)? {
            out.push(CohortRow {
                received: size.query_row(params![m.from, m.to], |r| r.get(0))?,
                cohort: m.label,
                won_by_month: vec![0; 12],
                elapsed: usize::try_from((now.utc.timestamp() - m.from) / 2_629_800)
                    .unwrap_or(0)
                    .min(12),
            });
        }
        let mut wins = self.prep(
            "SELECT ripen_month(received_at) AS c, \
               max((closed_at - received_at) / 2629800, 0) AS k, count(*) \
             FROM leads INDEXED BY leads_won WHERE status = 'won' AND deleted_at IS NULL \
             AND received_at >= ?1 AND received_at < ?2 AND closed_at < received_at + 12 * 2629800 \
             GROUP BY c, k",
        )?;
        let rows = wins.query_map(params![since, until], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (cohort, k, n) = row?;
            if let Some(c) = out.iter_mut().find(|c| c.cohort == cohort) {
                // Won within k + 1 months, and so within every later month too.
                for slot in c.won_by_month.iter_mut().skip(k as usize) {
                    *slot += n;
                }
            }
        }
        Ok(out)
    }
}
