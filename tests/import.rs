//! `ripen import` on small files shaped like real exports (`tests/fixtures/exports/` and
//! `tests/fixtures/crm-sample/`, with made-up people): each must come in as a user would expect.
//! Through the binary, and (`mod library`, at the end) through `io::import` as the app calls it.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-22T09:00:00Z";

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

struct Book {
    dir: tempfile::TempDir,
}

impl Book {
    fn new() -> Book {
        Book {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ripen").unwrap();
        c.env("RIPEN_DB", self.dir.path().join("book.db"))
            .env("RIPEN_NOW", NOW)
            .env("TZ", "UTC")
            .env("RIPEN_CONFIG", self.dir.path().join("none.toml"))
            .env_remove("RIPEN_PROFILE");
        c
    }

    /// Run and return stdout, asserting success.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "ripen {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Run expecting failure; return stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(!out.status.success(), "ripen {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    fn import_json(&self, args: &[&str]) -> Value {
        let mut a = vec!["import"];
        a.extend_from_slice(args);
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    fn list(&self, view: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.ok(&["list", view, "--json"])).unwrap();
        v.as_array().unwrap().clone()
    }

    fn copy_in(&self, rel: &str) -> PathBuf {
        let src = data(rel);
        let dst = self.dir.path().join(src.file_name().unwrap());
        std::fs::copy(&src, &dst).unwrap();
        dst
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn find<'a>(leads: &'a [Value], field: &str, value: &str) -> &'a Value {
    leads
        .iter()
        .find(|l| l[field].as_str() == Some(value))
        .unwrap_or_else(|| panic!("no lead with {field} = {value}"))
}

#[test]
fn hubspot_maps_statuses_and_merges_the_duplicate_email() {
    let b = Book::new();
    let r = b.import_json(&[s(&data("exports/hubspot-contacts.csv"))]);
    assert_eq!(
        (r["rows"].as_u64(), r["new"].as_u64(), r["merged"].as_u64()),
        (Some(22), Some(21), Some(1))
    );
    assert_eq!(r["rejected"], 0);
    let notices = r["notices"].to_string();
    assert!(notices.contains("hubspot-contacts.csv:23"), "{notices}");
    assert!(notices.contains("same e-mail"), "{notices}");
    assert!(
        notices.contains("already disqualified: unknown"),
        "{notices}"
    );
    let all = b.list("all");
    assert_eq!(all.len(), 21);
    let saoirse: Vec<_> = all
        .iter()
        .filter(|l| {
            l["email"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("saoirse.byrne@fernhill.example")
        })
        .collect();
    assert_eq!(saoirse.len(), 1);
    // HubSpot statuses: UNQUALIFIED → disqualified for an unknown reason, and recycled like
    // BAD_TIMING (a trial found 13 written off for good); OPEN_DEAL → pipeline, NEW and OPEN
    // → inbox. The file has 5 UNQUALIFIED rows (one the duplicate), 2 BAD_TIMING, 2 OPEN_DEAL,
    // 3 ATTEMPTED_TO_CONTACT, 3 CONNECTED, 2 IN_PROGRESS, 3 NEW and 2 OPEN.
    let count = |st: &str| all.iter().filter(|l| l["status"] == st).count();
    assert_eq!(count("disqualified"), 5 - 1 + 2);
    assert_eq!(count("open"), 2);
    assert_eq!(count("working"), 3 + 3 + 2);
    assert_eq!(count("new"), 3 + 2);
    assert_eq!(b.list("recycled").len(), 5 - 1 + 2);
    // A closed record without a close date or last activity closed when it was received at
    // the earliest, which the book says (not the day of the import); the summary counts the
    // three such rows, and the two whose last activity is after the import (closed today:
    // Saoirse Byrne and her duplicate).
    let tobias = find(&all, "email", "tobias.lindqvist@quillon.example");
    assert_eq!(tobias["status"], "disqualified");
    assert_eq!(tobias["closed_at"], "2026-03-09T10:15:00Z");
    assert_eq!(
        (r["closed_undated"].as_u64(), r["closed_future"].as_u64()),
        (Some(3), Some(2))
    );
    // A loss whose rest ended before the import is due back today, not months overdue.
    for l in b.list("recycled") {
        assert!(l["next_follow_up"].as_str().unwrap() >= NOW, "{l}");
    }
    let c = find(&all, "email", "chloé.marchetti@larkspur.example");
    assert_eq!(c["received_at"], "2026-06-18T11:25:00Z");
    assert_eq!(c["owner"], "Robin Seller");
    // HubSpot's source code, in words.
    assert_eq!(c["source"], "Offline");
    assert_eq!(c["external_id"], "52000001");
}

#[test]
fn salesforce_reads_us_dates_multiline_notes_and_converted_as_open_deals() {
    let b = Book::new();
    let r = b.import_json(&[s(&data("exports/salesforce-leads.csv"))]);
    assert_eq!(
        (r["rows"].as_u64(), r["new"].as_u64()),
        (Some(10), Some(10))
    );
    assert!(
        r["date_order"].as_str().unwrap().starts_with("M/D/YYYY"),
        "{r}"
    );
    // "Closed - Converted" became an opportunity: an open deal to work, not a win worth
    // nothing (a trial found 8 wins of €0 and a 100% win rate).
    assert!(b.list("won").is_empty());
    let all = b.list("all");
    let open = all.iter().filter(|l| l["status"] == "open").count();
    assert_eq!(open, 2, "the two Closed - Converted");
    let lost = b.list("lost");
    assert_eq!(lost.len(), 3, "the three Closed - Not Converted");
    // Closed without a reason: "unknown", kept apart from the leads lost for bad timing.
    assert!(lost.iter().all(|l| l["reason"] == "unknown"), "{lost:?}");
    assert!(lost.iter().all(|l| l["status"] == "disqualified"));
    let jurgen = find(&all, "email", "jürgen.bauer@ostrava.example");
    assert_eq!(jurgen["received_at"], "2026-10-14T00:00:00Z");
    assert_eq!(jurgen["class"], Value::Null); // not qualified: a rating alone does not qualify
    assert_eq!(
        jurgen["extra"]["Rating"], "Hot",
        "kept as the file wrote it"
    );
    // "Closed - Not Converted" with no close date: it closed when it last changed
    // (LastModifiedDate 10/19/2026), not on the day of the import, and recycles from then.
    assert_eq!(jurgen["status"], "disqualified");
    assert_eq!(jurgen["closed_at"], "2026-10-19T00:00:00Z");
    assert_eq!(jurgen["extra"]["LastModifiedDate"], "10/19/2026");
    assert!(
        lost.iter()
            .all(|l| l["closed_at"].as_str().unwrap() < "2026-11-22"),
        "every disqualified lead closed before the import"
    );
    let noemie = find(&all, "email", "noémie.laurent@verdant.example");
    assert_eq!(noemie["notes"], "Stand 7 at the fair;\nasked for a trial");
    assert_eq!(noemie["status"], "new");
    assert_eq!(noemie["website"], "https://verdant.example");
}

#[test]
fn pipedrive_history_arrives_won_and_lost_with_dates_and_reasons() {
    let b = Book::new();
    let r = b.import_json(&[s(&data("exports/pipedrive-deals.csv"))]);
    assert_eq!(
        (r["rows"].as_u64(), r["new"].as_u64()),
        (Some(13), Some(13))
    );
    let won = b.list("won");
    assert_eq!(won.len(), 3);
    let asa = find(&won, "email", "åsa.ødeberg@granitt.example");
    assert_eq!(asa["closed_at"], "2026-09-09T18:12:00Z");
    assert_eq!(asa["value"], 16300.0);
    let lost = b.list("lost");
    assert_eq!(lost.len(), 6);
    let recycled = b.list("recycled");
    assert_eq!(recycled.len(), 6, "every Pipedrive loss reason recycles");
    let wendell = find(&recycled, "email", "wendell.price@harbourside.example");
    assert_eq!(wendell["status"], "lost");
    assert_eq!(wendell["reason"], "no-response");
    assert_eq!(wendell["closed_at"], "2026-10-03T18:51:00Z");
    // no-response recycles after 90 days: 2026-10-03 + 90d.
    assert_eq!(wendell["recycle_on"], "2027-01-01T18:51:00Z");
    assert_eq!(wendell["next_follow_up"], wendell["recycle_on"]);
    let reasons: Vec<&str> = lost.iter().map(|l| l["reason"].as_str().unwrap()).collect();
    for key in [
        "requirements",
        "no-response",
        "budget",
        "competitor",
        "timing",
    ] {
        assert!(reasons.contains(&key), "{reasons:?}");
    }
    // Two Pipedrive closings (a loss and a win) are dated after the import: closed today, and
    // the report says so.
    assert_eq!(r["closed_future"], 2, "{r}");
    let fenna = find(&lost, "email", "fenna.devries@polder.example");
    assert_eq!(fenna["closed_at"], "2026-11-22T09:00:00Z");
    let casimir = find(&won, "email", "casimir.duval@lavande.example");
    assert_eq!(casimir["closed_at"], "2026-11-22T09:00:00Z");
    let comp = lost.iter().find(|l| l["reason"] == "competitor").unwrap();
    assert_eq!(comp["reason_note"], "Went with competitor");
    let open = b.list("pipeline");
    assert_eq!(open.len(), 4);
    assert!(open.iter().all(|l| !l["stage"].is_null()));
}

#[test]
fn german_excel_keeps_umlauts_and_decimal_commas() {
    let b = Book::new();
    let r = b.import_json(&[s(&data("exports/excel-de-semicolon-cp1252.csv"))]);
    assert_eq!((r["rows"].as_u64(), r["new"].as_u64()), (Some(5), Some(5)));
    assert_eq!(r["encoding"], "Windows-1252");
    assert_eq!(r["delimiter"], "semicolon");
    assert!(r["date_order"].as_str().unwrap().starts_with("D.M.YYYY"));
    let all = b.list("all");
    let liesel = find(&all, "email", "liesel.brenner@alpenglut.example");
    assert_eq!(liesel["value"], 7899.5);
    assert_eq!(liesel["received_at"], "2026-07-16T00:00:00Z");
    assert_eq!(liesel["source"], "Messe");
    let barbel = find(&all, "email", "bärbel.größer@waelderhaus.example");
    assert_eq!(barbel["name"], "Bärbel Größer");
    assert_eq!(barbel["company"], "Wälderhaus GmbH");
    assert_eq!(barbel["value"], 47714.5);
    // Windows-1252 beyond Latin-1 (Œ is 0x8C), and a value under a thousand.
    let renee = find(&all, "email", "renée.thalberg@oeuvre.example");
    assert_eq!(renee["company"], "Café Œuvre");
    assert_eq!(renee["value"], 980.75);
}

#[test]
fn utf16_excel_unicode_text_reads() {
    let b = Book::new();
    let r = b.import_json(&[s(&data("exports/excel-unicode-text.txt"))]);
    assert_eq!((r["rows"].as_u64(), r["new"].as_u64()), (Some(4), Some(4)));
    assert_eq!(r["encoding"], "UTF-16LE");
    assert_eq!(r["delimiter"], "tab");
    let all = b.list("all");
    let a = find(&all, "name", "Ágnes Kövér");
    assert_eq!(a["company"], "Pannon Kft");
    assert_eq!(a["email"], "ágnes.kövér@pannon.example");
    let l = find(&all, "name", "Łukasz Mazur");
    assert_eq!(l["received_at"], "2026-10-01T00:00:00Z");
}

fn assert_inert(text: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}');
        assert!(!bad, "raw {:?} in output:\n{text}", c);
    }
}

