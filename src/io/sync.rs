//! `ripen sync`: a shared folder (Syncthing, Dropbox, a network drive, a USB stick) through
//! which the laptops of a team exchange their changes.
//!
//! Each book writes its changes as files under `DIR/<replica>/`, and only ever adds files: a
//! file is written once (a private temporary file, then renamed) and never changed, so no
//! folder tool ever makes a "conflicted copy". A file is a short text header and the
//! changesets of the write transactions it carries:
//!
//! ```text
//! ripen changes 1
//! schema 7
//! replica 0f3c…
//! body zstd
//! bytes 18233
//! sha256 9b1e…
//!
//! (the body, compressed with zstd: the changesets, each a 4-byte little-endian length, then
//! its bytes; `bytes` and `sha256` are the compressed body's)
//! ```
//!
//! A file shorter than its header says is still arriving: it is left for a later sync. One
//! whose bytes do not match its checksum, that is not a ripen file, or that names tables other
//! than the shared ones is refused whole, by name. One from a newer ripen (a greater schema)
//! is refused until this ripen is upgraded. One sound but whose changes break the book's rules
//! (a NOT NULL, a CHECK) is refused by name too, nothing of it applied, and the others go on.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rusqlite::ffi;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::Now;
use crate::store::schema::{LATEST, SHARED_TABLES};
use crate::store::session;
use crate::store::sync::Taken;
use crate::store::{Store, StoreError};

