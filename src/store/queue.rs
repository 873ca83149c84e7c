//! The views' queries: which leads each view holds, in which order, a window at a time, and the
//! counts the tabs and the status line show. Each view's WHERE and ORDER BY match a partial index
//! (see `schema.rs`); `tests/store.rs` checks the plans.

use chrono::{DateTime, Days, Utc};
use rusqlite::ToSql;

use super::leads::{LeadRow, lead_row, row_select};
use super::schema::STAGE_RANK;
use super::{Result, Store};
use crate::domain::{Now, Plan, Stage};

/// A list of leads the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// New and working leads, oldest first.
    Inbox,
    /// Active leads due before `until`, highest priority first.
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
    /// Words that must appear in the name, company or e-mail (case-insensitive).
    pub text: Option<String>,
}

/// What the tabs and the status line count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub inbox: i64,
    /// New leads past the first-contact breach.
    pub inbox_late: i64,
    /// The follow-up queue for today (overdue included).
    pub queue: i64,
    pub overdue: i64,
    pub due_today: i64,
    pub pipeline: i64,
    pub pipeline_value_cents: i64,
    pub recycled_due: i64,
    pub recycled: i64,
}

/// One stage column of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineColumn {
    pub stage: Stage,
    pub count: i64,
    pub value_cents: i64,
    pub weighted_cents: i64,
}

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
             (CASE class WHEN 'A' THEN {a} WHEN 'B' THEN {b} WHEN 'C' THEN {c} ELSE 0 END) + \
             (CASE stage WHEN 'green' THEN {g} WHEN 'warming' THEN {w} WHEN 'ripe' THEN {r} \
             WHEN 'proposal' THEN {pr} WHEN 'negotiation' THEN {n} ELSE 0 END) ELSE 0 END \
             + {value})",
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
        let index_ddl = format!(
            "CREATE INDEX leads_queue ON leads({rank}) \
             WHERE status IN ('new','working','open') AND deleted_at IS NULL"
        );
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

    /// Create the queue index, or rebuild it when the coefficients changed.
    pub(super) fn ensure_index(&self, conn: &rusqlite::Connection) -> Result<()> {
        let current: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'leads_queue'",
                [],
                |r| r.get(0),
            )
            .ok();
        if current.as_deref() == Some(self.index_ddl.as_str()) {
            return Ok(());
        }
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; DROP INDEX IF EXISTS leads_queue; {}; COMMIT;",
            self.index_ddl
        ))
        .inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK");
        })?;
        Ok(())
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
    let mut s = String::from("(CASE");
    for (cents, pts) in tiers {
        s.push_str(&format!(" WHEN value_cents >= {cents} THEN {pts}"));
    }
    s.push_str(" ELSE 0 END)");
    s
}

const FILTERS: &str = " AND (:owner IS NULL OR l.owner = :owner) \
    AND (:source IS NULL OR l.source = :source) \
    AND (:tag IS NULL OR EXISTS (SELECT 1 FROM json_each(l.tags) WHERE value = :tag)) \
    AND (:text IS NULL OR l.name LIKE :text ESCAPE '\\' OR l.company LIKE :text ESCAPE '\\' \
         OR l.email LIKE :text ESCAPE '\\')";

struct Sql {
    wher: String,
    order: String,
    until: Option<DateTime<Utc>>,
    stage: Option<i64>,
}

