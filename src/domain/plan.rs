//! The book's rules in numbers: contact cadences, rotting limits, loss reasons and their recycle
//! delays, priority coefficients, stage probabilities. Every default lives here, once; the
//! config file (`assets/config.example.toml`) may override any of them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::lead::{Class, Stage, Status};

/// All tunable rules of a book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plan {
    /// Who I am: owner given to new leads, author of my changes, whose leads are "mine". The
    /// default ("me") says nobody: my changes are then by the OS user name, and leads owned by
    /// "me" are no one's yet.
    pub user: String,
    /// The team's names, for an import that splits its leads among them (`--assign
    /// round-robin`), in turn.
    pub team: Vec<String>,
    /// Currency symbol shown before amounts in the book's own currency.
    pub currency: String,
    /// The ISO 4217 code of the book's currency, where its symbol names none or several
    /// (`kr`, `$` for Canadian dollars); else the symbol decides (`€`: EUR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// What one unit of another currency is worth in the book's currency (`USD = 0.92`), for
    /// sums and forecasts. A currency without a rate is summed apart, never converted.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub currency_rates: BTreeMap<String, f64>,
    pub cadence: Cadence,
    pub first_contact: FirstContact,
    pub rotting: Rotting,
    /// Days without a contact after which a lead is stale ("dead").
    pub stale_days: i64,
    /// Loss and disqualification reasons, by key.
    pub reasons: BTreeMap<String, Reason>,
    pub priority: Priority,
    /// Chance that an open lead at each stage is won, for weighted values and forecasts.
    pub stage_probability: StageProbability,
    /// The user's time zone, by its IANA name (`time_zone = "Europe/Berlin"`): the calendar
    /// every date is typed, shown and counted in. Unset in the file: the system's (the config
    /// loader fills it in); unset here: UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<TimeZone>,
    /// Whether the config file itself named `time_zone` (not filled in from the system): only
    /// then does a book take a new zone for the months it stores.
    #[serde(skip)]
    pub time_zone_set: bool,
}

impl Plan {
    /// The zone of the book's calendar: see [`Plan::time_zone`].
    pub fn zone(&self) -> super::time::Tz {
        self.time_zone.map_or(super::time::Tz::UTC, |z| z.0)
    }
}

/// A time zone known by its IANA name; any other name is refused with the name quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(pub super::time::Tz);

impl TryFrom<String> for TimeZone {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        super::time::zone_named(&name).map(TimeZone).ok_or_else(|| {
            format!(
                "time_zone: unknown time zone \"{name}\" (an IANA name such as Europe/Berlin, \
                 America/New_York or UTC)"
            )
        })
    }
}

impl From<TimeZone> for String {
    fn from(z: TimeZone) -> String {
        z.0.name().to_string()
    }
}

impl Default for Plan {
    fn default() -> Self {
        let mut reasons = BTreeMap::new();
        for (key, days, label) in [
            ("budget", 90, "no budget now"),
            ("timing", 90, "bad timing"),
            ("no-response", 90, "never answered"),
            ("requirements", 90, "requirements not met"),
            (
                "unknown",
                90,
                "not given, or none of these (imported; its words in the note)",
            ),
            ("competitor", 180, "went with a competitor"),
            ("not-a-fit", 0, "not a fit, never recycle"),
            ("duplicate", 0, "duplicate of another lead"),
            ("spam", 0, "spam"),
        ] {
            reasons.insert(
                key.to_string(),
                Reason {
                    recycle_after_days: days,
                    label: label.to_string(),
                },
            );
        }
        Plan {
            user: crate::domain::lead::UNASSIGNED.to_string(),
            team: Vec::new(),
            currency: "€".to_string(),
            currency_code: None,
            currency_rates: BTreeMap::new(),
            cadence: Cadence::default(),
            first_contact: FirstContact::default(),
            rotting: Rotting::default(),
            stale_days: 90,
            reasons,
            priority: Priority::default(),
            stage_probability: StageProbability::default(),
            time_zone: None,
            time_zone_set: false,
        }
    }
}

