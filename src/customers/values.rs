//! One cell of the shop's data read as what we need: an amount in hundredths, a date, a count, text. Each
//! `Err` says what is wrong and how to write it; the caller adds the place and column.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::table::Cell;

/// How the source writes amounts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Amounts {
    /// `1.234,50` rather than `1,234.50`.
    pub decimal_comma: bool,
    /// Whole numbers are pence/cents already.
    pub minor_units: bool,
}

/// Text as written, trimmed; `None` for an empty cell.
pub fn text(cell: &Cell) -> Option<String> {
    let s = match cell {
        Cell::Null => return None,
        Cell::Text(s) => s.trim().to_string(),
        Cell::Int(n) => n.to_string(),
        Cell::Real(f) => f.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Time(t) => t.to_rfc3339(),
    };
    (!s.is_empty()).then_some(s)
}

/// An amount in hundredths; `None` for an empty cell. Negative amounts are refused.
pub fn money(cell: &Cell, how: Amounts) -> Result<Option<i64>, String> {
    let cents = match cell {
        Cell::Int(n) if how.minor_units => Some(*n),
        Cell::Int(n) => n.checked_mul(100),
        // A REAL value is rounded to hundredths from its shortest decimal form, as a person reads it:
        // SUM() over floats gives 0.30000000000000004, and 1234.505 is stored a hair below .505.
        Cell::Real(f) if f.is_finite() => round_decimal(&f.to_string(), !how.minor_units),
        Cell::Real(_) => None,
        Cell::Text(s) => return text_money(s, how),
        Cell::Null => return Ok(None),
        Cell::Date(_) | Cell::Time(_) => {
            return Err("a date where an amount belongs; check customers.columns.spend".into());
        }
    };
    match cents {
        Some(c) if c < 0 => Err(negative()),
        Some(c) => Ok(Some(c)),
        None => Err("not an amount we can hold; check the column".into()),
    }
}

fn negative() -> String {
    "a negative amount; spend is 0 or more (export refunds netted off, or leave refunded orders out)".into()
}

/// `1,234.50`, `£1234.5`, `1234 EUR`, `1.234,50` (with `decimal_comma`), `1234` (pence with `minor_units`).
fn text_money(raw: &str, how: Amounts) -> Result<Option<i64>, String> {
    let example = match (how.minor_units, how.decimal_comma) {
        (true, _) => "whole pence/cents like 123450 (minor_units = true)",
        (false, true) => "an amount like 1.234,50 (decimal_comma = true)",
        (false, false) => "an amount like 1234.50 or 1,234.50",
    };
    let bad = || Err(format!("`{raw}` is not an amount; write {example}"));
    let mut s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    // A currency code or symbol before or after the number; a minus sign before either.
    let mut minus = false;
    for _ in 0..2 {
        if let Some(rest) = s.strip_prefix('-') {
            minus = true;
            s = rest.trim_start();
        }
        s = strip_currency(s);
    }
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',') {
        return bad();
    }
    let (point, grouping) = if how.decimal_comma {
        (',', ['.', ' ', '\u{a0}', '\''])
    } else {
        ('.', [',', ' ', '\u{a0}', '\''])
    };
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == point {
            digits.push(if c == point { '.' } else { c });
        } else if !grouping.contains(&c) {
            return bad();
        }
    }
    if minus {
        return Err(negative());
    }
    let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    if frac.contains('.') || (whole.is_empty() && frac.is_empty()) {
        return bad();
    }
    if how.minor_units {
        return if frac.is_empty() {
            whole.parse().map(Some).or_else(|_| bad())
        } else {
            bad()
        };
    }
    if frac.len() > 2 {
        return Err(format!(
            "`{raw}` has more than two decimals; write {example}{}",
            if how.decimal_comma {
                ""
            } else {
                " (if the dot groups thousands, set decimal_comma = true)"
            }
        ));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        match whole.parse() {
            Ok(n) => n,
            Err(_) => return bad(),
        }
    };
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    match whole.checked_mul(100).and_then(|w| w.checked_add(frac)) {
        Some(c) => Ok(Some(c)),
        None => bad(),
    }
}

