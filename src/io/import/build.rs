//! Building, the second pass: a checked row's cells as a lead's fields, then a new lead and its
//! timeline through the domain's transitions.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Utc};

use super::check::{Rules, clean_cell, plain_cents, short};
use crate::domain::arrival::{self, Arrival};
use crate::domain::event::{Event, Said};
use crate::domain::ids;
use crate::domain::lifecycle::{self, Change, Entry};
use crate::domain::{DomainError, Lead, Now, Plan, Stage, Status, money};
use crate::io::RowError;
use crate::io::mapping::{Field, Mapping, Target, fold};
use crate::io::values;

/// A row's cells by field: the first non-empty cell of each field; later different ones and
/// unmapped columns go to `extra`.
pub(super) struct RowValues {
    pub(super) fields: FieldMap,
    pub(super) extra: serde_json::Map<String, serde_json::Value>,
}

/// One value per field, and the column it came from, without hashing (a million rows make it
/// count).
#[derive(Default)]
pub(super) struct FieldMap(
    pub(super) [Option<String>; Field::ALL.len()],
    pub(super) [usize; Field::ALL.len()],
);

impl FieldMap {
    pub(super) fn get(&self, f: &Field) -> Option<&String> {
        self.0[*f as usize].as_ref()
    }
    pub(super) fn insert(&mut self, f: Field, v: String, column: usize) {
        self.0[f as usize] = Some(v);
        self.1[f as usize] = column;
    }
    /// The column a field's value came from (the first column mapped to it with a value).
    pub(super) fn column(&self, f: Field) -> usize {
        self.1[f as usize]
    }
    pub(super) fn remove(&mut self, f: &Field) -> Option<String> {
        self.0[*f as usize].take()
    }
}

pub(super) fn row_values(mapping: &Mapping, cells: &[&str]) -> RowValues {
    let mut fields = FieldMap::default();
    let mut extra = serde_json::Map::new();
    for (i, raw) in cells.iter().enumerate() {
        let Some(header) = mapping.headers.get(i) else {
            continue;
        };
        let target = mapping.targets.get(i).copied().unwrap_or(Target::Extra);
        let multiline =
            matches!(target, Target::Field(f) if f.is_multiline()) || target == Target::Extra;
        let Some(v) = clean_cell(values::unneutralise(raw), multiline) else {
            continue;
        };
        match target {
            Target::Field(f) => match fields.get(&f) {
                None => {
                    fields.insert(f, v, i);
                }
                Some(have) if *have == v => {}
                // A work address before a home one before another, whatever the columns'
                // order; the one not taken is kept with the lead under its header.
                Some(_) if mapping.preference(i) < mapping.preference(fields.column(f)) => {
                    let was = fields.column(f);
                    if let (Some(old), Some(h)) = (fields.remove(&f), mapping.headers.get(was)) {
                        extra.insert(h.clone(), serde_json::Value::String(old));
                    }
                    fields.insert(f, v, i);
                }
                Some(_) => {
                    extra.insert(header.clone(), serde_json::Value::String(v));
                }
            },
            Target::Extra => {
                extra.insert(header.clone(), serde_json::Value::String(v));
            }
        }
    }
    RowValues { fields, extra }
}

/// The status a row asks for, and the reason its status word implies.
pub(super) fn row_status(rules: &Rules, word: &str) -> Option<(Status, Option<String>)> {
    if let Some(o) = rules
        .req
        .status_map
        .iter()
        .find(|o| fold(&o.word) == fold(word))
    {
        return Some((o.status, o.reason.clone()));
    }
    values::status_word(word, rules.deal_status).map(|s| (s.status, s.reason.map(String::from)))
}

/// Status words met so far: what each means (a file has a handful, a million times over), and
/// how often each unknown one came.
#[derive(Default)]
pub(super) struct StatusWords {
    pub(super) seen: HashMap<String, Option<(Status, Option<String>)>>,
    pub(super) unknown: HashMap<String, usize>,
    /// A deal file's stage names that are none of ripen's, the nearest stage each was read as,
    /// and on how many rows.
    pub(super) stages: HashMap<String, (Stage, usize)>,
}

