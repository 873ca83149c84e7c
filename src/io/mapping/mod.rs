//! Which column of a file means which field of a lead: header names of HubSpot, Salesforce,
//! Pipedrive and common English and German spreadsheets, matched after folding case and
//! punctuation; `--map "Header=field"` overrides. A column that means nothing to ripen is kept in
//! the lead's `extra` JSON, never dropped.
//!
//! `field`: the fields a column can fill; `headers`: the vendors' header names of each; here:
//! a file's mapping, with the user's overrides.

mod field;
mod headers;

use std::str::FromStr;

pub use field::{Field, Target};
pub use headers::{auto_field, fold};

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
        // A deal's name names the lead only when no column names its person; a lifecycle
        // stage says its status only when no lead status does.
        if headers::DEAL_NAMES.contains(&f.as_str()) || f == "lifecyclestage" {
            return 5;
        }
        // A company's domain is the website a deal and its contact share (HubSpot's).
        if f.contains("companydomain") {
            return 0;
        }
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
