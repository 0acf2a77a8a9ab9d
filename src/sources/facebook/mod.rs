//! Facebook Pages source (Graph API, a Page access token).
//!
//! What it reads, each query with its cursor (a time position plus the ids it delivered, see `graph::Reader`):
//! - visitor posts: `/{page-id}/feed`, keeping the posts of others (cursor `feed`); `/{page-id}/visitor_posts`
//!   is not served for pages on the New Pages Experience, the feed is;
//! - comments and their reply threads on the page's recent posts: `/{page-id}/posts` (a post's `updated_time`
//!   moves when someone comments), then `/{post-id}/comments?filter=stream&order=reverse_chronological&since=`
//!   (cursor `comments:<post-id>`); the post and a reply's parent come along as context;
//! - posts that tag the page: `/{page-id}/tagged` (cursor `tagged`), best effort;
//! - ratings and recommendations: `/{page-id}/ratings` (cursor `ratings`), best effort.
//!
//! Replies are comments (`POST /{object-id}/comments`). Rounds, backoff, health and re-checking the token are
//! the shared poller's; usage headers and throttling codes are `graph`'s.

mod doctor;
pub mod edges;
pub mod map;
pub mod network;
mod poll;
pub mod reply;

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::sources::CheckFuture;
use crate::sources::graph::{self, Graph, GraphNetwork, GraphSource, TokenSource};
pub use edges::EDGES;
pub use reply::FacebookReplier;

/// `[sources.<name>]` with `kind = "facebook"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacebookConfig {
    /// The page's numeric id (Page settings > About, or `GET /me?fields=id` with the page token).
    pub page_id: String,
    /// The environment variable holding the Page access token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Or a file holding it, mode 0600.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// The Graph API version (default `graph::API_VERSION`).
    #[serde(default = "graph::default_api_version")]
    pub api_version: String,
    #[serde(default = "graph::default_graph_url")]
    pub graph_url: String,
    /// Seconds between rounds (default 120: every page post watched costs a call when it has new comments).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// How many of the page's newest posts are watched for comments (default 25).
    #[serde(default = "default_watch_posts")]
    pub watch_posts: u32,
    /// Read posts that tag the page (default true).
    #[serde(default = "crate::sources::yes")]
    pub tagged: bool,
    /// Read ratings and recommendations (default true).
    #[serde(default = "crate::sources::yes")]
    pub ratings: bool,
}

fn default_poll_seconds() -> u64 {
    120
}

fn default_watch_posts() -> u32 {
    25
}

/// The permissions a Page token needs for everything this source and its replier do.
pub const PERMISSIONS: &[&str] = &[
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
];

/// Checks the table without reading the token (run when the config is loaded).
pub(crate) fn validate(name: &str, cfg: &FacebookConfig) -> Result<(), String> {
    let what = format!("sources.{name}");
    let id = cfg.page_id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{what}.page_id: `{}` is not a page id; use the page's numeric id (Page settings > About)",
            cfg.page_id
        ));
    }
    cfg.access().check(&what)
}

/// The Graph client and token source of a config; errors name the field and the fix.
pub(crate) fn connect(
    name: &str,
    cfg: &FacebookConfig,
    client: reqwest::Client,
) -> Result<(Graph, TokenSource), String> {
    validate(name, cfg)?;
    cfg.access().connect(name, client)
}

impl FacebookConfig {
    fn access(&self) -> graph::Access<'_> {
        graph::Access {
            graph_url: &self.graph_url,
            api_version: &self.api_version,
            token_env: self.token_env.as_deref(),
            token_file: self.token_file.as_deref(),
        }
    }
}

/// A Facebook source: the shared Graph source over this network's config.
pub type FacebookSource = GraphSource<FacebookConfig>;

impl GraphNetwork for FacebookConfig {
    type Feeds = poll::Feeds;

    fn poll_seconds(&self) -> u64 {
        self.poll_seconds
    }

    fn connect(&self, name: &str, client: reqwest::Client) -> Result<(Graph, TokenSource), String> {
        connect(name, self, client)
    }

    fn feeds(&self, source: &FacebookSource, cursors: HashMap<String, String>) -> poll::Feeds {
        poll::Feeds::new(
            source.graph.clone(),
            cursors,
            self,
            source.watch.shop_handle.clone(),
            source.token.clone(),
        )
    }

    fn doctor<'a>(
        source: &'a FacebookSource,
        cursors: &'a HashMap<String, String>,
    ) -> CheckFuture<'a> {
        Box::pin(source.checks(cursors))
    }
}