/// Days between follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cadence {
    /// A new lead is due this many days after it was received. 0: due at once, because speed to
    /// lead wins; the first-contact clock measures lateness.
    pub new: i64,
    /// Contacted but not yet qualified.
    pub working: i64,
    pub class_a: i64,
    pub class_b: i64,
    pub class_c: i64,
    /// Stage cadences override the class cadence where set (0: the class decides).
    pub green: i64,
    pub warming: i64,
    pub ripe: i64,
    pub proposal: i64,
    pub negotiation: i64,
    /// A recycled lead is touched this often from its recycle date on.
    pub recycled: i64,
    /// After a contact that did not reach the person (no answer, voicemail, a bounced e-mail),
    /// a lead still being worked is tried again this many days later, when that is sooner than
    /// its cadence. 0: the cadence decides.
    pub retry: i64,
    /// The days follow-ups fall on: a date the cadence puts on another day (a weekend) moves
    /// on to the next of these, so that Monday does not open red with the cadence's own dates.
    pub work_days: WorkDays,
}

/// Days of the week, as a set (config: `work_days = ["mon", "tue", "wed", "thu", "fri"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct WorkDays(u8);

impl Default for WorkDays {
    /// Monday to Friday.
    fn default() -> Self {
        WorkDays(0b0001_1111)
    }
}

impl WorkDays {
    pub const EVERY_DAY: WorkDays = WorkDays(0b0111_1111);

    pub fn contains(self, day: chrono::Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// `at`, or the same local time on the next work day (on `now`'s calendar: the weekday is
    /// the user's, whatever the season).
    pub fn on_or_after(
        self,
        at: chrono::DateTime<chrono::Utc>,
        now: &super::time::Now,
    ) -> chrono::DateTime<chrono::Utc> {
        use chrono::Datelike;
        for ahead in 0..7 {
            let d = now.plus_days(at, ahead);
            if self.contains(now.local_date(d).weekday()) {
                return d;
            }
        }
        at
    }
}

impl TryFrom<Vec<String>> for WorkDays {
    type Error = String;
    fn try_from(days: Vec<String>) -> Result<Self, String> {
        let mut bits = 0u8;
        for d in &days {
            let day: chrono::Weekday = d
                .trim()
                .parse()
                .map_err(|_| format!("work_days: \"{d}\" is not a day (mon, tue, … sun)"))?;
            bits |= 1 << day.num_days_from_monday();
        }
        if bits == 0 {
            return Err("work_days: name at least one day".into());
        }
        Ok(WorkDays(bits))
    }
}

impl From<WorkDays> for Vec<String> {
    fn from(w: WorkDays) -> Vec<String> {
        use chrono::Weekday::*;
        [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
            .into_iter()
            .filter(|d| w.contains(*d))
            .map(|d| d.to_string().to_lowercase())
            .collect()
    }
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence {
            new: 0,
            working: 3,
            class_a: 3,
            class_b: 7,
            class_c: 30,
            green: 30,
            warming: 0,
            ripe: 3,
            proposal: 3,
            negotiation: 3,
            recycled: 30,
            retry: 1,
            work_days: WorkDays::default(),
        }
    }
}

impl Cadence {
    /// Days to the next follow-up for a lead in this state.
    pub fn days_for(&self, status: Status, class: Option<Class>, stage: Option<Stage>) -> i64 {
        match status {
            Status::New => self.new,
            Status::Working => self.working,
            Status::Open => {
                let by_stage = stage
                    .map(|s| match s {
                        Stage::Green => self.green,
                        Stage::Warming => self.warming,
                        Stage::Ripe => self.ripe,
                        Stage::Proposal => self.proposal,
                        Stage::Negotiation => self.negotiation,
                    })
                    .filter(|d| *d > 0);
                by_stage.unwrap_or(match class {
                    Some(Class::A) => self.class_a,
                    Some(Class::B) | None => self.class_b,
                    Some(Class::C) => self.class_c,
                })
            }
            Status::Lost | Status::Disqualified => self.recycled,
            Status::Won => 0,
        }
    }

