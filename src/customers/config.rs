//! `[customers]`: where the shop's customers come from (a CSV export, a SQLite database file and a query, or
//! PostgreSQL and a query), which of the source's columns hold what, and how the top N are ranked.
//! Checked when the config loads; every error names the field and the fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use super::columns::{Columns, Field};

/// The validated `[customers]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawCustomers")]
pub struct CustomersConfig {
    pub origin: Origin,
    pub columns: Columns,
    pub rows: Rows,
    pub rank_by: RankBy,
    /// The window of `rank_by = "recent_spend"`, in months back from today.
    pub months: u32,
    pub top: usize,
    /// Whole-number amounts are already in pence/cents.
    pub minor_units: bool,
    /// Import again whenever the console or `sync` starts.
    pub on_start: bool,
}

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Csv {
        path: PathBuf,
        delimiter: u8,
        /// Amounts are written `1.234,50`.
        decimal_comma: bool,
    },
    Sqlite {
        path: PathBuf,
        query: String,
    },
    Postgres {
        url_env: Option<String>,
        url_file: Option<PathBuf>,
        query: String,
        timeout: Duration,
    },
    /// The demo's customers, built into the binary (never from a config file).
    Embedded {
        name: &'static str,
        text: &'static str,
    },
}

impl Origin {
    /// How errors and the import log name it: the file, or the database and its kind.
    pub fn describe(&self) -> String {
        match self {
            Origin::Csv { path, .. } | Origin::Sqlite { path, .. } => path.display().to_string(),
            Origin::Postgres {
                url_env: Some(var), ..
            } => format!("PostgreSQL (${var})"),
            Origin::Postgres { url_file, .. } => format!(
                "PostgreSQL ({})",
                url_file.as_deref().unwrap_or(Path::new("?")).display()
            ),
            Origin::Embedded { name, .. } => name.to_string(),
        }
    }

    /// With its relative paths resolved against the config file's folder.
    pub fn resolved(&self, base: &Path) -> Origin {
        let join = |p: &Path| {
            if p.is_relative() {
                base.join(p)
            } else {
                p.to_path_buf()
            }
        };
        let mut origin = self.clone();
        match &mut origin {
            Origin::Csv { path, .. } | Origin::Sqlite { path, .. } => *path = join(path),
            Origin::Postgres {
                url_file: Some(file),
                ..
            } => *file = join(file),
            Origin::Postgres { .. } | Origin::Embedded { .. } => {}
        }
        origin
    }
}

/// What one source row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rows {
    /// One row per customer, with their lifetime spend and order count.
    #[default]
    Customers,
    /// One row per order (customer id, amount, date): summed and counted per customer.
    Orders,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    #[default]
    LifetimeSpend,
    RecentSpend,
    Orders,
}

/// `[customers]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomers {
    kind: Option<String>,
    path: Option<PathBuf>,
    delimiter: Option<String>,
    decimal_comma: Option<bool>,
    query: Option<String>,
    url_env: Option<String>,
    url_file: Option<PathBuf>,
    timeout_seconds: Option<u64>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    rows: Rows,
    #[serde(default)]
    rank_by: RankBy,
    months: Option<u32>,
    top: Option<usize>,
    #[serde(default)]
    minor_units: bool,
    on_start: Option<bool>,
}

/// The method's number: "identify your top 30 customers".
pub const DEFAULT_TOP: usize = 30;
const DEFAULT_MONTHS: u32 = 12;
const DEFAULT_TIMEOUT: u64 = 30;

impl TryFrom<RawCustomers> for CustomersConfig {
    type Error = String;

    fn try_from(raw: RawCustomers) -> Result<CustomersConfig, String> {
        let origin = origin(&raw)?;
        let columns = Columns::build(raw.columns)?;
        let top = raw.top.unwrap_or(DEFAULT_TOP);
        if top == 0 {
            return Err("customers.top = 0: keep at least 1 (the method says 30)".into());
        }
        let months = raw.months.unwrap_or(DEFAULT_MONTHS);
        if !(1..=120).contains(&months) {
            return Err(format!(
                "customers.months = {months}: use 1 to 120 (the window of rank_by = \"recent_spend\")"
            ));
        }
        if raw.months.is_some() && raw.rank_by != RankBy::RecentSpend {
            return Err(
                "customers.months: only used with rank_by = \"recent_spend\"; remove it or set rank_by".into(),
            );
        }
        if raw.rank_by == RankBy::RecentSpend && raw.rows != Rows::Orders {
            return Err(
                "customers.rank_by = \"recent_spend\" needs each order's amount and date: set rows = \"orders\" \
                 with one row per order (customer id, amount, date)"
                    .into(),
            );
        }
        if raw.rows == Rows::Orders && columns.get(Field::Orders).1 {
            return Err(
                "customers.columns.orders: with rows = \"orders\" each row is one order and they are counted; \
                 remove it"
                    .into(),
            );
        }
        Ok(CustomersConfig {
            origin,
            columns,
            rows: raw.rows,
            rank_by: raw.rank_by,
            months,
            top,
            minor_units: raw.minor_units,
            on_start: raw.on_start.unwrap_or(true),
        })
    }
}

