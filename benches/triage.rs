//! Triage throughput: posts per second per core on the airline dev texts, ours vs VADER in the same run.
//!
//!     cargo bench --bench triage
//!
//! Uses `../shared/data/eval/airline-dev.jsonl` (or EVAL_DATA=dir) when present, otherwise a small built-in set
//! of our own sentences. After criterion's report it prints a plain median posts/s for both and the ratio.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use regulars::triage::Classifier;

const BUILTIN: &[&str] = &[
    "@shop any update on my order? it's been 3 weeks",
    "@shop my parcel never arrived and nobody answers the phone",
    "Lovely morning for a walk by the river",
    "@bank charged twice for the same coffee, please sort it out",
    "great, another delay. thanks for nothing",
    "@jeweller the ring is gorgeous, thank you so much!",
    "I'm so sad the summer is over",
    "@telco no internet since Monday, cancelling my contract #NeverAgain",
    "@cafe do you have oat milk?",
    "stranded at the station tonight, last train cancelled 😡",
];

fn load_texts() -> (Vec<String>, &'static str) {
    let dir = std::env::var("EVAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/eval"));
    let path = dir.join("airline-dev.jsonl");
    if let Ok(s) = std::fs::read_to_string(&path) {
        let texts: Vec<String> = s
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
            .collect();
        if !texts.is_empty() {
            return (texts, "airline-dev");
        }
    }
    eprintln!(
        "bench: {} not found; using the built-in sentences",
        path.display()
    );
    (BUILTIN.iter().map(|s| s.to_string()).collect(), "built-in")
}

/// Median posts/s over `rounds` passes over `texts`.
fn posts_per_sec(texts: &[String], rounds: usize, mut f: impl FnMut(&str)) -> f64 {
    let mut rates: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for s in texts {
                f(s);
            }
            texts.len() as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(|a, b| a.total_cmp(b));
    rates[rates.len() / 2]
}

fn main() {
    let (texts, name) = load_texts();
    let ours = Classifier::english();
    let vader = vader_sentiment::SentimentIntensityAnalyzer::new();
    let mut c = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    {
        let mut g = c.benchmark_group(format!("triage/{name}"));
        g.throughput(Throughput::Elements(texts.len() as u64));
        g.bench_function("ours (with reasons)", |b| {
            b.iter(|| {
                for s in &texts {
                    black_box(ours.classify(black_box(s)));
                }
            })
        });
        g.bench_function("vader", |b| {
            b.iter(|| {
                for s in &texts {
                    black_box(vader.polarity_scores(black_box(s)));
                }
            })
        });
        g.finish();
    }
    c.final_summary();

    // Plain figures for the report, single thread, same texts, same run.
    let reasons: usize = texts.iter().map(|s| ours.classify(s).reasons.len()).sum();
    let ours_rate = posts_per_sec(&texts, 21, |s| {
        black_box(ours.classify(black_box(s)));
    });
    let vader_rate = posts_per_sec(&texts, 3, |s| {
        black_box(vader.polarity_scores(black_box(s)));
    });
    println!(
        "\ntriage throughput on {name} ({} posts, {:.1} reasons/post, one core):\n  ours  {:>12.0} posts/s (median)\n  VADER {:>12.0} posts/s (median)\n  ratio {:>12.1}x",
        texts.len(),
        reasons as f64 / texts.len() as f64,
        ours_rate,
        vader_rate,
        ours_rate / vader_rate
    );
}
