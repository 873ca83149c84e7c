//! Other cells: ratings as a class, yes/no flags, tags, and cells an export neutralised against
//! formulas.

use crate::domain::Class;
use crate::io::mapping::fold;

/// A yes/no cell (`true`, `1`, `yes`, `x`, `ja`, …), or `None` for a cell that is neither.
pub fn flag_word(word: &str) -> Option<bool> {
    match fold(word).as_str() {
        "true" | "1" | "yes" | "y" | "x" | "ja" | "wahr" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "nein" | "falsch" | "f" | "" => Some(false),
        _ => None,
    }
}

/// A rating (`Hot`/`Warm`/`Cold`, `A`/`B`/`C`) as a class.
pub fn class_word(word: &str) -> Option<Class> {
    if let Ok(c) = word.parse::<Class>() {
        return Some(c);
    }
    match fold(word).as_str() {
        "hot" | "high" | "heiss" | "heiß" | "hoch" => Some(Class::A),
        "warm" | "medium" | "mittel" => Some(Class::B),
        "cold" | "low" | "kalt" | "niedrig" => Some(Class::C),
        _ => None,
    }
}

/// Split a tags cell on `,` `;` `|`.
pub fn split_tags(s: &str) -> Vec<String> {
    s.split([',', ';', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// An exported cell neutralised against formulas (`'=…`) read back as typed.
pub fn unneutralise(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stage;
    use crate::io::values::stage_word;

    #[test]
    fn stages_ratings_and_tags() {
        assert_eq!(stage_word("Demo Scheduled"), Some(Stage::Warming));
        assert_eq!(stage_word("Negotiations Started"), Some(Stage::Negotiation));
        assert_eq!(class_word("Hot"), Some(Class::A));
        assert_eq!(split_tags("a, b;c|"), vec!["a", "b", "c"]);
        assert_eq!(unneutralise("'=SUM(1)"), "=SUM(1)");
        assert_eq!(unneutralise("'quoted"), "'quoted");
    }
}
