//! The `?` overlay: every key of the current mode, generated from the keymap.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, fit};
use crate::tui::app::App;

pub fn draw(f: &mut Frame, app: &App) {
    let t = &app.theme;
    let mode = app.mode();
    let mut rows: Vec<(String, &str)> = app
        .keymap
        .bindings(mode)
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            (keys.join(" "), b.help)
        })
        .collect();
    rows.push(("".into(), ""));
    rows.push((
        "in forms".into(),
        "Enter save · Tab/↓ next · ←/→ choose · Esc cancel",
    ));
    let area = f.area();
    let r = centered(area, 70, rows.len() as u16 + 2);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.key)
        .title(Span::styled(" Keys · any key closes ", t.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let kw = 14.min(w);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(k, h)| {
            Line::from(vec![
                Span::styled(fit(&k, kw), t.key),
                Span::raw(fit(h, w.saturating_sub(kw))),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
