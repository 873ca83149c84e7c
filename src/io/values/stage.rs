//! Vendors' deal stages as ripen's ripeness: known stage names, stages that end a deal, and a
//! custom stage placed by its probability or by the words it uses.

use crate::domain::{Stage, Status};
use crate::io::mapping::fold;

/// A vendor's deal stage as ripen's ripeness.
pub fn stage_word(word: &str) -> Option<Stage> {
    if let Ok(s) = word.parse::<Stage>() {
        return Some(s);
    }
    let w = fold(word);
    Some(match w.as_str() {
        "qualified"
        | "contactmade"
        | "qualification"
        | "prospecting"
        | "discovery"
        | "appointmentscheduled" => Stage::Green,
        // HubSpot's default pipeline: appointment, qualified to buy, presentation, decision
        // maker bought-in, contract sent.
        "demoscheduled"
        | "needsanalysis"
        | "demo"
        | "meeting"
        | "valueproposition"
        | "qualifiedtobuy"
        | "presentationscheduled" => Stage::Warming,
        "decisionmakerboughtin"
        | "idrecdecisionmakers"
        | "iddecisionmakers"
        | "perceptionanalysis" => Stage::Ripe,
        "proposalmade" | "proposal" | "proposalpricequote" | "quote" | "angebot" => Stage::Proposal,
        "negotiationsstarted"
        | "negotiation"
        | "negotiationreview"
        | "contractsent"
        | "verhandlung" => Stage::Negotiation,
        _ => return None,
    })
}

/// A stage that says how the deal ended: Salesforce's `Closed Won` and `Closed Lost`, and the
/// same in other words.
pub fn closing_stage(word: &str) -> Option<Status> {
    match fold(word).as_str() {
        "closedwon" | "won" | "dealwon" | "gewonnen" | "abgeschlossengewonnen" => Some(Status::Won),
        "closedlost" | "lost" | "deallost" | "verloren" | "abgeschlossenverloren"
        // Zoho's "Closed-Lost to Competition".
        | "closedlosttocompetition" => {
            Some(Status::Lost)
        }
        _ => None,
    }
}

/// A deal's probability as a row writes it (`70`, `70%`, `70.5`), when it places a stage: above
/// 0 and below 100 (an open deal at 0% or 100% says nothing about how far it has come).
pub fn probability_percent(cell: &str) -> Option<f64> {
    let p: f64 = cell.trim().trim_end_matches('%').trim().parse().ok()?;
    (p > 0.0 && p < 100.0).then_some(p)
}

/// The ripen stage a vendor's own stage name is at by the deal's probability (`percent`): the
/// one whose probability in the plan is nearest; between two as near, the one the name is
/// nearest ([`nearest_stage`]) if it is either, else the further.
pub fn stage_at_probability(
    percent: f64,
    probabilities: &crate::domain::plan::StageProbability,
    word: &str,
) -> Stage {
    // In tenths of a percent, so that 70 lies as near 60 as 80.
    let tenths = |p: f64| (p * 10.0).round() as i64;
    let at = tenths(percent);
    let distance = |s: Stage| (tenths(probabilities.of(s) * 100.0) - at).abs();
    let best = Stage::ALL.iter().map(|s| distance(*s)).min().unwrap_or(0);
    let nearest: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| distance(*s) == best)
        .collect();
    let named = nearest_stage(word);
    if nearest.contains(&named) {
        named
    } else {
        nearest.last().copied().unwrap_or(named)
    }
}

/// The ripen stage nearest a vendor's own stage name (a Salesforce org's custom "Verbal
/// Commit", a Pipedrive pipeline's "Sent offer"), by the words it uses; the first stage when
/// none says more.
pub fn nearest_stage(word: &str) -> Stage {
    let w = fold(word);
    let has = |parts: &[&str]| parts.iter().any(|p| w.contains(p));
    if has(&[
        "negotiat",
        // Spanish and Portuguese: negociación, negociação; firmas, assinatura.
        "negoci",
        "firmas",
        "assinatura",
        "contract",
        "verbal",
        "commit",
        "legal",
        "signature",
        "sign",
        "closing",
        "verhandl",
        "vertrag",
    ]) {
        Stage::Negotiation
    } else if has(&[
        "proposal",
        "quote",
        "offer",
        "pricing",
        "bid",
        "angebot",
        "tender",
        "propuesta",
        "proposta",
        "cotizaci",
    ]) {
        Stage::Proposal
    } else if has(&[
        "decision",
        "evaluat",
        "trial",
        "pilot",
        "shortlist",
        "perception",
        "buying",
        "poc",
        "entscheid",
        "test",
    ]) {
        Stage::Ripe
    } else if has(&[
        "demo", "meeting", "needs", "analysis", "discover", "present", "value", "solution",
        "termin", "bedarf",
    ]) {
        Stage::Warming
    } else {
        Stage::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::values::flag_word;

    #[test]
    fn a_custom_stage_is_placed_by_its_probability_and_a_tie_by_its_name() {
        let p = crate::domain::plan::StageProbability::default();
        assert_eq!(probability_percent("70"), Some(70.0));
        assert_eq!(probability_percent(" 12.5% "), Some(12.5));
        assert_eq!(probability_percent("0"), None);
        assert_eq!(probability_percent("100"), None);
        assert_eq!(stage_at_probability(30.0, &p, "Interes"), Stage::Warming);
        assert_eq!(
            stage_at_probability(60.0, &p, "Presentación"),
            Stage::Proposal
        );
        assert_eq!(stage_at_probability(90.0, &p, "Firmas"), Stage::Negotiation);
        // 70% lies as near proposal (60%) as negotiation (80%): the name decides between them,
        // else the further one.
        assert_eq!(
            stage_at_probability(70.0, &p, "Negociación"),
            Stage::Negotiation
        );
        assert_eq!(
            stage_at_probability(70.0, &p, "Propuesta final"),
            Stage::Proposal
        );
        assert_eq!(
            stage_at_probability(70.0, &p, "Etapa 4"),
            Stage::Negotiation
        );
    }

    #[test]
    fn deal_stages_end_deals_or_come_nearest_to_ripens() {
        assert_eq!(closing_stage("Closed Won"), Some(Status::Won));
        assert_eq!(closing_stage("Closed Lost"), Some(Status::Lost));
        assert_eq!(closing_stage("Negotiation/Review"), None);
        assert_eq!(nearest_stage("Verbal Commit"), Stage::Negotiation);
        assert_eq!(nearest_stage("Sent offer"), Stage::Proposal);
        assert_eq!(nearest_stage("Technical Evaluation"), Stage::Ripe);
        assert_eq!(nearest_stage("Discovery Call"), Stage::Warming);
        assert_eq!(nearest_stage("Stage 1"), Stage::Green);
        assert_eq!(flag_word("TRUE"), Some(true));
        assert_eq!(flag_word("0"), Some(false));
        assert_eq!(flag_word("maybe"), None);
    }
}
