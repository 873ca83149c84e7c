//! Names the book tells apart by what they say, not how they were typed: a lead's source and its
//! owner. "Webinar Oct", "webinar  oct" and "WEBINAR_OCT" are one source; "Søren Berg", "soren
//! berg" and "Sören Berg" one owner. The book keeps the first spelling it saw and uses it
//! everywhere after.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A name as names are told apart: case, accents and spacing ignored (underscores count as
/// spaces: a vendor's `PAID_SEARCH` is the "Paid search" an earlier import wrote).
pub fn name_key(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.nfkd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .map(|c| match c {
                    // Letters with no decomposition, as written without them.
                    'ø' => 'o',
                    'ł' => 'l',
                    'đ' | 'ð' => 'd',
                    'ı' => 'i',
                    c => c,
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name as the book spells it: the first of `known` with the same [`name_key`], else as typed
/// with its spaces tidied.
pub fn spelled_as<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let key = name_key(name);
    known.into_iter().find(|s| name_key(s) == key).map_or_else(
        || name.split_whitespace().collect::<Vec<_>>().join(" "),
        str::to_string,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_apart_without_case_accents_or_spacing() {
        assert_eq!(name_key(" Webinar  OCT "), name_key("webinar oct"));
        assert_ne!(name_key("Webinar Oct"), name_key("Webinar Nov"));
        assert_eq!(name_key("Trade show"), "trade show");
        assert_eq!(name_key("PAID_SEARCH"), name_key("Paid search"));
        assert_eq!(name_key("Søren Müller"), "soren muller");
        assert_eq!(name_key("SAM  RÉP"), name_key("sam rep"));
        assert_ne!(name_key("Sam Rep"), name_key("Sam Repp"));
    }

    #[test]
    fn a_name_takes_the_books_first_spelling() {
        assert_eq!(
            spelled_as("webinar  oct", ["Trade show", "Webinar Oct"]),
            "Webinar Oct"
        );
        assert_eq!(spelled_as(" New  fair ", ["Trade show"]), "New fair");
        assert_eq!(spelled_as("jose ruiz", ["José Ruiz"]), "José Ruiz");
    }
}