fn origin(raw: &RawCustomers) -> Result<Origin, String> {
    let kind = raw.kind.as_deref().ok_or(
        "customers.kind: missing; write kind = \"csv\", \"sqlite\" or \"postgres\"".to_string(),
    )?;
    // Options of another kind are refused rather than ignored: they show a misunderstanding.
    let only = |set: bool, field: &str, kinds: &str| {
        if set {
            Err(format!(
                "customers.{field}: not used with kind = \"{kind}\" (only with {kinds}); remove it"
            ))
        } else {
            Ok(())
        }
    };
    let path = |what: &str| {
        raw.path.clone().ok_or(format!(
            "customers.path: missing; write the {what} (relative to this config file)"
        ))
    };
    let query = || {
        raw.query
            .clone()
            .filter(|q| !q.trim().is_empty())
            .ok_or(format!(
                "customers.query: missing; write the SELECT that lists your customers (or orders) with kind = \"{kind}\""
            ))
    };
    match kind {
        "csv" => {
            only(raw.query.is_some(), "query", "sqlite, postgres")?;
            only(
                raw.url_env.is_some() || raw.url_file.is_some(),
                "url_env/url_file",
                "postgres",
            )?;
            only(raw.timeout_seconds.is_some(), "timeout_seconds", "postgres")?;
            let delimiter = match raw.delimiter.as_deref().unwrap_or(",") {
                "," => b',',
                ";" => b';',
                "\t" => b'\t',
                other => {
                    return Err(format!(
                        "customers.delimiter = {other:?}: use \",\", \";\" or \"\\t\" (a tab)"
                    ));
                }
            };
            Ok(Origin::Csv {
                path: path("CSV file's path")?,
                delimiter,
                decimal_comma: raw.decimal_comma.unwrap_or(false),
            })
        }
        "sqlite" | "postgres" => {
            only(raw.delimiter.is_some(), "delimiter", "csv")?;
            only(raw.decimal_comma.is_some(), "decimal_comma", "csv")?;
            if kind == "sqlite" {
                only(
                    raw.url_env.is_some() || raw.url_file.is_some(),
                    "url_env/url_file",
                    "postgres",
                )?;
                only(raw.timeout_seconds.is_some(), "timeout_seconds", "postgres")?;
                return Ok(Origin::Sqlite {
                    path: path("database file's path")?,
                    query: query()?,
                });
            }
            only(raw.path.is_some(), "path", "csv, sqlite")?;
            if raw.url_env.is_some() == raw.url_file.is_some() {
                return Err("customers: give the PostgreSQL connection string one way: url_env = \"VAR\" (an \
                            environment variable) or url_file = \"path\" (a file with mode 0600)"
                    .into());
            }
            let timeout = raw.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT);
            if timeout == 0 {
                return Err(
                    "customers.timeout_seconds = 0: use a number of seconds, like 30".into(),
                );
            }
            Ok(Origin::Postgres {
                url_env: raw.url_env.clone(),
                url_file: raw.url_file.clone(),
                query: query()?,
                timeout: Duration::from_secs(timeout),
            })
        }
        other => Err(format!(
            "customers.kind = {other:?}: use \"csv\", \"sqlite\" or \"postgres\" (MySQL/MariaDB: export a CSV, \
             see README \"Customers\")"
        )),
    }
}

impl CustomersConfig {
    /// A CSV with the default columns: the legacy `[shop] customers = "file.csv"` and the demo's own.
    pub fn csv_defaults(origin: Origin) -> CustomersConfig {
        CustomersConfig {
            origin,
            columns: Columns::default(),
            rows: Rows::Customers,
            rank_by: RankBy::LifetimeSpend,
            months: DEFAULT_MONTHS,
            top: DEFAULT_TOP,
            minor_units: false,
            on_start: true,
        }
    }

