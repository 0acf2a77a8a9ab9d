//! What every fuzz target checks: one function per parser that reads outside input, given the fuzzer's bytes.
//! Each asserts the parser's promises, not only that it returns: whatever a network, file or user hands in,
//! what ingest stores is sanitized (idempotent, no control, bidi or escape character, every grapheme as wide
//! as a terminal draws it) and every triage reason points at whole characters inside the text.
//!
//! `fuzz/src/main.rs` runs one of these under AFL++; the root test `tests/fuzz_corpus.rs` replays every seed
//! and regression file of `fuzz/corpus/` through the same functions.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use crossterm::event::KeyEvent;
use serde_json::Value;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use regulars::config::keymap::Chord;
use regulars::customers::config::{CustomersConfig, Origin};
use regulars::customers::problems::Problems;
use regulars::customers::table::{Cell, Place, Row, Table};
use regulars::customers::values::{self, Amounts};
use regulars::domain::IncomingPost;
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::listening::Homes;
use regulars::sources::{
    bluesky, facebook, google, graph, instagram, jsonl, linkedin, mastodon, rss,
};
use regulars::sources::{tumblr, x};
use regulars::text;
use regulars::triage::{Classifier, Reason, ShopContext};

pub type Check = fn(&[u8]);

/// Every target, by the name `fuzz/run` and `fuzz/corpus/<name>/` use.
pub const TARGETS: &[(&str, Check)] = &[
    ("sanitize", sanitize),
    ("html", html),
    ("jsonl", jsonl),
    ("triage", triage),
    ("facets", facets),
    ("bluesky", bluesky),
    ("mastodon", mastodon),
    ("x", x),
    ("graph", graph),
    ("rss", rss),
    ("customers", customers),
    ("config", config),
    ("tumblr", tumblr),
    ("linkedin", linkedin),
    ("google", google),
];

pub fn find(name: &str) -> Option<Check> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_796_126_400, 0)
        .single()
        .unwrap_or_default() // 2026-12-01 12:00 UTC
}

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(Classifier::english)
}

fn ingest() -> &'static Ingest {
    static INGEST: OnceLock<Ingest> = OnceLock::new();
    INGEST.get_or_init(|| Ingest::new(Arc::new(Classifier::english()), Matcher::default()))
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// Safe to draw: nothing that moves the cursor or reorders text, and every grapheme as wide to ratatui as to
/// unicode-width (what a terminal draws).
fn assert_drawable(s: &str) {
    for c in s.chars() {
        assert!(c == '\n' || !c.is_control(), "control {c:?} in {s:?}");
        assert!(!is_bidi(c), "bidi control {c:?} in {s:?}");
    }
    for g in s.graphemes(true).filter(|g| *g != "\n") {
        assert_eq!(
            text::grapheme_width(g),
            g.width(),
            "ratatui and unicode-width disagree on {g:?}"
        );
    }
}

/// What `sanitize` returns: drawable, and unchanged by a second pass.
fn assert_sanitized(s: &str) {
    assert_drawable(s);
    assert_eq!(text::sanitize(s), s, "sanitize is not idempotent");
    assert!(s.chars().count() <= text::MAX_CHARS, "longer than the cap");
}

/// Every reason's span lies inside `text`, on character boundaries.
fn assert_reasons(text: &str, reasons: &[Reason], score: f32) {
    assert!((0.0..=1.0).contains(&score), "score {score}");
    for r in reasons {
        assert!(
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end),
            "reason {r:?} outside or inside a character of {text:?}"
        );
    }
}

/// A post as a source hands it to ingest: what ingest prepares for the store is clean.
fn assert_ingested(post: IncomingPost) {
    let p = ingest().prepare(post, now());
    let post = &p.incoming;
    assert_sanitized(&post.text);
    for one_line in [&post.author.handle, &post.author.display_name] {
        assert_drawable(one_line);
        assert!(!one_line.contains('\n'), "{one_line:?} spans lines");
    }
    if let Some(url) = &post.url {
        assert_drawable(url);
        assert!(!url.contains('\n'), "url {url:?} spans lines");
    }
    if let Some(quoted) = post.quotes.as_ref().and_then(|q| q.text.as_deref()) {
        assert_sanitized(quoted);
    }
    assert!(post.rating.is_none_or(|s| (1..=5).contains(&s)));
    assert_reasons(&post.text, &p.triage.reasons, p.triage.score);
}

