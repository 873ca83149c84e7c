//! The pipeline as a library function, as the app calls it: no binary, no JSON between, the
//! report and the book read as types.

use crate::data;
use chrono::{DateTime, TimeZone, Utc};
use ripen::domain::{Now, Plan, Status};
use ripen::io::import::{HistoryRequest, ImportError, ImportRequest, import_file, import_history};
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
