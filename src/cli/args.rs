//! The command line, as clap sees it. Command names and `--json` fields are a contract scripts
//! rely on: extend, never rename.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A keyboard-driven book of sales leads that never lets one go to waste.
///
/// Without a command, opens the terminal app.
#[derive(Debug, Parser)]
#[command(name = "ripen", version, about, long_about = None, after_help = WHEN_HELP)]
pub struct Cli {
    /// The book (SQLite file). Default: ripen.db in the platform data dir.
    #[arg(long, global = true, env = "RIPEN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file. Default: config.toml in the platform config dir.
    #[arg(long, global = true, env = "RIPEN_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Draw N frames headless on the book and exit (for benchmarks).
    #[arg(long, hide = true, value_name = "N")]
    pub bench_frames: Option<usize>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

pub const WHEN_HELP: &str = "WHEN: 2026-12-01, 2026-12-01T14:30, today, tomorrow, +3d, +2w, +1m, \
a weekday name (the next one), in your time zone (config time_zone, else TZ). RIPEN_NOW (RFC \
3339) fixes the clock.\nID: a lead's number, a \
unique prefix of its uid, or words that match it alone as the filter does (each starts a word \
of its name, company, e-mail, tags or loss reason: \"søren\", \"weber acme\").";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a lead to the inbox; prints its number.
    Add(AddArgs),
    /// List the leads of a view.
    List(ListArgs),
    /// Show a lead, its timeline (newest first) and its priority breakdown.
    Show {
        /// The lead (see ID below); words need no quotes here: `ripen show søren dubois`.
        #[arg(required = true, num_args = 1.., value_name = "ID")]
        id: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Log a contact (call, email, meeting, message) or a note.
    Log {
        id: String,
        /// call, email, meeting, message or note.
        kind: String,
        /// reached, no-answer, voicemail, replied, meeting-booked, ... (free text allowed).
        #[arg(long)]
        outcome: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// When it happened (default: now); read backwards: "friday" and "1 oct" are the last
        /// ones. Before the lead's last contact, it is history filled in: the follow-up stays.
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
        /// The next follow-up (default: from the cadence).
        #[arg(long, value_name = "WHEN")]
        next: Option<String>,
    },
    /// Qualify a lead into the pipeline.
    Qualify {
        id: String,
        #[arg(long, value_name = "A|B|C")]
        class: String,
        #[arg(long, value_name = "N")]
        value: Option<String>,
        /// green, warming, ripe, proposal or negotiation (default: green).
        #[arg(long)]
        stage: Option<String>,
        /// When you expect it to be ready to buy.
        #[arg(long, value_name = "WHEN")]
        ripe_on: Option<String>,
    },
    /// Move an open lead to a stage.
    Stage { id: String, stage: String },
    /// Put off a lead's next follow-up.
    Snooze {
        id: String,
        #[arg(value_name = "WHEN")]
        when: String,
    },
    /// Lose a qualified lead (it rests in Recycled unless the reason says never).
    Lose(CloseArgs),
    /// Disqualify a lead from the inbox (it rests in Recycled unless the reason says never).
    Disqualify(CloseArgs),
    /// Win a lead.
    Win {
        id: String,
        #[arg(long, value_name = "N")]
        value: Option<String>,
    },
    /// Bring a lost or disqualified lead back to working, with its whole history.
    Reactivate { id: String },
    /// Change a lead's fields.
    Edit(EditArgs),
    /// Merge a duplicate into another lead: the other lead takes its missing fields, notes and
    /// whole timeline; the duplicate goes to the trash
    Merge {
        /// The duplicate.
        id: String,
        /// The lead it is merged into (the one that stays).
        #[arg(long, value_name = "ID")]
        into: String,
    },
    /// Move a lead to the trash.
    Delete { id: String },
    /// Take a lead back out of the trash.
    Undelete { id: String },
    /// List the trash, or purge the personal data of everything in it.
    Trash {
        /// Purge: names, contact details and notes are erased; the rows stay as tombstones.
        #[arg(long)]
        empty: bool,
        #[arg(long)]
        json: bool,
    },
    /// Fill the book with a realistic, deterministic demo relative to now.
    Demo {
        #[arg(long, default_value_t = 60)]
        leads: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Add to a book that already has leads.
        #[arg(long)]
        force: bool,
    },
    /// Reports: funnel, speed, discipline, ripening, losses, sources, forecast, owners.
    #[command(after_help = crate::report::METRICS)]
    Report(ReportArgs),
    /// Lead sources and what they cost.
    #[command(subcommand)]
    Source(SourceCommand),
    /// One line for a shell prompt: "3 overdue · 5 due today · 2 new past 48h" (and "· 4
    /// recycled due" when there are).
    ///
    /// It counts my leads and the unassigned ones (config `user`, else RIPEN_USER or the login
    /// name, says who I am); --owner all counts the whole book.
    Status {
        /// Whose leads: me (the default), all, unassigned, or an owner's name (case and accents
        /// ignored).
        #[arg(long, value_name = "me|NAME|all")]
        owner: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The book's owners: list them, or spell one differently throughout the book.
    #[command(subcommand)]
    Owner(OwnerCommand),
    /// Hand leads over to an owner: `ripen assign 12 31 "Kim Lee"`. The timeline of each says
    /// from whom to whom and who handed it; the new owner's Follow-ups mark it "new to you".
    /// All or nothing: an ID that names no lead writes nothing.
    Assign {
        /// The leads (see ID below), then the owner (spelled as the book already spells them,
        /// case and accents ignored).
        #[arg(required = true, num_args = 2.., value_name = "ID… OWNER")]
        args: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Bring leads in from a CSV/TSV export (HubSpot, Salesforce, Pipedrive, spreadsheets), or
    /// a history of activities with --activities.
    Import(ImportArgs),
    /// Write a view's leads out as CSV, JSON, vCard or iCalendar to-dos.
    Export(ExportArgs),
    /// Where the book and the config live.
    Paths,
    /// Copy the book, consistently even while the app runs (default: a dated file in the data
    /// dir's backups folder). Written 0600.
    Backup {
        #[arg(value_name = "PATH")]
        path: Option<std::path::PathBuf>,
    },
    /// Replace the book with a backup; a copy of what it replaces is kept beside it.
    Restore {
        #[arg(value_name = "PATH")]
        path: std::path::PathBuf,
        /// Replace a book that holds leads.
        #[arg(long)]
        force: bool,
    },
    /// Check the book: SQLite's integrity check, and that every lead is what its change log
    /// builds; with --rebuild, build every lead again from the log.
    Doctor {
        /// Build every lead's row (and every count and index) again from the change log.
        #[arg(long)]
        rebuild: bool,
        #[arg(long)]
        json: bool,
    },
    /// Exchange changes with the other laptops of a team through a shared folder (Syncthing,
    /// Dropbox, a network drive, a USB stick): write this book's new changes under
    /// DIR/<its id>/, then apply every other laptop's files it has not applied yet, and say
    /// which it has applied.
    Sync {
        /// The shared folder; without it, the one set with --init.
        dir: Option<PathBuf>,
        /// Remember DIR as this book's folder (and sync with it now).
        #[arg(long, requires = "dir")]
        init: bool,
        /// Go through git: pull, sync, commit this laptop's new files, push (with your own git,
        /// credentials and remotes). The default when DIR is a git work tree.
        #[arg(long)]
        git: bool,
        /// List the conflicts instead: fields two people changed to different values, neither
        /// having seen the other's change (the later change won).
        #[arg(long, conflicts_with_all = ["init", "keep"])]
        conflicts: bool,
        /// Settle a conflict by keeping the value of this change (its id, or the start of it,
        /// as --conflicts shows it); the choice goes to the others at the next sync.
        #[arg(long, value_name = "CHANGE", conflicts_with = "init")]
        keep: Option<String>,
        /// After syncing, write a snapshot of the book and delete the files every laptop with
        /// a folder in DIR has applied (a purged person's old data goes with them; a git
        /// history still keeps them). Files some laptop has not applied yet stay.
        #[arg(long, conflicts_with_all = ["conflicts", "keep"])]
        compact: bool,
        #[arg(long)]
        json: bool,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub name: String,
    #[arg(long)]
    pub company: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// The value: `24000`, `24k`, `$24,000`, `1.200 €` (a symbol or code names its currency).
    #[arg(long, value_name = "N")]
    pub value: Option<String>,
    /// The value's currency, an ISO 4217 code (default: the book's own).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// A tag (repeat for more).
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// When the inquiry came in (default: now).
    #[arg(long, value_name = "WHEN")]
    pub received: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListView {
    /// New leads, then working ones, each oldest first.
    Inbox,
    /// Due follow-ups, highest priority first.
    Queue,
    /// Open leads by stage.
    Pipeline,
    /// Lost and disqualified leads with a recycle date, next touch first.
    Recycled,
    Won,
    /// Lost and disqualified leads, recycled or not.
    Lost,
    /// Every lead not in the trash, newest first.
    All,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(value_enum, default_value_t = ListView::Queue)]
    pub view: ListView,
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub narrow: Narrowing,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    pub id: String,
    /// budget, timing, competitor, requirements, no-response, not-a-fit, duplicate, spam.
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub note: Option<String>,
    /// Recycle on this date instead of the reason's default.
    #[arg(long, value_name = "WHEN", conflicts_with = "no_recycle")]
    pub recycle_on: Option<String>,
    /// Never recycle this lead.
    #[arg(long)]
    pub no_recycle: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub company: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub website: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, value_name = "N")]
    pub value: Option<String>,
    /// The value's currency, an ISO 4217 code (the book's own to go back to it).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Replace the notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// Add a tag (repeat for more).
    #[arg(long = "tag", value_name = "T")]
    pub add_tags: Vec<String>,
    /// Remove a tag.
    #[arg(long = "untag", value_name = "T")]
    pub remove_tags: Vec<String>,
    #[arg(long, value_name = "WHEN")]
    pub ripe_on: Option<String>,
    #[arg(long, value_name = "WHEN")]
    pub recycle_on: Option<String>,
    /// Set the next follow-up.
    #[arg(long, value_name = "WHEN")]
    pub next: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Which report (all of them when not given).
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::report::NAMES))]
    pub name: Option<String>,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    #[arg(long)]
    pub csv: bool,
    /// Start of the period (default: the whole book).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// End of the period, exclusive (default: now).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Group funnel and speed by source, owner or month.
    #[arg(long, value_enum, default_value_t = ByArg::Source)]
    pub by: ByArg,
    /// Whose leads the reports count: all (the default: the whole book), me (mine and the
    /// unassigned ones), unassigned, or an owner's name, case and accents ignored. A source's cost is
    /// shared by all its leads, whoever's: an owner's carry their share of it.
    #[arg(long, value_name = "me|NAME|all")]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Source,
    Owner,
    Month,
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Record what a source cost (in the currency's major unit).
    Set {
        name: String,
        #[arg(long, value_name = "N")]
        cost: String,
        /// Add N to the cost the source has (this month's spend on top), rather than replace it.
        #[arg(long)]
        add: bool,
    },
    /// Every source the book knows, with its live leads and latest cost, A to Z.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Spell a source differently throughout the book, or fold one into another ("Referral"
    /// into "Referrals"): its leads, trash included, and its costs follow; a lead's timeline
    /// keeps the old spelling. Costs of both are added up.
    Rename { from: String, to: String },
}

