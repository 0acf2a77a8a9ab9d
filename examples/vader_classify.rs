//! Baseline for `scripts/eval.sh`: the same JSONL contract as `regulars classify`, predicted by VADER
//! (the `vader_sentiment` crate, MIT). complaint = compound < threshold (default -0.05, VADER's own cut-off for
//! "negative"; override with VADER_THRESHOLD), score = (1 - compound) / 2.
//!
//!     cargo run --release --example vader_classify < posts.jsonl > preds.jsonl

use std::io::{self, BufRead, BufWriter, Write};

fn main() -> io::Result<()> {
    let threshold: f64 = std::env::var("VADER_THRESHOLD")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(-0.05);
    let analyzer = vader_sentiment::SentimentIntensityAnalyzer::new();
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for (n, line) in stdin.lock().split(b'\n').enumerate() {
        let line = line?;
        let line = String::from_utf8_lossy(&line);
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let err = serde_json::json!({"id": null, "line": n + 1, "error": format!("invalid JSON: {e}")});
                writeln!(out, "{err}")?;
                continue;
            }
        };
        let id = v.get("id").cloned().unwrap_or(serde_json::Value::Null);
        let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
            writeln!(
                out,
                "{}",
                serde_json::json!({"id": id, "line": n + 1, "error": "missing \"text\""})
            )?;
            continue;
        };
        let compound = analyzer
            .polarity_scores(text)
            .get("compound")
            .copied()
            .unwrap_or(0.0);
        let pred = serde_json::json!({
            "id": id,
            "complaint": compound < threshold,
            "score": (1.0 - compound) / 2.0,
        });
        writeln!(out, "{pred}")?;
    }
    out.flush()
}
