//! The import pipeline: read a file (sniffed), map its columns, check every row, decide the
//! file's date order, then build each row into a lead through the domain's own transitions and
//! hand the lot to the store, which writes it in one transaction.
//!
//! Two passes over the decoded text: the first checks rows and gathers date evidence (so that
//! nothing is written when a row is bad, and the day/month order is decided once from all
//! rows); the second builds leads and streams them into the store, so a million rows never sit
//! in memory as leads.
//!
//! By stage: `read` (the forgiving CSV reader, vCards, the joined file), `check` (the first
//! pass), `build` (cells to fields to a new lead, brought to the state its row asks for by
//! [`crate::domain::arrival`]), `pipeline` (the two passes and the report), `rejected` (the
//! rows `--skip-bad` leaves out), and `history` (activities attached to leads). The request
//! and report types live here.

mod build;
mod check;
mod history;
mod pipeline;
mod read;
mod rejected;

pub use history::{HistoryReport, HistoryRequest, import_history};
pub use pipeline::import_file;
pub use rejected::rejected_path;

use std::path::PathBuf;

use serde::Serialize;

use super::RowError;
use super::mapping::Override;
use crate::domain::{DomainError, Status};
use crate::store::OnDuplicate;

/// What an import's report names as the delimiter of a vCard file, which has none.
pub const VCARD: &str = "vCard";

/// A file that cannot be imported as asked.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {err}")]
    Read { path: PathBuf, err: std::io::Error },
    #[error("{0}")]
    Refused(String),
    #[error(
        "{file}: {} bad row(s); nothing was imported (--skip-bad imports the rest):\n{}",
        errors.len(),
        list_errors(errors)
    )]
    BadRows { file: String, errors: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

fn list_errors(errors: &[RowError]) -> String {
    // One line each: a newline inside a quoted value must not start a line of its own.
    let mut lines: Vec<String> = errors
        .iter()
        .take(20)
        .map(|e| format!("  {}", crate::domain::text::clean_line(&e.to_string())))
        .collect();
    if errors.len() > 20 {
        lines.push(format!("  … and {} more", errors.len() - 20));
    }
    lines.join("\n")
}

/// A `--status-map Word=status[:reason]` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusOverride {
    pub word: String,
    pub status: Status,
    pub reason: Option<String>,
}

impl std::str::FromStr for StatusOverride {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (w, target) = s
            .rsplit_once('=')
            .ok_or_else(|| format!("--status-map \"{s}\": expected Word=status"))?;
        let (st, reason) = match target.split_once(':') {
            Some((a, b)) => (a, Some(b.trim().to_string())),
            None => (target, None),
        };
        Ok(StatusOverride {
            word: w.trim().to_string(),
            status: st.parse().map_err(|e: DomainError| e.to_string())?,
            reason,
        })
    }
}

/// Everything `ripen import FILE` was asked.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub path: PathBuf,
    pub overrides: Vec<Override>,
    pub status_map: Vec<StatusOverride>,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
    pub skip_bad: bool,
    /// Owner for rows that name none (default: who I am, as `store::new_owner` says).
    pub owner: Option<String>,
    /// Rows that name no owner go to these in turn, in file order (the config's `team`), so
    /// that a list bought for the team is split evenly; a row that names its owner keeps it.
    pub round_robin: Vec<String>,
    /// Source for rows that name none.
    pub source: Option<String>,
    /// A second file whose rows are joined on `on` (contacts for leads).
    pub join: Option<PathBuf>,
    pub on: Option<String>,
    /// Show a progress bar (only drawn when stderr is a terminal and the file is large).
    pub progress: bool,
    /// Where `skip_bad` writes the rejected rows (default: [`rejected_path`], beside the file).
    pub rejected_to: Option<PathBuf>,
}

/// What an import did, for people and (as JSON) for scripts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub encoding: String,
    pub delimiter: String,
    /// Data rows read (the header not counted).
    pub rows: usize,
    pub mapping: Vec<String>,
    pub date_order: Option<String>,
    pub new: usize,
    pub merged: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub errors: Vec<String>,
    /// Rows without a received date, stamped with the import time.
    pub received_missing: usize,
    /// Closed rows (won, lost, disqualified) dated after the import: dated the import time.
    pub closed_future: usize,
    /// Closed rows with no close date, last change or last activity: dated when received.
    pub closed_undated: usize,
    /// Status words ripen did not know, with how many rows had each (imported as new).
    pub unknown_statuses: Vec<(String, usize)>,
    /// A deal file's stage names that are none of ripen's: each name, the stage it was read
    /// as (the nearest), and on how many rows.
    pub stages_read_as: Vec<(String, String, usize)>,
    pub notices: Vec<String>,
    /// Values in other currencies than the book's, by ISO code: how many rows had each.
    pub currencies: Vec<(String, usize)>,
    /// Notices beyond the first thousand, counted only.
    pub notices_dropped: usize,
    pub rejected_file: Option<String>,
    /// Why the rejected rows could not be written, the import itself having landed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_unwritten: Option<String>,
    pub dry_run: bool,
}

impl ImportReport {
    /// The summary line: "62 rows: 61 new, 1 merged, 0 skipped, 0 rejected".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} rows: {} new, {} merged, {} skipped, {} rejected",
            self.file, self.rows, self.new, self.merged, self.skipped, self.rejected
        );
        for note in self.dates_supplied() {
            s.push_str("; ");
            s.push_str(&note);
        }
        if self.dry_run {
            s.push_str(" (dry run: nothing written)");
        }
        s
    }

    /// The dates the import had to supply or move, in words.
    pub fn dates_supplied(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.received_missing > 0 {
            out.push(format!(
                "{} without a received date (stamped with the import time)",
                self.received_missing
            ));
        }
        if self.closed_undated > 0 {
            out.push(format!(
                "{} closed without a date (dated when received)",
                self.closed_undated
            ));
        }
        if self.closed_future > 0 {
            out.push(format!(
                "{} closed after today (dated today)",
                self.closed_future
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_overrides_parse() {
        let o: StatusOverride = "Engaging=open".parse().unwrap();
        assert_eq!(o.status, Status::Open);
        let o: StatusOverride = "Gone=lost:competitor".parse().unwrap();
        assert_eq!(o.reason.as_deref(), Some("competitor"));
        assert!("x=bogus".parse::<StatusOverride>().is_err());
    }
}
