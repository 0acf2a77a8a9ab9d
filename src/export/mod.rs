//! `regulars export`: what the store holds, written out to be studied elsewhere. Staff's corrections of the
//! console's triage, as JSONL, are what tuning the classifier to a shop starts from; posts, actions and replies
//! ([`rows`]) go to spreadsheets, streamed a row at a time.

pub mod rows;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::domain::CorrectionLine;
use crate::store::ReviewRepo;

/// Writes every correction, oldest first, one JSON object per line ([`CorrectionLine`]): the post's
/// `network:native id`, its text, the category staff gave it, the triage it arrived with, and when. Returns
/// how many lines were written.
pub fn corrections(
    store: &(impl ReviewRepo + ?Sized),
    out: &mut (impl Write + ?Sized),
) -> anyhow::Result<usize> {
    let corrections = store.corrections().context("cannot read the corrections")?;
    for (correction, post) in &corrections {
        serde_json::to_writer(&mut *out, &CorrectionLine::new(correction, post))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(corrections.len())
}

/// [`corrections`] into `output` (a file, written whole or not at all), or to `stdout` when there is none.
pub fn corrections_to<R: ReviewRepo + ?Sized>(
    store: &R,
    output: Option<&Path>,
    stdout: &mut impl Write,
) -> anyhow::Result<usize> {
    to_output(output, stdout, |out| corrections(store, out))
}

/// Runs `write` on `output` (a file, written whole or not at all: a `.part` file renamed into place when `write`
/// succeeds, removed when it fails), or on `stdout` when there is none (or it is `-`).
pub fn to_output<T>(
    output: Option<&Path>,
    stdout: &mut impl Write,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let Some(path) = output.filter(|p| *p != Path::new("-")) else {
        return write(stdout);
    };
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let written = (|| {
        let file = std::fs::File::create(&part)
            .with_context(|| format!("cannot write {}", part.display()))?;
        let mut writer = std::io::BufWriter::new(file);
        let n = write(&mut writer)?;
        writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", part.display()))?;
        std::fs::rename(&part, path)
            .with_context(|| format!("cannot move {} to {}", part.display(), path.display()))?;
        Ok(n)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    written
}
