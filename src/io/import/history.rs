//! Activity history (`ripen import --activities FILE --on COLUMN`): past and planned
//! activities attached to leads by their external id.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ImportError;
use super::check::short;
use super::read::{Event, Table, is_blank, is_ragged, ragged, read_table};
use super::rejected::{rejected_writable, write_rejected};
use crate::domain::lifecycle::{self, Change, Contact, Entry};
use crate::domain::text::{TEXT_MAX_CHARS, chars_over, clean_field, truncate_chars};
use crate::domain::{ActivityKind, DomainError, Lead, Now, Plan};
use crate::io::RowError;
use crate::io::mapping::fold;
use crate::io::values::{self, DateEvidence};
use crate::store::{Link, LinkBy, Store};

/// Everything `ripen import --activities FILE --on COLUMN` was asked.
#[derive(Debug, Clone, Default)]
pub struct HistoryRequest {
    pub path: PathBuf,
    /// The column holding the lead's external id.
    pub on: String,
    pub dry_run: bool,
    pub skip_bad: bool,
    /// As [`ImportRequest::rejected_to`](super::ImportRequest::rejected_to).
    pub rejected_to: Option<PathBuf>,
}

/// What a history import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryReport {
    pub file: String,
    /// As [`ImportReport`](super::ImportReport)'s: the file's encoding and delimiter.
    pub encoding: String,
    pub delimiter: String,
    /// What each column is read as ("WhoId → lead, by external id"), in the file's order.
    pub mapping: Vec<String>,
    pub date_order: Option<String>,
    pub rows: usize,
    pub leads: usize,
    pub done: usize,
    pub planned: usize,
    pub rejected: usize,
    pub errors: Vec<String>,
    pub rejected_file: Option<String>,
    /// As [`ImportReport::rejected_unwritten`](super::ImportReport::rejected_unwritten).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_unwritten: Option<String>,
    pub dry_run: bool,
}

impl HistoryReport {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} activities on {} leads: {} done, {} planned, {} rejected",
            self.file, self.rows, self.leads, self.done, self.planned, self.rejected
        );
        if self.dry_run {
            s.push_str(" (dry run: nothing written)");
        }
        s
    }
}

/// One past or planned activity.
#[derive(Debug, Clone)]
pub(super) struct Past {
    pub(super) line: u64,
    pub(super) at: DateTime<Utc>,
    pub(super) kind: ActivityKind,
    pub(super) kind_word: String,
    pub(super) note: Option<String>,
    pub(super) done: bool,
}

