//! Random action sequences at random terminal sizes keep the book's invariants: every lead is in
//! exactly one lifecycle status, timelines only grow, and the counts in the tabs equal the
//! store's — after every single action.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use ripen::domain::{Now, Plan};
use ripen::store::{Counts, Filter, Store, View};
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;
use ripen::tui::view;

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

const COMMANDS: [Command; 35] = [
    Command::Inbox,
    Command::Queue,
    Command::Pipeline,
    Command::Recycled,
    Command::Reports,
    Command::NextView,
    Command::PrevView,
    Command::Down,
    Command::Up,
    Command::Top,
    Command::Bottom,
    Command::PageDown,
    Command::PageUp,
    Command::Left,
    Command::Right,
    Command::Detail,
    Command::Back,
    Command::Add,
    Command::Edit,
    Command::Log,
    Command::Snooze,
    Command::Qualify,
    Command::StageForward,
    Command::StageBack,
    Command::Lose,
    Command::Win,
    Command::Reactivate,
    Command::Delete,
    Command::Merge,
    Command::Filter,
    Command::Week,
    Command::Months,
    Command::Period,
    Command::GroupBy,
    Command::Help,
];

fn action() -> impl Strategy<Value = Action> {
    let key = |c: KeyCode| Action::Key(KeyEvent::new(c, KeyModifiers::NONE));
    prop_oneof![
        4 => (0..COMMANDS.len()).prop_map(|i| Action::Command(COMMANDS[i])),
        3 => Just(key(KeyCode::Enter)),
        1 => Just(key(KeyCode::Esc)),
        1 => Just(key(KeyCode::Tab)),
        1 => Just(key(KeyCode::Right)),
        1 => Just(key(KeyCode::Char('y'))),
        1 => "[a-z0-9 ]{1,3}".prop_map(Action::Paste),
        1 => (1u16..=160, 1u16..=50).prop_map(|(w, h)| Action::Resize(w, h)),
        1 => Just(Action::Tick),
    ]
}

/// A lead's cached contacts: uid, status, first, last, seconds to first contact.
type ContactRow = (String, String, Option<i64>, i64, Option<i64>);
/// A lead and its last contact and last activity.
type TouchRow = (String, Option<i64>, i64);

struct Book {
    _dir: tempfile::TempDir,
    conn: rusqlite::Connection,
}

impl Book {
    fn statuses_sum_to_total(&self) -> bool {
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
            .unwrap();
        let by_status: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM leads WHERE status IN \
                 ('new','working','open','won','lost','disqualified')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        total == by_status
    }

    /// The tab counts recounted straight from the leads, without the cached tallies.
    fn recount(&self, now: &Now) -> Counts {
        let today = now.start_of_today().timestamp();
        let tomorrow = now.start_of_tomorrow().timestamp();
        let breach = now.utc.timestamp() - Plan::default().first_contact.breach_hours * 3600;
        self.conn
            .query_row(
                "SELECT \
                   count(*) FILTER (WHERE status IN ('new','working')), \
                   count(*) FILTER (WHERE status = 'new' AND received_at < ?3), \
                   count(*) FILTER (WHERE status IN ('new','working','open') AND next_follow_up < ?2), \
                   count(*) FILTER (WHERE status IN ('new','working','open') AND next_follow_up < ?1), \
                   count(*) FILTER (WHERE status = 'open'), \
                   coalesce(sum(value_cents) FILTER (WHERE status = 'open'), 0), \
                   count(*) FILTER (WHERE status IN ('lost','disqualified') AND recycle_on IS NOT NULL \
                     AND next_follow_up < ?2), \
                   count(*) FILTER (WHERE status IN ('lost','disqualified') AND recycle_on IS NOT NULL) \
                 FROM leads WHERE deleted_at IS NULL",
                [today, tomorrow, breach],
                |r| {
                    let due: i64 = r.get(2)?;
                    let overdue: i64 = r.get(3)?;
                    let recycled_due: i64 = r.get(6)?;
                    Ok(Counts {
                        inbox: r.get(0)?,
                        inbox_late: r.get(1)?,
                        // The Follow-ups hold the recycled leads due for their touch too.
                        queue: due + recycled_due,
                        overdue,
                        due_today: due - overdue,
                        pipeline: r.get(4)?,
                        pipeline_value_cents: r.get(5)?,
                        pipeline_apart: Default::default(),
                        recycled_due,
                        recycled: r.get(7)?,
                    })
                },
            )
            .unwrap()
    }

