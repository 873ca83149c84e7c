//! The one synchronous loop: wait for input with a timeout that ends when something next falls
//! due (midnight, a follow-up), drain every queued event through `update`, then draw once, and
//! only if something changed.

use anyhow::Result;
use chrono::{DateTime, Utc};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, Event, KeyCode, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use std::io::Write;
use std::time::Duration;

use super::app::{Action, App, Effect};
use super::keymap::Command;
use super::{layout, terminal, view};
use crate::domain::Now;
use crate::store::Store;

/// How long the user must pause before the app checkpoints the WAL.
const IDLE: Duration = Duration::from_millis(750);
/// Longest sleep: how soon an idle app sees another process's write to the book (a CLI run, a
/// `ripen sync` taking in another laptop's changes) and a clock changed under it (a suspend,
/// NTP). One second, so that a write shows within two even with a redraw and a busy machine
/// (at two seconds, a write just after a look waited the whole two before it showed).
const WATCH: Duration = Duration::from_secs(1);

/// Translate a terminal event into an action, if it means one.
pub fn action_for(app: &App, ev: Event) -> Option<Action> {
    // Nothing acts blind: on a screen too small to show the app, only resizing and quitting work.
    if !layout::big_enough(app.size) {
        return match ev {
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            Event::Key(k)
                if k.kind != KeyEventKind::Release
                    && !app.takes_text()
                    && app.command_for(&k) == Some(Command::Quit) =>
            {
                Some(Action::Command(Command::Quit))
            }
            _ => None,
        };
    }
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            if app.takes_text() {
                return Some(Action::Key(k));
            }
            if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
                return Some(Action::Command(Command::Quit));
            }
            app.command_for(&k).map(Action::Command)
        }
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollDown => Some(Action::Scroll(1)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-1)),
            _ => None,
        },
        _ => None,
    }
}

/// When the views next change by themselves: midnight or the next follow-up, whichever first.
fn next_wake(store: &Store, now: &Now) -> DateTime<Utc> {
    let midnight = now.start_of_tomorrow();
    match store.next_due_after(now.utc) {
        Ok(Some(due)) => due.min(midnight),
        _ => midnight,
    }
}

/// How long the loop may wait for a key: until the next thing falls due, never longer than
/// [`WATCH`], and no longer than [`IDLE`] while a write waits for its checkpoint.
fn nap(wake: DateTime<Utc>, now: DateTime<Utc>, written: bool) -> Duration {
    let sleep = (wake - now).to_std().unwrap_or(Duration::ZERO).min(WATCH);
    if written { sleep.min(IDLE) } else { sleep }
}

fn clock(fallback: Now) -> Now {
    crate::config::now(fallback.zone).unwrap_or(fallback)
}

/// A CLI run or an import wrote the book since `seen`: fetch counts and lists as they now are.
/// Returns whether it did.
pub fn notice_other_writers(
    app: &mut App,
    store: &mut Store,
    seen: &mut Option<i64>,
    now: &Now,
) -> bool {
    let version = store.data_version().ok();
    if version == *seen {
        return false;
    }
    *seen = version;
    app.update(Action::BookChanged, store, now);
    true
}