    /// Days to the next follow-up after a contact with this outcome: the state's cadence, or
    /// the retry when the contact did not reach the person and that comes sooner. A lead that
    /// is resting in Recycled keeps its monthly touch.
    pub fn days_after(
        &self,
        status: Status,
        class: Option<Class>,
        stage: Option<Stage>,
        outcome: Option<&str>,
    ) -> i64 {
        let days = self.days_for(status, class, stage);
        if self.retries(status, class, stage, outcome) {
            self.retry
        } else {
            days
        }
    }

    /// Whether a contact with this outcome is followed by the retry rather than the cadence.
    fn retries(
        &self,
        status: Status,
        class: Option<Class>,
        stage: Option<Stage>,
        outcome: Option<&str>,
    ) -> bool {
        let days = self.days_for(status, class, stage);
        status.is_active()
            && outcome.is_some_and(unreached)
            && self.retry > 0
            && (days == 0 || self.retry < days)
    }

    /// Words saying where [`Cadence::days_after`] came from.
    pub fn explain_after(
        &self,
        status: Status,
        class: Option<Class>,
        stage: Option<Stage>,
        outcome: Option<&str>,
    ) -> String {
        match outcome {
            Some(o) if self.retries(status, class, stage, outcome) => format!("retry after {o}"),
            _ => self.explain(status, class, stage),
        }
    }

    /// Words saying where the cadence came from, e.g. "A + ripe cadence".
    pub fn explain(&self, status: Status, class: Option<Class>, stage: Option<Stage>) -> String {
        match status {
            Status::New => "new-lead cadence".into(),
            Status::Working => "working cadence".into(),
            Status::Open => match (class, stage) {
                (Some(c), Some(s)) => format!("{c} + {s} cadence"),
                (Some(c), None) => format!("class {c} cadence"),
                (None, Some(s)) => format!("{s} cadence"),
                (None, None) => "class B cadence".into(),
            },
            Status::Lost | Status::Disqualified => "monthly recycle touch".into(),
            Status::Won => "won".into(),
        }
    }
}

/// Whether a contact's outcome says the person was not reached: no answer, a voicemail left, an
/// e-mail bounced. Free-text outcomes are read the same way ("No answer", "no_answer").
pub fn unreached(outcome: &str) -> bool {
    let o: String = outcome
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        o.as_str(),
        "noanswer" | "voicemail" | "bounced" | "busy" | "notreached" | "unreached"
    )
}

/// The first-contact clock of a new lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FirstContact {
    pub warning_hours: i64,
    pub breach_hours: i64,
}

impl Default for FirstContact {
    fn default() -> Self {
        FirstContact {
            warning_hours: 24,
            breach_hours: 48,
        }
    }
}

/// Days idle after which an open lead at each stage is rotting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rotting {
    pub green: i64,
    pub warming: i64,
    pub ripe: i64,
    pub proposal: i64,
    pub negotiation: i64,
}

impl Default for Rotting {
    fn default() -> Self {
        Rotting {
            green: 45,
            warming: 21,
            ripe: 7,
            proposal: 7,
            negotiation: 5,
        }
    }
}

impl Rotting {
    pub fn limit(&self, stage: Stage) -> i64 {
        match stage {
            Stage::Green => self.green,
            Stage::Warming => self.warming,
            Stage::Ripe => self.ripe,
            Stage::Proposal => self.proposal,
            Stage::Negotiation => self.negotiation,
        }
    }
}

/// A loss or disqualification reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reason {
    /// Days from closing to the recycle date; 0 means never recycle.
    pub recycle_after_days: i64,
    pub label: String,
}

