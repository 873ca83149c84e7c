//! The form popup: one line per field, choices shown inline with the chosen one bracketed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{centered, clean, clip_spans, cut, fit};
use crate::tui::app::App;
use crate::tui::form::{Form, Input};

const LABEL: usize = 9;

pub fn draw(f: &mut Frame, app: &App, form: &Form) {
    let t = &app.theme;
    let area = f.area();
    let h = form.fields.len() as u16 + 4;
    let r = centered(area, 72, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.key)
        .title(Span::styled(
            cut(
                &format!(" {} ", clean(&form.title)),
                r.width.saturating_sub(2) as usize,
            ),
            t.title,
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    for (i, field) in form.fields.iter().enumerate() {
        let y = inner.y + i as u16;
        if y >= inner.y + inner.height {
            break;
        }
        let focused = i == form.focus;
        let label_style = if focused { t.key } else { t.dim };
        let label = Span::styled(fit(field.label, LABEL), label_style);
        match &field.input {
            Input::Choice { options, idx } => {
                let mut spans = vec![label];
                for (j, o) in options.iter().enumerate() {
                    if j == *idx {
                        spans.push(Span::styled(
                            format!("[{}]", clean(o)),
                            if focused { t.selected } else { t.title },
                        ));
                    } else {
                        spans.push(Span::styled(format!(" {} ", clean(o)), t.dim));
                    }
                }
                // When the options do not fit, show the chosen one between arrows.
                let total: usize = spans.iter().map(|s| s.content.width()).sum();
                let line = if total > w {
                    let chosen = options.get(*idx).map(|s| clean(s)).unwrap_or_default();
                    clip_spans(
                        vec![
                            Span::styled(fit(field.label, LABEL), label_style),
                            Span::styled(
                                format!("‹ {chosen} › ({}/{})", idx + 1, options.len()),
                                if focused { t.selected } else { t.title },
                            ),
                        ],
                        w,
                    )
                } else {
                    clip_spans(spans, w)
                };
                f.render_widget(Paragraph::new(line), Rect::new(inner.x, y, inner.width, 1));
            }
            Input::Text { area: ta, .. } => {
                f.render_widget(
                    Paragraph::new(Line::from(label)),
                    Rect::new(inner.x, y, (LABEL as u16).min(inner.width), 1),
                );
                let hint_w = if field.hint.is_empty() {
                    0
                } else {
                    (field.hint.width() as u16 + 2)
                        .min(inner.width.saturating_sub(LABEL as u16) / 2)
                };
                let text_w = inner.width.saturating_sub(LABEL as u16 + hint_w);
                if text_w > 0 {
                    f.render_widget(&**ta, Rect::new(inner.x + LABEL as u16, y, text_w, 1));
                }
                if hint_w > 0 {
                    f.render_widget(
                        Paragraph::new(Span::styled(
                            fit(&format!("({})", field.hint), hint_w as usize),
                            t.dim,
                        )),
                        Rect::new(inner.x + LABEL as u16 + text_w, y, hint_w, 1),
                    );
                }
            }
        }
    }
    let last = inner.y + inner.height.saturating_sub(1);
    let (msg, style) = if form.confirm_discard {
        ("Discard what you typed? y/n".to_string(), t.warn)
    } else if let Some(e) = &form.error {
        (format!("✗ {}", clean(e)), t.error)
    } else {
        (
            "Enter save · Tab next · ←/→ choose · Esc cancel".to_string(),
            t.dim,
        )
    };
    f.render_widget(
        Paragraph::new(Span::styled(fit(&msg, w), style)),
        Rect::new(inner.x, last, inner.width, 1),
    );
}
