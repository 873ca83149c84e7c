//! Report rows written for people, the same in the app and in `ripen report`'s tables: headers
//! from the `--json` keys (`win_rate` reads "win %"), rates as percentages, amounts with the
//! book's currency. `--json` and `--csv` keep the keys and the raw numbers, for scripts.

use serde_json::Value;

use crate::domain::lead::format_money;
use crate::domain::text::clean_line;

/// The key of a row's sums in currencies without a rate: an object, ISO code → whole units.
pub const OTHER_CURRENCIES: &str = "other_currencies";

/// Fractions read as percentages.
pub fn is_rate(key: &str) -> bool {
    key.ends_with("_rate")
        || key.ends_with("_share")
        || key == "share_48h"
        || key == "roi"
        || (key.starts_with("won_") && key.ends_with('m'))
}

/// Amounts in the book's currency (the reports give them in whole units, not cents).
pub fn is_money(key: &str) -> bool {
    matches!(key, "value" | "weighted" | "revenue") || key.starts_with("cost")
}

/// [`header`] in a given report: the funnel's `win_rate` is the share of the leads received
/// that were won ("won %", beside "contacted %" and "qualified %"), where the owners' and the
/// losses' is won / (won + lost) ("win %").
pub fn header_in(report: &str, key: &str) -> String {
    match (report, key) {
        ("funnel", "win_rate") => "won %".into(),
        _ => header(key),
    }
}

/// A column's header: the key in words (`leads_per_win` → "leads/win", `win_rate` → "win %").
/// `ripen report --help` defines each metric by its key.
pub fn header(key: &str) -> String {
    match key {
        "roi" => return "ROI".into(),
        "cost" => return "cost, all time".into(),
        "cost_period" => return "cost".into(),
        "share_48h" => return "48h %".into(),
        "oldest_overdue_days" => return "oldest, days".into(),
        // Discipline: stale among the open deals, and among every lead still to be worked
        // (the inbox too), which the bare words left a reader to guess.
        "stale" => return "stale open".into(),
        "active_stale" => return "stale, all active".into(),
        OTHER_CURRENCIES => return "not converted".into(),
        _ => {}
    }
    let (base, rate) = match key
        .strip_suffix("_rate")
        .or_else(|| key.strip_suffix("_share"))
    {
        Some(b) => (b, true),
        None => (key, false),
    };
    let words = base.replace("_per_", "/").replace('_', " ");
    if rate { format!("{words} %") } else { words }
}

/// A fraction as a whole percentage.
pub fn percent(f: f64) -> String {
    format!("{:.0}%", f * 100.0)
}

/// Whole units of money as cents.
pub fn cents(f: f64) -> i64 {
    // `as` saturates, so a wild amount prints big rather than wrapping.
    (f * 100.0).round() as i64
}

/// A row's value for people ([`cell`]): the owners report's row of the unassigned leads reads
/// "(unassigned)" rather than the default owner's name.
pub fn row_cell(row: &serde_json::Map<String, Value>, key: &str, currency: &str) -> String {
    if key == "owner" && row.get("unassigned") == Some(&Value::Bool(true)) {
        return "(unassigned)".into();
    }
    cell(key, row.get(key).unwrap_or(&Value::Null), currency)
}

/// One value written for people, with rates as percentages and money with the currency; text
/// from the book on one line, its control characters neutralised.
pub fn cell(key: &str, v: &Value, currency: &str) -> String {
    match v {
        Value::Null => "–".into(),
        Value::String(s) => clean_line(s).into_owned(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if is_money(key) => format_money(cents(f), currency),
            Some(f) if is_rate(key) => percent(f),
            Some(f) if n.is_f64() => {
                if f.fract() == 0.0 || f.abs() >= 10.0 {
                    format!("{f:.0}")
                } else {
                    format!("{f:.2}")
                }
            }
            _ => n.to_string(),
        },
        // Sums in other currencies, each in its own and short: "MXN 23.0M · $1k".
        Value::Object(o) if key == OTHER_CURRENCIES => {
            let words: Vec<String> = o
                .iter()
                .filter_map(|(c, v)| {
                    let code = crate::domain::money::code_of(c)?;
                    let symbol = crate::domain::money::shown_symbol(code);
                    Some(crate::domain::money::format_money_short(
                        cents(v.as_f64()?),
                        &symbol,
                    ))
                })
                .collect();
            if words.is_empty() {
                "–".into()
            } else {
                words.join(" · ")
            }
        }
        other => clean_line(&other.to_string()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_read_with_rates_and_money() {
        assert_eq!(cell("win_rate", &json!(0.6), "€"), "60%");
        assert_eq!(cell("won_3m", &json!(0.4286), "€"), "43%");
        assert_eq!(cell("revenue", &json!(249500.0), "€"), "€249,500");
        assert_eq!(cell("leads_per_win", &json!(6.5), "€"), "6.50");
        assert_eq!(cell("won", &json!(2), "€"), "2");
        assert_eq!(cell("cost", &Value::Null, "€"), "–");
        assert_eq!(cell("group", &json!("Web\u{1b}[31m"), "€"), "Web␛[31m");
    }

    #[test]
    fn headers_read_as_words() {
        assert_eq!(header("win_rate"), "win %");
        assert_eq!(header("touched_30d_share"), "touched 30d %");
        assert_eq!(header("leads_per_win"), "leads/win");
        assert_eq!(header("cost_per_qualified"), "cost/qualified");
        assert_eq!(header("never_contacted"), "never contacted");
        assert_eq!(header("share_48h"), "48h %");
        assert_eq!(header("roi"), "ROI");
        assert_eq!(header("group"), "group");
    }
}
