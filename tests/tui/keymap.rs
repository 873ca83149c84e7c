//! Rebinding: the user's own keys act, and the help, footer and messages name them.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use ripen::tui::app::{Action, Tab};
use ripen::tui::event_loop::action_for;
use ripen::tui::keymap::{Command, Keymap};

use crate::{Fx, SMALL_CSV, TAB_COMMANDS, fixture, lead_with_notes, now};

#[test]
fn rebinding_a_key_in_the_config_changes_the_footer_and_the_keymap() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("log".to_string(), "L".to_string());
    keys.insert("right".to_string(), "right".to_string());
    let (map, warnings) = Keymap::with_overrides(&keys);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut fx = fixture(100, 30, true);
    fx.app.keymap = map;
    let ev = KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT);
    assert_eq!(fx.app.command_for(&ev), Some(Command::Log));
    assert!(fx.render().contains("L log"));
}

/// The keymap with every command moved to a key of its own, F13 onwards.
fn every_command_rebound() -> Keymap {
    let mut overrides = std::collections::BTreeMap::new();
    for (i, b) in Keymap::default().all().enumerate() {
        overrides.insert(Keymap::name(b.command).to_string(), format!("f{}", 13 + i));
    }
    let (keymap, warnings) = Keymap::with_overrides(&overrides);
    assert_eq!(warnings, Vec::<String>::new());
    keymap
}

impl Fx {
    /// Press the (first) key the keymap binds to a command.
    fn press(&mut self, c: Command) {
        let key = self.app.keymap.all().find(|b| b.command == c).unwrap().keys[0];
        let ev = KeyEvent::new(key.code, KeyModifiers::NONE);
        let action = action_for(&self.app, Event::Key(ev)).expect("the key means something");
        self.app.update(action, &mut self.store, &now());
    }

    fn label(&self, c: Command) -> String {
        self.app.keymap.key_label(c)
    }

    /// The footer line.
    fn footer(&self) -> String {
        let screen = self.render();
        let lines: Vec<&str> = screen.lines().collect();
        lines[lines.len() - 2].trim_matches('"').to_string()
    }
}

/// Every key a line offers is one of the rebound keys (F13 onwards), but for the words and
/// the fields' own arrows allowed.
fn only_rebound_keys(line: &str, allowed: &[&str]) {
    for chunk in line.split("  ").map(str::trim).filter(|c| !c.is_empty()) {
        let key = chunk.split(' ').next().unwrap();
        let ok = allowed.contains(&key)
            || key.split('/').all(|k| {
                k.strip_prefix('F')
                    .is_some_and(|n| n.parse::<u8>().is_ok_and(|n| n >= 13))
            });
        assert!(ok, "{chunk:?} in {line:?} names a key not bound");
    }
}

