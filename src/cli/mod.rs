//! The scriptable command line over the same domain and store as the terminal app. `run` hands
//! each command to the module of its group: one lead's changes (`lead`), lists and the trash
//! (`list`), one lead's card (`show`), sources (`sources`), the book as a whole (`book`),
//! import and export (`io`), reports (`report`).

pub mod args;
mod book;
mod io;
mod lead;
mod list;
mod report;
mod show;
mod sources;
mod table;
pub mod terminal;

use anyhow::{Result, bail};
use clap::CommandFactory;
use std::io::Write;

use crate::domain::money::Named;
use crate::domain::text::clean_line;
use crate::domain::time::parse_when;
use crate::domain::{Now, Status};
use crate::store::{LeadRow, Store};
pub use args::{Cli, Command};

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

/// A typed amount and the currency it names in this book (`$24k` in a euro book: USD), and
/// `--currency`: which currency was said ([`Named`]). A symbol and `--currency` that disagree
/// are refused.
fn money_in(
    plan: &crate::domain::Plan,
    s: &Option<String>,
    currency: &Option<String>,
) -> Result<(Option<i64>, Named)> {
    let flag: Named = match currency.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => {
            let code = crate::domain::money::code_of(c)
                .ok_or_else(|| anyhow::anyhow!(crate::domain::money::unknown_currency(c)))?;
            Some(plan.kept_currency(Some(code)))
        }
    };
    let Some(v) = s.as_deref() else {
        return Ok((None, flag));
    };
    let (cents, said) = plan.amount(v)?;
    if let (Some(a), Some(b)) = (&flag, &said)
        && a != b
    {
        bail!("the value \"{v}\" is in another currency than --currency says");
    }
    Ok((Some(cents), flag.or(said)))
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
    match cmd {
        Command::Add(a) => lead::add(a, ctx),
        Command::List(a) => list::list(a, ctx),
        Command::Show { id, json } => show::show(&id.join(" "), json, ctx),
        Command::Log {
            id,
            kind,
            outcome,
            note,
            at,
            next,
        } => lead::log(&id, &kind, outcome, note, at, next, ctx),
        Command::Qualify {
            id,
            class,
            value,
            stage,
            ripe_on,
        } => lead::qualify(&id, &class, value, stage, ripe_on, ctx),
        Command::Stage { id, stage } => lead::stage(&id, &stage, ctx),
        Command::Snooze { id, when: w } => lead::snooze(&id, &w, ctx),
        Command::Lose(a) => lead::close(a, Status::Lost, ctx),
        Command::Disqualify(a) => lead::close(a, Status::Disqualified, ctx),
        Command::Win { id, value } => lead::win(&id, value, ctx),
        Command::Reactivate { id } => lead::reactivate(&id, ctx),
        Command::Edit(a) => lead::edit(a, ctx),
        Command::Merge { id, into } => lead::merge(&id, &into, ctx),
        Command::Delete { id } => lead::delete(&id, ctx),
        Command::Undelete { id } => lead::undelete(&id, ctx),
        Command::Trash { empty, json } => list::trash(empty, json, ctx),
        Command::Demo { leads, seed, force } => book::demo(leads, seed, force, ctx),
        Command::Report(a) => report::run(a, ctx),
        Command::Source(s) => sources::run(s, ctx),
        Command::Status { owner, json } => book::status(owner.as_deref(), json, ctx),
        Command::Owner(o) => sources::owners(o, ctx),
        Command::Assign { args, json } => sources::assign(&args, json, ctx),
        Command::Backup { path } => book::backup(path, ctx),
        Command::Doctor { rebuild, json } => book::doctor(rebuild, json, ctx),
        Command::Sync {
            dir,
            init,
            git,
            conflicts,
            keep,
            compact,
            json,
        } => {
            if conflicts {
                book::conflicts(json, ctx)
            } else if let Some(change) = keep {
                book::keep(&change, json, ctx)
            } else {
                book::sync(dir, init, git, compact, json, ctx)
            }
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
