//! Inbox: the leads still waiting for a first contact, oldest first (the 48-hour clock is the
//! Inbox's reason to exist), then the working ones, oldest first; the clock at a glance.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Cell, Col, Table, clean, count_words, draw_table, empty_words};
use crate::domain::Status;
use crate::domain::priority::{Clock, first_contact_clock};
use crate::store::LeadRow;
use crate::tui::app::App;
use crate::tui::theme::Theme;

const COLS: [Col; 6] = [
    Col {
        title: "clock",
        // "‼ 265d late": a lead imported long ago and never called.
        width: 11,
        flex: false,
        keep: 0,
    },
    Col {
        title: "received",
        width: 16,
        flex: false,
        keep: 4,
    },
    Col {
        title: "name",
        width: 14,
        flex: true,
        keep: 1,
    },
    Col {
        title: "company",
        width: 12,
        flex: true,
        keep: 2,
    },
    Col {
        title: "source",
        width: 12,
        // A wide screen gives the source room too ("Phone inquiry", "Webinar Oct 2026").
        flex: true,
        keep: 5,
    },
    Col {
        title: "status",
        width: 7,
        flex: false,
        keep: 3,
    },
];

/// The clock cell: `‼ 61h late`, `! 30h`, `  2h`; past four days in days (`‼ 265d late`), so
/// the column stays narrow; a lead past its first contact (working) shows `✓ contacted` (a call,
/// an e-mail, a meeting or a message, or an import that said so).
pub fn clock_cell(app: &App, row: &LeadRow, t: &Theme) -> Cell {
    let l = &row.lead;
    let hours = app.now.hours_since(l.received_at).max(0.0).floor() as i64;
    match first_contact_clock(l, &app.now, &app.plan) {
        Some(Clock::Breached) if hours >= 96 => (format!("‼ {}d late", hours / 24), t.late),
        Some(Clock::Breached) => (format!("‼ {hours}h late"), t.late),
        Some(Clock::Warning) => (format!("! {hours}h"), t.warn),
        Some(Clock::Fine) => (format!("  {hours}h"), t.base),
        None if l.status == Status::Working => ("✓ contacted".into(), t.dim),
        None => (String::new(), t.base),
    }
}

/// When a lead came in: "Mon 02 Mar 09:15" this year; "02 Mar 2026" from another year, where
/// the weekday and the time matter less than the year (a trial read a year-old lead as two
/// days old).
fn received_cell(app: &App, at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    let day = app.now.local_date(at);
    if day.year() == app.now.today().year() {
        format!(
            "{} {}",
            day.format("%a %d %b"),
            app.now.local_time(at).format("%H:%M")
        )
    } else {
        day.format("%d %b %Y").to_string()
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) -> Vec<Rect> {
    let t = &app.theme;
    let w = &app.inbox.window;
    let rows = w
        .rows
        .iter()
        .map(|r| {
            let l = &r.lead;
            vec![
                clock_cell(app, r, t),
                (received_cell(app, l.received_at), t.dim),
                (clean(&l.name), t.base),
                (clean(l.company.as_deref().unwrap_or("")), t.base),
                (clean(l.source.as_deref().unwrap_or("")), t.dim),
                (l.status.as_str().to_string(), t.base),
            ]
        })
        .collect();
    let title = format!(
        " Inbox · {} new or working · new first, oldest first ",
        count_words(app, w.total)
    );
    draw_table(
        f,
        t,
        area,
        Table {
            title,
            cols: &COLS,
            rows,
            selected: w.selected.checked_sub(w.offset),
            empty: empty_words(app, "Inbox zero. New leads land here."),
        },
    )
}
