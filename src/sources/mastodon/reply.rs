//! Replies: `POST /api/v1/statuses` with the draft's `Idempotency-Key`, so a retry after a timeout can
//! never post twice (Mastodon remembers the key for an hour and answers the retry with the first status).
//! What is logged is the status's own `content`, as text.

use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use url::Url;

use super::{MastodonConfig, api};
use crate::domain::{Network, Post};
use crate::sources::http::{self, FetchError};
use crate::sources::secret::Secret;
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};
use crate::text::html_to_text;

const ATTEMPTS: u32 = 3;
/// How many of the shop's newest statuses are searched for an unconfirmed reply.
const RESOLVE_WINDOW: &str = "40";

#[derive(Debug, Clone)]
pub struct MastodonReplier {
    client: reqwest::Client,
    base: Url,
    token: Secret,
    token_hint: String,
    /// The shop's handle (`user@instance`) if configured.
    shop_handle: Option<String>,
    timeout: Duration,
    retry_delay: Duration,
}

/// A status as `POST /statuses` and `GET /accounts/:id/statuses` return it.
#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    in_reply_to_id: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Me {
    id: serde_json::Value,
}

/// Mastodon ids are strings, but some servers send numbers.
fn id_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Status {
    /// The reply as the server has it; `sent` stands in for a missing or empty `content`.
    fn into_sent(self, sent: &str) -> SentReply {
        let text = self
            .content
            .as_deref()
            .map(html_to_text)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| sent.to_string());
        SentReply {
            remote_id: id_text(self.id.as_ref()),
            url: self.url.or(self.uri),
            text,
        }
    }
}

impl MastodonReplier {
    /// `name` is the source's name (for error messages), `shop_handle` the shop's `user@instance`.
    pub fn new(
        name: &str,
        cfg: &MastodonConfig,
        shop_handle: Option<String>,
        client: reqwest::Client,
    ) -> Result<MastodonReplier, String> {
        let (base, token, token_hint) = super::credentials(&format!("sources.{name}"), cfg)?;
        Ok(MastodonReplier {
            client,
            base,
            token,
            token_hint,
            shop_handle: shop_handle.map(|h| h.trim_start_matches('@').to_string()),
            timeout: Duration::from_secs(30),
            retry_delay: Duration::from_secs(2),
        })
    }

    /// Per-attempt timeout (default 30 s) and the pause before a retry (default 2 s).
    pub fn with_timing(mut self, timeout: Duration, retry_delay: Duration) -> MastodonReplier {
        self.timeout = timeout;
        self.retry_delay = retry_delay;
        self
    }

    fn host(&self) -> String {
        self.base
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_path(&format!("/api/v1/{}", segments.join("/")));
        url
    }

    /// One POST. The flag says whether the request may have reached the server (so may have posted): a refused
    /// connection never did; an answer that is not a 5xx is the server saying what it did.
    async fn attempt(&self, req: reqwest::RequestBuilder) -> Result<SentReply, (FetchError, bool)> {
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => return Err((FetchError::from_reqwest(&e), !e.is_connect())),
        };
        let resp = http::check_status(resp, Utc::now()).await.map_err(|e| {
            let reached = matches!(e, FetchError::Server { .. });
            (e, reached)
        })?;
        // The status exists now; an odd answer must not make staff post again.
        let status: Option<Status> = http::json(resp).await.ok();
        Ok(status.map_or(
            SentReply {
                url: None,
                remote_id: None,
                text: String::new(),
            },
            |s| s.into_sent(""),
        ))
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        let post = &request.post;
        if post.network != Network::Mastodon {
            return Err(SendError::NotPosted(format!(
                "this post is from {}, not Mastodon",
                post.network
            )));
        }
        let prepared = self.prepare(post, &request.text);
        let body = serde_json::json!({
            "status": prepared.text,
            "in_reply_to_id": post.native_id,
            "visibility": prepared.visibility,
        });
        let mut last = None;
        let mut maybe_posted = false;
        for attempt in 1..=ATTEMPTS {
            let req = self
                .client
                .post(self.url(&["statuses"]))
                .bearer_auth(self.token.expose())
                .header("Idempotency-Key", &request.idempotency_key)
                .timeout(self.timeout)
                .json(&body);
            match self.attempt(req).await {
                Ok(mut sent) => {
                    if sent.text.is_empty() {
                        sent.text = prepared.text;
                    }
                    return Ok(sent);
                }
                Err((e, reached)) => {
                    maybe_posted |= reached;
                    let retry = e.is_retryable() && attempt < ATTEMPTS;
                    let wait = match &e {
                        FetchError::RateLimited { until } => {
                            (*until - Utc::now()).to_std().unwrap_or(Duration::ZERO)
                        }
                        _ => self.retry_delay * attempt,
                    };
                    last = Some(e);
                    if !retry || wait > Duration::from_secs(60) {
                        break;
                    }
                    tracing::warn!(attempt, error = ?last, "mastodon reply: retrying with the same idempotency key");
                    tokio::time::sleep(wait).await;
                }
            }
        }
        let e = last.unwrap_or(FetchError::Transport("no attempt made".into()));
        Err(match e {
            _ if maybe_posted => SendError::Unconfirmed(format!(
                "Mastodon reply not confirmed ({e}); the text is locked until we know whether it went out, \
                 and sending again cannot post twice"
            )),
            FetchError::Auth { .. } => SendError::NotPosted(format!(
                "Mastodon refused the token ({e}); create an access token with write:statuses and put it in {}",
                self.token_hint
            )),
            FetchError::Client { .. } => {
                SendError::NotPosted(format!("Mastodon refused the reply ({e})"))
            }
            _ => SendError::NotPosted(format!(
                "Mastodon could not be reached ({e}); nothing was posted"
            )),
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: Url) -> Result<T, FetchError> {
        let req = self
            .client
            .get(url)
            .bearer_auth(self.token.expose())
            .timeout(self.timeout);
        http::json(http::send(req, Utc::now()).await?).await
    }

    /// Looks among the shop's newest statuses for a reply to the post that is not one already recorded.
    /// (Sending again with the same key would answer too, but would post the locked text if the first send
    /// never happened: staff asked to edit it.)
    async fn find(&self, request: ReplyRequest, known: Vec<String>) -> Resolution {
        let unknown = |e: FetchError| {
            Resolution::Unknown(format!(
                "cannot read the shop's statuses on {} ({e})",
                self.host()
            ))
        };
        let me: Me = match self
            .get(self.url(&["accounts", "verify_credentials"]))
            .await
        {
            Ok(me) => me,
            Err(e) => return unknown(e),
        };
        let Some(id) = id_text(Some(&me.id)) else {
            return unknown(FetchError::Malformed("verify_credentials has no id".into()));
        };
        let mut url = self.url(&["accounts", &id, "statuses"]);
        url.query_pairs_mut()
            .append_pair("limit", RESOLVE_WINDOW)
            .append_pair("exclude_reblogs", "true");
        let statuses: Vec<Status> = match self.get(url).await {
            Ok(s) => s,
            Err(e) => return unknown(e),
        };
        let target = request.post.native_id.as_str();
        let sent = self.prepare(&request.post, &request.text).text;
        statuses
            .into_iter()
            .find(|s| {
                id_text(s.in_reply_to_id.as_ref()).as_deref() == Some(target)
                    && id_text(s.id.as_ref()).is_some_and(|id| !known.contains(&id))
            })
            .map_or(Resolution::NotPosted, |s| {
                Resolution::Posted(s.into_sent(&sent))
            })
    }
}

/// The original's visibility, as Mastodon accepts it: a direct message stays direct, a followers-only post
/// gets a followers-only reply; unknown values (Pleroma `local`, `list`) become `unlisted`.
pub fn reply_visibility(original: Option<&str>) -> &'static str {
    match original {
        None | Some("public") => "public",
        Some("private") => "private",
        Some("direct") => "direct",
        Some(_) => "unlisted",
    }
}

