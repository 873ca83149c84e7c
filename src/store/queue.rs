//! The views' queries: which leads each view holds, in which order, a window at a time, and the
//! counts the tabs and the status line show. Each view's WHERE and ORDER BY match a partial index
//! (see `schema.rs`); `tests/store.rs` checks the plans.

use chrono::{DateTime, Days, Utc};
use rusqlite::ToSql;

use super::leads::{LeadRow, lead_row, parse_opt, row_select};
use super::ripening::FORECAST_SUMS;
use super::schema::STAGE_RANK;
use super::{Result, Store, search};
use crate::domain::money::Money;
use crate::domain::{Now, Plan, Stage};

/// A list of leads the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// New leads (waiting for a first contact), then working ones, each oldest first.
    Inbox,
    /// Active leads due before `until`, and recycled leads due for their touch before it,
    /// highest priority first (see [`QUEUE_LEADS`]).
    Queue {
        until: DateTime<Utc>,
    },
    /// Open leads by stage, soonest follow-up first.
    Pipeline,
    /// Open leads at one stage.
    Stage(Stage),
    /// Lost and disqualified leads with a recycle date, next touch first.
    Recycled,
    /// Recycled leads due for a touch before `until`.
    RecycledDue {
        until: DateTime<Utc>,
    },
    Won,
    /// Open leads ripe from `from` until `to` (either end open), and those with no ripe date
    /// when `unset`: one month of the ripening board, soonest ripe first.
    Ripe {
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        unset: bool,
    },
    /// Open leads with no ripe date, in the ripening board's order: the head of its last
    /// group (see [`Store::list`]).
    Undated,
    /// Lost and disqualified leads, recycled or not, latest first.
    Lost,
    /// Every lead not in the trash, newest first.
    All,
    Trash,
}

impl View {
    /// The queue's window for `--due today|overdue|week`.
    pub fn queue_until(window: &str, now: &Now) -> Option<DateTime<Utc>> {
        match window {
            "today" => Some(now.start_of_tomorrow()),
            "overdue" => Some(now.start_of_today()),
            "week" => Some(now.start_of(now.today() + Days::new(8))),
            _ => None,
        }
    }
}

/// Narrowing any view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub owner: Option<String>,
    pub source: Option<String>,
    pub tag: Option<String>,
    /// Words each of which must start a word of the name, company, e-mail, tags or loss
    /// reason (case and accents ignored; see `search.rs`).
    pub text: Option<String>,
}

/// What the tabs and the status line count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub inbox: i64,
    /// New leads past the first-contact breach.
    pub inbox_late: i64,
    /// The follow-up queue for today (overdue included): what the Follow-ups list holds, its
    /// recycled touches too.
    pub queue: i64,
    /// Active leads only: a recycled touch is counted in `recycled_due`, not as overdue work.
    pub overdue: i64,
    pub due_today: i64,
    pub pipeline: i64,
    /// In the book's currency: its own values, and others at the user's rates.
    pub pipeline_value_cents: i64,
    /// Pipeline values in currencies without a rate, per currency.
    pub pipeline_apart: crate::domain::money::Apart,
    pub recycled_due: i64,
    pub recycled: i64,
}

/// A lead a filter matched, with what places it in a board's column
/// ([`Store::few_matches_split`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub number: i64,
    pub stage: Option<Stage>,
    pub ripe_on: Option<i64>,
    pub value_cents: Option<i64>,
}

/// One stage column of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineColumn {
    pub stage: Stage,
    pub count: i64,
    /// In the book's currency: its own values, and others at the user's rates.
    pub value_cents: i64,
    pub weighted_cents: i64,
    /// Values in currencies without a rate, per currency.
    pub apart: crate::domain::money::Apart,
}

/// The leads the queue holds: every active lead, and every recycled one (lost or disqualified,
/// with a recycle date), whose follow-up is its next touch. One predicate for the view and its
/// index, written the same in both, so the index's WHERE is implied term by term.
pub(super) const QUEUE_LEADS: &str = "(status IN ('new','working','open') \
    OR (status IN ('lost','disqualified') AND recycle_on IS NOT NULL)) AND deleted_at IS NULL";

