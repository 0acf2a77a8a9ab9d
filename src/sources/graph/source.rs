//! A Graph network's source: its config, the client, where the token comes from and what the shop watches.
//! Facebook and Instagram differ only in their config, their queries and their `doctor`
//! ([`GraphNetwork`]); building and running the source is the same.

use std::collections::HashMap;

use super::{Graph, GraphOptions, TokenSource};
use crate::sources::poller;
use crate::sources::{CheckFuture, Source, SourceCtx, SourceFuture, Watch};

/// What a Graph network's config tells its source.
pub trait GraphNetwork: Clone + std::fmt::Debug + Send + Sync + Sized + 'static {
    /// The network's queries for the shared poller.
    type Feeds: poller::Network + 'static;

    fn poll_seconds(&self) -> u64;

    /// The client and the token's source for the source named `name`; errors name the field and the fix.
    fn connect(&self, name: &str, client: reqwest::Client) -> Result<(Graph, TokenSource), String>;

    fn feeds(&self, source: &GraphSource<Self>, cursors: HashMap<String, String>) -> Self::Feeds;

    /// `regulars doctor` for the source.
    fn doctor<'a>(
        source: &'a GraphSource<Self>,
        cursors: &'a HashMap<String, String>,
    ) -> CheckFuture<'a>;
}

#[derive(Debug)]
pub struct GraphSource<C> {
    pub name: String,
    pub cfg: C,
    pub graph: Graph,
    pub token: TokenSource,
    pub watch: Watch,
    options: GraphOptions,
}

impl<C: GraphNetwork> GraphSource<C> {
    pub fn new(
        name: String,
        cfg: &C,
        watch: Watch,
        client: reqwest::Client,
    ) -> Result<GraphSource<C>, String> {
        let (graph, token) = cfg.connect(&name, client)?;
        if cfg.poll_seconds() == 0 {
            return Err(format!("sources.{name}.poll_seconds: must be at least 1"));
        }
        Ok(GraphSource {
            name,
            cfg: cfg.clone(),
            graph,
            token,
            watch,
            options: GraphOptions::default(),
        })
    }

    pub fn with_options(mut self, options: GraphOptions) -> GraphSource<C> {
        self.graph = self.graph.with_options(&options);
        self.options = options;
        self
    }
}

impl<C: GraphNetwork> Source for GraphSource<C> {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(self: Box<Self>, ctx: SourceCtx) -> SourceFuture {
        Box::pin(async move {
            let feeds = self.cfg.feeds(&self, ctx.cursors.clone());
            poller::run(feeds, &ctx, self.options.timing(self.cfg.poll_seconds())).await;
            Ok(())
        })
    }

    fn doctor<'a>(&'a self, cursors: &'a HashMap<String, String>) -> CheckFuture<'a> {
        C::doctor(self, cursors)
    }
}
