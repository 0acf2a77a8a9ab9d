//! Facebook Graph objects to posts. Pure. Authors are matched by their Facebook name (what staff know and
//! write in the customers file); the page-scoped id travels in `reply_ref.from_id`.

use serde_json::{Value, json};

use crate::domain::{Author, IncomingPost, Network};
use crate::sources::graph::{parse_time, text_of};

/// Who wrote an object: `from {id, name}`; the API leaves it out where the person's privacy settings (or the
/// token's permissions) do not let the page see them.
fn author(v: &Value) -> (Author, Option<String>) {
    let from = v.get("from");
    let name = from
        .and_then(|f| text_of(f, "name"))
        .map(|s| s.trim().to_string());
    let id = from.and_then(|f| text_of(f, "id")).map(|s| s.into_owned());
    let author = match name.filter(|n| !n.is_empty()) {
        // As `network::Kind::handle` writes a customer's name: spaces collapsed, no case.
        Some(name) => Author {
            handle: name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
            display_name: name,
        },
        None => Author {
            handle: String::new(),
            display_name: "Facebook user".into(),
        },
    };
    (author, id)
}

fn id_of(v: &Value) -> Result<String, String> {
    text_of(v, "id")
        .map(|s| s.into_owned())
        .ok_or_else(|| "an object without an id".to_string())
}

fn time_of(v: &Value, id: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    v.get("created_time")
        .and_then(parse_time)
        .ok_or_else(|| format!("{id}: no readable created_time"))
}

/// The id of whoever wrote `v`, if given.
pub fn from_id(v: &Value) -> Option<String> {
    author(v).1
}

/// A post on (or tagging) the page. `context`: the page's own post, kept for its comments' threads.
pub fn post(v: &Value, addressed_to_shop: bool, context: bool) -> Result<IncomingPost, String> {
    let id = id_of(v)?;
    let created_at = time_of(v, &id)?;
    let (author, from_id) = author(v);
    // A post without a message is a share or a check-in: its `story` says what happened.
    let text = text_of(v, "message")
        .or_else(|| text_of(v, "story"))
        .unwrap_or_default()
        .into_owned();
    Ok(IncomingPost {
        network: Network::Facebook,
        url: text_of(v, "permalink_url").map(|s| s.into_owned()),
        reply_ref: Some(json!({"kind": "post", "target": id, "from_id": from_id})),
        native_id: id,
        author,
        text,
        created_at,
        in_reply_to: None,
        addressed_to_shop,
        context,
        quotes: None,
        rating: None,
    })
}

/// A comment on the page's post `post_id`, or a reply in a comment's thread (`parent`). Replies to it go
/// to the top of its thread: Facebook threads are one level deep.
pub fn comment(v: &Value, post_id: &str) -> Result<IncomingPost, String> {
    let id = id_of(v)?;
    let created_at = time_of(v, &id)?;
    let (author, from_id) = author(v);
    let parent = v
        .get("parent")
        .and_then(|p| text_of(p, "id"))
        .map(|s| s.into_owned());
    Ok(IncomingPost {
        network: Network::Facebook,
        url: text_of(v, "permalink_url").map(|s| s.into_owned()),
        reply_ref: Some(json!({
            "kind": "comment",
            "target": parent.clone().unwrap_or_else(|| id.clone()),
            "from_id": from_id,
        })),
        in_reply_to: Some(parent.unwrap_or_else(|| post_id.to_string())),
        native_id: id,
        author,
        text: text_of(v, "message").unwrap_or_default().into_owned(),
        created_at,
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: None,
    })
}

/// A rating's own id: its story's, or the reviewer and the time (ratings have no id of their own).
pub fn rating_id(v: &Value) -> Option<String> {
    if let Some(id) = v.get("open_graph_story").and_then(|s| text_of(s, "id")) {
        return Some(id.into_owned());
    }
    let t = v.get("created_time").and_then(parse_time)?;
    let who = v
        .get("reviewer")
        .and_then(|r| text_of(r, "id"))
        .unwrap_or(std::borrow::Cow::Borrowed("anonymous"));
    Some(format!("rating:{who}:{}", t.timestamp()))
}

