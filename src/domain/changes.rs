//! A lead as a log of changes: what the book shares with other laptops is not a lead's row but
//! the changes made to it, insert-only, each stamped with a hybrid logical clock and the book
//! (replica) that made it. A lead's row is the [`fold`] of its changes: per field, the change
//! with the greatest `(clock, replica)` wins — so every book that holds the same changes, in
//! whatever order they came, builds the same lead.
//!
//! What one change covers (its `field`, a *unit*):
//! - a plain field (`name`, `email`, `owner`, …), alone: one person's new phone and another's
//!   new e-mail never conflict;
//! - [`STATE`]: status, stage, class, closed date, loss reason and note, recycle date, next
//!   follow-up and ripe date, together, so that no merge of two laptops' changes can build a
//!   won lead with a loss reason or a disqualified lead with a stage;
//! - [`VALUE`]: an amount with its currency;
//! - tags one by one ([`TAG_ADDED`], [`TAG_REMOVED`]), so two people's new tags both survive;
//! - [`CREATED`]: every field at once, the lead as it arrived;
//! - [`PURGE`]: the trash emptied of the lead; its personal data is blanked, whatever any other
//!   change (before or after it, from any laptop) says;
//! - [`RECYCLES`]: times recycled that a merge brought. `recycle_count` is counted from the log
//!   (reactivations are marked on their [`STATE`] change), never stored.
//!
//! Pure: the store reads and writes the records; the clock comes in.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Class, Lead, Stage, Status};

pub const CREATED: &str = "created";
pub const STATE: &str = "state";
pub const VALUE: &str = "value";
pub const DELETED: &str = "deleted";
pub const TAG_ADDED: &str = "tag+";
pub const TAG_REMOVED: &str = "tag-";
pub const PURGE: &str = "purge";
pub const RECYCLES: &str = "recycles";

/// The plain fields: each a unit of its own, its value a JSON string (or null).
pub const TEXT_FIELDS: [&str; 14] = [
    "name",
    "company",
    "title",
    "email",
    "phone",
    "website",
    "city",
    "country",
    "source",
    "owner",
    "notes",
    "extra",
    "external_id",
    "received_at",
];

/// What a purge blanks: the person, never the figures (status, value, source, owner and dates
/// stay, so that the reports still count the lead).
pub const PURGED_NAME: &str = "(purged)";

/// The namespace of the uids made from what they name ([`stable_uid`]).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5d1c_0a51_7e3b_4c2a_9f0e_6b8d_2a41_c7e3);

/// A uid made from `parts` (UUIDv5): the same parts, the same uid, in every book.
pub fn stable_uid(parts: &[&str]) -> String {
    let mut name = Vec::new();
    for p in parts {
        name.extend_from_slice(p.as_bytes());
        name.push(0);
    }
    uuid::Uuid::new_v5(&NAMESPACE, &name)
        .hyphenated()
        .to_string()
}

/// A uid for a copy of the row `original` names (a merge's copy of an entry): made from
/// `parts` as [`stable_uid`] is, but keeping the original's first twelve bytes — a ripen
/// UUIDv7's time and counter — so that the copy sorts where the original did among entries of
/// the same moment.
pub fn copy_uid(original: &str, parts: &[&str]) -> String {
    let made = uuid::Uuid::parse_str(&stable_uid(parts)).unwrap_or_default();
    let Ok(from) = uuid::Uuid::parse_str(original) else {
        return made.hyphenated().to_string();
    };
    let mut bytes = *made.as_bytes();
    bytes[..12].copy_from_slice(&from.as_bytes()[..12]);
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// One change record, as the book stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub uid: String,
    pub lead_uid: String,
    pub field: String,
    /// JSON.
    pub value: Option<String>,
    pub clock: i64,
    pub replica: String,
}

impl Record {
    /// The order changes win in: the greater clock, then the greater replica id; the uid last,
    /// so that the order is total even over malformed duplicates.
    pub fn order(&self, other: &Record) -> Ordering {
        (self.clock, &self.replica, &self.uid).cmp(&(other.clock, &other.replica, &other.uid))
    }
}

/// A field's change, before it is stamped: its unit and its value (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub value: Option<String>,
}

/// The hybrid logical clock: milliseconds since the epoch in the high bits, a counter in the
/// low 16. The next stamp is greater than every stamp this book has made or seen, and never
/// behind the wall clock; wall-clock ties between laptops are broken by the replica id.
pub fn next_clock(last: i64, now: DateTime<Utc>) -> i64 {
    (now.timestamp_millis().max(0) << 16).max(last.saturating_add(1))
}

