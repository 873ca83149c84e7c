//! The import pipeline: read a file (sniffed), map its columns, check every row, decide the
//! file's date order, then build each row into a lead through the domain's own transitions and
//! hand the lot to the store, which writes it in one transaction.
//!
//! Two passes over the decoded text: the first checks rows and gathers date evidence (so that
//! nothing is written when a row is bad, and the day/month order is decided once from all
//! rows); the second builds leads and streams them into the store, so a million rows never sit
//! in memory as leads.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RowError;
use super::mapping::{Field, Mapping, Override, Target, fold};
use super::sniff::{self, Sniffed};
use super::values::{self, DateEvidence, DayOrder};
use super::vcard;
use crate::domain::lifecycle::{self, Change, Contact, Entry, Recycle};
use crate::domain::text::{
    LINE_MAX_CHARS, TEXT_MAX_CHARS, chars_over, clean_field, truncate_chars,
};
use crate::domain::{ActivityKind, DomainError, Lead, Now, Plan, Stage, Status, money};
use crate::store::{ImportOptions, Incoming, MatchOn, OnDuplicate, Store, phase};

/// What an import's report names as the delimiter of a vCard file, which has none.
pub const VCARD: &str = "vCard";

/// A file that cannot be imported as asked.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {err}")]
    Read { path: PathBuf, err: std::io::Error },
    #[error("{0}")]
    Refused(String),
    #[error(
        "{file}: {} bad row(s); nothing was imported (--skip-bad imports the rest):\n{}",
        errors.len(),
        list_errors(errors)
    )]
    BadRows { file: String, errors: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

fn list_errors(errors: &[RowError]) -> String {
    // One line each: a newline inside a quoted value must not start a line of its own.
    let mut lines: Vec<String> = errors
        .iter()
        .take(20)
        .map(|e| format!("  {}", crate::domain::text::clean_line(&e.to_string())))
        .collect();
    if errors.len() > 20 {
        lines.push(format!("  … and {} more", errors.len() - 20));
    }
    lines.join("\n")
}

/// A `--status-map Word=status[:reason]` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusOverride {
    pub word: String,
    pub status: Status,
    pub reason: Option<String>,
}

impl std::str::FromStr for StatusOverride {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (w, target) = s
            .rsplit_once('=')
            .ok_or_else(|| format!("--status-map \"{s}\": expected Word=status"))?;
        let (st, reason) = match target.split_once(':') {
            Some((a, b)) => (a, Some(b.trim().to_string())),
            None => (target, None),
        };
        Ok(StatusOverride {
            word: w.trim().to_string(),
            status: st.parse().map_err(|e: DomainError| e.to_string())?,
            reason,
        })
    }
}

/// Everything `ripen import FILE` was asked.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub path: PathBuf,
    pub overrides: Vec<Override>,
    pub status_map: Vec<StatusOverride>,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
    pub skip_bad: bool,
    /// Owner for rows that name none (default: the plan's user).
    pub owner: Option<String>,
    /// Source for rows that name none.
    pub source: Option<String>,
    /// A second file whose rows are joined on `on` (contacts for leads).
    pub join: Option<PathBuf>,
    pub on: Option<String>,
    /// Show a progress bar (only drawn when stderr is a terminal and the file is large).
    pub progress: bool,
    /// Where `skip_bad` writes the rejected rows (default: [`rejected_path`], beside the file).
    pub rejected_to: Option<PathBuf>,
}

/// What an import did, for people and (as JSON) for scripts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub encoding: String,
    pub delimiter: String,
    /// Data rows read (the header not counted).
    pub rows: usize,
    pub mapping: Vec<String>,
    pub date_order: Option<String>,
    pub new: usize,
    pub merged: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub errors: Vec<String>,
    /// Rows without a received date, stamped with the import time.
    pub received_missing: usize,
    /// Closed rows (won, lost, disqualified) dated after the import: dated the import time.
    pub closed_future: usize,
    /// Closed rows with no close date, last change or last activity: dated when received.
    pub closed_undated: usize,
    /// Status words ripen did not know, with how many rows had each (imported as new).
    pub unknown_statuses: Vec<(String, usize)>,
    /// A deal file's stage names that are none of ripen's: each name, the stage it was read
    /// as (the nearest), and on how many rows.
    pub stages_read_as: Vec<(String, String, usize)>,
    pub notices: Vec<String>,
    /// Notices beyond the first thousand, counted only.
    pub notices_dropped: usize,
    pub rejected_file: Option<String>,
    /// Why the rejected rows could not be written, the import itself having landed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_unwritten: Option<String>,
    pub dry_run: bool,
}

impl ImportReport {
    /// The summary line: "62 rows: 61 new, 1 merged, 0 skipped, 0 rejected".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} rows: {} new, {} merged, {} skipped, {} rejected",
            self.file, self.rows, self.new, self.merged, self.skipped, self.rejected
        );
        for note in self.dates_supplied() {
            s.push_str("; ");
            s.push_str(&note);
        }
        if self.dry_run {
            s.push_str(" (dry run: nothing written)");
        }
        s
    }

    /// The dates the import had to supply or move, in words.
    pub fn dates_supplied(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.received_missing > 0 {
            out.push(format!(
                "{} without a received date (stamped with the import time)",
                self.received_missing
            ));
        }
        if self.closed_undated > 0 {
            out.push(format!(
                "{} closed without a date (dated when received)",
                self.closed_undated
            ));
        }
        if self.closed_future > 0 {
            out.push(format!(
                "{} closed after today (dated today)",
                self.closed_future
            ));
        }
        out
    }
}

/// One event of reading a delimited text (or a vCard's cards).
#[derive(Clone)]
enum Event {
    Row {
        line: u64,
        record: csv::StringRecord,
        span: Range<usize>,
    },
    Bad {
        line: u64,
        field: usize,
        message: String,
        span: Range<usize>,
    },
}

/// Records of a delimited text, with their physical line and byte span. A quote left open
/// (which the csv reader would follow to the end of the file) is reported on its own line, and
/// reading resumes on the next line.
struct Records<'a> {
    text: &'a str,
    delimiter: u8,
    offset: usize,
    base_line: u64,
    reader: csv::Reader<&'a [u8]>,
    /// The last record's size (bytes, fields), so that the next one is allocated once at its
    /// likely size instead of grown step by step.
    last_size: (usize, usize),
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The field index of a quote still open at the end of `raw` (one record's text), if any,
/// following the csv reader's rules: a quote opens a field only at its start, `""` inside is a
/// quote.
fn open_quote(raw: &str, delimiter: u8) -> Option<usize> {
    let b = raw.as_bytes();
    let (mut field, mut at_start, mut quoted, mut opened) = (0, true, false, 0);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if quoted {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if c == b'"' && at_start {
            quoted = true;
            opened = field;
            at_start = false;
        } else if c == delimiter {
            field += 1;
            at_start = true;
        } else if c == b'\n' {
            field = 0;
            at_start = true;
        } else if c != b'\r' {
            at_start = false;
        }
        i += 1;
    }
    quoted.then_some(opened)
}

impl<'a> Records<'a> {
    fn new(text: &'a str, delimiter: u8, first_line: u64) -> Records<'a> {
        Records {
            text,
            delimiter,
            offset: 0,
            base_line: first_line,
            reader: reader(text, delimiter),
            last_size: (0, 0),
        }
    }

    /// How far reading has got, in bytes of the text.
    fn byte_pos(&self) -> usize {
        self.offset + self.reader.position().byte() as usize
    }
}

impl Iterator for Records<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let mut record = csv::StringRecord::with_capacity(self.last_size.0, self.last_size.1);
        match self.reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                // Text is valid UTF-8, so this is unexpected; report it on the current line.
                let line = e
                    .position()
                    .map_or(self.base_line, |p| self.base_line + p.line() - 1);
                let at = self.byte_pos();
                self.offset = self.text.len();
                self.reader = reader("", self.delimiter);
                return Some(Event::Bad {
                    line,
                    field: 0,
                    message: e.to_string(),
                    span: at..self.text.len(),
                });
            }
        }
        self.last_size = (
            record.as_byte_record().as_slice().len().max(16) * 2,
            record.len(),
        );
        let (rel_byte, rel_line) = record
            .position()
            .map_or((0, 1), |p| (p.byte() as usize, p.line()));
        let start = self.offset + rel_byte;
        let end = self.byte_pos();
        let line = self.base_line + rel_line - 1;
        if end >= self.text.len()
            && let Some(field) = open_quote(&self.text[start..], self.delimiter)
        {
            let next = self.text[start..]
                .find('\n')
                .map_or(self.text.len(), |i| start + i + 1);
            self.offset = next;
            self.base_line = line + 1;
            self.reader = reader(&self.text[next..], self.delimiter);
            return Some(Event::Bad {
                line,
                field,
                message: "unterminated quote".into(),
                span: start..next,
            });
        }
        Some(Event::Row {
            line,
            record,
            span: start..end,
        })
    }
}

