//! The leads that left the inbox without a contact (qualified, disqualified or won straight
//! from `new`: the timeline's [`Event::LeftInboxUncontacted`] entry), by source, owner and month of
//! receipt, kept current by triggers, for the speed report: such a lead was never contacted,
//! where a lead imported as working was contacted at a time the book does not know.
//!
//! `uncontacted` is local and derived (like an index): one row per lead not in the trash with
//! that entry, rebuilt from the book whenever its definition changes and never shared. Every
//! trigger recomputes the rows of the leads it touches from scratch.

use rusqlite::Connection;

use super::Result;
use super::contacts::{on_activity_change, on_lead_change};
use super::events::records;
use crate::domain::event::Event;

const TABLE: &str = "CREATE TABLE uncontacted (\n    lead_uid    TEXT PRIMARY KEY NOT NULL,\n    \
    source      TEXT,\n    owner       TEXT NOT NULL,\n    month       TEXT NOT NULL,\n    \
    received_at INTEGER NOT NULL\n) WITHOUT ROWID";

/// The lead fields copied into `uncontacted`: a change to any of them recomputes the row.
const COPIED: [&str; 4] = ["source", "owner", "received_at", "deleted_at"];

/// The rows of `uncontacted` for the leads `uids` (a query of `lead_uid`).
fn rows_from(uids: &str) -> String {
    format!(
        "SELECT l.uid, l.source, l.owner, ripen_month(l.received_at), \
           l.received_at FROM ({uids}) a JOIN leads l ON l.uid = a.lead_uid \
         WHERE l.deleted_at IS NULL"
    )
}

/// The leads marked so, among those `lead_uid = {uid}` names (an SQL expression), or all.
fn marked(uid: Option<&str>) -> String {
    let one = uid.map_or(String::new(), |u| format!(" AND lead_uid = {u}"));
    format!(
        "SELECT DISTINCT lead_uid FROM activities WHERE {}{one}",
        records("", &Event::LeftInboxUncontacted)
    )
}

/// Recompute the row of lead `uid` (an SQL expression) from its timeline.
fn recompute(uid: &str) -> String {
    format!(
        "DELETE FROM uncontacted WHERE lead_uid = {uid}; INSERT INTO uncontacted {};",
        rows_from(&marked(Some(uid)))
    )
}

/// The table and its indexes, by name, as `sqlite_master` holds them.
pub(super) fn objects() -> Vec<(&'static str, String)> {
    vec![
        ("uncontacted", TABLE.to_string()),
        (
            "uncontacted_by_source",
            "CREATE INDEX uncontacted_by_source ON uncontacted(source, received_at)".to_string(),
        ),
        (
            "uncontacted_by_owner",
            "CREATE INDEX uncontacted_by_owner ON uncontacted(owner, received_at)".to_string(),
        ),
        (
            "uncontacted_by_month",
            "CREATE INDEX uncontacted_by_month ON uncontacted(month, received_at)".to_string(),
        ),
    ]
}

/// The triggers that keep the table current, by name (each writing connection's own).
pub(super) fn triggers() -> Vec<(&'static str, String)> {
    let mut out = vec![(
        "uncontacted_mark_insert",
        format!(
            "CREATE TRIGGER uncontacted_mark_insert AFTER INSERT ON activities \
             WHEN {} BEGIN {} END",
            records("NEW.", &Event::LeftInboxUncontacted),
            recompute("NEW.lead_uid")
        ),
    )];
    out.extend(on_activity_change(
        ["uncontacted_activity_update", "uncontacted_activity_delete"],
        recompute,
    ));
    out.extend(on_lead_change(
        ["uncontacted_lead_update", "uncontacted_lead_delete"],
        "uncontacted",
        &COPIED,
        recompute,
    ));
    out
}

/// Fill `uncontacted` from the book (it must be empty): one pass over the timelines.
pub(super) fn fill(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "INSERT INTO uncontacted {};",
        rows_from(&marked(None))
    ))?;
    Ok(())
}
