//! `ripen report`: aligned tables for people (as the app shows them, see `report::display`),
//! `--json` and `--csv` for scripts.

use anyhow::Result;
use serde_json::{Map, Value};
use std::io::Write;

use super::Ctx;
use super::args::{ByArg, ReportArgs};
use super::table::Table;
use crate::domain::time::parse_when;
use crate::report::{self, Report, display};
use crate::store::{By, Period};

pub fn run(a: ReportArgs, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let since = match &a.since {
        Some(w) => parse_when(w, &now)?,
        None => chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
    };
    let until = match &a.until {
        Some(w) => parse_when(w, &now)?,
        None => now.utc + chrono::Duration::seconds(1),
    };
    let period = Period { since, until };
    let by = match a.by {
        ByArg::Source => By::Source,
        ByArg::Owner => By::Owner,
        ByArg::Month => By::Month,
    };
    let reports: Vec<Report> = match &a.name {
        Some(n) => vec![Report::named(n)?],
        None => Report::ALL.to_vec(),
    };
    let currency = ctx.store.plan().currency.clone();
    let owners = super::list::owners(a.owner.as_deref(), ctx.store)?;
    let mut all = Map::new();
    for report in &reports {
        let name = report.name();
        let rows = ctx
            .store
            .scoped_to(owners.as_ref(), |s| {
                report::compute(s, *report, &period, by, &now)
            })?
            .objects();
        if a.json {
            all.insert(
                name.to_string(),
                Value::Array(rows.into_iter().map(Value::Object).collect()),
            );
        } else if a.csv {
            write_csv(ctx.out, &rows, reports.len() > 1, name)?;
        } else {
            // Which leads a bounded period counts: "funnel · received 2026-11-01 – 2026-12-01".
            let bounded = a.since.is_some() || a.until.is_some();
            let title = match report.period_basis() {
                Some(basis) if bounded => format!(
                    "{name} · {} {} – {}",
                    basis.as_str(),
                    now.local_date(since).format("%Y-%m-%d"),
                    now.local_date(until).format("%Y-%m-%d")
                ),
                _ => name.to_string(),
            };
            for table in report::tables(name, &rows) {
                match table.caption {
                    Some(c) => writeln!(ctx.out, "{title}: {c}")?,
                    None => writeln!(ctx.out, "{title}")?,
                }
                write_table(ctx.out, &table, &currency)?;
                writeln!(ctx.out)?;
            }
        }
    }
    if a.json {
        // One report: its array; all of them: an object of arrays.
        let value = if reports.len() == 1 {
            all.into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::Null)
        } else {
            Value::Object(all)
        };
        crate::io::json::write_pretty(&mut *ctx.out, &value)?;
        writeln!(ctx.out)?;
    }
    Ok(())
}

/// One of a report's tables, as `report::display` writes it: text left-aligned, numbers right.
fn write_table(out: &mut dyn Write, table: &report::Table, currency: &str) -> Result<()> {
    if table.rows.is_empty() {
        writeln!(out, "  no data")?;
        return Ok(());
    }
    let keys = table.keys();
    let headers: Vec<String> = keys
        .iter()
        .map(|k| display::header_in(table.report, k))
        .collect();
    // Numbers right-aligned, text left (a column's first value that is not null decides; one
    // of nulls alone is a number not known yet, "–", as the app aligns it).
    let numeric = |k: &str| {
        table
            .rows
            .iter()
            .filter_map(|r| r.get(k))
            .find(|v| !v.is_null())
            .is_none_or(Value::is_number)
    };
    let cols: Vec<(&str, bool, usize)> = headers
        .iter()
        .zip(&keys)
        .map(|(h, k)| {
            // Sums in other currencies take what room they need: one for each currency.
            let widest = if *k == display::OTHER_CURRENCIES {
                80
            } else {
                24
            };
            (h.as_str(), numeric(k), widest)
        })
        .collect();
    let mut t = Table::new(&cols);
    for r in &table.rows {
        t.row(
            keys.iter()
                .map(|k| display::row_cell(r, k, currency))
                .collect(),
        );
    }
    t.write(out)?;
    Ok(())
}

fn write_csv(
    out: &mut dyn Write,
    rows: &[Map<String, Value>],
    with_name: bool,
    name: &str,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    if let Some(first) = rows.first() {
        let mut header: Vec<&str> = first.keys().map(String::as_str).collect();
        if with_name {
            header.insert(0, "report");
        }
        w.write_record(&header)?;
        for r in rows {
            let mut rec: Vec<String> = first
                .keys()
                .map(|k| match r.get(k) {
                    Some(Value::Null) | None => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                })
                .collect();
            if with_name {
                rec.insert(0, name.to_string());
            }
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}
