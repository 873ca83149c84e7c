//! A lead's source as a person writes it, from a vendor's source code.

/// A source as a person writes it: HubSpot's "Original Source" codes (`PAID_SEARCH`,
/// `OFFLINE`) become words ("Paid search", "Offline"); any other all-capital code with an
/// underscore likewise; everything else is kept as it is.
pub fn source_words(source: String) -> String {
    let t = source.trim();
    const HUBSPOT: [&str; 10] = [
        "ORGANIC_SEARCH",
        "PAID_SEARCH",
        "EMAIL_MARKETING",
        "SOCIAL_MEDIA",
        "REFERRALS",
        "OTHER_CAMPAIGNS",
        "DIRECT_TRAFFIC",
        "OFFLINE",
        "PAID_SOCIAL",
        "AI_REFERRALS",
    ];
    let code = HUBSPOT.contains(&t)
        || (t.contains('_')
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            && t.chars().any(|c| c.is_ascii_uppercase()));
    if !code {
        return source;
    }
    let words = t
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "EMAIL" => "e-mail".to_string(),
            "AI" => "AI".to_string(),
            w => w.to_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_source_codes_read_as_words() {
        assert_eq!(source_words("PAID_SEARCH".into()), "Paid search");
        assert_eq!(source_words("OFFLINE".into()), "Offline");
        assert_eq!(source_words("EMAIL_MARKETING".into()), "E-mail marketing");
        assert_eq!(source_words("TRADE_SHOW_2026".into()), "Trade show 2026");
        assert_eq!(source_words("IBM".into()), "IBM");
        assert_eq!(source_words("Webinar Oct".into()), "Webinar Oct");
        assert_eq!(source_words("Partner_referral".into()), "Partner_referral");
    }
}
