//! Owners: the book's spellings of them, whose leads a list shows (mine, everyone's, one
//! owner's), `ripen owner list`, renaming an owner book-wide, handing leads over, and which of my
//! leads are new to me. An owner is one owner however typed
//! ([`crate::domain::lead::owner_key`]): the book keeps the first spelling it saw.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::query::{Counts, Filter, OwnerSet};
use super::row::load_lead;
use super::sources::distinct;
use super::write::{write_entries, write_lead};
use super::{Result, Store};
use crate::domain::changes::clock_millis;
use crate::domain::lead::{Whose, is_unassigned, owner_key, owner_row, spelled_as};
use crate::domain::money::Money;
use crate::domain::{DomainError, Now, lifecycle};

/// Every owner the book's live leads name, once per spelling, in `leads_by_owner` order: one
/// seek per spelling, whatever the size of the book.
pub(super) fn book_owners(conn: &Connection) -> Result<Vec<String>> {
    distinct(
        conn,
        "SELECT owner FROM leads INDEXED BY leads_by_owner WHERE deleted_at IS NULL \
         AND owner > ?1 ORDER BY owner LIMIT 1",
    )
}

/// An owner as the book already spells it: "sam rep" is the book's "Sam Rep".
pub(super) fn owner_spelling(conn: &Connection, owner: &str) -> Result<String> {
    let known = book_owners(conn)?;
    if known.iter().any(|k| k == owner) {
        return Ok(owner.to_string());
    }
    Ok(spelled_as(owner, known.iter().map(String::as_str)))
}

/// One owner of `ripen owner list`: the book's spelling, whether it is the default owner (no
/// one's yet), their active leads (new, working, open), and how many of those are due today
/// and overdue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerListRow {
    pub owner: String,
    pub unassigned: bool,
    pub leads: i64,
    pub due_today: i64,
    pub overdue: i64,
}

/// What a rename did: the spellings it replaced and how many leads it respelled.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerRenamed {
    pub to: String,
    pub from: Vec<String>,
    pub leads: usize,
}

/// What a hand-over did: the owner as the book spells them, the leads handed (number, name),
/// and how many already were theirs.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    pub owner: String,
    pub handed: Vec<(i64, String)>,
    pub already: usize,
}

/// The owners the reports are narrowed to, shared with the SQL function that reads it.
pub(super) type Scope = std::sync::Arc<std::sync::Mutex<Option<HashSet<String>>>>;

/// The SQL function's name: `ripen_scoped(owner)` is true for a lead of the owners in scope
/// (every lead when none is).
const SCOPED_FN: &str = "ripen_scoped";

/// Register `ripen_scoped(owner)` on a connection, reading `scope`.
pub(super) fn register(conn: &Connection, scope: &Scope) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    let scope = scope.clone();
    conn.create_scalar_function(SCOPED_FN, 1, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let owner: Option<String> = ctx.get(0)?;
        let scope = scope.lock().map_err(|_| {
            rusqlite::Error::UserFunctionError("the report's owners are unreadable".into())
        })?;
        Ok(match (scope.as_ref(), owner) {
            (None, _) => true,
            (Some(set), Some(o)) => set.contains(&o),
            (Some(_), None) => false,
        })
    })?;
    Ok(())
}

/// A report statement narrowed to the owners in scope: every `WHERE` (the statements read one
/// table each, whose `owner` the condition names) also asks `ripen_scoped(owner)`.
pub(super) fn scoped_sql(sql: &str) -> String {
    sql.replace("WHERE ", &format!("WHERE {SCOPED_FN}(owner) AND "))
}

impl Store {
    /// Run `f` (reports) narrowed to `owners` (None: the whole book), then widen again.
    pub fn scoped_to<T>(&self, owners: Option<&OwnerSet>, f: impl FnOnce(&Store) -> T) -> T {
        let set = |v: Option<HashSet<String>>| {
            if let Ok(mut s) = self.scope.lock() {
                *s = v;
            }
        };
        set(owners.map(|o| o.0.iter().cloned().collect()));
        let out = f(self);
        set(None);
        out
    }

    /// The owners in scope, as a filter (for what the reports read outside SQL).
    pub(super) fn scope_filter(&self) -> Option<Filter> {
        let scope = self.scope.lock().ok()?;
        let set = scope.as_ref()?;
        let mut owners: Vec<String> = set.iter().cloned().collect();
        owners.sort();
        Some(Filter {
            owners: Some(OwnerSet(owners)),
            ..Filter::default()
        })
    }

    /// Who I am (see [`super::author_of`]): whose leads are "mine".
    pub fn me(&self) -> &str {
        &self.author
    }

