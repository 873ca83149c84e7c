//! Money has a currency. A lead's value is kept in the currency its source named (an ISO 4217
//! code on the lead), or, without one, in the book's own currency (the config's `currency`).
//! Sums never mix currencies: an amount in another currency joins the book's figures only at a
//! rate the user gave (`[currency_rates]` in the config); without one it is summed apart, in its
//! own currency, and said so. ripen never makes a rate up.

use std::collections::BTreeMap;

use super::{DomainError, Plan};

/// ISO 4217 codes of the currencies in use (and a few that exports still carry).
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN \
ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD \
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP \
MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD \
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY \
TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// Symbols written in amounts, and the currency each stands for. A bare `$` is the US dollar;
/// a file of other dollars says so in its currency column, which wins over a symbol.
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("A$", "AUD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("MX$", "MXN"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₽", "RUB"),
    ("₺", "TRY"),
    ("₪", "ILS"),
    ("zł", "PLN"),
    ("Fr.", "CHF"),
    ("SFr.", "CHF"),
];

/// The symbol each currency is shown with, where it has a short one of its own.
const SHOWN: &[(&str, &str)] = &[
    ("EUR", "€"),
    ("USD", "$"),
    ("GBP", "£"),
    ("JPY", "¥"),
    ("INR", "₹"),
];

/// A currency's ISO code, from a code in any case (`usd`, ` EUR `) or a symbol (`€`, `US$`).
pub fn code_of(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.len() == 3 && t.is_ascii() {
        let up = t.to_ascii_uppercase();
        return ISO_4217.split_whitespace().find(|c| *c == up);
    }
    SYMBOLS.iter().find(|(s, _)| *s == t).map(|(_, c)| *c)
}

/// Why `shown` names no currency, in the words every front end and the import use.
pub fn unknown_currency(shown: &str) -> String {
    format!("unknown currency \"{shown}\" (an ISO 4217 code such as EUR, USD or GBP)")
}

/// How an amount in `code` is shown: its own symbol where it has a short one (`€`, `$`), else
/// its code and a space (`MXN 23,030,000`).
pub fn shown_symbol(code: &str) -> String {
    SHOWN
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| format!("{code} "), |(_, s)| s.to_string())
}

/// An amount as an export writes it: `1,200.50`, `$1,200`, `1.200 €`, `USD 1200`, `CHF 1'200`,
/// `23030000 MXN`. Returns the amount in minor units and the currency it names, if any.
pub fn parse_amount(text: &str) -> Result<(i64, Option<&'static str>), DomainError> {
    marked_amount(text).map(|(cents, named)| (cents, named.map(|(code, _)| code)))
}

/// A currency's code, and the mark an amount named it with (`$`, `USD`, `€`).
type Marked<'a> = (&'static str, &'a str);

