//! Hostile post text end to end: a JSONL line with terminal escapes, bidi overrides, invalid UTF-8 and 10,000
//! characters goes through ingest into a real SQLite file, comes back, and is drawn harmlessly.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regulars::config::{Keymap, Theme};
use regulars::ingest::{Ingest, Matcher};
use regulars::state::{AppState, Pane};
use regulars::store::Db;
use regulars::triage::Classifier;

const FORBIDDEN: [char; 6] = [
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200b}',
];

#[test]
fn hostile_jsonl_line_is_stored_and_drawn_harmlessly() {
    let mut line =
        br#"{"id": "evil-1", "author": "mallory@evil.example", "name": "\u202eyrollam", "text": ""#
            .to_vec();
    line.extend_from_slice(b"\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[Hstill waiting for my refund \\u202egnp.exe\\u2066 \\u001b[8mhidden\\u200b ");
    line.extend_from_slice(b"\xff\xfe broken bytes ");
    line.extend_from_slice("long ".repeat(2_000).as_bytes());
    line.extend_from_slice(b"\"}");
    let now = chrono::Utc::now();
    let incoming =
        regulars::sources::jsonl::parse_line(&line, 1, now).expect("kept despite invalid UTF-8");
    let ingest = Ingest {
        classifier: Arc::new(Classifier::english()),
        matcher: Matcher::default(),
    };
    let prepared = ingest.prepare(incoming, now);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.db");
    {
        let mut db = Db::open(&path).unwrap();
        db.insert_batch("jsonl", &[prepared], &[]).unwrap();
    }
    let db = Db::open(&path).unwrap();
    let posts = db.recent_posts(10).unwrap();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    for c in FORBIDDEN {
        assert!(
            !post.text.contains(c) && !post.author.display_name.contains(c),
            "{c:?} stored"
        );
    }
    assert!(post.text.contains("still waiting for my refund") && post.text.contains("gnp.exe"));
    assert!(post.text.contains("hidden") && post.text.contains('\u{fffd}'));
    assert!(
        post.text.chars().count() >= 10_000,
        "nothing cut below the cap"
    );

    let mut state = AppState::new(now, Keymap::defaults(), Theme::default());
    state.posts.insert(posts.clone());
    state.focus = Pane::Attention;
    for (w, h) in [(80, 24), (160, 45)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| regulars::ui::render(f, &state)).unwrap();
        let screen = terminal.backend().to_string();
        for c in FORBIDDEN {
            assert!(!screen.contains(c), "{c:?} drawn at {w}x{h}");
        }
        assert!(
            screen.contains("still waiting"),
            "the post is shown at {w}x{h}:\n{screen}"
        );
    }
}
