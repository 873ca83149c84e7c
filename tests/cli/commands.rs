//! The CLI as scripts use it: the real binary, a temp book, a fixed clock.

use crate::common;

use common::Book;
use serde_json::Value;

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect()
}

fn add(book: &Book, name: &str, received: &str) -> i64 {
    book.ok(&["add", name, "--company", "Acme", "--received", received])
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_core_walk_from_inbox_to_recycled_and_back() {
    let book = Book::new();
    let young = add(&book, "Ann Early", "2026-11-22T07:00:00Z");
    let mid = add(&book, "Bob Mid", "2026-11-21T03:00:00Z");
    let old = add(&book, "Cy Late", "2026-11-19T21:00:00Z");

    let inbox = book.json(&["list", "inbox", "--json"]);
    assert_eq!(ids(&inbox), vec![old, mid, young], "oldest first");

    let queue = ids(&book.json(&["list", "queue", "--json"]));
    let pos = |id| queue.iter().position(|x| *x == id).unwrap();
    assert!(
        pos(old) < pos(young),
        "60h lead ranks above the 2h one: {queue:?}"
    );

    book.ok(&["log", &old.to_string(), "call", "--outcome", "reached"]);
    book.ok(&[
        "qualify",
        &old.to_string(),
        "--class",
        "A",
        "--stage",
        "ripe",
    ]);
    let pipeline = book.json(&["list", "pipeline", "--json"]);
    let lead = &pipeline[0];
    assert_eq!(lead["id"], old);
    assert_eq!(lead["status"], "open");
    assert_eq!(lead["stage"], "ripe");
    assert_eq!(lead["class"], "A");
    // A + ripe: every 3 days from now.
    assert_eq!(lead["next_follow_up"], "2026-11-25T09:00:00Z");

    book.ok(&["lose", &old.to_string(), "--reason", "competitor"]);
    let recycled = book.json(&["list", "recycled", "--json"]);
    assert_eq!(ids(&recycled), vec![old]);
    assert_eq!(
        recycled[0]["recycle_on"], "2027-05-21T09:00:00Z",
        "180 days out"
    );
    assert_eq!(recycled[0]["reason"], "competitor");

    let before = book.json(&["show", &old.to_string(), "--json"])["timeline"]
        .as_array()
        .unwrap()
        .len();
    book.ok(&["reactivate", &old.to_string()]);
    let shown = book.json(&["show", &old.to_string(), "--json"]);
    assert_eq!(shown["lead"]["status"], "working");
    assert_eq!(shown["lead"]["recycle_count"], 1);
    let timeline = shown["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), before + 1, "the timeline only grows");
    assert!(
        timeline
            .iter()
            .any(|a| a["kind"] == "call" && a["outcome"] == "reached")
    );
}

#[test]
fn list_json_carries_every_contract_field() {
    let book = Book::new();
    add(&book, "Jane Doe", "2026-11-20T09:00:00Z");
    let list = book.json(&["list", "all", "--json"]);
    let lead = list[0].as_object().unwrap();
    for key in [
        "id",
        "uid",
        "name",
        "company",
        "email",
        "owner",
        "status",
        "stage",
        "class",
        "value",
        "priority",
        "next_follow_up",
        "last_contact_at",
        "received_at",
        "closed_at",
        "recycle_on",
        "ripe_on",
        "reason",
    ] {
        assert!(lead.contains_key(key), "missing {key}");
    }
    assert!(lead["priority"].is_number());
    assert_eq!(lead["received_at"], "2026-11-20T09:00:00Z");
    assert!(lead["closed_at"].is_null());
}

#[test]
fn show_json_has_lead_timeline_and_priority_breakdown() {
    let book = Book::new();
    let id = add(&book, "Jane Doe", "2026-11-19T09:00:00Z");
    let v = book.json(&["show", &id.to_string(), "--json"]);
    assert_eq!(v["lead"]["name"], "Jane Doe");
    assert_eq!(v["timeline"][0]["kind"], "system");
    let terms = v["priority"]["terms"].as_array().unwrap();
    let sum: f64 = terms.iter().map(|t| t["points"].as_f64().unwrap()).sum();
    assert!((sum - v["priority"]["total"].as_f64().unwrap()).abs() < 1e-9);
    assert!(terms.iter().any(|t| t["name"] == "first contact"));
}

#[test]
fn a_uid_prefix_works_where_a_number_does() {
    let book = Book::new();
    let id = add(&book, "Jane Doe", "2026-11-19T09:00:00Z");
    let uid = book.json(&["show", &id.to_string(), "--json"])["lead"]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    let v = book.json(&["show", &uid[..13], "--json"]);
    assert_eq!(v["lead"]["id"], id);
}

#[test]
fn words_name_a_lead_when_they_match_it_alone() {
    let book = Book::new();
    let soren = book
        .ok(&[
            "add",
            "Søren Ødegård",
            "--company",
            "Nordwind",
            "--email",
            "s@n.example",
        ])
        .trim()
        .to_string();
    let jane = add(&book, "Jane Doe", "2026-11-19T09:00:00Z");
    let john = add(&book, "John Doe", "2026-11-19T09:00:00Z");
    // Typed without the letters a keyboard may lack, as the filter reads them.
    let v = book.json(&["show", "soren", "--json"]);
    assert_eq!(v["lead"]["id"].to_string(), soren);
    // `show` takes the words unquoted too.
    let v = book.json(&["show", "søren", "odegard", "--json"]);
    assert_eq!(v["lead"]["id"].to_string(), soren);
    // Words narrow it: each must start a word of the lead.
    book.ok(&["log", "jane doe", "call"]);
    let v = book.json(&["show", &jane.to_string(), "--json"]);
    assert_eq!(v["lead"]["status"], "working");
    // More than one: nothing done, and the candidates are named with their numbers.
    let out = book.ripen().args(["win", "doe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("#{jane} Jane Doe (Acme), #{john} John Doe (Acme)")),
        "{err}"
    );
    assert_eq!(book.json(&["list", "won", "--json"]), serde_json::json!([]));
    // A number is a number: one that names no lead does not fall through to words, nor does
    // one too long to be a number, nor text without a word (which would match every lead).
    let out = book.ripen().args(["show", "404"]).output().unwrap();
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no lead 404")
    );
    for r in ["404", "404.", "12345678901234567890", "?", "--"] {
        let out = book.ripen().args(["delete", "--", r]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{r}");
    }
    assert_eq!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Undelete looks in the trash first: the trashed Jane, not the live one of the same name.
    book.ok(&["delete", &jane.to_string()]);
    let again = book.ok(&["add", "Jane Doe"]).trim().to_string();
    book.ok(&["undelete", "jane"]);
    let live = ids(&book.json(&["list", "all", "--json"]));
    assert!(live.contains(&jane) && live.iter().any(|i| i.to_string() == again));
}

#[test]
fn errors_exit_1_with_one_clear_line() {
    let book = Book::new();
    let id = add(&book, "Jane Doe", "2026-11-19T09:00:00Z").to_string();
    let cases: [(&[&str], &str); 9] = [
        (&["show", "999"], "no lead 999"),
        (&["show", "1", "2"], "names 2 leads; give one at a time"),
        (
            &["edit", &id, "--email", "not an email"],
            "is not an e-mail address",
        ),
        (
            &["log", &id, "call", "--at", "2026-11-30"],
            "a contact is logged once it happened",
        ),
        // A newline in what the message quotes cannot fake a line of its own.
        (
            &["show", "zz\nripen: merged #1 into #2"],
            "no lead zz ripen: merged",
        ),
        (&["snooze", &id, "next tusday"], "bad date \"next tusday\""),
        (&["disqualify", &id, "--reason", "bored"], "known: budget"),
        (&["log", &id, "fax"], "unknown activity kind \"fax\""),
        (&["lose", &id, "--reason", "budget"], "disqualify it"),
    ];
    for (args, expected) in cases {
        let out = book.ripen().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let book = Book::new();
    book.ok(&["demo", "--leads", "300"]);
    let mut c = std::process::Command::new("bash");
    c.arg("-c").arg(format!(
        "'{}' list all | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_ripen")
    ));
    let mut cmd = assert_cmd::Command::from_std(c);
    book.env(&mut cmd);
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn demo_then_status_reads_sensibly_and_the_queue_is_not_empty() {
    let book = Book::new();
    book.ok(&["demo"]);
    let status = book.ok(&["status"]);
    let re = |s: &str| {
        s.split(" · ")
            .map(|p| p.split(' ').next().unwrap().parse::<i64>().unwrap())
            .collect::<Vec<_>>()
    };
    let nums = re(status.trim());
    // The demo has recycled leads due for their touch: a fourth part counts them.
    let json = book.json(&["status", "--json"]);
    assert_eq!(nums.len(), 4, "{status}");
    assert_eq!(nums[3], json["recycled_due"].as_i64().unwrap(), "{status}");
    assert!(status.trim().ends_with("recycled due"), "{status}");
    assert!(
        status.contains("overdue")
            && status.contains("due today")
            && status.contains("new past 48h")
    );
    let queue = book.json(&["list", "queue", "--json"]);
    assert!(!queue.as_array().unwrap().is_empty());
    // The queue holds the overdue, those due today and the recycled leads due for a touch.
    assert_eq!(
        queue.as_array().unwrap().len() as i64,
        nums[0] + nums[1] + nums[3]
    );
    assert_eq!(json["queue"].as_i64().unwrap(), nums[0] + nums[1] + nums[3]);
    // Demo refuses to pollute a book that has leads.
    let again = book.ripen().arg("demo").output().unwrap();
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn the_book_is_private_when_ripen_creates_it() {
    use std::os::unix::fs::PermissionsExt;
    let book = Book::new();
    add(&book, "Jane Doe", "2026-11-19T09:00:00Z");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&book.db), 0o600);
    assert_eq!(mode(book.db.parent().unwrap()), 0o700);
    for side in ["-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{side}", book.db.display()));
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{side}");
        }
    }
}

