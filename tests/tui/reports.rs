//! The Reports tab: picking a report, its period and grouping, and each report drawn.

use chrono::{TimeZone, Utc};

use ripen::store::Filter;
use ripen::tui::app::Tab;
use ripen::tui::keymap::Command;

use crate::{Fx, fixture, now, snap};

#[test]
fn five_opens_the_reports_and_tab_cycles_through_them() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Reports);
    assert_eq!(fx.app.tab, Tab::Reports);
    assert_eq!(fx.app.reports.name(), "funnel");
    let received: i64 = fx
        .app
        .reports
        .rows
        .iter()
        .map(|r| r["received"].as_i64().unwrap())
        .sum();
    assert_eq!(received, 60);
    assert!(fx.app.selected().is_none() && fx.app.detail.is_none());
    fx.cmd(Command::NextView);
    assert_eq!(fx.app.tab, Tab::Inbox);
    fx.cmd(Command::PrevView);
    assert_eq!(fx.app.tab, Tab::Reports);
    fx.cmd(Command::PrevView);
    assert_eq!(fx.app.tab, Tab::Recycled);
    fx.cmd(Command::NextView);
    assert_eq!(fx.app.tab, Tab::Reports);
}

#[test]
fn j_picks_the_next_report_and_refetches_its_rows() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Reports);
    assert!(fx.app.reports.rows[0].contains_key("contacted_rate"));
    fx.cmd(Command::Down);
    assert_eq!(fx.app.reports.name(), "speed");
    assert!(fx.app.reports.rows[0].contains_key("share_48h"));
    fx.cmd(Command::Bottom);
    assert_eq!(fx.app.reports.name(), "owners");
    let rows = &fx.app.reports.rows;
    let expected = ripen::report::rows(
        &fx.store,
        "owners",
        &fx.app.reports.period.period(&now()),
        ripen::store::By::Source,
        &now(),
    )
    .unwrap();
    assert_eq!(rows, &expected);
    // The picker stops at its ends.
    fx.cmd(Command::Down);
    assert_eq!(fx.app.reports.name(), "owners");
    fx.cmd(Command::Top);
    fx.cmd(Command::Up);
    assert_eq!(fx.app.reports.name(), "funnel");
}

#[test]
fn p_cycles_the_period_and_narrows_the_numbers() {
    use ripen::tui::app::ReportPeriod;
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Reports);
    let total = |fx: &Fx| -> i64 {
        fx.app
            .reports
            .rows
            .iter()
            .map(|r| r["received"].as_i64().unwrap())
            .sum()
    };
    let all = total(&fx);
    let mut seen = vec![fx.app.reports.period];
    for _ in 0..3 {
        fx.cmd(Command::Period);
        seen.push(fx.app.reports.period);
        assert!(total(&fx) <= all, "{:?}", fx.app.reports.period);
    }
    assert_eq!(
        seen,
        [
            ReportPeriod::AllTime,
            ReportPeriod::Last12Months,
            ReportPeriod::ThisQuarter,
            ReportPeriod::Last30Days
        ]
    );
    // The demo book received some leads before the last 30 days.
    assert!(total(&fx) < all);
    let p = ReportPeriod::ThisQuarter.period(&now());
    assert_eq!(p.since, Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap());
    fx.cmd(Command::Period);
    assert_eq!(fx.app.reports.period, ReportPeriod::AllTime);
    assert_eq!(total(&fx), all);
}

#[test]
fn b_groups_the_funnel_by_owner() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Reports);
    fx.cmd(Command::GroupBy);
    let groups: Vec<&str> = fx
        .app
        .reports
        .rows
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    assert!(
        groups.contains(&"Kim") && groups.contains(&"me"),
        "{groups:?}"
    );
}

#[test]
fn lead_actions_in_reports_say_there_are_no_leads() {
    let mut fx = fixture(100, 30, true);
    fx.cmd(Command::Reports);
    for c in [
        Command::Log,
        Command::Lose,
        Command::Filter,
        Command::Detail,
    ] {
        fx.cmd(c);
        assert!(fx.app.form().is_none() && !fx.app.filtering() && !fx.app.detail_open);
        let s = fx.app.status.clone().unwrap();
        assert!(s.text.contains("no leads in Reports"), "{c:?}: {}", s.text);
    }
    fx.cmd(Command::Inbox);
    fx.cmd(Command::Period);
    assert!(
        fx.app
            .status
            .clone()
            .unwrap()
            .text
            .contains("only in Reports")
    );
}

#[test]
fn ripening_groups_add_up_to_the_pipeline_and_match_their_lists() {
    let fx = fixture(100, 30, true);
    let none = Filter::default();
    let buckets = fx.store.ripening_buckets(&now(), &none).unwrap();
    assert_eq!(buckets.len(), 6);
    let total: i64 = buckets.iter().map(|b| b.count).sum();
    assert_eq!(total, fx.app.counts.pipeline);
    for b in &buckets {
        let rows = fx.store.ripening_list(b, &none, 0, 1000).unwrap();
        assert_eq!(rows.len() as i64, b.count, "{}", b.label);
        // Soonest ripe first; on the same day, the biggest deal first.
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r.lead.ripe_on, std::cmp::Reverse(r.lead.value_cents)))
            .collect();
        assert!(keys.is_sorted(), "{}: {keys:?}", b.label);
        let value: i64 = rows.iter().filter_map(|r| r.lead.value_cents).sum();
        assert_eq!(value, b.value_cents, "{}", b.label);
    }
}

#[test]
fn snapshot_reports_funnel() {
    snap("reports_funnel", |fx| fx.cmd(Command::Reports));
}

#[test]
fn snapshot_reports_losses() {
    snap("reports_losses", |fx| {
        fx.cmd(Command::Reports);
        for _ in 0..4 {
            fx.cmd(Command::Down);
        }
    });
}

#[test]
fn snapshot_reports_forecast() {
    snap("reports_forecast", |fx| {
        fx.cmd(Command::Reports);
        for _ in 0..6 {
            fx.cmd(Command::Down);
        }
    });
}

#[test]
fn snapshot_reports_owners_last_12_months() {
    snap("reports_owners_12m", |fx| {
        fx.cmd(Command::Reports);
        fx.cmd(Command::Bottom);
        fx.cmd(Command::Period);
    });
}

#[test]
fn snapshot_reports_ripening() {
    snap("reports_ripening", |fx| {
        fx.cmd(Command::Reports);
        for _ in 0..3 {
            fx.cmd(Command::Down);
        }
    });
}
