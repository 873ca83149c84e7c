//! `ripen`: the terminal app, or one command of the scriptable CLI.

use anyhow::Result;
use clap::Parser;
use std::io::{self, Write};
use std::process::ExitCode;

use ripen::cli::{self, Cli, Command, Ctx};
use ripen::{config, store::Store};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = friendly(&e).unwrap_or_else(|| format!("{e:#}"));
            // One line, so that no text quoted in it (a name, a cell) can fake a line of its
            // own; only a file's bad rows are listed one per line under the message (each row
            // flattened to its line).
            let bad_rows = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<ripen::io::import::ImportError>(),
                    Some(ripen::io::import::ImportError::BadRows { .. })
                )
            });
            let text = if bad_rows {
                ripen::domain::text::clean_text(&msg)
            } else {
                ripen::domain::text::clean_line(&msg)
            };
            let _ = writeln!(io::stderr(), "ripen: {}", text.trim_end());
            ExitCode::from(1)
        }
    }
}

/// Say what a failing disk means for the user's data rather than SQLite's terse words.
fn friendly(e: &anyhow::Error) -> Option<String> {
    use rusqlite::ErrorCode;
    let code = e
        .chain()
        .find_map(|c| match c.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, _)) => Some(f.code),
            _ => c
                .downcast_ref::<ripen::store::StoreError>()
                .and_then(|s| match s {
                    ripen::store::StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
                        Some(f.code)
                    }
                    _ => None,
                }),
        })?;
    Some(match code {
        ErrorCode::DiskFull | ErrorCode::SystemIoFailure => {
            "could not write to the disk (it may be full): nothing of this change was written; \
             the book is as it was"
                .to_string()
        }
        ErrorCode::ReadOnly => {
            "the book is read-only here: nothing was written; check the file's permissions".into()
        }
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "the book stayed busy with another ripen for too long; nothing was written, try again"
                .into()
        }
        ErrorCode::CannotOpen => format!("cannot open the book: {e:#}"),
        ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
            format!("the book is not a ripen database or is damaged: {e:#}")
        }
        _ => return None,
    })
}

/// `ripen list | head -1` closes our stdout early: that is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
    })
}

fn run(cli: Cli) -> Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if let Some(cmd) = &cli.command
        && cli::run_without_book(cmd, &mut out)?
    {
        out.flush()?;
        return Ok(());
    }
    let config_path = config::config_path(cli.config.clone());
    let db = config::db_path(cli.db.clone())?;
    if let Some(Command::Paths) = cli.command {
        writeln!(out, "book    {}", db.display())?;
        if let Some(c) = &config_path {
            writeln!(out, "config  {}", c.display())?;
        }
        out.flush()?;
        return Ok(());
    }
    if let Some(cmd) = &cli.command
        && cmd.only_reads()
        && cli.db.as_ref().is_some_and(|p| !p.as_os_str().is_empty())
        && !db.exists()
    {
        anyhow::bail!(
            "{}: no book here; `ripen add`, `ripen import` or `ripen demo` starts one (a command \
             that only reads never does)",
            db.display()
        );
    }
    let cfg = config::load(config_path.as_deref())?;
    let now = config::now(cfg.plan.zone())?;
    if let Some(Command::Restore { path, force }) = &cli.command {
        return restore(&db, path, *force, &cfg, &now, &mut out);
    }
    // An upgrade or a rebuild can take a while on a big book: say so, not to stdout.
    let mut say = |m: &str| {
        let _ = writeln!(io::stderr(), "ripen: {m}…");
    };
    let mut store = Store::open_telling(&db, cfg.plan.clone(), &mut say)?;
    match cli.command {
        Some(cmd) => {
            let mut ctx = Ctx {
                store: &mut store,
                now,
                out: &mut out,
            };
            cli::run(cmd, &mut ctx)?;
            out.flush()?;
            Ok(())
        }
        None => {
            drop(out);
            ripen::tui::run(store, cfg, cli.bench_frames)
        }
    }
}

/// `ripen restore PATH`: refuse to replace a book holding leads without `--force`, keep a copy of
/// what is replaced, then restore through SQLite's backup API.
fn restore(
    db: &std::path::Path,
    src: &std::path::Path,
    force: bool,
    cfg: &config::Config,
    now: &ripen::domain::Now,
    out: &mut dyn Write,
) -> Result<()> {
    use ripen::store::{Filter, View};
    let mut store = Store::open(db, cfg.plan.clone())?;
    // Every row the book holds, tombstones and costs included: a book of purged leads is
    // still a book, and a restore still asks first and keeps a copy.
    let held = store.rows_held()?;
    if held > 0 && !force {
        let leads = store.count(&View::All, &Filter::default())?;
        anyhow::bail!(
            "{} holds {leads} leads ({held} records in all); add --force to replace it (a copy \
             is kept)",
            db.display()
        );
    }
    // Nothing is copied or replaced for a file that could not be restored.
    Store::check_restorable(src)?;
    if held > 0 {
        // Never over an earlier copy (two restores within a second, or under a fixed clock).
        let stamp = now.utc.format("%Y%m%dT%H%M%SZ");
        let keep = (1..)
            .map(|n| {
                let mut keep = db.as_os_str().to_owned();
                keep.push(format!(".before-restore-{stamp}"));
                if n > 1 {
                    keep.push(format!("-{n}"));
                }
                std::path::PathBuf::from(keep)
            })
            .find(|p| !p.exists())
            .expect("some name is free");
        store.backup_to(&keep)?;
        writeln!(out, "kept the replaced book as {}", keep.display())?;
    }
    store.restore_from(src)?;
    let n = store.count(&View::All, &Filter::default())?;
    writeln!(
        out,
        "restored {} ({n} leads) into {}",
        src.display(),
        db.display()
    )?;
    Ok(())
}
