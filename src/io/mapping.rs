//! Which column of a file means which field of a lead: header names of HubSpot, Salesforce,
//! Pipedrive and common English and German spreadsheets, matched after folding case and
//! punctuation; `--map "Header=field"` overrides. A column that means nothing to ripen is kept in
//! the lead's `extra` JSON, never dropped.

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

/// Fold a header for matching: lowercase, letters and digits only (`Person - Email - Work` →
/// `personemailwork`, `E-Mail` → `email`, `Angelegt am` → `angelegtam`).
pub fn fold(header: &str) -> String {
    header
        .trim_start_matches('\u{FEFF}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Folded header names of each field, across vendors and languages.
const KNOWN: &[(Field, &[&str])] = &[
    (
        Field::Name,
        &[
            "name",
            "fullname",
            "contactname",
            "contact",
            "personname",
            "person",
            "leadname",
            "kontakt",
            "ansprechpartner",
            "vollername",
            "kontaktname",
        ],
    ),
    (
        Field::FirstName,
        &[
            "firstname",
            "first",
            "givenname",
            "forename",
            "vorname",
            "personfirstname",
        ],
    ),
    (
        Field::LastName,
        &[
            "lastname",
            "last",
            "surname",
            "familyname",
            "nachname",
            "personlastname",
        ],
    ),
    (
        Field::Company,
        &[
            "company",
            "companyname",
            "organization",
            "organisation",
            "organizationname",
            "organisationname",
            "account",
            "accountname",
            "firma",
            "unternehmen",
            "firmenname",
            "personorganization",
        ],
    ),
    (
        Field::Title,
        &[
            "title", "jobtitle", "position", "role", "jobrole", "funktion", "titel",
        ],
    ),
    (
        Field::Email,
        &[
            "email",
            "emailaddress",
            "mail",
            "personemail",
            "personemailwork",
            "personemailhome",
            "personemailother",
            "workemail",
            "emailwork",
            "emailadresse",
            "mailadresse",
            "emailhome",
            "homeemail",
            "emailother",
            "otheremail",
            "email2",
            "email3",
            "secondaryemail",
            "emailprivat",
            "personemailprivat",
        ],
    ),
    (
        Field::Phone,
        &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "mobilephone",
            "mobilenumber",
            "personphone",
            "personphonework",
            "personphonemobile",
            "personphonehome",
            "telefon",
            "telefonnummer",
            "handy",
            "mobil",
            "workphone",
            "phonework",
            "phonehome",
            "homephone",
            "phoneother",
            "otherphone",
            "phonemobile",
            "cellphone",
            "businessphone",
            "phone2",
            "phone3",
            "telefonprivat",
            "telefongeschäftlich",
        ],
    ),
    (
        Field::Website,
        &[
            "website",
            "websiteurl",
            "web",
            "url",
            "homepage",
            "webseite",
            "companywebsite",
        ],
    ),
    (Field::City, &["city", "town", "stadt", "ort"]),
    (Field::Country, &["country", "countryregion", "land"]),
    (
        Field::Source,
        &[
            "source",
            "leadsource",
            "originalsource",
            "dealsource",
            "quelle",
            "herkunft",
            "leadquelle",
            "channel",
            "kanal",
        ],
    ),
    (
        Field::Owner,
        &[
            "owner",
            "contactowner",
            "dealowner",
            "leadowner",
            "ownername",
            "assignedto",
            "salesrep",
            "sales",
            "salesperson",
            "accountowner",
            "recordowner",
            "assignee",
            "zuständig",
            "verantwortlich",
            "betreuer",
        ],
    ),
    (
        Field::Status,
        &[
            "status",
            "leadstatus",
            "dealstatus",
            "contactstatus",
            "zustand",
        ],
    ),
    (
        Field::Stage,
        &[
            "stage",
            "stagename",
            "dealstage",
            "pipelinestage",
            "opportunitystage",
            "salesstage",
            "phase",
            "verkaufsphase",
        ],
    ),
    (Field::IsClosed, &["isclosed", "geschlossen"]),
    (Field::IsWon, &["iswon", "gewonnen"]),
    (
        Field::Class,
        &["class", "rating", "klasse", "priority", "priorität"],
    ),
    (
        Field::Value,
        &[
            "value",
            "amount",
            "dealvalue",
            "dealamount",
            "estimatedvalue",
            "wert",
            "betrag",
            "volumen",
            "auftragswert",
        ],
    ),
    (
        Field::Currency,
        &[
            "currency",
            "currencyisocode",
            "currencycode",
            "dealcurrency",
            "dealcurrencycode",
            "amountcurrency",
            "valuecurrency",
            "opportunitycurrency",
            "währung",
            "waehrung",
            "devise",
            "moneda",
        ],
    ),
    (
        Field::Received,
        &[
            "received",
            "receivedat",
            "created",
            "createdate",
            "createddate",
            "createdon",
            "createdat",
            "datecreated",
            "dealdealcreated",
            "dealcreated",
            "dealaddtime",
            "addtime",
            "firstseen",
            "angelegtam",
            "angelegt",
            "erstelltam",
            "erstellt",
            "eingangsdatum",
        ],
    ),
    (
        Field::Closed,
        &[
            "closed",
            "closedat",
            "closeddate",
            "wontime",
            "losttime",
            "dealwontime",
            "deallosttime",
            "dealclosetime",
            "abgeschlossenam",
        ],
    ),
    (
        Field::LastActivity,
        &[
            "lastactivity",
            "lastactivitydate",
            "lastseen",
            "lastactivityat",
            "deallastactivitydate",
            "lastcontacted",
            "lastcontactdate",
            "lastcontacteddate",
            "letzteaktivität",
            "letzterkontakt",
        ],
    ),
    (
        Field::Modified,
        &[
            "modified",
            "modifiedat",
            "modifieddate",
            "lastmodified",
            "lastmodifieddate",
            "updatedat",
            "lastupdated",
            "dateupdated",
            "dealupdatetime",
            "updatetime",
            "geändertam",
            "zuletztgeändert",
        ],
    ),
    (
        Field::Reason,
        &[
            "reason",
            "lostreason",
            "deallostreason",
            "lossreason",
            "closereason",
            "disqualificationreason",
            "verlustgrund",
            "grund",
        ],
    ),
    (Field::ReasonNote, &["reasonnote"]),
    (
        Field::Notes,
        &[
            "notes",
            "note",
            "description",
            "comments",
            "comment",
            "notizen",
            "notiz",
            "bemerkung",
            "bemerkungen",
            "beschreibung",
            "kommentar",
        ],
    ),
    (
        Field::Tags,
        &["tags", "tag", "labels", "label", "schlagworte"],
    ),
    (
        Field::ExternalId,
        &[
            "externalid",
            "id",
            "recordid",
            "dealid",
            "opportunityid",
            "potentialid",
            "leadid",
            "contactid",
            "personid",
            "hubspotid",
        ],
    ),
    (
        Field::NextFollowUp,
        &[
            "nextfollowup",
            "followup",
            "nextactivitydate",
            "wiedervorlage",
        ],
    ),
    (Field::RecycleOn, &["recycleon"]),
    (
        Field::RipeOn,
        &[
            "ripeon",
            "expectedclosedate",
            "dealexpectedclosedate",
            "closedate",
            "erwartetesabschlussdatum",
            "abschlussdatum",
        ],
    ),
];

/// The field a header means, if ripen knows it.
pub fn auto_field(header: &str) -> Option<Field> {
    let f = fold(header);
    KNOWN
        .iter()
        .find(|(_, names)| names.contains(&f.as_str()))
        .map(|(field, _)| *field)
}

/// A user's `Header=field` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub header: String,
    pub target: Target,
}