/// The format's first line.
const MAGIC: &str = "ripen changes 1";
/// A sync file's name ends so; anything else in the folder (a tool's temporary file) is not
/// one.
pub const SUFFIX: &str = ".ripen";
/// A file is cut after this many bytes of changesets (one changeset is never cut).
const FILE_BYTES: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {why}")]
    Git { path: PathBuf, why: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |err| SyncError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// What a sync did.
#[derive(Debug, Default, Serialize)]
pub struct SyncReport {
    /// The folder.
    pub dir: String,
    /// This book's replica id (its files are under `DIR/<replica>/`).
    pub replica: String,
    /// The files written, by name under the folder.
    pub written: Vec<String>,
    /// The files of other laptops applied, and how many changes each held.
    pub applied: Vec<Applied>,
    /// Files held back: their timelines name leads whose files have not come yet.
    pub held: Vec<String>,
    /// Files still arriving (shorter than their header says): tried again next time.
    pub partial: Vec<String>,
    /// Files refused, and why: nothing of them was applied.
    pub refused: Vec<Refused>,
    /// With a git repository: what git did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitReport>,
}

/// What `ripen sync` did through git.
#[derive(Debug, Default, Serialize)]
pub struct GitReport {
    /// Whether the others' commits were pulled (false: no remote, or it could not be reached).
    pub pulled: bool,
    /// Whether this laptop's commit was pushed.
    pub pushed: bool,
    /// Whether a commit was made (there was something new to send).
    pub committed: bool,
    /// Why git could not reach the remote, when it could not: the files wait for next time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Applied {
    pub file: String,
    pub changes: usize,
}

#[derive(Debug, Serialize)]
pub struct Refused {
    pub file: String,
    pub reason: String,
}

/// A file's body: the changesets, each with its length before it.
fn pack(changesets: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::with_capacity(changesets.iter().map(|c| c.len() + 4).sum());
    for c in changesets {
        body.extend_from_slice(&(c.len() as u32).to_le_bytes());
        body.extend_from_slice(c);
    }
    body
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The most a body may unpack to: a file that claims more is refused, not unpacked.
const MAX_BODY: usize = 1 << 30;

/// A whole sync file: header and body.
pub fn encode(replica: &str, schema: i64, changesets: &[Vec<u8>]) -> Vec<u8> {
    // Compressing a buffer in memory cannot fail but for a bug; an uncompressed body is
    // still a sound file.
    let packed = pack(changesets);
    let (kind, body) = match zstd::bulk::compress(&packed, 3) {
        Ok(z) => ("zstd", z),
        Err(_) => ("plain", packed),
    };
    let mut out = format!(
        "{MAGIC}\nschema {schema}\nreplica {replica}\nbody {kind}\nbytes {}\nsha256 {}\n\n",
        body.len(),
        hex(&Sha256::digest(&body))
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// What reading a file found.
#[derive(Debug, PartialEq)]
pub enum Read {
    /// Whole and sound: its schema, its replica and its changesets (each read through once).
    Whole {
        schema: i64,
        replica: String,
        changesets: Vec<Vec<u8>>,
    },
    /// Shorter than its header says.
    Partial,
    /// Refused, with the reason.
    Refused(String),
}

/// Read a sync file's bytes.
pub fn decode(bytes: &[u8]) -> Read {
    let refuse = |why: &str| Read::Refused(why.to_string());
    let Some(end) = bytes.windows(2).position(|w| w == b"\n\n") else {
        return if bytes.len() < 512
            && MAGIC
                .as_bytes()
                .starts_with(&bytes[..bytes.len().min(MAGIC.len())])
        {
            Read::Partial
        } else {
            refuse("not a ripen sync file")
        };
    };
    let Ok(header) = std::str::from_utf8(&bytes[..end]) else {
        return refuse("not a ripen sync file");
    };
    let mut lines = header.lines();
    if lines.next() != Some(MAGIC) {
        return refuse("not a ripen sync file (or one of a format this ripen does not know)");
    }
    let mut fields = BTreeMap::new();
    for l in lines {
        let Some((k, v)) = l.split_once(' ') else {
            return refuse("a damaged header");
        };
        fields.insert(k, v);
    }
    let (Some(schema), Some(replica), Some(len), Some(sum)) = (
        fields.get("schema").and_then(|s| s.parse::<i64>().ok()),
        fields.get("replica"),
        fields.get("bytes").and_then(|s| s.parse::<usize>().ok()),
        fields.get("sha256"),
    ) else {
        return refuse("a damaged header");
    };
    let body = &bytes[end + 2..];
    if body.len() < len {
        return Read::Partial;
    }
    if body.len() > len || hex(&Sha256::digest(body)) != *sum {
        return refuse("its bytes do not match its checksum (damaged)");
    }
    if schema > LATEST {
        return Read::Refused(format!(
            "written by a newer ripen (schema {schema}; this one knows {LATEST}): upgrade ripen to apply it"
        ));
    }
    let unpacked;
    let body = match fields.get("body").copied().unwrap_or("plain") {
        "plain" => body,
        "zstd" => {
            use std::io::Read as _;
            let mut out = Vec::new();
            let read = zstd::stream::read::Decoder::new(body)
                .and_then(|d| d.take(MAX_BODY as u64 + 1).read_to_end(&mut out));
            match read {
                Ok(n) if n > MAX_BODY => return refuse("a body too large to unpack"),
                Ok(_) => {
                    unpacked = out;
                    &unpacked[..]
                }
                Err(_) => return refuse("a damaged body"),
            }
        }
        other => {
            return Read::Refused(format!(
                "a body packed as {other}, which this ripen cannot read: upgrade ripen"
            ));
        }
    };
    let mut changesets = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return refuse("a damaged body");
        }
        let n = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if rest.len() < 4 + n {
            return refuse("a damaged body");
        }
        let cs = &rest[4..4 + n];
        match session::read(cs) {
            Err(_) => return refuse("a damaged changeset"),
            Ok(changes) => {
                if let Some(c) = changes
                    .iter()
                    .find(|c| !SHARED_TABLES.contains(&c.table.as_str()))
                {
                    return Read::Refused(format!(
                        "it changes a table that is not shared: {}",
                        c.table
                    ));
                }
            }
        }
        changesets.push(cs.to_vec());
        rest = &rest[4 + n..];
    }
    Read::Whole {
        schema,
        replica: replica.to_string(),
        changesets,
    }
}

/// Whether `dir` is a git work tree (then `ripen sync` goes through git).
pub fn is_git(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--is-inside-work-tree"])
        .map(|o| o.trim() == "true")
        .unwrap_or(false)
}

/// Run the user's own `git` in `dir` (their credentials, remotes and hooks); its stdout, or
/// why it failed (its stderr).
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(crate::domain::text::clean_line(err.trim()).into_owned())
    }
}