/// A decoded file with its header.
struct Table {
    name: String,
    sniffed: Sniffed,
    headers: Vec<String>,
    /// Byte offset where data rows start, and their first physical line.
    body: usize,
    body_line: u64,
    /// A vCard file's cards, read as rows of its properties; None for a delimited text.
    cards: Option<Cards>,
}

/// A vCard file as rows: what each of its columns fills, and a row (or error) per card, with
/// the line of its `BEGIN:VCARD` and its text (for the rejected file).
struct Cards {
    targets: Vec<Target>,
    events: Vec<Event>,
}

/// What [`Table::rows`] yields: records of the text, or the cards read before.
enum Rows<'a> {
    Text(Records<'a>),
    Cards(std::slice::Iter<'a, Event>),
}

impl Iterator for Rows<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        match self {
            Rows::Text(r) => r.next(),
            Rows::Cards(c) => c.next().cloned(),
        }
    }
}

/// A vCard file read into rows: the cards' properties as columns (see [`vcard::COLUMNS`]).
fn read_cards(name: String, bytes: Vec<u8>) -> Table {
    let (text, encoding, replaced_on) = sniff::decode(bytes);
    let sheet = vcard::read(&text);
    let events = sheet
        .rows
        .into_iter()
        .map(|row| match row {
            vcard::Row::Card { line, span, cells } => Event::Row {
                line,
                record: csv::StringRecord::from(cells),
                span,
            },
            vcard::Row::Bad {
                line,
                span,
                message,
            } => Event::Bad {
                line,
                // No column: the message names the property.
                field: usize::MAX,
                message,
                span,
            },
        })
        .collect();
    Table {
        name,
        sniffed: Sniffed {
            text,
            encoding,
            delimiter: b',',
            lines_skipped: 0,
            replaced_on,
        },
        headers: sheet.headers,
        body: 0,
        body_line: 1,
        cards: Some(Cards {
            targets: sheet.targets,
            events,
        }),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_table(path: &Path) -> Result<Table, ImportError> {
    let bytes = std::fs::read(path).map_err(|err| ImportError::Read {
        path: path.to_path_buf(),
        err,
    })?;
    let name = file_name(path);
    if let Some(kind) = sniff::not_a_table(&bytes) {
        return Err(ImportError::Refused(format!("{name}: this is {kind}")));
    }
    if sniff::is_vcard(&bytes) {
        return Ok(read_cards(name, bytes));
    }
    let sniffed = sniff::sniff(bytes);
    let first_line = sniffed.lines_skipped + 1;
    let mut records = Records::new(&sniffed.text, sniffed.delimiter, first_line);
    let (headers, body, body_line) = match records.next() {
        Some(Event::Row {
            record, span, line, ..
        }) => {
            let next_line = line + sniffed.text[span.clone()].matches('\n').count() as u64;
            (
                record
                    .iter()
                    // A header is text from outside too: it may become an extra field's name.
                    .map(|h| crate::domain::text::clean_line(h).trim().to_string())
                    .collect::<Vec<_>>(),
                span.end,
                next_line.max(line + 1),
            )
        }
        Some(Event::Bad { line, message, .. }) => {
            return Err(ImportError::Refused(format!("{name}:{line}: {message}")));
        }
        None => return Err(ImportError::Refused(format!("{name}: the file is empty"))),
    };
    if headers.iter().all(|h| h.is_empty()) {
        return Err(ImportError::Refused(format!("{name}: no header row")));
    }
    Ok(Table {
        name,
        sniffed,
        headers,
        body,
        body_line,
        cards: None,
    })
}

impl Table {
    fn rows(&self) -> Rows<'_> {
        match &self.cards {
            Some(c) => Rows::Cards(c.events.iter()),
            None => Rows::Text(Records::new(
                &self.sniffed.text[self.body..],
                self.sniffed.delimiter,
                self.body_line,
            )),
        }
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .or_else(|| self.headers.iter().position(|h| fold(h) == fold(name)))
    }
}

/// The first column whose folded header is `folded`, whatever it is mapped to.
fn column_of(mapping: &Mapping, folded: &str) -> Option<usize> {
    mapping.headers.iter().position(|h| fold(h) == folded)
}

/// The joined file: its rows by key, and its headers without the key column.
struct Joined {
    name: String,
    key_column: String,
    headers: Vec<String>,
    rows: HashMap<String, Vec<String>>,
    primary_key: usize,
}

fn read_join(path: &Path, on: &str, primary: &Table) -> Result<Joined, ImportError> {
    let t = read_table(path)?;
    if t.cards.is_some() {
        return Err(ImportError::Refused(format!(
            "{}: --join joins tables; this is a vCard file",
            t.name
        )));
    }
    let key = t.column(on).ok_or_else(|| {
        ImportError::Refused(format!(
            "{}: no column \"{on}\" to join on (columns: {})",
            t.name,
            t.headers.join(", ")
        ))
    })?;
    let primary_key = primary.column(on).ok_or_else(|| {
        ImportError::Refused(format!(
            "{}: no column \"{on}\" to join on (columns: {})",
            primary.name,
            primary.headers.join(", ")
        ))
    })?;
    let mut rows = HashMap::new();
    let mut errors = Vec::new();
    for ev in t.rows() {
        match ev {
            Event::Row { record, .. } if is_blank(&record) => {}
            Event::Row { line, record, .. } => {
                if is_ragged(&record, t.headers.len()) {
                    errors.push(ragged(&t.name, line, record.len(), t.headers.len()));
                    continue;
                }
                let k = record.get(key).unwrap_or("").trim().to_string();
                let rest = record
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != key)
                    .map(|(_, v)| v.to_string())
                    .collect();
                rows.insert(k, rest);
            }
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
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::BadRows {
            file: t.name,
            errors,
        });
    }
    let headers = t
        .headers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != key)
        .map(|(_, h)| h.clone())
        .collect();
    Ok(Joined {
        key_column: t.headers[key].clone(),
        name: t.name,
        headers,
        rows,
        primary_key,
    })
}

