//! Merging a duplicate into the lead already in the book: empty fields are filled, notes
//! appended under the source's label, tags and extra fields united. Pure: the import decides
//! which leads are duplicates, this decides what the merged lead is.

use super::lead::{Lead, Status};

fn append_note(into: &mut Option<String>, add: &Option<String>, label: &str) {
    let Some(add) = add.as_deref().filter(|a| !a.trim().is_empty()) else {
        return;
    };
    match into {
        Some(have) if have.contains(add) => {}
        Some(have) => {
            have.push_str(&format!("\n\n[{label}] {add}"));
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
        value_cents,
        class,
        stage
    );
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
    m
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
            serde_json::to_string(&x).ok()
        }
        (Some(_), None) => a.map(str::to_string),
        (None, _) => b.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

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
}
