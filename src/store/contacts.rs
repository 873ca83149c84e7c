//! First and last contact per lead, kept current by triggers, for the speed and discipline
//! reports: "hours to first contact" by source, owner or month, and "touched in 30 days", read
//! in order from small indexes instead of a look-up into the timeline for each of a million leads.
//!
//! `contacts` is local and derived (like an index): one row per lead that is not in the trash
//! and has at least one contact (call, e-mail, meeting, message), holding copies of the lead's
//! fields the reports group by. Its first contact is the one made while the lead was new (the
//! timeline's [`Event::FirstContact`] entry), NULL when there is none: a lead imported as working
//! was first contacted at a time the book does not know, and the first call logged in ripen is
//! not its speed to lead. It is rebuilt from the book whenever its definition changes and is
//! never shared. The triggers other than the two inserts recompute the rows of the leads they
//! touch from scratch, so the table cannot drift from the timelines.

use rusqlite::Connection;

use super::Result;
use super::events::records;
use crate::domain::event::Event;

/// The activity kinds that count as contacting a lead.
pub(super) const CONTACT_KINDS: &str = "('call','email','meeting','message')";

const TABLE: &str = "CREATE TABLE contacts (\n    lead_uid    TEXT PRIMARY KEY NOT NULL,\n    \
    source      TEXT,\n    owner       TEXT NOT NULL,\n    status      TEXT NOT NULL,\n    \
    received_at INTEGER NOT NULL,\n    month       TEXT NOT NULL,\n    \
    first_at    INTEGER,\n    last_at     INTEGER NOT NULL,\n    \
    secs        INTEGER\n) WITHOUT ROWID";

/// The lead fields copied into `contacts`: a change to any of them recomputes the lead's row.
const COPIED: [&str; 5] = ["source", "owner", "status", "received_at", "deleted_at"];

/// The time of lead `uid`'s first contact while new, as SQL.
fn first_sql(uid: &str) -> String {
    format!(
        "(SELECT min(f.at) FROM activities f INDEXED BY activities_by_lead \
          WHERE f.lead_uid = {uid} AND {})",
        records("f.", &Event::FirstContact)
    )
}

/// Recompute the row of lead `uid` (an SQL expression) from its timeline.
fn recompute(uid: &str) -> String {
    format!(
        "DELETE FROM contacts WHERE lead_uid = {uid}; \
         INSERT INTO contacts {};",
        rows_from(&format!(
            "SELECT lead_uid, max(at) AS last FROM activities INDEXED BY activities_contacts \
             WHERE lead_uid = {uid} AND kind IN {CONTACT_KINDS} GROUP BY lead_uid"
        ))
    )
}

/// The rows of `contacts` for the leads of `last` (a query of `lead_uid, last`: each lead's
/// last contact), each lead's first contact while new read once.
fn rows_from(last: &str) -> String {
    let first = first_sql("l.uid");
    format!(
        "SELECT uid, source, owner, status, received_at, month, first, last, \
           first - received_at FROM (SELECT l.uid, l.source, l.owner, l.status, l.received_at, \
           ripen_month(l.received_at) AS month, {first} AS first, a.last \
           FROM ({last}) a JOIN leads l ON l.uid = a.lead_uid WHERE l.deleted_at IS NULL)"
    )
}

/// The table and its indexes, by name, as `sqlite_master` holds them.
pub(super) fn objects() -> Vec<(&'static str, String)> {
    vec![
        ("contacts", TABLE.to_string()),
        (
            "contacts_by_source",
            "CREATE INDEX contacts_by_source ON contacts(source, secs, received_at)".to_string(),
        ),
        (
            "contacts_by_owner",
            "CREATE INDEX contacts_by_owner ON contacts(owner, secs, received_at)".to_string(),
        ),
        (
            "contacts_by_month",
            "CREATE INDEX contacts_by_month ON contacts(month, secs, received_at)".to_string(),
        ),
        (
            "contacts_by_status",
            "CREATE INDEX contacts_by_status ON contacts(status, last_at, received_at)".to_string(),
        ),
    ]
}

