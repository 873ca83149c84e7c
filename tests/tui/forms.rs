//! The forms: typed dates, a loss's reason, editing a lead, pasting, merging.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use ripen::store::{Filter, View};
use ripen::tui::app::Action;
use ripen::tui::keymap::Command;

use crate::{Fx, fixture, now};

#[test]
fn a_bad_date_keeps_the_form_open_with_the_error() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Snooze);
    fx.key(KeyCode::Tab);
    fx.typed("someday");
    fx.key(KeyCode::Enter);
    let form = fx.app.form().unwrap();
    assert!(form.error.as_deref().unwrap().contains("bad date"));
}

/// Typing over the log form's default follow-up replaces it, and the default's hint (its date
/// and cadence) goes: it no longer says what the field holds.
#[test]
fn typing_over_the_default_follow_up_replaces_it_and_its_hint() {
    let mut fx = fixture(120, 40, true);
    fx.cmd(Command::Log);
    for _ in 0..3 {
        fx.key(KeyCode::Tab);
    }
    assert!(fx.render().contains("cadence)"));
    fx.typed("tomorrow");
    assert_eq!(fx.app.form().unwrap().value("next"), "tomorrow");
    let screen = fx.render();
    assert!(!screen.contains("cadence)"));
    // What is typed is read back as the date it will be saved as.
    assert!(screen.contains("(→ Mon 23 Nov 2026)"), "{screen}");
}

/// A date typed in a form is read back before it is saved: a trial's "jan 7" had been saved as
/// the year 7 with nothing to show it.
#[test]
fn a_typed_date_is_read_back_before_saving() {
    let mut fx = fixture(120, 40, true);
    fx.cmd(Command::Snooze);
    fx.key(KeyCode::Tab);
    fx.typed("jan 7");
    assert!(fx.render().contains("(→ Thu 07 Jan 2027)"));
    for _ in 0..5 {
        fx.key(KeyCode::Backspace);
    }
    fx.typed("someday");
    assert!(fx.render().contains("(not a date yet)"));
}

#[test]
fn picking_a_reason_prefills_its_recycle_date() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Lose);
    fx.typed("b"); // budget
    let form = fx.app.form().unwrap();
    assert_eq!(form.value("reason"), "budget");
    // 90 days on is Saturday 20 Feb: the recycle date moves on to Monday, as a cadence's does.
    assert_eq!(form.value("recycle"), "2027-02-22");
}

#[test]
fn edit_saves_the_fields() {
    let mut fx = fixture(100, 30, true);
    let uid = fx.selected_uid();
    fx.cmd(Command::Edit);
    fx.key(KeyCode::Tab);
    // Ctrl-U clears the field (text fields edit as everywhere).
    fx.app.update(
        Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        &mut fx.store,
        &now(),
    );
    fx.typed("Initrode");
    fx.key(KeyCode::Enter);
    assert_eq!(
        fx.store.lead(&uid).unwrap().lead.company.as_deref(),
        Some("Initrode")
    );
}

#[test]
fn edit_sets_the_website_the_owner_and_the_tags() {
    let mut fx = fixture(100, 30, true);
    let uid = fx.selected_uid();
    fx.cmd(Command::Edit);
    let clear = |fx: &mut Fx| {
        fx.app.update(
            Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            &mut fx.store,
            &now(),
        )
    };
    // name, company, title, email, phone, website, source, city, country, owner, tags.
    for _ in 0..5 {
        fx.key(KeyCode::Tab);
    }
    clear(&mut fx);
    fx.typed("acme.example");
    for _ in 0..4 {
        fx.key(KeyCode::Tab);
    }
    clear(&mut fx);
    fx.typed("Kim");
    fx.key(KeyCode::Tab);
    clear(&mut fx);
    fx.typed("vip, q4 ,vip,,");
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    let lead = fx.store.lead(&uid).unwrap().lead;
    assert_eq!(lead.owner, "Kim");
    assert_eq!(lead.tags, ["vip", "q4"]);
    assert_eq!(lead.website.as_deref(), Some("acme.example"));
    // An owner cannot be emptied.
    fx.cmd(Command::Edit);
    for _ in 0..9 {
        fx.key(KeyCode::Tab);
    }
    clear(&mut fx);
    fx.key(KeyCode::Enter);
    let form = fx.app.form().expect("the form stays open");
    assert!(form.error.as_deref().unwrap().contains("owner"));
}

#[test]
fn paste_goes_into_the_focused_field_on_one_line() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Log);
    fx.key(KeyCode::Tab);
    fx.key(KeyCode::Tab);
    fx.app.update(
        Action::Paste("wants a demo\nwith the CFO".into()),
        &mut fx.store,
        &now(),
    );
    assert_eq!(
        fx.app.form().unwrap().value("note"),
        "wants a demo with the CFO"
    );
}

/// `M` with the duplicate's name typed: the words name the other lead of that name, not the one
/// being merged away.
#[test]
fn merge_by_a_shared_name_merges_into_the_other_lead() {
    let mut fx = fixture(100, 30, false);
    for company in ["Acme", "Globex"] {
        fx.add(ripen::store::NewLead {
            name: "Ann Twin".into(),
            company: Some(company.into()),
            ..Default::default()
        });
    }
    fx.cmd(Command::Inbox);
    let gone = fx.selected_uid();
    fx.cmd(Command::Merge);
    assert!(fx.app.form().is_some());
    fx.typed("ann twin");
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    let live = fx
        .store
        .list(&View::All, &Filter::default(), 0, 10)
        .unwrap();
    assert_eq!(live.len(), 1);
    assert_ne!(live[0].lead.uid, gone);
}
