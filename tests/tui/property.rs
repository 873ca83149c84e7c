//! Random keys at random sizes, and every report at every size: never a panic.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use ripen::tui::app::Action;
use ripen::tui::event_loop::action_for;
use ripen::tui::keymap::Command;
use ripen::tui::view;

use crate::{fixture, now};

fn key_strategy() -> impl Strategy<Value = Event> {
    let keys: Vec<KeyCode> = "12345jkgGhL><lscxwrdynm/?qaeEitDbp2026-+ "
        .chars()
        .map(KeyCode::Char)
        .chain([
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageDown,
            KeyCode::PageUp,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Backspace,
        ])
        .collect();
    prop_oneof![
        8 => proptest::sample::select(keys).prop_map(|c| Event::Key(KeyEvent::new(c, KeyModifiers::NONE))),
        1 => (1u16..=200, 1u16..=60).prop_map(|(w, h)| Event::Resize(w, h)),
        1 => "[a-zé日本 ]{0,12}".prop_map(Event::Paste),
        1 => (0u16..200, 0u16..60, 0u8..3).prop_map(|(column, row, kind)| {
            use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
            let kind = match kind {
                0 => MouseEventKind::Down(MouseButton::Left),
                1 => MouseEventKind::ScrollDown,
                _ => MouseEventKind::ScrollUp,
            };
            Event::Mouse(MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE })
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn random_keys_at_random_sizes_never_panic(
        w in 1u16..=200,
        h in 1u16..=60,
        demo in proptest::bool::weighted(0.85),
        events in proptest::collection::vec(key_strategy(), 1..60),
    ) {
        let mut fx = fixture(w, h, demo);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for ev in events {
            if let Event::Resize(w, h) = ev {
                term.backend_mut().resize(w, h);
            }
            if let Some(a) = action_for(&fx.app, ev) {
                fx.app.update(a, &mut fx.store, &now());
            }
            term.draw(|f| view::draw(f, &fx.app)).unwrap();
        }
    }
}

#[test]
fn every_report_draws_at_every_size_without_panicking() {
    let mut fx = fixture(80, 24, true);
    fx.cmd(Command::Reports);
    for report in 0..8 {
        for w in (1..=130).step_by(7) {
            for h in (1..=45).step_by(4) {
                fx.app.update(Action::Resize(w, h), &mut fx.store, &now());
                let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
                t.draw(|f| view::draw(f, &fx.app)).unwrap();
            }
        }
        assert_eq!(fx.app.reports.selected, report);
        fx.cmd(Command::Down);
    }
}
