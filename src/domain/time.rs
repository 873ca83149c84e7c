//! "Now" as the rules see it, local day boundaries, and the WHEN grammar users type for dates.
//!
//! Nothing here reads the clock: the caller builds a [`Now`] once (from `RIPEN_NOW` or the system
//! clock) and passes it in.

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Timelike, Utc, Weekday,
};
pub use chrono_tz::Tz;

use super::DomainError;

/// The present moment and the user's time zone, so "today" means the rep's today, and a date
/// typed or shown in any season means that day on the rep's calendar, daylight saving or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub utc: DateTime<Utc>,
    pub zone: Tz,
}

impl Now {
    pub fn new(utc: DateTime<Utc>, zone: Tz) -> Now {
        Now { utc, zone }
    }

    /// A fixed moment in UTC, for tests.
    pub fn utc(at: DateTime<Utc>) -> Now {
        Now {
            utc: at,
            zone: Tz::UTC,
        }
    }

    /// Another moment in the same zone.
    pub fn at(&self, utc: DateTime<Utc>) -> Now {
        Now {
            utc,
            zone: self.zone,
        }
    }

    pub fn local(&self) -> DateTime<Tz> {
        self.utc.with_timezone(&self.zone)
    }

    /// A stored moment on the user's clock (with the offset in force then, not now).
    pub fn local_time(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.zone)
    }

    pub fn today(&self) -> NaiveDate {
        self.local().date_naive()
    }

    /// A local date and time as a moment. A time the clocks skip (spring forward) moves on to
    /// the first moment that exists after it; a time they pass twice (fall back) is the
    /// earlier of the two.
    pub fn from_local(&self, naive: NaiveDateTime) -> DateTime<Utc> {
        from_local(self.zone, naive)
    }

    /// The start of a local date, in UTC (its first moment: in a zone that springs forward at
    /// midnight, 01:00).
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        self.from_local(day.and_time(NaiveTime::MIN))
    }

    pub fn start_of_today(&self) -> DateTime<Utc> {
        self.start_of(self.today())
    }

    pub fn start_of_tomorrow(&self) -> DateTime<Utc> {
        self.start_of(self.today() + Days::new(1))
    }

    /// The local date of a stored moment.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// Whole local days from `at`'s date to today (positive when `at` is in the past).
    pub fn days_since(&self, at: DateTime<Utc>) -> i64 {
        (self.today() - self.local_date(at)).num_days()
    }

    /// Hours elapsed since `at`, fractional.
    pub fn hours_since(&self, at: DateTime<Utc>) -> f64 {
        (self.utc - at).num_seconds() as f64 / 3600.0
    }

    /// `days` calendar days after `at` (before, when negative), at the same local time of day:
    /// "in 3 days" from 10:00 is 10:00, whether or not the clocks change between (a day is then
    /// 23 or 25 hours long).
    pub fn plus_days(&self, at: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        // No days is the same moment: read back from local time, the second pass of an hour the
        // clocks repeat would become the first.
        if days == 0 {
            return at;
        }
        let local = at.with_timezone(&self.zone).naive_local();
        let moved = if days >= 0 {
            local.checked_add_days(Days::new(days.unsigned_abs()))
        } else {
            local.checked_sub_days(Days::new(days.unsigned_abs()))
        };
        moved.map_or(at, |naive| self.from_local(naive))
    }

    /// `months` calendar months after `at` (before, when negative), at the same local time of
    /// day; the 31st of a shorter month is its last day.
    fn plus_months(&self, at: DateTime<Utc>, months: i64) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&self.zone).naive_local();
        let m = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
        let moved = if months >= 0 {
            local.checked_add_months(m)
        } else {
            local.checked_sub_months(m)
        }?;
        Some(self.from_local(moved))
    }
}

