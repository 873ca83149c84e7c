//! Reading cell values the way CRMs and spreadsheets write them: dates in ISO, US and European
//! orders (the order decided once per file), amounts in either decimal convention, and vendor
//! status, stage, rating and loss-reason words mapped onto ripen's lifecycle.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::mapping::fold;
use crate::domain::{Class, Now, Stage, Status};

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

/// A vendor's status word as ripen's lifecycle: the status, and a loss reason the word implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusWord {
    pub status: Status,
    pub reason: Option<&'static str>,
}

/// A source as a person writes it: HubSpot's "Original Source" codes (`PAID_SEARCH`,
/// `OFFLINE`) become words ("Paid search", "Offline"); any other all-capital code with an
/// underscore likewise; everything else is kept as it is.
pub fn source_words(source: String) -> String {
    let t = source.trim();
    const HUBSPOT: [&str; 10] = [
        "ORGANIC_SEARCH",
        "PAID_SEARCH",
        "EMAIL_MARKETING",
        "SOCIAL_MEDIA",
        "REFERRALS",
        "OTHER_CAMPAIGNS",
        "DIRECT_TRAFFIC",
        "OFFLINE",
        "PAID_SOCIAL",
        "AI_REFERRALS",
    ];
    let code = HUBSPOT.contains(&t)
        || (t.contains('_')
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            && t.chars().any(|c| c.is_ascii_uppercase()));
    if !code {
        return source;
    }
    let words = t
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "EMAIL" => "e-mail".to_string(),
            "AI" => "AI".to_string(),
            w => w.to_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => t.to_string(),
    }
}

/// Map a status word. `deal` says the column holds deal statuses (Pipedrive `Deal - Status`),
/// where `open` means an open deal in the pipeline; for leads (HubSpot `OPEN`) it means not yet
/// worked.
pub fn status_word(word: &str, deal: bool) -> Option<StatusWord> {
    let w = fold(word);
    let s = |status, reason| Some(StatusWord { status, reason });
    match w.as_str() {
        "open" if deal => s(Status::Open, None),
        "new" | "neu" | "open" | "opennotcontacted" | "notcontacted" | "unworked" | "lead"
        | "offen" => s(Status::New, None),
        // HubSpot's lifecycle stages before a salesperson works the lead.
        "subscriber" | "marketingqualifiedlead" => s(Status::New, None),
        "working" | "workingcontacted" | "contacted" | "attemptedtocontact" | "connected"
        | "inprogress" | "inbearbeitung" | "kontaktiert" | "engaged" | "nurturing"
        // Zoho CRM's lead statuses: one to contact later is being nurtured; a pre-qualified
        // one is still being qualified.
        | "contactinfuture" | "prequalified" => s(Status::Working, None),
        // Salesforce's "Closed - Converted": the lead became an opportunity, whose outcome
        // the leads export does not say. A deal to work, not a win worth nothing.
        "qualified" | "opendeal" | "opportunity" | "qualifiziert" | "salesqualifiedlead"
        | "pipeline" | "closedconverted" | "converted" => s(Status::Open, None),
        // Atomic CRM's contact statuses run cold, warm, hot, in-contract: a customer.
        "won" | "closedwon" | "gewonnen" | "customer" | "kunde" | "incontract"
        // HubSpot's evangelist: a customer who promotes it.
        | "undercontract" | "evangelist" => s(Status::Won, None),
        // Zoho's "Lost Lead": lost, for a reason the status does not say.
        "lost" | "closedlost" | "verloren" | "lostlead" => s(Status::Lost, None),
        "disqualified" | "closednotconverted" | "nichtqualifiziert" | "disqualifiziert"
        | "notqualified" => s(Status::Disqualified, None),
        // HubSpot's UNQUALIFIED says no more than that: the reason is unknown, and the lead
        // rests and comes back rather than being written off (a trial lost 13 so).
        "unqualified" => s(Status::Disqualified, None),
        "notafit" => s(Status::Disqualified, Some("not-a-fit")),
        "badtiming" => s(Status::Disqualified, Some("timing")),
        "junk" | "spam" | "junklead" => s(Status::Disqualified, Some("spam")),
        "duplicate" => s(Status::Disqualified, Some("duplicate")),
        _ => None,
    }
}

/// A status word that closed a lead, as its reason note keeps it ("status: Lost Lead").
pub fn status_said(word: &str) -> String {
    format!("status: {}", word.trim())
}

