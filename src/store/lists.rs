//! Listing a view: a window of rows, the numbers a filter matches, the values and counts the
//! tabs and status line show, the pipeline's columns. The SQL comes from `view_sql.rs`.

use rusqlite::ToSql;

use super::query::{Counts, Filter, PipelineColumn, Placed, View};
use super::row::{LeadRow, lead_row, parse_opt, row_select};
use super::view_sql::{FEW_MATCHES, FORECAST_SUMS};
use super::{Result, Store, search};
use crate::domain::money::Money;
use crate::domain::{Now, Stage};

impl Store {
    /// A window of a view: `limit` rows from `offset`.
    pub fn list(
        &self,
        view: &View,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<LeadRow>> {
        if let View::Ripe {
            from: Some(from),
            to: None,
            unset: true,
        } = *view
        {
            // The ripening board's last group: the undated leads (first in its order, as NULL
            // sorts first), then those ripe from `from`. Read as one walk of `leads_forecast`,
            // it would step over every lead ripe before `from` between the two, most of the
            // pipeline (15 ms a window on a million leads); read as its two parts, each is a
            // seek.
            let mut rows = self.list(&View::Undated, filter, offset, limit)?;
            if rows.len() < limit {
                // Past the undated leads: how far past, when this window holds none of them.
                let skip = if rows.is_empty() {
                    let undated = self.count(&View::Undated, filter)?;
                    offset.saturating_sub(usize::try_from(undated).unwrap_or(0))
                } else {
                    0
                };
                let dated = View::Ripe {
                    from: Some(from),
                    to: None,
                    unset: false,
                };
                rows.extend(self.list(&dated, filter, skip, limit - rows.len())?);
            }
            return Ok(rows);
        }
        let (sql, s) = self.select_rows(view, filter, false);
        let extra = [
            (":limit", i64::try_from(limit).unwrap_or(i64::MAX)),
            (":offset", i64::try_from(offset).unwrap_or(i64::MAX)),
        ];
        let params = Self::params(&sql, &s, filter, &extra);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params.as_slice(), lead_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The short numbers of a view's first `cap` leads under `filter`, in the view's order: one
    /// walk that both counts a filtered list (up to `cap`) and tells which leads fill any window
    /// of it, fetched then with [`Store::rows_numbered`]. A common word's matches are found by
    /// walking the view, so walking once instead of once to count and again per window is what
    /// keeps a filter keystroke quick.
    pub fn match_numbers(&self, view: &View, filter: &Filter, cap: usize) -> Result<Vec<i64>> {
        let mut found = Vec::new();
        self.match_walk(view, filter, cap, None, &mut found)?;
        Ok(found)
    }

    fn match_walk(
        &self,
        view: &View,
        filter: &Filter,
        cap: usize,
        few: Option<bool>,
        found: &mut Vec<i64>,
    ) -> rusqlite::Result<()> {
        // One level, read in the view's order: each match comes out as the walk finds it, so
        // a walk stopped early still has its first matches.
        let (sql, s) = self.prepared_as(
            view,
            filter,
            "SELECT (SELECT n.number FROM lead_numbers n WHERE n.lead_uid = l.uid) FROM {from}",
            " ORDER BY {order} LIMIT :limit",
            few,
        );
        let extra = [(":limit", i64::try_from(cap).unwrap_or(i64::MAX))];
        let params = Self::params(&sql, &s, filter, &extra);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params.as_slice())?;
        while let Some(row) = rows.next()? {
            found.push(row.get(0)?);
        }
        Ok(())
    }

    /// [`Store::match_numbers`] for a screen: the first `want` numbers (or, when the matches
    /// are few enough to be read from the index and sorted, which costs the same, the first
    /// `cap`), stopped as soon as `stop` says so (it is asked every thousand or so steps of the
    /// walk). Returns the numbers found and whether they are all there are up to `cap`. This is
    /// how a keystroke bounds its walk, and how the count that runs while the user pauses gives
    /// way to their next key.
    pub fn match_numbers_until(
        &self,
        view: &View,
        filter: &Filter,
        want: usize,
        cap: usize,
        stop: impl FnMut() -> bool + Send + 'static,
    ) -> Result<(Vec<i64>, bool)> {
        // Few matches in the book are read from the index and sorted: bounded by
        // [`FEW_MATCHES`], and a sort has nothing to show until it ends, so it is not stopped.
        // When the cheap bounds cannot tell few from many, walk the view first: a word dense in
        // the view fills the screen at once, and only if the walk runs out is the dearer
        // question put to the index.
        let text = filter
            .text
            .as_deref()
            .filter(|t| search::match_expr(t).is_some());
        let bounds = text.and_then(|t| self.few_bounds(t));
        let mut found = Vec::new();
        if bounds == Some(true) {
            self.match_walk(view, filter, cap, Some(true), &mut found)?;
            return Ok((found, true));
        }
        let unsure = text.is_some() && bounds.is_none();
        self.conn.progress_handler(1000, Some(stop))?;
        let walked = self.match_walk(view, filter, want, text.map(|_| false), &mut found);
        self.conn.progress_handler(0, None::<fn() -> bool>)?;
        match walked {
            Ok(()) => {
                let all = found.len() < want || want >= cap;
                Ok((found, all))
            }
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                // Only a keystroke's own budget (a walk for a screen, `want` short of `cap`)
                // falls back on the index; a count stopped for a waiting key gives way at once.
                if unsure && want < cap && text.is_some_and(|t| self.few_matches(t)) {
                    // Few after all: read them from the index and sort them.
                    found.clear();
                    self.match_walk(view, filter, cap, Some(true), &mut found)?;
                    return Ok((found, true));
                }
                Ok((found, false))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every match of a text filter in `view`, in the view's order, when the filter's words
    /// match few leads in the book ([`FEW_MATCHES`], as the cheap bounds of
    /// [`Store::few_matches`] settle it), each with what places it in a column of a board;
    /// `None` when they may be many (each column then walks its own view).
    ///
    /// A board's columns split one view (the pipeline by stage, the open leads by ripe month),
    /// and each column's order is its part of that view's order. So the word index is read and
    /// its matches sorted once for the board, not once per column: on a book of 100,000, five
    /// columns reading a short word's few thousand matches each cost 30 ms a keystroke.
    pub fn few_matches_split(&self, view: &View, filter: &Filter) -> Result<Option<Vec<Placed>>> {
        let few = filter
            .text
            .as_deref()
            .filter(|t| search::match_expr(t).is_some())
            .and_then(|t| self.few_bounds(t));
        if few != Some(true) {
            return Ok(None);
        }
        let (sql, s) = self.prepared_as(
            view,
            filter,
            "SELECT (SELECT n.number FROM lead_numbers n WHERE n.lead_uid = l.uid), \
             l.stage, l.ripe_on, l.value_cents FROM {from}",
            " ORDER BY {order} LIMIT :limit",
            Some(true),
        );
        let extra = [(":limit", FEW_MATCHES)];
        let params = Self::params(&sql, &s, filter, &extra);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params.as_slice(), |r| {
            Ok(Placed {
                number: r.get(0)?,
                stage: parse_opt(r, 1)?,
                ripe_on: r.get(2)?,
                value_cents: r.get(3)?,
            })
        })?;
        Ok(Some(rows.collect::<rusqlite::Result<_>>()?))
    }

    /// The total value of the leads with these short numbers (a filtered board column's), that
    /// value weighted by each lead's stage probability, and the wins those probabilities expect.
    pub fn value_numbered(&self, numbers: &[i64]) -> Result<(i64, i64, f64)> {
        let list = serde_json::to_string(numbers).unwrap_or_else(|_| "[]".into());
        let probabilities = self.probabilities();
        let mut params: Vec<(&str, &dyn ToSql)> = vec![(":numbers", &list)];
        params.extend(
            probabilities
                .iter()
                .map(|(name, p)| (*name, p as &dyn ToSql)),
        );
        let (value, weighted, wins): (i64, f64, f64) = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FORECAST_SUMS} FROM lead_numbers n JOIN leads l ON l.uid = n.lead_uid \
                 WHERE n.number IN (SELECT value FROM json_each(:numbers))"
            ))?
            .query_row(params.as_slice(), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok((value, weighted.round() as i64, wins))
    }