/// A row with no content at all (Excel leaves `;;;;` lines at the end): not a lead, not an
/// error.
fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Fewer cells than the header, or more with something in them (trailing empty cells from a
/// trailing delimiter are harmless).
fn is_ragged(record: &csv::StringRecord, width: usize) -> bool {
    record.len() < width || record.iter().skip(width).any(|c| !c.trim().is_empty())
}

fn ragged(file: &str, line: u64, got: usize, want: usize) -> RowError {
    RowError {
        file: file.to_string(),
        line,
        column: None,
        message: format!("ragged row: {got} fields where the header has {want}"),
    }
}

/// What the rules of one file are, decided before any row is built.
struct Rules<'r> {
    mapping: Mapping,
    /// Status words of this column are deal statuses (`open` = an open deal).
    deal_status: bool,
    /// The rows are deals or opportunities (the file has a stage or won/closed flags): each row
    /// is its own deal, its stage and flags say its status.
    deal_file: bool,
    order: DayOrder,
    req: &'r ImportRequest,
    file: String,
    /// A deal file's own stage names placed by their probability or order (see `io::stages`).
    stage_places: HashMap<String, super::stages::Placed>,
}

/// The cells of one row, joined file included.
fn cells<'a>(
    record: &'a csv::StringRecord,
    width: usize,
    joined: Option<&'a [String]>,
) -> Vec<&'a str> {
    let mut v: Vec<&str> = record.iter().take(width).collect();
    if let Some(j) = joined {
        v.extend(j.iter().map(String::as_str));
    }
    v
}

/// Check one row without building it: shape, lengths, a name, readable values.
fn check_row(
    rules: &Rules,
    line: u64,
    cells: &[&str],
    evidence: &mut DateEvidence,
) -> Result<(), RowError> {
    let err = |column: Option<&String>, message: String| RowError {
        file: rules.file.clone(),
        line,
        column: column.cloned(),
        message,
    };
    let mut has_identity = false;
    for (i, raw) in cells.iter().enumerate() {
        let header = rules.mapping.headers.get(i);
        let target = rules.mapping.targets.get(i).copied();
        // Each field's own limit, as when it is typed; a column kept as it came, a text's.
        let max = match target {
            Some(Target::Field(f)) if !f.is_multiline() => LINE_MAX_CHARS,
            _ => TEXT_MAX_CHARS,
        };
        // Measured as it will be stored: an export's `'` before a formula is no character of it.
        if let Some(n) = chars_over(values::unneutralise(raw.trim()), max) {
            return Err(err(
                header,
                format!("field is {n} characters long (limit {max})"),
            ));
        }
        let Some(Target::Field(f)) = target else {
            continue;
        };
        let v = values::unneutralise(raw.trim());
        if v.is_empty() {
            continue;
        }
        match f {
            // A deal file's row may name only its deal's id ("deal O0001" is its name then).
            Field::ExternalId if rules.deal_file => has_identity = true,
            Field::Name | Field::FirstName | Field::LastName | Field::Company | Field::Email => {
                // Cleaning keeps letters and digits: only a cell without any needs cleaning
                // to tell.
                has_identity = has_identity
                    || v.bytes().any(|b| b.is_ascii_alphanumeric())
                    || clean_field(v, false).is_some();
            }
            // Every date cell is evidence for the file's day/month order.
            f if f.is_date()
                && !evidence.add(v)
                && !f.is_hint()
                && DateTime::parse_from_rfc3339(v).is_err() =>
            {
                return Err(err(header, format!("bad date \"{}\"", short(v))));
            }
            Field::Value if !plain_amount(v) => {
                money::parse_amount(v)
                    .map_err(|_| err(header, format!("bad amount \"{}\"", short(v))))?;
            }
            Field::Currency if money::code_of(v).is_none() => {
                return Err(err(
                    header,
                    format!(
                        "unknown currency \"{}\" (an ISO 4217 code such as EUR, USD or GBP)",
                        short(v)
                    ),
                ));
            }
            _ => {}
        }
    }
    if !has_identity {
        return Err(err(None, "no name, company or e-mail".into()));
    }
    Ok(())
}

/// `12837` or `12837.46`: an amount `parse_money` surely reads, told without allocating (the
/// check of a million rows makes it count).
fn plain_amount(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, "0"));
    (1..=11).contains(&int.len())
        && (1..=2).contains(&frac.len())
        && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
}

/// What `parse_money` makes of a [`plain_amount`], in integer arithmetic.
fn plain_cents(v: &str) -> Option<i64> {
    if !plain_amount(v) {
        return None;
    }
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    let cents = if frac.len() == 1 {
        digits(frac) * 10
    } else {
        digits(frac)
    };
    Some(digits(int) * 100 + cents)
}

/// [`clean_field`], without its scan for characters to neutralise when every byte is printable
/// ASCII (which it would keep as they are).
fn clean_cell(s: &str, multiline: bool) -> Option<String> {
    if s.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    } else {
        clean_field(s, multiline)
    }
}

fn short(s: &str) -> std::borrow::Cow<'_, str> {
    crate::domain::text::truncate_chars(s, 40)
}

/// A row's cells by field: the first non-empty cell of each field; later different ones and
/// unmapped columns go to `extra`.
struct RowValues {
    fields: FieldMap,
    extra: serde_json::Map<String, serde_json::Value>,
}

/// One value per field, and the column it came from, without hashing (a million rows make it
/// count).
#[derive(Default)]
struct FieldMap(
    [Option<String>; Field::ALL.len()],
    [usize; Field::ALL.len()],
);

impl FieldMap {
    fn get(&self, f: &Field) -> Option<&String> {
        self.0[*f as usize].as_ref()
    }
    fn insert(&mut self, f: Field, v: String, column: usize) {
        self.0[f as usize] = Some(v);
        self.1[f as usize] = column;
    }
    /// The column a field's value came from (the first column mapped to it with a value).
    fn column(&self, f: Field) -> usize {
        self.1[f as usize]
    }
    fn remove(&mut self, f: &Field) -> Option<String> {
        self.0[*f as usize].take()
    }
}

