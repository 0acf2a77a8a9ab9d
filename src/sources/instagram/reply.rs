//! Replies as the shop's Instagram account: `POST /{ig-comment-id}/replies` under a comment, or
//! `POST /{ig-media-id}/comments` on a medium the shop is tagged in. Media found by hashtag cannot be
//! commented on through the API. After an unconfirmed send, `resolve` looks for a reply by the shop's username.

use serde_json::Value;

use super::{InstagramConfig, connect, edges};
use crate::domain::{Network, Post};
use crate::sources::graph::{self, Graph, text_of};
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};

#[derive(Debug, Clone)]
pub struct InstagramReplier {
    graph: Graph,
    user_id: String,
    shop_username: Option<String>,
    fix: String,
}

impl InstagramReplier {
    pub fn new(
        name: &str,
        cfg: &InstagramConfig,
        shop_username: Option<String>,
        client: reqwest::Client,
    ) -> Result<InstagramReplier, String> {
        let (graph, token) = connect(name, cfg, client)?;
        Ok(InstagramReplier {
            graph,
            user_id: cfg.ig_user_id.trim().to_string(),
            shop_username: shop_username.map(|u| u.trim().trim_start_matches('@').to_lowercase()),
            fix: super::auth_fix(&token.hint()),
        })
    }

    pub fn with_options(mut self, options: &graph::GraphOptions) -> InstagramReplier {
        self.graph = self.graph.with_options(options);
        self
    }

    fn route(
        post: &Post,
    ) -> Result<(&'static graph::Edge, &'static graph::Edge, String), SendError> {
        if post.network != Network::Instagram {
            return Err(SendError::NotPosted(format!(
                "this post is from {}, not Instagram",
                post.network
            )));
        }
        match graph::reply::target(post) {
            (kind, _) if kind == "hashtag" => Err(SendError::NotPosted(
                "Instagram does not let apps comment on media found by hashtag; open the post and reply in \
                 the Instagram app"
                    .into(),
            )),
            (kind, Some(target)) if kind == "comment" => {
                Ok((&edges::REPLY_TO_COMMENT, &edges::REPLIES, target))
            }
            (_, target) => Ok((
                &edges::COMMENT_ON_MEDIA,
                &edges::MEDIA_COMMENTS,
                target.unwrap_or_else(|| post.native_id.clone()),
            )),
        }
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        let (edge, _, target) = Self::route(&request.post)?;
        let mut graph = self.graph.clone();
        let url = graph.url(edge, &target, &[]);
        let text = request.text.trim().to_string();
        match graph.post(url, &[("message", text.as_str())]).await {
            Ok(v) => Ok(SentReply {
                url: request.post.url.clone(),
                remote_id: text_of(&v, "id").map(|s| s.into_owned()),
                text,
            }),
            Err(e) => Err(graph::reply::send_error("Instagram", e, &self.fix)),
        }
    }

    /// The shop's username: configured, or asked of the API.
    async fn username(&self) -> Result<String, String> {
        if let Some(u) = &self.shop_username {
            return Ok(u.clone());
        }
        let mut graph = self.graph.clone();
        let url = graph.url(&edges::USER, &self.user_id, &[]);
        let me = graph.get(url).await.map_err(|e| e.to_string())?;
        text_of(&me, "username")
            .map(|u| u.to_lowercase())
            .ok_or_else(|| "the account has no username".into())
    }

    async fn find(&self, request: ReplyRequest, known: Vec<String>) -> Resolution {
        let Ok((_, listing, target)) = Self::route(&request.post) else {
            return Resolution::NotPosted;
        };
        let shop = match self.username().await {
            Ok(u) => u,
            Err(e) => return Resolution::Unknown(format!("cannot read the shop's username ({e})")),
        };
        let url = request.post.url.clone();
        graph::reply::find(
            self.graph.clone(),
            listing,
            &target,
            &[("limit", "50")],
            &known,
            |c| {
                text_of(c, "username")
                    .or_else(|| c.get("from").and_then(|f| text_of(f, "username")))
                    .is_some_and(|u| u.eq_ignore_ascii_case(&shop))
            },
            |c: &Value| SentReply {
                url: url.clone(),
                remote_id: text_of(c, "id").map(|s| s.into_owned()),
                text: text_of(c, "text")
                    .map(|s| s.into_owned())
                    .unwrap_or_else(|| request.text.trim().to_string()),
            },
        )
        .await
    }
}

impl Replier for InstagramReplier {
    fn account(&self) -> String {
        match &self.shop_username {
            Some(u) => format!("@{u} on Instagram"),
            None => format!("Instagram account {}", self.user_id),
        }
    }

    /// The text as written; media found by hashtag are cautioned before anything is tried.
    fn prepare(&self, post: &Post, text: &str) -> Prepared {
        let caution = match Self::route(post) {
            Err(SendError::NotPosted(why)) => Some(why),
            _ => None,
        };
        Prepared {
            text: text.trim().to_string(),
            visibility: "public",
            account: self.account(),
            caution,
        }
    }

    fn send(&self, request: ReplyRequest) -> ReplyFuture<'_> {
        Box::pin(self.post(request))
    }

    fn resolve(&self, request: ReplyRequest, known: Vec<String>) -> ResolveFuture<'_> {
        Box::pin(self.find(request, known))
    }
}
