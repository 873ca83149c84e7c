//! Reports: which leads convert, how fast, from where, and why not. Each report is a list of
//! flat rows (the same objects `--json` prints and `--csv` writes), computed from the store's SQL
//! aggregates plus the ratios derived from them here.

pub mod display;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::domain::Now;
use crate::domain::lead::owner_row;
use crate::store::{
    By, Discipline, ForecastRow, FunnelRow, LossRow, OwnerRow, Period, RecycleOutcome, Result,
    SourceRow, SpeedRow, Store,
};

/// What every metric means: the one place users read (`ripen report --help`, README).
pub const METRICS: &str = "\
Definitions (period = --since/--until on the date named; default: the whole book):
  received    leads whose received date falls in the period
  contacted   left 'new' (called, e-mailed, met or messaged at least once, or closed)
  qualified   reached the pipeline: given a class (A/B/C), or open, won or lost (a lost lead
              had been qualified; an inbox lead is disqualified instead)
  won / lost  status won / lost (disqualified leads are not 'lost'); closed = won or lost
  funnel      received → contacted → qualified → won by source/owner/month; leads_per_win =
              received / won
  speed       hours from received to the first call, e-mail, meeting or message made while
              the lead was new: median, 90th percentile (nearest rank); never_contacted =
              still new, or qualified, disqualified or won straight from the inbox without a
              contact; contacted = the others; untimed = contacted at a time the book does
              not know (imported as working or further); share_48h = within_48h /
              (leads − untimed)
  discipline  open = qualified leads still open; touched_30d = those with a contact in the
              last 30 days; stale = those with none for 90 days; active_stale = every lead
              still to be worked (new, working or open) with no contact for 90 days
              (never-contacted leads count from their received date)
  ripening    per monthly cohort of received leads, cumulative wins within 1..12 months
              (a month = 30.44 days from received to closed); a month that has not yet
              passed since the cohort's first day is empty (null)
  losses      lost and disqualified leads by reason, closed in the period; and the leads won
              or lost in the period, recycled (reactivated at least once) against fresh:
              win rate = won / (won + lost)
  sources     per source: leads, qualified, won, revenue (value of won leads), cost (the
              latest 'ripen source set': the source's whole spend), cost_period = the share of
              it the period's leads carry (cost × the period's leads / all the source's leads),
              and from that share cost per lead/qualified/win and
              ROI = (revenue − cost_period) / cost_period
  forecast    open leads by ripe_on month: value, weighted value and expected wins using the
              stage probabilities (config [stage_probability]); overdue = ripe before today,
              as on the ripening board
  owners      per owner: leads, won, lost, win_rate = won / (won + lost), avg_days_to_close over
              won and lost leads (received → closed), revenue; share_48h as the speed
              report's; and now: overdue (active leads whose follow-up fell due before
              today) and oldest_overdue_days (how long the oldest has waited). One row per
              owner however spelled; the unassigned leads (the default owner) in a row of
              their own, last (unassigned: true)";

/// The reports there are, by name (`ripen report NAME`, the Reports tab's picker).
pub const NAMES: [&str; 8] = [
    "funnel",
    "speed",
    "discipline",
    "ripening",
    "losses",
    "sources",
    "forecast",
    "owners",
];

/// One report: what it is called, which date its period is read on, whether it groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Report {
    Funnel,
    Speed,
    Discipline,
    Ripening,
    Losses,
    Sources,
    Forecast,
    Owners,
}

/// Which date a report's period is read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The leads received in it (a cohort).
    Received,
    /// The leads closed in it.
    Closed,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Received => "received",
            Basis::Closed => "closed",
        }
    }
}

