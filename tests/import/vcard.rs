//! Address books: vCard 3.0 and 4.0, folded, in UTF-16, broken cards.

use serde_json::Value;

use crate::{Book, NOW, data, find, s};

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
fn a_vcard_is_no_activity_history() {
    let b = Book::new();
    let file = s(&data("contacts.vcf")).to_string();
    let err = b.fails(&["import", "--activities", &file, "--on", "UID"]);
    assert!(err.contains("this is a vCard file"), "{err}");
    assert!(b.list("all").is_empty());
}
