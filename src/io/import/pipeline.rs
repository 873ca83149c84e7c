//! The pipeline: read, check, decide the date order, then build rows on one thread while the
//! store writes them on another, in one transaction; and the report of what it did.

use std::io::IsTerminal;

use super::build::{Built, build, row_values, within_limits};
use super::check::{Checked, Rules, cells, is_deal_file, short, split_point};
use super::read::{Event, Records, column_of, is_blank, read_join, read_table};
use super::rejected::{rejected_writable, write_rejected};
use super::{ImportError, ImportReport, ImportRequest, VCARD};
use crate::domain::{DomainError, Now};
use crate::io::mapping::{Field, Mapping, fold};
use crate::io::values::DayOrder;
use crate::store::{ImportOptions, Incoming, MatchOn, Store, phase};

/// Rows from which an import drops most secondary indexes and rebuilds them at the end: already
/// at 50,000 rows, maintaining them row by row costs more than one sorted build of each. Only
/// into a book no larger than the file, though: a rebuild reads the whole book, and updating
/// the indexes costs about as much per row as rebuilding them.
pub(super) const BULK_ROWS: usize = 5_000;

/// Bytes above which a progress bar is worth drawing.
pub(super) const PROGRESS_MIN_BYTES: usize = 4 << 20;

pub(super) fn progress_bar(enabled: bool, len: usize) -> Option<indicatif::ProgressBar> {
    if !enabled || len < PROGRESS_MIN_BYTES || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Import a file into the book (or, with `dry_run`, report what would happen).
pub fn import_file(
    store: &mut Store,
    req: &ImportRequest,
    now: &Now,
) -> Result<ImportReport, ImportError> {
    let mut clock = std::time::Instant::now();
    rejected_writable(
        req.skip_bad && !req.dry_run,
        &req.path,
        req.rejected_to.as_deref(),
    )?;
    let table = read_table(&req.path)?;
    phase("read and sniff", &mut clock);
    if table.cards.is_some() && req.join.is_some() {
        return Err(ImportError::Refused(format!(
            "{}: --join joins tables; a vCard's cards are whole contacts",
            table.name
        )));
    }
    let joined = match (&req.join, &req.on) {
        (Some(path), Some(on)) => Some(read_join(path, on, &table)?),
        (Some(_), None) => {
            return Err(ImportError::Refused(
                "--join needs --on COLUMN (the column both files share)".into(),
            ));
        }
        _ => None,
    };
    let mut headers = table.headers.clone();
    if let Some(j) = &joined {
        headers.extend(j.headers.iter().cloned());
    }
    let mapping = match &table.cards {
        Some(c) => Mapping::with_targets(headers, c.targets.clone(), &req.overrides),
        None => Mapping::new(headers, &req.overrides),
    }
    .map_err(ImportError::Refused)?;
    let deal_file = is_deal_file(&mapping);
    let deal_status = deal_file
        || mapping
            .column_of(Field::Status)
            .and_then(|i| mapping.headers.get(i))
            .is_some_and(|h| !matches!(fold(h).as_str(), "leadstatus" | "contactstatus"));
    let mut rules = Rules {
        mapping,
        deal_status,
        deal_file,
        order: DayOrder::DayFirst,
        req,
        file: table.name.clone(),
        stage_places: std::collections::HashMap::new(),
        point_decimal: false,
        content: &table.sniffed.text,
        content_id: std::sync::OnceLock::new(),
        default_owner: req
            .owner
            .clone()
            .unwrap_or_else(|| crate::store::new_owner(store.plan())),
    };
    let mut report = ImportReport {
        file: table.name.clone(),
        encoding: table.sniffed.encoding.to_string(),
        delimiter: if table.cards.is_some() {
            VCARD.to_string()
        } else {
            table.sniffed.delimiter_name().to_string()
        },
        mapping: rules.mapping.describe(),
        dry_run: req.dry_run,
        ..ImportReport::default()
    };
    let width = table.headers.len();
    let join_row = |record: &csv::StringRecord| -> Result<Option<&[String]>, String> {
        match &joined {
            None => Ok(None),
            Some(j) => {
                let key = record.get(j.primary_key).unwrap_or("").trim();
                j.rows.get(key).map(|r| Some(r.as_slice())).ok_or_else(|| {
                    format!(
                        "no row with {} \"{}\" in {}",
                        j.key_column,
                        short(key),
                        j.name
                    )
                })
            }
        }
    };

    // Pass 1: check every row and gather date evidence. A large file is checked in two halves
    // at once (the thread that builds rows later is idle now).
    let check = |ev: Event, shift: usize, into: &mut Checked| {
        into.take(ev, shift, &table, &rules, width, &join_row)
    };
    let body = &table.sniffed.text[table.body..];
    let split = match table.cards {
        Some(_) => None,
        None => split_point(body, table.body_line),
    };
    let checked = match split {
        None => {
            let mut all = Checked::default();
            for ev in table.rows() {
                check(ev, 0, &mut all);
            }
            all
        }
        Some((split, split_line)) => std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let mut half = Checked::default();
                for ev in Records::new(&body[split..], table.sniffed.delimiter, split_line) {
                    check(ev, split, &mut half);
                }
                half
            });
            let mut first = Checked::default();
            let mut events = table.rows();
            // The second half counts only if this half finds a record starting right where it
            // starts, on the line it assumed; else this half reads on to the end.
            let mut joined = false;
            for ev in &mut events {
                let (start, line) = ev.start();
                if start >= split {
                    joined = start == split && line == split_line;
                    if !joined {
                        check(ev, 0, &mut first);
                    }
                    break;
                }
                check(ev, 0, &mut first);
            }
            match second.join() {
                Ok(second) if joined => first.append(second),
                _ => {
                    for ev in events {
                        check(ev, 0, &mut first);
                    }
                }
            }
            first
        }),
    };
    let Checked {
        rows,
        evidence,
        mut errors,
        mut rejected_spans,
        rejected_lines,
    } = checked;
    report.rows = rows;
    if !errors.is_empty() && !req.skip_bad {
        return Err(ImportError::BadRows {
            file: table.name.clone(),
            errors,
        });
    }
    let order = evidence
        .decide()
        .map_err(|e| ImportError::Refused(format!("{}: {e}", table.name)))?;
    rules.order = order.order;
    rules.point_decimal = evidence.point_is_decimal();
    if evidence.dotted + evidence.slashed > 0 {
        report.date_order = Some(format!("{} ({})", order.label(), order.why));
    } else if evidence.iso > 0 {
        report.date_order = Some("ISO (YYYY-MM-DD)".into());
    }

    // A deal file's own stage names, placed once for the file by the probability or the order
    // its rows give them.
    let (p, o) = (
        column_of(&rules.mapping, "probability"),
        column_of(&rules.mapping, "stagesortorder"),
    );
    if let Some(stage) = rules
        .mapping
        .column_of(Field::Stage)
        .filter(|_| rules.deal_file && (p.is_some() || o.is_some()))
    {
        let mut seen = crate::io::stages::Seen::default();
        for ev in table.rows() {
            if let Event::Row { record, .. } = ev {
                seen.add(
                    record.get(stage).unwrap_or(""),
                    p.and_then(|i| record.get(i)),
                    o.and_then(|i| record.get(i)),
                );
            }
        }
        rules.stage_places = seen.place(&store.plan().stage_probability);
    }
    phase("check", &mut clock);

    // Pass 2: build and write.
    let plan = store.plan().clone();
    let bar = progress_bar(req.progress, table.sniffed.text.len());
    let opts = ImportOptions {
        label: table.name.clone(),
        on_duplicate: req.on_duplicate,
        // A deal is matched by its own id: a person's second deal is a deal of its own, not a
        // duplicate of the first (an open €31,000 deal had merged into its person's lost one).
        match_on: if joined.is_some() {
            MatchOn::ExternalId
        } else if rules.deal_file {
            MatchOn::Deal
        } else {
            MatchOn::Contact
        },
        named_by_person: super::check::is_own_export(&rules.mapping),
        dry_run: req.dry_run,
        rebuild_indexes: report.rows >= BULK_ROWS && store.numbers_issued()? <= report.rows as i64,
        expected_rows: report.rows,
        round_robin: req.round_robin.clone(),
    };
    // Building leads (parsing, cleaning, dates, the domain's transitions) runs on its own
    // thread while this one writes: the two halves take about as long as each other.
    let (outcome, built) = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Incoming, DomainError>>(1024);
        let (rules, plan, bar, rejected_lines, join_row, table) = (
            &rules,
            &plan,
            bar.clone(),
            &rejected_lines,
            &join_row,
            &table,
        );
        // A builder that panics must not let the writer take the end of its rows for the end
        // of the file and commit what came so far: it says it failed, and the import rolls back.
        let on_panic = send.clone();
        let builder = scope.spawn(move || {
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let mut clock = std::time::Instant::now();
                let mut built = Built::default();
                let mut failed = false;
                for ev in table.rows() {
                    let Event::Row { line, record, span } = ev else {
                        continue;
                    };
                    if let Some(b) = &bar
                        && line % 4096 == 0
                    {
                        b.set_position(span.end as u64);
                    }
                    if rejected_lines.contains(&line) || is_blank(&record) {
                        continue;
                    }
                    let j = join_row(&record).ok().flatten();
                    let values = row_values(&rules.mapping, &cells(&record, width, j));
                    let row = build(
                        rules,
                        line,
                        values,
                        now,
                        plan,
                        &mut built.stamped,
                        &mut built.statuses,
                    )
                    .and_then(|change| within_limits(rules, line, change));
                    match row {
                        Ok(_) if failed => {}
                        Ok(change) => {
                            // The writer stops listening when it fails: then so do we.
                            if send.send(Ok(Incoming::new(change, line))).is_err() {
                                break;
                            }
                        }
                        Err(e) if req.skip_bad => {
                            built.late_errors.push(e);
                            built.rejected_spans.push(span);
                        }
                        Err(e) => {
                            // The writer stops at the first bad row and writes nothing; the rest
                            // are still read, so that the refusal names every bad row.
                            if !failed {
                                failed = true;
                                let _ = send.send(Err(DomainError::Invalid(e.to_string())));
                            }
                            built.late_errors.push(e);
                        }
                    }
                }
                phase("building thread", &mut clock);
                built
            }));
            if built.is_err() {
                let _ = on_panic.send(Err(DomainError::Invalid("the row builder failed".into())));
            }
            built.ok()
        });
        let outcome = store.import(receive, &opts, now);
        (outcome, builder.join())
    });
    phase("build and write", &mut clock);
    let built = built.ok().flatten().ok_or_else(|| {
        ImportError::Refused("the row builder failed; nothing was imported".into())
    })?;
    if !req.skip_bad && !built.late_errors.is_empty() {
        errors.extend(built.late_errors);
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::BadRows {
            file: table.name.clone(),
            errors,
        });
    }
    let outcome = outcome?;
    report.received_missing = built.stamped.received_missing;
    report.closed_future = built.stamped.closed_future;
    report.closed_undated = built.stamped.closed_undated;
    report.currencies = built.stamped.foreign_values.clone().into_iter().collect();
    let home_values = built.stamped.home_values;
    let unknown = built.statuses.unknown;
    let stages = built.statuses.stages;
    let late_errors = built.late_errors;
    rejected_spans.extend(built.rejected_spans);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    errors.extend(late_errors);
    report.new = outcome.new;
    report.merged = outcome.merged;
    report.skipped = outcome.skipped;
    // What decoding replaced comes first: it may explain a notice below it.
    // At most 20 lines of them: a file that is no UTF-8 at all would have one per line.
    const REPLACED_SHOWN: usize = 20;
    let replaced = &table.sniffed.replaced_on;
    let more = replaced.len().saturating_sub(REPLACED_SHOWN);
    report.notices = replaced
        .iter()
        .take(REPLACED_SHOWN)
        .map(|line| {
            format!(
                "{}:{line}: bytes that are no UTF-8 were replaced with \u{FFFD}",
                table.name
            )
        })
        .chain((more > 0).then(|| {
            format!(
                "{}: {more} more lines with bytes that are no UTF-8, replaced likewise",
                table.name
            )
        }))
        .chain(outcome.notices)
        .collect();
    report.notices_dropped = outcome.notices_dropped;
    report.rejected = errors.len();
    report.errors = errors.iter().map(ToString::to_string).collect();
    let mut unknown: Vec<(String, usize)> = unknown.into_iter().collect();
    unknown.sort();
    report.unknown_statuses = unknown;
    if let Some(notice) =
        currency_notice(&table.name, store.plan(), home_values, &report.currencies)
    {
        report.notices.insert(0, notice);
    }
    let (placed, stages): (Vec<_>, Vec<_>) = stages
        .into_iter()
        .partition(|(word, _)| rules.stage_places.contains_key(word));
    let mut placed: Vec<String> = placed
        .into_iter()
        .map(|(word, (stage, n))| {
            let by = match rules.stage_places[&word].by {
                crate::io::stages::By::Probability(p) => format!("by its probability ({p}%)"),
                crate::io::stages::By::Order(i, of) => {
                    format!("by its place in the file's stage order ({i} of {of})")
                }
            };
            format!(
                "{}: stage \"{word}\" on {n} row(s): read as {}, {by} (the vendor's word is kept \
                 with each lead)",
                table.name,
                stage.as_str()
            )
        })
        .collect();
    placed.sort();
    report.notices.splice(0..0, placed);
    let mut stages: Vec<(String, String, usize)> = stages
        .into_iter()
        .map(|(word, (stage, n))| (word, stage.as_str().to_string(), n))
        .collect();
    stages.sort();
    report.stages_read_as = stages;
    if !errors.is_empty() && !req.dry_run {
        // The import has landed: a side file that cannot be written (the disk filled since the
        // check before it) is a warning, never a failure of what was done.
        match write_rejected(
            &req.path,
            req.rejected_to.as_deref(),
            &table,
            &rejected_spans,
        ) {
            Ok(path) => report.rejected_file = Some(path.display().to_string()),
            Err(e) => report.rejected_unwritten = Some(e.to_string()),
        }
    }
    Ok(report)
}

