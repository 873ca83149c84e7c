//! A lead's operations: drafting and adding a lead, finding one by number, uid or words,
//! reading it and its timeline, applying a change, merging two, emptying the trash.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::derived::{drop_for_bulk, rebuild_after_bulk};
use super::query::{Filter, View};
use super::row::{
    LEAD_COLUMNS, LeadRow, lead_from_row, lead_row, load_lead, parse_col, row_select, ts,
};
use super::sources::book_spelling;
use super::write::{write_copies, write_entries, write_lead, write_merged_lead};
use super::{Result, Store, StoreError};
use crate::domain::event::Event;
use crate::domain::lead::owner_key;
use crate::domain::lifecycle::{self, Change, Entry};
use crate::domain::{Activity, ActivityKind, DomainError, Lead, Now, Status};

/// How [`Store::resolve_with`] reads words.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// Look in the trash before the live leads (to take a lead back out of it).
    pub trash_first: bool,
    /// A lead that is not the one meant (the lead a merge form merges away).
    pub except: Option<&'a str>,
}

/// What a user gives for a new lead; the rest is filled from the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLead {
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub source: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub value_cents: Option<i64>,
    /// The value's currency (ISO 4217) when not the book's own.
    pub currency: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub extra: Option<String>,
}

impl Store {
    /// Build the lead a [`NewLead`] describes, not yet saved.
    pub fn draft(&self, new: NewLead, now: &Now) -> Result<Lead> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(DomainError::Invalid("a lead needs a name".into()).into());
        }
        if let Some(problem) = new
            .email
            .as_deref()
            .and_then(crate::domain::lead::email_problem)
        {
            return Err(DomainError::Invalid(problem).into());
        }
        let owner = new.owner.filter(|o| !o.trim().is_empty()).map_or_else(
            || Ok(super::new_owner(&self.plan)),
            |o| super::owners::owner_spelling(&self.conn, o.trim()),
        )?;
        let mut lead = Lead::received(
            uuid::Uuid::now_v7().to_string(),
            name.to_string(),
            owner,
            new.received_at.unwrap_or(now.utc),
        );
        lead.company = new.company;
        lead.title = new.title;
        lead.email = new.email;
        lead.phone = new.phone;
        lead.website = new.website;
        lead.city = new.city;
        lead.country = new.country;
        lead.source = new.source;
        lead.tags = new.tags;
        lead.notes = new.notes;
        lead.value_cents = new.value_cents;
        lead.currency = self.plan.kept_currency(new.currency.as_deref());
        lead.external_id = new.external_id;
        lead.extra = new.extra;
        Ok(lead)
    }

    /// Add a lead as received; returns its number and uid.
    pub fn add_lead(&mut self, new: NewLead, now: &Now) -> Result<(i64, String)> {
        let mut lead = self.draft(new, now)?;
        let plan = self.plan.clone();
        let tx = self.write_tx()?;
        if let Some(s) = &lead.source {
            lead.source = Some(book_spelling(&tx, s)?);
        }
        let change = lifecycle::receive(lead, &plan, now);
        write_lead(&tx, None, &change.lead, now)?;
        write_entries(&tx, &change.lead.uid, &change.entries, now)?;
        let number = number_of(&tx, &change.lead.uid)?;
        tx.commit()?;
        Ok((number, change.lead.uid))
    }

    /// Save new leads with their timelines, all in one transaction: they land whole or not at
    /// all. Takes an iterator so that a million leads need not sit in memory at once.
    pub fn insert_changes<I>(&mut self, changes: I, now: &Now) -> Result<usize>
    where
        I: IntoIterator<Item = Change>,
    {
        // Room for the indexes' pages as rows land all over them; then back to what it was.
        let before: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.cache_kib(super::BULK_CACHE_KIB)?;
        let n = self.insert_changes_in_tx(changes, now);
        self.conn.pragma_update(None, "cache_size", before)?;
        n
    }

    fn insert_changes_in_tx<I>(&mut self, changes: I, now: &Now) -> Result<usize>
    where
        I: IntoIterator<Item = Change>,
    {
        let zone = self.month_zone;
        let queue = self.queue.clone();
        let mut tx = self.write_tx()?;
        tx.bulk()?;
        // The cached counts and contacts are rebuilt once at the end, not row by row.
        drop_for_bulk(&tx, true)?;
        let mut n = 0;
        for c in changes {
            write_lead(&tx, None, &c.lead, now)?;
            write_entries(&tx, &c.lead.uid, &c.entries, now)?;
            n += 1;
        }
        rebuild_after_bulk(&tx, zone)?;
        Store::ready_for_open(&queue, zone, &tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// Find a lead by its number, a unique prefix of its uid, or words that match it alone
    /// ([`Store::resolve_words`]): among the live leads, then the trash.
    pub fn resolve(&self, reference: &str) -> Result<String> {
        self.resolve_with(reference, Lookup::default())
    }

    /// [`Store::resolve`], with words read as `how` says.
    pub fn resolve_with(&self, reference: &str, how: Lookup<'_>) -> Result<String> {
        let words: Vec<&str> = reference.split_whitespace().collect();
        let number = |w: &&str| w.trim_start_matches('#').parse::<i64>().is_ok();
        if words.len() > 1 && words.iter().all(number) {
            return Err(DomainError::Invalid(format!(
                "\"{}\" names {} leads; give one at a time",
                reference.trim(),
                words.len()
            ))
            .into());
        }
        let r = reference.trim().trim_start_matches('#');
        if let Ok(n) = r.parse::<i64>() {
            let uid: Option<String> = self
                .conn
                .prepare_cached("SELECT lead_uid FROM lead_numbers WHERE number = ?1")?
                .query_row([n], |row| row.get(0))
                .optional()?;
            if let Some(uid) = uid {
                return Ok(uid);
            }
        }
        if r.is_empty() {
            return Err(DomainError::Invalid("no lead given".into()).into());
        }
        let hex_ok = r.len() >= 4 && r.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if hex_ok {
            let prefix = r.to_ascii_lowercase();
            let mut stmt = self.conn.prepare_cached(
                "SELECT uid FROM leads WHERE uid >= ?1 AND uid < ?1 || 'g' LIMIT 2",
            )?;
            let found: Vec<String> = stmt
                .query_map([&prefix], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            match found.len() {
                0 => {}
                1 => return Ok(found.into_iter().next().unwrap_or_default()),
                _ => return Err(StoreError::Ambiguous(r.to_string())),
            }
        }
        // Only words with a letter in them name a lead by words. A number (`12`, `12.`, one
        // too long for a number) names a lead by its number only: a typo in a script's number
        // must not fall through to a lead with those digits in its e-mail; and text with no
        // word at all (`?`) would match every lead.
        let words = super::search::words(r);
        if words.iter().all(|w| w.chars().all(|c| c.is_ascii_digit())) {
            return Err(StoreError::NotFound(r.to_string()));
        }
        self.resolve_words(r, how)
    }

    /// The one lead whose name, company, e-mail, tags or loss reason the words start (as the
    /// filter reads them), among the live leads, then in the trash (the other way round with
    /// `how.trash_first`), never `how.except`. More than one is an error that names the first
    /// few, with their numbers.
    fn resolve_words(&self, words: &str, how: Lookup<'_>) -> Result<String> {
        const SHOWN: usize = 5;
        let filter = Filter {
            text: Some(words.to_string()),
            ..Filter::default()
        };
        let views = if how.trash_first {
            [View::Trash, View::All]
        } else {
            [View::All, View::Trash]
        };
        for view in views {
            let mut found = self.list(&view, &filter, 0, SHOWN + 2)?;
            found.retain(|r| Some(r.lead.uid.as_str()) != how.except);
            found.truncate(SHOWN + 1);
            match found.as_slice() {
                [] => continue,
                [one] => return Ok(one.lead.uid.clone()),
                many => {
                    let mut shown: Vec<&LeadRow> = many.iter().take(SHOWN).collect();
                    shown.sort_by_key(|r| r.number);
                    let mut names: Vec<String> = shown
                        .iter()
                        .map(|r| format!("#{} {}", r.number, r.lead.display_name()))
                        .collect();
                    if many.len() > SHOWN {
                        names.push("…".into());
                    }
                    return Err(StoreError::Matches {
                        words: words.to_string(),
                        leads: names.join(", "),
                    });
                }
            }
        }
        Err(StoreError::NotFound(words.to_string()))
    }

    /// One lead with its number and timeline facts.
    pub fn lead(&self, uid: &str) -> Result<LeadRow> {
        let sql = format!(
            "SELECT {} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid WHERE l.uid = ?1",
            row_select()
        );
        self.conn
            .prepare_cached(&sql)?
            .query_row([uid], lead_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(uid.to_string()))
    }

    /// A lead's timeline, newest first.
    pub fn timeline(&self, uid: &str, limit: usize) -> Result<Vec<Activity>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, lead_uid, at, kind, outcome, note, \
             CASE WHEN author IS NOT ?3 OR event = 'handed-over' THEN author END, event \
             FROM activities WHERE lead_uid = ?1 ORDER BY at DESC, uid DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![uid, limit as i64, self.author], |r| {
            Ok(Activity {
                uid: r.get(0)?,
                lead_uid: r.get(1)?,
                at: ts(Some(r.get(2)?)).unwrap_or_default(),
                kind: parse_col::<ActivityKind>(r, 3)?,
                outcome: r.get(4)?,
                note: r.get(5)?,
                author: r.get(6)?,
                event: r
                    .get::<_, Option<String>>(7)?
                    .as_deref()
                    .and_then(Event::parse),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Apply a domain transition to one lead in one transaction: read it, let `f` decide, write
    /// the changed fields and the new timeline entries. Returns the lead as it now is.
    pub fn apply<F>(&mut self, uid: &str, now: &Now, f: F) -> Result<LeadRow>
    where
        F: FnOnce(&Lead, &crate::domain::Plan) -> Result<Change, DomainError>,
    {
        let plan = self.plan.clone();
        let tx = self.write_tx()?;
        let before = load_lead(&tx, uid)?;
        if purged(&tx, uid)? {
            return Err(DomainError::NotAllowed(format!(
                "#{} was purged from the trash: only its tombstone is left",
                number_of(&tx, uid)?
            ))
            .into());
        }
        let mut change = f(&before, &plan)?;
        lifecycle::check_trash(&before, &change.lead)?;
        // A new source is spelled as the book spells it; the same one retyped (its case
        // mended) is kept as typed.
        let key = |s: &Option<String>| s.as_deref().map(crate::domain::lead::source_key);
        if key(&change.lead.source) != key(&before.source)
            && let Some(s) = &change.lead.source
        {
            change.lead.source = Some(book_spelling(&tx, s)?);
        }
        // And a new owner as the book spells them ("owners are names, spelled once").
        // (The same owner retyped keeps the lead's spelling: one spelling per owner.)
        change.lead.owner = if owner_key(&change.lead.owner) == owner_key(&before.owner) {
            before.owner.clone()
        } else {
            super::owners::owner_spelling(&tx, change.lead.owner.trim())?
        };
        write_lead(&tx, Some(&before), &change.lead, now)?;
        write_entries(&tx, uid, &change.entries, now)?;
        tx.commit()?;
        self.lead(uid)
    }

    /// Merge the lead `gone` into the lead `kept` in one transaction (see
    /// [`crate::domain::merge::merge_by_hand`]): `kept` takes what `gone` adds and a copy of its
    /// timeline; `gone` goes to the trash with its own timeline whole (timelines only grow, on
    /// every laptop the book is shared with). Returns `kept` as it now is.
    pub fn merge(&mut self, gone: &str, kept: &str, now: &Now) -> Result<LeadRow> {
        let tx = self.write_tx()?;
        let kept_before = load_lead(&tx, kept)?;
        let gone_before = load_lead(&tx, gone)?;
        let (k, g) = crate::domain::merge::merge_by_hand(&kept_before, &gone_before, now)?;
        // The copy first, oldest first (new uids keep the order of entries at the same moment),
        // so that the entries below come after it.
        let copies = {
            let mut stmt = tx.prepare_cached(
                "SELECT at, kind, outcome, note, event, uid, created_at, author FROM activities \
                 WHERE lead_uid = ?1 ORDER BY at, uid",
            )?;
            let rows = stmt.query_map([gone], |r| {
                let kind = parse_col::<ActivityKind>(r, 1)?;
                let note: Option<String> = r.get(3)?;
                let code: Option<String> = r.get(4)?;
                // The copy records what the entry did, in the words it said (an entry written
                // before events were typed by its old words).
                let event = Event::of_entry(kind, code.as_deref(), note.as_deref());
                Ok((
                    Entry {
                        at: ts(Some(r.get(0)?)).unwrap_or_default(),
                        kind,
                        outcome: r.get(2)?,
                        note,
                        event,
                    },
                    (
                        r.get::<_, String>(5)?,
                        (r.get::<_, i64>(6)?, r.get::<_, Option<String>>(7)?),
                    ),
                ))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let took_state = k.lead.status != kept_before.status;
        let (copies, origins): (Vec<Entry>, Vec<(String, super::write::Written)>) =
            copies.into_iter().unzip();
        let copies = crate::domain::merge::copied_timeline(copies, took_state);
        // Each copy is made from the merge and the entry copied alone — its uid, its time
        // written (the original's) — so that the same merge made on two laptops copies each
        // entry once, as one row. Whether the lead took the duplicate's state changes what a
        // copy says (see `copied_timeline`), so it is in the uid too: rows that differ never
        // share one.
        let how = if took_state {
            "took state"
        } else {
            "kept state"
        };
        let uids: Vec<String> = origins
            .iter()
            .map(|(o, _)| crate::domain::changes::copy_uid(o, &[kept, gone, o, how]))
            .collect();
        // A copy keeps when and by whom its original was written.
        let created: Vec<super::write::Written> = origins.into_iter().map(|(_, w)| w).collect();
        write_copies(&tx, kept, &copies, &uids, &created, now)?;
        write_merged_lead(&tx, &kept_before, &k.lead, gone, now)?;
        write_entries(&tx, kept, &k.entries, now)?;
        write_lead(&tx, Some(&gone_before), &g.lead, now)?;
        write_entries(&tx, gone, &g.entries, now)?;
        tx.commit()?;
        self.lead(kept)
    }

    /// Another lead (not in the trash) that `lead` looks like a duplicate of, as an import
    /// would match it: the same e-mail (any case), else the same name and company. Its number,
    /// its [`Lead::display_name`] and why. Both are look-ups, not scans: the e-mail index, the
    /// word index.
    pub fn duplicate_of(&self, lead: &Lead) -> Result<Option<(i64, String, &'static str)>> {
        let found = |r: &Row| -> rusqlite::Result<(i64, String)> {
            Ok((r.get(0)?, lead_from_row(r, 1)?.display_name()))
        };
        if let Some(email) = lead.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let by_email = self
                .conn
                .prepare_cached(&format!(
                    "SELECT n.number, {LEAD_COLUMNS} FROM leads l \
                     JOIN lead_numbers n ON n.lead_uid = l.uid \
                     WHERE lower(l.email) = lower(?1) AND l.email IS NOT NULL \
                     AND l.deleted_at IS NULL AND l.uid <> ?2 ORDER BY l.created_at LIMIT 1"
                ))?
                .query_row([email.trim(), &lead.uid], found)
                .optional()?;
            if let Some((n, name)) = by_email {
                return Ok(Some((n, name, "same e-mail")));
            }
        }
        let Some(company) = lead.company.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Ok(None);
        };
        let Some(expr) = super::search::exact_expr(&format!("{} {company}", lead.name)) else {
            return Ok(None);
        };
        // The same words, as the filter reads them (case and accents aside): "Soren Muller"
        // typed again is Søren Müller. A warning and an offer to merge, never a merge by
        // itself, so the looser match costs nothing if it is wrong.
        let same = super::search::same_words;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT n.number, {LEAD_COLUMNS} FROM leads_search s \
             JOIN leads l ON l.rowid = s.rowid \
             JOIN lead_numbers n ON n.lead_uid = l.uid \
             WHERE leads_search MATCH ?1 AND l.deleted_at IS NULL \
             AND l.uid <> ?2 ORDER BY l.created_at LIMIT 1000"
        ))?;
        let rows = stmt.query_map([&expr, &lead.uid], |r| {
            Ok((r.get::<_, i64>(0)?, lead_from_row(r, 1)?))
        });
        // A word the index cannot look up as one (its tokenizer splits what the filter reads
        // as one word) fails the query: no duplicate found that way, not an error.
        let Ok(rows) = rows else {
            return Ok(None);
        };
        for row in rows {
            let Ok((n, other)) = row else {
                return Ok(None);
            };
            let same_firm = other.company.as_deref().is_some_and(|c| same(c, company));
            if same_firm && same(&other.name, &lead.name) {
                return Ok(Some((n, other.display_name(), "same name and company")));
            }
        }
        Ok(None)
    }

    /// Purge the personal data of every lead in the trash, keeping each row as a tombstone (a
    /// shared book never deletes rows). Returns how many were purged.
    pub fn empty_trash(&mut self, now: &Now) -> Result<usize> {
        let tx = self.write_tx()?;
        let uids = tx
            .prepare_cached(
                "SELECT uid FROM leads INDEXED BY leads_deleted \
                 WHERE deleted_at IS NOT NULL AND purged_at IS NULL",
            )?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for uid in &uids {
            let lead = load_lead(&tx, uid)?;
            super::changes::record(&tx, uid, &[crate::domain::changes::purge(&lead)], now)?;
            super::changes::apply_purge(&tx, uid, now.utc.timestamp())?;
        }
        tx.commit()?;
        Ok(uids.len())
    }

    /// Whether a lead with this e-mail (any case) exists; its uid and status if so.
    pub fn find_by_email(&self, email: &str) -> Result<Option<(String, Status)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT uid, status FROM leads WHERE lower(email) = lower(?1) \
                 AND email IS NOT NULL AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
            )?
            .query_row([email.trim()], |r| Ok((r.get(0)?, parse_col(r, 1)?)))
            .optional()?)
    }
}

/// Whether the trash was emptied of this lead: a tombstone, whose data is gone for good.
fn purged(tx: &Transaction, uid: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT purged_at IS NOT NULL FROM leads WHERE uid = ?1")?
        .query_row([uid], |r| r.get(0))?)
}

fn number_of(tx: &Transaction, uid: &str) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT number FROM lead_numbers WHERE lead_uid = ?1")?
        .query_row([uid], |r| r.get(0))?)
}
