//! A lead's life as pure transitions: each takes a lead and `now`, checks the move is allowed,
//! and returns the changed lead with the timeline entries that record the change. The store
//! writes the result in one transaction.

use chrono::{DateTime, Utc};

use super::DomainError;
use super::event::{Event, Said};
use super::lead::{ActivityKind, Class, Lead, Stage, Status};
use super::plan::Plan;
use super::time::Now;

/// A timeline entry about to be written (the store gives it a uid).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub kind: ActivityKind,
    pub outcome: Option<String>,
    /// The words the timeline shows.
    pub note: Option<String>,
    /// What happened, typed, for an entry ripen writes by itself ([`Event`]); readers look for
    /// this, never for the words.
    pub event: Option<Event>,
}

impl Entry {
    /// This entry with its outcome and note neutralised ([`Lead::neutralised`]'s rule), or
    /// `None` when nothing needed it.
    pub fn neutralised(&self) -> Option<Entry> {
        use super::text::{clean_line, clean_text};
        use std::borrow::Cow;
        let outcome = self.outcome.as_deref().map(clean_line);
        let note = self.note.as_deref().map(clean_text);
        let owned = |c: &Option<Cow<str>>| matches!(c, Some(Cow::Owned(_)));
        if !owned(&outcome) && !owned(&note) {
            return None;
        }
        Some(Entry {
            outcome: outcome.map(Cow::into_owned),
            note: note.map(Cow::into_owned),
            ..self.clone()
        })
    }

    /// What a person wrote within its limits (ripen's own entries quote what they record).
    pub fn check_lengths(&self) -> Result<(), DomainError> {
        use super::text::{LINE_MAX_CHARS, TEXT_MAX_CHARS, check_length};
        if self.kind == ActivityKind::System {
            return Ok(());
        }
        if let Some(o) = &self.outcome {
            check_length("the outcome", o, LINE_MAX_CHARS)?;
        }
        if let Some(n) = &self.note {
            check_length("the note", n, TEXT_MAX_CHARS)?;
        }
        Ok(())
    }

    /// An entry ripen writes by itself: the event, in its words ([`Event::words`]).
    pub fn system(at: DateTime<Utc>, event: Event, said: Said) -> Entry {
        Entry {
            at,
            kind: ActivityKind::System,
            outcome: None,
            note: Some(event.words(said)),
            event: Some(event),
        }
    }

    /// A note on the timeline: it says something but is no activity (it leaves a lead idle).
    pub fn note(at: DateTime<Utc>, note: impl Into<String>) -> Entry {
        Entry {
            at,
            kind: ActivityKind::Note,
            outcome: None,
            note: Some(note.into()),
            event: None,
        }
    }

    /// A note ripen writes by itself: the event, in its words, as a note (bookkeeping, such as
    /// putting a lead off, that leaves its idle days alone).
    pub fn noted(at: DateTime<Utc>, event: Event, said: Said) -> Entry {
        Entry {
            kind: ActivityKind::Note,
            ..Entry::system(at, event, said)
        }
    }
}

/// The result of a transition: the lead as it now is, and what to add to its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub lead: Lead,
    pub entries: Vec<Entry>,
}

fn not_allowed(lead: &Lead, what: &str, hint: &str) -> DomainError {
    DomainError::NotAllowed(format!(
        "cannot {what} a lead that is {}{hint}",
        lead.status.as_str()
    ))
}

/// A lead as it arrives: due for first contact per the new-lead cadence (in days on `now`'s
/// calendar).
pub fn receive(lead: Lead, plan: &Plan, now: &Now) -> Change {
    receive_imported(lead, plan, now, None)
}

/// [`receive`] for a lead an import brings, from `place` (a file and line) if given.
pub fn receive_imported(mut lead: Lead, plan: &Plan, now: &Now, place: Option<&str>) -> Change {
    lead.status = Status::New;
    lead.next_follow_up = Some(now.plus_days(lead.received_at, plan.cadence.new));
    let said = Said {
        text: lead.source.as_deref(),
        more: place,
    };
    Change {
        entries: vec![Entry::system(lead.received_at, Event::Received, said)],
        lead,
    }
}

/// A contact (or a note) to log.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub kind: ActivityKind,
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// When it happened; `now` when not given.
    pub at: Option<DateTime<Utc>>,
    /// The next follow-up the user chose; the cadence decides otherwise.
    pub next: Option<DateTime<Utc>>,
}

/// The next follow-up after a contact at `at`, from the cadence of the lead's state.
pub fn next_from_cadence(lead: &Lead, at: DateTime<Utc>, now: &Now, plan: &Plan) -> DateTime<Utc> {
    next_after_contact(lead, at, None, now, plan)
}

/// The next follow-up after a contact with this outcome at `at`: the cadence, or sooner when
/// the person was not reached ([`crate::domain::plan::Cadence::days_after`]); a day off the
/// cadence lands on moves on to the next work day (`now` gives the local calendar). A lead
/// due at once (a new one) stays due at once.
pub fn next_after_contact(
    lead: &Lead,
    at: DateTime<Utc>,
    outcome: Option<&str>,
    now: &Now,
    plan: &Plan,
) -> DateTime<Utc> {
    let days = plan
        .cadence
        .days_after(lead.status, lead.class, lead.stage, outcome);
    let due = now.plus_days(at, days);
    if days > 0 {
        plan.cadence.work_days.on_or_after(due, now)
    } else {
        due
    }
}

