//! Vendors' status words as ripen's lifecycle, and free-text loss reasons as ripen's reason
//! keys.

use crate::domain::Status;
use crate::io::mapping::fold;

/// A vendor's status word as ripen's lifecycle: the status, and a loss reason the word implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusWord {
    pub status: Status,
    pub reason: Option<&'static str>,
}

/// Map a status word. `deal` says the column holds deal statuses (Pipedrive `Deal - Status`),
/// where `open` means an open deal in the pipeline; for leads (HubSpot `OPEN`) it means not yet
/// worked.
pub fn status_word(word: &str, deal: bool) -> Option<StatusWord> {
    let w = fold(word);
    let s = |status, reason| Some(StatusWord { status, reason });
    match w.as_str() {
        "open" if deal => s(Status::Open, None),
        "new" | "neu" | "open" | "opennotcontacted" | "notcontacted" | "unworked" | "lead"
        | "offen" => s(Status::New, None),
        // HubSpot's lifecycle stages before a salesperson works the lead.
        "subscriber" | "marketingqualifiedlead" => s(Status::New, None),
        "working" | "workingcontacted" | "contacted" | "attemptedtocontact" | "connected"
        | "inprogress" | "inbearbeitung" | "kontaktiert" | "engaged" | "nurturing"
        // Zoho CRM's lead statuses: one to contact later is being nurtured; a pre-qualified
        // one is still being qualified.
        | "contactinfuture" | "prequalified" => s(Status::Working, None),
        // Salesforce's "Closed - Converted": the lead became an opportunity, whose outcome
        // the leads export does not say. A deal to work, not a win worth nothing.
        "qualified" | "opendeal" | "opportunity" | "qualifiziert" | "salesqualifiedlead"
        | "pipeline" | "closedconverted" | "converted" => s(Status::Open, None),
        // Atomic CRM's contact statuses run cold, warm, hot, in-contract: a customer.
        "won" | "closedwon" | "gewonnen" | "customer" | "kunde" | "incontract"
        // HubSpot's evangelist: a customer who promotes it.
        | "undercontract" | "evangelist" => s(Status::Won, None),
        // Zoho's "Lost Lead": lost, for a reason the status does not say.
        "lost" | "closedlost" | "verloren" | "lostlead" => s(Status::Lost, None),
        "disqualified" | "closednotconverted" | "nichtqualifiziert" | "disqualifiziert"
        | "notqualified" => s(Status::Disqualified, None),
        // HubSpot's UNQUALIFIED says no more than that: the reason is unknown, and the lead
        // rests and comes back rather than being written off (a trial lost 13 so).
        "unqualified" => s(Status::Disqualified, None),
        "notafit" => s(Status::Disqualified, Some("not-a-fit")),
        "badtiming" => s(Status::Disqualified, Some("timing")),
        "junk" | "spam" | "junklead" => s(Status::Disqualified, Some("spam")),
        "duplicate" => s(Status::Disqualified, Some("duplicate")),
        _ => None,
    }
}

/// A status word that closed a lead, as its reason note keeps it ("status: Lost Lead").
pub fn status_said(word: &str) -> String {
    format!("status: {}", word.trim())
}

/// The reason recorded when a file closes a lead without saying why (or says it in words that
/// name none of ripen's reasons): "unknown", which recycles, so the lead is not wasted, and
/// keeps the reports' real reasons apart from the guessed ones. A book whose config has no
/// such reason falls back as [`crate::domain::arrival::arrive`] says.
pub const DEFAULT_REASON: &str = crate::domain::arrival::UNKNOWN_REASON;

/// A free-text loss reason as one of ripen's reason keys; unknown text becomes
/// [`DEFAULT_REASON`] (the caller keeps the text as the reason note).
pub fn reason_key(text: &str, known: &[&str]) -> &'static str {
    let t = text.trim().to_lowercase();
    let folded = fold(&t);
    for key in [
        "budget",
        "timing",
        "competitor",
        "requirements",
        "no-response",
        "not-a-fit",
        "duplicate",
        "spam",
    ] {
        if folded == fold(key) && known.contains(&key) {
            return key;
        }
    }
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    // Whole words only, for words that hide inside others ("later" in "collateral").
    let has_word = |words: &[&str]| {
        t.split(|c: char| !c.is_alphanumeric())
            .any(|w| words.contains(&w))
    };
    if has(&[
        "budget",
        "price",
        "pricing",
        "expensive",
        "cost",
        "money",
        "preis",
        "teuer",
    ]) {
        "budget"
    } else if has(&[
        "competitor",
        "went with",
        "chose",
        "wettbewerb",
        "konkurrenz",
    ]) {
        "competitor"
    } else if has(&[
        "no response",
        "no answer",
        "unresponsive",
        "ghost",
        "never replied",
        "no reply",
        "non-responsive",
        "nonresponsive",
        "non responsive",
        "keine antwort",
    ]) {
        "no-response"
    } else if has(&[
        "feature",
        "requirement",
        "missing",
        "integration",
        "anforderung",
    ]) {
        "requirements"
    } else if has(&[
        "timing",
        "not now",
        "next year",
        "next quarter",
        "zeitpunkt",
    ]) || has_word(&["later", "später"])
    {
        "timing"
    } else if has(&["fit", "unqualified", "too small", "wrong"]) {
        "not-a-fit"
    } else if has(&["duplicate", "dublette"]) {
        "duplicate"
    } else if has(&["spam", "junk", "fake"]) {
        "spam"
    } else {
        DEFAULT_REASON
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_status_words_map_to_the_lifecycle() {
        let st = |w, deal| status_word(w, deal).map(|s| (s.status, s.reason));
        assert_eq!(st("Open - Not Contacted", false), Some((Status::New, None)));
        assert_eq!(
            st("Working - Contacted", false),
            Some((Status::Working, None))
        );
        // Converted to an opportunity: a deal to work, not a win.
        assert_eq!(st("Closed - Converted", false), Some((Status::Open, None)));
        assert_eq!(
            st("Closed - Not Converted", false),
            Some((Status::Disqualified, None))
        );
        assert_eq!(
            st("ATTEMPTED_TO_CONTACT", false),
            Some((Status::Working, None))
        );
        assert_eq!(st("OPEN_DEAL", false), Some((Status::Open, None)));
        assert_eq!(
            st("BAD_TIMING", false),
            Some((Status::Disqualified, Some("timing")))
        );
        assert_eq!(st("open", true), Some((Status::Open, None)));
        assert_eq!(st("OPEN", false), Some((Status::New, None)));
        assert_eq!(st("lost", true), Some((Status::Lost, None)));
        assert_eq!(st("Engaging", false), None);
    }

    #[test]
    fn free_text_reasons_become_keys() {
        let known = [
            "budget",
            "timing",
            "competitor",
            "requirements",
            "no-response",
            "not-a-fit",
            "duplicate",
            "spam",
        ];
        assert_eq!(reason_key("No budget", &known), "budget");
        assert_eq!(reason_key("Went with competitor", &known), "competitor");
        assert_eq!(reason_key("No response", &known), "no-response");
        assert_eq!(reason_key("Missing feature", &known), "requirements");
        assert_eq!(reason_key("Bad timing", &known), "timing");
        assert_eq!(reason_key("Call back later", &known), "timing");
        assert_eq!(reason_key("Asked for collateral", &known), DEFAULT_REASON);
        assert_eq!(reason_key("CEO left", &known), DEFAULT_REASON);
    }
}
