//! Writing an import: every row of a file becomes a new lead or is merged into the lead it
//! duplicates (in the book or earlier in the same file), all in one transaction, so a file lands
//! whole or not at all. Also attaching a past activity history to leads by their external id.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction};

use super::derived::{drop_for_bulk, rebuild_after_bulk};
use super::match_keys::{ContactKeys, KeyMap, contact_keys, name_company_key};
use super::row::{LEAD_COLUMNS, lead_from_row};
use super::tuning::phase;
use super::write::{NewLeads, Uids, write_entries, write_lead};
use super::{Result, Store, StoreError};
use crate::domain::event::{Event, Said};
use crate::domain::ids;
use crate::domain::lead::{owner_key, source_key};
use crate::domain::lifecycle::{Change, Entry};
use crate::domain::merge::{
    MERGED_IDS, merge_import, merged_ids, same_deal, same_party, same_person,
};
use crate::domain::{DomainError, Lead, Now, Plan};

/// What to do with a row that matches a lead already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Fill the lead's empty fields, append notes, keep one timeline.
    #[default]
    Merge,
    Skip,
    /// Add it anyway, as a lead of its own.
    New,
}

/// How rows are recognised as the same lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchOn {
    /// The e-mail (any case), else name and company together.
    #[default]
    Contact,
    /// Only the source system's id: for files whose rows are distinct records even when they
    /// share a contact (several leads of one person, joined from a contacts file).
    ExternalId,
    /// Deals: the deal's id, else its contact — onto a lead that is no deal yet (the deal moves
    /// it on), or the same deal (see [`crate::domain::merge::same_deal`]). A person's second
    /// deal is a deal of its own.
    Deal,
}

/// How a history import's rows name their lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkBy {
    /// The source system's id (the lead's own, or a row's merged into it).
    ExternalId,
    /// The lead's e-mail, any case.
    Email,
}

/// The lead a history row names, if one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Lead(i64),
    Unknown,
    /// So many leads have this e-mail (people kept apart under one address): none is chosen.
    Several(usize),
}

fn fold_key(key: &str, by: LinkBy) -> String {
    match by {
        LinkBy::ExternalId => key.trim().to_string(),
        LinkBy::Email => key.trim().to_lowercase(),
    }
}

/// One row of a file, built into a lead with its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub change: Change,
    /// The physical line it starts on, for messages.
    pub line: u64,
    /// Its contact keys, worked out by [`Incoming::new`] on the thread that builds rows rather
    /// than on the one that writes them.
    keys: ContactKeys,
}

impl Incoming {
    pub fn new(change: Change, line: u64) -> Incoming {
        let keys = contact_keys(&change.lead);
        Incoming { change, line, keys }
    }

    /// A uid for a new lead (a UUIDv7), from a generator of this thread's own: `Uuid::now_v7`
    /// asks the OS for random bits each time.
    pub fn new_uid() -> String {
        thread_local!(static UIDS: std::cell::RefCell<Uids> = std::cell::RefCell::new(Uids::new()));
        let uid = UIDS.with(|u| u.borrow_mut().next());
        uid.hyphenated()
            .encode_lower(&mut [0u8; uuid::fmt::Hyphenated::LENGTH])
            .to_string()
    }
}

/// How an import writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The file's name, for timeline entries and messages.
    pub label: String,
    pub on_duplicate: OnDuplicate,
    pub match_on: MatchOn,
    /// Do everything, then roll back.
    pub dry_run: bool,
    /// Drop the secondary indexes during the load and rebuild them before commit (for files
    /// large next to the book: one sorted build of each is cheaper than updating them row by
    /// row, but it reads the whole book).
    pub rebuild_indexes: bool,
    /// About how many rows will come, to size the maps of keys once (0: unknown).
    pub expected_rows: usize,
    /// The rows' names are people's, even in a file of deals (ripen's own export): a deal row
    /// then finds its person by name, never by company alone.
    pub named_by_person: bool,
    /// Who takes a row that names no owner (its owner empty), in turn (see
    /// [`crate::io::import::ImportRequest::round_robin`]).
    pub round_robin: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub new: usize,
    pub merged: usize,
    pub skipped: usize,
    /// Duplicates and other things the user should hear about, one line each (the first
    /// [`MAX_NOTICES`]; `notices_dropped` counts the rest).
    pub notices: Vec<String>,
    pub notices_dropped: usize,
}

/// Notices kept in full: a re-import of a million rows must not print a million lines.
pub const MAX_NOTICES: usize = 1_000;

impl ImportOutcome {
    fn notice(&mut self, line: String) {
        if self.notices.len() < MAX_NOTICES {
            self.notices.push(line);
        } else {
            self.notices_dropped += 1;
        }
    }
}

