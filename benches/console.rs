//! The console's own costs once its panes are loaded from a store of 20,000 triaged posts: one frame drawn, one
//! key handled, one live post placed. Baseline for comparison: the same frame with an empty console. (The
//! million-post figures, store reads included, come from `regulars bench`.)

use std::hint::black_box;
use std::sync::Arc;

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regulars::app::{Command, Effect, Msg, update};
use regulars::config::{Keymap, Theme, demo};
use regulars::domain::{Author, IncomingPost, Network, PostId};
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::listening::Listening;
use regulars::state::AppState;
use regulars::store::Store;
use regulars::triage::Classifier;

const POSTS: usize = 20_000;

/// A store of demo texts cycled, triaged for real, a third by customers, a quarter mentions; the console's
/// state loaded from it as it opens.
fn loaded_state(runtime: &tokio::runtime::Runtime) -> AppState {
    let settings = demo(5.0);
    let customers = regulars::sources::demo::customers().unwrap_or_default();
    let texts: Vec<String> = regulars::sources::demo::POSTS
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    runtime.block_on(async {
        let store = Store::open_in_memory().unwrap();
        let list = customers.clone();
        let customers = store
            .call(move |db| {
                let run = regulars::domain::ImportRun::whole("bench", chrono::Utc::now(), &list);
                db.import_customers(&run, &list)
            })
            .await
            .unwrap();
        let ingest = Ingest::new(
            Arc::new(Classifier::english()),
            Matcher::new(&Listening::new(&settings.config, &customers)),
        );
        let now = Utc::now();
        let posts: Vec<_> = (0..POSTS)
            .map(|i| {
                let handle = match customers.get(i % 90).filter(|_| i % 3 == 0) {
                    Some(c) => c.handles[0].handle.clone(),
                    None => format!("user{i}@example.social"),
                };
                let incoming = IncomingPost {
                    network: Network::Mastodon,
                    native_id: format!("b{i}"),
                    url: None,
                    author: Author {
                        handle,
                        display_name: String::new(),
                    },
                    text: texts[i % texts.len()].clone(),
                    created_at: now - Duration::minutes(i as i64),
                    in_reply_to: None,
                    reply_ref: None,
                    addressed_to_shop: i % 4 == 0,
                    context: false,
                    quotes: None,
                    rating: None,
                };
                ingest.prepare(incoming, now)
            })
            .collect();
        store
            .call(move |db| db.insert_batch("bench", &posts, &[]))
            .await
            .unwrap();
        let mut state = AppState::new(now, Keymap::defaults(), Theme::default());
        state.customers = customers.into_iter().map(|c| (c.id, c)).collect();
        regulars::loader::settle(&store, &mut state).await.unwrap();
        state
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let state = loaded_state(&runtime);
    let empty = AppState::new(Utc::now(), Keymap::defaults(), Theme::default());
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    c.bench_function("frame 160x45, empty console (baseline)", |b| {
        b.iter(|| {
            terminal
                .draw(|f| regulars::ui::render(f, black_box(&empty)))
                .unwrap();
        })
    });
    c.bench_function("frame 160x45, panes loaded", |b| {
        b.iter(|| {
            terminal
                .draw(|f| regulars::ui::render(f, black_box(&state)))
                .unwrap();
        })
    });
    c.bench_function("key j (update only), panes loaded", |b| {
        let mut s = state.clone();
        b.iter(|| {
            let effects = update(&mut s, Msg::Command(black_box(Command::NextPost)));
            // Reads it asks for are left unanswered: this is the console's own cost.
            if effects.iter().any(|e| matches!(e, Effect::Load(_))) {
                s = state.clone();
            }
        })
    });
    c.bench_function("one live post placed (update only), panes loaded", |b| {
        let mut s = state.clone();
        let template = s.rows(regulars::state::Pane::Mentions)[0].clone();
        let mut n = 1_000_000;
        b.iter(|| {
            n += 1;
            let mut post = template.clone();
            post.id = PostId(n);
            post.native_id = format!("live{n}");
            post.created_at = Utc::now();
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
