//! Reports: a picker of the eight reports, the chosen one's rows as a table (written for people
//! as `ripen report` writes them, see `report::display`) and a bar chart where one helps.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use super::{clean, clip_spans, cut, fit};
use crate::domain::lead::format_money_short;
use crate::report::display::{cents, header, header_in, percent, row_cell};
use crate::report::{self, NAMES, Rows};
use crate::store::FunnelRow;
use crate::tui::app::{App, by_label, report_uses_grouping, report_uses_period};
use crate::tui::keymap::Command;
use crate::tui::layout;
use crate::tui::theme::Theme;

/// Text columns never grow wider than this; long group names are cut with `…`.
const MAX_TEXT_WIDTH: usize = 18;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let (picker, report) = layout::report_split(area);
    if let Some(p) = picker {
        draw_picker(f, app, p);
    }
    draw_report(f, app, report, picker.is_none());
}

/// The report names, then the period and grouping with the keys that change them.
fn draw_picker(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let inner = super::boxed(f, area, " Reports ", t.border, t);
    let w = inner.width as usize;
    let r = &app.reports;
    let mut lines: Vec<Line> = NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if i == r.selected {
                Line::from(Span::styled(fit(&format!("▶ {name}"), w), t.selected))
            } else {
                Line::from(Span::raw(fit(&format!("  {name}"), w)))
            }
        })
        .collect();
    let setting = |key: Command, hint: &str, value: &str, applies: bool| {
        // A setting this report ignores says so, rather than show a value that changes nothing.
        let (style, value) = if applies {
            (t.base, value)
        } else {
            (t.dim, "– not for this one")
        };
        [
            clip_spans(
                vec![
                    Span::styled(app.keymap.key_label(key), t.key),
                    Span::raw(format!(" {hint}")),
                ],
                w,
            ),
            Line::from(Span::styled(fit(&format!("  {value}"), w), style)),
        ]
    };
    lines.push(Line::default());
    lines.extend(setting(
        Command::Period,
        "period",
        r.period.label(),
        report_uses_period(r.name()),
    ));
    lines.extend(setting(
        Command::GroupBy,
        "group by",
        by_label(r.by),
        report_uses_grouping(r.name()),
    ));
    lines.truncate(inner.height as usize);
    f.render_widget(Paragraph::new(lines), inner);
}

/// "Funnel · all time · by source": what the numbers cover.
fn report_title(app: &App, numbered: bool) -> String {
    let r = &app.reports;
    let name = r.name();
    let mut title = String::from(" ");
    if numbered {
        title.push_str(&format!("{}/{} ", r.selected + 1, NAMES.len()));
    }
    let mut chars = name.chars();
    if let Some(c) = chars.next() {
        title.extend(c.to_uppercase());
        title.push_str(chars.as_str());
    }
    if report_uses_period(name) {
        // Which leads the period counts: "received this quarter", "closed this quarter".
        let basis = r.report().period_basis().map_or("received", |b| b.as_str());
        title.push_str(&format!(" · {basis} {}", r.period.label()));
    } else {
        title.push_str(" · now");
    }
    if report_uses_grouping(name) {
        title.push_str(&format!(" · by {}", by_label(r.by)));
    }
    title.push(' ');
    title
}

fn draw_report(f: &mut Frame, app: &App, area: Rect, numbered: bool) {
    let t = &app.theme;
    let inner = super::boxed(f, area, &report_title(app, numbered), t.border, t);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let r = &app.reports;
    let w = inner.width as usize;
    if let Some(e) = &r.error {
        let line = Line::from(Span::styled(fit(&clean(e), w), t.error));
        f.render_widget(Paragraph::new(line), inner);
        return;
    }
    if r.rows.is_empty() {
        let line = Line::from(Span::styled(fit(" no data for this period", w), t.dim));
        f.render_widget(Paragraph::new(line), inner);
        return;
    }
    let h = inner.height;
    let chart = r.typed.as_ref().and_then(chart_spec);
    let tables = report::tables(r.name(), &r.rows);
    let want: usize = tables.iter().map(|t| t.rows.len() + 2).sum::<usize>() - 1;
    let want = u16::try_from(want).unwrap_or(u16::MAX);
    // The table comes first, whole when it fits (a trial found rows cut off under a chart);
    // a chart takes what is left when that is room for one worth reading.
    let left = h.saturating_sub(want.saturating_add(1));
    let reserve = if chart.is_some() && left >= 6 {
        left.min(14)
    } else {
        0
    };
    let table_h = want.min(h - reserve);
    let mut y = inner.y;
    for table in &tables {
        let left = (inner.y + table_h).saturating_sub(y);
        if left == 0 || table.rows.is_empty() {
            continue;
        }
        let part_h = u16::try_from(table.rows.len() + 1)
            .unwrap_or(u16::MAX)
            .min(left);
        let part = Rect::new(inner.x, y, inner.width, part_h);
        draw_table(f, app, part, table, r.name() == "ripening");
        y += part_h + 1;
    }
    let rest = h - table_h;
    if let Some(spec) = chart
        && reserve > 0
        && rest > 1
    {
        let chart_h = (rest - 1).min(14);
        let chart_area = Rect::new(inner.x, inner.y + table_h + 1, inner.width, chart_h);
        draw_chart(f, t, chart_area, &spec);
    }
}

