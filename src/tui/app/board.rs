//! The Pipeline tab's board: its columns (stages, or ripe months with `m`), each a window onto
//! its leads, counted under a filter as the lists are.

use crate::domain::Stage;
use crate::store::{Filter, Placed, RipeBucket, Store, StoreError, View};

use super::{App, KEYSTROKE_WALK, ListWindow, TabFilter, err_text};

/// A stage as a board column's title: "Green".
pub(super) fn stage_title(stage: Stage) -> String {
    let mut title = stage.as_str().to_string();
    if let Some(first) = title.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    title
}

/// Where a pipeline column's leads come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnSource {
    Stage(Stage),
    Ripe(RipeBucket),
}

impl ColumnSource {
    /// The column's leads as a view.
    pub fn view(&self) -> View {
        match self {
            ColumnSource::Stage(s) => View::Stage(*s),
            ColumnSource::Ripe(b) => b.view(),
        }
    }

    /// Whether a lead placed so falls in the column.
    pub fn holds(&self, p: &Placed) -> bool {
        match self {
            ColumnSource::Stage(s) => p.stage == Some(*s),
            ColumnSource::Ripe(b) => b.holds(p.ripe_on),
        }
    }
}

/// One column of the pipeline board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardColumn {
    pub title: String,
    /// Under a word filter, how many matches the walk has found so far (see `counted`).
    pub count: i64,
    /// Whether `count` and the values are the column's whole (false while a word filter's
    /// matches are counted only as far as the screen, or up to the cap).
    pub counted: bool,
    pub value_cents: i64,
    pub weighted_cents: i64,
    pub source: ColumnSource,
    pub window: ListWindow,
}

/// The pipeline board: stage columns, or ripe-month columns when `months` is on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    pub months: bool,
    pub columns: Vec<BoardColumn>,
    pub col: usize,
    pub filter: TabFilter,
}

/// The first board column shown when `visible` of `n` fit and `col` is selected.
pub fn first_visible_column(col: usize, visible: usize, n: usize) -> usize {
    if n <= visible {
        0
    } else {
        col.saturating_sub(visible - 1).min(n - visible)
    }
}

impl App {
    /// [`App::count_further`] on the board: each column whose walk stopped short, in turn.
    pub(super) fn count_board_further(
        &mut self,
        store: &Store,
        stop: impl FnMut() -> bool + Send + 'static,
    ) -> bool {
        let (filter, cap, page) = (self.filter(), self.filter_cap(), self.page());
        let keep = self.selected().map(|r| r.lead.uid.clone());
        // One stop for every column: shared, so a waiting key stops the lot.
        let stop = std::sync::Arc::new(std::sync::Mutex::new(stop));
        let mut changed = false;
        for i in 0..self.board.columns.len() {
            let col = &self.board.columns[i];
            if col.counted || col.count as usize >= cap {
                continue;
            }
            let view = col.source.view();
            let stop = std::sync::Arc::clone(&stop);
            let walked = store.match_numbers_until(&view, &filter, cap, cap, move || {
                stop.lock().map_or(true, |mut s| s())
            });
            let found = match walked {
                Ok((_, false)) => return changed,
                Ok((found, true)) => found,
                Err(e) => {
                    self.set_counting(false);
                    self.fail(err_text(&e));
                    return true;
                }
            };
            let (value, weighted, wins) = match store.value_numbered(&found) {
                Ok(v) => v,
                Err(e) => {
                    self.set_counting(false);
                    self.fail(err_text(&e));
                    return true;
                }
            };
            let col = &mut self.board.columns[i];
            col.counted = found.len() < cap;
            col.count = found.len() as i64;
            col.value_cents = value;
            col.weighted_cents = weighted;
            if let ColumnSource::Ripe(b) = &mut col.source {
                b.expected_wins = wins;
            }
            let total = found.len();
            let loaded = col.window.load_from(
                page,
                keep.as_deref(),
                store,
                &view,
                &filter,
                Some(found),
                total,
            );
            if let Err(e) = loaded {
                self.fail(err_text(&e));
            }
            changed = true;
        }
        self.set_counting(false);
        if let Err(e) = self.load_detail(store) {
            self.fail(err_text(&e));
        }
        true
    }

