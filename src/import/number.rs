//! Numbers in exports, read exactly or refused: digits with an optional sign (or
//! accounting parentheses), a currency sign or code, thousands separators in groups of
//! three and one decimal separator. Anything else (`0x10`, `1_000`, `1e3`, `1.000,50`
//! with the decimal comma off) is refused with the reason, never guessed at.

/// The most digits before the decimal separator: larger figures are no shop's.
const MAX_DIGITS: usize = 12;

/// The largest quantity one line may carry.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// The largest amount one order line may come to, in minor units (a billion pounds or
/// dollars; 100 billion yen, which has no minor unit): more than any small shop's sale, and
/// small enough that a shop's totals over millions of lines never overflow.
pub const MAX_LINE_TOTAL_MINOR: i64 = 100_000_000_000;

/// Why a line of `quantity` at `unit` minor units of `currency` each is not a shop's sale,
/// if it is not.
pub fn line_total_problem(
    quantity: i64,
    unit: i64,
    currency: crate::engine::money::Currency,
) -> Option<String> {
    let total = i128::from(quantity) * i128::from(unit);
    (total.abs() > i128::from(MAX_LINE_TOTAL_MINOR)).then(|| {
        format!(
            "{} at {} each comes to more than {}, more than any shop's sale; check the quantity and price columns",
            crate::engine::money::thousands(quantity.unsigned_abs()),
            currency.format(unit),
            currency.format(MAX_LINE_TOTAL_MINOR)
        )
    })
}

/// A number exactly as written: sign, digits before and after the decimal separator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exact {
    negative: bool,
    whole: u64,
    fraction: String,
}

const CURRENCY_SIGNS: [char; 5] = ['£', '$', '€', '¥', '₹'];

/// Strips a currency sign or a three-letter code (`GBP`, `US$`) from either end.
fn strip_currency(text: &str) -> &str {
    let mut t = text.trim();
    for _ in 0..2 {
        t = t
            .trim_start_matches(CURRENCY_SIGNS)
            .trim_end_matches(CURRENCY_SIGNS)
            .trim();
        for code_len in [3, 2] {
            if t.len() > code_len
                && t.is_char_boundary(code_len)
                && t[..code_len].chars().all(|c| c.is_ascii_uppercase())
            {
                t = t[code_len..].trim_start_matches(CURRENCY_SIGNS).trim();
            }
            let n = t.len();
            if n > code_len
                && t.is_char_boundary(n - code_len)
                && t[n - code_len..].chars().all(|c| c.is_ascii_uppercase())
            {
                t = t[..n - code_len].trim();
            }
        }
    }
    t
}

/// How an amount says its currency, if it does: a sign (`$4.50`, `4,50 €`), a country
/// prefix with a sign (`US$4.50`, `CA$`), or an ISO code (`USD 4.50`, `4.50EUR`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Mark {
    Sign(char),
    Code(String),
}

/// Dollar signs with the country's prefix, and the currency each means.
const PREFIXED_DOLLARS: [(&str, &str); 9] = [
    ("US", "USD"),
    ("CA", "CAD"),
    ("C", "CAD"),
    ("AU", "AUD"),
    ("A", "AUD"),
    ("NZ", "NZD"),
    ("HK", "HKD"),
    ("S", "SGD"),
    ("MX", "MXN"),
];

/// The currency mark of an amount; a prefix that names no currency is kept as written
/// (`Code("ZZ$")`), so it fits none.
fn mark(text: &str) -> Option<Mark> {
    let t = text
        .trim()
        .trim_start_matches(['(', '-', '+'])
        .trim_end_matches(')')
        .trim();
    let letters: String = t.chars().take_while(char::is_ascii_uppercase).collect();
    let after = &t[letters.len()..];
    if let Some(sign) = after.chars().next().filter(|c| CURRENCY_SIGNS.contains(c)) {
        if letters.is_empty() {
            return Some(Mark::Sign(sign));
        }
        let code = PREFIXED_DOLLARS
            .iter()
            .find(|(prefix, _)| sign == '$' && *prefix == letters)
            .map_or_else(
                || format!("{letters}{sign}"),
                |(_, code)| (*code).to_owned(),
            );
        return Some(Mark::Code(code));
    }
    if letters.len() == 3 && after.starts_with(|c: char| !c.is_alphabetic()) {
        return Some(Mark::Code(letters));
    }
    if let Some(sign) = t.chars().last().filter(|c| CURRENCY_SIGNS.contains(c)) {
        return Some(Mark::Sign(sign));
    }
    let tail: String = t
        .chars()
        .rev()
        .take_while(char::is_ascii_uppercase)
        .collect();
    let before = &t[..t.len() - tail.len()];
    (tail.len() == 3 && before.ends_with(|c: char| c.is_ascii_digit() || c == ' '))
        .then(|| Mark::Code(tail.chars().rev().collect()))
}

