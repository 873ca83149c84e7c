//! The book the previous release made (`tests/fixtures/book-v4.db`, schema 4) in every view of
//! the app, as that release drew it: the snapshots `tui__book_v4_*` were taken by the code of
//! 745e236, the release that made the book. An upgrade of the schema must leave every one of them
//! as it is (the CLI's outputs of the same book: `tests/book/migrate.rs`).

use chrono::{TimeZone, Utc};
use ratatui::layout::Rect;

use ripen::domain::Now;
use ripen::domain::plan::TimeZone as PlanZone;
use ripen::domain::time::zone_named;
use ripen::store::Store;
use ripen::tui::app::App;
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;

use crate::{Fx, assert_screen, fixture_file};

/// The moment and zone `book-v4/manifest.txt` reads the book at.
fn now() -> Now {
    let berlin = zone_named("Europe/Berlin").unwrap();
    Now::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(), berlin)
}

/// A copy of the book, opened with its config (`book-v4/config.toml`) in its zone.
fn book(w: u16, h: u16) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    std::fs::copy(fixture_file("book-v4.db"), &path).unwrap();
    let config = std::fs::read_to_string(fixture_file("book-v4/config.toml")).unwrap();
    let mut plan = ripen::config::parse(&config).unwrap().plan;
    plan.time_zone = Some(PlanZone(now().zone));
    let store = Store::open(&path, plan).unwrap();
    let app = App::new(
        &store,
        Keymap::default(),
        Theme::colour(),
        now(),
        Rect::new(0, 0, w, h),
    );
    Fx {
        _dir: dir,
        store,
        app,
    }
}

fn cmds(fx: &mut Fx, commands: &[Command]) {
    for c in commands {
        fx.app
            .update(ripen::tui::app::Action::Command(*c), &mut fx.store, &now());
    }
}

/// A view at 120x40 (the data is the point here; the other snapshots check the layouts).
fn snap(name: &str, commands: &[Command]) {
    let mut fx = book(120, 40);
    cmds(&mut fx, commands);
    assert_screen(&format!("book_v4_{name}_120x40"), &fx);
}

#[test]
fn the_previous_releases_book_in_every_view() {
    use Command::*;
    snap("follow_ups", &[]);
    snap("follow_ups_week", &[Week]);
    snap("inbox", &[Inbox]);
    snap("inbox_detail", &[Inbox, Detail]);
    snap("pipeline", &[Pipeline]);
    snap("pipeline_by_month", &[Pipeline, Months]);
    snap("pipeline_detail", &[Pipeline, Detail]);
    snap("recycled", &[Recycled]);
    snap("recycled_detail", &[Recycled, Detail]);
    snap("lost", &[Recycled, Closed]);
    snap("won", &[Recycled, Closed, Closed]);
    let reports = [
        "funnel",
        "speed",
        "discipline",
        "ripening",
        "losses",
        "sources",
        "forecast",
        "owners",
    ];
    for (i, report) in reports.iter().enumerate() {
        let mut keys = vec![Reports];
        keys.extend(std::iter::repeat_n(Down, i));
        snap(&format!("reports_{report}"), &keys);
    }
    snap("reports_owners_by_period", &[Reports, Bottom, Period]);
    snap("reports_funnel_by_owner", &[Reports, GroupBy]);
}
