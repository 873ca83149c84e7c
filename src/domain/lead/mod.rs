//! A lead and its timeline: the plain records the store reads and writes. The words of a
//! lead's life (status, class, stage, activity kinds, outcomes) are in `words`; a typed
//! e-mail's check in `email`; how a source's or an owner's name is spelled in `names`, and
//! whose leads are whose in `owner`; amounts of money in
//! [`super::money`].

mod email;
mod names;
mod owner;
mod source;
mod words;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::DomainError;
pub use super::money::{format_money, format_money_short, normalise_decimal, parse_money};
pub use email::email_problem;
pub use names::{name_key, spelled_as};
pub use owner::{UNASSIGNED, Whose, is_unassigned, owner_key, owner_row};
pub use source::source_key;
pub use words::{ActivityKind, Class, OUTCOMES, Stage, Status, known_outcome};

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
    /// Who wrote it, when that is someone else than whoever writes through this book now (a
    /// teammate's entry, come through sync), and always for a hand-over.
    pub author: Option<String>,
    /// What ripen recorded by itself, if it was an event of its own ([`super::event::Event`]).
    #[serde(skip)]
    pub event: Option<super::event::Event>,
}

impl Activity {
    /// Who wrote the entry, as a timeline says it after the entry's words: "— Kim Lee", and
    /// for a hand-over "— by Kim Lee" (who handed it, beside from whom and to whom).
    pub fn by_words(&self) -> Option<String> {
        let by = self.author.as_deref()?;
        Some(match self.event {
            Some(super::event::Event::HandedOver) => format!(" — by {by}"),
            _ => format!(" — {by}"),
        })
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
}
