//! Triage on the demo's own stories: each demo post carries the category its story means it to have
//! (`category` in `assets/demo/posts.jsonl`, labelled by reading the stories, not from triage's answers).
//! Through the console's own path (the demo workspace's ingest, the store, the Attention listing), every
//! complaint, distress and crisis story is in Attention but the ones [`KNOWN_MISSES`] names, and the share of
//! posts getting their category does not fall below [`AGREEMENT_FLOOR`].

use std::collections::HashMap;

use chrono::{Duration, Utc};
use regulars::domain::{Anchor, Author, IncomingPost, Listing, Network, PostQuery};
use regulars::triage::Category;
use regulars::workspace::Workspace;

const POSTS: &str = include_str!("../assets/demo/posts.jsonl");

/// Complaint stories triage still misses. d071 explains an engraving mistake with no problem word ("the
/// numbers swapped... not a typo on a mug"); fixing it takes knowing what a date on a ring is for.
const KNOWN_MISSES: &[&str] = &["d071"];

/// Posts (of 300) getting the category their story intends: 289 (218 before issue 20, 230, 263 and 280 after
/// its first fixes; then quoted words in a regular's life being someone else's, a run of "!!!" as joy, a gift
/// worn every day as loved, "alive" and "how to clean" as facts and tasks, "net positive" as weighing up, and
/// "whoever says X" as a claim denied). Of the rest: the line between praise and neutral in everyday chatter
/// (a wry "I need... a hug", a "✨" on a plain update, coffee and sunshine before a grumble, "lol don't go
/// there... maybe it's worth it", sympathy that "hopes they sort it"); praise whose good news is told through
/// the problem it solved ("Forty years of washing-up gunk, gone... again 🥲"), through stock ("had Welsh gold
/// in stock") or a recommendation in an if-clause ("If you've got a ring that doesn't fit... go to"); a
/// rhetorical "there is no answer"; a thank-you that is also still a hard time.
const AGREEMENT_FLOOR: usize = 289;

struct Story {
    incoming: IncomingPost,
    intended: Category,
}

fn stories() -> Vec<Story> {
    let now = Utc::now();
    POSTS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("posts.jsonl line {}: {e}", n + 1));
            let text = |f: &str| v[f].as_str().unwrap_or_default().to_string();
            let network: Network = serde_json::from_value(v["network"].clone()).unwrap();
            let intended = Category::parse(&text("category"))
                .unwrap_or_else(|| panic!("posts.jsonl line {}: no category", n + 1));
            Story {
                incoming: IncomingPost {
                    network,
                    native_id: text("id"),
                    url: None,
                    author: Author {
                        handle: text("author"),
                        display_name: text("name"),
                    },
                    text: text("text"),
                    created_at: now - Duration::minutes(v["minutes_ago"].as_i64().unwrap_or(0)),
                    in_reply_to: v["reply_to"].as_str().map(String::from),
                    reply_ref: None,
                    addressed_to_shop: false,
                    context: false,
                    quotes: None,
                    rating: None,
                },
                intended,
            }
        })
        .collect()
}

#[tokio::test]
async fn the_demo_stories_get_their_intended_category_and_problems_reach_attention() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(regulars::config::demo(5.0), dir.path().join("r.db"), false)
        .await
        .unwrap();
    let ingest = ws.ingest();
    let stories = stories();
    let intended: HashMap<String, Category> = stories
        .iter()
        .map(|s| (s.incoming.native_id.clone(), s.intended))
        .collect();
    let prepared: Vec<_> = stories
        .into_iter()
        .map(|s| ingest.prepare(s.incoming, Utc::now()))
        .collect();
    let total = prepared.len();
    let stored = ws
        .store
        .call(move |db| db.insert_batch("demo", &prepared, &[]))
        .await
        .unwrap();
    let attention = ws
        .store
        .call(|db| {
            let query = PostQuery {
                listing: Listing::Attention,
                search: Default::default(),
            };
            db.posts_page(&query, Anchor::First, 10_000, false)
        })
        .await
        .unwrap();
    let in_attention: std::collections::HashSet<String> = attention
        .rows
        .iter()
        .map(|(_, p)| p.native_id.clone())
        .collect();

    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for post in &stored {
        let want = intended[&post.native_id];
        if post.triage.category != want {
            let cues: Vec<String> = post
                .triage
                .reasons
                .iter()
                .map(|r| r.cue(&post.text))
                .collect();
            wrong.push(format!(
                "{} meant {} got {} ({:.2}): {}\n    [{}]",
                post.native_id,
                want.as_str(),
                post.triage.category.as_str(),
                post.triage.score,
                post.text,
                cues.join("; ")
            ));
        }
        if want.needs_attention()
            && !in_attention.contains(&post.native_id)
            && !KNOWN_MISSES.contains(&post.native_id.as_str())
        {
            missed.push(format!("{}: {}", post.native_id, post.text));
        }
    }
    let agree = total - wrong.len();
    eprintln!("{agree}/{total} agree\n{}", wrong.join("\n"));
    assert!(
        missed.is_empty(),
        "complaint or distress stories not in Attention:\n{}",
        missed.join("\n")
    );
    for known in KNOWN_MISSES {
        assert!(
            !in_attention.contains(*known),
            "{known} now reaches Attention: take it off KNOWN_MISSES"
        );
    }
    assert!(
        agree >= AGREEMENT_FLOOR,
        "{agree} of {total} demo posts get the category their story intends:\n{}",
        wrong.join("\n")
    );
}
