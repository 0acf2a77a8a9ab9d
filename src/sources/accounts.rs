//! Finding a customer's accounts: each network's account search by name, where its API offers one to the
//! shop's credentials. A network's search lives in its folder (`accounts.rs`) and comes out of its registry
//! entry with the source it is configured for; nothing found here is linked until a person confirms it.

use std::future::Future;
use std::pin::Pin;

use crate::domain::{Candidate, Network};
use crate::sources::http::FetchError;
use crate::text::sanitize;

/// How many accounts a search asks for: enough to spot the right person, few enough to read.
pub const CANDIDATES: usize = 8;

pub type SearchFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Candidate>, FetchError>> + Send + 'a>>;

/// One network's account search, as one configured source's account.
pub trait AccountSearch: Send + Sync {
    fn network(&self) -> Network;
    /// Accounts matching a person's name, as the network ranks them, at most [`CANDIDATES`].
    fn search(&self, name: &str) -> SearchFuture<'_>;
}

/// Why `network` cannot be searched here: its API has no account search, or no source of it is configured.
pub fn unavailable(network: Network) -> String {
    match network.account_search() {
        Err(why) => format!("{network} cannot be searched: {why}"),
        Ok(()) => format!(
            "no {network} source configured: add [sources.<name>] with kind = \"{network}\" to search it"
        ),
    }
}

/// A candidate from what a network sent: the handle in the network's registry form (`home`: the server a
/// bare handle lives on), names and bio sanitized. `None` (logged) when the handle is not one.
pub(crate) fn candidate(
    network: Network,
    raw_handle: &str,
    home: Option<&str>,
    display_name: &str,
    bio: &str,
    followers: Option<u64>,
    url: Option<String>,
) -> Option<Candidate> {
    let handle = match network.handle(raw_handle, home) {
        Ok(handle) => handle,
        Err(why) => {
            tracing::warn!(%network, why, "an account search answered an odd handle; skipped");
            return None;
        }
    };
    Some(Candidate {
        network,
        handle,
        display_name: crate::text::one_line(&sanitize(display_name)),
        bio: sanitize(bio),
        followers,
        url: url
            .map(|u| sanitize(&u))
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_normalised_and_sanitized() {
        let c = candidate(
            Network::Mastodon,
            "Priya",
            Some("social.example"),
            "Priya \u{1b}[31mRed\u{1b}[0m\nKaur",
            "bio\u{202e}txt",
            Some(12),
            Some("javascript:alert(1)".into()),
        )
        .unwrap();
        assert_eq!(c.handle, "priya@social.example");
        assert_eq!(c.display_name, "Priya Red Kaur");
        assert_eq!(c.bio, "biotxt");
        assert_eq!(c.url, None);
        assert!(candidate(Network::X, "not a name!", None, "", "", None, None).is_none());
    }

    #[test]
    fn unavailable_says_why_and_the_fix() {
        assert!(
            unavailable(Network::Mastodon).contains("[sources.<name>] with kind = \"mastodon\"")
        );
        assert!(unavailable(Network::Facebook).starts_with("facebook cannot be searched: "));
    }
}
