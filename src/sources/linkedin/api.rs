//! LinkedIn Community Management API shapes (Posts API, socialActions comments, organization notifications)
//! and the pure mapping to [`IncomingPost`]. Authors are URNs (`urn:li:person:…`, `urn:li:organization:…`):
//! the versioned API gives no names, so the member URN is the handle customers are matched by.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::domain::{Author, IncomingPost, Network};

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// Epoch milliseconds as LinkedIn sends them.
pub fn millis(v: Option<&Value>) -> Option<i64> {
    v?.as_i64()
}

fn time(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

/// A URN as a path segment or query value: Rest.li 2.0 wants every reserved character encoded
/// (`urn:li:share:1` is `urn%3Ali%3Ashare%3A1`, parentheses and commas too).
pub fn encode(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The web address of a post (a share, ugcPost or activity URN).
pub fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}")
}

/// A comment's URN parts: `urn:li:comment:(<object urn>,<comment id>)`.
pub fn comment_parts(urn: &str) -> Option<(&str, &str)> {
    let inner = urn.strip_prefix("urn:li:comment:(")?.strip_suffix(')')?;
    inner.rsplit_once(',')
}

/// The web address of a comment: its post's, with the comment picked out.
pub fn comment_url(comment_urn: &str) -> Option<String> {
    let (object, _) = comment_parts(comment_urn)?;
    Some(format!(
        "{}?commentUrn={}",
        post_url(object),
        encode(comment_urn)
    ))
}

/// An author as staff see them: the URN is the handle (customers are matched by it); the name, which the
/// API does not give, is the kind of account and its id.
pub fn author(urn: &str) -> Author {
    let display_name = match urn.rsplit_once(':') {
        Some((kind, id)) if kind.ends_with(":organization") => format!("organization {id}"),
        Some((_, id)) => format!("member {id}"),
        None => urn.to_string(),
    };
    Author {
        display_name,
        handle: urn.to_lowercase(),
    }
}

/// A comment (from `socialActions/{urn}/comments`) as a post replying to what it comments on.
pub fn comment_to_incoming(c: &Value, addressed_to_shop: bool) -> Result<IncomingPost, String> {
    let urn = str_field(c, "commentUrn")
        .map(str::to_string)
        .or_else(|| {
            let object = str_field(c, "object")?;
            let id = c.get("id").and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })?;
            Some(format!("urn:li:comment:({object},{id})"))
        })
        .ok_or("a comment without commentUrn")?;
    let actor = str_field(c, "actor").ok_or_else(|| format!("comment {urn}: no actor"))?;
    let created_at = millis(c.pointer("/created/time"))
        .and_then(time)
        .ok_or_else(|| format!("comment {urn}: no created.time"))?;
    let object = str_field(c, "object")
        .or_else(|| comment_parts(&urn).map(|(o, _)| o))
        .unwrap_or("")
        .to_string();
    let parent = str_field(c, "parentComment").map(str::to_string);
    let mut text = c
        .pointer("/message/text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if c.get("content")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
    {
        text = format!("{text}\n[image]").trim().to_string();
    }
    Ok(IncomingPost {
        network: Network::Linkedin,
        native_id: urn.clone(),
        url: comment_url(&urn).or_else(|| Some(post_url(&object))),
        author: author(actor),
        text,
        created_at,
        in_reply_to: Some(parent.clone().unwrap_or_else(|| object.clone())),
        reply_ref: Some(serde_json::json!({ "object": object, "comment": urn, "parent": parent })),
        addressed_to_shop,
        context: false,
        quotes: None,
        rating: None,
    })
}

/// A post (from the Posts API) as an incoming post.
pub fn post_to_incoming(p: &Value, addressed_to_shop: bool) -> Result<IncomingPost, String> {
    let urn = str_field(p, "id").ok_or("a post without id")?;
    let author_urn = str_field(p, "author").ok_or_else(|| format!("post {urn}: no author"))?;
    let created_at = millis(p.get("publishedAt"))
        .or_else(|| millis(p.get("createdAt")))
        .and_then(time)
        .ok_or_else(|| format!("post {urn}: no publishedAt or createdAt"))?;
    let text = str_field(p, "commentary")
        .map(commentary_text)
        .unwrap_or_default();
    Ok(IncomingPost {
        network: Network::Linkedin,
        native_id: urn.to_string(),
        url: Some(post_url(urn)),
        author: author(author_urn),
        text,
        created_at,
        in_reply_to: None,
        reply_ref: Some(serde_json::json!({ "object": urn })),
        addressed_to_shop,
        context: false,
        quotes: None,
        rating: None,
    })
}

