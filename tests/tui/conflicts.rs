//! The conflicts of a shared book: the header's marker, the list (`C`), choosing another value
//! and keeping it (asked first, written through `ops`), and the list afresh.

use chrono::{TimeZone, Utc};
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;

use ripen::domain::edit::LeadEdit;
use ripen::domain::{Now, Plan};
use ripen::ops::{self, Op};
use ripen::store::{NewLead, Store};
use ripen::tui::app::{Action, App, Confirm};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;

use crate::{Fx, assert_screen, now, snap};

fn at(h: u32, m: u32) -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0).unwrap())
}

/// A book whose changes are signed `user` (the plan's user: stable whatever the machine's).
fn book(dir: &std::path::Path, user: &str) -> Store {
    let plan = Plan {
        user: user.into(),
        ..Plan::default()
    };
    Store::open(&dir.join(format!("{user}.db")), plan).unwrap()
}

fn edit(store: &mut Store, uid: &str, edit: LeadEdit, now: &Now) {
    let op = Op::Edit {
        uid: uid.into(),
        edit,
    };
    ops::lead(store, op, now).unwrap();
}

/// Ana's book, shared with Sam's: lead #1 "Jo Park", whose phone Sam set to 333 at 10:00 and
/// Ana to 222 at 10:30, neither having seen the other's (Ana's, the later, is kept); with
/// `email`, the same for the e-mail address. Both books synced twice. Ana's app on it, the
/// conflicts counted as the loop counts them after its first frame.
fn conflicted(w: u16, h: u16, email: bool) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut ana = book(dir.path(), "Ana");
    let mut sam = book(dir.path(), "Sam");
    let sync = |s: &mut Store, now: &Now| {
        ripen::io::sync::sync(s, &shared, now).unwrap();
    };
    let new = NewLead {
        name: "Jo Park".into(),
        phone: Some("111".into()),
        email: Some("jo@park.example".into()),
        ..NewLead::default()
    };
    let row = ops::lead(&mut ana, Op::Add(new), &at(9, 0)).unwrap();
    let uid = row.lead.uid.clone();
    sync(&mut ana, &at(9, 0));
    sync(&mut sam, &at(9, 0));
    let change = |phone: &str, mail: &str| LeadEdit {
        phone: Some(Some(phone.into())),
        email: email.then(|| Some(mail.to_string())),
        ..LeadEdit::default()
    };
    edit(&mut sam, &uid, change("333", "jo@sam.example"), &at(10, 0));
    edit(&mut ana, &uid, change("222", "jo@ana.example"), &at(10, 30));
    for _ in 0..2 {
        sync(&mut ana, &at(10, 30));
        sync(&mut sam, &at(10, 30));
    }
    let mut app = App::new(
        &ana,
        Keymap::default(),
        Theme::colour(),
        now(),
        Rect::new(0, 0, w, h),
    );
    app.count_conflicts(&ana);
    Fx {
        _dir: dir,
        store: ana,
        app,
    }
}

fn phone(fx: &Fx) -> Option<String> {
    let row = fx
        .store
        .list(
            &ripen::store::View::All,
            &ripen::store::Filter::default(),
            0,
            1,
        )
        .unwrap();
    row[0].lead.phone.clone()
}

#[test]
fn snapshot_conflicts() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut fx = conflicted(w, h, false);
        fx.cmd(Command::Conflicts);
        assert_screen(&format!("conflicts_{w}x{h}"), &fx);
    }
}

#[test]
fn snapshot_conflicts_empty() {
    snap("conflicts_empty", |fx| {
        fx.app.count_conflicts(&fx.store);
        fx.cmd(Command::Conflicts);
    });
}

#[test]
fn the_header_counts_conflicts_only_when_there_are_some() {
    let fx = conflicted(100, 30, true);
    assert_eq!(fx.app.conflicts, 2);
    let top = fx.render().lines().next().unwrap().to_string();
    assert!(
        top.contains("ripen · Ana's book · 2 conflicts · C"),
        "{top}"
    );
    let mut solo = crate::fixture(100, 30, true);
    solo.app.count_conflicts(&solo.store);
    assert_eq!(solo.app.conflicts, 0);
    let top = solo.render().lines().next().unwrap().to_string();
    assert!(!top.contains("conflict"), "{top}");
}