/// A rating or recommendation of the page. The text says whether it recommends the page, so a negative
/// recommendation reads (and triages) as the complaint it is even when its review text is short.
pub fn rating(v: &Value, page: &str) -> Result<IncomingPost, String> {
    let id = rating_id(v).ok_or_else(|| "a rating without a time".to_string())?;
    let created_at = time_of(v, &id)?;
    let review = text_of(v, "review_text")
        .unwrap_or_default()
        .trim()
        .to_string();
    let verdict = match text_of(v, "recommendation_type").as_deref() {
        Some("negative") => format!("Does not recommend {page}, not happy"),
        Some("positive") => format!("Recommends {page}"),
        _ => format!("Rated {page}"),
    };
    // Legacy star ratings (before recommendations, 2018) travel as the post's stars, which triage reads too.
    let stars = v
        .get("rating")
        .and_then(Value::as_u64)
        .filter(|s| (1..=5).contains(s))
        .and_then(|s| u8::try_from(s).ok());
    let text = if review.is_empty() {
        format!("{verdict}.")
    } else {
        format!("{verdict}: {review}")
    };
    let reviewer = v.get("reviewer").cloned().unwrap_or(Value::Null);
    let (author, from_id) = author(&json!({ "from": reviewer }));
    let story = v.get("open_graph_story").and_then(|s| text_of(s, "id"));
    Ok(IncomingPost {
        network: Network::Facebook,
        url: story
            .as_ref()
            .map(|s| format!("https://www.facebook.com/{s}")),
        reply_ref: Some(json!({"kind": "rating", "target": story, "from_id": from_id})),
        native_id: id,
        author,
        text,
        created_at,
        in_reply_to: None,
        addressed_to_shop: true,
        context: false,
        quotes: None,
        rating: stars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_post_and_story_without_message() {
        let p = post(
            &json!({"id": "10_20", "message": "Where is my order?", "created_time": "2026-12-01T10:00:00+0000",
                    "from": {"id": "555", "name": "Ann Lee"}, "permalink_url": "https://www.facebook.com/10/posts/20"}),
            true,
            false,
        )
        .unwrap();
        assert_eq!(p.native_id, "10_20");
        assert_eq!(
            (p.author.handle.as_str(), p.author.display_name.as_str()),
            ("ann lee", "Ann Lee")
        );
        assert_eq!(p.reply_ref.unwrap()["from_id"], "555");
        assert!(p.addressed_to_shop && !p.context);
        let p = post(
            &json!({"id": "1", "story": "Bo checked in at Shop.", "created_time": "2026-12-01T10:00:00+0000"}),
            true,
            false,
        )
        .unwrap();
        assert_eq!(
            (p.text.as_str(), p.author.display_name.as_str()),
            ("Bo checked in at Shop.", "Facebook user")
        );
        assert!(
            post(&json!({"id": "1"}), true, false)
                .unwrap_err()
                .contains("created_time")
        );
    }

    #[test]
    fn comment_and_reply_keep_their_thread() {
        let c = json!({"id": "20_1", "message": "Broken clasp", "created_time": "2026-12-01T10:00:00+0000",
                       "from": {"id": "7", "name": "Cy"}});
        let p = comment(&c, "10_20").unwrap();
        assert_eq!(p.in_reply_to.as_deref(), Some("10_20"));
        assert_eq!(p.reply_ref.unwrap()["target"], "20_1");
        let mut r = c.clone();
        r["id"] = json!("20_2");
        r["parent"] = json!({"id": "20_1"});
        let p = comment(&r, "10_20").unwrap();
        assert_eq!(p.in_reply_to.as_deref(), Some("20_1"));
        assert_eq!(
            p.reply_ref.unwrap()["target"],
            "20_1",
            "replies go to the top of the thread"
        );
    }

    #[test]
    fn ratings_say_whether_they_recommend() {
        let v = json!({"created_time": "2026-12-01T10:00:00+0000", "recommendation_type": "negative",
                       "review_text": "Rude.", "reviewer": {"id": "9", "name": "Di"},
                       "open_graph_story": {"id": "777"}});
        let p = rating(&v, "Marlow & Finch").unwrap();
        assert_eq!(p.native_id, "777");
        assert_eq!(
            p.text,
            "Does not recommend Marlow & Finch, not happy: Rude."
        );
        assert_eq!(p.author.display_name, "Di");
        assert_eq!(p.url.as_deref(), Some("https://www.facebook.com/777"));
        let v = json!({"created_time": "2026-12-01T10:00:00+0000", "recommendation_type": "positive", "rating": 5});
        let p = rating(&v, "the shop").unwrap();
        assert_eq!(
            p.native_id,
            format!("rating:anonymous:{}", p.created_at.timestamp())
        );
        assert_eq!(
            (p.text.as_str(), p.rating),
            ("Recommends the shop.", Some(5))
        );
        assert_eq!(p.reply_ref.unwrap()["target"], Value::Null);
    }
}
