//! Each lead's last contact and last activity, kept current by triggers, so that a window of
//! any view reads them with one look-up per lead instead of two into the timeline (a contact
//! index and the activities): on a million-lead book that was a third of the pages
//! `ripen list queue` read.
//!
//! `touches` is local and derived (like an index): one row per lead with at least one activity
//! that is not a note, trash or not. It is rebuilt from the timelines whenever its definition
//! changes and is never shared. A new activity is one upsert; a changed or removed one
//! recomputes its leads' rows from scratch, so the table cannot drift from the timelines.

use rusqlite::Connection;

use super::Result;
use super::contacts::{CONTACT_KINDS, on_activity_change};

/// Recompute the row of lead `uid` (an SQL expression) from its timeline.
fn recompute(uid: &str) -> String {
    format!(
        "DELETE FROM touches WHERE lead_uid = {uid}; \
         INSERT INTO touches (lead_uid, last_contact, last_activity) \
         SELECT {uid}, (SELECT max(c.at) FROM activities c INDEXED BY activities_contacts \
                        WHERE c.lead_uid = {uid} AND c.kind IN {CONTACT_KINDS}), max(a.at) \
         FROM activities a INDEXED BY activities_by_lead \
         WHERE a.lead_uid = {uid} AND a.kind <> 'note' HAVING count(*) > 0;"
    )
}

/// The table, by name, as `sqlite_master` holds it.
pub(super) fn objects() -> Vec<(&'static str, String)> {
    vec![(
        "touches",
        "CREATE TABLE touches (\n    lead_uid      TEXT PRIMARY KEY NOT NULL,\n    \
         last_contact  INTEGER,\n    last_activity INTEGER NOT NULL\n) WITHOUT ROWID"
            .to_string(),
    )]
}

/// The triggers that keep the table current, by name (each writing connection's own).
pub(super) fn triggers() -> Vec<(&'static str, String)> {
    let mut out = vec![
        // A new activity: the common case, one upsert. (`max` of a NULL is NULL, hence the
        // coalesce for a lead's first contact.)
        (
            "touches_activity_insert",
            format!(
                "CREATE TRIGGER touches_activity_insert AFTER INSERT ON activities \
                 WHEN NEW.kind <> 'note' BEGIN \
                 INSERT INTO touches (lead_uid, last_contact, last_activity) \
                 VALUES (NEW.lead_uid, CASE WHEN NEW.kind IN {CONTACT_KINDS} THEN NEW.at END, \
                   NEW.at) \
                 ON CONFLICT (lead_uid) DO UPDATE SET \
                   last_contact = coalesce(max(last_contact, excluded.last_contact), \
                     last_contact, excluded.last_contact), \
                   last_activity = max(last_activity, excluded.last_activity); END"
            ),
        ),
    ];
    out.extend(on_activity_change(
        ["touches_activity_update", "touches_activity_delete"],
        recompute,
    ));
    out
}

/// Fill `touches` from the timelines (it must be empty): one ordered pass over the activities
/// index, which holds every column this reads.
pub(super) fn fill(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "INSERT INTO touches (lead_uid, last_contact, last_activity) \
         SELECT lead_uid, max(at) FILTER (WHERE kind IN {CONTACT_KINDS}), max(at) \
         FROM activities INDEXED BY activities_by_lead WHERE kind <> 'note' GROUP BY lead_uid"
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{NewLead, Store};
    use crate::domain::{Now, Plan};
    use chrono::{TimeZone, Utc};

    type Row = (String, Option<i64>, i64);

    fn rows(store: &Store, sql: &str) -> Vec<Row> {
        let mut stmt = store.conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn assert_current(store: &Store) {
        let cached = rows(
            store,
            "SELECT lead_uid, last_contact, last_activity FROM touches ORDER BY 1",
        );
        let recomputed = rows(
            store,
            "SELECT lead_uid, max(at) FILTER (WHERE kind IN ('call','email','meeting','message')), \
             max(at) FROM activities WHERE kind <> 'note' GROUP BY lead_uid ORDER BY 1",
        );
        assert_eq!(cached, recomputed);
    }

    #[test]
    fn every_change_to_a_timeline_keeps_its_leads_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("book.db"), Plan::default()).unwrap();
        let now = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let mut uids = Vec::new();
        for name in ["Ana", "Bob"] {
            let new = NewLead {
                name: name.into(),
                ..NewLead::default()
            };
            uids.push(store.add_lead(new, &now).unwrap().1);
        }
        assert_current(&store);
        let t = now.utc.timestamp();
        let add = |store: &Store, id: &str, lead: &str, at: i64, kind: &str| {
            store
                .conn
                .execute(
                    "INSERT INTO activities (uid, lead_uid, at, kind, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?3)",
                    rusqlite::params![id, lead, at, kind],
                )
                .unwrap();
        };
        // A later call, an earlier e-mail (the last contact stays the call), a note (no effect).
        add(&store, "a1", &uids[0], t + 100, "call");
        add(&store, "a2", &uids[0], t + 50, "email");
        add(&store, "a3", &uids[0], t + 200, "note");
        assert_current(&store);
        // The call becomes a note, moves to the other lead, then goes.
        for sql in [
            "UPDATE activities SET kind = 'note' WHERE uid = 'a1'",
            "UPDATE activities SET kind = 'call', at = at + 1000 WHERE uid = 'a1'",
            "UPDATE activities SET lead_uid = (SELECT uid FROM leads WHERE name = 'Bob') \
             WHERE uid = 'a1'",
            "DELETE FROM activities WHERE uid = 'a1'",
            "DELETE FROM activities WHERE kind <> 'note'",
        ] {
            store.conn.execute(sql, []).unwrap();
            assert_current(&store);
        }
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM touches", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "a lead with only notes has no row");
    }
}
