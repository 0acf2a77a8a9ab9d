//! Instagram Graph objects to posts. Pure. People are their usernames (lower-case, no `@`).

use serde_json::{Value, json};

use crate::domain::{Author, IncomingPost, Network};
use crate::sources::graph::{parse_time, text_of};

fn username(v: &Value) -> String {
    text_of(v, "username")
        .or_else(|| v.get("from").and_then(|f| text_of(f, "username")))
        .map(|u| u.trim().trim_start_matches('@').to_lowercase())
        .unwrap_or_default()
}

fn base(v: &Value) -> Result<(String, chrono::DateTime<chrono::Utc>), String> {
    let id = text_of(v, "id")
        .ok_or("an object without an id")?
        .into_owned();
    let t = v
        .get("timestamp")
        .and_then(parse_time)
        .ok_or_else(|| format!("{id}: no readable timestamp"))?;
    Ok((id, t))
}

fn author(handle: String) -> Author {
    Author {
        display_name: if handle.is_empty() {
            "Instagram user".into()
        } else {
            format!("@{handle}")
        },
        handle,
    }
}

/// A comment and its replies as separate items, each reply knowing its parent.
pub fn with_replies(comment: &Value) -> Vec<Value> {
    let mut items = vec![comment.clone()];
    let parent = comment.get("id").cloned().unwrap_or(Value::Null);
    if let Some(replies) = comment
        .get("replies")
        .and_then(|r| r.get("data"))
        .and_then(Value::as_array)
    {
        for r in replies {
            let mut r = r.clone();
            if r.get("parent_id").is_none() {
                r["parent_id"] = parent.clone();
            }
            items.push(r);
        }
    }
    items
}

/// A comment on the shop's medium `media_id`, or a reply to one (`parent_id`). Replies go to the top
/// comment: Instagram threads are one level deep.
pub fn comment(v: &Value, media_id: &str, media_url: Option<&str>) -> Result<IncomingPost, String> {
    let (id, created_at) = base(v)?;
    let parent = text_of(v, "parent_id").map(|s| s.into_owned());
    Ok(IncomingPost {
        network: Network::Instagram,
        url: media_url.map(str::to_string),
        reply_ref: Some(
            json!({"kind": "comment", "target": parent.clone().unwrap_or_else(|| id.clone())}),
        ),
        in_reply_to: Some(parent.unwrap_or_else(|| media_id.to_string())),
        native_id: id,
        author: author(username(v)),
        text: text_of(v, "text").unwrap_or_default().into_owned(),
        created_at,
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: None,
    })
}

/// Where a medium came from: the shop's own (context for comments), tagging the shop, or a hashtag search
/// (which the API does not let anyone comment on, and gives without its author).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Own,
    Tagged,
    Hashtag,
}

pub fn media(v: &Value, found: Found) -> Result<IncomingPost, String> {
    let (id, created_at) = base(v)?;
    let kind = match found {
        Found::Hashtag => "hashtag",
        Found::Own | Found::Tagged => "media",
    };
    Ok(IncomingPost {
        network: Network::Instagram,
        url: text_of(v, "permalink").map(|s| s.into_owned()),
        reply_ref: Some(json!({"kind": kind, "target": id})),
        native_id: id,
        author: author(username(v)),
        text: text_of(v, "caption").unwrap_or_default().into_owned(),
        created_at,
        in_reply_to: None,
        addressed_to_shop: found == Found::Tagged,
        context: found == Found::Own,
        quotes: None,
        rating: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_nested_replies() {
        let c = json!({"id": "c1", "text": "Love it", "timestamp": "2026-12-01T10:00:00+0000",
                       "username": "Ann.Lee", "replies": {"data": [
                           {"id": "r1", "text": "Mine broke", "timestamp": "2026-12-01T11:00:00+0000",
                            "from": {"id": "9", "username": "bo"}}]}});
        let items = with_replies(&c);
        assert_eq!(items.len(), 2);
        let top = comment(&items[0], "m1", Some("https://www.instagram.com/p/X/")).unwrap();
        assert_eq!(
            (top.author.handle.as_str(), top.in_reply_to.as_deref()),
            ("ann.lee", Some("m1"))
        );
        assert_eq!(top.url.as_deref(), Some("https://www.instagram.com/p/X/"));
        let reply = comment(&items[1], "m1", None).unwrap();
        assert_eq!(
            (reply.author.handle.as_str(), reply.in_reply_to.as_deref()),
            ("bo", Some("c1"))
        );
        assert_eq!(reply.reply_ref.unwrap()["target"], "c1");
        assert!(
            comment(&json!({"id": "x"}), "m", None)
                .unwrap_err()
                .contains("timestamp")
        );
    }

    #[test]
    fn media_by_where_it_was_found() {
        let m = json!({"id": "m2", "caption": "#marlowfinch ring", "timestamp": "2026-12-01T10:00:00+0000",
                       "permalink": "https://www.instagram.com/p/Y/"});
        let p = media(&m, Found::Hashtag).unwrap();
        assert_eq!(
            (p.author.display_name.as_str(), p.author.handle.as_str()),
            ("Instagram user", "")
        );
        assert_eq!(p.reply_ref.unwrap()["kind"], "hashtag");
        assert!(!p.addressed_to_shop && !p.context);
        assert!(media(&m, Found::Tagged).unwrap().addressed_to_shop);
        assert!(media(&m, Found::Own).unwrap().context);
    }
}
