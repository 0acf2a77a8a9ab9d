//! One import: read the configured source, map and rank it, compare with the stored customers, and (unless
//! it is a dry run) write the top N in one transaction. `regulars customers import` and the console's start
//! both come through here.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::config::{CustomersConfig, Origin};
use super::diff::{Diff, diff};
use super::problems::Problems;
use super::values::Amounts;
use crate::config::Settings;
use crate::domain::{Customer, ImportRun};
use crate::sources::listening::Homes;
use crate::store::{CustomerRepo, Db};

/// An import worked out and not yet written.
#[derive(Debug, Clone)]
pub struct Plan {
    pub run: ImportRun,
    pub ranked: Vec<Customer>,
    pub diff: Diff,
}

/// The source's customers ranked, and how many were read. `regulars` (external ids of the stored regulars)
/// win ties; `forgotten` ([`crate::domain::forget_key`]s) are left out.
pub fn ranked(
    config: &CustomersConfig,
    homes: &Homes,
    now: DateTime<Utc>,
    regulars: &HashSet<String>,
    forgotten: &HashSet<String>,
) -> Result<(Vec<Customer>, usize), Problems> {
    let (table, unread) = super::source::read(&config.origin)?;
    let amounts = Amounts {
        decimal_comma: matches!(
            config.origin,
            Origin::Csv {
                decimal_comma: true,
                ..
            }
        ),
        minor_units: config.minor_units,
    };
    let candidates =
        super::mapping::candidates(&table, unread, config, amounts, homes, now.date_naive())?;
    let read = candidates.len();
    let top = super::rank::top(candidates, config.rank_by, config.top, regulars, forgotten);
    Ok((top, read))
}

/// The import against `stored` (every stored customer, former included): nothing is written.
pub fn plan(
    config: &CustomersConfig,
    homes: &Homes,
    stored: &[Customer],
    forgotten: &HashSet<String>,
    now: DateTime<Utc>,
) -> Result<Plan, Problems> {
    let regulars: HashSet<String> = stored
        .iter()
        .filter(|c| !c.former)
        .map(|c| c.external_id.clone())
        .collect();
    let (ranked, rows) = ranked(config, homes, now, &regulars, forgotten)?;
    Ok(Plan {
        run: ImportRun {
            at: now,
            origin: config.origin.describe(),
            ranked_by: config.ranked_by(),
            top: config.top,
            rows,
        },
        diff: diff(stored, &ranked),
        ranked,
    })
}

impl Plan {
    /// "30 customers from shop.csv (ranked by lifetime spend, top 30 of 120 read): 2 new, ...".
    pub fn summary(&self) -> String {
        format!(
            "{} customers from {} (ranked by {}, top {} of {} read): {}",
            self.ranked.len(),
            self.run.origin,
            self.run.ranked_by,
            self.run.top,
            self.run.rows,
            self.diff.counts()
        )
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Print what would change; write nothing.
    pub dry_run: bool,
    pub json: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    dry_run: bool,
    origin: &'a str,
    ranked_by: &'a str,
    top: usize,
    read: usize,
    regulars: usize,
    changes: &'a Diff,
}

/// `regulars customers import [--dry-run] [--json]`: the import of `settings`' `[customers]` into the
/// workspace's store (the SQLite file at `db_path`, or PostgreSQL), the changes printed to `out`. A dry run
/// opens a SQLite store read-only (and not at all when there is none yet). A bad source is an `Err` naming
/// every bad line; nothing is written then.
pub fn run(
    settings: &Settings,
    db_path: &Path,
    options: Options,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let config = settings.customers().ok_or_else(|| {
        anyhow::anyhow!(
            "config {}: no [customers] section; add one saying where your customers come from (see \
             config.example.toml and README \"Customers\")",
            settings
                .path
                .as_deref()
                .map_or_else(|| "?".into(), |p| p.display().to_string())
        )
    })?;
    let homes = Homes::of(&settings.config);
    let plan = if settings.config.store.is_postgres() {
        crate::workspace::with_store(settings, db_path, move |db| {
            import(db, &config, &homes, options.dry_run, now)
        })?
    } else {
        let db = if options.dry_run {
            db_path
                .exists()
                .then(|| Db::open_read_only(db_path))
                .transpose()
        } else {
            Db::open(db_path).map(Some)
        }
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        match db {
            Some(mut db) => import(&mut db, &config, &homes, options.dry_run, now)?,
            None => plan(&config, &homes, &[], &HashSet::new(), now).map_err(anyhow::Error::new)?,
        }
    };
    if options.json {
        let report = Report {
            dry_run: options.dry_run,
            origin: &plan.run.origin,
            ranked_by: &plan.run.ranked_by,
            top: plan.run.top,
            read: plan.run.rows,
            regulars: plan.ranked.len(),
            changes: &plan.diff,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    write!(out, "{}", plan.diff.render(&settings.config.shop.currency))?;
    if options.dry_run {
        writeln!(
            out,
            "dry run, nothing written: would import {}",
            plan.summary()
        )?;
    } else {
        writeln!(out, "imported {}", plan.summary())?;
    }
    Ok(())
}

/// The import planned against what `db` stores and, unless `dry_run`, written in one transaction.
fn import(
    db: &mut dyn CustomerRepo,
    config: &CustomersConfig,
    homes: &Homes,
    dry_run: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Plan> {
    let (stored, forgotten) = (db.customers()?, db.forgotten_keys()?);
    let plan = plan(config, homes, &stored, &forgotten, now).map_err(anyhow::Error::new)?;
    if !dry_run {
        db.import_customers(&plan.run, &plan.ranked).map_err(|e| {
            anyhow::anyhow!("the store refused the import: {e}; nothing was imported")
        })?;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::config::Origin;

    #[test]
    fn the_demo_customers_come_through_the_same_pipeline() {
        let config = CustomersConfig::csv_defaults(Origin::Embedded {
            name: "embedded demo customers",
            text: crate::sources::demo::CUSTOMERS,
        });
        let plan = plan(&config, &Homes::default(), &[], &HashSet::new(), Utc::now()).unwrap();
        assert_eq!(plan.ranked.len(), 30);
        assert_eq!(plan.diff.new.len(), 30);
        assert!(plan.ranked.iter().all(|c| !c.handles.is_empty()
            && !c.email.is_empty()
            && c.orders.is_some()
            && c.last_purchase.is_some()));
        assert!(
            plan.ranked
                .windows(2)
                .all(|w| w[0].lifetime_spend_cents >= w[1].lifetime_spend_cents)
        );
        assert!(plan.summary().starts_with(
            "30 customers from embedded demo customers (ranked by lifetime spend, top 30 of 30 read): 30 new"
        ));
    }
}
