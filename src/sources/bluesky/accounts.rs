//! Finding a customer's Bluesky account: `app.bsky.actor.searchActors?q=NAME&limit=N` through the source's
//! AppView (a public read, like author feeds), then `app.bsky.actor.getProfiles` for the follower counts the
//! search's profile views leave out. Bios are plain text.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::xrpc::Xrpc;
use crate::domain::{Candidate, Network};
use crate::sources::accounts::{AccountSearch, CANDIDATES, SearchFuture, candidate};
use crate::sources::http::FetchError;

pub struct BlueskyAccounts {
    xrpc: Arc<Xrpc>,
}

#[derive(Deserialize)]
struct Actors {
    #[serde(default)]
    actors: Vec<Profile>,
}

#[derive(Deserialize)]
struct Profiles {
    #[serde(default)]
    profiles: Vec<Profile>,
}

/// `app.bsky.actor.defs#profileView` (search) and `#profileViewDetailed` (getProfiles, with counts).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    did: String,
    handle: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    followers_count: Option<u64>,
}

impl BlueskyAccounts {
    pub fn new(xrpc: Arc<Xrpc>) -> BlueskyAccounts {
        BlueskyAccounts { xrpc }
    }

    async fn find(&self, name: &str) -> Result<Vec<Candidate>, FetchError> {
        let query = [
            ("q", name.trim().to_string()),
            ("limit", CANDIDATES.to_string()),
        ];
        let found: Actors = self
            .xrpc
            .public_get("app.bsky.actor.searchActors", &query)
            .await?;
        let actors: Vec<Profile> = found.actors.into_iter().take(CANDIDATES).collect();
        // Follower counts are a nicety: without them the candidates still stand.
        let counts = self.followers(&actors).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "bluesky: getProfiles failed; candidates shown without counts");
            HashMap::new()
        });
        Ok(actors
            .into_iter()
            .filter_map(|p| {
                let followers = p.followers_count.or_else(|| counts.get(&p.did).copied());
                let url = Some(format!("https://bsky.app/profile/{}", p.handle));
                candidate(
                    Network::Bluesky,
                    &p.handle,
                    None,
                    p.display_name.as_deref().unwrap_or_default(),
                    p.description.as_deref().unwrap_or_default(),
                    followers,
                    url,
                )
            })
            .collect())
    }

    async fn followers(&self, actors: &[Profile]) -> Result<HashMap<String, u64>, FetchError> {
        if actors.is_empty() {
            return Ok(HashMap::new());
        }
        let query: Vec<(&str, String)> = actors.iter().map(|a| ("actors", a.did.clone())).collect();
        let found: Profiles = self
            .xrpc
            .public_get("app.bsky.actor.getProfiles", &query)
            .await?;
        Ok(found
            .profiles
            .into_iter()
            .filter_map(|p| Some((p.did, p.followers_count?)))
            .collect())
    }
}

impl AccountSearch for BlueskyAccounts {
    fn network(&self) -> Network {
        Network::Bluesky
    }

    fn search(&self, name: &str) -> SearchFuture<'_> {
        let name = name.to_string();
        Box::pin(async move { self.find(&name).await })
    }
}
