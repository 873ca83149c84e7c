//! Pure rules of a lead's life: no I/O, no terminal, no clock. `now` always comes in as an
//! argument, so every rule is a plain unit test.

pub mod arrival;
pub mod changes;
pub mod conflicts;
pub mod edit;
pub mod event;
pub mod ids;
pub mod lead;
pub mod lifecycle;
pub mod merge;
pub mod money;
pub mod plan;
pub mod priority;
pub mod text;
pub mod time;

pub use lead::{Activity, ActivityKind, Class, Lead, Stage, Status};
pub use plan::Plan;
pub use time::Now;

/// A rule said no, or an input could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("unknown {what} \"{value}\" (known: {known})")]
    Unknown {
        what: &'static str,
        value: String,
        known: String,
    },
    #[error(
        "bad date \"{0}\" (try 2027-01-07, tomorrow, fri, +3d, +2w, +1m, april, 2027-04 or 2027-01-07 14:30)"
    )]
    BadDate(String),
    #[error("bad amount \"{0}\"")]
    BadValue(String),
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    Invalid(String),
}
