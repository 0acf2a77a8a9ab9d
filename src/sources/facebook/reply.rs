//! Replies as the page: `POST /{object-id}/comments` with `message` (a comment's thread, or under a visitor's
//! post, a post tagging the page or a recommendation's story). After an unconfirmed send, `resolve` looks for
//! a comment by the page among the target's newest comments.

use serde_json::Value;

use super::{FacebookConfig, connect, edges};
use crate::domain::{Network, Post};
use crate::sources::graph::{self, Graph, text_of};
use crate::sources::{
    Prepared, Replier, ReplyFuture, ReplyRequest, Resolution, ResolveFuture, SendError, SentReply,
};

#[derive(Debug, Clone)]
pub struct FacebookReplier {
    graph: Graph,
    page_id: String,
    shop_name: Option<String>,
    fix: String,
}

fn web_url(id: &str) -> String {
    format!("https://www.facebook.com/{id}")
}

impl FacebookReplier {
    pub fn new(
        name: &str,
        cfg: &FacebookConfig,
        shop_name: Option<String>,
        client: reqwest::Client,
    ) -> Result<FacebookReplier, String> {
        let (graph, token) = connect(name, cfg, client)?;
        let page_id = cfg.page_id.trim().to_string();
        Ok(FacebookReplier {
            fix: super::poll::auth_fix(&page_id, &token.hint()),
            graph,
            page_id,
            shop_name,
        })
    }

    pub fn with_options(mut self, options: &graph::GraphOptions) -> FacebookReplier {
        self.graph = self.graph.with_options(options);
        self
    }

    /// Where the reply goes and through which edge; `Err` when Facebook offers no way to reply.
    fn route(post: &Post) -> Result<(&'static graph::Edge, String), SendError> {
        if post.network != Network::Facebook {
            return Err(SendError::NotPosted(format!(
                "this post is from {}, not Facebook",
                post.network
            )));
        }
        match graph::reply::target(post) {
            (kind, Some(target)) if kind == "comment" => Ok((&edges::REPLY_TO_COMMENT, target)),
            (_, Some(target)) => Ok((&edges::REPLY_TO_POST, target)),
            (kind, None) if kind == "rating" => Err(SendError::NotPosted(
                "Facebook gives this recommendation no story to comment on; answer it on the page"
                    .into(),
            )),
            (_, None) => Ok((&edges::REPLY_TO_POST, post.native_id.clone())),
        }
    }

    async fn post(&self, request: ReplyRequest) -> Result<SentReply, SendError> {
        let (edge, target) = Self::route(&request.post)?;
        let mut graph = self.graph.clone();
        let url = graph.url(edge, &target, &[]);
        let text = request.text.trim().to_string();
        match graph.post(url, &[("message", text.as_str())]).await {
            Ok(v) => {
                let id = text_of(&v, "id").map(|s| s.into_owned());
                Ok(SentReply {
                    url: id.as_deref().map(web_url),
                    remote_id: id,
                    text,
                })
            }
            Err(e) => Err(graph::reply::send_error("Facebook", e, &self.fix)),
        }
    }

    async fn find(&self, request: ReplyRequest, known: Vec<String>) -> Resolution {
        let (edge, target) = match Self::route(&request.post) {
            Ok(route) => route,
            Err(_) => return Resolution::NotPosted,
        };
        let listing = if edge == &edges::REPLY_TO_COMMENT {
            &edges::THREAD
        } else {
            &edges::POST_COMMENTS
        };
        let page = self.page_id.clone();
        graph::reply::find(
            self.graph.clone(),
            listing,
            &target,
            &[
                ("filter", "toplevel"),
                ("order", "reverse_chronological"),
                ("limit", "50"),
            ],
            &known,
            |c| super::map::from_id(c).as_deref() == Some(page.as_str()),
            |c: &Value| {
                let id = text_of(c, "id").map(|s| s.into_owned());
                SentReply {
                    url: text_of(c, "permalink_url")
                        .map(|s| s.into_owned())
                        .or_else(|| id.as_deref().map(web_url)),
                    remote_id: id,
                    text: text_of(c, "message")
                        .map(|s| s.into_owned())
                        .unwrap_or_else(|| request.text.trim().to_string()),
                }
            },
        )
        .await
    }
}

impl Replier for FacebookReplier {
    fn account(&self) -> String {
        match &self.shop_name {
            Some(name) => format!("the page {name}"),
            None => format!("the page {}", self.page_id),
        }
    }

    /// The text as written; the caution says where a reply goes when it is not where staff may expect.
    fn prepare(&self, post: &Post, text: &str) -> Prepared {
        let caution = match (Self::route(post), graph::reply::target(post)) {
            (Err(SendError::NotPosted(why)), _) => Some(why),
            (Ok(_), (kind, Some(target))) if kind == "comment" && target != post.native_id => Some(
                "Facebook threads are one level deep: this reply goes at the end of the thread this comment is in"
                    .into(),
            ),
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