/// The queue's ranking as SQL, built from the plan's coefficients (integers only), and the
/// partial index that keeps it ordered.
pub(super) struct QueueSql {
    rank: String,
    index_ddl: String,
    /// The smallest tier any lead can have, to bound the index scan.
    min_tier: i64,
}

impl QueueSql {
    pub(super) fn new(plan: &Plan) -> QueueSql {
        let p = &plan.priority;
        let tier = format!(
            "(CASE status WHEN 'new' THEN {fc} WHEN 'working' THEN {wk} WHEN 'open' THEN \
             (CASE class WHEN 'A' THEN {a} WHEN 'C' THEN {c} ELSE {b} END) + \
             (CASE stage WHEN 'green' THEN {g} WHEN 'warming' THEN {w} WHEN 'ripe' THEN {r} \
             WHEN 'proposal' THEN {pr} WHEN 'negotiation' THEN {n} ELSE 0 END) ELSE 0 END \
             + (CASE WHEN status IN ('lost','disqualified') THEN 0 ELSE {value} END))",
            fc = p.first_contact,
            wk = p.working,
            a = p.class_a,
            b = p.class_b,
            c = p.class_c,
            g = p.green,
            w = p.warming,
            r = p.ripe,
            pr = p.proposal,
            n = p.negotiation,
            value = value_sql(plan),
        );
        let rank = format!("(next_follow_up * {} - {tier} * 86400)", p.per_day());
        // A recycled lead's tier is 0, as its score is (`priority::tier_terms`): below every
        // active lead due the same day, climbing as any follow-up does while its touch waits.
        let index_ddl = format!("CREATE INDEX leads_queue ON leads({rank}) WHERE {QUEUE_LEADS}");
        let status_min = [p.first_contact, p.working, open_min(plan)]
            .into_iter()
            .min()
            .unwrap_or(0);
        let value_min = p.value_points.iter().copied().min().unwrap_or(0).min(0);
        QueueSql {
            rank,
            index_ddl,
            min_tier: status_min.min(0) + value_min,
        }
    }

    /// The queue index's DDL for the current coefficients.
    pub(super) fn index_ddl(&self) -> &str {
        &self.index_ddl
    }

    /// Upper bound of the rank of any lead due before `until`.
    fn bound(&self, until: DateTime<Utc>, plan: &Plan) -> i64 {
        until.timestamp() * plan.priority.per_day() - self.min_tier * 86_400
    }
}

fn open_min(plan: &Plan) -> i64 {
    let p = &plan.priority;
    let class = [p.class_a, p.class_b, p.class_c, 0]
        .into_iter()
        .min()
        .unwrap_or(0);
    let stage = Stage::ALL
        .iter()
        .map(|s| p.stage_points(*s))
        .chain([0])
        .min()
        .unwrap_or(0);
    class + stage
}

fn value_sql(plan: &Plan) -> String {
    let tiers = plan.priority.value_tiers();
    if tiers.is_empty() {
        return "0".into();
    }
    // A value in another currency counts at the user's rate (as `domain::priority` counts it),
    // or not at all; without rates the expression is the plain column, as it always was.
    let rates: Vec<String> = plan
        .currency_rates
        .iter()
        .map(|(c, r)| format!(" WHEN '{c}' THEN round(currency_cents * {r:?})"))
        .collect();
    let value = if plan.currency_rates.is_empty() {
        "value_cents".to_string()
    } else {
        format!("coalesce(value_cents, CASE currency{} END)", rates.concat())
    };
    let mut s = String::from("(CASE");
    for (cents, pts) in tiers {
        s.push_str(&format!(" WHEN {value} >= {cents} THEN {pts}"));
    }
    s.push_str(" ELSE 0 END)");
    s
}

pub(super) const FILTERS: &str = " AND (:owner IS NULL OR l.owner = :owner) \
    AND (:source IS NULL OR l.source = :source) \
    AND (:tag IS NULL OR EXISTS (SELECT 1 FROM json_each(l.tags) WHERE value = :tag))";

/// A text filter on rows read in a view's order: the search index's rule, applied to the row.
pub(super) const TEXT_ON_ROWS: &str =
    " AND ripen_words(:text, l.name, l.company, l.email, l.tags, l.reason)";