/// [`sync`] through a git repository: pull the others' files, sync, then commit this laptop's
/// new files and push them. Files are only ever added, each laptop under its own folder, so a
/// pull never needs a content merge; a push that lost a race pulls and tries again. Without a
/// remote, or offline, the sync still happens locally and the commit waits to be pushed.
pub fn sync_git(store: &mut Store, dir: &Path, now: &Now) -> Result<SyncReport, SyncError> {
    let fail = |why: String| SyncError::Git {
        path: dir.to_path_buf(),
        why,
    };
    if !is_git(dir) {
        return Err(fail(
            "not a git work tree (git init, or git clone the team's repository)".into(),
        ));
    }
    let mut g = GitReport::default();
    // The branch's upstream, or the first remote's branch of the same name once it has one (a
    // clone of an empty repository has none until someone pushes).
    let has_upstream = |d: &Path| {
        git(
            d,
            &["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"],
        )
        .is_ok()
    };
    let remote = git(dir, &["remote"])
        .ok()
        .and_then(|r| r.lines().next().map(str::to_string));
    let branch = git(dir, &["symbolic-ref", "--short", "HEAD"])
        .map(|b| b.trim().to_string())
        .unwrap_or_default();
    let mut upstream = has_upstream(dir);
    if !upstream && let Some(r) = &remote {
        match git(dir, &["fetch", "--quiet", r]) {
            Err(e) => g.offline = Some(e),
            Ok(_) => {
                let theirs = format!("{r}/{branch}");
                if git(dir, &["rev-parse", "--verify", "--quiet", &theirs]).is_ok() {
                    let born = git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_ok();
                    if born {
                        git(dir, &["branch", &format!("--set-upstream-to={theirs}")])
                            .map_err(fail)?;
                    } else {
                        // Nothing committed here yet: start from theirs.
                        git(
                            dir,
                            &["checkout", "--quiet", "-B", &branch, "--track", &theirs],
                        )
                        .map_err(fail)?;
                    }
                    upstream = true;
                }
            }
        }
    }
    if upstream {
        match git(dir, &["pull", "--rebase", "--quiet"]) {
            Ok(_) => g.pulled = true,
            Err(e) => g.offline = Some(e),
        }
    }
    let mut report = sync(store, dir, now)?;
    let replica = report.replica.clone();
    // Only the sync files: a temporary one that a killed sync left half written beside them
    // (personal data, and never read) stays out of the history.
    let mine = sync_file_names(&dir.join(&replica))?;
    if !mine.is_empty() {
        let mut add = vec!["add".to_string(), "--".to_string()];
        add.extend(mine.iter().map(|n| format!("{replica}/{n}")));
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        git(dir, &add).map_err(fail)?;
        let staged = git(dir, &["diff", "--cached", "--quiet"]).is_err();
        if staged {
            let message = format!(
                "ripen sync: {} file(s) from {replica}",
                report.written.len()
            );
            // The user's own identity; a repository without one gets the book's author.
            let named = git(dir, &["config", "user.name"]).is_ok();
            let author = crate::store::author_of(store.plan());
            let who = format!("user.name={author}");
            let mail = format!("user.email={replica}@ripen.invalid");
            let mut args: Vec<&str> = Vec::new();
            if !named {
                args.extend(["-c", &who, "-c", &mail]);
            }
            args.extend(["commit", "--quiet", "-m", &message]);
            git(dir, &args).map_err(fail)?;
            g.committed = true;
        }
    }
    if !upstream
        && g.offline.is_none()
        && g.committed
        && let Some(r) = &remote
    {
        // The first push of this branch to the remote.
        match git(dir, &["push", "--quiet", "-u", r, &branch]) {
            Ok(_) => g.pushed = true,
            Err(e) => g.offline = Some(e),
        }
    }
    if upstream && g.offline.is_none() {
        let ahead = git(dir, &["rev-list", "--count", "@{u}..HEAD"])
            .map(|n| n.trim() != "0")
            .unwrap_or(true);
        if ahead {
            for _ in 0..3 {
                match git(dir, &["push", "--quiet"]) {
                    Ok(_) => {
                        g.pushed = true;
                        break;
                    }
                    Err(e) => {
                        // Someone pushed first: take theirs (files only added) and try again.
                        if let Err(e2) = git(dir, &["pull", "--rebase", "--quiet"]) {
                            g.offline = Some(format!("{e}; {e2}"));
                            break;
                        }
                    }
                }
            }
        }
        // What a retried push pulled in is applied now rather than next time.
        if g.pushed {
            let more = sync(store, dir, now)?;
            report.applied.extend(more.applied);
            report.held = more.held;
            report.partial = more.partial;
            report.refused.extend(more.refused);
        }
    }
    report.git = Some(g);
    Ok(report)
}

