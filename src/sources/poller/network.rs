//! What a network provides to the poller, and what the poller hands it.

use std::future::Future;
use std::hash::Hash;
use std::time::Duration;

use crate::domain::IncomingPost;
use crate::sources::http::{Backoff, FetchError};
use crate::sources::{Cursor, SourceCtx, SourceEvent};

/// Pace and patience of one source; networks set the interval from their config, tests shorten everything.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Between rounds.
    pub interval: Duration,
    /// How a failing query backs off (each query gets its own copy).
    pub backoff: Backoff,
    /// How often refused credentials are tried again (the user may have fixed them meanwhile).
    pub auth_recheck: Duration,
    /// Server errors in a row after which the source logs in again: a restarted server may have lost its
    /// sessions and answer 500 to the old token.
    pub reauth_after: u32,
    /// A live stream silent this long is reported stale and a full round checks what it missed.
    pub stale_after: Duration,
}

impl Timing {
    pub fn every(interval: Duration) -> Timing {
        Timing {
            interval,
            backoff: Backoff::default(),
            auth_recheck: Duration::from_secs(300),
            reauth_after: 3,
            stale_after: Duration::from_secs(30 * 60),
        }
    }
}

/// Why a query stopped: the network answered badly, or the console is shutting down.
#[derive(Debug)]
pub enum Stop {
    Fetch(FetchError),
    Closed,
}

impl From<FetchError> for Stop {
    fn from(e: FetchError) -> Stop {
        Stop::Fetch(e)
    }
}

/// Where a network's fetches deliver: batches (posts with the cursors that led to them) and events.
pub struct Out<'a> {
    pub(super) ctx: &'a SourceCtx,
}

impl Out<'_> {
    /// The source's configured name, as its events carry it.
    pub fn source(&self) -> &str {
        &self.ctx.name
    }

    pub async fn batch(&self, posts: Vec<IncomingPost>, cursors: Vec<Cursor>) -> Result<(), Stop> {
        if self.ctx.batch(posts, cursors).await {
            Ok(())
        } else {
            Err(Stop::Closed)
        }
    }

    pub async fn event(&self, event: SourceEvent) -> Result<(), Stop> {
        if self.ctx.send(event).await {
            Ok(())
        } else {
            Err(Stop::Closed)
        }
    }
}

/// What the live side (a stream) reports.
#[derive(Debug)]
pub enum Live {
    /// Posts streamed, with the cursors they advance.
    Batch(Vec<IncomingPost>, Vec<Cursor>),
    /// The stream is up: one full round fills what was missed while it was down.
    Up,
    /// The stream dropped and is being reconnected; polling covers for it meanwhile.
    Dropped,
    /// The stream is refused or unreachable; polling covers for it. `why` is shown in the Sources view.
    Off(String),
    /// A sign of life with nothing to deliver (a frame for someone else, a ping).
    Alive,
}

/// A network's part: its queries and how to fetch one. Everything else is the poller's.
pub trait Network: Send {
    /// What one query reads (a customer's feed, mentions, a hashtag, a search).
    type Query: Clone + Eq + Hash + Send + Sync;

    /// The queries of this round, in order. `live` is true while the stream is up, so the network can leave
    /// out what the stream already brings.
    fn queries(&mut self, live: bool) -> Vec<Self::Query>;

    /// The query as the Sources view names it (`mentions`, `#shop`, `feed of @alice`).
    fn label(&self, query: &Self::Query) -> String;

    /// A refusal of this query degrades it alone (documented best-effort endpoints such as search).
    fn best_effort(&self, _query: &Self::Query) -> bool {
        false
    }

    /// Fetches what is new for `query` and delivers it through `out`.
    fn fetch(
        &mut self,
        query: &Self::Query,
        out: &Out<'_>,
    ) -> impl Future<Output = Result<(), Stop>> + Send;

    /// Logs in again (a new session, a token check). `Err(Auth)` means the credentials themselves are refused.
    fn reauth(&mut self) -> impl Future<Output = Result<(), FetchError>> + Send {
        async { Ok(()) }
    }

    /// What the user should do when the credentials are refused.
    fn auth_fix(&self) -> String;

    /// Why the network holds every query for now (a spent monthly read budget), said in the Sources view;
    /// `None` while it reads. Asked before each query, so a budget spent mid-round stops the rest of it.
    fn held(&self) -> Option<String> {
        None
    }

    /// The next event of the live side; never resolves for networks (or configurations) without one.
    fn live(&mut self) -> impl Future<Output = Live> + Send {
        std::future::pending()
    }

    /// The posts streamed posts reply to or quote that nobody delivered yet, fetched as context (their quoted
    /// texts filled in). Called outside the race with the poll timer, so a fetch here never loses the posts.
    fn context(
        &mut self,
        _posts: &mut [IncomingPost],
    ) -> impl Future<Output = Vec<IncomingPost>> + Send {
        async { Vec::new() }
    }

    /// The stream has been silent too long: drop it and connect again (it answers `Up` when it is back).
    fn restart_live(&mut self) {}
}