#[test]
fn keeping_the_other_value_settles_the_conflict_in_the_book() {
    let mut fx = conflicted(100, 30, false);
    assert_eq!(phone(&fx).as_deref(), Some("222"));
    fx.cmd(Command::Conflicts);
    let list = fx.app.conflict_list().expect("the list is open");
    assert_eq!(list.conflicts.len(), 1);
    let (_, other) = list.chosen().unwrap();
    assert_eq!(other.author.as_deref(), Some("Sam"));
    // Asked first; "no" gives the list back and writes nothing.
    fx.key(KeyCode::Enter);
    match fx.app.confirm() {
        Some(Confirm::Keep { value, field, .. }) => {
            assert_eq!((value.as_str(), field.as_str()), ("333", "phone"));
        }
        other => panic!("{other:?}"),
    }
    assert!(fx.render().contains("Keep 333 for phone of Jo Park? y/n"));
    fx.key(KeyCode::Char('n'));
    assert!(fx.app.conflict_list().is_some());
    assert_eq!(fx.store.conflicts().unwrap().len(), 1);
    fx.key(KeyCode::Enter);
    fx.key(KeyCode::Char('y'));
    assert!(fx.store.conflicts().unwrap().is_empty());
    assert_eq!(phone(&fx).as_deref(), Some("333"));
    assert_eq!(fx.status(), "kept 333 for phone · Jo Park");
    // The list afresh, and the marker gone.
    assert_eq!(fx.app.conflict_list().unwrap().conflicts.len(), 0);
    assert_eq!(fx.app.conflicts, 0);
    assert!(
        fx.render()
            .contains("No conflicts: everyone's changes merged.")
    );
    fx.key(KeyCode::Esc);
    assert!(fx.app.overlay.is_none());
    assert!(!fx.render().contains("conflict"));
}

#[test]
fn up_and_down_choose_among_every_conflicts_other_values() {
    let mut fx = conflicted(100, 30, true);
    fx.cmd(Command::Conflicts);
    let chosen = |fx: &Fx| {
        let (c, o) = fx.app.conflict_list().unwrap().chosen().unwrap();
        (
            c.conflict.field.clone(),
            o.value.clone().unwrap_or_default(),
        )
    };
    // By field: the e-mail address first.
    assert_eq!(chosen(&fx), ("email".into(), "\"jo@sam.example\"".into()));
    fx.key(KeyCode::Char('j'));
    assert_eq!(chosen(&fx), ("phone".into(), "\"333\"".into()));
    fx.key(KeyCode::Down);
    assert_eq!(chosen(&fx).0, "phone", "the last stays chosen");
    fx.key(KeyCode::Char('k'));
    assert_eq!(chosen(&fx).0, "email");
    fx.key(KeyCode::Up);
    assert_eq!(chosen(&fx).0, "email", "the first stays chosen");
    // Keeping the phone's leaves the e-mail's, chosen.
    fx.key(KeyCode::Char('j'));
    fx.key(KeyCode::Enter);
    fx.key(KeyCode::Char('y'));
    assert_eq!(phone(&fx).as_deref(), Some("333"));
    let left = fx.store.conflicts().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].conflict.field, "email");
    assert_eq!(chosen(&fx).0, "email");
    assert_eq!(fx.app.conflicts, 1);
}

#[test]
fn another_writer_settling_it_empties_the_open_list_and_the_marker() {
    let mut fx = conflicted(100, 30, false);
    fx.cmd(Command::Conflicts);
    let change = fx
        .app
        .conflict_list()
        .unwrap()
        .chosen()
        .unwrap()
        .1
        .uid
        .clone();
    // `ripen sync --keep` in another terminal, or a sync bringing a teammate's.
    ops::lead(&mut fx.store, Op::Keep { change }, &now()).unwrap();
    assert_eq!(
        fx.app.conflicts, 1,
        "not counted until the app notices the write"
    );
    fx.app.update(Action::BookChanged, &mut fx.store, &now());
    assert_eq!(fx.app.conflicts, 0);
    assert!(fx.app.conflict_list().unwrap().conflicts.is_empty());
}
