//! Reading a Graph edge incrementally. Graph edges page by opaque cursors that do not survive long, so a
//! query's position is a time: the newest `created_time` (or `timestamp`) delivered, stored as the cursor
//! `<key>`. Each round reads from the newest page down to that time minus an overlap window, and lets through
//! only what the query has not delivered (the ids, stored as `seen:<key>`): a comment held for review or a post
//! dated earlier than posts already read still arrives, once. Everything a round finds goes out in one batch
//! with the new position, so a stop at any point resumes exactly where the store says.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use url::Url;

use super::{Graph, parse_time, text_of};
use crate::domain::IncomingPost;
use crate::sources::Cursor;
use crate::sources::http::FetchError;
use crate::sources::poller::{Out, Seen, Stop};

/// How one query reads its edge.
pub struct Window<'a> {
    /// The cursor key (`feed`, `comments:<post-id>`).
    pub key: &'a str,
    /// The item's time field (`created_time` on Facebook, `timestamp` on Instagram).
    pub time_field: &'static str,
    /// The edge lists newest first: paging stops at the first item older than the window.
    pub newest_first: bool,
    /// Pages read per round at most; the rest waits for the next round (or is older than anyone reads).
    pub max_pages: usize,
    /// The item's id (ratings have none of their own).
    pub id_of: fn(&Value) -> Option<String>,
    /// The item with what it carries nested (an Instagram comment and its replies), each read on its own
    /// time: a new reply under an old comment is new.
    pub expand: fn(&Value) -> Vec<Value>,
}

impl Window<'_> {
    pub fn id(v: &Value) -> Option<String> {
        text_of(v, "id").map(|s| s.into_owned())
    }

    pub fn itself(v: &Value) -> Vec<Value> {
        vec![v.clone()]
    }
}

/// What a round found: items not delivered before, their ids, the newest time among them, and what could not
/// be read.
#[derive(Debug, Default)]
pub struct Fresh {
    pub items: Vec<Value>,
    pub ids: Vec<String>,
    pub newest: Option<DateTime<Utc>>,
    pub skipped: Vec<String>,
}

/// The Graph client with the positions and seen ids of every query of one source.
pub struct Reader {
    pub graph: Graph,
    pub cursors: HashMap<String, String>,
    seen: HashMap<String, Seen>,
    /// How far below its position a query reads again for late items.
    pub overlap: Duration,
}

impl Reader {
    pub fn new(graph: Graph, cursors: HashMap<String, String>, overlap: Duration) -> Reader {
        Reader {
            graph,
            cursors,
            seen: HashMap::new(),
            overlap,
        }
    }

    /// The newest time a query delivered, if it has run before.
    pub fn position(&self, key: &str) -> Option<DateTime<Utc>> {
        self.cursors
            .get(key)
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|t| t.with_timezone(&Utc))
    }

    /// Where a query's next read stops: its position minus the overlap window.
    pub fn floor(&self, key: &str) -> Option<DateTime<Utc>> {
        self.position(key).map(|t| t - self.overlap)
    }

    pub fn seen(&mut self, key: &str) -> &mut Seen {
        let stored = self.cursors.get(&format!("seen:{key}"));
        self.seen
            .entry(key.to_string())
            .or_insert_with(|| Seen::parse(stored))
    }

    /// Whether any query delivered `id`.
    pub fn delivered(&self, id: &str) -> bool {
        self.seen.values().any(|s| s.contains(id))
    }

    /// Reads `url` and the pages after it as `w` says. First run (no position): the newest page only.
    pub async fn read(&mut self, mut url: Url, w: &Window<'_>) -> Result<Fresh, FetchError> {
        let floor = self.floor(w.key);
        let mut fresh = Fresh::default();
        for _ in 0..w.max_pages.max(1) {
            let page = self.graph.get(url).await?;
            let Some(data) = page.get("data").and_then(Value::as_array) else {
                return Err(FetchError::Malformed(format!(
                    "{}: the answer has no `data` list",
                    w.key
                )));
            };
            let mut older = false;
            for item in data.iter().flat_map(w.expand) {
                let item = &item;
                let Some(id) = (w.id_of)(item) else {
                    fresh.skipped.push("an item without an id".into());
                    continue;
                };
                let Some(t) = item.get(w.time_field).and_then(parse_time) else {
                    fresh
                        .skipped
                        .push(format!("item {id} has no readable {}", w.time_field));
                    continue;
                };
                if floor.is_some_and(|f| t < f) {
                    older = true;
                    continue;
                }
                if self.seen(w.key).contains(&id) || fresh.ids.contains(&id) {
                    continue;
                }
                fresh.newest = fresh.newest.max(Some(t));
                fresh.ids.push(id);
                fresh.items.push(item.clone());
            }
            if floor.is_none() || (w.newest_first && older) {
                break;
            }
            let next = page
                .get("paging")
                .and_then(|p| p.get("next"))
                .and_then(Value::as_str);
            match self.graph.same_origin(next) {
                Some(u) => url = u,
                None => break,
            }
        }
        Ok(fresh)
    }

    /// Sends `posts` (oldest first) with the query's new position and seen ids, in one batch; then reports
    /// the items that could not be read as the query's failure.
    pub async fn commit(
        &mut self,
        out: &Out<'_>,
        key: &str,
        fresh: Fresh,
        mut posts: Vec<IncomingPost>,
    ) -> Result<(), Stop> {
        if !fresh.ids.is_empty() {
            posts.sort_by_key(|p| p.created_at);
            let position = self.position(key).max(fresh.newest);
            let seen = self.seen(key);
            for id in &fresh.ids {
                seen.insert(id);
            }
            let mut cursors = vec![Cursor {
                key: format!("seen:{key}"),
                value: seen.encode(),
            }];
            if let Some(t) = position {
                let value = t.to_rfc3339();
                cursors.push(Cursor {
                    key: key.to_string(),
                    value: value.clone(),
                });
                self.cursors.insert(key.to_string(), value);
            }
            out.batch(posts, cursors).await?;
        }
        if fresh.skipped.is_empty() {
            Ok(())
        } else {
            Err(
                FetchError::Malformed(format!("malformed answer: {}", fresh.skipped.join("; ")))
                    .into(),
            )
        }
    }
}
