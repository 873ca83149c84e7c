//! The state an imported lead arrives in. A row of a file says where its lead stands (new,
//! working, open, won, lost or disqualified); ripen's transitions go one step at a time (a lead
//! is won from an active status, lost only once qualified, disqualified before). [`arrive`]
//! brings a lead just received to the status its row asks for through those same transitions,
//! so an imported win or loss carries the dates, reason, recycle date and timeline entry of one
//! closed by hand. Beside it, the dates an import settles on its own: when a closed record
//! closed ([`imported_close`]), when its last activity happened ([`imported_activity_at`]), and
//! when a lead falls due ([`imported_follow_up`], [`imported_due_back`]).

use chrono::{DateTime, Utc};

use super::lifecycle::{self, Change, Recycle};
use super::{DomainError, Lead, Now, Plan, Stage, Status};

/// The reason of an imported loss whose row gives none, and the first stand-in for a reason
/// the book's config lacks. Written into books: never rename it.
pub const UNKNOWN_REASON: &str = "unknown";

/// The note of an imported loss whose row gives no reason.
pub const NO_REASON_NOTE: &str = "no reason given in the import";

/// What a row of an import says of where its lead stands, as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// The status the row asks for.
    pub status: Status,
    /// A lost or disqualified row's reason, as a reason key read from the file's words (the
    /// book's config may still lack it); `None` when the row gives no reason.
    pub reason: Option<String>,
    /// What the row says beside its reason.
    pub reason_note: Option<String>,
    /// A lost or disqualified row's recycle date; without one, the reason's rule sets it.
    pub recycle_on: Option<DateTime<Utc>>,
    /// The follow-up the row sets (a ripen export, a snoozed lead): it stands, unless the lead
    /// arrives won.
    pub next_follow_up: Option<DateTime<Utc>>,
    /// When the lead was last worked on before the import, as the book keeps it
    /// ([`imported_activity_at`]).
    pub last_activity: Option<DateTime<Utc>>,
}

impl Arrival {
    /// A row that asks for `status` and says nothing more.
    pub fn new(status: Status) -> Arrival {
        Arrival {
            status,
            reason: None,
            reason_note: None,
            recycle_on: None,
            next_follow_up: None,
            last_activity: None,
        }
    }
}

/// Bring `received` (a lead as [`lifecycle::receive`] made it, with its entries) to the state
/// `row` asks for. `closed` is when a won, lost or disqualified row closed
/// ([`imported_close`]); `now` is the import's moment.
///
/// - New, working, open: that status (an open lead with no stage at the first, green); due when
///   the row says, else a cadence after its last activity, never in the past
///   ([`imported_follow_up`]).
/// - Won: opened first, as if qualified, because only an active lead can be won; then won.
/// - Lost or disqualified: opened (lost) or worked (disqualified) first, as those transitions
///   ask; then closed out with the row's reason, or, when the book's config lacks it,
///   [`UNKNOWN_REASON`], else "timing", else the config's first; with no reason at all,
///   [`UNKNOWN_REASON`] noted [`NO_REASON_NOTE`]. It recycles on the row's date, else by its
///   reason, and is due back then, or today once that has passed
///   ([`imported_due_back`]).
pub fn arrive(
    received: Change,
    row: Arrival,
    closed: &Now,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    let mut change = received;
    let status = row.status;
    match status {
        Status::New | Status::Working | Status::Open => {
            change.lead.status = status;
            if status == Status::Open && change.lead.stage.is_none() {
                change.lead.stage = Some(Stage::Green);
            }
            change.lead.next_follow_up =
                Some(row.next_follow_up.unwrap_or_else(|| {
                    imported_follow_up(&change.lead, row.last_activity, now, plan)
                }));
        }
        Status::Won => {
            change.lead.status = Status::Open;
            let won = lifecycle::win(&change.lead, None, closed, plan)?;
            change.lead = won.lead;
            change.entries.extend(won.entries);
        }
        Status::Lost | Status::Disqualified => {
            let (key, note) = match row.reason {
                Some(key) => (key, row.reason_note),
                None => (
                    UNKNOWN_REASON.to_string(),
                    row.reason_note.or_else(|| Some(NO_REASON_NOTE.to_string())),
                ),
            };
            let key = known_reason(&key, plan);
            change.lead.status = if status == Status::Lost {
                Status::Open
            } else {
                Status::Working
            };
            let recycle = match row.recycle_on {
                Some(at) => Recycle::On(at),
                None => Recycle::ByReason,
            };
            let closed_out =
                lifecycle::close_out(&change.lead, status, &key, note, recycle, closed, plan)?;
            change.lead = closed_out.lead;
            change.entries.extend(closed_out.entries);
            change.lead.next_follow_up = imported_due_back(change.lead.next_follow_up, now);
        }
    }
    if let Some(at) = row.next_follow_up
        && change.lead.status != Status::Won
    {
        change.lead.next_follow_up = Some(at);
    }
    Ok(change)
}

