//! The X network for the shared poller: which queries run, user-id lookups, the read budget and re-login.
//! Timelines themselves are read in `timeline.rs`.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use super::api::Shop;
use super::budget::Budget;
use super::client::Api;
use super::config::TokenSource;
use super::endpoints::{self, Endpoint};
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Out, Seen, Stop};
use crate::sources::{Cursor, SourceEvent, Watch};

/// What a query reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// `/2/users/by`: the ids of the shop and the customers not yet known.
    Users,
    /// A customer's posts (lower-case username).
    Customer(String),
    Mentions,
    /// The shop's keywords and hashtags, in one recent-search query.
    Search,
}

pub(crate) struct Feeds {
    pub api: Api,
    pub cursors: HashMap<String, String>,
    pub watch: Watch,
    pub mentions: bool,
    pub search: bool,
    pub token: TokenSource,
    pub budget: Budget,
    /// Recently delivered ids per cursor key (stored as cursor `seen:<key>`).
    pub(super) seen: HashMap<String, Seen>,
    /// User ids by lower-case username (stored as cursors `user-id:<username>`).
    pub(super) ids: HashMap<String, String>,
    /// Usernames X said it does not know: not asked for again this run.
    unknown: HashSet<String>,
    /// The budget's count as last told to the Sources view.
    told: Option<u64>,
}

/// `@Name` as the lower-case username.
fn username(raw: &str) -> String {
    raw.trim().trim_start_matches('@').to_lowercase()
}

