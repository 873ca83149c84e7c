//! Dates as exports write them: ISO, US and European orders (the order decided once per file
//! from all its rows), month names, offsets and spreadsheet serial numbers.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::domain::Now;

/// How a file writes the day and month of numeric dates like `03/04/2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    /// `M/D/YYYY`, US style.
    MonthFirst,
    /// `D/M/YYYY` or `D.M.YYYY`, European style.
    DayFirst,
}

/// What the dates of a file say about their order, gathered over every row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateEvidence {
    /// Values whose first part is above 12 (so day first).
    pub day_first: usize,
    /// Values whose second part is above 12 (so month first).
    pub month_first: usize,
    /// `D.M.YYYY` values (dots are European).
    pub dotted: usize,
    /// `A/B/YYYY` values.
    pub slashed: usize,
    /// ISO values (no order question).
    pub iso: usize,
    /// Amounts whose only separator is a point followed by other than three digits
    /// (`13837.8375`, `22700.00`): the file's decimal mark is the point, so `27675.675` is
    /// twenty-seven thousand, not twenty-seven million.
    pub point_decimals: usize,
    /// Amounts with a comma followed by other than three digits (`1200,50`).
    pub comma_decimals: usize,
}

/// The order a file's dates use, and why, in words for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateOrder {
    pub order: DayOrder,
    pub why: String,
}

/// The shape of a date cell, before its order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Iso,
    /// Two numbers and a four-digit year, and the separator.
    Numeric(u32, u32, i32, char),
}

fn split_time(s: &str) -> (&str, Option<&str>) {
    match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    }
}

fn shape(s: &str) -> Option<Shape> {
    let (date, _) = split_time(s.trim());
    if date.len() == 10 && date.as_bytes()[4] == b'-' {
        return Some(Shape::Iso);
    }
    let sep = if date.contains('/') {
        '/'
    } else if date.contains('.') {
        '.'
    } else {
        return None;
    };
    let mut parts = date.split(sep);
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    let y_text = parts.next()?;
    if parts.next().is_some() || y_text.len() != 4 {
        return None;
    }
    Some(Shape::Numeric(a, b, y_text.parse().ok()?, sep))
}

impl DateEvidence {
    /// Add the evidence of other rows.
    pub fn add_all(&mut self, other: &DateEvidence) {
        self.day_first += other.day_first;
        self.month_first += other.month_first;
        self.dotted += other.dotted;
        self.slashed += other.slashed;
        self.iso += other.iso;
        self.point_decimals += other.point_decimals;
        self.comma_decimals += other.comma_decimals;
    }

    /// Note an amount cell's decimal mark, where it shows one.
    pub fn add_amount(&mut self, s: &str) {
        let digits_after = |sep: u8| {
            let i = s.bytes().rposition(|b| b == sep)?;
            Some(s[i + 1..].bytes().take_while(u8::is_ascii_digit).count())
        };
        match (s.contains('.'), s.contains(',')) {
            (true, false) if s.matches('.').count() == 1 && digits_after(b'.') != Some(3) => {
                self.point_decimals += 1
            }
            (false, true) if s.matches(',').count() == 1 && digits_after(b',') != Some(3) => {
                self.comma_decimals += 1
            }
            _ => {}
        }
    }

    /// Whether the file's amounts write their decimals after a point (and none after a comma).
    pub fn point_is_decimal(&self) -> bool {
        self.point_decimals > 0 && self.comma_decimals == 0
    }

    /// Note one cell. Returns false when the cell is no date ripen can read at all.
    pub fn add(&mut self, s: &str) -> bool {
        // Shapes whose order is never in question.
        if unambiguous(s.trim()).is_some() {
            self.iso += 1;
            return true;
        }
        match shape(s) {
            Some(Shape::Iso) => self.iso += 1,
            Some(Shape::Numeric(a, b, _, sep)) => {
                if sep == '.' {
                    self.dotted += 1;
                } else {
                    self.slashed += 1;
                }
                if a > 12 {
                    self.day_first += 1;
                }
                if b > 12 {
                    self.month_first += 1;
                }
            }
            None => return false,
        }
        true
    }

