//! The uids an import gives new leads: the same row makes the same uid on every laptop (a
//! UUIDv5 under a namespace of ripen's own), so that one list imported on two laptops is one set
//! of leads once their books are shared, not two.
//!
//! What a uid is made of, by what the row has:
//! - a vendor's record id: the kind of record (a deal or a person, and the id column's header,
//!   folded: HubSpot's "Record ID", Salesforce's "Lead ID"), the id as written (Salesforce's ids
//!   tell case apart), and the name. Ids alone are not unique: HubSpot's are plain numbers,
//!   which another system's "17" or another portal's may repeat, and two people under one uid
//!   would become one lead wherever the books meet. The name guards against that; a record
//!   renamed between two exports then makes a second lead (a duplicate can be merged; a person
//!   made of two cannot be taken apart);
//! - else an e-mail or a company: the e-mail (trimmed, any case), the name and the company, each
//!   folded as the import's duplicate match compares them ([`super::merge::same_person`]: case,
//!   accents and word order aside, initials left out; a company's legal form aside);
//! - else (a name only, perhaps a phone): nothing says who the person is, so two "Ann"s of two
//!   lists must stay two: the row's place, its file's content and its line ([`row_uid`]).
//!
//! A uid already taken (two rows of one file the import keeps apart, or a lead in the trash)
//! is followed by the next of [`occurrence`], the same on every laptop for the same file.

use uuid::Uuid;

use super::merge::{company_key, folded_words};

/// The namespace of every import's uid (a random UUIDv4, fixed for ever: changing it would give
/// every row imported from now on another uid than before).
const NAMESPACE: Uuid = Uuid::from_u128(0xa19c_ca84_8f1b_407a_a4c5_7845_706c_a9c4);

/// The namespace of a file's content ([`file_id`]).
const FILES: Uuid = Uuid::from_u128(0x5d1e_6f0b_93c2_4e8a_b7d4_2c61_f0a8_3e95);

/// A vendor's record id, and the kind of record it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// What kind of record the id is of, as the import tells it (a deal or a person, and the id
    /// column's header): ids of two kinds are apart even when they are the same number.
    pub kind: &'a str,
    pub id: &'a str,
}

/// The uid of an imported row, from its vendor's record id, else its e-mail, name and company.
/// None when the row has none of these but a name ([`row_uid`] then).
pub fn import_uid(
    record: Option<Record<'_>>,
    email: Option<&str>,
    name: &str,
    company: Option<&str>,
) -> Option<Uuid> {
    let name = name_key(name);
    if let Some(r) = record.filter(|r| !r.id.trim().is_empty()) {
        let kind = folded_words(r.kind).join(" ");
        return Some(uid(&["record", &kind, r.id.trim(), &name]));
    }
    let email = email.map(|e| e.trim().to_lowercase()).unwrap_or_default();
    let company = company.map(company_key).unwrap_or_default();
    if email.is_empty() && company.is_empty() {
        return None;
    }
    Some(uid(&["contact", &email, &name, &company]))
}

/// The uid of a row that says no more than a name: its file's content ([`file_id`]) and line.
/// The same file imported again, here or on another laptop, gives its rows the same uids; two
/// lists that each hold an "Ann" give two.
pub fn row_uid(file: Uuid, line: u64, name: &str) -> Uuid {
    uid(&[
        "row",
        &file.simple().to_string(),
        &line.to_string(),
        &name_key(name),
    ])
}

/// What a file's content is, for [`row_uid`].
pub fn file_id(content: &[u8]) -> Uuid {
    Uuid::new_v5(&FILES, content)
}

/// The `n`th uid of a row whose uid is `base` (`base` itself for 0), for a row whose uid is
/// taken: a second person of one file with the same key, or a lead of the book (in the trash,
/// purged) that it is not.
pub fn occurrence(base: Uuid, n: u32) -> Uuid {
    match n {
        0 => base,
        n => Uuid::new_v5(&base, &n.to_be_bytes()),
    }
}

/// A name's words as [`super::merge::same_person`] compares them: lower case, accents aside,
/// in any order, initials left out (unless the name is nothing else).
fn name_key(name: &str) -> String {
    let words = folded_words(name);
    let mut kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| w.chars().count() > 1)
        .collect();
    if kept.is_empty() {
        kept = words.iter().map(String::as_str).collect();
    }
    kept.sort_unstable();
    kept.join(" ")
}

