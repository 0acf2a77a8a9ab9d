//! Tumblr API v2 shapes and the pure mapping to [`IncomingPost`]: posts (Neue Post Format, asked for with
//! `npf=true`, or the legacy HTML formats when a server sends them anyway) and the notes on the shop's posts.

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::{Author, IncomingPost, Network, Quote};
use crate::text::html_to_text;

/// A post id as Tumblr sends it: `id_string` (64-bit ids break JavaScript), else `id` as a number or string.
pub fn post_id(v: &Value) -> Option<String> {
    match v.get("id_string").or_else(|| v.get("id"))? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Unix time in seconds as posts and notes carry it; conversation-mode notes may carry microseconds (or a
/// fraction), so large figures are scaled down.
pub fn seconds(v: Option<&Value>) -> Option<i64> {
    let n = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    let secs = if n > 1e14 {
        n / 1e6
    } else if n > 1e11 {
        n / 1e3
    } else {
        n
    };
    (secs.is_finite() && secs >= 0.0).then_some(secs as i64)
}

fn time(secs: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0).single()
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A blog name as the rest of the console keys it (customers' column, the shop's handle): the registry's
/// handle form (`Alice.tumblr.com` is `alice`), else lower-case.
pub fn blog_key(name: &str) -> String {
    use crate::sources::registry::NetworkKind as _;
    super::network::Kind::handle(name, None)
        .unwrap_or_else(|_| name.trim().trim_start_matches('@').to_lowercase())
}

/// NPF content blocks as text: text blocks as written, links by their URL (and title), media by their alt
/// text or a placeholder, a poll by its question. See tumblr/docs npf-spec.md.
pub fn npf_text(blocks: &[Value]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for b in blocks {
        let line = match b.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" => b.get("text").and_then(Value::as_str).map(str::to_string),
            "link" => {
                let url = str_field(b, "url").unwrap_or("");
                Some(match str_field(b, "title") {
                    Some(t) => format!("{t} ({url})"),
                    None => url.to_string(),
                })
            }
            "image" => Some(match str_field(b, "alt_text") {
                Some(alt) => format!("[image: {alt}]"),
                None => "[image]".into(),
            }),
            "video" => Some("[video]".into()),
            "audio" => Some(match str_field(b, "title") {
                Some(t) => format!("[audio: {t}]"),
                None => "[audio]".into(),
            }),
            "poll" => str_field(b, "question").map(|q| format!("[poll] {q}")),
            _ => None,
        };
        lines.extend(line);
    }
    lines.join("\n").trim().to_string()
}

/// A legacy (pre-NPF) post's text, from the HTML fields its type has, in reading order.
fn legacy_text(p: &Value) -> String {
    let parts: Vec<String> = [
        "title",
        "question",
        "answer",
        "text",
        "body",
        "caption",
        "description",
        "source",
    ]
    .iter()
    .filter_map(|k| str_field(p, k))
    .map(html_to_text)
    .filter(|t| !t.trim().is_empty())
    .collect();
    let text = parts.join("\n");
    match str_field(p, "url") {
        Some(url) if p.get("type").and_then(Value::as_str) == Some("link") => {
            format!("{text}\n{url}").trim().to_string()
        }
        _ => text,
    }
}

/// A post's own words: its NPF `content`, else its legacy fields.
fn own_text(p: &Value) -> String {
    match p.get("content").and_then(Value::as_array) {
        Some(blocks) => npf_text(blocks),
        None => legacy_text(p),
    }
}

/// The reblogged post a reblog comments on: the last item of its NPF `trail`, with that item's text.
fn reblogged(p: &Value) -> Option<Quote> {
    let last = p.get("trail")?.as_array()?.last()?;
    let native_id = last.get("post").and_then(post_id)?;
    let text = last
        .get("content")
        .and_then(Value::as_array)
        .map(|b| npf_text(b))
        .filter(|t| !t.is_empty());
    Some(Quote { native_id, text })
}

/// Maps a post to an incoming post. Pure. `addressed_to_shop`: the source knows the post speaks to the shop.
pub fn post_to_incoming(p: &Value, addressed_to_shop: bool) -> Result<IncomingPost, String> {
    let id = post_id(p).ok_or("a post without an id")?;
    let blog = str_field(p, "blog_name")
        .or_else(|| p.get("blog").and_then(|b| str_field(b, "name")))
        .ok_or_else(|| format!("post {id}: no blog_name"))?;
    let created_at = seconds(p.get("timestamp"))
        .and_then(time)
        .ok_or_else(|| format!("post {id}: no timestamp"))?;
    let title = p.get("blog").and_then(|b| str_field(b, "title"));
    let quotes = reblogged(p);
    let mut text = own_text(p);
    if text.is_empty()
        && let Some(q) = &quotes
    {
        // A reblog without words of its own: what it passes on is what staff read.
        text = q.text.clone().unwrap_or_default();
    }
    // Tags are not in a post's words on Tumblr: staff (and the brand match) read them as hashtags.
    let tags: Vec<String> = p
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(|t| format!("#{t}"))
                .collect()
        })
        .unwrap_or_default();
    if !tags.is_empty() {
        text = format!("{text}\n{}", tags.join(" ")).trim().to_string();
    }
    let handle = blog_key(blog);
    Ok(IncomingPost {
        network: Network::Tumblr,
        native_id: id.clone(),
        url: str_field(p, "post_url")
            .or_else(|| str_field(p, "short_url"))
            .map(str::to_string)
            .or_else(|| Some(web_url(&handle, &id))),
        author: Author {
            display_name: title.unwrap_or(blog).to_string(),
            handle: handle.clone(),
        },
        text,
        created_at,
        in_reply_to: None,
        reply_ref: Some(serde_json::json!({ "blog": handle, "post_id": id })),
        addressed_to_shop,
        context: false,
        quotes,
        rating: None,
    })
}