/// [`parse_amount`], with the mark the amount was written with.
fn marked_amount(text: &str) -> Result<(i64, Option<Marked<'_>>), DomainError> {
    let t = text.trim();
    let mut mark = "";
    let (mut rest, mut code) = (t, None);
    // A code or symbol before or after the number (the longest symbol first: "US$" before "$").
    let mut marks: Vec<(&str, &'static str)> = SYMBOLS.iter().map(|(s, c)| (*s, *c)).collect();
    marks.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    for (s, c) in marks {
        if let Some(r) = rest.strip_prefix(s) {
            (rest, code, mark) = (r, Some(c), s);
            break;
        }
        if let Some(r) = rest.strip_suffix(s) {
            (rest, code, mark) = (r, Some(c), s);
            break;
        }
    }
    if code.is_none() {
        let r = rest.trim();
        let letters = |s: &str| s.chars().all(|c| c.is_ascii_alphabetic());
        let head = r.get(..3).filter(|h| r.len() > 3 && letters(h));
        let tail = r
            .get(r.len().saturating_sub(3)..)
            .filter(|t| r.len() > 3 && letters(t));
        if let Some(c) = head.and_then(code_of) {
            (rest, code, mark) = (&r[3..], Some(c), &r[..3]);
        } else if let Some(c) = tail.and_then(code_of) {
            (rest, code, mark) = (&r[..r.len() - 3], Some(c), &r[r.len() - 3..]);
        }
    }
    let cents = parse_money(rest.trim()).map_err(|_| DomainError::BadValue(t.to_string()))?;
    Ok((cents, code.map(|c| (c, mark))))
}

/// An amount whose one separator is a decimal point, read so whatever follows it
/// (`27675.675` → 2,767,568 cents, rounded half away from zero); None for any other shape.
pub fn point_decimal_cents(text: &str) -> Option<i64> {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    if kept.contains(',') || kept.matches('.').count() != 1 {
        return None;
    }
    let v: f64 = kept.parse().ok()?;
    (v.is_finite() && v < 1e13).then(|| (v * 100.0).round() as i64)
}

/// Which currency an amount was written in: not said (`None`), the book's own
/// (`Some(None)`), or another (`Some(Some(code))`).
pub type Named = Option<Option<String>>;

impl Plan {
    /// The ISO code of the book's own currency: the config's `currency_code`, else the one its
    /// `currency` symbol stands for (`€`: EUR). None when the symbol names no single currency.
    pub fn home_currency(&self) -> Option<&str> {
        match &self.currency_code {
            Some(c) => Some(c.as_str()),
            None => code_of(&self.currency),
        }
    }

    /// Whether an amount in `currency` (None: the book's own) is in the book's currency.
    pub fn is_home(&self, currency: Option<&str>) -> bool {
        currency.is_none_or(|c| self.home_currency() == Some(c))
    }

    /// The currency a lead keeps for an amount its source wrote in `code`: None (the book's own)
    /// for the book's currency, so that sums stay one figure.
    pub fn kept_currency(&self, code: Option<&str>) -> Option<String> {
        code.filter(|c| !self.is_home(Some(c))).map(str::to_string)
    }

    /// An amount as typed or imported, read in this book: the book's own symbol is the
    /// book's currency (`$` in a book of Canadian dollars is no US dollar).
    pub fn amount(&self, text: &str) -> Result<(i64, Named), DomainError> {
        let (cents, marked) = marked_amount(text)?;
        let named = marked.map(|(code, mark)| {
            if mark.trim() == self.currency.trim() {
                None
            } else {
                self.kept_currency(Some(code))
            }
        });
        Ok((cents, named))
    }

    /// The symbol an amount in `currency` is shown with: never the book's own for another
    /// currency (US dollars in a book of Canadian `$` read `USD 100`).
    pub fn symbol_of(&self, currency: Option<&str>) -> String {
        match currency {
            Some(c) if !self.is_home(Some(c)) => {
                let s = shown_symbol(c);
                if s.trim() == self.currency.trim() {
                    format!("{c} ")
                } else {
                    s
                }
            }
            _ => self.currency.clone(),
        }
    }

    /// An amount in its currency: `€24,000`, `$1,250.50`, `MXN 23,030,000`.
    pub fn money(&self, cents: i64, currency: Option<&str>) -> String {
        format_money(cents, &self.symbol_of(currency))
    }

    /// The same, short: `€312k`, `MXN 23.0M`.
    pub fn money_short(&self, cents: i64, currency: Option<&str>) -> String {
        format_money_short(cents, &self.symbol_of(currency))
    }

    /// The rate the user gave for `currency` into the book's currency: 1 for the book's own,
    /// None for a currency without a rate.
    pub fn rate(&self, currency: Option<&str>) -> Option<f64> {
        match currency {
            c if self.is_home(c) => Some(1.0),
            Some(c) => self.currency_rates.get(c).copied(),
            None => Some(1.0),
        }
    }

    /// An amount in the book's currency, at the user's rate; None without one.
    pub fn in_home(&self, cents: i64, currency: Option<&str>) -> Option<i64> {
        self.rate(currency)
            .map(|r| (cents as f64 * r).round() as i64)
    }

    /// A lead's value as the queue's priority weighs it: in the book's currency (no currency of
    /// its own), or another at the user's rate; None without one. (The store's rank index
    /// computes the same in SQL.)
    pub fn ranked_value(&self, cents: i64, currency: Option<&str>) -> Option<i64> {
        // (Only a rate the user gave: a lead left in a currency that has since become the
        // book's own ranks without its value until moved with `ripen edit N --currency`,
        // which keeps the queue's index free of the book's currency.)
        match currency {
            None => Some(cents),
            Some(c) => self
                .currency_rates
                .get(c)
                .map(|r| (cents as f64 * r).round() as i64),
        }
    }

    /// An amount typed for lead #`number` in the currency `said` names must be in the lead's:
    /// ripen never reads an amount in another currency than it was given in.
    pub fn typed_in_its_currency(
        &self,
        lead: &super::Lead,
        number: i64,
        said: &Named,
    ) -> Result<(), DomainError> {
        let Some(said) = said else {
            return Ok(());
        };
        if lead.currency == *said {
            return Ok(());
        }
        let is = |c: &Option<String>| {
            c.clone()
                .or_else(|| self.home_currency().map(str::to_string))
                .unwrap_or_else(|| self.currency.clone())
        };
        let (n, was, typed) = (number, is(&lead.currency), is(said));
        Err(DomainError::Invalid(format!(
            "#{n}'s value is in {was}, the amount typed in {typed}: type it in {was}, or move \
             the lead to {typed} first (ripen edit {n} --currency {typed})"
        )))
    }

    /// Check `[currency_rates]` and `currency_code`: ISO codes, positive finite rates.
    pub fn check_currencies(&self) -> Result<(), String> {
        if let Some(c) = &self.currency_code
            && code_of(c) != Some(c.as_str())
        {
            return Err(format!(
                "currency_code: \"{c}\" is not an ISO 4217 code (such as EUR, USD, GBP)"
            ));
        }
        for (code, rate) in &self.currency_rates {
            if code_of(code) != Some(code.as_str()) {
                return Err(format!(
                    "currency_rates: \"{code}\" is not an ISO 4217 code in capitals (such as USD)"
                ));
            }
            if !rate.is_finite() || *rate <= 0.0 || *rate > MAX_RATE {
                return Err(format!(
                    "currency_rates: {code} = {rate}: a rate is a positive number up to \
                     {MAX_RATE} (what one {code} is worth in the book's currency)"
                ));
            }
        }
        Ok(())
    }
}

/// The largest rate a config may give: more than any two currencies differ by, and far from
/// making a sum of amounts overflow.
pub const MAX_RATE: f64 = 1e6;

/// Amounts summed apart, per currency (ISO code → minor units), for the currencies without a
/// rate. Empty when every amount joined the book's figure.
pub type Apart = BTreeMap<String, i64>;

/// Sum amounts given per currency into the book's figure and the sums kept apart.
pub fn sum_in_home<'a>(
    plan: &Plan,
    by_currency: impl IntoIterator<Item = (Option<&'a str>, i64)>,
) -> (i64, Apart) {
    let mut home = 0i64;
    let mut apart = Apart::new();
    for (c, cents) in by_currency {
        match plan.in_home(cents, c) {
            Some(v) => home = home.saturating_add(v),
            None => {
                let e = apart.entry(c.unwrap_or_default().to_string()).or_default();
                *e = e.saturating_add(cents);
            }
        }
    }
    (home, apart)
}

/// A total in the book's currency with the sums kept apart, short, for a title: in full
/// (`€40k+MXN 12.3M+$98k`; a total of other currencies alone drops the book's `€0`), and
/// compact (`€40k+MXN`, `€40k+3¤` for several).
pub fn total_short(plan: &Plan, home: i64, apart: &Apart) -> (String, String) {
    let own = plan.money_short(home, None);
    let others: Vec<String> = apart
        .iter()
        .map(|(c, v)| plan.money_short(*v, Some(c)))
        .collect();
    let full = match (home, others.is_empty()) {
        (_, true) => own.clone(),
        (0, false) => others.join("+"),
        _ => format!("{own}+{}", others.join("+")),
    };
    let compact = match apart.len() {
        0 => own,
        1 => format!("{own}+{}", apart.keys().next().map_or("", String::as_str)),
        n => format!("{own}+{n}¤"),
    };
    (full, compact)
}

/// Open values in other currencies, each with the chance its stage gives it (currency, minor
/// units, probability): their sum in the book's currency at the user's rates, that sum weighted
/// (not rounded: a forecast rounds its total once), and the values without a rate apart.
pub fn weigh_foreign<'a>(
    plan: &Plan,
    values: impl IntoIterator<Item = (&'a str, i64, f64)>,
) -> (Money, f64) {
    let mut money = Money::default();
    let mut weighted = 0f64;
    for (c, cents, p) in values {
        match plan.in_home(cents, Some(c)) {
            Some(v) => {
                money.cents = money.cents.saturating_add(v);
                weighted += v as f64 * p;
            }
            None => {
                let e = money.apart.entry(c.to_string()).or_default();
                *e = e.saturating_add(cents);
            }
        }
    }
    (money, weighted)
}

/// A sum in the book's currency, with the values that had no rate kept apart per currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Money {
    /// Minor units of the book's currency: its own values, and others at the user's rates.
    pub cents: i64,
    pub apart: Apart,
}

