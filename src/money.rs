//! Money as the shop counts it: amounts in hundredths of its currency (pence, cents), shown with the
//! currency's symbol and its own number of decimals. The currency is the config's `[shop] currency`.

use serde::{Deserialize, Deserializer};

/// A currency by its ISO 4217 code, with how amounts in it are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    pub code: String,
    symbol: String,
    /// Decimals shown: 2 for most, 0 for currencies without a minor unit in use (JPY, KRW...).
    decimals: u8,
}

/// Codes whose symbol people expect; any other valid code is written before the amount ("CHF 1,200.00").
const KNOWN: &[(&str, &str, u8)] = &[
    ("GBP", "£", 2),
    ("EUR", "€", 2),
    ("USD", "$", 2),
    ("CAD", "CA$", 2),
    ("AUD", "A$", 2),
    ("NZD", "NZ$", 2),
    ("JPY", "¥", 0),
    ("KRW", "₩", 0),
    ("INR", "₹", 2),
    ("CNY", "CN¥", 2),
];

impl Default for Currency {
    fn default() -> Currency {
        Currency::parse("GBP").unwrap_or_else(|_| unreachable!("GBP is in the table"))
    }
}

impl Currency {
    /// `"GBP"`, `"eur"`: a three-letter ISO 4217 code.
    pub fn parse(code: &str) -> Result<Currency, String> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "shop.currency: `{code}` is not a currency code; write its three-letter ISO 4217 code (GBP, EUR, USD...)"
            ));
        }
        let (symbol, decimals) = KNOWN
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or_else(|| (format!("{code} "), 2), |(_, s, d)| (s.to_string(), *d));
        Ok(Currency {
            code,
            symbol,
            decimals,
        })
    }

    /// `123_450` -> "£1,234.50"; in yen "¥1,235" (rounded to the currency's decimals).
    pub fn format(&self, hundredths: i64) -> String {
        let sign = if hundredths < 0 { "-" } else { "" };
        let n = hundredths.unsigned_abs();
        if self.decimals == 0 {
            let whole = (n + 50) / 100;
            format!("{sign}{}{}", self.symbol, crate::text::thousands(whole))
        } else {
            format!(
                "{sign}{}{}.{:02}",
                self.symbol,
                crate::text::thousands(n / 100),
                n % 100
            )
        }
    }

    /// Without the minor unit: "£1,235" (for tight columns).
    pub fn format_whole(&self, hundredths: i64) -> String {
        let sign = if hundredths < 0 { "-" } else { "" };
        let whole = (hundredths.unsigned_abs() + 50) / 100;
        format!("{sign}{}{}", self.symbol, crate::text::thousands(whole))
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_in_the_shops_currency() {
        let gbp = Currency::default();
        assert_eq!(gbp.format(123_450), "£1,234.50");
        assert_eq!(gbp.format(5), "£0.05");
        assert_eq!(gbp.format(-1_000), "-£10.00");
        assert_eq!(gbp.format_whole(123_450), "£1,235");
        let eur = Currency::parse("eur").unwrap();
        assert_eq!(eur.format(99), "€0.99");
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(yen.format(1_234_560), "¥12,346");
        let chf = Currency::parse("CHF").unwrap();
        assert_eq!(chf.format(120_000), "CHF 1,200.00");
        assert!(Currency::parse("pounds").unwrap_err().contains("ISO 4217"));
    }
}