    /// Decide the order once for the whole file.
    pub fn decide(&self) -> Result<DateOrder, String> {
        let numeric = self.dotted + self.slashed;
        let (order, why) = match (self.day_first > 0, self.month_first > 0) {
            (true, true) => {
                return Err(format!(
                    "dates disagree on their order: {} start with a day past 12, {} have one \
                     second; \
                     fix the file or split it",
                    self.day_first, self.month_first
                ));
            }
            (true, false) => (
                DayOrder::DayFirst,
                format!(
                    "{} of {numeric} dates start with a day past 12, like 25.3.2026",
                    self.day_first
                ),
            ),
            (false, true) => (
                DayOrder::MonthFirst,
                format!(
                    "{} of {numeric} dates have a day past 12 second, like 3/25/2026",
                    self.month_first
                ),
            ),
            (false, false) if numeric == 0 => (DayOrder::DayFirst, "no numeric dates".into()),
            (false, false) if self.dotted >= self.slashed => (
                DayOrder::DayFirst,
                "ambiguous; dotted dates are day first".into(),
            ),
            (false, false) => (
                DayOrder::MonthFirst,
                "ambiguous; slashed dates taken as US month first".into(),
            ),
        };
        Ok(DateOrder { order, why })
    }
}

impl DateOrder {
    /// `D.M.YYYY`-style label for the summary.
    pub fn label(&self) -> &'static str {
        match self.order {
            DayOrder::MonthFirst => "M/D/YYYY",
            DayOrder::DayFirst => "D.M.YYYY (or D/M/YYYY)",
        }
    }
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim();
    let (t, pm) = if let Some(x) = t.strip_suffix("PM").or_else(|| t.strip_suffix("pm")) {
        (x.trim(), Some(true))
    } else if let Some(x) = t.strip_suffix("AM").or_else(|| t.strip_suffix("am")) {
        (x.trim(), Some(false))
    } else {
        (t, None)
    };
    let time = NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S%.f"))
        .ok()?;
    use chrono::Timelike;
    match pm {
        Some(true) if time.hour() < 12 => time.with_hour(time.hour() + 12),
        Some(false) if time.hour() == 12 => time.with_hour(0),
        _ => Some(time),
    }
}

/// `2026-10-02` or `2026-10-02 16:13` (or with a `T`), the commonest shapes, read without
/// chrono's format parser (a million rows make it count); `None` for anything else, which the
/// general path reads.
fn plain_iso(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if (b.len() != 10 && b.len() != 16) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    if b.len() == 10 {
        return Some((date, None));
    }
    if !matches!(b[10], b' ' | b'T') || b[13] != b':' {
        return None;
    }
    let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, 0)?;
    Some((date, Some(time)))
}

/// Parse a date cell. Times without an offset are the user's local time; dates without a time
/// are the start of that local day.
pub fn parse_date(s: &str, order: DayOrder, now: &Now) -> Option<DateTime<Utc>> {
    let s = s.trim();
    match plain_iso(s) {
        Some((date, None)) => Some(now.start_of(date)),
        Some((date, Some(time))) => Some(local_time(NaiveDateTime::new(date, time), false, now)),
        None => parse_date_any(s, order, now),
    }
}

/// A date whose shape says its order, as exports write them besides ISO: with an offset of
/// its own in any spelling (`2024-01-22T20:36:47.000+0000`, Salesforce's API and Data Loader;
/// `+00:00`; `Z`), year first with slashes or dots (`2026/11/22`), a month's name (`22 Nov
/// 2026`, `Nov 22, 2026`, `Sunday, 22 November 2026 10:30`), or an Excel serial number
/// (`46348`, `46348.5`).
enum Unambiguous {
    /// A moment: the cell says its offset.
    At(DateTime<Utc>),
    /// A local date, and perhaps its time.
    Local(NaiveDate, Option<NaiveTime>),
}

fn unambiguous(s: &str) -> Option<Unambiguous> {
    if let Some(at) = with_offset(s) {
        return Some(Unambiguous::At(at));
    }
    if let Some((d, t)) = year_first(s).or_else(|| month_named(s)) {
        return Some(Unambiguous::Local(d, t));
    }
    excel_serial(s).map(|dt| Unambiguous::Local(dt.date(), Some(dt.time())))
}

/// `2024-01-22T20:36:47.000+0000` and its kin: a date and time with an offset or `Z`.
fn with_offset(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    let b = s.as_bytes();
    if b.len() < 17 || b[4] != b'-' || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let s = match s.strip_suffix('Z') {
        Some(rest) => format!("{rest}+0000"),
        None => s.to_string(),
    };
    [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M%z",
    ]
    .iter()
    .find_map(|f| DateTime::parse_from_str(&s, f).ok())
    .map(|d| d.with_timezone(&Utc))
}

