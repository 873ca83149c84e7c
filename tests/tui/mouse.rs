//! The mouse: a click lands on what the frame drew under it; the wheel scrolls.

use ripen::tui::app::{Action, Tab};
use ripen::tui::keymap::Command;

use crate::{TAB_COMMANDS, fixture, now};

#[test]
fn a_click_selects_the_row_under_the_mouse() {
    let mut fx = fixture(100, 30, true);
    fx.draw();
    // Rows start under the tab bar, the box's top border and the header line.
    fx.app
        .update(Action::Click { column: 10, row: 7 }, &mut fx.store, &now());
    assert_eq!(fx.app.queue.window.selected, 3);
    fx.app.update(Action::Scroll(1), &mut fx.store, &now());
    assert_eq!(fx.app.queue.window.selected, 4);
}

/// Where `text` starts on line `y` of the screen, searched within columns `xs`; every match.
fn found_at(
    buf: &ratatui::buffer::Buffer,
    y: u16,
    xs: std::ops::Range<u16>,
    text: &str,
) -> Vec<u16> {
    let chars: Vec<String> = text.chars().map(|c| c.to_string()).collect();
    xs.clone()
        .filter(|&x| {
            x as usize + chars.len() <= xs.end as usize
                && chars
                    .iter()
                    .enumerate()
                    .all(|(k, c)| buf[(x + k as u16, y)].symbol() == c)
        })
        .collect()
}

/// A click lands on what the frame drew under it: each tab's label at any width (a click on
/// "2 Follow-ups" at 100 columns had opened the Inbox, the bar taken as five equal parts), and
/// a lead's row or card in each list.
#[test]
fn a_click_lands_on_the_tab_and_the_row_drawn_under_it() {
    for width in [80, 100, 200] {
        let mut fx = fixture(width, 30, true);
        for (i, tab) in Tab::ALL.into_iter().enumerate() {
            // From another tab, so that the click has to move.
            fx.cmd(TAB_COMMANDS[(i + 2) % 5]);
            let buf = fx.draw();
            let label = format!("{} {}", i + 1, tab.title());
            let at = found_at(&buf, 1, 0..width, &label);
            assert_eq!(
                at.len(),
                1,
                "{width} columns: {label} drawn once on the tab bar"
            );
            // Its first and its last letter.
            for x in [at[0], at[0] + label.chars().count() as u16 - 1] {
                fx.cmd(TAB_COMMANDS[(i + 2) % 5]);
                fx.draw();
                fx.click(x, 1);
                assert_eq!(
                    fx.app.tab, tab,
                    "{width} columns: a click on {label} at {x}"
                );
            }
        }
        for (i, tab) in [Tab::Inbox, Tab::Queue, Tab::Recycled, Tab::Pipeline]
            .into_iter()
            .enumerate()
        {
            fx.cmd(TAB_COMMANDS[tab.index()]);
            if tab == Tab::Pipeline {
                // A card in another column than the cursor's, the first.
                for _ in 0..fx.app.board.columns.len() {
                    fx.cmd(Command::Left);
                }
            }
            fx.draw();
            let main = fx.app.areas().main;
            let window = if tab == Tab::Pipeline {
                // Among the columns on screen.
                let n = fx.app.board.columns.len();
                let visible = ripen::tui::layout::board_columns_visible(main, n);
                let col = (1..visible).find(|&c| fx.app.board.columns[c].window.rows.len() > 1);
                fx.app.board.columns[col.expect("a column with two cards")]
                    .window
                    .clone()
            } else {
                fx.app.window().unwrap().clone()
            };
            // A row below the cursor whose name is drawn once in the list.
            let buf = fx.draw();
            let (name, x, y) = window
                .rows
                .iter()
                .skip(1 + i % 2)
                .find_map(|r| {
                    // As much as a narrow card shows ("Ingri…").
                    let name: String = r.lead.name.chars().take(5).collect();
                    let hits: Vec<(u16, u16)> = (main.y..main.y + main.height)
                        .flat_map(|y| {
                            found_at(&buf, y, main.x..main.x + main.width, &name)
                                .into_iter()
                                .map(move |x| (x, y))
                        })
                        .collect();
                    (hits.len() == 1).then(|| (r.lead.name.clone(), hits[0].0, hits[0].1))
                })
                .unwrap_or_else(|| panic!("{width} columns, {tab:?}: no row to click"));
            fx.click(x, y);
            assert_eq!(
                fx.app.selected().map(|r| r.lead.name.clone()),
                Some(name.clone()),
                "{width} columns, {tab:?}: a click on {name}"
            );
        }
        // A popup takes the click: nothing under it moves.
        fx.cmd(Command::Inbox);
        fx.cmd(Command::Help);
        fx.draw();
        let label_x = found_at(&fx.draw(), 1, 0..width, "3 Pipeline");
        if let Some(&x) = label_x.first() {
            fx.click(x, 1);
        }
        assert_eq!(fx.app.tab, Tab::Inbox, "{width} columns: under the help");
    }
}
