//! The terminal app: one synchronous loop over a book. Keys become commands through the keymap,
//! commands become actions, `App::update` changes the state (and the book), and the views draw
//! the state.

pub mod app;
pub mod event_loop;
pub mod form;
pub mod fuzzy;
pub mod keymap;
pub mod layout;
pub mod terminal;
pub mod theme;
pub mod view;

use anyhow::Result;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::config::Config;
use crate::store::Store;
use app::{Action, App};
use keymap::{Command, Keymap};
use theme::Theme;

/// How much of the book the app keeps in memory between keystrokes: 16 MiB of pages, which
/// keeps its peak well under 40 MB on a million-lead book.
pub const PAGE_CACHE_KIB: i64 = 16 * 1024;

/// Open the terminal app on a book. With `bench_frames`, draw that many frames on an off-screen
/// 120×40 terminal while walking the queue, and exit (for benchmarks).
pub fn run(mut store: Store, config: Config, bench_frames: Option<usize>) -> Result<()> {
    let now = crate::config::now(config.plan.zone())?;
    let (keymap, mut warnings) = Keymap::with_overrides(&config.keys);
    // Statistics let the views walk their indexes; a failure only costs speed.
    if let Err(e) = store.optimize() {
        warnings.push(format!("could not optimise the book: {e}"));
    }
    if let Err(e) = store.busy_timeout(crate::store::APP_BUSY_TIMEOUT) {
        warnings.push(format!("could not set the wait for other writers: {e}"));
    }
    if let Err(e) = store.cache_kib(PAGE_CACHE_KIB) {
        warnings.push(format!("could not size the page cache: {e}"));
    }
    if let Some(n) = bench_frames {
        return bench(&mut store, keymap, n);
    }
    let (mut term, _guard) = terminal::enter()?;
    let size = term.size()?;
    let mut app = App::new(
        &store,
        keymap,
        Theme::from_env(),
        now,
        Rect::new(0, 0, size.width, size.height),
    );
    if !warnings.is_empty() {
        app.say(warnings.join("; "));
    }
    event_loop::run(&mut term, &mut app, &mut store)
}

fn bench(store: &mut Store, keymap: Keymap, frames: usize) -> Result<()> {
    let now = crate::config::now(store.plan().zone())?;
    let size = Rect::new(0, 0, 120, 40);
    let mut term = Terminal::new(TestBackend::new(size.width, size.height))?;
    let mut app = App::new(store, keymap, Theme::colour(), now, size);
    let started = std::time::Instant::now();
    for i in 0..frames {
        let cmd = if (i / 50) % 2 == 0 {
            Command::Down
        } else {
            Command::Up
        };
        app.update(Action::Command(cmd), store, &now);
        term.draw(|f| view::draw(f, &app))?;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    eprintln!(
        "drew {frames} frames in {ms:.1} ms ({:.3} ms a frame)",
        ms / frames.max(1) as f64
    );
    Ok(())
}
