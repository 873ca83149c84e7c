//! Neutralising text from outside (imports, the database) before it reaches a terminal: C0 and C1
//! controls, ESC, DEL, bidi overrides and zero-width characters become visible placeholders or
//! disappear, so no byte of user data can move the cursor, retitle the window or reorder a line.

use std::borrow::Cow;

/// Longest a one-line field may be: a name, a company, an e-mail, an outcome, the tags together
/// (one limit wherever the field is typed or imported, so what ripen exports imports back).
pub const LINE_MAX_CHARS: usize = 1_000;

/// Longest a text may be: notes, a loss's note, an activity's note, an imported column kept as
/// it came. Also the longest cell an import reads, so a quote left open cannot swallow a file.
pub const TEXT_MAX_CHARS: usize = 100_000;

/// How many characters `s` has, counted only when its bytes could exceed `max`.
pub fn chars_over(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}

/// Refuse `value` for the field `what` if it is longer than `max` characters.
pub fn check_length(what: &str, value: &str, max: usize) -> Result<(), super::DomainError> {
    match chars_over(value, max) {
        Some(n) => Err(super::DomainError::Invalid(format!(
            "{what} is {n} characters long (limit {max})"
        ))),
        None => Ok(()),
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// A character that must never reach a terminal raw, even inside JSON: C0 and C1 controls, DEL,
/// bidi overrides, zero-width characters, and the line and paragraph separators.
pub fn is_hazard(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

fn needs_work(c: char, keep_newlines: bool) -> bool {
    (c.is_control() && !(keep_newlines && c == '\n')) || is_bidi_control(c) || is_invisible(c)
}

/// Make text safe to print on one line: controls become Unicode control pictures (`␛`), bidi
/// overrides become `�`, zero-width characters vanish, tabs and newlines become spaces.
pub fn clean_line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// As [`clean_line`], but newlines are kept (for notes).
pub fn clean_text(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_work(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\r' if keep_newlines => {}
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_invisible(c) => {}
            c if is_bidi_control(c) => out.push('\u{FFFD}'),
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'))
            }
            '\u{7F}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Clean a field on its way into the book: controls neutralised as by [`clean_text`] (or
/// [`clean_line`] when `multiline` is false), surrounding space trimmed; `None` when empty.
pub fn clean_field(s: &str, multiline: bool) -> Option<String> {
    let cleaned = if multiline {
        clean_text(s)
    } else {
        clean_line(s)
    };
    let t = cleaned.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Cut a string to at most `max` characters, marking the cut with `…`.
pub fn truncate_chars(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_inert_pictures() {
        let evil = "Evil \x1b]0;pwned\x07\x1b[2J";
        let clean = clean_line(evil);
        assert!(!clean.chars().any(|c| c.is_control()));
        assert_eq!(clean, "Evil ␛]0;pwned␇␛[2J");
    }

    #[test]
    fn c1_bidi_and_zero_width_are_neutralised() {
        assert_eq!(clean_line("a\u{9b}b"), "a\u{FFFD}b");
        assert_eq!(clean_line("abc\u{202E}fed"), "abc\u{FFFD}fed");
        assert_eq!(clean_line("zero\u{200B}width\u{FEFF}"), "zerowidth");
    }

    #[test]
    fn clean_text_keeps_newlines_but_not_carriage_returns() {
        assert_eq!(clean_text("one\r\ntwo\tthree"), "one\ntwo three");
        assert_eq!(clean_line("one\ntwo"), "one two");
    }

    #[test]
    fn plain_text_is_borrowed_untouched() {
        assert!(matches!(
            clean_line("Jürgen Müller · Ökonomie"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn fields_are_trimmed_and_empty_ones_dropped() {
        assert_eq!(clean_field("  Acme \u{200B} ", false), Some("Acme".into()));
        assert_eq!(clean_field(" \u{200B} ", false), None);
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert!(check_length("name", &"ü".repeat(1_000), LINE_MAX_CHARS).is_ok());
        let e = check_length("name", &"ü".repeat(1_001), LINE_MAX_CHARS).unwrap_err();
        assert_eq!(e.to_string(), "name is 1001 characters long (limit 1000)");
        assert_eq!(chars_over(&"a".repeat(5), 4), Some(5));
        assert_eq!(chars_over("abcd", 4), None);
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate_chars("abcdef", 4), "abc…");
        assert_eq!(truncate_chars("abc", 4), "abc");
    }
}
