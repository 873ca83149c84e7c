//! `ripen`: the terminal app, or one command of the scriptable CLI.

use anyhow::Result;
use clap::Parser;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use ripen::cli::{self, Cli, Command, Ctx};
use ripen::config;
use ripen::store::{Store, StoreError};

/// The app was started where it cannot draw: the call is at fault, not the book, so it exits 2
/// as a misused command line does (clap's usage errors), apart from the 1 of a failed command.
#[derive(Debug, thiserror::Error)]
#[error(
    "ripen's app needs a terminal (stdin and stdout here are not one); from a script use a \
     command instead: `ripen status`, `ripen list`, `ripen show ID`, `ripen export` … (see \
     `ripen --help`)"
)]
struct NoTerminal;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.is::<NoTerminal>() => {
            let _ = writeln!(io::stderr(), "ripen: {e}");
            ExitCode::from(2)
        }
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
    if out_of_space(e) {
        return Some(
            "could not write to the disk (it may be full): nothing of this change was written; \
             the book is as it was"
                .into(),
        );
    }
    Some(match sqlite_code(e)? {
        ErrorCode::DiskFull | ErrorCode::SystemIoFailure => {
            "could not write to the disk (it may be full): nothing of this change was written; \
             the book is as it was"
                .to_string()
        }
        ErrorCode::ReadOnly => {
            // The context `run` adds: anyhow finds a context by its type on the error itself.
            let why = match e.downcast_ref::<StoreError>() {
                Some(StoreError::ReadOnlyWrite(why)) => Some(why.clone()),
                _ => None,
            };
            match why {
                Some(why) => format!("the book is read-only here ({why}): nothing was written"),
                None => "the book is read-only here: nothing was written; check the permissions \
                         of the file and its folder"
                    .into(),
            }
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

/// SQLite's error code anywhere in the chain. Errors declared `transparent` (the store's, the
/// import's) hand on their source, so the code may sit in SQLite's own error type.
fn sqlite_code(e: &anyhow::Error) -> Option<rusqlite::ErrorCode> {
    let of_store = |s: &StoreError| match s {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => Some(f.code),
        _ => None,
    };
    e.chain().find_map(|c| {
        if let Some(f) = c.downcast_ref::<rusqlite::ffi::Error>() {
            return Some(f.code);
        }
        if let Some(rusqlite::Error::SqliteFailure(f, _)) = c.downcast_ref::<rusqlite::Error>() {
            return Some(f.code);
        }
        if let Some(s) = c.downcast_ref::<StoreError>() {
            return of_store(s);
        }
        match c.downcast_ref::<ripen::io::import::ImportError>() {
            Some(ripen::io::import::ImportError::Store(s)) => of_store(s),
            _ => None,
        }
    })
}

/// A write that failed for want of space (a full disk, a quota, a file size limit).
fn out_of_space(e: &anyhow::Error) -> bool {
    let full = |io: &io::Error| {
        io.kind() == io::ErrorKind::StorageFull
            || io.kind() == io::ErrorKind::QuotaExceeded
            || io.kind() == io::ErrorKind::FileTooLarge
    };
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(full)
            || matches!(c.downcast_ref::<StoreError>(), Some(StoreError::Io { err, .. }) if full(err))
            || matches!(
                c.downcast_ref::<ripen::io::import::ImportError>(),
                Some(ripen::io::import::ImportError::Read { err, .. }) if full(err)
            )
    })
}

/// `ripen list | head -1` closes our stdout early: that is not an error, whichever writer (a
/// table, JSON, CSV) met the closed pipe. Every command writes to stdout through `out`, which
/// returns the error rather than panic as `println!` does.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let pipe = |k: Option<io::ErrorKind>| k == Some(io::ErrorKind::BrokenPipe);
    e.chain().any(|c| {
        pipe(c.downcast_ref::<io::Error>().map(io::Error::kind))
            || pipe(
                c.downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind),
            )
            || pipe(c.downcast_ref::<csv::Error>().and_then(|c| match c.kind() {
                csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            }))
    })
}

fn run(cli: Cli) -> Result<()> {
    // Before any book is opened or made: a script that runs bare `ripen` learns what to run
    // instead, rather than crossterm's "No such device or address".
    // Keys come from stdin, or from /dev/tty where stdin is redirected (as crossterm reads them).
    let keys = io::stdin().is_terminal() || std::fs::File::open("/dev/tty").is_ok();
    if cli.command.is_none() && cli.bench_frames.is_none() && !(keys && io::stdout().is_terminal())
    {
        return Err(NoTerminal.into());
    }
    let stdout = io::stdout();
    // To a terminal, everything printed passes the one sanitiser; to a pipe, it is as written.
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(cli::terminal::Neutralising::new(io::BufWriter::new(
            stdout.lock(),
        )))
    } else {
        Box::new(io::BufWriter::new(stdout.lock()))
    };
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
        let msg = format!(
            "{}: no book here; `ripen add`, `ripen import` or `ripen demo` starts one (a command \
             that only reads never does)",
            db.display()
        );
        // A script asking for JSON reads why in JSON, as an import's refusal.
        // The refusal itself is what fails: a reader gone from the pipe must not turn it into
        // a quiet success.
        if cmd.json() {
            let _ = cli::json_refusal(&mut out, &msg, &[]).and_then(|()| out.flush());
        }
        anyhow::bail!(msg);
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
            let ran = cli::run(cmd, &mut ctx);
            let read_only = store.read_only();
            ran.map_err(|e| match read_only {
                Some(r) if sqlite_code(&e) == Some(rusqlite::ErrorCode::ReadOnly) => {
                    e.context(StoreError::ReadOnlyWrite(r.describe(store.path())))
                }
                _ => e,
            })?;
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
