//! The shop's currency and money written for people. Money is kept as whole minor units
//! of the shop's one currency (`price_cents`: pence for GBP, cents for USD, whole yen
//! for JPY, thousandths for KWD), never as floats.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The currency a shop keeps its money in (ISO 4217).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Default for Currency {
    fn default() -> Self {
        Self::GBP
    }
}

/// The highest price Candor takes, in minor units: 1,000,000.00 of a two-decimal
/// currency (¥100,000,000; 100,000.000 of a three-decimal one).
pub const MAX_PRICE_MINOR: i64 = 100_000_000;

/// What Candor says of a price the shop's files did not give.
pub const PRICE_NOT_KNOWN: &str = "price not known";

/// Symbols written before the amount with no space, as shops in those currencies do.
const SYMBOL_FIRST: [&str; 8] = ["£", "$", "€", "¥", "₹", "₩", "₪", "₱"];

impl Currency {
    /// Pounds sterling, the sample shop's currency and the default.
    pub const GBP: Self = Self(iso_currency::Currency::GBP);

    /// The currency with this ISO 4217 code (`"USD"`, any case); refused, with the
    /// reason, when it is not a currency a shop can price in.
    pub fn from_code(code: &str) -> Result<Self, String> {
        let code = code.trim().to_uppercase();
        let currency = iso_currency::Currency::from_code(&code).ok_or_else(|| {
            format!("\"{code}\" is not an ISO 4217 currency code (such as GBP, EUR or USD)")
        })?;
        if currency.is_special() || currency.is_fund() || currency.exponent().is_none() {
            return Err(format!(
                "\"{code}\" ({}) is not a currency a shop prices in",
                currency.name()
            ));
        }
        Ok(Self(currency))
    }

    /// The ISO 4217 code, e.g. "GBP".
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// The currency's English name, e.g. "Pound sterling".
    pub fn name(self) -> String {
        self.0.name().to_owned()
    }

    /// How many digits follow the decimal point: 2 for GBP, 0 for JPY, 3 for KWD.
    pub fn decimals(self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(2))
    }

    /// How many minor units make one major unit (100 for GBP, 1 for JPY).
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(self.decimals())
    }

    /// The symbol written in labels, e.g. "£", or the code where a symbol would not be
    /// clear ("SEK").
    pub fn symbol(self) -> String {
        let symbol = self.0.symbol().symbol;
        if SYMBOL_FIRST.contains(&symbol.as_str()) {
            symbol
        } else {
            self.code().to_owned()
        }
    }

    /// Whether `sign` (£, $, €, ¥, ₹, …) is written for this currency: `$` for USD, CAD
    /// or AUD, `¥` for JPY or CNY.
    pub fn uses_sign(self, sign: char) -> bool {
        self.0.symbol().symbol.contains(sign)
    }

    /// An amount of minor units for people: "£1,234.50", "¥1,200", "1,234.50 SEK".
    pub fn format(self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let per = self.minor_per_major().unsigned_abs();
        let whole = thousands(abs / per);
        let amount = match self.decimals() {
            0 => whole,
            d => format!("{whole}.{:0width$}", abs % per, width = d as usize),
        };
        self.with_symbol(sign, &amount)
    }

    /// A price that may not be known: "£4.50", or "price not known".
    pub fn price_text(self, minor: Option<i64>) -> String {
        minor.map_or_else(|| PRICE_NOT_KNOWN.to_owned(), |m| self.format(m))
    }

    /// A whole number of major units for people, without decimals: "£25", "25 SEK".
    pub fn format_whole(self, major: i64) -> String {
        let sign = if major < 0 { "-" } else { "" };
        self.with_symbol(sign, &thousands(major.unsigned_abs()))
    }

    fn with_symbol(self, sign: &str, amount: &str) -> String {
        let symbol = self.symbol();
        if SYMBOL_FIRST.contains(&symbol.as_str()) {
            format!("{sign}{symbol}{amount}")
        } else {
            format!("{sign}{amount} {symbol}")
        }
    }

    /// Minor units as a number of major units (450 pence → 4.5).
    pub fn to_major(self, minor: i64) -> f64 {
        minor as f64 / self.minor_per_major() as f64
    }

    /// Major units as whole minor units, rounded to the nearest (4.5 pounds → 450).
    pub fn from_major(self, major: f64) -> i64 {
        (major * self.minor_per_major() as f64).round() as i64
    }
}

/// A whole number with thousands separated by commas: 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(code: &str, minor: i64) -> String {
        Currency::from_code(code).unwrap().format(minor)
    }

    #[test]
    fn formats_each_kind_of_currency() {
        assert_eq!(money("GBP", 450), "£4.50");
        assert_eq!(money("GBP", -5), "-£0.05");
        assert_eq!(money("gbp", 123_456_789), "£1,234,567.89");
        assert_eq!(money("USD", 75_400), "$754.00");
        assert_eq!(money("EUR", 1999), "€19.99");
        assert_eq!(money("JPY", 1200), "¥1,200");
        assert_eq!(money("KWD", 1250), "1.250 KWD");
        assert_eq!(money("SEK", 12_000), "120.00 SEK");
        assert_eq!(Currency::GBP.format_whole(25), "£25");
        assert_eq!(Currency::from_code("KWD").unwrap().format_whole(3), "3 KWD");
    }

    #[test]
    fn converts_between_major_and_minor_units() {
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(jpy.from_major(1200.0), 1200);
        assert_eq!(Currency::GBP.from_major(4.5), 450);
        assert_eq!(Currency::GBP.to_major(450), 4.5);
        assert_eq!(Currency::from_code("KWD").unwrap().minor_per_major(), 1000);
    }

    #[test]
    fn refuses_what_is_not_a_shop_currency() {
        assert!(
            Currency::from_code("XXX")
                .unwrap_err()
                .contains("not a currency")
        );
        assert!(Currency::from_code("XAU").is_err());
        assert!(
            Currency::from_code("POUNDS")
                .unwrap_err()
                .contains("ISO 4217")
        );
        let json = serde_json::to_string(&Currency::GBP).unwrap();
        assert_eq!(json, "\"GBP\"");
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }

    #[test]
    fn separates_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
    }
}
