//! Drawing: a pure function of the app's state. Views read [`App`] and never touch the book.
//! All text from the book passes through `clean_line` and is cut to width here, by hand, never
//! by ratatui's wrapping (ratatui#2679).

mod detail;
mod forms;
mod help;
mod import;
mod inbox;
mod pipeline;
mod queue;
mod recycled;
mod reports;
mod welcome;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::{App, Confirm, Tab};
use super::keymap::Command;
use super::layout;
use super::theme::Theme;
use crate::domain::lead::format_money_short;
use crate::domain::text::clean_line;

/// Draw the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if !layout::big_enough(area) {
        // The size needed matters most: it goes on a line of its own before it is cut.
        let w = area.width as usize;
        let need = format!("(need {}×{})", layout::MIN_WIDTH, layout::MIN_HEIGHT);
        let long = format!("terminal too small {need}");
        let short = format!("too small {need}");
        let lines: Vec<String> = if long.width() <= w {
            vec![long]
        } else if short.width() <= w {
            vec![short]
        } else if area.height >= 2 {
            vec!["too small".into(), need]
        } else {
            vec![need]
        };
        let lines: Vec<Line> = lines.iter().map(|l| Line::from(fit(l, w))).collect();
        let h = (lines.len() as u16).min(area.height);
        f.render_widget(
            Paragraph::new(lines),
            Rect::new(area.x, area.y, area.width, h),
        );
        return;
    }
    let a = app.areas();
    header(f, app, a.header);
    if app.book_empty {
        welcome::draw(
            f,
            app,
            Rect::new(area.x, a.tabs.y, area.width, a.footer.y - a.tabs.y),
        );
    } else {
        tabs(f, app, a.tabs);
        if a.main.height > 0 && a.main.width > 0 {
            match app.tab {
                Tab::Inbox => inbox::draw(f, app, a.main),
                Tab::Queue => queue::draw(f, app, a.main),
                Tab::Pipeline => pipeline::draw(f, app, a.main),
                Tab::Recycled => recycled::draw(f, app, a.main),
                Tab::Reports => reports::draw(f, app, a.main),
            }
        }
        if let Some(d) = a.detail {
            detail::draw(f, app, d);
        }
    }
    footer(f, app, a.footer);
    status(f, app, a.status);
    if let Some(form) = &app.form {
        forms::draw(f, app, form);
    }
    if let Some(p) = &app.import {
        import::draw(f, app, p);
    }
    if let Some(q) = &app.confirm {
        confirm(f, app, q);
    }
    if app.help {
        help::draw(f, app);
    }
}

fn header(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let user = clean(&app.plan.user);
    let left = if user.eq_ignore_ascii_case("me") {
        " ripen · my book".to_string()
    } else {
        format!(" ripen · {user}'s book")
    };
    let right = app.now.local().format("%a %d %b %Y %H:%M ").to_string();
    let w = area.width as usize;
    let rw = right.width();
    let line = if w > rw + left.width() {
        Line::from(vec![
            Span::styled(fit(&left, w - rw), t.title),
            Span::styled(right, t.dim),
        ])
    } else {
        Line::from(Span::styled(fit(&left, w), t.title))
    };
    f.render_widget(Paragraph::new(line), area);
}

/// How much of each tab label fits: every word, the marks and money without the words, or the
/// bare counts. Narrower forms are tried only when the wider one does not fit, so the numbers
/// that matter (late, overdue, value, due) go last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Density {
    Long,
    Middle,
    Short,
}