/// A UUIDv5 of `parts`, each ending in a unit separator (no folded part holds one).
fn uid(parts: &[&str]) -> Uuid {
    let mut name = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for p in parts {
        name.push_str(p);
        name.push('\u{1F}');
    }
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hubspot(id: &str) -> Option<Record<'_>> {
        Some(Record {
            kind: "person Record ID",
            id,
        })
    }

    #[test]
    fn the_same_row_makes_the_same_uid() {
        let a = import_uid(hubspot("17"), Some("a@x.example"), "Ann Lee", None);
        assert_eq!(
            a,
            import_uid(hubspot("17"), Some("a@x.example"), "Ann Lee", None)
        );
        let a = a.unwrap();
        assert_eq!(a.get_version_num(), 5);
        // Fixed for ever: a book shared with one made by an earlier release must agree.
        assert_eq!(
            import_uid(None, Some("ann@acme.example"), "Ann Lee", Some("Acme"))
                .unwrap()
                .to_string(),
            "36f8d3a5-acc3-5fc6-b3ec-8f38696ddcec"
        );
        let file = file_id(b"name\nAnn\n");
        assert_eq!(row_uid(file, 2, "Ann"), row_uid(file, 2, "Ann"));
        assert_eq!(occurrence(a, 1), occurrence(a, 1));
    }

    #[test]
    fn a_record_id_is_its_kinds_and_its_persons() {
        let a = import_uid(hubspot("17"), None, "Ann Lee", None).unwrap();
        // Another column's (another system's) "17", or a deal's.
        let other = Record {
            kind: "person Contact ID",
            id: "17",
        };
        assert_ne!(Some(a), import_uid(Some(other), None, "Ann Lee", None));
        let deal = Record {
            kind: "deal Record ID",
            id: "17",
        };
        assert_ne!(Some(a), import_uid(Some(deal), None, "Ann Lee", None));
        // Another person under the same id stays another lead.
        assert_ne!(Some(a), import_uid(hubspot("17"), None, "Bo Chan", None));
        // Salesforce's ids tell case apart; spaces around them say nothing.
        assert_ne!(
            import_uid(hubspot("00Qab"), None, "Ann", None),
            import_uid(hubspot("00QAB"), None, "Ann", None)
        );
        assert_eq!(Some(a), import_uid(hubspot(" 17 "), None, "Ann Lee", None));
        // The id wins over the e-mail: the record keeps its uid when its address changes.
        assert_eq!(
            Some(a),
            import_uid(
                hubspot("17"),
                Some("new@x.example"),
                "Ann Lee",
                Some("Acme")
            )
        );
        // A blank id is none.
        assert_eq!(
            import_uid(hubspot(" "), Some("a@x.example"), "Ann Lee", None),
            import_uid(None, Some("a@x.example"), "Ann Lee", None)
        );
    }

    #[test]
    fn contacts_are_compared_as_the_duplicate_match_compares_them() {
        let ann = import_uid(
            None,
            Some("ann@acme.example"),
            "José Lee",
            Some("Acme GmbH"),
        );
        assert!(ann.is_some());
        for (email, name, company) in [
            (" ANN@Acme.example ", "José Lee", "Acme GmbH"),
            ("ann@acme.example", "jose LEE", "ACME"),
            ("ann@acme.example", "Lee, José", "acme gmbh"),
            ("ann@acme.example", "José M. Lee", "Acme GmbH"),
        ] {
            assert_eq!(
                ann,
                import_uid(None, Some(email), name, Some(company)),
                "{email} {name} {company}"
            );
        }
        for (email, name, company) in [
            ("bo@acme.example", "José Lee", "Acme GmbH"),
            ("ann@acme.example", "Maria Lee", "Acme GmbH"),
            ("ann@acme.example", "José Lee", "Other"),
        ] {
            assert_ne!(ann, import_uid(None, Some(email), name, Some(company)));
        }
        assert_ne!(
            ann,
            import_uid(None, Some("ann@acme.example"), "José Lee", None)
        );
        // A company alone says who, with the name.
        assert!(import_uid(None, None, "Ann", Some("Acme")).is_some());
        // A name alone does not.
        assert_eq!(import_uid(None, None, "Ann", None), None);
        assert_eq!(import_uid(None, Some("  "), "Ann", Some("")), None);
    }

    #[test]
    fn a_row_with_only_a_name_is_its_files_and_lines() {
        let (one, two) = (file_id(b"name\nAnn\nAnn\n"), file_id(b"name\nAnn\n"));
        assert_ne!(one, two);
        // Two "Ann"s of one file, and the "Ann"s of two files, are apart.
        assert_ne!(row_uid(one, 2, "Ann"), row_uid(one, 3, "Ann"));
        assert_ne!(row_uid(one, 2, "Ann"), row_uid(two, 2, "Ann"));
    }

    #[test]
    fn occurrences_are_apart_from_each_other_and_from_their_base() {
        let a = import_uid(None, Some("a@x.example"), "Ann", None).unwrap();
        assert_eq!(occurrence(a, 0), a);
        let next: Vec<Uuid> = (1..=3).map(|n| occurrence(a, n)).collect();
        assert!(!next.contains(&a));
        assert_ne!(next[0], next[1]);
        assert_ne!(next[1], next[2]);
        assert_ne!(next[0], occurrence(next[0], 1));
    }
}
