//! Every write to a book, as one typed operation: the app and the CLI build an [`Op`] from what
//! the user typed and call [`run`], and nothing else that writes. Each operation is checked
//! once, turned into a domain transition (pure, the clock passed in: `domain::lifecycle`) and
//! written by the store in one transaction — so a rule can no longer differ between the two
//! front ends (`ripen log 3 note --outcome reached` is refused as the app's form refuses it).
//!
//! Not operations: reading, the file-level commands that replace or copy a whole book
//! (`backup`, `restore`), and `demo`, which fills an empty book with made-up leads.

use chrono::{DateTime, Utc};

pub use crate::domain::edit::LeadEdit;
use crate::domain::lifecycle::{self, Contact, Qualification, Recycle};
use crate::domain::money::Named;
use crate::domain::{DomainError, Now, Stage, Status};
use crate::io::import::{
    HistoryReport, HistoryRequest, ImportError, ImportReport, ImportRequest, import_file,
    import_history,
};
use crate::store::{Assigned, LeadRow, NewLead, OwnerRenamed, Renamed, SetCost, Store, StoreError};

/// One write, as the user asked for it. A lead is named by its uid: the front end resolves
/// what the user typed ("3", "jane") first.
#[derive(Debug, Clone)]
pub enum Op {
    /// A new lead, typed in.
    Add(NewLead),
    /// Change a lead's facts (not its place in the process).
    Edit {
        uid: String,
        edit: LeadEdit,
    },
    /// A call, e-mail, meeting, message or note.
    Log {
        uid: String,
        contact: Contact,
    },
    /// `currency`: which currency the typed value named, if it named one; it must be the
    /// lead's (a value is never silently read in another currency).
    Qualify {
        uid: String,
        q: Qualification,
        currency: Named,
    },
    Stage {
        uid: String,
        stage: Stage,
    },
    /// The next or previous stage (the board's `>` and `<`).
    StepStage {
        uid: String,
        forward: bool,
    },
    Snooze {
        uid: String,
        until: DateTime<Utc>,
    },
    /// Lose or disqualify, with a reason.
    Close {
        uid: String,
        status: Status,
        reason: String,
        note: Option<String>,
        recycle: Recycle,
    },
    Win {
        uid: String,
        value_cents: Option<i64>,
        /// As [`Op::Qualify`]'s.
        currency: Named,
    },
    Reactivate {
        uid: String,
    },
    /// `gone` joins `kept` and goes to the trash.
    Merge {
        gone: String,
        kept: String,
    },
    Delete {
        uid: String,
    },
    Undelete {
        uid: String,
    },
    /// Purge every lead in the trash: their personal data is blanked for good.
    EmptyTrash,
    SetSourceCost {
        source: String,
        cents: i64,
        add: bool,
    },
    RenameSource {
        from: String,
        to: String,
    },
    /// Hand leads to an owner (each lead a change of owner and a timeline entry), all or none.
    Assign {
        uids: Vec<String>,
        owner: String,
    },
    /// Spell an owner differently throughout the book (the same person).
    RenameOwner {
        from: String,
        to: String,
    },
    Import(ImportRequest),
    ImportHistory(HistoryRequest),
    /// Send this book's changes to a shared folder and take in the other laptops'.
    /// Through git (`git`: pull, sync, commit, push) when the folder is a git work tree.
    /// With `compact`, then write a snapshot and retire the files every laptop has applied.
    Sync {
        dir: std::path::PathBuf,
        git: bool,
        compact: bool,
    },
    /// Settle a conflict: keep the value of this change (a uid or the start of one).
    Keep {
        change: String,
    },
}

/// The kinds of operation, by name: what [`Op::name`] says, in one list a test walks.
pub const NAMES: [&str; 22] = [
    "add",
    "edit",
    "log",
    "qualify",
    "stage",
    "step_stage",
    "snooze",
    "close",
    "win",
    "reactivate",
    "merge",
    "delete",
    "undelete",
    "empty_trash",
    "set_source_cost",
    "rename_source",
    "assign",
    "rename_owner",
    "import",
    "import_history",
    "sync",
    "keep",
];