/// A user who rebinds every command reads their own keys everywhere: in the help, on the tab
/// bar, in every footer and popup's key line, and in every message that names a key; and the
/// keys they bound act, also in the question, the filter line, the forms and the preview.
#[test]
fn every_command_rebound_is_named_by_its_new_key_everywhere() {
    let mut fx = fixture(200, 60, true);
    fx.app.keymap = every_command_rebound();
    let k = |fx: &Fx, c| fx.label(c);

    // The help lists every key of the tabs as bound, and the forms' keys.
    fx.press(Command::Help);
    let help = fx.render();
    for b in fx.app.keymap.bindings(ripen::tui::keymap::Mode::List) {
        let line = help
            .lines()
            .find(|l| l.contains(b.help))
            .unwrap_or_else(|| panic!("{:?} in the help: {help}", b.command));
        assert!(line.contains(&k(&fx, b.command)), "{line}");
    }
    let forms = format!(
        "{} save · {} · {} cancel",
        k(&fx, Command::Save),
        k(&fx, Command::NextField),
        k(&fx, Command::Cancel)
    );
    assert!(help.contains(&forms), "{help}");
    fx.key(KeyCode::Char('x'));
    assert!(!fx.app.help_open());

    // The tab bar and each tab's footer.
    for (tab, c) in Tab::ALL.into_iter().zip(TAB_COMMANDS) {
        fx.press(c);
        assert_eq!(fx.app.tab, tab);
        let bar = fx.render();
        assert!(
            bar.contains(&format!("{} {}", k(&fx, c), tab.title())),
            "{bar}"
        );
        only_rebound_keys(&fx.footer(), &[]);
    }
    // The full-screen detail's footer and its timeline's rule.
    let mut narrow = fixture(80, 24, false);
    narrow.app.keymap = every_command_rebound();
    lead_with_notes(&mut narrow, 30);
    narrow.press(Command::Inbox);
    narrow.press(Command::Detail);
    assert!(narrow.app.detail_full());
    only_rebound_keys(&narrow.footer(), &[]);
    narrow.press(Command::PageDown);
    let screen = narrow.render();
    assert!(
        screen.contains(&format!("newer above ({})", k(&narrow, Command::PageUp))),
        "{screen}"
    );

    // Messages that name a key.
    fx.press(Command::Inbox);
    for (c, words) in [
        (Command::Period, "only in Reports"),
        (Command::GroupBy, "only in Reports"),
        (Command::Week, "only in Follow-ups"),
        (Command::Closed, "only in Recycled"),
        (Command::Months, "only in the Pipeline"),
    ] {
        fx.press(c);
        assert_eq!(fx.status(), format!("{}: {words}", k(&fx, c)));
    }
    fx.press(Command::Reports);
    let lists = format!(
        "{}–{} for the lists",
        k(&fx, Command::Inbox),
        k(&fx, Command::Recycled)
    );
    for c in [Command::Log, Command::Export, Command::Filter] {
        fx.press(c);
        assert_eq!(
            fx.status(),
            format!("{}: no leads in Reports ({lists})", k(&fx, c))
        );
    }

    // The filter line: typed letters filter, its keys are the user's, and an empty result
    // names the key that clears it.
    fx.press(Command::Inbox);
    fx.press(Command::Filter);
    assert!(fx.app.filtering());
    only_rebound_keys(&fx.footer(), &["type"]);
    fx.typed("zzqxj");
    assert_eq!(fx.app.inbox.filter.text, "zzqxj");
    let screen = fx.render();
    assert!(
        screen.contains(&format!(
            "Nothing matches the filter. {} clears it.",
            k(&fx, Command::Back)
        )),
        "{screen}"
    );
    fx.press(Command::ClearFilter);
    assert!(!fx.app.filtering() && fx.app.inbox.filter.text.is_empty());

    // A question: its answers are the user's keys; `y` is no longer yes.
    let name = fx.app.selected().unwrap().lead.name.clone();
    fx.press(Command::Delete);
    let screen = fx.render();
    let yn = format!("{}/{}", k(&fx, Command::Yes), k(&fx, Command::No));
    assert!(screen.contains(&format!("trash? {yn}")), "{screen}");
    fx.key(KeyCode::Char('y'));
    assert_eq!(fx.status(), "cancelled");
    fx.press(Command::Delete);
    fx.press(Command::Yes);
    assert_eq!(fx.status(), format!("moved to the trash · {name}"));

    // A form: its key line and footer, discarding, saving, and the duplicate it names.
    let email = fx.app.selected().unwrap().lead.email.clone().unwrap();
    fx.press(Command::Add);
    only_rebound_keys(&fx.footer(), &["←/→"]);
    let screen = fx.render();
    let line = format!(
        "{} save · {} next · ←/→ choose · {} cancel",
        k(&fx, Command::Save),
        k(&fx, Command::NextField),
        k(&fx, Command::Cancel)
    );
    assert!(screen.contains(&line), "{screen}");
    fx.typed("Dee Double");
    fx.press(Command::Cancel);
    let screen = fx.render();
    assert!(
        screen.contains(&format!("Discard what you typed? {yn}")),
        "{screen}"
    );
    fx.press(Command::No);
    fx.press(Command::NextField);
    fx.press(Command::NextField);
    fx.typed(&email);
    fx.press(Command::Save);
    fx.assert_saved();
    assert!(
        fx.status()
            .ends_with(&format!("): {} merges", k(&fx, Command::Merge))),
        "{}",
        fx.status()
    );

    // The import preview: its key line and footer, and its keys.
    std::fs::write(fx._dir.path().join("leads.csv"), SMALL_CSV).unwrap();
    fx.press(Command::Import);
    fx.app
        .update(Action::Paste("leads.csv".into()), &mut fx.store, &now());
    fx.press(Command::Save);
    assert!(fx.app.preview().is_some(), "{}", fx.status());
    only_rebound_keys(&fx.footer(), &[]);
    let screen = fx.render();
    assert!(
        screen.contains(&format!(
            "{} import · {} cancel, nothing written",
            k(&fx, Command::ImportNow),
            k(&fx, Command::ClosePreview)
        )),
        "{screen}"
    );
    fx.key(KeyCode::Char('q'));
    assert!(fx.app.preview().is_some(), "q is no longer the preview's");
    fx.press(Command::ClosePreview);
    assert!(fx.app.preview().is_none());
    assert_eq!(fx.status(), "import cancelled: nothing written");
}

/// The empty lists' words name the user's keys too.
#[test]
fn an_empty_list_names_the_rebound_key_that_fills_it() {
    let mut fx = fixture(120, 30, false);
    fx.app.keymap = every_command_rebound();
    fx.add(ripen::store::NewLead {
        name: "Only Inbox".into(),
        ..Default::default()
    });
    fx.press(Command::Recycled);
    fx.press(Command::Closed);
    fx.press(Command::Closed);
    let screen = fx.render();
    assert!(
        screen.contains(&format!(
            "Nothing won yet. {} wins a deal",
            fx.label(Command::Win)
        )),
        "{screen}"
    );
    // Nothing due today, the one lead snoozed with the rebound keys.
    fx.press(Command::Queue);
    fx.press(Command::Snooze);
    fx.press(Command::Save);
    fx.assert_saved();
    let screen = fx.render();
    assert!(
        screen.contains(&format!(
            "Nothing due. {} shows the coming week.",
            fx.label(Command::Week)
        )),
        "{screen}"
    );
}