/// The entries of a transition that may take a lead out of `new` other than by a contact:
/// [`Event::LeftInboxUncontacted`] first when it does (the speed report counts such a lead as
/// never contacted, where a lead imported as working was contacted at a time the book does not
/// know), then `entry`.
fn leaving_inbox(lead: &Lead, entry: Entry) -> Vec<Entry> {
    let left = (lead.status == Status::New)
        .then(|| Entry::system(entry.at, Event::LeftInboxUncontacted, Said::nothing()));
    left.into_iter().chain([entry]).collect()
}

/// Log a contact: a new lead becomes working, and the follow-up clock restarts from the contact.
/// A note changes nothing but the timeline.
pub fn log_contact(
    lead: &Lead,
    contact: Contact,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    log_contact_after(lead, contact, None, now, plan)
}

/// [`log_contact`] for a lead whose last contact on record was at `last_contact`: a contact
/// logged as having happened before it is history filled in afterwards ("I called her on 1
/// October"), which leaves the schedule that newer contact (or a snooze since) set alone.
pub fn log_contact_after(
    lead: &Lead,
    contact: Contact,
    last_contact: Option<DateTime<Utc>>,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    if lead.deleted_at.is_some() {
        return Err(DomainError::NotAllowed("the lead is in the trash".into()));
    }
    if contact.kind == ActivityKind::Note
        && contact
            .outcome
            .as_deref()
            .is_some_and(|o| !o.trim().is_empty())
    {
        return Err(DomainError::Invalid(
            "a note has no outcome: log the call, e-mail, meeting or message it was".into(),
        ));
    }
    let at = contact.at.unwrap_or(now.utc);
    if at > now.utc {
        return Err(DomainError::Invalid(
            "a contact is logged once it happened; to plan one, give the next follow-up".into(),
        ));
    }
    let back_dated = contact
        .at
        .zip(last_contact)
        .is_some_and(|(at, last)| at < last);
    let mut next = lead.clone();
    let outcome = contact.outcome.filter(|o| !o.trim().is_empty());
    let mut entries = vec![Entry {
        at,
        kind: contact.kind,
        outcome: outcome.clone(),
        note: contact.note.filter(|n| !n.trim().is_empty()),
        event: None,
    }];
    if contact.kind == ActivityKind::Note {
        if contact.next.is_some() {
            next.next_follow_up = contact.next;
        }
        return Ok(Change {
            lead: next,
            entries,
        });
    }
    if contact.kind == ActivityKind::System {
        return Err(DomainError::Invalid(
            "system entries are written by ripen itself; log a call, email, meeting, message or note"
                .into(),
        ));
    }
    if lead.status == Status::New {
        next.status = Status::Working;
        // What the speed report times (a lead imported as working was first contacted at a
        // time the book does not know).
        entries.push(Entry::system(at, Event::FirstContact, Said::nothing()));
    }
    match lead.status {
        Status::Won => {}
        Status::Lost | Status::Disqualified if lead.recycle_on.is_none() => {}
        _ => {
            let due = contact.next.unwrap_or_else(|| {
                let due = next_after_contact(&next, at, outcome.as_deref(), now, plan);
                match lead.next_follow_up {
                    Some(set) if back_dated => due.max(set),
                    _ => due,
                }
            });
            next.next_follow_up = Some(due);
        }
    }
    Ok(Change {
        lead: next,
        entries,
    })
}

/// What a qualification sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Qualification {
    pub class: Class,
    pub value_cents: Option<i64>,
    pub stage: Option<Stage>,
    pub ripe_on: Option<DateTime<Utc>>,
}

/// Qualify a lead into the pipeline (or re-classify an open one), its next follow-up taken from
/// the new cadence. [`qualify_after`] keeps one the rep chose.
pub fn qualify(
    lead: &Lead,
    q: Qualification,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    qualify_keeping(lead, q, None, now, plan)
}

/// [`qualify`] for a lead whose last contact on record was at `last_contact`: a follow-up
/// still ahead that the rep chose ([`chosen_follow_up`]) stands. A meeting booked for Friday
/// is the next thing to do with the lead, whatever the A + ripe cadence would say; one the
/// cadence set after the contact gives way to the new cadence (a lead qualified green waits
/// its 30 days, not the working cadence's 3).
pub fn qualify_after(
    lead: &Lead,
    q: Qualification,
    last_contact: Option<DateTime<Utc>>,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    let chosen = match lead.status {
        Status::New | Status::Working => chosen_follow_up(lead, last_contact, now, plan),
        _ => None,
    };
    qualify_keeping(lead, q, chosen, now, plan)
}

/// A lead's next follow-up, when it is still ahead and is not the date its cadence set after
/// its last contact (at `last_contact`; its receipt if none): a date the rep gave with a contact
/// (`--next friday`) or by a snooze. The book keeps no flag for it; the cadence's own dates are
/// the ones it can compute again (the cadence, or the retry after a contact that did not reach
/// the person, moved on to a work day), and the log form prefills exactly those.
pub fn chosen_follow_up(
    lead: &Lead,
    last_contact: Option<DateTime<Utc>>,
    now: &Now,
    plan: &Plan,
) -> Option<DateTime<Utc>> {
    let current = lead.next_follow_up.filter(|at| *at > now.utc)?;
    let by_cadence = match last_contact {
        Some(at) => [None, Some("no-answer")]
            .into_iter()
            .any(|outcome| next_after_contact(lead, at, outcome, now, plan) == current),
        None => now.plus_days(lead.received_at, plan.cadence.new) == current,
    };
    (!by_cadence).then_some(current)
}

