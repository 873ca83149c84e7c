//! `i` import and `E` export: the path form, the import's dry-run preview, and the real import
//! or the export file — all run from `update`, through the same `io` code as the CLI.

use std::path::{Path, PathBuf};

use super::{App, Closed, ImportPreview, Overlay, Tab};
use crate::io::export::{self, Format};
use crate::io::import::{ImportError, ImportReport, ImportRequest};
use crate::ops;
use crate::store::{LeadRow, Store, StoreError, View};
use crate::tui::form::{Extension, Field, Form, FormKind};
use crate::tui::keymap::Command;

/// The Recycled export's choice: the leads due for their touch (a campaign), or every one
/// listed.
const DUE_NOW: &str = "due now";
const ALL_LISTED: &str = "all listed";

/// The export formats the form offers, with their file extensions.
pub const FORMATS: [(&str, Format, &str); 4] = [
    ("csv", Format::Csv, "csv"),
    ("json", Format::Json, "json"),
    ("vcard", Format::Vcard, "vcf"),
    ("ics", Format::Ics, "ics"),
];

/// The extension a format's file gets.
pub fn extension(format: &str) -> &'static str {
    FORMATS
        .iter()
        .find(|(name, _, _)| *name == format)
        .map(|(_, _, ext)| *ext)
        .unwrap_or("csv")
}

/// A typed path made absolute: surrounding quotes dropped (a path pasted from a file manager
/// often has them), `~` expanded to `$HOME`, and a relative path taken from `dir`.
pub fn resolve_path(typed: &str, dir: &Path) -> Option<PathBuf> {
    let mut t = typed.trim();
    for q in ['\'', '"'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            t = &t[1..t.len() - 1];
        }
    }
    if t.is_empty() {
        return None;
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let p = match (t, home) {
        ("~", Some(h)) => h,
        (t, Some(h)) if t.starts_with("~/") => h.join(&t[2..]),
        (t, _) => PathBuf::from(t),
    };
    Some(if p.is_absolute() { p } else { dir.join(p) })
}

/// The CLI's name of a list tab's view, for file names (`ripen export recycled`, `… won`).
fn view_name(tab: Tab, closed: Closed) -> &'static str {
    match tab {
        Tab::Inbox => "inbox",
        Tab::Queue => "queue",
        Tab::Pipeline => "pipeline",
        Tab::Recycled => closed.name(),
        Tab::Reports => "reports",
    }
}

/// How many mapping, notice and error lines the preview can scroll through, at most; the view
/// clamps to what it actually drew.
fn preview_lines(p: &ImportPreview) -> usize {
    let r = p.report.as_ref();
    10 + p.errors.len()
        + r.map_or(0, |r| {
            r.mapping.len() + r.notices.len().min(PREVIEW_NOTICES) * 3 + r.unknown_statuses.len()
        })
}

/// Notices the preview lists (the CLI's `--json` has them all).
pub const PREVIEW_NOTICES: usize = 5;

/// Errors the preview lists when a file is refused.
pub const PREVIEW_ERRORS: usize = 8;

impl App {
    pub(super) fn import_form(&self) -> Form {
        Form::new(
            FormKind::Import,
            "Import a file".into(),
            None,
            vec![Field::text("path", "", "CSV, TSV; ~ and relative work")],
        )
    }

