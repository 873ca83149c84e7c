//! The scriptable command line over the same domain and store as the terminal app.

pub mod args;
mod io;
mod report;
mod table;
pub mod terminal;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;

use crate::domain::lifecycle::{self, Contact, Qualification, Recycle};
use crate::domain::text::{clean_line, clean_text};
use crate::domain::time::parse_when;
use crate::domain::{ActivityKind, Class, Now, Stage, Status, lead};
use crate::record::{ActivityRecord, LeadDetail, LeadRecord};
use crate::store::{Filter, LeadRow, NewLead, Store, View};
use args::{AddArgs, CloseArgs, EditArgs, ListArgs, ListView, Narrowing};
pub use args::{Cli, Command};
use table::Table;

/// Everything a command needs.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub now: Now,
    pub out: &'a mut dyn Write,
}

/// Commands that need no book.
pub fn run_without_book(cmd: &Command, out: &mut dyn Write) -> Result<bool> {
    match cmd {
        Command::Completions { shell } => {
            // clap_complete panics on a failed write (`| head -1`): it writes to a buffer, and
            // a closed pipe meets our own write, which returns the error.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "ripen", &mut script);
            out.write_all(&script)?;
            Ok(true)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(out)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// A refusal under `--json`, on stdout for the script that reads it: `{"error": "...",
/// "errors": [...]}` (the bad rows, when rows were the reason; else empty). The command still
/// fails, and says why on stderr too.
pub fn json_refusal(out: &mut dyn Write, error: &str, errors: &[String]) -> std::io::Result<()> {
    crate::io::json::write_pretty(
        &mut *out,
        &serde_json::json!({ "error": error, "errors": errors }),
    )?;
    writeln!(out)
}

/// A typed output path's folder must be there: a typo is not a folder to make.
fn folder_must_exist(path: &std::path::Path) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir.filter(|d| !d.is_dir()) {
        bail!(
            "{}: no such folder; nothing was written",
            clean_line(&d.display().to_string())
        );
    }
    Ok(())
}

fn when(s: &Option<String>, now: &Now) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(s.as_deref().map(|w| parse_when(w, now)).transpose()?)
}

fn money(s: &Option<String>) -> Result<Option<i64>> {
    Ok(s.as_deref().map(lead::parse_money).transpose()?)
}

/// A typed field as given, trimmed; empty means unset. Text is stored exactly as typed (JSON
/// output shows it exactly, escaped) and neutralised wherever it is printed for people.
fn field(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(typed)
}

fn typed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Run one command against the book.
pub fn run(cmd: Command, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    match cmd {
        Command::Add(a) => add(a, ctx),
        Command::List(a) => list(a, ctx),
        Command::Show { id, json } => show(&id.join(" "), json, ctx),
        Command::Log {
            id,
            kind,
            outcome,
            note,
            at,
            next,
        } => {
            let kind = ActivityKind::loggable(&kind)?;
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
            let uid = ctx.store.resolve(&id)?;
            let last = ctx.store.lead(&uid)?.touches.last_contact_at;
            let row = ctx.store.apply(&uid, &now, |l, p| {
                lifecycle::log_contact_after(l, contact, last, &now, p)
            })?;
            let next = describe_next(&row, &now);
            done(ctx, &row, &format!("logged {kind}{next}"))
        }
        Command::Qualify {
            id,
            class,
            value,
            stage,
            ripe_on,
        } => {
            let q = Qualification {
                class: class.parse::<Class>()?,
                value_cents: money(&value)?,
                stage: stage.as_deref().map(str::parse::<Stage>).transpose()?,
                ripe_on: when(&ripe_on, &now)?,
            };
            let uid = ctx.store.resolve(&id)?;
            let last = ctx.store.lead(&uid)?.touches.last_contact_at;
            let row = ctx.store.apply(&uid, &now, |l, p| {
                lifecycle::qualify_after(l, q, last, &now, p)
            })?;
            let next = describe_next(&row, &now);
            done(ctx, &row, &format!("qualified{next}"))
        }
        Command::Stage { id, stage } => {
            let stage: Stage = stage.parse()?;
            let uid = ctx.store.resolve(&id)?;
            let row = ctx
                .store
                .apply(&uid, &now, |l, p| lifecycle::set_stage(l, stage, &now, p))?;
            done(ctx, &row, &format!("stage {stage}"))
        }
        Command::Snooze { id, when: w } => {
            let uid = ctx.store.resolve(&id)?;
            let at = parse_when(&w, &now)?;
            let row = ctx
                .store
                .apply(&uid, &now, |l, _| lifecycle::snooze(l, at, &now))?;
            let next = describe_next(&row, &now);
            done(ctx, &row, &format!("snoozed{next}"))
        }
        Command::Lose(a) => close(a, Status::Lost, ctx),
        Command::Disqualify(a) => close(a, Status::Disqualified, ctx),
        Command::Win { id, value } => {
            let v = money(&value)?;
            let uid = ctx.store.resolve(&id)?;
            let row = ctx
                .store
                .apply(&uid, &now, |l, p| lifecycle::win(l, v, &now, p))?;
            done(ctx, &row, "won")
        }
        Command::Reactivate { id } => {
            let uid = ctx.store.resolve(&id)?;
            let row = ctx
                .store
                .apply(&uid, &now, |l, _| lifecycle::reactivate(l, &now))?;
            done(ctx, &row, "reactivated: back in the inbox, due today")
        }
        Command::Edit(a) => edit(a, ctx),
        Command::Merge { id, into } => {
            let gone = ctx.store.resolve(&id)?;
            let kept = ctx.store.resolve(&into)?;
            let gone_number = ctx.store.lead(&gone)?.number;
            let row = ctx.store.merge(&gone, &kept, &now)?;
            done(
                ctx,
                &row,
                &format!("merged #{gone_number} into it (#{gone_number} is in the trash)"),
            )
        }
        Command::Delete { id } => {
            let uid = ctx.store.resolve(&id)?;
            let row = ctx
                .store
                .apply(&uid, &now, |l, _| lifecycle::trash(l, &now))?;
            done(
                ctx,
                &row,
                "moved to the trash (ripen undelete to take it back)",
            )
        }
        Command::Undelete { id } => {
            let look = crate::store::Lookup {
                trash_first: true,
                ..Default::default()
            };
            let uid = ctx.store.resolve_with(&id, look)?;
            let row = ctx
                .store
                .apply(&uid, &now, |l, _| lifecycle::untrash(l, &now))?;
            done(ctx, &row, "restored from the trash")
        }
        Command::Trash { empty, json } => {
            if empty {
                let n = ctx.store.empty_trash(&now)?;
                writeln!(ctx.out, "purged {n} lead(s) from the trash")?;
                Ok(())
            } else {
                let rows = ctx
                    .store
                    .list(&View::Trash, &Filter::default(), 0, usize::MAX)?;
                print_rows(&rows, json, ctx)
            }
        }
        Command::Demo { leads, seed, force } => {
            let existing = ctx.store.count(&View::All, &Filter::default())?;
            if existing > 0 && !force {
                bail!(
                    "{} already holds {existing} leads; use --force to add the demo anyway, or --db for a new book",
                    ctx.store.path().display()
                );
            }
            let n = crate::demo::fill(ctx.store, leads, seed, &now)?;
            writeln!(
                ctx.out,
                "added {n} demo leads to {}",
                ctx.store.path().display()
            )?;
            Ok(())
        }
        Command::Report(a) => report::run(a, ctx),
        Command::Source(args::SourceCommand::Set { name, cost, add }) => {
            let cents = lead::parse_money(&cost)?;
            let name = typed(&name).context("a source needs a name")?;
            let set = ctx.store.set_source_cost(&name, cents, add, &now)?;
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
                Some(b) if b != set.cost => {
                    write!(ctx.out, " (was {}; --add adds to it)", money(b))?
                }
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
        Command::Source(args::SourceCommand::List { json }) => {
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
        Command::Source(args::SourceCommand::Rename { from, to }) => {
            let r = ctx.store.rename_source(&from, &to, &now)?;
            if r.from.is_empty() {
                writeln!(ctx.out, "{}: already spelled so", clean_line(&r.to))?;
                return Ok(());
            }
            let from: Vec<String> = r
                .from
                .iter()
                .map(|s| format!("\"{}\"", clean_line(s)))
                .collect();
            write!(
                ctx.out,
                "{} → \"{}\": {} lead{}",
                from.join(", "),
                clean_line(&r.to),
                r.leads,
                if r.leads == 1 { "" } else { "s" }
            )?;
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
        Command::Status { json } => {
            let c = ctx.store.counts(&now)?;
            if json {
                crate::io::json::write_compact(
                    &mut *ctx.out,
                    &serde_json::json!({
                        "overdue": c.overdue,
                        "due_today": c.due_today,
                        "new_past_48h": c.inbox_late,
                        "inbox": c.inbox,
                        "queue": c.queue,
                        "pipeline": c.pipeline,
                        "recycled_due": c.recycled_due,
                    }),
                )?;
                writeln!(ctx.out)?;
            } else {
                let breach = ctx.store.plan().first_contact.breach_hours;
                write!(
                    ctx.out,
                    "{} overdue · {} due today · {} new past {breach}h",
                    c.overdue, c.due_today, c.inbox_late
                )?;
                // Recycled leads due for their touch are work too, when there are any.
                if c.recycled_due > 0 {
                    write!(ctx.out, " · {} recycled due", c.recycled_due)?;
                }
                writeln!(ctx.out)?;
            }
            Ok(())
        }
        Command::Backup { path } => {
            let dest = match path {
                Some(p) => {
                    folder_must_exist(&p)?;
                    p
                }
                None => {
                    let dir = ctx
                        .store
                        .path()
                        .parent()
                        .map(|d| d.join("backups"))
                        .unwrap_or_else(|| "backups".into());
                    std::fs::DirBuilder::new()
                        .recursive(true)
                        .mode(0o700)
                        .create(&dir)
                        .with_context(|| format!("{}", dir.display()))?;
                    dir.join(format!("ripen-{}.db", now.utc.format("%Y%m%dT%H%M%SZ")))
                }
            };
            ctx.store.backup_to(&dest)?;
            writeln!(
                ctx.out,
                "backed up to {}",
                clean_line(&dest.display().to_string())
            )?;
            Ok(())
        }
        Command::Import(a) => io::import(a, ctx),
        Command::Export(a) => io::export(a, ctx),
        Command::Paths | Command::Completions { .. } | Command::Man | Command::Restore { .. } => {
            Ok(())
        }
    }
}

fn describe_next(row: &LeadRow, now: &Now) -> String {
    match row.lead.next_follow_up {
        Some(at) => format!(
            " · next follow-up {}",
            now.local_date(at).format("%a %d %b %Y")
        ),
        None => String::new(),
    }
}

fn done(ctx: &mut Ctx, row: &LeadRow, what: &str) -> Result<()> {
    writeln!(
        ctx.out,
        "#{} {}: {}",
        row.number,
        clean_line(&row.lead.display_name()),
        what
    )?;
    Ok(())
}

fn add(a: AddArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
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
        value_cents: money(&a.value)?,
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
    let (number, uid) = ctx.store.add_lead(new, &now)?;
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

/// The view and filter a `list` or `export` selects.
pub(super) fn selection(view: ListView, n: Narrowing, now: &Now) -> Result<(View, Filter)> {
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
        owner: n.owner,
        source: n.source,
        tag: n.tag,
        text: n.search,
    };
    Ok((view, filter))
}

fn list(a: ListArgs, ctx: &mut Ctx) -> Result<()> {
    let (view, filter) = selection(a.view, a.narrow, &ctx.now)?;
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

fn show(id: &str, json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let plan = ctx.store.plan().clone();
    let uid = ctx.store.resolve(id)?;
    let row = ctx.store.lead(&uid)?;
    let timeline = ctx.store.timeline(&uid, 10_000)?;
    let breakdown = crate::domain::priority::score(&row.lead, &now, &plan);
    if json {
        let detail = LeadDetail {
            lead: LeadRecord::new(&row, &now, &plan),
            timeline: timeline.iter().map(ActivityRecord::from).collect(),
            priority: breakdown,
        };
        crate::io::json::write_pretty(&mut *ctx.out, &detail)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    let rec = LeadRecord::new(&row, &now, &plan);
    let l = &row.lead;
    let o = &mut *ctx.out;
    writeln!(o, "#{} {}", row.number, clean_line(&l.display_name()))?;
    let extra: Vec<(String, String)> = l
        .extra_fields()
        .into_iter()
        .map(|(k, v)| (clean_line(&k).into_owned(), v))
        .collect();
    // The labels' column fits the imported headers too ("Lifecycle Stage"), up to a point.
    let width = extra
        .iter()
        .map(|(k, _)| k.chars().count())
        .filter(|n| *n <= 24)
        .max()
        .unwrap_or(0)
        .max(13);
    let mut kv = |k: &str, v: Option<String>| -> std::io::Result<()> {
        match v {
            Some(v) if !v.is_empty() => writeln!(o, "  {k:<width$} {}", clean_line(&v)),
            _ => Ok(()),
        }
    };
    kv("uid", Some(l.uid.clone()))?;
    kv("status", Some(rec.status.to_string()))?;
    kv("class", l.class.map(|c| c.to_string()))?;
    kv("stage", l.stage.map(|s| s.to_string()))?;
    kv(
        "value",
        l.value_cents.map(|v| plan.money(v, l.currency.as_deref())),
    )?;
    kv("title", l.title.clone())?;
    kv("email", l.email.clone())?;
    kv("phone", l.phone.clone())?;
    kv("website", l.website.clone())?;
    kv("city", l.city.clone())?;
    kv("country", l.country.clone())?;
    kv("source", l.source.clone())?;
    kv("owner", Some(l.owner.clone()))?;
    kv("tags", (!l.tags.is_empty()).then(|| l.tags.join(", ")))?;
    // What an import kept beside the lead, under its file's headers.
    for (k, v) in extra {
        kv(&k, Some(v))?;
    }
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| now.local_time(d).format("%a %d %b %Y %H:%M").to_string())
    };
    kv("received", date(Some(l.received_at)))?;
    kv("next", date(l.next_follow_up))?;
    kv("last contact", date(row.touches.last_contact_at))?;
    kv("ripe on", date(l.ripe_on))?;
    kv("closed", date(l.closed_at))?;
    kv(
        "reason",
        l.reason.clone().map(|r| match &l.reason_note {
            Some(n) => format!("{r} ({n})"),
            None => r,
        }),
    )?;
    kv("recycle on", date(l.recycle_on))?;
    kv(
        "recycled",
        (l.recycle_count > 0).then(|| format!("{} time(s)", l.recycle_count)),
    )?;
    kv("flags", (!rec.why.is_empty()).then(|| rec.why.join(", ")))?;
    kv("deleted", date(l.deleted_at))?;
    if let Some(n) = &l.notes {
        writeln!(o, "  notes")?;
        for line in clean_text(n).lines() {
            writeln!(o, "    {line}")?;
        }
    }
    writeln!(
        o,
        "priority {:.1}",
        crate::record::shown_priority(breakdown.total)
    )?;
    for t in &breakdown.terms {
        writeln!(
            o,
            "  {:>+7.1}  {}",
            crate::record::shown_priority(t.points),
            t.name
        )?;
    }
    writeln!(o, "timeline")?;
    for a in &timeline {
        let mut line = format!(
            "  {}  {:<8}",
            now.local_time(a.at).format("%Y-%m-%d %H:%M"),
            a.kind.as_str()
        );
        if let Some(out) = &a.outcome {
            line.push_str(&format!(" {out:<14}"));
        }
        if let Some(n) = &a.note {
            line.push_str(&format!(" {}", clean_line(n)));
        }
        writeln!(o, "{}", line.trim_end())?;
    }
    Ok(())
}

fn close(a: CloseArgs, status: Status, ctx: &mut Ctx) -> Result<()> {
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
    let row = ctx.store.apply(&uid, &now, |l, p| {
        lifecycle::close_out(l, status, &a.reason, note, recycle, &now, p)
    })?;
    let tail = match row.lead.recycle_on {
        Some(at) => format!("; recycle on {}", now.local_date(at).format("%a %d %b %Y")),
        None => "; never recycled".to_string(),
    };
    done(ctx, &row, &format!("{status} ({}){tail}", a.reason.trim()))
}

fn edit(a: EditArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let value = money(&a.value)?;
    let ripe_on = when(&a.ripe_on, &now)?;
    let recycle_on = when(&a.recycle_on, &now)?;
    let next = when(&a.next, &now)?;
    let uid = ctx.store.resolve(&a.id)?;
    let row = ctx.store.apply(&uid, &now, |before, _| {
        let mut l = before.clone();
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = typed(v);
            }
        };
        if let Some(n) = a.name.as_deref() {
            l.name = typed(n).unwrap_or_default();
        }
        set(&mut l.company, &a.company);
        set(&mut l.email, &a.email);
        set(&mut l.phone, &a.phone);
        set(&mut l.title, &a.title);
        set(&mut l.website, &a.website);
        set(&mut l.city, &a.city);
        set(&mut l.country, &a.country);
        set(&mut l.source, &a.source);
        if let Some(o) = a.owner.as_deref().and_then(typed) {
            l.owner = o;
        }
        if let Some(n) = &a.notes {
            l.notes = typed(n);
        }
        for t in a.add_tags.iter().filter_map(|t| typed(t)) {
            if !l.tags.contains(&t) {
                l.tags.push(t);
            }
        }
        l.tags
            .retain(|t| !a.remove_tags.iter().any(|r| r.trim() == t));
        if value.is_some() {
            l.value_cents = value;
        }
        if ripe_on.is_some() {
            l.ripe_on = ripe_on;
        }
        if recycle_on.is_some() {
            if !l.status.is_closed_out() {
                return Err(crate::domain::DomainError::NotAllowed(
                    "only lost or disqualified leads have a recycle date".into(),
                ));
            }
            l.recycle_on = recycle_on;
            l.next_follow_up = recycle_on;
        }
        if next.is_some() {
            l.next_follow_up = next;
        }
        lifecycle::edited(before, l, &now)
    })?;
    done(ctx, &row, "saved")
}
