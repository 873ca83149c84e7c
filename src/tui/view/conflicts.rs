//! The conflicts of a shared book: each as `#number name · field`, the value kept with who and
//! when, then each other value; one other value chosen (`▶`, reversed) to keep instead.
//! Everything from the book is cleaned here before it reaches the terminal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, clean, clip_spans, fit};
use crate::domain::conflicts::{by_when, shown_value};
use crate::tui::app::{App, ConflictList};
use crate::tui::keymap::Command;

/// Returns where the list was drawn.
pub fn draw(f: &mut Frame, app: &App, list: &ConflictList) -> Rect {
    let t = &app.theme;
    let area = f.area();
    let width = area.width.min(78);
    let w = width.saturating_sub(2) as usize;
    let (lines, at) = body(app, list, w);
    // Borders and the key line around the body, within the screen.
    let h = (lines.len() as u16 + 3).min(area.height);
    let r = centered(area, width, h);
    let n = list.conflicts.len();
    let title = match n {
        0 => " Conflicts ".to_string(),
        1 => " Conflicts · 1 field two people changed ".to_string(),
        n => format!(" Conflicts · {n} fields two people changed "),
    };
    let inner = super::overlay_box(f, r, &title, app);
    if inner.width == 0 || inner.height == 0 {
        return r;
    }
    // The chosen value stays in sight, with its conflict's heading when there is room.
    let room = inner.height.saturating_sub(1) as usize;
    let scroll = at.saturating_sub(room.saturating_sub(1));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(room).collect();
    f.render_widget(
        Paragraph::new(shown),
        Rect::new(inner.x, inner.y, inner.width, room as u16),
    );
    let k = |c| app.label(c);
    let keys = if n == 0 {
        format!("{} close", k(Command::CloseConflicts))
    } else {
        format!(
            "{}/{} choose · {} keep it instead · {} close",
            k(Command::ConflictUp),
            k(Command::ConflictDown),
            k(Command::KeepValue),
            k(Command::CloseConflicts)
        )
    };
    f.render_widget(
        Paragraph::new(Span::styled(fit(&keys, w), t.key)),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
    r
}

/// The lines of the list, and the line of the chosen value.
fn body(app: &App, list: &ConflictList, w: usize) -> (Vec<Line<'static>>, usize) {
    let t = &app.theme;
    let mut out = Vec::new();
    if list.conflicts.is_empty() {
        out.push(Line::from(Span::styled(
            fit("No conflicts: everyone's changes merged.", w),
            t.good,
        )));
        return (out, 0);
    }
    let mut at = 0;
    let mut i = 0;
    for (n, c) in list.conflicts.iter().enumerate() {
        if n > 0 {
            out.push(Line::from(""));
        }
        let number = c.number.map_or("#?".into(), |n| format!("#{n}"));
        out.push(clip_spans(
            vec![
                Span::styled(format!("{number} {}", clean(&c.name)), t.title),
                Span::styled(format!(" · {}", clean(&c.conflict.field)), t.dim),
            ],
            w,
        ));
        let kept = &c.conflict.winner;
        out.push(value_line(
            app,
            "  kept   ",
            &shown_value(&kept.field, kept.value.as_deref()),
            &by_when(kept, &app.now),
            t.base,
            w,
        ));
        for o in &c.conflict.others {
            let chosen = i == list.selected;
            if chosen {
                at = out.len();
            }
            out.push(value_line(
                app,
                if chosen { "▶ other  " } else { "  other  " },
                &shown_value(&o.field, o.value.as_deref()),
                &by_when(o, &app.now),
                if chosen { t.selected } else { t.base },
                w,
            ));
            i += 1;
        }
    }
    (out, at)
}

/// `  kept   value  who on when`, cut to the width (the value cut first, to a column).
fn value_line(
    app: &App,
    label: &str,
    value: &str,
    by: &str,
    style: ratatui::style::Style,
    w: usize,
) -> Line<'static> {
    let t = &app.theme;
    // The value gets what who-and-when leave, but at most half the line.
    let value_w = w
        .saturating_sub(label.chars().count() + 2)
        .min(w / 2)
        .max(1);
    let value = if unicode_width::UnicodeWidthStr::width(value) > value_w {
        fit(value, value_w)
    } else {
        value.to_string()
    };
    clip_spans(
        vec![
            Span::styled(label.to_string(), t.dim),
            Span::styled(value, style),
            Span::styled(format!("  {by}"), t.dim),
        ],
        w,
    )
}