/// The tab labels with their live counts, at a density.
pub fn tab_labels(app: &App, density: Density) -> Vec<(String, Option<(String, Style)>)> {
    let c = &app.counts;
    let t = &app.theme;
    let cur = &app.plan.currency;
    let word = |w: &str| {
        if density == Density::Long {
            format!(" {w}")
        } else {
            String::new()
        }
    };
    // Values in currencies without a rate are not in the figure: "+MXN" says so.
    let mut value = format_money_short(c.pipeline_value_cents, cur);
    for code in c.pipeline_apart.keys() {
        value.push_str(&format!("+{code}"));
    }
    vec![
        (
            format!("1 Inbox {}", c.inbox),
            (c.inbox_late > 0).then(|| (format!(" ‼{}{}", c.inbox_late, word("late")), t.late)),
        ),
        (
            format!("2 Follow-ups {}", c.queue),
            // `‼` as the overdue rows are marked.
            (c.overdue > 0).then(|| (format!(" ‼{}{}", c.overdue, word("overdue")), t.warn)),
        ),
        (
            match density {
                Density::Long => format!("3 Pipeline {} · {value}", c.pipeline),
                Density::Middle => format!("3 Pipeline {}·{value}", c.pipeline),
                Density::Short => format!("3 Pipeline {}", c.pipeline),
            },
            None,
        ),
        (
            format!("4 Recycled {}", c.recycled),
            (c.recycled_due > 0).then(|| {
                let text = match density {
                    Density::Long => format!(" ·{} due", c.recycled_due),
                    // "due" stays: a bare "·5" after the count would read as a second count.
                    Density::Middle => format!("·{} due", c.recycled_due),
                    Density::Short => format!(" ·{}", c.recycled_due),
                };
                (text, t.warn)
            }),
        ),
        ("5 Reports".to_string(), None),
    ]
}

fn tab_spans(app: &App, density: Density) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    for (i, (label, extra)) in tab_labels(app, density).into_iter().enumerate() {
        if i > 0 {
            let sep = if density == Density::Short {
                "│"
            } else {
                " │ "
            };
            spans.push(Span::styled(sep, t.border));
        }
        let active = i == app.tab.index();
        let style = if active { t.tab_active } else { t.base };
        spans.push(Span::styled(label, style));
        if let Some((words, st)) = extra {
            spans.push(Span::styled(words, if active { t.tab_active } else { st }));
        }
    }
    spans
}

fn tabs(f: &mut Frame, app: &App, area: Rect) {
    let w = area.width as usize;
    let fits = |spans: &Vec<Span>| spans.iter().map(|s| s.content.width()).sum::<usize>() <= w;
    let spans = [Density::Long, Density::Middle]
        .into_iter()
        .map(|d| tab_spans(app, d))
        .find(fits)
        .unwrap_or_else(|| tab_spans(app, Density::Short));
    f.render_widget(Paragraph::new(clip_spans(spans, w)), area);
}

/// Commands the footer offers in each view.
fn footer_commands(app: &App) -> Vec<Command> {
    use Command::*;
    if app.book_empty {
        return vec![Add, Import, Demo, Help, Quit];
    }
    if app.tab == Tab::Reports {
        // The picker's keys are written out in the footer itself (`j/k report`).
        return vec![Period, GroupBy, NextView, Help, Quit];
    }
    let mut v = if app.detail_full() {
        // PgDn is offered when the timeline runs past the screen (about a line an entry).
        let long = app
            .detail
            .as_ref()
            .is_some_and(|d| d.timeline.len() > (app.size.height as usize).saturating_sub(12));
        if long {
            vec![Back, PageDown, Log, Snooze]
        } else {
            vec![Back, Log, Snooze]
        }
    } else {
        vec![Log, Snooze]
    };
    match app.tab {
        Tab::Inbox => v.extend([Qualify, Lose]),
        Tab::Queue => v.extend([Week, Qualify, Lose]),
        Tab::Pipeline => v.extend([StageForward, Win, Lose, Months]),
        // A win is not reactivated: the list of wins does not offer it.
        Tab::Recycled if app.closed == crate::tui::app::Closed::Won => v.extend([Closed]),
        Tab::Recycled => v.extend([Reactivate, Closed]),
        Tab::Reports => {}
    }
    v.extend([Add, Filter, Help, Quit]);
    v
}