    /// The discipline report computed the plain way: each active lead's last contact (or its
    /// receipt) looked up in its timeline.
    fn discipline(&self, now: &Now) -> [i64; 4] {
        let t = now.utc.timestamp();
        let (month, stale) = (t - 30 * 86_400, t - Plan::default().stale_days * 86_400);
        self.conn
            .query_row(
                "WITH last AS (SELECT l.status, coalesce((SELECT max(a.at) FROM activities a \
                   WHERE a.lead_uid = l.uid AND a.kind IN ('call','email','meeting','message')), \
                   l.received_at) AS at FROM leads l \
                   WHERE l.deleted_at IS NULL AND l.status IN ('new','working','open')) \
                 SELECT count(*) FILTER (WHERE status = 'open'), \
                   count(*) FILTER (WHERE status = 'open' AND at >= ?1), \
                   count(*) FILTER (WHERE status = 'open' AND at < ?2), \
                   count(*) FILTER (WHERE at < ?2) FROM last",
                [month, stale],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
            )
            .unwrap()
    }

    /// Open leads and their value per stage, green to negotiation, counted from the leads.
    fn stages(&self) -> Vec<(i64, i64)> {
        ["green", "warming", "ripe", "proposal", "negotiation"]
            .iter()
            .map(|s| {
                self.conn
                    .query_row(
                        "SELECT count(*), coalesce(sum(value_cents), 0) FROM leads \
                         WHERE status = 'open' AND deleted_at IS NULL AND stage = ?1",
                        [s],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap()
            })
            .collect()
    }

    /// The ripening board's groups (count, value), counted from the leads.
    fn ripening(&self, now: &Now) -> Vec<(i64, i64)> {
        ripen::store::RipeBucket::months(now)
            .iter()
            .map(|b| {
                self.conn
                    .query_row(
                        "SELECT count(*), coalesce(sum(value_cents), 0) FROM leads \
                         WHERE status = 'open' AND deleted_at IS NULL \
                         AND ((ripe_on IS NOT NULL AND (?1 IS NULL OR ripe_on >= ?1) \
                               AND (?2 IS NULL OR ripe_on < ?2)) \
                              OR (?3 AND ripe_on IS NULL))",
                        rusqlite::params![
                            b.from.map(|d| d.timestamp()),
                            b.to.map(|d| d.timestamp()),
                            b.unset
                        ],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap()
            })
            .collect()
    }

    /// The cached first and last contacts, and the same recomputed from the timelines.
    fn contacts(&self) -> (Vec<ContactRow>, Vec<ContactRow>) {
        let rows = |sql: &str| -> Vec<ContactRow> {
            let mut stmt = self.conn.prepare(sql).unwrap();
            stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        (
            rows("SELECT lead_uid, status, first_at, last_at, secs FROM contacts ORDER BY 1"),
            rows(
                "SELECT l.uid, l.status, f.at, max(a.at), f.at - l.received_at \
                 FROM leads l JOIN activities a ON a.lead_uid = l.uid \
                 LEFT JOIN (SELECT lead_uid, min(at) AS at FROM activities \
                   WHERE kind = 'system' AND note = 'first contact: new → working' \
                   GROUP BY lead_uid) f ON f.lead_uid = l.uid \
                 WHERE l.deleted_at IS NULL AND a.kind IN ('call','email','meeting','message') \
                 GROUP BY l.uid ORDER BY 1",
            ),
        )
    }

    /// The cached leads that left the inbox without a contact, and the same from the timelines.
    fn uncontacted(&self) -> (Vec<String>, Vec<String>) {
        let uids = |sql: &str| -> Vec<String> {
            let mut stmt = self.conn.prepare(sql).unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        (
            uids("SELECT lead_uid FROM uncontacted ORDER BY 1"),
            uids(
                "SELECT DISTINCT a.lead_uid FROM activities a JOIN leads l ON l.uid = a.lead_uid \
                 WHERE l.deleted_at IS NULL AND a.kind = 'system' \
                 AND a.note = 'left the inbox without a contact' ORDER BY 1",
            ),
        )
    }

    /// The cached last contact and last activity, and the same recomputed from the timelines.
    fn touches(&self) -> (Vec<TouchRow>, Vec<TouchRow>) {
        let rows = |sql: &str| -> Vec<TouchRow> {
            let mut stmt = self.conn.prepare(sql).unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        (
            rows("SELECT lead_uid, last_contact, last_activity FROM touches ORDER BY 1"),
            rows(
                "SELECT lead_uid, max(at) FILTER (WHERE kind IN ('call','email','meeting','message')), \
                 max(at) FROM activities WHERE kind <> 'note' GROUP BY lead_uid ORDER BY 1",
            ),
        )
    }

    fn timelines(&self) -> Vec<(String, i64)> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT lead_uid, count(*) FROM activities GROUP BY lead_uid ORDER BY lead_uid",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn random_actions_keep_the_invariants(
        w in 1u16..=160,
        h in 1u16..=50,
        actions in proptest::collection::vec(action(), 1..50),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.db");
        let mut store = Store::open(&path, Plan::default()).unwrap();
        ripen::demo::fill(&mut store, 40, 11, &now()).unwrap();
        let book = Book { conn: rusqlite::Connection::open(&path).unwrap(), _dir: dir };
        let mut app = App::new(&store, Keymap::default(), Theme::mono(), now(), Rect::new(0, 0, w, h));
        app.dir = book._dir.path().to_path_buf();
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut before = book.timelines();
        for a in actions {
            if let Action::Resize(w, h) = a {
                term.backend_mut().resize(w, h);
            }
            app.update(a, &mut store, &now());
            term.draw(|f| view::draw(f, &app)).unwrap();

            prop_assert!(book.statuses_sum_to_total());
            let after = book.timelines();
            // Timelines only grow: no lead loses an entry, no lead's timeline disappears.
            let mut it = after.iter().peekable();
            for (uid, n) in &before {
                while it.peek().is_some_and(|(u, _)| u < uid) {
                    it.next();
                }
                let grown = it.peek().is_some_and(|(u, m)| u == uid && m >= n);
                prop_assert!(grown, "the timeline of {} shrank", uid);
            }
            before = after;
            prop_assert_eq!(&app.counts, &store.counts(&now()).unwrap(), "tab counts drifted");
            // The cached tallies agree with the leads themselves.
            prop_assert_eq!(&app.counts, &book.recount(&now()), "cached counts drifted");
            for (view, statuses) in [(View::Won, "('won')"), (View::Lost, "('lost','disqualified')")] {
                let n: i64 = book
                    .conn
                    .query_row(
                        &format!(
                            "SELECT count(*) FROM leads WHERE deleted_at IS NULL AND status IN {statuses}"
                        ),
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                prop_assert_eq!(store.count(&view, &Filter::default()).unwrap(), n, "{:?} drifted", view);
            }
            let (cached, recomputed) = book.contacts();
            prop_assert_eq!(cached, recomputed, "cached contacts drifted");
            let (cached, recomputed) = book.uncontacted();
            prop_assert_eq!(cached, recomputed, "cached leads closed uncontacted drifted");
            let (cached, recomputed) = book.touches();
            prop_assert_eq!(cached, recomputed, "cached last contacts and activities drifted");
            let columns: Vec<(i64, i64)> = store
                .pipeline_columns(&Default::default())
                .unwrap()
                .iter()
                .map(|c| (c.count, c.value_cents))
                .collect();
            prop_assert_eq!(columns, book.stages(), "cached stage columns drifted");
            let months: Vec<(i64, i64)> = store
                .ripening_buckets(&now(), &Default::default())
                .unwrap()
                .iter()
                .map(|b| (b.count, b.value_cents))
                .collect();
            prop_assert_eq!(months, book.ripening(&now()), "cached ripening groups drifted");
            let d = store.report_discipline(&now()).unwrap();
            prop_assert_eq!([d.open, d.touched_30d, d.stale, d.active_stale], book.discipline(&now()));
        }
    }
}
