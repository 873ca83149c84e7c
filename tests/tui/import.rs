//! Importing from the app: the form, the preview, and files refused with nothing written.

use ratatui::crossterm::event::KeyCode;

use ripen::tui::keymap::Command;

use crate::{SMALL_CSV, all_leads, assert_screen, fixture, fixture_file};

#[test]
fn import_from_the_welcome_screen_previews_then_imports() {
    let file = fixture_file("exports/hubspot-contacts.csv");
    let mut fx = fixture(100, 30, false);
    assert!(fx.app.book_empty);
    fx.preview_import(file.to_str().unwrap());
    let p = fx.app.preview().cloned().expect("the preview is open");
    let r = p.report.clone().unwrap();
    assert_eq!((r.rows, r.new, r.merged, r.rejected), (22, 21, 1, 0));
    assert_eq!(all_leads(&fx), 0, "a dry run writes nothing");
    let screen = fx.render();
    assert!(screen.contains("22 rows: 21 new, 1 merged"), "{screen}");
    assert!(screen.contains("UTF-8, comma separated"), "{screen}");
    assert!(screen.contains("hubspot-contacts.csv:23"), "{screen}");

    fx.key(KeyCode::Enter);
    assert!(fx.app.preview().is_none());
    assert_eq!(all_leads(&fx), 21);
    assert!(!fx.app.book_empty, "the views refreshed");
    assert!(fx.app.counts.inbox > 0);
    assert!(
        fx.status()
            .contains("imported hubspot-contacts.csv: 21 new, 1 merged"),
        "{}",
        fx.status()
    );
}

#[test]
fn esc_on_the_import_preview_writes_nothing() {
    let file = fixture_file("exports/hubspot-contacts.csv");
    let mut fx = fixture(100, 30, true);
    let before = all_leads(&fx);
    fx.preview_import(file.to_str().unwrap());
    assert!(fx.app.preview().is_some());
    fx.key(KeyCode::Esc);
    assert!(fx.app.preview().is_none());
    assert_eq!(all_leads(&fx), before);
    assert!(fx.status().contains("nothing written"), "{}", fx.status());
}

#[test]
fn a_broken_file_shows_its_line_numbers_and_writes_nothing() {
    let file = fixture_file("exports/broken-quote.csv");
    let mut fx = fixture(100, 30, true);
    let before = all_leads(&fx);
    fx.preview_import(file.to_str().unwrap());
    let p = fx
        .app
        .preview()
        .cloned()
        .expect("the preview shows the bad rows");
    assert!(p.report.is_none());
    let screen = fx.render();
    assert!(
        screen.contains("broken-quote.csv:5: unterminated quote"),
        "{screen}"
    );
    assert!(fx.app.status.clone().unwrap().error);
    fx.key(KeyCode::Enter);
    assert!(fx.app.preview().is_none());
    assert_eq!(all_leads(&fx), before);
    assert!(!fx.app.quit);
}

#[test]
fn a_hostile_file_is_refused_with_nothing_raw_on_screen() {
    let file = fixture_file("exports/hostile.csv");
    let mut fx = fixture(120, 40, false);
    fx.preview_import(file.to_str().unwrap());
    let p = fx
        .app
        .preview()
        .cloned()
        .expect("the preview lists the bad row");
    assert!(p.report.is_none());
    let screen = fx.render();
    assert!(!screen.contains('\x1b') && !screen.contains('\x07'));
    assert!(screen.contains("hostile.csv:7"), "{screen}");
    fx.key(KeyCode::Enter);
    assert_eq!(all_leads(&fx), 0);
}

#[test]
fn a_missing_file_keeps_the_form_open_with_the_error() {
    let mut fx = fixture(100, 30, true);
    fx.preview_import("no-such-file.csv");
    assert!(fx.app.preview().is_none());
    let form = fx.app.form().cloned().expect("the form stays open");
    assert!(form.error.unwrap().contains("no-such-file.csv"));
    assert!(fx.app.status.clone().unwrap().error);
    // An empty path says what is missing.
    fx.key(KeyCode::Esc);
    fx.key(KeyCode::Char('y'));
    fx.cmd(Command::Import);
    fx.key(KeyCode::Enter);
    assert!(
        fx.app
            .form()
            .cloned()
            .unwrap()
            .error
            .unwrap()
            .contains("path")
    );
}

#[test]
fn snapshot_import_preview() {
    let mut fx = fixture(80, 24, false);
    std::fs::write(fx._dir.path().join("leads.csv"), SMALL_CSV).unwrap();
    fx.preview_import("leads.csv");
    assert!(fx.app.preview().is_some(), "{:?}", fx.app.status);
    assert_screen("import_preview_80x24", &fx);
    fx.key(KeyCode::Enter);
    assert_eq!(all_leads(&fx), 3);
}

/// An address book previews as one: read as a vCard, its properties where the columns were.
#[test]
fn snapshot_import_preview_of_a_vcard() {
    let mut fx = fixture(80, 24, false);
    let cards = std::fs::read(fixture_file("contacts.vcf")).unwrap();
    std::fs::write(fx._dir.path().join("contacts.vcf"), cards).unwrap();
    fx.preview_import("contacts.vcf");
    assert!(fx.app.preview().is_some(), "{:?}", fx.app.status);
    assert_screen("import_preview_vcard_80x24", &fx);
    fx.key(KeyCode::Enter);
    assert_eq!(all_leads(&fx), 3);
}
