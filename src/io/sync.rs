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
//! A snapshot (`ripen sync --compact`) is the whole of the shared tables as one book holds
//! them, written as ordinary change files `DIR/<replica>/snapshot-<id>-<part>.ripen` whose
//! header also says `snapshot <id>`, then a list of what it covers,
//! `DIR/<replica>/snapshot-<id>.manifest` (written last; see [`Manifest`]). After each sync a
//! book says what it has applied in `DIR/<replica>/applied-<seq>-<digest>.ack` (see [`Ack`]),
//! so that a compaction retires only files every laptop has.
//!
//! A file shorter than its header says is still arriving: it is left for a later sync. One
//! whose bytes do not match its checksum, that is not a ripen file, or that names tables other
//! than the shared ones is refused whole, by name. One from a newer ripen (a greater schema)
//! is refused until this ripen is upgraded. One sound but whose changes break the book's rules
//! (a NOT NULL, a CHECK) is refused by name too, nothing of it applied, and the others go on.

use std::collections::{BTreeMap, BTreeSet};
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
/// A book's word on what it has applied ([`Ack`]) ends so.
pub const ACK_SUFFIX: &str = ".ack";
/// A snapshot's list of what it covers ([`Manifest`]) ends so.
pub const MANIFEST_SUFFIX: &str = ".manifest";
/// A snapshot's files begin so.
const SNAPSHOT: &str = "snapshot-";

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
    /// Snapshot files not applied: this book already held every file they cover.
    pub skipped: Vec<String>,
    /// With `--compact`: the snapshot written and the files retired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compacted: Option<Compacted>,
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

/// What `ripen sync --compact` did.
#[derive(Debug, Default, Serialize)]
pub struct Compacted {
    /// The snapshot's files written, by name under the folder (none when nothing could be
    /// retired: then none is needed).
    pub snapshot: Vec<String>,
    /// The files deleted: every known laptop had applied them, and the snapshot holds them.
    pub retired: Vec<String>,
    /// The files left, and why.
    pub kept: Vec<Kept>,
}

/// A file a compaction left in the folder.
#[derive(Debug, Serialize)]
pub struct Kept {
    pub file: String,
    /// Why, in words.
    pub reason: String,
    /// The laptops (replica ids) that have not said they applied it.
    pub waiting_for: Vec<String>,
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
    encode_as(replica, schema, None, changesets)
}