fn qualify_keeping(
    lead: &Lead,
    q: Qualification,
    chosen: Option<DateTime<Utc>>,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    if !lead.status.is_active() {
        return Err(not_allowed(lead, "qualify", "; reactivate it first"));
    }
    let mut next = lead.clone();
    next.status = Status::Open;
    next.class = Some(q.class);
    next.stage = Some(q.stage.or(lead.stage).unwrap_or(Stage::Green));
    if q.value_cents.is_some() {
        next.value_cents = q.value_cents;
    }
    if q.ripe_on.is_some() {
        next.ripe_on = q.ripe_on;
    }
    let by_cadence = next_from_cadence(&next, now.utc, now, plan);
    next.next_follow_up = Some(match (lead.status, lead.next_follow_up) {
        // A deal re-qualified keeps a follow-up the user set if it comes sooner than the new
        // cadence asks (as a stage move does).
        (Status::Open, Some(current)) => {
            let same = next.class == lead.class
                && next.stage == lead.stage
                && next.value_cents == lead.value_cents
                && next.ripe_on == lead.ripe_on;
            if same {
                return Err(DomainError::NotAllowed(
                    "nothing changed: same class, stage, value and expected date".into(),
                ));
            }
            current.min(by_cadence)
        }
        _ => chosen.unwrap_or(by_cadence),
    });
    let value = next
        .value_cents
        .map(|v| plan.money(v, next.currency.as_deref()));
    let event = Event::Qualified {
        class: q.class,
        stage: next.stage.unwrap_or(Stage::Green),
        again: lead.status == Status::Open,
    };
    Ok(Change {
        entries: leaving_inbox(
            lead,
            Entry::system(
                now.utc,
                event,
                Said {
                    text: value.as_deref(),
                    more: None,
                },
            ),
        ),
        lead: next,
    })
}

/// Move an open lead to another stage. The next follow-up comes no later than the new stage's
/// cadence asks.
pub fn set_stage(lead: &Lead, stage: Stage, now: &Now, plan: &Plan) -> Result<Change, DomainError> {
    if lead.status != Status::Open {
        return Err(not_allowed(
            lead,
            "change the stage of",
            "; qualify it first",
        ));
    }
    let from = lead.stage.unwrap_or(Stage::Green);
    if from == stage {
        return Err(DomainError::NotAllowed(format!(
            "the lead is already {stage}"
        )));
    }
    let mut next = lead.clone();
    next.stage = Some(stage);
    let by_cadence = next_from_cadence(&next, now.utc, now, plan);
    next.next_follow_up = Some(match lead.next_follow_up {
        Some(current) => current.min(by_cadence),
        None => by_cadence,
    });
    Ok(Change {
        entries: vec![Entry::system(
            now.utc,
            Event::StageMoved { from, to: stage },
            Said::nothing(),
        )],
        lead: next,
    })
}

/// Step an open lead's stage forward (+1) or back (−1).
pub fn step_stage(
    lead: &Lead,
    forward: bool,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    let current = lead.stage.unwrap_or(Stage::Green);
    let target = if forward {
        current.next()
    } else {
        current.prev()
    };
    match target {
        Some(s) => set_stage(lead, s, now, plan),
        None => Err(DomainError::NotAllowed(format!(
            "{current} is the {} stage",
            if forward { "last" } else { "first" }
        ))),
    }
}

/// Put off the next follow-up to `when`.
pub fn snooze(lead: &Lead, when: DateTime<Utc>, now: &Now) -> Result<Change, DomainError> {
    if !(lead.status.is_active() || lead.status.is_closed_out() && lead.recycle_on.is_some()) {
        return Err(not_allowed(lead, "snooze", ""));
    }
    // Putting a lead off to a day gone by would make it overdue, silently: a typo, not a wish.
    if when < now.start_of_today() {
        return Err(DomainError::Invalid(format!(
            "{} is in the past; snooze to today or later",
            now.local_date(when).format("%a %d %b %Y")
        )));
    }
    let mut next = lead.clone();
    next.next_follow_up = Some(when);
    // A note, not an activity: putting a lead off is not working it, and a deal left idle
    // goes on rotting while it waits.
    Ok(Change {
        entries: vec![Entry::noted(
            now.utc,
            Event::Snoozed {
                until: now.local_date(when),
            },
            Said::nothing(),
        )],
        lead: next,
    })
}

/// When a closed-out lead comes back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recycle {
    /// As the reason says.
    ByReason,
    On(DateTime<Utc>),
    Never,
}

/// The recycle date `days` after a close at `now`, moved on to the next work day as the
/// cadence's dates are: a lead coming back on a Saturday would wait, red, for Monday.
pub fn recycle_date(days: i64, now: &Now, plan: &Plan) -> DateTime<Utc> {
    plan.cadence
        .work_days
        .on_or_after(now.plus_days(now.utc, days), now)
}

/// Lose (after qualification) or disqualify (from the inbox) a lead.
pub fn close_out(
    lead: &Lead,
    status: Status,
    reason: &str,
    note: Option<String>,
    recycle: Recycle,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    let reason_rule = plan.reason(reason)?;
    match (status, lead.status) {
        (Status::Lost, Status::Open) => {}
        (Status::Lost, Status::New | Status::Working) => {
            return Err(not_allowed(lead, "lose", ", not qualified: disqualify it"));
        }
        (Status::Disqualified, Status::New | Status::Working) => {}
        (Status::Disqualified, Status::Open) => {
            return Err(not_allowed(lead, "disqualify", " (qualified): lose it"));
        }
        (Status::Lost | Status::Disqualified, _) => {
            return Err(not_allowed(lead, "close", ""));
        }
        _ => {
            return Err(DomainError::Invalid(
                "close as lost or disqualified only".into(),
            ));
        }
    }
    let recycle_on = match recycle {
        Recycle::ByReason => reason_rule
            .recycle_days()
            .map(|d| recycle_date(d, now, plan)),
        Recycle::On(at) => Some(at),
        Recycle::Never => None,
    };
    let mut next = lead.clone();
    next.status = status;
    next.closed_at = Some(now.utc);
    next.reason = Some(reason.trim().to_string());
    next.reason_note = note.clone().filter(|n| !n.trim().is_empty());
    next.recycle_on = recycle_on;
    next.next_follow_up = recycle_on;
    let event = Event::ClosedOut {
        from: lead.status,
        to: status,
        recycle_on: recycle_on.map(|at| now.local_date(at)),
    };
    let said = Said {
        text: Some(reason.trim()),
        more: next.reason_note.as_deref(),
    };
    Ok(Change {
        entries: leaving_inbox(lead, Entry::system(now.utc, event, said)),
        lead: next,
    })
}

