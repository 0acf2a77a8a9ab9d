//! One JSONL line to one post: the schema of `docs/jsonl.md`, checked field by field so a bad line says what
//! is wrong with it.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::domain::{Author, IncomingPost, Network};

/// Parses one line (without its newline) as a post of the `jsonl` network by default. `line_no` (1-based) names
/// the line in the error; `now` stands in for a missing `created_at`.
pub fn parse_line(line: &[u8], line_no: u64, now: DateTime<Utc>) -> Result<IncomingPost, String> {
    parse_line_as(line, line_no, now, Network::Jsonl)
}

/// [`parse_line`] with the network used when a line names none.
pub fn parse_line_as(
    line: &[u8],
    line_no: u64,
    now: DateTime<Utc>,
    default_network: Network,
) -> Result<IncomingPost, String> {
    parse(line, now, default_network).map_err(|why| format!("line {line_no}: {why}"))
}

fn parse(
    line: &[u8],
    now: DateTime<Utc>,
    default_network: Network,
) -> Result<IncomingPost, String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // A post with a few bad bytes (a Latin-1 script, a cut multi-byte character) is kept, with U+FFFD where
    // the bytes were: losing the whole post would be worse. The source logs the line so it can be fixed.
    let text = String::from_utf8_lossy(line);
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        format!("invalid JSON at column {}: {msg}", e.column())
    })?;
    let Value::Object(obj) = value else {
        return Err("not a JSON object: each line must be one {...} post".into());
    };
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => {
            return Err("missing `id` (the post's id on its network)".into());
        }
        Some(_) => return Err("`id` must be a non-empty string".into()),
    };
    let network = match opt_str(&obj, "network")? {
        None => default_network,
        Some(n) => Network::parse(n.trim()).ok_or_else(|| {
            format!(
                "`network` \"{n}\" is not one of {}",
                Network::ALL.map(Network::as_str).join(", ")
            )
        })?,
    };
    let handle = opt_str(&obj, "author")?
        .map(|a| a.trim().trim_start_matches('@').to_string())
        .filter(|a| !a.is_empty())
        .ok_or("missing `author` (the writer's handle)")?;
    let body = match obj.get("text") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err("missing `text`".into()),
        Some(_) => return Err("`text` must be a string".into()),
    };
    if body.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    let created_at = match opt_str(&obj, "created_at")? {
        None => now,
        Some(t) => DateTime::parse_from_rfc3339(t.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                format!("`created_at` \"{t}\" is not an RFC 3339 time (like 2026-11-22T10:00:00Z)")
            })?,
    };
    let addressed_to_shop = match obj.get("addressed_to_shop") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("`addressed_to_shop` must be true or false".into()),
    };
    let rating = match obj.get("rating") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(stars @ 1..=5) => Some(stars as u8),
            _ => {
                return Err(format!(
                    "`rating` {n} is not a whole number of stars from 1 to 5"
                ));
            }
        },
        Some(_) => return Err("`rating` must be a number of stars from 1 to 5".into()),
    };
    Ok(IncomingPost {
        network,
        native_id: id,
        url: opt_str(&obj, "url")?
            .map(str::to_string)
            .filter(|u| !u.is_empty()),
        author: Author {
            display_name: opt_str(&obj, "name")?.unwrap_or("").to_string(),
            handle,
        },
        text: body,
        created_at,
        in_reply_to: opt_str(&obj, "reply_to")?
            .map(str::to_string)
            .filter(|r| !r.is_empty()),
        reply_ref: None,
        addressed_to_shop,
        context: false,
        quotes: None,
        rating,
    })
}

fn opt_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
    }

    #[test]
    fn full_line() {
        let p = parse_line(
            br#"{"id":"a1","network":"mastodon","author":"@ann@m.example","name":"Ann","text":"hi","created_at":"2026-11-21T09:00:00+01:00","url":"https://m.example/1","reply_to":"a0","addressed_to_shop":true,"extra":1}"#,
            3,
            now(),
        )
        .unwrap();
        assert_eq!(p.network, Network::Mastodon);
        assert_eq!(p.native_id, "a1");
        assert_eq!(p.author.handle, "ann@m.example");
        assert_eq!(p.author.display_name, "Ann");
        assert_eq!(
            p.created_at,
            Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap()
        );
        assert_eq!(p.in_reply_to.as_deref(), Some("a0"));
        assert!(p.addressed_to_shop);
    }

    #[test]
    fn a_review_keeps_its_stars() {
        let p = parse_line(
            br#"{"id":"r1","author":"ann","text":"meh","rating":2}"#,
            1,
            now(),
        )
        .unwrap();
        assert_eq!(p.rating, Some(2));
    }

    #[test]
    fn minimal_line_takes_defaults() {
        let p = parse_line(b"{\"id\":7,\"author\":\"bob\",\"text\":\"yo\"}\r", 1, now()).unwrap();
        assert_eq!(
            (p.network, p.native_id.as_str(), p.created_at),
            (Network::Jsonl, "7", now())
        );
        assert!(!p.addressed_to_shop);
        let q = parse_line_as(
            b"{\"id\":\"x\",\"author\":\"b\",\"text\":\"t\"}",
            1,
            now(),
            Network::Bluesky,
        )
        .unwrap();
        assert_eq!(q.network, Network::Bluesky);
    }

    #[test]
    fn bad_lines_name_line_and_problem() {
        let cases: [(&[u8], &str); 10] = [
            (b"{not json", "line 4: invalid JSON at column 2"),
            (b"[1,2]", "not a JSON object"),
            (b"{\"author\":\"a\",\"text\":\"t\"}", "missing `id`"),
            (b"{\"id\":\"1\",\"author\":\"a\"}", "missing `text`"),
            (
                b"{\"id\":\"1\",\"author\":\"a\",\"text\":5}",
                "`text` must be a string",
            ),
            (b"{\"id\":\"1\",\"text\":\"t\"}", "missing `author`"),
            (
                b"{\"id\":\"1\",\"author\":\"a\",\"text\":\"t\",\"network\":\"myspace\"}",
                "`network` \"myspace\" is not one of",
            ),
            (
                b"{\"id\":\"1\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"yesterday\"}",
                "RFC 3339",
            ),
            (
                b"{\"id\":\"1\",\"author\":\"a\",\"text\":\"t\",\"rating\":6}",
                "`rating` 6 is not a whole number of stars from 1 to 5",
            ),
            (
                b"{\"id\":\"1\",\"author\":\"a\",\"text\":\"t\",\"rating\":\"5\"}",
                "`rating` must be a number",
            ),
        ];
        for (line, want) in cases {
            let err = parse_line(line, 4, now()).unwrap_err();
            assert!(
                err.starts_with("line 4: ") && err.contains(want),
                "{err} / {want}"
            );
        }
    }

    #[test]
    fn invalid_utf8_keeps_the_post_with_replacement_characters() {
        let post = parse_line(
            b"{\"id\":\"1\",\"author\":\"a\",\"text\":\"caf\xe9 \xff\"}",
            1,
            now(),
        )
        .unwrap();
        assert_eq!(post.text, "caf\u{fffd} \u{fffd}");
    }
}
