//! Replies as comments from the organization: `POST /rest/socialActions/{urn}/comments` with `actor` (the
//! page), `object` (the post), `message.text`, and `parentComment` when answering a comment (LinkedIn nests one
//! level: a reply to a reply goes under the same top comment). LinkedIn takes no idempotency key, so a send
//! that may have gone out is never retried blindly: `resolve` looks for the page's comment among the
//! object's comments.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use super::api;
use super::client::{self, ACCESS_FIX, Api};
use crate::domain::{Network, Post};
use crate::sources::http::{self, FetchError};
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};

pub struct LinkedinReplier {
    pub(crate) api: Api,
    pub(crate) org: String,
    pub(crate) token_hint: String,
    pub(crate) timeout: Duration,
}

/// Where a reply to `post` goes: the URN in the path, the `object`, and the `parentComment`.
struct Target {
    path: String,
    object: String,
    parent: Option<String>,
}

fn target(post: &Post) -> Target {
    let field = |k: &str| {
        post.reply_ref
            .as_ref()
            .and_then(|r| r.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match field("comment") {
        Some(comment) => {
            let parent = field("parent").unwrap_or(comment);
            let object = field("object")
                .or_else(|| api::comment_parts(&parent).map(|(o, _)| o.to_string()))
                .unwrap_or_default();
            Target {
                path: parent.clone(),
                object,
                parent: Some(parent),
            }
        }
        None => {
            let object = field("object").unwrap_or_else(|| post.native_id.clone());
            Target {
                path: object.clone(),
                object,
                parent: None,
            }
        }
    }
}

/// A comment the API returned, as a sent reply (`sent` stands in for a missing text).
fn sent_reply(c: &Value, sent: &str) -> SentReply {
    let urn = c
        .get("commentUrn")
        .and_then(Value::as_str)
        .map(str::to_string);
    let text = c
        .pointer("/message/text")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(sent)
        .to_string();
    SentReply {
        url: urn.as_deref().and_then(api::comment_url),
        remote_id: urn,
        text,
    }
}

impl LinkedinReplier {
    pub fn with_timeout(mut self, timeout: Duration) -> LinkedinReplier {
        self.timeout = timeout;
        self
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        if request.post.network != Network::Linkedin {
            return Err(SendError::NotPosted(format!(
                "this post is from {}, not LinkedIn",
                request.post.network
            )));
        }
        let t = target(&request.post);
        let mut body = json!({
            "actor": self.org,
            "object": t.object,
            "message": {"text": request.text},
        });
        if let Some(parent) = &t.parent {
            body["parentComment"] = json!(parent);
        }
        let url = self
            .api
            .url(
                &format!("socialActions/{}/comments", api::encode(&t.path)),
                "",
            )
            .map_err(|e| SendError::NotPosted(e.to_string()))?;
        let resp = self
            .api
            .request(reqwest::Method::POST, url)
            .timeout(self.timeout)
            .json(&body)
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) if e.is_connect() => {
                return Err(SendError::NotPosted(format!(
                    "LinkedIn could not be reached ({}); nothing was posted",
                    FetchError::from_reqwest(&e)
                )));
            }
            Err(e) => return Err(unconfirmed(&FetchError::from_reqwest(&e))),
        };
        // The id LinkedIn gives the new comment, for an answer without a body.
        let restli_id = resp
            .headers()
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        match client::check(resp, Utc::now()).await {
            Ok(resp) => {
                // The comment exists now; an odd body must not make staff post again.
                let c: Value = http::json(resp).await.unwrap_or(Value::Null);
                let mut sent = sent_reply(&c, &request.text);
                if sent.remote_id.is_none()
                    && let Some(id) = restli_id
                {
                    let urn = format!("urn:li:comment:({},{id})", t.object);
                    sent.url = api::comment_url(&urn);
                    sent.remote_id = Some(urn);
                }
                Ok(sent)
            }
            Err(e @ FetchError::Server { .. }) => Err(unconfirmed(&e)),
            Err(FetchError::Auth {
                status: 403,
                detail,
            }) => Err(SendError::NotPosted(format!(
                "LinkedIn refused the comment (403: {detail}); {ACCESS_FIX}"
            ))),
            Err(e @ FetchError::Auth { .. }) => Err(SendError::NotPosted(format!(
                "LinkedIn refused the token ({e}); create a new token with w_organization_social and put it in {}",
                self.token_hint
            ))),
            Err(e) => Err(SendError::NotPosted(format!(
                "LinkedIn refused the comment ({e})"
            ))),
        }
    }

    /// Looks among the comments under the reply's target for one by the page with the text sent that is not
    /// one already recorded.
    async fn find(&self, request: ReplyRequest, known: Vec<String>) -> Resolution {
        let t = target(&request.post);
        let mut start = 0;
        loop {
            let url = match self.api.url(
                &format!("socialActions/{}/comments", api::encode(&t.path)),
                &format!("start={start}&count=100"),
            ) {
                Ok(u) => u,
                Err(e) => return Resolution::Unknown(e.to_string()),
            };
            let page = match self.api.get(url).await {
                Ok(v) => v,
                Err(e) => {
                    return Resolution::Unknown(format!(
                        "cannot read the comments on LinkedIn ({e})"
                    ));
                }
            };
            let list = page
                .get("elements")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let ours = list.iter().find(|c| {
                let urn = c.get("commentUrn").and_then(Value::as_str).unwrap_or("");
                c.get("actor").and_then(Value::as_str) == Some(self.org.as_str())
                    && !known.iter().any(|k| k == urn)
                    && c.pointer("/message/text")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        == Some(request.text.trim())
            });
            if let Some(c) = ours {
                return Resolution::Posted(sent_reply(c, &request.text));
            }
            if list.len() < 100 || start >= 400 {
                return Resolution::NotPosted;
            }
            start += 100;
        }
    }
}

fn unconfirmed(e: &FetchError) -> SendError {
    SendError::Unconfirmed(format!(
        "LinkedIn comment not confirmed ({e}); the text is locked until we know whether it went out \
         (LinkedIn takes no idempotency key: the page's comments are checked before anything is sent again)"
    ))
}

impl Replier for LinkedinReplier {
    fn account(&self) -> String {
        format!("the LinkedIn page {}", self.org)
    }

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

    fn resolve(&self, request: ReplyRequest, known: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(self.find(request, known))
    }
}
