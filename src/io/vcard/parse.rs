//! Text to cards: unfolding lines (QUOTED-PRINTABLE soft breaks too), splitting a content
//! line into group, name, parameters and value, and finding each card's BEGIN and END.

use std::ops::Range;

use super::card::{Card, Item, Property};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::vcard::split_unescaped;

    fn cards(text: &str) -> Vec<Card> {
        parse(text)
            .into_iter()
            .map(|i| match i {
                Item::Card(c) => c,
                Item::Bad { line, message, .. } => panic!("line {line}: {message}"),
            })
            .collect()
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
}
