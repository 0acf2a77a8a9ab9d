//! Every store test runs against both backends: SQLite in memory, and PostgreSQL in a fresh database on a
//! throwaway cluster the test binary starts itself (skipped, loudly, where no PostgreSQL server is installed).
//!
//! ```ignore
//! both_backends! {
//!     fn a_batch_is_stored(db) { db.insert_batch("s", &[new_post("1", 0, "hi")], &[]).unwrap(); }
//! }
//! ```
//! makes `a_batch_is_stored::sqlite` and `a_batch_is_stored::postgres`, each running the body with
//! `db: &mut dyn TestDb`.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::domain::{Action, CustomerId, Draft, Listing, Network, Post, PostId};
use crate::store::{Db, PgDb, Repository, Result};

/// The cluster the integration tests use too.
#[path = "../../../tests/common/postgres.rs"]
#[allow(dead_code)]
pub(super) mod cluster;

/// What the tests read besides the repository: answered through the repository where it can be, by each
/// backend's own SQL where the app never asks.
pub(super) trait Inspect: Repository {
    /// The newest `n` posts, whatever list they are in.
    fn recent_posts(&self, n: usize) -> Result<Vec<Post>>;
    /// The customer holding a handle (case-insensitive, without a leading @).
    fn customer_by_handle(&self, network: Network, handle: &str) -> Option<CustomerId>;
    /// A post as stored.
    fn post(&self, id: PostId) -> Result<Option<Post>>;
    fn post_by_native(&self, network: Network, native_id: &str) -> Result<Option<Post>>;
    /// The rows of `table` where `condition` holds (SQL both backends read alike).
    fn count_rows(&self, table: &str, condition: &str) -> u64;

    /// A list's first `n` rows, as the panes page them.
    fn listed(&self, listing: Listing, n: usize) -> Vec<Post> {
        let query = crate::domain::PostQuery {
            listing,
            search: crate::domain::Search::default(),
        };
        self.posts_page(&query, crate::domain::Anchor::First, n, false)
            .unwrap()
            .rows
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    fn recent_actions(&self, n: usize) -> Vec<Action> {
        self.actions_page(crate::domain::Anchor::First, n, false)
            .unwrap()
            .rows
    }

    fn draft(&self, post: PostId) -> Option<Draft> {
        self.drafts("ana")
            .unwrap()
            .into_iter()
            .find(|d| d.post == post)
    }
}

/// A backend under test.
pub(super) trait TestDb: Repository + Inspect {}
impl<T: Repository + Inspect> TestDb for T {}

/// A fresh, migrated PostgreSQL database; `None` (said loudly) without a PostgreSQL server.
pub(super) fn postgres() -> Option<PgDb> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let cluster = cluster::Cluster::shared()?;
    let name = format!("store_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    Some(PgDb::open(&cluster.create_database(&name)).expect("the test database opens"))
}

pub(super) fn sqlite() -> Db {
    Db::open_in_memory().expect("an in-memory database")
}

/// One test per backend for each body: see the module docs.
macro_rules! both_backends {
    ($($(#[$meta:meta])* fn $name:ident($db:ident) $body:block)*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: &mut dyn $crate::store::tests::backends::TestDb) $body

            #[test]
            fn sqlite() {
                run(&mut $crate::store::tests::backends::sqlite());
            }

            #[test]
            fn postgres() {
                if let Some(mut db) = $crate::store::tests::backends::postgres() {
                    run(&mut db);
                }
            }
        }
    )*};
}

impl Inspect for Db {
    fn post(&self, id: PostId) -> Result<Option<Post>> {
        Db::post(self, id)
    }

    fn post_by_native(&self, network: Network, native_id: &str) -> Result<Option<Post>> {
        Db::post_by_native(self, network, native_id)
    }

    fn count_rows(&self, table: &str, condition: &str) -> u64 {
        let n: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE {condition}"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        n as u64
    }

    fn recent_posts(&self, n: usize) -> Result<Vec<Post>> {
        self.query_posts(
            &format!(
                "SELECT {} FROM posts ORDER BY created_at DESC, id DESC LIMIT ?1",
                crate::store::posts::POST_COLS
            ),
            [n as i64],
        )
    }

    fn customer_by_handle(&self, network: Network, handle: &str) -> Option<CustomerId> {
        let handle = handle.trim().trim_start_matches('@');
        self.conn
            .query_row(
                "SELECT customer_id FROM customer_handles WHERE network = ?1 AND handle = ?2",
                rusqlite::params![network.as_str(), handle],
                |r| r.get(0),
            )
            .ok()
            .map(CustomerId)
    }
}

impl Inspect for PgDb {
    fn post(&self, id: PostId) -> Result<Option<Post>> {
        PgDb::post(self, id)
    }

    fn post_by_native(&self, network: Network, native_id: &str) -> Result<Option<Post>> {
        PgDb::post_by_native(self, network, native_id)
    }

    fn count_rows(&self, table: &str, condition: &str) -> u64 {
        let n: i64 = self
            .conn()
            .unwrap()
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE {condition}"),
                &[],
            )
            .unwrap()
            .get(0);
        n as u64
    }

    fn recent_posts(&self, n: usize) -> Result<Vec<Post>> {
        let rows = self.conn()?.query(
            &format!(
                "SELECT {} FROM posts ORDER BY created_at DESC, id DESC LIMIT $1",
                crate::store::pg::codec::POST_COLS
            ),
            &[&(n as i64)],
        )?;
        crate::store::pg::codec::posts_from_rows(&rows)
    }

    fn customer_by_handle(&self, network: Network, handle: &str) -> Option<CustomerId> {
        let handle = handle.trim().trim_start_matches('@');
        self.conn()
            .ok()?
            .query_opt(
                "SELECT customer_id FROM customer_handles WHERE network = $1 AND lower(handle) = lower($2)",
                &[&network.as_str(), &handle],
            )
            .ok()
            .flatten()
            .map(|row| CustomerId(row.get(0)))
    }
}
