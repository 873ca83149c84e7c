//! History: an activities file joined to its leads (`--activities … --on`), and a lead's own
//! last-activity date; what the timeline, the follow-up and idle days make of them.

use serde_json::Value;

use crate::{Book, NOW, data, find, s};

#[test]
fn crm_sample_comes_in_whole_with_contacts_joined_and_history_attached() {
    let b = Book::new();
    let r = b.import_json(&[
        s(&data("crm-sample/Leads.csv")),
        "--join",
        s(&data("crm-sample/Contacts.csv")),
        "--on",
        "ContactID",
    ]);
    assert_eq!(
        (
            r["rows"].as_u64(),
            r["new"].as_u64(),
            r["rejected"].as_u64()
        ),
        (Some(12), Some(12), Some(0))
    );
    let all = b.list("all");
    assert_eq!(all.len(), 12);
    let l1 = find(&all, "external_id", "L0001");
    // L0001 is contact C05.
    assert_eq!(l1["name"], "Harriet Lomax");
    assert_eq!(l1["email"], "hlomax@example.org");
    assert_eq!(l1["source"], "Email Campaign");
    // Contact C03 has two leads (L0003, L0009): two leads they stay.
    let pruitt = all.iter().filter(|l| l["name"] == "Janelle Pruitt").count();
    assert_eq!(pruitt, 2);
    assert_eq!(
        b.list("recycled").len(),
        3,
        "the Lost leads rest in Recycled"
    );
    assert_eq!(b.list("pipeline").len(), 3, "Qualified leads are open");

    let h: Value = serde_json::from_str(&b.ok(&[
        "import",
        "--activities",
        s(&data("crm-sample/Activity.csv")),
        "--on",
        "LeadID",
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        (
            h["rows"].as_u64(),
            h["done"].as_u64(),
            h["planned"].as_u64()
        ),
        (Some(10), Some(6), Some(4))
    );
    assert_eq!(h["rejected"], 0);
    // A0001 (L0007): a planned meeting on 2025-06-14.
    let show = b.ok(&[
        "show",
        &find(&b.list("all"), "external_id", "L0007")["id"].to_string(),
    ]);
    assert!(show.contains("planned meeting on 2025-06-14"), "{show}");
}

#[test]
fn activities_for_unknown_leads_are_refused_whole() {
    let b = Book::new();
    let err = b.fails(&[
        "import",
        "--activities",
        s(&data("crm-sample/Activity.csv")),
        "--on",
        "LeadID",
    ]);
    assert!(
        err.contains("Activity.csv:2: no lead with external id \"L0007\""),
        "{err}"
    );
}

#[test]
fn activities_with_skip_bad_attach_the_rest_and_keep_the_rejected_rows() {
    let b = Book::new();
    let leads = b.dir.path().join("leads.csv");
    std::fs::write(&leads, "id,name,status\nX1,Jane Doe,new\n").unwrap();
    b.ok(&["import", s(&leads)]);
    let acts = b.dir.path().join("acts.csv");
    std::fs::write(
        &acts,
        "LeadID,ActivityType,Subject,DueDate,Completed\n\
         X1,Call,Intro call,2026-11-01,True\n\
         X2,Call,Who is this,2026-11-02,False\n\
         X1,Meeting,Demo,2026-12-03,False\n",
    )
    .unwrap();
    let err = b.fails(&["import", "--activities", s(&acts), "--on", "LeadID"]);
    assert!(
        err.contains("acts.csv:3: no lead with external id \"X2\""),
        "{err}"
    );
    let jane = find(&b.list("all"), "name", "Jane Doe").clone();
    assert_eq!(jane["status"], "new", "nothing written");

    let h: Value = serde_json::from_str(&b.ok(&[
        "import",
        "--activities",
        s(&acts),
        "--on",
        "LeadID",
        "--skip-bad",
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        (
            h["done"].as_u64(),
            h["planned"].as_u64(),
            h["rejected"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let jane = find(&b.list("all"), "name", "Jane Doe").clone();
    assert_eq!(jane["status"], "working", "a done call is a first contact");
    assert_eq!(jane["last_contact_at"], "2026-11-01T00:00:00Z");
    assert_eq!(
        jane["next_follow_up"], "2026-12-03T00:00:00Z",
        "the planned meeting"
    );
    let rejected = std::fs::read_to_string(b.dir.path().join("acts.rejected.csv")).unwrap();
    assert_eq!(
        rejected,
        "LeadID,ActivityType,Subject,DueDate,Completed\nX2,Call,Who is this,2026-11-02,False\n"
    );
}

/// The `crm-history` leads in a fresh book, as the lead file brings them in.
fn history_book() -> Book {
    let b = Book::new();
    b.ok(&["import", s(&data("crm-history/Leads.csv"))]);
    b
}

/// Import the `crm-history` activities into `b`.
fn import_history(b: &Book) -> Value {
    b.import_json(&[
        "--activities",
        s(&data("crm-history/Activity.csv")),
        "--on",
        "LeadID",
    ])
}

fn by_external_id(b: &Book, id: &str) -> Value {
    find(&b.list("all"), "external_id", id).clone()
}

/// An open deal whose one call was 612 days ago stays rotting after the history import, idle
/// since that call; the follow-up planned after it and never done is due today, not 596 days
/// overdue (the import's own entry, stamped today, had made it idle for 0 days).
#[test]
fn a_history_import_keeps_a_rotting_deal_rotting() {
    let b = history_book();
    assert_eq!(
        by_external_id(&b, "H001")["rotting"],
        true,
        "rotting before"
    );
    let h = import_history(&b);
    assert_eq!(h["rejected"], 0, "{h}");
    let rosa = by_external_id(&b, "H001");
    assert_eq!(rosa["last_contact_at"], "2025-03-20T00:00:00Z");
    assert_eq!(rosa["days_idle"], 612, "{rosa}");
    assert_eq!(rosa["rotting"], true, "{rosa}");
    assert_eq!(rosa["status"], "open");
    assert_eq!(rosa["due"], "today", "{rosa}");
    assert_eq!(rosa["next_follow_up"], NOW);
    let why = rosa["why"].to_string();
    assert!(why.contains("rotting 612d"), "{why}");
    assert!(!why.contains("overdue"), "{why}");
}

/// A task planned last year and never done is due today: the rep sees it in today's work, not
/// "overdue 347d" above every lead really late; `ripen status` counts no more overdue leads
/// than before the import, on this book and on the CRM sample.
#[test]
fn a_task_planned_last_year_is_due_today() {
    // The status line's first part: "N overdue".
    let overdue = |b: &Book| {
        let status = b.ok(&["status"]);
        status.split(" · ").next().unwrap_or_default().to_string()
    };
    let b = history_book();
    assert_eq!(overdue(&b), "0 overdue");
    import_history(&b);
    assert_eq!(overdue(&b), "0 overdue", "{}", b.ok(&["status"]));
    let gideon = by_external_id(&b, "H002");
    assert_eq!(gideon["due"], "today", "{gideon}");
    assert_eq!(gideon["next_follow_up"], NOW);
    assert_eq!(
        gideon["last_contact_at"],
        Value::Null,
        "planned is not done"
    );
    let show = b.ok(&["show", &gideon["id"].to_string()]);
    assert!(
        show.contains("planned call on 2025-12-10, not marked done (from Activity.csv:4)"),
        "{show}"
    );

    let crm = Book::new();
    crm.ok(&[
        "import",
        s(&data("crm-sample/Leads.csv")),
        "--join",
        s(&data("crm-sample/Contacts.csv")),
        "--on",
        "ContactID",
    ]);
    let before = crm.ok(&["status"]);
    assert_eq!(overdue(&crm), "0 overdue", "{before}");
    crm.ok(&[
        "import",
        "--activities",
        s(&data("crm-sample/Activity.csv")),
        "--on",
        "LeadID",
    ]);
    assert_eq!(
        crm.ok(&["status"]),
        before,
        "nothing planned or done moved a day"
    );
    let late: Vec<Value> = crm
        .list("all")
        .into_iter()
        .filter(|l| l["due"].as_str().is_some_and(|d| d.starts_with("overdue")))
        .collect();
    assert!(late.is_empty(), "{late:?}");
}

/// Done contacts come in as the rep would have logged them with `ripen log --at`: a call last
/// week on an open deal, an e-mail on Friday to a new lead, and a call older than the contact
/// the book already has (history filled in: the schedule that newer contact set stays) leave
/// each lead exactly as a second book where the same contacts are logged by hand.
#[test]
fn done_contacts_come_in_as_if_logged_by_hand() {
    let imported = history_book();
    let by_hand = history_book();
    for b in [&imported, &by_hand] {
        let maren = by_external_id(b, "H005")["id"].to_string();
        b.ok(&["log", &maren, "email", "--at", "2026-11-20"]);
    }
    import_history(&imported);
    for (ext, kind, at) in [
        ("H003", "call", "2026-11-16"),
        ("H004", "email", "2026-11-20"),
        ("H005", "call", "2026-11-17"),
    ] {
        let id = by_external_id(&by_hand, ext)["id"].to_string();
        by_hand.ok(&["log", &id, kind, "--at", at]);
    }
    let fields = [
        "status",
        "next_follow_up",
        "last_contact_at",
        "due",
        "days_idle",
        "rotting",
        "stale",
        "why",
        "priority",
    ];
    for ext in ["H003", "H004", "H005"] {
        let (a, b) = (
            by_external_id(&imported, ext),
            by_external_id(&by_hand, ext),
        );
        for f in fields {
            assert_eq!(a[f], b[f], "{ext} {f}: imported {a} by hand {b}");
        }
    }
    let ines = by_external_id(&imported, "H003");
    assert_eq!(ines["last_contact_at"], "2026-11-16T00:00:00Z");
    assert_eq!(
        ines["next_follow_up"], "2026-12-16T00:00:00Z",
        "green: 30 days"
    );
    let tobias = by_external_id(&imported, "H004");
    assert_eq!(tobias["status"], "working");
    assert_eq!(tobias["next_follow_up"], "2026-11-23T00:00:00Z");
    let maren = by_external_id(&imported, "H005");
    assert_eq!(maren["last_contact_at"], "2026-11-20T00:00:00Z");
    assert_eq!(
        maren["next_follow_up"], "2026-11-23T00:00:00Z",
        "from the newer e-mail, not the older call"
    );
}

/// The import's own entry is on each lead's timeline, but it is no work on the lead: a lead with
/// nothing done in the file is as idle after the import as before it, and the others are idle
/// since their newest contact.
#[test]
fn the_import_entry_is_on_the_timeline_but_leaves_idle_days_alone() {
    let b = history_book();
    let before = b.list("all");
    import_history(&b);
    let after = b.list("all");
    let idle = |list: &[Value], ext: &str| find(list, "external_id", ext)["days_idle"].clone();
    assert_eq!(idle(&after, "H002"), idle(&before, "H002"));
    assert_eq!(idle(&before, "H002"), 447);
    assert_eq!(idle(&after, "H001"), 612);
    assert_eq!(idle(&after, "H003"), 6);
    for ext in ["H001", "H002", "H003"] {
        let id = find(&after, "external_id", ext)["id"].to_string();
        let show = b.ok(&["show", &id]);
        assert!(
            show.contains("imported 1 activity from Activity.csv")
                || show.contains("imported 2 activities from Activity.csv"),
            "{ext}: {show}"
        );
    }
}

/// A CRM's last activity date: the lead falls due a cadence after it (not after receipt), and
/// its timeline says so; a closed record without a close date closed at its last activity.
#[test]
fn last_activity_schedules_the_follow_up_and_dates_a_close() {
    let b = Book::new();
    let file = b.dir.path().join("crm.csv");
    std::fs::write(
        &file,
        "Name,Email,Status,Stage,Create Date,Last Activity Date\n\
         Ada Open,ada@x.example,open,Green,2026-03-01,2026-11-17\n\
         Bo Lost,bo@x.example,lost,,2026-03-01,2026-06-10\n\
         Cy Quiet,cy@x.example,open,Green,2026-03-01,\n\
         Di Fresh,di@x.example,open,Green,2026-11-17,\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&file)]);
    assert_eq!(r["new"], 4, "{r}");
    let all = b.list("all");
    let due = |email: &str| find(&all, "email", email)["next_follow_up"].clone();
    // Touched on 17 November, Ada falls due when Di, received that day, does: a cadence later.
    // Cy, untouched since March, is long past its cadence: due today.
    assert_eq!(due("ada@x.example"), due("di@x.example"));
    assert!(due("ada@x.example").as_str().unwrap() > NOW);
    assert_eq!(due("cy@x.example"), NOW);
    let bo = find(&all, "email", "bo@x.example");
    assert_eq!(bo["closed_at"], "2026-06-10T00:00:00Z");
    // They are hints: a cell that is no date is kept as text, never a reason to refuse a row.
    let odd = b.dir.path().join("odd.csv");
    std::fs::write(
        &odd,
        "Name,Email,Last Contacted,Modified\nOdd Ola,ola@x.example,by phone,yes\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&odd)]);
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    let ola = find(&b.list("all"), "email", "ola@x.example").clone();
    assert_eq!(
        ola["extra"],
        serde_json::json!({"Last Contacted": "by phone", "Modified": "yes"})
    );
    let ada = find(&all, "email", "ada@x.example");
    let shown = b.ok(&["show", ada["id"].to_string().as_str()]);
    assert!(
        shown.contains("2026-11-17 00:00  system   last activity before the import (crm.csv:2)"),
        "{shown}"
    );
}

/// An activity the file marks done (or has no status column for) but dates after now has not
/// happened: it lands as planned, rather than failing the whole history (a review found one
/// scheduled meeting refusing every row).
#[test]
fn a_done_activity_dated_after_now_lands_as_planned() {
    let b = Book::new();
    let dir = b.dir.path();
    let leads = dir.join("leads.csv");
    std::fs::write(&leads, "id,name\nX1,Ann Early\nX2,Bob Mid\n").unwrap();
    b.ok(&["import", leads.to_str().unwrap()]);
    let acts = dir.join("acts.csv");
    std::fs::write(
        &acts,
        "lead,date,type,subject\nX1,2026-11-10,Call,first call\nX2,2026-11-12,Call,intro\n\
         X1,2026-11-30,Meeting,demo\n",
    )
    .unwrap();
    let h = b.import_json(&["--activities", acts.to_str().unwrap(), "--on", "lead"]);
    assert_eq!(
        (
            h["done"].as_u64(),
            h["planned"].as_u64(),
            h["rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(0)),
        "{h}"
    );
    let ann = b.ok(&["show", "ann"]);
    assert!(ann.contains("planned meeting on 2026-11-30"), "{ann}");
}

#[test]
fn a_history_with_a_date_that_is_no_day_lands_nothing() {
    let b = Book::new();
    let leads = b.dir.path().join("Leads.csv");
    let acts = b.dir.path().join("Activity.csv");
    std::fs::write(
        &leads,
        "LeadID,FullName,LeadStatus,CreatedDate\nL1,Ana Lind,Working,2026-01-05\nL2,Ben Ortiz,Working,2026-01-06\n",
    )
    .unwrap();
    // Line 3's date has the file's shape but is no day.
    std::fs::write(
        &acts,
        "ActivityID,LeadID,ActivityType,DueDate,Completed\nA1,L1,Call,05/02/2026,True\nA2,L2,Call,31/02/2026,True\n",
    )
    .unwrap();
    b.ok(&["import", s(&leads)]);
    let before = b.ok(&["show", "1", "--json"]);
    let err = b.fails(&["import", "--activities", s(&acts), "--on", "LeadID"]);
    assert!(err.contains("Activity.csv:3"), "{err}");
    assert_eq!(
        b.ok(&["show", "1", "--json"]),
        before,
        "nothing of the file landed"
    );
    assert!(!b.dir.path().join("Activity.rejected.csv").exists());
}

#[test]
fn a_lead_contacted_before_its_crm_created_it_was_received_by_then() {
    let b = Book::new();
    let leads = b.dir.path().join("Leads.csv");
    let acts = b.dir.path().join("Activity.csv");
    std::fs::write(
        &leads,
        "LeadID,FullName,LeadStatus,CreatedDate\nL1,Ana Lind,New,2026-03-10\n",
    )
    .unwrap();
    std::fs::write(
        &acts,
        "ActivityID,LeadID,ActivityType,DueDate,Completed\nA1,L1,Call,2026-03-01,True\n",
    )
    .unwrap();
    b.ok(&["import", s(&leads)]);
    b.ok(&["import", "--activities", s(&acts), "--on", "LeadID"]);
    let ana = find(&b.list("all"), "name", "Ana Lind").clone();
    assert_eq!(ana["received_at"], "2026-03-01T00:00:00Z");
    let speed: Value = serde_json::from_str(&b.ok(&["report", "speed", "--json"])).unwrap();
    let text = speed.to_string();
    assert!(!text.contains(":-"), "no negative hours: {text}");
    assert!(
        b.ok(&["show", "1"])
            .contains("received moved back to 2026-03-01")
    );
}

/// The same history imported again, two days later, adds no entry and moves no follow-up the
/// rep has set since (it had pulled snoozed leads back to today and doubled every call).
#[test]
fn the_same_history_imported_again_adds_nothing_and_moves_nothing() {
    let b = history_book();
    import_history(&b);
    for lead in b.list("all") {
        if ["new", "working", "open"].contains(&lead["status"].as_str().unwrap()) {
            b.ok(&["snooze", &lead["id"].to_string(), "2026-11-30"]);
        }
    }
    let later = "2026-11-24T09:00:00Z";
    let run = |args: &[&str]| -> String {
        let out = b.cmd().env("RIPEN_NOW", later).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let state = || -> Vec<(String, Value, usize)> {
        let all: Vec<Value> = serde_json::from_str(&run(&["list", "all", "--json"])).unwrap();
        all.iter()
            .map(|l| {
                let id = l["id"].to_string();
                let shown: Value = serde_json::from_str(&run(&["show", &id, "--json"])).unwrap();
                let entries = shown["timeline"].as_array().unwrap().len();
                (id, l["next_follow_up"].clone(), entries)
            })
            .collect()
    };
    let before = state();
    run(&[
        "import",
        "--activities",
        s(&data("crm-history/Activity.csv")),
        "--on",
        "LeadID",
    ]);
    assert_eq!(state(), before);
}

/// The Salesforce leads and contacts of `sf-history/` in a fresh book (a contact with a lead's
/// e-mail and name merges into it).
fn sf_history_book() -> Book {
    let b = Book::new();
    b.ok(&["import", s(&data("sf-history/Lead.csv"))]);
    b.ok(&["import", s(&data("sf-history/Contact.csv"))]);
    b
}

/// `ripen import --activities Task.csv --on WhoId` and `more`, on a copy of the fixture in the
/// book's folder (where `--skip-bad` writes the rejected rows).
fn sf_tasks(b: &Book, more: &[&str]) -> std::process::Output {
    let tasks = b.copy_in("sf-history/Task.csv");
    let mut args = vec!["import", "--activities", s(&tasks), "--on", "WhoId"];
    args.extend_from_slice(more);
    b.cmd().args(&args).output().unwrap()
}

/// A refusal names every bad row at once, whatever is wrong with it (a date no reader reads, a
/// task on Salesforce's empty id, an id no lead has): a trial's user fixed 4 rows, then met 83
/// more. A task with no `ActivityDate` is dated by its `CompletedDateTime`, else its
/// `CreatedDate`, and is no bad row.
#[test]
fn a_history_refusal_lists_every_bad_row_and_undated_tasks_take_another_date() {
    let b = sf_history_book();
    let out = sf_tasks(&b, &["--json"]);
    assert!(!out.status.success());
    let refusal: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = refusal["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    let has = |line: u32, what: &str| {
        errors
            .iter()
            .any(|e| e.starts_with(&format!("Task.csv:{line}:")) && e.contains(what))
    };
    assert!(has(2, "Salesforce's empty id"), "{errors:#?}");
    assert!(
        has(11, "no lead with external id \"0035f00001XyZzAAAZ\""),
        "{errors:#?}"
    );
    assert!(has(13, "bad date \"next week\""), "{errors:#?}");
    for undated in [9, 12] {
        assert!(
            !errors
                .iter()
                .any(|e| e.starts_with(&format!("Task.csv:{undated}:")) && e.contains("date")),
            "line {undated} has a CompletedDateTime or a CreatedDate: {errors:#?}"
        );
    }
    let text = String::from_utf8(sf_tasks(&b, &[]).stderr).unwrap();
    for line in [2, 11, 13] {
        assert!(text.contains(&format!("Task.csv:{line}:")), "{text}");
    }
    assert!(
        b.list("all").iter().all(|l| l["last_contact_at"].is_null()),
        "nothing written"
    );

    let out = sf_tasks(&b, &["--skip-bad", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["rows"], 12, "{h}");
    // The undated open task on Gabriel Osorio, dated by its CreatedDate: a planned task long
    // past, kept on his timeline.
    let gabriel = find(&b.list("all"), "name", "Gabriel Osorio")["id"].to_string();
    let show = b.ok(&["show", &gabriel]);
    assert!(
        show.contains("on 2023-02-20, not marked done (from Task.csv:12)"),
        "{show}"
    );
}

/// Imported history counts as contact whatever column says its kind: Salesforce's tasks with a
/// blank `Type` (a trial's 420 became notes, a contact with 15 calls and e-mails from 2023 left
/// "new · 48h breached") are read by their subjects ("Call …", "Email: …", "Email de lista: …",
/// "Seguimiento …", "Reunión …"), and the lead ends exactly as in a book where the rep logged
/// those contacts by hand.
#[test]
fn history_with_a_blank_type_counts_as_contact_as_if_logged_by_hand() {
    let imported = sf_history_book();
    let by_hand = sf_history_book();
    let gabriel = |b: &Book| find(&b.list("all"), "name", "Gabriel Osorio").clone();
    assert_eq!(gabriel(&imported)["status"], "new");
    let rejected = imported.dir.path().join("rejected.csv");
    let out = sf_tasks(&imported, &["--skip-bad", "--rejected", s(&rejected)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = gabriel(&by_hand)["id"].to_string();
    for (kind, at) in [
        ("call", "2023-01-26"),
        ("email", "2023-01-26"),
        ("email", "2023-02-07"),
        ("call", "2023-02-08"),
        ("meeting", "2023-03-01"),
    ] {
        by_hand.ok(&["log", &id, kind, "--at", at]);
    }
    let (a, b) = (gabriel(&imported), gabriel(&by_hand));
    for f in ["status", "last_contact_at", "days_idle", "stale", "rotting"] {
        assert_eq!(a[f], b[f], "{f}: imported {a} by hand {b}");
    }
    // The cadence from that meeting ran out in 2023: due today, as every import's follow-up
    // that passed in the old CRM is (by hand, "overdue 1357d").
    assert_eq!(b["next_follow_up"], "2023-03-06T00:00:00Z", "{b}");
    assert_eq!(a["next_follow_up"], NOW, "{a}");
    assert_eq!(a["due"], "today");
    assert_eq!(a["status"], "working");
    assert_eq!(a["last_contact_at"], "2023-03-01T00:00:00Z");
    assert!(!a["why"].to_string().contains("48h"), "{a}");
    let show = imported.ok(&["show", &a["id"].to_string()]);
    assert!(
        show.contains("Email de lista: Novedades de febrero"),
        "{show}"
    );
}

/// A contact merged into a lead keeps its own id with the lead (a trial's contact, merged into
/// her lead keeping only her title and phone, had her 12 tasks rejected "no lead with external
/// id"): a history import finds her tasks by either id.
#[test]
fn a_merged_contacts_tasks_find_the_lead_it_merged_into() {
    let b = sf_history_book();
    let lucia = find(&b.list("all"), "external_id", "00Q5f00000AbCdEAAA").clone();
    assert_eq!(lucia["title"], "Gerente Comercial", "merged: {lucia}");
    assert_eq!(
        lucia["extra"]["merged external ids"], "0035f00001XyZaAAAB",
        "{lucia}"
    );
    let rejected = b.dir.path().join("rejected.csv");
    let out = sf_tasks(&b, &["--skip-bad", "--rejected", s(&rejected), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<String> = h["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().split(':').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(lines, ["2", "11", "13"], "{h}");
    let lucia = find(&b.list("all"), "external_id", "00Q5f00000AbCdEAAA").clone();
    assert_eq!(lucia["last_contact_at"], "2023-01-30T00:00:00Z", "{lucia}");
    let show = b.ok(&["show", &lucia["id"].to_string()]);
    assert!(show.contains("Llamada a Lucía"), "{show}");
    assert!(show.contains("Enviar propuesta"), "{show}");
}

/// A HubSpot activities export names its contact only by e-mail: `--on "Associated Contact
/// Email"` links each row to the lead with that e-mail, any case (a trial's 2000 rows were all
/// rejected "no lead with external id", every address in the book); an address no lead has is
/// a bad row like an unknown id. HubSpot's `Task Status` says whether a task is done.
#[test]
fn a_column_of_emails_links_activities_by_email() {
    let b = Book::new();
    b.ok(&[
        "import",
        s(&b.copy_in("exports/hubspot-contacts-lifecycle.csv")),
    ]);
    let acts = b.copy_in("exports/hubspot-activities.csv");
    let on = ["--activities", s(&acts), "--on", "Associated Contact Email"];
    let mut args = vec!["import"];
    args.extend_from_slice(&on);
    let err = b.fails(&args);
    assert!(
        err.contains("hubspot-activities.csv:7: no lead with e-mail \"nobody@nowhere.example\""),
        "{err}"
    );
    assert!(err.contains("1 bad row(s)"), "{err}");
    let mut args = on.to_vec();
    args.push("--skip-bad");
    let h = b.import_json(&args);
    assert_eq!(
        (&h["leads"], &h["done"], &h["planned"], &h["rejected"]),
        (
            &Value::from(3),
            &Value::from(4),
            &Value::from(1),
            &Value::from(1)
        ),
        "{h}"
    );
    let all = b.list("all");
    let ada = find(&all, "name", "Ada Quinn");
    assert_eq!(ada["status"], "working", "{ada}");
    assert_eq!(ada["last_contact_at"], "2026-11-18T00:00:00Z", "{ada}");
    let dov = find(&all, "name", "Dov Ray");
    assert_eq!(dov["last_contact_at"], "2026-11-19T00:00:00Z", "{dov}");
    let finn = find(&all, "name", "Finn Roe");
    assert_eq!(
        finn["last_contact_at"],
        Value::Null,
        "a note and a task not started: {finn}"
    );
    let show = b.ok(&["show", &finn["id"].to_string()]);
    assert!(show.contains("planned task on"), "{show}");
}

/// A task not done yet is due on its due date where the file gives one apart from the date the
/// activity was made (HubSpot's `Task Due Date` beside its `Activity Date`): the rep's next
/// follow-up is that date, not the day the task was created.
#[test]
fn a_task_not_done_is_due_on_its_due_date() {
    let b = Book::new();
    b.ok(&[
        "import",
        s(&b.copy_in("exports/hubspot-contacts-lifecycle.csv")),
    ]);
    let acts = b.copy_in("exports/hubspot-activities.csv");
    b.ok(&[
        "import",
        "--activities",
        s(&acts),
        "--on",
        "Associated Contact Email",
        "--skip-bad",
    ]);
    let finn = find(&b.list("all"), "name", "Finn Roe").clone();
    assert_eq!(finn["next_follow_up"], "2026-12-01T00:00:00Z", "{finn}");
    let show = b.ok(&["show", &finn["id"].to_string()]);
    assert!(
        show.contains("planned task on 2026-12-01 (from hubspot-activities.csv:4)"),
        "{show}"
    );
    let h = b.import_json(&[
        "--activities",
        s(&acts),
        "--on",
        "Associated Contact Email",
        "--skip-bad",
        "--dry-run",
    ]);
    assert!(
        h["mapping"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "Task Due Date → date of a task not done"),
        "{h}"
    );
}

/// An e-mail that people kept apart share (a placeholder) names none of them: its activities
/// are bad rows, never pinned on one of them.
#[test]
fn an_email_several_people_share_links_no_activity() {
    let b = Book::new();
    let leads = b.dir.path().join("leads.csv");
    std::fs::write(
        &leads,
        "name,company,email\nAna Uno,Uno SA,a@a.com\nBea Dos,Dos SL,a@a.com\nCai Tres,Tres AG,cai@tres.example\n",
    )
    .unwrap();
    b.ok(&["import", s(&leads)]);
    assert_eq!(b.list("all").len(), 3, "kept apart");
    let acts = b.dir.path().join("acts.csv");
    std::fs::write(
        &acts,
        "email,date,type\na@a.com,2026-11-20,Call\ncai@tres.example,2026-11-20,Call\n",
    )
    .unwrap();
    let err = b.fails(&["import", "--activities", s(&acts), "--on", "email"]);
    assert!(
        err.contains("acts.csv:2: 2 leads have the e-mail \"a@a.com\""),
        "{err}"
    );
    assert!(!err.contains("acts.csv:3"), "{err}");
}

/// A history's dry run shows what each column is read as, as a leads file's does: which column
/// names the lead (and how), the date and the columns an undated row falls back to, the kind,
/// the subject, the note, the done flag, and what is not read.
#[test]
fn a_history_dry_run_shows_its_columns() {
    let b = sf_history_book();
    let out = sf_tasks(&b, &["--dry-run", "--skip-bad"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "columns:",
        "  WhoId → the lead, by its external id",
        "  ActivityDate → date",
        "  CompletedDateTime → date where ActivityDate is blank",
        "  CreatedDate → date where ActivityDate and CompletedDateTime are blank",
        "  Type → kind",
        "  Subject → subject (and the kind where no kind column names one)",
        "  Description → note",
        "  Status → done (blank is done)",
        "  Priority → not read",
        "dates: ISO (YYYY-MM-DD)",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in:\n{text}");
    }
    assert!(text.contains("(dry run: nothing written)"), "{text}");

    let b = Book::new();
    b.ok(&[
        "import",
        s(&b.copy_in("exports/hubspot-contacts-lifecycle.csv")),
    ]);
    let acts = b.copy_in("exports/hubspot-activities.csv");
    let h = b.import_json(&[
        "--activities",
        s(&acts),
        "--on",
        "Associated Contact Email",
        "--dry-run",
        "--skip-bad",
    ]);
    let mapping: Vec<&str> = h["mapping"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        mapping.contains(&"Associated Contact Email → the lead, by its e-mail"),
        "{mapping:?}"
    );
    assert!(mapping.contains(&"Activity Type → kind"), "{mapping:?}");
    assert!(
        mapping.contains(&"Task Status → done (blank is done)"),
        "{mapping:?}"
    );
    // HubSpot's subject and notes are kept (they had been read as no column at all).
    assert!(
        mapping.contains(
            &"Call/Meeting Title/Subject → subject (and the kind where no kind column names one)"
        ),
        "{mapping:?}"
    );
    assert!(mapping.contains(&"Notes/Description → note"), "{mapping:?}");
}

/// A Salesforce Event export (`IsAllDayEvent`, `ActivityDateTime`, `DurationInMinutes`, its
/// `Type` blank) is a calendar: an event whose subject names no kind is a meeting, dated by its
/// `ActivityDateTime` (an all-day one, which has none, by its `ActivityDate`).
#[test]
fn salesforce_events_are_meetings_at_their_time() {
    let b = Book::new();
    let leads = b.dir.path().join("leads.csv");
    std::fs::write(&leads, "id,name\n00Q1,Ann Event\n").unwrap();
    b.ok(&["import", s(&leads)]);
    let events = b.dir.path().join("Event.csv");
    std::fs::write(
        &events,
        "\"Id\",\"WhoId\",\"Subject\",\"IsAllDayEvent\",\"ActivityDateTime\",\"ActivityDate\",\"DurationInMinutes\",\"Type\"\r\n\
         \"00U1\",\"00Q1\",\"Pilot review\",\"0\",\"2026-11-18 15:00:00\",\"2026-11-18 00:00:00\",\"60\",\"\"\r\n\
         \"00U2\",\"00Q1\",\"Offsite\",\"1\",\"\",\"2026-11-19 00:00:00\",\"1440\",\"\"\r\n\
         \"00U3\",\"00Q1\",\"Call Ann\",\"0\",\"2026-11-17 10:00:00\",\"2026-11-17 00:00:00\",\"15\",\"\"\r\n",
    )
    .unwrap();
    let h = b.import_json(&["--activities", s(&events), "--on", "WhoId"]);
    assert_eq!(
        (&h["done"], &h["rejected"]),
        (&Value::from(3), &Value::from(0)),
        "{h}"
    );
    let ann = find(&b.list("all"), "name", "Ann Event").clone();
    assert_eq!(ann["status"], "working", "{ann}");
    assert_eq!(ann["last_contact_at"], "2026-11-19T00:00:00Z", "{ann}");
    let show = b.ok(&["show", &ann["id"].to_string()]);
    for line in [
        "2026-11-18 15:00  meeting  Pilot review",
        "2026-11-19 00:00  meeting  Offsite",
        "2026-11-17 10:00  call     Call Ann",
    ] {
        assert!(show.contains(line), "{line:?} in:\n{show}");
    }
}