#[test]
fn hostile_file_is_refused_for_its_long_field_and_imports_inert_with_skip_bad() {
    let b = Book::new();
    let input = b.copy_in("exports/hostile.csv");
    let err = b.fails(&["import", s(&input)]);
    assert!(
        err.contains("hostile.csv:7: field is 70005 characters long"),
        "{err}"
    );
    assert!(err.contains("column \"name\""), "{err}");
    assert!(b.list("all").is_empty(), "nothing written");

    let out = b.ok(&["import", s(&input), "--skip-bad"]);
    assert!(
        out.contains("6 rows: 5 new, 0 merged, 0 skipped, 1 rejected"),
        "{out}"
    );
    assert_inert(&out);
    let rejected = input.with_file_name("hostile.rejected.csv");
    let text = std::fs::read_to_string(&rejected).unwrap();
    assert!(text.starts_with("name,company,email,notes"));
    assert!(text.contains("Huge xxxx"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&rejected).unwrap().permissions().mode() & 0o777,
        0o600
    );

    assert_inert(&b.ok(&["list", "all"]));
    let json = b.ok(&["list", "all", "--json"]);
    let leads: Vec<Value> = serde_json::from_str(&json).unwrap();
    for l in &leads {
        for (_, v) in l.as_object().unwrap() {
            if let Some(t) = v.as_str() {
                assert_inert(&t.replace('\n', " "));
            }
        }
    }
    let evil = find(&leads, "email", "mallory@attacker.example");
    assert_eq!(evil["name"], "Mallory ␛]0;owned␇␛[2J␛[32mGreen");
    for l in &leads {
        assert_inert(&b.ok(&["show", &l["id"].to_string()]));
    }

    let csv = b.ok(&["export", "all", "--format", "csv"]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://attacker.example\"\",\"\"open me\"\")\""),
        "{csv}"
    );
    assert!(csv.contains("'+cmd|' /C notepad'!A1"), "{csv}");
    assert!(csv.contains("'@SUM(2+2)"), "{csv}");
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    for rec in r.records() {
        for cell in rec.unwrap().iter() {
            // Only a phone or signed number may start so: no letter, so no formula to run.
            let numeric = cell
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
            assert!(
                !cell.starts_with(['=', '+', '-', '@'])
                    || (numeric && !cell.starts_with(['=', '@'])),
                "live formula {cell:?}"
            );
        }
    }
}

#[test]
fn broken_quote_is_refused_with_line_numbers_and_nothing_written() {
    let b = Book::new();
    b.ok(&["add", "Already Here", "--email", "here@x.example"]);
    let input = b.copy_in("exports/broken-quote.csv");
    let err = b.fails(&["import", s(&input)]);
    assert!(
        err.contains("broken-quote.csv:5: unterminated quote"),
        "{err}"
    );
    assert!(err.contains("column \"email\""), "{err}");
    assert!(err.contains("broken-quote.csv:3: ragged row"), "{err}");
    // One bad row a line, under the message.
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("ripen: ") && lines[0].contains("2 bad row(s)"),
        "{err}"
    );
    assert!(
        lines[1].trim_start().starts_with("broken-quote.csv:3:"),
        "{err}"
    );
    assert!(
        lines[2].trim_start().starts_with("broken-quote.csv:5:"),
        "{err}"
    );
    assert_eq!(b.list("all").len(), 1, "the book is unchanged");
    assert!(!input.with_file_name("broken-quote.rejected.csv").exists());

    let r = b.import_json(&[s(&input), "--skip-bad"]);
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(8), Some(2))
    );
    let all = b.list("all");
    assert_eq!(all.len(), 1 + 8);
    // The rows after the unterminated quote came in: it swallowed none of them.
    find(&all, "email", "rest6@elm.example");
    let rejected =
        std::fs::read_to_string(input.with_file_name("broken-quote.rejected.csv")).unwrap();
    assert_eq!(
        rejected,
        "name,company,email,source\nShort Row,Stub Ltd\nOpen \"Quote,Cedar Ltd,\"open@cedar.example,Web\n"
    );
}

#[test]
fn dry_run_reports_mapping_and_outcome_and_writes_nothing() {
    let b = Book::new();
    let out = b.ok(&[
        "import",
        s(&data("exports/pipedrive-deals.csv")),
        "--dry-run",
    ]);
    assert!(out.contains("Person - Name → name"), "{out}");
    assert!(out.contains("Deal - Title → extra"), "{out}");
    assert!(out.contains("UTF-8 (BOM), comma separated"), "{out}");
    assert!(out.contains("13 rows: 13 new"), "{out}");
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(b.list("all").is_empty());
}

#[test]
fn reimport_skips_or_merges_duplicates_against_the_book() {
    let b = Book::new();
    let f = data("exports/hubspot-contacts.csv");
    b.ok(&["import", s(&f)]);
    let r = b.import_json(&[s(&f), "--on-duplicate", "skip"]);
    assert_eq!(
        (r["new"].as_u64(), r["skipped"].as_u64()),
        (Some(0), Some(22))
    );
    let out = b.ok(&["import", s(&f)]);
    assert!(out.contains("22 rows: 0 new, 22 merged"), "{out}");
    // A notice for each merged row; the first twenty are printed.
    assert!(out.contains("… and 2 more (--json lists them)"), "{out}");
    assert!(out.contains("already disqualified"), "{out}");
    assert_eq!(b.list("all").len(), 21);
}

#[test]
fn overrides_map_columns_and_status_words() {
    let b = Book::new();
    let f = b.dir.path().join("mine.csv");
    std::fs::write(
        &f,
        "Kunde,Org,Phase,Seit,Betreuer,Spalte X\nJane Doe,Acme,Engaging,2026-11-01,Sam,keep me,\n,Solo Co,,,,\n,,,,,\n",
    )
    .unwrap();
    let r = b.import_json(&[
        s(&f),
        "--map",
        "Kunde=name",
        "--map",
        "Org=company",
        "--map",
        "Phase=status",
        "--map",
        "Seit=received",
        "--status-map",
        "Engaging=open",
    ]);
    assert_eq!(
        (r["rows"].as_u64(), r["new"].as_u64()),
        (Some(2), Some(2)),
        "{r}"
    );
    assert_eq!(r["received_missing"], 1);
    let all = b.list("all");
    let jane = find(&all, "name", "Jane Doe");
    assert_eq!(jane["status"], "open");
    assert_eq!(jane["company"], "Acme");
    assert_eq!(jane["owner"], "Sam");
    let solo = find(&all, "name", "Solo Co");
    assert_eq!(solo["received_at"], "2026-11-22T09:00:00Z");
    let r = b.fails(&["import", s(&f), "--map", "Kunde=nonsense"]);
    assert!(r.contains("unknown field \"nonsense\""), "{r}");
}

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

