//! Mastodon API shapes (as Mastodon, Pleroma/Akkoma and GoToSocial send them) and the pure mapping to
//! [`IncomingPost`]. Every optional field is `#[serde(default)]`: servers differ in what they leave out.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::domain::{Author, IncomingPost, Network, Quote};

/// An id as servers send it: Mastodon and GoToSocial use strings, a few forks send numbers.
pub(crate) fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, found {other}"
        ))),
    }
}

fn opt_id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// `null` where a string is documented (Pleroma sends `"spoiler_text": null` at times).
fn null_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A timestamp with `Z` or an offset, with or without fractions, or with no zone at all (read as UTC).
pub fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Account {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default, deserialize_with = "null_string")]
    pub username: String,
    /// `user` for local accounts, `user@domain` for remote ones.
    #[serde(default, deserialize_with = "null_string")]
    pub acct: String,
    #[serde(default, deserialize_with = "null_string")]
    pub display_name: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Tag {
    #[serde(default, deserialize_with = "null_string")]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub account: Account,
    #[serde(default, deserialize_with = "null_string")]
    pub content: String,
    #[serde(default, deserialize_with = "null_string")]
    pub spoiler_text: String,
    #[serde(default, deserialize_with = "null_string")]
    pub created_at: String,
    #[serde(default, deserialize_with = "opt_id_string")]
    pub in_reply_to_id: Option<String>,
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub reblog: Option<Box<Status>>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Mastodon 4.5+: `{"state", "quoted_status"}` or `{"state", "quoted_status_id"}`; Akkoma: the quoted status.
    #[serde(default)]
    pub quote: Option<serde_json::Value>,
    /// Pleroma: the quoted status's id.
    #[serde(default, deserialize_with = "opt_id_string")]
    pub quote_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Notification {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(rename = "type", default, deserialize_with = "null_string")]
    pub kind: String,
    #[serde(default)]
    pub status: Option<Status>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchResults {
    #[serde(default)]
    pub statuses: Vec<serde_json::Value>,
}

/// The parts of `/api/v2/instance` we use.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Instance {
    /// The domain in handles (may differ from the web/API host).
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub configuration: InstanceConfiguration,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstanceConfiguration {
    #[serde(default)]
    pub urls: InstanceUrls,
    #[serde(default)]
    pub statuses: InstanceStatuses,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstanceUrls {
    #[serde(default)]
    pub streaming: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstanceStatuses {
    #[serde(default)]
    pub max_characters: Option<usize>,
}

pub const DEFAULT_CHAR_LIMIT: usize = 500;

/// One frame of the streaming API: `payload` is itself JSON, sent as a string (some servers send an object).
#[derive(Debug, Clone, Deserialize)]
pub struct StreamFrame {
    #[serde(default)]
    pub stream: Vec<String>,
    #[serde(default, deserialize_with = "null_string")]
    pub event: String,
    #[serde(default)]
    pub payload: Option<serde_json::Value>,
}

impl StreamFrame {
    /// The payload as JSON, unwrapping the string Mastodon puts it in.
    pub fn payload_json(&self) -> Option<serde_json::Value> {
        match self.payload.as_ref()? {
            serde_json::Value::String(s) => serde_json::from_str(s).ok(),
            other => Some(other.clone()),
        }
    }
}

/// Orders ids as the server does: Mastodon's numeric snowflakes by value, Pleroma flake ids and
/// GoToSocial ULIDs (fixed-width, sortable) as text.
pub fn cmp_ids(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

pub fn newer(id: &str, than: Option<&str>) -> bool {
    than.is_none_or(|c| cmp_ids(id, c) == Ordering::Greater)
}

pub fn max_id<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    ids.into_iter().max_by(|a, b| cmp_ids(a, b))
}

/// `acct` as a full `user@domain` handle, no leading `@`, lowercased domain.
pub fn normalize_acct(acct: &str, local_domain: &str) -> String {
    let acct = acct.trim().trim_start_matches('@');
    match acct.split_once('@') {
        Some((user, domain)) => format!("{user}@{}", domain.to_ascii_lowercase()),
        None => format!("{acct}@{}", local_domain.to_ascii_lowercase()),
    }
}

/// The status to show for `status`: a boost stands for the boosted status.
pub fn shown(status: &Status) -> &Status {
    status.reblog.as_deref().unwrap_or(status)
}

/// What a status quotes: the quoted status (its id and text) when the server sent it along, else its id.
pub fn quote_of(status: &Status) -> Option<Quote> {
    let id = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let full = |v: &serde_json::Value| {
        Some(Quote {
            native_id: id(v.get("id")?)?,
            text: v
                .get("content")
                .and_then(|c| c.as_str())
                .map(crate::text::html_to_text),
        })
    };
    match &status.quote {
        Some(q) => match (q.get("quoted_status"), q.get("quoted_status_id")) {
            (Some(st), _) if st.is_object() => full(st),
            (_, Some(qid)) => id(qid).map(|native_id| Quote {
                native_id,
                text: None,
            }),
            _ => full(q),
        },
        None => status.quote_id.clone().map(|native_id| Quote {
            native_id,
            text: None,
        }),
    }
}

/// Maps a status (a boost maps to the boosted status) to a post. Pure. Errors name what is missing.
pub fn status_to_post(
    status: &Status,
    local_domain: &str,
    addressed_to_shop: bool,
) -> Result<IncomingPost, String> {
    let s = shown(status);
    let created_at = parse_time(&s.created_at)
        .ok_or_else(|| format!("status {}: bad created_at `{}`", s.id, s.created_at))?;
    let mut acct = s.account.acct.clone();
    if acct.is_empty() {
        acct = s.account.username.clone();
    }
    if acct.is_empty() {
        return Err(format!("status {}: account has no acct", s.id));
    }
    let handle = normalize_acct(&acct, local_domain);
    let body = crate::text::html_to_text(&s.content);
    let text = if s.spoiler_text.trim().is_empty() {
        body
    } else {
        format!("CW: {}\n{body}", s.spoiler_text.trim())
    };
    let visibility = s.visibility.clone().unwrap_or_else(|| "public".into());
    Ok(IncomingPost {
        network: Network::Mastodon,
        native_id: s.id.clone(),
        url: s.url.clone().or_else(|| s.uri.clone()),
        author: Author {
            display_name: if s.account.display_name.trim().is_empty() {
                s.account.username.clone()
            } else {
                s.account.display_name.clone()
            },
            handle: handle.clone(),
        },
        text,
        created_at,
        in_reply_to: s.in_reply_to_id.clone(),
        reply_ref: Some(serde_json::json!({ "visibility": visibility, "acct": handle })),
        addressed_to_shop,
        context: false,
        quotes: quote_of(s),
        rating: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: serde_json::Value) -> Status {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn mastodon_status_maps_with_clean_text() {
        let s = status(serde_json::json!({
            "id": "109", "uri": "https://x.example/users/al/statuses/109",
            "url": "https://x.example/@al/109", "created_at": "2026-11-22T10:00:00.123Z",
            "account": {"id": "7", "username": "al", "acct": "al", "display_name": "Al"},
            "content": "<p>My order is <b>late</b> &amp; wrong <a href=\"https://x.example/tags/shop\" class=\"mention hashtag\">#<span>shop</span></a></p>",
            "spoiler_text": "", "visibility": "unlisted", "in_reply_to_id": "100"
        }));
        let p = status_to_post(&s, "X.example", false).unwrap();
        assert_eq!(p.native_id, "109");
        assert_eq!(p.author.handle, "al@x.example");
        assert_eq!(p.author.display_name, "Al");
        assert_eq!(p.text, "My order is late & wrong #shop");
        assert_eq!(p.url.as_deref(), Some("https://x.example/@al/109"));
        assert_eq!(p.in_reply_to.as_deref(), Some("100"));
        assert_eq!(p.created_at.timestamp_millis() % 1000, 123);
        assert_eq!(
            p.reply_ref,
            Some(serde_json::json!({"visibility": "unlisted", "acct": "al@x.example"}))
        );
        assert!(!p.addressed_to_shop);
    }

    #[test]
    fn content_warning_is_first_line_and_boost_maps_to_original() {
        let s = status(serde_json::json!({
            "id": "200", "created_at": "2026-11-22T10:00:00Z",
            "account": {"id": "7", "acct": "booster"}, "content": "",
            "reblog": {
                "id": "150", "created_at": "2026-11-21T09:00:00Z", "url": null,
                "uri": "https://far.example/s/150",
                "account": {"id": "9", "username": "bo", "acct": "bo@Far.Example", "display_name": ""},
                "content": "<p>hello</p>", "spoiler_text": "food", "visibility": "direct"
            }
        }));
        let p = status_to_post(&s, "x.example", true).unwrap();
        assert_eq!(p.native_id, "150");
        assert_eq!(p.author.handle, "bo@far.example");
        assert_eq!(p.author.display_name, "bo");
        assert_eq!(p.text, "CW: food\nhello");
        assert_eq!(p.url.as_deref(), Some("https://far.example/s/150"));
        assert_eq!(p.reply_ref.unwrap()["visibility"], "direct");
        assert!(p.addressed_to_shop);
    }

    #[test]
    fn pleroma_and_gotosocial_variations() {
        // Pleroma: nulls where strings are documented, `+00:00` offsets, extra `pleroma` objects.
        let s = status(serde_json::json!({
            "id": "AbCdEf123", "created_at": "2026-11-22T10:00:00.000+00:00",
            "account": {"id": "AbC", "username": "pl", "acct": "pl", "display_name": null},
            "content": "hi<br/>there", "spoiler_text": null, "in_reply_to_id": null,
            "pleroma": {"local": true}
        }));
        let p = status_to_post(&s, "pl.example", false).unwrap();
        assert_eq!(p.author.handle, "pl@pl.example");
        assert_eq!(p.text, "hi\nthere");
        assert_eq!(p.in_reply_to, None);
        assert_eq!(p.reply_ref.unwrap()["visibility"], "public");
        // GoToSocial: ULIDs, no zone on the timestamp, no visibility, no tags.
        let s = status(serde_json::json!({
            "id": "01HQ8T2V0000000000000000AA", "created_at": "2026-11-22T10:00:00",
            "account": {"id": "01HQ", "acct": "gts@gts.example"}, "content": "<p>plain</p>"
        }));
        let p = status_to_post(&s, "x", false).unwrap();
        assert_eq!(p.created_at.to_rfc3339(), "2026-11-22T10:00:00+00:00");
        // Numeric ids.
        let s = status(serde_json::json!({
            "id": 42, "created_at": "2026-11-22T10:00:00Z", "in_reply_to_id": 41,
            "account": {"id": 1, "acct": "n"}
        }));
        let p = status_to_post(&s, "x", false).unwrap();
        assert_eq!(
            (p.native_id.as_str(), p.in_reply_to.as_deref()),
            ("42", Some("41"))
        );
    }

    #[test]
    fn bad_time_is_an_error_naming_the_status() {
        let s = status(serde_json::json!({
            "id": "1", "created_at": "yesterday", "account": {"id": "1", "acct": "a"}
        }));
        assert!(
            status_to_post(&s, "x", false)
                .unwrap_err()
                .contains("status 1")
        );
    }

    #[test]
    fn ids_compare_as_the_server_orders_them() {
        assert_eq!(cmp_ids("99", "100"), Ordering::Less);
        assert_eq!(cmp_ids("109999", "109998"), Ordering::Greater);
        assert_eq!(cmp_ids("01HQ8B", "01HQ8A"), Ordering::Greater);
        assert!(newer("5", None));
        assert!(!newer("5", Some("5")));
        assert_eq!(max_id(["3", "20", "11"]), Some("20"));
    }

    #[test]
    fn stream_payload_is_json_in_a_string() {
        let f: StreamFrame = serde_json::from_str(
            r#"{"stream":["hashtag","shop"],"event":"update","payload":"{\"id\":\"1\"}"}"#,
        )
        .unwrap();
        assert_eq!(f.payload_json().unwrap()["id"], "1");
        let f: StreamFrame = serde_json::from_str(r#"{"event":"delete","payload":"123"}"#).unwrap();
        assert_eq!(f.payload_json(), Some(serde_json::json!(123)));
    }

    #[test]
    fn instance_limits_with_defaults() {
        let i: Instance = serde_json::from_str(
            r#"{"domain":"x.example","configuration":{"urls":{"streaming":"wss://s.x.example"},"statuses":{"max_characters":5000}}}"#,
        )
        .unwrap();
        assert_eq!(i.configuration.statuses.max_characters, Some(5000));
        let i: Instance = serde_json::from_str(r#"{"title":"gts"}"#).unwrap();
        assert_eq!(i.configuration.urls.streaming, None);
    }
}
