//! The text filter's index: every lead's name, company, e-mail, tags and loss reason, by word,
//! so that a keystroke in the filter looks words up instead of reading a million leads.
//!
//! `leads_search` is an FTS5 index over the leads themselves (external content: it stores no
//! copy of the text), local and derived like the other indexes, kept current by triggers and
//! rebuilt whenever its definition changes. Words are split at anything but letters and digits,
//! compared without case or accents, and a filter word matches the start of a word: `mül`
//! finds "Müller", `acme.co` finds "jane@acme.com".

use rusqlite::Connection;

use super::Result;

/// The columns indexed, in the order the table declares them.
const COLUMNS: [&str; 5] = ["name", "company", "email", "tags", "reason"];

fn values(r: &str) -> String {
    COLUMNS
        .iter()
        .map(|c| format!("{r}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The index and its triggers, by name, as `sqlite_master` holds them.
pub(super) fn objects() -> Vec<(&'static str, String)> {
    let cols = COLUMNS.join(", ");
    let changed = COLUMNS
        .iter()
        .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let insert = format!(
        "INSERT INTO leads_search (rowid, {cols}) VALUES (NEW.rowid, {});",
        values("NEW")
    );
    let delete = format!(
        "INSERT INTO leads_search (leads_search, rowid, {cols}) VALUES ('delete', OLD.rowid, {});",
        values("OLD")
    );
    vec![
        (
            "leads_search",
            format!(
                "CREATE VIRTUAL TABLE leads_search USING fts5({cols}, content='leads', \
                 content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', \
                 prefix='1 2 3', detail=none, columnsize=0)"
            ),
        ),
        (
            "leads_search_insert",
            format!("CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN {insert} END"),
        ),
        (
            "leads_search_delete",
            format!("CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN {delete} END"),
        ),
        (
            "leads_search_update",
            format!(
                "CREATE TRIGGER leads_search_update AFTER UPDATE OF {cols} ON leads WHEN {changed} \
                 BEGIN {delete} {insert} END"
            ),
        ),
    ]
}

/// Index every lead (the index must be empty).
pub(super) fn fill(conn: &Connection) -> Result<()> {
    conn.execute_batch("INSERT INTO leads_search (leads_search) VALUES ('rebuild');")?;
    Ok(())
}

/// A letter without its accent, as the index's tokenizer (`remove_diacritics 2`) folds the
/// accented Latin letters that decompose (ü → u; ø and ł have no accent to drop); anything else
/// is left as it is.
fn fold_char(c: char) -> char {
    // Each letter of FROM is the letter at the same place in TO with an accent.
    const FROM: &str =
        "àáâãäåāăąçćĉċčďèéêëēĕėęěĝğġģĥìíîïĩīĭįĵķĺļľñńņňòóôõöōŏőŕŗřśŝşšţťùúûüũūŭůűųŵýÿŷźżž";
    const TO: &str =
        "aaaaaaaaacccccdeeeeeeeeegggghiiiiiiiijklllnnnnoooooooorrrssssttuuuuuuuuuuwyyyzzz";
    if c.is_ascii() {
        return c;
    }
    match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

/// The words of a text as the filter compares them: runs of letters and digits, lower-cased,
/// accents dropped.
pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .map(fold_char)
                .collect()
        })
        .collect()
}

/// Whether every word of `query` (already [`words`]) starts a word of one of `texts`: the
/// filter's rule, for rows read in a view's order when the index would return too many matches
/// to sort. It runs once per row walked, so it folds characters as it compares and allocates
/// nothing.
pub(super) fn words_start<'a>(query: impl IntoIterator<Item = &'a str>, texts: &[&str]) -> bool {
    query.into_iter().all(|q| {
        texts.iter().any(|t| {
            t.split(|c: char| !c.is_alphanumeric())
                .any(|w| starts_with_folded(w, q))
        })
    })
}

/// Whether `word`, lower-cased and without accents, starts with `prefix` (already folded).
fn starts_with_folded(word: &str, prefix: &str) -> bool {
    let mut folded = word.chars().flat_map(char::to_lowercase).map(fold_char);
    prefix.chars().all(|p| folded.next() == Some(p))
}

/// What a filter's text asks the index: every word (a run of letters and digits) as the start
/// of a word, all of them. None when the text holds no word.
pub(super) fn match_expr(text: &str) -> Option<String> {
    let words: Vec<String> = words(text)
        .into_iter()
        // A word of letters and digits needs no escaping inside FTS5's quotes.
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// Register `ripen_words(query, text, ...)`: 1 when every word of `query` starts a word of one
/// of the texts (NULL texts count as empty).
pub(super) fn register(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    conn.create_scalar_function(
        "ripen_words",
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // Borrowed, not copied: this runs on every row a dense filter walks.
            let text = |i: usize| match ctx.get_raw(i) {
                ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
                _ => "",
            };
            let query = text(0);
            let mut texts = [""; 8];
            let n = ctx.len().saturating_sub(1).min(texts.len());
            for (i, t) in texts.iter_mut().enumerate().take(n) {
                *t = text(i + 1);
            }
            Ok(words_start(
                query.split(' ').filter(|w| !w.is_empty()),
                &texts[..n],
            ))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_becomes_word_prefixes() {
        assert_eq!(match_expr("  "), None);
        assert_eq!(match_expr("%_\""), None);
        assert_eq!(match_expr("jane"), Some("\"jane\"*".into()));
        assert_eq!(
            match_expr("Müller acme.co"),
            Some("\"muller\"* AND \"acme\"* AND \"co\"*".into())
        );
        // Quotes and FTS5 syntax in the input are separators, never syntax.
        assert_eq!(
            match_expr("a\" OR x NEAR(b"),
            Some("\"a\"* AND \"or\"* AND \"x\"* AND \"near\"* AND \"b\"*".into())
        );
    }

    #[test]
    fn words_start_words_without_case_or_accents() {
        assert_eq!(
            words("Jürgen Dubois-Šťastný"),
            ["jurgen", "dubois", "stastny"]
        );
        assert!(words_start(
            ["mul", "acme"],
            &["Jana Müller", "jana@acme.com"]
        ));
        assert!(words_start(["mul", "acme"], &["Jana Müller jana@acme.com"]));
        assert!(!words_start(["ller"], &["Jana Müller"]));
        assert!(!words_start(["jana"], &["", "Jan A"]));
        assert!(words_start([], &["anything"]));
    }
}