impl Money {
    /// `cents` of the book's currency, and `foreign` values (currency, minor units) summed in at `plan`'s rates.
    pub fn of<'a>(
        plan: &Plan,
        cents: i64,
        foreign: impl IntoIterator<Item = (&'a str, i64)>,
    ) -> Money {
        let (home, apart) = sum_in_home(plan, foreign.into_iter().map(|(c, v)| (Some(c), v)));
        Money {
            cents: cents.saturating_add(home),
            apart,
        }
    }
}

/// Parse a money amount typed by a user: `24000`, `24,000.50`, `24.000,50`, `€24k`.
pub fn parse_money(input: &str) -> Result<i64, DomainError> {
    let bad = || DomainError::BadValue(input.to_string());
    let mut s: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !"€$£'".contains(*c))
        .collect();
    let mut factor = 1.0;
    if let Some(stripped) = s.strip_suffix(['k', 'K']) {
        factor = 1_000.0;
        s = stripped.to_string();
    } else if let Some(stripped) = s.strip_suffix(['m', 'M']) {
        factor = 1_000_000.0;
        s = stripped.to_string();
    }
    let normalised = normalise_decimal(&s).ok_or_else(bad)?;
    let v: f64 = normalised.parse().map_err(|_| bad())?;
    if !v.is_finite() || v < 0.0 || v * factor > 1e13 {
        return Err(bad());
    }
    Ok((v * factor * 100.0).round() as i64)
}

