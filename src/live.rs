//! Live between consoles: a task that listens to the shared workspace's change notifications and hands the
//! console ONE `Msg::Changed` per burst (a batch of new posts, a reply with its action and draft), so the
//! panes reload through the read path at most a few times a second. When the link drops it says so
//! (`Msg::LiveLink`) and connects again with growing pauses; once back it reloads, since changes made
//! meanwhile were never announced to it.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::Msg;
use crate::domain::HEARTBEAT;
use crate::store::live::Session;

/// Notifications this close together arrive as one `Changed`.
pub const COALESCE: Duration = Duration::from_millis(150);
/// The first pause before connecting again; doubled each failure, up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// A connected link: kept alive while listening (dropping it closes the connection), and its notifications,
/// the channel ending with why the connection went.
pub type Link<K> = (K, mpsc::UnboundedReceiver<Result<String, String>>);

/// Listens on the workspace at `url` until cancelled.
pub fn spawn(
    url: String,
    ui: mpsc::UnboundedSender<Msg>,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let connect = || {
            let url = url.clone();
            async move {
                let session = Session::open(&url).await?;
                session.listen().await?;
                Ok(session.into_parts())
            }
        };
        keep_listening(connect, &ui, &cancel).await;
    })
}

/// Connects, forwards coalesced changes, and connects again (with backoff) whenever the link drops.
pub async fn keep_listening<K, F, Fut>(
    mut connect: F,
    ui: &mpsc::UnboundedSender<Msg>,
    cancel: &CancellationToken,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Link<K>, String>>,
{
    let mut pause = FIRST_RETRY;
    // Why the link is down, as last said (said again only when the reason changes).
    let mut down: Option<String> = None;
    loop {
        let attempt = tokio::select! {
            _ = cancel.cancelled() => return,
            attempt = connect() => attempt,
        };
        let why = match attempt {
            Ok((_keep, mut events)) => {
                pause = FIRST_RETRY;
                if down.take().is_some() {
                    let _ = ui.send(Msg::LiveLink(None));
                    let _ = ui.send(Msg::Changed);
                }
                match forward(&mut events, ui, cancel).await {
                    Some(why) => why,
                    None => return,
                }
            }
            Err(why) => why,
        };
        tracing::warn!(error = %why, "live link down");
        if down.as_ref() != Some(&why) {
            let _ = ui.send(Msg::LiveLink(Some(why.clone())));
        }
        down = Some(why);
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(MAX_RETRY);
    }
}

/// Forwards notifications as coalesced `Changed`s until the connection ends (`Some(why)`) or the task is
/// cancelled (`None`). A burst of nothing but teammates' presence is a `PresenceChanged`: the lists stay.
async fn forward(
    events: &mut mpsc::UnboundedReceiver<Result<String, String>>,
    ui: &mpsc::UnboundedSender<Msg>,
    cancel: &CancellationToken,
) -> Option<String> {
    let lost = |event: Option<Result<String, String>>| match event {
        Some(Err(why)) => why,
        _ => "the connection to PostgreSQL closed".to_string(),
    };
    let news = |lists: bool| {
        if lists {
            Msg::Changed
        } else {
            Msg::PresenceChanged
        }
    };
    loop {
        let event = tokio::select! {
            _ = cancel.cancelled() => return None,
            event = events.recv() => event,
        };
        let Some(Ok(first)) = event else {
            return Some(lost(event));
        };
        let mut lists = !presence_only(&first);
        // The rest of the burst: everything within COALESCE of the first.
        let until = tokio::time::Instant::now() + COALESCE;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => break,
                event = events.recv() => match event {
                    Some(Ok(payload)) => lists |= !presence_only(&payload),
                    event => {
                        let _ = ui.send(news(lists));
                        return Some(lost(event));
                    }
                },
            }
        }
        let _ = ui.send(news(lists));
    }
}

/// A notification about a heartbeat only (see the `presence` triggers in `store::pg::assign`).
fn presence_only(payload: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| Some(v.get("table")?.as_str()? == "presence"))
        .unwrap_or(false)
}

/// The heartbeat timer: a `Msg::Heartbeat` every [`HEARTBEAT`] until cancelled (`update` decides what the
/// console tells the others and reads theirs again).
pub fn heartbeat(ui: mpsc::UnboundedSender<Msg>, cancel: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move { beat_every(HEARTBEAT, &ui, &cancel).await })
}

