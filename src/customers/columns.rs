//! `[customers.columns]`: which of the source's columns holds each of our fields (our name = theirs), with a
//! default name for each, so the old fixed header `external_id,name,lifetime_spend,mastodon,bluesky,note`
//! needs no mapping at all.

use std::collections::BTreeMap;

use crate::domain::Network;

/// The source's column for each of our fields (`[customers.columns]`, our name = theirs).
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Our fields in order, with the source's column and whether the config named it (a column the config
    /// names must exist; a default one may be absent when the field is optional).
    pub fields: Vec<(Field, String, bool)>,
}

/// Our fields a source column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Id,
    Name,
    Email,
    Spend,
    Orders,
    LastPurchase,
    Note,
    Handle(Network),
}

impl Field {
    const PLAIN: [(Field, &'static str, &'static str); 7] = [
        (Field::Id, "id", "external_id"),
        (Field::Name, "name", "name"),
        (Field::Email, "email", "email"),
        (Field::Spend, "spend", "lifetime_spend"),
        (Field::Orders, "orders", "orders"),
        (Field::LastPurchase, "last_purchase", "last_purchase"),
        (Field::Note, "note", "note"),
    ];

    /// Its key in `[customers.columns]`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Handle(n) => n.as_str(),
            _ => Field::PLAIN
                .iter()
                .find(|(f, _, _)| *f == self)
                .map_or("?", |(_, k, _)| k),
        }
    }
}

impl Columns {
    pub(super) fn build(named: BTreeMap<String, String>) -> Result<Columns, String> {
        let mut named = named;
        let mut fields = Vec::new();
        for (field, key, default) in Field::PLAIN {
            fields.push(take(&mut named, field, key, default)?);
        }
        for network in Network::with_accounts() {
            fields.push(take(
                &mut named,
                Field::Handle(network),
                network.as_str(),
                network.as_str(),
            )?);
        }
        if let Some(key) = named.keys().next() {
            let valid: Vec<&str> = fields.iter().map(|(f, _, _)| f.key()).collect();
            return Err(format!(
                "customers.columns.{key}: not a field we read; use one of {} (our name = your column's name)",
                valid.join(", ")
            ));
        }
        Ok(Columns { fields })
    }

    /// The source's column for `field`, and whether the config named it.
    pub fn get(&self, field: Field) -> (&str, bool) {
        self.fields
            .iter()
            .find(|(f, _, _)| *f == field)
            .map_or(("", false), |(_, c, named)| (c.as_str(), *named))
    }
}

impl Default for Columns {
    fn default() -> Columns {
        Columns::build(BTreeMap::new()).unwrap_or_else(|_| unreachable!("no names, no errors"))
    }
}

fn take(
    named: &mut BTreeMap<String, String>,
    field: Field,
    key: &str,
    default: &str,
) -> Result<(Field, String, bool), String> {
    match named.remove(key) {
        Some(column) if column.trim().is_empty() => Err(format!(
            "customers.columns.{key}: empty; write the name of your column that holds it, or leave the key out"
        )),
        Some(column) => Ok((field, column.trim().to_string(), true)),
        None => Ok((field, default.to_string(), false)),
    }
}
