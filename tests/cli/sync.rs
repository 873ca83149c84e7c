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

/// A bare repository on disk and two clones of it, one per laptop: `ripen sync` on a clone
/// pulls, commits and pushes with the user's own git; the other laptop gets the lead and the
/// call; both having changed something, both syncs push; syncing again changes nothing.
#[test]
fn two_laptops_share_a_book_through_a_git_repository() {
    let t = team();
    let root = t.shared.path();
    git(root, &["init", "--quiet", "--bare", "team.git"]);
    for c in ["one", "two"] {
        git(root, &["clone", "--quiet", "team.git", c]);
        git(&root.join(c), &["config", "user.name", c]);
        git(
            &root.join(c),
            &["config", "user.email", &format!("{c}@example.com")],
        );
    }
    let (one, two) = (root.join("one"), root.join("two"));
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
    // Nothing new anywhere: nothing committed, the history as it was.
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
    std::fs::create_dir(&b_folder).unwrap();
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
    assert_eq!(tracked.lines().count(), 2, "{tracked}");
    // The other laptop takes both files and nothing else.
    let r = t.b.json(&["sync", repo_s, "--json"]);
    assert_eq!(r["applied"].as_array().unwrap().len(), 2, "{r:#}");
    assert_eq!(r["partial"].as_array().unwrap().len(), 0, "{r:#}");
}