    pub(super) fn load_board(
        &mut self,
        store: &Store,
        filter: &Filter,
        page: usize,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let fresh: Vec<(String, i64, i64, i64, ColumnSource)> = if filter.text.is_some() {
            // Under a word filter each column is walked like a list (see below), so its count
            // and values are filled in there.
            let sources: Vec<(String, ColumnSource)> = if self.board.months {
                RipeBucket::months(&self.now)
                    .into_iter()
                    .map(|b| (b.label.clone(), ColumnSource::Ripe(b)))
                    .collect()
            } else {
                Stage::ALL
                    .into_iter()
                    .map(|stage| (stage_title(stage), ColumnSource::Stage(stage)))
                    .collect()
            };
            sources
                .into_iter()
                .map(|(title, source)| (title, 0, 0, 0, source))
                .collect()
        } else if self.board.months {
            store
                .ripening_buckets(&self.now, filter)?
                .into_iter()
                .map(|b| {
                    (
                        b.label.clone(),
                        b.count,
                        b.value_cents,
                        b.weighted_cents,
                        ColumnSource::Ripe(b),
                    )
                })
                .collect()
        } else {
            store
                .pipeline_columns(filter)?
                .into_iter()
                .map(|c| {
                    (
                        stage_title(c.stage),
                        c.count,
                        c.value_cents,
                        c.weighted_cents,
                        ColumnSource::Stage(c.stage),
                    )
                })
                .collect()
        };
        let same_shape = self.board.columns.len() == fresh.len()
            && self
                .board
                .columns
                .iter()
                .zip(&fresh)
                .all(|(a, b)| a.title == b.0);
        let old: Vec<ListWindow> = if same_shape {
            self.board
                .columns
                .iter()
                .map(|c| c.window.clone())
                .collect()
        } else {
            vec![ListWindow::default(); fresh.len()]
        };
        // A word that matches few leads in the book: its matches are read once for the whole
        // board, in order, and split among the columns.
        let split = match filter.text {
            Some(_) if self.board.months => {
                let all = View::Ripe {
                    from: None,
                    to: None,
                    unset: true,
                };
                store.few_matches_split(&all, filter)?
            }
            Some(_) => store.few_matches_split(&View::Pipeline, filter)?,
            None => None,
        };
        let mut columns = Vec::with_capacity(fresh.len());
        let cap = self.board.filter.cap;
        let walk = (KEYSTROKE_WALK / fresh.len().max(1) as u32).max(1);
        for ((title, mut count, mut value_cents, mut weighted_cents, mut source), mut window) in
            fresh.into_iter().zip(old)
        {
            let mut counted = true;
            let mut wins = None;
            match &source {
                _ if filter.text.is_some() => {
                    // As a filtered list: walked as far as the screen needs, at most its
                    // share of a keystroke's walk; the rest is counted on a pause.
                    let view = source.view();
                    let need = (window.selected + page + 1).min(cap);
                    let bounded = window.selected < page;
                    let mut steps = 0;
                    let (found, all, sums) = match &split {
                        Some(placed) => {
                            let mine: Vec<&Placed> = placed
                                .iter()
                                .filter(|p| source.holds(p))
                                .take(cap)
                                .collect();
                            let sums = store.value_placed(mine.iter().copied());
                            (mine.iter().map(|p| p.number).collect(), true, Some(sums))
                        }
                        None => {
                            let (found, all) =
                                store.match_numbers_until(&view, filter, need, cap, move || {
                                    steps += 1;
                                    bounded && steps > walk
                                })?;
                            (found, all, None)
                        }
                    };
                    counted = all && found.len() < cap;
                    self.board.filter.counting |= !all;
                    count = found.len() as i64;
                    let expected;
                    (value_cents, weighted_cents, expected) = match sums {
                        Some(sums) => sums,
                        None => store.value_numbered(&found)?,
                    };
                    wins = Some(expected);
                    let total = found.len();
                    window.load_from(page, keep, store, &view, filter, Some(found), total)?
                }
                ColumnSource::Stage(s) => {
                    let view = View::Stage(*s);
                    let total = usize::try_from(count).unwrap_or(0);
                    window.load(page, keep, |o, l| store.list(&view, filter, o, l), total)?
                }
                ColumnSource::Ripe(b) => window.load(
                    page,
                    keep,
                    |o, l| store.ripening_list(b, filter, o, l),
                    usize::try_from(count).unwrap_or(0),
                )?,
            }
            if let (ColumnSource::Ripe(b), Some(w)) = (&mut source, wins) {
                b.expected_wins = w;
            }
            columns.push(BoardColumn {
                title,
                count,
                counted,
                value_cents,
                weighted_cents,
                source,
                window,
            });
        }
        // After an action the lead may have moved to another column: follow it there.
        if let Some(uid) = keep
            && let Some(i) = columns
                .iter()
                .position(|c| c.window.rows.iter().any(|r| r.lead.uid == uid))
        {
            self.board.col = i;
        }
        self.board.columns = columns;
        self.board.col = self
            .board
            .col
            .min(self.board.columns.len().saturating_sub(1));
        Ok(())
    }
}
