//! The follow-up priority score, and the flags a lead shows (first-contact clock, due, rotting,
//! stale).
//!
//! # The score
//! In the spirit of taskwarrior's urgency, a sum of terms:
//!
//! ```text
//! score(now) = tier + overdue_per_day × days_overdue(now)
//! tier       = first contact (new) | working | class + stage   +  value step
//! ```
//!
//! An open lead with no class (an imported deal) counts as class B, as its cadence does.
//!
//! `days_overdue` is fractional and negative before the follow-up falls due. Everything but the
//! overdue term is independent of time, and the overdue term grows at the same rate for every
//! lead, so the *order* of any two leads never changes as time passes. That lets the store keep
//! the queue's order in an index over `due × overdue_per_day − tier × 1 day` and read the top 50
//! of a million due leads in microseconds, exactly, at any `now`.
//!
//! Shelf life and the first-contact clock enter through the due time: a new lead is due when it
//! arrives, an open one a cadence after its last contact, so a lead left alone climbs by
//! `overdue_per_day` points every day. The 48-hour breach and the 90-day stale mark are shown as
//! flags beside the score.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::lead::{Lead, Stage, Status};
use super::plan::Plan;
use super::time::Now;

/// One term of the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub name: String,
    pub points: f64,
}

/// The score of a lead at a moment, term by term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub total: f64,
    pub terms: Vec<Term>,
}

/// The time-independent part of the score, term by term.
pub fn tier_terms(lead: &Lead, plan: &Plan) -> Vec<Term> {
    let p = &plan.priority;
    let mut terms = Vec::new();
    let mut add = |name: String, points: i64| {
        if points != 0 {
            terms.push(Term {
                name,
                points: points as f64,
            });
        }
    };
    match lead.status {
        Status::New => add("first contact".into(), p.first_contact),
        Status::Working => add("working".into(), p.working),
        Status::Open => {
            // An open lead with no class (an imported deal) counts as class B, as its
            // cadence does: a deal is never worth less than an unqualified inquiry.
            match lead.class {
                Some(c) => add(format!("class {c}"), p.class_points(c)),
                None => add("no class (as B)".into(), p.class_b),
            }
            if let Some(s) = lead.stage {
                add(s.as_str().into(), p.stage_points(s));
            }
        }
        _ => {}
    }
    if lead.status.is_active()
        && let Some(v) = lead.value_cents
        // In the book's currency: a value in another counts at the user's rate, or not at all.
        && let Some(v) = plan.ranked_value(v, lead.currency.as_deref())
        && let Some((step, pts)) = p.value_tiers().into_iter().find(|(step, _)| v >= *step)
    {
        add(
            format!(
                "value ≥ {}",
                super::lead::format_money_short(step, &plan.currency)
            ),
            pts,
        );
    }
    terms
}

/// The time-independent tier, in points.
pub fn tier(lead: &Lead, plan: &Plan) -> i64 {
    tier_terms(lead, plan).iter().map(|t| t.points as i64).sum()
}

/// The key the queue is sorted by, ascending: `due × per_day − tier × 86400`, in point-seconds.
/// Equal to `(now × per_day − score(now) × 86400)` for every `now`, so sorting by it is sorting
/// by score, highest first.
pub fn rank_key(due: DateTime<Utc>, tier: i64, plan: &Plan) -> i64 {
    due.timestamp() * plan.priority.per_day() - tier * 86_400
}

/// The score at `now`, with its breakdown.
pub fn score(lead: &Lead, now: &Now, plan: &Plan) -> Breakdown {
    // A lead in the trash asks for nothing.
    if lead.deleted_at.is_some() {
        return Breakdown {
            total: 0.0,
            terms: Vec::new(),
        };
    }
    let mut terms = tier_terms(lead, plan);
    if let Some(due) = lead.next_follow_up
        && (lead.status.is_active() || lead.status.is_closed_out())
    {
        let days = (now.utc - due).num_seconds() as f64 / 86_400.0;
        let pts = days * plan.priority.per_day() as f64;
        // The words say the time the points count, to a tenth of a day (so that the sum can
        // be checked: 2.5 days × 2 points = 5), or in hours within a day. The flags count
        // calendar days ("overdue 3d" for a lead due 60 hours ago, the day before yesterday).
        let name = match (days >= 0.0, days.abs()) {
            (true, d) if d < 1.0 => format!("overdue {}h", (d * 24.0).floor() as i64),
            (true, d) => format!("overdue {}d", tenths(d)),
            (false, d) if d < 1.0 => format!("due in {}h", (d * 24.0).floor() as i64),
            (false, d) => format!("due in {}d", tenths(d)),
        };
        terms.push(Term { name, points: pts });
    }
    let total = terms.iter().map(|t| t.points).sum();
    Breakdown { total, terms }
}