/// Write this book's changes not sent yet, then apply every other laptop's file not applied
/// yet (again and again while that brings in leads a held file waits for).
pub fn sync(store: &mut Store, dir: &Path, now: &Now) -> Result<SyncReport, SyncError> {
    if !dir.is_dir() {
        return Err(SyncError::Io {
            path: dir.to_path_buf(),
            err: std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        });
    }
    let replica = store.replica_id()?;
    let mut report = SyncReport {
        dir: dir.display().to_string(),
        replica: replica.clone(),
        ..SyncReport::default()
    };
    send(store, dir, &replica, &mut report)?;
    // Taking in another laptop's leads writes into every index of a big book: room for them.
    let kib = std::env::var("RIPEN_SYNC_KIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(crate::store::BULK_CACHE_KIB);
    let before = store.cache_kib_now()?;
    store.cache_kib(kib)?;
    let received = receive(store, dir, &replica, now, &mut report);
    store.cache_kib(before)?;
    received?;
    Ok(report)
}

/// Sync files being written under `DIR/<replica>/`, each cut at about [`FILE_BYTES`].
struct Writer<'a> {
    mine: PathBuf,
    replica: &'a str,
    current: Vec<Vec<u8>>,
    first_seq: i64,
    size: usize,
    written: Vec<String>,
}

impl Writer<'_> {
    fn add(&mut self, seq: i64, cs: &[u8]) -> Result<(), StoreError> {
        if !self.current.is_empty() && self.size + cs.len() > FILE_BYTES {
            self.write()?;
        }
        if self.current.is_empty() {
            self.first_seq = seq;
        }
        self.size += cs.len();
        self.current.push(cs.to_vec());
        Ok(())
    }

    /// Write the file filled so far. Its name is its first outbox entry and its digest: the
    /// same changes written twice (a crash before the book noted them sent) are one file.
    fn write(&mut self) -> Result<(), StoreError> {
        if self.current.is_empty() {
            return Ok(());
        }
        let store_io = |path: &Path| {
            let path = path.to_path_buf();
            move |err| StoreError::Io { path, err }
        };
        if !self.mine.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.mine)
                .map_err(store_io(&self.mine))?;
        }
        let bytes = encode(self.replica, LATEST, &self.current);
        let digest = hex(&Sha256::digest(&bytes));
        let name = format!("{:012}-{}{SUFFIX}", self.first_seq, &digest[..16]);
        let path = self.mine.join(&name);
        if !path.exists() {
            super::atomic::write(&path, &bytes).map_err(store_io(&path))?;
        }
        self.written.push(format!("{}/{name}", self.replica));
        self.current.clear();
        self.size = 0;
        Ok(())
    }
}

fn send(
    store: &mut Store,
    dir: &Path,
    replica: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let sent = store.sync_sent()?;
    let mut w = Writer {
        mine: dir.join(replica),
        replica,
        current: Vec::new(),
        first_seq: 0,
        size: 0,
        written: Vec::new(),
    };
    let mut last = sent;
    store.outbox_changesets(sent, &mut |seq, cs| {
        last = seq;
        w.add(seq, cs)
    })?;
    w.write()?;
    if last > sent {
        store.mark_sent(last, &w.written)?;
    }
    report.written = w.written;
    Ok(())
}

