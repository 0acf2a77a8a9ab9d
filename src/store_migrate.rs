//! `regulars store migrate --to postgres`: copies this workspace's SQLite database into the PostgreSQL
//! database a team will share, verifies every table's count, and prints them. Safe to run again: rows already
//! there are not copied twice (see [`crate::store::PgDb::copy_from_sqlite`]).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::store::{Db, PgDb, TableCopy};

/// The environment variable holding the connection string when `--url-env` is not given.
pub const DEFAULT_URL_ENV: &str = "REGULARS_DATABASE_URL";

#[derive(clap::Subcommand, Debug)]
pub enum StoreCmd {
    /// Copy this workspace (posts, customers, actions, replies, drafts, follow-ups, cursors, check-ins,
    /// corrections, ...) into PostgreSQL, ids kept, in one transaction; verify every table's count. Safe to
    /// run again.
    Migrate {
        #[arg(long, value_enum)]
        to: Target,
        /// The environment variable holding the PostgreSQL connection string (never a command-line
        /// argument: it would show in the process list).
        #[arg(long, default_value = DEFAULT_URL_ENV)]
        url_env: String,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Postgres,
}

/// Runs `regulars store ...` on the workspace database `db`, writing what it did to `out`. Call it on a
/// plain thread (the PostgreSQL client runs its own runtime).
pub fn run(cmd: &StoreCmd, db: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let StoreCmd::Migrate {
        to: Target::Postgres,
        url_env,
    } = cmd;
    let url = std::env::var(url_env).map_err(|_| {
        anyhow::anyhow!(
            "store migrate: environment variable {url_env} is not set: set it to the PostgreSQL connection \
             string (postgres://user@host/database), or name another with --url-env"
        )
    })?;
    if !db.exists() {
        bail!(
            "store migrate: there is no workspace database at {} to copy (name it with --db)",
            db.display()
        );
    }
    let from = Db::open(db).with_context(|| format!("store migrate: {}", db.display()))?;
    let mut to = PgDb::open(&url).context("store migrate: the PostgreSQL database")?;
    let started = Instant::now();
    let copies = to
        .copy_from_sqlite(&from)
        .context("store migrate: nothing was copied")?;
    report(&copies, db, &to, started.elapsed(), out)?;
    Ok(())
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