/// A zone's local date and time as a moment: see [`Now::from_local`].
pub fn from_local(zone: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(d) => d.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, later) => earlier.min(later).with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: the first whole minute after it. Gaps are an hour (rarely a day, when a
            // zone skips one); the walk is bounded by two days.
            let start = naive.with_second(0).unwrap_or(naive);
            (1..=2 * 24 * 60)
                .map(|m| start + Duration::minutes(m))
                .find_map(|t| zone.from_local_datetime(&t).earliest())
                .map_or_else(|| Utc.from_utc_datetime(&naive), |d| d.with_timezone(&Utc))
        }
    }
}

/// A zone by its IANA name (`Europe/Berlin`, `UTC`), as `TZ` and the config write it. `TZ`'s
/// leading ':' ("a file name follows") is tolerated; a path (`/usr/share/zoneinfo/...`) gives
/// the name after `zoneinfo/`.
pub fn zone_named(name: &str) -> Option<Tz> {
    let name = name.trim();
    let name = name.strip_prefix(':').unwrap_or(name);
    let name = name.rsplit_once("zoneinfo/").map_or(name, |(_, n)| n);
    if name.is_empty() {
        return None;
    }
    name.parse::<Tz>().ok()
}

/// Parse the WHEN grammar: `2026-12-01`, `2026-12-01T14:30`, `2026-12-01 14:30`, a full RFC 3339
/// time, `now`, `today`, `tomorrow`, `yesterday`, `+3d`, `+2w`, `+1m`, `+6h`, `-2d`, weekday
/// names (`mon`, `friday`: the next such day after today).
///
/// Dates without a time mean the start of that local day; offsets keep the time of day.
pub fn parse_when(input: &str, now: &Now) -> Result<DateTime<Utc>, DomainError> {
    let s = input.trim().to_ascii_lowercase();
    let bad = || DomainError::BadDate(input.trim().to_string());
    if s.is_empty() {
        return Err(bad());
    }
    match s.as_str() {
        "now" => return Ok(now.utc),
        "today" => return Ok(now.start_of_today()),
        "tomorrow" => return Ok(now.start_of_tomorrow()),
        "yesterday" => return Ok(now.start_of(now.today() - Days::new(1))),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        return parse_offset(rest, sign, now).ok_or_else(bad);
    }
    if let Some(day) = parse_weekday(&s) {
        let today = now.today().weekday();
        let mut ahead = (day.num_days_from_monday() as i64) - (today.num_days_from_monday() as i64);
        if ahead <= 0 {
            ahead += 7;
        }
        return Ok(now.start_of(now.today() + Days::new(ahead as u64)));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(input.trim()) {
        return Ok(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&s.replace('t', "T"), fmt) {
            return Ok(now.from_local(naive));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        return Ok(now.start_of(date));
    }
    if let Some(day) = parse_month(&s, now) {
        return Ok(now.start_of(day));
    }
    Err(bad())
}

/// [`parse_when`] for a moment already past (when a contact happened): a weekday name is the
/// last such day (today included), and a date or month without a year the last such one
/// (`1 oct` in November is this year's, `dec 3` the last year's).
pub fn parse_past(input: &str, now: &Now) -> Result<DateTime<Utc>, DomainError> {
    let s = input.trim().to_ascii_lowercase();
    let today = now.today();
    if let Some(day) = parse_weekday(&s) {
        let back = (7 + today.weekday().num_days_from_monday() as i64
            - day.num_days_from_monday() as i64)
            % 7;
        return Ok(now.start_of(today - Days::new(back as u64)));
    }
    let at = parse_when(input, now)?;
    let has_year = s.split(|c: char| !c.is_ascii_digit()).any(|w| w.len() == 4);
    if at > now.utc
        && !has_year
        && parse_month(&s, now).is_some()
        && let Some(earlier) = now.local_date(at).with_year(today.year() - 1)
    {
        let this_year = now
            .local_date(at)
            .with_year(today.year())
            .filter(|d| *d <= today);
        return Ok(now.start_of(this_year.unwrap_or(earlier)));
    }
    Ok(at)
}

/// A month, or a day named by its month, as people write them: `2027-04` and `apr 2027` (the
/// month's first day), `april` (the next April's first day, or today while April lasts: "ripe
/// in April"), `jan 7`, `7 jan`, `7 january 2027` (that day; the next one without a year). A
/// year is four digits: `apr 27` is no date rather than the year 27.
fn parse_month(s: &str, now: &Now) -> Option<NaiveDate> {
    let today = now.today();
    let year_of = |y: &str| -> Option<i32> {
        (y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
            .then(|| y.parse().ok())
            .flatten()
            .filter(|y| (1900..=9999).contains(y))
    };
    if let Some((y, m)) = s.split_once('-') {
        let month: u32 = m.parse().ok().filter(|_| m.len() <= 2)?;
        return NaiveDate::from_ymd_opt(year_of(y)?, month, 1);
    }
    let words: Vec<&str> = s
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.']))
        .collect();
    let day_of = |w: &str| -> Option<u32> {
        (w.len() <= 2)
            .then(|| w.parse().ok())
            .flatten()
            .filter(|d| (1..=31).contains(d))
    };
    // The month's name, the day (if any) and the year (if any), in the orders people write.
    let (month, day, year) = match words.as_slice() {
        [m] => (month_number(m)?, None, None),
        [m, y] if year_of(y).is_some() => (month_number(m)?, None, year_of(y)),
        [m, d] if month_number(m).is_some() => (month_number(m)?, Some(day_of(d)?), None),
        [d, m] => (month_number(m)?, Some(day_of(d)?), None),
        [m, d, y] if month_number(m).is_some() => {
            (month_number(m)?, Some(day_of(d)?), Some(year_of(y)?))
        }
        [d, m, y] => (month_number(m)?, Some(day_of(d)?), Some(year_of(y)?)),
        _ => return None,
    };
    match (day, year) {
        (Some(d), Some(y)) => NaiveDate::from_ymd_opt(y, month, d),
        (Some(d), None) => {
            // The next such day: this year's, or next year's once it has passed.
            let this = NaiveDate::from_ymd_opt(today.year(), month, d)?;
            if this >= today {
                Some(this)
            } else {
                NaiveDate::from_ymd_opt(today.year() + 1, month, d)
            }
        }
        (None, Some(y)) => NaiveDate::from_ymd_opt(y, month, 1),
        (None, None) => {
            let year = if month < today.month() {
                today.year() + 1
            } else {
                today.year()
            };
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            Some(
                if first.year() == today.year() && first.month() == today.month() {
                    today
                } else {
                    first
                },
            )
        }
    }
}

/// A month's number from its English or German name, whole or cut to three letters or more.
pub fn month_number(name: &str) -> Option<u32> {
    const NAMES: [[&str; 2]; 12] = [
        ["january", "januar"],
        ["february", "februar"],
        ["march", "märz"],
        ["april", "april"],
        ["may", "mai"],
        ["june", "juni"],
        ["july", "juli"],
        ["august", "august"],
        ["september", "september"],
        ["october", "oktober"],
        ["november", "november"],
        ["december", "dezember"],
    ];
    let name = name.trim_end_matches('.').to_lowercase();
    let name = name.as_str();
    if name.chars().count() < 3 {
        return None;
    }
    NAMES
        .iter()
        .position(|pair| pair.iter().any(|full| full.starts_with(name)))
        .map(|i| i as u32 + 1)
}

fn parse_offset(rest: &str, sign: i64, now: &Now) -> Option<DateTime<Utc>> {
    let unit_at = rest.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = rest.split_at(unit_at);
    let n: i64 = num.parse().ok()?;
    if n > 100_000 {
        return None;
    }
    let n = n * sign;
    match unit {
        // Hours are elapsed time; days, weeks, months and years are calendar steps that keep
        // the local time of day across a change of the clocks.
        "h" | "hour" | "hours" => now.utc.checked_add_signed(Duration::hours(n)),
        "d" | "day" | "days" => Some(now.plus_days(now.utc, n)),
        "w" | "week" | "weeks" => Some(now.plus_days(now.utc, n.checked_mul(7)?)),
        "m" | "mo" | "month" | "months" => now.plus_months(now.utc, n),
        "y" | "year" | "years" => now.plus_months(now.utc, n.checked_mul(12)?),
        _ => None,
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    const NAMES: [(&str, &str, Weekday); 7] = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    NAMES
        .iter()
        .find(|(short, long, _)| s == *short || s == *long || (s.len() >= 3 && long.starts_with(s)))
        .map(|(_, _, d)| *d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_days_later_is_the_same_moment_even_in_an_hour_the_clocks_repeat() {
        let ny = Now::new(at("2026-11-01T12:00:00Z"), Tz::America__New_York);
        // 01:30 EST on 1 Nov 2026, the second pass of 01:30 in New York.
        let second = at("2026-11-01T06:30:00Z");
        assert_eq!(ny.plus_days(second, 0), second);
        assert_eq!(ny.plus_days(second, 1), at("2026-11-02T06:30:00Z"));
    }

    use super::*;

    #[test]
    fn a_past_moment_reads_weekdays_and_dates_backwards() {
        // Sunday 22 Nov 2026.
        let n = now();
        let day = |s: &str| n.local_date(parse_past(s, &n).unwrap());
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(day("friday"), ymd(2026, 11, 20));
        assert_eq!(day("sunday"), ymd(2026, 11, 22));
        assert_eq!(day("1 oct"), ymd(2026, 10, 1));
        assert_eq!(day("dec 3"), ymd(2025, 12, 3));
        assert_eq!(day("2026-11-01"), ymd(2026, 11, 1));
        assert_eq!(day("yesterday"), ymd(2026, 11, 21));
        // A year given is kept, future or not (the caller refuses a future contact).
        assert_eq!(day("3 dec 2026"), ymd(2026, 12, 3));
    }

    fn now() -> Now {
        // Sunday 22 Nov 2026, 09:00 UTC.
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_month_means_its_first_day_or_today_while_it_lasts() {
        // now() is in November 2026.
        let day = |s: &str| parse_when(s, &now()).unwrap();
        assert_eq!(day("2027-04"), at("2027-04-01T00:00:00Z"));
        assert_eq!(day("april"), at("2027-04-01T00:00:00Z"));
        assert_eq!(day("Apr"), at("2027-04-01T00:00:00Z"));
        assert_eq!(day("dec"), at("2026-12-01T00:00:00Z"));
        assert_eq!(day("März 2028"), at("2028-03-01T00:00:00Z"));
        assert_eq!(day("MÄRZ 2028"), at("2028-03-01T00:00:00Z"));
        assert_eq!(day("nov"), now().start_of_today());
        // A month with a year is its first day, even the month under way (report periods).
        assert_eq!(day("2026-11"), at("2026-11-01T00:00:00Z"));
        // A day and its month, in either order; the next such day without a year.
        assert_eq!(day("jan 7"), at("2027-01-07T00:00:00Z"));
        assert_eq!(day("7 Jan"), at("2027-01-07T00:00:00Z"));
        assert_eq!(day("dec 24"), at("2026-12-24T00:00:00Z"));
        assert_eq!(day("7 januar 2028"), at("2028-01-07T00:00:00Z"));
        assert_eq!(day("March 15, 2027"), at("2027-03-15T00:00:00Z"));
        // A year is four digits: never the year 27 or 7 (a trial saved "jan 7" as 0007).
        assert_eq!(day("apr 27"), at("2027-04-27T00:00:00Z"));
        for bad in [
            "ap",
            "2027-13",
            "april 20x",
            "jun jul",
            "27-04",
            "jan 32",
            "jan 7 27",
        ] {
            assert!(parse_when(bad, &now()).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_times_parse_as_local_moments() {
        assert_eq!(
            parse_when("2026-12-01", &now()).unwrap(),
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            parse_when("2026-12-01T14:30", &now()).unwrap(),
            at("2026-12-01T14:30:00Z")
        );
        assert_eq!(
            parse_when("2026-12-01 14:30", &now()).unwrap(),
            at("2026-12-01T14:30:00Z")
        );
        assert_eq!(
            parse_when("2026-12-01T14:30:00+02:00", &now()).unwrap(),
            at("2026-12-01T12:30:00Z")
        );
    }

    #[test]
    fn words_and_offsets_are_relative_to_now() {
        assert_eq!(
            parse_when("today", &now()).unwrap(),
            at("2026-11-22T00:00:00Z")
        );
        assert_eq!(
            parse_when("Tomorrow", &now()).unwrap(),
            at("2026-11-23T00:00:00Z")
        );
        assert_eq!(
            parse_when("+3d", &now()).unwrap(),
            at("2026-11-25T09:00:00Z")
        );
        assert_eq!(
            parse_when("+2w", &now()).unwrap(),
            at("2026-12-06T09:00:00Z")
        );
        assert_eq!(
            parse_when("+1m", &now()).unwrap(),
            at("2026-12-22T09:00:00Z")
        );
        assert_eq!(
            parse_when("-2d", &now()).unwrap(),
            at("2026-11-20T09:00:00Z")
        );
    }

    #[test]
    fn weekday_names_mean_the_next_such_day() {
        // 22 Nov 2026 is a Sunday.
        assert_eq!(
            parse_when("mon", &now()).unwrap(),
            at("2026-11-23T00:00:00Z")
        );
        assert_eq!(
            parse_when("Friday", &now()).unwrap(),
            at("2026-11-27T00:00:00Z")
        );
        assert_eq!(
            parse_when("sunday", &now()).unwrap(),
            at("2026-11-29T00:00:00Z")
        );
    }

    #[test]
    fn nonsense_is_refused_with_the_input_quoted() {
        let err = parse_when("next tusday", &now()).unwrap_err().to_string();
        assert!(
            err.starts_with("bad date \"next tusday\" (try 2027-01-07,"),
            "{err}"
        );
        assert!(parse_when("+99999999d", &now()).is_err());
        assert!(parse_when("2026-13-40", &now()).is_err());
        assert!(parse_when("", &now()).is_err());
    }

    #[test]
    fn the_zone_decides_the_day() {
        let n = Now::new(at("2026-11-22T20:00:00Z"), Tz::Asia__Tokyo);
        assert_eq!(n.today(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(parse_when("today", &n).unwrap(), at("2026-11-22T15:00:00Z"));
    }

    #[test]
    fn days_since_counts_calendar_days() {
        assert_eq!(now().days_since(at("2026-11-21T23:59:00Z")), 1);
        assert_eq!(now().days_since(at("2026-11-22T00:01:00Z")), 0);
        assert_eq!(now().days_since(at("2026-11-25T00:01:00Z")), -3);
    }

    /// A moment in a zone, from its local wall-clock time.
    fn local(zone: Tz, s: &str) -> DateTime<Utc> {
        from_local(
            zone,
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(),
        )
    }

    #[test]
    fn a_typed_date_is_its_local_midnight_in_either_season() {
        // The issue: snoozed in July to 1 Dec, shown in winter as 30 Nov 23:00.
        let berlin_summer = Now::new(at("2026-07-15T08:00:00Z"), Tz::Europe__Berlin);
        let berlin_winter = Now::new(at("2026-01-15T08:00:00Z"), Tz::Europe__Berlin);
        let ny_summer = Now::new(at("2026-07-15T14:00:00Z"), Tz::America__New_York);
        let ny_winter = Now::new(at("2026-01-15T14:00:00Z"), Tz::America__New_York);
        let when = |s: &str, n: &Now| parse_when(s, n).unwrap();
        assert_eq!(
            when("2026-12-01", &berlin_summer),
            at("2026-11-30T23:00:00Z")
        );
        assert_eq!(
            when("2026-07-01", &berlin_winter),
            at("2026-06-30T22:00:00Z")
        );
        assert_eq!(when("2026-12-01", &ny_summer), at("2026-12-01T05:00:00Z"));
        assert_eq!(when("2026-07-01", &ny_winter), at("2026-07-01T04:00:00Z"));
        assert_eq!(
            when("2026-12-01 10:00", &berlin_summer),
            at("2026-12-01T09:00:00Z")
        );
        assert_eq!(
            when("2026-07-01 10:00", &ny_winter),
            at("2026-07-01T14:00:00Z")
        );
        // Shown back in the other season: the day typed, at midnight.
        let shown = berlin_winter.local_time(when("2026-12-01", &berlin_summer));
        assert_eq!(
            shown.format("%Y-%m-%d %H:%M").to_string(),
            "2026-12-01 00:00"
        );
    }

    #[test]
    fn days_weeks_and_months_keep_the_local_time_across_a_change_of_clocks() {
        // Friday 27 Mar 2026, 10:00 in Berlin; the clocks spring forward on Sunday the 29th.
        let n = Now::new(
            local(Tz::Europe__Berlin, "2026-03-27 10:00"),
            Tz::Europe__Berlin,
        );
        assert_eq!(parse_when("+3d", &n).unwrap(), at("2026-03-30T08:00:00Z"));
        assert_eq!(parse_when("+1w", &n).unwrap(), at("2026-04-03T08:00:00Z"));
        assert_eq!(parse_when("+1m", &n).unwrap(), at("2026-04-27T08:00:00Z"));
        // Hours are hours.
        assert_eq!(parse_when("+72h", &n).unwrap(), at("2026-03-30T09:00:00Z"));
        // New York falls back on Sunday 1 Nov 2026.
        let n = Now::new(
            local(Tz::America__New_York, "2026-10-30 10:00"),
            Tz::America__New_York,
        );
        assert_eq!(parse_when("+3d", &n).unwrap(), at("2026-11-02T15:00:00Z"));
        assert_eq!(parse_when("-1m", &n).unwrap(), at("2026-09-30T14:00:00Z"));
    }

    #[test]
    fn skipped_times_move_forward_and_doubled_ones_take_the_earlier() {
        let berlin = Now::new(at("2026-01-15T08:00:00Z"), Tz::Europe__Berlin);
        // 02:30 on 29 Mar 2026 does not exist in Berlin: 03:00 CEST, the first moment after.
        assert_eq!(
            parse_when("2026-03-29 02:30", &berlin).unwrap(),
            at("2026-03-29T01:00:00Z")
        );
        // 02:30 on 25 Oct 2026 happens twice: the first, still summer time.
        assert_eq!(
            parse_when("2026-10-25 02:30", &berlin).unwrap(),
            at("2026-10-25T00:30:00Z")
        );
        // A zone that springs forward at midnight starts that day at 01:00.
        let santiago = Now::new(at("2026-07-15T12:00:00Z"), Tz::America__Santiago);
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(
            santiago
                .local_time(santiago.start_of(day))
                .format("%d %H:%M")
                .to_string(),
            "06 01:00"
        );
    }

    #[test]
    fn zone_names_read_as_tz_and_the_config_write_them() {
        assert_eq!(zone_named("Europe/Berlin"), Some(Tz::Europe__Berlin));
        assert_eq!(zone_named(":America/New_York"), Some(Tz::America__New_York));
        assert_eq!(
            zone_named("/usr/share/zoneinfo/Europe/Berlin"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(zone_named("UTC"), Some(Tz::UTC));
        assert_eq!(zone_named("CET-1CEST,M3.5.0,M10.5.0/3"), None);
        assert_eq!(zone_named(""), None);
    }

    mod dst {
        use super::*;
        use proptest::prelude::*;

        /// The zones under test, and a moment in 2026, a year with both changes of clocks in
        /// each.
        fn zone() -> impl Strategy<Value = Tz> {
            prop_oneof![Just(Tz::Europe__Berlin), Just(Tz::America__New_York)]
        }

        fn moment() -> impl Strategy<Value = DateTime<Utc>> {
            // 2026-01-01T00:00Z .. 2027-01-01T00:00Z
            (1_767_225_600i64..1_798_761_600).prop_map(|t| DateTime::from_timestamp(t, 0).unwrap())
        }

        fn day() -> impl Strategy<Value = NaiveDate> {
            (0u64..365).prop_map(|d| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(d))
        }

        /// Whether a local time exists in the zone (it is not skipped by spring forward).
        fn exists(zone: Tz, naive: NaiveDateTime) -> bool {
            !matches!(zone.from_local_datetime(&naive), LocalResult::None)
        }

        proptest! {
            #[test]
            fn a_typed_date_starts_at_its_local_midnight(zone in zone(), t in moment(), d in day()) {
                let now = Now::new(t, zone);
                let typed = parse_when(&d.format("%Y-%m-%d").to_string(), &now).unwrap();
                let local = now.local_time(typed);
                prop_assert_eq!(local.date_naive(), d);
                prop_assert_eq!(local.time(), NaiveTime::MIN);
                prop_assert_eq!(now.local_date(typed), d);
            }

            #[test]
            fn days_ahead_keep_the_local_time_of_day(zone in zone(), t in moment(), n in -400i64..400) {
                let now = Now::new(t, zone);
                let later = parse_when(&format!("{n:+}d"), &now).unwrap();
                let (from, to) = (now.local(), now.local_time(later));
                prop_assert_eq!((to.date_naive() - from.date_naive()).num_days(), n);
                let wanted = to.date_naive().and_time(from.time());
                if exists(zone, wanted) {
                    prop_assert_eq!(to.time(), from.time());
                } else {
                    // Skipped: the first moment after the gap, within the hour.
                    prop_assert!(to.naive_local() > wanted);
                    prop_assert!(to.naive_local() - wanted <= Duration::hours(1));
                }
            }

            #[test]
            fn work_day_moves_land_on_a_work_day_at_the_same_local_time(
                zone in zone(), t in moment(), days in 1i64..30,
            ) {
                let now = Now::new(t, zone);
                let due = now.plus_days(t, days);
                let moved = crate::domain::plan::WorkDays::default().on_or_after(due, &now);
                let (due_l, moved_l) = (now.local_time(due), now.local_time(moved));
                prop_assert!(!matches!(moved_l.weekday(), Weekday::Sat | Weekday::Sun));
                prop_assert!(moved >= due);
                prop_assert!((moved_l.date_naive() - due_l.date_naive()).num_days() <= 2);
                if exists(zone, moved_l.date_naive().and_time(due_l.time())) {
                    prop_assert_eq!(moved_l.time(), due_l.time());
                }
            }

            #[test]
            fn today_and_tomorrow_are_local_midnights(zone in zone(), t in moment()) {
                let now = Now::new(t, zone);
                let today = now.local_time(now.start_of_today());
                let tomorrow = now.local_time(now.start_of_tomorrow());
                prop_assert_eq!(today.date_naive(), now.today());
                prop_assert_eq!(today.time(), NaiveTime::MIN);
                prop_assert_eq!(tomorrow.time(), NaiveTime::MIN);
                prop_assert_eq!((tomorrow.date_naive() - today.date_naive()).num_days(), 1);
                prop_assert!(now.start_of_today() <= t && t < now.start_of_tomorrow());
            }
        }
    }
}
