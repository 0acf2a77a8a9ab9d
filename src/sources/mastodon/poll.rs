//! The Mastodon network for the shared poller: which queries run, account lookups, the instance, re-login and
//! the live side. The timelines themselves are read in `timeline.rs`; the REST client is `client.rs`.

use std::collections::HashMap;

use tokio::time::{Duration, Instant};

use super::api;
use super::client::Api;
use super::stream::Streaming;
use super::timeline::Kind;
use crate::domain::IncomingPost;
use crate::domain::Network;
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Live, Out, Seen, Stop};
use crate::sources::{Cursor, SourceEvent, Watch};

/// While streaming, every this many rounds is a full one (mentions and hashtags too).
const FULL_ROUND_EVERY: u32 = 5;
/// Account ids are looked up again at least this often (an account can move or be deleted and recreated).
const LOOKUP_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// What a query reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// `/api/v2/instance`, until read once: the handle domain, the post length limit, the streaming URL.
    Instance,
    /// A customer's statuses (`acct` as configured).
    Customer(String),
    Mentions,
    Tag(String),
    Search(String),
}

/// Where the token comes from, so a re-login reads it again (the user may have put a new one there).
pub(crate) struct TokenSource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<std::path::PathBuf>,
    /// For fixes: "the environment variable X" or the file's path.
    pub hint: String,
}

/// A running Mastodon source's state: the API, the cursors as they advance, what to read.
pub(crate) struct Feeds {
    pub api: Api,
    pub cursors: HashMap<String, String>,
    /// The domain in local handles (`alice` on this instance is `alice@<local_domain>`).
    pub local_domain: String,
    pub watch: Watch,
    pub keyword_search: bool,
    pub token: TokenSource,
    pub stream: Option<Streaming>,
    instance_read: bool,
    /// Recently delivered ids per cursor key (stored as cursor `seen:<key>`).
    pub(super) seen: HashMap<String, Seen>,
    /// When each customer's account id was looked up.
    looked_up: HashMap<String, Instant>,
    /// Statuses fetched (or tried) as context lately: not fetched again.
    pub(super) context_seen: Seen,
    rounds: u32,
}

impl Feeds {
    pub fn new(
        api: Api,
        cursors: HashMap<String, String>,
        watch: Watch,
        keyword_search: bool,
        token: TokenSource,
        stream: Option<Streaming>,
    ) -> Feeds {
        let local_domain = api.base.host_str().unwrap_or_default().to_ascii_lowercase();
        // Ids cached by an earlier run count as fresh: a vanished account is looked up again when it 404s.
        let looked_up = cursors
            .keys()
            .filter_map(|k| k.strip_prefix("account-id:"))
            .map(|acct| (acct.to_string(), Instant::now()))
            .collect();
        Feeds {
            api,
            cursors,
            local_domain,
            watch,
            keyword_search,
            token,
            stream,
            instance_read: false,
            seen: HashMap::new(),
            looked_up,
            context_seen: Seen::default(),
            rounds: 0,
        }
    }

    pub(super) fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    /// Reads `/api/v2/instance`: the handle domain, the character limit and the streaming URL.
    async fn read_instance(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        match self.api.instance().await {
            Ok(instance) => {
                if let Some(max) = instance.configuration.statuses.max_characters {
                    out.event(SourceEvent::ReplyLimit {
                        network: Network::Mastodon,
                        max,
                    })
                    .await?;
                }
                if let Some(domain) = instance.domain.filter(|d| !d.trim().is_empty()) {
                    self.local_domain = domain.trim().to_ascii_lowercase();
                }
                if let Some(stream) = &mut self.stream {
                    let url = super::stream::streaming_url(
                        instance.configuration.urls.streaming.as_deref(),
                        &self.api.base,
                    )
                    .map_err(FetchError::Malformed)?;
                    stream.url = Some(url);
                }
            }
            // An older server without /api/v2/instance: defaults, and stream from the instance URL.
            Err(FetchError::Client { .. } | FetchError::Malformed(_)) => {
                if let Some(stream) = &mut self.stream {
                    stream.url = super::stream::streaming_url(None, &self.api.base).ok();
                }
            }
            Err(e) => return Err(e.into()),
        }
        self.instance_read = true;
        Ok(())
    }

    /// The account id of a customer: cached as cursor `account-id:<acct>`, looked up again when stale.
    async fn account_id(&mut self, acct: &str, out: &Out<'_>) -> Result<String, Stop> {
        let key = format!("account-id:{acct}");
        let fresh = self
            .looked_up
            .get(acct)
            .is_some_and(|at| at.elapsed() < LOOKUP_MAX_AGE);
        if let Some(id) = self.cursors.get(&key)
            && fresh
        {
            return Ok(id.clone());
        }
        let account = self.api.lookup(acct, &self.local_domain).await?;
        out.batch(
            Vec::new(),
            vec![Cursor {
                key: key.clone(),
                value: account.id.clone(),
            }],
        )
        .await?;
        self.cursors.insert(key, account.id.clone());
        self.looked_up.insert(acct.to_string(), Instant::now());
        Ok(account.id)
    }