// ------------------------------------------------------------------ table

/// Right-align `s` in `w` columns (cut with `…` when longer).
fn rfit(s: &str, w: usize) -> String {
    if s.width() >= w {
        fit(s, w)
    } else {
        format!("{}{s}", " ".repeat(w - s.width()))
    }
}

/// The rows as a table: columns kept left to right while they fit (the rest drop from the
/// right), numbers right-aligned. Rows that do not fit are counted on a last line; `latest`
/// keeps the last rows instead of the first (the newest cohorts).
/// One of the report's tables (its columns; every column of the first row when it names none).
fn draw_table(f: &mut Frame, app: &App, area: Rect, table: &report::Table, latest: bool) {
    let t = &app.theme;
    let rows = &table.rows;
    if rows.is_empty() {
        return;
    }
    let cur = &app.plan.currency;
    let keys = table.keys();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| keys.iter().map(|k| row_cell(r, k, cur)).collect())
        .collect();
    let avail = area.width as usize;
    let mut cols: Vec<(usize, usize, bool)> = Vec::new();
    let mut used = 1;
    for (i, k) in keys.iter().enumerate() {
        let text = rows
            .iter()
            .any(|r| matches!(r.get(*k), Some(Value::String(_))));
        let widest = cells.iter().map(|c| c[i].width()).max().unwrap_or(0);
        // As wide as its header in words ("stale, all active"), not its key ("active_stale").
        let mut cw = widest.max(header_in(table.report, k).width());
        if text {
            cw = cw.min(MAX_TEXT_WIDTH);
        }
        // Keep a column of margin before the border.
        if used + cw >= avail {
            if i == 0 {
                cols.push((i, avail.saturating_sub(used), text));
            }
            break;
        }
        cols.push((i, cw, text));
        used += cw + 2;
    }
    let line = |texts: Vec<(String, Style)>| {
        let mut spans = vec![Span::raw(" ")];
        for (j, (s, st)) in texts.into_iter().enumerate() {
            if j > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(s, st));
        }
        clip_spans(spans, avail)
    };
    let mut lines = vec![line(
        cols.iter()
            .map(|&(i, cw, text)| {
                let k = header_in(table.report, keys[i]);
                (if text { fit(&k, cw) } else { rfit(&k, cw) }, t.header)
            })
            .collect(),
    )];
    let room = (area.height as usize).saturating_sub(1);
    let (shown, hidden) = if cells.len() <= room {
        (0..cells.len(), 0)
    } else {
        let n = room.saturating_sub(1);
        let hidden = cells.len() - n;
        if latest {
            (hidden..cells.len(), hidden)
        } else {
            (0..n, hidden)
        }
    };
    let more = |words: &str| {
        Line::from(Span::styled(
            fit(&format!(" … {hidden} {words}"), avail),
            t.dim,
        ))
    };
    if hidden > 0 && latest {
        lines.push(more("earlier"));
    }
    for row in &cells[shown] {
        lines.push(line(
            cols.iter()
                .map(|&(i, cw, text)| {
                    let s = &row[i];
                    if text {
                        (fit(s, cw), t.base)
                    } else if s == "–" {
                        (rfit(s, cw), t.dim)
                    } else {
                        (rfit(s, cw), t.base)
                    }
                })
                .collect(),
        ));
    }
    if hidden > 0 && !latest {
        lines.push(more("more"));
    }
    lines.truncate(area.height as usize);
    f.render_widget(Paragraph::new(lines), area);
}

