//! Conflicts: two people changed the same field (or the same lifecycle unit) of one lead, each
//! without having seen the other's change, to different values. The fold still builds one lead
//! from them (the greater clock wins, on every laptop); this says that it happened, so that
//! someone can look and keep the other value.
//!
//! Each change of a field records what it replaced: the changes of that field current in its
//! book when it was made (its `seen`). A change no other change of its field replaced is
//! *current*. One field with two current changes of different values is a conflict, until
//! someone sets the field again (which replaces both). Tags are a set (both people's survive),
//! a lead's first record is no one's edit, a purge beats everything, and times recycled add up:
//! none of those conflict.
//!
//! Pure: the store reads the changes.

use super::Now;
use super::changes::{DELETED, STATE, TEXT_FIELDS, VALUE, clock_millis};
use super::text::clean_line;

/// One change as this module reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub uid: String,
    pub field: String,
    /// JSON.
    pub value: Option<String>,
    pub clock: i64,
    pub replica: String,
    pub author: Option<String>,
    /// The uids it replaced, space-separated.
    pub seen: String,
}

/// The unit `field` names, if changes of it can conflict.
pub fn unit(field: &str) -> Option<&'static str> {
    TEXT_FIELDS
        .iter()
        .copied()
        .chain([STATE, VALUE, DELETED])
        .find(|f| *f == field)
}

/// Whether changes of `field` can conflict.
pub fn can_conflict(field: &str) -> bool {
    unit(field).is_some()
}

/// The current changes of `field`: those no other change of it replaced.
pub fn current<'a>(changes: &'a [Change], field: &str) -> Vec<&'a Change> {
    let of: Vec<&Change> = changes.iter().filter(|c| c.field == field).collect();
    of.iter()
        .filter(|c| {
            !of.iter()
                .any(|o| o.seen.split_ascii_whitespace().any(|u| u == c.uid))
        })
        .copied()
        .collect()
}

/// What a new change of `field` replaces (`seen`), or `None` when there is nothing to replace
/// or the field cannot conflict.
pub fn seen_for(changes: &[Change], field: &str) -> Option<String> {
    if !can_conflict(field) {
        return None;
    }
    let mut uids: Vec<&str> = current(changes, field)
        .into_iter()
        .map(|c| c.uid.as_str())
        .collect();
    if uids.is_empty() {
        return None;
    }
    uids.sort_unstable();
    Some(uids.join(" "))
}

/// Whether two values of `field` say the same: two people who both put a lead in the trash did
/// not disagree, whenever each did it.
fn same_meaning(field: &str, a: &Option<String>, b: &Option<String>) -> bool {
    let null = |v: &Option<String>| v.as_deref().is_none_or(|s| s == "null");
    if field == DELETED {
        return null(a) == null(b);
    }
    a == b
}

/// A conflict on one field of one lead: the change that won, and the others that were current
/// beside it with other values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: String,
    pub winner: Change,
    pub others: Vec<Change>,
}

/// Every conflict among one lead's changes, by field.
pub fn conflicts(changes: &[Change]) -> Vec<Conflict> {
    let mut fields: Vec<&str> = changes
        .iter()
        .map(|c| c.field.as_str())
        .filter(|f| can_conflict(f))
        .collect();
    fields.sort_unstable();
    fields.dedup();
    let mut out = Vec::new();
    for field in fields {
        let now = current(changes, field);
        if now.len() < 2 {
            continue;
        }
        // The winner is the fold's: the greatest (clock, replica, uid).
        let Some(winner) = now
            .iter()
            .max_by(|a, b| (a.clock, &a.replica, &a.uid).cmp(&(b.clock, &b.replica, &b.uid)))
        else {
            continue;
        };
        let mut others: Vec<Change> = now
            .iter()
            .filter(|c| c.uid != winner.uid && !same_meaning(field, &c.value, &winner.value))
            .map(|c| (*c).clone())
            .collect();
        if others.is_empty() {
            continue;
        }
        others.sort_by(|a, b| (b.clock, &b.replica).cmp(&(a.clock, &a.replica)));
        out.push(Conflict {
            field: field.to_string(),
            winner: (*winner).clone(),
            others,
        });
    }
    out
}

/// A change's value as people read it: a field's text, a lifecycle unit's status and stage, an
/// amount, the trash. Cleaned: safe to print on one line.
pub fn shown_value(field: &str, value: Option<&str>) -> String {
    let Some(v) = value else {
        return "(empty)".into();
    };
    let json: serde_json::Value = serde_json::from_str(v).unwrap_or(serde_json::Value::Null);
    let text = match field {
        STATE => {
            let get = |k: &str| json.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let mut parts: Vec<String> = get("status").into_iter().collect();
            for k in ["stage", "class", "reason"] {
                if let Some(x) = get(k) {
                    parts.push(format!("{k} {x}"));
                }
            }
            parts.join(", ")
        }
        VALUE => match (
            json.get("cents").and_then(|c| c.as_i64()),
            json.get("currency"),
        ) {
            (Some(c), Some(cur)) => format!(
                "{}.{:02} {}",
                c / 100,
                (c % 100).abs(),
                cur.as_str().unwrap_or("")
            ),
            (Some(c), None) => format!("{}.{:02}", c / 100, (c % 100).abs()),
            _ => "(none)".into(),
        },
        DELETED => {
            if json.is_null() {
                "out of the trash".into()
            } else {
                "in the trash".into()
            }
        }
        _ => json.as_str().map_or_else(|| v.to_string(), str::to_string),
    };
    clean_line(&text).into_owned()
}

