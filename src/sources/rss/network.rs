//! RSS/Atom feeds in the network registry: no accounts, every item a mention.

use super::{RssConfig, RssSource};
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = RssConfig;

    fn build(
        source: &str,
        cfg: &RssConfig,
        _watch: Watch,
        client: &reqwest::Client,
    ) -> Result<Built, String> {
        Ok(Built::source(RssSource::new(source, cfg, client.clone())?))
    }
}