impl Feeds {
    pub fn new(
        api: Api,
        cursors: HashMap<String, String>,
        watch: Watch,
        flags: (bool, bool),
        token: TokenSource,
        budget: Option<u64>,
    ) -> Feeds {
        let ids = cursors
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("user-id:")?.to_string(), v.clone())))
            .collect();
        let budget = Budget::load(budget, &cursors, Utc::now());
        Feeds {
            api,
            cursors,
            watch,
            mentions: flags.0,
            search: flags.1,
            token,
            budget,
            seen: HashMap::new(),
            ids,
            unknown: HashSet::new(),
            told: None,
        }
    }

    pub(super) fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    pub(super) fn shop(&self) -> Shop {
        let username = self.watch.shop_handle.as_deref().map(username);
        Shop {
            id: username.as_ref().and_then(|u| self.ids.get(u)).cloned(),
            username,
        }
    }

    /// The customers' usernames, lower-case, once each.
    fn customers(&self) -> Vec<String> {
        let mut c: Vec<String> = self
            .watch
            .customer_handles
            .iter()
            .map(|h| username(h))
            .collect();
        c.sort();
        c.dedup();
        c
    }

    /// Usernames whose ids are needed and not known.
    fn unresolved(&self) -> Vec<String> {
        let shop = self.watch.shop_handle.as_deref().map(username);
        shop.into_iter()
            .chain(self.customers())
            .filter(|u| !u.is_empty() && !self.ids.contains_key(u) && !self.unknown.contains(u))
            .collect()
    }

    /// The search query: the keywords (quoted) and hashtags, any of them, without the shop's own posts and
    /// reposts.
    pub(super) fn search_query(&self) -> Option<String> {
        let terms: Vec<String> = self
            .watch
            .keywords
            .iter()
            .map(|k| k.trim().replace('"', ""))
            .filter(|k| !k.is_empty())
            .map(|k| format!("\"{k}\""))
            .chain(
                self.watch
                    .hashtags
                    .iter()
                    .map(|t| t.trim().trim_start_matches('#').to_string())
                    .filter(|t| !t.is_empty())
                    .map(|t| format!("#{t}")),
            )
            .collect();
        if terms.is_empty() {
            return None;
        }
        let mut q = format!("({})", terms.join(" OR "));
        if let Some(shop) = self.shop().username {
            q.push_str(&format!(" -from:{shop}"));
        }
        q.push_str(" -is:retweet");
        Some(q)
    }

    /// Looks up the ids not yet known, 100 usernames a request; found ones are stored as cursors.
    async fn look_up(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let mut missing = Vec::new();
        for chunk in self.unresolved().chunks(100) {
            let (found, gone) = self.api.users_by(chunk).await?;
            let cursors: Vec<Cursor> = found
                .iter()
                .map(|u| Cursor {
                    key: format!("user-id:{}", u.username.to_lowercase()),
                    value: u.id.clone(),
                })
                .collect();
            out.batch(Vec::new(), cursors).await?;
            for u in found {
                self.ids.insert(u.username.to_lowercase(), u.id);
            }
            missing.extend(gone);
        }
        if missing.is_empty() {
            return Ok(());
        }
        for m in &missing {
            self.unknown.insert(m.to_lowercase());
        }
        Err(FetchError::Client {
            status: 404,
            detail: format!(
                "X knows no user named {}; check [shop.handles] x and the customers file",
                missing
                    .iter()
                    .map(|m| format!("@{m}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
        .into())
    }

    /// A customer's posts; a user X no longer knows is looked up again next round.
    async fn customer(&mut self, name: &str, out: &Out<'_>) -> Result<(), Stop> {
        let Some(id) = self.ids.get(name).cloned() else {
            return Ok(());
        };
        let result = self
            .read(
                out,
                &endpoints::USER_POSTS,
                &id,
                &format!("user:{id}"),
                &[],
                false,
            )
            .await;
        if let Err(Stop::Fetch(FetchError::Client { status: 404, .. })) = &result {
            self.ids.remove(name);
        }
        result
    }

    /// Tells the Sources view the budget's count when it changed.
    pub(super) async fn tell_usage(&mut self, out: &Out<'_>) -> Result<(), Stop> {
        let usage = self.budget.usage();
        if self.told == Some(usage.used) {
            return Ok(());
        }
        self.told = Some(usage.used);
        out.event(SourceEvent::Usage {
            source: out.source().to_string(),
            usage,
        })
        .await
    }

    /// The smallest page any query asks for.
    fn min_page() -> u64 {
        [
            &endpoints::USER_POSTS,
            &endpoints::MENTIONS,
            &endpoints::SEARCH_RECENT,
        ]
        .iter()
        .map(|e: &&Endpoint| e.min_page)
        .min()
        .unwrap_or(1)
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, _live: bool) -> Vec<Query> {
        self.budget.roll(Utc::now());
        let mut q = Vec::new();
        if !self.unresolved().is_empty() {
            q.push(Query::Users);
        }
        if self.mentions && self.shop().id.is_some() {
            q.push(Query::Mentions);
        }
        q.extend(
            self.customers()
                .into_iter()
                .filter(|c| self.ids.contains_key(c))
                .map(Query::Customer),
        );
        if self.search && self.search_query().is_some() {
            q.push(Query::Search);
        }
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Users => "user lookup".into(),
            Query::Customer(u) => format!("customer @{u}"),
            Query::Mentions => "mentions".into(),
            Query::Search => "recent search".into(),
        }
    }

    /// Recent search is a paid-tier endpoint on some plans: its refusal leaves the rest working.
    fn best_effort(&self, query: &Query) -> bool {
        matches!(query, Query::Search)
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        self.tell_usage(out).await?;
        let result = match query {
            Query::Users => self.look_up(out).await,
            Query::Customer(name) => self.customer(name, out).await,
            Query::Mentions => match self.shop().id {
                Some(id) => {
                    self.read(out, &endpoints::MENTIONS, &id, "mentions", &[], true)
                        .await
                }
                None => Ok(()),
            },
            Query::Search => match self.search_query() {
                Some(q) => self.search(out, q).await,
                None => Ok(()),
            },
        };
        self.tell_usage(out).await?;
        result
    }

    /// Reads the token again (the user may have replaced it) and checks it with a user lookup.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        if let Ok(token) = self.token.load() {
            self.api.token = token;
        }
        let probe = self
            .watch
            .shop_handle
            .as_deref()
            .map(username)
            .unwrap_or_else(|| "x".into());
        self.api.users_by(&[probe]).await.map(|_| ())
    }

    fn auth_fix(&self) -> String {
        format!(
            "create a new bearer token for your app in the X developer portal (developer.x.com, Projects & \
             Apps > your app > Keys and tokens) and put it in {}",
            self.token.hint
        )
    }

    fn held(&self) -> Option<String> {
        self.budget.spent(Feeds::min_page())
    }
}
