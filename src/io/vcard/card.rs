//! A card and its properties: name, parameters, and the value as written (escaped), with the
//! unescaping and splitting of TEXT values.

use std::ops::Range;

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
    pub(super) fn param<'a>(&'a self, name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.params
            .iter()
            .filter(move |(n, _)| n == name)
            .flat_map(|(_, v)| v.iter().map(|s| s.to_lowercase()))
    }

    /// `TYPE=work,cell` (4.0), `TYPE=WORK;TYPE=PREF` (3.0) or bare `WORK` (2.1).
    pub(super) fn types(&self) -> Vec<String> {
        self.param("TYPE").collect()
    }

    /// Marked preferred: `PREF=1` (4.0) or `TYPE=pref` (3.0).
    pub(super) fn preferred(&self) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_are_undone() {
        assert_eq!(unescape(r"a\,b\;c\nd\Ne\\f"), "a,b;c\nd\ne\\f");
        assert_eq!(unescape(r"C:\temp"), r"C:\temp");
        assert_eq!(unescape("end\\"), "end\\");
    }
}
