//! Hostile post text end to end: a JSONL line with terminal escapes, bidi overrides, invalid UTF-8 and 10,000
//! characters goes through ingest into a real SQLite file, comes back, and is drawn harmlessly; a ZWJ storm and
//! invisible format characters are drawn with every cell where a terminal puts it.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regulars::config::{Keymap, Theme};
use regulars::ingest::{Ingest, Matcher};
use regulars::state::{AppState, Pane};
use regulars::store::{Db, PostRepo};
use regulars::triage::Classifier;

const FORBIDDEN: [char; 6] = [
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200b}',
];

#[tokio::test]
async fn hostile_jsonl_line_is_stored_and_drawn_harmlessly() {
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
    let ingest = Ingest::new(Arc::new(Classifier::english()), Matcher::default());
    let prepared = ingest.prepare(incoming, now);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.db");
    {
        let mut db = Db::open(&path).unwrap();
        db.insert_batch("jsonl", &[prepared], &[]).unwrap();
    }
    let store = regulars::store::Store::open(&path).unwrap();
    let mut state = AppState::new(now, Keymap::defaults(), Theme::default());
    state.focus = Pane::Attention;
    regulars::loader::settle(&store, &mut state).await.unwrap();
    let posts: Vec<_> = state.rows(Pane::Attention).into_iter().cloned().collect();
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

/// Invisible format characters a post can carry, each between letters.
const INVISIBLE: [char; 16] = [
    '\u{ad}',
    '\u{200b}',
    '\u{200d}',
    '\u{200e}',
    '\u{200f}',
    '\u{2060}',
    '\u{2062}',
    '\u{2064}',
    '\u{feff}',
    '\u{180e}',
    '\u{fe0f}',
    '\u{fe0e}',
    '\u{e0068}',
    '\u{e0069}',
    '\u{61c}',
    '\u{34f}',
];

/// Emoji sequences that must reach the screen whole.
const EMOJI: [&str; 4] = [
    "👩\u{200d}👩\u{200d}👧",
    "🏳\u{fe0f}\u{200d}🌈",
    "👨🏽\u{200d}💻",
    "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
];

/// Columns a terminal advances for one cell's symbol: a pictograph with its joiners, skin tone or
/// selectors as one wide glyph (as a terminal that joins emoji does), anything else char by char.
fn terminal_columns(symbol: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut chars = symbol.chars();
    let first = chars.next().unwrap_or(' ');
    let pictograph = ('\u{2600}'..='\u{27bf}').contains(&first) || first >= '\u{1f000}';
    if pictograph && chars.next().is_some() {
        return 2;
    }
    symbol.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Replays the buffer as crossterm writes it, to a terminal that merges whatever follows a ZWJ into the
/// cell before (the terminal the storm broke): a cell right after a one-column cell is printed where the
/// cursor is, any other after a cursor move. Returns the first cell that does not land where ratatui
/// put it, if any.
fn misplaced_cell(buffer: &ratatui::buffer::Buffer) -> Option<(u16, u16, String)> {
    use ratatui::buffer::CellWidth;
    let area = buffer.area;
    for y in 0..area.height {
        let (mut cursor, mut prev_width, mut joins_next) = (0usize, 0u16, false);
        let mut x = 0u16;
        while x < area.width {
            let cell = &buffer[(x, y)];
            let symbol = cell.symbol();
            let col = if prev_width == 1 {
                cursor
            } else {
                usize::from(x)
            };
            let advance = if joins_next {
                0
            } else {
                terminal_columns(symbol)
            };
            if col != usize::from(x) || advance != usize::from(cell.cell_width()) {
                return Some((x, y, symbol.to_string()));
            }
            joins_next = symbol.ends_with('\u{200d}');
            cursor = col + advance;
            prev_width = cell.cell_width();
            x += prev_width.max(1);
        }
    }
    None
}

fn zwj_storm_post(now: chrono::DateTime<chrono::Utc>) -> regulars::domain::IncomingPost {
    let mut text = String::from("@shop still waiting for my refund ");
    text.push_str(&"a\u{200d}".repeat(200));
    text.push_str(" then ");
    for (i, c) in INVISIBLE.iter().enumerate() {
        text.push(char::from(b'a' + i as u8));
        text.push(*c);
    }
    text.push_str(" ｶﾞｷﾟ ");
    text.push_str(&EMOJI.join(" "));
    text.push_str(" end");
    let line = serde_json::json!({"id": "zwj-1", "author": "zed@example.social",
        "name": "Zed\u{200d}\u{200d}\u{200b}", "text": text});
    regulars::sources::jsonl::parse_line(line.to_string().as_bytes(), 1, now).unwrap()
}

#[tokio::test]
async fn zwj_storm_and_invisible_format_characters_draw_aligned() {
    let now = chrono::Utc::now();
    let raw = zwj_storm_post(now);
    let ingest = Ingest::new(Arc::new(Classifier::english()), Matcher::default());
    let prepared = ingest.prepare(raw.clone(), now);
    let text = &prepared.incoming.text;
    assert!(text.contains(&"a".repeat(200)), "{text:?}");
    assert!(text.contains("abcdefghijklmnop"), "{text:?}");
    for emoji in EMOJI {
        assert!(text.contains(emoji), "{emoji:?} kept whole in {text:?}");
    }
    let store = regulars::store::Store::open_in_memory().unwrap();
    store
        .call(move |db| db.insert_batch("jsonl", &[prepared], &[]))
        .await
        .unwrap();
    let mut state = AppState::new(now, Keymap::defaults(), Theme::default());
    state.focus = Pane::Attention;
    regulars::loader::settle(&store, &mut state).await.unwrap();
    let posts: Vec<_> = state.rows(Pane::Attention).into_iter().cloned().collect();
    let draw = |state: &AppState, (w, h): (u16, u16)| {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| regulars::ui::render(f, state)).unwrap();
        terminal.backend().buffer().clone()
    };
    for size in [(80, 24), (160, 45)] {
        let buffer = draw(&state, size);
        let screen = format!("{buffer:?}");
        assert!(screen.contains("still waiting"), "{screen}");
        assert!(
            screen.contains("aaaaaaaaaa"),
            "the storm's letters are drawn"
        );
        if size.0 == 160 {
            for emoji in EMOJI {
                assert!(
                    buffer.content.iter().any(|c| c.symbol() == emoji),
                    "{emoji:?} drawn as one cell"
                );
            }
        }
        assert_eq!(misplaced_cell(&buffer), None, "at {size:?}:\n{screen}");
        // the right border of every row of the Attention pane sits in the last column
        let rows = (1..size.1 - 1).filter(|&y| buffer[(size.0 - 1, y)].symbol() == "│");
        assert!(rows.count() > 5, "{screen}");
    }
    // The check can fail: the same post unsanitized puts cells where ratatui did not.
    let mut unsanitized = state.clone();
    let mut post = posts[0].clone();
    post.text = raw.text.clone();
    unsanitized.posts.insert(vec![post]);
    let buffer = draw(&unsanitized, (160, 45));
    assert!(misplaced_cell(&buffer).is_some());
}
