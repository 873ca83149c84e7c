//! Cards to a table: the fixed columns an import maps (name, e-mail, phone, company, address…),
//! the preferred value first and the others beside it, and a column for every other property.

use std::ops::Range;

use super::card::{Card, Item, Property, split_unescaped, unescape};
use super::parse::parse;
use crate::io::mapping::{Field, Target};

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

    fn cell<'s>(sheet: &'s Sheet, row: usize, header: &str) -> &'s str {
        let i = sheet.headers.iter().position(|h| h == header).unwrap();
        match &sheet.rows[row] {
            Row::Card { cells, .. } => &cells[i],
            Row::Bad { message, .. } => panic!("{message}"),
        }
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
