//! The `?` overlay: every key of the current mode, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, fit};
use crate::tui::app::App;
use crate::tui::keymap::Command;

/// Returns where the help was drawn.
pub fn draw(f: &mut Frame, app: &App) -> Rect {
    let t = &app.theme;
    let mode = app.mode();
    let rows: Vec<(String, &str)> = app
        .keymap
        .bindings(mode)
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            (keys.join(" "), b.help)
        })
        .collect();
    let k = |c| app.label(c);
    // The forms' keys on the box's bottom edge, where they take no row from the list.
    let forms = format!(
        " forms: {} save · {} · {} cancel ",
        k(Command::Save),
        k(Command::NextField),
        k(Command::Cancel)
    );
    let area = f.area();
    // One column when it fits, else two side by side.
    let avail = area.height.saturating_sub(2) as usize;
    let two = rows.len() > avail && area.width >= 60;
    let per_col = if two {
        rows.len().div_ceil(2)
    } else {
        rows.len()
    };
    let width = if two { 100 } else { 70 };
    let r = centered(area, width, per_col as u16 + 2);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.key)
        .title(Span::styled(" Keys · any key closes ", t.title))
        .title_bottom(Span::styled(forms, t.key));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let cols = if two { 2 } else { 1 };
    let cw = inner.width as usize / cols;
    let kw = 10.min(cw);
    let mut lines: Vec<Line> = Vec::new();
    for i in 0..per_col {
        let mut spans = Vec::new();
        for c in 0..cols {
            if let Some((k, h)) = rows.get(c * per_col + i) {
                // A column's text stops one short of the next column, so the two never touch.
                let gap = usize::from(c + 1 < cols);
                spans.push(Span::styled(fit(k, kw), t.key));
                spans.push(Span::raw(fit(h, cw.saturating_sub(kw + gap))));
                spans.push(Span::raw(" ".repeat(gap)));
            }
        }
        lines.push(Line::from(spans));
    }
    // Too short for every key: say so on the last line rather than cut the list silently.
    let shown = inner.height as usize;
    if per_col > shown && shown > 0 {
        lines.truncate(shown - 1);
        lines.push(Line::from(Span::styled(
            fit("… a taller terminal shows every key", inner.width as usize),
            t.dim,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
    r
}
