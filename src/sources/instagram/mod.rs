//! Instagram source (a professional account through the Instagram API with Facebook Login: the Graph API at
//! graph.facebook.com, with a Page access token of the Facebook page the account is connected to).
//!
//! What it reads, each query with its cursor (a time position plus the ids it delivered, see `graph::Reader`):
//! - comments and replies on the shop's recent media: `/{ig-user-id}/media` (`comments_count` says which
//!   changed), then `/{ig-media-id}/comments` with `replies` (cursor `comments:<media-id>`); the medium comes
//!   along as context;
//! - media the shop is tagged in: `/{ig-user-id}/tags` (cursor `tags`);
//! - the shop's hashtags: `/ig_hashtag_search` once per tag (the id is kept as cursor `hashtag:<tag>`), then
//!   `/{ig-hashtag-id}/recent_media` (cursor `tag:<tag>`), best effort. Instagram allows 30 unique hashtags
//!   per account in a rolling 7 days: past that a hashtag is refused here, with the reason, not by the API.
//!
//! Mentions of `@shop` in others' captions and comments reach apps only through webhooks, which a console
//! without a public address cannot receive: they are not read (tags and hashtags are).

mod doctor;
pub mod edges;
mod hashtags;
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
pub use reply::InstagramReplier;

/// `[sources.<name>]` with `kind = "instagram"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstagramConfig {
    /// The Instagram professional account's id (`GET /{page-id}?fields=instagram_business_account`).
    pub ig_user_id: String,
    /// The environment variable holding the access token (a Page token of the connected page).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Or a file holding it, mode 0600.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    #[serde(default = "graph::default_api_version")]
    pub api_version: String,
    #[serde(default = "graph::default_graph_url")]
    pub graph_url: String,
    /// Seconds between rounds (default 120).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// How many of the shop's newest media are watched for comments (default 25).
    #[serde(default = "default_watch_media")]
    pub watch_media: u32,
    /// Search the shop's hashtags (default true; needs the Instagram Public Content Access feature).
    #[serde(default = "crate::sources::yes")]
    pub hashtag_search: bool,
}

fn default_poll_seconds() -> u64 {
    120
}

fn default_watch_media() -> u32 {
    25
}

/// The permissions the token needs for everything this source and its replier do.
pub const PERMISSIONS: &[&str] = &[
    "instagram_basic",
    "instagram_manage_comments",
    "pages_show_list",
    "pages_read_engagement",
];

/// Checks the table without reading the token (run when the config is loaded).
pub(crate) fn validate(name: &str, cfg: &InstagramConfig) -> Result<(), String> {
    let what = format!("sources.{name}");
    let id = cfg.ig_user_id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{what}.ig_user_id: `{}` is not an Instagram account id; read it with \
             GET /{{page-id}}?fields=instagram_business_account",
            cfg.ig_user_id
        ));
    }
    cfg.access().check(&what)
}

/// The Graph client and token source of a config; errors name the field and the fix.
pub(crate) fn connect(
    name: &str,
    cfg: &InstagramConfig,
    client: reqwest::Client,
) -> Result<(Graph, TokenSource), String> {
    validate(name, cfg)?;
    cfg.access().connect(name, client)
}

impl InstagramConfig {
    fn access(&self) -> graph::Access<'_> {
        graph::Access {
            graph_url: &self.graph_url,
            api_version: &self.api_version,
            token_env: self.token_env.as_deref(),
            token_file: self.token_file.as_deref(),
        }
    }
}

/// The fix for a refused token.
pub(crate) fn auth_fix(hint: &str) -> String {
    format!(
        "create a Page access token of the Facebook page connected to the Instagram account, with the \
         permissions {}, and put it in {hint}",
        PERMISSIONS.join(", ")
    )
}

/// A Instagram source: the shared Graph source over this network's config.
pub type InstagramSource = GraphSource<InstagramConfig>;

impl GraphNetwork for InstagramConfig {
    type Feeds = poll::Feeds;

    fn poll_seconds(&self) -> u64 {
        self.poll_seconds
    }

    fn connect(&self, name: &str, client: reqwest::Client) -> Result<(Graph, TokenSource), String> {
        connect(name, self, client)
    }

    fn feeds(&self, source: &InstagramSource, cursors: HashMap<String, String>) -> poll::Feeds {
        poll::Feeds::new(
            source.graph.clone(),
            cursors,
            self,
            &source.watch,
            source.token.clone(),
        )
    }

    fn doctor<'a>(
        source: &'a InstagramSource,
        cursors: &'a HashMap<String, String>,
    ) -> CheckFuture<'a> {
        Box::pin(source.checks(cursors))
    }
}
