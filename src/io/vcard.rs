//! Reading vCard 3.0 and 4.0 (RFC 6350, RFC 2426; vCard 2.1's QUOTED-PRINTABLE too) into the
//! rows of a table, so that an address book imports through the same checks, duplicate rules
//! and transaction as a CSV file. Pure: text in, cards and cells out.
//!
//! No crate fitted: `vcard_parser` refuses 3.0, `ical` leaves values escaped, `calcard` brings
//! in time zones and a mail parser. This reader is small and forgiving: it unfolds lines,
//! splits `group.NAME;PARAM=V:value`, unescapes text and splits structured values on unescaped
//! separators; a card without its END, or a line that is no property, is a bad card naming its
//! line.

use std::ops::Range;

use super::mapping::{Field, Target};

/// One content line of a card, unfolded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Physical line (1-based) where the property starts.
    pub line: u64,
    /// The name in upper case, without its group (`item1.EMAIL` → `EMAIL`).
    pub name: String,
    /// Parameters, names in upper case, values unquoted and split on `,`.
    pub params: Vec<(String, Vec<String>)>,
    /// The value as written: still escaped, so that structured values can be split first.
    pub value: String,
}

impl Property {
    /// The values of a parameter (every occurrence), lower-cased for comparing.
    fn param<'a>(&'a self, name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.params
            .iter()
            .filter(move |(n, _)| n == name)
            .flat_map(|(_, v)| v.iter().map(|s| s.to_lowercase()))
    }

    /// `TYPE=work,cell` (4.0), `TYPE=WORK;TYPE=PREF` (3.0) or bare `WORK` (2.1).
    fn types(&self) -> Vec<String> {
        self.param("TYPE").collect()
    }

    /// Marked preferred: `PREF=1` (4.0) or `TYPE=pref` (3.0).
    fn preferred(&self) -> bool {
        self.param("PREF").next().is_some() || self.types().iter().any(|t| t == "pref")
    }

    /// The value unescaped as one text.
    pub fn text(&self) -> String {
        unescape(&self.value)
    }

    /// The value's components split on unescaped `;`, each unescaped (N, ADR, ORG).
    pub fn components(&self) -> Vec<String> {
        split_unescaped(&self.value, ';')
            .iter()
            .map(|c| unescape(c))
            .collect()
    }
}

/// One card: where it starts and ends in the text, and its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The line of its `BEGIN:VCARD`.
    pub line: u64,
    /// Its bytes in the text, `BEGIN` to the end of the `END:VCARD` line.
    pub span: Range<usize>,
    pub props: Vec<Property>,
}

/// What reading a text finds: cards, or broken ones with the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Card(Card),
    Bad {
        line: u64,
        span: Range<usize>,
        message: String,
    },
}

/// Undo TEXT escaping: `\n` `\N` → newline, `\,` `\;` `\:` `\\` → the character. Any other
/// backslash is kept as written.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(c @ (',' | ';' | ':' | '\\')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Split on a separator not escaped by a backslash; the parts stay escaped.
pub fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// A logical line: its first physical line, its byte range in the text (line ending
/// included) and its unfolded content.
struct Logical {
    line: u64,
    span: Range<usize>,
    text: String,
    /// Whether its parameters say QUOTED-PRINTABLE, once its head is known (read once, not
    /// again at every folded line: a hostile file of folds would make that quadratic).
    qp: Option<bool>,
}

/// A property's head (name and parameters) longer than this is taken for none, and its value
/// for plain text.
const HEAD_MAX: usize = 4096;

/// Whether a line's parameters say QUOTED-PRINTABLE (vCard 2.1), where a line ending in `=`
/// continues on the next.
fn quoted_printable(head: &str) -> bool {
    let upper = head.to_ascii_uppercase();
    upper
        .split(';')
        .skip(1)
        .any(|p| p == "QUOTED-PRINTABLE" || p == "ENCODING=QUOTED-PRINTABLE")
}

