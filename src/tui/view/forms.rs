//! The form popup: one line per field, choices shown inline with the chosen one bracketed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{centered, clean, clip_spans, fit};
use crate::domain::time::parse_when;
use crate::tui::app::App;
use crate::tui::form::{Form, FormKind, Input};
use crate::tui::keymap::Command;

const LABEL: usize = 9;

/// Returns where the form was drawn.
pub fn draw(f: &mut Frame, app: &App, form: &Form) -> Rect {
    let t = &app.theme;
    let area = f.area();
    let h = form.fields.len() as u16 + 4;
    let r = centered(area, 72, h);
    let inner = super::overlay_box(f, r, &format!(" {} ", clean(&form.title)), app);
    if inner.width == 0 || inner.height == 0 {
        return r;
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
                let chosen = if focused { t.selected } else { t.title };
                let cell = |j: usize| {
                    let o = options.get(j).map(|o| clean(o)).unwrap_or_default();
                    if j == *idx {
                        Span::styled(format!("[{o}]"), chosen)
                    } else {
                        Span::styled(format!(" {o} "), t.dim)
                    }
                };
                // Show as many options around the chosen one as fit, `…` where some are hidden.
                let room = w.saturating_sub(LABEL + 2);
                let (mut a, mut b) = (*idx, *idx);
                let width =
                    |a: usize, b: usize| (a..=b).map(|j| cell(j).content.width()).sum::<usize>();
                loop {
                    let mut grew = false;
                    if b + 1 < options.len() && width(a, b + 1) <= room {
                        b += 1;
                        grew = true;
                    }
                    if a > 0 && width(a - 1, b) <= room {
                        a -= 1;
                        grew = true;
                    }
                    if !grew {
                        break;
                    }
                }
                let mut spans = vec![label, Span::styled(if a > 0 { "…" } else { " " }, t.dim)];
                spans.extend((a..=b).map(cell));
                if b + 1 < options.len() {
                    spans.push(Span::styled("…", t.dim));
                }
                f.render_widget(
                    Paragraph::new(clip_spans(spans, w)),
                    Rect::new(inner.x, y, inner.width, 1),
                );
            }
            Input::Text { area: ta, .. } => {
                f.render_widget(
                    Paragraph::new(Line::from(label)),
                    Rect::new(inner.x, y, (LABEL as u16).min(inner.width), 1),
                );
                // A default's hint (its date, its cadence) no longer applies once typed over; a
                // date typed is read back instead, as it will be saved.
                let typed = field.value();
                let read_back =
                    (field.date && field.dirty() && !typed.trim().is_empty()).then(|| {
                        if typed.trim().eq_ignore_ascii_case("never") {
                            "never".to_string()
                        } else {
                            match parse_when(&typed, &app.now) {
                                Ok(at) => {
                                    format!("→ {}", app.now.local_date(at).format("%a %d %b %Y"))
                                }
                                Err(_) => "not a date yet".to_string(),
                            }
                        }
                    });
                let hint = read_back.as_deref().unwrap_or(&field.hint);
                let hint_w = if hint.is_empty()
                    || read_back.is_none() && field.replace_on_type && field.dirty()
                {
                    0
                } else {
                    // The hint may take all but a dozen columns of the field.
                    (hint.width() as u16 + 2).min(inner.width.saturating_sub(LABEL as u16 + 12))
                };
                let text_w = inner.width.saturating_sub(LABEL as u16 + hint_w);
                if text_w > 0 {
                    f.render_widget(&**ta, Rect::new(inner.x + LABEL as u16, y, text_w, 1));
                }
                if hint_w > 0 {
                    f.render_widget(
                        Paragraph::new(Span::styled(
                            fit(&format!("({hint})"), hint_w as usize),
                            t.dim,
                        )),
                        Rect::new(inner.x + LABEL as u16 + text_w, y, hint_w, 1),
                    );
                }
            }
        }
    }
    let last = inner.y + inner.height.saturating_sub(1);
    let k = |c| app.label(c);
    let (msg, style) = if form.confirm_discard {
        (
            format!(
                "Discard what you typed? {}/{}",
                k(Command::Yes),
                k(Command::No)
            ),
            t.warn,
        )
    } else if let Some(e) = &form.error {
        (format!("✗ {}", clean(e)), t.error)
    } else {
        let (save, next, cancel) = (k(Command::Save), k(Command::NextField), k(Command::Cancel));
        // ←/→ are the choice fields' own keys, as the arrows in a text field.
        let keys = match form.kind {
            FormKind::Import => {
                format!("{save} preview (nothing is written yet) · {cancel} cancel")
            }
            FormKind::Export => {
                format!("{save} write the file · ←/→ choose · {next} next · {cancel} cancel")
            }
            _ => format!("{save} save · {next} next · ←/→ choose · {cancel} cancel"),
        };
        (keys, t.dim)
    };
    f.render_widget(
        Paragraph::new(Span::styled(fit(&msg, w), style)),
        Rect::new(inner.x, last, inner.width, 1),
    );
    r
}
