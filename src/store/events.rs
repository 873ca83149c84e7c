//! Timeline entries found by what they record (`activities.event`, a typed
//! [`Event`]'s code), never by their words; in the rows of a book written before events were
//! typed (no code), by the words ripen wrote for the event then ([`Event::old_words`]). The one
//! place a reader's SQL falls back to words, so that such a book keeps every report as it was.

use crate::domain::event::Event;

/// SQL: whether the activity `row` (a table alias with its dot, `f.`, or `NEW.`) is the system
/// entry that records `event` (a constant of the domain, never input, is formatted in).
pub(super) fn records(row: &str, event: &Event) -> String {
    let code = event.code();
    debug_assert!(!code.contains('\''));
    match event.old_words() {
        Some(words) => {
            debug_assert!(!words.contains('\''));
            format!(
                "({row}kind = 'system' AND ({row}event = '{code}' \
                 OR {row}event IS NULL AND {row}note = '{words}'))"
            )
        }
        None => format!("({row}kind = 'system' AND {row}event = '{code}')"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::derived::{DERIVED, rebuild_set};
    use super::super::{NewLead, Store};
    use crate::domain::event::{FIRST_CONTACT, LEFT_INBOX_UNCONTACTED};
    use crate::domain::lifecycle::{self, Contact};
    use crate::domain::{ActivityKind, Now, Plan};
    use chrono::{Duration, TimeZone, Utc};
    use rusqlite::OptionalExtension;

    fn now() -> Now {
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    /// A lead received a day ago, by name.
    fn add(store: &mut Store, name: &str) -> String {
        let new = NewLead {
            name: name.into(),
            source: Some("Web".into()),
            received_at: Some(now().utc - Duration::days(1)),
            ..NewLead::default()
        };
        store.add_lead(new, &now()).unwrap().1
    }

    /// An activity `hours` after the lead's receipt, written as another release (or ripen) would.
    fn insert(store: &Store, lead: &str, hours: i64, kind: &str, note: &str, event: Option<&str>) {
        let at = (now().utc - Duration::days(1) + Duration::hours(hours)).timestamp();
        store
            .conn
            .execute(
                "INSERT INTO activities (uid, lead_uid, at, kind, note, event, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3)",
                rusqlite::params![
                    uuid::Uuid::now_v7().to_string(),
                    lead,
                    at,
                    kind,
                    note,
                    event
                ],
            )
            .unwrap();
    }

    /// Hours to first contact per lead, as `contacts` holds them, and the leads `uncontacted`
    /// holds.
    fn derived(store: &Store, leads: &[&str]) -> (Vec<Option<i64>>, Vec<bool>) {
        let hours = leads
            .iter()
            .map(|l| {
                store
                    .conn
                    .query_row(
                        "SELECT secs / 3600 FROM contacts WHERE lead_uid = ?1",
                        [l],
                        |r| r.get(0),
                    )
                    .optional()
                    .unwrap()
                    .flatten()
            })
            .collect();
        let marked = leads
            .iter()
            .map(|l| {
                store
                    .conn
                    .query_row(
                        "SELECT count(*) FROM uncontacted WHERE lead_uid = ?1",
                        [l],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap()
                    == 1
            })
            .collect();
        (hours, marked)
    }

    /// The speed report's tables find a first contact, and a lead that left the inbox without
    /// one, by the typed event whatever the words say; in rows written before events were
    /// typed (no event), by the old words; never by the words of a row that records another
    /// event. Kept so by the triggers, and the same when the tables are rebuilt from the book.
    #[test]
    fn the_speed_report_reads_events_and_the_old_words_of_rows_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("book.db"), Plan::default()).unwrap();
        // Contacted through ripen: the entry it writes holds the event.
        let logged = add(&mut store, "Ana");
        let call = Contact {
            kind: ActivityKind::Call,
            outcome: None,
            note: None,
            at: Some(now().utc - Duration::days(1) + Duration::hours(2)),
            next: None,
        };
        store
            .apply(&logged, &now(), |l, p| {
                lifecycle::log_contact(l, call, &now(), p)
            })
            .unwrap();
        let code: String = store
            .conn
            .query_row(
                "SELECT event FROM activities WHERE lead_uid = ?1 AND note = ?2",
                [logged.as_str(), FIRST_CONTACT],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(code, "first-contact");
        // The event, in other words (a later release reworded them).
        let reworded = add(&mut store, "Bob");
        insert(&store, &reworded, 3, "call", "", None);
        insert(
            &store,
            &reworded,
            3,
            "system",
            "reached: new → working",
            Some("first-contact"),
        );
        // A book made by an earlier release: no event, the old words.
        let old = add(&mut store, "Cleo");
        insert(&store, &old, 5, "call", "", None);
        insert(&store, &old, 5, "system", FIRST_CONTACT, None);
        // Another event that happens to say those words is not a first contact.
        let other = add(&mut store, "Dan");
        insert(&store, &other, 7, "call", "", None);
        insert(&store, &other, 7, "system", FIRST_CONTACT, Some("received"));
        // Left the inbox without a contact: reworded, in an old book, and words of another
        // event.
        let left = add(&mut store, "Eve");
        insert(
            &store,
            &left,
            1,
            "system",
            "closed unreached",
            Some("left-inbox"),
        );
        let left_old = add(&mut store, "Fay");
        insert(&store, &left_old, 1, "system", LEFT_INBOX_UNCONTACTED, None);
        let not_left = add(&mut store, "Gus");
        insert(
            &store,
            &not_left,
            1,
            "system",
            LEFT_INBOX_UNCONTACTED,
            Some("trashed"),
        );
        let leads = [
            logged.as_str(),
            &reworded,
            &old,
            &other,
            &left,
            &left_old,
            &not_left,
        ];
        let expected = (
            vec![Some(2), Some(3), Some(5), None, None, None, None],
            vec![false, false, false, false, true, true, false],
        );
        assert_eq!(derived(&store, &leads), expected, "kept by the triggers");
        for set in &DERIVED {
            rebuild_set(&store.conn, set, store.month_zone).unwrap();
        }
        assert_eq!(derived(&store, &leads), expected, "rebuilt from the book");
        let period = crate::store::Period {
            since: now().utc - Duration::days(2),
            until: now().utc,
        };
        let speed = store
            .report_speed(&period, crate::store::By::Source)
            .unwrap();
        assert_eq!(speed.len(), 1);
        // Timed: Ana 2 h, Bob 3 h, Cleo 5 h.
        assert_eq!(
            (speed[0].median_hours, speed[0].p90_hours),
            (Some(3.0), Some(5.0))
        );
    }

    /// A merge copies the duplicate's first contact as a first contact (its other changes of
    /// state as notes), an entry written before events were typed too: the copy is known by its
    /// event.
    #[test]
    fn a_merge_copies_an_old_first_contact_with_its_event() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("book.db"), Plan::default()).unwrap();
        let kept = add(&mut store, "Jane Doe");
        let gone = add(&mut store, "Jane Doe");
        insert(&store, &gone, 4, "call", "", None);
        insert(&store, &gone, 4, "system", FIRST_CONTACT, None);
        store.merge(&gone, &kept, &now()).unwrap();
        let copied = |note: &str| -> (String, Option<String>) {
            store
                .conn
                .query_row(
                    "SELECT kind, event FROM activities WHERE lead_uid = ?1 AND note = ?2",
                    [kept.as_str(), note],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        assert_eq!(
            copied(FIRST_CONTACT),
            ("system".into(), Some("first-contact".into()))
        );
        // The duplicate's receipt, written with its event, comes over as a note that keeps it.
        let mut stmt = store
            .conn
            .prepare("SELECT kind, event FROM activities WHERE lead_uid = ?1 ORDER BY at, uid")
            .unwrap();
        let rows: Vec<(String, Option<String>)> = stmt
            .query_map([&kept], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            rows.contains(&("note".into(), Some("received".into()))),
            "{rows:?}"
        );
        let (hours, _) = derived(&store, &[kept.as_str()]);
        assert_eq!(
            hours,
            [Some(4)],
            "the kept lead's first contact is the copy's"
        );
    }
}
