//! `ripen list` and `ripen trash`: which leads a view and its narrowing select, as a table or
//! JSON records.

use anyhow::{Context, Result, bail};

use super::Ctx;
use super::args::{ListArgs, ListView, Narrowing};
use super::table::Table;
use crate::domain::Now;
use crate::domain::lead::Whose;
use crate::ops::{self, Done, Op};
use crate::record::LeadRecord;
use crate::store::{Filter, LeadRow, OwnerSet, Store, View};

/// The owners `--owner` names (me, all, or a name however typed), as a filter's owners; None
/// (everyone's) without it or for all.
pub(super) fn owners(owner: Option<&str>, store: &Store) -> Result<Option<OwnerSet>> {
    match owner {
        None => Ok(None),
        Some(typed) => Ok(store.owners_of(&Whose::parse(typed)?)?),
    }
}

/// The view and filter a `list` or `export` selects.
pub(super) fn selection(
    view: ListView,
    n: Narrowing,
    now: &Now,
    store: &Store,
) -> Result<(View, Filter)> {
    let due_until = match n.due.as_deref() {
        None => None,
        Some(w) => Some(
            View::queue_until(w, now)
                .with_context(|| format!("bad --due \"{w}\" (known: today, overdue, week)"))?,
        ),
    };
    let view = match (view, due_until) {
        (ListView::Queue, until) => View::Queue {
            until: until.unwrap_or_else(|| now.start_of_tomorrow()),
        },
        (ListView::Recycled, Some(until)) => View::RecycledDue { until },
        (_, Some(_)) => bail!("--due applies to the queue and recycled views"),
        (ListView::Inbox, None) => View::Inbox,
        (ListView::Pipeline, None) => View::Pipeline,
        (ListView::Recycled, None) => View::Recycled,
        (ListView::Won, None) => View::Won,
        (ListView::Lost, None) => View::Lost,
        (ListView::All, None) => View::All,
    };
    let filter = Filter {
        owners: owners(n.owner.as_deref(), store)?,
        source: n.source,
        tag: n.tag,
        text: n.search,
    };
    Ok((view, filter))
}

pub(super) fn list(a: ListArgs, ctx: &mut Ctx) -> Result<()> {
    let (view, filter) = selection(a.view, a.narrow, &ctx.now, ctx.store)?;
    let rows = ctx
        .store
        .list(&view, &filter, 0, a.limit.unwrap_or(usize::MAX))?;
    print_rows(&rows, a.json, ctx)
}

fn print_rows(rows: &[LeadRow], json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let plan = ctx.store.plan().clone();
    if json {
        let recs: Vec<LeadRecord> = rows
            .iter()
            .map(|r| LeadRecord::new(r, &now, &plan))
            .collect();
        crate::io::json::write_pretty(&mut *ctx.out, &recs)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    let mut t = Table::new(&[
        ("#", true, 8),
        ("pri", true, 6),
        ("name", false, 24),
        ("company", false, 20),
        ("status", false, 12),
        ("class", false, 5),
        ("stage", false, 11),
        ("value", true, 12),
        ("next", false, 10),
        ("why", false, 64),
    ]);
    for r in rows {
        let l = &r.lead;
        // What the table shows of a `LeadRecord`, without building the whole record.
        let score = crate::domain::priority::score(l, &now, &plan).total;
        let why = crate::domain::priority::why(l, &r.touches, &now, &plan);
        t.row(vec![
            r.number.to_string(),
            format!("{:.0}", crate::record::whole_priority(score)),
            l.name.clone(),
            l.company.clone().unwrap_or_default(),
            l.status.to_string(),
            l.class.map(|c| c.to_string()).unwrap_or_else(|| "–".into()),
            l.stage.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
            l.value_cents
                .map(|v| plan.money(v, l.currency.as_deref()))
                .unwrap_or_default(),
            l.next_follow_up
                .map(|d| now.local_date(d).format("%d %b").to_string())
                .unwrap_or_else(|| "–".into()),
            why.join(", "),
        ]);
    }
    if t.is_empty() {
        writeln!(ctx.out, "no leads")?;
    } else {
        t.write(ctx.out)?;
    }
    Ok(())
}

pub(super) fn trash(empty: bool, json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    if empty {
        let Done::Purged(n) = ops::run(ctx.store, Op::EmptyTrash, &now)? else {
            anyhow::bail!("the trash was not emptied");
        };
        writeln!(ctx.out, "purged {n} lead(s) from the trash")?;
        Ok(())
    } else {
        let rows = ctx
            .store
            .list(&View::Trash, &Filter::default(), 0, usize::MAX)?;
        print_rows(&rows, json, ctx)
    }
}
