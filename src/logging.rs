//! Logs go to a file in the XDG state dir, never to the terminal while the UI is up.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;

/// Starts file logging; keep the guard alive until exit so buffered lines are written.
pub fn init(state_dir: &Path) -> anyhow::Result<WorkerGuard> {
    std::fs::create_dir_all(state_dir).map_err(|e| {
        anyhow::anyhow!("cannot create the log folder {}: {e}", state_dir.display())
    })?;
    let appender = tracing_appender::rolling::never(state_dir, "regulars.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("REGULARS_LOG")
        .unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(guard)
}