impl Op {
    /// The operation's name, one of [`NAMES`].
    pub fn name(&self) -> &'static str {
        match self {
            Op::Add(_) => "add",
            Op::Edit { .. } => "edit",
            Op::Log { .. } => "log",
            Op::Qualify { .. } => "qualify",
            Op::Stage { .. } => "stage",
            Op::StepStage { .. } => "step_stage",
            Op::Snooze { .. } => "snooze",
            Op::Close { .. } => "close",
            Op::Win { .. } => "win",
            Op::Reactivate { .. } => "reactivate",
            Op::Merge { .. } => "merge",
            Op::Delete { .. } => "delete",
            Op::Undelete { .. } => "undelete",
            Op::EmptyTrash => "empty_trash",
            Op::SetSourceCost { .. } => "set_source_cost",
            Op::RenameSource { .. } => "rename_source",
            Op::Assign { .. } => "assign",
            Op::RenameOwner { .. } => "rename_owner",
            Op::Import(_) => "import",
            Op::ImportHistory(_) => "import_history",
            Op::Sync { .. } => "sync",
            Op::Keep { .. } => "keep",
        }
    }
}

/// What an operation did. (Returned once per operation and never kept, so its variants' sizes
/// differing costs nothing.)
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Done {
    /// The lead as it is now.
    Lead(LeadRow),
    Added {
        number: i64,
        uid: String,
    },
    /// How many leads were purged.
    Purged(usize),
    SourceCost(SetCost),
    Renamed(Renamed),
    Assigned(Assigned),
    OwnerRenamed(OwnerRenamed),
    Imported(ImportReport),
    History(HistoryReport),
    Synced(crate::io::sync::SyncReport),
}

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Sync(#[from] crate::io::sync::SyncError),
}

impl From<DomainError> for OpError {
    fn from(e: DomainError) -> Self {
        OpError::Store(e.into())
    }
}

/// A value typed in a currency (`named`) must be in the lead's: ripen never reads an amount in
/// another currency than it was given in.
fn same_currency(store: &Store, uid: &str, named: &Named) -> Result<(), OpError> {
    if named.is_some() {
        let row = store.lead(uid)?;
        store
            .plan()
            .typed_in_its_currency(&row.lead, row.number, named)?;
    }
    Ok(())
}

