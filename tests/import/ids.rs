//! The uids an import gives new leads: the same file gives the same uids in every book (so two
//! laptops that import one list hold one set of leads), a second import of it finds its own
//! leads again, and a uid the book has already given (a lead in the trash, a purged one) is
//! never given twice.

use chrono::{TimeZone, Utc};
use ripen::domain::lifecycle;
use ripen::domain::{Now, Plan};
use ripen::io::import::{ImportRequest, import_file};
use ripen::store::{Filter, Store, View};

fn now() -> Now {
    Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap())
}

/// A HubSpot-like list: ids on some rows, e-mails or companies on others, two people named
/// only "Ann", two at one company written once with an accent and once without (the import
/// keeps them apart: neither has an e-mail), two strangers under one placeholder address, and
/// a row with an id and a name only.
const LIST: &str = "\
Record ID,First Name,Last Name,Email,Company Name
101,Ann,Lee,ann@acme.example,Acme
102,Bo,Chan,,Beta Ltd
,Cy,Dee,cy@gamma.example,
,Ann,,,
,Ann,,,
,José,Obando,,Obando Ltda
,Jose,Obando,,OBANDO LTDA
,Dana,Eve,info@zeta.example,Zeta
,Finn,Gray,info@zeta.example,Zeta
103,Gus,Hill,,
";

fn book(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name), Plan::default()).unwrap()
}

fn import(store: &mut Store, file: &std::path::Path) -> ripen::io::import::ImportReport {
    let req = ImportRequest {
        path: file.to_path_buf(),
        ..ImportRequest::default()
    };
    import_file(store, &req, &now()).unwrap()
}

fn uids(store: &Store) -> Vec<String> {
    let mut uids: Vec<String> = store
        .list(&View::All, &Filter::default(), 0, 1000)
        .unwrap()
        .into_iter()
        .map(|r| r.lead.uid)
        .collect();
    uids.sort();
    uids
}

fn list(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let file = dir.path().join("contacts.csv");
    std::fs::write(&file, LIST).unwrap();
    file
}

#[test]
fn one_list_imported_into_two_books_gives_the_same_uids() {
    let dir = tempfile::tempdir().unwrap();
    let file = list(&dir);
    let (mut one, mut two) = (book(&dir, "one.db"), book(&dir, "two.db"));
    let r = import(&mut one, &file);
    assert_eq!((r.rows, r.new, r.merged), (10, 10, 0), "{:?}", r.notices);
    import(&mut two, &file);
    let uids = uids(&one);
    assert_eq!(uids.len(), 10);
    assert_eq!(uids, self::uids(&two));
    for uid in &uids {
        assert_eq!(uuid::Uuid::parse_str(uid).unwrap().get_version_num(), 5);
    }
    // A copy of the list under another name is the same list.
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&file, &copy).unwrap();
    let mut three = book(&dir, "three.db");
    import(&mut three, &copy);
    assert_eq!(uids, self::uids(&three));
}

#[test]
fn a_list_imported_twice_finds_its_own_leads() {
    let dir = tempfile::tempdir().unwrap();
    let file = list(&dir);
    let mut store = book(&dir, "b.db");
    import(&mut store, &file);
    let first = uids(&store);
    let r = import(&mut store, &file);
    // Gus (an id and a name) and the two Anns (a name only) are found by their uids: no key
    // of the import's would find them.
    assert_eq!((r.new, r.merged), (0, 10), "{:?}", r.notices);
    assert_eq!(
        r.notices
            .iter()
            .filter(|n| n.contains("same record, imported before"))
            .count(),
        3,
        "{:?}",
        r.notices
    );
    assert_eq!(uids(&store), first);
    // Another list with an "Ann" of its own is another Ann.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "First Name,Phone\nAnn,555 0100\n").unwrap();
    let r = import(&mut store, &other);
    assert_eq!((r.new, r.merged), (1, 0), "{:?}", r.notices);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn a_row_of_a_lead_in_the_trash_or_purged_comes_back_as_a_lead_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let file = list(&dir);
    let mut store = book(&dir, "b.db");
    import(&mut store, &file);
    let trashed = |store: &mut Store, email: &str| {
        let uid = store.find_by_email(email).unwrap().unwrap().0;
        store
            .apply(&uid, &now(), |l, _| lifecycle::trash(l, &now()))
            .unwrap();
        uid
    };
    let cy = trashed(&mut store, "cy@gamma.example");
    assert_eq!(store.empty_trash(&now()).unwrap(), 1);
    let ann = trashed(&mut store, "ann@acme.example");
    let r = import(&mut store, &file);
    // The import does not look in the trash: each row is a lead again, under a uid of its own.
    assert_eq!((r.new, r.merged), (2, 8), "{:?}", r.notices);
    let now_cy = store.find_by_email("cy@gamma.example").unwrap().unwrap().0;
    let now_ann = store.find_by_email("ann@acme.example").unwrap().unwrap().0;
    assert_ne!(now_cy, cy);
    assert_ne!(now_ann, ann);
    assert_eq!(uids(&store).len(), 10);
    // The same again, in another book where the same happened: the same uids.
    let mut other = book(&dir, "other.db");
    import(&mut other, &file);
    trashed(&mut other, "cy@gamma.example");
    other.empty_trash(&now()).unwrap();
    trashed(&mut other, "ann@acme.example");
    import(&mut other, &file);
    assert_eq!(uids(&other), uids(&store));
    assert!(store.integrity_ok().unwrap());
}