/// Turn `12.345,50`, `12,345.50`, `12345,5` or `1.5` into a plain `12345.50` form.
///
/// The last of `.`/`,` is the decimal separator when followed by other than exactly three
/// digits, or when both kinds appear; a lone separator followed by three digits is a thousands
/// separator (`12,345` and `12.345` are both twelve thousand).
pub fn normalise_decimal(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let last_sep = body.rfind(['.', ',']);
    let out = match last_sep {
        None => body.to_string(),
        Some(i) => {
            let sep = body.as_bytes()[i] as char;
            let other = if sep == '.' { ',' } else { '.' };
            let frac = &body[i + 1..];
            let both = body.contains(other);
            let count_sep = body.matches(sep).count();
            let is_decimal = both || (count_sep == 1 && frac.len() != 3);
            if is_decimal {
                let int: String = body[..i].chars().filter(|c| c.is_ascii_digit()).collect();
                format!("{int}.{frac}")
            } else {
                body.chars().filter(|c| c.is_ascii_digit()).collect()
            }
        }
    };
    if out.is_empty() || out == "." {
        return None;
    }
    Some(if neg { format!("-{out}") } else { out })
}

/// Format minor units as a human amount: `€24,000` or `€1,250.50`.
pub fn format_money(cents: i64, symbol: &str) -> String {
    let neg = cents < 0;
    let cents = cents.unsigned_abs();
    let major = cents / 100;
    let minor = cents % 100;
    let digits = major.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if neg { "-" } else { "" };
    if minor == 0 {
        format!("{sign}{symbol}{grouped}")
    } else {
        format!("{sign}{symbol}{grouped}.{minor:02}")
    }
}

