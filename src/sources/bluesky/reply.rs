//! Replies that post: `com.atproto.repo.createRecord` with `reply.root`/`reply.parent`, facets for mentions,
//! links and tags, and a record key derived from the draft's idempotency key so a retry cannot post twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use super::api::{self, Created, POST_COLLECTION, Resolved, ThreadAnswer};
use super::facets::{self, FacetKind};
use super::xrpc::Xrpc;
use crate::domain::Post;
use crate::sources::http::{Backoff, FetchError};
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};

const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A TID-format record key (13 chars, base32-sortable) derived only from `key`: the same draft always gets the
/// same rkey. Its timestamp part falls in 2023..2026 so it looks like any other TID.
pub fn rkey_for(key: &str) -> String {
    let h = fnv1a(key.as_bytes());
    const START_US: u64 = 1_672_531_200_000_000; // 2023-01-01
    const SPAN_US: u64 = 3 * 365 * 86_400 * 1_000_000;
    let ts = START_US + (h >> 10) % SPAN_US;
    let clock = h & 0x3ff;
    let v = (ts << 10) | clock; // top bit stays 0: ts < 2^53
    (0..13)
        .rev()
        .map(|i| TID_ALPHABET[((v >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Strong refs for a reply to `post`: (root, parent). The parent is the post; the root is the parent's own
/// `reply.root` when the parent is itself a reply, else the parent.
pub fn reply_refs(reply_ref: &Value) -> Option<(Value, Value)> {
    let uri = reply_ref.get("uri")?.as_str()?;
    let cid = reply_ref.get("cid")?.as_str().filter(|c| !c.is_empty())?;
    let parent = json!({"uri": uri, "cid": cid});
    let root = match reply_ref.get("root") {
        Some(r) => {
            let ru = r.get("uri").and_then(Value::as_str);
            let rc = r
                .get("cid")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty());
            match (ru, rc) {
                (Some(u), Some(c)) => json!({"uri": u, "cid": c}),
                _ => return None,
            }
        }
        None => parent.clone(),
    };
    Some((root, parent))
}

/// Posts replies as the configured Bluesky account.
pub struct BlueskyReplier {
    xrpc: Arc<Xrpc>,
    handle: String,
    backoff: Backoff,
    attempts: u32,
}

impl BlueskyReplier {
    pub(crate) fn new(xrpc: Arc<Xrpc>, handle: String, backoff: Backoff) -> BlueskyReplier {
        BlueskyReplier {
            xrpc,
            handle,
            backoff,
            attempts: 3,
        }
    }

    /// The post's ref with a cid: from the stored `reply_ref`, else read with `getPostThread`.
    async fn refs_for(&self, request: &ReplyRequest) -> anyhow::Result<(Value, Value)> {
        if let Some(r) = request.post.reply_ref.as_ref().and_then(reply_refs) {
            return Ok(r);
        }
        let uri = &request.post.native_id;
        let answer: ThreadAnswer = self
            .xrpc
            .authed_get(
                "app.bsky.feed.getPostThread",
                &[
                    ("uri", uri.clone()),
                    ("depth", "0".into()),
                    ("parentHeight", "0".into()),
                ],
            )
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the post replied to ({uri}): {e}"))?;
        let post = &answer.thread["post"];
        let cid = post["cid"].as_str().unwrap_or("");
        let r = api::reply_ref(uri, cid, &post["record"]);
        reply_refs(&r).ok_or_else(|| anyhow::anyhow!("the post replied to ({uri}) has no cid"))
    }

    async fn facets(&self, text: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for span in facets::detect(text) {
            let did = match &span.kind {
                FacetKind::Mention(handle) => self
                    .xrpc
                    .public_get::<Resolved>("com.atproto.identity.resolveHandle", &[("handle", handle.clone())])
                    .await
                    .map(|r| r.did)
                    .map_err(|e| tracing::info!(%handle, error = %e, "bluesky: mention not resolved, left as text"))
                    .ok(),
                _ => None,
            };
            out.extend(facets::to_json(&span, did.as_deref()));
        }
        out
    }

    /// Whether the record at `rkey` exists (an earlier attempt went through), with its text as stored.
    async fn existing(&self, did: &str, handle: &str, rkey: &str) -> Resolution {
        let got: Result<Value, FetchError> = self
            .xrpc
            .authed_get(
                "com.atproto.repo.getRecord",
                &[
                    ("repo", did.to_string()),
                    ("collection", POST_COLLECTION.into()),
                    ("rkey", rkey.to_string()),
                ],
            )
            .await;
        match got {
            Ok(v) => match v.get("uri").and_then(Value::as_str) {
                Some(uri) => Resolution::Posted(SentReply {
                    url: Some(api::web_url(handle, uri)),
                    remote_id: Some(uri.to_string()),
                    text: v["value"]["text"].as_str().unwrap_or_default().to_string(),
                }),
                None => Resolution::Unknown("getRecord answered without a uri".into()),
            },
            Err(FetchError::Client { detail, .. }) if detail.contains("RecordNotFound") => {
                Resolution::NotPosted
            }
            Err(e) => Resolution::Unknown(format!("cannot read the reply's record ({e})")),
        }
    }

    /// The shop's DID and handle.
    async fn me(&self) -> Result<(String, String), FetchError> {
        let (did, handle) = self.xrpc.whoami().await?;
        Ok(if handle.is_empty() {
            (did, self.handle.clone())
        } else {
            (did, handle)
        })
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        let refused = |e: String| SendError::NotPosted(e);
        let (root, parent) = self
            .refs_for(&request)
            .await
            .map_err(|e| refused(format!("{e:#}")))?;
        let (did, handle) = self.me().await.map_err(|e| refused(e.to_string()))?;
        let text = self.prepare(&request.post, &request.text).text;
        let mut record = json!({
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "reply": {"root": root, "parent": parent},
        });
        let facets = self.facets(&text).await;
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        let rkey = rkey_for(&request.idempotency_key);
        let body =
            json!({"repo": did, "collection": POST_COLLECTION, "rkey": rkey, "record": record});
        let mut backoff = self.backoff.clone();
        let mut last_err = None;
        // A server error or a lost answer may hide a record that was written.
        let mut maybe_posted = false;
        for attempt in 0..self.attempts {
            if attempt > 0 {
                // The previous attempt may have gone through before the answer was lost.
                if let Resolution::Posted(done) = self.existing(&did, &handle, &rkey).await {
                    return Ok(done);
                }
                tokio::time::sleep(backoff.next_delay().min(Duration::from_secs(10))).await;
            }
            match self
                .xrpc
                .authed_post::<Created>("com.atproto.repo.createRecord", &body)
                .await
            {
                // The record is exactly the one sent: its text is ours.
                Ok(created) => return Ok(sent(&handle, created, text)),
                Err(e) if e.is_retryable() => {
                    tracing::warn!(error = %e, attempt, "bluesky: createRecord failed, will check and retry");
                    maybe_posted |=
                        matches!(e, FetchError::Server { .. } | FetchError::Transport(_));
                    last_err = Some(e);
                }
                Err(e) => {
                    // A refusal may be the PDS saying the record exists: an earlier attempt, or an earlier send
                    // of this draft, went through.
                    if let Resolution::Posted(done) = self.existing(&did, &handle, &rkey).await {
                        return Ok(done);
                    }
                    return Err(refused(format!("Bluesky refused the reply: {e}")));
                }
            }
        }
        let why = last_err.map(|e| e.to_string()).unwrap_or_default();
        match self.existing(&did, &handle, &rkey).await {
            Resolution::Posted(done) => Ok(done),
            _ if maybe_posted => Err(SendError::Unconfirmed(format!(
                "Bluesky did not answer after {} attempts ({why}); the text is locked until we know whether \
                 it went out, and sending again is safe",
                self.attempts
            ))),
            _ => Err(refused(format!(
                "Bluesky did not take the reply after {} attempts ({why}); nothing was posted",
                self.attempts
            ))),
        }
    }

    async fn find(&self, request: ReplyRequest) -> Resolution {
        match self.me().await {
            Ok((did, handle)) => {
                self.existing(&did, &handle, &rkey_for(&request.idempotency_key))
                    .await
            }
            Err(e) => Resolution::Unknown(format!("cannot log in to Bluesky ({e})")),
        }
    }
}

fn sent(handle: &str, c: Created, text: String) -> SentReply {
    SentReply {
        url: Some(api::web_url(handle, &c.uri)),
        remote_id: Some(c.uri),
        text,
    }
}

impl Replier for BlueskyReplier {
    /// The record key is derived from the draft: a resend of it cannot create a second record.
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn account(&self) -> String {
        format!("@{} (Bluesky)", self.handle)
    }

    /// Bluesky posts are public; the text goes as written (mentions become facets).
    fn prepare(&self, _post: &Post, text: &str) -> Prepared {
        Prepared {
            text: text.to_string(),
            visibility: "public",
            account: self.account(),
            caution: None,
        }
    }

    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
        Box::pin(self.post(request))
    }

    /// The record key comes from the draft's key, so `getRecord` says for sure.
    fn resolve(&self, request: ReplyRequest, _known: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(self.find(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rkey_is_a_stable_tid() {
        let a = rkey_for("draft-42");
        assert_eq!(a, rkey_for("draft-42"));
        assert_ne!(a, rkey_for("draft-43"));
        assert_eq!(a.len(), 13);
        assert!(a.bytes().all(|b| TID_ALPHABET.contains(&b)));
        // TID syntax: the first character carries the zero top bit.
        assert!("234567abcdefghij".contains(a.chars().next().unwrap()));
    }

    #[test]
    fn root_comes_from_the_parents_own_reply_ref() {
        let top =
            json!({"uri": "at://a/p/1", "cid": "c1", "root": {"uri": "at://a/p/1", "cid": "c1"}});
        let (root, parent) = reply_refs(&top).unwrap();
        assert_eq!(root, parent);
        let nested =
            json!({"uri": "at://b/p/2", "cid": "c2", "root": {"uri": "at://a/p/1", "cid": "c1"}});
        let (root, parent) = reply_refs(&nested).unwrap();
        assert_eq!(root, json!({"uri": "at://a/p/1", "cid": "c1"}));
        assert_eq!(parent, json!({"uri": "at://b/p/2", "cid": "c2"}));
        assert!(reply_refs(&json!({"uri": "at://b/p/2", "cid": ""})).is_none());
    }
}
