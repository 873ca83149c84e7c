//! The flat lead record that `--json` prints and exports write: the stored facts plus what the
//! rules derive at `now` (priority, due, flags). Field names are a contract: extend, never rename.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::domain::priority::{self, Breakdown, Clock};
use crate::domain::{Activity, Now, Plan};
use crate::store::LeadRow;

fn rfc3339(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The priority score as records and lists show it: one decimal (and never `-0`: a score just
/// below zero rounds to a plain 0).
pub fn shown_priority(total: f64) -> f64 {
    (total * 10.0).round() / 10.0 + 0.0
}

/// The priority score as tables and the app show it: a whole number, half away from zero,
/// never `-0`.
pub fn whole_priority(total: f64) -> f64 {
    total.round() + 0.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shown_priority_has_one_decimal_and_no_negative_zero() {
        use super::{shown_priority, whole_priority};
        assert_eq!(format!("{:.0}", whole_priority(34.5)), "35");
        assert_eq!(format!("{:.0}", whole_priority(-0.3)), "0");
        assert_eq!(format!("{:.0}", whole_priority(-0.6)), "-1");
        assert_eq!(shown_priority(12.345).to_string(), "12.3");
        assert_eq!(shown_priority(-0.04).to_string(), "0");
        assert_eq!(shown_priority(-0.0).to_string(), "0");
        assert_eq!(shown_priority(-1.26).to_string(), "-1.3");
    }
}

/// One lead as scripts see it.
#[derive(Debug, Clone, Serialize)]
pub struct LeadRecord {
    /// The short number users type.
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub source: Option<String>,
    pub owner: String,
    pub tags: Vec<String>,
    pub status: &'static str,
    pub stage: Option<&'static str>,
    pub class: Option<&'static str>,
    /// In the currency's major unit.
    pub value: Option<f64>,
    /// The value's currency, an ISO 4217 code: the lead's own, else the book's (None when the
    /// book's currency symbol names no single code).
    pub currency: Option<String>,
    /// The follow-up priority score at `now`, one decimal.
    pub priority: f64,
    pub next_follow_up: Option<String>,
    pub last_contact_at: Option<String>,
    pub received_at: Option<String>,
    pub closed_at: Option<String>,
    pub recycle_on: Option<String>,
    pub ripe_on: Option<String>,
    pub reason: Option<String>,
    pub reason_note: Option<String>,
    pub recycle_count: i64,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    /// What an import kept beside the lead: its file's unmapped columns, by header.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// overdue | today | later | none
    pub due: &'static str,
    /// The first-contact clock of a new lead: fine | warning | breached.
    pub clock: Option<Clock>,
    pub days_idle: i64,
    pub rotting: bool,
    pub stale: bool,
    /// Why the lead is in the queue, in words.
    pub why: Vec<String>,
    /// A recycled lead, due for its touch rather than a follow-up (the queue lists those too).
    pub recycled_touch: bool,
    pub deleted_at: Option<String>,
}

impl LeadRecord {
    pub fn new(row: &LeadRow, now: &Now, plan: &Plan) -> LeadRecord {
        let l = &row.lead;
        let t = &row.touches;
        let score = priority::score(l, now, plan).total;
        LeadRecord {
            id: row.number,
            uid: l.uid.clone(),
            name: l.name.clone(),
            company: l.company.clone(),
            title: l.title.clone(),
            email: l.email.clone(),
            phone: l.phone.clone(),
            website: l.website.clone(),
            city: l.city.clone(),
            country: l.country.clone(),
            source: l.source.clone(),
            owner: l.owner.clone(),
            tags: l.tags.clone(),
            status: l.status.as_str(),
            stage: l.stage.map(|s| s.as_str()),
            class: l.class.map(|c| c.as_str()),
            value: l.value(),
            currency: l
                .currency
                .clone()
                .or_else(|| plan.home_currency().map(str::to_string)),
            priority: shown_priority(score),
            next_follow_up: rfc3339(l.next_follow_up),
            last_contact_at: rfc3339(t.last_contact_at),
            received_at: rfc3339(Some(l.received_at)),
            closed_at: rfc3339(l.closed_at),
            recycle_on: rfc3339(l.recycle_on),
            ripe_on: rfc3339(l.ripe_on),
            reason: l.reason.clone(),
            reason_note: l.reason_note.clone(),
            recycle_count: l.recycle_count,
            notes: l.notes.clone(),
            external_id: l.external_id.clone(),
            extra: l
                .extra_fields()
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
            due: match priority::due(l, now) {
                priority::Due::Overdue(_) => "overdue",
                priority::Due::Today => "today",
                priority::Due::Later(_) => "later",
                priority::Due::None => "none",
            },
            clock: priority::first_contact_clock(l, now, plan),
            days_idle: priority::days_idle(l, t, now),
            rotting: priority::rotting(l, t, now, plan),
            stale: priority::stale(l, t, now, plan),
            why: priority::why(l, t, now, plan),
            recycled_touch: priority::recycled_touch(l),
            deleted_at: rfc3339(l.deleted_at),
        }
    }
}

/// A timeline entry as scripts see it.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRecord {
    pub uid: String,
    pub at: Option<String>,
    pub kind: &'static str,
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// Who wrote it, when someone else than this book's user (a teammate, through sync).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl From<&Activity> for ActivityRecord {
    fn from(a: &Activity) -> Self {
        ActivityRecord {
            uid: a.uid.clone(),
            at: rfc3339(Some(a.at)),
            kind: a.kind.as_str(),
            outcome: a.outcome.clone(),
            note: a.note.clone(),
            author: a.author.clone(),
        }
    }
}

/// `show --json`: the lead, its timeline newest first, and its priority breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct LeadDetail {
    pub lead: LeadRecord,
    pub timeline: Vec<ActivityRecord>,
    pub priority: Breakdown,
}