/// Win a lead.
pub fn win(
    lead: &Lead,
    value_cents: Option<i64>,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    if !lead.status.is_active() {
        return Err(not_allowed(lead, "win", ""));
    }
    let mut next = lead.clone();
    next.status = Status::Won;
    next.closed_at = Some(now.utc);
    next.next_follow_up = None;
    if value_cents.is_some() {
        next.value_cents = value_cents;
    }
    let value = next
        .value_cents
        .map(|v| plan.money(v, next.currency.as_deref()));
    let said = Said {
        text: value.as_deref(),
        more: None,
    };
    let event = Event::Won { from: lead.status };
    Ok(Change {
        entries: leaving_inbox(lead, Entry::system(now.utc, event, said)),
        lead: next,
    })
}

/// Bring a lost or disqualified lead back to working, due today, with its whole history.
pub fn reactivate(lead: &Lead, now: &Now) -> Result<Change, DomainError> {
    if !lead.status.is_closed_out() {
        return Err(not_allowed(lead, "reactivate", ""));
    }
    let mut next = lead.clone();
    next.status = Status::Working;
    next.recycle_count += 1;
    next.closed_at = None;
    next.recycle_on = None;
    next.reason = None;
    next.reason_note = None;
    next.next_follow_up = Some(now.utc);
    // Back to be worked and qualified again: the stage and the ripe date were the old deal's
    // (the timeline keeps them); the class and the value stay as a first guess.
    next.stage = None;
    next.ripe_on = None;
    let event = Event::Reactivated {
        from: lead.status,
        recycle: next.recycle_count,
        stage: lead.stage,
    };
    let said = Said {
        text: lead.reason.as_deref(),
        more: None,
    };
    Ok(Change {
        entries: vec![Entry::system(now.utc, event, said)],
        lead: next,
    })
}

/// Move a lead to the trash.
pub fn trash(lead: &Lead, now: &Now) -> Result<Change, DomainError> {
    if lead.deleted_at.is_some() {
        return Err(DomainError::NotAllowed(
            "the lead is already in the trash".into(),
        ));
    }
    let mut next = lead.clone();
    next.deleted_at = Some(now.utc);
    Ok(Change {
        entries: vec![Entry::system(now.utc, Event::Trashed, Said::nothing())],
        lead: next,
    })
}

/// Take a lead back out of the trash.
pub fn untrash(lead: &Lead, now: &Now) -> Result<Change, DomainError> {
    if lead.deleted_at.is_none() {
        return Err(DomainError::NotAllowed(
            "the lead is not in the trash".into(),
        ));
    }
    let mut next = lead.clone();
    next.deleted_at = None;
    Ok(Change {
        entries: vec![Entry::system(now.utc, Event::Restored, Said::nothing())],
        lead: next,
    })
}

/// A lead in the trash takes no change but coming back out of it (an edit, a snooze or a
/// qualification would work on a lead the views no longer show): the one rule every write of
/// a lead passes, whatever the transition.
pub fn check_trash(before: &Lead, after: &Lead) -> Result<(), DomainError> {
    if before.deleted_at.is_some() && after.deleted_at.is_some() && before != after {
        return Err(DomainError::NotAllowed(
            "the lead is in the trash: undelete it first".into(),
        ));
    }
    Ok(())
}

/// Record an edit of plain fields; `changed` names them for the timeline.
pub fn edited(before: &Lead, after: Lead, now: &Now) -> Result<Change, DomainError> {
    if after.name.trim().is_empty() {
        return Err(DomainError::Invalid("a lead needs a name".into()));
    }
    if after.email != before.email
        && let Some(problem) = after.email.as_deref().and_then(super::lead::email_problem)
    {
        return Err(DomainError::Invalid(problem));
    }
    let mut changed = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if before.$f != after.$f { changed.push(stringify!($f)); } )* };
    }
    cmp!(
        name,
        company,
        title,
        email,
        phone,
        website,
        city,
        country,
        source,
        owner,
        tags,
        notes,
        value_cents,
        currency,
        ripe_on,
        recycle_on,
        next_follow_up,
        external_id
    );
    // A new owner is a hand-over, whichever way it was asked for.
    let mut entries = Vec::new();
    if let Some(i) = changed.iter().position(|f| *f == "owner") {
        changed.remove(i);
        entries = handed_over(before, &after.owner, now)?.entries;
    }
    if !changed.is_empty() {
        let fields = changed.into_iter().map(str::to_string).collect();
        entries.insert(
            0,
            Entry::system(now.utc, Event::Edited { fields }, Said::nothing()),
        );
    }
    Ok(Change {
        lead: after,
        entries,
    })
}

/// Spell a lead's source `to`, as when a source is renamed book-wide ("Referral" joins
/// "Referrals"); the timeline keeps the old spelling.
pub fn source_renamed(lead: &Lead, to: &str, now: &Now) -> Change {
    let mut next = lead.clone();
    let from = next.source.replace(to.to_string()).unwrap_or_default();
    Change {
        entries: vec![Entry::system(
            now.utc,
            Event::SourceRenamed,
            Said::text(&from),
        )],
        lead: next,
    }
}

