//! The detail pane: the selected lead's fields, priority breakdown, next follow-up and
//! timeline, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clean, fit, wrap};
use crate::domain::priority::{self, Due};
use crate::tui::app::App;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(d) = &app.detail else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border);
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            Paragraph::new(Span::styled(
                fit("No lead selected.", inner.width as usize),
                t.dim,
            )),
            inner,
        );
        return;
    };
    let l = &d.row.lead;
    let title = match &l.company {
        Some(c) => format!(" #{} {} · {} ", d.row.number, clean(&l.name), clean(c)),
        None => format!(" #{} {} ", d.row.number, clean(&l.name)),
    };
    let inner = super::boxed(f, area, &title, t.border, t);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut push = |text: String, style: Style| {
        for part in wrap(&text, w) {
            lines.push(Line::from(Span::styled(part, style)));
        }
    };
    let contact: Vec<String> = [&l.title, &l.email, &l.phone]
        .into_iter()
        .flatten()
        .map(|s| clean(s))
        .collect();
    if !contact.is_empty() {
        push(contact.join(" · "), t.base);
    }
    let mut state = vec![l.status.as_str().to_string()];
    if let Some(c) = l.class {
        state.push(format!("class {c}"));
    }
    if let Some(s) = l.stage {
        state.push(s.as_str().to_string());
    }
    if let Some(v) = l.value_cents {
        state.push(app.plan.money(v, l.currency.as_deref()));
    }
    if let Some(r) = l.ripe_on {
        state.push(format!("ripe {}", app.now.local_date(r).format("%b %Y")));
    }
    push(state.join(" · "), t.base);
    // In a team's book, the default owner is no one yet.
    let owner = if app.team && crate::domain::lead::is_unassigned(&l.owner) {
        "unassigned".into()
    } else {
        clean(&l.owner)
    };
    let mut who = vec![format!("owner {owner}")];
    if app.fresh.contains(&l.uid) {
        who.push(super::queue::NEW_TO_YOU.to_string());
    }
    if let Some(s) = &l.source {
        who.push(format!("source {}", clean(s)));
    }
    who.push(format!(
        "since {}",
        app.now.local_date(l.received_at).format("%d %b %Y")
    ));
    push(who.join(" · "), t.dim);
    if !l.tags.is_empty() {
        push(
            format!(
                "tags {}",
                l.tags
                    .iter()
                    .map(|s| clean(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            t.dim,
        );
    }
    // What an import kept beside the lead, under its file's headers: the first few, so that a
    // file with dozens of columns does not push the plan and the timeline off the pane.
    const EXTRA_SHOWN: usize = 4;
    let fields = &d.extra;
    if !fields.is_empty() {
        let mut extra: Vec<String> = fields
            .iter()
            .take(EXTRA_SHOWN)
            .map(|(k, v)| format!("{}: {}", clean(k), clean(v)))
            .collect();
        if fields.len() > EXTRA_SHOWN {
            extra.push(format!("+{} more (ripen show)", fields.len() - EXTRA_SHOWN));
        }
        push(extra.join(" · "), t.dim);
    }
    if let Some(reason) = &l.reason {
        let mut s = format!("reason {}", clean(reason));
        if let Some(n) = &l.reason_note {
            s.push_str(&format!(" ({})", clean(n)));
        }
        push(s, t.dim);
    }
    let (next, style) = match (l.next_follow_up, priority::due(l, &app.now)) {
        (Some(at), Due::Overdue(n)) => (
            format!(
                "next: ‼ overdue {n}d, since {}",
                app.now.local_date(at).format("%a %d %b")
            ),
            t.late,
        ),
        (Some(at), Due::Today) => (
            format!(
                "next: ! due today {}",
                app.now.local_time(at).format("%H:%M")
            ),
            t.warn,
        ),
        (Some(at), _) => (
            format!("next: {}", app.now.local_date(at).format("%a %d %b %Y")),
            t.base,
        ),
        (None, _) => ("next: none".to_string(), t.dim),
    };
    // A won lead has nothing next and no priority: those lines would only say nothing.
    if l.status != crate::domain::Status::Won {
        push(next, style);
    }
    let terms: Vec<String> = d
        .breakdown
        .terms
        .iter()
        .map(|term| format!("{} {:.0}", term.name, term.points))
        .collect();
    if !terms.is_empty() {
        push(
            format!(
                "priority {:.0} = {}",
                crate::record::whole_priority(d.breakdown.total),
                terms.join(" + ")
            ),
            t.base,
        );
    }
    if let Some(n) = &l.notes {
        push(format!("notes: {}", clean(n)), t.dim);
    }
    let skip = app.timeline_skip.min(d.timeline.len().saturating_sub(1));
    let rule = if skip > 0 {
        format!(
            "─ timeline · {skip} newer above ({}) ─────────────────────────────",
            app.label(crate::tui::keymap::Command::PageUp)
        )
    } else {
        "─ timeline ─────────────────────────────────────────────".to_string()
    };
    lines.push(Line::from(Span::styled(fit(&rule, w), t.border)));
    // An entry's note wraps: three lines beside a list, all of it when the detail fills the
    // screen (Enter), so that a long call note can be read in the app.
    let full = app.areas().main.height == 0;
    let most = if full { usize::MAX } else { 3 };
    for a in d.timeline.iter().skip(skip) {
        let mut s = format!(
            "{}  {:<7} ",
            app.now.local_date(a.at).format("%d %b"),
            a.kind.as_str()
        );
        if let Some(o) = &a.outcome {
            s.push_str(&format!("{} ", clean(o)));
        }
        if let Some(n) = &a.note {
            s.push_str(&clean(n));
        }
        if let Some(by) = a.by_words() {
            s.push_str(&clean(&by));
        }
        let parts = wrap(&s, w);
        let cut_short = parts.len() > most;
        for (i, part) in parts.into_iter().take(most).enumerate() {
            let last = i + 1 == most;
            let text = if last && cut_short {
                fit(&format!("{part}…"), w)
            } else {
                fit(&part, w)
            };
            lines.push(Line::from(Span::styled(text, t.base)));
        }
        if lines.len() >= inner.height as usize {
            break;
        }
    }
    lines.truncate(inner.height as usize);
    f.render_widget(Paragraph::new(lines), inner);
}
