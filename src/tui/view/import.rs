//! The import preview: what a dry run of the file found — how it was read, the outcome, the
//! first notices, the column mapping — or, for a refused file, its bad rows with their lines.
//! Everything from the file is cleaned here before it reaches the terminal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, clean, fit, wrap};
use crate::tui::app::transfer::{PREVIEW_ERRORS, PREVIEW_NOTICES};
use crate::tui::app::{App, ImportPreview};
use crate::tui::keymap::Command;

const LABEL: usize = 10;

/// Returns where the preview was drawn.
pub fn draw(f: &mut Frame, app: &App, p: &ImportPreview) -> Rect {
    let t = &app.theme;
    let area = f.area();
    let width = area.width.min(78);
    let body_w = width.saturating_sub(2) as usize;
    let lines = body(app, p, body_w);
    // Borders and the key line around the body, within the screen.
    let h = (lines.len() as u16 + 3).min(area.height);
    let r = centered(area, width, h);
    let name = p
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = if p.report.is_some() {
        format!(" Import preview · {} · dry run ", clean(&name))
    } else {
        format!(" Import refused · {} ", clean(&name))
    };
    let inner = super::overlay_box(f, r, &title, app);
    if inner.width == 0 || inner.height == 0 {
        return r;
    }
    let w = inner.width as usize;
    let room = inner.height.saturating_sub(1) as usize;
    let total = lines.len();
    let scroll = p.scroll.min(total.saturating_sub(room));
    let more = scroll + room < total;
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(room).collect();
    f.render_widget(
        Paragraph::new(shown),
        Rect::new(inner.x, inner.y, inner.width, room as u16),
    );
    let k = |c| app.label(c);
    let (import, close) = (k(Command::ImportNow), k(Command::ClosePreview));
    let arrows = format!("{}/{}", k(Command::ScrollUp), k(Command::ScrollDown));
    let keys = match (&p.report, more || scroll > 0) {
        (Some(_), true) => {
            format!("{import} import · {arrows} scroll · {close} cancel, nothing written")
        }
        (Some(_), false) => format!("{import} import · {close} cancel, nothing written"),
        (None, true) => format!("{arrows} scroll · {close} close"),
        (None, false) => format!("{close} close"),
    };
    let style = if p.report.is_some() { t.key } else { t.dim };
    f.render_widget(
        Paragraph::new(Span::styled(fit(&keys, w), style)),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
    r
}

/// `label   value` with the value cut to the width.
fn row(label: &str, value: &str, w: usize, label_style: Style, style: Style) -> Line<'static> {
    Line::from(vec![
        Span::styled(fit(label, LABEL), label_style),
        Span::styled(fit(&clean(value), w.saturating_sub(LABEL)), style),
    ])
}

/// Text from the file, wrapped under a label column.
fn wrapped(text: &str, w: usize, style: Style, out: &mut Vec<Line<'static>>) {
    let indent = " ".repeat(LABEL);
    for l in wrap(&clean(text), w.saturating_sub(LABEL)) {
        out.push(Line::from(vec![
            Span::raw(indent.clone()),
            Span::styled(l, style),
        ]));
    }
}

fn body(app: &App, p: &ImportPreview, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    out.push(row("file", &p.shown, w, t.dim, t.base));
    let Some(r) = &p.report else {
        out.push(row(
            "refused",
            &format!("{} bad row(s); nothing was imported", p.errors.len()),
            w,
            t.dim,
            t.error,
        ));
        for e in p.errors.iter().take(PREVIEW_ERRORS) {
            wrapped(e, w, t.error, &mut out);
        }
        if p.errors.len() > PREVIEW_ERRORS {
            wrapped(
                &format!("… and {} more", p.errors.len() - PREVIEW_ERRORS),
                w,
                t.dim,
                &mut out,
            );
        }
        wrapped(
            "Fix the file, or `ripen import --skip-bad FILE` to import the rest.",
            w,
            t.dim,
            &mut out,
        );
        return out;
    };
    // A vCard has no columns: its properties are read as ones.
    let vcard = r.delimiter == crate::io::import::VCARD;
    let read = if vcard {
        format!("{}, vCard", r.encoding)
    } else {
        format!("{}, {} separated", r.encoding, r.delimiter)
    };
    out.push(row("read as", &read, w, t.dim, t.base));
    // The date order and why, on a line of its own: it is long, and worth reading whole.
    if let Some(d) = &r.date_order {
        out.push(row("dates", &d.to_string(), w, t.dim, t.base));
    }
    let outcome = format!(
        "{} rows: {} new, {} merged, {} skipped, {} rejected",
        r.rows, r.new, r.merged, r.skipped, r.rejected
    );
    out.push(row("outcome", &outcome, w, t.dim, t.good));
    for note in r.dates_supplied() {
        wrapped(&note, w, t.warn, &mut out);
    }
    for (word, n) in &r.unknown_statuses {
        wrapped(
            &format!("unknown status \"{word}\" on {n} row(s): imported as new"),
            w,
            t.warn,
            &mut out,
        );
    }
    for e in r.errors.iter().take(PREVIEW_ERRORS) {
        wrapped(&format!("rejected: {e}"), w, t.error, &mut out);
    }
    if !r.notices.is_empty() {
        out.push(row("notices", "", w, t.dim, t.base));
        for n in r.notices.iter().take(PREVIEW_NOTICES) {
            wrapped(n, w, t.base, &mut out);
        }
        let more = r.notices.len().saturating_sub(PREVIEW_NOTICES) + r.notices_dropped;
        if more > 0 {
            wrapped(
                &format!("… and {more} more (`ripen import --dry-run --json` lists them)"),
                w,
                t.dim,
                &mut out,
            );
        }
    }
    let label = if vcard { "properties" } else { "columns" };
    out.push(row(label, "", w, t.dim, t.base));
    for m in &r.mapping {
        let style = if m.ends_with("(kept with the lead)") {
            t.dim
        } else {
            t.base
        };
        wrapped(m, w, style, &mut out);
    }
    out
}