/// A word's letters without their accents ("reunión" as "reunion"), for matching words.
fn plain(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// The kind a word (folded, accents aside) names, as a kind column or a subject's first words
/// say it: a call, an e-mail (Salesforce's `ListEmail` too: it went to the person), a meeting,
/// a message, or a note; `None` for a word that names no kind. A follow-up is a call, as it has
/// been in kind columns: a rep's completed "Follow up" / "Seguimiento" task was a contact.
fn kind_word(word: &str) -> Option<ActivityKind> {
    Some(match word {
        "call" | "calls" | "called" | "phone" | "phonecall" | "anruf" | "anrufen" | "telefonat"
        | "followup" | "callback" | "llamada" | "llamadas" | "llamar" | "llamado" | "appel"
        | "chiamata" | "ligacao" | "seguimiento" | "rueckruf" | "ruckruf" => ActivityKind::Call,
        "email" | "emails" | "mail" | "emailsent" | "listemail" | "massemail" | "emailmessage"
        | "correo" | "correoelectronico" => ActivityKind::Email,
        "meeting" | "meet" | "demo" | "visit" | "termin" | "besuch" | "presentation"
        | "appointment" | "reunion" | "visita" | "presentacion" | "cita" => ActivityKind::Meeting,
        "message" | "sms" | "linkedin" | "chat" | "whatsapp" | "mensaje" | "nachricht" => {
            ActivityKind::Message
        }
        "note" | "notes" | "notiz" | "nota" => ActivityKind::Note,
        _ => return None,
    })
}

/// What a kind column says: `None` where it is blank, names no kind, or says only that the row
/// was a task (Salesforce's `TaskSubtype` `Task`, `Type` `Other`, HubSpot's `Task`), so that
/// the subject decides.
fn kind_said(word: &str) -> Option<ActivityKind> {
    kind_word(&plain(&fold(word)))
}

/// The kind a subject names by its first word or two ("Call Ana", "Email: Offer", "E-mail
/// sent", "Llamada a Luis", "Reunión de presentación", "Follow up"), or a verb of sending and a
/// mail word ("Send e-mail", "Enviar correo"); `None` where it names none.
pub(super) fn subject_kind(subject: &str) -> Option<ActivityKind> {
    let words: Vec<String> = subject
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .map(|w| plain(&w.to_lowercase()))
        .collect();
    let first = words.first()?;
    if let Some(second) = words.get(1)
        && let Some(k) = kind_word(&format!("{first}{second}"))
    {
        return Some(k);
    }
    if let Some(k) = kind_word(first) {
        return Some(k);
    }
    let sending = [
        "send", "sent", "enviar", "envio", "mandar", "senden", "schicken", "envoyer",
    ];
    (sending.contains(&first.as_str())
        && words[1..]
            .iter()
            .any(|w| kind_word(w) == Some(ActivityKind::Email)))
    .then_some(ActivityKind::Email)
}

/// A row's kind: the first kind column that names one (Salesforce's `TaskSubtype` before its
/// `Type`), else its subject's first words, else `otherwise` (a note; an event file's meeting).
pub(super) fn row_kind(
    said: &[&str],
    subject: Option<&str>,
    otherwise: ActivityKind,
) -> ActivityKind {
    said.iter()
        .find_map(|w| kind_said(w))
        .or_else(|| subject.and_then(subject_kind))
        .unwrap_or(otherwise)
}

pub(super) fn truthy(s: &str) -> bool {
    matches!(
        fold(s).as_str(),
        "true" | "yes" | "y" | "1" | "done" | "completed" | "complete" | "ja" | "erledigt" | "x"
    )
}

pub(super) fn first_column(t: &Table, names: &[&str]) -> Option<usize> {
    t.headers
        .iter()
        .position(|h| names.contains(&fold(h).as_str()))
}

/// The columns an activity without a date of its own is dated by, in order: when it was
/// completed, else when it was created (Salesforce leaves `ActivityDate` blank on a task
/// without a due date; its `CompletedDateTime` or `CreatedDate` still say when it was).
const FALLBACK_DATES: &[&str] = &[
    // An all-day Salesforce event has an ActivityDate and no ActivityDateTime.
    "activitydate",
    "completeddatetime",
    "completeddate",
    "completedat",
    "createddate",
    "createdat",
    "createdate",
    "createdtime",
    "created",
];

/// The columns that may say an activity's kind, in order of preference.
const KIND_COLUMNS: &[&str] = &[
    "tasksubtype",
    "eventsubtype",
    "activitytype",
    "type",
    "kind",
    "art",
    "typ",
];

/// Whether an id names no one: blank, or Salesforce's empty id (`000000000000000AAA`, the
/// `WhoId` of a task on no person).
fn no_one(id: &str) -> bool {
    let id = id.trim();
    let digits = id.strip_suffix("AAA").unwrap_or(id);
    id.is_empty() || (digits.len() == 15 && digits.bytes().all(|b| b == b'0'))
}

/// Which column says what, for [`describe`].
struct Columns<'a> {
    key: usize,
    by: LinkBy,
    dates: &'a [usize],
    due: Option<usize>,
    kinds: &'a [usize],
    otherwise: ActivityKind,
    subject: Option<usize>,
    note: Option<usize>,
    done: Option<usize>,
}

