//! Keeping the query planner informed, cheaply. The views read through named indexes
//! (`INDEXED BY`), so their plans never depend on statistics; other queries may still gain from
//! them. Plain `PRAGMA optimize` only re-analyses tables whose statistics exist and went stale,
//! so calling it when the app opens never costs a full ANALYZE of a million-lead book.

use super::{Result, Store};

impl Store {
    /// Refresh the planner's statistics where SQLite thinks it worthwhile.
    pub fn optimize(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA optimize;")?;
        Ok(())
    }
}

impl Store {
    /// Refuse every write on this connection from now on (`PRAGMA query_only`): a look at the
    /// book that cannot change it, and how tests stand in for a read-only disk.
    pub fn set_read_only(&self, on: bool) -> Result<()> {
        self.conn.pragma_update(None, "query_only", on)?;
        Ok(())
    }
}

impl Store {
    /// Stop checkpointing the WAL on commit (SQLite's default every 1,000 pages), so that no
    /// keystroke pays for one: the app calls [`Store::checkpoint`] when it is idle instead.
    /// Other processes on the book keep their own automatic checkpoints.
    pub fn defer_checkpoints(&self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }

    /// A number that changes whenever another connection (a CLI run, an import) commits to
    /// the book, and only then (`PRAGMA data_version`): the app's cue to fetch its views again.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// How long a write waits for another process's transaction before giving up (the
    /// commands wait [`super::BUSY_TIMEOUT`]; the app, whose user is looking at it, less).
    pub fn busy_timeout(&self, wait: std::time::Duration) -> Result<()> {
        self.conn.busy_timeout(wait)?;
        Ok(())
    }

    /// Copy what the WAL holds into the book, without waiting on readers or writers.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

impl Store {
    /// Keep up to `kib` KiB of the book's pages in memory between queries (`PRAGMA
    /// cache_size`). A one-shot command keeps [`super::COMMAND_CACHE_KIB`]: what it reads
    /// twice is the upper levels of a few B-trees, and every page a bigger cache holds is a
    /// fresh page of memory the kernel must fault in (SQLite's default 2 MiB made `list queue`
    /// take 400 more page faults, a fifth of its time, and no report faster). The app, which
    /// reads the same windows and the same stretch of a view keystroke after keystroke, keeps
    /// more.
    pub fn cache_kib(&self, kib: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// The page cache [`Store::cache_kib`] set, in KiB.
    pub fn cache_kib_now(&self) -> Result<i64> {
        let n: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        if n < 0 {
            return Ok(-n);
        }
        let page: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok(n * page / 1024)
    }
}

/// With `RIPEN_IMPORT_TIMING` set, how long each phase of an import took, on stderr: wall
/// clock, and this thread's CPU time since its last phase (the store's phases too).
pub fn phase(label: &str, since: &mut std::time::Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    thread_local!(static CPU: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) });
    if *ON.get_or_init(|| std::env::var_os("RIPEN_IMPORT_TIMING").is_some()) {
        let cpu = std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |ns| ns / 1e9);
        let before = CPU.with(|c| c.replace(cpu));
        eprintln!(
            "import: {label}: {:.3} s (cpu {:.3} s)",
            since.elapsed().as_secs_f64(),
            cpu - before
        );
    }
    *since = std::time::Instant::now();
}
