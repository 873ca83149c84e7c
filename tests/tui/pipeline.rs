//! The Pipeline board: its stages, by month, and what moves a deal (or does not).

use ratatui::crossterm::event::KeyCode;

use ripen::domain::Status;
use ripen::tui::keymap::Command;

use crate::{fixture, now, snap};

#[test]
fn snapshot_pipeline() {
    snap("pipeline", |fx| fx.cmd(Command::Pipeline));
}

#[test]
fn snapshot_pipeline_by_month() {
    snap("pipeline_by_month", |fx| {
        fx.cmd(Command::Pipeline);
        fx.cmd(Command::Months);
    });
}

/// The board by month and the forecast report say the same expected wins for each month (a
/// trial found ~0.2 on the board against 0.30 in the report: a half rounded two ways).
#[test]
fn the_board_by_month_and_the_forecast_agree_on_expected_wins() {
    use ripen::tui::app::ColumnSource;
    let mut fx = fixture(140, 40, true);
    fx.cmd(Command::Pipeline);
    fx.cmd(Command::Months);
    let forecast = fx.store.report_forecast(&now()).unwrap();
    let screen = fx.render();
    let mut compared = 0;
    for col in &fx.app.board.columns {
        let ColumnSource::Ripe(b) = &col.source else {
            panic!("{} is not a month", col.title);
        };
        let Some(from) = b.from.filter(|_| !b.unset && b.label != "overdue") else {
            continue;
        };
        let month = from.format("%Y-%m").to_string();
        let Some(row) = forecast.iter().find(|r| r.month == month) else {
            assert_eq!(col.count, 0, "{month}");
            continue;
        };
        let said = format!("~{:.1} won", row.expected_wins);
        assert!(screen.contains(&said), "{month}: {said}\n{screen}");
        compared += 1;
    }
    assert!(compared >= 3, "{compared} months compared");
}

/// `c` on a deal with nothing changed is refused, and keeps the follow-up the user set and the
/// expected date to the second (a trial found both moved).
#[test]
fn requalifying_a_deal_unchanged_moves_nothing() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Pipeline);
    let uid = fx.selected_uid();
    fx.cmd(Command::Snooze);
    fx.key(KeyCode::Tab);
    fx.typed("2026-11-23");
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    let before = fx.store.lead(&uid).unwrap().lead;
    fx.cmd(Command::Qualify);
    fx.key(KeyCode::Enter);
    let error = fx.app.form().and_then(|f| f.error.clone());
    assert!(error.unwrap_or_default().contains("nothing changed"));
    fx.key(KeyCode::Esc);
    let after = fx.store.lead(&uid).unwrap().lead;
    assert_eq!(after.next_follow_up, before.next_follow_up);
    assert_eq!(after.ripe_on, before.ripe_on);
}

#[test]
fn win_closes_an_open_lead() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Pipeline);
    let uid = fx.selected_uid();
    let before = fx.app.counts.pipeline;
    fx.cmd(Command::Win);
    fx.key(KeyCode::Enter);
    assert_eq!(fx.store.lead(&uid).unwrap().lead.status, Status::Won);
    assert_eq!(fx.app.counts.pipeline, before - 1);
}
