//! Logs go to a file in the XDG state dir, never to the terminal while the UI is up.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::fmt::MakeWriter;

/// Starts file logging; keep the guard alive until exit so buffered lines are written.
pub fn init(state_dir: &Path) -> anyhow::Result<WorkerGuard> {
    std::fs::create_dir_all(state_dir).map_err(|e| {
        anyhow::anyhow!("cannot create the log folder {}: {e}", state_dir.display())
    })?;
    let appender = tracing_appender::rolling::never(state_dir, "regulars.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let writer = Redacting(writer);
    let filter = tracing_subscriber::EnvFilter::try_from_env("REGULARS_LOG")
        .unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(guard)
}

/// The log file's writer: every line cleaned of the secrets loaded (an API's error quoting a token, a URL with a
/// password), whatever logged it. The formatter hands over each event whole, so a secret is never split.
struct Redacting<W>(W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Redacting<W> {
    type Writer = Redacted<W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        Redacted(self.0.make_writer())
    }
}

struct Redacted<W>(W);

impl<W: std::io::Write> std::io::Write for Redacted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(crate::sources::secret::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    /// A panic in a background task is logged (the terminal's hook), its message whatever the code formatted:
    /// a secret in it is hidden in the file.
    #[test]
    fn a_logged_panic_quoting_a_secret_is_cleaned() {
        let token = crate::sources::secret::Secret::new("panic-tok-Zq81");
        let panic =
            std::panic::catch_unwind(|| panic!("request to ?key={} failed", token.expose()))
                .err()
                .and_then(|p| p.downcast::<String>().ok())
                .map(|m| *m)
                .unwrap_or_default();
        let mut file = super::Redacted(Vec::new());
        writeln!(file, "ERROR background task panicked info={panic}").unwrap();
        let logged = String::from_utf8(file.0).unwrap();
        assert_eq!(
            logged,
            "ERROR background task panicked info=request to ?key=*** failed\n"
        );
    }
}
