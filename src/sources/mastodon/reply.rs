//! Replies: `POST /api/v1/statuses` with the draft's `Idempotency-Key`, so a retry after a timeout can
//! never post twice (Mastodon remembers the key for an hour and answers the retry with the first status).

use std::time::Duration;

use anyhow::{anyhow, bail};
use chrono::Utc;
use serde::Deserialize;
use url::Url;

use super::{MastodonConfig, api};
use crate::domain::Network;
use crate::sources::http::{self, FetchError};
use crate::sources::secret::Secret;
use crate::sources::{Replier, ReplyFuture, ReplyRequest, SentReply};

const ATTEMPTS: u32 = 3;

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

#[derive(Deserialize)]
struct Created {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    uri: Option<String>,
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

    async fn post(&self, request: ReplyRequest) -> anyhow::Result<SentReply> {
        let post = &request.post;
        if post.network != Network::Mastodon {
            bail!("this post is from {}, not Mastodon", post.network);
        }
        let reply_ref = post.reply_ref.as_ref();
        let field = |k: &str| {
            reply_ref
                .and_then(|r| r.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let visibility = reply_visibility(field("visibility").as_deref());
        let acct = field("acct").unwrap_or_else(|| post.author.handle.clone());
        let is_shop = self.shop_handle.as_deref().is_some_and(|s| {
            api::normalize_acct(s, &self.host()) == api::normalize_acct(&acct, &self.host())
        });
        let text = if is_shop || acct.is_empty() {
            request.text.clone()
        } else {
            with_mention(&request.text, &acct, &self.host())
        };
        let mut url = self.base.clone();
        url.set_path("/api/v1/statuses");
        let body = serde_json::json!({
            "status": text,
            "in_reply_to_id": post.native_id,
            "visibility": visibility,
        });
        let mut last = None;
        for attempt in 1..=ATTEMPTS {
            let req = self
                .client
                .post(url.clone())
                .bearer_auth(self.token.expose())
                .header("Idempotency-Key", &request.idempotency_key)
                .timeout(self.timeout)
                .json(&body);
            match http::send(req, Utc::now()).await {
                Ok(resp) => {
                    // The status exists now; an odd answer must not make staff post again.
                    let created: Option<Created> = http::json(resp).await.ok();
                    return Ok(SentReply {
                        url: created
                            .as_ref()
                            .and_then(|c| c.url.clone().or(c.uri.clone())),
                        remote_id: created.and_then(|c| match c.id {
                            Some(serde_json::Value::String(s)) => Some(s),
                            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                            _ => None,
                        }),
                    });
                }
                Err(e) if e.is_retryable() && attempt < ATTEMPTS => {
                    let wait = match &e {
                        FetchError::RateLimited { until } => {
                            (*until - Utc::now()).to_std().unwrap_or(Duration::ZERO)
                        }
                        _ => self.retry_delay * attempt,
                    };
                    if wait > Duration::from_secs(60) {
                        last = Some(e);
                        break;
                    }
                    tracing::warn!(attempt, error = %e, "mastodon reply: retrying with the same idempotency key");
                    tokio::time::sleep(wait).await;
                    last = Some(e);
                }
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        let e = last.unwrap_or(FetchError::Transport("no attempt made".into()));
        Err(match e {
            FetchError::Auth { .. } => anyhow!(
                "Mastodon refused the token ({e}); create an access token with write:statuses and put it in {}",
                self.token_hint
            ),
            FetchError::Client { .. } => anyhow!("Mastodon refused the reply ({e})"),
            _ => anyhow!(
                "Mastodon reply not confirmed ({e}); the draft is kept, sending again cannot post twice"
            ),
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
    fn account(&self) -> String {
        match &self.shop_handle {
            Some(h) => format!("@{}", api::normalize_acct(h, &self.host())),
            None => format!("the token's account on {}", self.host()),
        }
    }

    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
        Box::pin(self.post(request))
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
