//! A lead's detail, beside the list or full screen, and its timeline.

use ratatui::crossterm::event::KeyCode;

use ripen::tui::keymap::Command;

use crate::{fixture, lead_with_notes, snap};

#[test]
fn snapshot_detail() {
    snap("detail", |fx| {
        fx.cmd(Command::Down);
        fx.cmd(Command::Detail);
    });
}

/// The board switched to months behind a full-screen detail shows whole columns on Esc (a
/// trial found one card each: they had been fetched for the hidden board's height).
#[test]
fn the_board_switched_behind_a_full_screen_detail_fills_its_columns() {
    let mut fx = fixture(120, 40, true);
    fx.cmd(Command::Pipeline);
    fx.cmd(Command::Detail);
    assert_eq!(
        fx.app.areas().main.height,
        0,
        "the detail fills the body at 120 columns"
    );
    fx.cmd(Command::Months);
    fx.cmd(Command::Back);
    let fuller = fx
        .app
        .board
        .columns
        .iter()
        .find(|c| c.count > 1)
        .expect("a month with two leads");
    assert!(
        fuller.window.rows.len() > 1,
        "{}: {}",
        fuller.title,
        fuller.count
    );
}

/// Where the detail sits beside the list, Enter changes nothing, and the next tab opens on its
/// list (a trial found Enter armed a hidden mode that then hid the board behind a detail).
#[test]
fn enter_beside_the_detail_arms_nothing_for_the_next_tab() {
    let mut fx = fixture(120, 40, true);
    assert!(
        fx.app.areas().detail.is_some(),
        "beside the queue at 120 columns"
    );
    fx.cmd(Command::Detail);
    assert!(!fx.app.detail_open);
    fx.cmd(Command::Pipeline);
    assert!(fx.app.areas().main.height > 0);
    // And a detail opened full-screen on the board closes when the tab changes.
    fx.cmd(Command::Detail);
    assert!(fx.app.detail_open);
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Pipeline);
    assert!(fx.app.areas().main.height > 0);
}

/// A long note can be read in the app: the full-screen detail wraps it whole (a trial found
/// timeline notes cut at the pane's edge everywhere).
#[test]
fn a_long_note_reads_whole_in_the_full_screen_detail() {
    let mut fx = fixture(80, 30, false);
    fx.add(ripen::store::NewLead {
        name: "Nora Long".into(),
        ..Default::default()
    });
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Log);
    fx.key(KeyCode::Tab);
    fx.key(KeyCode::Tab);
    let note = "asked about the rollout plan for all three plants, the budget owner is \
                the CFO, wants references from a customer in automotive before the pilot \
                and a call with our integration engineer, then decides in zebrafinal";
    fx.typed(note);
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    // Worked now, still in the inbox, and the detail fills the screen at 80 columns.
    fx.cmd(Command::Inbox);
    assert_eq!(fx.app.selected().unwrap().lead.name, "Nora Long");
    fx.cmd(Command::Detail);
    assert_eq!(fx.app.areas().main.height, 0);
    let screen = fx.render();
    assert!(screen.contains("zebrafinal"), "{screen}");
}

/// Entries logged at the same moment (a fixed clock, or one after another within a minute)
/// list newest first in the detail, as `ripen show` lists them (a trial saw notes 1, 10, 11…).
#[test]
fn the_detail_lists_same_moment_entries_newest_first() {
    let mut fx = fixture(100, 40, false);
    lead_with_notes(&mut fx, 12);
    fx.cmd(Command::Inbox);
    let d = fx.app.detail.as_ref().expect("a lead is selected");
    let notes: Vec<String> = d
        .timeline
        .iter()
        .filter_map(|a| a.note.clone())
        .take(3)
        .collect();
    assert_eq!(
        notes,
        ["note number 12", "note number 11", "note number 10"]
    );
}

/// The full-screen detail pages through a long timeline (a trial could not reach the older
/// entries of a lead with thirty notes): PgDn shows older entries and says how many newer
/// ones are above; moving to another lead starts at its newest again.
#[test]
fn the_full_detail_pages_through_a_long_timeline() {
    let mut fx = fixture(80, 24, false);
    lead_with_notes(&mut fx, 30);
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Detail);
    assert!(fx.app.detail_full());
    let first = fx.render();
    assert!(first.contains("note number 30"), "{first}");
    assert!(!first.contains("note number 3 "), "{first}");
    assert!(first.contains("PgDn older"), "{first}");
    for _ in 0..10 {
        fx.cmd(Command::PageDown);
    }
    let last = fx.render();
    // Down to the oldest entry, whatever the lead's facts and notes take.
    assert!(last.contains("received"), "{last}");
    assert!(last.contains("newer above"), "{last}");
    assert!(!last.contains("note number 30"), "{last}");
    fx.cmd(Command::PageUp);
    assert!(fx.app.timeline_skip > 0);
    assert!(fx.render().contains("note number 1 "));
    for _ in 0..10 {
        fx.cmd(Command::PageUp);
    }
    assert_eq!(fx.app.timeline_skip, 0);
    for _ in 0..3 {
        fx.cmd(Command::PageDown);
    }
    fx.cmd(Command::Back);
    assert_eq!(
        fx.app.timeline_skip, 0,
        "Esc starts the next detail at the newest"
    );
}
