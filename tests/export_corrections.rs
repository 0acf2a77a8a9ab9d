//! `regulars export corrections`: staff's corrections written as JSONL by the binary, and read back line by
//! line into what was stored (the round trip a tuning script relies on).

mod common;

use chrono::{TimeZone, Utc};
use common::bin::regulars;
use regulars::domain::{Author, Category, CorrectionLine, IncomingPost, Network, NewPost};
use regulars::store::{Db, PostRepo, ReviewRepo};
use regulars::triage::Classifier;

fn post(classifier: &Classifier, native_id: &str, text: &str) -> NewPost {
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
    NewPost {
        incoming: IncomingPost {
            network: Network::Mastodon,
            native_id: native_id.into(),
            url: None,
            author: Author {
                handle: "kezia@far.example".into(),
                display_name: "Kezia".into(),
            },
            text: text.into(),
            created_at: at,
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        },
        customer: None,
        is_mention: true,
        by_shop: false,
        triage: classifier.classify(text),
        ingested_at: at,
    }
}

#[test]
fn corrections_round_trip_through_jsonl() {
    let home = tempfile::tempdir().unwrap();
    let db_path = home.path().join("work.db");
    let classifier = Classifier::english();
    let expected = {
        let mut db = Db::open(&db_path).unwrap();
        let stored = db
            .insert_batch(
                "inbox",
                &[
                    post(
                        &classifier,
                        "1",
                        "still waiting on my ring resize, six weeks now, really disappointed",
                    ),
                    post(
                        &classifier,
                        "2",
                        "are you open on Saturday afternoon? \"quoted\" and a \\ too",
                    ),
                    post(&classifier, "3", "lovely walk by the river"),
                ],
                &[],
            )
            .unwrap();
        let at = |m| Utc.with_ymd_and_hms(2026, 11, 20, 11, m, 0).unwrap();
        db.correct_post("ana", stored[0].id, Category::Neutral, at(1))
            .unwrap();
        db.correct_post("ana", stored[1].id, Category::Question, at(2))
            .unwrap();
        db.correct_post("ana", stored[0].id, Category::Praise, at(3))
            .unwrap();
        db.corrections()
            .unwrap()
            .iter()
            .map(|(c, p)| CorrectionLine::new(c, p))
            .collect::<Vec<_>>()
    };
    assert_eq!(expected.len(), 3);
    // The triage the post arrived with, not the correction before.
    assert_eq!(expected[2].original.category, Category::Complaint);
    assert!(!expected[2].original.reasons.is_empty());

    let out_file = home.path().join("corrections.jsonl");
    let out = regulars(home.path())
        .arg("--db")
        .arg(&db_path)
        .args(["export", "corrections", "--output"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 corrections written"));
    assert!(!home.path().join("corrections.jsonl.part").exists());
    let written = std::fs::read_to_string(&out_file).unwrap();
    let lines: Vec<CorrectionLine> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines, expected);
    // Each line is the documented shape.
    let first: serde_json::Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    for field in ["id", "text", "category", "original", "at"] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    assert_eq!(first["id"], "mastodon:1");
    assert_eq!(first["category"], "neutral");
    for field in ["category", "score", "reasons"] {
        assert!(
            first["original"].get(field).is_some(),
            "original.{field} missing: {first}"
        );
    }

    // Without --output: standard output, the same lines.
    let out = regulars(home.path())
        .arg("--db")
        .arg(&db_path)
        .args(["export", "corrections"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), written);
}

#[test]
fn an_unwritable_output_is_named_and_nothing_is_left_behind() {
    let home = tempfile::tempdir().unwrap();
    let db_path = home.path().join("work.db");
    Db::open(&db_path).unwrap();
    let out_file = home.path().join("missing-dir").join("c.jsonl");
    let out = regulars(home.path())
        .arg("--db")
        .arg(&db_path)
        .args(["export", "corrections", "--output"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing-dir"), "{stderr}");
    assert!(!out_file.exists());
}