/// Whether the currency sign or code written with an amount (`€50.00`, `50.00 USD`,
/// `US$4.50`), if any, is `currency`'s; an amount without one fits any currency.
pub fn fits_currency(text: &str, currency: crate::engine::money::Currency) -> bool {
    match mark(text) {
        None => true,
        Some(Mark::Sign(sign)) => currency.uses_sign(sign),
        Some(Mark::Code(code)) => code == currency.code(),
    }
}

/// The currency an amount names by itself: a sign only one currency uses (£, €, ₹), a
/// prefixed dollar (`US$`) or an ISO code (`USD 4.50`); `None` for a bare `$` or `¥`,
/// which several currencies use.
pub fn named_currency(text: &str) -> Option<crate::engine::money::Currency> {
    use crate::engine::money::Currency;
    match mark(text)? {
        Mark::Sign('£') => Currency::from_code("GBP").ok(),
        Mark::Sign('€') => Currency::from_code("EUR").ok(),
        Mark::Sign('₹') => Currency::from_code("INR").ok(),
        Mark::Sign(_) => None,
        Mark::Code(code) => Currency::from_code(&code).ok(),
    }
}

/// Reads `text` as a number; `decimal_comma` says the file writes `1.234,50`.
pub fn parse(text: &str, decimal_comma: bool) -> Result<Exact, String> {
    let quoted = super::quote(text);
    let not_a_number = || format!("{quoted} is not a number");
    let t = text.trim();
    if t.is_empty() {
        return Err("the value is blank".to_owned());
    }
    let (mut negative, t) = match t.strip_prefix('(').and_then(|v| v.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, t),
    };
    let mut body = strip_currency(t);
    for sign in ['-', '+'] {
        if let Some(rest) = body.strip_prefix(sign) {
            negative ^= sign == '-';
            body = strip_currency(rest);
            break;
        }
    }
    let (decimal, groups): (char, &[char]) = if decimal_comma {
        (',', &['.', ' ', '\u{a0}', '\u{202f}', '\''])
    } else {
        ('.', &[',', '\u{a0}', '\u{202f}'])
    };
    let (whole_text, fraction) = match body.split_once(decimal) {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            if !decimal_comma && body.contains(',') && fraction.contains(',') {
                format!(
                    "{quoted} looks like a number with a decimal comma; in the import wizard tick \"Numbers use a decimal comma\", or set \"decimal_comma\": true in the mapping"
                )
            } else {
                not_a_number()
            },
        );
    }
    let whole_digits = digits_in_groups(whole_text, groups).ok_or_else(|| {
        if !decimal_comma && whole_text.contains(',') && !body.contains('.') {
            format!("{quoted} is ambiguous: a comma that does not separate thousands; if it is a decimal comma, tick \"Numbers use a decimal comma\" in the import wizard, or set \"decimal_comma\": true in the mapping")
        } else {
            not_a_number()
        }
    })?;
    if whole_digits.is_empty() && fraction.is_empty() {
        return Err(not_a_number());
    }
    let significant = whole_digits.trim_start_matches('0');
    if significant.len() > MAX_DIGITS {
        return Err(format!("{quoted} is too large a number"));
    }
    let whole = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| not_a_number())?
    };
    Ok(Exact {
        negative,
        whole,
        fraction: fraction.to_owned(),
    })
}

/// The digits of `text`, whose thousands may be separated by one of `groups` (the first
/// group 1 to 3 digits, every later one exactly 3); `None` for anything else.
fn digits_in_groups(text: &str, groups: &[char]) -> Option<String> {
    let Some(sep) = text.chars().find(|c| groups.contains(c)) else {
        return text
            .chars()
            .all(|c| c.is_ascii_digit())
            .then(|| text.to_owned());
    };
    let parts: Vec<&str> = text.split(sep).collect();
    let first_ok = (1..=3).contains(&parts[0].len());
    let rest_ok = parts[1..].iter().all(|p| p.len() == 3);
    let digits_ok = parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    (first_ok && rest_ok && digits_ok).then(|| parts.concat())
}