impl Report {
    /// Every report, in the order of [`NAMES`].
    pub const ALL: [Report; 8] = [
        Report::Funnel,
        Report::Speed,
        Report::Discipline,
        Report::Ripening,
        Report::Losses,
        Report::Sources,
        Report::Forecast,
        Report::Owners,
    ];

    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The report called `name`; an unknown name is refused with the known ones.
    pub fn named(name: &str) -> std::result::Result<Report, crate::domain::DomainError> {
        Report::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| crate::domain::DomainError::Unknown {
                what: "report",
                value: name.to_string(),
                known: NAMES.join(", "),
            })
    }

    /// Which date its period is read on: the leads *received* in it (funnel, speed, ripening,
    /// sources, owners) or *closed* in it (losses); None for the reports of the book as it is
    /// now (discipline, forecast), which take no period.
    pub fn period_basis(self) -> Option<Basis> {
        match self {
            Report::Discipline | Report::Forecast => None,
            Report::Losses => Some(Basis::Closed),
            _ => Some(Basis::Received),
        }
    }

    /// Whether its rows are grouped by source, owner or month (`--by`, `b` in the app).
    pub fn grouped(self) -> bool {
        matches!(self, Report::Funnel | Report::Speed)
    }
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| round(a as f64 / b as f64, 4))
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

fn objects<T: Serialize>(rows: &[T]) -> Vec<Map<String, Value>> {
    rows.iter()
        .filter_map(|r| match serde_json::to_value(r) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        })
        .collect()
}

/// A report's rows, typed: what the app's charts read, and what `--json`, `--csv` and the
/// tables are made from ([`Rows::objects`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Funnel(Vec<FunnelLine>),
    Speed(Vec<SpeedLine>),
    Discipline(DisciplineLine),
    Ripening(Vec<CohortLine>),
    Losses {
        reasons: Vec<LossRow>,
        /// Recycled leads against fresh ones, won or lost in the period.
        recycling: RecycleOutcome,
    },
    Sources(Vec<SourceLine>),
    Forecast(Vec<ForecastRow>),
    Owners(Vec<OwnerRow>),
}

/// One group of the funnel, with its rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelLine {
    #[serde(flatten)]
    pub counts: FunnelRow,
    pub contacted_rate: Option<f64>,
    pub qualified_rate: Option<f64>,
    /// Won / received.
    pub win_rate: Option<f64>,
    pub leads_per_win: Option<f64>,
}

/// One group's speed to lead, its hours to one decimal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedLine {
    #[serde(flatten)]
    pub counts: SpeedRow,
    /// Within 48 hours, over the leads whose speed is known.
    pub share_48h: Option<f64>,
    pub untimed: i64,
}

/// The discipline of the open pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisciplineLine {
    #[serde(flatten)]
    pub counts: Discipline,
    pub touched_30d_share: Option<f64>,
}

/// A monthly cohort: the share won within 1..=12 months, None for a month not yet passed.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortLine {
    pub cohort: String,
    pub received: i64,
    pub won_within: [Option<f64>; 12],
}

impl CohortLine {
    /// The share won at the last month measured.
    pub fn latest(&self) -> Option<f64> {
        self.won_within.iter().rev().find_map(|s| *s)
    }
}

/// A source, with what its leads cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceLine {
    #[serde(flatten)]
    pub row: SourceRow,
    pub cost_per_lead: Option<f64>,
    pub cost_per_qualified: Option<f64>,
    pub cost_per_win: Option<f64>,
    pub roi: Option<f64>,
    /// Last but one, so that the columns before keep their places in `--csv`.
    pub cost_period: Option<f64>,
    /// Revenue in currencies without a rate (added after the columns that were there before).
    pub other_currencies: std::collections::BTreeMap<String, f64>,
}