fn footer(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    if app.import.is_some() {
        spans.extend([
            Span::styled("Enter", t.key),
            Span::raw(" import  "),
            Span::styled("↑/↓", t.key),
            Span::raw(" scroll  "),
            Span::styled("Esc", t.key),
            Span::raw(" cancel"),
        ]);
    } else if let Some(form) = &app.form {
        // The import form's Enter only reads the file: it says so.
        let enter = if form.kind == crate::tui::form::FormKind::Import {
            " preview  "
        } else {
            " save  "
        };
        spans.extend([
            Span::styled("Enter", t.key),
            Span::raw(enter),
            Span::styled("Tab", t.key),
            Span::raw(" next field  "),
            Span::styled("←/→", t.key),
            Span::raw(" choose  "),
            Span::styled("Esc", t.key),
            Span::raw(" cancel"),
        ]);
    } else if app.filtering {
        spans.extend([
            Span::styled("type", t.key),
            Span::raw(" to filter  "),
            Span::styled("Enter", t.key),
            Span::raw(" keep  "),
            Span::styled("Esc", t.key),
            Span::raw(" clear"),
        ]);
    } else {
        if app.tab == Tab::Reports && !app.book_empty {
            let keys = format!(
                "{}/{}",
                app.keymap.key_label(Command::Down),
                app.keymap.key_label(Command::Up)
            );
            spans.push(Span::styled(keys, t.key));
            spans.push(Span::raw(" report  "));
        }
        let months = app.keymap.hints(&[Command::Months]).first().map(|h| h.1);
        let closed = app.keymap.hints(&[Command::Closed]).first().map(|h| h.1);
        let lose = app.keymap.hints(&[Command::Lose]).first().map(|h| h.1);
        let page = app.keymap.hints(&[Command::PageDown]).first().map(|h| h.1);
        for (key, hint) in app.keymap.hints(&footer_commands(app)) {
            // `m` switches the board and `v` the Recycled list: each offers the one it is not
            // showing.
            let hint = if Some(hint) == months && app.board.months {
                "by stage"
            } else if Some(hint) == closed {
                app.closed.offer()
            } else if Some(hint) == page {
                "older"
            } else if Some(hint) == lose {
                // What `x` does to the leads listed here: an inbox lead is disqualified, an
                // open one lost; the queue holds both.
                match app.tab {
                    Tab::Inbox => "disqualify",
                    Tab::Queue => "close",
                    _ => hint,
                }
            } else {
                hint
            };
            spans.push(Span::styled(key, t.key));
            spans.push(Span::raw(format!(" {hint}  ")));
        }
    }
    f.render_widget(Paragraph::new(clip_spans(spans, area.width as usize)), area);
}

