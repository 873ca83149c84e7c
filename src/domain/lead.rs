//! A lead and its timeline: the words of a lead's life (status, class, stage, reason) and the
//! plain records the store reads and writes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::DomainError;

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
/// was not reached ([`super::plan::unreached`]). Any other is kept as written and followed up
/// as if the person was reached.
pub fn known_outcome(outcome: &str) -> bool {
    let o = outcome.trim().to_lowercase();
    OUTCOMES.contains(&o.as_str()) || super::plan::unreached(&o)
}

/// Why a typed e-mail address cannot be one (one `@` between a name and a domain with a dot,
/// no spaces), if it cannot; a typo caught here would otherwise bounce at the first send.
pub fn email_problem(email: &str) -> Option<String> {
    let e = email.trim();
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(char::is_whitespace)
        }
        None => false,
    };
    (!ok).then(|| format!("\"{e}\" is not an e-mail address"))
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

/// A source's name as sources are told apart: case and spacing ignored, so that "Webinar Oct",
/// "webinar oct" and "Webinar  Oct " are one source in the reports and for its cost.
pub fn source_key(source: &str) -> String {
    // Underscores too: a vendor's `PAID_SEARCH` is the "Paid search" an earlier import wrote.
    source
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A source as the book spells it: the first of `known` with the same [`source_key`], else as
/// typed with its spaces tidied.
pub fn spelled_as<'a>(source: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let key = source_key(source);
    known
        .into_iter()
        .find(|s| source_key(s) == key)
        .map_or_else(
            || source.split_whitespace().collect::<Vec<_>>().join(" "),
            str::to_string,
        )
}