/// What an import says of its values in other currencies than the book's: that they keep
/// their currency and are summed apart without a rate, and, when most values are in one other
/// currency, that it may be the user's own.
fn currency_notice(
    file: &str,
    plan: &crate::domain::Plan,
    home: usize,
    foreign: &[(String, usize)],
) -> Option<String> {
    let total: usize = foreign.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let list: Vec<String> = foreign.iter().map(|(c, n)| format!("{n} in {c}")).collect();
    let rated = |c: &str| plan.currency_rates.contains_key(c);
    let unrated: Vec<&str> = foreign
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !rated(c))
        .collect();
    let mut s = format!(
        "{file}: values in other currencies than the book's ({}): {}; each lead keeps its own",
        plan.currency.trim(),
        list.join(", ")
    );
    if !unrated.is_empty() {
        s.push_str(&format!(
            "; sums show {} apart until the config gives a rate ([currency_rates])",
            unrated.join(", ")
        ));
    }
    if let Some((c, n)) = foreign.iter().max_by_key(|(_, n)| *n)
        && *n > home
    {
        let symbol = crate::domain::money::shown_symbol(c);
        s.push_str(&format!(
            "; if {c} is your own currency, name it in the config before importing \
             (currency = \"{}\", currency_code = \"{c}\")",
            symbol.trim()
        ));
    }
    Some(s)
}
