//! Reading cell values the way CRMs and spreadsheets write them: dates in ISO, US and European
//! orders (the order decided once per file), amounts in either decimal convention, and vendor
//! status, stage, rating and loss-reason words mapped onto ripen's lifecycle.
//!
//! `dates`: dates and the day order of a file; `status`: status words and loss reasons;
//! `stage`: deal stages, closing stages and probabilities; `source`: vendors' source codes;
//! `cells`: ratings, yes/no flags, tags and cells neutralised against formulas.

mod cells;
mod dates;
mod source;
mod stage;
mod status;

pub use cells::{class_word, flag_word, split_tags, unneutralise};
pub use dates::{DateEvidence, DateOrder, DayOrder, parse_date};
pub use source::source_words;
pub use stage::{
    closing_stage, nearest_stage, probability_percent, stage_at_probability, stage_word,
};
pub use status::{DEFAULT_REASON, StatusWord, reason_key, status_said, status_word};
