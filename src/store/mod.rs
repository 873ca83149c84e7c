//! The only code that speaks SQL: opening the book (permissions, pragmas, migrations), the
//! queries each view needs, and the transactions that write.
//!
//! Where things are. Leaves, importing no sibling: `row` (a lead's row: every place the columns
//! of `leads` are spelled, its decode and its values), `query` (the vocabulary: views, filters,
//! counts, placed rows), `report_rows` (what the reports return), `schema`, `search`, `file`,
//! `months`, `match_keys`. Above them: `write` (the one way a lead and its timeline are
//! written), `view_sql` (a view as SQL) and `lists` (listing and counting a view), `foreign`
//! (values in other currencies), `ripening`, `sources`, `owners`, `leads` (a lead's operations: add,
//! resolve, apply, merge, trash), `import`, `reports`, and `derived` (the local tables rebuilt
//! from the shared ones, with `tally`, `touches`, `contacts`, `uncontacted`). No two siblings
//! import each other.

mod changes;
mod contacts;
mod derived;
mod events;
mod file;
mod fold;
mod foreign;
mod import;
mod leads;
mod lists;
mod match_keys;
mod months;
mod outbox;
mod owners;
mod query;
mod report_rows;
mod reports;
mod ripening;
mod row;
pub mod schema;
mod search;
pub mod session;
mod sources;
pub mod sync;
mod tally;
mod touches;
mod tuning;
mod uids;
mod uncontacted;
mod view_sql;
mod write;

pub use file::{ReadOnly, temp_beside};
pub use fold::Rebuilt;
pub use foreign::Foreign;
pub use import::{ImportOptions, ImportOutcome, Incoming, Link, LinkBy, MatchOn, OnDuplicate};
pub use leads::{Lookup, NewLead};
pub use owners::{Assigned, OwnerListRow, OwnerRenamed};
pub use query::{Counts, Filter, OwnerSet, PipelineColumn, Placed, View};
pub use report_rows::{
    By, CohortRow, Discipline, ForecastRow, FunnelRow, LossRow, OwnerRow, Period, RecycleOutcome,
    SourceRow, SpeedRow,
};
pub use ripening::RipeBucket;
pub use row::LeadRow;
pub use sources::{Renamed, SetCost, SourceListRow};
pub use tuning::phase;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::time::Tz;
use crate::domain::{DomainError, Plan};
use derived::{
    DERIVED, TRIGGERS_FINGERPRINT, current_indexes, derived_fresh, fnv, install_triggers,
    rebuild_set, stale_indexes, wanted_indexes,
};

/// The page cache of a one-shot command, in KiB; the app raises its own (see
/// [`Store::cache_kib`]).
pub const COMMAND_CACHE_KIB: i64 = 256;

/// The page cache of a bulk load, in KiB: it builds or fills indexes over a million rows.
pub const BULK_CACHE_KIB: i64 = 256 * 1024;

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// How long the app waits so: long enough for a CLI command's write, short enough that a key
/// never hangs behind a long import without a word.
pub const APP_BUSY_TIMEOUT: Duration = Duration::from_secs(3);

