//! The shop's customers file (CSV exported from its own database): who the regulars are, ranked by spend.
//!
//! Header: `external_id,name,lifetime_spend`, then optionally one column per network people have handles on,
//! named after it (`mastodon`, `bluesky`), and `note`; handle columns and `note` may be empty, other columns are
//! ignored. Spend is in the shop's currency, with or without pence. A handle is written as people write it:
//! `@alice@social.example`, or a bare `alice` for someone on the shop's own Mastodon instance.

pub mod postgres;
pub mod table;

use std::io::Read;

use crate::domain::{Customer, CustomerId, Handle, Network};
use crate::sources::listening::Homes;

/// Parses a customers file; `origin` names it in errors (a path), `homes` says what a bare handle means.
/// Ranks by spend, highest first.
pub fn parse_csv(reader: impl Read, origin: &str, homes: &Homes) -> Result<Vec<Customer>, String> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| format!("{origin}: cannot read the header: {e}"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let networks: Vec<String> = Network::with_accounts().map(|n| n.to_string()).collect();
    let mut required = [0; 3];
    for (slot, needed) in required
        .iter_mut()
        .zip(["external_id", "name", "lifetime_spend"])
    {
        *slot = column(needed).ok_or_else(|| {
            format!(
                "{origin}: line 1: missing column `{needed}`; the header must include external_id,name,lifetime_spend \
                 (and optionally {},note)",
                networks.join(",")
            )
        })?;
    }
    let [id_col, name_col, spend_col] = required;
    let note_col = column("note");
    let handle_cols: Vec<(Network, usize)> = Network::with_accounts()
        .filter_map(|n| Some((n, column(n.as_str())?)))
        .collect();
    let mut customers = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, record) in csv.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{origin}: line {line}: {e}"))?;
        let cell = |col: usize| record.get(col).unwrap_or_default().to_string();
        let (external_id, name, spend) = (cell(id_col), cell(name_col), cell(spend_col));
        if external_id.is_empty() || name.is_empty() {
            return Err(format!(
                "{origin}: line {line}: external_id and name must not be empty"
            ));
        }
        if !seen.insert(external_id.clone()) {
            return Err(format!(
                "{origin}: line {line}: external_id `{external_id}` appears twice"
            ));
        }
        let lifetime_spend_cents = parse_money(&spend).ok_or_else(|| {
            format!(
                "{origin}: line {line}, column lifetime_spend: `{spend}` is not an amount; write it like 1250.00"
            )
        })?;
        let mut handles = Vec::new();
        for &(network, col) in &handle_cols {
            let raw = cell(col);
            if raw.trim().trim_start_matches('@').is_empty() {
                continue;
            }
            let handle = homes
                .handle(network, &raw)
                .map_err(|why| format!("{origin}: line {line}, column {network}: {why}"))?;
            handles.push(Handle {
                network,
                handle,
                linked: false,
            });
        }
        customers.push(Customer {
            id: CustomerId(0),
            external_id,
            name,
            rank: 0,
            lifetime_spend_cents,
            handles,
            note: note_col.map(cell).unwrap_or_default(),
            ..Default::default()
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
            include_str!("../../assets/demo/customers.csv").as_bytes(),
            "demo",
            &Homes::default(),
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
            &Homes::default(),
        )
        .unwrap_err();
        assert!(
            err.contains("c.csv: line 3, column lifetime_spend"),
            "{err}"
        );
        let err = parse_csv("id,name\n".as_bytes(), "c.csv", &Homes::default()).unwrap_err();
        assert!(err.contains("missing column `external_id`"), "{err}");
        let err = parse_csv(
            "external_id,name,lifetime_spend,mastodon\nC1,Ann,1,ann\n".as_bytes(),
            "c.csv",
            &Homes::default(),
        )
        .unwrap_err();
        assert!(err.contains("column mastodon"), "{err}");
        let err = parse_csv(
            "external_id,name,lifetime_spend\nC1,Ann,1\nC1,Bo,2\n".as_bytes(),
            "c.csv",
            &Homes::default(),
        )
        .unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }

    #[test]
    fn handles_as_people_write_them_on_the_shops_own_instance() {
        let text = "external_id,name,lifetime_spend,bluesky,mastodon,website\n\
                    C1,Ann,10,,@Alice,https://ann.example\n\
                    C2,Bo,20,bo.bsky.social,bo@Social.Example,\n";
        let config =
            crate::config::parse("[shop.handles]\nmastodon = \"shop@social.example\"\n").unwrap();
        let customers = parse_csv(text.as_bytes(), "c.csv", &Homes::of(&config)).unwrap();
        let handles = |i: usize| {
            customers[i]
                .handles
                .iter()
                .map(|h| format!("{}:{}", h.network, h.handle))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            handles(0),
            ["mastodon:bo@social.example", "bluesky:bo.bsky.social"]
        );
        assert_eq!(handles(1), ["mastodon:alice@social.example"]);
        // Without the shop's instance a bare name cannot be placed: the error says how to fix it.
        let err = parse_csv(text.as_bytes(), "c.csv", &Homes::default()).unwrap_err();
        assert!(
            err.contains("c.csv: line 2, column mastodon") && err.contains("[shop.handles]"),
            "{err}"
        );
        let err = parse_csv(
            "external_id,name,lifetime_spend,bluesky\nC1,Ann,1,ann\n".as_bytes(),
            "c.csv",
            &Homes::default(),
        )
        .unwrap_err();
        assert!(
            err.contains("column bluesky") && err.contains("name.bsky.social"),
            "{err}"
        );
    }
}
