//! Mapping columns to fields: `--map` overrides, several columns for one field, the dry run's
//! report of the mapping.

use crate::{Book, data, find, s};

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