impl Exact {
    /// The value as a whole number; refused when it has a fraction or is out of range.
    pub fn whole_number(&self, max: i64) -> Result<i64, String> {
        if self.fraction.chars().any(|c| c != '0') {
            return Err(format!("{} is not a whole number", self.text()));
        }
        let n = i64::try_from(self.whole)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("{} is more than {max}", self.text()))?;
        Ok(if self.negative { -n } else { n })
    }

    /// The value in hundredths (pence), rounded half away from zero; `true` with it when
    /// rounding changed the value (a fraction of a penny).
    pub fn hundredths(&self) -> (i64, bool) {
        self.minor_units(2)
    }

    /// The value in units of 10^-`decimals` (hundredths for pence, whole yen for 0),
    /// rounded half away from zero; `true` with it when rounding changed the value.
    pub fn minor_units(&self, decimals: u32) -> (i64, bool) {
        let mut digits = self.fraction.chars().map(|c| i64::from(c as u8 - b'0'));
        let mut value = self.whole as i64;
        for _ in 0..decimals {
            value = value * 10 + digits.next().unwrap_or(0);
        }
        let rest: Vec<i64> = digits.collect();
        let round_up = rest.first().is_some_and(|&d| d >= 5);
        let rounded = rest.iter().any(|&d| d != 0);
        let value = value + i64::from(round_up);
        (if self.negative { -value } else { value }, rounded)
    }

    /// The value as a float (for figures that are not money or counts).
    pub fn to_f64(&self) -> f64 {
        let text = format!("{}.{}0", self.whole, self.fraction);
        let v: f64 = text.parse().unwrap_or(0.0);
        if self.negative { -v } else { v }
    }

    fn text(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        if self.fraction.is_empty() {
            format!("{sign}{}", self.whole)
        } else {
            format!("{sign}{}.{}", self.whole, self.fraction)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_too_large_is_told_in_the_shops_money() {
        let gbp = crate::engine::money::Currency::GBP;
        let why = line_total_problem(1_000_000_000, 50_000, gbp).expect("too large");
        assert!(why.starts_with("1,000,000,000 at £500.00 each"), "{why}");
        assert!(why.contains("more than £1,000,000,000.00"), "{why}");
        assert_eq!(line_total_problem(-3, 450, gbp), None);
    }

    fn cents(text: &str, comma: bool) -> Result<i64, String> {
        parse(text, comma).map(|e| e.hundredths().0)
    }

    #[test]
    fn currency_marks_are_read_whole() {
        use crate::engine::money::Currency;
        let gbp = Currency::GBP;
        let usd = Currency::from_code("USD").expect("usd");
        let cad = Currency::from_code("CAD").expect("cad");
        assert!(fits_currency("£4.50", gbp) && fits_currency("(£4.50)", gbp));
        assert!(!fits_currency("US$4.50", gbp) && fits_currency("US$4.50", usd));
        assert!(!fits_currency("CA$4.50", usd) && fits_currency("CA$4.50", cad));
        assert!(fits_currency("-$3.10", usd) && fits_currency("-$3.10", cad));
        assert!(
            !fits_currency("ZZ$4", usd),
            "an unknown prefix fits nothing"
        );
        assert!(fits_currency("FREE", gbp), "a word is not a code");
        assert!(fits_currency("4.50", gbp));
        assert!(!fits_currency("4.50 EUR", gbp) && !fits_currency("EUR 4.50", gbp));
        assert_eq!(named_currency("US$4.50"), Some(usd));
        assert_eq!(named_currency("4,50 €").map(Currency::code), Some("EUR"));
        assert_eq!(named_currency("$4.50"), None);
        assert_eq!(named_currency("4.50EUR").map(Currency::code), Some("EUR"));
    }

    #[test]
    fn exact_amounts_in_every_usual_spelling() {
        assert_eq!(cents("2.55", false), Ok(255));
        assert_eq!(cents("£1,234.50", false), Ok(123_450));
        assert_eq!(cents("1.234,50 €", true), Ok(123_450));
        assert_eq!(cents("2,5", true), Ok(250));
        assert_eq!(cents("(4.50)", false), Ok(-450));
        assert_eq!(cents("-£3", false), Ok(-300));
        assert_eq!(cents("GBP 12.00", false), Ok(1200));
        assert_eq!(cents("12.00 USD", false), Ok(1200));
        assert_eq!(cents(".5", false), Ok(50));
        assert_eq!(parse("0.001", false).map(|e| e.hundredths()), Ok((0, true)));
        assert_eq!(parse("0.005", false).map(|e| e.hundredths()), Ok((1, true)));
    }

    #[test]
    fn what_is_not_plainly_a_number_is_refused() {
        for bad in [
            "0x10", "1_000", "1e3", "abc", "", "1.2.3", "12,34", "--1", "1,00,000",
        ] {
            assert!(parse(bad, false).is_err(), "{bad} was read");
        }
        let message = parse("1.000,50", false).expect_err("refused");
        assert!(message.contains("decimal comma"), "{message}");
        assert!(parse("9999999999999", false).is_err(), "too large");
    }

    #[test]
    fn quantities_are_whole_and_bounded() {
        assert_eq!(
            parse("3", false).and_then(|e| e.whole_number(MAX_QUANTITY)),
            Ok(3)
        );
        assert_eq!(
            parse("-2.0", false).and_then(|e| e.whole_number(MAX_QUANTITY)),
            Ok(-2)
        );
        assert!(
            parse("1.5", false)
                .and_then(|e| e.whole_number(MAX_QUANTITY))
                .is_err()
        );
        assert!(
            parse("2000000000", false)
                .and_then(|e| e.whole_number(MAX_QUANTITY))
                .is_err()
        );
    }
}