/// Indexes a bulk import keeps up to date row by row rather than rebuilding: `leads_deleted`
/// takes no imported lead at all. Every other index takes a row where its key falls, all over
/// the index, which at a million rows costs more than the scan and sort that rebuild it
/// (measured: keeping the partial indexes of closed and open leads live made the load 1–4 s
/// slower). The timelines' indexes by lead were kept live while a new lead's uid was a UUIDv7,
/// which grows, so that its entries went in at the index's end; an imported lead's uid is now
/// made from its row ([`crate::domain::ids`]) and falls anywhere: into an empty book they are
/// rebuilt too (the import reads them only for leads the book already holds).
const KEPT_LIVE: [&str; 1] = ["leads_deleted"];

/// Indexes the import reads while it loads a book that holds leads: kept live then.
const READ_WHILE_LOADING: [&str; 4] = [
    "leads_email",
    "leads_external",
    "activities_by_lead",
    "activities_contacts",
];

fn describe_closed(lead: &Lead, now: &Now) -> String {
    let mut s = format!("already {}", lead.status);
    if let Some(r) = &lead.reason {
        s.push_str(&format!(": {r}"));
    }
    if let Some(at) = lead.closed_at {
        s.push_str(&format!(", {}", now.local_date(at).format("%Y-%m-%d")));
    }
    s
}

fn load_by_number(tx: &Transaction, number: i64) -> Result<Lead> {
    tx.prepare_cached(&format!(
        "SELECT {LEAD_COLUMNS} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
         WHERE n.number = ?1"
    ))?
    .query_row([number], |r| lead_from_row(r, 0))
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("#{number}")))
}

fn number_where(
    tx: &Transaction,
    sql_where: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT n.number FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
             WHERE {sql_where} AND l.deleted_at IS NULL ORDER BY l.created_at LIMIT 1"
        ))?
        .query_row(p, |r| r.get(0))
        .optional()?)
}

/// Every live lead's number where `sql_where` holds, oldest first (at most [`MAX_APART`]).
fn numbers_where(
    tx: &Transaction,
    sql_where: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<i64>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT n.number FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
         WHERE {sql_where} AND l.deleted_at IS NULL ORDER BY l.created_at LIMIT {MAX_APART}"
    ))?;
    let numbers = stmt.query_map(p, |r| r.get(0))?;
    Ok(numbers.collect::<rusqlite::Result<_>>()?)
}

/// How many people under one shared e-mail a duplicate is looked for among: a placeholder on
/// a thousand rows must not make an import quadratic.
const MAX_APART: usize = 50;

/// The uids an import's rows take, in the file's order: a row whose uid an earlier row of the
/// file took (two people the import keeps apart under one key, see [`crate::domain::ids`])
/// takes the next of its sequence. Every row takes one, merged or new, so that the same file
/// gives each row the same uid on every import: the row's own lead is then found by it.
struct Claims(
    std::collections::HashSet<
        uuid::Uuid,
        std::hash::BuildHasherDefault<super::match_keys::FxHasher>,
    >,
);

/// A row's place in the sequence of its uid.
struct Claim {
    base: uuid::Uuid,
    n: u32,
}

impl Claim {
    fn uid(&self) -> uuid::Uuid {
        ids::occurrence(self.base, self.n)
    }

    /// Move on to the next uid no row of this file has taken.
    fn next(&mut self, claims: &Claims) {
        self.n += 1;
        while claims.taken(self.uid()) {
            self.n += 1;
        }
    }

    fn text(&self) -> String {
        self.uid()
            .hyphenated()
            .encode_lower(&mut [0u8; uuid::fmt::Hyphenated::LENGTH])
            .to_string()
    }
}

impl Claims {
    fn with_capacity(n: usize) -> Claims {
        Claims(std::collections::HashSet::with_capacity_and_hasher(
            n,
            Default::default(),
        ))
    }

    fn taken(&self, uid: uuid::Uuid) -> bool {
        self.0.contains(&uid)
    }

    /// The first uid of the lead's sequence that no earlier row took, given to the lead (a uid
    /// that is no UUID is left as it is, unclaimed).
    fn claim(&self, lead: &mut Lead) -> Option<Claim> {
        let base = uuid::Uuid::parse_str(&lead.uid).ok()?;
        let mut c = Claim { base, n: 0 };
        if self.taken(base) {
            c.next(self);
            lead.uid = c.text();
        }
        Some(c)
    }

    fn keep(&mut self, claim: Option<Claim>) {
        if let Some(c) = claim {
            self.0.insert(c.uid());
        }
    }
}

/// Where a duplicate was found.
enum Found {
    Book(i64),
    File(i64, u64),
}

impl Found {
    fn number(&self) -> i64 {
        match *self {
            Found::Book(n) | Found::File(n, _) => n,
        }
    }
}

