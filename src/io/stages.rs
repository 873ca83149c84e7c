//! A deal file's own stage names (a Salesforce org's "Negociación", "Firmas") placed on ripen's
//! stages once for the whole file: by the probability its rows give each stage, else by the
//! file's order of stages (Salesforce's `StageSortOrder`), else (the caller) by the name.
//! Pure: the import hands in each row's stage, probability and sort-order cells.

use std::collections::HashMap;

use super::values;
use crate::domain::Stage;
use crate::domain::plan::StageProbability;

/// How a stage name was placed, for the import's report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum By {
    /// The probability most of its rows give it, in percent.
    Probability(f64),
    /// Its place among the file's open stages, counted from 1, and how many there are.
    Order(usize, usize),
}

/// A stage name's place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub stage: Stage,
    pub by: By,
}

/// How many rows gave each value (a probability in tenths of a percent, a sort order).
type Counts = HashMap<i64, usize>;

/// What the rows say of each stage name, gathered row by row.
#[derive(Debug, Default)]
pub struct Seen {
    /// Stage name → its rows' probabilities, and their sort orders.
    words: HashMap<String, (Counts, Counts)>,
}

/// Stage names beyond which a column is free text rather than stages.
const MAX_WORDS: usize = 1_000;

impl Seen {
    /// One row's stage cell, with its probability and sort-order cells if the file has them.
    pub fn add(&mut self, stage: &str, probability: Option<&str>, order: Option<&str>) {
        let stage = stage.trim();
        if stage.is_empty() || values::closing_stage(stage).is_some() {
            return;
        }
        if self.words.len() >= MAX_WORDS && !self.words.contains_key(stage) {
            return;
        }
        let (p, o) = self.words.entry(stage.to_string()).or_default();
        if let Some(pct) = probability.and_then(values::probability_percent) {
            *p.entry((pct * 10.0).round() as i64).or_default() += 1;
        }
        if let Some(n) = order.and_then(|o| o.trim().parse::<f64>().ok()) {
            *o.entry(n.round() as i64).or_default() += 1;
        }
    }

    /// The place of each stage name that is none of ripen's: by the probability most of its
    /// rows give it (at least half of those that give one: a probability set deal by deal
    /// says nothing of the stage), else by its rank in the file's order of open stages spread
    /// over ripen's five; a name with neither is left to the caller's guess from its words.
    pub fn place(&self, probabilities: &StageProbability) -> HashMap<String, Placed> {
        let mode = |counts: &Counts| {
            let total: usize = counts.values().sum();
            counts
                .iter()
                .max_by_key(|&(v, n)| (*n, std::cmp::Reverse(*v)))
                .filter(|&(_, n)| *n * 2 >= total)
                .map(|(v, _)| *v)
        };
        // The open stages in the file's order, ripen's own among them.
        let mut ordered: Vec<(i64, &str)> = self
            .words
            .iter()
            .filter_map(|(w, (_, o))| mode(o).map(|n| (n, w.as_str())))
            .collect();
        ordered.sort();
        let mut out = HashMap::new();
        for (word, (p, _)) in &self.words {
            if values::stage_word(word).is_some() {
                continue;
            }
            let placed = if let Some(tenths) = mode(p) {
                let pct = tenths as f64 / 10.0;
                Placed {
                    stage: values::stage_at_probability(pct, probabilities, word),
                    by: By::Probability(pct),
                }
            } else if let Some(i) = ordered.iter().position(|(_, w)| w == word) {
                let n = ordered.len();
                let last = Stage::ALL.len() - 1;
                let at = if n < 2 {
                    0
                } else {
                    (i * last + (n - 1) / 2) / (n - 1)
                };
                Placed {
                    stage: Stage::ALL[at.min(last)],
                    by: By::Order(i + 1, n),
                }
            } else {
                continue;
            };
            out.insert(word.clone(), placed);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(rows: &[(&str, Option<&str>, Option<&str>)]) -> HashMap<String, Placed> {
        let mut seen = Seen::default();
        for (s, p, o) in rows {
            seen.add(s, *p, *o);
        }
        seen.place(&StageProbability::default())
    }

    #[test]
    fn a_stage_is_placed_by_the_probability_most_of_its_rows_give_it() {
        let placed = place(&[
            ("Negociación", Some("70"), Some("4")),
            ("Negociación", Some("70"), Some("4")),
            ("Negociación", Some("80"), Some("4")),
            ("Interes", Some("30"), Some("1")),
            ("Closed Won", Some("100"), Some("6")),
        ]);
        assert_eq!(
            placed["Negociación"],
            Placed {
                stage: Stage::Negotiation,
                by: By::Probability(70.0)
            }
        );
        assert_eq!(placed["Interes"].stage, Stage::Warming);
        assert!(!placed.contains_key("Closed Won"));
    }

    #[test]
    fn probabilities_set_deal_by_deal_say_nothing_and_the_order_places_instead() {
        let placed = place(&[
            ("Initial Offer", Some("10"), None),
            ("Initial Offer", Some("90"), None),
            ("Initial Offer", Some("40"), None),
        ]);
        assert!(placed.is_empty(), "{placed:?}");
        // By order alone: five open stages, ripen's own among them, spread over its five.
        let placed = place(&[
            ("Interes", None, Some("1")),
            ("Diseño Propuesta", None, Some("2")),
            ("Presentación Propuesta", None, Some("3")),
            ("Negociación", None, Some("4")),
            ("Firmas", None, Some("5")),
            ("Closed Won", None, Some("6")),
            ("Closed Lost", None, Some("7")),
        ]);
        let at = |w: &str| placed[w].stage;
        assert_eq!(at("Interes"), Stage::Green);
        assert_eq!(at("Diseño Propuesta"), Stage::Warming);
        assert_eq!(at("Negociación"), Stage::Proposal);
        assert_eq!(placed["Firmas"].by, By::Order(5, 5));
        assert_eq!(at("Firmas"), Stage::Negotiation);
        // Three open stages: the first, the middle and the last of ripen's.
        let placed = place(&[
            ("Early", None, Some("1")),
            ("Mid", None, Some("2")),
            ("Late", None, Some("3")),
        ]);
        assert_eq!(
            [
                placed["Early"].stage,
                placed["Mid"].stage,
                placed["Late"].stage
            ],
            [Stage::Green, Stage::Ripe, Stage::Negotiation]
        );
    }
}
