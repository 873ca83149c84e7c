//! Merging a duplicate into the lead already in the book: empty fields are filled, notes
//! appended under the source's label, tags and extra fields united. Pure: the import decides
//! which leads are duplicates, this decides what the merged lead is.

use super::DomainError;
use super::event::{Event, Said};
use super::lead::{ActivityKind, Lead, Status};
use super::lifecycle::{Change, Entry};
use super::time::Now;

fn append_note(into: &mut Option<String>, add: &Option<String>, label: &str) {
    let Some(add) = add.as_deref().filter(|a| !a.trim().is_empty()) else {
        return;
    };
    match into {
        Some(have) if have.contains(add) => {}
        Some(have) => {
            // Within the notes' limit: what does not fit is cut, marked, rather than the merge
            // (an import's whole transaction) refused.
            let addition = format!("\n\n[{label}] {add}");
            let room = super::text::TEXT_MAX_CHARS.saturating_sub(have.chars().count());
            if room > 1 {
                have.push_str(&super::text::truncate_chars(&addition, room));
            }
        }
        None => *into = Some(add.to_string()),
    }
}

/// Merge an imported lead into one already there: empty fields are filled, notes appended,
/// tags and extra fields united; the existing lead's status and dates stand (the book knows
/// more recent things than an old export).
pub fn merge_leads(existing: &Lead, incoming: &Lead, label: &str) -> Lead {
    let mut m = existing.clone();
    macro_rules! fill {
        ($($f:ident),*) => { $( if m.$f.is_none() { m.$f = incoming.$f.clone(); } )* };
    }
    fill!(
        company,
        title,
        email,
        phone,
        website,
        city,
        country,
        source,
        external_id,
        class,
        stage
    );
    // A value and its currency go together.
    if m.value_cents.is_none() && incoming.value_cents.is_some() {
        m.value_cents = incoming.value_cents;
        m.currency = incoming.currency.clone();
    }
    if m.stage.is_some() && m.status != Status::Open {
        m.stage = existing.stage;
    }
    append_note(&mut m.notes, &incoming.notes, label);
    for t in &incoming.tags {
        if !m.tags.contains(t) {
            m.tags.push(t.clone());
        }
    }
    m.extra = merge_extra(existing.extra.as_deref(), incoming.extra.as_deref());
    // The row's own id in the system it came from stays findable (a history import links a
    // merged contact's tasks by it), as do those merged into it before.
    let mut ids = merged_ids(incoming.extra.as_deref().unwrap_or(""));
    ids.extend(incoming.external_id.iter().cloned());
    m.extra = keep_merged_ids(m.extra, m.external_id.as_deref(), ids);
    m
}

/// The key in a lead's extra fields under which it keeps the external ids of rows merged into
/// it (their own id in the system they came from, where the lead has another).
pub const MERGED_IDS: &str = "merged external ids";

