//! The ripening view of the pipeline: open leads grouped by the month they are expected to ripen
//! (overdue, this month, next, +2, +3, later or unset), and the next moment anything falls due,
//! so the terminal app can wake exactly then.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rusqlite::OptionalExtension;

use super::query::{Filter, Placed, View};
use super::row::LeadRow;
use super::tally::RIPE_KINDS;
use super::view_sql::FORECAST_SUMS;
use super::{Result, Store};
use crate::domain::money::weigh_foreign;
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
    /// In the book's currency: its own values, and others at the user's rates.
    pub value_cents: i64,
    pub weighted_cents: i64,
    /// Values in currencies without a rate, per currency.
    pub apart: crate::domain::money::Apart,
    /// How many of these leads the stage probabilities expect to be won.
    pub expected_wins: f64,
}

fn month_start(day: NaiveDate, ahead: u32) -> Option<NaiveDate> {
    day.with_day(1)?.checked_add_months(Months::new(ahead))
}

impl RipeBucket {
    /// The six groups' names and ends, oldest first, nothing counted yet: overdue, this month
    /// and the next three, and later or unset.
    pub fn months(now: &Now) -> Vec<RipeBucket> {
        let today = now.today();
        let start = |ahead: u32| month_start(today, ahead).map(|d| now.start_of(d));
        let label = |ahead: u32| {
            month_start(today, ahead)
                .map(|d| d.format("%b %Y").to_string())
                .unwrap_or_default()
        };
        let bucket = |label: String, from, to, unset| RipeBucket {
            label,
            from,
            to,
            unset,
            count: 0,
            value_cents: 0,
            weighted_cents: 0,
            apart: Default::default(),
            expected_wins: 0.0,
        };
        vec![
            bucket("overdue".into(), None, Some(now.start_of_today()), false),
            bucket(label(0), Some(now.start_of_today()), start(1), false),
            bucket(label(1), start(1), start(2), false),
            bucket(label(2), start(2), start(3), false),
            bucket(label(3), start(3), start(4), false),
            bucket("later/unset".into(), start(4), None, true),
        ]
    }

    /// Whether a lead ripe on `ripe_on` falls in the group, as its [`RipeBucket::view`] says.
    pub fn holds(&self, ripe_on: Option<i64>) -> bool {
        match ripe_on {
            None => self.unset,
            Some(t) => {
                self.from.is_none_or(|f| t >= f.timestamp())
                    && self.to.is_none_or(|to| t < to.timestamp())
            }
        }
    }

    /// The group as a view: its leads, soonest ripe first.
    pub fn view(&self) -> View {
        View::Ripe {
            from: self.from,
            to: self.to,
            unset: self.unset,
        }
    }
}

