//! Every list's window, cursor and selection, and the filter line: counts to a cap, the best
//! match first, the lead found kept when the filter is cleared, on the lists and the board.

use ratatui::crossterm::event::KeyCode;

use ripen::store::{Filter, View};
use ripen::tui::app::Action;
use ripen::tui::keymap::Command;

use crate::{fixture, now};

#[test]
fn a_window_holds_only_the_rows_on_screen() {
    let fx = fixture(100, 12, true);
    assert!(fx.app.queue.window.total > 10);
    assert!(
        fx.app.queue.window.rows.len() <= 12,
        "{}",
        fx.app.queue.window.rows.len()
    );
}

#[test]
fn cursor_moves_and_stays_inside_the_list() {
    let mut fx = fixture(100, 12, true);
    fx.cmd(Command::Up);
    assert_eq!(fx.app.queue.window.selected, 0);
    fx.cmd(Command::Down);
    fx.cmd(Command::Down);
    assert_eq!(fx.app.queue.window.selected, 2);
    fx.cmd(Command::Bottom);
    assert_eq!(fx.app.queue.window.selected, fx.app.queue.window.total - 1);
    assert_eq!(
        fx.app.selected().map(|r| r.lead.uid.clone()),
        fx.app.queue.window.rows.last().map(|r| r.lead.uid.clone())
    );
    fx.cmd(Command::Top);
    assert_eq!(fx.app.queue.window.selected, 0);
    assert_eq!(fx.app.queue.window.offset, 0);
}

#[test]
fn the_selection_stays_on_the_lead_after_an_action_that_keeps_it_in_view() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Pipeline);
    fx.cmd(Command::Down);
    let uid = fx.selected_uid();
    fx.cmd(Command::StageForward);
    assert_eq!(fx.selected_uid(), uid, "{:?}", fx.app.status);
}

#[test]
fn a_filtered_list_is_counted_to_a_cap_and_further_when_scrolled_to_its_end() {
    let mut fx = fixture(100, 30, false);
    ripen::demo::fill(&mut fx.store, 900, 5, &now()).unwrap();
    let all = fx.store.count(&View::All, &Default::default()).unwrap() as usize;
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Filter);
    // Every demo e-mail ends in ".example": every lead matches.
    fx.typed("example");
    fx.key(KeyCode::Enter);
    let inbox = fx.store.count(&View::Inbox, &Default::default()).unwrap() as usize;
    assert!(
        inbox > ripen::tui::app::FILTER_COUNT_CAP,
        "the demo inbox: {inbox}"
    );
    // Fewer than FEW_MATCHES in the book: read from the index, sorted, counted to the cap.
    assert!(!fx.app.counting());
    assert_eq!(fx.app.inbox.window.total, ripen::tui::app::FILTER_COUNT_CAP);
    assert!(fx.render().contains("200+ matching /example"));
    fx.cmd(Command::Bottom);
    assert_eq!(
        fx.app.inbox.window.total,
        inbox.min(4 * ripen::tui::app::FILTER_COUNT_CAP)
    );
    assert!(all >= inbox);
}