#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// Every owner in the book, once however spelled, with their active leads (new, working,
    /// open), due today and overdue: mine first, the unassigned last.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Spell an owner differently throughout the book, or fold one spelling into another
    /// ("sam" into "Sam Rep"): their leads, trash included, follow; a lead's timeline keeps the
    /// old spelling. To give leads to another person, use `ripen assign`.
    Rename { from: String, to: String },
}

impl Command {
    /// A command that only reads the book: given a path where no book is, it says so rather
    /// than create an empty book there (a mistyped `RIPEN_DB` read as "0 overdue").
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::List(_)
                | Command::Show { .. }
                | Command::Status { .. }
                | Command::Report(_)
                | Command::Export(_)
                | Command::Trash { empty: false, .. }
                | Command::Source(SourceCommand::List { .. })
                | Command::Owner(OwnerCommand::List { .. })
                | Command::Backup { .. }
                | Command::Doctor { rebuild: false, .. }
        )
    }

    /// Whether the command was asked for JSON: its refusals are JSON on stdout too.
    pub fn json(&self) -> bool {
        match self {
            Command::Add(a) => a.json,
            Command::List(a) => a.json,
            Command::Report(a) => a.json,
            Command::Import(a) => a.json,
            Command::Show { json, .. }
            | Command::Trash { json, .. }
            | Command::Status { json, .. }
            | Command::Assign { json, .. }
            | Command::Owner(OwnerCommand::List { json })
            | Command::Doctor { json, .. }
            | Command::Sync { json, .. }
            | Command::Source(SourceCommand::List { json }) => *json,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OnDuplicateArg {
    /// Fill the existing lead's empty fields and append notes.
    #[default]
    Merge,
    /// Leave the existing lead alone.
    Skip,
    /// Add the row as a lead of its own.
    New,
}

#[derive(Debug, Args)]
#[command(
    after_help = "FIELDS for --map: name, first_name, last_name, company, title, email, \
phone, website, city, country, source, owner, status, stage, class, value, received, closed, \
reason, reason_note, notes, tags, external_id, next_follow_up, recycle_on, ripe_on, extra.\n\
STATUSES for --status-map: new, working, open, won, lost, disqualified (lost:REASON to give the \
reason).\nExamples:\n  ripen import hubspot.csv --dry-run\n  ripen import contacts.vcf\n  \
ripen import Leads.csv --join Contacts.csv --on ContactID\n  ripen import --activities \
Activity.csv --on LeadID"
)]
pub struct ImportArgs {
    /// The file of leads (CSV, semicolon, tab or pipe separated, or a vCard address book; any
    /// common encoding).
    #[arg(required_unless_present = "activities", conflicts_with = "activities")]
    pub file: Option<PathBuf>,
    /// A file of past and planned activities to attach to leads by --on COLUMN.
    #[arg(long, value_name = "FILE", requires = "on")]
    pub activities: Option<PathBuf>,
    /// Map a column to a field, overriding the automatic mapping (repeat for more).
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// Map a status word to a ripen status (repeat for more).
    #[arg(long = "status-map", value_name = "WORD=STATUS")]
    pub status_map: Vec<String>,
    /// What to do with a row that matches a lead already there.
    #[arg(long, value_enum, default_value_t = OnDuplicateArg::Merge)]
    pub on_duplicate: OnDuplicateArg,
    /// Show the mapping, the date order and the outcome; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows and write the bad ones to NAME.rejected.csv beside the file.
    #[arg(long)]
    pub skip_bad: bool,
    /// Where --skip-bad writes the rejected rows instead (the file's folder may be read-only).
    #[arg(long, value_name = "PATH", requires = "skip_bad")]
    pub rejected: Option<std::path::PathBuf>,
    /// Owner of rows that name none (default: you; see `user` in the config).
    #[arg(long)]
    pub owner: Option<String>,
    /// round-robin: give the rows that name no owner to the team (`team = [...]` in the
    /// config) in turn, in file order, so that each gets as many as the next, give or take
    /// one. A row that names its own owner keeps it: nothing a row says is overridden.
    #[arg(long, value_enum, value_name = "round-robin", conflicts_with = "owner")]
    pub assign: Option<AssignArg>,
    /// Source of rows that name none.
    #[arg(long)]
    pub source: Option<String>,
    /// A second file to join on --on COLUMN (e.g. contacts for leads).
    #[arg(long, value_name = "FILE", requires = "on")]
    pub join: Option<PathBuf>,
    /// The column that links the files (--join) or names the lead (--activities).
    #[arg(long, value_name = "COLUMN")]
    pub on: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// How an import hands out rows that name no owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssignArg {
    /// To each of the config's `team` in turn.
    RoundRobin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    /// vCard 4.0, one card per lead.
    Vcard,
    /// iCalendar, one to-do per open follow-up.
    Ics,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum, default_value_t = ListView::All)]
    pub view: ListView,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write here (0600, atomically) instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub narrow: Narrowing,
}

/// What narrows a view, for `list` and `export` alike.
#[derive(Debug, Args)]
pub struct Narrowing {
    /// Whose leads: me (mine and the unassigned ones), all (the default), unassigned (no one's
    /// yet), or an owner's name, case and accents ignored ("sam rep" is the book's "Sam Rep").
    #[arg(long, value_name = "me|NAME|all")]
    pub owner: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    /// Words to find: each must start a word of the name, company, e-mail, tags or loss reason
    /// (case and accents ignored: `mül acme` finds Jana Müller of acme.com).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only follow-ups due: today (overdue included), overdue, or within the week.
    #[arg(long, value_name = "today|overdue|week")]
    pub due: Option<String>,
}
