//! A realistic, deterministic demo book relative to `now`: every lead lives its life through the
//! same lifecycle transitions a rep would make, so timelines, flags and reports look real.
//! The same seed and `now` give the same book; it scales to a million leads in one transaction.

use anyhow::Result;
use chrono::{Duration, Utc};

use crate::domain::lead::Lead;
use crate::domain::lifecycle::{self, Change, Contact, Entry, Qualification, Recycle};
use crate::domain::{ActivityKind, Class, Now, Plan, Stage, Status};
use crate::store::Store;

const FIRST: &[&str] = &[
    "Jane", "Bob", "Li", "Ana", "Omar", "Cy", "Ann", "Priya", "Lukas", "Sofia", "Mateo", "Hana",
    "Noah", "Emma", "Yusuf", "Chloé", "Jürgen", "Aiko", "Tomás", "Ingrid", "Kwame", "Lea", "Ravi",
    "Marta", "Felix", "Zoe", "Hugo", "Nina", "Arjun", "Elif", "Pablo", "Greta", "Sven", "Mia",
];
const LAST: &[&str] = &[
    "Doe", "Stone", "Wei", "Ruiz", "Ali", "Late", "Early", "Nair", "Becker", "Rossi", "García",
    "Sato", "Müller", "Okafor", "Novak", "Larsen", "Dubois", "Kowalski", "Silva", "Haddad",
    "Fischer", "Tanaka", "Olsen", "Moreau", "Costa", "Yilmaz", "Weber", "Ivanova", "Brennan",
];
const COMPANIES: &[&str] = &[
    "Acme GmbH",
    "Globex",
    "Initech",
    "Hooli",
    "Wayne Enterprises",
    "Stark Industries",
    "Tyrell",
    "Wonka",
    "Soylent",
    "Umbrella",
    "Kestrel",
    "Gamma SA",
    "Beta GmbH",
    "Alpha Ltd",
    "Vandelay",
    "Cyberdyne",
    "Aperture",
    "Oscorp",
    "Massive Dynamic",
    "Pied Piper",
    "Dunder Mifflin",
    "Sterling Cooper",
    "Monarch",
    "Nakatomi",
    "Prestige",
    "Gringotts",
    "Blue Sun",
    "Virtucon",
];
const SOURCES: &[&str] = &[
    "Website",
    "Webinar Oct",
    "Trade show",
    "Referral",
    "LinkedIn",
    "Cold list",
    "Partner",
];
const NOTES: &[&str] = &[
    "wants a demo",
    "budget in Q2",
    "asked for pricing",
    "call back after the holidays",
    "sent revised quote",
    "CFO joins next call",
    "comparing with a competitor",
    "needs sign-off from IT",
];

/// A small, fast, seeded generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A lead living its life: each step moves `at` forward and records entries.
struct Life<'a> {
    lead: Lead,
    entries: Vec<Entry>,
    plan: &'a Plan,
    now: Now,
}

impl Life<'_> {
    fn at(&self, t: chrono::DateTime<Utc>) -> Now {
        self.now.at(t)
    }
    fn step(&mut self, c: Result<Change, crate::domain::DomainError>) {
        if let Ok(c) = c {
            self.lead = c.lead;
            self.entries.extend(c.entries);
        }
    }
    fn contact(&mut self, t: chrono::DateTime<Utc>, rng: &mut Rng) {
        let kind = [
            ActivityKind::Call,
            ActivityKind::Call,
            ActivityKind::Email,
            ActivityKind::Meeting,
            ActivityKind::Message,
        ][rng.below(5) as usize];
        let outcome = match kind {
            ActivityKind::Call => rng.pick(&["reached", "no-answer", "voicemail", "reached"]),
            ActivityKind::Email => rng.pick(&["sent", "replied"]),
            ActivityKind::Meeting => "meeting-booked",
            _ => "replied",
        };
        let note = rng.chance(50).then(|| rng.pick(NOTES).to_string());
        let now = self.at(t);
        let c = lifecycle::log_contact(
            &self.lead,
            Contact {
                kind,
                outcome: Some(outcome.into()),
                note,
                at: Some(t),
                next: None,
            },
            &now,
            self.plan,
        );
        self.step(c);
    }
}

/// Most active leads are kept up: a recent contact puts the next follow-up ahead (60%) or
/// today (20%); the rest are left alone and go overdue, rotting or stale.
fn keep_up(life: &mut Life, last: chrono::DateTime<Utc>, now: &Now, rng: &mut Rng) {
    let fate = rng.below(100);
    if fate >= 80 {
        return;
    }
    let cadence = life
        .plan
        .cadence
        .days_for(life.lead.status, life.lead.class, life.lead.stage)
        .max(1);
    let at = if fate < 60 {
        now.utc - Duration::hours(rng.range(1, cadence * 24 - 1).max(1))
    } else {
        now.start_of_today() + Duration::hours(rng.range(0, 9)) - Duration::days(cadence)
    };
    if at > last && at < now.utc {
        life.contact(at, rng);
    }
}

