//! A store where the shop's mentions outnumber its customers' posts a thousand to one: the Regulars pane still
//! lists the customers' newest posts, and every pane's count is the store's own COUNT(*) of its definition.

use chrono::{Duration, Utc};
use regulars::domain::{Author, IncomingPost, Network};
use regulars::state::Pane;
use regulars::workspace::Workspace;

const CUSTOMER_POSTS: usize = 20;
const MENTIONS: usize = CUSTOMER_POSTS * 1_000;
/// What the Attention pane lists: complaints and distress, and questions put to the shop.
const ATTENTION: &str =
    "(category IN ('complaint', 'distress') OR (category = 'question' AND is_mention = 1))";

#[tokio::test]
async fn regulars_stay_listed_and_counts_are_true_under_a_flood_of_mentions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("large.db");
    let ws = Workspace::open(regulars::config::demo(5.0), db.clone(), false)
        .await
        .unwrap();
    let ingest = ws.ingest();
    let now = Utc::now();
    let texts = [
        "@marlowfinch still waiting for my order, three weeks now",
        "@marlowfinch love the new window display!",
        "@marlowfinch are you open on Sunday?",
        "@marlowfinch my ring arrived scratched and nobody answers",
    ];
    // The customers' posts are the oldest of all: every mention is newer.
    let mut posts = Vec::new();
    for i in 0..CUSTOMER_POSTS {
        let c = &ws.customers[i % ws.customers.len()];
        let h = &c.handles[0];
        posts.push(IncomingPost {
            network: h.network,
            native_id: format!("c{i}"),
            url: None,
            author: Author {
                handle: h.handle.clone(),
                display_name: c.name.clone(),
            },
            text: format!("a quiet day in the garden, number {i}"),
            created_at: now - Duration::days(30) - Duration::minutes(i as i64),
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: false,
            context: false,
            quotes: None,
            rating: None,
        });
    }
    for i in 0..MENTIONS {
        posts.push(IncomingPost {
            network: Network::Mastodon,
            native_id: format!("m{i}"),
            url: None,
            author: Author {
                handle: format!("stranger{i}@example.social"),
                display_name: String::new(),
            },
            text: texts[i % texts.len()].to_string(),
            created_at: now - Duration::seconds(i as i64 * 60),
            in_reply_to: None,
            reply_ref: None,
            addressed_to_shop: true,
            context: false,
            quotes: None,
            rating: None,
        });
    }
    let prepared: Vec<_> = posts.into_iter().map(|p| ingest.prepare(p, now)).collect();
    assert!(
        prepared[..CUSTOMER_POSTS]
            .iter()
            .all(|p| p.customer.is_some())
    );
    for batch in prepared.chunks(2_000) {
        let batch = batch.to_vec();
        ws.store
            .call(move |db| db.insert_batch("flood", &batch, &[]))
            .await
            .unwrap();
    }

    let state = ws.initial_state(Default::default()).await.unwrap();
    let regulars: Vec<String> = state
        .rows(Pane::Regulars)
        .iter()
        .map(|p| p.native_id.clone())
        .collect();
    assert_eq!(
        regulars,
        (0..CUSTOMER_POSTS)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>(),
        "the customers' posts, newest first"
    );

    // Each pane's count is the database's own count of what the pane is defined to show.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |definition: &str| -> usize {
        conn.query_row(
            &format!("SELECT COUNT(*) FROM posts WHERE {definition}"),
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as usize
    };
    let total = |pane| state.list(pane).unwrap().window.total;
    assert_eq!(total(Pane::Regulars), count("customer_id IS NOT NULL"));
    assert_eq!(total(Pane::Regulars), CUSTOMER_POSTS);
    assert_eq!(total(Pane::Mentions), count("is_mention = 1"));
    assert!(total(Pane::Mentions) >= MENTIONS);
    let open = count(&format!("{ATTENTION} AND handled_at IS NULL"));
    assert!(open > MENTIONS / 4, "{open}");
    assert_eq!(total(Pane::Attention), open);
    assert_eq!(state.to_answer_count(), open);

    // Unread counts are the store's too: every post of the flood arrived unread.
    let unread = |definition: &str| count(&format!("read_at IS NULL AND {definition}"));
    assert_eq!(
        state.reads.unread_in(Pane::Regulars),
        unread("customer_id IS NOT NULL") as u64
    );
    assert_eq!(
        state.reads.unread_in(Pane::Mentions),
        unread("is_mention = 1") as u64
    );
    assert_eq!(
        state.reads.unread_in(Pane::Attention),
        unread(&format!("{ATTENTION} AND handled_at IS NULL")) as u64
    );
    assert_eq!(
        state.reads.total,
        unread(&format!(
            "(customer_id IS NOT NULL OR is_mention = 1 OR ({ATTENTION} AND handled_at IS NULL))"
        )) as u64
    );
    assert!(state.reads.total as usize >= MENTIONS + CUSTOMER_POSTS);
}
