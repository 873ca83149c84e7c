//! The commands that change one lead: add, log, qualify, stage, snooze, lose/disqualify, win,
//! reactivate, edit, merge, delete and undelete. Each builds one typed operation (`ops::Op`),
//! as the app does, and runs it.

use anyhow::Result;

use super::args::{AddArgs, CloseArgs, EditArgs};
use super::{Ctx, describe_next, done, field, money, money_in, typed, when};
use crate::domain::lifecycle::{Contact, Qualification, Recycle};
use crate::domain::text::clean_line;
use crate::domain::time::parse_when;
use crate::domain::{ActivityKind, Class, Stage, Status, lead};
use crate::ops::{self, LeadEdit, Op};
use crate::record::LeadRecord;
use crate::store::{LeadRow, NewLead};

/// Run an operation on one lead.
fn run(ctx: &mut Ctx, op: Op) -> Result<LeadRow> {
    let now = ctx.now;
    Ok(ops::lead(ctx.store, op, &now)?)
}

pub(super) fn add(a: AddArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let (value, currency) = money_in(&a.value, &a.currency)?;
    let new = NewLead {
        name: typed(&a.name).unwrap_or_default(),
        company: field(&a.company),
        title: field(&a.title),
        email: field(&a.email),
        phone: field(&a.phone),
        source: field(&a.source),
        owner: field(&a.owner),
        tags: a.tags.iter().filter_map(|t| typed(t)).collect(),
        notes: a.note.as_deref().and_then(typed),
        value_cents: value,
        currency,
        received_at: when(&a.received, &now)?,
        ..NewLead::default()
    };
    if let Some(email) = &new.email
        && let Some((uid, status)) = ctx.store.find_by_email(email)?
    {
        let row = ctx.store.lead(&uid)?;
        eprintln!(
            "note: #{} {} has the same e-mail ({status})",
            row.number,
            clean_line(&row.lead.name)
        );
    }
    let row = run(ctx, Op::Add(new))?;
    let (number, uid) = (row.number, row.lead.uid.clone());
    if a.json {
        let row = ctx.store.lead(&uid)?;
        crate::io::json::write_compact(
            &mut *ctx.out,
            &LeadRecord::new(&row, &now, ctx.store.plan()),
        )?;
        writeln!(ctx.out)?;
    } else {
        writeln!(ctx.out, "{number}")?;
    }
    Ok(())
}

pub(super) fn log(
    id: &str,
    kind: &str,
    outcome: Option<String>,
    note: Option<String>,
    at: Option<String>,
    next: Option<String>,
    ctx: &mut Ctx,
) -> Result<()> {
    let now = ctx.now;
    let kind = ActivityKind::loggable(kind)?;
    if let Some(o) = outcome.as_deref().filter(|o| !lead::known_outcome(o)) {
        // Kept as written (a CRM's own words), but a typo would miss the retry.
        eprintln!(
            "ripen: outcome \"{}\" is not one ripen reads ({}); kept as written, and \
             followed up as if reached",
            clean_line(o),
            lead::OUTCOMES.join(", ")
        );
    }
    let contact = Contact {
        kind,
        outcome: field(&outcome),
        note: note.as_deref().and_then(typed),
        // When it happened: "friday", "1 oct" are the last ones.
        at: at
            .as_deref()
            .map(|w| crate::domain::time::parse_past(w, &now))
            .transpose()?,
        next: when(&next, &now)?,
    };
    let uid = ctx.store.resolve(id)?;
    let row = run(ctx, Op::Log { uid, contact })?;
    let next = describe_next(&row, &now);
    done(ctx, &row, &format!("logged {kind}{next}"))
}

pub(super) fn qualify(
    id: &str,
    class: &str,
    value: Option<String>,
    stage: Option<String>,
    ripe_on: Option<String>,
    ctx: &mut Ctx,
) -> Result<()> {
    let now = ctx.now;
    let q = Qualification {
        class: class.parse::<Class>()?,
        value_cents: money(&value)?,
        stage: stage.as_deref().map(str::parse::<Stage>).transpose()?,
        ripe_on: when(&ripe_on, &now)?,
    };
    let uid = ctx.store.resolve(id)?;
    let row = run(ctx, Op::Qualify { uid, q })?;
    let next = describe_next(&row, &now);
    done(ctx, &row, &format!("qualified{next}"))
}