fn row_values(mapping: &Mapping, cells: &[&str]) -> RowValues {
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
fn row_status(rules: &Rules, word: &str) -> Option<(Status, Option<String>)> {
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
struct StatusWords {
    seen: HashMap<String, Option<(Status, Option<String>)>>,
    unknown: HashMap<String, usize>,
    /// A deal file's stage names that are none of ripen's, the nearest stage each was read as,
    /// and on how many rows.
    stages: HashMap<String, (Stage, usize)>,
}

impl StatusWords {
    fn meaning(&mut self, rules: &Rules, word: &str) -> Option<(Status, Option<String>)> {
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

/// Whether a file's rows are deals or opportunities: Salesforce's won/closed flags, or a stage
/// beside something only a deal has — an amount, an expected close date, or a header that says
/// deal or opportunity. A leads spreadsheet's "Stage" column alone (cold, MQL, customer) is not.
fn is_deal_file(mapping: &Mapping) -> bool {
    let has = |f: Field| mapping.column_of(f).is_some();
    if has(Field::IsClosed) || has(Field::IsWon) {
        return true;
    }
    let says_deal = mapping.headers.iter().any(|h| {
        let f = fold(h);
        f.contains("deal") || f.contains("opportunit") || f.contains("potential")
    });
    has(Field::Stage)
        && (has(Field::Value) || has(Field::RipeOn) || has(Field::Closed) || says_deal)
}

/// A built lead whose fields together stay within the limits a typed lead has (a name made of
/// two columns, the tags of several).
fn within_limits(rules: &Rules, line: u64, change: Change) -> Result<Change, RowError> {
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
fn build(
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
    let owner = f
        .remove(&Field::Owner)
        .or_else(|| rules.req.owner.clone())
        .unwrap_or_else(|| plan.user.clone());
    let mut lead = Lead::received(
        Incoming::new_uid(),
        name,
        owner,
        received.unwrap_or(now.utc),
    );
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
    let column_currency = match f.remove(&Field::Currency) {
        None => None,
        Some(s) => Some(money::code_of(&s).ok_or_else(|| {
            err(
                Field::Currency,
                format!(
                    "unknown currency \"{}\" (an ISO 4217 code such as EUR, USD or GBP)",
                    short(&s)
                ),
            )
        })?),
    };
    let mut value_currency = None;
    if let Some(s) = f.remove(&Field::Value) {
        let (cents, code) = match plain_cents(&s) {
            Some(c) => (c, None),
            None => money::parse_amount(&s)
                .map_err(|_| err(Field::Value, format!("bad amount \"{}\"", short(&s))))?,
        };
        lead.value_cents = Some(cents);
        value_currency = code;
    }
    lead.currency = plan.kept_currency(column_currency.or(value_currency));
    let mut extra = v.extra;
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
    let word = f.remove(&Field::Status);
    // The vendor's word for a close it decides, kept with the reason ("Lost Lead").
    let said = word.clone().filter(|_| flagged.is_none());
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

    let mut change = lifecycle::receive(lead, plan, now);
    // One entry says both where the lead came from and which row brought it (an entry less per
    // row matters at a million rows).
    for e in &mut change.entries {
        if let Some(n) = &mut e.note {
            use std::fmt::Write as _;
            let _ = write!(n, " (imported from {}:{line})", rules.file);
        }
    }
    let last_activity = last_activity_given
        .map(|at| lifecycle::imported_activity_at(at, change.lead.received_at, now));
    if let Some(at) = last_activity {
        change.entries.push(Entry::system(
            at,
            format!("last activity before the import ({}:{line})", rules.file),
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
        let (at, dated) = lifecycle::imported_close(
            change.lead.received_at,
            closed,
            modified,
            last_activity_given,
            now,
        );
        match dated {
            lifecycle::CloseDate::Given => {}
            lifecycle::CloseDate::Future => stamped.closed_future += 1,
            lifecycle::CloseDate::Unknown => stamped.closed_undated += 1,
        }
        now.at(at)
    } else {
        *now
    };
    let domain = |e: DomainError| err(Field::Status, e.to_string());
    match status {
        Status::New | Status::Working | Status::Open => {
            change.lead.status = status;
            if status == Status::Open && change.lead.stage.is_none() {
                change.lead.stage = Some(Stage::Green);
            }
            change.lead.next_follow_up = Some(next_follow_up.unwrap_or_else(|| {
                lifecycle::imported_follow_up(&change.lead, last_activity, now, plan)
            }));
        }
        Status::Won => {
            change.lead.status = Status::Open;
            let won = lifecycle::win(&change.lead, None, &at_close, plan).map_err(domain)?;
            change.lead = won.lead;
            change.entries.extend(won.entries);
        }
        Status::Lost | Status::Disqualified => {
            let known: Vec<&str> = plan.reasons.keys().map(String::as_str).collect();
            let (key, note) = match (&reason_text, &implied_reason) {
                (Some(text), _) => {
                    let key = if plan.reasons.contains_key(text.trim()) {
                        text.trim().to_string()
                    } else {
                        values::reason_key(text, &known).to_string()
                    };
                    let note = (fold(text) != fold(&key)).then(|| text.clone());
                    (key, note)
                }
                (None, Some(r)) => (r.clone(), said.map(|w| values::status_said(&w))),
                (None, None) => (
                    values::DEFAULT_REASON.to_string(),
                    Some(said.map_or_else(
                        || "no reason given in the import".to_string(),
                        |w| format!("{}; no reason given in the import", values::status_said(&w)),
                    )),
                ),
            };
            // A reason the book's config lacks: "unknown", else "timing", else its first.
            let key = [key.as_str(), values::DEFAULT_REASON, "timing"]
                .into_iter()
                .find(|k| plan.reasons.contains_key(*k))
                .or_else(|| plan.reasons.keys().next().map(String::as_str))
                .unwrap_or(values::DEFAULT_REASON)
                .to_string();
            change.lead.status = if status == Status::Lost {
                Status::Open
            } else {
                Status::Working
            };
            let recycle = match recycle_on {
                Some(at) => Recycle::On(at),
                None => Recycle::ByReason,
            };
            let note = reason_note.or(note);
            let closed_out =
                lifecycle::close_out(&change.lead, status, &key, note, recycle, &at_close, plan)
                    .map_err(domain)?;
            change.lead = closed_out.lead;
            change.entries.extend(closed_out.entries);
            change.lead.next_follow_up =
                lifecycle::imported_due_back(change.lead.next_follow_up, now);
        }
    }
    // A follow-up the file sets (a ripen export, a snoozed lead) stands.
    if let Some(at) = next_follow_up
        && change.lead.status != Status::Won
    {
        change.lead.next_follow_up = Some(at);
    }
    Ok(change)
}

/// The file's header of the column mapped to `field` (the field's own name if none is).
fn header_of(rules: &Rules, field: Field) -> String {
    rules
        .mapping
        .column_of(field)
        .and_then(|i| rules.mapping.headers.get(i).cloned())
        .unwrap_or_else(|| field.as_str().into())
}

fn stage_header(rules: &Rules) -> String {
    header_of(rules, Field::Stage)
}

fn class_header(rules: &Rules) -> String {
    header_of(rules, Field::Class)
}

/// Dates an import had to supply or move, counted for its report.
#[derive(Default)]
struct Stamped {
    received_missing: usize,
    closed_future: usize,
    closed_undated: usize,
}

/// What the building thread found besides leads.
#[derive(Default)]
struct Built {
    stamped: Stamped,
    statuses: StatusWords,
    late_errors: Vec<RowError>,
    rejected_spans: Vec<Range<usize>>,
}

/// Rows from which an import drops most secondary indexes and rebuilds them at the end: already
/// at 50,000 rows, maintaining them row by row costs more than one sorted build of each. Only
/// into a book no larger than the file, though: a rebuild reads the whole book, and updating
/// the indexes costs about as much per row as rebuilding them.
const BULK_ROWS: usize = 5_000;

/// Bytes above which a progress bar is worth drawing.
const PROGRESS_MIN_BYTES: usize = 4 << 20;

fn progress_bar(enabled: bool, len: usize) -> Option<indicatif::ProgressBar> {
    if !enabled || len < PROGRESS_MIN_BYTES || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// What the check pass found in a file's rows, or in part of them.
#[derive(Default)]
struct Checked {
    /// Rows read (blank ones not counted).
    rows: usize,
    evidence: DateEvidence,
    errors: Vec<RowError>,
    rejected_spans: Vec<Range<usize>>,
    rejected_lines: HashSet<u64>,
}

impl Checked {
    /// Check one event; `shift` is where the text it was read from starts in the body.
    fn take<'j, J>(
        &mut self,
        ev: Event,
        shift: usize,
        table: &Table,
        rules: &Rules,
        width: usize,
        join_row: &J,
    ) where
        J: Fn(&csv::StringRecord) -> Result<Option<&'j [String]>, String>,
    {
        if !matches!(&ev, Event::Row { record, .. } if is_blank(record)) {
            self.rows += 1;
        }
        let (error, span) = match ev {
            Event::Bad {
                line,
                field,
                message,
                span,
            } => (
                RowError {
                    file: table.name.clone(),
                    line,
                    column: table.headers.get(field).cloned(),
                    message,
                },
                span,
            ),
            Event::Row { record, .. } if is_blank(&record) => return,
            Event::Row { line, record, span } => {
                let checked = if is_ragged(&record, width) {
                    Err(ragged(&table.name, line, record.len(), width))
                } else {
                    match join_row(&record) {
                        Err(message) => Err(RowError {
                            file: table.name.clone(),
                            line,
                            column: None,
                            message,
                        }),
                        Ok(j) => {
                            check_row(rules, line, &cells(&record, width, j), &mut self.evidence)
                        }
                    }
                };
                match checked {
                    Ok(()) => return,
                    Err(e) => (e, span),
                }
            }
        };
        self.rejected_lines.insert(error.line);
        self.rejected_spans
            .push(span.start + shift..span.end + shift);
        self.errors.push(error);
    }

    /// Add what the check of the rows after these found.
    fn append(&mut self, later: Checked) {
        self.rows += later.rows;
        self.evidence.add_all(&later.evidence);
        self.errors.extend(later.errors);
        self.rejected_spans.extend(later.rejected_spans);
        self.rejected_lines.extend(later.rejected_lines);
    }
}

impl Event {
    /// Where the event's text starts, and on which line.
    fn start(&self) -> (usize, u64) {
        match self {
            Event::Row { line, span, .. } | Event::Bad { line, span, .. } => (span.start, *line),
        }
    }
}

/// Where a large body of rows may be cut in two for checking both halves at once: where a
/// line near the middle starts (for the csv reader: at the `\n` of a `\r\n`, after a lone
/// `\n`), outside quotes by the count of quotes before it, and that line's number. Only a guess
/// (a stray quote inside a cell misleads it): the first half's reader confirms it.
fn split_point(body: &str, first_line: u64) -> Option<(usize, u64)> {
    const MIN_BYTES: usize = 1 << 20;
    if body.len() < MIN_BYTES {
        return None;
    }
    let b = body.as_bytes();
    let mid = b.len() / 2;
    let mut quotes = b[..mid].iter().filter(|&&c| c == b'"').count();
    for (i, &c) in b.iter().enumerate().skip(mid) {
        if c == b'"' {
            quotes += 1;
        } else if c == b'\n' && quotes % 2 == 0 {
            let at = if b[i - 1] == b'\r' { i } else { i + 1 };
            let lines = b[..at].iter().filter(|&&c| c == b'\n').count() as u64;
            return (at < b.len()).then_some((at, first_line + lines));
        }
    }
    None
}

/// Import a file into the book (or, with `dry_run`, report what would happen).
pub fn import_file(
    store: &mut Store,
    req: &ImportRequest,
    now: &Now,
) -> Result<ImportReport, ImportError> {
    let mut clock = std::time::Instant::now();
    rejected_writable(
        req.skip_bad && !req.dry_run,
        &req.path,
        req.rejected_to.as_deref(),
    )?;
    let table = read_table(&req.path)?;
    phase("read and sniff", &mut clock);
    if table.cards.is_some() && req.join.is_some() {
        return Err(ImportError::Refused(format!(
            "{}: --join joins tables; a vCard's cards are whole contacts",
            table.name
        )));
    }
    let joined = match (&req.join, &req.on) {
        (Some(path), Some(on)) => Some(read_join(path, on, &table)?),
        (Some(_), None) => {
            return Err(ImportError::Refused(
                "--join needs --on COLUMN (the column both files share)".into(),
            ));
        }
        _ => None,
    };
    let mut headers = table.headers.clone();
    if let Some(j) = &joined {
        headers.extend(j.headers.iter().cloned());
    }
    let mapping = match &table.cards {
        Some(c) => Mapping::with_targets(headers, c.targets.clone(), &req.overrides),
        None => Mapping::new(headers, &req.overrides),
    }
    .map_err(ImportError::Refused)?;
    let deal_file = is_deal_file(&mapping);
    let deal_status = deal_file
        || mapping
            .column_of(Field::Status)
            .and_then(|i| mapping.headers.get(i))
            .is_some_and(|h| !matches!(fold(h).as_str(), "leadstatus" | "contactstatus"));
    let mut rules = Rules {
        mapping,
        deal_status,
        deal_file,
        order: DayOrder::DayFirst,
        req,
        file: table.name.clone(),
        stage_places: HashMap::new(),
    };
    let mut report = ImportReport {
        file: table.name.clone(),
        encoding: table.sniffed.encoding.to_string(),
        delimiter: if table.cards.is_some() {
            VCARD.to_string()
        } else {
            table.sniffed.delimiter_name().to_string()
        },
        mapping: rules.mapping.describe(),
        dry_run: req.dry_run,
        ..ImportReport::default()
    };
    let width = table.headers.len();
    let join_row = |record: &csv::StringRecord| -> Result<Option<&[String]>, String> {
        match &joined {
            None => Ok(None),
            Some(j) => {
                let key = record.get(j.primary_key).unwrap_or("").trim();
                j.rows.get(key).map(|r| Some(r.as_slice())).ok_or_else(|| {
                    format!(
                        "no row with {} \"{}\" in {}",
                        j.key_column,
                        short(key),
                        j.name
                    )
                })
            }
        }
    };

    // Pass 1: check every row and gather date evidence. A large file is checked in two halves
    // at once (the thread that builds rows later is idle now).
    let check = |ev: Event, shift: usize, into: &mut Checked| {
        into.take(ev, shift, &table, &rules, width, &join_row)
    };
    let body = &table.sniffed.text[table.body..];
    let split = match table.cards {
        Some(_) => None,
        None => split_point(body, table.body_line),
    };
    let checked = match split {
        None => {
            let mut all = Checked::default();
            for ev in table.rows() {
                check(ev, 0, &mut all);
            }
            all
        }
        Some((split, split_line)) => std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let mut half = Checked::default();
                for ev in Records::new(&body[split..], table.sniffed.delimiter, split_line) {
                    check(ev, split, &mut half);
                }
                half
            });
            let mut first = Checked::default();
            let mut events = table.rows();
            // The second half counts only if this half finds a record starting right where it
            // starts, on the line it assumed; else this half reads on to the end.
            let mut joined = false;
            for ev in &mut events {
                let (start, line) = ev.start();
                if start >= split {
                    joined = start == split && line == split_line;
                    if !joined {
                        check(ev, 0, &mut first);
                    }
                    break;
                }
                check(ev, 0, &mut first);
            }
            match second.join() {
                Ok(second) if joined => first.append(second),
                _ => {
                    for ev in events {
                        check(ev, 0, &mut first);
                    }
                }
            }
            first
        }),
    };
    let Checked {
        rows,
        evidence,
        mut errors,
        mut rejected_spans,
        rejected_lines,
    } = checked;
    report.rows = rows;
    if !errors.is_empty() && !req.skip_bad {
        return Err(ImportError::BadRows {
            file: table.name.clone(),
            errors,
        });
    }
    let order = evidence
        .decide()
        .map_err(|e| ImportError::Refused(format!("{}: {e}", table.name)))?;
    rules.order = order.order;
    if evidence.dotted + evidence.slashed > 0 {
        report.date_order = Some(format!("{} ({})", order.label(), order.why));
    } else if evidence.iso > 0 {
        report.date_order = Some("ISO (YYYY-MM-DD)".into());
    }

    // A deal file's own stage names, placed once for the file by the probability or the order
    // its rows give them.
    let (p, o) = (
        column_of(&rules.mapping, "probability"),
        column_of(&rules.mapping, "stagesortorder"),
    );
    if let Some(stage) = rules
        .mapping
        .column_of(Field::Stage)
        .filter(|_| rules.deal_file && (p.is_some() || o.is_some()))
    {
        let mut seen = super::stages::Seen::default();
        for ev in table.rows() {
            if let Event::Row { record, .. } = ev {
                seen.add(
                    record.get(stage).unwrap_or(""),
                    p.and_then(|i| record.get(i)),
                    o.and_then(|i| record.get(i)),
                );
            }
        }
        rules.stage_places = seen.place(&store.plan().stage_probability);
    }
    phase("check", &mut clock);

    // Pass 2: build and write.
    let plan = store.plan().clone();
    let bar = progress_bar(req.progress, table.sniffed.text.len());
    let opts = ImportOptions {
        label: table.name.clone(),
        on_duplicate: req.on_duplicate,
        // A deal is matched by its own id: a person's second deal is a deal of its own, not a
        // duplicate of the first (an open €31,000 deal had merged into its person's lost one).
        match_on: if joined.is_some() {
            MatchOn::ExternalId
        } else if rules.deal_file {
            MatchOn::Deal
        } else {
            MatchOn::Contact
        },
        dry_run: req.dry_run,
        rebuild_indexes: report.rows >= BULK_ROWS && store.numbers_issued()? <= report.rows as i64,
        expected_rows: report.rows,
    };
    // Building leads (parsing, cleaning, dates, the domain's transitions) runs on its own
    // thread while this one writes: the two halves take about as long as each other.
    let (outcome, built) = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Incoming, DomainError>>(1024);
        let (rules, plan, bar, rejected_lines, join_row, table) = (
            &rules,
            &plan,
            bar.clone(),
            &rejected_lines,
            &join_row,
            &table,
        );
        // A builder that panics must not let the writer take the end of its rows for the end
        // of the file and commit what came so far: it says it failed, and the import rolls back.
        let on_panic = send.clone();
        let builder = scope.spawn(move || {
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let mut clock = std::time::Instant::now();
                let mut built = Built::default();
                let mut failed = false;
                for ev in table.rows() {
                    let Event::Row { line, record, span } = ev else {
                        continue;
                    };
                    if let Some(b) = &bar
                        && line % 4096 == 0
                    {
                        b.set_position(span.end as u64);
                    }
                    if rejected_lines.contains(&line) || is_blank(&record) {
                        continue;
                    }
                    let j = join_row(&record).ok().flatten();
                    let values = row_values(&rules.mapping, &cells(&record, width, j));
                    let row = build(
                        rules,
                        line,
                        values,
                        now,
                        plan,
                        &mut built.stamped,
                        &mut built.statuses,
                    )
                    .and_then(|change| within_limits(rules, line, change));
                    match row {
                        Ok(_) if failed => {}
                        Ok(change) => {
                            // The writer stops listening when it fails: then so do we.
                            if send.send(Ok(Incoming::new(change, line))).is_err() {
                                break;
                            }
                        }
                        Err(e) if req.skip_bad => {
                            built.late_errors.push(e);
                            built.rejected_spans.push(span);
                        }
                        Err(e) => {
                            // The writer stops at the first bad row and writes nothing; the rest
                            // are still read, so that the refusal names every bad row.
                            if !failed {
                                failed = true;
                                let _ = send.send(Err(DomainError::Invalid(e.to_string())));
                            }
                            built.late_errors.push(e);
                        }
                    }
                }
                phase("building thread", &mut clock);
                built
            }));
            if built.is_err() {
                let _ = on_panic.send(Err(DomainError::Invalid("the row builder failed".into())));
            }
            built.ok()
        });
        let outcome = store.import(receive, &opts, now);
        (outcome, builder.join())
    });
    phase("build and write", &mut clock);
    let built = built.ok().flatten().ok_or_else(|| {
        ImportError::Refused("the row builder failed; nothing was imported".into())
    })?;
    if !req.skip_bad && !built.late_errors.is_empty() {
        errors.extend(built.late_errors);
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::BadRows {
            file: table.name.clone(),
            errors,
        });
    }
    let outcome = outcome?;
    report.received_missing = built.stamped.received_missing;
    report.closed_future = built.stamped.closed_future;
    report.closed_undated = built.stamped.closed_undated;
    let unknown = built.statuses.unknown;
    let stages = built.statuses.stages;
    let late_errors = built.late_errors;
    rejected_spans.extend(built.rejected_spans);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    errors.extend(late_errors);
    report.new = outcome.new;
    report.merged = outcome.merged;
    report.skipped = outcome.skipped;
    // What decoding replaced comes first: it may explain a notice below it.
    // At most 20 lines of them: a file that is no UTF-8 at all would have one per line.
    const REPLACED_SHOWN: usize = 20;
    let replaced = &table.sniffed.replaced_on;
    let more = replaced.len().saturating_sub(REPLACED_SHOWN);
    report.notices = replaced
        .iter()
        .take(REPLACED_SHOWN)
        .map(|line| {
            format!(
                "{}:{line}: bytes that are no UTF-8 were replaced with \u{FFFD}",
                table.name
            )
        })
        .chain((more > 0).then(|| {
            format!(
                "{}: {more} more lines with bytes that are no UTF-8, replaced likewise",
                table.name
            )
        }))
        .chain(outcome.notices)
        .collect();
    report.notices_dropped = outcome.notices_dropped;
    report.rejected = errors.len();
    report.errors = errors.iter().map(ToString::to_string).collect();
    let mut unknown: Vec<(String, usize)> = unknown.into_iter().collect();
    unknown.sort();
    report.unknown_statuses = unknown;
    let (placed, stages): (Vec<_>, Vec<_>) = stages
        .into_iter()
        .partition(|(word, _)| rules.stage_places.contains_key(word));
    let mut placed: Vec<String> = placed
        .into_iter()
        .map(|(word, (stage, n))| {
            let by = match rules.stage_places[&word].by {
                super::stages::By::Probability(p) => format!("by its probability ({p}%)"),
                super::stages::By::Order(i, of) => {
                    format!("by its place in the file's stage order ({i} of {of})")
                }
            };
            format!(
                "{}: stage \"{word}\" on {n} row(s): read as {}, {by} (the vendor's word is kept \
                 with each lead)",
                table.name,
                stage.as_str()
            )
        })
        .collect();
    placed.sort();
    report.notices.splice(0..0, placed);
    let mut stages: Vec<(String, String, usize)> = stages
        .into_iter()
        .map(|(word, (stage, n))| (word, stage.as_str().to_string(), n))
        .collect();
    stages.sort();
    report.stages_read_as = stages;
    if !errors.is_empty() && !req.dry_run {
        // The import has landed: a side file that cannot be written (the disk filled since the
        // check before it) is a warning, never a failure of what was done.
        match write_rejected(
            &req.path,
            req.rejected_to.as_deref(),
            &table,
            &rejected_spans,
        ) {
            Ok(path) => report.rejected_file = Some(path.display().to_string()),
            Err(e) => report.rejected_unwritten = Some(e.to_string()),
        }
    }
    Ok(report)
}

