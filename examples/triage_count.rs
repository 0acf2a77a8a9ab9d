//! Temporary driver for deterministic instruction counts (callgrind). Deleted after the perf work.
use regulars::triage::Classifier;
use std::hint::black_box;
fn main() {
    let s = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/eval/airline-dev.jsonl"
    ))
    .unwrap();
    let texts: Vec<String> = s
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let c = Classifier::english();
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let mut n = 0usize;
    for _ in 0..rounds {
        for t in &texts {
            n += black_box(c.classify(black_box(t))).reasons.len();
        }
    }
    println!("{} texts, {} reasons", texts.len(), n);
}