/// The reason recorded when a file closes a lead without saying why (or says it in words that
/// name none of ripen's reasons): "unknown", which recycles, so the lead is not wasted, and
/// keeps the reports' real reasons apart from the guessed ones. A book whose config has no
/// such reason falls back as [`crate::domain::arrival::arrive`] says.
pub const DEFAULT_REASON: &str = crate::domain::arrival::UNKNOWN_REASON;

/// A free-text loss reason as one of ripen's reason keys; unknown text becomes
/// [`DEFAULT_REASON`] (the caller keeps the text as the reason note).
pub fn reason_key(text: &str, known: &[&str]) -> &'static str {
    let t = text.trim().to_lowercase();
    let folded = fold(&t);
    for key in [
        "budget",
        "timing",
        "competitor",
        "requirements",
        "no-response",
        "not-a-fit",
        "duplicate",
        "spam",
    ] {
        if folded == fold(key) && known.contains(&key) {
            return key;
        }
    }
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    // Whole words only, for words that hide inside others ("later" in "collateral").
    let has_word = |words: &[&str]| {
        t.split(|c: char| !c.is_alphanumeric())
            .any(|w| words.contains(&w))
    };
    if has(&[
        "budget",
        "price",
        "pricing",
        "expensive",
        "cost",
        "money",
        "preis",
        "teuer",
    ]) {
        "budget"
    } else if has(&[
        "competitor",
        "went with",
        "chose",
        "wettbewerb",
        "konkurrenz",
    ]) {
        "competitor"
    } else if has(&[
        "no response",
        "no answer",
        "unresponsive",
        "ghost",
        "never replied",
        "no reply",
        "non-responsive",
        "nonresponsive",
        "non responsive",
        "keine antwort",
    ]) {
        "no-response"
    } else if has(&[
        "feature",
        "requirement",
        "missing",
        "integration",
        "anforderung",
    ]) {
        "requirements"
    } else if has(&[
        "timing",
        "not now",
        "next year",
        "next quarter",
        "zeitpunkt",
    ]) || has_word(&["later", "später"])
    {
        "timing"
    } else if has(&["fit", "unqualified", "too small", "wrong"]) {
        "not-a-fit"
    } else if has(&["duplicate", "dublette"]) {
        "duplicate"
    } else if has(&["spam", "junk", "fake"]) {
        "spam"
    } else {
        DEFAULT_REASON
    }
}

/// A vendor's deal stage as ripen's ripeness.
pub fn stage_word(word: &str) -> Option<Stage> {
    if let Ok(s) = word.parse::<Stage>() {
        return Some(s);
    }
    let w = fold(word);
    Some(match w.as_str() {
        "qualified"
        | "contactmade"
        | "qualification"
        | "prospecting"
        | "discovery"
        | "appointmentscheduled" => Stage::Green,
        // HubSpot's default pipeline: appointment, qualified to buy, presentation, decision
        // maker bought-in, contract sent.
        "demoscheduled"
        | "needsanalysis"
        | "demo"
        | "meeting"
        | "valueproposition"
        | "qualifiedtobuy"
        | "presentationscheduled" => Stage::Warming,
        "decisionmakerboughtin"
        | "idrecdecisionmakers"
        | "iddecisionmakers"
        | "perceptionanalysis" => Stage::Ripe,
        "proposalmade" | "proposal" | "proposalpricequote" | "quote" | "angebot" => Stage::Proposal,
        "negotiationsstarted"
        | "negotiation"
        | "negotiationreview"
        | "contractsent"
        | "verhandlung" => Stage::Negotiation,
        _ => return None,
    })
}

/// A stage that says how the deal ended: Salesforce's `Closed Won` and `Closed Lost`, and the
/// same in other words.
pub fn closing_stage(word: &str) -> Option<Status> {
    match fold(word).as_str() {
        "closedwon" | "won" | "dealwon" | "gewonnen" | "abgeschlossengewonnen" => Some(Status::Won),
        "closedlost" | "lost" | "deallost" | "verloren" | "abgeschlossenverloren"
        // Zoho's "Closed-Lost to Competition".
        | "closedlosttocompetition" => {
            Some(Status::Lost)
        }
        _ => None,
    }
}

/// A deal's probability as a row writes it (`70`, `70%`, `70.5`), when it places a stage: above
/// 0 and below 100 (an open deal at 0% or 100% says nothing about how far it has come).
pub fn probability_percent(cell: &str) -> Option<f64> {
    let p: f64 = cell.trim().trim_end_matches('%').trim().parse().ok()?;
    (p > 0.0 && p < 100.0).then_some(p)
}

