//! An edit of a lead's facts, as the app's form and `ripen edit` ask for it, and the rules it
//! keeps: the one place they live.

use chrono::{DateTime, Utc};

use super::{DomainError, Lead};

/// What an edit changes; a field left `None` is left as it is. A text field given as
/// `Some(None)` is cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadEdit {
    pub name: Option<String>,
    pub owner: Option<String>,
    pub company: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub source: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    /// Every tag, replacing the lead's.
    pub tags: Option<Vec<String>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub value_cents: Option<i64>,
    /// The value's currency: `Some(None)` for the book's own.
    pub currency: Option<Option<String>>,
    pub ripe_on: Option<DateTime<Utc>>,
    /// A lost or disqualified lead's recycle date (its next touch with it).
    pub recycle_on: Option<DateTime<Utc>>,
    pub next_follow_up: Option<DateTime<Utc>>,
}

impl LeadEdit {
    /// The lead with these changes: the one place an edit's rules live.
    pub fn applied(&self, before: &Lead) -> Result<Lead, DomainError> {
        let mut l = before.clone();
        if let Some(name) = &self.name {
            if name.trim().is_empty() {
                return Err(DomainError::Invalid("a lead needs a name".into()));
            }
            l.name = name.clone();
        }
        if let Some(owner) = &self.owner {
            if owner.trim().is_empty() {
                return Err(DomainError::Invalid("a lead needs an owner".into()));
            }
            l.owner = owner.clone();
        }
        for (slot, v) in [
            (&mut l.company, &self.company),
            (&mut l.title, &self.title),
            (&mut l.email, &self.email),
            (&mut l.phone, &self.phone),
            (&mut l.website, &self.website),
            (&mut l.city, &self.city),
            (&mut l.country, &self.country),
            (&mut l.source, &self.source),
            (&mut l.notes, &self.notes),
        ] {
            if let Some(v) = v {
                slot.clone_from(v);
            }
        }
        if let Some(tags) = &self.tags {
            l.tags.clear();
            for t in tags {
                if !l.tags.contains(t) {
                    l.tags.push(t.clone());
                }
            }
        }
        for t in &self.add_tags {
            if !l.tags.contains(t) {
                l.tags.push(t.clone());
            }
        }
        l.tags
            .retain(|t| !self.remove_tags.iter().any(|r| r.trim() == t));
        if self.value_cents.is_some() {
            l.value_cents = self.value_cents;
        }
        if let Some(c) = &self.currency {
            l.currency.clone_from(c);
        }
        if self.ripe_on.is_some() {
            l.ripe_on = self.ripe_on;
        }
        if self.recycle_on.is_some() {
            if !l.status.is_closed_out() {
                return Err(DomainError::NotAllowed(
                    "only lost or disqualified leads have a recycle date".into(),
                ));
            }
            l.recycle_on = self.recycle_on;
            l.next_follow_up = self.recycle_on;
        }
        if self.next_follow_up.is_some() {
            l.next_follow_up = self.next_follow_up;
        }
        Ok(l)
    }
}