/// The wall-clock milliseconds a stamp carries.
pub fn clock_millis(clock: i64) -> i64 {
    clock >> 16
}

/// A clock stamp for a moment (counter 0): what a book made before the change log gives its
/// leads' first records.
pub fn clock_at(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis().max(0) << 16
}

/// The [`STATE`] unit's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct State {
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recycle_on: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_follow_up: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ripe_on: Option<i64>,
    /// This change took the lead back out of Recycled (one more time recycled).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    recycled: bool,
}

/// The [`VALUE`] unit's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Value {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
}

/// The [`CREATED`] record's value: every field of the lead as it arrived (nulls left out).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Snapshot {
    name: String,
    owner: String,
    received_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extra: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    #[serde(flatten)]
    state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deleted_at: Option<i64>,
    /// Times recycled before the book kept a log (a book made by an earlier release).
    #[serde(default, skip_serializing_if = "is_zero")]
    recycle_count: i64,
}

/// [`Snapshot`] as [`created`] writes it, borrowing the lead's text rather than copying it
/// (a million of them in an import): the same fields, in the same order, as the same JSON.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    name: &'a str,
    owner: &'a str,
    received_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(flatten)]
    state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<i64>,
    #[serde(skip_serializing_if = "is_zero")]
    recycle_count: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn secs(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

fn time(s: Option<i64>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn state_of(lead: &Lead, recycled: bool) -> State {
    State {
        status: lead.status.as_str().to_string(),
        class: lead.class.map(|c| c.as_str().to_string()),
        stage: lead.stage.map(|s| s.as_str().to_string()),
        closed_at: secs(lead.closed_at),
        reason: lead.reason.clone(),
        reason_note: lead.reason_note.clone(),
        recycle_on: secs(lead.recycle_on),
        next_follow_up: secs(lead.next_follow_up),
        ripe_on: secs(lead.ripe_on),
        recycled,
    }
}

fn value_of(lead: &Lead) -> Value {
    Value {
        cents: lead.value_cents,
        currency: lead.currency.clone(),
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A plain field's value, as its unit stores it.
fn text_field(lead: &Lead, field: &str) -> Option<String> {
    let s = |v: &Option<String>| v.as_deref().map(|s| json(&s));
    match field {
        "name" => Some(json(&lead.name)),
        "owner" => Some(json(&lead.owner)),
        "company" => s(&lead.company),
        "title" => s(&lead.title),
        "email" => s(&lead.email),
        "phone" => s(&lead.phone),
        "website" => s(&lead.website),
        "city" => s(&lead.city),
        "country" => s(&lead.country),
        "source" => s(&lead.source),
        "notes" => s(&lead.notes),
        "extra" => s(&lead.extra),
        "external_id" => s(&lead.external_id),
        "received_at" => Some(lead.received_at.timestamp().to_string()),
        _ => None,
    }
}

/// The value of a [`CREATED`] record for `lead`.
pub fn created(lead: &Lead) -> String {
    let value = value_of(lead);
    fn o(v: &Option<String>) -> Option<&str> {
        v.as_deref()
    }
    json(&SnapshotRef {
        name: &lead.name,
        owner: &lead.owner,
        received_at: lead.received_at.timestamp(),
        company: o(&lead.company),
        title: o(&lead.title),
        email: o(&lead.email),
        phone: o(&lead.phone),
        website: o(&lead.website),
        city: o(&lead.city),
        country: o(&lead.country),
        source: o(&lead.source),
        tags: &lead.tags,
        notes: o(&lead.notes),
        extra: o(&lead.extra),
        external_id: o(&lead.external_id),
        state: state_of(lead, false),
        value: (value != Value::default()).then_some(&value),
        deleted_at: secs(lead.deleted_at),
        recycle_count: lead.recycle_count,
    })
}

/// The tags `after` is written with, given `before`: each tag once, those kept in the order
/// they had, the new ones after them in the order given — the order [`fold`] builds (a
/// reordering alone changes nothing, as it records nothing).
pub fn tags_in_order(before: Option<&Lead>, after: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(after.len());
    if let Some(b) = before {
        for t in &b.tags {
            if after.contains(t) && !out.contains(t) {
                out.push(t.clone());
            }
        }
    }
    for t in after {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

/// The changes that take a lead from `before` to `after` (whose tags are already in
/// [`tags_in_order`]'s order). A new lead is one [`CREATED`] change.
pub fn diff(before: Option<&Lead>, after: &Lead) -> Vec<FieldChange> {
    diff_in(before, after, false)
}

/// [`diff`] for the lead a merge keeps: every time recycled the merge brings is one
/// [`RECYCLES`] sum, none a reactivation's mark on the state, so that a record two laptops
/// making the same merge both write can be one (see `store::changes::record_in`).
pub fn diff_merged(before: &Lead, after: &Lead) -> Vec<FieldChange> {
    diff_in(Some(before), after, true)
}

fn diff_in(before: Option<&Lead>, after: &Lead, merged: bool) -> Vec<FieldChange> {
    let Some(before) = before else {
        return vec![FieldChange {
            field: CREATED,
            value: Some(created(after)),
        }];
    };
    let mut out = Vec::new();
    for field in TEXT_FIELDS {
        let now = text_field(after, field);
        if now != text_field(before, field) {
            out.push(FieldChange { field, value: now });
        }
    }
    let recycled = !merged && after.recycle_count > before.recycle_count;
    let state = state_of(after, false);
    if recycled || state != state_of(before, false) {
        out.push(FieldChange {
            field: STATE,
            value: Some(json(&state_of(after, recycled))),
        });
    }
    if value_of(after) != value_of(before) {
        out.push(FieldChange {
            field: VALUE,
            value: Some(json(&value_of(after))),
        });
    }
    if after.deleted_at != before.deleted_at {
        out.push(FieldChange {
            field: DELETED,
            value: secs(after.deleted_at).map(|s| s.to_string()),
        });
    }
    for t in &before.tags {
        if !after.tags.contains(t) {
            out.push(FieldChange {
                field: TAG_REMOVED,
                value: Some(json(t)),
            });
        }
    }
    for t in &after.tags {
        if !before.tags.contains(t) {
            out.push(FieldChange {
                field: TAG_ADDED,
                value: Some(json(t)),
            });
        }
    }
    // A merge that brings more times recycled than a reactivation marks.
    let more = after.recycle_count - before.recycle_count - i64::from(recycled);
    if more > 0 {
        out.push(FieldChange {
            field: RECYCLES,
            value: Some(more.to_string()),
        });
    }
    out
}

/// The [`PURGE`] change for a lead in the trash: its value is when it went there.
pub fn purge(lead: &Lead) -> FieldChange {
    FieldChange {
        field: PURGE,
        value: Some(
            secs(lead.deleted_at)
                .unwrap_or(lead.received_at.timestamp())
                .to_string(),
        ),
    }
}

/// `lead` with its personal data blanked, as a purge leaves it.
pub fn blanked(lead: &Lead) -> Lead {
    Lead {
        name: PURGED_NAME.to_string(),
        company: None,
        title: None,
        email: None,
        phone: None,
        website: None,
        city: None,
        country: None,
        notes: None,
        extra: None,
        external_id: None,
        tags: Vec::new(),
        reason_note: None,
        ..lead.clone()
    }
}

/// Whether a record of `field` holds personal data a purge must blank in the log too.
pub fn personal(field: &str) -> bool {
    matches!(
        field,
        "name"
            | "company"
            | "title"
            | "email"
            | "phone"
            | "website"
            | "city"
            | "country"
            | "notes"
            | "extra"
            | "external_id"
            | TAG_ADDED
            | TAG_REMOVED
    )
}

/// A [`CREATED`] or [`STATE`] record's value with its personal data taken out (the purge's
/// blanking of the log); `None` for any other unit, whose personal values are blanked whole.
pub fn blanked_value(field: &str, value: &str) -> Option<String> {
    match field {
        CREATED => {
            let mut s: Snapshot = serde_json::from_str(value).ok()?;
            s.name = PURGED_NAME.to_string();
            s.company = None;
            s.title = None;
            s.email = None;
            s.phone = None;
            s.website = None;
            s.city = None;
            s.country = None;
            s.notes = None;
            s.extra = None;
            s.external_id = None;
            s.tags.clear();
            s.state.reason_note = None;
            Some(json(&s))
        }
        STATE => {
            let mut s: State = serde_json::from_str(value).ok()?;
            s.reason_note = None;
            Some(json(&s))
        }
        _ => None,
    }
}

/// What [`fold`] also says of a lead besides its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    pub lead: Lead,
    /// The clock of its first and of its last change.
    pub created_clock: i64,
    pub updated_clock: i64,
    /// When it was purged (the purge's clock), if it was.
    pub purged_clock: Option<i64>,
}

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("change {uid} of lead {lead_uid} ({field}): {why}")]
pub struct BadRecord {
    pub uid: String,
    pub lead_uid: String,
    pub field: String,
    pub why: String,
}

fn parse<T: for<'de> Deserialize<'de>>(r: &Record) -> Result<T, BadRecord> {
    let bad = |why: String| BadRecord {
        uid: r.uid.clone(),
        lead_uid: r.lead_uid.clone(),
        field: r.field.clone(),
        why,
    };
    let v = r.value.as_deref().ok_or_else(|| bad("no value".into()))?;
    serde_json::from_str(v).map_err(|e| bad(e.to_string()))
}

fn word<T: std::str::FromStr>(r: &Record, s: &str) -> Result<T, BadRecord> {
    s.parse().map_err(|_| BadRecord {
        uid: r.uid.clone(),
        lead_uid: r.lead_uid.clone(),
        field: r.field.clone(),
        why: format!("unknown word {s:?}"),
    })
}

fn set_state(lead: &mut Lead, r: &Record, s: &State) -> Result<(), BadRecord> {
    lead.status = word::<Status>(r, &s.status)?;
    lead.class = s
        .class
        .as_deref()
        .map(|c| word::<Class>(r, c))
        .transpose()?;
    lead.stage = s
        .stage
        .as_deref()
        .map(|c| word::<Stage>(r, c))
        .transpose()?;
    lead.closed_at = time(s.closed_at);
    lead.reason = s.reason.clone();
    lead.reason_note = s.reason_note.clone();
    lead.recycle_on = time(s.recycle_on);
    lead.next_follow_up = time(s.next_follow_up);
    lead.ripe_on = time(s.ripe_on);
    Ok(())
}

/// Build a lead from its change records, in any order, duplicates included. `None` when its
/// [`CREATED`] record has not arrived (a lead is never built from part of itself).
pub fn fold(lead_uid: &str, records: &mut [Record]) -> Result<Option<Folded>, BadRecord> {
    records.sort_by(Record::order);
    let Some(first) = records.iter().position(|r| r.field == CREATED) else {
        return Ok(None);
    };
    let mut lead = Lead::received(
        lead_uid.to_string(),
        String::new(),
        String::new(),
        DateTime::<Utc>::UNIX_EPOCH,
    );
    let mut recycles = 0;
    let mut purged: Option<(i64, i64)> = None;
    let mut last_uid: Option<&str> = None;
    for r in records.iter().skip(first) {
        // A record delivered twice counts once.
        if last_uid == Some(r.uid.as_str()) {
            continue;
        }
        last_uid = Some(r.uid.as_str());
        match r.field.as_str() {
            CREATED => {
                let s: Snapshot = parse(r)?;
                set_state(&mut lead, r, &s.state)?;
                let v = s.value.unwrap_or_default();
                lead = Lead {
                    uid: lead.uid,
                    name: s.name,
                    owner: s.owner,
                    received_at: time(Some(s.received_at)).unwrap_or_default(),
                    company: s.company,
                    title: s.title,
                    email: s.email,
                    phone: s.phone,
                    website: s.website,
                    city: s.city,
                    country: s.country,
                    source: s.source,
                    tags: s.tags,
                    notes: s.notes,
                    extra: s.extra,
                    external_id: s.external_id,
                    value_cents: v.cents,
                    currency: v.currency,
                    deleted_at: time(s.deleted_at),
                    ..lead
                };
                recycles += s.recycle_count;
            }
            STATE => {
                let s: State = parse(r)?;
                set_state(&mut lead, r, &s)?;
                recycles += i64::from(s.recycled);
            }
            VALUE => {
                let v: Value = parse(r)?;
                lead.value_cents = v.cents;
                lead.currency = v.currency;
            }
            DELETED => {
                lead.deleted_at = match r.value {
                    None => None,
                    Some(_) => time(Some(parse::<i64>(r)?)),
                }
            }
            TAG_ADDED => {
                // A purged log's tag records have no value left.
                if r.value.is_some() {
                    let t: String = parse(r)?;
                    if !lead.tags.contains(&t) {
                        lead.tags.push(t);
                    }
                }
            }
            TAG_REMOVED => {
                // A purged log's tag records have no value left: nothing to remove.
                if r.value.is_some() {
                    let t: String = parse(r)?;
                    lead.tags.retain(|x| *x != t);
                }
            }
            RECYCLES => recycles += parse::<i64>(r)?,
            PURGE => {
                let at: i64 = parse(r)?;
                // The first purge is the one; any later is the same act seen again.
                if purged.is_none() {
                    purged = Some((r.clock, at));
                }
            }
            field => {
                // A personal field a purge already blanked has no value left.
                let text = || -> Result<Option<String>, BadRecord> {
                    r.value.as_ref().map(|_| parse::<String>(r)).transpose()
                };
                match field {
                    "name" if r.value.is_some() => lead.name = parse(r)?,
                    "owner" => lead.owner = parse(r)?,
                    "company" => lead.company = text()?,
                    "title" => lead.title = text()?,
                    "email" => lead.email = text()?,
                    "phone" => lead.phone = text()?,
                    "website" => lead.website = text()?,
                    "city" => lead.city = text()?,
                    "country" => lead.country = text()?,
                    "source" => lead.source = text()?,
                    "notes" => lead.notes = text()?,
                    "extra" => lead.extra = text()?,
                    "external_id" => lead.external_id = text()?,
                    "received_at" => {
                        lead.received_at = time(Some(parse(r)?)).unwrap_or_default();
                    }
                    // A unit a newer ripen records: left for that ripen to read.
                    _ => {}
                }
            }
        }
    }
    lead.recycle_count = recycles;
    let created_clock = records[first].clock;
    let updated_clock = records.last().map_or(created_clock, |r| r.clock);
    let purged_clock = purged.map(|(clock, at)| {
        lead = blanked(&lead);
        // A purged lead stays in the trash, whatever a change made elsewhere says.
        lead.deleted_at = lead.deleted_at.or(time(Some(at)));
        clock
    });
    Ok(Some(Folded {
        lead,
        created_clock,
        updated_clock,
        purged_clock,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_790_000_000 + s, 0).unwrap()
    }

    fn lead() -> Lead {
        let mut l = Lead::received("u1".into(), "Ada".into(), "me".into(), at(0));
        l.email = Some("ada@example.com".into());
        l.tags = vec!["x".into(), "y".into()];
        l
    }

    fn stamp(
        lead_uid: &str,
        changes: Vec<FieldChange>,
        clock: &mut i64,
        replica: &str,
    ) -> Vec<Record> {
        changes
            .into_iter()
            .map(|c| {
                *clock += 1;
                Record {
                    uid: format!("{replica}-{clock}"),
                    lead_uid: lead_uid.into(),
                    field: c.field.into(),
                    value: c.value,
                    clock: *clock,
                    replica: replica.into(),
                }
            })
            .collect()
    }

    /// The first record is written borrowing the lead's text: the same JSON as the owned
    /// snapshot it is read back as, every field set and none.
    #[test]
    fn the_first_record_is_written_as_its_snapshot_reads() {
        let bare = lead();
        let mut full = lead();
        for f in [
            &mut full.company,
            &mut full.title,
            &mut full.phone,
            &mut full.website,
            &mut full.city,
            &mut full.country,
            &mut full.source,
            &mut full.notes,
            &mut full.extra,
            &mut full.external_id,
        ] {
            *f = Some("x \"y\" \u{e9}".into());
        }
        full.status = Status::Lost;
        full.reason = Some("timing".into());
        full.reason_note = Some("later".into());
        full.closed_at = Some(at(5));
        full.value_cents = Some(12);
        full.currency = Some("USD".into());
        full.deleted_at = Some(at(9));
        full.recycle_count = 2;
        for l in [bare, full] {
            let written = created(&l);
            let read: Snapshot = serde_json::from_str(&written).unwrap();
            assert_eq!(json(&read), written);
            assert_eq!(read.name, l.name);
            assert_eq!(read.recycle_count, l.recycle_count);
        }
    }

    #[test]
    fn a_lead_folds_back_from_its_changes() {
        let a = lead();
        let mut b = a.clone();
        b.phone = Some("+1 555".into());
        b.status = Status::Open;
        b.class = Some(Class::A);
        b.stage = Some(Stage::Green);
        b.value_cents = Some(50_000);
        b.currency = Some("USD".into());
        b.tags = tags_in_order(Some(&a), &["z".into(), "x".into()]);
        let mut c = b.clone();
        c.status = Status::Lost;
        c.recycle_count = 1;
        c.deleted_at = Some(at(50));
        let mut clock = 0;
        let mut log = stamp("u1", diff(None, &a), &mut clock, "r");
        log.extend(stamp("u1", diff(Some(&a), &b), &mut clock, "r"));
        log.extend(stamp("u1", diff(Some(&b), &c), &mut clock, "r"));
        let folded = fold("u1", &mut log).unwrap().unwrap();
        assert_eq!(folded.lead, c);
        assert_eq!(folded.lead.tags, vec!["x".to_string(), "z".to_string()]);
    }

    #[test]
    fn two_laptops_edits_of_different_fields_both_survive_in_any_order() {
        let a = lead();
        let mut clock = 0;
        let created = stamp("u1", diff(None, &a), &mut clock, "r1");
        let mut phone = a.clone();
        phone.phone = Some("1".into());
        let mut email = a.clone();
        email.email = Some("new@example.com".into());
        email.tags.push("vip".into());
        let mut c1 = clock;
        let mut c2 = clock;
        let one = stamp("u1", diff(Some(&a), &phone), &mut c1, "r1");
        let two = stamp("u1", diff(Some(&a), &email), &mut c2, "r2");
        let mut x: Vec<Record> = created.iter().chain(&one).chain(&two).cloned().collect();
        let mut y: Vec<Record> = two
            .iter()
            .chain(&one)
            .chain(&created)
            .chain(&one)
            .cloned()
            .collect();
        let fx = fold("u1", &mut x).unwrap().unwrap().lead;
        let fy = fold("u1", &mut y).unwrap().unwrap().lead;
        assert_eq!(fx, fy);
        assert_eq!(fx.phone.as_deref(), Some("1"));
        assert_eq!(fx.email.as_deref(), Some("new@example.com"));
        assert!(fx.tags.contains(&"vip".to_string()));
    }

    #[test]
    fn qualify_against_disqualify_never_mixes_their_fields() {
        let a = lead();
        let mut clock = 0;
        let mut log = stamp("u1", diff(None, &a), &mut clock, "r1");
        let mut q = a.clone();
        q.status = Status::Open;
        q.class = Some(Class::A);
        q.stage = Some(Stage::Green);
        let mut d = a.clone();
        d.status = Status::Disqualified;
        d.reason = Some("no budget".into());
        let (mut c1, mut c2) = (clock, clock);
        log.extend(stamp("u1", diff(Some(&a), &q), &mut c1, "r1"));
        log.extend(stamp("u1", diff(Some(&a), &d), &mut c2, "r2"));
        let l = fold("u1", &mut log).unwrap().unwrap().lead;
        // Equal clocks: the greater replica id wins, the whole state.
        assert_eq!(l.status, Status::Disqualified);
        assert_eq!(l.class, None);
        assert_eq!(l.stage, None);
    }

    #[test]
    fn a_purge_beats_a_later_edit_and_no_created_record_builds_nothing() {
        let mut a = lead();
        a.deleted_at = Some(at(5));
        let mut clock = 0;
        let mut log = stamp("u1", diff(None, &a), &mut clock, "r1");
        log.extend(stamp("u1", vec![purge(&a)], &mut clock, "r1"));
        let mut later = a.clone();
        later.email = Some("again@example.com".into());
        later.deleted_at = None;
        log.extend(stamp("u1", diff(Some(&a), &later), &mut clock, "r2"));
        let f = fold("u1", &mut log).unwrap().unwrap();
        assert_eq!(f.lead.name, PURGED_NAME);
        assert_eq!(f.lead.email, None);
        assert_eq!(f.lead.deleted_at, Some(at(5)));
        assert!(f.purged_clock.is_some());
        let mut no_created: Vec<Record> = log.into_iter().filter(|r| r.field != CREATED).collect();
        assert_eq!(fold("u1", &mut no_created).unwrap(), None);
    }

    #[test]
    fn the_clock_never_goes_back_and_never_repeats() {
        let t = at(0);
        let a = next_clock(0, t);
        assert_eq!(clock_millis(a), t.timestamp_millis());
        let b = next_clock(a, t);
        assert!(b > a);
        // A laptop whose clock is behind still moves forward past what it has seen.
        let c = next_clock(b + 1000, at(-3600));
        assert_eq!(c, b + 1001);
    }

    #[test]
    fn blanking_a_created_record_keeps_the_figures() {
        let mut a = lead();
        a.value_cents = Some(10);
        a.source = Some("Web".into());
        let v = blanked_value(CREATED, &created(&a)).unwrap();
        assert!(!v.contains("Ada") && !v.contains("example.com"));
        assert!(v.contains("Web") && v.contains("\"cents\":10"));
    }
}
