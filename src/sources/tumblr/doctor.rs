//! `regulars doctor` for a Tumblr source: the API key accepted (on the shop's blog info), the key's hourly and
//! daily headroom and whether the configured pace fits in it, the customers' blogs found, the stored cursors.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use serde_json::Value;

use super::TumblrSource;
use super::client::Window;
use super::config::DAILY_KEY_LIMIT;
use crate::sources::Check;
use crate::sources::http::FetchError;

fn check(name: &str, what: &str, result: Result<String, (String, String)>) -> Check {
    let what = format!("{name}: {what}");
    match result {
        Ok(detail) => Check {
            what,
            ok: true,
            detail,
            fix: String::new(),
        },
        Err((detail, fix)) => Check {
            what,
            ok: false,
            detail,
            fix,
        },
    }
}

fn window(label: &str, w: &Option<Window>) -> Option<String> {
    let w = w.as_ref()?;
    Some(format!(
        "{} of {} calls left this {label} (resets {})",
        w.remaining,
        w.limit.map_or("?".into(), |l| l.to_string()),
        w.reset.format("%H:%M UTC")
    ))
}

impl TumblrSource {
    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let mut api = self.api();
        let mut checks = Vec::new();
        let fix_for = |e: &FetchError| match e {
            FetchError::Auth { .. } => format!(
                "register an application at https://www.tumblr.com/oauth/apps and put its OAuth consumer key \
                 (the API key) in {}",
                self.key_hint
            ),
            FetchError::Client { status: 404, .. } => format!(
                "no blog `{}` on Tumblr: set `blog` to the shop's blog name (as in name.tumblr.com)",
                self.shop
            ),
            FetchError::RateLimited { until } => {
                format!("the key's calls are spent until {until}; raise poll_seconds")
            }
            FetchError::Transport(_) => {
                format!("check `api = \"{}\"` and the network connection", self.base)
            }
            _ => "Tumblr is in trouble; try again later".into(),
        };
        let info = api.get(api.url(&["blog", &self.shop, "info"])).await;
        checks.push(check(
            name,
            "API key accepted",
            match &info {
                Ok(r) => {
                    let blog = r.get("blog").cloned().unwrap_or(Value::Null);
                    let s = |k: &str| {
                        blog.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    };
                    let posts = blog.get("posts").and_then(Value::as_u64).unwrap_or(0);
                    Ok(format!(
                        "blog {} (\"{}\"), {posts} posts",
                        s("name"),
                        s("title")
                    ))
                }
                Err(e) => Err((e.to_string(), fix_for(e))),
            },
        ));
        let per_day = self.calls_per_round() * 86_400 / self.cfg.poll_seconds.max(1);
        let pace = format!(
            "{} calls a round every {} s: about {per_day} of the key's {DAILY_KEY_LIMIT} a day",
            self.calls_per_round(),
            self.cfg.poll_seconds
        );
        let heard: Vec<String> = [
            window("hour", &api.limits.hour),
            window("day", &api.limits.day),
        ]
        .into_iter()
        .flatten()
        .collect();
        let detail = if heard.is_empty() {
            pace
        } else {
            format!("{pace}; {}", heard.join(", "))
        };
        let low = [api.limits.hour, api.limits.day]
            .into_iter()
            .flatten()
            .any(|w| w.limit.is_some_and(|l| w.remaining * 10 < l));
        let needed = (self.calls_per_round() * 86_400).div_ceil(DAILY_KEY_LIMIT * 8 / 10);
        checks.push(check(
            name,
            "rate-limit headroom",
            if per_day * 10 > DAILY_KEY_LIMIT * 8 {
                Err((
                    detail,
                    format!(
                        "raise poll_seconds to at least {needed}, or read fewer posts' notes (notes_posts), \
                         customers or hashtags"
                    ),
                ))
            } else if low {
                Err((
                    detail,
                    "another program uses this API key heavily; give regulars its own app's key".into(),
                ))
            } else {
                Ok(detail)
            },
        ));
        if info.is_ok() && !self.watch.customer_handles.is_empty() {
            let mut missing = Vec::new();
            for blog in &self.watch.customer_handles {
                let blog = super::api::blog_key(blog);
                if let Err(e) = api.get(api.url(&["blog", &blog, "info"])).await {
                    missing.push(format!("{blog}: {e}"));
                }
            }
            let found = self.watch.customer_handles.len() - missing.len();
            checks.push(check(
                name,
                "customers' blogs found",
                if missing.is_empty() {
                    Ok(format!("{found} customers' blogs found"))
                } else {
                    Err((
                        missing.join("; "),
                        "check these blog names in the customers file: the blog may be renamed, deleted or \
                         private (private blogs cannot be read)"
                            .into(),
                    ))
                },
            ));
        }
        checks.push(check(name, "cursors", Ok(cursor_age(cursors))));
        checks
    }
}

/// How far back the stored positions are (Unix times).
fn cursor_age(cursors: &HashMap<String, String>) -> String {
    let times: Vec<i64> = cursors
        .iter()
        .filter(|(k, _)| k.starts_with("tag:") || k.starts_with("blog:") || k.starts_with("notes:"))
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match times
        .iter()
        .min()
        .and_then(|t| Utc.timestamp_opt(*t, 0).single())
    {
        None => "none stored yet; the first run reads the newest page of each query".into(),
        Some(t) => format!(
            "{} stored; the oldest is from {} ({} h ago)",
            times.len(),
            t.format("%Y-%m-%d %H:%M UTC"),
            (Utc::now() - t).num_hours()
        ),
    }
}
