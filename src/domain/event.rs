//! What a timeline entry that ripen writes records, typed: a lead received, its first contact,
//! a stage moved, a close. Readers (the speed report's derived tables, a merge's copy of a
//! timeline) find an entry by its event, never by its words, so the words can be reworded
//! without breaking a report in any book.
//!
//! An event holds only facts of a closed vocabulary (statuses, stages, a class, dates, field
//! names), which it stores as a short stable code ([`Event::code`], [`Event::parse`]). The free
//! text its words quote (a source, a reason and its note, a name, an amount as the plan writes
//! it, a file and line) is [`Said`], kept in the entry's words only: it may be personal, and a
//! purge blanks the words but leaves the event.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::NaiveDate;

use super::lead::{ActivityKind, Class, Stage, Status};

/// The words of a lead's first contact made while it was new, as books written before events
/// were typed hold them (and as ripen still says them): never reword this constant; reword
/// [`Event::words`] if ever.
pub const FIRST_CONTACT: &str = "first contact: new → working";

/// The words of a lead that left the inbox (qualified, disqualified or won straight from new)
/// without a contact, as books written before events were typed hold them: never reword this
/// constant.
pub const LEFT_INBOX_UNCONTACTED: &str = "left the inbox without a contact";

/// What happened, one variant per kind of entry ripen writes on a timeline by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A lead received (typed in, imported, from a form). Said: its source, and the file and
    /// line of an import.
    Received,
    /// The first contact made while the lead was new: new → working. What the speed report
    /// times.
    FirstContact,
    /// Qualified, disqualified or won straight from new, never contacted: the speed report
    /// counts it as never contacted.
    LeftInboxUncontacted,
    /// Qualified into the pipeline (`again`: an open lead re-qualified). Said: its value.
    Qualified {
        class: Class,
        stage: Stage,
        again: bool,
    },
    StageMoved {
        from: Stage,
        to: Stage,
    },
    /// The next follow-up put off to a day (a note: putting off is not working a lead).
    Snoozed {
        until: NaiveDate,
    },
    /// Lost or disqualified, to be recycled on a day or never. Said: the reason, and its note.
    ClosedOut {
        from: Status,
        to: Status,
        recycle_on: Option<NaiveDate>,
    },
    /// Said: its value.
    Won {
        from: Status,
    },
    /// A lost or disqualified lead back to working, its `recycle`th time, from `stage` if it
    /// had one. Said: the reason it was closed for.
    Reactivated {
        from: Status,
        recycle: i64,
        stage: Option<Stage>,
    },
    Trashed,
    Restored,
    /// Fields edited, by name.
    Edited {
        fields: Vec<String>,
    },
    /// The book's spelling of the lead's source changed. Said: the old spelling.
    SourceRenamed,
    /// The lead handed to another owner (who by: the entry's author). Said: the owner it had,
    /// then the owner it has.
    HandedOver,
    /// The book's spelling of the lead's owner changed (the same person). Said: the old
    /// spelling.
    OwnerRenamed,
    /// The duplicate's side of a merge by hand. Said: the kept lead's name.
    MergedInto,
    /// The kept lead's side of a merge by hand (a note), and the status it took from the
    /// duplicate. Said: the duplicate's name, and what it said otherwise.
    MergedIn {
        moved: Option<(Status, Status)>,
    },
    /// An imported row merged into the lead it duplicates (a note), and the status the lead
    /// took from it. Said: the file and line, and what the row said otherwise.
    MergedFrom {
        moved: Option<(Status, Status)>,
    },
    /// The last activity an imported row gave (its date only). Said: the file and line.
    LastActivityBeforeImport,
}

/// The free text an event's words quote besides its own facts ([`Event`] says which, variant by
/// variant): kept in the entry's words, never in its code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Said<'a> {
    pub text: Option<&'a str>,
    pub more: Option<&'a str>,
}

impl<'a> Said<'a> {
    pub fn nothing() -> Said<'a> {
        Said::default()
    }

    pub fn text(text: &'a str) -> Said<'a> {
        Said {
            text: Some(text),
            more: None,
        }
    }
}

fn status(code: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|s| s.as_str() == code)
}

fn stage(code: &str) -> Option<Stage> {
    Stage::ALL.into_iter().find(|s| s.as_str() == code)
}

fn class(code: &str) -> Option<Class> {
    Class::ALL.into_iter().find(|c| c.as_str() == code)
}