/// Write the header and the raw text of rejected rows beside the input (0600, atomically), so
/// the user can fix them and import that file.
/// Under `--skip-bad`, the rejected rows' file must be writable before anything is imported:
/// found out after the commit, the import would have landed and still failed.
fn rejected_writable(asked: bool, input: &Path, to: Option<&Path>) -> Result<(), ImportError> {
    if !asked {
        return Ok(());
    }
    let path = to.map_or_else(|| rejected_path(input), Path::to_path_buf);
    let refuse = |why: &str| {
        Err(ImportError::Refused(format!(
            "{}: {why}; nothing was imported (--rejected PATH names a file to write them to)",
            path.display()
        )))
    };
    if path.is_dir() {
        return refuse("a folder, not a file for the rejected rows");
    }
    if path.exists() && !path.is_file() {
        return refuse("not a file the rejected rows can be written to");
    }
    // The file being imported, named again: writing the rejected rows would replace it.
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(&path, input) {
        return refuse("the file being imported");
    }
    super::atomic::can_write(&path).map_err(|e| {
        ImportError::Refused(format!(
            "{}: cannot write the rejected rows there ({e}); nothing was imported (--rejected \
             PATH writes them elsewhere)",
            path.display()
        ))
    })
}

fn write_rejected(
    input: &Path,
    to: Option<&Path>,
    table: &Table,
    spans: &[Range<usize>],
) -> Result<PathBuf, ImportError> {
    let path = to.map_or_else(|| rejected_path(input), Path::to_path_buf);
    let mut text = String::new();
    // A vCard's rejected cards need no header: they are whole cards.
    let header = &table.sniffed.text[..table.body];
    text.push_str(header);
    if table.cards.is_none() && !header.ends_with('\n') {
        text.push('\n');
    }
    let body = &table.sniffed.text[table.body..];
    for span in spans {
        // A CRLF file's rows begin after the `\r` of the line before: its `\n` is no line here.
        let raw = body
            .get(span.clone())
            .unwrap_or("")
            .trim_start_matches(['\r', '\n']);
        text.push_str(raw);
        if !raw.ends_with('\n') {
            text.push('\n');
        }
    }
    super::atomic::write(&path, text.as_bytes()).map_err(|err| ImportError::Read {
        path: path.clone(),
        err,
    })?;
    Ok(path)
}