/// Compute one report.
pub fn compute(store: &Store, report: Report, period: &Period, by: By, now: &Now) -> Result<Rows> {
    Ok(match report {
        Report::Funnel => Rows::Funnel(
            store
                .report_funnel(period, by)?
                .into_iter()
                .map(|r| FunnelLine {
                    contacted_rate: ratio(r.contacted, r.received),
                    qualified_rate: ratio(r.qualified, r.received),
                    win_rate: ratio(r.won, r.received),
                    leads_per_win: (r.won > 0).then(|| round(r.received as f64 / r.won as f64, 1)),
                    counts: r,
                })
                .collect(),
        ),
        Report::Speed => Rows::Speed(
            store
                .report_speed(period, by)?
                .into_iter()
                .map(|mut r| {
                    r.median_hours = r.median_hours.map(|v| round(v, 1));
                    r.p90_hours = r.p90_hours.map(|v| round(v, 1));
                    SpeedLine {
                        share_48h: ratio(r.within_48h, r.leads - r.untimed),
                        untimed: r.untimed,
                        counts: r,
                    }
                })
                .collect(),
        ),
        Report::Discipline => {
            let d = store.report_discipline(now)?;
            Rows::Discipline(DisciplineLine {
                touched_30d_share: ratio(d.touched_30d, d.open),
                counts: d,
            })
        }
        Report::Ripening => Rows::Ripening(
            store
                .report_cohorts(period, now)?
                .into_iter()
                .map(|c| {
                    let mut won_within = [None; 12];
                    for (k, won) in c.won_by_month.iter().enumerate().take(12) {
                        // A month that has not passed yet for the cohort is not known.
                        won_within[k] = (k < c.elapsed).then(|| ratio(*won, c.received)).flatten();
                    }
                    CohortLine {
                        cohort: c.cohort,
                        received: c.received,
                        won_within,
                    }
                })
                .collect(),
        ),
        Report::Losses => Rows::Losses {
            reasons: store.report_losses(period)?,
            recycling: store.report_recycling(period)?,
        },
        Report::Sources => Rows::Sources(
            store
                .report_sources(period)?
                .into_iter()
                .map(|r| {
                    // Per lead, qualified lead and win: the period's share of the cost, so
                    // that a lead costs the same in every period.
                    let per = |n: i64| {
                        r.cost_period
                            .filter(|_| n > 0)
                            .map(|c| round(c / n as f64, 2))
                    };
                    SourceLine {
                        cost_per_lead: per(r.leads),
                        cost_per_qualified: per(r.qualified),
                        cost_per_win: per(r.won),
                        roi: r
                            .cost_period
                            .filter(|c| *c > 0.0)
                            .map(|c| round((r.revenue - c) / c, 2)),
                        cost_period: r.cost_period.map(|c| round(c, 2)),
                        other_currencies: r.other_currencies.clone(),
                        row: r,
                    }
                })
                .collect(),
        ),
        Report::Forecast => Rows::Forecast(store.report_forecast(now)?),
        // Exact fractions: scripts compare these.
        Report::Owners => {
            // Each owner's share within 48 hours, as the speed report counts it.
            let speed = store.report_speed(period, By::Owner)?;
            let mut rows = store.report_owners(period, now)?;
            for row in &mut rows {
                let (within, known) = speed
                    .iter()
                    .filter(|s| owner_row(&s.group) == owner_row(&row.owner))
                    .fold((0, 0), |(w, k), s| {
                        (w + s.within_48h, k + s.leads - s.untimed)
                    });
                row.share_48h = ratio(within, known);
            }
            Rows::Owners(rows)
        }
    })
}

