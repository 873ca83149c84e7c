//! Checking, the first pass: every row's cells against the rules of its columns (dates,
//! amounts, lengths), gathering the evidence that decides the file's date order; a large file
//! checked in two halves at once.

use std::collections::HashSet;
use std::ops::Range;

use chrono::DateTime;

use super::ImportRequest;
use super::read::{Event, Table, is_blank, is_ragged, ragged};
use crate::domain::money;
use crate::domain::text::{LINE_MAX_CHARS, TEXT_MAX_CHARS, chars_over, clean_field};
use crate::io::RowError;
use crate::io::mapping::{Field, Mapping, Target, fold};
use crate::io::values::{self, DateEvidence, DayOrder};

/// What the rules of one file are, decided before any row is built.
pub(super) struct Rules<'r> {
    pub(super) mapping: Mapping,
    /// Status words of this column are deal statuses (`open` = an open deal).
    pub(super) deal_status: bool,
    /// The rows are deals or opportunities (the file has a stage or won/closed flags): each row
    /// is its own deal, its stage and flags say its status.
    pub(super) deal_file: bool,
    pub(super) order: DayOrder,
    pub(super) req: &'r ImportRequest,
    pub(super) file: String,
    /// The file's amounts write decimals after a point (see `DateEvidence::point_is_decimal`).
    pub(super) point_decimal: bool,
    /// A deal file's own stage names placed by their probability or order (see `io::stages`).
    pub(super) stage_places: std::collections::HashMap<String, crate::io::stages::Placed>,
    /// The file's text, whose digest names the rows that say no more than a name (see
    /// [`crate::domain::ids::row_uid`]); worked out the first time one comes.
    pub(super) content: &'r str,
    pub(super) content_id: std::sync::OnceLock<uuid::Uuid>,
    /// The owner of rows that name none (`--owner`, else who I am).
    pub(super) default_owner: String,
}

/// The cells of one row, joined file included.
pub(super) fn cells<'a>(
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
pub(super) fn check_row(
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
            Field::Value if plain_amount(v) => evidence.add_amount(v),
            Field::Value => {
                evidence.add_amount(v);
                money::parse_amount(v)
                    .map_err(|_| err(header, format!("bad amount \"{}\"", short(v))))?;
            }
            Field::Currency if money::code_of(v).is_none() => {
                return Err(err(header, money::unknown_currency(&short(v))));
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
pub(super) fn plain_amount(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, "0"));
    (1..=11).contains(&int.len())
        && (1..=2).contains(&frac.len())
        && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
}

/// What `parse_money` makes of a [`plain_amount`], in integer arithmetic.
pub(super) fn plain_cents(v: &str) -> Option<i64> {
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
pub(super) fn clean_cell(s: &str, multiline: bool) -> Option<String> {
    if s.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    } else {
        clean_field(s, multiline)
    }
}

pub(super) fn short(s: &str) -> std::borrow::Cow<'_, str> {
    crate::domain::text::truncate_chars(s, 40)
}

/// Whether a file's rows are deals or opportunities: Salesforce's won/closed flags, or a stage
/// beside something only a deal has — an amount, an expected close date, or a header that says
/// deal or opportunity. A leads spreadsheet's "Stage" column alone (cold, MQL, customer) is not.
/// Whether a file is ripen's own CSV export (its first twenty columns, unchanged since the
/// first release): a list of people, whatever state their deals are in.
pub(super) fn is_own_export(mapping: &Mapping) -> bool {
    let own = crate::io::export::CSV_COLUMNS;
    mapping.headers.len() >= 20
        && mapping
            .headers
            .iter()
            .zip(own)
            .take(20)
            .all(|(h, c)| h.trim() == c)
}

pub(super) fn is_deal_file(mapping: &Mapping) -> bool {
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

/// What the check pass found in a file's rows, or in part of them.
#[derive(Default)]
pub(super) struct Checked {
    /// Rows read (blank ones not counted).
    pub(super) rows: usize,
    pub(super) evidence: DateEvidence,
    pub(super) errors: Vec<RowError>,
    pub(super) rejected_spans: Vec<Range<usize>>,
    pub(super) rejected_lines: HashSet<u64>,
}

impl Checked {
    /// Check one event; `shift` is where the text it was read from starts in the body.
    pub(super) fn take<'j, J>(
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
    pub(super) fn append(&mut self, later: Checked) {
        self.rows += later.rows;
        self.evidence.add_all(&later.evidence);
        self.errors.extend(later.errors);
        self.rejected_spans.extend(later.rejected_spans);
        self.rejected_lines.extend(later.rejected_lines);
    }
}

/// Where a large body of rows may be cut in two for checking both halves at once: where a
/// line near the middle starts (for the csv reader: at the `\n` of a `\r\n`, after a lone
/// `\n`), outside quotes by the count of quotes before it, and that line's number. Only a guess
/// (a stray quote inside a cell misleads it): the first half's reader confirms it.
pub(super) fn split_point(body: &str, first_line: u64) -> Option<(usize, u64)> {
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

#[cfg(test)]
mod tests {
    use super::super::read::Records;
    use super::*;

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
}