/// The triggers that keep the table current, by name (each writing connection's own).
pub(super) fn triggers() -> Vec<(&'static str, String)> {
    let mut out = vec![
        // A new contact: the common case, one upsert. Its first contact while new is marked by
        // the entry below, which ripen writes after it; read here too, so that the other order
        // (a merge's copy, a script) comes to the same row.
        (
            "contacts_activity_insert",
            format!(
                "CREATE TRIGGER contacts_activity_insert AFTER INSERT ON activities \
                 WHEN NEW.kind IN {CONTACT_KINDS} BEGIN \
                 INSERT INTO contacts SELECT uid, source, owner, status, received_at, month, \
                   first, NEW.at, first - received_at FROM (SELECT l.uid, l.source, l.owner, \
                   l.status, l.received_at, ripen_month(l.received_at) AS month, \
                   {first} AS first FROM leads l WHERE l.uid = NEW.lead_uid AND l.deleted_at IS NULL) \
                 WHERE 1 ON CONFLICT (lead_uid) DO UPDATE SET last_at = max(last_at, excluded.last_at); END",
                first = first_sql("l.uid")
            ),
        ),
        (
            "contacts_first_insert",
            format!(
                "CREATE TRIGGER contacts_first_insert AFTER INSERT ON activities \
                 WHEN {} BEGIN \
                 UPDATE contacts SET first_at = min(coalesce(first_at, NEW.at), NEW.at), \
                   secs = min(coalesce(first_at, NEW.at), NEW.at) - received_at \
                 WHERE lead_uid = NEW.lead_uid; END",
                records("NEW.", &Event::FirstContact)
            ),
        ),
    ];
    out.extend(on_activity_change(
        ["contacts_activity_update", "contacts_activity_delete"],
        recompute,
    ));
    out.extend(on_lead_change(
        ["contacts_lead_update", "contacts_lead_delete"],
        "contacts",
        &COPIED,
        recompute,
    ));
    out
}

/// The triggers, named as given, that keep a derived table's copies of lead fields current:
/// a change to one of `copied` recomputes the lead's row (with `recompute`); a lead deleted
/// takes its row with it.
pub(super) fn on_lead_change(
    names: [&'static str; 2],
    table: &str,
    copied: &[&str],
    recompute: fn(&str) -> String,
) -> [(&'static str, String); 2] {
    [
        (
            names[0],
            format!(
                "CREATE TRIGGER {} AFTER UPDATE OF {} ON leads WHEN {} BEGIN {} END",
                names[0],
                copied.join(", "),
                super::any_changed(copied),
                recompute("NEW.uid")
            ),
        ),
        (
            names[1],
            format!(
                "CREATE TRIGGER {} AFTER DELETE ON leads BEGIN \
                 DELETE FROM {table} WHERE lead_uid = OLD.uid; END",
                names[1]
            ),
        ),
    ]
}

/// The triggers, named as given, that recompute a derived set's rows (with `recompute`, from
/// scratch) for the leads whose timeline an activity changed or left: rare, so one recompute
/// for each side is simplest.
pub(super) fn on_activity_change(
    names: [&'static str; 2],
    recompute: fn(&str) -> String,
) -> [(&'static str, String); 2] {
    [
        (
            names[0],
            format!(
                "CREATE TRIGGER {} AFTER UPDATE OF lead_uid, at, kind ON activities \
                 BEGIN {} {} END",
                names[0],
                recompute("OLD.lead_uid"),
                recompute("NEW.lead_uid")
            ),
        ),
        (
            names[1],
            format!(
                "CREATE TRIGGER {} AFTER DELETE ON activities BEGIN {} END",
                names[1],
                recompute("OLD.lead_uid")
            ),
        ),
    ]
}

/// Fill `contacts` from the book (it must be empty): one ordered pass over the contacts index,
/// and for each contacted lead a look into its own timeline for its first contact while new.
pub(super) fn fill(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "INSERT INTO contacts {};",
        rows_from(&format!(
            "SELECT lead_uid, max(at) AS last FROM activities INDEXED BY activities_contacts \
             WHERE kind IN {CONTACT_KINDS} GROUP BY lead_uid"
        ))
    ))?;
    Ok(())
}