/// The JSON items an answer holds: the answer itself, and the elements of every array in it (a page's
/// `data`, `feed`, `posts`, `notifications`, `elements`, `reviews`, ...), one level down.
fn items(answer: &Value) -> Vec<&Value> {
    let mut out = vec![answer];
    let arrays: Vec<&Vec<Value>> = match answer {
        Value::Array(a) => vec![a],
        Value::Object(o) => o.values().filter_map(Value::as_array).collect(),
        _ => Vec::new(),
    };
    for a in arrays {
        out.extend(a.iter());
        for v in a {
            out.extend(
                v.as_object()
                    .into_iter()
                    .flat_map(|o| o.values())
                    .filter_map(Value::as_array)
                    .flatten(),
            );
        }
    }
    out
}

fn json(data: &[u8]) -> Option<Value> {
    serde_json::from_slice(data).ok()
}

fn parsed<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
    T::deserialize(v).ok()
}

pub fn sanitize(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let out = text::sanitize(&input);
    assert_sanitized(&out);
    assert_eq!(text::sanitize_bytes(data), out);
    let columns = usize::from(data.first().copied().unwrap_or(0));
    let cut = text::truncate_width(&out, columns);
    assert!(
        text::display_width(&cut) <= columns,
        "{cut:?} wider than {columns}"
    );
}

pub fn html(data: &[u8]) {
    let out = text::html_to_text(&String::from_utf8_lossy(data));
    assert_sanitized(&out);
}

/// A JSONL source's line, and the `classify` command's input.
pub fn jsonl(data: &[u8]) {
    match jsonl::parse_line(data, 7, now()) {
        Ok(post) => assert_ingested(post),
        Err(why) => assert!(why.starts_with("line 7: "), "error names no line: {why}"),
    }
    let mut out = Vec::new();
    regulars::triage::classify_jsonl(data, &mut out, classifier()).expect("writing to memory");
    let lines = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    let answers: Vec<Value> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("each output line is JSON"))
        .collect();
    assert_eq!(answers.len(), lines, "one output line per input line");
    for a in answers {
        assert!(
            a.get("category").is_some() || a.get("error").is_some(),
            "{a}"
        );
    }
}

/// The lexer and scanner, through every way the app classifies.
pub fn triage(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let t = classifier().classify(&text);
    assert_reasons(&text, &t.reasons, t.score);
    let (own, quoted) = text.split_once('\u{1e}').unwrap_or((&text, ""));
    for network in ["bluesky", "mastodon", "google"] {
        let t = classifier().classify_quoting(network, own, Some(quoted), ShopContext::Mentioned);
        assert_reasons(own, &t.reasons, t.score);
    }
}

/// Bluesky rich-text facets: in order, apart, on character boundaries, naming what they cover.
pub fn facets(data: &[u8]) {
    use bluesky::facets::{FacetKind, detect, to_json};
    let text = String::from_utf8_lossy(data);
    let mut last_end = 0;
    for span in detect(&text) {
        let (start, end) = (span.byte_start, span.byte_end);
        assert!(
            last_end <= start && start < end && end <= text.len(),
            "{span:?} in {text:?}"
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{span:?} in {text:?}"
        );
        last_end = end;
        let covered = &text[start..end];
        match &span.kind {
            FacetKind::Mention(h) => assert_eq!(covered[1..].to_ascii_lowercase(), *h),
            FacetKind::Link(uri) => assert_eq!(covered, uri),
            FacetKind::Tag(tag) => assert!(covered.ends_with(tag.as_str()) && !tag.is_empty()),
        }
        let facet = to_json(&span, Some("did:plc:fuzz")).expect("a facet for every span");
        assert_eq!(facet["index"]["byteStart"], start);
        assert_eq!(facet["index"]["byteEnd"], end);
    }
}

/// AppView pages (feeds, notifications, search, posts), Jetstream events and bare post records.
pub fn bluesky(data: &[u8]) {
    use bluesky::api::{self, FeedItem, Notification, PostView};
    use bluesky::jetstream::{self, Event};
    let Some(answer) = json(data) else { return };
    let handles = HashMap::from([("did:plc:fuzz".to_string(), "fuzz.bsky.social".to_string())]);
    for item in items(&answer) {
        let mut posts = Vec::new();
        if let Some(view) = parsed::<PostView>(item) {
            posts.extend(api::from_post_view(&view, false));
        }
        if let Some(feed_item) = parsed::<FeedItem>(item) {
            posts.extend(api::from_post_view(&feed_item.post, true));
        }
        if let Some(n) = parsed::<Notification>(item) {
            posts.extend(api::from_notification(&n));
        }
        if let Some(ev) = parsed::<Event>(item) {
            posts.extend(jetstream::to_post(&ev, &handles));
        }
        let uri = "at://did:plc:fuzz/app.bsky.feed.post/3kfuzz";
        posts.extend(api::to_incoming(
            uri,
            "cid",
            "",
            None,
            item,
            None,
            Some(now()),
            false,
        ));
        posts.into_iter().for_each(assert_ingested);
    }
}

