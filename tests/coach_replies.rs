//! The reply coach on replies we wrote ourselves (tests/data/coach/replies.jsonl), called as the composer calls
//! it: every bad reply gets a warning, in the coach's gentle form; no good reply gets one.

use regulars::triage::Category;
use regulars::triage::coach::{CoachContext, HintKind, check};

#[derive(serde::Deserialize)]
struct Case {
    reply: String,
    category: Category,
    good: bool,
}

#[test]
fn every_bad_reply_is_warned_and_no_good_one() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/coach/replies.jsonl"
    );
    let data = std::fs::read_to_string(path).expect("the coach's reply set");
    let mut missed = Vec::new();
    let mut false_alarms = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let case: Case = serde_json::from_str(line).expect("a case");
        let context = CoachContext {
            category: case.category,
            crisis: false,
            first_name: None,
            promo_confirmed: false,
        };
        let warned: Vec<String> = check(&case.reply, &context)
            .into_iter()
            .filter(|h| h.kind == HintKind::Tone)
            .map(|h| h.message)
            .collect();
        match (case.good, warned.is_empty()) {
            (false, true) => missed.push(case.reply),
            (true, false) => false_alarms.push((case.reply, warned)),
            _ => {}
        }
    }
    assert!(
        missed.is_empty(),
        "bad replies with no warning: {missed:#?}"
    );
    assert!(
        false_alarms.is_empty(),
        "good replies warned: {false_alarms:#?}"
    );
}

#[test]
fn the_rude_reply_from_issue_20_is_warned_gently() {
    let context = CoachContext {
        category: Category::Complaint,
        crisis: false,
        first_name: Some("Kezia"),
        promo_confirmed: false,
    };
    let hints = check(
        "Calm down. As per our policy this is not our fault. Whatever.",
        &context,
    );
    let warnings: Vec<&str> = hints
        .iter()
        .filter(|h| h.kind == HintKind::Tone)
        .map(|h| h.message.as_str())
        .collect();
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    // Warnings come first: the composer shows the first few hints.
    assert_eq!(hints[0].kind, HintKind::Tone);
    assert!(warnings[0].starts_with("\"calm down\": "), "{warnings:?}");
}
