//! Reading: the file sniffed and decoded, then read forgivingly as delimited text (an open
//! quote is one bad row, and reading resumes on the next line) or as a vCard's cards; the file
//! joined on a column; each record's shape (blank, ragged).

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use super::ImportError;
use crate::io::RowError;
use crate::io::mapping::{Target, fold};
use crate::io::sniff::{self, Sniffed};
use crate::io::vcard;

/// One event of reading a delimited text (or a vCard's cards).
#[derive(Clone)]
pub(super) enum Event {
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
pub(super) struct Records<'a> {
    pub(super) text: &'a str,
    pub(super) delimiter: u8,
    pub(super) offset: usize,
    pub(super) base_line: u64,
    pub(super) reader: csv::Reader<&'a [u8]>,
    /// The last record's size (bytes, fields), so that the next one is allocated once at its
    /// likely size instead of grown step by step.
    pub(super) last_size: (usize, usize),
}

pub(super) fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The field index of a quote still open at the end of `raw` (one record's text), if any,
/// following the csv reader's rules: a quote opens a field only at its start, `""` inside is a
/// quote.
pub(super) fn open_quote(raw: &str, delimiter: u8) -> Option<usize> {
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
    pub(super) fn new(text: &'a str, delimiter: u8, first_line: u64) -> Records<'a> {
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
    pub(super) fn byte_pos(&self) -> usize {
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
pub(super) struct Table {
    pub(super) name: String,
    pub(super) sniffed: Sniffed,
    pub(super) headers: Vec<String>,
    /// Byte offset where data rows start, and their first physical line.
    pub(super) body: usize,
    pub(super) body_line: u64,
    /// A vCard file's cards, read as rows of its properties; None for a delimited text.
    pub(super) cards: Option<Cards>,
}

/// A vCard file as rows: what each of its columns fills, and a row (or error) per card, with
/// the line of its `BEGIN:VCARD` and its text (for the rejected file).
pub(super) struct Cards {
    pub(super) targets: Vec<Target>,
    pub(super) events: Vec<Event>,
}

/// What [`Table::rows`] yields: records of the text, or the cards read before.
pub(super) enum Rows<'a> {
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
pub(super) fn read_cards(name: String, bytes: Vec<u8>) -> Table {
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

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub(super) fn read_table(path: &Path) -> Result<Table, ImportError> {
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
    pub(super) fn rows(&self) -> Rows<'_> {
        match &self.cards {
            Some(c) => Rows::Cards(c.events.iter()),
            None => Rows::Text(Records::new(
                &self.sniffed.text[self.body..],
                self.sniffed.delimiter,
                self.body_line,
            )),
        }
    }

    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .or_else(|| self.headers.iter().position(|h| fold(h) == fold(name)))
    }
}

/// The first column whose folded header is `folded`, whatever it is mapped to.
pub(super) fn column_of(mapping: &crate::io::mapping::Mapping, folded: &str) -> Option<usize> {
    mapping.headers.iter().position(|h| fold(h) == folded)
}

/// The joined file: its rows by key, and its headers without the key column.
pub(super) struct Joined {
    pub(super) name: String,
    pub(super) key_column: String,
    pub(super) headers: Vec<String>,
    pub(super) rows: HashMap<String, Vec<String>>,
    pub(super) primary_key: usize,
}

pub(super) fn read_join(path: &Path, on: &str, primary: &Table) -> Result<Joined, ImportError> {
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
pub(super) fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Fewer cells than the header, or more with something in them (trailing empty cells from a
/// trailing delimiter are harmless).
pub(super) fn is_ragged(record: &csv::StringRecord, width: usize) -> bool {
    record.len() < width || record.iter().skip(width).any(|c| !c.trim().is_empty())
}

pub(super) fn ragged(file: &str, line: u64, got: usize, want: usize) -> RowError {
    RowError {
        file: file.to_string(),
        line,
        column: None,
        message: format!("ragged row: {got} fields where the header has {want}"),
    }
}

impl Event {
    /// Where the event's text starts, and on which line.
    pub(super) fn start(&self) -> (usize, u64) {
        match self {
            Event::Row { line, span, .. } | Event::Bad { line, span, .. } => (span.start, *line),
        }
    }
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
}