#[test]
fn two_processes_adding_300_leads_each_at_once_lose_nothing() {
    let book = Book::new();
    // The book made first (a command that only reads no longer makes one).
    ripen::store::Store::open(&book.db, ripen::domain::Plan::default()).unwrap();
    let run = |tag: &'static str| {
        let db = book.db.clone();
        let home = book.path().to_path_buf();
        std::thread::spawn(move || {
            for i in 0..300 {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_ripen"))
                    .args(["add", &format!("{tag} {i}")])
                    .env("RIPEN_DB", &db)
                    .env("RIPEN_NOW", common::NOW)
                    .env("TZ", "UTC")
                    .env("RIPEN_CONFIG", home.join("none.toml"))
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let (a, b) = (run("A"), run("B"));
    a.join().unwrap();
    b.join().unwrap();
    let all = book.json(&["list", "all", "--json"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 600);
    let mut numbers: Vec<i64> = all.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 600, "every lead has its own number");
}

#[test]
fn snooze_edit_win_delete_and_trash() {
    let book = Book::new();
    let id = add(&book, "Jane Doe", "2026-11-19T09:00:00Z").to_string();
    book.ok(&["snooze", &id, "2027-01-07"]);
    let v = book.json(&["show", &id, "--json"]);
    assert_eq!(v["lead"]["next_follow_up"], "2027-01-07T00:00:00Z");
    assert!(
        book.json(&["list", "queue", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    book.ok(&[
        "edit",
        &id,
        "--email",
        "jane@acme.example",
        "--tag",
        "vip",
        "--value",
        "12.500,00",
    ]);
    let v = book.json(&["show", &id, "--json"]);
    assert_eq!(v["lead"]["email"], "jane@acme.example");
    assert_eq!(v["lead"]["tags"][0], "vip");
    assert_eq!(v["lead"]["value"], 12500.0);
    assert_eq!(
        book.json(&["list", "all", "--tag", "vip", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    book.ok(&["qualify", &id, "--class", "B"]);
    book.ok(&["stage", &id, "proposal"]);
    book.ok(&["win", &id, "--value", "13000"]);
    let won = book.json(&["list", "won", "--json"]);
    assert_eq!(won[0]["value"], 13000.0);
    assert_eq!(won[0]["closed_at"], "2026-11-22T09:00:00Z");

    book.ok(&["delete", &id]);
    assert!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(book.json(&["trash", "--json"]).as_array().unwrap().len(), 1);
    book.ok(&["trash", "--empty"]);
    let purged = book.json(&["show", &id, "--json"]);
    assert_eq!(purged["lead"]["name"], "(purged)");
    assert!(purged["lead"]["email"].is_null());
}

#[test]
fn merge_joins_a_duplicate_to_the_lead_that_stays() {
    let book = Book::new();
    let kept = add(&book, "Jane Doe", "2026-11-10T09:00:00Z").to_string();
    let dup = add(&book, "Jane Doe", "2026-11-20T09:00:00Z").to_string();
    book.ok(&["log", &dup, "call", "--note", "asked for pricing"]);
    let out = book.ok(&["merge", &dup, "--into", &kept]);
    assert!(
        out.contains(&format!("merged #{dup} into it (#{dup} is in the trash)")),
        "{out}"
    );
    let v = book.json(&["show", &kept, "--json"]);
    // The duplicate's call came along, and with it the lead's state: working.
    assert_eq!(v["lead"]["status"], "working");
    let notes: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["note"].as_str())
        .collect();
    assert!(notes.contains(&"asked for pricing"), "{notes:?}");
    assert!(
        notes[0].starts_with("merged in Jane Doe (Acme)"),
        "{notes:?}"
    );
    assert_eq!(
        ids(&book.json(&["list", "all", "--json"])),
        [kept.parse::<i64>().unwrap()]
    );
    assert_eq!(
        ids(&book.json(&["trash", "--json"])),
        [dup.parse::<i64>().unwrap()]
    );
    let out = book
        .ripen()
        .args(["merge", &kept, "--into", &kept])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be merged into itself"));
}

/// A merge is bookkeeping, not work on the deal: a proposal idle since August stays idle after
/// a duplicate received today joins it (it had read "0d", fresh).
#[test]
fn a_merge_keeps_the_deals_idle_days() {
    let book = Book::new();
    let deal = add(&book, "Lea Rot", "2026-08-01T09:00:00Z").to_string();
    let in_august = |args: &[&str]| {
        let out = book
            .ripen()
            .env("RIPEN_NOW", "2026-08-03T09:00:00Z")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    in_august(&["log", &deal, "call", "--outcome", "reached"]);
    in_august(&["qualify", &deal, "--class", "B", "--stage", "proposal"]);
    let idle = |book: &Book| {
        let v = book.json(&["show", &deal, "--json"]);
        v["lead"]["days_idle"].as_i64().unwrap()
    };
    assert_eq!(idle(&book), 111);
    let dup = add(&book, "Lea Rot", "2026-11-22T08:00:00Z").to_string();
    book.ok(&["merge", &dup, "--into", &deal]);
    assert_eq!(idle(&book), 111);
    let v = book.json(&["show", &deal, "--json"]);
    assert_eq!(v["lead"]["stage"], "proposal");
    // The duplicate's receipt is still on the timeline, as a note.
    let timeline = v["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|a| a["kind"] == "note" && a["note"] == "received"),
        "{timeline:?}"
    );
}

/// A follow-up the rep chose stands when the lead is qualified: the meeting is on Friday, and
/// the A + ripe cadence (Wednesday) does not move it. One the cadence set is the new cadence's.
#[test]
fn qualify_keeps_a_follow_up_the_rep_chose() {
    let book = Book::new();
    let jo = add(&book, "Jo Meet", "2026-11-21T09:00:00Z").to_string();
    book.ok(&[
        "log",
        &jo,
        "meeting",
        "--outcome",
        "meeting-booked",
        "--next",
        "friday",
    ]);
    let next = |book: &Book, id: &str| {
        book.json(&["show", id, "--json"])["lead"]["next_follow_up"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let friday = next(&book, &jo);
    assert_eq!(friday, "2026-11-27T00:00:00Z");
    book.ok(&["qualify", &jo, "--class", "A", "--stage", "ripe"]);
    assert_eq!(next(&book, &jo), friday);

    // Contacted with no date given, then qualified green: the green cadence, 30 days on.
    let bo = add(&book, "Bo Green", "2026-11-21T09:00:00Z").to_string();
    book.ok(&["log", &bo, "call", "--outcome", "reached"]);
    book.ok(&["qualify", &bo, "--class", "B", "--stage", "green"]);
    assert_eq!(next(&book, &bo), "2026-12-22T09:00:00Z");
}

/// The Inbox is for the 48-hour clock: the leads still waiting for a first contact come
/// first, oldest first, then the working ones, oldest first (ten contacted leads had sat above
/// the three past 48 hours).
#[test]
fn the_inbox_lists_leads_waiting_for_a_first_contact_first() {
    let book = Book::new();
    let worked_old = add(&book, "Wes Old", "2026-11-10T09:00:00Z");
    let worked_new = add(&book, "Wyn New", "2026-11-12T09:00:00Z");
    for id in [worked_old, worked_new] {
        book.ok(&["log", &id.to_string(), "call", "--outcome", "reached"]);
    }
    let late = add(&book, "Nia Late", "2026-11-19T09:00:00Z");
    let fresh = add(&book, "Ned Fresh", "2026-11-22T07:00:00Z");
    let inbox = book.json(&["list", "inbox", "--json"]);
    assert_eq!(ids(&inbox), vec![late, fresh, worked_old, worked_new]);
    assert_eq!(inbox[0]["clock"], "breached");
}

/// A lead lost on `lost_on` for `reason`, as the book would hold it had it been lost then.
fn lost_back_then(book: &Book, name: &str, received: &str, lost_on: &str, reason: &str) -> i64 {
    let id = add(book, name, received);
    let then = |args: &[&str]| {
        let out = book
            .ripen()
            .env("RIPEN_NOW", lost_on)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    let id_s = id.to_string();
    then(&["qualify", &id_s, "--class", "B", "--stage", "warming"]);
    then(&["lose", &id_s, "--reason", reason]);
    id
}

/// Recycled leads due for their touch are in the Follow-ups, marked `recycled_touch`, ranked by
/// their priority as the detail gives it; the badge and `status` count them in the queue (not
/// as overdue). A touch logged from there sets the next touch a month on and leaves the lead
/// recycled.
#[test]
fn recycled_leads_due_for_their_touch_are_in_the_follow_ups() {
    let book = Book::new();
    // Lost for budget on 1 May: its recycle date, 90 days on, was Thu 30 Jul.
    let ana = lost_back_then(
        &book,
        "Ana Back",
        "2026-04-20T09:00:00Z",
        "2026-05-01T09:00:00Z",
        "budget",
    );
    // Lost last week for a competitor: resting till May.
    let omar = lost_back_then(
        &book,
        "Omar Rest",
        "2026-11-01T09:00:00Z",
        "2026-11-16T09:00:00Z",
        "competitor",
    );
    let fresh = add(&book, "Ned Fresh", "2026-11-22T07:00:00Z");
    let queue = book.json(&["list", "queue", "--json"]);
    assert_eq!(ids(&queue), vec![ana, fresh], "{queue}");
    assert_eq!(queue[0]["recycled_touch"], true);
    assert_eq!(queue[1]["recycled_touch"], false);
    assert_eq!(queue[0]["status"], "lost");
    let shown = book.json(&["show", &ana.to_string(), "--json"]);
    assert_eq!(queue[0]["priority"], shown["lead"]["priority"]);
    assert!(ids(&book.json(&["list", "recycled", "--json"])).contains(&omar));

    let status = book.json(&["status", "--json"]);
    assert_eq!(status["queue"], 2);
    assert_eq!(status["overdue"], 0);
    assert_eq!(status["due_today"], 1);
    assert_eq!(status["recycled_due"], 1);

    book.ok(&["log", &ana.to_string(), "email", "--note", "spring offer"]);
    let shown = book.json(&["show", &ana.to_string(), "--json"]);
    assert_eq!(shown["lead"]["status"], "lost");
    assert_eq!(shown["lead"]["next_follow_up"], "2026-12-22T09:00:00Z");
    assert_eq!(ids(&book.json(&["list", "queue", "--json"])), vec![fresh]);
}

#[test]
fn due_windows_narrow_the_queue() {
    let book = Book::new();
    let a = add(&book, "Overdue", "2026-11-10T09:00:00Z");
    let b = add(&book, "Today", "2026-11-22T08:00:00Z");
    let c = add(&book, "Later", "2026-11-22T08:00:00Z");
    book.ok(&["snooze", &c.to_string(), "+3d"]);
    assert_eq!(
        ids(&book.json(&["list", "queue", "--due", "overdue", "--json"])),
        vec![a]
    );
    let today = ids(&book.json(&["list", "queue", "--json"]));
    assert_eq!(today, vec![a, b]);
    let week = ids(&book.json(&["list", "queue", "--due", "week", "--json"]));
    assert_eq!(week.len(), 3);
}

#[test]
fn hostile_names_are_neutralised_on_the_way_in_as_an_import_does() {
    let book = Book::new();
    let evil = "Evil \x1b]0;pwned\x07\x1b[2J";
    book.ok(&["add", evil, "--received", "2026-11-22T08:00:00Z"]);
    let human = book.ok(&["list", "all"]);
    assert!(
        !human.contains('\x1b') && !human.contains('\x07'),
        "{human:?}"
    );
    assert!(human.contains("Evil ␛]0;pwned␇␛[2J"));
    let shown = book.ok(&["show", "1"]);
    assert!(!shown.contains('\x1b'), "{shown:?}");
    // What is stored is the neutralised text, which JSON gives as it is.
    let raw = book.ok(&["list", "all", "--json"]);
    assert!(!raw.contains('\x1b'));
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v[0]["name"], "Evil ␛]0;pwned␇␛[2J");
}

#[test]
fn completions_and_man_need_no_book() {
    let book = Book::new();
    assert!(book.ok(&["completions", "bash"]).contains("ripen"));
    assert!(book.ok(&["man"]).contains(".TH"));
    assert!(!book.db.exists());
}

#[test]
fn report_owners_json_is_a_flat_documented_array() {
    let book = Book::new();
    book.ok(&["demo"]);
    book.ok(&["source", "set", "Webinar Oct", "--cost", "900"]);
    let owners = book.json(&["report", "owners", "--json"]);
    let first = owners[0].as_object().unwrap();
    for key in [
        "owner",
        "leads",
        "won",
        "lost",
        "win_rate",
        "avg_days_to_close",
        "revenue",
    ] {
        assert!(first.contains_key(key), "missing {key}");
    }
    let total: i64 = owners
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["leads"].as_i64().unwrap())
        .sum();
    let all = book
        .json(&["list", "all", "--json"])
        .as_array()
        .unwrap()
        .len() as i64;
    assert!(total <= all && total > 0);
    let sources = book.json(&["report", "sources", "--json"]);
    let web = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "Webinar Oct")
        .unwrap();
    assert_eq!(web["cost"], 900.0);
    let csv = book.ok(&["report", "funnel", "--csv"]);
    assert!(csv.starts_with("group,received,contacted,qualified,won"));
    // The table is written for people, as the app shows it; the keys stay in --json and --csv.
    assert!(csv.contains("win_rate"));
    let table = book.ok(&["report", "sources"]);
    let head = table.lines().nth(1).unwrap();
    assert!(
        head.contains("cost/qualified") && head.ends_with("ROI"),
        "{table}"
    );
    assert!(table.contains("€900"), "{table}");
    assert!(
        book.ok(&["report", "--help"])
            .contains("win_rate = won / (won + lost)")
    );
}

#[test]
fn backup_and_restore_keep_the_book_and_what_they_replace() {
    use std::os::unix::fs::PermissionsExt;
    let book = Book::new();
    book.ok(&["add", "Jane Doe"]);
    // A typed path's folder must exist (a typo is no folder to make: see tests/book/disk.rs).
    std::fs::create_dir(book.path().join("b")).unwrap();
    let dest = book.path().join("b").join("copy.db");
    book.ok(&["backup", dest.to_str().unwrap()]);
    assert_eq!(
        std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Refuses to overwrite a backup.
    assert_eq!(
        book.ripen()
            .args(["backup", dest.to_str().unwrap()])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );

    book.ok(&["add", "Bob Stone"]);
    let refused = book
        .ripen()
        .args(["restore", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let out = book.ok(&["restore", dest.to_str().unwrap(), "--force"]);
    assert!(out.contains("kept the replaced book"));
    let names: Vec<String> = book
        .json(&["list", "all", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Jane Doe"]);
    let kept: Vec<_> = std::fs::read_dir(book.db.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        kept[0].metadata().unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Not a book: refused, nothing changed.
    let junk = book.path().join("junk.db");
    std::fs::write(&junk, b"not sqlite at all, not even close................................................................").unwrap();
    assert_eq!(
        book.ripen()
            .args(["restore", junk.to_str().unwrap(), "--force"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        book.json(&["list", "all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let kept_copies = || {
        std::fs::read_dir(book.db.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
            .count()
    };
    // A file that cannot be restored makes no copy, and says why once.
    let missing = book.path().join("nothere.db");
    let out = book
        .ripen()
        .args(["restore", missing.to_str().unwrap(), "--force"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    assert_eq!(kept_copies(), 1);
    // A second restore in the same second (the clock is fixed) keeps a second copy.
    book.ok(&["restore", dest.to_str().unwrap(), "--force"]);
    assert_eq!(kept_copies(), 2);
}

#[test]
fn an_imported_pipeline_puts_its_neglected_deals_in_todays_queue() {
    let deals = common::fixture("exports/pipedrive-deals.csv");
    let book = Book::new();
    book.ok(&["import", deals.to_str().unwrap()]);
    let open = book.json(&["list", "pipeline", "--json"]);
    let queue = book.json(&["list", "queue", "--json"]);
    let queue = queue.as_array().unwrap();
    // Deals received more than a cadence ago are due today; fresher ones keep their rhythm.
    for lead in open.as_array().unwrap() {
        let due = lead["next_follow_up"].as_str().unwrap();
        assert!(
            due >= common::NOW,
            "{} is due in the past: {due}",
            lead["name"]
        );
    }
    assert!(!queue.is_empty(), "old open deals should be due today");
    assert!(queue.iter().all(|l| l["next_follow_up"] == common::NOW));
    // Inge Brandt's deal came in four days ago: not due yet.
    let fresh = open
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["email"] == "inge.brandt@kiefer.example")
        .expect("the fresh deal is open");
    assert!(fresh["next_follow_up"].as_str().unwrap() > common::NOW);
}

#[test]
fn imported_inquiries_and_deals_are_both_due_today_so_deals_rank_by_their_worth() {
    let book = Book::new();
    let csv = book.path().join("old-crm.csv");
    std::fs::write(
        &csv,
        "Name,Company,Email,Status,Stage,Amount,Created\n\
         Old Inquiry,Acme,old@acme.example,New,,,2026-02-01\n\
         Big Deal,Globex,deal@globex.example,Open,negotiation,38400,2026-04-12\n",
    )
    .unwrap();
    book.ok(&["import", csv.to_str().unwrap()]);
    let queue = book.json(&["list", "queue", "--json"]);
    let names: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    // Months-old in the old CRM, both are due today: the deal in negotiation (25 points, and
    // 10 for its value) above the cold inquiry (30 for first contact), not below ten months
    // of an inquiry's overdue days.
    assert_eq!(names, ["Big Deal", "Old Inquiry"]);
    for lead in queue.as_array().unwrap() {
        assert_eq!(lead["next_follow_up"], common::NOW, "{}", lead["name"]);
    }
    // The inquiry's first-contact clock still shows how late it is.
    let inbox = book.json(&["list", "inbox", "--json"]);
    assert_eq!(inbox[0]["clock"], "breached");
    assert_eq!(inbox[0]["why"][0], "48h breached");
}

#[test]
fn an_upgrade_says_so_on_stderr_and_only_once() {
    use std::os::unix::fs::PermissionsExt;
    let book = Book::new();
    std::fs::create_dir_all(book.db.parent().unwrap()).unwrap();
    std::fs::copy("tests/fixtures/book-v1.db", &book.db).unwrap();
    std::fs::set_permissions(&book.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    let first = book
        .ripen()
        .args(["list", "all", "--json"])
        .output()
        .unwrap();
    assert!(first.status.success());
    let said = String::from_utf8(first.stderr).unwrap();
    assert!(
        said.starts_with("ripen: upgrading the book from schema 1 to ")
            && said.contains("ripen.db.v1.bak"),
        "{said}"
    );
    // Stdout stays the JSON scripts read.
    let leads: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(leads.as_array().unwrap().len(), 3);
    let again = book.ripen().args(["list", "all"]).output().unwrap();
    assert!(again.status.success());
    assert_eq!(String::from_utf8(again.stderr).unwrap(), "");
    // A new book is made silently.
    let fresh = Book::new();
    let out = fresh.ripen().args(["add", "Ann New"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}

/// A command that only reads, pointed at a path where no book is (a mistyped `RIPEN_DB` in a
/// shell prompt), says so and creates nothing; a write starts the book there.
#[test]
fn reading_a_book_that_is_not_there_says_so_and_creates_nothing() {
    let book = Book::new();
    for args in [
        vec!["status"],
        vec!["list", "queue"],
        vec!["report", "funnel"],
        vec!["trash"],
        vec!["source", "list"],
        vec!["backup", "/tmp/ripen-never-written.db"],
    ] {
        let out = book.ripen().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no book here"), "{err}");
        assert!(!book.db.exists(), "{args:?} made a book");
    }
    book.ok(&["add", "Ann New"]);
    assert_eq!(book.json(&["status", "--json"])["inbox"], 1);
}

/// One source, however it is typed: a trial found "Webinar Oct" and "webinar oct" as two rows
/// of the sources report, each with half the leads and one with no cost.
#[test]
fn a_source_is_spelled_as_the_book_first_spelled_it() {
    let book = Book::new();
    book.ok(&["add", "Jane Doe", "--source", "Webinar Oct"]);
    let csv = book.path().join("list.csv");
    std::fs::write(
        &csv,
        "Name,Email,Source\n\
         Ann Early,ann@a.example,webinar  oct\n\
         Bob Mid,bob@b.example,Trade show\n\
         Cy Late,cy@c.example,TRADE SHOW\n",
    )
    .unwrap();
    book.ok(&["import", csv.to_str().unwrap()]);
    book.ok(&["add", "Dan Doe", "--source", "WEBINAR OCT"]);
    let said = book.ok(&["source", "set", "webinar oct", "--cost", "900"]);
    assert!(said.starts_with("Webinar Oct: cost"), "{said}");
    let sources = book.json(&["report", "sources", "--json"]);
    let mut rows: Vec<(String, i64)> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap().to_string(),
                s["leads"].as_i64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("Trade show".to_string(), 2),
            ("Webinar Oct".to_string(), 3)
        ]
    );
    let web = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "Webinar Oct")
        .unwrap();
    assert_eq!(web["cost"], 900.0);
}

/// A cost set before the first lead from a source arrives applies when the leads come, however
/// the file spells the source; a vendor's code joins the words an earlier import wrote; a
/// source nobody has yet is said to be so (a trial's typo was accepted without a word).
#[test]
fn a_cost_set_first_and_a_vendor_code_join_their_source() {
    let book = Book::new();
    let out = book
        .ripen()
        .args(["source", "set", "webinar oct", "--cost", "600"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(warned.contains("no lead has the source"), "{warned}");
    let csv = book.path().join("list.csv");
    std::fs::write(
        &csv,
        "Name,Email,Source\n\
         Ann Early,ann@a.example,Webinar Oct\n\
         Bob Mid,bob@b.example,Paid search\n",
    )
    .unwrap();
    book.ok(&["import", csv.to_str().unwrap()]);
    let codes = book.path().join("hubspot.csv");
    std::fs::write(
        &codes,
        "Name,Email,Source\n\
         Cy Late,cy@c.example,PAID_SEARCH\n",
    )
    .unwrap();
    book.ok(&["import", codes.to_str().unwrap()]);
    let sources = book.json(&["report", "sources", "--json"]);
    let rows = sources.as_array().unwrap();
    let web = rows.iter().find(|s| s["source"] == "webinar oct").unwrap();
    assert_eq!(
        (web["leads"].clone(), web["cost"].clone()),
        (1.into(), 600.0.into())
    );
    let paid = rows.iter().find(|s| s["source"] == "Paid search").unwrap();
    assert_eq!(paid["leads"], 2);
    assert_eq!(rows.len(), 2, "{sources}");
}

/// "Referral" and "Referrals" become one source: `source rename` respells every lead (the trash
/// too, and the target's own case variants), moves and adds up the costs, and each lead's
/// timeline keeps the old spelling; `source list` shows the book's spellings side by side.
#[test]
fn source_rename_folds_one_spelling_into_another() {
    let book = Book::new();
    let ann = book.ok(&["add", "Ann Early", "--source", "Referral"]);
    book.ok(&["add", "Bob Mid", "--source", "Referrals"]);
    let cy = book.ok(&["add", "Cy Late", "--source", "REFERRALS"]);
    book.ok(&["add", "Dee Web", "--source", "Website"]);
    // A case mended on one lead keeps what was typed: the book now spells the source twice.
    book.ok(&["edit", cy.trim(), "--source", "REFERRALS"]);
    book.ok(&["delete", ann.trim()]);
    book.ok(&["source", "set", "Referral", "--cost", "100"]);
    book.ok(&["source", "set", "Referrals", "--cost", "50"]);
    let before = book.json(&["source", "list", "--json"]);
    let names: Vec<&str> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    // The trashed lead's source is still known by its cost; A to Z whatever the case.
    assert_eq!(names, ["Referral", "REFERRALS", "Referrals", "Website"]);
    let said = book.ok(&["source", "rename", "referral", "Referrals"]);
    assert!(said.contains("→ \"Referrals\": 2 leads"), "{said}");
    assert!(said.contains("cost €150"), "{said}");
    let after = book.json(&["source", "list", "--json"]);
    assert_eq!(
        after,
        serde_json::json!([
            {"source": "Referrals", "leads": 2, "cost": 150.0},
            {"source": "Website", "leads": 1, "cost": null},
        ])
    );
    book.ok(&["undelete", ann.trim()]);
    let shown = book.json(&["show", ann.trim(), "--json"]);
    assert_eq!(shown["lead"]["source"], "Referrals");
    let cy = book.json(&["show", cy.trim(), "--json"]);
    let notes: Vec<&str> = cy["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert!(
        notes.contains(&"source renamed: was \"REFERRALS\""),
        "{notes:?}"
    );
    // A spelling only the trash holds is renamed too; a purged lead stays as it was.
    let gone = book.ok(&["add", "Pat Gone", "--source", "Partners"]);
    book.ok(&["delete", gone.trim()]);
    book.ok(&["trash", "--empty"]);
    let kept = book.ok(&["add", "Kim Kept", "--source", "Partners"]);
    book.ok(&["delete", kept.trim()]);
    let said = book.ok(&["source", "rename", "partners", "Partner network"]);
    assert!(said.contains(": 1 lead"), "{said}");
    book.ok(&["undelete", kept.trim()]);
    assert_eq!(
        book.json(&["show", kept.trim(), "--json"])["lead"]["source"],
        "Partner network"
    );
    let out = book
        .ripen()
        .args(["source", "rename", "Referal", "X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`ripen source list`"));
}

/// A lead in the trash takes no edit, snooze or qualification until it is taken back out; once
/// the trash is emptied it is a tombstone: not listed, not restorable.
#[test]
fn the_trash_holds_leads_still_and_a_purged_one_for_good() {
    let book = Book::new();
    let id = book.ok(&["add", "Tom Stone", "--company", "Grave Ltd"]);
    let id = id.trim();
    book.ok(&["delete", id]);
    for args in [
        vec!["edit", id, "--company", "Foo"],
        vec!["snooze", id, "+1d"],
        vec!["qualify", id, "--class", "A"],
    ] {
        let out = book.ripen().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("in the trash: undelete it first"), "{err}");
    }
    assert_eq!(
        book.json(&["show", id, "--json"])["lead"]["company"],
        "Grave Ltd"
    );
    book.ok(&["trash", "--empty"]);
    assert_eq!(book.json(&["trash", "--json"]), serde_json::json!([]));
    let out = book.ripen().args(["undelete", id]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("purged from the trash"), "{err}");
    assert_eq!(book.json(&["status", "--json"])["inbox"], 0);
    // A book of tombstones is still a book: a restore over it asks first.
    let other = Book::new();
    other.ok(&["add", "Someone Else"]);
    let copy = other.path().join("other.db");
    other.ok(&["backup", copy.to_str().unwrap()]);
    let out = book
        .ripen()
        .args(["restore", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}

/// A month's spend goes on top of the cost with `--add`; without it the cost is replaced, and
/// the command says what it was (a trial's second month silently replaced the first).
#[test]
fn source_set_adds_a_months_spend_or_says_what_it_replaced() {
    let book = Book::new();
    book.ok(&["add", "Ann Early", "--source", "Webinar"]);
    assert_eq!(
        book.ok(&["source", "set", "Webinar", "--cost", "1800"]),
        "Webinar: cost €1,800\n"
    );
    let added = book.ok(&["source", "set", "webinar", "--cost", "900", "--add"]);
    assert_eq!(added, "Webinar: cost €2,700 (€1,800 + €900)\n");
    let replaced = book.ok(&["source", "set", "Webinar", "--cost", "500"]);
    assert!(
        replaced.contains("(was €2,700; --add adds to it)"),
        "{replaced}"
    );
    let list = book.json(&["source", "list", "--json"]);
    assert_eq!(list[0]["cost"], 500.0);
}

/// `log --at` reads its day backwards ("friday", "1 nov" are the last ones); the newest
/// contact sets the schedule even when logged late, and an older one filled in afterwards
/// leaves it alone.
#[test]
fn a_contact_logged_late_or_filled_in_afterwards_schedules_as_it_should() {
    let book = Book::new();
    let id = add(&book, "Jane Doe", "2026-10-30T09:00:00Z").to_string();
    let next = |book: &Book| {
        book.json(&["show", &id, "--json"])["lead"]["next_follow_up"]
            .as_str()
            .unwrap()
            .to_string()
    };
    book.ok(&["log", &id, "call", "--outcome", "reached", "--at", "1 nov"]);
    // Sun 1 Nov + 3 days (working).
    assert!(next(&book).starts_with("2026-11-04"), "{}", next(&book));
    // Friday 20 Nov, nobody answered: retried Saturday, so on Monday.
    book.ok(&[
        "log",
        &id,
        "call",
        "--outcome",
        "no-answer",
        "--at",
        "friday",
    ]);
    assert!(next(&book).starts_with("2026-11-23"), "{}", next(&book));
    // A call of 2 Nov filled in afterwards changes nothing.
    book.ok(&["log", &id, "call", "--outcome", "reached", "--at", "2 nov"]);
    assert!(next(&book).starts_with("2026-11-23"), "{}", next(&book));
}

/// A bounded report says which leads it counts (received or closed in the period), and the
/// funnel's share won reads "won %" where the owners' win rate reads "win %" (a trial saw two
/// "win %" columns disagree for the same owner).
#[test]
fn reports_say_which_date_their_period_reads_and_name_rates_apart() {
    let book = Book::new();
    book.ok(&["demo"]);
    let owners = book.ok(&["report", "owners", "--since", "2026-11-01"]);
    assert!(
        owners.starts_with("owners · received 2026-11-01 – 2026-11-22\n"),
        "{owners}"
    );
    assert!(owners.lines().nth(1).unwrap().contains("win %"), "{owners}");
    let losses = book.ok(&["report", "losses", "--since", "2026-11-01"]);
    assert!(losses.starts_with("losses · closed 2026-11-01"), "{losses}");
    let funnel = book.ok(&["report", "funnel"]);
    assert!(funnel.starts_with("funnel\n"), "{funnel}");
    let head = funnel.lines().nth(1).unwrap();
    assert!(head.contains("won %") && !head.contains("win %"), "{head}");
}

/// Every command that writes to stdout, with stdout a pipe whose reader is already gone (as
/// `ripen … | head -1` leaves it): a quiet end, exit 0 (or 141, a shell's SIGPIPE), no message.
#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    let book = Book::new();
    book.ok(&["demo", "--leads", "300"]);
    let lead = |name: &str| {
        book.ok(&["add", name, "--source", "Pipes"])
            .trim()
            .to_string()
    };
    let (logged, qualified, staged, snoozed, lost, disq) = (
        lead("Lo Gged"),
        lead("Qua Lified"),
        lead("Sta Ged"),
        lead("Sno Ozed"),
        lead("Lo St"),
        lead("Dis Qualified"),
    );
    let (won, back, edited, dup, kept, gone) = (
        lead("Wo N"),
        lead("Re Activated"),
        lead("Ed Ited"),
        lead("Du Plicate"),
        lead("Ke Pt"),
        lead("Go Ne"),
    );
    for id in [&staged, &lost, &won] {
        book.ok(&["qualify", id, "--class", "B"]);
    }
    book.ok(&["disqualify", &back, "--reason", "timing"]);
    let csv = book.path().join("in.csv");
    std::fs::write(&csv, "Name,Email\nIm Ported,im@example.com\n").unwrap();
    let csv = csv.to_str().unwrap();
    let saved = book.path().join("saved.db");
    let saved = saved.to_str().unwrap();
    let copy = book.path().join("copy.db");
    let copy = copy.to_str().unwrap();

    let commands: Vec<Vec<&str>> = vec![
        vec!["add", "Pi Ped"],
        vec!["add", "Pi Ped Json", "--json"],
        vec!["list", "all"],
        vec!["list", "all", "--json"],
        vec!["show", "1"],
        vec!["show", "1", "--json"],
        vec!["log", &logged, "call"],
        vec!["qualify", &qualified, "--class", "A"],
        vec!["stage", &staged, "ripe"],
        vec!["snooze", &snoozed, "+3d"],
        vec!["lose", &lost, "--reason", "budget"],
        vec!["disqualify", &disq, "--reason", "spam"],
        vec!["win", &won],
        vec!["reactivate", &back],
        vec!["edit", &edited, "--title", "CTO"],
        vec!["merge", &dup, "--into", &kept],
        vec!["delete", &gone],
        vec!["undelete", &gone],
        vec!["trash"],
        vec!["trash", "--json"],
        vec!["trash", "--empty"],
        vec!["demo", "--force", "--leads", "5"],
        vec!["report"],
        vec!["report", "--json"],
        vec!["report", "--csv"],
        vec!["source", "set", "Pipes", "--cost", "100"],
        vec!["source", "list"],
        vec!["source", "list", "--json"],
        vec!["source", "rename", "Pipes", "Pipework"],
        vec!["status"],
        vec!["status", "--json"],
        vec!["import", csv, "--dry-run"],
        vec!["import", csv, "--json"],
        vec!["import", csv],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "json"],
        vec!["export", "--format", "vcard"],
        vec!["export", "--format", "ics"],
        vec!["paths"],
        vec!["backup", saved],
        vec!["backup", copy],
        vec!["restore", copy, "--force"],
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["man"],
        vec!["--help"],
        vec!["--version"],
    ];
    let mut failed = Vec::new();
    for args in &commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = book
            .std_ripen()
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if !matches!(out.status.code(), Some(0 | 141)) || !err.is_empty() {
            failed.push(format!("ripen {}: {:?} {err}", args.join(" "), out.status));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn the_app_without_a_terminal_says_what_to_run_instead_and_makes_no_book() {
    let book = Book::new();
    let out = book
        .std_ripen()
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(
        err.contains("ripen list") && err.contains("ripen --help"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
    assert!(!book.db.exists(), "a script's bare `ripen` made a book");
}

#[test]
fn a_missing_book_refuses_in_json_when_json_is_asked_for() {
    let book = Book::new();
    for args in [
        &["status", "--json"][..],
        &["list", "--json"],
        &["show", "1", "--json"],
    ] {
        let out = book.ripen().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {:?}", out.stdout));
        let error = v["error"].as_str().unwrap();
        assert!(error.contains("no book here"), "{args:?}: {error}");
        assert_eq!(v["errors"], serde_json::json!([]), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("no book here"), "{args:?}: {err}");
    }
    // Without --json, stdout stays empty for a script that reads words.
    let out = book.ripen().args(["status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(!book.db.exists());
}

#[test]
fn log_lists_only_the_kinds_a_user_can_log() {
    let book = Book::new();
    let id = add(&book, "Ann Kind", "2026-11-21T09:00:00Z").to_string();
    for kind in ["fax", "system"] {
        let out = book.ripen().args(["log", &id, kind]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{kind}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("call, email, meeting, message, note"),
            "{kind}: {err}"
        );
        assert!(!err.contains("note, system"), "{kind}: {err}");
    }
    let timeline = book.json(&["show", &id, "--json"])["timeline"].clone();
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] != "call"),
        "nothing was logged"
    );
}

/// What the shipped example config tells a user to run exists.
#[test]
fn the_example_config_names_only_real_commands() {
    use clap::Parser;
    let example = include_str!("../../assets/config.example.toml");
    let mut named = 0;
    for quoted in example.split('`').skip(1).step_by(2) {
        let Some(rest) = quoted.strip_prefix("ripen ") else {
            continue;
        };
        named += 1;
        let words = std::iter::once("ripen").chain(rest.split_whitespace());
        let parsed = ripen::cli::Cli::try_parse_from(words);
        assert!(parsed.is_ok(), "`{quoted}`: {:?}", parsed.err());
    }
    assert!(named > 0, "the example names commands");
}

/// The CLI and the app share one rule: a note has no outcome (the app's form offers none).
#[test]
fn a_note_with_an_outcome_is_refused_as_the_app_refuses_it() {
    let book = Book::new();
    let id = book.ok(&["add", "Ada Ames", "--company", "Acme"]);
    let id = id.trim();
    let before = book.json(&["show", id, "--json"]);
    let out = book
        .ripen()
        .args([
            "log",
            id,
            "note",
            "--outcome",
            "reached",
            "--note",
            "said hi",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a note has no outcome"), "{err}");
    assert_eq!(
        book.json(&["show", id, "--json"]),
        before,
        "nothing written"
    );
    book.ok(&["log", id, "note", "--note", "said hi"]);
}

/// A value typed with a symbol or `--currency` keeps its currency; the book's own is the book's.
#[test]
fn a_typed_value_keeps_its_currency() {
    let book = Book::new();
    let a = book.ok(&["add", "Ada Ames", "--value", "$24k"]);
    let b = book.ok(&[
        "add",
        "Bo Birk",
        "--value",
        "1.200.000",
        "--currency",
        "mxn",
    ]);
    let c = book.ok(&["add", "Cy Cole", "--value", "€5,000"]);
    let show = |id: &str| book.json(&["show", id.trim(), "--json"])["lead"].clone();
    assert_eq!(show(&a)["currency"], "USD");
    assert_eq!(show(&a)["value"], 24_000.0);
    assert_eq!(show(&b)["currency"], "MXN");
    assert_eq!(show(&c)["currency"], "EUR");
    let text = book.ok(&["show", b.trim()]);
    assert!(text.contains("MXN 1,200,000"), "{text}");
    // Back to the book's own currency; the value stays as it was.
    book.ok(&["edit", b.trim(), "--currency", "EUR"]);
    assert_eq!(show(&b)["currency"], "EUR");
    assert_eq!(show(&b)["value"], 1_200_000.0);
    let out = book
        .ripen()
        .args(["add", "Di Dorn", "--value", "10", "--currency", "pesos"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown currency \"pesos\""));
}

/// A book of Canadian dollars writes `$`: its own symbol is its own currency, and US dollars
/// are shown by their code, never as the book's `$`.
#[test]
fn the_books_own_symbol_is_the_books_currency() {
    let book = Book::new();
    std::fs::write(
        book.path().join("no-config.toml"),
        "currency = \"$\"\ncurrency_code = \"CAD\"\n",
    )
    .unwrap();
    let a = book.ok(&["add", "Maple", "--value", "$100"]);
    let b = book.ok(&["add", "Yankee", "--value", "US$250"]);
    let show = |id: &str| book.json(&["show", id.trim(), "--json"])["lead"].clone();
    assert_eq!(show(&a)["currency"], "CAD");
    assert_eq!(show(&b)["currency"], "USD");
    let list = book.ok(&["list", "all"]);
    assert!(list.contains("$100"), "{list}");
    assert!(list.contains("USD 250"), "{list}");
    // A value typed in another currency than the lead's is refused, not read in the lead's.
    let out = book
        .ripen()
        .args(["win", b.trim(), "--value", "$300"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("value is in USD") && err.contains("--currency CAD"),
        "{err}"
    );
    assert_eq!(show(&b)["status"], "new", "nothing written");
    book.ok(&["win", b.trim(), "--value", "US$300"]);
    assert_eq!(show(&b)["value"], 300.0);
    // A change of currency is on the timeline; an empty owner is refused as the app refuses it.
    book.ok(&["edit", a.trim(), "--currency", "USD"]);
    let shown = book.ok(&["show", a.trim()]);
    assert!(
        shown.contains("edited") && shown.contains("currency"),
        "{shown}"
    );
    let out = book
        .ripen()
        .args(["edit", a.trim(), "--owner", ""])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("a lead needs an owner"));
    // A rate no two currencies differ by is refused with its name.
    std::fs::write(
        book.path().join("no-config.toml"),
        "[currency_rates]\nUSD = 1e300\n",
    )
    .unwrap();
    let out = book.ripen().args(["status"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("currency_rates: USD"));
}

/// `doctor` says whether every lead is what its change log builds; `doctor --rebuild` builds
/// them again from the log, and the book is whole afterwards.
#[test]
fn doctor_finds_a_lead_its_log_does_not_build_and_rebuild_mends_it() {
    let book = Book::new();
    let one = add(&book, "Ann Early", "2026-11-20T07:00:00Z");
    add(&book, "Bob Mid", "2026-11-21T03:00:00Z");
    book.ok(&["log", &one.to_string(), "call", "--outcome", "reached"]);
    let clean = book.json(&["doctor", "--json"]);
    assert_eq!(clean["integrity_ok"], true, "{clean}");
    assert_eq!(clean["differing"], serde_json::json!([]), "{clean}");
    assert!(clean["changes"].as_i64().unwrap() >= 3, "{clean}");
    assert!(clean.get("rebuilt").is_none(), "{clean}");

    // A lead row changed behind ripen's back (the file's guard refuses other writers: the
    // test stands in for ripen's own function).
    let uid: String = {
        let c = rusqlite::Connection::open(&book.db).unwrap();
        c.create_scalar_function(
            "write_through_ripen",
            0,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8,
            |_| Ok(true),
        )
        .unwrap();
        c.execute(
            "UPDATE leads SET phone = '+1 555 0100' WHERE name = 'Ann Early'",
            [],
        )
        .unwrap();
        c.query_row("SELECT uid FROM leads WHERE name = 'Ann Early'", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    // It says so, and fails: a script's check notices.
    let out = book.ripen().args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["differing"], serde_json::json!([uid]), "{found}");
    let out = book.ripen().arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 lead differs from its log"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs care"));

    let mended = book.json(&["doctor", "--rebuild", "--json"]);
    assert_eq!(mended["rebuilt"]["leads"], 2, "{mended}");
    assert_eq!(mended["integrity_ok"], true, "{mended}");
    let after = book.json(&["doctor", "--json"]);
    assert_eq!(after["differing"], serde_json::json!([]), "{after}");
    assert_eq!(after["integrity_ok"], true, "{after}");
    let shown = book.json(&["show", &one.to_string(), "--json"]);
    assert!(
        shown.to_string().contains("reached"),
        "the timeline stays: {shown}"
    );
    assert!(
        !shown.to_string().contains("0100"),
        "the row is the log's again: {shown}"
    );
}

/// An import and a demo leave the book ready: the file records that its indexes and derived
/// tables are as defined (the `derived` row, stamped with the schema cookie as the import left
/// it), so the first open afterwards checks nothing and draws at once.
#[test]
fn an_import_and_a_demo_leave_the_book_ready_for_its_first_open() {
    let ready = |db: &std::path::Path| {
        let c = rusqlite::Connection::open(db).unwrap();
        let cookie: i64 = c
            .query_row("PRAGMA schema_version", [], |r| r.get(0))
            .unwrap();
        let recorded: String = c
            .query_row("SELECT value FROM meta WHERE key = 'derived'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            recorded.split(' ').next(),
            Some(cookie.to_string().as_str())
        );
        recorded
    };
    let book = Book::new();
    let csv = book.path().join("leads.csv");
    std::fs::write(
        &csv,
        "name,email,company\nAnn Early,ann@example.com,Acme\nBob Mid,bob@example.com,Initech\n",
    )
    .unwrap();
    book.ok(&["import", csv.to_str().unwrap()]);
    let after_import = ready(&book.db);
    // The first open finds it so and changes nothing.
    book.ok(&["status"]);
    assert_eq!(ready(&book.db), after_import);

    let demo = Book::new();
    demo.ok(&["demo", "--leads", "200"]);
    let after_demo = ready(&demo.db);
    demo.ok(&["list", "queue"]);
    assert_eq!(ready(&demo.db), after_demo);
}
