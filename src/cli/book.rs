//! The book as a whole: `ripen status` (what is due), `ripen backup`, `ripen demo`.

use anyhow::{Context, Result, bail};
use std::os::unix::fs::DirBuilderExt;

use super::{Ctx, folder_must_exist};
use crate::domain::text::clean_line;
use crate::store::{Filter, View};

pub(super) fn status(json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
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