/// What each column of an activity history is read as, in the file's order, as a dry run
/// shows it ("ActivityDate → date", "Subject → subject (and the kind where no kind column
/// names one)", "Priority → not read").
fn describe(headers: &[String], c: &Columns) -> Vec<String> {
    let name = |i: usize| headers[i].as_str();
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let what = if i == c.key {
                match c.by {
                    LinkBy::Email => "the lead, by its e-mail".to_string(),
                    LinkBy::ExternalId => "the lead, by its external id".to_string(),
                }
            } else if i == c.dates[0] {
                "date".to_string()
            } else if let Some(p) = c.dates.iter().position(|&d| d == i) {
                let before: Vec<&str> = c.dates[..p].iter().map(|&d| name(d)).collect();
                let verb = if before.len() > 1 { "are" } else { "is" };
                format!("date where {} {verb} blank", before.join(" and "))
            } else if Some(i) == c.due {
                "date of a task not done".to_string()
            } else if let Some(p) = c.kinds.iter().position(|&k| k == i) {
                if p == 0 {
                    "kind".to_string()
                } else {
                    let before: Vec<&str> = c.kinds[..p].iter().map(|&k| name(k)).collect();
                    let verb = if before.len() > 1 { "name" } else { "names" };
                    format!("kind where {} {verb} none", before.join(" and "))
                }
            } else if Some(i) == c.subject {
                let mut what = "subject (and the kind where no kind column names one)".to_string();
                if c.otherwise != ActivityKind::Note {
                    what.push_str(&format!("; else each is a {}", c.otherwise.as_str()));
                }
                what
            } else if Some(i) == c.note {
                "note".to_string()
            } else if Some(i) == c.done {
                "done (blank is done)".to_string()
            } else {
                "not read".to_string()
            };
            format!("{h} → {what}")
        })
        .collect()
}

/// Whether a column's values are e-mails: most of those not blank are `local@domain`.
fn looks_like_emails<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    let (mut emails, mut others) = (0usize, 0usize);
    for v in values.map(str::trim).filter(|v| !v.is_empty()) {
        match v.split_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && domain.contains('.')
                    && !v.contains(char::is_whitespace) =>
            {
                emails += 1
            }
            _ => others += 1,
        }
    }
    emails > others
}