/// `leads.csv` → `leads.rejected.csv`, beside the input; `people.vcf` → `people.rejected.vcf`
/// (its rejected cards are cards).
pub fn rejected_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let vcf = input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("vcf") || e.eq_ignore_ascii_case("vcard"));
    let ext = if vcf { "vcf" } else { "csv" };
    input.with_file_name(format!("{stem}.rejected.{ext}"))
}

/// Everything `ripen import --activities FILE --on COLUMN` was asked.
#[derive(Debug, Clone, Default)]
pub struct HistoryRequest {
    pub path: PathBuf,
    /// The column holding the lead's external id.
    pub on: String,
    pub dry_run: bool,
    pub skip_bad: bool,
    /// As [`ImportRequest::rejected_to`].
    pub rejected_to: Option<PathBuf>,
}

/// What a history import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryReport {
    pub file: String,
    pub rows: usize,
    pub leads: usize,
    pub done: usize,
    pub planned: usize,
    pub rejected: usize,
    pub errors: Vec<String>,
    pub rejected_file: Option<String>,
    /// As [`ImportReport::rejected_unwritten`].
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
struct Past {
    line: u64,
    at: DateTime<Utc>,
    kind: ActivityKind,
    kind_word: String,
    note: Option<String>,
    done: bool,
}