/// `"1234.505"` -> 123451 with `hundredths`, or `"12.5"` -> 13 without: half away from zero, on the digits.
fn round_decimal(s: &str, hundredths: bool) -> Option<i64> {
    let (sign, digits) = s.strip_prefix('-').map_or((1, s), |rest| (-1, rest));
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let places = if hundredths { 2 } else { 0 };
    let kept = format!("{whole}{:0<places$}", &frac[..frac.len().min(places)]);
    let up = frac.chars().nth(places).is_some_and(|c| c >= '5');
    let n: i64 = kept.parse().ok()?;
    n.checked_add(i64::from(up)).map(|n| sign * n)
}

/// Drops a leading and a trailing currency mark: a symbol (`£`, `€`, `CA$`) or a three-letter code.
fn strip_currency(s: &str) -> &str {
    let is_mark = |c: char| !c.is_ascii() && !c.is_alphanumeric() || c == '$';
    let mut s = s.trim();
    let letters = s.chars().take_while(char::is_ascii_alphabetic).count();
    if letters <= 3 && s[letters..].starts_with(|c: char| is_mark(c) || c == ' ') || letters == 3 {
        s = &s[letters..];
    }
    s = s.trim_start_matches(is_mark).trim_start();
    let tail = s
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .count();
    if tail == 3 || (tail <= 3 && s[..s.len() - tail].ends_with(is_mark)) {
        s = &s[..s.len() - tail];
    }
    s.trim_end().trim_end_matches(is_mark).trim_end()
}

const DATE_FORMS: &str = "write dates as YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS, or RFC 3339); day/month orders like 03/04/2024 are \
     ambiguous and refused";

/// A date; `None` for an empty cell. Only unambiguous forms: `2024-03-01`, `2024-03-01 14:05:00`,
/// `2024-03-01T14:05:00Z` (the date part is kept).
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Time(t) => Ok(Some(t.date_naive())),
        Cell::Int(_) | Cell::Real(_) => Err(format!(
            "a number where a date belongs; {DATE_FORMS} (SQLite: date(col, 'unixepoch'))"
        )),
        Cell::Text(raw) => {
            let s = raw.trim();
            if s.is_empty() {
                return Ok(None);
            }
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                return Ok(Some(d));
            }
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Ok(Some(t.date_naive()));
            }
            for form in [
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S%.f",
            ] {
                if let Ok(t) = NaiveDateTime::parse_from_str(s, form) {
                    return Ok(Some(t.date()));
                }
            }
            Err(format!("`{raw}` is not a date we read; {DATE_FORMS}"))
        }
    }
}