impl StatusWords {
    pub(super) fn meaning(
        &mut self,
        rules: &Rules,
        word: &str,
    ) -> Option<(Status, Option<String>)> {
        if let Some(m) = self.seen.get(word) {
            return m.clone();
        }
        let m = row_status(rules, word);
        // A column of free text would only fill memory.
        if self.seen.len() < 1_000 {
            self.seen.insert(word.to_string(), m.clone());
        }
        m
    }
}

/// A built lead whose fields together stay within the limits a typed lead has (a name made of
/// two columns, the tags of several).
pub(super) fn within_limits(rules: &Rules, line: u64, change: Change) -> Result<Change, RowError> {
    match change.lead.check_lengths() {
        Ok(()) => Ok(change),
        Err(e) => Err(RowError {
            file: rules.file.clone(),
            line,
            column: None,
            message: e.to_string(),
        }),
    }
}

/// Build one row into a new lead and its timeline, through the domain's transitions: received,
/// then qualified, won, lost or disqualified as the file says, dated as the file says.
pub(super) fn build(
    rules: &Rules,
    line: u64,
    v: RowValues,
    now: &Now,
    plan: &Plan,
    stamped: &mut Stamped,
    statuses: &mut StatusWords,
) -> Result<Change, RowError> {
    let err = |field: Field, message: String| RowError {
        file: rules.file.clone(),
        line,
        column: rules
            .mapping
            .column_of(field)
            .and_then(|i| rules.mapping.headers.get(i).cloned()),
        message,
    };
    let mut f = v.fields;
    let date = |f: &mut FieldMap, field: Field| -> Result<Option<DateTime<Utc>>, RowError> {
        match f.remove(&field) {
            None => Ok(None),
            Some(s) => values::parse_date(&s, rules.order, now)
                .map(Some)
                .ok_or_else(|| err(field, format!("bad date \"{}\"", short(&s)))),
        }
    };
    let received = date(&mut f, Field::Received)?;
    let closed = date(&mut f, Field::Closed)?;
    // Hints: a cell that is not a date is kept with the lead as text. The last change is kept
    // so in any case: it tells ripen only when a closed record closed.
    let hint = |f: &mut FieldMap, field: Field| {
        let text = f.remove(&field);
        let at = text
            .as_deref()
            .and_then(|s| values::parse_date(s, rules.order, now));
        (at, text)
    };
    let (last_activity_given, last_activity_text) = hint(&mut f, Field::LastActivity);
    let (modified, modified_text) = hint(&mut f, Field::Modified);
    let kept_text = [
        last_activity_text
            .filter(|_| last_activity_given.is_none())
            .map(|t| (Field::LastActivity, t)),
        modified_text.map(|t| (Field::Modified, t)),
    ];
    let next_follow_up = date(&mut f, Field::NextFollowUp)?;
    let recycle_on = date(&mut f, Field::RecycleOn)?;
    let ripe_on = date(&mut f, Field::RipeOn)?;
    let name = f
        .remove(&Field::Name)
        .or_else(|| {
            let first = f.remove(&Field::FirstName);
            let last = f.remove(&Field::LastName);
            match (first, last) {
                (Some(mut a), Some(b)) => {
                    a.reserve(b.len() + 1);
                    a.push(' ');
                    a.push_str(&b);
                    Some(a)
                }
                (a, b) => a.or(b),
            }
        })
        .or_else(|| f.get(&Field::Company).cloned())
        .or_else(|| f.get(&Field::Email).cloned())
        .or_else(|| {
            let id = f.get(&Field::ExternalId).filter(|_| rules.deal_file)?;
            Some(format!("deal {id}"))
        })
        .ok_or_else(|| RowError {
            file: rules.file.clone(),
            line,
            column: None,
            message: "no name, company or e-mail".into(),
        })?;
    if received.is_none() {
        stamped.received_missing += 1;
    }
    // A row that names no owner, when the team takes turns: left empty here, and the store
    // gives it the next of the team in file order.
    let owner = match f.remove(&Field::Owner) {
        Some(o) => o,
        None if !rules.req.round_robin.is_empty() => String::new(),
        None => rules.default_owner.clone(),
    };
    let uid = row_uid(rules, line, &f, &name);
    let mut lead = Lead::received(uid, name, owner, received.unwrap_or(now.utc));
    lead.company = f.remove(&Field::Company);
    lead.title = f.remove(&Field::Title);
    lead.email = f.remove(&Field::Email);
    lead.phone = f.remove(&Field::Phone);
    lead.website = f.remove(&Field::Website);
    lead.city = f.remove(&Field::City);
    lead.country = f.remove(&Field::Country);
    lead.source = f
        .remove(&Field::Source)
        .map(values::source_words)
        .or_else(|| rules.req.source.clone());
    lead.notes = f.remove(&Field::Notes);
    lead.external_id = f.remove(&Field::ExternalId);
    lead.ripe_on = ripe_on;
    lead.tags = f
        .remove(&Field::Tags)
        .map(|t| values::split_tags(&t))
        .unwrap_or_default();
    // The currency column wins over a symbol in the amount (a file of Mexican pesos may write
    // "$"); either is kept with the lead unless it is the book's own.
    let column_currency = match &f.remove(&Field::Currency) {
        None => None,
        Some(s) => Some(
            money::code_of(s)
                .ok_or_else(|| err(Field::Currency, money::unknown_currency(&short(s))))?,
        ),
    };
    let mut named = None;
    if let Some(s) = f.remove(&Field::Value) {
        let (cents, said) = match plain_cents(&s) {
            Some(c) => (c, None),
            None => {
                let (cents, said) = plan
                    .amount(&s)
                    .map_err(|_| err(Field::Value, format!("bad amount \"{}\"", short(&s))))?;
                // A point before three digits is a decimal point in a file whose amounts
                // show it so elsewhere (`27675.675` beside `13837.8375`).
                let cents = match rules.point_decimal {
                    true => money::point_decimal_cents(&s).unwrap_or(cents),
                    false => cents,
                };
                (cents, said)
            }
        };
        lead.value_cents = Some(cents);
        named = said;
    }
    let mut extra = v.extra;
    // The currency column says the deal's currency even before it has a value (a value typed
    // later is in it); else a mark in the amount.
    lead.currency = match column_currency {
        Some(c) => plan.kept_currency(Some(c)),
        None => named.flatten(),
    };
    match (&lead.currency, lead.value_cents) {
        (Some(c), Some(_)) => *stamped.foreign_values.entry(c.clone()).or_default() += 1,
        (None, Some(_)) => stamped.home_values += 1,
        (_, None) => {}
    }
    // A stage may say the deal's end (Salesforce's "Closed Won"); a deal file's stage that is
    // none of ripen's is read as the nearest one, and kept as written beside it.
    let mut stage_status = None;
    if let Some(s) = f.remove(&Field::Stage) {
        match (values::stage_word(&s), values::closing_stage(&s)) {
            (Some(st), _) => lead.stage = Some(st),
            (None, Some(st)) => stage_status = Some(st),
            (None, None) if rules.deal_file => {
                let st = rules
                    .stage_places
                    .get(&s)
                    .map_or_else(|| values::nearest_stage(&s), |p| p.stage);
                lead.stage = Some(st);
                if statuses.stages.len() < 1_000 || statuses.stages.contains_key(&s) {
                    statuses.stages.entry(s.clone()).or_insert((st, 0)).1 += 1;
                }
                extra.insert(stage_header(rules), serde_json::Value::String(s));
            }
            (None, None) => {
                extra.insert(stage_header(rules), serde_json::Value::String(s));
            }
        }
    }
    // Salesforce's IsClosed and IsWon: the deal's end, whatever its stage says.
    let flag = |f: &mut FieldMap, field: Field| -> Result<Option<bool>, RowError> {
        match f.remove(&field) {
            None => Ok(None),
            Some(s) => values::flag_word(&s)
                .map(Some)
                .ok_or_else(|| err(field, format!("\"{}\" is not true or false", short(&s)))),
        }
    };
    let flagged = match (flag(&mut f, Field::IsClosed)?, flag(&mut f, Field::IsWon)?) {
        (_, Some(true)) => Some(Status::Won),
        // Closed, and no won flag to say how: the stage may ("Closed Won").
        (Some(true), None) => stage_status.or(Some(Status::Lost)),
        (Some(true), Some(false)) => Some(Status::Lost),
        (Some(false), _) => Some(Status::Open),
        (None, Some(false)) | (None, None) => None,
    };
    // The rating as the file wrote it ("Hot"), for an unqualified lead to keep below under
    // the header it came from (an export's "Rating" beside its own empty "class").
    let mut rating = None;
    let class_header = rules
        .mapping
        .headers
        .get(f.column(Field::Class))
        .filter(|_| f.get(&Field::Class).is_some())
        .cloned()
        .unwrap_or_else(|| class_header(rules));
    if let Some(s) = f.remove(&Field::Class) {
        match values::class_word(&s) {
            Some(c) => {
                lead.class = Some(c);
                rating = Some(s);
            }
            None => {
                extra.insert(class_header.clone(), serde_json::Value::String(s));
            }
        }
    }
    let status_header = rules.mapping.headers.get(f.column(Field::Status)).cloned();
    let word = f.remove(&Field::Status);
    // The vendor's word for a close it decides, kept with the reason ("Lost Lead").
    let said = word.clone().filter(|_| flagged.is_none());
    let written = word.clone();
    let (status, implied_reason) = match (flagged, word) {
        (Some(st), _) => (st, None),
        (None, None) => match stage_status {
            Some(st) => (st, None),
            None if rules.deal_file && lead.stage.is_some() => (Status::Open, None),
            None => (Status::New, None),
        },
        (None, Some(word)) => match statuses.meaning(rules, &word) {
            Some(s) => s,
            None => {
                *statuses.unknown.entry(word).or_default() += 1;
                (Status::New, None)
            }
        },
    };
    // A class is what qualification gives; an unqualified lead keeps its rating as a fact.
    // Kept as written ("Hot"), not as the class it would have been.
    if matches!(status, Status::New | Status::Working | Status::Disqualified)
        && let Some(c) = lead.class.take()
    {
        let written = rating.unwrap_or_else(|| c.as_str().to_string());
        extra.insert(class_header, serde_json::Value::String(written));
    }
    // The vendor's own status word ("warm", "Subscriber", "Open - Not Contacted") is kept with
    // the lead whatever ripen read it as: only ripen's own words say no more than the status.
    if let (Some(w), Some(h)) = (written, status_header)
        && !w.trim().eq_ignore_ascii_case(status.as_str())
    {
        extra.insert(h, serde_json::Value::String(w));
    }
    for (field, text) in kept_text.into_iter().flatten() {
        extra.insert(header_of(rules, field), serde_json::Value::String(text));
    }
    // A loss reason on a deal that is not lost (open again, or won) is kept as written.
    if !status.is_closed_out() {
        for field in [Field::Reason, Field::ReasonNote] {
            let header = rules.mapping.headers.get(f.column(field)).cloned();
            if let (Some(text), Some(header)) = (f.remove(&field), header) {
                extra.insert(header, serde_json::Value::String(text));
            }
        }
    }
    if !extra.is_empty() {
        lead.extra = serde_json::to_string(&extra).ok();
    }
    let reason_text = f.remove(&Field::Reason);
    let reason_note = f.remove(&Field::ReasonNote);

    // One entry says both where the lead came from and which row brought it (an entry less per
    // row matters at a million rows).
    let place = format!("{}:{line}", rules.file);
    let mut change = lifecycle::receive_imported(lead, plan, now, Some(&place));
    let last_activity = last_activity_given
        .map(|at| arrival::imported_activity_at(at, change.lead.received_at, now));
    if let Some(at) = last_activity {
        change.entries.push(Entry::system(
            at,
            Event::LastActivityBeforeImport,
            Said::text(&place),
        ));
    }
    // A deal export's one close date (Salesforce's CloseDate) is when a closed deal closed.
    let closes = status.is_closed_out() || status == Status::Won;
    let closed = if closes && closed.is_none() {
        change.lead.ripe_on.take()
    } else {
        closed
    };
    let at_close = if closes {
        let (at, dated) = arrival::imported_close(
            change.lead.received_at,
            closed,
            modified,
            last_activity_given,
            now,
        );
        match dated {
            arrival::CloseDate::Given => {}
            arrival::CloseDate::Future => stamped.closed_future += 1,
            arrival::CloseDate::Unknown => stamped.closed_undated += 1,
        }
        now.at(at)
    } else {
        *now
    };
    // What the row says of where the lead stands; the domain brings it there.
    let (reason, reason_note) = if status.is_closed_out() {
        match (&reason_text, implied_reason) {
            (Some(text), _) => {
                let key = if plan.reasons.contains_key(text.trim()) {
                    text.trim().to_string()
                } else {
                    let known: Vec<&str> = plan.reasons.keys().map(String::as_str).collect();
                    values::reason_key(text, &known).to_string()
                };
                let note = (fold(text) != fold(&key)).then(|| text.clone());
                (Some(key), reason_note.or(note))
            }
            (None, implied) => {
                let said = said.map(|w| values::status_said(&w));
                match implied {
                    Some(r) => (Some(r), reason_note.or(said)),
                    None => (
                        None,
                        reason_note
                            .or_else(|| said.map(|s| format!("{s}; {}", arrival::NO_REASON_NOTE))),
                    ),
                }
            }
        }
    } else {
        (None, reason_note)
    };
    let row = Arrival {
        status,
        reason,
        reason_note,
        recycle_on,
        next_follow_up,
        last_activity,
    };
    arrival::arrive(change, row, &at_close, now, plan)
        .map_err(|e: DomainError| err(Field::Status, e.to_string()))
}

