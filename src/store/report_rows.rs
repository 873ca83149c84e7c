//! What the reports return: the period one covers, how it groups its rows, and each report's
//! rows, as plain data (the SQL that computes them is in `reports.rs`; what each number means is
//! defined once, in `crate::report::METRICS`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The period a report covers, on the date it names (received or closed), `[since, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Period {
    pub(super) fn bounds(&self) -> (i64, i64) {
        (self.since.timestamp(), self.until.timestamp())
    }

    pub(super) fn holds(&self, t: i64) -> bool {
        let (since, until) = self.bounds();
        t >= since && t < until
    }
}

/// How a report groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Source,
    Owner,
    Month,
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
    /// Still new, or qualified, disqualified or won straight from the inbox without a contact.
    pub never_contacted: i64,
    /// Contacted (no longer new) at a time the book does not know: no contact logged while
    /// new. Written after `share_48h` (a field added later goes last in the rows).
    #[serde(skip)]
    pub untimed: i64,
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
    /// Sums in currencies without a rate (config `[currency_rates]`), per ISO code, in whole
    /// units: not in the figure beside it, which is in the book's currency.
    pub other_currencies: BTreeMap<String, f64>,
    /// The default owner's row: leads no one follows up yet.
    pub unassigned: bool,
    /// Of the period's leads whose speed is known, the share first contacted within 48 hours
    /// (as the speed report counts it; filled in by `report::compute`).
    pub share_48h: Option<f64>,
    /// Active leads whose follow-up is overdue now (due before today).
    pub overdue: i64,
    /// How many days the oldest of those has waited (whole days since it fell due).
    pub oldest_overdue_days: Option<i64>,
}

/// Lost and disqualified leads by reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossRow {
    pub status: String,
    pub reason: String,
    pub count: i64,
    pub value: f64,
    /// Sums in currencies without a rate (config `[currency_rates]`), per ISO code, in whole
    /// units: not in the figure beside it, which is in the book's currency.
    pub other_currencies: BTreeMap<String, f64>,
}

/// Recycled leads (reactivated at least once) against fresh ones, won or lost in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecycleOutcome {
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
    /// Sums in currencies without a rate (config `[currency_rates]`), per ISO code, in whole
    /// units: not in the figure beside it, which is in the book's currency.
    pub other_currencies: BTreeMap<String, f64>,
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
    /// The cost recorded for the source (the latest `ripen source set`): its whole spend.
    pub cost: Option<f64>,
    /// The share of that cost the period's leads carry: the cost × the period's leads / all
    /// the source's leads, so that a lead costs the same in every period and a month's report
    /// does not charge the whole spend to that month's leads. Not rounded.
    #[serde(skip)]
    pub cost_period: Option<f64>,
    /// Sums in currencies without a rate (config `[currency_rates]`), per ISO code, in whole
    /// units: not in the figure beside it, which is in the book's currency. (Written last in a
    /// report's row, after `cost_period`: see `report::SourceLine`.)
    #[serde(skip)]
    pub other_currencies: BTreeMap<String, f64>,
}

/// One monthly cohort of received leads: the cumulative count won after 1..=12 months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    pub cohort: String,
    pub received: i64,
    pub won_by_month: Vec<i64>,
    /// How many whole months have passed since the cohort's first day: the later ones are not
    /// known yet (the leads received late in the month have had a little less).
    pub elapsed: usize,
}