/// Attach a file of past and planned activities to leads by their external id, or by their
/// e-mail where the column holds e-mails. Done ones go on
/// the timeline as contacts (a new lead becomes working); the earliest planned one becomes an
/// active lead's next follow-up. Every bad row is found before anything is refused, so that a
/// refusal names them all at once (a bad date, an id no lead has).
pub fn import_history(
    store: &mut Store,
    req: &HistoryRequest,
    now: &Now,
) -> Result<HistoryReport, ImportError> {
    rejected_writable(
        req.skip_bad && !req.dry_run,
        &req.path,
        req.rejected_to.as_deref(),
    )?;
    let t = read_table(&req.path)?;
    if t.cards.is_some() {
        return Err(ImportError::Refused(format!(
            "{}: an activity history is a table of activities; this is a vCard file (import \
             its contacts with `ripen import {}`)",
            t.name, t.name
        )));
    }
    let refuse = |what: &str| {
        ImportError::Refused(format!(
            "{}: no {what} column (columns: {})",
            t.name,
            t.headers.join(", ")
        ))
    };
    let key = t
        .column(&req.on)
        .ok_or_else(|| refuse(&format!("\"{}\"", req.on)))?;
    let date = first_column(
        &t,
        &[
            "date",
            "duedate",
            "activitydatetime",
            "activitydate",
            "at",
            "when",
            "datum",
            "due",
            "fällig",
            "created",
        ],
    )
    .ok_or_else(|| refuse("date"))?;
    // The date column first, then those an undated row falls back to.
    let mut dates = vec![date];
    for name in FALLBACK_DATES {
        if let Some(c) = first_column(&t, &[name])
            && !dates.contains(&c)
        {
            dates.push(c);
        }
    }
    // The due date of a task not done, where it is a column of its own.
    let due = first_column(&t, &["taskduedate", "duedate", "due", "fällig"])
        .filter(|c| !dates.contains(c));
    // A calendar's events (Salesforce's Event export) are meetings unless they say otherwise.
    let events =
        first_column(&t, &["isalldayevent", "durationinminutes", "eventsubtype"]).is_some();
    let otherwise = if events {
        ActivityKind::Meeting
    } else {
        ActivityKind::Note
    };
    // Every kind column, Salesforce's TaskSubtype (Call, Email, ListEmail, Task) before its
    // Type, which orgs often leave blank.
    let kinds: Vec<usize> = KIND_COLUMNS
        .iter()
        .filter_map(|name| first_column(&t, &[name]))
        .collect();
    // HubSpot's "Call/Meeting Title/Subject" and "Notes/Description" too.
    let subject = first_column(
        &t,
        &["subject", "title", "betreff", "callmeetingtitlesubject"],
    );
    let note = first_column(
        &t,
        &[
            "notes",
            "note",
            "description",
            "comment",
            "notiz",
            "notesdescription",
        ],
    );
    let done = first_column(
        &t,
        &["completed", "done", "status", "taskstatus", "erledigt"],
    );
    let mut report = HistoryReport {
        file: t.name.clone(),
        encoding: t.sniffed.encoding.to_string(),
        delimiter: t.sniffed.delimiter_name().to_string(),
        dry_run: req.dry_run,
        ..HistoryReport::default()
    };
    // Date order from every row first.
    let mut evidence = DateEvidence::default();
    let mut errors = Vec::new();
    // Each row's line, record and the column its date is read from.
    let mut rows = Vec::new();
    let mut spans: HashMap<u64, Range<usize>> = HashMap::new();
    for ev in t.rows() {
        report.rows += 1;
        match &ev {
            Event::Bad { line, span, .. } | Event::Row { line, span, .. } => {
                spans.insert(*line, span.clone());
            }
        }
        match ev {
            Event::Bad {
                line,
                field,
                message,
                ..
            } => errors.push(RowError {
                file: t.name.clone(),
                line,
                column: t.headers.get(field).cloned(),
                message,
            }),
            Event::Row { record, .. } if is_blank(&record) => report.rows -= 1,
            Event::Row { line, record, .. } => {
                if is_ragged(&record, t.headers.len()) {
                    errors.push(ragged(&t.name, line, record.len(), t.headers.len()));
                    continue;
                }
                if let Some((i, n)) = record
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| chars_over(v, TEXT_MAX_CHARS).map(|n| (i, n)))
                {
                    errors.push(RowError {
                        file: t.name.clone(),
                        line,
                        column: t.headers.get(i).cloned(),
                        message: format!("field is {n} characters long (limit {TEXT_MAX_CHARS})"),
                    });
                    continue;
                }
                let filled = |c: usize| !record.get(c).unwrap_or("").trim().is_empty();
                // A task not done yet is due on its due date where the file gives one apart
                // (HubSpot's Task Due Date; its Activity Date is when the task was made).
                let open = done.is_some_and(|c| {
                    clean_field(record.get(c).unwrap_or(""), true).is_some_and(|d| !truthy(&d))
                });
                let Some(column) = due
                    .filter(|&c| open && filled(c))
                    .or_else(|| dates.iter().copied().find(|&c| filled(c)))
                else {
                    let names: Vec<&str> = dates.iter().map(|&c| t.headers[c].as_str()).collect();
                    errors.push(RowError {
                        file: t.name.clone(),
                        line,
                        column: Some(t.headers[date].clone()),
                        message: format!("no date (blank: {})", names.join(", ")),
                    });
                    continue;
                };
                let d = record.get(column).unwrap_or("").trim();
                if !evidence.add(d) && DateTime::parse_from_rfc3339(d).is_err() {
                    errors.push(RowError {
                        file: t.name.clone(),
                        line,
                        column: Some(t.headers[column].clone()),
                        message: format!("bad date \"{}\"", short(d)),
                    });
                    continue;
                }
                rows.push((line, record, column));
            }
        }
    }
    // A column of e-mails (HubSpot's "Associated Contact Email") links by the lead's e-mail.
    let by = if looks_like_emails(rows.iter().map(|(_, r, _)| r.get(key).unwrap_or(""))) {
        LinkBy::Email
    } else {
        LinkBy::ExternalId
    };
    report.mapping = describe(
        &t.headers,
        &Columns {
            key,
            by,
            dates: &dates,
            due,
            kinds: &kinds,
            otherwise,
            subject,
            note,
            done,
        },
    );
    let decided = evidence
        .decide()
        .map_err(|e| ImportError::Refused(format!("{}: {e}", t.name)))?;
    if evidence.dotted + evidence.slashed > 0 {
        report.date_order = Some(format!("{} ({})", decided.label(), decided.why));
    } else if evidence.iso > 0 {
        report.date_order = Some("ISO (YYYY-MM-DD)".into());
    }
    let order = decided.order;
    let mut keyed: Vec<(String, Vec<Past>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (line, r, column) in rows {
        let get = |c: Option<usize>| c.and_then(|i| r.get(i)).and_then(|v| clean_field(v, true));
        // A date of the right shape that is no day (31/02/2026) is found only here.
        let Some(at) = values::parse_date(r.get(column).unwrap_or(""), order, now) else {
            errors.push(RowError {
                file: t.name.clone(),
                line,
                column: Some(t.headers[column].clone()),
                message: "bad date".into(),
            });
            continue;
        };
        let id = r.get(key).unwrap_or("").trim().to_string();
        if no_one(&id) {
            errors.push(RowError {
                file: t.name.clone(),
                line,
                column: Some(t.headers[key].clone()),
                message: if id.is_empty() {
                    "names no lead (blank)".into()
                } else {
                    format!(
                        "names no lead (\"{}\" is Salesforce's empty id)",
                        short(&id)
                    )
                },
            });
            continue;
        }
        let said: Vec<String> = kinds.iter().filter_map(|&c| get(Some(c))).collect();
        let said: Vec<&str> = said.iter().map(String::as_str).collect();
        let kind = row_kind(&said, get(subject).as_deref(), otherwise);
        let kind_word = said.first().map(|w| w.to_string()).unwrap_or_default();
        let text = match (get(subject), get(note)) {
            // Each within the limit, both together may not be: the timeline keeps the start.
            (Some(s), Some(n)) => {
                Some(truncate_chars(&format!("{s} — {n}"), TEXT_MAX_CHARS).into_owned())
            }
            (a, b) => a.or(b),
        };
        let past = Past {
            line,
            at,
            kind,
            kind_word,
            note: text,
            done: get(done).is_none_or(|d| truthy(&d)),
        };
        let i = *index.entry(id.clone()).or_insert_with(|| {
            keyed.push((id, Vec::new()));
            keyed.len() - 1
        });
        keyed[i].1.push(past);
    }
    // Each key's lead, found in one pass over the book; the rows of keys that name none are
    // refused with the rest.
    let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let links = store.link_leads(&keys, by)?;
    // Grouped by lead: two keys may name one (a lead's own id and one merged into it).
    let mut by_lead: Vec<(i64, Vec<Past>)> = Vec::new();
    let mut lead_index: HashMap<i64, usize> = HashMap::new();
    for ((id, list), link) in keyed.into_iter().zip(links) {
        let number = match link {
            Link::Lead(n) => n,
            Link::Unknown | Link::Several(_) => {
                let message = match (link, by) {
                    (Link::Several(n), _) => format!(
                        "{n} leads have the e-mail \"{}\" (people kept apart): link by their ids",
                        short(&id)
                    ),
                    (_, LinkBy::Email) => format!("no lead with e-mail \"{}\"", short(&id)),
                    (_, LinkBy::ExternalId) => {
                        format!("no lead with external id \"{}\"", short(&id))
                    }
                };
                errors.extend(list.iter().map(|p| RowError {
                    file: t.name.clone(),
                    line: p.line,
                    column: Some(t.headers[key].clone()),
                    message: message.clone(),
                }));
                continue;
            }
        };
        let i = *lead_index.entry(number).or_insert_with(|| {
            by_lead.push((number, Vec::new()));
            by_lead.len() - 1
        });
        by_lead[i].1.extend(list);
    }
    errors.sort_by_key(|e| e.line);
    if !errors.is_empty() && !req.skip_bad {
        return Err(ImportError::BadRows {
            file: t.name.clone(),
            errors,
        });
    }
    for (_, list) in &mut by_lead {
        list.sort_by_key(|p| (p.at, p.line));
    }
    let numbers: Vec<i64> = by_lead.iter().map(|(n, _)| *n).collect();
    let file = t.name.clone();
    store.update_leads(&numbers, req.dry_run, now, |i, lead, last, known, plan| {
        apply_history(lead, &by_lead[i].1, last, known, &file, now, plan)
    })?;
    for (_, list) in &by_lead {
        report.leads += 1;
        let done = list.iter().filter(|p| happened(p, now)).count();
        report.done += done;
        report.planned += list.len() - done;
    }
    report.rejected = errors.len();
    report.errors = errors.iter().map(ToString::to_string).collect();
    if !errors.is_empty() && !req.dry_run {
        let mut lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        lines.dedup();
        let rejected: Vec<Range<usize>> =
            lines.iter().filter_map(|l| spans.get(l).cloned()).collect();
        match write_rejected(&req.path, req.rejected_to.as_deref(), &t, &rejected) {
            Ok(path) => report.rejected_file = Some(path.display().to_string()),
            Err(e) => report.rejected_unwritten = Some(e.to_string()),
        }
    }
    Ok(report)
}