/// A lead: a person, usually at a company, who showed interest.
///
/// Only facts live here; due, rotting and priority are computed from them and `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    /// The lead's UUID (v7), its identity across books.
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
    pub notes: Option<String>,
    /// Columns of an imported file that had no field of their own, as a JSON object.
    pub extra: Option<String>,
    pub external_id: Option<String>,
    pub status: Status,
    pub class: Option<Class>,
    pub stage: Option<Stage>,
    /// Value in minor units (cents) of its currency.
    pub value_cents: Option<i64>,
    /// The value's currency, an ISO 4217 code, when its source named one other than the book's;
    /// None: the book's own currency.
    #[serde(default)]
    pub currency: Option<String>,
    pub received_at: DateTime<Utc>,
    pub next_follow_up: Option<DateTime<Utc>>,
    pub ripe_on: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub reason_note: Option<String>,
    pub recycle_on: Option<DateTime<Utc>>,
    pub recycle_count: i64,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Lead {
    /// This lead with every text neutralised as an import neutralises a cell ([`text::clean_line`],
    /// [`text::clean_text`] for notes), or `None` when nothing needed it: the one rule on the way
    /// in, whoever typed the text.
    pub fn neutralised(&self) -> Option<Lead> {
        use super::text::{clean_line, clean_text};
        use std::borrow::Cow;
        let line = |s: &str| matches!(clean_line(s), Cow::Owned(_));
        let text = |s: &str| matches!(clean_text(s), Cow::Owned(_));
        let lines = [
            &self.company,
            &self.title,
            &self.email,
            &self.phone,
            &self.website,
            &self.city,
            &self.country,
            &self.source,
            &self.external_id,
            &self.reason,
        ];
        let dirty = line(&self.name)
            || line(&self.owner)
            || self.tags.iter().any(|t| line(t))
            || lines.iter().any(|v| v.as_deref().is_some_and(line))
            || [&self.notes, &self.reason_note, &self.extra]
                .iter()
                .any(|v| v.as_deref().is_some_and(text));
        if !dirty {
            return None;
        }
        let l = |s: &String| clean_line(s).into_owned();
        let ol = |s: &Option<String>| s.as_deref().map(|v| clean_line(v).into_owned());
        let ot = |s: &Option<String>| s.as_deref().map(|v| clean_text(v).into_owned());
        Some(Lead {
            name: l(&self.name),
            owner: l(&self.owner),
            tags: self.tags.iter().map(l).collect(),
            company: ol(&self.company),
            title: ol(&self.title),
            email: ol(&self.email),
            phone: ol(&self.phone),
            website: ol(&self.website),
            city: ol(&self.city),
            country: ol(&self.country),
            source: ol(&self.source),
            external_id: ol(&self.external_id),
            reason: ol(&self.reason),
            notes: ot(&self.notes),
            reason_note: ot(&self.reason_note),
            extra: ot(&self.extra),
            ..self.clone()
        })
    }

    /// Every field within its limit ([`text::LINE_MAX_CHARS`], [`text::TEXT_MAX_CHARS`]): the
    /// one rule the CLI, the app and the import share.
    pub fn check_lengths(&self) -> Result<(), DomainError> {
        self.check_lengths_since(None)
    }

    /// [`Lead::check_lengths`] for the fields that differ from `before`: a lead stored before
    /// the limits were (an older book) can still be edited in its other fields.
    pub fn check_lengths_since(&self, before: Option<&Lead>) -> Result<(), DomainError> {
        use super::text::{LINE_MAX_CHARS as LINE, TEXT_MAX_CHARS as TEXT, check_length};
        let tags = self.tags.join(", ");
        let was_tags = before.map(|b| b.tags.join(", "));
        // The field, its value now and before (`None`: no before), and its limit.
        type Limited<'a> = (&'a str, Option<&'a str>, Option<Option<&'a str>>, usize);
        let fields: [Limited; 15] = [
            (
                "name",
                Some(&self.name),
                before.map(|b| Some(b.name.as_str())),
                LINE,
            ),
            (
                "owner",
                Some(&self.owner),
                before.map(|b| Some(b.owner.as_str())),
                LINE,
            ),
            ("tags", Some(&tags), was_tags.as_deref().map(Some), LINE),
            (
                "company",
                self.company.as_deref(),
                before.map(|b| b.company.as_deref()),
                LINE,
            ),
            (
                "title",
                self.title.as_deref(),
                before.map(|b| b.title.as_deref()),
                LINE,
            ),
            (
                "email",
                self.email.as_deref(),
                before.map(|b| b.email.as_deref()),
                LINE,
            ),
            (
                "phone",
                self.phone.as_deref(),
                before.map(|b| b.phone.as_deref()),
                LINE,
            ),
            (
                "website",
                self.website.as_deref(),
                before.map(|b| b.website.as_deref()),
                LINE,
            ),
            (
                "city",
                self.city.as_deref(),
                before.map(|b| b.city.as_deref()),
                LINE,
            ),
            (
                "country",
                self.country.as_deref(),
                before.map(|b| b.country.as_deref()),
                LINE,
            ),
            (
                "source",
                self.source.as_deref(),
                before.map(|b| b.source.as_deref()),
                LINE,
            ),
            (
                "external id",
                self.external_id.as_deref(),
                before.map(|b| b.external_id.as_deref()),
                LINE,
            ),
            (
                "loss reason",
                self.reason.as_deref(),
                before.map(|b| b.reason.as_deref()),
                LINE,
            ),
            (
                "notes",
                self.notes.as_deref(),
                before.map(|b| b.notes.as_deref()),
                TEXT,
            ),
            (
                "the loss's note",
                self.reason_note.as_deref(),
                before.map(|b| b.reason_note.as_deref()),
                TEXT,
            ),
        ];
        for (what, now, was, max) in fields {
            if let Some(v) = now
                && was != Some(now)
            {
                check_length(what, v, max)?;
            }
        }
        if let Some(extra) = &self.extra
            && before.is_none_or(|b| b.extra.as_ref() != Some(extra))
        {
            check_length("the imported columns", extra, TEXT)?;
        }
        Ok(())
    }

    /// A fresh lead as received: status new, due for first contact per the plan.
    pub fn received(uid: String, name: String, owner: String, received_at: DateTime<Utc>) -> Lead {
        Lead {
            uid,
            name,
            company: None,
            title: None,
            email: None,
            phone: None,
            website: None,
            city: None,
            country: None,
            source: None,
            owner,
            tags: Vec::new(),
            notes: None,
            extra: None,
            external_id: None,
            status: Status::New,
            class: None,
            stage: None,
            value_cents: None,
            currency: None,
            received_at,
            next_follow_up: None,
            ripe_on: None,
            closed_at: None,
            reason: None,
            reason_note: None,
            recycle_on: None,
            recycle_count: 0,
            deleted_at: None,
        }
    }

    /// The value when it is in the book's own currency (no `currency` of its own).
    pub fn home_cents(&self) -> Option<i64> {
        self.value_cents.filter(|_| self.currency.is_none())
    }

    /// The value when it is in a currency of its own.
    pub fn currency_cents(&self) -> Option<i64> {
        self.value_cents.filter(|_| self.currency.is_some())
    }

    /// Value in the currency's major unit.
    pub fn value(&self) -> Option<f64> {
        self.value_cents.map(|c| c as f64 / 100.0)
    }

    /// The fields an import kept beside the lead (its file's unmapped columns), by the
    /// file's own header, in the file's column order; values as text.
    pub fn extra_fields(&self) -> Vec<(String, String)> {
        let Some(map) = self.extra.as_deref().and_then(|e| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(e).ok()
        }) else {
            return Vec::new();
        };
        map.into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// "Jane Doe (Acme)" or just the name.
    pub fn display_name(&self) -> String {
        match &self.company {
            Some(c) if !c.is_empty() => format!("{} ({})", self.name, c),
            _ => self.name.clone(),
        }
    }
}

