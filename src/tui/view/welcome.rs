//! The empty book's welcome: what ripen is, and the three ways to start.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit;
use crate::tui::app::App;
use crate::tui::keymap::Command;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let w = area.width as usize;
    let k = |c| app.keymap.key_label(c);
    let mut lines = vec![
        Line::raw(""),
        Line::from(Span::styled(fit("  Welcome to ripen.", w), t.title)),
        Line::raw(""),
        Line::from(Span::raw(fit(
            "  A book of sales leads that never lets one go to waste.",
            w,
        ))),
        Line::from(Span::raw(fit("  This book is empty. Start with:", w))),
        Line::raw(""),
    ];
    for (c, words) in [
        (Command::Add, "add a lead"),
        (Command::Import, "import a CSV file"),
        (
            Command::Demo,
            "load the demo book (60 leads) to look around",
        ),
    ] {
        lines.push(Line::from(vec![
            Span::raw("    "),
            Span::styled(fit(&k(c), 3), t.key),
            Span::raw(fit(words, w.saturating_sub(7))),
        ]));
    }
    lines.truncate(area.height as usize);
    f.render_widget(Paragraph::new(lines), area);
}