/// Below this many matches in the whole book, a text filter reads its matches from the search
/// index and sorts them; from it up, it walks the view's index in order and tests each lead
/// (the matches are then dense enough to fill a window soon, and no set of a million matches is
/// built first).
const FEW_MATCHES: i64 = 4096;

#[derive(Default)]
pub(super) struct Sql {
    text: Option<String>,
    bound: Option<i64>,
    until_ts: Option<i64>,
    /// The index the view is read through (named, so the plan never depends on statistics).
    index: &'static str,
    wher: String,
    order: String,
    until: Option<DateTime<Utc>>,
    stage: Option<i64>,
    /// A ripening month's ends (`:from`, `:to`).
    ripe: (Option<i64>, Option<i64>),
    /// Whether the rows are sorted (a text filter's few matches) rather than read in the order
    /// of the view's index.
    sorted: bool,
}

impl Store {
    fn view_sql(&self, view: &View) -> Sql {
        let rank = &self.queue.rank;
        let index = match view {
            View::Inbox => "leads_inbox",
            View::Queue { .. } => "leads_queue",
            View::Pipeline | View::Stage(_) => "leads_pipeline",
            View::Recycled | View::RecycledDue { .. } => "leads_recycled",
            View::Won => "leads_won",
            View::Ripe { .. } | View::Undated => "leads_forecast",
            View::Lost => "leads_lost",
            View::All => "leads_received",
            View::Trash => "leads_deleted",
        };
        let mut ripe = (None, None);
        let (wher, order, until, stage) = match *view {
            View::Ripe { from, to, unset } => {
                ripe = (from.map(|d| d.timestamp()), to.map(|d| d.timestamp()));
                // Each shape as a range of `leads_forecast` where it is one, so a window is a
                // seek; the index's own columns as the order (soonest ripe, then the biggest
                // deal), so it is never a sort.
                let range = match (from, to) {
                    (None, None) => "l.ripe_on IS NOT NULL",
                    (None, Some(_)) => "l.ripe_on < :to",
                    (Some(_), None) => "l.ripe_on >= :from",
                    (Some(_), Some(_)) => "l.ripe_on >= :from AND l.ripe_on < :to",
                };
                let range = if unset {
                    format!("(l.ripe_on IS NULL OR {range})")
                } else {
                    range.to_string()
                };
                (
                    format!("l.status = 'open' AND l.deleted_at IS NULL AND {range}"),
                    "l.ripe_on, l.value_cents DESC, l.stage, l.deleted_at".to_string(),
                    None,
                    None,
                )
            }
            View::Undated => (
                "l.status = 'open' AND l.deleted_at IS NULL AND l.ripe_on IS NULL".to_string(),
                "l.ripe_on, l.value_cents DESC, l.stage, l.deleted_at".to_string(),
                None,
                None,
            ),
            View::Inbox => (
                "l.status IN ('new','working') AND l.deleted_at IS NULL".to_string(),
                // The leads still waiting for a first contact first ('new' sorts before
                // 'working'), each part oldest first: ten contacted leads must not sit above
                // the three past the 48-hour clock. The index's own columns, so the order is
                // read straight off it.
                "l.status, l.received_at".to_string(),
                None,
                None,
            ),
            View::Queue { until } => (
                format!("{QUEUE_LEADS} AND l.next_follow_up < :until AND {rank} <= :bound"),
                rank.clone(),
                Some(until),
                None,
            ),
            View::Pipeline => (
                "l.status = 'open' AND l.deleted_at IS NULL".to_string(),
                // Ties go to the bigger deal.
                format!("{STAGE_RANK}, l.next_follow_up, l.value_cents DESC, l.rowid"),
                None,
                None,
            ),
            View::Stage(s) => (
                format!("l.status = 'open' AND l.deleted_at IS NULL AND {STAGE_RANK} = :stage"),
                "l.next_follow_up, l.value_cents DESC, l.rowid".to_string(),
                None,
                Some(s.rank() as i64),
            ),
            View::Recycled => (
                "l.status IN ('lost','disqualified') AND l.recycle_on IS NOT NULL \
                 AND l.deleted_at IS NULL"
                    .to_string(),
                "l.next_follow_up".to_string(),
                None,
                None,
            ),
            View::RecycledDue { until } => (
                "l.status IN ('lost','disqualified') AND l.recycle_on IS NOT NULL \
                 AND l.deleted_at IS NULL AND l.next_follow_up < :until"
                    .to_string(),
                "l.next_follow_up".to_string(),
                Some(until),
                None,
            ),
            View::Won => (
                "l.status = 'won' AND l.deleted_at IS NULL".to_string(),
                // Latest first; then the rest of the index's columns, so it needs no sort.
                "l.closed_at DESC, l.received_at DESC, l.value_cents DESC, l.deleted_at DESC"
                    .to_string(),
                None,
                None,
            ),
            View::Lost => (
                "l.status IN ('lost','disqualified') AND l.deleted_at IS NULL".to_string(),
                "l.closed_at DESC, l.status DESC, l.reason DESC, l.value_cents DESC, \
                 l.deleted_at DESC"
                    .to_string(),
                None,
                None,
            ),
            View::All => (
                "l.deleted_at IS NULL".to_string(),
                "l.received_at DESC, l.status DESC, l.class DESC, l.closed_at DESC, \
                 l.value_cents DESC, l.recycle_count DESC, l.deleted_at DESC"
                    .to_string(),
                None,
                None,
            ),
            View::Trash => (
                // A purged lead is a tombstone, not something to take back.
                "l.deleted_at IS NOT NULL AND l.purged_at IS NULL".to_string(),
                "l.deleted_at DESC".to_string(),
                None,
                None,
            ),
        };
        Sql {
            index,
            wher,
            order,
            until,
            stage,
            ripe,
            ..Sql::default()
        }
    }