/// The ripen stage a vendor's own stage name is at by the deal's probability (`percent`): the
/// one whose probability in the plan is nearest; between two as near, the one the name is
/// nearest ([`nearest_stage`]) if it is either, else the further.
pub fn stage_at_probability(
    percent: f64,
    probabilities: &crate::domain::plan::StageProbability,
    word: &str,
) -> Stage {
    // In tenths of a percent, so that 70 lies as near 60 as 80.
    let tenths = |p: f64| (p * 10.0).round() as i64;
    let at = tenths(percent);
    let distance = |s: Stage| (tenths(probabilities.of(s) * 100.0) - at).abs();
    let best = Stage::ALL.iter().map(|s| distance(*s)).min().unwrap_or(0);
    let nearest: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| distance(*s) == best)
        .collect();
    let named = nearest_stage(word);
    if nearest.contains(&named) {
        named
    } else {
        nearest.last().copied().unwrap_or(named)
    }
}

/// The ripen stage nearest a vendor's own stage name (a Salesforce org's custom "Verbal
/// Commit", a Pipedrive pipeline's "Sent offer"), by the words it uses; the first stage when
/// none says more.
pub fn nearest_stage(word: &str) -> Stage {
    let w = fold(word);
    let has = |parts: &[&str]| parts.iter().any(|p| w.contains(p));
    if has(&[
        "negotiat",
        // Spanish and Portuguese: negociación, negociação; firmas, assinatura.
        "negoci",
        "firmas",
        "assinatura",
        "contract",
        "verbal",
        "commit",
        "legal",
        "signature",
        "sign",
        "closing",
        "verhandl",
        "vertrag",
    ]) {
        Stage::Negotiation
    } else if has(&[
        "proposal",
        "quote",
        "offer",
        "pricing",
        "bid",
        "angebot",
        "tender",
        "propuesta",
        "proposta",
        "cotizaci",
    ]) {
        Stage::Proposal
    } else if has(&[
        "decision",
        "evaluat",
        "trial",
        "pilot",
        "shortlist",
        "perception",
        "buying",
        "poc",
        "entscheid",
        "test",
    ]) {
        Stage::Ripe
    } else if has(&[
        "demo", "meeting", "needs", "analysis", "discover", "present", "value", "solution",
        "termin", "bedarf",
    ]) {
        Stage::Warming
    } else {
        Stage::Green
    }
}

/// A yes/no cell (`true`, `1`, `yes`, `x`, `ja`, …), or `None` for a cell that is neither.
pub fn flag_word(word: &str) -> Option<bool> {
    match fold(word).as_str() {
        "true" | "1" | "yes" | "y" | "x" | "ja" | "wahr" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "nein" | "falsch" | "f" | "" => Some(false),
        _ => None,
    }
}

/// A rating (`Hot`/`Warm`/`Cold`, `A`/`B`/`C`) as a class.
pub fn class_word(word: &str) -> Option<Class> {
    if let Ok(c) = word.parse::<Class>() {
        return Some(c);
    }
    match fold(word).as_str() {
        "hot" | "high" | "heiss" | "heiß" | "hoch" => Some(Class::A),
        "warm" | "medium" | "mittel" => Some(Class::B),
        "cold" | "low" | "kalt" | "niedrig" => Some(Class::C),
        _ => None,
    }
}