/// Run until the user quits.
pub fn run(term: &mut DefaultTerminal, app: &mut App, store: &mut Store) -> Result<()> {
    let mut dirty = true;
    let mut wake = next_wake(store, &app.now);
    // The WAL is checkpointed once the user pauses, never in the middle of a keystroke.
    let deferred = store.defer_checkpoints().is_ok();
    let mut written = false;
    let mut armed = false;
    let mut seen = store.data_version().ok();
    loop {
        let now = clock(app.now);
        // The terminal's size as it is, not only as the last resize event said: events that
        // come in a burst (a window dragged, a tiling manager) can leave the last one unread,
        // and the app would lay out for a size the screen no longer has.
        if let Ok(s) = term.size()
            && (s.width, s.height) != (app.size.width, app.size.height)
        {
            app.update(Action::Resize(s.width, s.height), store, &now);
            dirty = true;
        }
        if now.utc >= wake {
            app.update(Action::Tick, store, &now);
            wake = next_wake(store, &now);
            dirty = true;
        }
        if notice_other_writers(app, store, &mut seen, &now) {
            wake = next_wake(store, &now);
            dirty = true;
        }
        if dirty {
            let mut drawn = None;
            term.draw(|f| drawn = Some(view::frame(f, app)))?;
            app.drawn = drawn.unwrap_or_default();
            dirty = false;
            if !armed {
                // Once the first frame is up, not before it and not in the first save's time.
                // A failure here comes back at the first write, where it is reported.
                armed = true;
                let _ = store.prepare_writes();
                // A shared book's conflicts are counted after the first frame, not before it
                // (cheap through their index, but nothing stands before the first frame).
                // Shown at once if there are any.
                if app.count_conflicts(store) {
                    dirty = true;
                    continue;
                }
            }
        }
        if app.quit {
            return Ok(());
        }
        let sleep = nap(wake, now.utc, written);
        // A pause: count the rest of a filtered list, giving up the moment a key comes.
        if app.counting() && !event::poll(Duration::ZERO)? {
            dirty |= app.count_further(store, || event::poll(Duration::ZERO).unwrap_or(true));
            continue;
        }
        if !event::poll(sleep)? {
            if written {
                // Idle: a failed checkpoint only leaves the WAL for the next one.
                let _ = store.checkpoint();
                written = false;
            }
            continue;
        }
        // Drain everything queued before drawing once.
        loop {
            let ev = event::read()?;
            if let Some(action) = action_for(app, ev) {
                let now = clock(app.now);
                if let Some(effect) = app.update(action, store, &now) {
                    perform(term, app, store, effect)?;
                }
                dirty = true;
                written = deferred;
            }
            if app.quit || !event::poll(Duration::ZERO)? {
                break;
            }
        }
        // An action may have moved the next follow-up.
        wake = next_wake(store, &app.now);
    }
}

/// Do what `update` asked of the terminal.
fn perform(
    term: &mut DefaultTerminal,
    app: &mut App,
    store: &mut Store,
    effect: Effect,
) -> Result<()> {
    match effect {
        Effect::Copy(text) => {
            let mut out = std::io::stdout();
            write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()))?;
            out.flush()?;
        }
        Effect::EditNote { uid, name } => {
            app.say(format!("writing a note on {name}"));
            let result = terminal::suspended(edit_in_editor);
            term.clear()?;
            let now = clock(app.now);
            match result {
                Ok(text) => {
                    app.update(Action::NoteWritten { uid, text }, store, &now);
                }
                Err(e) => app.say(format!("editor: {e:#}")),
            }
        }
    }
    Ok(())
}

/// Open `$VISUAL`/`$EDITOR` (else `vi`) on a private temporary file and return what was written.
fn edit_in_editor() -> Result<String> {
    use std::os::unix::fs::OpenOptionsExt;
    // A fresh name per note; `create_new` below refuses to follow anything already there.
    static NOTES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NOTES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "ripen-note-{}-{n}-{}.txt",
        std::process::id(),
        uuid::Uuid::now_v7().simple()
    ));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        f.flush()?;
    }
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(&path)
        .status();
    let text = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    let status = status?;
    if !status.success() {
        anyhow::bail!("{program} exited with {status}; note not saved");
    }
    Ok(text?)
}

/// Standard base64, for OSC 52.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_app_looks_at_the_book_at_least_every_second() {
        let now = DateTime::from_timestamp(1_795_338_000, 0).unwrap();
        // Nothing due until midnight: still awake within a second, to see other writers.
        let midnight = now + chrono::Duration::hours(15);
        assert_eq!(nap(midnight, now, false), WATCH);
        assert!(WATCH <= Duration::from_secs(1));
        // Something due sooner, or already due; a write waiting for its checkpoint.
        let soon = now + chrono::Duration::milliseconds(300);
        assert_eq!(nap(soon, now, false), Duration::from_millis(300));
        assert_eq!(
            nap(now - chrono::Duration::seconds(1), now, false),
            Duration::ZERO
        );
        assert_eq!(nap(midnight, now, true), IDLE.min(WATCH));
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"jane@acme.example"), "amFuZUBhY21lLmV4YW1wbGU=");
    }
}
