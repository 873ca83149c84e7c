//! `ripen import` and `ripen export`: arguments to requests, reports to words (or JSON).

use anyhow::{Context, Result, bail};
use std::io::IsTerminal;

use super::Ctx;
use super::args::{AssignArg, ExportArgs, ExportFormat, ImportArgs, OnDuplicateArg};
use crate::domain::text::{clean_field, clean_line};
use crate::io::export::{self, Format};
use crate::io::import::{self, HistoryRequest, ImportRequest, StatusOverride};
use crate::io::mapping::Override;
use crate::store::OnDuplicate;

fn parse_all<T: std::str::FromStr<Err = String>>(items: &[String]) -> Result<Vec<T>> {
    items
        .iter()
        .map(|s| s.parse::<T>().map_err(anyhow::Error::msg))
        .collect()
}

/// `ripen import`. A refusal under `--json` is JSON on stdout too, whatever refused it (a bad
/// row, a bad `--map`, a file that is no table), as `{"error": "...", "errors": ["file:line:
/// field: ...", ...]}` (the bad rows, when rows were the reason); the command still fails.
pub(super) fn import(a: ImportArgs, ctx: &mut Ctx) -> Result<()> {
    let json = a.json;
    let Err(e) = import_or_refuse(a, ctx) else {
        return Ok(());
    };
    if json {
        let rows = e
            .downcast_ref::<import::ImportError>()
            .and_then(|i| match i {
                import::ImportError::BadRows { file, errors } => Some((file, errors)),
                _ => None,
            });
        let (error, errors): (String, Vec<String>) = match rows {
            Some((file, errors)) => (
                format!(
                    "{file}: {} bad row(s); nothing was imported (--skip-bad imports the rest)",
                    errors.len()
                ),
                errors.iter().map(ToString::to_string).collect(),
            ),
            None => (format!("{e:#}"), Vec::new()),
        };
        // The import's refusal is what fails, even where the pipe's reader has gone.
        let _ = super::json_refusal(ctx.out, &error, &errors).and_then(|()| ctx.out.flush());
    }
    Err(e)
}