/// Split a tags cell on `,` `;` `|`.
pub fn split_tags(s: &str) -> Vec<String> {
    s.split([',', ';', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// An exported cell neutralised against formulas (`'=…`) read back as typed.
pub fn unneutralise(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_stage_is_placed_by_its_probability_and_a_tie_by_its_name() {
        let p = crate::domain::plan::StageProbability::default();
        assert_eq!(probability_percent("70"), Some(70.0));
        assert_eq!(probability_percent(" 12.5% "), Some(12.5));
        assert_eq!(probability_percent("0"), None);
        assert_eq!(probability_percent("100"), None);
        assert_eq!(stage_at_probability(30.0, &p, "Interes"), Stage::Warming);
        assert_eq!(
            stage_at_probability(60.0, &p, "Presentación"),
            Stage::Proposal
        );
        assert_eq!(stage_at_probability(90.0, &p, "Firmas"), Stage::Negotiation);
        // 70% lies as near proposal (60%) as negotiation (80%): the name decides between them,
        // else the further one.
        assert_eq!(
            stage_at_probability(70.0, &p, "Negociación"),
            Stage::Negotiation
        );
        assert_eq!(
            stage_at_probability(70.0, &p, "Propuesta final"),
            Stage::Proposal
        );
        assert_eq!(
            stage_at_probability(70.0, &p, "Etapa 4"),
            Stage::Negotiation
        );
    }

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

    #[test]
    fn vendor_status_words_map_to_the_lifecycle() {
        let st = |w, deal| status_word(w, deal).map(|s| (s.status, s.reason));
        assert_eq!(st("Open - Not Contacted", false), Some((Status::New, None)));
        assert_eq!(
            st("Working - Contacted", false),
            Some((Status::Working, None))
        );
        // Converted to an opportunity: a deal to work, not a win.
        assert_eq!(st("Closed - Converted", false), Some((Status::Open, None)));
        assert_eq!(
            st("Closed - Not Converted", false),
            Some((Status::Disqualified, None))
        );
        assert_eq!(
            st("ATTEMPTED_TO_CONTACT", false),
            Some((Status::Working, None))
        );
        assert_eq!(st("OPEN_DEAL", false), Some((Status::Open, None)));
        assert_eq!(
            st("BAD_TIMING", false),
            Some((Status::Disqualified, Some("timing")))
        );
        assert_eq!(st("open", true), Some((Status::Open, None)));
        assert_eq!(st("OPEN", false), Some((Status::New, None)));
        assert_eq!(st("lost", true), Some((Status::Lost, None)));
        assert_eq!(st("Engaging", false), None);
    }

    #[test]
    fn vendor_source_codes_read_as_words() {
        assert_eq!(source_words("PAID_SEARCH".into()), "Paid search");
        assert_eq!(source_words("OFFLINE".into()), "Offline");
        assert_eq!(source_words("EMAIL_MARKETING".into()), "E-mail marketing");
        assert_eq!(source_words("TRADE_SHOW_2026".into()), "Trade show 2026");
        assert_eq!(source_words("IBM".into()), "IBM");
        assert_eq!(source_words("Webinar Oct".into()), "Webinar Oct");
        assert_eq!(source_words("Partner_referral".into()), "Partner_referral");
    }

    #[test]
    fn free_text_reasons_become_keys() {
        let known = [
            "budget",
            "timing",
            "competitor",
            "requirements",
            "no-response",
            "not-a-fit",
            "duplicate",
            "spam",
        ];
        assert_eq!(reason_key("No budget", &known), "budget");
        assert_eq!(reason_key("Went with competitor", &known), "competitor");
        assert_eq!(reason_key("No response", &known), "no-response");
        assert_eq!(reason_key("Missing feature", &known), "requirements");
        assert_eq!(reason_key("Bad timing", &known), "timing");
        assert_eq!(reason_key("Call back later", &known), "timing");
        assert_eq!(reason_key("Asked for collateral", &known), DEFAULT_REASON);
        assert_eq!(reason_key("CEO left", &known), DEFAULT_REASON);
    }

    #[test]
    fn deal_stages_end_deals_or_come_nearest_to_ripens() {
        assert_eq!(closing_stage("Closed Won"), Some(Status::Won));
        assert_eq!(closing_stage("Closed Lost"), Some(Status::Lost));
        assert_eq!(closing_stage("Negotiation/Review"), None);
        assert_eq!(nearest_stage("Verbal Commit"), Stage::Negotiation);
        assert_eq!(nearest_stage("Sent offer"), Stage::Proposal);
        assert_eq!(nearest_stage("Technical Evaluation"), Stage::Ripe);
        assert_eq!(nearest_stage("Discovery Call"), Stage::Warming);
        assert_eq!(nearest_stage("Stage 1"), Stage::Green);
        assert_eq!(flag_word("TRUE"), Some(true));
        assert_eq!(flag_word("0"), Some(false));
        assert_eq!(flag_word("maybe"), None);
    }

    #[test]
    fn stages_ratings_and_tags() {
        assert_eq!(stage_word("Demo Scheduled"), Some(Stage::Warming));
        assert_eq!(stage_word("Negotiations Started"), Some(Stage::Negotiation));
        assert_eq!(class_word("Hot"), Some(Class::A));
        assert_eq!(split_tags("a, b;c|"), vec!["a", "b", "c"]);
        assert_eq!(unneutralise("'=SUM(1)"), "=SUM(1)");
        assert_eq!(unneutralise("'quoted"), "'quoted");
    }
}
