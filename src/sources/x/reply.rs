//! Replies: `POST /2/tweets` with `reply.in_reply_to_tweet_id`, as the user of a user-context OAuth 2.0 token
//! (`tweet.write`). X takes no idempotency key, so a send that may have gone out (timeout, dropped connection,
//! 5xx) is never repeated blindly: `resolve` (which the runner calls before a resend) looks for the reply among
//! the shop's own latest posts (`GET /2/users/:id/tweets`, matching the post replied to and the text).

use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use url::Url;

use super::XConfig;
use super::api::{Page, User, Users, post_url, unescape};
use super::endpoints;
use crate::domain::{Network, Post};
use crate::sources::http::{self, FetchError};
use crate::sources::secret::Secret;
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};

const ATTEMPTS: u32 = 3;
/// How many of the shop's latest posts are searched for an unconfirmed reply (each one is a billed read).
const RESOLVE_WINDOW: &str = "20";

#[derive(Debug)]
pub struct XReplier {
    client: reqwest::Client,
    base: Url,
    token: Secret,
    token_hint: String,
    /// The shop's username, if configured.
    shop_handle: Option<String>,
    timeout: Duration,
    retry_delay: Duration,
}

/// `POST /2/tweets` answers `{"data": {"id", "text"}}`.
#[derive(Deserialize)]
struct Created {
    data: CreatedPost,
}

#[derive(Deserialize)]
struct CreatedPost {
    id: String,
    #[serde(default)]
    text: String,
}