/// Who made a change and when, in the book's time zone: "Ana on Sun 22 Nov 2026 10:00" (a
/// change with no author is named by its book). Cleaned: safe to print on one line.
pub fn by_when(c: &Change, now: &Now) -> String {
    let at = chrono::DateTime::from_timestamp_millis(clock_millis(c.clock)).unwrap_or_default();
    let who = c.author.clone().unwrap_or_else(|| {
        // By characters: a replica from another book's file is not trusted to be ASCII.
        format!("book {}", c.replica.chars().take(8).collect::<String>())
    });
    format!(
        "{} on {}",
        clean_line(&who),
        now.local_time(at).format("%a %d %b %Y %H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(uid: &str, field: &str, value: &str, clock: i64, replica: &str, seen: &str) -> Change {
        Change {
            uid: uid.into(),
            field: field.into(),
            value: Some(value.into()),
            clock,
            replica: replica.into(),
            author: None,
            seen: seen.into(),
        }
    }

    #[test]
    fn two_edits_that_did_not_see_each_other_conflict_once() {
        let base = ch("a", "phone", "\"1\"", 1, "r1", "");
        let mine = ch("b", "phone", "\"2\"", 5, "r1", "a");
        let theirs = ch("c", "phone", "\"3\"", 4, "r2", "a");
        let all = vec![base, mine.clone(), theirs.clone()];
        let found = conflicts(&all);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].winner, mine);
        assert_eq!(found[0].others, vec![theirs]);
        // Whichever order the changes are in.
        let mut rev = all.clone();
        rev.reverse();
        assert_eq!(conflicts(&rev), found);
    }

    #[test]
    fn an_edit_that_saw_the_other_is_no_conflict_nor_are_equal_values() {
        let base = ch("a", "phone", "\"1\"", 1, "r1", "");
        let then = ch("b", "phone", "\"2\"", 5, "r2", "a");
        assert!(conflicts(&[base.clone(), then]).is_empty());
        let same1 = ch("b", "phone", "\"2\"", 5, "r1", "a");
        let same2 = ch("c", "phone", "\"2\"", 6, "r2", "a");
        assert!(conflicts(&[base.clone(), same1, same2]).is_empty());
        // Different fields never conflict; nor do tags.
        let phone = ch("b", "phone", "\"2\"", 5, "r1", "a");
        let email = ch("c", "email", "\"x\"", 5, "r2", "");
        let tag1 = ch("d", "tag+", "\"hot\"", 5, "r1", "");
        let tag2 = ch("e", "tag+", "\"eu\"", 5, "r2", "");
        assert!(conflicts(&[base, phone, email, tag1, tag2]).is_empty());
        // Both put it in the trash, at other times: they agree.
        let bin1 = ch("f", "deleted", "100", 5, "r1", "");
        let bin2 = ch("g", "deleted", "200", 5, "r2", "");
        assert!(conflicts(&[bin1.clone(), bin2]).is_empty());
        let out = ch("h", "deleted", "null", 6, "r2", "");
        assert_eq!(conflicts(&[bin1, out]).len(), 1);
    }

    #[test]
    fn setting_the_field_again_settles_a_conflict() {
        let base = ch("a", "state", "{}", 1, "r1", "");
        let won = ch("b", "state", "{\"status\":\"won\"}", 5, "r1", "a");
        let lost = ch("c", "state", "{\"status\":\"lost\"}", 4, "r2", "a");
        let mut all = vec![base, won, lost];
        assert_eq!(conflicts(&all).len(), 1);
        let seen = seen_for(&all, "state").unwrap();
        assert_eq!(seen, "b c");
        all.push(ch("d", "state", "{\"status\":\"lost\"}", 9, "r1", &seen));
        assert!(conflicts(&all).is_empty());
        assert_eq!(seen_for(&all, "tag+"), None);
    }

    #[test]
    fn a_value_is_shown_as_people_read_it_and_never_with_control_characters() {
        assert_eq!(shown_value("phone", Some("\"333\"")), "333");
        assert_eq!(shown_value("phone", None), "(empty)");
        assert_eq!(
            shown_value(VALUE, Some("{\"cents\":240050,\"currency\":\"EUR\"}")),
            "2400.50 EUR"
        );
        assert_eq!(
            shown_value(STATE, Some("{\"status\":\"open\",\"stage\":\"ripe\"}")),
            "open, stage ripe"
        );
        assert_eq!(shown_value(DELETED, Some("null")), "out of the trash");
        let hostile = shown_value("name", Some("\"a\\u001b[2Jb\\nc\""));
        assert!(!hostile.chars().any(char::is_control), "{hostile:?}");
    }

    #[test]
    fn who_and_when_names_the_author_else_the_book() {
        use chrono::TimeZone;
        let now = Now::utc(chrono::Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 10, 30, 0)
            .unwrap();
        let mut c = ch(
            "a",
            "phone",
            "\"1\"",
            super::super::changes::clock_at(at),
            "rëplicaXYZ",
            "",
        );
        assert_eq!(by_when(&c, &now), "book rëplicaX on Sun 22 Nov 2026 10:30");
        c.author = Some("Sam\u{1b}[31m".into());
        let shown = by_when(&c, &now);
        assert!(shown.ends_with(" on Sun 22 Nov 2026 10:30"), "{shown}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}