/// Starts the text with `@acct ` unless it already mentions the author (Mastodon notifies only mentioned
/// accounts). A local author may also be mentioned as `@user`.
pub fn with_mention(text: &str, acct: &str, local_domain: &str) -> String {
    let full = api::normalize_acct(acct, local_domain);
    let lower = text.to_lowercase();
    let boundary = |rest: &str| {
        rest.chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '@' || c == '.' || c == '-'))
    };
    let mentions = |needle: &str| {
        lower
            .match_indices(needle)
            .any(|(at, m)| boundary(&lower[at + m.len()..]))
    };
    let full_lower = format!("@{}", full.to_lowercase());
    let (user, domain) = full.split_once('@').unwrap_or((&full, ""));
    let local =
        domain.eq_ignore_ascii_case(local_domain) && mentions(&format!("@{}", user.to_lowercase()));
    if mentions(&full_lower) || local {
        text.to_string()
    } else {
        format!("@{full} {text}")
    }
}

impl Replier for MastodonReplier {
    /// The `Idempotency-Key` header makes Mastodon answer a resend with the first status.
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn account(&self) -> String {
        match &self.shop_handle {
            Some(h) => format!("@{}", api::normalize_acct(h, &self.host())),
            None => format!("the token's account on {}", self.host()),
        }
    }

    /// The original's visibility, and `@author ` first unless the text mentions them or they are the shop.
    fn prepare(&self, post: &Post, text: &str) -> Prepared {
        let field = |k: &str| {
            post.reply_ref
                .as_ref()
                .and_then(|r| r.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let acct = field("acct").unwrap_or_else(|| post.author.handle.clone());
        let host = self.host();
        let is_shop = self
            .shop_handle
            .as_deref()
            .is_some_and(|s| api::normalize_acct(s, &host) == api::normalize_acct(&acct, &host));
        Prepared {
            text: if is_shop || acct.is_empty() {
                text.to_string()
            } else {
                with_mention(text, &acct, &host)
            },
            visibility: reply_visibility(field("visibility").as_deref()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mention_prepended_only_when_missing() {
        assert_eq!(
            with_mention("Sorry!", "al@far.example", "x.example"),
            "@al@far.example Sorry!"
        );
        assert_eq!(
            with_mention("@Al@Far.example sorry", "al@far.example", "x"),
            "@Al@Far.example sorry"
        );
        // `@al@far.example.evil` is someone else.
        assert_eq!(
            with_mention("@al@far.example.evil hi", "al@far.example", "x"),
            "@al@far.example @al@far.example.evil hi"
        );
        assert_eq!(
            with_mention("hi @al, sorry", "al", "x.example"),
            "hi @al, sorry"
        );
        assert_eq!(
            with_mention("hi @alfred", "al", "x.example"),
            "@al@x.example hi @alfred"
        );
    }

    #[test]
    fn visibility_follows_the_original() {
        assert_eq!(reply_visibility(Some("direct")), "direct");
        assert_eq!(reply_visibility(Some("private")), "private");
        assert_eq!(reply_visibility(Some("unlisted")), "unlisted");
        assert_eq!(reply_visibility(Some("local")), "unlisted");
        assert_eq!(reply_visibility(None), "public");
    }
}
