//! Finding a customer's X account: `GET /2/users/search?query=NAME&max_results=N` with
//! `user.fields=description,public_metrics` (X's description: a user-context token, so the replying token is
//! used when one is configured). X takes a query of letters A-Z, digits, `_`, `'` and spaces only (at most 50):
//! other characters are left out (`Zoë Brontë` searches `Zo Bront`).
//!
//! X bills user reads like post reads, but `monthly_read_budget` counts posts: a search reads at most
//! [`CANDIDATES`] users and is not counted in it.

use serde::Deserialize;
use url::Url;

use super::client::Api;
use super::{XConfig, endpoints};
use crate::domain::{Candidate, Network};
use crate::sources::accounts::{AccountSearch, CANDIDATES, SearchFuture, candidate};
use crate::sources::http::FetchError;
use crate::sources::secret::Secret;

pub struct XAccounts {
    client: reqwest::Client,
    base: Url,
    token: Secret,
}

#[derive(Deserialize)]
struct Found {
    #[serde(default)]
    data: Vec<User>,
}

#[derive(Deserialize)]
struct User {
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    public_metrics: Option<Metrics>,
}

#[derive(Deserialize)]
struct Metrics {
    #[serde(default)]
    followers_count: Option<u64>,
}

/// A name as X's search takes it (`^[A-Za-z0-9_' ]{1,50}$`): other characters left out, a hyphen or a dot
/// between words a space; `None` when nothing is left.
pub fn query_of(name: &str) -> Option<String> {
    let kept: String = name
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '_' | '\'' => Some(c),
            c if c.is_whitespace() || matches!(c, '-' | '.' | ',') => Some(' '),
            _ => None,
        })
        .collect();
    let words = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let query: String = words.chars().take(50).collect();
    let query = query.trim_end().to_string();
    (!query.is_empty()).then_some(query)
}

impl XAccounts {
    pub fn new(source: &str, cfg: &XConfig, client: reqwest::Client) -> Result<XAccounts, String> {
        let what = format!("sources.{source}");
        Ok(XAccounts {
            client,
            base: cfg.base(&what)?,
            token: cfg.reply_token(&what).load()?,
        })
    }

    async fn find(&self, name: &str) -> Result<Vec<Candidate>, FetchError> {
        let Some(query) = query_of(name) else {
            return Err(FetchError::Client {
                status: 400,
                detail: format!(
                    "X searches names in letters A-Z, digits, _ and ' only, and `{name}` has none"
                ),
            });
        };
        let mut api = Api {
            client: self.client.clone(),
            base: self.base.clone(),
            token: self.token.clone(),
            rate: None,
            timeout: None,
        };
        let params = [("query", query), ("max_results", CANDIDATES.to_string())];
        let found: Found =
            crate::sources::http::json(api.get(&endpoints::USERS_SEARCH, &[], &params).await?)
                .await?;
        Ok(found
            .data
            .into_iter()
            .filter_map(|u| {
                let url = Some(format!("https://x.com/{}", u.username));
                candidate(
                    Network::X,
                    &u.username,
                    None,
                    &u.name,
                    u.description.as_deref().unwrap_or_default(),
                    u.public_metrics.and_then(|m| m.followers_count),
                    url,
                )
            })
            .take(CANDIDATES)
            .collect())
    }
}

impl AccountSearch for XAccounts {
    fn network(&self) -> Network {
        Network::X
    }

    fn search(&self, name: &str) -> SearchFuture<'_> {
        let name = name.to_string();
        Box::pin(async move { self.find(&name).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_x_search_takes_them() {
        assert_eq!(query_of("Priya Kaur").as_deref(), Some("Priya Kaur"));
        assert_eq!(
            query_of("Zoë Brontë-Smith").as_deref(),
            Some("Zo Bront Smith")
        );
        assert_eq!(query_of("Seán O'Neill").as_deref(), Some("Sen O'Neill"));
        assert_eq!(query_of("李小龍"), None);
        assert_eq!(query_of(&"a".repeat(80)).map(|q| q.len()), Some(50));
    }
}
