//! Temporary: calibrate classify speed.
use std::hint::black_box;
use std::time::Instant;
fn main() {
    let s = std::fs::read_to_string("../shared/data/eval/airline-dev.jsonl").unwrap();
    let texts: Vec<String> = s.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_string()).collect();
    let c = regulars::triage::Classifier::english();
    let n = 20.0 * texts.len() as f64;
    for _ in 0..2 {
        let t = Instant::now();
        for _ in 0..20 { for x in &texts { black_box(c.classify(black_box(x))); } }
        let a = n / t.elapsed().as_secs_f64();
        let t = Instant::now();
        for _ in 0..20 { for x in &texts { black_box(c.__speed_probe(black_box(x), 0)); } }
        let b = n / t.elapsed().as_secs_f64();
        let t = Instant::now();
        for _ in 0..20 { for x in &texts { black_box(c.__speed_probe(black_box(x), 1)); } }
        let d = n / t.elapsed().as_secs_f64();
        println!("classify {a:.0}/s  lex {b:.0}/s  lex+get {d:.0}/s");
    }
}