    /// The SQL of a view with the filters, and the values its parameters take.
    pub(super) fn prepared(
        &self,
        view: &View,
        filter: &Filter,
        head: &str,
        tail: &str,
    ) -> (String, Sql) {
        self.prepared_as(view, filter, head, tail, None)
    }

    /// [`Store::prepared`], reading a text filter's matches from the index (`Some(true)`) or
    /// walking the view (`Some(false)`) as told, else as [`Store::few_matches`] says.
    fn prepared_as(
        &self,
        view: &View,
        filter: &Filter,
        head: &str,
        tail: &str,
        few: Option<bool>,
    ) -> (String, Sql) {
        let mut s = self.view_sql(view);
        let fts = filter.text.as_deref().and_then(search::match_expr);
        s.sorted = fts.is_some()
            && filter
                .text
                .as_deref()
                .is_some_and(|t| few.unwrap_or_else(|| self.few_matches(t)));
        let mut text_on_rows = "";
        s.text = if s.sorted {
            fts
        } else if fts.is_some() {
            text_on_rows = TEXT_ON_ROWS;
            filter.text.as_deref().map(|t| search::words(t).join(" "))
        } else {
            None
        };
        s.bound = s.until.map(|u| self.queue.bound(u, &self.plan));
        s.until_ts = s.until.map(|u| u.timestamp());
        let from = if s.sorted {
            "(SELECT rowid AS rid FROM leads_search WHERE leads_search MATCH :text) m \
             CROSS JOIN leads l ON l.rowid = m.rid"
                .to_string()
        } else {
            format!("leads l INDEXED BY {}", s.index)
        };
        let sql = format!("{head} WHERE {}{FILTERS}{text_on_rows}{tail}", s.wher)
            .replace("{order}", &total_order(&s.order, s.sorted))
            .replace("{from}", &from);
        (sql, s)
    }

