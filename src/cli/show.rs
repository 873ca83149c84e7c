//! `ripen show`: one lead's card (every field, the priority's terms, the timeline) or JSON.

use anyhow::Result;

use super::Ctx;
use crate::domain::text::{clean_line, clean_text};
use crate::record::{ActivityRecord, LeadDetail, LeadRecord};

pub(super) fn show(id: &str, json: bool, ctx: &mut Ctx) -> Result<()> {
    let now = ctx.now;
    let plan = ctx.store.plan().clone();
    let uid = ctx.store.resolve(id)?;
    let row = ctx.store.lead(&uid)?;
    let timeline = ctx.store.timeline(&uid, 10_000)?;
    let breakdown = crate::domain::priority::score(&row.lead, &now, &plan);
    if json {
        let detail = LeadDetail {
            lead: LeadRecord::new(&row, &now, &plan),
            timeline: timeline.iter().map(ActivityRecord::from).collect(),
            priority: breakdown,
        };
        crate::io::json::write_pretty(&mut *ctx.out, &detail)?;
        writeln!(ctx.out)?;
        return Ok(());
    }
    let rec = LeadRecord::new(&row, &now, &plan);
    let l = &row.lead;
    let o = &mut *ctx.out;
    writeln!(o, "#{} {}", row.number, clean_line(&l.display_name()))?;
    let extra: Vec<(String, String)> = l
        .extra_fields()
        .into_iter()
        .map(|(k, v)| (clean_line(&k).into_owned(), v))
        .collect();
    // The labels' column fits the imported headers too ("Lifecycle Stage"), up to a point.
    let width = extra
        .iter()
        .map(|(k, _)| k.chars().count())
        .filter(|n| *n <= 24)
        .max()
        .unwrap_or(0)
        .max(13);
    let mut kv = |k: &str, v: Option<String>| -> std::io::Result<()> {
        match v {
            Some(v) if !v.is_empty() => writeln!(o, "  {k:<width$} {}", clean_line(&v)),
            _ => Ok(()),
        }
    };
    kv("uid", Some(l.uid.clone()))?;
    kv("status", Some(rec.status.to_string()))?;
    kv("class", l.class.map(|c| c.to_string()))?;
    kv("stage", l.stage.map(|s| s.to_string()))?;
    kv(
        "value",
        l.value_cents.map(|v| plan.money(v, l.currency.as_deref())),
    )?;
    kv("title", l.title.clone())?;
    kv("email", l.email.clone())?;
    kv("phone", l.phone.clone())?;
    kv("website", l.website.clone())?;
    kv("city", l.city.clone())?;
    kv("country", l.country.clone())?;
    kv("source", l.source.clone())?;
    kv("owner", Some(l.owner.clone()))?;
    kv("tags", (!l.tags.is_empty()).then(|| l.tags.join(", ")))?;
    // What an import kept beside the lead, under its file's headers.
    for (k, v) in extra {
        kv(&k, Some(v))?;
    }
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| now.local_time(d).format("%a %d %b %Y %H:%M").to_string())
    };
    kv("received", date(Some(l.received_at)))?;
    kv("next", date(l.next_follow_up))?;
    kv("last contact", date(row.touches.last_contact_at))?;
    kv("ripe on", date(l.ripe_on))?;
    kv("closed", date(l.closed_at))?;
    kv(
        "reason",
        l.reason.clone().map(|r| match &l.reason_note {
            Some(n) => format!("{r} ({n})"),
            None => r,
        }),
    )?;
    kv("recycle on", date(l.recycle_on))?;
    kv(
        "recycled",
        (l.recycle_count > 0).then(|| format!("{} time(s)", l.recycle_count)),
    )?;
    kv("flags", (!rec.why.is_empty()).then(|| rec.why.join(", ")))?;
    kv("deleted", date(l.deleted_at))?;
    if let Some(n) = &l.notes {
        writeln!(o, "  notes")?;
        for line in clean_text(n).lines() {
            writeln!(o, "    {line}")?;
        }
    }
    writeln!(
        o,
        "priority {:.1}",
        crate::record::shown_priority(breakdown.total)
    )?;
    for t in &breakdown.terms {
        writeln!(
            o,
            "  {:>+7.1}  {}",
            crate::record::shown_priority(t.points),
            t.name
        )?;
    }
    writeln!(o, "timeline")?;
    for a in &timeline {
        let mut line = format!(
            "  {}  {:<8}",
            now.local_time(a.at).format("%Y-%m-%d %H:%M"),
            a.kind.as_str()
        );
        if let Some(out) = &a.outcome {
            line.push_str(&format!(" {out:<14}"));
        }
        if let Some(n) = &a.note {
            line.push_str(&format!(" {}", clean_line(n)));
        }
        if let Some(by) = a.by_words() {
            line.push_str(&clean_line(&by));
        }
        writeln!(o, "{}", line.trim_end())?;
    }
    Ok(())
}