/// Days to a tenth, without a trailing ".0": 2.5, 3, 80.5.
fn tenths(days: f64) -> String {
    let t = (days * 10.0).floor() / 10.0;
    if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        format!("{t:.1}")
    }
}

/// A recycled lead (lost or disqualified, with a recycle date): when it is due, the Follow-ups
/// list it as a recycled touch, beside the Recycled tab.
pub fn recycled_touch(lead: &Lead) -> bool {
    lead.status.is_closed_out() && lead.recycle_on.is_some() && lead.deleted_at.is_none()
}

/// The first-contact clock of a lead never contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    Fine,
    Warning,
    Breached,
}

/// The clock for a new lead (`None` once contacted).
pub fn first_contact_clock(lead: &Lead, now: &Now, plan: &Plan) -> Option<Clock> {
    if lead.status != Status::New || lead.deleted_at.is_some() {
        return None;
    }
    let hours = now.hours_since(lead.received_at);
    Some(if hours >= plan.first_contact.breach_hours as f64 {
        Clock::Breached
    } else if hours >= plan.first_contact.warning_hours as f64 {
        Clock::Warning
    } else {
        Clock::Fine
    })
}

/// A new lead still inside its first-contact window (not yet breached): its clock, not the
/// calendar, says how late it is. A lead received last night is not "overdue 1d" at nine.
pub fn fresh_inquiry(lead: &Lead, now: &Now, plan: &Plan) -> bool {
    matches!(
        first_contact_clock(lead, now, plan),
        Some(Clock::Fine | Clock::Warning)
    )
}

/// Where a lead's next follow-up stands against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "days")]
pub enum Due {
    /// Due on an earlier day, by this many days.
    Overdue(i64),
    Today,
    /// Due on a later day, in this many days.
    Later(i64),
    None,
}

pub fn due(lead: &Lead, now: &Now) -> Due {
    if lead.deleted_at.is_some() {
        return Due::None;
    }
    match lead.next_follow_up {
        None => Due::None,
        Some(at) => {
            let d = now.days_since(at);
            match d {
                d if d > 0 => Due::Overdue(d),
                0 => Due::Today,
                d => Due::Later(-d),
            }
        }
    }
}

/// What a lead's timeline says about contact, computed by the store from activities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Touches {
    /// The last call, e-mail, meeting or message.
    pub last_contact_at: Option<DateTime<Utc>>,
    /// The last contact or change of state (notes excluded).
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Days an open lead has sat without a contact or a change of state.
pub fn days_idle(lead: &Lead, touches: &Touches, now: &Now) -> i64 {
    let since = touches
        .last_activity_at
        .unwrap_or(lead.received_at)
        .max(lead.received_at);
    now.days_since(since).max(0)
}

/// An open lead idle past its stage's limit.
pub fn rotting(lead: &Lead, touches: &Touches, now: &Now, plan: &Plan) -> bool {
    match (lead.status, lead.stage) {
        (Status::Open, Some(stage)) => days_idle(lead, touches, now) > plan.rotting.limit(stage),
        _ => false,
    }
}

/// Days since the last contact (since receipt if never contacted).
pub fn days_since_contact(lead: &Lead, touches: &Touches, now: &Now) -> i64 {
    now.days_since(touches.last_contact_at.unwrap_or(lead.received_at))
        .max(0)
}

/// An active lead with no contact for the shelf life (90 days): as good as dead.
pub fn stale(lead: &Lead, touches: &Touches, now: &Now, plan: &Plan) -> bool {
    lead.status.is_active() && days_since_contact(lead, touches, now) >= plan.stale_days
}

/// Short words saying why a lead is in the queue: "48h breached", "overdue 3d", "stale 92d",
/// "ripe", "due today".
pub fn why(lead: &Lead, touches: &Touches, now: &Now, plan: &Plan) -> Vec<String> {
    reasons(lead, touches, now, plan, false)
}

/// [`why`] for a narrow column beside the stage: without the stage, and stale or rotting
/// without their days (the detail gives them).
pub fn why_brief(lead: &Lead, touches: &Touches, now: &Now, plan: &Plan) -> Vec<String> {
    reasons(lead, touches, now, plan, true)
}

