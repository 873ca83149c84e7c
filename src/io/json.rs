//! JSON as ripen writes it, to a file or a terminal: serde_json's output, with every character
//! that could act on a terminal (C1 controls, bidi overrides, zero-width characters, line
//! separators) written as a `\uXXXX` escape too. serde_json escapes only C0 controls, and a
//! script's `jq .` or a user's `cat` would pass the rest to the terminal raw.

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

use crate::domain::text::is_hazard;

/// Write `value` as indented JSON.
pub fn write_pretty<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Escaping(PrettyFormatter::new()));
    value.serialize(&mut ser)
}

/// Write `value` as JSON on one line.
pub fn write_compact<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Escaping(CompactFormatter));
    value.serialize(&mut ser)
}

/// `value` as indented JSON text.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    match write_pretty(&mut out, value) {
        // serde_json writes UTF-8 only.
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// A formatter that escapes what [`is_hazard`] names and leaves the layout to `F`.
struct Escaping<F>(F);

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_hazard(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_hazards_are_escaped_and_the_text_reads_back_the_same() {
        let evil = "a\u{1b}]0;x\u{7}b\u{9b}c\u{202E}d\u{200B}e\u{2028}f ü 😀";
        let text = to_string_pretty(&serde_json::json!({ "name": evil }));
        assert!(!text.chars().any(is_hazard_but_newline), "{text}");
        assert!(
            text.contains("\\u009b") && text.contains("\\u202e"),
            "{text}"
        );
        assert!(text.contains("ü 😀"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], evil);
        let mut one = Vec::new();
        write_compact(&mut one, &[evil]).unwrap();
        assert!(!String::from_utf8(one).unwrap().chars().any(is_hazard));
    }

    fn is_hazard_but_newline(c: char) -> bool {
        c != '\n' && is_hazard(c)
    }

    #[test]
    fn the_layout_is_serde_jsons_own() {
        let v = serde_json::json!({"a": [1, 2], "b": {"c": null}});
        assert_eq!(
            to_string_pretty(&v),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}
