//! Reports: which leads convert, how fast, from where, and why not. Each report is a list of
//! flat rows (the same objects `--json` prints and `--csv` writes), computed from the store's SQL
//! aggregates plus the ratios derived from them here.

pub mod display;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::domain::Now;
use crate::store::{By, Period, Result, Store};

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
              won and lost leads (received → closed), revenue";

/// The reports there are.
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

/// Compute one report as flat rows.
pub fn rows(
    store: &Store,
    name: &str,
    period: &Period,
    by: By,
    now: &Now,
) -> Result<Vec<Map<String, Value>>> {
    Ok(match name {
        "funnel" => {
            let rows = store.report_funnel(period, by)?;
            let mut out = objects(&rows);
            for (o, r) in out.iter_mut().zip(&rows) {
                o.insert(
                    "contacted_rate".into(),
                    json!(ratio(r.contacted, r.received)),
                );
                o.insert(
                    "qualified_rate".into(),
                    json!(ratio(r.qualified, r.received)),
                );
                o.insert("win_rate".into(), json!(ratio(r.won, r.received)));
                o.insert(
                    "leads_per_win".into(),
                    json!((r.won > 0).then(|| round(r.received as f64 / r.won as f64, 1))),
                );
            }
            out
        }
        "speed" => {
            let rows = store.report_speed(period, by)?;
            let mut out = objects(&rows);
            for (o, r) in out.iter_mut().zip(&rows) {
                // Over the leads whose speed is known: contacted at a known time, or not yet.
                o.insert(
                    "share_48h".into(),
                    json!(ratio(r.within_48h, r.leads - r.untimed)),
                );
                o.insert("untimed".into(), json!(r.untimed));
                for k in ["median_hours", "p90_hours"] {
                    if let Some(v) = o.get(k).and_then(Value::as_f64) {
                        o.insert(k.into(), json!(round(v, 1)));
                    }
                }
            }
            out
        }
        "discipline" => {
            let d = store.report_discipline(now)?;
            let mut o = objects(std::slice::from_ref(&d));
            if let Some(m) = o.first_mut() {
                m.insert(
                    "touched_30d_share".into(),
                    json!(ratio(d.touched_30d, d.open)),
                );
            }
            o
        }
        "ripening" => store
            .report_cohorts(period, now)?
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("cohort".into(), json!(c.cohort));
                m.insert("received".into(), json!(c.received));
                for (k, won) in c.won_by_month.iter().enumerate() {
                    // A month that has not passed yet for the cohort is not known: null.
                    let share = (k < c.elapsed).then(|| ratio(*won, c.received)).flatten();
                    m.insert(format!("won_{}m", k + 1), json!(share));
                }
                m
            })
            .collect(),
        "losses" => {
            let mut out: Vec<Map<String, Value>> = store
                .report_losses(period)?
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
            let r = store.report_recycling(period)?;
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
        "sources" => {
            let rows = store.report_sources(period)?;
            let mut out = objects(&rows);
            for (o, r) in out.iter_mut().zip(&rows) {
                // Per lead, qualified lead and win: the period's share of the cost, so that a
                // lead costs the same in every period.
                let per = |n: i64| {
                    r.cost_period
                        .filter(|_| n > 0)
                        .map(|c| round(c / n as f64, 2))
                };
                o.insert("cost_per_lead".into(), json!(per(r.leads)));
                o.insert("cost_per_qualified".into(), json!(per(r.qualified)));
                o.insert("cost_per_win".into(), json!(per(r.won)));
                o.insert(
                    "roi".into(),
                    json!(
                        r.cost_period
                            .filter(|c| *c > 0.0)
                            .map(|c| round((r.revenue - c) / c, 2))
                    ),
                );
                // Last, so that the columns before keep their places in --csv.
                o.insert(
                    "cost_period".into(),
                    json!(r.cost_period.map(|c| round(c, 2))),
                );
            }
            out
        }
        "forecast" => objects(&store.report_forecast(now)?),
        // Exact fractions: scripts compare these.
        "owners" => objects(&store.report_owners(period)?),
        other => {
            return Err(crate::domain::DomainError::Unknown {
                what: "report",
                value: other.to_string(),
                known: NAMES.join(", "),
            }
            .into());
        }
    })
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

/// Which date a report's period is read on: the leads *received* in it (a cohort: funnel,
/// speed, ripening, sources, owners) or *closed* in it (losses); none for the reports of the
/// book as it is now.
pub fn period_basis(name: &str) -> Option<&'static str> {
    match name {
        "discipline" | "forecast" => None,
        "losses" => Some("closed"),
        _ => Some("received"),
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