fn reasons(lead: &Lead, touches: &Touches, now: &Now, plan: &Plan, brief: bool) -> Vec<String> {
    let mut out = Vec::new();
    if lead.deleted_at.is_some() {
        return out;
    }
    match first_contact_clock(lead, now, plan) {
        Some(Clock::Breached) => out.push(format!("{}h breached", plan.first_contact.breach_hours)),
        Some(Clock::Warning) => out.push(format!("{}h warning", plan.first_contact.warning_hours)),
        _ => {}
    }
    match due(lead, now) {
        Due::Overdue(d) if !fresh_inquiry(lead, now, plan) => out.push(format!("overdue {d}d")),
        Due::Overdue(_) | Due::Today if out.is_empty() => out.push("due today".into()),
        Due::Later(d) if out.is_empty() => out.push(format!("in {d}d")),
        _ => {}
    }
    if stale(lead, touches, now, plan) {
        out.push(match brief {
            true => "stale".into(),
            false => format!("stale {}d", days_since_contact(lead, touches, now)),
        });
    }
    if rotting(lead, touches, now, plan) {
        out.push(match brief {
            true => "rotting".into(),
            false => format!("rotting {}d", days_idle(lead, touches, now)),
        });
    }
    if !brief
        && lead.status == Status::Open
        && let Some(s) = lead.stage
        && s >= Stage::Ripe
    {
        out.push(s.as_str().into());
    }
    if lead.status.is_closed_out() {
        // One that will never come back (its reason recycles never) says so.
        out.push(
            if lead.recycle_on.is_some() {
                "recycled"
            } else {
                "not recycled"
            }
            .into(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_in_the_trash_asks_for_nothing() {
        let p = Plan::default();
        let n = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let mut l = Lead::received(
            "u".into(),
            "Ann".into(),
            "me".into(),
            n.utc - Duration::days(5),
        );
        l.next_follow_up = Some(l.received_at);
        assert!(score(&l, &n, &p).total > 0.0);
        l.deleted_at = Some(n.utc);
        assert_eq!(score(&l, &n, &p).total, 0.0);
        assert!(why(&l, &Touches::default(), &n, &p).is_empty());
        assert_eq!(due(&l, &n), Due::None);
        assert_eq!(first_contact_clock(&l, &n, &p), None);
    }
    use crate::domain::lead::Class;
    use chrono::{Duration, TimeZone};

    fn now() -> Now {
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    fn lead(status: Status, hours_ago: i64) -> Lead {
        let received = now().utc - Duration::hours(hours_ago);
        let mut l = Lead::received("u".into(), "Jane".into(), "me".into(), received);
        l.status = status;
        l.next_follow_up = Some(received);
        l
    }

    #[test]
    fn new_lead_clock_is_fine_warning_then_breached() {
        let p = Plan::default();
        assert_eq!(
            first_contact_clock(&lead(Status::New, 2), &now(), &p),
            Some(Clock::Fine)
        );
        assert_eq!(
            first_contact_clock(&lead(Status::New, 30), &now(), &p),
            Some(Clock::Warning)
        );
        assert_eq!(
            first_contact_clock(&lead(Status::New, 60), &now(), &p),
            Some(Clock::Breached)
        );
        assert_eq!(
            first_contact_clock(&lead(Status::Working, 60), &now(), &p),
            None
        );
    }

    #[test]
    fn older_new_lead_scores_higher() {
        let p = Plan::default();
        let old = score(&lead(Status::New, 60), &now(), &p).total;
        let young = score(&lead(Status::New, 2), &now(), &p).total;
        // 30 first contact + 2 points a day: 60 h = 2.5 days overdue.
        assert!((old - 35.0).abs() < 1e-9, "{old}");
        assert!((young - (30.0 + 2.0 * 2.0 / 24.0)).abs() < 1e-9, "{young}");
    }

    #[test]
    fn breakdown_lists_each_term_and_sums_to_the_total() {
        let p = Plan::default();
        let mut l = lead(Status::Open, 0);
        l.class = Some(Class::A);
        l.stage = Some(Stage::Ripe);
        l.value_cents = Some(2_400_000);
        l.next_follow_up = Some(now().utc - Duration::days(3));
        let b = score(&l, &now(), &p);
        let names: Vec<_> = b.terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["class A", "ripe", "value ≥ €5k", "overdue 3d"]);
        // 25 + 20 + 5 + 3 days × 2
        assert!((b.total - 56.0).abs() < 1e-9);
    }

    #[test]
    fn an_open_deal_without_a_class_counts_as_class_b_above_a_working_lead() {
        let p = Plan::default();
        let mut deal = lead(Status::Open, 0);
        deal.stage = Some(Stage::Green);
        let working = lead(Status::Working, 0);
        let d = score(&deal, &now(), &p);
        assert_eq!(d.terms[0].name, "no class (as B)");
        assert_eq!(d.terms[0].points, p.priority.class_b as f64);
        assert!(d.total > score(&working, &now(), &p).total);
    }

    #[test]
    fn rank_key_orders_exactly_like_the_score_at_any_time() {
        let p = Plan::default();
        let mut a = lead(Status::Open, 0);
        a.class = Some(Class::A);
        a.stage = Some(Stage::Negotiation);
        a.next_follow_up = Some(now().utc + Duration::days(5));
        let b = lead(Status::New, 100);
        let c = lead(Status::Working, 10);
        let leads = [a, b, c];
        for shift in [-400, -3, 0, 1, 17, 900] {
            let at = Now::utc(now().utc + Duration::days(shift));
            let mut by_score: Vec<usize> = (0..3).collect();
            by_score.sort_by(|&i, &j| {
                score(&leads[j], &at, &p)
                    .total
                    .total_cmp(&score(&leads[i], &at, &p).total)
            });
            let mut by_key: Vec<usize> = (0..3).collect();
            by_key.sort_by_key(|&i| {
                rank_key(leads[i].next_follow_up.unwrap(), tier(&leads[i], &p), &p)
            });
            assert_eq!(by_score, by_key, "at shift {shift}");
        }
    }

    #[test]
    fn rotting_follows_the_stage_limit() {
        let p = Plan::default();
        let mut l = lead(Status::Open, 24 * 60);
        l.stage = Some(Stage::Proposal);
        let t = Touches {
            last_contact_at: Some(now().utc - Duration::days(8)),
            last_activity_at: Some(now().utc - Duration::days(8)),
        };
        assert!(rotting(&l, &t, &now(), &p));
        l.stage = Some(Stage::Green);
        assert!(!rotting(&l, &t, &now(), &p));
    }

    #[test]
    fn stale_after_ninety_days_without_contact() {
        let p = Plan::default();
        let l = lead(Status::Working, 24 * 200);
        let fresh = Touches {
            last_contact_at: Some(now().utc - Duration::days(89)),
            last_activity_at: None,
        };
        let dead = Touches {
            last_contact_at: Some(now().utc - Duration::days(92)),
            last_activity_at: None,
        };
        assert!(!stale(&l, &fresh, &now(), &p));
        assert!(stale(&l, &dead, &now(), &p));
        assert!(why(&l, &dead, &now(), &p).contains(&"stale 92d".to_string()));
    }

    /// A lead received last night is due today, not "overdue 1d"; its warning speaks for it
    /// once it has one.
    #[test]
    fn the_brief_why_leaves_out_the_stage_and_the_days() {
        let p = Plan::default();
        let mut l = lead(Status::Open, 24 * 200);
        l.stage = Some(Stage::Proposal);
        l.next_follow_up = Some(now().utc - Duration::days(3));
        let t = Touches::default();
        assert_eq!(why(&l, &t, &now(), &p).last().unwrap(), "proposal");
        let brief = why_brief(&l, &t, &now(), &p);
        assert!(brief.contains(&"stale".to_string()), "{brief:?}");
        assert!(brief.contains(&"rotting".to_string()), "{brief:?}");
        assert!(!brief.iter().any(|w| w == "proposal"), "{brief:?}");
    }

    #[test]
    fn a_fresh_inquiry_is_due_today_not_overdue() {
        let p = Plan::default();
        let l = lead(Status::New, 21);
        assert_eq!(due(&l, &now()), Due::Overdue(1));
        assert_eq!(why(&l, &Touches::default(), &now(), &p), ["due today"]);
        let l = lead(Status::New, 30);
        assert_eq!(why(&l, &Touches::default(), &now(), &p), ["24h warning"]);
    }

    #[test]
    fn why_names_breach_and_overdue() {
        let p = Plan::default();
        let l = lead(Status::New, 60);
        let w = why(&l, &Touches::default(), &now(), &p);
        assert_eq!(w, ["48h breached", "overdue 3d"]);
    }

    #[test]
    fn a_closed_lead_says_whether_it_comes_back() {
        let p = Plan::default();
        let mut l = lead(Status::Disqualified, 0);
        l.next_follow_up = None;
        let w = why(&l, &Touches::default(), &now(), &p);
        assert_eq!(w, ["not recycled"]);
        l.recycle_on = Some(now().utc + Duration::days(90));
        assert!(why(&l, &Touches::default(), &now(), &p).contains(&"recycled".to_string()));
    }

    /// 60 hours overdue is 2.5 days of points, and the breakdown says 2.5 days (the flags say
    /// three calendar days: due the day before yesterday).
    #[test]
    fn the_breakdown_says_the_time_its_points_count() {
        let p = Plan::default();
        let l = lead(Status::New, 60);
        let b = score(&l, &now(), &p);
        let overdue = b
            .terms
            .iter()
            .find(|t| t.name.starts_with("overdue"))
            .unwrap();
        assert_eq!(overdue.name, "overdue 2.5d");
        assert!((overdue.points - 5.0).abs() < 1e-9, "{}", overdue.points);
        assert!(why(&l, &Touches::default(), &now(), &p).contains(&"overdue 3d".to_string()));
        let mut soon = lead(Status::Working, 0);
        soon.next_follow_up = Some(now().utc + Duration::hours(5));
        let b = score(&soon, &now(), &p);
        assert_eq!(b.terms.last().unwrap().name, "due in 5h");
    }
}