fn date(code: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(code, "%Y-%m-%d").ok()
}

/// An optional part of a code: empty for none.
fn optional<T>(code: &str, read: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    if code.is_empty() {
        Some(None)
    } else {
        read(code).map(Some)
    }
}

fn moved(parts: &[&str]) -> Option<Option<(Status, Status)>> {
    match parts {
        [] => Some(None),
        [from, to] => Some(Some((status(from)?, status(to)?))),
        _ => None,
    }
}

impl Event {
    /// The event as the book stores it: a name, then its facts, `:`-separated (`first-contact`,
    /// `stage:green:ripe`, `closed:open:lost:2027-01-05`). Written into books: a code, once
    /// written, is never changed; a new fact is a new part or a new name.
    pub fn code(&self) -> Cow<'static, str> {
        let fixed = |s: &'static str| Cow::Borrowed(s);
        let day = |d: &Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        let moved = |name: &'static str, m: &Option<(Status, Status)>| match m {
            None => Cow::Borrowed(name),
            Some((a, b)) => Cow::Owned(format!("{name}:{a}:{b}")),
        };
        match self {
            Event::Received => fixed("received"),
            Event::FirstContact => fixed("first-contact"),
            Event::LeftInboxUncontacted => fixed("left-inbox"),
            Event::Qualified {
                class,
                stage,
                again,
            } => {
                let name = if *again { "requalified" } else { "qualified" };
                Cow::Owned(format!("{name}:{class}:{stage}"))
            }
            Event::StageMoved { from, to } => Cow::Owned(format!("stage:{from}:{to}")),
            Event::Snoozed { until } => Cow::Owned(format!("snoozed:{}", until.format("%Y-%m-%d"))),
            Event::ClosedOut {
                from,
                to,
                recycle_on,
            } => Cow::Owned(format!(
                "closed:{from}:{to}:{}",
                day(recycle_on).unwrap_or_default()
            )),
            Event::Won { from } => Cow::Owned(format!("won:{from}")),
            Event::Reactivated {
                from,
                recycle,
                stage,
            } => Cow::Owned(format!(
                "reactivated:{from}:{recycle}:{}",
                stage.map_or("", Stage::as_str)
            )),
            Event::Trashed => fixed("trashed"),
            Event::Restored => fixed("restored"),
            Event::Edited { fields } => Cow::Owned(format!("edited:{}", fields.join(","))),
            Event::SourceRenamed => fixed("source-renamed"),
            Event::HandedOver => fixed("handed-over"),
            Event::OwnerRenamed => fixed("owner-renamed"),
            Event::MergedInto => fixed("merged-into"),
            Event::MergedIn { moved: m } => moved("merged-in", m),
            Event::MergedFrom { moved: m } => moved("merged-from", m),
            Event::LastActivityBeforeImport => fixed("last-activity"),
        }
    }

    /// The event a stored code stands for; `None` for a code this release does not know (a
    /// newer ripen's), which readers treat as an entry with no event.
    pub fn parse(code: &str) -> Option<Event> {
        let mut parts = code.split(':');
        let name = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        Some(match (name, rest.as_slice()) {
            ("received", []) => Event::Received,
            ("first-contact", []) => Event::FirstContact,
            ("left-inbox", []) => Event::LeftInboxUncontacted,
            ("qualified" | "requalified", [c, s]) => Event::Qualified {
                class: class(c)?,
                stage: stage(s)?,
                again: name == "requalified",
            },
            ("stage", [from, to]) => Event::StageMoved {
                from: stage(from)?,
                to: stage(to)?,
            },
            ("snoozed", [until]) => Event::Snoozed {
                until: date(until)?,
            },
            ("closed", [from, to, on]) => Event::ClosedOut {
                from: status(from)?,
                to: status(to)?,
                recycle_on: optional(on, date)?,
            },
            ("won", [from]) => Event::Won {
                from: status(from)?,
            },
            ("reactivated", [from, n, s]) => Event::Reactivated {
                from: status(from)?,
                recycle: n.parse().ok()?,
                stage: optional(s, stage)?,
            },
            ("trashed", []) => Event::Trashed,
            ("restored", []) => Event::Restored,
            ("edited", [fields]) => Event::Edited {
                fields: fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
            },
            ("source-renamed", []) => Event::SourceRenamed,
            ("handed-over", []) => Event::HandedOver,
            ("owner-renamed", []) => Event::OwnerRenamed,
            ("merged-into", []) => Event::MergedInto,
            ("merged-in", m) => Event::MergedIn { moved: moved(m)? },
            ("merged-from", m) => Event::MergedFrom { moved: moved(m)? },
            ("last-activity", []) => Event::LastActivityBeforeImport,
            _ => return None,
        })
    }

    /// The words a timeline shows for the event, with the free text it quotes: the one place
    /// they are said. Written into books beside the event (the timeline and `--json` read them
    /// as they were written).
    pub fn words(&self, said: Said) -> String {
        let text = said.text.unwrap_or_default();
        let own = |out: &mut String| {
            if let Some(own) = said.more.filter(|m| !m.is_empty()) {
                let _ = write!(out, " (its own: {own})");
            }
        };
        match self {
            Event::Received => {
                let mut w = match said.text.filter(|s| !s.is_empty()) {
                    Some(s) => format!("received from {s}"),
                    None => "received".to_string(),
                };
                if let Some(place) = said.more {
                    let _ = write!(w, " (imported from {place})");
                }
                w
            }
            Event::FirstContact => FIRST_CONTACT.to_string(),
            Event::LeftInboxUncontacted => LEFT_INBOX_UNCONTACTED.to_string(),
            Event::Qualified {
                class,
                stage,
                again,
            } => {
                let verb = if *again { "re-qualified" } else { "qualified" };
                let mut w = format!("{verb}: class {class} · {stage}");
                if let Some(value) = said.text {
                    let _ = write!(w, " · {value}");
                }
                w
            }
            Event::StageMoved { from, to } => format!("stage {from} → {to}"),
            Event::Snoozed { until } => format!("snoozed until {}", until.format("%a %d %b %Y")),
            Event::ClosedOut {
                from,
                to,
                recycle_on,
            } => {
                let mut w = format!("{from} → {to}: {text}");
                if let Some(n) = said.more {
                    let _ = write!(w, " ({n})");
                }
                match recycle_on {
                    Some(on) => {
                        let _ = write!(w, "; recycle on {}", on.format("%Y-%m-%d"));
                    }
                    None => w.push_str("; never recycled"),
                }
                w
            }
            Event::Won { from } => match said.text {
                Some(value) => format!("{from} → won: {value}"),
                None => format!("{from} → won"),
            },
            Event::Reactivated {
                from,
                recycle,
                stage,
            } => {
                let mut w = format!(
                    "reactivated: {from} ({}) → working, recycle #{recycle}",
                    said.text.unwrap_or("no reason")
                );
                if let Some(stage) = stage {
                    let _ = write!(w, "; it was at {stage}");
                }
                w
            }
            Event::Trashed => "moved to the trash".to_string(),
            Event::Restored => "restored from the trash".to_string(),
            Event::Edited { fields } => format!("edited {}", fields.join(", ")),
            Event::SourceRenamed => format!("source renamed: was \"{text}\""),
            Event::HandedOver => {
                format!("handed from {text} to {}", said.more.unwrap_or_default())
            }
            Event::OwnerRenamed => format!("owner renamed: was \"{text}\""),
            Event::MergedInto => {
                format!("merged into {text}, which has a copy of this timeline")
            }
            Event::MergedIn { moved } => {
                let mut w = format!("merged in {text}, a duplicate");
                if let Some((a, b)) = moved {
                    let _ = write!(w, "; {a} → {b}, as it was");
                }
                own(&mut w);
                w
            }
            Event::MergedFrom { moved } => {
                let mut w = format!("merged from {text}");
                if let Some((a, b)) = moved {
                    let _ = write!(w, "; {a} → {b}, as that row has it");
                }
                own(&mut w);
                w
            }
            Event::LastActivityBeforeImport => {
                format!("last activity before the import ({text})")
            }
        }
    }

    /// The words books written before events were typed hold for this event, where a reader
    /// looks for it in them: the one list of old words any reader falls back to.
    pub fn old_words(&self) -> Option<&'static str> {
        match self {
            Event::FirstContact => Some(FIRST_CONTACT),
            Event::LeftInboxUncontacted => Some(LEFT_INBOX_UNCONTACTED),
            _ => None,
        }
    }

    /// What a stored entry records: its event's code, or, for an entry written before events
    /// were typed (no code), the event its old words say ([`Event::old_words`]).
    pub fn of_entry(kind: ActivityKind, code: Option<&str>, note: Option<&str>) -> Option<Event> {
        if let Some(code) = code {
            return Event::parse(code);
        }
        if kind != ActivityKind::System {
            return None;
        }
        let note = note?;
        [Event::FirstContact, Event::LeftInboxUncontacted]
            .into_iter()
            .find(|e| e.old_words() == Some(note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Every variant, in each of its shapes, with what it said and the words ripen wrote for
    /// it before events were typed.
    fn every_event() -> Vec<(Event, Said<'static>, &'static str)> {
        let moved = Some((Status::Working, Status::Open));
        vec![
            (Event::Received, Said::nothing(), "received"),
            (Event::Received, Said::text("Web"), "received from Web"),
            (
                Event::Received,
                Said {
                    text: Some("Fair"),
                    more: Some("f.csv:3"),
                },
                "received from Fair (imported from f.csv:3)",
            ),
            (
                Event::FirstContact,
                Said::nothing(),
                "first contact: new → working",
            ),
            (
                Event::LeftInboxUncontacted,
                Said::nothing(),
                "left the inbox without a contact",
            ),
            (
                Event::Qualified {
                    class: Class::A,
                    stage: Stage::Green,
                    again: false,
                },
                Said::text("€24,000"),
                "qualified: class A · green · €24,000",
            ),
            (
                Event::Qualified {
                    class: Class::C,
                    stage: Stage::Ripe,
                    again: true,
                },
                Said::nothing(),
                "re-qualified: class C · ripe",
            ),
            (
                Event::StageMoved {
                    from: Stage::Green,
                    to: Stage::Warming,
                },
                Said::nothing(),
                "stage green → warming",
            ),
            (
                Event::Snoozed {
                    until: day(2027, 1, 7),
                },
                Said::nothing(),
                "snoozed until Thu 07 Jan 2027",
            ),
            (
                Event::ClosedOut {
                    from: Status::Open,
                    to: Status::Lost,
                    recycle_on: Some(day(2027, 5, 20)),
                },
                Said {
                    text: Some("price"),
                    more: Some("went with Acme"),
                },
                "open → lost: price (went with Acme); recycle on 2027-05-20",
            ),
            (
                Event::ClosedOut {
                    from: Status::New,
                    to: Status::Disqualified,
                    recycle_on: None,
                },
                Said::text("spam"),
                "new → disqualified: spam; never recycled",
            ),
            (
                Event::Won { from: Status::Open },
                Said::text("€5,000"),
                "open → won: €5,000",
            ),
            (
                Event::Won {
                    from: Status::Working,
                },
                Said::nothing(),
                "working → won",
            ),
            (
                Event::Reactivated {
                    from: Status::Lost,
                    recycle: 2,
                    stage: Some(Stage::Proposal),
                },
                Said::text("price"),
                "reactivated: lost (price) → working, recycle #2; it was at proposal",
            ),
            (
                Event::Reactivated {
                    from: Status::Disqualified,
                    recycle: 1,
                    stage: None,
                },
                Said::nothing(),
                "reactivated: disqualified (no reason) → working, recycle #1",
            ),
            (Event::Trashed, Said::nothing(), "moved to the trash"),
            (Event::Restored, Said::nothing(), "restored from the trash"),
            (
                Event::Edited {
                    fields: vec!["name".into(), "email".into()],
                },
                Said::nothing(),
                "edited name, email",
            ),
            (
                Event::SourceRenamed,
                Said::text("Referral"),
                "source renamed: was \"Referral\"",
            ),
            (
                Event::HandedOver,
                Said {
                    text: Some("Sam Rep"),
                    more: Some("Kim"),
                },
                "handed from Sam Rep to Kim",
            ),
            (
                Event::OwnerRenamed,
                Said::text("sam rep"),
                "owner renamed: was \"sam rep\"",
            ),
            (
                Event::MergedInto,
                Said::text("Jane Doe (Acme)"),
                "merged into Jane Doe (Acme), which has a copy of this timeline",
            ),
            (
                Event::MergedIn { moved: None },
                Said::text("Jane Doe"),
                "merged in Jane Doe, a duplicate",
            ),
            (
                Event::MergedIn { moved },
                Said {
                    text: Some("Jane Doe"),
                    more: Some("phone +49 30 2"),
                },
                "merged in Jane Doe, a duplicate; working → open, as it was (its own: phone +49 30 2)",
            ),
            (
                Event::MergedFrom { moved: None },
                Said::text("f.csv:4"),
                "merged from f.csv:4",
            ),
            (
                Event::MergedFrom { moved },
                Said {
                    text: Some("f.csv:4"),
                    more: Some("company Wayne"),
                },
                "merged from f.csv:4; working → open, as that row has it (its own: company Wayne)",
            ),
            (
                Event::LastActivityBeforeImport,
                Said::text("f.csv:9"),
                "last activity before the import (f.csv:9)",
            ),
        ]
    }

    /// The number of variants of [`Event`]: the match below stops compiling when one is added,
    /// and the test then asks for it among the examples.
    const VARIANTS: usize = 19;

    fn variant(e: &Event) -> usize {
        match e {
            Event::Received => 0,
            Event::FirstContact => 1,
            Event::LeftInboxUncontacted => 2,
            Event::Qualified { .. } => 3,
            Event::StageMoved { .. } => 4,
            Event::Snoozed { .. } => 5,
            Event::ClosedOut { .. } => 6,
            Event::Won { .. } => 7,
            Event::Reactivated { .. } => 8,
            Event::Trashed => 9,
            Event::Restored => 10,
            Event::Edited { .. } => 11,
            Event::SourceRenamed => 12,
            Event::MergedInto => 13,
            Event::MergedIn { .. } => 14,
            Event::MergedFrom { .. } => 15,
            Event::LastActivityBeforeImport => 16,
            Event::HandedOver => 17,
            Event::OwnerRenamed => 18,
        }
    }

    #[test]
    fn every_variant_round_trips_through_its_code() {
        let all = every_event();
        let mut seen = [false; VARIANTS];
        for (e, _, _) in &all {
            seen[variant(e)] = true;
            let code = e.code();
            assert!(
                !code.contains(['\'', ' ']),
                "a code is plain: {code} ({e:?})"
            );
            assert_eq!(Event::parse(&code), Some(e.clone()), "{code}");
        }
        assert!(seen.iter().all(|s| *s), "every variant has an example");
        // No two events share a code.
        for (a, _, _) in &all {
            for (b, _, _) in &all {
                assert_eq!(a == b, a.code() == b.code(), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn the_words_are_the_ones_ripen_always_wrote() {
        for (e, said, words) in every_event() {
            assert_eq!(e.words(said), words, "{e:?}");
        }
    }

    #[test]
    fn codes_written_into_books_stay_as_they_are() {
        let stage = Event::StageMoved {
            from: Stage::Green,
            to: Stage::Ripe,
        };
        let closed = Event::ClosedOut {
            from: Status::Open,
            to: Status::Lost,
            recycle_on: Some(day(2027, 1, 5)),
        };
        assert_eq!(Event::FirstContact.code(), "first-contact");
        assert_eq!(Event::LeftInboxUncontacted.code(), "left-inbox");
        assert_eq!(stage.code(), "stage:green:ripe");
        assert_eq!(closed.code(), "closed:open:lost:2027-01-05");
        assert!(matches!(Event::Received.code(), Cow::Borrowed(_)));
    }

    #[test]
    fn an_unknown_or_broken_code_is_no_event() {
        for code in [
            "",
            "first-contact:x",
            "stage:green",
            "stage:green:red",
            "closed:open:lost:someday",
            "won",
            "reactivated:lost:x:",
            "merged-in:open",
            "a-newer-event",
        ] {
            assert_eq!(Event::parse(code), None, "{code}");
        }
    }

    #[test]
    fn an_entry_without_a_code_is_read_by_its_old_words() {
        let system = ActivityKind::System;
        assert_eq!(
            Event::of_entry(system, None, Some(FIRST_CONTACT)),
            Some(Event::FirstContact)
        );
        assert_eq!(
            Event::of_entry(system, None, Some(LEFT_INBOX_UNCONTACTED)),
            Some(Event::LeftInboxUncontacted)
        );
        // A person's note saying the same words is no event; nor are other words.
        assert_eq!(
            Event::of_entry(ActivityKind::Note, None, Some(FIRST_CONTACT)),
            None
        );
        assert_eq!(Event::of_entry(system, None, Some("received")), None);
        // A code wins over the words.
        assert_eq!(
            Event::of_entry(system, Some("first-contact"), Some("reworded")),
            Some(Event::FirstContact)
        );
    }
}