// ------------------------------------------------------------------ chart

/// A bar chart to draw: its caption and bars (label, value to scale by, text on the bar).
struct ChartSpec {
    title: String,
    bars: Vec<(String, u64, String)>,
    /// When not every bar fits, keep the last ones (the latest months) rather than the first.
    latest: bool,
}

/// Bars scale by thousandths of a share so that 46.2% and 46.8% differ.
fn share_bar(label: String, share: Option<f64>) -> (String, u64, String) {
    match share {
        Some(s) => (label, (s * 1000.0).round().max(0.0) as u64, percent(s)),
        None => (label, 0, "–".into()),
    }
}

/// Money on a bar: short and ASCII-only (the caption names the currency), since the chart
/// centres its text by bytes.
fn money_bar(label: String, v: f64) -> (String, u64, String) {
    let short = format_money_short(cents(v), "");
    (label, v.round().max(0.0) as u64, short)
}

fn count_bar(label: impl Into<String>, n: f64) -> (String, u64, String) {
    let n = n.round().max(0.0) as u64;
    (label.into(), n, n.to_string())
}

/// The chart that helps read each report, if any: read from the typed rows' fields.
fn chart_spec(rows: &Rows) -> Option<ChartSpec> {
    let (title, bars, latest) = match rows {
        Rows::Funnel(rows) => {
            let total = |f: fn(&FunnelRow) -> i64| rows.iter().map(|r| f(&r.counts)).sum::<i64>();
            let bars = vec![
                count_bar("received", total(|r| r.received) as f64),
                count_bar("contacted", total(|r| r.contacted) as f64),
                count_bar("qualified", total(|r| r.qualified) as f64),
                count_bar("won", total(|r| r.won) as f64),
            ];
            (
                "received → contacted → qualified → won, all groups",
                bars,
                false,
            )
        }
        Rows::Speed(rows) => (
            "share contacted within 48 h",
            rows.iter()
                .map(|r| share_bar(clean(&r.counts.group), r.share_48h))
                .collect(),
            false,
        ),
        Rows::Discipline(d) => {
            let c = &d.counts;
            let bars = [
                ("open", c.open),
                ("touched_30d", c.touched_30d),
                ("stale", c.stale),
                ("active_stale", c.active_stale),
            ]
            .into_iter()
            .map(|(k, n)| count_bar(header(k), n as f64))
            .collect();
            ("open leads touched in 30 days, and gone stale", bars, false)
        }
        Rows::Ripening(rows) => (
            "share won so far (up to 12 months), by cohort",
            // The cumulative share at the last month measured.
            rows.iter()
                .map(|r| share_bar(clean(&r.cohort), r.latest()))
                .collect(),
            true,
        ),
        Rows::Losses { reasons, .. } => {
            // One bar a reason, lost and disqualified together (two bars both called "timing"
            // read as a mistake), biggest first.
            let mut by_reason: Vec<(String, i64)> = Vec::new();
            for r in reasons {
                let reason = clean(&r.reason);
                match by_reason.iter_mut().find(|(k, _)| *k == reason) {
                    Some((_, total)) => *total += r.count,
                    None => by_reason.push((reason, r.count)),
                }
            }
            by_reason.sort_by_key(|r| std::cmp::Reverse(r.1));
            (
                "lost and disqualified, by reason",
                by_reason
                    .into_iter()
                    .map(|(reason, n)| count_bar(reason, n as f64))
                    .collect(),
                false,
            )
        }
        Rows::Sources(rows) => (
            "revenue by source",
            rows.iter()
                .map(|r| money_bar(clean(&r.row.source), r.row.revenue))
                .collect(),
            false,
        ),
        Rows::Forecast(rows) => (
            "weighted value by expected month",
            rows.iter()
                .map(|r| money_bar(clean(&r.month), r.weighted))
                .collect(),
            true,
        ),
        Rows::Owners(rows) => (
            "win rate = won / (won + lost), by owner",
            rows.iter()
                .map(|r| {
                    let who = if r.unassigned {
                        "unassigned".into()
                    } else {
                        clean(&r.owner)
                    };
                    share_bar(who, r.win_rate)
                })
                .collect(),
            false,
        ),
    };
    (!bars.is_empty()).then(|| ChartSpec {
        title: title.to_string(),
        bars,
        latest,
    })
}

