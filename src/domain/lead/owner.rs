//! Who follows a lead up: its owner, a name told apart as sources are ([`super::names`]), and
//! whose leads a list shows — mine (with the unassigned ones), everyone's, or one owner's.

use super::names::name_key;
use crate::domain::DomainError;

/// The owner a book gives its leads while nobody has told it who its user is (the config's
/// default `user`): such a lead is nobody's yet, so it is in everyone's "mine".
pub const UNASSIGNED: &str = "me";

/// An owner as owners are told apart.
pub fn owner_key(owner: &str) -> String {
    name_key(owner)
}

/// Whether a lead with this owner has no accountable owner yet: the default owner, or none.
pub fn is_unassigned(owner: &str) -> bool {
    let key = owner_key(owner);
    key.is_empty() || key == UNASSIGNED
}

/// Which row of a report by owner a lead counts in: its owner's key, or one row ("") for every
/// unassigned lead.
pub fn owner_row(owner: &str) -> String {
    if is_unassigned(owner) {
        String::new()
    } else {
        owner_key(owner)
    }
}

/// Whose leads a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// Mine and the unassigned ones: a rep's own day.
    Mine,
    Everyone,
    /// One owner's, as typed (any case or accents).
    Owner(String),
    /// No one's yet: the leads to hand out.
    Unassigned,
}

impl Whose {
    /// `--owner`'s value: `me` (or `mine`), `all` (or `everyone`), `unassigned` (or `none`),
    /// or an owner's name.
    pub fn parse(typed: &str) -> Result<Whose, DomainError> {
        let t = typed.trim();
        match owner_key(t).as_str() {
            "" => Err(DomainError::Invalid(
                "an owner needs a name (or me, or all)".into(),
            )),
            "me" | "mine" => Ok(Whose::Mine),
            "all" | "everyone" => Ok(Whose::Everyone),
            "unassigned" | "none" => Ok(Whose::Unassigned),
            _ => Ok(Whose::Owner(
                t.split_whitespace().collect::<Vec<_>>().join(" "),
            )),
        }
    }

    /// Whether a lead owned by `owner` is among these, for a user named `me`.
    pub fn covers(&self, me: &str, owner: &str) -> bool {
        match self {
            Whose::Everyone => true,
            Whose::Mine => is_unassigned(owner) || owner_key(owner) == owner_key(me),
            Whose::Owner(name) => owner_key(owner) == owner_key(name),
            Whose::Unassigned => is_unassigned(owner),
        }
    }

    /// Whether a lead owned by `owner` is `me`'s own (not merely unassigned).
    pub fn is_mine(me: &str, owner: &str) -> bool {
        !is_unassigned(owner) && owner_key(owner) == owner_key(me)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_is_parsed_in_every_spelling() {
        assert_eq!(Whose::parse("me").unwrap(), Whose::Mine);
        assert_eq!(Whose::parse(" Mine ").unwrap(), Whose::Mine);
        assert_eq!(Whose::parse("ALL").unwrap(), Whose::Everyone);
        assert_eq!(
            Whose::parse(" sam   rep ").unwrap(),
            Whose::Owner("sam rep".into())
        );
        assert_eq!(Whose::parse("None").unwrap(), Whose::Unassigned);
        assert!(Whose::parse("  ").is_err());
    }

    #[test]
    fn mine_is_my_leads_and_the_unassigned_ones() {
        let mine = Whose::Mine;
        assert!(mine.covers("Sam Rep", "sam rep"));
        assert!(mine.covers("Sam Rep", "Säm  Rep"));
        assert!(mine.covers("Sam Rep", "me"));
        assert!(mine.covers("Sam Rep", ""));
        assert!(!mine.covers("Sam Rep", "Kim"));
        assert!(Whose::Owner("KIM".into()).covers("Sam", "Kim"));
        assert!(!Whose::Owner("Kim".into()).covers("Sam", "me"));
        assert!(Whose::Everyone.covers("Sam", "Kim"));
        assert!(Whose::Unassigned.covers("Sam", "me"));
        assert!(!Whose::Unassigned.covers("Sam", "Sam"));
        assert!(Whose::is_mine("Sam", "SAM"));
        assert!(!Whose::is_mine("me", "me"));
    }
}
