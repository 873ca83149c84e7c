//! `ripen source set|list|rename`: what each source cost, which sources the book knows, and
//! one spelling for a source throughout the book; `ripen owner list|rename` and `ripen assign`:
//! the book's owners, one spelling for each, and handing leads over.

use anyhow::{Context, Result, bail};

use super::args::{OwnerCommand, SourceCommand};
use super::table::Table;
use super::{Ctx, typed};
use crate::domain::lead;
use crate::domain::text::clean_line;
use crate::ops::{self, Done, Op};

/// Run one `ripen source` command.
pub(super) fn run(cmd: SourceCommand, ctx: &mut Ctx) -> Result<()> {
    match cmd {
        SourceCommand::Set { name, cost, add } => set(&name, &cost, add, ctx),
        SourceCommand::List { json } => list(json, ctx),
        SourceCommand::Rename { from, to } => rename(&from, &to, ctx),
    }
}

fn set(name: &str, cost: &str, add: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let cents = lead::parse_money(cost)?;
    let name = typed(name).context("a source needs a name")?;
    let op = Op::SetSourceCost {
        source: name,
        cents,
        add,
    };
    let Done::SourceCost(set) = ops::run(ctx.store, op, &now)? else {
        bail!("the source's cost was not set");
    };
    let currency = ctx.store.plan().currency.clone();
    let money = |c: i64| lead::format_money(c, &currency);
    write!(
        ctx.out,
        "{}: cost {}",
        clean_line(&set.source),
        money(set.cost)
    )?;
    match set.before {
        Some(b) if add => write!(ctx.out, " ({} + {})", money(b), money(cents))?,
        // The whole cost replaced: say what it was, so that a month's spend typed
        // without --add is seen to have replaced the total.
        Some(b) if b != set.cost => write!(ctx.out, " (was {}; --add adds to it)", money(b))?,
        _ => {}
    }
    writeln!(ctx.out)?;
    if !set.used {
        // Kept for leads to come, but most likely a typo: say which sources there are.
        eprintln!(
            "ripen: no lead has the source \"{}\" yet; `ripen source list` lists the \
             book's sources",
            clean_line(&set.source)
        );
    }
    Ok(())
}

fn list(json: bool, ctx: &mut Ctx) -> Result<()> {
    let rows = ctx.store.sources()?;
    if json {
        crate::io::json::write_pretty(&mut *ctx.out, &rows)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(ctx.out, "no sources yet")?;
        return Ok(());
    }
    let currency = &ctx.store.plan().currency;
    let mut t = Table::new(&[
        ("source", false, 40),
        ("leads", true, 9),
        ("cost", true, 16),
    ]);
    for r in rows {
        t.row(vec![
            r.source,
            r.leads.to_string(),
            r.cost
                .map(|c| lead::format_money(crate::report::display::cents(c), currency))
                .unwrap_or_default(),
        ]);
    }
    t.write(&mut *ctx.out)?;
    Ok(())
}

/// What a rename did, in a line: `"webinar oct", "Webinar  Oct" → "Webinar Oct": 12 leads`.
fn renamed(from: &[String], to: &str, leads: usize) -> String {
    let from: Vec<String> = from
        .iter()
        .map(|s| format!("\"{}\"", clean_line(s)))
        .collect();
    format!(
        "{} → \"{}\": {} lead{}",
        from.join(", "),
        clean_line(to),
        leads,
        if leads == 1 { "" } else { "s" }
    )
}

fn rename(from: &str, to: &str, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let op = Op::RenameSource {
        from: from.to_string(),
        to: to.to_string(),
    };
    let Done::Renamed(r) = ops::run(ctx.store, op, &now)? else {
        bail!("the source was not renamed");
    };
    if r.from.is_empty() {
        writeln!(ctx.out, "{}: already spelled so", clean_line(&r.to))?;
        return Ok(());
    }
    write!(ctx.out, "{}", renamed(&r.from, &r.to, r.leads))?;
    if let Some(c) = r.joined_cost {
        write!(
            ctx.out,
            ", cost {} (the costs added up)",
            lead::format_money(c, &ctx.store.plan().currency)
        )?;
    }
    writeln!(ctx.out)?;
    Ok(())
}

