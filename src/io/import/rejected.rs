//! Rejected rows: written beside the input (or where asked) under `--skip-bad`, header first,
//! each row's raw text as the file had it, so the user can fix them and import that file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::ImportError;
use super::read::Table;

/// Under `--skip-bad`, the rejected rows' file must be writable before anything is imported:
/// found out after the commit, the import would have landed and still failed.
pub(super) fn rejected_writable(
    asked: bool,
    input: &Path,
    to: Option<&Path>,
) -> Result<(), ImportError> {
    if !asked {
        return Ok(());
    }
    let path = to.map_or_else(|| rejected_path(input), Path::to_path_buf);
    let refuse = |why: &str| {
        Err(ImportError::Refused(format!(
            "{}: {why}; nothing was imported (--rejected PATH names a file to write them to)",
            path.display()
        )))
    };
    if path.is_dir() {
        return refuse("a folder, not a file for the rejected rows");
    }
    if path.exists() && !path.is_file() {
        return refuse("not a file the rejected rows can be written to");
    }
    // The file being imported, named again: writing the rejected rows would replace it.
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(&path, input) {
        return refuse("the file being imported");
    }
    crate::io::atomic::can_write(&path).map_err(|e| {
        ImportError::Refused(format!(
            "{}: cannot write the rejected rows there ({e}); nothing was imported (--rejected \
             PATH writes them elsewhere)",
            path.display()
        ))
    })
}

/// Write the header and the raw text of rejected rows beside the input (0600, atomically), so
/// the user can fix them and import that file.
pub(super) fn write_rejected(
    input: &Path,
    to: Option<&Path>,
    table: &Table,
    spans: &[Range<usize>],
) -> Result<PathBuf, ImportError> {
    let path = to.map_or_else(|| rejected_path(input), Path::to_path_buf);
    let mut text = String::new();
    // A vCard's rejected cards need no header: they are whole cards.
    let header = &table.sniffed.text[..table.body];
    text.push_str(header);
    if table.cards.is_none() && !header.ends_with('\n') {
        text.push('\n');
    }
    let body = &table.sniffed.text[table.body..];
    for span in spans {
        // A CRLF file's rows begin after the `\r` of the line before: its `\n` is no line here.
        let raw = body
            .get(span.clone())
            .unwrap_or("")
            .trim_start_matches(['\r', '\n']);
        text.push_str(raw);
        if !raw.ends_with('\n') {
            text.push('\n');
        }
    }
    crate::io::atomic::write(&path, text.as_bytes()).map_err(|err| ImportError::Read {
        path: path.clone(),
        err,
    })?;
    Ok(path)
}

/// `leads.csv` → `leads.rejected.csv`, beside the input; `people.vcf` → `people.rejected.vcf`
/// (its rejected cards are cards).
pub fn rejected_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let vcf = input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("vcf") || e.eq_ignore_ascii_case("vcard"));
    let ext = if vcf { "vcf" } else { "csv" };
    input.with_file_name(format!("{stem}.rejected.{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_file_sits_beside_the_input() {
        assert_eq!(
            rejected_path(Path::new("/a/b/leads.csv")),
            PathBuf::from("/a/b/leads.rejected.csv")
        );
    }
}
