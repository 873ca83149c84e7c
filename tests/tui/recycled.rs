//! Recycled: lost leads resting, the won and every loss, filtered, and brought back.

use ratatui::crossterm::event::KeyCode;

use ripen::domain::Status;
use ripen::store::{Filter, View};
use ripen::tui::keymap::Command;

use crate::{fixture, snap};

#[test]
fn snapshot_recycled() {
    snap("recycled", |fx| fx.cmd(Command::Recycled));
}

#[test]
fn snapshot_won() {
    snap("won", |fx| {
        fx.cmd(Command::Recycled);
        fx.cmd(Command::Closed);
        fx.cmd(Command::Closed);
    });
}

/// `v` in Recycled lists every loss (also those never recycled), then the wins, then the
/// resting ones again: no closed lead is out of the app's reach (a trial found won and
/// not-a-fit leads only in `ripen list`).
#[test]
fn v_in_recycled_lists_every_loss_then_the_wins() {
    use ripen::tui::app::Closed;
    let mut fx = fixture(120, 40, true);
    fx.cmd(Command::Recycled);
    let resting = fx.app.recycled.window.total;
    fx.cmd(Command::Closed);
    assert_eq!(fx.app.closed, Closed::Lost);
    let lost = fx.store.count(&View::Lost, &Filter::default()).unwrap() as usize;
    assert_eq!(fx.app.recycled.window.total, lost);
    assert!(lost > resting, "the demo has losses that never recycle");
    assert!(
        fx.app
            .recycled
            .window
            .rows
            .iter()
            .any(|r| r.lead.recycle_on.is_none())
    );
    assert!(fx.render().contains("never"));
    fx.cmd(Command::Closed);
    assert_eq!(fx.app.closed, Closed::Won);
    assert!(fx.app.recycled.window.total > 0);
    assert!(
        fx.app
            .recycled
            .window
            .rows
            .iter()
            .all(|r| r.lead.status == Status::Won)
    );
    let screen = fx.render();
    assert!(
        screen.contains("Won ·") && screen.contains("v recycling"),
        "{screen}"
    );
    assert!(!screen.contains("priority 0"), "{screen}");
    // A win cannot be reactivated: the footer does not offer it.
    assert!(!screen.contains("r reactivate"), "{screen}");
    fx.cmd(Command::Closed);
    assert_eq!(fx.app.closed, Closed::Recycling);
    assert_eq!(fx.app.recycled.window.total, resting);
    // Elsewhere the key says where it works.
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Closed);
    assert_eq!(fx.app.closed, Closed::Recycling);
}

/// A filtered Recycled list does not claim the whole tab's "due now" as its own.
#[test]
fn a_filtered_recycled_list_counts_only_its_matches() {
    let mut fx = fixture(120, 40, true);
    fx.cmd(Command::Recycled);
    assert!(fx.render().contains("due now"));
    let reason = fx.app.recycled.window.rows[0].lead.reason.clone().unwrap();
    fx.cmd(Command::Filter);
    fx.typed(&reason);
    fx.key(KeyCode::Enter);
    let screen = fx.render();
    assert!(screen.contains(&format!("matching /{reason}")), "{screen}");
    assert!(!screen.contains("due now"), "{screen}");
}

#[test]
fn the_recycled_filter_finds_leads_by_loss_reason() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Recycled);
    let all = fx.app.recycled.window.total;
    fx.cmd(Command::Filter);
    fx.typed("budget");
    assert!(fx.app.recycled.window.total >= 1 && fx.app.recycled.window.total < all);
    assert!(
        fx.app
            .recycled
            .window
            .rows
            .iter()
            .all(|r| r.lead.reason.as_deref() == Some("budget"))
    );
}

#[test]
fn reactivate_asks_then_brings_a_recycled_lead_back_to_the_inbox() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Recycled);
    let uid = fx.selected_uid();
    let reason = fx.store.lead(&uid).unwrap().lead.reason.unwrap();
    fx.cmd(Command::Reactivate);
    // It asks, naming the loss it clears; anything but y keeps it.
    let screen = fx.render();
    assert!(
        screen.contains(&format!("{reason}) into the inbox")),
        "{screen}"
    );
    fx.key(KeyCode::Char('n'));
    assert_eq!(fx.store.lead(&uid).unwrap().lead.status, Status::Lost);
    fx.cmd(Command::Reactivate);
    fx.key(KeyCode::Char('y'));
    assert_eq!(fx.store.lead(&uid).unwrap().lead.status, Status::Working);
    // A lead that is not closed out is refused at once, with no question.
    fx.cmd(Command::Queue);
    fx.cmd(Command::Reactivate);
    assert!(fx.app.confirm().is_none());
    assert!(fx.app.status.as_ref().unwrap().error);
}
