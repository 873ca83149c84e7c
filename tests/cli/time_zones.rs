//! Dates in the user's time zone with its daylight saving: typed in one season and shown in the
//! other, in Europe/Berlin and America/New_York, both ways; the zone from `TZ` or the config;
//! reports by month in local months.

use crate::common;

use common::Book;
use serde_json::Value;

const BERLIN: &str = "Europe/Berlin";
const NEW_YORK: &str = "America/New_York";

/// `ripen ARGS` on `book` in `zone` at `now`, asserting success; stdout.
fn at(book: &Book, zone: &str, now: &str, args: &[&str]) -> String {
    let out = book
        .ripen()
        .env("TZ", zone)
        .env("RIPEN_NOW", now)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ripen {args:?} in {zone} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(book: &Book, zone: &str, now: &str, args: &[&str]) -> Value {
    serde_json::from_str(&at(book, zone, now, args)).unwrap()
}

/// The line of `ripen show` that starts with `label`.
fn shown(book: &Book, zone: &str, now: &str, id: &str, label: &str) -> String {
    at(book, zone, now, &["show", id])
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no {label} line"))
        .trim()
        .to_string()
}

/// A date typed in one season, read in the other: stored as the local midnight of that day,
/// shown as that day at 00:00. (A fixed offset taken from the moment of typing stored 30 Nov
/// 22:00 UTC for Berlin, shown in winter as 30 Nov 23:00.)
#[test]
fn a_date_snoozed_to_in_one_season_is_that_day_in_the_other() {
    let cases = [
        // zone, typed at, the date, stored as, read at, shown
        (
            BERLIN,
            "2026-07-15T10:00:00+02:00",
            "2026-12-01",
            "2026-11-30T23:00:00Z",
            "2026-11-25T09:00:00+01:00",
            "Tue 01 Dec 2026 00:00",
        ),
        (
            BERLIN,
            "2026-01-15T09:00:00+01:00",
            "2026-07-01",
            "2026-06-30T22:00:00Z",
            "2026-06-25T10:00:00+02:00",
            "Wed 01 Jul 2026 00:00",
        ),
        (
            NEW_YORK,
            "2026-07-15T10:00:00-04:00",
            "2026-12-01",
            "2026-12-01T05:00:00Z",
            "2026-11-25T09:00:00-05:00",
            "Tue 01 Dec 2026 00:00",
        ),
        (
            NEW_YORK,
            "2026-01-15T09:00:00-05:00",
            "2026-07-01",
            "2026-07-01T04:00:00Z",
            "2026-06-25T10:00:00-04:00",
            "Wed 01 Jul 2026 00:00",
        ),
    ];
    for (zone, typed_at, date, stored, read_at, want) in cases {
        let book = Book::new();
        at(
            &book,
            zone,
            typed_at,
            &["add", "Jane Doe", "--company", "Acme"],
        );
        at(&book, zone, typed_at, &["snooze", "1", date]);
        let lead = &json(&book, zone, read_at, &["show", "1", "--json"])["lead"];
        assert_eq!(lead["next_follow_up"], stored, "{zone}, {date}");
        assert_eq!(
            shown(&book, zone, read_at, "1", "next"),
            format!("next          {want}"),
            "{zone}, {date}"
        );
    }
}

/// A lead received at 10:00 local shows as received at 10:00 in the other season (a fixed
/// offset showed a summer 10:00 as 09:00 in Berlin's winter).
#[test]
fn a_time_of_receipt_keeps_its_local_hour_in_the_other_season() {
    // zone, received (local), typed at, stored as, read at (the clocks as the user's read)
    let cases = [
        (
            BERLIN,
            "2026-07-14 10:00",
            "2026-07-14T12:00:00+02:00",
            "2026-07-14T08:00:00Z",
            "2026-11-25T09:00:00+01:00",
        ),
        (
            BERLIN,
            "2026-01-14 10:00",
            "2026-01-14T12:00:00+01:00",
            "2026-01-14T09:00:00Z",
            "2026-07-25T10:00:00+02:00",
        ),
        (
            NEW_YORK,
            "2026-07-14 10:00",
            "2026-07-14T12:00:00-04:00",
            "2026-07-14T14:00:00Z",
            "2026-11-25T10:00:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-01-14 10:00",
            "2026-01-14T12:00:00-05:00",
            "2026-01-14T15:00:00Z",
            "2026-07-25T10:00:00-04:00",
        ),
    ];
    for (zone, received, typed_at, stored, read_at) in cases {
        let book = Book::new();
        at(
            &book,
            zone,
            typed_at,
            &["add", "Jane Doe", "--received", received],
        );
        let lead = &json(&book, zone, read_at, &["show", "1", "--json"])["lead"];
        assert_eq!(lead["received_at"], stored, "{zone}, {received}");
        let line = shown(&book, zone, read_at, "1", "received");
        assert!(line.ends_with(" 10:00"), "{zone}, {received}: {line}");
        let timeline = at(&book, zone, read_at, &["show", "1"]);
        let day = &received[..10];
        assert!(
            timeline.contains(&format!("{day} 10:00  system   received")),
            "{zone}: {timeline}"
        );
    }
}

/// "+3d" over the spring change keeps the time of day; "tomorrow" is local midnight.
#[test]
fn days_ahead_keep_the_local_time_over_a_change_of_clocks() {
    let book = Book::new();
    // Friday 27 Mar 2026, 10:00 in Berlin (CET); the clocks spring forward on the 29th.
    let now = "2026-03-27T09:00:00Z";
    at(&book, BERLIN, now, &["add", "Jane Doe"]);
    at(&book, BERLIN, now, &["snooze", "1", "+3d"]);
    let lead = &json(&book, BERLIN, now, &["show", "1", "--json"])["lead"];
    assert_eq!(lead["next_follow_up"], "2026-03-30T08:00:00Z");
    // New York falls back on 1 Nov 2026: Saturday 31 Oct, 22:00 EDT, snoozed to tomorrow.
    let book = Book::new();
    let now = "2026-11-01T02:00:00Z";
    at(&book, NEW_YORK, now, &["add", "Jane Doe"]);
    at(&book, NEW_YORK, now, &["snooze", "1", "tomorrow"]);
    at(&book, NEW_YORK, now, &["add", "Sam Roe"]);
    at(&book, NEW_YORK, now, &["snooze", "2", "+2d"]);
    let due = |id: &str| {
        json(&book, NEW_YORK, now, &["show", id, "--json"])["lead"]["next_follow_up"].clone()
    };
    assert_eq!(due("1"), "2026-11-01T04:00:00Z");
    // 22:00 EST on Monday 2 Nov, 49 hours later.
    assert_eq!(due("2"), "2026-11-03T03:00:00Z");
}

/// The config's `time_zone` wins over `TZ`; a name that is no zone is refused, by name.
#[test]
fn the_config_names_the_zone_over_tz() {
    let book = Book::new();
    let config = book.path().join("zone.toml");
    std::fs::write(&config, "time_zone = \"America/New_York\"\n").unwrap();
    let out = book
        .ripen()
        .env("TZ", BERLIN)
        .env("RIPEN_CONFIG", &config)
        .env("RIPEN_NOW", "2026-07-15T14:00:00Z")
        .args(["add", "Jane Doe", "--received", "2026-07-14 10:00"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lead = &json(
        &book,
        NEW_YORK,
        "2026-07-15T14:00:00Z",
        &["show", "1", "--json"],
    )["lead"];
    assert_eq!(lead["received_at"], "2026-07-14T14:00:00Z");

    std::fs::write(&config, "time_zone = \"Europe/Berln\"\n").unwrap();
    let out = book
        .ripen()
        .env("RIPEN_CONFIG", &config)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown time zone \"Europe/Berln\""), "{err}");
}

/// `TZ` as C libraries also write it (`:Europe/Berlin`) names the zone; a POSIX rule that names
/// none falls back to the OS setting rather than failing.
#[test]
fn tz_with_a_leading_colon_names_the_zone() {
    let book = Book::new();
    at(
        &book,
        ":Europe/Berlin",
        "2026-07-15T08:00:00Z",
        &["add", "Jane Doe", "--received", "2026-07-14 10:00"],
    );
    let lead = &json(
        &book,
        BERLIN,
        "2026-07-15T08:00:00Z",
        &["show", "1", "--json"],
    )["lead"];
    assert_eq!(lead["received_at"], "2026-07-14T08:00:00Z");
    assert!(
        at(
            &book,
            "CET-1CEST",
            "2026-07-15T08:00:00Z",
            &["list", "--json"]
        )
        .starts_with('[')
    );
}

/// Reports by month count a lead in its local month: in Berlin, 1 Nov at 00:30 (31 Oct in UTC)
/// is November; in New York, 31 Oct at 21:00 (1 Nov in UTC) is October. The speed report's
/// months come from a table kept by triggers: a change of zone rebuilds it.
#[test]
fn reports_by_month_count_in_local_months() {
    let groups = |v: &Value, count: &str| -> Vec<(String, i64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["group"].as_str().unwrap().to_string(),
                    g[count].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let now = "2026-11-22T12:00:00Z";
    let months = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
        v.iter().map(|(m, n)| (m.to_string(), *n)).collect()
    };
    for (zone, received, local) in [
        (
            BERLIN,
            ["2026-10-31 23:30", "2026-11-01 00:30"],
            months(&[("2026-10", 1), ("2026-11", 1)]),
        ),
        (
            NEW_YORK,
            ["2026-10-31 21:00", "2026-11-01 21:00"],
            months(&[("2026-10", 1), ("2026-11", 1)]),
        ),
    ] {
        let book = Book::new();
        for (i, r) in received.iter().enumerate() {
            at(
                &book,
                zone,
                now,
                &["add", &format!("Lead {i}"), "--received", r],
            );
            at(&book, zone, now, &["log", &(i + 1).to_string(), "call"]);
        }
        let report = |z: &str, name: &str, count: &str| {
            groups(
                &json(&book, z, now, &["report", name, "--by", "month", "--json"]),
                count,
            )
        };
        assert_eq!(report(zone, "funnel", "received"), local, "{zone}");
        assert_eq!(report(zone, "speed", "leads"), local, "{zone}");
        // A process in another zone (a cron job in UTC) reads the book's own months: the
        // stored months are not refilled turn by turn, nor mixed.
        assert_eq!(
            report("UTC", "funnel", "received"),
            local,
            "{zone}, run in UTC"
        );
        assert_eq!(report("UTC", "speed", "leads"), local, "{zone}, run in UTC");
        // A zone the config names moves the book: both leads fall in one UTC month.
        let config = book.path().join("no-config.toml");
        std::fs::write(&config, "time_zone = \"UTC\"\n").unwrap();
        let utc = if zone == BERLIN {
            months(&[("2026-10", 2)])
        } else {
            months(&[("2026-11", 2)])
        };
        assert_eq!(
            report(zone, "funnel", "received"),
            utc,
            "{zone} moved to UTC"
        );
        assert_eq!(report(zone, "speed", "leads"), utc, "{zone} moved to UTC");
        // And back.
        std::fs::write(&config, format!("time_zone = \"{zone}\"\n")).unwrap();
        assert_eq!(report("UTC", "speed", "leads"), local, "{zone} again");
    }
}

#[test]
fn processes_in_two_zones_share_a_book_without_refilling_it_turn_by_turn() {
    let book = Book::new();
    let now = "2026-11-22T09:00:00Z";
    at(&book, BERLIN, now, &["demo", "--leads", "40"]);
    for zone in ["UTC", BERLIN, NEW_YORK, "UTC"] {
        let out = book
            .ripen()
            .env("TZ", zone)
            .env("RIPEN_NOW", now)
            .args(["status"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("rebuilding"), "in {zone}: {err}");
    }
}