/// A count of orders; `None` for an empty cell.
pub fn count(cell: &Cell) -> Result<Option<u32>, String> {
    let bad = |shown: String| {
        Err(format!(
            "`{shown}` is not a number of orders; write a whole number like 12"
        ))
    };
    match cell {
        Cell::Null => Ok(None),
        Cell::Int(n) => u32::try_from(*n).map(Some).or_else(|_| bad(n.to_string())),
        Cell::Real(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f) => {
            Ok(Some(*f as u32))
        }
        Cell::Text(s) if s.trim().is_empty() => Ok(None),
        Cell::Text(s) => s.trim().parse().map(Some).or_else(|_| bad(s.clone())),
        other => bad(text(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(raw: &str, decimal_comma: bool, minor_units: bool) -> Result<Option<i64>, String> {
        money(
            &Cell::Text(raw.into()),
            Amounts {
                decimal_comma,
                minor_units,
            },
        )
    }

    #[test]
    fn amounts_as_shops_write_them() {
        let ok = |raw: &str, dc: bool, cents: i64| {
            assert_eq!(m(raw, dc, false), Ok(Some(cents)), "{raw}")
        };
        ok("1,234.50", false, 123_450);
        ok("£1234.5", false, 123_450);
        ok("1234", false, 123_400);
        ok("  12.05 ", false, 1_205);
        ok("1234 EUR", false, 123_400);
        ok("GBP 9.99", false, 999);
        ok("CA$1,200", false, 120_000);
        ok("€ 1.234,50", true, 123_450);
        ok("1.234,5", true, 123_450);
        ok("1 234,50", true, 123_450);
        ok("0", false, 0);
        assert_eq!(m("123450", false, true), Ok(Some(123_450)));
        assert_eq!(m("", false, false), Ok(None));
        for (raw, dc, mu, needle) in [
            (
                "lots",
                false,
                false,
                "`lots` is not an amount; write an amount like 1234.50",
            ),
            ("12 lots", false, false, "not an amount"),
            ("1.234,50", false, false, "set decimal_comma = true"),
            ("12.345", false, false, "set decimal_comma = true"),
            ("1,234.50", true, false, "like 1.234,50"),
            ("-5", false, false, "negative"),
            ("£-5.00", false, false, "negative"),
            ("12.50", false, true, "whole pence/cents"),
            ("1.2.3", false, false, "not an amount"),
        ] {
            let err = m(raw, dc, mu).unwrap_err();
            assert!(err.contains(needle), "{raw}: {err}");
        }
    }

    #[test]
    fn numbers_from_a_database_round_to_hundredths() {
        let how = Amounts::default();
        assert_eq!(money(&Cell::Real(0.1 + 0.2), how), Ok(Some(30)));
        assert_eq!(money(&Cell::Real(1234.505), how), Ok(Some(123_451)));
        assert_eq!(money(&Cell::Real(19.99 * 3.0), how), Ok(Some(5_997)));
        assert_eq!(money(&Cell::Int(12), how), Ok(Some(1_200)));
        let pence = Amounts {
            minor_units: true,
            ..how
        };
        assert_eq!(money(&Cell::Int(1_234), pence), Ok(Some(1_234)));
        assert!(money(&Cell::Int(-1), how).unwrap_err().contains("negative"));
        assert!(money(&Cell::Real(f64::NAN), how).is_err());
        assert_eq!(money(&Cell::Null, how), Ok(None));
    }

    #[test]
    fn dates_in_unambiguous_forms_only() {
        let d = |s: &str| date(&Cell::Text(s.into()));
        let day = NaiveDate::from_ymd_opt(2024, 3, 1);
        assert_eq!(d("2024-03-01"), Ok(day));
        assert_eq!(d("2024-03-01 14:05:00"), Ok(day));
        assert_eq!(d("2024-03-01 14:05:00.123"), Ok(day));
        assert_eq!(d("2024-03-01T23:30:00+01:00"), Ok(day));
        assert_eq!(d("2024-03-01T14:05:00Z"), Ok(day));
        assert_eq!(d(""), Ok(None));
        for bad in ["01/03/2024", "2024-13-01", "March 1", "2024/03/01"] {
            let err = d(bad).unwrap_err();
            assert!(
                err.contains("YYYY-MM-DD") && err.contains("ambiguous"),
                "{bad}: {err}"
            );
        }
        assert!(
            date(&Cell::Int(1_700_000_000))
                .unwrap_err()
                .contains("unixepoch")
        );
    }

    #[test]
    fn counts() {
        assert_eq!(count(&Cell::Int(3)), Ok(Some(3)));
        assert_eq!(count(&Cell::Text(" 12 ".into())), Ok(Some(12)));
        assert_eq!(count(&Cell::Real(4.0)), Ok(Some(4)));
        assert!(
            count(&Cell::Text("many".into()))
                .unwrap_err()
                .contains("whole number")
        );
        assert!(count(&Cell::Int(-2)).is_err());
    }
}
