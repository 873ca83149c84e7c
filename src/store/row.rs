//! A lead's row in the book: the one place the columns of `leads` are spelled out — the
//! SELECT list and how a row is read back into a [`Lead`], the INSERT's columns and the values
//! bound to them, and the UPDATE. A new column of `leads` is added here (and in `schema.rs`).

use chrono::{DateTime, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{Result, StoreError};
use crate::domain::Lead;
use crate::domain::priority::Touches;

/// A lead as a view shows it: its short number, its facts, and what its timeline says.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    pub number: i64,
    pub lead: Lead,
    pub touches: Touches,
}

/// Columns of `leads`, in the order [`lead_from_row`] reads them (after `number`).
pub(super) const LEAD_COLUMNS: &str = "l.uid, l.name, l.company, l.title, l.email, l.phone, \
    l.website, l.city, l.country, l.source, l.owner, l.tags, l.notes, l.extra, l.external_id, \
    l.status, l.class, l.stage, l.value_cents, l.received_at, l.next_follow_up, l.ripe_on, \
    l.closed_at, l.reason, l.reason_note, l.recycle_on, l.recycle_count, l.deleted_at, \
    l.currency, l.currency_cents";

/// The select list of a [`LeadRow`]: number, lead columns, then the two timeline facts, both
/// from one row of the cached `touches` (the second seek finds its page in the cache).
pub(super) fn row_select() -> String {
    format!(
        "n.number, {LEAD_COLUMNS}, \
         (SELECT t.last_contact FROM touches t WHERE t.lead_uid = l.uid), \
         (SELECT t.last_activity FROM touches t WHERE t.lead_uid = l.uid)"
    )
}

pub(super) fn ts(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.and_then(|s| DateTime::from_timestamp(s, 0))
}

pub(super) fn parse_col<T: std::str::FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unexpected value {s:?}").into(),
        )
    })
}

pub(super) fn parse_opt<T: std::str::FromStr>(
    row: &Row,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(idx)?;
    match s {
        None => Ok(None),
        Some(_) => parse_col(row, idx).map(Some),
    }
}

/// Read a [`LeadRow`] from a row selected with [`row_select`].
pub(super) fn lead_row(row: &Row) -> rusqlite::Result<LeadRow> {
    let number: i64 = row.get(0)?;
    let lead = lead_from_row(row, 1)?;
    let touches = Touches {
        last_contact_at: ts(row.get(31)?),
        last_activity_at: ts(row.get(32)?),
    };
    Ok(LeadRow {
        number,
        lead,
        touches,
    })
}

pub(super) fn lead_from_row(row: &Row, o: usize) -> rusqlite::Result<Lead> {
    let tags: String = row.get(o + 11)?;
    Ok(Lead {
        uid: row.get(o)?,
        name: row.get(o + 1)?,
        company: row.get(o + 2)?,
        title: row.get(o + 3)?,
        email: row.get(o + 4)?,
        phone: row.get(o + 5)?,
        website: row.get(o + 6)?,
        city: row.get(o + 7)?,
        country: row.get(o + 8)?,
        source: row.get(o + 9)?,
        owner: row.get(o + 10)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        notes: row.get(o + 12)?,
        extra: row.get(o + 13)?,
        external_id: row.get(o + 14)?,
        status: parse_col(row, o + 15)?,
        class: parse_opt(row, o + 16)?,
        stage: parse_opt(row, o + 17)?,
        // In another currency than the book's, the value is in `currency_cents` (schema 4).
        value_cents: row
            .get::<_, Option<i64>>(o + 18)?
            .or(row.get::<_, Option<i64>>(o + 29)?),
        received_at: ts(Some(row.get(o + 19)?)).unwrap_or_default(),
        next_follow_up: ts(row.get(o + 20)?),
        ripe_on: ts(row.get(o + 21)?),
        closed_at: ts(row.get(o + 22)?),
        reason: row.get(o + 23)?,
        reason_note: row.get(o + 24)?,
        recycle_on: ts(row.get(o + 25)?),
        recycle_count: row.get(o + 26)?,
        deleted_at: ts(row.get(o + 27)?),
        currency: row.get(o + 28)?,
    })
}

/// Columns an INSERT of a lead names, in the order [`lead_values`] gives their values.
pub(super) const INSERT_COLUMNS: &str = "uid, name, company, title, email, phone, website, city, country, \
    source, owner, tags, notes, extra, external_id, status, class, stage, value_cents, \
    received_at, next_follow_up, ripe_on, closed_at, reason, reason_note, recycle_on, \
    recycle_count, deleted_at, currency, currency_cents, created_at, updated_at";

/// Parameters [`lead_values`] gives for one lead.
pub(super) const LEAD_PARAMS: usize = 32;

