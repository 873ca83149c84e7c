//! Deals and duplicates: opportunity exports as deals won, lost and open, each on its own
//! person; a row already in the book merged into it (and what a merge may and may not move).

use serde_json::Value;

use crate::{Book, data, find, s};

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

/// ripen's own CSV export is a list of people: colleagues who share a placeholder address stay
/// apart when it comes back, even in a book with deals (its stage column once made the file
/// read as deals named after the deal, matched by company: three people merged into others).
#[test]
fn ripens_own_export_keeps_people_apart_when_it_comes_back() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-leads-placeholder.csv");
    b.import_json(&[s(&file)]);
    let n = b.list("all").len();
    let out = b.dir.path().join("round.csv");
    b.ok(&["export", "all", "--format", "csv", "-o", s(&out)]);
    let fresh = Book::new();
    let r = fresh.import_json(&[s(&out)]);
    assert_eq!(
        (r["new"].as_u64(), r["merged"].as_u64()),
        (Some(n as u64), Some(0)),
        "{r}"
    );
}