/// Whether a past activity happened: done, and not dated after now (a meeting the file
/// marks done but dates next week is planned, whatever the file says).
pub(super) fn happened(p: &Past, now: &Now) -> bool {
    p.done && p.at <= now.utc
}

/// A lead's history applied as the rep would have logged it in ripen: each done contact, oldest
/// first, through [`lifecycle::log_contact_after`] as `ripen log --at` logs it (one older than
/// the lead's last contact on record is history filled in and leaves the schedule alone), so
/// the last contact, idle days and the cadence follow its date. The earliest planned activity
/// still ahead of the newest contact is the follow-up the rep chose (`--next`); one the rep has
/// contacted the lead since was overtaken by that contact. Then the one rule every import
/// keeps ([`arrival::imported_follow_up`](crate::domain::arrival::imported_follow_up)): a follow-up date that passed in the old CRM is
/// due today, not "overdue 622d" above every lead really late in ripen (a lead already late in
/// the book stays as late as it was). What the import itself writes (a summary, the planned
/// activities) goes on the timeline as notes, which are no work on the lead: they leave its
/// idle days and rotting alone.
pub(super) fn apply_history(
    lead: &Lead,
    list: &[Past],
    last_contact: Option<DateTime<Utc>>,
    known: &[Entry],
    file: &str,
    now: &Now,
    plan: &Plan,
) -> Result<Change, DomainError> {
    // The same history imported again adds nothing and moves nothing: an activity its timeline
    // holds already (a contact or note of the same kind at the same moment; a planned one by
    // its file and line) is passed over.
    let seen = |p: &&Past| {
        if happened(p, now) {
            known.iter().any(|e| e.kind == p.kind && e.at == p.at)
        } else {
            let source = format!("(from {file}:{})", p.line);
            known.iter().any(|e| {
                e.kind == ActivityKind::Note
                    && e.note
                        .as_deref()
                        .is_some_and(|n| n.starts_with("planned ") && n.contains(&source))
            })
        }
    };
    let fresh: Vec<Past> = list.iter().filter(|p| !seen(p)).cloned().collect();
    if fresh.is_empty() {
        return Ok(Change {
            lead: lead.clone(),
            entries: Vec::new(),
        });
    }
    let list = fresh.as_slice();
    let mut current = lead.clone();
    let mut last = last_contact;
    let mut entries = Vec::new();
    let (done, planned): (Vec<&Past>, Vec<&Past>) = list.iter().partition(|p| happened(p, now));
    // A CRM often creates the lead after its first activities: a lead contacted before it was
    // received was received by then (else its first contact would come before its receipt, and
    // the speed report count negative hours). What the leads file said stays on the timeline.
    if let Some(first) = done.iter().map(|p| p.at).min()
        && first < current.received_at
    {
        entries.push(Entry::note(
            now.utc,
            format!(
                "received moved back to {}, the first activity in {file} (the lead's file said {})",
                now.local_time(first).format("%Y-%m-%d %H:%M"),
                now.local_time(current.received_at).format("%Y-%m-%d %H:%M")
            ),
        ));
        current.received_at = first;
    }
    for p in &done {
        if current.status.is_active() && p.kind.is_contact() {
            let c = lifecycle::log_contact_after(
                &current,
                Contact {
                    kind: p.kind,
                    outcome: None,
                    note: p.note.clone(),
                    at: Some(p.at),
                    next: None,
                },
                last,
                now,
                plan,
            )?;
            current = c.lead;
            entries.extend(c.entries);
        } else {
            let mut note = p.note.clone();
            if p.kind == ActivityKind::Note && !p.kind_word.is_empty() {
                let said = format!("{}: {}", p.kind_word, note.unwrap_or_default());
                note = Some(
                    crate::domain::text::truncate_chars(&said, crate::domain::text::TEXT_MAX_CHARS)
                        .into_owned(),
                );
            }
            entries.push(Entry {
                at: p.at,
                kind: p.kind,
                outcome: None,
                note,
                event: None,
            });
        }
        if p.kind.is_contact() {
            last = last.max(Some(p.at));
        }
    }
    entries.push(Entry::note(
        now.utc,
        format!(
            "imported {} {} from {file}: {} done, {} planned",
            list.len(),
            if list.len() == 1 {
                "activity"
            } else {
                "activities"
            },
            done.len(),
            planned.len()
        ),
    ));
    for p in &planned {
        let text = format!(
            "planned {} on {}{} (from {file}:{}){}",
            if p.kind_word.is_empty() {
                p.kind.as_str().to_string()
            } else {
                p.kind_word.to_lowercase()
            },
            now.local_date(p.at).format("%Y-%m-%d"),
            if p.at <= now.utc {
                ", not marked done"
            } else {
                ""
            },
            p.line,
            p.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        );
        entries.push(Entry::note(
            now.utc,
            truncate_chars(&text, TEXT_MAX_CHARS).into_owned(),
        ));
    }
    if current.status.is_active() {
        let ahead = planned.iter().find(|p| last.is_none_or(|l| p.at > l));
        if let Some(p) = ahead {
            current.next_follow_up = Some(p.at);
        }
        if current.next_follow_up != lead.next_follow_up {
            let floor = lead.next_follow_up.map_or(now.utc, |at| at.min(now.utc));
            current.next_follow_up = current.next_follow_up.map(|at| at.max(floor));
        }
    }
    Ok(Change {
        lead: current,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    /// A row's kind from the columns that say it, in order, else from its subject: the words of
    /// a trial's Salesforce org (its `Type` blank on 506 of 507 tasks) and of HubSpot's export.
    #[test]
    fn a_row_kind_comes_from_its_columns_else_its_subject() {
        use ActivityKind::*;
        let kind = |said: &[&str], subject: &str| row_kind(said, Some(subject), Note);
        // Salesforce's TaskSubtype first; a task or "Other" says nothing, so the subject decides.
        assert_eq!(kind(&["Call", ""], "Follow-up"), Call);
        assert_eq!(kind(&["ListEmail"], "Novedades de febrero"), Email);
        assert_eq!(kind(&["Task", "Other"], "Call back Ana"), Call);
        assert_eq!(kind(&["Task"], "Prepare the offer"), Note);
        assert_eq!(kind(&[""], "Email: Campañas piloto"), Email);
        assert_eq!(kind(&[], "Email de lista: Tiendas disponibles"), Email);
        assert_eq!(kind(&[], "E-mail sent to Ana"), Email);
        assert_eq!(kind(&[], "LLAMADA HUMAN CONNECTION"), Call);
        assert_eq!(kind(&[], "Llamar Viviana"), Call);
        assert_eq!(kind(&[], "Reunión Katia Prieto"), Meeting);
        assert_eq!(kind(&[], "Demo for the board"), Meeting);
        assert_eq!(kind(&[], "Seguimiento propuesta"), Call);
        assert_eq!(kind(&[], "Follow up task for contact ana@x.example"), Call);
        assert_eq!(kind(&[], "Enviar correo de bienvenida"), Email);
        assert_eq!(kind(&[], "Whatsapp a Victor"), Message);
        // Words that name no contact stay notes: a kind is never guessed from a name.
        assert_eq!(kind(&[], "Revisar tiendas"), Note);
        assert_eq!(kind(&[], "Envío de convenio"), Note);
        assert_eq!(kind(&[], "Caroll Castre (GPO)"), Note);
        assert_eq!(row_kind(&[], None, Note), Note);
        assert_eq!(row_kind(&[], Some("Pilot review"), Meeting), Meeting);
        // A column that names a kind is believed over the subject, a note too (HubSpot's).
        assert_eq!(kind(&["Note"], "Call summary"), Note);
        assert_eq!(kind(&["Meeting"], "Call with ana@x.example"), Meeting);
    }

    /// The history's follow-up rules on one working lead (3-day cadence) on Sunday 22 Nov.
    #[test]
    fn history_lands_due_today_at_the_latest_and_keeps_lateness_the_book_knew() {
        use chrono::{Duration, TimeZone};
        let now = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let plan = Plan::default();
        let mut lead = Lead::received("u".into(), "Ann".into(), "me".into(), now.utc);
        lead.received_at = now.utc - Duration::days(400);
        lead.status = Status::Working;
        lead.next_follow_up = Some(now.utc);
        let past = |days_ago: i64, done: bool| Past {
            line: 2,
            at: now.utc - Duration::days(days_ago),
            kind: ActivityKind::Call,
            kind_word: "Call".into(),
            note: None,
            done,
        };
        let apply = |lead: &Lead, list: &[Past]| {
            apply_history(lead, list, None, &[], "a.csv", &now, &plan).unwrap()
        };
        // A call 300 days ago: its cadence ran out long since, so the lead is due today.
        let c = apply(&lead, &[past(300, true)]);
        assert_eq!(c.lead.next_follow_up, Some(now.utc));
        // A lead already 5 days overdue in the book stays as late as it was.
        let mut late = lead.clone();
        late.next_follow_up = Some(now.utc - Duration::days(5));
        let c = apply(&late, &[past(300, true)]);
        assert_eq!(c.lead.next_follow_up, late.next_follow_up);
        // A task planned before a later call was overtaken by it: the cadence from the call.
        let c = apply(&lead, &[past(10, false), past(1, true)]);
        let call = now.utc - Duration::days(1);
        assert_eq!(
            c.lead.next_follow_up,
            Some(lifecycle::next_from_cadence(&lead, call, &now, &plan))
        );
        assert!(c.lead.next_follow_up > Some(now.utc));
        // One planned after the last call is the rep's own date, or today once it has passed.
        let c = apply(&lead, &[past(10, true), past(1, false)]);
        assert_eq!(c.lead.next_follow_up, Some(now.utc));
        // What the import writes itself is a note, stamped now: no work on the lead.
        let own: Vec<&Entry> = c.entries.iter().filter(|e| e.at == now.utc).collect();
        assert_eq!(own.len(), 2, "{own:?}");
        assert!(own.iter().all(|e| e.kind == ActivityKind::Note), "{own:?}");
    }
}