impl Reason {
    /// Days to the recycle date, or `None` for a reason that is never recycled.
    pub fn recycle_days(&self) -> Option<i64> {
        (self.recycle_after_days > 0).then_some(self.recycle_after_days)
    }
}

impl Default for Reason {
    fn default() -> Self {
        Reason {
            recycle_after_days: 90,
            label: String::new(),
        }
    }
}

/// Points of the follow-up priority score. See [`crate::domain::priority`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Priority {
    pub class_a: i64,
    pub class_b: i64,
    pub class_c: i64,
    /// A lead still waiting for its first contact.
    pub first_contact: i64,
    /// A lead in conversation but not yet qualified.
    pub working: i64,
    pub green: i64,
    pub warming: i64,
    pub ripe: i64,
    pub proposal: i64,
    pub negotiation: i64,
    /// Points per value step, and the steps (in major units), smallest first.
    pub value_points: Vec<i64>,
    pub value_steps: Vec<i64>,
    /// Points per day a follow-up is overdue (negative before it falls due). Must be > 0.
    pub overdue_per_day: i64,
}

impl Default for Priority {
    fn default() -> Self {
        Priority {
            class_a: 25,
            class_b: 15,
            class_c: 5,
            first_contact: 30,
            working: 10,
            green: 0,
            warming: 5,
            ripe: 20,
            proposal: 20,
            negotiation: 25,
            value_points: vec![5, 10, 15],
            value_steps: vec![5_000, 25_000, 100_000],
            overdue_per_day: 2,
        }
    }
}

impl Priority {
    pub fn class_points(&self, class: Class) -> i64 {
        match class {
            Class::A => self.class_a,
            Class::B => self.class_b,
            Class::C => self.class_c,
        }
    }

    pub fn stage_points(&self, stage: Stage) -> i64 {
        match stage {
            Stage::Green => self.green,
            Stage::Warming => self.warming,
            Stage::Ripe => self.ripe,
            Stage::Proposal => self.proposal,
            Stage::Negotiation => self.negotiation,
        }
    }

    /// Value steps as (threshold in cents, points), largest first.
    pub fn value_tiers(&self) -> Vec<(i64, i64)> {
        let mut tiers: Vec<(i64, i64)> = self
            .value_steps
            .iter()
            .zip(&self.value_points)
            .map(|(step, pts)| (step.saturating_mul(100), *pts))
            .collect();
        tiers.sort_by_key(|t| std::cmp::Reverse(t.0));
        tiers
    }

    /// The overdue slope, never below one point a day (the ranking divides by it).
    pub fn per_day(&self) -> i64 {
        self.overdue_per_day.max(1)
    }
}

/// Chance of winning at each stage, 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageProbability {
    pub green: f64,
    pub warming: f64,
    pub ripe: f64,
    pub proposal: f64,
    pub negotiation: f64,
}

impl Default for StageProbability {
    fn default() -> Self {
        StageProbability {
            green: 0.10,
            warming: 0.25,
            ripe: 0.40,
            proposal: 0.60,
            negotiation: 0.80,
        }
    }
}

impl StageProbability {
    pub fn of(&self, stage: Stage) -> f64 {
        match stage {
            Stage::Green => self.green,
            Stage::Warming => self.warming,
            Stage::Ripe => self.ripe,
            Stage::Proposal => self.proposal,
            Stage::Negotiation => self.negotiation,
        }
    }

    /// Expected wins as shown, to a tenth, halves rounded up: the board and the forecast report
    /// say the same number for one book. Their sums are floats added in different orders, so a
    /// half a hair below (2.0499…) counts as the half it is.
    pub fn wins_shown(wins: f64) -> f64 {
        ((wins * 10.0) + 1e-6).round() / 10.0
    }
}

