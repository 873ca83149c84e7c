//! The book as a whole: `ripen status` (what is due), `ripen backup`, `ripen demo`, `ripen
//! doctor`.

use anyhow::{Context, Result, bail};
use std::os::unix::fs::DirBuilderExt;

use super::{Ctx, folder_must_exist};
use crate::domain::conflicts;
use crate::domain::text::clean_line;
use crate::store::{Filter, View};

/// `ripen status`: my leads and the unassigned ones (`--owner` for another's or all).
pub(super) fn status(owner: Option<&str>, json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let owners = super::list::owners(Some(owner.unwrap_or("me")), ctx.store)?;
    let c = ctx.store.counts_of(&now, owners.as_ref())?;
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

pub(super) fn backup(path: Option<std::path::PathBuf>, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
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

pub(super) fn demo(leads: usize, seed: u64, force: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
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

/// `ripen doctor`: SQLite's integrity check, and whether every lead is what its change log
/// builds; `rebuild` builds every lead again from the log first, with a progress bar on a
/// terminal.
/// `ripen sync`: send this book's changes to the shared folder and take in the others'.
pub(super) fn sync(
    dir: Option<std::path::PathBuf>,
    init: bool,
    git: bool,
    compact: bool,
    json: bool,
    ctx: &mut Ctx,
) -> Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => match ctx.store.sync_dir()? {
            Some(d) => d.into(),
            None => anyhow::bail!(
                "no sync folder: give one (ripen sync DIR), or set it once with ripen sync --init DIR"
            ),
        },
    };
    if init {
        if !dir.is_dir() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .with_context(|| format!("{}: cannot make the sync folder", dir.display()))?;
        }
        let dir = dir.canonicalize().unwrap_or(dir.clone());
        ctx.store.set_sync_dir(&dir.to_string_lossy())?;
    }
    let now = ctx.now;
    let git = git || crate::io::sync::is_git(&dir);
    let crate::ops::Done::Synced(report) =
        crate::ops::run(ctx.store, crate::ops::Op::Sync { dir, git, compact }, &now)?
    else {
        bail!("ripen sync: the operation reported something else")
    };
    if json {
        crate::io::json::write_compact(&mut *ctx.out, &report)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    let changes: usize = report.applied.iter().map(|a| a.changes).sum();
    writeln!(
        ctx.out,
        "{}: sent {} file{}; applied {} file{} ({changes} change{})",
        clean_line(&report.dir),
        report.written.len(),
        if report.written.len() == 1 { "" } else { "s" },
        report.applied.len(),
        if report.applied.len() == 1 { "" } else { "s" },
        if changes == 1 { "" } else { "s" },
    )?;
    if let Some(g) = &report.git {
        match &g.offline {
            Some(why) => writeln!(
                ctx.out,
                "git: could not reach the remote ({}); committed here, pushed next time",
                clean_line(why)
            )?,
            None if g.pushed => writeln!(ctx.out, "git: pulled, committed and pushed")?,
            None if g.pulled => writeln!(ctx.out, "git: pulled; nothing new to push")?,
            None if g.committed => writeln!(ctx.out, "git: committed (no remote to push to)")?,
            None => {}
        }
    }
    for f in &report.held {
        writeln!(
            ctx.out,
            "held: {} (its entries are of leads whose files have not come yet)",
            clean_line(f)
        )?;
    }
    for f in &report.partial {
        writeln!(
            ctx.out,
            "still arriving: {} (tried again next time)",
            clean_line(f)
        )?;
    }
    for r in &report.refused {
        writeln!(
            ctx.out,
            "refused: {}: {}",
            clean_line(&r.file),
            clean_line(&r.reason)
        )?;
    }
    if !report.skipped.is_empty() {
        let n = report.skipped.len();
        writeln!(
            ctx.out,
            "snapshot not applied: this book already holds everything its {n} file{} cover{}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
        )?;
    }
    if let Some(c) = &report.compacted {
        let n = c.retired.len();
        if c.snapshot.is_empty() {
            writeln!(ctx.out, "compacted: nothing to retire yet")?;
        } else {
            writeln!(
                ctx.out,
                "compacted: wrote a snapshot ({}); retired {n} file{}",
                clean_line(&c.snapshot.join(", ")),
                if n == 1 { "" } else { "s" },
            )?;
        }
        // Why files stay, one line a reason.
        let mut why: std::collections::BTreeMap<String, usize> = Default::default();
        for k in &c.kept {
            let laptops = if k.waiting_for.is_empty() {
                String::new()
            } else {
                format!(" ({})", k.waiting_for.join(", "))
            };
            *why.entry(format!("{}{laptops}", k.reason)).or_default() += 1;
        }
        for (reason, n) in why {
            writeln!(
                ctx.out,
                "kept {n} file{}: {}",
                if n == 1 { "" } else { "s" },
                clean_line(&reason)
            )?;
        }
    }
    Ok(())
}

/// `ripen sync --conflicts`: every conflict, with both values, who and when, and how to keep
/// the other value.
pub(super) fn conflicts(json: bool, ctx: &mut Ctx) -> Result<()> {
    let found = ctx.store.conflicts()?;
    let now = ctx.now;
    if json {
        let rows: Vec<serde_json::Value> = found
            .iter()
            .map(|c| {
                let change = |x: &conflicts::Change| {
                    serde_json::json!({
                        "change": x.uid,
                        "value": conflicts::shown_value(&x.field, x.value.as_deref()),
                        "raw": x.value,
                        "author": x.author,
                        "replica": x.replica,
                        "at": chrono::DateTime::from_timestamp_millis(
                            crate::domain::changes::clock_millis(x.clock)
                        ).map(|t| t.to_rfc3339()),
                    })
                };
                serde_json::json!({
                    "lead": c.number,
                    "uid": c.lead_uid,
                    "name": c.name,
                    "field": c.conflict.field,
                    "kept": change(&c.conflict.winner),
                    "others": c.conflict.others.iter().map(change).collect::<Vec<_>>(),
                })
            })
            .collect();
        crate::io::json::write_compact(&mut *ctx.out, &rows)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    if found.is_empty() {
        writeln!(ctx.out, "no conflicts")?;
        return Ok(());
    }
    for c in &found {
        let w = &c.conflict.winner;
        writeln!(
            ctx.out,
            "#{} {}: {}",
            c.number.map_or("?".into(), |n| n.to_string()),
            clean_line(&c.name),
            c.conflict.field
        )?;
        writeln!(
            ctx.out,
            "  kept   {}  ({})",
            conflicts::shown_value(&w.field, w.value.as_deref()),
            conflicts::by_when(w, &now)
        )?;
        for o in &c.conflict.others {
            writeln!(
                ctx.out,
                "  other  {}  ({})  keep it: ripen sync --keep {}",
                conflicts::shown_value(&o.field, o.value.as_deref()),
                conflicts::by_when(o, &now),
                &o.uid
            )?;
        }
    }
    Ok(())
}

/// `ripen sync --keep CHANGE`: settle a conflict with that change's value.
pub(super) fn keep(change: &str, json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let row = crate::ops::lead(
        ctx.store,
        crate::ops::Op::Keep {
            change: change.to_string(),
        },
        &now,
    )?;
    if json {
        let plan = ctx.store.plan().clone();
        crate::io::json::write_compact(
            &mut *ctx.out,
            &crate::record::LeadRecord::new(&row, &now, &plan),
        )?;
        writeln!(ctx.out)?;
    } else {
        writeln!(
            ctx.out,
            "#{} {}: kept; the others see it at their next sync",
            row.number,
            clean_line(&row.lead.name)
        )?;
    }
    Ok(())
}

pub(super) fn doctor(rebuild: bool, json: bool, ctx: &mut Ctx) -> Result<()> {
    use std::io::IsTerminal;
    let rebuilt = if rebuild {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("rebuilding the leads from the change log");
            bar
        });
        let started = std::time::Instant::now();
        let done = ctx.store.rebuild_from_log(&mut |read, total| {
            if let Some(b) = &bar {
                b.set_length(total);
                b.set_position(read);
            }
        })?;
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        Some((done, started.elapsed()))
    } else {
        None
    };
    // Just rebuilt, every lead is what its log builds and every index of leads new: the quick
    // check of the file's pages is enough.
    let integrity = if rebuilt.is_some() {
        ctx.store.quick_check_ok()?
    } else {
        ctx.store.integrity_ok()?
    };
    let changes = ctx.store.change_count()?;
    let differing = if rebuilt.is_some() {
        Vec::new()
    } else {
        ctx.store.log_differences()?
    };
    if json {
        let mut v = serde_json::json!({
            "integrity_ok": integrity,
            "changes": changes,
            "differing": differing,
        });
        if let Some((r, took)) = &rebuilt {
            v["rebuilt"] = serde_json::json!({
                "leads": r.leads,
                "changes": r.changes,
                "seconds": took.as_secs_f64(),
            });
        }
        crate::io::json::write_compact(&mut *ctx.out, &v)?;
        writeln!(ctx.out)?;
    } else {
        if let Some((r, took)) = &rebuilt {
            writeln!(
                ctx.out,
                "rebuilt {} leads from {} changes in {:.1} s",
                r.leads,
                r.changes,
                took.as_secs_f64()
            )?;
        }
        writeln!(
            ctx.out,
            "integrity: {}",
            if integrity {
                "ok"
            } else {
                "DAMAGED (restore a backup: ripen restore PATH)"
            }
        )?;
        match differing.len() {
            0 => writeln!(
                ctx.out,
                "change log: {changes} changes; every lead is as its log builds it"
            )?,
            n => writeln!(
                ctx.out,
                "change log: {changes} changes; {n} {} from {} log \
                 (`ripen doctor --rebuild` builds {} again)",
                if n == 1 {
                    "lead differs"
                } else {
                    "leads differ"
                },
                if n == 1 { "its" } else { "their" },
                if n == 1 { "it" } else { "them" },
            )?,
        }
    }
    if !integrity || !differing.is_empty() {
        bail!("the book needs care (see above)");
    }
    Ok(())
}