impl Store {
    /// [`Store::value_numbered`]'s sums for leads already placed by
    /// [`Store::few_matches_split`], without reading them again: their value, that value
    /// weighted by each lead's stage probability (summed as floats and rounded once, as the SQL
    /// sums are), and the wins those probabilities expect.
    pub fn value_placed<'a>(
        &self,
        placed: impl IntoIterator<Item = &'a Placed>,
    ) -> (i64, i64, f64) {
        let p = &self.plan().stage_probability;
        let (mut value, mut weighted, mut wins) = (0, 0f64, 0f64);
        for lead in placed {
            let probability = lead.stage.map_or(0.0, |s| p.of(s));
            let cents = lead.value_cents.unwrap_or(0);
            value += cents;
            weighted += cents as f64 * probability;
            wins += probability;
        }
        (value, weighted.round() as i64, wins)
    }

    /// The six ripening groups with count, total and weighted value, oldest first.
    pub fn ripening_buckets(&self, now: &Now, filter: &Filter) -> Result<Vec<RipeBucket>> {
        let mut buckets = self.ripening_home(now, filter)?;
        // The values in other currencies (already counted as leads): at the user's rates, or
        // apart.
        let foreign = self.foreign_open(filter)?;
        let p = &self.plan().stage_probability;
        for b in &mut buckets {
            let (money, weighted) = weigh_foreign(
                self.plan(),
                foreign.iter().filter(|f| b.holds(f.ripe_on)).map(|f| {
                    (
                        f.currency.as_str(),
                        f.cents,
                        f.stage.map_or(0.0, |s| p.of(s)),
                    )
                }),
            );
            b.value_cents += money.cents;
            b.weighted_cents += weighted.round() as i64;
            b.apart = money.apart;
        }
        Ok(buckets)
    }

    /// [`Store::ripening_buckets`] in the book's own currency.
    fn ripening_home(&self, now: &Now, filter: &Filter) -> Result<Vec<RipeBucket>> {
        if *filter == Filter::default() {
            return self.ripening_from_tallies(now);
        }
        let mut buckets = RipeBucket::months(now);
        let probabilities = self.probabilities();
        for b in &mut buckets {
            // Each group a range of the compact forecast index (see `View::Ripe`), read
            // without touching the leads unless a word filter asks for their names.
            let (sql, s) = self.prepared(
                &b.view(),
                filter,
                &format!("SELECT count(*), {FORECAST_SUMS} FROM {{from}}"),
                "",
            );
            let mut params = Self::params(&sql, &s, filter, &[]);
            params.extend(
                probabilities
                    .iter()
                    .map(|(name, p)| (*name, p as &dyn rusqlite::ToSql)),
            );
            let (count, value, weighted, wins): (i64, i64, f64, f64) = self
                .conn
                .prepare_cached(&sql)?
                .query_row(params.as_slice(), |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })?;
            b.count = count;
            b.value_cents = value;
            b.weighted_cents = weighted.round() as i64;
            b.expected_wins = wins;
        }
        Ok(buckets)
    }

    /// [`Store::ripening_buckets`] unfiltered, from the cached tallies (see `tally.rs`): per
    /// stage, the leads ripe before each group's end, and the stage's whole for those with no
    /// ripe date. A few dozen look-ups at any size.
    fn ripening_from_tallies(&self, now: &Now) -> Result<Vec<RipeBucket>> {
        let mut buckets = RipeBucket::months(now);
        // Weighted values summed as floats and rounded once, as the range sums do.
        let mut weighted = vec![0f64; buckets.len()];
        let by_rank = self.tally_by_key("stage")?;
        // Far enough ahead for any ripe date, and far from overflowing a day's arithmetic.
        const NEVER: i64 = i64::MAX / 4;
        for (rank, (stage, kind)) in Stage::ALL.into_iter().zip(RIPE_KINDS).enumerate() {
            let p = self.plan().stage_probability.of(stage);
            // Each group's end; the last group runs to the end of time.
            let mut before = Vec::with_capacity(buckets.len());
            for b in &buckets {
                let end = b.to.map_or(NEVER, |t| t.timestamp());
                before.push(self.tally_before_cents(kind, end)?);
            }
            let (all_n, all_cents) = by_rank
                .iter()
                .find(|(r, _, _)| *r == rank as i64)
                .map_or((0, 0), |&(_, n, c)| (n, c));
            let mut last = (0, 0);
            for (i, (b, &(n, cents))) in buckets.iter_mut().zip(&before).enumerate() {
                let (mut dn, mut dc) = (n - last.0, cents - last.1);
                last = (n, cents);
                if b.unset && i + 1 == before.len() {
                    // The stage's leads with no ripe date: its whole, less those with one.
                    dn += all_n - n;
                    dc += all_cents - cents;
                }
                b.count += dn;
                b.value_cents += dc;
                b.expected_wins += dn as f64 * p;
                weighted[i] += dc as f64 * p;
            }
        }
        for (b, w) in buckets.iter_mut().zip(weighted) {
            b.weighted_cents = w.round() as i64;
        }
        Ok(buckets)
    }

    /// A window of one ripening group, soonest ripe first.
    pub fn ripening_list(
        &self,
        bucket: &RipeBucket,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<LeadRow>> {
        self.list(&bucket.view(), filter, offset, limit)
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
