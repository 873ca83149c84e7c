//! The bars around the views: the header, the tab bar with its live counts, the footer's keys
//! and the status line; and the yes/no question's box.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{centered, clean, clip_spans, fit};
use crate::domain::lead::Whose;
use crate::tui::app::{App, Confirm, Overlay, Tab};
use crate::tui::keymap::Command;

pub(super) fn header(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let user = clean(app.named.as_deref().unwrap_or(&app.plan.user));
    let mut left = if user.eq_ignore_ascii_case("me") {
        " ripen · my book".to_string()
    } else {
        format!(" ripen · {user}'s book")
    };
    // A team's book says whose leads the lists show, and the key that changes it.
    if app.team || app.whose != Whose::Mine {
        left.push_str(&format!(
            " · {} ({})",
            clean(&app.whose_words()),
            app.label(Command::Whose)
        ));
    }
    let right = app.now.local().format("%a %d %b %Y %H:%M ").to_string();
    let w = area.width as usize;
    let rw = right.width();
    // A shared book's conflicts, only when there are some: "· 2 conflicts · C".
    let marker = match app.conflicts {
        0 => String::new(),
        1 => format!(" · 1 conflict · {}", app.label(Command::Conflicts)),
        n => format!(" · {n} conflicts · {}", app.label(Command::Conflicts)),
    };
    let line = if marker.is_empty() {
        if w > rw + left.width() {
            Line::from(vec![
                Span::styled(fit(&left, w - rw), t.title),
                Span::styled(right, t.dim),
            ])
        } else {
            Line::from(Span::styled(fit(&left, w), t.title))
        }
    } else {
        // The marker goes before the date: the date is dropped first when both do not fit.
        let lw = left.width() + marker.width();
        let mut spans = vec![Span::styled(left, t.title), Span::styled(marker, t.warn)];
        if w > rw + lw {
            spans.push(Span::styled(" ".repeat(w - rw - lw), t.title));
            spans.push(Span::styled(right, t.dim));
        }
        clip_spans(spans, w)
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
    let word = |w: &str| {
        if density == Density::Long {
            format!(" {w}")
        } else {
            String::new()
        }
    };
    // Values in currencies without a rate are not in the figure: "+MXN" (or "+3¤") says so.
    let (_, value) =
        crate::domain::money::total_short(&app.plan, c.pipeline_value_cents, &c.pipeline_apart);
    // Each tab's label starts with the key that opens it.
    let k = |c| app.label(c);
    let pipe = k(Command::Pipeline);
    vec![
        (
            format!("{} Inbox {}", k(Command::Inbox), c.inbox),
            (c.inbox_late > 0).then(|| (format!(" ‼{}{}", c.inbox_late, word("late")), t.late)),
        ),
        (
            format!("{} Follow-ups {}", k(Command::Queue), c.queue),
            // `‼` as the overdue rows are marked.
            (c.overdue > 0).then(|| (format!(" ‼{}{}", c.overdue, word("overdue")), t.warn)),
        ),
        (
            match density {
                Density::Long => format!("{pipe} Pipeline {} · {value}", c.pipeline),
                Density::Middle => format!("{pipe} Pipeline {}·{value}", c.pipeline),
                Density::Short => format!("{pipe} Pipeline {}", c.pipeline),
            },
            None,
        ),
        (
            format!("{} Recycled {}", k(Command::Recycled), c.recycled),
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
        (format!("{} Reports", k(Command::Reports)), None),
    ]
}

/// The tab bar's spans, and the columns each tab's label (with its marks) takes.
pub(super) fn tab_spans(app: &App, density: Density) -> (Vec<Span<'static>>, Vec<Range<u16>>) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    let mut at = 1;
    let mut ranges = Vec::new();
    for (i, (label, extra)) in tab_labels(app, density).into_iter().enumerate() {
        if i > 0 {
            let sep = if density == Density::Short {
                "│"
            } else {
                " │ "
            };
            at += sep.width();
            spans.push(Span::styled(sep, t.border));
        }
        let start = at;
        let active = i == app.tab.index();
        let style = if active { t.tab_active } else { t.base };
        at += label.width();
        spans.push(Span::styled(label, style));
        if let Some((words, st)) = extra {
            at += words.width();
            spans.push(Span::styled(words, if active { t.tab_active } else { st }));
        }
        let col = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        ranges.push(col(start)..col(at));
    }
    (spans, ranges)
}

/// Draws the tab bar; returns the columns each tab's label was drawn on (cut to the bar).
pub(super) fn tabs(f: &mut Frame, app: &App, area: Rect) -> Vec<Range<u16>> {
    let w = area.width as usize;
    let fits = |spans: &Vec<Span>| spans.iter().map(|s| s.content.width()).sum::<usize>() <= w;
    let (spans, ranges) = [Density::Long, Density::Middle]
        .into_iter()
        .map(|d| tab_spans(app, d))
        .find(|(s, _)| fits(s))
        .unwrap_or_else(|| tab_spans(app, Density::Short));
    f.render_widget(Paragraph::new(clip_spans(spans, w)), area);
    ranges
        .into_iter()
        .map(|r| r.start.min(area.width)..r.end.min(area.width))
        .collect()
}

/// Commands the footer offers in each view.
pub(super) fn footer_commands(app: &App) -> Vec<Command> {
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

pub(super) fn footer(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    let k = |c| app.label(c);
    // Each overlay's keys, as the user bound them; the tabs' below.
    let keys: Option<Vec<(String, &str)>> = match &app.overlay {
        Some(Overlay::Import(_)) => Some(vec![
            (k(Command::ImportNow), " import  "),
            (
                format!("{}/{}", k(Command::ScrollUp), k(Command::ScrollDown)),
                " scroll  ",
            ),
            (k(Command::ClosePreview), " cancel"),
        ]),
        Some(Overlay::Form(form)) => Some(vec![
            // The import form's Enter only reads the file: it says so.
            (
                k(Command::Save),
                if form.kind == crate::tui::form::FormKind::Import {
                    " preview  "
                } else {
                    " save  "
                },
            ),
            (k(Command::NextField), " next field  "),
            ("←/→".into(), " choose  "),
            (k(Command::Cancel), " cancel"),
        ]),
        Some(Overlay::Filter) => Some(vec![
            ("type".into(), " to filter  "),
            (k(Command::KeepFilter), " keep  "),
            (k(Command::ClearFilter), " clear"),
        ]),
        Some(Overlay::Conflicts(list)) if list.conflicts.is_empty() => {
            Some(vec![(k(Command::CloseConflicts), " close")])
        }
        Some(Overlay::Conflicts(_)) => Some(vec![
            (
                format!("{}/{}", k(Command::ConflictUp), k(Command::ConflictDown)),
                " choose  ",
            ),
            (k(Command::KeepValue), " keep it  "),
            (k(Command::CloseConflicts), " close"),
        ]),
        _ => None,
    };
    if let Some(keys) = keys {
        for (key, words) in keys {
            spans.push(Span::styled(key, t.key));
            spans.push(Span::raw(words));
        }
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

pub(super) fn status(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let w = area.width as usize;
    let filter = app.filter_text();
    let left = if app.filtering() || !filter.is_empty() {
        format!(
            " /{}{}",
            clean(filter),
            if app.filtering() { "▏" } else { "" }
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

pub(super) fn confirm(f: &mut Frame, app: &App, q: &Confirm) -> Rect {
    let yn = format!("{}/{}", app.label(Command::Yes), app.label(Command::No));
    let text = match q {
        Confirm::Delete { name, .. } => format!("Move {} to the trash? {yn}", clean(name)),
        Confirm::Reactivate { name, was, .. } => format!(
            "Reactivate {} ({}) into the inbox, due today? {yn}",
            clean(name),
            clean(was)
        ),
        Confirm::Quit { .. } => format!("Quit and discard the form's input? {yn}"),
        Confirm::Assign { uids, owner } => format!(
            "Hand {} lead{} to {}? {yn}",
            uids.len(),
            if uids.len() == 1 { "" } else { "s" },
            clean(owner)
        ),
        // The value is cleaned already (see `shown_value`).
        Confirm::Keep {
            value, field, name, ..
        } => format!("Keep {value} for {} of {}? {yn}", clean(field), clean(name)),
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
    r
}