/// One entry on a lead's timeline. Timelines only grow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub uid: String,
    pub lead_uid: String,
    pub at: DateTime<Utc>,
    pub kind: ActivityKind,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

/// Parse a money amount typed by a user: `24000`, `24,000.50`, `24.000,50`, `€24k`.
pub fn parse_money(input: &str) -> Result<i64, DomainError> {
    let bad = || DomainError::BadValue(input.to_string());
    let mut s: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !"€$£'".contains(*c))
        .collect();
    let mut factor = 1.0;
    if let Some(stripped) = s.strip_suffix(['k', 'K']) {
        factor = 1_000.0;
        s = stripped.to_string();
    } else if let Some(stripped) = s.strip_suffix(['m', 'M']) {
        factor = 1_000_000.0;
        s = stripped.to_string();
    }
    let normalised = normalise_decimal(&s).ok_or_else(bad)?;
    let v: f64 = normalised.parse().map_err(|_| bad())?;
    if !v.is_finite() || v < 0.0 || v * factor > 1e13 {
        return Err(bad());
    }
    Ok((v * factor * 100.0).round() as i64)
}

/// Turn `12.345,50`, `12,345.50`, `12345,5` or `1.5` into a plain `12345.50` form.
///
/// The last of `.`/`,` is the decimal separator when followed by other than exactly three
/// digits, or when both kinds appear; a lone separator followed by three digits is a thousands
/// separator (`12,345` and `12.345` are both twelve thousand).
pub fn normalise_decimal(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let last_sep = body.rfind(['.', ',']);
    let out = match last_sep {
        None => body.to_string(),
        Some(i) => {
            let sep = body.as_bytes()[i] as char;
            let other = if sep == '.' { ',' } else { '.' };
            let frac = &body[i + 1..];
            let both = body.contains(other);
            let count_sep = body.matches(sep).count();
            let is_decimal = both || (count_sep == 1 && frac.len() != 3);
            if is_decimal {
                let int: String = body[..i].chars().filter(|c| c.is_ascii_digit()).collect();
                format!("{int}.{frac}")
            } else {
                body.chars().filter(|c| c.is_ascii_digit()).collect()
            }
        }
    };
    if out.is_empty() || out == "." {
        return None;
    }
    Some(if neg { format!("-{out}") } else { out })
}

/// Format minor units as a human amount: `€24,000` or `€1,250.50`.
pub fn format_money(cents: i64, symbol: &str) -> String {
    let neg = cents < 0;
    let cents = cents.unsigned_abs();
    let major = cents / 100;
    let minor = cents % 100;
    let digits = major.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if neg { "-" } else { "" };
    if minor == 0 {
        format!("{sign}{symbol}{grouped}")
    } else {
        format!("{sign}{symbol}{grouped}.{minor:02}")
    }
}

