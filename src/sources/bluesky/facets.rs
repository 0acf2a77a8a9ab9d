//! Rich-text facets (`app.bsky.richtext.facet`): @mentions, links and #tags found in reply text, with
//! UTF-8 byte offsets as the lexicon requires (not chars, not graphemes).

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacetKind {
    /// The handle, without `@`; resolved to a DID before sending.
    Mention(String),
    Link(String),
    /// Without `#`.
    Tag(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: FacetKind,
}

fn boundary_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || "([{\"'".contains(c))
}

const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\''];

/// Finds mentions (`@name.domain`), links (`http(s)://...`) and hashtags in `text`.
pub fn detect(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        let at_boundary = boundary_before(text, i);
        if at_boundary && (rest.starts_with("https://") || rest.starts_with("http://")) {
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let uri = rest[..len].trim_end_matches(TRAILING);
            if uri.len() > "https://".len() {
                spans.push(Span {
                    byte_start: i,
                    byte_end: i + uri.len(),
                    kind: FacetKind::Link(uri.to_string()),
                });
                i += uri.len();
                continue;
            }
        }
        if at_boundary && c == '@' {
            let body = &rest[1..];
            let len = body
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '-'))
                .unwrap_or(body.len());
            let handle = body[..len].trim_end_matches(['.', '-']);
            if handle.contains('.') && !handle.starts_with('.') {
                spans.push(Span {
                    byte_start: i,
                    byte_end: i + 1 + handle.len(),
                    kind: FacetKind::Mention(handle.to_ascii_lowercase()),
                });
                i += 1 + handle.len();
                continue;
            }
        }
        if at_boundary && (c == '#' || c == '＃') {
            let body = &rest[c.len_utf8()..];
            let len = body
                .find(|ch: char| ch.is_whitespace() || (ch.is_ascii_punctuation() && ch != '_'))
                .unwrap_or(body.len());
            let tag = &body[..len];
            if !tag.is_empty() && !tag.chars().all(|ch| ch.is_ascii_digit()) && tag.len() <= 640 {
                spans.push(Span {
                    byte_start: i,
                    byte_end: i + c.len_utf8() + tag.len(),
                    kind: FacetKind::Tag(tag.to_string()),
                });
                i += c.len_utf8() + tag.len();
                continue;
            }
        }
        i += c.len_utf8();
    }
    spans
}

/// The facet JSON for one span; a mention needs the DID its handle resolved to.
pub fn to_json(span: &Span, mention_did: Option<&str>) -> Option<Value> {
    let feature = match &span.kind {
        FacetKind::Mention(_) => {
            json!({"$type": "app.bsky.richtext.facet#mention", "did": mention_did?})
        }
        FacetKind::Link(uri) => json!({"$type": "app.bsky.richtext.facet#link", "uri": uri}),
        FacetKind::Tag(tag) => json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag}),
    };
    Some(json!({
        "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
        "features": [feature],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_with_emoji_and_accents() {
        let text = "Café ☕ merci @alice.bsky.social 👋 https://example.com/x";
        let spans = detect(text);
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert_eq!((spans[0].byte_start, spans[0].byte_end), (16, 34));
        assert_eq!(&text[16..34], "@alice.bsky.social");
        assert_eq!(
            spans[0].kind,
            FacetKind::Mention("alice.bsky.social".into())
        );
        assert_eq!((spans[1].byte_start, spans[1].byte_end), (40, 61));
        assert_eq!(
            spans[1].kind,
            FacetKind::Link("https://example.com/x".into())
        );
    }

    #[test]
    fn trailing_punctuation_and_non_mentions() {
        let text = "see https://shop.example/a?b=1. thanks @bob.test! mail me@x.com #Tasty #123";
        let spans = detect(text);
        let kinds: Vec<_> = spans.iter().map(|s| s.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                FacetKind::Link("https://shop.example/a?b=1".into()),
                FacetKind::Mention("bob.test".into()),
                FacetKind::Tag("Tasty".into()),
            ]
        );
        for s in &spans {
            assert!(text.is_char_boundary(s.byte_start) && text.is_char_boundary(s.byte_end));
        }
        assert!(detect("@nodot hello").is_empty());
    }

    #[test]
    fn json_shape() {
        let s = Span {
            byte_start: 0,
            byte_end: 4,
            kind: FacetKind::Mention("a.b".into()),
        };
        assert_eq!(to_json(&s, None), None);
        let v = to_json(&s, Some("did:plc:a")).unwrap();
        assert_eq!(v["index"]["byteEnd"], 4);
        assert_eq!(v["features"][0]["$type"], "app.bsky.richtext.facet#mention");
        assert_eq!(v["features"][0]["did"], "did:plc:a");
    }
}
