//! The shop's customers file (CSV exported from its own database): who the regulars are, ranked by spend.
//!
//! Header: `external_id,name,lifetime_spend,mastodon,bluesky,note` (`mastodon`, `bluesky` and `note` may be
//! empty; extra columns are ignored). Spend is in the shop's currency, with or without pence.

use std::io::Read;

use serde::Deserialize;

use crate::domain::{Customer, CustomerId, Handle, Network};

#[derive(Debug, Deserialize)]
struct Row {
    external_id: String,
    name: String,
    lifetime_spend: String,
    #[serde(default)]
    mastodon: String,
    #[serde(default)]
    bluesky: String,
    #[serde(default)]
    note: String,
}

/// A handle as people write it: without `@`, lower-case, trimmed.
pub fn normalize_handle(raw: &str) -> String {
    raw.trim().trim_start_matches('@').to_lowercase()
}

/// Parses a customers file; `origin` names it in errors (a path). Ranks by spend, highest first.
pub fn parse_csv(reader: impl Read, origin: &str) -> Result<Vec<Customer>, String> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| format!("{origin}: cannot read the header: {e}"))?
        .clone();
    for needed in ["external_id", "name", "lifetime_spend"] {
        if !headers.iter().any(|h| h == needed) {
            return Err(format!(
                "{origin}: line 1: missing column `{needed}`; the header must include external_id,name,lifetime_spend \
                 (and optionally mastodon,bluesky,note)"
            ));
        }
    }
    let mut customers = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, record) in csv.deserialize::<Row>().enumerate() {
        let line = i + 2;
        let row = record.map_err(|e| format!("{origin}: line {line}: {e}"))?;
        if row.external_id.is_empty() || row.name.is_empty() {
            return Err(format!(
                "{origin}: line {line}: external_id and name must not be empty"
            ));
        }
        if !seen.insert(row.external_id.clone()) {
            return Err(format!(
                "{origin}: line {line}: external_id `{}` appears twice",
                row.external_id
            ));
        }
        let spend = parse_money(&row.lifetime_spend).ok_or_else(|| {
            format!(
                "{origin}: line {line}, column lifetime_spend: `{}` is not an amount; write it like 1250.00",
                row.lifetime_spend
            )
        })?;
        let mut handles = Vec::new();
        for (network, raw) in [
            (Network::Mastodon, &row.mastodon),
            (Network::Bluesky, &row.bluesky),
        ] {
            let handle = normalize_handle(raw);
            if handle.is_empty() {
                continue;
            }
            if network == Network::Mastodon && handle.matches('@').count() != 1 {
                return Err(format!(
                    "{origin}: line {line}, column mastodon: `{raw}` should look like user@instance.social"
                ));
            }
            handles.push(Handle { network, handle });
        }
        customers.push(Customer {
            id: CustomerId(0),
            external_id: row.external_id,
            name: row.name,
            rank: 0,
            lifetime_spend_cents: spend,
            handles,
            note: row.note,
        });
    }
    customers.sort_by(|a, b| {
        b.lifetime_spend_cents
            .cmp(&a.lifetime_spend_cents)
            .then(a.name.cmp(&b.name))
    });
    for (i, c) in customers.iter_mut().enumerate() {
        c.rank = i as u32 + 1;
    }
    Ok(customers)
}

/// `1,234.50`, `£1234.5`, `1234` -> cents.
fn parse_money(raw: &str) -> Option<i64> {
    let cleaned: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('-') {
        return None;
    }
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if frac.len() > 2 || frac.contains('.') {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_customers_parse_and_rank_by_spend() {
        let customers = parse_csv(
            include_str!("../assets/demo/customers.csv").as_bytes(),
            "demo",
        )
        .unwrap();
        assert!(customers.len() >= 25);
        assert_eq!(customers[0].rank, 1);
        assert!(
            customers
                .windows(2)
                .all(|w| w[0].lifetime_spend_cents >= w[1].lifetime_spend_cents)
        );
        assert!(customers.iter().all(|c| !c.handles.is_empty()));
    }

    #[test]
    fn money() {
        assert_eq!(parse_money("1,234.50"), Some(123_450));
        assert_eq!(parse_money("£12.5"), Some(1_250));
        assert_eq!(parse_money("300"), Some(30_000));
        assert_eq!(parse_money("12.345"), None);
        assert_eq!(parse_money("lots"), None);
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let err = parse_csv(
            "external_id,name,lifetime_spend\nC1,Ann,12\nC2,Bo,lots\n".as_bytes(),
            "c.csv",
        )
        .unwrap_err();
        assert!(
            err.contains("c.csv: line 3, column lifetime_spend"),
            "{err}"
        );
        let err = parse_csv("id,name\n".as_bytes(), "c.csv").unwrap_err();
        assert!(err.contains("missing column `external_id`"), "{err}");
        let err = parse_csv(
            "external_id,name,lifetime_spend,mastodon\nC1,Ann,1,ann\n".as_bytes(),
            "c.csv",
        )
        .unwrap_err();
        assert!(err.contains("column mastodon"), "{err}");
        let err = parse_csv(
            "external_id,name,lifetime_spend\nC1,Ann,1\nC1,Bo,2\n".as_bytes(),
            "c.csv",
        )
        .unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }
}