/// Hand a lead to another owner, `to` as the book spells it: the timeline says from whom to
/// whom (and, by its author, who handed it). An unassigned lead is handed "from nobody".
pub fn handed_over(lead: &Lead, to: &str, now: &Now) -> Result<Change, DomainError> {
    let to = to.trim();
    if to.is_empty() {
        return Err(DomainError::Invalid("a lead needs an owner".into()));
    }
    let mut next = lead.clone();
    let from = std::mem::replace(&mut next.owner, to.to_string());
    let from = if super::lead::is_unassigned(&from) {
        "nobody".to_string()
    } else {
        from
    };
    Ok(Change {
        entries: vec![Entry::system(
            now.utc,
            Event::HandedOver,
            Said {
                text: Some(&from),
                more: Some(to),
            },
        )],
        lead: next,
    })
}

/// Spell a lead's owner `to`, as when an owner is renamed book-wide (the same person): the
/// timeline keeps the old spelling.
pub fn owner_renamed(lead: &Lead, to: &str, now: &Now) -> Change {
    let mut next = lead.clone();
    let from = std::mem::replace(&mut next.owner, to.to_string());
    Change {
        entries: vec![Entry::system(
            now.utc,
            Event::OwnerRenamed,
            Said::text(&from),
        )],
        lead: next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> Now {
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    fn fresh(hours_ago: i64) -> Lead {
        let l = Lead::received(
            "u1".into(),
            "Jane Doe".into(),
            "me".into(),
            now().utc - Duration::hours(hours_ago),
        );
        receive(l, &Plan::default(), &now()).lead
    }

    fn call() -> Contact {
        Contact {
            kind: ActivityKind::Call,
            outcome: Some("reached".into()),
            note: None,
            at: None,
            next: None,
        }
    }

    #[test]
    fn a_lead_in_the_trash_changes_only_by_leaving_it() {
        let l = fresh(2);
        let gone = trash(&l, &now()).unwrap().lead;
        let mut edited = gone.clone();
        edited.company = Some("Foo".into());
        assert!(check_trash(&gone, &edited).is_err());
        assert!(check_trash(&gone, &untrash(&gone, &now()).unwrap().lead).is_ok());
        assert!(check_trash(&gone, &gone).is_ok());
        assert!(check_trash(&l, &gone).is_ok());
    }

    #[test]
    fn a_back_dated_contact_leaves_a_later_schedule_and_a_future_one_is_refused() {
        let p = Plan::default();
        let called = log_contact(&fresh(2), call(), &now(), &p).unwrap().lead;
        let set = called.next_follow_up.unwrap();
        assert!(set > now().utc);
        let old = Contact {
            at: Some(now().utc - Duration::days(53)),
            ..call()
        };
        let back = log_contact_after(&called, old.clone(), Some(now().utc), &now(), &p).unwrap();
        assert_eq!(back.lead.next_follow_up, Some(set));
        assert_eq!(back.entries[0].at, now().utc - Duration::days(53));
        // Filled in for a lead never logged before: its clock runs from that call.
        let late = log_contact_after(&fresh(24 * 60), old, None, &now(), &p)
            .unwrap()
            .lead;
        assert!(late.next_follow_up.unwrap() < now().utc);
        // The newest contact, logged an hour late, is no history: a no-answer's retry stands.
        let hour_ago = Contact {
            at: Some(now().utc - Duration::hours(1)),
            outcome: Some("no-answer".into()),
            ..call()
        };
        let mut deal = called.clone();
        deal.next_follow_up = Some(now().utc + Duration::days(30));
        let retry = log_contact_after(
            &deal,
            hour_ago,
            Some(now().utc - Duration::days(20)),
            &now(),
            &p,
        )
        .unwrap()
        .lead;
        assert!(retry.next_follow_up.unwrap() < now().utc + Duration::days(2));
        let ahead = Contact {
            at: Some(now().utc + Duration::days(1)),
            ..call()
        };
        assert!(log_contact(&called, ahead, &now(), &p).is_err());
    }

    #[test]
    fn a_renamed_source_keeps_the_old_spelling_on_the_timeline_only() {
        let mut l = fresh(2);
        l.source = Some("Referral".into());
        let c = source_renamed(&l, "Referrals", &now());
        assert_eq!(c.lead.source.as_deref(), Some("Referrals"));
        assert_eq!(
            c.lead,
            Lead {
                source: Some("Referrals".into()),
                ..l
            }
        );
        assert_eq!(
            c.entries[0].note.as_deref(),
            Some("source renamed: was \"Referral\"")
        );
        assert!(!c.entries[0].kind.is_contact());
    }

    #[test]
    fn a_received_lead_is_new_and_due_at_once() {
        let l = fresh(2);
        assert_eq!(l.status, Status::New);
        assert_eq!(l.next_follow_up, Some(l.received_at));
    }

    #[test]
    fn first_contact_makes_it_working_and_schedules_by_cadence() {
        let p = Plan::default();
        let c = log_contact(&fresh(30), call(), &now(), &p).unwrap();
        assert_eq!(c.lead.status, Status::Working);
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(3)));
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[0].kind, ActivityKind::Call);
    }

    #[test]
    fn leaving_the_inbox_without_a_contact_is_marked() {
        let p = Plan::default();
        let q = || Qualification {
            class: Class::B,
            value_cents: None,
            stage: None,
            ripe_on: None,
        };
        let marked = |c: &Change| {
            c.entries
                .iter()
                .any(|e| e.event == Some(Event::LeftInboxUncontacted))
        };
        assert!(marked(&qualify(&fresh(5), q(), &now(), &p).unwrap()));
        let closed = close_out(
            &fresh(5),
            Status::Disqualified,
            "spam",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap();
        assert!(marked(&closed));
        // Once called, it left the inbox by the call.
        let working = log_contact(&fresh(30), call(), &now(), &p).unwrap().lead;
        assert!(!marked(&qualify(&working, q(), &now(), &p).unwrap()));
    }

    #[test]
    fn a_snooze_to_a_day_gone_by_is_refused() {
        let l = fresh(5);
        let err = snooze(&l, now().utc - Duration::days(400), &now()).unwrap_err();
        assert!(err.to_string().contains("in the past"), "{err}");
        // Today itself is fine (later today, or first thing).
        assert!(snooze(&l, now().start_of_today(), &now()).is_ok());
    }

    #[test]
    fn a_call_nobody_answered_is_tried_again_tomorrow() {
        let p = Plan::default();
        let mut missed = call();
        missed.outcome = Some("no-answer".into());
        let c = log_contact(&fresh(30), missed.clone(), &now(), &p).unwrap();
        // Still a first contact: the lead is working, and the next try is tomorrow.
        assert_eq!(c.lead.status, Status::Working);
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(1)));
        // A date the user gave still wins.
        missed.next = Some(now().utc + Duration::days(4));
        let c = log_contact(&fresh(30), missed, &now(), &p).unwrap();
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(4)));
    }

    #[test]
    fn a_given_next_follow_up_wins_over_the_cadence() {
        let p = Plan::default();
        let mut contact = call();
        let later = now().utc + Duration::days(40);
        contact.next = Some(later);
        let c = log_contact(&fresh(1), contact, &now(), &p).unwrap();
        assert_eq!(c.lead.next_follow_up, Some(later));
    }

    #[test]
    fn a_note_does_not_restart_the_clock() {
        let p = Plan::default();
        let l = fresh(5);
        let mut note = call();
        note.kind = ActivityKind::Note;
        note.outcome = None;
        let c = log_contact(&l, note, &now(), &p).unwrap();
        assert_eq!(c.lead, l);
        assert_eq!(c.entries.len(), 1);
    }

    #[test]
    fn a_note_has_no_outcome() {
        let p = Plan::default();
        let mut note = call();
        note.kind = ActivityKind::Note;
        note.outcome = Some("reached".into());
        let err = log_contact(&fresh(5), note, &now(), &p).unwrap_err();
        assert!(err.to_string().contains("a note has no outcome"), "{err}");
    }

    #[test]
    fn qualify_opens_it_with_the_class_and_stage_cadence() {
        let p = Plan::default();
        let working = log_contact(&fresh(30), call(), &now(), &p).unwrap().lead;
        let q = Qualification {
            class: Class::A,
            value_cents: Some(2_400_000),
            stage: Some(Stage::Ripe),
            ripe_on: None,
        };
        let c = qualify(&working, q, &now(), &p).unwrap();
        assert_eq!(c.lead.status, Status::Open);
        assert_eq!(c.lead.class, Some(Class::A));
        assert_eq!(c.lead.stage, Some(Stage::Ripe));
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(3)));
        assert!(c.entries[0].note.as_deref().unwrap().contains("€24,000"));
    }

    #[test]
    fn qualifying_keeps_a_follow_up_the_rep_chose_and_recadences_the_cadences_own() {
        let p = Plan::default();
        let q = || Qualification {
            class: Class::A,
            value_cents: None,
            stage: Some(Stage::Ripe),
            ripe_on: None,
        };
        // Friday 27 Nov, given with the meeting booked on Sunday.
        let friday = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
        let booked = Contact {
            kind: ActivityKind::Meeting,
            outcome: Some("meeting-booked".into()),
            next: Some(friday),
            ..call()
        };
        let met = log_contact(&fresh(20), booked, &now(), &p).unwrap().lead;
        assert_eq!(
            chosen_follow_up(&met, Some(now().utc), &now(), &p),
            Some(friday)
        );
        let c = qualify_after(&met, q(), Some(now().utc), &now(), &p).unwrap();
        assert_eq!(c.lead.next_follow_up, Some(friday));
        // The cadence's own date (or the retry's) is the new cadence's to set.
        let reached = log_contact(&fresh(20), call(), &now(), &p).unwrap().lead;
        assert_eq!(
            chosen_follow_up(&reached, Some(now().utc), &now(), &p),
            None
        );
        let unanswered = Contact {
            outcome: Some("no-answer".into()),
            ..call()
        };
        let retry = log_contact(&fresh(20), unanswered, &now(), &p)
            .unwrap()
            .lead;
        assert_eq!(chosen_follow_up(&retry, Some(now().utc), &now(), &p), None);
        let c = qualify_after(&reached, q(), Some(now().utc), &now(), &p).unwrap();
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(3)));
        // One already due is no plan to keep.
        let later = Now::utc(friday + Duration::hours(1));
        assert_eq!(chosen_follow_up(&met, Some(now().utc), &later, &p), None);
    }

    #[test]
    fn qualify_without_stage_starts_green_with_a_thirty_day_cadence() {
        let p = Plan::default();
        let q = Qualification {
            class: Class::B,
            value_cents: None,
            stage: None,
            ripe_on: None,
        };
        let c = qualify(&fresh(1), q, &now(), &p).unwrap();
        assert_eq!(c.lead.stage, Some(Stage::Green));
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(30)));
    }

    fn open(stage: Stage) -> Lead {
        let q = Qualification {
            class: Class::B,
            value_cents: None,
            stage: Some(stage),
            ripe_on: None,
        };
        qualify(&fresh(1), q, &now(), &Plan::default())
            .unwrap()
            .lead
    }

    #[test]
    fn stage_moves_forward_and_pulls_the_follow_up_closer() {
        let p = Plan::default();
        let l = open(Stage::Warming);
        let c = step_stage(&l, true, &now(), &p).unwrap();
        assert_eq!(c.lead.stage, Some(Stage::Ripe));
        assert_eq!(c.lead.next_follow_up, Some(now().utc + Duration::days(3)));
        assert!(step_stage(&open(Stage::Negotiation), true, &now(), &p).is_err());
        assert!(step_stage(&open(Stage::Green), false, &now(), &p).is_err());
    }

    #[test]
    fn losing_to_a_competitor_recycles_in_180_days() {
        let p = Plan::default();
        let c = close_out(
            &open(Stage::Ripe),
            Status::Lost,
            "competitor",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap();
        assert_eq!(c.lead.status, Status::Lost);
        assert_eq!(c.lead.recycle_on, Some(now().utc + Duration::days(180)));
        assert_eq!(c.lead.next_follow_up, c.lead.recycle_on);
        assert_eq!(c.lead.closed_at, Some(now().utc));
    }

    #[test]
    fn never_reasons_and_no_recycle_leave_no_recycle_date() {
        let p = Plan::default();
        let c = close_out(
            &fresh(1),
            Status::Disqualified,
            "not-a-fit",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap();
        assert_eq!(c.lead.recycle_on, None);
        let c = close_out(
            &fresh(1),
            Status::Disqualified,
            "budget",
            None,
            Recycle::Never,
            &now(),
            &p,
        )
        .unwrap();
        assert_eq!(c.lead.recycle_on, None);
    }

    #[test]
    fn lose_and_disqualify_guard_the_status_and_the_reason() {
        let p = Plan::default();
        assert!(
            close_out(
                &fresh(1),
                Status::Lost,
                "budget",
                None,
                Recycle::ByReason,
                &now(),
                &p
            )
            .is_err()
        );
        assert!(
            close_out(
                &open(Stage::Green),
                Status::Disqualified,
                "budget",
                None,
                Recycle::ByReason,
                &now(),
                &p
            )
            .is_err()
        );
        let err = close_out(
            &open(Stage::Green),
            Status::Lost,
            "meh",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap_err();
        assert!(err.to_string().contains("competitor"));
    }

    #[test]
    fn a_recycle_date_by_reason_falls_on_a_work_day() {
        let p = Plan::default();
        // Sunday 22 Nov 2026 + 90 days (budget) is Saturday 20 Feb 2027: on to Monday.
        let lost = close_out(
            &open(Stage::Ripe),
            Status::Lost,
            "budget",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap()
        .lead;
        let monday = now().utc + Duration::days(92);
        assert_eq!(lost.recycle_on, Some(monday));
        assert_eq!(lost.next_follow_up, Some(monday));
        assert_eq!(recycle_date(90, &now(), &p), monday);
    }

    #[test]
    fn a_recycled_touch_is_due_again_in_a_month() {
        let p = Plan::default();
        let lost = close_out(
            &open(Stage::Ripe),
            Status::Lost,
            "budget",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap()
        .lead;
        let later = Now::utc(now().utc + Duration::days(94));
        let c = log_contact(&lost, call(), &later, &p).unwrap();
        assert_eq!(c.lead.status, Status::Lost);
        // Wed 24 Feb 2027 + 30 days: Fri 26 Mar.
        assert_eq!(c.lead.next_follow_up, Some(later.utc + Duration::days(30)));
    }

    #[test]
    fn a_cadence_date_off_work_days_moves_to_the_next_work_day() {
        let mut p = Plan::default();
        // Friday 27 Nov 2026, 16:00 in Berlin (15:00 UTC): a call nobody answered.
        let friday = Now::new(
            Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap(),
            crate::domain::time::Tz::Europe__Berlin,
        );
        let working = log_contact(&fresh(2), call(), &friday, &p).unwrap().lead;
        let unanswered = Contact {
            outcome: Some("no-answer".into()),
            ..call()
        };
        let retry = log_contact(&working, unanswered.clone(), &friday, &p).unwrap();
        // Saturday's retry moves to Monday, at the same time of day.
        assert_eq!(
            retry.lead.next_follow_up,
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap())
        );
        // A lead due at once stays due at once, weekend or not.
        let saturday = Now::utc(Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap());
        let new = receive(
            Lead::received("u2".into(), "Sam".into(), "me".into(), saturday.utc),
            &p,
            &saturday,
        );
        assert_eq!(new.lead.next_follow_up, Some(saturday.utc));
        // Across a change of clocks the weekday and the time are the local ones: Friday 6 Mar
        // 2026 at 23:30 in New York (EST), retried Saturday, moves to Monday 9 Mar at 23:30 EDT
        // (a fixed offset made it Tuesday 00:30).
        let ny = Now::new(
            Utc.with_ymd_and_hms(2026, 3, 7, 4, 30, 0).unwrap(),
            crate::domain::time::Tz::America__New_York,
        );
        let retry = log_contact(&working, unanswered.clone(), &ny, &p).unwrap();
        assert_eq!(
            retry.lead.next_follow_up,
            Some(Utc.with_ymd_and_hms(2026, 3, 10, 3, 30, 0).unwrap())
        );
        // A book that works every day keeps Saturday.
        p.cadence.work_days = crate::domain::plan::WorkDays::EVERY_DAY;
        let retry = log_contact(&working, unanswered, &friday, &p).unwrap();
        assert_eq!(
            retry.lead.next_follow_up,
            Some(Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap())
        );
    }

    #[test]
    fn requalifying_keeps_a_sooner_follow_up_and_refuses_no_change() {
        let p = Plan::default();
        let mut deal = open(Stage::Warming);
        deal.class = Some(Class::B);
        let soon = now().utc + Duration::days(1);
        deal.next_follow_up = Some(soon);
        let same = Qualification {
            class: Class::B,
            value_cents: None,
            stage: Some(Stage::Warming),
            ripe_on: None,
        };
        assert!(qualify(&deal, same.clone(), &now(), &p).is_err());
        let up = Qualification {
            class: Class::A,
            ..same
        };
        let c = qualify(&deal, up, &now(), &p).unwrap();
        assert_eq!(c.lead.class, Some(Class::A));
        assert_eq!(c.lead.next_follow_up, Some(soon));
    }

    /// Putting a deal off is no activity: its entry is a note, which leaves it idle (rotting
    /// goes on), where a system entry would count as a change.
    #[test]
    fn a_snooze_is_a_note_on_the_timeline() {
        let deal = open(Stage::Proposal);
        let c = snooze(&deal, now().utc + Duration::days(7), &now()).unwrap();
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.entries[0].kind, ActivityKind::Note);
        assert!(
            c.entries[0]
                .note
                .as_deref()
                .unwrap()
                .starts_with("snoozed until")
        );
    }

    #[test]
    fn reactivate_returns_to_working_and_counts() {
        let p = Plan::default();
        let lost = close_out(
            &open(Stage::Ripe),
            Status::Lost,
            "timing",
            None,
            Recycle::ByReason,
            &now(),
            &p,
        )
        .unwrap()
        .lead;
        let c = reactivate(&lost, &now()).unwrap();
        assert_eq!(c.lead.status, Status::Working);
        assert_eq!(c.lead.recycle_count, 1);
        assert_eq!(c.lead.reason, None);
        assert_eq!(c.lead.next_follow_up, Some(now().utc));
        // The old deal's stage is history: the timeline says it, the lead no longer does.
        assert_eq!((c.lead.stage, c.lead.ripe_on), (None, None));
        assert!(
            c.entries[0]
                .note
                .as_deref()
                .unwrap()
                .ends_with("; it was at ripe")
        );
        assert!(reactivate(&c.lead, &now()).is_err());
    }

    #[test]
    fn win_closes_and_clears_the_follow_up() {
        let p = Plan::default();
        let c = win(&open(Stage::Negotiation), Some(900_000), &now(), &p).unwrap();
        assert_eq!(c.lead.status, Status::Won);
        assert_eq!(c.lead.next_follow_up, None);
        assert_eq!(c.lead.value_cents, Some(900_000));
        assert!(win(&c.lead, None, &now(), &p).is_err());
    }

    #[test]
    fn trash_and_restore_are_recorded() {
        let l = fresh(1);
        let t = trash(&l, &now()).unwrap().lead;
        assert!(t.deleted_at.is_some());
        assert!(trash(&t, &now()).is_err());
        assert!(untrash(&t, &now()).unwrap().lead.deleted_at.is_none());
    }

    #[test]
    fn edits_name_the_changed_fields() {
        let l = fresh(1);
        let mut after = l.clone();
        after.email = Some("jane@acme.example".into());
        let c = edited(&l, after, &now()).unwrap();
        assert_eq!(c.entries[0].note.as_deref(), Some("edited email"));
        let mut nameless = l.clone();
        nameless.name = " ".into();
        assert!(edited(&l, nameless, &now()).is_err());
    }

    /// Every entry a transition writes by itself records its event, and a first contact or a
    /// lead leaving the inbox uncontacted is known by it.
    #[test]
    fn every_entry_ripen_writes_by_itself_records_its_event() {
        let p = Plan::default();
        let n = now();
        let q = Qualification {
            class: Class::A,
            value_cents: Some(2_400_000),
            stage: None,
            ripe_on: None,
        };
        let contacted = log_contact(&fresh(5), call(), &n, &p).unwrap();
        let open = qualify(&contacted.lead, q.clone(), &n, &p).unwrap();
        let ripe = set_stage(&open.lead, Stage::Ripe, &n, &p).unwrap();
        let lost = close_out(
            &ripe.lead,
            Status::Lost,
            "budget",
            None,
            Recycle::Never,
            &n,
            &p,
        )
        .unwrap();
        let back = reactivate(&lost.lead, &n).unwrap();
        let won = win(&back.lead, None, &n, &p).unwrap();
        let binned = trash(&won.lead, &n).unwrap();
        let restored = untrash(&binned.lead, &n).unwrap();
        let mut renamed = restored.lead.clone();
        renamed.phone = Some("+49 30 1".into());
        let changes = [
            receive(fresh(1), &p, &n),
            contacted.clone(),
            open,
            ripe,
            lost,
            back,
            won,
            binned,
            restored.clone(),
            edited(&restored.lead, renamed, &n).unwrap(),
            source_renamed(&restored.lead, "Web", &n),
            snooze(&contacted.lead, n.utc + Duration::days(2), &n).unwrap(),
            qualify(&fresh(5), q, &n, &p).unwrap(),
        ];
        for e in changes.iter().flat_map(|c| &c.entries) {
            // The call logged is the person's; everything else ripen wrote.
            let by_ripen = e.kind != ActivityKind::Call;
            assert_eq!(by_ripen, e.event.is_some(), "{e:?}");
        }
        assert!(matches!(
            changes[11].entries[0].event,
            Some(Event::Snoozed { .. })
        ));
        assert!(
            contacted
                .entries
                .iter()
                .any(|e| e.event == Some(Event::FirstContact))
        );
        assert!(
            changes[12]
                .entries
                .iter()
                .any(|e| e.event == Some(Event::LeftInboxUncontacted))
        );
    }
}