    /// The export form, or why there is nothing to export here.
    pub(super) fn export_form(&self, store: &Store) -> Result<Form, String> {
        if !self.tab.has_leads() {
            return Err(format!("no leads in Reports ({})", self.for_the_lists()));
        }
        let count = match self.tab {
            Tab::Pipeline => self.board.columns.iter().map(|c| c.count).sum::<i64>(),
            _ => self
                .window()
                .map_or(0, |w| i64::try_from(w.total).unwrap_or(i64::MAX)),
        };
        let filter = self.filter_text().trim();
        let leads = if count == 1 { "lead" } else { "leads" };
        let what = if filter.is_empty() {
            format!("{count} {leads}")
        } else {
            format!("{count} {leads} matching /{filter}")
        };
        let name = format!(
            "ripen-{}-{}.csv",
            view_name(self.tab, self.closed),
            self.now.today().format("%Y-%m-%d")
        );
        let formats = FORMATS.iter().map(|(n, _, _)| n.to_string()).collect();
        let mut fields = vec![
            Field::choice("format", formats, "csv"),
            Field::text("path", &name, "written 0600"),
        ];
        // Resting leads are listed too; a campaign wants those due for their touch (as
        // `ripen export recycled --due today`). Each choice says how many it writes, and when
        // none is due under the filter (`/budget`) the leads listed are the default: a
        // header-only file is never what the rep came for.
        if self.tab == Tab::Recycled && self.closed == Closed::Recycling {
            let due = store
                .count(&due_now(&self.now), &self.filter())
                .map_err(|e| e.to_string())?;
            let due_choice = format!("{DUE_NOW} ({due})");
            let all_choice = format!("{ALL_LISTED} ({count})");
            let default = if due == 0 && count > 0 {
                all_choice.clone()
            } else {
                due_choice.clone()
            };
            fields.insert(
                0,
                Field::choice("leads", vec![due_choice, all_choice], &default),
            );
        }
        let mut form = Form::new(
            FormKind::Export,
            format!("Export · {} · {what}", self.tab.title()),
            None,
            fields,
        );
        form.extension = Some(Extension {
            choice: "format",
            field: "path",
            by_option: FORMATS
                .iter()
                .map(|(name, _, ext)| (name.to_string(), *ext))
                .collect(),
        });
        Ok(form)
    }

    /// Enter on the import or export form.
    pub(super) fn submit_transfer(&mut self, form: &Form, store: &mut Store) {
        let Some(path) = resolve_path(&form.value("path"), &self.dir) else {
            self.form_error("give a file's path");
            return;
        };
        match form.kind {
            FormKind::Import => self.dry_run(path, store),
            FormKind::Export => {
                let format = form.value("format");
                let due_only = form.value("leads").starts_with(DUE_NOW);
                match self.export(&path, &format, due_only, store) {
                    Ok(words) => {
                        self.overlay = None;
                        self.say(words);
                    }
                    Err(msg) => {
                        self.form_error(&msg);
                        self.fail(msg);
                    }
                }
            }
            _ => {}
        }
    }

    fn form_error(&mut self, msg: &str) {
        if let Some(f) = self.form_mut() {
            f.error = Some(msg.to_string());
        }
    }

    fn request(path: &Path, dry_run: bool) -> ImportRequest {
        ImportRequest {
            path: path.to_path_buf(),
            dry_run,
            // A bar on stderr would draw over the screen.
            progress: false,
            ..ImportRequest::default()
        }
    }