fn activity_kind(word: &str) -> ActivityKind {
    match fold(word).as_str() {
        "call" | "phone" | "phonecall" | "anruf" | "telefonat" | "followup" | "callback" => {
            ActivityKind::Call
        }
        "email" | "mail" | "emailsent" => ActivityKind::Email,
        "meeting" | "demo" | "visit" | "termin" | "besuch" | "presentation" | "appointment" => {
            ActivityKind::Meeting
        }
        "message" | "sms" | "linkedin" | "chat" | "whatsapp" => ActivityKind::Message,
        _ => ActivityKind::Note,
    }
}

fn truthy(s: &str) -> bool {
    matches!(
        fold(s).as_str(),
        "true" | "yes" | "y" | "1" | "done" | "completed" | "ja" | "erledigt" | "x"
    )
}

fn first_column(t: &Table, names: &[&str]) -> Option<usize> {
    t.headers
        .iter()
        .position(|h| names.contains(&fold(h).as_str()))
}

/// Attach a file of past and planned activities to leads by their external id. Done ones go on
/// the timeline as contacts (a new lead becomes working); the earliest planned one becomes an
/// active lead's next follow-up.
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
    let kind = first_column(&t, &["activitytype", "type", "kind", "art", "typ"]);
    let subject = first_column(&t, &["subject", "title", "betreff"]);
    let note = first_column(&t, &["notes", "note", "description", "comment", "notiz"]);
    let done = first_column(&t, &["completed", "done", "status", "erledigt"]);
    let mut report = HistoryReport {
        file: t.name.clone(),
        dry_run: req.dry_run,
        ..HistoryReport::default()
    };
    // Date order from every row first.
    let mut evidence = DateEvidence::default();
    let mut errors = Vec::new();
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
                let d = record.get(date).unwrap_or("").trim();
                if !evidence.add(d) && DateTime::parse_from_rfc3339(d).is_err() {
                    errors.push(RowError {
                        file: t.name.clone(),
                        line,
                        column: Some(t.headers[date].clone()),
                        message: format!("bad date \"{}\"", short(d)),
                    });
                    continue;
                }
                rows.push((line, record));
            }
        }
    }
    if !errors.is_empty() && !req.skip_bad {
        return Err(ImportError::BadRows {
            file: t.name.clone(),
            errors,
        });
    }
    let order = evidence
        .decide()
        .map_err(|e| ImportError::Refused(format!("{}: {e}", t.name)))?
        .order;
    let mut by_lead: Vec<(String, Vec<Past>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (line, r) in rows {
        let get = |c: Option<usize>| c.and_then(|i| r.get(i)).and_then(|v| clean_field(v, true));
        let Some(at) = values::parse_date(r.get(date).unwrap_or(""), order, now) else {
            errors.push(RowError {
                file: t.name.clone(),
                line,
                column: Some(t.headers[date].clone()),
                message: "bad date".into(),
            });
            continue;
        };
        let kind_word = get(kind).unwrap_or_default();
        let text = match (get(subject), get(note)) {
            // Each within the limit, both together may not be: the timeline keeps the start.
            (Some(s), Some(n)) => {
                Some(truncate_chars(&format!("{s} — {n}"), TEXT_MAX_CHARS).into_owned())
            }
            (a, b) => a.or(b),
        };
        let id = r.get(key).unwrap_or("").trim().to_string();
        let past = Past {
            line,
            at,
            kind: activity_kind(&kind_word),
            kind_word,
            note: text,
            done: get(done).is_none_or(|d| truthy(&d)),
        };
        let i = *index.entry(id.clone()).or_insert_with(|| {
            by_lead.push((id, Vec::new()));
            by_lead.len() - 1
        });
        by_lead[i].1.push(past);
    }
    // A date of the right shape that is no day (31/02/2026) is found only here: refused as
    // the others are, before anything is written.
    if !errors.is_empty() && !req.skip_bad {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::BadRows {
            file: t.name.clone(),
            errors,
        });
    }
    for (_, list) in &mut by_lead {
        list.sort_by_key(|p| p.at);
    }
    let ids: Vec<String> = by_lead.iter().map(|(id, _)| id.clone()).collect();
    let file = t.name.clone();
    let missing = |found: &[Option<i64>]| -> Vec<RowError> {
        let mut out: Vec<RowError> = by_lead
            .iter()
            .zip(found)
            .filter(|(_, f)| f.is_none())
            .flat_map(|((id, list), _)| {
                list.iter().map(|p| RowError {
                    file: t.name.clone(),
                    line: p.line,
                    column: Some(t.headers[key].clone()),
                    message: format!("no lead with external id \"{}\"", short(id)),
                })
            })
            .collect();
        out.sort_by_key(|e| e.line);
        out
    };
    if !req.skip_bad && !req.dry_run {
        // Look first, so that an unknown id leaves the book untouched.
        let found =
            store.update_by_external_id(&ids, true, now, |i, lead, last, known, plan| {
                apply_history(lead, &by_lead[i].1, last, known, &file, now, plan)
            })?;
        let missing = missing(&found);
        if !missing.is_empty() {
            errors.extend(missing);
            return Err(ImportError::BadRows {
                file: t.name.clone(),
                errors,
            });
        }
    }
    let found =
        store.update_by_external_id(&ids, req.dry_run, now, |i, lead, last, known, plan| {
            apply_history(lead, &by_lead[i].1, last, known, &file, now, plan)
        })?;
    for ((_, list), f) in by_lead.iter().zip(&found) {
        if f.is_some() {
            report.leads += 1;
            let done = list.iter().filter(|p| happened(p, now)).count();
            report.done += done;
            report.planned += list.len() - done;
        }
    }
    errors.extend(missing(&found));
    errors.sort_by_key(|e| e.line);
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
fn happened(p: &Past, now: &Now) -> bool {
    p.done && p.at <= now.utc
}

