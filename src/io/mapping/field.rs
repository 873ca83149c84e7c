//! The fields of a lead a column can fill, by their canonical names, and what a column becomes.

use std::fmt;
use std::str::FromStr;

/// A field of a lead a column can fill. The names are the canonical ones `--map` takes and a CSV
/// export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    FirstName,
    LastName,
    Company,
    Title,
    Email,
    Phone,
    Website,
    City,
    Country,
    Source,
    Owner,
    Status,
    Stage,
    Class,
    Value,
    /// The value's currency: an ISO 4217 code (`CurrencyIsoCode`, `Deal - Currency`).
    Currency,
    Received,
    Closed,
    Reason,
    ReasonNote,
    Notes,
    Tags,
    ExternalId,
    NextFollowUp,
    RecycleOn,
    /// When the deal is expected to be ready: a CRM's expected close date.
    RipeOn,
    /// When the record last had an activity in the CRM it comes from.
    LastActivity,
    /// When the record was last changed in the CRM: for a closed record without a close date,
    /// the latest it can have closed.
    Modified,
    /// A deal export's "closed" flag (Salesforce `IsClosed`): true for won and lost deals.
    IsClosed,
    /// A deal export's "won" flag (Salesforce `IsWon`).
    IsWon,
}

impl Field {
    pub const ALL: [Field; 31] = [
        Field::Name,
        Field::FirstName,
        Field::LastName,
        Field::Company,
        Field::Title,
        Field::Email,
        Field::Phone,
        Field::Website,
        Field::City,
        Field::Country,
        Field::Source,
        Field::Owner,
        Field::Status,
        Field::Stage,
        Field::Class,
        Field::Value,
        Field::Currency,
        Field::Received,
        Field::Closed,
        Field::Reason,
        Field::ReasonNote,
        Field::Notes,
        Field::Tags,
        Field::ExternalId,
        Field::NextFollowUp,
        Field::RecycleOn,
        Field::RipeOn,
        Field::LastActivity,
        Field::Modified,
        Field::IsClosed,
        Field::IsWon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Company => "company",
            Field::Title => "title",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Website => "website",
            Field::City => "city",
            Field::Country => "country",
            Field::Source => "source",
            Field::Owner => "owner",
            Field::Status => "status",
            Field::Stage => "stage",
            Field::Class => "class",
            Field::Value => "value",
            Field::Currency => "currency",
            Field::Received => "received",
            Field::Closed => "closed",
            Field::Reason => "reason",
            Field::ReasonNote => "reason_note",
            Field::Notes => "notes",
            Field::Tags => "tags",
            Field::ExternalId => "external_id",
            Field::NextFollowUp => "next_follow_up",
            Field::RecycleOn => "recycle_on",
            Field::RipeOn => "ripe_on",
            Field::LastActivity => "last_activity",
            Field::Modified => "modified",
            Field::IsClosed => "is_closed",
            Field::IsWon => "is_won",
        }
    }

    /// Dates, parsed with the file's day/month order.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Field::Received
                | Field::Closed
                | Field::NextFollowUp
                | Field::RecycleOn
                | Field::RipeOn
                | Field::LastActivity
                | Field::Modified
        )
    }

    /// Dates that only inform ripen (when a closed record closed, when a lead falls due): a
    /// cell that is not a date is kept with the lead as text rather than refused.
    pub fn is_hint(self) -> bool {
        matches!(self, Field::LastActivity | Field::Modified)
    }

    /// Free text that may span lines.
    pub fn is_multiline(self) -> bool {
        matches!(self, Field::Notes | Field::ReasonNote)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace('-', "_");
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == t)
            .ok_or_else(|| {
                format!(
                    "unknown field \"{}\" (known: {}, extra)",
                    s.trim(),
                    Field::ALL.map(|f| f.as_str()).join(", ")
                )
            })
    }
}

/// What one column becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Field(Field),
    /// Kept under its header in the lead's `extra` object.
    Extra,
}