/// The part of a content line before its value's `:` (outside quoted parameter values).
fn head_end(line: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// Unfold: a line starting with a space or tab continues the one before (that one character
/// and the line break go); a QUOTED-PRINTABLE value ending in `=` continues on the next line.
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut pos = 0;
    let mut line = 0u64;
    let mut qp_open = false;
    while pos < text.len() {
        line += 1;
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let raw = text[pos..end].trim_end_matches('\n').trim_end_matches('\r');
        let continues = raw.starts_with([' ', '\t']);
        match out.last_mut() {
            // A quoted-printable soft break first: its next line is the value's own text, a
            // leading space included, not a fold.
            Some(last) if qp_open => {
                last.text.push_str(raw);
                last.span.end = end;
            }
            Some(last) if continues => {
                last.text.push_str(&raw[1..]);
                last.span.end = end;
            }
            _ => out.push(Logical {
                line,
                span: pos..end,
                text: raw.to_string(),
                qp: None,
            }),
        }
        if let Some(last) = out.last_mut() {
            if last.qp.is_none() {
                last.qp = match head_end(&last.text) {
                    Some(i) => Some(quoted_printable(&last.text[..i])),
                    None if last.text.len() > HEAD_MAX => Some(false),
                    None => None,
                };
            }
            qp_open = last.text.ends_with('=') && last.qp == Some(true);
            if qp_open {
                // The soft line break: the `=` goes, the next line follows on.
                last.text.pop();
            }
        }
        pos = end;
    }
    out
}

/// Decode QUOTED-PRINTABLE (`=C3=BC` → `ü`), reading the bytes as UTF-8 (else Windows-1252).
fn decode_qp(s: &str) -> String {
    let b = s.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'='
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            bytes.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        bytes.push(b[i]);
        i += 1;
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(e.as_bytes())
            .0
            .into_owned(),
    }
}

/// Parse one content line: `[group.]NAME[;PARAM[=V[,V]]]*:value`.
fn property(line: u64, text: &str) -> Result<Property, String> {
    let at = head_end(text).ok_or_else(|| {
        format!(
            "\"{}\" is no property (no ':')",
            crate::domain::text::truncate_chars(text, 40)
        )
    })?;
    let (head, value) = (&text[..at], &text[at + 1..]);
    let mut parts = split_params(head).into_iter();
    let full = parts.next().unwrap_or_default();
    let name = full.rsplit('.').next().unwrap_or_default().trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!(
            "\"{}\" is no property name",
            crate::domain::text::truncate_chars(full, 40)
        ));
    }
    let mut params = Vec::new();
    for p in parts {
        let (k, v) = match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v),
            // vCard 2.1's bare types (`TEL;WORK;VOICE`) and encodings.
            None => {
                let bare = p.trim().to_ascii_uppercase();
                if matches!(bare.as_str(), "QUOTED-PRINTABLE" | "BASE64" | "8BIT") {
                    ("ENCODING".into(), p)
                } else {
                    ("TYPE".into(), p)
                }
            }
        };
        let values = split_quoted(v, ',')
            .into_iter()
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        params.push((k, values));
    }
    let mut prop = Property {
        line,
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_string(),
    };
    if prop
        .param("ENCODING")
        .any(|e| e == "quoted-printable" || e == "q")
    {
        prop.value = decode_qp(&prop.value);
    }
    Ok(prop)
}

/// Split a property's head on `;` outside double quotes.
fn split_params(head: &str) -> Vec<&str> {
    split_quoted(head, ';')
}

