//! Reading a file: encodings (UTF-16, one bad byte in UTF-8), Excel's dialects, and dates in
//! every shape a CRM writes them.

use serde_json::Value;

use crate::{Book, data, find, s};

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
