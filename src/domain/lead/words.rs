//! The words of a lead's life: where it stands (status), how much it is worth chasing (class),
//! how ripe it is (stage), what happened on its timeline (activity kind) and the outcomes ripen
//! reads. Each parses case-insensitively and lists the known values when it cannot.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::domain::DomainError;

/// Where a lead stands in its life. Exactly one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Received, never contacted (Inbox).
    New,
    /// Contacted at least once, not yet qualified or disqualified (Inbox).
    Working,
    /// Qualified: in the ripening pipeline.
    Open,
    Won,
    /// Lost after qualification; may be recycled.
    Lost,
    /// Qualified out of the inbox; may be recycled.
    Disqualified,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Working,
        Status::Open,
        Status::Won,
        Status::Lost,
        Status::Disqualified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Working => "working",
            Status::Open => "open",
            Status::Won => "won",
            Status::Lost => "lost",
            Status::Disqualified => "disqualified",
        }
    }

    /// Still being worked: it has a follow-up and sits in the queue when due.
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Working | Status::Open)
    }

    /// Closed as lost or disqualified: a candidate for recycling.
    pub fn is_closed_out(self) -> bool {
        matches!(self, Status::Lost | Status::Disqualified)
    }
}

/// How much a qualified lead is worth chasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Class {
    /// High value and good odds: chase in person now.
    A,
    /// Middling.
    B,
    /// Low value or low odds: desk and e-mail.
    C,
}

impl Class {
    pub const ALL: [Class; 3] = [Class::A, Class::B, Class::C];
    pub fn as_str(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
        }
    }
}

/// How ripe a qualified lead is, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Interested, not ready.
    Green,
    /// Need and timeline known.
    Warming,
    /// Ready to decide.
    Ripe,
    Proposal,
    Negotiation,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Green,
        Stage::Warming,
        Stage::Ripe,
        Stage::Proposal,
        Stage::Negotiation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Green => "green",
            Stage::Warming => "warming",
            Stage::Ripe => "ripe",
            Stage::Proposal => "proposal",
            Stage::Negotiation => "negotiation",
        }
    }

    /// Position in the pipeline, 0 for green.
    pub fn rank(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.rank() + 1).copied()
    }

    pub fn prev(self) -> Option<Stage> {
        self.rank().checked_sub(1).map(|i| Stage::ALL[i])
    }
}

/// What kind of thing happened on a lead's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    Call,
    Email,
    Meeting,
    Message,
    Note,
    /// A change of state recorded by ripen itself.
    System,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::Call,
        ActivityKind::Email,
        ActivityKind::Meeting,
        ActivityKind::Message,
        ActivityKind::Note,
        ActivityKind::System,
    ];
    /// The kinds a user logs as a contact with the lead.
    pub const CONTACTS: [ActivityKind; 4] = [
        ActivityKind::Call,
        ActivityKind::Email,
        ActivityKind::Meeting,
        ActivityKind::Message,
    ];

    /// The kinds a user logs: the contacts and a note; `system` entries are ripen's own.
    pub const LOGGABLE: [ActivityKind; 5] = [
        ActivityKind::Call,
        ActivityKind::Email,
        ActivityKind::Meeting,
        ActivityKind::Message,
        ActivityKind::Note,
    ];

    /// A kind a user may log, as typed; the error lists only those (a timeline also reads
    /// `system`, but a user cannot write one).
    pub fn loggable(s: &str) -> Result<ActivityKind, DomainError> {
        let known = || {
            ActivityKind::LOGGABLE
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match s.parse::<ActivityKind>() {
            Ok(ActivityKind::System) => Err(DomainError::Invalid(format!(
                "system entries are written by ripen itself; log one of: {}",
                known()
            ))),
            Ok(k) => Ok(k),
            Err(_) => Err(DomainError::Unknown {
                what: "activity kind",
                value: s.trim().to_string(),
                known: known(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Email => "email",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Message => "message",
            ActivityKind::Note => "note",
            ActivityKind::System => "system",
        }
    }

    /// A contact with the person (not a note to self, not a state change).
    pub fn is_contact(self) -> bool {
        ActivityKind::CONTACTS.contains(&self)
    }

    /// The outcome this kind of contact usually has: an e-mail or a message is sent, a call or
    /// a meeting reaches the person. None for a note or a system entry.
    pub fn usual_outcome(self) -> Option<&'static str> {
        match self {
            ActivityKind::Email | ActivityKind::Message => Some("sent"),
            ActivityKind::Call | ActivityKind::Meeting => Some("reached"),
            ActivityKind::Note | ActivityKind::System => None,
        }
    }
}

/// Outcomes a contact commonly has; free text is accepted too.
pub const OUTCOMES: [&str; 7] = [
    "reached",
    "no-answer",
    "voicemail",
    "replied",
    "meeting-booked",
    "sent",
    "bounced",
];

/// Whether an outcome is one ripen reads: one of [`OUTCOMES`], or a way of saying the person
/// was not reached ([`crate::domain::plan::unreached`]). Any other is kept as written and followed up
/// as if the person was reached.
pub fn known_outcome(outcome: &str) -> bool {
    let o = outcome.trim().to_lowercase();
    OUTCOMES.contains(&o.as_str()) || crate::domain::plan::unreached(&o)
}

macro_rules! keyword_enum {
    ($ty:ty, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                <$ty>::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t))
                    .ok_or_else(|| DomainError::Unknown {
                        what: $what,
                        value: t.to_string(),
                        known: <$ty>::ALL
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    };
}
keyword_enum!(Status, "status");
keyword_enum!(Class, "class");
keyword_enum!(Stage, "stage");
keyword_enum!(ActivityKind, "activity kind");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_logs_every_kind_but_system_and_is_told_only_those() {
        for k in ActivityKind::LOGGABLE {
            assert_eq!(ActivityKind::loggable(k.as_str()), Ok(k));
        }
        assert_eq!(ActivityKind::loggable(" Call "), Ok(ActivityKind::Call));
        for typed in ["fax", "system", "SYSTEM"] {
            let e = ActivityKind::loggable(typed).unwrap_err().to_string();
            assert!(!e.contains("system,") && !e.ends_with("system)"), "{e}");
            assert!(e.contains("call, email, meeting, message, note"), "{e}");
        }
        // The timeline still reads ripen's own entries.
        assert_eq!("system".parse(), Ok(ActivityKind::System));
    }

    #[test]
    fn outcomes_ripen_reads_include_free_text_for_unreached() {
        assert!(known_outcome("Reached"));
        assert!(known_outcome("No answer"));
        assert!(!known_outcome("no-anwser"));
    }

    #[test]
    fn keywords_parse_case_insensitively_and_list_known_values_on_error() {
        assert_eq!("RIPE".parse::<Stage>().unwrap(), Stage::Ripe);
        assert_eq!("a".parse::<Class>().unwrap(), Class::A);
        let err = "hot".parse::<Stage>().unwrap_err().to_string();
        assert!(
            err.contains("green, warming, ripe, proposal, negotiation"),
            "{err}"
        );
    }

    #[test]
    fn stages_step_forward_and_back_within_bounds() {
        assert_eq!(Stage::Green.next(), Some(Stage::Warming));
        assert_eq!(Stage::Negotiation.next(), None);
        assert_eq!(Stage::Green.prev(), None);
        assert_eq!(Stage::Ripe.prev(), Some(Stage::Warming));
    }
}