impl FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (h, f) = s
            .rsplit_once('=')
            .ok_or_else(|| format!("--map \"{s}\": expected Header=field"))?;
        let target = match f.trim() {
            "extra" | "-" => Target::Extra,
            other => Target::Field(other.parse()?),
        };
        Ok(Override {
            header: h.trim().to_string(),
            target,
        })
    }
}

/// The target of every column, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub headers: Vec<String>,
    pub targets: Vec<Target>,
}

impl Mapping {
    /// Map headers automatically, then apply overrides (matched exactly, else case-folded).
    pub fn new(headers: Vec<String>, overrides: &[Override]) -> Result<Mapping, String> {
        let targets: Vec<Target> = headers
            .iter()
            .map(|h| auto_field(h).map_or(Target::Extra, Target::Field))
            .collect();
        Mapping::with_targets(headers, targets, overrides)
    }

    /// Columns whose targets are already known (a vCard's properties), then overrides as in
    /// [`Mapping::new`].
    pub fn with_targets(
        headers: Vec<String>,
        mut targets: Vec<Target>,
        overrides: &[Override],
    ) -> Result<Mapping, String> {
        for o in overrides {
            let idx = headers
                .iter()
                .position(|h| h == &o.header)
                .or_else(|| headers.iter().position(|h| fold(h) == fold(&o.header)))
                .ok_or_else(|| {
                    format!(
                        "--map: no column \"{}\" (columns: {})",
                        o.header,
                        headers.join(", ")
                    )
                })?;
            targets[idx] = o.target;
        }
        Ok(Mapping { headers, targets })
    }

