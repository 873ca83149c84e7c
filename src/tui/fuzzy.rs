//! Ranking a filtered window by how well each lead matches what the rep typed (nucleo, as fzf
//! does). The store narrows by substring; when every match fits on screen the best one comes
//! first. A longer list keeps the view's own order, so paging stays consistent.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::store::LeadRow;

/// What a lead is matched on: name, company, e-mail and tags.
fn haystack(row: &LeadRow) -> String {
    let l = &row.lead;
    let mut s = l.name.clone();
    for part in [&l.company, &l.email].into_iter().flatten() {
        s.push(' ');
        s.push_str(part);
    }
    for t in &l.tags {
        s.push(' ');
        s.push_str(t);
    }
    s
}

/// Sort `rows` best match first (stable, so equals keep the view's order).
pub fn rank(rows: &mut [LeadRow], query: &str) {
    let query = query.trim();
    if query.is_empty() || rows.len() < 2 {
        return;
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, LeadRow)> = rows
        .iter()
        .map(|r| {
            let h = haystack(r);
            let score = pattern
                .score(Utf32Str::new(&h, &mut buf), &mut matcher)
                .unwrap_or(0);
            (score, r.clone())
        })
        .collect();
    scored.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    for (slot, (_, row)) in rows.iter_mut().zip(scored) {
        *slot = row;
    }
}
