//! A typed e-mail address checked before it is kept.

/// Why a typed e-mail address cannot be one (one `@` between a name and a domain with a dot,
/// no spaces), if it cannot; a typo caught here would otherwise bounce at the first send.
pub fn email_problem(email: &str) -> Option<String> {
    let e = email.trim();
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(char::is_whitespace)
        }
        None => false,
    };
    (!ok).then(|| format!("\"{e}\" is not an e-mail address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_needs_a_name_an_at_and_a_domain() {
        for ok in ["jane@acme.example", " j.doe+x@mail.co.uk ", "ÿ@exämple.de"] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for bad in [
            "not an email",
            "jane@acme",
            "@acme.example",
            "a@b@c.d",
            "jane@.example",
            "ja ne@x.de",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}
