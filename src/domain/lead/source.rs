//! A source's name as sources are told apart: as every name the book tells apart
//! ([`super::names`]).

/// A source's name as sources are told apart: case, accents and spacing ignored, so that
/// "Webinar Oct", "webinar oct" and "Webinar  Oct " are one source in the reports and for its
/// cost.
pub fn source_key(source: &str) -> String {
    super::names::name_key(source)
}
