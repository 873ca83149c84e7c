//! The app as a whole: opening on the Follow-ups, switching tabs, the tab bar, the welcome
//! screen, status messages, a screen too small, the monochrome theme, other writers and time passing.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use ripen::domain::{Now, Plan};
use ripen::store::{Filter, Store, View};
use ripen::tui::app::{Action, Tab};
use ripen::tui::event_loop::action_for;
use ripen::tui::keymap::Command;
use ripen::tui::theme::Theme;
use ripen::tui::view;

use crate::{Fx, assert_screen, fixture, now, snap};

#[test]
fn opens_on_the_follow_ups_with_counts_matching_the_lists() {
    let fx = fixture(100, 30, true);
    let n = now();
    let none = Filter::default();
    let len = |v: View| fx.store.list(&v, &none, 0, usize::MAX).unwrap().len() as i64;
    assert_eq!(fx.app.tab, Tab::Queue);
    assert_eq!(fx.app.counts.inbox, len(View::Inbox));
    assert_eq!(
        fx.app.counts.queue,
        len(View::Queue {
            until: n.start_of_tomorrow()
        })
    );
    assert_eq!(fx.app.counts.pipeline, len(View::Pipeline));
    assert_eq!(fx.app.counts.recycled, len(View::Recycled));
    assert_eq!(fx.app.queue.window.total as i64, fx.app.counts.queue);
}

#[test]
fn digits_tab_and_shift_tab_switch_views() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    assert_eq!(fx.app.tab, Tab::Inbox);
    fx.cmd(Command::NextView);
    assert_eq!(fx.app.tab, Tab::Queue);
    fx.cmd(Command::PrevView);
    fx.cmd(Command::PrevView);
    assert_eq!(fx.app.tab, Tab::Reports);
    fx.cmd(Command::PrevView);
    assert_eq!(fx.app.tab, Tab::Recycled);
    fx.cmd(Command::Pipeline);
    assert_eq!(fx.app.tab, Tab::Pipeline);
    assert_eq!(fx.app.board.columns.len(), 5);
    fx.cmd(Command::Months);
    assert_eq!(fx.app.board.columns.len(), 6);
}

#[test]
fn the_tab_bar_at_100_columns_keeps_the_marks_and_the_value() {
    let fx = fixture(100, 30, true);
    let screen = fx.render();
    let bar = screen.lines().nth(1).unwrap();
    let c = &fx.app.counts;
    for part in [
        format!("1 Inbox {} ‼{} │", c.inbox, c.inbox_late),
        // Overdue as the queue's rows mark it.
        format!("2 Follow-ups {} ‼{} │", c.queue, c.overdue),
        format!("3 Pipeline {}·€", c.pipeline),
        format!("4 Recycled {}·{} due", c.recycled, c.recycled_due),
        "5 Reports".to_string(),
    ] {
        assert!(bar.contains(&part), "{part} not in {bar}");
    }
}

#[test]
fn an_empty_book_welcomes_and_loads_the_demo() {
    let mut fx = fixture(100, 30, false);
    assert!(fx.app.book_empty);
    assert!(fx.render().contains("Welcome to ripen"));
    fx.cmd(Command::Demo);
    assert!(!fx.app.book_empty);
    assert!(fx.app.counts.queue > 0);
}

#[test]
fn snapshot_welcome() {
    snap("welcome", |_| {});
}

#[test]
fn errors_become_a_status_message() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Inbox);
    fx.cmd(Command::StageForward);
    let s = fx.app.status.clone().unwrap();
    assert!(s.error, "{s:?}");
    assert!(!fx.app.quit);
}

#[test]
fn snapshot_too_small() {
    let fx = fixture(30, 8, true);
    assert_screen("too_small", &fx);
}

/// Narrower still, the size needed keeps a line of its own rather than being cut off.
#[test]
fn a_tiny_terminal_still_says_the_size_it_needs() {
    let fx = fixture(20, 5, true);
    let screen = fx.render();
    assert!(screen.contains("(need 40×10)"), "{screen}");
    let fx = fixture(13, 1, true);
    assert!(fx.render().contains("(need 40×10)"));
}

