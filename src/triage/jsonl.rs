//! `regulars classify`: JSONL posts in, one JSONL triage line per input line out, in order.

use std::io::{self, BufRead, Write};

use serde::Serialize;
use serde_json::Value;

use super::Classifier;

/// What a `classify` run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Non-blank input lines.
    pub lines: u64,
    pub classified: u64,
    /// Lines answered with an error line.
    pub errors: u64,
    /// Classified posts flagged as complaint or distress.
    pub complaints: u64,
}

#[derive(Serialize)]
struct Out<'a> {
    id: &'a Value,
    complaint: bool,
    category: &'static str,
    score: f32,
    reasons: Vec<String>,
}

#[derive(Serialize)]
struct ErrLine<'a> {
    id: &'a Value,
    line: u64,
    error: String,
}

/// Read `{"id": .., "text": ..}` lines, write `{"id","complaint","category","score","reasons"}` lines.
/// A bad line (invalid JSON or UTF-8, no `text`) gives `{"id": <id or null>, "line": N, "error": ".."}` and the
/// run goes on; only I/O errors stop it. Blank lines are skipped (but counted in line numbers).
pub fn classify_jsonl(
    mut input: impl BufRead,
    mut output: impl Write,
    classifier: &Classifier,
) -> io::Result<Stats> {
    let mut stats = Stats::default();
    let mut buf = Vec::with_capacity(1024);
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let line = buf.trim_ascii();
        if line.is_empty() {
            continue;
        }
        stats.lines += 1;
        match parse_line(line) {
            Ok((id, text)) => {
                let t = classifier.classify(&text);
                let out = Out {
                    id: &id,
                    complaint: t.is_complaint(),
                    category: t.category.as_str(),
                    score: (t.score * 10_000.0).round() / 10_000.0,
                    reasons: t.reasons.iter().map(|r| r.cue(&text)).collect(),
                };
                serde_json::to_writer(&mut output, &out)?;
                stats.classified += 1;
                if out.complaint {
                    stats.complaints += 1;
                }
            }
            Err((id, error)) => {
                serde_json::to_writer(
                    &mut output,
                    &ErrLine {
                        id: &id,
                        line: line_no,
                        error,
                    },
                )?;
                stats.errors += 1;
            }
        }
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(stats)
}

/// `(id, text)` or `(id or null, error)`.
fn parse_line(line: &[u8]) -> Result<(Value, String), (Value, String)> {
    let s = match std::str::from_utf8(line) {
        Ok(s) => s,
        Err(e) => {
            // Still try to name the post: parse a lossy copy for its id.
            let lossy = String::from_utf8_lossy(line);
            let id = serde_json::from_str::<Value>(&lossy)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(Value::Null);
            return Err((id, format!("invalid UTF-8 at byte {}", e.valid_up_to())));
        }
    };
    let v: Value = match serde_json::from_str(s) {
        Ok(v) => v,
        Err(e) => return Err((Value::Null, format!("invalid JSON: {e}"))),
    };
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    match v.get("text") {
        Some(Value::String(t)) => Ok((id, t.clone())),
        Some(_) => Err((id, "\"text\" must be a string".to_string())),
        None if v.is_object() => Err((id, "missing \"text\"".to_string())),
        None => Err((
            Value::Null,
            "expected a JSON object {\"id\", \"text\"}".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> (Vec<Value>, Stats) {
        let c = Classifier::english();
        let mut out = Vec::new();
        let stats = classify_jsonl(input, &mut out, &c).unwrap();
        let lines = String::from_utf8(out).unwrap();
        (
            lines
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            stats,
        )
    }

    #[test]
    fn one_line_per_input_in_order() {
        let (out, stats) = run(
            b"{\"id\":\"a\",\"text\":\"@shop my order never arrived and it's been 3 weeks\"}\n\
              {\"id\":\"b\",\"text\":\"Lovely morning for a walk\"}\n",
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0]["id"], "a");
        assert_eq!(out[0]["complaint"], true);
        assert_eq!(out[0]["category"], "complaint");
        assert!(out[0]["reasons"].as_array().unwrap().len() >= 2);
        assert_eq!(out[1]["id"], "b");
        assert_eq!(out[1]["complaint"], false);
        let s = out[0]["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s));
        assert_eq!(stats.lines, 2);
        assert_eq!(stats.classified, 2);
        assert_eq!(stats.complaints, 1);
    }

    #[test]
    fn bad_lines_give_error_lines_and_the_run_goes_on() {
        let mut input = Vec::new();
        input.extend_from_slice(b"{\"id\":\"1\",\"text\":\"fine\"}\n");
        input.extend_from_slice(b"not json\n");
        input.extend_from_slice(b"{\"id\":\"3\"}\n");
        input.extend_from_slice(b"{\"id\":\"4\",\"text\":\"bad \xff\xfe bytes\"}\n");
        input.extend_from_slice(b"\n");
        input.extend_from_slice(b"{\"id\":7,\"text\":42}\n");
        input.extend_from_slice(b"{\"id\":\"8\",\"text\":\"still waiting for my refund\"}");
        let (out, stats) = run(&input);
        assert_eq!(out.len(), 6);
        assert_eq!(out[0]["id"], "1");
        assert!(out[0].get("error").is_none());
        assert_eq!(out[1]["id"], Value::Null);
        assert_eq!(out[1]["line"], 2);
        assert!(out[1]["error"].as_str().unwrap().contains("JSON"));
        assert_eq!(out[2]["id"], "3");
        assert!(out[2]["error"].as_str().unwrap().contains("text"));
        assert_eq!(out[3]["id"], "4");
        assert_eq!(out[3]["line"], 4);
        assert!(out[3]["error"].as_str().unwrap().contains("UTF-8"));
        assert_eq!(out[4]["id"], 7);
        assert_eq!(out[4]["line"], 6);
        assert_eq!(out[5]["id"], "8");
        assert_eq!(out[5]["complaint"], true);
        assert_eq!(stats.errors, 4);
        assert_eq!(stats.classified, 2);
    }
}
