//! Pipeline: open leads as a kanban, one column per stage (or per ripe month with `m`), each
//! column with its count, total and weighted value; each card one line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{clean, clip_spans, cut, fit};
use crate::domain::lead::format_money_short;
use crate::domain::money::total_short;
use crate::domain::plan::StageProbability;
use crate::domain::priority;
use crate::tui::app::{App, BoardColumn, ColumnSource, first_visible_column};
use crate::tui::layout::{self, Target};

/// Returns where each column and card was drawn.
pub fn draw(f: &mut Frame, app: &App, area: Rect) -> Vec<(Rect, Target)> {
    let board = &app.board;
    let n = board.columns.len();
    let mut drawn = Vec::new();
    if n == 0 {
        return drawn;
    }
    let visible = layout::board_columns_visible(area, n);
    let first = first_visible_column(board.col, visible, n);
    let width = area.width / visible as u16;
    for (k, i) in (first..(first + visible).min(n)).enumerate() {
        let x = area.x + k as u16 * width;
        let w = if k + 1 == visible {
            area.width - k as u16 * width
        } else {
            width
        };
        let r = Rect::new(x, area.y, w, area.height);
        drawn.push((r, Target::Column(i)));
        let cards = column(f, app, &board.columns[i], i == board.col, r);
        drawn.extend(
            cards
                .into_iter()
                .map(|(r, index)| (r, Target::Card { column: i, index })),
        );
    }
    // Columns scrolled out of sight are announced on the bottom border.
    let t = &app.theme;
    let bottom = area.y + area.height.saturating_sub(1);
    if first > 0 && area.width > 8 {
        f.render_widget(
            Paragraph::new(Span::styled(format!("‹{first}"), t.key)),
            Rect::new(area.x + 1, bottom, 2, 1),
        );
    }
    let hidden = n.saturating_sub(first + visible);
    if hidden > 0 && area.width > 8 {
        f.render_widget(
            Paragraph::new(Span::styled(format!("{hidden}›"), t.key)),
            Rect::new(area.x + area.width - 3, bottom, 2, 1),
        );
    }
    drawn
}

/// Draws a column; returns where each card was drawn, with its index in the column's list.
fn column(
    f: &mut Frame,
    app: &App,
    col: &BoardColumn,
    active: bool,
    area: Rect,
) -> Vec<(Rect, usize)> {
    let t = &app.theme;
    let cur = &app.plan.currency;
    // A word filter's column counted only so far: "31+·€1.2M+".
    let more = if col.counted { "" } else { "+" };
    let room = area.width.saturating_sub(2) as usize;
    // A narrow column gives up the padding, then the amount, before the words are cut
    // ("later/unset 7·€218k" at 120 columns).
    // Values in currencies without a rate are summed apart, in their own: "€40k+MXN 12.3M",
    // or "€40k+3¤" where that does not fit.
    let (full, compact) = total_short(&app.plan, col.value_cents, &col.apart);
    let whole = format!("{} {}{more}·{full}{more}", col.title, col.count);
    let short = format!("{} {}{more}·{compact}{more}", col.title, col.count);
    let counted = format!("{} {}{more}", col.title, col.count);
    let title = [
        format!(" {whole} "),
        whole,
        format!(" {short} "),
        short,
        format!(" {counted} "),
    ]
    .into_iter()
    .find(|s| s.width() <= room)
    .unwrap_or(counted);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if active { t.key } else { t.border })
        .title(Span::styled(
            cut(&title, room),
            if active { t.tab_active } else { t.title },
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return Vec::new();
    }
    let w = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        fit(
            &match &col.source {
                ColumnSource::Ripe(b) => format!(
                    "{} wtd ~{:.1} won",
                    format_money_short(col.weighted_cents, cur),
                    StageProbability::wins_shown(b.expected_wins)
                ),
                ColumnSource::Stage(_) => {
                    format!("weighted {}", format_money_short(col.weighted_cents, cur))
                }
            },
            w,
        ),
        t.dim,
    ))];
    let win = &col.window;
    // Under the weighted line, one line a card.
    let cards = (0..win.rows.len().min(inner.height.saturating_sub(1) as usize))
        .map(|r| {
            (
                Rect::new(inner.x, inner.y + 1 + r as u16, inner.width, 1),
                win.offset + r,
            )
        })
        .collect();
    if win.rows.is_empty() {
        lines.push(Line::from(Span::styled(fit("(none)", w), t.dim)));
    }
    for (r, row) in win.rows.iter().enumerate() {
        let l = &row.lead;
        let sel = active && win.selected.checked_sub(win.offset) == Some(r);
        let idle = priority::days_idle(l, &row.touches, &app.now);
        let rotting = priority::rotting(l, &row.touches, &app.now, &app.plan);
        let value = l
            .value_cents
            .map(|v| app.plan.money_short(v, l.currency.as_deref()))
            .unwrap_or_else(|| "–".into());
        let tail = format!(" {value} {idle}d{}", if rotting { "⚠" } else { "" });
        let name_w = w.saturating_sub(tail.width() + 1);
        let who = match &l.company {
            Some(c) if name_w >= 24 => format!("{} · {}", clean(&l.name), clean(c)),
            _ => clean(&l.name),
        };
        let marker = if sel { "▶" } else { " " };
        let mut line = clip_spans(
            vec![
                Span::raw(marker),
                Span::raw(fit(&who, name_w)),
                Span::styled(tail, if rotting { t.stale } else { t.dim }),
            ],
            w,
        );
        if sel {
            line = line.patch_style(t.selected);
        }
        lines.push(line);
    }
    lines.truncate(inner.height as usize);
    f.render_widget(Paragraph::new(lines), inner);
    cards
}