/// Narrowest bar worth drawing: room for a short label or number.
const MIN_BAR: usize = 3;
const MAX_BAR: usize = 12;

/// A bar's label in `w` columns: `2026-11` becomes `Nov'26` or `Nov` when narrow, so the
/// months stay told apart; other labels are cut with `…`.
fn bar_label(label: &str, w: usize) -> String {
    let month = chrono::NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").ok();
    match month {
        Some(d) if label.width() > w && w >= 6 => d.format("%b'%y").to_string(),
        Some(d) if label.width() > w && w >= 3 => d.format("%b").to_string(),
        _ => cut(label, w),
    }
}

/// A caption and vertical bars, as many as fit; nothing at all in a tiny area.
fn draw_chart(f: &mut Frame, t: &Theme, area: Rect, spec: &ChartSpec) {
    if area.height < 4 || area.width < 8 {
        return;
    }
    let w = area.width as usize;
    let caption = Line::from(Span::styled(fit(&format!(" {}", spec.title), w), t.dim));
    f.render_widget(
        Paragraph::new(caption),
        Rect::new(area.x, area.y, area.width, 1),
    );
    // One column of margin left, like the table.
    let plot = Rect::new(area.x + 1, area.y + 1, area.width - 1, area.height - 1);
    let pw = plot.width as usize;
    let fits = ((pw + 1) / (MIN_BAR + 1)).max(1);
    let n = spec.bars.len().min(fits);
    let chosen = if spec.latest {
        &spec.bars[spec.bars.len() - n..]
    } else {
        &spec.bars[..n]
    };
    let bw = ((pw + 1) / n).saturating_sub(1).clamp(1, MAX_BAR);
    let bars: Vec<Bar> = chosen
        .iter()
        .map(|(label, value, text)| {
            Bar::default()
                .value(*value)
                .text_value(text.clone())
                .label(Line::from(bar_label(label, bw)))
        })
        .collect();
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(u16::try_from(bw).unwrap_or(1))
        .bar_gap(1)
        .bar_style(t.bar)
        .value_style(t.bar_value)
        .label_style(t.base);
    f.render_widget(chart, plot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_labels_shorten_to_month_names() {
        assert_eq!(bar_label("2026-11", 7), "2026-11");
        assert_eq!(bar_label("2026-11", 6), "Nov'26");
        assert_eq!(bar_label("2026-11", 4), "Nov");
        assert_eq!(bar_label("overdue", 4), "ove…");
        assert_eq!(bar_label("Cold list", 1), "…");
    }

    fn loss(status: &str, reason: &str, count: i64) -> crate::store::LossRow {
        crate::store::LossRow {
            status: status.into(),
            reason: reason.into(),
            count,
            value: 0.0,
            other_currencies: Default::default(),
        }
    }

    #[test]
    fn the_losses_chart_has_one_bar_a_reason() {
        let rows = Rows::Losses {
            reasons: vec![
                loss("lost", "timing", 2),
                loss("lost", "budget", 2),
                loss("disqualified", "timing", 3),
            ],
            recycling: crate::store::RecycleOutcome {
                recycled_won: 1,
                recycled_closed: 2,
                fresh_won: 0,
                fresh_closed: 0,
            },
        };
        let spec = chart_spec(&rows).unwrap();
        let bars: Vec<(&str, u64)> = spec.bars.iter().map(|b| (b.0.as_str(), b.1)).collect();
        assert_eq!(bars, [("timing", 5), ("budget", 2)]);
    }

    #[test]
    fn the_funnel_chart_adds_up_the_groups() {
        let line = |group: &str, n: [i64; 4]| report::FunnelLine {
            counts: FunnelRow {
                group: group.into(),
                received: n[0],
                contacted: n[1],
                qualified: n[2],
                won: n[3],
            },
            contacted_rate: None,
            qualified_rate: None,
            win_rate: None,
            leads_per_win: None,
        };
        let rows = Rows::Funnel(vec![line("a", [3, 2, 1, 1]), line("b", [5, 4, 0, 0])]);
        let spec = chart_spec(&rows).unwrap();
        let values: Vec<u64> = spec.bars.iter().map(|b| b.1).collect();
        assert_eq!(values, [8, 6, 1, 1]);
        assert!(chart_spec(&Rows::Owners(Vec::new())).is_none());
    }
}
