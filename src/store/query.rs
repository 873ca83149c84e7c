//! The query vocabulary: what a caller asks the book for (a [`View`], narrowed by a
//! [`Filter`]) and the small shapes it gets back besides lead rows (counts, placed rows, a
//! pipeline's columns). Plain data; the SQL that answers it is in `view_sql.rs`.

use chrono::{DateTime, Days, Utc};

use crate::domain::{Now, Stage};

/// A list of leads the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// New leads (waiting for a first contact), then working ones, each oldest first.
    Inbox,
    /// Active leads due before `until`, and recycled leads due for their touch before it,
    /// highest priority first (see `QUEUE_LEADS` in `view_sql.rs`).
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
    /// group (see [`Store::list`](super::Store::list)).
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
    /// Only leads whose owner is spelled one of these ways (the book's spellings of the owners
    /// a [`crate::domain::lead::Whose`] covers: see `Store::owners_of`); None: everyone's.
    pub owners: Option<OwnerSet>,
    pub source: Option<String>,
    pub tag: Option<String>,
    /// Words each of which must start a word of the name, company, e-mail, tags or loss
    /// reason (case and accents ignored; see `search.rs`).
    pub text: Option<String>,
}

/// The spellings of the owners a list narrows to, exactly as the leads spell them: bound to
/// SQL as a JSON array, which the filter reads with `json_each` once per statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerSet(pub Vec<String>);

impl rusqlite::ToSql for OwnerSet {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        let json = serde_json::to_string(&self.0)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(rusqlite::types::ToSqlOutput::from(json))
    }
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
/// ([`Store::few_matches_split`](super::Store::few_matches_split)).
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
