//! Values in other currencies than the book's. Every sum in SQL (the tallies, the views'
//! totals, the reports) reads `value_cents`, which holds the book's own currency only; the
//! leads whose value is in another (`currency`, `currency_cents`, schema 4) are read here, from
//! their own small index, and summed in Rust by `domain::money` at the rates of the moment:
//! converted where the user gave a rate, else apart, per currency.

use rusqlite::ToSql;

use super::query::Filter;
use super::view_sql::{FILTERS, TEXT_ON_ROWS};
use super::{Result, Store, search};
use crate::domain::{Stage, Status};

/// One lead whose value is in another currency than the book's.
#[derive(Debug, Clone, PartialEq)]
pub struct Foreign {
    pub status: Status,
    pub stage: Option<Stage>,
    pub ripe_on: Option<i64>,
    pub received_at: i64,
    pub closed_at: Option<i64>,
    pub owner: String,
    pub source: Option<String>,
    pub reason: Option<String>,
    pub currency: String,
    pub cents: i64,
}

impl Foreign {
    /// The value with its currency, as `domain::money` sums them.
    pub fn pair(&self) -> (&str, i64) {
        (self.currency.as_str(), self.cents)
    }
}

impl Store {
    /// The leads not in the trash whose value is in another currency, matching `filter`.
    pub fn foreign_values(&self, filter: &Filter) -> Result<Vec<Foreign>> {
        self.foreign_where(filter, "")
    }

    /// The open leads (the pipeline) among [`Store::foreign_values`], read through the index's
    /// status.
    pub fn foreign_open(&self, filter: &Filter) -> Result<Vec<Foreign>> {
        self.foreign_where(filter, " AND l.status = 'open'")
    }

    fn foreign_where(&self, filter: &Filter, status: &str) -> Result<Vec<Foreign>> {
        let text = filter.text.as_deref().map(|t| search::words(t).join(" "));
        let text_sql = if text.is_some() { TEXT_ON_ROWS } else { "" };
        let sql = format!(
            "SELECT l.status, l.stage, l.ripe_on, l.received_at, l.closed_at, l.owner, l.source, \
               l.reason, l.currency, l.currency_cents \
             FROM leads l INDEXED BY leads_foreign \
             WHERE l.currency IS NOT NULL AND l.currency_cents IS NOT NULL \
               AND l.deleted_at IS NULL{status}{FILTERS}{text_sql}"
        );
        let mut params: Vec<(&str, &dyn ToSql)> = vec![
            (":owners", &filter.owners),
            (":source", &filter.source),
            (":tag", &filter.tag),
        ];
        if text.is_some() {
            params.push((":text", &text));
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params.as_slice(), |r| {
            let word = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
            Ok(Foreign {
                status: word(0)?
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(Status::Open),
                stage: word(1)?.and_then(|s| s.parse().ok()),
                ripe_on: r.get(2)?,
                received_at: r.get(3)?,
                closed_at: r.get(4)?,
                owner: r.get(5)?,
                source: r.get(6)?,
                reason: r.get(7)?,
                currency: r.get(8)?,
                cents: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