    /// A customer's statuses; `raw` as configured (`alice` on this instance is `alice@<its domain>`).
    async fn customer(&mut self, raw: &str, out: &Out<'_>) -> Result<(), Stop> {
        let acct = api::normalize_acct(raw, &self.local_domain);
        let acct = acct.as_str();
        let id = self.account_id(acct, out).await?;
        let u = self.api.url(&["api", "v1", "accounts", &id, "statuses"]);
        let result = self
            .crawl(out, u, &format!("account:{id}"), Kind::Statuses)
            .await;
        if let Err(Stop::Fetch(FetchError::Client { status: 404, .. })) = &result {
            // The account is gone or moved: the next attempt looks it up again.
            self.looked_up.remove(acct);
        }
        result
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if !self.instance_read {
            q.push(Query::Instance);
        }
        // While live, mentions and hashtags come over the socket; a full round now and then still catches
        // what a silently stalled socket would miss (cursors keep it duplicate-free).
        let full = !live || self.rounds.is_multiple_of(FULL_ROUND_EVERY);
        self.rounds = self.rounds.wrapping_add(1);
        if full {
            q.push(Query::Mentions);
        }
        // Customers the shop does not follow are not on its stream: always polled. `alice` and
        // `alice@<this instance>` are one person.
        let mut customers: Vec<(String, String)> = self
            .watch
            .customer_handles
            .iter()
            .map(|h| {
                let raw = h.trim().trim_start_matches('@').to_lowercase();
                (api::normalize_acct(&raw, &self.local_domain), raw)
            })
            .collect();
        customers.sort();
        customers.dedup_by(|a, b| a.0 == b.0);
        q.extend(customers.into_iter().map(|(_, raw)| Query::Customer(raw)));
        if full {
            q.extend(
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| Query::Tag(t.trim_start_matches('#').to_string())),
            );
        }
        if self.keyword_search {
            q.extend(self.watch.keywords.iter().map(|k| Query::Search(k.clone())));
        }
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Instance => "instance".into(),
            Query::Customer(a) => format!("customer @{a}"),
            Query::Mentions => "mentions".into(),
            Query::Tag(t) => format!("#{t}"),
            Query::Search(k) => format!("search \"{k}\""),
        }
    }

    fn best_effort(&self, query: &Query) -> bool {
        matches!(query, Query::Search(_))
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::Instance => self.read_instance(out).await,
            Query::Customer(acct) => self.customer(acct, out).await,
            Query::Mentions => {
                let mut u = self.api.url(&["api", "v1", "notifications"]);
                u.query_pairs_mut().append_pair("types[]", "mention");
                self.crawl(out, u, "notifications", Kind::Notifications)
                    .await
            }
            Query::Tag(tag) => {
                let u = self.api.url(&["api", "v1", "timelines", "tag", tag]);
                self.crawl(out, u, &format!("tag:{tag}"), Kind::Statuses)
                    .await
            }
            Query::Search(kw) => self.search(out, kw).await,
        }
    }

    /// Reads the token again (the user may have replaced it) and checks it.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        let t = &self.token;
        if let Ok(token) =
            crate::sources::secret::load(&t.what, t.env.as_deref(), t.file.as_deref())
        {
            if let Some(stream) = &mut self.stream {
                stream.token = token.clone();
            }
            self.api.token = token;
        }
        self.api.verify_credentials().await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        format!(
            "create a new access token with scopes read and write:statuses and put it in {}",
            self.token.hint
        )
    }

    async fn live(&mut self) -> Live {
        let Some(stream) = &mut self.stream else {
            return std::future::pending().await;
        };
        if self.rounds == 0 {
            return std::future::pending().await;
        }
        let live = stream
            .next(&self.cursors, &self.local_domain, &self.seen)
            .await;
        if let Live::Batch(_, cursors) = &live {
            for c in cursors {
                self.seen(&c.key.clone()).insert(&c.value);
                self.cursors.insert(c.key.clone(), c.value.clone());
            }
        }
        live
    }

    async fn context(&mut self, posts: &mut [IncomingPost]) -> Vec<IncomingPost> {
        self.context_for(posts).await
    }

    fn restart_live(&mut self) {
        if let Some(stream) = &mut self.stream {
            stream.restart();
        }
    }
}