impl StoreError {
    /// Whether another process held the book for longer than the wait.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error(
        "{path}: this book was written by a newer ripen (schema {found}, this ripen knows {known}); upgrade ripen — the file was left untouched"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{0}: the book needs upgrading but can only be read here; open it where it can be written"
    )]
    ReadOnlyOld(PathBuf),
    #[error("{0}: not a ripen book (or damaged)")]
    NotABook(PathBuf),
    #[error("{0}: not a file a book can be kept in")]
    NotAFile(PathBuf),
    #[error("{0}: a file is already there; choose another path")]
    Exists(PathBuf),
    #[error("{0}")]
    ReadOnlyWrite(String),
    #[error("no lead {0}")]
    NotFound(String),
    #[error("\"{0}\" matches more than one lead; give more of the uid")]
    Ambiguous(String),
    #[error("\"{words}\" matches more than one lead: {leads}; give its number")]
    Matches { words: String, leads: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Session(#[from] session::SessionError),
    #[error("{0}")]
    Sync(String),
    /// A sync file this book will not take, and why: nothing of it was applied.
    #[error("{0}")]
    Unfit(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who the user is, when they said so: `RIPEN_USER`, else the config's `user` where it is not
/// the default ("me").
pub(crate) fn named_user(plan: &Plan) -> Option<String> {
    if let Ok(u) = std::env::var("RIPEN_USER")
        && !u.trim().is_empty()
    {
        return Some(u.trim().to_string());
    }
    (plan.user != Plan::default().user).then(|| plan.user.clone())
}

/// Who I am: who a book's changes are by, and whose leads are "mine". The user as named
/// ([`named_user`]), else the operating system's user name.
pub fn author_of(plan: &Plan) -> String {
    named_user(plan).unwrap_or_else(|| {
        ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| plan.user.clone())
    })
}

/// The owner of a lead that names none (typed in, or an imported row without one): the user
/// as named ([`named_user`]), else the default owner, which no one has yet (it is in everyone's
/// "mine": [`crate::domain::lead::is_unassigned`]).
pub fn new_owner(plan: &Plan) -> String {
    named_user(plan).unwrap_or_else(|| plan.user.clone())
}

/// An open book.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    plan: Plan,
    /// Who writes through it (see [`author_of`]).
    author: String,
    queue: view_sql::QueueSql,
    /// The report statements prepared, while [`Store::report_plans`] collects them.
    plans: std::cell::RefCell<Option<Vec<String>>>,
    /// The last filter text [`Store::few_matches`] weighed, and what it found: a board asks
    /// the same of each of its columns. Only which way the matches are read depends on it,
    /// never which leads match, so a slightly stale answer costs nothing but time.
    few: std::cell::RefCell<Option<(String, Option<bool>)>>,
    /// The owners the reports are narrowed to (`ripen report --owner`), read by the SQL
    /// function `ripen_scoped(owner)`: see [`Store::scoped_to`].
    scope: owners::Scope,
    /// Whether this connection keeps the derived tables current: see [`Store::prepare_writes`].
    writer: bool,
    /// Why the book could only be opened for reading, if it was.
    read_only: Option<ReadOnly>,
    /// The zone of the months the derived tables store and the reports step through.
    month_zone: crate::domain::time::Tz,
}

impl Store {
    /// Open (creating if needed) the book at `path`: the folder 0700 and the file 0600 when
    /// ripen creates them, WAL, a busy timeout, foreign keys, and migrations (after a backup).
    pub fn open(path: &Path, plan: Plan) -> Result<Store> {
        Self::open_telling(path, plan, &mut |_| {})
    }

    /// [`Store::open`], telling `say` before work that takes a while on a big book: an upgrade
    /// of its schema (with the copy kept beside it), or a rebuild of an index or a derived table
    /// whose definition changed. A new book is built silently.
    pub fn open_telling(path: &Path, plan: Plan, say: &mut dyn FnMut(&str)) -> Result<Store> {
        file::refuse_non_file(path)?;
        // Refuse a newer book before SQLite opens it: closing would checkpoint its log.
        let too_new = |found: i64| StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: schema::LATEST,
        };
        if let Some(found) = file::header_version(path)?.filter(|v| *v > schema::LATEST) {
            return Err(too_new(found));
        }
        // A book this process may only read opens for reading, and leaves no file behind.
        let read_only = if path.exists() {
            file::read_only(path)
        } else {
            None
        };
        let conn = match read_only {
            Some(_) => Connection::open_with_flags(
                file::read_only_uri(path),
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?,
            None => {
                file::create_private(path)?;
                file::mend_side_files(path);
                Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE
                        | OpenFlags::SQLITE_OPEN_CREATE
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_URI,
                )?
            }
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Plans never look at bound values (each view names its index anyway). Without this,
        // SQLite compiles a statement whose plan could depend on one (`LIMIT :limit`) twice.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // The log may hold a newer ripen's upgrade that the header does not show yet: until the
        // version is known, closing must leave the log as it is.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > schema::LATEST {
            return Err(too_new(found));
        }
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            false,
        )?;
        if read_only.is_none() {
            let _mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        }
        // A small page cache: see [`Store::cache_kib`].
        conn.pragma_update(None, "cache_size", -COMMAND_CACHE_KIB)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        search::register(&conn)?;
        // The months the derived tables store are in the book's zone, the one it was first
        // used in, whatever zone this process runs in (an app in Berlin beside a cron job in
        // UTC must not refill them turn by turn, nor mix two calendars in them); a zone the
        // config names moves it.
        let recorded = if found > 0 {
            conn.query_row("SELECT value FROM meta WHERE key = 'month_zone'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .and_then(|name| crate::domain::time::zone_named(&name))
        } else {
            None
        };
        let month_zone = match recorded {
            Some(z) if !plan.time_zone_set => z,
            _ => plan.zone(),
        };
        months::register(&conn, month_zone)?;
        let scope = owners::Scope::default();
        owners::register(&conn, &scope)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            queue: view_sql::QueueSql::new(&plan),
            author: author_of(&plan),
            plan,
            plans: Default::default(),
            few: Default::default(),
            scope,
            writer: false,
            read_only,
            month_zone,
        };
        if read_only.is_some() {
            // An older schema, or indexes an older ripen built (the queries name the ones they
            // read through): both need a write to bring up to date.
            if found < schema::LATEST || stale_indexes(&store.queue, &store.conn)? > 0 {
                return Err(StoreError::ReadOnlyOld(path.to_path_buf()));
            }
            return Ok(store);
        }
        let mut quiet = |_: &str| {};
        let say: &mut dyn FnMut(&str) = if found == 0 { &mut quiet } else { say };
        if found < schema::LATEST {
            if found > 0 {
                say(&format!(
                    "upgrading the book from schema {found} to {} (keeping a copy as {})",
                    schema::LATEST,
                    store.backup_path(found).display()
                ));
                store.backup_beside(found)?;
            }
            store.migrate()?;
        }
        changes::own_replica(&store.conn, &store.path, false)?;
        if recorded != Some(month_zone) {
            store.conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('month_zone', ?1)",
                [month_zone.name()],
            )?;
        }
        store.reconcile(say)?;
        Ok(store)
    }

    /// Bring the file's indexes and derived tables to their definitions here, unless the file
    /// says they already are. Its `meta` row `derived` holds the schema cookie (which SQLite
    /// changes on every change of schema, by anyone) and a hash of the definitions, as of the
    /// last check that found everything in place; a match costs two small reads instead of
    /// comparing every object.
    fn reconcile(&mut self, say: &mut dyn FnMut(&str)) -> Result<()> {
        let recorded: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'derived'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if recorded == Some(Self::derived_key(&self.queue, self.month_zone, &self.conn)?) {
            return Ok(());
        }
        self.reconcile_indexes(say)?;
        self.reconcile_derived(say)?;
        // Record the check only if nothing moved since: under the write lock, all in place.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::mark_in_place(&self.queue, self.month_zone, &tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Inside a write transaction: if every index and derived table is as defined here, record
    /// so (the `meta` row `derived`, see [`Store::reconcile`]), for the next open to see at a
    /// glance. A bulk load (an import, a demo, a rebuild) calls it last, so that the first
    /// open after it draws at once.
    /// The last step of a demo or a rebuild from the log, inside its transaction: the
    /// planner's statistics taken (which the app's first open would otherwise take, half a
    /// second on a demo of a million leads), then [`Store::mark_in_place`].
    fn ready_for_open(queue: &view_sql::QueueSql, zone: Tz, tx: &Connection) -> Result<()> {
        tx.execute_batch("PRAGMA optimize = 0x10002;")?;
        Self::mark_in_place(queue, zone, tx)
    }

    fn mark_in_place(queue: &view_sql::QueueSql, zone: Tz, tx: &Connection) -> Result<()> {
        let mut in_place = stale_indexes(queue, tx)? == 0;
        for set in &DERIVED {
            in_place = in_place && derived_fresh(tx, set, zone)?;
        }
        if in_place {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('derived', ?1)",
                [Self::derived_key(queue, zone, tx)?],
            )?;
        }
        Ok(())
    }

    /// The schema cookie and a hash of every index, derived table and trigger defined here, and
    /// of the zone the tables' months are in.
    fn derived_key(queue: &view_sql::QueueSql, zone: Tz, conn: &Connection) -> Result<String> {
        let cookie: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
        let objects: Vec<(&str, String)> = DERIVED.iter().flat_map(|s| (s.objects)()).collect();
        let texts = schema::INDEXES
            .iter()
            .map(|(_, ddl)| *ddl)
            .chain([queue.index_ddl()])
            .chain(objects.iter().map(|(_, ddl)| ddl.as_str()))
            .chain([TRIGGERS_FINGERPRINT, zone.name()]);
        Ok(format!("{cookie} {}", fnv(texts)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Install, once per connection, the triggers that keep the derived tables (cached counts,
    /// contacts, the word index) current. Every write does it first; the app does it once its
    /// first frame is up, so that its first save does not wait for it.
    ///
    /// They are TEMP triggers, this connection's own: SQLite parses every trigger in a file's
    /// schema each time it opens it, and these were 18 KB of the 24 KB schema. Commands that
    /// only read (`list`, `show`, `report`) never parse them.
    /// The file keeps small guard triggers instead (schema 3): a write from a connection
    /// without these triggers, such as the `sqlite3` shell, fails (`no such function:
    /// write_through_ripen`) rather than leave the counts wrong.
    pub fn prepare_writes(&mut self) -> Result<()> {
        if self.writer {
            return Ok(());
        }
        install_triggers(&self.conn)?;
        self.writer = true;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let mut version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let from = version;
        while version < schema::LATEST {
            tx.execute_batch(schema::MIGRATIONS[version as usize])?;
            version += 1;
        }
        tx.pragma_update(None, "user_version", version)?;
        if from < schema::CHANGE_LOG {
            // Copies of a book made by an earlier release share its id: each takes its own.
            changes::own_replica(&tx, &self.path, true)?;
            changes::record_existing(&tx)?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)",
            [version.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Build every index that is missing or differs from its definition (the queue index follows
    /// the priority coefficients in the config), in one transaction.
    fn reconcile_indexes(&mut self, say: &mut dyn FnMut(&str)) -> Result<()> {
        if stale_indexes(&self.queue, &self.conn)? == 0 {
            return Ok(());
        }
        say("rebuilding the book's indexes");
        let wanted = wanted_indexes(&self.queue);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let have = current_indexes(&tx)?;
        for (name, ddl) in &wanted {
            if have.get(*name) != Some(ddl) {
                // Names come from the constant list above, never from input.
                tx.execute_batch(&format!("DROP INDEX IF EXISTS {name}; {ddl};"))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Rebuild each set of local derived tables that is not as defined here (see
    /// [`derived_fresh`]), each in one transaction.
    fn reconcile_derived(&mut self, say: &mut dyn FnMut(&str)) -> Result<()> {
        for set in &DERIVED {
            if derived_fresh(&self.conn, set, self.month_zone)? {
                continue;
            }
            say(&format!("rebuilding the book's {}", set.what));
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if !derived_fresh(&tx, set, self.month_zone)? {
                rebuild_set(&tx, set, self.month_zone)?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// Copy the book beside itself before a migration: `ripen.db.v1.bak`, 0600.
    fn backup_beside(&self, version: i64) -> Result<()> {
        self.backup_to(&self.backup_path(version))
    }

    /// `ripen.db.v1.bak`, or `ripen.db.v1-2.bak` … where an earlier upgrade's copy is kept.
    fn backup_path(&self, version: i64) -> PathBuf {
        (1..)
            .map(|n| {
                let mut name = self.path.as_os_str().to_owned();
                match n {
                    1 => name.push(format!(".v{version}.bak")),
                    n => name.push(format!(".v{version}-{n}.bak")),
                }
                PathBuf::from(name)
            })
            .find(|p| !p.exists())
            .unwrap_or_else(|| unreachable!("an unbounded range has a free name"))
    }

    /// A consistent copy of the book (SQLite's online backup), written 0600: into a temporary
    /// file beside `dest`, then renamed, so that `dest` is whole or absent. `dest`'s folder must
    /// exist, and `dest` must not.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let io = |err| StoreError::Io {
            path: dest.to_path_buf(),
            err,
        };
        if dest.exists() {
            return Err(StoreError::Exists(dest.to_path_buf()));
        }
        let tmp = file::temp_beside(dest).map_err(io)?;
        let copied = self
            .conn
            .backup(rusqlite::MAIN_DB, &tmp, None)
            .map_err(StoreError::from)
            .and_then(|()| {
                // A hard link fails where `dest` appeared meanwhile, which a rename would replace.
                // A file system without links (FAT on a USB stick, some network shares) takes
                // a rename, `dest` having been checked absent just before.
                match std::fs::hard_link(&tmp, dest) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !dest.exists() => {
                        std::fs::rename(&tmp, dest).map_err(io)
                    }
                    linked => linked.map_err(io),
                }
            });
        let _ = std::fs::remove_file(&tmp);
        copied
    }

    /// Why the book is open for reading only, if it is.
    pub fn read_only(&self) -> Option<ReadOnly> {
        self.read_only
    }

    /// Check that `src` is a sound ripen book no newer than this binary, which
    /// [`Store::restore_from`] could take.
    pub fn check_restorable(src: &Path) -> Result<()> {
        let io = |err| StoreError::Io {
            path: src.to_path_buf(),
            err,
        };
        std::fs::metadata(src).map_err(io)?;
        let check = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let version: i64 = check.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema::LATEST {
            return Err(StoreError::TooNew {
                path: src.to_path_buf(),
                found: version,
                known: schema::LATEST,
            });
        }
        let ok: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let has_leads: i64 = check.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'leads'",
            [],
            |r| r.get(0),
        )?;
        if version == 0 || has_leads == 0 || ok != "ok" {
            return Err(StoreError::NotABook(src.to_path_buf()));
        }
        Ok(())
    }

    /// Replace this book's content with the book at `src` (SQLite's backup API, so other
    /// connections see the change), after [`Store::check_restorable`]. Migrates it if older.
    pub fn restore_from(&mut self, src: &Path) -> Result<()> {
        Store::check_restorable(src)?;
        self.conn.restore(
            rusqlite::MAIN_DB,
            src,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < schema::LATEST {
            self.migrate()?;
        }
        // A restored copy writes under an id of its own.
        changes::own_replica(&self.conn, &self.path, true)?;
        self.reconcile(&mut |_| {})
    }

    /// How many rows the book's shared tables hold: leads (the trash's and purged tombstones
    /// too) and recorded costs. Zero only for a book nothing was ever written to.
    pub fn rows_held(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM source_costs)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The book's own replica id (a UUID), for sharing later.
    pub fn replica_id(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'replica_id'", [], |r| {
                r.get(0)
            })?)
    }

    /// `PRAGMA integrity_check` says ok.
    pub fn integrity_ok(&self) -> Result<bool> {
        let s: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(s == "ok")
    }

    /// SQLite's quick check: every page and record well formed, without matching each index
    /// to its table (a sixth of [`Store::integrity_ok`]'s time on a million leads).
    pub fn quick_check_ok(&self) -> Result<bool> {
        let s: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        Ok(s == "ok")
    }

    /// `PRAGMA foreign_key_check` finds nothing: every row names rows that are there (every
    /// timeline entry its lead).
    pub fn foreign_keys_ok(&self) -> Result<bool> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let mut rows = stmt.query([])?;
        Ok(rows.next()?.is_none())
    }

    /// A digest of every row of every table, for checks that a refused write left the book as
    /// it was (the fuzz targets'): two equal digests, two books alike row for row.
    pub fn content_digest(&self) -> Result<String> {
        use sha2::{Digest, Sha256};
        let tables: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut hash = Sha256::new();
        for table in tables {
            hash.update(table.as_bytes());
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                for i in 0..n {
                    hash.update(format!("{:?}\u{1f}", r.get_ref(i)?).as_bytes());
                }
                hash.update(b"\x1e");
            }
        }
        Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The query plan SQLite picks for a view's listing, for tests that guard the indexes.
    pub fn explain_view(&self, view: &View, filter: &Filter) -> Result<String> {
        self.explain_list(view, filter)
    }
}

/// An update trigger's WHEN: any of these columns changed.
fn any_changed(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

#[cfg(test)]
mod tests {
    use super::derived::drop_for_bulk;
    use super::*;

    fn temp_triggers(conn: &Connection) -> i64 {
        conn.query_row(
            "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    fn file_triggers(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM main.sqlite_master WHERE type = 'trigger' ORDER BY 1")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn lead(name: &str) -> crate::store::NewLead {
        crate::store::NewLead {
            name: name.into(),
            ..Default::default()
        }
    }

    /// A schema-2 book restored into a book this connection has already written keeps neither
    /// its triggers nor counts anything twice (a helper's review found the unqualified DROP in
    /// migration 3 removed this connection's TEMP triggers and left the file's).
    #[test]
    fn a_schema_2_backup_restored_leaves_no_trigger_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let now = crate::domain::Now::utc(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 22, 9, 0, 0).unwrap(),
        );
        let old = dir.path().join("old.db");
        {
            let mut s = Store::open(&old, Plan::default()).unwrap();
            s.add_lead(lead("Ana"), &now).unwrap();
        }
        {
            // As schema 2 kept it: the triggers in the file, no guards, no `touches`.
            let c = Connection::open(&old).unwrap();
            for name in file_triggers(&c) {
                c.execute_batch(&format!("DROP TRIGGER {name};")).unwrap();
            }
            c.execute_batch("ALTER TABLE activities DROP COLUMN event;")
                .unwrap();
            for set in DERIVED
                .iter()
                .filter(|s| s.what != "last contacts and activities")
            {
                for (_, ddl) in (set.triggers)() {
                    // Before activities had events (schema 5), the triggers read the words.
                    c.execute_batch(&ddl.replace("event", "note")).unwrap();
                }
            }
            c.execute_batch(
                "DROP TABLE touches; DELETE FROM meta WHERE key LIKE 'built %' \
                 OR key = 'derived'; DROP INDEX leads_foreign; \
                 ALTER TABLE leads DROP COLUMN currency_cents; \
                 ALTER TABLE leads DROP COLUMN currency; DROP TABLE lead_changes; \
                 ALTER TABLE source_costs DROP COLUMN renamed_to; DROP TABLE outbox; DROP TABLE sync_files; \
                 ALTER TABLE activities DROP COLUMN author; \
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        }
        let new = dir.path().join("new.db");
        let mut store = Store::open(&new, Plan::default()).unwrap();
        store.add_lead(lead("Zed"), &now).unwrap();
        store.restore_from(&old).unwrap();
        let names = file_triggers(&store.conn);
        assert!(names.iter().all(|n| n.ends_with("_guard")), "{names:?}");
        let leads =
            |s: &Store, sql: &str| -> i64 { s.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        store.add_lead(lead("Bob"), &now).unwrap();
        assert_eq!(leads(&store, "SELECT count(*) FROM leads"), 2);
        assert_eq!(
            leads(&store, "SELECT n FROM tallies WHERE kind = 'inbox'"),
            2,
            "each lead counted once"
        );
        assert_eq!(
            leads(
                &store,
                "SELECT count(*) FROM leads_search WHERE leads_search MATCH 'bob'"
            ),
            1
        );
    }

    #[test]
    fn the_trigger_fingerprint_follows_the_trigger_sql() {
        let all: Vec<String> = DERIVED
            .iter()
            .flat_map(|s| (s.triggers)())
            .map(|(_, ddl)| ddl)
            .collect();
        assert_eq!(
            TRIGGERS_FINGERPRINT,
            fnv(all.iter().map(String::as_str)),
            "the derived tables' trigger SQL changed: set TRIGGERS_FINGERPRINT to the value \
             on the right, so that every book refills its derived tables once"
        );
    }

    #[test]
    fn a_bulk_load_rolled_back_leaves_the_write_triggers_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("book.db"), Plan::default()).unwrap();
        store.prepare_writes().unwrap();
        let all = temp_triggers(&store.conn);
        let expected: usize = DERIVED.iter().map(|s| (s.triggers)().len()).sum();
        assert_eq!(all, expected as i64);
        {
            let tx = store.write_tx().unwrap();
            drop_for_bulk(&tx, true).unwrap();
            assert_eq!(temp_triggers(&tx), 0);
            // Dropped without a commit: an import that fails rolls back.
        }
        assert_eq!(temp_triggers(&store.conn), all);
        let tables: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('tallies','touches','contacts')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 3);
    }
}
