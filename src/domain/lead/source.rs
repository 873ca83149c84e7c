//! A source's name as sources are told apart, and as the book spells it.

/// A source's name as sources are told apart: case and spacing ignored, so that "Webinar Oct",
/// "webinar oct" and "Webinar  Oct " are one source in the reports and for its cost.
pub fn source_key(source: &str) -> String {
    // Underscores too: a vendor's `PAID_SEARCH` is the "Paid search" an earlier import wrote.
    source
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A source as the book spells it: the first of `known` with the same [`source_key`], else as
/// typed with its spaces tidied.
pub fn spelled_as<'a>(source: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let key = source_key(source);
    known
        .into_iter()
        .find(|s| source_key(s) == key)
        .map_or_else(
            || source.split_whitespace().collect::<Vec<_>>().join(" "),
            str::to_string,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_apart_without_case_or_spacing() {
        assert_eq!(source_key(" Webinar  OCT "), source_key("webinar oct"));
        assert_ne!(source_key("Webinar Oct"), source_key("Webinar Nov"));
        assert_eq!(source_key("Trade show"), "trade show");
        assert_eq!(source_key("PAID_SEARCH"), source_key("Paid search"));
        assert_eq!(
            spelled_as("webinar  oct", ["Trade show", "Webinar Oct"]),
            "Webinar Oct"
        );
        assert_eq!(spelled_as(" New  fair ", ["Trade show"]), "New fair");
    }
}
