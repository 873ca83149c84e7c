//! Guessing how a text file was written: its encoding (UTF-8 with or without BOM, UTF-16 with a
//! BOM, else Windows-1252, decided for the whole file), its delimiter (`,` `;` tab `|`), and
//! Excel's `sep=` first line.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// A decoded file and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The whole text, without BOM and without a `sep=` line.
    pub text: String,
    pub encoding: &'static str,
    pub delimiter: u8,
    /// Physical lines dropped before `text` (1 when a `sep=` line was removed), so that line
    /// numbers in messages match what the user sees in an editor.
    pub lines_skipped: u64,
    /// The lines (1-based, as in an editor) of a UTF-8 file where bytes that are no UTF-8 were
    /// replaced with `�`.
    pub replaced_on: Vec<u64>,
}

impl Sniffed {
    /// The delimiter as a user would name it.
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            b',' => "comma",
            b';' => "semicolon",
            b'\t' => "tab",
            b'|' => "pipe",
            _ => "other",
        }
    }
}

/// Decode bytes to text: a BOM decides; without one, the file as a whole is UTF-8 when it reads
/// as UTF-8 (at least as many well-formed multi-byte characters as malformed bytes: a few bad
/// bytes in a UTF-8 file become `�`, and their lines are given), and Windows-1252 (what Excel
/// writes on Western Windows machines) when its only non-ASCII bytes are no UTF-8.
pub fn decode(bytes: Vec<u8>) -> (String, &'static str, Vec<u64>) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let replaced_on = malformed_lines(rest).1;
        return (
            String::from_utf8_lossy(rest).into_owned(),
            "UTF-8 (BOM)",
            replaced_on,
        );
    }
    if bytes.starts_with(b"\xFF\xFE") {
        let (text, _) = UTF_16LE.decode_with_bom_removal(&bytes);
        return (text.into_owned(), "UTF-16LE", Vec::new());
    }
    if bytes.starts_with(b"\xFE\xFF") {
        let (text, _) = UTF_16BE.decode_with_bom_removal(&bytes);
        return (text.into_owned(), "UTF-16BE", Vec::new());
    }
    match String::from_utf8(bytes) {
        Ok(s) => (s, "UTF-8", Vec::new()),
        Err(e) => {
            let bytes = e.into_bytes();
            let (well_formed, replaced_on) = malformed_lines(&bytes);
            if well_formed >= replaced_on.len() && well_formed > 0 {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                return (text, "UTF-8", replaced_on);
            }
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
            (text.into_owned(), "Windows-1252", Vec::new())
        }
    }
}

/// How many well-formed multi-byte UTF-8 characters `bytes` holds, and the lines holding a
/// malformed sequence (each line once), counting the malformed sequences line by line.
fn malformed_lines(bytes: &[u8]) -> (usize, Vec<u64>) {
    let mut well_formed = 0;
    let mut malformed = 0;
    let mut lines = Vec::new();
    let mut line = 1u64;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        well_formed += valid.chars().filter(|c| !c.is_ascii()).count();
        line += valid.bytes().filter(|b| *b == b'\n').count() as u64;
        if !chunk.invalid().is_empty() {
            malformed += 1;
            if lines.last() != Some(&line) {
                lines.push(line);
            }
        }
    }
    // Every malformed sequence counts against UTF-8, even several on one line.
    if malformed > lines.len() {
        let extra = malformed - lines.len();
        well_formed = well_formed.saturating_sub(extra);
    }
    (well_formed, lines)
}

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Count a byte outside double quotes on one line.
fn count_outside_quotes(line: &str, delim: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delim && !quoted {
            n += 1;
        }
    }
    n
}

