//! Import and export: reading a rep's spreadsheet, CRM export or address book (vCard) into
//! the book, and writing the book back out as CSV, JSON, vCard and iCalendar. Reading and
//! mapping are pure; the only writes go through the store (one transaction per file) and
//! [`atomic`] for output files.

pub mod atomic;
pub mod export;
pub mod import;
pub mod json;
pub mod mapping;
pub mod sniff;
pub mod stages;
pub mod sync;
pub mod values;
pub mod vcard;

use std::fmt;

/// Where in an input file something went wrong: file name, physical line, and the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    /// The column's header, when one column is at fault.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)?;
        if let Some(c) = &self.column {
            write!(f, " (column \"{c}\")")?;
        }
        Ok(())
    }
}