/// A post's address on the web, for posts that arrive without `post_url`.
pub fn web_url(blog: &str, id: &str) -> String {
    format!("https://www.tumblr.com/{blog}/{id}")
}

/// One of the shop's posts whose notes are read: its id and address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
pub struct Watched {
    pub id: String,
    pub url: String,
}

/// What a conversation-mode note is, as far as staff are concerned.
#[derive(Debug, PartialEq)]
pub enum NoteKind {
    /// A reply: its text is in the note.
    Reply(IncomingPost),
    /// A reblog with added words: a post of its own (`post_id`); its text when the note carries it.
    Reblog(IncomingPost),
    /// Likes, plain reblogs and anything else: nothing to read.
    Other,
}

/// Maps a note on the shop's post `on` (mode `conversation`). Pure. A reply has no id of its own: it is
/// named by the post, its blog and its time, which is how Tumblr lists it.
pub fn note_to_incoming(n: &Value, on: &Watched) -> Result<NoteKind, String> {
    let kind = n.get("type").and_then(Value::as_str).unwrap_or("");
    if !matches!(kind, "reply" | "reblog") {
        return Ok(NoteKind::Other);
    }
    let blog = str_field(n, "blog_name").ok_or("a note without blog_name")?;
    let secs =
        seconds(n.get("timestamp")).ok_or_else(|| format!("note by {blog}: no timestamp"))?;
    let created_at = time(secs).ok_or_else(|| format!("note by {blog}: bad timestamp"))?;
    let handle = blog_key(blog);
    let author = Author {
        display_name: blog.to_string(),
        handle: handle.clone(),
    };
    let post = |native_id: String, url: String, text: String, quotes: Option<Quote>| IncomingPost {
        network: Network::Tumblr,
        native_id,
        url: Some(url),
        author: author.clone(),
        text,
        created_at,
        in_reply_to: quotes.is_none().then(|| on.id.clone()),
        reply_ref: Some(serde_json::json!({ "blog": handle, "post_id": on.id, "note": kind })),
        addressed_to_shop: true,
        context: false,
        quotes,
        rating: None,
    };
    if kind == "reply" {
        let text = str_field(n, "reply_text").unwrap_or("").trim().to_string();
        let raw_time = n.get("timestamp").map(Value::to_string).unwrap_or_default();
        let id = format!("reply:{}:{handle}:{raw_time}", on.id);
        return Ok(NoteKind::Reply(post(id, on.url.clone(), text, None)));
    }
    let added = str_field(n, "added_text")
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let Some(id) = n.get("post_id").and_then(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }) else {
        return Ok(NoteKind::Other);
    };
    let quote = Quote {
        native_id: on.id.clone(),
        text: None,
    };
    Ok(NoteKind::Reblog(post(
        id.clone(),
        web_url(&handle, &id),
        added,
        Some(quote),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn npf_post_maps_with_blocks_as_text() {
        let p = json!({
            "blog_name": "Alice-Knits", "id": 7_000_000_000_000_000_001_u64, "id_string": "7000000000000000001",
            "post_url": "https://alice-knits.tumblr.com/post/7000000000000000001/ring",
            "timestamp": 1795341900, "blog": {"name": "alice-knits", "title": "Alice Knits"},
            "content": [
                {"type": "text", "text": "My ring arrived bent"},
                {"type": "image", "media": [{"url": "https://64.media.tumblr.com/x.jpg"}], "alt_text": "a bent ring"},
                {"type": "image", "media": []},
                {"type": "link", "url": "https://shop.example/order/1", "title": "Order 1"},
                {"type": "unknown-future-block"}
            ],
            "trail": [], "tags": ["marlow finch", "rings"]
        });
        let post = post_to_incoming(&p, false).unwrap();
        assert_eq!(post.native_id, "7000000000000000001");
        assert_eq!(post.author.handle, "alice-knits");
        assert_eq!(post.author.display_name, "Alice Knits");
        assert_eq!(
            post.text,
            "My ring arrived bent\n[image: a bent ring]\n[image]\nOrder 1 (https://shop.example/order/1)\n#marlow finch #rings"
        );
        assert_eq!(post.created_at.timestamp(), 1795341900);
        assert_eq!(
            post.url.as_deref(),
            Some("https://alice-knits.tumblr.com/post/7000000000000000001/ring")
        );
        assert_eq!(post.quotes, None);
    }

    #[test]
    fn reblog_quotes_its_trail_and_legacy_html_becomes_text() {
        let p = json!({
            "blog_name": "bob", "id": 12, "timestamp": 1795341000,
            "content": [],
            "trail": [{"post": {"id": "11"}, "blog": {"name": "carol"},
                       "content": [{"type": "text", "text": "the clasp broke"}]}]
        });
        let post = post_to_incoming(&p, false).unwrap();
        assert_eq!(
            post.text, "the clasp broke",
            "a bare reblog reads as what it passes on"
        );
        assert_eq!(
            post.quotes,
            Some(Quote {
                native_id: "11".into(),
                text: Some("the clasp broke".into())
            })
        );
        assert_eq!(
            post.url.as_deref(),
            Some("https://www.tumblr.com/bob/12"),
            "no post_url: the web address"
        );
        let legacy = json!({
            "blog_name": "dora", "id_string": "13", "timestamp": 1795341000, "type": "text",
            "title": "Help", "body": "<p>My order is <b>late</b> &amp; wrong</p>"
        });
        assert_eq!(
            post_to_incoming(&legacy, false).unwrap().text,
            "Help\nMy order is late & wrong"
        );
        let no_time = json!({"blog_name": "x", "id": 1});
        assert!(
            post_to_incoming(&no_time, false)
                .unwrap_err()
                .contains("post 1")
        );
    }

    #[test]
    fn notes_replies_and_reblogs_with_words_only() {
        let on = Watched {
            id: "500".into(),
            url: "https://shop.tumblr.com/post/500".into(),
        };
        let reply = json!({"type": "reply", "timestamp": 1795341900, "blog_name": "Eve",
            "reply_text": "does this come in silver?"});
        let NoteKind::Reply(r) = note_to_incoming(&reply, &on).unwrap() else {
            panic!()
        };
        assert_eq!(r.native_id, "reply:500:eve:1795341900");
        assert_eq!(r.text, "does this come in silver?");
        assert_eq!(r.in_reply_to.as_deref(), Some("500"));
        assert_eq!(r.url.as_deref(), Some("https://shop.tumblr.com/post/500"));
        assert!(r.addressed_to_shop);
        let reblog = json!({"type": "reblog", "timestamp": 1795341901, "blog_name": "fay",
            "post_id": "9001", "added_text": "never buying here again"});
        let NoteKind::Reblog(b) = note_to_incoming(&reblog, &on).unwrap() else {
            panic!()
        };
        assert_eq!(
            (b.native_id.as_str(), b.text.as_str()),
            ("9001", "never buying here again")
        );
        assert_eq!(b.quotes.unwrap().native_id, "500");
        assert_eq!(b.url.as_deref(), Some("https://www.tumblr.com/fay/9001"));
        let like = json!({"type": "like", "timestamp": 1795341902, "blog_name": "gus"});
        assert_eq!(note_to_incoming(&like, &on).unwrap(), NoteKind::Other);
        assert!(note_to_incoming(&json!({"type": "reply", "blog_name": "h"}), &on).is_err());
    }

    #[test]
    fn times_in_every_precision() {
        assert_eq!(seconds(Some(&json!(1795341900))), Some(1795341900));
        assert_eq!(
            seconds(Some(&json!(1795341900.123456_f64))),
            Some(1795341900)
        );
        assert_eq!(
            seconds(Some(&json!(1795341900123456_i64))),
            Some(1795341900)
        );
        assert_eq!(seconds(Some(&json!("1795341900"))), Some(1795341900));
        assert_eq!(seconds(Some(&json!(null))), None);
    }
}