    /// Read the file as the import would, write nothing, and show what would happen. A file
    /// that cannot be read at all keeps the form open to fix the path; one with bad rows opens
    /// the preview with their lines.
    fn dry_run(&mut self, path: PathBuf, store: &mut Store) {
        let now = self.now;
        let shown = path
            .strip_prefix(&self.dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        match ops::import(store, Self::request(&path, true), &now) {
            Ok(report) => {
                self.open(Overlay::Import(ImportPreview {
                    path,
                    shown: shown.clone(),
                    report: Some(report),
                    errors: Vec::new(),
                    scroll: 0,
                }));
            }
            Err(ImportError::BadRows { errors, .. }) => {
                let n = errors.len();
                self.open(Overlay::Import(ImportPreview {
                    path,
                    shown: shown.clone(),
                    report: None,
                    errors: errors.iter().map(ToString::to_string).collect(),
                    scroll: 0,
                }));
                self.fail(format!("{n} bad row(s): nothing can be imported"));
            }
            Err(e) => {
                let msg = first_line(&e.to_string());
                self.form_error(&msg);
                self.fail(msg);
            }
        }
    }

    /// A command on the import preview: import for real, close it, scroll it.
    pub(super) fn preview_command(&mut self, c: Command, store: &mut Store) {
        let Some(p) = self.preview_mut() else {
            return;
        };
        let last = preview_lines(p);
        match c {
            Command::ClosePreview => {
                self.overlay = None;
                self.say("import cancelled: nothing written");
            }
            Command::ScrollDown => p.scroll = (p.scroll + 1).min(last),
            Command::ScrollUp => p.scroll = p.scroll.saturating_sub(1),
            Command::ScrollPageDown => p.scroll = (p.scroll + 10).min(last),
            Command::ScrollPageUp => p.scroll = p.scroll.saturating_sub(10),
            Command::ImportNow if p.report.is_none() => {
                self.overlay = None;
                self.say("nothing imported: fix the rows, or `ripen import --skip-bad`");
            }
            Command::ImportNow => {
                let path = p.path.clone();
                self.import_for_real(&path, store);
            }
            _ => {}
        }
    }

    /// Scroll the preview with the mouse wheel.
    pub(super) fn preview_scroll(&mut self, delta: isize) {
        if let Some(p) = self.preview_mut() {
            let last = preview_lines(p);
            p.scroll = p.scroll.saturating_add_signed(delta).min(last);
        }
    }

    /// The import itself: one transaction, as the CLI's. On error the preview stays with it.
    fn import_for_real(&mut self, path: &Path, store: &mut Store) {
        let now = self.now;
        match ops::import(store, Self::request(path, false), &now) {
            Ok(report) => {
                self.overlay = None;
                self.say(landed(&report));
                self.refresh_or_report(store, None);
            }
            Err(e) => {
                let text = e.to_string();
                if let Some(p) = self.preview_mut() {
                    p.report = None;
                    p.scroll = 0;
                    p.errors = text.lines().map(|l| l.trim().to_string()).collect();
                }
                self.fail(format!("import failed: {}", first_line(&text)));
            }
        }
    }

    /// Every lead of the current view under its filter, as the list shows them.
    fn export_rows(&self, due_only: bool, store: &Store) -> Result<Vec<LeadRow>, StoreError> {
        let filter = self.filter();
        let view = if due_only {
            Some(due_now(&self.now))
        } else {
            self.view_of(self.tab)
        };
        match view {
            Some(view) => store.list(&view, &filter, 0, usize::MAX),
            None => Ok(Vec::new()),
        }
    }

    fn export(
        &self,
        path: &Path,
        format: &str,
        due_only: bool,
        store: &Store,
    ) -> Result<String, String> {
        let rows = self
            .export_rows(due_only, store)
            .map_err(|e| e.to_string())?;
        let format = FORMATS
            .iter()
            .find(|(name, _, _)| *name == format)
            .map_or(Format::Csv, |(_, f, _)| *f);
        let text = export::render(&rows, format, &self.now, store.plan());
        let replaced = path.exists();
        crate::io::atomic::write(path, text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let n = rows.len();
        Ok(format!(
            "exported {n} lead{} to {}{}",
            if n == 1 { "" } else { "s" },
            path.display(),
            if replaced { " (replaced)" } else { "" }
        ))
    }
}

/// The Recycled leads due for their touch: today's and the overdue.
fn due_now(now: &crate::domain::Now) -> View {
    View::RecycledDue {
        until: now.start_of_tomorrow(),
    }
}

/// What landed, for the status line.
fn landed(r: &ImportReport) -> String {
    let mut s = format!(
        "imported {}: {} new, {} merged, {} skipped",
        r.file, r.new, r.merged, r.skipped
    );
    if r.rejected > 0 {
        s.push_str(&format!(", {} rejected", r.rejected));
    }
    s
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_folder_and_home() {
        let dir = Path::new("/work/here");
        assert_eq!(
            resolve_path("a.csv", dir),
            Some(PathBuf::from("/work/here/a.csv"))
        );
        assert_eq!(
            resolve_path(" '/tmp/x y.csv' ", dir),
            Some(PathBuf::from("/tmp/x y.csv"))
        );
        assert_eq!(resolve_path("  ", dir), None);
        if let Some(home) = std::env::var_os("HOME") {
            assert_eq!(
                resolve_path("~/in.csv", dir),
                Some(PathBuf::from(home).join("in.csv"))
            );
        }
    }

    #[test]
    fn every_format_has_an_extension() {
        assert_eq!(extension("vcard"), "vcf");
        assert_eq!(extension("ics"), "ics");
    }
}