#[test]
fn a_screen_too_small_ignores_everything_but_resize_and_quit() {
    let fx = fixture(30, 8, true);
    let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    assert_eq!(action_for(&fx.app, key('l')), None);
    assert_eq!(
        action_for(&fx.app, key('q')),
        Some(Action::Command(Command::Quit))
    );
    assert_eq!(
        action_for(&fx.app, Event::Resize(80, 24)),
        Some(Action::Resize(80, 24))
    );
}

#[test]
fn the_monochrome_theme_uses_no_colour_at_all() {
    use ratatui::style::Color;
    let mut fx = fixture(120, 40, true);
    fx.app.theme = Theme::mono();
    // The lists and a form, then (the form closed) each of the eight reports' tables and charts.
    let lists = [
        Command::Inbox,
        Command::Queue,
        Command::Pipeline,
        Command::Log,
    ];
    let reports = std::iter::once(Command::Reports).chain([Command::Down; 7]);
    for c in lists.into_iter().chain(reports) {
        if c == Command::Reports {
            fx.key(KeyCode::Esc);
            assert!(fx.app.form().is_none());
        }
        fx.cmd(c);
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        t.draw(|f| view::draw(f, &fx.app)).unwrap();
        for cell in t.backend().buffer().content() {
            assert_eq!(cell.fg, Color::Reset, "{c:?} {cell:?}");
            assert_eq!(cell.bg, Color::Reset, "{c:?} {cell:?}");
        }
    }
    assert_eq!(fx.app.reports.name(), "owners");
}

#[test]
fn time_passing_makes_due_states_change_by_themselves() {
    let mut fx = fixture(100, 30, true);
    let today = fx.app.counts.queue;
    let next = fx.store.next_due_after(now().utc).unwrap().unwrap();
    assert!(next > now().utc);
    let tomorrow = Now::utc(now().start_of_tomorrow() + chrono::Duration::hours(1));
    fx.app.update(Action::Tick, &mut fx.store, &tomorrow);
    assert!(fx.app.counts.queue > today);
}

/// Another process's write (a CLI `add` while the app is open) shows at once: the app sees
/// the book's data version move and fetches its counts and lists again, keeping the cursor on
/// the lead it was on.
#[test]
fn another_process_writing_the_book_shows_in_the_counts_and_lists() {
    let mut fx = fixture(120, 30, true);
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Down);
    let on = fx.app.selected().map(|r| r.lead.uid.clone());
    let inbox = fx.app.counts.inbox;
    let seen = fx.store.data_version().unwrap();
    let mut other = Store::open(fx.store.path(), Plan::default()).unwrap();
    other
        .add_lead(
            ripen::store::NewLead {
                name: "Xi Third".into(),
                received_at: Some(now().utc - chrono::Duration::days(30)),
                ..Default::default()
            },
            &now(),
        )
        .unwrap();
    assert_ne!(fx.store.data_version().unwrap(), seen);
    // What the event loop asks on every turn: once, then not again until the next write.
    let mut seen = Some(seen);
    let mut notice = |fx: &mut Fx| {
        ripen::tui::event_loop::notice_other_writers(&mut fx.app, &mut fx.store, &mut seen, &now())
    };
    assert!(notice(&mut fx));
    assert!(!notice(&mut fx));
    assert_eq!(fx.app.counts.inbox, inbox + 1);
    assert_eq!(fx.app.selected().map(|r| r.lead.uid.clone()), on);
    assert!(fx.render().contains("Xi Third"));
    // The app's own writes do not move it.
    let seen = fx.store.data_version().unwrap();
    fx.add(ripen::store::NewLead {
        name: "Own Write".into(),
        ..Default::default()
    });
    assert_eq!(fx.store.data_version().unwrap(), seen);
}
