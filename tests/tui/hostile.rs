//! Hostile names in the app: drawn inert, and shown clean in the edit form.

use ratatui::crossterm::event::KeyCode;

use ripen::tui::keymap::Command;

use crate::fixture;

#[test]
fn hostile_names_render_inert() {
    let mut fx = fixture(120, 40, false);
    fx.add(ripen::store::NewLead {
        name: "Evil \x1b]0;pwned\x07\x1b[2J".into(),
        ..Default::default()
    });
    fx.cmd(Command::Inbox);
    let screen = fx.render();
    assert!(!screen.contains('\x1b') && !screen.contains('\x07'));
    assert!(screen.contains("Evil ␛]0;pwned␇␛[2J"), "{screen}");
}

#[test]
fn editing_a_hostile_lead_shows_it_clean_and_keeps_untouched_fields() {
    let mut fx = fixture(100, 30, false);
    let evil = "Evil \x1b]0;pwned\x07";
    fx.add(ripen::store::NewLead {
        name: evil.into(),
        ..Default::default()
    });
    fx.cmd(Command::Inbox);
    let uid = fx.selected_uid();
    fx.cmd(Command::Edit);
    assert_eq!(fx.app.form().unwrap().value("name"), "Evil ␛]0;pwned␇");
    assert!(!fx.render().contains('\x1b'));
    fx.key(KeyCode::Tab);
    fx.typed("Acme");
    fx.key(KeyCode::Enter);
    let lead = fx.store.lead(&uid).unwrap().lead;
    // Stored neutralised on its way in, and left as stored by an edit of another field.
    assert_eq!(lead.name, "Evil ␛]0;pwned␇");
    assert_eq!(lead.company.as_deref(), Some("Acme"));
}
