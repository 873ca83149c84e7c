//! The forms behind the action keys: each built with defaults from the contact plan (so one key
//! and Enter does the common case), and saved through one domain transition in the store.

use chrono::{DateTime, Utc};

use super::{App, Tab};
use crate::domain::lead::{OUTCOMES, format_money};
use crate::domain::lifecycle::{self, Contact, Qualification, Recycle};
use crate::domain::money::Named;
use crate::domain::text::clean_field;
use crate::domain::time::parse_when;
use crate::domain::{ActivityKind, Class, DomainError, Stage, Status};
use crate::io::values::split_tags;
use crate::ops::{self, Op};
use crate::store::{LeadRow, NewLead, Store, StoreError};
use crate::tui::form::{Field, Form, FormKind, Linked};
use crate::tui::keymap::Command;

impl App {
    pub(super) fn add_form(&self) -> Form {
        Form::new(
            FormKind::Add,
            "Add lead".into(),
            None,
            vec![
                Field::text("name", "", "required"),
                Field::text("company", "", ""),
                Field::text("email", "", ""),
                Field::text("phone", "", ""),
                Field::text("source", "", "e.g. Webinar Oct"),
            ],
        )
    }

    /// Merge the selected lead into another: by number or words, prefilled with the lead it looks like a
    /// duplicate of (`found`: its number, name and why).
    pub(super) fn merge_form(&self, row: &LeadRow, found: Option<(i64, String, &str)>) -> Form {
        let (value, hint) = match found {
            Some((n, name, why)) => (n.to_string(), format!("{name}, {why}")),
            None => (
                String::new(),
                "the number or name of the lead to keep".to_string(),
            ),
        };
        Form::new(
            FormKind::Merge,
            format!("Merge #{} {} into", row.number, row.lead.name),
            Some(row.lead.uid.clone()),
            vec![Field::text("lead #", &value, hint)],
        )
    }

