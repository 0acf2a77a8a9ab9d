//! The runner's side of finding handles: every network's account search at once, each with a timeout, and
//! links and unlinks in the store, each answered as a `Msg`.

use std::sync::Arc;
use std::time::Duration;

use crate::app::Msg;
use crate::domain::{Candidate, CustomerId, Handle, Network};
use crate::sources::accounts::{AccountSearch, unavailable};
use crate::store::Store;

/// How long one network's search may take before it is reported as timed out.
pub const SEARCH_TIMEOUT: Duration = Duration::from_secs(20);

/// Searches `name` on every network at once; a network without a search says why.
pub async fn search(
    searches: Vec<(Network, Option<Arc<dyn AccountSearch>>)>,
    name: &str,
    timeout: Duration,
) -> Vec<(Network, Result<Vec<Candidate>, String>)> {
    let runs = searches.into_iter().map(|(network, search)| async move {
        let Some(search) = search else {
            return (network, Err(unavailable(network)));
        };
        let found = match tokio::time::timeout(timeout, search.search(name)).await {
            Ok(Ok(found)) => Ok(found),
            Ok(Err(e)) => Err(format!("search failed: {e}")),
            Err(_) => Err(format!(
                "no answer in {} seconds: try again later",
                timeout.as_secs()
            )),
        };
        if let Err(why) = &found {
            tracing::warn!(%network, why, "account search");
        }
        (network, found)
    });
    futures::future::join_all(runs).await
}

pub async fn link(store: &Store, customer: CustomerId, handle: Handle) -> Msg {
    let stored = handle.clone();
    match store
        .call(move |db| db.link_handle(customer, &stored))
        .await
    {
        Ok(customer) => Msg::HandleLinked { customer, handle },
        Err(e) => Msg::TaskFailed {
            what: format!("linking @{}", handle.handle),
            error: e.to_string(),
        },
    }
}

pub async fn unlink(store: &Store, customer: CustomerId, handle: Handle) -> Msg {
    let (network, text) = (handle.network, handle.handle.clone());
    match store
        .call(move |db| db.unlink_handle(customer, network, &text))
        .await
    {
        Ok(customer) => Msg::HandleUnlinked { customer, handle },
        Err(e) => Msg::TaskFailed {
            what: format!("unlinking @{}", handle.handle),
            error: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::accounts::SearchFuture;
    use crate::sources::http::FetchError;

    struct Slow;
    impl AccountSearch for Slow {
        fn network(&self) -> Network {
            Network::X
        }
        fn search(&self, _: &str) -> SearchFuture<'_> {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(vec![])
            })
        }
    }

    struct Refused;
    impl AccountSearch for Refused {
        fn network(&self) -> Network {
            Network::Bluesky
        }
        fn search(&self, _: &str) -> SearchFuture<'_> {
            Box::pin(async {
                Err(FetchError::Auth {
                    status: 401,
                    detail: "bad password".into(),
                })
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_network_answers_in_the_order_asked_even_when_slow_or_refused() {
        let found = search(
            vec![
                (Network::Mastodon, None),
                (Network::Bluesky, Some(Arc::new(Refused))),
                (Network::X, Some(Arc::new(Slow))),
            ],
            "Priya",
            Duration::from_secs(5),
        )
        .await;
        let said: Vec<(Network, String)> = found
            .into_iter()
            .map(|(n, r)| (n, r.err().unwrap_or_default()))
            .collect();
        assert_eq!(said[0].0, Network::Mastodon);
        assert!(
            said[0].1.starts_with("no mastodon source configured"),
            "{said:?}"
        );
        assert_eq!(
            said[1].1,
            "search failed: authentication refused (401): bad password"
        );
        assert_eq!(said[2].1, "no answer in 5 seconds: try again later");
    }
}