impl Store {
    fn view_sql(&self, view: &View) -> Sql {
        let rank = &self.queue.rank;
        let (wher, order, until, stage) = match *view {
            View::Inbox => (
                "l.status IN ('new','working') AND l.deleted_at IS NULL".to_string(),
                "l.received_at".to_string(),
                None,
                None,
            ),
            View::Queue { until } => (
                format!(
                    "l.status IN ('new','working','open') AND l.deleted_at IS NULL \
                     AND l.next_follow_up < :until AND {rank} <= :bound"
                ),
                rank.clone(),
                Some(until),
                None,
            ),
            View::Pipeline => (
                "l.status = 'open' AND l.deleted_at IS NULL".to_string(),
                format!("{STAGE_RANK}, l.next_follow_up"),
                None,
                None,
            ),
            View::Stage(s) => (
                format!("l.status = 'open' AND l.deleted_at IS NULL AND {STAGE_RANK} = :stage"),
                format!("{STAGE_RANK}, l.next_follow_up"),
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
                "l.closed_at DESC".to_string(),
                None,
                None,
            ),
            View::Lost => (
                "l.status IN ('lost','disqualified') AND l.deleted_at IS NULL".to_string(),
                "l.closed_at DESC".to_string(),
                None,
                None,
            ),
            View::All => (
                "l.deleted_at IS NULL".to_string(),
                "l.received_at DESC".to_string(),
                None,
                None,
            ),
            View::Trash => (
                "l.deleted_at IS NOT NULL".to_string(),
                "l.deleted_at DESC".to_string(),
                None,
                None,
            ),
        };
        Sql {
            wher,
            order,
            until,
            stage,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn bind<'a>(
        &self,
        sql: &str,
        s: &'a Sql,
        filter: &'a Filter,
        text: &'a Option<String>,
        extra: &'a [(&'static str, i64)],
        bound: &'a Option<i64>,
        until: &'a Option<i64>,
    ) -> Vec<(&'static str, &'a dyn ToSql)> {
        let mut p: Vec<(&'static str, &dyn ToSql)> = vec![
            (":owner", &filter.owner),
            (":source", &filter.source),
            (":tag", &filter.tag),
            (":text", text),
        ];
        if sql.contains(":until") {
            p.push((":until", until));
        }
        if sql.contains(":bound") {
            p.push((":bound", bound));
        }
        if sql.contains(":stage") {
            p.push((":stage", &s.stage));
        }
        for (name, v) in extra {
            p.push((name, v));
        }
        p
    }

    fn prepared(&self, view: &View, head: &str, tail: &str) -> (String, Sql) {
        let s = self.view_sql(view);
        let sql = format!("{head} WHERE {}{FILTERS}{tail}", s.wher).replace("{order}", &s.order);
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
        let head = format!(
            "SELECT {} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid",
            row_select()
        );
        let (sql, s) = self.prepared(view, &head, " ORDER BY {order} LIMIT :limit OFFSET :offset");
        let text = like_pattern(&filter.text);
        let bound = s.until.map(|u| self.queue.bound(u, &self.plan));
        let until = s.until.map(|u| u.timestamp());
        let extra = [
            (":limit", i64::try_from(limit).unwrap_or(i64::MAX)),
            (":offset", offset as i64),
        ];
        let params = self.bind(&sql, &s, filter, &text, &extra, &bound, &until);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params.as_slice(), lead_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many leads a view holds.
    pub fn count(&self, view: &View, filter: &Filter) -> Result<i64> {
        let (sql, s) = self.prepared(view, "SELECT count(*) FROM leads l", "");
        let text = like_pattern(&filter.text);
        let bound = s.until.map(|u| self.queue.bound(u, &self.plan));
        let until = s.until.map(|u| u.timestamp());
        let params = self.bind(&sql, &s, filter, &text, &[], &bound, &until);
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params.as_slice(), |r| r.get(0))?)
    }

    pub(super) fn explain_list(&self, view: &View, filter: &Filter, _now: &Now) -> Result<String> {
        let head = format!(
            "EXPLAIN QUERY PLAN SELECT {} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid",
            row_select()
        );
        let (sql, s) = self.prepared(view, &head, " ORDER BY {order} LIMIT :limit OFFSET :offset");
        let text = like_pattern(&filter.text);
        let bound = s.until.map(|u| self.queue.bound(u, &self.plan));
        let until = s.until.map(|u| u.timestamp());
        let extra = [(":limit", 50), (":offset", 0)];
        let params = self.bind(&sql, &s, filter, &text, &extra, &bound, &until);
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params.as_slice(), |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
    }

    /// The counts behind the tabs and `ripen status`.
    pub fn counts(&self, now: &Now) -> Result<Counts> {
        let today = now.start_of_today().timestamp();
        let tomorrow = now.start_of_tomorrow().timestamp();
        let breach = now.utc.timestamp() - self.plan.first_contact.breach_hours * 3600;
        let none = Filter::default();
        let (overdue, due_today): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT count(*) FILTER (WHERE next_follow_up < ?1), \
                    count(*) FILTER (WHERE next_follow_up >= ?1) \
             FROM leads WHERE status IN ('new','working','open') AND deleted_at IS NULL \
             AND next_follow_up < ?2",
            )?
            .query_row([today, tomorrow], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (inbox, inbox_late): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT count(*), count(*) FILTER (WHERE status = 'new' AND received_at < ?1) \
             FROM leads WHERE status IN ('new','working') AND deleted_at IS NULL",
            )?
            .query_row([breach], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (pipeline, pipeline_value_cents): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(value_cents), 0) FROM leads \
             WHERE status = 'open' AND deleted_at IS NULL",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Counts {
            inbox,
            inbox_late,
            queue: overdue + due_today,
            overdue,
            due_today,
            pipeline,
            pipeline_value_cents,
            recycled_due: self.count(
                &View::RecycledDue {
                    until: now.start_of_tomorrow(),
                },
                &none,
            )?,
            recycled: self.count(&View::Recycled, &none)?,
        })
    }

    /// Count, total and weighted value of each pipeline stage.
    pub fn pipeline_columns(&self, filter: &Filter) -> Result<Vec<PipelineColumn>> {
        let mut out = Vec::new();
        for stage in Stage::ALL {
            let (sql, s) = self.prepared(
                &View::Stage(stage),
                "SELECT count(*), coalesce(sum(l.value_cents), 0) FROM leads l",
                "",
            );
            let text = like_pattern(&filter.text);
            let params = self.bind(&sql, &s, filter, &text, &[], &None, &None);
            let (count, value_cents): (i64, i64) = self
                .conn
                .prepare_cached(&sql)?
                .query_row(params.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?;
            let p = self.plan.stage_probability.of(stage);
            out.push(PipelineColumn {
                stage,
                count,
                value_cents,
                weighted_cents: (value_cents as f64 * p).round() as i64,
            });
        }
        Ok(out)
    }
}

/// `jane doe` → `%jane%doe%`, with LIKE's wildcards in the input escaped.
fn like_pattern(text: &Option<String>) -> Option<String> {
    let t = text.as_deref()?.trim();
    if t.is_empty() {
        return None;
    }
    let mut p = String::from("%");
    for word in t.split_whitespace() {
        for c in word.chars() {
            if matches!(c, '%' | '_' | '\\') {
                p.push('\\');
            }
            p.push(c);
        }
        p.push('%');
    }
    Some(p)
}
