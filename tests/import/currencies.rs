//! Money: amounts keep their currency, symbols are read, a bad currency is named.

use serde_json::Value;

use crate::{Book, find, s};

#[test]
fn money_keeps_its_currency_and_sums_never_mix_currencies() {
    let b = Book::new();
    let file = b.copy_in("exports/salesforce-opportunity-currencies.csv");
    let r = b.import_json(&[s(&file)]);
    assert_eq!(r["new"], 6, "{r}");
    let all = b.list("all");
    let deal = |name: &str| find(&all, "name", name).clone();
    let won = deal("Cervecería Lupita - Cámaras");
    assert_eq!(
        (
            won["status"].as_str(),
            won["value"].as_f64(),
            won["currency"].as_str()
        ),
        (Some("won"), Some(1_200_000.0), Some("MXN"))
    );
    let lost = deal("Transportes Ocaso - Flota");
    assert_eq!(
        (lost["status"].as_str(), lost["currency"].as_str()),
        (Some("lost"), Some("MXN"))
    );
    assert_eq!(deal("Café Sierra Alta - Bodega")["currency"], "COP");
    // The book's own currency is the lead's: EUR, kept as the book's.
    assert_eq!(deal("Rheinkai Logistik - Lager")["currency"], "EUR");
    // Shown in its own currency, never as euros.
    let list = b.ok(&["list", "pipeline"]);
    assert!(list.contains("PEN 310,000"), "{list}");
    assert!(list.contains("$98,000"), "{list}");
    assert!(list.contains("€40,000"), "{list}");
    assert!(!list.contains("€46,000,000"), "{list}");

    // Without rates, a report's figure is the book's currency only; the rest apart, per
    // currency.
    let forecast: Value = serde_json::from_str(&b.ok(&["report", "forecast", "--json"])).unwrap();
    let rows = forecast.as_array().unwrap();
    let value: f64 = rows.iter().map(|r| r["value"].as_f64().unwrap()).sum();
    assert_eq!(value, 40_000.0, "{forecast}");
    let apart = |code: &str| -> f64 {
        rows.iter()
            .filter_map(|r| r["other_currencies"][code].as_f64())
            .sum()
    };
    assert_eq!(
        (apart("COP"), apart("PEN"), apart("USD")),
        (46_000_000.0, 310_000.0, 98_000.0)
    );
    let losses: Value = serde_json::from_str(&b.ok(&["report", "losses", "--json"])).unwrap();
    let reason = losses
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "reason")
        .unwrap();
    assert_eq!(reason["value"], 0.0, "{losses}");
    assert_eq!(reason["other_currencies"]["MXN"], 23_030_000.0, "{losses}");
    let table = b.ok(&["report", "losses"]);
    assert!(table.contains("MXN 23.0M"), "{table}");

    // At rates the user gives, they join the book's figure; a currency without one stays apart.
    std::fs::write(
        b.dir.path().join("none.toml"),
        "[currency_rates]\nUSD = 0.5\nPEN = 0.25\n",
    )
    .unwrap();
    let forecast: Value = serde_json::from_str(&b.ok(&["report", "forecast", "--json"])).unwrap();
    let rows = forecast.as_array().unwrap();
    let value: f64 = rows.iter().map(|r| r["value"].as_f64().unwrap()).sum();
    assert_eq!(value, 40_000.0 + 49_000.0 + 77_500.0, "{forecast}");
    assert!(
        rows.iter()
            .all(|r| r["other_currencies"].get("USD").is_none()),
        "{forecast}"
    );
    let cop: f64 = rows
        .iter()
        .filter_map(|r| r["other_currencies"]["COP"].as_f64())
        .sum();
    assert_eq!(cop, 46_000_000.0);
    // A CSV export keeps each lead's currency, and imports back into the same leads.
    let out = b.dir.path().join("out.csv");
    b.ok(&["export", "all", "--format", "csv", "-o", s(&out)]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().next().unwrap().contains("currency"), "{text}");
    let fresh = Book::new();
    fresh.import_json(&[s(&out)]);
    let back = fresh.list("all");
    assert_eq!(
        find(&back, "name", "Café Sierra Alta - Bodega")["currency"],
        "COP"
    );
    assert_eq!(
        find(&back, "name", "Rheinkai Logistik - Lager")["currency"],
        "EUR"
    );
}

