//! Writing leads out in the forms other tools read: CSV (with the canonical import columns, so
//! it imports back as the same leads, and neutralised against spreadsheet formulas), JSON (the
//! `--json` record), vCard 4.0 (RFC 6350) and iCalendar to-dos (RFC 5545).

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::domain::text::{clean_line, clean_text};
use crate::domain::{Lead, Now, Plan};
use crate::record::LeadRecord;
use crate::store::LeadRow;

use super::mapping::{self, Field};

/// What `ripen export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Vcard,
    Ics,
}

/// The CSV columns, in order: the canonical names `--map` and the importer know.
pub const CSV_COLUMNS: [&str; 26] = [
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
    "status",
    "stage",
    "class",
    "value",
    "received",
    "closed",
    "reason",
    "reason_note",
    "notes",
    "tags",
    "external_id",
    "next_follow_up",
    "recycle_on",
    "ripe_on",
    // Last, so that the columns before keep their places: the last contact or change of
    // state, which an import reads back as the lead's last activity (its rotting and its
    // next follow-up count from it).
    "last_activity",
    // The value's currency (ISO 4217): the lead's own, else the book's.
    "currency",
];

/// Render leads in a format.
pub fn render(rows: &[LeadRow], format: Format, now: &Now, plan: &Plan) -> String {
    match format {
        Format::Csv => csv(rows, plan.home_currency()),
        Format::Json => json(rows, now, plan),
        Format::Vcard => vcard(rows),
        Format::Ics => ics(rows, now),
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a leading tab or CR),
/// made inert with a leading `'` (which the importer removes again). A phone number or a signed
/// number (`+49 30 1234567`, `-2.5`: digits, spaces and `+-()./` only) is left as it is: with no
/// letter it can name no function or program, and a `'` in front would reach the dialer or the
/// mail merge the campaign is exported for.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let numeric = |c: char| c.is_ascii_digit() || " +-()./".contains(c);
    let phone = cell.starts_with(['+', '-'])
        && cell.chars().all(numeric)
        && cell.chars().any(|c| c.is_ascii_digit());
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !phone {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn stamp(at: Option<DateTime<Utc>>) -> String {
    at.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn money(cents: Option<i64>) -> String {
    cents
        .map(|c| format!("{}.{:02}", c / 100, (c % 100).abs()))
        .unwrap_or_default()
}

fn csv_cells(r: &LeadRow, home: Option<&str>) -> [String; 26] {
    let l = &r.lead;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        l.name.clone(),
        s(&l.company),
        s(&l.title),
        s(&l.email),
        s(&l.phone),
        s(&l.website),
        s(&l.city),
        s(&l.country),
        s(&l.source),
        l.owner.clone(),
        l.status.as_str().to_string(),
        l.stage.map(|x| x.as_str().to_string()).unwrap_or_default(),
        l.class.map(|x| x.as_str().to_string()).unwrap_or_default(),
        money(l.value_cents),
        stamp(Some(l.received_at)),
        stamp(l.closed_at),
        s(&l.reason),
        s(&l.reason_note),
        s(&l.notes),
        l.tags.join(", "),
        s(&l.external_id),
        stamp(l.next_follow_up),
        stamp(l.recycle_on),
        stamp(l.ripe_on),
        stamp(r.touches.last_activity_at),
        l.currency
            .as_deref()
            .or(home)
            .filter(|_| l.value_cents.is_some() || l.currency.is_some())
            .unwrap_or_default()
            .to_string(),
    ]
}

/// CSV with a header of canonical names; every cell neutralised against formulas.
pub fn csv(rows: &[LeadRow], home: Option<&str>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut write = || -> csv::Result<()> {
        // Then a column for each field an import kept beside the leads, under its file's own
        // header, so a re-import keeps it again.
        let extras: Vec<Vec<(String, String)>> =
            rows.iter().map(|r| r.lead.extra_fields()).collect();
        // One an import would read back into a field of ours (a "Phone" or "Tel" an import
        // was told to keep aside) is written as "Phone (extra)", so that it is neither lost
        // nor read back as the phone. Stage and class words are not: those kept aside are the
        // ones no stage or class reads (or an unqualified lead's rating), which a re-import
        // keeps aside again; nor the dates that only inform ripen.
        let mut headers: Vec<&str> = Vec::new();
        for (k, _) in extras.iter().flatten() {
            if !headers.contains(&k.as_str()) {
                headers.push(k);
            }
        }
        let taken = |h: &str| {
            CSV_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h))
                || mapping::auto_field(h)
                    .is_some_and(|f| !f.is_hint() && !matches!(f, Field::Stage | Field::Class))
        };
        let written = headers.iter().map(|h| {
            if taken(h) {
                format!("{h} (extra)")
            } else {
                h.to_string()
            }
        });
        w.write_record(
            CSV_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .chain(written)
                .map(|h| neutralise(&h).into_owned()),
        )?;
        for (r, extra) in rows.iter().zip(&extras) {
            let cells = csv_cells(r, home);
            let more = headers.iter().map(|h| {
                extra
                    .iter()
                    .find(|(k, _)| k == h)
                    .map_or("", |(_, v)| v.as_str())
            });
            w.write_record(
                cells
                    .iter()
                    .map(String::as_str)
                    .chain(more)
                    .map(|c| neutralise(c).into_owned()),
            )?;
        }
        w.flush()?;
        Ok(())
    };
    // Writing to memory cannot fail short of allocation failure.
    let _ = write();
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A JSON array of the records `ripen list --json` prints.
pub fn json(rows: &[LeadRow], now: &Now, plan: &Plan) -> String {
    let recs: Vec<LeadRecord> = rows.iter().map(|r| LeadRecord::new(r, now, plan)).collect();
    let mut s = crate::io::json::to_string_pretty(&recs);
    s.push('\n');
    s
}

/// Escape a TEXT value (RFC 6350 §3.4, RFC 5545 §3.3.11): backslash, comma, semicolon,
/// newline. Controls are neutralised first, so nothing raw reaches a calendar or address book.
pub fn escape_text(s: &str) -> String {
    let clean = clean_text(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Append a content line folded at 75 octets (never inside a UTF-8 character), CRLF-ended.
pub fn push_folded(out: &mut String, line: &str) {
    let mut len = 0;
    for ch in line.chars() {
        let w = ch.len_utf8();
        if len + w > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += w;
    }
    out.push_str("\r\n");
}

/// Family and given name from a full name: the last word is the family name, with the
/// lower-case particles before it ("van der Berg", "de la Cruz", "von Trapp").
fn split_name(name: &str) -> (String, String) {
    const PARTICLES: [&str; 22] = [
        "van", "von", "der", "den", "de", "del", "della", "di", "da", "do", "dos", "das", "du",
        "des", "la", "le", "ten", "ter", "zu", "af", "al", "bin",
    ];
    let name = clean_line(name);
    let words: Vec<&str> = name.split_whitespace().collect();
    let Some(last) = words.len().checked_sub(1) else {
        return (String::new(), String::new());
    };
    let mut start = last;
    // The given name keeps at least its first word.
    while start > 1 && PARTICLES.contains(&words[start - 1]) {
        start -= 1;
    }
    (words[start..].join(" "), words[..start].join(" "))
}

/// One vCard 4.0 per lead.
pub fn vcard(rows: &[LeadRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let l = &r.lead;
        let line = |out: &mut String, prop: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
                push_folded(out, &format!("{prop}:{}", escape_text(v)));
            }
        };
        push_folded(&mut out, "BEGIN:VCARD");
        push_folded(&mut out, "VERSION:4.0");
        push_folded(&mut out, &format!("UID:urn:uuid:{}", l.uid));
        push_folded(&mut out, &format!("FN:{}", escape_text(&l.name)));
        let (family, given) = split_name(&l.name);
        push_folded(
            &mut out,
            &format!("N:{};{};;;", escape_text(&family), escape_text(&given)),
        );
        line(&mut out, "ORG", &l.company);
        line(&mut out, "TITLE", &l.title);
        line(&mut out, "EMAIL;TYPE=work", &l.email);
        line(&mut out, "TEL;VALUE=text;TYPE=work", &l.phone);
        if let Some(w) = l.website.as_deref().filter(|w| !w.trim().is_empty()) {
            push_folded(&mut out, &format!("URL:{}", clean_line(w)));
        }
        if l.city.is_some() || l.country.is_some() {
            let part = |v: &Option<String>| v.as_deref().map(escape_text).unwrap_or_default();
            push_folded(
                &mut out,
                &format!("ADR;TYPE=work:;;;{};;;{}", part(&l.city), part(&l.country)),
            );
        }
        if !l.tags.is_empty() {
            let tags: Vec<String> = l.tags.iter().map(|t| escape_text(t)).collect();
            push_folded(&mut out, &format!("CATEGORIES:{}", tags.join(",")));
        }
        line(&mut out, "NOTE", &l.notes);
        push_folded(&mut out, "END:VCARD");
    }
    out
}

fn ics_time(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The to-do's stable identity: derived from the lead's uid, so a re-export updates the task a
/// calendar already has instead of adding another.
pub fn todo_uid(lead: &Lead) -> String {
    format!("follow-up-{}@ripen", lead.uid)
}

/// One VTODO per open follow-up (active leads, and recycled ones waiting to be touched).
pub fn ics(rows: &[LeadRow], now: &Now) -> String {
    let mut out = String::new();
    push_folded(&mut out, "BEGIN:VCALENDAR");
    push_folded(&mut out, "VERSION:2.0");
    push_folded(&mut out, "PRODID:-//ripen//ripen export//EN");
    push_folded(&mut out, "CALSCALE:GREGORIAN");
    for r in rows {
        let l = &r.lead;
        let Some(due) = l.next_follow_up else {
            continue;
        };
        let open = l.status.is_active() || (l.status.is_closed_out() && l.recycle_on.is_some());
        if !open || l.deleted_at.is_some() {
            continue;
        }
        let verb = if l.status.is_closed_out() {
            "Re-contact"
        } else {
            "Call"
        };
        let mut description = vec![format!("#{} · {}", r.number, l.status)];
        if let Some(s) = l.stage {
            description.push(format!("stage {s}"));
        }
        if let Some(p) = &l.phone {
            description.push(format!("phone {p}"));
        }
        if let Some(e) = &l.email {
            description.push(format!("e-mail {e}"));
        }
        if let Some(n) = &l.notes {
            description.push(n.clone());
        }
        push_folded(&mut out, "BEGIN:VTODO");
        push_folded(&mut out, &format!("UID:{}", todo_uid(l)));
        push_folded(&mut out, &format!("DTSTAMP:{}", ics_time(now.utc)));
        push_folded(&mut out, &format!("DUE:{}", ics_time(due)));
        push_folded(
            &mut out,
            &format!(
                "SUMMARY:{}",
                escape_text(&format!("{verb} {}", l.display_name()))
            ),
        );
        push_folded(
            &mut out,
            &format!("DESCRIPTION:{}", escape_text(&description.join("\n"))),
        );
        push_folded(&mut out, "STATUS:NEEDS-ACTION");
        push_folded(&mut out, "END:VTODO");
    }
    push_folded(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+cmd"), "'+cmd");
        assert_eq!(neutralise("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralise("-2+cmd|' /C calc'!A0"), "'-2+cmd|' /C calc'!A0");
        assert_eq!(neutralise("+1+A1"), "'+1+A1");
        assert_eq!(neutralise("-"), "'-");
        assert_eq!(neutralise("Acme"), "Acme");
        // Phone numbers and signed numbers reach the dialer as they are.
        assert_eq!(neutralise("+49 30 4104587"), "+49 30 4104587");
        assert_eq!(neutralise("+1 (555) 010-2030"), "+1 (555) 010-2030");
        assert_eq!(neutralise("-2.5"), "-2.5");
    }

    #[test]
    fn text_is_escaped_per_rfc() {
        assert_eq!(escape_text("a\\b,c;d\ne"), "a\\\\b\\,c\\;d\\ne");
        assert_eq!(escape_text("evil\x1b[2J"), "evil␛[2J");
    }

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let mut out = String::new();
        let long = format!("NOTE:{}", "ü".repeat(100));
        push_folded(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn names_split_into_family_and_given() {
        let split = split_name;
        assert_eq!(split("Jane van Doe"), ("van Doe".into(), "Jane".into()));
        assert_eq!(
            split("Quinn van der Berg"),
            ("van der Berg".into(), "Quinn".into())
        );
        assert_eq!(split("Ana de la Cruz"), ("de la Cruz".into(), "Ana".into()));
        assert_eq!(split("Mary Ann Smith"), ("Smith".into(), "Mary Ann".into()));
        // A particle that is someone's given name stays theirs.
        assert_eq!(split("Van Morrison"), ("Morrison".into(), "Van".into()));
        assert_eq!(split("de Vries"), ("Vries".into(), "de".into()));
        assert_eq!(split("Cher"), ("Cher".into(), String::new()));
        assert_eq!(split("  "), (String::new(), String::new()));
    }
}
