//! Keys as data: every bindable command with its default keys, the user's `[keys]` overrides
//! from the config, and the footer hints and help overlay generated from the same table.

mod defaults;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

use defaults::SPECS;

/// Where the user is; a key means a command only within one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The tabs: four lead views (and the detail pane) and the reports.
    List,
    /// The empty book's welcome screen.
    Welcome,
    /// A form is open: the keys that are not its fields' own editing keys.
    Form,
    /// A yes/no question (also a form's "discard what you typed?").
    Confirm,
    /// The filter line is taking the letters typed.
    Filter,
    /// An import's dry run on screen.
    Preview,
    /// The conflicts of a shared book on screen.
    Conflicts,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::List,
        Mode::Welcome,
        Mode::Form,
        Mode::Confirm,
        Mode::Filter,
        Mode::Preview,
        Mode::Conflicts,
    ];
}

/// Something a user can bind a key to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Inbox,
    Queue,
    Pipeline,
    Recycled,
    Reports,
    NextView,
    PrevView,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Left,
    Right,
    Detail,
    Back,
    Add,
    Edit,
    Log,
    Snooze,
    Qualify,
    StageForward,
    StageBack,
    Lose,
    Win,
    Reactivate,
    Delete,
    Merge,
    CopyEmail,
    Note,
    Filter,
    Week,
    Months,
    Closed,
    Period,
    GroupBy,
    Import,
    Export,
    /// Open the conflicts of a shared book.
    Conflicts,
    /// Whose leads the lists show: mine (and the unassigned), everyone's, one owner's in turn.
    Whose,
    /// Hand the lead (or every lead the filter shows) to another owner.
    Assign,
    Demo,
    Help,
    Quit,
    /// Forms: save (the import form: preview), next and previous field, cancel.
    Save,
    NextField,
    PrevField,
    Cancel,
    /// A question's answers.
    Yes,
    No,
    /// The filter line: keep the filter, clear it, move the cursor in the list meanwhile.
    KeepFilter,
    ClearFilter,
    FilterDown,
    FilterUp,
    /// The import preview: import for real, close it, scroll it.
    ImportNow,
    ClosePreview,
    ScrollDown,
    ScrollUp,
    ScrollPageDown,
    ScrollPageUp,
    /// The conflicts: choose another value, keep it (asked first), close them.
    ConflictDown,
    ConflictUp,
    KeepValue,
    CloseConflicts,
}

/// A key as the keymap compares it: shift is folded into the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    /// The keymap's view of a terminal key event.
    pub fn from_event(ev: &KeyEvent) -> Key {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parse `a`, `G`, `>`, `ctrl-l`, `alt-x`, `enter`, `tab`, `backtab`, `pagedown`, `f5`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                f if f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }

    /// How the key is written in hints and help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("C-");
        }
        if self.alt {
            s.push_str("M-");
        }
        s.push_str(&base);
        s
    }
}

/// One resolved binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub command: Command,
    pub keys: Vec<Key>,
    pub hint: &'static str,
    pub help: &'static str,
    pub modes: &'static [Mode],
}

/// The keymap in force: defaults patched by the user's overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