/// A value to bind, borrowed from where it lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Val<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(n)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A lead's tags as the book stores them.
pub(super) fn tags_json(lead: &Lead) -> std::borrow::Cow<'static, str> {
    if lead.tags.is_empty() {
        "[]".into()
    } else {
        serde_json::to_string(&lead.tags)
            .unwrap_or_else(|_| "[]".into())
            .into()
    }
}

/// A lead's [`INSERT_COLUMNS`] values, appended to `out`; `tags` is [`tags_json`]'s, `t` its
/// created/updated time.
pub(super) fn lead_values<'a>(out: &mut Vec<Val<'a>>, lead: &'a Lead, tags: &'a str, t: i64) {
    lead_values_at(out, lead, tags, t, t)
}

/// [`lead_values`] with a created and an updated time of their own.
pub(super) fn lead_values_at<'a>(
    out: &mut Vec<Val<'a>>,
    lead: &'a Lead,
    tags: &'a str,
    created: i64,
    updated: i64,
) {
    let text = |s: &'a Option<String>| s.as_deref().map_or(Val::Null, Val::Text);
    let word = |s: Option<&'static str>| s.map_or(Val::Null, Val::Text);
    let int = |n: Option<i64>| n.map_or(Val::Null, Val::Int);
    let ts = |d: Option<DateTime<Utc>>| int(d.map(|d| d.timestamp()));
    out.extend([
        Val::Text(&lead.uid),
        Val::Text(&lead.name),
        text(&lead.company),
        text(&lead.title),
        text(&lead.email),
        text(&lead.phone),
        text(&lead.website),
        text(&lead.city),
        text(&lead.country),
        text(&lead.source),
        Val::Text(&lead.owner),
        Val::Text(tags),
        text(&lead.notes),
        text(&lead.extra),
        text(&lead.external_id),
        Val::Text(lead.status.as_str()),
        word(lead.class.map(|c| c.as_str())),
        word(lead.stage.map(|s| s.as_str())),
        int(lead.home_cents()),
        Val::Int(lead.received_at.timestamp()),
        ts(lead.next_follow_up),
        ts(lead.ripe_on),
        ts(lead.closed_at),
        text(&lead.reason),
        text(&lead.reason_note),
        ts(lead.recycle_on),
        Val::Int(lead.recycle_count),
        ts(lead.deleted_at),
        text(&lead.currency),
        int(lead.currency_cents()),
        Val::Int(created),
        Val::Int(updated),
    ]);
}

/// Update a lead's row to `after`, `t` its updated time.
pub(super) fn update_lead(tx: &Transaction, after: &Lead, t: i64) -> rusqlite::Result<()> {
    let tags = serde_json::to_string(&after.tags).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "UPDATE leads SET name = ?2, company = ?3, title = ?4, email = ?5, phone = ?6, \
         website = ?7, city = ?8, country = ?9, source = ?10, owner = ?11, tags = ?12, \
         notes = ?13, extra = ?14, external_id = ?15, status = ?16, class = ?17, stage = ?18, \
         value_cents = ?19, received_at = ?20, next_follow_up = ?21, ripe_on = ?22, \
         closed_at = ?23, reason = ?24, reason_note = ?25, recycle_on = ?26, \
         recycle_count = ?27, deleted_at = ?28, updated_at = ?29, currency = ?30, \
         currency_cents = ?31 WHERE uid = ?1",
    )?
    .execute(params![
        after.uid,
        after.name,
        after.company,
        after.title,
        after.email,
        after.phone,
        after.website,
        after.city,
        after.country,
        after.source,
        after.owner,
        tags,
        after.notes,
        after.extra,
        after.external_id,
        after.status.as_str(),
        after.class.map(|c| c.as_str()),
        after.stage.map(|s| s.as_str()),
        after.home_cents(),
        after.received_at.timestamp(),
        after.next_follow_up.map(|d| d.timestamp()),
        after.ripe_on.map(|d| d.timestamp()),
        after.closed_at.map(|d| d.timestamp()),
        after.reason,
        after.reason_note,
        after.recycle_on.map(|d| d.timestamp()),
        after.recycle_count,
        after.deleted_at.map(|d| d.timestamp()),
        t,
        after.currency,
        after.currency_cents(),
    ])?;
    Ok(())
}

pub(super) fn load_lead(tx: &Transaction, uid: &str) -> Result<Lead> {
    tx.prepare_cached(&format!(
        "SELECT {LEAD_COLUMNS} FROM leads l WHERE l.uid = ?1"
    ))?
    .query_row([uid], |r| lead_from_row(r, 0))
    .optional()?
    .ok_or_else(|| StoreError::NotFound(uid.to_string()))
}