#[test]
fn a_common_word_is_counted_past_the_screen_on_a_pause_or_when_scrolled_to() {
    let mut fx = fixture(100, 20, false);
    // More matches than the index hands out to be sorted: the view is walked.
    ripen::demo::fill(&mut fx.store, 4500, 1, &now()).unwrap();
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Filter);
    fx.typed("example");
    fx.key(KeyCode::Enter);
    // A keystroke walks only as far as the screen needs (and one more), the rest waits.
    assert!(fx.app.counting());
    let first = fx.app.inbox.window.total;
    assert!(first <= fx.app.inbox.window.rows.len() + 1, "{first}");
    assert!(fx.render().contains(&format!("{first}+ matching /example")));
    // A key waiting stops the count: nothing changes.
    assert!(!fx.app.count_further(&fx.store, || true));
    assert!(fx.app.counting());
    assert_eq!(fx.app.inbox.window.total, first);
    // A pause counts on, to the cap.
    assert!(fx.app.count_further(&fx.store, || false));
    assert!(!fx.app.counting());
    assert_eq!(fx.app.inbox.window.total, ripen::tui::app::FILTER_COUNT_CAP);
    assert!(fx.render().contains("200+ matching /example"));

    // Scrolled to before the pause: counted then.
    fx.cmd(Command::Back);
    assert_eq!(fx.app.inbox.filter.text, "");
    fx.cmd(Command::Filter);
    fx.typed("exampl");
    fx.key(KeyCode::Enter);
    assert!(fx.app.counting());
    let first = fx.app.inbox.window.total;
    fx.cmd(Command::Bottom);
    // G counted the list first and went to the end of it (200), not of the screen's worth;
    // reaching that end, the list opens further (a screen now, the rest on a pause).
    assert_eq!(
        fx.app.inbox.window.selected,
        ripen::tui::app::FILTER_COUNT_CAP - 1
    );
    assert!(
        fx.app.inbox.window.total > ripen::tui::app::FILTER_COUNT_CAP,
        "{} ≤ {first}",
        fx.app.inbox.window.total
    );
    fx.app.count_further(&fx.store, || false);
    assert!(!fx.app.counting());

    // Deep in the list, a refresh (here a resize) keeps the cursor on its lead.
    for _ in 0..50 {
        fx.cmd(Command::Up);
    }
    let held = fx.selected_uid();
    let at = fx.app.inbox.window.selected;
    fx.app
        .update(Action::Resize(100, 21), &mut fx.store, &now());
    assert_eq!(fx.selected_uid(), held);
    assert_eq!(fx.app.inbox.window.selected, at);
    // The windows come from the same walk: the list read in pages is the list in one go.
    let filter = Filter {
        text: Some("exampl".into()),
        ..Filter::default()
    };
    let whole = fx
        .store
        .list(&View::Inbox, &filter, 0, fx.app.inbox.window.total)
        .unwrap();
    let mut paged = Vec::new();
    fx.cmd(Command::Top);
    for _ in 0..fx.app.inbox.window.total {
        paged.push(fx.app.selected().unwrap().lead.uid.clone());
        fx.cmd(Command::Down);
    }
    let whole: Vec<String> = whole.into_iter().map(|r| r.lead.uid).collect();
    assert_eq!(paged, whole);

    // A filter that empties the list says so, not the view's own empty words.
    fx.cmd(Command::Filter);
    fx.typed("zzqx");
    assert!(!fx.app.counting());
    assert!(
        fx.render()
            .contains("Nothing matches the filter. Esc clears it.")
    );
}

#[test]
fn a_filtered_board_counts_each_column_as_far_as_the_screen_then_on_a_pause() {
    let mut fx = fixture(120, 24, false);
    // More matches than the index hands out to be sorted: each column is walked.
    ripen::demo::fill(&mut fx.store, 4500, 1, &now()).unwrap();
    fx.cmd(Command::Pipeline);
    fx.cmd(Command::Filter);
    fx.typed("example");
    fx.key(KeyCode::Enter);
    let cap = ripen::tui::app::FILTER_COUNT_CAP;
    let filter = Filter {
        text: Some("example".into()),
        ..Filter::default()
    };
    // By stage, then by ripe month.
    for months in [false, true] {
        if months {
            fx.cmd(Command::Months);
        }
        assert_eq!(fx.app.board.months, months);
        assert!(fx.app.counting());
        assert!(fx.app.board.columns.iter().any(|c| !c.counted));
        let screen = fx.render();
        for col in &fx.app.board.columns {
            let rows = fx.store.list(&col.source.view(), &filter, 0, cap).unwrap();
            // The screen's worth: the leads the whole list starts with, counted so far.
            let shown: Vec<&str> = col
                .window
                .rows
                .iter()
                .map(|r| r.lead.uid.as_str())
                .collect();
            let first: Vec<&str> = rows
                .iter()
                .take(shown.len())
                .map(|r| r.lead.uid.as_str())
                .collect();
            assert_eq!(shown, first, "{}", col.title);
            if !col.counted {
                assert!(screen.contains(&format!("{} {}+", col.title, col.count)));
            }
        }
        assert!(fx.app.count_further(&fx.store, || false));
        assert!(!fx.app.counting());
        for col in &fx.app.board.columns {
            let rows = fx.store.list(&col.source.view(), &filter, 0, cap).unwrap();
            assert_eq!(col.count as usize, rows.len(), "{}", col.title);
            assert_eq!(col.counted, rows.len() < cap, "{}", col.title);
            let value: i64 = rows.iter().filter_map(|r| r.lead.value_cents).sum();
            assert_eq!(col.value_cents, value, "{}", col.title);
        }
    }
}