/// A deals export merged into the leads the book still has to work moves them on (a deal is in
/// the pipeline); a lead the book has closed keeps its state.
#[test]
fn a_merged_deal_moves_an_unworked_lead_on_but_not_a_closed_one() {
    let b = Book::new();
    let leads = b.dir.path().join("leads.csv");
    let deals = b.dir.path().join("deals.csv");
    std::fs::write(
        &deals,
        "Name,Email,Status,Stage,Value,Created,Won time\n\
         Nina N,nina@x.example,open,Proposal,12000,,\n\
         Lou L,lou@x.example,open,Proposal,9000,,\n\
         Wyn W,wyn@x.example,won,,5000,2026-01-10,2026-03-01\n",
    )
    .unwrap();
    std::fs::write(
        &leads,
        "Name,Email,Status\nNew Nina,nina@x.example,new\nLost Lou,lou@x.example,lost\n\
         Wyn,wyn@x.example,new\n",
    )
    .unwrap();
    b.ok(&["import", s(&leads)]);
    let r = b.import_json(&[s(&deals)]);
    // Lou's lost lead was a deal already: the open one is a deal of its own.
    assert_eq!(
        (r["merged"].as_u64(), r["new"].as_u64()),
        (Some(2), Some(1)),
        "{r}"
    );
    let notices = r["notices"].to_string();
    assert!(
        notices.contains("new → open, as this row has it"),
        "{notices}"
    );
    let all = b.list("all");
    let nina = find(&all, "email", "nina@x.example");
    assert_eq!(
        (&nina["status"], &nina["stage"], &nina["value"]),
        (
            &Value::from("open"),
            &Value::from("proposal"),
            &Value::from(12000.0)
        )
    );
    let shown = b.ok(&["show", "nina"]);
    assert!(
        shown.contains("merged from deals.csv:2; new → open, as that row has it"),
        "{shown}"
    );
    let lous: Vec<&Value> = all
        .iter()
        .filter(|l| l["email"] == "lou@x.example")
        .collect();
    let status = |st: &str| lous.iter().filter(|l| l["status"] == st).count();
    assert_eq!(
        (lous.len(), status("lost"), status("open")),
        (2, 1, 1),
        "{lous:?}"
    );
    assert!(
        notices.contains(
            "deals.csv:3: Lou L is a deal of its own beside #2, the same person's lost deal"
        ),
        "{notices}"
    );
    // A win from before the book had the lead: received and won as the row says, with the
    // row's story of it on the timeline.
    let wyn = find(&all, "email", "wyn@x.example");
    assert_eq!(wyn["status"], "won");
    assert_eq!(wyn["received_at"], "2026-01-10T00:00:00Z");
    assert_eq!(wyn["closed_at"], "2026-03-01T00:00:00Z");
    let shown = b.ok(&["show", "wyn"]);
    assert!(
        shown.contains("2026-03-01 00:00  system   open → won"),
        "{shown}"
    );
}

