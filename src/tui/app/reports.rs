//! The Reports tab's state: which report, over which period, grouped how, and its rows.

use crate::domain::Now;
use crate::report;
use crate::store::{By, Period, Store};

use super::{App, err_text};

/// The periods the Reports tab offers, cycled with `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    AllTime,
    Last12Months,
    ThisQuarter,
    Last30Days,
}

impl ReportPeriod {
    pub fn label(self) -> &'static str {
        match self {
            ReportPeriod::AllTime => "all time",
            ReportPeriod::Last12Months => "last 12 months",
            ReportPeriod::ThisQuarter => "this quarter",
            ReportPeriod::Last30Days => "last 30 days",
        }
    }

    pub fn next(self) -> ReportPeriod {
        match self {
            ReportPeriod::AllTime => ReportPeriod::Last12Months,
            ReportPeriod::Last12Months => ReportPeriod::ThisQuarter,
            ReportPeriod::ThisQuarter => ReportPeriod::Last30Days,
            ReportPeriod::Last30Days => ReportPeriod::AllTime,
        }
    }

    /// The period as the store takes it, on local dates. It ends just after `now`, as the
    /// CLI's default `--until` does, so what happened this very second counts.
    pub fn period(self, now: &Now) -> Period {
        use chrono::{Datelike, Days, Months, NaiveDate};
        let today = now.today();
        let since = match self {
            ReportPeriod::AllTime => chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            ReportPeriod::Last12Months => {
                now.start_of(today.checked_sub_months(Months::new(12)).unwrap_or(today))
            }
            ReportPeriod::ThisQuarter => {
                let first = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1);
                now.start_of(first.unwrap_or(today))
            }
            ReportPeriod::Last30Days => {
                now.start_of(today.checked_sub_days(Days::new(30)).unwrap_or(today))
            }
        };
        Period {
            since,
            until: now.utc + chrono::Duration::seconds(1),
        }
    }
}

/// What a report's rows are grouped by (`b` cycles it; funnel and speed use it).
pub fn by_label(by: By) -> &'static str {
    match by {
        By::Source => "source",
        By::Owner => "owner",
        By::Month => "month",
    }
}

pub(super) fn next_by(by: By) -> By {
    match by {
        By::Source => By::Owner,
        By::Owner => By::Month,
        By::Month => By::Source,
    }
}

/// Whether a report groups its rows by the `b` selector ([`report::Report::grouped`]).
pub fn report_uses_grouping(name: &str) -> bool {
    report::Report::named(name).is_ok_and(|r| r.grouped())
}

/// Whether a report covers the `p` period (the others describe the book as it is now; see
/// [`report::Report::period_basis`]).
pub fn report_uses_period(name: &str) -> bool {
    report::Report::named(name).is_ok_and(|r| r.period_basis().is_some())
}

/// The Reports tab: which report, over which period, grouped how, and its rows as last
/// fetched (by `update` only; the view never reads the book).
#[derive(Debug, Clone, PartialEq)]
pub struct Reports {
    /// Index into `report::NAMES`.
    pub selected: usize,
    pub period: ReportPeriod,
    pub by: By,
    /// The rows, typed: what the charts read.
    pub typed: Option<report::Rows>,
    /// The same as flat objects, as the tables show them (made once, when fetched).
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Why the rows could not be computed, shown in place of the table.
    pub error: Option<String>,
}

impl Default for Reports {
    fn default() -> Self {
        Reports {
            selected: 0,
            period: ReportPeriod::AllTime,
            by: By::Source,
            typed: None,
            rows: Vec::new(),
            error: None,
        }
    }
}

impl Reports {
    /// The selected report.
    pub fn report(&self) -> report::Report {
        report::Report::ALL
            .get(self.selected)
            .copied()
            .unwrap_or(report::Report::Funnel)
    }

    /// The selected report's name.
    pub fn name(&self) -> &'static str {
        self.report().name()
    }
}

impl App {
    /// Fetch the selected report's rows for the chosen period and grouping, over the leads
    /// the lists show (mine, everyone's or one owner's: `o`).
    pub(super) fn load_report(&mut self, store: &Store) {
        let r = &self.reports;
        let period = r.period.period(&self.now);
        let now = self.now;
        let computed = store.scoped_to(self.owners.as_ref(), |s| {
            report::compute(s, r.report(), &period, r.by, &now)
        });
        match computed {
            Ok(rows) => {
                self.reports.rows = rows.objects();
                self.reports.typed = Some(rows);
                self.reports.error = None;
            }
            Err(e) => {
                let text = err_text(&e);
                self.reports.rows.clear();
                self.reports.typed = None;
                self.reports.error = Some(text.clone());
                self.fail(text);
            }
        }
    }

    /// Move the report picker by `delta` (clamped) and refetch if it moved.
    pub(super) fn pick_report(&mut self, delta: isize, store: &Store) {
        let last = report::NAMES.len() - 1;
        let to = self.reports.selected.saturating_add_signed(delta).min(last);
        if to != self.reports.selected {
            self.reports.selected = to;
            self.load_report(store);
        }
    }
}