/// A text as X keeps it, for comparing: entities unescaped, links (X shortens them) and spacing evened out.
fn comparable(text: &str) -> String {
    unescape(text)
        .split_whitespace()
        .map(|w| {
            if w.starts_with("http://") || w.starts_with("https://") {
                "<link>"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Said before sending to a post that does not mention or quote the shop: X refuses such replies from
/// self-serve apps.
pub fn self_serve_caution(post: &Post, shop: Option<&str>) -> Option<String> {
    let flagged = post
        .reply_ref
        .as_ref()
        .and_then(|r| r.get("mentions_shop"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let named = shop.is_some_and(|s| {
        post.text
            .to_lowercase()
            .contains(&format!("@{}", s.to_lowercase()))
    });
    (!flagged && !named).then(|| {
        "this post does not mention or quote the shop: self-serve X apps may only reply to posts that \
         mention or quote the shop, so X will likely refuse this reply"
            .to_string()
    })
}

impl XReplier {
    /// `name` is the source's name (for error messages), `shop_handle` the shop's username.
    pub fn new(
        name: &str,
        cfg: &XConfig,
        shop_handle: Option<String>,
        client: reqwest::Client,
    ) -> Result<XReplier, String> {
        let what = format!("sources.{name}");
        let base = cfg.base(&what)?;
        let source = cfg.reply_token(&what);
        Ok(XReplier {
            client,
            base,
            token: source.load()?,
            token_hint: source.hint,
            shop_handle: shop_handle.map(|h| h.trim().trim_start_matches('@').to_lowercase()),
            timeout: Duration::from_secs(30),
            retry_delay: Duration::from_secs(2),
        })
    }

    /// Per-attempt timeout (default 30 s) and the pause before a retry that cannot double-post (default 2 s).
    pub fn with_timing(mut self, timeout: Duration, retry_delay: Duration) -> XReplier {
        self.timeout = timeout;
        self.retry_delay = retry_delay;
        self
    }

    /// One POST. The flag says whether the request may have reached X (so may have posted): a refused
    /// connection or a 4xx did not post; a timeout or a 5xx may have.
    async fn attempt(&self, body: &serde_json::Value) -> Result<CreatedPost, (FetchError, bool)> {
        let url = endpoints::CREATE_POST.url(&self.base, &[], &[]);
        let req = self
            .client
            .post(url)
            .bearer_auth(self.token.expose())
            .timeout(self.timeout)
            .json(body);
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => return Err((FetchError::from_reqwest(&e), !e.is_connect())),
        };
        let resp = http::check_status(resp, Utc::now()).await.map_err(|e| {
            let reached = matches!(e, FetchError::Server { .. });
            (e, reached)
        })?;
        // The post exists now; an odd answer must not make staff post again.
        http::json::<Created>(resp)
            .await
            .map(|c| c.data)
            .map_err(|e| (e, true))
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        let post = &request.post;
        if post.network != Network::X {
            return Err(SendError::NotPosted(format!(
                "this post is from {}, not X",
                post.network
            )));
        }
        let text = self.prepare(post, &request.text).text;
        let body = serde_json::json!({
            "text": text,
            "reply": {"in_reply_to_tweet_id": post.native_id},
        });
        let mut last = FetchError::Transport("no attempt made".into());
        for attempt in 1..=ATTEMPTS {
            match self.attempt(&body).await {
                Ok(created) => return Ok(self.sent(created.id, &created.text, &text)),
                Err((e, true)) => {
                    return Err(SendError::Unconfirmed(format!(
                        "X reply not confirmed ({e}); the text is locked until we know whether it went out \
                         (X has no idempotency key: sending again first looks for it among the shop's posts)"
                    )));
                }
                Err((e, false)) => {
                    let wait = match &e {
                        FetchError::RateLimited { until } => {
                            (*until - Utc::now()).to_std().unwrap_or(Duration::ZERO)
                        }
                        _ => self.retry_delay * attempt,
                    };
                    let retry =
                        e.is_retryable() && attempt < ATTEMPTS && wait <= Duration::from_secs(60);
                    last = e;
                    if !retry {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
        Err(SendError::NotPosted(match &last {
            FetchError::Auth { status: 403, .. } => format!(
                "X refused the reply ({last}); {}",
                self_serve_caution(post, self.shop_handle.as_deref()).unwrap_or_else(|| format!(
                    "the token in {} needs the tweet.write scope (a user-context OAuth 2.0 token)",
                    self.token_hint
                ))
            ),
            FetchError::Auth { .. } => format!(
                "X refused the token ({last}); create a user-context OAuth 2.0 access token with tweet.read, \
                 users.read and tweet.write for your app in the X developer portal (developer.x.com) and put \
                 it in {}",
                self.token_hint
            ),
            FetchError::Client { .. } | FetchError::Malformed(_) => {
                format!("X refused the reply ({last})")
            }
            _ => format!("X could not be reached ({last}); nothing was posted"),
        }))
    }

    fn sent(&self, id: String, server_text: &str, sent: &str) -> SentReply {
        let text = unescape(server_text);
        SentReply {
            url: Some(post_url(self.shop_handle.as_deref(), &id)),
            remote_id: Some(id),
            text: if text.trim().is_empty() {
                sent.to_string()
            } else {
                text
            },
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: Url) -> Result<T, FetchError> {
        let req = self
            .client
            .get(url)
            .bearer_auth(self.token.expose())
            .timeout(self.timeout);
        http::json(http::send(req, Utc::now()).await?).await
    }

    /// Looks among the shop's latest posts for a reply to the post with this text that is not one of `known`.
    async fn find(&self, request: &ReplyRequest, known: Vec<String>) -> Resolution {
        let unknown =
            |e: FetchError| Resolution::Unknown(format!("cannot read the shop's posts on X ({e})"));
        let me: Users<User> = match self.get(endpoints::ME.url(&self.base, &[], &[])).await {
            Ok(me) => me,
            Err(e) => return unknown(e),
        };
        let Some(me) = me.data else {
            return unknown(FetchError::Malformed(
                "/2/users/me answered without data".into(),
            ));
        };
        let url = endpoints::USER_POSTS.url(
            &self.base,
            &[&me.id],
            &[("max_results", RESOLVE_WINDOW.to_string())],
        );
        let page: Page = match self.get(url).await {
            Ok(p) => p,
            Err(e) => return unknown(e),
        };
        let target = request.post.native_id.as_str();
        let sent = self.prepare(&request.post, &request.text).text;
        page.data
            .iter()
            .find(|p| {
                p.replied_to() == Some(target)
                    && !known.contains(&p.id)
                    && comparable(&p.text) == comparable(&sent)
            })
            .map_or(Resolution::NotPosted, |p| {
                Resolution::Posted(self.sent(p.id.clone(), &p.text, &sent))
            })
    }
}

impl Replier for XReplier {
    fn account(&self) -> String {
        match &self.shop_handle {
            Some(h) => format!("@{h} on X"),
            None => "the X token's account".into(),
        }
    }

    /// The text as written: a reply through `in_reply_to_tweet_id` reaches the author without a mention.
    /// Cautions first when the post does not mention or quote the shop (X refuses self-serve apps there).
    fn prepare(&self, post: &Post, text: &str) -> Prepared {
        Prepared {
            text: text.to_string(),
            visibility: "public",
            account: self.account(),
            caution: self_serve_caution(post, self.shop_handle.as_deref()),
        }
    }

    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
        Box::pin(self.post(request))
    }

    fn resolve(&self, request: ReplyRequest, known: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(async move { self.find(&request, known).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_compare_as_x_keeps_them() {
        assert_eq!(
            comparable("Sorry &amp; thanks  https://t.co/abc"),
            comparable("Sorry & thanks\nhttps://shop.example/returns")
        );
        assert_ne!(comparable("Sorry!"), comparable("Sorry!!"));
    }

    #[test]
    fn caution_unless_the_post_mentions_or_quotes_the_shop() {
        let mut post = crate::state::fixture::post(1, "alice", None, false, 5, "my ring broke");
        post.network = Network::X;
        assert!(self_serve_caution(&post, Some("shop")).is_some());
        post.text = "@Shop my ring broke".into();
        assert_eq!(self_serve_caution(&post, Some("shop")), None);
        post.text = "quoting you".into();
        post.reply_ref = Some(serde_json::json!({"mentions_shop": true}));
        assert_eq!(self_serve_caution(&post, Some("shop")), None);
    }
}