fn split_quoted(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

fn is_line(l: &Logical, word: &str) -> bool {
    l.text.trim().eq_ignore_ascii_case(word)
}

/// Read every card of a text. Blank lines between cards are ignored; anything else outside a
/// card, a line inside one that is no property, and a card without its END are bad items with
/// their line.
pub fn parse(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut open: Option<(Card, Option<(u64, String)>)> = None;
    // A run of lines outside any card is one bad item, not one per line.
    let mut stray: Option<(u64, Range<usize>)> = None;
    let flush_stray = |stray: &mut Option<(u64, Range<usize>)>, items: &mut Vec<Item>| {
        if let Some((line, span)) = stray.take() {
            items.push(Item::Bad {
                line,
                span,
                message: "text outside a card (BEGIN:VCARD … END:VCARD)".into(),
            });
        }
    };
    for l in logical_lines(text) {
        if is_line(&l, "BEGIN:VCARD") {
            flush_stray(&mut stray, &mut items);
            if let Some((card, _)) = open.take() {
                items.push(Item::Bad {
                    line: card.line,
                    span: card.span,
                    message: format!("BEGIN:VCARD has no END:VCARD before line {}", l.line),
                });
            }
            open = Some((
                Card {
                    line: l.line,
                    span: l.span,
                    props: Vec::new(),
                },
                None,
            ));
            continue;
        }
        match open.as_mut() {
            None if l.text.trim().is_empty() => {}
            None => match stray.as_mut() {
                Some((_, span)) => span.end = l.span.end,
                None => stray = Some((l.line, l.span)),
            },
            Some((card, broken)) => {
                card.span.end = l.span.end;
                if is_line(&l, "END:VCARD") {
                    if let Some((card, broken)) = open.take() {
                        items.push(match broken {
                            None => Item::Card(card),
                            Some((line, message)) => Item::Bad {
                                line,
                                span: card.span,
                                message,
                            },
                        });
                    }
                    continue;
                }
                if l.text.trim().is_empty() {
                    continue;
                }
                match property(l.line, &l.text) {
                    Ok(p) => card.props.push(p),
                    Err(message) => {
                        if broken.is_none() {
                            *broken = Some((l.line, message));
                        }
                    }
                }
            }
        }
    }
    flush_stray(&mut stray, &mut items);
    if let Some((card, _)) = open {
        items.push(Item::Bad {
            line: card.line,
            span: card.span,
            message: "BEGIN:VCARD has no END:VCARD".into(),
        });
    }
    items
}

/// The columns a card becomes, and the field each fills. The headers name the properties,
/// so an error or `--dry-run` names what the card said.
pub const COLUMNS: [(&str, Target); 18] = [
    ("FN", Target::Field(Field::Name)),
    ("ORG", Target::Field(Field::Company)),
    ("ORG unit", Target::Extra),
    ("TITLE", Target::Field(Field::Title)),
    ("EMAIL", Target::Field(Field::Email)),
    ("EMAIL (more)", Target::Extra),
    ("TEL", Target::Field(Field::Phone)),
    ("TEL (more)", Target::Extra),
    ("URL", Target::Field(Field::Website)),
    ("ADR locality", Target::Field(Field::City)),
    ("ADR country", Target::Field(Field::Country)),
    ("ADR", Target::Extra),
    ("ADR (more)", Target::Extra),
    ("NOTE", Target::Field(Field::Notes)),
    ("CATEGORIES", Target::Field(Field::Tags)),
    ("UID", Target::Field(Field::ExternalId)),
    ("CREATED", Target::Field(Field::Received)),
    // A card's second ORG, TITLE or URL, and properties past the first names given a column
    // of their own: "NAME: value" a line, so that nothing a card says is lost.
    ("more", Target::Extra),
];

/// Properties that fill no column: the frame, the name's parts (FN has it), pictures, keys and
/// sounds (binary), and what [`COLUMNS`] reads.
const NOT_KEPT: [&str; 20] = [
    "BEGIN",
    "END",
    "VERSION",
    "PRODID",
    "N",
    "PHOTO",
    "LOGO",
    "SOUND",
    "KEY",
    "FN",
    "ORG",
    "TITLE",
    "EMAIL",
    "TEL",
    "URL",
    "ADR",
    "NOTE",
    "CATEGORIES",
    "UID",
    "LABEL",
];

/// At most this many other properties become columns of their own (kept with the lead).
const MAX_OTHER: usize = 50;

/// The cards of a text as a table: headers, what each fills, and a row (or error) per card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub targets: Vec<Target>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Card {
        line: u64,
        span: Range<usize>,
        cells: Vec<String>,
    },
    Bad {
        line: u64,
        span: Range<usize>,
        message: String,
    },
}

/// How much a value is preferred among several (lower first): a work one, then one marked
/// preferred, then the first.
fn rank(p: &Property) -> u8 {
    if p.types().iter().any(|t| t == "work") {
        0
    } else if p.preferred() {
        1
    } else {
        2
    }
}

/// Properties of a name, the preferred first (stable: the file's order otherwise).
fn ranked<'c>(card: &'c Card, name: &str) -> Vec<&'c Property> {
    let mut v: Vec<&Property> = card.props.iter().filter(|p| p.name == name).collect();
    v.sort_by_key(|p| rank(p));
    v
}