    pub(super) fn lead_form(&self, c: Command, row: &LeadRow) -> Result<Form, String> {
        let l = &row.lead;
        let name = l.name.clone();
        let uid = Some(l.uid.clone());
        let cur = &self.plan.symbol_of(l.currency.as_deref());
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let date = |d: Option<DateTime<Utc>>| {
            d.map(|d| self.now.local_date(d).format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let money = |v: Option<i64>| {
            v.map(|c| format_money(c, "").replace(',', ""))
                .unwrap_or_default()
        };
        Ok(match c {
            Command::Edit => Form::new(
                FormKind::Edit,
                format!("Edit · {name}"),
                uid,
                vec![
                    Field::text("name", &l.name, ""),
                    Field::text("company", &opt(&l.company), ""),
                    Field::text("title", &opt(&l.title), ""),
                    Field::text("email", &opt(&l.email), ""),
                    Field::text("phone", &opt(&l.phone), ""),
                    Field::text("website", &opt(&l.website), ""),
                    Field::text("source", &opt(&l.source), ""),
                    Field::text("city", &opt(&l.city), ""),
                    Field::text("country", &opt(&l.country), ""),
                    Field::text("owner", &l.owner, ""),
                    Field::text("tags", &l.tags.join(", "), "comma between tags"),
                ],
            ),
            Command::Log => {
                if l.status == Status::Won {
                    return Err(format!("{name} is won; nothing to follow up"));
                }
                // The cadence after this contact: a new lead becomes working first.
                let mut after = l.clone();
                if after.status == Status::New {
                    after.status = Status::Working;
                }
                // Each outcome prefills its next follow-up: the cadence, or a retry sooner
                // when the person was not reached.
                let next_after = |outcome: Option<&str>| {
                    let c = &self.plan.cadence;
                    let days = c.days_after(after.status, after.class, after.stage, outcome);
                    let mut why = c.explain_after(after.status, after.class, after.stage, outcome);
                    let at = lifecycle::next_after_contact(
                        &after,
                        self.now.utc,
                        outcome,
                        &self.now,
                        &self.plan,
                    );
                    // The cadence's day, or the work day it moved on to.
                    let shown = (self.now.local_date(at) - self.now.today()).num_days();
                    if shown != days {
                        why.push_str(", on a work day");
                    }
                    (
                        format!("+{shown}d"),
                        format!("{} · {why}", self.now.local_date(at).format("%a %d %b")),
                    )
                };
                let kinds = ActivityKind::CONTACTS
                    .iter()
                    .map(|k| k.as_str().to_string())
                    .chain(["note".to_string()])
                    .collect();
                let outcomes: Vec<String> = OUTCOMES
                    .iter()
                    .map(|o| o.to_string())
                    .chain(["–".to_string()])
                    .collect();
                let values = outcomes
                    .iter()
                    .map(|o| {
                        let (next, hint) = next_after(Some(o.as_str()).filter(|o| *o != "–"));
                        (o.clone(), next, hint)
                    })
                    .collect();
                let (next, hint) = next_after(Some("reached"));
                let mut f = Form::new(
                    FormKind::Log,
                    format!("Log contact · {name}"),
                    uid,
                    vec![
                        Field::choice("kind", kinds, "call"),
                        Field::choice("outcome", outcomes, "reached"),
                        Field::text("note", "", ""),
                        Field::text("next", &next, hint).replaced_on_type().dated(),
                    ],
                );
                f.linked = Some(Linked {
                    choice: "outcome",
                    field: "next",
                    values,
                });
                f
            }
            Command::Snooze => {
                let options = ["+1d", "+3d", "+1w", "+1m"].map(String::from).to_vec();
                Form::new(
                    FormKind::Snooze,
                    format!("Snooze · {name}"),
                    uid,
                    vec![
                        Field::choice("until", options, "+1d").typed_into("or date"),
                        Field::text("or date", "", "2027-01-07, fri, +10d").dated(),
                    ],
                )
            }
            Command::Qualify => {
                if !l.status.is_active() {
                    return Err(format!(
                        "{name} is {}; reactivate it first",
                        l.status.as_str()
                    ));
                }
                let classes = Class::ALL.iter().map(|c| c.as_str().to_string()).collect();
                let stages = Stage::ALL.iter().map(|s| s.as_str().to_string()).collect();
                Form::new(
                    FormKind::Qualify,
                    format!("Qualify · {name}"),
                    uid,
                    vec![
                        Field::choice("class", classes, l.class.map(|c| c.as_str()).unwrap_or("B")),
                        Field::text("value", &money(l.value_cents), format!("{cur}, 8k, 12.500"))
                            .replaced_on_type(),
                        Field::choice(
                            "stage",
                            stages,
                            l.stage.map(|s| s.as_str()).unwrap_or("green"),
                        ),
                        Field::text("ripe on", &date(l.ripe_on), "april, 2027-04, +3m")
                            .replaced_on_type()
                            .dated(),
                    ],
                )
            }
            Command::Lose => {
                let status = match l.status {
                    Status::Open => Status::Lost,
                    Status::New | Status::Working => Status::Disqualified,
                    s => return Err(format!("{name} is {}; nothing to close", s.as_str())),
                };
                let reasons: Vec<String> = self.plan.reasons.keys().cloned().collect();
                const HINT: &str = "date, or never";
                let reason_dates: Vec<(String, String, String)> = self
                    .plan
                    .reasons
                    .iter()
                    .map(|(k, r)| {
                        let d = match r.recycle_days() {
                            Some(d) => {
                                date(Some(lifecycle::recycle_date(d, &self.now, &self.plan)))
                            }
                            None => "never".to_string(),
                        };
                        (k.clone(), d, HINT.to_string())
                    })
                    .collect();
                let first = if status == Status::Lost {
                    "competitor"
                } else {
                    "not-a-fit"
                };
                let first = if reasons.iter().any(|r| r == first) {
                    first.to_string()
                } else {
                    reasons.first().cloned().unwrap_or_default()
                };
                let recycle = reason_dates
                    .iter()
                    .find(|(k, _, _)| *k == first)
                    .map(|(_, d, _)| d.clone())
                    .unwrap_or_default();
                let verb = if status == Status::Lost {
                    "Lose"
                } else {
                    "Disqualify"
                };
                let mut f = Form::new(
                    FormKind::Close(status),
                    format!("{verb} · {name}"),
                    uid,
                    vec![
                        Field::choice("reason", reasons, &first),
                        Field::text("note", "", ""),
                        Field::text("recycle", &recycle, HINT)
                            .replaced_on_type()
                            .dated(),
                    ],
                );
                f.linked = Some(Linked {
                    choice: "reason",
                    field: "recycle",
                    values: reason_dates,
                });
                f
            }
            Command::Win => {
                if !l.status.is_active() {
                    return Err(format!("{name} is {}; cannot win it", l.status.as_str()));
                }
                Form::new(
                    FormKind::Win,
                    format!("Win · {name}"),
                    uid,
                    vec![
                        Field::text("value", &money(l.value_cents), cur.clone()).replaced_on_type(),
                    ],
                )
            }
            _ => return Err("no form for this command".into()),
        })
    }

    /// Save the open form: on success close it and refresh; on error keep it with the message.
    pub(super) fn submit(&mut self, store: &mut Store) {
        let Some(form) = self.form().cloned() else {
            return;
        };
        if matches!(form.kind, FormKind::Import | FormKind::Export) {
            self.submit_transfer(&form, store);
            return;
        }
        if form.kind == FormKind::Assign {
            self.submit_assign(&form, store);
            return;
        }
        match self.save(&form, store) {
            Ok((uid, words)) => {
                self.overlay = None;
                self.say(words);
                if form.kind == FormKind::Add {
                    self.tab = Tab::Inbox;
                    self.inbox.window.selected = usize::MAX / 2;
                }
                self.refresh_or_report(store, Some(&uid));
            }
            Err(msg) => {
                if let Some(f) = self.form_mut() {
                    f.error = Some(msg);
                }
            }
        }
    }

    fn save(&self, form: &Form, store: &mut Store) -> Result<(String, String), String> {
        let now = self.now;
        let e = |e: StoreError| e.to_string();
        let d = |e: DomainError| e.to_string();
        let text = |label: &str| clean_field(&form.value(label), false);
        let when = |label: &str| -> Result<Option<DateTime<Utc>>, String> {
            match text(label) {
                None => Ok(None),
                Some(s) => parse_when(&s, &now).map(Some).map_err(d),
            }
        };
        // An amount and the currency it names in this book, if any (`$5k` in a euro book).
        let plan = self.plan.clone();
        let money = |label: &str| -> Result<(Option<i64>, Named), String> {
            match text(label) {
                None => Ok((None, None)),
                Some(s) => plan.amount(&s).map(|(c, n)| (Some(c), n)).map_err(d),
            }
        };
        // Whether the user typed in a field rather than leaving it as prefilled.
        let typed = |label: &str| form.changed(label).is_some();
        if form.kind == FormKind::Add {
            let name = text("name").ok_or("a lead needs a name")?;
            let new = NewLead {
                name: name.clone(),
                company: text("company"),
                email: text("email"),
                phone: text("phone"),
                source: text("source"),
                ..NewLead::default()
            };
            let (number, uid) = match ops::run(store, Op::Add(new), &now) {
                Ok(ops::Done::Added { number, uid }) => (number, uid),
                Ok(_) => return Err("unreachable".into()),
                Err(err) => return Err(err.to_string()),
            };
            let mut said = format!("added #{number} · {name}");
            // As the CLI says it: the lead may already be in the book (M merges it).
            let added = store.lead(&uid).map_err(e)?.lead;
            if let Some((n, other, why)) = store.duplicate_of(&added).map_err(e)? {
                said.push_str(&format!(
                    " · looks like #{n} {other} ({why}): {} merges",
                    self.label(Command::Merge)
                ));
            }
            return Ok((uid, said));
        }
        let uid = form.lead.clone().ok_or("no lead")?;
        if form.kind == FormKind::Merge {
            let into = text("lead #").ok_or("which lead? type its number or name")?;
            // Duplicates share names: the words name the other one.
            let look = crate::store::Lookup {
                except: Some(&uid),
                ..Default::default()
            };
            let kept = store.resolve_with(&into, look).map_err(e)?;
            let gone = store.lead(&uid).map_err(e)?.number;
            let merge = Op::Merge {
                gone: uid.clone(),
                kept: kept.clone(),
            };
            let row = ops::lead(store, merge, &now).map_err(e)?;
            // The cursor follows the lead that stays.
            return Ok((
                kept,
                format!("merged #{gone} into #{} · {}", row.number, row.lead.name),
            ));
        }
        let (row, words) = match form.kind {
            FormKind::Add
            | FormKind::Import
            | FormKind::Export
            | FormKind::Merge
            | FormKind::Assign => {
                return Err("unreachable".into());
            }
            FormKind::Edit => {
                // Only fields the user changed are written: a prefilled value was cleaned for
                // display and must not overwrite the stored one.
                let changed = |label: &str| form.changed(label).map(|v| clean_field(&v, false));
                if let Some(None) = changed("name") {
                    return Err("a lead needs a name".into());
                }
                if let Some(None) = changed("owner") {
                    return Err("a lead needs an owner".into());
                }
                let edit = ops::LeadEdit {
                    name: changed("name").flatten(),
                    owner: changed("owner").flatten(),
                    // Split as an import splits a tags cell.
                    tags: changed("tags").map(|t| t.as_deref().map(split_tags).unwrap_or_default()),
                    company: changed("company"),
                    title: changed("title"),
                    email: changed("email"),
                    phone: changed("phone"),
                    website: changed("website"),
                    source: changed("source"),
                    city: changed("city"),
                    country: changed("country"),
                    ..ops::LeadEdit::default()
                };
                let edit = Op::Edit {
                    uid: uid.clone(),
                    edit,
                };
                let row = ops::lead(store, edit, &now).map_err(e)?;
                (row, "saved".to_string())
            }
            FormKind::Log => {
                let kind = ActivityKind::loggable(&form.value("kind")).map_err(d)?;
                let outcome = Some(form.value("outcome")).filter(|o| o != "–");
                let contact = Contact {
                    kind,
                    outcome: if kind == ActivityKind::Note {
                        None
                    } else {
                        outcome
                    },
                    note: clean_field(&form.value("note"), false),
                    at: None,
                    // The prefilled follow-up is the cadence after a contact: a note moves the
                    // follow-up only when the user typed one.
                    next: if kind == ActivityKind::Note && !typed("next") {
                        None
                    } else {
                        when("next")?
                    },
                };
                let log = Op::Log {
                    uid: uid.clone(),
                    contact,
                };
                let row = ops::lead(store, log, &now).map_err(e)?;
                (row, format!("logged {}", kind.as_str()))
            }
            FormKind::Snooze => {
                let at = match when("or date")? {
                    Some(at) => at,
                    None => parse_when(&form.value("until"), &now).map_err(d)?,
                };
                let snooze = Op::Snooze {
                    uid: uid.clone(),
                    until: at,
                };
                let row = ops::lead(store, snooze, &now).map_err(e)?;
                (row, "snoozed".to_string())
            }
            FormKind::Qualify => {
                // A value or date left as prefilled (from the lead) is kept as the lead has it:
                // the date's text has no time of day, which re-reading would lose.
                let (value, currency) = if typed("value") {
                    money("value")?
                } else {
                    (None, None)
                };
                let q = Qualification {
                    class: form.value("class").parse().map_err(d)?,
                    value_cents: value,
                    stage: Some(form.value("stage").parse().map_err(d)?),
                    ripe_on: if typed("ripe on") {
                        when("ripe on")?
                    } else {
                        None
                    },
                };
                let qualify = Op::Qualify {
                    uid: uid.clone(),
                    q,
                    currency,
                };
                let row = ops::lead(store, qualify, &now).map_err(e)?;
                (row, "qualified".to_string())
            }
            FormKind::Close(status) => {
                let reason = form.value("reason");
                let note = clean_field(&form.value("note"), false);
                let recycle = match text("recycle").as_deref() {
                    None => Recycle::ByReason,
                    Some(s) if s.eq_ignore_ascii_case("never") => Recycle::Never,
                    Some(s) => Recycle::On(parse_when(s, &now).map_err(d)?),
                };
                let close = Op::Close {
                    uid: uid.clone(),
                    status,
                    reason: reason.clone(),
                    note,
                    recycle,
                };
                let row = ops::lead(store, close, &now).map_err(e)?;
                (row, format!("{} ({reason})", status.as_str()))
            }
            FormKind::Win => {
                let (v, currency) = money("value")?;
                let win = Op::Win {
                    uid: uid.clone(),
                    value_cents: v,
                    currency,
                };
                let row = ops::lead(store, win, &now).map_err(e)?;
                (row, "won".to_string())
            }
        };
        let day = |at: DateTime<Utc>| now.local_date(at).format("%a %d %b").to_string();
        let next = match row.lead.next_follow_up {
            Some(at) if row.lead.status.is_active() => format!(" · next {}", day(at)),
            // A touch logged on a recycled lead (from Follow-ups or Recycled) sets its next.
            Some(at) if crate::domain::priority::recycled_touch(&row.lead) => {
                format!(" · next touch {}", day(at))
            }
            _ => String::new(),
        };
        Ok((uid, format!("{words} · {}{next}", row.lead.name)))
    }
}
