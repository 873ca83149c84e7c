//! Writing an output file so that it is whole or absent: a private (0600) temporary file in the
//! same folder, synced, then renamed over the target, and the folder synced too, so that the
//! name is on disk before anything relies on it (a sync marks its changes sent only then: a
//! power cut must not lose a file the book thinks it wrote).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Write `bytes` to `path` atomically, mode 0600.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = crate::store::temp_beside(path)?;
    let written = OpenOptions::new()
        .write(true)
        .open(&tmp)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    sync_folder(path)
}

/// Make a rename in `path`'s folder durable (`fsync` of the folder itself).
fn sync_folder(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::File::open(dir)?.sync_all()
}

/// Whether [`write`] could write `path`: a private file made and removed in its folder.
pub fn can_write(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let probe = dir.join(format!(".ripen-probe.{}.tmp", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)?;
    fs::remove_file(&probe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_private_and_replaces_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write(&p, b"one").unwrap();
        write(&p, b"two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