/// Run one operation on a book, in one transaction.
pub fn run(store: &mut Store, op: Op, now: &Now) -> Result<Done, OpError> {
    let lead = |row: LeadRow| Ok(Done::Lead(row));
    match op {
        Op::Add(new) => {
            let (number, uid) = store.add_lead(new, now)?;
            Ok(Done::Added { number, uid })
        }
        Op::Edit { uid, mut edit } => {
            // A new owner as the book spells them, so that the hand-over says so.
            if let Some(owner) = edit.owner.as_mut() {
                *owner = store.owner_spelling(owner)?;
            }
            lead(store.apply(&uid, now, |before, _| {
                lifecycle::edited(before, edit.applied(before)?, now)
            })?)
        }
        Op::Log { uid, contact } => {
            // A contact logged as having happened before the last one on record is history
            // filled in: it leaves the schedule alone (the same for the app and the CLI).
            let last = store.lead(&uid)?.touches.last_contact_at;
            lead(store.apply(&uid, now, |l, p| {
                lifecycle::log_contact_after(l, contact, last, now, p)
            })?)
        }
        Op::Qualify { uid, q, currency } => {
            same_currency(store, &uid, &currency)?;
            let last = store.lead(&uid)?.touches.last_contact_at;
            lead(store.apply(&uid, now, |l, p| {
                lifecycle::qualify_after(l, q, last, now, p)
            })?)
        }
        Op::Stage { uid, stage } => {
            lead(store.apply(&uid, now, |l, p| lifecycle::set_stage(l, stage, now, p))?)
        }
        Op::StepStage { uid, forward } => {
            lead(store.apply(&uid, now, |l, p| lifecycle::step_stage(l, forward, now, p))?)
        }
        Op::Snooze { uid, until } => {
            lead(store.apply(&uid, now, |l, _| lifecycle::snooze(l, until, now))?)
        }
        Op::Close {
            uid,
            status,
            reason,
            note,
            recycle,
        } => lead(store.apply(&uid, now, |l, p| {
            lifecycle::close_out(l, status, &reason, note, recycle, now, p)
        })?),
        Op::Win {
            uid,
            value_cents,
            currency,
        } => {
            same_currency(store, &uid, &currency)?;
            lead(store.apply(&uid, now, |l, p| lifecycle::win(l, value_cents, now, p))?)
        }
        Op::Reactivate { uid } => {
            lead(store.apply(&uid, now, |l, _| lifecycle::reactivate(l, now))?)
        }
        Op::Merge { gone, kept } => lead(store.merge(&gone, &kept, now)?),
        Op::Delete { uid } => lead(store.apply(&uid, now, |l, _| lifecycle::trash(l, now))?),
        Op::Undelete { uid } => lead(store.apply(&uid, now, |l, _| lifecycle::untrash(l, now))?),
        Op::EmptyTrash => Ok(Done::Purged(store.empty_trash(now)?)),
        Op::SetSourceCost { source, cents, add } => Ok(Done::SourceCost(
            store.set_source_cost(&source, cents, add, now)?,
        )),
        Op::RenameSource { from, to } => Ok(Done::Renamed(store.rename_source(&from, &to, now)?)),
        Op::Assign { uids, owner } => Ok(Done::Assigned(store.assign(&uids, &owner, now)?)),
        Op::RenameOwner { from, to } => {
            Ok(Done::OwnerRenamed(store.rename_owner(&from, &to, now)?))
        }
        Op::Import(req) => Ok(Done::Imported(import_file(store, &req, now)?)),
        Op::ImportHistory(req) => Ok(Done::History(import_history(store, &req, now)?)),
        Op::Sync { dir, git, compact } => Ok(Done::Synced(if git {
            crate::io::sync::sync_git_with(store, &dir, now, compact)?
        } else {
            crate::io::sync::sync_with(store, &dir, now, compact)?
        })),
        Op::Keep { change } => lead(store.keep_value(&change, now)?),
    }
}

/// [`run`] for an operation on one lead (or an add): the lead as it is now. An import is no
/// such operation and is refused here; run it with [`run`].
pub fn lead(store: &mut Store, op: Op, now: &Now) -> Result<LeadRow, StoreError> {
    let name = op.name();
    match run(store, op, now) {
        Ok(Done::Lead(row)) => Ok(row),
        Ok(Done::Added { uid, .. }) => store.lead(&uid),
        Ok(_) => Err(DomainError::Invalid(format!("{name} is no operation on one lead")).into()),
        Err(OpError::Store(e)) => Err(e),
        Err(OpError::Import(e)) => Err(DomainError::Invalid(e.to_string()).into()),
        Err(OpError::Sync(e)) => Err(DomainError::Invalid(e.to_string()).into()),
    }
}

/// [`run`] for an import: its report, or why nothing was imported (every bad row named).
pub fn import(
    store: &mut Store,
    req: ImportRequest,
    now: &Now,
) -> Result<ImportReport, ImportError> {
    match run(store, Op::Import(req), now) {
        Ok(Done::Imported(report)) => Ok(report),
        Ok(_) => Err(ImportError::Refused("the import did not run".into())),
        Err(OpError::Import(e)) => Err(e),
        Err(OpError::Store(e)) => Err(ImportError::Store(e)),
        Err(OpError::Sync(e)) => Err(ImportError::Refused(e.to_string())),
    }
}

/// [`run`] for an activity history: its report, or why nothing was imported.
pub fn import_activities(
    store: &mut Store,
    req: HistoryRequest,
    now: &Now,
) -> Result<HistoryReport, ImportError> {
    match run(store, Op::ImportHistory(req), now) {
        Ok(Done::History(report)) => Ok(report),
        Ok(_) => Err(ImportError::Refused("the import did not run".into())),
        Err(OpError::Import(e)) => Err(e),
        Err(OpError::Store(e)) => Err(ImportError::Store(e)),
        Err(OpError::Sync(e)) => Err(ImportError::Refused(e.to_string())),
    }
}