/// `2026/11/22` or `2026.11.22`, perhaps with a time.
fn year_first(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let (date, time) = split_time(s);
    let sep = *date.as_bytes().get(4)?;
    if !matches!(sep, b'/' | b'.') || date.len() > 10 {
        return None;
    }
    let mut parts = date.split(char::from(sep));
    let y: i32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let time = match time {
        Some(t) => Some(parse_time(t)?),
        None => None,
    };
    Some((NaiveDate::from_ymd_opt(y, m, d)?, time))
}

/// A date written with its month's name: `22 Nov 2026`, `Nov 22, 2026`, `22-Nov-2026`,
/// `Sunday, 22 November 2026 10:30 AM`. Every word must be part of the date, so that free text
/// that mentions a month and a year is not taken for one.
fn month_named(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    const WEEKDAYS: [&str; 14] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
    ];
    if !s.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let (mut month, mut day, mut year) = (None, None, None);
    let mut time: Vec<&str> = Vec::new();
    for word in s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '/'))
        .filter(|w| !w.is_empty())
    {
        let w = word.trim_end_matches('.');
        let lower = w.to_lowercase();
        if w.contains(':') || (!time.is_empty() && matches!(lower.as_str(), "am" | "pm")) {
            time.push(word);
        } else if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) && year.is_none() {
            year = w.parse::<i32>().ok();
        } else if (1..=2).contains(&w.len())
            && w.bytes().all(|b| b.is_ascii_digit())
            && day.is_none()
        {
            day = w.parse::<u32>().ok();
        } else if month.is_none()
            && let Some(m) = crate::domain::time::month_number(w)
        {
            month = Some(m);
        } else if lower.len() >= 3 && WEEKDAYS.iter().any(|d| d.starts_with(lower.as_str())) {
        } else {
            return None;
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let time = match time.is_empty() {
        true => None,
        false => Some(parse_time(&time.join(" "))?),
    };
    Some((date, time))
}

/// An Excel serial date: days since 30 Dec 1899, the fraction the time of day. Only numbers
/// that fall between 1954 and 2119 are taken for one, so that a plain year or amount is not.
fn excel_serial(s: &str) -> Option<NaiveDateTime> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.len() != 5
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let serial: f64 = s.parse().ok()?;
    if !(20_000.0..80_000.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let seconds = (serial * 86_400.0).round() as i64;
    epoch.checked_add_signed(chrono::Duration::seconds(seconds))
}

/// [`parse_date`] for any shape it knows.
fn parse_date_any(s: &str, order: DayOrder, now: &Now) -> Option<DateTime<Utc>> {
    match unambiguous(s) {
        Some(Unambiguous::At(at)) => return Some(at),
        Some(Unambiguous::Local(date, None)) => return Some(now.start_of(date)),
        Some(Unambiguous::Local(date, Some(time))) => {
            return Some(local_time(NaiveDateTime::new(date, time), false, now));
        }
        None => {}
    }
    let (date_text, time_text) = split_time(s);
    let date = match shape(s)? {
        Shape::Iso => NaiveDate::parse_from_str(date_text, "%Y-%m-%d").ok()?,
        Shape::Numeric(a, b, y, sep) => {
            let (d, m) = if sep == '.' || order == DayOrder::DayFirst {
                (a, b)
            } else {
                (b, a)
            };
            NaiveDate::from_ymd_opt(y, m, d)?
        }
    };
    let naive = match time_text {
        None => return Some(now.start_of(date)),
        Some(t) => NaiveDateTime::new(date, parse_time(t.trim_end_matches('Z'))?),
    };
    Some(local_time(
        naive,
        time_text.is_some_and(|t| t.ends_with('Z')),
        now,
    ))
}