/// The uid of a row's new lead: the same for the same row on every laptop (see
/// [`crate::domain::ids`]). Whether it is free is the store's to see.
fn row_uid(rules: &Rules, line: u64, f: &FieldMap, name: &str) -> String {
    let id = f.get(&Field::ExternalId);
    // The kind of record an id is of: a deal or a person, and the header of its column.
    let kind = id.map(|_| {
        let header = rules
            .mapping
            .headers
            .get(f.column(Field::ExternalId))
            .map_or("", String::as_str);
        let of = if rules.deal_file { "deal" } else { "person" };
        format!("{of} {header}")
    });
    let record = id
        .zip(kind.as_deref())
        .map(|(id, kind)| ids::Record { kind, id });
    let email = f.get(&Field::Email).map(String::as_str);
    let company = f.get(&Field::Company).map(String::as_str);
    let uid = ids::import_uid(record, email, name, company).unwrap_or_else(|| {
        let file = rules
            .content_id
            .get_or_init(|| ids::file_id(rules.content.as_bytes()));
        ids::row_uid(*file, line, name)
    });
    uid.hyphenated()
        .encode_lower(&mut [0u8; uuid::fmt::Hyphenated::LENGTH])
        .to_string()
}

/// The file's header of the column mapped to `field` (the field's own name if none is).
pub(super) fn header_of(rules: &Rules, field: Field) -> String {
    rules
        .mapping
        .column_of(field)
        .and_then(|i| rules.mapping.headers.get(i).cloned())
        .unwrap_or_else(|| field.as_str().into())
}

pub(super) fn stage_header(rules: &Rules) -> String {
    header_of(rules, Field::Stage)
}

pub(super) fn class_header(rules: &Rules) -> String {
    header_of(rules, Field::Class)
}

/// Dates an import had to supply or move, counted for its report.
#[derive(Default)]
pub(super) struct Stamped {
    pub(super) received_missing: usize,
    /// Values in the book's currency, and in others by ISO code.
    pub(super) home_values: usize,
    pub(super) foreign_values: std::collections::BTreeMap<String, usize>,
    pub(super) closed_future: usize,
    pub(super) closed_undated: usize,
}

/// What the building thread found besides leads.
#[derive(Default)]
pub(super) struct Built {
    pub(super) stamped: Stamped,
    pub(super) statuses: StatusWords,
    pub(super) late_errors: Vec<RowError>,
    pub(super) rejected_spans: Vec<Range<usize>>,
}
