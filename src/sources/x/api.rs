//! X API v2 answer shapes and the pure mapping to [`IncomingPost`]. X's current description names posts
//! `posts` (`includes.posts`, `referenced_posts`, `edit_history_post_ids`) where older answers say `tweets`:
//! both are read.

use std::cmp::Ordering;

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;

use crate::domain::{Author, IncomingPost, Network, Quote};

/// A page of posts: `data` is absent when nothing matched.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Page {
    #[serde(default)]
    pub data: Vec<Post>,
    #[serde(default)]
    pub includes: Includes,
    #[serde(default)]
    pub meta: Meta,
    /// Partial errors (a referenced post withheld, a user gone) beside whatever data there is.
    #[serde(default)]
    pub errors: Vec<Problem>,
}

impl Page {
    /// Posts read, as X bills them: every post in `data` and in `includes`.
    pub fn reads(&self) -> u64 {
        (self.data.len() + self.includes.posts.len()) as u64
    }

    /// X says the user whose timeline this is does not exist (any more).
    pub fn user_gone(&self) -> bool {
        self.data.is_empty()
            && self.errors.iter().any(|e| {
                e.kind.ends_with("/resource-not-found")
                    && e.resource_type.as_deref() == Some("user")
            })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Includes {
    #[serde(default, alias = "tweets")]
    pub posts: Vec<Post>,
    #[serde(default)]
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub newest_id: Option<String>,
    #[serde(default)]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Problem {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Post {
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub author_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub conversation_id: Option<String>,
    #[serde(default)]
    pub in_reply_to_user_id: Option<String>,
    #[serde(default, alias = "referenced_tweets")]
    pub referenced_posts: Vec<Reference>,
    #[serde(default, alias = "edit_history_tweet_ids")]
    pub edit_history_post_ids: Vec<String>,
    #[serde(default)]
    pub entities: Option<Entities>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// `replied_to`, `quoted` or `retweeted`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entities {
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Mention {
    #[serde(default)]
    pub username: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub name: String,
}

/// `/2/users/by` and `/2/users/me`: one user or many, and who was not found.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Users<T> {
    pub data: Option<T>,
    #[serde(default)]
    pub errors: Vec<Problem>,
}

impl Post {
    fn reference(&self, kind: &str) -> Option<&str> {
        self.referenced_posts
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.id.as_str())
    }

    pub fn replied_to(&self) -> Option<&str> {
        self.reference("replied_to")
    }

    pub fn is_repost(&self) -> bool {
        self.reference("retweeted").is_some()
    }
}

/// X ids are snowflakes: numbers whose order is their time order. Longer is larger.
pub fn cmp_ids(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Milliseconds between the Unix epoch and X's snowflake epoch.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// When a post id was made.
pub fn id_time(id: &str) -> Option<DateTime<Utc>> {
    let n: u64 = id.parse().ok()?;
    let ms = i64::try_from(n >> 22).ok()? + SNOWFLAKE_EPOCH_MS;
    Utc.timestamp_millis_opt(ms).single()
}

/// The smallest id X could give a post made at `t`.
pub fn id_at(t: DateTime<Utc>) -> String {
    let ms = (t.timestamp_millis() - SNOWFLAKE_EPOCH_MS).max(0) as u64;
    (ms << 22).to_string()
}

/// X escapes `&`, `<` and `>` in post text; everything else is plain text.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The web address of a post; X redirects `i/web/status` to the right author when the username is unknown.
pub fn post_url(username: Option<&str>, id: &str) -> String {
    match username {
        Some(u) if !u.is_empty() => format!("https://x.com/{u}/status/{id}"),
        _ => format!("https://x.com/i/web/status/{id}"),
    }
}

/// Who the shop is on X, as far as known: for telling which posts address it.
#[derive(Debug, Clone, Default)]
pub struct Shop {
    pub id: Option<String>,
    /// Lower-case, no `@`.
    pub username: Option<String>,
}

/// Maps one post. `users` are the page's included users; `addressed` is true for the shop's mentions.
/// `None` for reposts (their text is the original's, delivered on its own).
pub fn to_post(
    post: &Post,
    users: &[User],
    shop: &Shop,
    addressed: bool,
    context: bool,
) -> Result<Option<IncomingPost>, String> {
    if post.is_repost() {
        return Ok(None);
    }
    if post.id.is_empty() || !post.id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("post id `{}` is not a number", post.id));
    }
    let created_at = match &post.created_at {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("post {}: created_at `{t}`: {e}", post.id))?,
        None => id_time(&post.id).ok_or_else(|| format!("post {} has no time", post.id))?,
    };
    let author = post
        .author_id
        .as_deref()
        .and_then(|a| users.iter().find(|u| u.id == a));
    let username = author.map(|u| u.username.to_lowercase());
    let mentions_shop = shop.username.as_deref().is_some_and(|s| {
        post.entities
            .iter()
            .flat_map(|e| &e.mentions)
            .any(|m| m.username.eq_ignore_ascii_case(s))
    });
    let replies_to_shop = shop.id.is_some() && post.in_reply_to_user_id == shop.id;
    let quoted = post.reference("quoted");
    Ok(Some(IncomingPost {
        network: Network::X,
        native_id: post.id.clone(),
        url: Some(post_url(username.as_deref(), &post.id)),
        author: Author {
            handle: username.clone().unwrap_or_default(),
            display_name: author.map(|u| u.name.clone()).unwrap_or_default(),
        },
        text: unescape(&post.text),
        created_at,
        in_reply_to: post.replied_to().map(str::to_string),
        reply_ref: Some(serde_json::json!({
            "author_id": post.author_id,
            "conversation_id": post.conversation_id,
            "mentions_shop": addressed || mentions_shop || replies_to_shop,
        })),
        addressed_to_shop: addressed || mentions_shop || replies_to_shop,
        context,
        quotes: quoted.map(|id| Quote {
            native_id: id.to_string(),
            text: None,
        }),
        rating: None,
    }))
}