/// Run one `ripen owner` command.
pub(super) fn owners(cmd: OwnerCommand, ctx: &mut Ctx) -> Result<()> {
    match cmd {
        OwnerCommand::List { json } => owner_list(json, ctx),
        OwnerCommand::Rename { from, to } => rename_owner(&from, &to, ctx),
    }
}

fn owner_list(json: bool, ctx: &mut Ctx) -> Result<()> {
    let rows = ctx.store.owner_list(&ctx.now)?;
    if json {
        crate::io::json::write_pretty(&mut *ctx.out, &rows)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(ctx.out, "no leads yet")?;
        return Ok(());
    }
    let mut t = Table::new(&[
        ("owner", false, 40),
        ("leads", true, 9),
        ("due today", true, 10),
        ("overdue", true, 9),
    ]);
    let me = lead::owner_key(ctx.store.me());
    for r in rows {
        let name = if r.unassigned {
            "(unassigned)".to_string()
        } else if lead::owner_key(&r.owner) == me {
            format!("{} (me)", clean_line(&r.owner))
        } else {
            clean_line(&r.owner).into_owned()
        };
        t.row(vec![
            name,
            r.leads.to_string(),
            r.due_today.to_string(),
            r.overdue.to_string(),
        ]);
    }
    t.write(&mut *ctx.out)?;
    Ok(())
}

fn rename_owner(from: &str, to: &str, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let op = Op::RenameOwner {
        from: from.to_string(),
        to: to.to_string(),
    };
    let Done::OwnerRenamed(r) = ops::run(ctx.store, op, &now)? else {
        bail!("the owner was not renamed");
    };
    if r.from.is_empty() {
        writeln!(ctx.out, "{}: already spelled so", clean_line(&r.to))?;
        return Ok(());
    }
    writeln!(ctx.out, "{}", renamed(&r.from, &r.to, r.leads))?;
    Ok(())
}

/// `ripen assign ID… OWNER`: every ID resolved first, so that one that names no lead writes
/// nothing.
pub(super) fn assign(args: &[String], json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let Some((owner, ids)) = args.split_last() else {
        bail!("give the leads, then the owner: ripen assign 12 31 \"Kim Lee\"");
    };
    let owner = typed(owner).context("an owner needs a name")?;
    // "me" is who I am; "all" is no one: a lead is handed to a person.
    let owner = match lead::Whose::parse(&owner)? {
        lead::Whose::Owner(o) => o,
        lead::Whose::Mine => ctx.store.me().to_string(),
        lead::Whose::Everyone | lead::Whose::Unassigned => {
            bail!("a lead is handed to one person by name")
        }
    };
    let mut uids = Vec::with_capacity(ids.len());
    for id in ids {
        uids.push(ctx.store.resolve(id)?);
    }
    let op = Op::Assign { uids, owner };
    let Done::Assigned(a) = ops::run(ctx.store, op, &now)? else {
        bail!("no lead was handed over");
    };
    if json {
        let handed: Vec<_> = a
            .handed
            .iter()
            .map(|(n, name)| serde_json::json!({"number": n, "name": name}))
            .collect();
        crate::io::json::write_pretty(
            &mut *ctx.out,
            &serde_json::json!({"owner": a.owner, "handed": handed, "already": a.already}),
        )?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    for (n, name) in &a.handed {
        writeln!(
            ctx.out,
            "#{n} {} → {}",
            clean_line(name),
            clean_line(&a.owner)
        )?;
    }
    let n = a.handed.len();
    write!(
        ctx.out,
        "handed {n} lead{} to {}",
        if n == 1 { "" } else { "s" },
        clean_line(&a.owner)
    )?;
    if a.already > 0 {
        write!(ctx.out, " ({} already theirs)", a.already)?;
    }
    writeln!(ctx.out)?;
    Ok(())
}