    /// How the ranking is named in the import's report and log.
    pub fn ranked_by(&self) -> String {
        match self.rank_by {
            RankBy::LifetimeSpend => "lifetime spend".into(),
            RankBy::RecentSpend => format!("spend in the last {} months", self.months),
            RankBy::Orders => "order count".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Network;

    fn parse(text: &str) -> Result<CustomersConfig, String> {
        #[derive(Deserialize)]
        struct Doc {
            customers: CustomersConfig,
        }
        toml::from_str::<Doc>(text)
            .map(|d| d.customers)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_csv_with_defaults() {
        let c = parse("[customers]\nkind = \"csv\"\npath = \"c.csv\"\n").unwrap();
        assert_eq!(
            c,
            CustomersConfig::csv_defaults(Origin::Csv {
                path: "c.csv".into(),
                delimiter: b',',
                decimal_comma: false
            })
        );
        assert_eq!(c.columns.get(Field::Id), ("external_id", false));
        assert_eq!(c.columns.get(Field::Spend), ("lifetime_spend", false));
        assert_eq!(
            c.columns.get(Field::Handle(Network::Bluesky)),
            ("bluesky", false)
        );
    }

    #[test]
    fn columns_renamed_and_options() {
        let c = parse(
            "[customers]\nkind = \"sqlite\"\npath = \"shop.db\"\nquery = \"SELECT * FROM orders\"\n\
             rows = \"orders\"\nrank_by = \"recent_spend\"\nmonths = 6\ntop = 10\nminor_units = true\n\
             on_start = false\n[customers.columns]\nid = \"customer_no\"\nspend = \"total\"\nmastodon = \"fedi\"\n",
        )
        .unwrap();
        assert_eq!(c.columns.get(Field::Id), ("customer_no", true));
        assert_eq!(
            c.columns.get(Field::Handle(Network::Mastodon)),
            ("fedi", true)
        );
        assert_eq!(c.ranked_by(), "spend in the last 6 months");
        assert_eq!(
            (c.top, c.minor_units, c.on_start, c.rows),
            (10, true, false, Rows::Orders)
        );
        let c =
            parse("[customers]\nkind = \"csv\"\npath = \"c.csv\"\ndelimiter = \"\\t\"\n").unwrap();
        assert!(matches!(
            c.origin,
            Origin::Csv {
                delimiter: b'\t',
                ..
            }
        ));
    }

    #[test]
    fn mistakes_name_the_field_and_the_fix() {
        for (text, needles) in [
            (
                "kind = \"mysql\"\n",
                &["customers.kind", "export a CSV"][..],
            ),
            ("path = \"c.csv\"\n", &["customers.kind: missing"]),
            ("kind = \"csv\"\n", &["customers.path: missing"]),
            (
                "kind = \"csv\"\npath = \"c\"\ndelimiter = \"|\"\n",
                &["customers.delimiter", "\";\""],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\nquery = \"x\"\n",
                &["customers.query: not used with kind = \"csv\""],
            ),
            (
                "kind = \"sqlite\"\npath = \"s.db\"\n",
                &["customers.query: missing"],
            ),
            (
                "kind = \"postgres\"\nquery = \"SELECT 1\"\n",
                &["url_env", "url_file", "0600"],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\ntop = 0\n",
                &["customers.top = 0"],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\nrank_by = \"recent_spend\"\n",
                &["rows = \"orders\""],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\nmonths = 6\n",
                &["customers.months", "recent_spend"],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\n[customers.columns]\nphone = \"tel\"\n",
                &["customers.columns.phone", "last_purchase", "mastodon"],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\n[customers.columns]\nid = \" \"\n",
                &["customers.columns.id: empty"],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\nrows = \"orders\"\n[customers.columns]\norders = \"n\"\n",
                &["customers.columns.orders", "counted"],
            ),
            (
                "kind = \"csv\"\npath = \"c\"\nsort = 1\n",
                &["sort", "rank_by"],
            ),
        ] {
            let err = parse(&format!("[customers]\n{text}")).unwrap_err();
            for needle in needles {
                assert!(err.contains(needle), "{text}: {err}");
            }
        }
    }

    #[test]
    fn relative_paths_follow_the_config_file() {
        let c = parse("[customers]\nkind = \"csv\"\npath = \"c.csv\"\n").unwrap();
        let origin = c.origin.resolved(Path::new("/etc/regulars"));
        assert_eq!(origin.describe(), "/etc/regulars/c.csv");
        let abs = Origin::Sqlite {
            path: "/srv/shop.db".into(),
            query: "q".into(),
        };
        assert_eq!(abs.resolved(Path::new("/etc")), abs);
    }
}
