//! Searching the recycled leads by what a rep remembers of them: besides name, company and
//! e-mail, the loss reason and the tags ("budget" finds those lost for budget).

use rusqlite::named_params;

use super::leads::{LeadRow, lead_row, row_select};
use super::queue::like_pattern;
use super::{Result, Store};

const WHERE: &str = "l.status IN ('lost','disqualified') AND l.recycle_on IS NOT NULL \
    AND l.deleted_at IS NULL \
    AND (l.name LIKE :text ESCAPE '\\' OR l.company LIKE :text ESCAPE '\\' \
         OR l.email LIKE :text ESCAPE '\\' OR l.reason LIKE :text ESCAPE '\\' \
         OR l.tags LIKE :text ESCAPE '\\')";

/// `lost budget` → `%lost%budget%`, LIKE's wildcards escaped.
fn like(text: &str) -> String {
    like_pattern(&Some(text.to_string())).unwrap_or_else(|| "%".into())
}

impl Store {
    /// A window of the recycled leads matching `text`, next touch first (as `View::Recycled`).
    pub fn recycled_matching(
        &self,
        text: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<LeadRow>> {
        let sql = format!(
            "SELECT {} FROM leads l JOIN lead_numbers n ON n.lead_uid = l.uid \
             WHERE {WHERE} ORDER BY l.next_follow_up LIMIT :limit OFFSET :offset",
            row_select()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            named_params! {
                ":text": like(text),
                ":limit": i64::try_from(limit).unwrap_or(i64::MAX),
                ":offset": i64::try_from(offset).unwrap_or(i64::MAX),
            },
            lead_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many recycled leads match `text`.
    pub fn recycled_matching_count(&self, text: &str) -> Result<i64> {
        let sql = format!("SELECT count(*) FROM leads l WHERE {WHERE}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(named_params! { ":text": like(text) }, |r| r.get(0))?)
    }
}