/// Short money: `€312k`, `€1.2M`, `€950`.
pub fn format_money_short(cents: i64, symbol: &str) -> String {
    let v = cents as f64 / 100.0;
    let a = v.abs();
    if a >= 1_000_000.0 {
        format!("{symbol}{:.1}M", v / 1_000_000.0)
    } else if a >= 1_000.0 {
        format!("{symbol}{:.0}k", v / 1_000.0)
    } else {
        format!("{symbol}{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_their_currency_from_symbols_and_codes() {
        assert_eq!(parse_amount("1,200.50").unwrap(), (120_050, None));
        assert_eq!(parse_amount("$1,200").unwrap(), (120_000, Some("USD")));
        assert_eq!(parse_amount("US$ 1,200").unwrap(), (120_000, Some("USD")));
        assert_eq!(parse_amount("1.200,00 €").unwrap(), (120_000, Some("EUR")));
        assert_eq!(parse_amount("£950").unwrap(), (95_000, Some("GBP")));
        assert_eq!(parse_amount("CHF 1'200").unwrap(), (120_000, Some("CHF")));
        assert_eq!(
            parse_amount("23030000 MXN").unwrap(),
            (2_303_000_000, Some("MXN"))
        );
        assert_eq!(parse_amount("usd 10").unwrap(), (1_000, Some("USD")));
        assert!(parse_amount("ABC 10").is_err());
        assert!(parse_amount("lots").is_err());
    }

    #[test]
    fn a_decimal_point_reads_any_number_of_decimals() {
        assert_eq!(point_decimal_cents("27675.675"), Some(2_767_568));
        assert_eq!(point_decimal_cents("PEN 27675.675"), Some(2_767_568));
        assert_eq!(point_decimal_cents("1,234.5"), None);
        assert_eq!(point_decimal_cents("1200"), None);
    }

    #[test]
    fn a_title_total_names_the_sums_apart_in_full_or_counted() {
        let plan = Plan::default();
        let mut apart = Apart::new();
        assert_eq!(total_short(&plan, 4_000_000, &apart).1, "€40k");
        apart.insert("MXN".into(), 1_230_000_000);
        assert_eq!(
            total_short(&plan, 0, &apart),
            ("MXN 12.3M".into(), "€0+MXN".into())
        );
        apart.insert("USD".into(), 9_800_000);
        assert_eq!(
            total_short(&plan, 4_000_000, &apart),
            ("€40k+MXN 12.3M+$98k".into(), "€40k+2¤".into())
        );
    }

    #[test]
    fn codes_are_iso_and_symbols_map_to_them() {
        assert_eq!(code_of("eur"), Some("EUR"));
        assert_eq!(code_of("€"), Some("EUR"));
        assert_eq!(code_of("XYZ"), None);
        assert_eq!(code_of("kr"), None);
    }

    #[test]
    fn the_book_currency_shows_its_symbol_others_their_own() {
        let plan = Plan::default();
        assert_eq!(plan.home_currency(), Some("EUR"));
        assert_eq!(plan.money(2_400_000, None), "€24,000");
        assert_eq!(plan.money(2_400_000, Some("EUR")), "€24,000");
        assert_eq!(plan.money(2_400_000, Some("USD")), "$24,000");
        assert_eq!(plan.money(2_303_000_000, Some("MXN")), "MXN 23,030,000");
        assert_eq!(plan.kept_currency(Some("EUR")), None);
        assert_eq!(plan.kept_currency(Some("MXN")).as_deref(), Some("MXN"));
    }

    #[test]
    fn sums_convert_only_at_the_users_rates() {
        let mut plan = Plan::default();
        plan.currency_rates.insert("USD".into(), 0.5);
        let (home, apart) = sum_in_home(
            &plan,
            [
                (None, 1_000),
                (Some("USD"), 1_000),
                (Some("MXN"), 7_000),
                (Some("MXN"), 3_000),
            ],
        );
        assert_eq!(home, 1_500);
        assert_eq!(apart.get("MXN"), Some(&10_000));
        let (money, weighted) = weigh_foreign(&plan, [("USD", 1_000, 0.5), ("MXN", 7_000, 0.5)]);
        assert_eq!((money.cents, weighted), (500, 250.0));
        assert_eq!(money.apart.get("MXN"), Some(&7_000));
    }

    #[test]
    fn bad_rates_are_named() {
        let mut plan = Plan::default();
        plan.currency_rates.insert("usd".into(), 0.5);
        assert!(plan.check_currencies().unwrap_err().contains("\"usd\""));
        plan.currency_rates.clear();
        plan.currency_rates.insert("USD".into(), -1.0);
        assert!(plan.check_currencies().unwrap_err().contains("positive"));
    }

    #[test]
    fn money_parses_both_decimal_conventions() {
        assert_eq!(parse_money("24000").unwrap(), 2_400_000);
        assert_eq!(parse_money("12.345,50").unwrap(), 1_234_550);
        assert_eq!(parse_money("12,345.50").unwrap(), 1_234_550);
        assert_eq!(parse_money("12,345").unwrap(), 1_234_500);
        assert_eq!(parse_money("1,5").unwrap(), 150);
        assert_eq!(parse_money("€24k").unwrap(), 2_400_000);
        assert!(parse_money("lots").is_err());
        assert!(parse_money("-5").is_err());
    }

    #[test]
    fn money_formats_with_grouping() {
        assert_eq!(format_money(2_400_000, "€"), "€24,000");
        assert_eq!(format_money(125_050, "€"), "€1,250.50");
        assert_eq!(format_money_short(31_200_000, "€"), "€312k");
        assert_eq!(format_money_short(120_000_000, "€"), "€1.2M");
    }
}
