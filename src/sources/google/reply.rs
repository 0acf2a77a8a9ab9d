//! Replies: `PUT v4/{review}/reply` with `{"comment": ..}`. Google keeps one reply per review and this call
//! upserts it: a second reply replaces the first, never adds another. The same PUT sent twice leaves the same
//! reply, so a retry after a timeout is safe; an unconfirmed send is resolved by reading the review's reply.

use std::time::Duration;

use tokio::sync::Mutex;

use super::api::ReviewReply;
use super::client::{self, Api};
use super::config::{GoogleConfig, Setup};
use crate::domain::{Network, Post};
use crate::sources::http::FetchError;
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};

const ATTEMPTS: u32 = 3;
/// `ReviewReply.comment` is at most 4096 bytes.
pub const MAX_REPLY_BYTES: usize = 4096;

pub struct GoogleReplier {
    /// One client, its token refreshed in place (the lock also keeps two sends from minting at once).
    api: Mutex<Api>,
    hint: String,
    retry_delay: Duration,
}

/// The review a post is a version of: `reply_ref.review`, or its native id without the fingerprint.
pub fn review_of(post: &Post) -> String {
    post.reply_ref
        .as_ref()
        .and_then(|r| r.get("review"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let id = post.native_id.as_str();
            id.split_once('#').map_or(id, |(name, _)| name).to_string()
        })
}

