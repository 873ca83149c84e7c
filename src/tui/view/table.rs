//! A table of leads in a box, its columns picked to fit the width, and the words of an empty
//! or filtered list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clean, clip_spans, cut, fit};
use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::theme::Theme;

/// A table column: a header, a width (flexible ones grow from `width`), and how long it stays
/// when space runs out (lower stays longer).
pub struct Col {
    pub title: &'static str,
    pub width: usize,
    pub flex: bool,
    pub keep: u8,
}

/// Which columns fit in `w`, with their widths, in display order.
pub fn pick_columns(cols: &[Col], w: usize) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|i| cols[*i].keep);
    let mut chosen = Vec::new();
    let mut used = 0;
    for i in order {
        let need = cols[i].width + 1;
        if used + need <= w {
            used += need;
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    let flex: Vec<usize> = chosen.iter().copied().filter(|i| cols[*i].flex).collect();
    let spare = w.saturating_sub(used);
    chosen
        .iter()
        .map(|&i| {
            let mut width = cols[i].width;
            if !flex.is_empty() && cols[i].flex {
                width += spare / flex.len();
                if flex.last() == Some(&i) {
                    width += spare % flex.len();
                }
            }
            (i, width)
        })
        .collect()
}

/// One cell of a row: text and its style.
pub type Cell = (String, Style);

/// Draw a list of leads as a table in a box: header, rows, the `▶` cursor.
/// A table of leads to draw.
pub struct Table<'a> {
    pub title: String,
    pub cols: &'a [Col],
    pub rows: Vec<Vec<Cell>>,
    /// The cursor's row within `rows`.
    pub selected: Option<usize>,
    /// What to say when there are no rows.
    pub empty: String,
}

/// Returns where each row was drawn, in the rows' order (those cut off by the box are not).
pub fn draw_table(f: &mut Frame, theme: &Theme, area: Rect, table: Table) -> Vec<Rect> {
    let Table {
        title,
        cols,
        rows,
        selected,
        empty,
    } = table;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            cut(&title, area.width.saturating_sub(2) as usize),
            theme.title,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return Vec::new();
    }
    let w = inner.width as usize;
    // Under the header line, one line a row.
    let drawn = (0..rows.len().min(inner.height.saturating_sub(1) as usize))
        .map(|r| Rect::new(inner.x, inner.y + 1 + r as u16, inner.width, 1))
        .collect();
    let picked = pick_columns(cols, w.saturating_sub(2));
    let mut lines = Vec::new();
    let mut head = vec![Span::raw("  ")];
    for (i, cw) in &picked {
        head.push(Span::styled(
            format!("{} ", fit(cols[*i].title, *cw)),
            theme.header,
        ));
    }
    lines.push(clip_spans(head, w));
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(
            fit(&format!("  {empty}"), w),
            theme.dim,
        )));
    }
    for (r, cells) in rows.into_iter().enumerate() {
        let sel = selected == Some(r);
        let mut spans = vec![Span::raw(if sel { "▶ " } else { "  " })];
        for (i, cw) in &picked {
            let (text, style) = cells.get(*i).cloned().unwrap_or_default();
            spans.push(Span::styled(format!("{} ", fit(&text, *cw)), style));
        }
        let mut line = clip_spans(spans, w);
        if sel {
            line = line.patch_style(theme.selected);
            // Pad so the highlight spans the row.
            let lw = line.width();
            line.spans.push(Span::styled(
                " ".repeat(w.saturating_sub(lw)),
                theme.selected,
            ));
        }
        lines.push(line);
    }
    lines.truncate(inner.height as usize);
    f.render_widget(Paragraph::new(lines), inner);
    drawn
}

/// What an empty list says: its own words, unless a filter emptied it (or has found nothing
/// yet, while the rest of the view is still being walked).
pub fn empty_words(app: &App, own: &str) -> String {
    if app.filter_text().is_empty() {
        own.to_string()
    } else if app.counting() {
        "Searching…".to_string()
    } else {
        format!(
            "Nothing matches the filter. {} clears it.",
            app.label(Command::Back)
        )
    }
}

/// A list's length, and the filter narrowing it: "41", or "3 · filter /jane".
pub fn count_words(app: &App, shown: usize) -> String {
    let filter = app.filter_text();
    if filter.is_empty() {
        format!("{shown}")
    } else if shown >= app.filter_cap() || app.counting() {
        format!("{shown}+ matching /{}", clean(filter))
    } else {
        format!("{shown} matching /{}", clean(filter))
    }
}
