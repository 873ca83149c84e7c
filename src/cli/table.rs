//! Aligned plain-text tables for people; every cell passes through the sanitiser.

use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

use crate::domain::text::clean_line;

/// A table with a header and right-aligned columns where asked.
pub struct Table {
    header: Vec<String>,
    right: Vec<bool>,
    max: Vec<usize>,
    rows: Vec<Vec<String>>,
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
            .map(|(c, &max)| fit(&clean_line(&c), max))
            .collect();
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.width()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.width());
            }
        }
        for r in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate().take(n) {
                let pad = " ".repeat(widths[i].saturating_sub(c.width()));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    if i + 1 < n {
                        line.push_str(&pad);
                    }
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
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