impl Rows {
    /// The rows as flat objects: what `--json` prints and `--csv` writes, and the tables show
    /// (their keys in words). Made from the typed rows' fields, so a renamed field renames its
    /// key and header everywhere at once.
    pub fn objects(&self) -> Vec<Map<String, Value>> {
        match self {
            Rows::Funnel(r) => objects(r),
            Rows::Speed(r) => objects(r),
            Rows::Discipline(d) => objects(std::slice::from_ref(d)),
            Rows::Ripening(r) => r
                .iter()
                .map(|c| {
                    let mut m = Map::new();
                    m.insert("cohort".into(), json!(c.cohort));
                    m.insert("received".into(), json!(c.received));
                    for (k, share) in c.won_within.iter().enumerate() {
                        m.insert(format!("won_{}m", k + 1), json!(share));
                    }
                    m
                })
                .collect(),
            Rows::Losses { reasons, recycling } => {
                let mut out: Vec<Map<String, Value>> = reasons
                    .iter()
                    .map(|l| {
                        let mut m = Map::new();
                        m.insert("kind".into(), json!("reason"));
                        m.insert("status".into(), json!(l.status));
                        m.insert("reason".into(), json!(l.reason));
                        m.insert("count".into(), json!(l.count));
                        m.insert("value".into(), json!(l.value));
                        m.insert("win_rate".into(), Value::Null);
                        m.insert("won".into(), Value::Null);
                        m.insert("closed".into(), Value::Null);
                        m.insert(display::OTHER_CURRENCIES.into(), json!(l.other_currencies));
                        m
                    })
                    .collect();
                // Recycled (reactivated at least once) against fresh leads: closed = won + lost.
                let r = recycling;
                for (kind, won, closed) in [
                    ("recycled", r.recycled_won, r.recycled_closed),
                    ("fresh", r.fresh_won, r.fresh_closed),
                ] {
                    let mut m = Map::new();
                    m.insert("kind".into(), json!(kind));
                    m.insert("status".into(), json!("won/closed"));
                    m.insert("reason".into(), json!(format!("{won}/{closed}")));
                    m.insert("count".into(), json!(closed));
                    m.insert("value".into(), Value::Null);
                    m.insert("win_rate".into(), json!(ratio(won, closed)));
                    m.insert("won".into(), json!(won));
                    m.insert("closed".into(), json!(closed));
                    m.insert(display::OTHER_CURRENCIES.into(), json!({}));
                    out.push(m);
                }
                out
            }
            Rows::Sources(r) => objects(r),
            Rows::Forecast(r) => objects(r),
            Rows::Owners(r) => objects(r),
        }
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        match self {
            Rows::Funnel(r) => r.is_empty(),
            Rows::Speed(r) => r.is_empty(),
            Rows::Discipline(_) => false,
            Rows::Ripening(r) => r.is_empty(),
            Rows::Losses { reasons, recycling } => {
                reasons.is_empty() && recycling.recycled_closed + recycling.fresh_closed == 0
            }
            Rows::Sources(r) => r.is_empty(),
            Rows::Forecast(r) => r.is_empty(),
            Rows::Owners(r) => r.is_empty(),
        }
    }
}

/// Compute one report as flat rows ([`compute`], then [`Rows::objects`]).
pub fn rows(
    store: &Store,
    name: &str,
    period: &Period,
    by: By,
    now: &Now,
) -> Result<Vec<Map<String, Value>>> {
    Ok(compute(store, Report::named(name)?, period, by, now)?.objects())
}

/// One table of a report as a person reads it: its rows, the columns shown (all of the first
/// row's when empty) and a caption below the report's name, if any.
pub struct Table<'a> {
    /// The report's name, which its headers read in ([`display::header_in`]).
    pub report: &'a str,
    pub caption: Option<&'static str>,
    pub rows: Vec<&'a Map<String, Value>>,
    pub columns: &'static [&'static str],
}

impl Table<'_> {
    /// The columns shown: [`Table::columns`], else every key of the first row; sums in other
    /// currencies only when some row has one.
    pub fn keys(&self) -> Vec<&str> {
        let all: Vec<&str> = match self.rows.first() {
            Some(first) if self.columns.is_empty() => first.keys().map(String::as_str).collect(),
            _ => self.columns.to_vec(),
        };
        let others = self.rows.iter().any(|r| {
            r.get(display::OTHER_CURRENCIES)
                .and_then(Value::as_object)
                .is_some_and(|o| !o.is_empty())
        });
        all.into_iter()
            .filter(|k| others || *k != display::OTHER_CURRENCIES)
            .collect()
    }
}