/// A lead's history applied as the rep would have logged it in ripen: each done contact, oldest
/// first, through [`lifecycle::log_contact_after`] as `ripen log --at` logs it (one older than
/// the lead's last contact on record is history filled in and leaves the schedule alone), so
/// the last contact, idle days and the cadence follow its date. The earliest planned activity
/// still ahead of the newest contact is the follow-up the rep chose (`--next`); one the rep has
/// contacted the lead since was overtaken by that contact. Then the one rule every import
/// keeps ([`lifecycle::imported_follow_up`]): a follow-up date that passed in the old CRM is
/// due today, not "overdue 622d" above every lead really late in ripen (a lead already late in
/// the book stays as late as it was). What the import itself writes (a summary, the planned
/// activities) goes on the timeline as notes, which are no work on the lead: they leave its
/// idle days and rotting alone.
fn apply_history(
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
                first.format("%Y-%m-%d %H:%M"),
                current.received_at.format("%Y-%m-%d %H:%M")
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

    fn events(text: &str) -> Vec<(u64, Result<Vec<String>, String>)> {
        Records::new(text, b',', 1)
            .map(|e| match e {
                Event::Row { line, record, .. } => {
                    (line, Ok(record.iter().map(String::from).collect()))
                }
                Event::Bad { line, message, .. } => (line, Err(message)),
            })
            .collect()
    }

    #[test]
    fn an_open_quote_is_reported_on_its_line_and_reading_resumes() {
        let ev = events("a,b\n1,2\nBad \"x,\"open,z\n3,4\n5,6\n");
        assert_eq!(ev[0], (1, Ok(vec!["a".into(), "b".into()])));
        assert_eq!(ev[2], (3, Err("unterminated quote".into())));
        assert_eq!(ev[3], (4, Ok(vec!["3".into(), "4".into()])));
        assert_eq!(ev[4], (5, Ok(vec!["5".into(), "6".into()])));
    }

    #[test]
    fn quoted_newlines_keep_line_numbers_right() {
        let ev = events("a,b\n\"x\ny\",1\n2,3\n");
        assert_eq!(ev[1].0, 2);
        assert_eq!(ev[2], (4, Ok(vec!["2".into(), "3".into()])));
    }

    #[test]
    fn open_quote_follows_the_csv_rules() {
        assert_eq!(open_quote("a,\"b\"\"c\",d", b','), None);
        assert_eq!(open_quote("a \"b,c", b','), None);
        assert_eq!(open_quote("a,b,\"c\nd", b','), Some(2));
    }

    #[test]
    fn blank_rows_and_trailing_empty_cells_are_not_errors() {
        let rec = |cells: &[&str]| csv::StringRecord::from(cells.to_vec());
        assert!(is_blank(&rec(&["", " ", ""])));
        assert!(!is_ragged(&rec(&["a", "b", ""]), 2));
        assert!(is_ragged(&rec(&["a", "b", "c"]), 2));
        assert!(is_ragged(&rec(&["a"]), 2));
    }

    #[test]
    fn status_overrides_parse() {
        let o: StatusOverride = "Engaging=open".parse().unwrap();
        assert_eq!(o.status, Status::Open);
        let o: StatusOverride = "Gone=lost:competitor".parse().unwrap();
        assert_eq!(o.reason.as_deref(), Some("competitor"));
        assert!("x=bogus".parse::<StatusOverride>().is_err());
    }

    #[test]
    fn a_large_body_splits_where_a_record_starts_on_the_line_it_says() {
        for end in ["\n", "\r\n"] {
            let row = format!("a,\"multi{end}line, with \"\"quotes\"\"\",c{end}");
            let body = row.repeat((1 << 21) / row.len());
            let (split, line) = split_point(&body, 2).unwrap();
            let at = Records::new(&body, b',', 2)
                .map(|e| e.start())
                .find(|&(start, _)| start >= split);
            assert_eq!(at, Some((split, line)), "{end:?}");
            // And reading from there sees what reading through sees.
            let tail: Vec<_> = Records::new(&body[split..], b',', line)
                .map(|e| (e.start().0 + split, e.start().1))
                .collect();
            let through: Vec<_> = Records::new(&body, b',', 2)
                .map(|e| e.start())
                .filter(|&(start, _)| start >= split)
                .collect();
            assert_eq!(tail, through, "{end:?}");
        }
        assert!(split_point("a,b\n", 2).is_none());
    }

    #[test]
    fn a_plain_amount_is_one_parse_money_reads() {
        for v in ["0", "7", "12837.46", "12837.4", "99999999999", "1.05"] {
            assert!(plain_amount(v), "{v}");
            assert!(crate::domain::lead::parse_money(v).is_ok(), "{v}");
        }
        for v in [
            "",
            ".5",
            "5.",
            "1.234",
            "1,5",
            "€5",
            "-5",
            "5k",
            "1.2.3",
            "999999999999",
        ] {
            assert!(!plain_amount(v), "{v}");
        }
    }

    #[test]
    fn plain_cents_are_what_parse_money_reads() {
        for v in [
            "0",
            "7",
            "12837.46",
            "12837.4",
            "99999999999",
            "1.05",
            "0.99",
            "90000.1",
        ] {
            assert_eq!(
                plain_cents(v),
                Some(crate::domain::lead::parse_money(v).unwrap()),
                "{v}"
            );
        }
        assert_eq!(plain_cents("1,5"), None);
    }

    #[test]
    fn clean_cell_is_clean_field() {
        for v in [
            "",
            "  ",
            " a b ",
            "Jane\tDoe",
            "x\u{200B}y",
            "ünï ",
            "a\nb",
            "\u{1b}[2J",
            "~!",
        ] {
            for multiline in [false, true] {
                assert_eq!(clean_cell(v, multiline), clean_field(v, multiline), "{v:?}");
            }
        }
    }

    #[test]
    fn rejected_file_sits_beside_the_input() {
        assert_eq!(
            rejected_path(Path::new("/a/b/leads.csv")),
            PathBuf::from("/a/b/leads.rejected.csv")
        );
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