/// Whether the review had the shop's reply when it was read: a new one replaces it.
fn has_reply(post: &Post) -> bool {
    post.reply_ref
        .as_ref()
        .and_then(|r| r.get("replied"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

impl GoogleReplier {
    pub fn new(
        name: &str,
        cfg: &GoogleConfig,
        client: reqwest::Client,
    ) -> Result<GoogleReplier, String> {
        let setup = Setup::load(name, cfg)?;
        let hint = setup.hint.clone();
        Ok(GoogleReplier {
            api: Mutex::new(Api::new(client, setup, Duration::from_secs(30))),
            hint,
            retry_delay: Duration::from_secs(2),
        })
    }

    /// Per-attempt timeout (default 30 s) and the pause before a retry (default 2 s).
    pub fn with_timing(self, timeout: Duration, retry_delay: Duration) -> GoogleReplier {
        let mut api = self.api.into_inner();
        api.timeout = timeout;
        GoogleReplier {
            api: Mutex::new(api),
            hint: self.hint,
            retry_delay,
        }
    }

    async fn put(&self, review: &str, text: &str) -> Result<ReviewReply, FetchError> {
        let mut api = self.api.lock().await;
        let first = api.update_reply(review, text).await;
        let resp = match first {
            // An expired access token: mint a new one and send again (a PUT twice is one reply).
            Err(FetchError::Auth { status: 401, .. }) if api.refresh().await? => {
                api.update_reply(review, text).await?
            }
            other => other?,
        };
        // The reply exists now; an odd body must not make staff send again.
        Ok(crate::sources::http::json::<ReviewReply>(resp)
            .await
            .unwrap_or_default())
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        let post = &request.post;
        if post.network != Network::Google {
            return Err(SendError::NotPosted(format!(
                "this post is from {}, not Google reviews",
                post.network
            )));
        }
        let text = self.prepare(post, &request.text).text;
        if text.trim().is_empty() {
            return Err(SendError::NotPosted("the reply is empty".into()));
        }
        if text.len() > MAX_REPLY_BYTES {
            return Err(SendError::NotPosted(format!(
                "Google takes replies of at most {MAX_REPLY_BYTES} bytes; this one has {}: shorten it",
                text.len()
            )));
        }
        let review = review_of(post);
        let mut last = None;
        let mut maybe_posted = false;
        for attempt in 1..=ATTEMPTS {
            match self.put(&review, &text).await {
                Ok(reply) => return Ok(sent(&review, post, reply, &text)),
                Err(e) => {
                    maybe_posted |=
                        matches!(e, FetchError::Server { .. } | FetchError::Transport(_));
                    let retry = matches!(e, FetchError::Server { .. } | FetchError::Transport(_))
                        && attempt < ATTEMPTS;
                    last = Some(e);
                    if !retry {
                        break;
                    }
                    tracing::warn!(attempt, error = ?last, "google reply: sending the same reply again");
                    tokio::time::sleep(self.retry_delay * attempt).await;
                }
            }
        }
        let e = last.unwrap_or(FetchError::Transport("no attempt made".into()));
        Err(match e {
            _ if maybe_posted => SendError::Unconfirmed(format!(
                "Google reply not confirmed ({e}); the text is locked until the review shows whether it went \
                 out (sending again only sets the same reply)"
            )),
            FetchError::Auth { status, ref detail } => SendError::NotPosted(format!(
                "Google refused the reply ({e}); {}",
                client::fix(status, detail, &self.hint)
            )),
            FetchError::RateLimited { until } => SendError::NotPosted(format!(
                "Google's quota is spent until {}; nothing was posted, send again then",
                until.format("%H:%M:%S")
            )),
            FetchError::Client { status: 404, .. } => SendError::NotPosted(
                "Google no longer has this review (deleted by the reviewer or removed); nothing was posted"
                    .into(),
            ),
            _ => SendError::NotPosted(format!("Google refused the reply ({e}); nothing was posted")),
        })
    }

    /// Reads the review: the reply went out if the review's reply is the text sent.
    async fn find(&self, request: ReplyRequest) -> Resolution {
        let review = review_of(&request.post);
        let text = self.prepare(&request.post, &request.text).text;
        let mut api = self.api.lock().await;
        let mut got = api.review(&review).await;
        if let Err(FetchError::Auth { status: 401, .. }) = got
            && matches!(api.refresh().await, Ok(true))
        {
            got = api.review(&review).await;
        }
        match got {
            Ok(r) => match r.review_reply {
                Some(reply) if reply.comment.trim() == text.trim() => {
                    Resolution::Posted(sent(&review, &request.post, reply, &text))
                }
                _ => Resolution::NotPosted,
            },
            Err(e) => Resolution::Unknown(format!("cannot read the review on Google ({e})")),
        }
    }
}

/// The reply as Google has it; its id names the review's reply and when it was set (each send is a version).
fn sent(review: &str, post: &Post, reply: ReviewReply, text: &str) -> SentReply {
    let at = reply
        .update_time
        .map(|t| {
            format!(
                "@{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            )
        })
        .unwrap_or_default();
    SentReply {
        url: post.url.clone(),
        remote_id: Some(format!("{review}/reply{at}")),
        text: if reply.comment.trim().is_empty() {
            text.to_string()
        } else {
            reply.comment
        },
    }
}

impl Replier for GoogleReplier {
    /// A review has one reply: a resend replaces it with the same text.
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn account(&self) -> String {
        "the shop's Business Profile (as the token's Google account)".into()
    }

    /// The text as written: a review reply mentions nobody and is public on Maps and Search. Staff are told
    /// when it will replace the reply the review already has, or be refused for its length.
    fn prepare(&self, post: &Post, text: &str) -> Prepared {
        let text = text.trim_end().to_string();
        let caution = if text.len() > MAX_REPLY_BYTES {
            Some(format!(
                "Google takes replies of at most {MAX_REPLY_BYTES} bytes; this one has {}: shorten it",
                text.len()
            ))
        } else {
            has_reply(post).then(|| {
                "this review already has the shop's reply on Google: sending replaces it (one reply per \
                 review)"
                    .to_string()
            })
        };
        Prepared {
            text,
            visibility: "public",
            account: self.account(),
            caution,
        }
    }

    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
        Box::pin(self.post(request))
    }

    fn resolve(&self, request: ReplyRequest, _known: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(self.find(request))
    }
}
