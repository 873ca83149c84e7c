//! The terminal app (placeholder until the TUI issue lands).

use anyhow::Result;

use crate::config::Config;
use crate::store::Store;

/// Open the terminal app on a book.
pub fn run(_store: Store, _config: Config, _bench_frames: Option<usize>) -> Result<()> {
    let mut terminal = ratatui::init();
    let r = terminal.draw(|f| {
        f.render_widget(
            ratatui::widgets::Paragraph::new("ripen — the terminal app is coming. Press any key."),
            f.area(),
        )
    });
    let _ = ratatui::crossterm::event::read();
    ratatui::restore();
    r.map(|_| ()).map_err(Into::into)
}