/// A row merged into a deal is news from a file, not work on the deal: its idle days stand (a
/// trial found a deal idle since May at "0d" on the board after an import merged a row in).
#[test]
fn an_import_merge_does_not_make_a_deal_look_worked() {
    let b = Book::new();
    let deals = b.dir.path().join("deals.csv");
    std::fs::write(
        &deals,
        "Name,Email,Status,Stage,Value,Created,Last Activity Date\n\
         Lea N,lea@x.example,open,Proposal,28000,2026-05-17,2026-06-01\n",
    )
    .unwrap();
    b.ok(&["import", s(&deals)]);
    let idle = |b: &Book| find(&b.list("all"), "email", "lea@x.example")["days_idle"].clone();
    let before = idle(&b);
    assert!(before.as_i64().unwrap() > 100, "{before}");
    let again = b.dir.path().join("again.csv");
    std::fs::write(
        &again,
        "Name,Email,Phone\nLea N,lea@x.example,+49 30 1234567\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&again)]);
    assert_eq!(r["merged"], 1, "{r}");
    assert_eq!(idle(&b), before);
}

/// For scripts: a refused import under `--json` says why on stdout too (and still fails); a
/// file that is no table (ripen's own JSON export, a calendar) is named as such rather than read
/// as thousands of bad rows; `--rejected` puts the rejected rows where the user can write, and
/// a place that cannot be written refuses the import before anything lands.
#[test]
fn refusals_are_readable_by_scripts_and_land_nothing() {
    let book = Book::new();
    let out = book
        .cmd()
        .args([
            "import",
            data("exports/broken-quote.csv").to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("bad row(s)"), "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|e| e.as_str().unwrap().starts_with("broken-quote.csv:"))
    );

    // Whatever refused it: a --map naming no column too.
    let out = book
        .cmd()
        .args([
            "import",
            data("exports/hubspot-contacts.csv").to_str().unwrap(),
            "--map",
            "Nope=name",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("--map: no column \"Nope\""),
        "{v}"
    );
    assert_eq!(v["errors"], serde_json::json!([]));

    let dir = book.dir.path();
    let json = dir.join("all.json");
    std::fs::write(&json, "[\n  {\"name\": \"Ann\"}\n]\n").unwrap();
    let err = book.fails(&["import", json.to_str().unwrap()]);
    assert!(
        err.contains("all.json: this is JSON, not CSV or TSV"),
        "{err}"
    );
    let calendar = dir.join("tasks.ics");
    std::fs::write(
        &calendar,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let err = book.fails(&["import", calendar.to_str().unwrap()]);
    assert!(
        err.contains("tasks.ics: this is an iCalendar file"),
        "{err}"
    );

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "Name,Email,Value\nAnn,ann@x.example,12\nBob,bob@x.example,zz\n",
    )
    .unwrap();
    let nowhere = dir.join("missing").join("out.csv");
    let err = book.fails(&[
        "import",
        bad.to_str().unwrap(),
        "--skip-bad",
        "--rejected",
        nowhere.to_str().unwrap(),
    ]);
    assert!(
        err.contains("cannot write the rejected rows there"),
        "{err}"
    );
    // A folder, or the file being imported, is no place for them either.
    for (to, why) in [
        (dir.to_path_buf(), "a folder"),
        (bad.clone(), "the file being imported"),
    ] {
        let err = book.fails(&[
            "import",
            bad.to_str().unwrap(),
            "--skip-bad",
            "--rejected",
            to.to_str().unwrap(),
        ]);
        assert!(err.contains(why), "{err}");
    }
    assert!(std::fs::read_to_string(&bad).unwrap().contains("Ann"));
    let status: Value = serde_json::from_str(&book.ok(&["status", "--json"])).unwrap();
    assert_eq!(status["inbox"], 0, "nothing landed");
    let elsewhere = dir.join("out.csv");
    let r = book.import_json(&[
        bad.to_str().unwrap(),
        "--skip-bad",
        "--rejected",
        elsewhere.to_str().unwrap(),
    ]);
    assert_eq!(
        (r["new"].clone(), r["rejected"].clone()),
        (1.into(), 1.into())
    );
    let rejected = std::fs::read_to_string(&elsewhere).unwrap();
    assert_eq!(rejected, "Name,Email,Value\nBob,bob@x.example,zz\n");
    assert!(!dir.join("bad.rejected.csv").exists());
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

/// Two columns for one field feed it in turn: the first with a value wins, whatever the
/// headers' case (a review found a lowercase `phone` column shutting out `mobile`).
#[test]
fn two_columns_for_one_field_fill_it_in_turn() {
    let b = Book::new();
    let file = b.dir.path().join("people.csv");
    std::fs::write(
        &file,
        "name,email,phone,mobile\nAnn Early,ann@a.example,,+49 170 1234567\n\
         Bob Mid,bob@b.example,+49 30 555,+49 171 7654321\n",
    )
    .unwrap();
    b.ok(&["import", file.to_str().unwrap()]);
    let all = b.list("all");
    let ann = find(&all, "name", "Ann Early");
    assert_eq!(ann["phone"], "+49 170 1234567");
    let bob = find(&all, "name", "Bob Mid");
    assert_eq!(bob["phone"], "+49 30 555");
    assert_eq!(bob["extra"]["mobile"], "+49 171 7654321");
}

/// A row merged into a lead the book has keeps what it says otherwise on the lead's
/// timeline (a trial lost a second phone number and company to an import merge).
#[test]
fn an_import_merge_keeps_what_the_row_says_otherwise() {
    let b = Book::new();
    let dir = b.dir.path();
    let first = dir.join("first.csv");
    std::fs::write(
        &first,
        "Name,Email,Company,Phone\nNadia Tanaka,nadia@x.example,Wayne Ltd,+49 30 1\n",
    )
    .unwrap();
    b.ok(&["import", first.to_str().unwrap()]);
    let second = dir.join("second.csv");
    std::fs::write(
        &second,
        "Name,Email,Company,Phone,City\nNadia Tanaka,nadia@x.example,Wayne S.r.l.,+49 89 318691,Milan\n",
    )
    .unwrap();
    b.ok(&["import", second.to_str().unwrap()]);
    let shown = b.ok(&["show", "nadia"]);
    assert!(
        shown.contains(
            "merged from second.csv:2 (its own: company Wayne S.r.l., phone +49 89 318691)"
        ),
        "{shown}"
    );
    // What the book lacked it takes.
    assert!(shown.contains("Milan"), "{shown}");
}

#[test]
fn rejected_rows_of_a_crlf_file_come_back_as_they_were() {
    let b = Book::new();
    let csv = b.dir.path().join("crlf.csv");
    std::fs::write(
        &csv,
        "name,email,received\r\nGood,g@x.example,2026-11-01\r\nBad One,b@x.example,notadate\r\n\
         Good Two,g2@x.example,2026-11-02\r\nBad Two,b2@x.example,nodate\r\n",
    )
    .unwrap();
    b.ok(&["import", s(&csv), "--skip-bad"]);
    let rejected = std::fs::read_to_string(b.dir.path().join("crlf.rejected.csv")).unwrap();
    assert_eq!(
        rejected,
        "name,email,received\r\nBad One,b@x.example,notadate\r\nBad Two,b2@x.example,nodate\r\n"
    );
}

#[test]
fn a_utf8_file_with_one_bad_byte_stays_utf8_and_says_where() {
    let b = Book::new();
    let csv = b.dir.path().join("mostly-utf8.csv");
    std::fs::write(
        &csv,
        b"name,city\nJ\xC3\xBCrgen M\xC3\xBCller,K\xC3\xB6ln\nBad \xFF Byte,Ulm\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    assert_eq!(r["encoding"], "UTF-8");
    let notices = r["notices"].to_string();
    assert!(
        notices.contains("mostly-utf8.csv:3: bytes that are no UTF-8"),
        "{notices}"
    );
    let all = b.list("all");
    find(&all, "name", "Jürgen Müller");
    find(&all, "name", "Bad \u{FFFD} Byte");
}

#[test]
fn salesforce_api_datetimes_read_and_every_bad_row_is_named() {
    let b = Book::new();
    let csv = b.dir.path().join("Lead.csv");
    std::fs::write(
        &csv,
        "Id,FirstName,LastName,Company,Email,Status,LeadSource,CreatedDate\n\
         00Q1,Ana,Ortiz,Ortiz SA,ana@ortiz.example,Open - Not Contacted,Web,2024-01-22T20:36:47.000+0000\n\
         00Q2,Ben,Kohl,Kohl AG,ben@kohl.example,Working - Contacted,Phone Inquiry,2024-02-03T08:05:00.000+0000\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    let all = b.list("all");
    assert_eq!(
        find(&all, "name", "Ana Ortiz")["received_at"],
        "2024-01-22T20:36:47Z"
    );
    // Dates that look like dates but are none: every such row is named, in words and in JSON.
    let bad = b.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Name,Email,CreatedDate\n\
         One,one@x.example,2024-13-22T20:36:47.000+0000\n\
         Two,two@x.example,2024-01-22T20:36:47.000+0000\n\
         Three,three@x.example,2024-02-30T10:00:00.000+0000\n",
    )
    .unwrap();
    let err = b.fails(&["import", s(&bad)]);
    assert!(
        err.contains("bad.csv:2:") && err.contains("bad.csv:4:"),
        "{err}"
    );
    let out = b
        .cmd()
        .args(["import", s(&bad), "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("bad.csv:2:") && errors[1].starts_with("bad.csv:4:"));
    assert_eq!(b.list("all").len(), 2, "nothing of the refused file landed");
}

#[test]
fn dates_with_month_names_excel_serials_and_year_first_slashes_read() {
    let b = Book::new();
    let csv = b.dir.path().join("dates.csv");
    std::fs::write(
        &csv,
        "Name,Email,Created\n\
         A,a@x.example,22 Nov 2026\n\
         B,b@x.example,\"Nov 21, 2026\"\n\
         C,c@x.example,46346\n\
         D,d@x.example,2026/11/19\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    assert_eq!(r["rejected"], 0);
    let all = b.list("all");
    for (name, day) in [
        ("A", "2026-11-22"),
        ("B", "2026-11-21"),
        ("C", "2026-11-20"),
        ("D", "2026-11-19"),
    ] {
        let at = find(&all, "name", name)["received_at"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(at.starts_with(day), "{name}: {at}");
    }
}

#[test]
fn several_email_and_phone_columns_fill_in_order_and_keep_the_rest() {
    let b = Book::new();
    let csv = b.dir.path().join("contacts_export.csv");
    // Atomic CRM's shape: the work column empty in most rows, the owner under "sales".
    std::fs::write(
        &csv,
        "first_name,last_name,company,email_other,email_home,email_work,phone_other,phone_home,phone_work,sales\n\
         Lena,Hart,Hart GmbH,lena.o@x.example,lena@home.example,,+49 1 3,+49 1 2,,Sam Rep\n\
         Omar,Reyes,Reyes SL,omar.o@x.example,omar@home.example,omar@reyes.example,,+34 9 2,+34 9 1,Kim Rep\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    assert_eq!(r["new"], 2);
    let all = b.list("all");
    let lena = find(&all, "name", "Lena Hart");
    assert_eq!(lena["email"], "lena@home.example");
    assert_eq!(lena["phone"], "+49 1 2");
    assert_eq!(lena["owner"], "Sam Rep");
    let extra = lena["extra"].to_string();
    assert!(
        extra.contains("lena.o@x.example") && extra.contains("+49 1 3"),
        "{extra}"
    );
    let omar = find(&all, "name", "Omar Reyes");
    assert_eq!(omar["email"], "omar@reyes.example");
    assert_eq!(omar["phone"], "+34 9 1");
    assert_eq!(omar["owner"], "Kim Rep");
    let extra = omar["extra"].to_string();
    for kept in ["omar@home.example", "omar.o@x.example", "+34 9 2"] {
        assert!(extra.contains(kept), "{kept}: {extra}");
    }
}

#[test]
fn placeholder_emails_keep_strangers_apart_and_true_duplicates_still_merge() {
    let b = Book::new();
    let csv = b.dir.path().join("Lead.csv");
    // A real Salesforce org's habit: a@a.com for whoever had no address.
    std::fs::write(
        &csv,
        "FirstName,LastName,Company,Email,Status\n\
         José,Obando,Obando Ltda,a@a.com,Open - Not Contacted\n\
         María,Paz,Paz y Cía,a@a.com,Open - Not Contacted\n\
         Tomás,Ruiz,Ruiz Hnos,A@A.com,Working - Contacted\n\
         Lucía,Gil,Obando Ltda,a@a.com,Open - Not Contacted\n\
         Pedro,Soto,Soto SAS,xx@xx.com,Open - Not Contacted\n\
         Ana,Vera,Vera SA,xx@xx.com,Open - Not Contacted\n\
         Jose,Obando,,a@a.com,Working - Contacted\n\
         Karin,Berg,Berg AB,karin@berg.example,Open - Not Contacted\n\
         Karin,Berg,Berg AB,KARIN@berg.example,Working - Contacted\n\
         María,Paz,Paz y Cía,a@a.com,Working - Contacted\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    // José; María; Tomás; Lucía (José's company, not José); Pedro; Ana; Karin: seven people.
    assert_eq!(
        (r["new"].as_u64(), r["merged"].as_u64()),
        (Some(7), Some(3)),
        "{r}"
    );
    let all = b.list("all");
    let names: Vec<&str> = all.iter().map(|l| l["name"].as_str().unwrap()).collect();
    for who in [
        "José Obando",
        "María Paz",
        "Tomás Ruiz",
        "Pedro Soto",
        "Ana Vera",
        "Karin Berg",
    ] {
        assert_eq!(
            names.iter().filter(|n| **n == who).count(),
            1,
            "{who}: {names:?}"
        );
    }
    // Lucía shares José's address and company, but not his name: another person.
    assert!(names.contains(&"Lucía Gil"), "{names:?}");
    let notices = r["notices"].to_string();
    assert!(
        notices.contains("4 people share a@a.com: kept apart")
            && notices.contains("2 people share xx@xx.com: kept apart"),
        "{notices}"
    );
    // The second María row and the second Karin row are true duplicates.
    assert_eq!(find(&all, "name", "María Paz")["status"], "working");
    assert_eq!(find(&all, "name", "Karin Berg")["status"], "working");
    // Imported again, the same file finds everyone in the book and adds nobody.
    let again = b.import_json(&[s(&csv)]);
    assert_eq!(again["new"], 0, "{again}");
}

/// A Salesforce org's leads where one placeholder address stands for whoever had none, on
/// several people of one company (`exports/salesforce-leads-placeholder.csv`): a shared address
/// is no evidence against a different name, even at the same company; the same person twice
/// still merges.
#[test]
fn a_placeholder_keeps_colleagues_apart_and_merges_only_the_same_person() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-leads-placeholder.csv");
    let r = b.import_json(&[s(&file)]);
    assert_eq!(
        (r["new"].as_u64(), r["merged"].as_u64()),
        (Some(10), Some(2)),
        "{r}"
    );
    let all = b.list("all");
    let names: Vec<&str> = all.iter().map(|l| l["name"].as_str().unwrap()).collect();
    for who in [
        "Lucas Herrera",
        "Marta Herrera",
        "Iván Castro",
        "Elena Mora",
        "Pablo Ríos",
        "Sara Q",
        "Tomás Prieto",
        "Nora Salas",
        "Diego Ferrer",
        "Inés Vidal",
    ] {
        assert_eq!(
            names.iter().filter(|n| **n == who).count(),
            1,
            "{who}: {names:?}"
        );
    }
    // Each keeps its own status: Elena was being worked, Iván was not.
    assert_eq!(find(&all, "name", "Elena Mora")["status"], "working");
    assert_eq!(find(&all, "name", "Iván Castro")["status"], "new");
    // The true duplicates merged: Lucas's and Diego's second rows say working.
    assert_eq!(find(&all, "name", "Lucas Herrera")["status"], "working");
    assert_eq!(find(&all, "name", "Diego Ferrer")["status"], "working");
    let notices = r["notices"].to_string();
    assert!(
        notices.contains("6 people share a@a.com: kept apart, their names differ")
            && notices.contains("2 people share xx@xx.com: kept apart"),
        "{notices}"
    );
    assert!(
        !notices.contains("Marta Herrera (Droguería Sol) merged"),
        "{notices}"
    );
}

#[test]
fn an_opportunity_export_arrives_as_deals_won_lost_and_open() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-opportunity.csv");
    let out = b.ok(&["import", s(&file), "--dry-run"]);
    assert!(
        out.contains("stage \"Verbal Commit\" on 1 row(s): read as negotiation"),
        "{out}"
    );
    let r = b.import_json(&[s(&file)]);
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(6), Some(0))
    );
    assert!(b.list("inbox").is_empty(), "no deal lands in the Inbox");
    let all = b.list("all");
    let deal = |name: &str| find(&all, "name", name).clone();
    let won = deal("Harbor Hotels - Kitchen Generator");
    assert_eq!(
        (won["status"].as_str(), won["value"].as_f64()),
        (Some("won"), Some(210000.0))
    );
    assert_eq!(won["closed_at"], "2026-03-14T00:00:00Z");
    let lost = deal("Northfield Refinery - Backup Units");
    assert_eq!(lost["status"], "lost");
    assert!(
        b.list("recycled").iter().any(|l| l["name"] == lost["name"]),
        "lost rests in Recycled"
    );
    let pipeline = b.list("pipeline");
    let stage = |name: &str| {
        pipeline
            .iter()
            .find(|l| l["name"] == name)
            .map(|l| {
                (
                    l["stage"].as_str().unwrap().to_string(),
                    l["value"].as_f64().unwrap(),
                )
            })
            .unwrap_or_else(|| panic!("{name} not in the pipeline"))
    };
    assert_eq!(
        stage("Edgewater Clinic - Emergency Power"),
        ("proposal".into(), 75000.0)
    );
    assert_eq!(
        stage("Edgewater Clinic - Service Plan"),
        ("negotiation".into(), 60000.0)
    );
    assert_eq!(
        stage("Birchwood Textiles - Weaving Plant"),
        ("green".into(), 150000.0)
    );
    assert_eq!(
        stage("Quarry Lane Foods - Cold Store"),
        ("negotiation".into(), 98000.0)
    );
    assert_eq!(pipeline.len(), 4);
    // The same export again finds each deal by its id.
    let again = b.import_json(&[s(&file)]);
    assert_eq!(
        (again["new"].as_u64(), again["merged"].as_u64()),
        (Some(0), Some(6))
    );
}

#[test]
fn a_persons_second_deal_is_a_deal_of_its_own_and_stays_open() {
    let b = Book::new();
    let deals = b.dir.path().join("deals.csv");
    // Pipedrive's shape: one person, an old lost deal and a new open one.
    std::fs::write(
        &deals,
        "Deal - ID,Deal - Title,Deal - Value,Deal - Status,Deal - Stage,Deal - Lost reason,Deal - Lost time,Person - Name,Person - Email,Organization - Name\n\
         101,Rossi - pilot,12000,lost,Proposal Made,Budget,2026-03-02,Marco Rossi,marco@rossi.example,Rossi SpA\n\
         187,Rossi - rollout,31000,open,Negotiations Started,,,Marco Rossi,marco@rossi.example,Rossi SpA\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&deals)]);
    assert_eq!(r["new"], 2, "{r}");
    let open: Vec<Value> = b.list("pipeline");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0]["value"].as_f64(), open[0]["stage"].as_str()),
        (Some(31000.0), Some("negotiation"))
    );
    let lost: Vec<Value> = b
        .list("all")
        .into_iter()
        .filter(|l| l["status"] == "lost")
        .collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0]["value"].as_f64(), Some(12000.0));
}

#[test]
fn a_deal_row_that_names_only_its_id_is_a_deal_named_by_it() {
    let b = Book::new();
    let csv = b.dir.path().join("Opportunity.csv");
    // A relational dump's opportunities: keyed to an activity, no name of their own.
    std::fs::write(
        &csv,
        "OpportunityID,ActivityID,OpportunityStage,EstimatedValue,CloseDate\n\
         O0001,A0001,Negotiation,1637.83,2027-01-21\n\
         O0002,A0002,Closed Lost,7160.01,2026-07-14\n\
         O0003,A0003,Closed Won,2500,2026-08-01\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    assert_eq!(r["new"], 3, "{r}");
    let all = b.list("all");
    assert_eq!(find(&all, "name", "deal O0001")["stage"], "negotiation");
    assert_eq!(find(&all, "name", "deal O0002")["status"], "lost");
    assert_eq!(find(&all, "name", "deal O0003")["status"], "won");
}

/// An address book (`tests/fixtures/contacts.vcf`: a vCard 3.0 and a 4.0 card, and a 3.0 card
/// with only N and a grouped EMAIL; folded lines, escapes, two EMAILs and TELs each) comes in
/// as one lead per card, every property where it belongs; the same file again merges.
#[test]
fn a_vcard_imports_one_lead_per_card_with_every_field() {
    let b = Book::new();
    let file = s(&data("contacts.vcf")).to_string();
    let out = b.ok(&["import", &file, "--dry-run"]);
    assert!(out.contains("contacts.vcf: UTF-8, vCard"), "{out}");
    assert!(out.contains("  EMAIL → email"), "{out}");
    assert!(
        out.contains("contacts.vcf: 3 rows: 3 new, 0 merged"),
        "{out}"
    );
    assert!(b.list("all").is_empty(), "a dry run writes nothing");

    let r = b.import_json(&[&file]);
    assert_eq!(
        (
            r["rows"].as_u64(),
            r["new"].as_u64(),
            r["rejected"].as_u64()
        ),
        (Some(3), Some(3), Some(0)),
        "{r}"
    );
    assert_eq!(r["delimiter"], "vCard");
    let leads = b.list("all");
    assert_eq!(leads.len(), 3);

    // vCard 3.0: ORG with a unit, escaped comma and semicolon, a folded NOTE, work first.
    let liesel = find(&leads, "name", "Liesel Brandt");
    assert_eq!(liesel["company"], "Kettle & Pike Ltd.");
    assert_eq!(liesel["title"], "Head of Purchasing, EMEA");
    assert_eq!(liesel["email"], "l.brandt@kettlepike.example");
    assert_eq!(liesel["phone"], "+44 20 7946 0018");
    assert_eq!(liesel["website"], "https://kettlepike.example");
    assert_eq!(liesel["city"], "Bristol");
    assert_eq!(liesel["country"], "United Kingdom");
    assert_eq!(liesel["tags"], serde_json::json!(["trade fair", "vip"]));
    assert_eq!(
        liesel["notes"],
        "Met at the Bristol fair.\nWants a quote for 40 units; call after the 3rd, not before. \
         Path on the share: \\\\files\\quotes"
    );
    assert_eq!(
        liesel["external_id"],
        "4f0c2a9e-6b1d-4c2e-9a57-0d3e8b1c7f21"
    );
    assert_eq!(
        liesel["extra"],
        serde_json::json!({
            "ORG unit": "Purchasing",
            "EMAIL (more)": "liesel@home.example (home)",
            "TEL (more)": "+44 7700 900123 (cell)",
            "ADR": "12 Harbour Row, BS1 4QA",
            "BDAY": "1984-03-09",
            "REV": "20261101T101500Z",
        })
    );
    assert_eq!(liesel["received_at"], NOW);
    assert_eq!(liesel["status"], "new");

    // vCard 4.0: PREF before a home address, a tel: URI, a folded ADR and a tab-folded NOTE.
    let tomas = find(&leads, "name", "Tomás Ferreira");
    assert_eq!(tomas["company"], "Ferreira, Lda.");
    assert_eq!(tomas["title"], "Owner");
    assert_eq!(tomas["email"], "tomas@ferreira-lda.example");
    assert_eq!(tomas["phone"], "+351-21-000-0000");
    assert_eq!(tomas["city"], "Porto");
    assert_eq!(tomas["country"], "Portugal");
    assert_eq!(tomas["tags"], serde_json::json!(["export", "iberia"]));
    assert_eq!(
        tomas["notes"],
        "Prefers e-mail; answers in Portuguese or English. Samples sent in October; follow up \
         on the price list."
    );
    assert_eq!(
        tomas["external_id"],
        "urn:uuid:0e7d3b52-91a4-4f0e-b3c8-5a2d6f1e9c40"
    );
    assert_eq!(
        tomas["extra"]["EMAIL (more)"],
        "tomas.f@mail.example (home)"
    );
    assert_eq!(tomas["extra"]["TEL (more)"], "+351-91-000-0000 (cell)");
    assert_eq!(tomas["extra"]["ADR"], "Rua das Flores 7, 4050-262");

    // No FN: the name from N; a grouped EMAIL.
    let priya = find(&leads, "name", "Priya Raman");
    assert_eq!(priya["email"], "priya.raman@northwind.example");
    assert_eq!(priya["company"], Value::Null);

    let r = b.import_json(&[&file]);
    assert_eq!(
        (r["new"].as_u64(), r["merged"].as_u64()),
        (Some(0), Some(3)),
        "{r}"
    );
    assert!(r["notices"].to_string().contains("contacts.vcf:21"), "{r}");
    assert_eq!(b.list("all").len(), 3);
}

/// A broken card is a bad row named by file and line: nothing lands without `--skip-bad`; with
/// it, the good cards land and the broken one is written to `NAME.rejected.vcf` as it was.
#[test]
fn a_broken_card_is_a_bad_row_and_skip_bad_keeps_the_rest() {
    let b = Book::new();
    let input = b.dir.path().join("phone.vcf");
    let broken =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carla Broken\r\nEMAIL carla@x.example\r\nEND:VCARD\r\n";
    std::fs::write(
        &input,
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Folded\r\nNOTE:first part and\r\n  second\r\n\
             EMAIL:ann@x.example\r\nEND:VCARD\r\n{broken}\
             BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bo\r\n b Whole\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dana Unended\r\n"
        ),
    )
    .unwrap();
    let out = b
        .cmd()
        .args(["import", s(&input), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{v}");
    assert!(
        errors[0].starts_with("phone.vcf:11: \"EMAIL carla@x.example\" is no property"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("phone.vcf:18: BEGIN:VCARD has no END:VCARD"),
        "{errors:?}"
    );
    assert!(b.list("all").is_empty());

    let out = b.ok(&["import", s(&input), "--skip-bad"]);
    assert!(
        out.contains("phone.vcf: 4 rows: 2 new, 0 merged, 0 skipped, 2 rejected"),
        "{out}"
    );
    let leads = b.list("all");
    assert_eq!(leads.len(), 2);
    assert_eq!(
        find(&leads, "name", "Ann Folded")["notes"],
        "first part and second"
    );
    find(&leads, "name", "Bob Whole");
    let rejected = std::fs::read_to_string(b.dir.path().join("phone.rejected.vcf")).unwrap();
    assert_eq!(
        rejected,
        format!("{broken}BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dana Unended\r\n")
    );
}

/// Two cards with folded lines make two leads, whatever the encoding: a UTF-16 address book
/// (as some Windows tools write one) is read as a vCard too, not as a table.
#[test]
fn two_folded_cards_in_utf16_import_as_two_leads() {
    let b = Book::new();
    let input = b.dir.path().join("outlook.vcf");
    let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Henrike\r\n  Sølvberg\r\nEMAIL:henrike@fjord.example\r\n\
                END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Olu Ad\r\n\teyemi\r\nORG:Lagos Lamps\r\n\
                END:VCARD\r\n";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    std::fs::write(&input, bytes).unwrap();
    let r = b.import_json(&[s(&input)]);
    assert_eq!(
        (r["rows"].as_u64(), r["new"].as_u64()),
        (Some(2), Some(2)),
        "{r}"
    );
    assert_eq!(
        (r["encoding"].as_str(), r["delimiter"].as_str()),
        (Some("UTF-16LE"), Some("vCard"))
    );
    let leads = b.list("all");
    assert_eq!(
        find(&leads, "name", "Henrike Sølvberg")["email"],
        "henrike@fjord.example"
    );
    assert_eq!(
        find(&leads, "name", "Olu Adeyemi")["company"],
        "Lagos Lamps"
    );
}

#[test]
fn deals_find_their_own_people_whatever_ids_they_share_and_import_again_as_merges() {
    let b = Book::new();
    let persons = b.dir.path().join("persons.csv");
    let deals = b.dir.path().join("deals.csv");
    // Two systems' ids that both count from 1: person 1 is Ana, deal 1 is Ben's.
    std::fs::write(
        &persons,
        "Person - ID,Person - Name,Person - Email\n1,Ana Lind,ana@lind.example\n2,Ben Ortiz,ben@ortiz.example\n",
    )
    .unwrap();
    std::fs::write(
        &deals,
        "Deal - ID,Deal - Title,Deal - Value,Deal - Status,Deal - Stage,Person - Name,Person - Email\n\
         1,Ortiz rollout,8000,open,Proposal Made,Ben Ortiz,ben@ortiz.example\n\
         2,Lind pilot,3000,open,Qualified,Ana Lind,ana@lind.example\n",
    )
    .unwrap();
    b.ok(&["import", s(&persons)]);
    let r = b.import_json(&[s(&deals)]);
    assert_eq!(
        (r["new"].as_u64(), r["merged"].as_u64()),
        (Some(0), Some(2)),
        "{r}"
    );
    let all = b.list("all");
    let ben = find(&all, "email", "ben@ortiz.example");
    assert_eq!(
        (ben["stage"].as_str(), ben["value"].as_f64()),
        (Some("proposal"), Some(8000.0))
    );
    let ana = find(&all, "email", "ana@lind.example");
    assert_eq!(
        (ana["stage"].as_str(), ana["value"].as_f64()),
        (Some("green"), Some(3000.0))
    );
    // The same deals again: each finds its deal, nothing is added.
    let again = b.import_json(&[s(&deals)]);
    assert_eq!(
        (again["new"].as_u64(), again["merged"].as_u64()),
        (Some(0), Some(2)),
        "{again}"
    );
    assert_eq!(b.list("all").len(), 2);
}

#[test]
fn an_atomic_crm_export_reads_its_dates_statuses_and_columns_without_a_map() {
    let b = Book::new();
    let csv = b.dir.path().join("contacts.csv");
    // Atomic CRM's own header set: first_seen/last_seen, statuses cold…in-contract.
    std::fs::write(
        &csv,
        "first_name,last_name,gender,title,background,first_seen,last_seen,has_newsletter,status,tags,linkedin_url,company,email_work,email_home,email_other,phone_work,phone_home,phone_other\n\
         Rui,Costa,male,Buyer,,2026-07-01T00:00:00+00:00,2026-11-20T11:54:49.95+00:00,false,in-contract,\"food, retail\",,Costa Foods,,rui@home.example,,,+351 21 1,\n\
         Ida,Berg,female,Designer,,2026-10-01T00:00:00+00:00,2026-11-01T09:00:00+00:00,false,warm,ui,,Berg AB,ida@berg.example,,,+46 8 1,,\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(0)),
        "{r}"
    );
    let all = b.list("all");
    let rui = find(&all, "name", "Rui Costa");
    assert_eq!(rui["status"], "won");
    assert_eq!(rui["email"], "rui@home.example");
    assert_eq!(rui["received_at"], "2026-07-01T00:00:00Z");
    let ida = find(&all, "name", "Ida Berg");
    assert_eq!(ida["email"], "ida@berg.example");
    assert_eq!(ida["phone"], "+46 8 1");
    assert_eq!(ida["received_at"], "2026-10-01T00:00:00Z");
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

#[test]
fn a_vcard_is_no_activity_history() {
    let b = Book::new();
    let file = s(&data("contacts.vcf")).to_string();
    let err = b.fails(&["import", "--activities", &file, "--on", "UID"]);
    assert!(err.contains("this is a vCard file"), "{err}");
    assert!(b.list("all").is_empty());
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

#[test]
fn money_keeps_its_currency_and_sums_never_mix_currencies() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-opportunity-currencies.csv");
    let r = b.import_json(&[s(&file)]);
    assert_eq!(r["new"], 6, "{r}");
    let all = b.list("all");
    let deal = |name: &str| find(&all, "name", name).clone();
    let won = deal("Cervecería Lupita - Cámaras");
    assert_eq!(
        (
            won["status"].as_str(),
            won["value"].as_f64(),
            won["currency"].as_str()
        ),
        (Some("won"), Some(1_200_000.0), Some("MXN"))
    );
    let lost = deal("Transportes Ocaso - Flota");
    assert_eq!(
        (lost["status"].as_str(), lost["currency"].as_str()),
        (Some("lost"), Some("MXN"))
    );
    assert_eq!(deal("Café Sierra Alta - Bodega")["currency"], "COP");
    // The book's own currency is the lead's: EUR, kept as the book's.
    assert_eq!(deal("Rheinkai Logistik - Lager")["currency"], "EUR");
    // Shown in its own currency, never as euros.
    let list = b.ok(&["list", "pipeline"]);
    assert!(list.contains("PEN 310,000"), "{list}");
    assert!(list.contains("$98,000"), "{list}");
    assert!(list.contains("€40,000"), "{list}");
    assert!(!list.contains("€46,000,000"), "{list}");

    // Without rates, a report's figure is the book's currency only; the rest apart, per
    // currency.
    let forecast: Value = serde_json::from_str(&b.ok(&["report", "forecast", "--json"])).unwrap();
    let rows = forecast.as_array().unwrap();
    let value: f64 = rows.iter().map(|r| r["value"].as_f64().unwrap()).sum();
    assert_eq!(value, 40_000.0, "{forecast}");
    let apart = |code: &str| -> f64 {
        rows.iter()
            .filter_map(|r| r["other_currencies"][code].as_f64())
            .sum()
    };
    assert_eq!(
        (apart("COP"), apart("PEN"), apart("USD")),
        (46_000_000.0, 310_000.0, 98_000.0)
    );
    let losses: Value = serde_json::from_str(&b.ok(&["report", "losses", "--json"])).unwrap();
    let reason = losses
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "reason")
        .unwrap();
    assert_eq!(reason["value"], 0.0, "{losses}");
    assert_eq!(reason["other_currencies"]["MXN"], 23_030_000.0, "{losses}");
    let table = b.ok(&["report", "losses"]);
    assert!(table.contains("MXN 23,030,000"), "{table}");

    // At rates the user gives, they join the book's figure; a currency without one stays apart.
    std::fs::write(
        b.dir.path().join("none.toml"),
        "[currency_rates]\nUSD = 0.5\nPEN = 0.25\n",
    )
    .unwrap();
    let forecast: Value = serde_json::from_str(&b.ok(&["report", "forecast", "--json"])).unwrap();
    let rows = forecast.as_array().unwrap();
    let value: f64 = rows.iter().map(|r| r["value"].as_f64().unwrap()).sum();
    assert_eq!(value, 40_000.0 + 49_000.0 + 77_500.0, "{forecast}");
    assert!(
        rows.iter()
            .all(|r| r["other_currencies"].get("USD").is_none()),
        "{forecast}"
    );
    let cop: f64 = rows
        .iter()
        .filter_map(|r| r["other_currencies"]["COP"].as_f64())
        .sum();
    assert_eq!(cop, 46_000_000.0);
    // A CSV export keeps each lead's currency, and imports back into the same leads.
    let out = b.dir.path().join("out.csv");
    b.ok(&["export", "all", "--format", "csv", "-o", s(&out)]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().next().unwrap().contains("currency"), "{text}");
    let fresh = Book::new();
    fresh.import_json(&[s(&out)]);
    let back = fresh.list("all");
    assert_eq!(
        find(&back, "name", "Café Sierra Alta - Bodega")["currency"],
        "COP"
    );
    assert_eq!(
        find(&back, "name", "Rheinkai Logistik - Lager")["currency"],
        "EUR"
    );
}

#[test]
fn amounts_read_currency_symbols_and_a_bad_currency_is_named() {
    let b = Book::new();
    let csv = b.dir.path().join("deals.csv");
    std::fs::write(
        &csv,
        "Name,Company,Amount\nAda Ames,Acme,\"$1,200\"\nBo Birk,Birk,£950\nCy Cole,Cole,1.200 €\n\
         Di Dorn,Dorn,CHF 1'500\n",
    )
    .unwrap();
    b.import_json(&[s(&csv)]);
    let all = b.list("all");
    let cur = |name: &str| {
        let l = find(&all, "name", name);
        (
            l["value"].as_f64().unwrap(),
            l["currency"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(cur("Ada Ames"), (1_200.0, "USD".into()));
    assert_eq!(cur("Bo Birk"), (950.0, "GBP".into()));
    assert_eq!(cur("Cy Cole"), (1_200.0, "EUR".into()));
    assert_eq!(cur("Di Dorn"), (1_500.0, "CHF".into()));

    let bad = b.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Name,Amount,Currency\nEd Eck,100,Pesos\nFay Fox,5,USD\n",
    )
    .unwrap();
    let err = b.fails(&["import", s(&bad)]);
    assert!(
        err.contains("bad.csv:2:")
            && err.contains("(column \"Currency\")")
            && err.contains("unknown currency \"Pesos\""),
        "{err}"
    );
}

/// Zoho CRM's leads export (`exports/zoho-leads.csv`): its owner and time headers and every
/// standard lead status read without `--map`; a lost or junk lead is never new, and the
/// vendor's word stays with the close.
#[test]
fn zoho_leads_read_their_owner_times_and_statuses() {
    let b = Book::new();
    let file = b.copy_in("exports/zoho-leads.csv");
    let out = b.ok(&["import", s(&file), "--dry-run"]);
    for line in [
        "Lead Owner → owner",
        "Created Time → received",
        "Modified Time → modified",
        "Lead Status → status",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    assert!(!out.contains("unknown status"), "{out}");
    let r = b.import_json(&[s(&file)]);
    assert_eq!(r["new"], 8, "{r}");
    let all = b.list("all");
    let lead = |email: &str| find(&all, "email", email).clone();
    let status = |email: &str| lead(email)["status"].as_str().unwrap().to_string();
    assert_eq!(status("hanna@pike.example"), "new");
    for working in [
        "ivo@brandt.example",
        "lena@voss.example",
        "amir@said.example",
        "greta@holm.example",
    ] {
        assert_eq!(status(working), "working", "{working}");
    }
    let lost = lead("felix@nord.example");
    assert_eq!(lost["status"], "lost");
    assert!(
        lost["reason_note"].as_str().unwrap().contains("Lost Lead"),
        "{lost}"
    );
    let junk = lead("asdf@junk.example");
    assert_eq!(
        (junk["status"].as_str(), junk["reason"].as_str()),
        (Some("disqualified"), Some("spam"))
    );
    assert!(
        junk["reason_note"].as_str().unwrap().contains("Junk Lead"),
        "{junk}"
    );
    assert_eq!(status("olga@wren.example"), "disqualified");
    let hanna = lead("hanna@pike.example");
    assert_eq!(hanna["owner"], "Ruth Aldana");
    assert_eq!(hanna["received_at"], "2026-11-02T09:15:00Z");
    assert!(
        !hanna["extra"].to_string().contains("Created Time"),
        "{hanna}"
    );
}

/// Zoho CRM's potentials (`exports/zoho-potentials.csv`): deals, as a Salesforce opportunity
/// export's — the person from `Contact Name`, the company from `Account Name`, the deal's own
/// name kept beside them (and naming the lead when no person is given), the owner, the dates.
#[test]
fn zoho_potentials_arrive_as_deals_of_their_contacts() {
    let b = Book::new();
    let file = b.copy_in("exports/zoho-potentials.csv");
    let out = b.ok(&["import", s(&file), "--dry-run"]);
    for line in [
        "Potential Name → name",
        "Potential Owner → owner",
        "Closing Date → ripe_on",
        "Created Time → received",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    let r = b.import_json(&[s(&file)]);
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(5), Some(0)),
        "{r}"
    );
    assert!(b.list("inbox").is_empty(), "no deal lands in the Inbox");
    let all = b.list("all");
    let owen = find(&all, "name", "Owen Marsh");
    assert_eq!(
        (
            owen["company"].as_str(),
            owen["status"].as_str(),
            owen["stage"].as_str(),
            owen["value"].as_f64(),
            owen["owner"].as_str()
        ),
        (
            Some("Tessel Roofing"),
            Some("open"),
            Some("negotiation"),
            Some(12000.0),
            Some("Ruth Aldana")
        )
    );
    assert_eq!(owen["extra"]["Potential Name"], "Tessel Roofing - Phase 2");
    assert_eq!(owen["received_at"], "2026-10-02T09:00:00Z");
    assert_eq!(owen["ripe_on"], "2027-01-20T00:00:00Z");
    let won = find(&all, "name", "Hanna Pike");
    assert_eq!(won["status"], "won");
    assert_eq!(won["closed_at"], "2026-06-30T00:00:00Z");
    assert_eq!(find(&all, "name", "Ivo Brandt")["status"], "lost");
    assert_eq!(find(&all, "name", "Lena Voss")["stage"], "ripe");
    let kiln = find(&all, "name", "Kiln Works - Renewal");
    assert_eq!(
        (kiln["status"].as_str(), kiln["stage"].as_str()),
        (Some("open"), Some("green"))
    );
}

/// HubSpot's contacts with their lifecycle stage (`exports/hubspot-contacts-lifecycle.csv`),
/// then its deals (`exports/hubspot-deals.csv`): a lifecycle stage is the status where the lead
/// status is blank; a deal names itself, finds its contact by `Associated Contact Email` and
/// its company by `Associated Company Domain`, and keeps its `Closed Lost Reason`.
#[test]
fn hubspot_lifecycle_stages_and_deals_read_without_a_map() {
    let b = Book::new();
    let contacts = b.copy_in("exports/hubspot-contacts-lifecycle.csv");
    let out = b.ok(&["import", s(&contacts), "--dry-run"]);
    assert!(out.contains("Lifecycle Stage → status"), "{out}");
    assert!(!out.contains("unknown status"), "{out}");
    let r = b.import_json(&[s(&contacts)]);
    assert_eq!(r["new"], 7, "{r}");
    let all = b.list("all");
    let status = |email: &str| {
        find(&all, "email", email)["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for new in ["ada@quinn.example", "bram@ode.example", "cleo@park.example"] {
        assert_eq!(status(new), "new", "{new}");
    }
    assert_eq!(status("dov@ray.example"), "open");
    assert_eq!(status("eva@lund.example"), "won");
    // A lead status, where there is one, says more than the lifecycle stage, kept beside it.
    let finn = find(&all, "email", "finn@roe.example");
    assert_eq!(finn["status"], "working");
    assert_eq!(finn["extra"]["Lifecycle Stage"], "Lead");
    assert_eq!(status("gil@tam.example"), "disqualified");
    // The company's domain is the website; the contact's own URL is kept.
    let ada = find(&all, "email", "ada@quinn.example");
    assert_eq!(ada["website"], "quinn.example");
    assert_eq!(ada["extra"]["Website URL"], "https://ada-blog.example/");

    let deals = b.copy_in("exports/hubspot-deals.csv");
    let out = b.ok(&["import", s(&deals), "--dry-run"]);
    for line in [
        "Deal Name → name",
        "Associated Contact Email → email",
        "Associated Company Domain → website",
        "Closed Lost Reason → reason",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    let r = b.import_json(&[s(&deals)]);
    // Ada's deal moves her on; Dov's is a second deal beside his open one; Nils's two lost
    // deals and Inés's are new.
    assert_eq!(
        (r["new"].as_u64(), r["merged"].as_u64()),
        (Some(4), Some(1)),
        "{r}"
    );
    let all = b.list("all");
    let ada = find(&all, "email", "ada@quinn.example");
    assert_eq!(
        (
            ada["name"].as_str(),
            ada["status"].as_str(),
            ada["stage"].as_str(),
            ada["value"].as_f64()
        ),
        (
            Some("Ada Quinn"),
            Some("open"),
            Some("warming"),
            Some(12000.0)
        )
    );
    let dov: Vec<&Value> = all
        .iter()
        .filter(|l| l["email"] == "dov@ray.example")
        .collect();
    assert_eq!(dov.len(), 2, "{dov:?}");
    let ray = find(&all, "name", "Ray Corp - Existing Business Opportunity");
    assert_eq!(
        (
            ray["stage"].as_str(),
            ray["value"].as_f64(),
            ray["website"].as_str()
        ),
        (Some("negotiation"), Some(30500.0), Some("ray.example"))
    );
    let price = find(&all, "name", "Berg Energy - New Business Opportunity");
    assert_eq!(
        (price["status"].as_str(), price["reason"].as_str()),
        (Some("lost"), Some("budget"))
    );
    let interest = find(&all, "name", "Berg Energy - Existing Business Opportunity");
    assert_eq!(interest["reason_note"], "Lost Interest");
    let vale = find(&all, "email", "ines@vale.example");
    assert_eq!(
        (vale["name"].as_str(), vale["stage"].as_str()),
        (
            Some("Vale Mills - New Business Opportunity"),
            Some("warming")
        )
    );
}

/// A Salesforce org's opportunities with its loss reasons in custom fields (`LossReason__c`,
/// `Loss_Reason__c`; `exports/salesforce-opportunity-custom.csv`): each lost deal has its
/// reason, in ripen's words where they fit and in the vendor's otherwise — never "no reason
/// given" when the row gave one; a reason left on an open deal is kept with it.
#[test]
fn salesforce_custom_loss_reasons_are_the_reasons() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-opportunity-custom.csv");
    let out = b.ok(&["import", s(&file), "--dry-run"]);
    assert!(out.contains("Loss_Reason__c → reason"), "{out}");
    assert!(out.contains("LossReason__c → reason"), "{out}");
    let r = b.import_json(&[s(&file)]);
    assert_eq!(r["new"], 9, "{r}");
    let all = b.list("all");
    let deal = |name: &str| find(&all, "name", name).clone();
    let reason = |name: &str| {
        let d = deal(name);
        assert_eq!(d["status"], "lost", "{d}");
        (
            d["reason"].as_str().unwrap().to_string(),
            d["reason_note"].as_str().map(String::from),
        )
    };
    assert_eq!(
        reason("QTO - Volcan Pharma - 40"),
        ("budget".into(), Some("No Budget / Lost Funding".into()))
    );
    assert_eq!(
        reason("GYE - Costa Media - 90"),
        (
            "no-response".into(),
            Some("No Decision / Non-Responsive".into())
        )
    );
    // None of ripen's: recorded as unknown, in the vendor's words.
    assert_eq!(
        reason("GYE - Costa Media - 60"),
        ("unknown".into(), Some("Other".into()))
    );
    for d in &all {
        assert!(
            !d["reason_note"]
                .as_str()
                .unwrap_or("")
                .contains("no reason given"),
            "{d}"
        );
    }
    let open = deal("CUE - Austro Seguros - 15");
    assert_eq!(open["status"], "open");
    assert_eq!(open["extra"]["LossReason__c"], "Lost to Competitor");
}

/// The same org's own stage names (`exports/salesforce-opportunity-custom.csv`: Interes 30%,
/// Presentación Propuesta 60%, Negociación 70%, Firmas 90%) are placed by their probability,
/// not guessed from their names, and the dry run says so.
#[test]
fn custom_stages_are_placed_by_their_probability() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-opportunity-custom.csv");
    let out = b.ok(&["import", s(&file), "--dry-run"]);
    for line in [
        "stage \"Interes\" on 1 row(s): read as warming, by its probability (30%)",
        "stage \"Presentación Propuesta\" on 1 row(s): read as proposal, by its probability (60%)",
        "stage \"Negociación\" on 2 row(s): read as negotiation, by its probability (70%)",
        "stage \"Firmas\" on 1 row(s): read as negotiation, by its probability (90%)",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    assert!(!out.contains("the nearest of ripen's"), "{out}");
    b.ok(&["import", s(&file)]);
    let pipeline = b.list("pipeline");
    let stage = |name: &str| {
        find(&pipeline, "name", name)["stage"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(stage("BOG - Andes Foods - Fase 1"), "warming");
    assert_eq!(stage("LIM - Pacifico Retail - 200"), "proposal");
    assert_eq!(stage("MEX - Sierra Bebidas - 350"), "negotiation");
    assert_eq!(stage("MEX - Sierra Bebidas - 120"), "negotiation");
    let negociacion = find(&pipeline, "name", "MEX - Sierra Bebidas - 350");
    assert_eq!(negociacion["extra"]["StageName"], "Negociación");
}

/// The pipeline as a library function, as the app calls it: no binary, no JSON between, the
/// report and the book read as types.
mod library {
    use super::data;
    use chrono::{DateTime, TimeZone, Utc};
    use ripen::domain::{Now, Plan, Status};
    use ripen::io::import::{
        HistoryRequest, ImportError, ImportRequest, import_file, import_history,
    };
    use ripen::store::{Filter, LeadRow, Store, View};

    fn now() -> Now {
        Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    fn book() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("book.db"), Plan::default()).unwrap();
        (dir, store)
    }

    fn rows(store: &Store, view: View) -> Vec<LeadRow> {
        store.list(&view, &Filter::default(), 0, 1000).unwrap()
    }

    fn by_email<'a>(rows: &'a [LeadRow], email: &str) -> &'a LeadRow {
        rows.iter()
            .find(|r| r.lead.email.as_deref() == Some(email))
            .unwrap_or_else(|| panic!("no lead {email}"))
    }

    fn request(path: std::path::PathBuf) -> ImportRequest {
        ImportRequest {
            path,
            ..ImportRequest::default()
        }
    }

    #[test]
    fn import_file_lands_a_deal_export_won_lost_and_open_and_reports_it() {
        let (_dir, mut store) = book();
        let req = request(data("exports/pipedrive-deals.csv"));
        let r = import_file(&mut store, &req, &now()).unwrap();
        assert_eq!((r.rows, r.new, r.merged, r.rejected), (13, 13, 0, 0));
        assert_eq!(r.closed_future, 2);
        assert!(!r.dry_run);
        let won = rows(&store, View::Won);
        assert_eq!(won.len(), 3);
        let asa = by_email(&won, "åsa.ødeberg@granitt.example");
        assert_eq!(asa.lead.status, Status::Won);
        assert_eq!(asa.lead.closed_at, Some(at("2026-09-09T18:12:00Z")));
        assert_eq!(asa.lead.next_follow_up, None);
        let lost = rows(&store, View::Lost);
        assert_eq!(lost.len(), 6);
        let wendell = by_email(&lost, "wendell.price@harbourside.example");
        assert_eq!(wendell.lead.status, Status::Lost);
        assert_eq!(wendell.lead.reason.as_deref(), Some("no-response"));
        assert_eq!(wendell.lead.recycle_on, Some(at("2027-01-01T18:51:00Z")));
        assert_eq!(wendell.lead.next_follow_up, wendell.lead.recycle_on);
        let open = rows(&store, View::Pipeline);
        assert_eq!(open.len(), 4);
        assert!(open.iter().all(|r| r.lead.stage.is_some()));
    }

    #[test]
    fn a_bad_row_refuses_the_file_whole_naming_each_line_and_skip_bad_lands_the_rest() {
        let (dir, mut store) = book();
        let input = dir.path().join("broken-quote.csv");
        std::fs::copy(data("exports/broken-quote.csv"), &input).unwrap();
        let err = import_file(&mut store, &request(input.clone()), &now()).unwrap_err();
        let ImportError::BadRows { file, errors } = err else {
            panic!("{err}");
        };
        assert_eq!(file, "broken-quote.csv");
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5]);
        assert_eq!(errors[1].column.as_deref(), Some("email"));
        assert!(rows(&store, View::All).is_empty(), "nothing was written");

        let rejected = dir.path().join("fix-me.csv");
        let req = ImportRequest {
            skip_bad: true,
            rejected_to: Some(rejected.clone()),
            ..request(input)
        };
        let r = import_file(&mut store, &req, &now()).unwrap();
        assert_eq!((r.new, r.rejected), (8, 2));
        assert_eq!(r.rejected_file, Some(rejected.display().to_string()));
        assert_eq!(rows(&store, View::All).len(), 8);
        assert_eq!(
            std::fs::read_to_string(&rejected).unwrap(),
            "name,company,email,source\nShort Row,Stub Ltd\nOpen \"Quote,Cedar Ltd,\"open@cedar.example,Web\n"
        );
    }

    #[test]
    fn a_dry_run_reports_what_would_land_and_writes_nothing() {
        let (_dir, mut store) = book();
        let req = ImportRequest {
            dry_run: true,
            ..request(data("exports/pipedrive-deals.csv"))
        };
        let r = import_file(&mut store, &req, &now()).unwrap();
        assert_eq!((r.rows, r.new, r.dry_run), (13, 13, true));
        assert!(
            r.mapping.iter().any(|m| m == "Person - Name → name"),
            "{:?}",
            r.mapping
        );
        assert!(rows(&store, View::All).is_empty());
    }

    #[test]
    fn a_joined_file_and_its_history_land_through_the_library_as_through_the_binary() {
        let (_dir, mut store) = book();
        let req = ImportRequest {
            join: Some(data("crm-sample/Contacts.csv")),
            on: Some("ContactID".into()),
            ..request(data("crm-sample/Leads.csv"))
        };
        let r = import_file(&mut store, &req, &now()).unwrap();
        assert_eq!((r.rows, r.new, r.rejected), (12, 12, 0));
        let all = rows(&store, View::All);
        let l1 = all
            .iter()
            .find(|r| r.lead.external_id.as_deref() == Some("L0001"))
            .unwrap();
        assert_eq!(l1.lead.name, "Harriet Lomax");

        let history = HistoryRequest {
            path: data("crm-sample/Activity.csv"),
            on: "LeadID".into(),
            ..HistoryRequest::default()
        };
        let h = import_history(&mut store, &history, &now()).unwrap();
        assert_eq!((h.rows, h.done, h.planned, h.rejected), (10, 6, 4, 0));
        // The same history again adds nothing and moves nothing.
        let before = rows(&store, View::All);
        import_history(&mut store, &history, &now()).unwrap();
        assert_eq!(rows(&store, View::All), before);
    }

    #[test]
    fn a_history_for_leads_the_book_lacks_is_refused_whole() {
        let (_dir, mut store) = book();
        let history = HistoryRequest {
            path: data("crm-sample/Activity.csv"),
            on: "LeadID".into(),
            ..HistoryRequest::default()
        };
        let err = import_history(&mut store, &history, &now()).unwrap_err();
        let ImportError::BadRows { errors, .. } = err else {
            panic!("{err}");
        };
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("\"L0007\""), "{}", errors[0]);
        assert!(rows(&store, View::All).is_empty());
    }
}

#[test]
fn a_currency_without_a_value_is_kept_as_written_and_most_foreign_values_are_said() {
    let b = Book::new();
    let csv = b.dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "Name,Company,Amount,CurrencyIsoCode\nAna Ruiz,X SA,,USD\nBo Birk,Birk,100,USD\n\
         Cy Cole,Cole,200,USD\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    let notices = r["notices"].to_string();
    assert!(notices.contains("2 in USD"), "{notices}");
    assert!(notices.contains("currency_code = \\\"USD\\\""), "{notices}");
    assert_eq!(r["currencies"], serde_json::json!([["USD", 2]]));
    let all = b.list("all");
    let ana = find(&all, "name", "Ana Ruiz");
    // No value: the book's currency for a value typed later, the column kept with the lead.
    assert_eq!(ana["currency"], "EUR");
    assert_eq!(ana["extra"]["CurrencyIsoCode"], "USD");
    assert_eq!(find(&all, "name", "Bo Birk")["currency"], "USD");
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