/// A date and time in the user's local time (or in UTC), as a moment.
fn local_time(naive: NaiveDateTime, utc: bool, now: &Now) -> DateTime<Utc> {
    if utc {
        Utc.from_utc_datetime(&naive)
    } else {
        now.from_local(naive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Now {
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    fn ymd(d: DateTime<Utc>) -> String {
        d.format("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn plain_iso_dates_read_as_the_general_path_reads_them() {
        let now = now();
        for s in [
            "2026-10-02",
            "2026-10-02 16:13",
            "2026-10-02T16:13",
            "2026-02-30",
            "2026-10-02 25:13",
            "2026-1x-02",
            "2026-10-02 16:13Z",
            "2026-10-02 4:13 PM",
            "2026-10-02 16:13:05",
        ] {
            let any = parse_date_any(s, DayOrder::DayFirst, &now);
            assert_eq!(parse_date(s, DayOrder::DayFirst, &now), any, "{s}");
            if plain_iso(s).is_some() {
                assert!(any.is_some(), "{s}");
            }
        }
        assert!(plain_iso("2026-10-02 16:13").is_some());
        assert!(plain_iso("2026-02-30").is_none());
    }

    #[test]
    fn order_is_decided_from_all_rows() {
        let mut e = DateEvidence::default();
        for v in ["3/4/2026", "10/20/2026", "1/2/2026"] {
            assert!(e.add(v));
        }
        assert_eq!(e.decide().unwrap().order, DayOrder::MonthFirst);
        let mut e = DateEvidence::default();
        for v in ["03.04.2026", "02.01.2026"] {
            e.add(v);
        }
        assert_eq!(e.decide().unwrap().order, DayOrder::DayFirst);
        let mut e = DateEvidence::default();
        e.add("13/1/2026");
        e.add("1/13/2026");
        assert!(e.decide().is_err());
        assert!(!DateEvidence::default().add("yesterday"));
    }

    #[test]
    fn dates_parse_in_every_shape() {
        let n = now();
        let p = |s, o| ymd(parse_date(s, o, &n).unwrap());
        assert_eq!(
            p("2026-07-05 16:40", DayOrder::DayFirst),
            "2026-07-05 16:40"
        );
        assert_eq!(
            p("2026-07-05 16:40:10", DayOrder::DayFirst),
            "2026-07-05 16:40"
        );
        assert_eq!(p("2026-07-05", DayOrder::DayFirst), "2026-07-05 00:00");
        assert_eq!(
            p("2026-07-05T16:40:00Z", DayOrder::DayFirst),
            "2026-07-05 16:40"
        );
        assert_eq!(p("10/20/2026", DayOrder::MonthFirst), "2026-10-20 00:00");
        assert_eq!(
            p("3/4/2026 2:05 PM", DayOrder::MonthFirst),
            "2026-03-04 14:05"
        );
        assert_eq!(p("16.07.2026", DayOrder::MonthFirst), "2026-07-16 00:00");
        assert_eq!(p("4/3/2026", DayOrder::DayFirst), "2026-03-04 00:00");
        assert!(parse_date("2/30/2026", DayOrder::MonthFirst, &n).is_none());
    }

    #[test]
    fn dates_as_real_exports_write_them() {
        let n = now();
        let p = |s| ymd(parse_date(s, DayOrder::MonthFirst, &n).unwrap_or_else(|| panic!("{s}")));
        for s in [
            "2024-01-22T20:36:47.000+0000",
            "2024-01-22T20:36:47+00:00",
            "2024-01-22T20:36:47.000Z",
            "2024-01-22 20:36:47.000+0000",
            "2024-01-22T21:36:47.000+0100",
        ] {
            assert_eq!(p(s), "2024-01-22 20:36", "{s}");
        }
        assert_eq!(p("2026/11/22"), "2026-11-22 00:00");
        assert_eq!(p("2026.11.22 14:05"), "2026-11-22 14:05");
        for s in [
            "22 Nov 2026",
            "Nov 22, 2026",
            "November 22 2026",
            "22-Nov-2026",
            "Sunday, 22 November 2026",
            "22. November 2026",
            "22 Dez 2026",
        ] {
            assert!(p(s).ends_with(" 00:00"), "{s}: {}", p(s));
            assert!(p(s).starts_with("2026-1"), "{s}: {}", p(s));
        }
        assert_eq!(p("Nov 22, 2026 2:05 PM"), "2026-11-22 14:05");
        assert_eq!(p("46348"), "2026-11-22 00:00");
        assert_eq!(p("46348.5"), "2026-11-22 12:00");
        for no in [
            "2026",
            "12345",
            "called about 3 may 2026 plans",
            "Nov 2026",
            "May",
        ] {
            assert!(parse_date(no, DayOrder::MonthFirst, &n).is_none(), "{no}");
        }
        // Their order is never in question.
        let mut e = DateEvidence::default();
        assert!(e.add("22 Nov 2026") && e.add("2024-01-22T20:36:47.000+0000") && e.add("46348"));
        assert_eq!(e.iso, 3);
    }
}
