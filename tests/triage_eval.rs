//! Guards the classifier's quality on the labelled dev sets in `../shared/data/eval/` (skips where absent):
//! macro-F1 and ROC AUC must stay above VADER's best on both sets, and airline macro-F1 at 0.80 or more. Also on
//! our own cross-industry set (`tests/data/triage/general.jsonl`, always present), so posts to shops, banks,
//! couriers, telcos... keep being caught, not only airline tweets; and on our probe posts
//! (`tests/data/triage/probes.jsonl`, which the lexicon was tuned on), so what was fixed stays fixed.
//! `scripts/eval.sh` prints the full table side by side with VADER.

use std::path::PathBuf;

use regulars::triage::Classifier;

struct Scores {
    macro_f1: f64,
    auc: f64,
}

fn evaluate(file: &str) -> Option<Scores> {
    evaluate_at(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/eval")
            .join(file),
    )
}

/// One of our own sets in `tests/data/triage/`, which ship with the crate.
fn evaluate_ours(file: &str) -> Scores {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/triage")
        .join(file);
    evaluate_at(path).unwrap_or_else(|| panic!("tests/data/triage/{file} ships with the crate"))
}

fn evaluate_at(path: PathBuf) -> Option<Scores> {
    let file = path.display();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipping: {} is absent (the dev sets live in ../shared/data/eval/)",
            path.display()
        );
        return None;
    };
    let classifier = Classifier::english();
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("labelled line");
        let gold = v["label"].as_str() == Some("complaint");
        let triage = classifier.classify(v["text"].as_str().unwrap_or_default());
        rows.push((gold, triage.is_complaint(), triage.score as f64));
    }
    let count = |g: bool, p: bool| rows.iter().filter(|r| r.0 == g && r.1 == p).count() as f64;
    let (tp, fp, fn_, tn) = (
        count(true, true),
        count(false, true),
        count(true, false),
        count(false, false),
    );
    let f1 = |tp: f64, fp: f64, fn_: f64| {
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        }
    };
    let macro_f1 = (f1(tp, fp, fn_) + f1(tn, fn_, fp)) / 2.0;
    // AUC as the probability that a random complaint outscores a random other post (ties count half).
    let mut scored: Vec<(f64, bool)> = rows.iter().map(|r| (r.2, r.0)).collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < scored.len() {
        let mut j = i;
        while j < scored.len() && scored[j].0 == scored[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += avg_rank * scored[i..j].iter().filter(|s| s.1).count() as f64;
        i = j;
    }
    let (pos, neg) = (tp + fn_, fp + tn);
    let auc = (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg);
    eprintln!("{file}: macro-F1 {macro_f1:.4}, AUC {auc:.4}");
    Some(Scores { macro_f1, auc })
}

#[test]
fn airline_dev_beats_vader_and_reaches_080() {
    if let Some(s) = evaluate("airline-dev.jsonl") {
        assert!(s.macro_f1 >= 0.80, "macro-F1 {:.3}", s.macro_f1);
        assert!(s.auc > 0.75, "AUC {:.3}", s.auc);
    }
}

#[test]
fn tweeteval_dev_beats_vader() {
    if let Some(s) = evaluate("tweeteval-dev.jsonl") {
        assert!(s.macro_f1 > 0.72, "macro-F1 {:.3}", s.macro_f1);
        assert!(s.auc > 0.80, "AUC {:.3}", s.auc);
    }
}

#[test]
fn our_cross_industry_set_is_caught() {
    let s = evaluate_ours("general.jsonl");
    // VADER on this set: macro-F1 0.56, AUC 0.59.
    assert!(s.macro_f1 >= 0.75, "macro-F1 {:.3}", s.macro_f1);
    assert!(s.auc >= 0.82, "AUC {:.3}", s.auc);
}

#[test]
fn our_probe_posts_stay_caught() {
    let s = evaluate_ours("probes.jsonl");
    // Tuned on, so a regression check: 0.859 / 0.911 with the 1,080 posts written blind by helper sessions
    // (probe-1082..1481: 0.75 / 0.81 before the fixes they led to, 0.84 / 0.88 after; probe-1482..1921:
    // 0.75 / 0.82 before, 0.81 / 0.88 after; probe-1922..2161: 0.80 / 0.90 before, 0.84 / 0.92 after).
    assert!(s.macro_f1 >= 0.84, "macro-F1 {:.3}", s.macro_f1);
    assert!(s.auc >= 0.88, "AUC {:.3}", s.auc);
}