/// `key` if the book's config knows it; else "unknown", else "timing", else its first reason.
fn known_reason(key: &str, plan: &Plan) -> String {
    [key, UNKNOWN_REASON, "timing"]
        .into_iter()
        .find(|k| plan.reasons.contains_key(*k))
        .or_else(|| plan.reasons.keys().next().map(String::as_str))
        .unwrap_or(UNKNOWN_REASON)
        .to_string()
}

/// When an imported lead that is still to be worked (new, working or open) falls due: a cadence
/// after its last activity in the old CRM (after it was received, if the file says none), but
/// never in the past. A deal or an inquiry left alone in the old CRM is due today rather than
/// months overdue: otherwise a year-old list of never-contacted inquiries would rank above every
/// imported deal (each overdue day is worth points), though a lead that old has cooled the most.
/// Its first-contact clock still shows how late it is.
pub fn imported_follow_up(
    lead: &Lead,
    last_activity: Option<DateTime<Utc>>,
    now: &Now,
    plan: &Plan,
) -> DateTime<Utc> {
    let since = last_activity.map_or(lead.received_at, |at| at.max(lead.received_at));
    lifecycle::next_from_cadence(lead, since, now, plan).max(now.utc)
}

/// When an imported record's last activity happened, as the book keeps it: never before the
/// lead was received, and never after now (a planned one, or a clock ahead, happened now at the
/// latest).
pub fn imported_activity_at(
    at: DateTime<Utc>,
    received_at: DateTime<Utc>,
    now: &Now,
) -> DateTime<Utc> {
    at.max(received_at).min(now.utc)
}

/// When an imported loss or disqualification is due back: on its recycle date, or today once
/// that has passed (an old loss whose rest is over), never months overdue, as
/// [`imported_follow_up`] has it for the leads still to be worked.
pub fn imported_due_back(due: Option<DateTime<Utc>>, now: &Now) -> Option<DateTime<Utc>> {
    due.map(|at| at.max(now.utc))
}

/// Where an imported close date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseDate {
    /// The file gave it (as a close, a last change or a last activity).
    Given,
    /// The file gave one after now: the record closed now at the latest.
    Future,
    /// The file gave none: the record closed when it was received at the earliest, and that is
    /// what the book says (rather than the day of the import, which would date every old loss
    /// this month and rest it for months more).
    Unknown,
}