/// The sync files in one laptop's folder, by name, in order: names that end in [`SUFFIX`] and
/// are not hidden (a file being written, or one a killed sync left half written, is neither).
/// None when the folder is not there.
fn sync_file_names(folder: &Path) -> Result<Vec<String>, SyncError> {
    let entries = match fs::read_dir(folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        read => read.map_err(io(folder))?,
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(SUFFIX) && !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

fn receive(
    store: &mut Store,
    dir: &Path,
    replica: &str,
    now: &Now,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let known = store.sync_files()?;
    let mut pending: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
    let mut replicas: Vec<_> = fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n != replica && !n.starts_with('.'))
        .collect();
    replicas.sort();
    for other in replicas {
        let folder = dir.join(&other);
        for n in sync_file_names(&folder)? {
            let name = format!("{other}/{n}");
            if known.contains(&name) {
                continue;
            }
            let path = folder.join(&n);
            let bytes = fs::read(&path).map_err(io(&path))?;
            match decode(&bytes) {
                Read::Partial => report.partial.push(name),
                Read::Refused(reason) => report.refused.push(Refused { file: name, reason }),
                Read::Whole {
                    replica: r,
                    changesets,
                    ..
                } if r == other => pending.push((name, changesets)),
                Read::Whole { replica: r, .. } => report.refused.push(Refused {
                    file: name,
                    reason: format!("it says it is from {r}, not from the folder it is in"),
                }),
            }
        }
    }
    // Apply while that gets anywhere: a held file may wait for a lead a later one brings.
    loop {
        let mut progress = false;
        let mut still = Vec::new();
        for (name, changesets) in pending {
            match store.take_in(&name, &changesets, now) {
                Ok(Taken::Applied { changes }) => {
                    report.applied.push(Applied {
                        file: name,
                        changes,
                    });
                    progress = true;
                }
                Ok(Taken::Held) => still.push((name, changesets)),
                // Sound, but its changes break the book's rules (a NOT NULL, a CHECK): refused
                // by name, nothing of it applied, rather than failing every sync from now on.
                Err(StoreError::Session(e @ session::SessionError::Sqlite(code, _)))
                    if matches!(
                        code & 0xff,
                        ffi::SQLITE_ABORT | ffi::SQLITE_CONSTRAINT | ffi::SQLITE_MISMATCH
                    ) =>
                {
                    report.refused.push(Refused {
                        file: name,
                        reason: format!("this book cannot take its changes: {e}"),
                    })
                }
                Err(e) => return Err(e.into()),
            }
        }
        pending = still;
        if !progress || pending.is_empty() {
            break;
        }
    }
    report.held = pending.into_iter().map(|(n, _)| n).collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_back_whole_and_every_cut_is_partial_or_refused() {
        let one = rusqlite::Connection::open_in_memory().unwrap();
        one.execute_batch("CREATE TABLE activities (uid TEXT PRIMARY KEY NOT NULL, n INTEGER)")
            .unwrap();
        let s = session::Session::new(&one, &["activities"]).unwrap();
        one.execute_batch("INSERT INTO activities VALUES ('a', 1), ('b', 2)")
            .unwrap();
        let cs = s.changeset().unwrap();
        let file = encode("r1", LATEST, &[cs.clone(), cs.clone()]);
        assert_eq!(
            decode(&file),
            Read::Whole {
                schema: LATEST,
                replica: "r1".into(),
                changesets: vec![cs.clone(), cs]
            }
        );
        for cut in 0..file.len() {
            assert!(
                matches!(decode(&file[..cut]), Read::Partial | Read::Refused(_)),
                "cut at {cut}"
            );
        }
        // The body cut short is still arriving; a flipped byte is damage.
        assert_eq!(decode(&file[..file.len() - 1]), Read::Partial);
        let mut flipped = file.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(decode(&flipped), Read::Refused(r) if r.contains("checksum")));
    }

    #[test]
    fn a_newer_schema_or_a_foreign_table_is_refused() {
        let newer = encode("r1", LATEST + 1, &[]);
        assert!(matches!(decode(&newer), Read::Refused(r) if r.contains("newer ripen")));
        let one = rusqlite::Connection::open_in_memory().unwrap();
        one.execute_batch("CREATE TABLE leads (uid TEXT PRIMARY KEY NOT NULL)")
            .unwrap();
        let s = session::Session::new(&one, &["leads"]).unwrap();
        one.execute_batch("INSERT INTO leads VALUES ('a')").unwrap();
        let file = encode("r1", LATEST, &[s.changeset().unwrap()]);
        assert!(matches!(decode(&file), Read::Refused(r) if r.contains("not shared: leads")));
        assert!(matches!(decode(b"hello\n\nworld"), Read::Refused(_)));
    }

    /// A body whose checksum holds but that does not unpack, or is packed some way this ripen
    /// does not know, is refused whole.
    #[test]
    fn a_body_that_does_not_unpack_is_refused() {
        let with = |kind: &str, body: &[u8]| {
            let mut f = format!(
                "{MAGIC}\nschema {LATEST}\nreplica r1\nbody {kind}\nbytes {}\nsha256 {}\n\n",
                body.len(),
                hex(&Sha256::digest(body))
            )
            .into_bytes();
            f.extend_from_slice(body);
            f
        };
        assert_eq!(
            decode(&with("zstd", b"not zstd at all")),
            Read::Refused("a damaged body".into())
        );
        assert!(matches!(decode(&with("lz4", b"x")), Read::Refused(r) if r.contains("upgrade")));
        // A plain body (as an older writer might) still reads.
        assert!(matches!(decode(&with("plain", b"")), Read::Whole { .. }));
    }
}
