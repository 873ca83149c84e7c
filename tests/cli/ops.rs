//! One operations layer: the CLI and the app write only through `ripen::ops`, so that a rule
//! cannot differ between them.

use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(d: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir),
        &mut out,
    );
    assert!(!out.is_empty(), "no sources under src/{dir}");
    out
}

/// Every operation, and whether the CLI and the app offer it: each one they offer, they reach
/// through `ops` (its `Op` variant built in their code); neither calls a writer of the store
/// or a transition of the domain itself.
#[test]
fn the_cli_and_the_app_write_only_through_ops() {
    const OPS: [(&str, &str, bool, bool); 22] = [
        // (ops::NAMES, Op variant, the CLI offers it, the app offers it)
        ("add", "Add", true, true),
        ("edit", "Edit", true, true),
        ("log", "Log", true, true),
        ("qualify", "Qualify", true, true),
        ("stage", "Stage", true, false),
        ("step_stage", "StepStage", false, true),
        ("snooze", "Snooze", true, true),
        ("close", "Close", true, true),
        ("win", "Win", true, true),
        ("reactivate", "Reactivate", true, true),
        ("merge", "Merge", true, true),
        ("delete", "Delete", true, true),
        ("undelete", "Undelete", true, false),
        ("empty_trash", "EmptyTrash", true, false),
        ("set_source_cost", "SetSourceCost", true, false),
        ("rename_source", "RenameSource", true, false),
        ("assign", "Assign", true, true),
        ("rename_owner", "RenameOwner", true, false),
        ("import", "Import", true, true),
        ("import_history", "ImportHistory", true, false),
        ("sync", "Sync", true, false),
        ("keep", "Keep", true, true),
    ];
    assert_eq!(
        OPS.map(|o| o.0),
        ripen::ops::NAMES,
        "a new operation: say here whether the CLI and the app offer it"
    );
    let cli = sources("cli");
    let app = sources("tui");
    // An import is reached through `ops::import` / `ops::import_activities`, which run
    // `Op::Import` / `Op::ImportHistory`.
    let reaches = |files: &[(PathBuf, String)], variant: &str| {
        files.iter().any(|(_, t)| {
            t.contains(&format!("Op::{variant} "))
                || t.contains(&format!("Op::{variant}("))
                || t.contains(&format!("Op::{variant},"))
                || (variant == "Import" && t.contains("ops::import("))
                || (variant == "ImportHistory" && t.contains("ops::import_activities("))
        })
    };
    for (name, variant, in_cli, in_app) in OPS {
        assert_eq!(reaches(&cli, variant), in_cli, "{name}: the CLI");
        assert_eq!(reaches(&app, variant), in_app, "{name}: the app");
    }
    // Nothing else that writes.
    let writers = [
        ".apply(",
        ".add_lead(",
        ".merge(&",
        ".empty_trash(",
        ".set_source_cost(",
        ".rename_source(",
        ".assign(",
        ".rename_owner(",
        "lifecycle::handed_over(",
        "lifecycle::owner_renamed(",
        "import_file(",
        "import_history(",
        "take_in(",
        ".keep_value(",
        "sync::sync(",
        "lifecycle::log_contact",
        "lifecycle::qualify",
        "lifecycle::close_out",
        "lifecycle::win(",
        "lifecycle::snooze(",
        "lifecycle::trash(",
        "lifecycle::untrash(",
        "lifecycle::edited(",
        "lifecycle::set_stage(",
        "lifecycle::step_stage(",
    ];
    for (path, text) in cli.iter().chain(&app) {
        for w in writers {
            assert!(
                !text.contains(w),
                "{} calls {w} itself: build an ops::Op and run it",
                path.display()
            );
        }
    }
}
