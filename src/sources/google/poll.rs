//! The Google reviews network for the shared poller: finding the shop's locations, then each location's
//! reviews, newest change first, down to a little past its cursor.
//!
//! Cursor `reviews:<accounts/a/locations/l>` is the newest `updateTime` delivered. Each round reads pages
//! (`orderBy=updateTime desc`) until a review older than the cursor less [`LATE_WINDOW`], so a review Google
//! publishes late (dated before reviews already read) still arrives; `seen:<key>` keeps those re-reads from
//! delivering twice, and the store dedupes by native id as well. A review's native id carries a fingerprint of
//! its words and stars, so an edited review arrives again as a new post (triaged again, the first version
//! kept), while a review whose `updateTime` moved without new words (the shop replied) does not.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use tokio::time::{Duration, Instant};

use super::api::{Place, Review};
use super::client::{self, Api};
use super::map;
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::FetchError;
use crate::sources::poller::{self, Out, Seen, Stop};
use crate::sources::secret;

/// How far below its cursor a location is read again each round, for reviews Google shows late.
pub const LATE_WINDOW: chrono::Duration = chrono::Duration::hours(24);
/// Pages read per location and round at most (2,500 reviews): past that, older changes are skipped and logged.
const MAX_PAGES: usize = 50;
/// Locations are listed again this often (a shop opens a branch, a location is verified).
const RELIST_EVERY: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Query {
    /// Find the shop's locations (and their Maps links).
    Locations,
    /// One location's reviews, by its `accounts/a/locations/l` name.
    Reviews(String),
}

/// Where the access token comes from, so a re-login reads it again (the user may have put a new one there).
pub(crate) struct TokenSource {
    pub what: String,
    pub env: Option<String>,
    pub file: Option<std::path::PathBuf>,
}

pub(crate) struct Feeds {
    pub api: Api,
    pub cursors: HashMap<String, String>,
    pub token: TokenSource,
    /// The shop's handle on Google: with it, the replies reviews already have are delivered as the shop's.
    shop: Option<String>,
    /// The locations reviews are read for, by parent name.
    places: BTreeMap<String, Place>,
    listed_at: Option<Instant>,
    seen: HashMap<String, Seen>,
    /// The last refusal (status, Google's words), for the fix shown with AuthFailed.
    refusal: Option<(u16, String)>,
}

impl Feeds {
    pub fn new(
        api: Api,
        cursors: HashMap<String, String>,
        token: TokenSource,
        shop: Option<String>,
    ) -> Feeds {
        let places = match &api.setup.account {
            Some(account) => api
                .setup
                .locations
                .iter()
                .map(|l| Place::bare(account, l))
                .map(|p| (p.parent.clone(), p))
                .collect(),
            None => BTreeMap::new(),
        };
        Feeds {
            api,
            cursors,
            token,
            shop: shop.filter(|s| !s.trim().is_empty()),
            places,
            listed_at: None,
            seen: HashMap::new(),
            refusal: None,
        }
    }

    /// Locations are configured one by one: listing them only adds their titles and links.
    fn explicit(&self) -> bool {
        !self.api.setup.locations.is_empty()
    }

    fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    fn noted<T>(&mut self, result: Result<T, FetchError>) -> Result<T, FetchError> {
        if let Err(FetchError::Auth { status, detail }) = &result {
            self.refusal = Some((*status, detail.clone()));
        }
        result
    }

    /// Lists the configured account's (or every visible account's) locations.
    async fn list(&mut self) -> Result<(), Stop> {
        let accounts = match &self.api.setup.account {
            Some(a) => vec![a.clone()],
            None => {
                let r = self.api.accounts().await;
                self.noted(r)?
            }
        };
        let mut found = Vec::new();
        for account in &accounts {
            let r = self.api.locations(account).await;
            found.extend(self.noted(r)?);
        }
        let wanted = &self.api.setup.locations;
        let keep = |p: &Place| {
            wanted.is_empty() || wanted.iter().any(|l| p.parent.ends_with(&format!("/{l}")))
        };
        for place in found.into_iter().filter(keep) {
            self.places.insert(place.parent.clone(), place);
        }
        self.listed_at = Some(Instant::now());
        if self.places.is_empty() {
            return Err(FetchError::Client {
                status: 404,
                detail: format!(
                    "no locations visible to this token in {}; the signed-in Google account must own or \
                     manage a verified Business Profile",
                    accounts.join(", ")
                ),
            }
            .into());
        }
        Ok(())
    }

