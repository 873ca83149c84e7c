//! One overlay at a time: the help, and the questions asked before deleting, discarding or quitting.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use ripen::tui::app::Action;
use ripen::tui::keymap::Command;

use crate::{fixture, now, snap};

#[test]
fn snapshot_help() {
    snap("help", |fx| fx.cmd(Command::Help));
}

#[test]
fn a_short_terminal_help_says_it_is_cut_and_keeps_its_columns_apart() {
    let mut fx = fixture(60, 15, true);
    fx.cmd(Command::Help);
    let screen = fx.render();
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("a taller terminal shows every key")),
        "{screen}"
    );
    // The left column's help ends before the right column's keys begin.
    let row = lines.iter().find(|l| l.contains("Next lead or")).unwrap();
    let after = row.split_once('…').map(|(_, rest)| rest).unwrap_or("");
    let key = after.split_whitespace().next().unwrap_or("");
    assert!(
        after.starts_with(' ') && (1..=3).contains(&key.chars().count()),
        "{row}"
    );
}

#[test]
fn delete_asks_then_moves_to_the_trash() {
    let mut fx = fixture(100, 30, true);
    let uid = fx.selected_uid();
    fx.cmd(Command::Delete);
    assert!(fx.app.confirm().is_some());
    fx.key(KeyCode::Char('n'));
    assert!(fx.store.lead(&uid).unwrap().lead.deleted_at.is_none());
    fx.cmd(Command::Delete);
    fx.key(KeyCode::Char('y'));
    assert!(fx.store.lead(&uid).unwrap().lead.deleted_at.is_some());
}

#[test]
fn esc_on_a_form_with_typed_input_asks_before_discarding() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Log);
    fx.key(KeyCode::Tab);
    fx.key(KeyCode::Tab);
    fx.typed("wants a demo");
    fx.key(KeyCode::Esc);
    assert!(fx.app.form().unwrap().confirm_discard);
    fx.key(KeyCode::Char('n'));
    assert!(fx.app.form().is_some());
    fx.key(KeyCode::Esc);
    fx.key(KeyCode::Char('y'));
    assert!(fx.app.form().is_none());
}

#[test]
fn ctrl_c_in_a_form_with_input_asks_before_quitting() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Log);
    fx.key(KeyCode::Tab);
    fx.key(KeyCode::Tab);
    fx.typed("half a thought");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    fx.app.update(Action::Key(ctrl_c), &mut fx.store, &now());
    assert!(!fx.app.quit);
    assert!(fx.app.confirm().is_some());
    fx.key(KeyCode::Char('y'));
    assert!(fx.app.quit);
}

/// One overlay at a time: Ctrl-C on a form with typed input asks over the form, and "no" brings
/// the form back as it was.
#[test]
fn quitting_from_a_typed_form_asks_and_no_gives_the_form_back() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Add);
    fx.typed("Kim Novak");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    fx.app.update(Action::Key(ctrl_c), &mut fx.store, &now());
    assert!(fx.app.confirm().is_some() && fx.app.form().is_none());
    let screen = fx.render();
    assert!(screen.contains("Quit and discard"), "{screen}");
    assert!(
        screen.contains("Kim Novak"),
        "the form stays drawn under the question: {screen}"
    );
    fx.key(KeyCode::Char('n'));
    assert!(!fx.app.quit);
    assert_eq!(fx.app.form().unwrap().value("name"), "Kim Novak");
}
