//! JSONL files and stdin in the network registry: lines may name any network; replies go where they name.

use super::{JsonlConfig, JsonlSource};
use crate::sources::Watch;
use crate::sources::registry::{Built, NetworkKind};

pub struct Kind;

impl NetworkKind for Kind {
    type Config = JsonlConfig;

    fn build(
        source: &str,
        cfg: &JsonlConfig,
        _watch: Watch,
        _client: &reqwest::Client,
    ) -> Result<Built, String> {
        Ok(Built::source(JsonlSource::new(source, cfg)?))
    }
}
