//! Writes the database refused for now (a full disk, a read-only file, a lock), held in memory in the order they
//! were asked for and written again with backoff until it takes them. One path for every kind of staff work:
//! drafts, actions, replies' records, follow-ups, read state, corrections, check-ins.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::writes::Write;
use crate::app::{Msg, Writer};
use crate::store::{Store, StoreError};

/// The first wait before writing again, doubled up to [`RETRY_MAX`] (as ingest waits for its posts).
pub const RETRY_FIRST: Duration = Duration::from_secs(1);
pub const RETRY_MAX: Duration = Duration::from_secs(30);

/// The writes waiting for the database, oldest first.
pub struct Held {
    writes: VecDeque<Write>,
    wait: Duration,
    due: Instant,
    ui: mpsc::UnboundedSender<Msg>,
}

impl Held {
    pub fn new(ui: mpsc::UnboundedSender<Msg>) -> Held {
        Held {
            writes: VecDeque::new(),
            wait: RETRY_FIRST,
            due: Instant::now(),
            ui,
        }
    }

    /// Writes now, or after the writes held before it (so a later write never overtakes an earlier one).
    pub async fn write(&mut self, write: Write, store: &Store) {
        if !self.writes.is_empty() {
            self.push(write);
            return;
        }
        match write.attempt(store).await {
            Ok(msg) => self.answer(msg),
            Err(e) if e.is_transient() => self.hold(write, &e),
            Err(e) => self.failed(&write, &e),
        }
    }

    /// Holds a write the database just refused for now, and says so.
    pub fn hold(&mut self, write: Write, why: &StoreError) {
        if self.writes.is_empty() {
            tracing::warn!(error = %why, "the database cannot be written; staff's work waits in memory");
            let _ = self.ui.send(Msg::StoreWritable {
                writer: Writer::Work,
                why: Some(why.to_string()),
            });
            self.wait = RETRY_FIRST;
            self.due = Instant::now() + self.wait;
        }
        self.push(write);
    }

    /// A later save of the same thing replaces the one held (a draft typed on while the disk is full).
    fn push(&mut self, write: Write) {
        if let Some(key) = &write.key {
            self.writes.retain(|w| w.key.as_ref() != Some(key));
        }
        self.writes.push_back(write);
    }

    /// When to write again; never while nothing is held.
    pub async fn due(&self) {
        if self.writes.is_empty() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep_until(self.due).await;
    }

    /// Writes what is held, oldest first, until the database refuses again (then waits twice as long).
    pub async fn retry(&mut self, store: &Store) {
        while let Some(write) = self.writes.front() {
            match write.attempt(store).await {
                Ok(msg) => {
                    self.writes.pop_front();
                    self.answer(msg);
                }
                Err(e) if e.is_transient() => {
                    tracing::debug!(error = %e, held = self.writes.len(), "the database still cannot be written");
                    self.wait = (self.wait * 2).min(RETRY_MAX);
                    self.due = Instant::now() + self.wait;
                    return;
                }
                Err(e) => {
                    if let Some(write) = self.writes.pop_front() {
                        self.failed(&write, &e);
                    }
                }
            }
        }
        tracing::info!("the database takes writes again; staff's work that waited is saved");
        let _ = self.ui.send(Msg::StoreWritable {
            writer: Writer::Work,
            why: None,
        });
    }

    /// At quit: one last try; what is still refused is returned, to be named to staff once the terminal is
    /// theirs again.
    pub async fn flush(mut self, store: &Store) -> Vec<Write> {
        if !self.writes.is_empty() {
            self.retry(store).await;
        }
        for write in &self.writes {
            tracing::error!(
                what = write.what,
                "not saved: the database took no writes until quit"
            );
        }
        self.writes.into()
    }

    fn answer(&self, msg: Option<Msg>) {
        if let Some(msg) = msg {
            let _ = self.ui.send(msg);
        }
    }

    fn failed(&self, write: &Write, e: &StoreError) {
        tracing::error!(error = %e, what = write.what, "store write failed");
        let _ = self.ui.send(Msg::TaskFailed {
            what: "saving".into(),
            error: e.to_string(),
        });
    }
}

#[cfg(test)]
mod tests;