/// Marks as addressing the shop the posts that quote one of the shop's posts (known from the included
/// posts' authors), and fills in quoted texts from the included posts.
pub fn link_quotes(posts: &mut [IncomingPost], included: &[Post], shop: &Shop) {
    for p in posts.iter_mut() {
        let Some(q) = &mut p.quotes else { continue };
        let Some(original) = included.iter().find(|i| i.id == q.native_id) else {
            continue;
        };
        q.text = Some(unescape(&original.text));
        if shop.id.is_some() && original.author_id == shop.id {
            p.addressed_to_shop = true;
            if let Some(serde_json::Value::Object(r)) = &mut p.reply_ref {
                r.insert("mentions_shop".into(), true.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: serde_json::Value) -> Page {
        serde_json::from_value(body).unwrap()
    }

    fn shop() -> Shop {
        Shop {
            id: Some("100".into()),
            username: Some("shop".into()),
        }
    }

    #[test]
    fn both_namings_read_alike() {
        for (posts, refs, edits) in [
            ("posts", "referenced_posts", "edit_history_post_ids"),
            ("tweets", "referenced_tweets", "edit_history_tweet_ids"),
        ] {
            let p = page(serde_json::json!({
                "data": [{"id": "1460323737035677698", "text": "same &amp; here", "author_id": "7",
                          "created_at": "2026-12-01T10:00:00.000Z",
                          refs: [{"type": "quoted", "id": "1460323737035677000"}], edits: ["1460323737035677698"]}],
                "includes": {posts: [{"id": "1460323737035677000", "text": "ring broke", "author_id": "100"}],
                             "users": [{"id": "7", "username": "Alice_B", "name": "Alice"}]},
                "meta": {"newest_id": "1460323737035677698", "result_count": 1}
            }));
            assert_eq!(p.reads(), 2, "{posts}");
            let mut mapped = vec![
                to_post(&p.data[0], &p.includes.users, &shop(), false, false)
                    .unwrap()
                    .unwrap(),
            ];
            link_quotes(&mut mapped, &p.includes.posts, &shop());
            let m = &mapped[0];
            assert_eq!(m.author.handle, "alice_b");
            assert_eq!(m.text, "same & here");
            assert_eq!(
                m.url.as_deref(),
                Some("https://x.com/alice_b/status/1460323737035677698")
            );
            let q = m.quotes.as_ref().unwrap();
            assert_eq!(q.text.as_deref(), Some("ring broke"));
            assert!(m.addressed_to_shop, "it quotes the shop");
            assert_eq!(p.data[0].edit_history_post_ids.len(), 1);
        }
    }

    #[test]
    fn replies_keep_their_parent_and_reposts_are_left_out() {
        let reply: Post = serde_json::from_value(serde_json::json!({
            "id": "20", "text": "@shop help", "author_id": "9", "in_reply_to_user_id": "100",
            "referenced_tweets": [{"type": "replied_to", "id": "19"}]
        }))
        .unwrap();
        let m = to_post(&reply, &[], &shop(), false, false)
            .unwrap()
            .unwrap();
        assert_eq!(m.in_reply_to.as_deref(), Some("19"));
        assert!(m.addressed_to_shop);
        assert_eq!(m.author.handle, "", "an author X did not include");
        assert_eq!(m.url.as_deref(), Some("https://x.com/i/web/status/20"));
        let repost: Post = serde_json::from_value(serde_json::json!({
            "id": "21", "text": "RT @a: hi", "referenced_posts": [{"type": "retweeted", "id": "3"}]
        }))
        .unwrap();
        assert!(
            to_post(&repost, &[], &shop(), false, false)
                .unwrap()
                .is_none()
        );
        let bad: Post =
            serde_json::from_value(serde_json::json!({"id": "x1", "text": ""})).unwrap();
        assert!(to_post(&bad, &[], &shop(), false, false).is_err());
    }

    #[test]
    fn snowflakes_carry_their_time() {
        let t = id_time("1460323737035677698").unwrap();
        assert_eq!(t.format("%Y-%m-%d").to_string(), "2021-11-15");
        let back = id_at(t);
        assert_eq!(cmp_ids(&back, "1460323737035677698"), Ordering::Less);
        assert_eq!(id_time(&back), Some(t));
        assert_eq!(cmp_ids("99", "100"), Ordering::Less);
    }

    #[test]
    fn a_gone_user_is_told_apart_from_an_empty_page() {
        let gone = page(serde_json::json!({"errors": [{
            "title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found",
            "resource_type": "user", "detail": "Could not find user with id: [5]."}]}));
        assert!(gone.user_gone());
        assert!(!page(serde_json::json!({"meta": {"result_count": 0}})).user_gone());
    }
}