/// A report's rows as the tables the CLI prints and the app draws: one table of every column,
/// except `losses`, whose list holds two (losses by reason, and recycled leads against fresh).
pub fn tables<'a>(name: &'a str, rows: &'a [Map<String, Value>]) -> Vec<Table<'a>> {
    // Columns drop from the right when the screen is narrow: speed puts the share within 48
    // hours and the times first, the counts they come from after.
    const SPEED: &[&str] = &[
        "group",
        "leads",
        "share_48h",
        "median_hours",
        "p90_hours",
        "within_48h",
        "contacted",
        "never_contacted",
        "untimed",
    ];
    // What the period's leads cost and return first; the source's whole spend last (the
    // same figure for all time), so that it is the first to go on a narrow screen.
    const SOURCES: &[&str] = &[
        "source",
        "leads",
        "qualified",
        "won",
        "revenue",
        "other_currencies",
        "cost_period",
        "cost_per_lead",
        "cost_per_qualified",
        "cost_per_win",
        "roi",
        "cost",
    ];
    // Who is accountable first: how fast each owner's leads were called and what waits now,
    // then the outcomes.
    const OWNERS: &[&str] = &[
        "owner",
        "leads",
        "share_48h",
        "overdue",
        "oldest_overdue_days",
        "won",
        "lost",
        "win_rate",
        "avg_days_to_close",
        "revenue",
        "other_currencies",
    ];
    if name != "losses" {
        return vec![Table {
            report: name,
            caption: None,
            rows: rows.iter().collect(),
            columns: match name {
                "speed" => SPEED,
                // Over all time (or whenever the period's share is the whole spend) the last
                // column would repeat the cost: left out.
                "sources" if rows.iter().all(|r| r.get("cost") == r.get("cost_period")) => {
                    &SOURCES[..SOURCES.len() - 1]
                }
                "sources" => SOURCES,
                "owners" => OWNERS,
                _ => &[],
            },
        }];
    }
    let (reasons, kinds) = rows.iter().partition(|r| r["kind"] == "reason");
    vec![
        Table {
            report: name,
            caption: None,
            rows: reasons,
            columns: &["status", "reason", "count", "value", "other_currencies"],
        },
        Table {
            report: name,
            caption: Some("recycled against fresh leads"),
            rows: kinds,
            columns: &["kind", "won", "closed", "win_rate"],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_reports_agree() {
        for (r, name) in Report::ALL.into_iter().zip(NAMES) {
            assert_eq!(r.name(), name);
            assert_eq!(Report::named(name), Ok(r));
        }
        assert!(Report::named("nope").is_err());
    }

    /// The tables that name their columns name keys the rows have: a renamed field cannot
    /// leave a column blank.
    #[test]
    fn every_named_column_is_a_key_of_its_rows() {
        let speed = Rows::Speed(vec![SpeedLine {
            counts: SpeedRow {
                group: "Web".into(),
                leads: 3,
                contacted: 2,
                within_48h: 1,
                never_contacted: 1,
                untimed: 0,
                median_hours: Some(3.0),
                p90_hours: Some(9.0),
            },
            share_48h: Some(0.5),
            untimed: 0,
        }]);
        let sources = Rows::Sources(vec![SourceLine {
            row: SourceRow {
                source: "Web".into(),
                leads: 3,
                qualified: 2,
                won: 1,
                revenue: 10.0,
                cost: Some(5.0),
                cost_period: Some(2.5),
                other_currencies: [("MXN".to_string(), 1.0)].into(),
            },
            cost_per_lead: None,
            cost_per_qualified: None,
            cost_per_win: None,
            roi: None,
            cost_period: Some(2.5),
            other_currencies: Default::default(),
        }]);
        let losses = Rows::Losses {
            reasons: vec![LossRow {
                status: "lost".into(),
                reason: "budget".into(),
                count: 1,
                value: 0.0,
                other_currencies: Default::default(),
            }],
            recycling: RecycleOutcome {
                recycled_won: 0,
                recycled_closed: 1,
                fresh_won: 1,
                fresh_closed: 2,
            },
        };
        for (report, rows) in [
            (Report::Speed, speed),
            (Report::Sources, sources),
            (Report::Losses, losses),
        ] {
            let objects = rows.objects();
            for table in tables(report.name(), &objects) {
                assert!(!table.columns.is_empty(), "{}", report.name());
                for key in table.columns {
                    assert!(
                        table.rows.iter().all(|r| r.contains_key(*key)),
                        "{}: column {key} is no key of its rows",
                        report.name()
                    );
                }
            }
        }
    }
}
