//! The Inbox: new leads on their 48-hour clock, added, qualified or disqualified.

use ratatui::crossterm::event::KeyCode;

use ripen::domain::Status;
use ripen::tui::app::Tab;
use ripen::tui::keymap::Command;

use crate::{fixture, now, snap};

#[test]
fn snapshot_inbox() {
    snap("inbox", |fx| fx.cmd(Command::Inbox));
}

#[test]
fn adding_a_lead_selects_it_in_the_inbox() {
    let mut fx = fixture(100, 30, false);
    fx.cmd(Command::Add);
    fx.typed("Ann Early");
    fx.key(KeyCode::Tab);
    fx.typed("Alpha Ltd");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.app.tab, Tab::Inbox);
    assert_eq!(fx.app.selected().unwrap().lead.name, "Ann Early");
    // The same person again: added, and the status line names the lead it looks like.
    fx.cmd(Command::Add);
    fx.typed("Ann Early");
    fx.key(KeyCode::Tab);
    fx.typed("Alpha Ltd");
    fx.key(KeyCode::Enter);
    let said = fx.app.status.clone().unwrap().text;
    assert!(
        said.contains("looks like #1 Ann Early (Alpha Ltd)"),
        "{said}"
    );
}

#[test]
fn a_lead_waiting_for_days_shows_its_clock_in_days() {
    let mut fx = fixture(100, 30, false);
    fx.add(ripen::store::NewLead {
        name: "Old Import".into(),
        received_at: Some(now().utc - chrono::Duration::days(265)),
        ..Default::default()
    });
    fx.cmd(Command::Inbox);
    let screen = fx.render();
    assert!(screen.contains("‼ 265d late"), "{screen}");
}

/// The Inbox's received column gives the year of a lead from another year (a trial read a
/// lead received in March 2026 as two days old in March 2027).
#[test]
fn the_inbox_dates_a_lead_from_another_year_with_its_year() {
    let mut fx = fixture(120, 20, false);
    for (name, days) in [("Old Lead", 400), ("New Lead", 1)] {
        fx.add(ripen::store::NewLead {
            name: name.into(),
            received_at: Some(now().utc - chrono::Duration::days(days)),
            ..Default::default()
        });
    }
    fx.cmd(Command::Inbox);
    let screen = fx.render();
    assert!(screen.contains("18 Oct 2025"), "{screen}");
    assert!(screen.contains("Sat 21 Nov 09:00"), "{screen}");
}

#[test]
fn disqualify_from_the_inbox_with_not_a_fit_is_never_recycled() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    let uid = fx.selected_uid();
    let before = fx.app.counts.inbox;
    fx.cmd(Command::Lose);
    assert_eq!(fx.app.form().unwrap().value("reason"), "not-a-fit");
    assert_eq!(fx.app.form().unwrap().value("recycle"), "never");
    fx.key(KeyCode::Enter);
    let lead = fx.store.lead(&uid).unwrap().lead;
    assert_eq!(lead.status, Status::Disqualified);
    assert_eq!(lead.recycle_on, None);
    assert_eq!(fx.app.counts.inbox, before - 1);
}

#[test]
fn qualify_moves_a_lead_into_the_pipeline() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    let uid = fx.selected_uid();
    let before = fx.app.counts.pipeline;
    fx.cmd(Command::Qualify);
    fx.key(KeyCode::Tab);
    fx.typed("8k");
    fx.key(KeyCode::Tab);
    fx.key(KeyCode::Tab);
    fx.typed("2027-04-01");
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    let lead = fx.store.lead(&uid).unwrap().lead;
    assert_eq!(lead.status, Status::Open);
    assert_eq!(lead.value_cents, Some(800_000));
    assert_eq!(fx.app.counts.pipeline, before + 1);
}