/// Build demo lead number `i` of the book.
fn demo_lead(i: usize, rng: &mut Rng, now: &Now, plan: &Plan, owners: &[String]) -> Change {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let company = rng.pick(COMPANIES);
    let roll = rng.below(100);
    // Ages in hours since receipt, by fate.
    let age_h = match roll {
        0..12 => rng.range(1, 72),
        12..30 => rng.range(72, 24 * 40),
        30..65 => rng.range(24 * 10, 24 * 220),
        _ => rng.range(24 * 30, 24 * 400),
    };
    let received = now.utc - Duration::hours(age_h) - Duration::minutes(rng.range(0, 60));
    let owner = owners[if rng.chance(70) {
        0
    } else {
        rng.below(owners.len() as u64) as usize
    }]
    .clone();
    let mut lead = Lead::received(
        uuid::Uuid::now_v7().to_string(),
        format!("{first} {last}"),
        owner,
        received,
    );
    lead.company = Some(company.to_string());
    let domain: String = company
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    lead.email = Some(format!(
        "{}.{}{}@{domain}.example",
        first.to_lowercase(),
        last.to_lowercase(),
        if i >= 1000 {
            format!("{i}")
        } else {
            String::new()
        }
    ));
    lead.phone = Some(format!("+49 30 {:07}", rng.below(10_000_000)));
    lead.source = Some(rng.pick(SOURCES).to_string());
    if rng.chance(30) {
        lead.tags = vec![
            rng.pick(&["saas", "enterprise", "smb", "public", "eu"])
                .to_string(),
        ];
    }
    let received_change = lifecycle::receive(lead, plan, now);
    let mut life = Life {
        lead: received_change.lead,
        entries: received_change.entries,
        plan,
        now: *now,
    };
    if roll < 12 {
        return Change {
            lead: life.lead,
            entries: life.entries,
        };
    }
    // First contact within a few hours to a few days.
    let mut t = received + Duration::hours(rng.range(1, 80));
    life.contact(t, rng);
    let contacts = rng.range(0, 3);
    for _ in 0..contacts {
        let nt = t + Duration::days(rng.range(1, 6));
        if nt >= now.utc {
            break;
        }
        t = nt;
        life.contact(t, rng);
    }
    if roll < 30 {
        keep_up(&mut life, t, now, rng);
        return Change {
            lead: life.lead,
            entries: life.entries,
        };
    }
    if roll >= 90 {
        // Disqualified from the inbox.
        let reason = rng.pick(&["not-a-fit", "budget", "timing", "no-response", "spam"]);
        let at = (t + Duration::days(rng.range(1, 10))).min(now.utc);
        let c = lifecycle::close_out(
            &life.lead,
            Status::Disqualified,
            reason,
            None,
            Recycle::ByReason,
            &life.at(at),
            plan,
        );
        life.step(c);
        return Change {
            lead: life.lead,
            entries: life.entries,
        };
    }
    // Qualified.
    let class = [Class::A, Class::B, Class::B, Class::C][rng.below(4) as usize];
    let value = rng.range(20, 600) * 10_000 * if class == Class::A { 2 } else { 1 };
    let stage = Stage::ALL[rng.below(5) as usize];
    t = (t + Duration::hours(rng.range(1, 72))).min(now.utc);
    let ripe_on = now.utc + Duration::days(rng.range(-30, 200));
    let c = lifecycle::qualify(
        &life.lead,
        Qualification {
            class,
            value_cents: Some(value),
            stage: Some(Stage::Green),
            ripe_on: Some(ripe_on),
        },
        &life.at(t),
        plan,
    );
    life.step(c);
    for s in Stage::ALL.iter().skip(1).take(stage.rank()) {
        t += Duration::days(rng.range(1, 12));
        if t >= now.utc {
            break;
        }
        let c = lifecycle::set_stage(&life.lead, *s, &life.at(t), plan);
        life.step(c);
        if rng.chance(70) {
            life.contact(t + Duration::hours(2), rng);
        }
    }
    if roll < 65 {
        keep_up(&mut life, t, now, rng);
        return Change {
            lead: life.lead,
            entries: life.entries,
        };
    }
    let at = (t + Duration::days(rng.range(2, 40))).min(now.utc - Duration::hours(1));
    if roll < 78 {
        let c = lifecycle::win(&life.lead, None, &life.at(at), plan);
        life.step(c);
    } else {
        let reason = rng.pick(&[
            "budget",
            "timing",
            "competitor",
            "requirements",
            "no-response",
        ]);
        let note = (reason == "competitor").then(|| "price".to_string());
        let c = lifecycle::close_out(
            &life.lead,
            Status::Lost,
            reason,
            note,
            Recycle::ByReason,
            &life.at(at),
            plan,
        );
        life.step(c);
    }
    Change {
        lead: life.lead,
        entries: life.entries,
    }
}

/// Add `n` demo leads to the book in one transaction; returns how many.
pub fn fill(store: &mut Store, n: usize, seed: u64, now: &Now) -> Result<usize> {
    let plan = store.plan().clone();
    let owners = vec![plan.user.clone(), "Alex".to_string(), "Kim".to_string()];
    let mut rng = Rng(seed);
    let p = plan.clone();
    let changes = (0..n).map(move |i| demo_lead(i, &mut rng, now, &p, &owners));
    Ok(store.insert_changes(changes, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng(8).next(), xs[0]);
    }
}