    /// How much a column is preferred when several fill one field (lower first): a work
    /// address or number before a plain one before a mobile, a home and then any other
    /// (`email_work`, `Email`, `phone_mobile`, `email_home`, `email_other`, `Email 2`).
    pub fn preference(&self, column: usize) -> u8 {
        let Some(h) = self.headers.get(column) else {
            return u8::MAX;
        };
        let f = fold(h);
        let has = |words: &[&str]| words.iter().any(|w| f.contains(w));
        if has(&["work", "business", "office", "geschäft", "dienst", "büro"]) {
            0
        } else if has(&["other", "secondary", "alternate", "weitere", "andere"])
            || f.ends_with(|c: char| c.is_ascii_digit())
        {
            4
        } else if has(&["home", "private", "personal", "privat"]) {
            3
        } else if has(&["mobile", "cell", "handy", "mobil"]) {
            2
        } else {
            1
        }
    }

    /// The column index that holds a field first, if any.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.targets.iter().position(|t| *t == Target::Field(field))
    }

    /// Lines like `  Email → email` for `--dry-run`.
    pub fn describe(&self) -> Vec<String> {
        self.headers
            .iter()
            .zip(&self.targets)
            .map(|(h, t)| match t {
                Target::Field(f) => format!("{h} → {f}"),
                Target::Extra => format!("{h} → extra (kept with the lead)"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(headers: &[&str]) -> Vec<Target> {
        Mapping::new(headers.iter().map(|s| s.to_string()).collect(), &[])
            .unwrap()
            .targets
    }

    #[test]
    fn vendor_headers_map_automatically() {
        use Field::*;
        let t = |f| Target::Field(f);
        assert_eq!(
            map(&[
                "Record ID",
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Company Name",
                "Job Title",
                "Contact owner",
                "Lead Status",
                "Create Date",
                "Last Activity Date",
                "Original Source"
            ]),
            vec![
                t(ExternalId),
                t(FirstName),
                t(LastName),
                t(Email),
                t(Phone),
                t(Company),
                t(Title),
                t(Owner),
                t(Status),
                t(Received),
                t(LastActivity),
                t(Source)
            ]
        );
        assert_eq!(
            map(&[
                "FirstName",
                "LastName",
                "Company",
                "Email",
                "LeadSource",
                "Status",
                "CreatedDate",
                "Description",
                "OwnerId",
                "LastModifiedDate",
                "LastActivityDate"
            ]),
            vec![
                t(FirstName),
                t(LastName),
                t(Company),
                t(Email),
                t(Source),
                t(Status),
                t(Received),
                t(Notes),
                Target::Extra,
                t(Modified),
                t(LastActivity)
            ]
        );
        assert_eq!(
            map(&[
                "Person - Name",
                "Organization - Name",
                "Deal - Value",
                "Deal - Status",
                "Deal - Lost reason",
                "Deal - Won time",
                "Deal - Lost time",
                "Deal - Owner",
                "Person - Email - Work",
                "Deal - Title",
                "Deal - Expected close date"
            ]),
            vec![
                t(Name),
                t(Company),
                t(Value),
                t(Status),
                t(Reason),
                t(Closed),
                t(Closed),
                t(Owner),
                t(Email),
                Target::Extra,
                t(RipeOn)
            ]
        );
        assert_eq!(
            map(&[
                "Vorname",
                "Nachname",
                "Firma",
                "E-Mail",
                "Telefon",
                "Quelle",
                "Wert",
                "Angelegt am"
            ]),
            vec![
                t(FirstName),
                t(LastName),
                t(Company),
                t(Email),
                t(Phone),
                t(Source),
                t(Value),
                t(Received)
            ]
        );
    }

    #[test]
    fn overrides_win_and_unknown_fields_are_refused() {
        let o: Override = "Deal - Title=notes".parse().unwrap();
        let m = Mapping::new(vec!["deal - title".into()], &[o]).unwrap();
        assert_eq!(m.targets, vec![Target::Field(Field::Notes)]);
        assert!(
            "X=bogus"
                .parse::<Override>()
                .unwrap_err()
                .contains("known: name")
        );
        let o: Override = "Nope=name".parse().unwrap();
        assert!(Mapping::new(vec!["A".into()], &[o]).is_err());
    }
}