impl Plan {
    /// The reason by key, or an error naming the known keys.
    pub fn reason(&self, key: &str) -> Result<&Reason, super::DomainError> {
        self.reasons
            .get(key.trim())
            .ok_or_else(|| super::DomainError::Unknown {
                what: "reason",
                value: key.trim().to_string(),
                known: self.reasons.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_cadence_overrides_class_cadence() {
        let c = Cadence::default();
        assert_eq!(
            c.days_for(Status::Open, Some(Class::A), Some(Stage::Ripe)),
            3
        );
        assert_eq!(
            c.days_for(Status::Open, Some(Class::B), Some(Stage::Green)),
            30
        );
        assert_eq!(
            c.days_for(Status::Open, Some(Class::C), Some(Stage::Negotiation)),
            3
        );
    }

    #[test]
    fn warming_has_no_stage_cadence_so_class_decides() {
        let c = Cadence::default();
        assert_eq!(
            c.days_for(Status::Open, Some(Class::A), Some(Stage::Warming)),
            3
        );
        assert_eq!(
            c.days_for(Status::Open, Some(Class::B), Some(Stage::Warming)),
            7
        );
        assert_eq!(
            c.days_for(Status::Open, Some(Class::C), Some(Stage::Warming)),
            30
        );
    }

    #[test]
    fn an_unreached_contact_is_retried_sooner_while_the_lead_is_worked() {
        let c = Cadence::default();
        let working = |o| c.days_after(Status::Working, None, None, o);
        assert_eq!(working(Some("no-answer")), 1);
        assert_eq!(working(Some("Voicemail")), 1);
        assert_eq!(working(Some("No answer")), 1);
        assert_eq!(working(Some("reached")), 3);
        assert_eq!(working(None), 3);
        assert_eq!(
            c.explain_after(Status::Working, None, None, Some("no-answer")),
            "retry after no-answer"
        );
        // A recycled lead keeps its monthly touch; a retry never lengthens a cadence.
        assert_eq!(
            c.days_after(Status::Lost, None, None, Some("no-answer")),
            30
        );
        let slow = Cadence {
            retry: 5,
            ..Cadence::default()
        };
        assert_eq!(
            slow.days_after(Status::Working, None, None, Some("busy")),
            3
        );
        assert_eq!(
            slow.explain_after(Status::Working, None, None, Some("busy")),
            "working cadence"
        );
        let off = Cadence {
            retry: 0,
            ..Cadence::default()
        };
        assert_eq!(
            off.days_after(Status::Working, None, None, Some("no-answer")),
            3
        );
    }

    #[test]
    fn expected_wins_round_halves_up_whatever_the_order_of_the_sum() {
        assert_eq!(StageProbability::wins_shown(0.25), 0.3);
        assert_eq!(StageProbability::wins_shown(2.05), 2.1);
        let mixed: f64 = 0.35 + 0.3; // 0.6499999999999999 in floats
        assert!(mixed < 0.65);
        assert_eq!(StageProbability::wins_shown(mixed), 0.7);
        assert_eq!(StageProbability::wins_shown(2.04), 2.0);
        assert_eq!(StageProbability::wins_shown(0.0), 0.0);
    }

    #[test]
    fn new_working_and_recycled_have_their_own_cadence() {
        let c = Cadence::default();
        assert_eq!(c.days_for(Status::New, None, None), 0);
        assert_eq!(c.days_for(Status::Working, None, None), 3);
        assert_eq!(c.days_for(Status::Lost, None, None), 30);
    }

    #[test]
    fn default_reasons_recycle_as_the_issue_says() {
        let p = Plan::default();
        assert_eq!(p.reason("budget").unwrap().recycle_days(), Some(90));
        assert_eq!(p.reason("competitor").unwrap().recycle_days(), Some(180));
        assert_eq!(p.reason("spam").unwrap().recycle_days(), None);
        let err = p.reason("bored").unwrap_err().to_string();
        assert!(err.contains("budget") && err.contains("spam"), "{err}");
    }

    #[test]
    fn value_tiers_are_largest_first_in_cents() {
        let p = Priority::default();
        assert_eq!(p.value_tiers()[0], (10_000_000, 15));
    }
}
