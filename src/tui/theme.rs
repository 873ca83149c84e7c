//! Colour with meaning, and a monochrome theme for `NO_COLOR`. Every coloured state also has a
//! mark or a word in the views, so the screen reads the same without colour.

use ratatui::style::{Color, Modifier, Style};

/// The styles the views use, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub base: Style,
    /// Breached first-contact clock, overdue.
    pub late: Style,
    /// Warning clock, due today.
    pub warn: Style,
    /// Rotting, stale.
    pub stale: Style,
    pub good: Style,
    pub dim: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub tab_active: Style,
    pub key: Style,
    pub error: Style,
    pub border: Style,
    /// Chart bars, and the numbers printed on them.
    pub bar: Style,
    pub bar_value: Style,
}

impl Theme {
    pub fn colour() -> Theme {
        Theme {
            base: Style::new(),
            late: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::Yellow),
            stale: Style::new().fg(Color::Magenta).add_modifier(Modifier::DIM),
            good: Style::new().fg(Color::Green),
            dim: Style::new().add_modifier(Modifier::DIM),
            title: Style::new().add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            bar: Style::new().fg(Color::Cyan),
            bar_value: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// No colours at all: crossterm 0.29 resets colours with a bare reset, which would also
    /// drop a coloured reverse highlight, so only modifiers carry emphasis here.
    pub fn mono() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            base: Style::new(),
            late: bold,
            warn: Style::new(),
            stale: Style::new().add_modifier(Modifier::DIM),
            good: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            title: bold,
            header: bold,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            tab_active: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            key: bold,
            error: bold,
            border: Style::new(),
            bar: Style::new(),
            bar_value: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// `NO_COLOR` set to anything non-empty means monochrome (no-color.org).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::colour(),
        }
    }
}