/// The `[keys]` table of the shipped example config (`assets/config.example.toml`): every
/// bindable command with its default keys and what it does, from the table the app binds by, so
/// that the example cannot drift from the defaults (a test compares them).
pub fn example_keys_table() -> String {
    let lines: Vec<(String, &str)> = SPECS
        .iter()
        .map(|s| (format!("{} = \"{}\"", s.name, s.keys.join(", ")), s.help))
        .collect();
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let mut out = String::from("[keys]\n");
    for (line, help) in lines {
        out.push_str(&format!("{line:<width$}  # {help}\n"));
    }
    out
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: SPECS
                .iter()
                .map(|s| Binding {
                    command: s.command,
                    keys: s.keys.iter().filter_map(|k| Key::parse(k)).collect(),
                    hint: s.hint,
                    help: s.help,
                    modes: s.modes,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The defaults with the user's `[keys]` applied (`log = "L"` or `log = "L, ctrl-l"`).
    /// Unknown names, unreadable keys and keys another command of the same mode holds are
    /// skipped, each with a warning for the status line.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut warnings = Vec::new();
        let mut wanted: Vec<(usize, &str, Vec<Key>)> = Vec::new();
        for (name, value) in overrides {
            let Some(idx) = SPECS.iter().position(|s| s.name == name.trim()) else {
                warnings.push(format!("[keys] unknown command \"{name}\""));
                continue;
            };
            let mut keys = Vec::new();
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match Key::parse(part) {
                    Some(k) => keys.push(k),
                    None => warnings.push(format!("[keys] {name}: cannot read key \"{part}\"")),
                }
            }
            if !keys.is_empty() {
                wanted.push((idx, name.as_str(), keys));
            }
        }
        // Release every rebound command's default keys first, so that moving `right` off `L`
        // frees `L` for another command whatever the order of the table.
        for (idx, _, _) in &wanted {
            map.bindings[*idx].keys.clear();
        }
        for (idx, name, keys) in wanted {
            let modes = map.bindings[idx].modes;
            let taken = |k: &Key, map: &Keymap| {
                map.bindings.iter().enumerate().any(|(i, b)| {
                    i != idx && b.keys.contains(k) && b.modes.iter().any(|m| modes.contains(m))
                })
            };
            let (free, clash): (Vec<Key>, Vec<Key>) =
                keys.into_iter().partition(|k| !taken(k, &map));
            for k in &clash {
                warnings.push(format!("[keys] {name}: {} is taken, ignored", k.label()));
            }
            map.bindings[idx].keys = if free.is_empty() {
                // Nothing usable: keep whichever default keys are still free.
                SPECS[idx]
                    .keys
                    .iter()
                    .filter_map(|k| Key::parse(k))
                    .filter(|k| !taken(k, &map))
                    .collect()
            } else {
                free
            };
        }
        (map, warnings)
    }

    /// The command a key means in a mode.
    pub fn command(&self, mode: Mode, key: Key) -> Option<Command> {
        self.bindings
            .iter()
            .find(|b| b.modes.contains(&mode) && b.keys.contains(&key))
            .map(|b| b.command)
    }

    /// The bindings of a mode, in table order.
    pub fn bindings(&self, mode: Mode) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |b| b.modes.contains(&mode))
    }

    /// Every command with its keys, for tests that rebind them all.
    pub fn all(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter()
    }

    /// The config name of a command (`log`), as `[keys]` takes it.
    pub fn name(command: Command) -> &'static str {
        SPECS
            .iter()
            .find(|s| s.command == command)
            .map_or("", |s| s.name)
    }

    /// The first key of a command, as written in hints ("l").
    pub fn key_label(&self, command: Command) -> String {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .and_then(|b| b.keys.first())
            .map(Key::label)
            .unwrap_or_else(|| "–".into())
    }

    /// Footer hints for these commands: `l log  s snooze …`.
    pub fn hints(&self, commands: &[Command]) -> Vec<(String, &'static str)> {
        commands
            .iter()
            .filter_map(|c| self.bindings.iter().find(|b| b.command == *c))
            .filter_map(|b| b.keys.first().map(|k| (k.label(), b.hint)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_shared_keys(map: &Keymap) {
        for mode in Mode::ALL {
            let mut seen: std::collections::HashMap<Key, Command> = Default::default();
            for b in map.bindings(mode) {
                for k in &b.keys {
                    if let Some(other) = seen.insert(*k, b.command) {
                        panic!(
                            "{mode:?}: {} bound to {other:?} and {:?}",
                            k.label(),
                            b.command
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn no_two_commands_share_a_key_in_one_mode() {
        no_shared_keys(&Keymap::default());
    }

    #[test]
    fn every_default_key_parses() {
        for s in SPECS {
            for k in s.keys {
                assert!(Key::parse(k).is_some(), "{}: {k}", s.name);
            }
        }
    }

    const EXAMPLE: &str = include_str!("../../../assets/config.example.toml");

    #[test]
    fn the_example_config_lists_every_command_with_its_default_keys() {
        let at = EXAMPLE
            .find("[keys]")
            .expect("the example has a [keys] table");
        let table = &EXAMPLE[at..];
        let table = &table[..table.find("\n\n").map_or(table.len(), |end| end + 1)];
        assert_eq!(
            table,
            example_keys_table(),
            "assets/config.example.toml's [keys] table is not the keymap's defaults; paste:\n{}",
            example_keys_table()
        );
    }

    #[test]
    fn the_example_config_applies_without_a_warning_and_changes_no_key() {
        let config = crate::config::parse(EXAMPLE).unwrap();
        assert_eq!(config.keys.len(), SPECS.len());
        let (map, warnings) = Keymap::with_overrides(&config.keys);
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(map, Keymap::default());
    }

    #[test]
    fn overrides_rebind_and_refuse_clashes() {
        let mut o = BTreeMap::new();
        o.insert("log".to_string(), "ctrl-l".to_string());
        o.insert("win".to_string(), "s".to_string());
        o.insert("bogus".to_string(), "z".to_string());
        let (map, warnings) = Keymap::with_overrides(&o);
        let ctrl_l = Key::parse("ctrl-l").unwrap();
        assert_eq!(map.command(Mode::List, ctrl_l), Some(Command::Log));
        assert_eq!(map.command(Mode::List, Key::parse("l").unwrap()), None);
        assert_eq!(
            map.command(Mode::List, Key::parse("w").unwrap()),
            Some(Command::Win)
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        no_shared_keys(&map);
    }
}
