//! Recycled: lost and disqualified leads resting until their recycle date; due ones first.
//! `v` lists every loss instead (also those never recycled), then the wins.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Col, Table, clean, count_words, draw_table, empty_words, list_day};
use crate::tui::app::{App, Closed};

const COLS: [Col; 7] = [
    Col {
        title: "due",
        width: 8,
        flex: false,
        keep: 0,
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
        keep: 3,
    },
    Col {
        title: "reason",
        width: 12,
        flex: false,
        keep: 2,
    },
    Col {
        title: "closed",
        width: 11,
        flex: false,
        keep: 4,
    },
    Col {
        title: "recycle on",
        width: 11,
        flex: false,
        keep: 5,
    },
    Col {
        title: "recycled",
        width: 8,
        flex: false,
        keep: 6,
    },
];

const WON_COLS: [Col; 6] = [
    Col {
        title: "won",
        width: 11,
        flex: false,
        keep: 0,
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
        keep: 3,
    },
    Col {
        title: "value",
        width: 10,
        flex: false,
        keep: 2,
    },
    Col {
        title: "source",
        width: 12,
        flex: true,
        keep: 5,
    },
    Col {
        title: "received",
        width: 11,
        flex: false,
        keep: 4,
    },
];

pub fn draw(f: &mut Frame, app: &App, area: Rect) -> Vec<Rect> {
    if app.closed == Closed::Won {
        return draw_won(f, app, area);
    }
    let t = &app.theme;
    let w = &app.recycled.window;
    let rows = w
        .rows
        .iter()
        .map(|r| {
            let l = &r.lead;
            let (due, style) = match l.next_follow_up {
                _ if l.recycle_on.is_none() => ("never".to_string(), t.dim),
                Some(at) if at < app.now.start_of_tomorrow() => ("! now".to_string(), t.warn),
                Some(at) => (format!("in {}d", -app.now.days_since(at)), t.dim),
                None => ("–".to_string(), t.dim),
            };
            vec![
                (due, style),
                (clean(&l.name), t.base),
                (clean(l.company.as_deref().unwrap_or("")), t.base),
                (clean(l.reason.as_deref().unwrap_or("")), t.base),
                (list_day(app, l.closed_at), t.dim),
                (
                    l.recycle_on
                        .map_or("never".into(), |d| list_day(app, Some(d))),
                    t.dim,
                ),
                (format!("{}×", l.recycle_count), t.dim),
            ]
        })
        .collect();
    let count = count_words(app, w.total);
    // Filtered, the list's own count says it all: the tab's "due now" counts every one.
    let filtered = !app.filter_text().is_empty();
    let (title, empty) = match app.closed {
        Closed::Lost => (
            format!(" Lost and disqualified · {count} · latest first "),
            "Nothing lost yet.",
        ),
        _ if filtered => (
            format!(" Recycled · {count} · due first "),
            "No recycled leads. Lost and disqualified leads rest here.",
        ),
        _ => (
            format!(
                " Recycled · {count} · {} due now · due first ",
                app.counts.recycled_due
            ),
            "No recycled leads. Lost and disqualified leads rest here.",
        ),
    };
    draw_table(
        f,
        t,
        area,
        Table {
            title,
            cols: &COLS,
            rows,
            selected: w.selected.checked_sub(w.offset),
            empty: empty_words(app, empty),
        },
    )
}

/// The wins, latest first: when, who, for how much, from where.
fn draw_won(f: &mut Frame, app: &App, area: Rect) -> Vec<Rect> {
    let t = &app.theme;
    let w = &app.recycled.window;
    let date = |d| list_day(app, d);
    let rows = w
        .rows
        .iter()
        .map(|r| {
            let l = &r.lead;
            vec![
                (date(l.closed_at), t.dim),
                (clean(&l.name), t.base),
                (clean(l.company.as_deref().unwrap_or("")), t.base),
                (
                    l.value_cents
                        .map(|v| app.plan.money(v, l.currency.as_deref()))
                        .unwrap_or_else(|| "–".into()),
                    t.base,
                ),
                (clean(l.source.as_deref().unwrap_or("")), t.dim),
                (date(Some(l.received_at)), t.dim),
            ]
        })
        .collect();
    draw_table(
        f,
        t,
        area,
        Table {
            title: format!(" Won · {} · latest first ", count_words(app, w.total)),
            cols: &WON_COLS,
            rows,
            selected: w.selected.checked_sub(w.offset),
            empty: empty_words(
                app,
                &format!(
                    "Nothing won yet. {} wins a deal in the Pipeline.",
                    app.label(crate::tui::keymap::Command::Win)
                ),
            ),
        },
    )
}
