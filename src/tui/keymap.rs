//! Keys as data: every bindable command with its default keys, the user's `[keys]` overrides
//! from the config, and the footer hints and help overlay generated from the same table.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

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
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::List,
        Mode::Welcome,
        Mode::Form,
        Mode::Confirm,
        Mode::Filter,
        Mode::Preview,
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
}

/// One row of the table: a command, its config name, its words, its modes and default keys.
struct Spec {
    command: Command,
    name: &'static str,
    hint: &'static str,
    help: &'static str,
    modes: &'static [Mode],
    keys: &'static [&'static str],
}

const L: &[Mode] = &[Mode::List];
const W: &[Mode] = &[Mode::Welcome];
const LW: &[Mode] = &[Mode::List, Mode::Welcome];
const F: &[Mode] = &[Mode::Form];
const C: &[Mode] = &[Mode::Confirm];
const FL: &[Mode] = &[Mode::Filter];
const P: &[Mode] = &[Mode::Preview];

const SPECS: &[Spec] = &[
    Spec {
        command: Command::Inbox,
        name: "inbox",
        hint: "inbox",
        help: "Inbox",
        modes: L,
        keys: &["1"],
    },
    Spec {
        command: Command::Queue,
        name: "queue",
        hint: "follow-ups",
        help: "Follow-ups",
        modes: L,
        keys: &["2"],
    },
    Spec {
        command: Command::Pipeline,
        name: "pipeline",
        hint: "pipeline",
        help: "Pipeline by stage",
        modes: L,
        keys: &["3"],
    },
    Spec {
        command: Command::Recycled,
        name: "recycled",
        hint: "recycled",
        help: "Recycled leads",
        modes: L,
        keys: &["4"],
    },
    Spec {
        command: Command::Reports,
        name: "reports",
        hint: "reports",
        help: "Reports",
        modes: L,
        keys: &["5"],
    },
    Spec {
        command: Command::NextView,
        name: "next_view",
        hint: "next view",
        help: "Next view",
        modes: L,
        keys: &["tab"],
    },
    Spec {
        command: Command::PrevView,
        name: "prev_view",
        hint: "previous view",
        help: "Previous view",
        modes: L,
        keys: &["backtab"],
    },
    Spec {
        command: Command::Down,
        name: "down",
        hint: "down",
        help: "Next lead or report",
        modes: L,
        keys: &["j", "down"],
    },
    Spec {
        command: Command::Up,
        name: "up",
        hint: "up",
        help: "Previous lead or report",
        modes: L,
        keys: &["k", "up"],
    },
    Spec {
        command: Command::Top,
        name: "top",
        hint: "top",
        help: "First lead",
        modes: L,
        keys: &["g", "home"],
    },
    Spec {
        command: Command::Bottom,
        name: "bottom",
        hint: "bottom",
        help: "Last lead",
        modes: L,
        keys: &["G", "end"],
    },
    Spec {
        command: Command::PageDown,
        name: "page_down",
        hint: "page down",
        help: "One page down",
        modes: L,
        keys: &["pagedown"],
    },
    Spec {
        command: Command::PageUp,
        name: "page_up",
        hint: "page up",
        help: "One page up",
        modes: L,
        keys: &["pageup"],
    },
    Spec {
        command: Command::Left,
        name: "left",
        hint: "column left",
        help: "Pipeline: column left",
        modes: L,
        keys: &["h", "left"],
    },
    Spec {
        command: Command::Right,
        name: "right",
        hint: "column right",
        help: "Pipeline: column right",
        modes: L,
        keys: &["L", "right"],
    },
    Spec {
        command: Command::Detail,
        name: "detail",
        hint: "detail",
        help: "Open the lead's detail",
        modes: L,
        keys: &["enter"],
    },
    Spec {
        command: Command::Back,
        name: "back",
        hint: "back",
        help: "Close detail, clear filter",
        modes: L,
        keys: &["esc"],
    },
    Spec {
        command: Command::Add,
        name: "add",
        hint: "add",
        help: "Add a lead",
        modes: LW,
        keys: &["a"],
    },
    Spec {
        command: Command::Edit,
        name: "edit",
        hint: "edit",
        help: "Edit the lead's fields",
        modes: L,
        keys: &["e"],
    },
    Spec {
        command: Command::Log,
        name: "log",
        hint: "log",
        help: "Log a contact",
        modes: L,
        keys: &["l"],
    },
    Spec {
        command: Command::Snooze,
        name: "snooze",
        hint: "snooze",
        help: "Snooze the follow-up",
        modes: L,
        keys: &["s"],
    },
    Spec {
        command: Command::Qualify,
        name: "qualify",
        hint: "qualify",
        help: "Qualify (class, value, stage)",
        modes: L,
        keys: &["c"],
    },
    Spec {
        command: Command::StageForward,
        name: "stage_forward",
        hint: "stage",
        help: "Move to the next stage",
        modes: L,
        keys: &[">"],
    },
    Spec {
        command: Command::StageBack,
        name: "stage_back",
        hint: "stage back",
        help: "Move to the previous stage",
        modes: L,
        keys: &["<"],
    },
    Spec {
        command: Command::Lose,
        name: "lose",
        hint: "lose",
        help: "Lose or disqualify",
        modes: L,
        keys: &["x"],
    },
    Spec {
        command: Command::Win,
        name: "win",
        hint: "win",
        help: "Win the lead",
        modes: L,
        keys: &["w"],
    },
    Spec {
        command: Command::Reactivate,
        name: "reactivate",
        hint: "reactivate",
        help: "Reactivate a recycled lead",
        modes: L,
        keys: &["r"],
    },
    Spec {
        command: Command::Delete,
        name: "delete",
        hint: "delete",
        help: "Move the lead to the trash",
        modes: L,
        keys: &["d"],
    },
    Spec {
        command: Command::Merge,
        name: "merge",
        hint: "merge",
        help: "Merge into another lead",
        modes: L,
        keys: &["M"],
    },
    Spec {
        command: Command::CopyEmail,
        name: "copy_email",
        hint: "copy e-mail",
        help: "Copy the e-mail address",
        modes: L,
        keys: &["y"],
    },
    Spec {
        command: Command::Note,
        name: "note",
        hint: "note",
        help: "Write a long note in $EDITOR",
        modes: L,
        keys: &["n"],
    },
    Spec {
        command: Command::Filter,
        name: "filter",
        hint: "filter",
        help: "Filter this view as you type",
        modes: L,
        keys: &["/"],
    },
    Spec {
        command: Command::Week,
        name: "week",
        hint: "week",
        help: "Follow-ups: today / week",
        modes: L,
        keys: &["t"],
    },
    Spec {
        command: Command::Months,
        name: "months",
        hint: "by month",
        help: "Pipeline: stage / ripe month",
        modes: L,
        keys: &["m"],
    },
    Spec {
        command: Command::Closed,
        name: "closed",
        hint: "every loss",
        help: "Recycled: resting / every loss / won",
        modes: L,
        keys: &["v"],
    },
    Spec {
        command: Command::Period,
        name: "period",
        hint: "period",
        help: "Reports: cycle the period",
        modes: L,
        keys: &["p"],
    },
    Spec {
        command: Command::GroupBy,
        name: "group_by",
        hint: "group by",
        help: "Reports: source/owner/month",
        modes: L,
        keys: &["b"],
    },
    Spec {
        command: Command::Import,
        name: "import",
        hint: "import",
        help: "Import a file",
        modes: LW,
        keys: &["i"],
    },
    Spec {
        command: Command::Export,
        name: "export",
        hint: "export",
        help: "Export this view",
        modes: L,
        keys: &["E"],
    },
    Spec {
        command: Command::Demo,
        name: "demo",
        hint: "demo book",
        help: "Load the demo book",
        modes: W,
        keys: &["D"],
    },
    Spec {
        command: Command::Help,
        name: "help",
        hint: "help",
        help: "This help",
        modes: LW,
        keys: &["?"],
    },
    Spec {
        command: Command::Quit,
        name: "quit",
        hint: "quit",
        help: "Quit",
        modes: LW,
        keys: &["q"],
    },
    Spec {
        command: Command::Save,
        name: "save",
        hint: "save",
        help: "Forms: save",
        modes: F,
        keys: &["enter"],
    },
    Spec {
        command: Command::NextField,
        name: "next_field",
        hint: "next field",
        help: "Forms: next field",
        modes: F,
        keys: &["tab", "down"],
    },
    Spec {
        command: Command::PrevField,
        name: "prev_field",
        hint: "previous field",
        help: "Forms: previous field",
        modes: F,
        keys: &["backtab", "up"],
    },
    Spec {
        command: Command::Cancel,
        name: "cancel",
        hint: "cancel",
        help: "Forms: cancel",
        modes: F,
        keys: &["esc"],
    },
    Spec {
        command: Command::Yes,
        name: "yes",
        hint: "yes",
        help: "Questions: yes",
        modes: C,
        keys: &["y", "Y"],
    },
    Spec {
        command: Command::No,
        name: "no",
        hint: "no",
        help: "Questions: no (any other key too)",
        modes: C,
        keys: &["n", "esc"],
    },
    Spec {
        command: Command::KeepFilter,
        name: "keep_filter",
        hint: "keep",
        help: "Filter: keep it, back to the list",
        modes: FL,
        keys: &["enter"],
    },
    Spec {
        command: Command::ClearFilter,
        name: "clear_filter",
        hint: "clear",
        help: "Filter: clear it",
        modes: FL,
        keys: &["esc"],
    },
    Spec {
        command: Command::FilterDown,
        name: "filter_down",
        hint: "down",
        help: "Filter: next lead",
        modes: FL,
        keys: &["down"],
    },
    Spec {
        command: Command::FilterUp,
        name: "filter_up",
        hint: "up",
        help: "Filter: previous lead",
        modes: FL,
        keys: &["up"],
    },
    Spec {
        command: Command::ImportNow,
        name: "import_now",
        hint: "import",
        help: "Import preview: import",
        modes: P,
        keys: &["enter"],
    },
    Spec {
        command: Command::ClosePreview,
        name: "close_preview",
        hint: "cancel",
        help: "Import preview: cancel",
        modes: P,
        keys: &["esc", "q"],
    },
    Spec {
        command: Command::ScrollDown,
        name: "scroll_down",
        hint: "scroll",
        help: "Import preview: scroll down",
        modes: P,
        keys: &["down", "j"],
    },
    Spec {
        command: Command::ScrollUp,
        name: "scroll_up",
        hint: "scroll up",
        help: "Import preview: scroll up",
        modes: P,
        keys: &["up", "k"],
    },
    Spec {
        command: Command::ScrollPageDown,
        name: "scroll_page_down",
        hint: "page down",
        help: "Import preview: page down",
        modes: P,
        keys: &["pagedown"],
    },
    Spec {
        command: Command::ScrollPageUp,
        name: "scroll_page_up",
        hint: "page up",
        help: "Import preview: page up",
        modes: P,
        keys: &["pageup"],
    },
];

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

    const EXAMPLE: &str = include_str!("../../assets/config.example.toml");

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