/// When an imported closed record (won, lost, disqualified) closed: its close date, else the
/// last time it changed (closing is a change), else its last activity; never before it was
/// received and never after now; with no date at all, when it was received.
pub fn imported_close(
    received_at: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    modified: Option<DateTime<Utc>>,
    last_activity: Option<DateTime<Utc>>,
    now: &Now,
) -> (DateTime<Utc>, CloseDate) {
    match closed.or(modified).or(last_activity) {
        None => (received_at.min(now.utc), CloseDate::Unknown),
        Some(at) if at > now.utc => (now.utc, CloseDate::Future),
        Some(at) => (at.max(received_at).min(now.utc), CloseDate::Given),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> Now {
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    /// A lead received 30 days ago, as an import receives it.
    fn received(plan: &Plan) -> Change {
        let lead = Lead::received(
            "u1".into(),
            "Jane Doe".into(),
            "me".into(),
            now().utc - Duration::days(30),
        );
        lifecycle::receive(lead, plan, &now())
    }

    fn days_ago(n: i64) -> DateTime<Utc> {
        now().utc - Duration::days(n)
    }

    fn arrive_as(row: Arrival, plan: &Plan) -> Change {
        let closed = now().at(days_ago(10));
        arrive(received(plan), row, &closed, &now(), plan).unwrap()
    }

    #[test]
    fn a_won_row_is_opened_then_won_when_it_closed_and_keeps_no_follow_up() {
        let plan = Plan::default();
        let row = Arrival {
            next_follow_up: Some(days_ago(-3)),
            ..Arrival::new(Status::Won)
        };
        let c = arrive_as(row, &plan);
        assert_eq!(c.lead.status, Status::Won);
        assert_eq!(c.lead.closed_at, Some(days_ago(10)));
        assert_eq!(c.lead.next_follow_up, None);
        let last = c.entries.last().unwrap();
        assert_eq!(last.at, days_ago(10));
        assert_eq!(last.note.as_deref(), Some("open → won"));
        // Opened first, so it never left the inbox uncontacted on the way.
        assert!(
            c.entries
                .iter()
                .all(|e| e.event != Some(crate::domain::event::Event::LeftInboxUncontacted)),
            "{:?}",
            c.entries
        );
    }

    #[test]
    fn a_lost_row_is_opened_then_lost_with_its_reason_and_note_and_rests_by_its_reason() {
        let plan = Plan::default();
        let row = Arrival {
            reason: Some("competitor".into()),
            reason_note: Some("went with Acme".into()),
            ..Arrival::new(Status::Lost)
        };
        let c = arrive_as(row, &plan);
        assert_eq!(c.lead.status, Status::Lost);
        assert_eq!(c.lead.reason.as_deref(), Some("competitor"));
        assert_eq!(c.lead.reason_note.as_deref(), Some("went with Acme"));
        assert_eq!(c.lead.closed_at, Some(days_ago(10)));
        // 180 days after the close, on a work day; still ahead, so due back then.
        let back = lifecycle::recycle_date(180, &now().at(days_ago(10)), &plan);
        assert_eq!(c.lead.recycle_on, Some(back));
        assert_eq!(c.lead.next_follow_up, Some(back));
        let last = c.entries.last().unwrap().note.as_deref().unwrap();
        assert!(
            last.starts_with("open → lost: competitor (went with Acme)"),
            "{last}"
        );
    }

    #[test]
    fn a_reason_the_config_lacks_falls_back_to_unknown_then_timing_then_the_first() {
        let mut plan = Plan::default();
        let row = Arrival {
            reason: Some("asked-for-collateral".into()),
            ..Arrival::new(Status::Lost)
        };
        let reason = |plan: &Plan| arrive_as(row.clone(), plan).lead.reason.unwrap();
        assert_eq!(reason(&plan), "unknown");
        plan.reasons.remove("unknown");
        assert_eq!(reason(&plan), "timing");
        plan.reasons.remove("timing");
        assert_eq!(reason(&plan), "budget");
    }

    #[test]
    fn a_row_with_no_reason_is_lost_for_unknown_and_noted_so_unless_it_says_more() {
        let plan = Plan::default();
        let c = arrive_as(Arrival::new(Status::Lost), &plan);
        assert_eq!(c.lead.reason.as_deref(), Some(UNKNOWN_REASON));
        assert_eq!(c.lead.reason_note.as_deref(), Some(NO_REASON_NOTE));
        let row = Arrival {
            reason_note: Some("ghosted after the demo".into()),
            ..Arrival::new(Status::Lost)
        };
        let c = arrive_as(row, &plan);
        assert_eq!(c.lead.reason.as_deref(), Some(UNKNOWN_REASON));
        assert_eq!(
            c.lead.reason_note.as_deref(),
            Some("ghosted after the demo")
        );
    }

    #[test]
    fn a_config_with_no_reasons_refuses_a_loss() {
        let mut plan = Plan::default();
        plan.reasons.clear();
        let closed = now().at(days_ago(10));
        let got = arrive(
            received(&plan),
            Arrival::new(Status::Lost),
            &closed,
            &now(),
            &plan,
        );
        assert!(matches!(got, Err(DomainError::Unknown { .. })), "{got:?}");
    }

    #[test]
    fn a_disqualified_row_is_worked_then_disqualified_and_due_back_today_at_the_earliest() {
        let plan = Plan::default();
        let row = Arrival {
            reason: Some("spam".into()),
            recycle_on: Some(days_ago(5)),
            ..Arrival::new(Status::Disqualified)
        };
        let c = arrive_as(row, &plan);
        assert_eq!(c.lead.status, Status::Disqualified);
        assert_eq!(c.lead.reason.as_deref(), Some("spam"));
        // The file's recycle date is kept; a rest already over is due today, not overdue.
        assert_eq!(c.lead.recycle_on, Some(days_ago(5)));
        assert_eq!(c.lead.next_follow_up, Some(now().utc));
        let last = c.entries.last().unwrap().note.as_deref().unwrap();
        assert!(last.starts_with("working → disqualified: spam"), "{last}");
        // A follow-up the row sets stands.
        let row = Arrival {
            reason: Some("spam".into()),
            next_follow_up: Some(days_ago(-7)),
            ..Arrival::new(Status::Disqualified)
        };
        assert_eq!(
            arrive_as(row, &plan).lead.next_follow_up,
            Some(days_ago(-7))
        );
    }

    #[test]
    fn a_row_still_to_be_worked_keeps_its_status_and_falls_due_by_its_cadence_or_its_date() {
        let plan = Plan::default();
        let c = arrive_as(Arrival::new(Status::Open), &plan);
        assert_eq!(c.lead.status, Status::Open);
        assert_eq!(c.lead.stage, Some(Stage::Green));
        let mut opened = received(&plan).lead;
        opened.status = Status::Open;
        opened.stage = Some(Stage::Green);
        assert_eq!(
            c.lead.next_follow_up,
            Some(imported_follow_up(&opened, None, &now(), &plan))
        );
        assert!(c.lead.next_follow_up >= Some(now().utc));
        assert_eq!(c.lead.closed_at, None);
        // A stage the row gives stays; a date the row gives is the follow-up.
        let mut staged = received(&plan);
        staged.lead.stage = Some(Stage::Proposal);
        let row = Arrival {
            next_follow_up: Some(days_ago(2)),
            ..Arrival::new(Status::Open)
        };
        let c = arrive(staged, row, &now(), &now(), &plan).unwrap();
        assert_eq!(c.lead.stage, Some(Stage::Proposal));
        assert_eq!(c.lead.next_follow_up, Some(days_ago(2)));
        // New and working stay as they are, with no stage.
        for status in [Status::New, Status::Working] {
            let c = arrive_as(Arrival::new(status), &plan);
            assert_eq!((c.lead.status, c.lead.stage), (status, None));
        }
    }

    #[test]
    fn the_last_activity_starts_the_cadence_of_a_row_still_to_be_worked() {
        let plan = Plan::default();
        let row = Arrival {
            last_activity: Some(days_ago(1)),
            ..Arrival::new(Status::Working)
        };
        let c = arrive_as(row, &plan);
        let mut working = received(&plan).lead;
        working.status = Status::Working;
        assert_eq!(
            c.lead.next_follow_up,
            Some(imported_follow_up(
                &working,
                Some(days_ago(1)),
                &now(),
                &plan
            ))
        );
        assert!(c.lead.next_follow_up > Some(now().utc));
    }

    /// A lead received `hours_ago`, as an import receives it.
    fn fresh(hours_ago: i64) -> Lead {
        let l = Lead::received(
            "u1".into(),
            "Jane Doe".into(),
            "me".into(),
            now().utc - Duration::hours(hours_ago),
        );
        lifecycle::receive(l, &Plan::default(), &now()).lead
    }

    #[test]
    fn an_imported_deal_is_due_today_when_old_and_keeps_its_rhythm_when_fresh() {
        let p = Plan::default();
        let mut old = fresh(24 * 200);
        old.status = Status::Open;
        old.stage = Some(Stage::Green);
        assert_eq!(imported_follow_up(&old, None, &now(), &p), now().utc);
        let mut young = fresh(24 * 5);
        young.status = Status::Open;
        young.stage = Some(Stage::Green);
        assert_eq!(
            imported_follow_up(&young, None, &now(), &p),
            young.received_at + Duration::days(30)
        );
    }

    #[test]
    fn an_imported_lead_falls_due_a_cadence_after_its_last_activity() {
        let p = Plan::default();
        let mut l = fresh(24 * 200);
        l.status = Status::Open;
        l.stage = Some(Stage::Green);
        // Thu 12 Nov + 30 days is Sat 12 Dec: due on the Monday after.
        let touched = now().utc - Duration::days(10);
        assert_eq!(
            imported_follow_up(&l, Some(touched), &now(), &p),
            Utc.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).unwrap()
        );
        // An activity dated before the receipt counts from the receipt.
        let before = l.received_at - Duration::days(5);
        assert_eq!(
            imported_follow_up(&l, Some(before), &now(), &p),
            imported_follow_up(&l, None, &now(), &p)
        );
    }

    #[test]
    fn an_imported_close_takes_the_best_date_the_file_gives_within_receipt_and_now() {
        let received = now().utc - Duration::days(100);
        let d = |days| Some(now().utc - Duration::days(days));
        let ago = |days| now().utc - Duration::days(days);
        // The close date wins, then the last change, then the last activity, then the receipt.
        assert_eq!(
            imported_close(received, d(10), d(20), d(30), &now()),
            (ago(10), CloseDate::Given)
        );
        assert_eq!(
            imported_close(received, None, d(20), d(30), &now()),
            (ago(20), CloseDate::Given)
        );
        assert_eq!(
            imported_close(received, None, None, d(30), &now()),
            (ago(30), CloseDate::Given)
        );
        assert_eq!(
            imported_close(received, None, None, None, &now()),
            (received, CloseDate::Unknown)
        );
        // A close date after now is now; one before the receipt, the receipt.
        let future = Some(now().utc + Duration::days(9));
        assert_eq!(
            imported_close(received, future, None, None, &now()),
            (now().utc, CloseDate::Future)
        );
        assert_eq!(
            imported_close(received, d(200), None, None, &now()),
            (received, CloseDate::Given)
        );
    }
}
