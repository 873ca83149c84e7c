//! `ripen sync`: two books and one shared folder, as two laptops of a team would use them.

use crate::common::Book;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Two books (two laptops) and a folder they share.
struct Team {
    a: Book,
    b: Book,
    shared: tempfile::TempDir,
}

fn team() -> Team {
    Team {
        a: Book::new(),
        b: Book::new(),
        shared: tempfile::tempdir().unwrap(),
    }
}

impl Team {
    fn dir(&self) -> &str {
        self.shared.path().to_str().unwrap()
    }
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for r in std::fs::read_dir(dir).unwrap() {
        let r = r.unwrap().path();
        if r.is_dir() {
            for f in std::fs::read_dir(&r).unwrap() {
                out.push(f.unwrap().path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_lead_and_a_call_made_on_one_laptop_show_on_the_other() {
    let t = team();
    t.a.ok(&["add", "Ana Ruiz", "--email", "ana@example.com"]);
    let out = t.a.ok(&["sync", "--init", t.dir()]);
    assert!(out.contains("sent 1 file"), "{out}");
    // The other laptop starts from nothing and takes it in.
    let out = t.b.ok(&["sync", t.dir()]);
    assert!(out.contains("applied 1 file"), "{out}");
    let list = t.b.ok(&["list"]);
    assert!(list.contains("Ana Ruiz"), "{list}");
    t.b.ok(&["log", "1", "call", "--outcome", "reached", "--note", "keen"]);
    t.b.ok(&["sync", t.dir()]);
    // The folder set with --init is remembered.
    let out = t.a.ok(&["sync"]);
    assert!(out.contains("applied 1 file"), "{out}");
    let show = t.a.ok(&["show", "1"]);
    assert!(show.contains("keen"), "{show}");
    assert!(show.contains("working"), "{show}");
    // What was sent left the outbox, but for its last entry (whose number the next follows).
    let outbox: i64 = rusqlite::Connection::open(&t.a.db)
        .unwrap()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(outbox, 1);
    // Nothing new: nothing sent, nothing applied.
    let again = t.a.json(&["sync", "--json"]);
    assert_eq!(again["written"].as_array().unwrap().len(), 0);
    assert_eq!(again["applied"].as_array().unwrap().len(), 0);
    // Files are private and never rewritten.
    for f in files(t.shared.path()) {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
        let dir_mode = std::fs::metadata(f.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
    }
}

#[test]
fn sync_reports_in_json() {
    let t = team();
    t.a.ok(&["add", "Bo Chen"]);
    let a = t.a.json(&["sync", t.dir(), "--json"]);
    let replica = a["replica"].as_str().unwrap().to_string();
    assert_eq!(a["written"].as_array().unwrap().len(), 1);
    assert!(
        a["written"][0]
            .as_str()
            .unwrap()
            .starts_with(&format!("{replica}/"))
    );
    let b = t.b.json(&["sync", t.dir(), "--json"]);
    assert_eq!(b["applied"][0]["file"], a["written"][0]);
    assert!(b["applied"][0]["changes"].as_u64().unwrap() >= 2);
    for key in ["held", "partial", "refused"] {
        assert_eq!(b[key].as_array().unwrap().len(), 0, "{key}");
    }
}

#[test]
fn a_damaged_file_is_refused_by_name_and_a_partial_one_waits() {
    let t = team();
    t.a.ok(&["add", "Cy Dahl"]);
    t.a.ok(&["add", "Di Ek"]);
    t.a.ok(&["sync", t.dir()]);
    let file = files(t.shared.path()).remove(0);
    let bytes = std::fs::read(&file).unwrap();
    // Cut short: still arriving, left for next time; nothing of it lands.
    std::fs::write(&file, &bytes[..bytes.len() - 10]).unwrap();
    let out = t.b.ok(&["sync", t.dir()]);
    assert!(out.contains("still arriving"), "{out}");
    assert!(!t.b.db.exists() || !t.b.ok(&["list"]).contains("Cy Dahl"));
    // Whole again, a byte changed: refused, named, nothing lands.
    let mut damaged = bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x55;
    std::fs::write(&file, &damaged).unwrap();
    let out = t.b.ok(&["sync", t.dir()]);
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(out.contains("refused") && out.contains(name), "{out}");
    assert!(out.contains("checksum"), "{out}");
    assert!(!t.b.ok(&["list"]).contains("Cy Dahl"));
    // Mended: applied.
    std::fs::write(&file, &bytes).unwrap();
    let out = t.b.ok(&["sync", t.dir()]);
    assert!(out.contains("applied 1 file"), "{out}");
    let list = t.b.ok(&["list"]);
    assert!(list.contains("Cy Dahl") && list.contains("Di Ek"), "{list}");
}

#[test]
fn a_file_from_a_newer_ripen_is_refused_until_an_upgrade() {
    let t = team();
    t.a.ok(&["add", "Ed Fox"]);
    t.a.ok(&["sync", t.dir()]);
    let file = files(t.shared.path()).remove(0);
    let text = std::fs::read(&file).unwrap();
    let header_end = text.windows(2).position(|w| w == b"\n\n").unwrap();
    let header = String::from_utf8(text[..header_end].to_vec()).unwrap();
    let newer = header.replace(
        &format!("schema {}", ripen::store::schema::LATEST),
        &format!("schema {}", ripen::store::schema::LATEST + 1),
    );
    let mut bytes = newer.into_bytes();
    bytes.extend_from_slice(&text[header_end..]);
    std::fs::write(&file, bytes).unwrap();
    let out = t.b.ok(&["sync", t.dir()]);
    assert!(
        out.contains("newer ripen") && out.contains("upgrade"),
        "{out}"
    );
}

#[test]
fn without_a_folder_sync_says_how_to_set_one() {
    let t = team();
    t.a.ok(&["add", "Flo Gray"]);
    let out = t.a.ripen().args(["sync"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ripen sync --init DIR"), "{err}");
    let out =
        t.a.ripen()
            .args(["sync", "/no/such/folder"])
            .output()
            .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/no/such/folder") && err.contains("no such folder"),
        "{err}"
    );
}

/// `ripen ARGS` on `book` as `user` at `at`, asserting success; its stdout.
fn as_user(book: &Book, user: &str, args: &[&str], at: &str) -> String {
    let out = book
        .ripen()
        .env("RIPEN_USER", user)
        .env("RIPEN_NOW", at)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Ana and Sam change one lead's phone at the same time on their laptops: after a sync both
/// books keep the same phone and list the same conflict, with both values, who and when; Sam
/// keeps his value, and after the next sync that is the phone everywhere and the conflict is
/// gone. Sam's e-mail, changed meanwhile, just merges; the timeline says who did what.
#[test]
fn a_conflict_is_listed_on_both_books_and_settled_from_either() {
    let t = team();
    let ana = |args: &[&str], at: &str| as_user(&t.a, "Ana", args, at);
    let sam = |args: &[&str], at: &str| as_user(&t.b, "Sam", args, at);
    let (t0, t1, t2) = (
        "2026-11-22T09:00:00Z",
        "2026-11-22T10:00:00Z",
        "2026-11-22T11:00:00Z",
    );
    ana(&["add", "Ana Ruiz", "--phone", "111"], t0);
    ana(&["sync", t.dir()], t0);
    sam(&["sync", t.dir()], t0);
    ana(&["edit", "1", "--phone", "222"], t1);
    sam(&["edit", "1", "--phone", "333"], t1);
    sam(&["edit", "1", "--email", "ana@example.com"], t1);
    sam(&["log", "1", "call", "--outcome", "reached"], t1);
    for _ in 0..2 {
        ana(&["sync", t.dir()], t1);
        sam(&["sync", t.dir()], t1);
    }
    let on_a: serde_json::Value =
        serde_json::from_str(&ana(&["sync", "--conflicts", "--json"], t1)).unwrap();
    let on_b: serde_json::Value =
        serde_json::from_str(&sam(&["sync", "--conflicts", "--json"], t1)).unwrap();
    assert_eq!(on_a, on_b, "both books list the same conflicts");
    let list = on_a.as_array().unwrap();
    assert_eq!(list.len(), 1, "{on_a:#}");
    let c = &list[0];
    assert_eq!(c["lead"], 1);
    assert_eq!(c["field"], "phone");
    let kept = c["kept"]["value"].as_str().unwrap();
    let other = &c["others"][0];
    let mut values = [kept, other["value"].as_str().unwrap()];
    values.sort();
    assert_eq!(values, ["222", "333"]);
    assert!(other["author"] == "Ana" || other["author"] == "Sam");
    assert_eq!(other["at"], "2026-11-22T10:00:00+00:00");
    // Both books show the winner; the e-mail merged.
    let show_a = ana(&["show", "1"], t1);
    let show_b = sam(&["show", "1"], t1);
    assert!(
        show_a.contains(&format!("phone         {kept}")),
        "{show_a}"
    );
    assert!(
        show_b.contains(&format!("phone         {kept}")),
        "{show_b}"
    );
    assert!(show_a.contains("ana@example.com"), "{show_a}");
    // Ana's book says Sam logged the call; Sam's own book does not name him.
    assert!(
        show_a.contains("reached") && show_a.contains("— Sam"),
        "{show_a}"
    );
    assert!(!show_b.contains("— Sam"), "{show_b}");
    // The text says it the same way, with the key.
    let text = sam(&["sync", "--conflicts"], t1);
    assert!(
        text.contains("#1 Ana Ruiz: phone") && text.contains("ripen sync --keep"),
        "{text}"
    );
    // Keep the value that lost, from Sam's book; it travels.
    let losing = other["value"].as_str().unwrap().to_string();
    let change = other["change"].as_str().unwrap();
    sam(&["sync", "--keep", &change[..13]], t2);
    sam(&["sync", t.dir()], t2);
    ana(&["sync", t.dir()], t2);
    for out in [
        ana(&["sync", "--conflicts"], t2),
        sam(&["sync", "--conflicts"], t2),
    ] {
        assert_eq!(out.trim(), "no conflicts");
    }
    assert!(ana(&["show", "1"], t2).contains(&format!("phone         {losing}")));
    // A change the book does not hold is refused, saying where to find them.
    let out =
        t.a.ripen()
            .args(["sync", "--keep", "zzzz"])
            .output()
            .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no change zzzz in this book"), "{err}");
}

#[test]
fn a_sound_file_the_book_cannot_take_is_refused_by_name_and_the_rest_still_syncs() {
    let t = team();
    t.a.ok(&["add", "Gus Hale"]);
    t.a.ok(&["sync", t.dir()]);
    // A whole file, checksum and all, whose timeline entry lacks columns the book requires (a
    // peer's bug, or a ripen whose tables differ): applying it breaks a NOT NULL.
    let one = rusqlite::Connection::open_in_memory().unwrap();
    one.execute_batch("CREATE TABLE activities (uid TEXT PRIMARY KEY NOT NULL, lead_uid TEXT)")
        .unwrap();
    let s = ripen::store::session::Session::new(&one, &["activities"]).unwrap();
    one.execute_batch("INSERT INTO activities VALUES ('x1', 'nobody')")
        .unwrap();
    let bad = ripen::io::sync::encode(
        "feedbeef",
        ripen::store::schema::LATEST,
        &[s.changeset().unwrap()],
    );
    std::fs::create_dir(t.shared.path().join("feedbeef")).unwrap();
    std::fs::write(t.shared.path().join("feedbeef/000000000001-bad.ripen"), bad).unwrap();
    let out = t.b.json(&["sync", t.dir(), "--json"]);
    assert_eq!(out["refused"][0]["file"], "feedbeef/000000000001-bad.ripen");
    assert_eq!(out["refused"].as_array().unwrap().len(), 1, "{out}");
    let reason = out["refused"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("cannot take its changes"), "{reason}");
    assert_eq!(out["applied"].as_array().unwrap().len(), 1, "{out}");
    assert!(t.b.ok(&["list"]).contains("Gus Hale"));
    // Refused again next time, by name, and nothing else blocked.
    let again = t.b.json(&["sync", t.dir(), "--json"]);
    assert_eq!(
        again["refused"][0]["file"],
        "feedbeef/000000000001-bad.ripen"
    );
}

/// `git` in `dir`, asserting success.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A bare repository `team.git` under `root` and two clones of it, `one` and `two`, each with
/// its own git identity: two laptops of a team.
fn clones(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    git(root, &["init", "--quiet", "--bare", "team.git"]);
    for c in ["one", "two"] {
        git(root, &["clone", "--quiet", "team.git", c]);
        git(&root.join(c), &["config", "user.name", c]);
        git(
            &root.join(c),
            &["config", "user.email", &format!("{c}@example.com")],
        );
    }
    (root.join("one"), root.join("two"))
}

/// A bare repository on disk and two clones of it, one per laptop: `ripen sync` on a clone
/// pulls, commits and pushes with the user's own git; the other laptop gets the lead and the
/// call; both having changed something, both syncs push; syncing again changes nothing.
#[test]
fn two_laptops_share_a_book_through_a_git_repository() {
    let t = team();
    let root = t.shared.path();
    let (one, two) = clones(root);
    let (one_s, two_s) = (one.to_str().unwrap(), two.to_str().unwrap());
    t.a.ok(&["add", "Hal Ives", "--email", "hal@example.com"]);
    // A clone is found to be one: no --git needed.
    let out = t.a.ok(&["sync", one_s]);
    assert!(
        out.contains("sent 1 file") && out.contains("git: "),
        "{out}"
    );
    let r = t.b.json(&["sync", two_s, "--json"]);
    assert_eq!(r["applied"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["git"]["pulled"], true);
    assert!(t.b.ok(&["list"]).contains("Hal Ives"));
    t.b.ok(&[
        "log",
        "1",
        "call",
        "--outcome",
        "reached",
        "--note",
        "wants a demo",
    ]);
    // Both laptops change something before either syncs.
    t.a.ok(&["add", "Ida Jung"]);
    let r = t.b.json(&["sync", two_s, "--json", "--git"]);
    assert_eq!(r["git"]["pushed"], true, "{r:#}");
    let r = t.a.json(&["sync", one_s, "--json"]);
    assert_eq!(r["git"]["pushed"], true, "{r:#}");
    t.b.ok(&["sync", two_s]);
    let show = t.a.ok(&["show", "1"]);
    assert!(show.contains("wants a demo"), "{show}");
    assert!(t.b.ok(&["list"]).contains("Ida Jung"));
    // Nothing new anywhere: nothing committed, the history as it was (once this laptop has
    // pulled what the other said it applied last time).
    t.a.ok(&["sync", one_s]);
    let before = git(&one, &["rev-parse", "HEAD"]);
    let r = t.a.json(&["sync", one_s, "--json"]);
    assert_eq!(r["git"]["committed"], false, "{r:#}");
    assert_eq!(r["applied"].as_array().unwrap().len(), 0);
    assert_eq!(git(&one, &["rev-parse", "HEAD"]), before);
    // Every laptop's files are in the shared history, each under its own folder.
    let files = git(
        root.join("team.git").as_path(),
        &["ls-tree", "-r", "--name-only", "HEAD"],
    );
    let folders: std::collections::BTreeSet<&str> =
        files.lines().filter_map(|l| l.split('/').next()).collect();
    assert_eq!(folders.len(), 2, "{files}");
}

/// A folder that is not a git work tree is refused for --git, saying so.
#[test]
fn git_sync_needs_a_git_work_tree() {
    let t = team();
    t.a.ok(&["add", "Jo Kern"]);
    let out =
        t.a.ripen()
            .args(["sync", t.dir(), "--git"])
            .output()
            .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a git work tree"), "{err}");
}

/// Leads taken in are numbered in the order they were made on the other laptop (an import's
/// in the file's order, not in the order of their uids, which are drawn from their contents),
/// many written at once (a batch is 64 leads: 70 spans two).
#[test]
fn leads_taken_in_are_numbered_in_the_order_they_were_made() {
    let t = team();
    let names: Vec<String> = (0..70).map(|i| format!("Lead {i:02}")).collect();
    let csv = t.shared.path().join("list.csv");
    let rows: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{n},lead{i}@example.com\n"))
        .collect();
    std::fs::write(&csv, format!("name,email\n{rows}")).unwrap();
    t.a.ok(&["import", csv.to_str().unwrap()]);
    std::fs::remove_file(&csv).unwrap();
    t.a.ok(&["sync", t.dir()]);
    t.b.ok(&["add", "Bo Own"]);
    let out = t.b.ok(&["sync", t.dir()]);
    assert!(out.contains("applied 1 file"), "{out}");
    let list = t.b.json(&["list", "all", "--json"]);
    let mut by_number: Vec<(i64, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_i64().unwrap(),
                l["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    by_number.sort();
    let taken: Vec<String> = by_number.into_iter().skip(1).map(|(_, n)| n).collect();
    assert_eq!(taken, names);
}

/// What the folder's files say, as text: every change of every change file (decoded and
/// unpacked), and the other files (acks, snapshot lists) as they are.
fn folder_text(dir: &Path) -> String {
    use ripen::io::sync::{Read, SUFFIX, decode};
    let mut out = String::new();
    for f in files(dir) {
        let bytes = std::fs::read(&f).unwrap();
        if f.to_string_lossy().ends_with(SUFFIX) {
            let Read::Whole { changesets, .. } = decode(&bytes) else {
                panic!("{} does not read whole", f.display());
            };
            for cs in changesets {
                out.push_str(&format!(
                    "{:?}\n",
                    ripen::store::session::read(&cs).unwrap()
                ));
            }
        } else {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

/// A book's shared rows, table by table in key order, and its leads.
fn book_state(book: &Book) -> (Vec<String>, Vec<ripen::domain::Lead>) {
    let c = rusqlite::Connection::open(&book.db).unwrap();
    let rows = crate::common::shared_rows(&c);
    let store = ripen::store::Store::open(&book.db, ripen::domain::Plan::default()).unwrap();
    (rows, store.every_lead().unwrap())
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Three laptops share a folder; A purges a lead and compacts. Only what B and C have both
/// applied is retired: with C behind, its files stay, saying whom they wait for. Once C has
/// synced, a second compaction retires the rest, and no file in the folder holds the purged
/// person any more. B and C do not apply the snapshot (they hold all it covers); a new laptop
/// D starts from it and ends with the same book; compacting again changes nothing.
#[test]
fn compacting_retires_only_what_every_laptop_has_applied_and_the_purged_are_gone() {
    let (a, b, c, d) = (Book::new(), Book::new(), Book::new(), Book::new());
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path().to_str().unwrap();
    a.ok(&["add", "Pat Purge", "--email", "pat@example.com"]);
    a.ok(&["add", "Ana Ruiz", "--email", "ana@example.com"]);
    a.ok(&["log", "2", "call", "--outcome", "reached", "--note", "keen"]);
    let first = names(&a.json(&["sync", dir, "--json"])["written"]);
    b.ok(&["sync", dir]);
    let c_id = c.json(&["sync", dir, "--json"])["replica"]
        .as_str()
        .unwrap()
        .to_string();
    b.ok(&["add", "Bo Chen"]);
    let bo = names(&b.json(&["sync", dir, "--json"])["written"]);
    a.ok(&["delete", "1"]);
    a.ok(&["trash", "--empty"]);
    let purge = names(&a.json(&["sync", dir, "--json"])["written"]);
    b.ok(&["sync", dir]);
    // C has not synced since the start: what it has not applied stays.
    let r = a.json(&["sync", dir, "--compact", "--json"]);
    let done = &r["compacted"];
    assert!(!names(&done["snapshot"]).is_empty(), "{r:#}");
    assert_eq!(names(&done["retired"]), first, "{r:#}");
    let kept: Vec<(String, Vec<String>)> = done["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["file"].as_str().unwrap().into(), names(&k["waiting_for"])))
        .collect();
    let mut waiting: Vec<(String, Vec<String>)> = bo
        .iter()
        .chain(&purge)
        .map(|f| (f.clone(), vec![c_id.clone()]))
        .collect();
    waiting.sort();
    assert_eq!(kept, waiting, "{r:#}");
    for k in done["kept"].as_array().unwrap() {
        assert!(
            k["reason"].as_str().unwrap().contains("not yet applied"),
            "{k}"
        );
    }
    let text = a.ok(&["sync", dir, "--compact"]);
    assert!(
        text.contains("compacted: nothing to retire yet")
            && text.contains("kept 2 files: not yet applied by 1 other laptop"),
        "{text}"
    );
    // C catches up: B's file and the purge, not the snapshot, which covers nothing more.
    let r = c.json(&["sync", dir, "--json"]);
    let mut applied: Vec<String> = r["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["file"].as_str().unwrap().to_string())
        .collect();
    applied.sort();
    let mut want: Vec<String> = bo.iter().chain(&purge).cloned().collect();
    want.sort();
    assert_eq!(applied, want, "{r:#}");
    assert!(!names(&r["skipped"]).is_empty(), "{r:#}");
    // B has everything already: it applies nothing, and says it did not apply the snapshot.
    let r = b.json(&["sync", dir, "--json"]);
    assert_eq!(r["applied"].as_array().unwrap().len(), 0, "{r:#}");
    assert!(!names(&r["skipped"]).is_empty(), "{r:#}");
    let text = b.ok(&["sync", dir]);
    assert!(text.contains("applied 0 files"), "{text}");
    // Everyone has everything: the rest goes, the purged person with it.
    let r = a.json(&["sync", dir, "--compact", "--json"]);
    let done = &r["compacted"];
    let retired = names(&done["retired"]);
    for f in bo.iter().chain(&purge) {
        assert!(retired.contains(f), "{f}: {r:#}");
    }
    assert_eq!(done["kept"].as_array().unwrap().len(), 0, "{r:#}");
    let text = folder_text(shared.path());
    assert!(text.contains("Ana Ruiz") && text.contains("keen"), "{text}");
    for trace in ["Pat Purge", "pat@example.com"] {
        assert!(!text.contains(trace), "{trace} is still in the folder");
    }
    for book in [&b, &c] {
        let r = book.json(&["sync", dir, "--json"]);
        assert_eq!(r["applied"].as_array().unwrap().len(), 0, "{r:#}");
        assert!(!names(&r["skipped"]).is_empty(), "{r:#}");
    }
    // Compacting again: nothing new to retire, the folder as it was.
    let before = files(shared.path());
    let r = a.json(&["sync", dir, "--compact", "--json"]);
    assert_eq!(names(&r["compacted"]["snapshot"]).len(), 0, "{r:#}");
    assert_eq!(names(&r["compacted"]["retired"]).len(), 0, "{r:#}");
    assert_eq!(files(shared.path()), before);
    // A new laptop starts from the snapshot and ends with the same book.
    let r = d.json(&["sync", dir, "--json"]);
    assert!(!r["applied"].as_array().unwrap().is_empty(), "{r:#}");
    for k in ["held", "partial", "refused", "skipped"] {
        assert_eq!(r[k].as_array().unwrap().len(), 0, "{k}: {r:#}");
    }
    let want = book_state(&a);
    assert!(want.0.len() > 3, "{:?}", want.0);
    for book in [&b, &c, &d] {
        assert_eq!(book_state(book), want);
    }
    let list = d.ok(&["list", "all"]);
    assert!(
        list.contains("Ana Ruiz") && list.contains("Bo Chen"),
        "{list}"
    );
    assert!(!d.ok(&["trash"]).contains("Pat Purge"));
}

/// Through git, a compaction's deletions are committed and pushed with its snapshot: the
/// branch no longer holds the retired files (its history still does), and the other laptop
/// pulls their deletion, applies nothing and does not apply the snapshot.
#[test]
fn a_compaction_through_git_commits_the_deletions() {
    let t = team();
    let root = t.shared.path();
    let (one, two) = clones(root);
    let (one_s, two_s) = (one.to_str().unwrap(), two.to_str().unwrap());
    t.a.ok(&["add", "Pat Purge", "--email", "pat@example.com"]);
    t.a.ok(&["add", "Ana Ruiz"]);
    let mut sent = names(&t.a.json(&["sync", one_s, "--json"])["written"]);
    t.b.ok(&["sync", two_s]);
    t.a.ok(&["delete", "1"]);
    t.a.ok(&["trash", "--empty"]);
    sent.extend(names(&t.a.json(&["sync", one_s, "--json"])["written"]));
    t.b.ok(&["sync", two_s]);
    let r = t.a.json(&["sync", one_s, "--compact", "--json"]);
    assert_eq!(r["git"]["pushed"], true, "{r:#}");
    let retired = names(&r["compacted"]["retired"]);
    assert_eq!(retired, sent, "{r:#}");
    let snapshot = names(&r["compacted"]["snapshot"]);
    let tree = git(
        root.join("team.git").as_path(),
        &["ls-tree", "-r", "--name-only", "HEAD"],
    );
    for f in &retired {
        assert!(
            !tree.contains(f.as_str()),
            "{f} is still on the branch:\n{tree}"
        );
    }
    for f in &snapshot {
        assert!(tree.contains(f.as_str()), "{f} was not pushed:\n{tree}");
    }
    let log = git(
        root.join("team.git").as_path(),
        &["log", "-1", "--format=%s"],
    );
    assert!(log.contains("retired"), "{log}");
    // The history keeps them (the README says so).
    let all = git(
        root.join("team.git").as_path(),
        &["log", "--all", "--name-only", "--format="],
    );
    assert!(all.contains(sent[0].as_str()), "{all}");
    let r = t.b.json(&["sync", two_s, "--json"]);
    assert_eq!(r["applied"].as_array().unwrap().len(), 0, "{r:#}");
    assert!(!names(&r["skipped"]).is_empty(), "{r:#}");
    for f in &retired {
        assert!(!two.join(f).exists(), "{f}");
    }
}

/// A purge's own file says which rows it blanks and what they hold now, never what they held:
/// sending a purge does not send the personal data again.
#[test]
fn a_purge_travels_without_the_data_it_blanks() {
    let t = team();
    t.a.ok(&["add", "Pat Purge", "--email", "pat@example.com"]);
    t.a.ok(&["log", "1", "call", "--note", "pat's private note"]);
    let before = t.a.json(&["sync", t.dir(), "--json"]);
    assert_eq!(before["written"].as_array().unwrap().len(), 1, "{before:#}");
    t.b.ok(&["sync", t.dir()]);
    t.a.ok(&["delete", "1"]);
    t.a.ok(&["trash", "--empty"]);
    let purge = t.a.json(&["sync", t.dir(), "--json"]);
    let written: Vec<&str> = purge["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(written.len(), 1, "{purge:#}");
    let bytes = std::fs::read(t.shared.path().join(written[0])).unwrap();
    let ripen::io::sync::Read::Whole { changesets, .. } = ripen::io::sync::decode(&bytes) else {
        panic!("the purge's file does not read whole");
    };
    let text: String = changesets
        .iter()
        .map(|cs| format!("{:?}", ripen::store::session::read(cs).unwrap()))
        .collect();
    assert!(text.contains("(purged)"), "{text}");
    for trace in ["Pat Purge", "pat@example.com", "private note"] {
        assert!(
            !text.contains(trace),
            "{trace} travels with its purge: {text}"
        );
    }
    // The other laptop, which held the data, blanks it.
    t.b.ok(&["sync", t.dir()]);
    let c = rusqlite::Connection::open(&t.b.db).unwrap();
    let left: i64 = c
        .query_row(
            "SELECT (SELECT count(*) FROM leads WHERE name = 'Pat Purge' OR email IS NOT NULL) \
             + (SELECT count(*) FROM activities WHERE note IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

/// A temporary file that a killed sync left in a laptop's folder (half written: personal data,
/// and never read) stays out of the history: only sync files are committed, and a folder that
/// holds nothing else commits nothing.
#[test]
fn a_killed_syncs_temporary_file_is_never_committed() {
    let t = team();
    let repo = t.shared.path().join("repo");
    git(t.shared.path(), &["init", "--quiet", "repo"]);
    git(&repo, &["config", "user.name", "one"]);
    git(&repo, &["config", "user.email", "one@example.com"]);
    let repo_s = repo.to_str().unwrap();
    let left = ".000000000009-0123456789abcdef.ripen.4242.0.tmp";
    // A laptop with nothing sent yet, killed while writing its first file.
    let r = t.b.json(&["sync", repo_s, "--json"]);
    let b_folder = repo.join(r["replica"].as_str().unwrap());
    std::fs::create_dir_all(&b_folder).unwrap();
    std::fs::write(b_folder.join(left), b"ripen changes 1\nschema 9\n").unwrap();
    let r = t.b.json(&["sync", repo_s, "--json"]);
    assert_eq!(r["git"]["committed"], false, "{r:#}");
    // One that sent a file, killed while writing its next.
    t.a.ok(&["add", "Kai Lund"]);
    let r = t.a.json(&["sync", repo_s, "--json"]);
    let a_folder = repo.join(r["replica"].as_str().unwrap());
    std::fs::write(a_folder.join(left), b"ripen changes 1\nschema 9\n").unwrap();
    t.a.ok(&["add", "Lea Moss"]);
    let r = t.a.json(&["sync", repo_s, "--json"]);
    assert_eq!(r["git"]["committed"], true, "{r:#}");
    let tracked = git(&repo, &["ls-files"]);
    assert!(!tracked.contains(".tmp"), "{tracked}");
    let changes = tracked.lines().filter(|l| l.ends_with(".ripen")).count();
    assert_eq!(changes, 2, "{tracked}");
    // The other laptop takes both files and nothing else.
    let r = t.b.json(&["sync", repo_s, "--json"]);
    assert_eq!(r["applied"].as_array().unwrap().len(), 2, "{r:#}");
    assert_eq!(r["partial"].as_array().unwrap().len(), 0, "{r:#}");
}

/// What a killed sync left half written in this laptop's folder is cleared by a later sync once
/// it is old enough that no sync can still be writing it; a fresh one stays.
#[test]
fn a_killed_syncs_temporary_file_is_cleared_when_it_is_old() {
    let t = team();
    t.a.ok(&["add", "Kai Lund"]);
    let r = t.a.json(&["sync", t.dir(), "--json"]);
    let mine = t.shared.path().join(r["replica"].as_str().unwrap());
    let old = mine.join(".000000000009-0123456789abcdef.ripen.4242.0.tmp");
    let fresh = mine.join(".000000000010-0123456789abcdef.ripen.4243.0.tmp");
    let other = mine.join(".notes.txt");
    for f in [&old, &fresh, &other] {
        std::fs::write(f, b"ripen changes 1\nschema 9\n").unwrap();
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in [&old, &other] {
        std::fs::File::options()
            .write(true)
            .open(f)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    t.a.ok(&["sync", t.dir()]);
    assert!(!old.exists(), "an old temporary file stays");
    assert!(
        fresh.exists(),
        "a temporary file a sync may still be writing is gone"
    );
    assert!(other.exists(), "a file ripen did not write is gone");
}