/// A whole sync file, a part of the snapshot `snapshot` if given.
pub fn encode_as(
    replica: &str,
    schema: i64,
    snapshot: Option<&str>,
    changesets: &[Vec<u8>],
) -> Vec<u8> {
    // Compressing a buffer in memory cannot fail but for a bug; an uncompressed body is
    // still a sound file.
    let packed = pack(changesets);
    let (kind, body) = match zstd::bulk::compress(&packed, 3) {
        Ok(z) => ("zstd", z),
        Err(_) => ("plain", packed),
    };
    let snapshot = snapshot
        .map(|id| format!("snapshot {id}\n"))
        .unwrap_or_default();
    let mut out = format!(
        "{MAGIC}\nschema {schema}\nreplica {replica}\n{snapshot}body {kind}\nbytes {}\nsha256 {}\n\n",
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
    /// Whole and sound: its schema, its replica, the snapshot it is a part of if it is one,
    /// and its changesets (each read through once).
    Whole {
        schema: i64,
        replica: String,
        snapshot: Option<String>,
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
    let snapshot = match fields.get("snapshot") {
        None => None,
        Some(id) if is_id(id) => Some(id.to_string()),
        Some(_) => return refuse("a damaged header"),
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
        snapshot,
        changesets,
    }
}

/// A snapshot's id: 16 lower-case hex digits.
fn is_id(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What a snapshot covers: `DIR/<replica>/snapshot-<id>.manifest`, written after its parts.
/// Text, ending with the checksum of the lines before it:
///
/// ```text
/// ripen snapshot 1
/// replica 0f3c…
/// parts 2
/// covered 0f3c…/000000000001-9b1e….ripen
/// covered 7a2d…/000000000004-51c0….ripen
/// sha256 …
/// ```
///
/// Its parts are `snapshot-<id>-0001.ripen` … in the same folder; every file it covers was
/// applied (or written) by the book that wrote it, which holds all they held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub id: String,
    pub replica: String,
    pub parts: usize,
    pub covers: Vec<String>,
}

const MANIFEST_MAGIC: &str = "ripen snapshot 1";

impl Manifest {
    /// The manifest's file name, under its replica's folder.
    pub fn file_name(id: &str) -> String {
        format!("{SNAPSHOT}{id}{MANIFEST_SUFFIX}")
    }

    /// Its parts, by name under the folder.
    pub fn part_names(&self) -> Vec<String> {
        (1..=self.parts)
            .map(|k| format!("{}/{}", self.replica, part_name(&self.id, k)))
            .collect()
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut text = format!(
            "{MANIFEST_MAGIC}\nreplica {}\nparts {}\n",
            self.replica, self.parts
        );
        for c in &self.covers {
            text.push_str(&format!("covered {c}\n"));
        }
        let sum = hex(&Sha256::digest(text.as_bytes()));
        text.push_str(&format!("sha256 {sum}\n"));
        text.into_bytes()
    }

    /// The manifest `id` read from its bytes, or why not.
    pub fn decode(id: &str, bytes: &[u8]) -> Result<Manifest, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not text".to_string())?;
        let Some((lines, sum)) = text.trim_end_matches('\n').rsplit_once('\n') else {
            return Err("cut short".into());
        };
        let lines = format!("{lines}\n");
        if sum.strip_prefix("sha256 ") != Some(hex(&Sha256::digest(lines.as_bytes())).as_str()) {
            return Err("its bytes do not match its checksum (damaged, or still arriving)".into());
        }
        let mut it = lines.lines();
        if it.next() != Some(MANIFEST_MAGIC) {
            return Err("not a ripen snapshot list".into());
        }
        let replica = it.next().and_then(|l| l.strip_prefix("replica "));
        let parts = it
            .next()
            .and_then(|l| l.strip_prefix("parts "))
            .and_then(|n| n.parse().ok());
        let (Some(replica), Some(parts)) = (replica, parts) else {
            return Err("a damaged list".into());
        };
        let covers = it
            .map(|l| l.strip_prefix("covered ").map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or("a damaged list")?;
        Ok(Manifest {
            id: id.to_string(),
            replica: replica.to_string(),
            parts,
            covers,
        })
    }
}

/// A snapshot's `k`th part's file name (from 1).
fn part_name(id: &str, k: usize) -> String {
    format!("{SNAPSHOT}{id}-{k:04}{SUFFIX}")
}

/// A book's word on what it has applied: `DIR/<replica>/applied-<seq>-<digest>.ack`, written
/// after each sync that changed it (the older ones then deleted), the digest its bytes'. Text,
/// the change files present in the folder that the book has applied or written, by name:
///
/// ```text
/// ripen applied 1
/// replica 0f3c…
/// file 0f3c…/000000000001-9b1e….ripen
/// file 7a2d…/snapshot-51c0…-0001.ripen
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub replica: String,
    pub files: BTreeSet<String>,
}

const ACK_MAGIC: &str = "ripen applied 1";

impl Ack {
    pub fn encode(&self) -> Vec<u8> {
        let mut text = format!("{ACK_MAGIC}\nreplica {}\n", self.replica);
        for f in &self.files {
            text.push_str(&format!("file {f}\n"));
        }
        text.into_bytes()
    }

    /// The ack named `name` (its digest checked against its bytes), or `None` when it is not
    /// a sound one: then it says nothing, which only keeps more files.
    pub fn decode(name: &str, bytes: &[u8]) -> Option<Ack> {
        let digest = name.strip_suffix(ACK_SUFFIX)?.rsplit('-').next()?;
        if hex(&Sha256::digest(bytes))[..16] != *digest {
            return None;
        }
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.lines();
        if lines.next() != Some(ACK_MAGIC) {
            return None;
        }
        let replica = lines.next()?.strip_prefix("replica ")?.to_string();
        let files = lines
            .map(|l| l.strip_prefix("file ").map(str::to_string))
            .collect::<Option<_>>()?;
        Some(Ack { replica, files })
    }
}

/// An ack's sequence number, from its name.
fn ack_seq(name: &str) -> Option<u64> {
    name.strip_prefix("applied-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// One laptop's folder: its change files, acks and manifests, by file name, sorted.
#[derive(Debug, Default)]
struct Folder {
    replica: String,
    changes: Vec<String>,
    acks: Vec<String>,
    manifests: Vec<String>,
}

/// Every laptop's folder under `dir` that holds something of ripen's (a folder of something
/// else, or a dot folder such as `.git`, is no laptop's).
fn folders(dir: &Path) -> Result<Vec<Folder>, SyncError> {
    let mut out = Vec::new();
    let mut replicas: Vec<_> = fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    replicas.sort();
    for replica in replicas {
        let path = dir.join(&replica);
        let mut f = Folder {
            replica,
            ..Folder::default()
        };
        for e in fs::read_dir(&path)
            .map_err(io(&path))?
            .filter_map(|e| e.ok())
        {
            let Ok(n) = e.file_name().into_string() else {
                continue;
            };
            // A name with a control character is no file ripen wrote (and could not be
            // listed in an ack or a manifest, a line each).
            if n.starts_with('.') || n.chars().any(char::is_control) {
                continue;
            }
            if n.ends_with(SUFFIX) {
                f.changes.push(n);
            } else if n.ends_with(ACK_SUFFIX) {
                f.acks.push(n);
            } else if n.ends_with(MANIFEST_SUFFIX) {
                f.manifests.push(n);
            }
        }
        if f.changes.is_empty() && f.acks.is_empty() && f.manifests.is_empty() {
            continue;
        }
        f.changes.sort();
        f.acks.sort();
        f.manifests.sort();
        out.push(f);
    }
    Ok(out)
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
    sync_git_with(store, dir, now, false)
}

/// [`sync_git`], compacting as [`sync_with`] does: the files retired are deleted in the
/// commit too (from every laptop's folder; the history keeps them).
pub fn sync_git_with(
    store: &mut Store,
    dir: &Path,
    now: &Now,
    compact: bool,
) -> Result<SyncReport, SyncError> {
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
    let mut report = sync_with(store, dir, now, compact)?;
    let replica = report.replica.clone();
    // Files retired from the others' folders too: their deletion is committed with the rest.
    let retired: Vec<&str> = report
        .compacted
        .iter()
        .flat_map(|c| c.retired.iter().map(String::as_str))
        .collect();
    for chunk in retired.chunks(200) {
        let mut args = vec!["rm", "--cached", "--quiet", "--ignore-unmatch", "--"];
        args.extend(chunk);
        git(dir, &args).map_err(fail)?;
    }
    if dir.join(&replica).is_dir() {
        // This laptop's folder, deletions included, but for hidden files: a temporary one that
        // a killed sync left half written (personal data, and never read) stays out of the
        // history.
        let hidden = format!(":(exclude){replica}/.*");
        git(dir, &["add", "-A", "--", &replica, &hidden]).map_err(fail)?;
        let staged = git(dir, &["diff", "--cached", "--quiet"]).is_err();
        if staged {
            let mut message = format!(
                "ripen sync: {} file(s) from {replica}",
                report.written.len()
            );
            if !retired.is_empty() {
                message.push_str(&format!("; a snapshot, {} file(s) retired", retired.len()));
            }
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
            report.skipped.extend(more.skipped);
        }
    }
    report.git = Some(g);
    Ok(report)
}

/// Write this book's changes not sent yet, then apply every other laptop's file not applied
/// yet (again and again while that brings in leads a held file waits for), then say which
/// files this book has applied.
pub fn sync(store: &mut Store, dir: &Path, now: &Now) -> Result<SyncReport, SyncError> {
    sync_with(store, dir, now, false)
}

/// [`sync`], then with `compact` write a snapshot and retire the files every laptop has
/// applied (see [`Compacted`]).
pub fn sync_with(
    store: &mut Store,
    dir: &Path,
    now: &Now,
    compact: bool,
) -> Result<SyncReport, SyncError> {
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
    let mut clock = std::time::Instant::now();
    send(store, dir, &replica, &mut report)?;
    crate::store::phase("sync: send", &mut clock);
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
    crate::store::phase("sync: receive", &mut clock);
    publish_ack(store, dir, &replica)?;
    crate::store::phase("sync: ack", &mut clock);
    if compact {
        let done = self::compact(store, dir, &replica, now)?;
        // What the folder holds changed: say so now, so that it settles in one run.
        if !done.snapshot.is_empty() {
            publish_ack(store, dir, &replica)?;
        }
        report.compacted = Some(done);
    }
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

/// How old a temporary file in this laptop's folder must be to be taken for one a killed sync
/// left behind: no sync takes this long to write one file.
const LEFT_BEHIND: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Delete what a killed sync of this book left half written in its folder (`.<name>.<pid>.<n>.tmp`,
/// hidden, so never read or committed, but copied along by a folder tool, with the personal data
/// it holds). Only files old enough that no sync can still be writing them.
fn clear_left_behind(mine: &Path) {
    let Ok(entries) = fs::read_dir(mine) else {
        return;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with('.')
            && name.ends_with(".tmp")
            && [SUFFIX, ACK_SUFFIX, MANIFEST_SUFFIX]
                .iter()
                .any(|s| name.contains(&format!("{s}.")));
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > LEFT_BEHIND);
        if ours && old {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn send(
    store: &mut Store,
    dir: &Path,
    replica: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    clear_left_behind(&dir.join(replica));
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

/// A file waiting to be applied: its name, changesets, and the snapshot (an index into the
/// manifests read) it is a part of.
struct Pending {
    name: String,
    changesets: Vec<Vec<u8>>,
    snapshot: Option<usize>,
}

fn receive(
    store: &mut Store,
    dir: &Path,
    replica: &str,
    now: &Now,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut known = store.sync_files()?;
    let mut pending: Vec<Pending> = Vec::new();
    let mut manifests: Vec<Manifest> = Vec::new();
    for folder in folders(dir)? {
        let other = &folder.replica;
        if other == replica {
            continue;
        }
        let path = dir.join(other);
        // The snapshots' lists, by id: a part waits for its list, which is written last.
        let mut lists: BTreeMap<String, Result<usize, String>> = BTreeMap::new();
        for m in &folder.manifests {
            let id = m
                .strip_prefix(SNAPSHOT)
                .and_then(|m| m.strip_suffix(MANIFEST_SUFFIX))
                .unwrap_or("");
            let file = path.join(m);
            let read = Manifest::decode(id, &fs::read(&file).map_err(io(&file))?);
            let read = match read {
                Ok(m) if m.replica != *other => Err(format!(
                    "its list says it is from {}, not from the folder it is in",
                    m.replica
                )),
                Ok(m) => {
                    manifests.push(m);
                    Ok(manifests.len() - 1)
                }
                Err(why) => Err(format!("its list {m}: {why}")),
            };
            lists.insert(id.to_string(), read);
        }
        for n in &folder.changes {
            let name = format!("{other}/{n}");
            if known.contains(&name) {
                continue;
            }
            let file = path.join(n);
            let bytes = fs::read(&file).map_err(io(&file))?;
            match decode(&bytes) {
                Read::Partial => report.partial.push(name),
                Read::Refused(reason) => report.refused.push(Refused { file: name, reason }),
                Read::Whole { replica: r, .. } if r != *other => report.refused.push(Refused {
                    file: name,
                    reason: format!("it says it is from {r}, not from the folder it is in"),
                }),
                Read::Whole {
                    snapshot: None,
                    changesets,
                    ..
                } => pending.push(Pending {
                    name,
                    changesets,
                    snapshot: None,
                }),
                Read::Whole {
                    snapshot: Some(id),
                    changesets,
                    ..
                } => match lists.get(&id) {
                    None => report.partial.push(name),
                    Some(Err(why)) => report.refused.push(Refused {
                        file: name,
                        reason: why.clone(),
                    }),
                    Some(Ok(i)) if !manifests[*i].part_names().contains(&name) => {
                        report.refused.push(Refused {
                            file: name,
                            reason: "a snapshot's part its list does not name".into(),
                        })
                    }
                    Some(Ok(i)) => pending.push(Pending {
                        name,
                        changesets,
                        snapshot: Some(*i),
                    }),
                },
            }
        }
    }
    // Ordinary files first: a book that then holds everything a snapshot covers notes the
    // snapshot without applying it; one that does not (a new laptop) applies the snapshot,
    // and the files it covers are then known.
    pending.sort_by_key(|p| p.snapshot.is_some());
    // Apply while that gets anywhere: a held file may wait for a lead a later one brings.
    loop {
        let mut progress = false;
        let mut still = Vec::new();
        for p in pending {
            if known.contains(&p.name) {
                continue;
            }
            let mut covers: &[String] = &[];
            if let Some(i) = p.snapshot {
                let m = &manifests[i];
                if m.covers.iter().all(|c| known.contains(c)) {
                    store.note_sync_files(std::slice::from_ref(&p.name), false)?;
                    known.insert(p.name.clone());
                    report.skipped.push(p.name);
                    progress = true;
                    continue;
                }
                // The last of its parts to come: what it covers is known with it.
                if m.part_names()
                    .iter()
                    .all(|n| *n == p.name || known.contains(n))
                {
                    covers = &m.covers;
                }
            }
            match store.take_in_covering(&p.name, &p.changesets, covers, now) {
                Ok(Taken::Applied { changes }) => {
                    known.insert(p.name.clone());
                    known.extend(covers.iter().cloned());
                    report.applied.push(Applied {
                        file: p.name,
                        changes,
                    });
                    progress = true;
                }
                Ok(Taken::Held) => still.push(p),
                Err(StoreError::Unfit(reason)) => report.refused.push(Refused {
                    file: p.name,
                    reason,
                }),
                // Sound, but its changes break the book's rules (a NOT NULL, a CHECK): refused
                // by name, nothing of it applied, rather than failing every sync from now on.
                Err(StoreError::Session(e @ session::SessionError::Sqlite(code, _)))
                    if matches!(
                        code & 0xff,
                        ffi::SQLITE_ABORT | ffi::SQLITE_CONSTRAINT | ffi::SQLITE_MISMATCH
                    ) =>
                {
                    report.refused.push(Refused {
                        file: p.name,
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
    report.held = pending.into_iter().map(|p| p.name).collect();
    Ok(())
}

/// Every change file in the folder, by name under it.
fn present(folders: &[Folder]) -> Vec<String> {
    folders
        .iter()
        .flat_map(|f| f.changes.iter().map(|n| format!("{}/{n}", f.replica)))
        .collect()
}

/// Say in this book's folder which of the folder's change files it has applied or written
/// (when that changed since it last said), and delete what it said before. A laptop that has
/// never written a change writes one too, so the others know it is there.
fn publish_ack(store: &Store, dir: &Path, replica: &str) -> Result<(), SyncError> {
    let all = folders(dir)?;
    let known = store.sync_files()?;
    let ack = Ack {
        replica: replica.to_string(),
        files: present(&all)
            .into_iter()
            .filter(|n| known.contains(n))
            .collect(),
    };
    let mine = dir.join(replica);
    let old: Vec<String> = all
        .iter()
        .find(|f| f.replica == replica)
        .map(|f| f.acks.clone())
        .unwrap_or_default();
    // The last one this book wrote, if it is sound and says the same, stays.
    let last = old.iter().max_by_key(|n| ack_seq(n));
    let same = last.is_some_and(|n| {
        fs::read(mine.join(n))
            .ok()
            .and_then(|b| Ack::decode(n, &b))
            .is_some_and(|a| a == ack)
    });
    let keep = if same {
        last.cloned()
    } else {
        make_folder(&mine)?;
        let bytes = ack.encode();
        let seq = old.iter().filter_map(|n| ack_seq(n)).max().unwrap_or(0) + 1;
        let name = format!(
            "applied-{seq:012}-{}{ACK_SUFFIX}",
            &hex(&Sha256::digest(&bytes))[..16]
        );
        let path = mine.join(&name);
        super::atomic::write(&path, &bytes).map_err(io(&path))?;
        Some(name)
    };
    for n in old.iter().filter(|n| Some(*n) != keep.as_ref()) {
        let path = mine.join(n);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&path)(e)),
            _ => {}
        }
    }
    Ok(())
}

/// Make this laptop's folder (0700) if it is not there.
fn make_folder(mine: &Path) -> Result<(), SyncError> {
    if !mine.is_dir() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(mine)
            .map_err(io(mine))?;
    }
    Ok(())
}

/// A snapshot's id, from its file name (`snapshot-<id>-<part>.ripen`).
fn snapshot_id(file: &str) -> Option<&str> {
    let rest = file.split_once('/').map_or(file, |(_, f)| f);
    let id = rest.strip_prefix(SNAPSHOT)?.get(..16)?;
    is_id(id).then_some(id)
}

/// `ripen sync --compact`, after a sync: when some of the folder's files have been applied by
/// every laptop that has a folder in it, write a snapshot of this book's shared tables that
/// covers every file of the folder this book has applied or written, then delete the files
/// that every laptop has applied (a snapshot's parts only all together, with its list).
fn compact(
    store: &mut Store,
    dir: &Path,
    replica: &str,
    now: &Now,
) -> Result<Compacted, SyncError> {
    let mut out = Compacted::default();
    // This book's snapshot parts without a list: a compaction cut short left them (the list
    // is written last), and no other laptop will ever apply them.
    if let Some(mine) = folders(dir)?.into_iter().find(|f| f.replica == replica) {
        for part in &mine.changes {
            let Some(id) = snapshot_id(part) else {
                continue;
            };
            if !mine.manifests.contains(&Manifest::file_name(id)) {
                let path = dir.join(replica).join(part);
                match fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(io(&path)(e));
                    }
                    _ => out.retired.push(format!("{replica}/{part}")),
                }
            }
        }
    }
    let all = folders(dir)?;
    let known = store.sync_files()?;
    // What each laptop has said it applied (every sound ack it left: each said only what was
    // so); this book's own, its record.
    let mut acked: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &all {
        let said = acked.entry(f.replica.clone()).or_default();
        for a in &f.acks {
            let path = dir.join(&f.replica).join(a);
            if let Some(ack) = fs::read(&path).ok().and_then(|b| Ack::decode(a, &b))
                && ack.replica == f.replica
            {
                said.extend(ack.files);
            }
        }
    }
    acked.insert(replica.to_string(), known.clone());
    let files = present(&all);
    let waiting = |name: &str| -> Vec<String> {
        let owner = name.split('/').next().unwrap_or("");
        acked
            .iter()
            .filter(|(r, said)| r.as_str() != owner && !said.contains(name))
            .map(|(r, _)| r.clone())
            .collect()
    };
    let mut retire: BTreeSet<String> = BTreeSet::new();
    for f in &files {
        let w = waiting(f);
        if w.is_empty() {
            retire.insert(f.clone());
        } else {
            let reason = if w.iter().any(|r| r == replica) {
                "not applied by this book (held, refused or still arriving)".to_string()
            } else {
                format!(
                    "not yet applied by {} other laptop{}",
                    w.len(),
                    if w.len() == 1 { "" } else { "s" }
                )
            };
            out.kept.push(Kept {
                file: f.clone(),
                reason,
                waiting_for: w,
            });
        }
    }
    // A snapshot goes whole, with its list, or not at all.
    let mut lists: Vec<(String, Manifest)> = Vec::new();
    for f in &all {
        for m in &f.manifests {
            let id = m
                .strip_prefix(SNAPSHOT)
                .and_then(|m| m.strip_suffix(MANIFEST_SUFFIX))
                .unwrap_or("");
            let path = dir.join(&f.replica).join(m);
            if let Some(list) = fs::read(&path)
                .ok()
                .and_then(|b| Manifest::decode(id, &b).ok())
            {
                lists.push((format!("{}/{m}", f.replica), list));
            }
        }
    }
    for (_, list) in &lists {
        let parts = list.part_names();
        if !parts.iter().all(|p| retire.contains(p)) {
            for p in parts.iter().filter(|p| retire.remove(*p)) {
                out.kept.push(Kept {
                    file: p.clone(),
                    reason: "a part of a snapshot not yet retired whole".into(),
                    waiting_for: Vec::new(),
                });
            }
        }
    }
    // Only ordinary files make a new snapshot worth its bytes (else two laptops compacting
    // would replace each other's snapshots for ever).
    if !retire.iter().any(|f| snapshot_id(f).is_none()) {
        for f in std::mem::take(&mut retire) {
            out.kept.push(Kept {
                file: f,
                reason: "the folder's snapshot".into(),
                waiting_for: Vec::new(),
            });
        }
        out.kept.sort_by(|a, b| a.file.cmp(&b.file));
        return Ok(out);
    }
    let covers: Vec<String> = files
        .iter()
        .filter(|f| known.contains(*f))
        .cloned()
        .collect();
    let id = {
        let mut h = Sha256::new();
        h.update(format!("{replica}\n{}\n", now.utc.timestamp_millis()));
        for c in &covers {
            h.update(c.as_bytes());
            h.update(b"\n");
        }
        hex(&h.finalize())[..16].to_string()
    };
    out.snapshot = write_snapshot(store, dir, replica, &id, covers, FILE_BYTES)?;
    for f in &retire {
        if out.snapshot.contains(f) {
            continue;
        }
        let path = dir.join(f);
        match fs::remove_file(&path) {
            Ok(()) => out.retired.push(f.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.retired.push(f.clone()),
            Err(e) => out.kept.push(Kept {
                file: f.clone(),
                reason: format!("could not be deleted: {e}"),
                waiting_for: Vec::new(),
            }),
        }
    }
    // The lists of the snapshots retired go with them.
    for (name, list) in &lists {
        if list.id != id && list.part_names().iter().all(|p| out.retired.contains(p)) {
            let path = dir.join(name);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io(&path)(e));
                }
                _ => out.retired.push(name.clone()),
            }
        }
    }
    out.kept.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Write a snapshot of this book's shared tables under `DIR/<replica>/`, its parts cut at
/// about `file_bytes` ([`FILE_BYTES`]), then its list; note the parts as this book's. The
/// parts, by name under the folder (the list last).
fn write_snapshot(
    store: &mut Store,
    dir: &Path,
    replica: &str,
    id: &str,
    covers: Vec<String>,
    file_bytes: usize,
) -> Result<Vec<String>, SyncError> {
    let mine = dir.join(replica);
    make_folder(&mine)?;
    let mut parts: Vec<String> = Vec::new();
    let mut current: Vec<Vec<u8>> = Vec::new();
    let mut size = 0;
    let flush = |current: &mut Vec<Vec<u8>>, parts: &mut Vec<String>| -> Result<(), StoreError> {
        let name = part_name(id, parts.len() + 1);
        let path = mine.join(&name);
        if !path.exists() {
            let bytes = encode_as(replica, LATEST, Some(id), current);
            super::atomic::write(&path, &bytes).map_err(|err| StoreError::Io {
                path: path.clone(),
                err,
            })?;
        }
        parts.push(format!("{replica}/{name}"));
        current.clear();
        Ok(())
    };
    store.snapshot_changesets(&mut |cs| {
        if !current.is_empty() && size + cs.len() > file_bytes {
            flush(&mut current, &mut parts)?;
            size = 0;
        }
        size += cs.len();
        current.push(cs.to_vec());
        Ok(())
    })?;
    if !current.is_empty() || parts.is_empty() {
        flush(&mut current, &mut parts)?;
    }
    store.note_sync_files(&parts, true)?;
    let list = Manifest {
        id: id.to_string(),
        replica: replica.to_string(),
        parts: parts.len(),
        covers,
    };
    let path = mine.join(Manifest::file_name(id));
    if !path.exists() {
        super::atomic::write(&path, &list.encode()).map_err(io(&path))?;
    }
    parts.push(format!("{replica}/{}", Manifest::file_name(id)));
    Ok(parts)
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
                snapshot: None,
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

    /// A snapshot's part says so in its header; its list and a book's ack read back as
    /// written, and a cut or a changed byte is caught (an ack then says nothing).
    #[test]
    fn a_snapshot_and_its_list_and_an_ack_read_back_and_damage_is_caught() {
        let id = "0123456789abcdef";
        let part = encode_as("r1", LATEST, Some(id), &[]);
        assert!(matches!(decode(&part), Read::Whole { snapshot: Some(s), .. } if s == id));
        let bad = encode_as("r1", LATEST, Some("not an id"), &[]);
        assert_eq!(decode(&bad), Read::Refused("a damaged header".into()));
        let m = Manifest {
            id: id.into(),
            replica: "r1".into(),
            parts: 2,
            covers: vec!["r1/a.ripen".into(), "r2/b.ripen".into()],
        };
        let bytes = m.encode();
        assert_eq!(Manifest::decode(id, &bytes), Ok(m.clone()));
        assert_eq!(
            m.part_names(),
            [
                "r1/snapshot-0123456789abcdef-0001.ripen",
                "r1/snapshot-0123456789abcdef-0002.ripen"
            ]
        );
        for cut in 0..bytes.len() - 1 {
            assert!(Manifest::decode(id, &bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert!(Manifest::decode(id, &flipped).is_err());

        let ack = Ack {
            replica: "r2".into(),
            files: ["r1/a.ripen".to_string()].into(),
        };
        let bytes = ack.encode();
        let name = format!(
            "applied-000000000001-{}{ACK_SUFFIX}",
            &hex(&Sha256::digest(&bytes))[..16]
        );
        assert_eq!(Ack::decode(&name, &bytes), Some(ack));
        assert_eq!(ack_seq(&name), Some(1));
        assert_eq!(Ack::decode(&name, &bytes[..bytes.len() - 3]), None);
        assert_eq!(Ack::decode("applied-1-0000000000000000.ack", &bytes), None);
    }

    /// A snapshot in several parts: a book that lacks what it covers applies the parts as
    /// they come, and knows the files it covers only once the last part is in (a part that
    /// never came would otherwise leave it claiming what it does not hold).
    #[test]
    fn a_snapshot_in_parts_covers_its_files_only_once_every_part_is_in() {
        use crate::domain::{ActivityKind, Plan, lifecycle::Contact};
        use crate::ops::{Op, run};
        use crate::store::NewLead;
        use chrono::{TimeZone, Utc};
        let tmp = tempfile::tempdir().unwrap();
        let now = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let mut a = Store::open(&tmp.path().join("a.db"), Plan::default()).unwrap();
        for name in ["Ana Ruiz", "Bo Chen"] {
            let new = NewLead {
                name: name.into(),
                ..NewLead::default()
            };
            let (_, uid) = a.add_lead(new, &now).unwrap();
            let contact = Contact {
                kind: ActivityKind::Call,
                outcome: Some("reached".into()),
                note: Some("keen".into()),
                at: None,
                next: None,
            };
            run(&mut a, Op::Log { uid, contact }, &now).unwrap();
        }
        let dir = tmp.path().join("shared");
        fs::create_dir(&dir).unwrap();
        let replica = a.replica_id().unwrap();
        let covered = "0000/000000000001-0000000000000000.ripen".to_string();
        // One changeset a part: the log's, then the timelines'.
        let id = "0123456789abcdef";
        let written = write_snapshot(&mut a, &dir, &replica, id, vec![covered.clone()], 1).unwrap();
        assert_eq!(written.len(), 3, "{written:?}");
        let second = dir.join(&written[1]);
        let away = dir.join(&replica).join(".away");
        fs::rename(&second, &away).unwrap();
        let mut b = Store::open(&tmp.path().join("b.db"), Plan::default()).unwrap();
        let r = sync(&mut b, &dir, &now).unwrap();
        assert_eq!(r.applied.len(), 1, "{r:?}");
        assert!(r.skipped.is_empty() && r.refused.is_empty(), "{r:?}");
        assert!(!b.sync_files().unwrap().contains(&covered));
        fs::rename(&away, &second).unwrap();
        let r = sync(&mut b, &dir, &now).unwrap();
        assert_eq!(r.applied.len(), 1, "{r:?}");
        assert!(b.sync_files().unwrap().contains(&covered));
        assert_eq!(b.every_lead().unwrap(), a.every_lead().unwrap());
        // A book that holds what it covers skips every part.
        let mut c = Store::open(&tmp.path().join("c.db"), Plan::default()).unwrap();
        c.note_sync_files(std::slice::from_ref(&covered), false)
            .unwrap();
        let r = sync(&mut c, &dir, &now).unwrap();
        assert!(r.applied.is_empty(), "{r:?}");
        assert_eq!(r.skipped, written[..2].to_vec());
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