    /// The leads with these short numbers, in this order; a number whose lead is gone (merged,
    /// or renumbered by another run since) is skipped.
    pub fn rows_numbered(&self, numbers: &[i64]) -> Result<Vec<LeadRow>> {
        let list = serde_json::to_string(numbers).unwrap_or_else(|_| "[]".into());
        // One statement for the window, in the order given.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM json_each(?1) j CROSS JOIN lead_numbers n ON n.number = j.value \
             JOIN leads l ON l.uid = n.lead_uid ORDER BY j.key",
            row_select()
        ))?;
        let rows = stmt.query_map([list], lead_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many leads a view holds.
    pub fn count(&self, view: &View, filter: &Filter) -> Result<i64> {
        // Unfiltered, the tabs' views are counted by the cached tallies (see `tally.rs`).
        if *filter == Filter::default() {
            match *view {
                View::Queue { until } => {
                    let until = until.timestamp();
                    return Ok(self.tally_before("due", until)? + self.tally_before("rec", until)?);
                }
                View::RecycledDue { until } => {
                    return self.tally_before("rec", until.timestamp());
                }
                View::Recycled => return Ok(self.tally_total("rec")?.0),
                View::Inbox => return Ok(self.tally_total("inbox")?.0),
                View::Pipeline => return Ok(self.tally_total("open")?.0),
                View::Won => return Ok(self.tally_total("won")?.0),
                View::Lost => return Ok(self.tally_total("lost")?.0),
                _ => {}
            }
        }
        let (sql, s) = self.prepared(view, filter, "SELECT count(*) FROM {from}", "");
        let params = Self::params(&sql, &s, filter, &[]);
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params.as_slice(), |r| r.get(0))?)
    }

    pub(super) fn explain_list(&self, view: &View, filter: &Filter) -> Result<String> {
        let (sql, s) = self.select_rows(view, filter, true);
        let extra = [(":limit", 50), (":offset", 0)];
        let params = Self::params(&sql, &s, filter, &extra);
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params.as_slice(), |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
    }

    /// The counts behind the tabs and `ripen status`.
    pub fn counts(&self, now: &Now) -> Result<Counts> {
        // All from the cached tallies (see `tally.rs`): a few look-ups at any size.
        let today = now.start_of_today().timestamp();
        let tomorrow = now.start_of_tomorrow().timestamp();
        let breach = now.utc.timestamp() - self.plan.first_contact.breach_hours * 3600;
        let overdue = self.tally_before("due", today)?;
        let due = self.tally_before("due", tomorrow)?;
        let recycled_due = self.tally_before("rec", tomorrow)?;
        let (pipeline, home_cents) = self.tally_total("open")?;
        let value = Money::of(
            &self.plan,
            home_cents,
            self.foreign_open(&Filter::default())?
                .iter()
                .map(|f| f.pair()),
        );
        Ok(Counts {
            inbox: self.tally_total("inbox")?.0,
            inbox_late: self.tally_before("new", breach)?,
            queue: due + recycled_due,
            overdue,
            due_today: due - overdue,
            pipeline,
            pipeline_value_cents: value.cents,
            pipeline_apart: value.apart,
            recycled_due,
            recycled: self.tally_total("rec")?.0,
        })
    }

    /// Count, total and weighted value of each pipeline stage.
    pub fn pipeline_columns(&self, filter: &Filter) -> Result<Vec<PipelineColumn>> {
        // Unfiltered, from the cached tallies (see `tally.rs`), keyed by the stage's rank.
        let by_rank = if *filter == Filter::default() {
            Some(self.tally_by_key("stage")?)
        } else {
            None
        };
        let foreign = self.foreign_open(filter)?;
        let mut out = Vec::new();
        for (rank, stage) in Stage::ALL.into_iter().enumerate() {
            let (count, value_cents) = match &by_rank {
                Some(by_rank) => by_rank
                    .iter()
                    .find(|(r, _, _)| *r == rank as i64)
                    .map_or((0, 0), |&(_, n, c)| (n, c)),
                None => {
                    let (sql, s) = self.prepared(
                        &View::Stage(stage),
                        filter,
                        "SELECT count(*), coalesce(sum(l.value_cents), 0) FROM {from}",
                        "",
                    );
                    let params = Self::params(&sql, &s, filter, &[]);
                    self.conn
                        .prepare_cached(&sql)?
                        .query_row(params.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?
                }
            };
            let p = self.plan.stage_probability.of(stage);
            let value = Money::of(
                &self.plan,
                value_cents,
                foreign
                    .iter()
                    .filter(|f| f.stage == Some(stage))
                    .map(|f| f.pair()),
            );
            out.push(PipelineColumn {
                stage,
                count,
                value_cents: value.cents,
                weighted_cents: (value.cents as f64 * p).round() as i64,
                apart: value.apart,
            });
        }
        Ok(out)
    }
}