/// Post commentary in LinkedIn's "little text" format: mentions as `@[Name](urn:li:organization:1)`,
/// hashtags as `{hashtag|\#|shop}`, and reserved characters escaped with a backslash; read as plain text.
pub fn commentary_text(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            let mut it = rest.chars();
            it.next();
            if let Some(next) = it.next() {
                out.push(next);
                rest = &rest[1 + next.len_utf8()..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("@[")
            && let Some(end) = after.find("](")
            && let Some(close) = after[end..].find(')')
        {
            out.push('@');
            out.push_str(&after[..end]);
            rest = &after[end + close + 1..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("{hashtag|")
            && let Some(close) = after.find('}')
        {
            let tag = after[..close].rsplit('|').next().unwrap_or("");
            out.push('#');
            out.push_str(tag);
            rest = &after[close + 1..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comment_maps_with_member_urn_and_url() {
        let c = json!({
            "actor": "urn:li:person:AbC123", "agent": "urn:li:person:AbC123",
            "commentUrn": "urn:li:comment:(urn:li:activity:7000,7001)",
            "created": {"actor": "urn:li:person:AbC123", "time": 1795341900000_i64},
            "id": "7001", "message": {"text": "My order never arrived", "attributes": []},
            "object": "urn:li:activity:7000"
        });
        let p = comment_to_incoming(&c, true).unwrap();
        assert_eq!(p.native_id, "urn:li:comment:(urn:li:activity:7000,7001)");
        assert_eq!(p.author.handle, "urn:li:person:abc123");
        assert_eq!(p.author.display_name, "member AbC123");
        assert_eq!(p.text, "My order never arrived");
        assert_eq!(p.in_reply_to.as_deref(), Some("urn:li:activity:7000"));
        assert_eq!(
            p.url.as_deref(),
            Some(
                "https://www.linkedin.com/feed/update/urn:li:activity:7000?commentUrn=urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7000%2C7001%29"
            )
        );
        assert_eq!(p.created_at.timestamp(), 1795341900);
        let nested = json!({"actor": "urn:li:person:x", "id": 9, "object": "urn:li:ugcPost:5",
            "parentComment": "urn:li:comment:(urn:li:ugcPost:5,8)", "created": {"time": 1},
            "message": {"text": "same"}, "content": [{"type": "IMAGE"}]});
        let p = comment_to_incoming(&nested, false).unwrap();
        assert_eq!(p.native_id, "urn:li:comment:(urn:li:ugcPost:5,9)");
        assert_eq!(
            p.in_reply_to.as_deref(),
            Some("urn:li:comment:(urn:li:ugcPost:5,8)")
        );
        assert_eq!(p.text, "same\n[image]");
        assert!(
            comment_to_incoming(&json!({"commentUrn": "x"}), false)
                .unwrap_err()
                .contains("actor")
        );
    }

    #[test]
    fn post_commentary_reads_as_text() {
        let p = json!({"id": "urn:li:share:6844", "author": "urn:li:person:Zed",
            "commentary": "Thanks @[Marlow & Finch](urn:li:organization:42) for the ring {hashtag|\\#|rings} \\(finally\\)",
            "publishedAt": 1795341900000_i64, "visibility": "PUBLIC", "lifecycleState": "PUBLISHED"});
        let post = post_to_incoming(&p, true).unwrap();
        assert_eq!(
            post.text,
            "Thanks @Marlow & Finch for the ring #rings (finally)"
        );
        assert_eq!(
            post.url.as_deref(),
            Some("https://www.linkedin.com/feed/update/urn:li:share:6844")
        );
        assert_eq!(
            author("urn:li:organization:42").display_name,
            "organization 42"
        );
    }

    #[test]
    fn urns_are_fully_encoded() {
        assert_eq!(
            encode("urn:li:comment:(urn:li:activity:1,2)"),
            "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A1%2C2%29"
        );
        assert_eq!(
            comment_parts("urn:li:comment:(urn:li:activity:1,2)"),
            Some(("urn:li:activity:1", "2"))
        );
    }
}
