//! A team's book: `--owner` in every spelling, `ripen owner list|rename`, `ripen assign`, and
//! what "mine" counts.

use crate::common::Book;

/// `ripen ARGS` as `user` (RIPEN_USER), asserting success; its stdout.
fn as_user(book: &Book, user: &str, args: &[&str]) -> String {
    let out = book
        .ripen()
        .env("RIPEN_USER", user)
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

/// The names `ripen list --json` lists, in its order.
fn names(book: &Book, user: &str, args: &[&str]) -> Vec<String> {
    let out = as_user(book, user, &[args, &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// A book of three reps' leads and one no one's: Sam's two, Kim's one, an unassigned one.
fn team_book() -> Book {
    let b = Book::new();
    b.ok(&["add", "Jane Doe", "--owner", "Sam Rep"]);
    // Typed otherwise, the same owner: spelled as the book first spelled them.
    b.ok(&["add", "Bob Stone", "--owner", "sam  rep"]);
    b.ok(&["add", "Li Wei", "--owner", "Kim Lee"]);
    b.ok(&["add", "Ana Ruiz"]);
    b
}

#[test]
fn owner_matches_in_every_spelling() {
    let b = team_book();
    let sams = vec!["Bob Stone".to_string(), "Jane Doe".to_string()];
    for typed in ["Sam Rep", "sam rep", "SAM  REP", "Säm Rép", " sam_rep "] {
        let mut got = names(&b, "Ana", &["list", "all", "--owner", typed]);
        got.sort();
        assert_eq!(got, sams, "--owner {typed:?}");
    }
    // The second lead took the book's spelling.
    let out = b.ok(&["show", "2", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lead"]["owner"], "Sam Rep", "{v}");
    assert!(names(&b, "Ana", &["list", "all", "--owner", "Nobody"]).is_empty());
    assert_eq!(
        names(&b, "Ana", &["list", "all", "--owner", "unassigned"]),
        ["Ana Ruiz"]
    );
}

#[test]
fn list_without_owner_lists_everyone_and_me_is_mine_with_the_unassigned() {
    let b = team_book();
    let everyone = names(&b, "Sam Rep", &["list", "all"]);
    assert_eq!(everyone.len(), 4);
    assert_eq!(
        names(&b, "Sam Rep", &["list", "all", "--owner", "all"]),
        everyone
    );
    let mut mine = names(&b, "sam rep", &["list", "all", "--owner", "me"]);
    mine.sort();
    assert_eq!(mine, ["Ana Ruiz", "Bob Stone", "Jane Doe"]);
    let kims = names(&b, "Kim Lee", &["list", "queue", "--owner", "me"]);
    assert_eq!(kims.len(), 2, "{kims:?}");
    assert!(kims.contains(&"Li Wei".to_string()) && kims.contains(&"Ana Ruiz".to_string()));
    // Export narrows alike.
    let csv = as_user(
        &b,
        "Kim Lee",
        &["export", "all", "--format", "csv", "--owner", "kim lee"],
    );
    assert!(csv.contains("Li Wei") && !csv.contains("Jane Doe"), "{csv}");
}

#[test]
fn an_empty_owner_is_a_clear_error() {
    let b = team_book();
    let out = b.ripen().args(["list", "--owner", "  "]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("an owner needs a name"), "{err}");
}

#[test]
fn status_counts_mine_and_a_solo_book_counts_as_before() {
    let b = team_book();
    let json = |user: &str, args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&as_user(&b, user, &[&["status", "--json"], args].concat())).unwrap()
    };
    // All four are new and due today: Sam's day is his two and the unassigned one.
    assert_eq!(json("Sam Rep", &[])["due_today"], 3);
    assert_eq!(json("Kim Lee", &[])["due_today"], 2);
    assert_eq!(json("Kim Lee", &["--owner", "all"])["due_today"], 4);
    assert_eq!(json("Kim Lee", &["--owner", "SAM REP"])["inbox"], 2);
    let line = as_user(&b, "Sam Rep", &["status"]);
    assert_eq!(line, "0 overdue · 3 due today · 0 new past 48h\n");

    // A book of one, whose leads all have the default owner: the same numbers either way.
    let solo = Book::new();
    solo.ok(&["add", "Old Lead", "--received", "2026-11-18"]);
    solo.ok(&["add", "New Lead"]);
    solo.ok(&["add", "Deal", "--received", "2026-10-01"]);
    solo.ok(&["qualify", "3", "--class", "A", "--value", "5000"]);
    let mine = solo.ok(&["status", "--json"]);
    let all = solo.ok(&["status", "--json", "--owner", "all"]);
    assert_eq!(mine, all);
}

#[test]
fn owner_list_counts_each_owner_once_and_rename_respells_them() {
    let b = team_book();
    let list = as_user(&b, "Kim Lee", &["owner", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines[0].starts_with("owner"), "{list}");
    assert!(lines[1].starts_with("Kim Lee (me)"), "mine first: {list}");
    assert!(
        lines[2].starts_with("Sam Rep") && lines[2].contains(" 2 "),
        "{list}"
    );
    assert!(
        lines[3].starts_with("(unassigned)"),
        "the unassigned last: {list}"
    );
    assert_eq!(lines.len(), 4, "{list}");

    let out = b.ok(&["owner", "rename", "SAM REP", "Sam Rep-Smith"]);
    assert_eq!(out, "\"Sam Rep\" → \"Sam Rep-Smith\": 2 leads\n");
    let v: serde_json::Value = serde_json::from_str(&b.ok(&["owner", "list", "--json"])).unwrap();
    let owners: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["owner"].as_str().unwrap())
        .collect();
    assert!(
        owners.contains(&"Sam Rep-Smith") && !owners.contains(&"Sam Rep"),
        "{v}"
    );
    let show = b.ok(&["show", "1"]);
    assert!(show.contains("owner renamed: was \"Sam Rep\""), "{show}");
    // An owner the book does not know: said, nothing written.
    let out = b
        .ripen()
        .args(["owner", "rename", "Nobody", "X"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lead has the owner \"Nobody\""));
}

#[test]
fn assign_hands_one_lead_and_many_and_the_timeline_says_who_to_whom() {
    let b = team_book();
    let out = as_user(&b, "Sam Rep", &["assign", "1", "kim lee"]);
    assert_eq!(out, "#1 Jane Doe → Kim Lee\nhanded 1 lead to Kim Lee\n");
    let show = as_user(&b, "Kim Lee", &["show", "1"]);
    assert!(
        show.contains("handed from Sam Rep to Kim Lee — by Sam Rep"),
        "{show}"
    );
    // Many at once, one already hers.
    let v: serde_json::Value = serde_json::from_str(&as_user(
        &b,
        "Sam Rep",
        &["assign", "1", "2", "4", "Kim Lee", "--json"],
    ))
    .unwrap();
    assert_eq!(v["owner"], "Kim Lee");
    assert_eq!(v["handed"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["already"], 1);
    let show = as_user(&b, "Kim Lee", &["show", "4"]);
    assert!(show.contains("handed from nobody to Kim Lee"), "{show}");
    assert_eq!(
        names(&b, "x", &["list", "all", "--owner", "Kim Lee"]).len(),
        4
    );
}

#[test]
fn assign_with_an_unknown_lead_writes_nothing() {
    let b = team_book();
    let before = b.ok(&["owner", "list", "--json"]);
    let out = b
        .ripen()
        .args(["assign", "1", "99", "Kim Lee"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("99"));
    assert_eq!(b.ok(&["owner", "list", "--json"]), before);
    // A lead goes to one person: not to all.
    let out = b.ripen().args(["assign", "1", "all"]).output().unwrap();
    assert!(!out.status.success());
    // To me: who I am.
    assert_eq!(
        as_user(&b, "Kim Lee", &["assign", "4", "me"]),
        "#4 Ana Ruiz → Kim Lee\nhanded 1 lead to Kim Lee\n"
    );
}

#[test]
fn the_owners_report_says_whose_leads_are_cooling() {
    let b = Book::new();
    b.ok(&[
        "add",
        "Old One",
        "--owner",
        "Sam Rep",
        "--received",
        "2026-11-18T09:00",
    ]);
    b.ok(&[
        "add",
        "Quick One",
        "--owner",
        "Kim Lee",
        "--received",
        "2026-11-21T09:00",
    ]);
    b.ok(&[
        "log",
        "2",
        "call",
        "--outcome",
        "reached",
        "--at",
        "2026-11-21T12:00",
    ]);
    b.ok(&["add", "Nobody's", "--received", "2026-11-20T09:00"]);
    // Another spelling of Sam's: one row.
    b.ok(&[
        "add",
        "Older One",
        "--owner",
        "sam rep",
        "--received",
        "2026-11-10T09:00",
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&b.ok(&["report", "owners", "--json"])).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{v}");
    // In the owners' order, the unassigned last.
    let sam = &rows[1];
    assert_eq!(sam["owner"], "Sam Rep");
    assert_eq!(sam["leads"], 2);
    assert_eq!(sam["share_48h"], 0.0);
    assert_eq!(sam["overdue"], 2);
    assert_eq!(sam["oldest_overdue_days"], 12);
    let kim = &rows[0];
    assert_eq!(kim["owner"], "Kim Lee");
    assert_eq!(kim["share_48h"], 1.0);
    assert_eq!(kim["overdue"], 0);
    assert!(kim["oldest_overdue_days"].is_null());
    let none = &rows[2];
    assert_eq!(none["unassigned"], true, "the unassigned last: {v}");
    assert_eq!(none["overdue"], 1);
    let table = b.ok(&["report", "owners"]);
    let last = table.lines().rfind(|l| !l.trim().is_empty()).unwrap();
    assert!(last.starts_with("(unassigned)"), "{table}");
    assert!(table.lines().nth(1).unwrap().contains("48h %"), "{table}");
}

/// Writes the book's config (the file `RIPEN_CONFIG` names for every run).
fn config(book: &Book, text: &str) {
    std::fs::write(book.path().join("no-config.toml"), text).unwrap();
}

/// A list bought for the team: the rows that name no owner go to each in turn, in file order,
/// so that no one has more than one more than another; a row that names its owner keeps it.
#[test]
fn a_round_robin_import_splits_a_list_evenly() {
    let b = Book::new();
    b.ok(&["add", "Already There", "--owner", "Kim Lee"]);
    config(&b, "team = [\"Sam Rep\", \"kim lee\", \"Ana Ruiz\"]\n");
    let mut csv = String::from("name,company,owner\n");
    // (Firma … Firmk: each found by its own word.)
    for i in 0..11 {
        let owner = if i == 4 { "Zoe Own" } else { "" };
        csv.push_str(&format!(
            "Person {i},Firm{},{owner}\n",
            (b'a' + i as u8) as char
        ));
    }
    let file = b.path().join("bought.csv");
    std::fs::write(&file, csv).unwrap();
    let out = b.ok(&["import", file.to_str().unwrap(), "--assign", "round-robin"]);
    assert!(
        out.contains("handed out in turn: Sam Rep 4 · Kim Lee 3 · Ana Ruiz 3"),
        "{out}"
    );
    let owner_of = |n: usize| -> String {
        let v: serde_json::Value = serde_json::from_str(&b.ok(&[
            "show",
            &format!("firm{}", (b'a' + n as u8) as char),
            "--json",
        ]))
        .unwrap();
        v["lead"]["owner"].as_str().unwrap().to_string()
    };
    // File order: the first row to Sam, the second to Kim (as the book spells her), …
    assert_eq!(owner_of(0), "Sam Rep");
    assert_eq!(owner_of(1), "Kim Lee");
    assert_eq!(owner_of(2), "Ana Ruiz");
    assert_eq!(owner_of(3), "Sam Rep");
    assert_eq!(owner_of(4), "Zoe Own", "a row's own owner is kept");
    assert_eq!(owner_of(5), "Kim Lee");
    let v: serde_json::Value = serde_json::from_str(&b.ok(&["owner", "list", "--json"])).unwrap();
    let counts: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| ["Sam Rep", "Ana Ruiz"].contains(&r["owner"].as_str().unwrap()))
        .map(|r| r["leads"].as_i64().unwrap())
        .collect();
    assert_eq!(counts.len(), 2);
    assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1);
}

#[test]
fn an_import_can_name_the_owner_and_round_robin_needs_a_team() {
    let b = Book::new();
    b.ok(&["add", "Already There", "--owner", "Kim Lee"]);
    let file = b.path().join("few.csv");
    std::fs::write(&file, "name\nOne\nTwo\n").unwrap();
    b.ok(&["import", file.to_str().unwrap(), "--owner", "KIM LEE"]);
    let v: serde_json::Value = serde_json::from_str(&b.ok(&["owner", "list", "--json"])).unwrap();
    assert_eq!(v[0]["owner"], "Kim Lee");
    assert_eq!(v[0]["leads"], 3, "{v}");
    let out = b
        .ripen()
        .args(["import", file.to_str().unwrap(), "--assign", "round-robin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs the team: team = ["), "{err}");
}

/// `ripen report --owner`: each owner's reports count their leads only; over the owners (mine
/// with the unassigned, then each other), the counts add up to the book's.
#[test]
fn reports_narrowed_to_each_owner_add_up_to_the_books() {
    let b = Book::new();
    b.ok(&["demo", "--leads", "80"]);
    let report = |owner: Option<&str>, name: &str| -> serde_json::Value {
        let mut args = vec!["report", name, "--json"];
        if let Some(o) = owner {
            args.extend(["--owner", o]);
        }
        serde_json::from_str(&as_user(&b, "Zed", &args)).unwrap()
    };
    let total = |v: &serde_json::Value, key: &str| -> i64 {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_i64().unwrap())
            .sum()
    };
    let book = report(None, "funnel");
    assert_eq!(report(Some("all"), "funnel"), book);
    let parts = ["me", "alex", "KIM"];
    for key in ["received", "contacted", "qualified", "won"] {
        let sum: i64 = parts
            .iter()
            .map(|o| total(&report(Some(o), "funnel"), key))
            .sum();
        assert_eq!(sum, total(&book, key), "funnel {key}");
    }
    let losses: i64 = parts
        .iter()
        .map(|o| total(&report(Some(o), "losses"), "count"))
        .sum();
    assert_eq!(losses, total(&report(None, "losses"), "count"));
    let open = |o: Option<&str>| report(o, "discipline")[0]["open"].as_i64().unwrap();
    assert_eq!(parts.iter().map(|o| open(Some(o))).sum::<i64>(), open(None));
    // The owners report, narrowed to Kim: her row alone.
    let kim = report(Some("kim"), "owners");
    assert_eq!(kim.as_array().unwrap().len(), 1, "{kim}");
    assert_eq!(kim[0]["owner"], "Kim");
    let nobody = report(Some("Nobody"), "funnel");
    assert!(nobody.as_array().unwrap().is_empty(), "{nobody}");
}

/// `edit --owner` is a hand-over too, to the owner as the book spells them; and a rename is one
/// change of owner a lead, in the change log.
#[test]
fn edit_owner_hands_over_and_a_rename_is_one_change_a_lead() {
    let b = team_book();
    as_user(&b, "Sam Rep", &["edit", "3", "--owner", "sam rep"]);
    let show = as_user(&b, "Kim Lee", &["show", "3"]);
    assert!(
        show.contains("handed from Kim Lee to Sam Rep — by Sam Rep"),
        "{show}"
    );
    let changes = || -> i64 {
        let conn = rusqlite::Connection::open(&b.db).unwrap();
        conn.query_row(
            "SELECT count(*) FROM lead_changes WHERE field = 'owner'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = changes();
    assert_eq!(
        b.ok(&["owner", "rename", "sam rep", "Samuel Rep"]),
        "\"Sam Rep\" → \"Samuel Rep\": 3 leads\n"
    );
    assert_eq!(changes(), before + 3);
}
