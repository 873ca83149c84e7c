//! Drawing: a pure function of the app's state. Views read [`App`] and never touch the book.
//! All text from the book passes through `clean_line` and is cut to width here, by hand, never
//! by ratatui's wrapping (ratatui#2679).

mod conflicts;
mod detail;
mod forms;
mod help;
mod import;
mod inbox;
mod pipeline;
mod queue;
mod recycled;
mod reports;
mod welcome;

mod bars;
mod table;
mod text;

pub use bars::{Density, tab_labels};
pub use table::{Cell, Col, Table, count_words, draw_table, empty_words, pick_columns};
pub use text::{centered, clean, clip_spans, cut, fit, list_day, wrap};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::app::{App, Confirm, Overlay, Tab};
use super::layout::{self, Drawn, Target};
use bars::{confirm, footer, header, status, tabs};

/// Draw the whole screen.
/// An overlay's box at `r`: what was under it cleared, a border in the key colour, `title` cut
/// to fit; returns the inside.
fn overlay_box(f: &mut Frame, r: Rect, title: &str, app: &App) -> Rect {
    f.render_widget(ratatui::widgets::Clear, r);
    boxed(f, r, title, app.theme.key, &app.theme)
}

/// A bordered box in `border`'s style with `title` cut to fit its top edge, drawn over `area`:
/// what is inside it.
fn boxed(
    f: &mut Frame,
    area: Rect,
    title: &str,
    border: ratatui::style::Style,
    t: &crate::tui::theme::Theme,
) -> Rect {
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders};
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            cut(title, area.width.saturating_sub(2) as usize),
            t.title,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

pub fn draw(f: &mut Frame, app: &App) {
    frame(f, app);
}

/// Draw the whole screen and say where each thing a click can hit was drawn.
pub fn frame(f: &mut Frame, app: &App) -> Drawn {
    let area = f.area();
    let mut drawn = Drawn::new(area);
    if !layout::big_enough(area) {
        // The size needed matters most: it goes on a line of its own before it is cut.
        let w = area.width as usize;
        let need = format!("(need {}×{})", layout::MIN_WIDTH, layout::MIN_HEIGHT);
        let long = format!("terminal too small {need}");
        let short = format!("too small {need}");
        let lines: Vec<String> = if long.width() <= w {
            vec![long]
        } else if short.width() <= w {
            vec![short]
        } else if area.height >= 2 {
            vec!["too small".into(), need]
        } else {
            vec![need]
        };
        let lines: Vec<Line> = lines.iter().map(|l| Line::from(fit(l, w))).collect();
        let h = (lines.len() as u16).min(area.height);
        f.render_widget(
            Paragraph::new(lines),
            Rect::new(area.x, area.y, area.width, h),
        );
        return drawn;
    }
    let a = app.areas();
    header(f, app, a.header);
    if app.book_empty {
        welcome::draw(
            f,
            app,
            Rect::new(area.x, a.tabs.y, area.width, a.footer.y - a.tabs.y),
        );
    } else {
        for (i, x) in tabs(f, app, a.tabs).into_iter().enumerate() {
            let r = Rect::new(a.tabs.x + x.start, a.tabs.y, x.end - x.start, a.tabs.height);
            drawn.push(r, Target::Tab(i));
        }
        if a.main.height > 0 && a.main.width > 0 {
            let rows = match app.tab {
                Tab::Inbox => inbox::draw(f, app, a.main),
                Tab::Queue => queue::draw(f, app, a.main),
                Tab::Recycled => recycled::draw(f, app, a.main),
                Tab::Pipeline => {
                    for (r, target) in pipeline::draw(f, app, a.main) {
                        drawn.push(r, target);
                    }
                    Vec::new()
                }
                Tab::Reports => {
                    reports::draw(f, app, a.main);
                    // The picker's names, one a line inside its box, as the view lays it out.
                    if let (Some(p), _) = layout::report_split(a.main) {
                        let n = p.height.saturating_sub(2) as usize;
                        for i in 0..crate::report::NAMES.len().min(n) {
                            let y = p.y + 1 + i as u16;
                            drawn.push(Rect::new(p.x, y, p.width, 1), Target::Report(i));
                        }
                    }
                    Vec::new()
                }
            };
            let offset = app.window().map_or(0, |w| w.offset);
            for (i, r) in rows.into_iter().enumerate() {
                drawn.push(r, Target::Row(offset + i));
            }
        }
        if let Some(d) = a.detail {
            detail::draw(f, app, d);
        }
    }
    footer(f, app, a.footer);
    status(f, app, a.status);
    let over = match &app.overlay {
        None | Some(Overlay::Filter) => None,
        Some(Overlay::Help) => Some(help::draw(f, app)),
        Some(Overlay::Form(form)) => Some(forms::draw(f, app, form)),
        Some(Overlay::Import(p)) => Some(import::draw(f, app, p)),
        Some(Overlay::Conflicts(list)) => Some(conflicts::draw(f, app, list)),
        Some(Overlay::Confirm(q)) => {
            // Quitting from a form asks over the form, keeping a value over the conflicts.
            match q {
                Confirm::Quit { form } => drawn.push(forms::draw(f, app, form), Target::Overlay),
                Confirm::Keep { list, .. } => {
                    drawn.push(conflicts::draw(f, app, list), Target::Overlay)
                }
                _ => {}
            }
            Some(confirm(f, app, q))
        }
    };
    if let Some(r) = over {
        drawn.push(r, Target::Overlay);
    }
    drawn
}

// ------------------------------------------------------------------ helpers
