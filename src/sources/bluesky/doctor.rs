//! `regulars doctor` for a Bluesky source: PDS reachable, session works, rate-limit headroom, Jetstream
//! reachable, cursor age. Never prints a secret.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::api::{FeedPage, Mark, Resolved};
use super::{BlueskySource, check, jetstream};
use crate::sources::Check;
use crate::sources::http::FetchError;

pub(crate) async fn checks(src: &BlueskySource, cursors: &HashMap<String, String>) -> Vec<Check> {
    let mut out = Vec::new();
    let pds = src.xrpc.pds.as_str().trim_end_matches('/').to_string();
    let reach = src.xrpc.describe_server().await;
    out.push(check(
        "Bluesky PDS reachable",
        reach.is_ok(),
        match &reach {
            Ok(_) => format!("{pds} answers"),
            Err(e) => format!("{pds}: {e}"),
        },
        "check `pds` (your PDS address, https://bsky.social for most accounts) and the network",
    ));
    let who = src.xrpc.whoami().await;
    out.push(check(
        "Bluesky login (createSession)",
        who.is_ok(),
        match &who {
            Ok((did, handle)) => format!("logged in as @{handle} ({did})"),
            Err(e) => e.to_string(),
        },
        "check `handle`, and that the app password variable/file holds a current app password \
         (Bluesky: Settings → Privacy and security → App passwords)",
    ));
    // What the running source reads through the AppView: each customer's handle and feed, not only the login.
    let handles = super::poll::customer_handles(&src.watch);
    if !handles.is_empty() {
        let mut problems = Vec::new();
        for handle in &handles {
            if let Err(e) = customer_feed(src, handle).await {
                problems.push(format!("@{handle}: {e}"));
            }
        }
        let appview = src.xrpc.appview.as_str().trim_end_matches('/').to_string();
        out.push(check(
            "Bluesky customers' feeds (AppView)",
            problems.is_empty(),
            if problems.is_empty() {
                format!("{} customers' feeds read through {appview}", handles.len())
            } else {
                problems.join("; ")
            },
            "check these handles in the customers file (a handle may have changed) and `appview`",
        ));
    }
    if let Some(rl) = src.xrpc.rate_limit() {
        let ok = match (rl.remaining, rl.limit) {
            (Some(r), Some(l)) if l > 0 => r * 10 >= l,
            (Some(0), _) => false,
            _ => true,
        };
        let detail = format!(
            "{} of {} requests left{}",
            rl.remaining.map_or("?".into(), |r| r.to_string()),
            rl.limit.map_or("?".into(), |l| l.to_string()),
            rl.reset.map_or(String::new(), |t| format!(
                ", resets {}",
                t.format("%H:%M:%S UTC")
            ))
        );
        out.push(check(
            "Bluesky rate-limit headroom",
            ok,
            detail,
            "another client on this account is using the budget; raise `poll_seconds` or wait for the reset",
        ));
    }
    if let Some(base) = &src.jetstream {
        let url = jetstream::subscribe_url(base, &[], None);
        let conn = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await;
        let (ok, detail) = match conn {
            Ok(Ok((mut ws, _))) => {
                let _ = ws.close(None).await;
                (true, format!("{} accepts connections", base.as_str()))
            }
            Ok(Err(e)) => (false, format!("{}: {e}", base.as_str())),
            Err(_) => (false, format!("{}: timed out", base.as_str())),
        };
        out.push(check(
            "Jetstream reachable (optional)",
            ok,
            detail,
            "posts still arrive by polling; try another instance (jetstream1.us-west.bsky.network) or set `jetstream = false`",
        ));
    }
    let now = Utc::now();
    let newest = cursors
        .iter()
        .filter_map(|(k, v)| {
            if k == jetstream::CURSOR_KEY {
                v.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|us| Utc.timestamp_micros(us).single())
            } else if k.starts_with("did:") {
                None
            } else {
                Mark::parse(v).map(|m| m.at)
            }
        })
        .max();
    out.push(match newest {
        Some(t) => {
            let age = now - t;
            check(
                "Bluesky cursor age",
                age < chrono::Duration::days(7),
                format!("newest stored position is {} h old", age.num_hours()),
                "the source has not delivered for a week: run `regulars sync --once` and read its errors",
            )
        }
        None => check("Bluesky cursor age", true, "no position stored yet (first run)".into(), ""),
    });
    out
}

/// A customer's handle resolved and their newest post read, as the running source does.
async fn customer_feed(src: &BlueskySource, handle: &str) -> Result<(), FetchError> {
    let resolved: Resolved = src
        .xrpc
        .public_get(
            "com.atproto.identity.resolveHandle",
            &[("handle", handle.to_string())],
        )
        .await?;
    let _: FeedPage = src
        .xrpc
        .public_get(
            "app.bsky.feed.getAuthorFeed",
            &[("actor", resolved.did), ("limit", "1".to_string())],
        )
        .await?;
    Ok(())
}
