//! How the console keeps up with a full window of posts: one frame drawn, one key handled, one live post taken
//! in, with `state::WINDOW` posts in memory. Baseline for comparison: the same frame with an empty console.

use std::hint::black_box;
use std::sync::Arc;

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regulars::app::{Command, Msg, update};
use regulars::config::{Keymap, Theme, demo};
use regulars::domain::{Author, CustomerId, IncomingPost, Network, Post, PostId};
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::listening::Listening;
use regulars::state::{AppState, WINDOW};
use regulars::triage::Classifier;

/// `WINDOW` posts cycled from the demo texts, triaged for real, a third of them by customers.
fn full_state() -> AppState {
    let settings = demo(5.0);
    let customers = regulars::sources::demo::customers().unwrap_or_default();
    let ingest = Ingest {
        classifier: Arc::new(Classifier::english()),
        matcher: Matcher::new(&Listening::new(&settings.config, &customers)),
    };
    let texts: Vec<String> = regulars::sources::demo::POSTS
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let now = Utc::now();
    let mut state = AppState::new(now, Keymap::defaults(), Theme::default());
    state.customers = customers.iter().map(|c| (c.id, c.clone())).collect();
    let posts: Vec<Post> = (0..WINDOW)
        .map(|i| {
            let incoming = IncomingPost {
                network: Network::Mastodon,
                native_id: format!("b{i}"),
                url: None,
                author: Author {
                    handle: format!("user{i}@example.social"),
                    display_name: String::new(),
                },
                text: texts[i % texts.len()].clone(),
                created_at: now - Duration::minutes(i as i64),
                in_reply_to: None,
                reply_ref: None,
                addressed_to_shop: i % 4 == 0,
                context: false,
                quotes: None,
            };
            let new = ingest.prepare(incoming, now);
            Post {
                id: PostId(i as i64 + 1),
                network: new.incoming.network,
                native_id: new.incoming.native_id,
                url: None,
                author: new.incoming.author,
                text: new.incoming.text,
                created_at: new.incoming.created_at,
                ingested_at: now,
                in_reply_to: None,
                reply_ref: None,
                customer: (i % 3 == 0).then(|| CustomerId((i % customers.len().max(1)) as i64 + 1)),
                is_mention: new.is_mention,
                by_shop: new.by_shop,
                triage: new.triage,
                handled_at: None,
                first_response_at: None,
                context: false,
                quotes: None,
            }
        })
        .collect();
    state.posts.insert(posts);
    state
}

fn bench(c: &mut Criterion) {
    let state = full_state();
    let empty = AppState::new(Utc::now(), Keymap::defaults(), Theme::default());
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    c.bench_function("frame 160x45, empty console (baseline)", |b| {
        b.iter(|| {
            terminal
                .draw(|f| regulars::ui::render(f, black_box(&empty)))
                .unwrap();
        })
    });
    c.bench_function("frame 160x45, 5000 posts", |b| {
        b.iter(|| {
            terminal
                .draw(|f| regulars::ui::render(f, black_box(&state)))
                .unwrap();
        })
    });
    let mut filtered = state.clone();
    filtered.filter.query = "ring".into();
    c.bench_function("frame 160x45, 5000 posts, filter /ring", |b| {
        b.iter(|| {
            terminal
                .draw(|f| regulars::ui::render(f, black_box(&filtered)))
                .unwrap();
        })
    });
    c.bench_function("key j (update only), 5000 posts", |b| {
        let mut s = state.clone();
        b.iter(|| update(&mut s, Msg::Command(black_box(Command::NextPost))))
    });
    c.bench_function("one live post in (update only), 5000 posts", |b| {
        let mut s = state.clone();
        let mut n = 1_000_000;
        let template = state.posts.iter().next().cloned().unwrap();
        b.iter(|| {
            n += 1;
            let mut post = template.clone();
            post.id = PostId(n);
            post.native_id = format!("live{n}");
            update(
                &mut s,
                Msg::Ingested {
                    source: "bench".into(),
                    posts: vec![post],
                },
            )
        })
    });
}

criterion_group! {
    name = console;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(console);
