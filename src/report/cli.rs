//! The bodies of `regulars report`, `regulars digest` and `regulars export posts|actions|replies`: the
//! workspace's store read directly (the console may be running), times from the clock, output to stdout or
//! a file.

use std::path::Path;

use chrono::Utc;

use crate::config::Settings;
use crate::export::rows::{self, Table};
use crate::workspace::with_store;

pub fn report(
    settings: &Settings,
    db: &Path,
    from: Option<&str>,
    to: Option<&str>,
    format: super::render::Format,
) -> anyhow::Result<()> {
    let hours = settings.config.hours.clone();
    let (from, to) = (from.map(str::to_string), to.map(str::to_string));
    with_store(settings, db, move |store| {
        super::run(
            store,
            &hours,
            from.as_deref(),
            to.as_deref(),
            format,
            Utc::now(),
            &mut std::io::stdout().lock(),
        )
    })
}

pub fn digest(
    settings: &Settings,
    db: &Path,
    since: &str,
    format: super::digest::Format,
) -> anyhow::Result<()> {
    let hours = settings.config.hours.clone();
    let spike = settings.config.alerts_policy().spike;
    let now = Utc::now();
    let since = super::parse_since(since, now, &hours).map_err(anyhow::Error::msg)?;
    with_store(settings, db, move |store| {
        let mut digest = super::digest::Digest::build(store, &hours, since, now)?;
        digest.push_spikes(store, &spike, &hours)?;
        digest.write(format, &mut std::io::stdout().lock())
    })
}

pub fn export(
    settings: &Settings,
    db: &Path,
    table: Table,
    format: rows::Format,
    since: Option<&str>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let since = since
        .map(|s| super::parse_since(s, Utc::now(), &settings.config.hours))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let output = output.map(Path::to_path_buf);
    with_store(settings, db, move |store| {
        let mut stderr = std::io::stderr();
        let progress = rows::progress_on_terminal(&mut stderr);
        crate::export::to_output(output.as_deref(), &mut std::io::stdout().lock(), |out| {
            rows::export(store, table, format, since, out, progress)
        })?;
        Ok(())
    })
}
