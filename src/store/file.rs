//! The book as a file on disk, before SQLite opens it: whether the path can be a book at all,
//! the schema version its header records (read as bytes, so a refusal touches nothing), whether
//! this process may write it, and the URI a read-only open uses so that it leaves no file behind.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::{Result, StoreError};

/// Why a book can only be read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnly {
    /// The file's own permissions.
    File,
    /// The folder it is in: SQLite cannot make its journal beside it.
    Folder,
    /// The whole file system is mounted read-only.
    Mount,
}

impl ReadOnly {
    /// The words for it, naming the path that is read-only.
    pub fn describe(self, book: &Path) -> String {
        match self {
            ReadOnly::File => format!("the file {} is read-only", book.display()),
            ReadOnly::Folder => format!("the folder {} is read-only", folder_of(book).display()),
            ReadOnly::Mount => format!("the disk holding {} is mounted read-only", book.display()),
        }
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |err| StoreError::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// A path that exists but is no regular file (a folder, `/dev/null`, a socket) is no book: refuse
/// it before SQLite makes a journal beside it.
pub fn refuse_non_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(StoreError::NotAFile(path.to_path_buf())),
        _ => Ok(()),
    }
}

/// The schema version in the header of the book's main file (`PRAGMA user_version`, a big-endian
/// integer at byte 60), or `None` when there is no file yet or it is too short to hold one.
/// Read with a plain read, so that refusing a book never opens it in SQLite, which would
/// checkpoint and delete its write-ahead log on close.
pub fn header_version(path: &Path) -> Result<Option<i64>> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path)(e)),
    };
    let mut head = [0u8; 100];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(path)(e)),
        }
    }
    if got < head.len() || !head.starts_with(b"SQLite format 3\0") {
        return Ok(None);
    }
    Ok(Some(i64::from(u32::from_be_bytes([
        head[60], head[61], head[62], head[63],
    ]))))
}

/// Whether this process can write the book at `path` (which exists): its file, and its folder
/// (SQLite writes its journal beside the file). The kernel's own answer (`access`), so root
/// writes where root may and a read-only mount is read-only for everyone.
pub fn read_only(path: &Path) -> Option<ReadOnly> {
    use rustix::fs::{Access, access};
    use rustix::io::Errno;
    let check = |p: &Path| match access(p, Access::WRITE_OK) {
        Ok(()) => None,
        Err(Errno::ROFS) => Some(ReadOnly::Mount),
        Err(_) => Some(ReadOnly::File),
    };
    // The file's own answer first; a folder that refuses (but not its mount) is the folder.
    check(path).or_else(|| {
        check(folder_of(path)).map(|r| match r {
            ReadOnly::Mount => ReadOnly::Mount,
            _ => ReadOnly::Folder,
        })
    })
}

/// The URI that opens a book for reading only and leaves nothing behind: `immutable` when no
/// write-ahead log holds anything (SQLite then takes no lock and makes no `-shm`), plain
/// read-only otherwise, so that what the log holds is read too.
pub fn read_only_uri(path: &Path) -> String {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let log_holds_pages = std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0);
    let query = if log_holds_pages {
        "mode=ro"
    } else {
        "mode=ro&immutable=1"
    };
    format!("file:{}?{query}", percent_path(path))
}

/// A path as the path part of a `file:` URI: every byte but the unreserved ones and `/` escaped.
fn percent_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `-wal` or `-shm` left beside a writable book with no write permission (an older ripen made
/// them while the book was read-only, with the book's mode then) would make every later open
/// fail: give them the book's own 0600, when they are ours to change.
pub fn mend_side_files(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if let Ok(m) = std::fs::metadata(&side)
            && m.permissions().mode() & 0o200 == 0
        {
            let _ = std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600));
        }
    }
}

/// A new empty private (0600) file in `path`'s folder, named after it, for writing `path`'s
/// content before it is renamed into place (a backup here; any output file through
/// `io::atomic`). The caller removes it if it is not renamed.
pub fn temp_beside(path: &Path) -> std::io::Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let mut attempt = 0u32;
    loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
        {
            Ok(_) => return Ok(tmp),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1
            }
            Err(e) => return Err(e),
        }
    }
}

/// Create the book's missing folder 0700 and the file itself 0600, unless they exist.
pub fn create_private(path: &Path) -> Result<()> {
    let dir = folder_of(path);
    if !dir.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error(path))?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_gives_the_schema_version_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.db");
        assert_eq!(header_version(&p).unwrap(), None);
        std::fs::write(&p, b"").unwrap();
        assert_eq!(header_version(&p).unwrap(), None);
        let c = rusqlite::Connection::open(&p).unwrap();
        c.pragma_update(None, "user_version", 42).unwrap();
        drop(c);
        assert_eq!(header_version(&p).unwrap(), Some(42));
    }

    #[test]
    fn a_uri_escapes_what_a_uri_would_read() {
        assert_eq!(
            percent_path(Path::new("/a b/c?d#e%.db")),
            "/a%20b/c%3Fd%23e%25.db"
        );
    }

    #[test]
    fn a_device_is_no_book() {
        assert!(matches!(
            refuse_non_file(Path::new("/dev/null")),
            Err(StoreError::NotAFile(_))
        ));
        assert!(refuse_non_file(Path::new("/nonexistent/x.db")).is_ok());
    }
}