fn status(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let w = area.width as usize;
    let filter = &app.filters[app.tab.index()];
    let left = if app.filtering || !filter.is_empty() {
        format!(
            " /{}{}",
            clean(filter),
            if app.filtering { "▏" } else { "" }
        )
    } else {
        String::new()
    };
    let (msg, style) = match &app.status {
        Some(s) => (
            format!("{} ", clean(&s.text)),
            if s.error { t.error } else { t.good },
        ),
        None => (String::new(), t.base),
    };
    let lw = left.width().min(w);
    let mw = msg.width().min(w.saturating_sub(lw));
    let line = Line::from(vec![
        Span::styled(fit(&left, lw), t.key),
        Span::raw(" ".repeat(w.saturating_sub(lw + mw))),
        Span::styled(fit(&msg, mw), style),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn confirm(f: &mut Frame, app: &App, q: &Confirm) {
    let text = match q {
        Confirm::Delete { name, .. } => format!("Move {} to the trash? y/n", clean(name)),
        Confirm::Reactivate { name, was, .. } => format!(
            "Reactivate {} ({}) into the inbox, due today? y/n",
            clean(name),
            clean(was)
        ),
        Confirm::Quit => "Quit and discard the form's input? y/n".to_string(),
    };
    let area = f.area();
    let w = (text.width() as u16 + 4).min(area.width);
    let r = centered(area, w, 3);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(" Confirm ");
    let inner = block.inner(r);
    f.render_widget(block, r);
    f.render_widget(
        Paragraph::new(Span::styled(
            fit(&text, inner.width as usize),
            app.theme.title,
        )),
        inner,
    );
}

// ------------------------------------------------------------------ helpers

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

/// A table column: a header, a width (flexible ones grow from `width`), and how long it stays
/// when space runs out (lower stays longer).
pub struct Col {
    pub title: &'static str,
    pub width: usize,
    pub flex: bool,
    pub keep: u8,
}

/// Which columns fit in `w`, with their widths, in display order.
pub fn pick_columns(cols: &[Col], w: usize) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|i| cols[*i].keep);
    let mut chosen = Vec::new();
    let mut used = 0;
    for i in order {
        let need = cols[i].width + 1;
        if used + need <= w {
            used += need;
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    let flex: Vec<usize> = chosen.iter().copied().filter(|i| cols[*i].flex).collect();
    let spare = w.saturating_sub(used);
    chosen
        .iter()
        .map(|&i| {
            let mut width = cols[i].width;
            if !flex.is_empty() && cols[i].flex {
                width += spare / flex.len();
                if flex.last() == Some(&i) {
                    width += spare % flex.len();
                }
            }
            (i, width)
        })
        .collect()
}

/// One cell of a row: text and its style.
pub type Cell = (String, Style);

/// Draw a list of leads as a table in a box: header, rows, the `▶` cursor.
/// A table of leads to draw.
pub struct Table<'a> {
    pub title: String,
    pub cols: &'a [Col],
    pub rows: Vec<Vec<Cell>>,
    /// The cursor's row within `rows`.
    pub selected: Option<usize>,
    /// What to say when there are no rows.
    pub empty: &'a str,
}

pub fn draw_table(f: &mut Frame, theme: &Theme, area: Rect, table: Table) {
    let Table {
        title,
        cols,
        rows,
        selected,
        empty,
    } = table;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            cut(&title, area.width.saturating_sub(2) as usize),
            theme.title,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let picked = pick_columns(cols, w.saturating_sub(2));
    let mut lines = Vec::new();
    let mut head = vec![Span::raw("  ")];
    for (i, cw) in &picked {
        head.push(Span::styled(
            format!("{} ", fit(cols[*i].title, *cw)),
            theme.header,
        ));
    }
    lines.push(clip_spans(head, w));
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(
            fit(&format!("  {empty}"), w),
            theme.dim,
        )));
    }
    for (r, cells) in rows.into_iter().enumerate() {
        let sel = selected == Some(r);
        let mut spans = vec![Span::raw(if sel { "▶ " } else { "  " })];
        for (i, cw) in &picked {
            let (text, style) = cells.get(*i).cloned().unwrap_or_default();
            spans.push(Span::styled(format!("{} ", fit(&text, *cw)), style));
        }
        let mut line = clip_spans(spans, w);
        if sel {
            line = line.patch_style(theme.selected);
            // Pad so the highlight spans the row.
            let lw = line.width();
            line.spans.push(Span::styled(
                " ".repeat(w.saturating_sub(lw)),
                theme.selected,
            ));
        }
        lines.push(line);
    }
    lines.truncate(inner.height as usize);
    f.render_widget(Paragraph::new(lines), inner);
}

/// What an empty list says: its own words, unless a filter emptied it (or has found nothing
/// yet, while the rest of the view is still being walked).
pub fn empty_words<'a>(app: &App, own: &'a str) -> &'a str {
    if app.filters[app.tab.index()].is_empty() {
        own
    } else if app.counting {
        "Searching…"
    } else {
        "Nothing matches the filter. Esc clears it."
    }
}

/// A list's length, and the filter narrowing it: "41", or "3 · filter /jane".
pub fn count_words(app: &App, shown: usize) -> String {
    let filter = &app.filters[app.tab.index()];
    if filter.is_empty() {
        format!("{shown}")
    } else if shown >= app.filter_cap || app.counting {
        format!("{shown}+ matching /{}", clean(filter))
    } else {
        format!("{shown} matching /{}", clean(filter))
    }
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