/// REST pages of statuses and notifications, and streaming frames.
pub fn mastodon(data: &[u8]) {
    use mastodon::api::{self, Notification, Status};
    use mastodon::stream::{Routing, Streamed, interpret};
    if let Ok(frame) = std::str::from_utf8(data) {
        let hashtags = ["MarlowFinch".to_string()];
        let routing = Routing {
            local_domain: "mastodon.example",
            customers: HashMap::from([("priya@hachyderm.io".to_string(), "7".to_string())]),
            hashtags: &hashtags,
        };
        if let Streamed::Post { post, .. } = interpret(frame, &routing) {
            assert_ingested(*post);
        }
    }
    let Some(answer) = json(data) else { return };
    for item in items(&answer) {
        if let Some(status) = parsed::<Status>(item) {
            api::quote_of(&status);
            if let Ok(post) = api::status_to_post(&status, "mastodon.example", false) {
                assert_ingested(post);
            }
        }
        if let Some(status) = parsed::<Notification>(item).and_then(|n| n.status)
            && let Ok(post) = api::status_to_post(&status, "mastodon.example", true)
        {
            assert_ingested(post);
        }
    }
}

/// API v2 pages: posts with their included users and quoted posts.
pub fn x(data: &[u8]) {
    use x::api::{self, Page, Shop};
    let Some(answer) = json(data) else { return };
    let Some(page) = parsed::<Page>(&answer) else {
        return;
    };
    page.user_gone();
    let shop = Shop {
        id: Some("1".into()),
        username: Some("marlowfinch".into()),
    };
    let mut posts: Vec<IncomingPost> = page
        .data
        .iter()
        .filter_map(|p| {
            api::to_post(p, &page.includes.users, &shop, true, false)
                .ok()
                .flatten()
        })
        .collect();
    api::link_quotes(&mut posts, &page.includes.posts, &shop);
    posts.into_iter().for_each(assert_ingested);
}

/// Graph API answers: Facebook posts, comments and ratings, Instagram media and comments, error bodies.
pub fn graph(data: &[u8]) {
    use instagram::map::Found;
    if let Some(error) = std::str::from_utf8(data)
        .ok()
        .and_then(graph::GraphError::parse)
    {
        assert!(!error.detail().is_empty());
        graph::errors::classify(400, &error, None, now());
    }
    let Some(answer) = json(data) else { return };
    for item in items(&answer) {
        facebook::map::from_id(item);
        facebook::map::rating_id(item);
        let mut posts = vec![
            facebook::map::post(item, false, false),
            facebook::map::comment(item, "1_2"),
            facebook::map::rating(item, "marlowfinch"),
            instagram::map::media(item, Found::Tagged),
        ];
        for comment in instagram::map::with_replies(item) {
            posts.push(instagram::map::comment(
                &comment,
                "17",
                Some("https://www.instagram.com/p/x/"),
            ));
        }
        posts.into_iter().flatten().for_each(assert_ingested);
    }
}

/// RSS, Atom and JSON Feed documents after feed-rs: each item once, oldest first.
pub fn rss(data: &[u8]) {
    let Ok(feed) = rss::parse_feed(data) else {
        return;
    };
    let mut cursor = rss::FeedCursor::parse(None);
    let posts = rss::new_posts(&feed, None, "reviews", &mut cursor, now());
    let mut ids = HashSet::new();
    assert!(
        posts.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "not oldest first"
    );
    for post in posts {
        assert!(
            ids.insert(post.native_id.clone()),
            "{} delivered twice",
            post.native_id
        );
        assert_ingested(post);
    }
    assert!(
        rss::new_posts(&feed, None, "reviews", &mut cursor, now()).is_empty(),
        "seen items again"
    );
}