async fn beat_every(period: Duration, ui: &mpsc::UnboundedSender<Msg>, cancel: &CancellationToken) {
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = every.tick() => if ui.send(Msg::Heartbeat).is_err() {
                return;
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tokio::time::Instant;

    fn drain(rx: &mut mpsc::UnboundedReceiver<Msg>) -> Vec<String> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .map(|m| match m {
                Msg::Changed => "changed".to_string(),
                Msg::PresenceChanged => "presence".to_string(),
                Msg::Heartbeat => "beat".to_string(),
                Msg::LiveLink(None) => "up".to_string(),
                Msg::LiveLink(Some(why)) => format!("down: {why}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_notifications_is_one_changed() {
        let (ui, mut rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let (tx, events) = mpsc::unbounded_channel();
        let link = Arc::new(Mutex::new(Some(events)));
        let task = {
            let (ui, cancel) = (ui.clone(), cancel.clone());
            tokio::spawn(async move {
                let connect = || {
                    let events = link.lock().unwrap().take();
                    async move { events.map(|e| ((), e)).ok_or_else(|| "gone".to_string()) }
                };
                keep_listening(connect, &ui, &cancel).await;
            })
        };
        for i in 0..20 {
            tx.send(Ok(format!("{{\"table\":\"actions\",\"post\":{i}}}")))
                .unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(COALESCE * 2).await;
        assert_eq!(drain(&mut rx), ["changed"]);
        tx.send(Ok("{}".into())).unwrap();
        tokio::time::sleep(COALESCE * 2).await;
        assert_eq!(drain(&mut rx), ["changed"], "a later change is news again");
        cancel.cancel();
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_lost_link_is_said_and_tried_again_with_growing_pauses() {
        let (ui, mut rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let tries: Arc<Mutex<Vec<Duration>>> = Arc::default();
        // The first connection drops at once; the next three fail; the fifth holds.
        let (first_tx, first) = mpsc::unbounded_channel();
        first_tx
            .send(Err("the connection to PostgreSQL was lost".into()))
            .unwrap();
        let (_held_tx, held) = mpsc::unbounded_channel();
        let links = Arc::new(Mutex::new(vec![
            Ok(held),
            Err(()),
            Err(()),
            Err(()),
            Ok(first),
        ]));
        let task = {
            let (ui, cancel, tries) = (ui.clone(), cancel.clone(), tries.clone());
            tokio::spawn(async move {
                let connect = || {
                    tries.lock().unwrap().push(start.elapsed());
                    let next = links.lock().unwrap().pop();
                    async move {
                        match next {
                            Some(Ok(events)) => Ok(((), events)),
                            _ => Err("connection refused".to_string()),
                        }
                    }
                };
                keep_listening(connect, &ui, &cancel).await;
            })
        };
        tokio::time::sleep(Duration::from_secs(60)).await;
        let secs: Vec<u64> = tries.lock().unwrap().iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, [0, 1, 3, 7, 15], "pauses of 1, 2, 4 and 8 s");
        assert_eq!(
            drain(&mut rx),
            [
                "down: the connection to PostgreSQL was lost",
                "down: connection refused",
                "up",
                "changed"
            ],
            "each reason once; back, the panes reload"
        );
        cancel.cancel();
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_heartbeats_alone_leaves_the_lists_be() {
        let (ui, mut rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let (tx, mut events) = mpsc::unbounded_channel();
        let task = {
            let (ui, cancel) = (ui.clone(), cancel.clone());
            tokio::spawn(async move { forward(&mut events, &ui, &cancel).await })
        };
        let presence = r#"{"table" : "presence", "op" : "insert", "post" : 4}"#;
        tx.send(Ok(presence.into())).unwrap();
        tx.send(Ok(presence.into())).unwrap();
        tokio::time::sleep(COALESCE * 2).await;
        assert_eq!(drain(&mut rx), ["presence"]);
        tx.send(Ok(presence.into())).unwrap();
        tx.send(Ok(
            r#"{"table" : "assignments", "op" : "insert", "post" : 4}"#.into(),
        ))
        .unwrap();
        tokio::time::sleep(COALESCE * 2).await;
        assert_eq!(
            drain(&mut rx),
            ["changed"],
            "an assignment in the burst reloads"
        );
        cancel.cancel();
        assert_eq!(task.await.unwrap(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_heartbeat_comes_every_ten_seconds_until_cancelled() {
        let (ui, mut rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let task = heartbeat(ui, cancel.clone());
        tokio::time::sleep(Duration::from_secs(9)).await;
        assert!(
            drain(&mut rx).is_empty(),
            "not at once: the console tells on change"
        );
        tokio::time::sleep(Duration::from_secs(26)).await;
        assert_eq!(
            drain(&mut rx),
            ["beat", "beat", "beat"],
            "at 10, 20 and 30 s"
        );
        cancel.cancel();
        task.await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(drain(&mut rx).is_empty());
    }
}
