//! A search page on PostgreSQL (not a timed test): a generated store (`regulars bench`'s month of a jeweller's
//! social media, through the real ingest; 100,000 posts by default) in a throwaway cluster. For a rare word, a
//! common one and one matching nothing, in Mentions and Attention: the first page (with the list's count, as
//! the console asks for it) and a deep one (after the 1,000th match, or the middle of fewer), read through the
//! store (median of 5), with every statement the read ran EXPLAIN ANALYZE'd by PostgreSQL's own
//! `auto_explain` (so the plans are those of the store's real SQL).
//!
//! `cargo bench --bench search --profile dev -- [POSTS]`; starts its own cluster.

#[path = "../tests/common/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use regulars::domain::{Anchor, ImportRun, Listing, PostKey, PostQuery, Search};
use regulars::ingest::{Ingest, Matcher};
use regulars::sources::listening::Listening;
use regulars::store::Store;

const PAGE: usize = 50;
const RUNS: usize = 5;
const DATABASE: &str = "search_bench";

fn main() {
    let posts: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let Some(cluster) = postgres::Cluster::start() else {
        return;
    };
    let url = cluster.create_database(DATABASE);
    let began = Instant::now();
    fill(&Store::open_postgres(&url).expect("a store client"), posts);
    cluster.execute(DATABASE, "VACUUM ANALYZE");
    println!(
        "{posts} posts stored and analysed in {:.1?}",
        began.elapsed()
    );
    // Every statement of a session opened from now on is logged with its plan and actual times.
    for setting in [
        "session_preload_libraries = 'auto_explain'",
        "auto_explain.log_min_duration = 0",
        "auto_explain.log_analyze = on",
    ] {
        cluster.admin(&format!("ALTER DATABASE {DATABASE} SET {setting}"));
    }
    let store = Store::open_postgres(&url).expect("a store client");
    let log = cluster.socket_dir().join("server.log");
    for word in ["engraving", "order", "zzqxnothing"] {
        for listing in [Listing::Mentions, Listing::Attention] {
            let query = PostQuery {
                listing,
                search: Search::parse(word, FixedOffset::east_opt(0).expect("UTC"))
                    .expect("a search"),
            };
            let total = page(&store, &query, Anchor::First, true).1.unwrap_or(0);
            println!("\n== {word:?} in {listing:?}: {total} matches");
            let deep = deep_anchor(&store, &query, total);
            // The first page as the console asks for it, with the list's count; a deep one without.
            for (name, anchor, count) in [
                ("first page + count", Anchor::First, true),
                ("deep page", deep, false),
            ] {
                let mut times = Vec::new();
                let mut plans = String::new();
                for _ in 0..RUNS {
                    let seen = std::fs::metadata(&log).map_or(0, |m| m.len());
                    let started = Instant::now();
                    page(&store, &query, anchor, count);
                    times.push(started.elapsed());
                    std::thread::sleep(Duration::from_millis(50)); // the server writes its log
                    plans = logged_since(&log, seen);
                }
                times.sort();
                println!(
                    "-- {name}: {:.2} ms through the store (median of {RUNS}); the statements, as run:\n{plans}",
                    times[RUNS / 2].as_secs_f64() * 1e3
                );
            }
        }
    }
}

/// A page of `query` from `anchor` (with the count when `count`): the keys and the total.
fn page(
    store: &Store,
    query: &PostQuery,
    anchor: Anchor<PostKey>,
    count: bool,
) -> (Vec<PostKey>, Option<u64>) {
    let query = query.clone();
    let page = store
        .call_blocking(move |db| db.posts_page(&query, anchor, PAGE, count))
        .expect("a page");
    (page.rows.iter().map(|(k, _)| *k).collect(), page.total)
}

/// After the 1,000th match, or the middle of fewer (the first page when there are none).
fn deep_anchor(store: &Store, query: &PostQuery, total: u64) -> Anchor<PostKey> {
    let target = (total / 2).min(1_000) as usize;
    let mut keys: Vec<PostKey> = Vec::new();
    while keys.len() <= target {
        let anchor = keys.last().map_or(Anchor::First, |k| Anchor::After(*k));
        let (rows, _) = page(store, query, anchor, false);
        if rows.is_empty() {
            break;
        }
        keys.extend(rows);
    }
    keys.get(target)
        .map_or(Anchor::First, |k| Anchor::After(*k))
}

/// The plans `auto_explain` logged after byte `from` of the server log: each statement's duration, its text
/// (shortened) and its plan.
fn logged_since(log: &std::path::Path, from: u64) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(text.get(from as usize..).unwrap_or_default());
    let mut out = String::new();
    for line in text.lines() {
        if let Some(at) = line.find("duration: ") {
            out.push_str(&format!("   {}\n", &line[at..]));
        } else if let Some(sql) = line.trim_start().strip_prefix("Query Text: ") {
            let short: String = sql.chars().take(150).collect();
            out.push_str(&format!("     {short}...\n"));
        } else if line.starts_with('\t') {
            out.push_str(&format!("     {}\n", line.trim_start_matches('\t')));
        }
    }
    out
}

/// `posts` generated posts, prepared by the real ingest (sanitize, match, triage) and stored in batches.
fn fill(store: &Store, posts: usize) {
    let settings = regulars::config::demo(5.0);
    let made_up = regulars::bench::customers::customers(7, 2_000);
    let run = ImportRun::whole("bench", Utc::now(), &made_up);
    let customers = store
        .call_blocking(move |db| db.import_customers(&run, &made_up))
        .expect("customers imported");
    let listening = Listening::new(&settings.config, &customers);
    let ingest = Ingest::new(
        Arc::new(settings.config.classifier().expect("the classifier")),
        Matcher::new(&listening),
    );
    let now = Utc::now();
    let generated: Vec<_> =
        regulars::bench::generate::Generator::new(7, posts, now, &listening, &customers)
            .map(|p| ingest.prepare(p, now))
            .collect();
    for batch in generated.chunks(1_000) {
        let batch = batch.to_vec();
        store
            .call_blocking(move |db| db.insert_batch("bench", &batch, &[]))
            .expect("a batch stored");
    }
}
