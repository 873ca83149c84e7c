//! The vCard reader: any text in, cards or bad cards with their lines out, never a panic; every
//! span lies inside the text, in order; and text ripen's export escapes and folds reads back
//! as it was written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ripen::domain::text::clean_text;
use ripen::io::export::{escape_text, push_folded};
use ripen::io::vcard::{self, Item, Row};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.matches('\n').count() as u64 + 1;
    let items = vcard::parse(&text);
    let mut end = 0;
    for item in &items {
        let (line, span) = match item {
            Item::Card(c) => (c.line, &c.span),
            Item::Bad { line, span, .. } => (*line, span),
        };
        assert!((1..=lines).contains(&line), "line {line} of {lines}");
        assert!(span.start >= end && span.start <= span.end, "{span:?} after {end}");
        assert!(text.get(span.clone()).is_some(), "{span:?} cuts the text");
        end = span.end;
    }
    let sheet = vcard::read(&text);
    assert_eq!(sheet.headers.len(), sheet.targets.len());
    assert_eq!(sheet.rows.len(), items.len());
    for row in &sheet.rows {
        if let Row::Card { cells, .. } = row {
            assert_eq!(cells.len(), sheet.headers.len());
        }
    }

    // What the export writes, the reader reads back.
    let mut card = String::from("BEGIN:VCARD\r\nVERSION:4.0\r\n");
    push_folded(&mut card, &format!("NOTE:{}", escape_text(&text)));
    card.push_str("END:VCARD\r\n");
    match vcard::parse(&card).as_slice() {
        [Item::Card(c)] => {
            let note = c.props.iter().find(|p| p.name == "NOTE").map(|p| p.text());
            assert_eq!(note.as_deref(), Some(clean_text(&text).as_ref()));
        }
        other => panic!("the export's card read as {other:?}"),
    }
});