/// Short money: `€312k`, `€1.2M`, `€950`.
pub fn format_money_short(cents: i64, symbol: &str) -> String {
    let v = cents as f64 / 100.0;
    let a = v.abs();
    if a >= 1_000_000.0 {
        format!("{symbol}{:.1}M", v / 1_000_000.0)
    } else if a >= 1_000.0 {
        format!("{symbol}{:.0}k", v / 1_000.0)
    } else {
        format!("{symbol}{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_typed_with_controls_is_neutralised_on_the_way_in() {
        let at = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let mut lead = Lead::received("u".into(), "Plain".into(), "me".into(), at);
        assert_eq!(lead.neutralised(), None);
        lead.company = Some("Acme\x1b]52;c;cm0gLXJmIH4K\x07".into());
        lead.notes = Some("two\nlines\u{202E}".into());
        lead.tags = vec!["t\u{9b}".into()];
        let clean = lead.neutralised().unwrap();
        assert_eq!(clean.company.as_deref(), Some("Acme␛]52;c;cm0gLXJmIH4K␇"));
        assert_eq!(clean.notes.as_deref(), Some("two\nlines\u{FFFD}"));
        assert_eq!(clean.tags, ["t\u{FFFD}"]);
        assert_eq!(clean.neutralised(), None);
    }

    #[test]
    fn a_field_over_its_limit_is_refused_unless_it_was_already_so() {
        let at = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let mut lead = Lead::received("u".into(), "N".repeat(1_000), "me".into(), at);
        lead.notes = Some("n".repeat(100_000));
        assert!(lead.check_lengths().is_ok());
        let mut long = lead.clone();
        long.name.push('N');
        let e = long.check_lengths().unwrap_err().to_string();
        assert_eq!(e, "name is 1001 characters long (limit 1000)");
        // An older book's long name does not block an edit of another field.
        let mut edited = long.clone();
        edited.company = Some("Acme".into());
        assert!(edited.check_lengths_since(Some(&long)).is_ok());
        edited.company = Some("C".repeat(1_001));
        assert!(edited.check_lengths_since(Some(&long)).is_err());
        lead.tags = (0..11).map(|i| format!("{i}{}", "t".repeat(97))).collect();
        assert!(
            lead.check_lengths()
                .unwrap_err()
                .to_string()
                .starts_with("tags is")
        );
    }

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
    fn an_email_needs_a_name_an_at_and_a_domain() {
        for ok in ["jane@acme.example", " j.doe+x@mail.co.uk ", "ÿ@exämple.de"] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for bad in [
            "not an email",
            "jane@acme",
            "@acme.example",
            "a@b@c.d",
            "jane@.example",
            "ja ne@x.de",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn outcomes_ripen_reads_include_free_text_for_unreached() {
        assert!(known_outcome("Reached"));
        assert!(known_outcome("No answer"));
        assert!(!known_outcome("no-anwser"));
    }

    #[test]
    fn sources_are_told_apart_without_case_or_spacing() {
        assert_eq!(source_key(" Webinar  OCT "), source_key("webinar oct"));
        assert_ne!(source_key("Webinar Oct"), source_key("Webinar Nov"));
        assert_eq!(source_key("Trade show"), "trade show");
        assert_eq!(source_key("PAID_SEARCH"), source_key("Paid search"));
        assert_eq!(
            spelled_as("webinar  oct", ["Trade show", "Webinar Oct"]),
            "Webinar Oct"
        );
        assert_eq!(spelled_as(" New  fair ", ["Trade show"]), "New fair");
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

    #[test]
    fn money_parses_both_decimal_conventions() {
        assert_eq!(parse_money("24000").unwrap(), 2_400_000);
        assert_eq!(parse_money("12.345,50").unwrap(), 1_234_550);
        assert_eq!(parse_money("12,345.50").unwrap(), 1_234_550);
        assert_eq!(parse_money("12,345").unwrap(), 1_234_500);
        assert_eq!(parse_money("1,5").unwrap(), 150);
        assert_eq!(parse_money("€24k").unwrap(), 2_400_000);
        assert!(parse_money("lots").is_err());
        assert!(parse_money("-5").is_err());
    }

    #[test]
    fn money_formats_with_grouping() {
        assert_eq!(format_money(2_400_000, "€"), "€24,000");
        assert_eq!(format_money(125_050, "€"), "€1,250.50");
        assert_eq!(format_money_short(31_200_000, "€"), "€312k");
        assert_eq!(format_money_short(120_000_000, "€"), "€1.2M");
    }
}
