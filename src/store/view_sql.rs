//! How a view becomes SQL: each view's WHERE and ORDER BY (matching a partial index, see
//! `schema.rs`; `tests/book/store.rs` checks the plans), the filters, a text filter read from the
//! search index or tested on rows, and the parameters each statement binds.

use chrono::{DateTime, Utc};
use rusqlite::ToSql;

use super::query::{Filter, View};
use super::row::row_select;
use super::schema::STAGE_RANK;
use super::{Store, search};
use crate::domain::{Plan, Stage};

/// Sums over a set of open leads `l`: their value, that value weighted by each lead's stage
/// probability, and the wins those probabilities expect (bind [`Store::probabilities`]).
pub(super) const FORECAST_SUMS: &str = "coalesce(sum(l.value_cents), 0), \
    coalesce(sum(l.value_cents * (CASE l.stage WHEN 'green' THEN :g WHEN 'warming' THEN :w \
      WHEN 'ripe' THEN :r WHEN 'proposal' THEN :p WHEN 'negotiation' THEN :n ELSE 0 END)), 0), \
    coalesce(sum(CASE l.stage WHEN 'green' THEN :g WHEN 'warming' THEN :w WHEN 'ripe' THEN :r \
      WHEN 'proposal' THEN :p WHEN 'negotiation' THEN :n ELSE 0 END), 0)";

impl Store {
    /// The plan's stage probabilities, named as [`FORECAST_SUMS`] reads them.
    pub(super) fn probabilities(&self) -> [(&'static str, f64); 5] {
        let p = &self.plan().stage_probability;
        [
            (":g", p.of(Stage::Green)),
            (":w", p.of(Stage::Warming)),
            (":r", p.of(Stage::Ripe)),
            (":p", p.of(Stage::Proposal)),
            (":n", p.of(Stage::Negotiation)),
        ]
    }
}

/// The leads the queue holds: every active lead, and every recycled one (lost or disqualified,
/// with a recycle date), whose follow-up is its next touch. One predicate for the view and its
/// index, written the same in both, so the index's WHERE is implied term by term.
pub(super) const QUEUE_LEADS: &str = "(status IN ('new','working','open') \
    OR (status IN ('lost','disqualified') AND recycle_on IS NOT NULL)) AND deleted_at IS NULL";

/// The queue's ranking as SQL, built from the plan's coefficients (integers only), and the
/// partial index that keeps it ordered.
#[derive(Clone)]
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

pub(super) const FILTERS: &str = " AND (:owners IS NULL OR l.owner IN (SELECT value FROM json_each(:owners))) \
    AND (:source IS NULL OR l.source = :source) \
    AND (:tag IS NULL OR EXISTS (SELECT 1 FROM json_each(l.tags) WHERE value = :tag))";

/// A text filter on rows read in a view's order: the search index's rule, applied to the row.
pub(super) const TEXT_ON_ROWS: &str =
    " AND ripen_words(:text, l.name, l.company, l.email, l.tags, l.reason)";

/// Below this many matches in the whole book, a text filter reads its matches from the search
/// index and sorts them; from it up, it walks the view's index in order and tests each lead
/// (the matches are then dense enough to fill a window soon, and no set of a million matches is
/// built first).
pub(super) const FEW_MATCHES: i64 = 4096;

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
    pub(super) fn prepared_as(
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
            (":owners", &filter.owners),
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
    pub(super) fn select_rows(&self, view: &View, filter: &Filter, explain: bool) -> (String, Sql) {
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
    pub(super) fn few_matches(&self, text: &str) -> bool {
        if let Some(few) = self.few_bounds(text) {
            return few;
        }
        let few = search::match_expr(text).is_some_and(|expr| self.matches_below(&expr));
        *self.few.borrow_mut() = Some((text.to_string(), Some(few)));
        few
    }

    /// What the two cheap bounds of [`Store::few_matches`] say, if they settle it (or what
    /// the index said last time it was asked about this very text).
    pub(super) fn few_bounds(&self, text: &str) -> Option<bool> {
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
