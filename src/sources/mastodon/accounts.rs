//! Finding a customer's Mastodon account: `GET /api/v2/search?q=NAME&type=accounts&resolve=false&limit=N` with
//! the source's token (Mastodon 4.x; `resolve=false`: only accounts the instance already knows, no WebFinger
//! lookups on other servers). A local account's `acct` has no domain: it lives on the source's instance.

use serde::Deserialize;
use url::Url;

use super::client::Api;
use super::{MastodonConfig, credentials};
use crate::domain::{Candidate, Network};
use crate::sources::accounts::{AccountSearch, CANDIDATES, SearchFuture, candidate};
use crate::sources::http::FetchError;
use crate::sources::secret::Secret;
use crate::text::html_to_text;

pub struct MastodonAccounts {
    client: reqwest::Client,
    base: Url,
    token: Secret,
}

/// The answer of `/api/v2/search`: accounts only, as asked.
#[derive(Deserialize)]
struct Results {
    #[serde(default)]
    accounts: Vec<Account>,
}

#[derive(Deserialize)]
struct Account {
    #[serde(default)]
    acct: String,
    #[serde(default)]
    display_name: Option<String>,
    /// The profile's bio, HTML.
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    followers_count: Option<u64>,
    #[serde(default)]
    url: Option<String>,
}

impl MastodonAccounts {
    pub fn new(
        source: &str,
        cfg: &MastodonConfig,
        client: reqwest::Client,
    ) -> Result<MastodonAccounts, String> {
        let (base, token, _) = credentials(&format!("sources.{source}"), cfg)?;
        Ok(MastodonAccounts {
            client,
            base,
            token,
        })
    }

    async fn find(&self, name: &str) -> Result<Vec<Candidate>, FetchError> {
        let mut api = Api {
            client: self.client.clone(),
            base: self.base.clone(),
            token: self.token.clone(),
            rate: None,
            timeout: None,
        };
        let mut url = api.url(&["api", "v2", "search"]);
        url.query_pairs_mut()
            .append_pair("q", name.trim())
            .append_pair("type", "accounts")
            .append_pair("resolve", "false")
            .append_pair("limit", &CANDIDATES.to_string());
        let results: Results = api.get_json(url).await?;
        let home = self.base.host_str().map(str::to_ascii_lowercase);
        Ok(results
            .accounts
            .into_iter()
            .filter_map(|a| {
                candidate(
                    Network::Mastodon,
                    &a.acct,
                    home.as_deref(),
                    a.display_name.as_deref().unwrap_or_default(),
                    &html_to_text(a.note.as_deref().unwrap_or_default()),
                    a.followers_count,
                    a.url,
                )
            })
            .take(CANDIDATES)
            .collect())
    }
}

impl AccountSearch for MastodonAccounts {
    fn network(&self) -> Network {
        Network::Mastodon
    }

    fn search(&self, name: &str) -> SearchFuture<'_> {
        let name = name.to_string();
        Box::pin(async move { self.find(&name).await })
    }
}