    /// Reads one location's reviews down to a little past its cursor and delivers what is new, oldest first.
    async fn read(&mut self, parent: &str, out: &Out<'_>) -> Result<(), Stop> {
        let key = format!("reviews:{parent}");
        let cursor: Option<DateTime<Utc>> = self.cursors.get(&key).and_then(|c| c.parse().ok());
        let floor = cursor.map(|c| c - LATE_WINDOW);
        let place = self.places.get(parent).cloned().unwrap_or_else(|| Place {
            parent: parent.to_string(),
            title: None,
            url: None,
        });
        let mut reviews: Vec<Review> = Vec::new();
        let mut skipped = Vec::new();
        let mut page_token: Option<String> = None;
        let mut reached = false;
        for _ in 0..MAX_PAGES {
            let r = self.api.reviews(parent, page_token.as_deref()).await;
            let page = self.noted(r)?;
            for raw in page.reviews {
                match serde_json::from_value::<Review>(raw) {
                    Ok(r) => reviews.push(r),
                    Err(e) => skipped.push(e.to_string()),
                }
            }
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            let oldest = reviews.iter().map(|r| r.update_time).min();
            reached = match (floor, oldest) {
                // No cursor yet: the newest page only, never the whole history.
                (None, _) => true,
                (Some(f), Some(o)) => o < f,
                (Some(_), None) => false,
            };
            if reached || page_token.is_none() {
                break;
            }
        }
        if !reached && page_token.is_some() {
            tracing::warn!(%parent, "google: more changed reviews than one round reads; older ones skipped");
        }
        let newest = reviews.iter().map(|r| r.update_time).max();
        let mut posts: Vec<IncomingPost> = Vec::new();
        for r in reviews
            .iter()
            .filter(|r| floor.is_none_or(|f| r.update_time >= f))
        {
            let post = match map::review_to_post(r, &place) {
                Ok(p) => p,
                Err(why) => {
                    skipped.push(why);
                    continue;
                }
            };
            let reply = self
                .shop
                .as_deref()
                .and_then(|shop| map::reply_to_post(r, &place, shop, &post.native_id));
            for p in std::iter::once(post).chain(reply) {
                if !self.seen(&key).contains(&p.native_id) {
                    posts.push(p);
                }
            }
        }
        posts.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.native_id.cmp(&b.native_id))
        });
        posts.dedup_by(|a, b| a.native_id == b.native_id);
        let moved = newest.filter(|n| cursor.is_none_or(|c| *n > c));
        let mut cursors: Vec<Cursor> = moved
            .map(|n| Cursor {
                key: key.clone(),
                value: n.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            })
            .into_iter()
            .collect();
        if !posts.is_empty() {
            let seen = self.seen(&key);
            for p in &posts {
                seen.insert(&p.native_id);
            }
            cursors.push(Cursor {
                key: format!("seen:{key}"),
                value: seen.encode(),
            });
        }
        if !cursors.is_empty() {
            out.batch(posts, cursors.clone()).await?;
            for c in cursors {
                self.cursors.insert(c.key, c.value);
            }
        }
        if !skipped.is_empty() {
            tracing::warn!(%parent, ?skipped, "google: reviews skipped");
            return Err(FetchError::Malformed(format!(
                "{} review(s) skipped: {}",
                skipped.len(),
                skipped.join("; ")
            ))
            .into());
        }
        Ok(())
    }
}

impl poller::Network for Feeds {
    type Query = Query;

    fn queries(&mut self, _live: bool) -> Vec<Query> {
        let mut q = Vec::new();
        if self.listed_at.is_none_or(|at| at.elapsed() >= RELIST_EVERY) {
            q.push(Query::Locations);
        }
        q.extend(self.places.keys().cloned().map(Query::Reviews));
        q
    }

    fn label(&self, query: &Query) -> String {
        match query {
            Query::Locations => "locations".into(),
            Query::Reviews(parent) => format!(
                "reviews of {}",
                self.places.get(parent).map_or(parent.clone(), Place::label)
            ),
        }
    }

    /// Configured locations are read without the listing: a refused listing only loses their Maps links.
    fn best_effort(&self, query: &Query) -> bool {
        *query == Query::Locations && self.explicit()
    }

    async fn fetch(&mut self, query: &Query, out: &Out<'_>) -> Result<(), Stop> {
        match query {
            Query::Locations => self.list().await,
            Query::Reviews(parent) => self.read(parent, out).await,
        }
    }

    /// Mints a new access token from the refresh token; without one, reads the token again (the user may
    /// have replaced it) and checks it.
    async fn reauth(&mut self) -> Result<(), FetchError> {
        let minted = self.api.refresh().await;
        match self.noted(minted)? {
            true => Ok(()),
            false => {
                let t = &self.token;
                if let Ok(token) = secret::load(&t.what, t.env.as_deref(), t.file.as_deref()) {
                    self.api.token = Some(token);
                }
                let check = match self.places.keys().next().cloned() {
                    Some(parent) if self.explicit() => {
                        self.api.reviews(&parent, None).await.map(|_| ())
                    }
                    _ => self.api.accounts().await.map(|_| ()),
                };
                self.noted(check)
            }
        }
    }

    fn auth_fix(&self) -> String {
        let (status, detail) = self.refusal.clone().unwrap_or((401, String::new()));
        client::fix(status, &detail, &self.api.setup.hint)
    }
}
