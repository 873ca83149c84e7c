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
            let msg = format!("{e:#}");
            let line = ripen::domain::text::clean_line(&msg);
            let _ = writeln!(io::stderr(), "ripen: {line}");
            ExitCode::from(1)
        }
    }
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
    let now = config::now()?;
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
    let cfg = config::load(config_path.as_deref())?;
    let mut store = Store::open(&db, cfg.plan.clone())?;
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