/// Types worth telling beside a second address or number (`home`, `cell`), not the ones
/// every value has.
fn label(p: &Property) -> String {
    let types: Vec<String> = p
        .types()
        .into_iter()
        .filter(|t| !matches!(t.as_str(), "internet" | "pref" | "voice" | "x400"))
        .collect();
    if types.is_empty() {
        String::new()
    } else {
        format!(" ({})", types.join(", "))
    }
}

/// A TEL's number: 4.0 may write it as a `tel:` URI.
fn phone(p: &Property) -> String {
    let t = p.text();
    let t = t.trim();
    t.strip_prefix("tel:")
        .or_else(|| t.strip_prefix("TEL:"))
        .unwrap_or(t)
        .to_string()
}

/// A date or timestamp as vCard writes it (`20240122T203647Z`, `2024-01-22`) in the ISO form
/// the import reads.
fn timestamp(s: &str) -> String {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if digits(0..8) && (b.len() == 8 || b.get(8) == Some(&b'T')) {
        let date = format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8]);
        if b.len() == 8 {
            return date;
        }
        if digits(9..15) {
            let zone = &s[15..];
            let zone = if zone.is_empty() { "Z" } else { zone };
            return format!("{date}T{}:{}:{}{zone}", &s[9..11], &s[11..13], &s[13..15]);
        }
    }
    s.to_string()
}

/// One card's cells, in the order of `headers`.
fn cells(card: &Card, headers: &[String]) -> Vec<String> {
    let mut cells = vec![String::new(); headers.len()];
    let mut set = |h: &str, v: String| {
        if let Some(i) = headers.iter().position(|x| x == h) {
            cells[i] = v;
        }
    };
    let first = |name: &str| card.props.iter().find(|p| p.name == name);
    let name = first("FN")
        .map(Property::text)
        .filter(|n| !n.trim().is_empty());
    let name = name.or_else(|| {
        // N: family; given; additional; prefixes; suffixes.
        let c = first("N")?.components();
        let get = |i: usize| c.get(i).map(|s| s.replace(',', " ")).unwrap_or_default();
        let words = [get(3), get(1), get(2), get(0), get(4)];
        let joined = words
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!joined.is_empty()).then_some(joined)
    });
    set("FN", name.unwrap_or_default());
    if let Some(org) = first("ORG") {
        let c = org.components();
        set("ORG", c.first().cloned().unwrap_or_default());
        let units: Vec<&str> = c
            .iter()
            .skip(1)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        set("ORG unit", units.join(", "));
    }
    set(
        "TITLE",
        first("TITLE").map(Property::text).unwrap_or_default(),
    );
    for (name, value) in [
        ("EMAIL", Property::text as fn(&Property) -> String),
        ("TEL", phone),
    ] {
        let all: Vec<(&Property, String)> = ranked(card, name)
            .into_iter()
            .map(|p| (p, value(p)))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        if let Some((_, v)) = all.first() {
            set(name, v.clone());
        }
        let more: Vec<String> = all
            .iter()
            .skip(1)
            .map(|(p, v)| format!("{}{}", v.trim(), label(p)))
            .collect();
        set(&format!("{name} (more)"), more.join(", "));
    }
    set("URL", first("URL").map(Property::text).unwrap_or_default());
    let adrs = ranked(card, "ADR");
    if let Some(adr) = adrs.first() {
        // Post office box; extended address; street; locality; region; code; country.
        let c = adr.components();
        let get = |i: usize| c.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        set("ADR locality", get(3));
        set("ADR country", get(6));
        let rest: Vec<String> = [0, 1, 2, 4, 5]
            .into_iter()
            .map(get)
            .filter(|s| !s.is_empty())
            .collect();
        set("ADR", rest.join(", "));
    }
    let more_adrs: Vec<String> = adrs
        .iter()
        .skip(1)
        .map(|p| {
            let parts: Vec<String> = p
                .components()
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            format!("{}{}", parts.join(", "), label(p))
        })
        .filter(|s| !s.trim().is_empty())
        .collect();
    set("ADR (more)", more_adrs.join("\n"));
    let notes: Vec<String> = card
        .props
        .iter()
        .filter(|p| p.name == "NOTE")
        .map(Property::text)
        .filter(|n| !n.trim().is_empty())
        .collect();
    set("NOTE", notes.join("\n\n"));
    let tags: Vec<String> = card
        .props
        .iter()
        .filter(|p| p.name == "CATEGORIES")
        .flat_map(|p| {
            split_unescaped(&p.value, ',')
                .into_iter()
                .map(unescape)
                .collect::<Vec<_>>()
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    set("CATEGORIES", tags.join(", "));
    set("UID", first("UID").map(Property::text).unwrap_or_default());
    let created = card.props.iter().find(|p| is_created(&p.name));
    set(
        "CREATED",
        created.map(|p| timestamp(&p.text())).unwrap_or_default(),
    );
    let mut more: Vec<String> = ["ORG", "TITLE", "URL"]
        .iter()
        .flat_map(|name| card.props.iter().filter(|p| p.name == *name).skip(1))
        .chain(
            card.props
                .iter()
                .filter(|p| kept_aside(p) && !headers.contains(&p.name)),
        )
        .map(|p| (p.name.clone(), p.text()))
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(n, v)| format!("{n}: {}", v.trim()))
        .collect();
    more.dedup();
    set("more", more.join("\n"));
    // Every other property under its own name, several values one per line.
    for (i, h) in headers.iter().enumerate().skip(COLUMNS.len()) {
        let values: Vec<String> = card
            .props
            .iter()
            .filter(|p| &p.name == h)
            .map(Property::text)
            .filter(|v| !v.trim().is_empty())
            .collect();
        cells[i] = values.join("\n");
    }
    cells
}

