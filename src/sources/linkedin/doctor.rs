//! `regulars doctor` for a LinkedIn source: the token and the app's Community Management API access, the
//! member's administrator role on the page, mentions (notifications) readable, the pace, the cursors.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use serde_json::Value;

use super::client::ACCESS_FIX;
use super::poll::Page;
use super::{LinkedinSource, api};
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

impl LinkedinSource {
    fn fix_for(&self, e: &FetchError) -> String {
        match e {
            FetchError::Auth { status: 403, .. } => ACCESS_FIX.to_string(),
            FetchError::Auth { .. } => super::config::auth_fix(&self.token_hint),
            FetchError::Client { status: 426, .. } => format!(
                "LinkedIn retired version {}: set `version` to a current YYYYMM (see LinkedIn's versioning page)",
                self.cfg.version
            ),
            FetchError::RateLimited { until } => {
                format!("the app's daily quota is spent until {until}")
            }
            FetchError::Transport(_) => {
                format!("check `api = \"{}\"` and the network connection", self.base)
            }
            _ => "LinkedIn answered oddly; check `organization` and try again later".into(),
        }
    }

    pub(super) async fn checks(&self, cursors: &HashMap<String, String>) -> Vec<Check> {
        let name = &self.name;
        let api = self.api();
        let mut checks = Vec::new();
        let posts = match Page::posts_url(&api, &self.org, 1) {
            Ok(url) => api.get(url).await,
            Err(e) => Err(e),
        };
        checks.push(check(
            name,
            "token and Community Management API access",
            match &posts {
                Ok(_) => Ok(format!(
                    "the page {}'s posts are readable (Linkedin-Version {})",
                    self.org, self.cfg.version
                )),
                Err(e) => Err((e.to_string(), self.fix_for(e))),
            },
        ));
        if posts.is_ok() {
            let acls = api
                .url(
                    "organizationAcls",
                    "q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
                )
                .map(|u| api.get(u));
            let acls = match acls {
                Ok(f) => f.await,
                Err(e) => Err(e),
            };
            checks.push(check(
                name,
                "page administrator",
                match acls {
                    Ok(v) => {
                        let admin = v
                            .get("elements")
                            .and_then(Value::as_array)
                            .is_some_and(|l| {
                                l.iter().any(|a| {
                                    a.get("organization").or_else(|| a.get("organizationTarget"))
                                        .and_then(Value::as_str)
                                        == Some(self.org.as_str())
                                })
                            });
                        if admin {
                            Ok("the token's member is an ADMINISTRATOR of the page".into())
                        } else {
                            Err((
                                format!("the token's member is not an ADMINISTRATOR of {}", self.org),
                                "create the token as a member with the ADMINISTRATOR role on the page (Page \
                                 admin tools > Manage admins)"
                                    .into(),
                            ))
                        }
                    }
                    Err(e) => Err((e.to_string(), self.fix_for(&e))),
                },
            ));
        }
        if self.cfg.mentions && posts.is_ok() {
            let now = Utc::now().timestamp_millis();
            let url = api.url(
                "organizationalEntityNotifications",
                &format!(
                    "q=criteria&actions=List(SHARE_MENTION,COMMENT_MENTION)&organizationalEntity={}\
                     &timeRange=(start:{},end:{now})&count=1",
                    api::encode(&self.org),
                    now - 3_600_000
                ),
            );
            let result = match url {
                Ok(u) => api.get(u).await,
                Err(e) => Err(e),
            };
            checks.push(check(
                name,
                "mentions readable",
                match result {
                    Ok(_) => Ok("organization notifications answer".into()),
                    Err(e) => Err((e.to_string(), self.fix_for(&e))),
                },
            ));
        }
        let per_round = 1 + self.cfg.posts + usize::from(self.cfg.mentions);
        checks.push(check(
            name,
            "rate-limit headroom",
            Ok(format!(
                "about {} calls a day at {} calls every {} s (more when comments have replies); LinkedIn \
                 sends no rate-limit headers: the app's quotas and use are in the Developer Portal, Analytics",
                per_round as u64 * 86_400 / self.cfg.poll_seconds.max(1),
                per_round,
                self.cfg.poll_seconds
            )),
        ));
        let times: Vec<i64> = cursors
            .iter()
            .filter(|(k, _)| k.starts_with("comments:") || k.as_str() == "mentions")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        let detail = match times
            .iter()
            .min()
            .and_then(|t| Utc.timestamp_millis_opt(*t).single())
        {
            None => {
                "none stored yet; the first run reads the last day's mentions and every comment"
                    .into()
            }
            Some(t) => format!(
                "{} stored; the oldest is from {} ({} h ago)",
                times.len(),
                t.format("%Y-%m-%d %H:%M UTC"),
                (Utc::now() - t).num_hours()
            ),
        };
        checks.push(check(name, "cursors", Ok(detail)));
        checks
    }
}