    /// Bound parameters for `sql`: the filters, the view's own, and `extra`.
    pub(super) fn params<'a>(
        sql: &str,
        s: &'a Sql,
        filter: &'a Filter,
        extra: &'a [(&'static str, i64)],
    ) -> Vec<(&'static str, &'a dyn ToSql)> {
        let mut p: Vec<(&'static str, &dyn ToSql)> = vec![
            (":owner", &filter.owner),
            (":source", &filter.source),
            (":tag", &filter.tag),
        ];
        if sql.contains(":text") {
            p.push((":text", &s.text));
        }
        for (name, v) in [
            (":until", &s.until_ts),
            (":bound", &s.bound),
            (":stage", &s.stage),
            (":from", &s.ripe.0),
            (":to", &s.ripe.1),
        ] {
            if sql.contains(name) {
                p.push((name, v));
            }
        }
        for (name, v) in extra {
            p.push((name, v));
        }
        p
    }

    /// The window query: the inner query walks the view's index to find the window's rowids
    /// (skipping `offset` entries costs an index step each, nothing more); only the rows in the
    /// window are then read whole, with their timeline facts.
    ///
    /// They come out in the inner query's order with no second sort: its ORDER BY stays (it has
    /// a LIMIT), SQLite keeps its rows in that order (a co-routine, or a table it appends to),
    /// and CROSS JOIN fixes it as the outer loop of the join. Sorting them again cost a tenth
    /// of `ripen list queue`; the store tests check the order of every window.
    fn select_rows(&self, view: &View, filter: &Filter, explain: bool) -> (String, Sql) {
        let (inner, s) = self.prepared(
            view,
            filter,
            "SELECT l.rowid AS rid FROM {from}",
            " ORDER BY {order} LIMIT :limit OFFSET :offset",
        );
        if explain {
            return (format!("EXPLAIN QUERY PLAN {inner}"), s);
        }
        let sql = format!(
            "SELECT {} FROM ({inner}) w CROSS JOIN leads l ON l.rowid = w.rid \
             CROSS JOIN lead_numbers n ON n.lead_uid = l.uid",
            row_select(),
        );
        (sql, s)
    }

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

/// A view's order with ties broken by rowid in the index's own direction, so the order is total
/// (a window fetched twice is the same window) and still read straight off the index.
fn total_order(order: &str, sorted: bool) -> String {
    // An order that runs through `deleted_at` is every column of its index, whose entries end
    // in the rowid: read off the index it is total already (and naming the rowid too would make
    // SQLite sort). Sorted, it needs the rowid to break ties the same way.
    if order.ends_with("rowid") || (order.contains("deleted_at") && !sorted) {
        order.to_string()
    } else if order.ends_with("DESC") {
        format!("{order}, l.rowid DESC")
    } else {
        format!("{order}, l.rowid")
    }
}

impl Store {
    /// Whether a filter's words match fewer than [`FEW_MATCHES`] leads in the whole book.
    ///
    /// Asking the index the question directly costs, for a word of four letters or more, a
    /// merge of the lists of every indexed word it starts (FTS5 keeps lists for the first one,
    /// two and three letters only): tens of milliseconds for a word in a tenth of the book.
    /// Two cheap bounds settle most keystrokes first: the words cut to three letters (read from
    /// those lists) bound the matches from above, and the words as whole words bound them from
    /// below.
    fn few_matches(&self, text: &str) -> bool {
        if let Some(few) = self.few_bounds(text) {
            return few;
        }
        let few = search::match_expr(text).is_some_and(|expr| self.matches_below(&expr));
        *self.few.borrow_mut() = Some((text.to_string(), Some(few)));
        few
    }

    /// What the two cheap bounds of [`Store::few_matches`] say, if they settle it (or what
    /// the index said last time it was asked about this very text).
    fn few_bounds(&self, text: &str) -> Option<bool> {
        if let Some((last, few)) = &*self.few.borrow()
            && last == text
        {
            return *few;
        }
        let few = self.few_bounds_asked(text);
        *self.few.borrow_mut() = Some((text.to_string(), few));
        few
    }

    fn few_bounds_asked(&self, text: &str) -> Option<bool> {
        let words = search::words(text);
        let expr = |f: &dyn Fn(&str) -> String| {
            words.iter().map(|w| f(w)).collect::<Vec<_>>().join(" AND ")
        };
        let short = expr(&|w| format!("\"{}\"*", w.chars().take(3).collect::<String>()));
        if self.matches_below(&short) {
            return Some(true);
        }
        if words.iter().all(|w| w.chars().count() <= 3) {
            return Some(false);
        }
        if !self.matches_below(&expr(&|w| format!("\"{w}\""))) {
            return Some(false);
        }
        None
    }

    /// Whether an FTS5 expression matches fewer than [`FEW_MATCHES`] leads.
    fn matches_below(&self, expr: &str) -> bool {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM leads_search WHERE leads_search MATCH ?1 \
                 LIMIT ?2)",
            )
            .and_then(|mut s| {
                s.query_row(rusqlite::params![expr, FEW_MATCHES], |r| r.get::<_, i64>(0))
            })
            .is_ok_and(|n| n < FEW_MATCHES)
    }
}
