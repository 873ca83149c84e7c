//! Aligned plain-text tables for people; every cell passes through the sanitiser.

use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

use crate::domain::text::clean_line;

/// A table with a header and right-aligned columns where asked.
pub struct Table {
    header: Vec<String>,
    right: Vec<bool>,
    max: Vec<usize>,
    /// Each row's cells, each with its display width.
    rows: Vec<Vec<(String, usize)>>,
}

impl Table {
    /// Columns as (title, right-aligned, maximum width).
    pub fn new(cols: &[(&str, bool, usize)]) -> Table {
        Table {
            header: cols.iter().map(|c| c.0.to_string()).collect(),
            right: cols.iter().map(|c| c.1).collect(),
            max: cols.iter().map(|c| c.2).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        let cells = cells
            .into_iter()
            .zip(&self.max)
            .map(|(c, &max)| {
                let clean = match clean_line(&c) {
                    std::borrow::Cow::Borrowed(_) => c,
                    std::borrow::Cow::Owned(o) => o,
                };
                let cell = fit_owned(clean, max);
                let w = cell.width();
                (cell, w)
            })
            .collect();
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.header.len();
        let header: Vec<(String, usize)> =
            self.header.iter().map(|h| (h.clone(), h.width())).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.1).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.1);
            }
        }
        let mut line = String::new();
        for r in std::iter::once(&header).chain(&self.rows) {
            line.clear();
            for (i, (c, w)) in r.iter().enumerate().take(n) {
                let pad = widths[i].saturating_sub(*w);
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right[i] {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    if i + 1 < n {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// [`fit`], keeping the cell as it is when it fits.
fn fit_owned(s: String, max: usize) -> String {
    // Every character is at most two columns wide.
    if s.len() * 2 <= max || s.width() <= max {
        return s;
    }
    fit(&s, max)
}

/// Cut a cell to `max` display columns, marking the cut with `…`.
pub fn fit(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_cells_are_sanitised() {
        let mut t = Table::new(&[("#", true, 5), ("name", false, 10)]);
        t.row(vec!["7".into(), "Evil \x1b[2J".into()]);
        t.row(vec!["12".into(), "A very long name indeed".into()]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, " #  name\n 7  Evil ␛[2J\n12  A very lo…\n");
    }
}
