//! The demo workspace is well formed, and its text is already clean: sanitizing it changes
//! nothing (so `sanitize` does not mangle ordinary posts: emoji, accents, Greek, Welsh, Arabic).

use std::collections::{HashMap, HashSet};

use regulars::text::{char_count, grapheme_count, one_line, sanitize};

const POSTS: &str = include_str!("../assets/demo/posts.jsonl");
const CUSTOMERS: &str = include_str!("../assets/demo/customers.csv");

fn posts() -> Vec<serde_json::Value> {
    POSTS
        .lines()
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("posts.jsonl line {}: {e}", n + 1))
        })
        .collect()
}

fn field<'a>(post: &'a serde_json::Value, name: &str) -> &'a str {
    post[name]
        .as_str()
        .unwrap_or_else(|| panic!("{post}: no string field {name}"))
}

#[test]
fn demo_text_is_already_clean() {
    for post in posts() {
        let text = field(&post, "text");
        assert_eq!(sanitize(text), text, "post {}", post["id"]);
        assert_eq!(sanitize(field(&post, "name")), field(&post, "name"));
        assert!(!one_line(text).is_empty());
    }
}

#[test]
fn demo_posts_are_well_formed() {
    let posts = posts();
    assert!((280..=320).contains(&posts.len()), "{} posts", posts.len());
    let mut seen = HashSet::new();
    let mut networks = HashMap::new();
    let mut last_minutes = u64::MAX;
    let mut live = 0;
    for post in &posts {
        let id = field(post, "id");
        assert!(seen.insert(id.to_string()), "duplicate id {id}");
        let network = field(post, "network");
        networks.insert(id.to_string(), network.to_string());
        let author = field(post, "author");
        assert!(!author.starts_with('@'), "{id}: author with a leading @");
        assert_eq!(
            author.contains('@'),
            network == "mastodon",
            "{id}: handle {author} on {network}"
        );
        let text = field(post, "text");
        match network {
            "bluesky" => assert!(grapheme_count(text) <= 300, "{id}: too long for Bluesky"),
            "mastodon" => assert!(char_count(text) <= 500, "{id}: too long for Mastodon"),
            other => panic!("{id}: unknown network {other}"),
        }
        if let Some(parent) = post.get("reply_to") {
            let parent = parent.as_str().unwrap_or_default();
            assert!(
                seen.contains(parent) && parent != id,
                "{id}: reply_to {parent} is not earlier"
            );
            assert_eq!(networks[parent], network, "{id}: reply across networks");
        }
        match post.get("minutes_ago").and_then(|m| m.as_u64()) {
            Some(m) => {
                assert_eq!(live, 0, "{id}: backlog post after a live one");
                assert!(m < last_minutes, "{id}: minutes_ago not descending");
                last_minutes = m;
            }
            None => live += 1,
        }
    }
    assert!(live >= 40, "{live} live posts");
}

#[test]
fn demo_customers_are_well_formed() {
    let mut csv = csv::Reader::from_reader(CUSTOMERS.as_bytes());
    assert_eq!(
        csv.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "external_id",
            "name",
            "email",
            "lifetime_spend",
            "orders",
            "last_purchase",
            "mastodon",
            "bluesky",
            "note"
        ]
    );
    let mut ids = HashSet::new();
    let mut handles = HashSet::new();
    let authors: HashSet<String> = posts()
        .iter()
        .map(|p| field(p, "author").to_string())
        .collect();
    let mut count = 0;
    for record in csv.records() {
        let r = record.unwrap();
        let line = r.iter().collect::<Vec<_>>().join(",");
        let [
            id,
            name,
            email,
            spend,
            orders,
            last,
            mastodon,
            bluesky,
            _note,
        ] = std::array::from_fn(|i| r.get(i).unwrap());
        assert!(ids.insert(id.to_string()), "duplicate id in {line}");
        let spend: f64 = spend.parse().unwrap_or_else(|_| panic!("spend in {line}"));
        assert!(spend > 0.0);
        assert!(email.ends_with("@example.com"), "{line}");
        assert!(orders.parse::<u32>().unwrap() > 0, "{line}");
        assert!(
            chrono::NaiveDate::parse_from_str(last, "%Y-%m-%d").is_ok(),
            "{line}"
        );
        assert!(
            !mastodon.is_empty() || !bluesky.is_empty(),
            "no handle in {line}"
        );
        for handle in [mastodon, bluesky].into_iter().filter(|h| !h.is_empty()) {
            assert!(handles.insert(handle.to_string()), "handle {handle} twice");
        }
        // every customer has at least one post in the demo feed
        assert!(
            authors.contains(mastodon) || authors.contains(bluesky),
            "{name} never posts"
        );
        count += 1;
    }
    assert_eq!(count, 30);
}
