//! Taking over the terminal and giving it back: raw mode, the alternate screen, mouse and
//! bracketed paste on; all restored on quit, on error (a guard's `Drop`) and on panic (a hook
//! chained before ratatui's own).

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::stdout;

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