#[test]
fn amounts_read_currency_symbols_and_a_bad_currency_is_named() {
    let b = Book::new();
    let csv = b.dir.path().join("deals.csv");
    std::fs::write(
        &csv,
        "Name,Company,Amount\nAda Ames,Acme,\"$1,200\"\nBo Birk,Birk,£950\nCy Cole,Cole,1.200 €\n\
         Di Dorn,Dorn,CHF 1'500\n",
    )
    .unwrap();
    b.import_json(&[s(&csv)]);
    let all = b.list("all");
    let cur = |name: &str| {
        let l = find(&all, "name", name);
        (
            l["value"].as_f64().unwrap(),
            l["currency"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(cur("Ada Ames"), (1_200.0, "USD".into()));
    assert_eq!(cur("Bo Birk"), (950.0, "GBP".into()));
    assert_eq!(cur("Cy Cole"), (1_200.0, "EUR".into()));
    assert_eq!(cur("Di Dorn"), (1_500.0, "CHF".into()));

    let bad = b.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Name,Amount,Currency\nEd Eck,100,Pesos\nFay Fox,5,USD\n",
    )
    .unwrap();
    let err = b.fails(&["import", s(&bad)]);
    assert!(
        err.contains("bad.csv:2:")
            && err.contains("(column \"Currency\")")
            && err.contains("unknown currency \"Pesos\""),
        "{err}"
    );
}

#[test]
fn a_currency_without_a_value_is_the_deals_and_most_foreign_values_are_said() {
    let b = Book::new();
    let csv = b.dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "Name,Company,Amount,CurrencyIsoCode\nAna Ruiz,X SA,,USD\nBo Birk,Birk,100,USD\n\
         Cy Cole,Cole,200,USD\n",
    )
    .unwrap();
    let r = b.import_json(&[s(&csv)]);
    let notices = r["notices"].to_string();
    assert!(notices.contains("2 in USD"), "{notices}");
    assert!(notices.contains("currency_code = \\\"USD\\\""), "{notices}");
    assert_eq!(r["currencies"], serde_json::json!([["USD", 2]]));
    let all = b.list("all");
    let ana = find(&all, "name", "Ana Ruiz");
    // No value yet: the deal's currency all the same, for a value typed later.
    assert_eq!(ana["currency"], "USD");
    assert_eq!(find(&all, "name", "Bo Birk")["currency"], "USD");
}

/// A file whose amounts show a decimal point (`13837.8375`) reads `27675.675` as twenty-seven
/// thousand, not as twenty-seven million with the point taken for a thousands separator (a real
/// export's PEN deals came in 1000 times too big).
#[test]
fn three_decimals_after_a_point_are_decimals_in_a_file_that_writes_them_so() {
    let b = Book::new();
    let csv = b.dir.path().join("opps.csv");
    std::fs::write(
        &csv,
        "Name,Amount,CurrencyIsoCode\nAna Ruiz,27675.675,PEN\nBo Birk,13837.8375,PEN\nCy Cole,1.200,PEN\n",
    )
    .unwrap();
    b.import_json(&[s(&csv)]);
    let all = b.list("all");
    assert_eq!(find(&all, "name", "Ana Ruiz")["value"], 27_675.68);
    assert_eq!(find(&all, "name", "Bo Birk")["value"], 13_837.84);
    assert_eq!(find(&all, "name", "Cy Cole")["value"], 1.2);
    // Without a sign of its decimal mark, a point before three digits still groups thousands.
    let de = b.dir.path().join("de.csv");
    std::fs::write(&de, "Name,Betrag\nDora Dahl,1.200\n").unwrap();
    let fresh = Book::new();
    fresh.import_json(&[s(&de)]);
    assert_eq!(
        find(&fresh.list("all"), "name", "Dora Dahl")["value"],
        1_200.0
    );
}