    /// The leads a [`Whose`] covers, as a filter's owners: None for everyone's, and for mine
    /// when every owner in the book is mine or no one's (a book of one, whose lists and counts
    /// are then exactly as they were), or when I never said who I am (no `user`, no
    /// `RIPEN_USER`) and my login name owns no lead: ripen cannot tell which of the book's
    /// owners I am, and shows the whole book rather than guess.
    pub fn owners_of(&self, whose: &Whose) -> Result<Option<OwnerSet>> {
        if *whose == Whose::Everyone {
            return Ok(None);
        }
        let all = book_owners(&self.conn)?;
        if *whose == Whose::Mine
            && super::named_user(&self.plan).is_none()
            && !all.iter().any(|o| Whose::is_mine(&self.author, o))
        {
            return Ok(None);
        }
        let picked: Vec<String> = all
            .iter()
            .filter(|o| whose.covers(&self.author, o))
            .cloned()
            .collect();
        if *whose == Whose::Mine && picked.len() == all.len() {
            return Ok(None);
        }
        Ok(Some(OwnerSet(picked)))
    }

    /// The book's spelling of an owner (as typed when the book has none like it).
    pub fn owner_spelling(&self, owner: &str) -> Result<String> {
        owner_spelling(&self.conn, owner.trim())
    }