#[test]
fn the_filter_narrows_as_you_type_and_esc_clears_it() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    let all = fx.app.inbox.window.total;
    let name = fx.app.inbox.window.rows[0].lead.name.clone();
    fx.cmd(Command::Filter);
    fx.typed(&name);
    assert!(fx.app.inbox.window.total >= 1 && fx.app.inbox.window.total < all);
    assert_eq!(fx.app.inbox.window.rows[0].lead.name, name);
    fx.key(KeyCode::Esc);
    assert!(!fx.app.filtering());
    assert_eq!(fx.app.inbox.window.total, all);
}

#[test]
fn a_filter_whose_matches_fit_on_screen_puts_the_best_match_first() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Filter);
    fx.typed("ali");
    let names: Vec<String> = fx
        .app
        .inbox
        .window
        .rows
        .iter()
        .map(|r| r.lead.name.clone())
        .collect();
    assert!(names.len() >= 2, "{names:?}");
    // "Emma Ali" (a word match) ranks before names where a-l-i is scattered.
    assert!(names[0].contains("Ali"), "{names:?}");
    assert_eq!(fx.app.inbox.window.selected, 0);
    // Moving keeps the ranked order.
    fx.key(KeyCode::Down);
    assert_eq!(fx.app.selected().unwrap().lead.name, names[1]);
}

/// Esc after a filter clears it and keeps the lead it found under the cursor (a trial found the
/// cursor jumped back to the top).
#[test]
fn clearing_a_filter_keeps_the_lead_it_found() {
    let mut fx = fixture(100, 30, true);
    for _ in 0..8 {
        fx.cmd(Command::Down);
    }
    let name = fx.app.selected().unwrap().lead.name.clone();
    let word = name.split_whitespace().last().unwrap().to_lowercase();
    fx.cmd(Command::Filter);
    fx.typed(&word);
    fx.key(KeyCode::Enter);
    let found = fx.selected_uid();
    fx.cmd(Command::Back);
    assert!(
        [
            &fx.app.inbox.filter,
            &fx.app.queue.filter,
            &fx.app.recycled.filter,
            &fx.app.board.filter
        ]
        .iter()
        .all(|f| f.text.is_empty())
    );
    assert_eq!(fx.selected_uid(), found);
}

/// A filter on the board puts the cursor on a column with a match, so that `l` has a lead.
#[test]
fn a_board_filter_lands_on_a_match() {
    let mut fx = fixture(120, 40, true);
    fx.cmd(Command::Pipeline);
    fx.cmd(Command::Months);
    let last = fx
        .app
        .board
        .columns
        .iter()
        .rposition(|c| !c.window.rows.is_empty())
        .unwrap();
    let name = fx.app.board.columns[last].window.rows[0].lead.name.clone();
    fx.cmd(Command::Filter);
    fx.typed(&name.to_lowercase());
    fx.key(KeyCode::Enter);
    assert!(fx.app.selected().is_some(), "a lead under the cursor");
    assert!(fx.app.selected().unwrap().lead.name.contains(&name));
}