/// The customers CSV through the import's mapping, and database cells through the value readers.
pub fn customers(data: &[u8]) {
    let (delimiter, decimal_comma) = if data.first() == Some(&b';') {
        (b';', true)
    } else {
        (b',', false)
    };
    let config = CustomersConfig::csv_defaults(Origin::Embedded {
        name: "fuzz.csv",
        text: "",
    });
    let amounts = Amounts {
        decimal_comma,
        minor_units: false,
    };
    let today = now().date_naive();
    if let Ok((table, problems)) = regulars::customers::csv::parse(data, "fuzz.csv", delimiter) {
        match regulars::customers::mapping::candidates(
            &table,
            problems,
            &config,
            amounts,
            &Homes::default(),
            today,
        ) {
            Ok(found) => {
                let ids: HashSet<&str> = found.iter().map(|c| c.external_id.as_str()).collect();
                assert_eq!(ids.len(), found.len(), "one customer per id");
            }
            Err(problems) => assert!(!problems.to_string().is_empty()),
        }
    }
    for cell in cells(data) {
        values::text(&cell);
        for minor_units in [false, true] {
            let how = Amounts {
                decimal_comma,
                minor_units,
            };
            if let Ok(Some(minor)) = values::money(&cell, how) {
                assert!(minor >= 0, "{cell:?} read as a negative amount {minor}");
            }
        }
        let _ = (values::date(&cell), values::count(&cell));
    }
    let row = Row {
        place: Place::Row(1),
        cells: cells(data),
    };
    let table = Table {
        columns: (0..row.cells.len()).map(|i| format!("c{i}")).collect(),
        rows: vec![row],
    };
    let _ = regulars::customers::mapping::candidates(
        &table,
        Problems::new("query"),
        &config,
        amounts,
        &Homes::default(),
        today,
    );
}

/// Database cells of every type a driver hands the import, made from the bytes 9 at a time.
fn cells(data: &[u8]) -> Vec<Cell> {
    data.chunks(9)
        .map(|chunk| {
            let (tag, rest) = chunk.split_first().map_or((0, &[][..]), |(t, r)| (*t, r));
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            let n = i64::from_le_bytes(word);
            match tag % 6 {
                0 => Cell::Null,
                1 => Cell::Text(String::from_utf8_lossy(rest).into_owned()),
                2 => Cell::Int(n),
                3 => Cell::Real(f64::from_bits(n as u64)),
                4 => Cell::Date(NaiveDate::from_num_days_from_ce_opt(n as i32).unwrap_or_default()),
                _ => Cell::Time(
                    Utc.timestamp_opt(n % 10_000_000_000, 0)
                        .single()
                        .unwrap_or_default(),
                ),
            }
        })
        .collect()
}

/// The config file (keymap and theme included) and key chords, one per line.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match regulars::config::parse(&text) {
        Ok(config) => {
            let _ = regulars::config::settings(config, None);
        }
        Err(why) => assert!(!why.trim().is_empty(), "an error that says nothing"),
    }
    for line in text.lines() {
        if let Ok(chord) = Chord::parse(line) {
            assert!(!chord.label().is_empty());
            let pressed = Chord::from_event(&KeyEvent::new(chord.code, chord.mods));
            assert_eq!(pressed, chord, "`{line}` can never be pressed");
        }
    }
}

/// Tumblr posts (NPF and legacy) and notes.
pub fn tumblr(data: &[u8]) {
    use tumblr::api::{self, NoteKind, Watched};
    let Some(answer) = json(data) else { return };
    let on = Watched {
        id: "7".into(),
        url: "https://marlowfinch.tumblr.com/post/7".into(),
    };
    for item in items(&answer) {
        if let Some(blocks) = item.get("content").and_then(Value::as_array) {
            api::npf_text(blocks);
        }
        if let Ok(post) = api::post_to_incoming(item, false) {
            assert_ingested(post);
        }
        if let Ok(NoteKind::Reply(post) | NoteKind::Reblog(post)) = api::note_to_incoming(item, &on)
        {
            assert_ingested(post);
        }
    }
}

/// LinkedIn posts and comments.
pub fn linkedin(data: &[u8]) {
    use linkedin::api;
    let Some(answer) = json(data) else { return };
    for item in items(&answer) {
        if let Some(raw) = item.get("commentary").and_then(Value::as_str) {
            assert_drawable(&text::sanitize(&api::commentary_text(raw)));
        }
        let posts = [
            api::post_to_incoming(item, false),
            api::comment_to_incoming(item, true),
        ];
        posts.into_iter().flatten().for_each(assert_ingested);
    }
}

/// Google Business Profile reviews and the shop's replies to them.
pub fn google(data: &[u8]) {
    use google::api::{Place, Review};
    let Some(answer) = json(data) else { return };
    let place = Place::bare("accounts/1", "locations/2");
    for item in items(&answer) {
        let Some(review) = parsed::<Review>(item) else {
            continue;
        };
        let stars = google::map::stars(review.star_rating.as_deref());
        assert!(stars.is_none_or(|s| (1..=5).contains(&s)));
        if let Ok(post) = google::map::review_to_post(&review, &place) {
            assert_ingested(post);
        }
        if let Some(post) = google::map::reply_to_post(&review, &place, "marlowfinch", "v1") {
            assert_ingested(post);
        }
    }
}