    /// Every owner in the book, once however spelled (the first spelling in index order), with
    /// their active leads, due today and overdue: mine first, then A to Z, the unassigned last.
    pub fn owner_list(&self, now: &Now) -> Result<Vec<OwnerListRow>> {
        let today = now.start_of_today().timestamp();
        let tomorrow = now.start_of_tomorrow().timestamp();
        let mut stmt = self.conn.prepare_cached(
            "SELECT owner, count(*), \
               coalesce(sum(next_follow_up < ?2 AND next_follow_up >= ?1), 0), \
               coalesce(sum(next_follow_up < ?1), 0) \
             FROM leads INDEXED BY leads_due_by_owner \
             WHERE status IN ('new','working','open') AND deleted_at IS NULL GROUP BY owner",
        )?;
        let counted = stmt
            .query_map(params![today, tomorrow], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out: Vec<OwnerListRow> = Vec::new();
        for owner in book_owners(&self.conn)? {
            // One row per owner however spelled, one for all the unassigned.
            let key = owner_row(&owner);
            let i = match out.iter().position(|r| owner_row(&r.owner) == key) {
                Some(i) => i,
                None => {
                    out.push(OwnerListRow {
                        owner: owner.clone(),
                        unassigned: is_unassigned(&owner),
                        leads: 0,
                        due_today: 0,
                        overdue: 0,
                    });
                    out.len() - 1
                }
            };
            let row = &mut out[i];
            for (o, leads, due, overdue) in &counted {
                if *o == owner {
                    row.leads += leads;
                    row.due_today += due;
                    row.overdue += overdue;
                }
            }
        }
        let me = owner_key(&self.author);
        out.sort_by_key(|r| {
            (
                r.unassigned,
                owner_key(&r.owner) != me,
                r.owner.to_lowercase(),
            )
        });
        Ok(out)
    }

    /// What the tabs and `ripen status` count, for the leads of `owners` only (None: the
    /// book's). Both from the cached tallies (see `tally.rs`), which keep these counts per
    /// owner too: a few look-ups per owner whatever the size of the book or of their share.
    pub fn counts_of(&self, now: &Now, owners: Option<&OwnerSet>) -> Result<Counts> {
        use super::tally::owned_kind;
        let Some(owners) = owners else {
            return self.counts(now);
        };
        let today = now.start_of_today().timestamp();
        let tomorrow = now.start_of_tomorrow().timestamp();
        let breach = now.utc.timestamp() - self.plan.first_contact.breach_hours * 3600;
        let mut c = Counts::default();
        let (mut due, mut home) = (0, 0);
        let mut seen = HashSet::new();
        for o in owners.0.iter().filter(|o| seen.insert(o.as_str())) {
            let before = |kind: &str, t: i64| {
                self.tally_split_before(&owned_kind(kind, "/d", o), &owned_kind(kind, "/s", o), t)
            };
            c.inbox += self.tally_total(&owned_kind("inbox", "", o))?.0;
            c.inbox_late += before("new", breach)?.0;
            c.overdue += before("due", today)?.0;
            due += before("due", tomorrow)?.0;
            c.recycled += self.tally_total(&owned_kind("rec", "", o))?.0;
            c.recycled_due += before("rec", tomorrow)?.0;
            let (n, cents) = self.tally_total(&owned_kind("open", "", o))?;
            c.pipeline += n;
            home += cents;
        }
        c.queue = due + c.recycled_due;
        c.due_today = due - c.overdue;
        // The pipeline's value in the book's currency, then those in others (few: their own
        // index), as the book's counts take it.
        let filter = Filter {
            owners: Some(owners.clone()),
            ..Filter::default()
        };
        let value = Money::of(
            &self.plan,
            home,
            self.foreign_open(&filter)?.iter().map(|f| f.pair()),
        );
        c.pipeline_value_cents = value.cents;
        c.pipeline_apart = value.apart;
        Ok(c)
    }

    /// Spell an owner `to` throughout the book, in one transaction: every lead (trash included,
    /// not a purged one) whose owner is `from` or `to` however typed takes the spelling `to`,
    /// one change each, with a timeline entry naming the old spelling. `from` must be an owner
    /// the book knows.
    pub fn rename_owner(&mut self, from: &str, to: &str, now: &Now) -> Result<OwnerRenamed> {
        let (from, to) = (
            from.trim(),
            to.split_whitespace().collect::<Vec<_>>().join(" "),
        );
        if to.is_empty() {
            return Err(DomainError::Invalid("an owner needs a name".into()).into());
        }
        let tx = self.write_tx()?;
        let (kf, kt) = (owner_key(from), owner_key(&to));
        let mut known = book_owners(&tx)?;
        known.extend(
            tx.prepare_cached(
                "SELECT DISTINCT owner FROM leads INDEXED BY leads_deleted \
                 WHERE deleted_at IS NOT NULL AND purged_at IS NULL",
            )?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        );
        if !known.iter().any(|s| owner_key(s) == kf) {
            return Err(DomainError::Invalid(format!(
                "no lead has the owner \"{}\"; `ripen owner list` lists them",
                crate::domain::text::clean_line(from)
            ))
            .into());
        }
        let mut spellings: Vec<String> = known
            .into_iter()
            .filter(|s| *s != to && [&kf, &kt].contains(&&owner_key(s)))
            .collect();
        spellings.sort();
        spellings.dedup();
        let mut leads = 0;
        for s in &spellings {
            let uids = tx
                .prepare_cached("SELECT uid FROM leads WHERE owner = ?1 AND purged_at IS NULL")?
                .query_map([s], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for uid in uids {
                let before = load_lead(&tx, &uid)?;
                let change = lifecycle::owner_renamed(&before, &to, now);
                write_lead(&tx, Some(&before), &change.lead, now)?;
                write_entries(&tx, &uid, &change.entries, now)?;
                leads += 1;
            }
        }
        tx.commit()?;
        Ok(OwnerRenamed {
            to,
            from: spellings,
            leads,
        })
    }

    /// Hand leads to `owner` (as the book spells them), in one transaction: each a change of
    /// owner and a timeline entry saying from whom to whom. A lead already theirs is left as it
    /// is. Every uid must name a lead (resolve them first): one that does not fails the whole.
    pub fn assign(&mut self, uids: &[String], owner: &str, now: &Now) -> Result<Assigned> {
        let owner = owner.split_whitespace().collect::<Vec<_>>().join(" ");
        if owner.is_empty() {
            return Err(DomainError::Invalid("a lead needs an owner".into()).into());
        }
        let tx = self.write_tx()?;
        let owner = owner_spelling(&tx, &owner)?;
        let mut out = Assigned {
            owner: owner.clone(),
            handed: Vec::new(),
            already: 0,
        };
        for uid in uids {
            let before = load_lead(&tx, uid)?;
            let (number, purged): (i64, bool) = tx
                .prepare_cached(
                    "SELECT n.number, l.purged_at IS NOT NULL FROM leads l \
                     JOIN lead_numbers n ON n.lead_uid = l.uid WHERE l.uid = ?1",
                )?
                .query_row([uid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if purged {
                return Err(DomainError::NotAllowed(format!(
                    "#{number} was purged from the trash: only its tombstone is left"
                ))
                .into());
            }
            if before.owner == owner {
                out.already += 1;
                continue;
            }
            let change = lifecycle::handed_over(&before, &owner, now)?;
            write_lead(&tx, Some(&before), &change.lead, now)?;
            write_entries(&tx, uid, &change.entries, now)?;
            out.handed.push((number, before.name.clone()));
        }
        tx.commit()?;
        Ok(out)
    }

    /// Which of these leads are new to me: mine, handed to me by someone else, and untouched by
    /// me since (no change and no timeline entry of mine after the hand-over). A few look-ups
    /// per lead: ask it for the leads on screen.
    pub fn new_to_me<'a>(
        &self,
        leads: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<HashSet<String>> {
        let me = self.author.as_str();
        let mut out = HashSet::new();
        let mut last = self.conn.prepare_cached(
            "SELECT clock, author FROM lead_changes INDEXED BY lead_changes_by_lead \
             WHERE lead_uid = ?1 AND field = 'owner' ORDER BY clock DESC LIMIT 1",
        )?;
        let mut since = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM lead_changes INDEXED BY lead_changes_by_lead \
                 WHERE lead_uid = ?1 AND clock > ?2 AND author = ?3) \
             OR EXISTS (SELECT 1 FROM activities INDEXED BY activities_by_lead \
                 WHERE lead_uid = ?1 AND author = ?3 AND created_at * 1000 > ?4)",
        )?;
        for (uid, owner) in leads {
            if !Whose::is_mine(me, owner) {
                continue;
            }
            let Some((clock, by)) = last
                .query_row([uid], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
                })
                .optional()?
            else {
                continue;
            };
            if by.is_none_or(|b| owner_key(&b) == owner_key(me)) {
                continue;
            }
            let touched: bool =
                since.query_row(params![uid, clock, me, clock_millis(clock)], |r| r.get(0))?;
            if !touched {
                out.insert(uid.to_string());
            }
        }
        Ok(out)
    }
}