/// The delimiter of a header line: the candidate that splits it most (ties: the order above).
pub fn guess_delimiter(header: &str) -> u8 {
    let mut best = (b',', 0);
    for d in CANDIDATES {
        let n = count_outside_quotes(header, d);
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// Whether these bytes are a vCard file (its first content opens a card): an address book
/// the import reads card by card instead of as a table.
pub fn is_vcard(bytes: &[u8]) -> bool {
    // A UTF-16 file (a BOM says so) is told by its first characters, decoded.
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let head = &bytes[..bytes.len().min(256)];
        let (text, _, _) = decode(head.to_vec());
        return is_vcard(text.as_bytes());
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(start) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    text[start..text.len().min(start + 11)].eq_ignore_ascii_case(b"BEGIN:VCARD")
}

/// What kind of file these bytes are when they are plainly not a table (nor a vCard, which
/// [`is_vcard`] tells): a spreadsheet workbook, ripen's own JSON export, an iCalendar file.
/// None for anything else.
pub fn not_a_table(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some("a spreadsheet workbook (.xlsx or .ods): save it as CSV first");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some("an old Excel workbook (.xls): save it as CSV first");
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &text[start..text.len().min(start + 16)];
    let upper = head.to_ascii_uppercase();
    // JSON opens an array of values or an object of "keys"; a header such as `[Name],[Email]`
    // opens with a bracket too, but a word follows it.
    let after = |open: u8| {
        head.strip_prefix(&[open])
            .map(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()).copied())
    };
    let json = match (after(b'['), after(b'{')) {
        (Some(next), _) => next.is_none_or(|b| b"{[\"]-0123456789tfn".contains(&b)),
        (_, Some(next)) => next.is_none_or(|b| b"\"}".contains(&b)),
        _ => false,
    };
    if json {
        Some("JSON, not CSV or TSV (ripen imports tables; its JSON export is for other tools)")
    } else if upper.starts_with(b"BEGIN:VCALENDAR") {
        Some("an iCalendar file, not CSV or TSV")
    } else {
        None
    }
}

/// Decode a file's bytes and find its delimiter.
pub fn sniff(bytes: Vec<u8>) -> Sniffed {
    let (mut text, encoding, replaced_on) = decode(bytes);
    let mut lines_skipped = 0;
    let mut forced = None;
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end_matches('\r');
    if let Some(sep) = first
        .strip_prefix("sep=")
        .or_else(|| first.strip_prefix("SEP="))
        && sep.len() == 1
    {
        forced = sep.bytes().next();
        text.drain(..(first_end + 1).min(text.len()));
        lines_skipped = 1;
    }
    let header_end = text.find('\n').unwrap_or(text.len());
    let delimiter = forced.unwrap_or_else(|| guess_delimiter(&text[..header_end]));
    Sniffed {
        text,
        encoding,
        delimiter,
        lines_skipped,
        replaced_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_no_table_are_named() {
        assert!(
            not_a_table(b"[\n  {\"id\": 1}]")
                .unwrap()
                .starts_with("JSON")
        );
        assert_eq!(not_a_table(b"\xEF\xBB\xBFBEGIN:VCARD\r\n"), None);
        assert!(is_vcard(b"\xEF\xBB\xBF\r\nbegin:vcard\r\n"));
        assert!(!is_vcard(b"Name,BEGIN:VCARD\n"));
        assert!(!is_vcard(b"BEGIN:VCAR"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "BEGIN:VCARD\r\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        assert!(is_vcard(&utf16));
        assert!(!is_vcard(&utf16[..6]));
        assert!(
            not_a_table(b"begin:vcalendar")
                .unwrap()
                .contains("iCalendar")
        );
        assert!(not_a_table(b"PK\x03\x04rest").unwrap().contains("workbook"));
        assert_eq!(not_a_table(b"Name,Email\nAnn,a@x\n"), None);
        assert_eq!(not_a_table(b"[Name],[Email]\nAnn,a@x\n"), None);
        assert_eq!(not_a_table(b"{Name};{Email}\n"), None);
        assert!(not_a_table(b"{\"leads\": []}").is_some());
        assert!(not_a_table(b"[]").is_some());
        assert_eq!(not_a_table(b""), None);
    }

    #[test]
    fn utf8_bom_is_removed() {
        let s = sniff(b"\xEF\xBB\xBFa,b\n1,2\n".to_vec());
        assert_eq!(s.text, "a,b\n1,2\n");
        assert_eq!(s.encoding, "UTF-8 (BOM)");
        assert_eq!(s.delimiter, b',');
    }

    #[test]
    fn utf16_both_orders_decode() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Näme\tX\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let s = sniff(le);
        assert_eq!((s.text.as_str(), s.delimiter), ("Näme\tX\n", b'\t'));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("a|b\n".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        let s = sniff(be);
        assert_eq!(
            (s.text.as_str(), s.encoding, s.delimiter),
            ("a|b\n", "UTF-16BE", b'|')
        );
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let s = sniff(b"Name;Wert\nM\xFCller;12.345,50\n".to_vec());
        assert_eq!(s.encoding, "Windows-1252");
        assert!(s.text.contains("Müller"));
        assert_eq!(s.delimiter, b';');
    }

    #[test]
    fn a_utf8_file_with_a_bad_byte_stays_utf8_and_names_the_line() {
        let s = sniff(
            b"name,city\nJ\xC3\xBCrgen M\xC3\xBCller,K\xC3\xB6ln\nBad \xFF Byte,Ulm\n".to_vec(),
        );
        assert_eq!(s.encoding, "UTF-8");
        assert!(s.text.contains("Jürgen Müller,Köln"), "{}", s.text);
        assert!(s.text.contains("Bad \u{FFFD} Byte"));
        assert_eq!(s.replaced_on, [3]);
    }

    #[test]
    fn a_windows_file_with_one_accidental_utf8_pair_is_still_windows_1252() {
        let s = sniff(b"name\nM\xFCller\nG\xF6rz\n\xC3\xA9\n".to_vec());
        assert_eq!(s.encoding, "Windows-1252");
        assert!(s.text.contains("Müller") && s.text.contains("Görz"));
    }

    #[test]
    fn excel_sep_line_sets_the_delimiter_and_is_dropped() {
        let s = sniff(b"sep=;\r\na,b;c\r\n".to_vec());
        assert_eq!(s.text, "a,b;c\r\n");
        assert_eq!(s.delimiter, b';');
        assert_eq!(s.lines_skipped, 1);
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        assert_eq!(guess_delimiter("\"a;b;c\",x,y"), b',');
    }
}
