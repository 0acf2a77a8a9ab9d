//! What the Facebook and Instagram repliers share: where a reply goes (from the post's `reply_ref`), how a
//! failed POST is told apart (never sent, or maybe posted), and finding an unconfirmed reply among the
//! target's comments. Neither API has an idempotency key: a reply whose answer was lost is looked for, never
//! sent again blindly.

use serde_json::Value;

use super::{Edge, Graph, text_of};
use crate::domain::Post;
use crate::sources::http::FetchError;
use crate::sources::{Resolution, SendError, SentReply};

/// `reply_ref.kind` and `reply_ref.target` of a post (the object a reply is posted under).
pub fn target(post: &Post) -> (String, Option<String>) {
    let field = |k: &str| {
        post.reply_ref
            .as_ref()
            .and_then(|r| r.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    (field("kind").unwrap_or_default(), field("target"))
}

/// The send's outcome as the composer needs it. `network` names the API in messages, `fix` is the token fix.
pub fn send_error(network: &str, e: FetchError, fix: &str) -> SendError {
    match e {
        FetchError::Transport(ref why) if why == "could not connect" => SendError::NotPosted(
            format!("{network} could not be reached ({e}); nothing was posted"),
        ),
        FetchError::Transport(_) | FetchError::Server { .. } | FetchError::Malformed(_) => {
            SendError::Unconfirmed(format!(
                "{network} reply not confirmed ({e}); the text is locked until we know whether it went out: \
                 it is looked for among the comments before anything is sent again"
            ))
        }
        FetchError::Auth { .. } => {
            SendError::NotPosted(format!("{network} refused the token ({e}); {fix}"))
        }
        FetchError::RateLimited { until } => SendError::NotPosted(format!(
            "{network} is throttling this app until {}; nothing was posted",
            until.format("%H:%M UTC")
        )),
        FetchError::Client { .. } => {
            SendError::NotPosted(format!("{network} refused the reply ({e})"))
        }
    }
}

/// Looks through one page of `listing` (newest first) for a comment by `is_shop` that is not in `known`.
pub async fn find(
    mut graph: Graph,
    listing: &Edge,
    target: &str,
    params: &[(&str, &str)],
    known: &[String],
    is_shop: impl Fn(&Value) -> bool,
    sent: impl Fn(&Value) -> SentReply,
) -> Resolution {
    let url = graph.url(listing, target, params);
    match graph.get(url).await {
        Ok(page) => page
            .get("data")
            .and_then(Value::as_array)
            .and_then(|items| {
                items.iter().find(|c| {
                    is_shop(c) && text_of(c, "id").is_some_and(|id| !known.iter().any(|k| *k == id))
                })
            })
            .map_or(Resolution::NotPosted, |c| Resolution::Posted(sent(c))),
        Err(e) => Resolution::Unknown(format!("cannot read the comments of {target} ({e})")),
    }
}