pub(super) fn stage(id: &str, stage: &str, ctx: &mut Ctx) -> Result<()> {
    let stage: Stage = stage.parse()?;
    let uid = ctx.store.resolve(id)?;
    let row = run(ctx, Op::Stage { uid, stage })?;
    done(ctx, &row, &format!("stage {stage}"))
}

pub(super) fn snooze(id: &str, w: &str, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let uid = ctx.store.resolve(id)?;
    let at = parse_when(w, &now)?;
    let row = run(ctx, Op::Snooze { uid, until: at })?;
    let next = describe_next(&row, &now);
    done(ctx, &row, &format!("snoozed{next}"))
}

pub(super) fn win(id: &str, value: Option<String>, ctx: &mut Ctx) -> Result<()> {
    let v = money(&value)?;
    let uid = ctx.store.resolve(id)?;
    let row = run(
        ctx,
        Op::Win {
            uid,
            value_cents: v,
        },
    )?;
    done(ctx, &row, "won")
}

pub(super) fn reactivate(id: &str, ctx: &mut Ctx) -> Result<()> {
    let uid = ctx.store.resolve(id)?;
    let row = run(ctx, Op::Reactivate { uid })?;
    done(ctx, &row, "reactivated: back in the inbox, due today")
}

pub(super) fn merge(id: &str, into: &str, ctx: &mut Ctx) -> Result<()> {
    let gone = ctx.store.resolve(id)?;
    let kept = ctx.store.resolve(into)?;
    let gone_number = ctx.store.lead(&gone)?.number;
    let row = run(ctx, Op::Merge { gone, kept })?;
    done(
        ctx,
        &row,
        &format!("merged #{gone_number} into it (#{gone_number} is in the trash)"),
    )
}

pub(super) fn delete(id: &str, ctx: &mut Ctx) -> Result<()> {
    let uid = ctx.store.resolve(id)?;
    let row = run(ctx, Op::Delete { uid })?;
    done(
        ctx,
        &row,
        "moved to the trash (ripen undelete to take it back)",
    )
}

pub(super) fn undelete(id: &str, ctx: &mut Ctx) -> Result<()> {
    let look = crate::store::Lookup {
        trash_first: true,
        ..Default::default()
    };
    let uid = ctx.store.resolve_with(id, look)?;
    let row = run(ctx, Op::Undelete { uid })?;
    done(ctx, &row, "restored from the trash")
}

pub(super) fn close(a: CloseArgs, status: Status, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let recycle = if a.no_recycle {
        Recycle::Never
    } else if let Some(at) = when(&a.recycle_on, &now)? {
        Recycle::On(at)
    } else {
        Recycle::ByReason
    };
    let note = a.note.as_deref().and_then(typed);
    let uid = ctx.store.resolve(&a.id)?;
    let close = Op::Close {
        uid,
        status,
        reason: a.reason.clone(),
        note,
        recycle,
    };
    let row = run(ctx, close)?;
    let tail = match row.lead.recycle_on {
        Some(at) => format!("; recycle on {}", now.local_date(at).format("%a %d %b %Y")),
        None => "; never recycled".to_string(),
    };
    done(ctx, &row, &format!("{status} ({}){tail}", a.reason.trim()))
}

pub(super) fn edit(a: EditArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let (value, code) = money_in(&a.value, &a.currency)?;
    let currency = (a.currency.is_some() || code.is_some())
        .then(|| ctx.store.plan().kept_currency(code.as_deref()));
    let ripe_on = when(&a.ripe_on, &now)?;
    let recycle_on = when(&a.recycle_on, &now)?;
    let next = when(&a.next, &now)?;
    let text = |v: &Option<String>| v.as_ref().map(|v| typed(v));
    let edit = LeadEdit {
        name: a.name.as_deref().map(|n| typed(n).unwrap_or_default()),
        owner: a.owner.as_deref().and_then(typed),
        company: text(&a.company),
        title: text(&a.title),
        email: text(&a.email),
        phone: text(&a.phone),
        website: text(&a.website),
        city: text(&a.city),
        country: text(&a.country),
        source: text(&a.source),
        notes: text(&a.notes),
        tags: None,
        add_tags: a.add_tags.iter().filter_map(|t| typed(t)).collect(),
        remove_tags: a.remove_tags.clone(),
        value_cents: value,
        currency,
        ripe_on,
        recycle_on,
        next_follow_up: next,
    };
    let uid = ctx.store.resolve(&a.id)?;
    let row = run(ctx, Op::Edit { uid, edit })?;
    done(ctx, &row, "saved")
}
