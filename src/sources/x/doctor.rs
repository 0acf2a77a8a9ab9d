//! `regulars doctor` for an X source: API reachable and token accepted, replying possible, rate-limit
//! headroom, the month's read budget, customers found.

use std::collections::HashMap;

use chrono::Utc;

use super::XSource;
use super::budget::Budget;
use super::client::Api;
use crate::sources::Check;
use crate::sources::http::FetchError;
use crate::text::thousands;

const PORTAL: &str =
    "the X developer portal (developer.x.com, Projects & Apps > your app > Keys and tokens)";

impl XSource {
    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let check = |what: &str, result: Result<String, (String, String)>| {
            let (ok, detail, fix) = match result {
                Ok(detail) => (true, detail, String::new()),
                Err((detail, fix)) => (false, detail, fix),
            };
            Check {
                what: format!("{name}: {what}"),
                ok,
                detail,
                fix,
            }
        };
        let fix = |e: &FetchError| match e {
            FetchError::Auth { .. } => format!(
                "create a new bearer token in {PORTAL} and put it in {}",
                self.token_source.hint
            ),
            FetchError::Transport(_) => {
                format!("check `api = \"{}\"` and the network connection", self.base)
            }
            FetchError::RateLimited { until } => format!("wait until {until}"),
            _ => "X is in trouble or `api` does not point at the X API; try again later".into(),
        };
        let mut api = self.api();
        let mut checks = Vec::new();
        let shop = self
            .watch
            .shop_handle
            .as_deref()
            .map(|h| h.trim_start_matches('@').to_lowercase());
        let wanted: Vec<String> = shop.iter().cloned().collect();
        checks.push(check(
            "token accepted",
            match &shop {
                None => Err((
                    "no shop username".into(),
                    "set `[shop.handles] x = \"@yourshop\"`: mentions and the search's -from: need it".into(),
                )),
                Some(s) => match api.users_by(&wanted).await {
                    Ok((found, _)) if !found.is_empty() => Ok(format!("@{s} is user {}", found[0].id)),
                    Ok(_) => Err((
                        format!("X knows no user @{s}"),
                        "check `[shop.handles] x` in the config".into(),
                    )),
                    Err(e) => Err((e.to_string(), fix(&e))),
                },
            },
        ));
        checks.push(check("replying", self.reply_check().await));
        checks.push(check(
            "rate-limit headroom",
            match &api.rate {
                None => Ok("X sent no rate-limit headers".into()),
                Some(r) => {
                    let detail = format!(
                        "{} of {} requests left in this 15-minute window{}",
                        r.remaining.map_or("?".into(), |n| n.to_string()),
                        r.limit.map_or("?".into(), |n| n.to_string()),
                        r.reset.map_or(String::new(), |t| format!(", resets {t}"))
                    );
                    match (r.remaining, r.limit) {
                        (Some(rem), Some(lim)) if rem * 10 < lim => Err((
                            detail,
                            "another client uses this app's limits heavily; raise poll_seconds"
                                .into(),
                        )),
                        _ => Ok(detail),
                    }
                }
            },
        ));
        let budget = Budget::load(self.cfg.monthly_read_budget, cursors, Utc::now());
        let usage = budget.usage();
        checks.push(check(
            "read budget",
            match (budget.spent(1), usage.budget) {
                (Some(why), _) => Err((
                    why,
                    "raise monthly_read_budget, or wait for next month".into(),
                )),
                (None, Some(b)) => Ok(format!(
                    "{} of {} posts read in {}",
                    thousands(usage.used),
                    thousands(b),
                    usage.period
                )),
                (None, None) => Ok(format!(
                    "{} posts read in {}; no monthly_read_budget set (X bills every post read)",
                    thousands(usage.used),
                    usage.period
                )),
            },
        ));
        if !self.watch.customer_handles.is_empty() {
            checks.push(check(
                "customers found",
                customers(&mut api, &self.watch.customer_handles).await,
            ));
        }
        checks
    }

    /// The replying token names the shop's account (a user-context token; an app-only one cannot post).
    async fn reply_check(&self) -> Result<String, (String, String)> {
        let what = format!("sources.{}", self.name);
        let source = self.cfg.reply_token(&what);
        let token = source
            .load()
            .map_err(|e| (e, "set reply_token_env or reply_token_file".to_string()))?;
        let mut api = Api {
            token,
            ..self.api()
        };
        let fix = format!(
            "create a user-context OAuth 2.0 access token (scopes tweet.read, users.read, tweet.write) in \
             {PORTAL} and put it in {}",
            source.hint
        );
        match api.me().await {
            Ok(me) => Ok(format!(
                "replies go out as @{}; self-serve apps may only reply to posts that mention or quote it",
                me.username
            )),
            Err(e @ FetchError::Auth { .. }) => {
                Err((format!("{e} (an app-only token cannot post)"), fix))
            }
            Err(e) => Err((e.to_string(), fix)),
        }
    }
}

async fn customers(api: &mut Api, handles: &[String]) -> Result<String, (String, String)> {
    let names: Vec<String> = handles
        .iter()
        .map(|h| h.trim().trim_start_matches('@').to_lowercase())
        .collect();
    let mut missing = Vec::new();
    let mut found = 0;
    for chunk in names.chunks(100) {
        match api.users_by(chunk).await {
            Ok((f, gone)) => {
                found += f.len();
                missing.extend(gone.into_iter().map(|g| format!("@{g}")));
            }
            Err(e) => return Err((e.to_string(), "try again later".into())),
        }
    }
    if missing.is_empty() {
        Ok(format!("{found} customers' accounts found"))
    } else {
        Err((
            format!("not on X: {}", missing.join(", ")),
            "check these usernames in the customers file (renamed or deleted accounts)".into(),
        ))
    }
}