/// The ids a lead's extra fields (JSON) keep under [`MERGED_IDS`].
pub fn merged_ids(extra: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(extra)
        .ok()
        .and_then(|m| m.get(MERGED_IDS)?.as_str().map(str::to_string))
        .map(|v| {
            v.split(", ")
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn keep_merged_ids(extra: Option<String>, own: Option<&str>, ids: Vec<String>) -> Option<String> {
    let mut have = merged_ids(extra.as_deref().unwrap_or(""));
    let before = have.len();
    for id in ids {
        let id = id.trim();
        if !id.is_empty() && Some(id) != own.map(str::trim) && !have.iter().any(|h| h == id) {
            have.push(id.to_string());
        }
    }
    if have.len() == before {
        return extra;
    }
    let mut map = extra
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(e).ok())
        .unwrap_or_default();
    map.insert(
        MERGED_IDS.into(),
        serde_json::Value::String(have.join(", ")),
    );
    serde_json::to_string(&map).ok().or(extra)
}

/// Merge one lead of the book into another by hand (the user found the duplicate): `kept`
/// takes what `gone` adds, as an import's duplicate would ([`merge_leads`]), and an entry on its
/// timeline naming `gone` and any value of `gone`'s that differs from its own (so those survive
/// even once the trash is emptied); `gone` goes to the trash with an entry naming `kept`. The
/// store copies `gone`'s timeline to `kept` in the same transaction.
///
/// Which way round does not matter for where the lead stands: `kept` takes the state (status,
/// class, stage, dates of the plan and of the close) of whichever of the two has come further,
/// new < working < open < won, a lost or disqualified one least (a new inquiry from a lost
/// lead is the lead coming back), and the earlier receipt.
pub fn merge_by_hand(kept: &Lead, gone: &Lead, now: &Now) -> Result<(Change, Change), DomainError> {
    if kept.uid == gone.uid {
        return Err(DomainError::Invalid(
            "a lead cannot be merged into itself".into(),
        ));
    }
    for l in [kept, gone] {
        if l.deleted_at.is_some() {
            return Err(DomainError::NotAllowed(format!(
                "{} is in the trash: take it back out first",
                l.display_name()
            )));
        }
    }
    let mut merged = merge_leads(kept, gone, "merged");
    merged.recycle_count = kept.recycle_count.max(gone.recycle_count);
    merged.received_at = kept.received_at.min(gone.received_at);
    let further = progress(gone.status) > progress(kept.status);
    if further {
        take_state(&mut merged, kept, gone);
    } else if !matches!(merged.status, Status::Open | Status::Won | Status::Lost) {
        // A class is given at qualification: a lead that stays unqualified takes none.
        merged.class = kept.class;
    }
    let differing = its_own(kept, gone).join(", ");
    let event = Event::MergedIn {
        moved: further.then_some((kept.status, gone.status)),
    };
    let name = gone.display_name();
    let said = Said {
        text: Some(&name),
        more: Some(&differing),
    };
    // A note, as an import's merge writes: finding a duplicate is bookkeeping, not work on the
    // deal, so its idle days stand.
    let kept_change = Change {
        entries: vec![Entry::noted(now.utc, event, said)],
        lead: merged,
    };
    let mut trashed = gone.clone();
    trashed.deleted_at = Some(now.utc);
    let gone_change = Change {
        entries: vec![Entry::system(
            now.utc,
            Event::MergedInto,
            Said::text(&kept.display_name()),
        )],
        lead: trashed,
    };
    Ok((kept_change, gone_change))
}

/// The duplicate's timeline as `kept` takes it (`took_state`: the merge gave `kept` the
/// duplicate's state). Its contacts count as they were: they were contacts with this person.
/// Its changes of state (its receipt, its stage moves) were the duplicate's, so while `kept`
/// keeps its own state they come over as notes, which say the same but leave `kept`'s idle
/// days alone (a duplicate received today made a deal rotting 111 days look fresh). Its first
/// contact stays what it is: a contact sits beside it anyway.
pub fn copied_timeline(entries: Vec<Entry>, took_state: bool) -> Vec<Entry> {
    entries
        .into_iter()
        .map(|e| {
            let first_contact = e.event == Some(Event::FirstContact);
            if e.kind == ActivityKind::System && !took_state && !first_contact {
                Entry {
                    kind: ActivityKind::Note,
                    ..e
                }
            } else {
                e
            }
        })
        .collect()
}

/// What a duplicate says that the lead it joins says otherwise ("phone +49 30 2", "company
/// Wayne S.r.l."): the values a merge does not take, for the timeline to keep.
pub fn its_own(kept: &Lead, other: &Lead) -> Vec<String> {
    let mut differing = Vec::new();
    macro_rules! differs {
        ($($f:ident),*) => { $(
            if let (Some(a), Some(b)) = (kept.$f.as_deref(), other.$f.as_deref())
                && !a.trim().eq_ignore_ascii_case(b.trim())
            {
                differing.push(format!("{} {}", stringify!($f), b.trim()));
            }
        )* };
    }
    if !kept.name.trim().eq_ignore_ascii_case(other.name.trim()) {
        differing.push(format!("name {}", other.name.trim()));
    }
    differs!(company, title, email, phone, website, city, country, source);
    differing
}

/// `merged` (made from `kept`) takes `from`'s place in the process: its status, class, stage,
/// value, and the dates of its plan and of its close.
fn take_state(merged: &mut Lead, kept: &Lead, from: &Lead) {
    merged.status = from.status;
    merged.class = from.class.or(kept.class);
    merged.stage = from.stage;
    (merged.value_cents, merged.currency) = match from.value_cents {
        Some(v) => (Some(v), from.currency.clone()),
        None => (kept.value_cents, kept.currency.clone()),
    };
    merged.next_follow_up = from.next_follow_up;
    merged.ripe_on = from.ripe_on;
    merged.closed_at = from.closed_at;
    merged.reason = from.reason.clone();
    merged.reason_note = from.reason_note.clone();
    merged.recycle_on = from.recycle_on;
}

/// Merge an imported row into the lead of the book it duplicates ([`merge_leads`]). The book's
/// state stands (it may know more recent things than an old export), except that a lead the
/// book holds as still to be worked (new or working) takes the row's state when the row has
/// come further (an open deal, a win): a deals export knows the lead is in the pipeline. An
/// open deal takes a win likewise (a Salesforce lead "Closed - Converted" is an open deal
/// until its opportunities export says it was won); a loss it does not take, as the book
/// may have reopened it since.
/// Returns the merged lead, and the status it left when it took the row's.
pub fn merge_import(existing: &Lead, incoming: &Lead, label: &str) -> (Lead, Option<Status>) {
    let mut merged = merge_leads(existing, incoming, label);
    let unworked = matches!(
        existing.status,
        Status::New | Status::Working | Status::Open
    );
    if unworked && progress(incoming.status) > progress(existing.status) {
        take_state(&mut merged, existing, incoming);
        // The row's dates come with its state: the lead was received by the earlier of the
        // two, so that it never closes before it was received.
        merged.received_at = existing.received_at.min(incoming.received_at);
        return (merged, Some(existing.status));
    }
    (merged, None)
}

/// How far a lead has come, for [`merge_by_hand`] and [`merge_import`].
fn progress(s: Status) -> u8 {
    match s {
        Status::Lost | Status::Disqualified => 0,
        Status::New => 1,
        Status::Working => 2,
        Status::Open => 3,
        Status::Won => 4,
    }
}

fn merge_extra(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let parse = |s: Option<&str>| {
        s.and_then(|s| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s).ok())
    };
    match (parse(a), parse(b)) {
        (Some(mut x), Some(y)) => {
            for (k, v) in y {
                x.entry(k).or_insert(v);
            }
            // United past the limit, the lead keeps its own (the row's stay in the file).
            serde_json::to_string(&x)
                .ok()
                .filter(|u| super::text::chars_over(u, super::text::TEXT_MAX_CHARS).is_none())
                .or_else(|| a.map(str::to_string))
        }
        (Some(_), None) => a.map(str::to_string),
        (None, _) => b.map(str::to_string),
    }
}

/// Whether two records that share an e-mail address are one person: the same name (its words
/// in any order, case and accents aside, or one name's words all within the other's: "Jane
/// Doe", "Doe, Jane", "Jane M. Doe"). A shared address is no evidence against two different
/// names, not even at one company: strangers who share one — a placeholder such as `a@a.com` a
/// CRM's users typed for people they had none for, or a company's `info@` — are kept apart.
/// A record with no name of its own (an import names it after its e-mail or company) says
/// nothing against the other.
pub fn same_person(a: &Lead, b: &Lead) -> bool {
    if unnamed(a) || unnamed(b) {
        return true;
    }
    let (na, nb) = (name_words(&a.name), name_words(&b.name));
    !na.is_empty()
        && !nb.is_empty()
        && (na.iter().all(|w| nb.contains(w)) || nb.iter().all(|w| na.contains(w)))
}

/// Whether a deal row and a lead that share an e-mail are one party: the same person
/// ([`same_person`]), or the same company (its legal form aside) or company website (HubSpot's
/// deals name their company only by its domain). For deal files only, whose rows may be named
/// after the deal ("Acme - 50 seats") rather than after its person, so that a name cannot tell.
pub fn same_party(a: &Lead, b: &Lead) -> bool {
    let same = |x: &Option<String>, y: &Option<String>, key: fn(&str) -> String| match (x, y) {
        (Some(x), Some(y)) => {
            let (x, y) = (key(x), key(y));
            !x.is_empty() && x == y
        }
        _ => false,
    };
    same_person(a, b)
        || same(&a.company, &b.company, company_key)
        || same(&a.website, &b.website, site_key)
}

/// A website as its host, lower case, without scheme, `www.` or path: `https://www.Acme.example/`
/// and `acme.example` are one.
fn site_key(site: &str) -> String {
    let s = site.trim().to_lowercase();
    let s = s.split_once("://").map_or(s.as_str(), |(_, rest)| rest);
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

/// A record named after its e-mail or its company: it has no name of its own.
fn unnamed(l: &Lead) -> bool {
    l.name.contains('@')
        || l.company
            .as_deref()
            .is_some_and(|c| c.trim() == l.name.trim())
}

/// Whether a deal row is the deal a lead already is, the two being one person: yes onto a lead
/// that is no deal yet (an inquiry the deal moves on, as a deals export after a leads export
/// does); else the same id, or the same value at the same stage and status. A person's second
/// deal is a deal of its own, so that no open deal merges into a lost one.
pub fn same_deal(existing: &Lead, deal: &Lead) -> bool {
    if matches!(existing.status, Status::New | Status::Working) && existing.stage.is_none() {
        return true;
    }
    // The same id; or, as a deal merged onto a person keeps the person's id, the same value at
    // the same stage and status (the same export imported again).
    existing.external_id.is_some() && existing.external_id == deal.external_id
        || existing.value_cents == deal.value_cents
            && existing.currency == deal.currency
            && existing.status == deal.status
            && existing.stage == deal.stage
}

/// A name's words, lower case without accents, initials left out ("M." says little).
fn name_words(name: &str) -> Vec<String> {
    folded_words(name)
        .into_iter()
        .filter(|w| w.chars().count() > 1)
        .collect()
}

/// A company's name without its legal form, as one key: "Acme GmbH" and "ACME" are one.
pub(super) fn company_key(company: &str) -> String {
    const FORMS: [&str; 24] = [
        "gmbh",
        "ag",
        "kg",
        "inc",
        "llc",
        "ltd",
        "limited",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "sa",
        "sl",
        "srl",
        "spa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "ab",
        "oy",
        "pty",
        "the",
    ];
    folded_words(company)
        .into_iter()
        .filter(|w| !FORMS.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower-case words without accents (`José` → `jose`), split at anything but a letter or digit.
pub(super) fn folded_words(s: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let folded: String = s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn merged_notes_stay_within_the_limit() {
        let mut notes = Some("n".repeat(99_990));
        super::append_note(&mut notes, &Some("x".repeat(50)), "f.csv");
        let n = notes.unwrap();
        assert_eq!(n.chars().count(), crate::domain::text::TEXT_MAX_CHARS);
        assert!(n.ends_with('…'));
    }

    #[test]
    fn a_shared_address_is_one_person_only_with_a_name_in_common() {
        use super::{same_party, same_person};
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let l = |name: &str, company: Option<&str>| {
            let mut l = super::Lead::received("u".into(), name.into(), "me".into(), at);
            l.company = company.map(String::from);
            l
        };
        let jose = l("José Obando", Some("Obando Ltda"));
        assert!(same_person(&jose, &l("Jose OBANDO", Some("Other"))));
        assert!(same_person(&jose, &l("Obando, José", None)));
        assert!(same_person(&l("Jane Doe", None), &l("Jane M. Doe", None)));
        // Another name at the same company is another person (a placeholder address on a
        // whole account's rows), even one of the same family.
        assert!(!same_person(&jose, &l("Maria Paz", Some("OBANDO LTDA."))));
        assert!(!same_person(
            &jose,
            &l("Alexandra Obando", Some("Obando Ltda"))
        ));
        assert!(!same_person(
            &l("Ann Lee", Some("Acme GmbH")),
            &l("Bo Chan", Some("ACME"))
        ));
        assert!(!same_person(&jose, &l("Maria Paz", Some("Paz y Cia"))));
        assert!(!same_person(&jose, &l("Maria Paz", None)));
        // A row named after its e-mail says nothing against a name.
        assert!(same_person(&jose, &l("jose@obando.example", None)));
        assert!(same_person(
            &l("Obando Ltda", Some("Obando Ltda")),
            &l("Ana Paz", None)
        ));
        // A deal named after itself is its company's.
        assert!(same_party(
            &l("Ann Lee", Some("Acme GmbH")),
            &l("Acme - 50 seats", Some("ACME"))
        ));
        assert!(!same_party(&jose, &l("Maria Paz", Some("Paz y Cia"))));
        let site = |name: &str, w: &str| {
            let mut x = l(name, None);
            x.website = Some(w.into());
            x
        };
        assert!(same_party(
            &site("Long Group - New Business", "long.example"),
            &site("Ann Lee", "https://www.Long.example/about")
        ));
        assert!(!same_party(
            &site("Long Group - New Business", "long.example"),
            &site("Ann Lee", "short.example")
        ));
    }

    use super::*;
    use chrono::{TimeZone, Utc};

    /// A merged row's own external id is kept with the lead (a history import finds its
    /// activities by it), once, as are the ids merged into that row before.
    #[test]
    fn a_merged_rows_external_id_is_kept_in_extra() {
        let mut lead = lead("Ana Lind", Some("ana@lind.example"));
        lead.external_id = Some("00Q1".into());
        let mut contact = lead.clone();
        contact.external_id = Some("0031".into());
        contact.extra = Some(r#"{"Title":"CEO"}"#.into());
        let m = merge_leads(&lead, &contact, "Contact.csv");
        assert_eq!(m.external_id.as_deref(), Some("00Q1"));
        assert_eq!(merged_ids(m.extra.as_deref().unwrap()), ["0031"]);
        assert!(m.extra.as_deref().unwrap().contains("CEO"));
        let again = merge_leads(&m, &contact, "Contact.csv");
        assert_eq!(again.extra, m.extra, "once");
        let mut other = lead.clone();
        other.external_id = Some("0032".into());
        other.extra = Some(format!(r#"{{"{MERGED_IDS}":"0039"}}"#));
        let m = merge_leads(&m, &other, "More.csv");
        assert_eq!(
            merged_ids(m.extra.as_deref().unwrap()),
            ["0031", "0039", "0032"]
        );
        // The same id, or none, adds nothing.
        assert_eq!(merge_leads(&lead, &lead, "f.csv").extra, lead.extra);
    }

    fn lead(name: &str, email: Option<&str>) -> Lead {
        let mut l = Lead::received(
            "u".into(),
            name.into(),
            "me".into(),
            Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap(),
        );
        l.email = email.map(str::to_string);
        l
    }

    #[test]
    fn merge_fills_gaps_appends_notes_and_unites_tags() {
        let mut a = lead("Jane", Some("j@x.example"));
        a.notes = Some("first".into());
        a.tags = vec!["x".into()];
        a.extra = Some(r#"{"k":"1"}"#.into());
        let mut b = lead("Jane D", Some("J@X.example"));
        b.company = Some("Acme".into());
        b.notes = Some("second".into());
        b.tags = vec!["x".into(), "y".into()];
        b.extra = Some(r#"{"k":"2","m":"3"}"#.into());
        let m = merge_leads(&a, &b, "f.csv");
        assert_eq!(m.name, "Jane");
        assert_eq!(m.company.as_deref(), Some("Acme"));
        assert_eq!(m.notes.as_deref(), Some("first\n\n[f.csv] second"));
        assert_eq!(m.tags, vec!["x", "y"]);
        assert_eq!(m.extra.as_deref(), Some(r#"{"k":"1","m":"3"}"#));
    }

    #[test]
    fn merging_by_hand_keeps_the_other_values_on_the_timeline_and_trashes_the_duplicate() {
        let now = Now::utc(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let mut kept = lead("Jane Doe", Some("jane@acme.example"));
        kept.uid = "k".into();
        kept.phone = Some("+49 30 1".into());
        let mut gone = lead("jane doe", Some("JANE@acme.example"));
        gone.uid = "g".into();
        gone.phone = Some("+49 30 2".into());
        gone.company = Some("Acme".into());
        let (k, g) = merge_by_hand(&kept, &gone, &now).unwrap();
        assert_eq!(k.lead.company.as_deref(), Some("Acme"));
        assert_eq!(k.lead.phone.as_deref(), Some("+49 30 1"));
        assert_eq!(k.lead.deleted_at, None);
        let note = k.entries[0].note.as_deref().unwrap();
        // Same name and e-mail but for case: only the phone differs.
        assert!(note.ends_with("(its own: phone +49 30 2)"), "{note}");
        assert_eq!(g.lead.deleted_at, Some(now.utc));
        assert!(
            g.entries[0]
                .note
                .as_deref()
                .unwrap()
                .starts_with("merged into Jane Doe")
        );
        assert_eq!(k.lead.status, Status::New, "neither has come further");
        // A worked duplicate brings its state: merged either way round, the lead is working,
        // with the worked one's next follow-up and the earlier receipt.
        gone.status = Status::Working;
        gone.next_follow_up = Some(now.utc + chrono::Duration::days(3));
        gone.received_at = kept.received_at - chrono::Duration::days(1);
        let (k, _) = merge_by_hand(&kept, &gone, &now).unwrap();
        assert_eq!(
            (k.lead.status, k.lead.next_follow_up, k.lead.received_at),
            (Status::Working, gone.next_follow_up, gone.received_at)
        );
        assert!(
            k.entries[0]
                .note
                .as_deref()
                .unwrap()
                .contains("new → working")
        );
        let (k, _) = merge_by_hand(&gone, &kept, &now).unwrap();
        assert_eq!(k.lead.status, Status::Working);
        assert_eq!(k.lead.next_follow_up, gone.next_follow_up);
        // A lost duplicate with a class leaves a new lead new, and unqualified.
        let mut lost = gone.clone();
        lost.status = Status::Lost;
        lost.class = Some(crate::domain::Class::A);
        let mut fresh = kept.clone();
        fresh.status = Status::New;
        let (k, _) = merge_by_hand(&fresh, &lost, &now).unwrap();
        assert_eq!((k.lead.status, k.lead.class), (Status::New, None));
        assert!(merge_by_hand(&kept, &kept, &now).is_err());
        assert!(
            merge_by_hand(&kept, &g.lead, &now).is_err(),
            "not from the trash"
        );
    }

    #[test]
    fn an_imported_deal_moves_a_new_lead_on_but_the_book_wins_otherwise() {
        use crate::domain::Stage;
        let book = lead("Jane", Some("j@x.example"));
        let mut deal = lead("Jane D", Some("j@x.example"));
        deal.status = Status::Open;
        deal.stage = Some(Stage::Proposal);
        deal.value_cents = Some(900_000);
        let (m, left) = merge_import(&book, &deal, "deals.csv");
        assert_eq!(left, Some(Status::New));
        assert_eq!(
            (m.status, m.stage, m.value_cents),
            (Status::Open, Some(Stage::Proposal), Some(900_000))
        );
        assert_eq!(m.uid, book.uid);
        // A deal won before the book received the lead: received by then.
        let mut won = deal.clone();
        won.status = Status::Won;
        won.received_at = book.received_at - chrono::Duration::days(60);
        won.closed_at = Some(book.received_at - chrono::Duration::days(10));
        let (m, _) = merge_import(&book, &won, "deals.csv");
        assert_eq!(m.received_at, won.received_at);
        assert!(m.closed_at.unwrap() >= m.received_at);
        // A lead the book closed keeps its state, and so does one further on than the row.
        let mut lost = book.clone();
        lost.status = Status::Lost;
        let (m, left) = merge_import(&lost, &deal, "deals.csv");
        assert_eq!((m.status, left), (Status::Lost, None));
        let mut won = book.clone();
        won.status = Status::Won;
        assert_eq!(merge_import(&won, &deal, "deals.csv").0.status, Status::Won);
        // An open deal (a converted Salesforce lead) takes a win, not a loss.
        let mut open = book.clone();
        open.status = Status::Open;
        let mut row_won = deal.clone();
        row_won.status = Status::Won;
        let (m, left) = merge_import(&open, &row_won, "opportunities.csv");
        assert_eq!((m.status, left), (Status::Won, Some(Status::Open)));
        let mut row_lost = deal.clone();
        row_lost.status = Status::Lost;
        assert_eq!(merge_import(&open, &row_lost, "opportunities.csv").1, None);
    }
}
