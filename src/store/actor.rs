//! The store thread: the one owner of the backend (its connection). [`Store`] handles send it closures to run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{Db, Repository, Result, StoreError};

type Job = Box<dyn FnOnce(&mut dyn Repository) + Send>;

enum Request {
    Run(Job),
    /// Stop after the requests already queued; the `Db` is closed before the acknowledgement.
    Close(oneshot::Sender<()>),
}

/// A handle to the store thread. Cheap to clone; every clone talks to the same connection. The thread stops when
/// every handle is dropped or [`Store::close`] is called; after that every call returns [`StoreError::Closed`].
#[derive(Clone)]
pub struct Store {
    tx: mpsc::Sender<Request>,
    /// The connection string when the backend is PostgreSQL: the console's live link and the fetcher lock
    /// open their own sessions with it (never printed: it holds the password).
    postgres: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("postgres", &self.postgres.is_some())
            .finish()
    }
}

impl Store {
    /// Opens (creating, migrating) the database at `path` on the calling thread, then hands it to a new store
    /// thread. Call once at start-up.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::spawn(Db::open(path)?)
    }

    pub fn open_in_memory() -> Result<Store> {
        Store::spawn(Db::open_in_memory()?)
    }

    /// Connects to the PostgreSQL database at `url` (migrating it) on the new store thread: the sync client
    /// must live on a plain thread (see [`super::PgDb`]).
    pub fn open_postgres(url: &str) -> Result<Store> {
        let owned = url.to_string();
        let mut store = Store::spawn_with(move || super::PgDb::open(&owned))?;
        store.postgres = Some(url.into());
        Ok(store)
    }

    /// The PostgreSQL connection string, when the store is one (a team's shared workspace).
    pub fn postgres_url(&self) -> Option<&str> {
        self.postgres.as_deref()
    }

    /// Moves an open backend onto its own thread.
    pub fn spawn(db: impl Repository + 'static) -> Result<Store> {
        Store::spawn_with(move || Ok(db))
    }

    /// Opens a backend on a new store thread (so it is created where it will live) and waits until it is open.
    fn spawn_with<R: Repository + 'static>(
        open: impl FnOnce() -> Result<R> + Send + 'static,
    ) -> Result<Store> {
        let (tx, rx) = mpsc::channel::<Request>();
        let (opened, open_result) = mpsc::channel::<Result<()>>();
        std::thread::Builder::new()
            .name("regulars-store".into())
            .spawn(move || match open() {
                Ok(db) => {
                    let _ = opened.send(Ok(()));
                    run(db, rx);
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            })
            .map_err(|source| StoreError::Io {
                path: "store thread".into(),
                source,
            })?;
        open_result.recv().unwrap_or(Err(StoreError::Closed))?;
        Ok(Store { tx, postgres: None })
    }

    /// Runs `f` on the store thread and waits for its result without blocking the async runtime.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Repository) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.submit(f)?.await.unwrap_or(Err(StoreError::Closed))
    }

    /// Runs `f` on the store thread and blocks the calling thread until it is done: for sync callers (CLI
    /// subcommands, tests). Never call it from inside a tokio runtime thread (it would stall the runtime, and
    /// tokio panics on a blocking receive there): use [`Store::call`], or wrap in `spawn_blocking`.
    pub fn call_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Repository) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.submit(f)?
            .blocking_recv()
            .unwrap_or(Err(StoreError::Closed))
    }

    /// Stops the store thread once the requests queued before this one have run, and waits until the database is
    /// closed (WAL checkpointed). Other handles then get [`StoreError::Closed`].
    pub async fn close(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Request::Close(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// [`Store::close`] for sync callers; same caveat as [`Store::call_blocking`].
    pub fn close_blocking(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Request::Close(done)).is_ok() {
            let _ = wait.blocking_recv();
        }
    }

    fn submit<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Repository) -> Result<R> + Send + 'static,
    ) -> Result<oneshot::Receiver<Result<R>>> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |db: &mut dyn Repository| {
            let result = catch_unwind(AssertUnwindSafe(|| f(db))).unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(StoreError::Panicked(what))
            });
            // The caller may have given up waiting (its future dropped): nothing to do.
            let _ = reply.send(result);
        });
        self.tx
            .send(Request::Run(job))
            .map_err(|_| StoreError::Closed)?;
        Ok(answer)
    }
}

fn run(mut db: impl Repository, rx: mpsc::Receiver<Request>) {
    while let Ok(request) = rx.recv() {
        match request {
            Request::Run(job) => job(&mut db),
            Request::Close(done) => {
                drop(db);
                drop(rx);
                let _ = done.send(());
                tracing::debug!("store closed");
                return;
            }
        }
    }
    tracing::debug!("store thread ended: every handle dropped");
}
