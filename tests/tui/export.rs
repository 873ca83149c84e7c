//! Exporting from the app: the form's choices and counts, and the file it writes.

use chrono::Duration;
use ratatui::crossterm::event::KeyCode;

use ripen::domain::Status;
use ripen::tui::keymap::Command;

use crate::{Fx, assert_screen, fixture, now};

#[test]
fn e_writes_the_filtered_recycled_view_as_csv() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Recycled);
    fx.cmd(Command::Filter);
    fx.typed("competitor");
    fx.key(KeyCode::Enter);
    let n = fx.app.recycled.window.total;
    assert!(n > 0, "the demo book has leads lost to a competitor");
    // DESIGN's step 5: the campaign is the leads due for their touch (the form's default)…
    let due = fx
        .store
        .list(
            &ripen::store::View::RecycledDue {
                until: now().start_of_tomorrow(),
            },
            &ripen::store::Filter {
                text: Some("competitor".into()),
                ..Default::default()
            },
            0,
            usize::MAX,
        )
        .unwrap()
        .len();
    assert!(
        due > 0 && due < n,
        "the demo has such losses due and resting"
    );
    fx.cmd(Command::Export);
    let form = fx.app.form().cloned().unwrap();
    assert_eq!(form.value("leads"), format!("due now ({due})"));
    assert_eq!(form.value("path"), "ripen-recycled-2026-11-22.csv");
    fx.key(KeyCode::Enter);
    assert!(fx.app.form().is_none(), "{:?}", fx.app.form());
    let path = fx._dir.path().join("ripen-recycled-2026-11-22.csv");
    assert!(
        fx.status().contains(&format!("exported {due} lead")),
        "{}",
        fx.status()
    );
    assert!(fx.status().contains("ripen-recycled-2026-11-22.csv"));
    let rows = csv::Reader::from_path(&path).unwrap().records().count();
    assert_eq!(rows, due);
    // … or every one listed.
    fx.cmd(Command::Export);
    fx.key(KeyCode::Right);
    assert_eq!(
        fx.app.form().cloned().unwrap().value("leads"),
        format!("all listed ({n})")
    );
    fx.key(KeyCode::Enter);
    let rows = csv::Reader::from_path(&path).unwrap().records().count();
    assert_eq!(rows, n);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// Two disqualified leads: one lost to a budget, resting 90 days; one whose recycle date has
/// come. Filtered to `/budget`, none is due now.
fn one_resting_one_due() -> Fx {
    use ripen::domain::lifecycle::{Recycle, close_out};
    let mut fx = fixture(80, 24, false);
    for (name, reason, recycle) in [
        ("Bo Budget", "budget", Recycle::ByReason),
        (
            "Tia Timing",
            "timing",
            Recycle::On(now().utc - Duration::days(1)),
        ),
    ] {
        let uid = fx.add(ripen::store::NewLead {
            name: name.into(),
            ..Default::default()
        });
        fx.store
            .apply(&uid, &now(), |l, p| {
                close_out(l, Status::Disqualified, reason, None, recycle, &now(), p)
            })
            .unwrap();
    }
    fx.app.refresh(&fx.store, None).unwrap();
    fx.cmd(Command::Recycled);
    fx
}

#[test]
fn the_recycled_export_counts_each_choice_and_picks_the_one_with_leads() {
    let mut fx = one_resting_one_due();
    fx.cmd(Command::Export);
    let form = fx.app.form().cloned().unwrap();
    assert_eq!(form.value("leads"), "due now (1)", "unfiltered, one is due");
    fx.key(KeyCode::Esc);
    fx.cmd(Command::Filter);
    fx.typed("budget");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.app.recycled.window.total, 1);
    fx.cmd(Command::Export);
    let form = fx.app.form().cloned().unwrap();
    // None of /budget is due: the form says so and writes the one listed.
    assert_eq!(form.value("leads"), "all listed (1)");
    fx.key(KeyCode::Enter);
    assert!(fx.status().contains("exported 1 lead"), "{}", fx.status());
    let path = fx._dir.path().join("ripen-recycled-2026-11-22.csv");
    let rows: Vec<_> = csv::Reader::from_path(&path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].iter().any(|c| c == "Bo Budget"), "{:?}", rows[0]);
}

#[test]
fn snapshot_recycled_export_form_with_none_due() {
    let mut fx = one_resting_one_due();
    fx.cmd(Command::Filter);
    fx.typed("budget");
    fx.key(KeyCode::Enter);
    fx.cmd(Command::Export);
    assert_screen("export_form_none_due_80x24", &fx);
}

#[test]
fn e_on_the_follow_ups_writes_as_many_rows_as_the_tab_counts() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Export);
    fx.key(KeyCode::Enter);
    let path = fx._dir.path().join("ripen-queue-2026-11-22.csv");
    let rows = csv::Reader::from_path(&path).unwrap().records().count();
    assert_eq!(rows as i64, fx.app.counts.queue);
    assert_eq!(rows, fx.app.queue.window.total);
}

#[test]
fn picking_a_format_changes_the_extension_and_writes_that_format() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Pipeline);
    fx.cmd(Command::Export);
    for _ in 0..3 {
        fx.key(KeyCode::Right);
    }
    let form = fx.app.form().cloned().unwrap();
    assert_eq!(form.value("format"), "ics");
    assert_eq!(form.value("path"), "ripen-pipeline-2026-11-22.ics");
    fx.key(KeyCode::Left);
    assert_eq!(
        fx.app.form().cloned().unwrap().value("path"),
        "ripen-pipeline-2026-11-22.vcf"
    );
    fx.key(KeyCode::Enter);
    let text =
        std::fs::read_to_string(fx._dir.path().join("ripen-pipeline-2026-11-22.vcf")).unwrap();
    assert_eq!(
        text.matches("BEGIN:VCARD").count() as i64,
        fx.app.counts.pipeline
    );
}

#[test]
fn e_in_reports_says_there_are_no_leads() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Reports);
    fx.cmd(Command::Export);
    assert!(fx.app.form().is_none());
    assert!(fx.status().contains("no leads in Reports"));
}

#[test]
fn snapshot_export_form() {
    let mut fx = fixture(80, 24, true);
    fx.cmd(Command::Recycled);
    fx.cmd(Command::Export);
    assert_screen("export_form_80x24", &fx);
}
