//! Temporary driver for scripts/eval.sh until `regulars classify` is wired: JSONL in on stdin, triage JSONL out.
//! TRIAGE_LEXICON=path loads a lexicon file at run time (for tuning without a rebuild).

use std::io::{self, BufWriter};

use regulars::triage::{Classifier, Tuning, classify_jsonl};

fn main() -> anyhow::Result<()> {
    let classifier = match std::env::var("TRIAGE_LEXICON") {
        Ok(path) => Classifier::from_lexicon(&std::fs::read_to_string(&path)?, &Tuning::default())?,
        Err(_) => Classifier::english(),
    };
    let stats = classify_jsonl(
        io::stdin().lock(),
        BufWriter::new(io::stdout().lock()),
        &classifier,
    )?;
    eprintln!("{stats:?}");
    Ok(())
}