fn import_or_refuse(a: ImportArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    if let Some(path) = a.activities {
        let req = HistoryRequest {
            path,
            on: a.on.unwrap_or_default(),
            dry_run: a.dry_run,
            skip_bad: a.skip_bad,
            rejected_to: a.rejected.clone(),
        };
        let report = crate::ops::import_activities(ctx.store, req, &now)?;
        if a.json {
            crate::io::json::write_pretty(&mut *ctx.out, &report)?;
            writeln!(ctx.out)?;
        } else {
            if a.dry_run {
                writeln!(
                    ctx.out,
                    "{}: {}, {} separated",
                    clean_line(&report.file),
                    report.encoding,
                    report.delimiter
                )?;
                writeln!(ctx.out, "columns:")?;
                for m in &report.mapping {
                    writeln!(ctx.out, "  {}", clean_line(m))?;
                }
                if let Some(d) = &report.date_order {
                    writeln!(ctx.out, "dates: {d}")?;
                }
            }
            writeln!(ctx.out, "{}", clean_line(&report.summary()))?;
            for e in report.errors.iter().take(20) {
                writeln!(ctx.out, "  rejected: {}", clean_line(e))?;
            }
            if let Some(f) = &report.rejected_file {
                writeln!(ctx.out, "rejected rows written to {}", clean_line(f))?;
            }
        }
        if let Some(why) = &report.rejected_unwritten {
            eprintln!("{}", unwritten(why));
        }
        return Ok(());
    }
    let Some(path) = a.file else {
        bail!("give a FILE to import, or --activities FILE --on COLUMN");
    };
    let req = ImportRequest {
        path,
        overrides: parse_all::<Override>(&a.map)?,
        status_map: parse_all::<StatusOverride>(&a.status_map)?,
        on_duplicate: match a.on_duplicate {
            OnDuplicateArg::Merge => OnDuplicate::Merge,
            OnDuplicateArg::Skip => OnDuplicate::Skip,
            OnDuplicateArg::New => OnDuplicate::New,
        },
        dry_run: a.dry_run,
        skip_bad: a.skip_bad,
        owner: a.owner.as_deref().and_then(|o| clean_field(o, false)),
        round_robin: match a.assign {
            None => Vec::new(),
            Some(AssignArg::RoundRobin) => team(ctx.store.plan())?,
        },
        source: a.source.as_deref().and_then(|s| clean_field(s, false)),
        join: a.join,
        on: a.on,
        progress: std::io::stderr().is_terminal(),
        rejected_to: a.rejected,
    };
    let report = crate::ops::import(ctx.store, req, &now)?;
    if a.json {
        crate::io::json::write_pretty(&mut *ctx.out, &report)?;
        writeln!(ctx.out)?;
        if let Some(why) = &report.rejected_unwritten {
            eprintln!("{}", unwritten(why));
        }
        return Ok(());
    }
    let out = &mut *ctx.out;
    if a.dry_run && report.delimiter == import::VCARD {
        // A vCard has no columns: its properties are read as ones.
        writeln!(
            out,
            "{}: {}, vCard",
            clean_line(&report.file),
            report.encoding
        )?;
        writeln!(out, "properties:")?;
        for m in &report.mapping {
            writeln!(out, "  {}", clean_line(m))?;
        }
    } else if a.dry_run {
        writeln!(
            out,
            "{}: {}, {} separated",
            clean_line(&report.file),
            report.encoding,
            report.delimiter
        )?;
        writeln!(out, "columns:")?;
        for m in &report.mapping {
            writeln!(out, "  {}", clean_line(m))?;
        }
    }
    if let Some(d) = &report.date_order {
        writeln!(out, "dates: {d}")?;
    }
    writeln!(out, "{}", clean_line(&report.summary()))?;
    for (word, stage, n) in &report.stages_read_as {
        writeln!(
            out,
            "  stage \"{}\" on {n} row(s): read as {stage}, the nearest of ripen's (the vendor's \
             word is kept with each lead)",
            clean_line(word)
        )?;
    }
    for (word, n) in &report.unknown_statuses {
        writeln!(
            out,
            "  unknown status \"{}\" on {n} row(s): imported as new (--status-map \"{}=STATUS\" to choose)",
            clean_line(word),
            clean_line(word)
        )?;
    }
    // People read the first screenful; --json has them all (up to a thousand).
    const SHOWN: usize = 20;
    for n in report.notices.iter().take(SHOWN) {
        writeln!(out, "  {}", clean_line(n))?;
    }
    let more = report.notices.len().saturating_sub(SHOWN) + report.notices_dropped;
    if more > 0 {
        writeln!(out, "  … and {more} more (--json lists them)")?;
    }
    for e in report.errors.iter().take(SHOWN) {
        writeln!(out, "  rejected: {}", clean_line(e))?;
    }
    if report.errors.len() > SHOWN {
        writeln!(
            out,
            "  … and {} more rejected rows (see the rejected file or --json)",
            report.errors.len() - SHOWN
        )?;
    }
    if let Some(f) = &report.rejected_file {
        writeln!(out, "rejected rows written to {}", clean_line(f))?;
    }
    if let Some(why) = &report.rejected_unwritten {
        eprintln!("{}", unwritten(why));
    }
    Ok(())
}

/// The config's team, for `--assign round-robin`: its names, each once however spelled.
fn team(plan: &crate::domain::Plan) -> Result<Vec<String>> {
    let mut team: Vec<String> = Vec::new();
    for name in &plan.team {
        let Some(name) = clean_field(name, false) else {
            bail!("team in the config: a name is empty");
        };
        if crate::domain::lead::is_unassigned(&name) {
            bail!("team in the config: \"{}\" names no one", clean_line(&name));
        }
        let key = crate::domain::lead::owner_key(&name);
        if !team
            .iter()
            .any(|t| crate::domain::lead::owner_key(t) == key)
        {
            team.push(name);
        }
    }
    if team.is_empty() {
        bail!(
            "--assign round-robin needs the team: team = [\"Sam Rep\", \"Kim Lee\"] in the \
             config (`ripen paths` says where it is)"
        );
    }
    Ok(team)
}

/// The warning for rejected rows that could not be written after the import landed.
fn unwritten(why: &str) -> String {
    format!(
        "ripen: warning: the import landed, but its rejected rows could not be written ({}); \
         they are listed above (all of them with --json)",
        clean_line(why)
    )
}

pub(super) fn export(a: ExportArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let (view, filter) = super::list::selection(a.view, a.narrow, &now, ctx.store)?;
    let rows = ctx.store.list(&view, &filter, 0, usize::MAX)?;
    let format = match a.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Json => Format::Json,
        ExportFormat::Vcard => Format::Vcard,
        ExportFormat::Ics => Format::Ics,
    };
    let text = export::render(&rows, format, &now, ctx.store.plan());
    match a.output {
        Some(path) => {
            super::folder_must_exist(&path)?;
            crate::io::atomic::write(&path, text.as_bytes())
                .with_context(|| format!("{}", path.display()))?;
            eprintln!(
                "exported {} lead(s) to {}",
                rows.len(),
                clean_line(&path.display().to_string())
            );
        }
        None => ctx.out.write_all(text.as_bytes())?,
    }
    Ok(())
}
