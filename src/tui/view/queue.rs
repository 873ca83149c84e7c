//! Follow-ups: the queue in priority order, each row saying why it is there. Recycled leads
//! due for their touch are in it too, marked as such: "lost" (or "disqualified") where the stage
//! goes, "recycled" first in the why ("recycled, overdue 3d"), in yellow rather than red and
//! without `‼` (a campaign touch left waiting is not a client left waiting).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Col, Table, clean, count_words, draw_table, empty_words};
use crate::domain::priority::{self, Due};
use crate::tui::app::App;

/// The mark of a lead handed to me that I have not touched since.
pub const NEW_TO_YOU: &str = "new to you";

const COLS: [Col; 6] = [
    Col {
        title: "pri",
        width: 4,
        flex: false,
        keep: 2,
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
        title: "class",
        width: 5,
        flex: false,
        keep: 5,
    },
    Col {
        title: "stage",
        width: 11,
        flex: false,
        keep: 4,
    },
    Col {
        title: "why",
        width: 18,
        flex: true,
        keep: 0,
    },
];

pub fn draw(f: &mut Frame, app: &App, area: Rect) -> Vec<Rect> {
    let t = &app.theme;
    let w = &app.queue.window;
    let rows = w
        .rows
        .iter()
        .map(|r| {
            let l = &r.lead;
            let score = priority::score(l, &app.now, &app.plan).total;
            // Read in a narrow column: the stage has its own column, and the days a lead has
            // been stale or rotting are in its detail.
            let mut why = priority::why_brief(l, &r.touches, &app.now, &app.plan);
            let recycled = priority::recycled_touch(l);
            if recycled {
                // First, so that it stays when the column is cut short, and where the stage
                // column has been dropped for width.
                why.retain(|w| w != "recycled");
                why.insert(0, "recycled".into());
            }
            // Handed to me and not touched since: first, where it is read before the rest.
            if app.fresh.contains(&l.uid) {
                why.insert(0, NEW_TO_YOU.into());
            }
            let late = !recycled
                && (why.iter().any(|w| w.contains("breached"))
                    || matches!(priority::due(l, &app.now), Due::Overdue(_))
                        && !priority::fresh_inquiry(l, &app.now, &app.plan));
            let stale = priority::stale(l, &r.touches, &app.now, &app.plan)
                || priority::rotting(l, &r.touches, &app.now, &app.plan);
            let why_style = if late {
                t.late
            } else if matches!(priority::due(l, &app.now), Due::Today | Due::Overdue(_)) {
                t.warn
            } else if stale {
                t.stale
            } else {
                t.base
            };
            let mark = if late {
                "‼ "
            } else if stale {
                "⚠ "
            } else {
                "  "
            };
            vec![
                (
                    format!("{:>3.0}", crate::record::whole_priority(score)),
                    t.base,
                ),
                (clean(&l.name), t.base),
                (clean(l.company.as_deref().unwrap_or("")), t.base),
                (
                    l.class.map(|c| c.as_str()).unwrap_or("–").to_string(),
                    t.base,
                ),
                (
                    // A lost deal's stage was the old deal's: it reads as lost (or disqualified).
                    if recycled {
                        l.status.as_str()
                    } else {
                        l.stage.map(|s| s.as_str()).unwrap_or(l.status.as_str())
                    }
                    .to_string(),
                    t.base,
                ),
                (format!("{mark}{}", why.join(", ")), why_style),
            ]
        })
        .collect();
    let window = if app.week { "coming week" } else { "today" };
    let title = format!(
        " Follow-ups · {window} · {} · by priority ",
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
            empty: empty_words(
                app,
                &format!(
                    "Nothing due. {} shows the coming week.",
                    app.label(crate::tui::keymap::Command::Week)
                ),
            ),
        },
    )
}
