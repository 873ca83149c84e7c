//! Taking over the terminal and giving it back: raw mode, the alternate screen, mouse and
//! bracketed paste on; all restored on quit, on error (a guard's `Drop`) and on panic (a hook
//! chained before ratatui's own).

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{Command, execute};
use std::io::stdout;

/// Mouse clicks and the wheel, in SGR encoding; not crossterm's `EnableMouseCapture`, which also
/// asks for every movement of the pointer: the app uses none, and each one would wake it (and
/// stop the count of a filter's matches that runs while the user pauses).
struct EnableMouseCapture;

impl Command for EnableMouseCapture {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        // 1000: press, release and wheel; 1006: SGR coordinates (any terminal size).
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }
}

/// Restores the terminal when dropped.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        release();
    }
}

fn release() {
    // Errors here cannot be reported anywhere useful; restore as much as possible.
    let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
}

/// Take over the terminal. Keep the guard alive for as long as the app runs.
pub fn enter() -> std::io::Result<(DefaultTerminal, Guard)> {
    let term = ratatui::try_init()?;
    let guard = Guard;
    // ratatui's hook restores raw mode and the screen; ours also turns the mouse off first.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
        previous(info);
    }));
    execute!(stdout(), EnableMouseCapture, EnableBracketedPaste)?;
    Ok((term, guard))
}

/// Give the terminal back for `f` (an editor), then take it again.
pub fn suspended<T>(f: impl FnOnce() -> T) -> T {
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen
    );
    let _ = disable_raw_mode();
    let out = f();
    let _ = enable_raw_mode();
    let _ = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    );
    out
}
