//! `regulars store migrate --to postgres`: copies this workspace's SQLite database into the PostgreSQL
//! database a team will share, verifies every table's count, and prints them. Safe to run again: rows already
//! there are not copied twice (see [`crate::store::PgDb::copy_from_sqlite`]).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::config::store::{DEFAULT_URL_ENV, StoreConfig};
use crate::sources::secret::Secret;
use crate::store::{Db, PgDb, TableCopy};

#[derive(clap::Subcommand, Debug)]
pub enum StoreCmd {
    /// Copy this workspace (posts, customers, actions, replies, drafts, follow-ups, cursors, check-ins,
    /// corrections, ...) into PostgreSQL, ids kept, in one transaction; verify every table's count. Safe to
    /// run again.
    Migrate {
        #[arg(long, value_enum)]
        to: Target,
        /// The environment variable holding the PostgreSQL connection string (never a command-line
        /// argument: it would show in the process list). Default: `[store]`'s url_env or url_file with
        /// backend = "postgres", else $REGULARS_DATABASE_URL.
        #[arg(long)]
        url_env: Option<String>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Postgres,
}

/// Runs `regulars store ...` on the workspace's SQLite database `db` with `[store]` as configured, writing
/// what it did to `out`. Call it on a plain thread (the PostgreSQL client runs its own runtime).
pub fn run(
    cmd: &StoreCmd,
    db: &Path,
    store: &StoreConfig,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let StoreCmd::Migrate {
        to: Target::Postgres,
        url_env,
    } = cmd;
    let url = target_url(url_env.as_deref(), store)
        .map_err(|why| anyhow::anyhow!("store migrate: {why}"))?;
    if !db.exists() {
        bail!(
            "store migrate: there is no workspace database at {} to copy (name it with --db)",
            db.display()
        );
    }
    let from = Db::open(db).with_context(|| format!("store migrate: {}", db.display()))?;
    let mut to = PgDb::open(url.expose()).context("store migrate: the PostgreSQL database")?;
    let started = Instant::now();
    let copies = to
        .copy_from_sqlite(&from)
        .context("store migrate: nothing was copied")?;
    report(&copies, db, &to, started.elapsed(), out)?;
    Ok(())
}

/// The connection string: from `--url-env`, else `[store]`'s (backend = "postgres"), else the default variable.
fn target_url(url_env: Option<&str>, store: &StoreConfig) -> Result<Secret, String> {
    if url_env.is_none()
        && let Some(url) = store.postgres_url()?
    {
        return Ok(url);
    }
    let var = url_env.unwrap_or(DEFAULT_URL_ENV);
    std::env::var(var).map(Secret::new).map_err(|_| {
        format!(
            "environment variable {var} is not set: set it to the PostgreSQL connection string \
             (postgres://user@host/database), name another with --url-env, or set [store] backend = \
             \"postgres\" with its url_env or url_file"
        )
    })
}

fn report(
    copies: &[TableCopy],
    db: &Path,
    to: &PgDb,
    took: std::time::Duration,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "{} -> {to}", db.display())?;
    writeln!(
        out,
        "  {:<20} {:>10} {:>8} {:>8} {:>10}",
        "table", "workspace", "new", "changed", "postgres"
    )?;
    for c in copies {
        writeln!(
            out,
            "  {:<20} {:>10} {:>8} {:>8} {:>10}",
            c.table, c.source, c.inserted, c.updated, c.target
        )?;
    }
    let rows: u64 = copies.iter().map(|c| c.source).sum();
    let written: u64 = copies.iter().map(|c| c.inserted + c.updated).sum();
    writeln!(
        out,
        "every table matches: {} tables, {rows} rows, in {:.1} s",
        copies.len(),
        took.as_secs_f64()
    )?;
    if written == 0 {
        writeln!(
            out,
            "nothing new: PostgreSQL already held every row of this workspace"
        )?;
    }
    Ok(())
}