/// Whether a property is kept under a column of its own name.
fn kept_aside(p: &Property) -> bool {
    !(NOT_KEPT.contains(&p.name.as_str()) || is_created(&p.name))
}

/// When the contact was made: `CREATED`, or a vendor's `X-…CREATED` (`X-ABCREATED`).
fn is_created(name: &str) -> bool {
    name == "CREATED" || (name.starts_with("X-") && name.ends_with("CREATED"))
}

/// Read a text's cards into a table: the fixed [`COLUMNS`], then one column for each other
/// property the cards have (up to 50), in the order first met.
pub fn read(text: &str) -> Sheet {
    let items = parse(text);
    let mut headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    let mut targets: Vec<Target> = COLUMNS.iter().map(|(_, t)| *t).collect();
    for item in &items {
        let Item::Card(card) = item else { continue };
        for p in card.props.iter().filter(|p| kept_aside(p)) {
            if headers.len() < COLUMNS.len() + MAX_OTHER && !headers.contains(&p.name) {
                headers.push(p.name.clone());
                targets.push(Target::Extra);
            }
        }
    }
    let rows = items
        .into_iter()
        .map(|item| match item {
            Item::Bad {
                line,
                span,
                message,
            } => Row::Bad {
                line,
                span,
                message,
            },
            Item::Card(card) => {
                let cells = cells(&card, &headers);
                if cells.iter().all(|c| c.trim().is_empty()) {
                    Row::Bad {
                        line: card.line,
                        span: card.span,
                        message: "an empty card (no FN, N, ORG or EMAIL)".into(),
                    }
                } else {
                    Row::Card {
                        line: card.line,
                        span: card.span,
                        cells,
                    }
                }
            }
        })
        .collect();
    Sheet {
        headers,
        targets,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(text: &str) -> Vec<Card> {
        parse(text)
            .into_iter()
            .map(|i| match i {
                Item::Card(c) => c,
                Item::Bad { line, message, .. } => panic!("line {line}: {message}"),
            })
            .collect()
    }

    fn cell<'s>(sheet: &'s Sheet, row: usize, header: &str) -> &'s str {
        let i = sheet.headers.iter().position(|h| h == header).unwrap();
        match &sheet.rows[row] {
            Row::Card { cells, .. } => &cells[i],
            Row::Bad { message, .. } => panic!("{message}"),
        }
    }

    #[test]
    fn folded_lines_are_unfolded_by_one_character() {
        let c = cards(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:a long\r\n  note that\r\n\tgoes on\r\nFN:Ann\r\nEND:VCARD\r\n",
        );
        assert_eq!(c[0].props[1].text(), "a long note thatgoes on");
        assert_eq!(c[0].props[1].line, 3);
        assert_eq!(c[0].props[2].line, 6);
    }

    #[test]
    fn a_fold_inside_a_word_joins_without_a_space() {
        // Folding is by octets: a writer may fold between any two characters of a word.
        let c = cards("BEGIN:VCARD\nFN:Jür\n gen Müller\nEND:VCARD\n");
        assert_eq!(c[0].props[0].text(), "Jürgen Müller");
    }

    #[test]
    fn text_escapes_are_undone() {
        assert_eq!(unescape(r"a\,b\;c\nd\Ne\\f"), "a,b;c\nd\ne\\f");
        assert_eq!(unescape(r"C:\temp"), r"C:\temp");
        assert_eq!(unescape("end\\"), "end\\");
    }

    #[test]
    fn params_group_and_quoted_values_are_read() {
        let p = property(
            7,
            "item1.EMAIL;TYPE=work,pref;LABEL=\"a;b:c\";PREF=1:ann@x.example",
        )
        .unwrap();
        assert_eq!(p.name, "EMAIL");
        assert_eq!(p.value, "ann@x.example");
        assert_eq!(p.types(), ["work", "pref"]);
        assert!(p.preferred());
        assert_eq!(p.params[1], ("LABEL".into(), vec!["a;b:c".to_string()]));
        // vCard 2.1's bare types, 3.0's repeated TYPE.
        let p = property(1, "TEL;WORK;VOICE:+1 555").unwrap();
        assert_eq!(p.types(), ["work", "voice"]);
        let p = property(1, "tel;type=HOME;type=PREF:1").unwrap();
        assert_eq!(
            (p.name.as_str(), p.types()),
            ("TEL", vec!["home".into(), "pref".into()])
        );
    }

    #[test]
    fn structured_values_split_on_unescaped_separators_only() {
        let p = property(1, r"ADR:;;1 Main St\, Apt 2;Springfield;;12345;Fictland").unwrap();
        assert_eq!(
            p.components(),
            [
                "",
                "",
                "1 Main St, Apt 2",
                "Springfield",
                "",
                "12345",
                "Fictland"
            ]
        );
        let p = property(1, r"ORG:Acme\; Sons;Research").unwrap();
        assert_eq!(p.components(), ["Acme; Sons", "Research"]);
        assert_eq!(split_unescaped(r"a,b\,c,,d", ','), ["a", r"b\,c", "", "d"]);
    }

    #[test]
    fn quoted_printable_is_decoded_with_soft_breaks() {
        let c = cards(
            "BEGIN:VCARD\nVERSION:2.1\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller =\nund S=C3=B6hne\nFN;QUOTED-PRINTABLE:Caf=E9\nEND:VCARD\n",
        );
        assert_eq!(c[0].props[1].text(), "Müller und Söhne");
        assert_eq!(c[0].props[2].text(), "Café");
    }

    #[test]
    fn a_card_without_end_is_an_error_on_its_begin_line() {
        let items = parse("BEGIN:VCARD\nFN:Ann\nEND:VCARD\n\nBEGIN:VCARD\nFN:Bob\n");
        assert!(matches!(&items[0], Item::Card(c) if c.line == 1));
        match &items[1] {
            Item::Bad { line, message, .. } => {
                assert_eq!(*line, 5);
                assert!(message.contains("no END:VCARD"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Another BEGIN before the END: the first card is broken, the second read.
        let items = parse("BEGIN:VCARD\nFN:Ann\nBEGIN:VCARD\nFN:Bob\nEND:VCARD\n");
        assert!(
            matches!(&items[0], Item::Bad { line: 1, message, .. } if message.contains("before line 3"))
        );
        assert!(matches!(&items[1], Item::Card(c) if c.line == 3));
    }

    #[test]
    fn a_line_that_is_no_property_breaks_its_card_and_names_the_line() {
        let items = parse("BEGIN:VCARD\nFN:Ann\nthis is no property\nEND:VCARD\nstray\n");
        match &items[0] {
            Item::Bad { line, message, .. } => {
                assert_eq!(*line, 3);
                assert!(message.contains("no property"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&items[1], Item::Bad { line: 5, message, .. } if message.contains("outside"))
        );
    }

    #[test]
    fn spans_cover_each_card_whole() {
        let text = "BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Bob\r\nEND:VCARD\r\n";
        let c = cards(text);
        assert_eq!(
            &text[c[0].span.clone()],
            "BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\n"
        );
        assert_eq!(
            &text[c[1].span.clone()],
            "BEGIN:VCARD\r\nFN:Bob\r\nEND:VCARD\r\n"
        );
    }

    #[test]
    fn a_quoted_printable_soft_break_keeps_the_space_the_next_line_starts_with() {
        let s = read(
            "BEGIN:VCARD\nVERSION:2.1\nFN:Ann\nNOTE;ENCODING=QUOTED-PRINTABLE:Hello=\n world\nEND:VCARD\n",
        );
        assert_eq!(cell(&s, 0, "NOTE"), "Hello world");
    }

    #[test]
    fn a_second_org_title_or_url_and_properties_past_the_columns_are_kept() {
        let mut text = String::from(
            "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nORG:Acme\nORG:Beta Ltd\nTITLE:CEO\n\
             TITLE:Chair\nURL:https://a.example\nURL:https://b.example\n",
        );
        for i in 0..60 {
            text.push_str(&format!("X-FIELD-{i}:value {i}\n"));
        }
        text.push_str("END:VCARD\n");
        let s = read(&text);
        let more = cell(&s, 0, "more");
        for kept in [
            "ORG: Beta Ltd",
            "TITLE: Chair",
            "URL: https://b.example",
            "X-FIELD-59: value 59",
        ] {
            assert!(more.contains(kept), "{kept} in {more:?}");
        }
        assert!(
            !more.contains("X-FIELD-0:"),
            "a property with a column of its own: {more:?}"
        );
    }

    #[test]
    fn a_card_becomes_a_row_preferring_work_then_pref_then_first() {
        let s = read(concat!(
            "BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;Q;Dr.;\n",
            "EMAIL;TYPE=INTERNET,HOME:jane@home.example\n",
            "EMAIL;TYPE=INTERNET,WORK:jane@acme.example\n",
            "TEL;TYPE=CELL:+1 555 0100\nTEL;TYPE=HOME,PREF:+1 555 0101\n",
            "ORG:Acme;Research;Lab\nCATEGORIES:vip,trade fair\nCATEGORIES:q3\n",
            "ADR;TYPE=HOME:;;1 Elm;Springfield;IL;62701;USA\n",
            "REV:20240122T203647Z\nX-ABCREATED:20230102T030405Z\nEND:VCARD\n",
        ));
        assert_eq!(cell(&s, 0, "FN"), "Dr. Jane Q Doe");
        assert_eq!(cell(&s, 0, "EMAIL"), "jane@acme.example");
        assert_eq!(cell(&s, 0, "EMAIL (more)"), "jane@home.example (home)");
        assert_eq!(cell(&s, 0, "TEL"), "+1 555 0101");
        assert_eq!(cell(&s, 0, "TEL (more)"), "+1 555 0100 (cell)");
        assert_eq!(cell(&s, 0, "ORG"), "Acme");
        assert_eq!(cell(&s, 0, "ORG unit"), "Research, Lab");
        assert_eq!(cell(&s, 0, "CATEGORIES"), "vip, trade fair, q3");
        assert_eq!(cell(&s, 0, "ADR locality"), "Springfield");
        assert_eq!(cell(&s, 0, "ADR country"), "USA");
        assert_eq!(cell(&s, 0, "ADR"), "1 Elm, IL, 62701");
        assert_eq!(cell(&s, 0, "CREATED"), "2023-01-02T03:04:05Z");
        // What no column reads is kept under its own name.
        assert_eq!(cell(&s, 0, "REV"), "20240122T203647Z");
        assert!(!s.headers.contains(&"N".to_string()));
    }

    #[test]
    fn a_tel_uri_is_a_number_and_an_empty_card_is_bad() {
        let s = read(
            "BEGIN:VCARD\nVERSION:4.0\nFN:Ann\nTEL;VALUE=uri:tel:+1-555-0100\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nEND:VCARD\n",
        );
        assert_eq!(cell(&s, 0, "TEL"), "+1-555-0100");
        assert!(
            matches!(&s.rows[1], Row::Bad { line: 6, message, .. } if message.contains("empty card"))
        );
    }

    #[test]
    fn timestamps_read_as_iso() {
        assert_eq!(timestamp("20240122T203647Z"), "2024-01-22T20:36:47Z");
        assert_eq!(timestamp("20240122"), "2024-01-22");
        assert_eq!(timestamp("2024-01-22T20:36:47Z"), "2024-01-22T20:36:47Z");
        assert_eq!(timestamp("20240122T2036"), "20240122T2036");
    }
}
