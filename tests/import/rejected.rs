//! Refusals and rejected rows: a bad file lands nothing and says where; `--skip-bad` lands the
//! rest and gives the rejected rows back as they were; `--json` says why to scripts.

use serde_json::Value;

use crate::{Book, data, find, s};

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
