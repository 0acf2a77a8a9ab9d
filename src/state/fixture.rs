//! A small, fixed workspace for update tests and UI snapshots: deterministic time, customers and posts,
//! triaged by the real classifier.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::AppState;
use crate::config::{Keymap, Theme};
use crate::domain::{
    Action, ActionKind, Author, Customer, CustomerId, Draft, DraftState, FollowUp, Handle, Network,
    Post, PostId,
};
use crate::sources::Health;
use crate::triage::Classifier;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

fn customer(id: i64, name: &str, rank: u32, spend: i64, handle: &str) -> Customer {
    Customer {
        id: CustomerId(id),
        external_id: format!("C-{id}"),
        name: name.into(),
        rank,
        lifetime_spend_cents: spend,
        handles: vec![Handle {
            network: Network::Mastodon,
            handle: handle.into(),
        }],
        note: "prefers rose gold".into(),
    }
}

pub fn post(
    id: i64,
    handle: &str,
    customer: Option<i64>,
    mention: bool,
    minutes_ago: i64,
    text: &str,
) -> Post {
    Post {
        id: PostId(id),
        network: Network::Mastodon,
        native_id: format!("n{id}"),
        url: Some(format!("https://mastodon.example/@{handle}/{id}")),
        author: Author {
            handle: handle.into(),
            display_name: String::new(),
        },
        text: text.into(),
        created_at: now() - Duration::minutes(minutes_ago),
        ingested_at: now(),
        in_reply_to: None,
        reply_ref: None,
        customer: customer.map(CustomerId),
        is_mention: mention,
        by_shop: false,
        triage: Classifier::english().classify(text),
        handled_at: None,
        first_response_at: None,
        context: false,
        quotes: None,
    }
}

/// An empty console: no posts, no customers.
pub fn empty() -> AppState {
    AppState::new(now(), Keymap::defaults(), Theme::default())
}

/// A console with a few posts of every kind, a thread, an action, a draft and a follow-up due.
pub fn workspace() -> AppState {
    let mut s = empty();
    s.shop_name = "Marlow & Finch".into();
    s.demo = true;
    for c in [
        customer(1, "Priya Raman", 1, 1_482_000, "priya@hachyderm.io"),
        customer(2, "Tom Okafor", 2, 1_245_075, "tom@mastodon.social"),
        customer(3, "Ada Lind", 9, 41_550, "ada@mas.to"),
    ] {
        s.customers.insert(c.id, c);
    }
    let mut reply = post(
        6,
        "stranger@mstdn.social",
        None,
        false,
        5,
        "same thing happened to me with their engraving",
    );
    reply.in_reply_to = Some("n1".into());
    s.posts.insert([
        post(1, "priya@hachyderm.io", Some(1), true, 40, "@marlowfinch still waiting on my ring resize, it's been 6 weeks and nobody answers the phone. Really disappointed."),
        post(2, "tom@mastodon.social", Some(2), true, 12, "@marlowfinch urgent: stranded in Lisbon and the ring for tomorrow's proposal is stuck in lost luggage. Please help!"),
        post(3, "ada@mas.to", Some(3), false, 90, "Bramble barked at the foxes again at 5am. The foxes remain unbothered."),
        post(4, "newbie@mastodon.social", None, true, 30, "@marlowfinch do you engrave in Greek? What are your Saturday opening hours?"),
        post(5, "fan@mas.to", None, true, 200, "Picked up my necklace from #MarlowFinch today and it is gorgeous, thank you so much!"),
        reply,
    ]);
    s.actions.push(Action {
        id: 1,
        post: Some(PostId(5)),
        customer: None,
        kind: ActionKind::Replied,
        note: "thanked them".into(),
        at: now() - Duration::minutes(100),
        url: None,
    });
    s.drafts.insert(
        PostId(1),
        Draft {
            post: PostId(1),
            text: "Hi Priya, I'm so sorry".into(),
            cursor: (0, 22),
            state: DraftState::Editing,
            idempotency_key: "k1".into(),
            updated_at: now(),
        },
    );
    s.follow_ups.push(FollowUp {
        id: 1,
        post: Some(PostId(3)),
        customer: Some(CustomerId(3)),
        due: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        note: "ask how the repair holds up".into(),
        created_at: now() - Duration::days(3),
        done_at: None,
    });
    s.sources.insert("demo".into(), Health::Live);
    s.unread.insert(PostId(2));
    s
}

/// The console as it is once the runner has started: a Mastodon replier for `@shop@mastodon.example` (its
/// token in a temp file that lives as long as the returned guard).
pub fn with_mastodon_replier(mut s: AppState) -> (AppState, tempfile::TempDir) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "test-token").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cfg = crate::sources::mastodon::MastodonConfig {
        instance: "https://mastodon.example".into(),
        token_env: None,
        token_file: Some(token),
        poll_seconds: 60,
        stream: false,
        keyword_search: false,
    };
    let replier = crate::sources::mastodon::MastodonReplier::new(
        "masto",
        &cfg,
        Some("shop@mastodon.example".into()),
        reqwest::Client::new(),
    )
    .unwrap();
    let repliers: std::collections::HashMap<Network, std::sync::Arc<dyn crate::sources::Replier>> =
        [(Network::Mastodon, std::sync::Arc::new(replier) as _)].into();
    s.preparers = super::Preparers::new(repliers);
    (s, dir)
}
