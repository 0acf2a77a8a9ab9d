//! `regulars doctor` for a Mastodon source: instance reachable, token valid, rate-limit headroom, cursor age.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};

use super::{MastodonSource, api};
use crate::sources::Check;
use crate::sources::http::FetchError;

impl MastodonSource {
    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let mut api = self.api();
        let mut checks = Vec::new();
        let check = |what: &str, result: Result<String, (String, String)>| match result {
            Ok(detail) => Check {
                what: format!("{name}: {what}"),
                ok: true,
                detail,
                fix: String::new(),
            },
            Err((detail, fix)) => Check {
                what: format!("{name}: {what}"),
                ok: false,
                detail,
                fix,
            },
        };
        let network_fix = |e: &FetchError| {
            match e {
            FetchError::Transport(_) => format!(
                "check `instance = \"{}\"` and the network connection",
                self.base
            ),
            FetchError::Server { .. } => "the instance is in trouble; try again later".into(),
            FetchError::RateLimited { until } => format!("wait until {until}"),
            FetchError::Client { status: 404, .. } => {
                "this server lacks /api/v2/instance (Mastodon 4.0+); older servers are not supported"
                    .into()
            }
            _ => "check that `instance` points at a Mastodon-compatible server".into(),
        }
        };
        checks.push(check(
            "instance reachable",
            match api.instance().await {
                Ok(i) => Ok(format!(
                    "{} {} at {}, {} characters per post",
                    i.title.as_deref().unwrap_or("instance"),
                    i.version.as_deref().unwrap_or(""),
                    self.base,
                    i.configuration
                        .statuses
                        .max_characters
                        .unwrap_or(api::DEFAULT_CHAR_LIMIT)
                )),
                Err(e) => Err((e.to_string(), network_fix(&e))),
            },
        ));
        checks.push(check(
            "token valid",
            match api.verify_credentials().await {
                Ok(account) => Ok(format!("signed in as @{}", api::normalize_acct(&account.acct, &self.host()))),
                Err(FetchError::Auth { status, detail }) => Err((
                    format!("token refused ({status}: {detail})"),
                    format!(
                        "create an access token (Preferences > Development > New application, scopes read \
                         and write:statuses) and put it in {}",
                        self.token_hint
                    ),
                )),
                Err(e) => Err((e.to_string(), network_fix(&e))),
            },
        ));
        checks.push(check(
            "rate-limit headroom",
            match &api.rate {
                None => Ok("the server sent no rate-limit headers".into()),
                Some(r) => {
                    let detail = format!(
                        "{} of {} requests left{}",
                        r.remaining.map_or("?".into(), |n| n.to_string()),
                        r.limit.map_or("?".into(), |n| n.to_string()),
                        r.reset.map_or(String::new(), |t| format!(", resets {t}"))
                    );
                    match (r.remaining, r.limit) {
                        (Some(rem), Some(lim)) if rem * 10 < lim => Err((
                            detail,
                            "another client uses this token heavily; raise poll_seconds or use a \
                             separate token"
                                .into(),
                        )),
                        _ => Ok(detail),
                    }
                }
            },
        ));
        // What the running source reads for each customer, not only the login.
        let mut found = 0;
        let mut missing = Vec::new();
        for acct in &self.watch.customer_handles {
            match api.lookup(acct, &self.host()).await {
                Ok(_) => found += 1,
                Err(e) => missing.push(format!("@{}: {e}", acct.trim_start_matches('@'))),
            }
        }
        if !self.watch.customer_handles.is_empty() {
            checks.push(check(
                "customers found",
                if missing.is_empty() {
                    Ok(format!("{found} customers' accounts found"))
                } else {
                    Err((
                        missing.join("; "),
                        "check these handles in the customers file: the account may have moved, or the \
                         instance may not know it yet"
                            .into(),
                    ))
                },
            ));
        }
        checks.push(check("cursors", Ok(cursor_age(cursors))));
        checks
    }
}

/// How far back the stored positions are (Mastodon ids carry their time: milliseconds << 16).
fn cursor_age(cursors: &HashMap<String, String>) -> String {
    let positions: Vec<&String> = cursors
        .iter()
        .filter(|(k, _)| !k.starts_with("account-id:"))
        .map(|(_, v)| v)
        .collect();
    if positions.is_empty() {
        return "none stored yet; the first run reads the latest page of each query".into();
    }
    let oldest = positions
        .iter()
        .filter_map(|v| v.parse::<u64>().ok())
        .map(|id| (id >> 16) as i64)
        .filter(|ms| *ms > 1_000_000_000_000)
        .min()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single());
    match oldest {
        Some(t) => {
            let age = Utc::now() - t;
            format!(
                "{} stored; the oldest is from {} ({} h ago)",
                positions.len(),
                t.format("%Y-%m-%d %H:%M UTC"),
                age.num_hours()
            )
        }
        None => format!(
            "{} stored (ids carry no time on this server)",
            positions.len()
        ),
    }
}
