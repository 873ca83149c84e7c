//! The user's calendar months, for SQL and for the reports by month: `ripen_month(t)`, the
//! local `YYYY-MM` of a unix time in the book's zone, and the first second of each local month.
//!
//! A month is the zone's, with its daylight saving: in Berlin, a lead received on 1 Nov at
//! 00:30 (23:30 UTC on 31 Oct) counts in November. The derived tables that store a month are
//! filled in one zone and keyed by it (see `Derived::zoned`), so a change of zone rebuilds them.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rusqlite::Connection;

use super::Result;
use crate::domain::time::{Tz, from_local};

/// The SQL function's name.
pub(super) const MONTH_FN: &str = "ripen_month";

/// The local `YYYY-MM` of unix time `t` in `zone`.
pub(super) fn month_label(zone: Tz, t: i64) -> String {
    let d = local_date(zone, t);
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The first second of the local month after the one holding `t`.
pub(super) fn next_month(zone: Tz, t: i64) -> i64 {
    local_date(zone, t)
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .map(|d| from_local(zone, d.and_time(chrono::NaiveTime::MIN)).timestamp())
        .unwrap_or(i64::MAX)
}

fn local_date(zone: Tz, t: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive()
}

/// Register `ripen_month(t)` on a connection, in `zone`.
pub(super) fn register(conn: &Connection, zone: Tz) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::{Value, ValueRef};
    conn.create_scalar_function(
        MONTH_FN,
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Integer(t) => Value::Text(month_label(zone, t)),
                // Times are whole seconds; anything else has no month, as with strftime.
                _ => Value::Null,
            })
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_the_zones_with_their_daylight_saving() {
        let berlin = Tz::Europe__Berlin;
        // 31 Oct 2026 23:30 CET is 22:30 UTC; 1 Nov 00:30 CET is 23:30 UTC on 31 Oct.
        assert_eq!(month_label(berlin, 1_793_485_800), "2026-10");
        assert_eq!(month_label(berlin, 1_793_489_400), "2026-11");
        assert_eq!(month_label(Tz::UTC, 1_793_489_400), "2026-10");
        // November starts at 23:00 UTC the day before in winter, April at 22:00 in summer.
        assert_eq!(next_month(berlin, 1_793_485_800), 1_793_487_600);
        let ny = Tz::America__New_York;
        // 15 Mar 2026 in New York (EDT): April starts at 04:00 UTC.
        assert_eq!(next_month(ny, 1_773_576_000), 1_775_016_000);
    }
}