impl Store {
    /// How many lead numbers the book has given out: about how many leads it holds, known at
    /// once (counting them would read them all).
    pub fn numbers_issued(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(number), 0) FROM lead_numbers",
            [],
            |r| r.get(0),
        )?)
    }

    /// Write an import in one transaction. A row that is an `Err` aborts it: nothing is written
    /// and the error is returned. In a dry run everything is done and then rolled back, so the
    /// outcome is exactly what a real run would report.
    pub fn import<I>(&mut self, rows: I, opts: &ImportOptions, now: &Now) -> Result<ImportOutcome>
    where
        I: IntoIterator<Item = std::result::Result<Incoming, DomainError>>,
    {
        let get = |name: &str| -> Result<i64> {
            Ok(self
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))?)
        };
        let before = [
            ("cache_size", get("cache_size")?),
            ("temp_store", get("temp_store")?),
            ("foreign_keys", get("foreign_keys")?),
            ("ignore_check_constraints", get("ignore_check_constraints")?),
        ];
        if opts.rebuild_indexes {
            // A large load builds indexes over a million rows: give SQLite room to sort in
            // memory.
            self.cache_kib(super::BULK_CACHE_KIB)?;
            self.conn.pragma_update(None, "temp_store", 2)?;
        }
        // What the database would check again row by row, an import already knows: every
        // activity it writes belongs to a lead it has just written or read, and the CHECKed
        // columns (status, class, stage, kind) are written from the domain's enums. Checking
        // costs a look-up per activity, a little table built for each `IN (…)` list of each row,
        // and a statement journal for the batched inserts.
        self.conn.pragma_update(None, "foreign_keys", false)?;
        self.conn
            .pragma_update(None, "ignore_check_constraints", true)?;
        let out = self.import_in_tx(rows, opts, now);
        for (name, value) in before {
            self.conn.pragma_update(None, name, value)?;
        }
        out
    }

    fn import_in_tx<I>(&mut self, rows: I, opts: &ImportOptions, now: &Now) -> Result<ImportOutcome>
    where
        I: IntoIterator<Item = std::result::Result<Incoming, DomainError>>,
    {
        let mut clock = std::time::Instant::now();
        let zone = self.month_zone;
        let queue = self.queue.clone();
        let mut tx = self.write_tx()?;
        tx.bulk()?;
        let book_empty: bool = tx.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM leads WHERE deleted_at IS NULL)",
            [],
            |r| r.get(0),
        )?;
        // Whether any uid is taken in the book, by a live lead, one in the trash or a purged one.
        let book_has_uids: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM leads)", [], |r| r.get(0))?;
        // The uids this file's rows have taken so far (see `Claims`).
        let mut claims = Claims::with_capacity(opts.expected_rows.min(1 << 24));
        // The sources as the book spells them, read before their index is dropped: a row from
        // "webinar oct" joins the book's "Webinar Oct" (see `source_key`), and within the file
        // the first spelling met stands for the others.
        let mut sources: KeyMap<Box<str>> = KeyMap::default();
        // (An empty book may still know the costs of the sources to come.)
        for s in super::sources::known_sources(&tx)? {
            sources.entry(source_key(&s).into()).or_insert(s.into());
        }
        // Each spelling met → the one it stands for: a look-up per row, no allocation.
        let mut spelled: KeyMap<Box<str>> = KeyMap::default();
        // Owners likewise: "sam rep" in the file is the book's "Sam Rep" (read before
        // `leads_by_owner` is dropped).
        let mut owners: KeyMap<Box<str>> = KeyMap::default();
        for o in super::owners::book_owners(&tx)? {
            owners.entry(owner_key(&o).into()).or_insert(o.into());
        }
        let mut owner_spelled: KeyMap<Box<str>> = KeyMap::default();
        // The team as the book spells them, and whose turn it is.
        let team: Vec<String> = opts
            .round_robin
            .iter()
            .map(|t| {
                owners
                    .entry(owner_key(t).into())
                    .or_insert_with(|| t.as_str().into())
                    .to_string()
            })
            .collect();
        let mut turn = 0usize;
        let mut dealt: Vec<usize> = vec![0; team.len()];
        // The dropped indexes' own DDL, to rebuild them exactly as they were.
        let mut rebuild = Vec::new();
        if opts.rebuild_indexes {
            let mut stmt = tx.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name IN ('leads', 'activities', 'lead_changes') AND sql IS NOT NULL",
            )?;
            let all = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            drop(stmt);
            for (name, sql) in all {
                // Duplicate matching reads the e-mail and external-id indexes, unless the book
                // is empty: then duplicates are found in memory.
                let lookup = READ_WHILE_LOADING.contains(&name.as_str());
                if !KEPT_LIVE.contains(&name.as_str()) && (book_empty || !lookup) {
                    tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
                    rebuild.push(sql);
                }
            }
            // The cached counts and the filter's word index, likewise: rebuilt once below.
            drop_for_bulk(&tx, book_empty)?;
        }
        let mut out = ImportOutcome::default();
        // Keys seen in this file → (lead number, line).
        let size = opts.expected_rows.min(1 << 24);
        let mut by_email: KeyMap<(i64, u64)> =
            KeyMap::with_capacity_and_hasher(size, Default::default());
        // Name and company → (lead number, line, whether that lead has an e-mail).
        let mut by_name: KeyMap<(i64, u64, bool)> =
            KeyMap::with_capacity_and_hasher(size, Default::default());
        if !book_empty && opts.match_on == MatchOn::Contact {
            // One scan of the book instead of one per row: name and company have no index.
            let mut stmt = tx.prepare(
                "SELECT n.number, l.name, l.company, l.email IS NOT NULL FROM leads l \
                 JOIN lead_numbers n ON n.lead_uid = l.uid \
                 WHERE l.company IS NOT NULL AND l.deleted_at IS NULL ORDER BY l.created_at",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let (name, company): (String, String) = (r.get(1)?, r.get(2)?);
                by_name.entry(name_company_key(&name, &company)).or_insert((
                    r.get(0)?,
                    0,
                    r.get(3)?,
                ));
            }
        }
        // E-mails that several people in this file share (a placeholder), each with the leads
        // kept apart under it after the first, and how many people share it.
        let mut apart: KeyMap<Vec<(i64, u64)>> = KeyMap::default();
        let mut shared: KeyMap<usize> = KeyMap::default();
        let mut new_leads = NewLeads::new(&tx, now)?;
        // Time spent waiting for the building thread, for `phase`.
        let mut waited = std::time::Duration::ZERO;
        let mut rows = rows.into_iter();
        loop {
            let asked = std::time::Instant::now();
            let Some(row) = rows.next() else { break };
            waited += asked.elapsed();
            let mut row = row?;
            if let Some(s) = row.change.lead.source.as_mut() {
                let as_book = match spelled.get(s.as_str()) {
                    Some(b) => b,
                    None => {
                        let b = sources
                            .entry(source_key(s).into())
                            .or_insert_with(|| s.as_str().into())
                            .clone();
                        spelled.entry(s.as_str().into()).or_insert(b)
                    }
                };
                if **as_book != **s {
                    *s = as_book.to_string();
                }
            }
            let owner = &mut row.change.lead.owner;
            if owner.is_empty() && !team.is_empty() {
                let i = turn % team.len();
                owner.clone_from(&team[i]);
                dealt[i] += 1;
                turn += 1;
            } else {
                let as_book = match owner_spelled.get(owner.as_str()) {
                    Some(b) => b,
                    None => {
                        let b = owners
                            .entry(owner_key(owner).into())
                            .or_insert_with(|| owner.as_str().into())
                            .clone();
                        owner_spelled.entry(owner.as_str().into()).or_insert(b)
                    }
                };
                if **as_book != **owner {
                    *owner = as_book.to_string();
                }
            }
            let mut claim = claims.claim(&mut row.change.lead);
            let keys = std::mem::take(&mut row.keys);
            let lead = &row.change.lead;
            let (email, name_company, ext) = match opts.match_on {
                MatchOn::Contact => (keys.email, keys.name_company, None),
                MatchOn::ExternalId => (None, None, lead.external_id.as_deref().map(Box::from)),
                MatchOn::Deal => (
                    keys.email,
                    keys.name_company,
                    lead.external_id
                        .as_deref()
                        .map(|id| Box::<str>::from(format!("\u{1F}{id}"))),
                ),
            };
            let deals = opts.match_on == MatchOn::Deal;
            // A deal row may be named after the deal: its company says who it is as well.
            let same: fn(&Lead, &Lead) -> bool = if deals && !opts.named_by_person {
                same_party
            } else {
                same_person
            };
            let mut found = None;
            // A deal of the same person that this row is not (a deal file's second deal).
            let mut other_deal: Option<(i64, crate::domain::Status)> = None;
            // Whether leads with this row's e-mail were found, none of them this person.
            let mut kept_apart = false;
            let has_email = lead.email.is_some();
            // Found by its uid: the row that made a lead of the book, imported again.
            let mut by_uid = false;
            {
                if let Some(k) = ext.as_deref() {
                    found = by_email.get(k).map(|&(n, l)| Found::File(n, l));
                    // A deal's id is kept with a mark in the file's map (no e-mail is one).
                    let id = k.strip_prefix('\u{1F}').unwrap_or(k);
                    if found.is_none() && !book_empty {
                        found = number_where(&tx, "l.external_id = ?1", &[&id])?.map(Found::Book);
                    }
                    // Another system's ids may count from 1 as this file's do (a persons
                    // export's "17" beside a deals export's "17"): an id finds a deal only on
                    // the same person.
                    if deals && let Some(c) = &found {
                        let n = c.number();
                        new_leads.write_up_to(n)?;
                        if !same(&load_by_number(&tx, n)?, lead) {
                            found = None;
                        }
                    }
                }
                if found.is_none()
                    && let Some(k) = email.as_deref()
                {
                    // A shared e-mail makes a duplicate only of the same person (see
                    // `domain::merge::same_person`; for a deal, `same_party`): this file's
                    // leads with it first, then the book's.
                    let mut seen: Vec<i64> = Vec::new();
                    let file = by_email
                        .get(k)
                        .into_iter()
                        .chain(apart.get(k).into_iter().flatten())
                        .map(|&(n, l)| Found::File(n, l))
                        .collect::<Vec<_>>();
                    let book = if book_empty {
                        Vec::new()
                    } else {
                        numbers_where(&tx, "lower(l.email) = ?1 AND l.email IS NOT NULL", &[&k])?
                    };
                    for c in file.into_iter().chain(book.into_iter().map(Found::Book)) {
                        let n = c.number();
                        if seen.contains(&n) {
                            continue;
                        }
                        seen.push(n);
                        new_leads.write_up_to(n)?;
                        let before = load_by_number(&tx, n)?;
                        if !same(&before, lead) {
                            continue;
                        }
                        if !deals || same_deal(&before, lead) {
                            found = Some(c);
                            break;
                        }
                        other_deal.get_or_insert((n, before.status));
                    }
                    kept_apart = found.is_none() && other_deal.is_none() && !seen.is_empty();
                }
                if found.is_none()
                    && let Some(k) = name_company.as_deref()
                {
                    // Two different e-mails are two people, whatever their names: name and
                    // company decide only when one side has no e-mail.
                    // (Line 0: a lead of the book, loaded below.)
                    found = by_name
                        .get(k)
                        .filter(|&&(_, _, has_email)| email.is_none() || !has_email)
                        .map(|&(n, l, _)| {
                            if l == 0 {
                                Found::Book(n)
                            } else {
                                Found::File(n, l)
                            }
                        });
                    if deals && let Some(c) = &found {
                        let n = c.number();
                        new_leads.write_up_to(n)?;
                        let before = load_by_number(&tx, n)?;
                        if !same_deal(&before, lead) {
                            other_deal.get_or_insert((n, before.status));
                            found = None;
                        }
                    }
                }
                // The same row imported before made a lead of this uid (see `domain::ids`),
                // which the keys above no longer find: its e-mail or name changed since, or the
                // row has no e-mail nor company. A person's second deal in a file without deal
                // ids has the uid of the first: the same deal only if `same_deal` says so.
                if found.is_none()
                    && !book_empty
                    && claim.is_some()
                    && let Some(n) = number_where(&tx, "l.uid = ?1", &[&lead.uid])?
                {
                    let before = load_by_number(&tx, n)?;
                    if !deals || same_deal(&before, lead) {
                        found = Some(Found::Book(n));
                        by_uid = true;
                    }
                }
            }
            let number = match (found, opts.on_duplicate) {
                (Some(f), OnDuplicate::Merge | OnDuplicate::Skip) => {
                    let (number, whom) = match f {
                        Found::Book(n) => (n, format!("#{n} in the book")),
                        Found::File(n, l) => (n, format!("line {l}")),
                    };
                    // A lead of this file may still wait in the queue of new ones.
                    new_leads.write_up_to(number)?;
                    let before = load_by_number(&tx, number)?;
                    let mut notice = format!(
                        "{}:{}: {} {} {whom} ({})",
                        opts.label,
                        row.line,
                        lead.display_name(),
                        if opts.on_duplicate == OnDuplicate::Merge {
                            "merged into"
                        } else {
                            "skipped, duplicate of"
                        },
                        if by_uid {
                            "same record, imported before"
                        } else if email.is_some() {
                            "same e-mail"
                        } else if ext.is_some() {
                            "same id"
                        } else {
                            "same name and company"
                        }
                    );
                    if before.status.is_closed_out() {
                        notice.push_str(&format!(" — {}", describe_closed(&before, now)));
                    }
                    claims.keep(claim);
                    if opts.on_duplicate == OnDuplicate::Skip {
                        out.notice(notice);
                        out.skipped += 1;
                        continue;
                    }
                    let (merged, left) = merge_import(&before, lead, &opts.label);
                    let moved = left.map(|was| (was, merged.status));
                    if let Some((was, to)) = moved {
                        notice.push_str(&format!(
                            "; {} → {}, as this row has it",
                            was.as_str(),
                            to.as_str()
                        ));
                    }
                    // What the row said otherwise stays on the timeline, not lost.
                    let own = crate::domain::merge::its_own(&merged, lead).join(", ");
                    let place = format!("{}:{}", opts.label, row.line);
                    let entry = Entry::noted(
                        now.utc,
                        Event::MergedFrom { moved },
                        Said {
                            text: Some(&place),
                            more: Some(&own),
                        },
                    );
                    out.notice(notice);
                    write_lead(&tx, Some(&before), &merged, now)?;
                    // Queued after the lead's own entries, with uids from the same clock, so
                    // that a timeline lists them in that order. A lead that took the row's
                    // state takes the row's story of it too (its last activity, its close),
                    // all but its receipt.
                    if left.is_some() {
                        for e in row.change.entries.iter().skip(1) {
                            new_leads.push_entry(before.uid.clone(), e.clone())?;
                        }
                    }
                    // A note: news from a file, not work on the lead, so its idle days stand.
                    new_leads.push_entry(before.uid, entry)?;
                    out.merged += 1;
                    number
                }
                (found, _) => {
                    if let Some((n, status)) = other_deal {
                        out.notice(format!(
                            "{}:{}: {} is a deal of its own beside #{n}, the same person's {} deal",
                            opts.label,
                            row.line,
                            lead.display_name(),
                            status.as_str()
                        ));
                    }
                    if let Some(f) = found {
                        let whom = match f {
                            Found::Book(n) => format!("#{n} in the book"),
                            Found::File(_, l) => format!("line {l}"),
                        };
                        out.notice(format!(
                            "{}:{}: {} added although it looks like {whom}",
                            opts.label,
                            row.line,
                            lead.display_name()
                        ));
                    }
                    // A uid the book holds already (a lead in the trash, a purged one, one this
                    // row is not) goes to the lead that has it: this row takes its next.
                    if let Some(c) = &mut claim
                        && book_has_uids
                    {
                        while claims.taken(c.uid())
                            || tx
                                .prepare_cached(
                                    "SELECT EXISTS (SELECT 1 FROM leads WHERE uid = ?1)",
                                )?
                                .query_row([&row.change.lead.uid], |r| r.get::<_, bool>(0))?
                        {
                            c.next(&claims);
                            row.change.lead.uid = c.text();
                        }
                    }
                    claims.keep(claim);
                    out.new += 1;
                    new_leads.push(row.change)?
                }
            };
            if kept_apart && let Some(k) = &email {
                let others = apart.entry(k.clone()).or_default();
                if others.len() < MAX_APART {
                    others.push((number, row.line));
                }
                *shared.entry(k.clone()).or_insert(1) += 1;
            }
            // A deal is found again by its id and by its person, within the file as in the book.
            for k in [email, ext].into_iter().flatten() {
                by_email.entry(k).or_insert((number, row.line));
            }
            if let Some(k) = name_company {
                by_name.entry(k).or_insert((number, row.line, has_email));
            }
        }
        new_leads.flush()?;
        drop(new_leads);
        let mut shared: Vec<(Box<str>, usize)> = shared.into_iter().collect();
        shared.sort();
        for (email, people) in shared {
            out.notice(if opts.match_on == MatchOn::Deal {
                format!(
                    "{}: {people} deals share {email}: kept apart, their names, companies and \
                     websites differ (an address many share is a placeholder, not a person)",
                    opts.label
                )
            } else {
                format!(
                    "{}: {people} people share {email}: kept apart, their names differ \
                     (an address many share is a placeholder, not a person)",
                    opts.label
                )
            });
        }
        if !team.is_empty() {
            let each: Vec<String> = team
                .iter()
                .zip(&dealt)
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            out.notice(format!(
                "{}: rows without an owner handed out in turn: {}",
                opts.label,
                each.join(" · ")
            ));
        }
        drop(by_email);
        drop(by_name);
        phase("rows", &mut clock);
        phase(
            "(of which waiting for rows)",
            &mut (std::time::Instant::now() - waited),
        );
        clock = std::time::Instant::now();
        let mut each = clock;
        for sql in rebuild {
            tx.execute_batch(&sql)?;
            phase(sql.split_whitespace().nth(2).unwrap_or("index"), &mut each);
        }
        phase("index rebuild (all)", &mut clock);
        if opts.rebuild_indexes {
            rebuild_after_bulk(&tx, zone)?;
            phase("counts and word index rebuild", &mut clock);
        }
        // Not the planner's statistics, as a demo does: 3–4 s at a million rows, against the
        // app's 0.14 s taking them on its first open.
        Store::mark_in_place(&queue, zone, &tx)?;
        if opts.dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        phase("commit", &mut clock);
        Ok(out)
    }

    /// The lead each of a history import's `keys` names, found in one pass over the book's
    /// live leads (not one scan per row: a book of a million leads has no index on external ids):
    /// by external id, a lead's own (the oldest lead's where two hold one) or one of a row merged
    /// into it (kept in its extra under [`MERGED_IDS`], so that a contact merged into a lead
    /// keeps its activities); or by e-mail, any case, where several
    /// leads (people kept apart under one address) are [`Link::Several`].
    pub fn link_leads(&self, keys: &[String], by: LinkBy) -> Result<Vec<Link>> {
        let wanted: std::collections::HashSet<String> =
            keys.iter().map(|k| fold_key(k, by)).collect();
        let mut map: HashMap<String, Link> = HashMap::new();
        match by {
            LinkBy::ExternalId => {
                // A lead's own id first; one merged into a lead only where no lead has it.
                let mut merged: Vec<(String, i64)> = Vec::new();
                let mut stmt = self.conn.prepare(
                    "SELECT n.number, l.external_id, \
                     CASE WHEN instr(l.extra, ?1) > 0 THEN l.extra END \
                     FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
                     WHERE l.deleted_at IS NULL \
                     AND (l.external_id IS NOT NULL OR instr(l.extra, ?1) > 0) \
                     ORDER BY l.created_at",
                )?;
                let mut rows = stmt.query([format!("\"{MERGED_IDS}\"")])?;
                while let Some(r) = rows.next()? {
                    let number: i64 = r.get(0)?;
                    if let Some(id) = r.get::<_, Option<String>>(1)? {
                        let id = fold_key(&id, by);
                        if wanted.contains(&id) {
                            map.entry(id).or_insert(Link::Lead(number));
                        }
                    }
                    if let Some(extra) = r.get::<_, Option<String>>(2)? {
                        merged.extend(
                            merged_ids(&extra)
                                .into_iter()
                                .filter(|id| wanted.contains(id))
                                .map(|id| (id, number)),
                        );
                    }
                }
                for (id, number) in merged {
                    map.entry(id).or_insert(Link::Lead(number));
                }
            }
            LinkBy::Email => {
                let mut stmt = self.conn.prepare(
                    "SELECT n.number, l.email FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
                     WHERE l.deleted_at IS NULL AND l.email IS NOT NULL ORDER BY l.created_at",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let number: i64 = r.get(0)?;
                    let email = fold_key(&r.get::<_, String>(1)?, by);
                    if !wanted.contains(&email) {
                        continue;
                    }
                    map.entry(email)
                        .and_modify(|l| {
                            *l = match *l {
                                Link::Several(n) => Link::Several(n + 1),
                                _ => Link::Several(2),
                            }
                        })
                        .or_insert(Link::Lead(number));
                }
            }
        }
        Ok(keys
            .iter()
            .map(|k| map.get(&fold_key(k, by)).copied().unwrap_or(Link::Unknown))
            .collect())
    }

    /// Change each lead of `numbers` by `f` (given its index, the lead, its last contact, what
    /// its timeline holds already and the plan), all in one transaction: a history import's
    /// write. A dry run rolls it back.
    pub fn update_leads<F>(
        &mut self,
        numbers: &[i64],
        dry_run: bool,
        now: &Now,
        mut f: F,
    ) -> Result<()>
    where
        F: FnMut(
            usize,
            &Lead,
            Option<DateTime<Utc>>,
            &[Entry],
            &Plan,
        ) -> std::result::Result<Change, DomainError>,
    {
        let plan = self.plan.clone();
        let tx = self.write_tx()?;
        for (i, &number) in numbers.iter().enumerate() {
            let before = load_by_number(&tx, number)?;
            let last_contact: Option<i64> = tx
                .prepare_cached("SELECT last_contact FROM touches WHERE lead_uid = ?1")?
                .query_row([&before.uid], |r| r.get(0))
                .optional()?
                .flatten();
            let last_contact = last_contact.and_then(|t| DateTime::from_timestamp(t, 0));
            // What its timeline holds already, so that the same history imported again adds
            // nothing and moves nothing.
            let known: Vec<Entry> = tx
                .prepare_cached("SELECT kind, at, note FROM activities WHERE lead_uid = ?1")?
                .query_map([&before.uid], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
                })?
                .filter_map(|row| {
                    let (kind, at, note) = row.ok()?;
                    Some(Entry {
                        at: DateTime::from_timestamp(at, 0)?,
                        kind: kind.parse().ok()?,
                        outcome: None,
                        note,
                        event: None,
                    })
                })
                .collect();
            let change = f(i, &before, last_contact, &known, &plan)?;
            write_lead(&tx, Some(&before), &change.lead, now)?;
            write_entries(&tx, &before.uid, &change.entries, now)?;
        }
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle;
    use chrono::TimeZone;

    fn now() -> Now {
        Now::utc(chrono::Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    fn lead(name: &str, email: Option<&str>) -> Lead {
        let mut l = Lead::received(
            uuid::Uuid::now_v7().to_string(),
            name.into(),
            "me".into(),
            now().utc,
        );
        l.email = email.map(String::from);
        l
    }

    fn incoming(l: Lead, line: u64) -> std::result::Result<Incoming, DomainError> {
        Ok(Incoming::new(
            lifecycle::receive(l, &Plan::default(), &now()),
            line,
        ))
    }

    #[test]
    fn a_failing_batch_fails_the_import_and_leaves_the_book_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db"), Plan::default()).unwrap();
        let opts = ImportOptions::default();
        // 100 rows: a whole batch of 64 and single rows after it; the book refuses row 10.
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER refuse BEFORE INSERT ON leads WHEN NEW.name = 'L10' \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .unwrap();
        let rows: Vec<_> = (0..100)
            .map(|i| incoming(lead(&format!("L{i}"), None), i + 2))
            .collect();
        let err = store.import(rows, &opts, &now()).unwrap_err().to_string();
        assert!(err.contains("refused"), "{err}");
        assert_eq!(store.numbers_issued().unwrap(), 0);
        store.conn.execute_batch("DROP TRIGGER refuse").unwrap();
        // The connection is fine afterwards, its settings restored.
        let rows = (0..70).map(|i| incoming(lead(&format!("M{i}"), None), i + 2));
        assert_eq!(store.import(rows, &opts, &now()).unwrap().new, 70);
        assert_eq!(store.numbers_issued().unwrap(), 70);
        let fk: bool = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert!(fk);
        assert!(store.integrity_ok().unwrap());
    }

    #[test]
    fn name_and_company_match_only_when_an_email_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db"), Plan::default()).unwrap();
        let opts = ImportOptions::default();
        let at = |name: &str, email: Option<&str>| {
            let mut l = lead(name, email);
            l.company = Some("Acme".into());
            l
        };
        let rows = vec![
            incoming(at("Jane Doe", Some("jane@acme.example")), 2),
            incoming(at("Jane Doe", Some("jane.doe@other.example")), 3),
            incoming(at("jane doe", None), 4),
        ];
        let out = store.import(rows, &opts, &now()).unwrap();
        assert_eq!((out.new, out.merged), (2, 1));
        let out = store
            .import(vec![incoming(at("Jane Doe", None), 2)], &opts, &now())
            .unwrap();
        assert_eq!(out.merged, 1);
        assert!(out.notices[0].contains("in the book"), "{:?}", out.notices);
    }

    #[test]
    fn one_transaction_with_duplicates_in_the_file_and_the_book() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db"), Plan::default()).unwrap();
        let opts = ImportOptions {
            label: "f.csv".into(),
            ..ImportOptions::default()
        };
        let rows = vec![
            incoming(lead("Ann Lee", Some("a@x.example")), 2),
            incoming(lead("ANN LEE", Some("A@X.EXAMPLE")), 3),
            incoming(lead("B", None), 4),
        ];
        let out = store.import(rows, &opts, &now()).unwrap();
        assert_eq!((out.new, out.merged), (2, 1));
        let rows = vec![incoming(lead("Ann Lee", Some("a@x.example")), 2)];
        let out = store.import(rows, &opts, &now()).unwrap();
        assert_eq!(out.merged, 1);
        assert!(out.notices[0].contains("in the book"), "{:?}", out.notices);
        // A bad row rolls everything back.
        let rows = vec![
            incoming(lead("C", Some("c@x.example")), 2),
            Err(DomainError::Invalid("f.csv:3: bad".into())),
        ];
        assert!(store.import(rows, &opts, &now()).is_err());
        assert_eq!(store.find_by_email("c@x.example").unwrap(), None);
        // Dry runs roll back too, and the bulk path rebuilds its indexes.
        let bulk = ImportOptions {
            dry_run: true,
            rebuild_indexes: true,
            ..opts.clone()
        };
        let rows = vec![incoming(lead("D", Some("d@x.example")), 2)];
        assert_eq!(store.import(rows, &bulk, &now()).unwrap().new, 1);
        assert_eq!(store.find_by_email("d@x.example").unwrap(), None);
        let real = ImportOptions {
            rebuild_indexes: true,
            ..opts
        };
        let rows = vec![incoming(lead("E", Some("e@x.example")), 2)];
        store.import(rows, &real, &now()).unwrap();
        assert!(store.find_by_email("e@x.example").unwrap().is_some());
        assert!(store.integrity_ok().unwrap());
        let uid = store.find_by_email("a@x.example").unwrap().unwrap().0;
        let timeline = store.timeline(&uid, 10).unwrap();
        assert_eq!(
            timeline
                .iter()
                .filter(|a| a
                    .note
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("merged from f.csv"))
                .count(),
            2
        );
    }
}
