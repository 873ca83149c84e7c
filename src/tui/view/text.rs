//! Text as the views print it: made safe, cut to a width by hand (never by ratatui's
//! wrapping, ratatui#2679), wrapped, and placed.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::text::clean_line;
use crate::tui::app::App;

/// A day in a list's column, as the lists write a date that is not this week's: "25 Mar 2026"
/// (the inbox's older leads, the detail's received); "–" for none.
pub fn list_day(app: &App, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(
        || "–".into(),
        |d| app.now.local_date(d).format("%d %b %Y").to_string(),
    )
}

/// Text from the book, safe to print on one line.
pub fn clean(s: &str) -> String {
    clean_line(s).into_owned()
}

/// Cut `s` to `w` display columns (with `…` when cut) and pad it to exactly `w`.
pub fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if s.width() <= w {
        out.push_str(s);
        used = s.width();
    } else if w > 0 {
        for c in s.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > w - 1 {
                break;
            }
            out.push(c);
            used += cw;
        }
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

/// Cut `s` to at most `w` display columns, without padding (for titles).
pub fn cut(s: &str, w: usize) -> String {
    if s.width() <= w {
        s.to_string()
    } else {
        fit(s, w)
    }
}

/// Break text into lines of at most `w` columns, at spaces when it can.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut lw = 0;
        for word in para.split(' ') {
            let ww = word.width();
            if lw > 0 && lw + 1 + ww > w {
                lines.push(std::mem::take(&mut line));
                lw = 0;
            }
            if lw > 0 {
                line.push(' ');
                lw += 1;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if lw + cw > w && lw > 0 {
                    lines.push(std::mem::take(&mut line));
                    lw = 0;
                }
                line.push(c);
                lw += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Keep spans up to `w` columns.
pub fn clip_spans(spans: Vec<Span<'static>>, w: usize) -> Line<'static> {
    let mut used = 0;
    let mut out = Vec::new();
    for s in spans {
        let sw = s.content.width();
        if used + sw <= w {
            used += sw;
            out.push(s);
        } else {
            let rest = w - used;
            if rest > 0 {
                out.push(Span::styled(fit(&s.content, rest), s.style));
            }
            break;
        }
    }
    Line::from(out)
}

/// A rectangle of `w`×`h` centred in `area` (clamped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_wide_characters_by_width() {
        assert_eq!(fit("日本語", 4), "日… ");
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 3), "ab…");
        assert_eq!(fit("x", 0), "");
    }

    #[test]
    fn wrap_never_exceeds_width() {
        for line in wrap("日本語のテキスト and some long words here", 3) {
            assert!(line.width() <= 3, "{line}");
        }
    }
}
